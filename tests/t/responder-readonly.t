#!/bin/sh
# responder-readonly.t: when the spool cannot take an event (new/ or tmp/
# not writable) a POST is answered 503 with Retry-After, nothing is left
# in tmp/ or new/, health says unhealthy, and the same process accepts
# events again as soon as the spool is writable again.
#
# Root ignores permissions, so as root the responder runs as nobody
# (spawn-fcgi -u nobody -g nogroup) with its config, secret and spool
# made readable or owned accordingly.
. "$(dirname "$0")/../lib.sh"

write_config
mkdir "$T/spool"
if [ "$(id -u)" -eq 0 ]; then
	RH_SPAWN_ARGS="-u nobody -g nogroup"
	chgrp nogroup "$T/webhook.secret"
	chmod 640 "$T/webhook.secret"
	chmod 644 "$T/routehook.conf"
	chown nobody:nogroup "$T/spool"
fi
start_responder
start_nginx
pid=$(pgrep -f "routehook-fcgi -c $T/routehook.conf" | head -n 1)
if [ "$(id -u)" -eq 0 ]; then
	is "$(ps -o user= -p "$pid" | tr -d ' ')" nobody "the responder runs as nobody"
fi

printf '{"userId":"u-1","status":"available"}' >"$T/ev.json"
code=$(post "$T/ev.json")
is "$code" 202 "a writable spool: 202"
is "$(spool_files new)" 1 "... one file in new/"

# post_503 WHAT: one refused POST, with Retry-After and no new file.
post_503() {
	_before=$(spool_files new)
	code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' \
	    -X POST -H "X-Genesys-Signature: $(sign "$T/ev.json")" \
	    --data-binary "@$T/ev.json" "$NGINX_URL/routehook/events")
	is "$code" 503 "$1: 503"
	assert "$1: ... with Retry-After: 5" \
	    grep -qi '^retry-after: 5' "$T/headers"
	is "$(json_field "$T/response" error)" \
	    "cannot store the event now; retry later" "$1: ... and a JSON error"
	is "$(spool_files tmp) $(spool_files new)" "0 $_before" \
	    "$1: ... nothing left in tmp/, nothing added to new/"
}
health() {
	curl -s -o "$T/health" -w '%{http_code}' "$NGINX_URL/routehook/health"
}

chmod a-w "$T/spool/new"
post_503 "new/ read-only (the temp file must be removed)"
is "$(health)" 503 "... health: 503"
is "$(json_field "$T/health" status)" unhealthy '... "status":"unhealthy"'
case $(json_field "$T/health" reason) in
*new/*) ok 0 "... the reason names new/" ;;
*) ok 1 "... the reason names new/ ($(json_field "$T/health" reason))" ;;
esac
is "$(json_field "$T/health" spool.new)" 1 "... and still counts the spool"
assert "... logged with the address and the system's reason" \
    grep -q 'rejected 503 cannot store event from 127\.0\.0\.1: .*Permission denied' "$T/fcgi.log"

chmod u+w "$T/spool/new"
is "$(post "$T/ev.json")" 202 "new/ writable again: 202"
is "$(health)" 200 "... health: 200 again"

chmod a-w "$T/spool/tmp"
post_503 "tmp/ read-only"
is "$(health)" 503 "... health: 503"
chmod u+w "$T/spool/tmp"
is "$(post "$T/ev.json")" 202 "tmp/ writable again: 202"
is "$(spool_files new)" 3 "three events stored in all"

curl -s -o "$T/metrics" "$NGINX_URL/routehook/metrics"
assert "metrics: 2 refused for the spool" \
    grep -qx 'routehook_requests_rejected_total{reason="spool"} 2' "$T/metrics"
[ -n "$pid" ] && [ "$(pgrep -f "routehook-fcgi -c $T/routehook.conf" | head -n 1)" = "$pid" ]
ok $? "the same responder process served throughout"

done_testing
