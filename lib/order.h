/*
 * order: "the newest wins" (issue 3, section 5), and the small string
 * table the worker indexes a batch with.  Pure: no I/O.
 *
 * An event's stamp is its own time (ts_ms) when it has one, else its
 * receipt time from the spool id; ties are broken by the id, which sorts
 * by arrival.  The last stamp applied per order key is kept by the worker
 * as one line "<ts_ms> <id>\n" (see state.h).
 */
#ifndef ROUTEHOOK_ORDER_H
#define ROUTEHOOK_ORDER_H

#include <stddef.h>

#include "event.h"

#define ORDER_KEY_MAX	160	/* "queue:<64>:<64>" and NUL */
#define ORDER_LINE_MAX	(32 + 256)

/* <0, 0, >0 as stamp a is older than, the same as, newer than b. */
int	 order_cmp(long long ts_a, const char *id_a, long long ts_b,
	    const char *id_b);

/* ev's stamp: ev->ts_ms, else the receipt time in id (ms), else 0. */
long long	 order_stamp(const struct event *ev, const char *id);

/*
 * A claimed event meets the pending or calling job already held for its
 * key (have: whether there is one; pending: whether it is still waiting).
 */
enum order_admit {
	ORDER_ADMIT,		/* no rival: take it */
	ORDER_LOSES,		/* the held one is newer: supersede the new */
	ORDER_REPLACES,		/* newer than a waiting one: supersede that */
	ORDER_FOLLOWS		/* newer than one in flight: take it, after */
};

enum order_admit	 order_admit(int have, int pending, long long ts_held,
			    const char *id_held, long long ts_new,
			    const char *id_new);

/* The event against the last stamp applied for its key (have: one exists). */
enum order_verdict {
	ORDER_APPLY,		/* newer: call */
	ORDER_STALE,		/* older, or another as new: superseded */
	ORDER_DONE		/* its own stamp: applied by a run that died */
};

enum order_verdict	 order_check(int have, long long ts_last,
			    const char *id_last, long long ts, const char *id);

/* "<ts_ms> <id>\n" into buf; its length, or -1 if it does not fit. */
int	 order_format(char *buf, size_t bufsz, long long ts, const char *id);

/* The reverse; -1 unless buf is exactly one such line (or without '\n'). */
int	 order_parse(const char *buf, size_t len, long long *ts, char *id,
	    size_t idsz);

/*
 * A key may name a file in SPOOL/state/order: not empty, no '/', not
 * starting with '.', printable.
 */
int	 order_key_valid(const char *key);

/*
 * keytab: strings to small integers, open addressing.  The table copies
 * nothing: keys must outlive their entries.  Sized once for at most
 * max entries.
 */
struct keytab_ent {
	const char	*key;
	int		 val;
};

struct keytab {
	struct keytab_ent	*ents;
	size_t			 cap;	/* a power of two, > 2 * max */
	size_t			 n;
};

int	 keytab_init(struct keytab *t, size_t max);
void	 keytab_free(struct keytab *t);
void	 keytab_clear(struct keytab *t);
/* The value under key, or -1. */
int	 keytab_get(const struct keytab *t, const char *key);
/* Insert or replace; -1 when the table is full. */
int	 keytab_put(struct keytab *t, const char *key, int val);
/* Remove key if present. */
void	 keytab_del(struct keytab *t, const char *key);

#endif
