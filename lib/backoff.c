/*
 * backoff: the retry schedule and the verdict on an HTTP status (see
 * backoff.h).  Pure arithmetic: no I/O, no clock, no global state; the
 * caller brings the random number, so a schedule is a table in a test.
 *
 * Nothing here fails.  Arguments outside their range are pulled into it
 * (attempt < 1 counts as 1, a negative minimum as 0, a maximum below the
 * minimum as the minimum, rnd outside [0, 1] or NaN to the nearest end)
 * rather than trusted, so that a bad caller gets a sane delay, never an
 * overflow or a negative sleep.
 */
#include "backoff.h"

/*
 * The server's Retry-After is obeyed even beyond max_ms, since asking again
 * sooner only earns another 429; but a value over an hour is taken for a
 * broken header, not a real request to go quiet for days.
 */
#define BACKOFF_RETRY_AFTER_MAX_S	3600L

long
backoff_delay_ms(int attempt, long min_ms, long max_ms, double rnd)
{
	long d, half, r;
	int i;

	if (min_ms < 0)
		min_ms = 0;
	if (max_ms < min_ms)
		max_ms = min_ms;
	if (!(rnd >= 0.0))	/* also catches NaN */
		rnd = 0.0;
	if (rnd > 1.0)
		rnd = 1.0;

	/*
	 * min * 2^(attempt-1), doubling step by step: once d passes half of
	 * max the next doubling would reach max (or overflow), so stop there.
	 * That bounds the loop by ~63 steps whatever attempt is.
	 */
	d = min_ms;
	for (i = 1; i < attempt && d > 0 && d < max_ms; i++) {
		if (d > max_ms / 2) {
			d = max_ms;
			break;
		}
		d *= 2;
	}
	if (d > max_ms)
		d = max_ms;

	/*
	 * Equal jitter: half fixed so the delay still grows, half random so
	 * that events failing together do not retry together.  rnd <= 1 keeps
	 * the product within d - half, so the sum cannot overflow.
	 */
	half = d / 2;
	r = half + (long)(rnd * (double)(d - half));
	if (r > d)		/* rounding of a huge d through double */
		r = d;
	if (r < min_ms)
		r = min_ms;
	if (r > max_ms)
		r = max_ms;
	return r;
}

long
backoff_next_ms(int attempt, long min_ms, long max_ms, double rnd,
    long retry_after_s)
{
	long d, ra;

	d = backoff_delay_ms(attempt, min_ms, max_ms, rnd);
	if (retry_after_s <= 0)
		return d;
	if (retry_after_s > BACKOFF_RETRY_AFTER_MAX_S)
		retry_after_s = BACKOFF_RETRY_AFTER_MAX_S;
	ra = retry_after_s * 1000;
	return ra > d ? ra : d;
}

enum backoff_class
backoff_classify(int http_status)
{
	if (http_status >= 200 && http_status <= 299)
		return BACKOFF_OK;
	if (http_status == 401)
		return BACKOFF_REAUTH;
	/*
	 * No answer at all (0) may never have reached Genesys, and 408, 429
	 * and 5xx say "not now"; everything else (3xx included: the API does
	 * not redirect, so one means a wrong base URL) will not get better by
	 * asking again.
	 */
	if (http_status == 0 || http_status == 408 || http_status == 429 ||
	    (http_status >= 500 && http_status <= 599))
		return BACKOFF_TEMP;
	return BACKOFF_PERM;
}
