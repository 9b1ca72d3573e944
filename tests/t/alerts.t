#!/usr/bin/env bash
# alerts.t: contrib/prometheus/routehook.rules.yml is valid (promtool check
# rules, from Debian's prometheus package), reads only metrics that
# routehook exports (each name appears in the responder's or the worker's
# source), and every alert in it has a unit test in
# routehook.rules.test.yml showing it fire, which passes (promtool test
# rules).  The tests can fail: with the SLA threshold raised tenfold, the
# same tests fail.
. "$(dirname "$0")/../lib.sh"
not_in_san_pass

command -v promtool >/dev/null ||
    skip_all "no promtool (Debian's prometheus package; tests/install-deps.sh)"

P=$RH_TOP/contrib/prometheus
rules=$P/routehook.rules.yml
tests=$P/routehook.rules.test.yml

promtool check rules "$rules" >"$T/check.out" 2>&1
ok $? "promtool check rules" || sed 's/^/#   /' "$T/check.out"

# Every routehook_* name in an expression, less a histogram's suffixes,
# is written by fcgi/ or worker/.
grep -o 'routehook_[a-z_]*' "$rules" | sed -E 's/_(count|sum|bucket)$//' |
    sort -u >"$T/names"
assert "the rules read routehook's metrics" test -s "$T/names"
while read -r name; do
	grep -rqF "\"$name" "$RH_TOP/fcgi" "$RH_TOP/worker" ||
	    grep -rqF "$name\"" "$RH_TOP/fcgi" "$RH_TOP/worker"
	ok $? "$name is exported by the responder or the worker"
done <"$T/names"

# Every alert is expected to fire somewhere in the tests.
sed -n 's/^ *- alert: *//p' "$rules" | sort >"$T/alerts"
is "$(wc -l <"$T/alerts")" 7 "seven alerts"
while read -r a; do
	awk -v a="$a" '
	    $0 ~ "alertname: " a "$" { cur = 1; next }
	    /alertname:/ { cur = 0 }
	    cur && /exp_labels:/ { found = 1 }
	    END { exit !found }' "$tests"
	ok $? "$a has a test where it fires"
done <"$T/alerts"

promtool test rules "$tests" >"$T/test.out" 2>&1
ok $? "promtool test rules: every expected alert fires, no other" ||
    sed 's/^/#   /' "$T/test.out"

# The tests can fail: an SLA threshold of 50% lets rh1's 10% pass.
mkdir "$T/mutant"
sed 's/^\( *\)> 0\.05$/\1> 0.5/' "$rules" >"$T/mutant/routehook.rules.yml"
cp "$tests" "$T/mutant/"
refute "a mutant with the SLA threshold at 50%" \
    cmp -s "$rules" "$T/mutant/routehook.rules.yml"
promtool test rules "$T/mutant/routehook.rules.test.yml" >"$T/mutant.out" 2>&1
is $? 1 "fails the tests"
assert "at RoutehookSLABreachRate" \
    grep -q 'alertname: RoutehookSLABreachRate' "$T/mutant.out" || sed 's/^/#   /' "$T/mutant.out"

done_testing
