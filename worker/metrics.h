/*
 * metrics: the worker's counters as one small JSON object in
 * worker.metrics_file, for monitoring to read:
 *
 *	{"pid","mode","started","updated","claimed","applied","superseded",
 *	 "deferred","dead","putback","calls","answered"}
 *
 * Counts are this process's, since it started (a --once run's file says
 * what that run did).  The file is written whole to a temp name beside it
 * and renamed, so a reader never sees half of one.
 */
#ifndef ROUTEHOOK_METRICS_H
#define ROUTEHOOK_METRICS_H

#include <stddef.h>
#include <time.h>

#include "drain.h"

/* The object, with its '\n'; its length, or -1 if it does not fit. */
int	 metrics_format(const struct worker_stats *s, const char *mode,
	    long pid, time_t started, time_t now, char *buf, size_t bufsz);

/* Write it to path; -1 with err filled. */
int	 metrics_write(const char *path, const struct worker_stats *s,
	    const char *mode, time_t started, char *err, size_t errsz);

#endif
