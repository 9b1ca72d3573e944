/*
 * state: the small files under SPOOL/state/ (mode 0700, the spool
 * owner's), and the one way every program reaches them:
 *
 *	attempts/<ID>	"N\n": attempts made for event ID, while it lives
 *	order.snap	"<ts_ms> <id> <key>\n" per key: the newest event
 *			applied per key, as of the last fold
 *	order.log	the same, one line per event applied since
 *	order/<KEY>	"<ts_ms> <id>\n", written by hand (or by routehook
 *			0.1): taken into order.snap, then removed
 *	lock/<USER>	empty; flock(2)ed while a call for USER is in flight
 *	tmp/		where attempts/ files and order.snap are written first
 *	worker, worker.lock  a daemon's pid, start, version and pause
 *			(why, until when), for status: lib/runstate.h
 *	worker.pid	"<pid>\n" of the daemon, flock(2)ed while it runs:
 *			a pid in a file nobody holds locked is stale
 *			(`flock -n worker.pid true` fails while it runs)
 *	token		oauth's cache of the access token (lib/oauth.c)
 *	presence-definitions.json  the org's GET /api/v2/presence/definitions
 *			answer, byte for byte as it came; its mtime is when
 *			it was fetched, so its age is the file's (no stamp
 *			inside).  Removing it makes the next run fetch again.
 *
 * Who touches what (see also spool.h and routehook(7)):
 *
 *	routehook-worker  everything here, through these functions and
 *			  oauth.c; it alone writes order.*, order/, lock/
 *	routehookctl	  removes attempts/<ID> of a dead letter it replays
 *			  or purges (state_attempts_remove()), reads worker
 *			  (runstate_read()), reads and writes token
 *			  through oauth.c, reads presence-definitions.json
 *			  (state_defs_read(), for status); nothing else
 *	routehook-fcgi	  nothing: it cannot even list state/
 *
 * Order stamps are the one thing written for every applied event, so
 * they cost one sync per batch, not one per event: state_order_put()
 * appends a line to an in-memory batch and state_order_commit() appends
 * the batch to order.log in one write(2) and syncs it once.  A worker
 * must commit before the events it stamped leave cur/: a crash before
 * the commit leaves them there, so they are called again (as after a
 * crash during the call), never forgotten as applied.  Each worker keeps
 * every key's stamp in memory (order.snap read at open, then order.log
 * followed with one pread(2) per look), so a look costs no open(2).
 *
 * Whenever a worker finds itself the only one (every worker holds a read
 * lock on order.log for its lifetime; one that can turn it into a write
 * lock is alone), at start, at exit and when order.log passes
 * STATE_LOG_MAX, it folds: order.snap is rewritten whole from memory,
 * synced and renamed, state/ synced, and only then is order.log emptied:
 * three syncs however many keys.  A crash in between leaves both, and
 * folding again changes nothing.  Nobody folds while another worker
 * runs, so a reader never sees the log emptied under it.
 *
 * attempts/ files and order.snap are written whole under tmp/ and renamed
 * into place, so a reader sees the old content or the new, never half.
 * Lock files are never removed: unlinking a lock file another process
 * holds open would let a third lock a new file of the same name.
 *
 * Errors: functions return -1 and fill err with a sentence naming the
 * file; reads of a missing file are not errors.
 */
#ifndef ROUTEHOOK_STATE_H
#define ROUTEHOOK_STATE_H

#include <sys/types.h>

#include <stddef.h>
#include <time.h>

#include "order.h"
#include "spool.h"

/* state_open()'s flags. */
#define STATE_CREATE	0x1	/* make the missing subdirectories, 0700 */
#define STATE_ORDER	0x2	/* join order.log (a worker); else no stamps */

#define STATE_LOG_MAX	(256 * 1024)	/* order.log compacted beyond */
#define STATE_DEFS	"presence-definitions.json"
#define STATE_DEFS_MAX	(1024 * 1024)	/* bytes of it, as of an answer */

struct state_stamp;

struct state {
	int		 attempts;	/* O_DIRECTORY descriptors, or -1 */
	int		 order;
	int		 lock;
	int		 tmp;
	int		 dir;		/* state/ itself (the spool's) */
	int		 log;		/* order.log (STATE_ORDER), or -1 */
	int		 imported;	/* order/<KEY> files taken in */
	int		 pid_fd;	/* worker.pid, locked, or -1 */
	int		 fsync;
	off_t		 log_off;	/* order.log read up to here */
	struct keytab	 index;		/* key -> stamps[] */
	struct state_stamp **stamps;	/* every key looked at or applied */
	size_t		 nstamps;
	char		*batch;		/* lines put, not yet committed */
	size_t		 batch_len;
	size_t		 batch_cap;
};

/*
 * Open the subdirectories of SPOOL/state (those missing stay -1 unless
 * STATE_CREATE) and, with STATE_ORDER, order.log: compacted first when no
 * other worker has it open.
 */
int	 state_open(struct state *s, struct spool *sp, int flags, char *err,
	    size_t errsz);
/* Commits what was put, compacts when alone, closes. */
void	 state_close(struct state *s);

/* Attempts made for id: 0 when none recorded (or unreadable: logged). */
int	 state_attempts_read(struct state *s, const char *id);
int	 state_attempts_write(struct state *s, const char *id, int n,
	    char *err, size_t errsz);
/* Forget id's attempts (a missing file is no error). */
int	 state_attempts_remove(struct state *s, const char *id, char *err,
	    size_t errsz);

/* 1 and the stamp when key has one, 0 when none, -1 on error. */
int	 state_order_read(struct state *s, const char *key, long long *ts,
	    char *id, size_t idsz, char *err, size_t errsz);
/* Note key's new stamp: read back at once, durable after the commit. */
int	 state_order_put(struct state *s, const char *key, long long ts,
	    const char *id, char *err, size_t errsz);
/* Append and sync the stamps put since the last commit: one sync. */
int	 state_order_commit(struct state *s, char *err, size_t errsz);

/*
 * The presence definitions' cache, state/STATE_DEFS: at most
 * STATE_DEFS_MAX bytes.  Read: 1 with *body (malloc'd, NUL-terminated,
 * the caller frees it), *len and *fetched_ms, the file's mtime in
 * msclock_real() milliseconds (its age is the wall clock's now minus
 * that); 0 when there is none; -1 when it cannot be read or is larger
 * (err names the file).  The content is not judged here: presence_parse()
 * does.  Write: the whole body, through tmp/, mode 0600 (synced unless
 * fsync is off); its mtime becomes now.
 */
int	 state_defs_read(struct state *s, char **body, size_t *len,
	    long long *fetched_ms, char *err, size_t errsz);
int	 state_defs_write(struct state *s, const char *body, size_t len,
	    char *err, size_t errsz);

/*
 * The daemon's pid in state/worker.pid, locked for as long as s is open:
 * 0; -2 with err naming the other daemon's pid when one holds it; -1.
 */
int	 state_pid_lock(struct state *s, char *err, size_t errsz);

/*
 * flock(LOCK_EX|LOCK_NB) on lock/<user>: the descriptor (close it to
 * unlock), -2 when another process holds it, -1 on error.
 */
int	 state_lock_user(struct state *s, const char *user, char *err,
	    size_t errsz);

/*
 * At start: remove attempts files of events that are in none of new/,
 * cur/, deferred/, and temp files older than tmp_max_age seconds.
 */
int	 state_cleanup(struct state *s, struct spool *sp, time_t tmp_max_age,
	    long *orphans, char *err, size_t errsz);

#endif
