#!/bin/sh
# worker-daemon.t: without --once the worker waits on inotify: a new
# event is applied within a bounded time, a deferred one when it comes
# due (or at once when touched), SIGHUP reopens the audit file, SIGTERM
# stops it promptly with exit 0, letting calls in flight finish and
# leaving nothing in cur/.
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config "concurrency = 4;" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

send "$(status_event agent-1 available)" && id1=$SENT_ID
assert "a new event is applied within 3 s" wait_for 3 audit_has "$id1" applied

# Deferred with a short backoff: due again without any help.
control POST faults '{"agent-2": [{"status": 503}]}' >/dev/null
send "$(status_event agent-2 available)" && id2=$SENT_ID
assert "a deferred event is applied when its next attempt comes due" \
    wait_for 5 audit_has "$id2" applied
is "$(audit_outcomes "$id2")" "deferred applied" \
    "deferred once, then applied"

# SIGHUP: the audit file is reopened (after rotation).
mv "$T/audit.jsonl" "$T/audit.jsonl.1"
kill -HUP "$WORKER_PID"
sleep 0.2
send "$(status_event agent-3 available)" && id3=$SENT_ID
assert "after SIGHUP the next line goes to a new audit file" \
    wait_for 5 audit_has "$id3" applied
assert_file_lacks "$T/audit.jsonl.1" "$id3" "... and not to the rotated one"

# SIGTERM stops it with exit 0.
kill -TERM "$WORKER_PID"
assert "SIGTERM: it stops within 5 s" wait_for 5 sh -c "! kill -0 $WORKER_PID"
wait "$WORKER_PID"
is "$?" 0 "... with exit 0"
assert_file_has "$T/worker.log" 'stopped: 3 applied, 0 superseded, 1 deferred, 0 dead' \
    "... saying what it did"

# A long backoff: a deferred event waits for its time, or for `touch`.
worker_config "concurrency = 4; backoff_min_ms = 60000; backoff_max_ms = 120000;" "" \
    'sla = { threshold_ms = 600000; };'
start_worker
control POST faults '{"agent-4": [{"status": 503}]}' >/dev/null
send "$(status_event agent-4 available)" && id4=$SENT_ID
assert "a 503 defers the event for a minute" \
    wait_for 5 test -e "$T/spool/deferred/$id4"
touch -c "$T/spool/deferred/$id4"	# never an empty event in its place
assert "touch makes it due: applied within 3 s" \
    wait_for 3 audit_has "$id4" applied

# SIGTERM with calls in flight: they finish, the rest goes back to new/.
control POST faults '{"slow-0": [{"delay_ms": 1500}], "slow-1": [{"delay_ms": 1500}], "slow-2": [{"delay_ms": 1500}], "slow-3": [{"delay_ms": 1500}], "slow-4": [{"delay_ms": 1500}], "slow-5": [{"delay_ms": 1500}], "slow-6": [{"delay_ms": 1500}], "slow-7": [{"delay_ms": 1500}]}' >/dev/null
status_burst "$T/slow" 8 slow offline
assert "eight slow events accepted" send_many "$T/slow"
wait_for 5 spool_has_files cur
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$WORKER_PID"
assert "SIGTERM with calls in flight: it stops" \
    wait_for 8 sh -c "! kill -0 $WORKER_PID"
wait "$WORKER_PID"
is "$?" 0 "... with exit 0"
t=$((($(date +%s%N) - t0) / 1000000))
assert "... promptly (${t} ms: the calls in flight, no more)" test "$t" -le 4000
is "$(spool_files cur)" 0 "nothing left in cur/"
slow_applied=$(audit_count applied slow-)
is "$((slow_applied + $(spool_files new)))" 8 \
    "every slow event is applied ($slow_applied) or back in new/ ($(spool_files new))"
is "$(journal '[.[] | select(.user // "" | startswith("slow-"))] | length')" "$slow_applied" \
    "no call was cut off: each call made was applied"
assert "no secret or token in the worker's log or the audit files" \
    no_secrets "$T/worker.log" "$T/audit.jsonl" "$T/audit.jsonl.1"

done_testing
