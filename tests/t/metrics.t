#!/bin/sh
# metrics.t: both programs' metrics parse as Prometheus text and count
# exactly what this test sent (issue 5, section 5).
#
#   responder	GET /routehook/metrics through nginx: accepted, rejected by
#		reason (bad signatures, a body too large, one not JSON), and
#		the spool depth of each directory before and after the worker
#   worker	worker.metrics_file, a node_exporter textfile: events by
#		outcome, API calls by status code, token fetches, the
#		latency histogram (receipt to applied or dead) and SLA
#		breaches; mode 0644 and no temp file left beside it
#
# The worker's counts are its process's: the first --once run applies,
# supersedes, defers (a 503) and kills (a 400, an unknown event type);
# the second, after `touch` makes the deferred event due, applies it with
# the cached token and presence definitions, and its file shows that run
# alone.  A daemon then writes the file at start and again when it stops.
#
# prom (below) checks the format and prints one "name{labels} value" line
# per sample; it is run on broken texts first, which it must refuse.
. "$(dirname "$0")/../lib.sh"

# prom FILE: FILE as Prometheus text; each sample as "KEY VALUE", KEY
# being name{labels}.  Fails naming the first line that breaks a rule:
# a family's HELP then TYPE, once each, before its samples; counters
# named _total; sample values numbers; a histogram's buckets ascending
# in le, cumulative, ending in +Inf, which equals its _count.
prom() {
	python3 - "$1" <<'PY'
import re, sys
NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*="[^"\\\n]*"'
SAMPLE = re.compile(r'^(%s)(\{%s(?:,%s)*\})? (\S+)$' % (NAME, LABEL, LABEL))
META = re.compile(r'^# (HELP|TYPE) (%s) (.+)$' % NAME)
def fail(why):
    sys.stderr.write(why + "\n")
    sys.exit(1)
text = open(sys.argv[1]).read()
if not text.endswith("\n"):
    fail("the text does not end with a newline")
helps, types, sampled, out = set(), {}, set(), []
for line in text[:-1].split("\n"):
    m = META.match(line)
    if m:
        kind, fam, rest = m.groups()
        if fam in sampled:
            fail("%s after its samples: %s" % (kind, line))
        if kind == "HELP":
            if fam in helps or fam in types:
                fail("HELP again, or after TYPE: " + line)
            helps.add(fam)
            continue
        if fam not in helps or fam in types:
            fail("TYPE without HELP before it, or again: " + line)
        if rest not in ("counter", "gauge", "histogram"):
            fail("unknown type: " + line)
        if rest == "counter" and not fam.endswith("_total"):
            fail("a counter not named _total: " + line)
        types[fam] = rest
        continue
    if line.startswith("#"):
        continue
    m = SAMPLE.match(line)
    if not m:
        fail("not a sample: " + line)
    name, labels, value = m.group(1), m.group(2) or "", m.group(3)
    fam = name
    for sfx in ("_bucket", "_sum", "_count"):
        if name.endswith(sfx) and types.get(name[:-len(sfx)]) == "histogram":
            fam = name[:-len(sfx)]
    if fam not in types or (fam == name and types[fam] == "histogram"):
        fail("a sample before its HELP and TYPE: " + line)
    try:
        v = float(value)
    except ValueError:
        fail("not a number: " + line)
    sampled.add(fam)
    out.append((name, labels, v, value))
for fam, t in types.items():
    if t != "histogram":
        continue
    b = [(float(re.search(r'le="([^"]*)"', l).group(1)), v)
         for n, l, v, _ in out if n == fam + "_bucket" and 'le="' in l]
    les, counts = [le for le, _ in b], [v for _, v in b]
    if not b or les != sorted(set(les)) or les[-1] != float("inf"):
        fail("%s: buckets not ascending in le, or no +Inf" % fam)
    if counts != sorted(counts):
        fail("%s: buckets not cumulative" % fam)
    if [v for n, _, v, _ in out if n == fam + "_count"] != [counts[-1]]:
        fail("%s: +Inf bucket is not _count" % fam)
for n, l, _, value in out:
    print("%s%s %s" % (n, l, value))
PY
}

# value PARSED KEY: KEY's value in prom's output (empty when absent).
value() {
	awk -v k="$2" '$1 == k { print $2 }' "$1"
}

# The checker first, on texts it must refuse: it cannot pass by seeing
# nothing.
n=0
for bad in 'x_total 1' \
    '# TYPE x_total counter\nx_total 1' \
    '# HELP x X.\n# TYPE x counter\nx 1' \
    '# HELP x_total X.\n# TYPE x_total counter\nx_total{a=b} 1' \
    '# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n# HELP x_total Y.' \
    '# HELP h X.\n# TYPE h histogram\nh_bucket{le="1"} 2\nh_bucket{le="+Inf"} 1\nh_sum 1\nh_count 1' \
    '# HELP h X.\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 1\nh_count 3' \
    '# HELP g X.\n# TYPE g gauge\ng one'; do
	n=$((n + 1))
	printf "$bad\\n" >"$T/bad.prom"
	prom "$T/bad.prom" >/dev/null 2>&1
	is "$?" 1 "the checker refuses broken text $n"
done
printf '# HELP h X.\n# TYPE h histogram\nh_bucket{le="1"} 1\nh_bucket{le="+Inf"} 2\nh_sum 0.5\nh_count 2\n' >"$T/good.prom"
is "$(prom "$T/good.prom" | tr '\n' ' ')" \
    'h_bucket{le="1"} 1 h_bucket{le="+Inf"} 2 h_sum 0.5 h_count 2 ' \
    "the checker takes a good text and prints its samples"

start_standin
mkdir -p "$T/textfile"
PROM=$T/textfile/routehook.prom
# A long backoff: the deferred event waits for touch.  An SLA of 1 ms:
# every applied or dead event is a breach, and says so in the log.
worker_config "metrics_file = \"$PROM\"; backoff_min_ms = 60000; backoff_max_ms = 120000;" \
    "" 'sla = { threshold_ms = 1; };'
start_responder
start_nginx

# scrape NAME: the responder's metrics through nginx, checked and parsed
# into $T/NAME.
scrape() {
	code=$(curl -s -o "$T/$1.prom" -w '%{http_code}' "$NGINX_URL/routehook/metrics")
	is "$code" 200 "$1: GET /routehook/metrics answers 200"
	prom "$T/$1.prom" >"$T/$1" 2>"$T/$1.err"
	ok $? "$1: the responder's metrics parse" || diag "$(cat "$T/$1.err")"
}

# agent-1 answers 503 once, then 200; agent-2 400.
control POST faults '{"agent-1": [{"status": 503}], "agent-2": [{"status": 400}]}' >/dev/null
# agent-5's newer event first: the older one is superseded however the
# run interleaves them.
t_sent=$(date +%s)
send "$(status_event agent-1 available)" && id1=$SENT_ID &&
send "$(status_event agent-2 available)" &&
send "$(status_event agent-3 offline)" &&
send "$(status_event agent-4 available)" &&
send "$(status_event agent-5 available 2026-01-01T10:05:00Z)" &&
send "$(status_event agent-5 offline 2026-01-01T10:00:00Z)" &&
send '{"eventType":"no.such.event","userId":"agent-6"}'
ok $? "seven signed events accepted"

printf '%s' "$(status_event agent-7 available)" >"$T/unsigned.json"
codes=$(post "$T/unsigned.json" -H "X-Genesys-Signature: $(printf '%064d' 0)")
codes="$codes $(post "$T/unsigned.json" -H "X-Genesys-Signature: $(sign "$T/unsigned.json" "$T/client.secret")")"
head -c 100000 /dev/zero | tr '\0' ' ' >"$T/over.json"
codes="$codes $(post_at "$NGINX_URL/routehook/events" "$T/over.json")"
printf 'not json' >"$T/notjson.json"
codes="$codes $(post "$T/notjson.json")"
is "$codes" "401 401 413 400" "two bad signatures, one body too large, one not JSON: refused"

scrape before
is "$(value "$T/before" routehook_requests_accepted_total)" 7 \
    "responder: 7 accepted"
for r in signature:2 too_large:1 bad_json:1 bad_length:0 method:0 spool:0; do
	is "$(value "$T/before" "routehook_requests_rejected_total{reason=\"${r%:*}\"}")" \
	    "${r#*:}" "responder: ${r#*:} rejected for ${r%:*}"
done
for d in new:7 cur:0 deferred:0 dead:0; do
	is "$(value "$T/before" "routehook_spool_files{dir=\"${d%:*}\"}")" \
	    "${d#*:}" "responder: spool ${d%:*}/ holds ${d#*:}"
done
age=$(value "$T/before" 'routehook_spool_oldest_age_seconds{dir="new"}')
assert "responder: the oldest event in new/ is $age s old" in_range "$age" 0 59

# --- the first --once run ---------------------------------------------

t0=$(date +%s)
run_worker
is "$?" 0 "first --once run exits 0"
assert "the worker wrote metrics_file" test -f "$PROM"
is "$(stat -c %a "$PROM")" 644 "metrics_file is mode 0644"
is "$(ls -A "$T/textfile")" routehook.prom "no temp file is left beside it"
prom "$PROM" >"$T/run1" 2>"$T/run1.err"
ok $? "run 1: the textfile parses" || diag "$(cat "$T/run1.err")"
assert "run 1: the textfile says its counts are since the process started" \
    grep -q '^# .*since it started' "$PROM"

for o in applied:3 deferred:1 dead:2 superseded:1; do
	is "$(value "$T/run1" "routehook_worker_events_total{outcome=\"${o%:*}\"}")" \
	    "${o#*:}" "run 1: ${o#*:} ${o%:*}"
done
is "$(audit_tally)" \
    "applied:3 dead:2 deferred:1 superseded:1" "run 1: the audit file agrees"
is "$(grep '^routehook_worker_api_calls_total' "$T/run1" | sort | tr '\n' ' ')" \
    'routehook_worker_api_calls_total{code="200"} 4 routehook_worker_api_calls_total{code="400"} 1 routehook_worker_api_calls_total{code="503"} 1 ' \
    "run 1: API calls by code: 4 200 (one the presence definitions), 1 400, 1 503, and no other code"
is "$(journal '[.[] | select(.path | startswith("/api/")) | .status] | sort | map(tostring) | join(" ")')" \
    "200 200 200 200 400 503" "run 1: the stand-in saw the same calls"
is "$(value "$T/run1" routehook_worker_token_fetches_total)" 1 \
    "run 1: one token fetched"
is "$(value "$T/run1" routehook_worker_latency_seconds_count)" 5 \
    "run 1: latency _count is applied + dead (5)"
is "$(value "$T/run1" 'routehook_worker_latency_seconds_bucket{le="+Inf"}')" 5 \
    "run 1: latency +Inf bucket is 5"
sum=$(value "$T/run1" routehook_worker_latency_seconds_sum)
# Five latencies, none longer than the time since the first was sent.
most=$(( 5 * ($(date +%s) - t_sent + 1) ))
assert "run 1: latency _sum is $sum s, more than 0, at most $most" \
    awk -v s="$sum" -v m="$most" 'BEGIN { exit !(s > 0 && s <= m) }'
is "$(value "$T/run1" 'routehook_worker_latency_seconds_bucket{le="60"}')" 5 \
    "run 1: every latency is within 60 s"
is "$(value "$T/run1" routehook_worker_sla_breaches_total)" 5 \
    "run 1: 5 SLA breaches (threshold 1 ms)"
is "$(grep -c 'SLA breach' "$T/worker.log")" 5 "run 1: ... as the log says"
start1=$(value "$T/run1" routehook_worker_start_time_seconds)
upd1=$(value "$T/run1" routehook_worker_last_update_seconds)
# this_run: start_time from t0 on, last_update from start_time until now.
this_run() {
	in_range "$start1" "$t0" "$upd1" && in_range "$upd1" "$start1" "$(date +%s)"
}
assert "run 1: start_time ($start1) and last_update ($upd1) are this run's" \
    this_run

scrape between
for d in new:0 cur:0 deferred:1 dead:2; do
	is "$(value "$T/between" "routehook_spool_files{dir=\"${d%:*}\"}")" \
	    "${d#*:}" "responder after run 1: spool ${d%:*}/ holds ${d#*:}"
done
age=$(value "$T/between" 'routehook_spool_oldest_age_seconds{dir="new"}')
assert "responder after run 1: no age for an empty new/" \
    test "${age:-0}" -eq 0

# --- the second: the deferred event, made due -------------------------

touch "$T/spool/deferred/$id1"
run_worker
is "$?" 0 "second --once run exits 0"
prom "$PROM" >"$T/run2" 2>"$T/run2.err"
ok $? "run 2: the textfile parses" || diag "$(cat "$T/run2.err")"
for o in applied:1 deferred:0 dead:0 superseded:0; do
	is "$(value "$T/run2" "routehook_worker_events_total{outcome=\"${o%:*}\"}")" \
	    "${o#*:}" "run 2 alone: ${o#*:} ${o%:*}"
done
is "$(grep '^routehook_worker_api_calls_total' "$T/run2" | tr '\n' ' ')" \
    'routehook_worker_api_calls_total{code="200"} 1 ' \
    "run 2 alone: its call, answered 200 (the presence definitions cached)"
is "$(value "$T/run2" routehook_worker_token_fetches_total)" 0 \
    "run 2: the cached token, none fetched"
is "$(value "$T/run2" routehook_worker_latency_seconds_count)" 1 \
    "run 2: latency _count 1"
is "$(value "$T/run2" routehook_worker_sla_breaches_total)" 1 \
    "run 2: 1 SLA breach"
assert "run 2: a start time no earlier than run 1's" \
    test "$(value "$T/run2" routehook_worker_start_time_seconds)" -ge "$start1"
is "$(routing_status agent-1)" IDLE \
    "agent-1 applied after its 503"

scrape after
is "$(value "$T/after" routehook_requests_accepted_total)" 7 \
    "responder: still 7 accepted (scrapes are not events)"
for d in new:0 cur:0 deferred:0 dead:2; do
	is "$(value "$T/after" "routehook_spool_files{dir=\"${d%:*}\"}")" \
	    "${d#*:}" "responder after run 2: spool ${d%:*}/ holds ${d#*:}"
done

# --- a daemon: the file at start, and at exit -------------------------

rm -f "$PROM"
start_worker
assert "the daemon writes metrics_file when it starts" \
    wait_for 10 test -s "$PROM"
prom "$PROM" >"$T/d0" 2>/dev/null
is "$(value "$T/d0" 'routehook_worker_events_total{outcome="applied"}')" 0 \
    "daemon at start: nothing applied yet"
send "$(status_event agent-8 available)"
wait_for 10 grep -q '"agent-8"' "$T/audit.jsonl"
stop_pid "$WORKER_PID"
prom "$PROM" >"$T/d1" 2>"$T/d1.err"
ok $? "daemon at exit: the textfile parses" || diag "$(cat "$T/d1.err")"
is "$(value "$T/d1" 'routehook_worker_events_total{outcome="applied"}') $(value "$T/d1" 'routehook_worker_api_calls_total{code="200"}')" \
    "1 1" "daemon at exit: the event it applied and its call (the definitions cached)"
is "$(ls -A "$T/textfile")" routehook.prom "no temp file is left beside it"

done_testing
