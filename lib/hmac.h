/*
 * hmac: HMAC-SHA256 request signatures (OpenSSL libcrypto).
 *
 * A signature header value is "<prefix><digest>", the digest of the raw
 * request body in hex (either case) or base64 (standard alphabet, padded).
 * The tutorial's X-Genesys-Signature is hex with no prefix; Genesys Open
 * Messaging's X-Hub-Signature-256 is "sha256=" + base64.
 *
 * Pure functions: no I/O, no allocation, nothing logged.
 */
#ifndef ROUTEHOOK_HMAC_H
#define ROUTEHOOK_HMAC_H

#include <stddef.h>

#include "conf.h"

#define HMAC_LEN	32	/* SHA-256 */
#define HMAC_TEXT_MAX	128	/* a formatted signature, with prefix and NUL */

void	 hmac_sha256(const void *key, size_t keylen, const void *data,
	    size_t len, unsigned char out[HMAC_LEN]);

/* Bytes signed in pieces, as Standard Webhooks signs "id.timestamp.body". */
struct hmac_part {
	const void	*data;
	size_t		 len;
};

/* The HMAC-SHA256 of the n parts one after the other; 0, or -1. */
int	 hmac_sha256_parts(const void *key, size_t keylen,
	    const struct hmac_part *parts, size_t n,
	    unsigned char out[HMAC_LEN]);

/*
 * Decode n characters of padded base64 (standard alphabet, RFC 4648 §4)
 * into out: the number of bytes, or -1 when s is not base64 or the bytes
 * would not fit in outsz.
 */
int	 hmac_base64_decode(const char *s, size_t n, unsigned char *out,
	    size_t outsz);

/*
 * Decode a header value into its 32 digest bytes.  -1 when the prefix is
 * missing, the text is not the encoding, or the length is wrong.
 */
int	 hmac_parse(const char *value, const char *prefix,
	    enum conf_sig_encoding enc, unsigned char out[HMAC_LEN]);

/* The header value for body under key: prefix + hex (lower case) or base64. */
int	 hmac_format(const void *key, size_t keylen, const void *body,
	    size_t len, const char *prefix, enum conf_sig_encoding enc,
	    char *out, size_t outsz);

/*
 * 1 when value is a valid signature of body under any of the n secrets,
 * else 0.  Compares in constant time and checks every secret, so timing
 * tells nothing about which part failed.
 */
int	 hmac_verify(const struct secret *secrets, size_t n,
	    const void *body, size_t len, const char *value, const char *prefix,
	    enum conf_sig_encoding enc);

#endif
