/*
 * spool: see spool.h.  Everything works relative to the directory
 * descriptors opened by spool_open(): no path is built from an id except
 * for messages, and an id is refused if it could name a file outside its
 * directory.
 *
 * Failures return -1 with errno as the failing call left it and a sentence
 * "verb ROOT/DIR/ID: reason" in the caller's err buffer.  spool_commit()
 * removes what it made before it returns -1; spool_claim() returns -2, and
 * writes no message, when another worker won.
 */
#define _DEFAULT_SOURCE		/* flock(2); must precede every include */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"
#include "spool.h"

#ifndef HOST_NAME_MAX
#define HOST_NAME_MAX	255
#endif

/* Room for the escaped host so that every id fits in SPOOL_ID_MAX. */
#define SPOOL_HOST_MAX	160
/* A fresh id collides only with a leftover of a dead pid: a few suffice. */
#define SPOOL_CREATE_TRIES	16

static const struct {
	const char	*name;
	mode_t		 mode;
} spool_dirs[SPOOL_NDIRS] = {
	/* The responder's group creates in tmp/ and renames into new/. */
	[SPOOL_TMP] =		{ "tmp",	0770 },
	[SPOOL_NEW] =		{ "new",	0770 },
	[SPOOL_CUR] =		{ "cur",	0750 },
	[SPOOL_DEFERRED] =	{ "deferred",	0750 },
	[SPOOL_DEAD] =		{ "dead",	0750 },
	[SPOOL_STATE] =		{ "state",	0700 },
	[SPOOL_HOLD] =		{ "hold",	0750 },
};

static atomic_ulong	 spool_seq;
static pthread_once_t	 spool_host_once = PTHREAD_ONCE_INIT;
static char		 spool_host[SPOOL_HOST_MAX + 1];

/*
 * A name that openat() resolves inside its directory.  Not spool_id_valid():
 * foreign files dropped into the spool must stay manageable.
 */
static int
spool_name_ok(const char *id)
{
	if (id == NULL || id[0] == '\0' || strchr(id, '/') != NULL ||
	    strcmp(id, ".") == 0 || strcmp(id, "..") == 0) {
		errno = EINVAL;
		return 0;
	}
	return 1;
}

const char *
spool_dir_name(enum spool_dir d)
{
	if ((int)d < 0 || d >= SPOOL_NDIRS)
		return "?";
	return spool_dirs[d].name;
}

/*
 * Dovecot escapes '/' and ':' as "\057" and "\072"; bytes that are not
 * printable ASCII are escaped the same way, and so is a leading '.', so
 * that every id we make passes spool_id_valid().
 */
static void
spool_host_init(void)
{
	char raw[HOST_NAME_MAX + 1];
	unsigned char c;
	size_t i, n = 0;

	if (gethostname(raw, sizeof(raw)) == -1 || raw[0] == '\0')
		snprintf(raw, sizeof(raw), "localhost");
	raw[sizeof(raw) - 1] = '\0';	/* truncation may leave no NUL */
	for (i = 0; raw[i] != '\0'; i++) {
		c = (unsigned char)raw[i];
		if (c == '/' || c == ':' || c < 0x21 || c > 0x7e ||
		    (i == 0 && c == '.')) {
			if (n + 4 > SPOOL_HOST_MAX)
				break;
			snprintf(spool_host + n, 5, "\\%03o", c);
			n += 4;
		} else {
			if (n + 1 > SPOOL_HOST_MAX)
				break;
			spool_host[n++] = (char)c;
		}
	}
	spool_host[n] = '\0';
}

int
spool_make_id(char *buf, size_t bufsz, const struct timespec *when)
{
	unsigned long seq;
	int n, rc;

	if (when->tv_sec < 0 || when->tv_nsec < 0 ||
	    when->tv_nsec >= 1000000000L) {
		errno = EINVAL;
		return -1;
	}
	rc = pthread_once(&spool_host_once, spool_host_init);
	if (rc != 0) {
		errno = rc;
		return -1;
	}
	seq = atomic_fetch_add(&spool_seq, 1);
	/* usec zero-padded: then names sort by arrival within a second too */
	n = snprintf(buf, bufsz, "%lld.M%06ldP%ldQ%lu.%s",
	    (long long)when->tv_sec, when->tv_nsec / 1000L, (long)getpid(),
	    seq, spool_host);
	if (n < 0 || (size_t)n >= bufsz) {
		errno = ERANGE;
		return -1;
	}
	return n;
}

/* 1 to maxdigits decimal digits; *v gets their value unless NULL. */
static int
spool_id_num(const char **pp, size_t maxdigits, long long *v)
{
	const char *p = *pp;
	long long x = 0;
	size_t n;

	for (n = 0; p[n] >= '0' && p[n] <= '9'; n++) {
		if (n >= maxdigits)
			return -1;
		if (v != NULL) {
			if (x > (LLONG_MAX - (p[n] - '0')) / 10)
				return -1;
			x = x * 10 + (p[n] - '0');
		}
	}
	if (n == 0)
		return -1;
	if (v != NULL)
		*v = x;
	*pp = p + n;
	return 0;
}

/* The one parser behind spool_id_valid() and spool_id_time(). */
static int
spool_id_parse(const char *id, struct timespec *when)
{
	const char *p = id;
	long long sec, usec;

	if (id == NULL || strnlen(id, SPOOL_ID_MAX) >= SPOOL_ID_MAX)
		return -1;
	if (spool_id_num(&p, 19, &sec) == -1 || *p++ != '.' || *p++ != 'M')
		return -1;
	if (spool_id_num(&p, 6, &usec) == -1 || *p++ != 'P')
		return -1;
	if (spool_id_num(&p, 10, NULL) == -1 || *p++ != 'Q')
		return -1;
	if (spool_id_num(&p, 20, NULL) == -1 || *p++ != '.')
		return -1;
	if (*p == '\0' || *p == '.')
		return -1;
	for (; *p != '\0'; p++) {
		/* ':' too: ours are escaped, so it marks a foreign name */
		if (*p < 0x21 || *p > 0x7e || *p == '/' || *p == ':')
			return -1;
	}
	if ((long long)(time_t)sec != sec)
		return -1;
	if (when != NULL) {
		when->tv_sec = (time_t)sec;
		when->tv_nsec = (long)usec * 1000L;
	}
	return 0;
}

int
spool_id_valid(const char *id)
{
	return spool_id_parse(id, NULL) == 0;
}

int
spool_id_time(const char *id, struct timespec *when)
{
	return spool_id_parse(id, when);
}

int
spool_open(struct spool *sp, const char *root, int create, int do_fsync,
    char *err, size_t errsz)
{
	int i, rootfd = -1, made = 0, saved;

	sp->root = NULL;
	for (i = 0; i < SPOOL_NDIRS; i++)
		sp->fd[i] = -1;
	sp->fsync = do_fsync;

	sp->root = strdup(root);
	if (sp->root == NULL) {
		err_set_sys(err, errsz, "spool %s", root);
		goto fail;
	}
	/* Modes are ceilings: the umask may take more away, as it should. */
	if (create && mkdir(root, 0750) == -1 && errno != EEXIST) {
		err_set_sys(err, errsz, "mkdir %s", root);
		goto fail;
	}
	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd == -1) {
		err_set_sys(err, errsz, "open %s", root);
		goto fail;
	}
	for (i = 0; i < SPOOL_NDIRS; i++) {
		/* hold/ is made when an event is first held (spool_make_dir). */
		if (create && i != SPOOL_HOLD) {
			if (mkdirat(rootfd, spool_dirs[i].name,
			    spool_dirs[i].mode) == 0)
				made = 1;
			else if (errno != EEXIST) {
				err_set_sys(err, errsz, "mkdir %s/%s", root,
				    spool_dirs[i].name);
				goto fail;
			}
		}
		sp->fd[i] = openat(rootfd, spool_dirs[i].name,
		    O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		/*
		 * state/ is the worker's alone (0700): under the privilege
		 * split the responder may not open it, and never needs to.
		 */
		if (sp->fd[i] == -1 && i == SPOOL_STATE && errno == EACCES)
			continue;
		/* hold/ is made when an event is first held. */
		if (sp->fd[i] == -1 && i == SPOOL_HOLD && errno == ENOENT)
			continue;
		if (sp->fd[i] == -1) {
			err_set_sys(err, errsz, "open %s/%s", root,
			    spool_dirs[i].name);
			goto fail;
		}
	}
	/* New directories must survive a crash like the files in them. */
	if (made && do_fsync && fsync(rootfd) == -1) {
		err_set_sys(err, errsz, "fsync %s", root);
		goto fail;
	}
	i = close(rootfd);
	rootfd = -1;
	if (i == -1) {
		err_set_sys(err, errsz, "close %s", root);
		goto fail;
	}
	return 0;

fail:
	saved = errno;
	if (rootfd != -1)
		(void)close(rootfd);
	spool_close(sp);
	errno = saved;
	return -1;
}

int
spool_make_dir(struct spool *sp, enum spool_dir d, char *err, size_t errsz)
{
	int rootfd, fd, made = 0;

	if (sp->fd[d] != -1)
		return 0;
	if ((rootfd = open(sp->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1)
		return err_set_sys(err, errsz, "open %s", sp->root);
	if (mkdirat(rootfd, spool_dirs[d].name, spool_dirs[d].mode) == 0)
		made = 1;
	else if (errno != EEXIST) {
		err_set_sys(err, errsz, "mkdir %s/%s", sp->root,
		    spool_dirs[d].name);
		(void)close(rootfd);
		return -1;
	}
	fd = openat(rootfd, spool_dirs[d].name, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC);
	if (fd == -1 || (made && sp->fsync && fsync(rootfd) == -1)) {
		err_set_sys(err, errsz, "%s %s/%s", fd == -1 ? "open" :
		    "fsync", sp->root, fd == -1 ? spool_dirs[d].name : "");
		if (fd != -1)
			(void)close(fd);
		(void)close(rootfd);
		return -1;
	}
	(void)close(rootfd);	/* read-only: a failed close loses nothing */
	sp->fd[d] = fd;
	return 0;
}

int
spool_due_now(struct spool *sp, const char *id, char *err, size_t errsz)
{
	if (!spool_name_ok(id)) {
		errno = EINVAL;
		return err_set_sys(err, errsz, "%s/deferred/%s", sp->root, id);
	}
	/* NULL times: now, which write access suffices for. */
	if (utimensat(sp->fd[SPOOL_DEFERRED], id, NULL,
	    AT_SYMLINK_NOFOLLOW) == -1)
		return err_set_sys(err, errsz, "%s/deferred/%s", sp->root, id);
	return 0;
}

void
spool_close(struct spool *sp)
{
	int i;

	for (i = 0; i < SPOOL_NDIRS; i++) {
		/* Read-only directories: a failed close loses nothing. */
		if (sp->fd[i] != -1)
			(void)close(sp->fd[i]);
		sp->fd[i] = -1;
	}
	free(sp->root);
	sp->root = NULL;
}

/*
 * The failure paths matter more than the success path here: the caller
 * answers 503 on -1 and the sender sends again, so a file left in new/
 * would be applied twice and one left in tmp/ would rot there.
 *
 * One window remains and is accepted: if fsync(new/) fails, a worker may
 * already have claimed the file in the microseconds since the rename; the
 * unlink then finds nothing (said in err) and the event is applied and
 * also sent again: the same status set twice.  Locking the file across
 * the rename would close the window, at the price of making every worker
 * that reacts at once to the rename find it locked and skip it.
 */
int
spool_commit(struct spool *sp, const void *data, size_t len, char *id,
    size_t idsz, char *err, size_t errsz)
{
	struct timespec now;
	char name[SPOOL_ID_MAX];
	size_t namelen;
	int fd = -1, tries, rc, in_tmp = 0, in_new = 0, saved;

	if (clock_gettime(CLOCK_REALTIME, &now) == -1) {
		err_set_sys(err, errsz, "clock_gettime");
		goto fail;
	}
	for (tries = 1;; tries++) {
		if (spool_make_id(name, sizeof(name), &now) == -1) {
			err_set_sys(err, errsz, "spool id");
			goto fail;
		}
		namelen = strlen(name);
		if (namelen >= idsz) {
			errno = ERANGE;
			err_set_sys(err, errsz, "spool id %s", name);
			goto fail;
		}
		fd = openat(sp->fd[SPOOL_TMP], name,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0640);
		if (fd != -1)
			break;
		if (errno != EEXIST || tries >= SPOOL_CREATE_TRIES) {
			err_set_sys(err, errsz, "create %s/tmp/%s", sp->root,
			    name);
			goto fail;
		}
	}
	in_tmp = 1;

	if (write_all(fd, data, len) == -1) {
		err_set_sys(err, errsz, "write %s/tmp/%s", sp->root, name);
		goto fail;
	}
	if (sp->fsync && fsync(fd) == -1) {
		err_set_sys(err, errsz, "fsync %s/tmp/%s", sp->root, name);
		goto fail;
	}
	/* Linux frees the descriptor even when close fails: never retry. */
	rc = close(fd);
	fd = -1;
	if (rc == -1) {
		err_set_sys(err, errsz, "close %s/tmp/%s", sp->root, name);
		goto fail;
	}
	if (renameat(sp->fd[SPOOL_TMP], name, sp->fd[SPOOL_NEW], name) == -1) {
		err_set_sys(err, errsz, "rename %s/tmp/%s to new/", sp->root,
		    name);
		goto fail;
	}
	in_tmp = 0;
	in_new = 1;
	if (sp->fsync && fsync(sp->fd[SPOOL_NEW]) == -1) {
		err_set_sys(err, errsz, "fsync %s/new after renaming %s into it",
		    sp->root, name);
		goto fail;
	}
	memcpy(id, name, namelen + 1);
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		(void)close(fd);	/* the file is removed just below */
	if (in_tmp && unlinkat(sp->fd[SPOOL_TMP], name, 0) == -1)
		err_also(err, errsz, errno, "unlink %s/tmp/%s",
		    sp->root, name);
	if (in_new && unlinkat(sp->fd[SPOOL_NEW], name, 0) == -1)
		err_also(err, errsz, errno, "unlink %s/new/%s",
		    sp->root, name);
	errno = saved;
	return -1;
}

/*
 * Open d/ID read-only, refusing a name that is not one (EINVAL) and
 * anything but a regular file; op names the operation in the message.
 * O_NONBLOCK keeps a FIFO planted in the spool from hanging us in open();
 * it changes nothing for a regular file.  -1 with errno kept, so a claim
 * can tell ENOENT (a lost race).
 */
static int
spool_open_file(struct spool *sp, enum spool_dir d, const char *id,
    const char *op, struct stat *st, char *err, size_t errsz)
{
	int fd, saved;

	if (!spool_name_ok(id))
		return err_set_sys(err, errsz, "%s %s/%s/%s", op, sp->root,
		    spool_dir_name(d), id ? id : "(null)");
	fd = openat(sp->fd[d], id,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		err_set_sys(err, errsz, "open %s/%s/%s", sp->root,
		    spool_dir_name(d), id);
		return -1;
	}
	if (fstat(fd, st) == -1) {
		err_set_sys(err, errsz, "fstat %s/%s/%s", sp->root,
		    spool_dir_name(d), id);
		goto fail;
	}
	if (!S_ISREG(st->st_mode)) {
		errno = EINVAL;
		err_set_sys(err, errsz, "%s %s/%s/%s: not a regular file", op,
		    sp->root, spool_dir_name(d), id);
		goto fail;
	}
	return fd;

fail:
	saved = errno;
	(void)close(fd);	/* read only: nothing to lose */
	errno = saved;
	return -1;
}

#define SPOOL_PICKUP	".pickup."	/* cur/.pickup.ID: a copy being made */

/*
 * Postfix's pickup: the file in fd (from/ID, locked, of the responder's
 * user) is read once, from that descriptor, and written as cur/ID, a new
 * file of ours in a directory the responder cannot write; then from/ID
 * goes.  The copy is made under a dot name cur/ never lists, synced,
 * locked, and put in place with link(2), which never replaces: a cur/ID
 * that exists is another worker's (locked: -2) or a dead worker's copy
 * (unlocked: replaced, as recovery would have given it back anyway).
 * Returns the copy's descriptor, locked.
 */
static int
spool_pickup(struct spool *sp, int fd, enum spool_dir from, const char *id,
    char *err, size_t errsz)
{
	char tmp[SPOOL_ID_MAX + sizeof(SPOOL_PICKUP)], buf[65536];
	struct stat st;
	ssize_t n;
	int tfd, old, rc = -1, saved, tries;

	snprintf(tmp, sizeof(tmp), "%s%s", SPOOL_PICKUP, id);
	/* Ours alone: we hold from/ID's lock; a leftover is a dead worker's. */
	for (tries = 0; ; tries++) {
		tfd = openat(sp->fd[SPOOL_CUR], tmp, O_RDWR | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0640);
		if (tfd != -1 || errno != EEXIST || tries > 0)
			break;
		(void)unlinkat(sp->fd[SPOOL_CUR], tmp, 0);
	}
	if (tfd == -1) {
		err_set_sys(err, errsz, "create %s/cur/%s", sp->root, tmp);
		return -1;
	}
	for (;;) {
		n = read(fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set_sys(err, errsz, "read %s/%s/%s", sp->root,
			    spool_dir_name(from), id);
			goto fail;
		}
		if (n == 0)
			break;
		if (write_all(tfd, buf, (size_t)n) == -1) {
			err_set_sys(err, errsz, "write %s/cur/%s", sp->root, tmp);
			goto fail;
		}
	}
	if (sp->fsync && fsync(tfd) == -1) {
		err_set_sys(err, errsz, "fsync %s/cur/%s", sp->root, tmp);
		goto fail;
	}
	if (flock(tfd, LOCK_EX | LOCK_NB) == -1) {
		err_set_sys(err, errsz, "flock %s/cur/%s", sp->root, tmp);
		goto fail;
	}
	if (linkat(sp->fd[SPOOL_CUR], tmp, sp->fd[SPOOL_CUR], id, 0) == -1) {
		if (errno != EEXIST) {
			err_set_sys(err, errsz, "link %s/cur/%s", sp->root, id);
			goto fail;
		}
		/* A live worker's claim, or a dead one's copy to replace. */
		old = openat(sp->fd[SPOOL_CUR], id, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_CLOEXEC);
		if (old != -1 && fstat(old, &st) == 0 && S_ISREG(st.st_mode) &&
		    flock(old, LOCK_EX | LOCK_NB) == -1 &&
		    errno == EWOULDBLOCK) {
			close(old);
			rc = -2;
			goto fail;
		}
		if (old != -1)
			close(old);
		if (renameat(sp->fd[SPOOL_CUR], tmp, sp->fd[SPOOL_CUR], id)
		    == -1) {
			err_set_sys(err, errsz, "rename %s/cur/%s", sp->root,
			    tmp);
			goto fail;
		}
	} else
		(void)unlinkat(sp->fd[SPOOL_CUR], tmp, 0);
	/* cur/ID must outlive a crash before from/ID may go. */
	if (sp->fsync && fsync(sp->fd[SPOOL_CUR]) == -1) {
		err_set_sys(err, errsz, "fsync %s/cur", sp->root);
		saved = errno;
		(void)unlinkat(sp->fd[SPOOL_CUR], id, 0);
		close(tfd);
		errno = saved;
		return -1;
	}
	if (unlinkat(sp->fd[from], id, 0) == -1 && errno != ENOENT) {
		/* Two copies of one event: take ours back out of cur/. */
		err_set_sys(err, errsz, "unlink %s/%s/%s", sp->root,
		    spool_dir_name(from), id);
		saved = errno;
		(void)unlinkat(sp->fd[SPOOL_CUR], id, 0);
		close(tfd);
		errno = saved;
		return -1;
	}
	return tfd;

fail:
	saved = errno;
	(void)unlinkat(sp->fd[SPOOL_CUR], tmp, 0);
	(void)close(tfd);
	errno = saved;
	return rc;
}

/*
 * The type check comes before anything else so that junk dropped into
 * new/ stays where an operator sees it instead of bouncing through cur/.
 * A file the responder's user dropped (anything in new/, and whatever in
 * deferred/ is not ours) is picked up: copied into a file of our own.
 * deferred/ files we wrote ourselves are simply renamed.  No fsync of
 * cur/ after a rename: a claim lost in a crash leaves the file where it
 * was, as recovery would.
 */
int
spool_claim(struct spool *sp, enum spool_dir from, const char *id,
    char *err, size_t errsz)
{
	struct stat st, now;
	int fd, tfd, rc = -1, saved;

	fd = spool_open_file(sp, from, id, "claim", &st, err, errsz);
	if (fd == -1)
		return errno == ENOENT ? -2 : -1;
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			rc = -2;
		else
			err_set_sys(err, errsz, "flock %s/%s/%s", sp->root,
			    spool_dir_name(from), id);
		goto fail;
	}
	if (from == SPOOL_NEW || st.st_uid != geteuid()) {
		/* Still the file we locked?  Another worker may be done. */
		if (fstatat(sp->fd[from], id, &now, AT_SYMLINK_NOFOLLOW) == -1 ||
		    now.st_ino != st.st_ino || now.st_dev != st.st_dev) {
			rc = -2;
			goto fail;
		}
		tfd = spool_pickup(sp, fd, from, id, err, errsz);
		saved = errno;
		(void)close(fd);
		errno = saved;
		return tfd;
	}
	if (renameat(sp->fd[from], id, sp->fd[SPOOL_CUR], id) == -1) {
		if (errno == ENOENT)
			rc = -2;
		else
			err_set_sys(err, errsz, "rename %s/%s/%s to cur/",
			    sp->root, spool_dir_name(from), id);
		goto fail;
	}
	return fd;

fail:
	saved = errno;
	(void)close(fd);	/* read only, and unlocks: nothing to lose */
	errno = saved;
	return rc;
}

int
spool_move(struct spool *sp, const char *id, enum spool_dir from,
    enum spool_dir to, char *err, size_t errsz)
{
	if (!spool_name_ok(id)) {
		err_set_sys(err, errsz, "move %s/%s/%s", sp->root,
		    spool_dir_name(from), id ? id : "(null)");
		return -1;
	}
	if (renameat(sp->fd[from], id, sp->fd[to], id) == -1) {
		err_set_sys(err, errsz, "rename %s/%s/%s to %s/", sp->root,
		    spool_dir_name(from), id, spool_dir_name(to));
		return -1;
	}
	if (sp->fsync && fsync(sp->fd[to]) == -1) {
		err_set_sys(err, errsz, "fsync %s/%s", sp->root,
		    spool_dir_name(to));
		return -1;
	}
	return 0;
}

/* atime says when it was deferred, mtime when to try again (Postfix). */
int
spool_defer(struct spool *sp, const char *id, const struct timespec *when,
    char *err, size_t errsz)
{
	struct timespec ts[2];

	if (!spool_name_ok(id)) {
		err_set_sys(err, errsz, "defer %s/cur/%s", sp->root,
		    id ? id : "(null)");
		return -1;
	}
	ts[0].tv_sec = 0;
	ts[0].tv_nsec = UTIME_NOW;
	ts[1] = *when;
	if (ts[1].tv_nsec < 0 || ts[1].tv_nsec >= 1000000000L) {
		errno = EINVAL;
		err_set_sys(err, errsz, "defer %s/cur/%s: bad time", sp->root,
		    id);
		return -1;
	}
	if (utimensat(sp->fd[SPOOL_CUR], id, ts, AT_SYMLINK_NOFOLLOW) == -1) {
		err_set_sys(err, errsz, "utimensat %s/cur/%s", sp->root, id);
		return -1;
	}
	return spool_move(sp, id, SPOOL_CUR, SPOOL_DEFERRED, err, errsz);
}

/* *data is NUL-terminated beyond *len, for parsers that want a string. */
int
spool_read(struct spool *sp, enum spool_dir d, const char *id, size_t max,
    char **data, size_t *len, char *err, size_t errsz)
{
	struct stat st;
	char *buf = NULL;
	size_t size;
	ssize_t n;
	int fd = -1, rc, saved;

	fd = spool_open_file(sp, d, id, "read", &st, err, errsz);
	if (fd == -1)
		goto fail;
	if ((uintmax_t)st.st_size > max) {
		errno = EFBIG;
		err_set_sys(err, errsz, "read %s/%s/%s: %jd bytes, more than "
		    "the %zu allowed", sp->root, spool_dir_name(d), id,
		    (intmax_t)st.st_size, max);
		goto fail;
	}
	size = (size_t)st.st_size;
	buf = malloc(size + 1);
	if (buf == NULL) {
		err_set_sys(err, errsz, "read %s/%s/%s", sp->root,
		    spool_dir_name(d), id);
		goto fail;
	}
	if ((n = read_all(fd, buf, size)) == -1) {
		err_set_sys(err, errsz, "read %s/%s/%s", sp->root,
		    spool_dir_name(d), id);
		goto fail;
	}
	if ((size_t)n < size) {
		/* Spool files never change: this one was tampered with. */
		errno = EIO;
		err_set_sys(err, errsz, "read %s/%s/%s: shorter than its "
		    "size", sp->root, spool_dir_name(d), id);
		goto fail;
	}
	buf[size] = '\0';
	rc = close(fd);
	fd = -1;
	if (rc == -1) {
		err_set_sys(err, errsz, "close %s/%s/%s", sp->root,
		    spool_dir_name(d), id);
		goto fail;
	}
	*data = buf;
	*len = size;
	return 0;

fail:
	saved = errno;
	if (fd != -1)
		(void)close(fd);	/* already failing; read only */
	free(buf);
	errno = saved;
	return -1;
}

/*
 * No directory fsync: an unlink lost in a crash brings back an event that
 * was already applied, and applying it again changes nothing.
 */
int
spool_unlink(struct spool *sp, enum spool_dir d, const char *id,
    char *err, size_t errsz)
{
	if (!spool_name_ok(id) || unlinkat(sp->fd[d], id, 0) == -1) {
		err_set_sys(err, errsz, "unlink %s/%s/%s", sp->root,
		    spool_dir_name(d), id ? id : "(null)");
		return -1;
	}
	return 0;
}

/* 1: returned to new/; 0: left alone (its owner lives, or it is gone). */
static int
spool_recover_one(struct spool *sp, const char *name, char *err,
    size_t errsz)
{
	struct stat st;
	int fd, rc = -1, saved;

	fd = openat(sp->fd[SPOOL_CUR], name,
	    O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK);
	if (fd == -1) {
		if (errno == ENOENT)
			return 0;
		err_set_sys(err, errsz, "open %s/cur/%s", sp->root, name);
		return -1;
	}
	if (fstat(fd, &st) == -1) {
		err_set_sys(err, errsz, "fstat %s/cur/%s", sp->root, name);
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		rc = 0;
		goto fail;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		if (errno == EWOULDBLOCK)
			rc = 0;
		else
			err_set_sys(err, errsz, "flock %s/cur/%s", sp->root,
			    name);
		goto fail;
	}
	if (renameat(sp->fd[SPOOL_CUR], name, sp->fd[SPOOL_NEW], name) == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			err_set_sys(err, errsz, "rename %s/cur/%s to new/",
			    sp->root, name);
		goto fail;
	}
	rc = close(fd);
	if (rc == -1) {
		err_set_sys(err, errsz, "close %s/cur/%s", sp->root, name);
		return -1;
	}
	return 1;

fail:
	saved = errno;
	(void)close(fd);	/* read only, and unlocks: nothing to lose */
	errno = saved;
	return rc;
}

/* 1: removed; 0: young, a directory, or gone. */
static int
spool_remove_stale(struct spool *sp, const char *name, time_t now,
    time_t max_age, char *err, size_t errsz)
{
	struct stat st;

	if (fstatat(sp->fd[SPOOL_TMP], name, &st, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set_sys(err, errsz, "stat %s/tmp/%s", sp->root, name);
		return -1;
	}
	if (S_ISDIR(st.st_mode) || now - st.st_mtime <= max_age)
		return 0;
	if (unlinkat(sp->fd[SPOOL_TMP], name, 0) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set_sys(err, errsz, "unlink %s/tmp/%s", sp->root, name);
		return -1;
	}
	return 1;
}

/* spool_scan_open(), saying in err which directory did not open. */
static int
spool_scan_start(struct spool *sp, enum spool_dir d, struct spool_scan *s,
    char *err, size_t errsz)
{
	if (spool_scan_open(sp, d, s) == -1)
		return err_set_sys(err, errsz, "open %s/%s", sp->root,
		    spool_dir_name(d));
	return 0;
}

/*
 * Once spool_scan_next() returned NULL: 0 at the directory's end, -1
 * with errno kept and err filled when readdir failed.
 */
static int
spool_scan_end(struct spool *sp, enum spool_dir d, char *err, size_t errsz)
{
	if (errno == 0)
		return 0;
	return err_set_sys(err, errsz, "readdir %s/%s", sp->root,
	    spool_dir_name(d));
}

/*
 * Scan cur/ (return orphans to new/) or tmp/ (remove stale files).  One bad
 * file must not stop a worker from starting: every file is tried, only
 * the first error is written to err, and the count is right either way.
 */
static int
spool_recover_dir(struct spool *sp, enum spool_dir d, time_t now,
    time_t max_age, long *count, char *err, size_t errsz)
{
	struct spool_scan s;
	const char *name;
	int r, failed = 0, first_errno = 0;

	if (spool_scan_start(sp, d, &s, err, errsz) == -1)
		return -1;
	while ((name = spool_scan_next(&s)) != NULL) {
		if (d == SPOOL_CUR)
			r = spool_recover_one(sp, name, failed ? NULL : err,
			    errsz);
		else
			r = spool_remove_stale(sp, name, now, max_age,
			    failed ? NULL : err, errsz);
		if (r == -1 && !failed) {
			failed = 1;
			first_errno = errno;
		} else if (r > 0)
			*count += r;
	}
	if (spool_scan_end(sp, d, failed ? NULL : err, errsz) == -1 &&
	    !failed) {
		failed = 1;
		first_errno = errno;
	}
	spool_scan_close(&s);
	if (failed) {
		errno = first_errno;
		return -1;
	}
	return 0;
}

int
spool_recover(struct spool *sp, time_t tmp_max_age, long *returned,
    long *removed, char *err, size_t errsz)
{
	struct timespec now;
	long nret = 0, nrem = 0;
	int failed = 0, first_errno = 0;

	if (spool_recover_dir(sp, SPOOL_CUR, 0, 0, &nret, err, errsz) == -1) {
		failed = 1;
		first_errno = errno;
	}
	if (clock_gettime(CLOCK_REALTIME, &now) == -1) {
		if (!failed) {
			err_set_sys(err, errsz, "clock_gettime");
			failed = 1;
			first_errno = errno;
		}
	} else if (spool_recover_dir(sp, SPOOL_TMP, now.tv_sec, tmp_max_age,
	    &nrem, failed ? NULL : err, errsz) == -1 && !failed) {
		failed = 1;
		first_errno = errno;
	}
	if (returned != NULL)
		*returned = nret;
	if (removed != NULL)
		*removed = nrem;
	if (failed) {
		errno = first_errno;
		return -1;
	}
	return 0;
}

/*
 * A fresh open of the directory rather than dup(): a dup shares the
 * directory offset with sp->fd[d], so two threads scanning the same
 * directory (the worker and spool_count() for metrics) would each skip
 * entries the other read.
 */
int
spool_scan_open(struct spool *sp, enum spool_dir d, struct spool_scan *s)
{
	int fd, saved;

	s->dir = NULL;
	fd = openat(sp->fd[d], ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	s->dir = fdopendir(fd);
	if (s->dir == NULL) {
		saved = errno;
		(void)close(fd);
		errno = saved;
		return -1;
	}
	return 0;
}

/* At the end errno is 0; after a readdir error it is not. */
const char *
spool_scan_next(struct spool_scan *s)
{
	struct dirent *de;

	for (;;) {
		errno = 0;
		de = readdir(s->dir);
		if (de == NULL)
			return NULL;
		if (de->d_name[0] != '.')
			return de->d_name;
	}
}

void
spool_scan_close(struct spool_scan *s)
{
	if (s->dir != NULL)
		(void)closedir(s->dir);	/* read only: nothing to lose */
	s->dir = NULL;
}

int
spool_count(struct spool *sp, enum spool_dir d, struct spool_count *cnt,
    char *err, size_t errsz)
{
	struct spool_scan s;
	struct timespec ts;
	struct stat st;
	const char *name;
	time_t t;
	int saved;

	cnt->n = 0;
	cnt->oldest = 0;
	if (spool_scan_start(sp, d, &s, err, errsz) == -1)
		return -1;
	while ((name = spool_scan_next(&s)) != NULL) {
		/* The id, not mtime: deferred/ files carry their retry time. */
		if (spool_id_time(name, &ts) == 0)
			t = ts.tv_sec;
		else if (fstatat(sp->fd[d], name, &st,
		    AT_SYMLINK_NOFOLLOW) == 0)
			t = st.st_mtime;
		else if (errno == ENOENT)
			continue;	/* left while we looked */
		else {
			err_set_sys(err, errsz, "stat %s/%s/%s", sp->root,
			    spool_dir_name(d), name);
			goto fail;
		}
		if (cnt->n == 0 || t < cnt->oldest)
			cnt->oldest = t;
		cnt->n++;
	}
	if (spool_scan_end(sp, d, err, errsz) == -1)
		goto fail;
	spool_scan_close(&s);
	return 0;

fail:
	saved = errno;
	spool_scan_close(&s);
	errno = saved;
	return -1;
}
