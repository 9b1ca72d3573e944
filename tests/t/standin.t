#!/usr/bin/env bash
# standin.t -- prove that tests/genesys-standin.py behaves like the Genesys
# Cloud API as /work/shared/GENESYS.md describes it.  Prints TAP; run from the
# repository root with `prove tests/t/standin.t`.  Needs curl, jq, openssl.
set -u

# The stand-in is Python and this script runs no program of the tree:
# make check's sanitizer pass (RH_BUILD=.../.san) would run the very same
# thing a second time.  (deb.t skips that pass too.)
case ${RH_BUILD:-} in
*/.san) echo "1..0 # SKIP runs no program of the build in $RH_BUILD: the plain pass covers it"
	exit 0 ;;
esac

here=$(cd "$(dirname "$0")/.." && pwd)
standin=$here/genesys-standin.py
# The system's python3, as tests/lib.sh runs it: a version manager's shim
# first in PATH (pyenv's) costs half a second of CPU at every start.
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
scratch=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$scratch"
}
trap cleanup EXIT

n=0
failed=0
pass() { n=$((n + 1)); echo "ok $n - $1"; }
fail() { n=$((n + 1)); failed=$((failed + 1)); echo "not ok $n - $1"; }
# ok DESC COMMAND...: passes if COMMAND succeeds
ok() { local d=$1; shift; if "$@" >/dev/null 2>&1; then pass "$d"; else fail "$d"; fi; }
# is GOT WANT DESC
is() {
    if [ "$1" = "$2" ]; then pass "$3"; else fail "$3"; echo "#   got '$1', want '$2'"; fi
}
bail() { echo "Bail out! $*"; exit 1; }

# start NAME ARGS...: start a stand-in, wait (bounded) for its port file,
# set $port.
start() {
    local name=$1; shift
    local pf=$scratch/$name.port
    "$py" "$standin" -q --cert "$scratch/server.pem" --key "$scratch/server.key" \
        --port 0 --port-file "$pf" --client-id test-client \
        --client-secret-file "$scratch/secret" "$@" 2>"$scratch/$name.err" &
    local pid=$!
    pids+=("$pid")
    eval "${name}_pid=$pid"
    local i
    for i in $(seq 100); do
        [ -s "$pf" ] && break
        kill -0 "$pid" 2>/dev/null || { cat "$scratch/$name.err" >&2; bail "stand-in $name died"; }
        sleep 0.1
    done
    [ -s "$pf" ] || bail "stand-in $name wrote no port file"
    port=$(cat "$pf")
}

# req METHOD URLPATH [CURL ARGS...]: sets $code, $curlrc; body in $B, headers in $H
B=$scratch/body
H=$scratch/headers
base=
req() {
    local method=$1 path=$2; shift 2
    : >"$B"; : >"$H"
    code=$(curl -sS --max-time 10 --cacert "$scratch/ca.pem" -X "$method" \
        -o "$B" -D "$H" -w '%{http_code}' "$@" "$base$path" 2>"$scratch/curl.err")
    curlrc=$?
}
api() {   # api METHOD PATH [JSON]: authenticated JSON call with $token
    local method=$1 path=$2
    if [ $# -ge 3 ]; then
        req "$method" "$path" -H "Authorization: Bearer $token" \
            -H 'Content-Type: application/json' --data-binary "$3"
    else
        req "$method" "$path" -H "Authorization: Bearer $token"
    fi
}
control() {   # control METHOD NAME [JSON]
    if [ $# -ge 3 ]; then
        req "$1" "/__control/$2" -H 'Content-Type: application/json' --data-binary "$3"
    else
        req "$1" "/__control/$2"
    fi
}
header() {   # header NAME: value of a response header in $H (case-insensitive)
    tr -d '\r' <"$H" | awk -v n="$(echo "$1" | tr 'A-Z' 'a-z')" -F': ' \
        'tolower($1) == n { sub(/^[^:]*: /, ""); print; exit }'
}
jqb() { jq -e "$@" "$B"; }     # jqb FILTER: test the last body
get_token() {
    req POST /oauth/token -u "test-client:$secret" -d grant_type=client_credentials
    token=$(jq -r .access_token "$B" 2>/dev/null)
}

# ---------------------------------------------------------------- setup
"$here/mkcerts.sh" "$scratch" || bail "mkcerts.sh failed"
for f in ca.pem ca.key server.pem server.key; do
    [ -s "$scratch/$f" ] || bail "mkcerts.sh did not make $f"
done
secret=s3cr3t-$RANDOM$RANDOM
echo "$secret" >"$scratch/secret"
journal=$scratch/journal.jsonl
echo '{"q-1": ["agent-3", "agent-4"]}' >"$scratch/members.json"
start main --journal "$journal" --webhooks --members "$scratch/members.json"
base=https://127.0.0.1:$port
ok "stand-in listening, cert valid for 127.0.0.1 and localhost" \
    curl -sS --fail --cacert "$scratch/ca.pem" "https://localhost:$port/__control/state"

# ---------------------------------------------------------------- OAuth
get_token
is "$code" 200 "token issued with the right Basic credentials"
ok "token answer has access_token, token_type bearer, expires_in 86400" \
    jqb '(.access_token | length > 20) and .token_type == "bearer" and .expires_in == 86400'
req POST /oauth/token -u "test-client:wrong" -d grant_type=client_credentials
ok "wrong secret: 401 invalid_client" \
    test "$code" = 401 -a "$(jq -r .error "$B")" = invalid_client
req POST /oauth/token -u "test-client:$secret" -d grant_type=password
ok "wrong grant type: 400 unsupported_grant_type" \
    test "$code" = 400 -a "$(jq -r .error "$B")" = unsupported_grant_type

# ---------------------------------------------------------------- auth
req PUT /api/v2/users/agent-1/routingstatus -H 'Content-Type: application/json' -d '{"status":"IDLE"}'
ok "API call without token: 401 authentication.required in the Genesys error shape" \
    test "$code" = 401 -a "$(jq -r '[.code, .status, (.contextId|type), (.errors|type), (.messageParams|type)] | join(",")' "$B")" \
        = "authentication.required,401,string,array,object"

# ---------------------------------------------------------------- routing status
api PUT /api/v2/users/agent-1/routingstatus '{"status":"IDLE"}'
ok "PUT routingstatus IDLE: 200 with userId, status, startTime" \
    test "$code" = 200 -a "$(jq -r '"\(.userId) \(.status) \(.startTime|test("^[0-9T:.-]+Z$"))"' "$B")" = "agent-1 IDLE true"
api PUT /api/v2/users/agent-1/routingstatus '{"status":"OFF_QUEUE"}'
api GET /api/v2/users/agent-1/routingstatus
ok "GET routingstatus reads back the last PUT" \
    test "$code" = 200 -a "$(jq -r .status "$B")" = OFF_QUEUE
for st in INTERACTING COMMUNICATING NOT_RESPONDING; do
    api PUT /api/v2/users/agent-1/routingstatus "{\"status\":\"$st\"}"
    ok "PUT routingstatus $st, which the system alone sets: 400 invalid.value" \
        test "$code" = 400 -a "$(jq -r .code "$B")" = invalid.value
done
api GET /api/v2/users/agent-never/routingstatus
is "$code" 404 "GET routingstatus never set: 404"
api PUT /api/v2/users/agent-1/routingstatus '{"status":"LUNCH"}'
ok "invalid status: 400 invalid.value" test "$code" = 400 -a "$(jq -r .code "$B")" = invalid.value
api PUT /api/v2/users/agent-1/routingstatus '{"status":'
ok "malformed JSON: 400 bad.request" test "$code" = 400 -a "$(jq -r .code "$B")" = bad.request
req PUT /api/v2/users/agent-1/routingstatus -H "Authorization: Bearer $token" \
    -H 'Content-Type: text/plain' -d '{"status":"IDLE"}'
is "$code" 415 "wrong content type: 415"
api PUT '/api/v2/users/bad_id!/routingstatus' '{"status":"IDLE"}'
ok "malformed user id: 404 not.found" test "$code" = 404 -a "$(jq -r .code "$B")" = not.found
api GET /api/v2/no/such/thing
is "$code" 404 "unknown path: 404"
api DELETE /api/v2/users/agent-1/routingstatus
is "$code" 405 "wrong method on a known path: 405"
control GET state
ok "state shows agent-1 OFF_QUEUE, nothing from the refused calls" \
    jqb '.routingstatus == {"agent-1": "OFF_QUEUE"}'

# ---------------------------------------------------------------- presence
api GET /api/v2/presence/definitions
avail=$(jq -r '.entities[] | select(.systemPresence == "Available") | .id' "$B")
ok "presence definitions list the ten system presences with UUID ids" \
    jqb '([.entities[] | select(.type == "System")] | length == 10) and all(.entities[]; .id | test("^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"))'
ok "system presences carry their fixed names: languageLabels.en_US and systemPresence" \
    jqb '[.entities[] | select(.type == "System") | "\(.languageLabels.en_US)=\(.systemPresence)"] | sort ==
        ["Available=Available","Away=Away","Break=Break","Busy=Busy","Idle=Idle","Meal=Meal","Meeting=Meeting","Offline=Offline","On Queue=OnQueue","Training=Training"]'
ok "secondary presences (type User) name the system presence they stand for" \
    jqb '[.entities[] | select(.type == "User") | "\(.languageLabels.en_US)=\(.systemPresence)"] == ["Lunch=Meal","Coaching=Training","Team huddle=Meeting"]'
lunch=$(jq -r '.entities[] | select(.languageLabels.en_US == "Lunch") | .id' "$B")
onq=$(jq -r '.entities[] | select(.systemPresence == "OnQueue") | .id' "$B")
api GET '/api/v2/presence/definitions?deactivated=true'
old=$(jq -r '.entities[] | select(.deactivated) | .id' "$B")
ok "a deactivated secondary presence is listed only with ?deactivated=true" \
    test "$(jq -r '[.entities[] | select(.deactivated) | .languageLabels.en_US] | join(",")' "$B")" = "Old break"
api PATCH /api/v2/users/agent-2/presences/purecloud "{\"presenceDefinition\":{\"id\":\"$old\"}}"
is "$code" 400 "a deactivated presence cannot be set: 400"
api PATCH /api/v2/users/agent-2/presences/purecloud "{\"presenceDefinition\":{\"id\":\"$lunch\"}}"
ok "a secondary presence can be set: 200, systemPresence Meal" \
    test "$code/$(jq -r .presenceDefinition.systemPresence "$B")" = 200/Meal
api PATCH /api/v2/users/agent-2/presences/purecloud "{\"presenceDefinition\":{\"id\":\"$onq\"}}"
api GET /api/v2/users/agent-2/routingstatus
is "$(jq -r .status "$B")" IDLE "On Queue presence: the routing status follows, IDLE"
api PATCH /api/v2/users/agent-2/presences/purecloud "{\"presenceDefinition\":{\"id\":\"$avail\"},\"message\":\"hi\"}"
ok "presence with a valid definition id: 200" \
    test "$code" = 200 -a "$(jq -r .presenceDefinition.id "$B")" = "$avail"
api GET /api/v2/users/agent-2/routingstatus
is "$(jq -r .status "$B")" OFF_QUEUE "any presence but On Queue: the routing status follows, OFF_QUEUE"
api PATCH /api/v2/users/agent-2/presences/purecloud '{"presenceDefinition":{"id":"00000000-0000-0000-0000-000000000000"}}'
is "$code" 400 "presence with an unknown definition id: 400"
control GET state
ok "state has agent-2's presence and the same id under AVAILABLE" \
    jqb --arg a "$avail" '.presence["agent-2"] == $a and .presence_definitions.AVAILABLE == $a'

# ---------------------------------------------------------------- queues
api PATCH /api/v2/routing/queues/q-1/members/agent-3 '{"joined":true}'
is "$code" 202 "queue member patch: 202"
api PATCH /api/v2/routing/queues/q-1/members/agent-3 '{"joined":"yes"}'
is "$code" 400 "queue member patch with non-boolean joined: 400"
api PATCH /api/v2/routing/queues/q-1/members/agent-9 '{"joined":true}'
ok "queue member patch for a user who is not a member: 404 not.found" \
    test "$code/$(jq -r .code "$B")" = 404/not.found
api PATCH /api/v2/routing/queues/q-1/members '[{"id":"agent-4","joined":true},{"id":"agent-9","joined":true},{"id":"agent-3","joined":false}]'
ok "bulk member patch of 3: 200, the two members applied are listed, the non-member left out" \
    test "$code/$(jq -c '[.entities[] | "\(.id)=\(.joined)"]' "$B")" = '200/["agent-4=true","agent-3=false"]'
control POST members '{"q-2": ["agent-9"]}'
api PATCH /api/v2/routing/queues/q-2/members/agent-9 '{"joined":true}'
is "$code" 202 "a member added through /__control/members can be joined"
many=$(jq -cn '[range(101) | {id: "agent-\(.)", joined: true}]')
api PATCH /api/v2/routing/queues/q-1/members "$many"
is "$code" 400 "bulk member patch of 101: 400"
control GET state
ok "queue state reflects the accepted patches only" \
    jqb '.queues == {"q-1": {"agent-3": false, "agent-4": true}, "q-2": {"agent-9": true}}'

# ---------------------------------------------------------------- webhooks
api POST /api/v2/platform/webhooks \
    '{"name":"rh","description":"d","targetUrl":"https://example.test/hook","eventTypeFilter":["routing.status"],"enabled":true,"httpMethod":"POST"}'
ok "webhook registration: 2xx with id and 32-byte hex secret" \
    test "${code#20}" != "$code" -a "$(jq -r '(.id|length > 0) and (.secret|test("^[0-9a-f]{64}$")) and .targetUrl == "https://example.test/hook"' "$B")" = true
api POST /api/v2/platform/webhooks '{"name":"rh","targetUrl":"ftp://example.test/"}'
is "$code" 400 "webhook with a non-http targetUrl: 400"

# ---------------------------------------------------------------- permissions
control POST permissions '{"deny": ["presence:presenceDefinition:view", "presence:userPresence:edit", "routing:queue:edit"]}'
api GET /api/v2/presence/definitions
ok "denied presence:presenceDefinition:view: listing definitions is 403 missing.permissions naming it" \
    test "$code/$(jq -r .code "$B")" = 403/missing.permissions -a -n "$(jq -r '.message | select(contains("presence:presenceDefinition:view"))' "$B")"
api PATCH /api/v2/users/agent-2/presences/purecloud "{\"presenceDefinition\":{\"id\":\"$avail\"}}"
ok "denied presence:userPresence:edit: setting a presence is 403 naming it" \
    test "$code" = 403 -a -n "$(jq -r '.message | select(contains("presence:userPresence:edit"))' "$B")"
api GET /api/v2/users/agent-2/presences/purecloud
is "$code" 200 "reading a presence needs neither"
api PATCH /api/v2/routing/queues/q-1/members/agent-3 '{"joined":true}'
is "$code" 202 "routing:queue:edit denied but routing:queueMember:manage granted: a join still works"
control POST permissions '{"deny": ["routing:queue:edit", "routing:queueMember:manage"]}'
api PATCH /api/v2/routing/queues/q-1/members '[{"id":"agent-3","joined":true}]'
ok "both queue permissions denied: 403 naming both, with the rate-limit headers" \
    test "$code" = 403 -a -n "$(jq -r '.message | select(contains("routing:queue:edit") and contains("routing:queueMember:manage"))' "$B")" \
        -a -n "$(header inin-ratelimit-allowed)"
control POST permissions '{"deny": []}'

# ---------------------------------------------------------------- faults
control POST faults '{"agent-5": [{"status": 503, "times": 2}], "agent-6": [{"drop": true}], "agent-7": [{"status": 429, "retry_after": 2}, {"delay_ms": 400}]}'
is "$code" 200 "faults accepted"
api PUT /api/v2/users/agent-5/routingstatus '{"status":"IDLE"}'; c1=$code; b1=$(jq -r .code "$B")
api PUT /api/v2/users/agent-5/routingstatus '{"status":"IDLE"}'; c2=$code
api PUT /api/v2/users/agent-5/routingstatus '{"status":"IDLE"}'; c3=$code
is "$c1 $b1 $c2 $c3" "503 service.unavailable 503 200" "scripted [503 x2]: 503, 503, then 200"
api PUT /api/v2/users/agent-6/routingstatus '{"status":"IDLE"}'
is "$curlrc" 52 "drop fault: curl gets an empty reply (exit 52)"
api PUT /api/v2/users/agent-6/routingstatus '{"status":"IDLE"}'
is "$code" 200 "after the drop, the next call answers normally"
api PUT /api/v2/users/agent-7/routingstatus '{"status":"IDLE"}'
is "$code/$(header Retry-After)" "429/2" "scripted 429 carries Retry-After: 2"
t0=$(date +%s%N)
api PUT /api/v2/users/agent-7/routingstatus '{"status":"IDLE"}'
t1=$(date +%s%N)
ok "delay fault: answered 200, at least 400 ms late" \
    test "$code" = 200 -a $(((t1 - t0) / 1000000)) -ge 400
control GET state
ok "faulted calls were not applied, the later ones were" \
    jqb '.routingstatus["agent-5"] == "IDLE" and .routingstatus["agent-6"] == "IDLE" and .faults_pending == {}'

# ---------------------------------------------------------------- journal
control GET calls
ok "/__control/calls records the drop and the scripted statuses" \
    jqb '[.[] | select(.user == "agent-5" or .user == "agent-6") | "\(.status)/\(.fault)"] == ["503/status=503","503/status=503","200/null","null/drop","200/null"]'
fp=$(printf %s "$token" | sha256sum | cut -c1-8)
ok "journal lines are JSON with the documented fields and the token fingerprint" \
    jq -e -s --arg fp "$fp" 'length > 20 and all(.[]; has("time") and has("method") and has("path") and has("status") and has("user") and has("queue") and has("body") and has("token") and has("fault")) and any(.[]; .token == $fp)' "$journal"
ok "journal never contains the bearer token or the client secret" \
    bash -c '! grep -qF -e "$1" -e "$2" "$3"' _ "$token" "$secret" "$journal"

# ---------------------------------------------------------------- expiry, reset
control POST expire-tokens
api GET /api/v2/users/agent-1/routingstatus
ok "after expire-tokens: 401 credentials.expired" \
    test "$code" = 401 -a "$(jq -r .code "$B")" = credentials.expired
get_token
api GET /api/v2/users/agent-1/routingstatus
is "$code" 200 "a fresh token works again"
control POST reset
control GET state
ok "reset clears state" \
    jqb '.routingstatus == {} and .presence == {} and .queues == {} and .tokens_issued == 0'
control GET calls
ok "reset clears the recorded calls" jqb 'length == 0'
api GET /api/v2/users/agent-1/routingstatus
is "$code" 404 "after reset the token is still valid (404, not 401)"

# ---------------------------------------------------------------- rate limit, webhooks off
start limited --rate-limit 5 --rate-window 60
base=https://127.0.0.1:$port
get_token
api POST /api/v2/platform/webhooks '{"name":"rh","targetUrl":"https://example.test/hook"}'
ok "without --webhooks: webhook registration is 404, with the rate-limit headers" \
    test "$code/$(header inin-ratelimit-count)" = 404/1
control POST webhooks '{"enabled": true}'
api GET /api/v2/platform/webhooks
is "$code" 200 "/__control/webhooks turns the tutorial's endpoint on"
control POST webhooks '{"enabled": false}'
req PUT /api/v2/users/agent-8/routingstatus -H 'Content-Type: application/json' -d '{"status":"IDLE"}'
ok "a 401 carries the rate-limit headers too" \
    test "$code" = 401 -a -n "$(header inin-ratelimit-allowed)" -a -n "$(header inin-ratelimit-reset)"
for i in 3 4 5; do api PUT /api/v2/users/agent-8/routingstatus '{"status":"IDLE"}'; done
ok "5th call within the limit: 200 with inin-ratelimit-* and ININ-Correlation-Id headers" \
    test "$code/$(header inin-ratelimit-allowed)/$(header inin-ratelimit-count)" = 200/5/5 \
        -a -n "$(header inin-ratelimit-reset)" -a -n "$(header ININ-Correlation-Id)"
api PUT /api/v2/users/agent-8/routingstatus '{"status":"OFF_QUEUE"}'
ok "6th call: 429 too.many.requests.retry.after with Retry-After" \
    test "$code/$(jq -r .code "$B")" = 429/too.many.requests.retry.after \
        -a "$(header Retry-After)" -ge 1 -a -n "$(header inin-ratelimit-allowed)"
ok "429 message names the wait in brackets" jqb '.message | test("Retry the request in \\[[0-9]+\\] seconds")'
control GET state
ok "the 429'd call was not applied" jqb '.routingstatus["agent-8"] == "IDLE"'

# ---------------------------------------------------------------- shutdown
pf=$scratch/limited.port
kill -TERM "$limited_pid"
wait "$limited_pid"; rc=$?
ok "SIGTERM: exits 0 and removes its port file" test "$rc" = 0 -a ! -e "$pf"

echo "1..$n"
exit $((failed > 0))
