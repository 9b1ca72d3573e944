#!/bin/sh
# etcd.t: lib/etcd against a real three-member etcd cluster on loopback:
# the calls (tests/unit/etcd.t with endpoints) and two hosts sharing a
# user lock, order stamps and a budget (tests/unit/cluster.t), then with one member
# killed -9 (quorum kept: the same calls still work, through the other
# members), then with two killed (quorum lost: calls fail within their
# bound, saying why), then with one member back (quorum again).
. "$(dirname "$0")/../lib.sh"

UNIT=$RH_BUILD/tests/unit/etcd.t
[ -x "$UNIT" ] || bail "$UNIT not built (make unit)"

CLUNIT=$RH_BUILD/tests/unit/cluster.t

# live LABEL ARGS...: run the unit test's live part, as TAP under ours.
# UNIT=... before it names another unit test.
live() {
	_label=$1
	shift
	_out=$T/live.$tap_n.out
	"$UNIT" "$@" >"$_out" 2>&1
	_rc=$?
	sed 's/^/# /' "$_out"
	ok "$_rc" "$_label"
}

start_etcd_cluster 3
# shellcheck disable=SC2086
live "every call against three members" $ETCD_ENDPOINTS
# shellcheck disable=SC2086
UNIT=$CLUNIT live "two hosts share a lock, stamps and a budget" $ETCD_ENDPOINTS

# The first endpoint is the one a client tries first: kill that one.
kill_etcd 1
eval "_e2=http://127.0.0.1:\$ETCD_CPORT_2"
wait_for 20 etcd_healthy "$_e2"
ok $? "member 1 killed -9: the other two have a leader"
# shellcheck disable=SC2086
live "the same calls with member 1 killed -9: quorum kept" $ETCD_ENDPOINTS
# shellcheck disable=SC2086
UNIT=$CLUNIT live "... and the two hosts' sharing" $ETCD_ENDPOINTS

kill_etcd 2
# shellcheck disable=SC2086
live "member 2 killed too: quorum lost, every call fails with a reason" \
    --down $ETCD_ENDPOINTS

start_etcd_member 2 ""
wait_for 20 etcd_healthy "$_e2"
ok $? "member 2 back: the cluster has a leader again"
# shellcheck disable=SC2086
live "and the calls work again" $ETCD_ENDPOINTS

stop_etcd_cluster
done_testing
