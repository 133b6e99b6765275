/*
 * log.c — formats a whole record into a stack buffer and writes it with one write(2), so
 * records from several threads never interleave.
 */
#include "lib/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <unistd.h>

#include "lib/clock.h"
#include "lib/date.h"

static bool log_quiet;

void log_set_quiet(bool quiet)
{
    log_quiet = quiet;
}

static void log_write(const char *level, const char *fmt, va_list ap)
{
    char line[1024];
    char when[DATE_RFC3339_LEN];
    date_format_rfc3339(clock_now_ms(), when);
    int n = snprintf(line, sizeof(line), "%s %s ", when, level);
    if (n < 0) {
        return;
    }
    int m = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    if (m < 0) {
        return;
    }
    size_t len = (size_t)n + (size_t)m;
    if (len > sizeof(line) - 2) {
        len = sizeof(line) - 2;
    }
    line[len++] = '\n';
    ssize_t written = write(STDERR_FILENO, line, len);
    UNUSED(written);
}

void log_info(const char *fmt, ...)
{
    if (log_quiet) {
        return;
    }
    va_list ap;
    va_start(ap, fmt);
    log_write("info", fmt, ap);
    va_end(ap);
}

void log_warn(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_write("warn", fmt, ap);
    va_end(ap);
}

void log_error(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_write("error", fmt, ap);
    va_end(ap);
}
