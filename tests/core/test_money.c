/*
 * test_money.c — goal: currencies are the real ISO 4217 ones with the right exponents and
 * money arithmetic never wraps. Method: known codes and near-misses; sums and products at the
 * edges of int64; rounding checked on both signs at the half.
 */
#include <criterion/criterion.h>

#include "core/money.h"

Test(money_currency, known_codes_and_exponents)
{
    cr_expect(money_currency_is_valid("USD"));
    cr_expect(money_currency_is_valid("EUR"));
    cr_expect(money_currency_is_valid("ZAR"));
    cr_expect(money_currency_is_valid("AED"));
    cr_expect_eq(money_currency_exponent("USD"), 2);
    cr_expect_eq(money_currency_exponent("EUR"), 2);
    cr_expect_eq(money_currency_exponent("GBP"), 2);
    cr_expect_eq(money_currency_exponent("JPY"), 0);
    cr_expect_eq(money_currency_exponent("KRW"), 0);
    cr_expect_eq(money_currency_exponent("ISK"), 0);
    cr_expect_eq(money_currency_exponent("KWD"), 3);
    cr_expect_eq(money_currency_exponent("BHD"), 3);
    cr_expect_eq(money_currency_exponent("TND"), 3);
    cr_expect_eq(money_currency_exponent("CLF"), 4);
}

Test(money_currency, rejects_the_rest)
{
    cr_expect(!money_currency_is_valid(NULL));
    cr_expect(!money_currency_is_valid(""));
    cr_expect(!money_currency_is_valid("usd"));
    cr_expect(!money_currency_is_valid("US"));
    cr_expect(!money_currency_is_valid("USDX"));
    cr_expect(!money_currency_is_valid("XYZ"));
    cr_expect(!money_currency_is_valid("XAU"), "gold has no minor unit");
    cr_expect(!money_currency_is_valid("DEM"), "withdrawn");
    cr_expect(!money_currency_is_valid("AAA"));
    cr_expect(!money_currency_is_valid("ZZZ"));
}

Test(money_arith, add_and_mul_checked)
{
    struct err err = {0};
    int64_t out = 7;
    cr_expect_eq(money_add(1999, 1, &out, "x", &err), ERR_OK);
    cr_expect_eq(out, 2000);
    cr_expect_eq(money_add(INT64_MAX, 0, &out, "x", &err), ERR_OK);
    out = 7;
    cr_expect_eq(money_add(INT64_MAX, 1, &out, "tax", &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "tax");
    cr_expect_eq(out, 7, "output untouched on overflow");
    cr_expect_eq(money_add(INT64_MIN, -1, &out, "tax", &err), ERR_INVALID);
    cr_expect_eq(money_mul(3, 1999, &out, "x", &err), ERR_OK);
    cr_expect_eq(out, 5997);
    cr_expect_eq(money_mul(INT64_MAX / 2 + 1, 2, &out, "lines[0].qty", &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines[0].qty");
    cr_expect_eq(money_mul(-1, INT64_MIN, &out, "x", &err), ERR_INVALID);
}

Test(money_arith, div_round_half_away_from_zero)
{
    cr_expect_eq(money_div_round(10, 4), 3);   /* 2.5 -> 3 */
    cr_expect_eq(money_div_round(-10, 4), -3); /* -2.5 -> -3 */
    cr_expect_eq(money_div_round(9, 4), 2);    /* 2.25 */
    cr_expect_eq(money_div_round(-9, 4), -2);
    cr_expect_eq(money_div_round(11, 4), 3); /* 2.75 */
    cr_expect_eq(money_div_round(-11, 4), -3);
    cr_expect_eq(money_div_round(0, 7), 0);
    cr_expect_eq(money_div_round(1, 3), 0);
    cr_expect_eq(money_div_round(2, 3), 1);
    cr_expect_eq(money_div_round(5, 1), 5);
    cr_expect_eq(money_div_round(INT64_MAX, INT64_MAX), 1);
    cr_expect_eq(money_div_round(INT64_MAX, 2), INT64_MAX / 2 + 1);
    cr_expect_eq(money_div_round(INT64_MAX - 1, INT64_MAX), 1);
}
