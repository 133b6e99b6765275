/*
 * payment.h — payment transactions of an order and the arithmetic of money moving through a
 * provider: the totals authorized, captured and refunded, the refund rule (refunds never
 * exceed captures) and each shipment's share of the order total. Strings are borrowed.
 */
#ifndef ORDO_CORE_PAYMENT_H
#define ORDO_CORE_PAYMENT_H

#include "core/order.h"
#include "lib/base.h"
#include "lib/err.h"

enum payment_kind {
    PAYMENT_KIND_AUTHORIZE,
    PAYMENT_KIND_CAPTURE,
    PAYMENT_KIND_VOID,
    PAYMENT_KIND_REFUND,
    PAYMENT_KIND_COUNT
};

enum payment_status {
    PAYMENT_STATUS_PENDING,
    PAYMENT_STATUS_SUCCEEDED,
    PAYMENT_STATUS_FAILED,
    PAYMENT_STATUS_COUNT
};

/* One call to a provider. */
struct payment_txn {
    const char *id;
    const char *order_id;
    enum payment_kind kind;
    int64_t amount; /* minor units, >= 0 */
    const char *currency;
    enum payment_status status;
    const char *provider;     /* "manual", "sandbox", "stripe" */
    const char *provider_ref; /* the provider's id, or NULL */
    const char *shipment_id;  /* a capture's shipment, or NULL */
    const char *return_id;    /* a refund's return, or NULL */
    const char *error;        /* why it failed, or NULL */
    int64_t created_at_ms;
    int64_t updated_at_ms;
    const char *payment_method; /* stripe authorize: the pm_ id it used (never a card), or NULL */
};

/* What an order's transactions add up to. */
struct payment_totals {
    int64_t authorized;     /* succeeded authorizations, less succeeded voids */
    int64_t captured;       /* succeeded captures */
    int64_t refunded;       /* succeeded refunds */
    int64_t refund_pending; /* refunds still pending */
    int64_t capture_failed; /* failed captures */
};

const char *payment_kind_name(enum payment_kind kind);
MUST_CHECK bool payment_kind_parse(const char *name, enum payment_kind *out);
const char *payment_status_name(enum payment_status status);
MUST_CHECK bool payment_status_parse(const char *name, enum payment_status *out);

/* Sums txns (count may be 0). */
void payment_totals_compute(const struct payment_txn *txns, size_t count,
                            struct payment_totals *out);

/* What may still be refunded: captured - (refunded + refund_pending), never below 0. */
int64_t payment_refundable(const struct payment_totals *totals);

/*
 * The refund rule: ERR_INVALID (field "amount") when amount < 0; ERR_CONFLICT with reason
 * "refund_exceeds_captures" when amount > payment_refundable(totals). amount 0 is allowed.
 */
MUST_CHECK enum err_code payment_refund_check(const struct payment_totals *totals, int64_t amount,
                                              struct err *err);

/*
 * Splits total over count parts in proportion to weights (each >= 0) so that the parts add
 * up exactly to total: each part is floor(total * w / sum), and the units left over go one
 * each to the largest remainders (ties to the lower index). When every weight is 0 the split
 * is even in the same way. out[count]. ERR_INVALID when total < 0, a weight < 0, count is 0
 * or a product would overflow.
 */
MUST_CHECK enum err_code payment_split(int64_t total, const int64_t *weights, size_t count,
                                       int64_t *out, struct err *err);

/*
 * What the order may be charged after cancellations: total * (value of the units not
 * cancelled) / (value of all units), rounded half up; exactly the total when nothing was
 * cancelled, 0 when everything was. (Shipping and tax shrink in proportion.)
 */
int64_t payment_order_capturable(const struct order *order);

/* Parts of one capture split: the shipments of an order, and its backordered units. */
#define PAYMENT_SPLIT_PARTS_MAX 512

/* One shipment's capture at ship time. */
struct payment_capture_input {
    int64_t capturable;     /* payment_order_capturable */
    const int64_t *weights; /* value of each part: every open or shipped shipment, plus
                               the units not yet in a shipment (backordered) */
    size_t count;
    size_t target;   /* the shipment shipping now */
    bool last;       /* no other part is left to ship: take what remains */
    int64_t already; /* captured (and pending or failed) so far */
};

/*
 * The amount to capture: the target's share of payment_split(capturable, weights), or, when
 * last, capturable - already; never more than capturable - already, never below 0. So the
 * captures of a split order add up exactly to the capturable total.
 */
MUST_CHECK enum err_code payment_capture_amount(const struct payment_capture_input *in,
                                                int64_t *out, struct err *err);

#endif
