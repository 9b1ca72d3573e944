#!/usr/bin/env bash
# server-lighttpd.t: the responder mounted under a real lighttpd with each
# contrib/lighttpd/ snippet, adapted only for ports and paths:
#
#   routehook-fastcgi.conf		mod_fastcgi to the responder on a
#					unix socket (spawn-fcgi here)
#   routehook-fastcgi-spawn.conf	mod_fastcgi starting the responder
#					itself ("bin-path")
#   routehook-cgi.conf			mod_cgi running it once per request
#
# For each: a signed event gives 202 and one byte-identical spool file, a
# bad signature gives 401 and spools nothing, health gives 200 JSON; and
# the bodies: larger than 1 MiB is 413, and a chunked event is accepted
# (lighttpd reads the body first and sets CONTENT_LENGTH).
. "$(dirname "$0")/../lib.sh"

[ -x "$FCGI" ] || skip_all "routehook-fcgi is not built"
command -v lighttpd >/dev/null || bail "lighttpd is not installed (make deps)"

write_config
own_for_server
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big.json"

# bodies NAME: the 413 and the chunked checks.
bodies() {
	_n=$(spool_files new)
	is "$(post_at "$LIGHTTPD_URL/routehook/events" "$T/big.json")" 413 \
	    "$1: a body over 1 MiB is 413"
	printf '{"chunked":true,"n":%s}' "$tap_n" >"$T/chunked.json"
	is "$(post_at "$LIGHTTPD_URL/routehook/events" "$T/chunked.json" \
	    -H "X-Genesys-Signature: $(sign "$T/chunked.json")" \
	    -H 'Transfer-Encoding: chunked')" 202 \
	    "$1: a chunked event is accepted"
	is "$(spool_files new)" "$((_n + 1))" "$1: only the chunked one is spooled"
}

# --- mod_fastcgi to a running responder -----------------------------------
start_responder
start_lighttpd "$RH_TOP/contrib/lighttpd/routehook-fastcgi.conf"
check_mount fastcgi "$LIGHTTPD_URL"
bodies fastcgi
stop_pid "$LIGHTTPD_PID"

# --- mod_fastcgi spawning the responder ------------------------------------
start_lighttpd "$RH_TOP/contrib/lighttpd/routehook-fastcgi-spawn.conf"
check_mount fastcgi-spawn "$LIGHTTPD_URL"
bodies fastcgi-spawn
stop_pid "$LIGHTTPD_PID"

# --- mod_cgi ---------------------------------------------------------------
start_lighttpd "$RH_TOP/contrib/lighttpd/routehook-cgi.conf"
check_mount cgi "$LIGHTTPD_URL"
bodies cgi
stop_pid "$LIGHTTPD_PID"

done_testing
