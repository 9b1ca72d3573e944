/*
 * order: see order.h.  Nothing here fails except keytab_init() (memory)
 * and keytab_put() on a full table, both reported by -1.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "order.h"
#include "spool.h"

int
order_cmp(long long ts_a, const char *id_a, long long ts_b, const char *id_b)
{
	int c;

	if (ts_a != ts_b)
		return ts_a < ts_b ? -1 : 1;
	c = strcmp(id_a, id_b);
	return c < 0 ? -1 : c > 0;
}

enum order_admit
order_admit(int have, int pending, long long ts_held, const char *id_held,
    long long ts_new, const char *id_new)
{
	if (!have)
		return ORDER_ADMIT;
	if (order_cmp(ts_new, id_new, ts_held, id_held) <= 0)
		return ORDER_LOSES;
	return pending ? ORDER_REPLACES : ORDER_FOLLOWS;
}

enum order_verdict
order_check(int have, long long ts_last, const char *id_last, long long ts,
    const char *id)
{
	if (!have)
		return ORDER_APPLY;
	if (ts == ts_last && strcmp(id, id_last) == 0)
		return ORDER_DONE;
	return order_cmp(ts, id, ts_last, id_last) > 0 ? ORDER_APPLY :
	    ORDER_STALE;
}

long long
order_stamp(const struct event *ev, const char *id)
{
	struct timespec t;

	if (ev->ts_ms > 0)
		return ev->ts_ms;
	if (spool_id_time(id, &t) == -1)
		return 0;
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

int
order_format(char *buf, size_t bufsz, long long ts, const char *id)
{
	int n;

	n = snprintf(buf, bufsz, "%lld %s\n", ts, id);
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

int
order_parse(const char *buf, size_t len, long long *ts, char *id,
    size_t idsz)
{
	char line[ORDER_LINE_MAX], *end, *sp;
	size_t idlen;

	if (len == 0 || len >= sizeof(line))
		return -1;
	memcpy(line, buf, len);
	line[len] = '\0';
	if (line[len - 1] == '\n')
		line[--len] = '\0';
	if (len == 0 || strchr(line, '\n') != NULL ||
	    (line[0] < '0' || line[0] > '9'))
		return -1;
	errno = 0;
	*ts = strtoll(line, &end, 10);
	if (errno != 0 || *end != ' ')
		return -1;
	sp = end + 1;
	idlen = strlen(sp);
	if (idlen == 0 || idlen >= idsz || strchr(sp, ' ') != NULL)
		return -1;
	memcpy(id, sp, idlen + 1);
	return 0;
}

int
order_key_valid(const char *key)
{
	const unsigned char *p;

	if (key[0] == '\0' || key[0] == '.' || strlen(key) >= ORDER_KEY_MAX)
		return 0;
	for (p = (const unsigned char *)key; *p != '\0'; p++)
		if (*p == '/' || *p <= ' ' || *p >= 0x7f)
			return 0;
	return 1;
}

/* ---- keytab ---- */

/* FNV-1a: short keys, no adversary worth a keyed hash (ids are checked). */
static size_t
keytab_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	while (*s != '\0') {
		h ^= (unsigned char)*s++;
		h *= 1099511628211ULL;
	}
	return (size_t)h;
}

int
keytab_init(struct keytab *t, size_t max)
{
	size_t cap = 16;

	while (cap < 2 * max + 1)
		cap *= 2;
	t->n = 0;
	t->cap = cap;
	if ((t->ents = calloc(cap, sizeof(*t->ents))) == NULL)
		return -1;
	return 0;
}

void
keytab_free(struct keytab *t)
{
	free(t->ents);
	t->ents = NULL;
	t->cap = t->n = 0;
}

void
keytab_clear(struct keytab *t)
{
	memset(t->ents, 0, t->cap * sizeof(*t->ents));
	t->n = 0;
}

static size_t
keytab_find(const struct keytab *t, const char *key)
{
	size_t i = keytab_hash(key) & (t->cap - 1);

	while (t->ents[i].key != NULL && strcmp(t->ents[i].key, key) != 0)
		i = (i + 1) & (t->cap - 1);
	return i;
}

int
keytab_get(const struct keytab *t, const char *key)
{
	size_t i = keytab_find(t, key);

	return t->ents[i].key != NULL ? t->ents[i].val : -1;
}

int
keytab_put(struct keytab *t, const char *key, int val)
{
	size_t i = keytab_find(t, key);

	if (t->ents[i].key == NULL) {
		/* Keep at least half free so probes stay short and end. */
		if (t->n + 1 > t->cap / 2)
			return -1;
		t->n++;
	}
	t->ents[i].key = key;
	t->ents[i].val = val;
	return 0;
}

/* Deletion with backward shift, so no tombstones pile up. */
void
keytab_del(struct keytab *t, const char *key)
{
	size_t i = keytab_find(t, key), j, k, mask = t->cap - 1;

	if (t->ents[i].key == NULL)
		return;
	t->ents[i].key = NULL;
	t->n--;
	j = i;
	for (;;) {
		j = (j + 1) & mask;
		if (t->ents[j].key == NULL)
			return;
		k = keytab_hash(t->ents[j].key) & mask;
		/* Move j back to i unless its home k lies cyclically in (i, j]. */
		if ((i < j) ? (k <= i || k > j) : (k <= i && k > j)) {
			t->ents[i] = t->ents[j];
			t->ents[j].key = NULL;
			i = j;
		}
	}
}
