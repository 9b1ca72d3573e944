/*
 * bulk unit test: batching membership changes for one queue, the body
 * sent, and which members an answer shows were taken.  Fails (exit 1,
 * "not ok" lines) when any step differs.
 */
#include <stdio.h>
#include <string.h>

#include "bulk.h"
#include "tap.h"

int
main(void)
{
	struct bulk b;
	char err[256], body[BULK_BODY_MAX], path[256], id[72];
	int owners[BULK_MAX + 1], i;
	void *replaced;
	const char *answer;

	ok(bulk_init(&b, "q/1", err, sizeof(err)) == -1,
	    "a queue id that is not a Genesys id is refused: %s", err);
	ok(bulk_init(&b, "q-1", err, sizeof(err)) == 0, "init for q-1");
	ok(bulk_body(&b, body, sizeof(body)) == -1, "an empty batch has no body");
	is_int(bulk_add(&b, "agent-1", 1, &owners[0], &replaced, err,
	    sizeof(err)), 1, "agent-1 joins");
	is_int(bulk_add(&b, "agent-2", 0, &owners[1], &replaced, err,
	    sizeof(err)), 1, "agent-2 leaves");
	is_int(bulk_add(&b, "agent-1", 0, &owners[2], &replaced, err,
	    sizeof(err)), 0, "agent-1 again: replaces the earlier change");
	ok(replaced == &owners[0], "... and gives back the loser's owner");
	is_int(bulk_add(&b, "bad id", 1, &owners[3], &replaced, err,
	    sizeof(err)), -1, "a member id that is not a Genesys id: refused");
	ok(bulk_path(&b, path, sizeof(path)) == 0 &&
	    strcmp(path, "/api/v2/routing/queues/q-1/members") == 0,
	    "the path is the queue's members");
	ok(bulk_body(&b, body, sizeof(body)) == 0, "the body fits");
	is_str(body, "[{\"id\":\"agent-1\",\"joined\":false},"
	    "{\"id\":\"agent-2\",\"joined\":false}]",
	    "the body lists each member once, with its last change");

	answer = "{\"entities\":[{\"id\":\"agent-2\",\"joined\":false}],"
	    "\"pageSize\":1}";
	is_int(bulk_answer(&b, answer, strlen(answer), err, sizeof(err)), 1,
	    "an answer listing agent-2 only: one taken");
	ok(!b.m[0].taken && b.m[1].taken,
	    "agent-1, left out (not a member), is not taken: it goes alone");
	answer = "{\"entities\":[{\"id\":\"agent-1\",\"joined\":true},"
	    "{\"id\":\"agent-2\"}]}";
	is_int(bulk_answer(&b, answer, strlen(answer), err, sizeof(err)), 1,
	    "a member listed with the other change is not taken");
	ok(!b.m[0].taken && b.m[1].taken, "... a member listed without joined is");
	is_int(bulk_answer(&b, "", 0, err, sizeof(err)), 2,
	    "an answer without a body (202) takes them all");
	answer = "{\"selfUri\":\"/x\"}";
	is_int(bulk_answer(&b, answer, strlen(answer), err, sizeof(err)), 2,
	    "an answer without entities takes them all");
	answer = "{\"entities\":{}}";
	ok(bulk_answer(&b, answer, strlen(answer), err, sizeof(err)) == -1,
	    "entities not an array: refused (%s)", err);
	answer = "[1]";
	ok(bulk_answer(&b, answer, strlen(answer), err, sizeof(err)) == -1,
	    "not an object: refused (%s)", err);

	/* Full: 100 members, the 101st refused; the longest body fits. */
	ok(bulk_init(&b, "q-2", err, sizeof(err)) == 0, "init for q-2");
	for (i = 0; i < BULK_MAX; i++) {
		snprintf(id, sizeof(id), "%032d%032d", i, i);
		if (bulk_add(&b, id, i % 2, &owners[i], &replaced, err,
		    sizeof(err)) != 1)
			break;
	}
	is_int(i, BULK_MAX, "100 members of 64-character ids fit");
	is_int(bulk_add(&b, "agent-x", 1, &owners[BULK_MAX], &replaced, err,
	    sizeof(err)), -1, "the 101st is refused: %s", err);
	ok(bulk_body(&b, body, sizeof(body)) == 0 && body[0] == '[' &&
	    body[strlen(body) - 1] == ']', "the longest body fits BULK_BODY_MAX");
	return tap_done();
}
