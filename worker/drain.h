/*
 * drain: the worker's engine.  It claims due events (all of new/, and the
 * deferred/ files whose mtime has come) into a table of at most
 * DRAIN_SLOTS_MAX jobs, calls the API for them through libcurl multi, and
 * gives each exactly one outcome, with one audit line:
 *
 *	applied		the call answered 2xx; the file is removed
 *	superseded	a newer event for the same order key was claimed, or
 *			one at least as new was applied before; removed
 *	deferred	a failure that may pass; deferred/ID, mtime = when
 *	dead		a failure that will not pass, an event that cannot
 *			be mapped, or retries used up; dead/ID, byte for byte
 *
 * Claiming and calling overlap: whenever a slot is free, the scan goes on,
 * so a daemon takes a new event while calls are in flight.  A claimed
 * event whose order key already has a pending job keeps only the newer of
 * the two (the other is superseded at once): the table holds at most one
 * pending job per key, and a burst of thousands of events for a few
 * hundred users costs a few hundred calls.
 *
 * Never two calls for one user at once: in this process, a table of the
 * users in flight; across processes, flock(2) on SPOOL/state/lock/<user>
 * for the duration of the call.  The "last applied" stamp is read and
 * written under that lock, so two workers cannot apply an older event
 * after a newer one.  An event whose user lock another worker holds stays
 * claimed and waits; if it cannot have the lock within timeout_ms + 5 s
 * it is put in deferred/ for 1 s, with no attempt counted and no audit
 * line, as nothing happened to it.
 *
 * When no token can be had (endpoint unreachable, credentials refused),
 * nothing is called: pending events go back where they came from,
 * untouched, and scanning stops.  A daemon's engine then waits and tries
 * again by itself (refused credentials: backoff_max_ms, at least 5 s,
 * reading the client secret file again first; unreachable: the backoff
 * schedule); with WORKER_ONCE it halts instead, and worker_halted() says
 * why.
 *
 * No outcome without its audit line: when lines cannot be written (full
 * disk, I/O error, permission, missing directory), the engine applies
 * nothing more: what it claimed goes back untouched, it says so once,
 * the metrics and a daemon's state/worker (lib/runstate.h) show it, and
 * a daemon's engine looks again every second and resumes by itself,
 * saying so once; with WORKER_ONCE it halts.
 *
 * With a cluster section (cluster.h), the user lock, the order stamps
 * and the rate budget are etcd's instead, shared with every other host:
 * the user's lock taken and its stamp read in one transaction, then one
 * call counted against the shared budget, before a call starts; an
 * applied event's stamp written and its lock let go in one transaction
 * when its answer comes.  When etcd does not answer (no quorum), the
 * engine applies nothing, as without a token: what it claimed goes back
 * untouched, it says so once, the metrics show it, and it tries again
 * every second, saying so once when etcd answers, then scans again; with
 * WORKER_ONCE it halts.  An event applied whose stamp etcd did not take
 * goes back too, its user still locked by this worker, so that it is
 * sent again before any other host may call for that user.
 *
 * Everything the engine holds is its own: the caller sees struct worker
 * only through these functions.
 */
#ifndef ROUTEHOOK_DRAIN_H
#define ROUTEHOOK_DRAIN_H

#include <stddef.h>

#include "conf.h"
#include "metrics.h"

#define DRAIN_SLOTS_MAX		1024	/* claimed events held at once */
#define DRAIN_FILE_MAX		(1024 * 1024)	/* bytes of one event file */
#define DRAIN_TMP_MAX_AGE	86400	/* tmp/ files older are removed */

/* What worker_scan() may ask for. */
#define DRAIN_NEW		0x1
#define DRAIN_DEFERRED		0x2

/* worker_open()'s flags. */
#define WORKER_ONCE		0x1	/* halt, not wait, when no token */
#define WORKER_DAEMON		0x2	/* hold state/worker.pid (one only) */

/* Why the engine does no more work. */
enum worker_halt {
	WORKER_RUNNING,
	WORKER_STOPPING,	/* SIGTERM or SIGINT, or libcurl failed */
	WORKER_TOKEN_REFUSED,	/* credentials refused (WORKER_ONCE) */
	WORKER_TOKEN_FAILED,	/* no token endpoint answer (WORKER_ONCE) */
	WORKER_AUDIT_FAILED,	/* audit lines cannot be written */
	WORKER_CLUSTER_DOWN	/* etcd does not answer (WORKER_ONCE) */
};

struct worker;

/*
 * Open everything a run needs (spool, state, audit file, libcurl, the
 * rate limit), return dead workers' events to new/ and remove orphaned
 * state.  conf must have its client secret read and outlive the engine.
 * 0, or the exit status the failure calls for (log.h: EXIT_PERM when the
 * configuration is at fault, EXIT_TEMP otherwise) with err filled.
 */
int	 worker_open(struct worker **wp, struct conf *c, int flags, char *err,
	    size_t errsz);
/* Puts back what is still claimed; NULL is fine. */
void	 worker_close(struct worker *w);

/* Ask for a scan of new/ and/or deferred/ (DRAIN_* bits). */
void	 worker_scan(struct worker *w, int dirs);

/* Nothing to scan, nothing claimed, nothing in flight. */
int	 worker_idle(const struct worker *w);

/*
 * One turn of the engine: claim into free slots, start what may start,
 * wait (at most max_wait_ms) for answers, signals or fd (when >= 0), and
 * settle the answers; a deferred event coming due or a wait for a token
 * ending is the engine's own business.  *fd_ready (when not NULL) says
 * whether fd became readable.  Returns how many milliseconds until the
 * engine next has work of its own to do (0: now), or -1 when none.
 */
long long	 worker_step(struct worker *w, int fd, long long max_wait_ms,
		    int *fd_ready);

/* A copy of the counts so far. */
void	 worker_snapshot(const struct worker *w, struct worker_stats *s);

/* WORKER_RUNNING, or why not, with a sentence for the log in why. */
enum worker_halt	 worker_halted(const struct worker *w, char *why,
			    size_t whysz);

#endif
