/*
 * auth-fuzzer: the headers of every sender scheme of lib/auth.c, as a
 * client sends them: standard-webhooks (webhook-id, webhook-timestamp,
 * webhook-signature), api_key (the key header) and basic (Authorization).
 * Input: those five header values, one a line, then the body.  Checks
 * beyond "no crash": standard-webhooks accepts only a webhook-signature
 * holding "v1," and the real base64 HMAC of "<id>.<timestamp>.<body>",
 * with the timestamp within the tolerance of now; api_key only the key
 * itself; basic only an Authorization header.
 */
#include <stdlib.h>
#include <string.h>

#include "auth.h"
#include "conf.h"
#include "fuzz.h"
#include "hmac.h"
#include "secret.h"

#define NOW		1796188193LL
#define TOLERANCE	300L

static void
secret_of(struct secret *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	memcpy(s->key, text, strlen(text));
	s->len = strlen(text);
}

/* The v1 signature standard-webhooks wants, base64, into out. */
static void
swh_expected(const struct secret *key, const char *id, const char *ts,
    const char *body, size_t blen, char *out, size_t outsz)
{
	size_t ni = strlen(id), nt = strlen(ts), n = ni + 1 + nt + 1 + blen;
	char *msg;

	if ((msg = malloc(n + 1)) == NULL)
		abort();
	memcpy(msg, id, ni);
	msg[ni] = '.';
	memcpy(msg + ni + 1, ts, nt);
	msg[ni + 1 + nt] = '.';
	if (blen > 0)
		memcpy(msg + ni + 1 + nt + 1, body, blen);
	if (hmac_format(key->key, key->len, msg, n, "", CONF_SIG_BASE64, out,
	    outsz) == -1)
		abort();
	free(msg);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct secret swh, key, cred;
	char *s = fuzz_str(data, size), *f[6], want[HMAC_TEXT_MAX + 3];
	const char *why, *body;
	size_t blen;
	long long ts;
	char *end;

	fuzz_split(s, f, 6);
	body = f[5] != NULL ? f[5] : "";
	blen = f[5] != NULL ? size - (size_t)(f[5] - s) : 0;
	secret_of(&swh, "fuzz-standard-webhooks-key");
	secret_of(&key, "fuzz-api-key");
	secret_of(&cred, "user:password");

	if (auth_standard_webhooks(&swh, 1, TOLERANCE, f[0], f[1], f[2], body,
	    blen, NOW, &why)) {
		swh_expected(&swh, f[0], f[1], body, blen, want + 3,
		    sizeof(want) - 3);
		memcpy(want, "v1,", 3);
		ts = strtoll(f[1], &end, 10);
		if (strstr(f[2], want) == NULL || ts < NOW - TOLERANCE ||
		    ts > NOW + TOLERANCE)
			abort();
	}
	if (auth_api_key(&key, 1, f[3], &why) &&
	    strcmp(f[3], "fuzz-api-key") != 0)
		abort();
	if (auth_basic(&cred, 1, f[4], &why) && f[4] == NULL)
		abort();
	free(s);
	return 0;
}
