/*
 * date.c — civil-from-days and days-from-civil after Howard Hinnant's public-domain
 * algorithms (written out here from their description), plus strict RFC 3339 parsing.
 */
#include "lib/date.h"

#include <stdio.h>
#include <string.h>

int64_t date_days_from_civil(int64_t year, int month, int day)
{
    ASSERT(month >= 1 && month <= 12);
    ASSERT(day >= 1 && day <= 31);
    year -= month <= 2 ? 1 : 0;
    int64_t era = (year >= 0 ? year : year - 399) / 400;
    int64_t yoe = year - era * 400;
    int64_t mp = (month + 9) % 12;
    int64_t doy = (153 * mp + 2) / 5 + day - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

void date_civil_from_days(int64_t days, int64_t *year, int *month, int *day)
{
    ASSERT(year != NULL && month != NULL);
    ASSERT(day != NULL);
    days += 719468;
    int64_t era = (days >= 0 ? days : days - 146096) / 146097;
    int64_t doe = days - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    int64_t d = doy - (153 * mp + 2) / 5 + 1;
    int64_t m = mp < 10 ? mp + 3 : mp - 9;
    *year = yoe + era * 400 + (m <= 2 ? 1 : 0);
    *month = (int)m;
    *day = (int)d;
}

int64_t date_day_of_ms(int64_t ms)
{
    int64_t days = ms / DATE_MS_PER_DAY;
    if (ms % DATE_MS_PER_DAY < 0) {
        days -= 1;
    }
    return days;
}

int64_t date_day_start_ms(int64_t ms)
{
    return date_day_of_ms(ms) * DATE_MS_PER_DAY;
}

/* Writes value as width digits (zero-padded), then after; returns the end. */
static char *date_put_digits(char *p, int value, int width, char after)
{
    for (int i = width - 1; i >= 0; i--) {
        p[i] = (char)('0' + value % 10);
        value /= 10;
    }
    p[width] = after;
    return p + width + 1;
}

void date_format_rfc3339(int64_t ms, char out[DATE_RFC3339_LEN])
{
    ASSERT(out != NULL);
    int64_t days = date_day_of_ms(ms);
    int64_t in_day = ms - days * DATE_MS_PER_DAY;
    int64_t year = 0;
    int month = 0;
    int day = 0;
    date_civil_from_days(days, &year, &month, &day);
    int hour = (int)(in_day / 3600000);
    int minute = (int)(in_day / 60000 % 60);
    int second = (int)(in_day / 1000 % 60);
    int milli = (int)(in_day % 1000);
    if (year >= 0 && year <= 9999) {
        /* The years Ordo meets, written without parsing a format (every timestamp of every
         * response passes here). */
        char *p = out;
        p = date_put_digits(p, (int)year, 4, '-');
        p = date_put_digits(p, month, 2, '-');
        p = date_put_digits(p, day, 2, 'T');
        p = date_put_digits(p, hour, 2, ':');
        p = date_put_digits(p, minute, 2, ':');
        p = date_put_digits(p, second, 2, milli != 0 ? '.' : 'Z');
        if (milli != 0) {
            p = date_put_digits(p, milli, 3, 'Z');
        }
        *p = '\0';
        return;
    }
    if (milli != 0) {
        (void)snprintf(out, DATE_RFC3339_LEN, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", year,
                       month, day, hour, minute, second, milli);
    } else {
        (void)snprintf(out, DATE_RFC3339_LEN, "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", year,
                       month, day, hour, minute, second);
    }
}

void date_format_day(int64_t days, char out[DATE_DAY_LEN])
{
    ASSERT(out != NULL);
    int64_t year = 0;
    int month = 0;
    int day = 0;
    date_civil_from_days(days, &year, &month, &day);
    (void)snprintf(out, DATE_DAY_LEN, "%04" PRId64 "-%02d-%02d", year % 10000, month, day);
}

static bool date_digits(const char *s, size_t n, int *out)
{
    int value = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        value = value * 10 + (s[i] - '0');
    }
    *out = value;
    return true;
}

static int date_month_days(int64_t year, int month)
{
    static const int days[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return month == 2 && leap ? 29 : days[month - 1];
}

static enum err_code date_parse_ymd(const char *s, int64_t *days_out)
{
    int year = 0;
    int month = 0;
    int day = 0;
    if (!date_digits(s, 4, &year) || s[4] != '-' || !date_digits(s + 5, 2, &month) || s[7] != '-' ||
        !date_digits(s + 8, 2, &day)) {
        return ERR_INVALID;
    }
    if (year < 1970 || month < 1 || month > 12 || day < 1 || day > date_month_days(year, month)) {
        return ERR_INVALID;
    }
    *days_out = date_days_from_civil(year, month, day);
    return ERR_OK;
}

enum err_code date_parse_day(const char *s, int64_t *days_out)
{
    ASSERT(days_out != NULL);
    if (s == NULL || strlen(s) != 10) {
        return ERR_INVALID;
    }
    return date_parse_ymd(s, days_out);
}

static enum err_code date_parse_offset(const char *p, int64_t *offset_ms)
{
    if (strcmp(p, "Z") == 0 || strcmp(p, "z") == 0) {
        *offset_ms = 0;
        return ERR_OK;
    }
    int hours = 0;
    int minutes = 0;
    if ((p[0] != '+' && p[0] != '-') || strlen(p) != 6 || !date_digits(p + 1, 2, &hours) ||
        p[3] != ':' || !date_digits(p + 4, 2, &minutes) || hours > 23 || minutes > 59) {
        return ERR_INVALID;
    }
    int64_t value = ((int64_t)hours * 60 + minutes) * 60000;
    *offset_ms = p[0] == '-' ? -value : value;
    return ERR_OK;
}

enum err_code date_parse_rfc3339(const char *s, int64_t *ms_out)
{
    ASSERT(ms_out != NULL);
    int64_t days = 0;
    if (s == NULL || strlen(s) < 20 || date_parse_ymd(s, &days) != ERR_OK) {
        return ERR_INVALID;
    }
    int hour = 0;
    int minute = 0;
    int second = 0;
    if ((s[10] != 'T' && s[10] != 't') || !date_digits(s + 11, 2, &hour) || s[13] != ':' ||
        !date_digits(s + 14, 2, &minute) || s[16] != ':' || !date_digits(s + 17, 2, &second) ||
        hour > 23 || minute > 59 || second > 59) {
        return ERR_INVALID;
    }
    const char *p = s + 19;
    int64_t milli = 0;
    if (*p == '.') {
        p++;
        int scale = 100;
        const char *start = p;
        while (*p >= '0' && *p <= '9') {
            milli += (int64_t)(*p - '0') * scale;
            scale /= 10;
            p++;
        }
        if (p == start || p - start > 9) {
            return ERR_INVALID;
        }
    }
    int64_t offset_ms = 0;
    if (date_parse_offset(p, &offset_ms) != ERR_OK) {
        return ERR_INVALID;
    }
    *ms_out = days * DATE_MS_PER_DAY +
              ((int64_t)hour * 3600 + (int64_t)minute * 60 + second) * 1000 + milli - offset_ms;
    return ERR_OK;
}
