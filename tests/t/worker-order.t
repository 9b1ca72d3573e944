#!/bin/sh
# worker-order.t: per user and kind of state the newest event wins (its
# own timestamp, else its receipt time); the others are audited as
# superseded, and an event older than the last one applied is superseded
# too.  Never two calls in flight for one user.
. "$(dirname "$0")/../lib.sh"

start_standin --latency-ms 200
control POST members '{"q-1": ["agent-1"]}' >/dev/null
# Words the config maps itself set the routing status, so that the
# statuses and the presence below are two kinds of state.
worker_config "" "" 'sla = { threshold_ms = 600000; };
routing = { status_map = { ready = "IDLE"; gone = "OFF_QUEUE"; }; };'
start_responder
start_nginx
avail=$(standin_state .presence_definitions.AVAILABLE)

# superseded_of USER FORMAT: audit_of, for USER's superseded lines.
superseded_of() {
	jq -r --arg u "$1" "select(.payload_summary.userId == \$u and
	    .outcome == \"superseded\") | \"$2\"" "$T/audit.jsonl"
}

# agent-1: four statuses arriving out of order; the 10:00:04 one is newest.
send "$(status_event agent-1 gone 2026-01-01T10:00:03Z)" && a1=$SENT_ID &&
send "$(status_event agent-1 ready 2026-01-01T10:00:01Z)" && a2=$SENT_ID &&
send "$(status_event agent-1 ready 2026-01-01T10:00:04Z)" && newest=$SENT_ID &&
send "$(status_event agent-1 gone 2026-01-01T10:00:02Z)" && a4=$SENT_ID &&
# other kinds of state for agent-1 are not superseded by its statuses
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-1","joined":true}' &&
send "{\"topicName\":\"v2.users.agent-1.presence\",\"eventBody\":{\"presenceDefinition\":{\"id\":\"$avail\"}}}" &&
# agent-2: no timestamps, so the receipt order decides: the last one wins
send "$(status_event agent-2 gone)" &&
send "$(status_event agent-2 ready)" &&
send "$(status_event agent-2 gone)" &&
# agent-3: notification shape, startTime decides
send '{"topicName":"v2.users.agent-3.routingStatus","eventBody":{"routingStatus":{"status":"ready","startTime":"2026-01-01T10:00:09.500Z"}}}' &&
send '{"topicName":"v2.users.agent-3.routingStatus","eventBody":{"routingStatus":{"status":"gone","startTime":"2026-01-01T10:00:09.000Z"}}}'
ok $? "eleven events accepted"

run_worker
is "$?" 0 "--once exits 0"
# The journal, not the state: agent-1's presence sets its routing status too.
is "$(journal '[.[] | select(.path | endswith("/routingstatus")) | "\(.user)=\(.body.status)"] | sort | join(" ")')" \
    "agent-1=IDLE agent-2=OFF_QUEUE agent-3=IDLE" \
    "the newest status per user is the one applied (timestamp, receipt order, startTime)"
is "$(journal '[.[] | select(.path | endswith("/routingstatus")) | .user] | sort | join(" ")')" \
    "agent-1 agent-2 agent-3" "one routing-status call per user, none for the superseded events"
is "$(api_calls agent-1)" 3 \
    "agent-1's status, queue membership and presence are applied separately"
is "$(journal '[.[] | select(.user == "agent-1") | .time] | sort
    | [.[1] - .[0], .[2] - .[1]] | all(. >= 0.19)')" \
    true "agent-1's three calls never overlapped (each waited for the one before)"
is "$(audit_count superseded)" 6 \
    "six events audited as superseded"
is "$(superseded_of agent-1 '\(.event_id)' | sort | paste -sd ' ')" \
    "$(printf '%s\n' "$a1" "$a2" "$a4" | sort | tr '\n' ' ' | sed 's/ $//')" \
    "agent-1's three older statuses are the ones superseded"
superseded_of agent-1 '\(.error | ltrimstr("superseded by "))' >"$T/lost-to"
is "$(grep -cvxF -e "$a1" -e "$newest" -e "$a4" "$T/lost-to")" 0 \
    "each names the newer event it lost to"
is "$(audit_jq '[.[] | select(.outcome == "superseded")
    | .success and .attempt == 0 and .http_status == null] | all')" \
    true "superseded lines: success, attempt 0, no HTTP status"
is "$(audit_count applied)" 5 "five events applied"
is "$(grep ' status:agent-1$' "$T/spool/state/order.snap")" \
    "$(date -d 2026-01-01T10:00:04Z +%s)000 $newest status:agent-1" \
    "the last applied stamp is kept in state/order.snap"
is "$(spool_total)" 0 "nothing left in the spool"

# A stale event after a newer one was applied is superseded, not applied;
# a newer one is applied.
send "$(status_event agent-1 ready 2026-01-01T10:00:02Z)" && stale=$SENT_ID
run_worker
is "$?" 0 "--once exits 0 with only a stale event"
is "$(audit_of "$stale" '\(.outcome) \(.error)')" \
    "superseded not newer than $newest, applied before" \
    "the stale event is superseded, naming the event applied before it"
is "$(api_calls agent-1)" 3 "no call for the stale event"
send "$(status_event agent-1 gone 2026-01-01T10:00:05Z)"
run_worker
is "$(journal '[.[] | select(.user == "agent-1" and (.path | endswith("/routingstatus")))
    | .body.status] | last')" OFF_QUEUE \
    "a newer event after that is applied"
is "$(spool_total)" 0 "nothing left in the spool"

# A worker that died after applying an event but before its audit line left
# the event's own stamp as the last applied: the next run records it as
# applied without calling again.
send "$(status_event agent-9 ready 2026-01-01T11:00:00Z)" && id9=$SENT_ID
echo "$(date -d 2026-01-01T11:00:00Z +%s)000 $id9" >"$T/spool/state/order/status:agent-9"
run_worker
is "$(audit_of "$id9" '\(.outcome) \(.http_status) \(.error)')" \
    "applied null applied before the last worker stopped; not sent again" \
    "an event already applied by a dead worker is audited applied, not sent again"
is "$(api_calls agent-9)" 0 "no call for it"

done_testing
