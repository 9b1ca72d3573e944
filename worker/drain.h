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
 * untouched, scanning stops, and w->token_fail says why.
 *
 * With a cluster section (cluster.h), the user lock, the order stamps
 * and the rate budget are etcd's instead, shared with every other host;
 * the user lock is taken, the stamp read and one call counted against
 * the shared budget before a call starts, and an applied event's stamp
 * is written and its lock let go in one transaction.  When etcd does not
 * answer (no quorum), the engine is blocked as without a token:
 * w->cluster_down, one log line going down and one coming back, pending
 * events back untouched, nothing called, and a heartbeat every second
 * until etcd answers; then every directory is scanned again.  An event
 * applied whose stamp etcd did not take goes back too, its user lock
 * kept, so that it is sent again before any other host may call for
 * that user.
 */
#ifndef ROUTEHOOK_DRAIN_H
#define ROUTEHOOK_DRAIN_H

#include <stddef.h>
#include <time.h>

#include "api.h"
#include "cluster.h"
#include "conf.h"
#include "http.h"
#include "oauth.h"
#include "order.h"
#include "ratelimit.h"
#include "spool.h"
#include "state.h"

#define DRAIN_SLOTS_MAX		1024	/* claimed events held at once */
#define DRAIN_FILE_MAX		(1024 * 1024)	/* bytes of one event file */
#define DRAIN_TMP_MAX_AGE	86400	/* tmp/ files older are removed */

/* What worker_scan() may ask for. */
#define DRAIN_NEW		0x1
#define DRAIN_DEFERRED		0x2

/*
 * HTTP statuses are three digits (libcurl reads no others); index 0 is
 * "no answer".  The latency buckets are metrics.c's bounds, then +Inf.
 */
#define STATS_STATUS_MAX	1000
#define STATS_CLUSTER_UP	1	/* etcd answers */
#define STATS_CLUSTER_DOWN	2	/* it does not: nothing applied */
#define STATS_LATENCY_BUCKETS	12

/* This process's, since it started; worker.metrics_file shows them. */
struct worker_stats {
	long	 claimed;
	long	 applied;
	long	 superseded;
	long	 deferred;
	long	 dead;
	long	 putback;	/* returned untouched (stop, no token, lock) */
	long	 calls;		/* API calls started */
	long	 answered;	/* ... that got an HTTP answer */
	long	 by_status[STATS_STATUS_MAX];	/* calls ended, by status */
	long	 sla_breaches;	/* applied or dead later than sla */
	long	 latency[STATS_LATENCY_BUCKETS];	/* applied and dead, */
	long	 latency_count;			/* receipt to outcome; */
	long long latency_sum_ms;		/* not cumulative */
	int	 cluster;	/* 0: none; STATS_CLUSTER_UP or _DOWN */
};

struct job;

struct worker {
	struct conf		*conf;
	struct spool		 spool;
	int			 spool_ok;
	struct state		 state;
	struct http		 http;
	struct api		 api;
	struct oauth		 oauth;
	struct ratelimit	 rl;
	int			 audit_fd;
	int			 audit_warned;
	int			 stopping;	/* SIGTERM: claim no more */

	struct job		*jobs;		/* nslots slots */
	struct job		*scratch;	/* the event being claimed */
	int			 nslots;
	int			*free;		/* stack of free slots */
	int			 nfree;
	int			*ring;		/* pending slots, FIFO */
	unsigned char		*in_ring;
	int			 ring_head, ring_len;
	int			 npending;
	struct keytab		 keys;		/* order key -> newest job */
	struct keytab		 busy;		/* user id -> job in flight */
	char			*buf;		/* DRAIN_FILE_MAX + 1 bytes */

	int			 scan_want;	/* DRAIN_* not yet started */
	int			 scan_dir;	/* being scanned, or -1 */
	struct spool_scan	 scan;
	long long		 hold_until;	/* mono ms: no scan before */

	const char		*token;		/* into oauth; NULL: none yet */
	unsigned		 token_gen;	/* bumped by each forced fetch */
	enum oauth_result	 token_fail;	/* OAUTH_OK, or why none */
	char			 token_err[768];

	long long		 next_due_ms;	/* earliest deferred mtime seen
						   in the future; 0: none */

	/* With a cluster section: the state shared through etcd. */
	struct cluster		 cluster;
	int			 cluster_on;
	int			 cluster_down;	/* etcd did not answer */
	char			 cluster_err[512];
	long long		 cluster_retry;	/* mono ms: next beat when down */
	long long		 budget_until;	/* mono ms: shared budget spent */
	struct worker_stats	 stats;
};

/*
 * Open everything a run needs (spool, state, audit file, libcurl, the
 * rate limit), return dead workers' events to new/ and remove orphaned
 * state.  conf must have its client secret read.  -1 with err filled.
 */
int	 worker_open(struct worker *w, struct conf *c, char *err,
	    size_t errsz);
void	 worker_close(struct worker *w);

/* Ask for a scan of new/ and/or deferred/ (DRAIN_* bits). */
void	 worker_scan(struct worker *w, int dirs);

/* Nothing to scan, nothing claimed, nothing in flight. */
int	 worker_idle(const struct worker *w);

/*
 * One turn of the engine: claim into free slots, start what may start,
 * wait (at most max_wait_ms) for answers, signals or fd (when >= 0), and
 * settle the answers.  Returns 1 when fd became readable.
 */
int	 worker_step(struct worker *w, int fd, long long max_wait_ms);

/* Reopen audit.file (SIGHUP); on failure the old descriptor is kept. */
void	 worker_reopen_audit(struct worker *w);

/* Poll the signal pipe and act on it (stop, reopen). */
void	 worker_signals(struct worker *w);

#endif
