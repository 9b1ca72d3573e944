/*
 * cluster: state shared by several hosts through etcd (see cluster.h).
 *
 * How it fails: every etcd call may fail (no quorum, no member reachable);
 * the function then returns -1 with the reason and changes nothing we
 * know of.  A write whose answer was lost may have happened: taking a
 * lock again finds it ours, a stamp compare-and-swap re-reads and finds
 * ours, and a budget count may be counted twice, which only errs on the
 * side of fewer calls.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "cluster.h"
#include "err.h"
#include "msclock.h"
#include "order.h"

#define CLUSTER_CAS_TRIES	8	/* swaps lost to other hosts in a row */

static void	 cluster_stale_retry(struct cluster *);

/* ---- pure ---- */

/* Parse "<slot> c0 ... c12"; -1 unless exactly that. */
static int
budget_parse(const char *s, long long *slot, long counts[CLUSTER_SLOTS])
{
	char *end;
	int i;

	errno = 0;
	*slot = strtoll(s, &end, 10);
	if (errno != 0 || end == s || *slot < 0)
		return -1;
	for (i = 0; i < CLUSTER_SLOTS; i++) {
		s = end;
		if (*s != ' ')
			return -1;
		counts[i] = strtol(s + 1, &end, 10);
		if (errno != 0 || end == s + 1 || counts[i] < 0)
			return -1;
	}
	return *end == '\0' ? 0 : -1;
}

/* The counts as of slot cur: older slots shifted out. */
static void
budget_shift(long long slot, long counts[CLUSTER_SLOTS], long long cur)
{
	long long d = cur - slot;
	int i;

	if (d <= 0)
		return;		/* another host's clock is ahead: keep */
	for (i = CLUSTER_SLOTS - 1; i >= 0; i--)
		counts[i] = i - d >= 0 ? counts[i - d] : 0;
}

/* The counts at now, from value; a bad value is a full budget now. */
static void
budget_now(const char *value, long long cur, long n,
    long counts[CLUSTER_SLOTS])
{
	long long slot;

	memset(counts, 0, sizeof(long) * CLUSTER_SLOTS);
	if (value == NULL || value[0] == '\0')
		return;
	if (budget_parse(value, &slot, counts) == -1) {
		memset(counts, 0, sizeof(long) * CLUSTER_SLOTS);
		counts[0] = n;
		return;
	}
	budget_shift(slot, counts, cur);
}

long long
cluster_budget_slot(long long now_ms, long long window_ms)
{
	long long slot_ms = window_ms / CLUSTER_SLICES;

	return now_ms / (slot_ms > 0 ? slot_ms : 1);
}

int
cluster_budget_admit(const char *old, long long now_ms, long n,
    long long window_ms, long want, char *out, size_t outsz, long *got,
    long long *wait_ms)
{
	long counts[CLUSTER_SLOTS], sum = 0, drop;
	long long slot_ms = window_ms / CLUSTER_SLICES, cur;
	size_t off;
	int i, len;

	if (slot_ms <= 0)
		slot_ms = 1;
	cur = now_ms / slot_ms;
	budget_now(old, cur, n, counts);
	for (i = 0; i < CLUSTER_SLOTS; i++)
		sum += counts[i];
	if (sum >= n) {
		/* Wait until enough of the oldest slots have left. */
		drop = 0;
		for (i = CLUSTER_SLOTS - 1; i > 0; i--) {
			drop += counts[i];
			if (sum - drop < n)
				break;
		}
		/* Slot i leaves when CLUSTER_SLOTS - i more slots begin. */
		*wait_ms = (cur + CLUSTER_SLOTS - i) * slot_ms - now_ms;
		if (*wait_ms < 1)
			*wait_ms = 1;
		return 0;
	}
	*got = want < 1 ? 1 : want;
	if (*got > n - sum)
		*got = n - sum;
	counts[0] += *got;
	if ((len = snprintf(out, outsz, "%lld", cur)) < 0 ||
	    (size_t)len >= outsz)
		return -1;
	off = (size_t)len;
	for (i = 0; i < CLUSTER_SLOTS; i++) {
		len = snprintf(out + off, outsz - off, " %ld", counts[i]);
		if (len < 0 || (size_t)len >= outsz - off)
			return -1;
		off += (size_t)len;
	}
	*wait_ms = 0;
	return 1;
}

long
cluster_budget_used(const char *value, long long now_ms, long long window_ms)
{
	long counts[CLUSTER_SLOTS], sum = 0;
	long long slot_ms = window_ms / CLUSTER_SLICES;
	int i;

	if (slot_ms <= 0)
		slot_ms = 1;
	budget_now(value, now_ms / slot_ms, 0, counts);
	for (i = 0; i < CLUSTER_SLOTS; i++)
		sum += counts[i];
	return sum;
}

int
cluster_host_format(char *buf, size_t bufsz, const char *host, long pid,
    long long since, const struct cluster_depths *d)
{
	struct json_object *o;
	const char *s;
	int rc = -1;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	if (json_object_object_add(o, "host", json_object_new_string(host)) ||
	    json_object_object_add(o, "pid", json_object_new_int64(pid)) ||
	    json_object_object_add(o, "since", json_object_new_int64(since)) ||
	    json_object_object_add(o, "new", json_object_new_int64(d->new_)) ||
	    json_object_object_add(o, "cur", json_object_new_int64(d->cur)) ||
	    json_object_object_add(o, "deferred",
	    json_object_new_int64(d->deferred)) ||
	    json_object_object_add(o, "dead", json_object_new_int64(d->dead)))
		goto done;
	s = json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN);
	if (s != NULL && strlen(s) < bufsz) {
		memcpy(buf, s, strlen(s) + 1);
		rc = (int)strlen(s);
	}
done:
	json_object_put(o);
	return rc;
}

void
cluster_etcd_opts(const struct conf *c, long timeout_ms, struct etcd_opts *o)
{
	size_t i;

	memset(o, 0, sizeof(*o));
	for (i = 0; i < c->cluster.netcd_endpoints; i++)
		o->endpoints[o->nendpoints++] = c->cluster.etcd_endpoints[i];
	o->ca_file = c->cluster.ca_file.path;
	o->cert_file = c->cluster.cert_file.path;
	o->key_file = c->cluster.key_file.path;
	o->timeout_ms = timeout_ms;
}

int
cluster_host_name(char *buf, size_t bufsz, const char *spool_dir)
{
	char hn[HOST_NAME_MAX + 1];
	int len;

	if (gethostname(hn, sizeof(hn)) == -1)
		snprintf(hn, sizeof(hn), "localhost");
	hn[sizeof(hn) - 1] = '\0';
	len = snprintf(buf, bufsz, "%s:%s", hn, spool_dir);
	return len < 0 || (size_t)len >= bufsz ? -1 : 0;
}

/* ---- I/O ---- */

static int
cluster_key(struct cluster *cl, char *buf, size_t bufsz, const char *kind,
    const char *name, char *err, size_t errsz)
{
	int len = snprintf(buf, bufsz, "%s%s/%s", cl->prefix, kind, name);

	if (len < 0 || (size_t)len >= bufsz) {
		err_set(err, errsz, "etcd key %s%s/%.64s...: too long",
		    cl->prefix, kind, name);
		return -1;
	}
	return 0;
}

int
cluster_open(struct cluster *cl, const struct etcd_opts *o,
    const char *prefix, long ttl_s, const char *host, char *err,
    size_t errsz)
{
	memset(cl, 0, sizeof(*cl));
	if (strlen(prefix) >= sizeof(cl->prefix) ||
	    strlen(host) >= sizeof(cl->host)) {
		err_set(err, errsz, "cluster: prefix or host name too long");
		return -1;
	}
	if (etcd_open(&cl->etcd, o, err, errsz) == -1)
		return -1;
	snprintf(cl->prefix, sizeof(cl->prefix), "%s", prefix);
	snprintf(cl->host, sizeof(cl->host), "%s", host);
	snprintf(cl->holder, sizeof(cl->holder), "%s %ld", host,
	    (long)getpid());
	cl->ttl_s = ttl_s;
	return 0;
}

void
cluster_close(struct cluster *cl)
{
	char err[ETCD_ERROR_MAX * 2];

	/* Best effort: when etcd does not answer, the lease expires. */
	if (cl->lease != 0)
		(void)etcd_lease_revoke(&cl->etcd, cl->lease, err, sizeof(err));
	etcd_close(&cl->etcd);
	memset(cl, 0, sizeof(*cl));
}

int
cluster_beat(struct cluster *cl, long long now_mono_ms, int force,
    const struct cluster_depths *d, int *lost, char *err, size_t errsz)
{
	char key[ETCD_KEY_MAX], rec[ETCD_VALUE_MAX];
	long long ttl = 0;

	*lost = 0;
	if (!force && cl->lease != 0 && now_mono_ms < cl->next_beat)
		return 0;
	if (cl->lease != 0) {
		if (etcd_lease_keepalive(&cl->etcd, cl->lease, &ttl, err,
		    errsz) == -1)
			return -1;
		if (ttl == 0) {
			*lost = 1;
			cl->lease = 0;
		}
	}
	if (cl->lease == 0) {
		if (etcd_lease_grant(&cl->etcd, cl->ttl_s, &cl->lease, err,
		    errsz) == -1)
			return -1;
		cl->since = (long long)time(NULL);
	}
	if (cluster_key(cl, key, sizeof(key), "hosts", cl->host, err,
	    errsz) == -1)
		return -1;
	if (cluster_host_format(rec, sizeof(rec), cl->host, (long)getpid(),
	    cl->since, d) == -1) {
		err_set(err, errsz, "cluster: host record too long");
		return -1;
	}
	if (etcd_put(&cl->etcd, key, rec, cl->lease, err, errsz) == -1)
		return -1;
	cluster_stale_retry(cl);
	cl->next_beat = now_mono_ms + cl->ttl_s * 1000 / 3;
	return 0;
}

int
cluster_lock_user(struct cluster *cl, const char *user, long long *rev,
    char *holder, size_t holdersz, char *err, size_t errsz)
{
	char key[ETCD_KEY_MAX];
	struct etcd_kv h;
	int r;

	if (cl->lease == 0) {
		err_set(err, errsz, "cluster: no lease (etcd unreachable)");
		return -1;
	}
	if (cluster_key(cl, key, sizeof(key), "locks", user, err, errsz) == -1)
		return -1;
	r = etcd_acquire(&cl->etcd, key, cl->holder, cl->lease, rev, &h, err,
	    errsz);
	if (r == 0 && holder != NULL)
		snprintf(holder, holdersz, "%s", h.value);
	return r;
}

/* Remember a release to try again; a full list is left to the lease. */
static void
cluster_stale_add(struct cluster *cl, const char *user, long long rev)
{
	struct cluster_stale *st;

	if (cl->nstale == CLUSTER_STALE_MAX ||
	    strlen(user) >= sizeof(st->user))
		return;
	st = &cl->stale[cl->nstale++];
	snprintf(st->user, sizeof(st->user), "%s", user);
	st->rev = rev;
}

static int
cluster_release(struct cluster *cl, const char *user, long long rev,
    char *err, size_t errsz)
{
	char key[ETCD_KEY_MAX];

	if (cluster_key(cl, key, sizeof(key), "locks", user, err, errsz) == -1)
		return -1;
	/* At its revision only: after a lost lease it may be another's. */
	return etcd_delete(&cl->etcd, key, rev, err, errsz) == -1 ? -1 : 0;
}

int
cluster_lock_read(struct cluster *cl, const char *user, const char *key,
    long long *rev, char *holder, size_t holdersz, int *have, long long *ts,
    char *id, size_t idsz, char *err, size_t errsz)
{
	char lk[ETCD_KEY_MAX], ok[ETCD_KEY_MAX];
	struct etcd_kv h, kv;
	int r;

	*have = 0;
	if (cl->lease == 0) {
		err_set(err, errsz, "cluster: no lease (etcd unreachable)");
		return -1;
	}
	if (cluster_key(cl, lk, sizeof(lk), "locks", user, err, errsz) == -1 ||
	    cluster_key(cl, ok, sizeof(ok), "order", key, err, errsz) == -1)
		return -1;
	r = etcd_acquire_read(&cl->etcd, lk, cl->holder, cl->lease, ok, rev,
	    &h, &kv, have, err, errsz);
	if (r == 0 && holder != NULL)
		snprintf(holder, holdersz, "%s", h.value);
	if (r != 1 || !*have)
		return r;
	if (order_parse(kv.value, strlen(kv.value), ts, id, idsz) == -1) {
		err_set(err, errsz, "etcd key %s: not \"<ts_ms> <id>\"", ok);
		/* The lock is ours: let it go rather than keep it. */
		(void)cluster_unlock_user(cl, user, *rev, lk, sizeof(lk));
		return -1;
	}
	return 1;
}

int
cluster_unlock_user(struct cluster *cl, const char *user, long long rev,
    char *err, size_t errsz)
{
	if (cluster_release(cl, user, rev, err, errsz) == -1) {
		cluster_stale_add(cl, user, rev);
		return -1;
	}
	return 0;
}

/* The releases etcd did not answer, again; those that fail stay. */
static void
cluster_stale_retry(struct cluster *cl)
{
	char err[ETCD_ERROR_MAX * 2];
	size_t i, kept = 0;

	for (i = 0; i < cl->nstale; i++)
		if (cluster_release(cl, cl->stale[i].user, cl->stale[i].rev,
		    err, sizeof(err)) == -1)
			cl->stale[kept++] = cl->stale[i];
	cl->nstale = kept;
}

int
cluster_settle(struct cluster *cl, const char *user, long long rev,
    const char *key, long long ts, const char *id, char *err, size_t errsz)
{
	char lk[ETCD_KEY_MAX], ok[ETCD_KEY_MAX], line[ORDER_LINE_MAX];
	int r;

	if (cluster_key(cl, lk, sizeof(lk), "locks", user, err, errsz) == -1 ||
	    cluster_key(cl, ok, sizeof(ok), "order", key, err, errsz) == -1)
		return -1;
	if (order_format(line, sizeof(line), ts, id) == -1) {
		err_set(err, errsz, "etcd key %s: id too long", ok);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	if ((r = etcd_put_release(&cl->etcd, lk, rev, ok, line, err,
	    errsz)) != 0)
		return r == 1 ? 0 : -1;
	return cluster_order_put(cl, key, ts, id, err, errsz);
}

/* key's stamp and revision: 1, 0 when none (*rev 0), -1. */
static int
cluster_order_get(struct cluster *cl, const char *key, long long *ts,
    char *id, size_t idsz, long long *rev, char *err, size_t errsz)
{
	struct etcd_answer a;
	struct etcd_kv kv;

	*rev = 0;
	etcd_answer_init(&a, &kv, 1);
	if (etcd_range(&cl->etcd, key, 0, &a, err, errsz) == -1)
		return -1;
	if (a.nkvs == 0)
		return 0;
	if (order_parse(kv.value, strlen(kv.value), ts, id, idsz) == -1) {
		err_set(err, errsz, "etcd key %s: not \"<ts_ms> <id>\"", key);
		return -1;
	}
	*rev = kv.mod_rev;
	return 1;
}

int
cluster_order_read(struct cluster *cl, const char *key, long long *ts,
    char *id, size_t idsz, char *err, size_t errsz)
{
	char k[ETCD_KEY_MAX];
	long long rev;

	if (cluster_key(cl, k, sizeof(k), "order", key, err, errsz) == -1)
		return -1;
	return cluster_order_get(cl, k, ts, id, idsz, &rev, err, errsz);
}

int
cluster_order_put(struct cluster *cl, const char *key, long long ts,
    const char *id, char *err, size_t errsz)
{
	char k[ETCD_KEY_MAX], line[ORDER_LINE_MAX], last[ORDER_LINE_MAX];
	long long lts, rev;
	int i, r;

	if (cluster_key(cl, k, sizeof(k), "order", key, err, errsz) == -1)
		return -1;
	if (order_format(line, sizeof(line), ts, id) == -1) {
		err_set(err, errsz, "etcd key %s: id too long", k);
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	for (i = 0; i < CLUSTER_CAS_TRIES; i++) {
		r = cluster_order_get(cl, k, &lts, last, sizeof(last), &rev,
		    err, errsz);
		if (r == -1)
			return -1;
		if (r == 1 && order_cmp(lts, last, ts, id) >= 0)
			return 0;	/* as new or newer there: keep it */
		r = etcd_cas(&cl->etcd, k, rev, line, 0, NULL, NULL, err,
		    errsz);
		if (r != 0)
			return r == 1 ? 0 : -1;
	}
	err_set(err, errsz, "etcd key %s: lost %d swaps in a row", k,
	    CLUSTER_CAS_TRIES);
	return -1;
}

int
cluster_budget_take(struct cluster *cl, const char *client, long n,
    long long *wait_ms, char *err, size_t errsz)
{
	char k[ETCD_KEY_MAX], next[CLUSTER_BUDGET_MAX];
	struct etcd_answer a;
	struct etcd_kv kv;
	long long now = msclock_real();
	long want, got;
	int i, r;

	*wait_ms = 0;
	if (cl->budget_left > 0 &&
	    cl->budget_slot == cluster_budget_slot(now, CLUSTER_WINDOW_MS)) {
		cl->budget_left--;
		return 1;
	}
	cl->budget_left = 0;
	want = n / 60;
	want = want < 1 ? 1 : want > 16 ? 16 : want;
	if (cluster_key(cl, k, sizeof(k), "budget", client, err, errsz) == -1)
		return -1;
	for (i = 0; i < CLUSTER_CAS_TRIES; i++) {
		etcd_answer_init(&a, &kv, 1);
		if (etcd_range(&cl->etcd, k, 0, &a, err, errsz) == -1)
			return -1;
		now = msclock_real();
		r = cluster_budget_admit(a.nkvs ? kv.value : NULL, now, n,
		    CLUSTER_WINDOW_MS, want, next, sizeof(next), &got,
		    wait_ms);
		if (r == -1) {
			err_set(err, errsz, "etcd key %s: value too long", k);
			return -1;
		}
		if (r == 0)
			return 0;
		r = etcd_cas(&cl->etcd, k, a.nkvs ? kv.mod_rev : 0, next, 0,
		    NULL, NULL, err, errsz);
		if (r == 1) {
			/* One spent now, the rest in this slot only. */
			cl->budget_left = got - 1;
			cl->budget_slot = cluster_budget_slot(now,
			    CLUSTER_WINDOW_MS);
			return 1;
		}
		if (r == -1)
			return -1;
	}
	err_set(err, errsz, "etcd key %s: lost %d swaps in a row", k,
	    CLUSTER_CAS_TRIES);
	return -1;
}
