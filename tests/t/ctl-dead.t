#!/usr/bin/env bash
# ctl-dead.t: the dead-letter round trip with `routehookctl dead`: list
# joins each dead letter with its reason from the audit file (or reads
# type and user from the body), show gives the exact bytes, replay moves
# them back into new/ and forgets their attempts, purge deletes them, but
# only with --yes or a "y" on a terminal.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
ctl_config
ctl_spool
D=$T/spool/dead

run dead list
is "$rc" 0 "list with no dead letters: exit 0"
is "$(wc -c <"$T/out")" 0 "list with no dead letters: prints nothing"

a=$(spool_id 7200 1)
b=$(spool_id 600 2)
c=$(spool_id 60 3)
e=$(spool_id 30 4)
printf '{"eventType":"routing.user.status.update","userId":"00000000-0000-4000-8000-000000000007","status":"lunch"}' >"$D/$a"
printf '{"topicName":"v2.users.abc-1.routingStatus","eventBody":{"routingStatus":{"status":"IDLE"}}}\r\n' >"$D/$b"
printf '{"eventType":"routing.user.status.update","userId":"u-3","status":"available"}\n' >"$D/$c"
printf '\000\377 not JSON\r\n\n' >"$D/$e"
audit "$a" deferred 7000 true 'HTTP 503 service.unavailable: x' x u 503
audit "$a" dead 6000 false 'unknown status "lunch"' \
    routing.user.status.update 00000000-0000-4000-8000-000000000007
audit "$c" dead 50 true '' routing.user.status.update u-3 404
audit other dead 40 true 'not ours'

run dead list
is "$rc" 0 "list: exit 0"
is "$(wc -l <"$T/out")" 4 "list: one line per dead letter"
is "$(awk '{print $1}' "$T/out" | tr '\n' ' ')" "$a $b $c $e " "list: oldest first"
grep -E "^$a +2h00m +routing.user.status.update +00000000-0000-4000-8000-000000000007 +unknown status \"lunch\"$" \
    "$T/out" >/dev/null
ok $? "list: id, age, type, user and the reason from the audit file"
grep -E "^$b +10m0[0-9]s +v2.users.abc-1.routingStatus +abc-1 +\(no audit line\)$" \
    "$T/out" >/dev/null
ok $? "list: type and user from the body when the audit file has no line"
grep -E "^$c .* HTTP 404$" "$T/out" >/dev/null
ok $? "list: the HTTP status when the audit line has no error"
grep -E "^$e +[0-9]+s +- +- +\(no audit line\)$" "$T/out" >/dev/null
ok $? "list: a body that is not an event: dashes"

run dead show "$b"
is "$rc" 0 "show: exit 0"
assert "show: stdout is the exact bytes" cmp "$T/out" "$D/$b"
run dead show "$e"
assert "show: binary bytes too" cmp "$T/out" "$D/$e"
run dead show "$a"
assert_file_has "$T/err" 'reason: unknown status "lunch"' \
    "show: the reason on stderr"
run dead show "$(spool_id 5 99)"
is "$rc" 1 "show: a missing dead letter: exit 1"
assert_file_has "$T/err" "no such dead letter" "show: says it is missing"
run dead show "../new/$a"
is "$rc" 100 "show: a path instead of an id: exit 100"

# replay: one rename each, attempts forgotten, a missing id named.
mkdir -p "$T/spool/state/attempts"
echo 9 >"$T/spool/state/attempts/$a"
cp "$D/$a" "$T/a.copy"
missing=$(spool_id 5 98)
run dead replay "$a" "$missing"
is "$rc" 1 "replay with a missing id: exit 1"
assert_file_has "$T/err" "$missing: no such dead letter" \
    "replay names the missing id"
[ ! -e "$D/$a" ] && cmp -s "$T/spool/new/$a" "$T/a.copy"
ok $? "replay: the other one is in new/, byte for byte"
assert "replay: its attempt count is forgotten" \
    test ! -e "$T/spool/state/attempts/$a"
assert_file_has "$T/out" "replayed 1 dead letter" "replay says how many"
mv "$T/spool/new/$a" "$D/$a"
run dead replay --all
is "$rc" 0 "replay --all: exit 0"
is "$(spool_files dead) $(spool_files new)" "0 4" "replay --all: all in new/"
mv "$T/spool/new/"* "$D/"

# purge: never without --yes or a terminal.
run dead purge "$a"
is "$rc" 100 "purge without --yes and no terminal: exit 100"
assert_file_has "$T/err" "--yes" "purge says --yes is needed"
assert "purge refused: nothing deleted" test -e "$D/$a"
run dead purge --yes "$a" "$missing"
is "$rc" 1 "purge --yes with a missing id: exit 1"
[ ! -e "$D/$a" ] && [ -e "$D/$b" ]
ok $? "purge --yes: that one gone, the others kept"
if command -v script >/dev/null 2>&1; then
	printf 'n\n' | script -qec "$CTL -c $T/routehook.conf dead purge $b" /dev/null \
	    >"$T/tty.out" 2>&1
	assert "purge on a terminal, answered n: nothing deleted" \
	    test -e "$D/$b"
	assert_file_has "$T/tty.out" "purge 1 dead letter? [y/N]" \
	    "purge asks on the terminal"
	printf 'y\n' | script -qec "$CTL -c $T/routehook.conf dead purge $b" /dev/null \
	    >"$T/tty.out" 2>&1
	assert "purge on a terminal, answered y: deleted" test ! -e "$D/$b"
	cat "$T/tty.out" >>"$T/ctl.log"
else
	skip "purge on a terminal" "no script(1)"
fi
run dead purge --all --yes
is "$rc" 0 "purge --all --yes: exit 0"
is "$(spool_files dead)" 0 "purge --all --yes: dead/ is empty"

done_testing
