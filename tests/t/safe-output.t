#!/usr/bin/env bash
# safe-output.t: names and texts chosen by someone else reach logs and
# terminals escaped (vis(3) style), and audit lines stay valid UTF-8
# (issue 10, section 5):
#
#   - a spool file whose name holds a newline and a terminal escape
#     sequence: the worker's log line about it stays one line with no
#     ESC byte, and so do `routehookctl queue list`, `dead list` and the
#     message of `dead show`, which refuses it;
#   - an audit line whose id holds the same: `routehookctl status` shows
#     it escaped;
#   - an API error text with invalid bytes and multibyte characters, long
#     enough to be cut at the error limit in the middle of a character:
#     the audit line is valid UTF-8, the invalid byte is U+FFFD and the
#     cut falls between characters; the log line has only printable ASCII.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$WORKER" ] || bail "no $WORKER: build first"
start_standin
worker_config
ctl_spool

# printable FILE: every byte is printable ASCII or a newline.
printable() { ! LC_ALL=C grep -q '[^[:print:]]' "$1"; }
# valid_utf8 FILE: strict UTF-8 throughout.
valid_utf8() { python3 -c 'import sys; open(sys.argv[1], "rb").read().decode("utf-8")' "$1"; }

# --- a hostile spool file name -------------------------------------------
evil=$(printf '%s.M1P1Q1.h\n\033[2Jrouthook-worker: forged line' "$(date +%s)")
printf 'not JSON' >"$T/spool/new/$evil"
run queue list
is "$rc" 0 "queue list: exit 0"
printable "$T/out"
ok $? "queue list: no control byte reaches the terminal" || cat -v "$T/out"
assert_file_has "$T/out" 'h\n\033[2Jrouthook-worker: forged line' "queue list: the name escaped"
run_worker
is "$?" 0 "the worker handles the file (a dead letter)"
assert "the file is in dead/ under its name" test -f "$T/spool/dead/$evil"
assert "the worker's log has no control byte" \
    printable "$T/worker.log" || sed 's/^/#   /' "$T/worker.log" | cat -v
refute "no forged line in the worker's log" \
    grep -q '^routehook-worker: forged line' "$T/worker.log"
assert "the log shows the name escaped, as one line" \
    grep -qF 'h\n\033[2Jrouthook-worker: forged line' "$T/worker.log" ||
    sed 's/^/#   /' "$T/worker.log"

run dead list
is "$rc" 0 "dead list: exit 0"
assert "dead list: no control byte reaches the terminal" \
    printable "$T/out" || cat -v "$T/out"
is "$(wc -l <"$T/out")" 1 "dead list: one line for the one dead letter"
assert_file_has "$T/out" 'h\n\033[2Jrouthook-worker: forged line' "dead list: the name escaped"

run dead show "$evil"
is "$rc" 100 "dead show: such a name is not a spool id"
assert "dead show: the name in its message escaped" \
    printable "$T/err" || cat -v "$T/err"

# --- a hostile id in the audit file ----------------------------------------
audit "$(printf 'x\033]0;owned\007y')" applied 5 true '' \
    "$(printf 'type\033[31m')" "$(printf 'user\r\nz')"
run status
is "$rc" 0 "status: exit 0"
assert "status: no control byte reaches the terminal" \
    printable "$T/out" || cat -v "$T/out"
assert_file_has "$T/out" 'x\033]0;owned\007y' "status: the id escaped"
assert_file_has "$T/out" 'user\r\nz' "status: the user escaped"

# --- an API error text: invalid bytes, and cut inside a character ----------
# "HTTP 400 bad.request: " is 22 bytes, the invalid byte and "x" make 24,
# and 115 two-byte characters fill the 255 bytes of the error up to 254:
# the 116th is cut in half.
python3 - "$T/fault.json" <<'PY'
import base64, json, sys
msg = b'\xffx' + 'é'.encode() * 200
body = b'{"code":"bad.request","message":"' + msg + b'"}'
json.dump({"agent-u": [{"status": 400,
                        "body_b64": base64.b64encode(body).decode()}]},
          open(sys.argv[1], "w"))
PY
control POST faults "$(cat "$T/fault.json")" >/dev/null
: >"$T/audit.jsonl"
status_event agent-u available >"$T/spool/new/$(date +%s).M2P2Q2.h"
run_worker
is "$?" 0 "the worker dead-letters the event"
assert "the audit file is valid UTF-8" valid_utf8 "$T/audit.jsonl"
err=$(audit_jq '.[0].error')
is "$err" "HTTP 400 bad.request: �x$(python3 -c 'print("é" * 115, end="")')" \
    "the invalid byte is U+FFFD, the cut falls between characters"
assert "the worker's log line about it is printable ASCII" \
    printable "$T/worker.log"
assert "the log shows the bytes escaped" \
    grep -qF 'bad.request: \377x\303\251' "$T/worker.log"

done_testing
