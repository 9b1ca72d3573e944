/*
 * ctl: what the files of routehookctl share (worker/routehookctl.c and
 * worker/ctl-*.c).
 *
 * The Makefile links every non-main .c of worker/ into both worker
 * programs and into the unit tests, so the ctl-*.c files only call each
 * other and lib/: nothing here may depend on routehookctl.c's main().
 *
 * Every subcommand is one function taking the arguments after its name
 * and returning the exit status (log.h: EXIT_DONE, EXIT_FOUND, EXIT_PERM,
 * EXIT_TEMP).  Messages go to stderr as "routehookctl: ...".
 */
#ifndef ROUTEHOOK_CTL_H
#define ROUTEHOOK_CTL_H

#include <getopt.h>
#include <stddef.h>
#include <time.h>

#include <json-c/json.h>

#include "conf.h"
#include "log.h"
#include "spool.h"

#define CTL_PROG	"routehookctl"

struct ctl {
	const char	*conf_arg;	/* -c FILE, or NULL */
	const char	*conf_file;	/* the file read */
	struct conf	 conf;
	int		 loaded;
};

/* --- options ------------------------------------------------------------ */

/*
 * getopt_long(3) over a command's argv (argv[0] is the command's name):
 * options and operands may be mixed, "--" ends the options, and the
 * operands are argv[optind..argc) when it returns -1.  shortopts starts
 * with ':'.  On a bad option it prints one line naming it ("status:
 * option --last needs a value"; cmd NULL: no "status: ") and returns
 * '?'.  main() resets optind before a command runs.
 */
int	 ctl_getopt(const char *cmd, int argc, char **argv,
	    const char *shortopts, const struct option *longopts);
/* Long options without a short form have values from here on. */
#define CTL_OPT_LONG	256
/* Print usage (stdout for status 0, else stderr); returns status. */
int	 ctl_usage(const char *usage, int status);
/* A decimal number in [min, max], or -1 after saying what is wrong. */
int	 ctl_number(const char *cmd, const char *opt, const char *s, long min,
	    long max, long *out);

/* --- messages ---------------------------------------------------------- */

void	 ctl_errx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	 ctl_err(const char *fmt, ...) LOG_PRINTF(1, 2);	/* + strerror */

/* Load the config (-c, $ROUTEHOOK_CONFIG, default); prints why not. */
int	 ctl_conf_load(struct ctl *ctl);
void	 ctl_free(struct ctl *ctl);

/*
 * Add v (NULL: the constructor ran out of memory) under key, or JSON null
 * with ctl_jnull(); any failure sets *bad and releases v, so a builder
 * checks once at the end.
 */
void	 ctl_jset(struct json_object *o, const char *key,
	    struct json_object *v, int *bad);
void	 ctl_jnull(struct json_object *o, const char *key, int *bad);
/* s as a JSON string under key, or null when s is NULL. */
void	 ctl_jstr(struct json_object *o, const char *key, const char *s,
	    int *bad);

/* --- time ---------------------------------------------------------------- */

/* "2026-11-28T22:47:33.123Z" */
int	 ctl_fmt_time(long long ms, char *buf, size_t bufsz);
/* "42s", "5m03s", "2h05m", "3d04h"; negative ages print as "0s" */
void	 ctl_fmt_age(long long s, char *buf, size_t bufsz);

/* --- the audit file, newest line first ----------------------------------- */

struct ctl_audit_line {
	struct json_object	*obj;		/* the whole line */
	const char		*event_id;	/* "" when absent */
	const char		*outcome;
	const char		*event_type;
	const char		*user_id;
	const char		*error;		/* NULL when null or absent */
	long long		 ts_ms;		/* 0 when unreadable */
	int			 sla_compliant;	/* 1, 0, or -1 when absent */
	int			 http_status;	/* 0 when null */
};

/*
 * Call cb for every line of the audit file at path, from the last to the
 * first, reading the file backwards in blocks so that its size does not
 * matter; lines that are not JSON objects are skipped.  cb returns
 * nonzero to stop early.  The object lives until cb returns (take a
 * reference with json_object_get() to keep it).  -1 with err filled on
 * error; errno is ENOENT when the file does not exist.
 */
int	 ctl_audit_scan(const char *path,
	    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
	    char *err, size_t errsz);

/* The same over a gzip'd audit file, first line to last (no early stop). */
int	 ctl_audit_scan_gz(const char *path,
	    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
	    char *err, size_t errsz);

/*
 * Every file logrotate made of the audit file at path (path.N,
 * path-DATE, either with .gz) last written at since_ms or later, each
 * scanned with cb, in no particular order.
 */
int	 ctl_audit_rotated(const char *path, long long since_ms,
	    int (*cb)(const struct ctl_audit_line *, void *), void *arg,
	    char *err, size_t errsz);

/* --- events listed (ctl-list.c) ------------------------------------------ */

/* One event in the spool, with what its newest audit line says. */
struct ctl_ev {
	char		*id;
	enum spool_dir	 dir;
	long long	 received_ms;	/* from the id; 0: it does not say */
	long long	 mtime_ms;	/* deferred/: the next attempt */
	int		 audited;	/* an audit line was found */
	int		 attempts;	/* that line's attempt */
	int		 http_status;	/* that line's, 0 when none */
	char		*error;		/* that line's, NULL when none */
	char		*type;		/* the line's summary, or the body's */
	char		*user;
	const char	*kind;		/* "status", "presence", "queue" */
};

struct ctl_evlist {
	struct ctl_ev	*v;
	size_t		 n, cap, joined;
	long long	 oldest_ms;
	const char	*outcome;	/* ctl_evlist_join()'s filter */
	int		 nomem;
	/* ctl_evlist_read(): the widest escaped id, type, user (or header) */
	int		 wid, wtype, wuser;
};

/* Append one event (errno set on -1); the list is not sorted. */
int	 ctl_evlist_add(struct ctl_evlist *l, struct spool *sp,
	    enum spool_dir d, const char *id);
/* Every event of dirs (a missing hold/ is empty), sorted by id. */
int	 ctl_evlist_load(struct ctl_evlist *l, struct spool *sp,
	    const enum spool_dir *dirs, size_t ndirs);
/* The newest audit line of each listed event (outcome NULL: any). */
int	 ctl_evlist_join(const struct conf *c, struct ctl_evlist *l,
	    const char *outcome);
/* Type, user and kind from e's own bytes, where the audit had none. */
void	 ctl_evlist_parse(const struct conf *c, struct spool *sp,
	    struct ctl_ev *e, int *nomem);
void	 ctl_evlist_free(struct ctl_evlist *l);
/*
 * What every `dead` and `queue` action starts with: each id in ids checked
 * to be a spool id before anything is touched (no path tricks), the config
 * loaded and the spool opened.  cmd and action name the command in
 * messages ("queue", "hold").  0, or -1 after saying why (exit 100).
 */
int	 ctl_evlist_spool(struct ctl *ctl, const char *cmd, const char *action,
	    char **ids, int nids, struct spool *sp);
/*
 * `list`: every event of dirs, sorted, each with its newest audit line
 * (outcome NULL: any) and its own bytes' type, user and kind, and the
 * column widths set; -1 after saying why (cmd: "dead list").
 */
int	 ctl_evlist_read(const struct conf *c, struct spool *sp,
	    const enum spool_dir *dirs, size_t ndirs, const char *outcome,
	    const char *cmd, struct ctl_evlist *l);
/*
 * `show ID`: the event's file opened (*fdp) in the first of dirs holding
 * it, and l made the list of that one event, read as ctl_evlist_read()
 * does.  EXIT_DONE (the caller closes *fdp); EXIT_FOUND, nothing said,
 * when no dir holds it; EXIT_PERM after saying why.  l is freed by the
 * caller in every case.
 */
int	 ctl_evlist_one(const struct conf *c, struct spool *sp,
	    const enum spool_dir *dirs, size_t ndirs, const char *id,
	    const char *outcome, struct ctl_evlist *l, int *fdp);
/* The rest of fd, the event's exact bytes, on stdout; -1 after saying why. */
int	 ctl_evlist_copy(int fd, const struct spool *sp,
	    const struct ctl_ev *e);
/* e's age, "5m03s", or "-" when its id does not say when it came. */
void	 ctl_ev_age(const struct ctl_ev *e, long long now, char *buf,
	    size_t bufsz);
/* The same as "age_s" in o: whole seconds, or null. */
void	 ctl_ev_jage(struct json_object *o, const struct ctl_ev *e,
	    long long now, int *bad);
/* strdup(s), NULL for NULL or "", *nomem set when memory ran out. */
char	*ctl_dup(const char *s, int *nomem);
/* Print o on one line and release it; -1 (nothing printed) when bad. */
int	 ctl_print_json(struct json_object *o, int bad);

/* --- subcommands ------------------------------------------------------- */

int	 ctl_status(struct ctl *ctl, int argc, char **argv);
int	 ctl_dead(struct ctl *ctl, int argc, char **argv);
int	 ctl_queue(struct ctl *ctl, int argc, char **argv);
int	 ctl_simulate(struct ctl *ctl, int argc, char **argv);
int	 ctl_register(struct ctl *ctl, int argc, char **argv);
/* check --online (ctl-online.c), once the offline checks passed. */
int	 ctl_check_online(struct conf *c, const char *user,
	    const char *queue);
int	 ctl_cluster(struct ctl *ctl, int argc, char **argv);
int	 ctl_adopt(struct ctl *ctl, int argc, char **argv);
/* 1 when etcd lists host as alive, 0 when not, -1 with err filled. */
int	 ctl_cluster_alive(const struct conf *c, const char *host, char *err,
	    size_t errsz);

/*
 * For status: hosts alive, user locks held, budget spent in the last
 * minute; -1 with err filled when etcd does not answer.
 */
int	 ctl_cluster_summary(const struct conf *c, long *hosts, long *locks,
	    long *used, char *err, size_t errsz);

extern const char ctl_status_usage[];
extern const char ctl_dead_usage[];
extern const char ctl_queue_usage[];
extern const char ctl_simulate_usage[];
extern const char ctl_register_usage[];
extern const char ctl_cluster_usage[];
extern const char ctl_adopt_usage[];

#endif
