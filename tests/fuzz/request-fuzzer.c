/*
 * request-fuzzer: what the web server passes on from the client before a
 * byte of the body is read: CONTENT_LENGTH (request_content_length())
 * and the request path (request_classify(), from REQUEST_URI or
 * SCRIPT_NAME + PATH_INFO).  Input: the four values, one a line.  Checks
 * beyond "no crash": a length called OK is at most the cap and all
 * digits; health and metrics only at exactly the mount's paths.
 */
#include <stdlib.h>
#include <string.h>

#include "fuzz.h"
#include "../../fcgi/request.h"

#define CAP	65536

static int
only_digits(const char *s)
{
	return *s != '\0' && strspn(s, "0123456789") == strlen(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *f[4], *q;
	enum request_path p;
	size_t len;

	fuzz_split(s, f, 4);
	if (request_content_length(f[0], CAP, &len) == REQUEST_LEN_OK &&
	    (len > CAP || !only_digits(f[0])))
		abort();
	p = request_classify("/routehook", f[1], f[2], f[3]);
	if (p != REQUEST_PATH_OTHER && f[1] != NULL && *f[1] != '\0') {
		/* Up to '?' or '#', the path must be exactly the one. */
		q = f[1] + strcspn(f[1], "?#");
		*q = '\0';
		if (strcmp(f[1], p == REQUEST_PATH_HEALTH ?
		    "/routehook/health" : "/routehook/metrics") != 0)
			abort();
	}
	(void)request_classify("", f[1], f[2], f[3]);
	free(s);
	return 0;
}
