/*
 * outcome: what becomes of a claimed event (see job.h), one audit line
 * each.
 *
 * Crash safety rests on the order of each outcome's steps:
 *	applied:	order stamp, audit line, unlink cur/ID, attempts file
 *	superseded:	audit line, unlink cur/ID, attempts file
 *	dead:		audit line, cur/ID -> dead/ID, attempts file
 *	deferred:	attempts file (+1), audit line, cur/ID -> deferred/ID
 * A crash between two steps leaves the event in cur/ with its lock gone,
 * so the next run returns it to new/ and takes it again: an event whose
 * own stamp is the last applied is audited as applied without a call
 * (never applied twice), an attempt may be counted twice (the safe
 * direction), an audit line may be written twice, never lost.  A crash
 * during the call itself means the call is made again: at least once.
 *
 * How it fails: a spool, state or audit write that fails costs a warning
 * and leaves the event where it is (in cur/, whose lock goes with the
 * descriptor, so the next run takes it back); nothing here exits.
 */
#include <string.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "audit.h"
#include "backoff.h"
#include "job.h"
#include "log.h"
#include "metrics.h"
#include "retry.h"

/* Uniform in [0, 1) from OpenSSL's CSPRNG; 0.5 if it ever fails. */
static double
outcome_random(void)
{
	unsigned long long v;

	if (RAND_bytes((unsigned char *)&v, sizeof(v)) != 1)
		return 0.5;
	return (double)(v >> 11) / (double)(1ULL << 53);
}

static long long
job_latency_ms(const struct job *j, const struct timespec *now)
{
	long long l = job_ts_ms(now) - job_ts_ms(&j->received);

	return l < 0 ? 0 : l;
}

/* now: when the outcome was decided (NULL: now); next is counted from it. */
static void
job_audit(struct worker *w, const struct job *j, const char *outcome,
    int attempt, long http_status, const char *error,
    const struct timespec *now, const struct timespec *next)
{
	const struct conf *c = w->conf;
	struct audit_record r;
	char line[AUDIT_LINE_MAX];
	int n;

	memset(&r, 0, sizeof(r));
	r.event_id = j->id;
	r.outcome = outcome;
	r.success = strcmp(outcome, "applied") == 0 ||
	    strcmp(outcome, "superseded") == 0;
	r.now = now != NULL ? *now : job_real_now();
	r.latency_ms = job_latency_ms(j, &r.now);
	r.sla_threshold_ms = c->sla.threshold_ms;
	r.event_type = j->ev.type;
	r.user_id = j->ev.user_id;
	r.attempt = attempt;
	r.http_status = (int)http_status;
	r.error = error;
	r.next_attempt = next;
	/*
	 * A warning per late applied or dead event; superseded and deferred
	 * ones carry sla_compliant in their line but would flood the log
	 * after every outage.
	 */
	if (strcmp(outcome, "applied") == 0 || strcmp(outcome, "dead") == 0) {
		metrics_latency(&w->stats, r.latency_ms);
		if (r.latency_ms > c->sla.threshold_ms) {
			w->stats.sla_breaches++;
			log_warnx("SLA breach: event %s %s %lld ms after "
			    "receipt (sla.threshold_ms %ld)", j->id, outcome,
			    r.latency_ms, c->sla.threshold_ms);
		}
	}
	if ((n = audit_format(&r, line, sizeof(line))) == -1) {
		log_warnx("event %s: audit line too long, not written", j->id);
		return;
	}
	if (audit_write(w->audit_fd, line, (size_t)n) == -1) {
		/* Once per failing stretch, not once per event. */
		if (!w->audit_warned)
			log_warn("cannot append to %s", c->audit.file.path);
		w->audit_warned = 1;
		return;
	}
	w->audit_warned = 0;
}

void
job_note_due(struct worker *w, long long due_ms)
{
	if (w->next_due_ms == 0 || due_ms < w->next_due_ms)
		w->next_due_ms = due_ms;
}

void
job_release(struct worker *w, struct job *j)
{
	char err[512];
	int idx;

	if (j->state == JOB_PENDING)
		w->npending--;
	/* The scratch job is in no table and has no slot. */
	if (j >= w->jobs && j < w->jobs + w->nslots) {
		idx = (int)(j - w->jobs);
		if (keytab_get(&w->busy, j->ev.user_id) == idx)
			keytab_del(&w->busy, j->ev.user_id);
		if (keytab_get(&w->keys, j->key) == idx)
			keytab_del(&w->keys, j->key);
		w->free[w->nfree++] = idx;
	}
	if (j->lock_fd != -1)
		close(j->lock_fd);
	j->lock_fd = -1;
	if (j->lock_rev != 0 && cluster_unlock_user(&w->cluster,
	    j->ev.user_id, j->lock_rev, err, sizeof(err)) == -1)
		log_warnx("cluster: %s; the lock on user %s is let go later",
		    err, j->ev.user_id);
	j->lock_rev = 0;
	if (j->fd != -1)
		close(j->fd);
	j->fd = -1;
	j->state = JOB_FREE;
}

void
job_applied(struct worker *w, struct job *j, long status)
{
	char err[512];

	/*
	 * In a cluster, the stamp and the user lock's release are one
	 * transaction; when etcd does not take it, the event goes back with
	 * its user still locked by us, to be sent again first (drain.h).
	 */
	if (status != 0 && j->lock_rev != 0) {
		if (cluster_settle(&w->cluster, j->ev.user_id, j->lock_rev,
		    j->key, j->stamp, j->id, err, sizeof(err)) == -1) {
			log_warnx("event %s applied, but etcd did not take its "
			    "order stamp; it is kept to be sent again: %s",
			    j->id, err);
			j->lock_rev = 0;
			job_putback(w, j);
			job_cluster_lost(w, err);
			return;
		}
		j->lock_rev = 0;
	} else if (status != 0 && !w->cluster_on &&
	    state_order_write(&w->state, j->key, j->stamp,
	    j->id, err, sizeof(err)) == -1)
		log_warnx("event %s applied, but its order stamp was not "
		    "kept (an older event could follow it): %s", j->id, err);
	job_audit(w, j, "applied", status != 0 ? j->attempts + 1 : j->attempts,
	    status, status != 0 ? NULL : "applied before the last worker "
	    "stopped; not sent again", NULL, NULL);
	if (spool_unlink(&w->spool, SPOOL_CUR, j->id, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	/* None was written for an event that never failed. */
	if (j->attempts > 0)
		state_attempts_remove(&w->state, j->id);
	w->stats.applied++;
	job_release(w, j);
}

void
job_superseded(struct worker *w, struct job *j, const char *why)
{
	char err[512];

	job_audit(w, j, "superseded", j->attempts, 0, why, NULL, NULL);
	if (spool_unlink(&w->spool, SPOOL_CUR, j->id, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	state_attempts_remove(&w->state, j->id);
	w->stats.superseded++;
	job_release(w, j);
}

void
job_dead(struct worker *w, struct job *j, int attempt, long status,
    const char *why)
{
	char err[512];

	job_audit(w, j, "dead", attempt, status, why, NULL, NULL);
	log_warnx("dead letter %s (%s, user %s): %s", j->id,
	    j->ev.type[0] != '\0' ? j->ev.type : "unknown type",
	    j->ev.user_id[0] != '\0' ? j->ev.user_id : "unknown", why);
	if (spool_move(&w->spool, j->id, SPOOL_CUR, SPOOL_DEAD, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	state_attempts_remove(&w->state, j->id);
	w->stats.dead++;
	job_release(w, j);
}

void
job_putback(struct worker *w, struct job *j)
{
	char err[512];

	if (spool_move(&w->spool, j->id, SPOOL_CUR, j->from, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	w->stats.putback++;
	job_release(w, j);
}

static struct timespec
ms_to_ts(long long ms)
{
	struct timespec t;

	t.tv_sec = (time_t)(ms / 1000);
	t.tv_nsec = (long)(ms % 1000) * 1000000;
	return t;
}

void
job_postpone(struct worker *w, struct job *j, long long delay_ms)
{
	struct timespec now = job_real_now(), when;
	long long at = job_ts_ms(&now) + delay_ms;
	char err[512];

	when = ms_to_ts(at);
	if (spool_defer(&w->spool, j->id, &when, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	job_note_due(w, at);
	w->stats.putback++;
	job_release(w, j);
}

void
job_failed(struct worker *w, struct job *j, const struct http_result *res)
{
	const struct conf *c = w->conf;
	struct timespec now = job_real_now(), when;
	enum retry_verdict v;
	char why[HTTP_ERROR_MAX + 128], err[512];
	int n = j->attempts + 1;
	long long delay, at;

	v = retry_decide(n, c->worker.max_attempts, job_latency_ms(j, &now),
	    c->worker.max_age_s);
	if (v != RETRY_DEFER) {
		retry_reason(v, n, c->worker.max_age_s, res->error, why,
		    sizeof(why));
		job_dead(w, j, n, res->status, why);
		return;
	}
	/* Counted before the move: a crash in between over-counts by one. */
	if (state_attempts_write(&w->state, j->id, n, err, sizeof(err)) == -1)
		log_warnx("event %s: attempt %d not recorded: %s", j->id, n,
		    err);
	delay = backoff_next_ms(n, c->worker.backoff_min_ms,
	    c->worker.backoff_max_ms, outcome_random(), res->retry_after_s);
	at = job_ts_ms(&now) + delay;
	when = ms_to_ts(at);
	job_audit(w, j, "deferred", n, res->status, res->error, &now, &when);
	if (spool_defer(&w->spool, j->id, &when, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	job_note_due(w, at);
	w->stats.deferred++;
	job_release(w, j);
}
