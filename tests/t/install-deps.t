#!/usr/bin/env bash
# install-deps.t: tests/install-deps.sh (what `make check` and `make demo`
# run first) installs what is missing without starting, stopping or
# restarting any service: a web server running before it is still
# running after it, with the same pid; while apt-get runs, policy-rc.d
# forbids every service action; the policy-rc.d it put there is gone
# afterwards, and one that was there before is left untouched.
#
# apt-get and dpkg-query are stand-ins in $T/bin that record how they
# were called (the real ones would change this machine); service,
# systemctl and invoke-rc.d are stand-ins that record any call at all.
# As another user than root only the printed apt-get line is checked.
. "$(dirname "$0")/../lib.sh"
not_in_san_pass

S=$T/bin
mkdir -p "$S"
# Every package is missing.
printf '#!/bin/sh\nexit 1\n' >"$S/dpkg-query"
# apt-get records its arguments, and what policy-rc.d answers for
# starting and stopping nginx at that moment.
cat >"$S/apt-get" <<'STUB'
#!/bin/sh
echo "apt-get $*" >>"$RH_STUB_LOG"
if [ "$*" != "${*#* install }" ]; then
	"$RH_POLICY_RC_D" nginx start; echo "policy start $?" >>"$RH_STUB_LOG"
	"$RH_POLICY_RC_D" nginx stop; echo "policy stop $?" >>"$RH_STUB_LOG"
fi
exit 0
STUB
for s in service systemctl invoke-rc.d deb-systemd-invoke; do
	printf '#!/bin/sh\necho "%s $*" >>"$RH_STUB_LOG"\n' "$s" >"$S/$s"
done
chmod 755 "$S"/*
export RH_STUB_LOG=$T/stub.log
: >"$RH_STUB_LOG"

deps() {
	PATH=$S:$PATH RH_POLICY_RC_D=$T/policy-rc.d \
	    sh "$RH_TOP/tests/install-deps.sh" >"$T/deps.out" 2>&1
}

if [ "$(id -u)" -ne 0 ]; then
	deps
	is $? 1 "as another user it exits 1"
	assert "and prints the apt-get line" \
	    grep -q '^  apt-get install -y .*nginx-light.*prometheus' "$T/deps.out" || sed 's/^/# /' "$T/deps.out"
	is "$(cat "$RH_STUB_LOG")" "" "and runs nothing"
	done_testing
	exit
fi

# A web server of the machine's, running before.
write_config
start_nginx
nginx_pid=$(cat "$T/nginx/nginx.pid")

assert "install-deps.sh succeeds" deps || sed 's/^/# /' "$T/deps.out"
grep -q '^apt-get .* install -y -q --no-install-recommends .*nginx-light' \
    "$RH_STUB_LOG"
ok $? "it installs what is missing with apt-get" || sed 's/^/# /' "$RH_STUB_LOG"
assert "while apt-get runs, policy-rc.d forbids starting a service" \
    grep -qx 'policy start 101' "$RH_STUB_LOG"
assert "and stopping one" grep -qx 'policy stop 101' "$RH_STUB_LOG"
is "$(grep -c -E '^(service|systemctl|invoke-rc.d|deb-systemd-invoke) ' \
    "$RH_STUB_LOG")" 0 "it never asks for a service action itself" ||
    sed 's/^/# /' "$RH_STUB_LOG"
[ ! -e "$T/policy-rc.d" ] && [ ! -e "$T/policy-rc.d.routehook" ]
ok $? "its policy-rc.d is removed afterwards"
kill -0 "$nginx_pid" 2>/dev/null &&
    [ "$(cat "$T/nginx/nginx.pid")" = "$nginx_pid" ]
ok $? "the nginx running before is still running, the same process"
assert "and still answers" curl -s -o /dev/null "$NGINX_URL/"

# The administrator's own policy-rc.d stays as it was.
printf '#!/bin/sh\n# the administrator'"'"'s\nexit 0\n' >"$T/policy-rc.d"
chmod 755 "$T/policy-rc.d"
cp -p "$T/policy-rc.d" "$T/policy.before"
: >"$RH_STUB_LOG"
assert "install-deps.sh succeeds beside an existing policy-rc.d" deps
assert_same "$T/policy.before" "$T/policy-rc.d" "which it leaves as it was"
assert "and which apt-get's packages obey" \
    grep -qx 'policy start 0' "$RH_STUB_LOG"

done_testing
