/*
 * genesys-fuzzer: what Genesys Cloud (or anything between it and us)
 * answers.  The input is a whole raw HTTP answer, served to a real call
 * made by lib/http.c over a socket pair instead of the network, so
 * libcurl parses its status line and headers (Retry-After in both forms,
 * the inin-ratelimit-* headers) and http_call_result() reduces it to
 * status, Retry-After, the rate-limit budget and the error sentence built
 * from the error body; the worker's pacing (worker/ratelimit.c) then takes
 * the budget and the Retry-After as it would; then the body part alone is taken as a token endpoint's answer by
 * oauth.c's own oauth_take() (this file includes oauth.c to reach it).
 * Checks beyond "no crash": Retry-After stays within a day; the budget
 * headers read as -1 (absent) or a count; the pacing never asks to wait
 * longer than the answer said; the error sentence never ends in half a
 * UTF-8 character; a token taken is one
 * that oauth_token_valid() accepts, expiring in the future.
 */
#include <sys/socket.h>

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "conf.h"
#include "dynbuf.h"
#include "fuzz.h"
#include "http.h"
#include "vis.h"
#include "../../worker/ratelimit.h"

#include "../../lib/oauth.c"

#define ANSWER_MAX	(64 * 1024)	/* well within a socket's buffer */

static struct conf	 conf;
static struct http	 http;
static int		 ready;
static int		 answer_fd = -1;

static void
setup(void)
{
	char err[1024];

	if (conf_load(&conf, fuzz_file((const uint8_t *)"", 0), err,
	    sizeof(err)) == -1 || http_global_init(err, sizeof(err)) == -1 ||
	    http_init(&http, &conf, err, sizeof(err)) == -1)
		abort();
	ready = 1;
}

/* libcurl's "connection": our end of the socket pair, already open. */
static curl_socket_t
open_pair(void *arg, curlsocktype purpose, struct curl_sockaddr *addr)
{
	(void)arg;
	(void)purpose;
	(void)addr;
	return answer_fd;
}

static int
already_connected(void *arg, curl_socket_t fd, curlsocktype purpose)
{
	(void)arg;
	(void)fd;
	(void)purpose;
	return CURL_SOCKOPT_ALREADY_CONNECTED;
}

/*
 * The worker's pacing after this answer, at a fixed clock: no wait may
 * exceed the window, the Retry-After or the reset the answer gave.
 */
static void
pace(const struct http_result *r)
{
	struct ratelimit rl;
	unsigned long long t;
	long long now = 1000000, w, bound;

	if (ratelimit_init(&rl, 300, RATELIMIT_WINDOW_MS) == -1)
		abort();
	t = ratelimit_start(&rl, now);
	ratelimit_done(&rl, t, now);
	if (r->status == 429 && r->retry_after_s > 0)
		ratelimit_pause(&rl, now + r->retry_after_s * 1000LL);
	ratelimit_observe(&rl, r->rl_allowed, r->rl_count, r->rl_reset_s, now);
	w = ratelimit_wait(&rl, now);
	bound = RATELIMIT_WINDOW_MS;
	if (r->retry_after_s * 1000LL > bound)
		bound = r->retry_after_s * 1000LL;
	if (r->rl_reset_s * 1000LL > bound)
		bound = r->rl_reset_s * 1000LL;
	if (w < -1 || w > bound)
		abort();
	ratelimit_free(&rl);
}

static void
answer(const uint8_t *data, size_t size)
{
	struct http_call hc;
	struct http_result r;
	char err[512];
	size_t len;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == -1)
		abort();
	if (size > 0 && write(sv[1], data, size) != (ssize_t)size)
		abort();
	if (shutdown(sv[1], SHUT_WR) == -1)
		abort();
	answer_fd = sv[0];
	if (http_call_init(&hc, &http, HTTP_BODY_MAX, err, sizeof(err)) == -1 ||
	    http_call_set(&hc, "PUT",
	    "http://127.0.0.1/api/v2/users/u-1/routingstatus", "fuzz-token",
	    "application/json", "{\"status\":\"IDLE\"}", err,
	    sizeof(err)) == -1)
		abort();
	/* Plain http to our socket: lib/http.c itself allows https only. */
	if (curl_easy_setopt(hc.easy, CURLOPT_PROTOCOLS_STR, "http") != CURLE_OK ||
	    curl_easy_setopt(hc.easy, CURLOPT_OPENSOCKETFUNCTION,
	    open_pair) != CURLE_OK ||
	    curl_easy_setopt(hc.easy, CURLOPT_SOCKOPTFUNCTION,
	    already_connected) != CURLE_OK ||
	    curl_easy_setopt(hc.easy, CURLOPT_TIMEOUT_MS, 2000L) != CURLE_OK)
		abort();
	http_call_perform(&hc, &r);
	http_call_free(&hc);
	close(sv[1]);	/* libcurl closed sv[0] */
	if (r.retry_after_s < 0 || r.retry_after_s > 86400 ||
	    r.rl_allowed < -1 || r.rl_count < -1 || r.rl_reset_s < -1)
		abort();
	pace(&r);
	len = strlen(r.error);
	if (utf8_cut(r.error, len) != len)
		abort();
}

static void
token(const uint8_t *data, size_t size)
{
	struct oauth o;
	struct dynbuf b;
	time_t now = time(NULL);

	memset(&o, 0, sizeof(o));
	o.conf = &conf;
	dyn_init(&b, OAUTH_RESPONSE_MAX);
	if (dyn_add(&b, data, size) == -1 && !dyn_clipped(&b))
		abort();
	if (oauth_take(&o, &b, now) == 0 &&
	    (!oauth_token_valid(o.token) || o.expires_at <= now))
		abort();
	dyn_free(&b);
}

/* Where the body starts: after the first blank line, else nowhere. */
static size_t
body_offset(const uint8_t *data, size_t size)
{
	size_t i;

	for (i = 0; i + 4 <= size; i++)
		if (memcmp(data + i, "\r\n\r\n", 4) == 0)
			return i + 4;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	size_t off;

	if (!ready)
		setup();
	if (size > ANSWER_MAX)
		return 0;
	answer(data, size);
	off = body_offset(data, size);
	token(data + off, size - off);
	return 0;
}
