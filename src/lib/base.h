/*
 * base.h — what every Ordo file includes first: fixed-width integers, bool, always-on
 * assertions, MUST_CHECK and ARRAY_LEN. It holds no state and includes no I/O header.
 */
#ifndef ORDO_LIB_BASE_H
#define ORDO_LIB_BASE_H

#include <assert.h>
#include <inttypes.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* A fallible function's result must be looked at. */
#define MUST_CHECK __attribute__((warn_unused_result))

#define PRINTF_LIKE(fmt_index, args_index) __attribute__((format(printf, fmt_index, args_index)))

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/*
 * ASSERT stays on in every build: a broken invariant in an order system is worse than a
 * crash. It prints the expression, file and line, then aborts. Never assert on outside input.
 */
#define ASSERT(expr) ((expr) ? (void)0 : base_assert_fail(#expr, __FILE__, __LINE__, __func__))

/* For O(n) checks that would cost too much on a hot path in a release build. */
#ifdef ORDO_DEBUG
#define DEBUG_ASSERT(expr) ASSERT(expr)
#else
#define DEBUG_ASSERT(expr) ((void)0)
#endif

#define UNUSED(x) ((void)(x))

_Noreturn void base_assert_fail(const char *expr, const char *file, int line, const char *func);

#endif
