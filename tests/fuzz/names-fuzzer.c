/*
 * names-fuzzer: names read from directories and files anybody with
 * access to the spool could have made: spool ids (spool_id_valid(),
 * spool_id_time()), order keys (order_key_valid()), Genesys ids
 * (event_id_valid()), event times (event_parse_time()); and what makes
 * such names safe to show (vis_mem(), utf8_repair(), utf8_cut()).
 * Input: the name.  Checks beyond "no crash": an escaped name is
 * printable ASCII; repaired text is valid UTF-8 that a second repair
 * leaves alone; a cut never leaves half a character.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "event.h"
#include "fuzz.h"
#include "spool.h"
#include "vis.h"
#include "order.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = fuzz_str(data, size), *esc, *rep, *rep2;
	struct timespec when;
	long long ms;
	size_t i, n, n2, cut;

	if (spool_id_valid(s) && spool_id_time(s, &when) == -1)
		abort();
	(void)order_key_valid(s);
	(void)event_id_valid(s);
	(void)event_parse_time(s, &ms);

	if ((esc = malloc(size * VIS_EXPANSION + 1)) == NULL ||
	    (rep = malloc(size * 3 + 1)) == NULL ||
	    (rep2 = malloc(size * 3 + 1)) == NULL)
		abort();
	n = vis_mem(esc, size * VIS_EXPANSION + 1, data, size);
	for (i = 0; i < n; i++)
		if (esc[i] < 0x20 || esc[i] > 0x7e)
			abort();
	n = utf8_repair(rep, size * 3 + 1, data, size);
	n2 = utf8_repair(rep2, size * 3 + 1, rep, n);
	if (n2 != n || memcmp(rep, rep2, n) != 0)
		abort();
	cut = utf8_cut(rep, n / 2);
	if (utf8_repair(rep2, size * 3 + 1, rep, cut) != cut)
		abort();
	free(rep2);
	free(rep);
	free(esc);
	free(s);
	return 0;
}
