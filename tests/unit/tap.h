/*
 * tap.h: the smallest TAP producer that serves our unit tests.
 *
 *	ok(cond, "fmt", ...)		one test point
 *	is_int(got, want, "fmt", ...)	equality, printing both on failure
 *	is_str(got, want, "fmt", ...)	string equality (NULL-safe)
 *	return tap_done();		prints the plan, exit status 1 on failure
 *
 * Header-only and static so each test program is one file.
 */
#ifndef ROUTEHOOK_TAP_H
#define ROUTEHOOK_TAP_H

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static int tap_n, tap_failed;

#if defined(__GNUC__)
__attribute__((format(printf, 2, 3)))
#endif
static int
ok(int cond, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %d - ", cond ? "" : "not ", ++tap_n);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!cond)
		tap_failed++;
	fflush(stdout);
	return cond;
}

#define is_int(got, want, ...) do {					\
	long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);	\
	if (!ok(tap_g_ == tap_w_, __VA_ARGS__))				\
		printf("#   got %lld, want %lld\n", tap_g_, tap_w_);	\
} while (0)

#define is_str(got, want, ...) do {					\
	const char *tap_g_ = (got), *tap_w_ = (want);			\
	int tap_eq_ = (tap_g_ == NULL || tap_w_ == NULL) ?		\
	    tap_g_ == tap_w_ : strcmp(tap_g_, tap_w_) == 0;		\
	if (!ok(tap_eq_, __VA_ARGS__))					\
		printf("#   got \"%s\", want \"%s\"\n",			\
		    tap_g_ ? tap_g_ : "(null)", tap_w_ ? tap_w_ : "(null)"); \
} while (0)

static int
tap_done(void)
{
	printf("1..%d\n", tap_n);
	if (tap_failed)
		printf("# %d of %d failed\n", tap_failed, tap_n);
	return tap_failed ? 1 : 0;
}

#endif
