/*
 * test_date.c — goal: civil-date arithmetic and RFC 3339 text round-trip, and malformed text is
 * refused. Method: a day-by-day sweep across four centuries, known instants, a list of bad
 * strings.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>

#include "lib/date.h"

Test(date, civil_round_trip_every_day)
{
    int64_t start = date_days_from_civil(1900, 1, 1);
    int64_t end = date_days_from_civil(2400, 12, 31);
    int64_t prev_year = 1900;
    for (int64_t days = start; days <= end; days++) {
        int64_t y = 0;
        int m = 0;
        int d = 0;
        date_civil_from_days(days, &y, &m, &d);
        cr_assert_eq(date_days_from_civil(y, m, d), days);
        cr_assert(y == prev_year || y == prev_year + 1);
        prev_year = y;
    }
    cr_expect_eq(date_days_from_civil(1970, 1, 1), 0);
    cr_expect_eq(date_days_from_civil(2000, 3, 1) - date_days_from_civil(2000, 2, 28), 2);
    cr_expect_eq(date_days_from_civil(1900, 3, 1) - date_days_from_civil(1900, 2, 28), 1);
    cr_expect_eq(date_day_of_ms(-1), -1, "floor before the epoch");
    cr_expect_eq(date_day_of_ms(DATE_MS_PER_DAY - 1), 0);
    cr_expect_eq(date_day_start_ms(DATE_MS_PER_DAY + 5), DATE_MS_PER_DAY);
    cr_expect_eq(date_day_start_ms(-1), -DATE_MS_PER_DAY, "floor before the epoch");
}

Test(date, rfc3339_round_trip)
{
    static const char *const texts[] = {
        "1970-01-01T00:00:00Z",     "2026-11-29T10:15:00Z", "2026-11-29T10:15:00.123Z",
        "2024-02-29T23:59:59.999Z", "9999-12-31T23:59:59Z",
    };
    for (size_t i = 0; i < ARRAY_LEN(texts); i++) {
        int64_t ms = -1;
        cr_assert_eq(date_parse_rfc3339(texts[i], &ms), ERR_OK, "%s", texts[i]);
        char out[DATE_RFC3339_LEN];
        date_format_rfc3339(ms, out);
        cr_expect_str_eq(out, texts[i]);
    }
    int64_t ms = 0;
    cr_assert_eq(date_parse_rfc3339("2026-11-29T12:15:00+02:00", &ms), ERR_OK);
    int64_t utc = 0;
    cr_assert_eq(date_parse_rfc3339("2026-11-29T10:15:00Z", &utc), ERR_OK);
    cr_expect_eq(ms, utc);
    cr_assert_eq(date_parse_rfc3339("2026-11-29T10:15:00.5z", &ms), ERR_OK);
    cr_expect_eq(ms, utc + 500);
    cr_assert_eq(date_parse_rfc3339("2026-11-29t10:15:00.123456789Z", &ms), ERR_OK);
    cr_expect_eq(ms, utc + 123, "digits past milliseconds are dropped");
}

/* Every instant formats as snprintf would write it (the fast path for years 0000 to 9999, and
 * the years around and beyond it). */
Test(date, rfc3339_format_matches_snprintf)
{
    uint64_t x = 2463534242ULL;
    for (int i = 0; i < 200000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        /* within +-400,000 years of the epoch, whole seconds one time in four */
        int64_t ms = (int64_t)(x % 25000000000000000ULL) - 12500000000000000LL;
        if (i % 4 == 0) {
            ms -= ms % 1000;
        }
        int64_t days = date_day_of_ms(ms);
        int64_t in_day = ms - days * DATE_MS_PER_DAY;
        int64_t y = 0;
        int m = 0;
        int d = 0;
        date_civil_from_days(days, &y, &m, &d);
        char want[64];
        int milli = (int)(in_day % 1000);
        if (milli != 0) {
            snprintf(want, sizeof(want), "%04" PRId64 "-%02d-%02dT%02d:%02d:%02d.%03dZ", y, m, d,
                     (int)(in_day / 3600000), (int)(in_day / 60000 % 60), (int)(in_day / 1000 % 60),
                     milli);
        } else {
            snprintf(want, sizeof(want), "%04" PRId64 "-%02d-%02dT%02d:%02d:%02dZ", y, m, d,
                     (int)(in_day / 3600000), (int)(in_day / 60000 % 60),
                     (int)(in_day / 1000 % 60));
        }
        char out[DATE_RFC3339_LEN];
        date_format_rfc3339(ms, out);
        cr_assert_str_eq(out, want, "ms %" PRId64, ms);
    }
}

Test(date, rfc3339_failures)
{
    static const char *const bad[] = {
        "",
        "2026-11-29",
        "2026-11-29T10:15:00",
        "2026-11-29 10:15:00Z",
        "2026-13-01T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2026-11-31T00:00:00Z",
        "2026-11-29T24:00:00Z",
        "2026-11-29T10:60:00Z",
        "2026-11-29T10:15:60Z",
        "2026-11-29T10:15:00.Z",
        "2026-11-29T10:15:00+2:00",
        "2026-11-29T10:15:00+02:00x",
        "1969-12-31T23:59:59Z",
        "2026-11-29T10:15:00.1234567890Z",
        "20261129T101500Z",
        "2026-11-29T10:15:00ZZ",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t ms = 77;
        cr_expect_eq(date_parse_rfc3339(bad[i], &ms), ERR_INVALID, "\"%s\"", bad[i]);
        cr_expect_eq(ms, 77);
    }
    int64_t ms = 0;
    cr_expect_eq(date_parse_rfc3339(NULL, &ms), ERR_INVALID);
}

Test(date, day_round_trip_and_failures)
{
    int64_t days = 0;
    cr_assert_eq(date_parse_day("2026-12-03", &days), ERR_OK);
    char out[DATE_DAY_LEN];
    date_format_day(days, out);
    cr_expect_str_eq(out, "2026-12-03");
    cr_expect_eq(date_parse_day("2024-02-29", &days), ERR_OK);
    static const char *const bad[] = {"2023-02-29", "2026-12-3",  "2026/12/03", "2026-12-03Z",
                                      "",           "1969-12-31", "2026-00-10", "abcd-ef-gh"};
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t d = 5;
        cr_expect_eq(date_parse_day(bad[i], &d), ERR_INVALID, "\"%s\"", bad[i]);
        cr_expect_eq(d, 5);
    }
}
