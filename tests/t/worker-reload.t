#!/bin/sh
# worker-reload.t: SIGHUP reloads the daemon's config.  A config that does
# not load is refused with its FILE:LINE and the old one goes on; one that
# loads takes effect (a status word mapped anew); a client secret file
# fixed while the token endpoint refuses the old secret is picked up
# within seconds without any signal, and the log said when the next token
# attempt would be.
. "$(dirname "$0")/../lib.sh"

start_standin
good=$(cat "$T/client.secret")
printf '%s\n' "$good" >"$T/worker.secret"
chmod 600 "$T/worker.secret"
map_config() {	# map_config WORD-MEANING [WORKER-LINES]
	worker_config "${2:-}" "client_secret_file = \"$T/worker.secret\";" \
	    "sla = { threshold_ms = 600000; };
routing = { status_map = { lunch = \"$1\"; }; };"
}
map_config OFF_QUEUE
start_responder
start_nginx
start_worker

send "$(status_event agent-1 lunch)" && id1=$SENT_ID
assert "before any reload, lunch maps to OFF_QUEUE" \
    wait_for 5 audit_has "$id1" applied
is "$(routing_status agent-1)" OFF_QUEUE "... in the stand-in"

# (1) A config with a syntax error: refused, FILE:LINE logged, old one on.
cp "$T/routehook.conf" "$T/routehook.conf.good"
printf 'worker = { concurrency = ; };\n' >>"$T/routehook.conf"
kill -HUP "$WORKER_PID"
assert "a bad config after SIGHUP: its FILE:LINE is logged" \
    wait_for 5 grep -qE "$T/routehook.conf:[0-9]+:" "$T/worker.log"
assert_file_has "$T/worker.log" "reload refused" "... and the reload refused"
assert "... and the daemon keeps running" kill -0 "$WORKER_PID"
send "$(status_event agent-2 lunch)" && id2=$SENT_ID
assert "... and still applies a new event, on the old config" \
    wait_for 5 audit_has "$id2" applied
is "$(routing_status agent-2)" OFF_QUEUE "... lunch still OFF_QUEUE"

# (2) A valid change takes effect after SIGHUP.
map_config IDLE
kill -HUP "$WORKER_PID"
assert "a good config after SIGHUP: reloaded" \
    wait_for 5 grep -q "reloaded: spool" "$T/worker.log"
send "$(status_event agent-3 lunch)" && id3=$SENT_ID
assert "... and a new event is applied" wait_for 5 audit_has "$id3" applied
is "$(routing_status agent-3)" IDLE "... with the new mapping: lunch is IDLE"
is "$(spool_total)" 0 "nothing left behind in the spool by the reload"
assert "... one daemon, same pid, pid file still locked" \
    sh -c "[ \"\$(cat '$T/spool/state/worker.pid')\" = $WORKER_PID ] &&
    ! flock -n '$T/spool/state/worker.pid' true"
kill -TERM "$WORKER_PID"
assert "SIGTERM after reloads: it stops" \
    wait_for 10 sh -c "! kill -0 $WORKER_PID"
wait "$WORKER_PID"
is "$?" 0 "... with exit 0"
assert_file_has "$T/worker.log" "stopped: 3 applied, 0 superseded, 0 deferred, 0 dead" \
    "... its counts carried across the reload"

# (3) Wrong secret at start; fixed in the file, no signal: applied within
# seconds, though a refusal waits backoff_max_ms (30 s here) otherwise.
printf 'wrong-%s\n' "$$" >"$T/worker.secret"
map_config IDLE "backoff_max_ms = 30000;"
rm -f "$T/spool/state/token"	# the good secret's token, cached on disk
: >"$T/worker.log"
start_worker
send "$(status_event agent-4 lunch)" && id4=$SENT_ID
assert "refused credentials: the log says when the next token attempt is" \
    wait_for 10 grep -qE "refused client id .*next token attempt in [0-9]+ s" \
    "$T/worker.log"
assert_file_has "$T/worker.log" "next token attempt in 30 s" \
    "... backoff_max_ms from now"
is "$(spool_files new)" 1 "the event waits in new/"
printf '%s\n' "$good" >"$T/worker.secret"
assert "the secret file fixed, no signal: applied within a few seconds" \
    wait_for 5 audit_has "$id4" applied
assert_file_has "$T/worker.log" "worker.secret changed: trying a token now" \
    "... the change was seen"
stop_pid "$WORKER_PID"
is "$(spool_total)" 0 "nothing left in the spool"
assert "no secret in the worker's log or the audit file" \
    no_secrets "$T/worker.log" "$AUDIT"
assert_file_lacks "$T/worker.log" "wrong-$$" "nor the wrong one"

done_testing
