#!/usr/bin/env bash
# server-apache.t: the responder mounted under a real Apache 2.4 with each
# contrib/apache/ snippet, adapted only for ports and paths:
#
#   routehook-proxy-fcgi.conf	mod_proxy_fcgi to the responder on a unix
#				socket (under spawn-fcgi here, systemd's
#				socket in production)
#   routehook-fcgid.conf	mod_fcgid starting the responder itself
#   routehook-cgi.conf		mod_cgid running it once per request
#
# For each: a signed event gives 202 and one byte-identical spool file, a
# bad signature gives 401 and spools nothing, health gives 200 JSON; and
# what each snippet does about bodies: larger than 1 MiB is 413, and a
# chunked body (no Content-Length) is 411 or, where the server supplies
# CONTENT_LENGTH, accepted.
#
# As root, Apache runs its children as www-data (it refuses to serve as
# root), so the secret and the spool are handed to www-data.
. "$(dirname "$0")/../lib.sh"

[ -x "$FCGI" ] || skip_all "routehook-fcgi is not built"
command -v apache2 >/dev/null || bail "apache2 is not installed (make deps)"
[ -f /usr/lib/apache2/modules/mod_fcgid.so ] ||
    bail "libapache2-mod-fcgid is not installed (make deps)"

write_config
own_for_server
head -c 1100000 /dev/zero | tr '\0' ' ' >"$T/big.json"

# chunked URL: a signed event sent with Transfer-Encoding: chunked.
chunked() {
	printf '{"chunked":true,"n":%s}' "$tap_n" >"$T/chunked.json"
	post_at "$1/routehook/events" "$T/chunked.json" \
	    -H "X-Genesys-Signature: $(sign "$T/chunked.json")" \
	    -H 'Transfer-Encoding: chunked'
}

# refuses_big_and_chunked NAME: through the Apache running now, a body
# over 1 MiB is 413, a chunked one 411, and neither is spooled.
refuses_big_and_chunked() {
	_n=$(spool_total)
	is "$(post_at "$APACHE_URL/routehook/events" "$T/big.json")" 413 \
	    "$1: a body over 1 MiB is 413"
	is "$(chunked "$APACHE_URL")" 411 "$1: a chunked body is 411"
	is "$(spool_total)" "$_n" "$1: neither is spooled"
}

# --- mod_proxy_fcgi --------------------------------------------------------
start_responder
start_apache "$RH_TOP/contrib/apache/routehook-proxy-fcgi.conf"
check_mount proxy-fcgi "$APACHE_URL"
refuses_big_and_chunked proxy-fcgi
stop_pid "$APACHE_PID"

# --- mod_fcgid -------------------------------------------------------------
start_apache "$RH_TOP/contrib/apache/routehook-fcgid.conf"
check_mount fcgid "$APACHE_URL"
n=$(spool_files new)
is "$(post_at "$APACHE_URL/routehook/events" "$T/big.json")" 413 \
    "fcgid: a body over 1 MiB is 413"
is "$(chunked "$APACHE_URL")" 202 \
    "fcgid: a chunked event is accepted (mod_fcgid sets CONTENT_LENGTH)"
is "$(spool_files new)" "$((n + 1))" "fcgid: only the chunked one is spooled"
stop_pid "$APACHE_PID"

# --- mod_cgid --------------------------------------------------------------
# mod_cgid gives a CGI program a unix socket as stdin and stdout.  When the
# responder refuses a request before reading its body (411, 413) it still
# reads the rest, bounded, before exiting: otherwise the unread bytes make
# the kernel reset that socket and Apache loses the answer (the client saw
# the connection drop about one time in five).
start_apache "$RH_TOP/contrib/apache/routehook-cgi.conf"
check_mount cgi "$APACHE_URL"
refuses_big_and_chunked cgi
stop_pid "$APACHE_PID"

done_testing
