/*
 * etcd unit test: request bodies, answers as etcd 3.4's gateway writes
 * them (captured from etcd-server 3.4.23), failover decisions and base64,
 * as tables.  Fails (exit 1, "not ok" lines) when any entry differs.
 *
 * With endpoints as arguments (tests/t/etcd.t starts a three-member
 * cluster and passes them) it also runs the calls against the live
 * cluster: put and range, compare-and-swap won and lost, acquire by two
 * holders, lease expiry freeing a lock, keepalive and revoke.  With
 * "--down" first, it checks instead that every call fails, quickly and
 * with a reason, as when quorum is lost.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "etcd.h"
#include "tap.h"

static const struct {
	const char	*what;
	int		 kind;		/* 0 range, 1 put, 2 cas, 3 delete,
					   4 put and release "l" */
	const char	*key;
	int		 prefix;
	long long	 n;		/* limit, lease or mod_rev */
	const char	*value;
	const char	*want;
} reqs[] = {
	{ "range of one key", 0, "foo", 0, 0, NULL,
	  "{\"key\":\"Zm9v\"}" },
	{ "range of a prefix, limited", 0, "/rh/", 1, 10, NULL,
	  "{\"key\":\"L3JoLw==\",\"range_end\":\"L3JoMA==\",\"limit\":\"10\"}" },
	{ "put without a lease", 1, "foo", 0, 0, "bar",
	  "{\"key\":\"Zm9v\",\"value\":\"YmFy\"}" },
	{ "put under a lease", 1, "foo", 0, 7587869041849373701LL, "bar",
	  "{\"key\":\"Zm9v\",\"value\":\"YmFy\",\"lease\":\"7587869041849373701\"}" },
	{ "create only if absent", 2, "k", 0, 0, "v",
	  "{\"compare\":[{\"key\":\"aw==\",\"target\":\"CREATE\",\"result\":"
	  "\"EQUAL\",\"create_revision\":\"0\"}],\"success\":[{\"request_put\":"
	  "{\"key\":\"aw==\",\"value\":\"dg==\"}}],\"failure\":[{"
	  "\"request_range\":{\"key\":\"aw==\"}}]}" },
	{ "swap at a revision", 2, "k", 0, 42, "v",
	  "{\"compare\":[{\"key\":\"aw==\",\"target\":\"MOD\",\"result\":"
	  "\"EQUAL\",\"mod_revision\":\"42\"}],\"success\":[{\"request_put\":"
	  "{\"key\":\"aw==\",\"value\":\"dg==\"}}],\"failure\":[{"
	  "\"request_range\":{\"key\":\"aw==\"}}]}" },
	{ "delete whatever", 3, "k", 0, 0, NULL, "{\"key\":\"aw==\"}" },
	{ "delete at a revision", 3, "k", 0, 9, NULL,
	  "{\"compare\":[{\"key\":\"aw==\",\"target\":\"MOD\",\"result\":"
	  "\"EQUAL\",\"mod_revision\":\"9\"}],\"success\":[{"
	  "\"request_delete_range\":{\"key\":\"aw==\"}}]}" },
	{ "a stamp put and its lock let go at once", 4, "k", 0, 7, "v",
	  "{\"compare\":[{\"key\":\"bA==\",\"target\":\"MOD\",\"result\":"
	  "\"EQUAL\",\"mod_revision\":\"7\"}],\"success\":[{\"request_put\":"
	  "{\"key\":\"aw==\",\"value\":\"dg==\"}},{\"request_delete_range\":"
	  "{\"key\":\"bA==\"}}]}" },
};

#define HDR "\"header\":{\"cluster_id\":\"324952591200643719\",\"member_id\":" \
	"\"3319814642761637952\",\"revision\":\"3\",\"raft_term\":\"2\"}"

static const struct {
	const char	*what;
	const char	*body;
	int		 rc;
	int		 code;
	int		 succeeded;
	long long	 lease_id, ttl, count;
	size_t		 nkvs;
	const char	*key, *value;	/* of the first kv */
	long long	 mod_rev, lease;
} answers[] = {
	{ "a put", "{" HDR "}", 0, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0 },
	{ "a range", "{" HDR ",\"kvs\":[{\"key\":\"Zm9v\",\"create_revision\":"
	  "\"2\",\"mod_revision\":\"2\",\"version\":\"1\",\"value\":\"YmFy\"}],"
	  "\"count\":\"1\"}", 0, 0, 0, 0, 0, 1, 1, "foo", "bar", 2, 0 },
	{ "an empty range: kvs and count left out", "{" HDR "}", 0, 0, 0, 0, 0,
	  0, 0, NULL, NULL, 0, 0 },
	{ "a lease grant", "{" HDR ",\"ID\":\"2324035756860729095\",\"TTL\":"
	  "\"10\"}", 0, 0, 0, 2324035756860729095LL, 10, 0, 0, NULL, NULL, 0,
	  0 },
	{ "a keepalive", "{\"result\":{" HDR ",\"ID\":\"2324035756860729098\","
	  "\"TTL\":\"10\"}}", 0, 0, 0, 2324035756860729098LL, 10, 0, 0, NULL,
	  NULL, 0, 0 },
	{ "a keepalive of an expired lease: no TTL", "{\"result\":{" HDR
	  ",\"ID\":\"12345\"}}", 0, 0, 0, 12345, 0, 0, 0, NULL, NULL, 0, 0 },
	{ "a txn that succeeded", "{" HDR ",\"succeeded\":true,\"responses\":"
	  "[{\"response_put\":{\"header\":{\"revision\":\"3\"}}}]}", 0, 0, 1, 0,
	  0, 0, 0, NULL, NULL, 0, 0 },
	{ "a txn that failed: what is there", "{" HDR ",\"responses\":[{"
	  "\"response_range\":{\"header\":{\"revision\":\"3\"},\"kvs\":[{"
	  "\"key\":\"bG9jaw==\",\"create_revision\":\"3\",\"mod_revision\":"
	  "\"3\",\"version\":\"1\",\"value\":\"aA==\",\"lease\":"
	  "\"2324035756860729098\"}],\"count\":\"1\"}}]}", 0, 0, 0, 0, 0, 1, 1,
	  "lock", "h", 3, 2324035756860729098LL },
	{ "an error", "{\"error\":\"etcdserver: requested lease not found\","
	  "\"message\":\"etcdserver: requested lease not found\",\"code\":5}",
	  0, 5, 0, 0, 0, 0, 0, NULL, NULL, 0, 0 },
	{ "the error that ends a stream", "{\"error\":{\"grpc_code\":14,"
	  "\"http_code\":503,\"message\":\"etcdserver: no leader\","
	  "\"http_status\":\"Service Unavailable\"}}", 0, 14, 0, 0, 0, 0, 0,
	  NULL, NULL, 0, 0 },
	{ "not JSON", "<html>502</html>", -1, 0, 0, 0, 0, 0, 0, NULL, NULL, 0,
	  0 },
	{ "a value that is not base64", "{" HDR ",\"kvs\":[{\"key\":\"Zm9v\","
	  "\"value\":\"!!!!\"}]}", -1, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0 },
	{ "a revision that is not a number", "{\"header\":{\"revision\":"
	  "\"x\"}}", -1, 0, 0, 0, 0, 0, 0, NULL, NULL, 0, 0 },
};

static const struct {
	long	 status;
	int	 code;
	int	 want;
} failovers[] = {
	{ 0, 0, 1 },		/* no answer */
	{ 503, 14, 1 },		/* no leader */
	{ 503, 0, 1 },
	{ 500, 2, 1 },
	{ 408, 4, 1 },		/* request timed out */
	{ 404, 5, 0 },		/* lease not found: everywhere */
	{ 400, 3, 0 },		/* a bad request: everywhere */
	{ 200, 0, 0 },
};

static void
test_tables(void)
{
	char buf[ETCD_REQ_MAX], err[256], small[8];
	struct etcd_kv kvs[2];
	struct etcd_answer a;
	size_t i;
	int n;

	for (i = 0; i < sizeof(reqs) / sizeof(reqs[0]); i++) {
		switch (reqs[i].kind) {
		case 0:
			n = etcd_req_range(buf, sizeof(buf), reqs[i].key,
			    reqs[i].prefix, (long)reqs[i].n);
			break;
		case 1:
			n = etcd_req_put(buf, sizeof(buf), reqs[i].key,
			    reqs[i].value, reqs[i].n);
			break;
		case 2:
			n = etcd_req_cas(buf, sizeof(buf), reqs[i].key,
			    reqs[i].n, reqs[i].value, 0);
			break;
		case 3:
			n = etcd_req_delete(buf, sizeof(buf), reqs[i].key,
			    reqs[i].n);
			break;
		default:
			n = etcd_req_put_release(buf, sizeof(buf), "l",
			    reqs[i].n, reqs[i].key, reqs[i].value);
			break;
		}
		is_int(n, (int)strlen(reqs[i].want), "%s: its length",
		    reqs[i].what);
		is_str(n > 0 ? buf : "", reqs[i].want, "%s", reqs[i].what);
	}
	is_int(etcd_req_put(small, sizeof(small), "foo", "bar", 0), -1,
	    "a body that does not fit is refused, not cut");
	n = etcd_req_lease(buf, sizeof(buf), "TTL", 10);
	is_str(n > 0 ? buf : "", "{\"TTL\":\"10\"}", "a lease grant");

	for (i = 0; i < sizeof(answers) / sizeof(answers[0]); i++) {
		etcd_answer_init(&a, kvs, 2);
		n = etcd_parse(answers[i].body, strlen(answers[i].body), &a,
		    err, sizeof(err));
		is_int(n, answers[i].rc, "%s: parsed or refused", answers[i].what);
		if (n == -1) {
			ok(err[0] != '\0', "%s: says why (%s)", answers[i].what,
			    err);
			continue;
		}
		is_int(a.code, answers[i].code, "%s: error code", answers[i].what);
		if (a.code != 0) {
			ok(a.error[0] != '\0', "%s: etcd's words kept (%s)",
			    answers[i].what, a.error);
			continue;
		}
		is_int(a.revision, 3, "%s: revision", answers[i].what);
		is_int(a.succeeded, answers[i].succeeded, "%s: succeeded",
		    answers[i].what);
		is_int(a.lease_id, answers[i].lease_id, "%s: lease id",
		    answers[i].what);
		is_int(a.ttl, answers[i].ttl, "%s: TTL", answers[i].what);
		is_int(a.count, answers[i].count, "%s: count", answers[i].what);
		is_int(a.nkvs, answers[i].nkvs, "%s: kvs", answers[i].what);
		if (answers[i].nkvs > 0) {
			is_str(kvs[0].key, answers[i].key, "%s: key",
			    answers[i].what);
			is_str(kvs[0].value, answers[i].value, "%s: value",
			    answers[i].what);
			is_int(kvs[0].mod_rev, answers[i].mod_rev,
			    "%s: mod_revision", answers[i].what);
			is_int(kvs[0].lease, answers[i].lease, "%s: lease",
			    answers[i].what);
		}
	}

	for (i = 0; i < sizeof(failovers) / sizeof(failovers[0]); i++)
		is_int(etcd_failover(failovers[i].status, failovers[i].code),
		    failovers[i].want, "HTTP %ld code %d: %s",
		    failovers[i].status, failovers[i].code,
		    failovers[i].want ? "try the next member" : "final");

	is_int(etcd_b64(buf, sizeof(buf), "ab", 2), 4, "base64 of 2 bytes");
	is_str(buf, "YWI=", "... padded");
	is_int(etcd_unb64(buf, sizeof(buf), "YWI=", 4), 2, "and back");
	is_str(buf, "ab", "... without the padding's zero byte");
	is_int(etcd_unb64(buf, sizeof(buf), "YQ==", 4), 1, "two pads");
	is_int(etcd_unb64(buf, sizeof(buf), "YW I", 4), -1, "blanks refused");
	is_int(etcd_unb64(buf, sizeof(buf), "AA==", 4), -1,
	    "a NUL byte refused: not text");
	is_int(etcd_unb64(small, 2, "YWJj", 4), -1, "too long for out");
}

static long long
mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static int
live_open(struct etcd *e, int argc, char **argv, long timeout_ms)
{
	struct etcd_opts o;
	char err[512];
	int i;

	memset(&o, 0, sizeof(o));
	for (i = 0; i < argc && i < ETCD_ENDPOINTS_MAX; i++)
		o.endpoints[o.nendpoints++] = argv[i];
	o.timeout_ms = timeout_ms;
	if (etcd_open(e, &o, err, sizeof(err)) == -1) {
		ok(0, "etcd_open: %s", err);
		return -1;
	}
	return 0;
}

static void
test_live(int argc, char **argv)
{
	struct etcd e;
	struct etcd_kv kvs[4], holder;
	struct etcd_answer a;
	char err[512], key[64], key2[64];
	long long lease1, lease2, rev, rev2, ttl, t0;
	struct timespec tick = { 0, 100000000 };
	int r;

	if (live_open(&e, argc, argv, 3000) == -1)
		return;
	snprintf(key, sizeof(key), "/t%ld/k", (long)getpid());
	snprintf(key2, sizeof(key2), "/t%ld/lock", (long)getpid());

	is_int(etcd_put(&e, key, "one", 0, err, sizeof(err)), 0, "put (%s)",
	    err);
	etcd_answer_init(&a, kvs, 4);
	is_int(etcd_range(&e, key, 0, &a, err, sizeof(err)), 0, "range");
	is_int(a.nkvs, 1, "one key");
	is_str(kvs[0].value, "one", "its value");
	rev = kvs[0].mod_rev;

	is_int(etcd_cas(&e, key, rev, "two", 0, &rev2, NULL, err, sizeof(err)),
	    1, "compare-and-swap at its revision wins");
	ok(rev2 > rev, "and moves the revision (%lld > %lld)", rev2, rev);
	memset(&holder, 0, sizeof(holder));
	is_int(etcd_cas(&e, key, rev, "three", 0, NULL, &holder, err,
	    sizeof(err)), 0, "at the old revision it loses");
	is_str(holder.value, "two", "and says what is there instead");
	is_int(etcd_cas(&e, key, 0, "x", 0, NULL, &holder, err, sizeof(err)),
	    0, "create-if-absent loses on an existing key");

	etcd_answer_init(&a, kvs, 4);
	snprintf(key2 + strlen(key2) - 4, 5, "%s", "");
	is_int(etcd_range(&e, key2, 1, &a, err, sizeof(err)), 0,
	    "range of a prefix");
	is_int(a.nkvs, 1, "finds the one key under it");
	snprintf(key2, sizeof(key2), "/t%ld/lock", (long)getpid());

	is_int(etcd_lease_grant(&e, 2, &lease1, err, sizeof(err)), 0,
	    "lease grant (%s)", err);
	is_int(etcd_lease_grant(&e, 30, &lease2, err, sizeof(err)), 0,
	    "a second lease");
	is_int(etcd_acquire(&e, key2, "host-a", lease1, &rev, &holder, err,
	    sizeof(err)), 1, "host a acquires the lock");
	is_int(etcd_acquire(&e, key2, "host-a", lease1, &rev2, &holder, err,
	    sizeof(err)), 1, "acquiring again what it holds is a success");
	is_int(rev2, rev, "... at the same revision");
	is_int(etcd_acquire(&e, key2, "host-b", lease2, &rev2, &holder, err,
	    sizeof(err)), 0, "host b does not get it");
	is_str(holder.value, "host-a", "and learns who holds it");
	is_int(holder.lease, lease1, "under which lease");

	/* Host a dies: no keepalive.  Its lease lets the lock go. */
	t0 = mono_ms();
	do {
		nanosleep(&tick, NULL);
		r = etcd_acquire(&e, key2, "host-b", lease2, &rev2, &holder,
		    err, sizeof(err));
	} while (r == 0 && mono_ms() - t0 < 10000);
	is_int(r, 1, "a dead holder's lease expires and b acquires the lock");
	ok(mono_ms() - t0 >= 1000, "not before the TTL (%lld ms)",
	    mono_ms() - t0);
	is_int(etcd_lease_keepalive(&e, lease1, &ttl, err, sizeof(err)), 0,
	    "keepalive of the expired lease answers");
	is_int(ttl, 0, "... TTL 0: expired");
	is_int(etcd_lease_keepalive(&e, lease2, &ttl, err, sizeof(err)), 0,
	    "keepalive of a live lease");
	ok(ttl > 0, "... TTL %lld", ttl);
	is_int(etcd_delete(&e, key2, rev2 + 1000, err, sizeof(err)), 0,
	    "release at another revision does nothing");
	is_int(etcd_delete(&e, key2, rev2, err, sizeof(err)), 1,
	    "release at its revision deletes");
	is_int(etcd_lease_revoke(&e, lease2, err, sizeof(err)), 0, "revoke");
	is_int(etcd_lease_revoke(&e, lease2, err, sizeof(err)), 0,
	    "revoking again is no error");
	is_int(etcd_put(&e, key, "x", lease2, err, sizeof(err)), -1,
	    "a put under a revoked lease fails");
	ok(strstr(err, "lease not found") != NULL, "... in etcd's words: %s",
	    err);
	is_int(etcd_delete(&e, key, 0, err, sizeof(err)), 1, "cleanup");
	etcd_close(&e);
}

/* Quorum lost: every call fails within its bound, with a reason. */
static void
test_down(int argc, char **argv)
{
	struct etcd e;
	char err[512];
	long long t0, lease;
	int r;

	if (live_open(&e, argc, argv, 1500) == -1)
		return;
	t0 = mono_ms();
	err[0] = '\0';
	r = etcd_put(&e, "/down", "x", 0, err, sizeof(err));
	is_int(r, -1, "a put without quorum fails");
	ok(err[0] != '\0', "... saying why: %s", err);
	ok(mono_ms() - t0 < 5000, "... within its bound (%lld ms)",
	    mono_ms() - t0);
	t0 = mono_ms();
	is_int(etcd_lease_grant(&e, 5, &lease, err, sizeof(err)), -1,
	    "a lease grant without quorum fails");
	ok(mono_ms() - t0 < 5000, "... within its bound (%lld ms): %s",
	    mono_ms() - t0, err);
	etcd_close(&e);
}

int
main(int argc, char **argv)
{
	char err[256];

	if (http_global_init(err, sizeof(err)) == -1) {
		printf("Bail out! %s\n", err);
		return 1;
	}
	if (argc > 2 && strcmp(argv[1], "--down") == 0)
		test_down(argc - 2, argv + 2);
	else if (argc > 1)
		test_live(argc - 1, argv + 1);
	else
		test_tables();
	http_global_cleanup();
	return tap_done();
}
