/*
 * http unit test: the pure parts of lib/http.c: the error sentence from
 * Genesys and OAuth error bodies, URLs (the capped response buffer is
 * dynbuf's, tests/unit/dynbuf.c).
 * Fails (exit 1, "not ok" lines) when any entry differs.
 */
#include <string.h>

#include "http.h"
#include "tap.h"

static const struct {
	long		 status;
	const char	*body;
	const char	*want;
} errors[] = {
	{ 404, "{\"message\":\"The requested resource was not found.\","
	    "\"code\":\"not.found\",\"status\":404,\"contextId\":\"c\","
	    "\"details\":[],\"errors\":[]}",
	    "HTTP 404 not.found: The requested resource was not found." },
	{ 429, "{\"message\":\"Rate limit exceeded the maximum. Retry the "
	    "request in [42] seconds\",\"code\":\"too.many.requests.retry."
	    "after\",\"status\":429}",
	    "HTTP 429 too.many.requests.retry.after: Rate limit exceeded the "
	    "maximum. Retry the request in [42] seconds" },
	{ 401, "{\"error\":\"invalid_client\",\"description\":\"d\","
	    "\"error_description\":\"client not found\"}",
	    "HTTP 401 invalid_client: client not found" },
	{ 400, "{\"error\":\"unsupported_grant_type\",\"description\":\"no\"}",
	    "HTTP 400 unsupported_grant_type: no" },
	{ 400, "{\"code\":\"bad.request\"}", "HTTP 400 bad.request" },
	{ 400, "{\"message\":\"only a message\"}", "HTTP 400: only a message" },
	{ 502, "<html>Bad Gateway</html>", "HTTP 502" },
	{ 503, "", "HTTP 503" },
	{ 500, "[1,2]", "HTTP 500" },
	{ 500, "{\"code\":5,\"message\":[]}", "HTTP 500" },
	{ 400, "{\"code\":\"x\",\"message\":\"two\\nlines\\tand\\u0001\"}",
	    "HTTP 400 x: two lines and " },
};

int
main(void)
{
	char out[HTTP_ERROR_MAX], small[16], url[32];
	size_t i;

	for (i = 0; i < sizeof(errors) / sizeof(errors[0]); i++) {
		http_error_text(errors[i].status, errors[i].body,
		    strlen(errors[i].body), out, sizeof(out));
		is_str(out, errors[i].want, "error text %zu (HTTP %ld)", i,
		    errors[i].status);
	}
	http_error_text(404, NULL, 0, out, sizeof(out));
	is_str(out, "HTTP 404", "no body at all");
	http_error_text(404, errors[0].body, strlen(errors[0].body), small,
	    sizeof(small));
	is_str(small, "HTTP 404 not.fo", "truncated to the caller's buffer");

	ok(http_url(url, sizeof(url), "https://api.x", "/api/v2/a") == 0 &&
	    strcmp(url, "https://api.x/api/v2/a") == 0, "http_url joins");
	is_int(http_url(url, sizeof(url), "https://api.example.com",
	    "/api/v2/users/x/routingstatus"), -1, "http_url: -1 when too long");
	/* inin-ratelimit-* values: digits, else nothing to pace by. */
	is_int(http_header_count("300"), 300, "ratelimit header 300");
	is_int(http_header_count(" 61 "), 61, "blanks around are fine");
	is_int(http_header_count("0"), 0, "0 is a count");
	is_int(http_header_count(""), -1, "empty: -1");
	is_int(http_header_count("-1"), -1, "negative: -1");
	is_int(http_header_count("12s"), -1, "trailing junk: -1");
	is_int(http_header_count("99999999999"), -1, "absurdly large: -1");
	return tap_done();
}
