/*
 * ctl-status: `routehookctl status [--json] [--last N]`.
 *
 * What an operator asks first when something looks wrong: how much is
 * waiting in each spool directory and since when, when the next deferred
 * event will be tried, what the last outcomes were and how many broke the
 * SLA in the last hour and day, whether the worker holds a token, and
 * how many presence definitions it has cached and how old they are.
 *
 * Everything is read, nothing is changed.  The spool is scanned as a
 * stream and the audit file read from its end (ctl-audit.c), so neither a
 * large backlog nor a large audit file costs memory.  A missing audit file
 * only means nothing happened yet.  Fails with 100 when the config or the
 * spool cannot be opened, and with 1 (after printing what it could) when
 * the audit file cannot be read.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <json-c/json.h>

#include "ctl.h"
#include "err.h"
#include "msclock.h"
#include "oauth.h"
#include "presence.h"
#include "runstate.h"
#include "spool.h"
#include "state.h"
#include "vis.h"

#define CTL_DAY_MS	(86400LL * 1000)
#define CTL_HOUR_MS	(3600LL * 1000)
/* Concurrent workers append lines a little out of time order. */
#define CTL_SKEW_MS	(300LL * 1000)
#define CTL_LAST_MAX	1000

const char ctl_status_usage[] =
"usage: routehookctl [-c FILE] status [--json] [--last N]\n"
"\n"
"Whether a worker daemon is running (pid, since when, version) and\n"
"whether its calls are paused (rate limit, credentials refused, token\n"
"endpoint unreachable, audit file unwritable), why and until when; for\n"
"each spool directory (new, cur, deferred, hold, dead): how many events\n"
"and the age of the oldest; when the next deferred event is due; the\n"
"last N outcomes from the audit file (default 10) and, for the last hour\n"
"and the last day (rotated audit files included), the outcomes by kind\n"
"and the SLA breaches; the OAuth token the worker has cached, and when\n"
"it expires; how many presence definitions it has cached, and how old\n"
"they are; with a cluster section, the hosts alive, user locks held\n"
"and shared budget spent, or that etcd does not answer.\n"
"\n"
"  --json     the same as one JSON object:\n"
"             {\"worker\":{\"running\",\"pid\",\"since\",\"version\",\n"
"                       \"paused\":{\"reason\",\"since\",\"until\",\n"
"                                 \"in_s\",\"detail\"}},\n"
"              \"spool\":{\"new\":{\"count\",\"oldest_age_s\"},...},\n"
"              \"audit\":{\"last\":[...],\"last_hour\":{...},\n"
"                       \"last_day\":{...}},\n"
"              \"token\":{\"cached\",\"expires_in_s\"},\n"
"              \"presence_definitions\":{\"cached\",\"count\",\n"
"                       \"fetched\",\"age_s\",\"stale\"},\n"
"              \"paused\": the audit file's error while the worker\n"
"                        applies nothing, or null,\n"
"              \"cluster\":{\"etcd_answers\",\"hosts\",\"locks\",\n"
"                         \"budget_used\"}}\n"
"  --last N   how many recent outcomes to show (0 to 1000)\n"
"\n"
"exit status: 0 done, 1 the audit file could not be read, 100 usage or\n"
"configuration error (or no spool at spool_dir)\n";

static const enum spool_dir ctl_status_dirs[] = {
	SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_HOLD, SPOOL_DEAD
};
#define CTL_NDIRS	(sizeof(ctl_status_dirs) / sizeof(ctl_status_dirs[0]))

struct ctl_window {
	long	 applied, deferred, dead, superseded, ignored, unchanged,
		 other,
		 sla_breaches;
};

struct ctl_status {
	long long		 now_ms;
	struct spool_count	 cnt[CTL_NDIRS];
	long long		 next_ms;	/* deferred's first mtime */
	int			 audit_state;	/* 1 read, 0 none, -1 error */
	struct json_object	*last[CTL_LAST_MAX];	/* newest first */
	int			 nlast, want_last;
	struct ctl_window	 hour, day;
	int			 token;		/* 1, 0, -1, or -2: no client */
	int			 cluster;	/* 1 etcd answers, 0 not, -1 none */
	long			 cl_hosts, cl_locks, cl_used;
	char			 cl_err[512];
	time_t			 token_exp;
	int			 worker;	/* runstate_read(): 1, 0, -1 */
	struct runstate_info	 run;
	int			 defs;		/* 1 cached, 0 none, -1 unusable */
	size_t			 defs_n;
	long long		 defs_at;	/* real ms fetched (its mtime) */
	char			 defs_err[512];
};

static void
ctl_window_add(struct ctl_window *w, const struct ctl_audit_line *l)
{
	if (strcmp(l->outcome, "applied") == 0)
		w->applied++;
	else if (strcmp(l->outcome, "deferred") == 0)
		w->deferred++;
	else if (strcmp(l->outcome, "dead") == 0)
		w->dead++;
	else if (strcmp(l->outcome, "superseded") == 0)
		w->superseded++;
	else if (strcmp(l->outcome, "ignored") == 0)
		w->ignored++;
	else if (strcmp(l->outcome, "unchanged") == 0)
		w->unchanged++;
	else
		w->other++;
	/*
	 * A breach is counted as the worker warns of one: once per event, on
	 * its final applied or dead line.  Superseded and deferred lines say
	 * sla_compliant too, but counting them would count one late event
	 * once per retry.
	 */
	if (l->sla_compliant == 0 && (strcmp(l->outcome, "applied") == 0 ||
	    strcmp(l->outcome, "dead") == 0))
		w->sla_breaches++;
}

static int
ctl_status_line(const struct ctl_audit_line *l, void *arg)
{
	struct ctl_status *st = arg;
	long long age;

	if (st->nlast < st->want_last)
		st->last[st->nlast++] = json_object_get(l->obj);
	if (l->ts_ms == 0)
		return 0;
	age = st->now_ms - l->ts_ms;
	if (age <= CTL_DAY_MS)
		ctl_window_add(&st->day, l);
	if (age <= CTL_HOUR_MS)
		ctl_window_add(&st->hour, l);
	/* Older than a day, beyond any reordering: the rest is older still. */
	return st->nlast >= st->want_last && age > CTL_DAY_MS + CTL_SKEW_MS;
}

/* Rotated audit files count towards the windows, not the last N. */
static int
ctl_status_rotated(const struct ctl_audit_line *l, void *arg)
{
	struct ctl_status *st = arg;
	long long age;

	if (l->ts_ms == 0)
		return 0;
	age = st->now_ms - l->ts_ms;
	if (age <= CTL_DAY_MS)
		ctl_window_add(&st->day, l);
	if (age <= CTL_HOUR_MS)
		ctl_window_add(&st->hour, l);
	return 0;
}

/* The earliest next attempt: deferred files carry it as their mtime. */
static int
ctl_next_deferred(struct spool *sp, long long *next_ms, char *err,
    size_t errsz)
{
	struct spool_scan scan;
	const char *id;
	struct stat sb;
	long long t;

	*next_ms = 0;
	if (spool_scan_open(sp, SPOOL_DEFERRED, &scan) == -1) {
		err_set_sys(err, errsz, "%s/deferred", sp->root);
		return -1;
	}
	while ((id = spool_scan_next(&scan)) != NULL) {
		/* Gone meanwhile: the worker took it. */
		if (fstatat(sp->fd[SPOOL_DEFERRED], id, &sb,
		    AT_SYMLINK_NOFOLLOW) == -1)
			continue;
		t = (long long)sb.st_mtim.tv_sec * 1000 +
		    sb.st_mtim.tv_nsec / 1000000;
		if (*next_ms == 0 || t < *next_ms)
			*next_ms = t;
	}
	spool_scan_close(&scan);
	return 0;
}

/*
 * The worker's cache of the presence definitions (state.h): how many it
 * holds and when they were fetched; 1, 0 when there is none, -1 when it
 * cannot be read or parsed (the worker fetches them again then).
 */
static int
ctl_status_defs(struct ctl_status *st, struct spool *sp)
{
	struct presence_defs d = { NULL, 0 };
	struct state s;
	char why[512], *body = NULL;
	size_t len;
	int r;

	if (state_open(&s, sp, 0, st->defs_err, sizeof(st->defs_err)) == -1)
		return -1;
	r = state_defs_read(&s, &body, &len, &st->defs_at, st->defs_err,
	    sizeof(st->defs_err));
	state_close(&s);
	if (r == 1) {
		if (presence_parse(body, len, &d, why, sizeof(why)) == -1)
			r = err_set(st->defs_err, sizeof(st->defs_err),
			    "state/%s: %s", STATE_DEFS, why);
		else
			st->defs_n = d.n;
		presence_free(&d);
	}
	free(body);
	return r;
}

static int
ctl_status_gather(struct ctl_status *st, const struct conf *c,
    struct spool *sp)
{
	char err[1024];
	size_t i;

	for (i = 0; i < CTL_NDIRS; i++) {
		/* hold/ is made on first use. */
		if (sp->fd[ctl_status_dirs[i]] == -1)
			continue;
		if (spool_count(sp, ctl_status_dirs[i], &st->cnt[i], err,
		    sizeof(err)) == -1) {
			ctl_errx("%s", err);
			return -1;
		}
	}
	if (ctl_next_deferred(sp, &st->next_ms, err, sizeof(err)) == -1) {
		ctl_errx("%s", err);
		return -1;
	}

	st->audit_state = 1;
	if (c->audit.file.path != NULL && c->audit.file.path[0] != '\0' &&
	    ctl_audit_scan(c->audit.file.path, ctl_status_line, st, err,
	    sizeof(err)) == -1) {
		st->audit_state = errno == ENOENT ? 0 : -1;
		if (st->audit_state == -1)
			ctl_errx("%s", err);
	}
	/* The day goes on across a rotation: the rotated files count too. */
	if (c->audit.file.path != NULL && c->audit.file.path[0] != '\0' &&
	    ctl_audit_rotated(c->audit.file.path, st->now_ms - CTL_DAY_MS -
	    CTL_SKEW_MS, ctl_status_rotated, st, err, sizeof(err)) == -1) {
		st->audit_state = -1;
		ctl_errx("%s", err);
	}

	st->worker = 0;
	if (sp->fd[SPOOL_STATE] != -1 && (st->worker = runstate_read(
	    sp->fd[SPOOL_STATE], &st->run, err, sizeof(err))) == -1)
		ctl_errx("%s", err);

	st->token = -2;
	if (c->genesys.client_id != NULL && c->genesys.client_id[0] != '\0')
		st->token = oauth_cache_state(c, sp->fd[SPOOL_STATE],
		    &st->token_exp);

	st->defs = ctl_status_defs(st, sp);

	st->cluster = -1;
	if (c->cluster.enabled)
		st->cluster = ctl_cluster_summary(c, &st->cl_hosts,
		    &st->cl_locks, &st->cl_used, st->cl_err,
		    sizeof(st->cl_err)) == 0;
	return 0;
}

/* --- the table ----------------------------------------------------------- */

static const char *
ctl_pause_text(const char *reason)
{
	if (strcmp(reason, RUNSTATE_RATE_LIMIT) == 0)
		return "rate limited (429, waiting out Retry-After)";
	if (strcmp(reason, RUNSTATE_CREDENTIALS) == 0)
		return "credentials refused by the token endpoint";
	if (strcmp(reason, RUNSTATE_TOKEN) == 0)
		return "the token endpoint cannot be reached";
	if (strcmp(reason, RUNSTATE_AUDIT) == 0)
		return "the audit file cannot be written";
	return reason;
}

static void
ctl_print_window(const char *name, const struct ctl_window *w)
{
	printf("  %-10s %8ld %9ld %5ld %11ld %8ld %10ld %13ld\n", name,
	    w->applied,
	    w->deferred, w->dead, w->superseded, w->ignored, w->unchanged,
	    w->sla_breaches);
}

static void
ctl_print_outcome(struct json_object *o)
{
	struct json_object *v, *sum = NULL;
	const char *ts = "-", *type = "-", *user = "-";
	long long latency = -1;
	/* Every string here came from the audit file: escaped for the tty. */
	char vts[128], vout[128], vid[SPOOL_ID_MAX * VIS_EXPANSION];
	char vtype[512], vuser[512], verr[2048];

	if (json_object_object_get_ex(o, "timestamp", &v) &&
	    json_object_is_type(v, json_type_string))
		ts = json_object_get_string(v);
	if (json_object_object_get_ex(o, "latency_ms", &v) &&
	    json_object_is_type(v, json_type_int))
		latency = json_object_get_int64(v);
	if (json_object_object_get_ex(o, "payload_summary", &sum) &&
	    json_object_object_get_ex(sum, "eventType", &v) &&
	    json_object_is_type(v, json_type_string))
		type = json_object_get_string(v);
	if (sum != NULL && json_object_object_get_ex(sum, "userId", &v) &&
	    json_object_is_type(v, json_type_string))
		user = json_object_get_string(v);
	printf("    %s  %-10s", vis_str(vts, sizeof(vts), ts),
	    vis_str(vout, sizeof(vout),
	    json_object_object_get_ex(o, "outcome", &v) ?
	    json_object_get_string(v) : "-"));
	if (json_object_object_get_ex(o, "http_status", &v) &&
	    json_object_is_type(v, json_type_int))
		printf(" %3d", json_object_get_int(v));
	else
		printf("   -");
	printf(" %6lld ms  %s  %s  %s", latency,
	    vis_str(vid, sizeof(vid),
	    json_object_object_get_ex(o, "event_id", &v) ?
	    json_object_get_string(v) : "-"),
	    vis_str(vtype, sizeof(vtype), type),
	    vis_str(vuser, sizeof(vuser), user));
	if (json_object_object_get_ex(o, "error", &v) &&
	    json_object_is_type(v, json_type_string))
		printf("  (%s)", vis_str(verr, sizeof(verr),
		    json_object_get_string(v)));
	putchar('\n');
}

/*
 * The worker applies nothing at all, not only no calls: its audit file
 * cannot be written (runstate's RUNSTATE_AUDIT pause).
 */
static int
ctl_audit_paused(const struct ctl_status *st)
{
	return st->worker == 1 && st->run.running &&
	    strcmp(st->run.reason, RUNSTATE_AUDIT) == 0;
}

/*
 * "worker running, pid 123, since ..., version 0.2.0" and, when a daemon
 * is running, "calls flowing" or "calls paused (why) until ..., in 4m".
 */
static void
ctl_print_worker(const struct ctl_status *st)
{
	const struct runstate_info *r = &st->run;
	char when[40], age[32], vdet[RUNSTATE_DETAIL_MAX * VIS_EXPANSION];

	if (st->worker == -1) {
		printf("worker unknown (its state could not be read)\n");
		return;
	}
	if (!r->running) {
		if (st->worker == 1)
			printf("worker no daemon running (pid %ld, started "
			    "by routehook %s, stopped without cleaning up)\n",
			    r->pid, r->version);
		else
			printf("worker no daemon running\n");
		return;
	}
	if (st->worker == 0) {
		printf("worker running (a daemon holds the lock, but left no "
		    "state)\n");
		return;
	}
	ctl_fmt_time(r->started_ms, when, sizeof(when));
	ctl_fmt_age((st->now_ms - r->started_ms) / 1000, age, sizeof(age));
	printf("worker running, pid %ld, since %s (%s), version %s\n", r->pid,
	    when, age, r->version);
	if (r->reason[0] == '\0') {
		printf("calls  flowing\n");
		return;
	}
	printf("calls  paused: %s", ctl_pause_text(r->reason));
	if (r->until_ms > st->now_ms) {
		ctl_fmt_time(r->until_ms, when, sizeof(when));
		ctl_fmt_age((r->until_ms - st->now_ms + 999) / 1000, age,
		    sizeof(age));
		printf(", until %s (in %s)", when, age);
	} else if (r->until_ms > 0)
		printf(", resuming now");
	if (r->detail[0] != '\0')
		printf(": %s", vis_str(vdet, sizeof(vdet), r->detail));
	putchar('\n');
}

/*
 * "presence 14 definitions cached, fetched 303 s ago (5m03s, TIME)", with
 * ", stale: fetched again when next needed" past PRESENCE_MAX_AGE_MS.
 */
static void
ctl_print_defs(const struct ctl_status *st)
{
	char when[40], age[32], vwhy[sizeof(st->defs_err) * VIS_EXPANSION];
	long long s;

	if (st->defs == 0) {
		printf("presence no definitions cached\n");
		return;
	}
	if (st->defs == -1) {
		printf("presence definitions cache unusable, fetched again when "
		    "next needed: %s\n", vis_str(vwhy, sizeof(vwhy),
		    st->defs_err));
		return;
	}
	s = (st->now_ms - st->defs_at) / 1000;
	ctl_fmt_time(st->defs_at, when, sizeof(when));
	ctl_fmt_age(s, age, sizeof(age));
	printf("presence %zu definition%s cached, fetched %lld s ago "
	    "(%s, %s)%s\n", st->defs_n, st->defs_n == 1 ? "" : "s",
	    s < 0 ? 0 : s, age, when,
	    presence_stale(st->defs_at, st->now_ms, PRESENCE_MAX_AGE_MS) ?
	    ", stale: fetched again when next needed" : "");
}

static void
ctl_status_print(const struct ctl_status *st, const struct conf *c)
{
	char age[32], when[40], vwhy[2048];
	size_t i;
	int k;

	ctl_print_worker(st);
	printf("spool %s\n", c->spool_dir.path);
	for (i = 0; i < CTL_NDIRS; i++) {
		printf("  %-9s %7ld", spool_dir_name(ctl_status_dirs[i]),
		    st->cnt[i].n);
		if (st->cnt[i].n > 0) {
			ctl_fmt_age(st->now_ms / 1000 - st->cnt[i].oldest,
			    age, sizeof(age));
			printf("  oldest %s", age);
		}
		if (ctl_status_dirs[i] == SPOOL_DEFERRED && st->next_ms != 0) {
			ctl_fmt_age((st->next_ms - st->now_ms + 999) / 1000,
			    age, sizeof(age));
			ctl_fmt_time(st->next_ms, when, sizeof(when));
			printf("  next attempt %s%s (%s)",
			    st->next_ms <= st->now_ms ? "due now" : "in ",
			    st->next_ms <= st->now_ms ? "" : age, when);
		}
		putchar('\n');
	}

	printf("audit %s", c->audit.file.path);
	if (st->audit_state == 0)
		printf(": no outcomes yet\n");
	else if (st->audit_state == -1)
		printf(": unreadable\n");
	else {
		printf("\n  %-10s %8s %9s %5s %11s %8s %10s %13s\n", "",
		    "applied", "deferred", "dead", "superseded", "ignored",
		    "unchanged", "sla breaches");
		ctl_print_window("last hour", &st->hour);
		ctl_print_window("last day", &st->day);
		printf("  last %d outcome%s:\n", st->nlast,
		    st->nlast == 1 ? "" : "s");
		for (k = st->nlast - 1; k >= 0; k--)
			ctl_print_outcome(st->last[k]);
	}

	if (ctl_audit_paused(st)) {
		ctl_fmt_time(st->run.since_ms, when, sizeof(when));
		printf("worker paused since %s: %s\n", when,
		    vis_str(vwhy, sizeof(vwhy), st->run.detail));
	}
	if (st->token == -2)
		printf("token none (genesys.client_id is not set)\n");
	else if (st->token == -1)
		printf("token unknown (the cache could not be read)\n");
	else if (st->token == 0)
		printf("token none cached\n");
	else {
		ctl_fmt_time((long long)st->token_exp * 1000, when,
		    sizeof(when));
		if (st->token_exp * 1000LL <= st->now_ms)
			printf("token cached, expired (%s)\n", when);
		else {
			ctl_fmt_age(st->token_exp - st->now_ms / 1000, age,
			    sizeof(age));
			printf("token cached, expires in %lld s (%s, %s)\n",
			    (long long)st->token_exp - st->now_ms / 1000, age,
			    when);
		}
	}
	ctl_print_defs(st);
	if (st->cluster == 1)
		printf("cluster %ld host%s alive, %ld user lock%s held, budget "
		    "%ld of %ld used (routehookctl cluster tells more)\n",
		    st->cl_hosts, st->cl_hosts == 1 ? "" : "s", st->cl_locks,
		    st->cl_locks == 1 ? "" : "s", st->cl_used,
		    c->genesys.requests_per_minute);
	else if (st->cluster == 0)
		printf("cluster etcd does not answer: no worker applies "
		    "anything until it does (%s)\n", st->cl_err);
}

/* --- JSON ---------------------------------------------------------------- */

static struct json_object *
ctl_json_window(const struct ctl_window *w, int *bad)
{
	struct json_object *o;

	if ((o = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(o, "applied", json_object_new_int64(w->applied), bad);
	ctl_jset(o, "deferred", json_object_new_int64(w->deferred), bad);
	ctl_jset(o, "dead", json_object_new_int64(w->dead), bad);
	ctl_jset(o, "superseded", json_object_new_int64(w->superseded), bad);
	ctl_jset(o, "ignored", json_object_new_int64(w->ignored), bad);
	ctl_jset(o, "unchanged", json_object_new_int64(w->unchanged), bad);
	ctl_jset(o, "other", json_object_new_int64(w->other), bad);
	ctl_jset(o, "sla_breaches", json_object_new_int64(w->sla_breaches),
	    bad);
	return o;
}

static struct json_object *
ctl_json_spool(const struct ctl_status *st, const struct conf *c, int *bad)
{
	struct json_object *spool, *d;
	char when[40];
	size_t i;

	if ((spool = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(spool, "dir", json_object_new_string(c->spool_dir.path), bad);
	for (i = 0; i < CTL_NDIRS; i++) {
		if ((d = json_object_new_object()) == NULL) {
			*bad = 1;
			break;
		}
		ctl_jset(spool, spool_dir_name(ctl_status_dirs[i]), d, bad);
		ctl_jset(d, "count", json_object_new_int64(st->cnt[i].n), bad);
		if (st->cnt[i].n > 0)
			ctl_jset(d, "oldest_age_s", json_object_new_int64(
			    st->now_ms / 1000 - st->cnt[i].oldest), bad);
		else
			ctl_jnull(d, "oldest_age_s", bad);
		if (ctl_status_dirs[i] != SPOOL_DEFERRED)
			continue;
		if (st->next_ms == 0) {
			ctl_jnull(d, "next_attempt", bad);
			ctl_jnull(d, "next_attempt_in_s", bad);
			continue;
		}
		ctl_fmt_time(st->next_ms, when, sizeof(when));
		ctl_jset(d, "next_attempt", json_object_new_string(when), bad);
		ctl_jset(d, "next_attempt_in_s", json_object_new_int64(
		    st->next_ms <= st->now_ms ? 0 :
		    (st->next_ms - st->now_ms + 999) / 1000), bad);
	}
	return spool;
}

static struct json_object *
ctl_json_audit(const struct ctl_status *st, const struct conf *c, int *bad)
{
	struct json_object *audit, *last;
	int k;

	if ((audit = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(audit, "file", json_object_new_string(c->audit.file.path),
	    bad);
	ctl_jset(audit, "exists", json_object_new_boolean(st->audit_state != 0),
	    bad);
	if (st->audit_state == -1)
		ctl_jset(audit, "error", json_object_new_string("unreadable"),
		    bad);
	if ((last = json_object_new_array()) == NULL)
		*bad = 1;
	ctl_jset(audit, "last", last, bad);
	/* Oldest first, as in the file. */
	for (k = st->nlast - 1; last != NULL && k >= 0; k--)
		if (json_object_array_add(last,
		    json_object_get(st->last[k])) != 0) {
			json_object_put(st->last[k]);
			*bad = 1;
		}
	ctl_jset(audit, "last_hour", ctl_json_window(&st->hour, bad), bad);
	ctl_jset(audit, "last_day", ctl_json_window(&st->day, bad), bad);
	return audit;
}

static struct json_object *
ctl_json_token(const struct ctl_status *st, int *bad)
{
	struct json_object *t;

	if ((t = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(t, "configured", json_object_new_boolean(st->token != -2),
	    bad);
	ctl_jset(t, "cached", json_object_new_boolean(st->token == 1), bad);
	if (st->token == 1)
		ctl_jset(t, "expires_in_s", json_object_new_int64(
		    (long long)st->token_exp - st->now_ms / 1000), bad);
	if (st->token == -1)
		ctl_jset(t, "error", json_object_new_string("unreadable"), bad);
	return t;
}

/* {"cached","count","fetched","age_s","stale"}, or with "error". */
static struct json_object *
ctl_json_defs(const struct ctl_status *st, int *bad)
{
	struct json_object *t;
	char when[40];
	long long s = (st->now_ms - st->defs_at) / 1000;

	if ((t = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(t, "cached", json_object_new_boolean(st->defs == 1), bad);
	if (st->defs == -1)
		ctl_jset(t, "error", json_object_new_string(st->defs_err), bad);
	if (st->defs != 1)
		return t;
	ctl_jset(t, "count", json_object_new_int64((int64_t)st->defs_n), bad);
	ctl_fmt_time(st->defs_at, when, sizeof(when));
	ctl_jset(t, "fetched", json_object_new_string(when), bad);
	ctl_jset(t, "age_s", json_object_new_int64(s < 0 ? 0 : s), bad);
	ctl_jset(t, "stale", json_object_new_boolean(presence_stale(
	    st->defs_at, st->now_ms, PRESENCE_MAX_AGE_MS)), bad);
	return t;
}

static struct json_object *
ctl_json_worker(const struct ctl_status *st, int *bad)
{
	const struct runstate_info *r = &st->run;
	struct json_object *w, *p;
	char when[40];

	if ((w = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(w, "running", json_object_new_boolean(r->running), bad);
	if (st->worker != 1) {
		ctl_jnull(w, "pid", bad);
		ctl_jnull(w, "since", bad);
		ctl_jnull(w, "version", bad);
		ctl_jnull(w, "paused", bad);
		return w;
	}
	ctl_jset(w, "pid", json_object_new_int64(r->pid), bad);
	ctl_fmt_time(r->started_ms, when, sizeof(when));
	ctl_jset(w, "since", json_object_new_string(when), bad);
	ctl_jset(w, "version", json_object_new_string(r->version), bad);
	if (!r->running || r->reason[0] == '\0') {
		ctl_jnull(w, "paused", bad);
		return w;
	}
	if ((p = json_object_new_object()) == NULL) {
		*bad = 1;
		return w;
	}
	ctl_jset(w, "paused", p, bad);
	ctl_jset(p, "reason", json_object_new_string(r->reason), bad);
	if (r->since_ms > 0) {
		ctl_fmt_time(r->since_ms, when, sizeof(when));
		ctl_jset(p, "since", json_object_new_string(when), bad);
	} else
		ctl_jnull(p, "since", bad);
	if (r->until_ms > 0) {
		ctl_fmt_time(r->until_ms, when, sizeof(when));
		ctl_jset(p, "until", json_object_new_string(when), bad);
		ctl_jset(p, "in_s", json_object_new_int64(
		    r->until_ms <= st->now_ms ? 0 :
		    (r->until_ms - st->now_ms + 999) / 1000), bad);
	} else {
		ctl_jnull(p, "until", bad);
		ctl_jnull(p, "in_s", bad);
	}
	ctl_jset(p, "detail", json_object_new_string(r->detail), bad);
	return w;
}

/* {"etcd_answers","hosts","locks","budget_used"} or with "error". */
static struct json_object *
ctl_json_cluster(const struct ctl_status *st, int *bad)
{
	struct json_object *t;

	if ((t = json_object_new_object()) == NULL) {
		*bad = 1;
		return NULL;
	}
	ctl_jset(t, "etcd_answers", json_object_new_boolean(st->cluster == 1),
	    bad);
	if (st->cluster == 1) {
		ctl_jset(t, "hosts", json_object_new_int64(st->cl_hosts), bad);
		ctl_jset(t, "locks", json_object_new_int64(st->cl_locks), bad);
		ctl_jset(t, "budget_used", json_object_new_int64(st->cl_used),
		    bad);
	} else
		ctl_jset(t, "error", json_object_new_string(st->cl_err), bad);
	return t;
}

static int
ctl_status_json(const struct ctl_status *st, const struct conf *c)
{
	struct json_object *o;
	const char *s;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL) {
		ctl_err("status");
		return -1;
	}
	ctl_jset(o, "worker", ctl_json_worker(st, &bad), &bad);
	ctl_jset(o, "spool", ctl_json_spool(st, c, &bad), &bad);
	ctl_jset(o, "audit", ctl_json_audit(st, c, &bad), &bad);
	ctl_jset(o, "token", ctl_json_token(st, &bad), &bad);
	ctl_jset(o, "presence_definitions", ctl_json_defs(st, &bad), &bad);
	if (ctl_audit_paused(st))
		ctl_jset(o, "paused", json_object_new_string(st->run.detail),
		    &bad);
	else
		ctl_jnull(o, "paused", &bad);
	if (st->cluster != -1)
		ctl_jset(o, "cluster", ctl_json_cluster(st, &bad), &bad);
	s = bad ? NULL : json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	if (s == NULL) {
		ctl_errx("status: out of memory");
		json_object_put(o);
		return -1;
	}
	puts(s);
	json_object_put(o);
	return 0;
}

int
ctl_status(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_JSON = CTL_OPT_LONG };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ "last", required_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct ctl_status *st = NULL;
	struct spool sp;
	char err[1024];
	int o, json = 0, rc = EXIT_PERM, opened = 0;
	long last = 10;

	while ((o = ctl_getopt("status", argc, argv, ":hn:", opts)) != -1) {
		if (o == 'h')
			return ctl_usage(ctl_status_usage, EXIT_DONE);
		else if (o == OPT_JSON)
			json = 1;
		else if (o != 'n' || ctl_number("status", "last", optarg, 0,
		    CTL_LAST_MAX, &last) == -1)
			return ctl_usage(ctl_status_usage, EXIT_PERM);
	}
	if (optind < argc) {
		ctl_errx("status: unexpected argument %s", argv[optind]);
		return ctl_usage(ctl_status_usage, EXIT_PERM);
	}
	if (ctl_conf_load(ctl) == -1)
		return EXIT_PERM;
	if (spool_open(&sp, ctl->conf.spool_dir.path, 0, 0, err,
	    sizeof(err)) == -1) {
		ctl_errx("%s (routehookctl check tells more)", err);
		return EXIT_PERM;
	}
	opened = 1;
	if ((st = calloc(1, sizeof(*st))) == NULL) {
		ctl_err("status");
		goto fail;
	}
	st->now_ms = msclock_real();
	st->want_last = (int)last;
	if (ctl_status_gather(st, &ctl->conf, &sp) == -1)
		goto fail;
	if (json) {
		if (ctl_status_json(st, &ctl->conf) == -1) {
			rc = EXIT_TEMP;
			goto fail;
		}
	} else
		ctl_status_print(st, &ctl->conf);
	rc = st->audit_state == -1 ? EXIT_FOUND : EXIT_DONE;

fail:
	if (st != NULL)
		while (st->nlast > 0)
			json_object_put(st->last[--st->nlast]);
	free(st);
	if (opened)
		spool_close(&sp);
	return rc;
}
