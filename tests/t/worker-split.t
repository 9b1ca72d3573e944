#!/usr/bin/env bash
# worker-split.t: the worker under the README's privilege split, lived out
# by the harness's two users (RH_SPLIT in tests/lib.sh), laid out by
# contrib/routehook-setup.sh: the responder (behind nginx) as one, the
# worker and routehookctl as the other.  A retry happens (the deferred
# file is the worker's, so its time can be set), a dead letter is the
# worker's and the responder's user cannot change it, a crashed daemon's
# claims are taken again, the daemon keeps a locked pid file, root is
# refused on the spool, and routehookctl works as root and as the spool's
# owner.  Needs root.
RH_SPLIT=1
. "$(dirname "$0")/../lib.sh"

w=$RH_WORK_USER		# the worker's user (and the spool's group)
f=$RH_WEB_USER		# the responder's user

start_standin --latency-ms 300
# A long backoff: however slowly a loaded machine runs it, --once ends
# before the 503'd event is due again; it is retried when touched.
worker_config "backoff_min_ms = 60000; backoff_max_ms = 120000;" "" \
    "sla = { threshold_ms = 600000; };"
S=$T/spool
conf=$T/routehook.conf
start_responder
start_nginx

# --- a retry and a dead letter -------------------------------------------
control POST faults '{"agent-1":[{"status":503}],"agent-3":[{"status":400}]}' >/dev/null
send "$(status_event agent-1 available 2026-01-01T10:00:01Z)" && id1=$SENT_ID &&
send "$(status_event agent-2 available 2026-01-01T10:00:02Z)" && id2=$SENT_ID &&
send "$(status_event agent-3 available 2026-01-01T10:00:03Z)" && id3=$SENT_ID
ok $? "three events accepted by the responder as $f"
is "$(stat -c %U "$S/new/$id1")" "$f" "a dropped event is the responder's user's"
run_worker
is "$?" 0 "--once as the worker's user exits 0"
is "$(stat -c '%U %a' "$S/deferred/$id1" 2>/dev/null)" "$w 640" \
    "the deferred event is now the worker's own file"
is "$(stat -c '%U %a' "$S/dead/$id3" 2>/dev/null)" "$w 640" \
    "so is the dead letter"
refute "deferring it needed no right the worker lacks" \
    grep -q 'utimensat\|Operation not permitted' "$T/worker.log"
refute "the responder's user cannot change the dead letter" \
    quietly as_web sh -c "printf evil >>'$S/dead/$id3'"
as_web rm -f "$S/dead/$id3" 2>/dev/null
assert "nor remove it" test -f "$S/dead/$id3"
as_work "$CTL" -c "$conf" dead show "$id3" 2>/dev/null >"$T/shown"
printf '%s' "$(status_event agent-3 available 2026-01-01T10:00:03Z)" | cmp -s - "$T/shown"
ok $? "dead show gives the bytes the sender sent"
as_work touch "$S/deferred/$id1"
run_worker
is "$(audit_jq ".[] | select(.event_id == \"$id1\") | .outcome" | tr '\n' ' ')" \
    "deferred applied " "touched, the deferred event is retried and applied"
is "$(ls "$S/new" "$S/cur" "$S/deferred" | grep -c '^[0-9]')" 0 \
    "nothing left but the dead letter"

# --- a dropped FIFO or link never travels ---------------------------------
as_web mkfifo "$S/new/1.M1P1Q1.fifo"
as_web ln -s /etc/passwd "$S/new/1.M1P1Q2.link"
as_work timeout 30 "$WORKER" -c "$conf" --once 2>>"$T/worker.log"
junk_stays() { [ -p "$S/new/1.M1P1Q1.fifo" ] && [ -L "$S/new/1.M1P1Q2.link" ]; }
assert "a FIFO and a symlink dropped in new/ stay there, the run ends" junk_stays
odd_files() { find "$S/cur" "$S/deferred" "$S/dead" ! -type f ! -type d | grep -q .; }
refute "nothing but regular files in cur/ deferred/ dead/" odd_files
as_web rm -f "$S/new/1.M1P1Q1.fifo" "$S/new/1.M1P1Q2.link"

# --- the daemon: pid file, a crash, a second daemon -----------------------
# setpriv execs: $WORKER_PID is the daemon itself.
start_worker
wpid=$WORKER_PID
is "$(cat "$S/state/worker.pid" 2>/dev/null)" "$wpid" "state/worker.pid holds the daemon's pid"
refute "and is locked while it runs" flock -n "$S/state/worker.pid" true
as_work "$WORKER" -c "$conf" 2>"$T/second.log"
is "$?" 111 "a second daemon on the spool refuses (111)"
assert "naming the first one's pid" \
    grep -q "another routehook-worker daemon (pid $wpid)" "$T/second.log"
control POST faults '{"agent-5":[{"delay_ms":4000}],"agent-6":[{"delay_ms":4000}]}' >/dev/null
send "$(status_event agent-5 available 2026-01-01T10:00:05Z)" && id5=$SENT_ID &&
send "$(status_event agent-6 available 2026-01-01T10:00:06Z)" && id6=$SENT_ID
assert "two calls in flight" \
    wait_for 10 sh -c "[ \$(ls '$S/cur' | grep -c '^[0-9]') -eq 2 ]"
kill -9 "$wpid"
wait "$wpid" 2>/dev/null
is "$(stat -c %U "$S/cur/$id5")" "$w" "a crashed daemon's claims are its user's files in cur/"
assert "its pid file is no longer locked: stale" \
    flock -n "$S/state/worker.pid" true
start_worker
assert "the restarted daemon takes them again and applies both" \
    wait_for 20 sh -c "[ \$(jq -s '[.[] | select(.outcome == \"applied\" and (.event_id == \"$id5\" or .event_id == \"$id6\"))] | length' '$AUDIT') -eq 2 ]"
is "$(audit_jq "[.[] | select(.event_id == \"$id5\" or .event_id == \"$id6\")] | length")" 2 \
    "one outcome each"
stop_pid "$WORKER_PID"

# --- root refused, routehookctl as root and as the owner ------------------
# (check and simulate read the webhook secret, the responder's alone:
# as the spool's owner they cannot; see routehookctl(8).)
"$WORKER" -c "$conf" --once 2>"$T/root.log"
is "$?" 100 "the worker run as root on $w's spool exits 100"
assert "naming the user to run it as" \
    grep -q "run it as $w" "$T/root.log" || sed 's/^/#   /' "$T/root.log"
is "$(find "$S" "$T/log" -user root | wc -l)" 0 "and leaves nothing of root's behind"
for who in root "$w"; do
	cmds="status|dead list|dead show $id3|queue list"
	[ "$who" = root ] && cmds="$cmds|check"
	IFS='|'
	for cmd in $cmds; do
		IFS=' '

		if [ "$who" = root ]; then
			# shellcheck disable=SC2086
			"$CTL" -c "$conf" $cmd >"$T/ctl.out" 2>&1
		else
			# shellcheck disable=SC2086
			as_work "$CTL" -c "$conf" $cmd >"$T/ctl.out" 2>&1
		fi
		is "$?" 0 "routehookctl $cmd as $who" || sed 's/^/#   /' "$T/ctl.out"
	done
	IFS=' '
done
is "$(find "$S" "$T/log" -user root | wc -l)" 0 "routehookctl as root leaves nothing of root's"

done_testing
