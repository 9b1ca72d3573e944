/*
 * hmac.t: HMAC-SHA256 against RFC 4231 (cases 1-7), signature header
 * parsing as a table, format/parse round trips, and verification with
 * rotated secrets.  Prints TAP; exits 1 if any point fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hmac.h"
#include "tap.h"

/* Test data: hex text to bytes; the length, or exits on a typo. */
static size_t
unhex(const char *hex, unsigned char *out, size_t outsz)
{
	size_t i, n = strlen(hex) / 2;
	unsigned int b;

	if (strlen(hex) % 2 != 0 || n > outsz) {
		fprintf(stderr, "bad test hex %s\n", hex);
		exit(2);
	}
	for (i = 0; i < n; i++) {
		if (sscanf(hex + 2 * i, "%2x", &b) != 1) {
			fprintf(stderr, "bad test hex %s\n", hex);
			exit(2);
		}
		out[i] = (unsigned char)b;
	}
	return n;
}

static const struct {
	const char	*key;		/* hex; NULL: keyfill repeated keyn times */
	int		 keyfill;
	size_t		 keyn;
	const char	*data;		/* text; NULL: datafill repeated datan times */
	int		 datafill;
	size_t		 datan;
	const char	*mac;		/* hex; case 5 is truncated to 128 bits */
} rfc4231[] = {
	{ NULL, 0x0b, 20, "Hi There", 0, 0,
	  "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7" },
	{ "4a656665", 0, 0, "what do ya want for nothing?", 0, 0,
	  "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843" },
	{ NULL, 0xaa, 20, NULL, 0xdd, 50,
	  "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe" },
	{ "0102030405060708090a0b0c0d0e0f10111213141516171819", 0, 0,
	  NULL, 0xcd, 50,
	  "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b" },
	{ NULL, 0x0c, 20, "Test With Truncation", 0, 0,
	  "a3b6167473100ee06e0c796c2955552b" },
	{ NULL, 0xaa, 131,
	  "Test Using Larger Than Block-Size Key - Hash Key First", 0, 0,
	  "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54" },
	{ NULL, 0xaa, 131,
	  "This is a test using a larger than block-size key and a larger "
	  "than block-size data. The key needs to be hashed before being "
	  "used by the HMAC algorithm.", 0, 0,
	  "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2" },
};

static void
test_rfc4231(void)
{
	unsigned char key[256], data[256], want[HMAC_LEN], got[HMAC_LEN];
	size_t i, keylen, datalen, maclen;

	for (i = 0; i < sizeof(rfc4231) / sizeof(rfc4231[0]); i++) {
		if (rfc4231[i].key != NULL)
			keylen = unhex(rfc4231[i].key, key, sizeof(key));
		else {
			keylen = rfc4231[i].keyn;
			memset(key, rfc4231[i].keyfill, keylen);
		}
		if (rfc4231[i].data != NULL) {
			datalen = strlen(rfc4231[i].data);
			memcpy(data, rfc4231[i].data, datalen);
		} else {
			datalen = rfc4231[i].datan;
			memset(data, rfc4231[i].datafill, datalen);
		}
		maclen = unhex(rfc4231[i].mac, want, sizeof(want));
		hmac_sha256(key, keylen, data, datalen, got);
		ok(memcmp(got, want, maclen) == 0,
		    "RFC 4231 test case %zu (%zu bytes compared)", i + 1,
		    maclen);
	}

	/* Not in the RFC: the empty key and message (OpenSSL 3 quirk). */
	unhex("b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad",
	    want, sizeof(want));
	hmac_sha256(NULL, 0, NULL, 0, got);
	ok(memcmp(got, want, HMAC_LEN) == 0, "empty key, empty message");
}

/* The digest of RFC 4231 case 2, in each encoding. */
#define D_HEX	"5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
#define D_HEXU	"5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843"
#define D_HEXM	"5bdcC146bF60754e6A042426089575c75a003f089d2739839dec58b964ec3843"
#define D_B64	"W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWTsOEM="

#define HEX	CONF_SIG_HEX
#define B64	CONF_SIG_BASE64

static const struct {
	const char		*what;
	const char		*value;
	const char		*prefix;
	enum conf_sig_encoding	 enc;
	int			 rc;
} parse_cases[] = {
	{ "hex, lower case", D_HEX, "", HEX, 0 },
	{ "hex, upper case", D_HEXU, "", HEX, 0 },
	{ "hex, mixed case", D_HEXM, "", HEX, 0 },
	{ "hex with prefix sha256=", "sha256=" D_HEX, "sha256=", HEX, 0 },
	{ "base64 with prefix sha256=", "sha256=" D_B64, "sha256=", B64, 0 },
	{ "base64 without prefix", D_B64, "", B64, 0 },
	{ "NULL prefix is no prefix", D_HEX, NULL, HEX, 0 },
	{ "surrounding spaces and tabs (hex)", " \t " D_HEX "\t ", "", HEX, 0 },
	{ "surrounding spaces (base64, prefix)", "  sha256=" D_B64 "  ",
	  "sha256=", B64, 0 },

	{ "prefix missing", D_B64, "sha256=", B64, -1 },
	{ "wrong prefix", "sha1=" D_B64, "sha256=", B64, -1 },
	{ "prefix in another case", "SHA256=" D_B64, "sha256=", B64, -1 },
	{ "prefix twice", "sha256=sha256=" D_B64, "sha256=", B64, -1 },
	{ "blank between prefix and digest", "sha256= " D_B64, "sha256=",
	  B64, -1 },
	{ "unexpected prefix", "sha256=" D_HEX, "", HEX, -1 },
	{ "hex, 63 digits", "5bdcc146bf60754e6a042426089575c75a003f089d273983"
	  "9dec58b964ec384", "", HEX, -1 },
	{ "hex, 65 digits", D_HEX "0", "", HEX, -1 },
	{ "hex, 62 digits", "5bdcc146bf60754e6a042426089575c75a003f089d273983"
	  "9dec58b964ec38", "", HEX, -1 },
	{ "hex, non-hex char", "5bdcc146bf60754e6a042426089575c75a003f089d2739"
	  "839dec58b964ec384g", "", HEX, -1 },
	{ "hex, blank inside", "5bdcc146bf60754e6a042426089575c7 a003f089d2739"
	  "839dec58b964ec3843", "", HEX, -1 },
	{ "hex, 0x in front", "0x" D_HEX, "", HEX, -1 },
	{ "empty string", "", "", HEX, -1 },
	{ "empty string, base64", "", "", B64, -1 },
	{ "empty string, prefix expected", "", "sha256=", B64, -1 },
	{ "only the prefix", "sha256=", "sha256=", B64, -1 },
	{ "only blanks", " \t ", "", HEX, -1 },
	{ "trailing newline is not trimmed", D_HEX "\n", "", HEX, -1 },
	{ "hex given, base64 expected", D_HEX, "", B64, -1 },
	{ "base64 given, hex expected", D_B64, "", HEX, -1 },
	{ "base64, padding missing (43)", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYu"
	  "WTsOEM", "", B64, -1 },
	{ "base64, 45 chars", D_B64 "=", "", B64, -1 },
	{ "base64, 48 chars", D_B64 "AAAA", "", B64, -1 },
	{ "base64, bad char '*'", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmD*exYuWTsOEM=",
	  "", B64, -1 },
	{ "base64, url-safe alphabet '-'", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmD-ex"
	  "YuWTsOEM=", "", B64, -1 },
	{ "base64, '=' inside", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmD=exYuWTsOEM=",
	  "", B64, -1 },
	{ "base64, blank inside", "W9zBRr9gdU5qBCQmCJV1x1oA widJzmDnexYuWTsOEM=",
	  "", B64, -1 },
	{ "base64, non-canonical last digit", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzm"
	  "DnexYuWTsOEN=", "", B64, -1 },
	{ "base64, last char not '='", "W9zBRr9gdU5qBCQmCJV1x1oAPwidJzmDnexYuWT"
	  "sOEMA", "", B64, -1 },
};

static void
test_parse(void)
{
	unsigned char want[HMAC_LEN], got[HMAC_LEN];
	size_t i;
	int rc;

	unhex(D_HEX, want, sizeof(want));
	for (i = 0; i < sizeof(parse_cases) / sizeof(parse_cases[0]); i++) {
		memset(got, 0, sizeof(got));
		rc = hmac_parse(parse_cases[i].value, parse_cases[i].prefix,
		    parse_cases[i].enc, got);
		if (parse_cases[i].rc == 0)
			ok(rc == 0 && memcmp(got, want, HMAC_LEN) == 0,
			    "parse: %s", parse_cases[i].what);
		else
			is_int(rc, -1, "parse rejects: %s",
			    parse_cases[i].what);
	}
	is_int(hmac_parse(NULL, "", HEX, got), -1, "parse rejects: NULL");
	is_int(hmac_parse(D_HEX, "", (enum conf_sig_encoding)7, got), -1,
	    "parse rejects: unknown encoding");
}

static void
test_format(void)
{
	static const struct {
		const char		*prefix;
		enum conf_sig_encoding	 enc;
		size_t			 textlen;
	} f[] = {
		{ "", HEX, 64 }, { "sha256=", HEX, 71 },
		{ "", B64, 44 }, { "sha256=", B64, 51 },
	};
	const char body[] = "{\"eventType\":\"routing.user.status.update\"}";
	unsigned char mac[HMAC_LEN], got[HMAC_LEN];
	char text[HMAC_TEXT_MAX], small[64];
	size_t i;
	int rc;

	hmac_sha256("k", 1, body, strlen(body), mac);
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		rc = hmac_format("k", 1, body, strlen(body), f[i].prefix,
		    f[i].enc, text, sizeof(text));
		ok(rc == 0 && strlen(text) == f[i].textlen,
		    "format %s \"%s\": %zu chars", f[i].enc == HEX ? "hex" :
		    "base64", f[i].prefix, f[i].textlen);
		rc = hmac_parse(text, f[i].prefix, f[i].enc, got);
		ok(rc == 0 && memcmp(got, mac, HMAC_LEN) == 0,
		    "format then parse round-trips (%s, \"%s\")",
		    f[i].enc == HEX ? "hex" : "base64", f[i].prefix);
	}

	hmac_format("Jefe", 4, "what do ya want for nothing?", 28, "", HEX,
	    text, sizeof(text));
	is_str(text, D_HEX, "format gives lower-case hex (RFC 4231 case 2)");
	hmac_format("Jefe", 4, "what do ya want for nothing?", 28, "sha256=",
	    B64, text, sizeof(text));
	is_str(text, "sha256=" D_B64, "format gives padded base64");

	is_int(hmac_format("k", 1, body, strlen(body), "sha256=", HEX, small,
	    sizeof(small)), -1, "format refuses a buffer too small");
	is_str(small, "", "and leaves it empty");
	is_int(hmac_format("k", 1, body, strlen(body), "", HEX, text, 65), 0,
	    "format fits exactly 64 chars and the NUL");
	is_int(hmac_format("k", 1, body, strlen(body), "", HEX, text, 64), -1,
	    "but not in one byte less");
}

static void
secret(struct secret *s, const char *text)
{
	memset(s, 0, sizeof(*s));
	s->len = strlen(text);
	memcpy(s->key, text, s->len);
}

static void
test_verify(void)
{
	struct secret sec[CONF_MAX_SECRETS], other, empty;
	const char body[] = "{\"userId\":\"u1\",\"status\":\"available\"}";
	size_t blen = strlen(body);
	unsigned char mac[HMAC_LEN];
	char sig_old[HMAC_TEXT_MAX], sig_new[HMAC_TEXT_MAX];
	char sig_other[HMAC_TEXT_MAX], text[HMAC_TEXT_MAX];
	char b64[HMAC_TEXT_MAX];
	size_t i;

	secret(&sec[0], "old-secret");
	secret(&sec[1], "new-secret");
	secret(&other, "someone-else");
	hmac_format(sec[0].key, sec[0].len, body, blen, "", HEX, sig_old,
	    sizeof(sig_old));
	hmac_format(sec[1].key, sec[1].len, body, blen, "", HEX, sig_new,
	    sizeof(sig_new));
	hmac_format(other.key, other.len, body, blen, "", HEX, sig_other,
	    sizeof(sig_other));

	is_int(hmac_verify(sec, 2, body, blen, sig_old, "", HEX), 1,
	    "rotation: signed with the old secret, accepted");
	is_int(hmac_verify(sec, 2, body, blen, sig_new, "", HEX), 1,
	    "rotation: signed with the new secret, accepted");
	is_int(hmac_verify(sec, 2, body, blen, sig_other, "", HEX), 0,
	    "rotation: signed with a third secret, rejected");
	is_int(hmac_verify(sec, 1, body, blen, sig_new, "", HEX), 0,
	    "only the first n secrets count");
	is_int(hmac_verify(sec, 0, body, blen, sig_old, "", HEX), 0,
	    "no secrets: rejected");
	is_int(hmac_verify(sec, 2, body, blen - 1, sig_old, "", HEX), 0,
	    "body one byte shorter: rejected");

	/* Flip one bit of the digest and spell it again. */
	hmac_sha256(sec[1].key, sec[1].len, body, blen, mac);
	mac[17] ^= 0x04;
	for (i = 0; i < HMAC_LEN; i++)
		snprintf(text + 2 * i, 3, "%02x", mac[i]);
	is_int(hmac_verify(sec, 2, body, blen, text, "", HEX), 0,
	    "one bit flipped (hex): rejected");
	hmac_format(sec[1].key, sec[1].len, body, blen, "sha256=", B64, b64,
	    sizeof(b64));
	is_int(hmac_verify(sec, 2, body, blen, b64, "sha256=", B64), 1,
	    "base64 with prefix: accepted");
	b64[10] = b64[10] == 'A' ? 'B' : 'A';
	is_int(hmac_verify(sec, 2, body, blen, b64, "sha256=", B64), 0,
	    "one base64 digit changed: rejected");
	is_int(hmac_verify(sec, 2, body, blen, "garbage", "", HEX), 0,
	    "unparsable value: rejected");

	/* The match may be the last of many. */
	for (i = 0; i < CONF_MAX_SECRETS; i++)
		secret(&sec[i], i == CONF_MAX_SECRETS - 1 ? "new-secret" :
		    "filler");
	is_int(hmac_verify(sec, CONF_MAX_SECRETS, body, blen, sig_new, "",
	    HEX), 1, "match in the last of %d secrets", CONF_MAX_SECRETS);

	/* An empty secret must not let an empty-key signature through. */
	memset(&empty, 0, sizeof(empty));
	hmac_format("", 0, body, blen, "", HEX, text, sizeof(text));
	is_int(hmac_verify(&empty, 1, body, blen, text, "", HEX), 0,
	    "an empty secret never matches");
	other.len = SECRET_MAX + 1;
	is_int(hmac_verify(&other, 1, body, blen, sig_other, "", HEX), 0,
	    "a secret longer than its buffer never matches");
}

int
main(void)
{
	test_rfc4231();
	test_parse();
	test_format();
	test_verify();
	return tap_done();
}
