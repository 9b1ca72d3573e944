/*
 * outcome: what becomes of a claimed event, inside the engine (drain.c
 * owns the jobs; this module reads them and never touches the engine's
 * tables).  Shared by drain.c and outcome.c only.
 *
 * A job is born when its file is claimed into cur/ (its descriptor holds
 * the claim's flock) and ends with exactly one outcome:
 *
 *	applied		the call answered 2xx; the file is removed
 *	superseded	a newer event for the same key won; removed
 *	deferred	a failure that may pass; deferred/ID, mtime = when
 *	dead		a failure that will not pass; dead/ID, byte for byte
 *	ignored		it asks for what no client may set (event_ignored():
 *			a routing status Genesys alone manages); removed,
 *			never called
 *	unchanged	it asks for the state routehook itself set for its
 *			key within routing.unchanged_window_s (a repeated
 *			command, or the echo of routehook's own call in a
 *			notification); stamped like applied, removed,
 *			never called
 *
 * or with none (put back where it came from, or postponed into deferred/
 * without an attempt counted: nothing happened to the event).
 *
 * An outcome is decided first (outcome_set_*(), which only fill the job's
 * out_* fields, and outcome_failed(), which also counts the attempt) and
 * carried out later, for a batch of jobs at once, by outcome_flush():
 * every audit line, then the file moves.  The engine commits the batch's
 * order stamps (state.h) before it flushes, so a batch costs one sync of
 * order.log, not one per event.
 *
 * Crash safety rests on the order of the steps:
 *	applied:	order stamp (committed), audit line, unlink cur/ID,
 *			attempts file
 *	unchanged:	as applied, without the call
 *	superseded:	audit line, unlink cur/ID, attempts file
 *	dead:		audit line, cur/ID -> dead/ID, attempts file
 *	deferred:	attempts file (+1), audit line, cur/ID -> deferred/ID
 * A crash between two steps leaves the event in cur/ with its lock gone,
 * so the next run returns it to new/ and takes it again: an event whose
 * own stamp is the last applied is audited as applied without a call
 * (never applied twice), an attempt may be counted twice (the safe
 * direction), an audit line may be written twice, never lost.  A crash
 * before the stamps' commit, like one during the call itself, means the
 * call is made again: at least once.
 *
 * No outcome without its record: an event's file moves only after its
 * audit line is written (and, with receiver.fsync, synced with the rest
 * of its batch); when a line cannot be written, outcome_flush() moves
 * nothing and the engine puts the batch back untouched.
 *
 * How it fails: a spool or state write that fails costs a warning and
 * leaves the event where it is (in cur/, whose lock goes with the
 * descriptor, so the next run takes it back); nothing here exits.
 */
#ifndef ROUTEHOOK_OUTCOME_H
#define ROUTEHOOK_OUTCOME_H

#include <time.h>

#include "conf.h"
#include "event.h"
#include "http.h"
#include "metrics.h"
#include "msclock.h"
#include "order.h"
#include "spool.h"
#include "state.h"

enum job_state { JOB_FREE, JOB_PENDING, JOB_CALLING, JOB_SETTLING };

enum job_outcome { OUT_NONE, OUT_APPLIED, OUT_SUPERSEDED, OUT_DEFERRED,
	OUT_DEAD, OUT_IGNORED, OUT_UNCHANGED };

struct job {
	enum job_state		 state;
	char			 id[SPOOL_ID_MAX];
	enum spool_dir		 from;		/* new/ or deferred/ */
	int			 fd;		/* claim lock on cur/ID */
	int			 lock_fd;	/* user lock while calling */
	long long		 lock_rev;	/* ... in etcd; 0: none */
	struct event		 ev;
	char			 key[ORDER_KEY_MAX];
	long long		 stamp;		/* order_stamp() */
	struct timespec		 received;
	int			 attempts;	/* made before this call */
	int			 reauthed;	/* a 401 was retried */
	unsigned		 token_gen;
	char			 last[SPOOL_ID_MAX];	/* the key's last
						   stamp's id, as job_try read */
	long long		 lock_since;	/* mono ms; 0: not waiting */
	long long		 lock_retry;	/* mono ms */
	unsigned long long	 ticket;	/* rate limit */
	int			 bulk;		/* its bulk call (drain.c);
						   -1: none */
	int			 alone;		/* its user is locked: call
						   it on its own when it may */

	/* The outcome decided, carried out by outcome_flush(). */
	enum job_outcome	 out;
	int			 out_attempt;
	long			 out_status;	/* 0: no HTTP answer */
	int			 out_has_why;
	char			 out_why[HTTP_ERROR_MAX + 128];
	struct timespec		 out_at;	/* when it was decided */
	struct timespec		 out_next;	/* deferred: next attempt */
};

/* What carrying out outcomes needs; the engine owns the pointees. */
struct outcome {
	const struct conf	*conf;
	struct spool		*spool;
	struct state		*state;
	struct worker_stats	*stats;
	int			 audit_fd;
};

/* Open audit.file; -1 with err filled. */
int	 outcome_open(struct outcome *o, const struct conf *c,
	    struct spool *sp, struct state *st, struct worker_stats *stats,
	    char *err, size_t errsz);
void	 outcome_close(struct outcome *o);
/* Reopen audit.file (SIGHUP); on failure the old descriptor is kept. */
void	 outcome_reopen(struct outcome *o);

/*
 * Decide j's outcome.  outcome_set_applied() with status 0 is for an
 * event whose own stamp is already the last applied: a worker applied it
 * and died before its audit line.  why may be NULL.
 */
void	 outcome_set_applied(struct job *j, long status);
void	 outcome_set_superseded(struct job *j, const char *why);
void	 outcome_set_ignored(struct job *j, const char *why);
void	 outcome_set_unchanged(struct job *j, const char *why);
void	 outcome_set_dead(struct job *j, int attempt, long status,
	    const char *why);
/* A failure that may pass: deferred with backoff (attempt counted), or
 * dead when retries are used up. */
void	 outcome_failed(struct outcome *o, struct job *j,
	    const struct http_result *res);

/*
 * Carry out the n decided jobs: every audit line, synced once (with
 * receiver.fsync), and only then the files.  The earliest next attempt of
 * those deferred is lowered into *next_due (realtime ms; 0: none).
 * Returns how many were carried out: fewer than n, with err filled, when
 * a line could not be written (the jobs from there on have no line and
 * the caller puts them back) or synced (none moved).  The caller
 * releases the jobs afterwards.
 */
int	 outcome_flush(struct outcome *o, struct job *const *jobs, int n,
	    long long *next_due, char *err, size_t errsz);
/* After a failed flush: 0 once audit.file can be written again. */
int	 outcome_audit_ready(struct outcome *o, char *err, size_t errsz);

/* No outcome: back where it came from, or into deferred/ until at_ms. */
void	 outcome_putback(struct outcome *o, const struct job *j);
void	 outcome_postpone(struct outcome *o, const struct job *j,
	    long long at_ms);

#endif
