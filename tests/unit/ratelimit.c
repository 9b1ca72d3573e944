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

/*
 * A server with a sliding window of allowed calls a minute, which another
 * client of the same token used `others` times at 0, and ours: up to 8
 * calls in flight, each answered dur ms after it started, the server
 * counting it when it starts.  Returns the 429s ours received for
 * `calls` calls; *end is when the last one answered.  With observe set,
 * every answer's headers go to ratelimit_observe().
 */
#define SIM_MAX		512
#define SIM_WINDOW	60000LL
static int
simulate(long n, long allowed, int others, int calls, long long dur,
    int observe, long long *end)
{
	struct ratelimit rl;
	long long arrivals[SIM_MAX + 64], fly_end[8], now = 0, w, next;
	unsigned long long fly_ticket[8];
	int fly[8], narr = 0, nfly = 0, done = 0, started = 0, r429 = 0;
	int i, j, count;

	for (i = 0; i < others; i++)
		arrivals[narr++] = 0;
	ratelimit_init(&rl, n, SIM_WINDOW);
	while (done < calls) {
		/* Answers due by now, in order. */
		for (i = 0; i < nfly; i++) {
			if (fly_end[i] > now)
				continue;
			ratelimit_done(&rl, fly_ticket[i], fly_end[i]);
			if (fly[i] == 429) {
				ratelimit_pause(&rl, fly_end[i] + 1000);
			} else {
				done++;
			}
			if (observe) {
				count = 0;
				next = -1;
				for (j = 0; j < narr; j++)
					if (arrivals[j] > fly_end[i] - SIM_WINDOW) {
						count++;
						if (next == -1)
							next = arrivals[j];
					}
				ratelimit_observe(&rl, allowed, count,
				    next == -1 ? 60 : (next + SIM_WINDOW -
				    fly_end[i] + 999) / 1000, fly_end[i]);
			}
			fly[i] = fly[nfly - 1];
			fly_end[i] = fly_end[nfly - 1];
			fly_ticket[i] = fly_ticket[nfly - 1];
			nfly--;
			i--;
		}
		/* Start what may start now. */
		while (started < calls && nfly < 8 &&
		    (w = ratelimit_wait(&rl, now)) == 0) {
			count = 0;
			for (j = 0; j < narr; j++)
				if (arrivals[j] > now - SIM_WINDOW)
					count++;
			fly_ticket[nfly] = ratelimit_start(&rl, now);
			fly_end[nfly] = now + dur;
			if (count >= allowed) {
				fly[nfly++] = 429;	/* refused, not counted */
				r429++;
			} else {
				arrivals[narr++] = now;
				fly[nfly++] = 200;
				started++;
			}
		}
		/* The next moment anything can happen. */
		next = -1;
		for (i = 0; i < nfly; i++)
			if (next == -1 || fly_end[i] < next)
				next = fly_end[i];
		w = ratelimit_wait(&rl, now);
		if (started < calls && nfly < 8 && w > 0 &&
		    (next == -1 || now + w < next))
			next = now + w;
		if (next == -1 || next <= now)
			next = now + 1;
		now = next;
		if (r429 > calls)
			break;
	}
	*end = now;
	ratelimit_free(&rl);
	return r429;
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

	/* What the headers say. */
	ok(ratelimit_init(&rl, 300, 60000) == 0, "init 300 per minute");
	t0 = ratelimit_start(&rl, 0);
	t1 = ratelimit_start(&rl, 0);
	ratelimit_done(&rl, t0, 100);
	ratelimit_observe(&rl, 300, 297, 20, 100);
	is_int(rl.credit, 2, "297 of 300 counted, 1 in flight: 2 more may start");
	t2 = ratelimit_start(&rl, 100);
	is_int(ratelimit_wait(&rl, 100), 0, "... the 1st");
	t3 = ratelimit_start(&rl, 100);
	is_int(ratelimit_wait(&rl, 100), -1,
	    "... then nothing until an answer (-1)");
	ratelimit_done(&rl, t1, 200);
	ratelimit_observe(&rl, 300, 290, 20, 200);
	is_int(rl.credit, 0,
	    "an answer that overtook another cannot raise the credit");
	ratelimit_done(&rl, t2, 300);
	ratelimit_done(&rl, t3, 300);
	ratelimit_observe(&rl, 300, 300, 19, 300);
	is_int(ratelimit_wait(&rl, 300), 100 + 20000 + 1000 - 300,
	    "none left, none in flight: nothing until the reset and a second");
	is_int(ratelimit_wait(&rl, 21100), 0, "at the reset a call may start");
	t0 = ratelimit_start(&rl, 21100);
	is_int(ratelimit_wait(&rl, 21100), -1,
	    "... alone, until its answer");
	ratelimit_done(&rl, t0, 21200);
	ratelimit_observe(&rl, 300, 1, 60, 21200);
	is_int(rl.credit, 299, "its answer says the window is new: 299 left");
	ratelimit_start(&rl, 21200);
	is_int(ratelimit_wait(&rl, 21200), 0, "... and calls go on, several at once");
	ratelimit_free(&rl);

	ok(ratelimit_init(&rl, 300, 60000) == 0, "init 300 per minute");
	ratelimit_observe(&rl, -1, -1, -1, 0);
	ratelimit_observe(&rl, 300, 300, -1, 0);
	is_int(rl.credit, RATELIMIT_NO_CREDIT, "no or partial headers: ignored");
	t0 = ratelimit_start(&rl, 0);
	is_int(ratelimit_wait(&rl, 0), 0, "... and nothing held");
	ratelimit_free(&rl);

	{
		long long end_blind, end_paced;
		int blind, paced;

		/* The org allows 100 a minute, not 300, and another client
		 * of the token spent 60 of them. */
		blind = simulate(300, 100, 60, 200, 100, 0, &end_blind);
		paced = simulate(300, 100, 60, 200, 100, 1, &end_paced);
		ok(blind > 0, "paced by requests_per_minute alone: %d 429s", blind);
		is_int(paced, 0, "paced by the headers as well: no 429");
		ok(end_paced <= 180000 + 5000,
		    "... and 200 calls on a 100/min budget (40 spent) done in "
		    "%lld ms, about 3 windows", end_paced);
	}
	return tap_done();
}
