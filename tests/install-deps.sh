#!/bin/sh
# install-deps.sh: make sure the Debian packages routehook builds, tests
# and demonstrates with are present.  As root it installs what is missing;
# as anyone else it prints the exact apt-get line and exits 1.
set -eu

pkgs="gcc make libc6-dev libfcgi-dev libssl-dev libjson-c-dev libconfig-dev
libcurl4-openssl-dev nginx-light spawn-fcgi python3 openssl curl jq perl
procps valgrind man-db groff-base wrk
apache2 libapache2-mod-fcgid lighttpd systemd logrotate etcd-server"

missing=
for p in $pkgs; do
	st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true)
	case $st in
	*" installed") ;;
	*) missing="$missing $p" ;;
	esac
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
	echo "routehook needs these Debian packages; run as root:" >&2
	echo "  apt-get install -y$missing" >&2
	exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
# The nginx package starts the system's nginx on port 80; the tests and
# the demo run their own, so leave the machine as it was.
# (The same for Apache and lighttpd, which the server-*.t tests start on
# loopback ports of their own, and etcd, whose clusters etcd.t and
# cluster.t start.)
for svc in nginx apache2 lighttpd etcd; do
	if command -v service >/dev/null 2>&1 &&
	    service "$svc" status >/dev/null 2>&1; then
		service "$svc" stop >/dev/null 2>&1 || true
	fi
done
