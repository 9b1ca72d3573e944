#!/bin/sh
# worker-race.t: two --once workers started together over one backlog
# (overlapping cron runs) apply each event at most once, every event ends
# with exactly one outcome, and per user the newest event wins even when
# its older sibling was claimed by the other worker.
. "$(dirname "$0")/../lib.sh"

start_standin --latency-ms 20
worker_config "concurrency = 4;" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

# 300 events, 200 users: agent-0..99 get an older "available" and a newer
# "offline" (the newer sent first for the even ones), agent-100..199 one.
# The loop forks nothing (a command substitution is a fork, 4 ms of CPU
# or so; this loop had a thousand of them): write_old and write_new put
# the events straight in their files, and $f is the number zero-padded to
# three digits by arithmetic.
write_old() { status_event "agent-$i" available 2026-01-01T10:00:00Z >"$1"; }
write_new() { status_event "agent-$i" offline 2026-01-01T10:00:01Z >"$1"; }
mkdir "$T/burst"
i=0
while [ $i -lt 200 ]; do
	f=$((1000 + i))
	f=$T/burst/${f#1}
	if [ $i -ge 100 ]; then
		write_old "${f}a"
	elif [ $((i % 2)) -eq 0 ]; then
		write_new "${f}a"
		write_old "${f}b"
	else
		write_old "${f}a"
		write_new "${f}b"
	fi
	i=$((i + 1))
done
assert "300 events accepted" send_many "$T/burst"
is "$(spool_files new)" 300 "300 events wait in new/"

run_worker & p1=$!
run_worker & p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
is "$r1 $r2" "0 0" "both workers exit 0"
is "$(spool_total)" 0 "nothing left in the spool"
is "$(audit_jq '[group_by(.event_id)[] | length] | [length, max] | map(tostring) | join(" ")')" "300 1" \
    "300 events, exactly one audit line each"
is "$(audit_jq '[.[] | .outcome] | unique | join(" ")')" "applied superseded" \
    "every outcome is applied or superseded"
is "$(api_calls)" "$(( $(audit_count applied) + $(journal '[.[] | select(.path == "/api/v2/presence/definitions")] | length') ))" \
    "as many API calls as applied events: nothing applied twice"
is "$(journal '[.[] | select(.path | startswith("/api/v2/users/")) | .user] | group_by(.) | map(length) | max <= 2')" true \
    "at most two calls for a user with two events"
is "$(journal '[.[] | select(.path | startswith("/api/v2/users/")) | .user] | unique | length')" 200 \
    "every user got a call"
is "$(standin_state '[.routingstatus | to_entries[]
    | "\(.key | ltrimstr("agent-") | tonumber < 100) \(.value)"]
    | group_by(.) | map("\(.[0]) x\(length)") | join(", ")')" \
    "false IDLE x100, true OFF_QUEUE x100" \
    "the newest status per user won: OFF_QUEUE for the two-event users, IDLE for the others"
is "$(ls "$T/spool/state/attempts" | wc -l)" 0 "no attempts file left"

done_testing
