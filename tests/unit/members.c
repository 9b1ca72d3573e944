/*
 * members unit test: the bulk membership body, byte for byte, and which
 * members an answer says were applied.  Fails (exit 1, "not ok" lines)
 * when any differs.
 */
#include <string.h>

#include "../../worker/members.h"
#include "tap.h"

#define U1	"6f1c0a8e-1111-4c4c-9d9d-000000000001"
#define U2	"6f1c0a8e-1111-4c4c-9d9d-000000000002"
#define U3	"6f1c0a8e-1111-4c4c-9d9d-000000000003"

static void
answer(const char *body, struct members_item *m, size_t n, int want_rc,
    const char *want_done, const char *name)
{
	char err[256], got[8];
	size_t i;
	int rc;

	err[0] = '\0';
	rc = members_answer(body, strlen(body), m, n, err, sizeof(err));
	for (i = 0; i < n && i < sizeof(got) - 1; i++)
		got[i] = m[i].done ? '1' : '0';
	got[i] = '\0';
	is_int(rc, want_rc, "%s: return (%s)", name, err);
	is_str(got, want_done, "%s: members done", name);
}

int
main(void)
{
	struct members_item m[3] = {
		{ U1, 1, 0 }, { U2, 0, 0 }, { U3, 1, 0 }
	};
	struct members_item many[MEMBERS_MAX + 1];
	struct dynbuf b;
	char err[256];
	size_t i;

	dyn_init(&b, 16 * 1024);
	is_int(members_body(&b, m, 3, err, sizeof(err)), 0, "body for 3");
	is_str(dyn_ptr(&b), "[{\"id\":\"" U1 "\",\"joined\":true},"
	    "{\"id\":\"" U2 "\",\"joined\":false},"
	    "{\"id\":\"" U3 "\",\"joined\":true}]", "body, byte for byte");
	is_int(members_body(&b, m, 0, err, sizeof(err)), -1, "no member");
	for (i = 0; i < MEMBERS_MAX + 1; i++) {
		many[i].user_id = U1;
		many[i].joined = 1;
	}
	is_int(members_body(&b, many, MEMBERS_MAX, err, sizeof(err)), 0,
	    "body for %d", MEMBERS_MAX);
	is_int(members_body(&b, many, MEMBERS_MAX + 1, err, sizeof(err)), -1,
	    "body for %d refused", MEMBERS_MAX + 1);
	is_str(err, "101 members in one call (1 to 100)", "... saying why");
	m[1].user_id = "not/an/id";
	is_int(members_body(&b, m, 3, err, sizeof(err)), -1, "bad id");
	is_str(err, "member 1: not a Genesys id", "... naming the member");
	m[1].user_id = U2;
	dyn_free(&b);

	answer("{\"entities\":[{\"id\":\"" U1 "\",\"joined\":true},"
	    "{\"id\":\"" U2 "\",\"joined\":false},{\"id\":\"" U3 "\","
	    "\"joined\":true}],\"pageSize\":3}", m, 3, 0, "111", "all named");
	answer("{\"entities\":[{\"id\":\"" U3 "\",\"joined\":true,"
	    "\"selfUri\":\"/x\"}]}", m, 3, 0, "001",
	    "a non-member left out");
	answer("{\"entities\":[{\"id\":\"" U1 "\",\"joined\":false}]}", m, 3,
	    0, "000", "named with the other joined value");
	answer("{\"entities\":[]}", m, 3, 0, "000", "none named");
	answer("{\"entities\":[{\"id\":1},\"x\",{\"id\":\"" U2 "\","
	    "\"joined\":\"false\"}]}", m, 3, 0, "000",
	    "entities of the wrong shape");
	answer("", m, 3, -1, "000", "no body");
	answer("[]", m, 3, -1, "000", "not an object");
	answer("{\"entity\":[]}", m, 3, -1, "000", "no entities");
	m[0].done = m[1].done = m[2].done = 1;
	answer("{\"entities\":{}}", m, 3, -1, "000",
	    "entities not a list, done cleared");
	return tap_done();
}
