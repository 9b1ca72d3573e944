/*
 * audit unit test: each outcome formatted and read back with json-c, field
 * by field; the edges (SLA boundary, nulls, hostile strings, a buffer too
 * small); and 8 processes appending 500 lines each to one file, which must
 * come out as 4000 whole lines.  Works in a scratch directory it removes;
 * fails with "not ok" lines and exit 1.
 */
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit.h"
#include "tap.h"

#define NPROC		8
#define NLINES		500

static const char *const keys_deferred[] = {
	"event_id", "timestamp", "latency_ms", "success", "sla_compliant",
	"payload_summary", "outcome", "attempt", "http_status", "error",
	"next_attempt", NULL
};

/* Parse line (without its '\n') strictly; NULL when it is not JSON. */
static struct json_object *
parse(const char *line, size_t len)
{
	struct json_tokener *tok;
	struct json_object *o;

	if ((tok = json_tokener_new()) == NULL)
		return NULL;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT);
	o = json_tokener_parse_ex(tok, line, (int)len);
	if (o != NULL && json_tokener_get_parse_end(tok) != len) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

static struct json_object *
get(struct json_object *o, const char *key)
{
	struct json_object *v = NULL;

	if (o == NULL || !json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;
}

static int
has(struct json_object *o, const char *key)
{
	return o != NULL && json_object_object_get_ex(o, key, NULL);
}

static int
is_type(struct json_object *o, const char *key, json_type t)
{
	return has(o, key) && json_object_is_type(get(o, key), t);
}

static const char *
str(struct json_object *o, const char *key)
{
	struct json_object *v = get(o, key);

	return v != NULL && json_object_is_type(v, json_type_string) ?
	    json_object_get_string(v) : NULL;
}

/* The keys of o in order, as "a,b,c". */
static void
key_order(struct json_object *o, char *buf, size_t bufsz)
{
	size_t n = 0;

	buf[0] = '\0';
	if (o == NULL)
		return;
	json_object_object_foreach(o, k, v) {
		(void)v;
		n += (size_t)snprintf(buf + n, bufsz - n, "%s%s",
		    n ? "," : "", k);
		if (n >= bufsz)
			return;
	}
}

static void
want_order(const char *const *keys, size_t nkeys, char *buf, size_t bufsz)
{
	size_t i, n = 0;

	buf[0] = '\0';
	for (i = 0; i < nkeys && keys[i] != NULL; i++)
		n += (size_t)snprintf(buf + n, bufsz - n, "%s%s",
		    n ? "," : "", keys[i]);
}

static struct audit_record
base_record(void)
{
	struct audit_record r;

	memset(&r, 0, sizeof(r));
	r.event_id = "1795906053.M123456P4242Q1.host";
	r.now.tv_sec = 1795906053;		/* 2026-11-28T22:47:33Z */
	r.now.tv_nsec = 123456789;
	r.latency_ms = 250;
	r.sla_threshold_ms = 5000;
	r.event_type = "routing.user.status.update";
	r.user_id = "0b8e7a4c-1d2f-4e3a-9b8c-7d6e5f4a3b2c";
	r.attempt = 1;
	return r;
}

/* Every field of each outcome, with its type. */
static void
test_outcomes(void)
{
	static const struct timespec next = { 1795906323, 5000000 };
	static const struct {
		const char	*outcome;
		int		 success;
		int		 attempt;
		int		 http;
		const char	*error;
		int		 deferred;
	} tab[] = {
		{ "applied",	1, 1, 200, NULL, 0 },
		{ "applied",	1, 3, 204, NULL, 0 },
		{ "deferred",	0, 2, 503, "503 service.unavailable", 1 },
		{ "deferred",	0, 4, 0, "connection refused", 1 },
		{ "dead",	0, 1, 404, "404 not.found", 0 },
		{ "dead",	0, 0, 0, "unknown status \"lunch\"", 0 },
		{ "superseded",	1, 0, 0, NULL, 0 },
	};
	char buf[AUDIT_LINE_MAX], got[512], want[512];
	size_t i;

	for (i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		struct audit_record r = base_record();
		struct json_object *o, *ps;
		int n;

		r.outcome = tab[i].outcome;
		r.success = tab[i].success;
		r.attempt = tab[i].attempt;
		r.http_status = tab[i].http;
		r.error = tab[i].error;
		r.next_attempt = tab[i].deferred ? &next : NULL;
		n = audit_format(&r, buf, sizeof(buf));
		ok(n > 0 && buf[n - 1] == '\n' && buf[n] == '\0' &&
		    memchr(buf, '\n', (size_t)n - 1) == NULL,
		    "%s/%d: one line ending in '\\n'", r.outcome, r.http_status);
		if (n <= 0)
			continue;
		o = parse(buf, (size_t)n - 1);
		ok(o != NULL && json_object_is_type(o, json_type_object),
		    "%s/%d: the line is a JSON object", r.outcome,
		    r.http_status);

		key_order(o, got, sizeof(got));
		want_order(keys_deferred, tab[i].deferred ? 11 : 10, want,
		    sizeof(want));
		is_str(got, want, "%s/%d: keys in audit.h's order", r.outcome,
		    r.http_status);

		is_str(str(o, "event_id"), r.event_id, "event_id");
		is_str(str(o, "timestamp"), "2026-11-28T22:47:33.123Z",
		    "timestamp is ISO 8601 UTC with ms");
		ok(is_type(o, "latency_ms", json_type_int) &&
		    json_object_get_int64(get(o, "latency_ms")) == 250,
		    "latency_ms is the integer 250");
		ok(is_type(o, "success", json_type_boolean) &&
		    json_object_get_boolean(get(o, "success")) == tab[i].success,
		    "success is the boolean %d", tab[i].success);
		ok(is_type(o, "sla_compliant", json_type_boolean) &&
		    json_object_get_boolean(get(o, "sla_compliant")),
		    "sla_compliant is true");
		ps = get(o, "payload_summary");
		key_order(ps, got, sizeof(got));
		is_str(got, "eventType,userId", "payload_summary's keys");
		is_str(str(ps, "eventType"), r.event_type,
		    "payload_summary.eventType");
		is_str(str(ps, "userId"), r.user_id, "payload_summary.userId");
		is_str(str(o, "outcome"), r.outcome, "outcome");
		ok(is_type(o, "attempt", json_type_int) &&
		    json_object_get_int(get(o, "attempt")) == tab[i].attempt,
		    "attempt is the integer %d", tab[i].attempt);
		if (tab[i].http == 0)
			ok(has(o, "http_status") && get(o, "http_status") == NULL,
			    "http_status 0 is null");
		else
			ok(is_type(o, "http_status", json_type_int) &&
			    json_object_get_int(get(o, "http_status")) ==
			    tab[i].http, "http_status is the integer %d",
			    tab[i].http);
		if (tab[i].error == NULL)
			ok(has(o, "error") && get(o, "error") == NULL,
			    "no error is null");
		else
			is_str(str(o, "error"), tab[i].error, "error");
		if (tab[i].deferred)
			is_str(str(o, "next_attempt"),
			    "2026-11-28T22:52:03.005Z", "next_attempt");
		else
			ok(!has(o, "next_attempt"), "no next_attempt");
		json_object_put(o);
	}
}

static struct json_object *
format_parse(const struct audit_record *r, char *buf, size_t bufsz)
{
	int n;

	if ((n = audit_format(r, buf, bufsz)) <= 0)
		return NULL;
	return parse(buf, (size_t)n - 1);
}

static void
test_edges(void)
{
	struct audit_record r;
	struct json_object *o, *ps;
	char buf[AUDIT_LINE_MAX], small[AUDIT_LINE_MAX];
	const char *hostile = "bad \"quote\"\nsecond line\r\n\ttab \\ "
	    "/slash/ \x01 \xc3\xa9";
	int n;
	size_t i;

	/* The SLA boundary: at the threshold is compliant, past it is not. */
	r = base_record();
	r.outcome = "applied";
	r.latency_ms = 5000;
	o = format_parse(&r, buf, sizeof(buf));
	ok(is_type(o, "sla_compliant", json_type_boolean) &&
	    json_object_get_boolean(get(o, "sla_compliant")),
	    "latency == threshold is compliant");
	json_object_put(o);
	r.latency_ms = 5001;
	o = format_parse(&r, buf, sizeof(buf));
	ok(is_type(o, "sla_compliant", json_type_boolean) &&
	    !json_object_get_boolean(get(o, "sla_compliant")),
	    "latency == threshold + 1 is not");
	json_object_put(o);
	r.latency_ms = 4999;
	o = format_parse(&r, buf, sizeof(buf));
	ok(json_object_get_boolean(get(o, "sla_compliant")),
	    "latency == threshold - 1 is compliant");
	json_object_put(o);

	/* Unknown summary fields are null, NULL and "" alike. */
	r = base_record();
	r.outcome = "dead";
	r.user_id = NULL;
	r.event_type = "";
	o = format_parse(&r, buf, sizeof(buf));
	ps = get(o, "payload_summary");
	ok(ps != NULL && has(ps, "userId") && get(ps, "userId") == NULL,
	    "NULL user gives null");
	ok(ps != NULL && has(ps, "eventType") && get(ps, "eventType") == NULL,
	    "empty eventType gives null");
	json_object_put(o);
	r.user_id = "";
	r.event_type = NULL;
	o = format_parse(&r, buf, sizeof(buf));
	ps = get(o, "payload_summary");
	ok(ps != NULL && has(ps, "userId") && get(ps, "userId") == NULL &&
	    has(ps, "eventType") && get(ps, "eventType") == NULL,
	    "empty user and NULL eventType give null");
	json_object_put(o);

	/* Quotes, newlines, control bytes: still one line, same string. */
	r = base_record();
	r.outcome = "dead";
	r.error = hostile;
	n = audit_format(&r, buf, sizeof(buf));
	ok(n > 0 && memchr(buf, '\n', (size_t)n - 1) == NULL &&
	    memchr(buf, '\r', (size_t)n) == NULL,
	    "an error with quotes and newlines stays one line");
	o = n > 0 ? parse(buf, (size_t)n - 1) : NULL;
	is_str(str(o, "error"), hostile, "and reads back unchanged");
	ok(n > 0 && strstr(buf, "/slash/") != NULL, "'/' is not escaped");
	json_object_put(o);

	/* The time's milliseconds are cut, not rounded. */
	r = base_record();
	r.outcome = "applied";
	r.now.tv_nsec = 999999999;
	o = format_parse(&r, buf, sizeof(buf));
	is_str(str(o, "timestamp"), "2026-11-28T22:47:33.999Z",
	    "999999999 ns is .999");
	json_object_put(o);
	r.now.tv_sec = 0;
	r.now.tv_nsec = 0;
	o = format_parse(&r, buf, sizeof(buf));
	is_str(str(o, "timestamp"), "1970-01-01T00:00:00.000Z", "the epoch");
	json_object_put(o);
	r.now.tv_nsec = 1000000000L;
	is_int(audit_format(&r, buf, sizeof(buf)), -1, "tv_nsec 1e9 is -1");
	r.now.tv_nsec = -1;
	is_int(audit_format(&r, buf, sizeof(buf)), -1, "tv_nsec -1 is -1");

	/* Fits exactly with its '\n' and NUL; one byte less does not. */
	r = base_record();
	r.outcome = "applied";
	n = audit_format(&r, buf, sizeof(buf));
	memset(small, 'x', sizeof(small));
	is_int(audit_format(&r, small, (size_t)n + 1), n,
	    "a buffer of exactly line + NUL is enough");
	ok(memcmp(small, buf, (size_t)n + 1) == 0, "and holds the same line");
	is_int(audit_format(&r, small, (size_t)n), -1,
	    "one byte less is -1");
	is_int(audit_format(&r, small, 1), -1, "a 1-byte buffer is -1");
	is_int(audit_format(&r, small, 0), -1, "a 0-byte buffer is -1");

	/*
	 * An error larger than AUDIT_LINE_MAX is cut, between characters,
	 * so that the outcome is still recorded; invalid bytes become
	 * U+FFFD, so the line stays valid UTF-8.
	 */
	{
		static char big[AUDIT_LINE_MAX];
		struct json_object *lo, *v;
		const char *e;

		big[0] = 'x';
		big[1] = (char)0xff;
		for (i = 2; i + 1 < sizeof(big) - 1; i += 2) {
			big[i] = (char)0xc3;
			big[i + 1] = (char)0xa9;	/* U+00E9 */
		}
		r.error = big;
		n = audit_format(&r, buf, sizeof(buf));
		ok(n > 0, "an error larger than AUDIT_LINE_MAX still fits");
		lo = n > 0 ? parse(buf, (size_t)n - 1) : NULL;
		v = get(lo, "error");
		e = v != NULL ? json_object_get_string(v) : "";
		ok(strncmp(e, "x\xef\xbf\xbd\xc3\xa9", 6) == 0,
		    "the invalid byte is U+FFFD");
		ok(strlen(e) > 900 && strlen(e) <= 1024 &&
		    (unsigned char)e[strlen(e) - 2] == 0xc3 &&
		    (unsigned char)e[strlen(e) - 1] == 0xa9,
		    "cut at most 1024 bytes, after a whole character");
		json_object_put(lo);
	}
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *fp;
	char *buf = NULL;
	size_t cap = 0, n;

	*len = 0;
	if ((fp = fopen(path, "r")) == NULL)
		return NULL;
	for (;;) {
		if (cap - *len < 65536) {
			char *nb = realloc(buf, cap + 1048576);

			if (nb == NULL) {
				free(buf);
				fclose(fp);
				return NULL;
			}
			buf = nb;
			cap += 1048576;
		}
		n = fread(buf + *len, 1, cap - *len - 1, fp);
		*len += n;
		if (n == 0)
			break;
	}
	buf[*len] = '\0';
	fclose(fp);
	return buf;
}

/* A child: NLINES lines of varying length, up to ~3.5 KB. */
static void
writer(const char *path, int id)
{
	struct audit_record r = base_record();
	char line[AUDIT_LINE_MAX], ev[64], err[3600];
	int fd, i, n;

	if ((fd = audit_open(path, err, sizeof(err))) == -1)
		_exit(2);
	for (i = 0; i < NLINES; i++) {
		size_t elen = (size_t)(i * 37 + id * 101) % (sizeof(err) - 1);

		memset(err, 'a' + id, elen);
		err[elen] = '\0';
		snprintf(ev, sizeof(ev), "w%d-%d", id, i);
		r.event_id = ev;
		r.outcome = "deferred";
		r.error = err;
		r.attempt = i;
		if ((n = audit_format(&r, line, sizeof(line))) == -1 ||
		    audit_write(fd, line, (size_t)n) == -1)
			_exit(3);
	}
	if (close(fd) == -1)
		_exit(4);
	_exit(0);
}

static void
test_concurrent(const char *dir)
{
	char path[512];
	char *data, *p, *nl;
	size_t len, nlines = 0, bad = 0;
	int counts[NPROC] = { 0 }, i, status, kids_ok = 1, order_ok = 1;
	int last[NPROC];
	pid_t pid;

	snprintf(path, sizeof(path), "%s/concurrent.log", dir);
	for (i = 0; i < NPROC; i++) {
		last[i] = -1;
		fflush(stdout);
		if ((pid = fork()) == -1) {
			ok(0, "fork: %s", strerror(errno));
			return;
		}
		if (pid == 0)
			writer(path, i);
	}
	for (i = 0; i < NPROC; i++) {
		status = -1;
		if (wait(&status) == -1 || !WIFEXITED(status) ||
		    WEXITSTATUS(status) != 0) {
			printf("# writer: wait status %d\n", status);
			kids_ok = 0;
		}
	}
	ok(kids_ok, "%d writers finished cleanly", NPROC);

	if ((data = slurp(path, &len)) == NULL) {
		ok(0, "read %s: %s", path, strerror(errno));
		return;
	}
	ok(len > 0 && data[len - 1] == '\n', "the file ends with a newline");
	for (p = data; p < data + len; p = nl + 1) {
		struct json_object *o;
		const char *id;
		int w, seq;

		if ((nl = memchr(p, '\n', (size_t)(data + len - p))) == NULL)
			nl = data + len;
		nlines++;
		o = parse(p, (size_t)(nl - p));
		id = str(o, "event_id");
		if (id == NULL || sscanf(id, "w%d-%d", &w, &seq) != 2 ||
		    w < 0 || w >= NPROC) {
			bad++;
		} else {
			counts[w]++;
			/* One writer's lines keep their own order. */
			if (seq != last[w] + 1)
				order_ok = 0;
			last[w] = seq;
		}
		json_object_put(o);
	}
	is_int(nlines, NPROC * NLINES, "exactly %d lines", NPROC * NLINES);
	is_int(bad, 0, "every line parses as one JSON object");
	for (i = 0; i < NPROC; i++)
		is_int(counts[i], NLINES, "writer %d has %d lines", i, NLINES);
	ok(order_ok, "each writer's lines are in its order");
	free(data);
	unlink(path);
}

static void
test_open_write(const char *dir)
{
	char path[512], err[1024], line[64];
	struct stat st;
	int fd, flags, status;
	pid_t pid;
	size_t len;
	char *data;

	snprintf(path, sizeof(path), "%s/audit.log", dir);
	umask(022);
	fd = audit_open(path, err, sizeof(err));
	ok(fd >= 0, "audit_open creates the file");
	if (fd < 0)
		return;
	ok(fstat(fd, &st) == 0 && (st.st_mode & 07777) == 0640,
	    "mode 0640");
	flags = fcntl(fd, F_GETFL);
	ok(flags != -1 && (flags & O_APPEND) && (flags & O_ACCMODE) ==
	    O_WRONLY, "write-only and O_APPEND");
	flags = fcntl(fd, F_GETFD);
	ok(flags != -1 && (flags & FD_CLOEXEC), "close-on-exec");
	is_int(audit_write(fd, "one\n", 4), 0, "write a line");
	is_int(audit_write(fd, "", 0), 0, "an empty write is fine");
	close(fd);
	fd = audit_open(path, err, sizeof(err));
	is_int(audit_write(fd, "two\n", 4), 0, "reopen and append");
	close(fd);
	data = slurp(path, &len);
	is_str(data, "one\ntwo\n", "appended, not overwritten");
	free(data);

	is_int(audit_write(fd, "x\n", 2), -1, "a closed descriptor is -1");
	ok(errno == EBADF, "with errno EBADF");

	snprintf(path, sizeof(path), "%s/no/such/dir/audit.log", dir);
	err[0] = '\0';
	is_int(audit_open(path, err, sizeof(err)), -1, "a missing directory");
	ok(strstr(err, path) != NULL && strstr(err, strerror(ENOENT)) != NULL,
	    "the error names the path and the reason: %s", err);

	/*
	 * A short write must fail the line, and what the kernel wrote of it
	 * is taken back so the file stays whole lines.  A file size limit
	 * makes the kernel write only part of it; done in a child so the
	 * limit and the ignored SIGXFSZ stay there.
	 */
	snprintf(path, sizeof(path), "%s/short.log", dir);
	fflush(stdout);
	if ((pid = fork()) == -1) {
		ok(0, "fork: %s", strerror(errno));
		return;
	}
	if (pid == 0) {
		struct rlimit rl = { 10, 10 };

		signal(SIGXFSZ, SIG_IGN);
		if ((fd = audit_open(path, err, sizeof(err))) == -1 ||
		    setrlimit(RLIMIT_FSIZE, &rl) == -1)
			_exit(2);
		memset(line, 'z', sizeof(line));
		if (audit_write(fd, line, sizeof(line)) != -1)
			_exit(3);
		_exit(errno == ENOSPC ? 0 : 4);
	}
	if (waitpid(pid, &status, 0) != pid)
		status = -1;
	ok(status != -1 && WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "a short write is -1 with errno ENOSPC (wait status %d)", status);
	data = slurp(path, &len);
	is_int(len, 0, "the part the kernel wrote is taken back");
	free(data);
	unlink(path);
	snprintf(path, sizeof(path), "%s/audit.log", dir);
	unlink(path);
}

int
main(void)
{
	char dir[] = "/tmp/routehook-audit-test.XXXXXX";

	test_outcomes();
	test_edges();
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return tap_done();
	}
	test_open_write(dir);
	test_concurrent(dir);
	if (rmdir(dir) == -1)
		ok(0, "rmdir %s: %s", dir, strerror(errno));
	return tap_done();
}
