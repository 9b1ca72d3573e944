/*
 * conf: read, default and check the routehook configuration file (see
 * conf.h for the interface and etc/routehook.conf for every key).
 *
 * The schema is a set of tables, one per group, in which one row says
 * all there is about a key: its name, where its value goes in struct conf,
 * its type, its default and its range (Postfix's qmgr.c tables are the
 * model).  conf_load() installs every row's default first, then walks the
 * file once against the tables, so an unknown key is found by the same
 * walk that reads the known ones; a few keys that need more than a type
 * and a range (the secret files, the client id, the status map) have a
 * function of their own, which also installs their default.  Checks that
 * involve two keys, and values derived from others (the API URLs from the
 * region, the FastCGI name of the signature header), come after the walk.
 *
 * libconfig 1.5 (Debian 12 ships 1.5-0.4) gets two things wrong that the
 * messages depend on; the section "libconfig 1.5" holds what works
 * around them, and nothing else does.
 *
 * Failure: conf_load() reports every problem it finds, one "FILE:LINE:
 * message" per line in the caller's buffer, and returns -1 if there was
 * any, leaving *c zeroed.  A syntax error stops libconfig at the first one,
 * so that is the only line then.  Running out of memory stops the walk.
 * Secret files are secret.c's to read, not ours.
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

#include "conf.h"
#include "err.h"
#include "event.h"
#include "hmac.h"

#define CONF_LINE_MAX	1024	/* one message, before it joins err */
#define CONF_NAME_MAX	128	/* "receiver.secret_files[7]" and the like */
#define CONF_SHOW_MAX	48	/* a value quoted back in a message */

/*
 * The longest signature prefix hmac_format() can still fit in front of a
 * hex digest in HMAC_TEXT_MAX bytes.
 */
#define CONF_PREFIX_MAX	(HMAC_TEXT_MAX - 2 * HMAC_LEN - 1)

/* One conf_load() in progress. */
struct loader {
	struct conf			*c;
	struct err_lines		 errs;	/* problems found so far */
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
	KEY_ENUM,	/* int: the index of the value in key->names */
	KEY_KEYFILES,	/* struct conf_keyring: a list of secret files */
	KEY_GROUP,	/* a group of keys of its own */
	KEY_SPECIAL	/* read by key->special */
};

struct key {
	const char	*name;
	enum key_type	 type;
	size_t		 off;		/* where the value goes in struct conf */
	const char	*def;		/* the default of strings, paths, enums */
	long long	 defn;		/* the default of integers, booleans */
	long long	 min, max;	/* for the integers */
	const char	*const *names;	/* KEY_ENUM: its words, NULL-ended */
	/* KEY_STRING: why the (modifiable) value is bad, or NULL */
	const char	*(*check)(char *);
	int		 quiet;		/* never quote the value back */
	/*
	 * KEY_SPECIAL: read setting s of key k; with s NULL, install k's
	 * default.  0, or -1 when out of memory.
	 */
	int		 (*special)(struct loader *, const config_setting_t *s,
			    const struct key *k, const char *name);
	const struct key *group;	/* KEY_GROUP */
};

#define OFF(m)	offsetof(struct conf, m)

static int	 set_secret_file(struct loader *, const config_setting_t *,
		    const struct key *, const char *);
static int	 set_client_id(struct loader *, const config_setting_t *,
		    const struct key *, const char *);
static int	 set_status_map(struct loader *, const config_setting_t *,
		    const struct key *, const char *);
static int	 set_auth(struct loader *, const config_setting_t *,
		    const struct key *, const char *);
static int	 set_etcd_endpoints(struct loader *, const config_setting_t *,
		    const struct key *, const char *);
static const char	*check_header(char *);
static const char	*check_prefix(char *);
static const char	*check_domain(char *);
static const char	*check_base_url(char *);
static const char	*check_url_path(char *);
static const char	*check_etcd_prefix(char *);
static int	 has_space_or_control(const char *);
static const char	*check_mount(char *);

/*
 * One row per key, written with these: name, where it goes, default,
 * then the range or the check.  A default of NULL for a string is "not
 * set", for derived values (api_base and login_base from the region).
 */
#define STR(n, m, d, chk)	{ .name = n, .type = KEY_STRING, \
				  .off = OFF(m), .def = d, .check = chk }
#define QUIET_STR(n, m, d, chk)	{ .name = n, .type = KEY_STRING, \
				  .off = OFF(m), .def = d, .check = chk, \
				  .quiet = 1 }
#define PATH(n, m, d)		{ .name = n, .type = KEY_PATH, \
				  .off = OFF(m), .def = d }
#define OPT_PATH(n, m)		{ .name = n, .type = KEY_OPT_PATH, \
				  .off = OFF(m), .def = "" }
#define INT(n, m, d, lo, hi)	{ .name = n, .type = KEY_INT, \
				  .off = OFF(m), .defn = d, .min = lo, \
				  .max = hi }
#define LONG(n, m, d, lo, hi)	{ .name = n, .type = KEY_LONG, \
				  .off = OFF(m), .defn = d, .min = lo, \
				  .max = hi }
#define SIZE(n, m, d, lo, hi)	{ .name = n, .type = KEY_SIZE, \
				  .off = OFF(m), .defn = d, .min = lo, \
				  .max = hi }
#define BOOL(n, m, d)		{ .name = n, .type = KEY_BOOL, \
				  .off = OFF(m), .defn = d }
#define ENUM(n, m, d, w)	{ .name = n, .type = KEY_ENUM, \
				  .off = OFF(m), .def = d, .names = w }
#define SPECIAL(n, d, fn)	{ .name = n, .type = KEY_SPECIAL, \
				  .def = d, .special = fn }
#define KEYFILES(n, m, d)	{ .name = n, .type = KEY_KEYFILES, \
				  .off = OFF(m), .def = d }
#define GROUP(n, g)		{ .name = n, .type = KEY_GROUP, .group = g }
#define END			{ .name = NULL }

/* In the order of enum conf_sig_encoding. */
static const char *const sig_encodings[] = { "hex", "base64", NULL };

static const struct key standard_webhooks_keys[] = {
	KEYFILES("secret_files", receiver.standard_webhooks.keys,
	    "/etc/routehook/standard-webhooks.secret"),
	LONG("tolerance_s", receiver.standard_webhooks.tolerance_s, 300, 1,
	    86400),
	END
};

static const struct key api_key_keys[] = {
	STR("header", receiver.api_key.header, "X-API-Key", check_header),
	KEYFILES("secret_files", receiver.api_key.keys,
	    "/etc/routehook/api-key.secret"),
	END
};

static const struct key basic_keys[] = {
	KEYFILES("secret_files", receiver.basic.keys,
	    "/etc/routehook/basic.secret"),
	END
};

/*
 * dedup_window_s: an hour.  Senders retry within minutes (EventBridge
 * backs off over up to 24 hours, but most retries come early); what
 * comes later is still ordered by the event's own time, so a late replay
 * loses to anything newer.  An hour of records at 10 events a second is
 * 36000 symbolic links, pruned by a readdir every minute.
 */
static const struct key receiver_keys[] = {
	SPECIAL("auth", "hmac", set_auth),
	SPECIAL("secret_file", "/etc/routehook/webhook.secret",
	    set_secret_file),
	SPECIAL("secret_files", NULL, set_secret_file),
	STR("signature_header", receiver.signature_header,
	    "X-Genesys-Signature", check_header),
	ENUM("signature_encoding", receiver.signature_encoding, "hex",
	    sig_encodings),
	STR("signature_prefix", receiver.signature_prefix, "", check_prefix),
	SIZE("max_body_bytes", receiver.max_body_bytes, 65536, 1, 1048576),
	BOOL("fsync", receiver.fsync, 1),
	STR("mount", receiver.mount, "/routehook", check_mount),
	LONG("read_timeout_ms", receiver.read_timeout_ms, 2000, 10, 600000),
	GROUP("standard_webhooks", standard_webhooks_keys),
	GROUP("api_key", api_key_keys),
	GROUP("basic", basic_keys),
	LONG("dedup_window_s", receiver.dedup_window_s, 3600, 60, 2592000),
	BOOL("require_event_time", receiver.require_event_time, 1),
	END
};

static const struct key genesys_keys[] = {
	STR("region", genesys.region, "mypurecloud.com", check_domain),
	QUIET_STR("api_base", genesys.api_base, NULL, check_base_url),
	QUIET_STR("login_base", genesys.login_base, NULL, check_base_url),
	SPECIAL("client_id", "", set_client_id),
	PATH("client_secret_file", genesys.client_secret_file,
	    "/etc/routehook/client.secret"),
	OPT_PATH("ca_file", genesys.ca_file),
	LONG("timeout_ms", genesys.timeout_ms, 10000, 100, 600000),
	LONG("requests_per_minute", genesys.requests_per_minute, 300, 1,
	    100000),
	STR("webhook_path", genesys.webhook_path, "/api/v2/platform/webhooks",
	    check_url_path),
	END
};

/*
 * Keys with no natural upper bound stop at INT_MAX: that fits a long on
 * every platform, and leaves room for the callers' arithmetic in ms.
 */
static const struct key worker_keys[] = {
	INT("concurrency", worker.concurrency, 8, 1, 256),
	LONG("backoff_min_ms", worker.backoff_min_ms, 1000, 1, INT_MAX),
	LONG("backoff_max_ms", worker.backoff_max_ms, 300000, 1, INT_MAX),
	LONG("retry_after_max_s", worker.retry_after_max_s, 180, 1, 86400),
	INT("max_attempts", worker.max_attempts, 10, 1, 1000),
	LONG("max_age_s", worker.max_age_s, 86400, 1, INT_MAX),
	OPT_PATH("metrics_file", worker.metrics_file),
	END
};

static const struct key sla_keys[] = {
	LONG("threshold_ms", sla.threshold_ms, 500, 1, INT_MAX),
	END
};

static const struct key audit_keys[] = {
	PATH("file", audit.file, "/var/log/routehook/audit.jsonl"),
	END
};

/*
 * The built-in words are event.c's, beside the mapping that uses them.
 * unchanged_window_s: a minute, long enough for the org's notification
 * of routehook's own call to come back, short enough that an agent who
 * changed their own state meanwhile is not left in it for long.
 * queue_bulk_max: the API takes up to 100 members in one call.
 */
static const struct key routing_keys[] = {
	SPECIAL("status_map", NULL, set_status_map),
	LONG("unchanged_window_s", routing.unchanged_window_s, 60, 0, 86400),
	INT("queue_bulk_max", routing.queue_bulk_max, 100, 1, 100),
	END
};

/* lease_ttl_s: a host dead this long loses its locks to the others. */
static const struct key cluster_keys[] = {
	SPECIAL("etcd_endpoints", NULL, set_etcd_endpoints),
	STR("prefix", cluster.prefix, "/routehook/", check_etcd_prefix),
	LONG("lease_ttl_s", cluster.lease_ttl_s, 10, 2, 3600),
	OPT_PATH("ca_file", cluster.ca_file),
	OPT_PATH("cert_file", cluster.cert_file),
	OPT_PATH("key_file", cluster.key_file),
	END
};

static const struct key top_keys[] = {
	PATH("spool_dir", spool_dir, "/var/spool/routehook"),
	GROUP("receiver", receiver_keys),
	GROUP("genesys", genesys_keys),
	GROUP("worker", worker_keys),
	GROUP("sla", sla_keys),
	GROUP("audit", audit_keys),
	GROUP("routing", routing_keys),
	GROUP("cluster", cluster_keys),
	END
};

/* --- messages ---------------------------------------------------------- */

static void
errs_addv(struct err_lines *e, const char *file, unsigned int line,
    const char *fmt, va_list ap)
{
	char msg[CONF_LINE_MAX], full[2 * CONF_LINE_MAX];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (line > 0)
		snprintf(full, sizeof(full), "%s:%u: %s", file, line, msg);
	else
		snprintf(full, sizeof(full), "%s: %s", file, msg);
	err_lines_add(e, full);
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static void
errs_add(struct err_lines *e, const char *file, unsigned int line,
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

static unsigned int	elem_line(const config_setting_t *);
static int	read_path_list(struct loader *, const config_setting_t *,
		    const char *, struct conf_path *, size_t, size_t *);

/* A message about an element of list, on the line elem_line() gives. */
#if defined(__GNUC__)
__attribute__((format(printf, 3, 4)))
#endif
static void
bad_elem(struct loader *ld, const config_setting_t *list, const char *fmt,
    ...)
{
	va_list ap;

	va_start(ap, fmt);
	errs_addv(&ld->errs, setting_file(ld, list), elem_line(list), fmt, ap);
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

/* --- libconfig 1.5 --------------------------------------------------- *
 *
 * Two behaviours of libconfig 1.5 (checked on Debian 12's 1.5-0.4) that
 * would make a message wrong, and what we do about each.  Nothing outside
 * this section knows about them.
 *
 * 1. An integer written without the L suffix is kept in an int even when
 *    it does not fit: 3000000000 reads as -1294967296, and
 *    99999999999999999999 as -1, so one digit too many in max_age_s could
 *    pass as some other value in range.  int_as_written() reads the number
 *    back from its source line; when the two differ, the one written is
 *    the truth.
 *
 * 2. An element of a list or array reports the line of the token after
 *    it: in ["a",\n"b"\n] the "b" is said to be on the line of the "]".
 *    elem_line() gives the line of the list's key instead, and messages
 *    name the element by its index.
 */

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
 * The integer an int setting holds, as written: 1 when it differs from
 * what libconfig says, with *range set when it does not even fit a long
 * long; 0 when libconfig is right (or the file cannot be read again).
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

static unsigned int
elem_line(const config_setting_t *list)
{
	return config_setting_source_line(list);
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

/* "\"hex\" or \"base64\"", "\"a\", \"b\" or \"c\"" */
static const char *
enum_words(const char *const *names, char *buf, size_t size)
{
	size_t i, len = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; names[i] != NULL && len < size; i++) {
		n = snprintf(buf + len, size - len, "%s\"%s\"",
		    i == 0 ? "" : names[i + 1] == NULL ? " or " : ", ",
		    names[i]);
		if (n < 0)
			break;
		len += (size_t)n;
	}
	return buf;
}

/* Read one key of a table into its place; -1 only when out of memory. */
static int
read_key(struct loader *ld, const config_setting_t *s, const struct key *k,
    const char *name)
{
	char *base = (char *)ld->c, *copy, why[CONF_SHOW_MAX];
	char words[CONF_LINE_MAX];
	struct conf_keyring *kr;
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
	case KEY_ENUM:
		if ((v = get_string(ld, s, name)) == NULL)
			return 0;
		for (b = 0; k->names[b] != NULL; b++)
			if (strcmp(v, k->names[b]) == 0)
				break;
		if (k->names[b] == NULL) {
			bad(ld, s, "%s: \"%s\" is not %s", name,
			    show(v, why, sizeof(why)), enum_words(k->names,
			    words, sizeof(words)));
			return 0;
		}
		*(int *)(void *)(base + k->off) = b;
		return 0;
	case KEY_KEYFILES:
		kr = (struct conf_keyring *)(void *)(base + k->off);
		return read_path_list(ld, s, name, kr->files,
		    CONF_MAX_SECRETS, &kr->nfiles);
	case KEY_GROUP:
		if (!config_setting_is_group(s)) {
			bad(ld, s, "%s: expected a group ({ ... })", name);
			return 0;
		}
		return walk_group(ld, s, k->group, name);
	case KEY_SPECIAL:
		return k->special(ld, s, k, name);
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

/*
 * Kept for after the walk: setting both is the error, not either one.
 * secret_file's default is the one file of a list.
 */
static int
set_secret_file(struct loader *ld, const config_setting_t *s,
    const struct key *k, const char *name)
{
	struct conf *c = ld->c;

	if (s == NULL) {
		if (k->def == NULL)
			return 0;
		if (set_path(ld, &c->receiver.secret_files[0], k->def, 0) == -1)
			return -1;
		c->receiver.nsecret_files = 1;
		return 0;
	}
	if (strcmp(k->name, "secret_file") == 0)
		ld->secret_file = s;
	else
		ld->secret_files = s;
	return 0;
}

static int
set_client_id(struct loader *ld, const config_setting_t *s,
    const struct key *k, const char *name)
{
	const char *v;

	if (s == NULL)
		return set_string(ld, &ld->c->genesys.client_id, k->def);
	if ((v = get_string(ld, s, name)) == NULL)
		return 0;
	if (set_string(ld, &ld->c->genesys.client_id, v) == -1)
		return -1;
	ld->c->genesys.client_id_line = (int)config_setting_source_line(s);
	return 0;
}

/* In the order of the CONF_AUTH_* bits. */
static const char *const auth_names[] = {
	"hmac", "standard-webhooks", "api_key", "basic", NULL
};

/* One scheme's name into its bit; 0 after saying what is wrong. */
static unsigned
auth_bit(struct loader *ld, const config_setting_t *at,
    const config_setting_t *e, const char *name)
{
	char why[CONF_SHOW_MAX], words[CONF_LINE_MAX];
	const char *v;
	int i;

	if (config_setting_type(e) != CONFIG_TYPE_STRING) {
		bad_elem(ld, at, "%s: expected a string", name);
		return 0;
	}
	v = config_setting_get_string(e);
	for (i = 0; auth_names[i] != NULL; i++)
		if (strcmp(v, auth_names[i]) == 0)
			return 1u << i;
	bad_elem(ld, at, "%s: \"%s\" is not %s", name,
	    show(v, why, sizeof(why)), enum_words(auth_names, words,
	    sizeof(words)));
	return 0;
}

/* One scheme ("hmac") or a list of them (["hmac", "basic"]). */
static int
set_auth(struct loader *ld, const config_setting_t *s, const struct key *k,
    const char *name)
{
	const config_setting_t *e;
	char ename[CONF_NAME_MAX];
	unsigned bits = 0, bit;
	int i, len, ok = 1;

	if (s == NULL) {
		for (i = 0; auth_names[i] != NULL; i++)
			if (strcmp(k->def, auth_names[i]) == 0)
				ld->c->receiver.auth = 1u << i;
		return 0;
	}
	if (config_setting_type(s) == CONFIG_TYPE_STRING) {
		if ((bit = auth_bit(ld, s, s, name)) != 0)
			ld->c->receiver.auth = bit;
		return 0;
	}
	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		bad(ld, s, "%s: expected a scheme or a list of them "
		    "([\"hmac\", ...])", name);
		return 0;
	}
	if ((len = config_setting_length(s)) < 1) {
		bad(ld, s, "%s: the list is empty; name at least one scheme",
		    name);
		return 0;
	}
	for (i = 0; i < len; i++) {
		if ((e = config_setting_get_elem(s, (unsigned int)i)) == NULL)
			continue;
		snprintf(ename, sizeof(ename), "%s[%d]", name, i);
		if ((bit = auth_bit(ld, s, e, ename)) == 0) {
			ok = 0;
			continue;
		}
		if (bits & bit) {
			bad_elem(ld, s, "%s: \"%s\" is listed twice", ename,
			    config_setting_get_string(e));
			ok = 0;
		}
		bits |= bit;
	}
	if (ok)
		ld->c->receiver.auth = bits;
	return 0;
}

/*
 * The file's words come after the defaults; a word the defaults already
 * have (in any case) takes the default's place instead.
 */
static int
set_status_map(struct loader *ld, const config_setting_t *s,
    const struct key *k, const char *name)
{
	struct conf *c = ld->c;
	struct conf_status_map *m;
	const config_setting_t *e;
	const char *word, *to;
	char why[CONF_SHOW_MAX];
	int i, len;
	size_t j;

	if (s == NULL) {
		for (j = 0; j < event_ndefault_status_map; j++) {
			m = &c->routing.status_map[j];
			if (set_string(ld, &m->from,
			    event_default_status_map[j].from) == -1 ||
			    set_string(ld, &m->to,
			    event_default_status_map[j].to) == -1)
				return -1;
			c->routing.nstatus_map = j + 1;
		}
		return 0;
	}
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
		if (!event_is_genesys_status(to)) {
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
    const struct key *k, const char *name)
{
	struct conf *c = ld->c;
	const config_setting_t *e;
	const char *v, *host;
	char why[CONF_SHOW_MAX];
	int i, len;

	if (s == NULL)
		return 0;	/* none: no cluster */
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

/* The responder's mount: a URL path, "" for the root, no final '/'. */
static const char *
check_mount(char *v)
{
	const char *why;

	if (*v == '\0')
		return NULL;
	if ((why = check_url_path(v)) != NULL)
		return why;
	if (v[strlen(v) - 1] == '/')
		return "must not end in '/' (\"\" for the root)";
	return NULL;
}

/* --- after the walk ------------------------------------------------- */

/*
 * A list of 1 to max non-empty paths into paths[], *n of them; elements
 * are named by index.  0, or -1 when out of memory.
 */
static int
read_path_list(struct loader *ld, const config_setting_t *s,
    const char *name, struct conf_path *paths, size_t max, size_t *n)
{
	const config_setting_t *e;
	const char *v;
	int i, len;

	if (!config_setting_is_array(s) && !config_setting_is_list(s)) {
		bad(ld, s, "%s: expected a list of paths ([\"...\", ...])",
		    name);
		return 0;
	}
	len = config_setting_length(s);
	if (len < 1 || (size_t)len > max) {
		bad(ld, s, "%s: expected 1 to %zu paths, not %d", name, max,
		    len);
		return 0;
	}
	*n = 0;
	for (i = 0; i < len; i++) {
		if ((e = config_setting_get_elem(s, (unsigned int)i)) == NULL)
			continue;
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			bad_elem(ld, s, "%s[%d]: expected a string", name, i);
			continue;
		}
		v = config_setting_get_string(e);
		if (*v == '\0') {
			bad_elem(ld, s, "%s[%d]: must not be empty", name, i);
			continue;
		}
		if (set_path(ld, &paths[i], v, elem_line(s)) == -1)
			return -1;
		*n = (size_t)i + 1;
	}
	return 0;
}

/* Either key, not both; neither leaves secret_file's default. */
static int
finish_secret_files(struct loader *ld)
{
	struct conf *c = ld->c;
	const config_setting_t *s;
	const char *v;

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
	if ((s = ld->secret_files) != NULL)
		return read_path_list(ld, s, "receiver.secret_files",
		    c->receiver.secret_files, CONF_MAX_SECRETS,
		    &c->receiver.nsecret_files);
	return 0;
}

/* "X-Hub-Signature-256" arrives as the FastCGI parameter HTTP_X_HUB_... */
static int
header_param(struct loader *ld, const char *h, char **dst)
{
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
	free(*dst);
	*dst = p;
	return 0;
}

static int	value_taken(const config_setting_t *, long);

/*
 * A webhook-id is remembered for dedup_window_s: shorter than the
 * tolerance, a replay of an id forgotten but still in time would pass.
 */
static void
finish_dedup(struct loader *ld, const config_setting_t *window,
    const config_setting_t *tolerance)
{
	const struct conf *c = ld->c;

	if (!(c->receiver.auth & CONF_AUTH_STANDARD_WEBHOOKS) ||
	    c->receiver.dedup_window_s >=
	    c->receiver.standard_webhooks.tolerance_s ||
	    !value_taken(window, c->receiver.dedup_window_s) ||
	    !value_taken(tolerance, c->receiver.standard_webhooks.tolerance_s))
		return;
	bad(ld, window != NULL ? window : tolerance,
	    "receiver.dedup_window_s %ld%s is less than "
	    "receiver.standard_webhooks.tolerance_s %ld%s: a replayed "
	    "webhook-id could be forgotten while its timestamp is still "
	    "accepted", c->receiver.dedup_window_s,
	    window != NULL ? "" : " (default)",
	    c->receiver.standard_webhooks.tolerance_s,
	    tolerance != NULL ? "" : " (default)");
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

/* Every row's default, group by group. */
static int
set_defaults(struct loader *ld, const struct key *table)
{
	char *base = (char *)ld->c;
	const struct key *k;
	int i;

	for (k = table; k->name != NULL; k++) {
		switch (k->type) {
		case KEY_STRING:
			if (k->def != NULL && set_string(ld,
			    (char **)(void *)(base + k->off), k->def) == -1)
				return -1;
			break;
		case KEY_PATH:
		case KEY_OPT_PATH:
			if (set_path(ld, (struct conf_path *)(void *)
			    (base + k->off), k->def, 0) == -1)
				return -1;
			break;
		case KEY_INT:
		case KEY_BOOL:
			*(int *)(void *)(base + k->off) = (int)k->defn;
			break;
		case KEY_LONG:
			*(long *)(void *)(base + k->off) = (long)k->defn;
			break;
		case KEY_SIZE:
			*(size_t *)(void *)(base + k->off) = (size_t)k->defn;
			break;
		case KEY_ENUM:
			for (i = 0; k->names[i] != NULL; i++)
				if (strcmp(k->def, k->names[i]) == 0)
					*(int *)(void *)(base + k->off) = i;
			break;
		case KEY_KEYFILES:
			if (set_path(ld, &((struct conf_keyring *)(void *)
			    (base + k->off))->files[0], k->def, 0) == -1)
				return -1;
			((struct conf_keyring *)(void *)(base + k->off))->nfiles
			    = 1;
			break;
		case KEY_GROUP:
			if (set_defaults(ld, k->group) == -1)
				return -1;
			break;
		case KEY_SPECIAL:
			if (k->special(ld, NULL, k, k->name) == -1)
				return -1;
			break;
		}
	}
	return 0;
}

/* Why config_read_file() could not read path: it keeps no errno. */
static void
file_error(struct loader *ld, const char *path)
{
	struct stat st;
	char why[ERR_STR_MAX];
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		errs_add(&ld->errs, path, 0, "%s", err_str(errno, why,
		    sizeof(why)));
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
	err_lines_init(&ld.errs, err, errsz);
	if (path == NULL)
		path = conf_path(NULL);
	if (*path == '\0') {
		/* "-c ''": open("") would only say ENOENT about nothing. */
		err_lines_add(&ld.errs, "no configuration file named");
		goto fail;
	}
	if ((c->file = strdup(path)) == NULL) {
		errs_add(&ld.errs, path, 0, "out of memory");
		goto fail;
	}
	if (set_defaults(&ld, top_keys) == -1)
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
	finish_dedup(&ld, config_lookup(&cfg, "receiver.dedup_window_s"),
	    config_lookup(&cfg, "receiver.standard_webhooks.tolerance_s"));
	ld.cluster = config_lookup(&cfg, "cluster");
	finish_cluster(&ld);
	if (finish_secret_files(&ld) == -1 ||
	    header_param(&ld, c->receiver.signature_header,
	    &c->receiver.signature_param) == -1 ||
	    header_param(&ld, c->receiver.api_key.header,
	    &c->receiver.api_key.param) == -1 ||
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

static void
keyring_free(struct conf_keyring *kr)
{
	size_t i;

	for (i = 0; i < CONF_MAX_SECRETS; i++)
		free(kr->files[i].path);
	secret_wipe(kr->secrets, CONF_MAX_SECRETS);
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
	free(c->receiver.mount);
	free(c->receiver.api_key.header);
	free(c->receiver.api_key.param);
	keyring_free(&c->receiver.standard_webhooks.keys);
	keyring_free(&c->receiver.api_key.keys);
	keyring_free(&c->receiver.basic.keys);
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
	secret_wipe(c->receiver.secrets, CONF_MAX_SECRETS);
	secret_wipe(&c->genesys.client_secret, 1);
	memset(c, 0, sizeof(*c));
}
