/*
 * event: turn a spooled event body into the one Genesys Cloud call it asks
 * for (see event.h for the shapes accepted).
 *
 * The body is untrusted: it comes from whoever held a webhook secret, and
 * the ids in it end up in API paths.  So it must be one JSON object, at
 * most JOBJECT_DEPTH deep (jobject.h, the responder's check too), every
 * id must be a Genesys id ([A-Za-z0-9-]{1,64}, which can neither climb
 * out of a path nor break out of a JSON string), and fields of the wrong
 * type are errors, never coerced.  Fields routehook
 * does not use are ignored, since Genesys adds metadata freely.
 *
 * Fails by returning -1 with one sentence in the caller's err buffer.  A
 * sentence quotes at most EVENT_QUOTE_MAX bytes of sender input, with
 * anything but printable ASCII replaced by '?', so an audit line stays
 * short and valid UTF-8 whatever was sent.  Pure: no I/O, nothing logged.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <json-c/json.h>

#include "conf.h"
#include "err.h"
#include "event.h"
#include "presence.h"
#include "jobject.h"

#define EVENT_QUOTE_MAX		64	/* bytes of sender input in a message */
#define EVENT_QUOTE_BUF		(EVENT_QUOTE_MAX + 4)	/* "...", NUL */

/* The largest epoch ms we accept: 9999-12-31T23:59:59.999Z. */
#define EVENT_TS_MAX		253402300799999LL

#define TYPE_STATUS	"routing.user.status.update"
#define TYPE_QUEUE	"routing.queue.member.status.update"
#define TOPIC_PREFIX	"v2.users."
#define TOPIC_STATUS	"routingStatus"
#define TOPIC_PRESENCE	"presence"
#define TOPIC_ACTIVITY	"activity"

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* What PUT /api/v2/users/{id}/routingstatus accepts (GENESYS.md). */
static const char *const event_genesys_statuses[] = {
	"OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", "COMMUNICATING"
};

/*
 * The routing statuses the system alone sets: an agent on a conversation,
 * or one who let an offer ring out.  Genesys' glossary: "users cannot
 * directly change routing statuses".
 */
static const char *const event_system_statuses[] = {
	"INTERACTING", "NOT_RESPONDING", "COMMUNICATING"
};

const struct event_status_word event_default_status_map[] = {
	{ "available", "IDLE" },
	{ "idle", "IDLE" },
	{ "on_queue", "IDLE" },
	{ "offline", "OFF_QUEUE" },
	{ "off_queue", "OFF_QUEUE" },
	{ "away", "OFF_QUEUE" },
	{ "busy", "OFF_QUEUE" },
	{ "break", "OFF_QUEUE" },
	{ "meal", "OFF_QUEUE" },
	{ "training", "OFF_QUEUE" },
	{ "meeting", "OFF_QUEUE" },
};
const size_t event_ndefault_status_map = NELEM(event_default_status_map);

/*
 * Copy sender text for display: printable ASCII only (a '?' for any other
 * byte, which also keeps a cut multibyte character from producing invalid
 * UTF-8), at most max bytes of it, "..." when it was longer.
 */
static void
event_sanitize(char *dst, size_t dstsz, const char *src, size_t max)
{
	size_t i, n, len;

	if (dstsz == 0)
		return;
	len = strlen(src);
	n = len < max ? len : max;
	if (n > dstsz - 1)
		n = dstsz - 1;
	for (i = 0; i < n; i++) {
		unsigned char ch = (unsigned char)src[i];
		dst[i] = (ch >= 0x20 && ch < 0x7f) ? (char)ch : '?';
	}
	dst[n] = '\0';
	if (n < len && n + 3 < dstsz)
		memcpy(dst + n, "...", 4);
}

static void
event_quote(char *dst, const char *src)
{
	event_sanitize(dst, EVENT_QUOTE_BUF, src, EVENT_QUOTE_MAX);
}

int
event_id_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		char ch = s[i];

		if (i >= EVENT_ID_MAX - 1)
			return 0;
		if (!((ch >= 'A' && ch <= 'Z') || (ch >= 'a' && ch <= 'z') ||
		    (ch >= '0' && ch <= '9') || ch == '-'))
			return 0;
	}
	return i > 0;
}

/*
 * A routing status as it goes into a request body: upper-case letters and
 * '_' (OFF_QUEUE, NOT_RESPONDING), so it needs no JSON escaping.
 */
static int
event_status_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (i >= sizeof(((struct event *)0)->status) - 1)
			return 0;
		if (!((s[i] >= 'A' && s[i] <= 'Z') || s[i] == '_'))
			return 0;
	}
	return i > 0;
}

/* ---- reading members ---- */

/*
 * The member key of o, or NULL when it is absent or JSON null: a sender
 * writing "timestamp": null means "no timestamp", not a wrong type.
 */
static struct json_object *
event_member(struct json_object *o, const char *key)
{
	struct json_object *v;

	if (!json_object_object_get_ex(o, key, &v))
		return NULL;
	return v;	/* NULL for JSON null */
}

/*
 * The string member key (named name in messages): 1 and *s when it is
 * there, 0 when absent, -1 (err set) when it is not a string or holds a
 * NUL, which would make C see a different string than JSON does.
 */
static int
event_string(struct json_object *o, const char *key, const char *name,
    const char **s, char *err, size_t errsz)
{
	struct json_object *v;

	if ((v = event_member(o, key)) == NULL)
		return 0;
	if (!json_object_is_type(v, json_type_string))
		return err_set(err, errsz, "%s is not a string", name);
	*s = json_object_get_string(v);
	if (strlen(*s) != (size_t)json_object_get_string_len(v))
		return err_set(err, errsz, "%s contains a NUL character",
		    name);
	return 1;
}

static int
event_need_string(struct json_object *o, const char *key, const char *name,
    const char **s, char *err, size_t errsz)
{
	int r;

	if ((r = event_string(o, key, name, s, err, errsz)) == 0)
		return err_set(err, errsz, "missing %s", name);
	return r == 1 ? 0 : -1;
}

/* A required Genesys id, copied into id[EVENT_ID_MAX]. */
static int
event_need_id(struct json_object *o, const char *key, const char *name,
    char *id, char *err, size_t errsz)
{
	const char *s;

	if (event_need_string(o, key, name, &s, err, errsz) == -1)
		return -1;
	if (!event_id_valid(s))
		return err_set(err, errsz, "%s is not a Genesys id", name);
	memcpy(id, s, strlen(s) + 1);
	return 0;
}

/* A required object member. */
static int
event_need_object(struct json_object *o, const char *key, const char *name,
    struct json_object **v, char *err, size_t errsz)
{
	if ((*v = event_member(o, key)) == NULL)
		return err_set(err, errsz, "missing %s", name);
	if (!json_object_is_type(*v, json_type_object))
		return err_set(err, errsz, "%s is not an object", name);
	return 0;
}

/*
 * An optional time: an ISO 8601 string or, as some senders write it, a
 * JSON integer of epoch milliseconds.  Absent leaves *ms at 0.  Times
 * before 1970 or after 9999 are errors: 0 already means "no time", and
 * nothing real happened then.
 */
static int
event_time(struct json_object *o, const char *key, const char *name,
    long long *ms, char *err, size_t errsz)
{
	struct json_object *v;
	long long t;

	if ((v = event_member(o, key)) == NULL)
		return 0;
	if (json_object_is_type(v, json_type_int)) {
		/* json-c saturates at INT64_MAX/MIN; the range test sees it. */
		t = (long long)json_object_get_int64(v);
	} else if (json_object_is_type(v, json_type_string)) {
		const char *s = json_object_get_string(v);

		if (strlen(s) != (size_t)json_object_get_string_len(v) ||
		    event_parse_time(s, &t) == -1)
			return err_set(err, errsz, "%s is not ISO 8601",
			    name);
	} else
		return err_set(err, errsz, "%s is not ISO 8601", name);
	if (t <= 0 || t > EVENT_TS_MAX)
		return err_set(err, errsz, "%s is out of range", name);
	*ms = t;
	return 0;
}

int
event_is_genesys_status(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < NELEM(event_genesys_statuses); i++)
		if (strcmp(s, event_genesys_statuses[i]) == 0)
			return 1;
	return 0;
}

/*
 * The map is asked first, so a file can even remap a Genesys word; what
 * it does not know passes through only when it is a Genesys status as
 * Genesys spells it.
 */
const char *
event_map_status(const struct conf *c, const char *word)
{
	size_t i;

	if (word == NULL)
		return NULL;
	for (i = 0; i < c->routing.nstatus_map; i++)
		if (strcasecmp(c->routing.status_map[i].from, word) == 0)
			return c->routing.status_map[i].to;
	for (i = 0; i < NELEM(event_genesys_statuses); i++)
		if (strcmp(word, event_genesys_statuses[i]) == 0)
			return event_genesys_statuses[i];
	return NULL;
}

/*
 * The presence a word mapped to routing status `to` stands for, or NULL
 * to keep the routing status: a word the config maps itself (one not
 * built in, or built in with another target), and the statuses only the
 * system sets.
 */
static const char *
event_presence_for(const char *word, const char *to)
{
	size_t i;

	if (strcmp(word, "IDLE") == 0)
		return "OnQueue";
	if (strcmp(word, "OFF_QUEUE") == 0)
		return "Available";
	for (i = 0; i < event_ndefault_status_map; i++)
		if (strcasecmp(event_default_status_map[i].from, word) == 0)
			break;
	if (i == event_ndefault_status_map ||
	    strcmp(event_default_status_map[i].to, to) != 0)
		return NULL;
	return presence_default(word);
}

/* word through routing.status_map into ev->status. */
static int
event_set_status(const struct conf *c, const char *word, struct event *ev,
    char *err, size_t errsz)
{
	char q[EVENT_QUOTE_BUF];
	const char *to, *target;

	event_quote(q, word);
	if ((to = event_map_status(c, word)) == NULL)
		return err_set(err, errsz, "unknown status \"%s\"", q);
	/* conf checks its targets; this guards event_call's snprintf. */
	if (!event_status_valid(to))
		return err_set(err, errsz,
		    "status \"%s\" maps to an invalid routing status", q);
	memcpy(ev->status, to, strlen(to) + 1);
	if ((target = event_presence_for(word, to)) != NULL) {
		ev->kind = EVENT_PRESENCE;
		snprintf(ev->presence_target, sizeof(ev->presence_target),
		    "%s", target);
	}
	return 0;
}

/* ---- the two shapes ---- */

/*
 * {"eventType", "userId", "status" | "queueId" + "joined", "timestamp"}.
 * The user id is read before the type is judged, so that an unknown type
 * still names its user in the audit.
 */
static int
event_tutorial(const struct conf *c, struct json_object *o,
    struct event *ev, char *err, size_t errsz)
{
	struct json_object *v;
	const char *type, *s;
	char q[EVENT_QUOTE_BUF];

	if (event_need_string(o, "eventType", "eventType", &type, err,
	    errsz) == -1)
		return -1;
	event_sanitize(ev->type, sizeof(ev->type), type, sizeof(ev->type) - 1);
	if (event_string(o, "userId", "userId", &s, NULL, 0) == 1 &&
	    event_id_valid(s))
		memcpy(ev->user_id, s, strlen(s) + 1);

	if (strcmp(type, TYPE_STATUS) == 0)
		ev->kind = EVENT_ROUTING_STATUS;
	else if (strcmp(type, TYPE_QUEUE) == 0)
		ev->kind = EVENT_QUEUE_MEMBER;
	else {
		event_quote(q, type);
		return err_set(err, errsz, "unknown eventType \"%s\"", q);
	}

	if (event_need_id(o, "userId", "userId", ev->user_id, err,
	    errsz) == -1)
		return -1;
	if (ev->kind == EVENT_ROUTING_STATUS) {
		if (event_need_string(o, "status", "status", &s, err,
		    errsz) == -1 ||
		    event_set_status(c, s, ev, err, errsz) == -1)
			return -1;
	} else {
		if (event_need_id(o, "queueId", "queueId", ev->queue_id, err,
		    errsz) == -1)
			return -1;
		if ((v = event_member(o, "joined")) == NULL)
			return err_set(err, errsz, "missing joined");
		if (!json_object_is_type(v, json_type_boolean))
			return err_set(err, errsz,
			    "joined is not a boolean");
		ev->joined = json_object_get_boolean(v) ? 1 : 0;
	}
	return event_time(o, "timestamp", "timestamp", &ev->ts_ms, err,
	    errsz);
}

/*
 * "v2.users.<id>.<what>": the kind for <what>, the id into ev->user_id.
 * Ids hold no '.', so the last '.' ends the id.
 */
static int
event_topic(const char *topic, struct event *ev, char *err, size_t errsz)
{
	const char *id, *dot;
	char q[EVENT_QUOTE_BUF];
	size_t idlen;

	event_quote(q, topic);
	if (strncmp(topic, TOPIC_PREFIX, strlen(TOPIC_PREFIX)) != 0 ||
	    (dot = strrchr(topic, '.')) == NULL)
		return err_set(err, errsz, "unknown topicName \"%s\"", q);
	id = topic + strlen(TOPIC_PREFIX);
	if (dot < id)
		return err_set(err, errsz, "unknown topicName \"%s\"", q);
	if (strcmp(dot + 1, TOPIC_STATUS) == 0)
		ev->kind = EVENT_ROUTING_STATUS;
	else if (strcmp(dot + 1, TOPIC_PRESENCE) == 0 ||
	    strcmp(dot + 1, TOPIC_ACTIVITY) == 0)
		ev->kind = EVENT_PRESENCE;	/* activity: see below */
	else
		return err_set(err, errsz, "unknown topicName \"%s\"", q);

	idlen = (size_t)(dot - id);
	if (idlen == 0 || idlen >= EVENT_ID_MAX)
		return err_set(err, errsz, "userId is not a Genesys id");
	memcpy(ev->user_id, id, idlen);
	ev->user_id[idlen] = '\0';
	if (!event_id_valid(ev->user_id)) {
		ev->user_id[0] = '\0';
		return err_set(err, errsz, "userId is not a Genesys id");
	}
	return 0;
}

/*
 * {"topicName", "eventBody"}.  The user is the topic's: that is what a
 * subscription is for.  eventBody.id, when the sender includes it (Genesys
 * does), must name the same user, since a disagreement means the message
 * was built wrongly and either reading could be the mistaken one.
 */
static int
event_notification(const struct conf *c, struct json_object *o,
    struct event *ev, char *err, size_t errsz)
{
	struct json_object *body, *sub;
	const char *topic, *s, *where = "eventBody";
	char name1[64], name2[64];
	int r;

	if (event_need_string(o, "topicName", "topicName", &topic, err,
	    errsz) == -1)
		return -1;
	event_sanitize(ev->type, sizeof(ev->type), topic, sizeof(ev->type) - 1);
	if (event_topic(topic, ev, err, errsz) == -1)
		return -1;

	if (event_need_object(o, "eventBody", "eventBody", &body, err,
	    errsz) == -1)
		return -1;
	if ((r = event_string(body, "id", "eventBody.id", &s, err,
	    errsz)) == -1)
		return -1;
	if (r == 1 && strcmp(s, ev->user_id) != 0)
		return err_set(err, errsz,
		    "eventBody.id does not match the user in topicName");

	/*
	 * v2.users.<id>.activity carries routing status, presence and
	 * active queues in one body.  The presence is the state an agent
	 * (or whoever set it) chose, and the routing status follows from
	 * it, so the presence is what the event implies; a body with only a
	 * routing status is read as one.
	 */
	if (strcmp(strrchr(topic, '.') + 1, TOPIC_ACTIVITY) == 0) {
		if (json_object_object_get_ex(body, "presence", &sub)) {
			if (!json_object_is_type(sub, json_type_object))
				return err_set(err, errsz,
				    "eventBody.presence is not an object");
			body = sub;
			where = "eventBody.presence";
		} else if (json_object_object_get_ex(body, "routingStatus",
		    NULL)) {
			ev->kind = EVENT_ROUTING_STATUS;
		} else {
			return err_set(err, errsz, "eventBody has neither "
			    "presence nor routingStatus");
		}
	}

	if (ev->kind == EVENT_ROUTING_STATUS) {
		if (event_need_object(body, "routingStatus",
		    "eventBody.routingStatus", &sub, err, errsz) == -1 ||
		    event_need_string(sub, "status",
		    "eventBody.routingStatus.status", &s, err, errsz) == -1 ||
		    event_set_status(c, s, ev, err, errsz) == -1)
			return -1;
		return event_time(sub, "startTime",
		    "eventBody.routingStatus.startTime", &ev->ts_ms, err,
		    errsz);
	}

	snprintf(name1, sizeof(name1), "%s.presenceDefinition", where);
	snprintf(name2, sizeof(name2), "%s.presenceDefinition.id", where);
	if (event_need_object(body, "presenceDefinition", name1, &sub, err,
	    errsz) == -1 ||
	    event_need_id(sub, "id", name2, ev->presence_id, err,
	    errsz) == -1)
		return -1;
	/*
	 * The time is eventBody.modifiedDate, when this user's presence
	 * changed; presenceDefinition describes the presence itself, not
	 * this change of it.
	 */
	snprintf(name1, sizeof(name1), "%s.modifiedDate", where);
	return event_time(body, "modifiedDate", name1, &ev->ts_ms, err,
	    errsz);
}

/* ---- parsing ---- */

/*
 * body as one JSON object, by the same check the responder made before
 * it answered 202 (jobject.h), so a stored event is never refused here
 * for its shape.
 */
static int
event_json(const char *body, size_t len, struct json_object **out,
    char *err, size_t errsz)
{
	const char *why;

	if (jobject_parse(body, len, out, &why) != 0)
		return err_set(err, errsz, "%s", why);
	return 0;
}

int
event_parse(const struct conf *c, const char *body, size_t len,
    struct event *ev, char *err, size_t errsz)
{
	struct json_object *root, *msg;
	struct event keep;
	int rc;

	memset(ev, 0, sizeof(*ev));
	if (errsz > 0)
		err[0] = '\0';
	if (event_json(body, len, &root, err, errsz) == -1)
		return -1;

	/*
	 * The shape is told by its key.  A body with both is refused rather
	 * than guessed at: no sender we know writes one, and each reading
	 * could name a different user.  EventBridge wraps a notification in
	 * an envelope whose "detail" is the notification itself.
	 */
	msg = root;
	if (!json_object_object_get_ex(msg, "eventType", NULL) &&
	    !json_object_object_get_ex(msg, "topicName", NULL) &&
	    json_object_object_get_ex(msg, "detail", NULL)) {
		if (event_need_object(root, "detail", "detail", &msg, err,
		    errsz) == -1) {
			rc = -1;
			goto done;
		}
	}
	if (json_object_object_get_ex(msg, "eventType", NULL) &&
	    json_object_object_get_ex(msg, "topicName", NULL))
		rc = err_set(err, errsz, "both eventType and topicName");
	else if (json_object_object_get_ex(msg, "eventType", NULL))
		rc = event_tutorial(c, msg, ev, err, errsz);
	else if (json_object_object_get_ex(msg, "topicName", NULL))
		rc = event_notification(c, msg, ev, err, errsz);
	else
		rc = err_set(err, errsz, "neither eventType nor topicName");

done:
	json_object_put(root);
	if (rc == -1) {
		/* Only the summary survives a failure: nothing half-parsed. */
		keep = *ev;
		memset(ev, 0, sizeof(*ev));
		memcpy(ev->type, keep.type, sizeof(ev->type));
		memcpy(ev->user_id, keep.user_id, sizeof(ev->user_id));
		if (errsz > 0 && err[0] == '\0')
			err_set(err, errsz, "invalid event");
	}
	return rc;
}

/* ---- the event's own time, at intake ---- */

/*
 * Where event_parse() reads the time, found without judging anything
 * else: the responder asks this of every body, and a body that is wrong
 * in other ways is still the worker's to dead-letter, as before.
 */
/* The last component of a topic: "presence" of "v2.users.<id>.presence". */
static const char *
event_topic_kind(const char *topic)
{
	const char *dot = strrchr(topic, '.');

	return dot != NULL ? dot + 1 : "";
}

/* Whether o has an object member key, into *sub. */
static int
event_sub(struct json_object *o, const char *key, struct json_object **sub)
{
	*sub = o != NULL ? event_member(o, key) : NULL;
	return *sub != NULL && json_object_is_type(*sub, json_type_object);
}

int
event_own_time(const char *body, size_t len, const char **field)
{
	struct json_object *root, *msg, *v, *eb, *sub;
	const char *kind;
	int rc = 0;

	*field = "timestamp";
	if (event_json(body, len, &root, NULL, 0) == -1)
		return -1;
	msg = root;
	if (!json_object_object_get_ex(msg, "eventType", NULL) &&
	    !json_object_object_get_ex(msg, "topicName", NULL) &&
	    event_sub(root, "detail", &v))
		msg = v;
	if ((v = event_member(msg, "topicName")) == NULL ||
	    json_object_object_get_ex(msg, "eventType", NULL)) {
		rc = event_member(msg, "timestamp") != NULL;
		goto done;
	}
	kind = json_object_is_type(v, json_type_string) ?
	    event_topic_kind(json_object_get_string(v)) : "";
	if (!event_sub(msg, "eventBody", &eb))
		eb = NULL;
	/* As event_notification() reads each topic. */
	if (strcmp(kind, TOPIC_ACTIVITY) == 0 &&
	    (eb == NULL || !json_object_object_get_ex(eb, "routingStatus",
	    NULL) || json_object_object_get_ex(eb, "presence", NULL))) {
		*field = "eventBody.presence.modifiedDate";
		rc = event_sub(eb, "presence", &sub) &&
		    event_member(sub, "modifiedDate") != NULL;
	} else if (strcmp(kind, TOPIC_PRESENCE) == 0) {
		*field = "eventBody.modifiedDate";
		rc = eb != NULL && event_member(eb, "modifiedDate") != NULL;
	} else {
		*field = "eventBody.routingStatus.startTime";
		rc = event_sub(eb, "routingStatus", &sub) &&
		    event_member(sub, "startTime") != NULL;
	}
done:
	json_object_put(root);
	return rc;
}

/* ---- what to do with it ---- */

int
event_ignored(const struct event *ev, char *why, size_t whysz)
{
	size_t i;

	if (ev->kind != EVENT_ROUTING_STATUS)
		return 0;
	for (i = 0; i < NELEM(event_system_statuses); i++) {
		if (strcmp(ev->status, event_system_statuses[i]) == 0) {
			err_set(why, whysz, "routing status %s is set by "
			    "Genesys Cloud alone, not by a call", ev->status);
			return 1;
		}
	}
	return 0;
}

int
event_call(const struct event *ev, struct event_call *call)
{
	int n, m;

	/*
	 * Every id is checked again here, not only by event_parse(): the
	 * event may have come from elsewhere, and the check is what makes the
	 * plain snprintf below safe (nothing in a valid id needs escaping in
	 * a path or a JSON string).
	 */
	memset(call, 0, sizeof(*call));
	if (!event_id_valid(ev->user_id))
		return -1;
	switch (ev->kind) {
	case EVENT_ROUTING_STATUS:
		if (!event_status_valid(ev->status) ||
		    event_ignored(ev, NULL, 0))
			return -1;
		call->method = "PUT";
		n = snprintf(call->path, sizeof(call->path),
		    "/api/v2/users/%s/routingstatus", ev->user_id);
		m = snprintf(call->body, sizeof(call->body),
		    "{\"status\":\"%s\"}", ev->status);
		break;
	case EVENT_PRESENCE:
		if (!event_id_valid(ev->presence_id))
			return -1;
		call->method = "PATCH";
		n = snprintf(call->path, sizeof(call->path),
		    "/api/v2/users/%s/presences/purecloud", ev->user_id);
		m = snprintf(call->body, sizeof(call->body),
		    "{\"presenceDefinition\":{\"id\":\"%s\"}}",
		    ev->presence_id);
		break;
	case EVENT_QUEUE_MEMBER:
		if (!event_id_valid(ev->queue_id))
			return -1;
		call->method = "PATCH";
		n = snprintf(call->path, sizeof(call->path),
		    "/api/v2/routing/queues/%s/members/%s", ev->queue_id,
		    ev->user_id);
		m = snprintf(call->body, sizeof(call->body),
		    "{\"joined\":%s}", ev->joined ? "true" : "false");
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= sizeof(call->path) ||
	    m < 0 || (size_t)m >= sizeof(call->body)) {
		memset(call, 0, sizeof(*call));
		return -1;
	}
	return 0;
}

int
event_order_key(const struct event *ev, char *buf, size_t bufsz)
{
	int n;

	switch (ev->kind) {
	case EVENT_ROUTING_STATUS:
		n = snprintf(buf, bufsz, "status:%s", ev->user_id);
		break;
	case EVENT_PRESENCE:
		n = snprintf(buf, bufsz, "presence:%s", ev->user_id);
		break;
	case EVENT_QUEUE_MEMBER:
		n = snprintf(buf, bufsz, "queue:%s:%s", ev->queue_id,
		    ev->user_id);
		break;
	default:
		return -1;
	}
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return 0;
}

/* ---- time ---- */

/* n decimal digits at s; stops at a NUL, so never reads past the end. */
static int
event_digits(const char *s, int n, int *v)
{
	int i, r = 0;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		r = r * 10 + (s[i] - '0');
	}
	*v = r;
	return 0;
}

/*
 * Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar
 * (Howard Hinnant's days_from_civil).  Done by hand because timegm() is
 * not POSIX and mktime() would drag in the local time zone.
 */
static long long
event_days_from_civil(int y, int m, int d)
{
	long long yy, era;
	unsigned yoe, doy, doe;

	yy = (long long)y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = (unsigned)(yy - era * 400);			/* [0, 399] */
	doy = (153 * (unsigned)(m > 2 ? m - 3 : m + 9) + 2) / 5 +
	    (unsigned)d - 1;					/* [0, 365] */
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;		/* [0, 146096] */
	return era * 146097 + (long long)doe - 719468;
}

static int
event_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
event_mdays(int y, int m)
{
	static const int mdays[12] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && event_leap(y) ? 29 : mdays[m - 1];
}

/*
 * "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|+HHMM]", 'T' or ' ' between
 * date and time, '.' or ',' before the fraction (of which milliseconds
 * are kept, the rest cut, not rounded).  A time without a zone is taken as
 * UTC: every sender we know writes UTC, and a server's local zone would be
 * a worse guess.  Leap seconds (:60) are refused; no sender produces them.
 */
int
event_parse_time(const char *s, long long *ms)
{
	int y, mo, d, h, mi, sec, frac = 0, oh = 0, om = 0, sign = 0, i;
	long long t;

	if (event_digits(s, 4, &y) == -1 || s[4] != '-' ||
	    event_digits(s + 5, 2, &mo) == -1 || s[7] != '-' ||
	    event_digits(s + 8, 2, &d) == -1 ||
	    (s[10] != 'T' && s[10] != 't' && s[10] != ' ') ||
	    event_digits(s + 11, 2, &h) == -1 || s[13] != ':' ||
	    event_digits(s + 14, 2, &mi) == -1 || s[16] != ':' ||
	    event_digits(s + 17, 2, &sec) == -1)
		return -1;
	s += 19;
	if (mo < 1 || mo > 12 || d < 1 || d > event_mdays(y, mo) ||
	    h > 23 || mi > 59 || sec > 59)
		return -1;

	if (*s == '.' || *s == ',') {
		s++;
		if (*s < '0' || *s > '9')
			return -1;
		for (i = 0; *s >= '0' && *s <= '9'; s++, i++)
			if (i < 3)
				frac = frac * 10 + (*s - '0');
		for (; i < 3; i++)
			frac *= 10;
	}

	if (*s == 'Z' || *s == 'z')
		s++;
	else if (*s == '+' || *s == '-') {
		sign = *s == '+' ? 1 : -1;
		if (event_digits(s + 1, 2, &oh) == -1)
			return -1;
		s += 3;
		if (*s == ':')
			s++;
		if (event_digits(s, 2, &om) == -1)
			return -1;
		s += 2;
		if (oh > 23 || om > 59)
			return -1;
	}
	if (*s != '\0')
		return -1;

	/* Local time minus its offset is UTC. */
	t = event_days_from_civil(y, mo, d) * 86400LL + h * 3600LL +
	    mi * 60LL + sec - sign * (oh * 3600LL + om * 60LL);
	*ms = t * 1000 + frac;
	return 0;
}
