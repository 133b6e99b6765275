/*
 * test_text.c — goal: any UTF-8 a channel sends (names, addresses, SKUs) becomes text the
 * base-14 fonts can draw without crashing or garbling, and amounts print with their
 * currency's exponent. Method: direct calls on Latin-1, cp1252 extras, Latin Extended-A,
 * scripts outside cp1252, broken UTF-8 and the edges of int64.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "docs/docs.h"

static const char *winansi(const char *text)
{
    static char out[DOCS_TEXT_LEN_MAX];
    docs_text_winansi(text, out, sizeof(out));
    return out;
}

Test(text, latin1_maps_one_to_one)
{
    cr_expect_str_eq(winansi("Jos\xC3\xA9 M\xC3\xBCller"), "Jos\xE9 M\xFCller");
    cr_expect_str_eq(winansi("SO-1001 ok"), "SO-1001 ok");
    cr_expect_str_eq(winansi(NULL), "");
    cr_expect_str_eq(winansi(""), "");
}

Test(text, cp1252_extras)
{
    /* € Œ Š “ ” – */
    cr_expect_str_eq(winansi("\xE2\x82\xAC \xC5\x92\xC5\xA0 \xE2\x80\x9C\xE2\x80\x9D\xE2\x80\x93"),
                     "\x80 \x8C\x8A \x93\x94\x96");
}

Test(text, latin_extended_a_loses_accents)
{
    /* Łódź, Dvořák, Őrség */
    cr_expect_str_eq(winansi("\xC5\x81\xC3\xB3\x64\xC5\xBA"), "L\xF3"
                                                              "dz");
    cr_expect_str_eq(winansi("Dvo\xC5\x99\xC3\xA1k"), "Dvor\xE1k");
    cr_expect_str_eq(winansi("\xC5\x90rs\xC3\xA9g"), "Ors\xE9g");
}

Test(text, other_scripts_and_broken_input_become_question_marks)
{
    cr_expect_str_eq(winansi("\xE6\x97\xA5\xE6\x9C\xAC"), "??"); /* 日本 */
    cr_expect_str_eq(winansi("\xF0\x9F\x98\x80!"), "?!");        /* emoji */
    cr_expect_str_eq(winansi("a\xC3"), "a?");                    /* cut sequence */
    cr_expect_str_eq(winansi("\xC0\xAF"), "??");                 /* overlong '/' */
    cr_expect_str_eq(winansi("\xED\xA0\x80x"), "???x");          /* a surrogate */
    cr_expect_str_eq(winansi("a\x01\tb\x7F"), "a? b?");          /* controls */
    cr_expect_str_eq(winansi("\xC2\x85"), "?");                  /* C1 control */
}

Test(text, truncates_and_terminates)
{
    char out[4];
    docs_text_winansi("abcdef", out, sizeof(out));
    cr_expect_str_eq(out, "abc");
    docs_text_winansi("\xC3\xA9\xC3\xA9\xC3\xA9\xC3\xA9", out, sizeof(out));
    cr_expect_str_eq(out, "\xE9\xE9\xE9");
    char one[1];
    docs_text_winansi("abc", one, sizeof(one));
    cr_expect_str_eq(one, "");
}

static const char *amount(int64_t value, const char *currency)
{
    static char out[DOCS_AMOUNT_LEN_MAX];
    docs_format_amount(value, currency, out);
    return out;
}

Test(text, amounts_use_the_currency_exponent)
{
    cr_expect_str_eq(amount(123456, "USD"), "1,234.56 USD");
    cr_expect_str_eq(amount(5, "USD"), "0.05 USD");
    cr_expect_str_eq(amount(0, "EUR"), "0.00 EUR");
    cr_expect_str_eq(amount(-500, "USD"), "-5.00 USD");
    cr_expect_str_eq(amount(1200, "JPY"), "1,200 JPY");
    cr_expect_str_eq(amount(999, "JPY"), "999 JPY");
    cr_expect_str_eq(amount(1234, "KWD"), "1.234 KWD");
    cr_expect_str_eq(amount(123456789, "USD"), "1,234,567.89 USD");
    cr_expect_str_eq(amount(100, "ZZZ"), "1.00 ?");
}

Test(text, amounts_at_the_int64_edges)
{
    cr_expect_str_eq(amount(INT64_MAX, "USD"), "92,233,720,368,547,758.07 USD");
    cr_expect_str_eq(amount(INT64_MIN, "USD"), "-92,233,720,368,547,758.08 USD");
    cr_expect_str_eq(amount(INT64_MIN, "JPY"), "-9,223,372,036,854,775,808 JPY");
}
