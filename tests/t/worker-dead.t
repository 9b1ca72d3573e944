#!/bin/sh
# worker-dead.t: what will never succeed goes to dead/ at once, byte for
# byte under the same name, with the reason in its audit line and one log
# line: the API's 400/403/404/409 (its error body's code and message), and
# events that cannot be mapped (no call made).  A late outcome breaks the
# SLA: sla_compliant false and a warning.
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config "" "" 'sla = { threshold_ms = 1; };'
start_responder
start_nginx

control POST faults '{"agent-1": [{"status": 400}], "agent-2": [{"status": 404}], "agent-3": [{"status": 403}], "agent-4": [{"status": 409}]}' >/dev/null
mkdir "$T/sent"
n=0
for ev in "$(status_event agent-1 available)" "$(status_event agent-2 available)" \
    "$(status_event agent-3 available)" "$(status_event agent-4 available)" \
    "$(status_event agent-5 lunch)" \
    '{"eventType":"routing.user.status.update","userId":"bad/../id","status":"IDLE"}' \
    '{"eventType":"routing.user.mood.update","userId":"agent-7","status":"IDLE"}' \
    '{"topicName":"v2.users.agent-8.conversations","eventBody":{}}' \
    '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-9","joined":"yes"}' \
    "$(status_event agent-10 available)"; do
	n=$((n + 1))
	send "$ev" || break
	cp "$T/send.json" "$T/sent/$SENT_ID"
	eval "id$n=\$SENT_ID"
done
is "$(ls "$T/sent" | wc -l)" 10 "ten events accepted"

run_worker
is "$?" 0 "--once exits 0: dead-lettering is handling an event"
is "$(spool_files dead)" 9 "nine dead letters"
same=0
for f in "$T/spool/dead/"*; do
	cmp -s "$f" "$T/sent/$(basename "$f")" && same=$((same + 1))
done
is "$same" 9 "every dead letter is byte for byte what was sent, under its spool id"
reason() { audit_of "$1" '\(.outcome) \(.attempt) \(.http_status) \(.error)'; }
is "$(reason "$id1")" "dead 1 400 HTTP 400 bad.request: The request could not be understood by the server due to malformed syntax." "400: dead with the Genesys code and message"
is "$(reason "$id2")" "dead 1 404 HTTP 404 not.found: The requested resource was not found." "404: dead"
is "$(reason "$id3")" "dead 1 403 HTTP 403 not.authorized: You are not authorized to perform the requested action." "403: dead"
is "$(reason "$id4")" "dead 1 409 HTTP 409 conflict: The request conflicts with the current state of the resource." "409: dead"
assert "an unknown status word: dead at once, naming it ($(reason "$id5"))" \
    matches "$(reason "$id5")" '^dead 0 null .*lunch'
assert "a malformed userId: dead at once ($(reason "$id6"))" \
    matches "$(reason "$id6")" '^dead 0 null .*userId'
assert "an unknown eventType: dead at once ($(reason "$id7"))" \
    matches "$(reason "$id7")" '^dead 0 null .*eventType'
assert "an unknown notification topic: dead at once ($(reason "$id8"))" \
    matches "$(reason "$id8")" '^dead 0 null .'
assert "a non-boolean joined: dead at once ($(reason "$id9"))" \
    matches "$(reason "$id9")" '^dead 0 null .*joined'
is "$(journal '[.[] | select(.path | startswith("/api/v2/users/") or startswith("/api/v2/routing/")) | .user] | sort | join(" ")')" \
    "agent-1 agent-10 agent-2 agent-3 agent-4" "no call for an event that cannot be mapped"
is "$(standin_state '.routingstatus | keys | join(" ")')" "agent-10" \
    "only the good event applied"
is "$(audit_jq '[.[] | select(.outcome == "dead") | .success] | unique | map(tostring) | join(" ")')" false \
    "dead lines say success false"
is "$(grep -c 'warning: dead letter ' "$T/worker.log")" 9 "one log line per dead letter"
assert_file_has "$T/worker.log" \
    "dead letter $id2 (routing.user.status.update, user agent-2): HTTP 404 not.found" \
    "the log line names the event, its type, its user and the reason"
is "$(audit_jq '[.[] | .sla_compliant] | unique | map(tostring) | join(" ")')" false \
    "with sla.threshold_ms = 1 every line says sla_compliant false"
assert_file_matches "$T/worker.log" \
    "SLA breach: event $id10 applied .* ms after receipt \(sla.threshold_ms 1\)" \
    "the late applied event logs an SLA breach warning"
is "$(spool_files new) $(spool_files cur) $(spool_files deferred)" "0 0 0" "nothing left in new/, cur/, deferred/"
assert "no secret or token in the worker's log or the audit file" \
    no_secrets "$T/worker.log" "$AUDIT"

done_testing
