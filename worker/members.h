/*
 * members: queue membership in bulk, the body of
 *
 *	PATCH /api/v2/routing/queues/{queueId}/members
 *	[{"id": userId, "joined": true|false}, ...]	(1 to MEMBERS_MAX)
 *
 * and what its answer, a QueueMemberEntityListing ({"entities": [{"id",
 * "joined", ...}], ...}; platform-client-sdk patchRoutingQueueMembers),
 * says was applied.  Genesys disregards a user who is not a member of the
 * queue and leaves them out of the answer, so a member the answer does
 * not name is one the engine sends again on its own, where the single
 * call's status says why (../shared/GENESYS.md).
 *
 * Pure: no I/O.  Errors are a return of -1 and a sentence in err.
 */
#ifndef ROUTEHOOK_MEMBERS_H
#define ROUTEHOOK_MEMBERS_H

#include <stddef.h>

#include "dynbuf.h"

#define MEMBERS_MAX	100	/* members in one call, the API's limit */

struct members_item {
	const char	*user_id;	/* a Genesys id (event_id_valid()) */
	int		 joined;
	int		 done;		/* members_answer(): applied */
};

/* The request body for the n items (1 to MEMBERS_MAX), into b. */
int	 members_body(struct dynbuf *b, const struct members_item *m,
	    size_t n, char *err, size_t errsz);

/*
 * Set done on each item the answer names with the same joined value, and
 * clear it on the others.  -1 when body is not an entity listing: then
 * no item is done.
 */
int	 members_answer(const char *body, size_t len, struct members_item *m,
	    size_t n, char *err, size_t errsz);

#endif
