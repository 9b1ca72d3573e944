/*
 * event: what a spooled event asks Genesys Cloud to do.
 *
 * Two shapes are accepted (../shared/GENESYS.md):
 *   the tutorial's flat one
 *	{"eventType":"routing.user.status.update","userId","status","timestamp"}
 *	{"eventType":"routing.queue.member.status.update","queueId","userId",
 *	 "joined":true|false,"timestamp"}
 *   and the notification one
 *	{"topicName":"v2.users.<id>.routingStatus",
 *	 "eventBody":{"routingStatus":{"status","startTime"}}}
 *	{"topicName":"v2.users.<id>.presence",
 *	 "eventBody":{"presenceDefinition":{"id"},"modifiedDate"?}}
 *	{"topicName":"v2.users.<id>.activity",
 *	 "eventBody":{"routingStatus":{...},"presence":{"presenceDefinition":
 *	 {"id","systemPresence"},"modifiedDate"},"activeQueueIds":[...]}}
 *	 (the presence it carries, else its routing status)
 *   each bare or as the "detail" of an EventBridge envelope
 *   {"detail-type","source","detail":{...}}.
 *
 * Availability is presence (presence.h): a status word at its built-in
 * meaning becomes EVENT_PRESENCE with presence_target set, the On Queue
 * presence for the ready words and the closest system presence for the
 * others (presence_default()), and so do Genesys' own IDLE (On Queue) and
 * OFF_QUEUE (Available).  A word the config maps itself, added to
 * routing.status_map or given another target there, keeps
 * EVENT_ROUTING_STATUS: PUT routingstatus, as that user asked.
 *
 * event_parse() maps the sender's status words through the config's
 * routing.status_map, which conf_load() starts from the built-in words
 * below (the one table of them in the tree; routehook.conf(5) and the
 * sample config show it).  Pure: no I/O, nothing logged.
 */
#ifndef ROUTEHOOK_EVENT_H
#define ROUTEHOOK_EVENT_H

#include <stddef.h>

#include "conf.h"

#define EVENT_ID_MAX	65	/* a Genesys id: [A-Za-z0-9-]{1,64} and NUL */

enum event_kind {
	EVENT_NONE = 0,
	EVENT_ROUTING_STATUS,	/* PUT /api/v2/users/{id}/routingstatus */
	EVENT_PRESENCE,		/* PATCH /api/v2/users/{id}/presences/purecloud */
	EVENT_QUEUE_MEMBER	/* PATCH /api/v2/routing/queues/{q}/members/{id} */
};

struct event {
	enum event_kind	 kind;
	char		 type[128];	/* eventType or topicName, for the audit */
	char		 user_id[EVENT_ID_MAX];
	char		 queue_id[EVENT_ID_MAX];
	char		 status[32];	/* mapped Genesys routing status */
	char		 presence_id[EVENT_ID_MAX];
	/*
	 * EVENT_PRESENCE from a status word: the presence to resolve
	 * (presence.h) into presence_id before the call; "" otherwise.
	 */
	char		 presence_target[64];
	int		 joined;
	long long	 ts_ms;		/* the event's own time; 0 when absent */
};

struct event_call {
	const char	*method;	/* "PUT" or "PATCH" */
	char		 path[256];	/* under genesys.api_base */
	char		 body[256];	/* JSON */
};

/* A sender's word and the Genesys routing status it stands for. */
struct event_status_word {
	const char	*from;
	const char	*to;
};

/* The built-in routing.status_map: "available" -> "IDLE", ... */
extern const struct event_status_word	event_default_status_map[];
extern const size_t			event_ndefault_status_map;

/*
 * The Genesys routing status for a sender's word ("available" -> "IDLE"),
 * ignoring case, through c's routing.status_map; Genesys' own values pass
 * through.  NULL when unknown.
 */
const char	*event_map_status(const struct conf *c, const char *word);

/* Nonzero when s is a Genesys routing status (OFF_QUEUE, IDLE, ...). */
int	 event_is_genesys_status(const char *s);

/*
 * Parse body.  On -1, err says why in a sentence fit for an audit line
 * ("unknown status \"lunch\"", "userId is not a Genesys id"), and ev->type
 * and ev->user_id hold whatever could be read, for the audit summary.
 */
int	 event_parse(const struct conf *c, const char *body, size_t len,
	    struct event *ev, char *err, size_t errsz);

/*
 * Whether body carries the event's own time (not JSON null) where
 * event_parse() reads it: 1, or 0 with *field naming the member missing
 * ("timestamp", "eventBody.routingStatus.startTime",
 * "eventBody.modifiedDate", "eventBody.presence.modifiedDate"), or -1
 * when body is not a JSON object.  The
 * time is not judged here: a bad one is event_parse()'s to refuse.
 */
int	 event_own_time(const char *body, size_t len, const char **field);

/*
 * 1 when ev asks for a state no client may set: a routing status Genesys
 * Cloud alone manages (INTERACTING, COMMUNICATING, NOT_RESPONDING), which
 * PUT routingstatus refuses.  Such an event is recorded as ignored, with
 * the sentence left in why, and never called (or dead-lettered); 0 for
 * every other event.
 */
int	 event_ignored(const struct event *ev, char *why, size_t whysz);

/* The API call that applies ev; -1 for an ignored event. */
int	 event_call(const struct event *ev, struct event_call *call);

/*
 * The key under which "newest wins": one per user and kind of state (and
 * queue, for membership), e.g. "status:<user>", "queue:<queue>:<user>".
 */
int	 event_order_key(const struct event *ev, char *buf, size_t bufsz);

/* ISO 8601 ("2026-11-28T22:47:33.123Z", offsets allowed) to epoch ms. */
int	 event_parse_time(const char *s, long long *ms);

/* Nonzero when s is a Genesys id: [A-Za-z0-9-]{1,64}. */
int	 event_id_valid(const char *s);

#endif
