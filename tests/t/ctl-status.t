#!/usr/bin/env bash
# ctl-status.t: `routehookctl status` on an empty and on a busy spool: the
# counts and ages per directory match what is there, the next deferred
# attempt is the earliest mtime in deferred/, the audit section reflects
# the lines appended to the audit file (last hour, last day, SLA
# breaches, the last N), a large audit file is read from its end, the
# token's state comes from the worker's cache, and so do the presence
# definitions' count and age.  --json parses with jq.
. "$(dirname "$0")/../lib.sh"
. "$RH_TOP/tests/ctl-lib.sh"

[ -x "$CTL" ] || bail "no $CTL: build first"
ctl_config "" ""
ctl_spool

# --- empty --------------------------------------------------------------

run status
is "$rc" 0 "status on an empty spool: exit 0"
assert_file_has "$T/out" "no outcomes yet" "a missing audit file is no error"
run status --json
is "$rc" 0 "status --json on an empty spool: exit 0"
jq -e . "$T/out" >/dev/null
ok $? "status --json parses"
is "$(jq -c '[.spool.new.count, .spool.cur.count, .spool.deferred.count, .spool.dead.count]' "$T/out")" \
    "[0,0,0,0]" "empty: every count is 0"
is "$(jq -c '.spool.new.oldest_age_s, .spool.deferred.next_attempt' "$T/out" | tr '\n' ' ')" \
    "null null " "empty: no oldest age, no next attempt"
is "$(jq -c '[.audit.exists, (.audit.last|length), .audit.last_hour.applied, .audit.last_day.sla_breaches]' "$T/out")" \
    "[false,0,0,0]" "empty: the audit section is empty"
is "$(jq -c '.token' "$T/out")" '{"configured":false,"cached":false}' \
    "no client_id: no token"

# --- busy ---------------------------------------------------------------

# Ages are checked against the time this setup started: on a busy machine
# seconds pass between writing the files and reading the answer.
t0=$(date +%s)
# since_t0: the seconds since t0.
since_t0() { echo $(( $(date +%s) - t0 )); }
for i in 1 2 3 4 5; do echo '{}' >"$T/spool/new/$(spool_id $((i * 60)) "$i")"; done
echo '{}' >"$T/spool/cur/$(spool_id 30 10)"
for i in 1 2; do
	f=$T/spool/deferred/$(spool_id $((i * 600)) "2$i")
	echo '{}' >"$f"
	touch -d "@$(( $(date +%s) + 100 * i ))" "$f"
done
for i in 1 2 3; do echo '{}' >"$T/spool/dead/$(spool_id 7200 "3$i")"; done
echo '{}' >"$T/spool/tmp/$(spool_id 1 40)"

run status --json
is "$rc" 0 "status --json on a busy spool: exit 0"
for d in new cur deferred dead; do
	is "$(jq ".spool.$d.count" "$T/out")" "$(spool_files $d)" \
	    "the $d count matches the directory"
done
el=$(since_t0)
age=$(jq '.spool.new.oldest_age_s' "$T/out")
assert "new: the oldest is 300 s old ($age)" in_range "$age" 300 $((300 + el))
age=$(jq '.spool.dead.oldest_age_s' "$T/out")
assert "dead: the oldest is 7200 s old ($age)" in_range "$age" 7200 $((7200 + el))
next=$(jq '.spool.deferred.next_attempt_in_s' "$T/out")
assert "deferred: the next attempt is the earliest mtime ($next s)" \
    in_range "$next" $((99 - el)) 101
assert "deferred: the next attempt's time is ISO 8601" \
    matches "$(jq -r '.spool.deferred.next_attempt' "$T/out")" \
    '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z$'
run status
is "$rc" 0 "the table on a busy spool: exit 0"
el=$(since_t0)
# table_s ERE: the NmSSs duration that ERE's group matches in the table,
# in seconds.
table_s() {
	sed -nE "s/$1.*/\\1/p" "$T/out" |
	    awk -F'[ms]' 'NF { print $1 * 60 + $2 }'
}
assert_file_matches "$T/out" '^  new +5  oldest [0-9]+m[0-9]{2}s$' \
    "the table shows new's count and oldest age"
assert "... of 5 minutes" \
    in_range "$(table_s '^  new +5  oldest ([0-9]+m[0-9]{2}s)')" 300 $((300 + el))
assert_file_matches "$T/out" \
    '^  deferred +2  oldest [0-9]+m[0-9]{2}s  next attempt in [0-9]+m[0-9]{2}s ' \
    "the table shows the next deferred attempt"
assert "... oldest 20 minutes" \
    in_range "$(table_s '^  deferred +2  oldest ([0-9]+m[0-9]{2}s)')" 1200 $((1200 + el))
assert "... next attempt in 100 s" \
    in_range "$(table_s '^  deferred.* next attempt in ([0-9]+m[0-9]{2}s)')" $((99 - el)) 100

# --- the audit file -------------------------------------------------------

audit old1 applied 90000 true			# more than a day ago
audit day1 applied 7200 true
audit day2 dead 5000 false 'HTTP 400 bad.request: no' x u 400
audit day3 superseded 4000 true
audit hour1 applied 600 true '' x u 200
# A late deferred line is no breach yet: only applied and dead lines count.
audit hour2 deferred 300 false 'HTTP 503 service.unavailable: x' x u 503
audit hour3 applied 60 false '' x u 200
echo 'not json, and skipped' >>"$T/audit.jsonl"
audit hour4 dead 10 true 'unknown status "lunch"'

run status --json
is "$(jq -c '.audit.last_hour' "$T/out")" \
    '{"applied":2,"deferred":1,"dead":1,"superseded":0,"ignored":0,"unchanged":0,"other":0,"sla_breaches":1}' \
    "last hour: outcomes by kind and SLA breaches"
is "$(jq -c '.audit.last_day' "$T/out")" \
    '{"applied":3,"deferred":1,"dead":2,"superseded":1,"ignored":0,"unchanged":0,"other":0,"sla_breaches":2}' \
    "last day: outcomes by kind and SLA breaches"
is "$(jq '.audit.last | length' "$T/out")" 8 "all 8 lines are among the last 10"
is "$(jq -r '.audit.last[-1].event_id' "$T/out")" hour4 "the newest is last"
is "$(jq -r '.audit.last[0].event_id' "$T/out")" old1 "the oldest is first"
run status --json --last 3
is "$(jq -c '[.audit.last[].event_id]' "$T/out")" '["hour2","hour3","hour4"]' \
    "--last 3: the three newest, oldest first"
run status
assert_file_has "$T/out" "unknown status \"lunch\"" \
    "the table shows the last outcome's error"
assert "the table shows the last hour" \
    grep -qE '^  last hour +2 +1 +1 +0 +0 +0 +1$' "$T/out"

# A large audit file: 40000 lines (several MB) from two days ago, then
# the recent ones; read from the end, the answer is the same.
python3 - "$T/audit.jsonl" <<'PY'
import json, sys, time, datetime
old = datetime.datetime.fromtimestamp(time.time() - 2 * 86400, datetime.timezone.utc)
ts = old.strftime("%Y-%m-%dT%H:%M:%S.000Z")
with open(sys.argv[1]) as f:
    recent = f.read()
with open(sys.argv[1], "w") as f:
    for i in range(40000):
        f.write(json.dumps({"event_id": "bulk%d" % i, "timestamp": ts,
            "latency_ms": 5, "success": True, "sla_compliant": True,
            "payload_summary": {"eventType": "routing.user.status.update",
            "userId": "u" * (i % 200)}, "outcome": "applied", "attempt": 1,
            "http_status": 200, "error": None}) + "\n")
    f.write(recent)
PY
run status --json --last 20
is "$rc" 0 "a large audit file: exit 0"
is "$(jq -c '.audit.last_day' "$T/out")" \
    '{"applied":3,"deferred":1,"dead":2,"superseded":1,"ignored":0,"unchanged":0,"other":0,"sla_breaches":2}' \
    "a large audit file: the same last day"
is "$(jq -c '[.audit.last[].event_id][:13] | join(",")' "$T/out")" \
    '"bulk39988,bulk39989,bulk39990,bulk39991,bulk39992,bulk39993,bulk39994,bulk39995,bulk39996,bulk39997,bulk39998,bulk39999,old1"' \
    "a large audit file: the last 20 lines across the boundary"

# A line longer than the reader's cap is skipped, not mistaken for two.
python3 -c 'import sys; sys.stdout.write("{\"event_id\":\"huge\",\"x\":\"" + "y" * 1500000 + "\"}\n")' >>"$T/audit.jsonl"
audit after-huge applied 5 true
run status --json --last 3
is "$rc" 0 "an overlong line: exit 0"
is "$(jq -c '[.audit.last[].event_id]' "$T/out")" '["hour3","hour4","after-huge"]' \
    "an overlong line is skipped whole"

# Rotated audit files (logrotate: .1, and -DATE.gz with dateext) still
# count towards the last hour and day; lines older than the day do not,
# nor do files last written before it.
mkdir "$T/rot"
audit_to() { _f=$1; shift; audit "$@"; tail -n 1 "$T/audit.jsonl" >>"$_f"; \
	head -n -1 "$T/audit.jsonl" >"$T/audit.tmp"; mv "$T/audit.tmp" "$T/audit.jsonl"; }
cp "$T/audit.jsonl" "$T/audit.keep"
: >"$T/audit.jsonl"
audit_to "$T/rot/1" rot1 applied 1200 true
audit_to "$T/rot/1" rot2 dead 7200 true 'HTTP 404 not.found: x' x u 404
audit_to "$T/rot/2" rot3 applied 3000 true
audit_to "$T/rot/2" rot4 applied 200000 true
audit_to "$T/rot/3" rot5 applied 300000 true
audit now1 applied 30 true
mv "$T/rot/1" "$T/audit.jsonl.1"
gzip -c "$T/rot/2" >"$T/audit.jsonl-20261201.gz"
gzip -c "$T/rot/3" >"$T/audit.jsonl-20261120.gz"
touch -d "@$(( $(date +%s) - 4 * 86400 ))" "$T/audit.jsonl-20261120.gz"
run status --json
is "$rc" 0 "rotated audit files: exit 0"
is "$(jq -c '[.audit.last_hour.applied, .audit.last_day.applied, .audit.last_day.dead]' "$T/out")" \
    '[3,3,1]' "rotated audit files: .1 and -DATE.gz count for the hour and the day"
is "$(jq -c '[.audit.last[].event_id]' "$T/out")" '["now1"]' \
    "... while the last outcomes are the current file's"
rm -f "$T/audit.jsonl.1" "$T/audit.jsonl-"*.gz
mv "$T/audit.keep" "$T/audit.jsonl"

# --- the worker daemon ----------------------------------------------------

run status --json
is "$(jq -c '.worker' "$T/out")" \
    '{"running":false,"pid":null,"since":null,"version":null,"paused":null}' \
    "no daemon has run: not running"
assert_file_has "$T/out" '"worker"' "the JSON has a worker section"
run status
assert_file_has "$T/out" "worker no daemon running" "the table says so"

# --- the token ------------------------------------------------------------

ctl_config '' "genesys = { client_id = \"cid\"; client_secret_file = \"$T/webhook.secret\"; };"
run status --json
is "$(jq -c '.token' "$T/out")" '{"configured":true,"cached":false}' "no cache: not cached"
run status
assert_file_has "$T/out" "token none cached" "the table says so"
exp=$(( $(date +%s) + 3000 ))
printf '{"access_token":"tok-abc","expires_at":%d,"client_id":"cid","login_base":"https://login.mypurecloud.com"}\n' \
    "$exp" >"$T/spool/state/token"
chmod 600 "$T/spool/state/token"
run status --json
is "$(jq '.token.cached' "$T/out")" true "a cached token for this client"
left=$(jq '.token.expires_in_s' "$T/out")
[ "$left" -ge 2995 ] && [ "$left" -le 3000 ]
ok $? "it expires in 3000 s ($left)"
run status
assert_file_has "$T/out" "token cached, expires in" \
    "the table says when it expires"
refute "the token itself is never printed" grep -q tok-abc "$T/out" "$T/err"
ctl_config '' "genesys = { client_id = \"other\"; client_secret_file = \"$T/webhook.secret\"; };"
run status --json
is "$(jq '.token.cached' "$T/out")" false "another client's token is not this one's"

# --- the presence definitions ---------------------------------------------

defs=$T/spool/state/presence-definitions.json
run status --json
is "$(jq -c .presence_definitions "$T/out")" '{"cached":false}' \
    "no presence definitions cached"
run status
assert_file_has "$T/out" "presence no definitions cached" "the table says so"
printf '%s' '{"entities":[{"id":"p-1","name":"On Queue","type":"System","systemPresence":"OnQueue"},{"id":"p-2","name":"Lunch","type":"User","systemPresence":"Meal"}],"total":2}' >"$defs"
touch -d '10 minutes ago' "$defs"
run status --json
is "$(jq -c '.presence_definitions | [.cached, .count, .stale]' "$T/out")" \
    '[true,2,false]' "two definitions cached, fresh"
age=$(jq .presence_definitions.age_s "$T/out")
assert "... fetched 600 s ago, by the file's mtime ($age)" in_range "$age" 600 605
run status
assert_file_matches "$T/out" \
    '^presence 2 definitions cached, fetched 60[0-5] s ago \(10m0[0-5]s, [0-9T:.-]+Z\)$' \
    "the table: how many, and how long ago"
touch -d '2 hours ago' "$defs"
run status --json
is "$(jq '.presence_definitions.stale' "$T/out")" true "two hours old: stale"
run status
assert_file_matches "$T/out" ', stale: fetched again when next needed$' \
    "... and the table says so"
echo '{"entities": 3}' >"$defs"
run status --json
is "$(jq -c '.presence_definitions | [.cached, .error]' "$T/out")" \
    '[false,"state/presence-definitions.json: presence definitions: no entities array"]' \
    "a cache that does not parse: not cached, and why, naming the file"
run status
assert_file_has "$T/out" "presence definitions cache unusable" "the table says so"
is "$rc" 0 "... and status still exits 0"
rm -f "$defs"

# --- no spool ---------------------------------------------------------------

rm -rf "$T/spool"
run status
is "$rc" 100 "no spool: exit 100"
assert_file_has "$T/err" "$T/spool" "no spool: the error names it"

done_testing
