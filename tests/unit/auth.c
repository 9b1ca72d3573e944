/*
 * auth unit test: each sender scheme on its own (the Standard Webhooks
 * example from the specification, rotation, tolerance, malformed
 * headers; API keys; Basic credentials), then auth_check() choosing
 * among several schemes and saying why it refused.  No I/O.
 * Fails with "not ok" lines and exit 1.
 */
#include <stdio.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "hmac.h"
#include "secret.h"
#include "tap.h"

/* The specification's example (standard-webhooks.md, "Verifying"). */
#define SWH_KEY_B64	"MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
#define SWH_ID		"msg_p5jXN8AQM9LWM0D4loKWxJek"
#define SWH_TS		"1614265330"
#define SWH_NOW		1614265330LL
#define SWH_BODY	"{\"test\": 2432232314}"
#define SWH_SIG		"v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#define SWH_OTHER	"v1,AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="

static void
set(struct secret *s, const void *key, size_t len)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->key, key, len);
	s->len = len;
}

static void
swh_key(struct secret *s)
{
	unsigned char raw[64];
	int n = hmac_base64_decode(SWH_KEY_B64, strlen(SWH_KEY_B64), raw,
	    sizeof(raw));

	is_int(n, 24, "base64: the example key is 24 bytes");
	set(s, raw, (size_t)(n > 0 ? n : 0));
}

static int
swh(const struct secret *k, size_t n, const char *id, const char *ts,
    const char *sig, const char *body, long long now, const char **why)
{
	*why = "";
	return auth_standard_webhooks(k, n, 300, id, ts, sig, body,
	    strlen(body), now, why);
}

static void
test_base64(void)
{
	unsigned char out[8];

	is_int(hmac_base64_decode("YQ==", 4, out, sizeof(out)), 1, "YQ==");
	ok(out[0] == 'a', "YQ== is a");
	is_int(hmac_base64_decode("YWI=", 4, out, sizeof(out)), 2, "YWI=");
	is_int(hmac_base64_decode("YWJj", 4, out, sizeof(out)), 3, "YWJj");
	is_int(hmac_base64_decode("YWJ", 3, out, sizeof(out)), -1,
	    "not a multiple of 4");
	is_int(hmac_base64_decode("Y=Jj", 4, out, sizeof(out)), -1,
	    "'=' in the middle");
	is_int(hmac_base64_decode("YW-j", 4, out, sizeof(out)), -1,
	    "not the standard alphabet");
	is_int(hmac_base64_decode("YWJjYWJjYWJj", 12, out, 8), -1,
	    "too long for the buffer");
}

static void
test_standard_webhooks(void)
{
	struct secret k[3];
	const char *why;
	char sigs[512];

	swh_key(&k[0]);
	set(&k[1], "another key", 11);
	memset(&k[2], 0, sizeof(k[2]));

	ok(swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why),
	    "the specification's example verifies");
	ok(swh(&k[1], 2, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why) ==
	    0 && swh(k, 2, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why),
	    "rotation: any of the keys (%s)", why);
	ok(swh(&k[2], 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why) ==
	    0, "an empty key never matches");
	snprintf(sigs, sizeof(sigs), "v1a,abc " SWH_OTHER "  " SWH_SIG " ");
	ok(swh(k, 1, SWH_ID, SWH_TS, sigs, SWH_BODY, SWH_NOW, &why),
	    "a list: other versions skipped, one v1 matching is enough");
	ok(!swh(k, 1, SWH_ID, SWH_TS, SWH_OTHER, SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "invalid webhook-signature") == 0,
	    "a wrong signature: %s", why);
	ok(!swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, "{\"test\": 2432232315}",
	    SWH_NOW, &why), "another body");
	ok(!swh(k, 1, "msg_other", SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why),
	    "another id");
	ok(!swh(k, 1, SWH_ID, "1614265331", SWH_SIG, SWH_BODY, SWH_NOW, &why),
	    "another timestamp");
	ok(swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW + 300, &why),
	    "300 s late: within the tolerance");
	ok(!swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW + 301,
	    &why) && strstr(why, "too old") != NULL, "301 s late: %s", why);
	ok(swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW - 300, &why),
	    "300 s early: within the tolerance");
	ok(!swh(k, 1, SWH_ID, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW - 301,
	    &why) && strstr(why, "future") != NULL, "301 s early: %s", why);
	ok(!swh(k, 1, NULL, SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "no webhook-id header") == 0, "no id: %s", why);
	ok(!swh(k, 1, SWH_ID, NULL, SWH_SIG, SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "no webhook-timestamp header") == 0,
	    "no timestamp: %s", why);
	ok(!swh(k, 1, SWH_ID, SWH_TS, "", SWH_BODY, SWH_NOW, &why),
	    "an empty signature header");
	ok(!swh(k, 1, SWH_ID, "16142653e0", SWH_SIG, SWH_BODY, SWH_NOW,
	    &why) && strcmp(why, "invalid webhook-timestamp") == 0,
	    "a timestamp that is not digits");
	ok(!swh(k, 1, SWH_ID, "-1614265330", SWH_SIG, SWH_BODY, SWH_NOW,
	    &why), "a negative timestamp");
	ok(!swh(k, 1, SWH_ID, "1234567890123", SWH_SIG, SWH_BODY, SWH_NOW,
	    &why), "a timestamp of 13 digits");
	ok(!swh(k, 1, "msg 1", SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "invalid webhook-id") == 0, "an id with a space");
	ok(!swh(k, 1, "msg\n1", SWH_TS, SWH_SIG, SWH_BODY, SWH_NOW, &why),
	    "an id with a newline (it would forge a log line)");
	ok(!swh(k, 1, SWH_ID, SWH_TS, "v1", SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "malformed webhook-signature") == 0,
	    "an entry without a comma");
	ok(!swh(k, 1, SWH_ID, SWH_TS, "v1,abc", SWH_BODY, SWH_NOW, &why),
	    "a v1 entry that is not 32 bytes of base64");
	ok(!swh(k, 1, SWH_ID, SWH_TS, "v2,abc", SWH_BODY, SWH_NOW, &why) &&
	    strcmp(why, "no v1 signature in webhook-signature") == 0,
	    "no v1 entry at all");
}

static void
test_api_key_basic(void)
{
	struct secret k[2], c[2];
	const char *why = "";

	set(&k[0], "key-one", 7);
	set(&k[1], "key-two", 7);
	ok(auth_api_key(k, 2, "key-two", &why), "api_key: the second key");
	ok(!auth_api_key(k, 2, "key-tw", &why) &&
	    strcmp(why, "invalid API key") == 0, "api_key: a prefix is not it");
	ok(!auth_api_key(k, 2, "key-two ", &why), "api_key: nor a longer one");
	ok(!auth_api_key(k, 2, "", &why), "api_key: empty");
	ok(!auth_api_key(k, 0, "key-one", &why), "api_key: no keys at all");

	set(&c[0], "eventbridge:s3cret", 18);
	set(&c[1], "architect:pa:ss", 15);
	/* "eventbridge:s3cret", "architect:pa:ss" */
	ok(auth_basic(c, 2, "Basic ZXZlbnRicmlkZ2U6czNjcmV0", &why),
	    "basic: the first credentials");
	ok(auth_basic(c, 2, "basic   YXJjaGl0ZWN0OnBhOnNz", &why),
	    "basic: any case, several spaces, a ':' in the password");
	ok(!auth_basic(c, 2, "Basic ZXZlbnRicmlkZ2U6czNjcmVU", &why) &&
	    strcmp(why, "invalid Basic credentials") == 0,
	    "basic: a wrong password");
	ok(!auth_basic(c, 2, "Bearer ZXZlbnRicmlkZ2U6czNjcmV0", &why) &&
	    strcmp(why, "Authorization is not Basic") == 0, "basic: Bearer");
	ok(!auth_basic(c, 2, "Basic !!!!", &why) &&
	    strcmp(why, "malformed Basic credentials") == 0,
	    "basic: not base64");
	ok(!auth_basic(c, 2, NULL, &why), "basic: no header");
}

static void
test_check(void)
{
	static struct conf c;
	struct auth_request rq;
	struct auth_verdict v;
	char sig[HMAC_TEXT_MAX];

	memset(&c, 0, sizeof(c));
	c.receiver.signature_header = "X-Genesys-Signature";
	c.receiver.signature_prefix = "";
	c.receiver.signature_encoding = CONF_SIG_HEX;
	c.receiver.api_key.header = "X-API-Key";
	set(&c.receiver.secrets[0], "hmac-secret", 11);
	c.receiver.nsecrets = 1;
	swh_key(&c.receiver.standard_webhooks.keys.secrets[0]);
	c.receiver.standard_webhooks.keys.nsecrets = 1;
	c.receiver.standard_webhooks.tolerance_s = 300;
	set(&c.receiver.api_key.keys.secrets[0], "the-key", 7);
	c.receiver.api_key.keys.nsecrets = 1;
	hmac_format("hmac-secret", 11, SWH_BODY, strlen(SWH_BODY), "",
	    CONF_SIG_HEX, sig, sizeof(sig));

	memset(&rq, 0, sizeof(rq));
	rq.body = SWH_BODY;
	rq.len = strlen(SWH_BODY);
	rq.now = SWH_NOW;

	c.receiver.auth = CONF_AUTH_HMAC;
	ok(!auth_check(&c, &rq, &v) && strcmp(v.why, "invalid signature "
	    "(no X-Genesys-Signature header)") == 0 &&
	    strcmp(v.answer, "invalid signature") == 0,
	    "hmac alone, nothing sent: today's words (%s)", v.why);
	rq.signature = sig;
	ok(auth_check(&c, &rq, &v) && v.scheme == CONF_AUTH_HMAC &&
	    v.id[0] == '\0', "hmac alone: a good signature");
	rq.signature = NULL;
	rq.webhook_id = SWH_ID;
	rq.webhook_timestamp = SWH_TS;
	rq.webhook_signature = SWH_SIG;
	ok(!auth_check(&c, &rq, &v), "hmac alone: standard-webhooks headers "
	    "count for nothing");

	c.receiver.auth = CONF_AUTH_HMAC | CONF_AUTH_STANDARD_WEBHOOKS |
	    CONF_AUTH_API_KEY;
	ok(auth_check(&c, &rq, &v) &&
	    v.scheme == CONF_AUTH_STANDARD_WEBHOOKS &&
	    strcmp(v.id, SWH_ID) == 0, "several: standard-webhooks, with its "
	    "id for the replay record");
	rq.signature = "00";
	ok(auth_check(&c, &rq, &v) &&
	    v.scheme == CONF_AUTH_STANDARD_WEBHOOKS,
	    "several: a bad hmac header does not spoil a good other scheme");
	rq.webhook_signature = SWH_OTHER;
	ok(!auth_check(&c, &rq, &v) && strcmp(v.why, "invalid signature") ==
	    0, "several, all bad: the first scheme's reason (%s)", v.why);
	memset(&rq, 0, sizeof(rq));
	rq.body = SWH_BODY;
	rq.len = strlen(SWH_BODY);
	rq.now = SWH_NOW;
	rq.api_key = "the-key";
	ok(auth_check(&c, &rq, &v) && v.scheme == CONF_AUTH_API_KEY,
	    "several: an API key");
	rq.api_key = "not-the-key";
	ok(!auth_check(&c, &rq, &v) && strcmp(v.why, "invalid API key") == 0 &&
	    strcmp(v.answer, "invalid credentials") == 0,
	    "several: a wrong API key is invalid credentials");
	rq.api_key = NULL;
	ok(!auth_check(&c, &rq, &v) && strcmp(v.why, "no credentials (no "
	    "X-Genesys-Signature, webhook-signature, X-API-Key header)") == 0,
	    "several, nothing sent: names what was looked for (%s)", v.why);
	ok(strcmp(auth_scheme_name(CONF_AUTH_BASIC), "basic") == 0 &&
	    strcmp(auth_scheme_name(0), "none") == 0, "scheme names");
}

int
main(void)
{
	test_base64();
	test_standard_webhooks();
	test_api_key_basic();
	test_check();
	return tap_done();
}
