#!/usr/bin/env bash
# slow-clients.t: clients that send their bodies slowly cannot starve the
# responder's handler threads (issue 10, section 3).  Apache's
# mod_proxy_fcgi, with the shipped snippet, streams a body to the
# responder as the client sends it (nginx, lighttpd and mod_fcgid read it
# whole first), so 64 connections dribbling unsigned bodies one byte at a
# time would each hold one of the 16 handlers for as long as they like.
# Two things stop that: receiver.read_timeout_ms bounds the time a body
# may take (each slow client gets 408 or a closed connection), and while
# no handler is free the responder starts more (up to 16 times -n), so a
# signed event sent among them is answered within a second.
#
# The same storm against a responder without either (read_timeout_ms ten
# minutes, -n 1 so at most 16 handlers, as many as there used to be)
# shows that the test can fail: the signed event then waits behind it.
. "$(dirname "$0")/../lib.sh"

[ -x "$FCGI" ] || skip_all "routehook-fcgi is not built"
command -v apache2 >/dev/null || bail "apache2 is not installed (make deps)"

N=64

# storm SECONDS: $N connections that each send the headers of a 1000-byte
# unsigned event and then one byte every 100 ms, for SECONDS at most; in
# the background ($STORM_PID), what each got in $T/storm.out.  Returns
# once every connection has sent its headers and a first byte.
storm() {
	rm -f "$T/storm.ready"
	python3 - "$APACHE_PORT" "$N" "$1" "$T/storm.ready" >"$T/storm.out" <<'PY' &
import collections, socket, sys, time
port, n, seconds, ready = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
head = (b"POST /routehook/events HTTP/1.1\r\nHost: localhost\r\n"
        b"Content-Type: application/json\r\nContent-Length: 1000\r\n"
        b"X-Genesys-Signature: " + b"0" * 64 + b"\r\n\r\n{")
socks = []
for _ in range(n):
    s = socket.create_connection(("127.0.0.1", port))
    s.sendall(head)
    s.setblocking(False)
    socks.append(s)
open(ready, "w").close()
got, end = {}, time.monotonic() + seconds
while len(got) < n and time.monotonic() < end:
    for i, s in enumerate(socks):
        if i in got:
            continue
        try:
            d = s.recv(4096)
            got[i] = d.split(b" ")[1].decode() if d else "closed"
            continue
        except BlockingIOError:
            pass
        except OSError:
            got[i] = "closed"
            continue
        try:
            s.send(b" ")
        except OSError:
            got[i] = "closed"
    time.sleep(0.1)
for i in range(n):
    print(got.get(i, "waiting"))
PY
	STORM_PID=$!
	track "$STORM_PID"
	wait_for 10 test -e "$T/storm.ready" || bail "the storm did not start"
}

# signed_event: POST one signed event through Apache; prints the status
# and how long the answer took, in ms; gives up after 5 s.
signed_event() {
	printf '{"eventType":"routing.user.status.update","userId":"u-1","status":"available","n":%s}' \
	    "$tap_n" >"$T/event.json"
	curl -s -o "$T/response" -w '%{http_code} %{time_total}\n' \
	    --max-time 5 -X POST -H 'Expect:' \
	    -H "X-Genesys-Signature: $(sign "$T/event.json")" \
	    --data-binary "@$T/event.json" "$APACHE_URL/routehook/events" |
	    awk '{ printf "%s %d\n", $1, $2 * 1000 }'
}

# --- no deadline worth the name, 16 handlers: the storm holds them all ----
write_config "read_timeout_ms = 600000;"
own_for_server
start_responder -n 1
start_apache "$RH_TOP/contrib/apache/routehook-proxy-fcgi.conf"
storm 8
set -- $(signed_event)
diag "without a deadline: $1 after $2 ms"
[ "$1" != 202 ] || [ "$2" -gt 1000 ]
ok $? "with 16 handlers and no deadline, the storm delays a signed event past a second"
stop_pid "$STORM_PID"
stop_all

# --- the defaults: read_timeout_ms 2000, -n 16 ----------------------------
write_config
start_responder
start_apache "$RH_TOP/contrib/apache/routehook-proxy-fcgi.conf"
n=$(spool_files new)
storm 20
set -- $(signed_event)
is "$1" 202 "during the storm, a signed event is accepted"
assert "... within a second ($2 ms)" test "${2:-99999}" -le 1000
is "$(spool_files new)" "$((n + 1))" "only the signed event is spooled"
wait "$STORM_PID"
is "$(grep -cvE '^(408|closed)$' "$T/storm.out")" 0 \
    "every slow client got 408 or a closed connection" ||
    sort "$T/storm.out" | uniq -c | sed 's/^/#   /'
is "$(grep -c 'rejected 408 body not received in time' "$T/fcgi.log")" "$N" \
    "the responder logs each as 408"

done_testing
