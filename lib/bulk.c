/*
 * bulk: batch queue membership changes for one queue (see bulk.h).
 *
 * Ids are checked on the way in (a Genesys id needs no JSON escaping and
 * cannot leave its path segment), so the body is written with snprintf.
 * The answer is parsed as untrusted: json-c with a depth limit, and a
 * member counts as taken only when the answer names it with the change
 * asked for.  Pure.
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "bulk.h"
#include "err.h"
#include "event.h"

#define BULK_JSON_DEPTH	16

int
bulk_init(struct bulk *b, const char *queue, char *err, size_t errsz)
{
	memset(b, 0, sizeof(*b));
	if (!event_id_valid(queue))
		return err_set(err, errsz, "queueId is not a Genesys id");
	snprintf(b->queue, sizeof(b->queue), "%s", queue);
	return 0;
}

int
bulk_add(struct bulk *b, const char *member, int joined, void *owner,
    void **replaced, char *err, size_t errsz)
{
	size_t i;

	*replaced = NULL;
	if (!event_id_valid(member))
		return err_set(err, errsz, "userId is not a Genesys id");
	for (i = 0; i < b->n; i++) {
		if (strcmp(b->m[i].id, member) == 0) {
			*replaced = b->m[i].owner;
			b->m[i].joined = joined ? 1 : 0;
			b->m[i].owner = owner;
			return 0;
		}
	}
	if (b->n == BULK_MAX)
		return err_set(err, errsz, "a bulk call holds at most %d "
		    "members", BULK_MAX);
	snprintf(b->m[b->n].id, sizeof(b->m[b->n].id), "%s", member);
	b->m[b->n].joined = joined ? 1 : 0;
	b->m[b->n].owner = owner;
	b->m[b->n].taken = 0;
	b->n++;
	return 1;
}

int
bulk_path(const struct bulk *b, char *buf, size_t bufsz)
{
	int n;

	n = snprintf(buf, bufsz, "/api/v2/routing/queues/%s/members",
	    b->queue);
	return n < 0 || (size_t)n >= bufsz ? -1 : 0;
}

int
bulk_body(const struct bulk *b, char *buf, size_t bufsz)
{
	size_t i, off = 0;
	int n;

	if (b->n == 0 || bufsz == 0)
		return -1;
	for (i = 0; i < b->n; i++) {
		n = snprintf(buf + off, bufsz - off,
		    "%s{\"id\":\"%s\",\"joined\":%s}%s", i == 0 ? "[" : "",
		    b->m[i].id, b->m[i].joined ? "true" : "false",
		    i + 1 == b->n ? "]" : ",");
		if (n < 0 || (size_t)n >= bufsz - off)
			return -1;
		off += (size_t)n;
	}
	return 0;
}

/* Mark the member the entity e names with the change it asked for. */
static void
bulk_take(struct bulk *b, struct json_object *e)
{
	struct json_object *v;
	const char *id;
	int joined;
	size_t i;

	if (!json_object_is_type(e, json_type_object) ||
	    !json_object_object_get_ex(e, "id", &v) ||
	    !json_object_is_type(v, json_type_string))
		return;
	id = json_object_get_string(v);
	/* joined absent: the member is listed, the change not contradicted. */
	joined = -1;
	if (json_object_object_get_ex(e, "joined", &v) &&
	    json_object_is_type(v, json_type_boolean))
		joined = json_object_get_boolean(v) ? 1 : 0;
	for (i = 0; i < b->n; i++)
		if (strcmp(b->m[i].id, id) == 0 &&
		    (joined == -1 || joined == b->m[i].joined))
			b->m[i].taken = 1;
}

int
bulk_answer(struct bulk *b, const char *body, size_t len, char *err,
    size_t errsz)
{
	struct json_tokener *tok;
	struct json_object *o, *ents;
	size_t i, n;
	int taken = 0;

	for (i = 0; i < b->n; i++)
		b->m[i].taken = 0;
	if (body == NULL || len == 0) {
		for (i = 0; i < b->n; i++)
			b->m[i].taken = 1;
		return (int)b->n;
	}
	if (len > INT_MAX)
		return err_set(err, errsz, "bulk answer too large");
	if ((tok = json_tokener_new_ex(BULK_JSON_DEPTH)) == NULL)
		return err_set(err, errsz, "out of memory");
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
	    !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		json_tokener_free(tok);
		return err_set(err, errsz, "bulk answer is not a JSON object");
	}
	json_tokener_free(tok);
	if (!json_object_object_get_ex(o, "entities", &ents)) {
		for (i = 0; i < b->n; i++)
			b->m[i].taken = 1;
		json_object_put(o);
		return (int)b->n;
	}
	if (!json_object_is_type(ents, json_type_array)) {
		json_object_put(o);
		return err_set(err, errsz, "bulk answer: entities is not an "
		    "array");
	}
	n = json_object_array_length(ents);
	for (i = 0; i < n; i++)
		bulk_take(b, json_object_array_get_idx(ents, i));
	json_object_put(o);
	for (i = 0; i < b->n; i++)
		taken += b->m[i].taken;
	return taken;
}
