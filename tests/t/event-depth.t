#!/bin/sh
# event-depth.t: the responder and the worker judge an event's shape by
# one check (lib/jobject.c), so what the responder answers 202 the worker
# never refuses for its nesting: an event 16 levels deep (the limit) is
# accepted and applied; one 20 levels deep is refused with 400 at the
# door and never reaches the spool (before, the responder allowed 32 and
# the worker 16, so it was accepted, then dead-lettered).
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config
start_responder
start_nginx

# nested N: a status event with an ignored field N-1 arrays deep, so the
# event is N levels deep counting its own object.
nested() {
	python3 -c 'import sys; n = int(sys.argv[1]) - 1
sys.stdout.write("{\"eventType\":\"routing.user.status.update\",\"userId\":\"%s\",\"status\":\"available\",\"x\":%s1%s}" % (sys.argv[2], "[" * n, "]" * n))' "$1" "$2"
}

nested 16 agent-16 >"$T/d16.json"
code=$(post "$T/d16.json")
is "$code" 202 "an event 16 levels deep is accepted"

nested 20 agent-20 >"$T/d20.json"
code=$(post "$T/d20.json")
is "$code" 400 "an event 20 levels deep is refused at the door"
is "$(json_field "$T/response" error)" \
    "body is nested too deeply (more than 16 levels)" \
    "... with the sentence the worker would have written"
is "$(spool_files new)" 1 "only the accepted event is in new/"

run_worker
is "$?" 0 "--once exits 0"
is "$(audit_jq '[.[] | "\(.payload_summary.userId) \(.outcome)"] | join(",")')" \
    "agent-16 applied" "the worker applies what the responder accepted"
is "$(spool_files dead)" 0 "and dead-letters nothing"

done_testing
