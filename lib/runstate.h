/*
 * runstate: what a running worker daemon says about itself, for
 * `routehookctl status`, in the spool owner's state/ directory:
 *
 *	state/worker		one JSON object, rewritten whole (atomicfile):
 *		{"pid":123,"started":"2026-12-02T05:00:00.000Z",
 *		 "version":"0.2.0","paused":null}
 *		or, while calls wait,
 *		"paused":{"reason":"rate_limit","since":"...","until":"...",
 *			  "detail":"..."}
 *	state/worker.lock	flock(2)ed, shared, by every daemon for its
 *				whole life; never removed
 *
 * The lock tells a running daemon's file from the leftover of one that
 * died (SIGKILL, a crash): if an exclusive lock can be had, no daemon
 * holds it.  The pause reasons are RUNSTATE_* below; detail is one
 * sentence (the Genesys error, the audit file's errno), never a secret.
 * A --once run writes nothing here: it is not a daemon, and its pauses
 * end with it.  This is the one pause status knows of: the audit file
 * unwritable (RUNSTATE_AUDIT) is shown as "worker paused since ...".
 *
 * Errors: functions return -1 and fill err; a daemon that cannot write
 * its state logs that and carries on (its events matter more).
 */
#ifndef ROUTEHOOK_RUNSTATE_H
#define ROUTEHOOK_RUNSTATE_H

#include <stddef.h>

/* Why calls are paused. */
#define RUNSTATE_RATE_LIMIT	"rate_limit"	/* 429, until Retry-After */
#define RUNSTATE_CREDENTIALS	"credentials"	/* token refused */
#define RUNSTATE_TOKEN		"token_unreachable"	/* no token answer */
#define RUNSTATE_AUDIT		"audit_unwritable"	/* no outcome without its record */

#define RUNSTATE_DETAIL_MAX	256

struct runstate {
	int		 dir;		/* state/, not owned */
	int		 lock;		/* worker.lock, or -1 */
	long		 pid;
	long long	 started_ms;
	char		 reason[32];	/* "" while calls flow */
	long long	 since_ms;	/* when this reason began */
	long long	 until_ms;
	char		 detail[RUNSTATE_DETAIL_MAX];
};

/* A daemon starts: lock, then write its state (calls flowing). */
int	 runstate_start(struct runstate *rs, int statedir, char *err,
	    size_t errsz);
/*
 * Calls pause for reason until until_ms (epoch ms; 0: not known), or
 * resume (reason NULL).  The file is rewritten only when this changes
 * what it says.
 */
int	 runstate_pause(struct runstate *rs, const char *reason,
	    long long until_ms, const char *detail, char *err, size_t errsz);
/* A daemon stops cleanly: its file removed, its lock released. */
void	 runstate_stop(struct runstate *rs);

struct runstate_info {
	int		 running;	/* a daemon holds the lock */
	long		 pid;		/* from the file; 0 when none */
	long long	 started_ms;
	char		 version[32];
	char		 reason[32];	/* "" when not paused */
	long long	 since_ms;	/* 0: not known */
	long long	 until_ms;
	char		 detail[RUNSTATE_DETAIL_MAX];
};

/* 1 with *ri filled, 0 when no daemon has left a file, -1 on error. */
int	 runstate_read(int statedir, struct runstate_info *ri, char *err,
	    size_t errsz);

#endif
