/*
 * members: the bulk queue membership call's body and answer (members.h).
 */
#include <errno.h>
#include <string.h>

#include <json-c/json.h>

#include "err.h"
#include "event.h"
#include "jobject.h"
#include "members.h"

int
members_body(struct dynbuf *b, const struct members_item *m, size_t n,
    char *err, size_t errsz)
{
	size_t i;

	if (n == 0 || n > MEMBERS_MAX)
		return err_set(err, errsz, "%zu members in one call (1 to %d)",
		    n, MEMBERS_MAX);
	dyn_reset(b);
	for (i = 0; i < n; i++) {
		/* Ids are [A-Za-z0-9-]: nothing to escape. */
		if (!event_id_valid(m[i].user_id))
			return err_set(err, errsz, "member %zu: not a Genesys "
			    "id", i);
		if (dyn_addf(b, "%s{\"id\":\"%s\",\"joined\":%s}",
		    i == 0 ? "[" : ",", m[i].user_id,
		    m[i].joined ? "true" : "false") == -1)
			goto nomem;
	}
	if (dyn_add(b, "]", 1) == -1)
		goto nomem;
	return 0;
nomem:
	return err_set(err, errsz, "the bulk body: %s", errno == E2BIG ?
	    "too long" : "out of memory");
}

int
members_answer(const char *body, size_t len, struct members_item *m,
    size_t n, char *err, size_t errsz)
{
	struct json_object *root, *ents, *e, *joined;
	const char *why, *id;
	size_t i, k, nents;

	for (i = 0; i < n; i++)
		m[i].done = 0;
	if (jobject_parse(body, len, &root, &why) != 0)
		return err_set(err, errsz, "the bulk answer: %s", why);
	if (!json_object_object_get_ex(root, "entities", &ents) ||
	    !json_object_is_type(ents, json_type_array)) {
		json_object_put(root);
		return err_set(err, errsz, "the bulk answer has no entities "
		    "list");
	}
	nents = json_object_array_length(ents);
	for (k = 0; k < nents; k++) {
		e = json_object_array_get_idx(ents, k);
		if ((id = jobject_str(e, "id")) == NULL ||
		    !json_object_object_get_ex(e, "joined", &joined) ||
		    !json_object_is_type(joined, json_type_boolean))
			continue;
		for (i = 0; i < n; i++)
			if (!m[i].done && strcmp(m[i].user_id, id) == 0 &&
			    m[i].joined == json_object_get_boolean(joined))
				m[i].done = 1;
	}
	json_object_put(root);
	return 0;
}
