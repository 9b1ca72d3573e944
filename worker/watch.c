/*
 * watch: see watch.h.  watch_open() fails when inotify is not available
 * or a watch cannot be added (ENOSPC: fs.inotify.max_user_watches), and
 * says so; the daemon cannot run without it.
 */
#include <sys/inotify.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "watch.h"

static int
watch_add(struct watch *w, const char *root, enum spool_dir d,
    unsigned mask, char *err, size_t errsz)
{
	char path[4096];
	int wd;

	snprintf(path, sizeof(path), "%s/%s", root, spool_dir_name(d));
	if ((wd = inotify_add_watch(w->fd, path, mask | IN_ONLYDIR)) == -1)
		err_set_sys(err, errsz, "inotify on %s", path);
	return wd;
}

int
watch_open(struct watch *w, const char *root, char *err, size_t errsz)
{
	w->wd_new = w->wd_deferred = -1;
	if ((w->fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) == -1) {
		err_set_sys(err, errsz, "inotify");
		return -1;
	}
	if ((w->wd_new = watch_add(w, root, SPOOL_NEW,
	    IN_MOVED_TO | IN_CLOSE_WRITE, err, errsz)) == -1 ||
	    (w->wd_deferred = watch_add(w, root, SPOOL_DEFERRED, IN_ATTRIB, err,
	    errsz)) == -1) {
		watch_close(w);
		return -1;
	}
	return 0;
}

void
watch_close(struct watch *w)
{
	if (w->fd != -1)
		close(w->fd);
	w->fd = -1;
}

int
watch_drain(struct watch *w)
{
	char buf[8192]
	    __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t n, off;
	int bits = 0;

	for (;;) {
		n = read(w->fd, buf, sizeof(buf));
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1)
			return errno == EAGAIN ? bits : -1;
		if (n == 0)
			return bits;
		for (off = 0; off + (ssize_t)sizeof(*ev) <= n;
		    off += (ssize_t)sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)(void *)(buf + off);
			if (ev->mask & IN_Q_OVERFLOW)
				bits |= WATCH_NEW | WATCH_DEFERRED;
			else if (ev->wd == w->wd_new)
				bits |= WATCH_NEW;
			else if (ev->wd == w->wd_deferred)
				bits |= WATCH_DEFERRED;
		}
	}
}
