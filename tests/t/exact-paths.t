#!/usr/bin/env bash
# exact-paths.t: health and metrics answer only at their exact paths under
# the mount, and every web-server snippet keeps metrics to the addresses
# it allows (issue 10, section 4).  Through nginx, each Apache snippet and
# each lighttpd snippet, from 127.0.0.2 (a loopback address the snippets
# do not allow): /routehook/metrics, /routehook/metrics/ and
# /routehook/x/metrics never serve the counters; from 127.0.0.1 the exact
# path does, and /routehook/x/health is not health.
. "$(dirname "$0")/../lib.sh"

[ -x "$FCGI" ] || skip_all "routehook-fcgi is not built"
curl -s -o /dev/null --interface 127.0.0.2 http://127.0.0.1:1/ 2>/dev/null
[ $? -ne 45 ] || skip_all "cannot use 127.0.0.2 as a source address"

write_config
own_for_server

# get NAME URL [CURL-ARGS...]: the status, the body in $T/got.
get() {
	curl -s -o "$T/got" -w '%{http_code}' "$@"
}
# counters: the last answer was the metrics page.
counters() { grep -q '^routehook_requests_accepted_total' "$T/got"; }

# paths NAME BASE-URL: the checks, through one server.
paths() {
	_n=$1
	_b=$2
	is "$(get "$_b/routehook/metrics")" 200 "$_n: metrics from 127.0.0.1"
	assert "$_n: ... is the metrics page" counters
	for _p in /routehook/metrics /routehook/metrics/ /routehook/x/metrics \
	    /routehook/x/y/metrics '/routehook/metrics?a=1' \
	    /routehook//metrics; do
		_c=$(get --interface 127.0.0.2 "$_b$_p")
		refute "$_n: $_p from 127.0.0.2 does not serve the counters ($_c)" \
		    counters
		case $_c in 2??) ok 1 "$_n: $_p from 127.0.0.2 is refused ($_c)" ;;
		*) ok 0 "$_n: $_p from 127.0.0.2 is refused ($_c)" ;; esac
	done
	_c=$(get "$_b/routehook/x/metrics")
	is "$_c" 405 "$_n: /routehook/x/metrics from 127.0.0.1 is not metrics"
	_c=$(get "$_b/routehook/x/health")
	is "$_c" 405 "$_n: /routehook/x/health is not health"
	is "$(get "$_b/routehook/health")" 200 "$_n: /routehook/health is"
}

start_responder
start_nginx
paths nginx "$NGINX_URL"

if command -v apache2 >/dev/null; then
	for s in proxy-fcgi fcgid cgi; do
		start_apache "$RH_TOP/contrib/apache/routehook-$s.conf"
		paths "apache $s" "$APACHE_URL"
		stop_pid "$APACHE_PID"
	done
else
	skip "apache" "apache2 is not installed"
fi

if command -v lighttpd >/dev/null; then
	for s in fastcgi fastcgi-spawn cgi; do
		mkdir -p "$T/lighttpd"
		start_lighttpd "$RH_TOP/contrib/lighttpd/routehook-$s.conf"
		paths "lighttpd $s" "$LIGHTTPD_URL"
		stop_pid "$LIGHTTPD_PID"
	done
else
	skip "lighttpd" "lighttpd is not installed"
fi

done_testing
