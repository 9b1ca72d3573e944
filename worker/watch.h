/*
 * watch: inotify on the spool, so the daemon wakes when there is work.
 *
 *	new/		IN_MOVED_TO (the responder's rename from tmp/) and
 *			IN_CLOSE_WRITE (a file written in place, once whole)
 *	deferred/	IN_ATTRIB only: `touch` to retry an event now.  Files
 *			moved in are deferrals, not due yet: the worker that
 *			made one wakes for it itself, and the others see it
 *			at their next scan of deferred/.
 *
 * Only "something happened in DIR" is reported: the worker rescans rather
 * than trust names, so an overflowed queue (IN_Q_OVERFLOW) costs nothing
 * but a full scan.
 */
#ifndef ROUTEHOOK_WATCH_H
#define ROUTEHOOK_WATCH_H

#include <stddef.h>

#include "spool.h"

#define WATCH_NEW	0x1	/* the same bits as DRAIN_NEW, DRAIN_DEFERRED */
#define WATCH_DEFERRED	0x2

struct watch {
	int	 fd;
	int	 wd_new;
	int	 wd_deferred;
};

/*
 * A non-blocking inotify descriptor in w->fd, on the spool at root; -1
 * with err filled.
 */
int	 watch_open(struct watch *w, const char *root, char *err,
	    size_t errsz);
void	 watch_close(struct watch *w);

/* Read everything queued: the WATCH_* bits seen, 0 if none, -1 on error. */
int	 watch_drain(struct watch *w);

#endif
