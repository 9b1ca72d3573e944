#!/bin/sh
# responder-concurrent.t: 200 different events POSTed at once through
# nginx give 200 answers 202 with 200 distinct ids, each naming a file in
# new/ that holds exactly its own event.
. "$(dirname "$0")/../lib.sh"

N=200
write_config
start_responder
start_nginx

# Unique bodies of varied sizes, and curl's config to post each with its
# signature, in one process.
mkdir "$T/bodies" "$T/answers"
python3 - "$T/bodies" "$T/webhook.secret" "$N" "$NGINX_URL" "$T/answers" \
    >"$T/curl.cfg" <<'PY'
import hashlib, hmac, os, sys
d, key, n = sys.argv[1], open(sys.argv[2], "rb").readline().rstrip(b"\r\n"), int(sys.argv[3])
url, answers = sys.argv[4], sys.argv[5]
for i in range(1, n + 1):
    body = ('{"eventType":"routing.user.status.update","userId":"u-%d",'
            '"status":"available","seq":%d,"pad":"%s"}\n'
            % (i, i, os.urandom(8 + i * 3).hex())).encode()
    open("%s/%d.json" % (d, i), "wb").write(body)
    sig = hmac.new(key, body, hashlib.sha256).hexdigest()
    print('%surl = "%s/routehook/events"\nrequest = "POST"' % ("next\n" if i > 1 else "", url))
    print('header = "X-Genesys-Signature: %s"' % sig)
    print('data-binary = "@%s/%d.json"\noutput = "%s/%d.json"' % (d, i, answers, i))
    print('write-out = "%{http_code}\\n"')
PY

# All of them at once from one curl (--parallel-immediate: a connection
# each, opened together, rather than waiting to share one): the same
# load on nginx and the responder as $N curl processes, without the CPU
# of starting them, which on two cores spread the posts out in time.
curl -s --no-progress-meter --parallel --parallel-immediate --parallel-max "$N" \
    -K "$T/curl.cfg" >"$T/codes"

is "$(grep -c '^202$' "$T/codes")" "$N" "$N concurrent posts: $N answers 202"
# One pass over the answers: id per event, then each file against its event.
python3 - "$T" "$N" >"$T/check" <<'PY'
import json, sys
t, n = sys.argv[1], int(sys.argv[2])
ids, bad = [], 0
for i in range(1, n + 1):
    try:
        ids.append(json.load(open("%s/answers/%d.json" % (t, i)))["id"])
    except Exception as e:
        print("# event %d: no id in the answer: %s" % (i, e)); ids.append(None); continue
    try:
        same = open("%s/spool/new/%s" % (t, ids[-1]), "rb").read() == \
            open("%s/bodies/%d.json" % (t, i), "rb").read()
    except OSError as e:
        same = False
    if not same:
        bad += 1; print("# event %d: new/%s is not what was sent" % (i, ids[-1]))
print("distinct %d" % len(set(x for x in ids if x)))
print("bad %d" % bad)
PY
grep '^#' "$T/check"
is "$(sed -n 's/^distinct //p' "$T/check")" "$N" "... with $N distinct ids"
is "$(spool_files new)" "$N" "... and $N files in new/"
is "$(spool_files tmp)" 0 "... and none left in tmp/"
is "$(sed -n 's/^bad //p' "$T/check")" 0 "each file holds exactly its own event"
refute "nothing was refused" grep -q rejected "$T/fcgi.log"

done_testing
