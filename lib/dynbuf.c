/*
 * dynbuf: see dynbuf.h.  The allocation doubles from 256 bytes and is
 * clamped to cap + 1, so a capped buffer costs at most its cap.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "dynbuf.h"

#define DYN_FIRST	256

void
dyn_init(struct dynbuf *b, size_t toobig)
{
	memset(b, 0, sizeof(*b));
	b->toobig = toobig;
}

/* Room for want bytes plus the NUL; 0, or -1 (ENOMEM). */
static int
dyn_grow(struct dynbuf *b, size_t want)
{
	size_t ncap;
	char *d;

	if (want + 1 <= b->allc)
		return 0;
	ncap = b->allc ? b->allc : DYN_FIRST;
	while (ncap < want + 1 && ncap <= (b->toobig + 1) / 2)
		ncap *= 2;
	if (ncap < want + 1 || ncap > b->toobig + 1)
		ncap = b->toobig + 1;
	if ((d = realloc(b->bufr, ncap)) == NULL) {
		errno = ENOMEM;
		return -1;
	}
	b->bufr = d;
	b->allc = ncap;
	return 0;
}

int
dyn_add(struct dynbuf *b, const void *p, size_t n)
{
	size_t take = n;

	if (take > b->toobig - b->leng)
		take = b->toobig - b->leng;
	if (dyn_grow(b, b->leng + take) == -1)
		return -1;
	if (take > 0)
		memcpy(b->bufr + b->leng, p, take);
	b->leng += take;
	b->bufr[b->leng] = '\0';
	if (take < n) {
		b->clipped = 1;
		errno = E2BIG;
		return -1;
	}
	return 0;
}

int
dyn_vaddf(struct dynbuf *b, const char *fmt, va_list ap)
{
	char small[512], *big = NULL;
	const char *s = small;
	va_list aq;
	int n, rc;

	va_copy(aq, ap);
	n = vsnprintf(small, sizeof(small), fmt, aq);
	va_end(aq);
	if (n < 0) {
		errno = EINVAL;
		return -1;
	}
	if ((size_t)n >= sizeof(small)) {
		if ((big = malloc((size_t)n + 1)) == NULL) {
			errno = ENOMEM;
			return -1;
		}
		vsnprintf(big, (size_t)n + 1, fmt, ap);
		s = big;
	}
	rc = dyn_add(b, s, (size_t)n);
	free(big);
	return rc;
}

int
dyn_addf(struct dynbuf *b, const char *fmt, ...)
{
	va_list ap;
	int rc, saved;

	va_start(ap, fmt);
	rc = dyn_vaddf(b, fmt, ap);
	saved = errno;
	va_end(ap);
	errno = saved;
	return rc;
}

void
dyn_reset(struct dynbuf *b)
{
	b->leng = 0;
	b->clipped = 0;
	if (b->bufr != NULL)
		b->bufr[0] = '\0';
}

void
dyn_free(struct dynbuf *b)
{
	free(b->bufr);
	dyn_init(b, b->toobig);
}

void
dyn_wipe(struct dynbuf *b)
{
	if (b->bufr != NULL)
		OPENSSL_cleanse(b->bufr, b->allc);
	dyn_free(b);
}

const char *
dyn_ptr(const struct dynbuf *b)
{
	return b->bufr != NULL ? b->bufr : "";
}

size_t
dyn_len(const struct dynbuf *b)
{
	return b->leng;
}

int
dyn_clipped(const struct dynbuf *b)
{
	return b->clipped;
}
