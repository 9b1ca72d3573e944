/*
 * retry: what becomes of an event whose call failed for a reason that may
 * pass (backoff_classify() said BACKOFF_TEMP).  Pure: tested as a table.
 *
 * attempts is the number of calls made for the event, this one included
 * (kept in SPOOL/state/attempts/<ID>).  The event gives up when that
 * reaches worker.max_attempts, or when it has been waiting longer than
 * worker.max_age_s since its receipt; otherwise it is deferred.
 */
#ifndef ROUTEHOOK_RETRY_H
#define ROUTEHOOK_RETRY_H

#include <stddef.h>

enum retry_verdict {
	RETRY_DEFER,
	RETRY_GIVE_UP_ATTEMPTS,
	RETRY_GIVE_UP_AGE
};

enum retry_verdict	 retry_decide(int attempts, int max_attempts,
			    long long age_ms, long max_age_s);

/*
 * The dead letter's reason: "gave up after N attempts: <last error>" or
 * "older than max_age_s (S s) after N attempts: <last error>".
 */
void	 retry_reason(enum retry_verdict v, int attempts, long max_age_s,
	    const char *last_error, char *buf, size_t bufsz);

#endif
