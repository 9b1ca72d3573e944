/*
 * state: the small files under SPOOL/state/ (see state.h).
 *
 * How it fails: a file that cannot be written is an error the caller
 * logs and survives (an attempts count not written only means one more
 * try; an order stamp not written means a stale event could be applied
 * after a newer one, so the caller says so loudly); a lock that cannot be
 * taken for another reason than "held" is an error that puts the event
 * back; order.log that cannot be read or locked fails the open or the
 * look, so the caller puts the event back rather than guess; the
 * presence definitions' cache that cannot be read or written only costs
 * a fetch.  Nothing here exits.
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
#include "err.h"
#include "log.h"
#include "msclock.h"
#include "order.h"
#include "state.h"

#define STATE_FILE_MAX	512
#define STATE_LOG	"order.log"
#define STATE_SNAP	"order.snap"
#define STATE_PID	"worker.pid"
#define STATE_INDEX_MIN	1024	/* keys indexed before the first rehash */
#define STATE_READ_MAX	(64 * 1024)	/* order.log read at once */

/* A key's newest stamp known here. */
struct state_stamp {
	long long	 ts;
	char		 id[SPOOL_ID_MAX];
	char		 key[];
};

/* parent/name into *fd; -1 stays there when it is missing and !create. */
static int
state_subdir(int parent, const char *name, int create, int *fd, char *err,
    size_t errsz)
{
	if (create && mkdirat(parent, name, 0700) == -1 && errno != EEXIST) {
		err_set_sys(err, errsz, "state/%s", name);
		return -1;
	}
	*fd = openat(parent, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*fd == -1 && (create || errno != ENOENT)) {
		err_set_sys(err, errsz, "state/%s", name);
		return -1;
	}
	return 0;
}

/*
 * The journal's locks (fcntl(2), per process): every worker holds a read
 * lock on byte 0 for as long as it runs, so one that can turn it into a
 * write lock is alone and may compact; byte 1 is write-locked around an
 * append, so two workers' batches never interleave.
 */
static int
state_log_lock(int fd, short type, off_t byte, int wait)
{
	struct flock fl;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = type;
	fl.l_whence = SEEK_SET;
	fl.l_start = byte;
	fl.l_len = 1;
	while (fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl) == -1) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

static int	state_compact(struct state *, char *, size_t);
static int	state_snap_load(struct state *, int, char *, size_t);
static int	state_import(struct state *, char *, size_t);
static int	state_log_catch_up(struct state *, char *, size_t);

static int
state_log_open(struct state *s, int parent, char *err, size_t errsz)
{
	char why[512];

	s->log = openat(parent, STATE_LOG, O_RDWR | O_CREAT | O_APPEND |
	    O_NOFOLLOW | O_CLOEXEC, 0600);
	if (s->log == -1) {
		err_set_sys(err, errsz, "state/%s", STATE_LOG);
		return -1;
	}
	if (keytab_init(&s->index, STATE_INDEX_MIN) == -1) {
		err_set(err, errsz, "out of memory");
		return -1;
	}
	/*
	 * Alone: fold what the last workers left (and stamps written by hand
	 * in order/), then join as one of many.  Not alone: nobody folds
	 * while we hold our read lock, so the snapshot read stays whole.
	 */
	if (state_log_lock(s->log, F_WRLCK, 0, 0) == 0) {
		if (state_snap_load(s, parent, err, errsz) == -1 ||
		    state_import(s, err, errsz) == -1)
			return -1;
		/* Not folded (a full disk?): the log still holds it all. */
		if (state_compact(s, why, sizeof(why)) == -1)
			log_warnx("%s", why);
	} else if (errno != EAGAIN && errno != EACCES) {
		err_set_sys(err, errsz, "state/%s: lock", STATE_LOG);
		return -1;
	}
	if (state_log_lock(s->log, F_RDLCK, 0, 1) == -1) {
		err_set_sys(err, errsz, "state/%s: lock", STATE_LOG);
		return -1;
	}
	if (s->nstamps == 0 && state_snap_load(s, parent, err, errsz) == -1)
		return -1;
	return state_log_catch_up(s, err, errsz);
}

int
state_open(struct state *s, struct spool *sp, int flags, char *err,
    size_t errsz)
{
	int parent = sp->fd[SPOOL_STATE], create = flags & STATE_CREATE;

	memset(s, 0, sizeof(*s));
	s->attempts = s->order = s->lock = s->tmp = s->log = s->dir = -1;
	s->pid_fd = -1;
	s->fsync = sp->fsync;
	if (parent == -1) {
		errno = EACCES;
		return err_set_sys(err, errsz, "%s/state", sp->root);
	}
	s->dir = parent;
	if (state_subdir(parent, "attempts", create, &s->attempts, err,
	    errsz) == -1 ||
	    state_subdir(parent, "order", create, &s->order, err, errsz) == -1 ||
	    state_subdir(parent, "lock", create, &s->lock, err, errsz) == -1 ||
	    state_subdir(parent, "tmp", create, &s->tmp, err, errsz) == -1)
		goto fail;
	if ((flags & STATE_ORDER) != 0) {
		if (s->order == -1 || s->tmp == -1) {
			errno = ENOENT;
			err_set_sys(err, errsz, "%s/state/order", sp->root);
			goto fail;
		}
		if (state_log_open(s, parent, err, errsz) == -1)
			goto fail;
	}
	return 0;
fail:
	state_close(s);
	return -1;
}

static void
state_stamps_free(struct state *s)
{
	size_t i;

	for (i = 0; i < s->nstamps; i++)
		free(s->stamps[i]);
	free(s->stamps);
	s->stamps = NULL;
	s->nstamps = 0;
	keytab_free(&s->index);
}

void
state_close(struct state *s)
{
	char err[512];

	if (s->log != -1) {
		if (state_order_commit(s, err, sizeof(err)) == -1)
			log_warnx("%s", err);
		if (state_log_lock(s->log, F_WRLCK, 0, 0) == 0 &&
		    state_compact(s, err, sizeof(err)) == -1)
			log_warnx("%s", err);
		/* Closing it drops the locks. */
		close(s->log);
	}
	/* The pid stays in the file; the lock, gone, says it is stale. */
	if (s->pid_fd != -1)
		close(s->pid_fd);
	s->pid_fd = -1;
	if (s->attempts != -1)
		close(s->attempts);
	if (s->order != -1)
		close(s->order);
	if (s->lock != -1)
		close(s->lock);
	if (s->tmp != -1)
		close(s->tmp);
	s->attempts = s->order = s->lock = s->tmp = s->log = -1;
	state_stamps_free(s);
	free(s->batch);
	s->batch = NULL;
	s->batch_len = s->batch_cap = 0;
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

/*
 * Write data to state/<label>/name (name NULL: state/<label>, dir being
 * state/ itself) through tmp/: whole or not at all.
 */
static int
state_write(struct state *s, int dir, const char *label, const char *name,
    const char *data, size_t len, char *err, size_t errsz)
{
	struct atomicfile af;
	char why[512];

	if (s->tmp == -1) {
		errno = ENOENT;
		return err_set_sys(err, errsz, "state/tmp");
	}
	if (atomicfile_begin(&af, s->tmp, dir, name != NULL ? name : label,
	    0600, s->fsync ? 0 : ATOMICFILE_NOSYNC, why, sizeof(why)) == -1 ||
	    atomicfile_put(&af, data, len, why, sizeof(why)) == -1 ||
	    atomicfile_commit(&af, why, sizeof(why)) == -1) {
		if (name != NULL)
			err_set(err, errsz, "state/%s/%s", label, why);
		else
			err_set(err, errsz, "state/%s", why);
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

int
state_attempts_remove(struct state *s, const char *id, char *err,
    size_t errsz)
{
	if (s->attempts == -1)
		return 0;
	if (unlinkat(s->attempts, id, 0) == -1 && errno != ENOENT) {
		err_set_sys(err, errsz, "state/attempts/%s", id);
		return -1;
	}
	return 0;
}

int
state_defs_read(struct state *s, char **body, size_t *len,
    long long *fetched_ms, char *err, size_t errsz)
{
	struct stat sb;
	char *buf = NULL;
	size_t got;
	ssize_t n;
	int fd;

	*body = NULL;
	*len = 0;
	if ((fd = openat(s->dir, STATE_DEFS, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		return err_set_sys(err, errsz, "state/%s", STATE_DEFS);
	}
	if (fstat(fd, &sb) == -1) {
		err_set_sys(err, errsz, "state/%s", STATE_DEFS);
		goto fail;
	}
	if (!S_ISREG(sb.st_mode) || sb.st_size > STATE_DEFS_MAX) {
		err_set(err, errsz, "state/%s: not a file of at most %d bytes",
		    STATE_DEFS, STATE_DEFS_MAX);
		goto fail;
	}
	/* One byte more than it says, to see it grow while we read. */
	if ((buf = malloc((size_t)sb.st_size + 2)) == NULL) {
		err_set(err, errsz, "state/%s: out of memory", STATE_DEFS);
		goto fail;
	}
	if ((n = read_all(fd, buf, (size_t)sb.st_size + 1)) == -1) {
		err_set_sys(err, errsz, "state/%s", STATE_DEFS);
		goto fail;
	}
	got = (size_t)n;
	/* We replace it by rename; a size that moved is a hand at work. */
	if (got != (size_t)sb.st_size) {
		err_set(err, errsz, "state/%s: changed while read", STATE_DEFS);
		goto fail;
	}
	close(fd);
	buf[got] = '\0';
	*body = buf;
	*len = got;
	*fetched_ms = msclock_of(&sb.st_mtim);
	return 1;
fail:
	free(buf);
	close(fd);
	return -1;
}

int
state_defs_write(struct state *s, const char *body, size_t len, char *err,
    size_t errsz)
{
	if (len > STATE_DEFS_MAX) {
		err_set(err, errsz, "state/%s: %zu bytes, more than %d",
		    STATE_DEFS, len, STATE_DEFS_MAX);
		return -1;
	}
	return state_write(s, s->dir, STATE_DEFS, NULL, body, len, err,
	    errsz);
}

/* key's entry, made (ts -1: none yet) when missing; NULL: no memory. */
static struct state_stamp *
state_stamp_get(struct state *s, const char *key)
{
	struct state_stamp *st, **grown;
	size_t i, klen, cap;
	int k;

	if ((k = keytab_get(&s->index, key)) >= 0)
		return s->stamps[k];
	/*
	 * Keep the table at most half full: rebuild it twice as large.
	 * keytab_free() zeroes cap, so it is read first.
	 */
	if (s->index.n + 1 > s->index.cap / 2 - 1) {
		cap = s->index.cap;
		keytab_free(&s->index);
		if (keytab_init(&s->index, cap) == -1)
			return NULL;
		for (i = 0; i < s->nstamps; i++)
			keytab_put(&s->index, s->stamps[i]->key, (int)i);
	}
	klen = strlen(key);
	if ((st = malloc(sizeof(*st) + klen + 1)) == NULL)
		return NULL;
	if ((grown = realloc(s->stamps, (s->nstamps + 1) * sizeof(*grown)))
	    == NULL) {
		free(st);
		return NULL;
	}
	s->stamps = grown;
	st->ts = -1;
	st->id[0] = '\0';
	memcpy(st->key, key, klen + 1);
	s->stamps[s->nstamps] = st;
	keytab_put(&s->index, st->key, (int)s->nstamps);
	s->nstamps++;
	return st;
}

/* key's stamp becomes (ts, id) if that is newer; -1: out of memory. */
static int
state_stamp_merge(struct state *s, const char *key, long long ts,
    const char *id)
{
	struct state_stamp *st;

	if ((st = state_stamp_get(s, key)) == NULL)
		return -1;
	if (st->ts >= 0 && order_cmp(ts, id, st->ts, st->id) <= 0)
		return 0;
	st->ts = ts;
	snprintf(st->id, sizeof(st->id), "%s", id);
	return 0;
}

/*
 * One line "<ts_ms> <id> <key>" (without its newline), as order.log and
 * order.snap hold them: 0, -1 when it does not parse, -2 out of memory.
 */
static int
state_line(struct state *s, char *line)
{
	char id[SPOOL_ID_MAX], *key;
	long long ts;

	if ((key = strrchr(line, ' ')) == NULL || !order_key_valid(key + 1))
		return -1;
	*key++ = '\0';
	if (order_parse(line, strlen(line), &ts, id, sizeof(id)) == -1)
		return -1;
	return state_stamp_merge(s, key, ts, id) == -1 ? -2 : 0;
}

/*
 * Read fd from *off to its end, a line at a time; a last line without its
 * newline (still being written) is left for the next read, one that does
 * not parse is skipped with a warning naming the file.
 */
static int
state_read_lines(struct state *s, int fd, const char *name, off_t *off,
    char *err, size_t errsz)
{
	char buf[STATE_READ_MAX + 1], *line, *nl;
	ssize_t n;
	size_t used;
	int r;

	for (;;) {
		n = pread(fd, buf, STATE_READ_MAX, *off);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			err_set_sys(err, errsz, "state/%s", name);
			return -1;
		}
		buf[n] = '\0';
		used = 0;
		for (line = buf; (nl = memchr(line, '\n',
		    (size_t)(buf + n - line))) != NULL; line = nl + 1) {
			*nl = '\0';
			used = (size_t)(nl + 1 - buf);
			if ((r = state_line(s, line)) == -2) {
				err_set(err, errsz, "out of memory");
				return -1;
			}
			if (r == -1)
				log_warnx("state/%s: a line is not \"<ts_ms> "
				    "<id> <key>\"; skipped", name);
		}
		/* A line longer than a whole read is garbage: step over it. */
		if (used == 0 && n == STATE_READ_MAX)
			used = (size_t)n;
		*off += (off_t)used;
		if (n < STATE_READ_MAX)
			return 0;
	}
}

/* What order.log gained since the last look: one pread(2) if nothing. */
static int
state_log_catch_up(struct state *s, char *err, size_t errsz)
{
	return state_read_lines(s, s->log, STATE_LOG, &s->log_off, err,
	    errsz);
}

/* Every stamp in order.snap (a missing one is an empty one). */
static int
state_snap_load(struct state *s, int parent, char *err, size_t errsz)
{
	off_t off = 0;
	int fd, r;

	if ((fd = openat(parent, STATE_SNAP, O_RDONLY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			return 0;
		err_set_sys(err, errsz, "state/%s", STATE_SNAP);
		return -1;
	}
	r = state_read_lines(s, fd, STATE_SNAP, &off, err, errsz);
	close(fd);
	return r;
}

/*
 * order/<KEY> files, "<ts_ms> <id>\n" each (written by hand, or by an
 * older routehook): taken in, then removed once folded (state_compact).
 */
static int
state_import(struct state *s, char *err, size_t errsz)
{
	struct dirent *de;
	char buf[STATE_FILE_MAX], id[SPOOL_ID_MAX];
	long long ts;
	ssize_t n;
	DIR *d;
	int fd;

	if ((fd = openat(s->order, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    == -1 || (d = fdopendir(fd)) == NULL) {
		err_set_sys(err, errsz, "state/order");
		if (fd != -1)
			close(fd);
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (!order_key_valid(de->d_name))
			continue;
		if ((n = state_read(s->order, de->d_name, buf, sizeof(buf)))
		    == -1 || order_parse(buf, (size_t)n, &ts, id, sizeof(id))
		    == -1) {
			log_warnx("state/order/%s: not \"<ts_ms> <id>\"; "
			    "ignored", de->d_name);
			continue;
		}
		if (state_stamp_merge(s, de->d_name, ts, id) == -1) {
			closedir(d);
			err_set(err, errsz, "out of memory");
			return -1;
		}
		s->imported++;
	}
	closedir(d);
	return 0;
}

int
state_order_read(struct state *s, const char *key, long long *ts, char *id,
    size_t idsz, char *err, size_t errsz)
{
	int k;

	if (s->log == -1) {
		err_set(err, errsz, "state/%s: not open", STATE_LOG);
		return -1;
	}
	if (!order_key_valid(key)) {
		err_set(err, errsz, "order key \"%s\" cannot name a file", key);
		return -1;
	}
	/* Other workers' batches; the snapshot was read whole at open. */
	if (state_log_catch_up(s, err, errsz) == -1)
		return -1;
	if ((k = keytab_get(&s->index, key)) < 0 || s->stamps[k]->ts < 0)
		return 0;
	*ts = s->stamps[k]->ts;
	snprintf(id, idsz, "%s", s->stamps[k]->id);
	return 1;
}

int
state_order_put(struct state *s, const char *key, long long ts,
    const char *id, char *err, size_t errsz)
{
	char line[ORDER_LINE_MAX + ORDER_KEY_MAX + 1], *grown;
	size_t need;
	int n;

	if (s->log == -1) {
		err_set(err, errsz, "state/%s: not open", STATE_LOG);
		return -1;
	}
	if (!order_key_valid(key)) {
		err_set(err, errsz, "order key \"%s\" cannot name a file", key);
		return -1;
	}
	n = snprintf(line, sizeof(line), "%lld %s %s\n", ts, id, key);
	if (n < 0 || (size_t)n >= sizeof(line) || strchr(id, ' ') != NULL) {
		err_set(err, errsz, "state/%s: id too long", STATE_LOG);
		return -1;
	}
	need = s->batch_len + (size_t)n;
	if (need > s->batch_cap) {
		if ((grown = realloc(s->batch, need * 2)) == NULL) {
			err_set(err, errsz, "out of memory");
			return -1;
		}
		s->batch = grown;
		s->batch_cap = need * 2;
	}
	if (state_stamp_merge(s, key, ts, id) == -1) {
		err_set(err, errsz, "out of memory");
		return -1;
	}
	memcpy(s->batch + s->batch_len, line, (size_t)n);
	s->batch_len += (size_t)n;
	return 0;
}

int
state_order_commit(struct state *s, char *err, size_t errsz)
{
	struct stat sb;
	int r, saved;

	if (s->batch_len == 0)
		return 0;
	if (state_log_lock(s->log, F_WRLCK, 1, 1) == -1) {
		err_set_sys(err, errsz, "state/%s: lock", STATE_LOG);
		return -1;
	}
	r = write_all(s->log, s->batch, s->batch_len);
	saved = errno;
	(void)state_log_lock(s->log, F_UNLCK, 1, 0);
	if (r == -1 || (s->fsync && fdatasync(s->log) == -1)) {
		if (r != -1)
			saved = errno;
		errno = saved;
		err_set_sys(err, errsz, "state/%s", STATE_LOG);
		/* A part written is harmless: each line stands alone. */
		s->batch_len = 0;
		return -1;
	}
	s->batch_len = 0;
	if (fstat(s->log, &sb) == 0 && sb.st_size > STATE_LOG_MAX &&
	    state_log_lock(s->log, F_WRLCK, 0, 0) == 0) {
		/* The batch is safe in the log: not folding is a warning. */
		if (state_compact(s, err, errsz) == -1)
			log_warnx("%s", err);
		(void)state_log_lock(s->log, F_RDLCK, 0, 1);
	}
	return 0;
}

/*
 * Fold order.log (and the order/<KEY> files taken in) into order.snap,
 * then empty the log; the caller holds the write lock on byte 0, so no
 * other worker runs.  The snapshot is written whole, synced and renamed,
 * state/ synced, and only then are the log emptied and the files taken
 * in removed: a crash in between leaves both, and folding again changes
 * nothing.  Three syncs, however many keys.
 */
static int
state_compact(struct state *s, char *err, size_t errsz)
{
	struct atomicfile af;
	struct state_stamp *st;
	char line[ORDER_LINE_MAX + ORDER_KEY_MAX + 1], why[512];
	struct dirent *de;
	size_t i;
	DIR *d;
	int n, fd;

	if (state_log_catch_up(s, err, errsz) == -1)
		return -1;
	if (s->log_off == 0 && s->imported == 0)
		return 0;
	if (atomicfile_begin(&af, s->tmp, s->dir, STATE_SNAP, 0600,
	    ATOMICFILE_SYNC_DIR | (s->fsync ? 0 : ATOMICFILE_NOSYNC), why,
	    sizeof(why)) == -1)
		goto fail;
	for (i = 0; i < s->nstamps; i++) {
		st = s->stamps[i];
		if (st->ts < 0)
			continue;
		n = snprintf(line, sizeof(line), "%lld %s %s\n", st->ts, st->id,
		    st->key);
		if (atomicfile_put(&af, line, (size_t)n, why, sizeof(why))
		    == -1)
			goto fail;
	}
	if (atomicfile_commit(&af, why, sizeof(why)) == -1)
		goto fail;
	if (ftruncate(s->log, 0) == -1 || (s->fsync && fdatasync(s->log)
	    == -1)) {
		err_set_sys(err, errsz, "state/%s: emptying", STATE_LOG);
		return -1;
	}
	s->log_off = 0;
	if (s->imported == 0)
		return 0;
	s->imported = 0;
	if ((fd = openat(s->order, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC))
	    == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return 0;
	}
	while ((de = readdir(d)) != NULL)
		if (order_key_valid(de->d_name))
			(void)unlinkat(s->order, de->d_name, 0);
	closedir(d);
	return 0;
fail:
	atomicfile_abort(&af);
	err_set(err, errsz, "state/%s", why);
	return -1;
}

int
state_pid_lock(struct state *s, char *err, size_t errsz)
{
	char buf[32];
	long other;
	int fd, n;

	fd = openat(s->dir, STATE_PID, O_RDWR | O_CREAT | O_NOFOLLOW |
	    O_CLOEXEC, 0644);
	if (fd == -1)
		return err_set_sys(err, errsz, "state/%s", STATE_PID);
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		n = (int)pread(fd, buf, sizeof(buf) - 1, 0);
		buf[n > 0 ? n : 0] = '\0';
		other = strtol(buf, NULL, 10);
		close(fd);
		if (saved != EWOULDBLOCK) {
			errno = saved;
			return err_set_sys(err, errsz, "state/%s", STATE_PID);
		}
		err_set(err, errsz, "another routehook-worker daemon (pid %ld) "
		    "runs on this spool (state/%s is locked)", other,
		    STATE_PID);
		return -2;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) == -1 || pwrite(fd, buf, (size_t)n, 0) != n) {
		err_set_sys(err, errsz, "state/%s", STATE_PID);
		close(fd);
		return -1;
	}
	s->pid_fd = fd;
	return 0;
}

int
state_lock_user(struct state *s, const char *user, char *err, size_t errsz)
{
	int fd;

	if (!order_key_valid(user)) {
		err_set(err, errsz, "user id \"%s\" cannot name a file", user);
		return -1;
	}
	fd = openat(s->lock, user, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd == -1) {
		err_set_sys(err, errsz, "state/lock/%s", user);
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) == -1) {
		int saved = errno;

		close(fd);
		if (saved == EWOULDBLOCK)
			return -2;
		errno = saved;
		return err_set_sys(err, errsz, "state/lock/%s", user);
	}
	return fd;
}

/*
 * Whether an event id is in new/, cur/, deferred/ or hold/.  The dirs are
 * looked at in the order events move through them, and cur/ and new/
 * again at the end, so an event moving while we look is still seen.
 */
static int
state_event_exists(struct spool *sp, const char *id)
{
	static const enum spool_dir order[] = {
		SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_CUR,
		SPOOL_NEW
	};
	struct stat st;
	size_t i;

	/* A held event keeps its attempts for when it is released. */
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++) {
		if (sp->fd[order[i]] == -1)
			continue;	/* no hold/ yet */
		if (fstatat(sp->fd[order[i]], id, &st, AT_SYMLINK_NOFOLLOW) == 0
		    || errno != ENOENT)
			return 1;
	}
	return 0;
}

static int
state_scan(int dir, const char *name, DIR **d, char *err, size_t errsz)
{
	int fd;

	if ((fd = openat(dir, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1 ||
	    (*d = fdopendir(fd)) == NULL) {
		err_set_sys(err, errsz, "state/%s", name);
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
