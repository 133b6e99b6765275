/*
 * date.h — pure calendar arithmetic on UTC times in milliseconds since the epoch: civil
 * dates, RFC 3339 formatting and parsing. It never reads the clock (see clock.h), so core
 * may use it.
 */
#ifndef ORDO_LIB_DATE_H
#define ORDO_LIB_DATE_H

#include "lib/base.h"
#include "lib/err.h"

#define DATE_MS_PER_DAY  86400000LL
#define DATE_RFC3339_LEN 32 /* buffer size for "2026-11-29T10:15:00.123Z" and NUL */
#define DATE_DAY_LEN                                                                               \
    32 /* buffer size for "2026-11-29" and NUL, with room the compiler can prove                   \
        */

/* Days since 1970-01-01 of a civil date (proleptic Gregorian). */
int64_t date_days_from_civil(int64_t year, int month, int day);

/* The civil date of a day number. */
void date_civil_from_days(int64_t days, int64_t *year, int *month, int *day);

/* Day number of a time (floor division, correct before 1970). */
int64_t date_day_of_ms(int64_t ms);

/* The first millisecond of the UTC day of ms (a day's daily capacity counts from it). */
int64_t date_day_start_ms(int64_t ms);

/* "2026-11-29T10:15:00Z", or with milliseconds when ms % 1000 != 0 ("...:00.123Z"). */
void date_format_rfc3339(int64_t ms, char out[DATE_RFC3339_LEN]);

/* "2026-11-29" of a day number. */
void date_format_day(int64_t days, char out[DATE_DAY_LEN]);

/*
 * Parses an RFC 3339 time with a 'Z' or numeric offset, optional fraction (up to ms kept).
 * ERR_INVALID when malformed or out of range (years 1970..9999).
 */
MUST_CHECK enum err_code date_parse_rfc3339(const char *s, int64_t *ms_out);

/* Parses "YYYY-MM-DD" strictly (valid month/day) into a day number. */
MUST_CHECK enum err_code date_parse_day(const char *s, int64_t *days_out);

#endif
