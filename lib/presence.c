/*
 * presence: parse an org's presence definitions and resolve targets
 * against them (see presence.h).
 *
 * The answer comes from Genesys over TLS, but it is still parsed as
 * untrusted: json-c with a depth limit, ids checked before they can reach
 * an API path, every string copied with its length bounded.  Fails by
 * returning -1 with one sentence in the caller's err buffer.  Pure.
 */
#include <ctype.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "err.h"
#include "event.h"
#include "presence.h"

#define PRESENCE_JSON_DEPTH	16
#define ROUTING_PREFIX		"routingstatus:"


/* The SDK's systemPresence values (OrganizationPresenceDefinition). */
static const char *const systems[] = {
	"Available", "Away", "Busy", "Offline", "Idle", "OnQueue", "Meal",
	"Training", "Meeting", "Break"
};

/*
 * The built-in words and the presence each means; README and
 * routehook.conf(5) show the same table.  "idle" is a routing word here
 * (the tutorial's IDLE: waiting for an interaction), so it is On Queue,
 * not the Idle presence, which Genesys sets by itself for an inactive
 * client.
 */
static const struct {
	const char	*word;
	const char	*system;
} defaults[] = {
	{ "available",	"OnQueue" },
	{ "idle",	"OnQueue" },
	{ "on_queue",	"OnQueue" },
	{ "off_queue",	"Available" },
	{ "offline",	"Offline" },
	{ "away",	"Away" },
	{ "busy",	"Busy" },
	{ "break",	"Break" },
	{ "meal",	"Meal" },
	{ "training",	"Training" },
	{ "meeting",	"Meeting" },
};

/* Letters of s, lower-cased, without spaces and underscores, into out. */
static int
presence_fold(const char *s, char *out, size_t outsz)
{
	size_t n = 0;

	for (; *s != '\0'; s++) {
		if (*s == ' ' || *s == '_')
			continue;
		if (n + 1 >= outsz)
			return -1;
		out[n++] = (char)tolower((unsigned char)*s);
	}
	out[n] = '\0';
	return 0;
}

const char *
presence_system(const char *s)
{
	char want[32], have[32];
	size_t i;

	if (presence_fold(s, want, sizeof(want)) == -1 || want[0] == '\0')
		return NULL;
	for (i = 0; i < sizeof(systems) / sizeof(systems[0]); i++) {
		if (presence_fold(systems[i], have, sizeof(have)) == 0 &&
		    strcmp(want, have) == 0)
			return systems[i];
	}
	return NULL;
}

const char *
presence_default(const char *word)
{
	size_t i;

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		if (strcasecmp(word, defaults[i].word) == 0)
			return defaults[i].system;
	return NULL;
}

int
presence_target(const char *value, struct presence_target *t, char *err,
    size_t errsz)
{
	const char *v;

	memset(t, 0, sizeof(*t));
	if (strncmp(value, ROUTING_PREFIX, sizeof(ROUTING_PREFIX) - 1) == 0) {
		v = value + sizeof(ROUTING_PREFIX) - 1;
		if (strcmp(v, "OFF_QUEUE") != 0 && strcmp(v, "IDLE") != 0) {
			if (strcmp(v, "INTERACTING") == 0 ||
			    strcmp(v, "COMMUNICATING") == 0 ||
			    strcmp(v, "NOT_RESPONDING") == 0)
				return err_set(err, errsz, "routing "
				    "status %s is set by Genesys Cloud alone "
				    "and cannot be a target", v);
			return err_set(err, errsz, "\"%s\" is not a "
			    "routing status a client can set (OFF_QUEUE or "
			    "IDLE)", v);
		}
		t->kind = PRESENCE_TARGET_ROUTING;
		snprintf(t->value, sizeof(t->value), "%s", v);
		return 0;
	}
	if (value[0] == '\0' || strlen(value) >= sizeof(t->value))
		return err_set(err, errsz, "a presence target is 1 to "
		    "%zu bytes", sizeof(t->value) - 1);
	if (strcmp(value, "INTERACTING") == 0 ||
	    strcmp(value, "COMMUNICATING") == 0 ||
	    strcmp(value, "NOT_RESPONDING") == 0)
		return err_set(err, errsz, "routing status %s is set by "
		    "Genesys Cloud alone and cannot be a target", value);
	t->kind = PRESENCE_TARGET_PRESENCE;
	snprintf(t->value, sizeof(t->value), "%s", value);
	return 0;
}

void
presence_free(struct presence_defs *d)
{
	free(d->v);
	d->v = NULL;
	d->n = 0;
}

int
presence_stale(long long fetched_ms, long long now_ms, long long max_age_ms)
{
	/* A clock stepped back makes a cache look new: refresh it too. */
	return fetched_ms <= 0 || now_ms < fetched_ms ||
	    now_ms - fetched_ms >= max_age_ms;
}

static const char *
presence_str(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v) ||
	    !json_object_is_type(v, json_type_string))
		return NULL;
	return json_object_get_string(v);
}

/* One entity into def; -1 with err naming the entity's index. */
static int
presence_entity(struct json_object *e, size_t i, struct presence_def *def,
    char *err, size_t errsz)
{
	struct json_object *labels, *v;
	const char *id, *sys, *type, *label = NULL;

	memset(def, 0, sizeof(*def));
	if (!json_object_is_type(e, json_type_object))
		return err_set(err, errsz, "entities[%zu] is not an "
		    "object", i);
	id = presence_str(e, "id");
	if (id == NULL || !event_id_valid(id))
		return err_set(err, errsz, "entities[%zu] has no valid "
		    "id", i);
	sys = presence_str(e, "systemPresence");
	if (sys == NULL || (sys = presence_system(sys)) == NULL)
		return err_set(err, errsz, "entities[%zu] (%s) has no "
		    "known systemPresence", i, id);
	if (json_object_object_get_ex(e, "languageLabels", &labels) &&
	    json_object_is_type(labels, json_type_object))
		label = presence_str(labels, "en_US");
	if (label == NULL)
		label = presence_str(e, "name");
	type = presence_str(e, "type");
	snprintf(def->id, sizeof(def->id), "%s", id);
	snprintf(def->label, sizeof(def->label), "%s",
	    label != NULL ? label : "");
	snprintf(def->system, sizeof(def->system), "%s", sys);
	def->primary = type != NULL && strcmp(type, "System") == 0;
	def->deactivated = json_object_object_get_ex(e, "deactivated", &v) &&
	    json_object_is_type(v, json_type_boolean) &&
	    json_object_get_boolean(v);
	return 0;
}

int
presence_parse(const char *body, size_t len, struct presence_defs *d,
    char *err, size_t errsz)
{
	struct json_tokener *tok;
	struct json_object *o = NULL, *ents;
	struct presence_def *v = NULL;
	size_t i, n;
	int rc = -1;

	if (body == NULL || len > INT_MAX)
		return err_set(err, errsz, "presence definitions: no "
		    "answer, or one too large");
	if ((tok = json_tokener_new_ex(PRESENCE_JSON_DEPTH)) == NULL)
		return err_set(err, errsz, "out of memory");
	/* An object ends with its '}': no need to tell json-c about EOF. */
	o = json_tokener_parse_ex(tok, body, (int)len);
	if (o == NULL || json_tokener_get_error(tok) != json_tokener_success) {
		err_set(err, errsz, "presence definitions: not JSON");
		goto done;
	}
	if (!json_object_is_type(o, json_type_object) ||
	    !json_object_object_get_ex(o, "entities", &ents) ||
	    !json_object_is_type(ents, json_type_array)) {
		err_set(err, errsz, "presence definitions: no entities "
		    "array");
		goto done;
	}
	n = json_object_array_length(ents);
	if (n > PRESENCE_DEFS_MAX) {
		err_set(err, errsz, "presence definitions: %zu entities, "
		    "more than %d", n, PRESENCE_DEFS_MAX);
		goto done;
	}
	if (n > 0 && (v = calloc(n, sizeof(*v))) == NULL) {
		err_set(err, errsz, "out of memory");
		goto done;
	}
	for (i = 0; i < n; i++) {
		if (presence_entity(json_object_array_get_idx(ents, i), i,
		    &v[i], err, errsz) == -1)
			goto done;
	}
	presence_free(d);
	d->v = v;
	d->n = n;
	v = NULL;
	rc = 0;
done:
	free(v);
	json_object_put(o);
	json_tokener_free(tok);
	return rc;
}

const struct presence_def *
presence_by_id(const struct presence_defs *d, const char *id)
{
	size_t i;

	for (i = 0; i < d->n; i++)
		if (strcmp(d->v[i].id, id) == 0)
			return &d->v[i];
	return NULL;
}

const struct presence_def *
presence_resolve(const struct presence_defs *d, const char *target,
    char *err, size_t errsz)
{
	const struct presence_def *p;
	const char *sys;
	size_t i;

	if ((sys = presence_system(target)) != NULL) {
		for (i = 0; i < d->n; i++)
			if (d->v[i].primary && !d->v[i].deactivated &&
			    strcmp(d->v[i].system, sys) == 0)
				return &d->v[i];
		err_set(err, errsz, "the org lists no active system "
		    "presence %s", sys);
		return NULL;
	}
	if ((p = presence_by_id(d, target)) != NULL && !p->deactivated)
		return p;
	if (p != NULL) {
		err_set(err, errsz, "presence definition %s (%s) is "
		    "deactivated", p->id, p->label);
		return NULL;
	}
	for (i = 0; i < d->n; i++)
		if (!d->v[i].deactivated &&
		    strcasecmp(d->v[i].label, target) == 0)
			return &d->v[i];
	err_set(err, errsz, "no active presence definition has the id "
	    "or label \"%.64s\"", target);
	return NULL;
}
