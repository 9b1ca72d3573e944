#!/bin/sh
# worker-status.t: `routehookctl status` tells the truth about a running
# worker daemon (pid, since when, version) and about its calls: paused
# because the token endpoint refused the credentials, until when, then
# flowing again once the secret is fixed; paused by a 429 until its
# Retry-After; and no daemon once it stopped, or once it was killed
# without the chance to clean up.
. "$(dirname "$0")/../lib.sh"

start_standin
# A refused token is retried after backoff_max_ms, 5 s at least.
worker_config "backoff_min_ms = 100; backoff_max_ms = 3000;"
start_responder
start_nginx

st() { "$CTL" -c "$T/routehook.conf" status --json 2>>"$T/ctl.log"; }

is "$(st | jq -c '.worker')" \
    '{"running":false,"pid":null,"since":null,"version":null,"paused":null}' \
    "before the daemon: no worker"

cp "$T/client.secret" "$T/client.secret.good"
printf 'not-the-secret\n' >"$T/client.secret"
start_worker
send "$(status_event agent-1 available)"
ok $? "an event accepted"
wait_for 20 sh -c "'$CTL' -c '$T/routehook.conf' status --json | jq -e '.worker.paused.reason == \"credentials\"' >/dev/null"
ok $? "refused credentials: status says calls are paused for them"
w=$(st | jq -c '.worker')
is "$(echo "$w" | jq -c '[.running, .pid, .version]')" "[true,$WORKER_PID,\"$(sed -n 's/.*ROUTEHOOK_VERSION[^"]*"\([^"]*\)".*/\1/p' "$RH_TOP/lib/version.h")\"]" \
    "running, its pid and its version"
ok "$(echo "$w" | jq -e '.paused.in_s >= 0 and .paused.in_s <= 5 and (.paused.until | test("Z$")) and (.paused.detail | test("refused client id"))' >/dev/null; echo $?)" \
    "paused until when (the next token attempt, at most 5 s on), and the token endpoint's answer"
ok "$(echo "$w" | jq -e '.since | test("^[0-9]{4}-")' >/dev/null; echo $?)" "since when it runs"
"$CTL" -c "$T/routehook.conf" status >"$T/status.txt" 2>>"$T/ctl.log"
grep -q "^calls  paused: credentials refused by the token endpoint, until " "$T/status.txt"
ok $? "the table says it in words"
! grep -q not-the-secret "$T/status.txt" "$T/spool/state/worker"
ok $? "... and never shows the secret"

cp "$T/client.secret.good" "$T/client.secret"
wait_for 20 sh -c "[ \$(jq -r '.routingstatus[\"agent-1\"] // empty' <<EOF2
\$(curl -s --cacert '$T/certs/ca.pem' '$STANDIN_URL/__control/state')
EOF2
) = IDLE ]"
ok $? "the secret fixed: the event is applied"
is "$(st | jq -c '.worker.paused')" null "calls flow again: no pause"

control POST faults '{"agent-2": [{"status": 429, "retry_after": 30}]}' >/dev/null
send "$(status_event agent-2 available)"
wait_for 20 sh -c "'$CTL' -c '$T/routehook.conf' status --json | jq -e '.worker.paused.reason == \"rate_limit\"' >/dev/null"
ok $? "a 429: status says calls are paused by the rate limit"
ok "$(st | jq -e '.worker.paused.in_s > 20 and .worker.paused.in_s <= 30' >/dev/null; echo $?)" \
    "... until its Retry-After"

stop_pid "$WORKER_PID"
is "$(st | jq -c '[.worker.running, .worker.pid]')" '[false,null]' \
    "stopped: no daemon, its state removed"

start_worker
kill -9 "$WORKER_PID"
wait "$WORKER_PID" 2>/dev/null
is "$(st | jq -c '[.worker.running, .worker.pid]')" "[false,$WORKER_PID]" \
    "killed: not running, though its state is left"
"$CTL" -c "$T/routehook.conf" status >"$T/status.txt" 2>>"$T/ctl.log"
grep -q "^worker no daemon running (pid $WORKER_PID, .*stopped without cleaning up)" "$T/status.txt"
ok $? "the table says it stopped without cleaning up"

done_testing
