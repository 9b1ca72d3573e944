/*
 * jobject: what the responder and the worker both ask of an event body,
 * decided in one place so they can never disagree: exactly one JSON
 * object (RFC 8259, strict: no comments, single quotes or trailing
 * commas; UTF-8; no NUL byte), at most JOBJECT_DEPTH levels deep, with
 * only JSON whitespace around it.  The responder answers 400 to any other
 * body, so it never says 202 to an event the worker would refuse for its
 * shape.
 *
 * And the one way to read a string member of a parsed object (events,
 * Genesys answers, audit lines).
 *
 * Errors: jobject_parse() returns -1 with *why a short static sentence
 * fit for the sender, an audit line or a log line (it never quotes the
 * body), or -2 with *why when memory ran out: not the body's fault.
 * Pure: no I/O, nothing logged.
 */
#ifndef ROUTEHOOK_JOBJECT_H
#define ROUTEHOOK_JOBJECT_H

#include <stddef.h>

struct json_object;

/*
 * Levels of objects and arrays around a value ({"a":1} is one level).
 * Real events nest four levels; anything far deeper is an attack.
 * json-c's parser does not recurse, but freeing and walking what it
 * built do: the limit keeps "{[[[[..." from building anything deep.
 */
#define JOBJECT_DEPTH	16

/*
 * Check body; with out not NULL, *out is the parsed object (the caller
 * owns it, json_object_put()), else it is freed here.
 */
int	 jobject_parse(const void *body, size_t len, struct json_object **out,
	    const char **why);

/* The string member key of o, else NULL (o may be NULL). */
const char	*jobject_str(struct json_object *o, const char *key);

#endif
