/*
 * log: one severity ladder for every routehook program (after Postfix's
 * msg.c and OpenBSD's log.c).
 *
 *	info	something a reader of the log wants to know
 *	warn	something went wrong, the program carries on
 *	fatal	the environment broke: log, then exit with the given status
 *
 * The plain forms append ": strerror(errno)"; the "x" forms do not.  Lines
 * go to stderr as "prog: level: message" (the web server or supervisor
 * collects them) or, after log_init(..., 1), to syslog(3) under LOG_DAEMON.
 * Nothing here ever fails: a message that cannot be written is lost.
 */
#ifndef ROUTEHOOK_LOG_H
#define ROUTEHOOK_LOG_H

#include <stdarg.h>

/* Exit codes a scheduler understands (qmail, Postfix, OpenSMTPD). */
#define EXIT_DONE	0	/* did its job */
#define EXIT_FOUND	1	/* did its job and found problems */
#define EXIT_PERM	100	/* usage or configuration error: do not retry */
#define EXIT_TEMP	111	/* temporary failure: try again later */

#if defined(__GNUC__)
#define LOG_PRINTF(f, a) __attribute__((format(printf, f, a)))
#define LOG_NORETURN __attribute__((noreturn))
#else
#define LOG_PRINTF(f, a)
#define LOG_NORETURN
#endif

void	log_init(const char *prog, int use_syslog);
void	log_info(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warn(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_warnx(const char *fmt, ...) LOG_PRINTF(1, 2);
void	log_fatal(int status, const char *fmt, ...) LOG_PRINTF(2, 3) LOG_NORETURN;
void	log_fatalx(int status, const char *fmt, ...) LOG_PRINTF(2, 3) LOG_NORETURN;

#endif
