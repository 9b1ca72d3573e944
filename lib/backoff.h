/*
 * backoff: when to try a failed call again, and whether to.  Pure
 * functions, tested as tables.
 *
 * The delay after the n-th failed attempt (n >= 1) is min * 2^(n-1),
 * capped at max, with "equal jitter": half of it fixed, half random, and
 * never below min.  A server's Retry-After wins when it asks for longer.
 */
#ifndef ROUTEHOOK_BACKOFF_H
#define ROUTEHOOK_BACKOFF_H

enum backoff_class {
	BACKOFF_OK,		/* 2xx: applied */
	BACKOFF_TEMP,		/* 429, 5xx, 408, transport failure: retry */
	BACKOFF_PERM,		/* other 4xx: dead letter */
	BACKOFF_REAUTH		/* 401: fetch a token once, then retry */
};

/* rnd in [0, 1); http_status 0 means no answer (timeout, refused, reset). */
long	 backoff_delay_ms(int attempt, long min_ms, long max_ms, double rnd);
long	 backoff_next_ms(int attempt, long min_ms, long max_ms, double rnd,
	    long retry_after_s);
enum backoff_class	 backoff_classify(int http_status);

#endif
