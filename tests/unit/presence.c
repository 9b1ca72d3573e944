/*
 * presence unit test: parsing an org's definitions, resolving targets by
 * system name, id and label, the default word table, and the targets
 * refused.  Fails (exit 1, "not ok" lines) when any entry differs.
 */
#include <string.h>

#include "presence.h"
#include "tap.h"

/* An answer shaped as the real one (and as the stand-in's). */
static const char answer[] =
    "{\"entities\":["
    "{\"id\":\"aaaa-onq\",\"name\":\"On Queue\",\"type\":\"System\","
    "\"languageLabels\":{\"en_US\":\"On Queue\"},\"systemPresence\":\"OnQueue\","
    "\"divisionId\":\"*\",\"deactivated\":false},"
    "{\"id\":\"aaaa-avail\",\"type\":\"System\","
    "\"languageLabels\":{\"en_US\":\"Available\"},\"systemPresence\":\"Available\","
    "\"deactivated\":false},"
    "{\"id\":\"aaaa-meal\",\"type\":\"System\","
    "\"languageLabels\":{\"en_US\":\"Meal\"},\"systemPresence\":\"Meal\"},"
    "{\"id\":\"bbbb-lunch\",\"type\":\"User\","
    "\"languageLabels\":{\"en_US\":\"Lunch\"},\"systemPresence\":\"Meal\","
    "\"deactivated\":false},"
    "{\"id\":\"bbbb-oldbreak\",\"type\":\"User\",\"name\":\"Old break\","
    "\"systemPresence\":\"Break\",\"deactivated\":true},"
    "{\"id\":\"aaaa-break\",\"type\":\"System\","
    "\"languageLabels\":{\"en_US\":\"Break\"},\"systemPresence\":\"Break\"}"
    "],\"total\":6}";

static const struct {
	const char	*target;
	const char	*id;	/* NULL: nothing resolves */
} resolves[] = {
	{ "ON_QUEUE",		"aaaa-onq" },	/* a system name, any spelling */
	{ "On Queue",		"aaaa-onq" },
	{ "OnQueue",		"aaaa-onq" },
	{ "on_queue",		"aaaa-onq" },
	{ "MEAL",		"aaaa-meal" },	/* the primary, not Lunch */
	{ "Lunch",		"bbbb-lunch" },	/* a secondary by label */
	{ "lunch",		"bbbb-lunch" },
	{ "bbbb-lunch",		"bbbb-lunch" },	/* by id */
	{ "aaaa-avail",		"aaaa-avail" },
	{ "Old break",		NULL },		/* deactivated */
	{ "bbbb-oldbreak",	NULL },
	{ "BREAK",		"aaaa-break" },
	{ "TRAINING",		NULL },		/* not listed by this org */
	{ "Coffee",		NULL },
};

static const struct {
	const char	*word;
	const char	*system;
} defaults[] = {
	{ "available",	"OnQueue" },
	{ "idle",	"OnQueue" },
	{ "on_queue",	"OnQueue" },
	{ "ON_QUEUE",	"OnQueue" },
	{ "off_queue",	"Available" },
	{ "offline",	"Offline" },
	{ "away",	"Away" },
	{ "busy",	"Busy" },
	{ "break",	"Break" },
	{ "meal",	"Meal" },
	{ "training",	"Training" },
	{ "meeting",	"Meeting" },
	{ "lunch",	NULL },
	{ "INTERACTING", NULL },
};

static const struct {
	const char		*value;
	int			 ok;
	enum presence_kind	 kind;
	const char		*stored;
} targets[] = {
	{ "On Queue",			1, PRESENCE_TARGET_PRESENCE, "On Queue" },
	{ "Lunch",			1, PRESENCE_TARGET_PRESENCE, "Lunch" },
	{ "routingstatus:OFF_QUEUE",	1, PRESENCE_TARGET_ROUTING, "OFF_QUEUE" },
	{ "routingstatus:IDLE",		1, PRESENCE_TARGET_ROUTING, "IDLE" },
	{ "routingstatus:INTERACTING",	0, 0, NULL },
	{ "routingstatus:COMMUNICATING", 0, 0, NULL },
	{ "routingstatus:NOT_RESPONDING", 0, 0, NULL },
	{ "routingstatus:lunch",	0, 0, NULL },
	{ "INTERACTING",		0, 0, NULL },
	{ "",				0, 0, NULL },
};

static const char *const bad[] = {
	"",
	"[]",
	"{\"entities\":{}}",
	"{\"entities\":[{\"systemPresence\":\"Available\"}]}",
	"{\"entities\":[{\"id\":\"a/b\",\"systemPresence\":\"Available\"}]}",
	"{\"entities\":[{\"id\":\"x\",\"systemPresence\":\"Napping\"}]}",
	"{\"entities\":[{\"id\":\"x\"}]}",
	"{\"entities\":[1]}",
	"{\"entities\":[",
};

int
main(void)
{
	struct presence_defs d = { NULL, 0 };
	struct presence_target t;
	const struct presence_def *p;
	char err[256];
	size_t i;

	is_int(presence_parse(answer, strlen(answer), &d, err, sizeof(err)),
	    0, "the definitions answer parses");
	is_int(d.n, 6, "six definitions");
	p = presence_by_id(&d, "bbbb-lunch");
	ok(p != NULL && strcmp(p->label, "Lunch") == 0 &&
	    strcmp(p->system, "Meal") == 0 && !p->primary && !p->deactivated,
	    "a secondary: its label, its system presence, not primary");
	p = presence_by_id(&d, "bbbb-oldbreak");
	ok(p != NULL && strcmp(p->label, "Old break") == 0 && p->deactivated,
	    "no languageLabels: the name is the label; deactivated is kept");
	p = presence_by_id(&d, "aaaa-onq");
	ok(p != NULL && p->primary && strcmp(p->system, "OnQueue") == 0,
	    "On Queue is the primary OnQueue definition");

	for (i = 0; i < sizeof(resolves) / sizeof(resolves[0]); i++) {
		err[0] = '\0';
		p = presence_resolve(&d, resolves[i].target, err, sizeof(err));
		is_str(p != NULL ? p->id : NULL, resolves[i].id,
		    "resolve \"%s\"", resolves[i].target);
		if (resolves[i].id == NULL)
			ok(err[0] != '\0', "... and says why: %s", err);
	}

	for (i = 0; i < sizeof(defaults) / sizeof(defaults[0]); i++)
		is_str(presence_default(defaults[i].word), defaults[i].system,
		    "default for \"%s\"", defaults[i].word);

	for (i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		err[0] = '\0';
		if (targets[i].ok) {
			ok(presence_target(targets[i].value, &t, err,
			    sizeof(err)) == 0 && t.kind == targets[i].kind &&
			    strcmp(t.value, targets[i].stored) == 0,
			    "target \"%s\" accepted as %s %s",
			    targets[i].value, targets[i].kind ==
			    PRESENCE_TARGET_ROUTING ? "routing status" :
			    "presence", targets[i].stored);
		} else {
			ok(presence_target(targets[i].value, &t, err,
			    sizeof(err)) == -1 && err[0] != '\0',
			    "target \"%s\" refused: %s", targets[i].value, err);
		}
	}

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		ok(presence_parse(bad[i], strlen(bad[i]), &d, err,
		    sizeof(err)) == -1 && err[0] != '\0',
		    "refused: %s (%s)", bad[i], err);
	}
	is_int(d.n, 6, "a refused answer leaves the cache as it was");

	ok(presence_stale(0, 1000, PRESENCE_MAX_AGE_MS), "never fetched: stale");
	ok(!presence_stale(1000, 1000 + PRESENCE_MAX_AGE_MS - 1,
	    PRESENCE_MAX_AGE_MS), "younger than the max age: fresh");
	ok(presence_stale(1000, 1000 + PRESENCE_MAX_AGE_MS,
	    PRESENCE_MAX_AGE_MS), "as old as the max age: stale");
	ok(presence_stale(5000, 1000, PRESENCE_MAX_AGE_MS),
	    "the clock went back: stale");

	presence_free(&d);
	return tap_done();
}
