/*
 * ctl-online: `routehookctl check --online`: does the OAuth client have
 * what the worker needs, asked of Genesys Cloud without changing
 * anything?
 *
 * It fetches a token (lib/oauth, the worker's token cache), then makes
 * calls that change nothing and reads the permission each answer implies
 * (the SDK documentation, platform-client-sdk-python 257.1.0):
 *
 *	GET /api/v2/presence/definitions
 *		presence:presenceDefinition:view; the org's On Queue
 *	GET /api/v2/users/{user}/presences/purecloud  (with --user)
 *		the user exists and the token can read them
 *	PATCH /api/v2/users/{user}/presences/purecloud  body {}
 *		presence:userPresence:edit: 403 names it when missing, else
 *		400 for the empty body, which sets nothing
 *	PATCH /api/v2/routing/queues/{queue}/members  body []
 *		routing:queue:edit or routing:queueMember:manage: likewise,
 *		400 for an empty member list
 *
 * The two PATCHes rely on Genesys checking permissions before the body,
 * as the stand-in does; on a real org a 400 then means "allowed", and a
 * 404 for the placeholder user or queue says nothing either way (--user
 * and --queue name real ones).
 *
 * Prints one line per call; each problem names the key or permission at
 * fault.  Exit: 0 all allowed; 100 a permission missing or credentials
 * refused; 111 the token endpoint or the API unreachable, 429 or 5xx.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "http.h"
#include "oauth.h"
#include "presence.h"
#include "secret.h"
#include "spool.h"

/* Placeholders when no --user or --queue is given: ids nobody has. */
#define CTL_ONLINE_NOBODY	"00000000-0000-0000-0000-000000000000"

struct ctl_online {
	struct oauth		 o;
	struct http_call	 hc;
	const struct conf	*c;
	int			 temp;		/* a temporary failure */
	int			 missing;	/* a permission missing */
	int			 notoken;	/* credentials refused */
};

static int
ctl_online_temp(long status)
{
	return status == 0 || status == 408 || status == 429 ||
	    status >= 500;
}

/* One call; with a 401, one more with a fresh token.  -1: no token. */
static int
ctl_online_call(struct ctl_online *on, const char *method, const char *path,
    const char *body, struct http_result *res)
{
	const char *token;
	char err[1024], url[HTTP_URL_MAX];
	enum oauth_result t;
	int force;

	if (http_url(url, sizeof(url), on->c->genesys.api_base, path) == -1) {
		ctl_errx("check: genesys.api_base is too long");
		on->missing = 1;
		return -1;
	}
	for (force = 0; force < 2; force++) {
		if ((t = oauth_token(&on->o, force, &token, err,
		    sizeof(err))) != OAUTH_OK) {
			ctl_errx("check: %s", err);
			if (t == OAUTH_TEMP)
				on->temp = 1;
			else
				on->notoken = 1;
			return -1;
		}
		if (http_call_set(&on->hc, method, url, token,
		    body != NULL ? "application/json" : NULL, body, err,
		    sizeof(err)) == -1) {
			ctl_errx("check: %s", err);
			on->temp = 1;
			return -1;
		}
		http_call_perform(&on->hc, res);
		if (res->status != 401)
			break;
		oauth_forget(&on->o);
	}
	return 0;
}

/*
 * What an answer says about the permission perm, needed for what: 403
 * is missing, a temporary failure is unknown, anything else is allowed
 * (the call got past the permission check).
 */
static int
ctl_online_judge(struct ctl_online *on, const char *call,
    const struct http_result *res, const char *perm, const char *what)
{
	if (res->status == 403) {
		ctl_errx("check: genesys.client_id \"%s\" lacks %s, needed %s "
		    "(%s: %s); give the OAuth client a role that has it",
		    on->c->genesys.client_id, perm, what, call, res->error);
		on->missing = 1;
		return -1;
	}
	if (ctl_online_temp(res->status)) {
		ctl_errx("check: %s: %s; try again later", call, res->error);
		on->temp = 1;
		return -1;
	}
	return 0;
}

static void
ctl_online_definitions(struct ctl_online *on)
{
	struct presence_defs d = { NULL, 0 };
	const struct presence_def *p;
	struct http_result res;
	char err[256];
	const char *call = "GET /api/v2/presence/definitions";

	if (ctl_online_call(on, "GET", "/api/v2/presence/definitions", NULL,
	    &res) == -1 ||
	    ctl_online_judge(on, call, &res, "presence:presenceDefinition:view",
	    "to list presence definitions") == -1)
		return;
	if (res.status != 200) {
		ctl_errx("check: %s: %s", call, res.error);
		on->missing = 1;
		return;
	}
	if (presence_parse(dyn_ptr(&on->hc.resp), dyn_len(&on->hc.resp), &d,
	    err, sizeof(err)) == -1) {
		ctl_errx("check: %s: %s", call, err);
		on->temp = 1;
		return;
	}
	if ((p = presence_resolve(&d, "OnQueue", err, sizeof(err))) == NULL) {
		ctl_errx("check: %s: %s", call, err);
		on->missing = 1;
	} else {
		printf("%s: %zu presence definitions, On Queue is %s\n", call,
		    d.n, p->id);
	}
	presence_free(&d);
}

static void
ctl_online_user(struct ctl_online *on, const char *user)
{
	struct http_result res;
	char path[256], call[300];

	snprintf(path, sizeof(path), "/api/v2/users/%s/presences/purecloud",
	    user);
	snprintf(call, sizeof(call), "GET %s", path);
	if (ctl_online_call(on, "GET", path, NULL, &res) == -1 ||
	    ctl_online_judge(on, call, &res, "the right to read users",
	    "to read a user's presence") == -1)
		return;
	if (res.status != 200) {
		ctl_errx("check: %s: %s (is --user an agent of this org?)",
		    call, res.error);
		on->missing = 1;
		return;
	}
	printf("%s: readable\n", call);
}

/* A PATCH whose body sets nothing: 403 or past the permission check. */
static void
ctl_online_probe(struct ctl_online *on, const char *path, const char *body,
    const char *perm, const char *what)
{
	struct http_result res;
	char call[300];

	snprintf(call, sizeof(call), "PATCH %s %s", path, body);
	if (ctl_online_call(on, "PATCH", path, body, &res) == -1 ||
	    ctl_online_judge(on, call, &res, perm, what) == -1)
		return;
	printf("%s: HTTP %ld, so %s is granted\n", call, res.status, perm);
}

int
ctl_check_online(struct conf *c, const char *user, const char *queue)
{
	struct ctl_online on;
	struct http h;
	char err[1024], path[4096];
	int state_fd, have_call = 0;

	memset(&on, 0, sizeof(on));
	on.c = c;
	if (user != NULL && !event_id_valid(user)) {
		ctl_errx("check: --user is not a Genesys id");
		return EXIT_PERM;
	}
	if (queue != NULL && !event_id_valid(queue)) {
		ctl_errx("check: --queue is not a Genesys id");
		return EXIT_PERM;
	}
	if (c->genesys.client_id == NULL || c->genesys.client_id[0] == '\0') {
		ctl_errx("check: %s: genesys.client_id is not set: --online "
		    "needs an OAuth client", c->file);
		return EXIT_PERM;
	}
	if (secret_read_client(c, err, sizeof(err)) == -1) {
		ctl_errx("check: %s", err);
		return EXIT_PERM;
	}
	/* The worker's token cache; without a spool, a token uncached. */
	snprintf(path, sizeof(path), "%s/%s", c->spool_dir.path,
	    spool_dir_name(SPOOL_STATE));
	state_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	oauth_init(&on.o, c, state_fd);
	memset(&h, 0, sizeof(h));
	if (http_global_init(err, sizeof(err)) == -1 ||
	    http_init(&h, c, err, sizeof(err)) == -1 ||
	    http_call_init(&on.hc, &h, HTTP_BODY_MAX, err, sizeof(err)) == -1) {
		ctl_errx("check: %s", err);
		on.temp = 1;
		goto out;
	}
	have_call = 1;

	ctl_online_definitions(&on);
	if (on.temp || on.notoken)
		goto out;
	if (user != NULL)
		ctl_online_user(&on, user);
	snprintf(path, sizeof(path), "/api/v2/users/%s/presences/purecloud",
	    user != NULL ? user : CTL_ONLINE_NOBODY);
	ctl_online_probe(&on, path, "{}", "presence:userPresence:edit",
	    "to set an agent's presence");
	snprintf(path, sizeof(path), "/api/v2/routing/queues/%s/members",
	    queue != NULL ? queue : CTL_ONLINE_NOBODY);
	ctl_online_probe(&on, path, "[]",
	    "routing:queue:edit or routing:queueMember:manage",
	    "to join agents to queues and take them off");
out:
	if (have_call)
		http_call_free(&on.hc);
	http_free(&h);
	http_global_cleanup();
	oauth_free(&on.o);
	if (state_fd != -1)
		close(state_fd);
	if (on.temp)
		return EXIT_TEMP;
	if (on.missing || on.notoken)
		return EXIT_PERM;
	puts("online check OK");
	return EXIT_DONE;
}
