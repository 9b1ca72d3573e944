/*
 * retry: see retry.h.  Nothing here fails.
 */
#include <stdio.h>

#include "retry.h"

enum retry_verdict
retry_decide(int attempts, int max_attempts, long long age_ms,
    long max_age_s)
{
	if (attempts >= max_attempts)
		return RETRY_GIVE_UP_ATTEMPTS;
	if (age_ms >= (long long)max_age_s * 1000)
		return RETRY_GIVE_UP_AGE;
	return RETRY_DEFER;
}

void
retry_reason(enum retry_verdict v, int attempts, long max_age_s,
    const char *last_error, char *buf, size_t bufsz)
{
	const char *e = last_error != NULL && last_error[0] != '\0' ?
	    last_error : "unknown error";

	switch (v) {
	case RETRY_GIVE_UP_ATTEMPTS:
		snprintf(buf, bufsz, "gave up after %d attempt%s: %s",
		    attempts, attempts == 1 ? "" : "s", e);
		break;
	case RETRY_GIVE_UP_AGE:
		snprintf(buf, bufsz, "older than max_age_s (%ld s) after %d "
		    "attempt%s: %s", max_age_s, attempts,
		    attempts == 1 ? "" : "s", e);
		break;
	default:
		snprintf(buf, bufsz, "%s", e);
		break;
	}
}
