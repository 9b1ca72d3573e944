/*
 * msclock: the one millisecond clock of every routehook program.
 *
 *	msclock_mono()	for waits and deadlines: never jumps with the
 *			wall clock, meaningless across processes
 *	msclock_real()	for what is written down or compared with files:
 *			mtimes, audit timestamps, Retry-After instants
 *
 * Neither fails: CLOCK_MONOTONIC and CLOCK_REALTIME exist on every
 * POSIX.1-2008 system, and clock_gettime(2) can only fail with EINVAL or
 * EFAULT, which would be bugs here; should it fail anyway, the real clock
 * falls back on time(2) and the monotonic one on the real one.
 */
#ifndef ROUTEHOOK_MSCLOCK_H
#define ROUTEHOOK_MSCLOCK_H

#include <time.h>

long long	 msclock_mono(void);
long long	 msclock_real(void);
/* A timespec (an mtime, say) in the same milliseconds. */
long long	 msclock_of(const struct timespec *t);
/* The real clock as a timespec, for what is stored as one (file times). */
struct timespec	 msclock_real_ts(void);

#endif
