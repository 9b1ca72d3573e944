/*
 * auth: see auth.h.
 *
 * Constant time: each scheme costs the same work for every secret,
 * whether or not an earlier one matched, and compares with
 * CRYPTO_memcmp().  Keys and credentials of any length are compared as
 * their SHA-256 digests, so neither the length of a secret nor how much
 * of it was guessed shows in the time taken.  The shape of a header is
 * no secret: a value that does not parse is refused at once.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "auth.h"
#include "conf.h"
#include "hmac.h"
#include "secret.h"

#define AUTH_TS_DIGITS	12	/* epoch seconds until the year 33658 */

const char *
auth_scheme_name(unsigned scheme)
{
	switch (scheme) {
	case CONF_AUTH_HMAC:			return "hmac";
	case CONF_AUTH_STANDARD_WEBHOOKS:	return "standard-webhooks";
	case CONF_AUTH_API_KEY:			return "api_key";
	case CONF_AUTH_BASIC:			return "basic";
	default:				return "none";
	}
}

static int
auth_digest(const void *data, size_t len, unsigned char out[HMAC_LEN])
{
	static const unsigned char empty[1];
	unsigned int outlen = 0;

	if (EVP_Digest(len > 0 ? data : empty, len, out, &outlen,
	    EVP_sha256(), NULL) != 1 || outlen != HMAC_LEN)
		return -1;
	return 0;
}

/* Whether value is one of the n secrets, comparing digests. */
static int
auth_match(const struct secret *secrets, size_t n, const void *value,
    size_t len)
{
	unsigned char want[HMAC_LEN], have[HMAC_LEN];
	unsigned int matched = 0, usable, equal;
	size_t i;

	if (auth_digest(value, len, want) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		usable = secrets[i].len > 0 && secrets[i].len <= SECRET_MAX;
		memset(have, 0, sizeof(have));
		if (auth_digest(secrets[i].key, usable ? secrets[i].len : 0,
		    have) == -1)
			usable = 0;
		equal = CRYPTO_memcmp(have, want, HMAC_LEN) == 0;
		matched |= usable & equal;
	}
	OPENSSL_cleanse(want, sizeof(want));
	OPENSSL_cleanse(have, sizeof(have));
	return matched != 0;
}

/* ---- standard-webhooks ---- */

/* 1 to AUTH_ID_MAX - 1 visible ASCII characters: safe in a log line. */
static int
auth_id_valid(const char *id)
{
	size_t i;

	for (i = 0; id[i] != '\0'; i++)
		if (i >= AUTH_ID_MAX - 1 || id[i] < 0x21 || id[i] > 0x7e)
			return 0;
	return i > 0;
}

static int
auth_timestamp(const char *s, long long *out)
{
	long long v = 0;
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= AUTH_TS_DIGITS || s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	if (i == 0)
		return -1;
	*out = v;
	return 0;
}

/*
 * The v1 signatures of a webhook-signature header ("v1,<base64> v1,..."),
 * decoded; other versions (v1a: asymmetric) are skipped.  The count, or
 * -1 when an entry is malformed.
 */
static int
auth_swh_sigs(const char *h, unsigned char sigs[][HMAC_LEN], int max)
{
	unsigned char buf[HMAC_LEN + 3];
	const char *p = h, *end, *comma;
	int n = 0;

	while (*p != '\0') {
		while (*p == ' ')
			p++;
		if (*p == '\0')
			break;
		end = strchr(p, ' ');
		if (end == NULL)
			end = p + strlen(p);
		comma = memchr(p, ',', (size_t)(end - p));
		if (comma == NULL)
			return -1;
		if (comma - p == 2 && memcmp(p, "v1", 2) == 0) {
			if (n < max && hmac_base64_decode(comma + 1,
			    (size_t)(end - comma - 1), buf, sizeof(buf)) ==
			    HMAC_LEN)
				memcpy(sigs[n++], buf, HMAC_LEN);
			else if (n < max)
				return -1;
		}
		p = end;
	}
	return n;
}

int
auth_standard_webhooks(const struct secret *keys, size_t n,
    long tolerance_s, const char *id, const char *timestamp,
    const char *signatures, const void *body, size_t len, long long now,
    const char **why)
{
	unsigned char sigs[AUTH_SWH_MAX_SIGS][HMAC_LEN], mac[HMAC_LEN];
	unsigned int matched = 0, usable, computed;
	struct hmac_part parts[5];
	long long ts;
	size_t i;
	int nsigs, j;

	if (signatures == NULL || *signatures == '\0')
		return *why = "no webhook-signature header", 0;
	if (id == NULL || *id == '\0')
		return *why = "no webhook-id header", 0;
	if (timestamp == NULL || *timestamp == '\0')
		return *why = "no webhook-timestamp header", 0;
	if (!auth_id_valid(id))
		return *why = "invalid webhook-id", 0;
	if (auth_timestamp(timestamp, &ts) == -1)
		return *why = "invalid webhook-timestamp", 0;
	if ((nsigs = auth_swh_sigs(signatures, sigs, AUTH_SWH_MAX_SIGS)) < 0)
		return *why = "malformed webhook-signature", 0;
	if (nsigs == 0)
		return *why = "no v1 signature in webhook-signature", 0;

	parts[0].data = id;
	parts[0].len = strlen(id);
	parts[1].data = ".";
	parts[1].len = 1;
	parts[2].data = timestamp;
	parts[2].len = strlen(timestamp);
	parts[3].data = ".";
	parts[3].len = 1;
	parts[4].data = body;
	parts[4].len = len;
	for (i = 0; i < n; i++) {
		usable = keys[i].len > 0 && keys[i].len <= SECRET_MAX;
		memset(mac, 0, sizeof(mac));
		computed = hmac_sha256_parts(keys[i].key,
		    usable ? keys[i].len : 0, parts, 5, mac) == 0;
		for (j = 0; j < nsigs; j++)
			matched |= usable & computed &
			    (CRYPTO_memcmp(mac, sigs[j], HMAC_LEN) == 0);
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	if (!matched)
		return *why = "invalid webhook-signature", 0;
	/*
	 * Signed, so the time is the sender's: outside the tolerance it is a
	 * replay (or a clock far off), and either way not to be taken.
	 */
	if (ts < now - tolerance_s)
		return *why = "webhook-timestamp too old (a replay, or the "
		    "sender's clock is behind)", 0;
	if (ts > now + tolerance_s)
		return *why = "webhook-timestamp in the future (the sender's "
		    "clock is ahead)", 0;
	return 1;
}

/* ---- api_key and basic ---- */

int
auth_api_key(const struct secret *keys, size_t n, const char *value,
    const char **why)
{
	if (value == NULL || *value == '\0')
		return *why = "no API key", 0;
	if (!auth_match(keys, n, value, strlen(value)))
		return *why = "invalid API key", 0;
	return 1;
}

/* "Basic" (any case), then spaces, then base64 of "user:password". */
int
auth_basic(const struct secret *creds, size_t n, const char *authorization,
    const char **why)
{
	unsigned char buf[SECRET_MAX];
	const char *p = authorization;
	size_t len;
	int got, ok;

	if (p == NULL || *p == '\0')
		return *why = "no Authorization header", 0;
	if (strncasecmp(p, "Basic ", 6) != 0)
		return *why = "Authorization is not Basic", 0;
	for (p += 6; *p == ' '; p++)
		;
	len = strlen(p);
	while (len > 0 && p[len - 1] == ' ')
		len--;
	if ((got = hmac_base64_decode(p, len, buf, sizeof(buf))) <= 0)
		return *why = "malformed Basic credentials", 0;
	ok = auth_match(creds, n, buf, (size_t)got);
	OPENSSL_cleanse(buf, sizeof(buf));
	if (!ok)
		return *why = "invalid Basic credentials", 0;
	return 1;
}

/* ---- all of them ---- */

static void
auth_refuse(struct auth_verdict *v, unsigned scheme, const char *why)
{
	/* The first scheme's reason is the one told. */
	if (v->why[0] != '\0')
		return;
	snprintf(v->why, sizeof(v->why), "%s", why);
	v->answer = scheme == CONF_AUTH_API_KEY || scheme == CONF_AUTH_BASIC ?
	    "invalid credentials" : "invalid signature";
}

int
auth_check(const struct conf *c, const struct auth_request *rq,
    struct auth_verdict *v)
{
	unsigned auth = c->receiver.auth, tried = 0;
	const char *why;
	char none[AUTH_WHY_MAX / 2];

	memset(v, 0, sizeof(*v));
	if ((auth & CONF_AUTH_HMAC) && rq->signature != NULL &&
	    *rq->signature != '\0') {
		tried |= CONF_AUTH_HMAC;
		if (hmac_verify(c->receiver.secrets, c->receiver.nsecrets,
		    rq->body, rq->len, rq->signature,
		    c->receiver.signature_prefix,
		    c->receiver.signature_encoding))
			return v->scheme = CONF_AUTH_HMAC, 1;
		auth_refuse(v, CONF_AUTH_HMAC, "invalid signature");
	}
	if ((auth & CONF_AUTH_STANDARD_WEBHOOKS) &&
	    rq->webhook_signature != NULL) {
		tried |= CONF_AUTH_STANDARD_WEBHOOKS;
		if (auth_standard_webhooks(
		    c->receiver.standard_webhooks.keys.secrets,
		    c->receiver.standard_webhooks.keys.nsecrets,
		    c->receiver.standard_webhooks.tolerance_s, rq->webhook_id,
		    rq->webhook_timestamp, rq->webhook_signature, rq->body,
		    rq->len, rq->now, &why)) {
			v->scheme = CONF_AUTH_STANDARD_WEBHOOKS;
			snprintf(v->id, sizeof(v->id), "%s", rq->webhook_id);
			v->why[0] = '\0';
			return 1;
		}
		auth_refuse(v, CONF_AUTH_STANDARD_WEBHOOKS, why);
	}
	if ((auth & CONF_AUTH_API_KEY) && rq->api_key != NULL) {
		tried |= CONF_AUTH_API_KEY;
		if (auth_api_key(c->receiver.api_key.keys.secrets,
		    c->receiver.api_key.keys.nsecrets, rq->api_key, &why)) {
			v->why[0] = '\0';
			return v->scheme = CONF_AUTH_API_KEY, 1;
		}
		auth_refuse(v, CONF_AUTH_API_KEY, why);
	}
	if ((auth & CONF_AUTH_BASIC) && rq->authorization != NULL) {
		tried |= CONF_AUTH_BASIC;
		if (auth_basic(c->receiver.basic.keys.secrets,
		    c->receiver.basic.keys.nsecrets, rq->authorization,
		    &why)) {
			v->why[0] = '\0';
			return v->scheme = CONF_AUTH_BASIC, 1;
		}
		auth_refuse(v, CONF_AUTH_BASIC, why);
	}
	if (tried != 0)
		return 0;

	/* Nothing to check: say which headers would have been. */
	none[0] = '\0';
	if (auth & CONF_AUTH_HMAC)
		snprintf(none + strlen(none), sizeof(none) - strlen(none),
		    ", %s", c->receiver.signature_header);
	if (auth & CONF_AUTH_STANDARD_WEBHOOKS)
		snprintf(none + strlen(none), sizeof(none) - strlen(none),
		    ", webhook-signature");
	if (auth & CONF_AUTH_API_KEY)
		snprintf(none + strlen(none), sizeof(none) - strlen(none),
		    ", %s", c->receiver.api_key.header);
	if (auth & CONF_AUTH_BASIC)
		snprintf(none + strlen(none), sizeof(none) - strlen(none),
		    ", Authorization");
	if (auth == CONF_AUTH_HMAC) {
		/* The line README and operators know, unchanged. */
		snprintf(v->why, sizeof(v->why), "invalid signature (no %s "
		    "header)", c->receiver.signature_header);
		v->answer = "invalid signature";
	} else {
		snprintf(v->why, sizeof(v->why), "no credentials (no %s "
		    "header)", none + 2);
		v->answer = auth & (CONF_AUTH_HMAC |
		    CONF_AUTH_STANDARD_WEBHOOKS) ? "invalid signature" :
		    "invalid credentials";
	}
	return 0;
}
