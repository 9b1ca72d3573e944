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
	if (rl->paused_until > at)
		at = rl->paused_until;
	return at <= now ? 0 : at - now;
}

unsigned long long
ratelimit_start(struct ratelimit *rl, long long now)
{
	(void)now;
	rl->ring[rl->seq % (unsigned long)rl->n] = RL_BUSY;
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
	if (*slot == RL_BUSY)
		*slot = now;
}

void
ratelimit_pause(struct ratelimit *rl, long long until)
{
	if (until > rl->paused_until)
		rl->paused_until = until;
}
