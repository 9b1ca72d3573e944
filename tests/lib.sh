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

rh_scratch=routehook-t
[ -z "${RH_NO_TAP:-}" ] || rh_scratch=routehook-demo
T=$(mktemp -d "${TMPDIR:-/tmp}/$rh_scratch.XXXXXX")
chmod 755 "$T"
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

bail() { echo "Bail out! $*"; exit 1; }

# --- processes and readiness -----------------------------------------

track() { rh_pids="$rh_pids $1"; }

# wait_for SECONDS COMMAND...: poll COMMAND every 50 ms until it succeeds.
wait_for() {
	_deadline=$(( $(date +%s) + $1 ))
	shift
	while ! "$@" >/dev/null 2>&1; do
		[ "$(date +%s)" -ge "$_deadline" ] && return 1
		sleep 0.05
	done
	return 0
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
		wait_for 5 sh -c "! kill -0 $p" || kill -9 "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	rh_pids=
}

rh_cleanup() {
	stop_all
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
}

# sign FILE [SECRET-FILE]: the hex HMAC-SHA256 of FILE's bytes.
sign() {
	openssl dgst -sha256 -hmac "$(head -n 1 "${2:-$T/webhook.secret}")" \
	    -r "$1" | cut -d' ' -f1
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
# pointed at $T/fcgi.sock.
start_nginx() {
	NGINX_PORT=$(free_port)
	mkdir -p "$T/nginx"
	sed -e "s|unix:/run/routehook/fcgi.sock|unix:$T/fcgi.sock|" \
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

# spool_files DIR: how many files are in $T/spool/DIR.
spool_files() {
	find "$T/spool/$1" -maxdepth 1 -type f 2>/dev/null | wc -l
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

# skip DESCRIPTION REASON: one test that did not run.
skip() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - $1 # SKIP $2"
}

# stop_pid PID: TERM, then wait (bounded) until it has gone.
stop_pid() {
	kill "$1" 2>/dev/null
	wait_for 10 sh -c "! kill -0 $1" || kill -9 "$1" 2>/dev/null
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
	for d in tmp new cur deferred dead state seen; do
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

# start_standin [ARGS...]: tests/genesys-standin.py over TLS with a test CA
# ($T/certs/ca.pem, made once), OAuth client "test-client" whose secret is
# in $T/client.secret, every call journalled in $T/standin.jsonl.  Sets
# STANDIN_PID, STANDIN_PORT and STANDIN_URL.  A set STANDIN_PORT reuses
# that port (a restart after stop_standin).
start_standin() {
	[ -s "$T/certs/ca.pem" ] || sh "$RH_TOP/tests/mkcerts.sh" "$T/certs" ||
	    bail "mkcerts.sh failed"
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
# the test CA, timeout_ms 5000), worker (short backoff: 100 ms to 1 s) and
# audit ($T/audit.jsonl) sections.  A key set in the extra lines replaces
# the default given here.  CLIENT_ID overrides the client id.
worker_config() {
	_w=${1:-}
	_g=${2:-}
	case $_w in *backoff_min_ms*) ;; *) _w="backoff_min_ms = 100; $_w" ;; esac
	case $_w in *backoff_max_ms*) ;; *) _w="backoff_max_ms = 1000; $_w" ;; esac
	case $_g in *timeout_ms*) ;; *) _g="timeout_ms = 5000; $_g" ;; esac
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
audit = { file = \"$T/audit.jsonl\"; };
${3:-}"
}

# run_worker [ARGS...]: one `routehook-worker --once` in the foreground,
# stderr appended to $T/worker.log; returns its exit status.
run_worker() {
	$RH_WRAP "$WORKER" -c "$T/routehook.conf" --once "$@" 2>>"$T/worker.log"
}

# start_worker [ARGS...]: the worker as a daemon ($WORKER_PID), stderr in
# $T/worker.log; returns once it has logged its start.
start_worker() {
	_started=$(grep -c 'started (daemon)' "$T/worker.log" 2>/dev/null)
	$RH_WRAP "$WORKER" -c "$T/routehook.conf" "$@" 2>>"$T/worker.log" &
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

# audit_jq JQ-FILTER: the filter applied to the audit file as one array
# (jq -s -c -r: strings come out raw, the rest as compact JSON).
audit_jq() {
	jq -s -c -r "$1" "$T/audit.jsonl" 2>/dev/null
}

# journal JQ-FILTER: the same over the stand-in's journal of API calls.
journal() {
	jq -s -c -r "$1" "$T/standin.jsonl" 2>/dev/null
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
