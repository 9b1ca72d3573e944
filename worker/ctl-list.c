/*
 * ctl-list: the events of some spool directories as one list sorted by
 * id (which sorts by arrival), each with what its newest audit line and
 * its own bytes say; what `dead list|show|replay|purge` and `queue
 * list|show` both walk (see ctl.h).
 *
 * The audit file is read from its end (ctl-audit.c) and only back to
 * when the oldest listed event was received, less CTL_SKEW_MS for lines
 * concurrent workers append out of order; the first line met for an
 * event is its newest.  A missing audit file leaves the audit fields
 * unknown, which is not an error.
 *
 * The actions of both commands start alike (ctl_evlist_spool(): ids
 * checked, config loaded, spool opened), and so do their list and show
 * (ctl_evlist_read(), ctl_evlist_one(), ctl_evlist_copy()): only what
 * they print differs.
 *
 * Fails (-1, after printing why) when a directory cannot be read or
 * memory runs out.
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

#include "atomicfile.h"
#include "ctl.h"
#include "event.h"
#include "msclock.h"
#include "spool.h"
#include "vis.h"

#define CTL_SKEW_MS	(300LL * 1000)
/* Any event the responder took fits; a larger file is not ours. */
#define CTL_BODY_MIN	(1024 * 1024)

static int
ctl_ev_cmp(const void *a, const void *b)
{
	const struct ctl_ev *x = a, *y = b;

	return strcmp(x->id, y->id);
}

static int
ctl_ev_find(const void *key, const void *elt)
{
	const struct ctl_ev *e = elt;

	return strcmp(key, e->id);
}

char *
ctl_dup(const char *s, int *nomem)
{
	char *d;

	if (s == NULL || *s == '\0')
		return NULL;
	if ((d = strdup(s)) == NULL)
		*nomem = 1;
	return d;
}

int
ctl_evlist_add(struct ctl_evlist *l, struct spool *sp, enum spool_dir d,
    const char *id)
{
	struct ctl_ev *v, *e;
	struct timespec ts;
	struct stat st;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap == 0 ? 64 : l->cap * 2;
		if (cap > SIZE_MAX / sizeof(*v)) {
			errno = ENOMEM;
			return -1;
		}
		if ((v = realloc(l->v, cap * sizeof(*v))) == NULL)
			return -1;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	if ((e->id = strdup(id)) == NULL)
		return -1;
	e->dir = d;
	if (spool_id_time(id, &ts) == 0)
		e->received_ms = msclock_of(&ts);
	/* A deferred file's mtime is its next attempt. */
	if (d == SPOOL_DEFERRED && sp->fd[d] != -1 && fstatat(sp->fd[d], id,
	    &st, AT_SYMLINK_NOFOLLOW) == 0)
		e->mtime_ms = msclock_of(&st.st_mtim);
	if (e->received_ms != 0 &&
	    (l->oldest_ms == 0 || e->received_ms < l->oldest_ms))
		l->oldest_ms = e->received_ms;
	l->n++;
	return 0;
}

void
ctl_evlist_free(struct ctl_evlist *l)
{
	size_t i;

	for (i = 0; i < l->n; i++) {
		free(l->v[i].id);
		free(l->v[i].error);
		free(l->v[i].type);
		free(l->v[i].user);
	}
	free(l->v);
	memset(l, 0, sizeof(*l));
}

int
ctl_evlist_load(struct ctl_evlist *l, struct spool *sp,
    const enum spool_dir *dirs, size_t ndirs)
{
	struct spool_scan scan;
	const char *id;
	size_t i;

	for (i = 0; i < ndirs; i++) {
		/* hold/ is made on first use. */
		if (sp->fd[dirs[i]] == -1)
			continue;
		if (spool_scan_open(sp, dirs[i], &scan) == -1) {
			ctl_err("%s/%s", sp->root, spool_dir_name(dirs[i]));
			return -1;
		}
		while ((id = spool_scan_next(&scan)) != NULL)
			if (ctl_evlist_add(l, sp, dirs[i], id) == -1) {
				ctl_err("%s/%s", sp->root,
				    spool_dir_name(dirs[i]));
				spool_scan_close(&scan);
				return -1;
			}
		spool_scan_close(&scan);
	}
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), ctl_ev_cmp);
	return 0;
}

static int
ctl_evlist_line(const struct ctl_audit_line *al, void *arg)
{
	struct ctl_evlist *l = arg;
	struct ctl_ev *e;
	struct json_object *v;

	/* Not about any of ours: older than the oldest one's receipt. */
	if (al->ts_ms != 0 && l->oldest_ms != 0 &&
	    al->ts_ms < l->oldest_ms - CTL_SKEW_MS)
		return 1;
	if (l->outcome != NULL && strcmp(al->outcome, l->outcome) != 0)
		return 0;
	e = bsearch(al->event_id, l->v, l->n, sizeof(*l->v), ctl_ev_find);
	if (e == NULL || e->audited)
		return 0;
	e->audited = 1;
	if (json_object_object_get_ex(al->obj, "attempt", &v) &&
	    json_object_is_type(v, json_type_int))
		e->attempts = json_object_get_int(v);
	e->http_status = al->http_status;
	e->error = ctl_dup(al->error, &l->nomem);
	e->type = ctl_dup(al->event_type, &l->nomem);
	e->user = ctl_dup(al->user_id, &l->nomem);
	l->joined++;
	return l->joined == l->n || l->nomem;
}

int
ctl_evlist_join(const struct conf *c, struct ctl_evlist *l,
    const char *outcome)
{
	char err[1024];

	if (l->n == 0 || c->audit.file.path == NULL ||
	    c->audit.file.path[0] == '\0')
		return 0;
	l->outcome = outcome;
	if (ctl_audit_scan(c->audit.file.path, ctl_evlist_line, l, err,
	    sizeof(err)) == -1 && errno != ENOENT) {
		ctl_errx("%s", err);
		return -1;
	}
	if (l->nomem) {
		ctl_errx("out of memory");
		return -1;
	}
	return 0;
}

static const char *
ctl_kind(enum event_kind k)
{
	switch (k) {
	case EVENT_ROUTING_STATUS:
		return "status";
	case EVENT_PRESENCE:
		return "presence";
	case EVENT_QUEUE_MEMBER:
		return "queue";
	default:
		return NULL;
	}
}

void
ctl_evlist_parse(const struct conf *c, struct spool *sp, struct ctl_ev *e,
    int *nomem)
{
	struct event ev;
	char err[512], *body = NULL;
	size_t len, max;

	max = c->receiver.max_body_bytes > CTL_BODY_MIN ?
	    c->receiver.max_body_bytes : CTL_BODY_MIN;
	/* Gone since the scan (applied, moved): nothing more to say. */
	if (spool_read(sp, e->dir, e->id, max, &body, &len, err,
	    sizeof(err)) == -1)
		return;
	memset(&ev, 0, sizeof(ev));
	/* On failure ev still holds what could be read: enough here. */
	(void)event_parse(c, body, len, &ev, err, sizeof(err));
	if (e->type == NULL)
		e->type = ctl_dup(ev.type, nomem);
	if (e->user == NULL)
		e->user = ctl_dup(ev.user_id, nomem);
	e->kind = ctl_kind(ev.kind);
	free(body);
}

int
ctl_print_json(struct json_object *o, int bad)
{
	const char *s;
	int rc = 0;

	if (bad || (s = json_object_to_json_string_ext(o,
	    JSON_C_TO_STRING_PLAIN)) == NULL)
		rc = -1;
	else
		printf("%s\n", s);
	json_object_put(o);
	return rc;
}

int
ctl_evlist_spool(struct ctl *ctl, const char *cmd, const char *action,
    char **ids, int nids, struct spool *sp)
{
	char err[1024];
	int i;

	for (i = 0; i < nids; i++)
		if (!spool_id_valid(ids[i])) {
			ctl_errx("%s %s: %s: not a spool id", cmd, action,
			    ids[i]);
			return -1;
		}
	if (ctl_conf_load(ctl) == -1)
		return -1;
	if (spool_open(sp, ctl->conf.spool_dir.path, 0,
	    ctl->conf.receiver.fsync, err, sizeof(err)) == -1) {
		ctl_errx("%s (routehookctl check tells more)", err);
		return -1;
	}
	return 0;
}

/* The width of s escaped into bufsz bytes, when wider than *w. */
static void
ctl_widen(int *w, const char *s, size_t bufsz)
{
	char v[SPOOL_ID_MAX * VIS_EXPANSION];
	int n;

	if (bufsz > sizeof(v))
		bufsz = sizeof(v);
	if (s != NULL && (n = (int)strlen(vis_str(v, bufsz, s))) > *w)
		*w = n;
}

/* Audit lines joined, then each event's own bytes: what list shows. */
static int
ctl_evlist_fill(const struct conf *c, struct spool *sp, const char *outcome,
    const char *cmd, struct ctl_evlist *l)
{
	size_t i;

	if (ctl_evlist_join(c, l, outcome) == -1)
		return -1;
	l->wid = 2;
	l->wtype = l->wuser = 4;
	for (i = 0; i < l->n; i++) {
		ctl_evlist_parse(c, sp, &l->v[i], &l->nomem);
		/* The sizes list prints them in. */
		ctl_widen(&l->wid, l->v[i].id, SPOOL_ID_MAX * VIS_EXPANSION);
		ctl_widen(&l->wtype, l->v[i].type, 512);
		ctl_widen(&l->wuser, l->v[i].user, 512);
	}
	if (l->nomem) {
		ctl_errx("%s: out of memory", cmd);
		return -1;
	}
	return 0;
}

int
ctl_evlist_read(const struct conf *c, struct spool *sp,
    const enum spool_dir *dirs, size_t ndirs, const char *outcome,
    const char *cmd, struct ctl_evlist *l)
{
	if (ctl_evlist_load(l, sp, dirs, ndirs) == -1)
		return -1;
	return ctl_evlist_fill(c, sp, outcome, cmd, l);
}

int
ctl_evlist_one(const struct conf *c, struct spool *sp,
    const enum spool_dir *dirs, size_t ndirs, const char *id,
    const char *outcome, struct ctl_evlist *l, int *fdp)
{
	size_t i;
	int fd = -1;

	for (i = 0; i < ndirs && fd == -1; i++) {
		/* hold/ is made on first use. */
		if (sp->fd[dirs[i]] == -1)
			continue;
		do {
			fd = openat(sp->fd[dirs[i]], id,
			    O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		} while (fd == -1 && errno == EINTR);
		if (fd == -1 && errno != ENOENT) {
			ctl_err("%s/%s/%s", sp->root, spool_dir_name(dirs[i]),
			    id);
			return EXIT_PERM;
		}
	}
	if (fd == -1)
		return EXIT_FOUND;
	if (ctl_evlist_add(l, sp, dirs[i - 1], id) == -1) {
		ctl_err("%s", id);
		close(fd);
		return EXIT_PERM;
	}
	if (ctl_evlist_fill(c, sp, outcome, "show", l) == -1) {
		close(fd);
		return EXIT_PERM;
	}
	*fdp = fd;
	return EXIT_DONE;
}

int
ctl_evlist_copy(int fd, const struct spool *sp, const struct ctl_ev *e)
{
	char buf[65536];
	ssize_t n;

	for (;;) {
		if ((n = read(fd, buf, sizeof(buf))) == -1) {
			if (errno == EINTR)
				continue;
			ctl_err("%s/%s/%s", sp->root, spool_dir_name(e->dir),
			    e->id);
			return -1;
		}
		if (n == 0)
			return 0;
		if (write_all(STDOUT_FILENO, buf, (size_t)n) == -1) {
			ctl_err("standard output");
			return -1;
		}
	}
}

void
ctl_ev_age(const struct ctl_ev *e, long long now, char *buf, size_t bufsz)
{
	if (e->received_ms != 0)
		ctl_fmt_age((now - e->received_ms) / 1000, buf, bufsz);
	else
		snprintf(buf, bufsz, "-");
}

void
ctl_ev_jage(struct json_object *o, const struct ctl_ev *e, long long now,
    int *bad)
{
	if (e->received_ms != 0)
		ctl_jset(o, "age_s", json_object_new_int64(
		    (now - e->received_ms) / 1000), bad);
	else
		ctl_jnull(o, "age_s", bad);
}
