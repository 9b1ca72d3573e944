#!/usr/bin/env bash
# ctl-check.t: `routehookctl check` says "configuration OK" (exit 0) for a
# good config and, for each kind of broken one, names every problem as
# FILE:LINE: message (exit 100) without creating or changing anything.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
conf=$T/routehook.conf

# write_config puts spool_dir on line 1, receiver.secret_file on line 3,
# the receiver lines given on line 4 and the top-level ones from line 6;
# ctl_config puts the audit file on line 6 and its extra lines after it.
ctl_config
ctl_spool
run check
is "$rc" 0 "a good config: exit 0"
is "$(cat "$T/out")" "configuration OK" "a good config: configuration OK"

# Syntax error.
printf 'spool_dir = "%s";\nreceiver = {\n  secret_file = ;\n};\n' \
    "$T/spool" >"$conf"
run check
is "$rc" 100 "a syntax error: exit 100"
assert_file_has "$T/out" "$conf:3:" "a syntax error names FILE:LINE"

# Unknown key.
ctl_config 'secret_fiel = "x";'
run check
is "$rc" 100 "an unknown key: exit 100"
assert_file_has "$T/out" "$conf:4: unknown key" "an unknown key names FILE:LINE"

# Missing secret file.
printf 'spool_dir = "%s";\nreceiver = {\n  secret_file = "%s";\n};\naudit = { file = "%s"; };\n' \
    "$T/spool" "$T/nope.secret" "$T/audit.jsonl" >"$conf"
run check
is "$rc" 100 "a missing secret file: exit 100"
assert_file_has "$T/out" "$conf:3: receiver.secret_file $T/nope.secret: No such file or directory" \
    "a missing secret file is named with its line"

# Secrets readable by others.
ctl_config
chmod 644 "$T/webhook.secret"
run check
is "$rc" 100 "a world-readable secret: exit 100"
assert_file_has "$T/out" "$conf:3: receiver.secret_file $T/webhook.secret: readable by others (chmod 600)" \
    "a world-readable secret is named with its line"
chmod 640 "$T/webhook.secret"
run check
is "$rc" 100 "a group-readable secret: exit 100"
assert_file_has "$T/out" "readable by others (chmod 600)" \
    "a group-readable secret is a problem too"
chmod 600 "$T/webhook.secret"
: >"$T/empty.secret"
chmod 600 "$T/empty.secret"
printf 'spool_dir = "%s";\nreceiver = {\n  secret_files = ["%s", "%s"];\n};\naudit = { file = "%s"; };\n' \
    "$T/spool" "$T/webhook.secret" "$T/empty.secret" "$T/audit.jsonl" >"$conf"
run check
is "$rc" 100 "an empty secret among two: exit 100"
assert_file_has "$T/out" "$conf:3: receiver.secret_files[1]" \
    "the empty one is named by its index"
refute "the good one is not" grep -q 'secret_files\[0\]' "$T/out"

# The client id, and its secret.
ctl_config '' "genesys = { client_secret_file = \"$T/nope.secret\"; };"
run check
is "$rc" 100 "no client_id: exit 100, the worker would refuse to start"
assert_file_has "$T/out" "$conf: genesys.client_id is not set" "... and says so"
ctl_config '' "genesys = { client_id = \"abc\";
  client_secret_file = \"$T/client.secret\"; };"
printf 'client-secret\n' >"$T/client.secret"
chmod 604 "$T/client.secret"
run check
is "$rc" 100 "a world-readable client secret: exit 100"
assert_file_has "$T/out" "$conf:8: genesys.client_secret_file $T/client.secret: readable by others (chmod 600)" \
    "the client secret is named with its line"
chmod 600 "$T/client.secret"
run check
is "$rc" 0 "with the client secret fixed: OK"

# The spool: missing, partly missing, not a directory, not writable.
ctl_config
rm -rf "$T/spool"
run check
is "$rc" 100 "a missing spool: exit 100"
assert_file_has "$T/out" "$conf:1: spool_dir $T/spool: missing" \
    "a missing spool is named"
assert "check does not create the spool" test ! -e "$T/spool"
ctl_spool
rmdir "$T/spool/dead"
run check
is "$rc" 100 "a missing spool subdirectory: exit 100"
assert_file_has "$T/out" "$conf:1: spool_dir $T/spool/dead: missing" \
    "the missing subdirectory is named"
ctl_spool
rm -rf "$T/spool"
: >"$T/spool"
run check
assert_file_has "$T/out" "$conf:1: spool_dir $T/spool: not a directory" \
    "a file as the spool is named"
rm -f "$T/spool"
ctl_spool
if [ "$(id -u)" -eq 0 ]; then
	# root writes anywhere: ask as nobody, to whom the spool is not open.
	chmod 755 "$T/spool" "$T/spool"/*
	setpriv --reuid=65534 --regid=65534 --clear-groups \
	    "$CTL" -c "$conf" check >"$T/out" 2>>"$T/ctl.log"
	rc=$?
else
	chmod 555 "$T/spool/new"
	run check
fi
is "$rc" 100 "an unwritable spool directory: exit 100"
assert_file_has "$T/out" "not writable: Permission denied" \
    "an unwritable spool directory is named"
chmod 755 "$T/spool/new"
chmod 700 "$T/spool/state"

# The audit file's directory, and the file.
write_config '' "audit = { file = \"$T/logs/audit.jsonl\"; };"
run check
is "$rc" 100 "a missing audit directory: exit 100"
assert_file_has "$T/out" "audit.file $T/logs/audit.jsonl: directory $T/logs: missing" \
    "the audit directory is named"
mkdir "$T/logs/"
mkdir "$T/logs/audit.jsonl"
run check
assert_file_has "$T/out" "audit.file $T/logs/audit.jsonl: not a regular file" \
    "an audit file that is a directory"

# ca_file: not PEM, a broken PEM, a good one.
ctl_config '' "genesys = { ca_file = \"$T/ca.pem\"; client_id = \"abc\"; client_secret_file = \"$T/client.secret\"; };"
echo "not a certificate" >"$T/ca.pem"
run check
is "$rc" 100 "a ca_file with no certificate: exit 100"
assert_file_has "$T/out" "$conf:7: genesys.ca_file $T/ca.pem: no PEM certificate in it" \
    "a ca_file with no certificate is named with its line"
printf -- '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n' >"$T/ca.pem"
run check
is "$rc" 100 "a ca_file with a broken certificate: exit 100"
assert_file_has "$T/out" "$conf:7: genesys.ca_file $T/ca.pem: certificate 1: not valid PEM" \
    "a broken certificate is named"
rm -f "$T/ca.pem"
run check
assert_file_has "$T/out" "$conf:7: genesys.ca_file $T/ca.pem: No such file or directory" \
    "a missing ca_file"
make_certs "$T/certs"
ctl_config '' "genesys = { ca_file = \"$T/certs/ca.pem\"; client_id = \"abc\"; client_secret_file = \"$T/client.secret\"; };"
run check
is "$rc" 0 "a good ca_file: OK"

# Every problem at once, each on its line.
ctl_config '' "genesys = { ca_file = \"$T/ca.pem\"; client_id = \"abc\"; client_secret_file = \"$T/client.secret\"; };"
chmod 644 "$T/webhook.secret"
rm -rf "$T/spool"
run check
is "$rc" 100 "several problems: exit 100"
is "$(wc -l <"$T/out")" 3 "several problems: one line each"
chmod 600 "$T/webhook.secret"

# The privilege split, asked for the users that run each program rather
# than for root: the worker is the spool's owner (here daemon), the
# responder the webhook secret's owner (here nobody).
if [ "$(id -u)" -eq 0 ] && id daemon >/dev/null 2>&1 &&
    id nobody >/dev/null 2>&1; then
	ctl_config
	ctl_spool
	run check
	is "$rc" 0 "before the split: OK"
	chown daemon "$T/spool" "$T/spool/state"
	chown nobody "$T/webhook.secret"
	run check
	is "$rc" 100 "split: the worker cannot read a client secret root owns"
	assert_file_has "$T/out" "genesys.client_secret_file $T/client.secret: not readable by daemon, who owns the spool and runs the worker" \
	    "... named, with the user"
	assert_file_has "$T/out" "spool_dir $T/spool/new: not writable by nobody, who owns the webhook secret and so runs the responder" \
	    "split: the responder cannot write new/"
	chown daemon "$T/client.secret"
	chown -R daemon "$T/spool"
	chgrp -R nogroup "$T/spool/tmp" "$T/spool/new"
	chmod 2770 "$T/spool/tmp" "$T/spool/new"
	: >"$T/audit.jsonl"
	run check
	assert_file_has "$T/out" "audit.file $T/audit.jsonl: not writable by daemon" \
	    "split: an audit file the worker cannot append to"
	chown daemon "$T/audit.jsonl"
	chown daemon "$T/."
	run check
	is "$rc:$(cat "$T/out")" "0:configuration OK" \
	    "split laid out right: OK as root, for both users"
	chown root "$T/spool/state"
	run check
	assert_file_has "$T/out" "spool_dir $T/spool/state: owned by root, not by daemon" \
	    "split: state/ owned by another user"
	chown -R root "$T/spool" "$T/client.secret" "$T/webhook.secret" \
	    "$T/audit.jsonl" "$T/."
	chgrp -R root "$T/spool"
	chmod 755 "$T/spool/tmp" "$T/spool/new"
else
	skip "the privilege split checks" "need root and the users daemon and nobody"
fi

# --online (a real token fetch and the permission probes) is
# tests/t/ctl-online.t's.

# A config that is not there.
"$CTL" -c "$T/none.conf" check >"$T/out" 2>>"$T/ctl.log"
is $? 100 "a missing config: exit 100"
assert_file_has "$T/out" "$T/none.conf" "a missing config is named"

done_testing
