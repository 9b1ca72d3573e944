/* msclock: see msclock.h. */
#include <time.h>

#include "msclock.h"

long long
msclock_of(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000 + t->tv_nsec / 1000000;
}

struct timespec
msclock_real_ts(void)
{
	struct timespec t;

	if (clock_gettime(CLOCK_REALTIME, &t) == -1) {
		t.tv_sec = time(NULL);
		t.tv_nsec = 0;
	}
	return t;
}

long long
msclock_real(void)
{
	struct timespec t = msclock_real_ts();

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
