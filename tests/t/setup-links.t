#!/usr/bin/env bash
# setup-links.t: contrib/routehook-setup.sh never follows a symbolic link
# it did not create (issue 10, section 6).  The spool's owner can replace
# the spool's directories between two runs; run again, the script must
# refuse a link in place of one (exit 1, naming it) and change nothing
# through it: a root-owned directory or file the link points to keeps its
# owner and mode.  Needs root; the users are the harness's two (RH_SPLIT
# in tests/lib.sh), and split_setup runs the script over $T.
RH_SPLIT=1
. "$(dirname "$0")/../lib.sh"

w=$RH_WORK_USER		# the worker's user: owns the spool
S=$T/spool

split_setup "$T/setup.out"
ok $? "the first run succeeds" || sed 's/^/# /' "$T/setup.out"

# What the links point to: root's, and must stay so.
mkdir "$T/victim-dir"
chmod 755 "$T/victim-dir"
printf 'root only\n' >"$T/victim-file"
chmod 600 "$T/victim-file"

# --- a link in place of new/, to a directory ------------------------------
as_work rmdir "$S/new"
assert "the spool's owner replaced new/ with a link" \
    as_work ln -s "$T/victim-dir" "$S/new"
split_setup "$T/setup2.out"
is "$?" 1 "the script refuses to go on: exit 1"
assert "... naming the link" \
    grep -qF "$S/new is a symbolic link" "$T/setup2.out" || sed 's/^/# /' "$T/setup2.out"
is "$(mode "$T/victim-dir")" "755 root root" \
    "the directory the link points to keeps its owner and mode"
assert "the link itself is left for the administrator to see" test -L "$S/new"

# --- a link in place of state/, to a file ---------------------------------
as_work rm "$S/new"
as_work mkdir "$S/new"
as_work rmdir "$S/state"
as_work ln -s "$T/victim-file" "$S/state"
split_setup "$T/setup3.out"
is "$?" 1 "a link in place of state/: exit 1"
assert "... naming it" \
    grep -qF "$S/state is a symbolic link" "$T/setup3.out" || sed 's/^/# /' "$T/setup3.out"
is "$(mode "$T/victim-file")" "600 root root" \
    "the file the link points to keeps its owner and mode"
is "$(mode "$S/new")" "2770 $w $w" \
    "new/, a directory again, got its mode back before the link stopped the run"

# --- a dangling link in place of the log directory ------------------------
as_work rm "$S/state"
rmdir "$T/log"
ln -s "$T/nowhere" "$T/log"
split_setup "$T/setup4.out"
is "$?" 1 "a dangling link in place of the log directory: exit 1"
assert "nothing is created where it points" test ! -e "$T/nowhere"

# --- all links gone: the layout comes back --------------------------------
rm "$T/log"
split_setup "$T/setup5.out"
ok $? "with the links removed, the script runs" || sed 's/^/# /' "$T/setup5.out"
is "$(mode "$S/state")" "700 $w $w" "state/ is back, the worker's alone"

done_testing
