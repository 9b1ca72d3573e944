/*
 * state-fuzzer: the worker's state lines as it reads them back from the
 * files in SPOOL/state/: an order stamp "<ts_ms> <id>\n" (order_parse(),
 * through state_order_read()) and an attempts count "<n>\n"
 * (state_attempts_read()).  Whoever can write the spool can write these.
 * Input: the file's bytes, written as both files in a scratch spool made
 * once.  Checks beyond "no crash": a stamp read back formats to a line
 * that parses to the same stamp; a count is 0 to 1000000.
 */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "log.h"
#include "spool.h"
#include "../../worker/order.h"
#include "../../worker/state.h"

#define ID	"1796188193.M1P1Q1.fuzz"
#define KEY	"status:fuzz-user"

static struct spool	 spool;
static struct state	 state;
static char		 root[] = "/tmp/routehook-fuzz-state.XXXXXX";
static int		 ready;

static void
cleanup(void)
{
	char cmd[128];

	state_close(&state);
	spool_close(&spool);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", root);
}

static void
setup(void)
{
	char err[1024];

	/* Refusals are logged as warnings: not the fuzzer's business. */
	log_init("state-fuzzer", 0);
	if (mkdtemp(root) == NULL ||
	    spool_open(&spool, root, 1, 0, err, sizeof(err)) == -1 ||
	    state_open(&state, &spool, err, sizeof(err)) == -1)
		abort();
	if (atexit(cleanup) != 0)
		abort();
	ready = 1;
}

static void
put(int dir, const char *name, const uint8_t *data, size_t size)
{
	int fd;

	if ((fd = openat(dir, name, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1 ||
	    (size > 0 && write(fd, data, size) != (ssize_t)size) ||
	    close(fd) == -1)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char id[SPOOL_ID_MAX], id2[SPOOL_ID_MAX], err[512];
	char line[ORDER_LINE_MAX];
	long long ts, ts2;
	int n;

	if (!ready)
		setup();
	put(state.order, KEY, data, size);
	put(state.attempts, ID, data, size);
	if (state_order_read(&state, KEY, &ts, id, sizeof(id), err,
	    sizeof(err)) == 1) {
		if ((n = order_format(line, sizeof(line), ts, id)) < 0 ||
		    order_parse(line, (size_t)n, &ts2, id2, sizeof(id2)) == -1 ||
		    ts2 != ts || strcmp(id, id2) != 0)
			abort();
	}
	n = state_attempts_read(&state, ID);
	if (n < 0 || n > 1000000)
		abort();
	return 0;
}
