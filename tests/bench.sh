#!/bin/sh
# bench.sh: make bench -- throughput figures for the responder (issue 2,
# section 6) and the worker (issue 3, section 11).  Not a test: nothing
# here passes or fails on a figure.  Every figure is printed beside a
# baseline measured in the same run, on the same machine, so that the
# ratios mean something even on a busy or slow box.
#
# The responder, through a real nginx (tests/lib.sh's start_nginx), with
# wrk posting one valid signed event over and over:
#   ceiling     tests/bench/ceiling.c behind the same nginx: a libfcgi
#               program that reads the body and answers 200, nothing else
#   fsync off   routehook-fcgi -n 2, receiver.fsync = false, beside the
#               disk loop below without fsync (what creating and renaming
#               the files costs on this filesystem)
#   fsync on    routehook-fcgi -n N for N in the sweep, fsync = true,
#               each beside tests/bench/diskloop.c at N threads: lib/spool.c's
#               own spool_commit() in a loop, no HTTP (the disk's limit)
# The worker, against tests/genesys-standin.py answering in 20 ms:
#   drain       a backlog spooled through nginx + responder (routehookctl
#               simulate, one user per event), drained by one
#               `routehook-worker --once` at worker.concurrency 1 and 16,
#               beside concurrency / latency and beside the stand-in's own
#               ceiling (wrk, same concurrency, same PUT, same token)
#   burst       10,000 events for 200 users under 300 calls per minute:
#               API calls and 429s from the stand-in's journal, and time
#
# Environment:
#   RH_BENCH_SECONDS   length of each wrk / disk-loop run (default 5)
#   RH_BENCH_SWEEP     handler counts to sweep (default "1 2 4 8 16 32")
#   RH_BENCH_ROUNDS    rounds of the responder runs, the best of which is
#                      shown (default 2: a shared machine disturbs some)
#   RH_BENCH_DIR       where the scratch directory goes (default /var/tmp:
#                      the spool must be on a real disk, as a real one is;
#                      never tmpfs)
#   RH_KEEP=1          keep the scratch directory (logs, wrk output)
#
# The responder's runs are done RH_BENCH_ROUNDS times, in turn, and the
# best round of each is shown with every round's figure beside it: on a
# machine shared with other work a run can only be slowed down.
#
# Takes about 4 1/2 minutes on 2 cores.

. "$(dirname "$0")/bench-lib.sh"
BENCH=$RH_BUILD/tests/bench

DUR=${RH_BENCH_SECONDS:-5}
SWEEP=${RH_BENCH_SWEEP:-"1 2 4 8 16 32"}
ROUNDS=${RH_BENCH_ROUNDS:-2}
LAT_MS=20			# the stand-in's answer time for the drain
DRAIN1_N=250			# events drained at concurrency 1 (~5 s at 50/s)
DRAIN16_N=4000			# ... at concurrency 16 (~5 s at 800/s)
BURST_N=10000
BURST_USERS=200
BURST_RPM=300

# Results go to $T/results as "KEY VALUE" lines, read back by r KEY.
r() { awk -v k="$1" '$1 == k { v = $2 } END { print (v == "" ? "-" : v) }' \
    "$T/results"; }
put() { echo "$1 $2" >>"$T/results"; }
: >"$T/results"

# ratio A B [DIGITS]: A / B, or "-".
ratio() {
	awk -v a="$1" -v b="$2" -v d="${3:-2}" 'BEGIN {
		if (a == "-" || b == "-" || a == "" || b == "" || b + 0 == 0)
			print "-"
		else
			printf "%.*f\n", d, a / b
	}'
}
# met VALUE OP TARGET: "yes", "NO" or "-".
met() {
	awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN {
		if (v == "-" || v == "") { print "-"; exit }
		ok = (op == ">=") ? (v + 0 >= t + 0) : (v + 0 <= t + 0)
		print ok ? "yes" : "NO"
	}'
}

# --- preflight ---------------------------------------------------------------

for p in "$FCGI" "$WORKER" "$CTL" "$BENCH/ceiling" "$BENCH/diskloop"; do
	[ -x "$p" ] || { say "bench: $p is not built (make bench-progs all)"; exit 1; }
done
for c in wrk nginx spawn-fcgi python3 curl jq openssl; do
	command -v "$c" >/dev/null 2>&1 ||
	    { say "bench: $c is missing (make deps)"; exit 1; }
done
# The spool's filesystem, and whether it keeps a journal (jbd2 lists the
# devices it journals): with one, concurrent fsyncs share its commits.
FSTYPE=$(findmnt -n -o FSTYPE -T "$T" 2>/dev/null || stat -f -c %T "$T")
FSSRC=$(findmnt -n -o SOURCE -T "$T" 2>/dev/null)
FSDEV="${FSSRC:-?} on $(df -P "$T" | awk 'NR == 2 { print $6 }')"
case $FSTYPE in
ext3|ext4)
	FSDEV="$FSDEV, no journal"
	for j in /proc/fs/jbd2/"${FSSRC##*/}"-*; do
		[ -e "$j" ] && FSDEV="${FSDEV%, no journal}, journal"
	done ;;
esac
say "bench: scratch $T ($FSTYPE, $FSDEV); runs of ${DUR}s"
[ "$FSTYPE" = tmpfs ] &&
    say "bench: WARNING: $T is tmpfs; fsync costs nothing there, set RH_BENCH_DIR"
LOAD0=$(cut -d' ' -f1-3 /proc/loadavg)
say "bench: load average before: $LOAD0 ($(nproc) cores)"

# --- the responder (issue 2, section 6) -----------------------------------------

# fcgi_conf KEY FSYNC: $T/KEY.conf, the responder's config with its own
# spool, $T/spool-KEY.  Every run gets a fresh spool and nothing is
# deleted between runs: on ext4 without a journal (as here), creating a
# file right after thousands were deleted costs a scan past every
# "recently deleted" inode, which would charge one run for the last.
fcgi_conf() {
	write_config "fsync = $2;"
	sed "s|^spool_dir = .*|spool_dir = \"$T/spool-$1\";|" "$T/routehook.conf" \
	    >"$T/$1.conf"
}

# One valid signed event; the signature need not vary.
write_config		# makes $T/webhook.secret, which sign reads
printf '{"eventType":"routing.user.status.update","userId":"00000000-0000-4000-8000-000000000001","status":"available","timestamp":"2025-01-01T00:00:00.000Z"}' \
    >"$T/event.json"
cat >"$T/post.lua" <<LUA
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-Genesys-Signature"] = "$(sign "$T/event.json")"
local f = assert(io.open("$T/event.json", "rb"))
wrk.body = f:read("*a")
f:close()
LUA

# fcgi_start NAME PROGRAM [ARGS...]: PROGRAM under spawn-fcgi on
# $T/fcgi.sock (where nginx points), $FPID its pid (spawn-fcgi -n execs
# it, so the pid is the program's own), ready once it answers.
fcgi_start() {
	_name=$1
	shift
	rm -f "$T/fcgi.sock"
	spawn-fcgi -n -s "$T/fcgi.sock" -M 0666 -- "$@" 2>>"$T/$_name.log" &
	FPID=$!
	track $FPID
	wait_for 10 responder_up "$FPID" && kill -0 "$FPID" 2>/dev/null ||
	    bail "$_name did not start: $(cat "$T/$_name.log")"
}

FPID=
fcgi_stop() { [ -n "$FPID" ] && stop_pid "$FPID"; FPID=; }

# settle: write back what earlier runs left dirty, so that no run pays
# for the one before it.
settle() { sync; }

# cpu_mark / cpu_since KEY: the whole machine's CPU over a run, from
# /proc/stat: KEY.busy (user + system + irq, % of all cores) and
# KEY.iowait (%).
cpu_mark() { head -n 1 /proc/stat >"$T/cpu.mark"; }
cpu_since() {
	head -n 1 /proc/stat | cat "$T/cpu.mark" - | awk -v k="$1" '
	{ for (i = 2; i <= 11; i++) v[NR, i] = $i }
	END {
		for (i = 2; i <= 11; i++) d[i] = v[2, i] - v[1, i]
		tot = 0; for (i = 2; i <= 9; i++) tot += d[i]
		if (tot <= 0) exit
		busy = d[2] + d[3] + d[4] + d[7] + d[8] + d[9]
		printf "%s.busy %.0f\n%s.iowait %.0f\n", k, 100 * busy / tot, k, 100 * d[6] / tot
	}' >>"$T/results"
}

# proc_cpu KEY PID COUNT: CPU time PID has used since it started (user +
# system), per COUNT requests, in microseconds: KEY.cpu_us.
proc_cpu() {
	awk -v k="$1" -v n="$3" -v hz="$(getconf CLK_TCK)" '{
		# fields after the ")" that ends the command name
		sub(/^.*\) /, "")
		if (n > 0) printf "%s.cpu_us %.0f\n", k, ($12 + $13) / hz * 1e6 / n
	}' "/proc/$2/stat" >>"$T/results"
}

# wrk_run KEY CONNECTIONS: wrk against nginx for $DUR s; records
# KEY.rps, KEY.p50, KEY.p99 (ms), KEY.non2xx, KEY.errors.
wrk_run() {
	settle
	cpu_mark
	wrk -t 2 -c "$2" -d "${DUR}s" --latency -s "$T/post.lua" \
	    "$NGINX_URL/routehook/events" >"$T/wrk-$1.txt" 2>&1
	cpu_since "$1"
	wrk_parse "$1" "$T/wrk-$1.txt"
	awk '/ requests in / { print $1 }' "$T/wrk-$1.txt" >"$T/count"
}

# wrk_parse KEY FILE: wrk --latency output to KEY.* results.
wrk_parse() {
	awk -v k="$1" '
	function ms(s) {
		if (s ~ /us$/) return substr(s, 1, length(s) - 2) / 1000
		if (s ~ /ms$/) return substr(s, 1, length(s) - 2) + 0
		if (s ~ /m$/) return substr(s, 1, length(s) - 1) * 60000
		if (s ~ /s$/) return substr(s, 1, length(s) - 1) * 1000
		return s + 0
	}
	/^Requests\/sec:/ { printf "%s.rps %.0f\n", k, $2 }
	$1 == "50%" { printf "%s.p50 %.2f\n", k, ms($2) }
	$1 == "99%" { printf "%s.p99 %.2f\n", k, ms($2) }
	/Non-2xx or 3xx responses:/ { non = $NF }
	/Socket errors:/ { gsub(",", ""); err = $4 + $6 + $8 + $10 }
	END { printf "%s.non2xx %d\n%s.errors %d\n", k, non, k, err }
	' "$2" >>"$T/results"
}

# rss KEY PID: VmRSS and VmHWM of PID in KiB.
# rss KEY PID: VmRSS and VmHWM of PID, and its Pss and private pages
# (smaps_rollup: what it costs beside the shared libraries other
# processes map too), in KiB; and its CPU per request of the last run.
rss() {
	awk -v k="$1" '/^VmRSS:/ { print k ".rss", $2 } /^VmHWM:/ { print k ".hwm", $2 }' \
	    "/proc/$2/status" >>"$T/results"
	awk -v k="$1" '/^Pss:/ { print k ".pss", $2 }
	    /^Private_(Clean|Dirty):/ { u += $2 } END { print k ".uss", u }' \
	    "/proc/$2/smaps_rollup" >>"$T/results" 2>/dev/null
	proc_cpu "$1" "$2" "$(cat "$T/count")"
}

# diskloop_run KEY THREADS [-F]: spool_commit() in a loop, fsync on
# (off with -F).
diskloop_run() {
	settle
	cpu_mark
	"$BENCH/diskloop" -d "$T/spool-$1" -b "$T/event.json" -n "$2" -t "$DUR" \
	    ${3:+"$3"} >"$T/diskloop-$1.txt" 2>&1
	cpu_since "$1"
	tr ' ' '\n' <"$T/diskloop-$1.txt" | awk -F= -v k="$1" '
	$1 == "rate" { printf "%s.rps %.0f\n", k, $2 }
	$1 == "p50_ms" { printf "%s.p50 %.2f\n", k, $2 }
	$1 == "p99_ms" { printf "%s.p99 %.2f\n", k, $2 }' >>"$T/results"
}

conns() { [ "$1" -ge 8 ] && echo $(($1 * 2)) || echo 16; }

# pick KEY: of the rounds KEY@1, KEY@2, ... the one with the most req/s
# becomes KEY.* (a run disturbed by something else on the machine is
# slower, never faster); KEY.all lists every round's req/s.
pick() {
	awk -v k="$1" '
	{
		base = $1; sub(/\..*/, "", base)
		field = substr($1, length(base) + 2)
		if (index(base, k "@") != 1) next
		rnd = substr(base, length(k) + 2)
		if (rnd !~ /^[0-9]+$/) next
		val[rnd, field] = $2
		fields[field] = 1
		if (field == "rps") { rps[rnd] = $2; order[++n] = rnd }
	}
	END {
		best = ""
		for (i = 1; i <= n; i++) {
			r = order[i]
			if (best == "" || rps[r] + 0 > rps[best] + 0) best = r
			all = all (i > 1 ? "/" : "") rps[r]
		}
		if (best == "") exit
		for (f in fields)
			if ((best, f) in val) print k "." f, val[best, f]
		print k ".all", all
	}' "$T/results" >"$T/picked"
	cat "$T/picked" >>"$T/results"
}

start_nginx
# One second to warm nginx and the page cache; not counted.
fcgi_start ceiling "$BENCH/ceiling" -n 2
wrk -t 2 -c 16 -d 1s -s "$T/post.lua" "$NGINX_URL/routehook/events" \
    >/dev/null 2>&1
fcgi_stop

round=0
while [ "$round" -lt "$ROUNDS" ]; do
	round=$((round + 1))
	say "bench: round $round of $ROUNDS: ceiling (tests/bench/ceiling -n 2) behind nginx"
	fcgi_start ceiling "$BENCH/ceiling" -n 2
	wrk_run "ceil@$round" "$(conns 2)"
	rss "ceil@$round" "$FPID"
	fcgi_stop

	say "bench: round $round: routehook-fcgi -n 2, fsync off; disk loop without fsync"
	fcgi_conf "off2@$round" false
	fcgi_start fcgi "$FCGI" -c "$T/off2@$round.conf" -n 2
	wrk_run "off2@$round" "$(conns 2)"
	rss "off2@$round" "$FPID"
	fcgi_stop
	diskloop_run "nofs2@$round" 2 -F

	for n in $SWEEP; do
		say "bench: round $round: routehook-fcgi -n $n, fsync on; disk loop at $n threads"
		fcgi_conf "on$n@$round" true
		fcgi_start fcgi "$FCGI" -c "$T/on$n@$round.conf" -n "$n"
		wrk_run "on$n@$round" "$(conns "$n")"
		rss "on$n@$round" "$FPID"
		fcgi_stop
		diskloop_run "disk$n@$round" "$n"
	done
done
for k in ceil off2 nofs2 $(for n in $SWEEP; do echo "on$n disk$n"; done); do
	pick "$k"
done

# --- the worker (issue 3, section 11) --------------------------------------------

# token: a bearer token from the stand-in, as the worker gets one.
token() {
	curl -s --cacert "$T/certs/ca.pem" -u "test-client:$(head -n 1 "$T/client.secret")" \
	    -d grant_type=client_credentials "$STANDIN_URL/oauth/token" |
	    jq -r .access_token
}

# standin_ceiling KEY CONNECTIONS: wrk over TLS at the stand-in, the
# worker's own call (PUT routingstatus, a different user each time, the
# same token), for 3 s: what the stand-in itself can answer.
standin_ceiling() {
	cat >"$T/put.lua" <<LUA
local n = 0
local hdr = { ["Authorization"] = "Bearer $(token)",
	["Content-Type"] = "application/json" }
request = function()
	n = n + 1
	return wrk.format("PUT", "/api/v2/users/bench-" .. n .. "/routingstatus",
		hdr, '{"status":"IDLE"}')
end
LUA
	_t=1
	[ "$2" -ge 2 ] && _t=2
	cpu_mark
	_s0=$(pid_ticks "$STANDIN_PID")
	wrk -t "$_t" -c "$2" -d 3s --latency -s "$T/put.lua" \
	    "$STANDIN_URL/" >"$T/wrk-$1.txt" 2>&1
	_s1=$(pid_ticks "$STANDIN_PID")
	cpu_since "$1"
	wrk_parse "$1" "$T/wrk-$1.txt"
	put "$1.sicpu_ms" "$(ticks_ms "$_s0" "$_s1" \
	    "$(awk '/ requests in / { print $1 }' "$T/wrk-$1.txt")")"
}

# pid_ticks PID: user + system clock ticks PID has used.
pid_ticks() { awk '{ sub(/^.*\) /, ""); print $12 + $13 }' "/proc/$1/stat"; }
# ticks_ms T0 T1 COUNT: milliseconds of CPU per item.
ticks_ms() {
	awk -v a="$1" -v b="$2" -v n="$3" -v hz="$(getconf CLK_TCK)" \
	    'BEGIN { if (n > 0) printf "%.2f", (b - a) / hz * 1000 / n; else print "-" }'
}

# spool_events COUNT USERS: COUNT events spread over USERS users, POSTed
# through nginx and the responder (fsync off: spooling speed is not what
# is measured here), with no worker running.
spool_events() {
	"$CTL" -c "$T/routehook.conf" simulate --url "$NGINX_URL/routehook/events" \
	    --count "$1" --users "$2" --concurrency 16 >>"$T/simulate.log" 2>&1 ||
	    bail "simulate failed: $(tail -n 3 "$T/simulate.log")"
}

# children_cpu: user + system seconds of every child waited for so far
# (the second line of the shell's `times`).
children_cpu() {
	times >"$T/times"	# in this shell: $(times) would be a subshell's
	awk 'NR == 2 {
		t = 0
		for (i = 1; i <= 2; i++) {
			split($i, a, "m"); t += a[1] * 60 + substr(a[2], 1, length(a[2]) - 1)
		}
		printf "%.3f\n", t
	}' "$T/times"
}

# drain KEY: one `routehook-worker --once` over the backlog in $WSPOOL,
# timed; records KEY.secs, KEY.eps (outcomes per second), KEY.cpu_ms
# (the worker's CPU per event) and the outcomes.
drain() {
	_before=0
	[ -f "$T/audit.jsonl" ] && _before=$(wc -l <"$T/audit.jsonl")
	_n=$(find "$WSPOOL/new" -type f | wc -l)
	settle
	cpu_mark
	children_cpu >"$T/cpu0"
	_s0=$(pid_ticks "$STANDIN_PID")
	_t0=$(now)
	run_worker
	_rc=$?
	_t1=$(now)
	_s1=$(pid_ticks "$STANDIN_PID")
	children_cpu >"$T/cpu1"
	_c0=$(cat "$T/cpu0") _c1=$(cat "$T/cpu1")
	cpu_since "$1"
	_left=$(find "$WSPOOL/new" -type f | wc -l)
	put "$1.rc" "$_rc"
	put "$1.events" "$_n"
	put "$1.left" "$_left"
	put "$1.secs" "$(awk -v a="$_t0" -v b="$_t1" 'BEGIN { printf "%.2f", b - a }')"
	put "$1.eps" "$(awk -v a="$_t0" -v b="$_t1" -v n="$_n" -v l="$_left" \
	    'BEGIN { printf "%.0f", (n - l) / (b - a) }')"
	put "$1.cpu_ms" "$(awk -v a="$_c0" -v b="$_c1" -v n="$_n" \
	    'BEGIN { if (n > 0) printf "%.2f", (b - a) * 1000 / n }')"
	put "$1.sicpu_ms" "$(ticks_ms "$_s0" "$_s1" "$_n")"
	tail -n "+$((_before + 1))" "$T/audit.jsonl" 2>/dev/null |
	    jq -r .outcome | sort | uniq -c |
	    awk -v k="$1" '{ print k "." $2, $1 }' >>"$T/results"
}

# worker_setup CONCURRENCY RPM SPOOL: the worker's config on $T/SPOOL
# (fresh: no token, no per-user state), and the responder restarted on it.
worker_setup() {
	WSPOOL=$T/$3
	worker_config "concurrency = $1;" "requests_per_minute = $2;"
	sed -i "s|^spool_dir = .*|spool_dir = \"$WSPOOL\";|" "$T/routehook.conf"
	sed 's/^receiver = {/receiver = { fsync = false;/' "$T/routehook.conf" \
	    >"$T/spooler.conf"
	fcgi_stop
	fcgi_start fcgi "$FCGI" -c "$T/spooler.conf" -n 16
}

say "bench: stand-in at ${LAT_MS} ms: its own ceiling with wrk at 1 and 16"
start_standin --latency-ms "$LAT_MS" --rate-limit 100000000
standin_ceiling si1 1
standin_ceiling si16 16
control POST reset >/dev/null

say "bench: drain $DRAIN1_N events at concurrency 1"
worker_setup 1 100000 wspool
spool_events "$DRAIN1_N" "$DRAIN1_N"
drain w1

say "bench: drain $DRAIN16_N events at concurrency 16"
worker_setup 16 100000 wspool
spool_events "$DRAIN16_N" "$DRAIN16_N"
drain w16
stop_standin
unset STANDIN_PORT

say "bench: burst of $BURST_N events for $BURST_USERS users, $BURST_RPM calls/min"
rm -f "$T/standin.jsonl"
start_standin --latency-ms "$LAT_MS" --rate-limit "$BURST_RPM" --rate-window 60
worker_setup 16 "$BURST_RPM" bspool
_t0=$(now)
spool_events "$BURST_N" "$BURST_USERS"
put burst.spool_secs "$(awk -v a="$_t0" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }')"
drain burst
put burst.calls "$(journal '[.[] | select(.path | startswith("/api/v2/"))] | length')"
put burst.c429 "$(journal '[.[] | select(.status == 429)] | length')"
put burst.c2xx "$(journal '[.[] | select(.path | startswith("/api/v2/")) | select(.status >= 200 and .status < 300)] | length')"
put burst.tokens "$(journal '[.[] | select(.path == "/oauth/token")] | length')"
stop_standin
fcgi_stop

LOAD1=$(cut -d' ' -f1-3 /proc/loadavg)

# --- the table ---------------------------------------------------------------------

kib_mib() { awk -v k="$1" 'BEGIN { if (k == "-" || k == "") print "-"; else printf "%.1f", k / 1024 }'; }
errs() {
	awk -v a="$(r "$1.non2xx")" -v b="$(r "$1.errors")" \
	    'BEGIN { if (a == "-") print "-"; else print a + b }'
}

echo
echo "routehook make bench: $(date -u +%Y-%m-%dT%H:%M:%SZ), $(nproc) cores, ${DUR}s runs"
echo "scratch: $T ($FSTYPE, $FSDEV)"
echo "load average before: $LOAD0, after: $LOAD1"
echo
echo "RESPONDER  (wrk -t2 -c16 through nginx, 1 worker process; 2 handlers)"
printf '  %-28s %7s %7s %7s %6s %6s %6s %6s %7s %5s %4s\n' "" "req/s" "p50 ms" \
    "p99 ms" "RSS" "HWM" "Pss" "USS" "us CPU" "busy" "err"
row() {
	printf '  %-28s %7s %7s %7s %6s %6s %6s %6s %7s %5s %4s\n' "$1" \
	    "$(r "$2.rps")" "$(r "$2.p50")" "$(r "$2.p99")" \
	    "$(kib_mib "$(r "$2.rss")")" "$(kib_mib "$(r "$2.hwm")")" \
	    "$(kib_mib "$(r "$2.pss")")" "$(kib_mib "$(r "$2.uss")")" \
	    "$(r "$2.cpu_us")" "$(r "$2.busy")%" "$(errs "$2")"
}
drow() {
	printf '  %-28s %7s %7s %7s %6s %6s %6s %6s %7s %5s\n' "$1" \
	    "$(r "$2.rps")" "$(r "$2.p50")" "$(r "$2.p99")" "" "" "" "" "" \
	    "$(r "$2.busy")%"
}
row "ceiling (libfcgi, 200)" ceil
row "routehook-fcgi, fsync off" off2
drow "disk loop, fsync off" nofs2
row "routehook-fcgi, fsync on" on2
drow "disk loop, fsync on" disk2
echo "  (RSS, HWM: VmRSS, VmHWM; Pss, USS: proportional and private share;"
echo "   all MiB, after the run.  us CPU: the process's CPU per request;"
echo "   busy: the whole machine's CPU, all cores; err: non-2xx + socket errors;"
echo "   disk loops: spool_commit() at 2 threads, no HTTP.  Best of $ROUNDS rounds;"
echo "   every round's req/s: ceiling $(r ceil.all), fsync off $(r off2.all),"
echo "   disk loop fsync off $(r nofs2.all), fsync on $(r on2.all), disk loop $(r disk2.all))"
echo
echo "SWEEP  (fsync on: durable req/s by concurrent handlers, beside the disk loop)"
printf '  %4s %6s %7s %7s %7s %6s %5s %4s | %7s %7s %5s %6s | %5s\n' "-n" "conns" \
    "req/s" "p50 ms" "p99 ms" "RSS" "busy" "err" "disk/s" "p50 ms" "busy" \
    "iowait" "ratio"
best_n=- best_rps=0
for n in $SWEEP; do
	printf '  %4s %6s %7s %7s %7s %6s %5s %4s | %7s %7s %5s %6s | %5s\n' "$n" \
	    "$(conns "$n")" "$(r "on$n.rps")" "$(r "on$n.p50")" "$(r "on$n.p99")" \
	    "$(kib_mib "$(r "on$n.rss")")" "$(r "on$n.busy")%" "$(errs "on$n")" \
	    "$(r "disk$n.rps")" "$(r "disk$n.p50")" "$(r "disk$n.busy")%" \
	    "$(r "disk$n.iowait")%" \
	    "$(ratio "$(r "on$n.rps")" "$(r "disk$n.rps")")"
	if [ "$(r "on$n.rps")" != - ] && [ "$(r "on$n.rps")" -gt "$best_rps" ]; then
		best_rps=$(r "on$n.rps")
		best_n=$n
	fi
done
near=
for n in $SWEEP; do
	[ "$(r "on$n.rps")" != - ] &&
	    [ "$(r "on$n.rps")" -ge $((best_rps * 9 / 10)) ] && near="$near $n"
done
echo "  best durable throughput here: -n $best_n ($best_rps req/s); within 10% of it: -n$near"
echo "  (the program's default is 16; ratio: responder / disk loop at that concurrency;"
echo "   best of $ROUNDS rounds, every round's req/s:"
for n in $SWEEP; do
	echo "     -n $n: responder $(r "on$n.all"), disk loop $(r "disk$n.all")"
done
echo "  )"
echo
echo "WORKER  (stand-in answering in ${LAT_MS} ms; one routehook-worker --once per row)"
printf '  %-15s %6s %6s %8s %7s %6s %10s %9s %7s %7s %5s\n' "" "events" "secs" \
    "events/s" "ideal/s" "/ideal" "stand-in/s" "/stand-in" "CPU ms" "SI ms" "busy"
wrow() {
	_ideal=$(awk -v c="$2" -v l="$LAT_MS" 'BEGIN { printf "%.0f", c * 1000 / l }')
	printf '  %-15s %6s %6s %8s %7s %6s %10s %9s %7s %7s %5s\n' "$1" \
	    "$(r "$3.events")" "$(r "$3.secs")" "$(r "$3.eps")" "$_ideal" \
	    "$(ratio "$(r "$3.eps")" "$_ideal")" "$(r "$4.rps")" \
	    "$(ratio "$(r "$3.eps")" "$(r "$4.rps")")" "$(r "$3.cpu_ms")" \
	    "$(r "$3.sicpu_ms")" "$(r "$3.busy")%"
}
wrow "concurrency 1" 1 w1 si1
wrow "concurrency 16" 16 w16 si16
echo "  (stand-in/s: wrk PUTting routing statuses at the stand-in itself, same"
echo "   concurrency, same token: p50 $(r si1.p50) ms at 1, $(r si16.p50) ms at 16,"
echo "   the stand-in using $(r si16.sicpu_ms) ms CPU per call and the machine $(r si16.busy)% busy at 16."
echo "   CPU ms: the worker's CPU per event; SI ms: the stand-in's; busy: the"
echo "   machine, all cores)"
for k in w1 w16; do
	echo "  $k: applied $(r "$k.applied"), superseded $(r "$k.superseded"), deferred $(r "$k.deferred"), dead $(r "$k.dead"); left in new/ $(r "$k.left"); exit $(r "$k.rc")"
done
echo
echo "BURST  ($BURST_N events for $BURST_USERS users, stand-in and worker at $BURST_RPM calls/min)"
echo "  spooled through nginx in $(r burst.spool_secs) s; worker --once took $(r burst.secs) s (exit $(r burst.rc)), $(r burst.cpu_ms) ms CPU per event"
echo "  API calls $(r burst.calls) (2xx $(r burst.c2xx)), token requests $(r burst.tokens), 429s received $(r burst.c429)"
echo "  applied $(r burst.applied), superseded $(r burst.superseded), deferred $(r burst.deferred), dead $(r burst.dead); left in new/ $(r burst.left)"
echo

# rounds A B: A@N / B@N for every round N, measured back to back.
rounds() {
	_out='' _i=0
	while [ "$_i" -lt "$ROUNDS" ]; do
		_i=$((_i + 1))
		_out="$_out${_out:+/}$(ratio "$(r "$1@$_i.rps")" "$(r "$2@$_i.rps")")"
	done
	echo "${_out:--}"
}
r_off=$(ratio "$(r off2.rps)" "$(r ceil.rps)")
r_on=$(ratio "$(r on2.rps)" "$(r disk2.rps)")
r_w16=$(ratio "$(r w16.eps)" 800)
r_w16s=$(ratio "$(r w16.eps)" "$(r si16.rps)")
retries=$(awk -v c="$(r burst.calls)" -v u="$BURST_USERS" \
    'BEGIN { if (c == "-") print "-"; else print (c > u ? c - u : 0) }')
bad=
for k in ceil off2 $(for n in $SWEEP; do echo "on$n"; done); do
	[ "$(errs "$k")" != 0 ] && bad="$bad $k"
done
[ -n "$bad" ] && echo "WARNING: wrk saw errors in:$bad; those figures are not of accepted events" &&
    echo
echo "TARGETS"
printf '  %-46s %9s %9s %5s\n' "" "measured" "target" "met"
trow() { printf '  %-46s %9s %9s %5s\n' "$1" "$2" "$3 $4" "$(met "$2" "$3" "$4")"; }
trow "responder fsync off / ceiling (-n 2)" "$r_off" ">=" 0.8
printf '  %-46s %9s\n' "  round by round" "$(rounds off2 ceil)"
printf '  %-46s %9s\n' "  against the disk loop without fsync" "$(ratio "$(r off2.rps)" "$(r nofs2.rps)")"
trow "responder fsync on / disk loop (-n 2)" "$r_on" ">=" 0.8
printf '  %-46s %9s\n' "  round by round" "$(rounds on2 disk2)"
trow "RSS per responder, MiB (VmRSS, -n 2 fsync on)" "$(kib_mib "$(r on2.rss)")" "<=" 4
trow "  the same, VmHWM" "$(kib_mib "$(r on2.hwm)")" "<=" 4
trow "  the same, Pss" "$(kib_mib "$(r on2.pss)")" "<=" 4
trow "worker drain / ideal (800/s) at concurrency 16" "$r_w16" ">=" 0.8
printf '  %-46s %9s %9s %5s\n' "  read against the stand-in's own ceiling" "$r_w16s" "" ""
trow "burst: 429s received" "$(r burst.c429)" "<=" 0
trow "burst: API calls beyond one per user" "$retries" "<=" 0
echo "  (burst target: $BURST_USERS calls plus retries; retries counted above)"
