/*
 * retry unit test: give up or defer, and the dead letter's reason, as a
 * table.  Fails (exit 1, "not ok" lines) when any entry differs.
 */
#include "../../worker/retry.h"
#include "tap.h"

static const struct {
	int			 attempts, max;
	long long		 age_ms;
	long			 max_age_s;
	enum retry_verdict	 want;
} table[] = {
	{ 1, 10, 0, 86400, RETRY_DEFER },
	{ 9, 10, 1000, 86400, RETRY_DEFER },
	{ 10, 10, 1000, 86400, RETRY_GIVE_UP_ATTEMPTS },
	{ 11, 10, 1000, 86400, RETRY_GIVE_UP_ATTEMPTS },
	{ 1, 1, 0, 86400, RETRY_GIVE_UP_ATTEMPTS },	/* max_attempts 1: no retry */
	{ 2, 10, 86399999, 86400, RETRY_DEFER },
	{ 2, 10, 86400000, 86400, RETRY_GIVE_UP_AGE },
	{ 10, 10, 86400000, 86400, RETRY_GIVE_UP_ATTEMPTS },	/* attempts first */
};

int
main(void)
{
	char buf[256];
	size_t i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		is_int(retry_decide(table[i].attempts, table[i].max,
		    table[i].age_ms, table[i].max_age_s), table[i].want,
		    "attempt %d of %d, %lld ms old, max_age_s %ld",
		    table[i].attempts, table[i].max, table[i].age_ms,
		    table[i].max_age_s);
	retry_reason(RETRY_GIVE_UP_ATTEMPTS, 10, 86400, "HTTP 503", buf,
	    sizeof(buf));
	is_str(buf, "gave up after 10 attempts: HTTP 503", "reason: attempts");
	retry_reason(RETRY_GIVE_UP_ATTEMPTS, 1, 86400, "no answer: x", buf,
	    sizeof(buf));
	is_str(buf, "gave up after 1 attempt: no answer: x", "reason: one attempt");
	retry_reason(RETRY_GIVE_UP_AGE, 3, 60, "HTTP 502", buf, sizeof(buf));
	is_str(buf, "older than max_age_s (60 s) after 3 attempts: HTTP 502",
	    "reason: age");
	retry_reason(RETRY_GIVE_UP_AGE, 3, 60, NULL, buf, sizeof(buf));
	is_str(buf, "older than max_age_s (60 s) after 3 attempts: unknown error",
	    "reason: no last error");
	retry_reason(RETRY_GIVE_UP_ATTEMPTS, 10, 60, "HTTP 503", buf, 12);
	is_str(buf, "gave up aft", "reason: truncated to the buffer");
	return tap_done();
}
