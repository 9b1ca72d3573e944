/*
 * conf-fuzzer: the configuration loader, conf_load(), on any file.  The
 * file is the administrator's, but the loader must still never crash or
 * leak on what it refuses, and every refusal must say "FILE:LINE: ..." or
 * "FILE: ...": the file read, or one it @includes.
 */
#include <stdlib.h>
#include <string.h>

#include "conf.h"
#include "fuzz.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct conf c;
	const char *path = fuzz_file(data, size);
	char err[8192];

	err[0] = '\0';
	if (conf_load(&c, path, err, sizeof(err)) == -1) {
		if (err[0] == '\0' || strstr(err, ": ") == NULL ||
		    (strncmp(err, path, strlen(path)) != 0 && err[0] != '/'))
			abort();
		return 0;
	}
	conf_free(&c);
	return 0;
}
