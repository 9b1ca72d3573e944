#!/bin/sh
# worker-429.t: a 429's Retry-After pauses every call, not only the one
# that got it (the limit is the token's); a storm against a server limit
# far below requests_per_minute is paced by the inin-ratelimit-* headers:
# everything applied, no 429; and a burst costs one call per user under
# the client-side requests_per_minute, with no 429 at all.
. "$(dirname "$0")/../lib.sh"

start_standin --rate-limit 10 --rate-window 2
worker_config "concurrency = 4;" "requests_per_minute = 1000;" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

# --- Retry-After pauses every call ------------------------------------------
control POST faults '{"agent-1": [{"status": 429, "retry_after": 2}]}' >/dev/null
send "$(status_event agent-1 available)" && id1=$SENT_ID
assert "the 429 defers the event" wait_for 10 audit_has "$id1" deferred
send "$(status_event agent-2 available)"
assert "both events applied in the end" wait_for 15 audit_count_is applied 2
# calls_after_429: "N ALL": how many API calls came after the 429, and
# whether all of them came 1.9 s or more after it.
calls_after_429() {
	journal '(.[] | select(.status == 429) | .time) as $t
	    | [.[] | select((.path | startswith("/api/")) and .time > $t)
	    | .time - $t >= 1.9] | "\(length) \(all)"'
}
is "$(calls_after_429)" "2 true" \
    "no call at all, for any user, until Retry-After (2 s) had passed"
# deferred_for_ms ID: the next_attempt of ID's deferred line, in ms after it.
deferred_for_ms() {
	audit_of "$1" '\(select(.outcome == "deferred")
	    | [.next_attempt, .timestamp]
	    | map((.[0:19] + "Z" | fromdate) * 1000 + (.[20:23] | tonumber))
	    | .[0] - .[1])'
}
assert "the deferred line's next_attempt is at least Retry-After later" \
    test "$(deferred_for_ms "$id1")" -ge 2000

# --- a storm against the server's limit (10 per 2 s) ---------------------
status_burst "$T/storm" 40 storm offline
assert "40 more events accepted" send_many "$T/storm"
assert "all 40 applied in the end" wait_for 50 audit_count_is applied 40 storm-
is "$(journal '[.[] | select(.status == 429 and (.user // "" | startswith("storm-")))] | length')" 0 \
    "the headers said what was left of the server's 10 per 2 s: no 429, though requests_per_minute is 1000"
is "$(audit_count dead)" 0 "no event died of 429s"
stop_pid "$WORKER_PID"
is "$(spool_total)" 0 "nothing left in the spool"

# --- a burst under the client-side limit: one call per user, no 429 -------
stop_standin
STANDIN_PORT=
start_standin --rate-limit 12 --rate-window 60
worker_config "concurrency = 4;" "requests_per_minute = 12;" 'sla = { threshold_ms = 600000; };'
rm -rf "$T/burst"
mkdir "$T/burst"
for k in 1 2 3; do
	i=0
	while [ $i -lt 12 ]; do
		status_event "burst-$i" available "2026-01-01T10:00:0${k}Z" >"$T/burst/$k-$(printf %03d $i)"
		i=$((i + 1))
	done
done
assert "a burst of 36 events for 12 users accepted" send_many "$T/burst"
run_worker
is "$?" 0 "--once exits 0"
is "$(journal '[.[] | select(.user // "" | startswith("burst-")) | .status]
    | "\(length) \(map(select(. == 429)) | length)"')" "12 0" "12 calls, zero 429s"
is "$(audit_tally burst-)" "applied:12 superseded:24" \
    "the newest per user applied, the rest superseded"

done_testing
