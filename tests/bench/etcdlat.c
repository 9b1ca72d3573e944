/*
 * etcdlat: what etcd adds to each event for make bench (issue 13, §5).
 *
 * One worker's etcd traffic for one applied event, N times over, against
 * a live cluster, with nothing else: take the user's lock and read the
 * order stamp (one transaction), count one call against the shared
 * budget (a round trip for every few calls), write the stamp and let the
 * lock go (one transaction), as routehook-worker does with a cluster
 * section (lib/cluster.c).  Each user is different, so no call waits
 * for another.
 *
 *	etcdlat -n EVENTS ENDPOINT...
 *
 * Prints one line per step and one for the whole, in milliseconds:
 *	step=event n=N p50_ms=X p99_ms=Y
 *
 * Not a test and not installed: built by "make bench" only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cluster.h"
#include "http.h"
#include "msclock.h"

enum { S_LOCK, S_BUDGET, S_SETTLE, S_EVENT, S_N };
static const char *names[S_N] = { "lock_read", "budget", "settle", "event" };

static double
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int
cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct etcd_opts o;
	struct cluster_depths d = { 0, 0, 0, 0 };
	struct cluster cl;
	char err[1024], user[64], prefix[64], id[64], last[64];
	double *lat[S_N], t[S_N];
	long long rev, ts, wait;
	long n = 200, i;
	int c, lost, s, have;

	while ((c = getopt(argc, argv, "n:")) != -1) {
		if (c != 'n' || (n = strtol(optarg, NULL, 10)) <= 0) {
			fprintf(stderr, "usage: etcdlat -n EVENTS ENDPOINT...\n");
			return 100;
		}
	}
	memset(&o, 0, sizeof(o));
	for (i = optind; i < argc && o.nendpoints < ETCD_ENDPOINTS_MAX; i++)
		o.endpoints[o.nendpoints++] = argv[i];
	o.timeout_ms = 2000;
	snprintf(prefix, sizeof(prefix), "/bench-%ld/", (long)getpid());
	for (s = 0; s < S_N; s++)
		if ((lat[s] = calloc((size_t)n, sizeof(double))) == NULL)
			return 111;
	if (http_global_init(err, sizeof(err)) == -1 ||
	    cluster_open(&cl, &o, prefix, 10, "bench", err, sizeof(err)) == -1 ||
	    cluster_beat(&cl, msclock_mono(), 1, &d, &lost, err,
	    sizeof(err)) == -1) {
		fprintf(stderr, "etcdlat: %s\n", err);
		return 111;
	}
	for (i = 0; i < n; i++) {
		snprintf(user, sizeof(user), "user-%ld", i);
		snprintf(id, sizeof(id), "%ld.M000000P1Q%ld.bench", 1700000000L,
		    i);
		/* The lease kept alive as the worker keeps it: when due. */
		if (cluster_beat(&cl, msclock_mono(), 0, &d, &lost, err,
		    sizeof(err)) == -1)
			goto fail;
		t[0] = now_ms();
		if (cluster_lock_read(&cl, user, user, &rev, NULL, 0, &have,
		    &ts, last, sizeof(last), err, sizeof(err)) != 1)
			goto fail;
		t[1] = now_ms();
		if (cluster_budget_take(&cl, "bench", 100000, &wait, err,
		    sizeof(err)) != 1)
			goto fail;
		t[2] = now_ms();
		if (cluster_settle(&cl, user, rev, user, 1000 + i, id, err,
		    sizeof(err)) == -1)
			goto fail;
		t[3] = now_ms();
		for (s = 0; s < S_EVENT; s++)
			lat[s][i] = t[s + 1] - t[s];
		lat[S_EVENT][i] = t[3] - t[0];
	}
	for (s = 0; s < S_N; s++) {
		qsort(lat[s], (size_t)n, sizeof(double), cmp);
		printf("step=%s n=%ld p50_ms=%.2f p99_ms=%.2f\n", names[s], n,
		    lat[s][n / 2], lat[s][(n * 99) / 100 < n ? (n * 99) / 100 :
		    n - 1]);
		free(lat[s]);
	}
	cluster_close(&cl);
	http_global_cleanup();
	return 0;
fail:
	fprintf(stderr, "etcdlat: event %ld: %s\n", i, err[0] ? err :
	    "refused");
	return 111;
}
