/*
 * state: the worker's small files under SPOOL/state/ (see state.h).
 *
 * How it fails: a file that cannot be written is an error the caller
 * logs and survives (an attempts count not written only means one more
 * try; an order stamp not written means a stale event could be applied
 * after a newer one, so the caller says so loudly); a lock that cannot be
 * taken for another reason than "held" is an error that puts the event
 * back.  Nothing here exits.
 */
#define _DEFAULT_SOURCE		/* flock(2) */

#include <sys/file.h>
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "log.h"
#include "order.h"
#include "state.h"

#define STATE_FILE_MAX	512

static int
state_subdir(int parent, const char *name, char *err, size_t errsz)
{
	int fd;

	if (mkdirat(parent, name, 0700) == -1 && errno != EEXIST) {
		snprintf(err, errsz, "state/%s: %s", name, strerror(errno));
		return -1;
	}
	fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		snprintf(err, errsz, "state/%s: %s", name, strerror(errno));
	return fd;
}

int
state_open(struct state *s, struct spool *sp, char *err, size_t errsz)
{
	int parent = sp->fd[SPOOL_STATE];

	memset(s, 0, sizeof(*s));
	s->attempts = s->order = s->lock = s->tmp = -1;
	s->fsync = sp->fsync;
	if ((s->attempts = state_subdir(parent, "attempts", err, errsz)) == -1 ||
	    (s->order = state_subdir(parent, "order", err, errsz)) == -1 ||
	    (s->lock = state_subdir(parent, "lock", err, errsz)) == -1 ||
	    (s->tmp = state_subdir(parent, "tmp", err, errsz)) == -1) {
		state_close(s);
		return -1;
	}
	return 0;
}

void
state_close(struct state *s)
{
	if (s->attempts != -1)
		close(s->attempts);
	if (s->order != -1)
		close(s->order);
	if (s->lock != -1)
		close(s->lock);
	if (s->tmp != -1)
		close(s->tmp);
	s->attempts = s->order = s->lock = s->tmp = -1;
}

/* Read dir/name (at most STATE_FILE_MAX - 1 bytes): its length, -1 + errno. */
static ssize_t
state_read(int dir, const char *name, char *buf, size_t bufsz)
{
	ssize_t n;
	size_t len = 0;
	int fd, saved;

	if ((fd = openat(dir, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return -1;
	while (len < bufsz - 1) {
		n = read(fd, buf + len, bufsz - 1 - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	return (ssize_t)len;
}

/* Write data to state/<label>/name through tmp/: whole or not at all. */
static int
state_write(struct state *s, int dir, const char *label, const char *name,
    const char *data, size_t len, char *err, size_t errsz)
{
	struct atomicfile af;
	char why[512];

	if (atomicfile_begin(&af, s->tmp, dir, name, 0600,
	    s->fsync ? 0 : ATOMICFILE_NOSYNC, why, sizeof(why)) == -1 ||
	    atomicfile_put(&af, data, len, why, sizeof(why)) == -1 ||
	    atomicfile_commit(&af, why, sizeof(why)) == -1) {
		snprintf(err, errsz, "state/%s/%s", label, why);
		return -1;
	}
	return 0;
}

int
state_attempts_read(struct state *s, const char *id)
{
	char buf[32], *end;
	long n;

	if (state_read(s->attempts, id, buf, sizeof(buf)) == -1) {
		if (errno != ENOENT)
			log_warn("state/attempts/%s", id);
		return 0;
	}
	errno = 0;
	n = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0') ||
	    n < 0 || n > 1000000) {
		log_warnx("state/attempts/%s: not a count; taken as 0", id);
		return 0;
	}
	return (int)n;
}

int
state_attempts_write(struct state *s, const char *id, int n, char *err,
    size_t errsz)
{
	char buf[32];
	int len;

	len = snprintf(buf, sizeof(buf), "%d\n", n);
	return state_write(s, s->attempts, "attempts", id, buf, (size_t)len,
	    err, errsz);
}

void
state_attempts_remove(struct state *s, const char *id)
{
	if (unlinkat(s->attempts, id, 0) == -1 && errno != ENOENT)
		log_warn("state/attempts/%s", id);
}

int
state_order_read(struct state *s, const char *key, long long *ts, char *id,
    size_t idsz, char *err, size_t errsz)
{
	char buf[STATE_FILE_MAX];
	ssize_t n;

	if (!order_key_valid(key)) {
		snprintf(err, errsz, "order key \"%s\" cannot name a file", key);
		return -1;
	}
	if ((n = state_read(s->order, key, buf, sizeof(buf))) == -1) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errsz, "state/order/%s: %s", key,
		    strerror(errno));
		return -1;
	}
	if (order_parse(buf, (size_t)n, ts, id, idsz) == -1) {
		snprintf(err, errsz, "state/order/%s: not \"<ts_ms> <id>\"",
		    key);
		return -1;
	}
	return 1;
}

int
state_order_write(struct state *s, const char *key, long long ts,
    const char *id, char *err, size_t errsz)
{
	char buf[ORDER_LINE_MAX];
	int n;

	if (!order_key_valid(key)) {
		snprintf(err, errsz, "order key \"%s\" cannot name a file", key);
		return -1;
	}
	if ((n = order_format(buf, sizeof(buf), ts, id)) == -1) {
		snprintf(err, errsz, "state/order/%s: id too long", key);
		return -1;
	}
	return state_write(s, s->order, "order", key, buf, (size_t)n, err,
	    errsz);
}

int
state_lock_user(struct state *s, const char *user, char *err, size_t errsz)
{
	int fd;

	if (!order_key_valid(user)) {
		snprintf(err, errsz, "user id \"%s\" cannot name a file", user);
		return -1;
	}
	fd = openat(s->lock, user, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		snprintf(err, errsz, "state/lock/%s: %s", user, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return -2;
		snprintf(err, errsz, "state/lock/%s: %s", user,
		    strerror(saved));
		return -1;
	}
	return fd;
}

/*
 * Whether an event id is in new/, cur/ or deferred/.  The directories are
 * looked at in the order events move through them, and cur/ and new/
 * again at the end, so an event moving while we look is still seen.
 */
static int
state_event_exists(struct spool *sp, const char *id)
{
	static const enum spool_dir order[] = {
		SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_CUR, SPOOL_NEW
	};
	struct stat st;
	size_t i;

	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (fstatat(sp->fd[order[i]], id, &st, AT_SYMLINK_NOFOLLOW) == 0
		    || errno != ENOENT)
			return 1;
	return 0;
}

static int
state_scan(int dir, const char *name, DIR **d, char *err, size_t errsz)
{
	int fd;

	if ((fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (*d = fdopendir(fd)) == NULL) {
		snprintf(err, errsz, "state/%s: %s", name, strerror(errno));
		if (fd != -1)
			close(fd);
		return -1;
	}
	return 0;
}

int
state_cleanup(struct state *s, struct spool *sp, time_t tmp_max_age,
    long *orphans, char *err, size_t errsz)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	time_t now = time(NULL);

	*orphans = 0;
	if (state_scan(s->attempts, "attempts", &d, err, errsz) == -1)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (state_event_exists(sp, de->d_name))
			continue;
		if (unlinkat(s->attempts, de->d_name, 0) == 0)
			(*orphans)++;
	}
	closedir(d);
	if (state_scan(s->tmp, "tmp", &d, err, errsz) == -1)
		return -1;
	while ((de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.')
			continue;
		if (fstatat(s->tmp, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    now - st.st_mtime > tmp_max_age)
			unlinkat(s->tmp, de->d_name, 0);
	}
	closedir(d);
	return 0;
}
