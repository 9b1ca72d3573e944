/*
 * audit: one JSON line per outcome of an event, appended to audit.file
 * with a single write(2) on an O_APPEND descriptor, so that concurrent
 * writers never interleave and `tail -f | jq` always sees whole lines.
 *
 * A line keeps the tutorial's fields and adds routehook's own:
 *	{"event_id","timestamp","latency_ms","success","sla_compliant",
 *	 "payload_summary":{"eventType","userId"},
 *	 "outcome":"applied|deferred|dead|superseded|ignored|unchanged",
 *	 "attempt","http_status",
 *	 "error", "next_attempt" (deferred only)}
 * No secret and no event body ever goes into a line.
 */
#ifndef ROUTEHOOK_AUDIT_H
#define ROUTEHOOK_AUDIT_H

#include <stddef.h>
#include <time.h>

#define AUDIT_LINE_MAX	4096

struct audit_record {
	const char		*event_id;
	const char		*outcome;	/* "applied", "deferred", ... */
	int			 success;	/* all but deferred and dead */
	struct timespec		 now;		/* when the outcome happened */
	long long		 latency_ms;	/* receipt to now */
	long			 sla_threshold_ms;
	const char		*event_type;	/* NULL or "" when unknown */
	const char		*user_id;
	int			 attempt;
	int			 http_status;	/* 0: no answer */
	const char		*error;		/* NULL when none */
	const struct timespec	*next_attempt;	/* NULL unless deferred */
};

/* The line, with its '\n'; returns its length or -1 if it does not fit. */
int	 audit_format(const struct audit_record *r, char *buf, size_t bufsz);

/* Open path for appending (O_APPEND|O_CREAT, 0640); a descriptor or -1. */
int	 audit_open(const char *path, char *err, size_t errsz);

/*
 * One write(2) of the whole line; -1 on error or a short write (ENOSPC),
 * whose part written is taken back while it is still the file's end.
 */
int	 audit_write(int fd, const char *line, size_t len);

#endif
