/*
 * drain: the engine (see drain.h): claim, start calls, settle answers.
 * The outcomes themselves are in outcome.c.
 *
 * Slots: w->jobs holds the claimed events; free slots are on a stack,
 * pending ones in a FIFO ring (in_ring keeps each slot in it at most once;
 * a slot found there no longer pending is skipped), so the oldest claim
 * is tried first and one busy user never stalls the others.
 *
 * How it fails: an event that cannot be read, locked or called for a
 * local reason is put in deferred/ for a second without an attempt
 * counted (never straight back to new/, where the daemon's inotify would
 * hand it back at once, in a loop); a libcurl multi error stops the
 * engine like SIGTERM does.  Nothing here exits.
 */
#include <sys/resource.h>
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "audit.h"
#include "backoff.h"
#include "job.h"
#include "log.h"
#include "sig.h"

#define DRAIN_LOCK_RETRY_MS	50	/* poll a user lock held elsewhere */
#define DRAIN_LOCK_GRACE_MS	5000	/* beyond timeout_ms, then postpone */
#define DRAIN_POSTPONE_MS	1000	/* a local failure: try again soon */
#define DRAIN_429_PAUSE_S	3	/* a 429 without Retry-After */
#define DRAIN_IDLE_WAIT_MS	1000

/* ---- the pending ring ---- */

static void
ring_push(struct worker *w, int idx)
{
	if (w->in_ring[idx])
		return;
	w->ring[(w->ring_head + w->ring_len) % w->nslots] = idx;
	w->ring_len++;
	w->in_ring[idx] = 1;
}

static int
ring_pop(struct worker *w)
{
	int idx = w->ring[w->ring_head];

	w->ring_head = (w->ring_head + 1) % w->nslots;
	w->ring_len--;
	w->in_ring[idx] = 0;
	return idx;
}

/* ---- claiming ---- */

static int
drain_read(int fd, char *buf, size_t max, size_t *len)
{
	ssize_t n;

	*len = 0;
	while (*len <= max) {
		n = pread(fd, buf + *len, max + 1 - *len, (off_t)*len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return -1;
		if (n == 0)
			break;
		*len += (size_t)n;
	}
	return 0;
}

/*
 * Another worker may have taken a deferred event and deferred it again
 * between our look at its mtime and the claim: then it is not due yet
 * and goes back.  1 when it went back.
 */
static int
claim_not_due(struct worker *w, int fd, const char *id)
{
	struct timespec now = job_real_now();
	struct stat st;
	char err[512];

	if (fstat(fd, &st) == -1 || job_ts_ms(&st.st_mtim) <= job_ts_ms(&now))
		return 0;
	job_note_due(w, job_ts_ms(&st.st_mtim));
	if (spool_move(&w->spool, id, SPOOL_CUR, SPOOL_DEFERRED, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	close(fd);
	return 1;
}

/*
 * Claim from/ID into w->scratch and parse it.  Returns 1 when the scratch
 * job is ready to enter the table, 0 when it was settled (dead, not due,
 * lost to another worker).
 */
static int
job_claim(struct worker *w, enum spool_dir from, const char *id)
{
	struct job *j = w->scratch;
	char err[512];
	size_t len;
	int fd;

	if ((fd = spool_claim(&w->spool, from, id, err, sizeof(err))) < 0) {
		if (fd == -1)
			log_warnx("%s", err);
		return 0;
	}
	if (from == SPOOL_DEFERRED && claim_not_due(w, fd, id))
		return 0;
	memset(j, 0, sizeof(*j));
	j->state = JOB_PENDING;
	j->fd = fd;
	j->lock_fd = -1;
	j->from = from;
	snprintf(j->id, sizeof(j->id), "%s", id);
	w->npending++;
	w->stats.claimed++;
	if (spool_id_time(id, &j->received) == -1)
		j->received = job_real_now();
	j->attempts = state_attempts_read(&w->state, id);
	if (drain_read(fd, w->buf, DRAIN_FILE_MAX, &len) == -1) {
		log_warn("%s/cur/%s", w->spool.root, id);
		job_postpone(w, j, DRAIN_POSTPONE_MS);
		return 0;
	}
	if (len > DRAIN_FILE_MAX) {
		snprintf(err, sizeof(err), "larger than %d bytes",
		    DRAIN_FILE_MAX);
		job_dead(w, j, j->attempts, 0, err);
		return 0;
	}
	w->buf[len] = '\0';
	if (event_parse(w->conf, w->buf, len, &j->ev, err, sizeof(err)) == -1) {
		job_dead(w, j, j->attempts, 0, err);
		return 0;
	}
	if (event_order_key(&j->ev, j->key, sizeof(j->key)) == -1 ||
	    !order_key_valid(j->key)) {
		job_dead(w, j, j->attempts, 0, "no order key for this event");
		return 0;
	}
	j->stamp = order_stamp(&j->ev, j->id);
	return 1;
}

/*
 * Put the claimed scratch job in the table.  When a pending job has the
 * same order key, the older of the two is superseded at once; a job in
 * flight is left alone (the newer one waits for its user and is checked
 * against the stamp that call leaves).
 */
static void
job_admit(struct worker *w)
{
	struct job *s = w->scratch, *old;
	char why[SPOOL_ID_MAX + 32];
	int k;

	k = keytab_get(&w->keys, s->key);
	old = k >= 0 ? &w->jobs[k] : NULL;
	switch (order_admit(old != NULL, old != NULL &&
	    old->state == JOB_PENDING, old ? old->stamp : 0, old ? old->id : "",
	    s->stamp, s->id)) {
	case ORDER_LOSES:
		snprintf(why, sizeof(why), "superseded by %s", old->id);
		job_superseded(w, s, why);
		return;
	case ORDER_REPLACES:
		snprintf(why, sizeof(why), "superseded by %s", s->id);
		job_superseded(w, old, why);
		break;
	case ORDER_ADMIT:
	case ORDER_FOLLOWS:
		break;
	}
	/* A free slot exists: the scan claims only while one does. */
	k = w->free[--w->nfree];
	w->jobs[k] = *s;
	keytab_put(&w->keys, w->jobs[k].key, k);
	ring_push(w, k);
	s->state = JOB_FREE;
	s->fd = s->lock_fd = -1;
}

/* ---- the token ---- */

static int
token_get(struct worker *w, int force)
{
	enum oauth_result r;
	const char *t;

	if (w->token_fail != OAUTH_OK)
		return -1;
	r = oauth_token(&w->oauth, force, &t, w->token_err,
	    sizeof(w->token_err));
	if (r != OAUTH_OK) {
		w->token_fail = r;
		w->token = NULL;
		return -1;
	}
	if (force)
		w->token_gen++;
	w->token = t;
	return 0;
}

/* ---- calls ---- */

/* Start (or restart) j's call; on failure j is postponed. */
static void
job_call(struct worker *w, struct job *j, long long now)
{
	struct event_call call;
	char url[HTTP_URL_MAX], err[512];

	if (event_call(&j->ev, &call) == -1) {
		job_dead(w, j, j->attempts, 0, "cannot build the API call");
		return;
	}
	if (http_url(url, sizeof(url), w->conf->genesys.api_base, call.path)
	    == -1) {
		job_dead(w, j, j->attempts, 0, "the API URL is too long");
		return;
	}
	if (api_start(&w->api, call.method, url, w->token, call.body, j, err,
	    sizeof(err)) == -1) {
		log_warnx("event %s: cannot start the call: %s", j->id, err);
		job_postpone(w, j, DRAIN_POSTPONE_MS);
		return;
	}
	if (j->state == JOB_PENDING)
		w->npending--;
	j->state = JOB_CALLING;
	j->token_gen = w->token_gen;
	j->ticket = ratelimit_start(&w->rl, now);
	w->stats.calls++;
}

/*
 * Try to start j: 1 when its call started or the job was settled, 0 when
 * it must wait (its user is busy here or elsewhere).
 */
static int
job_try(struct worker *w, struct job *j, long long now)
{
	char err[512], last[SPOOL_ID_MAX], why[SPOOL_ID_MAX + 64];
	long long ts;
	int fd, r;

	if (keytab_get(&w->busy, j->ev.user_id) >= 0)
		return 0;
	fd = state_lock_user(&w->state, j->ev.user_id, err, sizeof(err));
	if (fd == -2) {
		if (j->lock_since == 0)
			j->lock_since = now;
		if (now - j->lock_since > w->conf->genesys.timeout_ms +
		    DRAIN_LOCK_GRACE_MS) {
			job_postpone(w, j, DRAIN_POSTPONE_MS);
			return 1;
		}
		j->lock_retry = now + DRAIN_LOCK_RETRY_MS;
		return 0;
	}
	if (fd == -1) {
		log_warnx("event %s: %s", j->id, err);
		job_postpone(w, j, DRAIN_POSTPONE_MS);
		return 1;
	}
	j->lock_fd = fd;
	r = state_order_read(&w->state, j->key, &ts, last, sizeof(last), err,
	    sizeof(err));
	if (r == -1)
		log_warnx("event %s: %s; applying it anyway", j->id, err);
	switch (order_check(r == 1, ts, last, j->stamp, j->id)) {
	case ORDER_DONE:
		job_applied(w, j, 0);
		return 1;
	case ORDER_STALE:
		snprintf(why, sizeof(why), "not newer than %s, applied before",
		    last);
		job_superseded(w, j, why);
		return 1;
	case ORDER_APPLY:
		break;
	}
	/* The user is ours from here until the call's outcome. */
	keytab_put(&w->busy, j->ev.user_id, (int)(j - w->jobs));
	job_call(w, j, now);
	return 1;
}

static void
job_answer(struct worker *w, struct job *j, const struct http_result *res)
{
	long long now = job_mono_ms();
	long ra;

	ratelimit_done(&w->rl, j->ticket, now);
	/* What Genesys says is left of the token's budget paces the rest. */
	ratelimit_observe(&w->rl, res->rl_allowed, res->rl_count,
	    res->rl_reset_s, now);
	if (res->status != 0)
		w->stats.answered++;
	/* libcurl gives three digits or 0; anything else is no answer. */
	w->stats.by_status[res->status > 0 && res->status < STATS_STATUS_MAX ?
	    res->status : 0]++;
	switch (backoff_classify((int)res->status)) {
	case BACKOFF_OK:
		job_applied(w, j, res->status);
		return;
	case BACKOFF_REAUTH:
		if (j->reauthed)
			break;
		/* Fetch once, unless a call answered since already did. */
		j->reauthed = 1;
		if ((j->token_gen == w->token_gen && token_get(w, 1) == -1) ||
		    w->token == NULL) {
			/* Not the event's fault: back, untouched. */
			job_putback(w, j);
			return;
		}
		job_call(w, j, now);
		return;
	case BACKOFF_TEMP:
		if (res->status == 429) {
			/* The limit is the token's: every call waits. */
			ra = res->retry_after_s > 0 ? res->retry_after_s :
			    DRAIN_429_PAUSE_S;
			ratelimit_pause(&w->rl, now + ra * 1000);
		}
		break;
	case BACKOFF_PERM:
		job_dead(w, j, j->attempts + 1, res->status, res->error);
		return;
	}
	job_failed(w, j, res);
}

/* ---- the engine ---- */

static void
putback_pending(struct worker *w)
{
	int i;

	for (i = 0; i < w->nslots; i++)
		if (w->jobs[i].state == JOB_PENDING)
			job_putback(w, &w->jobs[i]);
}

/*
 * Start what may start now, oldest claim first.  Returns how long to wait
 * before trying again (milliseconds, at most DRAIN_IDLE_WAIT_MS).
 */
static long long
start_calls(struct worker *w)
{
	long long now = job_mono_ms(), wait = DRAIN_IDLE_WAIT_MS, rw;
	struct job *j;
	int n, idx;

	if (w->npending == 0 || api_idle(&w->api) == 0)
		return wait;
	/* Cheap while the token in memory is fresh. */
	if (token_get(w, 0) == -1)
		return 0;
	for (n = w->ring_len; n > 0 && w->ring_len > 0 &&
	    api_idle(&w->api) > 0; n--) {
		if ((rw = ratelimit_wait(&w->rl, now)) != 0) {
			if (rw > 0 && rw < wait)
				wait = rw;
			break;
		}
		idx = ring_pop(w);
		j = &w->jobs[idx];
		if (j->state != JOB_PENDING)
			continue;
		if (j->lock_retry > now) {
			if (j->lock_retry - now < wait)
				wait = j->lock_retry - now;
			ring_push(w, idx);
			continue;
		}
		if (job_try(w, j, now) == 0) {
			ring_push(w, idx);
			if (j->lock_retry > now && j->lock_retry - now < wait)
				wait = j->lock_retry - now;
		}
		if (w->token_fail != OAUTH_OK)
			return 0;
	}
	return wait;
}

/* Whether deferred/ID is due; notes when it will be otherwise. */
static int
deferred_due(struct worker *w, const char *id, long long now_ms)
{
	struct stat st;
	long long at;

	if (fstatat(w->spool.fd[SPOOL_DEFERRED], id, &st, AT_SYMLINK_NOFOLLOW)
	    == -1)
		return 0;
	at = job_ts_ms(&st.st_mtim);
	if (at <= now_ms)
		return 1;
	job_note_due(w, at);
	return 0;
}

static void
scan_stop(struct worker *w)
{
	if (w->scan_dir != -1)
		spool_scan_close(&w->scan);
	w->scan_dir = -1;
}

/* Open the next scan asked for; 0 when there is none. */
static int
scan_next_dir(struct worker *w)
{
	enum spool_dir d;

	if (w->scan_want & DRAIN_NEW) {
		w->scan_want &= ~DRAIN_NEW;
		d = SPOOL_NEW;
	} else if (w->scan_want & DRAIN_DEFERRED) {
		w->scan_want &= ~DRAIN_DEFERRED;
		d = SPOOL_DEFERRED;
		/* This scan sees every deferred event: it knows the next. */
		w->next_due_ms = 0;
	} else
		return 0;
	if (spool_scan_open(&w->spool, d, &w->scan) == -1) {
		log_warn("cannot read %s/%s", w->spool.root,
		    spool_dir_name(d));
		return 1;
	}
	w->scan_dir = d;
	return 1;
}

/*
 * Claim into free slots.  The scan runs to its end (or until the slots
 * are full) before any call starts, so that a backlog is superseded down
 * to one event per key first.
 */
static void
fill(struct worker *w)
{
	struct timespec now = job_real_now();
	const char *id;

	while (w->nfree > 0 && !w->stopping) {
		if (w->scan_dir == -1 && !scan_next_dir(w))
			return;
		if (w->scan_dir == -1)
			continue;
		if ((id = spool_scan_next(&w->scan)) == NULL) {
			scan_stop(w);
			continue;
		}
		if (w->scan_dir == SPOOL_DEFERRED &&
		    !deferred_due(w, id, job_ts_ms(&now)))
			continue;
		if (job_claim(w, w->scan_dir, id) == 1)
			job_admit(w);
		worker_signals(w);
	}
}

void
worker_scan(struct worker *w, int dirs)
{
	w->scan_want |= dirs & (DRAIN_NEW | DRAIN_DEFERRED);
}

int
worker_idle(const struct worker *w)
{
	int scanning = w->scan_dir != -1 || w->scan_want != 0;

	/* Scans asked for while stopping or without a token never start. */
	if (w->stopping || w->token_fail != OAUTH_OK)
		scanning = 0;
	return !scanning && w->npending == 0 && api_busy(&w->api) == 0;
}

static int
engine_blocked(const struct worker *w)
{
	return w->stopping || w->token_fail != OAUTH_OK;
}

int
worker_step(struct worker *w, int fd, long long max_wait_ms)
{
	struct http_result res;
	void *owner;
	char err[512];
	long long wait = DRAIN_IDLE_WAIT_MS, now = job_mono_ms();
	int ready = 0;

	worker_signals(w);
	if (!engine_blocked(w) && now >= w->hold_until)
		fill(w);
	if (!engine_blocked(w))
		wait = start_calls(w);
	if (engine_blocked(w)) {
		scan_stop(w);
		putback_pending(w);
	}
	if (now < w->hold_until && w->hold_until - now < wait)
		wait = w->hold_until - now;
	if (wait > max_wait_ms)
		wait = max_wait_ms;
	/* A step with claims still to make does not sleep. */
	if (!engine_blocked(w) && now >= w->hold_until && w->nfree > 0 &&
	    (w->scan_dir != -1 || w->scan_want != 0))
		wait = 0;
	if (worker_idle(w) && fd < 0)
		return 0;
	if (api_wait(&w->api, sig_fd(), fd, (int)(wait < 0 ? 0 : wait),
	    &ready, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		w->stopping = 1;
	}
	while (api_done(&w->api, &owner, &res) == 1)
		job_answer(w, (struct job *)owner, &res);
	return ready;
}

void
worker_signals(struct worker *w)
{
	int s = sig_take();

	if (s & WSIG_STOP)
		w->stopping = 1;
	if (s & WSIG_REOPEN)
		worker_reopen_audit(w);
}

/* ---- open and close ---- */

void
worker_reopen_audit(struct worker *w)
{
	char err[512];
	int fd;

	if ((fd = audit_open(w->conf->audit.file.path, err, sizeof(err)))
	    == -1) {
		log_warnx("cannot reopen the audit file: %s", err);
		return;
	}
	if (w->audit_fd != -1)
		close(w->audit_fd);
	w->audit_fd = fd;
	w->audit_warned = 0;
}

/*
 * A claimed event holds its descriptor until it leaves cur/: the table
 * must fit in RLIMIT_NOFILE beside the calls' sockets and lock files.
 */
static int
slots_for(const struct conf *c)
{
	struct rlimit rl;
	long n = DRAIN_SLOTS_MAX;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		n = (long)rl.rlim_cur - 64 - 3L * c->worker.concurrency;
	if (n > DRAIN_SLOTS_MAX)
		n = DRAIN_SLOTS_MAX;
	return n < 16 ? 16 : (int)n;
}

static int
worker_alloc(struct worker *w, char *err, size_t errsz)
{
	const struct conf *c = w->conf;
	size_t n;
	int i;

	w->nslots = slots_for(c);
	n = (size_t)w->nslots;
	if ((w->jobs = calloc(n, sizeof(*w->jobs))) == NULL ||
	    (w->scratch = calloc(1, sizeof(*w->scratch))) == NULL ||
	    (w->free = calloc(n, sizeof(*w->free))) == NULL ||
	    (w->ring = calloc(n, sizeof(*w->ring))) == NULL ||
	    (w->in_ring = calloc(n, 1)) == NULL ||
	    (w->buf = malloc(DRAIN_FILE_MAX + 1)) == NULL ||
	    keytab_init(&w->keys, n) == -1 ||
	    keytab_init(&w->busy, (size_t)c->worker.concurrency) == -1 ||
	    ratelimit_init(&w->rl, c->genesys.requests_per_minute,
	    RATELIMIT_WINDOW_MS) == -1) {
		snprintf(err, errsz, "out of memory");
		return -1;
	}
	/* Lowest slots first: the table stays dense for small loads. */
	for (i = w->nslots - 1; i >= 0; i--) {
		w->jobs[i].fd = w->jobs[i].lock_fd = -1;
		w->free[w->nfree++] = i;
	}
	return 0;
}

int
worker_open(struct worker *w, struct conf *c, char *err, size_t errsz)
{
	long returned, removed, orphans;
	char why[512];

	memset(w, 0, sizeof(*w));
	w->conf = c;
	w->audit_fd = -1;
	w->scan_dir = -1;
	w->token_fail = OAUTH_OK;
	w->state.attempts = w->state.order = w->state.lock = w->state.tmp = -1;
	if (spool_open(&w->spool, c->spool_dir.path, 1, c->receiver.fsync,
	    err, errsz) == -1)
		return -1;
	w->spool_ok = 1;
	if (state_open(&w->state, &w->spool, err, errsz) == -1 ||
	    (w->audit_fd = audit_open(c->audit.file.path, err, errsz)) == -1 ||
	    http_init(&w->http, c, err, errsz) == -1 ||
	    api_init(&w->api, &w->http, c->worker.concurrency, err, errsz)
	    == -1 || worker_alloc(w, err, errsz) == -1)
		goto fail;
	oauth_init(&w->oauth, c, w->spool.fd[SPOOL_STATE]);
	if (spool_recover(&w->spool, DRAIN_TMP_MAX_AGE, &returned, &removed,
	    why, sizeof(why)) == -1)
		log_warnx("recovery: %s", why);
	else if (returned > 0 || removed > 0)
		log_info("recovered %ld event%s left in cur/ by a dead worker, "
		    "removed %ld stale tmp/ file%s", returned,
		    returned == 1 ? "" : "s", removed, removed == 1 ? "" : "s");
	if (state_cleanup(&w->state, &w->spool, DRAIN_TMP_MAX_AGE, &orphans,
	    why, sizeof(why)) == -1)
		log_warnx("state cleanup: %s", why);
	return 0;
fail:
	worker_close(w);
	return -1;
}

/* Safe on a worker worker_open() left half open. */
void
worker_close(struct worker *w)
{
	int i;

	scan_stop(w);
	/* Events still claimed (an error path) go back untouched. */
	for (i = 0; w->jobs != NULL && i < w->nslots; i++)
		if (w->jobs[i].state != JOB_FREE)
			job_putback(w, &w->jobs[i]);
	api_free(&w->api);
	http_free(&w->http);
	state_close(&w->state);
	if (w->spool_ok)
		spool_close(&w->spool);
	w->spool_ok = 0;
	if (w->audit_fd != -1)
		close(w->audit_fd);
	w->audit_fd = -1;
	oauth_free(&w->oauth);
	ratelimit_free(&w->rl);
	keytab_free(&w->keys);
	keytab_free(&w->busy);
	free(w->jobs);
	free(w->scratch);
	free(w->free);
	free(w->ring);
	free(w->in_ring);
	free(w->buf);
	w->jobs = w->scratch = NULL;
	w->free = w->ring = NULL;
	w->in_ring = NULL;
	w->buf = NULL;
}
