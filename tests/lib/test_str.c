/*
 * test_str.c — goal: strict conversions accept exactly the documented forms and slices behave.
 * Method: edge cases of int64 parsing (limits, signs, spaces), UTF-8 cleanliness, tokens.
 */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "lib/str.h"

static enum err_code parse(const char *s, int64_t *out)
{
    return str_to_i64(str_from_cstr(s), out);
}

Test(str_to_i64, accepts)
{
    int64_t v = 0;
    cr_expect_eq(parse("0", &v), ERR_OK);
    cr_expect_eq(v, 0);
    cr_expect_eq(parse("42", &v), ERR_OK);
    cr_expect_eq(v, 42);
    cr_expect_eq(parse("-17", &v), ERR_OK);
    cr_expect_eq(v, -17);
    cr_expect_eq(parse("007", &v), ERR_OK);
    cr_expect_eq(v, 7);
    cr_expect_eq(parse("9223372036854775807", &v), ERR_OK);
    cr_expect_eq(v, INT64_MAX);
    cr_expect_eq(parse("-9223372036854775808", &v), ERR_OK);
    cr_expect_eq(v, INT64_MIN);
    struct str slice = {"123abc", 3};
    cr_expect_eq(str_to_i64(slice, &v), ERR_OK, "only the slice is read");
    cr_expect_eq(v, 123);
}

Test(str_to_i64, rejects)
{
    static const char *const bad[] = {
        "",
        "-",
        "+1",
        " 1",
        "1 ",
        "1.0",
        "1e3",
        "0x10",
        "--1",
        "- 1",
        "12a",
        "9223372036854775808",
        "-9223372036854775809",
        "99999999999999999999",
        "١",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        int64_t v = 1234;
        cr_expect_eq(parse(bad[i], &v), ERR_INVALID, "\"%s\"", bad[i]);
        cr_expect_eq(v, 1234, "out untouched on failure for \"%s\"", bad[i]);
    }
    int64_t v = 5;
    struct str empty = {NULL, 0};
    cr_expect_eq(str_to_i64(empty, &v), ERR_INVALID);
    struct str with_nul = {"1\0002", 3};
    cr_expect_eq(str_to_i64(with_nul, &v), ERR_INVALID);
}

Test(str_to_double, forms)
{
    double d = 0;
    cr_expect_eq(str_to_double(str_from_cstr("42.5"), &d), ERR_OK);
    cr_expect_eq(d, 42.5);
    cr_expect_eq(str_to_double(str_from_cstr("-71.06"), &d), ERR_OK);
    cr_expect_eq(str_to_double(str_from_cstr("1e3"), &d), ERR_OK);
    cr_expect_eq(d, 1000.0);
    cr_expect_eq(str_to_double(str_from_cstr(""), &d), ERR_INVALID);
    cr_expect_eq(str_to_double(str_from_cstr(" 1"), &d), ERR_INVALID);
    cr_expect_eq(str_to_double(str_from_cstr("nan"), &d), ERR_INVALID);
    cr_expect_eq(str_to_double(str_from_cstr("1e999"), &d), ERR_INVALID);
    cr_expect_eq(str_to_double(str_from_cstr("1.2.3"), &d), ERR_INVALID);
}

Test(str, slices_and_copy)
{
    cr_expect(str_eq(STR_LIT("abc"), str_from_cstr("abc")));
    cr_expect(!str_eq(STR_LIT("abc"), STR_LIT("abd")));
    cr_expect(str_eq_cstr(str_from_cstr(NULL), ""));
    cr_expect(str_starts_with(STR_LIT("/v1/orders"), "/v1/"));
    cr_expect(!str_starts_with(STR_LIT("/v"), "/v1/"));
    char dst[4];
    cr_expect_eq(str_copy(dst, sizeof(dst), "abcdef"), 6);
    cr_expect_str_eq(dst, "abc");
    cr_expect_eq(str_copy(dst, sizeof(dst), NULL), 0);
    cr_expect_str_eq(dst, "");
}

Test(str, clean_utf8)
{
    cr_expect(str_is_clean_utf8("plain", 5));
    cr_expect(str_is_clean_utf8("tab\there", 8));
    cr_expect(str_is_clean_utf8("Z\xc3\xbcrich", 7));
    cr_expect(str_is_clean_utf8("\xf0\x9f\x98\x80", 4));
    cr_expect(!str_is_clean_utf8("a\nb", 3));
    cr_expect(!str_is_clean_utf8("a\0b", 3));
    cr_expect(!str_is_clean_utf8("\x7f", 1));
    cr_expect(!str_is_clean_utf8("\xc3", 1), "truncated");
    cr_expect(!str_is_clean_utf8("\xc0\xaf", 2), "overlong");
    cr_expect(!str_is_clean_utf8("\xe0\x80\xaf", 3), "overlong");
    cr_expect(!str_is_clean_utf8("\xed\xa0\x80", 3), "surrogate");
    cr_expect(!str_is_clean_utf8("\xf4\x90\x80\x80", 4), "past U+10FFFF");
    cr_expect(!str_is_clean_utf8("\xff", 1));
}

Test(str, utf8_char_len)
{
    cr_expect_eq(str_utf8_char_len("a", 1), 1);
    cr_expect_eq(str_utf8_char_len("\xc3\xbc", 2), 2);
    cr_expect_eq(str_utf8_char_len("\xe2\x82\xac", 3), 3);
    cr_expect_eq(str_utf8_char_len("\xf0\x9f\x98\x80", 4), 4);
    cr_expect_eq(str_utf8_char_len("\xf0\x9f\x98\x80", 3), 0, "truncated by len");
    cr_expect_eq(str_utf8_char_len("\xff", 1), 0);
    cr_expect_eq(str_utf8_char_len("\x80", 1), 0, "a lone continuation byte");
    cr_expect_eq(str_utf8_char_len("\xed\xa0\x80", 3), 0, "surrogate");
    cr_expect_eq(str_utf8_char_len("", 0), 0);
}

Test(str, tokens)
{
    struct str rest = STR_LIT("a,,bc");
    cr_expect(str_eq_cstr(str_next_token(&rest, ','), "a"));
    cr_expect(str_eq_cstr(str_next_token(&rest, ','), ""));
    cr_expect(str_eq_cstr(str_next_token(&rest, ','), "bc"));
    cr_expect_eq(rest.len, 0);
    cr_expect(str_eq_cstr(str_next_token(&rest, ','), ""));
}

/* str_from_i64 writes what snprintf's "%" PRId64 writes, limits and signs included. */
Test(str, from_i64_matches_snprintf)
{
    static const int64_t values[] = {0,
                                     1,
                                     -1,
                                     9,
                                     10,
                                     -10,
                                     1001,
                                     INT32_MAX,
                                     INT32_MIN,
                                     INT64_MAX,
                                     INT64_MIN,
                                     INT64_MAX - 1,
                                     INT64_MIN + 1};
    for (size_t i = 0; i < ARRAY_LEN(values); i++) {
        char out[STR_I64_LEN];
        char want[32];
        int n = snprintf(want, sizeof(want), "%" PRId64, values[i]);
        cr_assert_eq(str_from_i64(out, values[i]), (size_t)n);
        cr_assert_str_eq(out, want);
    }
    uint64_t x = 88172645463325252ULL; /* xorshift: many magnitudes */
    for (int i = 0; i < 100000; i++) {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        int64_t value = (int64_t)(x >> (x % 64));
        value = (x & 1) != 0 ? -value : value;
        char out[STR_I64_LEN];
        char want[32];
        int n = snprintf(want, sizeof(want), "%" PRId64, value);
        cr_assert_eq(str_from_i64(out, value), (size_t)n);
        cr_assert_str_eq(out, want);
    }
}
