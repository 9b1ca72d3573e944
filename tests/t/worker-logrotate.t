#!/bin/sh
# worker-logrotate.t: the shipped contrib/logrotate/routehook, run with
# `logrotate -f` against a running daemon (only its paths and user moved
# to the scratch directory): the daemon is found through its pid file,
# reopens the audit file, and no line lands in the rotated file after the
# rotation.
. "$(dirname "$0")/../lib.sh"

command -v logrotate >/dev/null || skip_all "no logrotate"
command -v flock >/dev/null || skip_all "no flock"

start_standin
worker_config "" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

send "$(status_event agent-1 available 2026-01-01T10:00:01Z)" &&
send "$(status_event agent-2 available 2026-01-01T10:00:02Z)"
ok $? "two events accepted"
assert "both applied and audited" \
    wait_for 10 sh -c "[ \$(grep -c applied '$T/audit.jsonl') -eq 2 ]"

me=$(id -un)
grp=$(id -gn)
sed -e "s|/var/log/routehook/audit.jsonl|$T/audit.jsonl|" \
    -e "s|/var/spool/routehook|$T/spool|" \
    -e "s|su routehook routehook|su $me $grp|" \
    -e "s|create 0640 routehook routehook|create 0640 $me $grp|" \
    "$RH_TOP/contrib/logrotate/routehook" >"$T/logrotate.conf"
assert "the shipped file finds the daemon through its pid file" \
    grep -q "$T/spool/state/worker.pid" "$T/logrotate.conf"
logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" >"$T/logrotate.out" 2>&1
ok $? "logrotate -f runs the shipped file" || sed 's/^/#   /' "$T/logrotate.out"
rotated=$(ls "$T"/audit.jsonl-* 2>/dev/null | head -n 1)
rotated_whole() { [ -n "$rotated" ] && [ "$(grep -c applied "$rotated")" -eq 2 ]; }
assert "the audit file was renamed, with its two lines" rotated_whole
wait_for 10 grep -q "reopened $T/audit.jsonl" "$T/worker.log"
ok $? "the daemon got SIGHUP and reopened the audit file"

send "$(status_event agent-3 available 2026-01-01T10:00:03Z)" && id3=$SENT_ID &&
send "$(status_event agent-4 available 2026-01-01T10:00:04Z)" && id4=$SENT_ID
assert "events after the rotation are audited in the new file" \
    wait_for 10 sh -c "[ \$(grep -c applied '$T/audit.jsonl' 2>/dev/null) -eq 2 ]"
is "$(grep -c applied "$rotated")" 2 "no line landed in the rotated file after rotation"
grep -q "$id3" "$T/audit.jsonl" && grep -q "$id4" "$T/audit.jsonl"
ok $? "the new file holds them"
assert "the daemon still runs" kill -0 "$WORKER_PID"

done_testing
