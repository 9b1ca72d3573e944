/*
 * metrics: the worker's counters as a node_exporter textfile, in the
 * Prometheus text exposition format, in worker.metrics_file:
 *
 *	routehook_worker_start_time_seconds		gauge
 *	routehook_worker_last_update_seconds		gauge
 *	routehook_worker_events_total{outcome}		counter
 *	routehook_worker_api_calls_total{code}		counter ("0": no answer)
 *	routehook_worker_token_fetches_total		counter
 *	routehook_worker_latency_seconds		histogram, receipt to an
 *							applied or dead outcome
 *	routehook_worker_sla_breaches_total		counter
 *	routehook_worker_audit_blocked			gauge, 1 while audit
 *							lines cannot be written
 *							(nothing is applied)
 *	routehook_worker_cluster_up			gauge, with a cluster
 *							section: 1 while etcd
 *							answers
 *
 * Counts are this process's, since it started (a --once run's file says
 * what that run did; start_time_seconds says which process it was).  The
 * file is written whole to a temp name beside it, synced and renamed, mode
 * 0644, so node_exporter never reads half of one.  Its textfile collector
 * reads only names ending in ".prom"; the temp name does not end so.
 */
#ifndef ROUTEHOOK_METRICS_H
#define ROUTEHOOK_METRICS_H

#include <stddef.h>
#include <time.h>

/*
 * HTTP statuses are three digits (libcurl reads no others); index 0 is
 * "no answer".  The latency buckets are metrics.c's bounds, then +Inf.
 */
#define STATS_STATUS_MAX	1000
#define STATS_CLUSTER_UP	1	/* etcd answers */
#define STATS_CLUSTER_DOWN	2	/* it does not: nothing applied */
#define STATS_LATENCY_BUCKETS	12

/* The engine's counts, since it started; worker.metrics_file shows them. */
struct worker_stats {
	long	 claimed;
	long	 applied;
	long	 superseded;
	long	 ignored;	/* asked for what no call can set */
	long	 unchanged;	/* asked for what routehook just set */
	long	 deferred;
	long	 dead;
	long	 putback;	/* returned untouched (stop, no token, lock) */
	long	 calls;		/* API calls started */
	long	 bulk_calls;	/* ... of them for many queue members */
	long	 answered;	/* ... that got an HTTP answer */
	long	 by_status[STATS_STATUS_MAX];	/* calls ended, by status */
	long	 sla_breaches;	/* applied or dead later than sla */
	long	 latency[STATS_LATENCY_BUCKETS];	/* applied and dead, */
	long	 latency_count;			/* receipt to outcome; */
	long long latency_sum_ms;		/* not cumulative */
	long	 token_fetches;	/* access tokens fetched */
	int	 audit_blocked;	/* 1 while audit lines cannot be written */
	int	 cluster;	/* 0: no cluster; STATS_CLUSTER_UP or _DOWN */
};

/*
 * The most the text can take: every status code seen, each counter at
 * its longest.  A worker sees a handful of codes; this is the bound.
 */
#define METRICS_TEXT_MAX	(96 * 1024)

/* Count one applied or dead event, ms after its receipt. */
void	 metrics_latency(struct worker_stats *s, long long ms);

/* The text, appended to b: 0, or -1 if it passed b's cap (or no memory). */
struct dynbuf;
int	 metrics_format(const struct worker_stats *s, long token_fetches,
	    time_t started, time_t now, struct dynbuf *b);

/* Write it to path (atomically); -1 with err filled. */
int	 metrics_write(const char *path, const struct worker_stats *s,
	    long token_fetches, time_t started, char *err, size_t errsz);

#endif
