#!/usr/bin/env bash
# deb.t: the Debian package, the way an administrator meets it.  `make
# deb` builds routehook_VERSION_ARCH.deb (VERSION from lib/version.h);
# its contents are what they should be (programs, man pages, the config
# as a conffile, units, sysusers.d, tmpfiles.d, logrotate, a disabled
# cron file; no packaging files, no setup script); lintian finds no
# error.  Installed with apt-get, it creates the two users, the spool,
# /run/routehook and the two secrets with their owners and modes, and
# enables and starts nothing.  A signed event then goes through nginx and
# the installed responder into the spool, and the installed worker
# (--once, as routehook) applies it to the Genesys stand-in and audits
# it.  Installing again keeps the secrets an administrator wrote and does
# not follow a symlink the spool's owner planted in place of one of its
# directories.  Remove stops a worker daemon started without systemd (as
# the README starts it) and keeps the configuration, secrets, spool and
# audit trail; purge leaves nothing with routehook in its name on the machine
# but the two users (Debian keeps system users), and nothing behind the
# planted link is touched.
#
# Needs root and dpkg-buildpackage; skipped when routehook is already
# installed here, by the package or `make install` (it would be replaced
# and purged).  It starts no system service: nginx, the responder and the
# stand-in are its own, on loopback, stopped at the end, and if anything
# fails it purges what it installed.  Two checkouts running it at once
# take turns (a lock in /run/lock).

# Two checkouts running this at once would install and purge the same
# package under each other: they take turns, waiting before the scratch
# directory is made (a run that is going to skip, below, does not wait).
rh_top=$(cd "$(dirname "$0")/../.." && pwd -P)
if [ "$(id -u)" -eq 0 ] &&
    [ "$(cd "${RH_BUILD:-$rh_top}" 2>/dev/null && pwd -P)" = "$rh_top" ]; then
	exec 9>/run/lock/rh-deb-test.lock
	flock -w 600 9 ||
	    { echo "Bail out! /run/lock/rh-deb-test.lock held for 10 minutes"; exit 1; }
fi
. "$(dirname "$0")/../lib.sh"

[ "$(id -u)" -eq 0 ] || skip_all "needs root: it installs the package"
# The package's programs are built by dpkg-buildpackage from the sources,
# whatever RH_BUILD holds: make check's second pass (RH_BUILD=.san) would
# only repeat the first.
[ "$(cd "$RH_BUILD" 2>/dev/null && pwd -P)" = "$(cd "$RH_TOP" && pwd -P)" ] ||
    skip_all "tests the package built from the sources, not the build in $RH_BUILD"
for c in dpkg-buildpackage dh lintian spawn-fcgi runuser flock; do
	command -v "$c" >/dev/null ||
	    skip_all "no $c (tests/install-deps.sh installs what is missing)"
done

st=$(dpkg-query -W -f '${db:Status-Status}' routehook 2>/dev/null)
case $st in
'' | not-installed) ;;
*) skip_all "the routehook package is on this machine ($st); deb.t would purge it" ;;
esac
for p in /usr/sbin/routehook-fcgi /usr/sbin/routehook-worker \
    /usr/sbin/routehookctl /etc/routehook /var/spool/routehook \
    /var/log/routehook; do
	[ -e "$p" ] && skip_all "$p exists (make install?); deb.t would replace it"
done

deb_installed=
lintian_pid=
deb_cleanup() {
	stop_all
	[ -n "$lintian_pid" ] && stop_pid "$lintian_pid"
	[ -n "$deb_installed" ] &&
	    dpkg -P routehook >>"$T/purge-on-exit.log" 2>&1
	return 0
}
trap 'deb_cleanup; rh_cleanup; exit $?' EXIT

as_routehook() { runuser -u routehook -- "$@"; }
# leftovers: every path with routehook in its name where a package or
# its maintainer scripts put things: /etc, /var and /run whole, and the
# parts of /lib and /usr this one installs into (all of /usr would take
# seconds to walk, and dpkg itself removes what it unpacked).  Scratch
# directories live in /tmp, which is not looked at.
leftovers() {
	find /etc /var /run /opt /lib/systemd /usr/lib/tmpfiles.d \
	    /usr/lib/sysusers.d /usr/sbin /usr/share/doc /usr/share/man \
	    /usr/share/routehook -xdev \
	    \( -path /var/tmp -o -path /var/cache/apt \) -prune -o \
	    -name '*routehook*' -print 2>/dev/null | grep -v '^/run/lock/rh-deb' | sort
}

version=$(sed -n 's/^#define[[:space:]]*ROUTEHOOK_VERSION[[:space:]]*"\(.*\)"/\1/p' \
    "$RH_TOP/lib/version.h")
deb=$T/routehook_${version}_$(dpkg --print-architecture).deb

# The Genesys stand-in, started first: later, the build and lintian
# compete with its start for the processor.
start_standin

# --- build --------------------------------------------------------------
t0=$(date +%s)
# No debug symbols package: nothing here would use it.
env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL DEB_BUILD_OPTIONS=noautodbgsym \
    make -C "$RH_TOP" deb DEBDIR="$T" \
    >"$T/build.log" 2>&1
ok $? "make deb builds the package" || sed 's/^/#   /' "$T/build.log"
[ -f "$deb" ] || bail "no $deb: $(tail -n 20 "$T/build.log")"
diag "make deb took $(($(date +%s) - t0)) s"
assert "and leaves no debian/ in the tree" test ! -e "$RH_TOP/debian"

# lintian is slow: it runs, as an unprivileged user (as root it warns
# into its own checks), while the rest goes on.
chmod 644 "$deb"
runuser -u nobody -- env HOME="$T" lintian --no-tag-display-limit "$deb" \
    >"$T/lintian.log" 2>&1 &
lintian_pid=$!

# --- contents -------------------------------------------------------------
is "$(dpkg-deb -f "$deb" Version)" "$version" "its version is lib/version.h's"
dpkg-deb -c "$deb" | awk '{ print $1, $2, $NF }' >"$T/contents"
has() {	# has MODE PATH
	assert "it ships $2 ($1)" \
	    grep -q -x -F -e "$1 root/root .$2" "$T/contents"
}
for p in routehook-fcgi routehook-worker routehookctl; do
	has -rwxr-xr-x "/usr/sbin/$p"
done
for m in man5/routehook.conf.5.gz man7/routehook.7.gz \
    man8/routehook-fcgi.8.gz man8/routehook-worker.8.gz \
    man8/routehookctl.8.gz; do
	has -rw-r--r-- "/usr/share/man/$m"
done
for u in routehook-fcgi.service routehook-fcgi.socket routehook-worker.service \
    routehook-worker-once.service routehook-worker.timer; do
	has -rw-r--r-- "/lib/systemd/system/$u"
done
for f in /etc/routehook/routehook.conf /etc/logrotate.d/routehook \
    /etc/cron.d/routehook /usr/lib/sysusers.d/routehook.conf \
    /usr/lib/tmpfiles.d/routehook.conf /usr/share/doc/routehook/copyright \
    /usr/share/routehook/nginx/routehook.conf \
    /usr/share/routehook/prometheus/routehook.rules.yml; do
	has -rw-r--r-- "$f"
done
is "$(grep -c -E '/debian/|routehook-setup|\.sample$|/usr/share/routehook/(systemd|cron|logrotate)' \
    "$T/contents")" 0 "no packaging files, setup script, sample or copies of the units"
dpkg-deb --ctrl-tarfile "$deb" | tar -xOf - ./conffiles | sort >"$T/conffiles"
printf '%s\n' /etc/cron.d/routehook /etc/logrotate.d/routehook \
    /etc/routehook/routehook.conf >"$T/conffiles.want"
assert_same "$T/conffiles.want" "$T/conffiles" "the config, cron and logrotate files are conffiles" ||
    sed 's/^/#   /' "$T/conffiles"

# --- install --------------------------------------------------------------
diag "contents checked at $(($(date +%s) - t0)) s"
before=$(leftovers)
deb_installed=1
DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install \
    -y -q --no-install-recommends "$deb" >"$T/install.log" 2>&1
ok $? "apt-get install ./routehook_${version}_*.deb" ||
    sed 's/^/#   /' "$T/install.log"
is "$(dpkg-query -W -f '${db:Status-Status}' routehook)" installed "dpkg has it installed"
if [ -d /run/systemd/system ]; then
	diag "systemd is running: units are installed for it"
else
	diag "systemd is not PID 1 here: the package must (and does) do without it"
fi

id -u routehook >/dev/null 2>&1 && id -u routehook-fcgi >/dev/null 2>&1
ok $? "the users routehook and routehook-fcgi exist"
id -nG routehook-fcgi | tr ' ' '\n' | grep -qx routehook
ok $? "routehook-fcgi is in group routehook"
is "$(mode /var/spool/routehook)" "750 routehook routehook" "spool"
for d in tmp new; do
	is "$(mode /var/spool/routehook/$d)" "2770 routehook routehook" "spool $d/"
done
for d in cur deferred dead; do
	is "$(mode /var/spool/routehook/$d)" "750 routehook routehook" "spool $d/"
done
is "$(mode /var/spool/routehook/state)" "700 routehook routehook" "spool state/"
is "$(mode /var/spool/routehook/seen)" "700 routehook-fcgi routehook" "spool seen/: the responder's"
is "$(mode /var/log/routehook)" "750 routehook routehook" "/var/log/routehook"
is "$(mode /run/routehook)" "755 root root" "/run/routehook"
is "$(mode /etc/routehook/webhook.secret)" "600 routehook-fcgi routehook-fcgi" \
    "webhook secret: the responder's alone"
assert "and a random one" \
    grep -qx '[0-9a-f]\{64\}' /etc/routehook/webhook.secret
is "$(mode /etc/routehook/client.secret)" "600 routehook routehook" \
    "client secret: the worker's alone"
is "$(wc -c </etc/routehook/client.secret)" 0 "and empty, for the administrator"
assert_same "$RH_TOP/etc/routehook.conf" /etc/routehook/routehook.conf \
    "/etc/routehook/routehook.conf is the annotated sample"
is "$(find /etc/systemd -name 'routehook*' 2>/dev/null | wc -l)" 0 \
    "no unit is enabled"
is "$(pgrep -f '^/usr/sbin/routehook' | wc -l)" 0 "nothing is started"
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^[A-Z_]*=' \
    /etc/cron.d/routehook >"$T/cron.active"
is "$(wc -l <"$T/cron.active")" 0 "the cron file has no active job"
sed -n 's/^#\(\*.*routehook-worker.*\)/\1/p' /etc/cron.d/routehook >"$T/cron.job"
grep -q '[[:space:]]test -x /usr/sbin/routehook-worker && ' "$T/cron.job"
ok $? "its job does nothing once the package is removed (test -x)"
grep -v -e '^[[:space:]]*#' -e '^[[:space:]]*$' -e '^[A-Z_]*=' \
    "$RH_TOP/contrib/cron/routehook" >"$T/cron.want"
sed 's|test -x /usr/sbin/routehook-worker && ||' "$T/cron.job" >"$T/cron.unguarded"
assert_same "$T/cron.want" "$T/cron.unguarded" \
    "and removing one '#' enables contrib/cron/routehook's job"

diag "installed at $(($(date +%s) - t0)) s"

# --- a signed event, through the installed programs ------------------------
# The administrator's part: the OAuth client's secret in client.secret,
# the client id and (here) the stand-in's address in the config.  The
# spool, secrets and audit file are the package's defaults.
cat "$T/client.secret" >/etc/routehook/client.secret
cat >"$T/routehook.conf" <<CONF
genesys = {
  api_base = "$STANDIN_URL";
  login_base = "$STANDIN_URL";
  client_id = "test-client";
  ca_file = "$T/certs/ca.pem";
};
CONF
chmod 644 "$T/routehook.conf"
spawn-fcgi -n -s "$T/fcgi.sock" -M 0666 -u routehook-fcgi -g routehook -- \
    /usr/sbin/routehook-fcgi -c "$T/routehook.conf" 2>>"$T/fcgi.log" &
fcgi_pid=$!
track "$fcgi_pid"
wait_for 10 responder_up "$fcgi_pid" && kill -0 "$fcgi_pid" 2>/dev/null ||
    bail "the installed responder did not start: $(cat "$T/fcgi.log")"
start_nginx
user=00000000-0000-4000-8000-00000000d0eb
status_event "$user" available "$(date -u +%Y-%m-%dT%H:%M:%S.000Z)" >"$T/event.json"
code=$(post "$T/event.json" \
    -H "X-Genesys-Signature: $(sign "$T/event.json" /etc/routehook/webhook.secret)")
is "$code" 202 "the installed responder accepts a signed event" ||
    diag "$(cat "$T/response") $(cat "$T/fcgi.log")"
id=$(jq -r '.id // empty' "$T/response" 2>/dev/null)
[ -n "$id" ] && cmp -s "$T/event.json" "/var/spool/routehook/new/$id"
ok $? "and stores it in /var/spool/routehook/new/"
as_routehook /usr/sbin/routehook-worker -c "$T/routehook.conf" --once \
    2>>"$T/worker.log"
ok $? "the installed worker, as routehook, makes one pass" ||
    sed 's/^/#   /' "$T/worker.log"
jq -e -s --arg id "$id" 'map(select(.event_id == $id and .outcome == "applied")) | length == 1' \
    /var/log/routehook/audit.jsonl >/dev/null 2>&1
ok $? "the event is applied, in /var/log/routehook/audit.jsonl" ||
    sed 's/^/#   /' /var/log/routehook/audit.jsonl "$T/worker.log"
[ "$(journal "[.[] | select(.user == \"$user\" and .status == 200)] | length")" -ge 1 ]
ok $? "the stand-in received its API call"
stop_all

# --- install again, with a planted link ------------------------------------
# The spool's owner can replace any of the spool's directories with a
# symlink; root's postinst must not follow it and hand over the target.
mkdir "$T/victim"
echo precious >"$T/victim/file"
chmod 755 "$T/victim"
as_routehook sh -c "mv /var/spool/routehook/state /var/spool/routehook/state.old &&
    ln -s '$T/victim' /var/spool/routehook/state"
ok $? "routehook plants a symlink in place of spool/state/"
cp -p /etc/routehook/client.secret "$T/client.secret.before"
cp -p /etc/routehook/webhook.secret "$T/webhook.secret.before"
dpkg -i "$deb" >"$T/reinstall.log" 2>&1
ok $? "installing the package again succeeds" || sed 's/^/#   /' "$T/reinstall.log"
is "$(mode "$T/victim")" "755 root root" "the link's target keeps its owner and mode"
is "$(mode "$T/victim/file")" "644 root root" "and so does what it holds"
cmp -s "$T/client.secret.before" /etc/routehook/client.secret &&
    cmp -s "$T/webhook.secret.before" /etc/routehook/webhook.secret
ok $? "the secrets are kept as they were"
is "$(mode /etc/routehook/client.secret)" "600 routehook routehook" \
    "with their owner and mode"

diag "reinstalled at $(($(date +%s) - t0)) s"

# The spool's state/ back in place (the worker keeps its pid file there),
# and a link planted inside the spool instead, for purge to meet.
as_routehook sh -c "rm /var/spool/routehook/state &&
    mv /var/spool/routehook/state.old /var/spool/routehook/state &&
    ln -s '$T/victim' /var/spool/routehook/cur/planted"
ok $? "routehook puts state/ back and plants a link in cur/"

# --- remove, then purge ----------------------------------------------------
# The worker daemon without systemd, started as the README says; remove
# must stop it before its program goes.
start-stop-daemon --start --background --chuid routehook:routehook \
    --exec /usr/sbin/routehook-worker -- -c "$T/routehook.conf" -l syslog
wait_for 10 pgrep -u routehook -f '^/usr/sbin/routehook-worker'
ok $? "the worker runs as a daemon from start-stop-daemon, as routehook"
dpkg -r routehook >"$T/remove.log" 2>&1
ok $? "dpkg -r routehook" || sed 's/^/#   /' "$T/remove.log"
is "$(pgrep -f '^/usr/sbin/routehook' | wc -l)" 0 "remove stopped it"
[ ! -e /usr/sbin/routehook-worker ] && [ ! -e /lib/systemd/system/routehook-worker.service ]
ok $? "remove takes the programs and units"
[ -f /etc/routehook/routehook.conf ] && [ -s /etc/routehook/client.secret ] &&
    [ -f /var/log/routehook/audit.jsonl ] && [ -d /var/spool/routehook/cur ]
ok $? "and keeps the config, the secrets, the spool and the audit trail"

dpkg -P routehook >"$T/purge.log" 2>&1
ok $? "dpkg -P routehook" || sed 's/^/#   /' "$T/purge.log"
deb_installed=
after=$(leftovers)
is "$after" "$before" "purge leaves nothing with routehook in its name" ||
    diff <(echo "$before") <(echo "$after") | sed 's/^/#   /'
[ ! -e /etc/routehook ] && [ ! -e /var/spool/routehook ] &&
    [ ! -e /var/log/routehook ] && [ ! -e /run/routehook ]
ok $? "no /etc/routehook, spool, log directory or /run/routehook"
id -u routehook >/dev/null 2>&1 && id -u routehook-fcgi >/dev/null 2>&1
ok $? "the system users stay, as Debian policy has it"
[ -f "$T/victim/file" ] && [ "$(mode "$T/victim")" = "755 root root" ]
ok $? "and purge did not follow the planted link"

diag "purged at $(($(date +%s) - t0)) s"

# --- lintian ---------------------------------------------------------------
wait "$lintian_pid"
lintian_pid=
grep '^E: ' "$T/lintian.log" >"$T/lintian.errors"
is "$(wc -l <"$T/lintian.errors")" 0 "lintian reports no error" ||
    sed 's/^/#   /' "$T/lintian.errors"
grep -E '^[WI]: ' "$T/lintian.log" | sed 's/^/# lintian: /'
diag "deb.t took $(($(date +%s) - t0)) s"

done_testing
