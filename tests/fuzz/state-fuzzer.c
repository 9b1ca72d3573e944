/*
 * state-fuzzer: the worker's state lines as it reads them back from
 * SPOOL/state/ (lib/state.c): order.snap and order.log, "<ts_ms> <id>
 * <key>\n" per line, read by state_open(); an order/<KEY> file "<ts_ms>
 * <id>\n" from by hand or routehook 0.1, taken in at open; and an
 * attempts count "<n>\n" (state_attempts_read()).  Whoever can write the
 * spool's state/ can write these.  Input: the bytes, written as all four
 * files in a scratch spool made once, then state_open(), a look up and
 * state_close() (which may fold them into a new order.snap).  Checks
 * beyond "no crash": a stamp read back formats to a line that parses to
 * the same stamp; a count is 0 to 1000000.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "order.h"
#include "spool.h"
#include "state.h"

#define ID	"1796188193.M1P1Q1.fuzz"
#define KEY	"status:fuzz-user"

static struct spool	 spool;
static char		 root[] = "/tmp/routehook-fuzz-state.XXXXXX";
static int		 ready;

static void
cleanup(void)
{
	char cmd[128];

	spool_close(&spool);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
}

static void
setup(void)
{
	struct state st;
	char err[1024];

	/* Refusals are logged as warnings: not the fuzzer's business. */
	log_init("state-fuzzer", 0);
	if (mkdtemp(root) == NULL ||
	    spool_open(&spool, root, 1, 0, err, sizeof(err)) == -1 ||
	    state_open(&st, &spool, STATE_CREATE | STATE_ORDER, err,
	    sizeof(err)) == -1)
		abort();
	state_close(&st);
	if (atexit(cleanup) != 0)
		abort();
	ready = 1;
}

/* data as state/<sub>/<name> (sub NULL: state/<name>). */
static void
put(const char *sub, const char *name, const uint8_t *data, size_t size)
{
	char path[512];
	int fd;

	if (sub != NULL)
		snprintf(path, sizeof(path), "%s/state/%s/%s", root, sub, name);
	else
		snprintf(path, sizeof(path), "%s/state/%s", root, name);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct state st;
	char id[SPOOL_ID_MAX], id2[SPOOL_ID_MAX], err[512];
	char line[ORDER_LINE_MAX];
	long long ts, ts2;
	int n;

	if (!ready)
		setup();
	put(NULL, "order.snap", data, size);
	put(NULL, "order.log", data, size);
	put("order", KEY, data, size);
	put("attempts", ID, data, size);
	if (state_open(&st, &spool, STATE_CREATE | STATE_ORDER, err,
	    sizeof(err)) == -1)
		return 0;
	if (state_order_read(&st, KEY, &ts, id, sizeof(id), err,
	    sizeof(err)) == 1) {
		if ((n = order_format(line, sizeof(line), ts, id)) < 0 ||
		    order_parse(line, (size_t)n, &ts2, id2, sizeof(id2)) == -1 ||
		    ts2 != ts || strcmp(id, id2) != 0)
			abort();
	}
	n = state_attempts_read(&st, ID);
	if (n < 0 || n > 1000000)
		abort();
	state_close(&st);
	return 0;
}
