#!/bin/sh
# responder-config.t: the command line and start-up.  -t says
# "configuration OK" for a good file (without any OAuth secret) and
# FILE:LINE with exit 100 for a bad one; -h answers the questions a new
# user has; usage errors exit 100, an unusable spool 111; -v logs accepted
# events.
. "$(dirname "$0")/../lib.sh"

write_config '' 'genesys = {
  client_id = "some-client";
  client_secret_file = "/nonexistent/client.secret";
};'

"$FCGI" -t -c "$T/routehook.conf" >"$T/out" 2>&1
is "$?" 0 "-t on a good file: exit 0"
is "$(cat "$T/out")" "configuration OK" "... printing 'configuration OK'"
diag "(its client_secret_file does not exist: the responder never reads it)"

ROUTEHOOK_CONFIG=$T/routehook.conf "$FCGI" -t >"$T/out" 2>&1
is "$?:$(cat "$T/out")" "0:configuration OK" '-t finds the file through $ROUTEHOOK_CONFIG'
ROUTEHOOK_CONFIG=$T/nonexistent.conf "$FCGI" -t -c "$T/routehook.conf" >"$T/out" 2>&1
is "$?" 0 "... and -c wins over it"

# expect_bad FILE LINE DESCRIPTION: -t -c FILE fails with exit 100 and a
# FILE:LINE: message.
expect_bad() {
	"$FCGI" -t -c "$1" >"$T/out" 2>"$T/err"
	is "$?" 100 "$3: exit 100"
	assert "$3: says '$1:$2: ...'" grep -q "^$1:$2: " "$T/err"
	assert "$3: prints nothing on stdout" test ! -s "$T/out"
	sed 's/^/#   /' "$T/err"
}
printf 'spool_dir = "%s/spool";\nreceiver = {\n  secret_file = "%s/webhook.secret";\n  fsync = ;\n};\n' \
    "$T" "$T" >"$T/syntax.conf"
expect_bad "$T/syntax.conf" 4 "a syntax error"
printf 'spool_dir = "%s/spool";\nreceiver = {\n  secret_file = "%s/webhook.secret";\n  max_body_byte = 100;\n};\n' \
    "$T" "$T" >"$T/typo.conf"
expect_bad "$T/typo.conf" 4 "an unknown key"
printf 'spool_dir = "%s/spool";\nreceiver = {\n  secret_file = "%s/missing.secret";\n};\n' \
    "$T" "$T" >"$T/nosecret.conf"
expect_bad "$T/nosecret.conf" 3 "a secret file that does not exist"

"$FCGI" -c "$T/typo.conf" </dev/null >"$T/out" 2>"$T/err"
is "$?" 100 "starting (not -t) with a bad file: exit 100"
assert "... with the FILE:LINE line on stderr" \
    grep -q "^$T/typo.conf:4: " "$T/err"

"$FCGI" -h >"$T/help" 2>&1
is "$?" 0 "-h: exit 0"
for want in 'usage: routehook-fcgi' '-c FILE' '$ROUTEHOOK_CONFIG' \
    /etc/routehook/routehook.conf '-t ' '-s ADDR' 'unix:PATH' \
    'tcp:HOST:PORT' '-n N' '-l WHERE' syslog LISTEN_FDS spawn-fcgi CGI \
    /health /metrics 'Exit status' '100' '111' SIGTERM; do
	assert "-h mentions $want" grep -qF -- "$want" "$T/help"
done
"$FCGI" --help >"$T/help2" 2>&1
assert_same "$T/help" "$T/help2" "--help is -h"

for bad in "-x" "-n 0" "-n 1025" "-n 4x" "-l console" "extra-arg" "-s udp:1.2.3.4:5"; do
	# shellcheck disable=SC2086
	"$FCGI" -c "$T/routehook.conf" $bad </dev/null >/dev/null 2>"$T/err"
	is "$?" 100 "usage error '$bad': exit 100"
done

: >"$T/not-a-dir"
printf 'spool_dir = "%s/not-a-dir/spool";\nreceiver = {\n  secret_file = "%s/webhook.secret";\n};\n' \
    "$T" "$T" >"$T/badspool.conf"
"$FCGI" -t -c "$T/badspool.conf" >/dev/null 2>&1
is "$?" 0 "-t does not look at the spool"
"$FCGI" -c "$T/badspool.conf" </dev/null >/dev/null 2>"$T/err"
is "$?" 111 "a spool that cannot be created: exit 111 (try later)"
assert "... naming the path" grep -q 'not-a-dir' "$T/err"

# -v: accepted events are logged too (in CGI mode, the simplest server).
printf '{"userId":"u-1","status":"available"}' >"$T/ev.json"
env -i PATH="$PATH" REQUEST_METHOD=POST REQUEST_URI=/e REMOTE_ADDR=203.0.113.5 \
    CONTENT_LENGTH="$(wc -c <"$T/ev.json" | tr -d ' ')" \
    HTTP_X_GENESYS_SIGNATURE="$(sign "$T/ev.json")" \
    "$FCGI" -v -c "$T/routehook.conf" <"$T/ev.json" >"$T/out" 2>"$T/err"
assert "-v logs 'accepted ID, N bytes from ADDRESS'" \
    grep -q "^routehook-fcgi: accepted $(ls "$T/spool/new"), 37 bytes from 203\.0\.113\.5$" "$T/err"

done_testing
