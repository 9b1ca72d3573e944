/*
 * fuzz.h: what the fuzz targets in tests/fuzz/ share.  Each NAME-fuzzer.c
 * defines LLVMFuzzerTestOneInput() for one parser that reads bytes from
 * outside; built with clang -fsanitize=fuzzer it is a libFuzzer target
 * (make fuzz), built plainly and linked with replay.c it replays its
 * committed corpus, tests/fuzz/corpus/NAME/, as a TAP test (make check).
 *
 * fuzz_str() hands a target its input as a NUL-terminated copy of exactly
 * the input's size, so ASan and valgrind see any read past the end;
 * fuzz_split() cuts it into fields at '\n', as several targets want.
 */
#ifndef ROUTEHOOK_FUZZ_H
#define ROUTEHOOK_FUZZ_H

#include <stddef.h>
#include <stdint.h>

int	 LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* data as a C string (a NUL in it ends the string early); free() it. */
char	*fuzz_str(const uint8_t *data, size_t size);

/*
 * Cut s (modified) at its first n - 1 newlines into f[0..n); fields past
 * the last newline are NULL.  Returns how many were found.
 */
size_t	 fuzz_split(char *s, char **f, size_t n);

/*
 * A scratch file holding data, made once per process and rewritten on
 * each call (for parsers that only read files): its path, or NULL.
 */
const char	*fuzz_file(const uint8_t *data, size_t size);

#endif
