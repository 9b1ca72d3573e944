#!/usr/bin/env bash
# ctl-usage.t: routehookctl's command line: every command has --help (exit
# 0), a bad option or operand is a usage error (exit 100) that names what
# is wrong, and the config is found through -c, $ROUTEHOOK_CONFIG, or not
# at all (exit 100 naming the file).
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
ctl_config
ctl_spool

"$CTL" --help >"$T/out" 2>>"$T/ctl.log"
ok $? "routehookctl --help exits 0"
for c in check status dead simulate register; do
	assert_file_has "$T/out" "  $c " "--help lists $c"
done
"$CTL" >"$T/out" 2>"$T/err"
is $? 100 "no command: exit 100"
"$CTL" frobnicate >"$T/out" 2>"$T/err"
is $? 100 "unknown command: exit 100"
assert_file_has "$T/err" "unknown command frobnicate" \
    "the error names the command"
"$CTL" --frob check >"$T/out" 2>"$T/err"
is $? 100 "unknown global option: exit 100"

for c in check status dead simulate register; do
	run "$c" --help
	is "$rc" 0 "$c --help exits 0"
	assert_file_has "$T/out" "usage: routehookctl [-c FILE] $c" \
	    "$c --help prints its usage"
	run "$c" -h
	is "$rc" 0 "$c -h exits 0"
	run "$c" --no-such-option
	is "$rc" 100 "$c --no-such-option exits 100"
	assert_file_has "$T/err" "unknown option --no-such-option" \
	    "$c names the bad option"
done
run dead list --help
is "$rc" 0 "dead list --help exits 0"

run status --last
is "$rc" 100 "an option missing its value: exit 100"
assert_file_has "$T/err" "--last needs a value" "the error says so"
run status --last=abc
is "$rc" 100 "a value that is not a number: exit 100"
run status --json=1
is "$rc" 100 "a value given to a flag: exit 100"
run check extra
is "$rc" 100 "check takes no operand"
run simulate --count 0
is "$rc" 100 "simulate --count 0: exit 100"
run simulate --shape weird
is "$rc" 100 "simulate --shape weird: exit 100"
assert_file_has "$T/err" "tutorial or notification" "the error lists the shapes"
run register
is "$rc" 100 "register without --url: exit 100"
run register --url ftp://x/
is "$rc" 100 "register with a non-http URL: exit 100"
run dead
is "$rc" 100 "dead without an action: exit 100"
run dead frob
is "$rc" 100 "dead with an unknown action: exit 100"
run dead show
is "$rc" 100 "dead show without an id: exit 100"
run dead replay
is "$rc" 100 "dead replay without ids or --all: exit 100"
run dead replay --all x
is "$rc" 100 "dead replay with ids and --all: exit 100"
run dead show ../../etc/passwd
is "$rc" 100 "dead show with a path: exit 100"
assert_file_has "$T/err" "not a spool id" "the error says it is not a spool id"

# Where the config comes from.
ROUTEHOOK_CONFIG=$T/routehook.conf "$CTL" check >"$T/out" 2>>"$T/ctl.log"
ok $? "\$ROUTEHOOK_CONFIG is read when -c is absent"
ROUTEHOOK_CONFIG=$T/nope.conf "$CTL" -c "$T/routehook.conf" check \
    >"$T/out" 2>>"$T/ctl.log"
ok $? "-c wins over \$ROUTEHOOK_CONFIG"
ROUTEHOOK_CONFIG=$T/nope.conf "$CTL" status >"$T/out" 2>"$T/err"
is $? 100 "a missing config file: exit 100"
assert_file_has "$T/err" "$T/nope.conf" "the error names the file"
"$CTL" -c "$T/nope.conf" status >"$T/out" 2>"$T/err"
is $? 100 "-c with a missing file: exit 100"

done_testing
