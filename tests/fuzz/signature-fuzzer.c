/*
 * signature-fuzzer: the signature header, as hmac_parse() and
 * hmac_verify() read it, in each encoding, with and without a prefix.
 * Input: the header value, a newline, then the body it claims to sign.
 * Checks beyond "no crash": hmac_verify() accepts a value only when it
 * decodes to the body's real digest, and hmac_parse() accepts nothing
 * without the prefix (after the white space RFC 9110 allows around a
 * field value, which it skips); hmac_format()'s own output always verifies.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"
#include "hmac.h"
#include "secret.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const prefixes[] = { "", "sha256=" };
	static const enum conf_sig_encoding encs[] = {
		CONF_SIG_HEX, CONF_SIG_BASE64
	};
	static const char key[] = "fuzz-secret";
	struct secret sec;
	unsigned char mac[HMAC_LEN], real[HMAC_LEN];
	char *s = fuzz_str(data, size), *f[2], good[HMAC_TEXT_MAX];
	const char *body;
	size_t i, j, blen;

	fuzz_split(s, f, 2);
	body = f[1] != NULL ? f[1] : "";
	blen = f[1] != NULL ? size - (size_t)(f[1] - s) : 0;
	memset(&sec, 0, sizeof(sec));
	memcpy(sec.key, key, sizeof(key) - 1);
	sec.len = sizeof(key) - 1;
	hmac_sha256(key, sizeof(key) - 1, body, blen, real);
	for (i = 0; i < 2; i++)
		for (j = 0; j < 2; j++) {
			if (hmac_format(key, sizeof(key) - 1, body, blen,
			    prefixes[i], encs[j], good, sizeof(good)) == -1)
				abort();
			if (!hmac_verify(&sec, 1, body, blen, good, prefixes[i],
			    encs[j]))
				abort();
			if (hmac_verify(&sec, 1, body, blen, f[0], prefixes[i],
			    encs[j]) && (hmac_parse(f[0], prefixes[i], encs[j],
			    mac) == -1 || memcmp(mac, real, HMAC_LEN) != 0))
				abort();
			/* After the optional white space around a field value. */
			if (hmac_parse(f[0], prefixes[i], encs[j], mac) == 0 &&
			    strncmp(f[0] + strspn(f[0], " \t"), prefixes[i],
			    strlen(prefixes[i])) != 0)
				abort();
		}
	free(s);
	return 0;
}
