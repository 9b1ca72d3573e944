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
wait_for 10 sh -c "grep -q '\"event_id\":\"$id1\".*\"outcome\":\"deferred\"' '$T/audit.jsonl'"
ok $? "the 429 defers the event"
send "$(status_event agent-2 available)"
wait_for 15 sh -c "[ \$(grep -c '\"outcome\":\"applied\"' '$T/audit.jsonl') -ge 2 ]"
ok $? "both events applied in the end"
t429=$(journal '.[] | select(.status == 429) | .time')
is "$(journal "[.[] | select(.path | startswith(\"/api/\")) | select(.time > $t429) | .time - $t429 >= 1.9] | [length, all] | map(tostring) | join(\" \")")" \
    "2 true" "no call at all, for any user, until Retry-After (2 s) had passed"
ms='def ms: (.[0:19] + "Z" | fromdate) * 1000 + (.[20:23] | tonumber);'
is "$(audit_jq "$ms .[] | select(.event_id == \"$id1\" and .outcome == \"deferred\") | (.next_attempt | ms) - (.timestamp | ms) >= 2000")" \
    true "the deferred line's next_attempt is at least Retry-After later"

# --- a storm against the server's limit (10 per 2 s) ---------------------
mkdir "$T/storm"
i=0
while [ $i -lt 40 ]; do
	status_event "storm-$i" offline >"$T/storm/$(printf %03d $i)"
	i=$((i + 1))
done
send_many "$T/storm"
ok $? "40 more events accepted"
wait_for 50 sh -c "[ \$(jq -s '[.[] | select(.outcome == \"applied\" and (.payload_summary.userId | startswith(\"storm-\")))] | length' '$T/audit.jsonl') -eq 40 ]"
ok $? "all 40 applied in the end"
is "$(journal '[.[] | select(.status == 429 and (.user // "" | startswith("storm-")))] | length')" 0 \
    "the headers said what was left of the server's 10 per 2 s: no 429, though requests_per_minute is 1000"
is "$(audit_jq '[.[] | select(.outcome == "dead")] | length')" 0 "no event died of 429s"
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
send_many "$T/burst"
ok $? "a burst of 36 events for 12 users accepted"
run_worker
is "$?" 0 "--once exits 0"
is "$(journal '[.[] | select(.user // "" | startswith("burst-")) | .status] | "\(length) \(map(select(. == 429)) | length)"')" \
    "12 0" "12 calls, zero 429s"
is "$(audit_jq '[.[] | select(.payload_summary.userId | startswith("burst-")) | .outcome] | group_by(.) | map("\(.[0]) \(length)") | join(", ")')" \
    "applied 12, superseded 24" "the newest per user applied, the rest superseded"

done_testing
