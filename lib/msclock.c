/* msclock: see msclock.h. */
#include <time.h>

#include "msclock.h"

long long
msclock_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

long long
msclock_real(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_REALTIME, &t) == -1)
		return (long long)time(NULL) * 1000;
	return msclock_of(&t);
}

long long
msclock_mono(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_MONOTONIC, &t) == -1)
		return msclock_real();
	return msclock_of(&t);
}
