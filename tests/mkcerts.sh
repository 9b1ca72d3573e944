#!/bin/sh
# mkcerts.sh DIR -- make a throwaway test CA and a server certificate for the
# Genesys stand-in.  Creates DIR/ca.pem, DIR/ca.key, DIR/server.pem and
# DIR/server.key (EC P-256, valid 2 days).  The server certificate carries
# subjectAltName DNS:localhost and IP:127.0.0.1, so a client verifying against
# ca.pem accepts https://localhost:PORT and https://127.0.0.1:PORT.
# Quiet on success; on any failure it prints openssl's error and exits non-zero.
set -eu

if [ $# -ne 1 ] || [ -z "$1" ]; then
    echo "usage: $0 DIR" >&2
    exit 2
fi
dir=$1
mkdir -p "$dir"

work=$(mktemp -d "$dir/.mkcerts.XXXXXX")
trap 'rm -rf "$work"' EXIT

# Run openssl quietly, but show everything it said if it fails.
ossl() {
    if ! openssl "$@" >"$work/log" 2>&1; then
        echo "$0: openssl $1 failed:" >&2
        cat "$work/log" >&2
        exit 1
    fi
}

umask 077
ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/ca.key"
ossl req -x509 -new -key "$work/ca.key" -sha256 -days 2 \
    -subj "/CN=routehook test CA" \
    -addext "basicConstraints=critical,CA:TRUE" \
    -addext "keyUsage=critical,keyCertSign,cRLSign" \
    -addext "subjectKeyIdentifier=hash" \
    -out "$work/ca.pem"

ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$work/server.key"
ossl req -new -key "$work/server.key" -subj "/CN=localhost" -out "$work/server.csr"
cat >"$work/server.ext" <<'EXT'
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature,keyEncipherment
extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,IP:127.0.0.1
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
ossl x509 -req -in "$work/server.csr" -CA "$work/ca.pem" -CAkey "$work/ca.key" \
    -CAcreateserial -sha256 -days 2 -extfile "$work/server.ext" \
    -out "$work/server.pem"
ossl verify -CAfile "$work/ca.pem" "$work/server.pem"

chmod 644 "$work/ca.pem" "$work/server.pem"
for f in ca.pem ca.key server.pem server.key; do
    mv -f "$work/$f" "$dir/$f"
done
