/*
 * event unit test: both event shapes and the EventBridge envelope, each
 * status word of the default map, malformed bodies with the sentence each
 * must give, the API call and order key of each kind, and ISO 8601 times
 * (a table, then every day from 1600 to 2400 against gmtime_r).  The
 * defaults come from conf_load() itself, and the built-in map is checked
 * word for word against the one the sample etc/routehook.conf documents
 * (run from the top of the tree; make does), so a change to either alone
 * fails here.
 * Fails with "not ok" lines and exit 1.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "tap.h"

#define U	"0b8e7a4c-1d2f-4e3a-9b8c-7d6e5f4a3b2c"
#define U2	"9c1d2e3f-4a5b-6c7d-8e9f-0a1b2c3d4e5f"
#define Q	"5f0c2d9e-8a7b-4c6d-9e1f-2a3b4c5d6e7f"
#define P	"6a3af858-942f-489d-9700-5f9bcdcdae9b"
#define ID64	"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
#define ID65	ID64 "b"
#define TS	"2026-11-28T22:47:33.123Z"
#define TS_MS	1795906053123LL

#define T_STATUS	"routing.user.status.update"
#define T_QUEUE		"routing.queue.member.status.update"
#define TOPIC_ST	"v2.users." U ".routingStatus"
#define TOPIC_PR	"v2.users." U ".presence"
#define TOPIC_AC	"v2.users." U ".activity"

#define NITEMS(a)	(sizeof(a) / sizeof((a)[0]))

/*
 * The built-in words are event.c's table; what it must say is written in
 * the sample config and routehook.conf(5), which test_documented_map()
 * reads.
 */
#define default_map	event_default_status_map
#define NDEFAULT	event_ndefault_status_map
#define SAMPLE		"etc/routehook.conf"

static struct conf defconf, custom;

/* The index of word in c's map, or -1. */
static int
map_index(const struct conf *c, const char *word)
{
	size_t i;

	for (i = 0; i < c->routing.nstatus_map; i++)
		if (strcmp(c->routing.status_map[i].from, word) == 0)
			return (int)i;
	return -1;
}

static void
conf_init(void)
{
	/* A config that sets nothing but spool_dir: every default stands. */
	static const char text[] = "spool_dir = \"/nonexistent\";\n";
	char path[] = "/tmp/routehook-event-t.XXXXXX", err[1024];
	size_t i;
	int fd, idle;

	if ((fd = mkstemp(path)) == -1 ||
	    write(fd, text, strlen(text)) != (ssize_t)strlen(text) ||
	    close(fd) == -1) {
		perror(path);
		exit(1);
	}
	i = conf_load(&defconf, path, err, sizeof(err)) == -1;
	(void)unlink(path);
	if (i) {
		fprintf(stderr, "%s\n", err);
		exit(1);
	}

	/* The defaults plus a file's entries, one remapping a default. */
	custom = defconf;
	i = custom.routing.nstatus_map;
	if (i + 3 > CONF_MAX_STATUS_MAP || (idle = map_index(&custom, "idle")) < 0) {
		fprintf(stderr, "unexpected default map\n");
		exit(1);
	}
	custom.routing.status_map[i].from = "lunch";
	custom.routing.status_map[i++].to = "OFF_QUEUE";
	custom.routing.status_map[i].from = "wrapup";
	custom.routing.status_map[i++].to = "INTERACTING";
	/* A file's "idle" replaces the default's entry, as conf_load() does. */
	custom.routing.status_map[idle].to = "OFF_QUEUE";
	custom.routing.status_map[i].from = "broken";	/* conf would refuse */
	custom.routing.status_map[i++].to = "idle\"}";
	custom.routing.nstatus_map = i;
}

/* ---- bodies that parse ---- */

static const struct good {
	const char		*name;
	int			 custom;	/* use the custom map */
	const char		*body;
	enum event_kind		 kind;
	const char		*type, *user, *queue, *status, *presence;
	int			 joined;
	long long		 ts;
} good[] = {
	{ "tutorial status", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"available\",\"timestamp\":\"" TS "\"}",
	  EVENT_PRESENCE, T_STATUS, U, "", "IDLE", "", 0, TS_MS },
	{ "tutorial status, no timestamp", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"busy\"}",
	  EVENT_PRESENCE, T_STATUS, U, "", "OFF_QUEUE", "", 0, 0 },
	{ "tutorial status, null timestamp", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"busy\",\"timestamp\":null}",
	  EVENT_PRESENCE, T_STATUS, U, "", "OFF_QUEUE", "", 0, 0 },
	{ "tutorial status, epoch ms timestamp", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"away\",\"timestamp\":1795906053123}",
	  EVENT_PRESENCE, T_STATUS, U, "", "OFF_QUEUE", "", 0, TS_MS },
	{ "tutorial status, offset timestamp", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"away\",\"timestamp\":\"2026-11-29T00:47:33.123+02:00\"}",
	  EVENT_PRESENCE, T_STATUS, U, "", "OFF_QUEUE", "", 0, TS_MS },
	{ "status word in another case", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"AvAiLaBlE\"}",
	  EVENT_PRESENCE, T_STATUS, U, "", "IDLE", "", 0, 0 },
	{ "Genesys value passes through", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"INTERACTING\"}",
	  EVENT_ROUTING_STATUS, T_STATUS, U, "", "INTERACTING", "", 0, 0 },
	{ "custom map entry", 1,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"Lunch\"}",
	  EVENT_ROUTING_STATUS, T_STATUS, U, "", "OFF_QUEUE", "", 0, 0 },
	{ "custom map to a Genesys value", 1,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"wrapup\"}",
	  EVENT_ROUTING_STATUS, T_STATUS, U, "", "INTERACTING", "", 0, 0 },
	{ "custom map remaps a default", 1,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\"}",
	  EVENT_ROUTING_STATUS, T_STATUS, U, "", "OFF_QUEUE", "", 0, 0 },
	{ "64-character userId", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" ID64 "\","
	  "\"status\":\"idle\"}",
	  EVENT_PRESENCE, T_STATUS, ID64, "", "IDLE", "", 0, 0 },
	{ "extra fields are ignored", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"reason\":{\"a\":[1,2,{\"b\":null}]},"
	  "\"n\":1.5}",
	  EVENT_PRESENCE, T_STATUS, U, "", "IDLE", "", 0, 0 },
	{ "whitespace around the object", 0,
	  " \r\n\t{ \"eventType\" : \"" T_STATUS "\" , \"userId\" : \"" U "\" ,"
	  " \"status\" : \"idle\" }\r\n \t",
	  EVENT_PRESENCE, T_STATUS, U, "", "IDLE", "", 0, 0 },
	{ "nested 14 deep in an ignored field", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"x\":[[[[[[[[[[[[[[1]]]]]]]]]]]]]]}",
	  EVENT_PRESENCE, T_STATUS, U, "", "IDLE", "", 0, 0 },
	{ "tutorial queue member joined", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"" Q "\","
	  "\"userId\":\"" U "\",\"joined\":true,\"timestamp\":\"" TS "\"}",
	  EVENT_QUEUE_MEMBER, T_QUEUE, U, Q, "", "", 1, TS_MS },
	{ "tutorial queue member left", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"" Q "\","
	  "\"userId\":\"" U "\",\"joined\":false}",
	  EVENT_QUEUE_MEMBER, T_QUEUE, U, Q, "", "", 0, 0 },
	{ "notification routingStatus", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"version\":\"2\","
	  "\"eventBody\":{\"id\":\"" U "\",\"routingStatus\":{\"status\":"
	  "\"IDLE\",\"startTime\":\"" TS "\"}},"
	  "\"metadata\":{\"CorrelationId\":\"c0ffee\"}}",
	  EVENT_PRESENCE, TOPIC_ST, U, "", "IDLE", "", 0, TS_MS },
	{ "notification routingStatus, no eventBody.id or time", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"NOT_RESPONDING\"}}}",
	  EVENT_ROUTING_STATUS, TOPIC_ST, U, "", "NOT_RESPONDING", "", 0, 0 },
	{ "notification routingStatus COMMUNICATING", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"COMMUNICATING\"}}}",
	  EVENT_ROUTING_STATUS, TOPIC_ST, U, "", "COMMUNICATING", "", 0, 0 },
	{ "notification routingStatus mapped word", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"offline\"}}}",
	  EVENT_PRESENCE, TOPIC_ST, U, "", "OFF_QUEUE", "", 0, 0 },
	{ "notification presence", 0,
	  "{\"topicName\":\"" TOPIC_PR "\",\"version\":\"2\","
	  "\"eventBody\":{\"id\":\"" U "\",\"source\":\"PURECLOUD\","
	  "\"presenceDefinition\":{\"id\":\"" P "\",\"systemPresence\":"
	  "\"Available\"},\"message\":\"\",\"modifiedDate\":\"" TS "\"}}",
	  EVENT_PRESENCE, TOPIC_PR, U, "", "", P, 0, TS_MS },
	{ "notification presence, no time", 0,
	  "{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":"
	  "{\"presenceDefinition\":{\"id\":\"" P "\"}}}",
	  EVENT_PRESENCE, TOPIC_PR, U, "", "", P, 0, 0 },
	{ "EventBridge envelope, routingStatus", 0,
	  "{\"version\":\"0\",\"id\":\"7f3b-11\",\"detail-type\":"
	  "\"v2.users.{id}.routingStatus\",\"source\":"
	  "\"aws.partner/genesys.com/cloud/x/y\",\"account\":\"123456789012\","
	  "\"time\":\"2026-11-28T22:47:34Z\",\"region\":\"us-east-1\","
	  "\"resources\":[],\"detail\":{\"topicName\":\"" TOPIC_ST "\","
	  "\"version\":\"2\",\"eventBody\":{\"id\":\"" U "\",\"routingStatus\":"
	  "{\"status\":\"OFF_QUEUE\",\"startTime\":\"" TS "\"}}}}",
	  EVENT_PRESENCE, TOPIC_ST, U, "", "OFF_QUEUE", "", 0, TS_MS },
	{ "EventBridge envelope, presence", 0,
	  "{\"version\":\"0\",\"detail-type\":\"v2.users.{id}.presence\","
	  "\"detail\":{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":"
	  "{\"id\":\"" U "\",\"presenceDefinition\":{\"id\":\"" P "\"},"
	  "\"modifiedDate\":\"2026-11-28T22:47:33Z\"}}}",
	  EVENT_PRESENCE, TOPIC_PR, U, "", "", P, 0, TS_MS - 123 },
	{ "activity: the presence it carries", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"version\":\"2\",\"eventBody\":"
	  "{\"id\":\"" U "\",\"routingStatus\":{\"status\":\"IDLE\","
	  "\"startTime\":\"2026-11-28T22:40:00Z\"},\"presence\":"
	  "{\"presenceDefinition\":{\"id\":\"" P "\",\"systemPresence\":"
	  "\"OnQueue\"},\"presenceMessage\":\"\",\"modifiedDate\":\"" TS "\"},"
	  "\"outOfOffice\":{\"active\":false},\"activeQueueIds\":[\"q-1\"]}}",
	  EVENT_PRESENCE, TOPIC_AC, U, "", "", P, 0, TS_MS },
	{ "activity without a presence: its routing status", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"OFF_QUEUE\",\"startTime\":\"" TS "\"}}}",
	  EVENT_PRESENCE, TOPIC_AC, U, "", "OFF_QUEUE", "", 0, TS_MS },
	{ "EventBridge envelope, activity", 0,
	  "{\"version\":\"0\",\"detail-type\":\"v2.users.{id}.activity\","
	  "\"source\":\"aws.partner/genesys.com/cloud/x/y\",\"detail\":"
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"id\":\"" U "\","
	  "\"presence\":{\"presenceDefinition\":{\"id\":\"" P "\"}}}}}",
	  EVENT_PRESENCE, TOPIC_AC, U, "", "", P, 0, 0 },
};

static void
test_good(void)
{
	struct event ev;
	const char *field;
	char err[256];
	size_t i;

	for (i = 0; i < NITEMS(good); i++) {
		const struct good *g = &good[i];
		int r;

		memset(&ev, 0x5a, sizeof(ev));	/* no stale field survives */
		err[0] = '\0';
		r = event_parse(g->custom ? &custom : &defconf, g->body,
		    strlen(g->body), &ev, err, sizeof(err));
		if (!ok(r == 0, "%s: parses", g->name)) {
			printf("#   error: %s\n", err);
			continue;
		}
		is_int(ev.kind, g->kind, "%s: kind", g->name);
		is_str(ev.type, g->type, "%s: type", g->name);
		is_str(ev.user_id, g->user, "%s: user", g->name);
		is_str(ev.queue_id, g->queue, "%s: queue", g->name);
		is_str(ev.status, g->status, "%s: status", g->name);
		is_str(ev.presence_id, g->presence, "%s: presence", g->name);
		is_int(ev.joined, g->joined, "%s: joined", g->name);
		is_int(ev.ts_ms, g->ts, "%s: ts_ms", g->name);
		/* The responder's intake check agrees with the parse. */
		is_int(event_own_time(g->body, strlen(g->body), &field),
		    g->ts != 0, "%s: event_own_time says %s", g->name,
		    g->ts != 0 ? "it has its time" : "it has none");
	}
}

/* Which field a body without its time is told to add. */
static void
test_own_time_field(void)
{
	static const struct {
		const char	*body, *field;
		int		 rc;
	} t[] = {
		{ "{\"eventType\":\"x\"}", "timestamp", 0 },
		{ "{\"eventType\":\"x\",\"timestamp\":\"bad\"}", "timestamp",
		  1 },	/* present: judging it is event_parse()'s job */
		{ "{\"userId\":\"u\",\"timestamp\":1}", "timestamp", 1 },
		{ "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":"
		  "{\"routingStatus\":{\"status\":\"IDLE\"}}}",
		  "eventBody.routingStatus.startTime", 0 },
		{ "{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":"
		  "{\"modifiedDate\":null}}", "eventBody.modifiedDate", 0 },
		{ "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":"
		  "{\"presence\":{},\"routingStatus\":{\"startTime\":1}}}",
		  "eventBody.presence.modifiedDate", 0 },
		{ "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":"
		  "{\"routingStatus\":{}}}", "eventBody.routingStatus.startTime",
		  0 },
		{ "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{}}",
		  "eventBody.presence.modifiedDate", 0 },
		{ "{\"detail\":{\"topicName\":\"" TOPIC_PR "\"}}",
		  "eventBody.modifiedDate", 0 },
		{ "[1]", "timestamp", -1 },
		{ "{", "timestamp", -1 },
	};
	const char *field;
	size_t i;

	for (i = 0; i < NITEMS(t); i++) {
		field = NULL;
		is_int(event_own_time(t[i].body, strlen(t[i].body), &field),
		    t[i].rc, "own time of %s", t[i].body);
		is_str(field, t[i].field, "... names %s", t[i].field);
	}
}

/* Every word of the default map, as written and in capitals. */
static void
test_default_map(void)
{
	struct event ev;
	char body[512], upper[64], err[256];
	size_t i, j;
	int n;

	is_int(defconf.routing.nstatus_map, NDEFAULT,
	    "conf_load's default map has exactly the promised words");

	for (i = 0; i < NDEFAULT; i++) {
		for (j = 0; default_map[i].from[j] != '\0'; j++)
			upper[j] = (char)(default_map[i].from[j] -
			    (default_map[i].from[j] >= 'a' &&
			    default_map[i].from[j] <= 'z' ? 32 : 0));
		upper[j] = '\0';
		n = snprintf(body, sizeof(body), "{\"eventType\":\"" T_STATUS
		    "\",\"userId\":\"" U "\",\"status\":\"%s\"}",
		    default_map[i].from);
		ok(event_parse(&defconf, body, (size_t)n, &ev, err,
		    sizeof(err)) == 0 && strcmp(ev.status,
		    default_map[i].to) == 0, "\"%s\" -> %s (got %s)",
		    default_map[i].from, default_map[i].to, ev.status);
		n = snprintf(body, sizeof(body), "{\"topicName\":\"" TOPIC_ST
		    "\",\"eventBody\":{\"routingStatus\":{\"status\":\"%s\"}}}",
		    upper);
		ok(event_parse(&defconf, body, (size_t)n, &ev, err,
		    sizeof(err)) == 0 && strcmp(ev.status,
		    default_map[i].to) == 0,
		    "notification \"%s\" -> %s (got %s)", upper,
		    default_map[i].to, ev.status);
	}
}

/*
 * The sample's status_map block, "\t\t#word = \"STATUS\";" lines, is the
 * built-in table: the same words, the same values, the same order.
 */
static void
test_documented_map(void)
{
	char *line = NULL, from[64], to[64];
	size_t cap = 0, i = 0;
	int inside = 0, same = 1;
	FILE *fp;

	if ((fp = fopen(SAMPLE, "r")) == NULL) {
		ok(0, "documented map: %s: cannot open (run from the top of "
		    "the tree)", SAMPLE);
		return;
	}
	while (getline(&line, &cap, fp) != -1) {
		if (strstr(line, "status_map = {") != NULL) {
			inside = 1;
			continue;
		}
		if (!inside)
			continue;
		if (strstr(line, "};") != NULL)
			break;
		if (sscanf(line, " #%63[a-z_] = \"%63[A-Z_]\";", from,
		    to) != 2)
			continue;
		if (i >= NDEFAULT || strcmp(from, default_map[i].from) != 0 ||
		    strcmp(to, default_map[i].to) != 0) {
			printf("# documented %s = %s, built-in #%zu differs\n",
			    from, to, i);
			same = 0;
		}
		i++;
	}
	free(line);
	fclose(fp);
	ok(same && i == NDEFAULT, "the sample documents the built-in map "
	    "word for word (%zu words documented, %zu built in)", i, NDEFAULT);
}

/* ---- bodies that do not ---- */

static const struct bad {
	const char	*name;
	int		 custom;
	const char	*body;
	const char	*err;
	const char	*type, *user;	/* the summary that must survive */
} bad[] = {
	{ "not JSON", 0, "hello", "body is not a JSON object",
	  "", "" },
	{ "empty body", 0, "", "empty body", "", "" },
	{ "only whitespace", 0, " \r\n\t", "empty body", "", "" },
	{ "cut short", 0, "{\"eventType\":\"" T_STATUS "\",\"userId\":",
	  "body is not JSON: it ends too soon", "", "" },
	{ "cut short in a string", 0, "{\"eventType\":\"routing.",
	  "body is not JSON: it ends too soon", "", "" },
	{ "cut short in a literal", 0, "{\"a\":tru",
	  "body is not JSON: it ends too soon", "", "" },
	{ "JSON true", 0, "true", "body is not a JSON object", "", "" },
	{ "JSON array", 0, "[{\"eventType\":\"" T_STATUS "\"}]",
	  "body is not a JSON object", "", "" },
	{ "JSON string", 0, "\"idle\"", "body is not a JSON object", "", "" },
	{ "JSON number", 0, "42 ", "body is not a JSON object", "", "" },
	{ "JSON number at the very end", 0, "42", "body is not a JSON object",
	  "", "" },
	{ "JSON null", 0, "null", "body is not a JSON object", "", "" },
	{ "trailing garbage", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\"} x", "trailing data after the JSON object",
	  "", "" },
	{ "two objects", 0, "{\"a\":1}{\"b\":2}",
	  "trailing data after the JSON object", "", "" },
	{ "trailing comma", 0, "{\"eventType\":\"" T_STATUS "\",}",
	  "body is not JSON: unexpected character", "", "" },
	{ "invalid UTF-8", 0, "{\"eventType\":\"\xff\xfe\"}",
	  "body is not UTF-8", "", "" },
	{ "no shape", 0, "{\"userId\":\"" U "\",\"status\":\"idle\"}",
	  "neither eventType nor topicName", "", "" },
	{ "both shapes", 0, "{\"eventType\":\"" T_STATUS "\",\"topicName\":\""
	  TOPIC_ST "\"}", "both eventType and topicName", "", "" },
	{ "eventType not a string", 0, "{\"eventType\":7}",
	  "eventType is not a string", "", "" },
	{ "unknown eventType", 0,
	  "{\"eventType\":\"x\",\"userId\":\"" U "\"}",
	  "unknown eventType \"x\"", "x", U },
	{ "unknown eventType, long and hostile", 0,
	  "{\"eventType\":\"routing.user.status.update\\n\\u0000\\u00e9"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"}",
	  "eventType contains a NUL character", "", "" },
	{ "unknown eventType, long", 0,
	  "{\"eventType\":\"routing.user.status.update\\n\\u00e9"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\","
	  "\"userId\":\"../etc\"}",
	  "unknown eventType \"routing.user.status.update???"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...\"",
	  "routing.user.status.update???"	/* cut to 127 bytes */
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"
	  "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
	  "" },
	{ "missing userId", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"status\":\"idle\"}",
	  "missing userId", T_STATUS, "" },
	{ "null userId", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":null,"
	  "\"status\":\"idle\"}", "missing userId", T_STATUS, "" },
	{ "userId not a string", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":12345,"
	  "\"status\":\"idle\"}", "userId is not a string", T_STATUS, "" },
	{ "userId with '/'", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"abc/def\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "userId \"../\"", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"../../oauth/token\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "userId with an escaped '/'", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"..\\/x\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "userId of 65 characters", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" ID65 "\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "empty userId", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "userId with a NUL", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"abc\\u0000/../x\","
	  "\"status\":\"idle\"}", "userId contains a NUL character",
	  T_STATUS, "" },
	{ "userId with a space", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"a b\","
	  "\"status\":\"idle\"}", "userId is not a Genesys id", T_STATUS, "" },
	{ "missing status", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\"}",
	  "missing status", T_STATUS, U },
	{ "non-string status", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":1}", "status is not a string", T_STATUS, U },
	{ "status an object", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":{\"s\":\"idle\"}}", "status is not a string", T_STATUS, U },
	{ "unknown status", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"lunch\"}", "unknown status \"lunch\"", T_STATUS, U },
	{ "Genesys value in the wrong case", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"interacting\"}", "unknown status \"interacting\"",
	  T_STATUS, U },
	{ "unknown status with control characters", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"lu\\\"n\\nch\\u00e9\"}",
	  "unknown status \"lu\"n?ch??\"", T_STATUS, U },
	{ "unknown status, long", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"" ID65 ID65 "\"}",
	  "unknown status \"" ID64 "...\"", T_STATUS, U },
	{ "status mapped to garbage", 1,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"broken\"}",
	  "status \"broken\" maps to an invalid routing status", T_STATUS, U },
	{ "missing queueId", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"userId\":\"" U "\","
	  "\"joined\":true}", "missing queueId", T_QUEUE, U },
	{ "queueId with '/'", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"q/../x\","
	  "\"userId\":\"" U "\",\"joined\":true}", "queueId is not a Genesys id",
	  T_QUEUE, U },
	{ "joined not a boolean", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"" Q "\","
	  "\"userId\":\"" U "\",\"joined\":\"true\"}", "joined is not a boolean",
	  T_QUEUE, U },
	{ "joined a number", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"" Q "\","
	  "\"userId\":\"" U "\",\"joined\":1}", "joined is not a boolean",
	  T_QUEUE, U },
	{ "missing joined", 0,
	  "{\"eventType\":\"" T_QUEUE "\",\"queueId\":\"" Q "\","
	  "\"userId\":\"" U "\"}", "missing joined", T_QUEUE, U },
	{ "bad timestamp", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":\"yesterday\"}",
	  "timestamp is not ISO 8601", T_STATUS, U },
	{ "timestamp in month 13", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":\"2026-13-01T00:00:00Z\"}",
	  "timestamp is not ISO 8601", T_STATUS, U },
	{ "timestamp a boolean", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":true}",
	  "timestamp is not ISO 8601", T_STATUS, U },
	{ "timestamp a fraction", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":1795906053.123}",
	  "timestamp is not ISO 8601", T_STATUS, U },
	{ "timestamp with a NUL", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":\"" TS "\\u0000x\"}",
	  "timestamp is not ISO 8601", T_STATUS, U },
	{ "timestamp negative", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":-1}",
	  "timestamp is out of range", T_STATUS, U },
	{ "timestamp zero", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":0}",
	  "timestamp is out of range", T_STATUS, U },
	{ "timestamp too large", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":99999999999999999999}",
	  "timestamp is out of range", T_STATUS, U },
	{ "timestamp before 1970", 0,
	  "{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
	  "\"status\":\"idle\",\"timestamp\":\"1969-12-31T23:59:59Z\"}",
	  "timestamp is out of range", T_STATUS, U },
	{ "unknown topicName", 0,
	  "{\"topicName\":\"v2.users." U ".geolocation\",\"eventBody\":{}}",
	  "unknown topicName \"v2.users." U ".geolocation\"",
	  "v2.users." U ".geolocation", "" },
	{ "queue topic is not ours", 0,
	  "{\"topicName\":\"v2.routing.queues." Q ".users\",\"eventBody\":{}}",
	  "unknown topicName \"v2.routing.queues." Q ".users\"",
	  "v2.routing.queues." Q ".users", "" },
	{ "topic without an id", 0,
	  "{\"topicName\":\"v2.users.routingStatus\",\"eventBody\":{}}",
	  "unknown topicName \"v2.users.routingStatus\"",
	  "v2.users.routingStatus", "" },
	{ "topic with an empty id", 0,
	  "{\"topicName\":\"v2.users..routingStatus\",\"eventBody\":{}}",
	  "userId is not a Genesys id", "v2.users..routingStatus", "" },
	{ "topic with a bad id", 0,
	  "{\"topicName\":\"v2.users.a/b.presence\",\"eventBody\":{}}",
	  "userId is not a Genesys id", "v2.users.a/b.presence", "" },
	{ "topic with a dotted id", 0,
	  "{\"topicName\":\"v2.users.a.b.presence\",\"eventBody\":{}}",
	  "userId is not a Genesys id", "v2.users.a.b.presence", "" },
	{ "topic with a 65-char id", 0,
	  "{\"topicName\":\"v2.users." ID65 ".presence\",\"eventBody\":{}}",
	  "userId is not a Genesys id", "v2.users." ID65 ".presence", "" },
	{ "topicName not a string", 0, "{\"topicName\":[]}",
	  "topicName is not a string", "", "" },
	{ "topic/body id mismatch", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"id\":\"" U2 "\","
	  "\"routingStatus\":{\"status\":\"IDLE\"}}}",
	  "eventBody.id does not match the user in topicName", TOPIC_ST, U },
	{ "eventBody.id not a string", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"id\":5,"
	  "\"routingStatus\":{\"status\":\"IDLE\"}}}",
	  "eventBody.id is not a string", TOPIC_ST, U },
	{ "missing eventBody", 0, "{\"topicName\":\"" TOPIC_ST "\"}",
	  "missing eventBody", TOPIC_ST, U },
	{ "eventBody not an object", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":\"IDLE\"}",
	  "eventBody is not an object", TOPIC_ST, U },
	{ "missing routingStatus", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"status\":\"IDLE\"}}",
	  "missing eventBody.routingStatus", TOPIC_ST, U },
	{ "notification status not a string", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":true}}}", "eventBody.routingStatus.status is not a "
	  "string", TOPIC_ST, U },
	{ "notification unknown status", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"lunch\"}}}", "unknown status \"lunch\"", TOPIC_ST, U },
	{ "notification bad startTime", 0,
	  "{\"topicName\":\"" TOPIC_ST "\",\"eventBody\":{\"routingStatus\":"
	  "{\"status\":\"IDLE\",\"startTime\":\"2026-11-28T25:00:00Z\"}}}",
	  "eventBody.routingStatus.startTime is not ISO 8601", TOPIC_ST, U },
	{ "missing presenceDefinition", 0,
	  "{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":{\"id\":\"" U "\"}}",
	  "missing eventBody.presenceDefinition", TOPIC_PR, U },
	{ "presence id not a Genesys id", 0,
	  "{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":{\"presenceDefinition\":"
	  "{\"id\":\"../../x\"}}}",
	  "eventBody.presenceDefinition.id is not a Genesys id", TOPIC_PR, U },
	{ "presence bad modifiedDate", 0,
	  "{\"topicName\":\"" TOPIC_PR "\",\"eventBody\":{\"presenceDefinition\":"
	  "{\"id\":\"" P "\"},\"modifiedDate\":\"2026-02-30T00:00:00Z\"}}",
	  "eventBody.modifiedDate is not ISO 8601", TOPIC_PR, U },
	{ "activity with neither presence nor routingStatus", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"activeQueueIds\":[]}}",
	  "eventBody has neither presence nor routingStatus", TOPIC_AC, U },
	{ "activity presence not an object", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"presence\":1}}",
	  "eventBody.presence is not an object", TOPIC_AC, U },
	{ "activity presence without a definition", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"presence\":"
	  "{\"presenceMessage\":\"x\"}}}",
	  "missing eventBody.presence.presenceDefinition", TOPIC_AC, U },
	{ "activity presence bad modifiedDate", 0,
	  "{\"topicName\":\"" TOPIC_AC "\",\"eventBody\":{\"presence\":"
	  "{\"presenceDefinition\":{\"id\":\"" P "\"},\"modifiedDate\":\"x\"}}}",
	  "eventBody.presence.modifiedDate is not ISO 8601", TOPIC_AC, U },
	{ "an unknown topic is still refused", 0,
	  "{\"topicName\":\"v2.users." U ".outofoffice\",\"eventBody\":{}}",
	  "unknown topicName \"v2.users." U ".outofoffice\"", "v2.users." U ".outofoffice", "" },
	{ "EventBridge detail not an object", 0, "{\"detail\":\"x\"}",
	  "detail is not an object", "", "" },
	{ "EventBridge detail without a topic", 0,
	  "{\"detail\":{\"eventBody\":{}}}", "neither eventType nor topicName",
	  "", "" },
	{ "EventBridge detail with a bad topic", 0,
	  "{\"detail\":{\"topicName\":\"v2.users.x.y\",\"eventBody\":{}}}",
	  "unknown topicName \"v2.users.x.y\"", "v2.users.x.y", "" },
};

static void
test_bad(void)
{
	struct event ev;
	char err[256];
	size_t i;

	for (i = 0; i < NITEMS(bad); i++) {
		const struct bad *b = &bad[i];

		memset(&ev, 0x5a, sizeof(ev));
		memset(err, 'z', sizeof(err));
		is_int(event_parse(b->custom ? &custom : &defconf, b->body,
		    strlen(b->body), &ev, err, sizeof(err)), -1,
		    "%s: fails", b->name);
		is_str(err, b->err, "%s: says why", b->name);
		is_int(ev.kind, EVENT_NONE, "%s: kind is none", b->name);
		is_str(ev.type, b->type, "%s: summary type", b->name);
		is_str(ev.user_id, b->user, "%s: summary user", b->name);
		ok(ev.status[0] == '\0' && ev.queue_id[0] == '\0' &&
		    ev.presence_id[0] == '\0' && ev.ts_ms == 0 &&
		    ev.joined == 0, "%s: nothing half-parsed survives", b->name);
	}
}

/* What strlen() cannot express: NUL bytes, nesting 10000 deep, sizes. */
static void
test_bad_raw(void)
{
	static const char nul[] = "{\"eventType\":\"" T_STATUS "\"}\0";
	static const char nul_in[] = "{\"eventType\":\"" T_STATUS
	    "\",\"userId\":\"" U "\0\",\"status\":\"idle\"}";
	struct event ev;
	char err[256], small[8], *deep;
	size_t i, n = 10000;

	is_int(event_parse(&defconf, nul, sizeof(nul) - 1, &ev, err,
	    sizeof(err)), -1, "a NUL after the object fails");
	is_str(err, "body contains a NUL byte", "and says why");
	is_int(event_parse(&defconf, nul_in, sizeof(nul_in) - 1, &ev, err,
	    sizeof(err)), -1, "a raw NUL inside a string fails");
	is_str(err, "body contains a NUL byte", "and says why");

	/* The length is obeyed: the valid prefix of a longer buffer parses. */
	{
		static const char two[] = "{\"eventType\":\"" T_STATUS
		    "\",\"userId\":\"" U "\",\"status\":\"idle\"}GARBAGE";

		is_int(event_parse(&defconf, two, sizeof(two) - 1 - 7, &ev,
		    err, sizeof(err)), 0, "only len bytes are read");
		is_int(event_parse(&defconf, two, 10, &ev, err, sizeof(err)),
		    -1, "a prefix cut short fails");
	}

	if ((deep = malloc(n * 5 + 16)) == NULL) {
		ok(0, "malloc");
		return;
	}
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', n - 5);
	is_int(event_parse(&defconf, deep, n, &ev, err, sizeof(err)), -1,
	    "'[' nested %zu deep fails (and does not crash)", n);
	is_str(err, "body is nested too deeply (more than 16 levels)",
	    "and says why");
	for (i = 0; i < n; i++)
		memcpy(deep + i * 5, "{\"a\":", 5);
	is_int(event_parse(&defconf, deep, n * 5, &ev, err, sizeof(err)), -1,
	    "objects nested %zu deep fail", n);
	is_str(err, "body is nested too deeply (more than 16 levels)",
	    "and says why");
	memcpy(deep, "{\"a\":", 5);
	memset(deep + 5, '[', 16);
	deep[21] = '1';
	memset(deep + 22, ']', 16);
	deep[38] = '}';
	is_int(event_parse(&defconf, deep, 39, &ev, err, sizeof(err)), -1,
	    "17 levels fail");
	is_str(err, "body is nested too deeply (more than 16 levels)",
	    "and says why");
	deep[20] = '1';
	memset(deep + 21, ']', 15);
	deep[36] = '}';
	is_int(event_parse(&defconf, deep, 37, &ev, err, sizeof(err)), -1,
	    "16 levels are JSON enough (then refused for having no type)");
	is_str(err, "neither eventType nor topicName", "and says that");
	free(deep);

	/* A small error buffer gets a cut sentence, never an overrun. */
	memset(small, 'z', sizeof(small));
	is_int(event_parse(&defconf, "[]", 2, &ev, small, 5), -1,
	    "a small error buffer");
	ok(memcmp(small, "body\0zzz", 8) == 0, "is cut and NUL-terminated");
	is_int(event_parse(&defconf, "[]", 2, &ev, NULL, 0), -1,
	    "no error buffer at all");
}

/* No sentence carries more than 64 bytes of what was sent. */
static void
test_err_bound(void)
{
	static const char *const fields[] = {
		"{\"eventType\":\"%s\"}",
		"{\"eventType\":\"" T_STATUS "\",\"userId\":\"" U "\","
		"\"status\":\"%s\"}",
		"{\"topicName\":\"%s\"}",
		"{\"topicName\":\"v2.users.%s.presence\"}",
	};
	struct event ev;
	char body[4096], filler[2001], err[4096];
	size_t i, worst = 0;

	memset(filler, 'Y', sizeof(filler) - 1);
	filler[sizeof(filler) - 1] = '\0';
	for (i = 0; i < NITEMS(fields); i++) {
		const char *p;
		size_t run = 0;

		snprintf(body, sizeof(body), fields[i], filler);
		if (event_parse(&defconf, body, strlen(body), &ev, err,
		    sizeof(err)) != -1)
			continue;
		for (p = err; *p; p++) {
			run = *p == 'Y' ? run + 1 : 0;
			if (run > worst)
				worst = run;
		}
		if (i == 0)
			ok(strlen(ev.type) == sizeof(ev.type) - 1,
			    "a long type is cut to fit the summary");
	}
	ok(worst <= 64, "at most 64 bytes of input in a message (%zu)",
	    worst);
}

/* ---- calls and keys ---- */

static void
test_call(void)
{
	struct event ev;
	struct event_call call;
	char key[256];

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_ROUTING_STATUS;
	strcpy(ev.user_id, U);
	strcpy(ev.status, "IDLE");
	is_int(event_call(&ev, &call), 0, "routing status call");
	is_str(call.method, "PUT", "routing status: PUT");
	is_str(call.path, "/api/v2/users/" U "/routingstatus",
	    "routing status: path");
	is_str(call.body, "{\"status\":\"IDLE\"}", "routing status: body");
	is_int(event_order_key(&ev, key, sizeof(key)), 0, "status key");
	is_str(key, "status:" U, "status key");
	{
		static const char *const sys[] = { "INTERACTING",
		    "COMMUNICATING", "NOT_RESPONDING" };
		char why[128];
		size_t i;

		ok(!event_ignored(&ev, why, sizeof(why)),
		    "IDLE is not ignored");
		strcpy(ev.status, "OFF_QUEUE");
		ok(!event_ignored(&ev, why, sizeof(why)),
		    "OFF_QUEUE is not ignored");
		for (i = 0; i < NITEMS(sys); i++) {
			strcpy(ev.status, sys[i]);
			why[0] = '\0';
			ok(event_ignored(&ev, why, sizeof(why)) == 1 &&
			    strstr(why, sys[i]) != NULL &&
			    strstr(why, "Genesys Cloud alone") != NULL,
			    "%s, which only the system sets, is ignored: %s",
			    sys[i], why);
			is_int(event_call(&ev, &call), -1, "%s: no call",
			    sys[i]);
		}
		memset(&ev, 0, sizeof(ev));
		ev.kind = EVENT_PRESENCE;
		strcpy(ev.status, "INTERACTING");
		ok(!event_ignored(&ev, why, sizeof(why)),
		    "only a routing status event is ignored");
		ev.kind = EVENT_ROUTING_STATUS;
		strcpy(ev.user_id, U);
	}
	strcpy(ev.status, "ID\"LE");
	is_int(event_call(&ev, &call), -1, "a status with a quote: no call");
	strcpy(ev.status, "");
	is_int(event_call(&ev, &call), -1, "an empty status: no call");

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_PRESENCE;
	strcpy(ev.user_id, U);
	strcpy(ev.presence_id, P);
	is_int(event_call(&ev, &call), 0, "presence call");
	is_str(call.method, "PATCH", "presence: PATCH");
	is_str(call.path, "/api/v2/users/" U "/presences/purecloud",
	    "presence: path");
	is_str(call.body, "{\"presenceDefinition\":{\"id\":\"" P "\"}}",
	    "presence: body");
	is_int(event_order_key(&ev, key, sizeof(key)), 0, "presence key");
	is_str(key, "presence:" U, "presence key");
	strcpy(ev.presence_id, "a\"b");
	is_int(event_call(&ev, &call), -1, "a bad presence id: no call");

	memset(&ev, 0, sizeof(ev));
	ev.kind = EVENT_QUEUE_MEMBER;
	strcpy(ev.user_id, U);
	strcpy(ev.queue_id, Q);
	ev.joined = 1;
	is_int(event_call(&ev, &call), 0, "queue member call");
	is_str(call.method, "PATCH", "queue member: PATCH");
	is_str(call.path, "/api/v2/routing/queues/" Q "/members/" U,
	    "queue member: path");
	is_str(call.body, "{\"joined\":true}", "queue member: body joined");
	ev.joined = 0;
	is_int(event_call(&ev, &call), 0, "queue member call, left");
	is_str(call.body, "{\"joined\":false}", "queue member: body left");
	is_int(event_order_key(&ev, key, sizeof(key)), 0, "queue key");
	is_str(key, "queue:" Q ":" U, "queue key");

	/* The longest ids still fit path and key. */
	strcpy(ev.user_id, ID64);
	strcpy(ev.queue_id, ID64);
	is_int(event_call(&ev, &call), 0, "64-character ids fit the path");
	is_str(call.path, "/api/v2/routing/queues/" ID64 "/members/" ID64,
	    "64-character ids: path");
	is_int(event_order_key(&ev, key, sizeof(key)), 0,
	    "64-character ids fit a key");
	is_int(event_order_key(&ev, key, 10), -1, "a key too long is -1");
	strcpy(ev.queue_id, "../x");
	is_int(event_call(&ev, &call), -1, "a bad queue id: no call");
	strcpy(ev.queue_id, Q);
	strcpy(ev.user_id, "a/b");
	is_int(event_call(&ev, &call), -1, "a bad user id: no call");
	ev.user_id[0] = '\0';
	is_int(event_call(&ev, &call), -1, "no user id: no call");

	memset(&ev, 0, sizeof(ev));
	strcpy(ev.user_id, U);
	is_int(event_call(&ev, &call), -1, "EVENT_NONE: no call");
	is_int(event_order_key(&ev, key, sizeof(key)), -1, "EVENT_NONE: no key");
	ev.kind = (enum event_kind)42;
	is_int(event_call(&ev, &call), -1, "an unknown kind: no call");

	/* Which words become a presence, and which keep PUT routingstatus. */
	{
		static const struct {
			int		 custom;
			const char	*word;
			enum event_kind	 kind;
			const char	*target;
		} words[] = {
			{ 0, "available", EVENT_PRESENCE, "OnQueue" },
			{ 0, "idle", EVENT_PRESENCE, "OnQueue" },
			{ 0, "on_queue", EVENT_PRESENCE, "OnQueue" },
			{ 0, "off_queue", EVENT_PRESENCE, "Available" },
			{ 0, "offline", EVENT_PRESENCE, "Offline" },
			{ 0, "break", EVENT_PRESENCE, "Break" },
			{ 0, "meal", EVENT_PRESENCE, "Meal" },
			{ 0, "IDLE", EVENT_PRESENCE, "OnQueue" },
			{ 0, "OFF_QUEUE", EVENT_PRESENCE, "Available" },
			{ 0, "INTERACTING", EVENT_ROUTING_STATUS, "" },
			{ 1, "Lunch", EVENT_ROUTING_STATUS, "" },
			{ 1, "idle", EVENT_ROUTING_STATUS, "" },
			{ 1, "available", EVENT_PRESENCE, "OnQueue" },
		};
		char body[256], err[256];
		size_t i;

		for (i = 0; i < NITEMS(words); i++) {
			snprintf(body, sizeof(body), "{\"eventType\":\""
			    T_STATUS "\",\"userId\":\"" U "\",\"status\":"
			    "\"%s\"}", words[i].word);
			memset(&ev, 0, sizeof(ev));
			ok(event_parse(words[i].custom ? &custom : &defconf,
			    body, strlen(body), &ev, err, sizeof(err)) == 0 &&
			    ev.kind == words[i].kind &&
			    strcmp(ev.presence_target, words[i].target) == 0,
			    "%s\"%s\": %s %s", words[i].custom ?
			    "mapped by the config: " : "", words[i].word,
			    words[i].kind == EVENT_PRESENCE ? "presence" :
			    "routing status", words[i].target);
		}
	}

	/* Parse, then call: the round trip of each shape. */
	{
		char err[256];
		const char *b = good[0].body;

		is_int(event_parse(&defconf, b, strlen(b), &ev, err,
		    sizeof(err)), 0, "round trip: parse");
		is_str(ev.presence_target, "OnQueue",
		    "round trip: \"available\" is the On Queue presence");
		is_int(event_call(&ev, &call), -1,
		    "round trip: no call before the presence is resolved");
		strcpy(ev.presence_id, P);
		is_int(event_call(&ev, &call), 0, "round trip: call");
		is_str(call.body, "{\"presenceDefinition\":{\"id\":\"" P "\"}}",
		    "round trip: body");
	}
}

static void
test_id_valid(void)
{
	static const struct {
		const char	*s;
		int		 want;
	} tab[] = {
		{ U, 1 }, { "a", 1 }, { "-", 1 }, { "A-z-0-9", 1 }, { ID64, 1 },
		{ "", 0 }, { ID65, 0 }, { "a/b", 0 }, { "..", 0 }, { "a.b", 0 },
		{ "a b", 0 }, { "a%2f", 0 }, { "a_b", 0 }, { "\xc3\xa9", 0 },
		{ "a\"b", 0 }, { "a\\b", 0 }, { "a\n", 0 },
	};
	char shown[256];
	size_t i, j, n;

	for (i = 0; i < NITEMS(tab); i++) {
		/* A TAP line must stay one line: show bytes, not print them. */
		for (j = n = 0; tab[i].s[j] != '\0' && n < sizeof(shown) - 5;
		    j++) {
			unsigned char ch = (unsigned char)tab[i].s[j];

			n += (size_t)snprintf(shown + n, sizeof(shown) - n,
			    ch >= 0x20 && ch < 0x7f ? "%c" : "\\x%02x", ch);
		}
		shown[n] = '\0';
		is_int(event_id_valid(tab[i].s) != 0, tab[i].want,
		    "event_id_valid(\"%s\")", shown);
	}
}

/* ---- time ---- */

#define BASE	1795906053000LL		/* 2026-11-28T22:47:33Z */

static const struct {
	const char	*s;
	int		 rc;
	long long	 ms;
} times[] = {
	{ "2026-11-28T22:47:33Z",		0, BASE },
	{ "2026-11-28T22:47:33.123Z",		0, BASE + 123 },
	{ "2026-11-28T22:47:33.1Z",		0, BASE + 100 },
	{ "2026-11-28T22:47:33.12Z",		0, BASE + 120 },
	{ "2026-11-28T22:47:33.123999999Z",	0, BASE + 123 },
	{ "2026-11-28T22:47:33,5Z",		0, BASE + 500 },
	{ "2026-11-28T22:47:33.123+02:00",	0, BASE + 123 - 7200000 },
	{ "2026-11-28T22:47:33+0200",		0, BASE - 7200000 },
	{ "2026-11-28T22:47:33-0530",		0, BASE + 19800000 },
	{ "2026-11-28T22:47:33-05:30",		0, BASE + 19800000 },
	{ "2026-11-28T22:47:33+00:00",		0, BASE },
	{ "2026-11-28T22:47:33-00:00",		0, BASE },
	{ "2026-11-28T22:47:33+23:59",		0, BASE - 86340000 },
	{ "2026-11-28T22:47:33",		0, BASE },	/* no zone: UTC */
	{ "2026-11-28T22:47:33.5",		0, BASE + 500 },
	{ "2026-11-28 22:47:33Z",		0, BASE },
	{ "2026-11-28t22:47:33z",		0, BASE },
	{ "1970-01-01T00:00:00Z",		0, 0 },
	{ "1970-01-01T00:00:00.001Z",		0, 1 },
	{ "1969-12-31T23:59:59Z",		0, -1000 },
	{ "1970-01-01T01:00:00+01:00",		0, 0 },
	{ "2000-02-29T00:00:00Z",		0, 951782400000LL },
	{ "2000-03-01T00:00:00Z",		0, 951868800000LL },
	{ "2024-02-29T12:00:00Z",		0, 1709208000000LL },
	{ "2026-12-31T23:59:59.999Z",		0, 1798761599999LL },
	{ "2027-01-01T00:00:00Z",		0, 1798761600000LL },
	{ "9999-12-31T23:59:59.999Z",		0, 253402300799999LL },
	{ "0000-01-01T00:00:00Z",		0, -62167219200000LL },
	{ "0001-01-01T00:00:00Z",		0, -62135596800000LL },

	{ "",					-1, 0 },
	{ "2026",				-1, 0 },
	{ "2026-11-28",				-1, 0 },
	{ "2026-11-28T22:47",			-1, 0 },
	{ "2026-11-28T22:47Z",			-1, 0 },
	{ "2026-13-01T00:00:00Z",		-1, 0 },
	{ "2026-00-10T00:00:00Z",		-1, 0 },
	{ "2026-11-32T00:00:00Z",		-1, 0 },
	{ "2026-11-00T00:00:00Z",		-1, 0 },
	{ "2026-04-31T00:00:00Z",		-1, 0 },
	{ "2023-02-29T00:00:00Z",		-1, 0 },
	{ "1900-02-29T00:00:00Z",		-1, 0 },
	{ "2100-02-29T00:00:00Z",		-1, 0 },
	{ "2026-11-28T25:00:00Z",		-1, 0 },
	{ "2026-11-28T24:00:00Z",		-1, 0 },
	{ "2026-11-28T23:60:00Z",		-1, 0 },
	{ "2026-11-28T23:59:60Z",		-1, 0 },
	{ "2026-11-28T22:47:33.Z",		-1, 0 },
	{ "2026-11-28T22:47:33.",		-1, 0 },
	{ "2026-11-28T22:47:33.12a",		-1, 0 },
	{ "2026-11-28T22:47:33+2:00",		-1, 0 },
	{ "2026-11-28T22:47:33+02:0",		-1, 0 },
	{ "2026-11-28T22:47:33+02",		-1, 0 },
	{ "2026-11-28T22:47:33+",		-1, 0 },
	{ "2026-11-28T22:47:33+24:00",		-1, 0 },
	{ "2026-11-28T22:47:33+02:60",		-1, 0 },
	{ "2026-11-28T22:47:33+02:00:00",	-1, 0 },
	{ "2026-11-28T22:47:33ZZ",		-1, 0 },
	{ "2026-11-28T22:47:33Z ",		-1, 0 },
	{ " 2026-11-28T22:47:33Z",		-1, 0 },
	{ "2026/11/28T22:47:33Z",		-1, 0 },
	{ "26-11-28T22:47:33Z",			-1, 0 },
	{ "2026-1-28T22:47:33Z",		-1, 0 },
	{ "2026-11-28X22:47:33Z",		-1, 0 },
	{ "2026-11-28T22-47-33Z",		-1, 0 },
	{ "+2026-11-28T22:47:33Z",		-1, 0 },
	{ "2026-11-28T22:47:33 UTC",		-1, 0 },
	{ "1795906053123",			-1, 0 },
};

static void
test_times(void)
{
	long long ms;
	size_t i;

	for (i = 0; i < NITEMS(times); i++) {
		ms = 0;
		if (times[i].rc == 0) {
			is_int(event_parse_time(times[i].s, &ms), 0,
			    "\"%s\" parses", times[i].s);
			is_int(ms, times[i].ms, "\"%s\" in ms", times[i].s);
		} else
			is_int(event_parse_time(times[i].s, &ms), -1,
			    "\"%s\" is refused", times[i].s);
	}
}

/*
 * Every day from 1600 to 2400, each at a different time of day, against
 * the C library's own calendar: days_from_civil is only right if it is
 * right everywhere.
 */
static void
test_times_exhaustive(void)
{
	long long day, first, last, ms, want;
	char s[64];
	struct tm tm;
	time_t t;
	int differ = 0, n = 0;

	first = -135140LL;	/* 1600-01-01 */
	last = 157419LL;	/* 2400-12-31 */
	for (day = first; day <= last; day++) {
		t = (time_t)(day * 86400 + (day * 7919) % 86400);
		if (gmtime_r(&t, &tm) == NULL) {
			differ++;
			break;
		}
		snprintf(s, sizeof(s), "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ",
		    tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
		    tm.tm_min, tm.tm_sec, (int)(day % 1000 + 1000) % 1000);
		want = (long long)t * 1000 + (day % 1000 + 1000) % 1000;
		n++;
		if (event_parse_time(s, &ms) != 0 || ms != want) {
			if (differ++ < 5)
				printf("# %s: got %lld, want %lld\n", s, ms,
				    want);
		}
	}
	ok(differ == 0 && n > 290000, "%d days from 1600 to 2400 agree with "
	    "gmtime_r (%d differ)", n, differ);
}

int
main(void)
{
	conf_init();
	test_good();
	test_default_map();
	test_documented_map();
	test_own_time_field();
	test_bad();
	test_bad_raw();
	test_err_bound();
	test_call();
	test_id_valid();
	test_times();
	test_times_exhaustive();
	conf_free(&defconf);
	return tap_done();
}
