#!/usr/bin/env bash
# ctl-simulate.t: `routehookctl simulate` against the real nginx and
# responder: 500 events at concurrency 16 are all accepted and spooled,
# byte-valid and signed as configured; with --bad-signature all are
# refused with 401 and nothing is spooled; the notification shape, base64
# signatures with a prefix, --rate and an unreachable receiver.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
command -v nginx >/dev/null || skip_all "no nginx"
command -v spawn-fcgi >/dev/null || skip_all "no spawn-fcgi"
ctl_config
start_responder
start_nginx
URL=$NGINX_URL/routehook/events

run simulate --url "$URL" --count 500 --concurrency 16
is "$rc" 0 "500 events at concurrency 16: exit 0"
assert "the summary says all 500 were accepted" \
    grep -qE '^sent 500, accepted 500, rejected 0, p50 [0-9.]+ ms, p99 [0-9.]+ ms$' "$T/out"
is "$(spool_files new)" 500 "500 files spooled"
is "$(cat "$T/spool/new"/* | jq -r .eventType | sort -u)" routing.user.status.update \
    "every spooled file is a tutorial event"
is "$(cat "$T/spool/new"/* | jq -r .userId | sort -u | wc -l)" 10 "spread over 10 users"
is "$(cat "$T/spool/new"/* | jq -r .userId | sort | uniq -c | awk '{print $1}' | sort -u)" 50 \
    "50 events per user"
is "$(cat "$T/spool/new"/* | jq -r .userId | sort -u | head -n 1)" \
    00000000-0000-4000-8000-000000000001 "user ids are predictable"
cat "$T/spool/new"/* | jq -r .status | sort -u >"$T/statuses"
is "$(grep -cvE '^(available|idle|on_queue|offline|off_queue|away|busy|break|meal|training|meeting)$' "$T/statuses")" \
    0 "statuses are the default map's words"
assert "statuses vary" test "$(wc -l <"$T/statuses")" -ge 5
cat "$T/spool/new"/* | jq -r .timestamp | grep -cvE '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$' >"$T/badts"
is "$(cat "$T/badts")" 0 "timestamps are ISO 8601 with milliseconds"
refute "the secret is not printed" \
    grep -qF "$(cat "$T/webhook.secret")" "$T/out" "$T/err"
f=$(ls "$T/spool/new" | head -n 1)
before=$(spool_files new)

run simulate --url "$URL" --count 50 --concurrency 8 --bad-signature
is "$rc" 0 "--bad-signature: exit 0 when all are refused"
assert_file_has "$T/out" "sent 50, accepted 0, rejected 50 (401: 50)" \
    "--bad-signature: all refused with 401"
is "$(spool_files new)" "$before" "--bad-signature: nothing spooled"

run simulate --url "$URL" --count 20 --users 3 --shape notification
is "$rc" 0 "--shape notification: exit 0"
is "$(spool_files new)" $((before + 20)) "--shape notification: 20 more spooled"
ls -t "$T/spool/new" | head -n 20 | (cd "$T/spool/new" && xargs cat) |
    jq -r '.topicName + " " + .eventBody.routingStatus.status' | sort -u >"$T/topics"
grep -qE '^v2\.users\.00000000-0000-4000-8000-00000000000[123]\.routingStatus (IDLE|OFF_QUEUE)$' "$T/topics" &&
    [ "$(wc -l <"$T/topics")" -le 6 ]
ok $? "--shape notification: topics for 3 users, mapped statuses"

# One event, and a single-event run prints no progress.
run simulate --url "$URL"
is "$rc" 0 "one event: exit 0"
is "$(cat "$T/err")" "" "one event: nothing on stderr"

# On a terminal, a progress line on stderr.
if command -v script >/dev/null 2>&1; then
	script -qec "$CTL -c $T/routehook.conf simulate --url $URL --count 20" \
	    /dev/null >"$T/tty.out" 2>&1 </dev/null
	assert_file_has "$T/tty.out" "sent 20/20, accepted 20, rejected 0" \
	    "on a terminal: a progress line"
	cat "$T/tty.out" >>"$T/ctl.log"
else
	skip "on a terminal: a progress line" "no script(1)"
fi

# --rate: 10 events at 20 per second take about half a second.
start=$(date +%s%N)
run simulate --url "$URL" --count 10 --rate 20 --concurrency 4
el=$(( ($(date +%s%N) - start) / 1000000 ))
is "$rc" 0 "--rate 20: exit 0"
assert "--rate 20: 10 events took at least 0.45 s ($el ms)" test "$el" -ge 400

# An unreachable receiver: a temporary failure.
run simulate --url "http://127.0.0.1:$(free_port)/routehook/events" --count 3
is "$rc" 111 "an unreachable receiver: exit 111"
assert_file_has "$T/out" "no answer: 3" "the summary counts the unanswered"
assert_file_has "$T/err" "no answer" "the error says why"

# The receiver answering something else than 202: rejected, exit 1.
run simulate --url "$NGINX_URL/nothing-here" --count 2
is "$rc" 1 "a wrong URL: exit 1"
assert_file_has "$T/out" "rejected 2 (404: 2)" "a wrong URL: counted by status"

# Signatures in base64 with a prefix, as X-Hub-Signature-256.
# The responder reads its config once: restart both with the new one.
for p in $rh_pids; do stop_pid "$p"; done
rh_pids=
ctl_config 'signature_header = "X-Hub-Signature-256";
  signature_encoding = "base64"; signature_prefix = "sha256=";'
start_responder
start_nginx
URL=$NGINX_URL/routehook/events
before=$(spool_files new)
run simulate --url "$URL" --count 30 --concurrency 4
is "$rc" 0 "base64 with a prefix: exit 0"
is "$(spool_files new)" $((before + 30)) "base64 with a prefix: 30 spooled"
run simulate --url "$URL" --count 5 --bad-signature
is "$rc" 0 "base64 with a prefix, --bad-signature: all refused"

# No readable secret: a config error.
rm -f "$T/webhook.secret"
run simulate --url "$URL"
is "$rc" 100 "no webhook secret: exit 100"
assert_file_has "$T/err" "receiver.secret_file" "the error names the key"

done_testing
