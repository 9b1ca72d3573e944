#!/bin/sh
# responder-health.t: GET .../health reports the spool's counts and the
# age of the oldest waiting event as JSON, answers HEAD without a body,
# and GET .../metrics says the same in Prometheus text.  (The unhealthy
# answer is in responder-readonly.t.)
. "$(dirname "$0")/../lib.sh"

write_config
start_responder
start_nginx

health() {
	curl -s -D "$T/headers" -o "$T/health" -w '%{http_code}' "$@" \
	    "$NGINX_URL/routehook/health"
}
field() { json_field "$T/health" "$1"; }

code=$(health)
is "$code" 200 "health: 200 on an empty spool"
assert "... as application/json" \
    grep -qi '^content-type: application/json' "$T/headers"
is "$(field status)" healthy '... "status":"healthy"'
ts=$(field timestamp)
echo "$ts" | grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
ok $? "... an ISO 8601 UTC timestamp ($ts)"
skew=$(python3 -c 'import datetime, sys, time
t = datetime.datetime.strptime(sys.argv[1], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
print(abs(int(t.timestamp() - time.time())))' "$ts")
assert "... that is now (off by ${skew}s)" test "$skew" -le 60
is "$(field spool.new) $(field spool.deferred) $(field spool.dead) $(field spool.oldest_new_age_s)" \
    "0 0 0 0" "... new, deferred, dead and oldest age all 0"

# Two events through the front door; older ones placed by hand, named as
# the spool names them, with the receipt time in the name.
printf '{"userId":"u-1","status":"available"}' >"$T/ev.json"
is "$(post "$T/ev.json")" 202 "an event is accepted"
id=$(json_field "$T/response" id)
is "$(post "$T/ev.json")" 202 "and another"
now=$(date +%s)
rest=${id#*.}		# M<usec>P<pid>Q<seq>.<host>
for n in 1 2 3; do
	echo '{}' >"$T/spool/deferred/$((now - 10)).${rest%%Q*}Q90$n.${rest#*.}"
done
echo '{}' >"$T/spool/dead/$((now - 5000)).${rest%%Q*}Q911.${rest#*.}"
echo '{}' >"$T/spool/new/$((now - 100)).${rest%%Q*}Q921.${rest#*.}"

code=$(health)
is "$code" 200 "health: 200 with events waiting"
is "$(field spool.new)" 3 '... "new":3'
is "$(field spool.deferred)" 3 '... "deferred":3'
is "$(field spool.dead)" 1 '... "dead":1'
age=$(field spool.oldest_new_age_s)
[ "$age" -ge 100 ] && [ "$age" -lt 160 ]
ok $? "... oldest_new_age_s is the oldest event's age ($age, want 100 to 160)"

code=$(health -I)
is "$code" 200 "HEAD health: 200"
refute "... without a body (curl -I writes only the headers)" \
    grep -q '{' "$T/health"
code=$(curl -s -o "$T/health" -w '%{http_code}' "$NGINX_URL/routehook/health?from=probe")
is "$code" 200 "health with a query string: 200"
is "$(field status)" healthy "... the health answer"
code=$(curl -s -o /dev/null -w '%{http_code}' "$NGINX_URL/routehook/health/")
is "$code" 405 "health/ with a trailing slash is not health: 405"

code=$(curl -s -D "$T/headers" -o "$T/metrics" -w '%{http_code}' "$NGINX_URL/routehook/metrics")
is "$code" 200 "metrics: 200"
assert "... text/plain; version=0.0.4" \
    grep -qi '^content-type: text/plain; version=0.0.4' "$T/headers"
grep -qx '# TYPE routehook_requests_accepted_total counter' "$T/metrics" &&
    grep -qx '# TYPE routehook_requests_rejected_total counter' "$T/metrics" &&
    grep -qx '# TYPE routehook_spool_files gauge' "$T/metrics" &&
    grep -qx '# TYPE routehook_spool_oldest_age_seconds gauge' "$T/metrics"
ok $? "... with the # TYPE of each metric"
assert "... and a # HELP for each" \
    test "$(grep -c '^# HELP ' "$T/metrics")" -eq 4
assert "... 2 accepted" \
    grep -qx 'routehook_requests_accepted_total 2' "$T/metrics"
assert "... 1 refused for the method (health/)" \
    grep -qx 'routehook_requests_rejected_total{reason="method"} 1' "$T/metrics"
for d in new:3 cur:0 deferred:3 dead:1; do
	assert "... routehook_spool_files{dir=\"${d%:*}\"} ${d#*:}" \
	    grep -qx "routehook_spool_files{dir=\"${d%:*}\"} ${d#*:}" "$T/metrics"
done
age=$(sed -n 's/^routehook_spool_oldest_age_seconds{dir="new"} //p' "$T/metrics")
[ "$age" -ge 100 ] && [ "$age" -lt 160 ]
ok $? "... routehook_spool_oldest_age_seconds{dir=\"new\"} $age"
# Every sample line is "name{labels} value" or "name value".
! grep -v '^#' "$T/metrics" | grep -Evq '^[a-z_]+(\{[a-z]+="[a-z_]+"\})? [0-9]+$'
ok $? "... and every sample is well formed"

done_testing
