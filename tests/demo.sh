#!/bin/sh
# demo.sh: `make demo`, the whole routehook flow on this machine, start to
# finish, on loopback ports, in a scratch directory.
#
# It starts the Genesys Cloud stand-in (tests/genesys-standin.py, over TLS
# with a throwaway CA), nginx with the FastCGI responder under spawn-fcgi
# (contrib/nginx/routehook.conf, as the tests mount it) and the worker as an
# inotify daemon, all reading one routehook.conf.  Two simulated agents
# get scripted faults: the stand-in answers agent 3's first two calls with
# 503 (deferred, retried, applied) and refuses agent 7's first call with
# 400 (a dead letter).  It sends a burst of signed events with
# `routehookctl simulate`, waits until the spool has settled, then shows
# what an operator would look at: `routehookctl status`, the last audit
# lines, `routehookctl dead list`, and the spool through ls and jq.
#
# It stops everything it started, on success, failure or ^C.  On success
# the scratch directory is removed (RH_KEEP=1 keeps it) and it exits 0; on
# a failure it says what failed, shows the end of the log concerned, keeps
# the scratch directory (its logs) and exits 1.  The programs come from
# $RH_BUILD (default: the tree this script is in), as in the tests.
#
# Environment: DEMO_COUNT (events, default 200), DEMO_USERS (agents,
# default 20), DEMO_CONCURRENCY (default 16), RH_BUILD, RH_KEEP.

RH_TOP=$(cd "$(dirname "$0")/.." && pwd)
# nginx lives in /usr/sbin, which a Debian user's PATH leaves out.
case :$PATH: in
*:/usr/sbin:*) ;;
*) PATH=$PATH:/usr/local/sbin:/usr/sbin:/sbin ;;
esac
for p in fcgi/routehook-fcgi worker/routehook-worker worker/routehookctl; do
	[ -x "${RH_BUILD:-$RH_TOP}/$p" ] && continue
	echo "FAILED: ${RH_BUILD:-$RH_TOP}/$p is not built (run make)"
	exit 1
done
# shellcheck disable=SC2034 # read by lib.sh
RH_NO_TAP=1
. "$RH_TOP/tests/lib.sh"

COUNT=${DEMO_COUNT:-200}
USERS=${DEMO_USERS:-20}
CONC=${DEMO_CONCURRENCY:-16}
SLOW_USER=3	# answered 503, 503, then 200
BAD_USER=7	# refused with 400
user_id() { printf '00000000-0000-4000-8000-%012d' "$1"; }

demo_t0=$(date +%s%N)
demo_failed=0

# --- stopping, and failing ------------------------------------------------

demo_exit() {
	_rc=$?
	trap - EXIT INT TERM
	stop_all
	[ "$demo_failed" -eq 2 ] && printf '\ninterrupted\n'
	[ "$demo_failed" -ne 0 ] && _rc=1
	if [ "$_rc" -ne 0 ] || [ -n "${RH_KEEP:-}" ]; then
		echo
		echo "Logs and spool kept in $T"
	else
		rm -rf "$T"
	fi
	exit "$_rc"
}
trap demo_exit EXIT
trap 'demo_failed=2; exit 1' INT TERM

# fail WHAT [LOG...]: say what failed and show the end of each LOG.
fail() {
	echo
	echo "FAILED: $1"
	shift
	for _log in "$@"; do
		[ -s "$_log" ] || continue
		echo "--- last lines of $_log"
		tail -n 15 "$_log"
	done
	demo_failed=1
	exit 1
}

# lib.sh's starters call bail with the reason and the whole log; keep the
# reason and the log's last lines.
bail() {
	printf '%s\n' "$*" >"$T/bail.txt"
	echo
	echo "FAILED: $(head -n 1 "$T/bail.txt")"
	tail -n +2 "$T/bail.txt" | tail -n 15
	demo_failed=1
	exit 1
}

heading() { printf '\n== %s\n' "$*"; }

# show CMD...: print "$ CMD" and run it in the scratch directory, its
# output indented.
show() {
	echo "\$ $*"
	(cd "$T" && eval "$*") 2>&1 | sed 's/^/  /'
}

ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

secs() {	# secs MS: "1.234 s"
	printf '%d.%01d s' $(($1 / 1000)) $(($1 % 1000 / 100))
}

# --- the world: stand-in, configuration, responder, nginx, worker --------

echo "routehook demo: signed events in, Genesys Cloud routing calls out"
heading "Starting"

# A stand-in rate limit out of the way, and the worker's pace to match,
# so that the burst is applied in seconds (Genesys' own limit is 300
# calls a minute per token: genesys.requests_per_minute).
start_standin --rate-limit 100000
worker_config "concurrency = 8; backoff_min_ms = 200; backoff_max_ms = 2000;" \
    "requests_per_minute = 60000;"
chmod 600 "$T/webhook.secret" "$T/client.secret"
echo "  Genesys stand-in        $STANDIN_URL (OAuth client test-client)"

start_responder		# it makes the spool's directories
"$CTL" -c "$T/routehook.conf" check >"$T/check.log" 2>&1 ||
    fail "routehookctl check" "$T/check.log"
echo "  routehookctl check      $(cat "$T/check.log")"
start_nginx
EVENTS_URL=$NGINX_URL/routehook/events
echo "  nginx + responder       $EVENTS_URL"

# As lib.sh's start_worker, but a worker that exits at once fails at once.
"$WORKER" -c "$T/routehook.conf" 2>>"$T/worker.log" &
WORKER_PID=$!
track "$WORKER_PID"
wait_for 10 sh -c "grep -q 'started (daemon)' '$T/worker.log' ||
    ! kill -0 $WORKER_PID"
grep -q 'started (daemon)' "$T/worker.log" && kill -0 "$WORKER_PID" ||
    fail "routehook-worker did not start" "$T/worker.log"
echo "  routehook-worker        inotify daemon, pid $WORKER_PID"

slow=$(user_id $SLOW_USER)
bad=$(user_id $BAD_USER)
control POST faults "{\"$slow\": [{\"status\": 503, \"times\": 2}],
    \"$bad\": [{\"status\": 400}]}" >"$T/faults.json" 2>&1 &&
    jq -e '.' "$T/faults.json" >/dev/null 2>&1 ||
    fail "scripting the stand-in's faults" "$T/faults.json" "$T/standin.log"
echo "  faults scripted         agent $SLOW_USER ($slow): 503, 503, then 200"
echo "                          agent $BAD_USER ($bad): 400"

# --- the burst --------------------------------------------------------------

heading "Sending $COUNT signed events for $USERS agents"
echo "\$ routehookctl simulate --url $EVENTS_URL \\"
echo "      --count $COUNT --users $USERS --concurrency $CONC"
"$CTL" -c "$T/routehook.conf" simulate --url "$EVENTS_URL" --count "$COUNT" \
    --users "$USERS" --concurrency "$CONC" >"$T/simulate.out" \
    2>"$T/simulate.log" </dev/null
sim_rc=$?
sed 's/^/  /' "$T/simulate.out"
[ "$sim_rc" -eq 0 ] ||
    fail "routehookctl simulate exited $sim_rc" "$T/simulate.log" \
    "$T/fcgi.log" "$T/nginx/error.log"

# --- settling ---------------------------------------------------------------

# Settled: every event has its last word in the audit file (any outcome
# but deferred), and new/, cur/ and deferred/ are empty.  The directories
# alone are not enough: they are read one after the other, and an event
# on its way from deferred/ back to cur/ can slip between two reads.
finished() {
	jq -s '[.[] | select(.outcome != "deferred") | .event_id] | unique |
	    length' \
	    "$T/audit.jsonl" 2>/dev/null
}
settled() {
	[ "$(finished)" = "$COUNT" ] && [ "$(spool_files new)" -eq 0 ] &&
	    [ "$(spool_files cur)" -eq 0 ] && [ "$(spool_files deferred)" -eq 0 ]
}
heading "Waiting for the spool to settle (new/, cur/ and deferred/ empty)"
settle_t0=$(date +%s%N)
wait_for 30 settled || {
	echo "  new/ $(spool_files new), cur/ $(spool_files cur), deferred/ $(spool_files deferred);" \
	    "$(finished) of $COUNT events finished"
	fail "the spool did not settle within 30 s" "$T/worker.log"
}
kill -0 "$WORKER_PID" 2>/dev/null || fail "the worker has stopped" "$T/worker.log"
echo "  settled $(secs "$(ms_since "$settle_t0")") after the last event was accepted"

# --- what an operator looks at ---------------------------------------------

heading "routehookctl status"
"$CTL" -c "$T/routehook.conf" status >"$T/status.out" 2>"$T/status.log" ||
    fail "routehookctl status" "$T/status.log"
cat "$T/status.out"

heading "The last audit lines (one JSON object per outcome)"
show "tail -n 5 audit.jsonl | jq -c ."

heading "routehookctl dead list"
"$CTL" -c "$T/routehook.conf" dead list >"$T/dead.out" 2>"$T/dead.log" ||
    fail "routehookctl dead list" "$T/dead.log"
cat "$T/dead.out"

heading "Looking at the spool and the audit file yourself"
echo "(in the scratch directory, removed at the end; RH_KEEP=1 keeps it)"
show "ls -l spool/dead/"
show "jq -c 'select(.outcome==\"dead\")' audit.jsonl"
show "jq -c -s 'group_by(.outcome)|map({outcome:.[0].outcome,n:length})' audit.jsonl"

# --- checking the demo did what it says ------------------------------------

n_dead=$(jq -s '[.[] | select(.outcome == "dead")] | length' "$T/audit.jsonl")
dead_user=$(jq -r -s '[.[] | select(.outcome == "dead") | .payload_summary.userId] | unique | join(" ")' "$T/audit.jsonl")
[ "$n_dead" = 1 ] && [ "$dead_user" = "$bad" ] ||
    fail "expected one dead letter, agent $BAD_USER's; the audit has $n_dead ($dead_user)" \
    "$T/worker.log"
jq -e -s --arg u "$slow" '[.[] | select(.payload_summary.userId == $u) |
    .outcome] | index("deferred") != null and index("applied") != null' \
    "$T/audit.jsonl" >/dev/null ||
    fail "agent $SLOW_USER's events were not deferred, then applied" "$T/worker.log"

stop_all
# shellcheck disable=SC2046 # one argument per log file named
check_sanitizer_logs >/dev/null || fail "a sanitizer report in the logs" \
    $(grep -l -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$T"/*.log "$T"/*/*.log 2>/dev/null)

heading "Done in $(secs "$(ms_since "$demo_t0")"); everything it started is stopped"
