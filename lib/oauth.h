/*
 * oauth: Genesys Cloud client-credentials tokens (../shared/GENESYS.md).
 *
 * POST {login_base}/oauth/token with Basic auth and
 * grant_type=client_credentials.  A token is reused until OAUTH_MARGIN_S
 * before it expires, and kept in SPOOL/state/token (mode 0600, written to
 * a temp file and renamed) so that cron runs a minute apart share one.
 * The cache records the client id and login base it belongs to; a token
 * for another client or org is never used.  After a 401 from the API the
 * caller asks again with force set: one fresh fetch.
 *
 * Errors name the client id and the token endpoint, never the secret or
 * the token.
 */
#ifndef ROUTEHOOK_OAUTH_H
#define ROUTEHOOK_OAUTH_H

#include <stddef.h>
#include <time.h>

#include "conf.h"

#define OAUTH_TOKEN_MAX	4096
#define OAUTH_MARGIN_S	60

enum oauth_result {
	OAUTH_OK = 0,
	OAUTH_TEMP = -1,	/* endpoint unreachable, 5xx, 429: try later */
	OAUTH_PERM = -2		/* credentials refused (400/401/403) */
};

struct oauth {
	const struct conf	*conf;		/* with the client secret read */
	int			 state_fd;	/* SPOOL/state, O_DIRECTORY */
	char			 token[OAUTH_TOKEN_MAX];
	time_t			 expires_at;	/* 0: no token in memory */
	long			 fetches;	/* tokens fetched by this process */
};

void	 oauth_init(struct oauth *o, const struct conf *c, int state_fd);

/*
 * A token valid for at least OAUTH_MARGIN_S more seconds: from memory,
 * the cache file, or the token endpoint.  With force, memory and cache
 * are ignored (the API just answered 401).  *token points into o.
 */
enum oauth_result	 oauth_token(struct oauth *o, int force,
			    const char **token, char *err, size_t errsz);

/* Forget the token in memory and on disk. */
void	 oauth_forget(struct oauth *o);

/*
 * For status: whether a cached token for this config exists, and when it
 * expires.  Returns 1 (cached), 0 (none or not this client's), -1 (error).
 */
int	 oauth_cache_state(const struct conf *c, int state_fd,
	    time_t *expires_at);

void	 oauth_free(struct oauth *o);	/* wipes the token */

#endif
