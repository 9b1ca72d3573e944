#!/bin/sh
# worker-crash.t: kill -9 a worker with calls in flight; the next run
# returns what it left in cur/ to new/ and every event still ends applied
# (at least once: a call the dead worker never saw answered may be made
# again), none lost, none left in cur/.
. "$(dirname "$0")/../lib.sh"

start_standin --latency-ms 300
worker_config "concurrency = 8;" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

status_burst "$T/burst" 40 agent available
assert "40 events accepted" send_many "$T/burst"

$RH_AS_WORKER "$WORKER" -c "$T/routehook.conf" --once 2>>"$T/worker.log" &
pid=$!
# Calls are in flight once the first answers are in the journal.
assert "the worker is calling" wait_for 20 api_calls_reach 8
kill -9 $pid
wait $pid 2>/dev/null
left=$(spool_files cur)
assert "killed with $left events in cur/" test "$left" -gt 0

run_worker
is "$?" 0 "the next run exits 0"
assert_file_has "$T/worker.log" "recovered $left events left in cur/ by a dead worker" \
    "it says it recovered them"
is "$(spool_total)" 0 "nothing left in new/, cur/, deferred/ or dead/"
is "$(standin_state '[.routingstatus[] | select(. == "IDLE")] | length')" 40 "all 40 users set"
is "$(audit_jq '[.[] | select(.outcome == "applied") | .event_id] | unique | length')" 40 \
    "every event has an applied line"
calls=$(journal '[.[] | select(.path | startswith("/api/v2/users/"))] | length')
assert "at most the calls in flight were made twice ($calls calls for 40 events)" \
    test "$calls" -le 48

done_testing
