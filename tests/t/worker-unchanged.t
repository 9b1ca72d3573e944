#!/bin/sh
# worker-unchanged.t: an event asking for the state routehook itself set
# for its key (a user's presence, a user's membership of a queue) within
# routing.unchanged_window_s costs no call: its outcome is unchanged,
# with a reason naming when routehook set it, counted by status, the
# metrics and the audit.  A notification reporting that state (the echo
# of routehook's own call) is unchanged too.  Another state still makes
# a call, and with unchanged_window_s = 0 a repeat is called again.
# The memory is the daemon's, so the worker runs as one here.
. "$(dirname "$0")/../lib.sh"

start_standin
control POST members '{"q-1": ["agent-1"]}' >/dev/null
worker_config "metrics_file = \"$T/routehook.prom\";" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

onq=$(standin_state .presence_definitions.ON_QUEUE)
# presence_calls USER: the stand-in's presence PATCHes for USER.
presence_calls() {
	journal "[.[] | select(.method == \"PATCH\" and .path == \"/api/v2/users/$1/presences/purecloud\")] | length"
}
# sent_wait ID OUTCOME: the event sent reached OUTCOME within 15 s
# (the first call fetches a token and the presence definitions).
sent_wait() { wait_for 15 audit_has "$1" "$2"; }

# (1) A command repeated within the window.
send "$(status_event agent-1 available 2026-01-01T10:00:00Z)" && a1=$SENT_ID
assert "available for agent-1 is applied" sent_wait "$a1" applied
is "$(presence_calls agent-1)" 1 "... with one call"
send "$(status_event agent-1 available 2026-01-01T10:00:05Z)" && a2=$SENT_ID
assert "the same state again, newer, within the window: unchanged" \
    sent_wait "$a2" unchanged
is "$(presence_calls agent-1)" 1 "... and no call"
is "$(audit_of "$a2" '\(.success) \(.attempt) \(.http_status)')" "true 0 null" \
    "an unchanged line: success, no attempt, no HTTP status"
audit_of "$a2" '\(.error)' |
    grep -qE '^routehook set this state at [0-9-]{10}T[0-9:]{8}Z \([0-9.]+ s ago, within routing\.unchanged_window_s 60\); not sent again$'
ok $? "... and the reason names when routehook set it" ||
    diag "$(audit_of "$a2" '\(.error)')"

# (2) The org's notifications of that state: the echo of our own call.
send "{\"topicName\":\"v2.users.agent-1.presence\",\"eventBody\":{\"presenceDefinition\":{\"id\":\"$onq\"},\"modifiedDate\":\"2026-01-01T10:00:06Z\"}}" && n1=$SENT_ID
assert "a presence notification of the state just set: unchanged" \
    sent_wait "$n1" unchanged
send '{"topicName":"v2.users.agent-1.routingStatus","eventBody":{"routingStatus":{"status":"IDLE","startTime":"2026-01-01T10:00:07.000Z"}}}' && n2=$SENT_ID
assert "a routingStatus notification of it (IDLE, On Queue): unchanged" \
    sent_wait "$n2" unchanged
is "$(presence_calls agent-1)" 1 "... and neither made a call"

# Membership of a queue is a key of its own.
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-1","joined":true,"timestamp":"2026-01-01T10:00:00Z"}' && q1=$SENT_ID
assert "joining q-1 is applied" sent_wait "$q1" applied
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-1","joined":true,"timestamp":"2026-01-01T10:00:01Z"}' && q2=$SENT_ID
assert "joining q-1 again within the window: unchanged" sent_wait "$q2" unchanged
is "$(journal '[.[] | select(.path == "/api/v2/routing/queues/q-1/members/agent-1")] | length')" 1 \
    "... one membership call"

# (4) Another state is called, and so is the first one after it.
send "$(status_event agent-1 offline 2026-01-01T10:00:10Z)" && o1=$SENT_ID
assert "offline for agent-1 is applied" sent_wait "$o1" applied
send "$(status_event agent-1 available 2026-01-01T10:00:11Z)" && a3=$SENT_ID
assert "... and available after it is applied again" sent_wait "$a3" applied
is "$(presence_calls agent-1)" 3 "... each with its call"

is "$(spool_files dead) $(spool_total)" "0 0" "no dead letter, nothing left in the spool"
"$CTL" -c "$T/routehook.conf" status --json >"$T/status.json" 2>>"$T/ctl.log"
is "$(jq -r .audit.last_hour.unchanged "$T/status.json")" 4 "routehookctl status counts 4 unchanged"
"$CTL" -c "$T/routehook.conf" status >"$T/status.txt" 2>>"$T/ctl.log"
grep -qE '^  last hour +4 +0 +0 +0 +0 +4 +0$' "$T/status.txt"
ok $? "... in its table too" || diag "$(cat "$T/status.txt")"
kill -TERM "$WORKER_PID"
assert "SIGTERM: it stops" wait_for 5 sh -c "! kill -0 $WORKER_PID"
grep -q '^routehook_worker_events_total{outcome="unchanged"} 4$' "$T/routehook.prom"
ok $? "the metrics count 4 unchanged" || diag "$(cat "$T/routehook.prom")"

# (3) unchanged_window_s = 0: a repeat is called again.
worker_config "" "" 'sla = { threshold_ms = 600000; };
routing = { unchanged_window_s = 0; };'
start_worker
send "$(status_event agent-2 available 2026-01-01T10:00:00Z)" && b1=$SENT_ID
assert "with the window off, available for agent-2 is applied" sent_wait "$b1" applied
send "$(status_event agent-2 available 2026-01-01T10:00:05Z)" && b2=$SENT_ID
assert "... and so is the same again" sent_wait "$b2" applied
is "$(presence_calls agent-2)" 2 "... with a call each"

is "$(grep -v 'started (daemon)\|stopped:' "$T/worker.log")" "" \
    "nothing logged beyond start and stop: unchanged is routine"

done_testing
