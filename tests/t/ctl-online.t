#!/bin/sh
# ctl-online.t: `routehookctl check --online` asks the stand-in, by calls
# that change nothing, whether the OAuth client has the permissions the
# worker needs: all granted is exit 0; each one taken away is named, with
# the key at fault, exit 100; refused credentials are 100, an unreachable
# API 111; and the probes leave the stand-in's state as it was.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
start_standin
control POST members '{"q-1": ["agent-1"]}' >/dev/null
worker_config
ctl_spool

run check --online --user agent-1 --queue q-1
is "$rc" 0 "every permission granted: exit 0"
assert_file_has "$T/out" "configuration OK" "the offline checks ran first"
assert_file_has "$T/out" "presence definitions, On Queue is $(control GET state | jq -r .presence_definitions.ON_QUEUE)" \
    "the org's On Queue definition is named"
assert_file_has "$T/out" "online check OK" "and the whole check is OK"
is "$(journal '[.[] | select(.path | startswith("/api/")) | "\(.method) \(.path)"] | join(", ")')" \
    "GET /api/v2/presence/definitions, GET /api/v2/users/agent-1/presences/purecloud, PATCH /api/v2/users/agent-1/presences/purecloud, PATCH /api/v2/routing/queues/q-1/members" \
    "four calls: two reads and two probes"
is "$(control GET state | jq -c '[.presence, .routingstatus, .queues]')" '[{},{},{}]' \
    "the probes changed nothing"

control POST permissions '{"deny": ["presence:presenceDefinition:view"]}' >/dev/null
run check --online
is "$rc" 100 "presence:presenceDefinition:view taken away: exit 100"
assert_file_has "$T/err" 'genesys.client_id "test-client" lacks presence:presenceDefinition:view, needed to list presence definitions' \
    "... and it is named, with what it is needed for"

control POST permissions '{"deny": ["presence:userPresence:edit", "routing:queue:edit", "routing:queueMember:manage"]}' >/dev/null
run check --online
is "$rc" 100 "presence and queue permissions taken away: exit 100"
assert_file_has "$T/err" "lacks presence:userPresence:edit, needed to set an agent's presence" \
    "presence:userPresence:edit is named"
assert_file_has "$T/err" "lacks routing:queue:edit or routing:queueMember:manage, needed to join agents to queues" \
    "the queue permissions are named"
assert_file_has "$T/err" "HTTP 403 missing.permissions" "Genesys' own words are kept"

control POST permissions '{"deny": ["routing:queue:edit"]}' >/dev/null
run check --online
is "$rc" 0 "routing:queueMember:manage alone is enough for queues: exit 0"
control POST permissions '{"deny": []}' >/dev/null

CLIENT_ID=wrong-client worker_config
run check --online
is "$rc" 100 "refused credentials: exit 100"
assert_file_has "$T/err" "wrong-client" "... naming the client id"

worker_config
stop_standin
run check --online
is "$rc" 111 "the API unreachable: exit 111"

run check --user agent-1
is "$rc" 100 "--user without --online: a usage error"

done_testing
