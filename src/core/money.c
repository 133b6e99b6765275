/*
 * money.c — the ISO 4217 table of active currencies with their minor-unit exponents, and
 * overflow-checked arithmetic on minor units. No double ever holds money; the table is sorted
 * by code so that a lookup is a binary search.
 */
#include "core/money.h"

#include <string.h>

struct money_currency {
    char code[4];
    int exponent; /* minor-unit digits */
};

/*
 * Active ISO 4217 codes (list one of the standard) that have a minor unit. Codes without one
 * (XAU, XDR and the testing and no-currency codes) are not money an order can be priced in
 * and are left out.
 */
static const struct money_currency money_currencies[] = {
    {"AED", 2}, {"AFN", 2}, {"ALL", 2}, {"AMD", 2}, {"ANG", 2}, {"AOA", 2}, {"ARS", 2}, {"AUD", 2},
    {"AWG", 2}, {"AZN", 2}, {"BAM", 2}, {"BBD", 2}, {"BDT", 2}, {"BGN", 2}, {"BHD", 3}, {"BIF", 0},
    {"BMD", 2}, {"BND", 2}, {"BOB", 2}, {"BOV", 2}, {"BRL", 2}, {"BSD", 2}, {"BTN", 2}, {"BWP", 2},
    {"BYN", 2}, {"BZD", 2}, {"CAD", 2}, {"CDF", 2}, {"CHE", 2}, {"CHF", 2}, {"CHW", 2}, {"CLF", 4},
    {"CLP", 0}, {"CNY", 2}, {"COP", 2}, {"COU", 2}, {"CRC", 2}, {"CUP", 2}, {"CVE", 2}, {"CZK", 2},
    {"DJF", 0}, {"DKK", 2}, {"DOP", 2}, {"DZD", 2}, {"EGP", 2}, {"ERN", 2}, {"ETB", 2}, {"EUR", 2},
    {"FJD", 2}, {"FKP", 2}, {"GBP", 2}, {"GEL", 2}, {"GHS", 2}, {"GIP", 2}, {"GMD", 2}, {"GNF", 0},
    {"GTQ", 2}, {"GYD", 2}, {"HKD", 2}, {"HNL", 2}, {"HTG", 2}, {"HUF", 2}, {"IDR", 2}, {"ILS", 2},
    {"INR", 2}, {"IQD", 3}, {"IRR", 2}, {"ISK", 0}, {"JMD", 2}, {"JOD", 3}, {"JPY", 0}, {"KES", 2},
    {"KGS", 2}, {"KHR", 2}, {"KMF", 0}, {"KPW", 2}, {"KRW", 0}, {"KWD", 3}, {"KYD", 2}, {"KZT", 2},
    {"LAK", 2}, {"LBP", 2}, {"LKR", 2}, {"LRD", 2}, {"LSL", 2}, {"LYD", 3}, {"MAD", 2}, {"MDL", 2},
    {"MGA", 2}, {"MKD", 2}, {"MMK", 2}, {"MNT", 2}, {"MOP", 2}, {"MRU", 2}, {"MUR", 2}, {"MVR", 2},
    {"MWK", 2}, {"MXN", 2}, {"MXV", 2}, {"MYR", 2}, {"MZN", 2}, {"NAD", 2}, {"NGN", 2}, {"NIO", 2},
    {"NOK", 2}, {"NPR", 2}, {"NZD", 2}, {"OMR", 3}, {"PAB", 2}, {"PEN", 2}, {"PGK", 2}, {"PHP", 2},
    {"PKR", 2}, {"PLN", 2}, {"PYG", 0}, {"QAR", 2}, {"RON", 2}, {"RSD", 2}, {"RUB", 2}, {"RWF", 0},
    {"SAR", 2}, {"SBD", 2}, {"SCR", 2}, {"SDG", 2}, {"SEK", 2}, {"SGD", 2}, {"SHP", 2}, {"SLE", 2},
    {"SOS", 2}, {"SRD", 2}, {"SSP", 2}, {"STN", 2}, {"SVC", 2}, {"SYP", 2}, {"SZL", 2}, {"THB", 2},
    {"TJS", 2}, {"TMT", 2}, {"TND", 3}, {"TOP", 2}, {"TRY", 2}, {"TTD", 2}, {"TWD", 2}, {"TZS", 2},
    {"UAH", 2}, {"UGX", 0}, {"USD", 2}, {"USN", 2}, {"UYI", 0}, {"UYU", 2}, {"UYW", 4}, {"UZS", 2},
    {"VED", 2}, {"VES", 2}, {"VND", 0}, {"VUV", 0}, {"WST", 2}, {"XAF", 0}, {"XCD", 2}, {"XCG", 2},
    {"XOF", 0}, {"XPF", 0}, {"YER", 2}, {"ZAR", 2}, {"ZMW", 2}, {"ZWG", 2},
};

/* The table row of code, or NULL. Only three upper-case letters can match. */
static const struct money_currency *money_currency_find(const char *code)
{
    if (code == NULL || strlen(code) != 3) {
        return NULL;
    }
    size_t low = 0;
    size_t high = ARRAY_LEN(money_currencies);
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        int cmp = strcmp(code, money_currencies[mid].code);
        if (cmp == 0) {
            return &money_currencies[mid];
        }
        if (cmp < 0) {
            high = mid;
        } else {
            low = mid + 1;
        }
    }
    return NULL;
}

bool money_currency_is_valid(const char *code)
{
    return money_currency_find(code) != NULL;
}

int money_currency_exponent(const char *code)
{
    const struct money_currency *currency = money_currency_find(code);
    ASSERT(currency != NULL);
    ASSERT(currency->exponent >= 0 && currency->exponent <= 4);
    return currency->exponent;
}

enum err_code money_add(int64_t a, int64_t b, int64_t *out, const char *field, struct err *err)
{
    ASSERT(out != NULL);
    ASSERT(err != NULL);
    int64_t sum = 0;
    if (__builtin_add_overflow(a, b, &sum)) {
        return err_set(err, ERR_INVALID, field, "amount overflows: %" PRId64 " + %" PRId64, a, b);
    }
    *out = sum;
    return ERR_OK;
}

enum err_code money_mul(int64_t a, int64_t b, int64_t *out, const char *field, struct err *err)
{
    ASSERT(out != NULL);
    ASSERT(err != NULL);
    int64_t product = 0;
    if (__builtin_mul_overflow(a, b, &product)) {
        return err_set(err, ERR_INVALID, field, "amount overflows: %" PRId64 " * %" PRId64, a, b);
    }
    *out = product;
    return ERR_OK;
}

int64_t money_div_round(int64_t numerator, int64_t denominator)
{
    ASSERT(denominator > 0);
    ASSERT(numerator != INT64_MIN);
    int64_t quotient = numerator / denominator;
    int64_t remainder = numerator % denominator;
    int64_t magnitude = remainder < 0 ? -remainder : remainder;
    /* magnitude < denominator, so this comparison cannot overflow where 2 * r could. */
    if (magnitude >= denominator - magnitude) {
        quotient += numerator < 0 ? -1 : 1;
    }
    return quotient;
}
