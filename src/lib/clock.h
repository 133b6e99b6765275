/*
 * clock.h — reading the real clock. core never includes this: times are passed into core
 * as arguments so that tests can fake them.
 */
#ifndef ORDO_LIB_CLOCK_H
#define ORDO_LIB_CLOCK_H

#include "lib/base.h"

/* Wall-clock time, milliseconds since the epoch (UTC). */
int64_t clock_now_ms(void);

/* Monotonic time in nanoseconds, for measuring durations. */
int64_t clock_monotonic_ns(void);

#endif
