/*
 * ctl-register: `routehookctl register`: the tutorial's webhook
 * registration, POST {api_base}{genesys.webhook_path} with
 *	{"name","description","targetUrl","eventTypeFilter":[...],
 *	 "enabled":true,"httpMethod":"POST"}
 * under a client-credentials token (lib/oauth, sharing the worker's token
 * cache in SPOOL/state), over lib/http's libcurl setup (TLS verified,
 * genesys.ca_file, genesys.timeout_ms).
 *
 * It prints the new webhook's id and writes the secret the API returns to
 * --secret-out FILE, mode 0600, through a temp file in the same directory
 * that is renamed into place (lib/atomicfile), the directory synced after:
 * the secret never reaches stdout, stderr, argv or a half-written file.
 * An existing non-empty FILE is refused before anything is registered,
 * so a secret is never overwritten and no webhook is created whose secret
 * could not be kept.
 *
 * Real Genesys Cloud has no such API (../shared/GENESYS.md): there it
 * answers 404, and the error says where to look instead.
 *
 * Exit: 0 registered; 1 registered but the secret could not be saved;
 * 100 usage or config error, refused credentials, or the API refusing the
 * request (4xx); 111 the token endpoint or the API unreachable, 429 or
 * 5xx.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <openssl/crypto.h>

#include "atomicfile.h"
#include "ctl.h"
#include "http.h"
#include "oauth.h"
#include "spool.h"

#define CTL_REG_MAX_EVENTS	16
#define CTL_REG_DEFAULT_EVENT	"routing.user.status.update"
#define CTL_REG_DEFAULT_DESC	"Genesys routing events for routehook"

const char ctl_register_usage[] =
"usage: routehookctl [-c FILE] register --url URL [--event TYPE]...\n"
"           [--name NAME] [--description TEXT] [--secret-out FILE]\n"
"\n"
"Register a webhook the tutorial's way: POST {api_base}{webhook_path}\n"
"with a client-credentials token (genesys.client_id and\n"
"genesys.client_secret_file).  Prints the new webhook's id.\n"
"\n"
"  --url URL            the receiver's URL the events are sent to\n"
"  --event TYPE         an event type to receive; may repeat (default\n"
"                       " CTL_REG_DEFAULT_EVENT ")\n"
"  --name NAME          the webhook's name (default routehook)\n"
"  --description TEXT   its description\n"
"  --secret-out FILE    write the returned secret here, mode 0600 (an\n"
"                       existing non-empty FILE is never overwritten);\n"
"                       point receiver.secret_file at it\n"
"\n"
"Real Genesys Cloud orgs have no webhook API (it answers 404): they send\n"
"events through Process Automation or EventBridge (see the README).\n"
"\n"
"exit status: 0 registered, 1 registered but the secret was not saved,\n"
"100 usage, configuration or a refused request, 111 temporary failure\n";

struct ctl_reg {
	const char	*url;
	const char	*events[CTL_REG_MAX_EVENTS];
	int		 nevents;
	const char	*name;
	const char	*description;
	const char	*secret_out;
	struct atomicfile out;		/* the temp file beside secret_out */
};

static int
ctl_reg_opts(struct ctl_reg *r, int argc, char **argv)
{
	enum { OPT_URL = CTL_OPT_LONG, OPT_EVENT, OPT_NAME, OPT_DESC,
	    OPT_OUT };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "url", required_argument, NULL, OPT_URL },
		{ "event", required_argument, NULL, OPT_EVENT },
		{ "name", required_argument, NULL, OPT_NAME },
		{ "description", required_argument, NULL, OPT_DESC },
		{ "secret-out", required_argument, NULL, OPT_OUT },
		{ NULL, 0, NULL, 0 }
	};
	int o;

	while ((o = ctl_getopt("register", argc, argv, ":h", opts)) != -1) {
		if (o == 'h')
			return 1;
		else if (o == OPT_URL)
			r->url = optarg;
		else if (o == OPT_NAME)
			r->name = optarg;
		else if (o == OPT_DESC)
			r->description = optarg;
		else if (o == OPT_OUT)
			r->secret_out = optarg;
		else if (o == OPT_EVENT) {
			if (r->nevents == CTL_REG_MAX_EVENTS) {
				ctl_errx("register: at most %d --event",
				    CTL_REG_MAX_EVENTS);
				return -1;
			}
			r->events[r->nevents++] = optarg;
		} else
			return -1;
	}
	if (optind < argc) {
		ctl_errx("register: unexpected argument %s", argv[optind]);
		return -1;
	}
	if (r->url == NULL || (strncmp(r->url, "http://", 7) != 0 &&
	    strncmp(r->url, "https://", 8) != 0)) {
		ctl_errx("register: --url must give the receiver's http:// or "
		    "https:// URL");
		return -1;
	}
	if (r->name[0] == '\0' || (r->secret_out != NULL &&
	    r->secret_out[0] == '\0')) {
		ctl_errx("register: empty --name or --secret-out");
		return -1;
	}
	if (r->nevents == 0)
		r->events[r->nevents++] = CTL_REG_DEFAULT_EVENT;
	return 0;
}

/*
 * Before anything is registered: refuse a non-empty FILE, and make the
 * temp file the secret will be written to, so that a directory we cannot
 * write fails now rather than after the webhook exists.
 */
static int
ctl_reg_prepare_out(struct ctl_reg *r)
{
	struct stat st;
	char why[2 * ATOMICFILE_PATH_MAX];

	if (r->secret_out == NULL)
		return 0;
	if (stat(r->secret_out, &st) == 0 &&
	    (!S_ISREG(st.st_mode) || st.st_size > 0)) {
		ctl_errx("register: --secret-out %s exists and is not an empty "
		    "file: refusing to overwrite it", r->secret_out);
		return -1;
	}
	if (atomicfile_begin(&r->out, AT_FDCWD, AT_FDCWD, r->secret_out, 0600,
	    ATOMICFILE_SYNC_DIR, why, sizeof(why)) == -1) {
		ctl_errx("register: --secret-out %s", why);
		return -1;
	}
	return 0;
}

/*
 * The secret and a newline into the temp file, then renamed into place,
 * the directory synced too: a secret lost to a crash is a lost hook.
 */
static int
ctl_reg_write_secret(struct ctl_reg *r, const char *secret, size_t len)
{
	struct stat st;
	char why[2 * ATOMICFILE_PATH_MAX];

	if (atomicfile_put(&r->out, secret, len, why, sizeof(why)) == -1 ||
	    atomicfile_put(&r->out, "\n", 1, why, sizeof(why)) == -1) {
		ctl_errx("register: --secret-out %s", why);
		return -1;
	}
	/* Someone filled it while we talked to the API: still theirs. */
	if (stat(r->secret_out, &st) == 0 && st.st_size > 0) {
		ctl_errx("register: %s is no longer empty: not overwritten",
		    r->secret_out);
		atomicfile_abort(&r->out);
		return -1;
	}
	if (atomicfile_commit(&r->out, why, sizeof(why)) == -1) {
		ctl_errx("register: --secret-out %s", why);
		return -1;
	}
	return 0;
}

static char *
ctl_reg_body(const struct ctl_reg *r, const char *target)
{
	struct json_object *o, *events;
	const char *s;
	char *body = NULL;
	int bad = 0, k;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	ctl_jset(o, "name", json_object_new_string(r->name), &bad);
	ctl_jset(o, "description", json_object_new_string(r->description),
	    &bad);
	ctl_jset(o, "targetUrl", json_object_new_string(target), &bad);
	if ((events = json_object_new_array()) == NULL)
		bad = 1;
	ctl_jset(o, "eventTypeFilter", events, &bad);
	for (k = 0; !bad && k < r->nevents; k++)
		if (json_object_array_add(events,
		    json_object_new_string(r->events[k])) != 0)
			bad = 1;
	ctl_jset(o, "enabled", json_object_new_boolean(1), &bad);
	ctl_jset(o, "httpMethod", json_object_new_string("POST"), &bad);
	if (!bad && (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE)) != NULL)
		body = strdup(s);
	json_object_put(o);
	return body;
}

/* One POST; with a 401, one more with a fresh token. */
static int
ctl_reg_post(struct oauth *o, struct http_call *hc, const char *url,
    const char *body, struct http_result *res)
{
	const char *token;
	char err[1024];
	enum oauth_result t;
	int force;

	for (force = 0; force < 2; force++) {
		if ((t = oauth_token(o, force, &token, err, sizeof(err))) !=
		    OAUTH_OK) {
			ctl_errx("register: %s", err);
			return t == OAUTH_TEMP ? EXIT_TEMP : EXIT_PERM;
		}
		if (http_call_set(hc, "POST", url, token, "application/json",
		    body, err, sizeof(err)) == -1) {
			ctl_errx("register: %s", err);
			return EXIT_TEMP;
		}
		http_call_perform(hc, res);
		if (res->status != 401)
			break;
		oauth_forget(o);
	}
	return EXIT_DONE;
}

static int
ctl_reg_answer(struct ctl_reg *r, struct http_call *hc,
    const struct http_result *res, const char *url)
{
	struct json_object *o = NULL, *v;
	const char *id = NULL, *secret = NULL;
	int rc = EXIT_FOUND;

	if (res->status < 200 || res->status > 299) {
		ctl_errx("register: POST %s: %s%s", url, res->error,
		    res->status == 404 ? " (real Genesys Cloud has no webhook "
		    "API: use Process Automation or EventBridge, see the "
		    "README)" : "");
		return res->status == 0 || res->status == 408 ||
		    res->status == 429 || res->status >= 500 ? EXIT_TEMP :
		    EXIT_PERM;
	}
	if (dyn_len(&hc->resp) > 0)
		o = json_tokener_parse(dyn_ptr(&hc->resp));
	if (o != NULL && json_object_object_get_ex(o, "id", &v) &&
	    json_object_is_type(v, json_type_string))
		id = json_object_get_string(v);
	if (o != NULL && json_object_object_get_ex(o, "secret", &v) &&
	    json_object_is_type(v, json_type_string) &&
	    json_object_get_string_len(v) > 0)
		secret = json_object_get_string(v);
	if (id == NULL) {
		ctl_errx("register: POST %s: HTTP %ld without a webhook id",
		    url, res->status);
		goto out;
	}
	printf("%s\n", id);
	if (r->secret_out == NULL) {
		if (secret != NULL)
			ctl_errx("register: the webhook's secret was not saved "
			    "(give --secret-out FILE)");
		rc = EXIT_DONE;
	} else if (secret == NULL)
		ctl_errx("register: webhook %s: the answer has no secret: "
		    "%s not written", id, r->secret_out);
	else if (ctl_reg_write_secret(r, secret, strlen(secret)) == 0)
		rc = EXIT_DONE;
out:
	/* json-c's copy of the secret: wiped before it is freed. */
	if (secret != NULL)
		OPENSSL_cleanse((void *)(uintptr_t)secret, strlen(secret));
	if (o != NULL)
		json_object_put(o);
	return rc;
}

static int
ctl_reg_run(struct ctl_reg *r, struct conf *c)
{
	struct oauth o;
	struct http h;
	struct http_call hc;
	struct http_result res;
	struct spool sp;
	char err[1024], url[HTTP_URL_MAX], *body = NULL;
	int have_spool, rc = EXIT_PERM, have_call = 0;

	if (http_url(url, sizeof(url), c->genesys.api_base,
	    c->genesys.webhook_path) == -1) {
		ctl_errx("register: genesys.api_base is too long");
		return EXIT_PERM;
	}
	if ((body = ctl_reg_body(r, r->url)) == NULL) {
		ctl_errx("register: out of memory");
		return EXIT_TEMP;
	}
	/* The worker's token cache; without a spool, a token uncached. */
	have_spool = spool_open(&sp, c->spool_dir.path, 0, c->receiver.fsync,
	    err, sizeof(err)) == 0;
	oauth_init(&o, c, have_spool ? sp.fd[SPOOL_STATE] : -1);
	memset(&h, 0, sizeof(h));
	if (http_global_init(err, sizeof(err)) == -1 ||
	    http_init(&h, c, err, sizeof(err)) == -1 ||
	    http_call_init(&hc, &h, HTTP_BODY_MAX, err, sizeof(err)) == -1) {
		ctl_errx("register: %s", err);
		goto out;
	}
	have_call = 1;
	if ((rc = ctl_reg_post(&o, &hc, url, body, &res)) == EXIT_DONE)
		rc = ctl_reg_answer(r, &hc, &res, url);
	/* The answer held the secret. */
	dyn_wipe(&hc.resp);
out:
	if (have_call)
		http_call_free(&hc);
	http_free(&h);
	http_global_cleanup();
	oauth_free(&o);
	if (have_spool)
		spool_close(&sp);
	free(body);
	return rc;
}

int
ctl_register(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_reg r;
	struct conf *c = &ctl->conf;
	char err[4096];
	int rc;

	memset(&r, 0, sizeof(r));
	r.out.fd = -1;
	r.name = "routehook";
	r.description = CTL_REG_DEFAULT_DESC;
	if ((rc = ctl_reg_opts(&r, argc, argv)) != 0)
		return ctl_usage(ctl_register_usage, rc == 1 ? EXIT_DONE :
		    EXIT_PERM);
	if (ctl_conf_load(ctl) == -1)
		return EXIT_PERM;
	if (c->genesys.client_id == NULL || c->genesys.client_id[0] == '\0') {
		ctl_errx("register: %s: genesys.client_id is not set",
		    c->file);
		return EXIT_PERM;
	}
	if (secret_read_client(c, err, sizeof(err)) == -1) {
		ctl_errx("%s", err);
		return EXIT_PERM;
	}
	if (ctl_reg_prepare_out(&r) == -1)
		return EXIT_PERM;
	rc = ctl_reg_run(&r, c);
	/* Nothing to remove once the secret is in place. */
	atomicfile_abort(&r.out);
	return rc;
}
