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
 */
#ifndef ROUTEHOOK_RATELIMIT_H
#define ROUTEHOOK_RATELIMIT_H

#define RATELIMIT_WINDOW_MS	60000LL

struct ratelimit {
	long long		*ring;		/* end times; see ratelimit.c */
	long			 n;		/* calls allowed per window */
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

#endif
