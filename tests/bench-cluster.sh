#!/bin/sh
# bench-cluster.sh: make bench's figures for several hosts (issue 13, §5).
# Not a test: nothing passes or fails on a figure.
#
# Against tests/genesys-standin.py answering every call in 50 ms (a slow
# API) with the budget raised so it never binds (requests_per_minute
# 100000), a backlog of EVENTS events for as many users, drained by
# `routehook-worker --once` at concurrency 16:
#   1 host, alone       no cluster section: state in SPOOL/state
#   1 host, etcd        the same host with a cluster section
#   2 hosts, etcd       half the backlog in each of two spools, both
#                       workers at once, sharing locks, stamps and budget
# and what etcd adds to each event, measured alone by tests/bench/etcdlat.c
# (lock, stamp read, budget count, stamp write and release), p50 and p99,
# against the same three-member etcd cluster on loopback.
#
# Environment: RH_BENCH_EVENTS (default 1000), RH_BENCH_DIR (default
# /var/tmp), RH_KEEP=1 keeps the scratch directory.

. "$(dirname "$0")/bench-lib.sh"

EVENTS=${RH_BENCH_EVENTS:-1000}
LAT_MS=50

# spool_direct DIR FROM TO: events FROM..TO-1 (user u-k) straight into
# DIR/new/ under spool ids, as the responder would leave them.
spool_direct() {
	python3 - "$@" <<'PY'
import json, os, sys, time
d, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
now = time.time()
for k in range(lo, hi):
    sec, usec = int(now), k % 1000000
    name = "%d.M%06dP%dQ%d.bench" % (sec, usec, os.getpid(), k)
    body = json.dumps({"eventType": "routing.user.status.update",
        "userId": "u-%d" % k, "status": "available",
        "timestamp": "2026-01-01T10:00:00Z"})
    with open(os.path.join(d, "tmp", name), "w") as f:
        f.write(body)
    os.rename(os.path.join(d, "tmp", name), os.path.join(d, "new", name))
PY
}

# host H [CLUSTER-LINES]: $T/H/routehook.conf, and its spool made.
host() {
	worker_config "concurrency = 16;" \
	    "timeout_ms = 5000; requests_per_minute = 100000;" "${2:-}"
	mkdir -p "$T/$1/spool"
	sed -e "s|\"$T/spool\"|\"$T/$1/spool\"|" \
	    -e "s|\"$T/audit.jsonl\"|\"$T/$1/audit.jsonl\"|" \
	    "$T/routehook.conf" >"$T/$1/routehook.conf"
	for d in tmp new cur deferred dead state; do
		mkdir -p "$T/$1/spool/$d"
	done
}

# drain HOST...: one --once worker per host, all at once; prints the
# seconds until the last is done.
drain() {
	_t0=$(now)
	_pids=
	for h in "$@"; do
		"$WORKER" -c "$T/$h/routehook.conf" --once 2>>"$T/$h/worker.log" &
		_pids="$_pids $!"
	done
	for p in $_pids; do
		wait "$p"
	done
	awk -v a="$_t0" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'
}

applied() { cat "$@" | jq -r 'select(.outcome == "applied") | .event_id' | wc -l; }

say "bench-cluster: three etcd members, a stand-in answering in $LAT_MS ms"
start_etcd_cluster 3
start_standin --latency-ms "$LAT_MS" --rate-limit 100000000

say "bench-cluster: 1 host, alone: $EVENTS events"
host one
spool_direct "$T/one/spool" 0 "$EVENTS"
s1=$(drain one)
a1=$(applied "$T/one/audit.jsonl")

say "bench-cluster: 1 host, etcd: $EVENTS events"
host solo "$(cluster_config 10 /bench-solo/)"
spool_direct "$T/solo/spool" 0 "$EVENTS"
s2=$(drain solo)
a2=$(applied "$T/solo/audit.jsonl")

say "bench-cluster: 2 hosts, etcd: $EVENTS events, half in each spool"
host a "$(cluster_config 10 /bench-pair/)"
host b "$(cluster_config 10 /bench-pair/)"
spool_direct "$T/a/spool" 0 $((EVENTS / 2))
spool_direct "$T/b/spool" $((EVENTS / 2)) "$EVENTS"
s3=$(drain a b)
a3=$(applied "$T/a/audit.jsonl" "$T/b/audit.jsonl")

say "bench-cluster: what etcd adds to one event, alone"
# shellcheck disable=SC2086
"$RH_BUILD/tests/bench/etcdlat" -n 500 $ETCD_ENDPOINTS >"$T/etcdlat" ||
    say "etcdlat failed"

eps() { awk -v n="$1" -v s="$2" 'BEGIN { if (s > 0) printf "%.0f", n / s; else print "-" }'; }
echo
echo "Several hosts through etcd (3 members on loopback), stand-in at $LAT_MS ms,"
echo "concurrency 16 per worker, budget raised; load $(cut -d' ' -f1-3 /proc/loadavg)"
printf '  %-18s %8s %8s %9s\n' "" "applied" "secs" "events/s"
printf '  %-18s %8s %8s %9s\n' "1 host, alone" "$a1" "$s1" "$(eps "$a1" "$s1")"
printf '  %-18s %8s %8s %9s\n' "1 host, etcd" "$a2" "$s2" "$(eps "$a2" "$s2")"
printf '  %-18s %8s %8s %9s\n' "2 hosts, etcd" "$a3" "$s3" "$(eps "$a3" "$s3")"
echo
echo "What etcd adds to each event (tests/bench/etcdlat.c, 500 events):"
printf '  %-12s %8s %8s\n' "" "p50 ms" "p99 ms"
sed -n 's/^step=\([a-z_]*\) n=[0-9]* p50_ms=\([0-9.]*\) p99_ms=\([0-9.]*\)$/\1 \2 \3/p' \
    "$T/etcdlat" | while read -r step p50 p99; do
	printf '  %-12s %8s %8s\n' "$step" "$p50" "$p99"
done
