/*
 * ctl-queue: `routehookctl queue list|show|flush|hold|release`, the
 * mailq, postqueue -f and postsuper -h/-H of routehook.
 *
 * The queue is what waits: new/ (accepted, not yet claimed), cur/ (a call
 * in flight), deferred/ (waiting for a retry at its file's mtime) and
 * hold/ (set aside by the operator).  list shows each event with what an
 * operator needs to decide about it: its age, user and kind from its own
 * bytes, and its attempts and last error from its newest audit line
 * (ctl-list.c).
 *
 * Every change is one rename(2) or one utimensat(2) through lib/spool:
 *
 *	flush	deferred/ID gets mtime now: due at once (the daemon sees the
 *		change through inotify; a --once run takes it next time)
 *	hold	new/ID or deferred/ID -> hold/ID, which the worker never
 *		claims.  If the worker claims it at the same moment, one
 *		rename wins: either it is held, or it is in flight and hold
 *		says so (hold it again once it is deferred).
 *	release	hold/ID -> new/ID: taken at once, its attempts so far kept
 *
 * How it fails: an id that is not a spool id is a usage error (100)
 * before anything is touched; an id not found where the action needs it
 * is named and the others are still handled (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "ctl.h"
#include "event.h"
#include "msclock.h"
#include "spool.h"
#include "vis.h"

const char ctl_queue_usage[] =
"usage: routehookctl [-c FILE] queue list [--json]\n"
"       routehookctl [-c FILE] queue show ID\n"
"       routehookctl [-c FILE] queue flush [ID...]\n"
"       routehookctl [-c FILE] queue hold ID...\n"
"       routehookctl [-c FILE] queue release ID...\n"
"\n"
"The events waiting in the spool: new/ (not yet taken), cur/ (a call in\n"
"flight), deferred/ (waiting for a retry) and hold/ (set aside).\n"
"\n"
"  list     one line each, oldest first: id, where, age, user, kind,\n"
"           attempts, next attempt, last error (a header on a terminal)\n"
"  show     the event's exact bytes on stdout; the rest on stderr\n"
"  flush    make deferred events due now (all, or the ids given)\n"
"  hold     set events in new/ or deferred/ aside: never applied until\n"
"           released\n"
"  release  give held events back to the worker, at once\n"
"\n"
"  --json   list: one JSON object per line\n"
"\n"
"exit status: 0 done, 1 some id was not where the action needs it, 100\n"
"usage or configuration error\n";

static const enum spool_dir ctl_queue_dirs[] = {
	SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_HOLD
};
#define CTL_QUEUE_NDIRS	(sizeof(ctl_queue_dirs) / sizeof(ctl_queue_dirs[0]))

/* "now", "in 4m10s", "in flight", "held". */
static void
ctl_next(const struct ctl_ev *e, long long now, char *buf, size_t bufsz)
{
	char age[32];

	switch (e->dir) {
	case SPOOL_CUR:
		snprintf(buf, bufsz, "in flight");
		break;
	case SPOOL_HOLD:
		snprintf(buf, bufsz, "held");
		break;
	case SPOOL_DEFERRED:
		if (e->mtime_ms > now) {
			ctl_fmt_age((e->mtime_ms - now + 999) / 1000, age,
			    sizeof(age));
			snprintf(buf, bufsz, "in %s", age);
			break;
		}
		/* FALLTHROUGH */
	default:
		snprintf(buf, bufsz, "now");
		break;
	}
}

static int
ctl_queue_json(const struct ctl_ev *e, long long now)
{
	struct json_object *o;
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	ctl_jset(o, "id", json_object_new_string(e->id), &bad);
	ctl_jset(o, "dir", json_object_new_string(spool_dir_name(e->dir)),
	    &bad);
	ctl_ev_jage(o, e, now, &bad);
	ctl_jstr(o, "user", e->user, &bad);
	ctl_jstr(o, "kind", e->kind, &bad);
	ctl_jstr(o, "type", e->type, &bad);
	ctl_jset(o, "attempts", json_object_new_int(e->attempts), &bad);
	if (e->dir == SPOOL_DEFERRED)
		ctl_jset(o, "next_attempt_in_s", json_object_new_int64(
		    e->mtime_ms > now ? (e->mtime_ms - now + 999) / 1000 : 0),
		    &bad);
	else if (e->dir == SPOOL_NEW)
		ctl_jset(o, "next_attempt_in_s", json_object_new_int(0), &bad);
	else
		ctl_jnull(o, "next_attempt_in_s", &bad);
	ctl_jstr(o, "last_error", e->error, &bad);
	return ctl_print_json(o, bad);
}

static int
ctl_queue_list(const struct conf *c, struct spool *sp, int json)
{
	struct ctl_evlist q;
	struct ctl_ev *e;
	int rc = EXIT_PERM;
	long long now = msclock_real();
	/* Ids, users and errors are not ours: escaped for the terminal. */
	char age[32], next[40], vid[SPOOL_ID_MAX * VIS_EXPANSION];
	char vuser[512], vkind[128], verr[2048];
	size_t i;

	memset(&q, 0, sizeof(q));
	if (ctl_evlist_read(c, sp, ctl_queue_dirs, CTL_QUEUE_NDIRS, NULL,
	    "queue list", &q) == -1)
		goto fail;
	/* A header for a reader, none for a pipe into awk or cut. */
	if (!json && q.n > 0 && isatty(STDOUT_FILENO))
		printf("%-*s  %-8s  %7s  %-*s  %-8s  %8s  %-10s  %s\n", q.wid,
		    "ID", "DIR", "AGE", q.wuser, "USER", "KIND", "ATTEMPTS",
		    "NEXT", "LAST ERROR");
	for (i = 0; i < q.n; i++) {
		e = &q.v[i];
		if (json) {
			if (ctl_queue_json(e, now) == -1) {
				ctl_errx("queue list: out of memory");
				goto fail;
			}
			continue;
		}
		ctl_ev_age(e, now, age, sizeof(age));
		ctl_next(e, now, next, sizeof(next));
		printf("%-*s  %-8s  %7s  %-*s  %-8s  %8d  %-10s  %s\n", q.wid,
		    vis_str(vid, sizeof(vid), e->id), spool_dir_name(e->dir),
		    age, q.wuser,
		    vis_str(vuser, sizeof(vuser), e->user ? e->user : "-"),
		    vis_str(vkind, sizeof(vkind), e->kind ? e->kind : "-"),
		    e->attempts, next,
		    vis_str(verr, sizeof(verr), e->error ? e->error : "-"));
	}
	rc = EXIT_DONE;
fail:
	ctl_evlist_free(&q);
	return rc;
}

static int
ctl_queue_show(const struct conf *c, struct spool *sp, const char *id)
{
	struct ctl_evlist q;
	struct ctl_ev *e;
	char when[40], next[40];
	char vid[SPOOL_ID_MAX * VIS_EXPANSION], vtype[512], vuser[512];
	char verr[2048];
	int fd = -1, rc;

	memset(&q, 0, sizeof(q));
	rc = ctl_evlist_one(c, sp, ctl_queue_dirs, CTL_QUEUE_NDIRS, id, NULL,
	    &q, &fd);
	if (rc == EXIT_FOUND)
		ctl_errx("queue show: %s: not in the queue", id);
	if (rc != EXIT_DONE)
		goto out;
	e = &q.v[0];
	ctl_fmt_time(e->received_ms, when, sizeof(when));
	ctl_next(e, msclock_real(), next, sizeof(next));
	/* The rest on stderr: stdout is the event, byte for byte. */
	fprintf(stderr, "%s: in %s/, received %s, %s, user %s, %d attempt%s, "
	    "next: %s, last error: %s\n", vis_str(vid, sizeof(vid), id),
	    spool_dir_name(e->dir), when,
	    vis_str(vtype, sizeof(vtype), e->type ? e->type : "unknown type"),
	    vis_str(vuser, sizeof(vuser), e->user ? e->user : "unknown"),
	    e->attempts, e->attempts == 1 ? "" : "s", next,
	    vis_str(verr, sizeof(verr), e->error ? e->error : "none"));
	if (ctl_evlist_copy(fd, sp, e) == -1)
		rc = EXIT_PERM;
	close(fd);
out:
	ctl_evlist_free(&q);
	return rc;
}

static int
ctl_flush_one(struct spool *sp, const char *id)
{
	char err[1024];

	if (spool_due_now(sp, id, err, sizeof(err)) == -1) {
		if (errno == ENOENT)
			ctl_errx("queue flush: %s: not deferred", id);
		else
			ctl_errx("queue flush: %s", err);
		return -1;
	}
	return 0;
}

static int
ctl_queue_flush(struct spool *sp, char **ids, int nids)
{
	struct spool_scan scan;
	const char *id;
	long done = 0, failed = 0;
	int i;

	if (nids == 0) {
		if (spool_scan_open(sp, SPOOL_DEFERRED, &scan) == -1) {
			ctl_err("%s/deferred", sp->root);
			return EXIT_PERM;
		}
		/* Touching a file does not move it: the scan stays whole. */
		while ((id = spool_scan_next(&scan)) != NULL) {
			if (ctl_flush_one(sp, id) == 0)
				done++;
			else if (errno != ENOENT)
				failed++;
		}
		spool_scan_close(&scan);
	}
	for (i = 0; i < nids; i++) {
		if (ctl_flush_one(sp, ids[i]) == 0)
			done++;
		else
			failed++;
	}
	printf("%ld deferred event%s due now\n", done, done == 1 ? "" : "s");
	return failed ? EXIT_FOUND : EXIT_DONE;
}

/* new/ or deferred/ -> hold/, one rename; ENOENT from both: not waiting. */
static int
ctl_hold_one(struct spool *sp, const char *id)
{
	static const enum spool_dir from[] = { SPOOL_NEW, SPOOL_DEFERRED };
	struct stat st;
	char err[1024];
	size_t i;

	for (i = 0; i < sizeof(from) / sizeof(from[0]); i++) {
		if (spool_move(sp, id, from[i], SPOOL_HOLD, err,
		    sizeof(err)) == 0)
			return 0;
		if (errno != ENOENT) {
			ctl_errx("queue hold: %s", err);
			return -1;
		}
	}
	if (fstatat(sp->fd[SPOOL_CUR], id, &st, AT_SYMLINK_NOFOLLOW) == 0)
		ctl_errx("queue hold: %s: in flight; hold it once it is "
		    "deferred", id);
	else if (sp->fd[SPOOL_HOLD] != -1 && fstatat(sp->fd[SPOOL_HOLD], id,
	    &st, AT_SYMLINK_NOFOLLOW) == 0)
		ctl_errx("queue hold: %s: already held", id);
	else
		ctl_errx("queue hold: %s: not waiting in new/ or deferred/",
		    id);
	return -1;
}

static int
ctl_release_one(struct spool *sp, const char *id)
{
	char err[1024];

	if (sp->fd[SPOOL_HOLD] != -1 && spool_move(sp, id, SPOOL_HOLD,
	    SPOOL_NEW, err, sizeof(err)) == 0)
		return 0;
	if (sp->fd[SPOOL_HOLD] == -1 || errno == ENOENT)
		ctl_errx("queue release: %s: not held", id);
	else
		ctl_errx("queue release: %s", err);
	return -1;
}

static int
ctl_queue_move(struct spool *sp, int hold, char **ids, int nids)
{
	char err[1024];
	int i, done = 0, rc = EXIT_DONE;

	if (hold && spool_make_dir(sp, SPOOL_HOLD, err, sizeof(err)) == -1) {
		ctl_errx("queue hold: %s", err);
		return EXIT_PERM;
	}
	for (i = 0; i < nids; i++) {
		if ((hold ? ctl_hold_one(sp, ids[i]) :
		    ctl_release_one(sp, ids[i])) == -1)
			rc = EXIT_FOUND;
		else
			done++;
	}
	printf("%s %d event%s\n", hold ? "held" : "released", done,
	    done == 1 ? "" : "s");
	return rc;
}

int
ctl_queue(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_JSON = CTL_OPT_LONG };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 }
	};
	struct spool sp;
	const char *action;
	char **pos;
	int o, json = 0, rc, npos, min, max;

	while ((o = ctl_getopt("queue", argc, argv, ":h", opts)) != -1) {
		if (o == 'h')
			return ctl_usage(ctl_queue_usage, EXIT_DONE);
		else if (o == OPT_JSON)
			json = 1;
		else
			return ctl_usage(ctl_queue_usage, EXIT_PERM);
	}
	pos = argv + optind;
	npos = argc - optind;
	if (npos == 0) {
		ctl_errx("queue: list, show, flush, hold or release?");
		return ctl_usage(ctl_queue_usage, EXIT_PERM);
	}
	action = pos[0];
	if (strcmp(action, "list") == 0)
		min = max = 1;
	else if (strcmp(action, "show") == 0)
		min = max = 2;
	else if (strcmp(action, "flush") == 0)
		min = 1, max = INT32_MAX;
	else if (strcmp(action, "hold") == 0 || strcmp(action, "release") == 0)
		min = 2, max = INT32_MAX;
	else {
		ctl_errx("queue: unknown action %s", action);
		return ctl_usage(ctl_queue_usage, EXIT_PERM);
	}
	if (npos < min || npos > max || (json && action[0] != 'l')) {
		ctl_errx("queue %s: wrong arguments", action);
		return ctl_usage(ctl_queue_usage, EXIT_PERM);
	}
	if (ctl_evlist_spool(ctl, "queue", action, pos + 1, npos - 1,
	    &sp) == -1)
		return EXIT_PERM;
	if (strcmp(action, "list") == 0)
		rc = ctl_queue_list(&ctl->conf, &sp, json);
	else if (strcmp(action, "show") == 0)
		rc = ctl_queue_show(&ctl->conf, &sp, pos[1]);
	else if (strcmp(action, "flush") == 0)
		rc = ctl_queue_flush(&sp, pos + 1, npos - 1);
	else
		rc = ctl_queue_move(&sp, action[0] == 'h', pos + 1, npos - 1);
	spool_close(&sp);
	return rc;
}
