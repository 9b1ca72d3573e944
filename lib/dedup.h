/*
 * dedup: the responder's record of the events it has accepted, so that a
 * replay (the same webhook-id, or the same signed body) is answered with
 * the first event's id instead of being stored a second time.
 *
 * The record is the spool's seen/ directory, which belongs to the
 * responder: the responder's user alone writes there (under the privilege
 * split it is routehook:routehook 2770, like tmp/ and new/, and neither
 * the worker nor routehookctl ever looks in it).  One entry per accepted
 * event, a symbolic link
 *
 *	seen/<64 hex digits: SHA-256 of the identity>  ->  <spool id>
 *
 * whose own time (lstat) is when it was made.  A link says what it
 * points at in one readlink(2), is made atomically with symlink(2) (which
 * fails with EEXIST when the name is taken), and needs no data block on
 * the usual filesystems.  An entry older than the window is forgotten:
 * dedup_claim() replaces it, and the prune (at most once a minute per
 * process, and across processes through the time of seen/.prune) removes
 * it, so the record holds about (events a second) x (window) entries.
 *
 * Claiming works in two steps, so two copies of one request arriving
 * together store one event: dedup_claim() makes the entry pointing at
 * "." (in progress) before the event is spooled, dedup_commit() points
 * it at the spool id after, dedup_release() removes it when the spool
 * failed.  An entry left in progress by a crash is taken over after
 * DEDUP_BUSY_S.
 *
 * Not synced to disk: after a power cut the last seconds' entries may be
 * gone, and a replay of those events is stored again; ordering by the
 * event's own time still keeps it from undoing anything newer.
 *
 * Errors: -1 (or DEDUP_ERROR) with "seen/NAME: what: why" in err.
 * Thread-safe: one struct dedup serves every handler thread.
 */
#ifndef ROUTEHOOK_DEDUP_H
#define ROUTEHOOK_DEDUP_H

#include <stdatomic.h>
#include <stddef.h>

#define DEDUP_DIR	"seen"
#define DEDUP_NAME_LEN	64	/* hex SHA-256 */
#define DEDUP_BUSY_S	60	/* an entry in progress longer is abandoned */
#define DEDUP_PRUNE_S	60	/* how often the record is pruned */

struct dedup {
	int			 dirfd;		/* seen/, O_DIRECTORY */
	long			 window_s;
	atomic_llong		 next_prune;	/* epoch s; this process */
	atomic_uint		 seq;		/* temp names */
};

enum dedup_result {
	DEDUP_NEW,	/* claimed: commit or release it */
	DEDUP_SEEN,	/* accepted before; id holds the first event's id */
	DEDUP_BUSY,	/* the same event is being stored right now */
	DEDUP_ERROR
};

/*
 * The entry name of an identity: hex SHA-256 of kind, a NUL, and the
 * bytes ("webhook-id" and the id, "body" and the body).  Pure.
 */
void	 dedup_name(const char *kind, const void *data, size_t len,
	    char name[DEDUP_NAME_LEN + 1]);

/*
 * Open (making it when missing and we may) spool_root/seen/; entries
 * older than window_s seconds are forgotten.
 */
int	 dedup_open(struct dedup *d, const char *spool_root, long window_s,
	    char *err, size_t errsz);
void	 dedup_close(struct dedup *d);

enum dedup_result	 dedup_claim(struct dedup *d, const char *name,
			    long long now, char *id, size_t idsz, char *err,
			    size_t errsz);
int	 dedup_commit(struct dedup *d, const char *name, const char *id,
	    char *err, size_t errsz);
void	 dedup_release(struct dedup *d, const char *name);

/*
 * Remove every entry older than the window (and abandoned ones), now;
 * *removed counts them.  dedup_claim() calls it when one is due.
 */
int	 dedup_prune(struct dedup *d, long long now, long *removed,
	    char *err, size_t errsz);

#endif
