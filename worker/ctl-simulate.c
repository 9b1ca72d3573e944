/*
 * ctl-simulate: `routehookctl simulate`: realistic signed events sent to
 * the receiver, the way a sender would, to prove the path end to end and
 * to load it.
 *
 * Event i (from 0) goes to user (i mod U) + 1, whose id is the UUID-shaped
 * "00000000-0000-4000-8000-" followed by the user number in 12 decimal
 * digits, so a test or the demo knows every id in advance.  Its status is
 * one of the default routing.status_map words, picked by a hash of i; its
 * timestamp is the time it is sent (ISO 8601, milliseconds, UTC), and an
 * event id made from i keeps every body unique (the receiver answers a
 * repeated body as a replay).  Bodies
 * are signed as the receiver is configured to check (header name, hex or
 * base64, prefix) with the first configured secret, or with a key that is
 * not it (--bad-signature).
 *
 * libcurl multi keeps C transfers in flight on reused connections; with
 * --rate, event i does not start before start + i/R seconds.  The summary
 * (stdout) counts answers by status and gives p50/p99 of the transfer
 * times of the answered requests.
 *
 * Exit: 0 when every event was accepted (2xx), or with --bad-signature
 * every one refused with 401; 1 otherwise; 111 when nothing answered at
 * all; 100 on a usage or config error (no readable webhook secret).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "ctl.h"
#include "event.h"
#include "hmac.h"
#include "msclock.h"

#define CTL_SIM_MAX_COUNT	1000000L
#define CTL_SIM_MAX_CONC	1024L
#define CTL_SIM_BODY_MAX	1024
#define CTL_SIM_TIMEOUT_MS	30000L
#define CTL_SIM_DEFAULT_URL	"http://127.0.0.1/routehook/events"
#define CTL_SIM_USER_FMT	"00000000-0000-4000-8000-%012ld"
#define CTL_SIM_STATUS_MAX	600

const char ctl_simulate_usage[] =
"usage: routehookctl [-c FILE] simulate [--url URL] [--count N]\n"
"           [--concurrency C] [--rate R] [--users U]\n"
"           [--shape tutorial|notification] [--bad-signature]\n"
"\n"
"Send N realistic events to the receiver, signed with the first webhook\n"
"secret and the receiver's signature settings from the configuration.\n"
"\n"
"  --url URL          where (default " CTL_SIM_DEFAULT_URL ")\n"
"  --count N          how many events (default 1)\n"
"  --concurrency C    requests in flight at once (default 8)\n"
"  --rate R           at most R events per second (default: no limit)\n"
"  --users U          spread over U users (default 10): event i goes to\n"
"                     user (i mod U) + 1, whose id is\n"
"                     00000000-0000-4000-8000-<the number in 12 digits>\n"
"  --shape S          tutorial (flat, the default) or notification\n"
"                     (Genesys topicName/eventBody)\n"
"  --bad-signature    sign with a wrong key: the receiver must answer 401\n"
"\n"
"Prints a progress line on a terminal, then \"sent N, accepted A,\n"
"rejected R (401: x, ...), p50 X ms, p99 Y ms\".\n"
"\n"
"exit status: 0 all accepted (with --bad-signature: all refused with\n"
"401), 1 otherwise, 100 usage or configuration error, 111 no answer\n";

struct ctl_sim_slot {
	CURL			*easy;
	struct curl_slist	*headers;
	char			 body[CTL_SIM_BODY_MAX];
	char			 errbuf[CURL_ERROR_SIZE];
	int			 busy;
};

struct ctl_sim {
	struct conf		*c;
	const char		*url;
	long			 count, conc, rate, users;
	int			 notification, bad_sig;
	struct secret	 key;
	long			 started, done, accepted, noanswer;
	long			 by_status[CTL_SIM_STATUS_MAX];
	long			 other_status;
	curl_off_t		*lat_us;	/* answered requests only */
	long			 nlat;
	char			 first_error[CURL_ERROR_SIZE + 64];
	int			 progress;
	long long		 t0_ms, last_progress_ms;
};

static size_t
ctl_sim_sink(char *p, size_t size, size_t nmemb, void *arg)
{
	(void)p;
	(void)arg;
	return size * nmemb;
}

/* Event i's body into slot->body; its length, or -1. */
static int
ctl_sim_body(struct ctl_sim *s, long i, char *buf, size_t bufsz)
{
	unsigned long h = (unsigned long)i * 2654435761UL;
	/* The built-in routing.status_map words, as senders write them. */
	const char *word =
	    event_default_status_map[(h >> 8) % event_ndefault_status_map].from;
	const char *status;
	char user[64], ts[40];
	int n;

	snprintf(user, sizeof(user), CTL_SIM_USER_FMT, i % s->users + 1);
	ctl_fmt_time(msclock_real(), ts, sizeof(ts));
	if (!s->notification)
		/*
		 * eventId makes every body unique: two events for one user
		 * in one millisecond must not look like a replay.
		 */
		n = snprintf(buf, bufsz, "{\"eventType\":"
		    "\"routing.user.status.update\",\"userId\":\"%s\","
		    "\"status\":\"%s\",\"timestamp\":\"%s\","
		    "\"eventId\":\"%08lx-0000-4000-8000-%012ld\"}", user, word,
		    ts, h & 0xffffffffUL, i);
	else {
		/* Notifications carry Genesys' own values, already mapped. */
		if ((status = event_map_status(s->c, word)) == NULL)
			status = "IDLE";
		n = snprintf(buf, bufsz, "{\"topicName\":\"v2.users.%s."
		    "routingStatus\",\"version\":\"2\",\"eventBody\":{\"id\":"
		    "\"%s\",\"routingStatus\":{\"status\":\"%s\","
		    "\"startTime\":\"%s\"}},\"metadata\":{\"CorrelationId\":"
		    "\"%08lx-0000-4000-8000-%012ld\"}}", user, user, status,
		    ts, h & 0xffffffffUL, i);
	}
	if (n < 0 || (size_t)n >= bufsz)
		return -1;
	return n;
}

static int
ctl_sim_slot_init(struct ctl_sim *s, struct ctl_sim_slot *sl)
{
	CURL *e;

	if ((e = sl->easy = curl_easy_init()) == NULL)
		return -1;
	if (curl_easy_setopt(e, CURLOPT_URL, s->url) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_POST, 1L) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, ctl_sim_sink) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, sl->errbuf) != CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, CTL_SIM_TIMEOUT_MS) !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_USERAGENT, "routehookctl-simulate") !=
	    CURLE_OK ||
	    curl_easy_setopt(e, CURLOPT_PRIVATE, sl) != CURLE_OK)
		return -1;
	return 0;
}

static int
ctl_sim_headers(struct ctl_sim_slot *sl, const char *sig_line)
{
	const char *lines[] = {
		"Content-Type: application/json",
		"Expect:",	/* no 100-continue round trip per event */
		sig_line
	};
	struct curl_slist *h;
	size_t k;

	curl_slist_free_all(sl->headers);
	sl->headers = NULL;
	for (k = 0; k < sizeof(lines) / sizeof(lines[0]); k++) {
		if ((h = curl_slist_append(sl->headers, lines[k])) == NULL)
			return -1;
		sl->headers = h;
	}
	return 0;
}

/* Sign and hand event i to the multi handle on a free slot. */
static int
ctl_sim_start(struct ctl_sim *s, CURLM *m, struct ctl_sim_slot *sl, long i)
{
	const struct conf *c = s->c;
	char sig[HMAC_TEXT_MAX], line[HMAC_TEXT_MAX + 256];
	int len;

	if ((len = ctl_sim_body(s, i, sl->body, sizeof(sl->body))) == -1 ||
	    hmac_format(s->key.key, s->key.len, sl->body, (size_t)len,
	    c->receiver.signature_prefix, c->receiver.signature_encoding,
	    sig, sizeof(sig)) == -1) {
		ctl_errx("simulate: cannot make event %ld", i);
		return -1;
	}
	snprintf(line, sizeof(line), "%s: %s", c->receiver.signature_header,
	    sig);
	if (ctl_sim_headers(sl, line) == -1) {
		ctl_errx("simulate: out of memory");
		return -1;
	}
	sl->errbuf[0] = '\0';
	if (curl_easy_setopt(sl->easy, CURLOPT_POSTFIELDSIZE, (long)len) !=
	    CURLE_OK ||
	    curl_easy_setopt(sl->easy, CURLOPT_POSTFIELDS, sl->body) !=
	    CURLE_OK ||
	    curl_easy_setopt(sl->easy, CURLOPT_HTTPHEADER, sl->headers) !=
	    CURLE_OK ||
	    curl_multi_add_handle(m, sl->easy) != CURLM_OK) {
		ctl_errx("simulate: libcurl refused the request");
		return -1;
	}
	sl->busy = 1;
	s->started++;
	return 0;
}

static void
ctl_sim_record(struct ctl_sim *s, struct ctl_sim_slot *sl, CURLcode rc)
{
	curl_off_t us = 0;
	long status = 0;

	s->done++;
	if (rc != CURLE_OK) {
		s->noanswer++;
		if (s->first_error[0] == '\0')
			snprintf(s->first_error, sizeof(s->first_error),
			    "%s", sl->errbuf[0] != '\0' ? sl->errbuf :
			    curl_easy_strerror(rc));
		return;
	}
	if (curl_easy_getinfo(sl->easy, CURLINFO_RESPONSE_CODE, &status) !=
	    CURLE_OK)
		status = 0;
	if (status >= 200 && status <= 299)
		s->accepted++;
	if (status > 0 && status < CTL_SIM_STATUS_MAX)
		s->by_status[status]++;
	else
		s->other_status++;
	if (curl_easy_getinfo(sl->easy, CURLINFO_TOTAL_TIME_T, &us) ==
	    CURLE_OK)
		s->lat_us[s->nlat++] = us;
}

static void
ctl_sim_progress(struct ctl_sim *s, int last)
{
	long long now = msclock_mono();

	if (!s->progress || (!last && now - s->last_progress_ms < 100))
		return;
	s->last_progress_ms = now;
	fprintf(stderr, "\rsent %ld/%ld, accepted %ld, rejected %ld ",
	    s->done, s->count, s->accepted, s->done - s->accepted);
	if (last)
		fputc('\n', stderr);
	fflush(stderr);
}

/* Collect finished transfers; their slots become free. */
static void
ctl_sim_reap(struct ctl_sim *s, CURLM *m)
{
	struct ctl_sim_slot *sl;
	CURLMsg *msg;
	char *priv;
	int left;

	while ((msg = curl_multi_info_read(m, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		priv = NULL;
		if (curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    &priv) != CURLE_OK || priv == NULL)
			continue;
		sl = (struct ctl_sim_slot *)(void *)priv;
		ctl_sim_record(s, sl, msg->data.result);
		curl_multi_remove_handle(m, sl->easy);
		sl->busy = 0;
	}
}

/* Start what the concurrency and the rate allow; ms until the next. */
static long
ctl_sim_fill(struct ctl_sim *s, CURLM *m, struct ctl_sim_slot *slots,
    int *err)
{
	long long due, now;
	long k;

	for (k = 0; k < s->conc && s->started < s->count; k++) {
		if (slots[k].busy)
			continue;
		if (s->rate > 0) {
			due = s->t0_ms + s->started * 1000LL / s->rate;
			if ((now = msclock_mono()) < due)
				return (long)(due - now);
		}
		if (ctl_sim_start(s, m, &slots[k], s->started) == -1) {
			*err = 1;
			return 0;
		}
	}
	return 1000;
}

static int
ctl_sim_run(struct ctl_sim *s)
{
	struct ctl_sim_slot *slots;
	CURLM *m = NULL;
	long k, wait;
	int running, err = 0, rc = -1;

	if ((slots = calloc((size_t)s->conc, sizeof(*slots))) == NULL) {
		ctl_err("simulate");
		return -1;
	}
	if ((m = curl_multi_init()) == NULL) {
		ctl_errx("simulate: libcurl: cannot make a multi handle");
		goto fail;
	}
	for (k = 0; k < s->conc; k++)
		if (ctl_sim_slot_init(s, &slots[k]) == -1) {
			ctl_errx("simulate: libcurl: cannot set up a handle");
			goto fail;
		}
	s->t0_ms = msclock_mono();
	while (s->done < s->count) {
		wait = ctl_sim_fill(s, m, slots, &err);
		if (err)
			goto fail;
		if (curl_multi_perform(m, &running) != CURLM_OK) {
			ctl_errx("simulate: libcurl multi failed");
			goto fail;
		}
		ctl_sim_reap(s, m);
		ctl_sim_progress(s, 0);
		if (s->done >= s->count)
			break;
		if (curl_multi_poll(m, NULL, 0, wait > 100 ? 100 : (int)wait,
		    NULL) != CURLM_OK) {
			ctl_errx("simulate: libcurl multi failed");
			goto fail;
		}
	}
	ctl_sim_progress(s, 1);
	rc = 0;
fail:
	for (k = 0; k < s->conc; k++) {
		if (slots[k].easy != NULL) {
			if (slots[k].busy && m != NULL)
				curl_multi_remove_handle(m, slots[k].easy);
			curl_easy_cleanup(slots[k].easy);
		}
		curl_slist_free_all(slots[k].headers);
	}
	if (m != NULL)
		curl_multi_cleanup(m);
	free(slots);
	return rc;
}

static int
ctl_cmp_off(const void *a, const void *b)
{
	curl_off_t x = *(const curl_off_t *)a, y = *(const curl_off_t *)b;

	return x < y ? -1 : x > y;
}

static double
ctl_pct_ms(const struct ctl_sim *s, int pct)
{
	long k;

	k = (long)((s->nlat - 1) * (long long)pct / 100);
	return (double)s->lat_us[k] / 1000.0;
}

static void
ctl_sim_summary(struct ctl_sim *s)
{
	const char *sep = " (";
	long k;

	printf("sent %ld, accepted %ld, rejected %ld", s->done, s->accepted,
	    s->done - s->accepted);
	for (k = 0; k < CTL_SIM_STATUS_MAX; k++) {
		if (s->by_status[k] == 0 || (k >= 200 && k <= 299))
			continue;
		printf("%s%ld: %ld", sep, k, s->by_status[k]);
		sep = ", ";
	}
	if (s->other_status > 0) {
		printf("%sother: %ld", sep, s->other_status);
		sep = ", ";
	}
	if (s->noanswer > 0) {
		printf("%sno answer: %ld", sep, s->noanswer);
		sep = ", ";
	}
	if (sep[0] == ',')
		putchar(')');
	if (s->nlat > 0) {
		qsort(s->lat_us, (size_t)s->nlat, sizeof(*s->lat_us),
		    ctl_cmp_off);
		printf(", p50 %.1f ms, p99 %.1f ms\n", ctl_pct_ms(s, 50),
		    ctl_pct_ms(s, 99));
	} else
		printf(", p50 - ms, p99 - ms\n");
	if (s->first_error[0] != '\0')
		ctl_errx("simulate: %s: no answer: %s", s->url,
		    s->first_error);
}

static int
ctl_sim_opts(struct ctl_sim *s, int argc, char **argv)
{
	enum { OPT_URL = CTL_OPT_LONG, OPT_SHAPE, OPT_BAD };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "url", required_argument, NULL, OPT_URL },
		{ "count", required_argument, NULL, 'n' },
		{ "concurrency", required_argument, NULL, 'C' },
		{ "rate", required_argument, NULL, 'r' },
		{ "users", required_argument, NULL, 'u' },
		{ "shape", required_argument, NULL, OPT_SHAPE },
		{ "bad-signature", no_argument, NULL, OPT_BAD },
		{ NULL, 0, NULL, 0 }
	};
	const char *cmd = "simulate", *arg;
	int o, r = 0;

	while (r == 0 && (o = ctl_getopt(cmd, argc, argv, ":hn:C:r:u:",
	    opts)) != -1) {
		arg = optarg;
		switch (o) {
		case 'h':
			return 1;
		case OPT_URL:
			s->url = arg;
			break;
		case 'n':
			r = ctl_number(cmd, "count", arg, 1,
			    CTL_SIM_MAX_COUNT, &s->count);
			break;
		case 'C':
			r = ctl_number(cmd, "concurrency", arg, 1,
			    CTL_SIM_MAX_CONC, &s->conc);
			break;
		case 'r':
			r = ctl_number(cmd, "rate", arg, 1, 1000000L,
			    &s->rate);
			break;
		case 'u':
			r = ctl_number(cmd, "users", arg, 1, 1000000L,
			    &s->users);
			break;
		case OPT_SHAPE:
			if (strcmp(arg, "tutorial") == 0)
				s->notification = 0;
			else if (strcmp(arg, "notification") == 0)
				s->notification = 1;
			else {
				ctl_errx("simulate: --shape %s: tutorial or "
				    "notification", arg);
				r = -1;
			}
			break;
		case OPT_BAD:
			s->bad_sig = 1;
			break;
		default:
			r = -1;
			break;
		}
	}
	if (r == -1)
		return -1;
	if (optind < argc) {
		ctl_errx("simulate: unexpected argument %s", argv[optind]);
		return -1;
	}
	return 0;
}

/* The key to sign with: the first secret, or one that cannot be it. */
static int
ctl_sim_key(struct ctl_sim *s, struct conf *c)
{
	char err[4096];

	if (secret_read_receiver(c, err, sizeof(err)) == -1) {
		ctl_errx("simulate: %s", err);
		return -1;
	}
	s->key = c->receiver.secrets[0];
	OPENSSL_cleanse(c->receiver.secrets, sizeof(c->receiver.secrets));
	if (s->bad_sig)
		s->key.key[0] ^= 0x5a;
	return 0;
}

int
ctl_simulate(struct ctl *ctl, int argc, char **argv)
{
	struct ctl_sim *s;
	int rc = EXIT_PERM, r;

	if ((s = calloc(1, sizeof(*s))) == NULL) {
		ctl_err("simulate");
		return EXIT_TEMP;
	}
	s->url = CTL_SIM_DEFAULT_URL;
	s->count = 1;
	s->conc = 8;
	s->users = 10;
	if ((r = ctl_sim_opts(s, argc, argv)) != 0) {
		free(s);
		return ctl_usage(ctl_simulate_usage, r == 1 ? EXIT_DONE :
		    EXIT_PERM);
	}
	if (s->conc > s->count)
		s->conc = s->count;
	if (ctl_conf_load(ctl) == -1 || ctl_sim_key(s, &ctl->conf) == -1)
		goto fail;
	s->c = &ctl->conf;
	if ((s->lat_us = calloc((size_t)s->count, sizeof(*s->lat_us))) ==
	    NULL) {
		ctl_err("simulate");
		rc = EXIT_TEMP;
		goto fail;
	}
	s->progress = s->count > 1 && isatty(STDERR_FILENO);
	if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
		ctl_errx("simulate: libcurl cannot start");
		rc = EXIT_TEMP;
		goto fail;
	}
	r = ctl_sim_run(s);
	curl_global_cleanup();
	if (r == -1) {
		rc = EXIT_TEMP;
		goto fail;
	}
	ctl_sim_summary(s);
	if (s->noanswer == s->count)
		rc = EXIT_TEMP;
	else if (s->bad_sig)
		rc = s->by_status[401] == s->count ? EXIT_DONE : EXIT_FOUND;
	else
		rc = s->accepted == s->count ? EXIT_DONE : EXIT_FOUND;
fail:
	OPENSSL_cleanse(&s->key, sizeof(s->key));
	free(s->lat_us);
	free(s);
	return rc;
}
