/*
 * order unit test: "newest wins" comparisons, the stamp line kept per key,
 * key checks, and the keytab hash table (insert, replace, delete with
 * backward shift).  Fails (exit 1, "not ok" lines) when any entry differs.
 */
#include <stdio.h>
#include <string.h>

#include "order.h"
#include "tap.h"

static const struct {
	long long	 ta;
	const char	*ia;
	long long	 tb;
	const char	*ib;
	int		 want;
} cmp[] = {
	{ 1000, "b", 2000, "a", -1 },	/* time first */
	{ 2000, "a", 1000, "b", 1 },
	{ 1000, "1700000000.M000001P1Q0.h", 1000, "1700000000.M000002P1Q0.h", -1 },
	{ 1000, "x", 1000, "x", 0 },	/* the same event */
	{ 0, "a", 1, "a", -1 },
};

static const struct {
	int			 have, pending;
	long long		 th;
	const char		*ih;
	long long		 tn;
	const char		*in;
	enum order_admit	 want;
} admit[] = {
	{ 0, 0, 0, "", 5, "n", ORDER_ADMIT },
	{ 1, 1, 10, "h", 5, "n", ORDER_LOSES },
	{ 1, 0, 10, "h", 5, "n", ORDER_LOSES },		/* older than in flight */
	{ 1, 1, 10, "h", 10, "h", ORDER_LOSES },	/* the same event */
	{ 1, 1, 10, "a", 10, "b", ORDER_REPLACES },	/* tie: later id wins */
	{ 1, 1, 10, "h", 11, "n", ORDER_REPLACES },
	{ 1, 0, 10, "h", 11, "n", ORDER_FOLLOWS },	/* in flight: after it */
};

static const struct {
	int			 have;
	long long		 tl;
	const char		*il;
	long long		 t;
	const char		*i;
	enum order_verdict	 want;
} check[] = {
	{ 0, 0, "", 5, "x", ORDER_APPLY },
	{ 1, 5, "a", 6, "x", ORDER_APPLY },
	{ 1, 5, "a", 5, "b", ORDER_APPLY },	/* tie broken by the id */
	{ 1, 5, "b", 5, "a", ORDER_STALE },
	{ 1, 5, "a", 4, "z", ORDER_STALE },	/* a late, older event */
	{ 1, 5, "a", 5, "a", ORDER_DONE },	/* itself: applied, then a crash */
};

/*
 * A batch as the worker claims it: events in directory order, at most one
 * held per key, the loser of each meeting superseded.  want: the ids left.
 */
static const struct {
	const char	*key;
	long long	 ts;
	const char	*id;
} batch[] = {
	{ "status:u1", 3000, "e1" },
	{ "status:u1", 1000, "e2" },
	{ "status:u2", 0, "e3" },
	{ "status:u1", 4000, "e4" },
	{ "presence:u1", 1000, "e5" },
	{ "status:u2", 0, "e6" },	/* same time: the later id wins */
	{ "status:u1", 2000, "e7" },
	{ "queue:q:u1", 1, "e8" },
	{ "presence:u1", 500, "e9" },
};

static void
run_batch(char *out, size_t outsz)
{
	struct keytab t;
	int held[16], nheld = 0, superseded = 0, k;
	size_t i;

	keytab_init(&t, 16);
	for (i = 0; i < sizeof(batch) / sizeof(batch[0]); i++) {
		k = keytab_get(&t, batch[i].key);
		switch (order_admit(k >= 0, 1, k >= 0 ? batch[held[k]].ts : 0,
		    k >= 0 ? batch[held[k]].id : "", batch[i].ts, batch[i].id)) {
		case ORDER_ADMIT:
			held[nheld] = (int)i;
			keytab_put(&t, batch[i].key, nheld++);
			break;
		case ORDER_REPLACES:
			held[k] = (int)i;
			superseded++;
			break;
		case ORDER_LOSES:
			superseded++;
			break;
		case ORDER_FOLLOWS:
			break;
		}
	}
	out[0] = '\0';
	for (k = 0; k < nheld; k++) {
		strncat(out, batch[held[k]].id, outsz - strlen(out) - 1);
		strncat(out, " ", outsz - strlen(out) - 1);
	}
	snprintf(out + strlen(out), outsz - strlen(out), "(%d superseded)",
	    superseded);
	keytab_free(&t);
}

static const char *bad_lines[] = {
	"", "\n", "abc x\n", "12\n", "12 \n", "12 a b\n", "-1 x\n",
	"12 x\ny\n", " 12 x\n", "12  x\n", "99999999999999999999999 x\n",
};

int
main(void)
{
	struct keytab t;
	struct event ev;
	char buf[ORDER_LINE_MAX], id[256], keys[600][16];
	long long ts;
	size_t i;
	int n, good;

	for (i = 0; i < sizeof(cmp) / sizeof(cmp[0]); i++)
		is_int(order_cmp(cmp[i].ta, cmp[i].ia, cmp[i].tb, cmp[i].ib),
		    cmp[i].want, "order_cmp(%lld %s, %lld %s)", cmp[i].ta,
		    cmp[i].ia, cmp[i].tb, cmp[i].ib);

	for (i = 0; i < sizeof(admit) / sizeof(admit[0]); i++)
		is_int(order_admit(admit[i].have, admit[i].pending, admit[i].th,
		    admit[i].ih, admit[i].tn, admit[i].in), admit[i].want,
		    "order_admit %zu: held %s %lld%s, new %s %lld", i,
		    admit[i].have ? admit[i].ih : "none", admit[i].th,
		    admit[i].pending ? " (waiting)" : " (in flight)",
		    admit[i].in, admit[i].tn);
	for (i = 0; i < sizeof(check) / sizeof(check[0]); i++)
		is_int(order_check(check[i].have, check[i].tl, check[i].il,
		    check[i].t, check[i].i), check[i].want,
		    "order_check %zu: last %s %lld, event %s %lld", i,
		    check[i].have ? check[i].il : "none", check[i].tl,
		    check[i].i, check[i].t);
	run_batch(buf, sizeof(buf));
	is_str(buf, "e4 e6 e5 e8 (5 superseded)",
	    "a batch keeps the newest event per key, supersedes the rest");

	n = order_format(buf, sizeof(buf), 1767261604000LL, "1767261600.M1P2Q3.h");
	is_str(buf, "1767261604000 1767261600.M1P2Q3.h\n", "order_format");
	ok(order_parse(buf, (size_t)n, &ts, id, sizeof(id)) == 0 &&
	    ts == 1767261604000LL && strcmp(id, "1767261600.M1P2Q3.h") == 0,
	    "order_parse reads back what order_format wrote");
	ok(order_parse("5 abc", 5, &ts, id, sizeof(id)) == 0 && ts == 5,
	    "order_parse: the final newline is optional");
	is_int(order_format(buf, 10, 1, "a-long-id"), -1,
	    "order_format: -1 when it does not fit");
	ok(order_parse("5 abcdef", 8, &ts, id, 4) == -1,
	    "order_parse: -1 when the id does not fit");
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		is_int(order_parse(bad_lines[i], strlen(bad_lines[i]), &ts, id,
		    sizeof(id)), -1, "order_parse refuses \"%.*s\"",
		    (int)strcspn(bad_lines[i], "\n"), bad_lines[i]);

	ok(order_key_valid("status:agent-1"), "a status key is a file name");
	ok(order_key_valid("queue:q-1:agent-1"), "a queue key is a file name");
	ok(!order_key_valid(""), "an empty key is not");
	ok(!order_key_valid(".hidden"), "a dot key is not");
	ok(!order_key_valid("a/b"), "a key with '/' is not");
	ok(!order_key_valid("a b"), "a key with a space is not");

	memset(&ev, 0, sizeof(ev));
	ev.ts_ms = 42;
	is_int(order_stamp(&ev, "1700000000.M123456P1Q0.h"), 42,
	    "order_stamp: the event's own time first");
	ev.ts_ms = 0;
	is_int(order_stamp(&ev, "1700000000.M123456P1Q0.h"), 1700000000123LL,
	    "order_stamp: else the receipt time in the id, in ms");
	is_int(order_stamp(&ev, "not-an-id"), 0,
	    "order_stamp: 0 for an id that is not ours");

	ok(keytab_init(&t, 600) == 0, "keytab for 600 keys");
	for (i = 0; i < 600; i++)
		snprintf(keys[i], sizeof(keys[i]), "k%zu", i);
	good = 1;
	for (i = 0; i < 600; i++)
		good &= keytab_put(&t, keys[i], (int)i) == 0;
	ok(good && t.n == 600, "600 keys put");
	good = 1;
	for (i = 0; i < 600; i++)
		good &= keytab_get(&t, keys[i]) == (int)i;
	ok(good, "each key gets its value");
	is_int(keytab_get(&t, "absent"), -1, "an absent key gets -1");
	ok(keytab_put(&t, keys[7], 700) == 0 && keytab_get(&t, keys[7]) == 700 &&
	    t.n == 600, "put on a present key replaces its value");
	for (i = 0; i < 600; i += 2)
		keytab_del(&t, keys[i]);
	good = 1;
	for (i = 0; i < 600; i++)
		good &= keytab_get(&t, keys[i]) ==
		    (i % 2 ? (i == 7 ? 700 : (int)i) : -1);
	ok(good && t.n == 300,
	    "after deleting every other key, the rest are all still found");
	keytab_del(&t, "absent");
	is_int(t.n, 300, "deleting an absent key changes nothing");
	keytab_clear(&t);
	ok(t.n == 0 && keytab_get(&t, keys[1]) == -1, "clear empties the table");
	keytab_free(&t);

	ok(keytab_init(&t, 2) == 0, "a small table");
	good = 1;
	for (i = 0; i < 8; i++)
		good &= keytab_put(&t, keys[i], 1) == 0;
	ok(good, "it takes up to half its capacity (cap %zu)", t.cap);
	is_int(keytab_put(&t, keys[8], 1), -1, "then put fails instead of filling it");
	keytab_free(&t);
	return tap_done();
}
