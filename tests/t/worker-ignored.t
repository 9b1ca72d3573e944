#!/bin/sh
# worker-ignored.t: an event asking for a routing status only Genesys
# Cloud sets (INTERACTING, COMMUNICATING, NOT_RESPONDING, which the
# stand-in refuses as a real org does) costs no call and no dead letter:
# its outcome is ignored, with the reason, counted by status and the
# metrics; and it does not supersede a command for the same agent.
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config "metrics_file = \"$T/routehook.prom\";" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

send "$(status_event agent-1 available 2026-01-01T10:00:00Z)" &&
send "$(status_event agent-1 INTERACTING 2026-01-01T10:00:01Z)" && i1=$SENT_ID &&
send '{"topicName":"v2.users.agent-2.routingStatus","eventBody":{"routingStatus":{"status":"COMMUNICATING","startTime":"2026-01-01T10:00:00.000Z"}}}' && i2=$SENT_ID &&
send '{"topicName":"v2.users.agent-3.activity","eventBody":{"routingStatus":{"status":"NOT_RESPONDING","startTime":"2026-01-01T10:00:00.000Z"}}}' && i3=$SENT_ID
ok $? "four events accepted"

run_worker
is "$?" 0 "--once exits 0"
is "$(journal '[.[] | select(.path | startswith("/api/v2/users/")) | "\(.method) \(.path)"] | join(", ")')" \
    "PATCH /api/v2/users/agent-1/presences/purecloud" \
    "one call: agent-1's available; none for the three the system alone sets"
is "$(audit_jq "[.[] | select(.outcome == \"ignored\") | .event_id] | sort | join(\" \")")" \
    "$(printf '%s\n' "$i1" "$i2" "$i3" | sort | tr '\n' ' ' | sed 's/ $//')" \
    "the three are audited ignored"
is "$(audit_jq "[.[] | select(.event_id == \"$i1\")][0] | \"\(.success) \(.attempt) \(.http_status) \(.error)\"")" \
    "true 0 null routing status INTERACTING is set by Genesys Cloud alone, not by a call" \
    "an ignored line: success, no attempt, no HTTP status, the reason"
is "$(audit_jq '[.[] | select(.payload_summary.userId == "agent-1") | .outcome] | sort | join(" ")')" \
    "applied ignored" "agent-1's newer INTERACTING did not supersede its available"
is "$(spool_files dead) $(spool_total)" "0 0" "no dead letter, nothing left in the spool"
assert "the metrics count 3 ignored" \
    grep -q '^routehook_worker_events_total{outcome="ignored"} 3$' "$T/routehook.prom"
"$CTL" -c "$T/routehook.conf" status --json >"$T/status.json" 2>>"$T/ctl.log"
is "$(jq -r .audit.last_hour.ignored "$T/status.json")" 3 "routehookctl status counts them"
is "$(cat "$T/worker.log")" "" "nothing logged: ignoring is routine"

done_testing
