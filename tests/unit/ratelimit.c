/*
 * ratelimit unit test: the sliding window and the 429 pause as schedules.
 * Fails (exit 1, "not ok" lines) when any step differs.
 */
#include "../../worker/ratelimit.h"
#include "tap.h"

/*
 * Greedy schedule: start every call as soon as the limiter allows, each
 * taking dur ms from start to answer; record starts.  Then check that no
 * window of window_ms holds more than n server arrivals (start + lag).
 */
static void
schedule(long n, long long window, long long dur, int calls,
    long long *starts)
{
	struct ratelimit rl;
	unsigned long long tickets[64];
	long long now = 0, w;
	int i, j, done = 0;

	ratelimit_init(&rl, n, window);
	for (i = 0; i < calls; i++) {
		for (;;) {
			/* Settle every call that has answered by now. */
			for (j = done; j < i; j++)
				if (starts[j] + dur <= now && j == done) {
					ratelimit_done(&rl, tickets[j],
					    starts[j] + dur);
					done++;
				}
			w = ratelimit_wait(&rl, now);
			if (w == 0)
				break;
			now += w > 0 ? w : 1;
		}
		starts[i] = now;
		tickets[i] = ratelimit_start(&rl, now);
	}
	ratelimit_free(&rl);
}

static int
max_in_window(const long long *arrivals, int n, long long window)
{
	int i, j, best = 0, c;

	for (i = 0; i < n; i++) {
		c = 0;
		for (j = 0; j < n; j++)
			if (arrivals[j] > arrivals[i] - window &&
			    arrivals[j] <= arrivals[i])
				c++;
		if (c > best)
			best = c;
	}
	return best;
}

int
main(void)
{
	struct ratelimit rl;
	unsigned long long t0, t1, t2, t3;
	long long starts[40], arrivals[40];
	int i;

	ok(ratelimit_init(&rl, 3, 1000) == 0, "init 3 per 1000 ms");
	is_int(ratelimit_wait(&rl, 5), 0, "a fresh limiter lets a call start");
	t0 = ratelimit_start(&rl, 5);
	t1 = ratelimit_start(&rl, 6);
	t2 = ratelimit_start(&rl, 7);
	is_int(t0, 0, "tickets count from 0");
	is_int(t2, 2, "... one per call");
	is_int(ratelimit_wait(&rl, 8), -1,
	    "the 4th call waits for the 1st to answer (-1)");
	ratelimit_done(&rl, t1, 200);
	is_int(ratelimit_wait(&rl, 300), -1,
	    "another call's answer does not free the 1st's slot");
	ratelimit_done(&rl, t0, 100);
	is_int(ratelimit_wait(&rl, 300), 800,
	    "the 4th waits until a window after the 1st answered (100 + 1000)");
	is_int(ratelimit_wait(&rl, 1100), 0, "... and may start at 1100");
	t3 = ratelimit_start(&rl, 1100);
	is_int(t3, 3, "ticket 3 takes slot 0 again");
	is_int(ratelimit_wait(&rl, 1100), 100, "the 5th waits for slot 1 (200 + 1000)");
	ratelimit_done(&rl, t0, 5000);
	is_int(ratelimit_wait(&rl, 1200), 0,
	    "an answer for a ticket whose slot was reused is ignored");
	ratelimit_pause(&rl, 4000);
	is_int(ratelimit_wait(&rl, 1200), 2800, "a 429 pauses every call until Retry-After");
	ratelimit_pause(&rl, 3000);
	is_int(ratelimit_wait(&rl, 1200), 2800, "a shorter pause does not shorten it");
	is_int(ratelimit_wait(&rl, 4000), 0, "after the pause, calls start again");
	ratelimit_done(&rl, 99, 10);
	ok(1, "an answer for a ticket never given is ignored");
	ratelimit_free(&rl);

	ok(ratelimit_init(&rl, 0, 0) == 0 && rl.n == 1 && rl.window_ms == 60000,
	    "n < 1 is taken as 1, a window <= 0 as a minute");
	ratelimit_free(&rl);

	/* 3 per second, calls of 50 ms: starts at 0,0,0, 1050,1050,1050, ... */
	schedule(3, 1000, 50, 9, starts);
	is_int(starts[2], 0, "schedule: three calls start at once");
	is_int(starts[3], 1050, "schedule: the 4th a window after the 1st answered");
	is_int(starts[6], 2100, "schedule: the 7th a window after the 4th answered");
	/* However late the server sees a call (up to the answer), no window
	 * holds more than n of them. */
	for (i = 0; i < 9; i++)
		arrivals[i] = starts[i] + 50;
	is_int(max_in_window(arrivals, 9, 1000), 3,
	    "arrivals as late as the answer: at most 3 in any window");
	for (i = 0; i < 9; i++)
		arrivals[i] = starts[i];
	is_int(max_in_window(arrivals, 9, 1000), 3,
	    "arrivals at the start: at most 3 in any window");

	/* 300 a minute, 200 ms calls, 40 calls: all start within the first minute. */
	schedule(300, 60000, 200, 40, starts);
	is_int(starts[39], 0, "under the limit nothing waits");
	return tap_done();
}
