/*
 * Unit test for lib/conf.c: defaults, every key read back, every kind of
 * schema error with its FILE:LINE, the status map (mapped with event.c's
 * event_map_status()), the secret files (read with lib/secret.c), and
 * the sample etc/routehook.conf (which must load, and must still load to
 * the same values with every documented default uncommented).
 *
 * Config and secret files go into a mkdtemp() scratch directory that is
 * removed at the end; the sample is read from etc/, so run from the top
 * of the tree (make does).  Prints TAP; exit status 1 when a test fails,
 * 2 when the scratch directory cannot be set up.
 */
#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conf.h"
#include "event.h"
#include "secret.h"
#include "tap.h"

#define SAMPLE	"etc/routehook.conf"

static char scratch[] = "/tmp/routehook-conf-t.XXXXXX";
static char files[64][256];
static size_t nfiles;

static void
skip(const char *why)
{
	printf("ok %d # skip %s\n", ++tap_n, why);
}

static void
die(const char *what)
{
	perror(what);
	exit(2);
}

/* A file in the scratch directory, remembered for removal. */
static const char *
write_file(const char *name, const void *data, size_t len)
{
	char *path;
	FILE *fp;
	size_t i;

	for (i = 0; i < nfiles; i++)
		if (strcmp(strrchr(files[i], '/') + 1, name) == 0)
			break;
	if (i == nfiles) {
		if (nfiles == sizeof(files) / sizeof(files[0]))
			die("too many scratch files");
		nfiles++;
	}
	path = files[i];
	snprintf(path, sizeof(files[0]), "%s/%s", scratch, name);
	if ((fp = fopen(path, "w")) == NULL)
		die(path);
	if (fwrite(data, 1, len, fp) != len || fclose(fp) != 0)
		die(path);
	return path;
}

static const char *
write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

/* The 1-based line of text holding the first needle, 0 if none does. */
static int
line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle), *q;
	int line = 1;

	if (p == NULL)
		return 0;
	for (q = text; q < p; q++)
		if (*q == '\n')
			line++;
	return line;
}

static int
count_lines(const char *s)
{
	int n = *s != '\0';

	for (; *s != '\0'; s++)
		if (*s == '\n')
			n++;
	return n;
}

static int
contains(const char *hay, const char *needle)
{
	return hay != NULL && strstr(hay, needle) != NULL;
}

static int
all_zero(const void *p, size_t len)
{
	const unsigned char *b = p;

	while (len-- > 0)
		if (*b++ != 0)
			return 0;
	return 1;
}

/* Load text from the scratch "routehook.conf"; its path in *path. */
static int
load(const char *text, struct conf *c, char *err, size_t errsz,
    const char **path)
{
	const char *p = write_text("routehook.conf", text);

	if (path != NULL)
		*path = p;
	return conf_load(c, p, err, errsz);
}

/* Load text that must fail and report exactly one line: want. */
static void
one_error(const char *text, const char *needle, const char *msg,
    const char *what)
{
	struct conf c;
	char err[2048], want[2048];
	const char *path;
	int rc;

	rc = load(text, &c, err, sizeof(err), &path);
	is_int(rc, -1, "%s: conf_load fails", what);
	snprintf(want, sizeof(want), "%s:%d: %s", path, line_of(text, needle),
	    msg);
	is_str(err, want, "%s: message", what);
	ok(all_zero(&c, sizeof(c)), "%s: *c left zeroed", what);
	conf_free(&c);
}

/* The first field where a and b differ (lines and file aside), or NULL. */
static const char *
conf_diff(const struct conf *a, const struct conf *b)
{
	size_t i;

#define S(f)	if (strcmp(a->f, b->f) != 0) return #f
#define N(f)	if (a->f != b->f) return #f
	S(spool_dir.path);
	N(receiver.nsecret_files);
	for (i = 0; i < a->receiver.nsecret_files; i++)
		S(receiver.secret_files[i].path);
	S(receiver.signature_header);
	S(receiver.signature_param);
	N(receiver.signature_encoding);
	S(receiver.signature_prefix);
	N(receiver.max_body_bytes);
	N(receiver.fsync);
	N(receiver.auth);
	N(receiver.standard_webhooks.keys.nfiles);
	S(receiver.standard_webhooks.keys.files[0].path);
	N(receiver.standard_webhooks.tolerance_s);
	S(receiver.api_key.header);
	S(receiver.api_key.param);
	N(receiver.api_key.keys.nfiles);
	S(receiver.api_key.keys.files[0].path);
	N(receiver.basic.keys.nfiles);
	S(receiver.basic.keys.files[0].path);
	N(receiver.dedup_window_s);
	N(receiver.require_event_time);
	S(genesys.region);
	S(genesys.api_base);
	S(genesys.login_base);
	S(genesys.client_id);
	S(genesys.client_secret_file.path);
	S(genesys.ca_file.path);
	N(genesys.timeout_ms);
	N(genesys.requests_per_minute);
	S(genesys.webhook_path);
	N(worker.concurrency);
	N(worker.backoff_min_ms);
	N(worker.backoff_max_ms);
	N(worker.max_attempts);
	N(worker.max_age_s);
	S(worker.metrics_file.path);
	N(sla.threshold_ms);
	S(audit.file.path);
	N(routing.nstatus_map);
	for (i = 0; i < a->routing.nstatus_map; i++) {
		S(routing.status_map[i].from);
		S(routing.status_map[i].to);
	}
#undef S
#undef N
	return NULL;
}

static void
test_defaults(void)
{
	struct conf c;
	char err[1024] = "x";
	const char *path;
	int rc;

	rc = load("spool_dir = \"/srv/spool\";\n", &c, err, sizeof(err),
	    &path);
	is_int(rc, 0, "defaults: loads");
	is_str(err, "", "defaults: err is empty");
	is_str(c.file, path, "defaults: file recorded");
	ok(c.file != path, "defaults: file is a copy");
	is_str(c.spool_dir.path, "/srv/spool", "defaults: spool_dir read");
	is_int(c.spool_dir.line, 1, "defaults: spool_dir line");
	is_int(c.receiver.nsecret_files, 1, "defaults: one secret file");
	is_str(c.receiver.secret_files[0].path,
	    "/etc/routehook/webhook.secret", "defaults: secret_file");
	is_int(c.receiver.secret_files[0].line, 0, "defaults: its line is 0");
	is_str(c.receiver.signature_header, "X-Genesys-Signature",
	    "defaults: signature_header");
	is_str(c.receiver.signature_param, "HTTP_X_GENESYS_SIGNATURE",
	    "defaults: signature_param");
	is_int(c.receiver.signature_encoding, CONF_SIG_HEX,
	    "defaults: signature_encoding");
	is_str(c.receiver.signature_prefix, "", "defaults: signature_prefix");
	is_int(c.receiver.max_body_bytes, 65536, "defaults: max_body_bytes");
	is_int(c.receiver.fsync, 1, "defaults: fsync");
	is_int(c.receiver.nsecrets, 0, "defaults: no secret read yet");
	is_str(c.genesys.region, "mypurecloud.com", "defaults: region");
	is_str(c.genesys.api_base, "https://api.mypurecloud.com",
	    "defaults: api_base");
	is_str(c.genesys.login_base, "https://login.mypurecloud.com",
	    "defaults: login_base");
	is_str(c.genesys.client_id, "", "defaults: client_id");
	is_int(c.genesys.client_id_line, 0, "defaults: client_id_line");
	is_str(c.genesys.client_secret_file.path,
	    "/etc/routehook/client.secret", "defaults: client_secret_file");
	is_int(c.genesys.client_secret_file.line, 0,
	    "defaults: client_secret_file line");
	is_str(c.genesys.ca_file.path, "", "defaults: ca_file");
	is_int(c.genesys.timeout_ms, 10000, "defaults: timeout_ms");
	is_int(c.genesys.requests_per_minute, 300,
	    "defaults: requests_per_minute");
	is_str(c.genesys.webhook_path, "/api/v2/platform/webhooks",
	    "defaults: webhook_path");
	is_str(c.receiver.mount, "/routehook", "defaults: mount");
	is_int(c.receiver.read_timeout_ms, 2000, "defaults: read_timeout_ms");
	is_int(c.worker.concurrency, 8, "defaults: concurrency");
	is_int(c.worker.backoff_min_ms, 1000, "defaults: backoff_min_ms");
	is_int(c.worker.backoff_max_ms, 300000, "defaults: backoff_max_ms");
	is_int(c.worker.max_attempts, 10, "defaults: max_attempts");
	is_int(c.worker.max_age_s, 86400, "defaults: max_age_s");
	is_str(c.worker.metrics_file.path, "", "defaults: metrics_file");
	is_int(c.sla.threshold_ms, 500, "defaults: threshold_ms");
	is_str(c.audit.file.path, "/var/log/routehook/audit.jsonl",
	    "defaults: audit.file");
	is_int(c.audit.file.line, 0, "defaults: audit.file line");
	is_int(c.routing.nstatus_map, 11, "defaults: 11 built-in words");
	is_str(c.routing.status_map[0].from, "available",
	    "defaults: first word is available");
	is_str(c.routing.status_map[10].from, "meeting",
	    "defaults: last word is meeting");
	conf_free(&c);
	ok(all_zero(&c, sizeof(c)), "conf_free zeroes the struct");
	conf_free(&c);
	ok(1, "conf_free twice is safe");
}

static void
test_every_key(void)
{
	static const char text[] =
	    "# every key, none at its default\n"
	    "spool_dir = \"/srv/rh/spool\";\n"
	    "receiver = {\n"
	    "  secret_file = \"/srv/rh/hook.secret\";\n"
	    "  signature_header = \"X-Hub-Signature-256\";\n"
	    "  signature_encoding = \"base64\";\n"
	    "  signature_prefix = \"sha256=\";\n"
	    "  max_body_bytes = 4096L;\n"
	    "  fsync = false;\n"
	    "};\n"
	    "genesys = {\n"
	    "  region = \"mypurecloud.de\";\n"
	    "  api_base = \"https://127.0.0.1:8443/\";\n"
	    "  login_base = \"https://login.test:9443\";\n"
	    "  client_id = \"0a1b2c3d-client\";\n"
	    "  client_secret_file = \"/srv/rh/client.secret\";\n"
	    "  ca_file = \"/srv/rh/ca.pem\";\n"
	    "  timeout_ms = 2500;\n"
	    "  requests_per_minute = 100000;\n"
	    "  webhook_path = \"/hooks/in\";\n"
	    "};\n"
	    "worker = { concurrency = 0x10; backoff_min_ms = 50;\n"
	    "  backoff_max_ms = 50; max_attempts = 1000;\n"
	    "  max_age_s = 3600; metrics_file = \"/srv/rh/metrics\"; };\n"
	    "sla = { threshold_ms = 250; };\n"
	    "audit = {\n"
	    "  file = \"/srv/rh/audit.jsonl\";\n"
	    "};\n"
	    "routing = { status_map = { lunch = \"OFF_QUEUE\"; }; };\n";
	struct conf c;
	char err[1024];
	int rc;

	rc = load(text, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "every key: loads");
	is_str(err, "", "every key: no message");
	is_str(c.spool_dir.path, "/srv/rh/spool", "every key: spool_dir");
	is_int(c.spool_dir.line, 2, "every key: spool_dir line");
	is_int(c.receiver.nsecret_files, 1, "every key: one secret file");
	is_str(c.receiver.secret_files[0].path, "/srv/rh/hook.secret",
	    "every key: secret_file");
	is_int(c.receiver.secret_files[0].line, line_of(text, "secret_file"),
	    "every key: secret_file line");
	is_str(c.receiver.signature_header, "X-Hub-Signature-256",
	    "every key: signature_header");
	is_str(c.receiver.signature_param, "HTTP_X_HUB_SIGNATURE_256",
	    "every key: signature_param derived from the header");
	is_int(c.receiver.signature_encoding, CONF_SIG_BASE64,
	    "every key: signature_encoding");
	is_str(c.receiver.signature_prefix, "sha256=",
	    "every key: signature_prefix");
	is_int(c.receiver.max_body_bytes, 4096,
	    "every key: max_body_bytes (an int64)");
	is_int(c.receiver.fsync, 0, "every key: fsync");
	is_str(c.genesys.region, "mypurecloud.de", "every key: region");
	is_str(c.genesys.api_base, "https://127.0.0.1:8443",
	    "every key: api_base, trailing '/' dropped");
	is_str(c.genesys.login_base, "https://login.test:9443",
	    "every key: login_base");
	is_str(c.genesys.client_id, "0a1b2c3d-client", "every key: client_id");
	is_int(c.genesys.client_id_line, line_of(text, "client_id"),
	    "every key: client_id_line");
	is_str(c.genesys.client_secret_file.path, "/srv/rh/client.secret",
	    "every key: client_secret_file");
	is_int(c.genesys.client_secret_file.line,
	    line_of(text, "client_secret_file"),
	    "every key: client_secret_file line");
	is_str(c.genesys.ca_file.path, "/srv/rh/ca.pem", "every key: ca_file");
	is_int(c.genesys.ca_file.line, line_of(text, "ca_file"),
	    "every key: ca_file line");
	is_int(c.genesys.timeout_ms, 2500, "every key: timeout_ms");
	is_int(c.genesys.requests_per_minute, 100000,
	    "every key: requests_per_minute (upper bound)");
	is_str(c.genesys.webhook_path, "/hooks/in", "every key: webhook_path");
	is_int(c.worker.concurrency, 16, "every key: concurrency (hex)");
	is_int(c.worker.backoff_min_ms, 50, "every key: backoff_min_ms");
	is_int(c.worker.backoff_max_ms, 50,
	    "every key: backoff_max_ms equal to min is fine");
	is_int(c.worker.max_attempts, 1000, "every key: max_attempts");
	is_int(c.worker.max_age_s, 3600, "every key: max_age_s");
	is_str(c.worker.metrics_file.path, "/srv/rh/metrics",
	    "every key: metrics_file");
	is_int(c.worker.metrics_file.line, line_of(text, "metrics_file"),
	    "every key: metrics_file line");
	is_int(c.sla.threshold_ms, 250, "every key: threshold_ms");
	is_str(c.audit.file.path, "/srv/rh/audit.jsonl",
	    "every key: audit.file");
	is_int(c.audit.file.line, line_of(text, "audit.jsonl"),
	    "every key: audit.file line");
	is_int(c.routing.nstatus_map, 12, "every key: a word added");
	is_str(event_map_status(&c, "lunch"), "OFF_QUEUE",
	    "every key: the added word maps");
	conf_free(&c);
}

static void
test_secret_files_key(void)
{
	static const char text[] =
	    "receiver = {\n"
	    "  secret_files = [\n"
	    "    \"/srv/new.secret\",\n"
	    "    \"/srv/old.secret\"\n"
	    "  ];\n"
	    "};\n";
	struct conf c;
	char err[1024];
	int rc;

	rc = load(text, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "secret_files: loads");
	is_int(c.receiver.nsecret_files, 2, "secret_files: two");
	is_str(c.receiver.secret_files[0].path, "/srv/new.secret",
	    "secret_files: first");
	is_str(c.receiver.secret_files[1].path, "/srv/old.secret",
	    "secret_files: second");
	is_int(c.receiver.secret_files[0].line, 2,
	    "secret_files: the key's line for the first");
	is_int(c.receiver.secret_files[1].line, 2,
	    "secret_files: and for the second");
	conf_free(&c);

	rc = load("receiver = { secret_files = (\"/a\", \"/b\", \"/c\"); };\n",
	    &c, err, sizeof(err), NULL);
	is_int(rc, 0, "secret_files: a list ( ) works too");
	is_int(c.receiver.nsecret_files, 3, "secret_files: three");
	conf_free(&c);

	one_error("receiver = {\n  secret_files = [];\n};\n", "secret_files",
	    "receiver.secret_files: expected 1 to 8 paths, not 0",
	    "secret_files empty");
	one_error("receiver = {\n  secret_files = [\"1\", \"2\", \"3\", \"4\", "
	    "\"5\", \"6\", \"7\", \"8\", \"9\"];\n};\n", "secret_files",
	    "receiver.secret_files: expected 1 to 8 paths, not 9",
	    "secret_files nine");
	one_error("receiver = {\n  secret_files = \"/one\";\n};\n",
	    "secret_files", "receiver.secret_files: expected a list of paths "
	    "([\"...\", ...])", "secret_files a string");
	one_error("receiver = {\n  secret_files = (\"/a\",\n    5\n  );\n};\n",
	    "secret_files", "receiver.secret_files[1]: expected a string",
	    "secret_files a number in the list: the key's line");
	one_error("receiver = {\n  secret_files = [\"/a\",\n    \"\"];\n};\n",
	    "secret_files", "receiver.secret_files[1]: must not be empty",
	    "secret_files an empty path");
	one_error("receiver = {\n  secret_file = \"/a\";\n"
	    "  secret_files = [\"/b\"];\n};\n", "secret_files",
	    "receiver: secret_file and secret_files are both set; use one",
	    "secret_file and secret_files");
	one_error("receiver = {\n  secret_file = \"\";\n};\n", "secret_file",
	    "receiver.secret_file: must not be empty", "secret_file empty");
}

static void
test_syntax_and_files(void)
{
	static const char text[] =
	    "spool_dir = \"/x\";\n"
	    "receiver = {\n"
	    "  fsync = ;\n"
	    "};\n";
	struct conf c;
	char err[1024], want[1024];
	const char *path;
	int rc;

	rc = load(text, &c, err, sizeof(err), &path);
	is_int(rc, -1, "syntax error: fails");
	snprintf(want, sizeof(want), "%s:3: ", path);
	ok(strncmp(err, want, strlen(want)) == 0,
	    "syntax error: FILE:3: (%s)", err);
	ok(contains(err, "syntax error"), "syntax error: libconfig's words");
	ok(all_zero(&c, sizeof(c)), "syntax error: *c left zeroed");

	rc = load("a = 1;\na = 2;\n", &c, err, sizeof(err), &path);
	snprintf(want, sizeof(want), "%s:2: duplicate setting name", path);
	is_str(err, want, "a key set twice: libconfig says where");

	snprintf(want, sizeof(want), "%s/none.conf", scratch);
	rc = conf_load(&c, want, err, sizeof(err));
	is_int(rc, -1, "missing file: fails");
	strcat(want, ": No such file or directory");
	is_str(err, want, "missing file: FILE: reason");

	rc = conf_load(&c, scratch, err, sizeof(err));
	snprintf(want, sizeof(want), "%s: is a directory", scratch);
	is_str(err, want, "a directory: FILE: is a directory");

	rc = conf_load(&c, "", err, sizeof(err));
	is_int(rc, -1, "an empty file name: fails");
	is_str(err, "no configuration file named", "an empty file name: says so");

	rc = load("", &c, err, sizeof(err), NULL);
	is_int(rc, 0, "an empty file is all defaults");
	conf_free(&c);
}

static void
test_unknown_keys(void)
{
	one_error("spool_dir = \"/x\";\nrecevier = { };\n", "recevier",
	    "unknown key 'recevier' (did you mean 'receiver'?)",
	    "unknown top-level key");
	one_error("spool_dir = \"/x\";\nreceiver = {\n"
	    "  fsync = true;\n  secert_file = \"/s\";\n};\n", "secert_file",
	    "unknown key 'receiver.secert_file' (did you mean "
	    "'secret_file'?)", "unknown nested key");
	one_error("receiver = {\n  secert_fiel = \"/s\";\n};\n", "secert",
	    "unknown key 'receiver.secert_fiel' (did you mean "
	    "'secret_file'?)", "two swapped pairs are two typos");
	one_error("genesys = {\n  Timeout_MS = 10;\n};\n", "Timeout",
	    "unknown key 'genesys.Timeout_MS' (did you mean 'timeout_ms'?)",
	    "wrong case gets a hint");
	one_error("worker = { concurency = 4; };\n", "concurency",
	    "unknown key 'worker.concurency' (did you mean 'concurrency'?)",
	    "one letter missing gets a hint");
	one_error("\n\nlisten = \"tcp:1\";\n", "listen",
	    "unknown key 'listen'", "nothing close: no hint");
	one_error("routing = {\n  statusmap = { };\n};\n", "statusmap",
	    "unknown key 'routing.statusmap' (did you mean 'status_map'?)",
	    "unknown key in routing");
	one_error("sla = {\n  threshold = 5;\n};\n", "threshold",
	    "unknown key 'sla.threshold'", "three edits away: no hint");
}

static void
test_types_and_ranges(void)
{
	one_error("receiver = {\n  max_body_bytes = \"65536\";\n};\n",
	    "max_body", "receiver.max_body_bytes: expected an integer",
	    "string for an integer");
	one_error("sla = { threshold_ms = 1.5; };\n", "threshold",
	    "sla.threshold_ms: expected an integer", "float for an integer");
	one_error("receiver = {\n  fsync = 1;\n};\n", "fsync",
	    "receiver.fsync: expected true or false", "integer for a bool");
	one_error("spool_dir = 5;\n", "spool_dir",
	    "spool_dir: expected a string", "integer for a path");
	one_error("\nspool_dir = \"\";\n", "spool_dir",
	    "spool_dir: must not be empty", "empty required path");
	one_error("\nreceiver = \"x\";\n", "receiver",
	    "receiver: expected a group ({ ... })", "string for a group");
	one_error("receiver = {\n  max_body_bytes = 0;\n};\n", "max_body",
	    "receiver.max_body_bytes: 0 is out of range (1 to 1048576)",
	    "below the range");
	one_error("receiver = {\n  max_body_bytes = 1048577;\n};\n", "max_body",
	    "receiver.max_body_bytes: 1048577 is out of range (1 to 1048576)",
	    "above the range");
	one_error("genesys = { timeout_ms = 99; };\n", "timeout",
	    "genesys.timeout_ms: 99 is out of range (100 to 600000)",
	    "timeout_ms below");
	one_error("worker = { concurrency = 257; };\n", "concurrency",
	    "worker.concurrency: 257 is out of range (1 to 256)",
	    "concurrency above");
	one_error("worker = { max_attempts = 0; };\n", "max_attempts",
	    "worker.max_attempts: 0 is out of range (1 to 1000)",
	    "max_attempts below");
	one_error("worker = { max_age_s = 3000000000L; };\n", "max_age",
	    "worker.max_age_s: 3000000000 is out of range (1 to 2147483647)",
	    "an int64 above the range");
	/* libconfig 1.5 would read these as -1294967296, 1 and 50065408. */
	one_error("worker = { max_age_s = 3000000000; };\n", "max_age",
	    "worker.max_age_s: 3000000000 is out of range (1 to 2147483647)",
	    "a 32-bit overflow is not wrapped (negative)");
	one_error("worker = {\n  max_attempts = 4294967297;\n};\n",
	    "max_attempts",
	    "worker.max_attempts: 4294967297 is out of range (1 to 1000)",
	    "a 32-bit overflow is not wrapped (to 1)");
	one_error("worker = { max_age_s = 8640000000; };\n", "max_age",
	    "worker.max_age_s: 8640000000 is out of range (1 to 2147483647)",
	    "a 32-bit overflow is not wrapped (into range)");
	one_error("sla = { threshold_ms = 99999999999999999999; };\n",
	    "threshold",
	    "sla.threshold_ms: number too large (range 1 to 2147483647)",
	    "beyond 64 bits");
	one_error("receiver = {\n  signature_encoding = \"hexx\";\n};\n",
	    "signature_encoding",
	    "receiver.signature_encoding: \"hexx\" is not \"hex\" or "
	    "\"base64\"", "bad signature_encoding");
	one_error("receiver = {\n  signature_encoding = \"HEX\";\n};\n",
	    "signature_encoding",
	    "receiver.signature_encoding: \"HEX\" is not \"hex\" or "
	    "\"base64\"", "signature_encoding is case-sensitive");
	one_error("receiver = {\n  signature_header = \"X_Sig\";\n};\n",
	    "signature_header", "receiver.signature_header: \"X_Sig\" is not "
	    "a header name (letters, digits and '-')", "bad header name");
	one_error("receiver = {\n  signature_header = \"\";\n};\n",
	    "signature_header", "receiver.signature_header: \"\" is empty",
	    "empty header name");
	one_error("receiver = {\n  signature_prefix = \"sha 256=\";\n};\n",
	    "signature_prefix", "receiver.signature_prefix: \"sha 256=\" may "
	    "hold only visible ASCII characters", "prefix with a space");
	one_error("genesys = {\n  webhook_path = \"api/v2\";\n};\n",
	    "webhook_path", "genesys.webhook_path: \"api/v2\" must start with "
	    "'/'", "webhook_path without '/'");
	one_error("receiver = {\n  mount = \"/routehook/\";\n};\n",
	    "mount", "receiver.mount: \"/routehook/\" must not end in '/' "
	    "(\"\" for the root)",
	    "mount ending in '/'");
	one_error("receiver = {\n  mount = \"routehook\";\n};\n",
	    "mount", "receiver.mount: \"routehook\" must start with '/'",
	    "mount without '/'");
	one_error("receiver = {\n  read_timeout_ms = 5;\n};\n",
	    "read_timeout_ms", "receiver.read_timeout_ms: 5 is out of range "
	    "(10 to 600000)",
	    "read_timeout_ms too small");
}

static void
test_backoff(void)
{
	one_error("worker = {\n  backoff_min_ms = 5000;\n"
	    "  backoff_max_ms = 4999;\n};\n", "backoff_max",
	    "worker.backoff_max_ms 4999 is less than worker.backoff_min_ms "
	    "5000", "backoff_max_ms < backoff_min_ms");
	one_error("worker = {\n  backoff_min_ms = 600000;\n};\n",
	    "backoff_min", "worker.backoff_max_ms 300000 (default) is less "
	    "than worker.backoff_min_ms 600000", "backoff_min_ms above the "
	    "default max");
	one_error("worker = {\n  backoff_min_ms = 600000;\n"
	    "  backoff_max_ms = \"1h\";\n};\n", "backoff_max",
	    "worker.backoff_max_ms: expected an integer",
	    "a bad backoff_max_ms is not compared as well");
	one_error("worker = {\n  backoff_min_ms = 1.5;\n"
	    "  backoff_max_ms = 500;\n};\n", "backoff_min",
	    "worker.backoff_min_ms: expected an integer",
	    "a bad backoff_min_ms is not compared as well");
}

static void
test_region(void)
{
	struct conf c;
	char err[1024];
	int rc;

	rc = load("genesys = { region = \"usw2.pure.cloud\"; };\n", &c, err,
	    sizeof(err), NULL);
	is_int(rc, 0, "region: loads");
	is_str(c.genesys.api_base, "https://api.usw2.pure.cloud",
	    "region: api_base derived");
	is_str(c.genesys.login_base, "https://login.usw2.pure.cloud",
	    "region: login_base derived");
	conf_free(&c);

	rc = load("genesys = { region = \"mypurecloud.ie\";\n"
	    "  login_base = \"https://127.0.0.1:9443/\"; };\n", &c, err,
	    sizeof(err), NULL);
	is_int(rc, 0, "region with one override: loads");
	is_str(c.genesys.api_base, "https://api.mypurecloud.ie",
	    "region with one override: api_base still derived");
	is_str(c.genesys.login_base, "https://127.0.0.1:9443",
	    "region with one override: login_base overridden");
	conf_free(&c);

	one_error("genesys = {\n  api_base = \"http://127.0.0.1:8080\";\n};\n",
	    "api_base", "genesys.api_base: must start with https://",
	    "api_base over http");
	one_error("genesys = {\n  login_base = \"https:///\";\n};\n",
	    "login_base", "genesys.login_base: has no host",
	    "login_base without a host");
	one_error("genesys = {\n  api_base = \"https://x//\";\n};\n",
	    "api_base", "genesys.api_base: must not end with '/'",
	    "api_base with two slashes at the end");
	one_error("genesys = {\n  api_base = \"https://u:hunter2@x/v\";\n};\n",
	    "api_base", "genesys.api_base: must not hold a user name or "
	    "password", "api_base with a password: refused, not quoted");
	one_error("genesys = {\n  api_base = \"ftp://u:hunter2@x\";\n};\n",
	    "api_base", "genesys.api_base: must start with https://",
	    "a bad URL is never quoted back");
	one_error("genesys = {\n  region = \"my_purecloud.com\";\n};\n",
	    "region", "genesys.region: \"my_purecloud.com\" is not a domain "
	    "(letters, digits, '-' and '.')", "region with '_'");
	one_error("genesys = {\n  region = \"mypurecloud..com\";\n};\n",
	    "region", "genesys.region: \"mypurecloud..com\" is not a domain "
	    "(letters, digits, '-' and '.')", "region with an empty label");
}

static void
test_status_map(void)
{
	static const char text[] =
	    "routing = {\n"
	    "  status_map = {\n"
	    "    Busy = \"INTERACTING\";\n"
	    "    lunch = \"OFF_QUEUE\";\n"
	    "  };\n"
	    "};\n";
	struct conf c;
	char err[1024];
	int rc;

	rc = load(text, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "status_map: loads");
	is_int(c.routing.nstatus_map, 12,
	    "status_map: an override adds nothing, a new word does");
	is_str(c.routing.status_map[11].from, "lunch",
	    "status_map: the file's words come after the defaults");
	is_str(event_map_status(&c, "busy"), "INTERACTING",
	    "status_map: the file overrides a default");
	is_str(event_map_status(&c, "BUSY"), "INTERACTING",
	    "status_map: ignoring case");
	is_str(event_map_status(&c, "LuNcH"), "OFF_QUEUE",
	    "status_map: a new word, ignoring case");
	is_str(event_map_status(&c, "Available"), "IDLE",
	    "status_map: a default still there");
	is_str(event_map_status(&c, "meeting"), "OFF_QUEUE",
	    "status_map: another default");
	is_str(event_map_status(&c, "IDLE"), "IDLE",
	    "status_map: IDLE passes through");
	is_str(event_map_status(&c, "INTERACTING"), "INTERACTING",
	    "status_map: a Genesys status not in the map passes through");
	is_str(event_map_status(&c, "NOT_RESPONDING"), "NOT_RESPONDING",
	    "status_map: NOT_RESPONDING passes through");
	is_str(event_map_status(&c, "interacting"), NULL,
	    "status_map: only Genesys' own spelling passes through");
	is_str(event_map_status(&c, "lunchbreak"), NULL,
	    "status_map: an unknown word is NULL");
	is_str(event_map_status(&c, ""), NULL, "status_map: \"\" is NULL");
	is_str(event_map_status(&c, NULL), NULL, "status_map: NULL is NULL");
	conf_free(&c);

	ok(event_is_genesys_status("COMMUNICATING"),
	    "event_is_genesys_status: COMMUNICATING");
	ok(event_is_genesys_status("OFF_QUEUE"),
	    "event_is_genesys_status: OFF_QUEUE");
	ok(!event_is_genesys_status("idle"), "event_is_genesys_status: not idle");
	ok(!event_is_genesys_status("AVAILABLE"),
	    "event_is_genesys_status: not AVAILABLE");
	ok(!event_is_genesys_status(NULL), "event_is_genesys_status: not NULL");

	one_error("routing = {\n  status_map = {\n    available = \"IDLE\";\n"
	    "    lunch = \"LUNCH\";\n  };\n};\n", "lunch",
	    "routing.status_map.lunch: \"LUNCH\" is not a Genesys routing "
	    "status (OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING, "
	    "COMMUNICATING)", "status_map: a bad value names its line");
	one_error("routing = {\n  status_map = {\n    lunch = \"idle\";\n"
	    "  };\n};\n", "lunch",
	    "routing.status_map.lunch: \"idle\" is not a Genesys routing "
	    "status (OFF_QUEUE, IDLE, INTERACTING, NOT_RESPONDING, "
	    "COMMUNICATING)", "status_map: values in Genesys' spelling only");
	one_error("routing = {\n  status_map = {\n    lunch = 3;\n"
	    "  };\n};\n", "lunch", "routing.status_map.lunch: expected a "
	    "string", "status_map: a value that is not a string");
	one_error("routing = {\n  status_map = \"IDLE\";\n};\n", "status_map",
	    "routing.status_map: expected a group of word = \"STATUS\"",
	    "status_map: not a group");
}

static void
test_status_map_full(void)
{
	char text[8192], *p = text, err[1024], want[1024];
	const char *path;
	struct conf c;
	int i, rc;

	p += sprintf(p, "routing = { status_map = {\n");
	for (i = 0; i < 53; i++)
		p += sprintf(p, "w%d = \"IDLE\";\n", i);
	sprintf(p, "}; };\n");
	rc = load(text, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "status_map: 11 defaults + 53 words fit");
	is_int(c.routing.nstatus_map, CONF_MAX_STATUS_MAP,
	    "status_map: that is the maximum");
	conf_free(&c);

	sprintf(p, "w53 = \"IDLE\";\n}; };\n");
	rc = load(text, &c, err, sizeof(err), &path);
	is_int(rc, -1, "status_map: one word more fails");
	snprintf(want, sizeof(want), "%s:%d: routing.status_map: more than "
	    "64 words", path, line_of(text, "w53"));
	is_str(err, want, "status_map: too many words, with the line");
}

static void
test_many_errors(void)
{
	static const char text[] =
	    "spool_dir = \"/x\";\n"
	    "receiver = {\n"
	    "  secert_file = \"/s\";\n"
	    "  max_body_bytes = 0;\n"
	    "};\n"
	    "genesys = { timeout_ms = \"10s\"; };\n"
	    "worker = { backoff_min_ms = 10; backoff_max_ms = 5; };\n"
	    "routing = { status_map = { x = \"Y\"; }; };\n"
	    "bogus = 1;\n";
	struct conf c;
	char err[4096], want[256];
	const char *path;
	int rc;

	rc = load(text, &c, err, sizeof(err), &path);
	is_int(rc, -1, "many errors: fails");
	is_int(count_lines(err), 6, "many errors: all six reported");
	ok(err[strlen(err) - 1] != '\n', "many errors: no final newline");
#define HAS(needle, what) do {						\
	snprintf(want, sizeof(want), "%s:%d: ", path, line_of(text, needle)); \
	ok(contains(err, want) && contains(err, what),			\
	    "many errors: %s at its line", what);			\
} while (0)
	HAS("secert", "'receiver.secert_file'");
	HAS("max_body", "receiver.max_body_bytes: 0 is out of range");
	HAS("timeout", "genesys.timeout_ms: expected an integer");
	HAS("backoff_max", "worker.backoff_max_ms 5 is less than");
	HAS("\"Y\"", "routing.status_map.x: \"Y\" is not");
	HAS("bogus", "unknown key 'bogus'");
#undef HAS

	/* A short buffer truncates; it never overflows. */
	memset(err, 'Z', sizeof(err));
	rc = load(text, &c, err, 40, NULL);
	is_int(rc, -1, "short buffer: still fails");
	is_int(strlen(err), 39, "short buffer: filled and terminated");
	ok(err[40] == 'Z', "short buffer: nothing written past it");
	rc = load(text, &c, NULL, 0, NULL);
	is_int(rc, -1, "no buffer at all: still fails");
}

static void
test_conf_path(void)
{
	is_int(unsetenv(CONF_ENV), 0, "conf_path: unset $" CONF_ENV);
	is_str(conf_path(NULL), CONF_DEFAULT_PATH,
	    "conf_path: the default without -c or $" CONF_ENV);
	is_str(conf_path("/arg.conf"), "/arg.conf",
	    "conf_path: -c without $" CONF_ENV);
	is_int(setenv(CONF_ENV, "/env.conf", 1), 0, "conf_path: set $"
	    CONF_ENV);
	is_str(conf_path(NULL), "/env.conf", "conf_path: $" CONF_ENV
	    " over the default");
	is_str(conf_path("/arg.conf"), "/arg.conf",
	    "conf_path: -c over $" CONF_ENV);
	is_int(setenv(CONF_ENV, "", 1), 0, "conf_path: empty $" CONF_ENV);
	is_str(conf_path(NULL), CONF_DEFAULT_PATH,
	    "conf_path: an empty $" CONF_ENV " counts as unset");
	unsetenv(CONF_ENV);
}

static void
test_secrets(void)
{
	char text[2048], err[2048], want[2048], big[SECRET_MAX + 1];
	const char *cpath, *s1, *s2, *s3, *s4, *s5, *s6;
	struct secret sec;
	struct conf_path p;
	struct conf c;
	int rc;

	s1 = write_text("crlf.secret", "s3cret-one\r\nsecond line\n");
	s2 = write_text("lf.secret", "s3cret-two\n");
	s3 = write_text("empty.secret", "");
	s4 = write_text("blank-first.secret", "\nhidden-secret-line\n");
	memset(big, 'K', sizeof(big));
	s5 = write_file("long.secret", big, sizeof(big));
	s6 = write_file("max.secret", big, SECRET_MAX);

	snprintf(text, sizeof(text),
	    "receiver = {\n  secret_files = [\"%s\", \"%s\"];\n};\n"
	    "genesys = {\n  client_secret_file = \"%s\";\n};\n", s1, s2, s6);
	rc = load(text, &c, err, sizeof(err), &cpath);
	is_int(rc, 0, "secrets: config loads");
	rc = secret_read_receiver(&c, err, sizeof(err));
	is_int(rc, 0, "secrets: webhook secrets read");
	is_int(c.receiver.nsecrets, 2, "secrets: two of them");
	is_int(c.receiver.secrets[0].len, 10, "secrets: \\r\\n trimmed");
	ok(memcmp(c.receiver.secrets[0].key, "s3cret-one", 10) == 0,
	    "secrets: first line only");
	is_int(c.receiver.secrets[1].len, 10, "secrets: \\n trimmed");
	ok(memcmp(c.receiver.secrets[1].key, "s3cret-two", 10) == 0,
	    "secrets: second secret");
	rc = secret_read_client(&c, err, sizeof(err));
	is_int(rc, 0, "secrets: exactly SECRET_MAX bytes is fine");
	is_int(c.genesys.client_secret.len, SECRET_MAX,
	    "secrets: all of them kept");
	conf_free(&c);
	ok(all_zero(&c, sizeof(c)), "secrets: conf_free wipes them");

	/* One bad file among good ones: nothing is kept, the bad is named. */
	snprintf(text, sizeof(text),
	    "receiver = {\n  secret_files = [\"%s\",\n  \"%s/missing\"];\n};\n",
	    s1, scratch);
	rc = load(text, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "secrets: config with a missing file loads");
	rc = secret_read_receiver(&c, err, sizeof(err));
	is_int(rc, -1, "secrets: a missing file fails");
	is_int(c.receiver.nsecrets, 0, "secrets: none kept");
	ok(all_zero(c.receiver.secrets, sizeof(c.receiver.secrets)),
	    "secrets: the one read is wiped");
	snprintf(want, sizeof(want), "%s/missing: No such file or directory",
	    scratch);
	ok(contains(err, want), "secrets: the missing path and the reason "
	    "(%s)", err);
	ok(contains(err, "receiver.secret_files[1]"),
	    "secrets: which element");
	ok(!contains(err, "s3cret"), "secrets: no secret in the message");
	conf_free(&c);

	snprintf(text, sizeof(text), "spool_dir = \"/x\";\n"
	    "receiver = {\n  secret_file = \"%s/nope\";\n};\n", scratch);
	rc = load(text, &c, err, sizeof(err), &cpath);
	rc = secret_read_receiver(&c, err, sizeof(err));
	is_int(rc, -1, "secret_file missing: fails");
	snprintf(want, sizeof(want), "%s:3: receiver.secret_file: %s/nope: "
	    "No such file or directory", cpath, scratch);
	is_str(err, want, "secret_file missing: FILE:LINE: key: path: why");

	/* Every failure below, read through c->file's name. */
	p.line = 7;
	p.path = (char *)s3;
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, -1, "empty secret file: fails");
	snprintf(want, sizeof(want), "%s:7: receiver.secret_file: %s: no "
	    "secret on the first line", cpath, s3);
	is_str(err, want, "empty secret file: message");

	p.path = (char *)s4;
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, -1, "empty first line: fails");
	ok(!contains(err, "hidden-secret"),
	    "empty first line: the second line is not in the message");

	p.path = (char *)s5;
	rc = secret_read(&c, &p, "genesys.client_secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, -1, "too long: fails");
	snprintf(want, sizeof(want), "%s:7: genesys.client_secret_file: %s: "
	    "secret file too long (more than %d bytes)", cpath, s5,
	    SECRET_MAX);
	is_str(err, want, "too long: message");
	ok(!contains(err, "KKKK"), "too long: no secret in the message");
	is_int(sec.len, 0, "too long: nothing returned");

	p.path = scratch;
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, -1, "a directory: fails");
	ok(contains(err, "not a regular file"), "a directory: says so");

	p.line = 0;
	p.path = (char *)"/nonexistent/webhook.secret";
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	snprintf(want, sizeof(want), "%s: receiver.secret_file (default) "
	    "/nonexistent/webhook.secret: No such file or directory", cpath);
	is_str(err, want, "a default path: FILE: key (default) path: why");

	p.line = 4;
	p.path = (char *)s2;
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, 0, "secret_read: reads");
	is_str(err, "", "secret_read: err cleared");
	is_int(sec.len, 10, "secret_read: length");
	p.path = (char *)s3;
	rc = secret_read(&c, &p, "receiver.secret_file", &sec, err,
	    sizeof(err));
	is_int(rc, -1, "secret_read: then a failure");
	ok(sec.len == 0 && all_zero(sec.key, sizeof(sec.key)),
	    "secret_read: a failure leaves no old secret behind");
	p.path = (char *)s2;

	if (geteuid() == 0) {
		skip("root reads a mode 000 file anyway");
		skip("root reads a mode 000 file anyway");
	} else {
		if (chmod(s2, 0) == -1)
			die(s2);
		rc = secret_read(&c, &p, "receiver.secret_file", &sec,
		    err, sizeof(err));
		is_int(rc, -1, "unreadable: fails");
		snprintf(want, sizeof(want), "%s:4: receiver.secret_file: %s: "
		    "%s", cpath, s2, strerror(EACCES));
		is_str(err, want, "unreadable: FILE:LINE: key: path: why");
	}
	conf_free(&c);
}

/* receiver.auth and what each scheme reads, and the replay keys. */
static void
test_auth_keys(void)
{
	struct conf c;
	char text[4096], err[2048], want[2048];
	const char *cpath, *w1, *w2, *k1, *b1, *bad;
	int rc;

	rc = load("", &c, err, sizeof(err), NULL);
	is_int(rc, 0, "auth defaults: load");
	is_int(c.receiver.auth, CONF_AUTH_HMAC, "auth defaults: hmac alone");
	is_str(c.receiver.standard_webhooks.keys.files[0].path,
	    "/etc/routehook/standard-webhooks.secret",
	    "auth defaults: standard-webhooks secret");
	is_int(c.receiver.standard_webhooks.tolerance_s, 300,
	    "auth defaults: tolerance 300 s");
	is_str(c.receiver.api_key.header, "X-API-Key",
	    "auth defaults: X-API-Key");
	is_str(c.receiver.api_key.param, "HTTP_X_API_KEY",
	    "auth defaults: its FastCGI name");
	is_int(c.receiver.dedup_window_s, 3600, "auth defaults: an hour");
	is_int(c.receiver.require_event_time, 1,
	    "auth defaults: the event's time required");
	conf_free(&c);

	rc = load("receiver = { auth = [ \"basic\", \"hmac\", "
	    "\"standard-webhooks\", \"api_key\" ]; };\n", &c, err,
	    sizeof(err), NULL);
	is_int(rc, 0, "auth: all four");
	is_int(c.receiver.auth, CONF_AUTH_HMAC | CONF_AUTH_BASIC |
	    CONF_AUTH_STANDARD_WEBHOOKS | CONF_AUTH_API_KEY, "auth: all bits");
	conf_free(&c);
	rc = load("receiver = { auth = \"basic\"; };\n", &c, err,
	    sizeof(err), NULL);
	is_int(rc, 0, "auth: one scheme as a string");
	is_int(c.receiver.auth, CONF_AUTH_BASIC, "auth: basic alone");
	conf_free(&c);

	one_error("receiver = {\n  auth = \"hamc\";\n};\n", "hamc",
	    "receiver.auth: \"hamc\" is not \"hmac\", \"standard-webhooks\", "
	    "\"api_key\" or \"basic\"", "auth: a misspelt scheme");
	one_error("receiver = {\n  auth = [ \"hmac\", \"hmac\" ];\n};\n",
	    "auth", "receiver.auth[1]: \"hmac\" is listed twice",
	    "auth: a scheme twice");
	one_error("receiver = {\n  auth = [ ];\n};\n", "auth",
	    "receiver.auth: the list is empty; name at least one scheme",
	    "auth: an empty list");
	one_error("receiver = {\n  auth = 1;\n};\n", "auth",
	    "receiver.auth: expected a scheme or a list of them "
	    "([\"hmac\", ...])", "auth: a number");
	one_error("receiver = {\n  api_key = {\n    header = \"X_Key\";\n"
	    "  };\n};\n", "X_Key", "receiver.api_key.header: \"X_Key\" is "
	    "not a header name (letters, digits and '-')",
	    "api_key.header: an underscore");
	one_error("receiver = {\n  basic = {\n    secret_files = [];\n"
	    "  };\n};\n", "secret_files", "receiver.basic.secret_files: "
	    "expected 1 to 8 paths, not 0", "basic.secret_files: empty");
	one_error("receiver = {\n  standard_webhooks = {\n"
	    "    tolerance_s = 0;\n  };\n};\n", "tolerance_s",
	    "receiver.standard_webhooks.tolerance_s: 0 is out of range "
	    "(1 to 86400)", "tolerance_s: 0");
	one_error("receiver = {\n  auth = \"standard-webhooks\";\n"
	    "  dedup_window_s = 120;\n};\n", "dedup_window_s",
	    "receiver.dedup_window_s 120 is less than "
	    "receiver.standard_webhooks.tolerance_s 300 (default): a replayed "
	    "webhook-id could be forgotten while its timestamp is still "
	    "accepted", "dedup_window_s below the tolerance");
	rc = load("receiver = {\n  dedup_window_s = 120;\n};\n", &c, err,
	    sizeof(err), NULL);
	is_int(rc, 0, "dedup_window_s 120 is fine without standard-webhooks");
	conf_free(&c);

	/* The secrets of each scheme, and only of the schemes listed. */
	w1 = write_text("swh.secret", "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw\n");
	w2 = write_text("swh2.secret", "c2Vjb25k\n");	/* "second" */
	k1 = write_text("api.secret", "the-key\n");
	b1 = write_text("basic.secret", "user:pa:ss\r\n");
	snprintf(text, sizeof(text), "receiver = {\n"
	    "  auth = [ \"standard-webhooks\", \"api_key\", \"basic\" ];\n"
	    "  secret_file = \"%s/no-such-hmac.secret\";\n"
	    "  standard_webhooks = { secret_files = [ \"%s\", \"%s\" ]; };\n"
	    "  api_key = { secret_files = [ \"%s\" ]; };\n"
	    "  basic = { secret_files = [ \"%s\" ]; };\n};\n", scratch, w1,
	    w2, k1, b1);
	rc = load(text, &c, err, sizeof(err), &cpath);
	is_int(rc, 0, "scheme secrets: config loads (%s)", err);
	rc = secret_read_receiver(&c, err, sizeof(err));
	is_int(rc, 0, "scheme secrets: read, the hmac file never opened (%s)",
	    err);
	is_int(c.receiver.standard_webhooks.keys.nsecrets, 2,
	    "scheme secrets: two standard-webhooks keys");
	is_int(c.receiver.standard_webhooks.keys.secrets[0].len, 24,
	    "scheme secrets: whsec_ decoded to 24 bytes");
	ok(c.receiver.standard_webhooks.keys.secrets[1].len == 6 &&
	    memcmp(c.receiver.standard_webhooks.keys.secrets[1].key,
	    "second", 6) == 0, "scheme secrets: without whsec_, base64 still");
	ok(c.receiver.api_key.keys.nsecrets == 1 &&
	    c.receiver.api_key.keys.secrets[0].len == 7,
	    "scheme secrets: the API key");
	ok(c.receiver.basic.keys.nsecrets == 1 &&
	    c.receiver.basic.keys.secrets[0].len == 10,
	    "scheme secrets: user:password, CRLF dropped");
	conf_free(&c);

	bad = write_text("bad.secret", "whsec_not base64!\n");
	snprintf(text, sizeof(text), "receiver = {\n"
	    "  auth = [ \"standard-webhooks\", \"basic\" ];\n"
	    "  standard_webhooks = { secret_files = [ \"%s\" ]; };\n"
	    "  basic = { secret_files = [ \"%s\" ]; };\n};\n", bad, k1);
	rc = load(text, &c, err, sizeof(err), &cpath);
	is_int(rc, 0, "bad scheme secrets: config loads");
	rc = secret_read_receiver(&c, err, sizeof(err));
	is_int(rc, -1, "bad scheme secrets: refused");
	snprintf(want, sizeof(want), "%s:3: receiver.standard_webhooks."
	    "secret_files: %s: not a Standard Webhooks secret (whsec_ and "
	    "base64)\n%s:4: receiver.basic.secret_files: %s: not "
	    "user:password", cpath, bad, cpath, k1);
	is_str(err, want, "bad scheme secrets: each named, FILE:LINE");
	ok(!contains(err, "the-key") && !contains(err, "not base64!"),
	    "bad scheme secrets: no secret in the message");
	ok(all_zero(c.receiver.basic.keys.secrets,
	    sizeof(c.receiver.basic.keys.secrets)) &&
	    c.receiver.basic.keys.nsecrets == 0,
	    "bad scheme secrets: nothing kept");
	conf_free(&c);
}

/* The sample with every "#key = value;" line made live. */
static char *
uncomment(const char *text)
{
	char *out, *o;
	const char *p, *line;

	if ((out = malloc(strlen(text) + 1)) == NULL)
		die("malloc");
	o = out;
	for (line = text; *line != '\0';) {
		for (p = line; *p == ' ' || *p == '\t'; p++)
			*o++ = *p;
		if (p[0] == '#' && ((p[1] >= 'a' && p[1] <= 'z') ||
		    (p[1] >= 'A' && p[1] <= 'Z')))
			p++;
		while (*p != '\0' && *p != '\n')
			*o++ = *p++;
		if (*p == '\n')
			*o++ = *p++;
		line = p;
	}
	*o = '\0';
	return out;
}

static void
test_sample(void)
{
	static const char *const keys[] = {
		"spool_dir", "secret_file", "signature_header",
		"signature_encoding", "signature_prefix", "max_body_bytes",
		"fsync", "region", "api_base", "login_base", "client_id",
		"client_secret_file", "ca_file", "timeout_ms",
		"requests_per_minute", "webhook_path", "concurrency",
		"backoff_min_ms", "backoff_max_ms", "max_attempts", "max_age_s",
		"metrics_file", "threshold_ms", "file", "available", "meeting",
		"auth", "tolerance_s", "header", "secret_files",
		"dedup_window_s", "require_event_time"
	};
	struct conf dflt, c;
	char err[2048], *text = NULL, *live, want[128];
	const char *diff;
	size_t len = 0, i;
	FILE *fp;
	int rc;

	if ((fp = fopen(SAMPLE, "r")) == NULL) {
		ok(0, "sample: %s: %s (run from the top of the tree)", SAMPLE,
		    strerror(errno));
		return;
	}
	if (getdelim(&text, &len, '\0', fp) == -1)
		die(SAMPLE);
	fclose(fp);

	rc = load("", &dflt, err, sizeof(err), NULL);
	is_int(rc, 0, "sample: the defaults load");
	rc = conf_load(&c, SAMPLE, err, sizeof(err));
	is_int(rc, 0, "sample: loads as shipped (%s)", err);
	diff = rc == 0 ? conf_diff(&c, &dflt) : "(not loaded)";
	is_str(diff, NULL, "sample: as shipped, it is all defaults");
	conf_free(&c);

	live = uncomment(text);
	rc = load(live, &c, err, sizeof(err), NULL);
	is_int(rc, 0, "sample: loads with every default uncommented (%s)",
	    err);
	diff = rc == 0 ? conf_diff(&c, &dflt) : "(not loaded)";
	is_str(diff, NULL, "sample: every default it shows is the default");
	conf_free(&c);
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		snprintf(want, sizeof(want), "\n%s = ", keys[i]);
		ok(contains(live, want) || (snprintf(want, sizeof(want),
		    "\t%s = ", keys[i]) > 0 && contains(live, want)),
		    "sample: shows %s", keys[i]);
	}
	free(live);
	free(text);
	conf_free(&dflt);
}

int
main(void)
{
	size_t i;

	if (mkdtemp(scratch) == NULL)
		die("mkdtemp");
	unsetenv(CONF_ENV);

	test_defaults();
	test_every_key();
	test_secret_files_key();
	test_syntax_and_files();
	test_unknown_keys();
	test_types_and_ranges();
	test_backoff();
	test_region();
	test_status_map();
	test_status_map_full();
	test_many_errors();
	test_conf_path();
	test_secrets();
	test_auth_keys();
	test_sample();

	for (i = 0; i < nfiles; i++)
		if (unlink(files[i]) == -1 && errno != ENOENT)
			perror(files[i]);
	if (rmdir(scratch) == -1)
		perror(scratch);
	return tap_done();
}
