/*
 * fuzz.c: the helpers of fuzz.h, linked into every fuzz target (with
 * libFuzzer or with replay.c).  Failing to allocate or to write the
 * scratch file is the machine's trouble, not the input's: abort, so that
 * it is seen rather than taken for a pass.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"

char *
fuzz_str(const uint8_t *data, size_t size)
{
	char *s;

	if ((s = malloc(size + 1)) == NULL)
		abort();
	if (size > 0)
		memcpy(s, data, size);
	s[size] = '\0';
	return s;
}

size_t
fuzz_split(char *s, char **f, size_t n)
{
	size_t i = 0;
	char *nl;

	for (i = 0; i < n; i++)
		f[i] = NULL;
	if (n == 0)
		return 0;
	f[0] = s;
	for (i = 1; i < n; i++) {
		if ((nl = strchr(f[i - 1], '\n')) == NULL)
			return i;
		*nl = '\0';
		f[i] = nl + 1;
	}
	return n;
}

static char	fuzz_path[64];

static void
fuzz_unlink(void)
{
	if (fuzz_path[0] != '\0')
		(void)unlink(fuzz_path);
}

const char *
fuzz_file(const uint8_t *data, size_t size)
{
	int fd;

	if (fuzz_path[0] == '\0') {
		snprintf(fuzz_path, sizeof(fuzz_path),
		    "/tmp/routehook-fuzz.XXXXXX");
		if ((fd = mkstemp(fuzz_path)) == -1)
			abort();
		close(fd);
		if (atexit(fuzz_unlink) != 0)
			abort();
	}
	if ((fd = open(fuzz_path, O_WRONLY | O_TRUNC)) == -1)
		abort();
	if (size > 0 && write(fd, data, size) != (ssize_t)size)
		abort();
	if (close(fd) == -1)
		abort();
	return fuzz_path;
}
