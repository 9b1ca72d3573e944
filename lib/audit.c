/*
 * audit: format an outcome as one JSON line and append it (see audit.h).
 *
 * audit_format() builds the line with json-c, which escapes whatever the
 * strings hold (quotes, newlines, control characters), so a line is always
 * one line of valid JSON whatever an error message or a sender's id says.
 * json-c copies other bytes as they are, so each string is first made
 * valid UTF-8 (utf8_repair: invalid bytes become U+FFFD, a long string is
 * cut between characters), or a strict reader such as jq or Python would
 * refuse the whole line over one stray byte of an API's answer.
 * It fails (-1) when memory runs out, when r->now is not a valid time, or
 * when the line would not fit the caller's buffer; nothing is written then.
 *
 * audit_write() relies on O_APPEND: the kernel picks the offset and writes
 * the bytes of one write(2) together, so lines from concurrent processes
 * never interleave.  That is why the line is written in one call and never
 * finished with a second one: a short write fails the whole line instead.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "audit.h"
#include "err.h"
#include "log.h"
#include "vis.h"

/* "2026-11-28T22:47:33.123Z" and room for a five-digit year. */
#define AUDIT_TIME_MAX	40
/* One string value, in bytes of UTF-8: a line holds a few of them. */
#define AUDIT_STR_MAX	1024

/* Keys are string literals added once each: json-c need not copy them. */
#define AUDIT_ADD_FLAGS	(JSON_C_OBJECT_ADD_KEY_IS_NEW | \
			 JSON_C_OBJECT_ADD_CONSTANT_KEY)

/*
 * Add val (NULL meaning JSON null) under key.  json-c leaves a value it
 * could not add to the caller, so it is released here.
 */
static int
audit_add(struct json_object *o, const char *key, struct json_object *val)
{
	if (json_object_object_add_ex(o, key, val, AUDIT_ADD_FLAGS) != 0) {
		json_object_put(val);
		return -1;
	}
	return 0;
}

/*
 * A string, as valid UTF-8 of at most AUDIT_STR_MAX bytes, or, for NULL
 * (and "" when empty_is_null), JSON null.
 */
static int
audit_add_str(struct json_object *o, const char *key, const char *s,
    int empty_is_null)
{
	struct json_object *v = NULL;
	char text[AUDIT_STR_MAX + 1];
	size_t len;

	if (s != NULL && !(empty_is_null && *s == '\0')) {
		len = utf8_repair(text, sizeof(text), s, strlen(s));
		if ((v = json_object_new_string_len(text, (int)len)) == NULL)
			return -1;
	}
	return audit_add(o, key, v);
}

static int
audit_add_new(struct json_object *o, const char *key, struct json_object *v)
{
	if (v == NULL)		/* the constructor ran out of memory */
		return -1;
	return audit_add(o, key, v);
}

/* ISO 8601 in UTC with milliseconds, the form jq's fromdate family reads. */
static int
audit_time(const struct timespec *ts, char *buf, size_t bufsz)
{
	struct tm tm;
	time_t t = ts->tv_sec;
	size_t n;
	int m;

	if (ts->tv_nsec < 0 || ts->tv_nsec >= 1000000000L)
		return -1;
	if (gmtime_r(&t, &tm) == NULL)
		return -1;
	if ((n = strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%S", &tm)) == 0)
		return -1;
	m = snprintf(buf + n, bufsz - n, ".%03ldZ", ts->tv_nsec / 1000000L);
	if (m < 0 || (size_t)m >= bufsz - n)
		return -1;
	return 0;
}

static int
audit_add_time(struct json_object *o, const char *key,
    const struct timespec *ts)
{
	char buf[AUDIT_TIME_MAX];

	if (audit_time(ts, buf, sizeof(buf)) == -1)
		return -1;
	return audit_add_str(o, key, buf, 0);
}

/* The record as a json-c object, its keys in audit.h's order. */
static struct json_object *
audit_object(const struct audit_record *r)
{
	struct json_object *o, *summary;

	if ((o = json_object_new_object()) == NULL)
		return NULL;
	if (audit_add_str(o, "event_id", r->event_id, 0) == -1 ||
	    audit_add_time(o, "timestamp", &r->now) == -1 ||
	    audit_add_new(o, "latency_ms",
	    json_object_new_int64(r->latency_ms)) == -1 ||
	    audit_add_new(o, "success",
	    json_object_new_boolean(r->success != 0)) == -1 ||
	    audit_add_new(o, "sla_compliant",
	    json_object_new_boolean(r->latency_ms <= r->sla_threshold_ms)) == -1)
		goto fail;

	if ((summary = json_object_new_object()) == NULL)
		goto fail;
	if (audit_add_str(summary, "eventType", r->event_type, 1) == -1 ||
	    audit_add_str(summary, "userId", r->user_id, 1) == -1) {
		json_object_put(summary);
		goto fail;
	}
	if (audit_add(o, "payload_summary", summary) == -1)
		goto fail;

	if (audit_add_str(o, "outcome", r->outcome, 0) == -1 ||
	    audit_add_new(o, "attempt", json_object_new_int(r->attempt)) == -1)
		goto fail;
	if (r->http_status == 0) {
		if (audit_add(o, "http_status", NULL) == -1)
			goto fail;
	} else if (audit_add_new(o, "http_status",
	    json_object_new_int(r->http_status)) == -1)
		goto fail;
	if (audit_add_str(o, "error", r->error, 0) == -1)
		goto fail;
	if (r->next_attempt != NULL &&
	    audit_add_time(o, "next_attempt", r->next_attempt) == -1)
		goto fail;
	return o;

fail:
	json_object_put(o);
	return NULL;
}

int
audit_format(const struct audit_record *r, char *buf, size_t bufsz)
{
	struct json_object *o;
	const char *s;
	size_t len;
	int rc = -1;

	if ((o = audit_object(r)) == NULL)
		return -1;
	/* NOSLASHESCAPE: paths and topic names stay readable ("/", not "\/"). */
	s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL)
		goto done;
	len = strlen(s);
	/* The line, its '\n', and a NUL so the caller may print it. */
	if (len + 2 > bufsz || len + 1 > INT_MAX)
		goto done;
	memcpy(buf, s, len);
	buf[len] = '\n';
	buf[len + 1] = '\0';
	rc = (int)(len + 1);
done:
	json_object_put(o);
	return rc;
}

int
audit_open(const char *path, char *err, size_t errsz)
{
	int fd;

	/* O_CLOEXEC: the worker runs helpers; none should inherit the log. */
	do {
		fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	} while (fd == -1 && errno == EINTR);
	if (fd == -1) {
		err_set_sys(err, errsz, "audit file %s", path);
		return -1;
	}
	return fd;
}

int
audit_write(int fd, const char *line, size_t len)
{
	struct stat st;
	ssize_t n;
	off_t off;

	if (len > SSIZE_MAX) {
		errno = EINVAL;
		return -1;
	}
	/*
	 * EINTR before anything was written leaves the file untouched, so the
	 * one write may be tried again; anything else is a failure, since a
	 * second write to finish a line could land after another writer's.
	 */
	do {
		n = write(fd, line, len);
	} while (n == -1 && errno == EINTR);
	if (n == -1)
		return -1;
	if ((size_t)n != len) {
		/*
		 * Part of a line is in the file (a full disk): take it back
		 * while it is still the file's end, so the file stays whole
		 * lines; O_APPEND left the offset at its end.
		 */
		if ((off = lseek(fd, 0, SEEK_CUR)) != -1 && off >= n &&
		    fstat(fd, &st) == 0 && st.st_size == off &&
		    ftruncate(fd, off - n) == -1)
			log_warn("audit: taking back a part-written line");
		errno = ENOSPC;
		return -1;
	}
	return 0;
}
