/*
 * vis: escaping for logs and terminals, UTF-8 repair (see vis.h).
 *
 * The UTF-8 decoder follows RFC 3629's table of well-formed byte
 * sequences (section 4) exactly, so that what it accepts is what a
 * strict reader (jq, Python, json-c's VALIDATE_UTF8) accepts.
 */
#include <stddef.h>
#include <string.h>

#include "vis.h"

#define REPLACEMENT	"\xef\xbf\xbd"	/* U+FFFD in UTF-8 */

size_t
vis_mem(char *dst, size_t dstsz, const void *src, size_t len)
{
	static const char digits[] = "01234567";
	const unsigned char *s = src;
	char esc[VIS_EXPANSION + 1];
	size_t i, o = 0, n;

	if (dstsz == 0)
		return 0;
	for (i = 0; i < len; i++) {
		n = 0;
		switch (s[i]) {
		case '\\':
			esc[n++] = '\\';
			esc[n++] = '\\';
			break;
		case '\n':
			esc[n++] = '\\';
			esc[n++] = 'n';
			break;
		case '\r':
			esc[n++] = '\\';
			esc[n++] = 'r';
			break;
		case '\t':
			esc[n++] = '\\';
			esc[n++] = 't';
			break;
		default:
			if (s[i] >= 0x20 && s[i] < 0x7f)
				esc[n++] = (char)s[i];
			else {
				esc[n++] = '\\';
				esc[n++] = digits[(s[i] >> 6) & 7];
				esc[n++] = digits[(s[i] >> 3) & 7];
				esc[n++] = digits[s[i] & 7];
			}
			break;
		}
		/* Never half an escape: "\0" alone would read as another. */
		if (o + n >= dstsz)
			break;
		memcpy(dst + o, esc, n);
		o += n;
	}
	dst[o] = '\0';
	return o;
}

char *
vis_str(char *dst, size_t dstsz, const char *s)
{
	if (s == NULL)
		s = "(null)";
	(void)vis_mem(dst, dstsz, s, strlen(s));
	return dst;
}

/*
 * The length of the well-formed sequence at s[0..len), or 0 when the
 * first byte does not start one (RFC 3629, section 4).
 */
static size_t
utf8_seq(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] >= 0x01 && s[0] <= 0x7f)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		n = 3;
		if (s[0] == 0xe0)
			lo = 0xa0;	/* overlong */
		else if (s[0] == 0xed)
			hi = 0x9f;	/* surrogates */
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		n = 4;
		if (s[0] == 0xf0)
			lo = 0x90;	/* overlong */
		else if (s[0] == 0xf4)
			hi = 0x8f;	/* above U+10FFFF */
	} else
		return 0;
	if (len < n)
		return 0;
	if (s[1] < lo || s[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return 0;
	return n;
}

size_t
utf8_repair(char *dst, size_t dstsz, const void *src, size_t len)
{
	const unsigned char *s = src;
	const char *piece;
	size_t i = 0, o = 0, n, take;

	if (dstsz == 0)
		return 0;
	while (i < len) {
		if ((n = utf8_seq(s + i, len - i)) > 0) {
			piece = (const char *)s + i;
			take = n;
		} else {
			/* One byte at a time, as the Unicode standard advises. */
			piece = REPLACEMENT;
			take = sizeof(REPLACEMENT) - 1;
			n = 1;
		}
		if (o + take >= dstsz)
			break;
		memcpy(dst + o, piece, take);
		o += take;
		i += n;
	}
	dst[o] = '\0';
	return o;
}

size_t
utf8_cut(const void *src, size_t len)
{
	const unsigned char *s = src;
	size_t start = len, back;

	/* At most three continuation bytes follow a lead byte. */
	for (back = 0; back < 4 && start > 0; back++) {
		start--;
		if ((s[start] & 0xc0) != 0x80)
			break;
	}
	if (start == len || (s[start] & 0xc0) == 0x80)
		return len;	/* empty, or no lead byte: nothing to cut */
	if (s[start] < 0x80)
		return len;	/* ends in ASCII */
	/* A lead byte whose sequence is not complete before len. */
	if (utf8_seq(s + start, len - start) == len - start)
		return len;
	return start;
}
