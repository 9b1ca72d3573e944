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
 *	routehook_worker_cluster_up			gauge, with a cluster
 *							section: etcd answers
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

#include "drain.h"

/*
 * The most the text can take: every status code seen, each counter at
 * its longest.  A worker sees a handful of codes; this is the bound.
 */
#define METRICS_TEXT_MAX	(96 * 1024)

/* Count one applied or dead event, ms after its receipt. */
void	 metrics_latency(struct worker_stats *s, long long ms);

/* The text; its length, or -1 if it does not fit in bufsz. */
int	 metrics_format(const struct worker_stats *s, long token_fetches,
	    time_t started, time_t now, char *buf, size_t bufsz);

/* Write it to path (atomically); -1 with err filled. */
int	 metrics_write(const char *path, const struct worker_stats *s,
	    long token_fetches, time_t started, char *err, size_t errsz);

#endif
