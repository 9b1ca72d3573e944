# lib.sh: sourced by every end-to-end test in tests/t/ (after git's
# t/test-lib.sh).  It gives each test a scratch directory, TAP output,
# bounded readiness checks, and starters for the real programs: nginx,
# routehook-fcgi under spawn-fcgi, the Genesys stand-in, the worker.
# Everything a test starts is stopped on exit, and a sanitizer report in
# any log the test collected fails the test.

set -u

# nginx, apache2 and spawn-fcgi live in sbin, which a user's PATH may lack.
PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin


# A script that is not a test (tests/demo.sh) sets RH_TOP before sourcing
# this file, and RH_NO_TAP=1: then no exit trap is set (no TAP plan; the
# script stops what it started itself) and the scratch directory is named
# routehook-demo.* instead of routehook-t.*.
RH_TOP=${RH_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}
RH_BUILD=${RH_BUILD:-$RH_TOP}
FCGI=$RH_BUILD/fcgi/routehook-fcgi
WORKER=$RH_BUILD/worker/routehook-worker
CTL=$RH_BUILD/worker/routehookctl
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
unset ROUTEHOOK_CONFIG
# A command put before the responder and the worker by start_responder,
# run_worker and start_worker (tests/t/valgrind.t sets it); split on spaces.
RH_WRAP=${RH_WRAP:-}
# What runs the worker and routehookctl as the spool's owner: nothing, or
# setpriv under the privilege split (RH_SPLIT, below); split on spaces.
RH_AS_WORKER=

rh_scratch=routehook-t
[ -z "${RH_NO_TAP:-}" ] || rh_scratch=routehook-demo
T=$(mktemp -d "${TMPDIR:-/tmp}/$rh_scratch.XXXXXX")
chmod 755 "$T"
# The worker's audit file (worker_config, audit_jq and the like).
AUDIT=$T/audit.jsonl

# python3 is the system's, the one make deps installs, even when another
# comes first in PATH: a version manager's shim (pyenv's) costs half a
# second of CPU at every start, and the harness starts python3 for each
# port, stand-in, FastCGI request and readiness poll.  (A link in PATH,
# not a function: `python3 ... &` must leave the interpreter's pid in $!.)
if [ -x /usr/bin/python3 ]; then
	mkdir "$T/.bin" && ln -s /usr/bin/python3 "$T/.bin/python3" &&
	    PATH=$T/.bin:$PATH
fi
tap_n=0
tap_failed=0
rh_pids=

# --- TAP ---------------------------------------------------------------

ok() {	# ok CONDITION-EXIT-STATUS DESCRIPTION: use as `cmd; ok $? "desc"`
	tap_n=$((tap_n + 1))
	if [ "$1" -eq 0 ]; then
		echo "ok $tap_n - $2"
	else
		echo "not ok $tap_n - $2"
		tap_failed=$((tap_failed + 1))
	fi
	return "$1"
}

is() {	# is GOT WANT DESCRIPTION
	if [ "$1" = "$2" ]; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   got:  '$1'"
		echo "#   want: '$2'"
		return 1
	fi
}

diag() { echo "# $*"; }

# The assertions below read as git's test_expect_success does: what is
# claimed, then the command that checks it.  COMMAND is a program or a
# function with its arguments (no shell syntax: a check that needs a
# pipeline gets a named function).  On failure each says what it saw.

# assert DESCRIPTION COMMAND [ARG...]: passes when COMMAND exits 0.
assert() {
	_assert_d=$1
	shift
	if "$@"; then
		ok 0 "$_assert_d"
	else
		ok 1 "$_assert_d"
		echo "#   failed: $*"
		return 1
	fi
}

# refute DESCRIPTION COMMAND [ARG...]: passes when COMMAND fails.
refute() {
	_assert_d=$1
	shift
	if "$@"; then
		ok 1 "$_assert_d"
		echo "#   succeeded, and should not have: $*"
		return 1
	fi
	ok 0 "$_assert_d"
}

# assert_file_has FILE TEXT DESCRIPTION: FILE contains the fixed string TEXT.
assert_file_has() {
	if grep -qF -- "$2" "$1" 2>/dev/null; then
		ok 0 "$3"
	else
		ok 1 "$3"
		rh_show_file "no '$2' in" "$1"
		return 1
	fi
}

# assert_file_lacks FILE TEXT DESCRIPTION: FILE does not contain TEXT (a
# missing FILE lacks everything).
assert_file_lacks() {
	if grep -qF -- "$2" "$1" 2>/dev/null; then
		ok 1 "$3"
		rh_show_file "'$2' found in" "$1"
		return 1
	fi
	ok 0 "$3"
}

# assert_file_matches FILE ERE DESCRIPTION: a line of FILE matches the
# extended regular expression ERE (grep -E).
assert_file_matches() {
	if grep -qE -- "$2" "$1" 2>/dev/null; then
		ok 0 "$3"
	else
		ok 1 "$3"
		rh_show_file "no line matching '$2' in" "$1"
		return 1
	fi
}

# assert_same FILE EXPECTED-FILE DESCRIPTION: the two hold the same bytes.
assert_same() {
	if cmp -s -- "$1" "$2"; then
		ok 0 "$3"
	else
		ok 1 "$3"
		echo "#   $(cmp -- "$1" "$2" 2>&1 | head -n 1)"
		return 1
	fi
}

# quietly COMMAND...: COMMAND with its output thrown away (for assert).
quietly() {
	"$@" >/dev/null 2>&1
}

# matches STRING ERE: STRING (one line of it or more) matches ERE.
matches() {
	printf '%s\n' "$1" | grep -qE -- "$2"
}

# in_range N LOW HIGH: N is a whole number from LOW to HIGH.
in_range() {
	[ -n "$1" ] && [ "$1" -ge "$2" ] && [ "$1" -le "$3" ]
}

# rh_show_file WHAT FILE: FILE's first lines as TAP comments.
rh_show_file() {
	echo "#   $1 $2:"
	head -n 20 "$2" 2>&1 | sed 's/^/#     /'
}

bail() { echo "Bail out! $*"; exit 1; }

# --- processes and readiness -----------------------------------------

track() { rh_pids="$rh_pids $1"; }

# RH_TIMEOUT_SCALE, a whole number (1 unless set), multiplies every bound
# the harness waits for: wait_for's, stop_all's grace and the worker's
# call timeout.  A check that passes is never slower for it: wait_for
# returns as soon as its command succeeds.  valgrind.t sets it (its
# programs run tens of times slower), and so may anyone running the
# suite on a slow or crowded machine.
RH_TIMEOUT_SCALE=${RH_TIMEOUT_SCALE:-1}

# wait_for SECONDS COMMAND...: poll COMMAND until it succeeds; fails after
# SECONDS (times RH_TIMEOUT_SCALE).  The pause between tries doubles from
# 50 ms to 400 ms: a poll costs tens of ms of CPU (date, sleep, the
# command's jq or curl), and make check is CPU-bound, so polling a slow
# condition every 50 ms slowed down the very programs it waited for.
# COMMAND is always tried once more after the last pause, before the
# deadline is looked at: what succeeds in time is never missed.  What
# succeeds at the first try costs no date(1) at all (stop_all's checks,
# most often).
wait_for() {
	_wf_s=$1
	shift
	"$@" >/dev/null 2>&1 && return 0
	_deadline=$(( $(date +%s) + _wf_s * RH_TIMEOUT_SCALE ))
	_nap=0.05
	while :; do
		sleep "$_nap"
		"$@" >/dev/null 2>&1 && return 0
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		case $_nap in
		0.05) _nap=0.1 ;;
		0.1) _nap=0.2 ;;
		*) _nap=0.4 ;;
		esac
	done
}

# pid_gone PID: no process PID (for wait_for; kill is the shell's own, so a
# poll forks nothing).
pid_gone() {
	! kill -0 "$1" 2>/dev/null
}

# stays_for SECONDS COMMAND...: COMMAND succeeds for SECONDS on end
# (polled every 50 ms; not scaled: the time is what is claimed).
stays_for() {
	_deadline=$(( $(date +%s%N) + $1 * 1000000000 ))
	shift
	while "$@" >/dev/null 2>&1; do
		[ "$(date +%s%N)" -ge "$_deadline" ] && return 0
		sleep 0.05
	done
	return 1
}

free_port() {
	python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

# Sanitizer reports in any *.log under $T fail the test.
check_sanitizer_logs() {
	if grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
	    "$T"/*.log "$T"/*/*.log 2>/dev/null; then
		grep -h -A 20 -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
		    "$T"/*.log "$T"/*/*.log 2>/dev/null | sed 's/^/# /'
		return 1
	fi
	return 0
}

# stop_all: TERM everything track'ed, then KILL what is still there after
# five seconds, and forget it.
stop_all() {
	for p in $rh_pids; do
		kill "$p" 2>/dev/null
	done
	for p in $rh_pids; do
		wait_for 5 pid_gone "$p" || kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rh_pids=
}

rh_cleanup() {
	stop_all
	rh_unmount_all
	if ! check_sanitizer_logs; then
		echo "not ok $((tap_n + 1)) - no sanitizer reports in the logs"
		tap_failed=$((tap_failed + 1))
		tap_n=$((tap_n + 1))
	fi
	if [ -z "$rh_done" ]; then
		echo "not ok $((tap_n + 1)) - the script ran to its end (done_testing)"
		tap_failed=$((tap_failed + 1))
		tap_n=$((tap_n + 1))
	fi
	echo "1..$tap_n"
	if [ "$tap_failed" -ne 0 ] || [ -n "${RH_KEEP:-}" ]; then
		echo "# scratch directory kept: $T"
	else
		rm -rf "$T"
	fi
	[ "$tap_failed" -eq 0 ]
}
# done_testing: the last line of every test script.  A script that stops
# before it (an unset variable under set -u, a command that exits) fails
# instead of passing with the checks it got through.
rh_done=
done_testing() { rh_done=1; }

if [ -z "${RH_NO_TAP:-}" ]; then
	trap 'rh_cleanup; exit $?' EXIT
	trap 'exit 1' INT TERM
fi

# --- configuration -----------------------------------------------------

# write_config [EXTRA-RECEIVER-LINES [EXTRA-TOP-LEVEL-LINES]]: $T/routehook.conf
# with the spool in $T/spool and a webhook secret in $T/webhook.secret.
# Later sections (genesys, worker, ...) go in EXTRA-TOP-LEVEL-LINES.
# Most scripts send short events without a time of their own (and some
# test ordering by receipt time), so this config accepts them;
# responder-replay.t tests the default, which refuses them.  (One line:
# scripts name the lines after it in expected messages.)
write_config() {
	[ -f "$T/webhook.secret" ] || {
		printf 'test-secret-%s\n' "$$" >"$T/webhook.secret"
		chmod 600 "$T/webhook.secret"
	}
	cat >"$T/routehook.conf" <<CONF
spool_dir = "$T/spool";
receiver = {
  secret_file = "$T/webhook.secret"; require_event_time = false;
  ${1:-}
};
${2:-}
CONF
	[ -z "$RH_SPLIT" ] || split_layout
}

# sign FILE [SECRET-FILE]: the hex HMAC-SHA256 of FILE's bytes, keyed
# with the secret file's first line.  (The shell reads the key and cuts
# openssl's answer: one process per signature, not three.)
sign() {
	_key=
	IFS= read -r _key <"${2:-$T/webhook.secret}"
	_sig=$(openssl dgst -sha256 -hmac "$_key" -r "$1") &&
	    echo "${_sig%% *}"
}

# sign_b64 FILE [SECRET-FILE]: the same digest in base64.
sign_b64() {
	openssl dgst -sha256 -hmac "$(head -n 1 "${2:-$T/webhook.secret}")" \
	    -binary "$1" | openssl base64 -A
}

# --- servers -----------------------------------------------------------

# start_responder [ARGS...]: routehook-fcgi under spawn-fcgi on
# $T/fcgi.sock, stderr in $T/fcgi.log.  $RH_SPAWN_ARGS, if set, goes to
# spawn-fcgi (e.g. "-u nobody -g nogroup").
start_responder() {
	rm -f "$T/fcgi.sock"
	# shellcheck disable=SC2086
	spawn-fcgi -n -s "$T/fcgi.sock" -M 0666 ${RH_SPAWN_ARGS:-} -- \
	    $RH_WRAP "$FCGI" -c "$T/routehook.conf" "$@" 2>>"$T/fcgi.log" &
	_rpid=$!
	track $_rpid
	# Ready when it answers; spawn-fcgi makes the socket before the
	# responder has read its configuration (or failed to).
	wait_for 10 responder_up "$_rpid" &&
	    kill -0 "$_rpid" 2>/dev/null ||
	    bail "responder did not start: $(cat "$T/fcgi.log")"
}

# responder_up PID: the responder on $T/fcgi.sock answers a FastCGI
# request (true), or PID has exited (true as well: no point waiting).
responder_up() {
	kill -0 "$1" 2>/dev/null || return 0
	[ -S "$T/fcgi.sock" ] &&
	    fcgi_request "$T/fcgi.sock" /dev/null REQUEST_METHOD=GET \
	    REQUEST_URI=/routehook/health 2>/dev/null | grep -q '^Status: '
}

# start_nginx: nginx on a free loopback port ($NGINX_PORT) with
# contrib/nginx/routehook.conf mounted at /routehook/ and fastcgi_pass
# pointed at $T/fcgi.sock, or at $NGINX_FCGI_PASS when set (an upstream's
# name, defined in $NGINX_HTTP_EXTRA, lines for the http block).
start_nginx() {
	NGINX_PORT=$(free_port)
	mkdir -p "$T/nginx"
	sed -e "s|unix:/run/routehook/fcgi.sock|${NGINX_FCGI_PASS:-unix:$T/fcgi.sock}|" \
	    "$RH_TOP/contrib/nginx/routehook.conf" >"$T/nginx/routehook.conf"
	# "include fastcgi_params" is relative to the configuration's
	# directory: bring the system's copy next to ours.
	_confdir=$(nginx -V 2>&1 | sed -n 's|.*--conf-path=\([^ ]*\)/[^/ ]*.*|\1|p')
	cp "${_confdir:-/etc/nginx}/fastcgi_params" "$T/nginx/" ||
	    bail "no fastcgi_params in ${_confdir:-/etc/nginx}"
	cat >"$T/nginx/nginx.conf" <<CONF
worker_processes 1;
pid $T/nginx/nginx.pid;
error_log $T/nginx/error.log warn;
$( [ "$(id -u)" -eq 0 ] && echo "user root;" )
events { worker_connections 1024; }
http {
  access_log $T/nginx/access.log;
  client_body_temp_path $T/nginx/body;
  fastcgi_temp_path $T/nginx/fastcgi;
  proxy_temp_path $T/nginx/proxy;
  uwsgi_temp_path $T/nginx/uwsgi;
  scgi_temp_path $T/nginx/scgi;
  ${NGINX_HTTP_EXTRA:-}
  server {
    listen 127.0.0.1:$NGINX_PORT;
    include $T/nginx/routehook.conf;
  }
}
CONF
	nginx -p "$T/nginx" -c "$T/nginx/nginx.conf" -g 'daemon off;' \
	    2>>"$T/nginx/error.log" &
	track $!
	NGINX_URL=http://127.0.0.1:$NGINX_PORT
	wait_for 10 curl -s -o /dev/null "$NGINX_URL/" ||
	    bail "nginx did not start: $(cat "$T/nginx/error.log")"
}

# post FILE [HEADER...]: POST FILE to $NGINX_URL/routehook/events with a
# valid signature unless a signature header is given; prints the status
# and leaves the body in $T/response.
post() {
	_f=$1
	shift
	if [ $# -eq 0 ]; then
		set -- -H "X-Genesys-Signature: $(sign "$_f")"
	fi
	curl -s -o "$T/response" -w '%{http_code}' -X POST \
	    -H 'Content-Type: application/json' "$@" \
	    --data-binary "@$_f" "$NGINX_URL/routehook/events"
}

# spool_files DIR: how many files are in $T/spool/DIR: regular files,
# hidden ones too, not what is in a subdirectory (find -maxdepth 1 -type
# f).  Counted by the shell: a find and a wc cost 20 ms of CPU, and
# scripts count the spool hundreds of times, polls included.
spool_files() {
	_sf_n=0
	for _sf_f in "$T/spool/$1"/* "$T/spool/$1"/.[!.]* "$T/spool/$1"/..?*; do
		[ -f "$_sf_f" ] && [ ! -h "$_sf_f" ] && _sf_n=$((_sf_n + 1))
	done
	echo "$_sf_n"
}

# --- talking to the responder directly (added for the responder tests) ---

# fcgi_request ADDRESS BODY-FILE [NAME=VALUE...]: one FastCGI request
# straight to the responder, with no web server in between, so that
# CONTENT_LENGTH can disagree with the body.  ADDRESS is a unix socket
# path or HOST:PORT.  Prints the answer (CGI headers, blank line, body).
# With FCGI_HOLD=FILE in the environment it sends the parameters and half
# the body, creates FILE.sent, and sends the rest only once FILE exists.
fcgi_request() {
	python3 -c '
import os, socket, struct, sys, time
addr, body, params = sys.argv[1], open(sys.argv[2], "rb").read(), sys.argv[3:]
if "/" in addr:
    s = socket.socket(socket.AF_UNIX); s.connect(addr)
else:
    h, p = addr.rsplit(":", 1); s = socket.create_connection((h, int(p)))
def rec(t, data=b""):
    s.sendall(struct.pack(">BBHHBx", 1, t, 1, len(data), 0) + data)
def ln(n):
    return bytes([n]) if n < 128 else struct.pack(">I", n | 0x80000000)
rec(1, struct.pack(">HB5x", 1, 0))
kv = b""
for a in params:
    k, v = a.encode().split(b"=", 1)
    kv += ln(len(k)) + ln(len(v)) + k + v
rec(4, kv); rec(4)
hold = os.environ.get("FCGI_HOLD")
half = len(body) // 2 if hold else len(body)
for i in range(0, half, 65535): rec(5, body[i:min(i + 65535, half)])
if hold:
    open(hold + ".sent", "w").close()
    while not os.path.exists(hold): time.sleep(0.02)
for i in range(half, len(body), 65535): rec(5, body[i:i + 65535])
rec(5)
out, buf = b"", b""
while True:
    d = s.recv(65536)
    if not d: break
    buf += d
    while len(buf) >= 8:
        _, t, _, n, pad = struct.unpack(">BBHHBx", buf[:8])
        if len(buf) < 8 + n + pad: break
        if t == 6: out += buf[8:8 + n]
        buf = buf[8 + n + pad:]
sys.stdout.buffer.write(out)
' "$@"
}

# fcgi_status ANSWER-FILE: the number in an answer's Status: header.
fcgi_status() {
	sed -n 's/^Status: \([0-9]*\).*/\1/p' "$1" | head -n 1
}

# spool_count_is DIR N: $T/spool/DIR holds N files (for wait_for).
spool_count_is() {
	[ "$(spool_files "$1")" -eq "$2" ]
}

# spool_has_files DIR: $T/spool/DIR holds a file or more (for wait_for).
spool_has_files() {
	[ "$(spool_files "$1")" -gt 0 ]
}

# spool_empty: nothing in tmp/ or new/ (a refused request left no trace).
spool_empty() {
	[ "$(spool_files tmp)" -eq 0 ] && [ "$(spool_files new)" -eq 0 ]
}

# json_field FILE FIELD: a top-level field of the JSON in FILE (jq -r).
json_field() {
	jq -r ".$2" "$1" 2>/dev/null
}

# --- more web servers and services (server-*.t, units.t, privsep.t) ----

# skip_all REASON: the whole script is skipped ("1..0 # SKIP"); call it
# before the first test.
skip_all() {
	trap - EXIT
	rm -rf "$T"
	echo "1..0 # SKIP $*"
	exit 0
}

# not_in_san_pass: skip the whole script in make check's sanitizer pass
# (RH_BUILD=.../.san), for a script that runs no program of the build:
# there it would only do the plain pass's work again.
not_in_san_pass() {
	case $RH_BUILD in
	*/.san) skip_all "runs no program of the build in $RH_BUILD: the plain pass covers it" ;;
	esac
}

# need_root WHAT: skip the whole script unless it runs as root, saying
# that WHAT needs root.  prove then reports it "skipped", not passed.
need_root() {
	[ "$(id -u)" -eq 0 ] || skip_all "not root: $* needs root"
}

# skip DESCRIPTION REASON: one test that did not run.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# stop_pid PID: TERM, then wait (bounded) until it has gone.
stop_pid() {
	kill "$1" 2>/dev/null
	wait_for 10 pid_gone "$1" || kill -9 "$1" 2>/dev/null
	wait "$1" 2>/dev/null
	return 0
}

# own_for_server: when root, a web server runs the responder it spawns
# (mod_fcgid, CGI) as www-data: give that user the responder (a copy in
# $T/bin, since the tree may be out of its reach), the secret and the
# spool.  Sets FCGI_COPY.
own_for_server() {
	mkdir -p "$T/bin" "$T/spool"
	cp "$FCGI" "$T/bin/routehook-fcgi"
	FCGI_COPY=$T/bin/routehook-fcgi
	# hold/ and seen/ too: a responder started as root first (the
	# proxied mounts) would make them root's, and www-data's then fail.
	for d in tmp new cur deferred dead state hold seen; do
		mkdir -p "$T/spool/$d"
	done
	if [ "$(id -u)" -eq 0 ]; then
		chown -R www-data:www-data "$T/spool" "$T/webhook.secret"
	fi
}

# adapt_snippet FILE OUT: a contrib/ snippet with its ports and paths
# pointed into $T (and nothing else changed).
adapt_snippet() {
	sed -e "s|/run/routehook/fcgi.sock|$T/fcgi.sock|g" \
	    -e "s|/run/lighttpd/|$T/lighttpd/|g" \
	    -e "s|/usr/sbin/routehook-fcgi|$FCGI_COPY|g" \
	    -e "s|/etc/routehook/routehook.conf|$T/routehook.conf|g" \
	    "$1" >"$2"
}

# start_apache SNIPPET: Apache 2.4 in the foreground on a free loopback
# port ($APACHE_PORT, $APACHE_URL, pid $APACHE_PID) with only the modules
# the snippets need, everything it writes under $T/apache, and SNIPPET
# (a contrib/apache/ file) adapted by adapt_snippet inside the virtual
# host.
start_apache() {
	APACHE_PORT=$(free_port)
	_a=$T/apache
	rm -rf "$_a"
	mkdir -p "$_a"
	adapt_snippet "$1" "$_a/routehook.conf"
	_m=/usr/lib/apache2/modules
	cat >"$_a/apache2.conf" <<CONF
ServerRoot $_a
ServerName localhost
LoadModule mpm_event_module $_m/mod_mpm_event.so
LoadModule authz_core_module $_m/mod_authz_core.so
LoadModule authz_host_module $_m/mod_authz_host.so
LoadModule alias_module $_m/mod_alias.so
LoadModule env_module $_m/mod_env.so
LoadModule proxy_module $_m/mod_proxy.so
LoadModule proxy_fcgi_module $_m/mod_proxy_fcgi.so
LoadModule fcgid_module $_m/mod_fcgid.so
LoadModule cgid_module $_m/mod_cgid.so
Listen 127.0.0.1:$APACHE_PORT
PidFile $_a/apache2.pid
Mutex file:$_a default
DefaultRuntimeDir $_a
ErrorLog $_a/error.log
LogLevel warn
LogFormat "%h \"%r\" %>s %b" short
CustomLog $_a/access.log short
ScriptSock $_a/cgid.sock
FcgidIPCDir $_a/fcgid
FcgidProcessTableFile $_a/fcgid.shm
$( [ "$(id -u)" -eq 0 ] && printf 'User www-data\nGroup www-data\n' )
<VirtualHost 127.0.0.1:$APACHE_PORT>
    Include $_a/routehook.conf
</VirtualHost>
CONF
	apache2 -d "$_a" -f "$_a/apache2.conf" -DFOREGROUND \
	    2>>"$_a/error.log" &
	APACHE_PID=$!
	track $APACHE_PID
	APACHE_URL=http://127.0.0.1:$APACHE_PORT
	wait_for 10 curl -s -o /dev/null "$APACHE_URL/" ||
	    bail "apache did not start: $(cat "$_a/error.log")"
}

# start_lighttpd SNIPPET: lighttpd in the foreground on a free loopback
# port ($LIGHTTPD_URL, pid $LIGHTTPD_PID), files under $T/lighttpd,
# SNIPPET (a contrib/lighttpd/ file) adapted by adapt_snippet.  As root
# it keeps running as root (no server.username), so what it spawns does.
start_lighttpd() {
	LIGHTTPD_PORT=$(free_port)
	_l=$T/lighttpd
	rm -rf "$_l"
	mkdir -p "$_l/www"
	adapt_snippet "$1" "$_l/routehook.conf"
	cat >"$_l/lighttpd.conf" <<CONF
server.document-root = "$_l/www"
server.bind = "127.0.0.1"
server.port = $LIGHTTPD_PORT
server.pid-file = "$_l/lighttpd.pid"
server.errorlog = "$_l/error.log"
server.upload-dirs = ( "$_l" )
include "$_l/routehook.conf"
CONF
	lighttpd -D -f "$_l/lighttpd.conf" 2>>"$_l/stderr.log" &
	LIGHTTPD_PID=$!
	track $LIGHTTPD_PID
	LIGHTTPD_URL=http://127.0.0.1:$LIGHTTPD_PORT
	wait_for 10 curl -s -o /dev/null "$LIGHTTPD_URL/" ||
	    bail "lighttpd did not start: $(cat "$_l/error.log" "$_l/stderr.log")"
}

# post_at URL FILE [HEADER...]: post(), to any URL; without curl's
# "Expect: 100-continue", which would wait a second for servers that
# answer before reading the body.
post_at() {
	_u=$1
	_f=$2
	shift 2
	if [ $# -eq 0 ]; then
		set -- -H "X-Genesys-Signature: $(sign "$_f")"
	fi
	curl -s -o "$T/response" -w '%{http_code}' -X POST -H 'Expect:' \
	    -H 'Content-Type: application/json' "$@" \
	    --data-binary "@$_f" "$_u"
}

# spool_total: files in every spool directory but state/.
spool_total() {
	find "$T/spool/tmp" "$T/spool/new" "$T/spool/cur" \
	    "$T/spool/deferred" "$T/spool/dead" -maxdepth 1 -type f \
	    2>/dev/null | wc -l
}

# check_mount NAME BASE-URL: the three checks every web-server mount must
# pass (issue 5): a signed event is accepted (202, exactly one new spool
# file holding the very bytes sent), a bad signature is refused (401,
# nothing spooled anywhere), so is a body over max_body_bytes (413), and
# health answers 200 with JSON.
check_mount() {
	_n=$1
	_b=$2
	printf '{"eventType":"routing.status","mount":"%s","n":%s}' \
	    "$_n" "$tap_n" >"$T/event.json"
	_before=$(spool_files new)
	_code=$(post_at "$_b/routehook/events" "$T/event.json")
	is "$_code" 202 "$_n: a signed event is accepted" ||
	    diag "response: $(cat "$T/response" 2>/dev/null)"
	_id=$(jq -r '.id // empty' "$T/response" 2>/dev/null)
	is "$(jq -r .status "$T/response" 2>/dev/null)" accepted \
	    "$_n: the answer says accepted"
	is "$(spool_files new)" "$((_before + 1))" "$_n: one new spool file"
	[ -n "$_id" ] && cmp -s "$T/event.json" "$T/spool/new/$_id"
	ok $? "$_n: the spool file $_id holds the bytes sent"

	_before=$(spool_total)
	_code=$(post_at "$_b/routehook/events" "$T/event.json" \
	    -H "X-Genesys-Signature: $(printf '%064d' 0)")
	is "$_code" 401 "$_n: a bad signature is refused"
	is "$(spool_total)" "$_before" "$_n: nothing spooled for it"

	# Over receiver.max_body_bytes (65536) but under the server's own
	# limit: the responder refuses it from CONTENT_LENGTH alone, while
	# the server may still be sending the body.
	[ -f "$T/over.json" ] ||
	    head -c 100000 /dev/zero | tr '\0' ' ' >"$T/over.json"
	_code=$(post_at "$_b/routehook/events" "$T/over.json")
	is "$_code" 413 "$_n: a body over max_body_bytes is refused"
	is "$(spool_total)" "$_before" "$_n: nothing spooled for it"

	_code=$(curl -s -o "$T/health" -w '%{http_code}' "$_b/routehook/health")
	is "$_code" 200 "$_n: health answers 200"
	jq -e '.status == "healthy" and (.spool.new | type == "number")' \
	    "$T/health" >/dev/null 2>&1
	ok $? "$_n: health is JSON saying healthy" ||
	    diag "health: $(cat "$T/health")"
}

# --- the worker and the Genesys stand-in (worker-*.t) --------------------

# make_certs DIR: the test CA and server certificate (tests/mkcerts.sh)
# in DIR.  make check makes one set for the whole run and names its
# directory in RH_CERTS: copying it costs a cp, not the half a second of
# CPU of five openssl runs.  Each test still gets its own copy, which it
# may chmod (split_layout) or break as it likes.  Bails out on failure.
make_certs() {
	if [ -n "${RH_CERTS:-}" ]; then
		mkdir -p "$1" && cp -p "$RH_CERTS/ca.pem" "$RH_CERTS/ca.key" \
		    "$RH_CERTS/server.pem" "$RH_CERTS/server.key" "$1/" ||
		    bail "cannot copy the test certificates from $RH_CERTS"
	else
		sh "$RH_TOP/tests/mkcerts.sh" "$1" || bail "mkcerts.sh failed"
	fi
}

# start_standin [ARGS...]: tests/genesys-standin.py over TLS with a test CA
# ($T/certs/ca.pem, made once), OAuth client "test-client" whose secret is
# in $T/client.secret, every call journalled in $T/standin.jsonl.  Sets
# STANDIN_PID, STANDIN_PORT and STANDIN_URL.  A set STANDIN_PORT reuses
# that port (a restart after stop_standin).
start_standin() {
	[ -s "$T/certs/ca.pem" ] || make_certs "$T/certs"
	[ -s "$T/client.secret" ] || {
		printf 'client-secret-%s-%s\n' "$$" "$(date +%N)" \
		    >"$T/client.secret"
		chmod 600 "$T/client.secret"
	}
	rm -f "$T/standin.port"
	python3 "$RH_TOP/tests/genesys-standin.py" -q \
	    --cert "$T/certs/server.pem" --key "$T/certs/server.key" \
	    --port "${STANDIN_PORT:-0}" --port-file "$T/standin.port" \
	    --client-id test-client --client-secret-file "$T/client.secret" \
	    --journal "$T/standin.jsonl" "$@" 2>>"$T/standin.log" &
	STANDIN_PID=$!
	track "$STANDIN_PID"
	wait_for 30 test -s "$T/standin.port" ||
	    bail "stand-in did not start: $(cat "$T/standin.log")"
	STANDIN_PORT=$(cat "$T/standin.port")
	STANDIN_URL=https://127.0.0.1:$STANDIN_PORT
}

stop_standin() { stop_pid "$STANDIN_PID"; }

# control METHOD NAME [JSON]: a stand-in control endpoint; prints the body.
control() {
	if [ $# -ge 3 ]; then
		curl -s --cacert "$T/certs/ca.pem" -X "$1" \
		    -H 'Content-Type: application/json' --data-binary "$3" \
		    "$STANDIN_URL/__control/$2"
	else
		curl -s --cacert "$T/certs/ca.pem" -X "$1" \
		    "$STANDIN_URL/__control/$2"
	fi
}

# worker_config [WORKER-LINES [GENESYS-LINES [TOP-LEVEL-LINES]]]: the
# responder's write_config plus genesys (pointed at the stand-in, trusting
# the test CA, timeout_ms 5000 times RH_TIMEOUT_SCALE), worker (short
# backoff: 100 ms to 1 s) and audit ($AUDIT) sections.  A key set
# in the extra lines replaces the default given here.  CLIENT_ID
# overrides the client id.
worker_config() {
	_w=${1:-}
	_g=${2:-}
	case $_w in *backoff_min_ms*) ;; *) _w="backoff_min_ms = 100; $_w" ;; esac
	case $_w in *backoff_max_ms*) ;; *) _w="backoff_max_ms = 1000; $_w" ;; esac
	case $_g in *timeout_ms*) ;; *)
		_g="timeout_ms = $((5000 * RH_TIMEOUT_SCALE)); $_g" ;; esac
	case $_g in *ca_file*) ;; *) _g="ca_file = \"$T/certs/ca.pem\"; $_g" ;; esac
	case $_g in *client_secret_file*) ;; *)
		_g="client_secret_file = \"$T/client.secret\"; $_g" ;; esac
	write_config "" "genesys = {
  api_base = \"$STANDIN_URL\";
  login_base = \"$STANDIN_URL\";
  client_id = \"${CLIENT_ID-test-client}\";
  $_g
};
worker = { $_w };
audit = { file = \"$AUDIT\"; };
${3:-}"
}

# run_worker [ARGS...]: one `routehook-worker --once` in the foreground,
# stderr appended to $T/worker.log; returns its exit status.
run_worker() {
	$RH_AS_WORKER $RH_WRAP "$WORKER" -c "$T/routehook.conf" --once "$@" \
	    2>>"$T/worker.log"
}

# start_worker [ARGS...]: the worker as a daemon ($WORKER_PID), stderr in
# $T/worker.log; returns once it has logged its start.
start_worker() {
	_started=$(grep -c 'started (daemon)' "$T/worker.log" 2>/dev/null)
	$RH_AS_WORKER $RH_WRAP "$WORKER" -c "$T/routehook.conf" "$@" \
	    2>>"$T/worker.log" &
	WORKER_PID=$!
	track "$WORKER_PID"
	wait_for 10 sh -c "[ \$(grep -c 'started (daemon)' '$T/worker.log') \
	    -gt ${_started:-0} ]" ||
	    bail "worker did not start: $(cat "$T/worker.log")"
}

# send JSON: sign and POST one event through nginx and the responder;
# fails unless it is accepted (202).  The spool id is left in $SENT_ID.
send() {
	printf '%s' "$1" >"$T/send.json"
	_code=$(post "$T/send.json")
	SENT_ID=$(jq -r '.id // empty' "$T/response" 2>/dev/null)
	[ "$_code" = 202 ] || { diag "send: $_code $(cat "$T/response")"; return 1; }
}

# send_many DIR: POST every file in DIR, signed, over one curl process
# (keep-alive); fails unless every one was accepted.
send_many() {
	python3 - "$1" "$(head -n 1 "$T/webhook.secret")" \
	    "$NGINX_URL/routehook/events" >"$T/send_many.cfg" <<'PY'
import hashlib, hmac, os, sys
d, key, url = sys.argv[1], sys.argv[2].encode(), sys.argv[3]
for i, name in enumerate(sorted(os.listdir(d))):
    path = os.path.join(d, name)
    with open(path, "rb") as f:
        sig = hmac.new(key, f.read(), hashlib.sha256).hexdigest()
    if i > 0:
        print('next')
    print('url = "%s"\nrequest = "POST"\nheader = "Content-Type: application/json"' % url)
    print('header = "X-Genesys-Signature: %s"\ndata-binary = "@%s"' % (sig, path))
    print('output = "/dev/null"\nwrite-out = "%{http_code}\\n"')
PY
	curl -s -K "$T/send_many.cfg" >"$T/send_many.out"
	[ "$(grep -cv '^202$' "$T/send_many.out")" -eq 0 ] &&
	    [ "$(wc -l <"$T/send_many.out")" -eq "$(ls "$1" | wc -l)" ]
}

# status_event USER STATUS [ISO-TIME]: the tutorial's routing status event.
status_event() {
	if [ $# -ge 3 ]; then
		printf '{"eventType":"routing.user.status.update","userId":"%s","status":"%s","timestamp":"%s"}' "$1" "$2" "$3"
	else
		printf '{"eventType":"routing.user.status.update","userId":"%s","status":"%s"}' "$1" "$2"
	fi
}

# status_burst DIR N USER-PREFIX STATUS: N status events without a time of
# their own, for users USER-PREFIX-0 .. USER-PREFIX-(N-1), one file each
# in DIR (made here), named so that they sort in that order (send_many).
status_burst() {
	mkdir "$1" || return 1
	_i=0
	while [ "$_i" -lt "$2" ]; do
		# Zero-padded without a fork: 1000000 + i, less its leading 1.
		_n=$((1000000 + _i))
		status_event "$3-$_i" "$4" >"$1/${_n#1}"
		_i=$((_i + 1))
	done
}

# audit_jq JQ-FILTER: the filter applied to the audit file as one array
# (jq -s -c -r: strings come out raw, the rest as compact JSON).
audit_jq() {
	jq -s -c -r "$1" "$AUDIT" 2>/dev/null
}

# journal JQ-FILTER: the same over the stand-in's journal of API calls.
journal() {
	jq -s -c -r "$1" "$T/standin.jsonl" 2>/dev/null
}

# audit_of ID FORMAT: for each audit line of event ID, oldest first, FORMAT
# as a jq string with \(...) in it: audit_of "$id" '\(.outcome) \(.attempt)'.
audit_of() {
	jq -r --arg id "$1" "select(.event_id == \$id) | \"$2\"" \
	    "$AUDIT" 2>/dev/null
}

# audit_outcomes ID: event ID's outcomes, oldest first, on one line.
audit_outcomes() {
	audit_of "$1" '\(.outcome)' | tr '\n' ' ' | sed 's/ $//'
}

# audit_has ID OUTCOME: event ID has an audit line with OUTCOME.
audit_has() {
	[ -n "$(audit_of "$1" '\(.outcome)' | grep -x -- "$2")" ]
}

# audit_count OUTCOME [USER-PREFIX]: how many audit lines have OUTCOME
# (for users whose id starts with USER-PREFIX).
audit_count() {
	jq -s --arg o "$1" --arg u "${2:-}" '[.[] | select(.outcome == $o and
	    (.payload_summary.userId // "" | startswith($u)))] | length' \
	    "$AUDIT" 2>/dev/null || echo 0
}

# audit_count_is OUTCOME N [USER-PREFIX]: audit_count says N (for wait_for).
audit_count_is() {
	[ "$(audit_count "$1" "${3:-}")" -eq "$2" ]
}

# audit_tally [USER-PREFIX]: "OUTCOME:COUNT ..." over the audit file (the
# lines of users whose id starts with USER-PREFIX), outcomes sorted.
audit_tally() {
	jq -s -r --arg u "${1:-}" '[.[] | select(.payload_summary.userId // ""
	    | startswith($u)) | .outcome] | group_by(.)
	    | map("\(.[0]):\(length)") | join(" ")' "$AUDIT" 2>/dev/null
}

# api_calls [USER]: how many API calls (not token fetches) the stand-in
# journalled (for USER).
api_calls() {
	jq -s --arg u "${1:-}" '[.[] | select((.path | startswith("/api/"))
	    and ($u == "" or .user == $u))] | length' "$T/standin.jsonl" \
	    2>/dev/null
}

# api_calls_reach N: the stand-in journalled N API calls or more (for
# wait_for).
api_calls_reach() {
	[ "$(api_calls)" -ge "$1" ]
}

# standin_state JQ-FILTER: the filter over the stand-in's state (what it
# was told to set: routingstatus, queues, presence, tokens_issued...).
standin_state() {
	control GET state | jq -c -r "$1"
}

# routing_status USER...: each USER's routing status in the stand-in, on
# one line ("null" for one never set).
routing_status() {
	control GET state >"$T/state.json"
	for _u in "$@"; do
		jq -r --arg u "$_u" '.routingstatus[$u]' "$T/state.json"
	done | tr '\n' ' ' | sed 's/ $//'
}

# no_secrets FILE...: neither the webhook secret, nor the client secret,
# nor the cached bearer token appears in any FILE.
no_secrets() {
	_tok=$(jq -r '.access_token // empty' "$T/spool/state/token" 2>/dev/null)
	for _s in "$(head -n 1 "$T/webhook.secret")" \
	    "$(head -n 1 "$T/client.secret")" $_tok; do
		[ -n "$_s" ] || continue
		if grep -qF -e "$_s" "$@" 2>/dev/null; then
			diag "a secret appears in: $(grep -lF -e "$_s" "$@")"
			return 1
		fi
	done
	return 0
}

# --- etcd (etcd.t, cluster.t) -------------------------------------------

# start_etcd_cluster [N]: N (default 3) etcd members on loopback free
# ports, one cluster, data and logs under $T/etcd/.  Sets ETCD_ENDPOINTS
# (client URLs, space-separated), ETCD_CONF_ENDPOINTS (the same as a
# libconfig list's contents) and ETCD_PID_1 .. ETCD_PID_N.  Returns once
# every member says it is healthy, which it does only with a leader.
# Short heartbeat and election timeouts, so that a killed leader is
# replaced within a second or so, as the tests kill members on purpose.
start_etcd_cluster() {
	_n=${1:-3}
	command -v etcd >/dev/null 2>&1 || bail "etcd not installed (etcd-server)"
	mkdir -p "$T/etcd"
	# One python3 for every port: each start costs seconds under load.
	_ports=$(python3 -c 'import socket, sys
ss = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in ss: s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in ss))' $((2 * _n)))
	_peers=
	_i=1
	while [ "$_i" -le "$_n" ]; do
		# shellcheck disable=SC2086
		set -- $_ports
		eval "ETCD_CPORT_$_i=$1 ETCD_PPORT_$_i=$2"
		shift 2
		_ports=$*
		eval "_pp=\$ETCD_PPORT_$_i"
		_peers="$_peers${_peers:+,}m$_i=http://127.0.0.1:$_pp"
		_i=$((_i + 1))
	done
	ETCD_ENDPOINTS=
	ETCD_CONF_ENDPOINTS=
	_i=1
	while [ "$_i" -le "$_n" ]; do
		start_etcd_member "$_i" "$_peers"
		eval "_cp=\$ETCD_CPORT_$_i"
		ETCD_ENDPOINTS="$ETCD_ENDPOINTS${ETCD_ENDPOINTS:+ }http://127.0.0.1:$_cp"
		ETCD_CONF_ENDPOINTS="$ETCD_CONF_ENDPOINTS${ETCD_CONF_ENDPOINTS:+, }\"http://127.0.0.1:$_cp\""
		_i=$((_i + 1))
	done
	for _e in $ETCD_ENDPOINTS; do
		wait_for 20 etcd_healthy "$_e" ||
		    bail "etcd $_e not healthy: $(tail -n 5 "$T"/etcd/m*.log)"
	done
}

# start_etcd_member I PEERS: member I of the cluster PEERS (also to
# restart one that was killed: its data directory is kept).
start_etcd_member() {
	eval "_cp=\$ETCD_CPORT_$1 _pp=\$ETCD_PPORT_$1"
	_state=new
	[ -d "$T/etcd/m$1" ] && _state=existing
	etcd --name "m$1" --data-dir "$T/etcd/m$1" \
	    --listen-client-urls "http://127.0.0.1:$_cp" \
	    --advertise-client-urls "http://127.0.0.1:$_cp" \
	    --listen-peer-urls "http://127.0.0.1:$_pp" \
	    --initial-advertise-peer-urls "http://127.0.0.1:$_pp" \
	    --initial-cluster "$2" --initial-cluster-state "$_state" \
	    --initial-cluster-token "rh-$$" \
	    --heartbeat-interval 50 --election-timeout 500 \
	    >>"$T/etcd/m$1.log" 2>&1 &
	eval "ETCD_PID_$1=$!"
	track "$!"
}

# etcd_healthy URL: the member at URL answers /health with "true" (it
# has a leader and can commit).
etcd_healthy() {
	curl -s -m 2 "$1/health" | grep -q '"health":"true"'
}

# stop_etcd_cluster: kill -9 every member (their data is scratch):
# a member stopped with TERM first tries to hand its leadership over,
# which takes seconds with its peers gone.
stop_etcd_cluster() {
	_i=1
	while eval "[ -n \"\${ETCD_PID_$_i:-}\" ]"; do
		kill_etcd "$_i"
		_i=$((_i + 1))
	done
}

# kill_etcd I: kill -9 member I, and wait until it has gone.
kill_etcd() {
	eval "_p=\$ETCD_PID_$1"
	kill -9 "$_p" 2>/dev/null
	wait "$_p" 2>/dev/null
}

# cluster_config [TTL [PREFIX]]: the cluster section for
# $ETCD_CONF_ENDPOINTS, lease_ttl_s TTL (3), prefix PREFIX (/rh-PID/).
cluster_config() {
	printf 'cluster = { etcd_endpoints = [ %s ]; prefix = "%s"; lease_ttl_s = %s; };\n' \
	    "$ETCD_CONF_ENDPOINTS" "${2:-/rh-$$/}" "${1:-3}"
}

# --- a small filesystem of its own (disk-full tests) --------------------

# loop_fs DIR [MIB]: a fresh ext4 filesystem of MIB MiB (4 unless given),
# no blocks reserved for root, made in an image file in $T and mounted on
# DIR (created if missing).  It is unmounted when the script ends, passed,
# failed or interrupted, before $T is removed.  Needs root (need_root).
rh_mounts=
loop_fs() {
	_img=$T/loop.$(echo "$rh_mounts" | wc -w).img
	mkdir -p "$1" || bail "loop_fs: cannot make $1"
	truncate -s "${2:-4}M" "$_img" &&
	    mkfs.ext4 -q -F -m 0 "$_img" >"$T/mkfs.log" 2>&1 ||
	    bail "loop_fs: mkfs.ext4 $_img failed: $(cat "$T/mkfs.log")"
	mount -o loop "$_img" "$1" 2>"$T/mount.log" ||
	    bail "loop_fs: mount -o loop $_img $1 failed: $(cat "$T/mount.log")"
	rh_mounts="$1 $rh_mounts"
}

# rh_unmount_all: unmount what loop_fs mounted, newest first; a busy one
# is detached lazily, so that removing $T never reaches into it.
rh_unmount_all() {
	for _m in $rh_mounts; do
		umount "$_m" 2>/dev/null || umount -l "$_m"
	done
	rh_mounts=
}

# fill_fs DIR: write DIR/.filler until the filesystem holding DIR has no
# block left (ENOSPC), and sync.  free_fs DIR gives the space back.
fill_fs() {
	dd if=/dev/zero of="$1/.filler" bs=64k 2>/dev/null
	dd if=/dev/zero of="$1/.filler2" bs=1k 2>/dev/null
	sync
	[ "$(df --output=avail -k "$1" | tail -n 1)" -eq 0 ]
}
free_fs() {
	rm -f "$1/.filler" "$1/.filler2" && sync
}

# --- the privilege split (README, contrib/routehook-setup.sh) ------------
#
# RH_SPLIT=1 in the environment runs a script's programs as the README
# installs them (tests/t/split-*.t run worker scripts so): two real users,
# RH_WEB_USER (rh-web) for the responder, spawned by spawn-fcgi -u/-g, and
# RH_WORK_USER (rh-work) for the worker and routehookctl, run by setpriv
# (which execs: $! stays the program's pid).  The users are created the
# first time, by contrib/routehook-setup.sh itself, and reused after.
# write_config lays the scratch directory out as that script lays out
# /etc/routehook, /var/spool/routehook and /var/log/routehook: $T is the
# config directory (root:rh-work 0750), the spool is $T/spool, the audit
# file goes to $T/log/audit.jsonl ($AUDIT), and the three programs are
# copied to $T/bin, since the tree may be out of the two users' reach.
# Needs root: a script run so as anyone else is skipped, not passed.
RH_SPLIT=${RH_SPLIT:-}
RH_WEB_USER=${RH_WEB_USER:-rh-web}
RH_WORK_USER=${RH_WORK_USER:-rh-work}

# split_layout: routehook-setup.sh over $T (users made once, owners and
# modes put back every time), then what it does not know about: the
# programs and the test CA.
split_layout() {
	# useradd refuses while another program holds /etc/passwd's lock:
	# retried.
	wait_for 30 split_setup ||
	    bail "routehook-setup.sh failed: $(tail -n 5 "$T/setup.log")"
	if [ ! -x "$T/bin/routehook-worker" ]; then
		mkdir -p "$T/bin" &&
		    cp "$FCGI" "$WORKER" "$CTL" "$T/bin/" &&
		    chmod 755 "$T/bin" "$T/bin"/* || bail "cannot copy the programs"
	fi
	FCGI=$T/bin/routehook-fcgi
	WORKER=$T/bin/routehook-worker
	CTL=$T/bin/routehookctl
	# A CA certificate is public; mkcerts.sh makes everything 0600.
	if [ -d "$T/certs" ]; then
		chmod 755 "$T/certs"
		chmod 644 "$T/certs/ca.pem"
	fi
}

# split_setup [OUT]: contrib/routehook-setup.sh, as root, for the two
# users over $T laid out as above ($T the config directory, $T/spool,
# $T/log), its output appended to OUT ($T/setup.log); returns its exit
# status.  The one place the tests create the users: privsep.t and
# setup-links.t call it themselves to test the script.  Two scripts may
# create the users at once: one at a time.
split_setup() {
	flock "${TMPDIR:-/tmp}/routehook-split.lock" \
	    env ROUTEHOOK_USER="$RH_WORK_USER" \
	    ROUTEHOOK_FCGI_USER="$RH_WEB_USER" ROUTEHOOK_ETC="$T" \
	    ROUTEHOOK_SPOOL="$T/spool" ROUTEHOOK_LOG="$T/log" \
	    ROUTEHOOK_SAMPLE="$T/no-sample" \
	    sh "$RH_TOP/contrib/routehook-setup.sh" >>"${1:-$T/setup.log}" 2>&1
}

# mode PATH: "MODE OWNER GROUP", as the setup script and the package set
# them (privsep.t, setup-links.t, deb.t).
mode() { stat -c '%a %U %G' "$1"; }

# as_web COMMAND... / as_work COMMAND...: COMMAND as the responder's or
# the worker's user, with that user's groups.
as_web() {
	setpriv --reuid="$RH_WEB_USER" --regid="$RH_WEB_USER" --init-groups \
	    -- "$@"
}
as_work() {
	setpriv --reuid="$RH_WORK_USER" --regid="$RH_WORK_USER" \
	    --init-groups -- "$@"
}

if [ -n "$RH_SPLIT" ]; then
	need_root "the privilege split (two users)"
	for _c in useradd setpriv flock spawn-fcgi; do
		command -v "$_c" >/dev/null || skip_all "the privilege split needs $_c"
	done
	AUDIT=$T/log/audit.jsonl
	RH_SPAWN_ARGS="-u $RH_WEB_USER -g $RH_WORK_USER"
	# A command, not as_work: a function started with & runs in a
	# subshell, and $! would be that shell's pid, not the worker's.
	RH_AS_WORKER="setpriv --reuid=$RH_WORK_USER --regid=$RH_WORK_USER --init-groups --"
fi

