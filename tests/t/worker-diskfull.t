#!/bin/sh
# worker-diskfull.t: the audit file on a small loop-mounted filesystem
# that fills up.  No outcome without its record: the worker applies
# nothing more, the events go back untouched, it says so once, status and
# the metrics show it, --once exits 111; with room again it resumes by
# itself, says so once, and every event ends with exactly one applied
# line.  Needs root (mount).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root (mount -o loop)"
command -v mkfs.ext4 >/dev/null || skip_all "no mkfs.ext4"

M=$T/full
mkdir "$M"
dd if=/dev/zero of="$T/fs.img" bs=1024 count=4096 2>/dev/null &&
    mkfs.ext4 -q -F -m 0 "$T/fs.img" >/dev/null 2>&1 &&
    mount -o loop "$T/fs.img" "$M" 2>"$T/mount.err" ||
    skip_all "cannot mount a loop filesystem: $(cat "$T/mount.err")"
# Unmounted whatever happens, before the scratch directory goes.
trap 'stop_all; umount "$M" 2>/dev/null; rh_cleanup; exit $?' EXIT

start_standin
worker_config "metrics_file = \"$T/worker.prom\";" "" 'sla = { threshold_ms = 600000; };'
sed -i "s|^audit = { file = .*|audit = { file = \"$M/audit.jsonl\"; };|" "$T/routehook.conf"
grep -q "audit = { file = \"$M" "$T/routehook.conf" || bail "config: $(cat "$T/routehook.conf")"
start_responder
start_nginx
start_worker
send "$(status_event agent-0 available 2026-01-01T10:00:00Z)"
wait_for 10 grep -q applied "$M/audit.jsonl"
ok $? "an event applied while there is room"

# Fill it to the last block.
dd if=/dev/zero of="$M/filler" bs=4096 2>/dev/null
sync
# The audit file's last block still has room for a few lines: enough
# events that it fills up.
mkdir "$T/burst"
i=1
while [ $i -le 30 ]; do
	status_event "agent-$i" available "2026-01-01T10:00:00Z" >"$T/burst/$(printf %03d $i)"
	i=$((i + 1))
done
send_many "$T/burst"
ok $? "thirty more events accepted (the spool has room)"
wait_for 10 grep -q 'applying nothing until audit lines can be written' "$T/worker.log"
ok $? "the worker says it applies nothing until it can write audit lines"
wait_for 10 sh -c "[ \$(ls '$T/spool/cur' | wc -l) -eq 0 ]"
left=$(($(spool_files new) + $(spool_files deferred)))
done1=$(jq -s 'length' "$M/audit.jsonl")
ok "$([ "$left" -gt 0 ]; echo $?)" "events went back to the spool, untouched ($left)"
is "$((done1 + left))" 31 "no outcome without its line: every event has one or is still queued"
is "$(grep -c 'applying nothing' "$T/worker.log")" 1 "said once"
"$CTL" -c "$T/routehook.conf" status >"$T/status.out" 2>&1
grep -q "worker paused since .*$M/audit.jsonl" "$T/status.out"
ok $? "routehookctl status shows the pause and why" || sed 's/^/#   /' "$T/status.out"
wait_for 15 grep -qx 'routehook_worker_audit_blocked 1' "$T/worker.prom"
ok $? "the metrics show it"
calls=$(journal '[.[] | select(.path | startswith("/api/"))] | length')
"$WORKER" -c "$T/routehook.conf" --once 2>"$T/once.log"
is "$?" 111 "--once with the audit file's disk full exits 111"
is "$(journal '[.[] | select(.path | startswith("/api/"))] | length')" "$calls" \
    "... having called nothing"

rm -f "$M/filler"
wait_for 20 grep -q "$M/audit.jsonl can be written again" "$T/worker.log"
ok $? "room again: the worker says it resumes, by itself"
wait_for 20 sh -c "[ \$(grep -c applied '$M/audit.jsonl') -eq 31 ]"
ok $? "all 31 applied"
is "$(jq -s -c '[.[] | select(.outcome == "applied") | .event_id] | group_by(.) | map(length) | max' "$M/audit.jsonl" 2>/dev/null)" 1 \
    "each with exactly one applied line"
is "$(jq -s '[.[] | .payload_summary.userId] | unique | length' "$M/audit.jsonl" 2>/dev/null)" 31 \
    "... one per user (the file is whole JSON lines)"
is "$(grep -c 'can be written again' "$T/worker.log")" 1 "said once"
is "$(spool_total)" 0 "nothing left in the spool"
"$CTL" -c "$T/routehook.conf" status >"$T/status.out" 2>&1
grep -q 'worker paused' "$T/status.out"
ok $((! $?)) "status no longer shows a pause"
wait_for 15 grep -qx 'routehook_worker_audit_blocked 0' "$T/worker.prom"
ok $? "nor do the metrics"
is "$(journal '[.[] | select(.path | startswith("/api/")) | .user] | group_by(.) | map(length) | max')" 1 \
    "no event was called twice"

done_testing
