#!/usr/bin/env bash
# units.t: the service-management files in contrib/ are valid and do what
# their comments say.
#
#   systemd/	`systemd-analyze verify` prints nothing for each unit (its
#		warnings do not change the exit status, so any output
#		fails), with ExecStart= pointed at the built programs in a
#		copy; each service's exposure (`systemd-analyze security
#		--offline`) stays low; the socket hands the responder its
#		listen socket on stdin, as the users of the privilege split.
#   logrotate/	parses (`logrotate --debug`), and a forced rotation of a
#		copy pointed into $T renames the file and creates a new one
#		0640, without copytruncate.
#   cron/	a valid cron.d line running `routehook-worker --once` as
#		routehook under `flock -n`; its command, run with a stand-in
#		worker, runs it once and skips while another pass holds the
#		lock.
. "$(dirname "$0")/../lib.sh"

command -v systemd-analyze >/dev/null || bail "systemd is not installed (make deps)"
command -v logrotate >/dev/null || bail "logrotate is not installed (make deps)"

C=$RH_TOP/contrib

# --- systemd ---------------------------------------------------------------
mkdir -p "$T/units"
for u in "$C"/systemd/*; do
	sed -e "s|/usr/sbin/routehook-fcgi|$FCGI|g" \
	    -e "s|/usr/sbin/routehook-worker|$WORKER|g" \
	    "$u" >"$T/units/${u##*/}"
done

# Documentation= names man pages; systemd-analyze runs man(1) on them.
man=no
pages="fcgi/routehook-fcgi.8 worker/routehook-worker.8 etc/routehook.7"
have=0
for p in $pages; do
	[ -f "$RH_TOP/$p" ] && have=$((have + 1))
done
if [ "$have" -eq 3 ]; then
	for p in $pages; do
		s=${p##*.}
		mkdir -p "$T/man/man$s"
		cp "$RH_TOP/$p" "$T/man/man$s/"
	done
	export MANPATH=$T/man
	man=yes
fi

# verify UNIT BINARY...: systemd-analyze verify, silent and successful.
verify() {
	_u=$1
	shift
	for _b in "$@"; do
		if [ ! -x "$_b" ]; then
			skip "systemd-analyze verify $_u" "${_b##*/} not built"
			return
		fi
	done
	(cd "$T/units" && systemd-analyze verify --man=$man "./$_u") \
	    >"$T/verify.out" 2>&1
	_rc=$?
	[ "$_rc" -eq 0 ] && [ ! -s "$T/verify.out" ]
	ok $? "systemd-analyze verify $_u (man pages checked: $man)" ||
	    sed 's/^/#   /' "$T/verify.out"
}
verify routehook-fcgi.socket "$FCGI"
verify routehook-fcgi.service "$FCGI"
verify routehook-worker.service "$WORKER"
verify routehook-worker-once.service "$WORKER"
verify routehook-worker.timer "$WORKER"
[ "$man" = yes ] ||
    skip "Documentation= man pages resolve" "man pages not written yet"

# exposure UNIT MAX: systemd's own hardening score, 0.0 (best) to 10.0.
exposure() {
	(cd "$T/units" && systemd-analyze security --offline=yes \
	    --threshold="$2" "./$1") >"$T/security.out" 2>&1
	ok $? "$1: exposure at most $(echo "$2" | sed 's/.$/.&/')" ||
	    grep -E 'Overall|✗' "$T/security.out" | sed 's/^/#   /'
}
exposure routehook-fcgi.service 10
exposure routehook-worker.service 20
exposure routehook-worker-once.service 20

# key UNIT KEY=VALUE: the unit sets it (the last setting wins).
key() {
	_k=${2%%=*}
	is "$(grep "^$_k=" "$C/systemd/$1" | tail -n 1)" "$2" "$1: $2"
}
key routehook-fcgi.socket ListenStream=/run/routehook/fcgi.sock
key routehook-fcgi.socket SocketGroup=www-data
key routehook-fcgi.socket SocketMode=0660
key routehook-fcgi.service StandardInput=socket
key routehook-fcgi.service StandardOutput=journal
key routehook-fcgi.service User=routehook-fcgi
key routehook-fcgi.service Group=routehook
key routehook-fcgi.service ReadWritePaths=/var/spool/routehook
key routehook-fcgi.service CapabilityBoundingSet=
key routehook-worker.service User=routehook
assert "routehook-worker.service: ReadWritePaths=/var/spool/routehook" \
    grep -qx 'ReadWritePaths=/var/spool/routehook' "$C/systemd/routehook-worker.service"
key routehook-worker.service ReadWritePaths=-/var/lib/prometheus/node-exporter
key routehook-worker.service ExecReload="/bin/kill -HUP \$MAINPID"
key routehook-worker-once.service User=routehook
key routehook-worker.timer Unit=routehook-worker-once.service
assert "routehook-worker-once.service runs --once" \
    grep -q -- '--once' "$C/systemd/routehook-worker-once.service"

# The pair at work: the responder started the way routehook-fcgi.socket
# and .service start it, with the service's own ExecStart= arguments: the
# listening socket on fd 0 (StandardInput=socket) and on fd 3 with
# LISTEN_FDS=1, stdout elsewhere.  systemd-socket-activate plays systemd.
if [ -x "$FCGI" ] && command -v systemd-socket-activate >/dev/null; then
	write_config
	args=$(sed -n 's|^ExecStart=/usr/sbin/routehook-fcgi||p' \
	    "$C/systemd/routehook-fcgi.service")
	# shellcheck disable=SC2086
	systemd-socket-activate -l "$T/fcgi.sock" \
	    -E ASAN_OPTIONS -E UBSAN_OPTIONS -- \
	    sh -c 'exec "$0" "$@" <&3 >/dev/null' \
	    "$FCGI" -c "$T/routehook.conf" $args 2>>"$T/fcgi.log" &
	track $!
	wait_for 10 test -S "$T/fcgi.sock" ||
	    bail "systemd-socket-activate did not listen: $(cat "$T/fcgi.log")"
	start_nginx
	printf '{"eventType":"routing.status","unit":true}' >"$T/event.json"
	is "$(post "$T/event.json")" 202 \
	    "the responder serves a socket handed over as the units hand it" ||
	    diag "$(cat "$T/response" "$T/fcgi.log")"
	is "$(spool_files new)" 1 "and spools the event"
else
	skip "the responder serves a socket handed over as the units hand it" \
	    "not built"
fi

# --- logrotate -------------------------------------------------------------
mkdir -p "$T/log"
chmod 750 "$T/log"
me="$(id -un) $(id -gn)"
sed -e "s|/var/log/routehook/|$T/log/|g" \
    -e "s|su routehook routehook|su $me|" \
    -e "s|create 0640 routehook routehook|create 0640 $me|" \
    "$C/logrotate/routehook" >"$T/logrotate.conf"
printf '{"audit":1}\n' >"$T/log/audit.jsonl"
logrotate --debug --state "$T/lr.state" "$T/logrotate.conf" >"$T/lr.out" 2>&1
rc=$?
! grep -qi 'error' "$T/lr.out" && [ "$rc" -eq 0 ]
ok $? "logrotate --debug parses contrib/logrotate/routehook" ||
    sed 's/^/#   /' "$T/lr.out"
logrotate --force --state "$T/lr.state" "$T/logrotate.conf" >"$T/lr2.out" 2>&1
ok $? "logrotate --force rotates it" || sed 's/^/#   /' "$T/lr2.out"
rotated=$(find "$T/log" -name 'audit.jsonl-*' | head -n 1)
[ -n "$rotated" ] && grep -q '"audit":1' "$rotated"
ok $? "the old lines are in the rotated file (${rotated##*/})"
is "$(stat -c %a "$T/log/audit.jsonl" 2>/dev/null)" 640 \
    "a new audit file is created 0640"
is "$(stat -c %s "$T/log/audit.jsonl" 2>/dev/null)" 0 "and it is empty"
grep -v '^[[:space:]]*#' "$C/logrotate/routehook" >"$T/logrotate.active"
assert_file_lacks "$T/logrotate.active" copytruncate "no copytruncate"
assert "postrotate sends SIGHUP" grep -q 'HUP' "$C/logrotate/routehook"

# --- cron ------------------------------------------------------------------
cron=$C/cron/routehook
jobs=$(grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^[A-Z_]*=' "$cron")
is "$(printf '%s\n' "$jobs" | wc -l)" 1 "cron: one job line"
set -f			# the fields hold '*'
# shellcheck disable=SC2086
set -- $jobs
is "$1 $2 $3 $4 $5" "* * * * *" "cron: every minute"
is "$6" routehook "cron: as routehook"
shift 6
cmd=$*
set +f
case $cmd in
"flock -n "*" routehook-worker --once"*) ok 0 "cron: routehook-worker --once under flock -n" ;;
*) ok 1 "cron: routehook-worker --once under flock -n"; diag "$cmd" ;;
esac

# The job's command, adapted only for paths, with a stand-in worker that
# records its arguments.
mkdir -p "$T/bin" "$T/spool/state"
cat >"$T/bin/routehook-worker" <<STUB
#!/bin/sh
echo "\$*" >>"$T/worker.runs"
STUB
chmod 755 "$T/bin/routehook-worker"
cmd=$(printf '%s\n' "$cmd" | sed "s|/var/spool/routehook/|$T/spool/|g")
PATH=$T/bin:$PATH sh -c "$cmd"
ok $? "cron: the command runs"
is "$(cat "$T/worker.runs" 2>/dev/null)" "--once -l syslog" \
    "cron: the worker ran once, with --once"
lock=$(printf '%s\n' "$cmd" | awk '{print $3}')
flock "$lock" sh -c "touch '$T/held'; while [ ! -e '$T/release' ]; do sleep 0.05; done" &
holder=$!
track $holder
wait_for 10 test -e "$T/held"
PATH=$T/bin:$PATH sh -c "$cmd"
rc=$?
touch "$T/release"
wait "$holder"
is "$rc" 1 "cron: a pass while another holds the lock exits at once"
is "$(wc -l <"$T/worker.runs")" 1 "cron: and does not run the worker"

done_testing
