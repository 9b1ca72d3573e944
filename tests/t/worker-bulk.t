#!/bin/sh
# worker-bulk.t: membership changes for one queue go out as one
# PATCH /api/v2/routing/queues/{id}/members of up to
# routing.queue_bulk_max members, and each event still gets its own
# outcome and audit line.  A member the answer leaves out (Genesys
# disregards a user who is not a member of the queue) is called again on
# its own, and that call's 404 makes its dead letter; a 400 for the whole
# call sends each member on its own; a 403 on the bulk call is every
# member's; a 503 defers every member, and the next run
# sends them in one call again.  queue_bulk_max = 1 is one call per
# event.
. "$(dirname "$0")/../lib.sh"

start_standin
control POST members '{"q-a": ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"],
    "q-b": ["agent-6", "agent-7", "agent-8"]}' >/dev/null
worker_config "metrics_file = \"$T/routehook.prom\";" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

# member_event QUEUE USER JOINED SECOND: a queue membership event.
member_event() {
	printf '{"eventType":"routing.queue.member.status.update","queueId":"%s","userId":"%s","joined":%s,"timestamp":"2026-01-01T10:00:%02dZ"}' "$1" "$2" "$3" "$4"
}
# burst S: agent-1..5 and agent-9 (no member) join q-a, agent-6..8 leave
# q-b, at second S; accepted into new/.  (No user is in both: the
# changes for one user are sent one at a time, whatever the queue.)
burst() {
	rm -rf "$T/burst" && mkdir "$T/burst"
	for u in 1 2 3 4 5 9; do
		member_event q-a "agent-$u" true "$1" >"$T/burst/a$u"
	done
	for u in 6 7 8; do
		member_event q-b "agent-$u" false "$1" >"$T/burst/b$u"
	done
	send_many "$T/burst"
}
# calls_jq FILTER: the filter over the stand-in's calls since its reset.
calls_jq() { control GET calls | jq -c -r "$1"; }
# calls PATH-REGEX: how many PATCHes the stand-in answered to PATH.
calls() {
	calls_jq "[.[] | select(.method == \"PATCH\" and (.path | test(\"^$1\$\")))] | length"
}
# bulk_sizes QUEUE: the member counts of the bulk calls for QUEUE, in order.
bulk_sizes() {
	calls_jq "[.[] | select(.method == \"PATCH\" and .path == \"/api/v2/routing/queues/$1/members\") | .body | length] | map(tostring) | join(\" \")"
}
fresh() {
	control POST reset >/dev/null
	control POST members '{"q-a": ["agent-1", "agent-2", "agent-3", "agent-4", "agent-5"],
	    "q-b": ["agent-6", "agent-7", "agent-8"]}' >/dev/null
	: >"$AUDIT"
	rm -f "$T"/spool/dead/*
}

# burst_with MAX S: a fresh stand-in, queue_bulk_max MAX, the burst at
# second S, one --once run.
burst_with() {
	fresh
	worker_config "" "" "sla = { threshold_ms = 600000; };
routing = { queue_bulk_max = $1; };"
	assert "the burst again" burst "$2"
	run_worker; is "$?" 0 "--once exits 0"
}

# (1) The default, 100: one call per queue.
assert "9 membership events accepted" burst 1
run_worker; is "$?" 0 "routehook-worker --once exits 0"
is "$(bulk_sizes q-a)" 6 "q-a: one bulk call for its 6 members"
is "$(bulk_sizes q-b)" 3 "q-b: one bulk call for its 3 members"
is "$(calls_jq '[.[] | select(.path == "/api/v2/routing/queues/q-a/members" or .path == "/api/v2/routing/queues/q-b/members") | .body[] | "\(.id)=\(.joined)"] | sort | join(" ")')" \
    "agent-1=true agent-2=true agent-3=true agent-4=true agent-5=true agent-6=false agent-7=false agent-8=false agent-9=true" \
    "... naming each member with its joined value"
is "$(calls '/api/v2/routing/queues/q-a/members/agent-9')" 1 \
    "agent-9, left out of the answer, is called again on its own"
is "$(calls '/api/v2/routing/queues/[^/]+/members/.+')" 1 \
    "... and nobody else is"
is "$(audit_tally)" "applied:8 dead:1" "8 applied, 1 dead: one line each"
is "$(audit_jq '[.[] | select(.outcome == "dead") | .payload_summary.userId + " " + (.http_status | tostring)] | join(",")')" \
    "agent-9 404" "... the dead one is agent-9's, with the single call's 404"
is "$(spool_files dead)" 1 "its event is in dead/"
is "$(standin_state '[.queues["q-a"] | to_entries[] | "\(.key)=\(.value)"] | sort | join(" ")')" \
    "agent-1=true agent-2=true agent-3=true agent-4=true agent-5=true" \
    "the stand-in has agent-1..5 joined to q-a"
is "$(standin_state '[.queues["q-b"] | to_entries[] | "\(.key)=\(.value)"] | sort | join(" ")')" \
    "agent-6=false agent-7=false agent-8=false" "... and agent-6..8 out of q-b"
assert_file_has "$T/routehook.prom" 'routehook_worker_bulk_calls_total 2' \
    "the metrics count the 2 bulk calls"

# (2) queue_bulk_max = 2: bulks of 2 at most.
burst_with 2 2
is "$(bulk_sizes q-a)" "2 2 2" "q-a: three bulk calls of 2"
is "$(bulk_sizes q-b) $(calls '/api/v2/routing/queues/q-b/members/.+')" "2 1" \
    "q-b: one of 2, and the last member alone on the single call"
is "$(audit_tally)" "applied:8 dead:1" "... the same outcomes"

# (3) queue_bulk_max = 1: one call per event, as the tutorial does.
burst_with 1 3
is "$(bulk_sizes q-a)$(bulk_sizes q-b)" "" "no bulk call"
is "$(calls '/api/v2/routing/queues/[^/]+/members/.+')" 9 "nine single calls"
is "$(audit_tally)" "applied:8 dead:1" "... the same outcomes"

# (4) A 503 on the bulk call: every member deferred; the next run sends
# them in one call again.
fresh
worker_config "" "" 'sla = { threshold_ms = 600000; };'
control POST faults '{"q-b": [{"status": 503}]}' >/dev/null
assert "the burst again" burst 4
run_worker; is "$?" 0 "--once exits 0"
is "$(audit_tally)" "applied:5 dead:1 deferred:3" \
    "a 503 on q-b's bulk call defers its 3 events, and only them"
is "$(spool_files deferred)" 3 "... they wait in deferred/"
touch -d '1 minute ago' "$T"/spool/deferred/*
run_worker; is "$?" 0 "the next run exits 0"
is "$(bulk_sizes q-b)" "3 3" "... and sends them in one call again"
is "$(audit_tally)" "applied:8 dead:1 deferred:3" "... applied"
is "$(spool_total)" 1 "... nothing left in the spool but the dead letter"

# (5) An expired token: the bulk call's 401 costs one fresh token, and
# the same bulk call again.
fresh
control POST expire-tokens >/dev/null
issued=$(standin_state .tokens_issued)
assert "the burst again" burst 6
run_worker; is "$?" 0 "--once exits 0 after a token expiry"
is "$(calls_jq '[.[] | select(.path == "/api/v2/routing/queues/q-b/members") | .status] | map(tostring) | join(" ")')" \
    "401 200" "q-b's bulk call met the 401 and was sent again"
is "$(standin_state .tokens_issued)" "$((issued + 1))" "... with one fresh token"
is "$(audit_tally)" "applied:8 dead:1" "... the same outcomes, no 401 among them"

# (6) A 400 for the whole bulk call, which one member may cause: each
# member is sent again on its own, and its own answer decides.
fresh
control POST faults '{"q-b": [{"status": 400}]}' >/dev/null
assert "the burst again" burst 7
run_worker; is "$?" 0 "--once exits 0"
is "$(calls_jq '[.[] | select(.path == "/api/v2/routing/queues/q-b/members") | .status] | map(tostring) | join(" ")')" \
    400 "q-b's bulk call answered 400 once"
is "$(calls '/api/v2/routing/queues/q-b/members/.+')" 3 "... then each of its 3 members alone"
is "$(audit_tally)" "applied:8 dead:1" "... applied, with no 400 among the outcomes"

# (7) A 403 (the client may not edit queues) is every member's, in one call.
fresh
control POST permissions '{"deny": ["routing:queue:edit", "routing:queueMember:manage"]}' >/dev/null
worker_config "" "" 'sla = { threshold_ms = 600000; };'
member_event q-b agent-6 true 10 >"$T/one" && send "$(cat "$T/one")"
member_event q-b agent-7 true 10 >"$T/one" && send "$(cat "$T/one")"
run_worker; is "$?" 0 "--once exits 0"
is "$(calls_jq '[.[] | select(.path | startswith("/api/v2/routing/"))] | length')" 1 \
    "a 403 on the bulk call: no call beyond it"
is "$(audit_jq '[.[] | "\(.outcome) \(.http_status)"] | unique | join(",")')" \
    "dead 403" "... both events dead with the 403"
assert_file_lacks "$T/worker.log" 'cannot start' "the worker never failed to start a call"

done_testing
