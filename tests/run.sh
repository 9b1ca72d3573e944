#!/bin/sh
# run.sh PASS:TEST: one test as one pass of make check runs it, for
# prove --exec.  make check hands every (pass, test) pair to a single
# prove -j, so that the three passes share the cores instead of taking
# turns, and the slow tests of one pass overlap the quick ones of another.
#
#   plain:TEST	against the build in the tree
#   san:TEST	against the AddressSanitizer + UBSan build in .san/, with
#		RH_TIMEOUT_SCALE tripled: its programs run two to three
#		times slower
#   valgrind:TEST	a unit test, the tree's build, under $RH_VALGRIND
#
# TEST is a path from the top of the tree: tests/unit/NAME.t or
# tests/fuzz/NAME-fuzzer.t (a program,
# found in the pass's build) or tests/t/NAME.t (a script, given the
# pass's build in RH_BUILD).  Exits as the test does; 100 for a bad
# argument.
top=$(cd "$(dirname "$0")/.." && pwd) || exit 100
pass=${1%%:*}
t=${1#*:}
case $pass in
plain | valgrind) RH_BUILD=$top ;;
san)
	RH_BUILD=$top/.san
	RH_TIMEOUT_SCALE=$(( ${RH_TIMEOUT_SCALE:-1} * 3 ))
	export RH_TIMEOUT_SCALE ;;
*) echo "run.sh: unknown pass in $1 (plain, san or valgrind)" >&2; exit 100 ;;
esac
export RH_BUILD
case $pass:$t in
valgrind:tests/unit/*.t | valgrind:tests/fuzz/*.t)
	# shellcheck disable=SC2086
	exec ${RH_VALGRIND:?run.sh: RH_VALGRIND is not set} "$RH_BUILD/$t" ;;
valgrind:*) echo "run.sh: valgrind runs unit tests only: $1" >&2; exit 100 ;;
*:tests/unit/*.t | *:tests/fuzz/*.t) exec "$RH_BUILD/$t" ;;
*) exec "$top/$t" ;;
esac
