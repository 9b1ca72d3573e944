/*
 * ratelimit: a client-side sliding window of genesys.requests_per_minute
 * calls, and the pause a 429 imposes on every call (the limit is per
 * token, not per user).  Pure: the caller brings the clock (monotonic
 * milliseconds), so every schedule is a table in a test.
 *
 * A ring remembers the last N calls.  A call may start when the call N
 * before it ended at least a window ago: its end, not its start, since the
 * server counts a request when it arrives, which is after we started it
 * and before we saw the answer.  Counting from the end is therefore never
 * too early, however long the network took, and a call still in flight
 * holds its slot.  Calls that never reached the server count as well: a
 * client cannot know which ones did.
 *
 * Beside that window, the budget Genesys reports: every answer carries
 * inin-ratelimit-allowed, -count and -reset (the calls the token may make
 * in the server's window, those counted so far, the seconds until it
 * resets).  From the last answer, allowed - count - (calls in flight) is
 * the credit: how many more calls may start before another answer says
 * more.  Each start spends one; with none left, nothing starts until an
 * answer brings news, or, with nothing in flight, until the reset, when
 * one call goes to find out what the reset gave back (a window that
 * slides frees one call at a time).  Within one window an answer can only
 * lower the credit: an answer that overtook another may report an older
 * count.  So an org allowing fewer calls than requests_per_minute, and
 * other clients spending the same token's budget, cost no 429, whatever
 * the length of the server's window; without the headers nothing changes.
 * A 429's Retry-After still wins (ratelimit_pause).
 */
#ifndef ROUTEHOOK_RATELIMIT_H
#define ROUTEHOOK_RATELIMIT_H

#include <limits.h>

#define RATELIMIT_WINDOW_MS	60000LL
#define RATELIMIT_NO_CREDIT	LONG_MAX

struct ratelimit {
	long long		*ring;		/* end times; see ratelimit.c */
	long			 n;		/* calls allowed per window */
	long			 busy;		/* calls in flight */
	long			 credit;	/* see above; RATELIMIT_NO_CREDIT:
						   no headers seen */
	long long		 reset_at;	/* the server's window resets */
	long long		 window_ms;
	unsigned long long	 seq;		/* the next call's ticket */
	long long		 paused_until;	/* no call before; 0: none */
};

/* n calls per window_ms; -1 when memory runs out. */
int	 ratelimit_init(struct ratelimit *rl, long n, long long window_ms);
void	 ratelimit_free(struct ratelimit *rl);

/*
 * 0 when a call may start at now, else how many milliseconds to wait; -1
 * when the slot is held by a call still in flight (wait for an answer).
 */
long long	 ratelimit_wait(const struct ratelimit *rl, long long now);

/* A call starts now: its ticket, to give back to ratelimit_done(). */
unsigned long long	 ratelimit_start(struct ratelimit *rl, long long now);
void	 ratelimit_done(struct ratelimit *rl, unsigned long long ticket,
	    long long now);

/* Nothing starts before until (a 429's Retry-After); a shorter one is kept. */
void	 ratelimit_pause(struct ratelimit *rl, long long until);

/*
 * An answer at now reported allowed, count and reset_s (-1 for a header
 * that was absent; then it is ignored): pace by it, as above.  Call after
 * ratelimit_done() for that answer's ticket.
 */
void	 ratelimit_observe(struct ratelimit *rl, long allowed, long count,
	    long reset_s, long long now);

#endif
