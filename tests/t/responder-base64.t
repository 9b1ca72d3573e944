#!/bin/sh
# responder-base64.t: configured like Genesys Open Messaging
# (X-Hub-Signature-256: sha256=<base64>), the responder accepts exactly
# that form and refuses the tutorial's.
. "$(dirname "$0")/../lib.sh"

write_config 'signature_header = "X-Hub-Signature-256";
  signature_encoding = "base64";
  signature_prefix = "sha256=";'
start_responder
start_nginx

printf '{"topicName":"v2.users.u-1.routingStatus","eventBody":{"routingStatus":{"status":"IDLE"}}}' >"$T/ev.json"
b64=$(sign_b64 "$T/ev.json")
hex=$(sign "$T/ev.json")

code=$(post "$T/ev.json" -H "X-Hub-Signature-256: sha256=$b64")
is "$code" 202 "X-Hub-Signature-256: sha256=<base64>: 202"
assert "... stored as sent" \
    cmp -s "$T/ev.json" "$T/spool/new/$(json_field "$T/response" id)"
rm -f "$T"/spool/new/*

code=$(post "$T/ev.json" -H "X-Hub-Signature-256: $b64")
is "$code" 401 "base64 without the sha256= prefix: 401"
code=$(post "$T/ev.json" -H "X-Hub-Signature-256: sha256=$hex")
is "$code" 401 "sha256=<hex> where base64 is configured: 401"
code=$(post "$T/ev.json" -H "X-Genesys-Signature: $hex")
is "$code" 401 "the tutorial's X-Genesys-Signature is not looked at: 401"
code=$(post "$T/ev.json" -H "X-Hub-Signature-256: sha256=$(printf '%s' "$b64" | tr -d =)")
is "$code" 401 "unpadded base64: 401"
printf '{"topicName":"v2.users.u-2.routingStatus"}' >"$T/other.json"
code=$(post "$T/ev.json" -H "X-Hub-Signature-256: sha256=$(sign_b64 "$T/other.json")")
is "$code" 401 "the base64 signature of other bytes: 401"
assert "none of them left a file" spool_empty
assert "the log names the configured header when it is missing" \
    grep -q 'rejected 401 invalid signature (no X-Hub-Signature-256 header) from 127\.0\.0\.1$' "$T/fcgi.log"

done_testing
