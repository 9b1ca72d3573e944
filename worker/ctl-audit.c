/*
 * ctl-audit: read the audit file from its end, newest line first (see
 * ctl.h), for routehookctl status and dead list.
 *
 * The audit file only grows, and what an operator asks about is recent,
 * so the file is read backwards in CTL_AUDIT_BLOCK blocks with pread(2):
 * the cost is the lines looked at, not the size of the file.  The buffer
 * holds the unread tail of the current window and is capped at
 * CTL_AUDIT_CAP: a longer "line" is not one the worker wrote and is
 * skipped whole, as is a line that is not a JSON object.  Lines appended
 * while we read are not seen: the scan covers the file as it was opened.
 *
 * Files logrotate made of it ("audit.jsonl.1", "audit.jsonl-20261201.gz")
 * are read whole, the compressed ones forwards through zlib, and only
 * when their last write falls inside the window asked about: status's
 * "last day" goes on across a rotation.
 *
 * Fails (-1, err filled) when the file cannot be opened or read, or when
 * memory runs out.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>
#include <zlib.h>

#include "audit.h"
#include "ctl.h"
#include "err.h"
#include "event.h"
#include "jobject.h"

#define CTL_AUDIT_BLOCK	(64 * 1024)
#define CTL_AUDIT_CAP	(1024 * 1024)

struct ctl_rlines {
	int	 fd;
	off_t	 pos;		/* file offset of buf[0] */
	char	*buf;
	size_t	 end;		/* buf[0..end) is not yet returned */
	int	 skip_next;	/* next line: the rest of a long one */
};

/*
 * Prepend the block before pos to buf[0..end).  Returns 0, or -1 on a
 * read error or when memory runs out.
 */
static int
ctl_rlines_fill(struct ctl_rlines *r)
{
	size_t want;
	ssize_t n;
	size_t got = 0;

	want = r->pos < CTL_AUDIT_BLOCK ? (size_t)r->pos : CTL_AUDIT_BLOCK;
	if (r->end + want > CTL_AUDIT_CAP) {
		/*
		 * An overlong line: drop what we have of it but its first
		 * byte, so that the next line found is what is left of it
		 * (at least that byte) and is skipped.
		 */
		r->end = 1;
		r->skip_next = 1;
	}
	memmove(r->buf + want, r->buf, r->end);
	while (got < want) {
		n = pread(r->fd, r->buf + got, want - got,
		    r->pos - (off_t)want + (off_t)got);
		if (n == -1 && errno == EINTR)
			continue;
		if (n <= 0) {
			if (n == 0)
				errno = EIO;	/* the file shrank under us */
			return -1;
		}
		got += (size_t)n;
	}
	r->pos -= (off_t)want;
	r->end += want;
	return 0;
}

/*
 * The previous line, NUL-terminated in place, or NULL at the start of the
 * file (errno 0) or on error (errno set).
 */
static char *
ctl_rlines_prev(struct ctl_rlines *r)
{
	size_t k, stop;

	for (;;) {
		stop = r->end;
		/* The newline ending this line is not its start. */
		if (stop > 0 && r->buf[stop - 1] == '\n')
			stop--;
		for (k = stop; k > 0 && r->buf[k - 1] != '\n'; k--)
			;
		if (k > 0 || (r->pos == 0 && r->end > 0)) {
			r->buf[stop] = '\0';
			r->end = k;
			if (r->skip_next) {
				r->skip_next = 0;
				continue;
			}
			return r->buf + k;
		}
		if (r->pos == 0) {
			errno = 0;
			return NULL;
		}
		if (ctl_rlines_fill(r) == -1)
			return NULL;
	}
}

/* Pick the fields routehookctl uses out of one audit line. */
static void
ctl_audit_fields(struct json_object *o, struct ctl_audit_line *l)
{
	struct json_object *v, *sum = NULL;
	const char *s;

	memset(l, 0, sizeof(*l));
	l->obj = o;
	l->sla_compliant = -1;
	l->event_id = (s = jobject_str(o, "event_id")) ? s : "";
	l->outcome = (s = jobject_str(o, "outcome")) ? s : "";
	l->error = jobject_str(o, "error");
	json_object_object_get_ex(o, "payload_summary", &sum);
	l->event_type = (s = jobject_str(sum, "eventType")) ? s : "";
	l->user_id = (s = jobject_str(sum, "userId")) ? s : "";
	if ((s = jobject_str(o, "timestamp")) == NULL ||
	    event_parse_time(s, &l->ts_ms) == -1)
		l->ts_ms = 0;
	if (json_object_object_get_ex(o, "sla_compliant", &v) &&
	    json_object_is_type(v, json_type_boolean))
		l->sla_compliant = json_object_get_boolean(v);
	if (json_object_object_get_ex(o, "http_status", &v) &&
	    json_object_is_type(v, json_type_int))
		l->http_status = json_object_get_int(v);
}

int
ctl_audit_scan(const char *path,
    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
    char *err, size_t errsz)
{
	struct ctl_rlines r = { .fd = -1 };
	struct ctl_audit_line l;
	struct json_object *o;
	struct stat st;
	char *line;
	int stop, saved;

	if ((r.fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(r.fd, &st) == -1)
		goto fail;
	r.pos = st.st_size;
	/* One byte more than the cap, for the NUL after the last line. */
	if ((r.buf = malloc(CTL_AUDIT_CAP + 1)) == NULL)
		goto fail;
	while ((line = ctl_rlines_prev(&r)) != NULL) {
		if (line[0] != '{')
			continue;
		if ((o = json_tokener_parse(line)) == NULL)
			continue;
		if (!json_object_is_type(o, json_type_object)) {
			json_object_put(o);
			continue;
		}
		ctl_audit_fields(o, &l);
		stop = cb(&l, arg);
		json_object_put(o);
		if (stop)
			break;
	}
	if (line == NULL && errno != 0)
		goto fail;
	free(r.buf);
	close(r.fd);
	return 0;

fail:
	saved = errno;
	err_set_sys(err, errsz, "audit file %s", path);
	free(r.buf);
	if (r.fd != -1)
		close(r.fd);
	errno = saved;
	return -1;
}

int
ctl_audit_scan_gz(const char *path,
    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
    char *err, size_t errsz)
{
	struct ctl_audit_line l;
	struct json_object *o;
	gzFile gz = NULL;
	char *line = NULL;
	size_t len;
	int fd, skip = 0, saved, zerr;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		goto fail;
	if ((gz = gzdopen(fd, "rb")) == NULL) {
		(void)close(fd);
		errno = ENOMEM;
		goto fail;
	}
	if ((line = malloc(CTL_AUDIT_CAP + 1)) == NULL)
		goto fail;
	while (gzgets(gz, line, CTL_AUDIT_CAP + 1) != NULL) {
		len = strlen(line);
		/* Past the cap: not a line the worker wrote; skip it whole. */
		if (len == 0 || line[len - 1] != '\n') {
			if (!gzeof(gz))
				skip = 1;
			else if (!skip && line[0] == '{')
				goto parse;
			continue;
		}
		if (skip) {
			skip = 0;
			continue;
		}
		if (line[0] != '{')
			continue;
parse:
		if ((o = json_tokener_parse(line)) == NULL)
			continue;
		if (json_object_is_type(o, json_type_object)) {
			ctl_audit_fields(o, &l);
			(void)cb(&l, arg);
		}
		json_object_put(o);
	}
	if (!gzeof(gz)) {
		(void)gzerror(gz, &zerr);
		errno = zerr == Z_ERRNO ? errno : EIO;
		goto fail;
	}
	free(line);
	(void)gzclose(gz);
	return 0;

fail:
	saved = errno;
	err_set_sys(err, errsz, "audit file %s", path);
	free(line);
	if (gz != NULL)
		(void)gzclose(gz);
	errno = saved;
	return -1;
}

/*
 * Whether name is one logrotate made of base: "base.1", "base.2.gz",
 * "base-20261201", "base-20261201.gz" (dateext).  1 plain, 2 gzip, 0 not.
 */
static int
ctl_rotated_kind(const char *base, const char *name)
{
	size_t n = strlen(base), i;

	if (strncmp(name, base, n) != 0 || (name[n] != '.' && name[n] != '-'))
		return 0;
	for (i = n + 1; name[i] >= '0' && name[i] <= '9'; i++)
		continue;
	if (i == n + 1)
		return 0;
	if (name[i] == '\0')
		return 1;
	return strcmp(name + i, ".gz") == 0 ? 2 : 0;
}

int
ctl_audit_rotated(const char *path, long long since_ms,
    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
    char *err, size_t errsz)
{
	char *copy = NULL, *copy2 = NULL, full[4096];
	const char *dir, *base;
	struct dirent *de;
	struct stat st;
	DIR *d = NULL;
	int kind, rc = 0;

	if ((copy = strdup(path)) == NULL || (copy2 = strdup(path)) == NULL) {
		free(copy);
		return err_set_sys(err, errsz, "audit file %s", path);
	}
	dir = dirname(copy);
	base = basename(copy2);
	if ((d = opendir(dir)) == NULL) {
		rc = err_set_sys(err, errsz, "audit directory %s", dir);
		goto out;
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if ((kind = ctl_rotated_kind(base, de->d_name)) == 0)
			continue;
		if ((size_t)snprintf(full, sizeof(full), "%s/%s", dir,
		    de->d_name) >= sizeof(full))
			continue;
		/* Last written before the window: nothing in it is inside. */
		if (stat(full, &st) == -1 || !S_ISREG(st.st_mode) ||
		    (long long)st.st_mtim.tv_sec * 1000 < since_ms)
			continue;
		if ((kind == 1 ? ctl_audit_scan(full, cb, arg, err, errsz) :
		    ctl_audit_scan_gz(full, cb, arg, err, errsz)) == -1 &&
		    errno != ENOENT)
			rc = -1;
	}
out:
	if (d != NULL)
		(void)closedir(d);
	free(copy);
	free(copy2);
	return rc;
}
