#!/bin/sh
# worker-exit.t: --once's exit codes and what it says.  0 when all is
# handled; 100 for usage and config errors and for credentials the token
# endpoint refuses (one error naming the client id and the endpoint, the
# events left in new/); 111 when the token endpoint or the API cannot be
# reached (events left in new/, or deferred when a call was tried), which
# includes a server certificate no trusted CA signed: TLS is always
# verified.
. "$(dirname "$0")/../lib.sh"

start_standin
worker_config
start_responder
start_nginx
endpoint="$STANDIN_URL/oauth/token"

# --- usage and config errors: 100 --------------------------------------
"$WORKER" --bogus 2>"$T/usage.err"
is "$?" 100 "an unknown option: 100"
assert "... with the usage" grep -q '^usage: routehook-worker' "$T/usage.err"
"$WORKER" --help >"$T/help.out" 2>&1
is "$?:$(head -c 27 "$T/help.out")" "0:usage: routehook-worker [-c" "--help: usage on stdout, 0"

CLIENT_ID= worker_config
out=$("$WORKER" -c "$T/routehook.conf" --once 2>&1)
is "$?" 100 "an empty genesys.client_id: 100"
assert "... naming the file, line and key ($out)" \
    matches "$out" "^routehook-worker: warning: $T/routehook.conf:[0-9]*: genesys.client_id is empty"
worker_config "concurency = 4;"
out=$("$WORKER" -c "$T/routehook.conf" --once 2>&1)
is "$?" 100 "an unknown key: 100"
assert "... naming FILE:LINE and the key ($out)" \
    matches "$out" "$T/routehook.conf:[0-9]*: .*concurency"
worker_config "" "client_secret_file = \"$T/no-such.secret\";"
out=$("$WORKER" -c "$T/routehook.conf" --once 2>&1)
is "$?" 100 "an unreadable client secret file: 100"
assert "... naming the file ($out)" matches "$out" "no-such.secret"
printf 'not a certificate\n' >"$T/bad-ca.pem"
worker_config "" "ca_file = \"$T/bad-ca.pem\";"
out=$("$WORKER" -c "$T/routehook.conf" -t 2>&1)
is "$?" 100 "-t with a CA file that holds no certificate: 100"
assert "... naming the key and file ($out)" \
    matches "$out" "ca_file $T/bad-ca.pem: "

# --- refused credentials: 100, events stay in new/ ----------------------
printf 'wrong-secret-%s\n' "$$" >"$T/wrong.secret"
chmod 600 "$T/wrong.secret"
worker_config "" "client_secret_file = \"$T/wrong.secret\";"
send "$(status_event agent-1 available)" && send "$(status_event agent-2 offline)"
ok $? "two events accepted"
: >"$T/worker.log"
run_worker
is "$?" 100 "a client secret the token endpoint refuses: 100"
is "$(wc -l <"$T/worker.log")" 1 "one error line"
assert_file_has "$T/worker.log" \
    "token endpoint $endpoint refused client id \"test-client\": HTTP 401 invalid_client" \
    "it names the client id and the token endpoint"
is "$(spool_files new) $(spool_files cur) $(spool_files deferred)" "2 0 0" "the events stay in new/"
assert "no audit line: nothing happened to them" test ! -s "$T/audit.jsonl"
assert_file_lacks "$T/worker.log" "wrong-secret-$$" \
    "the secret tried is not in the log"
CLIENT_ID=someone-else worker_config
run_worker
is "$?" 100 "an unknown client id: 100"
assert_file_has "$T/worker.log" "refused client id \"someone-else\"" \
    "... naming that client id"

# --- the stand-in down: 111 ------------------------------------------------
worker_config
stop_standin
: >"$T/worker.log"
run_worker
is "$?" 111 "token endpoint unreachable: 111"
assert_file_has "$T/worker.log" \
    "cannot get a token for client id \"test-client\" from $endpoint: no answer: " \
    "it names the client id and the endpoint"
is "$(spool_files new) $(spool_files deferred)" "2 0" "the events stay in new/, no attempt counted"

start_standin
run_worker
is "$?" 0 "the stand-in back: 0"
is "$(routing_status agent-1 agent-2)" "IDLE OFF_QUEUE" \
    "the queued events are applied"

# With a cached token the token endpoint is not needed, the API is.
stop_standin
send "$(status_event agent-3 available)" && id3=$SENT_ID
: >"$T/worker.log"
run_worker
is "$?" 111 "API unreachable (token cached): 111"
assert_file_has "$T/worker.log" "no answer from $STANDIN_URL to any of 1 call" \
    "it says so"
is "$(spool_files deferred)" 1 "the event is deferred for a later attempt"
is "$(audit_of "$id3" '\(.outcome) \(.attempt) \(.http_status)')" "deferred 1 null" \
    "audited as deferred, attempt 1, no HTTP status"
start_standin
touch "$T/spool/deferred/$id3"
run_worker
is "$?:$(spool_total)" "0:0" "back up: applied, exit 0"

# --- TLS is always verified: without the test CA the stand-in is refused -
rm -f "$T/spool/state/token"
worker_config "" "ca_file = \"\";"
send "$(status_event agent-0 available)"
: >"$T/worker.log"
run_worker
is "$?" 111 "a server certificate no trusted CA signed: 111"
assert_file_matches "$T/worker.log" "cannot get a token .*: no answer: SSL certificate problem" \
    "... and it says why"
is "$(spool_files new)" 1 "... the event stays in new/"
worker_config
run_worker
is "$?:$(spool_files new)" "0:0" "with ca_file, the same event is applied"

assert "no secret or token in the worker's log or the audit file" \
    no_secrets "$T/worker.log" "$T/audit.jsonl"

done_testing
