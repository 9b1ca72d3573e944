#!/usr/bin/env bash
# setup-links.t: contrib/routehook-setup.sh never follows a symbolic link
# it did not create (issue 10, section 6).  The spool's owner can replace
# the spool's directories between two runs; run again, the script must
# refuse a link in place of one (exit 1, naming it) and change nothing
# through it: a root-owned directory or file the link points to keeps its
# owner and mode.  Needs root (it creates two throwaway users).
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root"
command -v useradd >/dev/null || skip_all "no useradd"

w=rhl-w$$		# the worker's user: owns the spool
f=rhl-f$$		# the responder's user
del_users() {
	userdel "$f" >/dev/null 2>&1
	userdel "$w" >/dev/null 2>&1
	groupdel "$f" >/dev/null 2>&1
	groupdel "$w" >/dev/null 2>&1
	return 0
}
trap 'rh_cleanup; rc=$?; del_users; exit $rc' EXIT

as_w() { runuser -u "$w" -- "$@"; }
mode() { stat -c '%a %U %G' "$1"; }

S=$T/spool
E=$T/etc
setup() {
	ROUTEHOOK_USER=$w ROUTEHOOK_FCGI_USER=$f ROUTEHOOK_ETC=$E \
	    ROUTEHOOK_SPOOL=$S ROUTEHOOK_LOG=$T/log \
	    ROUTEHOOK_SAMPLE=$T/no-sample \
	    sh "$RH_TOP/contrib/routehook-setup.sh"
}

setup >"$T/setup.out" 2>&1
ok $? "the first run succeeds" || sed 's/^/# /' "$T/setup.out"

# What the links point to: root's, and must stay so.
mkdir "$T/victim-dir"
chmod 755 "$T/victim-dir"
printf 'root only\n' >"$T/victim-file"
chmod 600 "$T/victim-file"

# --- a link in place of new/, to a directory ------------------------------
as_w rmdir "$S/new"
assert "the spool's owner replaced new/ with a link" \
    as_w ln -s "$T/victim-dir" "$S/new"
setup >"$T/setup2.out" 2>&1
is "$?" 1 "the script refuses to go on: exit 1"
assert "... naming the link" \
    grep -qF "$S/new is a symbolic link" "$T/setup2.out" || sed 's/^/# /' "$T/setup2.out"
is "$(mode "$T/victim-dir")" "755 root root" \
    "the directory the link points to keeps its owner and mode"
assert "the link itself is left for the administrator to see" test -L "$S/new"

# --- a link in place of state/, to a file ---------------------------------
as_w rm "$S/new"
as_w mkdir "$S/new"
as_w rmdir "$S/state"
as_w ln -s "$T/victim-file" "$S/state"
setup >"$T/setup3.out" 2>&1
is "$?" 1 "a link in place of state/: exit 1"
assert "... naming it" \
    grep -qF "$S/state is a symbolic link" "$T/setup3.out" || sed 's/^/# /' "$T/setup3.out"
is "$(mode "$T/victim-file")" "600 root root" \
    "the file the link points to keeps its owner and mode"
is "$(mode "$S/new")" "2770 $w $w" \
    "new/, a directory again, got its mode back before the link stopped the run"

# --- a dangling link in place of the log directory ------------------------
as_w rm "$S/state"
rmdir "$T/log"
ln -s "$T/nowhere" "$T/log"
setup >"$T/setup4.out" 2>&1
is "$?" 1 "a dangling link in place of the log directory: exit 1"
assert "nothing is created where it points" test ! -e "$T/nowhere"

# --- all links gone: the layout comes back --------------------------------
rm "$T/log"
setup >"$T/setup5.out" 2>&1
ok $? "with the links removed, the script runs" || sed 's/^/# /' "$T/setup5.out"
is "$(mode "$S/state")" "700 $w $w" "state/ is back, the worker's alone"

done_testing
