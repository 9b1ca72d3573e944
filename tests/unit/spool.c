/*
 * spool.t: the maildir spool.  Ids are unique across threads and parse
 * back; commits store exactly the bytes given, and every failure on the
 * way (injected with the linker's --wrap, see WRAP_spool in the Makefile)
 * leaves nothing in tmp/ or new/; claims, recovery, deferral and counting
 * behave as spool.h says.  Prints TAP; exits 1 if any point fails.
 *
 * Runs in a scratch directory under $TMPDIR (or /tmp), removed at the end.
 */
#define _GNU_SOURCE		/* flock, unshare, sethostname; before includes */

#include <sys/file.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"
#include "tap.h"

/* ---- failure injection ------------------------------------------------ */

enum { W_FSYNC, W_RENAMEAT, W_CLOSE, W_WRITE, W_OPENAT, W_N };

/*
 * Calls nth, nth+1, ... (counted from arm()) fail with err, times times.
 * Tests arm only while a single thread runs; threads only read.
 */
static struct {
	int	 nth;
	int	 times;
	int	 err;
	int	 calls;
	int	 fired;
} inj[W_N];
static size_t	 short_next;		/* >0: next write is cut to this */
static void	(*on_fire)(int);	/* called as an injection fires */

int	__real_fsync(int);
int	__wrap_fsync(int);
int	__real_renameat(int, const char *, int, const char *);
int	__wrap_renameat(int, const char *, int, const char *);
int	__real_close(int);
int	__wrap_close(int);
ssize_t	__real_write(int, const void *, size_t);
ssize_t	__wrap_write(int, const void *, size_t);
int	__real_openat(int, const char *, int, ...);
int	__wrap_openat(int, const char *, int, ...);

static void
arm(int w, int nth, int times, int err)
{
	inj[w].nth = nth;
	inj[w].times = times;
	inj[w].err = err;
	inj[w].calls = 0;
	inj[w].fired = 0;
}

static void
disarm(void)
{
	int w;

	for (w = 0; w < W_N; w++)
		arm(w, 0, 0, 0);
	short_next = 0;
	on_fire = NULL;
}

static int
injected(int w)
{
	if (inj[w].times == 0)
		return 0;
	if (++inj[w].calls < inj[w].nth)
		return 0;
	inj[w].times--;
	inj[w].fired++;
	if (on_fire != NULL)
		on_fire(w);
	errno = inj[w].err;
	return 1;
}

int
__wrap_fsync(int fd)
{
	if (injected(W_FSYNC))
		return -1;
	return __real_fsync(fd);
}

int
__wrap_renameat(int ofd, const char *o, int nfd, const char *n)
{
	if (injected(W_RENAMEAT))
		return -1;
	return __real_renameat(ofd, o, nfd, n);
}

/* As on Linux, a failed close still frees the descriptor. */
int
__wrap_close(int fd)
{
	int e;

	if (injected(W_CLOSE)) {
		e = errno;
		(void)__real_close(fd);
		errno = e;
		return -1;
	}
	return __real_close(fd);
}

/* err 0 makes write return 0 instead of -1. */
ssize_t
__wrap_write(int fd, const void *buf, size_t n)
{
	if (injected(W_WRITE))
		return inj[W_WRITE].err == 0 ? 0 : -1;
	if (short_next > 0 && n > short_next) {
		n = short_next;
		short_next = 0;
	}
	return __real_write(fd, buf, n);
}

int
__wrap_openat(int dfd, const char *path, int flags, ...)
{
	va_list ap;
	int mode = 0;

	if (flags & O_CREAT) {
		va_start(ap, flags);
		mode = va_arg(ap, int);
		va_end(ap);
	}
	if (injected(W_OPENAT))
		return -1;
	return __real_openat(dfd, path, flags, mode);
}

/* ---- helpers ---------------------------------------------------------- */

static char scratch[PATH_MAX];
static int nroots;

static int	rm_rf_at(int, const char *);

static void
bail(const char *fmt, ...)
{
	va_list ap;

	printf("Bail out! ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (scratch[0] != '\0')
		(void)rm_rf_at(AT_FDCWD, scratch);
	exit(2);
}

/* A new, empty spool of its own. */
static void
fresh(struct spool *sp, int do_fsync)
{
	char root[PATH_MAX + 16], err[512];

	snprintf(root, sizeof(root), "%s/s%d", scratch, ++nroots);
	if (spool_open(sp, root, 1, do_fsync, err, sizeof(err)) == -1)
		bail("%s", err);
}

static long
count(struct spool *sp, enum spool_dir d)
{
	struct spool_count c;
	char err[512];

	if (spool_count(sp, d, &c, err, sizeof(err)) == -1)
		bail("%s", err);
	return c.n;
}

static int
present(struct spool *sp, enum spool_dir d, const char *id)
{
	struct stat st;

	return fstatat(sp->fd[d], id, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

static void
put(struct spool *sp, enum spool_dir d, const char *name, const char *text)
{
	int fd;

	fd = openat(sp->fd[d], name, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	if (fd == -1 || write(fd, text, strlen(text)) != (ssize_t)strlen(text)
	    || close(fd) == -1)
		bail("put %s: %s", name, strerror(errno));
}

static void
set_mtime(struct spool *sp, enum spool_dir d, const char *name, time_t t)
{
	struct timespec ts[2] = { { t, 0 }, { t, 0 } };

	if (utimensat(sp->fd[d], name, ts, 0) == -1)
		bail("utimensat %s: %s", name, strerror(errno));
}

/* The lowest free descriptor: it moves if one leaked. */
static int
lowest_fd(void)
{
	int fd;

	fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (fd == -1 || close(fd) == -1)
		bail("/dev/null: %s", strerror(errno));
	return fd;
}

static int
rm_rf_at(int dfd, const char *name)
{
	struct dirent *de;
	struct stat st;
	DIR *d;
	int fd;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == -1)
		return -1;
	if (!S_ISDIR(st.st_mode))
		return unlinkat(dfd, name, 0);
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd == -1)
		return -1;
	d = fdopendir(fd);
	if (d == NULL) {
		close(fd);
		return -1;
	}
	for (;;) {
		de = readdir(d);
		if (de == NULL)
			break;
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			(void)rm_rf_at(fd, de->d_name);
	}
	closedir(d);
	return unlinkat(dfd, name, AT_REMOVEDIR);
}

/* ---- ids -------------------------------------------------------------- */

/*
 * Runs first, in a child with its own UTS namespace, so that the child's
 * host cache is filled from the odd name we give it.
 */
static void
test_host_escape(void)
{
	const char odd[] = ".a/b:c d";
	const char want[] = ".\\056a\\057b\\072c\\040d";
	struct timespec ts = { 1, 0 };
	char id[SPOOL_ID_MAX] = "";
	ssize_t n;
	size_t off = 0;
	pid_t pid;
	int p[2], status;

	if (pipe(p) == -1)
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == -1)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(p[0]);
		if (unshare(CLONE_NEWUTS) == -1 ||
		    sethostname(odd, sizeof(odd) - 1) == -1)
			snprintf(id, sizeof(id), "SKIP %s", strerror(errno));
		else if (spool_make_id(id, sizeof(id), &ts) == -1)
			snprintf(id, sizeof(id), "ERROR %s", strerror(errno));
		if (write(p[1], id, strlen(id)) == -1)
			_exit(1);
		_exit(0);
	}
	close(p[1]);
	for (;;) {
		n = read(p[0], id + off, sizeof(id) - 1 - off);
		if (n <= 0)
			break;
		off += (size_t)n;
	}
	id[off] = '\0';
	close(p[0]);
	waitpid(pid, &status, 0);
	if (strncmp(id, "SKIP ", 5) == 0) {
		ok(1, "# SKIP host escaping: no UTS namespace (%s)", id + 5);
		return;
	}
	off = strlen(id) > strlen(want) ? strlen(id) - strlen(want) : 0;
	is_str(id + off, want, "host \"%s\" escaped Dovecot's way (id %s)",
	    odd, id);
	ok(spool_id_valid(id), "and the id is valid");
}

#define ID_THREADS	64
#define ID_EACH		1000

static char (*ids)[SPOOL_ID_MAX];
static const struct timespec id_when = { 1764370053, 123456789 };

static void *
id_thread(void *arg)
{
	size_t t = (size_t)(uintptr_t)arg, i;

	for (i = 0; i < ID_EACH; i++)
		if (spool_make_id(ids[t * ID_EACH + i], SPOOL_ID_MAX,
		    &id_when) == -1)
			ids[t * ID_EACH + i][0] = '\0';
	return NULL;
}

static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

static void
test_ids_unique(void)
{
	pthread_t th[ID_THREADS];
	size_t i, n = ID_THREADS * ID_EACH, dup = 0, bad = 0;

	ids = calloc(n, SPOOL_ID_MAX);
	if (ids == NULL)
		bail("calloc: %s", strerror(errno));
	for (i = 0; i < ID_THREADS; i++)
		if (pthread_create(&th[i], NULL, id_thread,
		    (void *)(uintptr_t)i) != 0)
			bail("pthread_create");
	for (i = 0; i < ID_THREADS; i++)
		pthread_join(th[i], NULL);
	for (i = 0; i < n; i++)
		if (!spool_id_valid(ids[i]))
			bad++;
	qsort(ids, n, SPOOL_ID_MAX, cmp_id);
	for (i = 1; i < n; i++)
		if (strcmp(ids[i - 1], ids[i]) == 0)
			dup++;
	is_int(bad, 0, "%d threads x %d ids from one timespec: all valid",
	    ID_THREADS, ID_EACH);
	is_int(dup, 0, "and all %zu distinct", n);
	ok(strncmp(ids[0], "1764370053.M123456P", 19) == 0,
	    "id starts with sec.Musec: %s", ids[0]);
	free(ids);
}

static void
test_ids_parse(void)
{
	static const char *const invalid[] = {
		"", "x", ".", "..", "a/b", "../1.M2P3Q4.h",
		"1.M2P3Q4.", "1.M2P3Q4..h", "1.M2P3Q4.a/b", "1.M2P3Q4.h:2,S",
		"1.M2P3Q4.h x", "1.M2P3Q.h", "1.MP3Q4.h", ".M2P3Q4.h",
		"1.M1234567P3Q4.h", "-1.M2P3Q4.h", "+1.M2P3Q4.h",
		"1M2P3Q4.h", "1.m2P3Q4.h", "1.M2P3Q4h",
		"99999999999999999999.M2P3Q4.h",
		"9223372036854775808.M2P3Q4.h",
	};
	struct timespec t, ts = { 1764370053, 987654321 };
	char id[SPOOL_ID_MAX], id2[SPOOL_ID_MAX], longid[SPOOL_ID_MAX + 8];
	int n;
	size_t i;

	n = spool_make_id(id, sizeof(id), &ts);
	ok(n > 0 && (size_t)n == strlen(id), "make_id returns the length");
	ok(spool_id_time(id, &t) == 0 && t.tv_sec == ts.tv_sec &&
	    t.tv_nsec == 987654000L, "spool_id_time round-trips sec and usec");
	ts.tv_nsec = 5000;
	spool_make_id(id, sizeof(id), &ts);
	ok(strstr(id, ".M000005P") != NULL, "usec is zero-padded: %s", id);
	ok(spool_id_time(id, &t) == 0 && t.tv_nsec == 5000,
	    "and parses back");
	ts.tv_nsec = 10000;
	spool_make_id(id2, sizeof(id2), &ts);
	ok(strcmp(id, id2) < 0, "names sort by arrival within a second");

	ok(spool_id_valid("1.M2P3Q4.h"), "minimal id valid");
	ok(spool_id_valid("1.M2P3Q4.h\\057x"), "escaped host valid");
	ok(spool_id_valid("9223372036854775807.M999999P4294967295Q"
	    "18446744073709551615.host.example.com"), "largest fields valid");
	for (i = 0; i < sizeof(invalid) / sizeof(invalid[0]); i++)
		ok(!spool_id_valid(invalid[i]) &&
		    spool_id_time(invalid[i], &t) == -1,
		    "invalid id rejected: \"%s\"", invalid[i]);
	ok(!spool_id_valid(NULL), "NULL rejected");
	memset(longid, 'h', sizeof(longid) - 1);
	memcpy(longid, "1.M2P3Q4.", 9);
	longid[SPOOL_ID_MAX] = '\0';
	ok(!spool_id_valid(longid), "id of %zu bytes (no room for the NUL) "
	    "rejected", strlen(longid));
	longid[SPOOL_ID_MAX - 1] = '\0';
	ok(spool_id_valid(longid), "id of %zu bytes valid", strlen(longid));

	n = spool_make_id(id, sizeof(id), &id_when);
	errno = 0;
	is_int(spool_make_id(id2, (size_t)n, &id_when), -1,
	    "make_id: buffer one byte short fails");
	is_int(errno, ERANGE, "with ERANGE");
	ok(spool_make_id(id2, (size_t)n + 1, &id_when) == n,
	    "make_id: exact buffer fits");
	ts.tv_sec = 1;
	ts.tv_nsec = 1000000000L;
	is_int(spool_make_id(id, sizeof(id), &ts), -1,
	    "make_id refuses tv_nsec out of range");
	ts.tv_sec = -1;
	ts.tv_nsec = 0;
	is_int(spool_make_id(id, sizeof(id), &ts), -1,
	    "make_id refuses a negative time");
}

/* ---- open ------------------------------------------------------------- */

static void
test_open(void)
{
	static const struct {
		enum spool_dir	 d;
		mode_t		 mode;
	} want[] = {
		{ SPOOL_TMP, 0770 }, { SPOOL_NEW, 0770 }, { SPOOL_CUR, 0750 },
		{ SPOOL_DEFERRED, 0750 }, { SPOOL_DEAD, 0750 },
		{ SPOOL_STATE, 0700 },
	};
	struct spool sp;
	struct stat st;
	char root[PATH_MAX + 16], err[512];
	size_t i;
	int rc, e, fd;

	snprintf(root, sizeof(root), "%s/open", scratch);
	err[0] = '\0';
	rc = spool_open(&sp, root, 0, 1, err, sizeof(err));
	e = errno;
	is_int(rc, -1, "open without create: missing spool fails");
	is_int(e, ENOENT, "with ENOENT");
	ok(strstr(err, root) != NULL, "message names the path: %s", err);

	rc = spool_open(&sp, root, 1, 1, err, sizeof(err));
	is_int(rc, 0, "open with create makes the spool");
	if (rc == 0) {
		ok(stat(root, &st) == 0 && (st.st_mode & 07777) == 0750,
		    "root is 0750");
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++)
			ok(fstat(sp.fd[want[i].d], &st) == 0 &&
			    (st.st_mode & 07777) == want[i].mode,
			    "%s/ is %04o (umask 0)",
			    spool_dir_name(want[i].d), (unsigned)want[i].mode);
		spool_close(&sp);
		ok(sp.root == NULL && sp.fd[SPOOL_NEW] == -1,
		    "spool_close clears the struct");
	}
	rc = spool_open(&sp, root, 0, 0, err, sizeof(err));
	is_int(rc, 0, "reopen without create");
	if (rc == 0)
		spool_close(&sp);

	snprintf(root, sizeof(root), "%s/open/state", scratch);
	if (rm_rf_at(AT_FDCWD, root) == -1)
		bail("rm %s: %s", root, strerror(errno));
	snprintf(root, sizeof(root), "%s/open", scratch);
	rc = spool_open(&sp, root, 0, 0, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOENT && strstr(err, "/open/state") != NULL,
	    "a missing subdirectory is named: %s", err);
	rc = spool_open(&sp, root, 1, 0, err, sizeof(err));
	ok(rc == 0 && fstat(sp.fd[SPOOL_STATE], &st) == 0 &&
	    (st.st_mode & 07777) == 0700, "create makes only what is missing");
	if (rc == 0)
		spool_close(&sp);

	snprintf(root, sizeof(root), "%s/plainfile", scratch);
	fd = open(root, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd == -1 || close(fd) == -1)
		bail("%s: %s", root, strerror(errno));
	rc = spool_open(&sp, root, 1, 0, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOTDIR, "a file as root: ENOTDIR (%s)", err);
}

/* ---- commit ----------------------------------------------------------- */

static void
test_commit(void)
{
	struct spool sp;
	struct timespec t, now;
	struct stat st;
	unsigned char data[600];
	char id[SPOOL_ID_MAX], err[512], *got;
	size_t i, len;
	int rc, e;

	fresh(&sp, 1);
	for (i = 0; i < sizeof(data); i++)
		data[i] = (unsigned char)(i % 3 == 0 ? 0 : i);
	clock_gettime(CLOCK_REALTIME, &now);
	rc = spool_commit(&sp, data, sizeof(data), id, sizeof(id), err,
	    sizeof(err));
	is_int(rc, 0, "commit %zu bytes with NULs", sizeof(data));
	ok(spool_id_valid(id), "the id is valid: %s", id);
	ok(spool_id_time(id, &t) == 0 && t.tv_sec >= now.tv_sec &&
	    t.tv_sec <= now.tv_sec + 5, "the id carries the receipt time");
	ok(present(&sp, SPOOL_NEW, id), "the file is in new/");
	is_int(count(&sp, SPOOL_TMP), 0, "tmp/ is empty");
	ok(fstatat(sp.fd[SPOOL_NEW], id, &st, 0) == 0 &&
	    (st.st_mode & 07777) == 0640, "the file is 0640");
	rc = spool_read(&sp, SPOOL_NEW, id, 1 << 20, &got, &len, err,
	    sizeof(err));
	ok(rc == 0 && len == sizeof(data) && memcmp(got, data, len) == 0,
	    "bytes in new/ are the bytes given");
	if (rc == 0) {
		ok(got[len] == '\0', "spool_read NUL-terminates");
		free(got);
	}

	rc = spool_commit(&sp, "", 0, id, sizeof(id), err, sizeof(err));
	is_int(rc, 0, "commit of 0 bytes is allowed");
	ok(fstatat(sp.fd[SPOOL_NEW], id, &st, 0) == 0 && st.st_size == 0,
	    "and gives an empty file");
	rc = spool_read(&sp, SPOOL_NEW, id, 0, &got, &len, err, sizeof(err));
	ok(rc == 0 && len == 0 && got != NULL, "which reads back as 0 bytes");
	if (rc == 0)
		free(got);

	rc = spool_commit(&sp, "abc", 3, id, 8, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ERANGE, "id buffer too small: -1, ERANGE");
	is_int(count(&sp, SPOOL_NEW), 2, "and nothing more in new/");
	is_int(count(&sp, SPOOL_TMP), 0, "nor in tmp/");
	spool_close(&sp);

	fresh(&sp, 0);
	rc = spool_commit(&sp, "x", 1, id, sizeof(id), err, sizeof(err));
	ok(rc == 0 && present(&sp, SPOOL_NEW, id), "commit without fsync");
	spool_close(&sp);
}

#define C_THREADS	16
#define C_EACH		25

struct cjob {
	struct spool	*sp;
	int		 t;
	int		 failed;
	char		 id[C_EACH][SPOOL_ID_MAX];
};

static size_t
cbody(char *buf, size_t bufsz, int t, int i)
{
	int n;

	/* a NUL in the middle, and lengths that differ */
	n = snprintf(buf, bufsz, "thread %d commit %d", t, i);
	buf[n] = '\0';
	memset(buf + n + 1, 'a' + t, (size_t)i);
	return (size_t)n + 1 + (size_t)i;
}

static void *
commit_thread(void *arg)
{
	struct cjob *j = arg;
	char body[128], err[512];
	size_t len;
	int i;

	for (i = 0; i < C_EACH; i++) {
		len = cbody(body, sizeof(body), j->t, i);
		if (spool_commit(j->sp, body, len, j->id[i], SPOOL_ID_MAX, err,
		    sizeof(err)) == -1)
			j->failed++;
	}
	return NULL;
}

static void
test_commit_concurrent(void)
{
	static struct cjob job[C_THREADS];
	static char all[C_THREADS * C_EACH][SPOOL_ID_MAX];
	pthread_t th[C_THREADS];
	struct spool sp;
	char body[128], err[512], *got;
	size_t len, glen, n = 0, dup = 0, badbody = 0;
	int t, i, failed = 0;

	fresh(&sp, 1);
	for (t = 0; t < C_THREADS; t++) {
		job[t].sp = &sp;
		job[t].t = t;
		if (pthread_create(&th[t], NULL, commit_thread, &job[t]) != 0)
			bail("pthread_create");
	}
	for (t = 0; t < C_THREADS; t++)
		pthread_join(th[t], NULL);
	for (t = 0; t < C_THREADS; t++) {
		failed += job[t].failed;
		for (i = 0; i < C_EACH; i++) {
			memcpy(all[n++], job[t].id[i], SPOOL_ID_MAX);
			len = cbody(body, sizeof(body), t, i);
			if (spool_read(&sp, SPOOL_NEW, job[t].id[i], 4096,
			    &got, &glen, err, sizeof(err)) == -1) {
				badbody++;
				continue;
			}
			if (glen != len || memcmp(got, body, len) != 0)
				badbody++;
			free(got);
		}
	}
	qsort(all, n, SPOOL_ID_MAX, cmp_id);
	for (i = 1; i < (int)n; i++)
		if (strcmp(all[i - 1], all[i]) == 0)
			dup++;
	is_int(failed, 0, "%d threads x %d concurrent commits succeed",
	    C_THREADS, C_EACH);
	is_int(dup, 0, "with distinct ids");
	is_int(count(&sp, SPOOL_NEW), C_THREADS * C_EACH,
	    "and as many files in new/");
	is_int(badbody, 0, "each holding its own bytes");
	is_int(count(&sp, SPOOL_TMP), 0, "tmp/ is empty");
	spool_close(&sp);
}

static struct spool *watch;
static long new_at_fire = -1;

/* When the fsync of new/ fails, the file must be there to be cleaned. */
static void
look_in_new(int w)
{
	new_at_fire = count(watch, SPOOL_NEW);
}

static void
test_commit_failures(void)
{
	static const struct {
		const char	*what;
		int		 w, nth, times, err;
		size_t		 cut;	/* short first write */
		int		 seen_in_new;
	} fc[] = {
		{ "create fails (EACCES)", W_OPENAT, 1, 1, EACCES, 0, 0 },
		{ "create meets EEXIST 16 times", W_OPENAT, 1, 16, EEXIST,
		  0, 0 },
		{ "write fails (ENOSPC)", W_WRITE, 1, 1, ENOSPC, 0, 0 },
		{ "write fails (EDQUOT)", W_WRITE, 1, 1, EDQUOT, 0, 0 },
		{ "short write, then ENOSPC", W_WRITE, 2, 1, ENOSPC, 100, 0 },
		{ "write returns 0", W_WRITE, 1, 1, 0, 0, 0 },
		{ "fsync of the file fails (EIO)", W_FSYNC, 1, 1, EIO, 0, 0 },
		{ "close fails (EIO)", W_CLOSE, 1, 1, EIO, 0, 0 },
		{ "close fails (EDQUOT, NFS-style)", W_CLOSE, 1, 1, EDQUOT,
		  0, 0 },
		{ "rename into new/ fails (EACCES)", W_RENAMEAT, 1, 1, EACCES,
		  0, 0 },
		{ "fsync of new/ fails (EIO)", W_FSYNC, 2, 1, EIO, 0, 1 },
	};
	struct spool sp;
	char data[4096], id[SPOOL_ID_MAX], err[512];
	size_t i;
	int rc, e, fd0, want_errno, fired;

	memset(data, 'z', sizeof(data));
	fresh(&sp, 1);
	watch = &sp;
	for (i = 0; i < sizeof(fc) / sizeof(fc[0]); i++) {
		fd0 = lowest_fd();
		err[0] = '\0';
		disarm();
		arm(fc[i].w, fc[i].nth, fc[i].times, fc[i].err);
		short_next = fc[i].cut;
		new_at_fire = -1;
		if (fc[i].seen_in_new)
			on_fire = look_in_new;
		rc = spool_commit(&sp, data, sizeof(data), id, sizeof(id), err,
		    sizeof(err));
		e = errno;
		fired = inj[fc[i].w].fired == fc[i].times && short_next == 0;
		disarm();
		want_errno = fc[i].err == 0 ? ENOSPC : fc[i].err;
		ok(fired, "%s: injected as planned", fc[i].what);
		ok(rc == -1 && e == want_errno, "%s: -1 with errno %s (got %d, "
		    "%s)", fc[i].what, strerror(want_errno), rc, strerror(e));
		ok(strstr(err, sp.root) != NULL, "%s: message names the "
		    "path: %s", fc[i].what, err);
		is_int(count(&sp, SPOOL_TMP) + count(&sp, SPOOL_NEW), 0,
		    "%s: nothing left in tmp/ or new/", fc[i].what);
		is_int(lowest_fd(), fd0, "%s: no descriptor leaked",
		    fc[i].what);
		if (fc[i].seen_in_new)
			is_int(new_at_fire, 1, "%s: the file had reached new/ "
			    "when it failed", fc[i].what);
	}
	spool_close(&sp);
}

static void
test_commit_recovers(void)
{
	static const struct {
		const char	*what;
		int		 w, nth, times, err;
		size_t		 cut;
	} rc_[] = {
		{ "create meets EEXIST once: a fresh id", W_OPENAT, 1, 1,
		  EEXIST, 0 },
		{ "create meets EEXIST 15 times", W_OPENAT, 1, 15, EEXIST, 0 },
		{ "write interrupted (EINTR) is retried", W_WRITE, 1, 1, EINTR,
		  0 },
		{ "short write is continued", W_WRITE, 0, 0, 0, 1000 },
	};
	struct spool sp;
	char data[4096], id[SPOOL_ID_MAX], err[512], *got;
	size_t i, len;
	int rc, fired;

	for (i = 0; i < sizeof(data); i++)
		data[i] = (char)(i * 7);
	fresh(&sp, 1);
	for (i = 0; i < sizeof(rc_) / sizeof(rc_[0]); i++) {
		disarm();
		arm(rc_[i].w, rc_[i].nth, rc_[i].times, rc_[i].err);
		short_next = rc_[i].cut;
		rc = spool_commit(&sp, data, sizeof(data), id, sizeof(id), err,
		    sizeof(err));
		fired = inj[rc_[i].w].fired == rc_[i].times &&
		    short_next == 0;
		disarm();
		ok(rc == 0 && fired, "%s: commit succeeds", rc_[i].what);
		got = NULL;
		ok(rc == 0 && spool_read(&sp, SPOOL_NEW, id, sizeof(data),
		    &got, &len, err, sizeof(err)) == 0 &&
		    len == sizeof(data) && memcmp(got, data, len) == 0,
		    "%s: file is whole", rc_[i].what);
		free(got);
		is_int(count(&sp, SPOOL_TMP), 0, "%s: tmp/ is empty",
		    rc_[i].what);
		if (rc == 0 && spool_unlink(&sp, SPOOL_NEW, id, err,
		    sizeof(err)) == -1)
			bail("%s", err);
	}
	spool_close(&sp);
}

/* ---- claim, recover, defer, read, count ------------------------------- */

static void
commit_or_bail(struct spool *sp, const char *text, char *id)
{
	char err[512];

	if (spool_commit(sp, text, strlen(text), id, SPOOL_ID_MAX, err,
	    sizeof(err)) == -1)
		bail("%s", err);
}

/*
 * A claim from new/ is Postfix's pickup: cur/ID is a new file of ours
 * with the same bytes, so what the dropper does to its own file after
 * the claim changes nothing; a dead worker's copy is replaced, a live
 * worker's claim is not.
 */
static void
test_pickup(struct spool *sp)
{
	struct stat before, after;
	char c[SPOOL_ID_MAX], d[SPOOL_ID_MAX], e[SPOOL_ID_MAX], err[512];
	char buf[64], tmp[SPOOL_ID_MAX + 16];
	ssize_t n;
	int drop, fd, fd2, lk;

	commit_or_bail(sp, "{\"pick\":1}", c);
	drop = openat(sp->fd[SPOOL_NEW], c, O_RDWR | O_CLOEXEC);
	if (drop == -1 || fstat(drop, &before) == -1)
		bail("open %s: %s", c, strerror(errno));
	fd = spool_claim(sp, SPOOL_NEW, c, err, sizeof(err));
	ok(fd >= 0 && fstat(fd, &after) == 0 &&
	    after.st_ino != before.st_ino && S_ISREG(after.st_mode),
	    "a claim from new/ makes cur/ID a new file: %s", fd < 0 ? err : "");
	ok(present(sp, SPOOL_CUR, c) && !present(sp, SPOOL_NEW, c),
	    "... under the same id, and new/ID is gone");
	snprintf(tmp, sizeof(tmp), ".pickup.%s", c);
	ok(!present(sp, SPOOL_CUR, tmp), "... and no copy is left behind");
	/* The dropper writes to the file it kept open: the event is not it. */
	if (pwrite(drop, "{\"evil\":1}", 10, 0) != 10)
		bail("pwrite: %s", strerror(errno));
	close(drop);
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	is_str(buf, "{\"pick\":1}",
	    "writing the dropped file afterwards changes nothing claimed");
	close(fd);

	/* A dead worker's copy in cur/ (unlocked) beside new/ID: replaced. */
	commit_or_bail(sp, "{\"pick\":2}", d);
	put(sp, SPOOL_CUR, d, "{\"half");
	fd = spool_claim(sp, SPOOL_NEW, d, err, sizeof(err));
	n = fd >= 0 ? pread(fd, buf, sizeof(buf) - 1, 0) : -1;
	buf[n > 0 ? n : 0] = '\0';
	ok(fd >= 0 && strcmp(buf, "{\"pick\":2}") == 0 &&
	    !present(sp, SPOOL_NEW, d),
	    "a dead worker's copy in cur/ is replaced by the pickup");
	if (fd >= 0)
		close(fd);

	/* A live worker's claim of the same id is never replaced. */
	commit_or_bail(sp, "{\"pick\":3}", e);
	put(sp, SPOOL_CUR, e, "{\"live\":1}");
	lk = openat(sp->fd[SPOOL_CUR], e, O_RDONLY | O_CLOEXEC);
	if (lk == -1 || flock(lk, LOCK_EX | LOCK_NB) == -1)
		bail("lock cur/%s: %s", e, strerror(errno));
	fd2 = spool_claim(sp, SPOOL_NEW, e, err, sizeof(err));
	n = pread(lk, buf, sizeof(buf) - 1, 0);
	buf[n > 0 ? n : 0] = '\0';
	ok(fd2 == -2 && strcmp(buf, "{\"live\":1}") == 0 &&
	    present(sp, SPOOL_NEW, e),
	    "a live claim of the same id is left alone (-2), new/ID kept");
	close(lk);
}

static void
test_claim(void)
{
	struct spool sp;
	char a[SPOOL_ID_MAX], b[SPOOL_ID_MAX], err[512];
	int fd, fd2, lk, rc, e;

	fresh(&sp, 1);
	commit_or_bail(&sp, "a", a);
	fd = spool_claim(&sp, SPOOL_NEW, a, err, sizeof(err));
	ok(fd >= 0, "claim new/ -> cur/");
	ok(present(&sp, SPOOL_CUR, a) && !present(&sp, SPOOL_NEW, a),
	    "the file moved to cur/");
	fd2 = spool_claim(&sp, SPOOL_NEW, a, err, sizeof(err));
	is_int(fd2, -2, "a second claim of the same id: -2");

	commit_or_bail(&sp, "b", b);
	lk = openat(sp.fd[SPOOL_NEW], b, O_RDONLY | O_CLOEXEC);
	if (lk == -1 || flock(lk, LOCK_EX | LOCK_NB) == -1)
		bail("lock %s: %s", b, strerror(errno));
	fd2 = spool_claim(&sp, SPOOL_NEW, b, err, sizeof(err));
	is_int(fd2, -2, "claim while another descriptor holds the lock: -2");
	ok(present(&sp, SPOOL_NEW, b), "and the file stays in new/");
	close(lk);
	fd2 = spool_claim(&sp, SPOOL_NEW, b, err, sizeof(err));
	ok(fd2 >= 0, "claim once the lock is released");
	lk = openat(sp.fd[SPOOL_CUR], b, O_RDONLY | O_CLOEXEC);
	ok(lk != -1 && flock(lk, LOCK_EX | LOCK_NB) == -1 &&
	    errno == EWOULDBLOCK, "the claimed file is locked");
	if (lk != -1)
		close(lk);
	close(fd2);

	test_pickup(&sp);

	is_int(spool_claim(&sp, SPOOL_NEW, "1.M2P3Q4.nowhere", err,
	    sizeof(err)), -2, "claim of a missing id: -2");
	rc = spool_claim(&sp, SPOOL_NEW, "../cur/x", err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == EINVAL, "claim refuses a name with '/'");

	if (mkdirat(sp.fd[SPOOL_NEW], "junkdir", 0700) == -1 ||
	    mkfifoat(sp.fd[SPOOL_NEW], "fifo", 0600) == -1 ||
	    symlinkat("/etc/passwd", sp.fd[SPOOL_NEW], "link") == -1)
		bail("junk: %s", strerror(errno));
	rc = spool_claim(&sp, SPOOL_NEW, "junkdir", err, sizeof(err));
	ok(rc == -1 && present(&sp, SPOOL_NEW, "junkdir"),
	    "a directory is refused and left in new/: %s", err);
	rc = spool_claim(&sp, SPOOL_NEW, "fifo", err, sizeof(err));
	ok(rc == -1 && present(&sp, SPOOL_NEW, "fifo"),
	    "a FIFO is refused without hanging: %s", err);
	rc = spool_claim(&sp, SPOOL_NEW, "link", err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ELOOP, "a symlink is refused: %s", err);
	close(fd);
	spool_close(&sp);
}

/* A child that claims id and holds it until told, then dies. */
static pid_t
holder(struct spool *sp, const char *id, int *release)
{
	char err[512], c = 0;
	int go[2], ready[2];
	pid_t pid;

	if (pipe(go) == -1 || pipe(ready) == -1)
		bail("pipe: %s", strerror(errno));
	pid = fork();
	if (pid == -1)
		bail("fork: %s", strerror(errno));
	if (pid == 0) {
		close(go[1]);
		close(ready[0]);
		c = spool_claim(sp, SPOOL_NEW, id, err, sizeof(err)) >= 0 ?
		    'y' : 'n';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		(void)read(go[0], &c, 1);
		_exit(0);	/* dies holding it, like a crashed worker */
	}
	close(go[0]);
	close(ready[1]);
	if (read(ready[0], &c, 1) != 1 || c != 'y')
		bail("holder could not claim %s", id);
	close(ready[0]);
	*release = go[1];
	return pid;
}

static void
test_recover(void)
{
	struct spool sp;
	struct timespec now;
	char a[SPOOL_ID_MAX], b[SPOOL_ID_MAX], c[SPOOL_ID_MAX], err[512];
	long ret = -1, rem = -1;
	pid_t pid;
	int fda, fdb, rel, st, rc;

	fresh(&sp, 1);
	commit_or_bail(&sp, "a", a);
	commit_or_bail(&sp, "b", b);
	commit_or_bail(&sp, "c", c);
	fda = spool_claim(&sp, SPOOL_NEW, a, err, sizeof(err));
	fdb = spool_claim(&sp, SPOOL_NEW, b, err, sizeof(err));
	if (fda < 0 || fdb < 0)
		bail("claim: %s", err);
	close(fdb);			/* b's worker "died" */
	pid = holder(&sp, c, &rel);	/* c's worker is another process */

	clock_gettime(CLOCK_REALTIME, &now);
	put(&sp, SPOOL_TMP, "old", "half");
	set_mtime(&sp, SPOOL_TMP, "old", now.tv_sec - 7200);
	put(&sp, SPOOL_TMP, "fresh", "being written");
	if (mkdirat(sp.fd[SPOOL_TMP], "olddir", 0700) == -1)
		bail("mkdirat: %s", strerror(errno));
	set_mtime(&sp, SPOOL_TMP, "olddir", now.tv_sec - 7200);

	rc = spool_recover(&sp, 3600, &ret, &rem, err, sizeof(err));
	is_int(rc, 0, "recover");
	is_int(ret, 1, "one file returned to new/");
	ok(present(&sp, SPOOL_NEW, b) && !present(&sp, SPOOL_CUR, b),
	    "the unlocked cur/ file went back to new/");
	ok(present(&sp, SPOOL_CUR, a), "the one locked here stayed in cur/");
	ok(present(&sp, SPOOL_CUR, c),
	    "the one locked by another process stayed in cur/");
	is_int(rem, 1, "one stale tmp/ file removed");
	ok(!present(&sp, SPOOL_TMP, "old"), "the old tmp/ file is gone");
	ok(present(&sp, SPOOL_TMP, "fresh"), "the fresh one stays");
	ok(present(&sp, SPOOL_TMP, "olddir"), "a directory in tmp/ stays");

	if (write(rel, "x", 1) != 1)
		bail("release: %s", strerror(errno));
	close(rel);
	waitpid(pid, &st, 0);
	close(fda);
	rc = spool_recover(&sp, 3600, &ret, &rem, err, sizeof(err));
	ok(rc == 0 && ret == 2 && rem == 0,
	    "after both owners are gone, both return (%ld)", ret);
	ok(present(&sp, SPOOL_NEW, a) && present(&sp, SPOOL_NEW, c) &&
	    count(&sp, SPOOL_CUR) == 0, "cur/ is empty");
	rc = spool_recover(&sp, 3600, NULL, NULL, err, sizeof(err));
	is_int(rc, 0, "recover accepts NULL counters");
	spool_close(&sp);
}

static void
test_defer_move_unlink(void)
{
	struct spool sp;
	struct timespec when = { 2000000000, 123456789 }, now;
	struct stat st;
	char a[SPOOL_ID_MAX], err[512];
	int fd, rc, e;

	fresh(&sp, 1);
	commit_or_bail(&sp, "deferred event", a);
	fd = spool_claim(&sp, SPOOL_NEW, a, err, sizeof(err));
	clock_gettime(CLOCK_REALTIME, &now);
	rc = spool_defer(&sp, a, &when, err, sizeof(err));
	is_int(rc, 0, "defer");
	ok(present(&sp, SPOOL_DEFERRED, a) && !present(&sp, SPOOL_CUR, a),
	    "the file moved to deferred/");
	ok(fstatat(sp.fd[SPOOL_DEFERRED], a, &st, 0) == 0 &&
	    st.st_mtim.tv_sec == when.tv_sec &&
	    st.st_mtim.tv_nsec == when.tv_nsec,
	    "its mtime is the next attempt, to the nanosecond");
	ok(st.st_atim.tv_sec >= now.tv_sec - 1 &&
	    st.st_atim.tv_sec <= now.tv_sec + 5, "its atime is now");
	close(fd);

	fd = spool_claim(&sp, SPOOL_DEFERRED, a, err, sizeof(err));
	ok(fd >= 0 && present(&sp, SPOOL_CUR, a), "claim deferred/ -> cur/");
	when.tv_nsec = 1000000000L;
	rc = spool_defer(&sp, a, &when, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == EINVAL && present(&sp, SPOOL_CUR, a),
	    "defer refuses a bad time and leaves the file");
	rc = spool_move(&sp, a, SPOOL_CUR, SPOOL_DEAD, err, sizeof(err));
	ok(rc == 0 && present(&sp, SPOOL_DEAD, a), "move cur/ -> dead/");
	close(fd);
	rc = spool_move(&sp, a, SPOOL_CUR, SPOOL_DEAD, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOENT && strstr(err, a) != NULL,
	    "moving a missing file: ENOENT, named: %s", err);
	rc = spool_defer(&sp, a, &when, err, sizeof(err));
	ok(rc == -1, "defer of a file not in cur/ fails");

	rc = spool_unlink(&sp, SPOOL_DEAD, a, err, sizeof(err));
	ok(rc == 0 && !present(&sp, SPOOL_DEAD, a), "unlink");
	rc = spool_unlink(&sp, SPOOL_DEAD, a, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOENT, "unlink again: ENOENT: %s", err);
	rc = spool_unlink(&sp, SPOOL_DEAD, "..", err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == EINVAL, "unlink refuses \"..\"");
	spool_close(&sp);
}

static void
test_read(void)
{
	struct spool sp;
	char a[SPOOL_ID_MAX], err[512], *got = NULL;
	size_t len;
	int rc, e;

	fresh(&sp, 0);
	commit_or_bail(&sp, "0123456789", a);
	rc = spool_read(&sp, SPOOL_NEW, a, 9, &got, &len, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == EFBIG, "read refuses a file over max (EFBIG)");
	ok(strstr(err, "10 bytes") != NULL && strstr(err, "9 allowed") !=
	    NULL && strstr(err, a) != NULL, "with a clear message: %s", err);
	rc = spool_read(&sp, SPOOL_NEW, a, 10, &got, &len, err, sizeof(err));
	ok(rc == 0 && len == 10 && memcmp(got, "0123456789", 10) == 0,
	    "read a file of exactly max bytes");
	if (rc == 0)
		free(got);
	rc = spool_read(&sp, SPOOL_CUR, a, 10, &got, &len, err, sizeof(err));
	e = errno;
	ok(rc == -1 && e == ENOENT, "read of a missing file: ENOENT: %s", err);
	spool_close(&sp);
}

static void
test_count_scan(void)
{
	struct spool sp;
	struct spool_count c;
	struct spool_scan s1, s2;
	struct timespec t;
	char id[SPOOL_ID_MAX], err[512], name[32];
	const char *n1, *n2;
	long seen1 = 0, seen2 = 0, i;
	int rc;

	fresh(&sp, 0);
	rc = spool_count(&sp, SPOOL_NEW, &c, err, sizeof(err));
	ok(rc == 0 && c.n == 0 && c.oldest == 0, "empty: n 0, oldest 0");

	t.tv_nsec = 0;
	t.tv_sec = 1000;
	spool_make_id(id, sizeof(id), &t);
	put(&sp, SPOOL_NEW, id, "x");
	t.tv_sec = 500;
	spool_make_id(id, sizeof(id), &t);
	put(&sp, SPOOL_NEW, id, "x");
	t.tv_sec = 2000;
	spool_make_id(id, sizeof(id), &t);
	put(&sp, SPOOL_NEW, id, "x");
	put(&sp, SPOOL_NEW, ".hidden", "x");
	set_mtime(&sp, SPOOL_NEW, ".hidden", 1);
	rc = spool_count(&sp, SPOOL_NEW, &c, err, sizeof(err));
	ok(rc == 0 && c.n == 3 && c.oldest == 500,
	    "three ids: n 3, oldest from the id (%ld, %lld)", c.n,
	    (long long)c.oldest);
	put(&sp, SPOOL_NEW, "foreign", "x");
	set_mtime(&sp, SPOOL_NEW, "foreign", 300);
	rc = spool_count(&sp, SPOOL_NEW, &c, err, sizeof(err));
	ok(rc == 0 && c.n == 4 && c.oldest == 300,
	    "a foreign name falls back to mtime (%ld, %lld)", c.n,
	    (long long)c.oldest);

	/* deferred/: mtime is the retry time, the id still says receipt */
	set_mtime(&sp, SPOOL_NEW, id, 100);
	rc = spool_count(&sp, SPOOL_NEW, &c, err, sizeof(err));
	ok(rc == 0 && c.oldest == 300, "an id's mtime is not used");

	/* Two scans of one directory at once must not share an offset. */
	spool_close(&sp);
	fresh(&sp, 0);
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%ld", i);
		put(&sp, SPOOL_NEW, name, "x");
	}
	if (spool_scan_open(&sp, SPOOL_NEW, &s1) == -1 ||
	    spool_scan_open(&sp, SPOOL_NEW, &s2) == -1)
		bail("scan: %s", strerror(errno));
	for (;;) {
		n1 = spool_scan_next(&s1);
		n2 = spool_scan_next(&s2);
		seen1 += n1 != NULL;
		seen2 += n2 != NULL;
		if (n1 == NULL && n2 == NULL)
			break;
	}
	ok(seen1 == 300 && seen2 == 300,
	    "two interleaved scans each see all 300 (%ld, %ld)", seen1,
	    seen2);
	ok(errno == 0, "the end of a scan leaves errno 0");
	spool_scan_close(&s1);
	spool_scan_close(&s2);
	spool_close(&sp);
}

int
main(void)
{
	const char *tmp = getenv("TMPDIR");

	umask(0);
	snprintf(scratch, sizeof(scratch), "%s/spool.t.XXXXXX",
	    tmp != NULL && *tmp != '\0' ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		printf("Bail out! mkdtemp %s: %s\n", scratch, strerror(errno));
		return 2;
	}

	test_host_escape();
	test_ids_unique();
	test_ids_parse();
	test_open();
	test_commit();
	test_commit_concurrent();
	test_commit_failures();
	test_commit_recovers();
	test_claim();
	test_recover();
	test_defer_move_unlink();
	test_read();
	test_count_scan();

	if (rm_rf_at(AT_FDCWD, scratch) == -1)
		printf("# could not remove %s: %s\n", scratch,
		    strerror(errno));
	return tap_done();
}
