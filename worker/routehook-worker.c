/*
 * routehook-worker: apply spooled routing events to Genesys Cloud.
 *
 *	routehook-worker [-c FILE] [--once] [-l stderr|syslog] [-t] [-h] [-V]
 *
 * With --once (for cron) it drains every event that is due and exits;
 * without, it stays in the foreground as a daemon, woken by inotify on
 * new/ and deferred/, by the next deferred event coming due, and once a
 * minute for a safety-net rescan.  -t checks the config, the client
 * secret and the CA file and prints "configuration OK" (-n is the same,
 * as the sample config says).  The work itself is the engine's (drain.h):
 * this file parses options, loads the config and drives the engine.
 *
 * Exit status (log.h):
 *	0	--once: every due event was handled (applied, superseded,
 *		deferred or dead); daemon: stopped by SIGTERM or SIGINT
 *	100	usage or configuration error, including credentials the
 *		token endpoint refuses: retrying cannot help until someone
 *		fixes the config or the secret (the events stay queued)
 *	111	could not do its work: the token endpoint or the API could
 *		not be reached, the spool or audit file could not be opened,
 *		or --once was interrupted by a signal
 *
 * SIGTERM/SIGINT: claim nothing more, let calls in flight finish (each is
 * bounded by genesys.timeout_ms), put claimed events not yet called back
 * where they came from, exit.  SIGHUP: reopen audit.file (log rotation).
 */
#include <sys/resource.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "conf.h"
#include "drain.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "msclock.h"
#include "secret.h"
#include "sig.h"
#include "version.h"
#include "watch.h"

#define PROG			"routehook-worker"
#define RESCAN_MS		60000LL	/* the daemon's safety net */
#define ONCE_PASSES		4	/* --once: rescans for late arrivals */
#define METRICS_MS		10000LL	/* the daemon's metrics_file period */

static time_t started;

struct options {
	const char	*conf;
	int		 once;
	int		 syslog;
	int		 check;
};

static void
usage(FILE *f)
{
	fprintf(f, "usage: %s [-c FILE | --config FILE] [--once] "
	    "[-l stderr|syslog] [-t]\n"
	    "       %s -h | --help\n"
	    "       %s -V | --version\n"
	    "\n"
	    "Applies the events routehook-fcgi spooled to Genesys Cloud: claims\n"
	    "each from new/ (and deferred/ once due), calls the routing API with\n"
	    "an OAuth client-credentials token, retries what failed for now,\n"
	    "dead-letters what never can, and appends one audit line per outcome.\n"
	    "Without --once it runs until stopped, woken by inotify.\n"
	    "\n"
	    "  -c, --config FILE\n"
	    "            config file (default $%s, else %s)\n"
	    "  --once    drain what is due, then exit (for cron)\n"
	    "  -l WHERE  log to stderr (default) or syslog\n"
	    "  -t        check the configuration and the client secret, print\n"
	    "            \"configuration OK\" and exit\n"
	    "  -h, --help     this help\n"
	    "  -V, --version  print the version and exit\n"
	    "\n"
	    "Signals: SIGTERM or SIGINT finish the calls in flight and exit;\n"
	    "SIGHUP reopens the audit file (after logrotate).\n"
	    "Exit status: 0 every due event was handled; 100 usage or\n"
	    "configuration error, or credentials refused (do not retry);\n"
	    "111 Genesys Cloud could not be reached (try again later).\n",
	    PROG, PROG, PROG, CONF_ENV, CONF_DEFAULT_PATH);
}

/*
 * getopt_long(3), as the responder and routehookctl: -c/--config,
 * -h/--help and -V/--version spelled the same in all three.  -1 after a
 * usage message; 1 for --help or --version, already answered.
 */
static int
parse_options(int argc, char **argv, struct options *o)
{
	enum { OPT_ONCE = 256 };
	static const struct option opts[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "once", no_argument, NULL, OPT_ONCE },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	int ch;

	memset(o, 0, sizeof(*o));
	while ((ch = getopt_long(argc, argv, "c:hl:tV", opts, NULL)) != -1) {
		switch (ch) {
		case 'c':
			o->conf = optarg;
			break;
		case 'h':
			usage(stdout);
			return 1;
		case OPT_ONCE:
			o->once = 1;
			break;
		case 'l':
			if (strcmp(optarg, "syslog") == 0)
				o->syslog = 1;
			else if (strcmp(optarg, "stderr") != 0) {
				fprintf(stderr, "%s: -l: \"%s\" is not stderr "
				    "or syslog\n", PROG, optarg);
				return -1;
			}
			break;
		case 't':
			o->check = 1;
			break;
		case 'V':
			printf("%s %s\n", PROG, ROUTEHOOK_VERSION);
			return 1;
		default:
			/* getopt has named the option. */
			return -1;
		}
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unknown argument \"%s\"\n", PROG,
		    argv[optind]);
		return -1;
	}
	return 0;
}

/* conf's errors are lines "FILE:LINE: message": one log line each. */
static void
log_lines(char *err)
{
	char *line, *next;

	for (line = err; line != NULL && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		log_warnx("%s", line);
	}
}

static int
load_config(const struct options *o, struct conf *c)
{
	char err[4096];
	const char *path = conf_path(o->conf);

	if (conf_load(c, path, err, sizeof(err)) == -1) {
		log_lines(err);
		return -1;
	}
	if (c->genesys.client_id == NULL || c->genesys.client_id[0] == '\0') {
		if (c->genesys.client_id_line > 0)
			log_warnx("%s:%d: genesys.client_id is empty: the "
			    "worker needs the OAuth client it acts as",
			    c->file, c->genesys.client_id_line);
		else
			log_warnx("%s: genesys.client_id is not set: the "
			    "worker needs the OAuth client it acts as",
			    c->file);
		goto fail;
	}
	if (secret_read_client(c, err, sizeof(err)) == -1) {
		log_lines(err);
		goto fail;
	}
	return 0;
fail:
	conf_free(c);
	return -1;
}

static int
check_only(struct conf *c)
{
	struct http h;
	char err[1024];

	if (http_init(&h, c, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_PERM;
	}
	http_free(&h);
	printf("configuration OK\n");
	return EXIT_DONE;
}

/* Claimed events hold a descriptor each: take what the hard limit allows. */
static void
raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return;
	if (rl.rlim_max == RLIM_INFINITY || rl.rlim_max > 65536)
		rl.rlim_max = 65536;
	if (rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	(void)setrlimit(RLIMIT_NOFILE, &rl);
}

/* worker.metrics_file, when set; a failure is worth a warning only. */
static void
write_metrics(const struct conf *c, const struct worker *w)
{
	const char *path = c->worker.metrics_file.path;
	struct worker_stats s;
	char err[512];

	if (path == NULL || path[0] == '\0')
		return;
	worker_snapshot(w, &s);
	if (metrics_write(path, &s, s.token_fetches, started, err,
	    sizeof(err)) == -1)
		log_warnx("metrics_file: %s", err);
}

static int
run_once(const struct conf *c, struct worker *w)
{
	struct worker_stats s;
	char why[1024];
	long before;
	int i;

	/* Later passes catch what arrived meanwhile; a stream cannot pin us. */
	for (i = 0; i < ONCE_PASSES; i++) {
		worker_snapshot(w, &s);
		before = s.claimed;
		worker_scan(w, DRAIN_NEW | DRAIN_DEFERRED);
		while (!worker_idle(w))
			(void)worker_step(w, -1, 1000, NULL);
		worker_snapshot(w, &s);
		if (s.claimed == before || worker_halted(w, NULL, 0) !=
		    WORKER_RUNNING)
			break;
	}
	write_metrics(c, w);
	switch (worker_halted(w, why, sizeof(why))) {
	case WORKER_TOKEN_REFUSED:
		log_warnx("%s", why);
		return EXIT_PERM;
	case WORKER_TOKEN_FAILED:
	case WORKER_AUDIT_FAILED:
	case WORKER_CLUSTER_DOWN:
		log_warnx("%s", why);
		return EXIT_TEMP;
	case WORKER_STOPPING:
		return EXIT_TEMP;
	case WORKER_RUNNING:
		break;
	}
	if (s.calls > 0 && s.answered == 0) {
		log_warnx("no answer from %s to any of %ld call%s; the events "
		    "are deferred", c->genesys.api_base, s.calls,
		    s.calls == 1 ? "" : "s");
		return EXIT_TEMP;
	}
	return EXIT_DONE;
}

/*
 * The daemon's own timers are the safety-net rescan and the metrics
 * file; the engine wakes itself for deferred events and token waits.
 */
static int
run_daemon(const struct conf *c, struct worker *w)
{
	struct watch wt;
	char err[1024];
	long long now, rescan_at, metrics_at, wait;
	enum worker_halt halt, halt_then = WORKER_RUNNING;
	int bits, ready;

	if (watch_open(&wt, c->spool_dir.path, err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		return EXIT_TEMP;
	}
	worker_scan(w, DRAIN_NEW | DRAIN_DEFERRED);
	rescan_at = msclock_mono() + RESCAN_MS;
	metrics_at = msclock_mono();
	for (;;) {
		if (worker_halted(w, NULL, 0) == WORKER_STOPPING &&
		    worker_idle(w))
			break;
		/* Applying nothing, or again (etcd, audit): said at once. */
		halt = worker_halted(w, NULL, 0);
		if ((now = msclock_mono()) >= metrics_at || halt != halt_then) {
			halt_then = halt;
			write_metrics(c, w);
			metrics_at = now + METRICS_MS;
		}
		if (now >= rescan_at) {
			worker_scan(w, DRAIN_NEW | DRAIN_DEFERRED);
			rescan_at = now + RESCAN_MS;
		}
		wait = (rescan_at < metrics_at ? rescan_at : metrics_at) - now;
		(void)worker_step(w, wt.fd, wait < 0 ? 0 : wait, &ready);
		if (ready && (bits = watch_drain(&wt)) > 0)
			worker_scan(w, bits);
	}
	write_metrics(c, w);
	watch_close(&wt);
	return EXIT_DONE;
}

int
main(int argc, char **argv)
{
	struct options o;
	struct conf c;
	struct worker *w;
	struct worker_stats s;
	char err[1024];
	int r;

	if ((r = parse_options(argc, argv, &o)) != 0) {
		if (r == 1)
			return fflush(stdout) == 0 ? EXIT_DONE : EXIT_TEMP;
		usage(stderr);
		return EXIT_PERM;
	}
	log_init(PROG, o.syslog);
	if (load_config(&o, &c) == -1)
		return EXIT_PERM;
	if (http_global_init(err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		conf_free(&c);
		return EXIT_TEMP;
	}
	if (o.check) {
		r = check_only(&c);
		goto out_conf;
	}
	if (sig_init(err, sizeof(err)) == -1) {
		log_warnx("%s", err);
		r = EXIT_TEMP;
		goto out_conf;
	}
	raise_nofile();
	started = time(NULL);
	if ((r = worker_open(&w, &c, o.once ? WORKER_ONCE : WORKER_DAEMON,
	    err, sizeof(err))) != 0) {
		log_warnx("%s", err);
		goto out_conf;
	}
	/* cron mails whatever a job prints: --once is silent when all is well. */
	if (!o.once)
		log_info("started (daemon): spool %s, api %s, client id "
		    "\"%s\", concurrency %d, %ld calls/min", c.spool_dir.path,
		    c.genesys.api_base, c.genesys.client_id,
		    c.worker.concurrency, c.genesys.requests_per_minute);
	r = o.once ? run_once(&c, w) : run_daemon(&c, w);
	worker_snapshot(w, &s);
	if (!o.once)
		log_info("stopped: %ld applied, %ld superseded, %ld deferred, "
		    "%ld dead", s.applied, s.superseded, s.deferred, s.dead);
	worker_close(w);
out_conf:
	memset(&c.genesys.client_secret, 0, sizeof(c.genesys.client_secret));
	conf_free(&c);
	http_global_cleanup();
	return r;
}