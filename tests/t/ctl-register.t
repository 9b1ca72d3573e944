#!/usr/bin/env bash
# ctl-register.t: `routehookctl register` against the Genesys stand-in
# (TLS with a test CA): it takes a token with the configured client
# credentials, POSTs the tutorial's webhook body, prints the id, and
# writes the secret to --secret-out with mode 0600 without ever printing
# it; it refuses to overwrite a secret; the real platform's 404 (the
# stand-in without --webhooks), refused credentials and an unreachable API
# each give a clear error and their exit code.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
make_certs "$T/certs"
printf 'client-secret-%s\n' "$$" >"$T/client.secret"
chmod 600 "$T/client.secret"

# standin NAME [ARGS...]: a stand-in on a free port; sets $SPORT.
standin() {
	_name=$1
	shift
	rm -f "$T/$_name.port"
	python3 "$RH_TOP/tests/genesys-standin.py" -q \
	    --cert "$T/certs/server.pem" --key "$T/certs/server.key" \
	    --port 0 --port-file "$T/$_name.port" --client-id test-client \
	    --client-secret-file "$T/client.secret" "$@" \
	    2>>"$T/$_name.standin.log" &
	track $!
	SPID=$!
	wait_for 30 test -s "$T/$_name.port" ||
	    bail "stand-in did not start: $(cat "$T/$_name.standin.log")"
	SPORT=$(cat "$T/$_name.port")
}

# reg_config PORT [CLIENT-ID]
reg_config() {
	ctl_config '' "genesys = {
  api_base = \"https://127.0.0.1:$1\";
  login_base = \"https://127.0.0.1:$1\";
  client_id = \"${2:-test-client}\";
  client_secret_file = \"$T/client.secret\";
  ca_file = \"$T/certs/ca.pem\";
};"
}

calls() {
	curl -s --cacert "$T/certs/ca.pem" "https://127.0.0.1:$SPORT/__control/calls"
}

# no_secret TEXT-FILE...: none of the files holds the webhook or client secret.
no_secret() {
	! grep -qF "$(cat "$T/client.secret")" "$@" &&
	    { [ ! -s "$T/hook.secret" ] || ! grep -qF "$(cat "$T/hook.secret")" "$@"; }
}

ctl_spool
standin api --webhooks
reg_config "$SPORT"
run check
is "$rc" 0 "the register config passes check"

run register --url https://rh.example.com/routehook/events \
    --secret-out "$T/hook.secret"
is "$rc" 0 "register: exit 0"
grep -qE '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' "$T/out" &&
    [ "$(wc -l <"$T/out")" -eq 1 ]
ok $? "register prints the new webhook's id, and only that"
id=$(cat "$T/out")
is "$(stat -c %a "$T/hook.secret")" 600 "the secret file has mode 0600"
grep -qE '^[0-9a-f]{64}$' "$T/hook.secret" && [ "$(wc -l <"$T/hook.secret")" -eq 1 ]
ok $? "the secret file holds the secret, one line"
assert "no secret on stdout or stderr" no_secret "$T/out" "$T/err"
calls >"$T/calls"
is "$(jq -r '[.[] | select(.path == "/api/v2/platform/webhooks")] | length' "$T/calls")" 1 \
    "one POST to the webhook path"
is "$(jq -c '.[] | select(.path == "/api/v2/platform/webhooks") | .body |
    [.name, .targetUrl, .eventTypeFilter, .enabled, .httpMethod, (.description|length > 0)]' "$T/calls")" \
    '["routehook","https://rh.example.com/routehook/events",["routing.user.status.update"],true,"POST",true]' \
    "the body is the tutorial's registration"
is "$(jq -r '.[] | select(.path == "/api/v2/platform/webhooks") | .status' "$T/calls")" 201 \
    "the stand-in created it"
assert "no secret in the stand-in's journal of the call" no_secret "$T/calls"
[ -s "$T/spool/state/token" ] && [ "$(stat -c %a "$T/spool/state/token")" = 600 ]
ok $? "the token is cached for the worker, mode 0600"
is "$(ls "$T"/hook.secret.* 2>/dev/null)" "" "no temp file is left beside the secret"

# An existing secret is never overwritten, and nothing is registered.
cp "$T/hook.secret" "$T/hook.before"
run register --url https://rh.example.com/x --secret-out "$T/hook.secret"
is "$rc" 100 "an existing secret file: exit 100"
assert_file_has "$T/err" "refusing to overwrite" \
    "an existing secret file: says so"
assert_same "$T/hook.secret" "$T/hook.before" \
    "an existing secret file: unchanged"
is "$(calls | jq '[.[] | select(.path == "/api/v2/platform/webhooks")] | length')" 1 \
    "an existing secret file: nothing registered"

# An empty one is filled; --event repeats; --name.
: >"$T/empty.secret"
run register --url https://rh.example.com/y --secret-out "$T/empty.secret" \
    --name other --event routing.user.status.update \
    --event routing.queue.member.status.update
is "$rc" 0 "an empty secret file is filled: exit 0"
grep -qE '^[0-9a-f]{64}$' "$T/empty.secret" && [ "$(stat -c %a "$T/empty.secret")" = 600 ]
ok $? "an empty secret file now holds the secret, mode 0600"
is "$(calls | jq -c '[.[] | select(.path == "/api/v2/platform/webhooks")][-1].body | [.name, .eventTypeFilter]')" \
    '["other",["routing.user.status.update","routing.queue.member.status.update"]]' \
    "--name and every --event are sent"

# Without --secret-out: the id, and a warning that the secret was not kept.
run register --url https://rh.example.com/z
is "$rc" 0 "without --secret-out: exit 0"
assert_file_has "$T/err" "secret was not saved" \
    "without --secret-out: a warning"
assert "without --secret-out: still no secret printed" \
    no_secret "$T/out" "$T/err"

# A secret file in a directory that does not exist: nothing registered.
n=$(calls | jq '[.[] | select(.path == "/api/v2/platform/webhooks")] | length')
run register --url https://rh.example.com/z --secret-out "$T/nodir/hook.secret"
is "$rc" 100 "an unwritable secret file: exit 100"
is "$(calls | jq '[.[] | select(.path == "/api/v2/platform/webhooks")] | length')" "$n" \
    "an unwritable secret file: nothing registered"

# The real platform's answer: 404.
standin real
reg_config "$SPORT"
rm -f "$T/real.secret"
run register --url https://rh.example.com/routehook/events --secret-out "$T/real.secret"
is "$rc" 100 "404 (no webhook API): exit 100"
assert_file_has "$T/err" "HTTP 404 not.found" "404: status and code are printed"
assert_file_has "$T/err" "/api/v2/platform/webhooks" "404: the URL is named"
[ ! -e "$T/real.secret" ] && ! ls "$T"/real.secret.* >/dev/null 2>&1
ok $? "404: no secret file, no temp file"

# Refused credentials: a config error naming the client id.
reg_config "$SPORT" wrong-client
rm -f "$T/spool/state/token"
run register --url https://rh.example.com/routehook/events
is "$rc" 100 "refused credentials: exit 100"
assert_file_has "$T/err" '"wrong-client"' \
    "refused credentials: the client id is named"
assert "refused credentials: no secret in the error" no_secret "$T/err"

# Unreachable: temporary.
reg_config "$(free_port)"
run register --url https://rh.example.com/routehook/events
is "$rc" 111 "an unreachable endpoint: exit 111"

# No client id: a config error.
ctl_config "" ""
run register --url https://rh.example.com/routehook/events
is "$rc" 100 "no client_id: exit 100"
assert_file_has "$T/err" "genesys.client_id is not set" "no client_id: says so"

done_testing
