#!/bin/sh
# responder-cgi.t: run as a plain CGI program (no socket on fd 0, the
# request in the environment, the body on stdin), the responder answers
# one request on stdout and exits 0: 202 with one file in new/, 400 for a
# short body, 401 for a bad signature, 413 before reading stdin, and
# health by either REQUEST_URI or SCRIPT_NAME + PATH_INFO, at the mount
# configured (receiver.mount).
. "$(dirname "$0")/../lib.sh"

write_config 'mount = "/cgi-bin/routehook";'
mkdir -p "$T/spool"
printf '{"eventType":"routing.user.status.update","userId":"u-1","status":"available"}\n' >"$T/ev.json"
len=$(wc -c <"$T/ev.json" | tr -d ' ')
sig=$(sign "$T/ev.json")

# cgi [NAME=VALUE...] < BODY: the binary as a web server would start it,
# with only the CGI variables in its environment.  Answer in $T/out,
# stderr in $T/cgi.log, exit status in $rc.  $CGI_WRAP goes in front
# of the binary.
cgi() {
	env -i PATH="$PATH" ASAN_OPTIONS="$ASAN_OPTIONS" \
	    UBSAN_OPTIONS="$UBSAN_OPTIONS" GATEWAY_INTERFACE=CGI/1.1 \
	    SERVER_PROTOCOL=HTTP/1.1 REMOTE_ADDR=198.51.100.4 \
	    CONTENT_TYPE=application/json "$@" ${CGI_WRAP:-} \
	    "$FCGI" -c "$T/routehook.conf" >"$T/out" 2>>"$T/cgi.log"
	rc=$?
	code=$(fcgi_status "$T/out")
	sed '1,/^\r*$/d' "$T/out" >"$T/response"
}

cgi REQUEST_METHOD=POST REQUEST_URI=/cgi-bin/routehook/events \
    CONTENT_LENGTH="$len" HTTP_X_GENESYS_SIGNATURE="$sig" <"$T/ev.json"
is "$rc" 0 "CGI: exits 0"
head -n 1 "$T/out" | grep -q '^Status: 202 Accepted'
ok $? "CGI: 'Status: 202' is the first line on stdout"
assert "CGI: Content-Type: application/json" \
    grep -q '^Content-Type: application/json' "$T/out"
is "$(spool_files new)" 1 "CGI: one file in new/"
assert "CGI: the file named by the answer's id holds the body" \
    cmp -s "$T/ev.json" "$T/spool/new/$(json_field "$T/response" id)"
rm -f "$T"/spool/new/*

cgi REQUEST_METHOD=POST REQUEST_URI=/cgi-bin/routehook/events \
    CONTENT_LENGTH=$((len + 10)) HTTP_X_GENESYS_SIGNATURE="$sig" <"$T/ev.json"
is "$code" 400 "CGI: a body 10 bytes short of CONTENT_LENGTH: 400"
is "$(json_field "$T/response" error)" "body shorter than Content-Length" "... saying so"
assert "... and no file" spool_empty

cgi REQUEST_METHOD=POST REQUEST_URI=/cgi-bin/routehook/events \
    CONTENT_LENGTH="$len" HTTP_X_GENESYS_SIGNATURE="$(printf '%064d' 1)" <"$T/ev.json"
is "$code" 401 "CGI: a wrong signature: 401"
assert "... and no file" spool_empty

cgi REQUEST_METHOD=POST REQUEST_URI=/cgi-bin/routehook/events \
    HTTP_X_GENESYS_SIGNATURE="$sig" <"$T/ev.json"
is "$code" 411 "CGI: no CONTENT_LENGTH: 411"

# 413 comes before reading: stdin is a FIFO nobody will ever write to
# (we hold its write end).  The responder answers first, then drains the
# unread body for at most a second of silence (mod_cgid needs that), so
# it must exit 0 well before timeout would kill it.
mkfifo "$T/fifo"
exec 3<>"$T/fifo"
CGI_WRAP="timeout 10" cgi REQUEST_METHOD=POST \
    REQUEST_URI=/cgi-bin/routehook/events CONTENT_LENGTH=70000 \
    HTTP_X_GENESYS_SIGNATURE="$sig" <&3
exec 3>&-
is "$code $rc" "413 0" "CGI: CONTENT_LENGTH over max_body_bytes: 413 without reading stdin"

cgi REQUEST_METHOD=GET REQUEST_URI=/cgi-bin/routehook/health </dev/null
is "$code" 200 "CGI: GET .../health by REQUEST_URI: 200"
is "$(json_field "$T/response" status)" healthy "... healthy"
cgi REQUEST_METHOD=GET SCRIPT_NAME=/cgi-bin/routehook PATH_INFO=/health </dev/null
is "$code" 200 "CGI: GET by SCRIPT_NAME + PATH_INFO: 200"
is "$(json_field "$T/response" spool.new)" 0 "... with the spool counts"
cgi REQUEST_METHOD=PUT REQUEST_URI=/cgi-bin/routehook/events </dev/null
is "$code" 405 "CGI: PUT: 405"
assert "... with Allow: POST" grep -q '^Allow: POST' "$T/out"

assert "CGI: rejections are logged on stderr with the REMOTE_ADDR" \
    grep -q 'rejected 400 body shorter than Content-Length from 198\.51\.100\.4$' "$T/cgi.log"

# Neither a socket nor CGI: refuse to guess.
env -i PATH="$PATH" "$FCGI" -c "$T/routehook.conf" </dev/null >"$T/out" 2>"$T/err"
is "$?" 100 "no socket and no REQUEST_METHOD: exit 100"
assert "... saying there is no listen socket" \
    grep -q 'no listen socket' "$T/err"

done_testing
