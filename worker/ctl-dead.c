/*
 * ctl-dead: `routehookctl dead list|show|replay|purge`.
 *
 * A dead letter is an event the worker could not apply: its file sits in
 * SPOOL/dead/ byte for byte under its spool id, and why it died is in its
 * last audit line with outcome "dead".  list joins the two (ctl-list.c);
 * show gives the exact bytes on stdout and the reason on
 * stderr, so `dead show ID > file` is the event as the sender sent it.
 *
 * replay is one rename(2) dead/ID -> new/ID per event, after removing
 * SPOOL/state/attempts/ID so the worker counts its attempts afresh.  The
 * worker's newest-wins rule still applies: a replayed event older than
 * what was applied since for its user is superseded, not applied.  purge
 * unlinks, and asks on the terminal first unless --yes.
 *
 * How it fails: an id that is not a spool id is a usage error (100)
 * before anything is touched; a missing dead letter is named and the
 * others are still handled (exit 1).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctl.h"
#include "event.h"
#include "msclock.h"
#include "spool.h"
#include "state.h"
#include "vis.h"

const char ctl_dead_usage[] =
"usage: routehookctl [-c FILE] dead list [--json]\n"
"       routehookctl [-c FILE] dead show ID\n"
"       routehookctl [-c FILE] dead replay ID... | --all\n"
"       routehookctl [-c FILE] dead purge [--yes] ID... | --all\n"
"\n"
"Dead letters are the events the worker could not apply, kept byte for\n"
"byte in SPOOL/dead/ under their spool id.\n"
"\n"
"  list     one line each, oldest first: id, age, event type, user, and\n"
"           the reason from the audit file (a header on a terminal)\n"
"  show     the event's exact bytes on stdout; its reason on stderr\n"
"  replay   move back into new/ (attempts counted afresh) so the worker\n"
"           takes them again; an event older than one applied since for\n"
"           the same user is then superseded, not applied\n"
"  purge    delete them, asking on the terminal unless --yes\n"
"\n"
"  --json   list: one JSON object per line\n"
"  --all    every dead letter (replay, purge)\n"
"  --yes    do not ask (purge); without a terminal --yes is required\n"
"\n"
"exit status: 0 done, 1 some id was not a dead letter, 100 usage or\n"
"configuration error\n";

/*
 * Why e died, from its last "dead" audit line: the error, else the HTTP
 * status; NULL when there is no such line.
 */
static const char *
ctl_dead_reason(const struct ctl_ev *e, char *buf, size_t bufsz)
{
	if (!e->audited)
		return NULL;
	if (e->error != NULL)
		return e->error;
	if (e->http_status != 0)
		snprintf(buf, bufsz, "HTTP %d", e->http_status);
	else
		snprintf(buf, bufsz, "dead");
	return buf;
}

static const enum spool_dir ctl_dead_dir[] = { SPOOL_DEAD };

static int
ctl_dead_json(const struct ctl_ev *e, long long now)
{
	struct json_object *o;
	char buf[32];
	int bad = 0;

	if ((o = json_object_new_object()) == NULL)
		return -1;
	ctl_jset(o, "id", json_object_new_string(e->id), &bad);
	ctl_ev_jage(o, e, now, &bad);
	ctl_jstr(o, "type", e->type, &bad);
	ctl_jstr(o, "user", e->user, &bad);
	ctl_jstr(o, "reason", ctl_dead_reason(e, buf, sizeof(buf)), &bad);
	return ctl_print_json(o, bad);
}

static int
ctl_dead_list_cmd(const struct conf *c, struct spool *sp, int json)
{
	struct ctl_evlist dl;
	struct ctl_ev *e;
	int rc = EXIT_PERM;
	long long now = msclock_real();
	/* Names, ids and reasons are not ours: escaped for the terminal. */
	char age[32], vid[SPOOL_ID_MAX * VIS_EXPANSION], vtype[512];
	char vuser[512], vreason[2048], rbuf[32];
	const char *r;
	size_t i;

	memset(&dl, 0, sizeof(dl));
	if (ctl_evlist_read(c, sp, ctl_dead_dir, 1, "dead", "dead list",
	    &dl) == -1)
		goto fail;
	/* A header for a reader, none for a pipe into awk or cut. */
	if (!json && dl.n > 0 && isatty(STDOUT_FILENO))
		printf("%-*s  %7s  %-*s  %-*s  %s\n", dl.wid, "ID", "AGE",
		    dl.wtype, "TYPE", dl.wuser, "USER", "REASON");
	for (i = 0; i < dl.n; i++) {
		e = &dl.v[i];
		if (json) {
			if (ctl_dead_json(e, now) == -1) {
				ctl_errx("dead list: out of memory");
				goto fail;
			}
			continue;
		}
		ctl_ev_age(e, now, age, sizeof(age));
		printf("%-*s  %7s  %-*s  %-*s  %s\n", dl.wid,
		    vis_str(vid, sizeof(vid), e->id), age, dl.wtype,
		    vis_str(vtype, sizeof(vtype), e->type ? e->type : "-"),
		    dl.wuser,
		    vis_str(vuser, sizeof(vuser), e->user ? e->user : "-"),
		    vis_str(vreason, sizeof(vreason), (r = ctl_dead_reason(e,
		    rbuf, sizeof(rbuf))) != NULL ? r : "(no audit line)"));
	}
	rc = EXIT_DONE;
fail:
	ctl_evlist_free(&dl);
	return rc;
}

static int
ctl_dead_show(const struct conf *c, struct spool *sp, const char *id)
{
	struct ctl_evlist dl;
	struct ctl_ev *e;
	int fd = -1, rc;
	char when[40], vid[SPOOL_ID_MAX * VIS_EXPANSION], vtype[512];
	char vuser[512], vreason[2048], rbuf[32];
	const char *r;

	memset(&dl, 0, sizeof(dl));
	rc = ctl_evlist_one(c, sp, ctl_dead_dir, 1, id, "dead", &dl, &fd);
	if (rc == EXIT_FOUND)
		ctl_errx("dead show: %s: no such dead letter", id);
	if (rc != EXIT_DONE)
		goto out;
	e = &dl.v[0];
	ctl_fmt_time(e->received_ms, when, sizeof(when));
	/* The reason on stderr: stdout is the event, byte for byte. */
	fprintf(stderr, "%s: received %s, %s, user %s, reason: %s\n",
	    vis_str(vid, sizeof(vid), id), when,
	    vis_str(vtype, sizeof(vtype), e->type ? e->type : "unknown type"),
	    vis_str(vuser, sizeof(vuser), e->user ? e->user : "unknown"),
	    vis_str(vreason, sizeof(vreason), (r = ctl_dead_reason(e, rbuf,
	    sizeof(rbuf))) != NULL ? r : "(no audit line)"));
	if (ctl_evlist_copy(fd, sp, e) == -1)
		rc = EXIT_PERM;
	close(fd);
out:
	ctl_evlist_free(&dl);
	return rc;
}

/* Remove state/attempts/ID so a replayed event starts from attempt 1. */
static int
ctl_forget_attempts(struct spool *sp, const char *id)
{
	struct state st;
	char err[1024];
	int r;

	if (state_open(&st, sp, 0, err, sizeof(err)) == -1) {
		ctl_errx("%s", err);
		return -1;
	}
	if ((r = state_attempts_remove(&st, id, err, sizeof(err))) == -1)
		ctl_errx("%s/%s", sp->root, err);
	state_close(&st);
	return r;
}

static int
ctl_replay_one(struct spool *sp, const char *id)
{
	struct stat sb;
	char err[1024];

	/* Only a dead letter's attempts are forgotten, never a live one's. */
	if (fstatat(sp->fd[SPOOL_DEAD], id, &sb, AT_SYMLINK_NOFOLLOW) == -1) {
		if (errno == ENOENT)
			ctl_errx("dead replay: %s: no such dead letter", id);
		else
			ctl_err("%s/dead/%s", sp->root, id);
		return -1;
	}
	if (ctl_forget_attempts(sp, id) == -1)
		return -1;
	if (spool_move(sp, id, SPOOL_DEAD, SPOOL_NEW, err, sizeof(err)) == -1) {
		ctl_errx("dead replay: %s", err);
		return -1;
	}
	return 0;
}

static int
ctl_purge_one(struct spool *sp, const char *id)
{
	char err[1024];

	if (spool_unlink(sp, SPOOL_DEAD, id, err, sizeof(err)) == -1) {
		if (errno == ENOENT)
			ctl_errx("dead purge: %s: no such dead letter", id);
		else
			ctl_errx("dead purge: %s", err);
		return -1;
	}
	return ctl_forget_attempts(sp, id);
}

/* 1 when the operator says yes on the terminal, 0 otherwise, -1: no tty. */
static int
ctl_confirm(size_t n)
{
	char line[64];

	if (!isatty(STDIN_FILENO))
		return -1;
	fprintf(stderr, "purge %zu dead letter%s? [y/N] ", n,
	    n == 1 ? "" : "s");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return 0;
	return line[0] == 'y' || line[0] == 'Y';
}

static int
ctl_dead_apply(const struct conf *c, struct spool *sp, int replay, int all,
    int yes, char **ids, int nids)
{
	struct ctl_evlist dl;
	size_t i, done = 0;
	int rc = EXIT_DONE, r;

	memset(&dl, 0, sizeof(dl));
	if (all && ctl_evlist_load(&dl, sp, ctl_dead_dir, 1) == -1)
		return EXIT_PERM;
	for (i = 0; !all && i < (size_t)nids; i++)
		if (ctl_evlist_add(&dl, sp, SPOOL_DEAD, ids[i]) == -1) {
			ctl_err("dead");
			ctl_evlist_free(&dl);
			return EXIT_PERM;
		}
	if (!replay && !yes && dl.n > 0) {
		if ((r = ctl_confirm(dl.n)) == -1) {
			ctl_errx("dead purge: not a terminal: use --yes to "
			    "purge without asking");
			ctl_evlist_free(&dl);
			return EXIT_PERM;
		}
		if (r == 0) {
			printf("nothing purged\n");
			ctl_evlist_free(&dl);
			return EXIT_DONE;
		}
	}
	for (i = 0; i < dl.n; i++) {
		r = replay ? ctl_replay_one(sp, dl.v[i].id) :
		    ctl_purge_one(sp, dl.v[i].id);
		if (r == -1)
			rc = EXIT_FOUND;
		else
			done++;
	}
	printf("%s %zu dead letter%s\n", replay ? "replayed" : "purged", done,
	    done == 1 ? "" : "s");
	ctl_evlist_free(&dl);
	return rc;
}

int
ctl_dead(struct ctl *ctl, int argc, char **argv)
{
	enum { OPT_JSON = CTL_OPT_LONG };
	static const struct option opts[] = {
		{ "help", no_argument, NULL, 'h' },
		{ "all", no_argument, NULL, 'a' },
		{ "yes", no_argument, NULL, 'y' },
		{ "json", no_argument, NULL, OPT_JSON },
		{ NULL, 0, NULL, 0 }
	};
	struct spool sp;
	const char *action;
	char **pos;
	int o, all = 0, yes = 0, json = 0, rc, replay, npos;

	while ((o = ctl_getopt("dead", argc, argv, ":hay", opts)) != -1) {
		if (o == 'h')
			return ctl_usage(ctl_dead_usage, EXIT_DONE);
		else if (o == 'a')
			all = 1;
		else if (o == 'y')
			yes = 1;
		else if (o == OPT_JSON)
			json = 1;
		else
			return ctl_usage(ctl_dead_usage, EXIT_PERM);
	}
	pos = argv + optind;
	npos = argc - optind;
	if (npos == 0) {
		ctl_errx("dead: list, show, replay or purge?");
		return ctl_usage(ctl_dead_usage, EXIT_PERM);
	}
	action = pos[0];
	replay = strcmp(action, "replay") == 0;
	if (strcmp(action, "list") == 0 || strcmp(action, "show") == 0) {
		if (all || yes || npos != (action[0] == 'l' ? 1 : 2) ||
		    (json && action[0] != 'l')) {
			ctl_errx("dead %s: wrong arguments", action);
			return ctl_usage(ctl_dead_usage, EXIT_PERM);
		}
	} else if (replay || strcmp(action, "purge") == 0) {
		if ((all && npos > 1) || (!all && npos < 2) ||
		    (replay && yes) || json) {
			ctl_errx("dead %s: give ids or --all", action);
			return ctl_usage(ctl_dead_usage, EXIT_PERM);
		}
	} else {
		ctl_errx("dead: unknown action %s", action);
		return ctl_usage(ctl_dead_usage, EXIT_PERM);
	}
	if (ctl_evlist_spool(ctl, "dead", action, pos + 1, npos - 1,
	    &sp) == -1)
		return EXIT_PERM;
	if (action[0] == 'l')
		rc = ctl_dead_list_cmd(&ctl->conf, &sp, json);
	else if (action[0] == 's')
		rc = ctl_dead_show(&ctl->conf, &sp, pos[1]);
	else
		rc = ctl_dead_apply(&ctl->conf, &sp, replay, all, yes,
		    pos + 1, npos - 1);
	spool_close(&sp);
	return rc;
}
