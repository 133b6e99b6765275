/*
 * customer.c — validation of a consumer or business buyer as created or patched. The e-mail
 * form is the order's (order_email_is_valid); lower-casing it is the caller's job.
 */
#include "core/customer.h"

#include <string.h>

#include "core/limits.h"
#include "core/money.h"
#include "lib/str.h"

#define CUSTOMER_PHONE_LEN_MAX 64

/* An optional text of at most len_max bytes of clean UTF-8. */
static enum err_code customer_check_text(const char *value, size_t len_max, const char *field,
                                         struct err *err)
{
    size_t len = value == NULL ? 0 : strlen(value);
    if (len > len_max) {
        return err_set(err, ERR_INVALID, field, "%s must be at most %zu bytes, got %zu", field,
                       len_max, len);
    }
    if (len > 0 && !str_is_clean_utf8(value, len)) {
        return err_set(err, ERR_INVALID, field, "%s must be UTF-8 without control characters",
                       field);
    }
    return ERR_OK;
}

enum err_code customer_validate(const struct customer *customer, struct err *err)
{
    ASSERT(customer != NULL);
    ASSERT(err != NULL);
    if (customer->email == NULL || customer->email[0] == '\0') {
        return err_set(err, ERR_INVALID, "email", "e-mail is required");
    }
    if (!order_email_is_valid(customer->email)) {
        return err_set(err, ERR_INVALID, "email", "invalid e-mail address %s", customer->email);
    }
    enum err_code code = customer_check_text(customer->name, NAME_LEN_MAX, "name", err);
    if (code == ERR_OK) {
        code = customer_check_text(customer->phone, CUSTOMER_PHONE_LEN_MAX, "phone", err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (customer->type != CUSTOMER_TYPE_CONSUMER && customer->type != CUSTOMER_TYPE_BUSINESS) {
        return err_set(err, ERR_INVALID, "type", "type must be consumer or business");
    }
    if (customer->payment_terms_days < 0 || customer->payment_terms_days > PAYMENT_TERMS_DAYS_MAX) {
        return err_set(err, ERR_INVALID, "payment_terms_days",
                       "payment terms must be between 0 and %d days, got %d",
                       PAYMENT_TERMS_DAYS_MAX, customer->payment_terms_days);
    }
    if (customer->has_credit_limit &&
        (customer->credit_limit < 0 || customer->credit_limit > MONEY_AMOUNT_MAX)) {
        return err_set(err, ERR_INVALID, "credit_limit",
                       "credit limit must be between 0 and %lld, got %" PRId64, MONEY_AMOUNT_MAX,
                       customer->credit_limit);
    }
    return ERR_OK;
}
