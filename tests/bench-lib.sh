# bench-lib.sh: what make bench's scripts (tests/bench.sh,
# tests/bench-cluster.sh) start with, so that they start alike: the test
# harness (tests/lib.sh) with its scratch directory $T on a real disk, a
# cleanup in place of its TAP exit trap, and say and now.  Sourced first:
#
#	. "$(dirname "$0")/bench-lib.sh"
#
# Sets top (the tree), RH_BUILD (the built tree: top unless set) and
# TMPDIR (RH_BENCH_DIR, default /var/tmp: the spool must be on a real
# disk, as a real one is; never tmpfs).  RH_KEEP=1 keeps $T.

top=$(cd "$(dirname "$0")/.." && pwd)
RH_BUILD=${RH_BUILD:-$top}
TMPDIR=${RH_BENCH_DIR:-/var/tmp}
export TMPDIR
# lib.sh finds the tree from $0 as tests/t/X.t would be; we are one level
# up, so set RH_TOP again after it.  Its TAP exit trap is replaced below.
. "$top/tests/lib.sh"
RH_TOP=$top

# bench_cleanup: stop everything started (etcd members first, killed:
# see stop_etcd_cluster), and remove $T unless RH_KEEP is set.
bench_cleanup() {
	stop_etcd_cluster
	stop_all
	if [ -n "${RH_KEEP:-}" ]; then
		echo "scratch directory kept: $T"
	else
		rm -rf "$T"
	fi
}
trap - EXIT
trap 'bench_cleanup' EXIT

# say TEXT: progress on stderr; the figures alone go to stdout.
say() { printf '%s\n' "$*" >&2; }
# now: the time in seconds, with nanoseconds, for awk to subtract.
now() { date +%s.%N; }
