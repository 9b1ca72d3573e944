/*
 * backoff unit test: the retry schedule and the status verdicts as tables.
 * Fails (exit 1, "not ok" lines) when any entry differs.
 */
#include <limits.h>
#include <math.h>

#include "backoff.h"
#include "tap.h"

#define MIN	1000L
#define MAX	300000L
#define RND1	0.999999	/* the largest rnd a caller realistically has */

/* min=1000, max=300000: attempt n -> delay at rnd 0 and at rnd ~1. */
static const struct {
	int	 n;
	long	 lo, hi;
} schedule[] = {
	{ 1,	1000,	1000 },		/* d/2 = 500 is raised to min */
	{ 2,	1000,	1999 },
	{ 3,	2000,	3999 },
	{ 4,	4000,	7999 },
	{ 5,	8000,	15999 },
	{ 6,	16000,	31999 },
	{ 7,	32000,	63999 },
	{ 8,	64000,	127999 },
	{ 9,	128000,	255999 },
	{ 10,	150000,	299999 },	/* 512000 capped at max */
	{ 11,	150000,	299999 },
	{ 12,	150000,	299999 },
	{ 13,	150000,	299999 },
	{ 14,	150000,	299999 },
	{ 15,	150000,	299999 },
	{ 16,	150000,	299999 },
	{ 17,	150000,	299999 },
	{ 18,	150000,	299999 },
	{ 19,	150000,	299999 },
	{ 20,	150000,	299999 },
	{ 31,	150000,	299999 },
	{ 32,	150000,	299999 },
	{ 63,	150000,	299999 },
	{ 64,	150000,	299999 },	/* 2^63: would overflow a long */
	{ 65,	150000,	299999 },
	{ 1000,	150000,	299999 },
	{ INT_MAX, 150000, 299999 },
};

/* Out-of-range arguments are pulled into range, never trusted. */
static const struct {
	int	 n;
	long	 min, max;
	double	 rnd;
	long	 want;
	const char *why;
} clamp[] = {
	{ 0,	1000, 300000, 0.0,	1000,	"attempt 0 counts as 1" },
	{ -5,	1000, 300000, 0.0,	1000,	"negative attempt counts as 1" },
	{ 3,	1000, 300000, 1.0,	4000,	"rnd 1 gives the full delay" },
	{ 3,	1000, 300000, 5.0,	4000,	"rnd above 1 counts as 1" },
	{ 3,	1000, 300000, -3.0,	2000,	"negative rnd counts as 0" },
	{ 3,	1000, 300000, 0.5,	3000,	"rnd 0.5 is halfway" },
	{ 9,	1000, 300000, 1.0,	256000,	"below the cap, rnd 1" },
	{ 10,	1000, 300000, 1.0,	300000,	"at the cap, rnd 1 is max" },
	{ 5,	5000, 2000,   0.0,	5000,	"max below min: min wins" },
	{ 5,	5000, 2000,   0.9,	5000,	"max below min, rnd 0.9" },
	{ 5,	-100, 300000, 0.9,	0,	"negative min counts as 0" },
	{ 3,	0,    300000, 0.7,	0,	"min 0 stays 0, no endless doubling" },
	{ INT_MAX, 0, 300000, 0.7,	0,	"min 0, huge attempt" },
	{ 4,	7,    10,     0.0,	7,	"cap below d/2 keeps min" },
	{ 1,	3,    1000,   0.0,	3,	"odd d: d/2 rounds down, raised to min" },
	{ 1,	3,    1000,   1.0,	3,	"odd d, rnd 1: d/2 + the rest is d" },
	{ 3,	3,    1000,   0.0,	6,	"d=12 at rnd 0 is 6" },
	{ 1000,	1,    LONG_MAX, 0.0,	LONG_MAX / 2, "max LONG_MAX, rnd 0: no overflow" },
	{ 1000,	1,    LONG_MAX, 1.0,	LONG_MAX, "max LONG_MAX, rnd 1: no overflow" },
	{ 64,	LONG_MAX / 2, LONG_MAX, 1.0, LONG_MAX, "min near LONG_MAX/2 doubling" },
	{ 2,	LONG_MAX, LONG_MAX, 0.3, LONG_MAX, "min = max = LONG_MAX" },
};

/* Retry-After (seconds) against the backoff itself. */
static const struct {
	int	 n;
	double	 rnd;
	long	 ra;
	long	 want;
	const char *why;
} retry_after[] = {
	{ 1,	0.0,	0,	1000,	"no Retry-After: the backoff" },
	{ 1,	0.0,	-7,	1000,	"negative Retry-After is ignored" },
	{ 1,	0.0,	30,	30000,	"Retry-After longer than backoff wins" },
	{ 9,	0.0,	30,	128000,	"Retry-After shorter than backoff loses" },
	{ 9,	0.0,	128,	128000,	"Retry-After equal to backoff" },
	{ 10,	RND1,	600,	600000,	"Retry-After beyond max is obeyed" },
	{ 1,	0.0,	3600,	3600000, "one hour is obeyed" },
	{ 1,	0.0,	3601,	3600000, "beyond an hour is capped" },
	{ 1,	0.0,	LONG_MAX, 3600000, "LONG_MAX seconds: capped, no overflow" },
};

static const struct {
	int			 status;
	enum backoff_class	 want;
} classes[] = {
	{ 0,	BACKOFF_TEMP },
	{ 100,	BACKOFF_PERM },
	{ 199,	BACKOFF_PERM },
	{ 200,	BACKOFF_OK },
	{ 202,	BACKOFF_OK },
	{ 204,	BACKOFF_OK },
	{ 299,	BACKOFF_OK },
	{ 300,	BACKOFF_PERM },
	{ 301,	BACKOFF_PERM },
	{ 304,	BACKOFF_PERM },
	{ 400,	BACKOFF_PERM },
	{ 401,	BACKOFF_REAUTH },
	{ 403,	BACKOFF_PERM },
	{ 404,	BACKOFF_PERM },
	{ 405,	BACKOFF_PERM },
	{ 407,	BACKOFF_PERM },
	{ 408,	BACKOFF_TEMP },
	{ 409,	BACKOFF_PERM },
	{ 415,	BACKOFF_PERM },
	{ 428,	BACKOFF_PERM },
	{ 429,	BACKOFF_TEMP },
	{ 430,	BACKOFF_PERM },
	{ 499,	BACKOFF_PERM },
	{ 500,	BACKOFF_TEMP },
	{ 502,	BACKOFF_TEMP },
	{ 503,	BACKOFF_TEMP },
	{ 504,	BACKOFF_TEMP },
	{ 599,	BACKOFF_TEMP },
	{ 600,	BACKOFF_PERM },
	{ -1,	BACKOFF_PERM },
};

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

int
main(void)
{
	size_t i;
	long prev = 0, d;
	int n, grows = 1, inrange = 1;

	for (i = 0; i < NITEMS(schedule); i++) {
		is_int(backoff_delay_ms(schedule[i].n, MIN, MAX, 0.0),
		    schedule[i].lo, "attempt %d, rnd 0", schedule[i].n);
		is_int(backoff_delay_ms(schedule[i].n, MIN, MAX, RND1),
		    schedule[i].hi, "attempt %d, rnd ~1", schedule[i].n);
	}

	/* Never shrinks with the attempt, never leaves [min, max]. */
	for (n = 1; n <= 200; n++) {
		d = backoff_delay_ms(n, MIN, MAX, 0.5);
		if (d < prev)
			grows = 0;
		if (d < MIN || d > MAX)
			inrange = 0;
		prev = d;
	}
	ok(grows, "the delay never shrinks as attempts grow (rnd 0.5)");
	ok(inrange, "the delay stays within [min, max] (rnd 0.5)");

	ok(backoff_delay_ms(5, MIN, MAX, NAN) == 8000, "rnd NaN counts as 0");
	for (i = 0; i < NITEMS(clamp); i++)
		is_int(backoff_delay_ms(clamp[i].n, clamp[i].min, clamp[i].max,
		    clamp[i].rnd), clamp[i].want, "%s", clamp[i].why);

	for (i = 0; i < NITEMS(retry_after); i++)
		is_int(backoff_next_ms(retry_after[i].n, MIN, MAX,
		    retry_after[i].rnd, retry_after[i].ra), retry_after[i].want,
		    "%s", retry_after[i].why);

	for (i = 0; i < NITEMS(classes); i++)
		is_int(backoff_classify(classes[i].status), classes[i].want,
		    "classify %d", classes[i].status);

	return tap_done();
}
