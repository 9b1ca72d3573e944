/*
 * auth: who may send an event.  The schemes of receiver.auth, each
 * checked in constant time against every configured secret (several per
 * scheme, for rotation):
 *
 *	hmac			HMAC-SHA256 of the body in one header
 *				(receiver.signature_header, hex or base64,
 *				optional prefix): today's and the default
 *	standard-webhooks	the Standard Webhooks specification: headers
 *				webhook-id, webhook-timestamp (epoch seconds,
 *				within tolerance_s of now) and
 *				webhook-signature, a space-separated list of
 *				"v1,<base64 HMAC-SHA256>" over
 *				"<id>.<timestamp>.<body>"
 *	api_key			a static key in receiver.api_key.header
 *	basic			HTTP Basic credentials, "user:password"
 *
 * Several schemes may be accepted at once: a request passes when any
 * configured scheme whose header it carries accepts it.
 *
 * Pure: bytes in, verdict out.  No I/O, no allocation, nothing logged, no
 * clock read (the caller passes now), so fuzz harnesses and unit tests
 * call every function here directly.  No verdict and no reason ever holds
 * a secret's bytes or a header's value.
 */
#ifndef ROUTEHOOK_AUTH_H
#define ROUTEHOOK_AUTH_H

#include <stddef.h>

#include "conf.h"
#include "secret.h"

#define AUTH_ID_MAX		257	/* a webhook-id: 1 to 256 visible chars */
#define AUTH_WHY_MAX		192	/* a reason, for the log */
#define AUTH_SWH_MAX_SIGS	16	/* v1 signatures looked at in one header */

/* What arrived; NULL for a header that did not. */
struct auth_request {
	const void	*body;
	size_t		 len;
	const char	*signature;		/* receiver.signature_header */
	const char	*webhook_id;
	const char	*webhook_timestamp;
	const char	*webhook_signature;
	const char	*api_key;		/* receiver.api_key.header */
	const char	*authorization;		/* Authorization */
	long long	 now;			/* epoch seconds */
};

struct auth_verdict {
	unsigned	 scheme;	/* the CONF_AUTH_* bit that accepted */
	char		 id[AUTH_ID_MAX];	/* standard-webhooks: webhook-id */
	/* refused: for the log, e.g. "invalid signature (no X-... header)" */
	char		 why[AUTH_WHY_MAX];
	/* refused: for the sender, "invalid signature" or "...credentials" */
	const char	*answer;
};

/* 1 when rq passes one of c's schemes (v says which), else 0. */
int	 auth_check(const struct conf *c, const struct auth_request *rq,
	    struct auth_verdict *v);

/* "hmac", "standard-webhooks", "api_key", "basic"; "none" for 0. */
const char	*auth_scheme_name(unsigned scheme);

/*
 * The schemes one by one: 1 when accepted, else 0 with *why a short
 * static reason.  Empty secrets never match.
 */
int	 auth_standard_webhooks(const struct secret *keys, size_t n,
	    long tolerance_s, const char *id, const char *timestamp,
	    const char *signatures, const void *body, size_t len,
	    long long now, const char **why);
int	 auth_api_key(const struct secret *keys, size_t n, const char *value,
	    const char **why);
int	 auth_basic(const struct secret *creds, size_t n,
	    const char *authorization, const char **why);

#endif
