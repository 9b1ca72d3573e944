/*
 * atomicfile: see atomicfile.h.  A small file is replaced as Maildir and
 * Postfix move a message into place: a temp file under a name nobody
 * else picks, written, fsync'd, closed with the close checked, and only
 * then renamed to where readers look.
 *
 * How it fails: -1, errno as the failing call left it, and "NAME: what
 * failed: reason" in the caller's err buffer; the temp file is removed
 * before it returns, so a failure leaves the old file as it was and
 * nothing else behind.  The fsync of the directory after the rename is
 * the one step whose failure is not reported: the new file is already in
 * place, whole, and a crash could only bring back the old one, whole.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "err.h"

/* A taken temp name is a dead process's leftover: a few tries suffice. */
#define ATOMICFILE_TRIES	16
/* The final name's part of a temp name, so that it stays under NAME_MAX. */
#define ATOMICFILE_BASE_MAX	200

static atomic_ulong atomicfile_seq;

int
write_all(int fd, const void *buf, size_t n)
{
	const char *p = buf;
	ssize_t w;

	while (n > 0) {
		w = write(fd, p, n);
		if (w == -1 && errno == EINTR)
			continue;
		if (w == -1)
			return -1;
		if (w == 0) {
			/* Not meant to happen on a file: call it full. */
			errno = ENOSPC;
			return -1;
		}
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

ssize_t
read_all(int fd, void *buf, size_t n)
{
	char *p = buf;
	size_t got = 0;
	ssize_t r;

	while (got < n) {
		r = read(fd, p + got, n - got);
		if (r == -1 && errno == EINTR)
			continue;
		if (r == -1)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	/* n is a buffer's size: it fits in ssize_t. */
	return (ssize_t)got;
}

void
atomicfile_abort(struct atomicfile *af)
{
	int saved = errno;

	/* The file is removed just below: a failed close loses nothing. */
	if (af->fd != -1)
		(void)close(af->fd);
	af->fd = -1;
	if (af->tmp[0] != '\0')
		(void)unlinkat(af->tmpdir, af->tmp, 0);
	af->tmp[0] = '\0';
	errno = saved;
}

int
atomicfile_begin(struct atomicfile *af, int tmpdirfd, int dirfd,
    const char *name, mode_t mode, int flags, char *err, size_t errsz)
{
	const char *base;
	size_t dirlen, baselen;
	int n, tries;

	af->tmpdir = tmpdirfd;
	af->dir = dirfd;
	af->fd = -1;
	af->flags = flags;
	af->name = name;
	af->tmp[0] = '\0';
	base = strrchr(name, '/');
	base = base == NULL ? name : base + 1;
	if (*base == '\0' || strlen(name) >= sizeof(af->tmp)) {
		errno = *base == '\0' ? EINVAL : ENAMETOOLONG;
		err_set_sys(err, errsz, "%s: not a file name", name);
		return -1;
	}
	/* In another directory, only the last component names the temp. */
	dirlen = tmpdirfd == dirfd ? (size_t)(base - name) : 0;
	baselen = strlen(base);
	if (baselen > ATOMICFILE_BASE_MAX)
		baselen = ATOMICFILE_BASE_MAX;
	for (tries = 1;; tries++) {
		n = snprintf(af->tmp, sizeof(af->tmp), "%.*s%.*s.tmp.%ld.%lu",
		    (int)dirlen, name, (int)baselen, base, (long)getpid(),
		    atomic_fetch_add(&atomicfile_seq, 1));
		if (n < 0 || (size_t)n >= sizeof(af->tmp)) {
			af->tmp[0] = '\0';
			errno = ENAMETOOLONG;
			err_set_sys(err, errsz, "%s: no room for a temp "
			    "name", name);
			return -1;
		}
		af->fd = openat(tmpdirfd, af->tmp, O_WRONLY | O_CREAT |
		    O_EXCL | O_NOFOLLOW | O_CLOEXEC, mode);
		if (af->fd != -1)
			break;
		if (errno != EEXIST || tries >= ATOMICFILE_TRIES) {
			err_set_sys(err, errsz, "%s: create %s", name, af->tmp);
			af->tmp[0] = '\0';
			return -1;
		}
		/*
		 * Our pid and a count this process has not used: left by a
		 * dead process that had our pid.  Should the unlink fail, the
		 * next name is tried all the same.
		 */
		(void)unlinkat(tmpdirfd, af->tmp, 0);
	}
	/* The mode asked for, whatever the umask. */
	if (fchmod(af->fd, mode) == -1) {
		err_set_sys(err, errsz, "%s: fchmod %s", name, af->tmp);
		atomicfile_abort(af);
		return -1;
	}
	return 0;
}

int
atomicfile_put(struct atomicfile *af, const void *data, size_t len,
    char *err, size_t errsz)
{
	if (write_all(af->fd, data, len) == -1) {
		err_set_sys(err, errsz, "%s: write %s", af->name, af->tmp);
		atomicfile_abort(af);
		return -1;
	}
	return 0;
}

/* Best effort, see above; name's directory is relative to af->dir. */
static void
atomicfile_sync_dir(const struct atomicfile *af)
{
	char dir[ATOMICFILE_PATH_MAX];
	const char *slash = strrchr(af->name, '/');
	int fd;

	if (slash == NULL && af->dir != AT_FDCWD) {
		(void)fsync(af->dir);
		return;
	}
	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == af->name)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - af->name),
		    af->name);
	if ((fd = openat(af->dir, dir, O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		return;
	(void)fsync(fd);
	(void)close(fd);
}

int
atomicfile_commit(struct atomicfile *af, char *err, size_t errsz)
{
	int rc;

	if (!(af->flags & ATOMICFILE_NOSYNC) && fsync(af->fd) == -1) {
		err_set_sys(err, errsz, "%s: fsync %s", af->name, af->tmp);
		goto fail;
	}
	/* Linux frees the descriptor even when close fails: never retry. */
	rc = close(af->fd);
	af->fd = -1;
	if (rc == -1) {
		err_set_sys(err, errsz, "%s: close %s", af->name, af->tmp);
		goto fail;
	}
	if (renameat(af->tmpdir, af->tmp, af->dir, af->name) == -1) {
		err_set_sys(err, errsz, "%s: rename %s", af->name, af->tmp);
		goto fail;
	}
	af->tmp[0] = '\0';
	if (af->flags & ATOMICFILE_SYNC_DIR)
		atomicfile_sync_dir(af);
	return 0;
fail:
	atomicfile_abort(af);
	return -1;
}

int
atomicfile_write(int dirfd, const char *name, const void *data, size_t len,
    mode_t mode, int flags, char *err, size_t errsz)
{
	struct atomicfile af;

	if (atomicfile_begin(&af, dirfd, dirfd, name, mode, flags, err,
	    errsz) == -1 || atomicfile_put(&af, data, len, err, errsz) == -1)
		return -1;
	return atomicfile_commit(&af, err, errsz);
}
