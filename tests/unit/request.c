/*
 * request.c: unit tests for fcgi/request.c, printing TAP.
 *
 * Tables for the pure parts (CONTENT_LENGTH, path classification; the
 * JSON check is jobject's, tests/unit/jobject.c), then request_handle() driven through a fake transport
 * against a real spool in a scratch directory: the order of the checks
 * (413 before reading, 401 before parsing), the answers' headers, and
 * that a refused request leaves no file anywhere.
 */
#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "hmac.h"
#include "log.h"
#include "../../fcgi/request.h"
#include "spool.h"
#include "tap.h"

/* s made fit for one TAP line; four buffers, for use in one printf. */
static const char *
vis(const char *s)
{
	static char buf[4][64];
	static int k;
	char *b = buf[k++ % 4];
	size_t i = 0;

	if (s == NULL)
		return "(unset)";
	for (; *s != '\0' && i + 5 < sizeof(buf[0]); s++) {
		if (*s >= 0x20 && *s < 0x7f)
			b[i++] = *s;
		else
			i += (size_t)snprintf(b + i, sizeof(buf[0]) - i,
			    "\\x%02x", (unsigned char)*s);
	}
	b[i] = '\0';
	return b;
}

/* --- CONTENT_LENGTH ------------------------------------------------------ */

static void
test_content_length(void)
{
	static const struct {
		const char		*in;
		size_t			 max;
		enum request_len	 want;
		size_t			 len;
	} t[] = {
		{ NULL, 100, REQUEST_LEN_MISSING, 0 },
		{ "", 100, REQUEST_LEN_MISSING, 0 },
		{ "0", 100, REQUEST_LEN_OK, 0 },
		{ "12", 100, REQUEST_LEN_OK, 12 },
		{ "012", 100, REQUEST_LEN_OK, 12 },	/* 1*DIGIT allows it */
		{ "0000000000000000000000000012", 100, REQUEST_LEN_OK, 12 },
		{ "100", 100, REQUEST_LEN_OK, 100 },	/* the cap itself */
		{ "101", 100, REQUEST_LEN_TOO_LARGE, 0 },
		{ "65536", 65536, REQUEST_LEN_OK, 65536 },
		{ "65537", 65536, REQUEST_LEN_TOO_LARGE, 0 },
		{ "99999999999999999999", 100, REQUEST_LEN_TOO_LARGE, 0 },
		{ "99999999999999999999", (size_t)-1, REQUEST_LEN_TOO_LARGE, 0 },
		{ "18446744073709551615", (size_t)-1, REQUEST_LEN_OK,
		    (size_t)-1 },
		{ "18446744073709551616", (size_t)-1, REQUEST_LEN_TOO_LARGE, 0 },
		{ "-1", 100, REQUEST_LEN_INVALID, 0 },
		{ "+1", 100, REQUEST_LEN_INVALID, 0 },
		{ " 1", 100, REQUEST_LEN_INVALID, 0 },
		{ "1 ", 100, REQUEST_LEN_INVALID, 0 },
		{ "1\n", 100, REQUEST_LEN_INVALID, 0 },
		{ "1e3", 100, REQUEST_LEN_INVALID, 0 },
		{ "0x10", 100, REQUEST_LEN_INVALID, 0 },
		{ "1.0", 100, REQUEST_LEN_INVALID, 0 },
		{ "12,12", 100, REQUEST_LEN_INVALID, 0 },
		{ "99999999999999999999x", 100, REQUEST_LEN_INVALID, 0 },
	};
	size_t i, len;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		len = 12345;
		is_int(request_content_length(t[i].in, t[i].max, &len),
		    t[i].want, "CONTENT_LENGTH \"%s\" (cap %zu)",
		    vis(t[i].in), t[i].max);
		if (t[i].want == REQUEST_LEN_OK)
			is_int(len, t[i].len, "CONTENT_LENGTH \"%s\" is %zu",
			    vis(t[i].in), t[i].len);
	}
}

/* --- paths --------------------------------------------------------------- */

static void
test_classify(void)
{
	static const struct {
		const char		*mount, *uri, *script, *info;
		enum request_path	 want;
	} t[] = {
#define M	"/routehook"
		{ M, "/routehook/health", NULL, NULL, REQUEST_PATH_HEALTH },
		{ M, "/routehook/health?x=1", NULL, NULL, REQUEST_PATH_HEALTH },
		{ M, "/routehook/health#frag", NULL, NULL, REQUEST_PATH_HEALTH },
		{ M, "/routehook/metrics", NULL, NULL, REQUEST_PATH_METRICS },
		{ M, "/routehook/metrics?name[]=x", NULL, NULL,
		    REQUEST_PATH_METRICS },
		{ M, "/routehook/events", NULL, NULL, REQUEST_PATH_OTHER },
		/* only the exact paths: issue 10, section 4 */
		{ M, "/routehook/x/metrics", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook/metrics/", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook//metrics", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook/%6detrics", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/other/metrics", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/metrics", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/a/b/health", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook/health/", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook/xhealth", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/routehook/events?/health", NULL, NULL,
		    REQUEST_PATH_OTHER },
		{ M, "health", NULL, NULL, REQUEST_PATH_OTHER },
		{ M, "/", NULL, NULL, REQUEST_PATH_OTHER },
		/* another mount, and the root */
		{ "/hooks/rh", "/hooks/rh/health", NULL, NULL,
		    REQUEST_PATH_HEALTH },
		{ "/hooks/rh", "/routehook/health", NULL, NULL,
		    REQUEST_PATH_OTHER },
		{ "", "/metrics", NULL, NULL, REQUEST_PATH_METRICS },
		{ "", "/routehook/metrics", NULL, NULL, REQUEST_PATH_OTHER },
		/* REQUEST_URI wins over the CGI variables */
		{ M, "/routehook/events", "/routehook", "/health",
		    REQUEST_PATH_OTHER },
		/* without it: SCRIPT_NAME + PATH_INFO */
		{ M, NULL, "/routehook", "/health", REQUEST_PATH_HEALTH },
		{ M, "", "/routehook", "/metrics", REQUEST_PATH_METRICS },
		{ M, NULL, "/routehook/health", NULL, REQUEST_PATH_HEALTH },
		{ M, NULL, "/routehook/heal", "th", REQUEST_PATH_HEALTH },
		{ M, NULL, "/routehook", "/x/metrics", REQUEST_PATH_OTHER },
		{ M, NULL, "/routehook", "/events", REQUEST_PATH_OTHER },
		{ M, NULL, NULL, "/health", REQUEST_PATH_OTHER },
		{ M, NULL, NULL, NULL, REQUEST_PATH_OTHER },
#undef M
	};
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++)
		is_int(request_classify(t[i].mount, t[i].uri, t[i].script,
		    t[i].info), t[i].want,
		    "classify mount=%s uri=%s script=%s info=%s", t[i].mount,
		    t[i].uri ? t[i].uri : "-", t[i].script ? t[i].script : "-",
		    t[i].info ? t[i].info : "-");
}

/* --- request_handle through a fake transport ------------------------------ */

struct fake {
	const char	*env[16];	/* "NAME=value" */
	const char	*body;
	size_t		 bodylen;
	size_t		 pos;		/* body bytes read so far */
	int		 reads;
	size_t		 stall_after;	/* 0, or stop sending after this */
	int		 drip_ms;	/* 0, or one byte per drip_ms */
	int		 last_timeout_ms;
	char		 out[8192];
	size_t		 outlen;
};

static const char *
fake_param(void *ctx, const char *name)
{
	struct fake *f = ctx;
	size_t i, n = strlen(name);

	for (i = 0; f->env[i] != NULL; i++)
		if (strncmp(f->env[i], name, n) == 0 && f->env[i][n] == '=')
			return f->env[i] + n + 1;
	return NULL;
}

/*
 * Hands out at most 7 bytes a call, to exercise the read loop; with
 * stall_after set, a client that stops sending after that many bytes.
 */
static ssize_t
fake_read(void *ctx, void *buf, size_t n, int timeout_ms)
{
	struct fake *f = ctx;
	struct timespec ts;

	f->reads++;
	f->last_timeout_ms = timeout_ms;
	if (f->stall_after > 0 && f->pos >= f->stall_after) {
		/* As poll(2) would: the time passes, nothing comes. */
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000L;
		nanosleep(&ts, NULL);
		return REQUEST_READ_TIMEOUT;
	}
	if (f->drip_ms > 0) {
		/* One byte per drip_ms: each read in time, the whole not. */
		ts.tv_sec = 0;
		ts.tv_nsec = (long)f->drip_ms * 1000000L;
		nanosleep(&ts, NULL);
		n = 1;
	}
	if (n > 7)
		n = 7;
	if (n > f->bodylen - f->pos)
		n = f->bodylen - f->pos;
	memcpy(buf, f->body + f->pos, n);
	f->pos += n;
	return (ssize_t)n;
}

static int
fake_write(void *ctx, const void *buf, size_t n)
{
	struct fake *f = ctx;

	if (n >= sizeof(f->out) - f->outlen)
		return -1;
	memcpy(f->out + f->outlen, buf, n);
	f->outlen += n;
	f->out[f->outlen] = '\0';
	return 0;
}

static struct conf	 conf;
static struct spool	 spool;
/* For the next run(): a client that stalls, or one that dribbles. */
static size_t		 next_stall_after;
static int		 next_drip_ms;
static struct responder	 resp;
static char		 spooldir[] = "/tmp/routehook-unit.XXXXXX";
static const char	 secret[] = "unit-test-secret";

/*
 * One request.  sig: NULL for no signature header, "" for a valid one
 * over body, else that value.
 */
static int
run(struct fake *f, const char *method, const char *uri, const char *clen,
    const char *body, size_t bodylen, const char *sig)
{
	static char e_method[64], e_uri[256], e_clen[64], e_sig[256];
	char mac[HMAC_TEXT_MAX];
	struct request_io io;
	size_t n = 0;

	memset(f, 0, sizeof(*f));
	f->stall_after = next_stall_after;
	f->drip_ms = next_drip_ms;
	next_stall_after = 0;
	next_drip_ms = 0;
	snprintf(e_method, sizeof(e_method), "REQUEST_METHOD=%s", method);
	f->env[n++] = e_method;
	snprintf(e_uri, sizeof(e_uri), "REQUEST_URI=%s", uri);
	f->env[n++] = e_uri;
	f->env[n++] = "REMOTE_ADDR=192.0.2.7";
	if (clen != NULL) {
		snprintf(e_clen, sizeof(e_clen), "CONTENT_LENGTH=%s", clen);
		f->env[n++] = e_clen;
	}
	if (sig != NULL) {
		if (*sig == '\0') {
			if (hmac_format(secret, strlen(secret), body, bodylen,
			    "", CONF_SIG_HEX, mac, sizeof(mac)) == -1) {
				printf("Bail out! hmac_format\n");
				exit(1);
			}
			sig = mac;
		}
		snprintf(e_sig, sizeof(e_sig), "HTTP_X_GENESYS_SIGNATURE=%s",
		    sig);
		f->env[n++] = e_sig;
	}
	f->env[n] = NULL;
	f->body = body;
	f->bodylen = bodylen;
	io.ctx = f;
	io.param = fake_param;
	io.read = fake_read;
	io.write = fake_write;
	return request_handle(&resp, &io);
}

static long
files_in(const char *sub)
{
	char path[512];
	struct dirent *de;
	DIR *d;
	long n = 0;

	snprintf(path, sizeof(path), "%s/%s", spooldir, sub);
	if ((d = opendir(path)) == NULL)
		return -1;
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
has(const struct fake *f, const char *s)
{
	return strstr(f->out, s) != NULL;
}

/* The spool holds nothing in tmp/ and `want` files in new/. */
static void
spool_is(long want, const char *what)
{
	is_int(files_in("tmp"), 0, "%s: nothing in tmp/", what);
	is_int(files_in("new"), want, "%s: %ld in new/", what, want);
}

static void
test_handle(void)
{
	static const char ev[] = "{\"eventType\":\"routing.user.status."
	    "update\",\"userId\":\"u1\",\"status\":\"available\"}\n";
	char buf[300], path[512], *id, *end, *got;
	struct fake f;
	struct stat st;
	FILE *fp;
	size_t len;
	char err[512];

	memset(&conf, 0, sizeof(conf));
	conf.receiver.auth = CONF_AUTH_HMAC;
	conf.receiver.signature_header = "X-Genesys-Signature";
	conf.receiver.signature_param = "HTTP_X_GENESYS_SIGNATURE";
	conf.receiver.signature_encoding = CONF_SIG_HEX;
	conf.receiver.signature_prefix = "";
	conf.receiver.max_body_bytes = 256;
	conf.receiver.mount = "/routehook";
	conf.receiver.read_timeout_ms = 2000;
	memcpy(conf.receiver.secrets[0].key, secret, strlen(secret));
	conf.receiver.secrets[0].len = strlen(secret);
	conf.receiver.nsecrets = 1;
	if (mkdtemp(spooldir) == NULL ||
	    spool_open(&spool, spooldir, 1, 0, err, sizeof(err)) == -1) {
		printf("Bail out! spool %s: %s\n", spooldir, err);
		exit(1);
	}
	resp.conf = &conf;
	resp.spool = &spool;

	is_int(run(&f, "POST", "/routehook/events", "2000", ev, sizeof(ev) - 1,
	    ""), 413, "413 when CONTENT_LENGTH is above the cap");
	is_int(f.reads, 0, "413: not a byte of the body was read");
	ok(has(&f, "Status: 413 ") && has(&f,
	    "Content-Type: application/json\r\n") && has(&f,
	    "\r\n\r\n{\"error\":\"body too large\"}"), "413: headers and body");
	is_int(run(&f, "POST", "/routehook/events", "257", ev, sizeof(ev) - 1,
	    ""), 413, "413 at cap + 1");

	is_int(run(&f, "POST", "/e", NULL, ev, sizeof(ev) - 1, ""), 411,
	    "411 without CONTENT_LENGTH");
	is_int(run(&f, "POST", "/e", "", ev, sizeof(ev) - 1, ""), 411,
	    "411 with an empty CONTENT_LENGTH");
	is_int(run(&f, "POST", "/e", "-1", ev, sizeof(ev) - 1, ""), 400,
	    "400 with CONTENT_LENGTH -1");
	is_int(run(&f, "POST", "/e", "1e3", ev, sizeof(ev) - 1, ""), 400,
	    "400 with CONTENT_LENGTH 1e3");

	snprintf(buf, sizeof(buf), "%zu", sizeof(ev) - 1 + 10);
	is_int(run(&f, "POST", "/e", buf, ev, sizeof(ev) - 1, ""), 400,
	    "400 when the body is shorter than CONTENT_LENGTH");
	ok(has(&f, "shorter"), "... saying so");

	/* Slow clients: receiver.read_timeout_ms bounds the whole body. */
	conf.receiver.read_timeout_ms = 100;
	snprintf(buf, sizeof(buf), "%zu", sizeof(ev) - 1);
	next_stall_after = 10;
	is_int(run(&f, "POST", "/e", buf, ev, sizeof(ev) - 1, ""), 408,
	    "408 when the client stops sending");
	ok(has(&f, "Status: 408 Request Timeout\r\n") &&
	    has(&f, "not received in time"), "408: status and reason");
	ok(f.last_timeout_ms > 0 && f.last_timeout_ms <= 100,
	    "each read waits no longer than the time left (%d ms)",
	    f.last_timeout_ms);
	next_drip_ms = 20;
	is_int(run(&f, "POST", "/e", buf, ev, sizeof(ev) - 1, ""), 408,
	    "408 when every read is in time but the whole body is not");
	ok(f.reads < 10, "the dribbler was cut off after %d reads", f.reads);
	spool_is(0, "after the slow clients");
	conf.receiver.read_timeout_ms = 2000;

	is_int(run(&f, "POST", "/e", "5", "{bad}", 5, "00"), 401,
	    "401 (not 400) for bad JSON with a bad signature: "
	    "signature first");
	is_int(run(&f, "POST", "/e", "5", "{bad}", 5, NULL), 401,
	    "401 for bad JSON without a signature");
	ok(has(&f, "{\"error\":\"invalid signature\"}"), "... the same body");
	is_int(run(&f, "POST", "/e", "5", "{bad}", 5, ""), 400,
	    "400 for bad JSON with a good signature");
	is_int(run(&f, "POST", "/e", "0", "", 0, ""), 400,
	    "400 for an empty body with a good signature");
	ok(has(&f, "empty body"), "... saying empty body");
	is_int(run(&f, "POST", "/e", "2", "[]", 2, ""), 400,
	    "400 for a signed array");
	snprintf(buf, sizeof(buf), "%zu", sizeof(ev) - 1);
	is_int(run(&f, "POST", "/e", buf, ev, sizeof(ev) - 1,
	    "0000000000000000000000000000000000000000000000000000000000000000"),
	    401, "401 for a wrong signature");
	spool_is(0, "after the refusals");

	is_int(run(&f, "POST", "/e", buf, ev, sizeof(ev) - 1, ""), 202,
	    "202 for a signed event");
	ok(has(&f, "Status: 202 Accepted\r\n"), "202: status line");
	spool_is(1, "after one event");
	id = strstr(f.out, "\"id\":\"");
	ok(id != NULL, "202: the answer has an id");
	if (id != NULL) {
		id += 6;
		end = strchr(id, '"');
		if (end != NULL)
			*end = '\0';
		snprintf(path, sizeof(path), "%s/new/%s", spooldir, id);
		ok(stat(path, &st) == 0 && (size_t)st.st_size ==
		    sizeof(ev) - 1, "202: new/<id> has the body's size");
		got = NULL;
		len = 0;
		if ((fp = fopen(path, "r")) != NULL) {
			got = calloc(1, sizeof(ev));
			if (got != NULL)
				len = fread(got, 1, sizeof(ev), fp);
			fclose(fp);
		}
		ok(got != NULL && len == sizeof(ev) - 1 &&
		    memcmp(got, ev, len) == 0, "202: new/<id> holds the body");
		free(got);
	}

	is_int(run(&f, "PUT", "/e", buf, ev, sizeof(ev) - 1, ""), 405,
	    "405 for PUT");
	ok(has(&f, "Allow: POST\r\n"), "405: Allow: POST");
	is_int(run(&f, "GET", "/routehook/events", NULL, "", 0, NULL), 405,
	    "405 for GET on an event path");
	is_int(run(&f, "POST", "/routehook/health", "2", "{}", 2, ""), 405,
	    "405 for POST on health");
	ok(has(&f, "Allow: GET, HEAD\r\n"), "405: Allow: GET, HEAD");
	spool_is(1, "after the 405s");

	is_int(run(&f, "GET", "/routehook/health", NULL, "", 0, NULL), 200,
	    "200 for GET health");
	ok(has(&f, "\"status\":\"healthy\"") && has(&f, "\"new\":1,") &&
	    has(&f, "\"deferred\":0,") && has(&f, "\"dead\":0,") &&
	    has(&f, "\"oldest_new_age_s\":") && has(&f, "\"timestamp\":\""),
	    "health: fields and counts");
	is_int(run(&f, "HEAD", "/routehook/health", NULL, "", 0, NULL), 200,
	    "200 for HEAD health");
	ok(!has(&f, "{"), "HEAD: no body");

	is_int(run(&f, "GET", "/routehook/metrics", NULL, "", 0, NULL), 200,
	    "200 for GET metrics");
	ok(has(&f, "Content-Type: text/plain; version=0.0.4\r\n"),
	    "metrics: content type");
	ok(has(&f, "\nroutehook_requests_accepted_total 1\n"),
	    "metrics: 1 accepted");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"too_large\"} 2\n"),
	    "metrics: 2 too large");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"bad_length\"} 5\n"),
	    "metrics: 5 bad length (2 missing, 2 invalid, 1 short)");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"signature\"} 3\n"),
	    "metrics: 3 signature");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"bad_json\"} 3\n"),
	    "metrics: 3 bad json");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"timeout\"} 2\n"),
	    "metrics: 2 timeout");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"method\"} 3\n"),
	    "metrics: 3 method");
	ok(has(&f, "routehook_requests_rejected_total{reason=\"spool\"} 0\n"),
	    "metrics: 0 spool");
	ok(has(&f, "routehook_spool_files{dir=\"new\"} 1\n") &&
	    has(&f, "routehook_spool_files{dir=\"cur\"} 0\n"),
	    "metrics: spool gauges");
	ok(has(&f, "# TYPE routehook_spool_oldest_age_seconds gauge\n"
	    "routehook_spool_oldest_age_seconds{dir=\"new\"} "),
	    "metrics: oldest age");

	spool_close(&spool);
}

static void
cleanup(void)
{
	char cmd[600];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", spooldir);
	if (strchr(spooldir, 'X') == NULL && system(cmd) != 0)
		printf("# could not remove %s\n", spooldir);
}

int
main(void)
{
	int fd;

	log_init("request-test", 0);
	/*
	 * The rejection log lines are expected: out of prove's way unless
	 * TEST_VERBOSE is set.  A sanitizer report still fails the test
	 * through the exit status.
	 */
	if (getenv("TEST_VERBOSE") == NULL &&
	    (fd = open("/dev/null", O_WRONLY)) != -1) {
		if (dup2(fd, STDERR_FILENO) == -1)
			return 1;
		close(fd);
	}
	test_content_length();
	test_classify();
	test_handle();
	cleanup();
	return tap_done();
}
