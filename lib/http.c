/*
 * http: libcurl handles configured for Genesys Cloud (see http.h).
 *
 * The extra CA bundle is parsed once, in http_init(), into a stack of
 * certificates; every new TLS connection gets them added to its store from
 * CURLOPT_SSL_CTX_FUNCTION, after libcurl has loaded the system's bundle,
 * so the file extends the system's trust instead of replacing it (which
 * CURLOPT_CAINFO would do).  Adding a certificate the store already holds
 * is harmless.
 *
 * CURLOPT_CAPATH is cleared: Debian's libcurl sets /etc/ssl/certs as a
 * default CApath, and with one set libcurl does not cache the parsed
 * system bundle, so every new connection parsed ca-certificates.crt again
 * (about 45 ms of CPU each).  The bundle holds the same certificates.
 *
 * How it fails: http_init() fails on an unreadable or empty CA bundle,
 * naming FILE:LINE of the key; http_call_init() and http_call_set() fail
 * only when memory runs out or libcurl refuses an option (a libcurl built
 * without https).  A failed transfer is not an error here but a result:
 * status 0 and the reason in r->error.
 */
#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "err.h"
#include "http.h"
#include "jobject.h"
#include "vis.h"

/* Bytes of a bearer header: "Authorization: Bearer " + token + NUL. */
#define HTTP_AUTH_MAX	(4096 + 64)

/* ---- global ---- */

int
http_global_init(char *err, size_t errsz)
{
	CURLcode rc;

	rc = curl_global_init(CURL_GLOBAL_DEFAULT);
	if (rc != CURLE_OK) {
		err_set(err, errsz, "libcurl: %s", curl_easy_strerror(rc));
		return -1;
	}
	return 0;
}

void
http_global_cleanup(void)
{
	curl_global_cleanup();
}

/* ---- the shared context: extra CAs ---- */

/*
 * Every certificate in the PEM file at path, in a new stack.  A file with
 * no certificate is an error: an empty ca_file is a mistake, not a choice.
 */
static STACK_OF(X509) *
http_load_ca(const char *path, int *n, char *why, size_t whysz)
{
	STACK_OF(X509) *st = NULL;
	X509 *x;
	BIO *bio = NULL;
	FILE *fp;
	unsigned long e;

	*n = 0;
	if ((fp = fopen(path, "r")) == NULL) {
		err_str(errno, why, whysz);
		return NULL;
	}
	if ((bio = BIO_new_fp(fp, BIO_CLOSE)) == NULL) {
		fclose(fp);
		err_set(why, whysz, "out of memory");
		return NULL;
	}
	if ((st = sk_X509_new_null()) == NULL) {
		err_set(why, whysz, "out of memory");
		goto fail;
	}
	ERR_clear_error();
	while ((x = PEM_read_bio_X509(bio, NULL, NULL, NULL)) != NULL) {
		if (sk_X509_push(st, x) == 0) {
			X509_free(x);
			err_set(why, whysz, "out of memory");
			goto fail;
		}
		(*n)++;
	}
	/* The loop ends on "no start line" at the end of the file. */
	e = ERR_peek_last_error();
	if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM &&
	    ERR_GET_REASON(e) == PEM_R_NO_START_LINE)) {
		err_set(why, whysz, "not a PEM certificate bundle (%s)",
		    ERR_reason_error_string(e) ? ERR_reason_error_string(e) :
		    "unknown error");
		goto fail;
	}
	if (*n == 0) {
		err_set(why, whysz, "no PEM certificate in it");
		goto fail;
	}
	ERR_clear_error();
	BIO_free(bio);
	return st;
fail:
	ERR_clear_error();
	if (st != NULL)
		sk_X509_pop_free(st, X509_free);
	BIO_free(bio);
	*n = 0;
	return NULL;
}

int
http_init(struct http *h, const struct conf *c, char *err, size_t errsz)
{
	const struct conf_path *ca = &c->genesys.ca_file;
	char why[256];
	int n;

	memset(h, 0, sizeof(*h));
	h->conf = c;
	snprintf(h->user_agent, sizeof(h->user_agent), "routehook/%s",
	    ROUTEHOOK_VERSION);
	if (ca->path == NULL || ca->path[0] == '\0')
		return 0;
	h->extra_ca = http_load_ca(ca->path, &n, why, sizeof(why));
	if (h->extra_ca == NULL) {
		if (ca->line > 0)
			err_set(err, errsz, "%s:%d: ca_file %s: %s", c->file,
			    ca->line, ca->path, why);
		else
			err_set(err, errsz, "%s: ca_file %s: %s", c->file,
			    ca->path, why);
		return -1;
	}
	h->nextra_ca = n;
	return 0;
}

void
http_free(struct http *h)
{
	if (h->extra_ca != NULL)
		sk_X509_pop_free((STACK_OF(X509) *)h->extra_ca, X509_free);
	h->extra_ca = NULL;
	h->nextra_ca = 0;
}

/*
 * Called by libcurl for each new TLS connection, once the system's CAs
 * are in the store.  A certificate already there (the store is shared
 * between connections) is not an error.
 */
static CURLcode
http_ssl_ctx(CURL *curl, void *sslctx, void *arg)
{
	struct http *h = arg;
	STACK_OF(X509) *st = h->extra_ca;
	X509_STORE *store;
	int i;

	(void)curl;
	if (st == NULL)
		return CURLE_OK;
	if ((store = SSL_CTX_get_cert_store((SSL_CTX *)sslctx)) == NULL)
		return CURLE_SSL_CERTPROBLEM;
	for (i = 0; i < sk_X509_num(st); i++) {
		if (X509_STORE_add_cert(store, sk_X509_value(st, i)) != 1)
			ERR_clear_error();
	}
	return CURLE_OK;
}

static size_t
http_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct http_call *hc = arg;
	size_t n = size * nmemb;

	/*
	 * Returning less than n aborts the transfer: only when out of
	 * memory.  Past the cap the rest is dropped and the answer read on.
	 */
	if (dyn_add(&hc->resp, p, n) == -1 && errno == ENOMEM)
		return 0;
	return n;
}

/* ---- calls ---- */

#define HTTP_SETOPT(h, opt, val) do {					\
	if ((rc = curl_easy_setopt((h), (opt), (val))) != CURLE_OK)	\
		goto fail;						\
} while (0)

static int
http_setup(struct http_call *hc, char *err, size_t errsz)
{
	const struct conf *c = hc->http->conf;
	CURL *e = hc->easy;
	CURLcode rc;

	HTTP_SETOPT(e, CURLOPT_NOSIGNAL, 1L);
	HTTP_SETOPT(e, CURLOPT_ERRORBUFFER, hc->errbuf);
	HTTP_SETOPT(e, CURLOPT_WRITEFUNCTION, http_write);
	HTTP_SETOPT(e, CURLOPT_WRITEDATA, hc);
	HTTP_SETOPT(e, CURLOPT_PRIVATE, hc);
	HTTP_SETOPT(e, CURLOPT_USERAGENT, hc->http->user_agent);
	HTTP_SETOPT(e, CURLOPT_TIMEOUT_MS, c->genesys.timeout_ms);
	HTTP_SETOPT(e, CURLOPT_CONNECTTIMEOUT_MS, c->genesys.timeout_ms);
	HTTP_SETOPT(e, CURLOPT_PROTOCOLS_STR, "https");
	HTTP_SETOPT(e, CURLOPT_FOLLOWLOCATION, 0L);
	HTTP_SETOPT(e, CURLOPT_SSL_VERIFYPEER, 1L);
	HTTP_SETOPT(e, CURLOPT_SSL_VERIFYHOST, 2L);
	HTTP_SETOPT(e, CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	HTTP_SETOPT(e, CURLOPT_TCP_KEEPALIVE, 1L);
	HTTP_SETOPT(e, CURLOPT_CAPATH, NULL);
	if (hc->http->extra_ca != NULL) {
		HTTP_SETOPT(e, CURLOPT_SSL_CTX_FUNCTION, http_ssl_ctx);
		HTTP_SETOPT(e, CURLOPT_SSL_CTX_DATA, hc->http);
	}
	return 0;
fail:
	err_set(err, errsz, "libcurl: %s", curl_easy_strerror(rc));
	return -1;
}

int
http_call_init(struct http_call *hc, struct http *h, size_t max_body,
    char *err, size_t errsz)
{
	memset(hc, 0, sizeof(*hc));
	hc->http = h;
	dyn_init(&hc->resp, max_body);
	if ((hc->easy = curl_easy_init()) == NULL) {
		err_set(err, errsz, "libcurl: cannot make a handle");
		return -1;
	}
	if (http_setup(hc, err, errsz) == -1) {
		curl_easy_cleanup(hc->easy);
		hc->easy = NULL;
		return -1;
	}
	return 0;
}

static int
http_add_header(struct http_call *hc, const char *line)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(hc->headers, line)) == NULL)
		return -1;
	hc->headers = l;
	return 0;
}

/* The token goes into the header list and nowhere else; the copy is wiped. */
static int
http_add_bearer(struct http_call *hc, const char *bearer)
{
	char line[HTTP_AUTH_MAX];
	int n, r;

	n = snprintf(line, sizeof(line), "Authorization: Bearer %s", bearer);
	if (n < 0 || (size_t)n >= sizeof(line))
		r = -1;
	else
		r = http_add_header(hc, line);
	memset(line, 0, sizeof(line));
	return r;
}

int
http_call_set(struct http_call *hc, const char *method, const char *url,
    const char *bearer, const char *content_type, const char *body,
    char *err, size_t errsz)
{
	char ct[128];
	CURL *e = hc->easy;
	CURLcode rc = CURLE_OK;

	curl_slist_free_all(hc->headers);
	hc->headers = NULL;
	free(hc->body);
	hc->body = NULL;
	dyn_reset(&hc->resp);
	hc->errbuf[0] = '\0';

	if (http_add_header(hc, "Accept: application/json") == -1 ||
	    http_add_header(hc, "Expect:") == -1)
		goto nomem;
	if (content_type != NULL) {
		snprintf(ct, sizeof(ct), "Content-Type: %s", content_type);
		if (http_add_header(hc, ct) == -1)
			goto nomem;
	}
	if (bearer != NULL && http_add_bearer(hc, bearer) == -1)
		goto nomem;

	HTTP_SETOPT(e, CURLOPT_URL, url);
	HTTP_SETOPT(e, CURLOPT_HTTPHEADER, hc->headers);
	if (strcmp(method, "GET") == 0) {
		HTTP_SETOPT(e, CURLOPT_CUSTOMREQUEST, (char *)NULL);
		HTTP_SETOPT(e, CURLOPT_HTTPGET, 1L);
	} else {
		/* libcurl does not copy POSTFIELDS: the call owns the bytes. */
		if ((hc->body = strdup(body != NULL ? body : "")) == NULL)
			goto nomem;
		HTTP_SETOPT(e, CURLOPT_POSTFIELDSIZE, (long)strlen(hc->body));
		HTTP_SETOPT(e, CURLOPT_POSTFIELDS, hc->body);
		HTTP_SETOPT(e, CURLOPT_CUSTOMREQUEST,
		    strcmp(method, "POST") == 0 ? NULL : method);
	}
	return 0;
nomem:
	err_set(err, errsz, "out of memory");
	return -1;
fail:
	err_set(err, errsz, "libcurl: %s", curl_easy_strerror(rc));
	return -1;
}

void
http_call_perform(struct http_call *hc, struct http_result *r)
{
	http_call_result(hc, curl_easy_perform(hc->easy), r);
}

/* The last answer's header name as a count, -1 when absent or bad. */
static long
http_header(struct http_call *hc, const char *name)
{
	struct curl_header *h;

	if (curl_easy_header(hc->easy, name, 0, CURLH_HEADER, -1, &h) !=
	    CURLHE_OK)
		return -1;
	return http_header_count(h->value);
}

void
http_call_result(struct http_call *hc, CURLcode rc, struct http_result *r)
{
	curl_off_t ra = 0;
	long status = 0;

	memset(r, 0, sizeof(*r));
	r->rc = rc;
	r->rl_allowed = r->rl_count = r->rl_reset_s = -1;
	if (rc != CURLE_OK) {
		/*
		 * A transfer cut short has no answer to trust, even when a
		 * status line came: the call is retried (the calls are
		 * idempotent), never taken as applied.
		 */
		snprintf(r->error, sizeof(r->error), "no answer: %.200s",
		    hc->errbuf[0] != '\0' ? hc->errbuf :
		    curl_easy_strerror(rc));
		return;
	}
	if (curl_easy_getinfo(hc->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	r->status = status;
	if (curl_easy_getinfo(hc->easy, CURLINFO_RETRY_AFTER, &ra) == CURLE_OK &&
	    ra > 0)
		r->retry_after_s = ra > 86400 ? 86400 : (long)ra;
	r->rl_allowed = http_header(hc, "inin-ratelimit-allowed");
	r->rl_count = http_header(hc, "inin-ratelimit-count");
	r->rl_reset_s = http_header(hc, "inin-ratelimit-reset");
	if (status < 200 || status > 299)
		http_error_text(status, dyn_ptr(&hc->resp), dyn_len(&hc->resp),
		    r->error, sizeof(r->error));
}

void
http_call_free(struct http_call *hc)
{
	if (hc->easy != NULL)
		curl_easy_cleanup(hc->easy);
	curl_slist_free_all(hc->headers);
	free(hc->body);
	dyn_free(&hc->resp);
	hc->easy = NULL;
	hc->headers = NULL;
	hc->body = NULL;
}

/* ---- pure helpers ---- */

long
http_header_count(const char *value)
{
	long n = 0;

	while (*value == ' ' || *value == '\t')
		value++;
	if (*value < '0' || *value > '9')
		return -1;
	for (; *value >= '0' && *value <= '9'; value++) {
		n = n * 10 + (*value - '0');
		if (n > 1000000000L)
			return -1;
	}
	while (*value == ' ' || *value == '\t')
		value++;
	return *value == '\0' ? n : -1;
}

/* Copy s into out, control characters as spaces: an error is one line. */
static void
http_clean_copy(char *out, size_t outsz, const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = iscntrl((unsigned char)s[i]) ? ' ' : s[i];
	if (outsz > 0)
		out[i] = '\0';
}

void
http_error_text(long status, const char *body, size_t len, char *out,
    size_t outsz)
{
	struct json_tokener *tok;
	struct json_object *o = NULL;
	const char *code = NULL, *msg = NULL;
	char text[HTTP_ERROR_MAX];
	int n;

	if (outsz == 0)
		return;
	n = snprintf(out, outsz, "HTTP %ld", status);
	if (body == NULL || len == 0 || len > (size_t)INT32_MAX ||
	    n < 0 || (size_t)n >= outsz)
		return;
	if ((tok = json_tokener_new()) == NULL)
		return;
	o = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (o == NULL)
		return;
	if (json_object_is_type(o, json_type_object)) {
		code = jobject_str(o, "code");
		msg = jobject_str(o, "message");
		if (code == NULL && msg == NULL) {
			code = jobject_str(o, "error");
			msg = jobject_str(o, "error_description");
			if (msg == NULL)
				msg = jobject_str(o, "description");
		}
	}
	if (code != NULL && code[0] != '\0')
		n += snprintf(out + n, outsz - (size_t)n, " %s", code);
	if (n >= 0 && (size_t)n < outsz && msg != NULL && msg[0] != '\0')
		snprintf(out + n, outsz - (size_t)n, ": %s", msg);
	http_clean_copy(text, sizeof(text), out);
	snprintf(out, outsz, "%s", text);
	/* A message cut at outsz bytes may end in half a character. */
	out[utf8_cut(out, strlen(out))] = '\0';
	json_object_put(o);
}

int
http_url(char *buf, size_t bufsz, const char *base, const char *path)
{
	int n;

	n = snprintf(buf, bufsz, "%s%s", base, path);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return 0;
}
