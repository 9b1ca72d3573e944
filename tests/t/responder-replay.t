#!/bin/sh
# responder-replay.t: replays are harmless, through real nginx.  The same
# signed body again is answered 200 with the first event's id and not
# stored, also after the responder restarts; so is the same webhook-id
# (standard-webhooks) even over another body.  A body without the
# event's own time is refused (400 naming the field) unless
# receiver.require_event_time is off.  The record (spool/seen/) forgets
# and prunes what is older than receiver.dedup_window_s.
. "$(dirname "$0")/../lib.sh"

printf 'replay-secret-%s\n' "$$" >"$T/webhook.secret"
printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | openssl base64 -A)" >"$T/swh.secret"
chmod 600 "$T"/*.secret
conf() {	# conf [EXTRA-RECEIVER-LINES]
	cat >"$T/routehook.conf" <<CONF
spool_dir = "$T/spool";
receiver = {
  auth = [ "hmac", "standard-webhooks" ];
  secret_file = "$T/webhook.secret";
  standard_webhooks = { secret_files = [ "$T/swh.secret" ]; };
  ${1:-}
};
CONF
}
swh_sig() {	# as in responder-auth.t
	python3 - "$@" <<'PY'
import base64, hashlib, hmac, sys
key = open(sys.argv[1]).readline().strip()[6:]
body = open(sys.argv[4], "rb").read()
msg = ("%s.%s." % (sys.argv[2], sys.argv[3])).encode() + body
print("v1," + base64.b64encode(hmac.new(base64.b64decode(key), msg,
    hashlib.sha256).digest()).decode())
PY
}
post_swh() {	# post_swh FILE ID
	_now=$(date +%s)
	post "$1" -H "webhook-id: $2" -H "webhook-timestamp: $_now" \
	    -H "webhook-signature: $(swh_sig "$T/swh.secret" "$2" "$_now" "$1")"
}

conf
start_responder
start_nginx

# --- the same body twice, and after a restart --------------------------------
printf '{"eventType":"routing.user.status.update","userId":"u-1","status":"offline","timestamp":"2026-12-01T10:00:00.000Z"}' >"$T/a.json"
is "$(post "$T/a.json")" 202 "an event: 202"
first=$(json_field "$T/response" id)
is "$(post "$T/a.json")" 200 "the same signed body again: 200"
is "$(json_field "$T/response" id)" "$first" "... with the first event's id"
is "$(jq -r .duplicate "$T/response")" true "... marked a duplicate"
is "$(spool_files new)" 1 "... and not stored again"
assert "the log says a replay was answered" \
    grep -q "replay of $first from .* answered, not stored" "$T/fcgi.log"

printf '{"eventType":"routing.user.status.update","userId":"u-1","status":"offline","timestamp":"2026-12-01T11:00:00.000Z"}' >"$T/b.json"
is "$(post "$T/b.json")" 202 "the same words an hour later (its own time differs): 202"
is "$(spool_files new)" 2 "... stored"

stop_all
start_responder
start_nginx
is "$(post "$T/a.json")" 200 "after a restart of the responder, the first body: still 200"
is "$(json_field "$T/response" id)" "$first" "... with the first event's id"
is "$(spool_files new)" 2 "... not stored"

# --- standard-webhooks: the webhook-id is the identity ----------------------------
printf '{"topicName":"v2.users.u-2.routingStatus","eventBody":{"routingStatus":{"status":"IDLE","startTime":"2026-12-01T10:00:00Z"}}}' >"$T/c.json"
is "$(post_swh "$T/c.json" msg_c)" 202 "standard-webhooks: 202"
sid=$(json_field "$T/response" id)
is "$(post_swh "$T/c.json" msg_c)" 200 "the same webhook-id again, re-signed now: 200"
is "$(json_field "$T/response" id)" "$sid" "... with the first event's id"
printf '{"topicName":"v2.users.u-2.routingStatus","eventBody":{"routingStatus":{"status":"IDLE","startTime":"2026-12-01T10:00:01Z"}}}' >"$T/d.json"
is "$(post_swh "$T/d.json" msg_c)" 200 "the same webhook-id over another body: 200, not stored"
is "$(post_swh "$T/d.json" msg_d)" 202 "that body under its own webhook-id: 202"
is "$(spool_files new)" 4 "four events stored in all"

# --- no event time -----------------------------------------------------------------
printf '{"eventType":"routing.user.status.update","userId":"u-3","status":"offline"}' >"$T/e.json"
is "$(post "$T/e.json")" 400 "a body without its own time: 400"
is "$(json_field "$T/response" error)" "no event time: missing timestamp" "... naming the field"
printf '{"topicName":"v2.users.u-3.routingStatus","eventBody":{"routingStatus":{"status":"IDLE"}}}' >"$T/f.json"
is "$(post "$T/f.json")" 400 "a notification without startTime: 400"
is "$(json_field "$T/response" error)" \
    "no event time: missing eventBody.routingStatus.startTime" "... naming the field"
printf '{"topicName":"v2.users.u-3.presence","eventBody":{"presenceDefinition":{"id":"p-1"},"modifiedDate":null}}' >"$T/g.json"
is "$(post "$T/g.json")" 400 "a presence with a null modifiedDate: 400"
is "$(json_field "$T/response" error)" "no event time: missing eventBody.modifiedDate" \
    "... naming the field"
is "$(post_swh "$T/e.json" msg_e)" 400 "standard-webhooks, no event time: 400 too"
is "$(spool_files new)" 4 "nothing more stored"

stop_all
conf "require_event_time = false;"
start_responder
start_nginx
is "$(post "$T/e.json")" 202 "require_event_time = false: accepted"
is "$(post "$T/e.json")" 202 "... and again: a time-less body is no identity"
is "$(spool_files new)" 6 "... both stored"

# --- the window ---------------------------------------------------------------------
# Move a record's time back past the window (an hour) instead of waiting.
entry=$(find "$T/spool/seen" -type l -lname "$first")
[ -n "$entry" ]; ok $? "the first event's record is a link in seen/ to its id"
touch -h -d '-3601 seconds' "$entry"
is "$(post "$T/a.json")" 202 "past dedup_window_s the body is new again: 202"
newid=$(json_field "$T/response" id)
[ "$newid" != "$first" ]; ok $? "... with a new id"

# The prune: records past the window go, at most once a minute.
for i in 1 2 3; do
	ln -s "1700000000.M1P1Q$i.old" "$T/spool/seen/$(printf '%064x' "$i")"
	touch -h -d '-2 hours' "$T/spool/seen/$(printf '%064x' "$i")"
done
touch -d '-2 minutes' "$T/spool/seen/.prune"
stop_all
start_responder
start_nginx
before=$(find "$T/spool/seen" -type l | wc -l)
printf '{"eventType":"routing.user.status.update","userId":"u-4","status":"away","timestamp":"2026-12-01T12:00:00Z"}' >"$T/h.json"
is "$(post "$T/h.json")" 202 "one more event"
after=$(find "$T/spool/seen" -type l | wc -l)
is "$after" $((before - 3 + 1)) "the three records past the window were pruned, the new one kept"

done_testing
