#!/usr/bin/env bash
# privsep.t: the privilege split of contrib/routehook-setup.sh, lived out
# by the harness's two users (RH_SPLIT in tests/lib.sh): the responder's
# user can read its webhook secret and drop events into tmp/ and new/, and
# nothing more (not the OAuth client secret, not cur/ deferred/ dead/
# state/); the worker's user can read and claim what the responder
# dropped.  Then the real responder, running as the responder's user
# behind nginx, accepts an event that the worker's user can claim.  Needs
# root (the users are created, once, by the script under test).
RH_SPLIT=1
. "$(dirname "$0")/../lib.sh"

w=$RH_WORK_USER		# the worker's user (and the spool's group)
f=$RH_WEB_USER		# the responder's user

# The layout split_setup gives the script: $T is the config directory.
S=$T/spool
E=$T
cat >"$E/routehook.conf" <<CONF
spool_dir = "$S";
receiver = { secret_file = "$E/webhook.secret"; };
genesys = { client_id = "privsep-test"; client_secret_file = "$E/client.secret"; };
CONF

# --- the layout ----------------------------------------------------------
split_setup "$T/setup.out"
ok $? "routehook-setup.sh succeeds" || sed 's/^/# /' "$T/setup.out"
id -nG "$f" | tr ' ' '\n' | grep -qx "$w"
ok $? "the responder's user is in the spool's group"
is "$(mode "$E")" "750 root $w" "config directory"
is "$(mode "$E/routehook.conf")" "640 root $w" "config file"
is "$(mode "$E/webhook.secret")" "600 $f $f" "webhook secret: the responder's"
is "$(mode "$E/client.secret")" "600 $w $w" "client secret: the worker's"
is "$(wc -c <"$E/webhook.secret")" 65 "a random webhook secret was made"
is "$(mode "$S")" "750 $w $w" "spool"
for d in tmp new; do
	is "$(mode "$S/$d")" "2770 $w $w" "spool $d/: group-writable, set-gid"
done
for d in cur deferred dead; do
	is "$(mode "$S/$d")" "750 $w $w" "spool $d/: the worker's"
done
is "$(mode "$S/state")" "700 $w $w" "spool state/: the worker's alone"
is "$(mode "$S/seen")" "700 $f $w" "spool seen/: the responder's alone"
is "$(mode "$T/log")" "750 $w $w" "log directory"

cp "$E/webhook.secret" "$T/secret.before"
chmod 644 "$S/new"
split_setup "$T/setup2.out"
ok $? "routehook-setup.sh runs again"
refute "and creates nothing twice" grep -q created "$T/setup2.out"
assert_same "$E/webhook.secret" "$T/secret.before" "an existing secret is kept"
is "$(mode "$S/new")" "2770 $w $w" "a wrong mode is put back"

printf 'the-oauth-client-secret\n' >"$E/client.secret"
printf 'state\n' >"$S/state/token"
chown "$w:$w" "$S/state/token"
chmod 600 "$S/state/token"

# --- what the responder's user can and cannot do ------------------------
assert "responder user reads the webhook secret" \
    quietly as_web cat "$E/webhook.secret"
assert "responder user reads the config" \
    quietly as_web cat "$E/routehook.conf"
refute "responder user cannot read the client secret" \
    quietly as_web cat "$E/client.secret"
assert "responder user creates a file in tmp/" \
    quietly as_web sh -c "echo '{}' >'$S/tmp/ev1'"
assert "responder user renames it into new/" \
    quietly as_web mv "$S/tmp/ev1" "$S/new/ev1"
is "$(stat -c %G "$S/new/ev1" 2>/dev/null)" "$w" "the event has the spool's group"
for d in cur deferred dead state; do
	refute "responder user cannot create a file in $d/" \
	    quietly as_web sh -c "echo x >'$S/$d/x'"
	refute "responder user cannot rename an event into $d/" \
	    quietly as_web mv "$S/new/ev1" "$S/$d/ev1"
done
printf 'x' >"$S/dead/old"
chown "$w:$w" "$S/dead/old"
chmod 640 "$S/dead/old"
refute "responder user cannot take an event out of dead/" \
    quietly as_web mv "$S/dead/old" "$S/new/old"
refute "responder user cannot list state/" \
    quietly as_web ls "$S/state"
refute "responder user cannot read the worker's state" \
    quietly as_web cat "$S/state/token"
assert "responder user makes an entry in seen/" \
    quietly as_web ln -s . "$S/seen/probe"
refute "worker user cannot (seen/ is the responder's)" \
    quietly as_work ln -s . "$S/seen/probe2"
rm -f "$S/seen/probe" "$S/seen/probe2"

# --- what the worker's user can do ----------------------------------------
assert "worker user reads the client secret" \
    quietly as_work cat "$E/client.secret"
assert "worker user reads the responder's event" \
    quietly as_work cat "$S/new/ev1"
assert "worker user claims it (new/ -> cur/)" \
    quietly as_work mv "$S/new/ev1" "$S/cur/ev1"

# --- the real programs, each as its user ----------------------------------
mkdir -p "$T/bin"
if [ -x "$WORKER" ]; then
	cp "$WORKER" "$T/bin/routehook-worker"
	assert "routehook-worker -t as the worker's user: configuration OK" \
	    quietly as_work "$T/bin/routehook-worker" -c "$E/routehook.conf" -t
	as_web "$T/bin/routehook-worker" -c "$E/routehook.conf" -t \
	    >"$T/worker-t.out" 2>&1
	is "$?" 100 "routehook-worker -t as the responder's user: refused"
	assert "because it cannot read the client secret" \
	    grep -q 'client.secret.*Permission denied' "$T/worker-t.out" ||
	    sed 's/^/#   /' "$T/worker-t.out"
else
	skip "routehook-worker -t as each user" "not built"
fi
if [ ! -x "$FCGI" ]; then
	skip "the responder as its own user accepts an event" "not built"
	exit 0
fi
cp "$FCGI" "$T/bin/routehook-fcgi"
as_web "$T/bin/routehook-fcgi" -c "$E/routehook.conf" -t >"$T/fcgi-t.out" 2>&1
ok $? "routehook-fcgi -t as the responder's user: configuration OK" ||
    sed 's/^/#   /' "$T/fcgi-t.out"
spawn-fcgi -n -s "$T/fcgi.sock" -M 0666 -u "$f" -g "$w" -- \
    "$T/bin/routehook-fcgi" -c "$E/routehook.conf" 2>>"$T/fcgi.log" &
track $!
wait_for 10 test -S "$T/fcgi.sock" || bail "responder did not start"
start_nginx
printf '{"eventType":"routing.status","privsep":true,"timestamp":"2026-12-01T10:00:00Z"}' >"$T/event.json"
code=$(post "$T/event.json" -H "X-Genesys-Signature: $(sign "$T/event.json" "$E/webhook.secret")")
is "$code" 202 "the responder as its own user accepts an event" ||
    diag "response: $(cat "$T/response"); log: $(cat "$T/fcgi.log")"
id=$(jq -r '.id // empty' "$T/response" 2>/dev/null)
[ -n "$id" ] || id=no-id-in-the-answer
is "$(curl -s -o "$T/health" -w '%{http_code}' "$NGINX_URL/routehook/health")" \
    200 "the responder as its own user is healthy"
jq -e '.status == "healthy" and .spool.new == 1' "$T/health" >/dev/null 2>&1
ok $? "and counts new/ (which it may list)" || diag "$(cat "$T/health")"
is "$(stat -c '%U %G %a' "$S/new/$id" 2>/dev/null)" "$f $w 640" \
    "the event is the responder's, group spool, 0640"
assert "worker user claims it" \
    quietly as_work mv "$S/new/$id" "$S/cur/$id"
as_work cat "$S/cur/$id" 2>/dev/null | cmp -s - "$T/event.json"
ok $? "and reads the bytes sent"
code=$(post "$T/event.json" -H "X-Genesys-Signature: $(sign "$T/event.json" "$E/webhook.secret")")
is "$code" 200 "the same event again: a replay, answered 200" ||
    diag "response: $(cat "$T/response"); log: $(cat "$T/fcgi.log")"
is "$(jq -r .id "$T/response" 2>/dev/null)" "$id" "with the first event's id"
is "$(find "$S/seen" -type l -user "$f" | wc -l)" 1 \
    "the record of it is the responder's, in seen/"

done_testing
