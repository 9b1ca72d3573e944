/*
 * metrics: see metrics.h.  metrics_write() fails when the temp file
 * cannot be created, written or renamed (the caller warns and carries on:
 * monitoring is not worth an event).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "metrics.h"

static void
metrics_time(time_t t, char *buf, size_t bufsz)
{
	struct tm tm;

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(buf, bufsz, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(buf, bufsz, "%lld", (long long)t);
}

int
metrics_format(const struct worker_stats *s, const char *mode, long pid,
    time_t started, time_t now, char *buf, size_t bufsz)
{
	char t0[32], t1[32];
	int n;

	metrics_time(started, t0, sizeof(t0));
	metrics_time(now, t1, sizeof(t1));
	n = snprintf(buf, bufsz, "{\"pid\":%ld,\"mode\":\"%s\","
	    "\"started\":\"%s\",\"updated\":\"%s\",\"claimed\":%ld,"
	    "\"applied\":%ld,\"superseded\":%ld,\"deferred\":%ld,\"dead\":%ld,"
	    "\"putback\":%ld,\"calls\":%ld,\"answered\":%ld}\n", pid, mode, t0,
	    t1, s->claimed, s->applied, s->superseded, s->deferred, s->dead,
	    s->putback, s->calls, s->answered);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

int
metrics_write(const char *path, const struct worker_stats *s,
    const char *mode, time_t started, char *err, size_t errsz)
{
	char buf[1024], tmp[4096];
	ssize_t w;
	int fd, n;

	n = metrics_format(s, mode, (long)getpid(), started, time(NULL), buf,
	    sizeof(buf));
	if (n == -1 || snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= (int)sizeof(tmp)) {
		snprintf(err, errsz, "%s: name or content too long", path);
		return -1;
	}
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0644);
	if (fd == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		return -1;
	}
	w = write(fd, buf, (size_t)n);
	if (w != n) {
		snprintf(err, errsz, "%s: %s", tmp,
		    w == -1 ? strerror(errno) : "short write");
		close(fd);
		goto fail;
	}
	if (close(fd) == -1) {
		snprintf(err, errsz, "%s: %s", tmp, strerror(errno));
		goto fail;
	}
	if (rename(tmp, path) == -1) {
		snprintf(err, errsz, "%s: %s", path, strerror(errno));
		goto fail;
	}
	return 0;
fail:
	unlink(tmp);
	return -1;
}
