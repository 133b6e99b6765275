/*
 * money.h — integer minor units and ISO 4217 currencies. Every sum is overflow-checked; no
 * money is ever a double.
 */
#ifndef ORDO_CORE_MONEY_H
#define ORDO_CORE_MONEY_H

#include "lib/base.h"
#include "lib/err.h"

/* True for a known ISO 4217 code in upper case ("USD", "EUR", "JPY", ...). */
bool money_currency_is_valid(const char *code);

/* Number of minor-unit digits of a known currency (2 for USD, 0 for JPY, 3 for KWD). */
int money_currency_exponent(const char *code);

/* *out = a + b; ERR_INVALID on overflow (field names the input at fault). */
MUST_CHECK enum err_code money_add(int64_t a, int64_t b, int64_t *out, const char *field,
                                   struct err *err);

/* *out = a * b; ERR_INVALID on overflow. */
MUST_CHECK enum err_code money_mul(int64_t a, int64_t b, int64_t *out, const char *field,
                                   struct err *err);

/* numerator / denominator rounded half away from zero; denominator > 0. */
int64_t money_div_round(int64_t numerator, int64_t denominator);

#endif
