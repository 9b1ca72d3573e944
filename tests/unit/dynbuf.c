/*
 * dynbuf unit test: the one capped growable buffer.  Adding under the
 * cap, past it (what fits kept, E2BIG, clipped), formatted adds long and
 * short, reset and reuse, and that it never allocates past cap + 1.
 * Fails (exit 1, "not ok" lines) when any check differs.
 */
#include <errno.h>
#include <string.h>

#include "dynbuf.h"
#include "tap.h"

int
main(void)
{
	struct dynbuf b;
	char big[2000];
	int rc;

	dyn_init(&b, 10);
	is_str(dyn_ptr(&b), "", "a new buffer reads as \"\"");
	ok(dyn_add(&b, "hello", 5) == 0 && dyn_len(&b) == 5 &&
	    strcmp(dyn_ptr(&b), "hello") == 0 && !dyn_clipped(&b),
	    "add under the cap");
	errno = 0;
	rc = dyn_add(&b, " world!", 7);
	ok(rc == -1 && errno == E2BIG, "past the cap: -1, E2BIG");
	ok(dyn_len(&b) == 10 && strcmp(dyn_ptr(&b), "hello worl") == 0 &&
	    dyn_clipped(&b), "... kept up to the cap, the rest dropped, "
	    "clipped set");
	ok(b.allc <= 11, "never allocated past the cap (%zu bytes)", b.allc);
	ok(dyn_add(&b, "more", 4) == -1 && dyn_len(&b) == 10,
	    "a full buffer takes nothing more");
	dyn_reset(&b);
	ok(dyn_len(&b) == 0 && !dyn_clipped(&b) && dyn_ptr(&b)[0] == '\0',
	    "reset empties it");
	ok(dyn_add(&b, "", 0) == 0 && dyn_len(&b) == 0, "add of nothing");
	ok(dyn_addf(&b, "%d-%s", 42, "x") == 0 &&
	    strcmp(dyn_ptr(&b), "42-x") == 0, "addf formats");
	dyn_free(&b);
	ok(b.bufr == NULL && b.toobig == 10, "free keeps the cap for reuse");

	/* Longer than addf's stack buffer: formatted twice, on the heap. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	dyn_init(&b, 4096);
	ok(dyn_addf(&b, "<%s>", big) == 0 && dyn_len(&b) == sizeof(big) + 1 &&
	    dyn_ptr(&b)[0] == '<' && dyn_ptr(&b)[sizeof(big)] == '>',
	    "addf of %zu bytes", sizeof(big) + 1);
	ok(dyn_addf(&b, "%s%s", big, big) == -1 && errno == E2BIG &&
	    dyn_len(&b) == 4096 && dyn_clipped(&b), "addf past the cap clips");
	dyn_wipe(&b);
	ok(b.bufr == NULL && dyn_len(&b) == 0, "wipe frees");

	/* Binary bytes are kept as they are. */
	dyn_init(&b, 8);
	ok(dyn_add(&b, "a\0b", 3) == 0 && dyn_len(&b) == 3 &&
	    memcmp(dyn_ptr(&b), "a\0b", 4) == 0, "a NUL inside is kept");
	dyn_free(&b);

	dyn_init(&b, 0);
	ok(dyn_add(&b, "x", 1) == -1 && errno == E2BIG && dyn_len(&b) == 0 &&
	    strcmp(dyn_ptr(&b), "") == 0, "a cap of 0 takes nothing");
	dyn_free(&b);
	return tap_done();
}
