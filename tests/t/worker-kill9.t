#!/bin/sh
# worker-kill9.t: a bounded kill -9 trial.  Senders post events for 12
# users (each user's events newer one after the other, every one retried
# until it is answered 2xx, as a sender does) while the responder and the
# worker daemon are killed with SIGKILL at random moments and restarted,
# and the stand-in fails often: 503, 429 with Retry-After, connections
# reset, answers slower than genesys.timeout_ms.  Then the faults stop and
# the worker drains.  Every event answered 2xx must end applied,
# superseded, unchanged (a sender's retry of an event already spooled,
# whose answer the kill lost, asks again for what was just set) or dead
# exactly once, no user's events applied out of order,
# and each user left in the state of their newest event.  The counts are
# printed as a diag line: trials (kills), events, lost, settled twice, out
# of order; and records written twice (a kill between an event's audit
# line and its file's removal: the documented "at least once" of a line,
# never a second call).
. "$(dirname "$0")/../lib.sh"

USERS=12
PER_USER=8
CHAOS_S=${RH_KILL9_SECONDS:-20}

start_standin
worker_config "concurrency = 4; max_attempts = 1000; max_age_s = 86400; backoff_min_ms = 50; backoff_max_ms = 400; retry_after_max_s = 1;" \
    "timeout_ms = 1000;" 'sla = { threshold_ms = 600000; };'
start_responder
start_nginx
start_worker

# Faults for every user: mostly failures, some slow answers, in a shuffled
# order, many more than the calls the trial makes.
python3 - "$USERS" >"$T/faults.json" <<'PY'
import json, random, sys
r = random.Random()
kinds = [{"status": 503}, {"status": 429, "retry_after": 1}, {"drop": True},
         {"delay_ms": 1500}, {"status": 500}]
print(json.dumps({"k9-%d" % u: [r.choice(kinds) for _ in range(12)]
                  for u in range(int(sys.argv[1]))}))
PY
control POST faults "$(cat "$T/faults.json")" >/dev/null

# available and offline alternate: IDLE and OFF_QUEUE at the stand-in.
# sender U: the user's events in order, each posted until answered 2xx;
# "ID SEQ WORD" per answered event in $T/sent.U.
sender() {
	_u=$1 _i=1
	: >"$T/sent.$_u"
	while [ $_i -le $PER_USER ]; do
		if [ $(( (_i + _u) % 2 )) -eq 0 ]; then _w=available; else _w=offline; fi
		status_event "k9-$_u" "$_w" "2026-01-01T10:00:$(printf %02d $_i)Z" >"$T/ev.$_u"
		_n=0
		while :; do
			_code=$(curl -s -o "$T/resp.$_u" -w '%{http_code}' -X POST \
			    -H 'Content-Type: application/json' \
			    -H "X-Genesys-Signature: $(sign "$T/ev.$_u")" \
			    --data-binary "@$T/ev.$_u" "$NGINX_URL/routehook/events")
			case $_code in 2??) break ;; esac
			_n=$((_n + 1))
			[ $_n -lt 400 ] || return 1
			sleep 0.1
		done
		echo "$(jq -r .id "$T/resp.$_u") $_i $_w" >>"$T/sent.$_u"
		_i=$((_i + 1))
		sleep 0.$(( $(od -An -N1 -tu1 /dev/urandom) % 9 + 1 ))
	done
}
u=0
spids=
while [ $u -lt $USERS ]; do
	sender $u & spids="$spids $!"
	u=$((u + 1))
done

# The chaos: every 0.3 to 1.2 s, SIGKILL the worker or the responder,
# for CHAOS_S seconds and at least KILLS times (a restart takes longer on
# a loaded machine).
KILLS=8
kills=0
end=$(( $(date +%s) + CHAOS_S ))
while [ "$(date +%s)" -lt "$end" ] || [ $kills -lt $KILLS ]; do
	sleep 0.$(( $(od -An -N1 -tu1 /dev/urandom) % 10 + 3 ))
	if [ $(( $(od -An -N1 -tu1 /dev/urandom) % 2 )) -eq 0 ]; then
		kill -9 "$WORKER_PID" 2>/dev/null
		wait "$WORKER_PID" 2>/dev/null
		start_worker
	else
		kill -9 "$_rpid" 2>/dev/null
		wait "$_rpid" 2>/dev/null
		start_responder
	fi
	kills=$((kills + 1))
done
failed=0
for p in $spids; do wait "$p" || failed=$((failed + 1)); done
is "$failed" 0 "every sender had each of its events answered 2xx"

# Calm: no more kills; the daemon drains what is left (each user's
# faults are few, and spent by then).  The bound is wide: pacing by the
# stand-in's rate-limit headers can hold calls until its minute resets,
# and make check runs this beside everything else.
wait_for 300 sh -c "[ \$(ls '$T/spool/new' '$T/spool/cur' '$T/spool/deferred' | grep -c '^[0-9]') -eq 0 ]"
ok $? "the spool drains once the kills stop (new/ cur/ deferred/ empty)"
stop_pid "$WORKER_PID"

cat "$T"/sent.* >"$T/sent"
python3 - "$T/sent" "$T/audit.jsonl" "$kills" >"$T/verdict" <<'PY'
import json, sys
sent = {}
for line in open(sys.argv[1]):
    i, seq, word = line.split()
    sent[i] = int(seq)
lines = [json.loads(l) for l in open(sys.argv[2]) if l.strip()]
final = ("applied", "superseded", "dead", "unchanged", "ignored")
terminal, dup, order_bad, last = {}, 0, 0, {}
for l in lines:
    if l["outcome"] not in final:
        continue
    i = l["event_id"]
    again = l["outcome"] == "applied" and l["http_status"] is None
    if i in terminal:
        if again and "applied" in terminal[i]:
            dup += 1
            continue
    terminal.setdefault(i, []).append(l["outcome"])
    if l["outcome"] == "applied" and l["http_status"] and i in sent:
        u = l["payload_summary"]["userId"]
        if sent[i] < last.get(u, 0):
            order_bad += 1
        last[u] = max(last.get(u, 0), sent[i])
lost = sum(1 for i in sent if i not in terminal)
twice = sum(1 for i in terminal if len(terminal[i]) > 1)
print("trials %s events %d lost %d settled_twice %d out_of_order %d "
      "records_twice %d" % (sys.argv[3], len(sent), lost, twice, order_bad,
                            dup))
PY
diag "kill -9 trial: $(cat "$T/verdict") faults_served $(journal '[.[] | select(.fault != null)] | length')"
set -- $(cat "$T/verdict")
is "$6" 0 "no event answered 2xx was lost"
is "$8" 0 "none settled twice"
is "${10}" 0 "none applied out of order"
is "$4" $((USERS * PER_USER)) "all $((USERS * PER_USER)) events were sent"
assert "the responder and the worker were killed at least $KILLS times ($2)" test "$2" -ge $KILLS

# Each user ends in the state of their newest event.
control GET state >"$T/state.json"
bad=0
u=0
while [ $u -lt $USERS ]; do
	w=$(tail -n 1 "$T/sent.$u" | cut -d' ' -f3)
	if [ "$w" = available ]; then want=IDLE; else want=OFF_QUEUE; fi
	got=$(jq -r ".routingstatus[\"k9-$u\"] // empty" "$T/state.json")
	[ "$got" = "$want" ] || { bad=$((bad + 1)); diag "k9-$u: $got, want $want ($w)"; }
	u=$((u + 1))
done
is "$bad" 0 "each user ends in the state of their newest event"

done_testing
