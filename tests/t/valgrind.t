#!/bin/sh
# valgrind.t: the responder (threads, libfcgi, every rejection path) and
# the worker (--once and the daemon: OAuth, curl multi, retries, dead
# letters, a token refetch) run whole under valgrind through nginx and the
# stand-in, and valgrind finds no error and no leak in either.  The unit
# tests run under valgrind in make check too; this covers the programs.
. "$(dirname "$0")/../lib.sh"

case $RH_BUILD in
*/.san) skip_all "valgrind cannot run the AddressSanitizer build" ;;
esac
vg=$(command -v valgrind) || skip_all "no valgrind"
# Under valgrind the programs run tens of times slower, more so beside
# other tests (make check runs them side by side): every bound of the
# harness grows to match, and the worker's call timeout with it.
RH_TIMEOUT_SCALE=$((RH_TIMEOUT_SCALE * 10))
# An absolute path: spawn-fcgi execs with execv(3), not execvp(3).
# Shown are the leaks that count as errors: "possibly lost" is the stack
# and TLS of a detached handler thread that retires as the process exits.
RH_WRAP="$vg -q --error-exitcode=99 --leak-check=full
--errors-for-leak-kinds=definite,indirect
--show-leak-kinds=definite,indirect --log-file=$T/vg.%p.vglog"

start_standin
control POST members '{"q-1": ["agent-4"]}' >/dev/null
# A long backoff: however slowly valgrind runs it, --once ends before the
# 503'd event is due again, and the daemon retries it when touched.
worker_config "backoff_min_ms = 60000; backoff_max_ms = 120000;" "" \
    'sla = { threshold_ms = 600000; };'
start_responder -n 4
start_nginx

send "$(status_event agent-1 available)" &&
send "$(status_event agent-2 busy)" &&
send "$(status_event agent-3 available)" &&
send "$(status_event agent-2 idle)" &&
send '{"eventType":"routing.queue.member.status.update","queueId":"q-1","userId":"agent-4","joined":true}' &&
send '{"eventType":"routing.user.status.update","userId":"agent-5","status":"lunch"}'
ok $? "six events accepted through the responder under valgrind"
printf '[]' >"$T/array.json"
is "$(post "$T/array.json")" 400 "a JSON array is refused (400)"
is "$(post "$T/array.json" -H 'X-Genesys-Signature: 00')" 401 \
    "a bad signature is refused (401)"
is "$(curl -s -o /dev/null -w '%{http_code}' "$NGINX_URL/routehook/health")" \
    200 "health answers"

control POST faults '{"agent-1":[{"status":503}],"agent-3":[{"status":400}]}' \
    >/dev/null
run_worker
is "$?" 0 "--once under valgrind exits 0, not valgrind's 99"
is "$(spool_files deferred) $(spool_files dead)" "1 2" \
    "agent-1 deferred (503); agent-3 (400) and agent-5 (unknown status) dead"

control POST expire-tokens >/dev/null
start_worker
# touch -c: the daemon may take the file between the glob and the touch,
# and a plain touch would then drop an empty event in its place.
for f in "$T"/spool/deferred/*; do [ -f "$f" ] && touch -c "$f"; done
assert "the daemon under valgrind retries the deferred event after touch" \
    wait_for 30 spool_count_is deferred 0
assert "three events applied in all (agent-2's older one superseded)" \
    wait_for 30 audit_count_is applied 3
is "$(spool_files dead)" 2 "no other dead letter appeared"
is "$(standin_state .tokens_issued)" 2 \
    "the expired token was fetched again once"

stop_all
is "$(cat "$T"/vg.*.vglog | wc -c)" 0 "valgrind reports nothing for any process"
cat "$T"/vg.*.vglog 2>/dev/null | head -40 | sed 's/^/# /'
is "$(ls "$T"/vg.*.vglog | wc -l)" 3 \
    "three processes ran under valgrind: the responder and two workers"

done_testing
