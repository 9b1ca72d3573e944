#!/bin/sh
# demo.t: `make demo` (tests/demo.sh) as a test, with the programs under
# test ($RH_BUILD): it exits 0 within a minute, shows the status table,
# the audit holds applied, deferred and dead outcomes, the one dead letter
# is the agent the stand-in refused with 400, and nothing it started is
# left running nor any of its scratch directory left behind.  Its scratch
# directory is made inside this test's ($T), so that every path it used
# contains $T.
. "$(dirname "$0")/../lib.sh"

bad_user=00000000-0000-4000-8000-000000000007

t0=$(date +%s%N)
env -u RH_KEEP TMPDIR="$T" RH_BUILD="$RH_BUILD" \
    sh "$RH_TOP/tests/demo.sh" >"$T/demo.out" 2>&1 </dev/null
rc=$?
ms=$((($(date +%s%N) - t0) / 1000000))
is "$rc" 0 "make demo's script exits 0" || sed 's/^/#   /' "$T/demo.out"
assert "... in under a minute (${ms} ms)" test "$ms" -lt 60000

left=$(pgrep -af "$T/" | grep -v pgrep)
is "$left" "" "nothing it started is left running"
is "$(find "$T" -maxdepth 1 -name 'routehook-demo.*' | wc -l)" 0 \
    "its scratch directory is removed"

# has ERE DESCRIPTION: a line of the demo's output matches ERE.
has() { assert_file_matches "$T/demo.out" "$1" "$2"; }
has '^== routehookctl status$' "the output shows routehookctl status"
has '^  deferred +0$' "... whose spool table has deferred/ empty"
has '^  dead +1 ' "... and one dead letter"
has '^ +applied +deferred +dead +superseded +ignored +unchanged +sla breaches$' \
    "... and the outcome table"
has '^  last hour( +[0-9]+){7}$' "... with the last hour's counts"
has '^token cached' "... and the cached token"

# The demo's own jq over its audit file, grouped by outcome.
counts=$(sed -n '/group_by(.outcome)/{n;p;}' "$T/demo.out")
for o in applied deferred dead; do
	echo "$counts" | jq -e --arg o "$o" \
	    'map(select(.outcome == $o and .n > 0)) | length == 1' \
	    >/dev/null 2>&1
	ok $? "the audit has $o outcomes" || diag "grouped: $counts"
done
is "$(echo "$counts" | jq -r '.[] | select(.outcome == "dead") | .n' 2>/dev/null)" 1 \
    "exactly one dead outcome"

dead=$(sed -n '/^== routehookctl dead list$/{n;p;}' "$T/demo.out")
case $dead in
*" $bad_user "*"HTTP 400"*) ok 0 "the dead letter is the 400 agent's, with its reason" ;;
*) ok 1 "the dead letter is the 400 agent's, with its reason"
   diag "dead list: $dead" ;;
esac
has '^  -rw-[^ ]+ 1 .* [0-9]+\.M[0-9]+P[0-9]+Q[0-9]+\..+$' \
    "ls -l spool/dead/ shows it"
has "^  \{.*\"userId\":\"$bad_user\".*\"outcome\":\"dead\",.*\"http_status\":400" \
    "jq shows its audit line"
has '^== Done in [0-9]+\.[0-9] s; everything it started is stopped$' \
    "it ends saying so"
refute "no failure and no TAP in its output" \
    grep -qE 'Bail out|FAILED|^1\.\.' "$T/demo.out"

done_testing
