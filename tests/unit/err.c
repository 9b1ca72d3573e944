/*
 * err unit test: the one error setter every module uses, and the one
 * millisecond clock.  Fails (exit 1, "not ok" lines) when any check
 * differs.
 */
#include <errno.h>
#include <string.h>

#include "err.h"
#include "msclock.h"
#include "tap.h"

int
main(void)
{
	struct err_lines l;
	char err[128], tiny[8], lines[40];
	long long m1, m2, r;

	is_int(err_set(err, sizeof(err), "key %s: %d", "x", 3), -1,
	    "err_set returns -1");
	is_str(err, "key x: 3", "... and writes the sentence");

	errno = ENOENT;
	is_int(err_set_sys(err, sizeof(err), "open %s", "/nope"), -1,
	    "err_set_sys returns -1");
	is_str(err, "open /nope: No such file or directory",
	    "... with strerror appended");
	is_int(errno, ENOENT, "... and errno kept");

	errno = EACCES;
	err_set(tiny, sizeof(tiny), "a long sentence");
	is_str(tiny, "a long ", "cut to the buffer");
	is_int(errno, EACCES, "err_set keeps errno too");
	err_set_sys(tiny, sizeof(tiny), "abcdefg");
	is_str(tiny, "abcdefg", "no room for the reason: cut, not overrun");

	ok(err_set(NULL, 0, "x") == -1, "a NULL buffer is allowed");

	errno = EIO;
	err_set_sys(err, sizeof(err), "write x");
	err_also(err, sizeof(err), ENOENT, "unlink %s", "y");
	is_str(err, "write x: Input/output error (and unlink y: No such file "
	    "or directory)", "err_also adds a second failure");

	is_str(err_str(EPERM, err, sizeof(err)), "Operation not permitted",
	    "err_str");
	ok(strncmp(err_str(-12345, err, sizeof(err)), "Unknown error", 13) ==
	    0 || strcmp(err, "error -12345") == 0, "err_str of no errno: %s",
	    err);

	err_lines_init(&l, lines, sizeof(lines));
	is_str(lines, "", "err_lines: empty at first");
	err_lines_add(&l, "a.conf:1: one");
	err_lines_add(&l, "a.conf:2: two");
	is_str(lines, "a.conf:1: one\na.conf:2: two",
	    "err_lines: one sentence a line");
	err_lines_add(&l, "a.conf:3: three, which does not fit");
	is_int(l.n, 3, "err_lines: a sentence that does not fit is counted");
	is_int((int)strlen(lines), (int)sizeof(lines) - 1,
	    "... and cut at the buffer's end, not past it");
	err_lines_add(&l, "four");
	is_int(l.n, 4, "err_lines: a full buffer still counts");
	err_lines_init(&l, NULL, 0);
	err_lines_add(&l, "x");
	is_int(l.n, 1, "err_lines: no buffer, only counted");

	m1 = msclock_mono();
	m2 = msclock_mono();
	r = msclock_real();
	ok(m1 > 0 && m2 >= m1, "the monotonic clock does not go back");
	ok(r > 1700000000000LL, "the real clock is in milliseconds since 1970");
	return tap_done();
}
