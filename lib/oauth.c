/*
 * oauth: client-credentials tokens for Genesys Cloud (see oauth.h).
 *
 * The token endpoint is asked with one blocking libcurl call (a fetch
 * happens once a day, or after a 401), Basic auth and the form body
 * grant_type=client_credentials.  The cache file SPOOL/state/token holds
 *	{"access_token","expires_at","client_id","login_base"}
 * and is replaced whole, mode 0600, by lib/atomicfile (a temp name made
 * O_EXCL, written, fsync'd, closed, renamed over the old one).  It
 * is only believed when it is a regular file owned by us, not readable by
 * group or others, and names this config's client id and login base.
 *
 * How it fails: OAUTH_TEMP when the endpoint cannot be reached, times out,
 * answers 408, 429 or 5xx, or answers 200 without a usable token;
 * OAUTH_PERM when it refuses the request (any other 4xx: wrong client id
 * or secret, or a login_base that is not a token endpoint).  Each error
 * names the client id and the endpoint, never the secret or a token.  A
 * cache that cannot be written costs a warning and nothing else.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomicfile.h"
#include "err.h"
#include "http.h"
#include "jobject.h"
#include "log.h"
#include "oauth.h"

#define OAUTH_CACHE		"token"
#define OAUTH_CACHE_MAX		(OAUTH_TOKEN_MAX + 2048)
#define OAUTH_RESPONSE_MAX	(OAUTH_TOKEN_MAX + 4096)
#define OAUTH_PATH		"/oauth/token"

void
oauth_init(struct oauth *o, const struct conf *c, int state_fd)
{
	memset(o, 0, sizeof(*o));
	o->conf = c;
	o->state_fd = state_fd;
}

static int
oauth_fresh(time_t expires_at, time_t now)
{
	return expires_at != 0 && expires_at - OAUTH_MARGIN_S > now;
}

/*
 * A token goes into an HTTP header: RFC 6750's b64token characters only,
 * so a hostile or broken answer cannot inject a header line.
 */
static int
oauth_token_valid(const char *t)
{
	size_t i, n = strlen(t);

	if (n == 0 || n >= OAUTH_TOKEN_MAX)
		return 0;
	for (i = 0; i < n; i++) {
		char ch = t[i];

		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~+/=", ch) != NULL))
			return 0;
	}
	return 1;
}

static int
oauth_int(struct json_object *o, const char *key, long long *out)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_int))
		return -1;
	errno = 0;
	*out = (long long)json_object_get_int64(v);
	return errno == 0 ? 0 : -1;
}

static struct json_object *
oauth_parse(const char *buf, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if (len == 0 || len > OAUTH_RESPONSE_MAX)
		return NULL;
	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	o = json_tokener_parse_ex(tok, buf, (int)len);
	json_tokener_free(tok);
	if (o != NULL && !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		o = NULL;
	}
	return o;
}

/* ---- the cache file ---- */

/*
 * The cached token for c into token (OAUTH_TOKEN_MAX bytes): 1 when there
 * is one for this client and login base (fresh or not), 0 when none, -1
 * when the file cannot be read.
 */
static int
oauth_cache_read(const struct conf *c, int state_fd, char *token,
    time_t *expires_at)
{
	struct json_object *o = NULL;
	struct stat st, dst;
	char buf[OAUTH_CACHE_MAX];
	const char *t, *id, *base;
	long long exp;
	ssize_t n;
	size_t len = 0;
	int fd, r = 0;

	fd = openat(state_fd, OAUTH_CACHE, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (fstat(fd, &st) == -1) {
		r = -1;
		goto out;
	}
	/*
	 * Someone else's or a world-readable token is not one we trust;
	 * root (routehookctl) trusts the spool owner's, the owner of state/.
	 */
	if (!S_ISREG(st.st_mode) || (st.st_mode & 077) != 0 ||
	    (st.st_uid != geteuid() && !(geteuid() == 0 &&
	    fstat(state_fd, &dst) == 0 && st.st_uid == dst.st_uid)))
		goto out;
	if ((n = read_all(fd, buf, sizeof(buf))) == -1) {
		r = -1;
		goto out;
	}
	len = (size_t)n;
	if (len == sizeof(buf) || (o = oauth_parse(buf, len)) == NULL)
		goto out;
	t = jobject_str(o, "access_token");
	id = jobject_str(o, "client_id");
	base = jobject_str(o, "login_base");
	if (t == NULL || id == NULL || base == NULL ||
	    oauth_int(o, "expires_at", &exp) == -1 || exp <= 0 ||
	    strcmp(id, c->genesys.client_id) != 0 ||
	    strcmp(base, c->genesys.login_base) != 0 ||
	    !oauth_token_valid(t))
		goto out;
	snprintf(token, OAUTH_TOKEN_MAX, "%s", t);
	*expires_at = (time_t)exp;
	r = 1;
out:
	if (o != NULL)
		json_object_put(o);
	memset(buf, 0, sizeof(buf));
	close(fd);
	return r;
}

/* The cache file's object; NULL when memory runs out. */
static struct json_object *
oauth_cache_json(const struct oauth *o)
{
	const struct conf *c = o->conf;
	struct json_object *j;

	if ((j = json_object_new_object()) == NULL)
		return NULL;
	if (json_object_object_add(j, "access_token",
	    json_object_new_string(o->token)) != 0 ||
	    json_object_object_add(j, "expires_at",
	    json_object_new_int64((int64_t)o->expires_at)) != 0 ||
	    json_object_object_add(j, "client_id",
	    json_object_new_string(c->genesys.client_id)) != 0 ||
	    json_object_object_add(j, "login_base",
	    json_object_new_string(c->genesys.login_base)) != 0) {
		json_object_put(j);
		return NULL;
	}
	return j;
}

static int
oauth_cache_write(struct oauth *o, char *err, size_t errsz)
{
	struct atomicfile af;
	struct json_object *j;
	struct stat st;
	const char *text;
	char why[256];
	int rc = -1;

	if ((j = oauth_cache_json(o)) == NULL ||
	    (text = json_object_to_json_string_ext(j, JSON_C_TO_STRING_PLAIN |
	    JSON_C_TO_STRING_NOSLASHESCAPE)) == NULL) {
		err_set(err, errsz, "out of memory");
		goto out;
	}
	/* Losing the rename to a crash only costs one more fetch. */
	if (atomicfile_begin(&af, o->state_fd, o->state_fd, OAUTH_CACHE, 0600,
	    ATOMICFILE_SYNC_DIR, why, sizeof(why)) == -1 ||
	    atomicfile_put(&af, text, strlen(text), why, sizeof(why)) == -1 ||
	    atomicfile_put(&af, "\n", 1, why, sizeof(why)) == -1 ||
	    atomicfile_commit(&af, why, sizeof(why)) == -1) {
		err_set(err, errsz, "state/%s", why);
		goto out;
	}
	/* Written by root (routehookctl): the spool owner's, as if by it. */
	if (geteuid() == 0 && fstat(o->state_fd, &st) == 0 && st.st_uid != 0 &&
	    fchownat(o->state_fd, OAUTH_CACHE, st.st_uid, st.st_gid,
	    AT_SYMLINK_NOFOLLOW) == -1) {
		err_set_sys(err, errsz, "state/%s: chown", OAUTH_CACHE);
		goto out;
	}
	rc = 0;
out:
	if (j != NULL)
		json_object_put(j);
	return rc;
}

/* ---- the token endpoint ---- */

/* The secret as a C string for CURLOPT_PASSWORD; the caller wipes buf. */
static int
oauth_secret(const struct conf *c, char *buf, size_t bufsz)
{
	const struct secret *s = &c->genesys.client_secret;

	if (s->len == 0 || s->len >= bufsz ||
	    memchr(s->key, '\0', s->len) != NULL)
		return -1;
	memcpy(buf, s->key, s->len);
	buf[s->len] = '\0';
	return 0;
}

/* Take the token out of a 200 answer; -1 if there is no usable one. */
static int
oauth_take(struct oauth *o, const struct dynbuf *b, time_t now)
{
	struct json_object *j;
	const char *t;
	long long ttl;
	int r = -1;

	if (dyn_clipped(b) || (j = oauth_parse(dyn_ptr(b), dyn_len(b))) == NULL)
		return -1;
	t = jobject_str(j, "access_token");
	if (t != NULL && oauth_token_valid(t) &&
	    oauth_int(j, "expires_in", &ttl) == 0 && ttl > 0 &&
	    ttl <= 10L * 365 * 86400) {
		snprintf(o->token, sizeof(o->token), "%s", t);
		o->expires_at = now + (time_t)ttl;
		r = 0;
	}
	json_object_put(j);
	return r;
}

static enum oauth_result
oauth_verdict(struct oauth *o, const struct http_result *res,
    const char *url, char *err, size_t errsz)
{
	const char *id = o->conf->genesys.client_id;

	if (res->status == 0) {
		err_set(err, errsz, "cannot get a token for client id \"%s\" "
		    "from %s: %s", id, url, res->error);
		return OAUTH_TEMP;
	}
	if (res->status >= 400 && res->status <= 499 && res->status != 408 &&
	    res->status != 429) {
		err_set(err, errsz, "token endpoint %s refused client id "
		    "\"%s\": %s (check genesys.client_id and the secret in "
		    "genesys.client_secret_file)", url, id, res->error);
		return OAUTH_PERM;
	}
	err_set(err, errsz, "cannot get a token for client id \"%s\" from "
	    "%s: %s", id, url, res->status == 200 ?
	    "answer 200 without a usable access_token and expires_in" :
	    res->error);
	return OAUTH_TEMP;
}

static enum oauth_result
oauth_fetch(struct oauth *o, char *err, size_t errsz)
{
	const struct conf *c = o->conf;
	struct http h;
	struct http_call hc;
	struct http_result res;
	char url[HTTP_URL_MAX], secret[SECRET_MAX + 1];
	enum oauth_result r = OAUTH_TEMP;
	int have_call = 0;

	memset(&h, 0, sizeof(h));
	if (http_url(url, sizeof(url), c->genesys.login_base, OAUTH_PATH)
	    == -1) {
		err_set(err, errsz, "genesys.login_base is too long");
		return OAUTH_PERM;
	}
	if (oauth_secret(c, secret, sizeof(secret)) == -1) {
		err_set(err, errsz, "no usable client secret for client id "
		    "\"%s\" (genesys.client_secret_file)", c->genesys.client_id);
		return OAUTH_PERM;
	}
	if (http_init(&h, c, err, errsz) == -1) {
		r = OAUTH_PERM;
		goto out;
	}
	if (http_call_init(&hc, &h, OAUTH_RESPONSE_MAX, err, errsz) == -1)
		goto out;
	have_call = 1;
	if (http_call_set(&hc, "POST", url, NULL,
	    "application/x-www-form-urlencoded",
	    "grant_type=client_credentials", err, errsz) == -1)
		goto out;
	if (curl_easy_setopt(hc.easy, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC)
	    != CURLE_OK ||
	    curl_easy_setopt(hc.easy, CURLOPT_USERNAME, c->genesys.client_id)
	    != CURLE_OK ||
	    curl_easy_setopt(hc.easy, CURLOPT_PASSWORD, secret) != CURLE_OK) {
		err_set(err, errsz, "libcurl refused the credentials options");
		goto out;
	}
	http_call_perform(&hc, &res);
	if (res.status == 200 && oauth_take(o, &hc.resp, time(NULL)) == 0) {
		o->fetches++;
		r = OAUTH_OK;
	} else
		r = oauth_verdict(o, &res, url, err, errsz);
	/* The answer held the token: do not leave it in freed memory. */
	dyn_wipe(&hc.resp);
out:
	memset(secret, 0, sizeof(secret));
	if (have_call)
		http_call_free(&hc);
	http_free(&h);
	return r;
}

enum oauth_result
oauth_token(struct oauth *o, int force, const char **token, char *err,
    size_t errsz)
{
	char werr[512];
	time_t now = time(NULL), exp = 0;
	enum oauth_result r;

	*token = NULL;
	if (!force && oauth_fresh(o->expires_at, now)) {
		*token = o->token;
		return OAUTH_OK;
	}
	if (!force && oauth_cache_read(o->conf, o->state_fd, o->token, &exp)
	    == 1 && oauth_fresh(exp, now)) {
		o->expires_at = exp;
		*token = o->token;
		return OAUTH_OK;
	}
	memset(o->token, 0, sizeof(o->token));
	o->expires_at = 0;
	if ((r = oauth_fetch(o, err, errsz)) != OAUTH_OK)
		return r;
	if (oauth_cache_write(o, werr, sizeof(werr)) == -1)
		log_warnx("cannot cache the token: %s", werr);
	*token = o->token;
	return OAUTH_OK;
}

void
oauth_forget(struct oauth *o)
{
	memset(o->token, 0, sizeof(o->token));
	o->expires_at = 0;
	if (unlinkat(o->state_fd, OAUTH_CACHE, 0) == -1 && errno != ENOENT)
		log_warn("cannot remove state/%s", OAUTH_CACHE);
}

int
oauth_cache_state(const struct conf *c, int state_fd, time_t *expires_at)
{
	char token[OAUTH_TOKEN_MAX];
	int r;

	*expires_at = 0;
	r = oauth_cache_read(c, state_fd, token, expires_at);
	memset(token, 0, sizeof(token));
	return r;
}

void
oauth_free(struct oauth *o)
{
	memset(o->token, 0, sizeof(o->token));
	o->expires_at = 0;
}
