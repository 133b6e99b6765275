/*
 * customer.h — a consumer or business buyer, matched by e-mail when an order arrives.
 */
#ifndef ORDO_CORE_CUSTOMER_H
#define ORDO_CORE_CUSTOMER_H

#include "core/order.h"
#include "lib/base.h"
#include "lib/err.h"

struct customer {
    const char *id;
    const char *email; /* stored lower-case */
    const char *name;
    const char *phone;
    enum customer_type type;
    int payment_terms_days; /* business: days to pay an invoice */
    int64_t credit_limit;   /* business: minor units; valid when has_credit_limit */
    bool has_credit_limit;
    int64_t orders_count;
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

/* Validates a customer as created or patched (e-mail form, lengths, terms, limit >= 0). */
MUST_CHECK enum err_code customer_validate(const struct customer *customer, struct err *err);

#endif
