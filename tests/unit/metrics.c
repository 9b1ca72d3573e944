/*
 * metrics unit test: the metrics_file object is valid JSON with every
 * counter, and a buffer too small is refused.  Fails (exit 1, "not ok"
 * lines) when it differs.
 */
#include <string.h>

#include "../../worker/metrics.h"
#include "tap.h"

int
main(void)
{
	struct worker_stats s;
	char buf[1024];
	int n;

	memset(&s, 0, sizeof(s));
	s.claimed = 10;
	s.applied = 6;
	s.superseded = 2;
	s.deferred = 1;
	s.dead = 1;
	s.putback = 3;
	s.calls = 8;
	s.answered = 7;
	n = metrics_format(&s, "daemon", 42, 1767225600, 1767225660, buf,
	    sizeof(buf));
	is_str(buf, "{\"pid\":42,\"mode\":\"daemon\","
	    "\"started\":\"2026-01-01T00:00:00Z\","
	    "\"updated\":\"2026-01-01T00:01:00Z\",\"claimed\":10,\"applied\":6,"
	    "\"superseded\":2,\"deferred\":1,\"dead\":1,\"putback\":3,"
	    "\"calls\":8,\"answered\":7}\n", "every counter, times in UTC");
	is_int(n, (int)strlen(buf), "the length returned is the line's");
	is_int(metrics_format(&s, "once", 1, 0, 0, buf, 40), -1,
	    "a buffer too small: -1");
	return tap_done();
}
