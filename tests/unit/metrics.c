/*
 * metrics unit test: worker.metrics_file's text, parsed back as the
 * Prometheus text format and checked as a table of samples.
 *
 *	format	every line is a comment, "# HELP name text", "# TYPE name
 *		type" or a sample "name{labels} value"; a family's HELP and
 *		TYPE come before its samples, once each; counters end in
 *		_total; a histogram's buckets are cumulative, le ascending,
 *		and +Inf equals _count
 *	table	each sample's value is the one expected, codes never seen
 *		have no sample, latencies land in the bucket their "le"
 *		says (inclusive bounds)
 *	write	metrics_write() leaves the file mode 0644 whatever the
 *		umask, no temp file beside it, replaces a stale temp file,
 *		and fails (naming the path) where it cannot write
 *
 * The parser is also run on broken texts it must reject, so that it
 * cannot pass by finding nothing.  Fails (exit 1, "not ok") on any
 * difference.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dynbuf.h"
#include "../../worker/metrics.h"
#include "tap.h"

#define MAX_SAMPLES	128
#define MAX_FAMILIES	16
#define NAME_MAX_	128
#define KEY_MAX		256

/* The text as a table: "name{labels}" -> value, in order of appearance. */
struct parsed {
	int	 n;
	char	 key[MAX_SAMPLES][KEY_MAX];
	char	 name[MAX_SAMPLES][NAME_MAX_];
	char	 value[MAX_SAMPLES][32];
	int	 nfam;
	char	 fam[MAX_FAMILIES][NAME_MAX_];
	char	 type[MAX_FAMILIES][16];
	int	 has_help[MAX_FAMILIES];
	int	 has_samples[MAX_FAMILIES];
};

static int
name_char(int c, int first)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
	    c == ':' || (!first && c >= '0' && c <= '9');
}

/* The length of the metric or label name at p (0: none). */
static size_t
name_len(const char *p)
{
	size_t n = 0;

	while (name_char((unsigned char)p[n], n == 0))
		n++;
	return n;
}

static int
family_find(const struct parsed *t, const char *name, size_t len)
{
	int i;

	for (i = 0; i < t->nfam; i++)
		if (strlen(t->fam[i]) == len && strncmp(t->fam[i], name, len)
		    == 0)
			return i;
	return -1;
}

/* The family a sample belongs to: its own name, or a histogram's. */
static int
sample_family(const struct parsed *t, const char *name, size_t len)
{
	static const char *const sfx[] = { "_bucket", "_sum", "_count" };
	size_t i, l;
	int f;

	for (i = 0; i < sizeof(sfx) / sizeof(sfx[0]); i++) {
		l = strlen(sfx[i]);
		if (len > l && strncmp(name + len - l, sfx[i], l) == 0 &&
		    (f = family_find(t, name, len - l)) >= 0 &&
		    strcmp(t->type[f], "histogram") == 0)
			return f;
	}
	f = family_find(t, name, len);
	if (f >= 0 && strcmp(t->type[f], "histogram") == 0)
		return -1;	/* a histogram has no bare samples */
	return f;
}

/* {k="v",...}: 0 and *end past it, or -1. */
static int
parse_labels(const char *p, const char **end)
{
	size_t n;

	if (*p != '{')
		return -1;
	p++;
	for (;;) {
		if ((n = name_len(p)) == 0 || p[n] != '=' || p[n + 1] != '"')
			return -1;
		p += n + 2;
		while (*p != '"' && *p != '\0' && *p != '\n')
			if (*p++ == '\\' && *p != '\0')
				p++;
		if (*p != '"')
			return -1;
		p++;
		if (*p == '}') {
			*end = p + 1;
			return 0;
		}
		if (*p++ != ',')
			return -1;
	}
}

static int
parse_meta(struct parsed *t, const char *line, char *why, size_t whysz)
{
	int help = strncmp(line, "# HELP ", 7) == 0, f;
	const char *p = line + 7;
	size_t n = name_len(p);

	if (n == 0 || n >= NAME_MAX_ || p[n] != ' ' || p[n + 1] == '\0') {
		snprintf(why, whysz, "bad %s line: %s", help ? "HELP" : "TYPE",
		    line);
		return -1;
	}
	if ((f = family_find(t, p, n)) == -1) {
		if (!help || t->nfam == MAX_FAMILIES) {
			snprintf(why, whysz, "TYPE before HELP: %s", line);
			return -1;
		}
		f = t->nfam++;
		memcpy(t->fam[f], p, n);
		t->fam[f][n] = '\0';
		t->type[f][0] = '\0';
		t->has_help[f] = 0;
		t->has_samples[f] = 0;
	}
	if (t->has_samples[f] || (help && t->has_help[f]) ||
	    (!help && t->type[f][0] != '\0')) {
		snprintf(why, whysz, "HELP or TYPE again, or after samples: %s",
		    line);
		return -1;
	}
	if (help) {
		t->has_help[f] = 1;
		return 0;
	}
	p += n + 1;
	if (strcmp(p, "counter") != 0 && strcmp(p, "gauge") != 0 &&
	    strcmp(p, "histogram") != 0) {
		snprintf(why, whysz, "unknown type: %s", line);
		return -1;
	}
	if (strcmp(p, "counter") == 0 && (n < 6 ||
	    strncmp(t->fam[f] + n - 6, "_total", 6) != 0)) {
		snprintf(why, whysz, "a counter not named _total: %s", line);
		return -1;
	}
	snprintf(t->type[f], sizeof(t->type[f]), "%s", p);
	return 0;
}

static int
parse_sample(struct parsed *t, const char *line, char *why, size_t whysz)
{
	const char *p = line, *end;
	char *vend;
	size_t n = name_len(p);
	int f;

	if (n == 0 || n >= NAME_MAX_ || t->n == MAX_SAMPLES) {
		snprintf(why, whysz, "not a sample: %s", line);
		return -1;
	}
	if ((f = sample_family(t, p, n)) == -1 || t->type[f][0] == '\0') {
		snprintf(why, whysz, "a sample before its HELP and TYPE: %s",
		    line);
		return -1;
	}
	end = p + n;
	if (*end == '{' && parse_labels(end, &end) == -1) {
		snprintf(why, whysz, "bad labels: %s", line);
		return -1;
	}
	if (*end != ' ' || (size_t)(end - line) >= KEY_MAX ||
	    strlen(end + 1) >= sizeof(t->value[0])) {
		snprintf(why, whysz, "no value: %s", line);
		return -1;
	}
	errno = 0;
	(void)strtod(end + 1, &vend);
	if (end[1] == '\0' || *vend != '\0' || errno != 0) {
		snprintf(why, whysz, "value not a number: %s", line);
		return -1;
	}
	memcpy(t->key[t->n], line, (size_t)(end - line));
	t->key[t->n][end - line] = '\0';
	memcpy(t->name[t->n], line, n);
	t->name[t->n][n] = '\0';
	snprintf(t->value[t->n], sizeof(t->value[0]), "%s", end + 1);
	t->n++;
	t->has_samples[f] = 1;
	return 0;
}

/* A histogram's buckets: le ascending, counts cumulative, +Inf == _count. */
static int
check_histogram(const struct parsed *t, const char *fam, char *why,
    size_t whysz)
{
	char bucket[NAME_MAX_ + 8], count[NAME_MAX_ + 8];
	double le, last_le = -1, v, last_v = 0, inf = -1, cnt = -1;
	const char *q;
	int i;

	snprintf(bucket, sizeof(bucket), "%s_bucket", fam);
	snprintf(count, sizeof(count), "%s_count", fam);
	for (i = 0; i < t->n; i++) {
		v = strtod(t->value[i], NULL);
		if (strcmp(t->name[i], count) == 0)
			cnt = v;
		if (strcmp(t->name[i], bucket) != 0)
			continue;
		if ((q = strstr(t->key[i], "le=\"")) == NULL) {
			snprintf(why, whysz, "a bucket without le: %s",
			    t->key[i]);
			return -1;
		}
		q += 4;
		le = strncmp(q, "+Inf\"", 5) == 0 ? 1e300 : strtod(q, NULL);
		if (le <= last_le || v < last_v) {
			snprintf(why, whysz, "%s: not ascending or not "
			    "cumulative", t->key[i]);
			return -1;
		}
		if (le == 1e300)
			inf = v;
		last_le = le;
		last_v = v;
	}
	if (inf < 0 || inf != cnt) {
		snprintf(why, whysz, "%s: +Inf bucket %g, _count %g", fam, inf,
		    cnt);
		return -1;
	}
	return 0;
}

/* Parse text into t; -1 with why at the first thing wrong. */
static int
parse(const char *text, struct parsed *t, char *why, size_t whysz)
{
	char line[320];	/* our longest is a HELP line, ~170 */
	const char *p = text, *nl;
	size_t len;
	int i;

	memset(t, 0, sizeof(*t));
	while (*p != '\0') {
		if ((nl = strchr(p, '\n')) == NULL ||
		    (len = (size_t)(nl - p)) >= sizeof(line)) {
			snprintf(why, whysz, "a line too long or unended");
			return -1;
		}
		memcpy(line, p, len);
		line[len] = '\0';
		p = nl + 1;
		if (strncmp(line, "# HELP ", 7) == 0 ||
		    strncmp(line, "# TYPE ", 7) == 0) {
			if (parse_meta(t, line, why, whysz) == -1)
				return -1;
		} else if (strncmp(line, "# ", 2) == 0)
			continue;
		else if (parse_sample(t, line, why, whysz) == -1)
			return -1;
	}
	for (i = 0; i < t->nfam; i++)
		if (t->type[i][0] == '\0') {
			snprintf(why, whysz, "%s: HELP without TYPE", t->fam[i]);
			return -1;
		}
	for (i = 0; i < t->nfam; i++)
		if (strcmp(t->type[i], "histogram") == 0 &&
		    check_histogram(t, t->fam[i], why, whysz) == -1)
			return -1;
	return 0;
}

static const char *
value_of(const struct parsed *t, const char *key)
{
	int i;

	for (i = 0; i < t->n; i++)
		if (strcmp(t->key[i], key) == 0)
			return t->value[i];
	return NULL;
}

/* The samples we expect from the stats made in main(). */
static const struct {
	const char	*key, *value;
} table[] = {
	{ "routehook_worker_start_time_seconds", "1767225600" },
	{ "routehook_worker_last_update_seconds", "1767225660" },
	{ "routehook_worker_events_total{outcome=\"applied\"}", "6" },
	{ "routehook_worker_events_total{outcome=\"deferred\"}", "3" },
	{ "routehook_worker_events_total{outcome=\"dead\"}", "2" },
	{ "routehook_worker_events_total{outcome=\"superseded\"}", "1" },
	{ "routehook_worker_events_total{outcome=\"ignored\"}", "4" },
	{ "routehook_worker_events_total{outcome=\"unchanged\"}", "5" },
	{ "routehook_worker_api_calls_total{code=\"0\"}", "1" },
	{ "routehook_worker_api_calls_total{code=\"200\"}", "6" },
	{ "routehook_worker_api_calls_total{code=\"400\"}", "1" },
	{ "routehook_worker_api_calls_total{code=\"503\"}", "3" },
	{ "routehook_worker_bulk_calls_total", "7" },
	{ "routehook_worker_token_fetches_total", "2" },
	{ "routehook_worker_latency_seconds_bucket{le=\"0.05\"}", "2" },
	{ "routehook_worker_latency_seconds_bucket{le=\"0.1\"}", "4" },
	{ "routehook_worker_latency_seconds_bucket{le=\"0.25\"}", "4" },
	{ "routehook_worker_latency_seconds_bucket{le=\"0.5\"}", "4" },
	{ "routehook_worker_latency_seconds_bucket{le=\"1\"}", "6" },
	{ "routehook_worker_latency_seconds_bucket{le=\"2.5\"}", "6" },
	{ "routehook_worker_latency_seconds_bucket{le=\"5\"}", "7" },
	{ "routehook_worker_latency_seconds_bucket{le=\"10\"}", "7" },
	{ "routehook_worker_latency_seconds_bucket{le=\"30\"}", "7" },
	{ "routehook_worker_latency_seconds_bucket{le=\"60\"}", "7" },
	{ "routehook_worker_latency_seconds_bucket{le=\"300\"}", "7" },
	{ "routehook_worker_latency_seconds_bucket{le=\"+Inf\"}", "8" },
	{ "routehook_worker_latency_seconds_sum", "404.800" },
	{ "routehook_worker_latency_seconds_count", "8" },
	{ "routehook_worker_sla_breaches_total", "2" },
	{ "routehook_worker_audit_blocked", "1" },
};

/* Latencies (ms) observed; each bucket's bound is inclusive. */
static const long long latencies[] = {
	-5, 50, 51, 100, 999, 1000, 2600, 400000
};

/* Texts the parser must refuse, each for one reason. */
static const char *const broken[] = {
	"x_total 1\n",						/* no HELP/TYPE */
	"# TYPE x_total counter\nx_total 1\n",			/* no HELP */
	"# HELP x X.\n# TYPE x counter\nx 1\n",			/* not _total */
	"# HELP x_total X.\n# TYPE x_total counter\nx_total one\n",
	"# HELP x_total X.\n# TYPE x_total counter\nx_total{a=b} 1\n",
	"# HELP x_total X.\n# TYPE x_total counter\nx_total 1\n"
	    "# HELP x_total X.\n",				/* after samples */
	"# HELP h X.\n# TYPE h histogram\nh_bucket{le=\"1\"} 2\n"
	    "h_bucket{le=\"+Inf\"} 1\nh_sum 1\nh_count 1\n",	/* not cumulative */
	"# HELP h X.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
	    "h_bucket{le=\"+Inf\"} 2\nh_sum 1\nh_count 3\n",	/* +Inf != count */
	"# HELP h X.\n# TYPE h histogram\nh_bucket{le=\"1\"} 1\n"
	    "h_sum 1\nh_count 1\n",				/* no +Inf */
	"# HELP g X.\n# TYPE g gauge\ng 1",			/* unended */
};

static void
test_table(const char *buf, int n)
{
	struct parsed t;
	char why[512];
	size_t i;
	int r;

	r = parse(buf, &t, why, sizeof(why));
	ok(r == 0, "the text parses as Prometheus text: %s",
	    r == 0 ? "yes" : why);
	is_int(t.nfam, 9, "nine families, each with HELP and TYPE");
	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		is_str(value_of(&t, table[i].key), table[i].value, "%s",
		    table[i].key);
	is_int(t.n, (int)(sizeof(table) / sizeof(table[0])),
	    "no sample beyond the table (a code never seen has none)");
	is_int(n, (int)strlen(buf), "the length returned is the text's");
	ok(strstr(buf, "since it started") != NULL,
	    "the text says the counts are the process's since it started");
}

static void
test_broken(void)
{
	struct parsed t;
	char why[512];
	size_t i;

	for (i = 0; i < sizeof(broken) / sizeof(broken[0]); i++)
		ok(parse(broken[i], &t, why, sizeof(why)) == -1,
		    "the parser refuses broken text %zu", i);
}

static int
count_entries(const char *dir)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	if ((d = opendir(dir)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

static void
test_write(const struct worker_stats *s)
{
	char dir[] = "/tmp/routehook-metrics.XXXXXX", path[256], tmp[300];
	char err[512], text[8192], why[512];
	struct parsed t;
	struct stat st;
	ssize_t n;
	int fd;

	memset(&st, 0, sizeof(st));
	if (mkdtemp(dir) == NULL) {
		ok(0, "mkdtemp: %s", strerror(errno));
		return;
	}
	snprintf(path, sizeof(path), "%s/routehook.prom", dir);
	/*
	 * A stale temp file of a process that had our pid: the first temp
	 * name this process tries (lib/atomicfile.h).
	 */
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld.0", path, (long)getpid());
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) != -1)
		close(fd);
	umask(077);
	ok(metrics_write(path, s, 2, 1767225600, err, sizeof(err)) == 0,
	    "metrics_write succeeds over a stale temp file");
	umask(022);
	if (stat(path, &st) == -1)
		printf("# stat %s: %s\n", path, strerror(errno));
	ok((st.st_mode & 07777) == 0644,
	    "the file is mode 0644 under umask 077 (%04o)",
	    (unsigned)(st.st_mode & 07777));
	is_int(count_entries(dir), 1, "no temp file is left beside it");
	n = -1;
	if ((fd = open(path, O_RDONLY)) != -1) {
		n = read(fd, text, sizeof(text) - 1);
		close(fd);
	}
	text[n > 0 ? n : 0] = '\0';
	ok(parse(text, &t, why, sizeof(why)) == 0 && t.n ==
	    (int)(sizeof(table) / sizeof(table[0])) &&
	    strcmp(value_of(&t, "routehook_worker_token_fetches_total"), "2")
	    == 0, "the file holds the whole text");
	unlink(path);
	rmdir(dir);
	snprintf(path, sizeof(path), "%s/routehook.prom", dir);
	err[0] = '\0';
	ok(metrics_write(path, s, 0, 0, err, sizeof(err)) == -1 &&
	    strstr(err, dir) != NULL,
	    "a directory that is gone: -1, naming the path (%s)", err);
}

int
main(void)
{
	static struct worker_stats s;	/* 8 KiB of status codes */
	char buf[8192];
	struct dynbuf b;
	size_t i;
	int n;

	s.applied = 6;
	s.deferred = 3;
	s.dead = 2;
	s.superseded = 1;
	s.ignored = 4;
	s.unchanged = 5;
	s.by_status[0] = 1;
	s.by_status[200] = 6;
	s.by_status[400] = 1;
	s.by_status[503] = 3;
	s.bulk_calls = 7;
	s.sla_breaches = 2;
	s.audit_blocked = 1;
	for (i = 0; i < sizeof(latencies) / sizeof(latencies[0]); i++)
		metrics_latency(&s, latencies[i]);
	dyn_init(&b, METRICS_TEXT_MAX);
	n = metrics_format(&s, 2, 1767225600, 1767225660, &b) == 0 &&
	    dyn_len(&b) < sizeof(buf) ? (int)dyn_len(&b) : -1;
	memcpy(buf, dyn_ptr(&b), n >= 0 ? (size_t)n + 1 : 1);
	dyn_free(&b);
	test_table(buf, n);
	test_broken();
	dyn_init(&b, (size_t)n - 1);
	is_int(metrics_format(&s, 2, 1767225600, 1767225660, &b), -1,
	    "a cap one byte too small: -1");
	dyn_free(&b);
	dyn_init(&b, (size_t)n);
	is_int(metrics_format(&s, 2, 1767225600, 1767225660, &b), 0,
	    "a cap just large enough: 0...");
	is_str(dyn_ptr(&b), buf, "... and the whole text");
	dyn_free(&b);
	test_write(&s);
	return tap_done();
}
