/*
 * outcome: what becomes of a claimed event (see outcome.h), one audit
 * line each, carried out a batch at a time.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <openssl/rand.h>

#include "audit.h"
#include "backoff.h"
#include "err.h"
#include "outcome.h"
#include "log.h"
#include "metrics.h"
#include "retry.h"

#define OUTCOME_AUDIT_ROOM	(64 * 1024)	/* bytes free to resume */

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
	long long l = msclock_of(now) - msclock_of(&j->received);

	return l < 0 ? 0 : l;
}

static const char *const outcome_names[] = {
	"none", "applied", "superseded", "deferred", "dead", "ignored",
	"unchanged"
};

/* j's audit line: 0 when written (or impossible to format), else -1. */
static int
outcome_audit(struct outcome *o, const struct job *j, char *err,
    size_t errsz)
{
	const struct conf *c = o->conf;
	struct audit_record r;
	char line[AUDIT_LINE_MAX];
	int n;

	memset(&r, 0, sizeof(r));
	r.event_id = j->id;
	r.outcome = outcome_names[j->out];
	r.success = j->out == OUT_APPLIED || j->out == OUT_SUPERSEDED ||
	    j->out == OUT_IGNORED || j->out == OUT_UNCHANGED;
	r.now = j->out_at;
	r.latency_ms = job_latency_ms(j, &r.now);
	r.sla_threshold_ms = c->sla.threshold_ms;
	r.event_type = j->ev.type;
	r.user_id = j->ev.user_id;
	r.attempt = j->out_attempt;
	r.http_status = (int)j->out_status;
	r.error = j->out_has_why ? j->out_why : NULL;
	r.next_attempt = j->out == OUT_DEFERRED ? &j->out_next : NULL;
	/*
	 * A warning per late applied or dead event; superseded and deferred
	 * ones carry sla_compliant in their line but would flood the log
	 * after every outage.
	 */
	if (j->out == OUT_APPLIED || j->out == OUT_DEAD) {
		metrics_latency(o->stats, r.latency_ms);
		if (r.latency_ms > c->sla.threshold_ms) {
			o->stats->sla_breaches++;
			log_warnx("SLA breach: event %s %s %lld ms after "
			    "receipt (sla.threshold_ms %ld)", j->id, r.outcome,
			    r.latency_ms, c->sla.threshold_ms);
		}
	}
	if ((n = audit_format(&r, line, sizeof(line))) == -1) {
		log_warnx("event %s: audit line too long, not written", j->id);
		return 0;
	}
	if (o->audit_fd == -1 || audit_write(o->audit_fd, line, (size_t)n)
	    == -1) {
		if (o->audit_fd == -1)
			err_set(err, errsz, "cannot append to %s: not open",
			    c->audit.file.path);
		else
			err_set_sys(err, errsz, "cannot append to %s",
			    c->audit.file.path);
		return -1;
	}
	return 0;
}

static void
outcome_decided(struct job *j, enum job_outcome out, int attempt,
    long status, const char *why)
{
	j->out = out;
	j->out_attempt = attempt;
	j->out_status = status;
	j->out_has_why = why != NULL;
	if (why != NULL)
		snprintf(j->out_why, sizeof(j->out_why), "%s", why);
	j->out_at = msclock_real_ts();
}

void
outcome_set_applied(struct job *j, long status)
{
	/* status 0: applied by a run that died before saying so. */
	outcome_decided(j, OUT_APPLIED, status != 0 ? j->attempts + 1 :
	    j->attempts, status, status != 0 ? NULL : "applied before the "
	    "last worker stopped; not sent again");
}

void
outcome_set_superseded(struct job *j, const char *why)
{
	outcome_decided(j, OUT_SUPERSEDED, j->attempts, 0, why);
}

void
outcome_set_ignored(struct job *j, const char *why)
{
	outcome_decided(j, OUT_IGNORED, j->attempts, 0, why);
}

void
outcome_set_unchanged(struct job *j, const char *why)
{
	outcome_decided(j, OUT_UNCHANGED, j->attempts, 0, why);
}

void
outcome_set_dead(struct job *j, int attempt, long status, const char *why)
{
	outcome_decided(j, OUT_DEAD, attempt, status, why);
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
outcome_failed(struct outcome *o, struct job *j, const struct http_result *res)
{
	const struct conf *c = o->conf;
	struct timespec now = msclock_real_ts();
	enum retry_verdict v;
	char why[HTTP_ERROR_MAX + 128], err[512];
	int n = j->attempts + 1;
	long long delay;

	v = retry_decide(n, c->worker.max_attempts, job_latency_ms(j, &now),
	    c->worker.max_age_s);
	if (v != RETRY_DEFER) {
		retry_reason(v, n, c->worker.max_age_s, res->error, why,
		    sizeof(why));
		outcome_set_dead(j, n, res->status, why);
		return;
	}
	/* Counted before the move: a crash in between over-counts by one. */
	if (state_attempts_write(o->state, j->id, n, err, sizeof(err)) == -1)
		log_warnx("event %s: attempt %d not recorded: %s", j->id, n,
		    err);
	delay = backoff_next_ms(n, c->worker.backoff_min_ms,
	    c->worker.backoff_max_ms, outcome_random(), res->retry_after_s);
	outcome_decided(j, OUT_DEFERRED, n, res->status, res->error);
	j->out_at = now;
	j->out_next = ms_to_ts(msclock_of(&now) + delay);
}

/* Move or remove j's file for its outcome, once its audit line is out. */
static void
outcome_file(struct outcome *o, const struct job *j, long long *next_due)
{
	char err[512];
	long long at;
	int r = 0;

	switch (j->out) {
	case OUT_APPLIED:
	case OUT_SUPERSEDED:
	case OUT_IGNORED:
	case OUT_UNCHANGED:
		r = spool_unlink(o->spool, SPOOL_CUR, j->id, err, sizeof(err));
		if (j->out == OUT_APPLIED)
			o->stats->applied++;
		else if (j->out == OUT_SUPERSEDED)
			o->stats->superseded++;
		else if (j->out == OUT_IGNORED)
			o->stats->ignored++;
		else
			o->stats->unchanged++;
		break;
	case OUT_DEAD:
		log_warnx("dead letter %s (%s, user %s): %s", j->id,
		    j->ev.type[0] != '\0' ? j->ev.type : "unknown type",
		    j->ev.user_id[0] != '\0' ? j->ev.user_id : "unknown",
		    j->out_has_why ? j->out_why : "no reason");
		r = spool_move(o->spool, j->id, SPOOL_CUR, SPOOL_DEAD, err,
		    sizeof(err));
		o->stats->dead++;
		break;
	case OUT_DEFERRED:
		r = spool_defer(o->spool, j->id, &j->out_next, err,
		    sizeof(err));
		at = msclock_of(&j->out_next);
		if (*next_due == 0 || at < *next_due)
			*next_due = at;
		o->stats->deferred++;
		/* The attempts file stays: it counts the next try. */
		if (r == -1)
			log_warnx("%s", err);
		return;
	case OUT_NONE:
		return;
	}
	if (r == -1)
		log_warnx("%s", err);
	/* None was written for an event that never failed. */
	if ((j->out != OUT_APPLIED || j->attempts > 0) &&
	    state_attempts_remove(o->state, j->id, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

int
outcome_flush(struct outcome *o, struct job *const *jobs, int n,
    long long *next_due, char *err, size_t errsz)
{
	int i, k;

	for (k = 0; k < n; k++)
		if (outcome_audit(o, jobs[k], err, errsz) == -1)
			break;
	/* The lines written outlive a crash before their files move. */
	if (k > 0 && o->conf->receiver.fsync && fdatasync(o->audit_fd) == -1) {
		err_set_sys(err, errsz, "cannot sync %s",
		    o->conf->audit.file.path);
		return 0;
	}
	for (i = 0; i < k; i++)
		outcome_file(o, jobs[i], next_due);
	return k;
}

/*
 * Whether audit lines can be written again: the file opens for appending
 * and its filesystem has room for a good many lines.  A line cut short
 * by a full disk is ended first, so the next one stands on its own line.
 */
int
outcome_audit_ready(struct outcome *o, char *err, size_t errsz)
{
	const char *path = o->conf->audit.file.path;
	struct statvfs vs;
	struct stat st;
	char last;
	int fd;

	if ((fd = audit_open(path, err, errsz)) == -1)
		return -1;
	if (fstatvfs(fd, &vs) == -1) {
		err_set_sys(err, errsz, "%s", path);
		close(fd);
		return -1;
	}
	if ((unsigned long long)vs.f_bavail * vs.f_frsize <
	    OUTCOME_AUDIT_ROOM) {
		errno = ENOSPC;
		err_set_sys(err, errsz, "%s", path);
		close(fd);
		return -1;
	}
	if (fstat(fd, &st) == 0 && st.st_size > 0 &&
	    pread(fd, &last, 1, st.st_size - 1) == 1 && last != '\n' &&
	    write(fd, "\n", 1) != 1) {
		err_set_sys(err, errsz, "%s", path);
		close(fd);
		return -1;
	}
	if (o->audit_fd != -1)
		close(o->audit_fd);
	o->audit_fd = fd;
	return 0;
}

void
outcome_putback(struct outcome *o, const struct job *j)
{
	char err[512];

	if (spool_move(o->spool, j->id, SPOOL_CUR, j->from, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	o->stats->putback++;
}

void
outcome_postpone(struct outcome *o, const struct job *j, long long at_ms)
{
	struct timespec when = ms_to_ts(at_ms);
	char err[512];

	if (spool_defer(o->spool, j->id, &when, err, sizeof(err)) == -1)
		log_warnx("%s", err);
	o->stats->putback++;
}

int
outcome_open(struct outcome *o, const struct conf *c, struct spool *sp,
    struct state *st, struct worker_stats *stats, char *err, size_t errsz)
{
	memset(o, 0, sizeof(*o));
	o->conf = c;
	o->spool = sp;
	o->state = st;
	o->stats = stats;
	if ((o->audit_fd = audit_open(c->audit.file.path, err, errsz)) == -1)
		return -1;
	return 0;
}

void
outcome_close(struct outcome *o)
{
	if (o->audit_fd != -1)
		close(o->audit_fd);
	o->audit_fd = -1;
}

void
outcome_reopen(struct outcome *o)
{
	char err[512];
	int fd;

	if ((fd = audit_open(o->conf->audit.file.path, err, sizeof(err)))
	    == -1) {
		log_warnx("cannot reopen the audit file: %s", err);
		return;
	}
	if (o->audit_fd != -1)
		close(o->audit_fd);
	o->audit_fd = fd;
	/* Says when the rotated file has had its last line. */
	log_info("reopened %s", o->conf->audit.file.path);
}
