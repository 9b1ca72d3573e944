#!/bin/sh
# cluster.t: two routehook hosts behave as one (issue 13).  A real
# three-member etcd cluster, two hosts (each its own spool, responder and
# worker daemon) behind one nginx upstream that alternates between them,
# events for the same six agents with increasing timestamps, and an API
# that fails often (503, 429, dropped connections).  Mid-run one etcd
# member and one worker are killed -9 (the worker is started again), then
# a second member: without quorum the responders still accept, the
# workers apply nothing and say so; with quorum back everything drains.
# Then: every accepted event settled exactly once, no agent's events
# applied out of order, every agent in the state of its newest event.
# Last, with a budget of 6 calls a minute, both hosts together make 6.
. "$(dirname "$0")/../lib.sh"

NAGENTS=6

start_etcd_cluster 3
start_standin
# The API fails often: two calls in five, in a fixed pseudo-random order.
python3 - >"$T/faults.json" <<'PY'
import json, random
r = random.Random(13)
out = []
for _ in range(600):
    x = r.random()
    if x < 0.25:
        out.append({"status": 503})
    elif x < 0.33:
        out.append({"status": 429, "retry_after": 1})
    elif x < 0.40:
        out.append({"drop": True})
    else:
        out.append({"delay_ms": r.choice([0, 0, 20])})
print(json.dumps({"*": out}))
PY
control POST faults "$(cat "$T/faults.json")" >/dev/null

# host_config H RPM [PREFIX]: host H's configuration (spool, audit and
# metrics of its own; genesys, etcd and secrets shared).
host_config() {
	worker_config "concurrency = 4; max_attempts = 200; max_age_s = 3600;
	    metrics_file = \"$T/$1/metrics.prom\";" \
	    "timeout_ms = 2000; requests_per_minute = $2;" \
	    "$(cluster_config 3 "${3:-/rh-$$/}")"
	mkdir -p "$T/$1"
	sed -e "s|\"$T/spool\"|\"$T/$1/spool\"|" \
	    -e "s|\"$T/audit.jsonl\"|\"$T/$1/audit.jsonl\"|" \
	    "$T/routehook.conf" >"$T/$1/routehook.conf"
}

start_host_responder() {
	rm -f "$T/$1/fcgi.sock"
	spawn-fcgi -n -s "$T/$1/fcgi.sock" -M 0666 -- \
	    $RH_WRAP "$FCGI" -c "$T/$1/routehook.conf" 2>>"$T/$1/fcgi.log" &
	track $!
	wait_for 10 sh -c "[ -S '$T/$1/fcgi.sock' ] && [ -d '$T/$1/spool/new' ]" ||
	    bail "responder $1 did not start: $(cat "$T/$1/fcgi.log")"
}

# start_host_worker H: H's worker daemon ($WPID_H); returns once started.
start_host_worker() {
	_n=$(grep -c 'started (daemon)' "$T/$1/worker.log" 2>/dev/null)
	$RH_WRAP "$WORKER" -c "$T/$1/routehook.conf" 2>>"$T/$1/worker.log" &
	eval "WPID_$1=$!"
	track $!
	wait_for 10 sh -c "[ \$(grep -c 'started (daemon)' '$T/$1/worker.log') \
	    -gt ${_n:-0} ]" || bail "worker $1 did not start: $(cat "$T/$1/worker.log")"
}

# send_batch FROM TO [WHO [AGENTS]]: events FROM..TO-1, event k for agent
# WHO-(k % AGENTS) (agent, NAGENTS) at
# 10:00:00 + k s, its status IDLE and OFF_QUEUE in turn (the two a client
# may set: the stand-in refuses the system's own with 400, as Genesys); one
# by one through nginx, the id of each accepted one in $T/ids.
send_batch() {
	python3 - "$1" "$2" "${4:-$NAGENTS}" "$(head -n 1 "$T/webhook.secret")" \
	    "$NGINX_URL/routehook/events" "${3:-agent}" >>"$T/ids" <<'PY'
import hashlib, hmac, json, sys, urllib.request
lo, hi, n, key, url, who = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4].encode(), sys.argv[5], sys.argv[6]
st = ["IDLE", "OFF_QUEUE"]
for k in range(lo, hi):
    user = "%s-%d" % (who, k % n)
    body = json.dumps({"eventType": "routing.user.status.update",
        "userId": user, "status": st[(k // n) % 2],
        "timestamp": "2026-01-01T%02d:%02d:%02dZ" % (10 + k // 3600, k // 60 % 60, k % 60)}).encode()
    sig = hmac.new(key, body, hashlib.sha256).hexdigest()
    req = urllib.request.Request(url, data=body, headers={
        "Content-Type": "application/json", "X-Genesys-Signature": sig})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            print("%s %d %s %d" % (json.load(r)["id"], k, user, r.status))
    except Exception as e:
        print("- %d %s %s" % (k, user, e))
PY
	[ "$(awk -v lo="$1" -v hi="$2" '$2 >= lo && $2 < hi && $4 == 202' "$T/ids" | wc -l)" -eq $(($2 - $1)) ]
}

# settled: every accepted event has its one final outcome in an audit
# file, and no spool holds one any more.
settled() {
	_want=$(wc -l <"$T/ids")
	_got=$(cat "$T"/a/audit.jsonl "$T"/b/audit.jsonl 2>/dev/null |
	    jq -r 'select(.outcome != "deferred") | .event_id' | sort -u | wc -l)
	[ "$_got" -ge "$_want" ] &&
	    [ "$(find "$T"/a/spool/new "$T"/a/spool/cur "$T"/a/spool/deferred \
	    "$T"/b/spool/new "$T"/b/spool/cur "$T"/b/spool/deferred -type f |
	    wc -l)" -eq 0 ]
}

host_config a 600
host_config b 600
: >"$T/ids"
for h in a b; do
	start_host_responder $h
	start_host_worker $h
done
NGINX_FCGI_PASS=routehook_hosts \
NGINX_HTTP_EXTRA="upstream routehook_hosts { server unix:$T/a/fcgi.sock; server unix:$T/b/fcgi.sock; }" \
    start_nginx

# cluster_ctl ARGS...: routehookctl on host a, its stdout in $T/ctl.out.
cluster_ctl() {
	"$CTL" -c "$T/a/routehook.conf" "$@" >"$T/ctl.out" 2>"$T/ctl.err"
}
hosts_alive() { cluster_ctl cluster && grep -q "^hosts alive $1\$" "$T/ctl.out"; }

wait_for 10 hosts_alive 2
ok $? "routehookctl cluster: both hosts alive" || diag "$(cat "$T/ctl.out" "$T/ctl.err")"

send_batch 0 30
ok $? "30 events accepted through one nginx in front of two hosts"

# Mid-run: one etcd member and worker a die.
kill_etcd 1
kill -9 "$WPID_a"
wait "$WPID_a" 2>/dev/null
send_batch 30 60
ok $? "30 more accepted with etcd member 1 and worker a killed -9"
wait_for 10 hosts_alive 1
ok $? "a worker killed -9 leaves the cluster when its lease expires"
start_host_worker a

# Quorum lost: the responders accept, the workers apply nothing.
kill_etcd 2
for h in a b; do
	wait_for 15 grep -q 'applying nothing until etcd answers' "$T/$h/worker.log"
	ok $? "etcd without quorum: worker $h says it applies nothing"
done
send_batch 60 72
ok $? "without quorum the responders still accept"
applied_of() {	# applied_of FROM TO: audit lines of events FROM..TO-1
	awk -v lo="$1" -v hi="$2" '$2 >= lo && $2 < hi {print $1}' "$T/ids" \
	    >"$T/ids.part"
	cat "$T"/a/audit.jsonl "$T"/b/audit.jsonl 2>/dev/null |
	    jq -r '.event_id' | grep -cFf "$T/ids.part"
}
is "$(applied_of 60 72)" 0 "... and nothing of theirs is applied meanwhile"
cluster_ctl cluster
is "$?" 111 "routehookctl cluster exits 111 without quorum"
cluster_ctl status
grep -q '^cluster etcd does not answer: no worker applies anything' "$T/ctl.out"
ok $? "routehookctl status says no worker applies anything" ||
    diag "$(cat "$T/ctl.out")"
for h in a b; do
	wait_for 10 grep -q '^routehook_worker_cluster_up 0' "$T/$h/metrics.prom"
	ok $? "worker $h's metrics say etcd is not answering"
done

start_etcd_member 2 ""
for h in a b; do
	wait_for 20 grep -q 'etcd answers again' "$T/$h/worker.log"
	ok $? "quorum back: worker $h resumes"
done
wait_for 45 settled
ok $? "every accepted event settled (applied, superseded or dead)" ||
    diag "$(find "$T"/a/spool "$T"/b/spool -type f | grep -v state | head)"
cluster_ctl cluster --json
is "$(jq -c '[(.hosts | length), (.locks | length)]' "$T/ctl.out")" "[2,0]" \
    "routehookctl cluster --json: two hosts, no user lock left held"

# Host b's worker dies for good; host a adopts what b's spool holds.
kill -9 "$WPID_b"
wait "$WPID_b" 2>/dev/null
send_batch 72 84
ok $? "12 more accepted with worker b dead"
cluster_ctl adopt --host "$(hostname):$T/a/spool" "$T/b/spool"
is "$?" 111 "adopt refuses while etcd lists the host as alive"
wait_for 10 hosts_alive 1
cluster_ctl adopt --host "$(hostname):$T/b/spool" "$T/b/spool"
ok $? "once b's lease has expired, a adopts b's spool" ||
    diag "$(cat "$T/ctl.out" "$T/ctl.err")"
grep -q '^adopted [1-9][0-9]* events* into .*, 0 left$' "$T/ctl.out"
ok $? "... saying so: $(cat "$T/ctl.out")"
wait_for 30 settled
ok $? "and a's worker settles them"

# The verdicts, from both hosts' audit files and the stand-in's state.
control GET state >"$T/state.json"
python3 - "$T/ids" "$T/a/audit.jsonl" "$T/b/audit.jsonl" "$T/state.json" \
    >"$T/verdict" <<'PY'
import json, sys
ids = {}
newest = {}
st = ["IDLE", "OFF_QUEUE"]
for line in open(sys.argv[1]):
    i, k, user, code = line.split()
    if code != "202":
        continue
    ids[i] = (int(k), user)
    if int(k) > newest.get(user, -1):
        newest[user] = int(k)
final, applied, hosts, dead = {}, {}, {}, 0
for h, path in (("a", sys.argv[2]), ("b", sys.argv[3])):
    for line in open(path):
        a = json.loads(line)
        if a["outcome"] == "deferred":
            continue
        final[a["event_id"]] = final.get(a["event_id"], 0) + 1
        dead += a["outcome"] == "dead"
        hosts[h] = hosts.get(h, 0) + 1
        # A stamp found applied by a run that died: no call now.
        if a["outcome"] == "applied" and a.get("http_status"):
            k, user = ids[a["event_id"]]
            applied.setdefault(user, []).append((a["timestamp"], k))
state = json.load(open(sys.argv[4]))["routingstatus"]
nagents = len(newest)
print("settled_once %d" % sum(1 for i in ids if final.get(i) == 1))
print("settled_twice %d" % sum(1 for i in ids if final.get(i, 0) > 1))
print("accepted %d" % len(ids))
bad = 0
for user, seq in applied.items():
    ks = [k for _, k in sorted(seq)]
    if ks != sorted(ks) or len(set(ks)) != len(ks):
        bad += 1
        print("# out of order for %s: %s" % (user, ks))
print("out_of_order %d" % bad)
print("newest_state %d of %d" % (sum(1 for u, k in newest.items()
    if state.get(u) == st[(k // 6) % 2]), nagents))
print("hosts %d" % sum(1 for h in hosts if hosts[h] > 0))
print("dead %d" % dead)
PY
grep '^#' "$T/verdict"
_acc=$(sed -n 's/^accepted //p' "$T/verdict")
is "$(sed -n 's/^settled_once //p' "$T/verdict")" "$_acc" \
    "each of the $_acc accepted events has exactly one final outcome"
is "$(sed -n 's/^settled_twice //p' "$T/verdict")" 0 "none settled twice"
is "$(sed -n 's/^out_of_order //p' "$T/verdict")" 0 \
    "no agent's events applied out of order, across both hosts"
is "$(sed -n 's/^newest_state //p' "$T/verdict")" "$NAGENTS of $NAGENTS" \
    "every agent ends in the state of its newest event"
is "$(sed -n 's/^hosts //p' "$T/verdict")" 2 "both hosts settled events"
is "$(sed -n 's/^dead //p' "$T/verdict")" 0 "none died: the failures were retried"

# --- the shared budget: 6 calls a minute, two hosts, 16 agents -----------
stop_pid "$WPID_a"
stop_pid "$WPID_b"
control POST reset >/dev/null
# A prefix of their own: a budget nobody has spent yet.
host_config a 6 "/rh-$$-budget/"
host_config b 6 "/rh-$$-budget/"
start_host_worker a
start_host_worker b
: >"$T/ids"
send_batch 0 16 budget 16
ok $? "16 events for 16 new agents accepted by the two hosts"
budget_calls() {
	journal '[.[] | select((.user // "") | startswith("budget-"))] | length'
}
wait_for 15 sh -c "[ \"\$(jq -s '[.[] | select((.user // \"\") | startswith(\"budget-\"))] | length' '$T/standin.jsonl')\" -ge 6 ]"
ok $? "calls start"
# A bounded wait for what must not happen: a seventh call.
sleep 2
is "$(budget_calls)" 6 "both hosts together make 6 calls, the budget, not 6 each"
"$CTL" -c "$T/a/routehook.conf" cluster --json >"$T/ctl.out"
is "$(jq -c '.budget' "$T/ctl.out")" '{"used":6,"limit":6}' \
    "routehookctl cluster shows the budget spent"
_wait_a=$(find "$T/a/spool/new" "$T/a/spool/cur" -type f | wc -l)
_wait_b=$(find "$T/b/spool/new" "$T/b/spool/cur" -type f | wc -l)
ok "$([ "$_wait_a" -gt 0 ] && [ "$_wait_b" -gt 0 ]; echo $?)" \
    "... while both hosts hold events waiting for it ($_wait_a, $_wait_b)"

stop_etcd_cluster
done_testing
