#!/bin/sh
# worker-presence-cache.t: the org's presence definitions are kept in
# SPOOL/state/presence-definitions.json, so a second --once run (cron's
# next) spends no call on GET /api/v2/presence/definitions.  A cache an
# hour old by its mtime is fetched again, and so is one that does not
# parse (with a warning naming the file) or is gone.  A cached id the org
# no longer has is refused with 400: the definitions are fetched again,
# once, and the event applied with the id they give now; within a minute
# of the last fetch they are not, and the event is a dead letter with
# Genesys' reason, as is an id the event carried itself.  routehookctl
# status shows the cache.
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config "" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

CACHE=$T/spool/state/presence-definitions.json
onq=$(standin_state .presence_definitions.ON_QUEUE)
gone=00000000-0000-4000-8000-00000000dead
# defs_gets: how many times the stand-in listed the definitions.
defs_gets() {
	journal '[.[] | select(.path == "/api/v2/presence/definitions")] | length'
}
# presence_of USER: the presence definition id the stand-in holds for USER.
presence_of() { standin_state ".presence[\"$1\"]"; }
# mark: remember how long the journal is; since_mark: the calls after it,
# one "METHOD PATH STATUS [PRESENCE-ID]" each, on one line.
mark() { _mark=$(cat "$T/standin.jsonl" 2>/dev/null | wc -l); }
since_mark() {
	tail -n +"$((_mark + 1))" "$T/standin.jsonl" | jq -s -r '[.[]
	    | select(.path | startswith("/api/"))
	    | "\(.method) \(.path) \(.status)" +
	      (.body.presenceDefinition.id // "" | if . == "" then . else " " + . end)]
	    | join(", ")'
}
# cache_names ID: the cache file holds ID.
cache_names() { grep -qF -- "$1" "$CACHE"; }
# forget_onq: the cache names $gone where the org's On Queue id was, as
# if the org had replaced that definition since it was fetched.
forget_onq() {
	sed "s/$onq/$gone/g" "$CACHE" >"$T/cache.tmp" && mv "$T/cache.tmp" "$CACHE"
}
# status_json: routehookctl status --json into $T/status.json.
status_json() {
	"$CTL" -c "$T/routehook.conf" status --json >"$T/status.json" \
	    2>>"$T/ctl.log"
}
status_text() {
	"$CTL" -c "$T/routehook.conf" status >"$T/status.txt" 2>>"$T/ctl.log"
}

status_json
is "$(jq -c .presence_definitions "$T/status.json")" '{"cached":false}' \
    "status --json before any run: no definitions cached"
status_text
assert_file_has "$T/status.txt" "presence no definitions cached" \
    "... and the table says so"

# --- fetched once, then cached ------------------------------------------

send "$(status_event agent-1 available)" || bail "not accepted"
mark
run_worker
is "$?" 0 "the first --once run exits 0"
is "$(since_mark)" "GET /api/v2/presence/definitions 200, PATCH /api/v2/users/agent-1/presences/purecloud 200 $onq" \
    "it lists the definitions, then sets On Queue"
assert "the answer is cached in state/presence-definitions.json" \
    quietly jq -e '.entities | length >= 10' "$CACHE"
is "$(stat -c %a "$CACHE")" 600 "... mode 0600"
n=$(jq '.entities | length' "$CACHE")

send "$(status_event agent-2 available)" || bail "not accepted"
mark
run_worker
is "$?" 0 "a second --once run exits 0"
is "$(since_mark)" "PATCH /api/v2/users/agent-2/presences/purecloud 200 $onq" \
    "it makes no GET /api/v2/presence/definitions: the cache serves"

status_json
is "$(jq -c '.presence_definitions | [.cached, .count, .stale, .age_s < 60]' "$T/status.json")" \
    "[true,$n,false,true]" "status --json: $n definitions cached, fresh"
assert "... with the time they were fetched" matches \
    "$(jq -r .presence_definitions.fetched "$T/status.json")" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
status_text
assert_file_matches "$T/status.txt" \
    "^presence $n definitions cached, fetched [0-9]+ s ago \\([0-9ms]+, [0-9T:.-]+Z\\)\$" \
    "the table: how many, and how long ago"

# --- an hour old ----------------------------------------------------------

touch -d '2 hours ago' "$CACHE"
status_json
is "$(jq -c '.presence_definitions | [.stale, .age_s >= 7200]' "$T/status.json")" \
    "[true,true]" "a cache two hours old (touch -d) is stale in status --json"
status_text
assert_file_matches "$T/status.txt" "^presence $n definitions cached, fetched 7[0-9]{3} s ago .*, stale: fetched again when next needed\$" \
    "... and in the table"
send "$(status_event agent-3 available)" || bail "not accepted"
mark
run_worker
is "$(since_mark)" "GET /api/v2/presence/definitions 200, PATCH /api/v2/users/agent-3/presences/purecloud 200 $onq" \
    "a stale cache is fetched again before the call"
status_json
is "$(jq -c '.presence_definitions | [.stale, .age_s < 60]' "$T/status.json")" \
    "[false,true]" "... and cached anew"

# --- an id the org no longer has --------------------------------------------

forget_onq
touch -d '2 minutes ago' "$CACHE"
send "$(status_event agent-4 available)" && a4=$SENT_ID || bail "not accepted"
mark
run_worker
is "$?" 0 "--once with a cached id the org no longer has exits 0"
is "$(since_mark)" "PATCH /api/v2/users/agent-4/presences/purecloud 400 $gone, GET /api/v2/presence/definitions 200, PATCH /api/v2/users/agent-4/presences/purecloud 200 $onq" \
    "the 400 brings one fetch of the definitions and a call with the id they give"
is "$(presence_of agent-4)" "$onq" "agent-4 is On Queue"
is "$(audit_of "$a4" '\(.outcome) \(.attempt) \(.http_status)')" "applied 1 200" \
    "the event is applied at its first attempt"
assert "the cache names the org's id again" cache_names "$onq"
refute "... and not the one refused" cache_names "$gone"
assert_file_has "$T/worker.log" "presence $gone refused" \
    "the log says which id was refused"

# Within a minute of the last fetch the definitions are not fetched again:
# the same id is refused, and the event is a dead letter with the reason.
forget_onq
send "$(status_event agent-5 available)" && a5=$SENT_ID || bail "not accepted"
mark
run_worker
is "$(since_mark)" "PATCH /api/v2/users/agent-5/presences/purecloud 400 $gone" \
    "a cache fetched less than a minute ago is not fetched again for a 400"
is "$(audit_of "$a5" '\(.outcome) \(.http_status)')" "dead 400" \
    "... the event is a dead letter"
assert "... with Genesys' reason" matches "$(audit_of "$a5" '\(.error)')" \
    'Invalid presence definition id'

# An id the event carries itself is the sender's: no fetch can change it.
touch -d '2 minutes ago' "$CACHE"
send "{\"topicName\":\"v2.users.agent-6.presence\",\"eventBody\":{\"presenceDefinition\":{\"id\":\"$gone\"},\"modifiedDate\":\"2026-01-01T10:00:00Z\"}}" &&
    a6=$SENT_ID || bail "not accepted"
mark
run_worker
is "$(since_mark)" "PATCH /api/v2/users/agent-6/presences/purecloud 400 $gone" \
    "an id from the event refused: no fetch of the definitions"
is "$(audit_of "$a6" '\(.outcome) \(.http_status)')" "dead 400" \
    "... and a dead letter"

# --- a cache that does not parse, or is gone ---------------------------------

echo 'not a listing' >"$CACHE"
status_json
is "$(jq -c '.presence_definitions | [.cached, (.error | test("presence-definitions.json"))]' "$T/status.json")" \
    "[false,true]" "status --json: a garbled cache is unusable, and says which file"
status_text
assert_file_has "$T/status.txt" "presence definitions cache unusable, fetched again when next needed: state/presence-definitions.json" \
    "... as does the table"
send "$(status_event agent-7 available)" || bail "not accepted"
mark
run_worker
is "$?" 0 "--once with a garbled cache exits 0"
is "$(since_mark)" "GET /api/v2/presence/definitions 200, PATCH /api/v2/users/agent-7/presences/purecloud 200 $onq" \
    "a garbled cache is fetched again"
assert_file_matches "$T/worker.log" 'warning: .*state/presence-definitions\.json: .*fetching them again' \
    "... with a warning naming the file"
assert "... and cached anew" quietly jq -e '.entities | length >= 10' "$CACHE"

rm "$CACHE"
send "$(status_event agent-8 available)" || bail "not accepted"
mark
run_worker
is "$(since_mark)" "GET /api/v2/presence/definitions 200, PATCH /api/v2/users/agent-8/presences/purecloud 200 $onq" \
    "removing the cache file makes the next run fetch them"

assert "no webhook secret, client secret or token in the logs, audit or journal" \
    no_secrets "$T/worker.log" "$AUDIT" "$T/fcgi.log" "$T/standin.jsonl" \
    "$T/status.txt" "$T/status.json"

done_testing
