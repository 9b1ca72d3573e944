/*
 * log: see log.h.  Formats once into a stack buffer (with err_setv(), so
 * the strerror text comes from the thread-safe strerror_r) and hands the line to
 * stderr with a single write(2) (so lines from threads and processes sharing
 * one stderr never interleave) or to syslog(3).
 *
 * Every message is escaped whole with vis_mem() before it leaves: its
 * arguments are often names and texts chosen by someone else (a spool
 * file name, a request path, what Genesys answered), and escaping here,
 * once, means no caller can forget to.  A newline in a message can then
 * never start a forged line, nor an escape sequence reach a terminal
 * that shows the log.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include "err.h"
#include "log.h"
#include "vis.h"

static const char *log_prog = "routehook";
static int log_syslog;

void
log_init(const char *prog, int use_syslog)
{
	log_prog = prog;
	log_syslog = use_syslog;
	if (use_syslog)
		openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

static void
log_emit(int prio, const char *level, int saved_errno, const char *fmt,
    va_list ap)
{
	char msg[1024], safe[2048], line[2200];
	int n;

	/* The same sentence an err_set_sys() caller would have been given. */
	err_setv(msg, sizeof(msg), saved_errno, fmt, ap);
	(void)vis_str(safe, sizeof(safe), msg);
	if (log_syslog) {
		syslog(prio, "%s%s%s", level ? level : "", level ? ": " : "",
		    safe);
		return;
	}
	n = snprintf(line, sizeof(line), "%s: %s%s%s\n", log_prog,
	    level ? level : "", level ? ": " : "", safe);
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line)) {
		n = sizeof(line) - 1;
		line[n - 1] = '\n';
	}
	/* A lost log line is not worth failing over. */
	if (write(STDERR_FILENO, line, (size_t)n) < 0)
		return;
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_INFO, NULL, -1, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning", saved, fmt, ap);
	va_end(ap);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_WARNING, "warning", -1, fmt, ap);
	va_end(ap);
}

void
log_fatal(int status, const char *fmt, ...)
{
	int saved = errno;
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal", saved, fmt, ap);
	va_end(ap);
	exit(status);
}

void
log_fatalx(int status, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_emit(LOG_CRIT, "fatal", -1, fmt, ap);
	va_end(ap);
	exit(status);
}
