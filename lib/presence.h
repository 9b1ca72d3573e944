/*
 * presence: an org's presence definitions, and which one a status word
 * asks for.
 *
 * Availability in Genesys Cloud is presence, not routing status: an agent
 * is routed interactions while their presence is the On Queue system
 * presence, and leaves the queue by taking any other one (the routing
 * status follows; "users cannot directly change routing statuses").  The
 * definitions come from GET /api/v2/presence/definitions, an
 * OrganizationPresenceDefinitionEntityListing (platform-client-sdk-python
 * 257.1.0, build/docs):
 *
 *	{"entities": [{"id", "name", "type": "System"|"User",
 *	  "languageLabels": {"en_US": "On Queue", ...},
 *	  "systemPresence": "OnQueue", "divisionId", "deactivated"}, ...],
 *	 "total"}
 *
 * Each of the ten system presences (Available, Away, Busy, Offline, Idle,
 * OnQueue, Meal, Training, Meeting, Break) has one definition of type
 * "System"; an org adds secondary ones (type "User") under a system
 * presence, with their own labels and ids.  Ids differ from org to org,
 * so routehook keeps the answer itself as a cache (its age is the file's,
 * see presence_stale) and resolves names against it.
 *
 * A target, the value a word maps to, is one of
 *	a system presence by name: "ON_QUEUE", "On Queue" or "OnQueue"
 *	    (case, spaces and underscores do not matter);
 *	a definition by id;
 *	a definition by label, e.g. an org's secondary "Lunch";
 *	"routingstatus:OFF_QUEUE" or "routingstatus:IDLE": PUT routingstatus
 *	    instead, only where a user asks for it.
 * INTERACTING, COMMUNICATING and NOT_RESPONDING are the system's alone:
 * presence_target() refuses them as targets.
 *
 * Pure: no I/O.  Errors are a return of -1 and a sentence in err.
 */
#ifndef ROUTEHOOK_PRESENCE_H
#define ROUTEHOOK_PRESENCE_H

#include <stddef.h>

#define PRESENCE_ID_MAX		65	/* a Genesys id and NUL */
#define PRESENCE_LABEL_MAX	64
#define PRESENCE_DEFS_MAX	512	/* more in one answer is an error */
#define PRESENCE_MAX_AGE_MS	(3600LL * 1000)	/* refresh after an hour */

struct presence_def {
	char	id[PRESENCE_ID_MAX];
	char	label[PRESENCE_LABEL_MAX];	/* en_US label, else name */
	char	system[16];	/* SDK spelling: "OnQueue", "Available", ... */
	int	primary;	/* type "System": the system presence itself */
	int	deactivated;
};

struct presence_defs {
	struct presence_def	*v;
	size_t			 n;
};

enum presence_kind {
	PRESENCE_TARGET_PRESENCE = 1,	/* PATCH .../presences/purecloud */
	PRESENCE_TARGET_ROUTING		/* PUT .../routingstatus */
};

struct presence_target {
	enum presence_kind	 kind;
	char			 value[PRESENCE_LABEL_MAX];
	/* kind PRESENCE: a name, label or id to resolve; ROUTING: a status */
};

/*
 * Parse a GET /api/v2/presence/definitions answer into d (replacing what
 * it held).  Entries without a valid id or a known systemPresence are
 * refused, not skipped: a cache must be all or nothing.
 */
int	 presence_parse(const char *body, size_t len, struct presence_defs *d,
	    char *err, size_t errsz);
void	 presence_free(struct presence_defs *d);

/* Nonzero when a cache fetched at fetched_ms is too old at now_ms. */
int	 presence_stale(long long fetched_ms, long long now_ms,
	    long long max_age_ms);

/*
 * The SDK's spelling of a system presence named s ("ON_QUEUE", "on queue",
 * "OnQueue" -> "OnQueue"), or NULL when s names none.
 */
const char	*presence_system(const char *s);

/* Check a configured target (see above) and say what kind it is. */
int	 presence_target(const char *value, struct presence_target *t,
	    char *err, size_t errsz);

/*
 * The definition a PRESENCE target names: a system presence resolves to
 * its primary ("System") definition, else an id, else a label (case
 * does not matter).  A deactivated definition never matches.  NULL and a
 * sentence in err when nothing does: the caller refreshes the cache once
 * and then gives up on the event.
 */
const struct presence_def *presence_resolve(const struct presence_defs *d,
	    const char *target, char *err, size_t errsz);

/* The definition with id, deactivated or not; NULL if unknown. */
const struct presence_def *presence_by_id(const struct presence_defs *d,
	    const char *id);

/*
 * The default target for one of the built-in status words (the words
 * `routehookctl simulate` sends), NULL for any other word: On Queue for
 * the words that mean "ready for interactions" (available, idle,
 * on_queue), the closest system presence for the rest (off_queue ->
 * Available: signed in, not taking interactions).
 */
const char	*presence_default(const char *word);

#endif
