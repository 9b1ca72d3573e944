/*
 * err: the one way a routehook function reports a failure (after redis's
 * anetSetError): it returns -1 and writes one human sentence into a
 * buffer its caller owns; the caller decides whether to log it, print it
 * or pass it up.
 *
 *	return err_set(err, errsz, "%s: not a number", key);
 *	return err_set_sys(err, errsz, "open %s", path);
 *		-> "open /x: No such file or directory"
 *
 * err_set_sys() appends ": " and the text of the errno it was called
 * with, from strerror_r(3) (strerror(3) need not be thread-safe, and the
 * responder answers from several threads).  Both keep errno as it was,
 * so a caller may still test it, and both accept err == NULL or
 * errsz == 0 (then nothing is written).  A sentence longer than the
 * buffer is cut; these functions never fail.
 */
#ifndef ROUTEHOOK_ERR_H
#define ROUTEHOOK_ERR_H

#include <stdarg.h>
#include <stddef.h>

#if defined(__GNUC__)
#define ERR_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define ERR_PRINTF(f, a)
#endif

#define ERR_STR_MAX	128	/* enough for any strerror_r text */

/* Both return -1, for "return err_set(...);". */
int	 err_set(char *err, size_t errsz, const char *fmt, ...)
	    ERR_PRINTF(3, 4);
int	 err_set_sys(char *err, size_t errsz, const char *fmt, ...)
	    ERR_PRINTF(3, 4);
int	 err_setv(char *err, size_t errsz, int errnum, const char *fmt,
	    va_list ap);

/*
 * A second failure while cleaning up after the first, after what err
 * already holds: "write x: No space left on device (and unlink x: ...)".
 * errnum < 0: no reason.
 */
void	 err_also(char *err, size_t errsz, int errnum, const char *fmt, ...)
	    ERR_PRINTF(4, 5);

/* strerror_r(3) into buf, "error N" when it has no text; returns buf. */
const char	*err_str(int errnum, char *buf, size_t bufsz);

/*
 * Several sentences in one caller's buffer, one a line (every problem a
 * config file has, every secret file that failed): err_lines_add()
 * appends one after a '\n'.  A full buffer keeps what fit and cuts the
 * rest, while n still counts every sentence added; size 0: nothing is
 * written, only counted.
 */
struct err_lines {
	char	*buf;
	size_t	 size, len;
	int	 n;
};

void	 err_lines_init(struct err_lines *l, char *buf, size_t size);
void	 err_lines_add(struct err_lines *l, const char *line);

#endif
