/*
 * metrics: see metrics.h.  metrics_write() fails when the text does not
 * fit or lib/atomicfile cannot replace the file (its temp file cannot be
 * created, written, synced or renamed), and then leaves no temp file
 * behind (the caller warns and carries on: monitoring is not worth an
 * event, and the previous file stays whole, only older).
 */
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "atomicfile.h"
#include "dynbuf.h"
#include "err.h"
#include "metrics.h"

/* Upper bounds, inclusive as Prometheus's "le"; the last bucket is +Inf. */
static const struct {
	long long	 ms;
	const char	*le;
} buckets[] = {
	{ 50, "0.05" }, { 100, "0.1" }, { 250, "0.25" }, { 500, "0.5" },
	{ 1000, "1" }, { 2500, "2.5" }, { 5000, "5" }, { 10000, "10" },
	{ 30000, "30" }, { 60000, "60" }, { 300000, "300" }
};
_Static_assert(sizeof(buckets) / sizeof(buckets[0]) + 1 ==
    STATS_LATENCY_BUCKETS, "STATS_LATENCY_BUCKETS is the bounds and +Inf");

static const char *const outcomes[] = {
	"applied", "deferred", "dead", "superseded", "ignored",
	"unchanged"
};

/*
 * The text is built in a dynbuf capped at METRICS_TEXT_MAX: once an add
 * does not fit (or memory runs out), the rest is dropped and the whole
 * text refused, never written cut.
 */
struct out {
	struct dynbuf	*b;
	int		 full;
};

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static void
out_add(struct out *o, const char *fmt, ...)
{
	va_list ap;

	if (o->full)
		return;
	va_start(ap, fmt);
	if (dyn_vaddf(o->b, fmt, ap) == -1)
		o->full = 1;
	va_end(ap);
}

/* HELP and TYPE, always together and before the family's samples. */
static void
out_family(struct out *o, const char *name, const char *type,
    const char *help)
{
	out_add(o, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

void
metrics_latency(struct worker_stats *s, long long ms)
{
	size_t i;

	if (ms < 0)
		ms = 0;
	for (i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++)
		if (ms <= buckets[i].ms)
			break;
	s->latency[i]++;
	s->latency_count++;
	s->latency_sum_ms += ms;
}

static void
out_latency(struct out *o, const struct worker_stats *s)
{
	static const char *name = "routehook_worker_latency_seconds";
	long cum = 0;
	size_t i;

	out_family(o, name, "histogram", "Seconds from an event's receipt "
	    "to its applied or dead outcome, for the events this process "
	    "gave those outcomes since it started.");
	for (i = 0; i < sizeof(buckets) / sizeof(buckets[0]); i++) {
		cum += s->latency[i];
		out_add(o, "%s_bucket{le=\"%s\"} %ld\n", name, buckets[i].le,
		    cum);
	}
	cum += s->latency[i];
	out_add(o, "%s_bucket{le=\"+Inf\"} %ld\n", name, cum);
	/* Milliseconds as seconds, exactly: no floating point to round. */
	out_add(o, "%s_sum %lld.%03lld\n", name, s->latency_sum_ms / 1000,
	    s->latency_sum_ms % 1000);
	out_add(o, "%s_count %ld\n", name, s->latency_count);
}

int
metrics_format(const struct worker_stats *s, long token_fetches,
    time_t started, time_t now, struct dynbuf *b)
{
	const long counts[] = { s->applied, s->deferred, s->dead,
	    s->superseded, s->ignored, s->unchanged };
	struct out o = { b, 0 };
	size_t i;

	out_add(&o, "# routehook-worker: counts are this process's, since "
	    "it started (routehook_worker_start_time_seconds).\n");
	out_family(&o, "routehook_worker_start_time_seconds", "gauge",
	    "Unix time this worker process started; every count here is "
	    "since then.");
	out_add(&o, "routehook_worker_start_time_seconds %lld\n",
	    (long long)started);
	out_family(&o, "routehook_worker_last_update_seconds", "gauge",
	    "Unix time this file was written.");
	out_add(&o, "routehook_worker_last_update_seconds %lld\n",
	    (long long)now);
	out_family(&o, "routehook_worker_events_total", "counter",
	    "Events given each outcome by this process since it started.");
	for (i = 0; i < sizeof(outcomes) / sizeof(outcomes[0]); i++)
		out_add(&o, "routehook_worker_events_total{outcome=\"%s\"} "
		    "%ld\n", outcomes[i], counts[i]);
	out_family(&o, "routehook_worker_api_calls_total", "counter",
	    "Genesys API calls ended by this process since it started, by "
	    "HTTP status (0: no answer).");
	/* Only the codes seen: a series per possible code would be noise. */
	for (i = 0; i < STATS_STATUS_MAX; i++)
		if (s->by_status[i] != 0)
			out_add(&o, "routehook_worker_api_calls_total"
			    "{code=\"%zu\"} %ld\n", i, s->by_status[i]);
	out_family(&o, "routehook_worker_bulk_calls_total", "counter",
	    "Of those calls, the ones that joined or left many members of "
	    "one queue at once (routing.queue_bulk_max).");
	out_add(&o, "routehook_worker_bulk_calls_total %ld\n",
	    s->bulk_calls);
	out_family(&o, "routehook_worker_token_fetches_total", "counter",
	    "OAuth tokens fetched from the token endpoint by this process "
	    "since it started (a cached token is not counted).");
	out_add(&o, "routehook_worker_token_fetches_total %ld\n",
	    token_fetches);
	if (s->cluster != 0) {
		out_family(&o, "routehook_worker_cluster_up", "gauge",
		    "1 when etcd answers this worker (cluster section); 0 "
		    "when it does not, and nothing is applied.");
		out_add(&o, "routehook_worker_cluster_up %d\n",
		    s->cluster == STATS_CLUSTER_UP);
	}
	out_latency(&o, s);
	out_family(&o, "routehook_worker_sla_breaches_total", "counter",
	    "Events applied or dead later than sla.threshold_ms after "
	    "receipt, by this process since it started.");
	out_add(&o, "routehook_worker_sla_breaches_total %ld\n",
	    s->sla_breaches);
	out_family(&o, "routehook_worker_audit_blocked", "gauge",
	    "1 while audit lines cannot be written: the worker applies "
	    "nothing until they can.");
	out_add(&o, "routehook_worker_audit_blocked %d\n", s->audit_blocked);
	return o.full ? -1 : 0;
}

int
metrics_write(const char *path, const struct worker_stats *s,
    long token_fetches, time_t started, char *err, size_t errsz)
{
	struct dynbuf b;
	int rc;

	dyn_init(&b, METRICS_TEXT_MAX);
	if (metrics_format(s, token_fetches, started, time(NULL), &b) == -1) {
		err_set(err, errsz, "%s: %s", path, dyn_clipped(&b) ?
		    "content too long" : "out of memory");
		dyn_free(&b);
		return -1;
	}
	/*
	 * Mode 0644 whatever the umask: node_exporter runs as another user.
	 * The directory is not synced: after a crash the old file, whole,
	 * is as good as the new one (both are counts of a dead process).
	 */
	rc = atomicfile_write(AT_FDCWD, path, dyn_ptr(&b), dyn_len(&b), 0644, 0,
	    err, errsz);
	dyn_free(&b);
	return rc;
}
