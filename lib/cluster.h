/*
 * cluster: what several routehook hosts share through etcd (etcd.h) when
 * the config has a cluster section, so that they behave as one:
 *
 *	<prefix>hosts/<host>	{"host","pid","since","new","cur",
 *				"deferred","dead"}: a worker alive, and its
 *				spool's depths; bound to its lease
 *	<prefix>locks/<user>	"<host> <pid>": a call for user in flight;
 *				bound to the lease of the worker making it
 *	<prefix>order/<key>	"<ts_ms> <id>": the newest event applied per
 *				order key, by any host (order.h's line)
 *	<prefix>budget/<client>	the calls of OAuth client <client> in the
 *				last minute, by every host (below)
 *
 * A host is "<hostname>:<spool_dir>", the spool being what a worker
 * drains.  Each worker holds one lease of lease_ttl_s seconds and keeps
 * it alive every third of it; when a host dies, its lease expires and
 * with it its host record and any user lock it held, so the others go on
 * after at most lease_ttl_s.
 *
 * Newest wins across hosts: the stamp is read under the user's lock and
 * written by compare-and-swap, which never replaces a newer stamp.
 *
 * The shared budget: requests_per_minute calls in any window of 60 s,
 * every host's together.  One key holds a count per slot of 5 s, the
 * current one and the twelve before it; a call may start when they sum to
 * less than the budget, and is counted by compare-and-swap before it
 * starts (a host whose swap loses reads again).  A host counts a few
 * calls at once (a sixtieth of the budget, 1 to 16) and spends them
 * within the same slot; those it does not spend there are lost, which
 * errs on the side of fewer calls, and saves a round trip per call.  The thirteen slots
 * always cover the last 60 s, so no window sees more than the budget;
 * the price is that a call counted 60 to 65 s ago still holds its place.
 * Slots are numbered by wall-clock time: hosts' clocks must agree to a
 * second or so (NTP), and that slack is what the extra slot absorbs.
 *
 * Errors: functions return -1 and fill err (etcd's words, naming the
 * endpoint); the worker then applies nothing until etcd answers again.
 */
#ifndef ROUTEHOOK_CLUSTER_H
#define ROUTEHOOK_CLUSTER_H

#include <stddef.h>

#include "conf.h"
#include "etcd.h"

#define CLUSTER_HOST_MAX	256
#define CLUSTER_PREFIX_MAX	128
#define CLUSTER_SLOTS		13	/* counts kept: 12 slots + the current */
#define CLUSTER_SLICES		12	/* slots per window */
#define CLUSTER_BUDGET_MAX	(CLUSTER_SLOTS * 24)	/* its text */
#define CLUSTER_WINDOW_MS	60000LL	/* the budget is per minute */

#define CLUSTER_STALE_MAX	64	/* releases to try again */

struct cluster_stale {
	char		 user[ETCD_KEY_MAX / 2];
	long long	 rev;
};

struct cluster {
	struct etcd	 etcd;
	char		 prefix[CLUSTER_PREFIX_MAX];
	char		 host[CLUSTER_HOST_MAX];
	char		 holder[CLUSTER_HOST_MAX + 32];	/* "<host> <pid>" */
	long		 ttl_s;
	long long	 lease;		/* 0: none (not joined, or lost) */
	long long	 since;		/* realtime s, when joined */
	long long	 next_beat;	/* monotonic ms */
	long		 budget_left;	/* counted, not yet spent, in */
	long long	 budget_slot;	/* ... this slot of the budget */
	/* Locks whose release etcd did not answer: let go at the next beat. */
	struct cluster_stale stale[CLUSTER_STALE_MAX];
	size_t		 nstale;
};

/* The depths a host publishes. */
struct cluster_depths {
	long	 new_, cur, deferred, dead;
};

/* ---- pure ---- */

/*
 * The budget: old is the key's value ("" or NULL: none), now_ms wall-clock
 * milliseconds, n calls per window_ms, want calls asked for.  1: *got
 * calls (1 to want, as many as the budget has left) may start, and out
 * is the value with them counted; 0: none before *wait_ms from now.  A
 * value that cannot be read counts as a full budget spent now: wait,
 * rather than risk going over.
 */
int	 cluster_budget_admit(const char *old, long long now_ms, long n,
	    long long window_ms, long want, char *out, size_t outsz,
	    long *got, long long *wait_ms);

/* The slot of the budget now_ms falls in. */
long long	 cluster_budget_slot(long long now_ms, long long window_ms);

/* Calls counted in the last window at now_ms (for routehookctl). */
long	 cluster_budget_used(const char *value, long long now_ms,
	    long long window_ms);

/* The host record's JSON; -1 when it does not fit. */
int	 cluster_host_format(char *buf, size_t bufsz, const char *host,
	    long pid, long long since, const struct cluster_depths *d);

/*
 * The etcd client options c's cluster section names (endpoints, TLS
 * files; the pointers are into c), each call bounded by timeout_ms.
 */
void	 cluster_etcd_opts(const struct conf *c, long timeout_ms,
	    struct etcd_opts *o);

/* "<hostname>:<spool_dir>" into buf; -1 when it does not fit. */
int	 cluster_host_name(char *buf, size_t bufsz, const char *spool_dir);

/* ---- I/O ---- */

/* No network yet: join with cluster_beat(). */
int	 cluster_open(struct cluster *cl, const struct etcd_opts *o,
	    const char *prefix, long ttl_s, const char *host, char *err,
	    size_t errsz);
/* Revokes the lease (our locks and host record go at once) and closes. */
void	 cluster_close(struct cluster *cl);

/*
 * When due (or force), keep the lease alive, taking a new one when there
 * is none or it expired (*lost then says a lease was lost: the locks it
 * bound went with it), and publish the host record with d.  -1: etcd did
 * not answer, and nothing shared may be touched until a beat succeeds.
 */
int	 cluster_beat(struct cluster *cl, long long now_mono_ms, int force,
	    const struct cluster_depths *d, int *lost, char *err,
	    size_t errsz);

/*
 * The user's lock, under our lease: 1 ours (*rev, for the release), 0
 * held by another (holder names it, when not NULL), -1 error.
 */
int	 cluster_lock_user(struct cluster *cl, const char *user,
	    long long *rev, char *holder, size_t holdersz, char *err,
	    size_t errsz);
/*
 * Let the lock go; when etcd does not answer, it is kept (under our
 * lease, so still ours) and let go by the next beat that succeeds.
 */
int	 cluster_unlock_user(struct cluster *cl, const char *user,
	    long long rev, char *err, size_t errsz);

/*
 * An applied event: its stamp written and its user's lock let go, in one
 * transaction, so that no other host can take the user between the two.
 * When the lock is not ours any more (our lease expired meanwhile), the
 * stamp is written newest-wins all the same.  -1: neither happened.
 */
int	 cluster_settle(struct cluster *cl, const char *user, long long rev,
	    const char *key, long long ts, const char *id, char *err,
	    size_t errsz);

/*
 * cluster_lock_user(), and when the lock is ours, the stamp of order
 * key (*have: it has one) read in the same round trip.
 */
int	 cluster_lock_read(struct cluster *cl, const char *user,
	    const char *key, long long *rev, char *holder, size_t holdersz,
	    int *have, long long *ts, char *id, size_t idsz, char *err,
	    size_t errsz);

/* 1 and the stamp when key has one, 0 when none, -1 on error. */
int	 cluster_order_read(struct cluster *cl, const char *key,
	    long long *ts, char *id, size_t idsz, char *err, size_t errsz);
/* Make (ts, id) key's stamp unless a newer one is there already. */
int	 cluster_order_put(struct cluster *cl, const char *key, long long ts,
	    const char *id, char *err, size_t errsz);

/*
 * Count one call of client against the shared budget of n a minute: 1
 * counted, 0 when the budget is spent (*wait_ms: try again then), -1.
 */
int	 cluster_budget_take(struct cluster *cl, const char *client, long n,
	    long long *wait_ms, char *err, size_t errsz);

#endif
