/*
 * jobject unit test: the one check of an event body that the responder
 * makes before it answers 202 and the worker makes before it calls
 * Genesys (exactly one strict JSON object, at most JOBJECT_DEPTH deep),
 * as a table of bodies, deep nesting far past the limit, and the
 * string-member reader.  Fails (exit 1, "not ok" lines) when any entry
 * differs.
 *
 * json-c 0.16's strict mode still takes single-quoted keys, NaN and
 * Infinity, and "1."; harmless, since both sides use this one check, so
 * they are not in the table below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jobject.h"
#include "tap.h"

/* prefix x n, middle, suffix x n: deep nesting without a recursive parser */
static char *
nest(const char *prefix, const char *middle, const char *suffix, size_t n,
    size_t *len)
{
	size_t lp = strlen(prefix), lm = strlen(middle), ls = strlen(suffix);
	size_t i;
	char *s, *p;

	if ((s = malloc(n * (lp + ls) + lm + 1)) == NULL) {
		perror("malloc");
		exit(1);
	}
	p = s;
	for (i = 0; i < n; i++, p += lp)
		memcpy(p, prefix, lp);
	memcpy(p, middle, lm);
	p += lm;
	for (i = 0; i < n; i++, p += ls)
		memcpy(p, suffix, ls);
	*p = '\0';
	*len = (size_t)(p - s);
	return s;
}

static void
test_json(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		int		 ok;
		const char	*name;
	} t[] = {
		{ "{}", 0, 1, "empty object" },
		{ "{\"eventType\":\"routing.user.status.update\","
		  "\"userId\":\"u1\",\"status\":\"available\"}", 0, 1,
		  "tutorial event" },
		{ "{\"topicName\":\"v2.users.u1.routingStatus\",\"eventBody\":"
		  "{\"routingStatus\":{\"status\":\"IDLE\"}}}", 0, 1,
		  "notification event" },
		{ " \t\r\n{\"a\":1}\r\n \t", 0, 1, "JSON whitespace around" },
		{ "{\"a\":1}\n", 0, 1, "trailing newline (curl -d @file)" },
		{ "{\"a\":\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"}", 0, 1,
		  "UTF-8 in a string" },
		{ "{\"a\":\"\\u00e9\\ud83d\\ude00\"}", 0, 1, "\\u escapes" },
		{ "", 0, 0, "empty" },
		{ " \n", 0, 0, "whitespace only" },
		{ "[]", 0, 0, "array" },
		{ "[{\"a\":1}]", 0, 0, "object inside an array" },
		{ "\"s\"", 0, 0, "string" },
		{ "12", 0, 0, "number" },
		{ "null", 0, 0, "null" },
		{ "true", 0, 0, "true" },
		{ "{", 0, 0, "unterminated object" },
		{ "{\"a\":1", 0, 0, "missing brace" },
		{ "{\"a\":1}x", 0, 0, "trailing garbage" },
		{ "{\"a\":1} x", 0, 0, "trailing garbage after a space" },
		{ "{\"a\":1}{\"b\":2}", 0, 0, "two objects" },
		{ "{\"a\":1}}", 0, 0, "extra brace" },
		{ "{\"a\":1}\0", 8, 0, "NUL after the object" },
		{ "{\"a\":\"x\0y\"}", 11, 0, "NUL inside a string" },
		{ "{\"a\":1,}", 0, 0, "trailing comma" },
		{ "{\"a\":'x'}", 0, 0, "single-quoted string" },
		{ "{a:1}", 0, 0, "bare key" },
		{ "{\"a\":1 /* c */}", 0, 0, "comment" },
		{ "{\"a\":nan}", 0, 0, "nan" },
		{ "{\"a\":01}", 0, 0, "leading zero" },
		{ "{\"a\":+1}", 0, 0, "plus sign" },
		{ "{\"a\":\"\xff\"}", 0, 0, "invalid UTF-8 byte" },
		{ "{\"a\":\"\xc3\"}", 0, 0, "truncated UTF-8 sequence" },
		{ "\xef\xbb\xbf{\"a\":1}", 0, 0, "byte order mark" },
	};
	const char *why;
	char *deep;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why = NULL;
		len = t[i].len ? t[i].len : strlen(t[i].in);
		is_int(jobject_parse(t[i].in, len, NULL, &why),
		    t[i].ok ? 0 : -1, "json: %s", t[i].name);
		if (!t[i].ok)
			ok(why != NULL && *why != '\0', "json: %s says why (%s)",
			    t[i].name, why ? why : "(null)");
	}

	deep = nest("{\"a\":", "1", "}", JOBJECT_DEPTH, &len);
	is_int(jobject_parse(deep, len, NULL, &why), 0,
	    "json: %d levels of objects accepted", JOBJECT_DEPTH);
	free(deep);
	deep = nest("{\"a\":", "1", "}", JOBJECT_DEPTH + 1, &len);
	is_int(jobject_parse(deep, len, NULL, &why), -1,
	    "json: %d levels of objects refused", JOBJECT_DEPTH + 1);
	free(deep);
	deep = nest("{\"a\":", "1", "}", 10000, &len);
	is_int(jobject_parse(deep, len, NULL, &why), -1,
	    "json: 10000 levels of objects refused without a crash");
	is_str(why, "body is nested too deeply (more than 16 levels)",
	    "json: ... saying why");
	free(deep);
	deep = nest("[", "{}", "]", 10000, &len);
	deep[0] = '{';	/* "{[[[...": an object start, then arrays */
	is_int(jobject_parse(deep, len, NULL, &why), -1,
	    "json: 10000 levels of arrays refused without a crash");
	free(deep);
	deep = nest("{\"a\":[", "1", "]}", 10000, &len);
	is_int(jobject_parse(deep, len, NULL, &why), -1,
	    "json: 20000 levels of objects and arrays refused");
	free(deep);
}

/* The sentences both the sender (in a 400) and an audit line read. */
static void
test_why(void)
{
	static const struct {
		const char	*in;
		size_t		 len;	/* 0: strlen */
		const char	*why;
	} t[] = {
		{ "", 0, "empty body" },
		{ " \r\n\t", 0, "empty body" },
		{ "hello", 0, "body is not a JSON object" },
		{ "[[[[", 0, "body is not a JSON object" },
		{ "42", 0, "body is not a JSON object" },
		{ "{\"a\":1", 0, "body is not JSON: it ends too soon" },
		{ "{\"a\":1,}", 0, "body is not JSON: unexpected character" },
		{ "{\"a\":1} x", 0, "trailing data after the JSON object" },
		{ "{\"a\":\"\xff\"}", 0, "body is not UTF-8" },
		{ "{\"a\":1}\0", 8, "body contains a NUL byte" },
	};
	const char *why;
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		why = NULL;
		len = t[i].len ? t[i].len : strlen(t[i].in);
		is_int(jobject_parse(t[i].in, len, NULL, &why), -1,
		    "why %zu: refused", i);
		is_str(why, t[i].why, "why %zu: the sentence", i);
	}
}

static void
test_str(void)
{
	struct json_object *o;
	const char *why;
	static const char body[] = "{\"s\":\"x\",\"n\":1,\"z\":null}";

	is_int(jobject_parse(body, strlen(body), &o, &why), 0,
	    "parse hands back the object");
	is_str(jobject_str(o, "s"), "x", "str: a string member");
	ok(jobject_str(o, "n") == NULL, "str: a number is not a string");
	ok(jobject_str(o, "z") == NULL, "str: null is not a string");
	ok(jobject_str(o, "missing") == NULL, "str: a missing member");
	ok(jobject_str(NULL, "s") == NULL, "str: no object at all");
	json_object_put(o);
	o = (struct json_object *)1;
	is_int(jobject_parse("[]", 2, &o, &why), -1, "a refused body...");
	ok(o == NULL, "... hands back no object");
}

int
main(void)
{
	test_json();
	test_why();
	test_str();
	return tap_done();
}
