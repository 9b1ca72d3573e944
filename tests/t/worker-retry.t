#!/bin/sh
# worker-retry.t: temporary failures (503, a dropped connection) defer the
# event with its next attempt as the file's mtime, `touch` makes it due,
# and it is applied in the end; max_attempts and max_age_s end in dead/;
# an expired token costs one 401 and one fresh token for the whole run.
. "$(dirname "$0")/../lib.sh"

start_standin
# A long backoff: a deferred event is not due again until touched.
worker_config "backoff_min_ms = 60000; backoff_max_ms = 120000; max_attempts = 3;" "" \
    'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

control POST faults '{"agent-1": [{"status": 503, "times": 2}], "agent-2": [{"status": 503, "times": 5}], "agent-3": [{"drop": true}]}' >/dev/null
send "$(status_event agent-1 available)" && id1=$SENT_ID &&
send "$(status_event agent-2 available)" && id2=$SENT_ID && cp "$T/send.json" "$T/agent-2.json" &&
send "$(status_event agent-3 offline)" && id3=$SENT_ID
ok $? "three events accepted"

run_worker
is "$?" 0 "--once exits 0 when events are deferred"
is "$(spool_files deferred)" 3 "all three wait in deferred/"
now=$(date +%s)
m=$(stat -c %Y "$T/spool/deferred/$id1")
assert "the deferred file's mtime is its next attempt, in the future (+$((m - now)) s)" \
    test "$m" -ge $((now + 25))
is "$(audit_of "$id1" '\(.outcome) \(.attempt) \(.http_status) \(.success) \(.next_attempt != null)')" \
    "deferred 1 503 false true" "audit: deferred, attempt 1, HTTP 503, next_attempt"
is "$(audit_of "$id1" '\(.error)')" \
    "HTTP 503 service.unavailable: Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance)." \
    "the error is the Genesys error body's code and message"
is "$(audit_of "$id3" '\(.outcome) \(.http_status)')" "deferred null" \
    "a dropped connection defers with no HTTP status"
audit_of "$id3" '\(.error)' >"$T/error3"
assert_file_matches "$T/error3" '^no answer: ' \
    "... and says there was no answer"
is "$(cat "$T/spool/state/attempts/$id1")" 1 "state/attempts holds the attempts made"

calls=$(journal 'length')
run_worker
is "$(journal 'length')" "$calls" "a run before the next attempt is due calls nothing"

touch "$T/spool/deferred/$id1" "$T/spool/deferred/$id2" "$T/spool/deferred/$id3"
run_worker
is "$?" 0 "--once exits 0"
is "$(routing_status agent-3)" OFF_QUEUE \
    "after touch, the dropped call is retried and applied"
is "$(audit_of "$id1" '\(.attempt)' | paste -sd ' ')" "1 2" \
    "agent-1: attempt 2 deferred again (503)"
touch "$T/spool/deferred/$id1" "$T/spool/deferred/$id2"
run_worker
is "$(routing_status agent-1)" IDLE "503, 503, then 200: applied"
is "$(audit_of "$id1" '\(.outcome)/\(.attempt)' | paste -sd ' ')" \
    "deferred/1 deferred/2 applied/3" "agent-1's audit trail: deferred, deferred, applied on attempt 3"
assert "the attempts file goes with the event" \
    test ! -e "$T/spool/state/attempts/$id1"
is "$(audit_of "$id2" '\(select(.outcome == "dead") | .error)')" \
    "gave up after 3 attempts: HTTP 503 service.unavailable: Service Unavailable - The server is currently unavailable (because it is overloaded or down for maintenance)." \
    "max_attempts used up: dead, with the last error"
assert_same "$T/spool/dead/$id2" "$T/agent-2.json" \
    "the dead letter is byte for byte what was sent"
is "$(spool_files deferred) $(spool_files new) $(spool_files cur) $(ls "$T/spool/state/attempts" | wc -l)" "0 0 0 0" \
    "nothing left but the dead letter"
assert_file_matches "$T/worker.log" "dead letter $id2 .*gave up after 3 attempts" \
    "the dead letter is logged"

# Token expiry: every call in flight gets a 401; one fresh token serves all.
# (Queue joins, one call each: a presence would first list the
# definitions, and that one call would meet the 401 alone; a bulk call
# would carry all five, worker-bulk.t's business.)
worker_config "backoff_min_ms = 60000; backoff_max_ms = 120000; max_attempts = 3;" "" \
    'sla = { threshold_ms = 600000; }; routing = { queue_bulk_max = 1; };'
issued=$(standin_state .tokens_issued)
control POST expire-tokens >/dev/null
control POST members '{"q-9": ["agent-4", "agent-5", "agent-6", "agent-7", "agent-8"]}' >/dev/null
for u in 4 5 6 7 8; do
	send "{\"eventType\":\"routing.queue.member.status.update\",\"queueId\":\"q-9\",\"userId\":\"agent-$u\",\"joined\":true,\"timestamp\":\"2026-01-01T10:00:00Z\"}" || break
done
run_worker
is "$?" 0 "--once exits 0 after a token expiry"
is "$(standin_state .tokens_issued) $(standin_state '.queues["q-9"] | length')" \
    "$((issued + 1)) 5" "one fresh token, and all five events applied"
is "$(journal '[.[] | select(.status == 401)] | length') $(audit_jq '[.[] | select(.http_status == 401)] | length')" \
    "5 0" "each call saw one 401 and was retried (no 401 outcome audited)"

# max_age_s: an event older than that dies at its next failure.
worker_config "max_age_s = 1;" "" 'sla = { threshold_ms = 600000; };'
control POST faults '{"agent-9": [{"status": 502}]}' >/dev/null
send "$(status_event agent-9 available)" && id9=$SENT_ID
sleep 1.1
run_worker
is "$(audit_of "$id9" '\(.outcome): \(.error)')" \
    "dead: older than max_age_s (1 s) after 1 attempt: HTTP 502 bad.gateway: The server received an invalid response from an upstream server." \
    "max_age_s used up: dead, with the last error"
assert "no secret or token in the worker's log or the audit file" \
    no_secrets "$T/worker.log" "$AUDIT"

done_testing
