/*
 * log.h — one-line log records on stderr: time, level, message. Thread-safe (one write per
 * record). No log call may be on a per-order hot path except for errors.
 */
#ifndef ORDO_LIB_LOG_H
#define ORDO_LIB_LOG_H

#include "lib/base.h"

void log_info(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_warn(const char *fmt, ...) PRINTF_LIKE(1, 2);
void log_error(const char *fmt, ...) PRINTF_LIKE(1, 2);

/* Silences log_info (for CLI commands whose output is read by scripts). */
void log_set_quiet(bool quiet);

#endif
