#!/bin/sh
# install-deps.sh: make sure the Debian packages routehook builds, tests,
# packages and demonstrates with are present.  As root it installs what
# is missing; as anyone else it prints the exact apt-get line and exits 1.
#
# It never starts, stops, restarts or reconfigures a service.  Packages
# such as nginx, apache2, lighttpd and prometheus start their service from
# their postinst (invoke-rc.d, deb-systemd-invoke); both ask
# /usr/sbin/policy-rc.d first, so while apt-get runs a policy-rc.d that
# answers 101 ("action forbidden") is put in place, and removed again
# afterwards, on any exit.  A policy-rc.d that is already there is the
# administrator's, and is left as it is.  A service that was running
# before keeps running: the tests and the demo start their own servers on
# loopback ports and never touch the system's.
#
# Environment: RH_POLICY_RC_D, the policy-rc.d path (tests/t/install-deps.t
# points it into a scratch directory; default /usr/sbin/policy-rc.d).
set -eu

pkgs="gcc make libc6-dev libfcgi-dev libssl-dev libjson-c-dev libconfig-dev
libcurl4-openssl-dev zlib1g-dev nginx-light spawn-fcgi python3 openssl curl jq perl
procps valgrind man-db groff-base wrk clang libclang-rt-14-dev
apache2 libapache2-mod-fcgid lighttpd systemd logrotate etcd-server
dpkg-dev debhelper lintian prometheus"

# One dpkg-query for them all (one per package took a second or more of
# CPU at every make check); it names the installed ones, and says
# nothing of a package it does not know.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $pkgs 2>/dev/null |
    sed -n 's/^\([^ ]*\) .* installed$/\1/p' | tr '\n' ' ') "
missing=
for p in $pkgs; do
	case $installed in
	*" $p "*) ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "routehook needs these Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi

policy=${RH_POLICY_RC_D:-/usr/sbin/policy-rc.d}
if [ ! -e "$policy" ] && [ ! -L "$policy" ]; then
	# Created under another name and renamed, so that a half-written
	# file is never run; removed by the trap whatever happens next.
	trap 'rm -f "$policy" "$policy.routehook"' EXIT
	trap 'exit 1' INT TERM HUP
	printf '%s\n' '#!/bin/sh' \
	    '# routehook tests/install-deps.sh: no service starts while it installs.' \
	    'exit 101' >"$policy.routehook"
	chmod 755 "$policy.routehook"
	mv "$policy.routehook" "$policy"
fi

echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
# Another apt-get or dpkg may be running (another checkout's make check):
# wait for its lock rather than fail.
apt-get -o DPkg::Lock::Timeout=600 update -q
# shellcheck disable=SC2086
apt-get -o DPkg::Lock::Timeout=600 install -y -q --no-install-recommends \
    $missing
