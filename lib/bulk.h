/*
 * bulk: queue membership changes for one queue as one call.
 *
 * PATCH /api/v2/routing/queues/{queueId}/members takes up to 100
 * {"id": userId, "joined": bool} at once (platform-client-sdk-python
 * 257.1.0: "Join or unjoin a set of up to 100 users for a queue"; it
 * needs routing:queue:edit or routing:queueMember:manage).  "Users can
 * only be joined to queues where they have membership. Non-member
 * user-queue pairs in the request will be disregarded": the answer, a
 * QueueMemberEntityListing, lists the members it took, so a member left
 * out of it was refused, and is tried on its own
 * (PATCH .../members/{memberId}), whose answer says why.
 *
 * The caller keeps one struct bulk per queue, adds the pending changes
 * (each with an owner pointer, e.g. its job), makes the call with
 * bulk_body() once it is full or nothing more is pending, and hands the
 * answer to bulk_answer(), which marks each member taken or not.  A
 * member added twice keeps its last change (the newer event wins).
 *
 * Pure: no I/O.  Errors are a return of -1 and a sentence in err.
 */
#ifndef ROUTEHOOK_BULK_H
#define ROUTEHOOK_BULK_H

#include <stddef.h>

#include "event.h"

#define BULK_MAX	100	/* members in one call */
/* [{"id":"<64>","joined":false},...] for BULK_MAX members, and NUL */
#define BULK_BODY_MAX	(2 + BULK_MAX * (8 + EVENT_ID_MAX + 18) + 1)

struct bulk_member {
	char	 id[EVENT_ID_MAX];
	int	 joined;
	void	*owner;
	int	 taken;		/* after bulk_answer(): 1 if the answer lists it */
};

struct bulk {
	char			 queue[EVENT_ID_MAX];
	struct bulk_member	 m[BULK_MAX];
	size_t			 n;
};

/* An empty batch for queue; -1 when queue is not a Genesys id. */
int	 bulk_init(struct bulk *b, const char *queue, char *err,
	    size_t errsz);

/*
 * Add a change.  1 added, 0 replaced an earlier change of the same member
 * (its owner is returned in *replaced, to be told it lost), -1 full or a
 * bad id.
 */
int	 bulk_add(struct bulk *b, const char *member, int joined, void *owner,
	    void **replaced, char *err, size_t errsz);

/* The call's path, under genesys.api_base; -1 if it does not fit. */
int	 bulk_path(const struct bulk *b, char *buf, size_t bufsz);

/* The JSON array for the call; -1 if empty or it does not fit. */
int	 bulk_body(const struct bulk *b, char *buf, size_t bufsz);

/*
 * Read a 2xx answer: mark each member the answer's "entities" list with
 * the same "joined" as taken.  An answer without entities (a 202 with no
 * body) takes them all: nothing says otherwise.  Returns how many were
 * taken, -1 with err for an answer that is not the listing.
 */
int	 bulk_answer(struct bulk *b, const char *body, size_t len, char *err,
	    size_t errsz);

#endif
