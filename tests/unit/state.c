/*
 * state unit test: the worker's small files under SPOOL/state/ in a
 * scratch spool: attempts counts, the order stamps (put, read back,
 * committed to order.log in one batch, other workers' lines read, folded
 * into order.snap on close, hand-written order/<KEY> files taken in),
 * per-user locks across descriptors, the
 * start-up cleanup of orphaned attempts, and the presence definitions'
 * cache (written whole, read back with its mtime as when it was fetched).
 * Fails (exit 1, "not ok" lines) when any step differs.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "msclock.h"
#include "state.h"
#include "spool.h"
#include "tap.h"

static void
put(const char *dir, const char *name, const char *text)
{
	FILE *f;
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if ((f = fopen(path, "w")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

static int
exists(const char *root, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) == 0;
}

static int
empty_dir(const char *root, const char *rel)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	int n = 0;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if ((d = opendir(path)) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n == 0;
}

static long
file_size(const char *root, const char *rel)
{
	char path[512];
	struct stat st;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static void
append(const char *path, const char *text)
{
	FILE *f;

	if ((f = fopen(path, "a")) != NULL) {
		fputs(text, f);
		fclose(f);
	}
}

/* Whether one line of the file at path is exactly line. */
static int
has_line(const char *path, const char *line)
{
	char buf[512];
	FILE *f;
	int r = 0;

	if ((f = fopen(path, "r")) == NULL)
		return 0;
	while (!r && fgets(buf, sizeof(buf), f) != NULL) {
		buf[strcspn(buf, "\n")] = '\0';
		r = strcmp(buf, line) == 0;
	}
	fclose(f);
	return r;
}

/* state/presence-definitions.json: written, read back, aged, refused. */
static void
test_defs(const char *root, struct spool *sp, struct state *s)
{
	static const char body[] = "{\"entities\":[],\"total\":0}";
	struct timespec ts[2];
	struct state ro;
	struct stat st;
	char err[512], path[512], *got, *big;
	long long at, before, after;
	size_t len;
	int fd;

	snprintf(path, sizeof(path), "%s/state/%s", root, STATE_DEFS);
	is_int(state_defs_read(s, &got, &len, &at, err, sizeof(err)), 0,
	    "no presence definitions cached: 0");
	ok(got == NULL, "... and no body");

	before = msclock_real();
	ok(state_defs_write(s, body, sizeof(body) - 1, err, sizeof(err)) == 0,
	    "presence definitions cached");
	after = msclock_real();
	ok(stat(path, &st) == 0 && (st.st_mode & 07777) == 0600,
	    "... in state/%s, mode 0600", STATE_DEFS);
	ok(empty_dir(root, "state/tmp"), "... through tmp/, leaving nothing");
	is_int(state_defs_read(s, &got, &len, &at, err, sizeof(err)), 1,
	    "the cache read back: 1");
	ok(got != NULL && len == sizeof(body) - 1 &&
	    memcmp(got, body, len) == 0 && got[len] == '\0',
	    "... byte for byte, NUL-terminated");
	free(got);
	/* mtimes may be coarser than the clock: a second either side. */
	ok(at >= before - 1000 && at <= after + 1000,
	    "... fetched when written (%lld in %lld..%lld)", at, before, after);

	/* Aged by hand (touch -d): the age is the file's. */
	ts[0].tv_sec = ts[1].tv_sec = (time_t)((after - 7200 * 1000) / 1000);
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	ok(utimensat(AT_FDCWD, path, ts, 0) == 0, "the cache aged two hours");
	ok(state_defs_read(s, &got, &len, &at, err, sizeof(err)) == 1 &&
	    at == (long long)ts[1].tv_sec * 1000,
	    "... reads as fetched two hours ago");
	free(got);
	ok(state_defs_write(s, body, sizeof(body) - 1, err, sizeof(err)) == 0 &&
	    state_defs_read(s, &got, &len, &at, err, sizeof(err)) == 1 &&
	    at >= before - 1000, "written again, it is new again");
	free(got);

	/* routehookctl opens state/ without creating or joining anything. */
	ok(state_open(&ro, sp, 0, err, sizeof(err)) == 0 &&
	    state_defs_read(&ro, &got, &len, &at, err, sizeof(err)) == 1 &&
	    len == sizeof(body) - 1, "a state opened read-only reads it too");
	free(got);
	state_close(&ro);

	if ((big = malloc(STATE_DEFS_MAX + 2)) == NULL) {
		ok(0, "memory for an oversized cache");
		return;
	}
	memset(big, ' ', STATE_DEFS_MAX + 1);
	big[STATE_DEFS_MAX + 1] = '\0';
	ok(state_defs_write(s, big, STATE_DEFS_MAX + 1, err, sizeof(err)) == -1,
	    "a body over STATE_DEFS_MAX is not written");
	ok(strstr(err, STATE_DEFS) != NULL, "... and the error names the file");
	ok(state_defs_read(s, &got, &len, &at, err, sizeof(err)) == 1 &&
	    len == sizeof(body) - 1, "... which keeps what it held");
	free(got);
	/* One written over the limit by hand (or by anything else). */
	if ((fd = open(path, O_WRONLY | O_TRUNC)) != -1) {
		ok(write(fd, big, STATE_DEFS_MAX + 1) == STATE_DEFS_MAX + 1,
		    "a cache file grown past STATE_DEFS_MAX by hand");
		close(fd);
	}
	free(big);
	got = NULL;
	err[0] = '\0';
	is_int(state_defs_read(s, &got, &len, &at, err, sizeof(err)), -1,
	    "... is an error: -1");
	ok(got == NULL && strstr(err, "state/" STATE_DEFS) != NULL,
	    "... no body, and the error names the file (%s)", err);
	ok(unlink(path) == 0 && state_defs_read(s, &got, &len, &at, err,
	    sizeof(err)) == 0, "removed, there is none again");
}

int
main(void)
{
	char root[] = "/tmp/rh-state-unit.XXXXXX", err[512], id[256], d[512];
	struct spool sp;
	struct state s;
	long long ts;
	long orphans;
	int fd1, fd2, fd3, saved, devnull, n;

	if (mkdtemp(root) == NULL)
		return 1;
	ok(spool_open(&sp, root, 1, 0, err, sizeof(err)) == 0, "spool opened");
	ok(state_open(&s, &sp, STATE_CREATE | STATE_ORDER, err, sizeof(err))
	    == 0, "state opened");
	ok(exists(root, "state/attempts") && exists(root, "state/order") &&
	    exists(root, "state/lock") && exists(root, "state/tmp"),
	    "attempts/, order/, lock/, tmp/ made under state/");

	is_int(state_attempts_read(&s, "1.M1P1Q1.h"), 0, "no attempts file: 0");
	ok(state_attempts_write(&s, "1.M1P1Q1.h", 3, err, sizeof(err)) == 0,
	    "attempts written");
	is_int(state_attempts_read(&s, "1.M1P1Q1.h"), 3, "... and read back");
	ok(state_attempts_write(&s, "1.M1P1Q1.h", 4, err, sizeof(err)) == 0 &&
	    state_attempts_read(&s, "1.M1P1Q1.h") == 4, "... and replaced");
	snprintf(d, sizeof(d), "%s/state/attempts", root);
	put(d, "2.M1P1Q1.h", "many\n");
	/* It says so on stderr: keep the TAP run quiet. */
	saved = dup(STDERR_FILENO);
	devnull = open("/dev/null", O_WRONLY);
	if (devnull != -1)
		dup2(devnull, STDERR_FILENO);
	n = state_attempts_read(&s, "2.M1P1Q1.h");
	if (saved != -1)
		dup2(saved, STDERR_FILENO);
	is_int(n, 0, "a garbled count reads as 0");
	ok(state_attempts_remove(&s, "1.M1P1Q1.h", err, sizeof(err)) == 0 &&
	    !exists(root, "state/attempts/1.M1P1Q1.h"), "attempts removed");
	ok(state_attempts_remove(&s, "1.M1P1Q1.h", err, sizeof(err)) == 0,
	    "removing it again is harmless");

	is_int(state_order_read(&s, "status:agent-1", &ts, id, sizeof(id), err,
	    sizeof(err)), 0, "no order stamp yet");
	ok(state_order_put(&s, "status:agent-1", 1767261604000LL,
	    "1767261600.M1P2Q3.h", err, sizeof(err)) == 0, "order stamp put");
	ok(state_order_read(&s, "status:agent-1", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261604000LL &&
	    strcmp(id, "1767261600.M1P2Q3.h") == 0, "... and read back at once");
	ok(state_order_put(&s, "status:agent-1", 1767261603000LL,
	    "1767261600.M1P2Q2.h", err, sizeof(err)) == 0 &&
	    state_order_read(&s, "status:agent-1", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261604000LL,
	    "an older stamp put after it does not replace it");
	ok(state_order_put(&s, "queue:agent-1:q1", 1767261605000LL,
	    "1767261600.M1P2Q4.h", err, sizeof(err)) == 0, "a second key put");
	is_int(file_size(root, "state/order.log"), 0,
	    "nothing reaches order.log before the commit");
	ok(state_order_commit(&s, err, sizeof(err)) == 0, "the batch committed");
	ok(file_size(root, "state/order.log") > 0 &&
	    !exists(root, "state/order.snap"),
	    "... into order.log, not yet folded");
	is_int(state_order_put(&s, "../escape", 1, "x", err, sizeof(err)), -1,
	    "a key that is no file name is refused");
	/* Another worker's batch, appended while we run. */
	snprintf(d, sizeof(d), "%s/state/order.log", root);
	append(d, "1767261609000 1767261600.M9P9Q9.h status:agent-7\n");
	ok(state_order_read(&s, "status:agent-7", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261609000LL &&
	    strcmp(id, "1767261600.M9P9Q9.h") == 0,
	    "another worker's stamp in order.log is read");
	append(d, "1767261610000 1767261600.M9P9Q1");
	ok(state_order_read(&s, "status:agent-7", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261609000LL,
	    "a line still being written is not read");
	append(d, "0.h status:agent-7\n");
	ok(state_order_read(&s, "status:agent-7", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261610000LL &&
	    strcmp(id, "1767261600.M9P9Q10.h") == 0, "... until it is whole");
	ok(empty_dir(root, "state/tmp"), "writes leave nothing in state/tmp/");

	fd1 = state_lock_user(&s, "agent-1", err, sizeof(err));
	ok(fd1 >= 0, "user lock taken");
	is_int(state_lock_user(&s, "agent-1", err, sizeof(err)), -2,
	    "a second descriptor cannot have it (another worker): -2");
	fd2 = state_lock_user(&s, "agent-2", err, sizeof(err));
	ok(fd2 >= 0, "another user's lock is free");
	close(fd1);
	fd3 = state_lock_user(&s, "agent-1", err, sizeof(err));
	ok(fd3 >= 0, "after close it can be taken again");
	close(fd2);
	close(fd3);
	is_int(state_lock_user(&s, "a/b", err, sizeof(err)), -1,
	    "a user id that is no file name is refused");

	/* Orphans: attempts of events in none of new/ cur/ deferred/. */
	snprintf(d, sizeof(d), "%s/new", root);
	put(d, "10.M1P1Q1.h", "{}");
	snprintf(d, sizeof(d), "%s/deferred", root);
	put(d, "11.M1P1Q1.h", "{}");
	state_attempts_write(&s, "10.M1P1Q1.h", 1, err, sizeof(err));
	state_attempts_write(&s, "11.M1P1Q1.h", 2, err, sizeof(err));
	state_attempts_write(&s, "12.M1P1Q1.h", 3, err, sizeof(err));
	ok(state_cleanup(&s, &sp, 86400, &orphans, err, sizeof(err)) == 0,
	    "cleanup runs");
	is_int(orphans, 2, "two orphans removed (12 and the garbled 2)");
	ok(exists(root, "state/attempts/10.M1P1Q1.h") &&
	    exists(root, "state/attempts/11.M1P1Q1.h") &&
	    !exists(root, "state/attempts/12.M1P1Q1.h"),
	    "the counts of events still queued are kept");

	state_close(&s);
	is_int(file_size(root, "state/order.log"), 0,
	    "closing alone folds order.log into order.snap and empties it");
	snprintf(d, sizeof(d), "%s/state/order.snap", root);
	ok(has_line(d, "1767261604000 1767261600.M1P2Q3.h status:agent-1") &&
	    has_line(d, "1767261610000 1767261600.M9P9Q10.h status:agent-7") &&
	    has_line(d, "1767261605000 1767261600.M1P2Q4.h queue:agent-1:q1"),
	    "order.snap holds the newest stamp of each key");
	/* A stamp written by hand while no worker runs, and a garbled one. */
	snprintf(d, sizeof(d), "%s/state/order", root);
	put(d, "status:agent-5", "1767261620000 1767261600.M5P5Q5.h\n");
	put(d, "status:agent-1", "1767261600000 1767261600.M1P1Q1.h\n");
	put(d, "status:agent-6", "garbage");
	saved = dup(STDERR_FILENO);
	if (devnull != -1)
		dup2(devnull, STDERR_FILENO);
	n = state_open(&s, &sp, STATE_ORDER, err, sizeof(err));
	if (saved != -1)
		dup2(saved, STDERR_FILENO);
	ok(n == 0 && state_order_read(&s, "queue:agent-1:q1", &ts, id,
	    sizeof(id), err, sizeof(err)) == 1 && ts == 1767261605000LL,
	    "a worker opened later reads the folded stamps");
	ok(state_order_read(&s, "status:agent-5", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261620000LL,
	    "... and a stamp written by hand in order/");
	ok(state_order_read(&s, "status:agent-1", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261604000LL,
	    "... where an older one does not replace a newer");
	is_int(state_order_read(&s, "status:agent-6", &ts, id, sizeof(id), err,
	    sizeof(err)), 0, "a garbled one is ignored");
	ok(!exists(root, "state/order/status:agent-5"),
	    "the files taken in are removed once folded into order.snap");
	snprintf(d, sizeof(d), "%s/state/order.snap", root);
	ok(has_line(d, "1767261620000 1767261600.M5P5Q5.h status:agent-5"),
	    "... which holds them");

	/* Past STATE_INDEX_MIN (1024) keys the index is rebuilt larger. */
	for (n = 0; n < 5000; n++) {
		snprintf(d, sizeof(d), "status:many-%d", n);
		snprintf(id, sizeof(id), "1767261600.M%dP1Q1.h", n);
		if (state_order_put(&s, d, 1767261600000LL + n, id, err,
		    sizeof(err)) == -1)
			break;
	}
	is_int(n, 5000, "5000 more keys stamped");
	for (n = 0; n < 5000; n++) {
		snprintf(d, sizeof(d), "status:many-%d", n);
		if (state_order_read(&s, d, &ts, id, sizeof(id), err,
		    sizeof(err)) != 1 || ts != 1767261600000LL + n)
			break;
	}
	is_int(n, 5000, "... and every one reads back its own stamp, "
	    "however often the index grew");
	ok(state_order_read(&s, "status:agent-5", &ts, id, sizeof(id), err,
	    sizeof(err)) == 1 && ts == 1767261620000LL,
	    "... as do the keys from before");
	test_defs(root, &sp, &s);
	state_close(&s);
	spool_close(&sp);
	snprintf(d, sizeof(d), "rm -rf '%s'", root);
	/* Leaving the scratch spool behind is no test failure. */
	(void)!system(d);
	return tap_done();
}
