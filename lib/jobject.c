/*
 * jobject: see jobject.h.
 *
 * json-c's tokener does most of the work, in its strict mode with a depth
 * limit; what it leaves to us is done before it (an empty body, a NUL
 * byte, a first byte that cannot start an object: refused without
 * parsing anything) and after it (only whitespace may follow the object).
 */
#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "jobject.h"

#define JOBJECT_XSTR(x)	JOBJECT_STR(x)
#define JOBJECT_STR(x)	#x

/* json-c 0.15 and later check UTF-8 when asked; older ones cannot. */
#ifdef JSON_TOKENER_VALIDATE_UTF8
#define JOBJECT_UTF8	JSON_TOKENER_VALIDATE_UTF8
#else
#define JOBJECT_UTF8	0
#endif

static int
jobject_ws(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static const char *
jobject_fault(enum json_tokener_error jerr)
{
	switch (jerr) {
	case json_tokener_error_depth:
		return "body is nested too deeply (more than "
		    JOBJECT_XSTR(JOBJECT_DEPTH) " levels)";
	case json_tokener_continue:
	case json_tokener_error_parse_eof:
		return "body is not JSON: it ends too soon";
#ifdef JSON_TOKENER_VALIDATE_UTF8
	case json_tokener_error_parse_utf8_string:
		return "body is not UTF-8";
#endif
	case json_tokener_error_parse_unexpected:
		return "body is not JSON: unexpected character";
	default:
		return "body is not JSON";
	}
}

int
jobject_parse(const void *body, size_t len, struct json_object **out,
    const char **why)
{
	const unsigned char *b = body;
	struct json_tokener *tok;
	struct json_object *o;
	enum json_tokener_error jerr;
	size_t i, end;

	if (out != NULL)
		*out = NULL;
	if (b == NULL)
		len = 0;
	for (i = 0; i < len && jobject_ws(b[i]); i++)
		continue;
	if (i == len) {
		*why = "empty body";
		return -1;
	}
	/* Arrays, strings, numbers, a byte order mark: refused unparsed. */
	if (b[i] != '{') {
		*why = "body is not a JSON object";
		return -1;
	}
	if (len > INT_MAX) {
		*why = "body is too large";
		return -1;
	}
	/* A raw NUL is never JSON, and json-c would stop short of it. */
	if (memchr(b, '\0', len) != NULL) {
		*why = "body contains a NUL byte";
		return -1;
	}
	/*
	 * json-c's depth counts the innermost value too: {"a":1} is two
	 * deep to it, one level of nesting to us.
	 */
	if ((tok = json_tokener_new_ex(JOBJECT_DEPTH + 1)) == NULL) {
		*why = "out of memory";
		return -2;
	}
	/* What follows the object is judged below: only whitespace may. */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_ALLOW_TRAILING_CHARS | JOBJECT_UTF8);
	o = json_tokener_parse_ex(tok, (const char *)b, (int)len);
	jerr = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	json_tokener_free(tok);
	if (o == NULL) {
		*why = jobject_fault(jerr);
		return -1;
	}
	for (; end < len && jobject_ws(b[end]); end++)
		continue;
	if (end != len) {
		json_object_put(o);
		*why = "trailing data after the JSON object";
		return -1;
	}
	/* The first byte was '{', so o is an object. */
	if (out != NULL)
		*out = o;
	else
		json_object_put(o);
	return 0;
}

const char *
jobject_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (o == NULL || !json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}
