/*
 * vis: outside bytes made safe to show, after OpenBSD's vis(3) and
 * strvis(3) with VIS_CSTYLE | VIS_OCTAL, and made valid UTF-8.
 *
 * Spool file names, event ids, request paths, header values and what
 * Genesys answers are chosen by someone else; printed raw they forge log
 * lines (a newline) or drive the operator's terminal (an escape
 * sequence).  vis_*() turns them into printable ASCII that reads back
 * unambiguously: a byte 0x20-0x7e is itself, except '\' which is "\\";
 * newline, carriage return and tab are "\n", "\r" and "\t"; every other
 * byte (controls, DEL, and every byte of a multibyte character, so no
 * C1 control or bidirectional override survives either) is "\ooo".
 *
 * utf8_repair() is for text that must stay text, such as a JSON audit
 * line: each byte that does not start a valid UTF-8 sequence (RFC 3629:
 * no overlong forms, no surrogates, nothing above U+10FFFF) becomes
 * U+FFFD, and a cut never splits a character.
 *
 * Nothing here allocates or fails: output that does not fit is cut
 * before the first escape or character that would not fit, and is always
 * NUL-terminated when there is room for anything at all.
 */
#ifndef ROUTEHOOK_VIS_H
#define ROUTEHOOK_VIS_H

#include <stddef.h>

/* The most one input byte can become: "\ooo". */
#define VIS_EXPANSION	4

/*
 * src[0..len) escaped into dst (dstsz bytes, NUL included); returns the
 * length written.  A buffer of len * VIS_EXPANSION + 1 always suffices.
 */
size_t	 vis_mem(char *dst, size_t dstsz, const void *src, size_t len);

/* The NUL-terminated s escaped into dst, "(null)" for NULL; returns dst. */
char	*vis_str(char *dst, size_t dstsz, const char *s);

/*
 * src[0..len) as valid UTF-8 into dst, at most dstsz - 1 bytes and a NUL;
 * returns the length written.  A NUL byte in src is invalid here too (a
 * C string could not carry it) and becomes U+FFFD.
 */
size_t	 utf8_repair(char *dst, size_t dstsz, const void *src, size_t len);

/*
 * len, less the bytes of a multibyte character that s[0..len) ends in
 * the middle of: where to cut text that was cut at a byte count, so that
 * no half character is left at its end.
 */
size_t	 utf8_cut(const void *s, size_t len);

#endif
