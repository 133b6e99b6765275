/*
 * base.c — the one function behind ASSERT: report the broken invariant and abort so that a
 * core dump or the sanitizer shows the stack. Nothing here may allocate.
 */
#include "lib/base.h"

#include <stdio.h>
#include <stdlib.h>

_Noreturn void base_assert_fail(const char *expr, const char *file, int line, const char *func)
{
    (void)fprintf(stderr, "ordo: assertion failed: %s (%s:%d in %s)\n", expr, file, line, func);
    (void)fflush(stderr);
    abort();
}
