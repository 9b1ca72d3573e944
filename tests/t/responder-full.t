#!/bin/sh
# responder-full.t: the spool on a filesystem of its own (4 MiB, loop
# mounted) that fills up.  With no block left, a POST is answered 503
# with Retry-After, and no file is left in tmp/ or new/, however far the
# write got (a temp file cut short, or one that could not be synced);
# once space returns, the same process accepts events again, each file
# holding exactly the bytes sent.  Needs root (mount).
. "$(dirname "$0")/../lib.sh"

need_root "mounting a filesystem"
[ -e /dev/loop-control ] || skip_all "no loop devices (/dev/loop-control)"

write_config
loop_fs "$T/spool"
start_responder
start_nginx

# An event of 3 kB: more than the last fragment of a block a full
# filesystem might still have.
python3 -c 'import json; print(json.dumps({"userId": "u-1",
    "status": "available", "pad": "x" * 3000}))' >"$T/ev.json"
is "$(post "$T/ev.json")" 202 "room on the spool's filesystem: 202"
is "$(spool_files new)" 1 "... one file in new/"

assert "the spool's filesystem is filled to its last block" fill_fs "$T/spool"
for i in 1 2 3; do
	code=$(curl -s -D "$T/headers" -o "$T/response" -w '%{http_code}' \
	    -X POST -H "X-Genesys-Signature: $(sign "$T/ev.json")" \
	    --data-binary "@$T/ev.json" "$NGINX_URL/routehook/events")
	is "$code" 503 "full, POST $i: 503"
	assert_file_matches "$T/headers" '^[Rr]etry-[Aa]fter: [0-9]+' \
	    "full, POST $i: ... with Retry-After"
	is "$(spool_files tmp) $(spool_files new)" "0 1" \
	    "full, POST $i: ... nothing left in tmp/, nothing added to new/"
done
assert_file_matches "$T/fcgi.log" \
    'rejected 503 cannot store event from 127\.0\.0\.1: .*No space left on device' \
    "the log names the system's reason"

free_fs "$T/spool"
is "$(post "$T/ev.json")" 202 "space back: the same process answers 202"
id=$(json_field "$T/response" id)
assert_same "$T/spool/new/$id" "$T/ev.json" "... and the file holds the bytes sent"
is "$(spool_files tmp) $(spool_files new)" "0 2" "... two events in new/, none in tmp/"

done_testing
