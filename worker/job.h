/*
 * job: one claimed event inside the worker, and what can become of it
 * (outcome.c).  Shared by drain.c and outcome.c only.
 *
 * A job is born when its file is claimed into cur/ (its descriptor holds
 * the claim's flock) and ends with exactly one of the outcomes below, each
 * of which moves or removes the file, writes its audit line (put-backs
 * excepted: nothing happened to the event), and releases the job: closes
 * the claim and user-lock descriptors and frees its slot.
 */
#ifndef ROUTEHOOK_JOB_H
#define ROUTEHOOK_JOB_H

#include <time.h>

#include "drain.h"
#include "event.h"
#include "http.h"
#include "order.h"
#include "spool.h"

enum job_state { JOB_FREE, JOB_PENDING, JOB_CALLING };

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
	long long		 lock_since;	/* mono ms; 0: not waiting */
	long long		 lock_retry;	/* mono ms */
	unsigned long long	 ticket;	/* rate limit */
};

static inline long long
job_mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static inline long long
job_ts_ms(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

static inline struct timespec
job_real_now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_REALTIME, &t);
	return t;
}

/* Close the job's descriptors, leave its tables, free its slot. */
void	 job_release(struct worker *w, struct job *j);

/*
 * The outcomes, each with its audit line.  job_applied() with status 0 is
 * for an event whose own stamp is already the last applied: a worker
 * applied it and died before its audit line (outcome.c).
 */
void	 job_applied(struct worker *w, struct job *j, long status);
void	 job_superseded(struct worker *w, struct job *j, const char *why);
void	 job_dead(struct worker *w, struct job *j, int attempt, long status,
	    const char *why);
/* A failure that may pass: deferred with backoff, or dead when used up. */
void	 job_failed(struct worker *w, struct job *j,
	    const struct http_result *res);

/* No outcome: back where it came from, or into deferred/ for delay_ms. */
void	 job_putback(struct worker *w, struct job *j);
void	 job_postpone(struct worker *w, struct job *j, long long delay_ms);

/* etcd did not answer: apply nothing until it does (drain.h). */
void	 job_cluster_lost(struct worker *w, const char *err);

/* The earliest deferred/ mtime (realtime ms) known to be in the future. */
void	 job_note_due(struct worker *w, long long due_ms);

#endif
