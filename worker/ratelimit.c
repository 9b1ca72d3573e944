/*
 * ratelimit: see ratelimit.h.
 *
 * ring[t % n] holds, for the call with ticket t, RL_FREE (never used),
 * RL_BUSY (in flight) or the time it ended.  Ticket t + n may start once
 * ring[t % n] + window <= now.  Nothing here fails after init.
 */
#include <limits.h>
#include <stdlib.h>

#include "ratelimit.h"

#define RL_FREE	LLONG_MIN
#define RL_BUSY	LLONG_MAX

int
ratelimit_init(struct ratelimit *rl, long n, long long window_ms)
{
	long i;

	if (n < 1)
		n = 1;
	rl->n = n;
	rl->busy = 0;
	rl->credit = RATELIMIT_NO_CREDIT;
	rl->reset_at = 0;
	rl->window_ms = window_ms > 0 ? window_ms : RATELIMIT_WINDOW_MS;
	rl->seq = 0;
	rl->paused_until = 0;
	if ((rl->ring = calloc((size_t)n, sizeof(*rl->ring))) == NULL)
		return -1;
	for (i = 0; i < n; i++)
		rl->ring[i] = RL_FREE;
	return 0;
}

void
ratelimit_free(struct ratelimit *rl)
{
	free(rl->ring);
	rl->ring = NULL;
}

long long
ratelimit_wait(const struct ratelimit *rl, long long now)
{
	long long end, at;

	end = rl->ring[rl->seq % (unsigned long)rl->n];
	if (end == RL_BUSY)
		return -1;
	at = end == RL_FREE ? now : end + rl->window_ms;
	if (rl->credit <= 0) {
		if (rl->busy > 0)
			return -1;	/* an answer will say more */
		if (rl->reset_at > at)
			at = rl->reset_at;
	}
	if (rl->paused_until > at)
		at = rl->paused_until;
	return at <= now ? 0 : at - now;
}

unsigned long long
ratelimit_start(struct ratelimit *rl, long long now)
{
	(void)now;
	rl->ring[rl->seq % (unsigned long)rl->n] = RL_BUSY;
	rl->busy++;
	if (rl->credit != RATELIMIT_NO_CREDIT)
		rl->credit--;
	return rl->seq++;
}

void
ratelimit_done(struct ratelimit *rl, unsigned long long ticket, long long now)
{
	long long *slot;

	/* A ticket older than the ring was already overwritten: ignore it. */
	if (ticket >= rl->seq || rl->seq - ticket > (unsigned long)rl->n)
		return;
	slot = &rl->ring[ticket % (unsigned long)rl->n];
	if (*slot == RL_BUSY) {
		*slot = now;
		rl->busy--;
	}
}

void
ratelimit_pause(struct ratelimit *rl, long long until)
{
	if (until > rl->paused_until)
		rl->paused_until = until;
}

void
ratelimit_observe(struct ratelimit *rl, long allowed, long count,
    long reset_s, long long now)
{
	long credit;

	if (allowed <= 0 || count < 0 || reset_s < 0)
		return;
	/*
	 * The calls in flight may not have been counted yet: take them as
	 * spent, so they never overdraw the budget.
	 */
	credit = allowed - count - rl->busy;
	if (rl->credit == RATELIMIT_NO_CREDIT || now >= rl->reset_at ||
	    credit < rl->credit) {
		rl->credit = credit;
		/* A second past the reset: the header is whole seconds. */
		rl->reset_at = now + (reset_s + 1) * 1000LL;
	}
}
