/*
 * diskloop: the disk's limit for make bench (issue 2, §6).
 *
 * THREADS threads, each calling lib/spool.c's spool_commit() on the same
 * spool in a loop for SECONDS: create tmp/ID, write the body, fsync,
 * close, rename into new/, fsync new/ -- exactly the responder's write,
 * with no HTTP, no signature and no JSON in front of it.  Its commits per
 * second at a given concurrency are what the disk and the filesystem's
 * journal allow; the responder's durable req/s is read against it.
 *
 *	diskloop -d SPOOL -b BODY-FILE [-n THREADS] [-t SECONDS] [-F]
 *
 * -F turns fsync off (spool opened with do_fsync = 0).  Prints one line:
 *	threads=N commits=C seconds=S rate=R p50_ms=X p99_ms=Y
 * The commits are left in SPOOL/new/ for the caller to remove.
 *
 * Not a test and not installed: built by "make bench" only.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "spool.h"

struct worker {
	pthread_t	 tid;
	double		*lat;		/* seconds, one per commit */
	size_t		 n, cap;
	int		 failed;
};

static struct spool	 spool;
static const char	*body;
static size_t		 body_len;
static pthread_barrier_t start;
static atomic_int	 stop;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void *
loop(void *arg)
{
	struct worker *w = arg;
	char id[SPOOL_ID_MAX], err[512];
	double t0, t1;

	pthread_barrier_wait(&start);
	while (!atomic_load(&stop)) {
		t0 = now_s();
		if (spool_commit(&spool, body, body_len, id, sizeof(id), err,
		    sizeof(err)) == -1) {
			fprintf(stderr, "diskloop: %s\n", err);
			w->failed = 1;
			break;
		}
		t1 = now_s();
		if (w->n == w->cap) {
			w->cap = w->cap ? w->cap * 2 : 4096;
			if ((w->lat = realloc(w->lat, w->cap *
			    sizeof(*w->lat))) == NULL) {
				perror("diskloop: realloc");
				exit(1);
			}
		}
		w->lat[w->n++] = t1 - t0;
	}
	return NULL;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) == -1 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) == -1 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		perror(path);
		exit(1);
	}
	fclose(f);
	*len = (size_t)n;
	return buf;
}

int
main(int argc, char *argv[])
{
	struct worker *ws;
	const char *dir = NULL, *bodyfile = NULL;
	char err[512];
	double secs = 5, t0, t1, *all;
	size_t total = 0, k;
	long i, n = 2;
	int ch, do_fsync = 1, failed = 0;

	while ((ch = getopt(argc, argv, "b:d:Fn:t:")) != -1) {
		switch (ch) {
		case 'b':
			bodyfile = optarg;
			break;
		case 'd':
			dir = optarg;
			break;
		case 'F':
			do_fsync = 0;
			break;
		case 'n':
			n = strtol(optarg, NULL, 10);
			break;
		case 't':
			secs = strtod(optarg, NULL);
			break;
		default:
			goto usage;
		}
	}
	if (dir == NULL || bodyfile == NULL || n < 1 || n > 1024 || secs <= 0)
		goto usage;
	body = slurp(bodyfile, &body_len);
	if (spool_open(&spool, dir, 1, do_fsync, err, sizeof(err)) == -1) {
		fprintf(stderr, "diskloop: %s\n", err);
		return 1;
	}
	if ((ws = calloc((size_t)n, sizeof(*ws))) == NULL ||
	    pthread_barrier_init(&start, NULL, (unsigned)n + 1) != 0)
		return 1;
	for (i = 0; i < n; i++)
		if (pthread_create(&ws[i].tid, NULL, loop, &ws[i]) != 0) {
			perror("diskloop: pthread_create");
			return 1;
		}
	pthread_barrier_wait(&start);
	t0 = now_s();
	/* nanosleep can return early on a signal: sleep until the deadline. */
	while ((t1 = now_s()) < t0 + secs) {
		struct timespec ts;
		double left = t0 + secs - t1;

		ts.tv_sec = (time_t)left;
		ts.tv_nsec = (long)((left - (double)ts.tv_sec) * 1e9);
		nanosleep(&ts, NULL);
	}
	atomic_store(&stop, 1);
	for (i = 0; i < n; i++) {
		pthread_join(ws[i].tid, NULL);
		total += ws[i].n;
		failed |= ws[i].failed;
	}
	t1 = now_s();
	if ((all = malloc((total ? total : 1) * sizeof(*all))) == NULL)
		return 1;
	for (i = 0, k = 0; i < n; i++) {
		memcpy(all + k, ws[i].lat, ws[i].n * sizeof(*all));
		k += ws[i].n;
	}
	qsort(all, total, sizeof(*all), cmp_double);
	printf("threads=%ld commits=%zu seconds=%.3f rate=%.1f p50_ms=%.3f "
	    "p99_ms=%.3f\n", n, total, t1 - t0, (double)total / (t1 - t0),
	    total ? all[total / 2] * 1e3 : 0.0,
	    total ? all[(size_t)((double)total * 0.99)] * 1e3 : 0.0);
	spool_close(&spool);
	return failed;

usage:
	fprintf(stderr, "usage: diskloop -d SPOOL -b BODY-FILE [-n THREADS] "
	    "[-t SECONDS] [-F]\n");
	return 2;
}
