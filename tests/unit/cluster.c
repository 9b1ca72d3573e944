/*
 * cluster unit test: the shared budget's arithmetic as a table (which
 * calls may start, how long the others wait, that no 60 s window ever
 * holds more than the budget), and the host record.  Fails (exit 1,
 * "not ok" lines) when any entry differs.
 *
 * With etcd endpoints as arguments (tests/t/etcd.t passes them), two
 * hosts share a live cluster: one user lock between them, freed when its
 * holder leaves; newest-wins stamps whatever order the hosts write in;
 * one budget spent by both together.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "tap.h"

#define W	60000LL		/* the window */
#define S	5000LL		/* one slot */

static const struct {
	const char	*what;
	const char	*old;
	long long	 now;
	long		 n;
	int		 want;
	const char	*out;		/* when 1 */
	long long	 wait;		/* when 0 */
} admit[] = {
	{ "the first call ever", NULL, 10 * S + 1, 3, 1,
	  "10 1 0 0 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "another in the same slot", "10 1 0 0 0 0 0 0 0 0 0 0 0 0",
	  10 * S + 2, 3, 1, "10 2 0 0 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "the budget spent in this slot: wait for it to leave",
	  "10 3 0 0 0 0 0 0 0 0 0 0 0 0", 10 * S + 2, 3, 0, NULL,
	  23 * S - (10 * S + 2) },
	{ "a later slot shifts the counts",
	  "10 2 0 0 0 0 0 0 0 0 0 0 0 0", 12 * S, 3, 1,
	  "12 1 0 2 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "spent over several slots: wait for the oldest only",
	  "20 1 0 0 0 0 0 0 0 0 0 0 0 2", 20 * S + 100, 3, 0, NULL,
	  21 * S - (20 * S + 100) },
	{ "... then one may go", "20 1 0 0 0 0 0 0 0 0 0 0 0 2", 21 * S, 3, 1,
	  "21 1 1 0 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "a minute and a slot later everything has left",
	  "20 9 9 9 9 9 9 9 9 9 9 9 9 9", 33 * S, 3, 1,
	  "33 1 0 0 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "another host's clock ahead: its slot is kept",
	  "30 1 0 0 0 0 0 0 0 0 0 0 0 0", 29 * S, 3, 1,
	  "29 2 0 0 0 0 0 0 0 0 0 0 0 0", 0 },
	{ "an unreadable value: a full budget now", "x y", 10 * S, 3, 0, NULL,
	  23 * S - 10 * S },
	{ "too few counts: unreadable", "10 1 2", 10 * S, 3, 0, NULL,
	  23 * S - 10 * S },
};

/*
 * Calls wanted at a steady rate by several hosts, each admitted or told
 * to wait: in no window of 60 s do the admitted ones exceed the budget,
 * and the budget is not left idle either (at least n - 1 per 65 s).
 */
static void
test_no_window_over(long n, long long every_ms)
{
	char value[CLUSTER_BUDGET_MAX], next[CLUSTER_BUDGET_MAX];
	long long *at, t, wait;
	size_t nat = 0, i, j, cap = 100000;
	long worst = 0, cnt, got;
	int r;

	if ((at = calloc(cap, sizeof(*at))) == NULL)
		return;
	value[0] = '\0';
	for (t = 1000000; t < 1000000 + 10 * W && nat < cap; t += every_ms) {
		r = cluster_budget_admit(value, t, n, W, 1, next, sizeof(next),
		    &got, &wait);
		if (r == 1) {
			memcpy(value, next, sizeof(value));
			at[nat++] = t;
		}
	}
	for (i = 0; i < nat; i++) {
		cnt = 0;
		for (j = i; j < nat && at[j] < at[i] + W; j++)
			cnt++;
		if (cnt > worst)
			worst = cnt;
	}
	ok(worst <= n, "a call every %lld ms against %ld a minute: at most "
	    "%ld in any 60 s (%zu admitted in 10 min)", every_ms, n, worst,
	    nat);
	ok((long)nat >= (n - 1) * 9, "... and the budget is used (%zu >= %ld)",
	    nat, (n - 1) * 9);
	free(at);
}

static void
test_tables(void)
{
	char out[CLUSTER_BUDGET_MAX], rec[512];
	struct cluster_depths d = { 3, 1, 2, 0 };
	long long wait;
	long got;
	size_t i;
	int r;

	for (i = 0; i < sizeof(admit) / sizeof(admit[0]); i++) {
		out[0] = '\0';
		wait = -1;
		r = cluster_budget_admit(admit[i].old, admit[i].now, admit[i].n,
		    W, 1, out, sizeof(out), &got, &wait);
		is_int(r, admit[i].want, "%s", admit[i].what);
		if (admit[i].want == 1)
			is_str(out, admit[i].out, "%s: the new value",
			    admit[i].what);
		else
			is_int(wait, admit[i].wait, "%s: the wait",
			    admit[i].what);
	}
	is_int(cluster_budget_admit("10 1 0 0 0 0 0 0 0 0 0 0 0 1", 10 * S, 10,
	    W, 5, out, sizeof(out), &got, &wait), 1, "five counted at once");
	is_int(got, 5, "... all five");
	is_str(out, "10 6 0 0 0 0 0 0 0 0 0 0 0 1", "... in this slot");
	is_int(cluster_budget_admit("10 6 0 0 0 0 0 0 0 0 0 0 0 1", 10 * S, 10,
	    W, 5, out, sizeof(out), &got, &wait), 1, "five asked, three left");
	is_int(got, 3, "... three counted, the budget not passed");
	test_no_window_over(10, 700);
	test_no_window_over(300, 37);
	test_no_window_over(1, 20000);
	is_int(cluster_budget_used("20 1 0 0 0 0 0 0 0 0 0 0 0 2", 20 * S, W),
	    3, "used: every slot of the window counts");
	is_int(cluster_budget_used("20 1 0 0 0 0 0 0 0 0 0 0 0 2", 21 * S, W),
	    1, "used: not a slot that has left");
	is_int(cluster_budget_used(NULL, 21 * S, W), 0, "used: none yet");

	is_int(cluster_host_format(rec, sizeof(rec), "vm:/var/spool/rh \"x\"",
	    42, 1700000000, &d) > 0, 1, "a host record");
	is_str(rec, "{\"host\":\"vm:\\/var\\/spool\\/rh \\\"x\\\"\",\"pid\":42,"
	    "\"since\":1700000000,\"new\":3,\"cur\":1,\"deferred\":2,"
	    "\"dead\":0}", "... as JSON, escaped");
	is_int(cluster_host_format(rec, 16, "h", 1, 1, &d), -1,
	    "a record that does not fit is refused");
}

static int
live_open(struct cluster *cl, const char *host, const char *prefix,
    int argc, char **argv)
{
	struct etcd_opts o;
	char err[512];
	int i, lost;
	struct cluster_depths d = { 0, 0, 0, 0 };

	memset(&o, 0, sizeof(o));
	for (i = 0; i < argc && i < ETCD_ENDPOINTS_MAX; i++)
		o.endpoints[o.nendpoints++] = argv[i];
	o.timeout_ms = 3000;
	if (cluster_open(cl, &o, prefix, 2, host, err, sizeof(err)) == -1 ||
	    cluster_beat(cl, 0, 1, &d, &lost, err, sizeof(err)) == -1) {
		ok(0, "host %s joins: %s", host, err);
		return -1;
	}
	return 0;
}

static void
test_live(int argc, char **argv)
{
	struct cluster a, b;
	char err[512], prefix[64], holder[300], id[64];
	long long ra, rb, ts, wait;
	int i, na = 0, nb = 0, r, have;

	snprintf(prefix, sizeof(prefix), "/cl%ld/", (long)getpid());
	if (live_open(&a, "host-a", prefix, argc, argv) == -1 ||
	    live_open(&b, "host-b", prefix, argc, argv) == -1)
		return;
	ok(1, "two hosts joined");

	is_int(cluster_lock_user(&a, "u1", &ra, holder, sizeof(holder), err,
	    sizeof(err)), 1, "a locks u1 (%s)", err);
	is_int(cluster_lock_user(&b, "u1", &rb, holder, sizeof(holder), err,
	    sizeof(err)), 0, "b cannot while a holds it");
	ok(strncmp(holder, "host-a ", 7) == 0, "b learns a holds it: %s",
	    holder);
	is_int(cluster_unlock_user(&a, "u1", ra, err, sizeof(err)), 0,
	    "a lets it go");
	is_int(cluster_lock_user(&b, "u1", &rb, holder, sizeof(holder), err,
	    sizeof(err)), 1, "then b has it");

	is_int(cluster_order_read(&a, "u1", &ts, id, sizeof(id), err,
	    sizeof(err)), 0, "no stamp yet");
	is_int(cluster_order_put(&a, "u1", 2000, "e2", err, sizeof(err)), 0,
	    "a stamps e2 at 2000");
	is_int(cluster_order_put(&b, "u1", 1000, "e1", err, sizeof(err)), 0,
	    "b stamps an older e1 afterwards");
	is_int(cluster_order_read(&b, "u1", &ts, id, sizeof(id), err,
	    sizeof(err)), 1, "there is a stamp");
	ok(ts == 2000 && strcmp(id, "e2") == 0, "the newer stays: %lld %s",
	    ts, id);
	is_int(cluster_settle(&b, "u1", rb, "u1", 3000, "e3", err,
	    sizeof(err)), 0, "b settles a newer e3: stamp and release at once");
	cluster_order_read(&a, "u1", &ts, id, sizeof(id), err, sizeof(err));
	ok(ts == 3000 && strcmp(id, "e3") == 0, "a reads it: %lld %s", ts, id);
	is_int(cluster_lock_user(&a, "u1", &ra, holder, sizeof(holder), err,
	    sizeof(err)), 1, "and the lock is free for a");
	is_int(cluster_settle(&b, "u1", rb, "u1", 2500, "e25", err,
	    sizeof(err)), 0, "b settling again with a lock it lost");
	cluster_order_read(&a, "u1", &ts, id, sizeof(id), err, sizeof(err));
	ok(ts == 3000, "... leaves the newer stamp (%lld %s)", ts, id);
	is_int(cluster_lock_user(&b, "u1", &rb, holder, sizeof(holder), err,
	    sizeof(err)), 0, "... and a's lock alone");
	is_int(cluster_unlock_user(&a, "u1", ra, err, sizeof(err)), 0,
	    "a lets it go");
	is_int(cluster_lock_user(&b, "u1", &rb, holder, sizeof(holder), err,
	    sizeof(err)), 1, "b takes it again");
	is_int(cluster_unlock_user(&b, "u1", rb, err, sizeof(err)), 0,
	    "and lets it go");
	is_int(cluster_lock_read(&a, "u1", "u1", &ra, holder, sizeof(holder),
	    &have, &ts, id, sizeof(id), err, sizeof(err)), 1,
	    "lock and stamp in one round trip (%s)", err);
	ok(have && ts == 3000 && strcmp(id, "e3") == 0, "... the stamp read: "
	    "%lld %s", ts, id);
	is_int(cluster_lock_read(&a, "u1", "u1", &ra, holder, sizeof(holder),
	    &have, &ts, id, sizeof(id), err, sizeof(err)), 1,
	    "again by its holder: still ours");
	is_int(cluster_lock_read(&b, "u1", "u2", &rb, holder, sizeof(holder),
	    &have, &ts, id, sizeof(id), err, sizeof(err)), 0,
	    "b cannot while a holds it");
	ok(strncmp(holder, "host-a ", 7) == 0, "... and learns who: %s", holder);
	is_int(cluster_lock_read(&b, "u9", "u9", &rb, holder, sizeof(holder),
	    &have, &ts, id, sizeof(id), err, sizeof(err)), 1,
	    "a user with no stamp yet");
	is_int(have, 0, "... has none");
	cluster_unlock_user(&b, "u9", rb, err, sizeof(err));
	cluster_unlock_user(&a, "u1", ra, err, sizeof(err));

	for (i = 0; i < 12; i++) {
		r = cluster_budget_take(i % 2 ? &a : &b, "client", 10, &wait,
		    err, sizeof(err));
		if (r == 1)
			i % 2 ? na++ : nb++;
		else if (r == -1)
			ok(0, "budget: %s", err);
	}
	is_int(na + nb, 10, "a budget of 10 a minute: 10 of 12 calls by two "
	    "hosts counted (a %d, b %d)", na, nb);
	is_int(cluster_budget_take(&a, "client", 10, &wait, err, sizeof(err)),
	    0, "the next must wait");
	ok(wait > 0 && wait <= 65000, "... for a while (%lld ms)", wait);

	cluster_close(&b);	/* revokes its lease: u1 is free at once */
	is_int(cluster_lock_user(&a, "u1", &ra, holder, sizeof(holder), err,
	    sizeof(err)), 1, "a host that leaves lets its locks go (%s)", err);
	cluster_close(&a);
}

int
main(int argc, char **argv)
{
	char err[256];

	if (http_global_init(err, sizeof(err)) == -1) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	if (argc > 1)
		test_live(argc - 1, argv + 1);
	else
		test_tables();
	http_global_cleanup();
	return tap_done();
}
