/*
 * state: the worker's private files under SPOOL/state/ (mode 0700):
 *
 *	attempts/<ID>	"N\n": attempts made for event ID, while it lives
 *	order/<KEY>	"<ts_ms> <id>\n": the newest event applied per key
 *	lock/<USER>	empty; flock(2)ed while a call for USER is in flight
 *	tmp/		where the two above are written before rename(2)
 *	token		oauth's cache (lib/oauth.c)
 *
 * Every file is written whole under tmp/ and renamed into place, so a
 * reader sees the old content or the new, never half.  Lock files are
 * never removed: unlinking a lock file another process holds open would
 * let a third lock a new file of the same name.
 *
 * Errors: functions return -1 and fill err with a sentence naming the
 * file; reads of a missing file are not errors.
 */
#ifndef ROUTEHOOK_STATE_H
#define ROUTEHOOK_STATE_H

#include <stddef.h>
#include <time.h>

#include "spool.h"

struct state {
	int		 attempts;	/* O_DIRECTORY descriptors */
	int		 order;
	int		 lock;
	int		 tmp;
	int		 fsync;
};

/* Open (creating, mode 0700) the subdirectories of SPOOL/state. */
int	 state_open(struct state *s, struct spool *sp, char *err,
	    size_t errsz);
void	 state_close(struct state *s);

/* Attempts made for id: 0 when none recorded (or unreadable: logged). */
int	 state_attempts_read(struct state *s, const char *id);
int	 state_attempts_write(struct state *s, const char *id, int n,
	    char *err, size_t errsz);
void	 state_attempts_remove(struct state *s, const char *id);

/* 1 and the stamp when key has one, 0 when none, -1 on error. */
int	 state_order_read(struct state *s, const char *key, long long *ts,
	    char *id, size_t idsz, char *err, size_t errsz);
int	 state_order_write(struct state *s, const char *key, long long ts,
	    const char *id, char *err, size_t errsz);

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
