#!/usr/bin/env bash
# worker-split.t: the worker under the README's privilege split, lived out
# by two throwaway users laid out by contrib/routehook-setup.sh: the
# responder (behind nginx) as one, the worker and routehookctl as the
# other.  A retry happens (the deferred file is the worker's, so its time
# can be set), a dead letter is the worker's and the responder's user
# cannot change it, a crashed daemon's claims are taken again, the daemon
# keeps a locked pid file, root is refused on the spool, and routehookctl
# works as root and as the spool's owner.  Needs root (it creates users).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
command -v useradd >/dev/null || skip_all "no useradd"

w=rhs-w$$		# the worker's user (and the spool's group)
f=rhs-f$$		# the responder's user
del_users() {
	userdel "$f" >/dev/null 2>&1
	userdel "$w" >/dev/null 2>&1
	groupdel "$f" >/dev/null 2>&1
	groupdel "$w" >/dev/null 2>&1
	return 0
}
trap 'rh_cleanup; rc=$?; del_users; exit $rc' EXIT

as_f() { runuser -u "$f" -- "$@"; }
as_w() { runuser -u "$w" -- "$@"; }

start_standin --latency-ms 300
S=$T/spool
E=$T/etc
L=$T/log
mkdir -p "$E"
ROUTEHOOK_USER=$w ROUTEHOOK_FCGI_USER=$f ROUTEHOOK_ETC=$E \
    ROUTEHOOK_SPOOL=$S ROUTEHOOK_LOG=$L ROUTEHOOK_SAMPLE=$T/no-sample \
    sh "$RH_TOP/contrib/routehook-setup.sh" >"$T/setup.out" 2>&1 ||
    bail "routehook-setup.sh failed: $(cat "$T/setup.out")"
cp "$T/client.secret" "$E/client.secret"
# A long backoff: however slowly a loaded machine runs it, --once ends
# before the 503'd event is due again; it is retried when touched.
cat >"$E/routehook.conf" <<CONF
spool_dir = "$S";
receiver = { secret_file = "$E/webhook.secret"; };
genesys = {
  api_base = "$STANDIN_URL"; login_base = "$STANDIN_URL";
  client_id = "test-client"; client_secret_file = "$E/client.secret";
  ca_file = "$T/certs/ca.pem"; timeout_ms = 5000;
};
worker = { backoff_min_ms = 60000; backoff_max_ms = 120000; };
audit = { file = "$L/audit.jsonl"; };
sla = { threshold_ms = 600000; };
CONF
chmod 640 "$E/routehook.conf"
chown "root:$w" "$E/routehook.conf"

# The programs where both users may run them.
mkdir -p "$T/bin"
cp "$FCGI" "$WORKER" "$CTL" "$T/bin/"
W=$T/bin/routehook-worker
C=$T/bin/routehookctl
spawn-fcgi -n -s "$T/fcgi.sock" -M 0666 -u "$f" -g "$w" -- \
    "$T/bin/routehook-fcgi" -c "$E/routehook.conf" 2>>"$T/fcgi.log" &
track $!
wait_for 10 test -S "$T/fcgi.sock" || bail "responder did not start"
start_nginx
# send_as JSON: POST one event signed with the responder's secret.
send_as() {
	printf '%s' "$1" >"$T/send.json"
	_code=$(post "$T/send.json" -H "X-Genesys-Signature: $(sign "$T/send.json" "$E/webhook.secret")")
	SENT_ID=$(jq -r '.id // empty' "$T/response" 2>/dev/null)
	[ "$_code" = 202 ] || { diag "send: $_code $(cat "$T/response")"; return 1; }
}
audit() { jq -s -c -r "$1" "$L/audit.jsonl"; }

# --- a retry and a dead letter -------------------------------------------
control POST faults '{"agent-1":[{"status":503}],"agent-3":[{"status":400}]}' >/dev/null
send_as "$(status_event agent-1 available 2026-01-01T10:00:01Z)" && id1=$SENT_ID &&
send_as "$(status_event agent-2 available 2026-01-01T10:00:02Z)" && id2=$SENT_ID &&
send_as "$(status_event agent-3 available 2026-01-01T10:00:03Z)" && id3=$SENT_ID
ok $? "three events accepted by the responder as $f"
is "$(stat -c %U "$S/new/$id1")" "$f" "a dropped event is the responder's user's"
as_w "$W" -c "$E/routehook.conf" --once 2>>"$T/worker.log"
is "$?" 0 "--once as the worker's user exits 0"
is "$(stat -c '%U %a' "$S/deferred/$id1" 2>/dev/null)" "$w 640" \
    "the deferred event is now the worker's own file"
is "$(stat -c '%U %a' "$S/dead/$id3" 2>/dev/null)" "$w 640" \
    "so is the dead letter"
refute "deferring it needed no right the worker lacks" \
    grep -q 'utimensat\|Operation not permitted' "$T/worker.log"
refute "the responder's user cannot change the dead letter" \
    quietly as_f sh -c "printf evil >>'$S/dead/$id3'"
as_f rm -f "$S/dead/$id3" 2>/dev/null
assert "nor remove it" test -f "$S/dead/$id3"
as_w "$C" -c "$E/routehook.conf" dead show "$id3" 2>/dev/null >"$T/shown"
printf '%s' "$(status_event agent-3 available 2026-01-01T10:00:03Z)" | cmp -s - "$T/shown"
ok $? "dead show gives the bytes the sender sent"
as_w touch "$S/deferred/$id1"
as_w "$W" -c "$E/routehook.conf" --once 2>>"$T/worker.log"
is "$(audit ".[] | select(.event_id == \"$id1\") | .outcome" | tr '\n' ' ')" \
    "deferred applied " "touched, the deferred event is retried and applied"
is "$(ls "$S/new" "$S/cur" "$S/deferred" | grep -c '^[0-9]')" 0 \
    "nothing left but the dead letter"

# --- a dropped FIFO or link never travels ---------------------------------
as_f mkfifo "$S/new/1.M1P1Q1.fifo"
as_f ln -s /etc/passwd "$S/new/1.M1P1Q2.link"
as_w timeout 30 "$W" -c "$E/routehook.conf" --once 2>>"$T/worker.log"
junk_stays() { [ -p "$S/new/1.M1P1Q1.fifo" ] && [ -L "$S/new/1.M1P1Q2.link" ]; }
assert "a FIFO and a symlink dropped in new/ stay there, the run ends" junk_stays
odd_files() { find "$S/cur" "$S/deferred" "$S/dead" ! -type f ! -type d | grep -q .; }
refute "nothing but regular files in cur/ deferred/ dead/" odd_files
as_f rm -f "$S/new/1.M1P1Q1.fifo" "$S/new/1.M1P1Q2.link"

# --- the daemon: pid file, a crash, a second daemon -----------------------
: >"$T/daemon.log"
as_w "$W" -c "$E/routehook.conf" 2>>"$T/daemon.log" &
dpid=$!
track $dpid
wait_for 10 grep -q 'started (daemon)' "$T/daemon.log" || bail "daemon did not start"
# runuser forks: the daemon is its child.
wpid=$(pgrep -u "$w" -f "$W -c" | head -n 1)
is "$(cat "$S/state/worker.pid" 2>/dev/null)" "$wpid" "state/worker.pid holds the daemon's pid"
refute "and is locked while it runs" flock -n "$S/state/worker.pid" true
as_w "$W" -c "$E/routehook.conf" 2>"$T/second.log"
is "$?" 111 "a second daemon on the spool refuses (111)"
assert "naming the first one's pid" \
    grep -q "another routehook-worker daemon (pid $wpid)" "$T/second.log"
control POST faults '{"agent-5":[{"delay_ms":4000}],"agent-6":[{"delay_ms":4000}]}' >/dev/null
send_as "$(status_event agent-5 available 2026-01-01T10:00:05Z)" && id5=$SENT_ID &&
send_as "$(status_event agent-6 available 2026-01-01T10:00:06Z)" && id6=$SENT_ID
assert "two calls in flight" \
    wait_for 10 sh -c "[ \$(ls '$S/cur' | grep -c '^[0-9]') -eq 2 ]"
kill -9 "$wpid"
wait_for 5 sh -c "! kill -0 $wpid 2>/dev/null"
is "$(stat -c %U "$S/cur/$id5")" "$w" "a crashed daemon's claims are its user's files in cur/"
assert "its pid file is no longer locked: stale" \
    flock -n "$S/state/worker.pid" true
: >"$T/daemon.log"
as_w "$W" -c "$E/routehook.conf" 2>>"$T/daemon.log" &
track $!
wait_for 10 grep -q 'started (daemon)' "$T/daemon.log" || bail "daemon did not restart"
assert "the restarted daemon takes them again and applies both" \
    wait_for 20 sh -c "[ \$(jq -s '[.[] | select(.outcome == \"applied\" and (.event_id == \"$id5\" or .event_id == \"$id6\"))] | length' '$L/audit.jsonl') -eq 2 ]"
is "$(audit "[.[] | select(.event_id == \"$id5\" or .event_id == \"$id6\")] | length")" 2 \
    "one outcome each"
wpid=$(pgrep -u "$w" -f "$W -c" | head -n 1)
kill -TERM "$wpid"
wait_for 10 sh -c "! kill -0 $wpid 2>/dev/null"

# --- root refused, routehookctl as root and as the owner ------------------
# (check and simulate read the webhook secret, the responder's alone:
# as the spool's owner they cannot; see routehookctl(8).)
"$W" -c "$E/routehook.conf" --once 2>"$T/root.log"
is "$?" 100 "the worker run as root on $w's spool exits 100"
assert "naming the user to run it as" \
    grep -q "run it as $w" "$T/root.log" || sed 's/^/#   /' "$T/root.log"
is "$(find "$S" "$L" -user root | wc -l)" 0 "and leaves nothing of root's behind"
for who in root "$w"; do
	cmds="status|dead list|dead show $id3|queue list"
	[ "$who" = root ] && cmds="$cmds|check"
	IFS='|'
	for cmd in $cmds; do
		IFS=' '

		if [ "$who" = root ]; then
			# shellcheck disable=SC2086
			"$C" -c "$E/routehook.conf" $cmd >"$T/ctl.out" 2>&1
		else
			# shellcheck disable=SC2086
			as_w "$C" -c "$E/routehook.conf" $cmd >"$T/ctl.out" 2>&1
		fi
		is "$?" 0 "routehookctl $cmd as $who" || sed 's/^/#   /' "$T/ctl.out"
	done
	IFS=' '
done
is "$(find "$S" "$L" -user root | wc -l)" 0 "routehookctl as root leaves nothing of root's"

done_testing
