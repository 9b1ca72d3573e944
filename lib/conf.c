/*
 * conf: read, default and check the routehook configuration file (see
 * conf.h for the interface and etc/routehook.conf for every key).
 *
 * The schema is a set of tables, one per group, that name each key, where
 * its value goes in struct conf, its type and its range.  conf_load()
 * installs every default first, then walks the file once against the
 * tables, so an unknown key is found by the same walk that reads the known
 * ones; a few keys that need more than a type and a range (the secret
 * files, the encoding, the URLs, the status map) have a function of their
 * own.  Checks that involve two keys run after the walk.
 *
 * Failure: conf_load() reports every problem it finds, one "FILE:LINE:
 * message" per line in the caller's buffer, and returns -1 if there was
 * any, leaving *c zeroed.  A syntax error stops libconfig at the first one,
 * so that is the only line then.  Running out of memory stops the walk.
 * The secret readers never put a secret's bytes in a message, and wipe
 * every buffer that held them.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>
#include <openssl/crypto.h>

#include "conf.h"
#include "hmac.h"

#define CONF_LINE_MAX	1024	/* one message, before it joins err */
#define CONF_NAME_MAX	128	/* "receiver.secret_files[7]" and the like */
#define CONF_SHOW_MAX	48	/* a value quoted back in a message */

/*
 * The longest signature prefix hmac_format() can still fit in front of a
 * hex digest in HMAC_TEXT_MAX bytes.
 */
#define CONF_PREFIX_MAX	(HMAC_TEXT_MAX - 2 * HMAC_LEN - 1)

#define DEFAULT_SPOOL_DIR	"/var/spool/routehook"
#define DEFAULT_SECRET_FILE	"/etc/routehook/webhook.secret"
#define DEFAULT_SIG_HEADER	"X-Genesys-Signature"
#define DEFAULT_REGION		"mypurecloud.com"
#define DEFAULT_CLIENT_SECRET	"/etc/routehook/client.secret"
#define DEFAULT_WEBHOOK_PATH	"/api/v2/platform/webhooks"
#define DEFAULT_AUDIT_FILE	"/var/log/routehook/audit.jsonl"

static const char *const genesys_statuses[] = {
	"OFF_QUEUE", "IDLE", "INTERACTING", "NOT_RESPONDING", "COMMUNICATING"
};

static const struct {
	const char	*from, *to;
} default_status_map[] = {
	{ "available", "IDLE" },
	{ "idle", "IDLE" },
	{ "on_queue", "IDLE" },
	{ "offline", "OFF_QUEUE" },
	{ "off_queue", "OFF_QUEUE" },
	{ "away", "OFF_QUEUE" },
	{ "busy", "OFF_QUEUE" },
	{ "break", "OFF_QUEUE" },
	{ "meal", "OFF_QUEUE" },
	{ "training", "OFF_QUEUE" },
	{ "meeting", "OFF_QUEUE" },
};

#define NELEM(a)	(sizeof(a) / sizeof((a)[0]))

/* Problems found so far, joined into the caller's buffer. */
struct errs {
	char	*buf;
	size_t	 size;
	size_t	 len;
	int	 n;
};

/* One conf_load() in progress. */
struct loader {
	struct conf			*c;
	struct errs			 errs;
	int				 nomem;
	/* kept until the walk is over: they depend on each other */
	const config_setting_t		*secret_file;
	const config_setting_t		*secret_files;
	const config_setting_t		*backoff_min;
	const config_setting_t		*backoff_max;
	const config_setting_t		*cluster;
};

enum key_type {
	KEY_STRING,	/* char *, checked by key->check when set */
	KEY_PATH,	/* struct conf_path, not empty */
	KEY_OPT_PATH,	/* struct conf_path, "" for unset */
	KEY_INT,	/* int in [min, max] */
	KEY_LONG,	/* long in [min, max] */
	KEY_SIZE,	/* size_t in [min, max] */
	KEY_BOOL,	/* int, 0 or 1 */
	KEY_GROUP,	/* a group of keys of its own */
	KEY_SPECIAL	/* read by key->special */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* where the value goes in struct conf */
	long long	 min, max;	/* for the integers */
	/* KEY_STRING: why the (modifiable) value is bad, or NULL */
	const char	*(*check)(char *);
	int		 quiet;		/* never quote the value back */
	/* KEY_SPECIAL: 0, or -1 when out of memory */
	int		 (*special)(struct loader *, const config_setting_t *,
			    const char *);
	const struct key *group;	/* KEY_GROUP */
};

#define OFF(m)	offsetof(struct conf, m)

static int	 set_secret_file(struct loader *, const config_setting_t *,
		    const char *);
static int	 set_encoding(struct loader *, const config_setting_t *,
		    const char *);
static int	 set_client_id(struct loader *, const config_setting_t *,
		    const char *);
static int	 set_status_map(struct loader *, const config_setting_t *,
		    const char *);
static int	 set_etcd_endpoints(struct loader *, const config_setting_t *,
		    const char *);
static const char	*check_header(char *);
static const char	*check_prefix(char *);
static const char	*check_domain(char *);
static const char	*check_base_url(char *);
static const char	*check_url_path(char *);
static const char	*check_etcd_prefix(char *);
static int	 has_space_or_control(const char *);

static const struct key receiver_keys[] = {
	{ .name = "secret_file", .type = KEY_SPECIAL,
	  .special = set_secret_file },
	{ .name = "secret_files", .type = KEY_SPECIAL,
	  .special = set_secret_file },
	{ .name = "signature_header", .type = KEY_STRING,
	  .off = OFF(receiver.signature_header), .check = check_header },
	{ .name = "signature_encoding", .type = KEY_SPECIAL,
	  .special = set_encoding },
	{ .name = "signature_prefix", .type = KEY_STRING,
	  .off = OFF(receiver.signature_prefix), .check = check_prefix },
	{ .name = "max_body_bytes", .type = KEY_SIZE,
	  .off = OFF(receiver.max_body_bytes), .min = 1, .max = 1048576 },
	{ .name = "fsync", .type = KEY_BOOL, .off = OFF(receiver.fsync) },
	{ .name = NULL }
};

static const struct key genesys_keys[] = {
	{ .name = "region", .type = KEY_STRING,
	  .off = OFF(genesys.region), .check = check_domain },
	{ .name = "api_base", .type = KEY_STRING,
	  .off = OFF(genesys.api_base), .check = check_base_url, .quiet = 1 },
	{ .name = "login_base", .type = KEY_STRING,
	  .off = OFF(genesys.login_base), .check = check_base_url,
	  .quiet = 1 },
	{ .name = "client_id", .type = KEY_SPECIAL,
	  .special = set_client_id },
	{ .name = "client_secret_file", .type = KEY_PATH,
	  .off = OFF(genesys.client_secret_file) },
	{ .name = "ca_file", .type = KEY_OPT_PATH,
	  .off = OFF(genesys.ca_file) },
	{ .name = "timeout_ms", .type = KEY_LONG,
	  .off = OFF(genesys.timeout_ms), .min = 100, .max = 600000 },
	{ .name = "requests_per_minute", .type = KEY_LONG,
	  .off = OFF(genesys.requests_per_minute), .min = 1, .max = 100000 },
	{ .name = "webhook_path", .type = KEY_STRING,
	  .off = OFF(genesys.webhook_path), .check = check_url_path },
	{ .name = NULL }
};

/*
 * Keys with no natural upper bound stop at INT_MAX: that fits a long on
 * every platform, and leaves room for the callers' arithmetic in ms.
 */
static const struct key worker_keys[] = {
	{ .name = "concurrency", .type = KEY_INT,
	  .off = OFF(worker.concurrency), .min = 1, .max = 256 },
	{ .name = "backoff_min_ms", .type = KEY_LONG,
	  .off = OFF(worker.backoff_min_ms), .min = 1, .max = INT_MAX },
	{ .name = "backoff_max_ms", .type = KEY_LONG,
	  .off = OFF(worker.backoff_max_ms), .min = 1, .max = INT_MAX },
	{ .name = "max_attempts", .type = KEY_INT,
	  .off = OFF(worker.max_attempts), .min = 1, .max = 1000 },
	{ .name = "max_age_s", .type = KEY_LONG,
	  .off = OFF(worker.max_age_s), .min = 1, .max = INT_MAX },
	{ .name = "metrics_file", .type = KEY_OPT_PATH,
	  .off = OFF(worker.metrics_file) },
	{ .name = NULL }
};

static const struct key sla_keys[] = {
	{ .name = "threshold_ms", .type = KEY_LONG,
	  .off = OFF(sla.threshold_ms), .min = 1, .max = INT_MAX },
	{ .name = NULL }
};

static const struct key audit_keys[] = {
	{ .name = "file", .type = KEY_PATH, .off = OFF(audit.file) },
	{ .name = NULL }
};

static const struct key routing_keys[] = {
	{ .name = "status_map", .type = KEY_SPECIAL,
	  .special = set_status_map },
	{ .name = NULL }
};

/* lease_ttl_s: a host dead this long loses its locks to the others. */
static const struct key cluster_keys[] = {
	{ .name = "etcd_endpoints", .type = KEY_SPECIAL,
	  .special = set_etcd_endpoints },
	{ .name = "prefix", .type = KEY_STRING, .off = OFF(cluster.prefix),
	  .check = check_etcd_prefix },
	{ .name = "lease_ttl_s", .type = KEY_LONG,
	  .off = OFF(cluster.lease_ttl_s), .min = 2, .max = 3600 },
	{ .name = "ca_file", .type = KEY_OPT_PATH, .off = OFF(cluster.ca_file) },
	{ .name = "cert_file", .type = KEY_OPT_PATH,
	  .off = OFF(cluster.cert_file) },
	{ .name = "key_file", .type = KEY_OPT_PATH,
	  .off = OFF(cluster.key_file) },
	{ .name = NULL }
};

static const struct key top_keys[] = {
	{ .name = "spool_dir", .type = KEY_PATH, .off = OFF(spool_dir) },
	{ .name = "receiver", .type = KEY_GROUP, .group = receiver_keys },
	{ .name = "genesys", .type = KEY_GROUP, .group = genesys_keys },
	{ .name = "worker", .type = KEY_GROUP, .group = worker_keys },
	{ .name = "sla", .type = KEY_GROUP, .group = sla_keys },
	{ .name = "audit", .type = KEY_GROUP, .group = audit_keys },
	{ .name = "routing", .type = KEY_GROUP, .group = routing_keys },
	{ .name = "cluster", .type = KEY_GROUP, .group = cluster_keys },
	{ .name = NULL }
};

/* --- messages ---------------------------------------------------------- */

static void
errs_init(struct errs *e, char *buf, size_t size)
{
	e->buf = size > 0 ? buf : NULL;
	e->size = size;
	e->len = 0;
	e->n = 0;
	if (e->buf != NULL)
		e->buf[0] = '\0';
}

/* Append one whole line; a full buffer truncates, the count stays right. */
static void
errs_line(struct errs *e, const char *line)
{
	int n;

	e->n++;
	if (e->buf == NULL || e->len + 1 >= e->size)
		return;
	n = snprintf(e->buf + e->len, e->size - e->len, "%s%s",
	    e->len > 0 ? "\n" : "", line);
	if (n < 0)
		e->buf[e->len] = '\0';
	else if ((size_t)n >= e->size - e->len)
		e->len = e->size - 1;
	else
		e->len += (size_t)n;
}

static void
errs_addv(struct errs *e, const char *file, unsigned int line,
    const char *fmt, va_list ap)
{
	char msg[CONF_LINE_MAX], full[2 * CONF_LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%u: %s", file, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", file, msg);
	errs_line(e, full);
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
errs_add(struct errs *e, const char *file, unsigned int line,
    const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errs_addv(e, file, line, fmt, ap);
	va_end(ap);
}

/* The file a setting came from: @include can make it another one. */
static const char *
setting_file(const struct loader *ld, const config_setting_t *s)
{
	const char *f = s != NULL ? config_setting_source_file(s) : NULL;

	return f != NULL ? f : ld->c->file;
}

#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
bad(struct loader *ld, const config_setting_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	errs_addv(&ld->errs, setting_file(ld, s),
	    s != NULL ? config_setting_source_line(s) : 0, fmt, ap);
	va_end(ap);
}

static int
nomem(struct loader *ld)
{
	if (!ld->nomem)
		errs_add(&ld->errs, ld->c->file, 0, "out of memory");
	ld->nomem = 1;
	return -1;
}

/*
 * A value quoted back to the reader: cut short and with anything that is
 * not printable ASCII replaced, so a message stays one clean line.
 */
static const char *
show(const char *s, char *buf, size_t size)
{
	size_t i, j = 0;

	for (i = 0; s[i] != '\0' && j + 4 < size; i++)
		buf[j++] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	if (s[i] != '\0') {
		while (j + 4 > size)
			j--;
		memcpy(buf + j, "...", 3);
		j += 3;
	}
	buf[j] = '\0';
	return buf;
}

/* --- did you mean -------------------------------------------------------- */

static char
lower(char ch)
{
	return (ch >= 'A' && ch <= 'Z') ? (char)(ch - 'A' + 'a') : ch;
}

/*
 * Edit distance ignoring case, with a swap of two neighbours counting as
 * one edit (optimal string alignment): "secert" is one typo of "secret".
 * Names longer than the table are simply too far from anything.
 */
static int
edit_distance(const char *a, const char *b)
{
	enum { N = 64 };
	int d[N + 1][N + 1];
	size_t la = strlen(a), lb = strlen(b), i, j;
	int cost, v;

	if (la > N || lb > N)
		return INT_MAX;
	for (i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (i = 1; i <= la; i++) {
		for (j = 1; j <= lb; j++) {
			cost = lower(a[i - 1]) != lower(b[j - 1]);
			v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 &&
			    lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) &&
			    d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	}
	return d[la][lb];
}

static const char *
closest_key(const struct key *table, const char *name)
{
	const char *best = NULL;
	int bestd = 3, dist;

	for (; table->name != NULL; table++) {
		dist = edit_distance(name, table->name);
		if (dist < bestd) {
			best = table->name;
			bestd = dist;
		}
	}
	return best;
}

/* --- values -------------------------------------------------------------- */

static int
set_string(struct loader *ld, char **dst, const char *value)
{
	char *copy;

	if ((copy = strdup(value)) == NULL)
		return nomem(ld);
	free(*dst);
	*dst = copy;
	return 0;
}

static int
set_path(struct loader *ld, struct conf_path *p, const char *value,
    unsigned int line)
{
	if (set_string(ld, &p->path, value) == -1)
		return -1;
	p->line = (int)line;
	return 0;
}

/*
 * The string value of s, or NULL after saying it is something else.
 */
static const char *
get_string(struct loader *ld, const config_setting_t *s, const char *name)
{
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		bad(ld, s, "%s: expected a string", name);
		return NULL;
	}
	return config_setting_get_string(s);
}

static int
is_name_char(char ch)
{
	return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
	    (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '*';
}

/*
 * Find "name = NUMBER" (or "name: NUMBER") in one source line and read the
 * number as written.  Returns 1 when found, with errno ERANGE kept in
 * *range when it does not even fit a long long.
 */
static int
scan_number(const char *text, const char *name, long long *out, int *range)
{
	const char *p = text, *q;
	char *end;
	size_t len = strlen(name);
	int base;

	while ((p = strstr(p, name)) != NULL) {
		q = p + len;
		if ((p > text && is_name_char(p[-1])) || is_name_char(*q)) {
			p = q;
			continue;
		}
		while (*q == ' ' || *q == '\t')
			q++;
		if (*q != '=' && *q != ':') {
			p = q;
			continue;
		}
		q++;
		while (*q == ' ' || *q == '\t')
			q++;
		base = 10;
		if (q[0] == '0' && (q[1] == 'x' || q[1] == 'X'))
			base = 16;
		errno = 0;
		*out = strtoll(q, &end, base);
		if (end == q)
			return 0;
		*range = errno == ERANGE;
		return 1;
	}
	return 0;
}

/*
 * libconfig 1.5 keeps an integer written without the L suffix in an int
 * even when it does not fit: 3000000000 reads as -1294967296, and one
 * digit too many in max_age_s could pass as some other value in range.
 * So read the number back from the source line; when the two differ, the
 * one written is the truth.  Returns 1 when it differs.
 */
static int
int_as_written(const config_setting_t *s, long long *out, int *range)
{
	const char *file = config_setting_source_file(s);
	const char *name = config_setting_name(s);
	unsigned int want = config_setting_source_line(s), n = 0;
	char *line = NULL;
	size_t cap = 0;
	FILE *fp;
	long long v = 0;
	int found = 0;

	/* Only a check: if the file cannot be read again, trust libconfig. */
	if (file == NULL || name == NULL || want == 0)
		return 0;
	if ((fp = fopen(file, "r")) == NULL)
		return 0;
	while (getline(&line, &cap, fp) != -1) {
		if (++n == want) {
			found = scan_number(line, name, &v, range);
			break;
		}
	}
	free(line);
	fclose(fp);
	if (!found || (!*range && v == config_setting_get_int(s)))
		return 0;
	*out = v;
	return 1;
}

/*
 * The integer value of s within [min, max]; -1 after saying what is
 * wrong.  Both int and int64 ("L") settings are integers.
 */
static int
get_integer(struct loader *ld, const config_setting_t *s, const char *name,
    long long min, long long max, long long *out)
{
	long long v;
	int range = 0;

	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		if (int_as_written(s, &v, &range) && range) {
			bad(ld, s, "%s: number too large (range %lld to %lld)",
			    name, min, max);
			return -1;
		}
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		bad(ld, s, "%s: expected an integer", name);
		return -1;
	}
	if (v < min || v > max) {
		bad(ld, s, "%s: %lld is out of range (%lld to %lld)", name, v,
		    min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int	 walk_group(struct loader *, const config_setting_t *,
		    const struct key *, const char *);

/* Read one key of a table into its place; -1 only when out of memory. */
static int
read_key(struct loader *ld, const config_setting_t *s, const struct key *k,
    const char *name)
{
	char *base = (char *)ld->c, *copy, why[CONF_SHOW_MAX];
	const char *v, *msg;
	long long n;
	int b;

	switch (k->type) {
	case KEY_STRING:
		if ((v = get_string(ld, s, name)) == NULL)
			return 0;
		if ((copy = strdup(v)) == NULL)
			return nomem(ld);
		if (k->check != NULL && (msg = k->check(copy)) != NULL) {
			if (k->quiet)
				bad(ld, s, "%s: %s", name, msg);
			else
				bad(ld, s, "%s: \"%s\" %s", name,
				    show(v, why, sizeof(why)), msg);
			free(copy);
			return 0;
		}
		free(*(char **)(void *)(base + k->off));
		*(char **)(void *)(base + k->off) = copy;
		return 0;
	case KEY_PATH:
	case KEY_OPT_PATH:
		if ((v = get_string(ld, s, name)) == NULL)
			return 0;
		if (k->type == KEY_PATH && *v == '\0') {
			bad(ld, s, "%s: must not be empty", name);
			return 0;
		}
		return set_path(ld, (struct conf_path *)(void *)(base + k->off),
		    v, config_setting_source_line(s));
	case KEY_INT:
		if (get_integer(ld, s, name, k->min, k->max, &n) == 0)
			*(int *)(void *)(base + k->off) = (int)n;
		return 0;
	case KEY_LONG:
		if (get_integer(ld, s, name, k->min, k->max, &n) == 0)
			*(long *)(void *)(base + k->off) = (long)n;
		return 0;
	case KEY_SIZE:
		if (get_integer(ld, s, name, k->min, k->max, &n) == 0)
			*(size_t *)(void *)(base + k->off) = (size_t)n;
		return 0;
	case KEY_BOOL:
		if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
			bad(ld, s, "%s: expected true or false", name);
			return 0;
		}
		b = config_setting_get_bool(s);
		*(int *)(void *)(base + k->off) = b != 0;
		return 0;
	case KEY_GROUP:
		if (!config_setting_is_group(s)) {
			bad(ld, s, "%s: expected a group ({ ... })", name);
			return 0;
		}
		return walk_group(ld, s, k->group, name);
	case KEY_SPECIAL:
		return k->special(ld, s, name);
	}
	return 0;
}

/*
 * Every member of group must be a key of table: one unknown key is an
 * error, with the closest known key as a hint, and the walk goes on.
 */
static int
walk_group(struct loader *ld, const config_setting_t *group,
    const struct key *table, const char *prefix)
{
	const config_setting_t *s;
	const struct key *k;
	const char *name, *hint;
	char full[CONF_NAME_MAX];
	int i, len;

	len = config_setting_length(group);
	for (i = 0; i < len; i++) {
		if ((s = config_setting_get_elem(group, (unsigned int)i)) == NULL)
			continue;
		name = config_setting_name(s);
		snprintf(full, sizeof(full), "%s%s%s", prefix,
		    *prefix != '\0' ? "." : "", name);
		for (k = table; k->name != NULL; k++)
			if (strcmp(k->name, name) == 0)
				break;
		if (k->name == NULL) {
			if ((hint = closest_key(table, name)) != NULL)
				bad(ld, s, "unknown key '%s' (did you mean "
				    "'%s'?)", full, hint);
			else
				bad(ld, s, "unknown key '%s'", full);
			continue;
		}
		if (read_key(ld, s, k, full) == -1)
			return -1;
	}
	return 0;
}

/* --- keys with a function of their own ------------------------------------ */

/* Kept for after the walk: setting both is the error, not either one. */
static int
set_secret_file(struct loader *ld, const config_setting_t *s,
    const char *name)
{
	if (strcmp(config_setting_name(s), "secret_file") == 0)
		ld->secret_file = s;
	else
		ld->secret_files = s;
	return 0;
}

static int
set_encoding(struct loader *ld, const config_setting_t *s, const char *name)
{
	const char *v;
	char why[CONF_SHOW_MAX];

	if ((v = get_string(ld, s, name)) == NULL)
		return 0;
	if (strcmp(v, "hex") == 0)
		ld->c->receiver.signature_encoding = CONF_SIG_HEX;
	else if (strcmp(v, "base64") == 0)
		ld->c->receiver.signature_encoding = CONF_SIG_BASE64;
	else
		bad(ld, s, "%s: \"%s\" is not \"hex\" or \"base64\"", name,
		    show(v, why, sizeof(why)));
	return 0;
}

static int
set_client_id(struct loader *ld, const config_setting_t *s, const char *name)
{
	const char *v;

	if ((v = get_string(ld, s, name)) == NULL)
		return 0;
	if (set_string(ld, &ld->c->genesys.client_id, v) == -1)
		return -1;
	ld->c->genesys.client_id_line = (int)config_setting_source_line(s);
	return 0;
}

/*
 * The file's words come after the defaults; a word the defaults already
 * have (in any case) takes the default's place instead.
 */
static int
set_status_map(struct loader *ld, const config_setting_t *s,
    const char *name)
{
	struct conf *c = ld->c;
	struct conf_status_map *m;
	const config_setting_t *e;
	const char *word, *to;
	char why[CONF_SHOW_MAX];
	int i, len;
	size_t j;

	if (!config_setting_is_group(s)) {
		bad(ld, s, "%s: expected a group of word = \"STATUS\"", name);
		return 0;
	}
	len = config_setting_length(s);
	for (i = 0; i < len; i++) {
		if ((e = config_setting_get_elem(s, (unsigned int)i)) == NULL)
			continue;
		word = config_setting_name(e);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			bad(ld, e, "%s.%s: expected a string", name, word);
			continue;
		}
		to = config_setting_get_string(e);
		if (!conf_is_genesys_status(to)) {
			bad(ld, e, "%s.%s: \"%s\" is not a Genesys routing "
			    "status (OFF_QUEUE, IDLE, INTERACTING, "
			    "NOT_RESPONDING, COMMUNICATING)", name, word,
			    show(to, why, sizeof(why)));
			continue;
		}
		for (j = 0; j < c->routing.nstatus_map; j++)
			if (strcasecmp(c->routing.status_map[j].from, word) == 0)
				break;
		if (j == CONF_MAX_STATUS_MAP) {
			bad(ld, e, "%s: more than %d words", name,
			    CONF_MAX_STATUS_MAP);
			return 0;
		}
		m = &c->routing.status_map[j];
		if (set_string(ld, &m->from, word) == -1 ||
		    set_string(ld, &m->to, to) == -1)
			return -1;
		if (j == c->routing.nstatus_map)
			c->routing.nstatus_map++;
	}
	return 0;
}

/* A list of "http(s)://host:port" URLs, without a path. */
static int
set_etcd_endpoints(struct loader *ld, const config_setting_t *s,
    const char *name)
{
	struct conf *c = ld->c;
	const config_setting_t *e;
	const char *v, *host;
	char why[CONF_SHOW_MAX];
	int i, len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		bad(ld, s, "%s: expected a list of URLs ([\"https://...\", ...])",
		    name);
		return 0;
	}
	len = config_setting_length(s);
	if (len < 1 || len > CONF_MAX_ETCD) {
		bad(ld, s, "%s: between 1 and %d URLs, not %d", name,
		    CONF_MAX_ETCD, len);
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((e = config_setting_get_elem(s, (unsigned int)i)) == NULL)
			continue;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			bad(ld, s, "%s[%d]: expected a string", name, i);
			continue;
		}
		v = config_setting_get_string(e);
		host = strncmp(v, "https://", 8) == 0 ? v + 8 :
		    strncmp(v, "http://", 7) == 0 ? v + 7 : NULL;
		if (host == NULL || *host == '\0' || strchr(host, '/') != NULL ||
		    has_space_or_control(v)) {
			bad(ld, s, "%s[%d]: \"%s\" is not http(s)://HOST:PORT",
			    name, i, show(v, why, sizeof(why)));
			continue;
		}
		if (set_string(ld, &c->cluster.etcd_endpoints[
		    c->cluster.netcd_endpoints], v) == -1)
			return -1;
		c->cluster.netcd_endpoints++;
	}
	return 0;
}

/* Keys are built as prefix + "locks/<user>": a path-like prefix. */
static const char *
check_etcd_prefix(char *v)
{
	const char *p;

	if (v[0] != '/' || v[strlen(v) - 1] != '/')
		return "must start and end with '/'";
	for (p = v; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return "must be visible ASCII";
	if (p - v > 64)
		return "is longer than 64 characters";
	return NULL;
}

/*
 * A header name as it can reach us through FastCGI: letters, digits and
 * '-'.  Other token characters are legal HTTP, but nginx drops such
 * headers by default (ignore_invalid_headers, underscores_in_headers), and
 * '_' would make two headers map to the same HTTP_ parameter.
 */
static const char *
check_header(char *v)
{
	const char *p;

	if (*v == '\0')
		return "is empty";
	for (p = v; *p != '\0'; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || *p == '-'))
			return "is not a header name (letters, digits and '-')";
	if (p - v > 64)
		return "is longer than 64 characters";
	return NULL;
}

/* The prefix is compared with the start of a header value: visible ASCII. */
static const char *
check_prefix(char *v)
{
	const char *p;

	for (p = v; *p != '\0'; p++)
		if (*p <= 0x20 || *p >= 0x7f)
			return "may hold only visible ASCII characters";
	if (p - v > CONF_PREFIX_MAX)
		return "is too long for a signature header";
	return NULL;
}

/* A DNS name: labels of letters, digits and '-', joined by '.'. */
static const char *
check_domain(char *v)
{
	const char *p, *label = v;
	static const char *const notdomain =
	    "is not a domain (letters, digits, '-' and '.')";

	if (*v == '\0')
		return "is empty";
	if (strlen(v) > 253)
		return "is longer than 253 characters";
	for (p = v;; p++) {
		if (*p == '.' || *p == '\0') {
			if (p == label || p - label > 63 || *label == '-' ||
			    p[-1] == '-')
				return notdomain;
			if (*p == '\0')
				break;
			label = p + 1;
		} else if (!((*p >= 'a' && *p <= 'z') ||
		    (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
		    *p == '-'))
			return notdomain;
	}
	return NULL;
}

static int
has_space_or_control(const char *v)
{
	for (; *v != '\0'; v++)
		if ((unsigned char)*v <= 0x20 || *v == 0x7f)
			return 1;
	return 0;
}

/*
 * Paths are appended to a base, so one trailing '/' is dropped rather than
 * doubled; the stand-in and the real API both speak only TLS.  A user name
 * and password have no place here (OAuth does that), and would end up in
 * messages and logs: these keys are quiet, and refuse them.
 */
static const char *
check_base_url(char *v)
{
	size_t len = strlen(v), host;
	static const char scheme[] = "https://";

	if (strncmp(v, scheme, sizeof(scheme) - 1) != 0)
		return "must start with https://";
	host = sizeof(scheme) - 1;
	if (memchr(v + host, '@', strcspn(v + host, "/")) != NULL)
		return "must not hold a user name or password";
	if (len > host && v[len - 1] == '/')
		v[--len] = '\0';
	if (len == host || v[host] == '/')
		return "has no host";
	if (v[len - 1] == '/')
		return "must not end with '/'";
	if (has_space_or_control(v) || strpbrk(v, "?#") != NULL)
		return "is not a base URL";
	return NULL;
}

static const char *
check_url_path(char *v)
{
	if (*v != '/')
		return "must start with '/'";
	if (has_space_or_control(v) || strpbrk(v, "?#") != NULL)
		return "is not a URL path";
	return NULL;
}

/* --- after the walk ------------------------------------------------- */

static int
finish_secret_files(struct loader *ld)
{
	struct conf *c = ld->c;
	const config_setting_t *s, *e;
	const char *v;
	char name[CONF_NAME_MAX];
	int i, len;

	if (ld->secret_file != NULL && ld->secret_files != NULL) {
		s = config_setting_source_line(ld->secret_file) >
		    config_setting_source_line(ld->secret_files) ?
		    ld->secret_file : ld->secret_files;
		bad(ld, s, "receiver: secret_file and secret_files are both "
		    "set; use one");
		return 0;
	}
	if ((s = ld->secret_file) != NULL) {
		if ((v = get_string(ld, s, "receiver.secret_file")) == NULL)
			return 0;
		if (*v == '\0') {
			bad(ld, s, "receiver.secret_file: must not be empty");
			return 0;
		}
		if (set_path(ld, &c->receiver.secret_files[0], v,
		    config_setting_source_line(s)) == -1)
			return -1;
		c->receiver.nsecret_files = 1;
		return 0;
	}
	if ((s = ld->secret_files) == NULL) {
		if (set_path(ld, &c->receiver.secret_files[0],
		    DEFAULT_SECRET_FILE, 0) == -1)
			return -1;
		c->receiver.nsecret_files = 1;
		return 0;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		bad(ld, s, "receiver.secret_files: expected a list of paths "
		    "([\"...\", ...])");
		return 0;
	}
	len = config_setting_length(s);
	if (len < 1 || len > CONF_MAX_SECRETS) {
		bad(ld, s, "receiver.secret_files: expected 1 to %d paths, "
		    "not %d", CONF_MAX_SECRETS, len);
		return 0;
	}
	/*
	 * Lines are the key's, not the element's: libconfig 1.5 gives an
	 * element the line of the token after it.  Messages name the element
	 * by its index instead.
	 */
	for (i = 0; i < len; i++) {
		if ((e = config_setting_get_elem(s, (unsigned int)i)) == NULL)
			continue;
		snprintf(name, sizeof(name), "receiver.secret_files[%d]", i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			bad(ld, s, "%s: expected a string", name);
			continue;
		}
		v = config_setting_get_string(e);
		if (*v == '\0') {
			bad(ld, s, "%s: must not be empty", name);
			continue;
		}
		if (set_path(ld, &c->receiver.secret_files[i], v,
		    config_setting_source_line(s)) == -1)
			return -1;
		c->receiver.nsecret_files = (size_t)i + 1;
	}
	return 0;
}

/* "X-Hub-Signature-256" arrives as the FastCGI parameter HTTP_X_HUB_... */
static int
finish_signature_param(struct loader *ld)
{
	const char *h = ld->c->receiver.signature_header;
	char *p;
	size_t i, len = strlen(h);

	if ((p = malloc(len + sizeof("HTTP_"))) == NULL)
		return nomem(ld);
	memcpy(p, "HTTP_", 5);
	for (i = 0; i <= len; i++) {
		if (h[i] == '-')
			p[5 + i] = '_';
		else if (h[i] >= 'a' && h[i] <= 'z')
			p[5 + i] = (char)(h[i] - 'a' + 'A');
		else
			p[5 + i] = h[i];
	}
	free(ld->c->receiver.signature_param);
	ld->c->receiver.signature_param = p;
	return 0;
}

static int
derive_base(struct loader *ld, char **dst, const char *host)
{
	const char *region = ld->c->genesys.region;
	size_t len;

	if (*dst != NULL)
		return 0;
	len = sizeof("https://.") + strlen(host) + strlen(region);
	if ((*dst = malloc(len)) == NULL)
		return nomem(ld);
	snprintf(*dst, len, "https://%s.%s", host, region);
	return 0;
}

/* Whether the value in struct conf is the one s holds (s unset: yes). */
static int
value_taken(const config_setting_t *s, long v)
{
	if (s == NULL)
		return 1;
	if (config_setting_type(s) == CONFIG_TYPE_INT)
		return config_setting_get_int(s) == v;
	if (config_setting_type(s) == CONFIG_TYPE_INT64)
		return config_setting_get_int64(s) == v;
	return 0;
}

/*
 * The message names both keys and stands on the line of the one set.  A
 * key already found bad is not compared again: its default would stand
 * in for it and the message would be about a number nobody wrote.
 */
static void
finish_backoff(struct loader *ld)
{
	const struct conf *c = ld->c;

	if (c->worker.backoff_max_ms >= c->worker.backoff_min_ms ||
	    !value_taken(ld->backoff_min, c->worker.backoff_min_ms) ||
	    !value_taken(ld->backoff_max, c->worker.backoff_max_ms))
		return;
	bad(ld, ld->backoff_max != NULL ? ld->backoff_max : ld->backoff_min,
	    "worker.backoff_max_ms %ld%s is less than worker.backoff_min_ms "
	    "%ld%s", c->worker.backoff_max_ms,
	    ld->backoff_max != NULL ? "" : " (default)",
	    c->worker.backoff_min_ms,
	    ld->backoff_min != NULL ? "" : " (default)");
}

/*
 * A user's lock lives as long as its holder's lease: shorter than a call,
 * it could pass to another host while the call is still in flight.
 */
static void
finish_cluster(struct loader *ld)
{
	struct conf *c = ld->c;

	if (ld->cluster == NULL)
		return;
	if (c->cluster.netcd_endpoints == 0) {
		if (config_setting_get_member(ld->cluster, "etcd_endpoints") ==
		    NULL)
			bad(ld, ld->cluster, "cluster: etcd_endpoints is "
			    "missing (remove the section for one host)");
		return;
	}
	c->cluster.enabled = 1;
	if (c->cluster.lease_ttl_s * 1000 <= c->genesys.timeout_ms)
		bad(ld, ld->cluster, "cluster.lease_ttl_s %ld is not longer "
		    "than genesys.timeout_ms %ld: a user's lock could expire "
		    "while its call is in flight", c->cluster.lease_ttl_s,
		    c->genesys.timeout_ms);
}

/* --- loading ------------------------------------------------------------- */

static int
set_defaults(struct loader *ld)
{
	struct conf *c = ld->c;
	size_t i;

	if (set_path(ld, &c->spool_dir, DEFAULT_SPOOL_DIR, 0) == -1 ||
	    set_string(ld, &c->receiver.signature_header,
	    DEFAULT_SIG_HEADER) == -1 ||
	    set_string(ld, &c->receiver.signature_prefix, "") == -1 ||
	    set_string(ld, &c->genesys.region, DEFAULT_REGION) == -1 ||
	    set_string(ld, &c->genesys.client_id, "") == -1 ||
	    set_path(ld, &c->genesys.client_secret_file,
	    DEFAULT_CLIENT_SECRET, 0) == -1 ||
	    set_path(ld, &c->genesys.ca_file, "", 0) == -1 ||
	    set_string(ld, &c->genesys.webhook_path,
	    DEFAULT_WEBHOOK_PATH) == -1 ||
	    set_path(ld, &c->worker.metrics_file, "", 0) == -1 ||
	    set_path(ld, &c->audit.file, DEFAULT_AUDIT_FILE, 0) == -1 ||
	    set_string(ld, &c->cluster.prefix, "/routehook/") == -1 ||
	    set_path(ld, &c->cluster.ca_file, "", 0) == -1 ||
	    set_path(ld, &c->cluster.cert_file, "", 0) == -1 ||
	    set_path(ld, &c->cluster.key_file, "", 0) == -1)
		return -1;
	c->cluster.lease_ttl_s = 10;
	c->receiver.signature_encoding = CONF_SIG_HEX;
	c->receiver.max_body_bytes = 65536;
	c->receiver.fsync = 1;
	c->genesys.timeout_ms = 10000;
	c->genesys.requests_per_minute = 300;
	c->worker.concurrency = 8;
	c->worker.backoff_min_ms = 1000;
	c->worker.backoff_max_ms = 300000;
	c->worker.max_attempts = 10;
	c->worker.max_age_s = 86400;
	c->sla.threshold_ms = 500;
	for (i = 0; i < NELEM(default_status_map); i++) {
		if (set_string(ld, &c->routing.status_map[i].from,
		    default_status_map[i].from) == -1 ||
		    set_string(ld, &c->routing.status_map[i].to,
		    default_status_map[i].to) == -1)
			return -1;
		c->routing.nstatus_map = i + 1;
	}
	return 0;
}

/* Why config_read_file() could not read path: it keeps no errno. */
static void
file_error(struct loader *ld, const char *path)
{
	struct stat st;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errs_add(&ld->errs, path, 0, "%s", strerror(errno));
		return;
	}
	if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		errs_add(&ld->errs, path, 0, "is a directory");
	else
		errs_add(&ld->errs, path, 0, "cannot be read");
	close(fd);
}

const char *
conf_path(const char *arg)
{
	const char *env;

	if (arg != NULL)
		return arg;
	env = getenv(CONF_ENV);
	if (env != NULL && *env != '\0')
		return env;
	return CONF_DEFAULT_PATH;
}

int
conf_load(struct conf *c, const char *path, char *err, size_t errsz)
{
	struct loader ld;
	config_t cfg;
	int cfg_init = 0;

	memset(c, 0, sizeof(*c));
	memset(&ld, 0, sizeof(ld));
	ld.c = c;
	errs_init(&ld.errs, err, errsz);
	if (path == NULL)
		path = conf_path(NULL);
	if (*path == '\0') {
		/* "-c ''": open("") would only say ENOENT about nothing. */
		errs_line(&ld.errs, "no configuration file named");
		goto fail;
	}
	if ((c->file = strdup(path)) == NULL) {
		errs_add(&ld.errs, path, 0, "out of memory");
		goto fail;
	}
	if (set_defaults(&ld) == -1)
		goto fail;

	config_init(&cfg);
	cfg_init = 1;
	if (!config_read_file(&cfg, path)) {
		if (config_error_type(&cfg) == CONFIG_ERR_FILE_IO)
			file_error(&ld, path);
		else
			errs_add(&ld.errs, config_error_file(&cfg) != NULL ?
			    config_error_file(&cfg) : path,
			    (unsigned int)config_error_line(&cfg), "%s",
			    config_error_text(&cfg));
		goto fail;
	}
	if (walk_group(&ld, config_root_setting(&cfg), top_keys, "") == -1)
		goto fail;

	/* Where the cross-check's message goes, found after the walk. */
	ld.backoff_min = config_lookup(&cfg, "worker.backoff_min_ms");
	ld.backoff_max = config_lookup(&cfg, "worker.backoff_max_ms");
	finish_backoff(&ld);
	ld.cluster = config_lookup(&cfg, "cluster");
	finish_cluster(&ld);
	if (finish_secret_files(&ld) == -1 ||
	    finish_signature_param(&ld) == -1 ||
	    derive_base(&ld, &c->genesys.api_base, "api") == -1 ||
	    derive_base(&ld, &c->genesys.login_base, "login") == -1)
		goto fail;
	if (ld.errs.n > 0)
		goto fail;

	/* Every value is a copy: the parsed tree can go now. */
	config_destroy(&cfg);
	return 0;

fail:
	if (cfg_init)
		config_destroy(&cfg);
	conf_free(c);
	return -1;
}

void
conf_free(struct conf *c)
{
	size_t i;

	if (c == NULL)
		return;
	free(c->file);
	free(c->spool_dir.path);
	for (i = 0; i < CONF_MAX_SECRETS; i++)
		free(c->receiver.secret_files[i].path);
	free(c->receiver.signature_header);
	free(c->receiver.signature_param);
	free(c->receiver.signature_prefix);
	free(c->genesys.region);
	free(c->genesys.api_base);
	free(c->genesys.login_base);
	free(c->genesys.client_id);
	free(c->genesys.client_secret_file.path);
	free(c->genesys.ca_file.path);
	free(c->genesys.webhook_path);
	free(c->worker.metrics_file.path);
	free(c->audit.file.path);
	for (i = 0; i < CONF_MAX_ETCD; i++)
		free(c->cluster.etcd_endpoints[i]);
	free(c->cluster.prefix);
	free(c->cluster.ca_file.path);
	free(c->cluster.cert_file.path);
	free(c->cluster.key_file.path);
	for (i = 0; i < CONF_MAX_STATUS_MAP; i++) {
		free(c->routing.status_map[i].from);
		free(c->routing.status_map[i].to);
	}
	OPENSSL_cleanse(c->receiver.secrets, sizeof(c->receiver.secrets));
	OPENSSL_cleanse(&c->genesys.client_secret,
	    sizeof(c->genesys.client_secret));
	memset(c, 0, sizeof(*c));
}

/* --- secrets -------------------------------------------------------- */

#if defined(__GNUC__)
__attribute__((format(printf, 6, 7)))
#endif
static void
secret_error(const struct conf *c, const struct conf_path *p,
    const char *key, char *err, size_t errsz, const char *fmt, ...)
{
	char why[CONF_LINE_MAX];
	const char *file = c != NULL && c->file != NULL ? c->file :
	    CONF_DEFAULT_PATH;
	const char *path = p->path != NULL ? p->path : "";
	va_list ap;

	if (err == NULL || errsz == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->line > 0)
		snprintf(err, errsz, "%s:%d: %s: %s: %s", file, p->line, key,
		    path, why);
	else
		snprintf(err, errsz, "%s: %s (default) %s: %s", file, key,
		    path, why);
}

/*
 * O_NONBLOCK so that a FIFO in the secret's place cannot hang us before
 * fstat() says it is not a regular file.  Symbolic links are followed on
 * purpose: secret stores (Kubernetes, systemd credentials) link them.
 */
int
conf_read_secret(const struct conf *c, const struct conf_path *p,
    const char *key, struct conf_secret *out, char *err, size_t errsz)
{
	unsigned char buf[CONF_SECRET_MAX + 1];
	unsigned char *nl;
	struct stat st;
	size_t len = 0;
	ssize_t n;
	int fd = -1;

	if (err != NULL && errsz > 0)
		err[0] = '\0';
	OPENSSL_cleanse(out, sizeof(*out));
	out->len = 0;
	if (p->path == NULL || p->path[0] == '\0') {
		secret_error(c, p, key, err, errsz, "no file given");
		goto fail;
	}
	if ((fd = open(p->path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)) == -1) {
		secret_error(c, p, key, err, errsz, "%s", strerror(errno));
		goto fail;
	}
	if (fstat(fd, &st) == -1) {
		secret_error(c, p, key, err, errsz, "%s", strerror(errno));
		goto fail;
	}
	if (!S_ISREG(st.st_mode)) {
		secret_error(c, p, key, err, errsz, "not a regular file");
		goto fail;
	}
	/* One byte more than allowed tells a full file from a long one. */
	while (len < sizeof(buf)) {
		n = read(fd, buf + len, sizeof(buf) - len);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			secret_error(c, p, key, err, errsz, "%s",
			    strerror(errno));
			goto fail;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	if (len > CONF_SECRET_MAX) {
		secret_error(c, p, key, err, errsz, "secret file too long "
		    "(more than %d bytes)", CONF_SECRET_MAX);
		goto fail;
	}
	if ((nl = memchr(buf, '\n', len)) != NULL)
		len = (size_t)(nl - buf);
	if (len > 0 && buf[len - 1] == '\r')
		len--;
	if (len == 0) {
		secret_error(c, p, key, err, errsz, "no secret on the first "
		    "line");
		goto fail;
	}
	if (close(fd) == -1) {
		fd = -1;
		secret_error(c, p, key, err, errsz, "%s", strerror(errno));
		goto fail;
	}
	memcpy(out->key, buf, len);
	out->len = len;
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;

fail:
	if (fd != -1)
		close(fd);
	OPENSSL_cleanse(buf, sizeof(buf));
	return -1;
}

/* Reads them all, so that every bad file is named at once. */
int
conf_read_webhook_secrets(struct conf *c, char *err, size_t errsz)
{
	static const struct conf_path dflt = { DEFAULT_SECRET_FILE, 0 };
	struct errs errs;
	const struct conf_path *paths = c->receiver.secret_files;
	char key[CONF_NAME_MAX], one[2 * CONF_LINE_MAX];
	size_t i, n = c->receiver.nsecret_files;

	errs_init(&errs, err, errsz);
	if (n == 0) {
		/* A struct not filled by conf_load(): the default file. */
		paths = &dflt;
		n = 1;
	}
	if (n > CONF_MAX_SECRETS)
		n = CONF_MAX_SECRETS;
	c->receiver.nsecrets = 0;
	for (i = 0; i < n; i++) {
		if (n > 1)
			snprintf(key, sizeof(key), "receiver.secret_files[%zu]",
			    i);
		else
			snprintf(key, sizeof(key), "receiver.secret_file");
		if (conf_read_secret(c, &paths[i], key,
		    &c->receiver.secrets[i], one, sizeof(one)) == -1)
			errs_line(&errs, one);
	}
	if (errs.n > 0) {
		OPENSSL_cleanse(c->receiver.secrets,
		    sizeof(c->receiver.secrets));
		return -1;
	}
	c->receiver.nsecrets = n;
	return 0;
}

int
conf_read_client_secret(struct conf *c, char *err, size_t errsz)
{
	return conf_read_secret(c, &c->genesys.client_secret_file,
	    "genesys.client_secret_file", &c->genesys.client_secret, err,
	    errsz);
}

/* --- statuses ----------------------------------------------------------- */

int
conf_is_genesys_status(const char *s)
{
	size_t i;

	if (s == NULL)
		return 0;
	for (i = 0; i < NELEM(genesys_statuses); i++)
		if (strcmp(s, genesys_statuses[i]) == 0)
			return 1;
	return 0;
}

/*
 * The map is asked first, so a file can even remap a Genesys word; what
 * it does not know passes through only when it is a Genesys status as
 * Genesys spells it.
 */
const char *
conf_map_status(const struct conf *c, const char *word)
{
	size_t i;

	if (word == NULL)
		return NULL;
	for (i = 0; i < c->routing.nstatus_map; i++)
		if (strcasecmp(c->routing.status_map[i].from, word) == 0)
			return c->routing.status_map[i].to;
	for (i = 0; i < NELEM(genesys_statuses); i++)
		if (strcmp(word, genesys_statuses[i]) == 0)
			return genesys_statuses[i];
	return NULL;
}
