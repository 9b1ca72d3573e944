/*
 * etcd: a small client of etcd's v3 JSON gateway (etcd 3.4, the Debian 12
 * etcd-server), over libcurl, for the cluster backend (cluster.h).  Only
 * what routehook needs: range, put, compare-and-swap, conditional delete,
 * leases (grant, keepalive, revoke) and acquire (a key created only when
 * absent, bound to a lease: a lock that a dead holder's lease lets go).
 *
 * Every call is POST /v3/<service>/<method> with a JSON body; keys and
 * values travel base64 and 64-bit numbers as decimal strings.  Building a
 * request and reading an answer are pure functions (etcd_req_*,
 * etcd_parse, etcd_failover), apart from the I/O, so that they are tested
 * as tables.
 *
 * Endpoints are tried in turn: a call goes to the endpoint that answered
 * last, and moves on to the next when there is no answer or the member
 * says it cannot serve (no leader, timed out, stopping); a refusal that
 * another member would give too (a bad request, an unknown lease) is
 * final.  The whole call, all endpoints included, is bounded by
 * timeout_ms.  A call that timed out may still have been applied: callers
 * make their writes safe to repeat (acquire takes its own key back,
 * compare-and-swap re-reads).
 *
 * TLS: an https endpoint is verified against ca_file when set (a private
 * etcd CA replaces the system's store, as etcdctl --cacert does), else the
 * system's store; cert_file and key_file are the client certificate.
 *
 * Errors: functions return -1 and fill err with a sentence naming the
 * endpoint and etcd's own words ("etcd http://127.0.0.1:2379: etcdserver:
 * no leader"); with several endpoints, the last one's.  Nothing here logs
 * or exits.
 */
#ifndef ROUTEHOOK_ETCD_H
#define ROUTEHOOK_ETCD_H

#include <stddef.h>

#include <curl/curl.h>

#include "dynbuf.h"
#include "http.h"

#define ETCD_ENDPOINTS_MAX	8
#define ETCD_KEY_MAX		512	/* bytes of a key, NUL included */
#define ETCD_VALUE_MAX		512	/* bytes of a value, NUL included */
#define ETCD_REQ_MAX		4096	/* bytes of a request body */
#define ETCD_BODY_MAX		(4 * 1024 * 1024)	/* answer bytes kept */
#define ETCD_ERROR_MAX		256

/* gRPC status codes etcd puts in an error answer's "code". */
#define ETCD_CODE_NOT_FOUND		5
#define ETCD_CODE_DEADLINE_EXCEEDED	4
#define ETCD_CODE_UNAVAILABLE		14

/* One key as etcd keeps it.  Keys and values are text here: routehook's are. */
struct etcd_kv {
	char		 key[ETCD_KEY_MAX];
	char		 value[ETCD_VALUE_MAX];
	long long	 create_rev;
	long long	 mod_rev;
	long long	 lease;		/* 0: none */
};

/* What one answer says; kvs is the caller's array of maxkvs entries. */
struct etcd_answer {
	long long	 revision;	/* the store's, after this request */
	int		 succeeded;	/* txn: the comparison held */
	long long	 lease_id;	/* lease grant and keepalive */
	long long	 ttl;		/* ... seconds left; keepalive 0: expired */
	long long	 count;		/* range: keys matching (maybe > nkvs);
					   txn: of its ranges together */
	struct etcd_kv	*kvs;
	size_t		 maxkvs;
	size_t		 nkvs;
	int		 code;		/* an error answer's gRPC code; 0: none */
	char		 error[ETCD_ERROR_MAX];	/* its message */
};

struct etcd_opts {
	const char	*endpoints[ETCD_ENDPOINTS_MAX];	/* "http(s)://host:port" */
	size_t		 nendpoints;
	const char	*ca_file;	/* NULL or "": none */
	const char	*cert_file;
	const char	*key_file;
	long		 timeout_ms;	/* one call, every endpoint tried */
};

struct etcd {
	char		*endpoints[ETCD_ENDPOINTS_MAX];
	size_t		 nendpoints;
	size_t		 cur;		/* tried first */
	long		 timeout_ms;
	CURL		*easy;
	struct curl_slist *headers;
	struct dynbuf	 resp;
	char		 errbuf[CURL_ERROR_SIZE];
	struct etcd_kv	 one;		/* for calls that read one key */
};

/* ---- pure ---- */

/*
 * Request bodies into buf: their length, or -1 when they do not fit.
 * prefix: every key starting with key.  limit 0: no limit.  lease 0: none.
 */
int	 etcd_req_range(char *buf, size_t bufsz, const char *key, int prefix,
	    long limit);
int	 etcd_req_put(char *buf, size_t bufsz, const char *key,
	    const char *value, long long lease);
/*
 * Put when key's mod_revision is mod_rev (0: when key does not exist);
 * otherwise read it, so that the answer says what is there instead.
 */
int	 etcd_req_cas(char *buf, size_t bufsz, const char *key,
	    long long mod_rev, const char *value, long long lease);
/*
 * Create lock = value under lease unless it exists, and read key, in one
 * transaction; when lock exists, read it and key.
 */
int	 etcd_req_acquire_read(char *buf, size_t bufsz, const char *lock,
	    const char *value, long long lease, const char *key);
/* Delete key when its mod_revision is mod_rev (0: whatever it holds). */
int	 etcd_req_delete(char *buf, size_t bufsz, const char *key,
	    long long mod_rev);
/*
 * Put key = value and delete lock, both only when lock's mod_revision is
 * lock_rev: a stamp written and its lock let go in one step.
 */
int	 etcd_req_put_release(char *buf, size_t bufsz, const char *lock,
	    long long lock_rev, const char *key, const char *value);
/* {"TTL":"ttl"} for a grant, {"ID":"id"} for keepalive and revoke. */
int	 etcd_req_lease(char *buf, size_t bufsz, const char *field,
	    long long n);

void	 etcd_answer_init(struct etcd_answer *a, struct etcd_kv *kvs,
	    size_t maxkvs);
/*
 * Read an answer body (any of the above, keepalive's {"result":...}
 * included, or an error {"error","code","message"}) into a.  0 when it
 * was one of these (a->code says whether an error), -1 with err filled
 * when it is not JSON of that shape or a key or value does not fit.
 */
int	 etcd_parse(const char *body, size_t len, struct etcd_answer *a,
	    char *err, size_t errsz);

/*
 * Whether another member may do better than this answer: no answer at
 * all (status 0), 5xx, or an error code meaning "not now, not here".
 */
int	 etcd_failover(long status, int code);

/* Base64 (standard, padded) of n bytes; -1 when it does not fit. */
int	 etcd_b64(char *out, size_t outsz, const void *in, size_t n);
/* The reverse, NUL-terminated; the length, -1 when not base64 or too long. */
int	 etcd_unb64(char *out, size_t outsz, const char *in, size_t n);

/* ---- I/O ---- */

int	 etcd_open(struct etcd *e, const struct etcd_opts *o, char *err,
	    size_t errsz);
void	 etcd_close(struct etcd *e);

/* a gets the keys (as many as fit in a->maxkvs, in key order). */
int	 etcd_range(struct etcd *e, const char *key, int prefix,
	    struct etcd_answer *a, char *err, size_t errsz);
int	 etcd_put(struct etcd *e, const char *key, const char *value,
	    long long lease, char *err, size_t errsz);
/*
 * 1 swapped (*rev: the new mod_revision), 0 when key was not at mod_rev
 * (cur, when not NULL, gets what is there; cur->mod_rev 0: nothing), -1.
 */
int	 etcd_cas(struct etcd *e, const char *key, long long mod_rev,
	    const char *value, long long lease, long long *rev,
	    struct etcd_kv *cur, char *err, size_t errsz);
/* 1 deleted (or already gone with mod_rev 0), 0 not at mod_rev, -1. */
int	 etcd_delete(struct etcd *e, const char *key, long long mod_rev,
	    char *err, size_t errsz);

/* etcd_req_put_release(): 1 done, 0 when lock was not at lock_rev, -1. */
int	 etcd_put_release(struct etcd *e, const char *lock, long long lock_rev,
	    const char *key, const char *value, char *err, size_t errsz);

/*
 * Create key = value bound to lease, unless it exists: 1 when it is ours
 * (created now, or already holding this value under this lease: a retried
 * call that had succeeded), 0 when another holds it (holder gets it), -1.
 * *rev: the key's mod_revision, to release it with etcd_delete().
 */
int	 etcd_acquire(struct etcd *e, const char *key, const char *value,
	    long long lease, long long *rev, struct etcd_kv *holder,
	    char *err, size_t errsz);

/*
 * etcd_acquire() and a read of key in the same round trip: *have says
 * whether key exists, and kv holds it then.
 */
int	 etcd_acquire_read(struct etcd *e, const char *lock, const char *value,
	    long long lease, const char *key, long long *rev,
	    struct etcd_kv *holder, struct etcd_kv *kv, int *have, char *err,
	    size_t errsz);

int	 etcd_lease_grant(struct etcd *e, long ttl_s, long long *id,
	    char *err, size_t errsz);
/* *ttl: seconds left; 0 when the lease has expired or never was. */
int	 etcd_lease_keepalive(struct etcd *e, long long id, long long *ttl,
	    char *err, size_t errsz);
int	 etcd_lease_revoke(struct etcd *e, long long id, char *err,
	    size_t errsz);

#endif
