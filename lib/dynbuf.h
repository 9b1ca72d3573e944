/*
 * dynbuf: the one growable byte buffer, with a hard cap given when it is
 * made (after curl's docs/DYNBUF.md): an HTTP answer being read, an
 * answer being built, a metrics page.
 *
 *	struct dynbuf b;
 *	dyn_init(&b, 64 * 1024);
 *	if (dyn_addf(&b, "%d events\n", n) == -1) ...
 *	write(fd, dyn_ptr(&b), dyn_len(&b));
 *	dyn_free(&b);
 *
 * The contents are always NUL-terminated (the NUL is not counted in the
 * length nor in the cap), so text can be read as a string; binary bytes
 * are kept as they are.
 *
 * Errors: dyn_add() and dyn_addf() return 0, or -1 with errno set:
 *	ENOMEM	memory ran out; the buffer is as it was
 *	E2BIG	the bytes would pass the cap: what fits under it was kept,
 *		the rest dropped, and dyn_clipped() is true from then on
 *		until dyn_reset().  A reader that wants a capped prefix
 *		(the start of an error body) ignores E2BIG; a writer that
 *		wants all or nothing checks dyn_clipped() once at the end.
 * The buffer never allocates more than cap + 1 bytes.
 */
#ifndef ROUTEHOOK_DYNBUF_H
#define ROUTEHOOK_DYNBUF_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define DYN_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define DYN_PRINTF(f, a)
#endif

struct dynbuf {
	char	*bufr;		/* NULL until the first byte, or NUL-ended */
	size_t	 leng;		/* bytes held, without the NUL */
	size_t	 allc;		/* bytes allocated */
	size_t	 toobig;	/* the cap: leng never passes it */
	int	 clipped;	/* bytes were dropped at the cap */
};

void	 dyn_init(struct dynbuf *b, size_t toobig);
int	 dyn_add(struct dynbuf *b, const void *p, size_t n);
int	 dyn_addf(struct dynbuf *b, const char *fmt, ...) DYN_PRINTF(2, 3);
int	 dyn_vaddf(struct dynbuf *b, const char *fmt, va_list ap);
/* Empty again, keeping the memory for the next use; clears clipped. */
void	 dyn_reset(struct dynbuf *b);
/* Frees the memory; the buffer can be used again with the same cap. */
void	 dyn_free(struct dynbuf *b);
/* Overwrite the bytes before freeing them: the buffer held a secret. */
void	 dyn_wipe(struct dynbuf *b);

/* The contents as a string: "" when nothing was ever added. */
const char	*dyn_ptr(const struct dynbuf *b);
size_t		 dyn_len(const struct dynbuf *b);
int		 dyn_clipped(const struct dynbuf *b);

#endif
