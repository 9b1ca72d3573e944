#!/bin/sh
# responder-rotation.t: with receiver.secret_files = [new, old], an event
# signed with either secret is accepted and one signed with a third is
# refused; the files hold exactly what was sent.
. "$(dirname "$0")/../lib.sh"

printf 'the-new-secret-%s\n' "$$" >"$T/new.secret"
printf 'the-old-secret-%s\r\n' "$$" >"$T/old.secret"
printf 'a-third-secret-%s\n' "$$" >"$T/third.secret"
chmod 600 "$T"/*.secret
cat >"$T/routehook.conf" <<CONF
spool_dir = "$T/spool";
receiver = {
  secret_files = [ "$T/new.secret", "$T/old.secret" ];
};
CONF

"$FCGI" -t -c "$T/routehook.conf" >"$T/t.out" 2>&1
ok $? "-t accepts the two-secret configuration"
start_responder
start_nginx

printf '{"userId":"u-new","status":"available","timestamp":"2026-12-01T10:00:00Z"}' >"$T/a.json"
printf '{"userId":"u-old","status":"available","timestamp":"2026-12-01T10:00:00Z"}' >"$T/b.json"
printf '{"userId":"u-third","status":"available","timestamp":"2026-12-01T10:00:00Z"}' >"$T/c.json"
# The old secret's file ends in CRLF: the secret is the line without it.
old_key=$(head -n 1 "$T/old.secret" | tr -d '\r')
printf '%s\n' "$old_key" >"$T/old.key"

code=$(post "$T/a.json" -H "X-Genesys-Signature: $(sign "$T/a.json" "$T/new.secret")")
is "$code" 202 "signed with the new secret: 202"
assert "... stored as sent" \
    cmp -s "$T/a.json" "$T/spool/new/$(json_field "$T/response" id)"
code=$(post "$T/b.json" -H "X-Genesys-Signature: $(sign "$T/b.json" "$T/old.key")")
is "$code" 202 "signed with the old secret: 202"
assert "... stored as sent" \
    cmp -s "$T/b.json" "$T/spool/new/$(json_field "$T/response" id)"
code=$(post "$T/c.json" -H "X-Genesys-Signature: $(sign "$T/c.json" "$T/third.secret")")
is "$code" 401 "signed with a third secret: 401"
is "$(spool_files new)" 2 "two files in new/, not three"
is "$(spool_files tmp)" 0 "nothing in tmp/"

done_testing
