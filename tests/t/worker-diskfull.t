#!/bin/sh
# worker-diskfull.t: the audit file on a small loop-mounted filesystem
# that fills up.  No outcome without its record: the worker applies
# nothing more, the events go back untouched, it says so once, status and
# the metrics show it, --once exits 111; with room again it resumes by
# itself, says so once, and every event ends with exactly one applied
# line.  Needs root (mount).
. "$(dirname "$0")/../lib.sh"

need_root "mounting a filesystem"
[ -e /dev/loop-control ] || skip_all "no loop devices (/dev/loop-control)"

M=$T/full
loop_fs "$M"
AUDIT=$M/audit.jsonl

start_standin
worker_config "metrics_file = \"$T/worker.prom\";" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker
send "$(status_event agent-0 available 2026-01-01T10:00:00Z)"
assert "an event applied while there is room" wait_for 10 audit_count_is applied 1

fill_fs "$M"
# The audit file's last block still has room for a few lines: enough
# events that it fills up.
mkdir "$T/burst"
i=1
while [ $i -le 30 ]; do
	status_event "agent-$i" available "2026-01-01T10:00:00Z" >"$T/burst/$(printf %03d $i)"
	i=$((i + 1))
done
assert "thirty more events accepted (the spool has room)" send_many "$T/burst"
assert "the worker says it applies nothing until it can write audit lines" \
    wait_for 10 grep -q 'applying nothing until audit lines can be written' "$T/worker.log"
wait_for 10 spool_count_is cur 0
left=$(($(spool_files new) + $(spool_files deferred)))
done1=$(jq -s 'length' "$M/audit.jsonl")
assert "events went back to the spool, untouched ($left)" test "$left" -gt 0
is "$((done1 + left))" 31 "no outcome without its line: every event has one or is still queued"
is "$(grep -c 'applying nothing' "$T/worker.log")" 1 "said once"
"$CTL" -c "$T/routehook.conf" status >"$T/status.out" 2>&1
assert_file_matches "$T/status.out" "worker paused since .*$M/audit.jsonl" \
    "routehookctl status shows the pause and why"
assert "the metrics show it" \
    wait_for 15 grep -qx 'routehook_worker_audit_blocked 1' "$T/worker.prom"
calls=$(api_calls)
"$WORKER" -c "$T/routehook.conf" --once 2>"$T/once.log"
is "$?" 111 "--once with the audit file's disk full exits 111"
is "$(api_calls)" "$calls" "... having called nothing"

free_fs "$M"
assert "room again: the worker says it resumes, by itself" \
    wait_for 20 grep -q "$M/audit.jsonl can be written again" "$T/worker.log"
assert "all 31 applied" wait_for 20 audit_count_is applied 31
is "$(audit_jq '[.[] | select(.outcome == "applied") | .event_id] | group_by(.)
    | map(length) | max')" 1 "each with exactly one applied line"
is "$(audit_jq '[.[] | .payload_summary.userId] | unique | length')" 31 \
    "... one per user (the file is whole JSON lines)"
is "$(grep -c 'can be written again' "$T/worker.log")" 1 "said once"
is "$(spool_total)" 0 "nothing left in the spool"
"$CTL" -c "$T/routehook.conf" status >"$T/status.out" 2>&1
assert_file_lacks "$T/status.out" 'worker paused' "status no longer shows a pause"
assert "nor do the metrics" \
    wait_for 15 grep -qx 'routehook_worker_audit_blocked 0' "$T/worker.prom"
is "$(journal '[.[] | select(.path | startswith("/api/")) | .user] | group_by(.)
    | map(length) | max')" 1 "no event was called twice"

done_testing
