/*
 * drain: the engine (see drain.h): claim, start calls, settle answers.
 * What becomes of each event is carried out by outcome.c, a batch at a
 * time: the outcomes decided during a step are flushed together, after
 * one commit of the batch's order stamps.
 *
 * Slots: w->jobs holds the claimed events; free slots are on a stack,
 * pending ones in a FIFO ring (in_ring keeps each slot in it at most once;
 * a slot found there no longer pending is skipped), so the oldest claim
 * is tried first and one busy user never stalls the others; settled ones
 * wait in w->settle for the flush.
 *
 * What routehook set (struct set_rec): for every order key a call of
 * this worker applied, the call's body, the event's id and when, kept in
 * memory only, in a fixed table where the oldest record makes room for a
 * new one (DRAIN_SETS_MAX).  An event whose call would carry the same
 * body for the same key within routing.unchanged_window_s, while the
 * key's last stamp is still the one this worker left, is not sent: its
 * outcome is unchanged (a repeated command, or a notification echoing
 * routehook's own call).  It is stamped as if applied, so an older event
 * arriving later still loses to it.  A restart, or a record pushed out,
 * forgets: at worst one call that changes nothing, as without this.  A
 * crash between an unchanged event's stamp and its audit line audits it
 * as applied (before) when it is taken again.
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
#include <pwd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "api.h"
#include "atomicfile.h"
#include "backoff.h"
#include "cluster.h"
#include "drain.h"
#include "err.h"
#include "http.h"
#include "log.h"
#include "members.h"
#include "msclock.h"
#include "oauth.h"
#include "outcome.h"
#include "presence.h"
#include "ratelimit.h"
#include "runstate.h"
#include "secret.h"
#include "sig.h"
#include "spool.h"
#include "state.h"

#define DRAIN_LOCK_RETRY_MS	50	/* poll a user lock held elsewhere */
#define DRAIN_LOCK_GRACE_MS	5000	/* beyond timeout_ms, then postpone */
#define DRAIN_POSTPONE_MS	1000	/* a local failure: try again soon */
#define DRAIN_429_PAUSE_S	3	/* a 429 without Retry-After */
#define DRAIN_IDLE_WAIT_MS	1000
#define DRAIN_TOKEN_REFUSED_MS	5000LL	/* at least, before asking again */
#define DRAIN_AUDIT_PROBE_MS	1000	/* audit file unwritable: look again */
#define DRAIN_DEFS_BODY_MAX	STATE_DEFS_MAX	/* presence definitions */
#define DRAIN_DEFS_RETRY_MS	60000LL	/* a target not found: refetch once
					   a minute at most */
#define DRAIN_CLUSTER_RETRY_MS	1000	/* etcd down: heartbeat this often */
#define DRAIN_SECRET_CHECK_MS	1000	/* stat the client secret file */
#define DRAIN_SETS_MAX		8192	/* keys remembered as set by us */
#define DRAIN_FILL_SLICE_MS	20	/* claiming, with calls in flight */
#define DRAIN_BULKS_OPEN	16	/* queues collecting members at once */
#define DRAIN_BULK_BODY_MAX	(16 * 1024)	/* 100 members fit in 9 KB */

/*
 * Membership changes waiting to go out as one call (see "queue
 * membership in bulk").
 */
struct bulk {
	char			 queue[EVENT_ID_MAX];	/* "": a free one */
	int			 slot[MEMBERS_MAX];
	int			 n;
	int			 calling;	/* sent, not yet answered */
	int			 reauthed;	/* a 401 was retried */
	unsigned		 token_gen;
	unsigned long long	 ticket;	/* rate limit */
};

/* A state this worker set for a key (see the top of the file). */
struct set_rec {
	char		 key[ORDER_KEY_MAX];	/* "": a free record */
	char		 body[128];		/* the call's body */
	char		 id[SPOOL_ID_MAX];	/* the key's stamp since */
	long long	 at;			/* mono ms of the answer */
	struct timespec	 at_real;		/* ... for the audit */
};

struct worker {
	struct conf		*conf;
	int			 flags;		/* WORKER_* */
	struct spool		 spool;
	int			 spool_ok;
	struct state		 state;
	int			 state_ok;
	struct http		 http;
	struct api		 api;
	int			 api_ok;
	struct oauth		 oauth;
	int			 oauth_ok;
	struct ratelimit	 rl;
	struct outcome		 out;
	int			 stopping;	/* SIGTERM: claim no more */

	struct job		*jobs;		/* nslots slots */
	int			 nslots;
	int			*free;		/* stack of free slots */
	int			 nfree;
	int			*ring;		/* pending slots, FIFO */
	unsigned char		*in_ring;
	int			 ring_head, ring_len;
	int			 npending;
	int			*settle;	/* slots decided, not flushed */
	int			 nsettle;
	int			 nstamps;	/* ... of them applied by a call */
	struct keytab		 keys;		/* order key -> newest job */
	struct keytab		 busy;		/* user id -> job in flight */
	char			*buf;		/* DRAIN_FILE_MAX + 1 bytes */

	int			 scan_want;	/* DRAIN_* not yet started */
	int			 scan_dir;	/* being scanned, or -1 */
	struct spool_scan	 scan;

	const char		*token;		/* into oauth; NULL: none yet */
	unsigned		 token_gen;	/* bumped by each forced fetch */
	enum oauth_result	 token_fail;	/* OAUTH_OK, or why none */
	char			 token_err[768];
	int			 token_failures;	/* in a row */
	long			 answered_then;	/* stats.answered at the last */
	long long		 hold_until;	/* mono ms: no scan before */
	int			 reread_secret;	/* at hold_until */
	struct stat		 secret_st;	/* the client secret file, as
						   last read; st_ino 0: none */
	long long		 secret_check_at;	/* mono ms */
	int			 reload_asked;	/* SIGHUP, not yet taken */
	int			 quiescing;	/* claim no more (reload) */

	int			 once_paused;	/* --once met a 429: no more */
	int			 audit_blocked;	/* no line could be written */
	struct runstate		 run;		/* a daemon's state/worker */
	long long		 audit_probe_at;	/* mono ms */
	char			 audit_err[512];

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
	long			 fetches_before;	/* worker_carry() */

	struct presence_defs	 defs;		/* the org's, see defs_load() */
	long long		 defs_at;	/* real ms fetched; 0: none */

	struct set_rec		*sets;		/* DRAIN_SETS_MAX records */
	struct keytab		 setkeys;	/* order key -> record */
	int			 set_next;	/* the record to take next */

	struct bulk		*bulks;		/* nbulks */
	int			 nbulks;
	struct dynbuf		 bulk_body;	/* the one being started */
};

static void	worker_signals(struct worker *);
static void	bulk_leave(struct worker *, struct job *);

static void
note_due(struct worker *w, long long due_ms)
{
	if (w->next_due_ms == 0 || due_ms < w->next_due_ms)
		w->next_due_ms = due_ms;
}

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

/* ---- the life of a slot ---- */

static int
slot_of(const struct worker *w, const struct job *j)
{
	return (int)(j - w->jobs);
}

/* Close the job's descriptors, leave the tables, free its slot. */
static void
job_release(struct worker *w, struct job *j)
{
	char err[512];
	int idx = slot_of(w, j);

	if (j->state == JOB_PENDING)
		w->npending--;
	bulk_leave(w, j);
	if (keytab_get(&w->busy, j->ev.user_id) == idx)
		keytab_del(&w->busy, j->ev.user_id);
	if (keytab_get(&w->keys, j->key) == idx)
		keytab_del(&w->keys, j->key);
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
	w->free[w->nfree++] = idx;
}

/*
 * j's outcome is decided (outcome_set_*()): it waits for the flush.  Its
 * key is free for a newer claim at once; its user stays busy, and its
 * claim and user lock held, until the flush.
 */
static void
job_settle(struct worker *w, struct job *j)
{
	int idx = slot_of(w, j);

	if (j->state == JOB_PENDING)
		w->npending--;
	bulk_leave(w, j);
	if (keytab_get(&w->keys, j->key) == idx)
		keytab_del(&w->keys, j->key);
	j->state = JOB_SETTLING;
	w->settle[w->nsettle++] = idx;
}

static void
job_dead(struct worker *w, struct job *j, int attempt, long status,
    const char *why)
{
	outcome_set_dead(j, attempt, status, why);
	job_settle(w, j);
}

static void
job_superseded(struct worker *w, struct job *j, const char *why)
{
	outcome_set_superseded(j, why);
	job_settle(w, j);
}

static void	job_putback(struct worker *, struct job *);
static void	cluster_lost(struct worker *, const char *);

/*
 * Applied by this call: its stamp goes in the batch's commit; in a
 * cluster, its stamp is written and its user's lock let go in etcd now,
 * in one transaction, and when etcd does not take it the event goes back
 * with its user still locked by us, to be sent again first (drain.h).
 */
static void	set_note(struct worker *, const struct job *, int);

static void
job_stamped(struct worker *w, struct job *j, long status, const char *same)
{
	char err[512];
	int stamp = status != 0 || same != NULL;

	if (stamp && j->lock_rev != 0) {
		if (cluster_settle(&w->cluster, j->ev.user_id, j->lock_rev,
		    j->key, j->stamp, j->id, err, sizeof(err)) == -1) {
			log_warnx("event %s applied, but etcd did not take its "
			    "order stamp; it is kept to be sent again: %s",
			    j->id, err);
			j->lock_rev = 0;
			job_putback(w, j);
			cluster_lost(w, err);
			return;
		}
		j->lock_rev = 0;
	} else if (stamp) {
		if (state_order_put(&w->state, j->key, j->stamp, j->id, err,
		    sizeof(err)) == -1)
			log_warnx("event %s applied, but its order stamp was "
			    "not kept (an older event could follow it): %s",
			    j->id, err);
		w->nstamps++;
	}
	if (stamp)
		set_note(w, j, same == NULL);
	if (same != NULL)
		outcome_set_unchanged(j, same);
	else
		outcome_set_applied(j, status);
	job_settle(w, j);
}

static void
job_applied(struct worker *w, struct job *j, long status)
{
	job_stamped(w, j, status, NULL);
}

static void
job_putback(struct worker *w, struct job *j)
{
	outcome_putback(&w->out, j);
	job_release(w, j);
}

static void
job_postpone(struct worker *w, struct job *j, long long delay_ms)
{
	struct timespec now = msclock_real_ts();
	long long at = msclock_of(&now) + delay_ms;

	outcome_postpone(&w->out, j, at);
	note_due(w, at);
	job_release(w, j);
}

/* Calls flow again after a pause for why (and only for why). */
static void
run_resume(struct worker *w, const char *why)
{
	char err[512];

	if (strcmp(w->run.reason, why) != 0)
		return;
	if (runstate_pause(&w->run, NULL, 0, NULL, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

/* Audit lines cannot be written: apply nothing until they can. */
static void
audit_block(struct worker *w, const char *why)
{
	char err[512];

	w->audit_probe_at = msclock_mono() + DRAIN_AUDIT_PROBE_MS;
	if (w->audit_blocked)
		return;
	w->audit_blocked = 1;
	w->stats.audit_blocked = 1;
	snprintf(w->audit_err, sizeof(w->audit_err), "%s", why);
	log_warnx("%s: applying nothing until audit lines can be written; "
	    "claimed events go back untouched", why);
	if (runstate_pause(&w->run, RUNSTATE_AUDIT, 0, w->audit_err, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
}

static void
audit_probe(struct worker *w, long long now)
{
	char err[512];

	if (!w->audit_blocked || now < w->audit_probe_at)
		return;
	if (outcome_audit_ready(&w->out, err, sizeof(err)) == -1) {
		w->audit_probe_at = now + DRAIN_AUDIT_PROBE_MS;
		return;
	}
	w->audit_blocked = 0;
	w->stats.audit_blocked = 0;
	log_info("%s can be written again: applying events again",
	    w->conf->audit.file.path);
	run_resume(w, RUNSTATE_AUDIT);
	w->scan_want |= DRAIN_NEW | DRAIN_DEFERRED;
}

/*
 * Carry out the outcomes decided since the last flush: the order stamps
 * of those applied are committed first (one sync), so none of them leaves
 * cur/ before its stamp is on disk; then their audit lines, then their
 * files.  Those whose lines cannot be written go back where they came
 * from, untouched (an applied one keeps its stamp: taken again, it is
 * recorded as applied without a second call).
 */
static void
flush(struct worker *w)
{
	struct job *batch[DRAIN_SLOTS_MAX];
	char err[512];
	long long due = 0;
	int i, done;

	if (w->nsettle == 0)
		return;
	if (w->nstamps > 0 && state_order_commit(&w->state, err, sizeof(err))
	    == -1)
		log_warnx("%d event%s applied, but their order stamps were not "
		    "kept (an older event could follow them): %s", w->nstamps,
		    w->nstamps == 1 ? "" : "s", err);
	w->nstamps = 0;
	for (i = 0; i < w->nsettle; i++)
		batch[i] = &w->jobs[w->settle[i]];
	done = outcome_flush(&w->out, batch, w->nsettle, &due, err,
	    sizeof(err));
	if (done < w->nsettle) {
		audit_block(w, err);
		for (i = done; i < w->nsettle; i++)
			outcome_putback(&w->out, batch[i]);
	}
	if (due != 0)
		note_due(w, due);
	for (i = 0; i < w->nsettle; i++)
		job_release(w, batch[i]);
	w->nsettle = 0;
}

/* ---- claiming ---- */

/*
 * Another worker may have taken a deferred event and deferred it again
 * between our look at its mtime and the claim: then it is not due yet
 * and goes back.  1 when it went back.
 */
static int
claim_not_due(struct worker *w, int fd, const char *id)
{
	struct timespec now = msclock_real_ts();
	struct stat st;
	char err[512];

	if (fstat(fd, &st) == -1 || msclock_of(&st.st_mtim) <= msclock_of(&now))
		return 0;
	note_due(w, msclock_of(&st.st_mtim));
	if (spool_move(&w->spool, id, SPOOL_CUR, SPOOL_DEFERRED, err,
	    sizeof(err)) == -1)
		log_warnx("%s", err);
	close(fd);
	return 1;
}

/*
 * Claim from/ID into a free slot and parse it.  Returns the job when it
 * is ready to be admitted, NULL when it was settled (dead), postponed,
 * not due, or lost to another worker.
 */
static struct job *
job_claim(struct worker *w, enum spool_dir from, const char *id)
{
	struct job *j;
	char err[512];
	ssize_t got;
	size_t len;
	int fd;

	if ((fd = spool_claim(&w->spool, from, id, err, sizeof(err))) < 0) {
		if (fd == -1)
			log_warnx("%s", err);
		return NULL;
	}
	if (from == SPOOL_DEFERRED && claim_not_due(w, fd, id))
		return NULL;
	/* A free slot exists: the scan claims only while one does. */
	j = &w->jobs[w->free[--w->nfree]];
	memset(j, 0, sizeof(*j));
	j->state = JOB_PENDING;
	j->fd = fd;
	j->lock_fd = -1;
	j->bulk = -1;
	j->from = from;
	snprintf(j->id, sizeof(j->id), "%s", id);
	w->npending++;
	w->stats.claimed++;
	if (spool_id_time(id, &j->received) == -1)
		j->received = msclock_real_ts();
	j->attempts = state_attempts_read(&w->state, id);
	/* The claim wrote the copy through fd: read it from its start. */
	if (lseek(fd, 0, SEEK_SET) == -1 ||
	    (got = read_all(fd, w->buf, DRAIN_FILE_MAX + 1)) == -1) {
		log_warn("%s/cur/%s", w->spool.root, id);
		job_postpone(w, j, DRAIN_POSTPONE_MS);
		return NULL;
	}
	len = (size_t)got;
	if (len > DRAIN_FILE_MAX) {
		snprintf(err, sizeof(err), "larger than %d bytes",
		    DRAIN_FILE_MAX);
		job_dead(w, j, j->attempts, 0, err);
		return NULL;
	}
	w->buf[len] = '\0';
	if (event_parse(w->conf, w->buf, len, &j->ev, err, sizeof(err)) == -1) {
		job_dead(w, j, j->attempts, 0, err);
		return NULL;
	}
	/*
	 * Before ordering: what no call can set neither waits for its
	 * user nor supersedes a command that can be applied.
	 */
	if (event_ignored(&j->ev, err, sizeof(err))) {
		outcome_set_ignored(j, err);
		job_settle(w, j);
		return NULL;
	}
	if (event_order_key(&j->ev, j->key, sizeof(j->key)) == -1 ||
	    !order_key_valid(j->key)) {
		job_dead(w, j, j->attempts, 0, "no order key for this event");
		return NULL;
	}
	j->stamp = order_stamp(&j->ev, j->id);
	return j;
}

/*
 * Put the claimed job in the tables.  When a pending job has the same
 * order key, the older of the two is superseded at once; a job in flight
 * is left alone (the newer one waits for its user and is checked against
 * the stamp that call leaves).
 */
static void
job_admit(struct worker *w, struct job *j)
{
	struct job *old;
	char why[SPOOL_ID_MAX + 32];
	int k;

	k = keytab_get(&w->keys, j->key);
	old = k >= 0 ? &w->jobs[k] : NULL;
	switch (order_admit(old != NULL, old != NULL &&
	    old->state == JOB_PENDING, old ? old->stamp : 0, old ? old->id : "",
	    j->stamp, j->id)) {
	case ORDER_LOSES:
		snprintf(why, sizeof(why), "superseded by %s", old->id);
		job_superseded(w, j, why);
		return;
	case ORDER_REPLACES:
		snprintf(why, sizeof(why), "superseded by %s", j->id);
		job_superseded(w, old, why);
		break;
	case ORDER_ADMIT:
	case ORDER_FOLLOWS:
		break;
	}
	k = slot_of(w, j);
	keytab_put(&w->keys, j->key, k);
	ring_push(w, k);
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

/*
 * A daemon's engine, once everything went back after the token could
 * not be had, waits and then tries again, all of it.  An unreachable
 * endpoint backs off like a failed call; refused credentials wait
 * backoff_max_ms (5 s at least), and the secret file is read again at
 * the end of the wait, so fixing it is enough.
 */
static void
token_hold(struct worker *w, long long now)
{
	const struct conf *c = w->conf;
	const char *why;
	char err[512];
	long long d;

	w->token_failures++;
	if (w->token_fail == OAUTH_PERM) {
		d = c->worker.backoff_max_ms > DRAIN_TOKEN_REFUSED_MS ?
		    c->worker.backoff_max_ms : DRAIN_TOKEN_REFUSED_MS;
		w->reread_secret = 1;
		log_warnx("%s; next token attempt in %lld s, or as soon as "
		    "the secret file changes", w->token_err, (d + 999) / 1000);
		why = RUNSTATE_CREDENTIALS;
	} else {
		d = backoff_next_ms(w->token_failures, c->worker.backoff_min_ms,
		    c->worker.backoff_max_ms, 0.5, 0);
		log_warnx("%s; next token attempt in %lld s", w->token_err,
		    (d + 999) / 1000);
		why = RUNSTATE_TOKEN;
	}
	/* Said where status reads it: why, and when the next try is. */
	if (runstate_pause(&w->run, why, msclock_real() + d, w->token_err,
	    err, sizeof(err)) == -1)
		log_warnx("%s", err);
	w->token_fail = OAUTH_OK;
	w->hold_until = now + d;
	w->scan_want |= DRAIN_NEW | DRAIN_DEFERRED;
	w->answered_then = w->stats.answered;
}

static void
token_hold_end(struct worker *w)
{
	char err[4096];

	if (!w->reread_secret)
		return;
	w->reread_secret = 0;
	/* Refused credentials: the secret may have been fixed since. */
	if (secret_read_client(w->conf, err, sizeof(err)) == -1)
		log_warnx("%s", err);
}

static int
secret_st_same(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino &&
	    a->st_size == b->st_size &&
	    a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	    a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * A daemon looks at the client secret file once a second: when it has
 * changed, it is read again, and a wait after refused credentials ends
 * at once, so fixing the file is enough and quick.  A read that fails
 * (the file half written) keeps the secret in memory and is tried again
 * at the next look.
 */
static void
secret_watch(struct worker *w, long long now)
{
	struct conf *c = w->conf;
	struct secret s;
	struct stat st;
	char err[4096];

	if ((w->flags & WORKER_ONCE) || now < w->secret_check_at ||
	    c->genesys.client_secret_file.path == NULL)
		return;
	w->secret_check_at = now + DRAIN_SECRET_CHECK_MS;
	if (stat(c->genesys.client_secret_file.path, &st) == -1 ||
	    secret_st_same(&st, &w->secret_st))
		return;
	if (secret_read(c, &c->genesys.client_secret_file,
	    "genesys.client_secret_file", &s, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return;
	}
	w->secret_st = st;
	secret_wipe(&c->genesys.client_secret, 1);
	memcpy(&c->genesys.client_secret, &s, sizeof(s));
	secret_wipe(&s, 1);
	if (w->hold_until != 0 && w->reread_secret) {
		log_info("%s changed: trying a token now",
		    c->genesys.client_secret_file.path);
		w->reread_secret = 0;
		w->hold_until = now;
	} else
		log_info("%s changed: read again",
		    c->genesys.client_secret_file.path);
}

/* ---- presence definitions ---- */

/*
 * The org's presence definitions live in memory (w->defs) and in
 * state/presence-definitions.json (lib/state.h), the answer as it came,
 * so that a --once run from cron spends no call of the budget on them
 * while the file is younger than PRESENCE_MAX_AGE_MS.  Their age is the
 * wall clock's, from the file's mtime: w->defs_at is the real ms they
 * were fetched at, whoever fetched them.
 */

static void	job_call(struct worker *, struct job *, long long);

/*
 * Fetch the org's presence definitions (one blocking GET, counted like
 * any call against the rate limit) and keep the answer in the cache.  0,
 * or -1 with err and *perm set when the answer will not change by waiting
 * (403: a missing presence:presenceDefinition:view, or an answer that is
 * not a listing).  A cache that cannot be written costs the next run a
 * fetch: a warning, not a failure.
 */
static int
defs_fetch(struct worker *w, int *perm, long *status, char *err,
    size_t errsz)
{
	struct http_call hc;
	struct http_result res;
	char url[HTTP_URL_MAX], why[512];
	unsigned long long t;
	long long now = msclock_mono();
	int rc = -1, tries;

	*perm = 0;
	*status = 0;
	if (http_url(url, sizeof(url), w->conf->genesys.api_base,
	    "/api/v2/presence/definitions") == -1) {
		*perm = 1;
		snprintf(err, errsz, "the API URL is too long");
		return -1;
	}
	if (http_call_init(&hc, &w->http, DRAIN_DEFS_BODY_MAX, err, errsz)
	    == -1)
		return -1;
	for (tries = 0; tries < 2; tries++) {
		if (http_call_set(&hc, "GET", url, w->token, NULL, NULL, err,
		    errsz) == -1)
			goto out;
		t = ratelimit_start(&w->rl, now);
		w->stats.calls++;
		http_call_perform(&hc, &res);
		now = msclock_mono();
		ratelimit_done(&w->rl, t, now);
		ratelimit_observe(&w->rl, res.rl_allowed, res.rl_count,
		    res.rl_reset_s, now);
		if (res.status != 0)
			w->stats.answered++;
		w->stats.by_status[res.status > 0 &&
		    res.status < STATS_STATUS_MAX ? res.status : 0]++;
		/* An expired token: one fresh one, as for any call. */
		if (res.status != 401 || tries > 0 || token_get(w, 1) == -1)
			break;
	}
	if (res.status == 429)
		ratelimit_pause(&w->rl, now + (res.retry_after_s > 0 ?
		    res.retry_after_s : DRAIN_429_PAUSE_S) * 1000LL);
	*status = res.status;
	if (res.status < 200 || res.status > 299) {
		*perm = backoff_classify((int)res.status) == BACKOFF_PERM;
		snprintf(err, errsz, "listing presence definitions: %s%s",
		    res.error, res.status == 403 ? " (the OAuth client needs "
		    "presence:presenceDefinition:view)" : "");
		goto out;
	}
	if (presence_parse(dyn_ptr(&hc.resp), dyn_len(&hc.resp), &w->defs,
	    err, errsz) == -1) {
		*perm = 1;
		goto out;
	}
	w->defs_at = msclock_real();
	if (state_defs_write(&w->state, dyn_ptr(&hc.resp), dyn_len(&hc.resp),
	    why, sizeof(why)) == -1)
		log_warnx("%s; the presence definitions are fetched again by "
		    "the next run", why);
	rc = 0;
out:
	http_call_free(&hc);
	return rc;
}

/*
 * Definitions for a worker that holds none, or only stale ones: the
 * cache's when it is younger than PRESENCE_MAX_AGE_MS, else fetched (and
 * cached).  A cache that cannot be read or parsed is fetched again, with
 * a warning naming it.  *fetched says whether a call was made; 0, or -1
 * as defs_fetch().
 */
static int
defs_load(struct worker *w, int *fetched, int *perm, long *status,
    char *err, size_t errsz)
{
	char why[512], *body;
	long long at;
	size_t len;
	int r;

	*fetched = 0;
	r = state_defs_read(&w->state, &body, &len, &at, why, sizeof(why));
	if (r == -1)
		log_warnx("%s; fetching the presence definitions again", why);
	if (r == 1 && !presence_stale(at, msclock_real(),
	    PRESENCE_MAX_AGE_MS)) {
		if (presence_parse(body, len, &w->defs, why, sizeof(why))
		    == 0) {
			free(body);
			w->defs_at = at;
			return 0;
		}
		log_warnx("state/%s: %s; fetching them again", STATE_DEFS,
		    why);
	}
	free(body);
	*fetched = 1;
	return defs_fetch(w, perm, status, err, errsz);
}

/* Whether the definitions may be fetched again for a name or id refused. */
static int
defs_may_refetch(const struct worker *w, long long now)
{
	/* A clock stepped back: the spacing cannot be told; allow it. */
	return now < w->defs_at || now - w->defs_at >= DRAIN_DEFS_RETRY_MS;
}

/*
 * The definitions could not be had for j: dead when that will not pass,
 * else deferred and counted, as if j's own call had failed so.
 */
static void
defs_failed(struct worker *w, struct job *j, int perm, long status,
    const char *err)
{
	struct http_result res;

	if (perm) {
		job_dead(w, j, j->attempts + 1, status, err);
		return;
	}
	memset(&res, 0, sizeof(res));
	res.status = status;
	res.rl_allowed = res.rl_count = res.rl_reset_s = -1;
	snprintf(res.error, sizeof(res.error), "%.*s",
	    (int)sizeof(res.error) - 1, err);
	outcome_failed(&w->out, j, &res);
	job_settle(w, j);
}

/*
 * Resolve j's presence target into its presence_id: 0, or -1 when j was
 * settled (dead) or postponed.  The definitions are loaded when there
 * are none or they are an hour old (the cache first), and fetched once
 * more (at most once a minute) when a target is not among them: an org
 * adds presences.
 */
static int
job_presence(struct worker *w, struct job *j)
{
	const struct presence_def *p;
	char err[HTTP_ERROR_MAX + 128];
	long long now = msclock_real();
	long status;
	int perm, fetched = 0;

	if (w->defs_at == 0 ||
	    presence_stale(w->defs_at, now, PRESENCE_MAX_AGE_MS)) {
		if (defs_load(w, &fetched, &perm, &status, err, sizeof(err))
		    == -1)
			goto failed;
	}
	p = presence_resolve(&w->defs, j->ev.presence_target, err,
	    sizeof(err));
	if (p == NULL && !fetched && defs_may_refetch(w, now)) {
		if (defs_fetch(w, &perm, &status, err, sizeof(err)) == -1)
			goto failed;
		p = presence_resolve(&w->defs, j->ev.presence_target, err,
		    sizeof(err));
	}
	if (p == NULL) {
		job_dead(w, j, j->attempts, 0, err);
		return -1;
	}
	snprintf(j->ev.presence_id, sizeof(j->ev.presence_id), "%s", p->id);
	return 0;
failed:
	defs_failed(w, j, perm, status, err);
	return -1;
}

/*
 * j's call got an answer that will not pass (job_answer()): j is dead
 * with the answer's reason, unless Genesys refused with 400 a presence id
 * taken from the definitions (a word's target resolved, not an id the
 * event carried or a target that is an id itself, which a fetch cannot
 * change): the org may have deleted that definition since they were
 * fetched.  Then they are fetched again, unless less than
 * DRAIN_DEFS_RETRY_MS old (another event's refusal may have fetched them
 * already), the target is resolved again and, when it names another id,
 * j is called again with that one, no attempt counted, as after a 401.
 */
static void
job_refused(struct worker *w, struct job *j, const struct http_result *res)
{
	const struct presence_def *p;
	char err[HTTP_ERROR_MAX + 128], was[EVENT_ID_MAX];
	long long now = msclock_real();
	long status;
	int perm;

	if (res->status != 400 || j->ev.kind != EVENT_PRESENCE ||
	    j->ev.presence_target[0] == '\0' ||
	    strcmp(j->ev.presence_target, j->ev.presence_id) == 0)
		goto dead;
	if (defs_may_refetch(w, now) &&
	    defs_fetch(w, &perm, &status, err, sizeof(err)) == -1) {
		defs_failed(w, j, perm, status, err);
		return;
	}
	p = presence_resolve(&w->defs, j->ev.presence_target, err,
	    sizeof(err));
	if (p == NULL || strcmp(p->id, j->ev.presence_id) == 0)
		goto dead;
	snprintf(was, sizeof(was), "%s", j->ev.presence_id);
	snprintf(j->ev.presence_id, sizeof(j->ev.presence_id), "%s", p->id);
	log_info("event %s: presence %s refused (%s); the definitions give "
	    "%s for \"%s\" now: calling again", j->id, was, res->error,
	    p->id, j->ev.presence_target);
	job_call(w, j, msclock_mono());
	return;
dead:
	job_dead(w, j, j->attempts + 1, res->status, res->error);
}

/* ---- the cluster (drain.h) ---- */

/* etcd did not answer: apply nothing until a heartbeat succeeds. */
static void
cluster_lost(struct worker *w, const char *err)
{
	if (!w->cluster_down)
		log_warnx("cluster: %s: applying nothing until etcd answers; "
		    "events wait in the spool", err);
	w->cluster_down = 1;
	w->cluster_retry = msclock_mono() + DRAIN_CLUSTER_RETRY_MS;
	snprintf(w->cluster_err, sizeof(w->cluster_err), "%s", err);
	w->stats.cluster = STATS_CLUSTER_DOWN;
}

/* The spool's depths, for the host record routehookctl shows. */
static void
cluster_depths(struct worker *w, struct cluster_depths *d)
{
	static const enum spool_dir dirs[] = {
		SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_DEAD
	};
	long *out[] = { &d->new_, &d->cur, &d->deferred, &d->dead };
	struct spool_count cnt;
	char err[512];
	size_t i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++)
		*out[i] = spool_count(&w->spool, dirs[i], &cnt, err,
		    sizeof(err)) == 0 ? cnt.n : -1;
}

/* Keep our lease and host record alive; notice etcd going and coming. */
static void
cluster_tick(struct worker *w, long long now)
{
	struct cluster_depths d;
	char err[512];
	int lost;

	if (!w->cluster_on || (w->cluster_down && now < w->cluster_retry) ||
	    (!w->cluster_down && now < w->cluster.next_beat))
		return;
	cluster_depths(w, &d);
	if (cluster_beat(&w->cluster, now, w->cluster_down, &d, &lost, err,
	    sizeof(err)) == -1) {
		cluster_lost(w, err);
		return;
	}
	if (lost)
		log_warnx("cluster: this host's etcd lease had expired (no "
		    "heartbeat for lease_ttl_s %lds); the user locks it held "
		    "went with it, and a new lease is taken",
		    w->conf->cluster.lease_ttl_s);
	if (w->cluster_down) {
		log_info("cluster: etcd answers again; applying resumes");
		w->cluster_down = 0;
		w->scan_want |= DRAIN_NEW | DRAIN_DEFERRED;
	}
	w->stats.cluster = STATS_CLUSTER_UP;
}

static int
cluster_start(struct worker *w, char *err, size_t errsz)
{
	const struct conf *c = w->conf;
	struct etcd_opts o;
	char host[CLUSTER_HOST_MAX];

	if (!c->cluster.enabled)
		return 0;
	/* Every etcd call well within a lease: a third of it, 2 s at most. */
	cluster_etcd_opts(c, c->cluster.lease_ttl_s * 1000 / 3 > 2000 ? 2000 :
	    c->cluster.lease_ttl_s * 1000 / 3, &o);
	if (cluster_host_name(host, sizeof(host), c->spool_dir.path) == -1) {
		snprintf(err, errsz, "cluster: host name too long");
		return -1;
	}
	if (cluster_open(&w->cluster, &o, c->cluster.prefix,
	    c->cluster.lease_ttl_s, host, err, errsz) == -1)
		return -1;
	w->cluster_on = 1;
	w->cluster_down = 1;	/* until the first heartbeat */
	cluster_tick(w, msclock_mono());
	return 0;
}

/* ---- what routehook set ---- */

/* The record of key, or NULL. */
static struct set_rec *
set_get(struct worker *w, const char *key)
{
	int k;

	if (w->sets == NULL || (k = keytab_get(&w->setkeys, key)) < 0)
		return NULL;
	return &w->sets[k];
}

/*
 * j was applied by its call (called) or found unchanged: remember its
 * key's state and stamp.  A call's body names the whole state of its key
 * (a presence, a routing status, joined or not), so the body is the
 * state.  An unchanged event moves the stamp on but keeps the time of
 * the call that set the state: the window runs from there.
 */
static void
set_note(struct worker *w, const struct job *j, int called)
{
	struct event_call call;
	struct set_rec *r;
	int k;

	if (w->sets == NULL)
		return;
	if ((r = set_get(w, j->key)) != NULL && !called) {
		snprintf(r->id, sizeof(r->id), "%s", j->id);
		return;
	}
	if (event_call(&j->ev, &call) == -1 ||
	    strlen(call.body) >= sizeof(r->body)) {
		/* Not to be compared: forget what was set before. */
		if (r != NULL) {
			keytab_del(&w->setkeys, r->key);
			r->key[0] = '\0';
		}
		return;
	}
	if (r == NULL) {
		k = w->set_next;
		w->set_next = (w->set_next + 1) % DRAIN_SETS_MAX;
		r = &w->sets[k];
		if (r->key[0] != '\0')
			keytab_del(&w->setkeys, r->key);
		snprintf(r->key, sizeof(r->key), "%s", j->key);
		if (keytab_put(&w->setkeys, r->key, k) == -1) {
			r->key[0] = '\0';
			return;
		}
	}
	snprintf(r->id, sizeof(r->id), "%s", j->id);
	snprintf(r->body, sizeof(r->body), "%s", call.body);
	r->at = msclock_mono();
	r->at_real = msclock_real_ts();
}

/*
 * Whether call (j's) would set the state this worker set for j's key
 * within routing.unchanged_window_s, with the key's last stamp still
 * ours: 1 with the sentence for the audit line in why.
 */
static int
set_unchanged(struct worker *w, const struct job *j,
    const struct event_call *call, char *why, size_t whysz)
{
	const struct set_rec *r;
	long long window = w->conf->routing.unchanged_window_s * 1000LL;
	long long ago;
	struct tm tm;
	char when[32];

	if (window <= 0 || (r = set_get(w, j->key)) == NULL ||
	    strcmp(r->body, call->body) != 0 || strcmp(r->id, j->last) != 0)
		return 0;
	ago = msclock_mono() - r->at;
	if (ago < 0 || ago >= window)
		return 0;
	if (gmtime_r(&r->at_real.tv_sec, &tm) == NULL ||
	    strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		snprintf(when, sizeof(when), "%lld",
		    (long long)r->at_real.tv_sec);
	snprintf(why, whysz, "routehook set this state at %s (%lld.%03lld s "
	    "ago, within routing.unchanged_window_s %ld); not sent again",
	    when, ago / 1000, ago % 1000, w->conf->routing.unchanged_window_s);
	return 1;
}

/* ---- calls ---- */

/*
 * Whether a call may start now: a free handle, the rate limit, the
 * cluster's shared budget.  When not, *wait is lowered to when it may
 * (when that is known).
 */
static int
call_allowed(struct worker *w, long long now, long long *wait)
{
	long long rw;

	if (api_idle(&w->api) == 0)
		return 0;
	if ((rw = ratelimit_wait(&w->rl, now)) != 0) {
		if (rw > 0 && rw < *wait)
			*wait = rw;
		return 0;
	}
	if (w->budget_until > now) {
		if (w->budget_until - now < *wait)
			*wait = w->budget_until - now;
		return 0;
	}
	return 1;
}

/*
 * j's user is locked and its order checked, but no call may start now:
 * back in the ring, to be called on its own, its user kept.
 */
static void
job_alone(struct worker *w, struct job *j)
{
	if (j->state != JOB_PENDING) {
		j->state = JOB_PENDING;
		w->npending++;
	}
	j->alone = 1;
	ring_push(w, slot_of(w, j));
}

static int	bulk_add(struct worker *, struct job *);

/*
 * Start (or restart) j's call, or add it to its queue's bulk; when no
 * call may start, j waits alone (job_alone()); when its call cannot be
 * started, j is postponed.
 */
static void
job_call(struct worker *w, struct job *j, long long now)
{
	struct event_call call;
	char url[HTTP_URL_MAX], err[512], why[256];
	long long wait = 0;

	if (j->ev.presence_target[0] != '\0' && j->ev.presence_id[0] == '\0' &&
	    job_presence(w, j) == -1)
		return;
	if (event_call(&j->ev, &call) == -1) {
		job_dead(w, j, j->attempts, 0, "cannot build the API call");
		return;
	}
	if (j->state == JOB_PENDING && !j->alone &&
	    set_unchanged(w, j, &call, why, sizeof(why))) {
		job_stamped(w, j, 0, why);
		return;
	}
	if (http_url(url, sizeof(url), w->conf->genesys.api_base, call.path)
	    == -1) {
		job_dead(w, j, j->attempts, 0, "the API URL is too long");
		return;
	}
	if (j->state == JOB_PENDING && bulk_add(w, j))
		return;
	/* A restart (a 401 retried) goes at once, as the first call did. */
	if (j->state == JOB_PENDING && !call_allowed(w, now, &wait)) {
		job_alone(w, j);
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
 * j's user is locked by another: 0 when j waits for it, 1 when j has
 * waited too long and was postponed.
 */
static int
job_lock_busy(struct worker *w, struct job *j, long long now)
{
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

/*
 * j's user lock and the last stamp of its key, from etcd (one round
 * trip) or from SPOOL/state: 1 with *have and the stamp, 0 when j waits,
 * -1 when j was put back or postponed.
 */
static int
job_lock_read(struct worker *w, struct job *j, long long now, int *have,
    long long *ts, char *last, size_t lastsz)
{
	char err[512], holder[CLUSTER_HOST_MAX + 32];
	int fd, r;

	if (w->cluster_on) {
		r = cluster_lock_read(&w->cluster, j->ev.user_id, j->key,
		    &j->lock_rev, holder, sizeof(holder), have, ts, last,
		    lastsz, err, sizeof(err));
		if (r == -1) {
			cluster_lost(w, err);
			job_putback(w, j);
			return -1;
		}
		if (r == 0)
			return job_lock_busy(w, j, now) == 0 ? 0 : -1;
		return 1;
	}
	fd = state_lock_user(&w->state, j->ev.user_id, err, sizeof(err));
	if (fd == -2)
		return job_lock_busy(w, j, now) == 0 ? 0 : -1;
	if (fd == -1) {
		log_warnx("event %s: %s", j->id, err);
		job_postpone(w, j, DRAIN_POSTPONE_MS);
		return -1;
	}
	j->lock_fd = fd;
	r = state_order_read(&w->state, j->key, ts, last, lastsz, err,
	    sizeof(err));
	if (r == -1)
		log_warnx("event %s: %s; applying it anyway", j->id, err);
	*have = r == 1;
	return 1;
}

/*
 * One call of the shared budget: 1 counted, 0 spent (j's lock let go, j
 * waits), -1 j was put back.
 */
static int
job_budget(struct worker *w, struct job *j, long long now)
{
	char err[512];
	long long wait;
	int r;

	if (!w->cluster_on)
		return 1;
	r = cluster_budget_take(&w->cluster, w->conf->genesys.client_id,
	    w->conf->genesys.requests_per_minute, &wait, err, sizeof(err));
	if (r == 1)
		return 1;
	if (r == -1) {
		cluster_lost(w, err);
		job_putback(w, j);
		return -1;
	}
	w->budget_until = now + wait;
	j->lock_retry = w->budget_until;
	if (cluster_unlock_user(&w->cluster, j->ev.user_id, j->lock_rev, err,
	    sizeof(err)) == -1)
		log_warnx("cluster: %s; the lock on user %s is let go later",
		    err, j->ev.user_id);
	j->lock_rev = 0;
	return 0;
}

/*
 * Try to start j: 1 when its call started or the job was settled, 0 when
 * it must wait (its user is busy here or elsewhere, or the shared budget
 * is spent).
 */
static int
job_try(struct worker *w, struct job *j, long long now)
{
	char last[SPOOL_ID_MAX], why[SPOOL_ID_MAX + 64];
	long long ts = 0;
	int r, have = 0;

	/* Its user is ours already, its order checked: only the call. */
	if (j->alone) {
		job_call(w, j, now);
		return 1;
	}
	if (keytab_get(&w->busy, j->ev.user_id) >= 0)
		return 0;
	last[0] = '\0';
	if ((r = job_lock_read(w, j, now, &have, &ts, last,
	    sizeof(last))) != 1)
		return r == 0 ? 0 : 1;
	snprintf(j->last, sizeof(j->last), "%s", have ? last : "");
	switch (order_check(have, ts, last, j->stamp, j->id)) {
	case ORDER_DONE:
		keytab_put(&w->busy, j->ev.user_id, slot_of(w, j));
		job_applied(w, j, 0);
		return 1;
	case ORDER_STALE:
		keytab_put(&w->busy, j->ev.user_id, slot_of(w, j));
		snprintf(why, sizeof(why), "not newer than %s, applied before",
		    last);
		job_superseded(w, j, why);
		return 1;
	case ORDER_APPLY:
		break;
	}
	if ((r = job_budget(w, j, now)) != 1)
		return r == 0 ? 0 : 1;
	/* The user is ours from here until the outcome is carried out. */
	keytab_put(&w->busy, j->ev.user_id, slot_of(w, j));
	job_call(w, j, now);
	return 1;
}

/*
 * Retry-After within reason: up to worker.retry_after_max_s (Genesys'
 * SDKs refuse more than 180 s); a longer ask is logged and taken as the
 * cap, so one rate limit never stops the worker for longer.  what names
 * the call for the log: "event ID", "queue ID".
 */
static long
retry_after(struct worker *w, const char *what, long asked)
{
	long cap = w->conf->worker.retry_after_max_s;

	if (asked <= cap)
		return asked;
	log_warnx("%s: Genesys asked to retry after %ld s; waiting "
	    "worker.retry_after_max_s, %ld s", what, asked, cap);
	return cap;
}

/*
 * An answer (of any call): the rate limit's ticket back, what Genesys
 * says is left of the token's budget, the counters; on a 429 every call
 * waits, since the limit is the token's.  Returns how the answer is
 * classed (backoff.h).
 */
static enum backoff_class
answer_take(struct worker *w, unsigned long long ticket,
    const struct http_result *res, const char *what, long long now)
{
	enum backoff_class c = backoff_classify((int)res->status);
	char err[512];
	long ra;

	ratelimit_done(&w->rl, ticket, now);
	ratelimit_observe(&w->rl, res->rl_allowed, res->rl_count,
	    res->rl_reset_s, now);
	if (res->status != 0)
		w->stats.answered++;
	/* libcurl gives three digits or 0; anything else is no answer. */
	w->stats.by_status[res->status > 0 && res->status < STATS_STATUS_MAX ?
	    res->status : 0]++;
	if (res->status == 429) {
		ra = res->retry_after_s > 0 ? res->retry_after_s :
		    DRAIN_429_PAUSE_S;
		ra = retry_after(w, what, ra);
		ratelimit_pause(&w->rl, now + ra * 1000);
		if (runstate_pause(&w->run, RUNSTATE_RATE_LIMIT,
		    msclock_real() + ra * 1000, res->error, err,
		    sizeof(err)) == -1)
			log_warnx("%s", err);
	}
	return c;
}

/*
 * A call sent with the token of generation gen met a 401: a fresh token,
 * fetched once, unless a call answered since already did.  -1 when none
 * can be had.
 */
static int
token_renew(struct worker *w, unsigned gen)
{
	if (gen == w->token_gen && token_get(w, 1) == -1)
		return -1;
	return w->token == NULL ? -1 : 0;
}

/* A failure that may pass: deferred (attempt counted), or dead. */
static void
job_failed(struct worker *w, struct job *j, const struct http_result *res)
{
	struct http_result capped;

	capped = *res;
	if (capped.retry_after_s > w->conf->worker.retry_after_max_s)
		capped.retry_after_s = w->conf->worker.retry_after_max_s;
	outcome_failed(&w->out, j, &capped);
	job_settle(w, j);
}

static void
job_answer(struct worker *w, struct job *j, const struct http_result *res)
{
	long long now = msclock_mono();
	char what[SPOOL_ID_MAX + 8];

	snprintf(what, sizeof(what), "event %s", j->id);
	switch (answer_take(w, j->ticket, res, what, now)) {
	case BACKOFF_OK:
		job_applied(w, j, res->status);
		return;
	case BACKOFF_REAUTH:
		if (j->reauthed)
			break;
		j->reauthed = 1;
		if (token_renew(w, j->token_gen) == -1) {
			/* Not the event's fault: back, untouched. */
			job_putback(w, j);
			return;
		}
		job_call(w, j, now);
		return;
	case BACKOFF_TEMP:
		break;
	case BACKOFF_PERM:
		job_refused(w, j, res);
		return;
	}
	job_failed(w, j, res);
}

/* ---- queue membership in bulk ---- */

/*
 * Membership changes for one queue that are ready to be called (their
 * user locked, their order checked, not unchanged) collect in an open
 * bulk instead of calling one by one, even while the rate limit holds
 * other calls back: a call spent on 100 members is a call saved on 99.
 * A bulk goes out when a call may start, at the end of a pass over the
 * pending events, as one PATCH .../members (members.h), or as the single
 * call when it holds one event; routing.queue_bulk_max 1 turns bulks
 * off.  Each event keeps its own outcome and audit line: applied when
 * the answer names it; called again on its own when the answer leaves
 * it out (Genesys disregards a user who is not a member of the queue:
 * the single call's status says so) or refuses the whole call for a
 * reason one member may cause (400, 404); a 403 (the client's missing
 * permission), a 429, a 5xx or no answer is every member's.  In a
 * cluster each member took one unit of the shared budget: a bulk
 * counts high, never low.
 */

/* Whether j would join a bulk rather than call on its own. */
static int
bulk_wanted(const struct worker *w, const struct job *j)
{
	return w->conf->routing.queue_bulk_max > 1 &&
	    j->ev.kind == EVENT_QUEUE_MEMBER && !j->alone;
}

/* Add j to an open bulk of its queue: 1, or 0 when it goes alone. */
static int
bulk_add(struct worker *w, struct job *j)
{
	struct bulk *b = NULL, *spare = NULL;
	int k, max = w->conf->routing.queue_bulk_max;

	if (!bulk_wanted(w, j))
		return 0;
	for (k = 0; k < w->nbulks; k++) {
		b = &w->bulks[k];
		if (b->queue[0] == '\0') {
			if (spare == NULL)
				spare = b;
		} else if (!b->calling && b->n < max &&
		    strcmp(b->queue, j->ev.queue_id) == 0)
			break;
	}
	if (k == w->nbulks) {
		if ((b = spare) == NULL)
			return 0;
		memset(b, 0, sizeof(*b));
		snprintf(b->queue, sizeof(b->queue), "%s", j->ev.queue_id);
	}
	b->slot[b->n++] = slot_of(w, j);
	j->bulk = (int)(b - w->bulks);
	return 1;
}

/* j leaves its bulk (settled, put back, postponed); the last frees it. */
static void
bulk_leave(struct worker *w, struct job *j)
{
	struct bulk *b;
	int i, idx = slot_of(w, j);

	if (j->bulk < 0)
		return;
	b = &w->bulks[j->bulk];
	j->bulk = -1;
	for (i = 0; i < b->n && b->slot[i] != idx; i++)
		;
	if (i < b->n) {
		memmove(&b->slot[i], &b->slot[i + 1],
		    (size_t)(b->n - i - 1) * sizeof(b->slot[0]));
		b->n--;
	}
	if (b->n == 0)
		b->queue[0] = '\0';
}

/* Take b's members out of it into m[] and free it; returns how many. */
static int
bulk_take(struct worker *w, struct bulk *b, struct job **m)
{
	int i, n = b->n;

	for (i = 0; i < n; i++) {
		m[i] = &w->jobs[b->slot[i]];
		m[i]->bulk = -1;
	}
	b->n = 0;
	b->queue[0] = '\0';
	return n;
}

/* Start b's call (again, after a 401); its members are postponed when
 * it cannot be started. */
static void
bulk_call(struct worker *w, struct bulk *b, long long now)
{
	struct members_item it[MEMBERS_MAX];
	struct job *m[MEMBERS_MAX], *j;
	char path[128], url[HTTP_URL_MAX], err[512] = "";
	int i, n;

	if (b->n == 1) {
		/* One event: its own call, whose answer is its own. */
		bulk_take(w, b, m);
		m[0]->alone = 1;
		job_call(w, m[0], now);
		return;
	}
	for (i = 0; i < b->n; i++) {
		j = &w->jobs[b->slot[i]];
		it[i].user_id = j->ev.user_id;
		it[i].joined = j->ev.joined;
	}
	snprintf(path, sizeof(path), "/api/v2/routing/queues/%s/members",
	    b->queue);
	if (http_url(url, sizeof(url), w->conf->genesys.api_base, path) == -1)
		snprintf(err, sizeof(err), "the API URL is too long");
	else if (members_body(&w->bulk_body, it, (size_t)b->n, err,
	    sizeof(err)) == 0 && api_start(&w->api, "PATCH", url, w->token,
	    dyn_ptr(&w->bulk_body), &w->jobs[b->slot[0]], err,
	    sizeof(err)) == 0)
		err[0] = '\0';
	if (err[0] != '\0') {
		log_warnx("queue %s: cannot start the call for %d members: "
		    "%s", b->queue, b->n, err);
		n = bulk_take(w, b, m);
		for (i = 0; i < n; i++)
			job_postpone(w, m[i], DRAIN_POSTPONE_MS);
		return;
	}
	for (i = 0; i < b->n; i++) {
		j = &w->jobs[b->slot[i]];
		if (j->state == JOB_PENDING)
			w->npending--;
		j->state = JOB_CALLING;
	}
	b->calling = 1;
	b->token_gen = w->token_gen;
	b->ticket = ratelimit_start(&w->rl, now);
	w->stats.calls++;
	w->stats.bulk_calls++;
}

/* Send the open bulks while calls may start; lowers *wait. */
static void
bulks_send(struct worker *w, long long now, long long *wait)
{
	struct bulk *b;
	int k;

	for (k = 0; k < w->nbulks; k++) {
		b = &w->bulks[k];
		if (b->queue[0] == '\0' || b->calling)
			continue;
		if (!call_allowed(w, now, wait))
			return;
		bulk_call(w, b, now);
	}
}

static void
bulk_answer(struct worker *w, struct bulk *b, const struct http_result *res,
    const char *body, size_t len)
{
	struct members_item it[MEMBERS_MAX];
	struct job *m[MEMBERS_MAX];
	long long now = msclock_mono();
	char what[EVENT_ID_MAX + 8], err[512];
	int i, n;

	snprintf(what, sizeof(what), "queue %s", b->queue);
	switch (answer_take(w, b->ticket, res, what, now)) {
	case BACKOFF_OK:
		for (i = 0; i < b->n; i++) {
			it[i].user_id = w->jobs[b->slot[i]].ev.user_id;
			it[i].joined = w->jobs[b->slot[i]].ev.joined;
		}
		if (members_answer(body, len, it, (size_t)b->n, err,
		    sizeof(err)) == -1)
			log_warnx("queue %s: %s; each of its %d events is "
			    "called again on its own", b->queue, err, b->n);
		n = bulk_take(w, b, m);
		for (i = 0; i < n; i++)
			if (it[i].done)
				job_applied(w, m[i], res->status);
			else
				job_alone(w, m[i]);
		return;
	case BACKOFF_REAUTH:
		if (b->reauthed)
			break;
		b->reauthed = 1;
		if (token_renew(w, b->token_gen) == -1) {
			n = bulk_take(w, b, m);
			for (i = 0; i < n; i++)
				job_putback(w, m[i]);
			return;
		}
		bulk_call(w, b, now);
		return;
	case BACKOFF_TEMP:
		break;
	case BACKOFF_PERM:
		n = bulk_take(w, b, m);
		for (i = 0; i < n; i++)
			if (res->status == 403)
				job_dead(w, m[i], m[i]->attempts + 1,
				    res->status, res->error);
			else
				job_alone(w, m[i]);
		return;
	}
	n = bulk_take(w, b, m);
	for (i = 0; i < n; i++)
		job_failed(w, m[i], res);
}

/* A call finished: its event's answer, or its bulk's. */
static void
call_answer(struct worker *w, struct job *j, const struct http_result *res,
    const char *body, size_t len)
{
	if (j->bulk >= 0 && w->bulks[j->bulk].calling)
		bulk_answer(w, &w->bulks[j->bulk], res, body, len);
	else
		job_answer(w, j, res);
}

/*
 * --once does not wait out a rate limit's pause: what is still pending
 * goes to deferred/ until the pause ends (no attempt counted), nothing
 * more is claimed, and the run ends with the calls in flight.
 */
static void
once_paused(struct worker *w, long long now)
{
	long long left = w->rl.paused_until - now;
	int i, n = 0;

	if (!(w->flags & WORKER_ONCE) || left <= 0 || w->once_paused)
		return;
	w->once_paused = 1;
	for (i = 0; i < w->nslots; i++)
		if (w->jobs[i].state == JOB_PENDING) {
			job_postpone(w, &w->jobs[i], left);
			n++;
		}
	log_warnx("rate limited by Genesys for %lld s: not waiting; %d "
	    "event%s left in deferred/ until then", (left + 999) / 1000, n,
	    n == 1 ? "" : "s");
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
	long long now = msclock_mono(), wait = DRAIN_IDLE_WAIT_MS;
	struct job *j;
	int n, idx, may;

	once_paused(w, now);
	if (w->npending == 0)
		return wait;
	/* Cheap while the token in memory is fresh. */
	if (token_get(w, 0) == -1)
		return 0;
	for (n = w->ring_len; n > 0 && w->ring_len > 0; n--) {
		may = call_allowed(w, now, &wait);
		idx = ring_pop(w);
		j = &w->jobs[idx];
		if (j->state != JOB_PENDING)
			continue;
		/*
		 * While no call may start, a queue membership change still
		 * joins its bulk: the bulk fills while it waits.
		 */
		if ((!may && (!bulk_wanted(w, j) || w->budget_until > now)) ||
		    j->lock_retry > now) {
			if (j->lock_retry > now && j->lock_retry - now < wait)
				wait = j->lock_retry - now;
			ring_push(w, idx);
			continue;
		}
		if (job_try(w, j, now) == 0) {
			ring_push(w, idx);
			if (j->lock_retry > now && j->lock_retry - now < wait)
				wait = j->lock_retry - now;
		}
		if (w->token_fail != OAUTH_OK || w->cluster_down)
			return 0;
	}
	bulks_send(w, now, &wait);
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
	at = msclock_of(&st.st_mtim);
	if (at <= now_ms)
		return 1;
	note_due(w, at);
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
 * to one event per key first.  A claim costs two syncs, and a backlog
 * a thousand claims: with calls in flight, fill stops after
 * DRAIN_FILL_SLICE_MS and returns 1, for the step to drive those calls
 * (their answers are read, no new call starts) and come back, so no
 * call times out unread while the scan goes on.
 */
static int
fill(struct worker *w)
{
	struct timespec now = msclock_real_ts();
	long long start = msclock_mono();
	struct job *j;
	const char *id;

	while (w->nfree > 0 && !w->stopping) {
		if (api_busy(&w->api) > 0 &&
		    msclock_mono() - start >= DRAIN_FILL_SLICE_MS)
			return 1;
		if (w->scan_dir == -1 && !scan_next_dir(w))
			return 0;
		if (w->scan_dir == -1)
			continue;
		if ((id = spool_scan_next(&w->scan)) == NULL) {
			scan_stop(w);
			continue;
		}
		if (w->scan_dir == SPOOL_DEFERRED &&
		    !deferred_due(w, id, msclock_of(&now)))
			continue;
		if ((j = job_claim(w, w->scan_dir, id)) != NULL)
			job_admit(w, j);
		worker_signals(w);
	}
	return 0;
}

void
worker_scan(struct worker *w, int dirs)
{
	w->scan_want |= dirs & (DRAIN_NEW | DRAIN_DEFERRED);
}

static int
engine_blocked(const struct worker *w)
{
	return w->stopping || w->quiescing || w->token_fail != OAUTH_OK ||
	    w->audit_blocked || w->cluster_down || w->once_paused;
}

int
worker_idle(const struct worker *w)
{
	int scanning = w->scan_dir != -1 || w->scan_want != 0;

	/* Scans asked for while stopping or without a token never start. */
	if (engine_blocked(w))
		scanning = 0;
	return !scanning && w->npending == 0 && w->nsettle == 0 &&
	    api_busy(&w->api) == 0;
}

/* The daemon's own timers: the hold ending, a deferred event due. */
static void
timers(struct worker *w, long long now)
{
	struct timespec real;

	if (w->token_fail != OAUTH_OK && !(w->flags & WORKER_ONCE) &&
	    api_busy(&w->api) == 0 && w->npending == 0)
		token_hold(w, now);
	else if (w->stats.answered > w->answered_then) {
		w->token_failures = 0;
		run_resume(w, RUNSTATE_CREDENTIALS);
		run_resume(w, RUNSTATE_TOKEN);
	}
	if (strcmp(w->run.reason, RUNSTATE_RATE_LIMIT) == 0 &&
	    msclock_real() >= w->run.until_ms)
		run_resume(w, RUNSTATE_RATE_LIMIT);
	secret_watch(w, now);
	if (w->hold_until != 0 && now >= w->hold_until) {
		w->hold_until = 0;
		token_hold_end(w);
	}
	if (!(w->flags & WORKER_ONCE))
		audit_probe(w, now);
	cluster_tick(w, now);
	if (w->next_due_ms != 0) {
		real = msclock_real_ts();
		if (msclock_of(&real) >= w->next_due_ms) {
			w->next_due_ms = 0;
			w->scan_want |= DRAIN_DEFERRED;
		}
	}
}

/* Milliseconds until the engine's own next work; -1: none. */
static long long
next_work(const struct worker *w, long long now)
{
	struct timespec real;
	long long t = 0, d;
	int have = 0;

	if (w->hold_until != 0) {
		t = w->hold_until - now;
		/* Waiting out refused credentials: watch the secret file. */
		if (w->reread_secret && !(w->flags & WORKER_ONCE) &&
		    w->secret_check_at - now < t)
			t = w->secret_check_at - now;
		have = 1;
	}
	if (w->audit_blocked && !(w->flags & WORKER_ONCE) &&
	    (!have || w->audit_probe_at - now < t)) {
		t = w->audit_probe_at - now;
		have = 1;
	}
	if (w->next_due_ms != 0) {
		real = msclock_real_ts();
		d = w->next_due_ms - msclock_of(&real);
		if (!have || d < t)
			t = d;
		have = 1;
	}
	/* The lease's heartbeat, or a try while etcd is down (a daemon). */
	if (w->cluster_on && !(w->cluster_down && (w->flags & WORKER_ONCE))) {
		d = (w->cluster_down ? w->cluster_retry :
		    w->cluster.next_beat) - now;
		if (!have || d < t)
			t = d;
		have = 1;
	}
	if (!worker_idle(w) && (!have || t > DRAIN_IDLE_WAIT_MS)) {
		t = DRAIN_IDLE_WAIT_MS;
		have = 1;
	}
	if (!have)
		return -1;
	return t < 0 ? 0 : t;
}

long long
worker_step(struct worker *w, int fd, long long max_wait_ms, int *fd_ready)
{
	struct http_result res;
	const char *body;
	size_t len;
	void *owner;
	char err[512];
	long long wait = DRAIN_IDLE_WAIT_MS, now = msclock_mono(), own;
	int ready = 0, held, sliced = 0;

	worker_signals(w);
	timers(w, now);
	held = w->hold_until != 0;
	if (!engine_blocked(w) && !held)
		sliced = fill(w);
	if (!engine_blocked(w) && !sliced)
		wait = start_calls(w);
	if (engine_blocked(w)) {
		scan_stop(w);
		putback_pending(w);
		/* No token: once all went back, a daemon starts its wait. */
		timers(w, now);
	}
	flush(w);
	own = next_work(w, now);
	if (own >= 0 && own < wait)
		wait = own;
	if (wait > max_wait_ms)
		wait = max_wait_ms;
	/* A step with claims still to make does not sleep. */
	if (!engine_blocked(w) && w->hold_until == 0 && w->nfree > 0 &&
	    (w->scan_dir != -1 || w->scan_want != 0))
		wait = 0;
	if (fd_ready != NULL)
		*fd_ready = 0;
	if (worker_idle(w) && fd < 0)
		return next_work(w, msclock_mono());
	if (api_wait(&w->api, sig_fd(), fd, (int)(wait < 0 ? 0 : wait),
	    &ready, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		w->stopping = 1;
	}
	while (api_done(&w->api, &owner, &res, &body, &len) == 1)
		call_answer(w, (struct job *)owner, &res, body, len);
	flush(w);
	if (fd_ready != NULL)
		*fd_ready = ready;
	return next_work(w, msclock_mono());
}

static void
worker_signals(struct worker *w)
{
	int s = sig_take();

	if (s & WSIG_STOP)
		w->stopping = 1;
	if (s & WSIG_REOPEN) {
		outcome_reopen(&w->out);
		w->reload_asked = 1;
	}
}

int
worker_reload_asked(struct worker *w)
{
	int r = w->reload_asked;

	w->reload_asked = 0;
	return r;
}

void
worker_quiesce(struct worker *w)
{
	w->quiescing = 1;
}

void
worker_snapshot(const struct worker *w, struct worker_stats *s)
{
	*s = w->stats;
	s->token_fetches = w->fetches_before + w->oauth.fetches;
}

void
worker_carry(struct worker *w, const struct worker_stats *s)
{
	int blocked = w->stats.audit_blocked, cluster = w->stats.cluster;

	/* Counters go on; what is true now is this engine's to say. */
	w->stats = *s;
	w->stats.audit_blocked = blocked;
	w->stats.cluster = cluster;
	w->fetches_before = s->token_fetches;
	w->answered_then = s->answered;
}

enum worker_halt
worker_halted(const struct worker *w, char *why, size_t whysz)
{
	if (why != NULL && whysz > 0)
		why[0] = '\0';
	if (w->token_fail != OAUTH_OK) {
		if (why != NULL)
			snprintf(why, whysz, "%s", w->token_err);
		return w->token_fail == OAUTH_PERM ? WORKER_TOKEN_REFUSED :
		    WORKER_TOKEN_FAILED;
	}
	if (w->audit_blocked) {
		if (why != NULL)
			snprintf(why, whysz, "%s", w->audit_err);
		return WORKER_AUDIT_FAILED;
	}
	if (w->cluster_down) {
		if (why != NULL)
			snprintf(why, whysz, "cluster: etcd did not answer (%s); "
			    "what was not applied waits in the spool",
			    w->cluster_err);
		return WORKER_CLUSTER_DOWN;
	}
	if (w->stopping)
		return WORKER_STOPPING;
	return WORKER_RUNNING;
}

/* ---- open and close ---- */

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
	    (w->free = calloc(n, sizeof(*w->free))) == NULL ||
	    (w->ring = calloc(n, sizeof(*w->ring))) == NULL ||
	    (w->settle = calloc(n, sizeof(*w->settle))) == NULL ||
	    (w->in_ring = calloc(n, 1)) == NULL ||
	    (w->buf = malloc(DRAIN_FILE_MAX + 1)) == NULL ||
	    keytab_init(&w->keys, n) == -1 ||
	    keytab_init(&w->busy, n) == -1 ||
	    (w->sets = calloc(DRAIN_SETS_MAX, sizeof(*w->sets))) == NULL ||
	    keytab_init(&w->setkeys, DRAIN_SETS_MAX) == -1 ||
	    (w->bulks = calloc((size_t)(c->worker.concurrency +
	    DRAIN_BULKS_OPEN), sizeof(*w->bulks))) == NULL ||
	    ratelimit_init(&w->rl, c->genesys.requests_per_minute,
	    RATELIMIT_WINDOW_MS) == -1) {
		err_set(err, errsz, "out of memory");
		return -1;
	}
	w->nbulks = c->worker.concurrency + DRAIN_BULKS_OPEN;
	dyn_init(&w->bulk_body, DRAIN_BULK_BODY_MAX);
	/* Lowest slots first: the table stays dense for small loads. */
	for (i = w->nslots - 1; i >= 0; i--) {
		w->jobs[i].fd = w->jobs[i].lock_fd = -1;
		w->jobs[i].bulk = -1;
		w->free[w->nfree++] = i;
	}
	return 0;
}

/* Return dead workers' events, remove stale temp and orphaned state. */
static void
recover(struct worker *w)
{
	long returned, removed, orphans;
	char why[512];

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
}

/*
 * Root running the worker on a spool another user owns would leave
 * state/ and new files root's, and the right user unable to go on: no.
 */
static int
refuse_root(const struct conf *c, char *err, size_t errsz)
{
	struct passwd *pw;
	struct stat st;
	char num[32];
	const char *name;

	if (geteuid() != 0 || stat(c->spool_dir.path, &st) == -1 ||
	    st.st_uid == 0)
		return 0;
	if ((pw = getpwuid(st.st_uid)) != NULL)
		name = pw->pw_name;
	else {
		snprintf(num, sizeof(num), "%ld", (long)st.st_uid);
		name = num;
	}
	snprintf(err, errsz, "will not run as root on %s, which belongs to %s: "
	    "run it as %s (e.g. runuser -u %s -- routehook-worker ...)",
	    c->spool_dir.path, name, name, name);
	return -1;
}

int
worker_open(struct worker **wp, struct conf *c, int flags, char *err,
    size_t errsz)
{
	struct worker *w;
	char why[512];

	*wp = NULL;
	if ((w = calloc(1, sizeof(*w))) == NULL) {
		err_set(err, errsz, "out of memory");
		return EXIT_TEMP;
	}
	w->conf = c;
	w->flags = flags;
	w->out.audit_fd = -1;
	w->scan_dir = -1;
	w->token_fail = OAUTH_OK;
	w->run.lock = -1;
	if (refuse_root(c, err, errsz) == -1) {
		worker_close(w);
		return EXIT_PERM;
	}
	if (spool_open(&w->spool, c->spool_dir.path, 1, c->receiver.fsync,
	    err, errsz) == -1)
		goto temp;
	w->spool_ok = 1;
	if (state_open(&w->state, &w->spool, STATE_CREATE | STATE_ORDER, err,
	    errsz) == -1)
		goto temp;
	w->state_ok = 1;
	if ((flags & WORKER_DAEMON) && state_pid_lock(&w->state, err, errsz)
	    != 0)
		goto temp;
	if (outcome_open(&w->out, c, &w->spool, &w->state, &w->stats, err,
	    errsz) == -1)
		goto temp;
	/* The extra CA bundle is the one thing here the config decides. */
	if (http_init(&w->http, c, err, errsz) == -1) {
		worker_close(w);
		return EXIT_PERM;
	}
	if (api_init(&w->api, &w->http, c->worker.concurrency, err, errsz)
	    == -1)
		goto temp;
	w->api_ok = 1;
	if (worker_alloc(w, err, errsz) == -1 ||
	    cluster_start(w, err, errsz) == -1)
		goto temp;
	oauth_init(&w->oauth, c, w->spool.fd[SPOOL_STATE]);
	w->oauth_ok = 1;
	/* The secret in c is this file's: later changes are looked for. */
	if (c->genesys.client_secret_file.path == NULL ||
	    stat(c->genesys.client_secret_file.path, &w->secret_st) == -1)
		memset(&w->secret_st, 0, sizeof(w->secret_st));
	w->secret_check_at = msclock_mono() + DRAIN_SECRET_CHECK_MS;
	/* A daemon says it runs, for status; a --once run is not one. */
	if (!(flags & WORKER_ONCE) && runstate_start(&w->run,
	    w->spool.fd[SPOOL_STATE], err, errsz) == -1) {
		log_warnx("%s (status will not show this daemon)", err);
		w->run.lock = -1;
	}
	recover(w);
	/* Nothing is claimed, let alone called, while no line could be kept. */
	if (outcome_audit_ready(&w->out, why, sizeof(why)) == -1)
		audit_block(w, why);
	*wp = w;
	return 0;
temp:
	worker_close(w);
	return EXIT_TEMP;
}

void
worker_close(struct worker *w)
{
	int i;

	if (w == NULL)
		return;
	scan_stop(w);
	/* Outcomes decided are carried out; what is still claimed goes back. */
	if (w->jobs != NULL)
		flush(w);
	for (i = 0; w->jobs != NULL && i < w->nslots; i++)
		if (w->jobs[i].state != JOB_FREE)
			job_putback(w, &w->jobs[i]);
	if (w->api_ok)
		api_free(&w->api);
	presence_free(&w->defs);
	http_free(&w->http);
	/* Revoking the lease lets our host record and any lock go at once. */
	if (w->cluster_on)
		cluster_close(&w->cluster);
	w->cluster_on = 0;
	outcome_close(&w->out);
	runstate_stop(&w->run);
	if (w->state_ok)
		state_close(&w->state);
	if (w->spool_ok)
		spool_close(&w->spool);
	if (w->oauth_ok)
		oauth_free(&w->oauth);
	ratelimit_free(&w->rl);
	keytab_free(&w->keys);
	keytab_free(&w->busy);
	keytab_free(&w->setkeys);
	free(w->sets);
	free(w->bulks);
	dyn_free(&w->bulk_body);
	free(w->jobs);
	free(w->free);
	free(w->ring);
	free(w->settle);
	free(w->in_ring);
	free(w->buf);
	free(w);
}
