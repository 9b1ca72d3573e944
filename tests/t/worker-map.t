#!/bin/sh
# worker-map.t: every kind of event, in both shapes, becomes the right
# Genesys call (nginx -> responder -> spool -> worker -> stand-in), one
# audit line each: a status word at its built-in meaning, and Genesys'
# IDLE and OFF_QUEUE, set a presence (On Queue for "available", resolved
# through the org's presence definitions, fetched once); a word the
# config maps itself sets the routing status; the token is cached on disk (0600) and reused by the
# next --once run; -t checks the config; nothing secret in any log.
# Queue membership one call per event (queue_bulk_max = 1): the single
# call's mapping is what is checked here; worker-bulk.t checks the bulk.
. "$(dirname "$0")/../lib.sh"

start_standin
control POST members '{"q-1": ["agent-4", "agent-5"]}' >/dev/null
worker_config "metrics_file = \"$T/routehook.prom\";" "" 'sla = { threshold_ms = 600000; };
routing = { status_map = { lunch = "OFF_QUEUE"; }; queue_bulk_max = 1; };'
start_responder
start_nginx

out=$("$WORKER" -c "$T/routehook.conf" -t 2>>"$T/worker.log")
is "$?:$out" "0:configuration OK" "-t checks the config and prints configuration OK"

avail=$(standin_state .presence_definitions.AVAILABLE)
onq=$(standin_state .presence_definitions.ON_QUEUE)
send "$(status_event agent-1 available 2026-01-01T10:00:00Z)" &&
send "$(status_event agent-2 OFF_QUEUE)" &&
send "$(status_event agent-3 LUNCH)" &&
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-4","joined":true}' &&
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-5","joined":false}' &&
send '{"topicName":"v2.users.agent-6.routingStatus","version":"2","eventBody":{"id":"agent-6","routingStatus":{"status":"OFF_QUEUE","startTime":"2026-01-01T10:00:00.000Z"}}}' &&
send "{\"topicName\":\"v2.users.agent-7.presence\",\"eventBody\":{\"presenceDefinition\":{\"id\":\"$avail\"},\"modifiedDate\":\"2026-01-01T10:00:00Z\"}}"
ok $? "seven events of every kind and shape accepted"
is "$(spool_files new)" 7 "seven events wait in new/"

run_worker
is "$?" 0 "--once exits 0"
state=$(control GET state)
is "$(echo "$state" | jq -S -c .routingstatus)" \
    '{"agent-1":"IDLE","agent-2":"OFF_QUEUE","agent-3":"OFF_QUEUE","agent-6":"OFF_QUEUE","agent-7":"OFF_QUEUE"}' \
    "routing statuses, following the presences set and the custom map"
is "$(echo "$state" | jq -S -c .queues)" '{"q-1":{"agent-4":true,"agent-5":false}}' \
    "queue membership joined and left"
is "$(echo "$state" | jq -r '.presence["agent-7"]')" "$avail" \
    "notification presence sets the presence definition"
is "$(echo "$state" | jq -r '[.presence["agent-1"], .presence["agent-2"], .presence["agent-6"]] | join(" ")')" \
    "$onq $avail $avail" \
    "available: On Queue; OFF_QUEUE, as a word and in a notification: Available"
want=$(jq -n -c --arg a "$avail" --arg q "$onq" '[
  "GET /api/v2/presence/definitions null",
  "PATCH /api/v2/routing/queues/q-1/members/agent-4 {\"joined\":true}",
  "PATCH /api/v2/routing/queues/q-1/members/agent-5 {\"joined\":false}",
  "PATCH /api/v2/users/agent-1/presences/purecloud {\"presenceDefinition\":{\"id\":\"\($q)\"}}",
  "PATCH /api/v2/users/agent-2/presences/purecloud {\"presenceDefinition\":{\"id\":\"\($a)\"}}",
  "PATCH /api/v2/users/agent-6/presences/purecloud {\"presenceDefinition\":{\"id\":\"\($a)\"}}",
  "PATCH /api/v2/users/agent-7/presences/purecloud {\"presenceDefinition\":{\"id\":\"\($a)\"}}",
  "PUT /api/v2/users/agent-3/routingstatus {\"status\":\"OFF_QUEUE\"}"]')
is "$(journal '[.[] | select(.path | startswith("/api/")) | "\(.method) \(.path) \(.body | tojson)"] | sort')" \
    "$want" "one call per event, with the documented method, path and body, and one for the definitions"
# clean_applied: audit lines applied at the first attempt, in time, with
# a latency and no error.
clean_applied() {
	audit_jq '[.[] | select(.outcome == "applied" and .success == true
	    and .attempt == 1 and .sla_compliant == true
	    and (.latency_ms | type) == "number" and .error == null)] | length'
}
is "$(clean_applied)" 7 \
    "seven audit lines: applied, success, attempt 1, sla_compliant, latency_ms"
is "$(audit_jq '[.[] | .payload_summary.userId] | sort | join(",")')" \
    "agent-1,agent-2,agent-3,agent-4,agent-5,agent-6,agent-7" \
    "payload_summary names each user"
is "$(audit_jq '[.[] | select(.payload_summary.userId == "agent-7") | .payload_summary.eventType] | .[0]')" \
    'v2.users.agent-7.presence' "payload_summary.eventType is the topic for the notification shape"
is "$(audit_jq '[.[] | .http_status] | sort | unique | map(tostring) | join(",")')" '200,202' \
    "http_status as answered (200 for users, 202 for queues)"
is "$(spool_total)" 0 "applied events leave the spool"
is "$(grep -E '^routehook_worker_(events_total\{outcome="(applied|dead)"\}|api_calls_total)' "$T/routehook.prom" | tr '\n' ' ')" \
    'routehook_worker_events_total{outcome="applied"} 7 routehook_worker_events_total{outcome="dead"} 0 routehook_worker_api_calls_total{code="200"} 6 routehook_worker_api_calls_total{code="202"} 2 ' \
    "worker.metrics_file holds the run's counters (tests/t/metrics.t checks the rest)"
is "$(stat -c %a "$T/spool/state/token")" 600 "the token is cached in state/token, mode 0600"
# token_cache_ok: state/token holds this client's token and its expiry.
token_cache_ok() {
	jq -e '.client_id == "test-client" and (.access_token | length > 20)
	    and .expires_at > now' "$T/spool/state/token" >/dev/null
}
assert "the cache holds the token, its expiry and the client id" token_cache_ok

send "$(status_event agent-8 available)"
run_worker
is "$?" 0 "a second --once run exits 0"
is "$(standin_state .tokens_issued) $(routing_status agent-8)" "1 IDLE" \
    "the second run used the cached token (tokens_issued stays 1)"
is "$(journal '[.[] | select(.path | startswith("/api/")) | .token] | unique | length')" 1 \
    "every call carried the same token"
is "$(cat "$T/worker.log")" "" "--once logs nothing when all is well"
assert "no webhook secret, client secret or token in the logs, audit or journal" \
    no_secrets "$T/worker.log" "$T/audit.jsonl" "$T/fcgi.log" "$T/standin.jsonl"

done_testing
