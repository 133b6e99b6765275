/*
 * order.h — the order: its lines, totals, allocations and status. order.c owns the one
 * transition table; nothing else changes an order's status. Strings are borrowed
 * (arena-owned); NULL means absent.
 */
#ifndef ORDO_CORE_ORDER_H
#define ORDO_CORE_ORDER_H

#include "core/address.h"
#include "lib/base.h"
#include "lib/err.h"

enum order_status {
    ORDER_STATUS_PENDING,
    ORDER_STATUS_CONFIRMED,
    ORDER_STATUS_ON_HOLD,
    ORDER_STATUS_ALLOCATED,
    ORDER_STATUS_BACKORDERED,
    ORDER_STATUS_IN_FULFILLMENT,
    ORDER_STATUS_PARTIALLY_SHIPPED,
    ORDER_STATUS_SHIPPED,
    ORDER_STATUS_DELIVERED,
    ORDER_STATUS_READY_FOR_PICKUP,
    ORDER_STATUS_PICKED_UP,
    ORDER_STATUS_PARTIALLY_RETURNED,
    ORDER_STATUS_RETURNED,
    ORDER_STATUS_CANCELLED,
    ORDER_STATUS_COUNT
};

enum fulfillment_method {
    FULFILLMENT_SHIP,
    FULFILLMENT_PICKUP,
    FULFILLMENT_DELIVERY,
    FULFILLMENT_COUNT
};

enum ship_policy { SHIP_POLICY_ALLOW_SPLIT, SHIP_POLICY_SHIP_COMPLETE };

enum customer_type { CUSTOMER_TYPE_CONSUMER, CUSTOMER_TYPE_BUSINESS };

struct order_line {
    const char *id;
    int line_no;            /* 1-based position in the order */
    int64_t product_row_id; /* store key, filled by app */
    const char *sku;
    const char *name; /* catalog name at capture */
    int64_t qty;
    int64_t unit_price;    /* minor units */
    bool unit_price_given; /* the channel set it; otherwise the catalog price */
    int64_t weight_grams;  /* per unit, from the catalog */
    bool is_kit;
    const char *customization_json; /* a JSON object as text, or NULL */
    int64_t qty_allocated;
    int64_t qty_shipped;
    int64_t qty_cancelled;
    int64_t qty_returned;
    int64_t qty_backordered; /* qty - allocated - shipped - cancelled while backordered */
};

struct order_totals {
    int64_t subtotal; /* sum of qty * unit_price over lines */
    int64_t discount;
    int64_t shipping;
    int64_t tax;
    int64_t total; /* subtotal - discount + shipping + tax */
};

struct allocation {
    const char *id;
    const char *line_id;
    int line_no;
    const char *sku;
    int64_t location_row_id;
    const char *location_code;
    int64_t qty;
    const char *shipment_id;
    double distance_km; /* from the location to the destination, or -1 when unknown */
    int64_t created_at_ms;
};

struct order {
    const char *id;
    const char *number; /* "SO-1001" */
    enum order_status status;
    const char *channel;
    const char *external_id; /* the channel's own id; unique per channel, or NULL */
    const char *customer_id;
    const char *customer_email;
    const char *customer_name;
    enum customer_type customer_type;
    const char *currency;
    struct order_line *lines;
    size_t lines_count;
    struct allocation *allocations;
    size_t allocations_count;
    struct address shipping_address;
    struct address billing_address;
    enum fulfillment_method method;
    const char *pickup_location; /* location code when method == PICKUP */
    int64_t delivery_day;        /* day number when method == DELIVERY, else 0 */
    /* routing (not stored): at most max_shipments shipments when given (else the setting); a
     * pickup the store cannot fill may come from a warehouse by transfer (ship-to-store) */
    int64_t max_shipments;
    enum ship_policy ship_policy;
    bool backorder; /* accept when short instead of 409 */
    bool max_shipments_given;
    bool allow_transfer;
    const char *payment_provider; /* "manual" by default */
    const char *payment_card;     /* payments: the card or payment method given at capture;
                                     never stored */
    const char *hold_reason;
    const char *cancel_reason;
    const char *notes;
    const char *hold_id; /* holds: the soft hold this order consumes, or NULL; never stored */
    struct order_totals totals;
    int64_t promised_ship_by_ms; /* 0 when not known (nothing allocated) */
    bool promised_ship_by_given; /* the channel set it */
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    int64_t allocated_at_ms;
    int64_t shipped_at_ms;
    int64_t delivered_at_ms;
    int64_t cancelled_at_ms;
};

const char *order_status_name(enum order_status status);
MUST_CHECK bool order_status_parse(const char *name, enum order_status *out);
const char *fulfillment_method_name(enum fulfillment_method method);
MUST_CHECK bool fulfillment_method_parse(const char *name, enum fulfillment_method *out);
const char *ship_policy_name(enum ship_policy policy);
MUST_CHECK bool ship_policy_parse(const char *name, enum ship_policy *out);
const char *customer_type_name(enum customer_type type);
MUST_CHECK bool customer_type_parse(const char *name, enum customer_type *out);

/* True when the transition table allows from -> to. */
bool order_status_can_transition(enum order_status from, enum order_status to);

/*
 * Moves order->status to `to` when the table allows it; otherwise ERR_STATE ("invalid_state")
 * with a message naming both states, and the order unchanged.
 */
MUST_CHECK enum err_code order_transition(struct order *order, enum order_status to,
                                          struct err *err);

/* True while the order may still be cancelled (any state before shipping starts). */
bool order_is_cancellable(const struct order *order);

/*
 * Validates an order as received from a channel, before pricing: channel and currency
 * present and well-formed, 1..ORDER_LINES_MAX lines, each with a valid SKU and
 * 0 < qty <= QTY_MAX, unit_price (when given) in [0, MONEY_AMOUNT_MAX], customization size,
 * customer e-mail form, address (required for ship and delivery), pickup location for
 * pickup, delivery day for delivery, shipping/tax/discount in [0, MONEY_AMOUNT_MAX].
 * Errors name the field ("lines[1].qty").
 */
MUST_CHECK enum err_code order_validate(const struct order *order, struct err *err);

/* True when email looks like local@domain.tld, at most EMAIL_LEN_MAX, no spaces. */
bool order_email_is_valid(const char *email);

/*
 * Computes order->totals from the lines (qty * unit_price) and the given discount, shipping
 * and tax; ERR_INVALID on overflow past MONEY_AMOUNT_MAX or a discount above the subtotal.
 */
MUST_CHECK enum err_code order_compute_totals(struct order *order, struct err *err);

/* True when the totals add up (total == subtotal - discount + shipping + tax, lines sum). */
bool order_totals_are_consistent(const struct order *order);

/*
 * The ship-by time for an order created at created_at_ms served by a location with that
 * cut-off minute and handling days: the end (23:59:59.999) of the creation day plus
 * handling_days, one day later when created after the cut-off.
 */
int64_t order_promise_ship_by(int64_t created_at_ms, int cutoff_minute, int handling_days);

#endif
