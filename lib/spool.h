/*
 * spool: the maildir-style queue between the responder and the worker.
 *
 *	SPOOL/tmp/	being written; never read by anyone else
 *	SPOOL/new/	accepted, fsync'd, waiting for the worker
 *	SPOOL/cur/	claimed by a worker, call in flight
 *	SPOOL/deferred/	waiting for a retry; the file's mtime is when
 *	SPOOL/dead/	could not be applied; kept byte for byte
 *	SPOOL/hold/	set aside by the operator (routehookctl queue hold):
 *			never claimed, kept until released into new/;
 *			made on first use, so it may be missing
 *	SPOOL/state/	the spool owner's small files (state.h)
 *
 * Who touches what (routehook(7) says the same to administrators):
 *
 *	routehook-fcgi	creates tmp/ID, renames it into new/ (spool_commit);
 *			may count cur/ deferred/ dead/; cannot enter state/
 *	routehook-worker claims new/ and deferred/ into cur/ (spool_claim),
 *			moves cur/ on to deferred/ or dead/ or removes it,
 *			returns a dead worker's cur/ to new/ and removes
 *			stale tmp/ (spool_recover); never touches hold/
 *	routehookctl	reads everything; moves dead/ back to new/ and
 *			removes dead/ files; moves new/ and deferred/ to
 *			hold/ and back, and sets a deferred/ file's mtime
 *			(queue); state/ only through state.h
 *
 * A file holds exactly the bytes received.  Its name, a maildir unique name
 * "<sec>.M<usec>P<pid>Q<seq>.<host>" taken from one clock read at receipt,
 * is the event id everywhere and never changes: state is the directory the
 * file sits in, and every change of state is one rename(2).
 *
 * Claiming (after Postfix's qmgr and pickup): a worker opens from/ID
 * (refusing anything but a regular file), takes flock(2) LOCK_EX|LOCK_NB
 * on it and, for a file the responder's user dropped (anything in new/),
 * reads it once from that descriptor and writes the bytes as cur/ID, a
 * new file of the worker's in a directory the responder cannot write,
 * before removing from/ID; a deferred/ file of its own is simply renamed
 * into cur/.  The responder's user can therefore never change, replace or
 * remove an event once it is claimed, and nothing but a regular file
 * enters cur/, deferred/ or dead/.  The claim's lock is on cur/ID and
 * lives as long as the worker's descriptor, so a file in cur/ whose lock
 * can be taken belongs to a dead worker and spool_recover() returns it to
 * new/.  ENOENT or a held lock means another worker won: normal, not an
 * error.
 *
 * Errors: functions return 0 or -1 and fill the caller's err buffer with a
 * sentence naming the path; errno is preserved for the caller to test.
 */
#ifndef ROUTEHOOK_SPOOL_H
#define ROUTEHOOK_SPOOL_H

#include <dirent.h>
#include <stddef.h>
#include <time.h>

enum spool_dir {
	SPOOL_TMP, SPOOL_NEW, SPOOL_CUR, SPOOL_DEFERRED, SPOOL_DEAD,
	SPOOL_STATE, SPOOL_HOLD, SPOOL_NDIRS
};

#define SPOOL_ID_MAX	256	/* bytes in an id, with the NUL */

struct spool {
	char	*root;
	int	 fd[SPOOL_NDIRS];	/* O_DIRECTORY descriptors */
	int	 fsync;			/* fsync files and directories */
};

struct spool_count {
	long	 n;
	time_t	 oldest;		/* receipt time of the oldest; 0 if n == 0 */
};

/* Streaming directory scan: memory does not grow with the directory. */
struct spool_scan {
	DIR	*dir;
};

/* "tmp", "new", ... */
const char	*spool_dir_name(enum spool_dir d);

/*
 * Open the spool at root.  With create, missing directories are made:
 * root 0750, tmp/ and new/ 0770 (the responder's group drops files there),
 * cur/ deferred/ dead/ 0750, state/ 0700 (the worker's alone); the umask
 * still applies, so an installer sets the modes it wants explicitly.
 * When state/ exists but may not be opened (EACCES: the responder's user
 * under the privilege split), fd[SPOOL_STATE] stays -1; so does
 * fd[SPOOL_HOLD] while hold/ does not exist (spool_make_dir() makes it).
 */
int	 spool_open(struct spool *sp, const char *root, int create,
	    int do_fsync, char *err, size_t errsz);
void	 spool_close(struct spool *sp);

/*
 * A new unique name for an event received at *when (thread-safe: the
 * sequence number is shared by all threads of the process).  Returns the
 * length, or -1 if buf is too small.
 */
int	 spool_make_id(char *buf, size_t bufsz, const struct timespec *when);

/* Nonzero when id has the shape spool_make_id() gives (no '/', no "..") */
int	 spool_id_valid(const char *id);

/* The receipt time encoded at the start of id; -1 if id is not ours. */
int	 spool_id_time(const char *id, struct timespec *when);

/*
 * Durably store an event: create tmp/ID with O_EXCL, write all, fsync,
 * close (checked), rename into new/, fsync new/.  On any failure the temp
 * file is unlinked and nothing is left anywhere.  id receives the name.
 */
int	 spool_commit(struct spool *sp, const void *data, size_t len,
	    char *id, size_t idsz, char *err, size_t errsz);

/*
 * Claim from->ID into cur/ (see above).  Returns the locked descriptor
 * (>= 0), -1 on error, or -2 when another worker holds or already moved it.
 * The caller keeps the descriptor open until the event leaves cur/.
 */
int	 spool_claim(struct spool *sp, enum spool_dir from, const char *id,
	    char *err, size_t errsz);

/* rename(from/ID, to/ID), then fsync to/ when fsync is on. */
int	 spool_move(struct spool *sp, const char *id, enum spool_dir from,
	    enum spool_dir to, char *err, size_t errsz);

/* Make d (hold/) when it is missing, and open it: 0 or -1. */
int	 spool_make_dir(struct spool *sp, enum spool_dir d, char *err,
	    size_t errsz);

/*
 * deferred/ID due now (postqueue -f): its mtime, the time of its next
 * attempt, set to now.  The daemon sees the change (inotify IN_ATTRIB).
 */
int	 spool_due_now(struct spool *sp, const char *id, char *err,
	    size_t errsz);

/* Move cur/ID to deferred/ID with mtime set to when (the next attempt). */
int	 spool_defer(struct spool *sp, const char *id, const struct timespec *when,
	    char *err, size_t errsz);

/* Read dir/ID whole into a malloc'd buffer of at most max bytes. */
int	 spool_read(struct spool *sp, enum spool_dir d, const char *id,
	    size_t max, char **data, size_t *len, char *err, size_t errsz);

int	 spool_unlink(struct spool *sp, enum spool_dir d, const char *id,
	    char *err, size_t errsz);

/*
 * At worker start: cur/ files whose lock is free go back to new/; tmp/
 * files older than tmp_max_age seconds are removed.  Counts what it did.
 */
int	 spool_recover(struct spool *sp, time_t tmp_max_age, long *returned,
	    long *removed, char *err, size_t errsz);

int	 spool_scan_open(struct spool *sp, enum spool_dir d, struct spool_scan *s);
/* Next id in no particular order; NULL at the end.  Skips dot files. */
const char	*spool_scan_next(struct spool_scan *s);
void	 spool_scan_close(struct spool_scan *s);

/* Count files in d and the receipt time of the oldest. */
int	 spool_count(struct spool *sp, enum spool_dir d, struct spool_count *cnt,
	    char *err, size_t errsz);

#endif
