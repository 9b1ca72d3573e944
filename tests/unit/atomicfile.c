/*
 * atomicfile unit test: lib/atomicfile in a scratch directory.
 *
 *	mode	the file has exactly the mode asked for under umask 077 and
 *		022, and so has the temp file while it is being written
 *	content	the bytes written, nothing else; an existing (longer) file
 *		is replaced whole
 *	temp	no temp file is left after success, after abort, or after a
 *		failure (the final name a directory, so the rename fails; a
 *		directory we may not write, when not root); a stale temp file
 *		of a process that had our pid is removed; the temp name never
 *		ends in the final name's suffix; a private temp directory
 *		is left empty
 *	errors	-1, errno as the failing call left it, a message naming the
 *		path, and no descriptor leaked
 *
 * Short writes and EINTR in write_all() are injected by the spool test
 * (it wraps write(2), and spool_commit() writes through write_all());
 * read_all() reads a pipe, which gives it at most its capacity a read.
 * Fails (exit 1, "not ok" lines) when any step differs.
 */
#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "atomicfile.h"
#include "tap.h"

static char dir[] = "/tmp/rh-atomicfile-unit.XXXXXX";

static void
bail(const char *what)
{
	printf("Bail out! %s: %s\n", what, strerror(errno));
	exit(1);
}

static int
lowest_fd(void)
{
	int fd;

	if ((fd = open("/dev/null", O_RDONLY | O_CLOEXEC)) == -1 ||
	    close(fd) == -1)
		bail("/dev/null");
	return fd;
}

/* Entries in d other than . and .. */
static int
count_entries(const char *d)
{
	struct dirent *de;
	DIR *dp;
	int n = 0;

	if ((dp = opendir(d)) == NULL)
		return -1;
	while ((de = readdir(dp)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(dp);
	return n;
}

/* Whether path holds exactly text, with mode exactly mode. */
static int
holds(const char *path, const char *text, mode_t mode)
{
	char buf[256];
	struct stat st;
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY)) == -1)
		return 0;
	n = read(fd, buf, sizeof(buf));
	if (fstat(fd, &st) == -1)
		n = -1;
	close(fd);
	if (n < 0 || (size_t)n != strlen(text) ||
	    memcmp(buf, text, (size_t)n) != 0) {
		printf("# %s: content differs\n", path);
		return 0;
	}
	if ((st.st_mode & 07777) != mode) {
		printf("# %s: mode %04o, want %04o\n", path,
		    (unsigned)(st.st_mode & 07777), (unsigned)mode);
		return 0;
	}
	return 1;
}

static void
test_modes(void)
{
	static const struct {
		mode_t	 umask, mode;
	} mc[] = {
		{ 077, 0644 }, { 022, 0644 }, { 077, 0600 }, { 022, 0600 },
		{ 077, 0640 }, { 0, 0600 },
	};
	char path[256], err[512];
	size_t i;
	int rc;

	snprintf(path, sizeof(path), "%s/m.prom", dir);
	for (i = 0; i < sizeof(mc) / sizeof(mc[0]); i++) {
		umask(mc[i].umask);
		rc = atomicfile_write(AT_FDCWD, path, "text\n", 5, mc[i].mode,
		    0, err, sizeof(err));
		umask(022);
		ok(rc == 0 && holds(path, "text\n", mc[i].mode),
		    "mode %04o under umask %03o: content and mode exact",
		    (unsigned)mc[i].mode, (unsigned)mc[i].umask);
		is_int(count_entries(dir), 1, "... and no temp file is left");
		if (unlink(path) == -1)
			bail(path);
	}
}

static void
test_replace(void)
{
	char path[256], err[512];
	int dfd, fd;

	/* A longer file first: what is left must be the new bytes only. */
	snprintf(path, sizeof(path), "%s/token", dir);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0644)) == -1 ||
	    write(fd, "an old, longer content\n", 23) != 23 || close(fd) == -1)
		bail(path);
	if ((dfd = open(dir, O_RDONLY | O_DIRECTORY)) == -1)
		bail(dir);
	umask(077);
	ok(atomicfile_write(dfd, "token", "new\n", 4, 0600,
	    ATOMICFILE_SYNC_DIR, err, sizeof(err)) == 0,
	    "an existing file is replaced through a directory descriptor");
	umask(022);
	ok(holds(path, "new\n", 0600), "... whole: new bytes, new mode");
	ok(atomicfile_write(dfd, "token", "", 0, 0600, ATOMICFILE_NOSYNC,
	    err, sizeof(err)) == 0 && holds(path, "", 0600),
	    "empty content, without fsync, replaces it too");
	is_int(count_entries(dir), 1, "no temp file is left");
	close(dfd);
	if (unlink(path) == -1)
		bail(path);
}

/* Written through a private temp directory, as worker/state does. */
static void
test_tmpdir(void)
{
	struct atomicfile af;
	char sub[256], tmp[256], path[300], err[512];
	int sfd, tfd;

	snprintf(sub, sizeof(sub), "%s/order", dir);
	snprintf(tmp, sizeof(tmp), "%s/tmp", dir);
	if (mkdir(sub, 0700) == -1 || mkdir(tmp, 0700) == -1 ||
	    (sfd = open(sub, O_RDONLY | O_DIRECTORY)) == -1 ||
	    (tfd = open(tmp, O_RDONLY | O_DIRECTORY)) == -1)
		bail(sub);
	ok(atomicfile_begin(&af, tfd, sfd, "status:agent-1", 0600, 0, err,
	    sizeof(err)) == 0, "begin with a private temp directory");
	is_int(count_entries(tmp), 1, "... the temp file is made there");
	ok(atomicfile_put(&af, "1 a\n", 4, err, sizeof(err)) == 0 &&
	    atomicfile_commit(&af, err, sizeof(err)) == 0,
	    "... written and committed");
	snprintf(path, sizeof(path), "%s/status:agent-1", sub);
	ok(holds(path, "1 a\n", 0600), "... the file is in its directory");
	is_int(count_entries(tmp), 0, "... and the temp directory is empty");
	atomicfile_abort(&af);
	ok(holds(path, "1 a\n", 0600), "abort after commit changes nothing");
	close(sfd);
	close(tfd);
	if (unlink(path) == -1 || rmdir(sub) == -1 || rmdir(tmp) == -1)
		bail(sub);
}

static void
test_temp_names(void)
{
	struct atomicfile af;
	struct stat st;
	char path[256], stale[300], err[512], *dot;
	unsigned long n;
	int fd;

	snprintf(path, sizeof(path), "%s/routehook.prom", dir);
	umask(077);
	if (atomicfile_begin(&af, AT_FDCWD, AT_FDCWD, path, 0644, 0, err,
	    sizeof(err)) == -1)
		bail(err);
	umask(022);
	if (fstat(af.fd, &st) == -1)
		bail(af.tmp);
	ok((st.st_mode & 07777) == 0644,
	    "the temp file has the mode already (%04o)",
	    (unsigned)(st.st_mode & 07777));
	ok(strncmp(af.tmp, path, strlen(path)) == 0 &&
	    strcmp(af.tmp + strlen(af.tmp) - 5, ".prom") != 0,
	    "the temp name is beside the file, not ending in .prom: %s",
	    af.tmp);
	dot = strrchr(af.tmp, '.');
	n = strtoul(dot + 1, NULL, 10);
	atomicfile_abort(&af);
	is_int(count_entries(dir), 0, "abort removes the temp file");

	/* The next name this process will try, left by a dead process. */
	snprintf(stale, sizeof(stale), "%s.tmp.%ld.%lu", path, (long)getpid(),
	    n + 1);
	if ((fd = open(stale, O_WRONLY | O_CREAT | O_EXCL, 0600)) == -1 ||
	    close(fd) == -1)
		bail(stale);
	ok(atomicfile_write(AT_FDCWD, path, "x\n", 2, 0644, 0, err,
	    sizeof(err)) == 0 && holds(path, "x\n", 0644),
	    "a stale temp file in the way: written all the same");
	is_int(count_entries(dir), 1, "... and the stale temp file is gone");

	/* A begin whose put is never made: the old file stays. */
	if (atomicfile_begin(&af, AT_FDCWD, AT_FDCWD, path, 0644, 0, err,
	    sizeof(err)) == -1)
		bail(err);
	atomicfile_abort(&af);
	ok(holds(path, "x\n", 0644) && count_entries(dir) == 1,
	    "abort before commit leaves the old file, and nothing else");
	if (unlink(path) == -1)
		bail(path);
}

static void
test_failures(void)
{
	char path[256], ro[256], err[512];
	int fd0, rc, e;

	/* The final name is a directory: the rename fails, for root too. */
	snprintf(path, sizeof(path), "%s/secret", dir);
	if (mkdir(path, 0700) == -1)
		bail(path);
	fd0 = lowest_fd();
	err[0] = '\0';
	rc = atomicfile_write(AT_FDCWD, path, "s\n", 2, 0600,
	    ATOMICFILE_SYNC_DIR, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == EISDIR, "the name is a directory: -1, EISDIR "
	    "(%s)", strerror(e));
	ok(strstr(err, path) != NULL, "... the message names the path: %s",
	    err);
	is_int(count_entries(dir), 1, "... no temp file is left");
	is_int(count_entries(path), 0, "... nothing was put in the directory");
	is_int(lowest_fd(), fd0, "... no descriptor leaked");
	if (rmdir(path) == -1)
		bail(path);

	/* A directory we may not write (root may write anywhere). */
	snprintf(ro, sizeof(ro), "%s/ro", dir);
	snprintf(path, sizeof(path), "%s/ro/m.prom", dir);
	if (mkdir(ro, 0500) == -1)
		bail(ro);
	if (geteuid() == 0) {
		ok(1, "a directory not writable # SKIP running as root");
		ok(1, "... message # SKIP running as root");
		ok(1, "... nothing left # SKIP running as root");
	} else {
		err[0] = '\0';
		rc = atomicfile_write(AT_FDCWD, path, "s\n", 2, 0644, 0, err,
		    sizeof(err));
		e = errno;
		ok(rc == -1 && e == EACCES, "a directory not writable: -1, "
		    "EACCES (%s)", strerror(e));
		ok(strstr(err, path) != NULL, "... the message names the "
		    "path: %s", err);
		is_int(count_entries(ro), 0, "... nothing is left in it");
	}
	if (rmdir(ro) == -1)
		bail(ro);

	/* A directory that is not there. */
	snprintf(path, sizeof(path), "%s/gone/m.prom", dir);
	err[0] = '\0';
	rc = atomicfile_write(AT_FDCWD, path, "s\n", 2, 0644, 0, err,
	    sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOENT && strstr(err, path) != NULL,
	    "a directory that is not there: -1, ENOENT, naming the path: %s",
	    err);
	rc = atomicfile_write(AT_FDCWD, "nodir/", "s\n", 2, 0644, 0, err,
	    sizeof(err));
	e = errno;
	ok(rc == -1 && e == EINVAL, "a name ending in /: -1, EINVAL: %s",
	    err);
	is_int(lowest_fd(), fd0, "no descriptor leaked by the failures");
}

static void
test_write_all(void)
{
	char buf[200000], path[256], *back;
	size_t i;
	ssize_t n;
	int fd;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 7);
	snprintf(path, sizeof(path), "%s/big", dir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0600)) == -1)
		bail(path);
	ok(write_all(fd, buf, sizeof(buf)) == 0, "write_all: 200000 bytes");
	if ((back = malloc(sizeof(buf) + 1)) == NULL)
		bail("malloc");
	n = pread(fd, back, sizeof(buf) + 1, 0);
	ok(n == (ssize_t)sizeof(buf) && memcmp(back, buf, sizeof(buf)) == 0,
	    "... and they read back");
	free(back);
	close(fd);
	if (unlink(path) == -1)
		bail(path);
	if ((fd = open("/dev/full", O_WRONLY)) == -1) {
		ok(1, "write_all to a full device # SKIP no /dev/full");
		return;
	}
	errno = 0;
	ok(write_all(fd, buf, 10) == -1 && errno == ENOSPC,
	    "write_all to a full device: -1, ENOSPC");
	close(fd);
}

/* A pipe hands read(2) at most its capacity: read_all() must go on. */
static void
test_read_all(void)
{
	static char buf[200000], back[200001];
	int p[2], status;
	size_t i;
	pid_t pid;

	for (i = 0; i < sizeof(buf); i++)
		buf[i] = (char)(i * 11);
	if (pipe(p) == -1)
		bail("pipe");
	if ((pid = fork()) == -1)
		bail("fork");
	if (pid == 0) {
		close(p[0]);
		_exit(write_all(p[1], buf, sizeof(buf)) == 0 ? 0 : 1);
	}
	close(p[1]);
	ok(read_all(p[0], back, 1000) == 1000 && memcmp(back, buf, 1000) == 0,
	    "read_all: exactly the bytes asked for");
	ok(read_all(p[0], back + 1000, sizeof(back) - 1000) ==
	    (ssize_t)sizeof(buf) - 1000 && memcmp(back, buf, sizeof(buf)) == 0,
	    "read_all: through short reads to the end, less than asked");
	ok(read_all(p[0], back, 10) == 0, "read_all at the end: 0");
	close(p[0]);
	ok(waitpid(pid, &status, 0) == pid && WIFEXITED(status) &&
	    WEXITSTATUS(status) == 0, "... all of it written");
	errno = 0;
	ok(read_all(p[0], back, 10) == -1 && errno == EBADF,
	    "read_all of a closed descriptor: -1, EBADF");
}

int
main(void)
{
	if (mkdtemp(dir) == NULL)
		bail("mkdtemp");
	test_modes();
	test_replace();
	test_tmpdir();
	test_temp_names();
	test_failures();
	test_write_all();
	test_read_all();
	is_int(count_entries(dir), 0, "the scratch directory is left empty");
	if (rmdir(dir) == -1)
		bail(dir);
	return tap_done();
}
