/*
 * request.c: the responder's answer to one request (see request.h).
 *
 * Nothing here keeps state between requests except the metrics counters,
 * which are C11 atomics shared by the handler threads of this process.
 * They are per process: with several responder processes on one socket
 * each scrape sees one of them, as with any multi-process exporter.
 *
 * Failures: a request that cannot be served is answered (4xx for the
 * sender's mistakes, 503 with Retry-After for ours) and logged in one
 * line; a write to a client that went away is ignored, because the event,
 * if any, is already safe in the spool.  Nothing here exits.
 */
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "auth.h"
#include "conf.h"
#include "dedup.h"
#include "dynbuf.h"
#include "err.h"
#include "event.h"
#include "jobject.h"
#include "log.h"
#include "msclock.h"
#include "request.h"
#include "spool.h"

#define JSON_TYPE	"application/json"
#define METRICS_TYPE	"text/plain; version=0.0.4"
/* Asked of a sender when the spool is stuck: soon, not hammering. */
#define RETRY_AFTER	"Retry-After: 5\r\n"
#define TEXT_MAX	4096	/* any answer we build; metrics are ~1.5 KiB */

enum reject_reason {
	REJ_SIGNATURE, REJ_TOO_LARGE, REJ_BAD_JSON, REJ_BAD_LENGTH,
	REJ_METHOD, REJ_SPOOL, REJ_TIMEOUT, REJ_NREASONS
};

/* The label values of routehook_requests_rejected_total, in enum order. */
static const char *const reject_names[REJ_NREASONS] = {
	"signature", "too_large", "bad_json", "bad_length", "method", "spool",
	"timeout"
};

static atomic_ulong accepted_total;
static atomic_ulong rejected_total[REJ_NREASONS];

/*
 * An answer being built.  A bug could make one too big (a metrics page
 * grows with the reject reasons): a clipped answer is not sent but
 * replaced by a 500.
 */
static void	 text_add(struct dynbuf *, const char *, ...) LOG_PRINTF(2, 3);

static void
text_add(struct dynbuf *t, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	/* Clipped or out of memory: respond() sees it and answers 500. */
	if (dyn_vaddf(t, fmt, ap) == -1 && errno == ENOMEM)
		t->clipped = 1;
	va_end(ap);
}

/* s as a JSON string, quotes included. */
static void
text_json(struct dynbuf *t, const char *s)
{
	const unsigned char *p;

	text_add(t, "\"");
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		if (*p == '"' || *p == '\\')
			text_add(t, "\\%c", *p);
		else if (*p < 0x20 || *p == 0x7f)
			text_add(t, "\\u%04x", *p);
		else
			text_add(t, "%c", *p);
	}
	text_add(t, "\"");
}

/*
 * A client-supplied string (REMOTE_ADDR, REQUEST_METHOD) made safe for a
 * log line: printable ASCII only, bounded.
 */
static void
printable(const char *s, const char *dflt, char *out, size_t outsz)
{
	size_t i;

	if (s == NULL || *s == '\0')
		s = dflt;
	for (i = 0; s[i] != '\0' && i + 1 < outsz; i++)
		out[i] = (s[i] > 0x20 && s[i] < 0x7f) ? s[i] : '?';
	out[i] = '\0';
}

enum request_len
request_content_length(const char *s, size_t max, size_t *len)
{
	const char *p;
	size_t v = 0, d;

	*len = 0;
	if (s == NULL || *s == '\0')
		return REQUEST_LEN_MISSING;
	/* First the shape, so that "99999x" is invalid, not too large. */
	for (p = s; *p != '\0'; p++)
		if (*p < '0' || *p > '9')
			return REQUEST_LEN_INVALID;
	for (p = s; *p != '\0'; p++) {
		d = (size_t)(*p - '0');
		if (v > (SIZE_MAX - d) / 10)
			return REQUEST_LEN_TOO_LARGE;
		v = v * 10 + d;
		if (v > max)
			return REQUEST_LEN_TOO_LARGE;
	}
	*len = v;
	return REQUEST_LEN_OK;
}

/* Whether the concatenation a[0..na) b[0..nb) is exactly mount suffix. */
static int
path_is(const char *a, size_t na, const char *b, size_t nb,
    const char *mount, const char *suffix)
{
	size_t nm = strlen(mount), ns = strlen(suffix), i;
	char c;

	if (na + nb != nm + ns)
		return 0;
	for (i = 0; i < nm + ns; i++) {
		c = i < na ? a[i] : b[i - na];
		if (c != (i < nm ? mount[i] : suffix[i - nm]))
			return 0;
	}
	return 1;
}

enum request_path
request_classify(const char *mount, const char *request_uri,
    const char *script_name, const char *path_info)
{
	const char *a, *b = "";
	size_t na, nb = 0;

	if (request_uri != NULL && *request_uri != '\0') {
		a = request_uri;
		na = strcspn(request_uri, "?#");
	} else {
		a = script_name != NULL ? script_name : "";
		na = strlen(a);
		if (path_info != NULL) {
			b = path_info;
			nb = strlen(b);
		}
	}
	if (path_is(a, na, b, nb, mount, "/health"))
		return REQUEST_PATH_HEALTH;
	if (path_is(a, na, b, nb, mount, "/metrics"))
		return REQUEST_PATH_METRICS;
	return REQUEST_PATH_OTHER;
}

static const char *
status_text(int status)
{
	switch (status) {
	case 200: return "OK";
	case 202: return "Accepted";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 405: return "Method Not Allowed";
	case 408: return "Request Timeout";
	case 411: return "Length Required";
	case 413: return "Content Too Large";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}

/*
 * Send a whole answer, then free body.  A failed write means the client
 * (or the web server) went away; there is nobody left to tell, so it is
 * not logged.
 */
static int
respond(const struct request_io *io, int status, const char *ctype,
    const char *headers, struct dynbuf *body, int head_only)
{
	static const char oops[] = "{\"error\":\"internal error\"}\n";
	const char *data = dyn_ptr(body);
	size_t len = dyn_len(body);
	char hdr[512];
	int n;

	if (dyn_clipped(body)) {
		log_warnx("answer %d did not fit in %d bytes (or memory ran "
		    "out)", status, TEXT_MAX);
		status = 500;
		ctype = JSON_TYPE;
		headers = "";
		data = oops;
		len = sizeof(oops) - 1;
	}
	n = snprintf(hdr, sizeof(hdr), "Status: %d %s\r\n"
	    "Content-Type: %s\r\nContent-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n%s\r\n",
	    status, status_text(status), ctype, len,
	    headers != NULL ? headers : "");
	if (n >= 0 && (size_t)n < sizeof(hdr) &&
	    io->write(io->ctx, hdr, (size_t)n) == 0 && !head_only && len > 0)
		(void)io->write(io->ctx, data, len);
	dyn_free(body);
	return status;
}

/* {"error":"msg"} without a log line; the caller has logged. */
static int
answer_error(const struct request_io *io, int status,
    enum reject_reason reason, const char *msg, const char *headers)
{
	struct dynbuf t;

	dyn_init(&t, TEXT_MAX);
	atomic_fetch_add(&rejected_total[reason], 1);
	text_add(&t, "{\"error\":");
	text_json(&t, msg);
	text_add(&t, "}\n");
	return respond(io, status, JSON_TYPE, headers, &t, 0);
}

static int
reject(const struct request_io *io, const char *remote, int status,
    enum reject_reason reason, const char *msg, const char *headers)
{
	log_info("rejected %d %s from %s", status, msg, remote);
	return answer_error(io, status, reason, msg, headers);
}

static long long
now_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC, &ts) == -1)
		return 0;
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/*
 * Read the len bytes of the body within timeout_ms, all reads together:
 * a client sending one byte a second must not hold a handler thread for
 * as long as it likes.  0 when all arrived, -1 when fewer did,
 * REQUEST_READ_TIMEOUT when the time ran out first.
 */
static int
read_body(const struct request_io *io, unsigned char *buf, size_t len,
    long timeout_ms)
{
	long long deadline = now_ms() + timeout_ms, left;
	size_t got = 0;
	ssize_t n;

	while (got < len) {
		if ((left = deadline - now_ms()) <= 0)
			return REQUEST_READ_TIMEOUT;
		n = io->read(io->ctx, buf + got, len - got,
		    left > INT_MAX ? INT_MAX : (int)left);
		if (n == REQUEST_READ_TIMEOUT)
			return REQUEST_READ_TIMEOUT;
		if (n <= 0)
			return -1;
		got += (size_t)n;
	}
	return 0;
}

/* The sender's credentials, as auth_check() wants them. */
static int
authenticate(const struct responder *r, const struct request_io *io,
    const char *remote, const unsigned char *body, size_t len,
    struct auth_verdict *v)
{
	const struct conf *c = r->conf;
	struct auth_request rq;

	rq.body = body;
	rq.len = len;
	rq.signature = io->param(io->ctx, c->receiver.signature_param);
	rq.webhook_id = io->param(io->ctx, "HTTP_WEBHOOK_ID");
	rq.webhook_timestamp = io->param(io->ctx, "HTTP_WEBHOOK_TIMESTAMP");
	rq.webhook_signature = io->param(io->ctx, "HTTP_WEBHOOK_SIGNATURE");
	rq.api_key = c->receiver.api_key.param != NULL ?
	    io->param(io->ctx, c->receiver.api_key.param) : NULL;
	rq.authorization = io->param(io->ctx, "HTTP_AUTHORIZATION");
	rq.now = (long long)time(NULL);
	if (auth_check(c, &rq, v))
		return 0;
	/* The sender hears little; the log says which check failed. */
	log_info("rejected 401 %s from %s", v->why, remote);
	(void)answer_error(io, 401, REJ_SIGNATURE, v->answer,
	    (c->receiver.auth & CONF_AUTH_BASIC) ?
	    "WWW-Authenticate: Basic realm=\"routehook\"\r\n" : NULL);
	return -1;
}

static int
answer_accepted(const struct request_io *io, int status, const char *id)
{
	struct dynbuf t;

	dyn_init(&t, TEXT_MAX);
	text_add(&t, "{\"status\":\"accepted\",\"id\":");
	text_json(&t, id);
	text_add(&t, status == 200 ? ",\"duplicate\":true}\n" : "}\n");
	return respond(io, status, JSON_TYPE, NULL, &t, 0);
}

/*
 * A whole body of len bytes has arrived: credentials, JSON, event time,
 * replay record, spool, 202.  Nothing unauthenticated is parsed: the
 * credentials come first.
 */
static int
handle_event(const struct responder *r, const struct request_io *io,
    const char *remote, const unsigned char *body, size_t len)
{
	const struct conf *c = r->conf;
	const char *why, *field;
	char id[SPOOL_ID_MAX], err[512], name[DEDUP_NAME_LEN + 1], msg[128];
	struct auth_verdict v;
	int timed;

	if (authenticate(r, io, remote, body, len, &v) == -1)
		return 401;

	switch (jobject_parse(body, len, NULL, &why)) {
	case 0:
		break;
	case -1:
		return reject(io, remote, 400, REJ_BAD_JSON, why, NULL);
	default:
		/* Our trouble, not the sender's: let it retry. */
		log_warnx("rejected 503 %s from %s", why, remote);
		return answer_error(io, 503, REJ_SPOOL,
		    "cannot take the event now; retry later", RETRY_AFTER);
	}

	/*
	 * A body is a safe identity only with the event's own time in it:
	 * without one, "offline" an hour after "offline" is the same bytes.
	 */
	timed = event_own_time((const char *)body, len, &field) == 1;
	if (!timed && c->receiver.require_event_time) {
		snprintf(msg, sizeof(msg), "no event time: missing %s", field);
		return reject(io, remote, 400, REJ_BAD_JSON, msg, NULL);
	}
	name[0] = '\0';
	if (v.id[0] != '\0')
		dedup_name("webhook-id", v.id, strlen(v.id), name);
	else if (timed)
		dedup_name("body", body, len, name);
	if (name[0] != '\0' && r->dedup != NULL) {
		switch (dedup_claim(r->dedup, name, (long long)time(NULL), id,
		    sizeof(id), err, sizeof(err))) {
		case DEDUP_NEW:
			break;
		case DEDUP_SEEN:
			log_info("replay of %s from %s answered, not stored",
			    id, remote);
			return answer_accepted(io, 200, id);
		case DEDUP_BUSY:
			log_info("rejected 503 the same event is being stored "
			    "now, from %s", remote);
			return answer_error(io, 503, REJ_SPOOL, "the same "
			    "event is being stored now; retry later",
			    "Retry-After: 1\r\n");
		case DEDUP_ERROR:
			log_warnx("rejected 503 cannot check for a replay "
			    "from %s: %s", remote, err);
			return answer_error(io, 503, REJ_SPOOL, "cannot store "
			    "the event now; retry later", RETRY_AFTER);
		}
	}

	if (spool_commit(r->spool, body, len, id, sizeof(id), err,
	    sizeof(err)) == -1) {
		if (name[0] != '\0' && r->dedup != NULL)
			dedup_release(r->dedup, name);
		log_warnx("rejected 503 cannot store event from %s: %s",
		    remote, err);
		return answer_error(io, 503, REJ_SPOOL,
		    "cannot store the event now; retry later", RETRY_AFTER);
	}
	/* Stored: a record that fails only lets a replay be stored again. */
	if (name[0] != '\0' && r->dedup != NULL &&
	    dedup_commit(r->dedup, name, id, err, sizeof(err)) == -1)
		log_warnx("accepted %s but cannot record it against "
		    "replays: %s", id, err);
	atomic_fetch_add(&accepted_total, 1);
	if (r->verbose)
		log_info("accepted %s, %zu bytes from %s", id, len, remote);
	return answer_accepted(io, 202, id);
}

/* POST: the length first, so that 413 comes before reading anything. */
static int
handle_post(const struct responder *r, const struct request_io *io,
    const char *remote)
{
	unsigned char *body;
	size_t len;
	int status;

	switch (request_content_length(io->param(io->ctx, "CONTENT_LENGTH"),
	    r->conf->receiver.max_body_bytes, &len)) {
	case REQUEST_LEN_OK:
		break;
	case REQUEST_LEN_MISSING:
		return reject(io, remote, 411, REJ_BAD_LENGTH,
		    "Content-Length required", NULL);
	case REQUEST_LEN_INVALID:
		return reject(io, remote, 400, REJ_BAD_LENGTH,
		    "invalid Content-Length", NULL);
	case REQUEST_LEN_TOO_LARGE:
		return reject(io, remote, 413, REJ_TOO_LARGE,
		    "body too large", NULL);
	}

	/* len + 1: malloc(0) may return NULL. */
	if ((body = malloc(len + 1)) == NULL) {
		log_warn("rejected 503 out of memory for %zu bytes from %s",
		    len, remote);
		return answer_error(io, 503, REJ_SPOOL,
		    "cannot take the event now; retry later", RETRY_AFTER);
	}
	switch (read_body(io, body, len, r->conf->receiver.read_timeout_ms)) {
	case 0:
		status = handle_event(r, io, remote, body, len);
		break;
	case REQUEST_READ_TIMEOUT:
		status = reject(io, remote, 408, REJ_TIMEOUT,
		    "body not received in time", NULL);
		break;
	default:
		status = reject(io, remote, 400, REJ_BAD_LENGTH,
		    "body shorter than Content-Length", NULL);
		break;
	}
	free(body);
	return status;
}

/*
 * Whether an event could be stored now: tmp/ and new/ writable by us
 * (faccessat with AT_EACCESS asks with our effective ids, the ones
 * spool_commit() uses), the filesystem not read-only, and a free block
 * and inode left.  f_bavail is what an unprivileged process may use; the
 * responder never runs as root, so that is the figure that matters.
 */
static int
spool_writable(const struct spool *sp, char *why, size_t whysz)
{
	static const enum spool_dir dirs[] = { SPOOL_TMP, SPOOL_NEW };
	struct statvfs vfs;
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		if (faccessat(sp->fd[dirs[i]], ".", W_OK | X_OK,
		    AT_EACCESS) == -1) {
			err_set_sys(why, whysz, "spool %s/ is not writable",
			    spool_dir_name(dirs[i]));
			return 0;
		}
	}
	if (fstatvfs(sp->fd[SPOOL_TMP], &vfs) == -1) {
		err_set_sys(why, whysz, "cannot stat the spool filesystem");
		return 0;
	}
	if (vfs.f_flag & ST_RDONLY) {
		err_set(why, whysz, "the spool filesystem is read-only");
		return 0;
	}
	if (vfs.f_bavail == 0) {
		err_set(why, whysz, "no space left on the spool filesystem");
		return 0;
	}
	/* Some filesystems (btrfs) report no inode figures at all. */
	if (vfs.f_files > 0 && vfs.f_favail == 0) {
		err_set(why, whysz, "no inodes left on the spool filesystem");
		return 0;
	}
	return 1;
}

static void
iso8601(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "1970-01-01T00:00:00Z");
}

/* Count dir; on failure say why (without the spool's path). */
static int
count_dir(struct spool *sp, enum spool_dir d, struct spool_count *cnt,
    char *why, size_t whysz)
{
	char err[512];

	if (spool_count(sp, d, cnt, err, sizeof(err)) == 0)
		return 0;
	err_set_sys(why, whysz, "cannot read spool %s/", spool_dir_name(d));
	cnt->n = 0;
	cnt->oldest = 0;
	return -1;
}

static long long
age_s(const struct spool_count *cnt, time_t now)
{
	if (cnt->n <= 0 || cnt->oldest <= 0 || now <= cnt->oldest)
		return 0;
	return (long long)(now - cnt->oldest);
}

static int
handle_health(const struct responder *r, const struct request_io *io,
    int head_only)
{
	struct spool_count cnew, cdef, cdead;
	struct dynbuf t;
	time_t now;
	char why[256], ts[32];
	int healthy;

	now = (time_t)(msclock_real() / 1000);
	iso8601(now, ts, sizeof(ts));
	healthy = spool_writable(r->spool, why, sizeof(why));
	/* Reading is checked too: a spool we cannot list is not healthy. */
	if (count_dir(r->spool, SPOOL_NEW, &cnew, why, sizeof(why)) == -1)
		healthy = 0;
	if (count_dir(r->spool, SPOOL_DEFERRED, &cdef, why, sizeof(why)) == -1)
		healthy = 0;
	if (count_dir(r->spool, SPOOL_DEAD, &cdead, why, sizeof(why)) == -1)
		healthy = 0;

	dyn_init(&t, TEXT_MAX);
	if (healthy)
		text_add(&t, "{\"status\":\"healthy\",");
	else {
		text_add(&t, "{\"status\":\"unhealthy\",\"reason\":");
		text_json(&t, why);
		text_add(&t, ",");
	}
	text_add(&t, "\"timestamp\":\"%s\",\"spool\":{\"new\":%ld,"
	    "\"deferred\":%ld,\"dead\":%ld,\"oldest_new_age_s\":%lld}}\n",
	    ts, cnew.n, cdef.n, cdead.n, age_s(&cnew, now));
	/* A health check is not a rejected event: no log line either way. */
	return respond(io, healthy ? 200 : 503, JSON_TYPE, NULL, &t,
	    head_only);
}

static int
handle_metrics(const struct responder *r, const struct request_io *io,
    int head_only)
{
	static const enum spool_dir dirs[] = {
		SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_DEAD
	};
	struct spool_count cnt, cnew = { 0, 0 };
	struct dynbuf t;
	char why[256];
	size_t i;
	int have_new = 0;

	dyn_init(&t, TEXT_MAX);
	text_add(&t, "# HELP routehook_requests_accepted_total "
	    "Events stored in the spool by this responder process.\n"
	    "# TYPE routehook_requests_accepted_total counter\n"
	    "routehook_requests_accepted_total %lu\n",
	    atomic_load(&accepted_total));
	text_add(&t, "# HELP routehook_requests_rejected_total "
	    "Requests refused by this responder process, by reason.\n"
	    "# TYPE routehook_requests_rejected_total counter\n");
	for (i = 0; i < REJ_NREASONS; i++)
		text_add(&t, "routehook_requests_rejected_total"
		    "{reason=\"%s\"} %lu\n", reject_names[i],
		    atomic_load(&rejected_total[i]));
	text_add(&t, "# HELP routehook_spool_files "
	    "Files in each spool directory.\n"
	    "# TYPE routehook_spool_files gauge\n");
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		/* A directory we cannot read is left out, not shown as 0. */
		if (count_dir(r->spool, dirs[i], &cnt, why, sizeof(why)) == -1) {
			log_warnx("metrics: %s", why);
			continue;
		}
		if (dirs[i] == SPOOL_NEW) {
			cnew = cnt;
			have_new = 1;
		}
		text_add(&t, "routehook_spool_files{dir=\"%s\"} %ld\n",
		    spool_dir_name(dirs[i]), cnt.n);
	}
	text_add(&t, "# HELP routehook_spool_oldest_age_seconds "
	    "Age of the oldest event waiting in the directory.\n"
	    "# TYPE routehook_spool_oldest_age_seconds gauge\n");
	if (have_new)
		text_add(&t, "routehook_spool_oldest_age_seconds"
		    "{dir=\"new\"} %lld\n", age_s(&cnew, time(NULL)));
	return respond(io, 200, METRICS_TYPE, NULL, &t, head_only);
}

static int
reject_method(const struct request_io *io, const char *remote,
    const char *method, const char *allow)
{
	char m[24];

	printable(method, "(none)", m, sizeof(m));
	log_info("rejected 405 method %s from %s", m, remote);
	return answer_error(io, 405, REJ_METHOD, "method not allowed", allow);
}

int
request_handle(const struct responder *r, const struct request_io *io)
{
	const char *method;
	char remote[64];
	enum request_path path;
	int head;

	printable(io->param(io->ctx, "REMOTE_ADDR"), "unknown", remote,
	    sizeof(remote));
	if ((method = io->param(io->ctx, "REQUEST_METHOD")) == NULL)
		method = "";
	path = request_classify(r->conf->receiver.mount,
	    io->param(io->ctx, "REQUEST_URI"),
	    io->param(io->ctx, "SCRIPT_NAME"), io->param(io->ctx, "PATH_INFO"));

	if (path != REQUEST_PATH_OTHER) {
		head = strcmp(method, "HEAD") == 0;
		if (!head && strcmp(method, "GET") != 0)
			return reject_method(io, remote, method,
			    "Allow: GET, HEAD\r\n");
		if (path == REQUEST_PATH_HEALTH)
			return handle_health(r, io, head);
		return handle_metrics(r, io, head);
	}
	if (strcmp(method, "POST") != 0)
		return reject_method(io, remote, method, "Allow: POST\r\n");
	return handle_post(r, io, remote);
}
