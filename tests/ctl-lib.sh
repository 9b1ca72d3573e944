# ctl-lib.sh: sourced by tests/t/ctl-*.t after lib.sh; what the
# routehookctl tests share.  Every routehookctl run goes through `run`, so
# its stderr also lands in $T/ctl.log, where lib.sh looks for sanitizer
# reports.

# ctl_config [EXTRA-RECEIVER-LINES [EXTRA-TOP-LEVEL-LINES]]: write_config
# with the audit file in $AUDIT (its directory exists).  Without
# EXTRA-TOP-LEVEL-LINES, a genesys section with a client id and a client
# secret ($T/client.secret, 0600), as the worker needs; give them (or '')
# to write the genesys section yourself.
ctl_config() {
	if [ $# -lt 2 ]; then
		[ -s "$T/client.secret" ] ||
		    printf 'client-secret-%s\n' "$$" >"$T/client.secret"
		chmod 600 "$T/client.secret"
		set -- "${1:-}" "genesys = { client_id = \"test-client\"; client_secret_file = \"$T/client.secret\"; };"
	fi
	write_config "${1:-}" "audit = { file = \"$AUDIT\"; };
$2"
}

# ctl_spool: the spool's directories, as the responder makes them.
ctl_spool() {
	mkdir -p "$T/spool/tmp" "$T/spool/new" "$T/spool/cur" \
	    "$T/spool/deferred" "$T/spool/dead" "$T/spool/state"
	chmod 700 "$T/spool/state"
}

# run ARGS...: routehookctl -c $T/routehook.conf ARGS; stdout in $T/out,
# stderr in $T/err, exit status in $rc.  Stdin is /dev/null: never a
# terminal.
run() {
	$RH_AS_WORKER "$CTL" -c "$T/routehook.conf" "$@" <"${RUN_STDIN:-/dev/null}" \
	    >"$T/out" 2>"$T/err"
	rc=$?
	cat "$T/err" >>"$T/ctl.log"
	return 0
}

# spool_id AGE-SECONDS SEQ: a spool-shaped id received AGE seconds ago.
spool_id() {
	echo "$(( $(date +%s) - $1 )).M000123P$$Q$2.testhost"
}

# iso AGE-SECONDS: that long ago, as the audit file writes times.
iso() {
	date -u -d "@$(( $(date +%s) - $1 ))" +%Y-%m-%dT%H:%M:%S.000Z
}

# audit ID OUTCOME AGE-SECONDS SLA-OK [ERROR [TYPE [USER [STATUS]]]]: append
# one audit line shaped as lib/audit.c writes them.
audit() {
	jq -nc --arg id "$1" --arg outcome "$2" --arg ts "$(iso "$3")" \
	    --argjson sla "$4" --arg err "${5:-}" \
	    --arg type "${6:-routing.user.status.update}" \
	    --arg user "${7:-00000000-0000-4000-8000-000000000001}" \
	    --argjson status "${8:-null}" \
	    '{event_id: $id, timestamp: $ts, latency_ms: (if $sla then 20
	      else 900 end), success: ($outcome == "applied"),
	      sla_compliant: $sla,
	      payload_summary: {eventType: $type, userId: $user},
	      outcome: $outcome, attempt: 1, http_status: $status,
	      error: (if $err == "" then null else $err end)}' \
	    >>"$AUDIT"
}
