#!/bin/sh
# bench-burst.sh: make bench's shift-change burst (issue 11, "Measured in
# make bench").  Not a test: nothing passes or fails on a figure; the
# script fails only when the results are not sane (an event without
# exactly one outcome, a dead letter, an agent not On Queue or not in
# its two queues at the end).
#
# AGENTS agents (default 2000) start their shift: each one presence
# change ("available": On Queue) and two queue joins (agent i joins
# q-(i%3+1) and q-((i+1)%3+1), a member of both), plus 30 % more events
# that repeat a state the agent already asked for (same presence or
# same join, a newer timestamp):
#   - half of them in the same backlog as the first ones: newest wins,
#     the older one is superseded (or, claimed after the first was
#     applied, the repeat is unchanged);
#   - half arriving BURST_REPEAT_S (10) real seconds after their first
#     one's outcome (a sender re-sending, a re-sync): unchanged, within
#     routing.unchanged_window_s.
# The backlog is written straight into the spool's new/ under the
# responder's names (tmp/ then rename), all at once, with the worker
# already running as a daemon (its memory of what it set must last).
# Against tests/genesys-standin.py with the API's budget, 300 calls a
# minute per token, it is drained twice:
#   routehook          the defaults: bulk joins of up to 100 per queue
#                      (routing.queue_bulk_max), unchanged repeats not
#                      sent (routing.unchanged_window_s 60)
#   one per event      routehook with queue_bulk_max = 1 and
#                      unchanged_window_s = 0 (newest-wins still on)
# beside the minimum needed (a presence change per agent whose state
# changes, and ceil(joins / 100) bulk calls per queue) and the
# tutorial's count (one call per event, settling no sooner than
# events / rate).
#
# Time is compressed by BURST_SCALE (default 10): the stand-in allows
# 300 calls per 60/SCALE s and the worker's requests_per_minute is
# 300 * SCALE, so the dynamics are the real ones run SCALE times faster
# (in real time: about 7 minutes for routehook, 26 for one call per
# event).  Times are printed as measured and scaled back to real
# minutes.  BURST_SCALE=1 runs the real thing.  What does not scale,
# and so weighs SCALE times more in the real-minute figures: the worker's
# own work per event (claiming one out of new/ costs two fsyncs), each
# call's answer time, and the +1 s the worker adds to the whole-second
# inin-ratelimit-reset header.  routing.unchanged_window_s stays 60 s of
# wall clock (SCALE times longer in scaled terms): kinder to the late
# repeats than real time is.
#
# Environment: BURST_AGENTS (2000), BURST_SCALE (10), BURST_REPEAT_S
# (10), RH_BENCH_DIR (default /var/tmp), RH_KEEP=1 keeps the scratch
# directory.

. "$(dirname "$0")/bench-lib.sh"

AGENTS=${BURST_AGENTS:-2000}
SCALE=${BURST_SCALE:-10}
REPEAT_S=${BURST_REPEAT_S:-10}
RPM=300
BULK_MAX=100

fail() { say "bench-burst: $*"; bad=1; }
bad=

case $AGENTS in ''|*[!0-9]*) say "bench-burst: BURST_AGENTS must be a number"; exit 2 ;; esac
case $SCALE in ''|*[!0-9]*|0) say "bench-burst: BURST_SCALE must be a whole number >= 1"; exit 2 ;; esac
[ "$AGENTS" -ge 3 ] || { say "bench-burst: BURST_AGENTS must be 3 or more"; exit 2; }
for p in "$WORKER"; do
	[ -x "$p" ] || { say "bench-burst: $p is not built (make all)"; exit 1; }
done
for c in python3 curl jq openssl; do
	command -v "$c" >/dev/null 2>&1 ||
	    { say "bench-burst: $c is missing (make deps)"; exit 1; }
done

WINDOW=$(awk -v s="$SCALE" 'BEGIN { printf "%g", 60 / s }')

# --- the burst: who, what, when (tests/bench-burst.sh's own driver) ----------

cat >"$T/burst.py" <<'PY'
"""The burst's driver.  plan: the events and the queues' members.  run:
spool the backlog into new/ at once, spool each late repeat REPEAT s
after its first event's outcome, and follow the audit file until every
event has its one final outcome (or nothing happens for STALL s)."""
import json, os, sys, time, datetime

FINAL = ("applied", "superseded", "unchanged", "dead", "ignored")
T0 = datetime.datetime(2026, 1, 1, 8, 0, 0)


def iso(sec):
    return (T0 + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def queues_of(i):
    return ["q-%d" % (i % 3 + 1), "q-%d" % ((i + 1) % 3 + 1)]


def plan(agents):
    """[(tag, user, kind, queue, role, body)]: role first, again (a repeat
    in the backlog) or late (a repeat after the first one's outcome)."""
    evs = []
    for i in range(agents):
        u = "agent-%d" % i
        qa, qb = queues_of(i)
        for k, q in enumerate((None, qa, qb)):
            e = 3 * i + k
            for role, t in (("first", 0), ("again", 30), ("late", 30)):
                if role == "again" and e % 20 not in (0, 1, 2):
                    continue
                if role == "late" and e % 20 not in (10, 11, 12):
                    continue
                ts = iso(t + (e % 1000) / 1000.0)
                if q is None:
                    body = {"eventType": "routing.user.status.update",
                            "userId": u, "status": "available",
                            "timestamp": ts}
                else:
                    body = {"eventType": "routing.queue.member.status.update",
                            "queueId": q, "userId": u, "joined": True,
                            "timestamp": ts}
                evs.append(("e%d" % e, u, "presence" if q is None else "join",
                            q, role, json.dumps(body, separators=(",", ":"))))
    return evs


seq = [0]


def spool(d, body):
    """One event into d/new/ as the responder leaves it; returns its id."""
    now = time.time()
    seq[0] += 1
    name = "%d.M%06dP%dQ%d.burst" % (int(now), int((now % 1) * 1e6),
                                     os.getpid(), seq[0])
    with open(os.path.join(d, "tmp", name), "w") as f:
        f.write(body)
    os.rename(os.path.join(d, "tmp", name), os.path.join(d, "new", name))
    return name


def audit_time(s):
    return datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ").replace(
        tzinfo=datetime.timezone.utc).timestamp()


def run(spool_dir, audit, agents, repeat_s, stall_s, out):
    evs = plan(agents)
    ids = {}            # spool id -> index in evs
    late = {}           # tag of a first event -> index of its late repeat
    for n, ev in enumerate(evs):
        if ev[4] == "late":
            late[ev[0]] = n
    # The backlog, written to tmp/ first and then renamed into new/ in
    # one quick loop: a burst that arrives all at once.
    staged = []
    for n, ev in enumerate(evs):
        if ev[4] == "late":
            continue
        now = time.time()
        seq[0] += 1
        name = "%d.M%06dP%dQ%d.burst" % (int(now), int((now % 1) * 1e6),
                                         os.getpid(), seq[0])
        with open(os.path.join(spool_dir, "tmp", name), "w") as f:
            f.write(ev[5])
        staged.append((name, n))
    t_first = time.time()
    for name, n in staged:
        os.rename(os.path.join(spool_dir, "tmp", name),
                  os.path.join(spool_dir, "new", name))
        ids[name] = n
    t_backlog = time.time()
    due = []            # (time, index of a late repeat)
    outcome = {}        # spool id -> final outcome
    lines = {}          # spool id -> audit lines
    t_last = None
    pos = 0
    buf = b""
    progress = time.time()
    total = len(evs)
    while True:
        now = time.time()
        while due and due[0][0] <= now:
            _, n = due.pop(0)
            ids[spool(spool_dir, evs[n][5])] = n
            progress = now
        try:
            with open(audit, "rb") as f:
                f.seek(pos)
                chunk = f.read()
                pos += len(chunk)
        except FileNotFoundError:
            chunk = b""
        buf += chunk
        *done, buf = buf.split(b"\n")
        for line in done:
            if not line.strip():
                continue
            a = json.loads(line)
            i = a.get("event_id")
            lines[i] = lines.get(i, 0) + 1
            if a.get("outcome") not in FINAL:
                continue
            progress = now
            if i in outcome:
                outcome[i] += "+" + a["outcome"]
            else:
                outcome[i] = a["outcome"]
            t = audit_time(a["timestamp"])
            t_last = t if t_last is None or t > t_last else t_last
            n = ids.get(i)
            if n is not None and evs[n][4] == "first" and evs[n][0] in late:
                due.append((now + repeat_s, late[evs[n][0]]))
                due.sort()
        if len([i for i in ids if i in outcome]) == total:
            break
        if now - progress > stall_s:
            print("STALL no outcome and no spooling for %d s" % stall_s,
                  file=sys.stderr)
            break
        time.sleep(0.1)
    with open(out, "w") as f:
        f.write("t_first %.3f\nt_backlog %.3f\nt_last %s\n" % (
            t_first, t_backlog, "%.3f" % t_last if t_last else "-"))
        f.write("events %d\nspooled %d\n" % (total, len(ids)))
        f.write("with_outcome %d\n" % len([i for i in ids if i in outcome]))
        f.write("multi_outcome %d\n" % len([i for i in ids
                                            if "+" in outcome.get(i, "")]))
        f.write("foreign_lines %d\n" % len([i for i in lines if i not in ids]))
        for role in ("first", "again", "late"):
            tally = {}
            for i, n in ids.items():
                if evs[n][4] == role:
                    o = outcome.get(i, "none")
                    tally[o] = tally.get(o, 0) + 1
            f.write("role_%s %s\n" % (role, ",".join(
                "%s:%d" % kv for kv in sorted(tally.items())) or "-"))
    return 0


def members(agents, out):
    m = {}
    for i in range(agents):
        for q in queues_of(i):
            m.setdefault(q, []).append("agent-%d" % i)
    with open(out, "w") as f:
        json.dump(m, f)


def counts(agents):
    """What the burst asks for, and the minimum of calls it needs."""
    evs = plan(agents)
    joins = {}
    for i in range(agents):
        for q in queues_of(i):
            joins[q] = joins.get(q, 0) + 1
    roles = {}
    for ev in evs:
        roles[ev[4]] = roles.get(ev[4], 0) + 1
    print("events %d" % len(evs))
    for r in ("first", "again", "late"):
        print("%s %d" % (r, roles.get(r, 0)))
    print("presences %d" % agents)
    print("joins %d" % sum(joins.values()))
    print("min_bulk %d" % sum((n + 99) // 100 for n in joins.values()))
    print("per_queue %s" % ",".join("%s:%d" % kv for kv in sorted(joins.items())))


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "members":
        members(int(sys.argv[2]), sys.argv[3])
    elif cmd == "counts":
        counts(int(sys.argv[2]))
    elif cmd == "run":
        sys.exit(run(sys.argv[2], sys.argv[3], int(sys.argv[4]),
                     float(sys.argv[5]), float(sys.argv[6]), sys.argv[7]))
PY

burst() { python3 "$T/burst.py" "$@"; }

burst counts "$AGENTS" >"$T/counts"
c() { awk -v k="$1" '$1 == k { print $2 }' "$T/counts"; }
EVENTS=$(c events)
MIN_BULK=$(c min_bulk)
MINIMUM=$(( $(c presences) + MIN_BULK ))
burst members "$AGENTS" "$T/members.json"

# --- one run ------------------------------------------------------------------

# Results go to $T/results as "KEY VALUE" lines, read back by r KEY.
: >"$T/results"
r() { awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' \
    "$T/results"; }
put() { echo "$1 $2" >>"$T/results"; }

# jn KEY FILTER: a count over the run's stand-in journal into KEY.
jn() { put "$1" "$(jq -s "$2" "$T/$RUN/standin.jsonl")"; }

# burst_run NAME ROUTING-LINES: a fresh stand-in (rate window and
# journal), spool and audit file; the worker as a daemon with
# ROUTING-LINES; the burst; then its figures as NAME.* results.
burst_run() {
	RUN=$1
	mkdir -p "$T/$RUN"
	unset STANDIN_PORT
	rm -f "$T/standin.jsonl"
	start_standin --rate-limit "$RPM" --rate-window "$WINDOW" \
	    --members "$T/members.json"
	AUDIT=$T/$RUN/audit.jsonl
	worker_config "metrics_file = \"$T/$RUN/routehook.prom\";" \
	    "timeout_ms = 10000; requests_per_minute = $((RPM * SCALE));" \
	    "sla = { threshold_ms = 3600000; };
routing = { $2 };"
	sed -i "s|^spool_dir = .*|spool_dir = \"$T/$RUN/spool\";|" "$T/routehook.conf"
	for d in tmp new cur deferred dead state; do
		mkdir -p "$T/$RUN/spool/$d"
	done
	cp "$T/routehook.conf" "$T/$RUN/"
	start_worker
	# A stall: nothing for three rate windows and a half minute more.
	_stall=$(awk -v w="$WINDOW" 'BEGIN { printf "%d", 3 * w + 30 }')
	burst run "$T/$RUN/spool" "$AUDIT" "$AGENTS" \
	    "$(awk -v r="$REPEAT_S" -v s="$SCALE" 'BEGIN { print r / s }')" \
	    "$_stall" "$T/$RUN/driver" 2>>"$T/$RUN/driver.log" ||
	    fail "$RUN: the driver failed: $(tail -n 3 "$T/$RUN/driver.log")"
	grep -q STALL "$T/$RUN/driver.log" &&
	    fail "$RUN: stalled: $(cat "$T/$RUN/driver.log")"
	# Let the metrics file catch up, then stop the worker.
	sleep 1.5
	stop_pid "$WORKER_PID"
	control GET state >"$T/$RUN/state.json"
	stop_standin
	rh_pids=	# both stopped: nothing of theirs for stop_all to signal
	mv "$T/standin.jsonl" "$T/$RUN/standin.jsonl"
	cp "$T/worker.log" "$T/$RUN/worker.log"
	: >"$T/worker.log"
	awk -v k="$RUN" '{ print k "." $1, $2 }' "$T/$RUN/driver" >>"$T/results"

	jn "$RUN.presence" '[.[] | select(.method == "PATCH" and (.path | test("^/api/v2/users/[^/]+/presences/purecloud$")))] | length'
	jn "$RUN.bulk" '[.[] | select(.method == "PATCH" and (.path | test("^/api/v2/routing/queues/[^/]+/members$")))] | length'
	jn "$RUN.single" '[.[] | select(.method == "PATCH" and (.path | test("^/api/v2/routing/queues/[^/]+/members/[^/]+$")))] | length'
	jn "$RUN.defs" '[.[] | select(.method == "GET" and .path == "/api/v2/presence/definitions")] | length'
	jn "$RUN.api" '[.[] | select(.path | startswith("/api/"))] | length'
	jn "$RUN.tokens" '[.[] | select(.path == "/oauth/token")] | length'
	jn "$RUN.c429" '[.[] | select(.status == 429)] | length'
	jn "$RUN.non2xx" '[.[] | select((.path | startswith("/api/")) and (.status == null or .status < 200 or .status >= 300))] | length'
	put "$RUN.other" "$(( $(r "$RUN.api") - $(r "$RUN.presence") - $(r "$RUN.bulk") - $(r "$RUN.single") - $(r "$RUN.defs") ))"
	put "$RUN.bulk_sizes" "$(jq -s -r '[.[] | select(.method == "PATCH" and (.path | test("^/api/v2/routing/queues/[^/]+/members$"))) | .body | length] | sort | if length == 0 then "-" else "\(.[0])/\(.[length / 2 | floor])/\(.[-1])" end' "$T/$RUN/standin.jsonl")"
	put "$RUN.bulk_full" "$(jq -s '[.[] | select(.method == "PATCH" and (.path | test("^/api/v2/routing/queues/[^/]+/members$"))) | select((.body | length) == '"$BULK_MAX"')] | length' "$T/$RUN/standin.jsonl")"
	put "$RUN.worker_calls" "$(awk '/^routehook_worker_api_calls_total\{/ { n += $2 } END { print n + 0 }' "$T/$RUN/routehook.prom" 2>/dev/null)"
	put "$RUN.worker_noanswer" "$(awk '/^routehook_worker_api_calls_total\{code="0"\}/ { n = $2 } END { print n + 0 }' "$T/$RUN/routehook.prom" 2>/dev/null)"
	# The longest time no call reached the stand-in, from the first to
	# the last, and when it began (s after the backlog was spooled).
	put "$RUN.gap" "$(jq -s -r --argjson t0 "$(r "$RUN.t_first")" '[.[] | select(.path | startswith("/api/")) | .time] | sort | [range(1; length) as $i | [(.[$i] - .[$i - 1]), (.[$i - 1] - $t0)]] | max_by(.[0]) // [0, 0] | "\(.[0] * 10 | round / 10)@\(.[1] * 10 | round / 10)"' "$T/$RUN/standin.jsonl")"
	put "$RUN.worker_bulk" "$(awk '/^routehook_worker_bulk_calls_total / { print $2 }' "$T/$RUN/routehook.prom" 2>/dev/null)"
	for o in applied superseded unchanged dead deferred ignored; do
		put "$RUN.$o" "$(jq -s --arg o "$o" '[.[] | select(.outcome == $o)] | length' "$AUDIT")"
	done
	put "$RUN.settle" "$(awk -v a="$(r "$RUN.t_first")" -v b="$(r "$RUN.t_last")" \
	    'BEGIN { if (b == "-") print "-"; else printf "%.1f", b - a }')"

	# Sanity, not timing.
	[ "$(r "$RUN.with_outcome")" = "$EVENTS" ] ||
	    fail "$RUN: $(r "$RUN.with_outcome") of $EVENTS events have an outcome"
	[ "$(r "$RUN.multi_outcome")" = 0 ] ||
	    fail "$RUN: $(r "$RUN.multi_outcome") events have more than one final outcome"
	[ "$(r "$RUN.dead")" = 0 ] || fail "$RUN: $(r "$RUN.dead") dead letters"
	[ "$(r "$RUN.foreign_lines")" = 0 ] ||
	    fail "$RUN: $(r "$RUN.foreign_lines") audit lines for events not sent"
	jq -r --argjson n "$AGENTS" '
	    .presence_definitions.ON_QUEUE as $on | . as $s |
	    [range($n) | "agent-\(.)" as $u | select($s.presence[$u] != $on)] as $off |
	    [range($n) | . as $i | "agent-\($i)" as $u |
	     ["q-\($i % 3 + 1)", "q-\(($i + 1) % 3 + 1)"][] as $q |
	     select($s.queues[$q][$u] != true) | "\($u) \($q)"] as $out |
	    "\($off | length) \($out | length) \($off[:3] + $out[:3] | join(", "))"' \
	    "$T/$RUN/state.json" >"$T/$RUN/final" 2>&1
	read -r _off _out _which <"$T/$RUN/final"
	[ "${_off:-x}" = 0 ] && [ "${_out:-x}" = 0 ] ||
	    fail "$RUN: at the end, ${_off:-?} agents not On Queue, ${_out:-?} joins missing (${_which:-$(cat "$T/$RUN/final")})"
}

say "bench-burst: $AGENTS agents, $EVENTS events; $RPM calls a minute, time scaled by $SCALE (rate window ${WINDOW} s)"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "bench-burst: routehook (queue_bulk_max $BULK_MAX, unchanged_window_s 60)"
burst_run bulk "queue_bulk_max = $BULK_MAX; unchanged_window_s = 60;"
say "bench-burst: one call per event (queue_bulk_max 1, unchanged_window_s 0)"
burst_run single "queue_bulk_max = 1; unchanged_window_s = 0;"
LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the figures ----------------------------------------------------------------------

# fx EXPR: awk arithmetic, "-" when a figure is missing.
fx() {
	awk "BEGIN { $1 }" 2>/dev/null || echo -
}
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN {
		if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0) print "-"
		else printf "%.2f\n", a / b }'
}
# secs_at CALLS: how long CALLS take at the (scaled) budget, measured s.
secs_at() { awk -v n="$1" -v r="$RPM" -v s="$SCALE" 'BEGIN { printf "%.1f", n * 60 / (r * s) }'; }
# real_min SECS: measured seconds scaled back to real minutes.
real_min() {
	awk -v t="$1" -v s="$SCALE" 'BEGIN {
		if (t == "-" || t == "") print "-"; else printf "%.1f", t * s / 60 }'
}

calls_of() {	# the calls a run made, token fetches apart
	echo "$(r "$1.api")"
}

report() {
	_k=$1
	_calls=$(calls_of "$_k")
	_ideal=$(secs_at "$_calls")
	echo "  calls made               $_calls: presence PATCH $(r "$_k.presence"), bulk PATCH $(r "$_k.bulk"), single member PATCH $(r "$_k.single"), definitions GET $(r "$_k.defs"), other $(r "$_k.other")"
	echo "                           (token fetches apart: $(r "$_k.tokens"); non-2xx answers $(r "$_k.non2xx"); the worker's metrics count $(r "$_k.worker_calls") calls,
                           $(r "$_k.worker_noanswer") of them with no answer, and $(r "$_k.worker_bulk") bulk)"
	[ "$(r "$_k.bulk")" != 0 ] &&
	    echo "  bulk sizes               min/median/max $(r "$_k.bulk_sizes"), $(r "$_k.bulk_full") of $(r "$_k.bulk") full ($BULK_MAX)"
	echo "  beside the minimum       $MINIMUM: ratio $(ratio "$_calls" "$MINIMUM")"
	echo "  429s received            $(r "$_k.c429")"
	echo "  time to settle           $(r "$_k.settle") s measured = $(real_min "$(r "$_k.settle")") min real,"
	echo "                           beside calls / rate $_ideal s = $(real_min "$_ideal") min real: ratio $(ratio "$(r "$_k.settle")" "$_ideal")"
	echo "                           (longest pause between two calls: $(r "$_k.gap" | sed 's/@/ s, from /') s after the first event;"
	echo "                            the backlog took $(fx "printf \"%.2f\", $(r "$_k.t_backlog") - $(r "$_k.t_first")") s to spool)"
	echo "  outcomes                 applied $(r "$_k.applied"), superseded $(r "$_k.superseded"), unchanged $(r "$_k.unchanged"), dead $(r "$_k.dead") (deferred lines $(r "$_k.deferred"), ignored $(r "$_k.ignored"))"
	echo "    first events           $(r "$_k.role_first")"
	echo "    repeats in the backlog $(r "$_k.role_again")"
	echo "    repeats after          $(r "$_k.role_late")"
}

echo
echo "routehook make bench-burst: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores; load before $LOAD0, after $LOAD1"
echo "SHIFT-CHANGE BURST  $AGENTS agents, 3 queues ($(c per_queue) joins), $RPM calls a minute"
echo "  events                   $EVENTS: $(c first) first ($AGENTS presence changes to On Queue, $(c joins) queue joins)"
echo "                           + $(( $(c again) + $(c late) )) repeating a state already asked for (30 %):"
echo "                           $(c again) in the same backlog (newer timestamp), $(c late) spooled ${REPEAT_S} s (real) after"
echo "                           their first event's outcome; the backlog written into new/ at once,"
echo "                           the worker a daemon at worker.concurrency 8"
echo "  minimum needed           $MINIMUM calls: $(c presences) presence changes + $MIN_BULK bulk joins of up to $BULK_MAX"
echo "                           (+ 1 GET of the presence definitions, counted in calls made)"
echo "  TIME SCALED BY $SCALE: the stand-in allows $RPM calls per $WINDOW s, the worker's"
echo "  requests_per_minute is $((RPM * SCALE)); \"s measured\" is wall-clock here, \"min real\" is it times"
echo "  $SCALE: what the same burst takes under 300 calls per real minute (BURST_SCALE=1 to run it so)."
[ "$SCALE" -ne 1 ] &&
    echo "  Not scaled: the worker's own work per event (2 fsyncs to claim one), answer times, and"
[ "$SCALE" -ne 1 ] &&
    echo "  unchanged_window_s (60 s measured, $((60 * SCALE)) s in real terms)"
echo
echo "routehook  (routing.queue_bulk_max $BULK_MAX, unchanged_window_s 60)"
report bulk
echo
echo "one call per event, measured  (routehook, queue_bulk_max 1, unchanged_window_s 0)"
report single
echo
echo "one call per event, the tutorial's count  (no ordering, no bulk, no memory)"
echo "  calls                    $EVENTS (one per event): ratio $(ratio "$EVENTS" "$MINIMUM") to the minimum"
echo "  time to settle           >= events / rate = $(secs_at "$EVENTS") s measured = $(real_min "$(secs_at "$EVENTS")") min real"
echo
echo "routehook against one call per event: calls $(calls_of bulk) / $(calls_of single) measured = $(ratio "$(calls_of bulk)" "$(calls_of single)"), / $EVENTS tutorial = $(ratio "$(calls_of bulk)" "$EVENTS");"
echo "  time $(r bulk.settle) / $(r single.settle) s measured = $(ratio "$(r bulk.settle)" "$(r single.settle)"), / $(secs_at "$EVENTS") s tutorial = $(ratio "$(r bulk.settle)" "$(secs_at "$EVENTS")")"

if [ -n "$bad" ]; then
	echo
	echo "bench-burst: the results are not sane (above, on stderr); scratch kept: $T"
	RH_KEEP=1
	exit 1
fi
exit 0
