#!/bin/sh
# ctl-queue.t: `routehookctl queue` against the real worker and the
# stand-in.  list shows each waiting event with its directory, user, kind,
# attempts, next attempt and last error (--json: one object a line, a
# header only on a terminal); show gives its bytes; flush makes a
# deferred event due now (its mtime), so the next --once applies it;
# hold sets events aside, the worker never calls for them, release gives
# them back; and `dead list --json` lists dead letters the same way.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

start_standin
control POST members '{"q-1": ["agent-3"]}' >/dev/null
# A long backoff: a deferred event is not due again until flushed.
worker_config "backoff_min_ms = 60000; backoff_max_ms = 120000; max_attempts = 2;" "" \
    'sla = { threshold_ms = 600000; };'
start_responder
start_nginx

run queue list
is "$rc:$(wc -c <"$T/out")" "0:0" "an empty queue: exit 0, nothing printed"

control POST faults '{"agent-1": [{"status": 503, "times": 1}], "agent-9": [{"status": 400}]}' >/dev/null
control POST members '{"q-1": ["agent-3"]}' >/dev/null
send "$(status_event agent-1 available)" && id1=$SENT_ID &&
send "$(status_event agent-2 available)" && id2=$SENT_ID &&
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-3","joined":true}' && id3=$SENT_ID &&
send "$(status_event agent-9 available)" && id9=$SENT_ID
ok $? "four events accepted"

run queue list --json
is "$rc" 0 "list --json: exit 0"
is "$(wc -l <"$T/out")" 4 "list --json: one line per event"
is "$(jq -s -c '[.[] | "\(.dir) \(.user) \(.kind) \(.attempts) \(.next_attempt_in_s)"]' "$T/out")" \
    '["new agent-1 presence 0 0","new agent-2 presence 0 0","new agent-3 queue 0 0","new agent-9 presence 0 0"]' \
    "list --json: dir, user, kind, attempts, next attempt, oldest first"

run queue hold "$id2" "$id3"
is "$rc" 0 "hold: exit 0"
is "$(ls "$T/spool/hold" | sort | tr '\n' ' ')" "$(printf '%s\n' "$id2" "$id3" | sort | tr '\n' ' ')" \
    "hold: both events are in hold/"

run_worker
is "$?" 0 "--once exits 0"
is "$(journal '[.[] | select(.path | startswith("/api/v2/users/agent-2")
    or startswith("/api/v2/routing/queues/q-1"))] | length')" 0 \
    "the worker called nothing for the held events"
is "$(spool_files hold)" 2 "... and left them in hold/"
is "$(spool_files deferred):$(spool_files dead)" "1:1" "agent-1 deferred (503), agent-9 dead (400)"

run queue list
is "$(wc -l <"$T/out")" 3 "list: three waiting (two held, one deferred), no header into a file"
grep -E "^$id1 +deferred +[0-9hms]+ +agent-1 +presence +1 +in [0-9hms]+ +HTTP 503 " "$T/out" >/dev/null
ok $? "list: the deferred event with its attempts, next attempt and last error"
grep -E "^$id3 +hold +[0-9hms]+ +agent-3 +queue +0 +held +-$" "$T/out" >/dev/null
ok $? "list: a held event says held"

run queue show "$id1"
is "$rc" 0 "show: exit 0"
assert_same "$T/out" "$T/spool/deferred/$id1" \
    "show: stdout is the event's exact bytes"
assert_file_has "$T/err" "in deferred/" "show: where it waits, on stderr"
assert_file_has "$T/err" "last error: HTTP 503" "show: its last error"

script -qec "$CTL -c $T/routehook.conf queue list" /dev/null >"$T/tty.out" 2>>"$T/ctl.log"
assert_file_has "$T/tty.out" "ID" "list on a terminal: a header"
assert_file_has "$T/tty.out" "LAST ERROR" "... naming every column"

before=$(stat -c %Y "$T/spool/deferred/$id1")
run queue flush
is "$rc" 0 "flush: exit 0"
assert_file_has "$T/out" "1 deferred event due now" "flush: says how many"
after=$(stat -c %Y "$T/spool/deferred/$id1")
flushed_now() { [ "$after" -lt "$before" ] && [ "$after" -le "$(date +%s)" ]; }
assert "flush: the deferred file's mtime is now, not its next attempt" flushed_now
run_worker
is "$(routing_status agent-1)" IDLE \
    "after flush, --once applies the deferred event"

run queue release "$id2" "$id3"
is "$rc" 0 "release: exit 0"
is "$(spool_files hold):$(spool_files new)" "0:2" "release: back in new/"
run_worker
is "$(standin_state '[.routingstatus["agent-2"], .queues["q-1"]["agent-3"]]')" \
    '["IDLE",true]' "released events are applied"
is "$(spool_total)" 1 "only the dead letter is left"

run queue hold "$id9"
is "$rc" 1 "hold of a dead letter: exit 1"
assert_file_has "$T/err" "not waiting in new/ or deferred/" "... saying why"
run queue release "$id9"
is "$rc" 1 "release of an event not held: exit 1"
run queue hold ../dead/x
is "$rc" 100 "hold of a path: exit 100"
run queue flush --json
is "$rc" 100 "--json is for list only"

# A held event keeps its attempts, even across a worker's start (which
# removes the attempts of events it cannot find).
control POST faults '{"agent-4": [{"status": 503, "times": 1}]}' >/dev/null
send "$(status_event agent-4 available)" && id4=$SENT_ID
run_worker
is "$(cat "$T/spool/state/attempts/$id4" 2>/dev/null)" 1 "agent-4: deferred after one attempt"
run queue hold "$id4"
is "$rc" 0 "hold of a deferred event: exit 0"
run_worker
is "$(cat "$T/spool/state/attempts/$id4" 2>/dev/null)" 1 "held: its attempts survive the worker's start"
run queue release "$id4"
run_worker
is "$(audit_jq "[.[] | select(.event_id == \"$id4\") | \"\(.outcome) \(.attempt)\"] | join(\",\")")" \
    "deferred 1,applied 2" "released: applied at attempt 2, the count kept"

run dead list --json
is "$rc" 0 "dead list --json: exit 0"
is "$(jq -c '[.id, .user, .type, (.reason | startswith("HTTP 400"))]' "$T/out")" \
    "[\"$id9\",\"agent-9\",\"routing.user.status.update\",true]" \
    "dead list --json: id, user, type and reason"

done_testing
