#!/bin/sh
# worker-token.t: the daemon without a token.  Credentials refused: one
# error naming the client id and the endpoint, the events stay in new/,
# and fixing the secret file is enough (it is read again).  Token endpoint
# down: it backs off and carries on when the endpoint is back.
. "$(dirname "$0")/../lib.sh"

start_standin
good=$(cat "$T/client.secret")
printf 'wrong-%s\n' "$$" >"$T/client.secret"
# Attempts enough to outlast a stand-in restart on a busy machine (with
# the short test backoff, max_attempts' default of 10 lasts 5 s).
worker_config "max_attempts = 100;" "" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

send "$(status_event agent-1 available)" && id1=$SENT_ID
assert "refused credentials: the daemon says so, naming the client id" \
    wait_for 5 grep -q "refused client id \"test-client\"" "$T/worker.log"
assert_file_has "$T/worker.log" "token endpoint $STANDIN_URL/oauth/token refused" \
    "... and the token endpoint"
assert "... and keeps running" kill -0 "$WORKER_PID"
is "$(spool_files new) $(spool_files cur) $(spool_files deferred)" "1 0 0" "the event stays in new/"
printf '%s\n' "$good" >"$T/client.secret"
assert "the secret fixed, the event is applied without a restart" \
    wait_for 15 audit_has "$id1" applied
is "$(grep -c "refused client id" "$T/worker.log")" 1 \
    "one error line while it waited (the retry waits backoff_max_ms, 5 s at least)"

# The API down for a moment: calls fail, events are deferred and retried.
stop_standin
send "$(status_event agent-2 available)" && id2=$SENT_ID
assert "the API down: the event is deferred" \
    wait_for 5 audit_has "$id2" deferred
start_standin
assert "the API back (a new stand-in: the old token is unknown there, one 401, one fetch): applied" \
    wait_for 15 audit_has "$id2" applied

# The token endpoint down when a token is needed: nothing is tried, the
# events wait in new/ (no attempt counted), and go once it is back.
stop_pid "$WORKER_PID"
stop_standin
rm -f "$T/spool/state/token"
: >"$T/worker.log"
start_worker
send "$(status_event agent-3 available)" && id3=$SENT_ID
assert "the token endpoint down: the daemon says so" \
    wait_for 5 grep -qF "cannot get a token for client id \"test-client\" from $STANDIN_URL/oauth/token: no answer" "$T/worker.log"
# The log line can come before a claim is put back: wait for the rename.
waits_in_new() { [ "$(spool_files new) $(spool_files cur)" = "1 0" ]; }
assert "the event waits in new/" wait_for 5 waits_in_new
start_standin
assert "the endpoint back: applied" wait_for 15 audit_has "$id3" applied
is "$(audit_of "$id3" '\(.outcome) \(.attempt)')" "applied 1" \
    "... at its first attempt: waiting for a token cost it nothing"
stop_pid "$WORKER_PID"
is "$(spool_total)" 0 "nothing left in the spool"
assert "no secret or token in the worker's log or the audit file" \
    no_secrets "$T/worker.log" "$AUDIT"
assert_file_lacks "$T/worker.log" "wrong-$$" \
    "the wrong secret is not in the log either"

done_testing
