/*
 * err: see err.h.  Everything is formatted with vsnprintf into the
 * caller's buffer and cut there; nothing is allocated, so reporting an
 * out-of-memory failure cannot fail in turn.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "err.h"

const char *
err_str(int errnum, char *buf, size_t bufsz)
{
	/*
	 * _POSIX_C_SOURCE without _GNU_SOURCE: the XSI strerror_r, which
	 * returns an int and fills buf.
	 */
	if (bufsz == 0)
		return buf;
	if (strerror_r(errnum, buf, bufsz) != 0)
		snprintf(buf, bufsz, "error %d", errnum);
	return buf;
}

/* ": reason" after whatever err holds, when errnum >= 0. */
static void
err_reason(char *err, size_t errsz, int errnum)
{
	char why[ERR_STR_MAX];
	size_t n;

	if (errnum < 0)
		return;
	n = strlen(err);
	if (n + 1 >= errsz)
		return;
	snprintf(err + n, errsz - n, ": %s", err_str(errnum, why,
	    sizeof(why)));
}

int
err_setv(char *err, size_t errsz, int errnum, const char *fmt, va_list ap)
{
	int saved = errno;

	if (err != NULL && errsz > 0) {
		if (vsnprintf(err, errsz, fmt, ap) < 0)
			err[0] = '\0';
		err_reason(err, errsz, errnum);
	}
	errno = saved;
	return -1;
}

int
err_set(char *err, size_t errsz, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	err_setv(err, errsz, -1, fmt, ap);
	va_end(ap);
	return -1;
}

int
err_set_sys(char *err, size_t errsz, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	err_setv(err, errsz, saved, fmt, ap);
	va_end(ap);
	return -1;
}

void
err_also(char *err, size_t errsz, int errnum, const char *fmt, ...)
{
	int saved = errno;
	size_t n;
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	n = strlen(err);
	if (n + 1 >= errsz)
		return;
	snprintf(err + n, errsz - n, " (and ");
	n = strlen(err);
	va_start(ap, fmt);
	if (vsnprintf(err + n, errsz - n, fmt, ap) < 0)
		err[n] = '\0';
	va_end(ap);
	err_reason(err, errsz, errnum);
	n = strlen(err);
	snprintf(err + n, errsz - n, ")");
	errno = saved;
}

void
err_lines_init(struct err_lines *l, char *buf, size_t size)
{
	l->buf = size > 0 ? buf : NULL;
	l->size = size;
	l->len = 0;
	l->n = 0;
	if (l->buf != NULL)
		l->buf[0] = '\0';
}

void
err_lines_add(struct err_lines *l, const char *line)
{
	int n;

	l->n++;
	if (l->buf == NULL || l->len + 1 >= l->size)
		return;
	n = snprintf(l->buf + l->len, l->size - l->len, "%s%s",
	    l->len > 0 ? "\n" : "", line);
	if (n < 0)
		l->buf[l->len] = '\0';
	else if ((size_t)n >= l->size - l->len)
		l->len = l->size - 1;
	else
		l->len += (size_t)n;
}
