/*
 * clock.c — the only place that reads time. Falls back to 0 only if the kernel refuses,
 * which an ASSERT turns into a crash rather than wrong timestamps.
 */
#include "lib/clock.h"

#include <time.h>

int64_t clock_now_ms(void)
{
    struct timespec ts;
    int rc = clock_gettime(CLOCK_REALTIME, &ts);
    ASSERT(rc == 0);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int64_t clock_monotonic_ns(void)
{
    struct timespec ts;
    int rc = clock_gettime(CLOCK_MONOTONIC, &ts);
    ASSERT(rc == 0);
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}
