#!/bin/sh
# responder-reject.t: every bad request, through nginx or straight over
# FastCGI, gets its status and a JSON error, leaves the spool unchanged
# (nothing in tmp/ or new/), is counted in the metrics, and is logged in
# one line that names the reason and the address but never the secret,
# the signature or the body.
. "$(dirname "$0")/../lib.sh"

write_config 'max_body_bytes = 1024;'
start_responder
start_nginx

marker=BODY-MARKER-$$
mk() { printf '%s' "$2" >"$T/$1"; }
mk ev.json "{\"eventType\":\"routing.user.status.update\",\"userId\":\"u-1\",\"status\":\"available\",\"note\":\"$marker\"}"
mk other.json '{"eventType":"routing.user.status.update","userId":"u-2","status":"away"}'
printf 'not-our-secret\n' >"$T/other.secret"

# req METHOD FILE [CURL-ARGS...]: prints the status; body in $T/response,
# headers in $T/headers.
req() {
	_m=$1 _f=$2
	shift 2
	curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' -X "$_m" \
	    -H 'Content-Type: application/json' "$@" \
	    --data-binary "@$_f" "$NGINX_URL/routehook/events"
}

# refused STATUS ERROR-SUBSTRING DESCRIPTION (after a request): the
# status, a JSON {"error":...} mentioning ERROR-SUBSTRING, and no trace
# in the spool.
refused() {
	is "$code" "$1" "$3: $1"
	_e=$(json_field "$T/response" error)
	case $_e in
	*"$2"*) ok 0 "$3: says \"$_e\"" ;;
	*) ok 1 "$3: says \"$_e\", want \"$2\"" ;;
	esac
	assert "$3: the spool is unchanged" spool_empty
}

# --- signatures --------------------------------------------------------------
code=$(req POST "$T/ev.json")
refused 401 "invalid signature" "no signature header"
cp "$T/response" "$T/response.nosig"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: $(printf '%064d' 0)")
refused 401 "invalid signature" "a wrong signature"
assert_same "$T/response" "$T/response.nosig" \
    "... answered exactly like a missing one"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: $(sign "$T/other.json")")
refused 401 "invalid signature" "the signature of other bytes"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: $(sign "$T/ev.json" "$T/other.secret")")
refused 401 "invalid signature" "a signature made with another secret"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: $(sign "$T/ev.json" | cut -c1-63)")
refused 401 "invalid signature" "a signature one digit short"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: sha256=$(sign "$T/ev.json")")
refused 401 "invalid signature" "a prefix the config does not ask for"

code=$(req POST "$T/ev.json" -H "X-Genesys-Signature: $(sign_b64 "$T/ev.json")")
refused 401 "invalid signature" "base64 where hex is configured"

# --- bodies (all correctly signed) --------------------------------------------
signed() { req POST "$T/$1" -H "X-Genesys-Signature: $(sign "$T/$1")"; }

mk text.json "hello $marker"
code=$(req POST "$T/text.json" -H "X-Genesys-Signature: $(printf '%064d' 0)")
refused 401 "invalid signature" "not JSON and wrongly signed (the signature is checked first)"

mk empty.json ''
code=$(signed empty.json)
refused 400 "empty body" "an empty body"

code=$(signed text.json)
refused 400 "not a JSON object" "a body that is not JSON"

mk array.json "[{\"userId\":\"$marker\"}]"
code=$(signed array.json)
refused 400 "not a JSON object" "a JSON array"

mk string.json "\"$marker\""
code=$(signed string.json)
refused 400 "not a JSON object" "a JSON string"

mk trailing.json '{"userId":"u-1"} {"userId":"u-2"}'
code=$(signed trailing.json)
refused 400 "after the JSON object" "two objects"

mk broken.json '{"userId":"u-1",'
code=$(signed broken.json)
refused 400 "not JSON" "a truncated object"

printf '{"userId":"\377\376"}' >"$T/latin.json"
code=$(signed latin.json)
refused 400 "UTF-8" "invalid UTF-8"

python3 -c 'import sys; sys.stdout.write("{\"a\":" * 150 + "1" + "}" * 150)' >"$T/deep.json"
code=$(signed deep.json)
refused 400 "nested too deeply" "150 levels of nesting"

python3 -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * 1100 + "\"}")' >"$T/big.json"
code=$(signed big.json)
refused 413 "too large" "a body over max_body_bytes (1024)"
python3 -c 'import sys; sys.stdout.write("{\"a\":\"" + "x" * 400000 + "\"}")' >"$T/huge.json"
code=$(signed huge.json)
refused 413 "too large" "a 400 kB body, answered without reading it"

# --- methods --------------------------------------------------------------------
code=$(req PUT "$T/ev.json" -H "X-Genesys-Signature: $(sign "$T/ev.json")")
refused 405 "method not allowed" "PUT"
assert "... with Allow: POST" grep -qi '^allow: POST' "$T/headers"
code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' "$NGINX_URL/routehook/events")
refused 405 "method not allowed" "GET on an event path"
assert "... with Allow: POST" grep -qi '^allow: POST' "$T/headers"
code=$(req DELETE "$T/ev.json")
refused 405 "method not allowed" "DELETE"
code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' -X POST \
    -H "X-Genesys-Signature: $(sign "$T/ev.json")" \
    --data-binary "@$T/ev.json" "$NGINX_URL/routehook/health")
refused 405 "method not allowed" "POST on health"
assert "... with Allow: GET, HEAD" grep -qi '^allow: GET, HEAD' "$T/headers"

# --- lengths, straight over FastCGI (nginx would not pass these) ----------------
sig=HTTP_X_GENESYS_SIGNATURE=$(sign "$T/ev.json")
len=$(wc -c <"$T/ev.json" | tr -d ' ')
fcgi() {
	fcgi_request "$T/fcgi.sock" "$T/ev.json" REQUEST_METHOD=POST \
	    REQUEST_URI=/routehook/events REMOTE_ADDR=192.0.2.9 "$sig" "$@" \
	    >"$T/answer"
	code=$(fcgi_status "$T/answer")
	sed '1,/^\r*$/d' "$T/answer" >"$T/response"
}
fcgi CONTENT_LENGTH="$len"
is "$code" 202 "direct FastCGI: the control request is accepted"
rm -f "$T"/spool/new/*

fcgi CONTENT_LENGTH=$((len + 50))
refused 400 "shorter than Content-Length" "a body shorter than CONTENT_LENGTH"
fcgi
refused 411 "Content-Length" "no CONTENT_LENGTH"
fcgi CONTENT_LENGTH=
refused 411 "Content-Length" "an empty CONTENT_LENGTH"
for bad in -1 +1 " $len" "$len " 1e3 0x10 99999999999999999999999; do
	fcgi CONTENT_LENGTH="$bad"
	case $bad in
	9999*) refused 413 "too large" "CONTENT_LENGTH $bad" ;;
	*) refused 400 "Content-Length" "CONTENT_LENGTH '$bad'" ;;
	esac
done

# --- what it said about it --------------------------------------------------------
curl -s -o "$T/metrics" "$NGINX_URL/routehook/metrics"
metric() { sed -n "s/^routehook_requests_rejected_total{reason=\"$1\"} //p" "$T/metrics"; }
is "$(metric signature)" 8 "metrics: 8 refused for the signature"
is "$(metric bad_json)" 8 "metrics: 8 for the JSON (the empty body too)"
is "$(metric too_large)" 3 "metrics: 3 too large"
is "$(metric method)" 4 "metrics: 4 for the method"
is "$(metric bad_length)" 9 "metrics: 9 for the length"
is "$(metric spool)" 0 "metrics: none for the spool"
assert "metrics: the one control request accepted" \
    grep -qx 'routehook_requests_accepted_total 1' "$T/metrics"

assert "log: 'rejected 401 invalid signature from 127.0.0.1'" \
    grep -q 'rejected 401 invalid signature from 127\.0\.0\.1$' "$T/fcgi.log"
assert "log: a missing header is told apart (in the log only)" \
    grep -q 'rejected 401 invalid signature (no X-Genesys-Signature header) from 127\.0\.0\.1$' "$T/fcgi.log"
assert "log: 'rejected 413 body too large from 127.0.0.1'" \
    grep -q 'rejected 413 body too large from 127\.0\.0\.1$' "$T/fcgi.log"
assert "log: 'rejected 405 method PUT from 127.0.0.1'" \
    grep -q 'rejected 405 method PUT from 127\.0\.0\.1$' "$T/fcgi.log"
assert "log: the FastCGI REMOTE_ADDR is named" \
    grep -q 'rejected 400 body shorter than Content-Length from 192\.0\.2\.9$' "$T/fcgi.log"
is "$(grep -c rejected "$T/fcgi.log")" 32 "log: one line per refused request"
refute "log: never the secret" \
    grep -qF "$(head -n 1 "$T/webhook.secret")" "$T/fcgi.log"
refute "log: never the body" grep -q "$marker" "$T/fcgi.log"
refute "log: never the signature" \
    grep -q "$(sign "$T/ev.json" | cut -c1-16)" "$T/fcgi.log"

code=$(signed ev.json)
is "$code" 202 "after all that, a good event is still accepted"

done_testing
