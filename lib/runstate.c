/*
 * runstate: see runstate.h.  The file is small and rewritten rarely (at
 * start, when a pause begins or ends), so each write is a whole
 * atomicfile: a reader sees the old state or the new, never half.
 */
#include <sys/file.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "atomicfile.h"
#include "err.h"
#include "event.h"
#include "jobject.h"
#include "msclock.h"
#include "runstate.h"
#include "version.h"

#define RUNSTATE_FILE	"worker"
#define RUNSTATE_LOCK	"worker.lock"
#define RUNSTATE_MAX	4096	/* bytes of the file we read */

/* "2026-12-02T05:00:00.123Z" */
static void
runstate_time(long long ms, char *buf, size_t bufsz)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;
	char s[32];

	if (gmtime_r(&t, &tm) == NULL ||
	    strftime(s, sizeof(s), "%Y-%m-%dT%H:%M:%S", &tm) == 0)
		snprintf(s, sizeof(s), "1970-01-01T00:00:00");
	snprintf(buf, bufsz, "%s.%03lldZ", s, ms % 1000);
}

static int
runstate_write(struct runstate *rs, char *err, size_t errsz)
{
	struct json_object *o, *p = NULL;
	char started[40], until[40], since[40];
	const char *s;
	int bad = 0, rc;

	if ((o = json_object_new_object()) == NULL)
		return err_set(err, errsz, "state/%s: out of memory",
		    RUNSTATE_FILE);
	runstate_time(rs->started_ms, started, sizeof(started));
	bad |= json_object_object_add(o, "pid",
	    json_object_new_int64(rs->pid)) != 0;
	bad |= json_object_object_add(o, "started",
	    json_object_new_string(started)) != 0;
	bad |= json_object_object_add(o, "version",
	    json_object_new_string(ROUTEHOOK_VERSION)) != 0;
	if (rs->reason[0] != '\0') {
		if ((p = json_object_new_object()) == NULL)
			bad = 1;
		else {
			bad |= json_object_object_add(p, "reason",
			    json_object_new_string(rs->reason)) != 0;
			runstate_time(rs->since_ms, since, sizeof(since));
			bad |= json_object_object_add(p, "since",
			    json_object_new_string(since)) != 0;
			if (rs->until_ms > 0) {
				runstate_time(rs->until_ms, until,
				    sizeof(until));
				bad |= json_object_object_add(p, "until",
				    json_object_new_string(until)) != 0;
			} else
				bad |= json_object_object_add(p, "until",
				    NULL) != 0;
			bad |= json_object_object_add(p, "detail",
			    json_object_new_string(rs->detail)) != 0;
		}
	}
	bad |= json_object_object_add(o, "paused", p) != 0;
	if (bad || (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)) == NULL) {
		json_object_put(o);
		return err_set(err, errsz, "state/%s: out of memory",
		    RUNSTATE_FILE);
	}
	rc = atomicfile_write(rs->dir, RUNSTATE_FILE, s, strlen(s), 0600, 0,
	    err, errsz);
	json_object_put(o);
	return rc;
}

int
runstate_start(struct runstate *rs, int statedir, char *err, size_t errsz)
{
	memset(rs, 0, sizeof(*rs));
	rs->dir = statedir;
	rs->pid = (long)getpid();
	rs->started_ms = msclock_real();
	rs->lock = openat(statedir, RUNSTATE_LOCK, O_RDWR | O_CREAT |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (rs->lock == -1)
		return err_set_sys(err, errsz, "state/%s", RUNSTATE_LOCK);
	/* Shared: several daemons may run, each applying other events. */
	if (flock(rs->lock, LOCK_SH) == -1) {
		err_set_sys(err, errsz, "flock state/%s", RUNSTATE_LOCK);
		(void)close(rs->lock);
		rs->lock = -1;
		return -1;
	}
	return runstate_write(rs, err, errsz);
}

int
runstate_pause(struct runstate *rs, const char *reason, long long until_ms,
    const char *detail, char *err, size_t errsz)
{
	if (rs->lock == -1)
		return 0;
	if (reason == NULL) {
		if (rs->reason[0] == '\0')
			return 0;
		rs->reason[0] = '\0';
		rs->since_ms = 0;
		rs->until_ms = 0;
		rs->detail[0] = '\0';
		return runstate_write(rs, err, errsz);
	}
	/* Unchanged, or the same wait moved by less than a second. */
	if (strcmp(rs->reason, reason) == 0 &&
	    strcmp(rs->detail, detail != NULL ? detail : "") == 0 &&
	    rs->until_ms / 1000 == until_ms / 1000)
		return 0;
	if (strcmp(rs->reason, reason) != 0)
		rs->since_ms = msclock_real();
	snprintf(rs->reason, sizeof(rs->reason), "%s", reason);
	snprintf(rs->detail, sizeof(rs->detail), "%s",
	    detail != NULL ? detail : "");
	rs->until_ms = until_ms;
	return runstate_write(rs, err, errsz);
}

void
runstate_stop(struct runstate *rs)
{
	if (rs->lock == -1)
		return;
	/* Only this daemon's own file: another may have started since. */
	(void)unlinkat(rs->dir, RUNSTATE_FILE, 0);
	(void)close(rs->lock);
	rs->lock = -1;
}

/* Whether some daemon holds the lock: 1, 0, or -1 on error. */
static int
runstate_locked(int statedir)
{
	int fd, r;

	fd = openat(statedir, RUNSTATE_LOCK, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		r = 0;
	else
		r = errno == EWOULDBLOCK ? 1 : -1;
	(void)close(fd);
	return r;
}

static void
runstate_copy(struct json_object *o, const char *key, char *buf,
    size_t bufsz)
{
	const char *s = jobject_str(o, key);

	snprintf(buf, bufsz, "%s", s != NULL ? s : "");
}

int
runstate_read(int statedir, struct runstate_info *ri, char *err,
    size_t errsz)
{
	struct json_object *o = NULL, *v, *p;
	char buf[RUNSTATE_MAX];
	const char *why, *s;
	ssize_t n;
	int fd;

	memset(ri, 0, sizeof(*ri));
	if ((ri->running = runstate_locked(statedir)) == -1)
		return err_set_sys(err, errsz, "state/%s", RUNSTATE_LOCK);
	fd = openat(statedir, RUNSTATE_FILE, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC);
	if (fd == -1)
		return errno == ENOENT ? 0 : err_set_sys(err, errsz,
		    "state/%s", RUNSTATE_FILE);
	if ((n = read_all(fd, buf, sizeof(buf))) == -1) {
		err_set_sys(err, errsz, "state/%s", RUNSTATE_FILE);
		(void)close(fd);
		return -1;
	}
	(void)close(fd);
	if (jobject_parse(buf, (size_t)n, &o, &why) != 0)
		return err_set(err, errsz, "state/%s: %s", RUNSTATE_FILE, why);
	if (json_object_object_get_ex(o, "pid", &v))
		ri->pid = (long)json_object_get_int64(v);
	if ((s = jobject_str(o, "started")) != NULL)
		(void)event_parse_time(s, &ri->started_ms);
	runstate_copy(o, "version", ri->version, sizeof(ri->version));
	if (json_object_object_get_ex(o, "paused", &p) &&
	    json_object_is_type(p, json_type_object)) {
		runstate_copy(p, "reason", ri->reason, sizeof(ri->reason));
		runstate_copy(p, "detail", ri->detail, sizeof(ri->detail));
		if ((s = jobject_str(p, "since")) != NULL)
			(void)event_parse_time(s, &ri->since_ms);
		if ((s = jobject_str(p, "until")) != NULL)
			(void)event_parse_time(s, &ri->until_ms);
	}
	json_object_put(o);
	return 1;
}
