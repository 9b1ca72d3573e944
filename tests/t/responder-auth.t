#!/bin/sh
# responder-auth.t: receiver.auth with all four schemes at once, through
# real nginx: hmac, standard-webhooks (two secrets: rotation; a list of
# signatures; the timestamp tolerance), api_key and basic.  Each good
# request is stored as sent; each bad one gets 401, says why in the log
# and leaves nothing in the spool.  Then a configuration of api_key alone
# refuses what the other schemes would accept, and routehookctl check
# reads the secret files of the schemes listed and no others.
. "$(dirname "$0")/../lib.sh"

printf 'hmac-secret-%s\n' "$$" >"$T/hmac.secret"
# Standard Webhooks secrets: whsec_ and the base64 of the key bytes.
printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | openssl base64 -A)" >"$T/swh-new.secret"
printf '%s\n' "$(head -c 32 /dev/urandom | openssl base64 -A)" >"$T/swh-old.secret"
printf 'whsec_%s\n' "$(head -c 24 /dev/urandom | openssl base64 -A)" >"$T/swh-other.secret"
printf 'api-key-%s\n' "$$" >"$T/api.secret"
printf 'eventbridge:pass-%s\n' "$$" >"$T/basic.secret"
printf 'client-secret-%s\n' "$$" >"$T/client.secret"
chmod 600 "$T"/*.secret

conf() {	# conf AUTH: the receiver with these schemes
	cat >"$T/routehook.conf" <<CONF
spool_dir = "$T/spool";
receiver = {
  auth = $1;
  secret_file = "$T/hmac.secret";
  standard_webhooks = {
    secret_files = [ "$T/swh-new.secret", "$T/swh-old.secret" ];
  };
  api_key = {
    header = "X-Routehook-Key";
    secret_files = [ "$T/api.secret" ];
  };
  basic = { secret_files = [ "$T/basic.secret" ]; };
};
audit = { file = "$T/audit.jsonl"; };
genesys = { client_id = "test-client"; client_secret_file = "$T/client.secret"; };
CONF
}

# swh_sig SECRET-FILE ID TIMESTAMP BODY-FILE: "v1,<base64>" as the
# specification signs: HMAC-SHA256 of "ID.TIMESTAMP.BODY" under the
# base64-decoded secret.
swh_sig() {
	python3 - "$@" <<'PY'
import base64, hashlib, hmac, sys
key = open(sys.argv[1]).readline().strip()
if key.startswith("whsec_"):
    key = key[6:]
body = open(sys.argv[4], "rb").read()
msg = ("%s.%s." % (sys.argv[2], sys.argv[3])).encode() + body
print("v1," + base64.b64encode(hmac.new(base64.b64decode(key), msg,
    hashlib.sha256).digest()).decode())
PY
}

n=0
ev() {	# ev: a new event file, $EV, different from every other
	n=$((n + 1))
	EV=$T/ev$n.json
	printf '{"eventType":"routing.user.status.update","userId":"u-%s","status":"available","timestamp":"2026-12-01T10:00:%02dZ"}' "$n" "$n" >"$EV"
}

# stored: the last answer named a file in new/ holding exactly $EV
stored() {
	cmp -s "$EV" "$T/spool/new/$(json_field "$T/response" id)"
}

conf '[ "hmac", "standard-webhooks", "api_key", "basic" ]'
"$FCGI" -t -c "$T/routehook.conf" >"$T/t.out" 2>&1
ok $? "-t accepts the four schemes" || diag "$(cat "$T/t.out")"
start_responder
start_nginx
now=$(date +%s)
accepted=0

# --- hmac -----------------------------------------------------------------
ev
is "$(post "$EV" -H "X-Genesys-Signature: $(sign "$EV" "$T/hmac.secret")")" 202 "hmac: 202"
stored; ok $? "hmac: stored as sent"; accepted=$((accepted + 1))

# --- standard-webhooks ------------------------------------------------------
ev
is "$(post "$EV" -H "webhook-id: msg_a$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $(swh_sig "$T/swh-new.secret" "msg_a$n" "$now" "$EV")")" \
    202 "standard-webhooks, the new secret: 202"
stored; ok $? "standard-webhooks: stored as sent"; accepted=$((accepted + 1))
ev
is "$(post "$EV" -H "webhook-id: msg_a$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $(swh_sig "$T/swh-old.secret" "msg_a$n" "$now" "$EV")")" \
    202 "standard-webhooks, the old secret (rotation, no whsec_ prefix): 202"
accepted=$((accepted + 1))
ev
good=$(swh_sig "$T/swh-new.secret" "msg_a$n" "$now" "$EV")
bad=$(swh_sig "$T/swh-other.secret" "msg_a$n" "$now" "$EV")
is "$(post "$EV" -H "webhook-id: msg_a$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $bad v1a,c29tZXRoaW5n $good")" \
    202 "standard-webhooks, a list with one good signature: 202"
accepted=$((accepted + 1))
ev
is "$(post "$EV" -H "webhook-id: msg_a$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $bad")" 401 "standard-webhooks, a secret not configured: 401"
assert "... logged as an invalid webhook-signature" \
    grep -q "rejected 401 invalid webhook-signature from" "$T/fcgi.log"
old=$((now - 301))
is "$(post "$EV" -H "webhook-id: msg_old$n" -H "webhook-timestamp: $old" \
    -H "webhook-signature: $(swh_sig "$T/swh-new.secret" "msg_old$n" "$old" "$EV")")" \
    401 "standard-webhooks, signed 301 s ago (tolerance 300 s): 401"
assert "... logged as too old" \
    grep -q "rejected 401 webhook-timestamp too old" "$T/fcgi.log"
late=$((now + 400))
is "$(post "$EV" -H "webhook-id: msg_new$n" -H "webhook-timestamp: $late" \
    -H "webhook-signature: $(swh_sig "$T/swh-new.secret" "msg_new$n" "$late" "$EV")")" \
    401 "standard-webhooks, 400 s in the future: 401"
assert "... logged as in the future" \
    grep -q "rejected 401 webhook-timestamp in the future" "$T/fcgi.log"
recent=$((now - 250))
is "$(post "$EV" -H "webhook-id: msg_r$n" -H "webhook-timestamp: $recent" \
    -H "webhook-signature: $(swh_sig "$T/swh-new.secret" "msg_r$n" "$recent" "$EV")")" \
    202 "standard-webhooks, signed 250 s ago: within the tolerance, 202"
accepted=$((accepted + 1))
ev
sig=$(swh_sig "$T/swh-new.secret" "msg_t$n" "$now" "$EV")
printf ' ' >>"$EV"
is "$(post "$EV" -H "webhook-id: msg_t$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $sig")" 401 "standard-webhooks, a body changed after signing: 401"
is "$(post "$EV" -H "webhook-timestamp: $now" -H "webhook-signature: $sig")" \
    401 "standard-webhooks, no webhook-id: 401"

# --- api_key ------------------------------------------------------------------
ev
is "$(post "$EV" -H "X-Routehook-Key: api-key-$$")" 202 "api_key: 202"
stored; ok $? "api_key: stored as sent"; accepted=$((accepted + 1))
ev
is "$(post "$EV" -H "X-Routehook-Key: api-key-$$x")" 401 "api_key, a longer key: 401"
is "$(json_field "$T/response" error)" "invalid credentials" "... invalid credentials"
is "$(post "$EV" -H "X-API-Key: api-key-$$")" 401 "api_key, in another header: 401"

# --- basic --------------------------------------------------------------------
ev
is "$(post "$EV" -u "eventbridge:pass-$$")" 202 "basic: 202"
stored; ok $? "basic: stored as sent"; accepted=$((accepted + 1))
ev
code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' -X POST \
    -H 'Content-Type: application/json' -u "eventbridge:wrong" \
    --data-binary "@$EV" "$NGINX_URL/routehook/events")
is "$code" 401 "basic, a wrong password: 401"
assert "... with WWW-Authenticate: Basic" \
    grep -qi '^WWW-Authenticate: Basic realm="routehook"' "$T/headers"

# --- nothing at all -------------------------------------------------------------
ev
is "$(post "$EV" -H "X-Nothing: 1")" 401 "no credentials at all: 401"
assert "... the log names every header looked for" \
    grep -q "rejected 401 no credentials (no X-Genesys-Signature, webhook-signature, X-Routehook-Key, Authorization header)" "$T/fcgi.log"
refute "no key or password in the log" \
    grep -q "api-key-$$\|pass-$$" "$T/fcgi.log"

is "$(spool_files new)" "$accepted" "new/ holds the $accepted accepted events, no more"
is "$(spool_files tmp)" 0 "nothing in tmp/"

# --- one scheme alone ----------------------------------------------------------
stop_all
conf '"api_key"'
start_responder
start_nginx
ev
is "$(post "$EV" -H "X-Genesys-Signature: $(sign "$EV" "$T/hmac.secret")")" 401 \
    "api_key alone: a good HMAC counts for nothing"
is "$(post "$EV" -H "webhook-id: msg_z$n" -H "webhook-timestamp: $now" \
    -H "webhook-signature: $(swh_sig "$T/swh-new.secret" "msg_z$n" "$now" "$EV")")" \
    401 "api_key alone: nor does a good standard-webhooks signature"
is "$(post "$EV" -H "X-Routehook-Key: api-key-$$")" 202 "api_key alone: the key does"
rm -f "$T/hmac.secret"
"$FCGI" -t -c "$T/routehook.conf" >"$T/t.out" 2>&1
ok $? "api_key alone: the hmac secret file need not exist"

# routehookctl check reads the same files the responder does.
"$CTL" -c "$T/routehook.conf" check >"$T/check.out" 2>&1
ok $? "routehookctl check: api_key alone, no hmac secret: OK" ||
    diag "$(cat "$T/check.out")"
chmod 644 "$T/api.secret"
"$CTL" -c "$T/routehook.conf" check >"$T/check.out" 2>&1
is $? 100 "routehookctl check: an API key file others can read: 100"
assert "... naming the key and the file" \
    grep -q "receiver.api_key.secret_files $T/api.secret: readable by others" "$T/check.out" || diag "$(cat "$T/check.out")"

done_testing
