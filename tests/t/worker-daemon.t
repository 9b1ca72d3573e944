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

applied() {	# applied ID: an applied line for ID in the audit file
	grep -q "\"event_id\":\"$1\".*\"outcome\":\"applied\"" "$T/audit.jsonl" 2>/dev/null
}

send "$(status_event agent-1 available)" && id1=$SENT_ID
wait_for 3 applied "$id1"
ok $? "a new event is applied within 3 s"

# Deferred with a short backoff: due again without any help.
control POST faults '{"agent-2": [{"status": 503}]}' >/dev/null
send "$(status_event agent-2 available)" && id2=$SENT_ID
wait_for 5 applied "$id2"
ok $? "a deferred event is applied when its next attempt comes due"
is "$(audit_jq "[.[] | select(.event_id == \"$id2\") | .outcome] | join(\" \")")" "deferred applied" \
    "deferred once, then applied"

# SIGHUP: the audit file is reopened (after rotation).
mv "$T/audit.jsonl" "$T/audit.jsonl.1"
kill -HUP "$WORKER_PID"
sleep 0.2
send "$(status_event agent-3 available)" && id3=$SENT_ID
wait_for 5 applied "$id3"
ok $? "after SIGHUP the next line goes to a new audit file"
ok "$(! grep -q "$id3" "$T/audit.jsonl.1"; echo $?)" "... and not to the rotated one"

# SIGTERM stops it with exit 0.
kill -TERM "$WORKER_PID"
wait_for 5 sh -c "! kill -0 $WORKER_PID"
ok $? "SIGTERM: it stops within 5 s"
wait "$WORKER_PID"
is "$?" 0 "... with exit 0"
ok "$(grep -q 'stopped: 3 applied, 0 superseded, 1 deferred, 0 dead' "$T/worker.log"; echo $?)" \
    "... saying what it did"

# A long backoff: a deferred event waits for its time, or for `touch`.
worker_config "concurrency = 4; backoff_min_ms = 60000; backoff_max_ms = 120000;" "" \
    'sla = { threshold_ms = 600000; };'
start_worker
control POST faults '{"agent-4": [{"status": 503}]}' >/dev/null
send "$(status_event agent-4 available)" && id4=$SENT_ID
wait_for 5 test -e "$T/spool/deferred/$id4"
ok $? "a 503 defers the event for a minute"
touch "$T/spool/deferred/$id4"
wait_for 3 applied "$id4"
ok $? "touch makes it due: applied within 3 s"

# SIGTERM with calls in flight: they finish, the rest goes back to new/.
control POST faults '{"slow-0": [{"delay_ms": 1500}], "slow-1": [{"delay_ms": 1500}], "slow-2": [{"delay_ms": 1500}], "slow-3": [{"delay_ms": 1500}], "slow-4": [{"delay_ms": 1500}], "slow-5": [{"delay_ms": 1500}], "slow-6": [{"delay_ms": 1500}], "slow-7": [{"delay_ms": 1500}]}' >/dev/null
mkdir "$T/slow"
i=0
while [ $i -lt 8 ]; do
	status_event "slow-$i" offline >"$T/slow/$i"
	i=$((i + 1))
done
send_many "$T/slow"
ok $? "eight slow events accepted"
wait_for 5 sh -c "[ \$(ls '$T/spool/cur' | wc -l) -gt 0 ]"
sleep 0.5
t0=$(date +%s%N)
kill -TERM "$WORKER_PID"
wait_for 8 sh -c "! kill -0 $WORKER_PID"
ok $? "SIGTERM with calls in flight: it stops"
wait "$WORKER_PID"
is "$?" 0 "... with exit 0"
t=$((($(date +%s%N) - t0) / 1000000))
ok "$([ $t -le 4000 ]; echo $?)" "... promptly (${t} ms: the calls in flight, no more)"
is "$(spool_files cur)" 0 "nothing left in cur/"
slow_applied=$(audit_jq '[.[] | select(.outcome == "applied" and (.payload_summary.userId | startswith("slow-")))] | length')
is "$((slow_applied + $(spool_files new)))" 8 \
    "every slow event is applied ($slow_applied) or back in new/ ($(spool_files new))"
is "$(journal '[.[] | select(.user // "" | startswith("slow-"))] | length')" "$slow_applied" \
    "no call was cut off: each call made was applied"
no_secrets "$T/worker.log" "$T/audit.jsonl" "$T/audit.jsonl.1"
ok $? "no secret or token in the worker's log or the audit files"

done_testing
