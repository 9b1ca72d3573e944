/*
 * sig: see sig.h.  The handlers only set a flag and write one byte to a
 * non-blocking pipe (a full pipe already says "wake up"), saving errno.
 * sig_init() fails when the pipe or a handler cannot be set up.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "err.h"
#include "sig.h"

static int sig_pipe[2] = { -1, -1 };
static volatile sig_atomic_t sig_flags_stop, sig_flags_reopen;

static void
sig_handler(int signo)
{
	int saved = errno;
	char c = 0;

	if (signo == SIGHUP)
		sig_flags_reopen = 1;
	else
		sig_flags_stop = 1;
	if (write(sig_pipe[1], &c, 1) == -1) {
		/* EAGAIN: the pipe is full, the reader wakes anyway. */
	}
	errno = saved;
}

static int
sig_nonblock(int fd)
{
	int fl;

	if ((fl = fcntl(fd, F_GETFL)) == -1 ||
	    fcntl(fd, F_SETFL, fl | O_NONBLOCK) == -1 ||
	    fcntl(fd, F_SETFD, FD_CLOEXEC) == -1)
		return -1;
	return 0;
}

int
sig_init(char *err, size_t errsz)
{
	struct sigaction sa;

	if (pipe(sig_pipe) == -1 || sig_nonblock(sig_pipe[0]) == -1 ||
	    sig_nonblock(sig_pipe[1]) == -1) {
		err_set_sys(err, errsz, "signal pipe");
		return -1;
	}
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = sig_handler;
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGTERM, &sa, NULL) == -1 ||
	    sigaction(SIGINT, &sa, NULL) == -1 ||
	    sigaction(SIGHUP, &sa, NULL) == -1) {
		err_set_sys(err, errsz, "sigaction");
		return -1;
	}
	sa.sa_handler = SIG_IGN;
	if (sigaction(SIGPIPE, &sa, NULL) == -1) {
		err_set_sys(err, errsz, "sigaction");
		return -1;
	}
	return 0;
}

int
sig_fd(void)
{
	return sig_pipe[0];
}

int
sig_take(void)
{
	char buf[64];
	int r = 0;

	/* The handler sets a flag before it writes: no flag, nothing to read. */
	if (!sig_flags_stop && !sig_flags_reopen)
		return 0;
	if (sig_pipe[0] != -1)
		while (read(sig_pipe[0], buf, sizeof(buf)) > 0)
			continue;
	if (sig_flags_stop)
		r |= WSIG_STOP;
	if (sig_flags_reopen) {
		sig_flags_reopen = 0;
		r |= WSIG_REOPEN;
	}
	return r;
}
