/*
 * etcd: a client of etcd's v3 JSON gateway (see etcd.h).
 *
 * The gateway is grpc-gateway in front of etcd's gRPC API: a failed call
 * answers an HTTP status mapped from the gRPC code (503 for Unavailable,
 * 404 for NotFound, ...) with {"error","message","code"}; fields equal to
 * their zero value are left out of an answer ("succeeded" when false,
 * "kvs" and "count" when none, "TTL" when expired); 64-bit numbers are
 * strings.  A streaming call (lease keepalive) wraps each message in
 * {"result": ...}; one request in the body gets one message back.
 *
 * How it fails: an endpoint that does not answer, or answers that it
 * cannot serve, is left for the next; when every endpoint failed or the
 * deadline passed, the call fails with the last reason.  Nothing is
 * retried on the same endpoint: the caller decides when to try again.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <openssl/evp.h>

#include "etcd.h"
#include "err.h"
#include "msclock.h"

/* ---- pure: base64 ---- */

int
etcd_b64(char *out, size_t outsz, const void *in, size_t n)
{
	if (n > (size_t)(1 << 20) || (n + 2) / 3 * 4 + 1 > outsz)
		return -1;
	return EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

int
etcd_unb64(char *out, size_t outsz, const char *in, size_t n)
{
	unsigned char *tmp;
	size_t pad = 0, i;
	int len;

	if (n % 4 != 0 || n > (size_t)(1 << 20))
		return -1;
	for (i = 0; i < n; i++)
		if (in[i] == ' ' || in[i] == '\n' || in[i] == '\t' ||
		    in[i] == '\r')
			return -1;	/* EVP_DecodeBlock would skip these */
	if (n > 0 && in[n - 1] == '=')
		pad++;
	if (n > 1 && in[n - 2] == '=')
		pad++;
	if (n / 4 * 3 - pad + 1 > outsz)
		return -1;
	if ((tmp = malloc(n / 4 * 3 + 1)) == NULL)
		return -1;
	/* EVP_DecodeBlock counts each '=' as a zero byte: take them off. */
	len = EVP_DecodeBlock(tmp, (const unsigned char *)in, (int)n);
	if (len < 0 || (size_t)len < pad) {
		free(tmp);
		return -1;
	}
	len -= (int)pad;
	memcpy(out, tmp, (size_t)len);
	out[len] = '\0';
	free(tmp);
	if (strlen(out) != (size_t)len)
		return -1;	/* a NUL inside: not one of our texts */
	return len;
}

/* ---- pure: requests ---- */

/* "<name>":"<base64 of s>" into buf at *off; -1 when it does not fit. */
static int
etcd_field(char *buf, size_t bufsz, size_t *off, const char *name,
    const char *s, size_t n)
{
	char enc[ETCD_REQ_MAX];
	int len;

	if (etcd_b64(enc, sizeof(enc), s, n) == -1)
		return -1;
	len = snprintf(buf + *off, bufsz - *off, "\"%s\":\"%s\"", name, enc);
	if (len < 0 || (size_t)len >= bufsz - *off)
		return -1;
	*off += (size_t)len;
	return 0;
}

static int
etcd_lit(char *buf, size_t bufsz, size_t *off, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int
etcd_lit(char *buf, size_t bufsz, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int len;

	if (*off >= bufsz)
		return -1;
	va_start(ap, fmt);
	len = vsnprintf(buf + *off, bufsz - *off, fmt, ap);
	va_end(ap);
	if (len < 0 || (size_t)len >= bufsz - *off)
		return -1;
	*off += (size_t)len;
	return 0;
}

/*
 * The end of the range of keys starting with key: key with its last
 * byte raised by one (bytes 0xff are dropped first, as etcdctl does).
 */
static size_t
etcd_prefix_end(char *end, size_t endsz, const char *key)
{
	size_t n = strlen(key);

	if (n >= endsz)
		return 0;
	memcpy(end, key, n);
	while (n > 0 && (unsigned char)end[n - 1] == 0xff)
		n--;
	if (n == 0) {		/* every key: etcd's "\0" */
		end[0] = '\0';
		return 1;
	}
	end[n - 1] = (char)((unsigned char)end[n - 1] + 1);
	return n;
}

/* "key":..., and "range_end":... for a prefix. */
static int
etcd_keyrange(char *buf, size_t bufsz, size_t *off, const char *key,
    int prefix)
{
	char end[ETCD_KEY_MAX];
	size_t n;

	if (strlen(key) >= ETCD_KEY_MAX ||
	    etcd_field(buf, bufsz, off, "key", key, strlen(key)) == -1)
		return -1;
	if (!prefix)
		return 0;
	if ((n = etcd_prefix_end(end, sizeof(end), key)) == 0)
		return -1;
	if (etcd_lit(buf, bufsz, off, ",") == -1 ||
	    etcd_field(buf, bufsz, off, "range_end", end, n) == -1)
		return -1;
	return 0;
}

int
etcd_req_range(char *buf, size_t bufsz, const char *key, int prefix,
    long limit)
{
	size_t off = 0;

	if (etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_keyrange(buf, bufsz, &off, key, prefix) == -1 ||
	    (limit > 0 &&
	    etcd_lit(buf, bufsz, &off, ",\"limit\":\"%ld\"", limit) == -1) ||
	    etcd_lit(buf, bufsz, &off, "}") == -1)
		return -1;
	return (int)off;
}

/* The members of a put, without braces. */
static int
etcd_put_fields(char *buf, size_t bufsz, size_t *off, const char *key,
    const char *value, long long lease)
{
	if (strlen(key) >= ETCD_KEY_MAX || strlen(value) >= ETCD_VALUE_MAX ||
	    etcd_field(buf, bufsz, off, "key", key, strlen(key)) == -1 ||
	    etcd_lit(buf, bufsz, off, ",") == -1 ||
	    etcd_field(buf, bufsz, off, "value", value, strlen(value)) == -1)
		return -1;
	if (lease != 0 &&
	    etcd_lit(buf, bufsz, off, ",\"lease\":\"%lld\"", lease) == -1)
		return -1;
	return 0;
}

int
etcd_req_put(char *buf, size_t bufsz, const char *key, const char *value,
    long long lease)
{
	size_t off = 0;

	if (etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_put_fields(buf, bufsz, &off, key, value, lease) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}") == -1)
		return -1;
	return (int)off;
}

/* "compare":[ key's mod_revision is mod_rev, or key absent for 0 ], */
static int
etcd_compare(char *buf, size_t bufsz, size_t *off, const char *key,
    long long mod_rev)
{
	if (etcd_lit(buf, bufsz, off, "\"compare\":[{") == -1 ||
	    etcd_field(buf, bufsz, off, "key", key, strlen(key)) == -1)
		return -1;
	if (mod_rev == 0)
		return etcd_lit(buf, bufsz, off, ",\"target\":\"CREATE\","
		    "\"result\":\"EQUAL\",\"create_revision\":\"0\"}],");
	return etcd_lit(buf, bufsz, off, ",\"target\":\"MOD\","
	    "\"result\":\"EQUAL\",\"mod_revision\":\"%lld\"}],", mod_rev);
}

int
etcd_req_cas(char *buf, size_t bufsz, const char *key, long long mod_rev,
    const char *value, long long lease)
{
	size_t off = 0;

	if (strlen(key) >= ETCD_KEY_MAX || mod_rev < 0 ||
	    etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_compare(buf, bufsz, &off, key, mod_rev) == -1 ||
	    etcd_lit(buf, bufsz, &off, "\"success\":[{\"request_put\":{") == -1 ||
	    etcd_put_fields(buf, bufsz, &off, key, value, lease) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}],\"failure\":[{\"request_range\":{")
	    == -1 ||
	    etcd_keyrange(buf, bufsz, &off, key, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}]}") == -1)
		return -1;
	return (int)off;
}

int
etcd_req_acquire_read(char *buf, size_t bufsz, const char *lock,
    const char *value, long long lease, const char *key)
{
	size_t off = 0;

	if (strlen(lock) >= ETCD_KEY_MAX || strlen(key) >= ETCD_KEY_MAX ||
	    etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_compare(buf, bufsz, &off, lock, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "\"success\":[{\"request_put\":{") == -1 ||
	    etcd_put_fields(buf, bufsz, &off, lock, value, lease) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}},{\"request_range\":{") == -1 ||
	    etcd_keyrange(buf, bufsz, &off, key, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}],\"failure\":[{\"request_range\":{")
	    == -1 ||
	    etcd_keyrange(buf, bufsz, &off, lock, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}},{\"request_range\":{") == -1 ||
	    etcd_keyrange(buf, bufsz, &off, key, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}]}") == -1)
		return -1;
	return (int)off;
}

int
etcd_req_delete(char *buf, size_t bufsz, const char *key, long long mod_rev)
{
	size_t off = 0;

	if (strlen(key) >= ETCD_KEY_MAX || mod_rev < 0)
		return -1;
	if (mod_rev == 0) {
		if (etcd_lit(buf, bufsz, &off, "{") == -1 ||
		    etcd_keyrange(buf, bufsz, &off, key, 0) == -1 ||
		    etcd_lit(buf, bufsz, &off, "}") == -1)
			return -1;
		return (int)off;
	}
	if (etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_compare(buf, bufsz, &off, key, mod_rev) == -1 ||
	    etcd_lit(buf, bufsz, &off,
	    "\"success\":[{\"request_delete_range\":{") == -1 ||
	    etcd_keyrange(buf, bufsz, &off, key, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}]}") == -1)
		return -1;
	return (int)off;
}

int
etcd_req_put_release(char *buf, size_t bufsz, const char *lock,
    long long lock_rev, const char *key, const char *value)
{
	size_t off = 0;

	if (strlen(lock) >= ETCD_KEY_MAX || lock_rev <= 0 ||
	    etcd_lit(buf, bufsz, &off, "{") == -1 ||
	    etcd_compare(buf, bufsz, &off, lock, lock_rev) == -1 ||
	    etcd_lit(buf, bufsz, &off, "\"success\":[{\"request_put\":{") == -1 ||
	    etcd_put_fields(buf, bufsz, &off, key, value, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}},{\"request_delete_range\":{") == -1 ||
	    etcd_keyrange(buf, bufsz, &off, lock, 0) == -1 ||
	    etcd_lit(buf, bufsz, &off, "}}]}") == -1)
		return -1;
	return (int)off;
}

int
etcd_req_lease(char *buf, size_t bufsz, const char *field, long long n)
{
	size_t off = 0;

	if (etcd_lit(buf, bufsz, &off, "{\"%s\":\"%lld\"}", field, n) == -1)
		return -1;
	return (int)off;
}

/* ---- pure: answers ---- */

void
etcd_answer_init(struct etcd_answer *a, struct etcd_kv *kvs, size_t maxkvs)
{
	memset(a, 0, sizeof(*a));
	a->kvs = kvs;
	a->maxkvs = maxkvs;
}

/* A 64-bit member, a string of digits as the gateway writes them (or a number). */
static int
etcd_num(struct json_object *o, const char *name, long long *out)
{
	struct json_object *v;
	const char *s;
	char *end;

	*out = 0;
	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		*out = json_object_get_int64(v);
		return 0;
	}
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	errno = 0;
	*out = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *end != '\0')
		return -1;
	return 0;
}

/* A base64 member into out; absent is "". */
static int
etcd_text(struct json_object *o, const char *name, char *out, size_t outsz)
{
	struct json_object *v;
	const char *s;

	out[0] = '\0';
	if (!json_object_object_get_ex(o, name, &v))
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return -1;
	s = json_object_get_string(v);
	return etcd_unb64(out, outsz, s, strlen(s)) == -1 ? -1 : 0;
}

static int
etcd_kvs(struct json_object *o, struct etcd_answer *a, char *err,
    size_t errsz)
{
	struct json_object *arr, *kv;
	struct etcd_kv *k;
	size_t i, n;
	long long count;

	if (etcd_num(o, "count", &count) == -1)
		goto bad;
	a->count += count;
	if (!json_object_object_get_ex(o, "kvs", &arr))
		return 0;
	if (!json_object_is_type(arr, json_type_array))
		goto bad;
	n = json_object_array_length(arr);
	for (i = 0; i < n && a->nkvs < a->maxkvs; i++) {
		kv = json_object_array_get_idx(arr, i);
		k = &a->kvs[a->nkvs];
		if (!json_object_is_type(kv, json_type_object) ||
		    etcd_text(kv, "key", k->key, sizeof(k->key)) == -1 ||
		    etcd_text(kv, "value", k->value, sizeof(k->value)) == -1 ||
		    etcd_num(kv, "create_revision", &k->create_rev) == -1 ||
		    etcd_num(kv, "mod_revision", &k->mod_rev) == -1 ||
		    etcd_num(kv, "lease", &k->lease) == -1) {
			err_set(err, errsz, "a key or value that is not "
			    "routehook's (not text, or over %d bytes)",
			    ETCD_VALUE_MAX - 1);
			return -1;
		}
		a->nkvs++;
	}
	return 0;
bad:
	err_set(err, errsz, "a range answer of an unexpected shape");
	return -1;
}

/* Every response_range of a txn's responses, in order. */
static int
etcd_txn(struct json_object *o, struct etcd_answer *a, char *err,
    size_t errsz)
{
	struct json_object *arr, *r, *rr;
	size_t i, n;

	if (json_object_object_get_ex(o, "succeeded", &r))
		a->succeeded = json_object_get_boolean(r);
	if (!json_object_object_get_ex(o, "responses", &arr) ||
	    !json_object_is_type(arr, json_type_array))
		return 0;
	n = json_object_array_length(arr);
	for (i = 0; i < n; i++) {
		r = json_object_array_get_idx(arr, i);
		if (json_object_is_type(r, json_type_object) &&
		    json_object_object_get_ex(r, "response_range", &rr) &&
		    json_object_is_type(rr, json_type_object) &&
		    etcd_kvs(rr, a, err, errsz) == -1)
			return -1;
	}
	return 0;
}

int
etcd_parse(const char *body, size_t len, struct etcd_answer *a, char *err,
    size_t errsz)
{
	struct json_tokener *tok;
	struct json_object *root, *o, *v, *h;
	long long code;
	int rc = -1;

	a->revision = a->lease_id = a->ttl = a->count = 0;
	a->succeeded = a->code = 0;
	a->nkvs = 0;
	a->error[0] = '\0';
	if ((tok = json_tokener_new()) == NULL) {
		err_set(err, errsz, "out of memory");
		return -1;
	}
	root = o = json_tokener_parse_ex(tok, body, (int)len);
	json_tokener_free(tok);
	if (o == NULL || !json_object_is_type(o, json_type_object)) {
		err_set(err, errsz, "an answer that is not a JSON object");
		goto done;
	}
	/*
	 * A streaming call's message is {"result":...}; the error that ends
	 * a stream is {"error":{"grpc_code","message",...}}.
	 */
	if (json_object_object_get_ex(o, "result", &v) &&
	    json_object_is_type(v, json_type_object))
		o = v;
	else if (json_object_object_get_ex(o, "error", &v) &&
	    json_object_is_type(v, json_type_object))
		o = v;
	if ((json_object_object_get_ex(o, "code", &v) ||
	    json_object_object_get_ex(o, "grpc_code", &v)) &&
	    json_object_object_get_ex(o, "message", &h)) {
		code = json_object_get_int64(v);
		/* 2 is gRPC's Unknown: an error whose code we cannot read. */
		a->code = code > 0 && code < 100 ? (int)code : 2;
		snprintf(a->error, sizeof(a->error), "%s",
		    json_object_get_string(h));
		rc = 0;
		goto done;
	}
	if (json_object_object_get_ex(o, "header", &h) &&
	    etcd_num(h, "revision", &a->revision) == -1) {
		err_set(err, errsz, "an answer with a bad header revision");
		goto done;
	}
	if (etcd_num(o, "ID", &a->lease_id) == -1 ||
	    etcd_num(o, "TTL", &a->ttl) == -1) {
		err_set(err, errsz, "a lease answer of an unexpected shape");
		goto done;
	}
	if (etcd_kvs(o, a, err, errsz) == -1 || etcd_txn(o, a, err, errsz) == -1)
		goto done;
	rc = 0;
done:
	json_object_put(root);
	return rc;
}

int
etcd_failover(long status, int code)
{
	if (status == 0 || status >= 500)
		return 1;
	return code == ETCD_CODE_UNAVAILABLE ||
	    code == ETCD_CODE_DEADLINE_EXCEEDED;
}

/* ---- I/O ---- */

static size_t
etcd_write(char *p, size_t size, size_t nmemb, void *arg)
{
	struct etcd *e = arg;
	size_t n = size * nmemb;

	/* Past the cap: kept clipped, and refused once the answer is in. */
	if (dyn_add(&e->resp, p, n) == -1 && errno != E2BIG)
		return 0;
	return n;
}

#define ETCD_SETOPT(opt, val) do {					\
	if ((rc = curl_easy_setopt(e->easy, (opt), (val))) != CURLE_OK)	\
		goto fail;						\
} while (0)

int
etcd_open(struct etcd *e, const struct etcd_opts *o, char *err, size_t errsz)
{
	CURLcode rc = CURLE_OK;
	size_t i;

	memset(e, 0, sizeof(*e));
	dyn_init(&e->resp, ETCD_BODY_MAX);
	if (o->nendpoints == 0 || o->nendpoints > ETCD_ENDPOINTS_MAX) {
		err_set(err, errsz, "etcd: between 1 and %d endpoints, not %zu",
		    ETCD_ENDPOINTS_MAX, o->nendpoints);
		return -1;
	}
	for (i = 0; i < o->nendpoints; i++) {
		if ((e->endpoints[i] = strdup(o->endpoints[i])) == NULL) {
			err_set(err, errsz, "etcd: out of memory");
			goto out;
		}
		e->nendpoints++;
	}
	e->timeout_ms = o->timeout_ms > 0 ? o->timeout_ms : 2000;
	if ((e->easy = curl_easy_init()) == NULL ||
	    (e->headers = curl_slist_append(NULL,
	    "Content-Type: application/json")) == NULL) {
		err_set(err, errsz, "etcd: cannot set up libcurl");
		goto out;
	}
	ETCD_SETOPT(CURLOPT_NOSIGNAL, 1L);
	ETCD_SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	ETCD_SETOPT(CURLOPT_FOLLOWLOCATION, 0L);
	ETCD_SETOPT(CURLOPT_HTTPHEADER, e->headers);
	ETCD_SETOPT(CURLOPT_WRITEFUNCTION, etcd_write);
	ETCD_SETOPT(CURLOPT_WRITEDATA, e);
	ETCD_SETOPT(CURLOPT_ERRORBUFFER, e->errbuf);
	ETCD_SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	ETCD_SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	ETCD_SETOPT(CURLOPT_USERAGENT, "routehook/" ROUTEHOOK_VERSION);
	if (o->ca_file != NULL && o->ca_file[0] != '\0') {
		ETCD_SETOPT(CURLOPT_CAINFO, o->ca_file);
		ETCD_SETOPT(CURLOPT_CAPATH, NULL);
	}
	if (o->cert_file != NULL && o->cert_file[0] != '\0')
		ETCD_SETOPT(CURLOPT_SSLCERT, o->cert_file);
	if (o->key_file != NULL && o->key_file[0] != '\0')
		ETCD_SETOPT(CURLOPT_SSLKEY, o->key_file);
	return 0;
fail:
	err_set(err, errsz, "etcd: libcurl: %s", curl_easy_strerror(rc));
out:
	etcd_close(e);
	return -1;
}

void
etcd_close(struct etcd *e)
{
	size_t i;

	if (e->easy != NULL)
		curl_easy_cleanup(e->easy);
	curl_slist_free_all(e->headers);
	dyn_free(&e->resp);
	for (i = 0; i < e->nendpoints; i++)
		free(e->endpoints[i]);
	memset(e, 0, sizeof(*e));
}

/*
 * POST body to path at each endpoint in turn until one answers for good:
 * 0 with a filled (a->code may hold a final error), -1 when none did.
 */
static int
etcd_call(struct etcd *e, const char *path, const char *body,
    struct etcd_answer *a, char *err, size_t errsz)
{
	char url[HTTP_URL_MAX], why[ETCD_ERROR_MAX];
	long long deadline = msclock_mono() + e->timeout_ms, left;
	long status;
	size_t tried, i;
	CURLcode rc;

	err_set(err, errsz, "etcd: no endpoint tried");
	for (tried = 0; tried < e->nendpoints; tried++) {
		i = (e->cur + tried) % e->nendpoints;
		if ((left = deadline - msclock_mono()) <= 0) {
			err_set(err, errsz, "etcd: no answer within %ld ms "
			    "(%zu of %zu endpoints tried)", e->timeout_ms,
			    tried, e->nendpoints);
			return -1;
		}
		if (http_url(url, sizeof(url), e->endpoints[i], path) == -1) {
			err_set(err, errsz, "etcd %s: URL too long",
			    e->endpoints[i]);
			return -1;
		}
		dyn_reset(&e->resp);
		e->errbuf[0] = '\0';
		status = 0;
		if (curl_easy_setopt(e->easy, CURLOPT_URL, url) != CURLE_OK ||
		    curl_easy_setopt(e->easy, CURLOPT_POSTFIELDS, body) !=
		    CURLE_OK ||
		    curl_easy_setopt(e->easy, CURLOPT_TIMEOUT_MS, (long)left) !=
		    CURLE_OK) {
			err_set(err, errsz, "etcd: libcurl refused an option");
			return -1;
		}
		rc = curl_easy_perform(e->easy);
		if (rc == CURLE_OK)
			curl_easy_getinfo(e->easy, CURLINFO_RESPONSE_CODE,
			    &status);
		if (rc != CURLE_OK) {
			err_set(err, errsz, "etcd %s: no answer: %s",
			    e->endpoints[i], e->errbuf[0] ? e->errbuf :
			    curl_easy_strerror(rc));
			continue;
		}
		if (dyn_clipped(&e->resp)) {
			err_set(err, errsz, "etcd %s: answer over %d bytes",
			    e->endpoints[i], ETCD_BODY_MAX);
			return -1;
		}
		if (etcd_parse(dyn_ptr(&e->resp), dyn_len(&e->resp),
		    a, why, sizeof(why)) == -1) {
			err_set(err, errsz, "etcd %s: HTTP %ld: %s",
			    e->endpoints[i], status, why);
			if (status >= 500)
				continue;
			return -1;
		}
		e->cur = i;
		if (a->code == 0 && status == 200) {
			err[0] = '\0';
			return 0;
		}
		err_set(err, errsz, "etcd %s: %s", e->endpoints[i],
		    a->error[0] ? a->error : "HTTP error");
		if (a->code == 0)
			a->code = 2;
		if (!etcd_failover(status, a->code))
			return 0;
	}
	return -1;
}

/* etcd_call for an answer that must not be an error. */
static int
etcd_call_ok(struct etcd *e, const char *path, const char *body,
    struct etcd_answer *a, char *err, size_t errsz)
{
	if (etcd_call(e, path, body, a, err, errsz) == -1)
		return -1;
	return a->code != 0 ? -1 : 0;
}

int
etcd_range(struct etcd *e, const char *key, int prefix,
    struct etcd_answer *a, char *err, size_t errsz)
{
	char req[ETCD_REQ_MAX];

	if (etcd_req_range(req, sizeof(req), key, prefix,
	    (long)a->maxkvs) == -1) {
		err_set(err, errsz, "etcd: key too long: %.64s", key);
		return -1;
	}
	return etcd_call_ok(e, "/v3/kv/range", req, a, err, errsz);
}

int
etcd_put(struct etcd *e, const char *key, const char *value,
    long long lease, char *err, size_t errsz)
{
	char req[ETCD_REQ_MAX];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	if (etcd_req_put(req, sizeof(req), key, value, lease) == -1) {
		err_set(err, errsz, "etcd: key or value too long: %.64s", key);
		return -1;
	}
	return etcd_call_ok(e, "/v3/kv/put", req, &a, err, errsz);
}

int
etcd_cas(struct etcd *e, const char *key, long long mod_rev,
    const char *value, long long lease, long long *rev, struct etcd_kv *cur,
    char *err, size_t errsz)
{
	char req[ETCD_REQ_MAX];
	struct etcd_answer a;

	etcd_answer_init(&a, &e->one, 1);
	if (etcd_req_cas(req, sizeof(req), key, mod_rev, value, lease) == -1) {
		err_set(err, errsz, "etcd: key or value too long: %.64s", key);
		return -1;
	}
	if (etcd_call_ok(e, "/v3/kv/txn", req, &a, err, errsz) == -1)
		return -1;
	if (a.succeeded) {
		if (rev != NULL)
			*rev = a.revision;
		return 1;
	}
	if (cur != NULL) {
		if (a.nkvs == 1)
			*cur = e->one;
		else
			memset(cur, 0, sizeof(*cur));
	}
	return 0;
}

int
etcd_delete(struct etcd *e, const char *key, long long mod_rev, char *err,
    size_t errsz)
{
	char req[ETCD_REQ_MAX];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	if (etcd_req_delete(req, sizeof(req), key, mod_rev) == -1) {
		err_set(err, errsz, "etcd: key too long: %.64s", key);
		return -1;
	}
	if (etcd_call_ok(e, mod_rev == 0 ? "/v3/kv/deleterange" :
	    "/v3/kv/txn", req, &a, err, errsz) == -1)
		return -1;
	return mod_rev == 0 || a.succeeded ? 1 : 0;
}

int
etcd_put_release(struct etcd *e, const char *lock, long long lock_rev,
    const char *key, const char *value, char *err, size_t errsz)
{
	char req[ETCD_REQ_MAX];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	if (etcd_req_put_release(req, sizeof(req), lock, lock_rev, key,
	    value) == -1) {
		err_set(err, errsz, "etcd: key or value too long: %.64s", key);
		return -1;
	}
	if (etcd_call_ok(e, "/v3/kv/txn", req, &a, err, errsz) == -1)
		return -1;
	return a.succeeded ? 1 : 0;
}

int
etcd_acquire(struct etcd *e, const char *key, const char *value,
    long long lease, long long *rev, struct etcd_kv *holder, char *err,
    size_t errsz)
{
	struct etcd_kv cur;
	int r;

	r = etcd_cas(e, key, 0, value, lease, rev, &cur, err, errsz);
	if (r != 0)
		return r;
	if (cur.mod_rev != 0 && cur.lease == lease &&
	    strcmp(cur.value, value) == 0) {
		/* Ours already: an earlier try succeeded but its answer was lost. */
		*rev = cur.mod_rev;
		return 1;
	}
	if (holder != NULL)
		*holder = cur;
	return 0;
}

int
etcd_acquire_read(struct etcd *e, const char *lock, const char *value,
    long long lease, const char *key, long long *rev, struct etcd_kv *holder,
    struct etcd_kv *kv, int *have, char *err, size_t errsz)
{
	char req[ETCD_REQ_MAX];
	struct etcd_kv kvs[2], *lk = NULL;
	struct etcd_answer a;
	size_t i;

	*have = 0;
	etcd_answer_init(&a, kvs, 2);
	if (etcd_req_acquire_read(req, sizeof(req), lock, value, lease,
	    key) == -1) {
		err_set(err, errsz, "etcd: key or value too long: %.64s", lock);
		return -1;
	}
	if (etcd_call_ok(e, "/v3/kv/txn", req, &a, err, errsz) == -1)
		return -1;
	/* Each range read one key or none: tell them apart by name. */
	for (i = 0; i < a.nkvs; i++) {
		if (strcmp(kvs[i].key, key) == 0) {
			*kv = kvs[i];
			*have = 1;
		} else if (strcmp(kvs[i].key, lock) == 0)
			lk = &kvs[i];
	}
	if (a.succeeded) {
		*rev = a.revision;
		return 1;
	}
	if (lk != NULL && lk->lease == lease && strcmp(lk->value, value) == 0) {
		*rev = lk->mod_rev;	/* ours already: a retried call */
		return 1;
	}
	if (holder != NULL) {
		if (lk != NULL)
			*holder = *lk;
		else
			memset(holder, 0, sizeof(*holder));
	}
	return 0;
}

int
etcd_lease_grant(struct etcd *e, long ttl_s, long long *id, char *err,
    size_t errsz)
{
	char req[64];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	etcd_req_lease(req, sizeof(req), "TTL", ttl_s);
	if (etcd_call_ok(e, "/v3/lease/grant", req, &a, err, errsz) == -1)
		return -1;
	if (a.lease_id == 0) {
		err_set(err, errsz, "etcd: a lease grant without an ID");
		return -1;
	}
	*id = a.lease_id;
	return 0;
}

int
etcd_lease_keepalive(struct etcd *e, long long id, long long *ttl, char *err,
    size_t errsz)
{
	char req[64];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	etcd_req_lease(req, sizeof(req), "ID", id);
	if (etcd_call_ok(e, "/v3/lease/keepalive", req, &a, err, errsz) == -1)
		return -1;
	*ttl = a.ttl;
	return 0;
}

int
etcd_lease_revoke(struct etcd *e, long long id, char *err, size_t errsz)
{
	char req[64];
	struct etcd_answer a;

	etcd_answer_init(&a, NULL, 0);
	etcd_req_lease(req, sizeof(req), "ID", id);
	if (etcd_call(e, "/v3/lease/revoke", req, &a, err, errsz) == -1)
		return -1;
	if (a.code == ETCD_CODE_NOT_FOUND)
		return 0;	/* expired already: what revoking wants */
	return a.code != 0 ? -1 : 0;
}
