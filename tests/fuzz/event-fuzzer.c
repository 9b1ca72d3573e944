/*
 * event-fuzzer: a spooled event's body (whatever a sender with the
 * secret, or anything that wrote into new/, put there) through to the
 * API call it produces: event_parse(), event_call(), event_order_key().
 * The configuration is the default one plus one status word.  Checks
 * beyond "no crash": a parsed event gives a call whose path starts
 * "/api/v2/", whose body is one JSON object, and an order key that can
 * name a state file; a refusal always says why.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "conf.h"
#include "event.h"
#include "fuzz.h"
#include "order.h"

static struct conf	 conf;
static int		 loaded;

static void
load(void)
{
	static const char text[] =
	    "routing = { status_map = { lunch = \"OFF_QUEUE\"; }; };\n";
	char err[1024];

	if (conf_load(&conf, fuzz_file((const uint8_t *)text,
	    sizeof(text) - 1), err, sizeof(err)) == -1)
		abort();
	loaded = 1;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct event ev;
	struct event_call call;
	struct json_object *o;
	char err[512], key[512];

	if (!loaded)
		load();
	memset(&ev, 0, sizeof(ev));
	err[0] = '\0';
	if (event_parse(&conf, (const char *)data, size, &ev, err,
	    sizeof(err)) == -1) {
		if (err[0] == '\0')
			abort();
		return 0;
	}
	if (event_call(&ev, &call) == -1)
		return 0;
	if (strncmp(call.path, "/api/v2/", 8) != 0)
		abort();
	if ((o = json_tokener_parse(call.body)) == NULL ||
	    !json_object_is_type(o, json_type_object))
		abort();
	json_object_put(o);
	if (event_order_key(&ev, key, sizeof(key)) == 0 &&
	    !order_key_valid(key))
		abort();
	return 0;
}
