#!/bin/sh
# responder-signal.t: the ways to listen (-s unix:PATH over a stale socket,
# -s tcp:HOST:PORT, systemd's LISTEN_FDS, spawn-fcgi's fd 0) and the way
# to stop: SIGTERM or SIGINT lets a request in progress finish, then the
# process exits 0 and removes the socket it made.
. "$(dirname "$0")/../lib.sh"

write_config
printf '{"userId":"u-1","status":"available"}' >"$T/ev.json"
len=$(wc -c <"$T/ev.json" | tr -d ' ')
sig=HTTP_X_GENESYS_SIGNATURE=$(sign "$T/ev.json")
: >"$T/empty"

# get_health ADDRESS: the status of GET /health straight over FastCGI.
get_health() {
	fcgi_request "$1" "$T/empty" REQUEST_METHOD=GET \
	    REQUEST_URI=/routehook/health >"$T/answer" 2>/dev/null &&
	    [ "$(fcgi_status "$T/answer")" = 200 ]
}
post_event() {	# post_event ADDRESS: an event, answer in $T/answer
	fcgi_request "$1" "$T/ev.json" REQUEST_METHOD=POST \
	    REQUEST_URI=/routehook/events CONTENT_LENGTH="$len" "$sig" \
	    >"$T/answer"
}

# --- -s unix:PATH over a stale socket, and SIGTERM with a request in flight
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' "$T/own.sock"
assert "a stale socket is left at own.sock" test -S "$T/own.sock"
"$FCGI" -c "$T/routehook.conf" -s "unix:$T/own.sock" -n 2 </dev/null 2>>"$T/own.log" &
pid=$!
track $pid
assert "-s unix:PATH replaces the stale socket and serves (health 200)" \
    wait_for 10 get_health "$T/own.sock"

FCGI_HOLD=$T/hold fcgi_request "$T/own.sock" "$T/ev.json" REQUEST_METHOD=POST \
    REQUEST_URI=/routehook/events CONTENT_LENGTH="$len" "$sig" >"$T/held" &
client=$!
assert "a request is in flight (half its body sent)" \
    wait_for 10 test -e "$T/hold.sent"
kill -TERM $pid
# The idle handler exits at once; the busy one is waiting for the body.
assert "SIGTERM: the process waits for the request in flight" \
    stays_for 1 kill -0 "$pid"
touch "$T/hold"
wait $client
is "$(fcgi_status "$T/held")" 202 "... which is answered 202 when its body arrives"
wait $pid
is "$?" 0 "... then the process exits 0"
is "$(spool_files new)" 1 "... with the event in new/"
assert "... and removes its socket" test ! -e "$T/own.sock"

# A live socket is not stolen.
"$FCGI" -c "$T/routehook.conf" -s "unix:$T/own.sock" -n 1 </dev/null 2>>"$T/own.log" &
pid=$!
track $pid
wait_for 10 get_health "$T/own.sock"
"$FCGI" -c "$T/routehook.conf" -s "unix:$T/own.sock" </dev/null 2>"$T/second.err"
is "$?" 111 "a second instance on a live socket: exit 111"
assert "... saying so" grep -q 'another process is listening' "$T/second.err"
kill -INT $pid
wait $pid
is "$?" 0 "SIGINT: exit 0"

# --- -s tcp:HOST:PORT ----------------------------------------------------------
port=$(free_port)
"$FCGI" -c "$T/routehook.conf" -s "tcp:127.0.0.1:$port" -n 4 </dev/null 2>>"$T/tcp.log" &
pid=$!
track $pid
assert "-s tcp:127.0.0.1:PORT serves (health 200)" \
    wait_for 10 get_health "127.0.0.1:$port"
post_event "127.0.0.1:$port"
is "$(fcgi_status "$T/answer")" 202 "... and accepts an event"
kill -TERM $pid
wait $pid
is "$?" 0 "... and exits 0 on SIGTERM"

# --- systemd socket activation: LISTEN_PID/LISTEN_FDS, socket on fd 3 -----------
python3 - "$T/sd.sock" "$FCGI" "$T/routehook.conf" "$T/sd.pid" 2>>"$T/sd.log" <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX)
s.bind(sys.argv[1]); s.listen(16)
os.dup2(s.fileno(), 3)
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
open(sys.argv[4], "w").write(str(os.getpid()))
fd = os.open("/dev/null", os.O_RDONLY); os.dup2(fd, 0)
os.execv(sys.argv[2], [sys.argv[2], "-c", sys.argv[3], "-n", "2"])
PY
pid=$!
track $pid
assert "LISTEN_FDS=1 with LISTEN_PID = its pid: serves fd 3" \
    wait_for 10 get_health "$T/sd.sock"
kill -TERM $pid
wait $pid
is "$?" 0 "... and exits 0 on SIGTERM"

# --- spawn-fcgi (fd 0), the way the other tests run it -------------------------
start_responder
assert "under spawn-fcgi: serves the socket on fd 0" \
    wait_for 10 get_health "$T/fcgi.sock"
pid=$(pgrep -f "routehook-fcgi -c $T/routehook.conf" | head -n 1)
# shellcheck disable=SC2086
set -- $rh_pids
eval "spawned=\${$#}"
is "$pid" "$spawned" "... in the process spawn-fcgi -n started (it execs)"
kill -TERM "$pid"
wait "$spawned"
is "$?" 0 "... which exits 0 on SIGTERM"
refute "no warnings logged along the way" \
    grep -qi 'warning\|fatal' "$T/fcgi.log" "$T/own.log" "$T/tcp.log" "$T/sd.log"

done_testing
