/*
 * hmac: see hmac.h.  HMAC-SHA256 through OpenSSL's one-shot HMAC().
 *
 * The parser is strict (exact, case-sensitive prefix; exact length; hex of
 * either case; canonical padded base64) because every extra spelling a
 * lenient parser accepts is one more thing an attacker can vary.  Only
 * spaces and tabs around the whole value are forgiven.
 *
 * Failure: hmac_parse() and hmac_format() return -1, hmac_verify() returns
 * 0 and never 1.  hmac_sha256() has no way to report an error, and a
 * predictable digest would be worse than stopping, so it aborts if
 * libcrypto fails (out of memory or a broken provider).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/params.h>
#include <openssl/core_names.h>

#include "hmac.h"

#define HMAC_HEX_LEN	(2 * HMAC_LEN)			/* 64 */
#define HMAC_B64_LEN	(4 * ((HMAC_LEN + 2) / 3))	/* 44, one '=' */

static const char hmac_hexdigits[] = "0123456789abcdef";

static int
hmac_compute(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[HMAC_LEN])
{
	/* OpenSSL 3 refuses a NULL pointer even with a length of 0. */
	static const unsigned char empty[1];
	unsigned int outlen = 0;

	if ((key == NULL && keylen > 0) || (data == NULL && len > 0) ||
	    keylen > INT_MAX)
		return -1;
	if (key == NULL)
		key = empty;
	if (data == NULL)
		data = empty;
	if (HMAC(EVP_sha256(), key, (int)keylen, data, len, out,
	    &outlen) == NULL || outlen != HMAC_LEN)
		return -1;
	return 0;
}

void
hmac_sha256(const void *key, size_t keylen, const void *data, size_t len,
    unsigned char out[HMAC_LEN])
{
	if (hmac_compute(key, keylen, data, len, out) == -1)
		abort();
}

/*
 * EVP_MAC streams the parts, so a 1 MiB body is never copied to put an
 * id in front of it.
 */
int
hmac_sha256_parts(const void *key, size_t keylen,
    const struct hmac_part *parts, size_t n, unsigned char out[HMAC_LEN])
{
	static const unsigned char empty[1];
	OSSL_PARAM params[2];
	EVP_MAC *mac = NULL;
	EVP_MAC_CTX *ctx = NULL;
	size_t i, outlen = 0;
	int rc = -1;

	if (key == NULL && keylen > 0)
		return -1;
	params[0] = OSSL_PARAM_construct_utf8_string("digest",
	    (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if ((mac = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL ||
	    (ctx = EVP_MAC_CTX_new(mac)) == NULL ||
	    !EVP_MAC_init(ctx, key != NULL ? key : empty, keylen, params))
		goto done;
	for (i = 0; i < n; i++)
		if (parts[i].len > 0 && (parts[i].data == NULL ||
		    !EVP_MAC_update(ctx, parts[i].data, parts[i].len)))
			goto done;
	if (!EVP_MAC_final(ctx, out, &outlen, HMAC_LEN) || outlen != HMAC_LEN)
		goto done;
	rc = 0;
done:
	EVP_MAC_CTX_free(ctx);
	EVP_MAC_free(mac);
	return rc;
}

static int
hmac_hexval(unsigned char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
hmac_b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

int
hmac_base64_decode(const char *s, size_t n, unsigned char *out,
    size_t outsz)
{
	size_t i, j = 0, pad = 0;
	unsigned long acc = 0;
	int v, k;

	if (n == 0 || n % 4 != 0)
		return -1;
	if (s[n - 1] == '=')
		pad = s[n - 2] == '=' ? 2 : 1;
	if (n / 4 * 3 - pad > outsz || n / 4 * 3 > (size_t)INT_MAX)
		return -1;
	for (i = 0; i < n; i += 4) {
		acc = 0;
		for (k = 0; k < 4; k++) {
			if (i + (size_t)k >= n - pad)
				v = 0;
			else if ((v = hmac_b64val((unsigned char)s[i + k])) < 0)
				return -1;
			acc = acc << 6 | (unsigned long)v;
		}
		for (k = 2; k >= 0; k--) {
			if (i + 4 == n && 2 - k >= 3 - (int)pad)
				break;
			out[j++] = (unsigned char)(acc >> (8 * k));
		}
	}
	return (int)j;
}

static int
hmac_parse_hex(const char *s, size_t n, unsigned char out[HMAC_LEN])
{
	int hi, lo;
	size_t i;

	if (n != HMAC_HEX_LEN)
		return -1;
	for (i = 0; i < HMAC_LEN; i++) {
		hi = hmac_hexval((unsigned char)s[2 * i]);
		lo = hmac_hexval((unsigned char)s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return -1;
		out[i] = (unsigned char)(hi << 4 | lo);
	}
	return 0;
}

/*
 * EVP_DecodeBlock() skips surrounding blanks, decodes '=' as a zero byte
 * (33 bytes out for 44 in) and ignores the spare bits of the last digit,
 * so the text is checked here first and only then handed over.
 */
static int
hmac_parse_base64(const char *s, size_t n, unsigned char out[HMAC_LEN])
{
	unsigned char buf[3 * (HMAC_B64_LEN / 4)];
	size_t i;

	if (n != HMAC_B64_LEN || s[HMAC_B64_LEN - 1] != '=')
		return -1;
	for (i = 0; i < HMAC_B64_LEN - 1; i++)
		if (hmac_b64val((unsigned char)s[i]) < 0)
			return -1;
	/* 43 digits carry 258 bits: the last 2 must be 0 (canonical form) */
	if ((hmac_b64val((unsigned char)s[HMAC_B64_LEN - 2]) & 3) != 0)
		return -1;
	if (EVP_DecodeBlock(buf, (const unsigned char *)s,
	    HMAC_B64_LEN) != (int)sizeof(buf))
		return -1;
	memcpy(out, buf, HMAC_LEN);
	return 0;
}

int
hmac_parse(const char *value, const char *prefix, enum conf_sig_encoding enc,
    unsigned char out[HMAC_LEN])
{
	const char *s, *e;
	size_t plen;

	if (value == NULL)
		return -1;
	if (prefix == NULL)
		prefix = "";
	s = value;
	e = value + strlen(value);
	while (s < e && (*s == ' ' || *s == '\t'))
		s++;
	while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
		e--;
	plen = strlen(prefix);
	if ((size_t)(e - s) < plen || memcmp(s, prefix, plen) != 0)
		return -1;
	s += plen;
	switch (enc) {
	case CONF_SIG_HEX:
		return hmac_parse_hex(s, (size_t)(e - s), out);
	case CONF_SIG_BASE64:
		return hmac_parse_base64(s, (size_t)(e - s), out);
	}
	return -1;
}

int
hmac_format(const void *key, size_t keylen, const void *body, size_t len,
    const char *prefix, enum conf_sig_encoding enc, char *out, size_t outsz)
{
	unsigned char mac[HMAC_LEN];
	char text[HMAC_HEX_LEN + 1];	/* the longer of the two */
	size_t i, plen, tlen;

	if (out != NULL && outsz > 0)
		out[0] = '\0';
	if (prefix == NULL)
		prefix = "";
	if (hmac_compute(key, keylen, body, len, mac) == -1)
		return -1;
	switch (enc) {
	case CONF_SIG_HEX:
		for (i = 0; i < HMAC_LEN; i++) {
			text[2 * i] = hmac_hexdigits[mac[i] >> 4];
			text[2 * i + 1] = hmac_hexdigits[mac[i] & 0xf];
		}
		tlen = HMAC_HEX_LEN;
		break;
	case CONF_SIG_BASE64:
		if (EVP_EncodeBlock((unsigned char *)text, mac,
		    HMAC_LEN) != HMAC_B64_LEN)
			return -1;
		tlen = HMAC_B64_LEN;
		break;
	default:
		return -1;
	}
	plen = strlen(prefix);
	if (out == NULL || plen + tlen + 1 > outsz)
		return -1;
	memcpy(out, prefix, plen);
	memcpy(out + plen, text, tlen);
	out[plen + tlen] = '\0';
	return 0;
}

/*
 * Every secret costs one HMAC and one constant-time comparison whatever
 * the outcome, so the time taken depends on the number and length of the
 * secrets, never on which one matched or how much of the value was right.
 * An empty secret never matches: anyone could sign with it.  A value that
 * does not parse is rejected at once; its shape is no secret.
 */
int
hmac_verify(const struct secret *secrets, size_t n, const void *body,
    size_t len, const char *value, const char *prefix,
    enum conf_sig_encoding enc)
{
	unsigned char want[HMAC_LEN], mac[HMAC_LEN];
	unsigned int matched = 0, usable, computed, equal;
	size_t i, klen;

	if (hmac_parse(value, prefix, enc, want) == -1)
		return 0;
	for (i = 0; i < n; i++) {
		usable = secrets[i].len > 0 && secrets[i].len <= SECRET_MAX;
		klen = usable ? secrets[i].len : 0;
		memset(mac, 0, sizeof(mac));
		computed = hmac_compute(secrets[i].key, klen, body, len,
		    mac) == 0;
		equal = CRYPTO_memcmp(mac, want, HMAC_LEN) == 0;
		matched |= usable & computed & equal;
	}
	OPENSSL_cleanse(mac, sizeof(mac));
	return matched != 0;
}
