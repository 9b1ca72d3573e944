#!/usr/bin/env bash
# install.t: `make install PREFIX=/usr DESTDIR=...` puts exactly the
# expected files, with their modes, under DESTDIR and nowhere else; keeps
# an existing routehook.conf and the mode of an existing directory;
# rewrites the systemd units for another PREFIX; and `make uninstall`
# removes exactly what was installed, leaving only directories (and the
# administrator's own routehook.conf).
#
# The expected list is worked out here from the tree, independently of
# the Makefile: the programs whose main() exists, the man pages written
# so far, the sample config, every file in contrib/ but the Debian
# packaging (contrib/debian), and the units again
# for systemd.
. "$(dirname "$0")/../lib.sh"

R=$T/root
cd "$RH_TOP" || bail "no $RH_TOP"

# mk TARGET...: make in the tree for the build under test, quietly.  The
# build is what the suite already tested (-o all: never rebuilt here,
# perhaps with other flags).
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL \
	    make -C "$RH_TOP" -o all B="$RH_BUILD" "$@" >>"$T/make.log" 2>&1
}

# --- what must be installed ------------------------------------------------
{
	for p in fcgi/routehook-fcgi worker/routehook-worker worker/routehookctl; do
		[ -f "$p.c" ] && echo "755 usr/sbin/${p##*/}"
	done
	for m in fcgi/routehook-fcgi.8 worker/routehook-worker.8 \
	    worker/routehookctl.8 etc/routehook.conf.5 etc/routehook.7; do
		[ -f "$m" ] && echo "644 usr/share/man/man${m##*.}/${m##*/}"
	done
	echo "644 etc/routehook/routehook.conf.sample"
	find contrib -path contrib/debian -prune -o -type f ! -name '.*' ! -name '*~' -print | while read -r f; do
		case $f in
		*.sh) echo "755 usr/share/routehook/${f#contrib/}" ;;
		*) echo "644 usr/share/routehook/${f#contrib/}" ;;
		esac
		case $f in
		contrib/systemd/*.service | contrib/systemd/*.socket | \
		contrib/systemd/*.timer)
			echo "644 usr/lib/systemd/system/${f##*/}" ;;
		esac
	done
	echo "640 etc/routehook/routehook.conf"	# the administrator's own
} | sort -k2 >"$T/expected"

# An administrator's config, in a directory set up by routehook-setup.sh.
mkdir -p "$R/etc/routehook"
chmod 750 "$R/etc/routehook"
printf 'spool_dir = "/srv/mine";\n' >"$R/etc/routehook/routehook.conf"
chmod 640 "$R/etc/routehook/routehook.conf"
cp "$R/etc/routehook/routehook.conf" "$T/conf.before"

# --- install ---------------------------------------------------------------
assert "make install DESTDIR=... PREFIX=/usr" \
    mk install DESTDIR="$R" PREFIX=/usr || sed 's/^/#   /' "$T/make.log"

find "$R" -type f -printf '%m %P\n' | sort -k2 >"$T/got"
diff "$T/expected" "$T/got" >"$T/diff"
ok $? "exactly the expected files, with their modes" ||
    sed 's/^/#   /' "$T/diff"
is "$(find "$R" ! -type f ! -type d | wc -l)" 0 "nothing but files and directories"

# Every path the install wrote (its own trace) is under DESTDIR.
grep -E '^(install -m|sed )' "$T/make.log" | awk '{print $NF}' |
    sed 's/^>//' >"$T/written"
is "$(grep -vc "^$R/" "$T/written")" 0 "every path written is under DESTDIR"
is "$(wc -l <"$T/written")" "$(($(wc -l <"$T/expected") - 1))" \
    "and one write per installed file"

for p in fcgi/routehook-fcgi worker/routehook-worker worker/routehookctl; do
	[ -f "$p.c" ] || continue
	assert_same "$RH_BUILD/$p" "$R/usr/sbin/${p##*/}" \
	    "usr/sbin/${p##*/} is the build under test"
done
assert_same etc/routehook.conf "$R/etc/routehook/routehook.conf.sample" \
    "the sample config is etc/routehook.conf"
assert_same "$T/conf.before" "$R/etc/routehook/routehook.conf" \
    "an existing routehook.conf is left alone"
is "$(stat -c %a "$R/etc/routehook")" 750 "an existing directory keeps its mode"
cmp -s contrib/systemd/routehook-fcgi.service \
    "$R/usr/lib/systemd/system/routehook-fcgi.service"
ok $? "with PREFIX=/usr the units are contrib's"

assert "make install PREFIX=/opt/rh" mk install DESTDIR="$T/opt" PREFIX=/opt/rh
grep -h '^ExecStart=' "$T"/opt/opt/rh/lib/systemd/system/*.service |
    cut -d' ' -f1 | sort -u >"$T/execstart"
printf '%s\n' ExecStart=/opt/rh/sbin/routehook-fcgi \
    ExecStart=/opt/rh/sbin/routehook-worker >"$T/execstart.want"
diff "$T/execstart.want" "$T/execstart" >/dev/null
ok $? "units installed for systemd run the programs from PREFIX/sbin" ||
    sed 's/^/#   /' "$T/execstart"
cmp -s contrib/systemd/routehook-fcgi.service \
    "$T/opt/opt/rh/share/routehook/systemd/routehook-fcgi.service"
ok $? "the copies under share/ are contrib's, unchanged"

mk install DESTDIR="$R" PREFIX=/usr
find "$R" -type f -printf '%m %P\n' | sort -k2 >"$T/got2"
assert_same "$T/got" "$T/got2" "installing again changes nothing"

# --- uninstall -------------------------------------------------------------
assert "make uninstall" mk uninstall DESTDIR="$R" PREFIX=/usr
is "$(find "$R" -type f -printf '%P\n')" etc/routehook/routehook.conf \
    "only the administrator's routehook.conf is left"
assert_same "$T/conf.before" "$R/etc/routehook/routehook.conf" \
    "and it is intact"
is "$(find "$R/usr" ! -type d | wc -l)" 0 "under usr/ only directories remain"
assert "share/routehook is gone" test ! -e "$R/usr/share/routehook"
mk uninstall DESTDIR="$T/opt" PREFIX=/opt/rh
is "$(find "$T/opt" ! -type d | wc -l)" 0 "uninstall of PREFIX=/opt/rh leaves no file"

done_testing
