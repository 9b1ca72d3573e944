#!/bin/sh
# responder-accept.t: signed events POSTed through nginx are answered 202
# with an id naming a file in spool/new/ that holds exactly the bytes sent,
# and nothing is logged for them.
. "$(dirname "$0")/../lib.sh"

write_config
start_responder
start_nginx

# The tutorial's shape, with the trailing newline a file usually has.
printf '{"eventType":"routing.user.status.update","userId":"u-1","status":"available","timestamp":"2026-01-01T00:00:00Z"}\n' >"$T/ev1.json"
code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' \
    -X POST -H 'Content-Type: application/json' \
    -H "X-Genesys-Signature: $(sign "$T/ev1.json")" \
    --data-binary "@$T/ev1.json" "$NGINX_URL/routehook/events")
is "$code" 202 "a signed event is accepted"
is "$(json_field "$T/response" status)" accepted '... answering {"status":"accepted",...}'
assert "... as application/json" \
    grep -qi '^content-type: application/json' "$T/headers"
id1=$(json_field "$T/response" id)
case $id1 in
*/* | '' | null) false ;;
*) echo "$id1" | grep -Eq '^[0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\..+$' ;;
esac
ok $? "... with a maildir unique name as its id ($id1)"
assert "... naming a file in new/" test -f "$T/spool/new/$id1"
assert_same "$T/ev1.json" "$T/spool/new/$id1" \
    "... that holds exactly the bytes sent"
is "$(spool_files tmp)" 0 "... and nothing is left in tmp/"

# The notification shape, UTF-8, no trailing newline, another path.
printf '{"topicName":"v2.users.u-2.routingStatus","version":"2","eventBody":{"id":"u-2","routingStatus":{"status":"IDLE","startTime":"2026-01-01T00:00:00Z"}},"metadata":{"note":"caf\303\251 \342\202\254"}}' >"$T/ev2.json"
code=$(curl -s -o "$T/response" -w '%{http_code}' -X POST \
    -H "X-Genesys-Signature: $(sign "$T/ev2.json")" \
    --data-binary "@$T/ev2.json" "$NGINX_URL/routehook/any/path/at/all")
is "$code" 202 "a notification-shaped event to another path is accepted"
id2=$(json_field "$T/response" id)
assert_same "$T/ev2.json" "$T/spool/new/$id2" \
    "... byte for byte, UTF-8 included"
assert "... under a new id" test "$id1" != "$id2"

# Upper-case hex is the same digest.
printf '{"eventType":"routing.user.status.update","userId":"u-3","status":"away"}' >"$T/ev3.json"
code=$(post "$T/ev3.json" -H "X-Genesys-Signature: $(sign "$T/ev3.json" | tr a-f A-F)")
is "$code" 202 "an upper-case hex signature is accepted"
is "$(spool_files new)" 3 "three events, three files in new/"

curl -s -o "$T/metrics" "$NGINX_URL/routehook/metrics"
assert "metrics count 3 accepted" \
    grep -qx 'routehook_requests_accepted_total 3' "$T/metrics"
refute "nothing is logged for accepted events (quiet by default)" \
    grep -q 'rejected\|accepted' "$T/fcgi.log"

done_testing
