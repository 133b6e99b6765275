/*
 * returns.h — the rules of a return (RMA), pure: reasons, conditions, dispositions, the
 * return window, the units a line may still return, the exact refund of returned units
 * (price with their share of discount and tax, shipping for some reasons) and the
 * disposition rule table. No I/O, no clock: times come in as arguments.
 */
#ifndef ORDO_CORE_RETURNS_H
#define ORDO_CORE_RETURNS_H

#include "core/order.h"
#include "lib/base.h"
#include "lib/err.h"

enum return_reason {
    RETURN_REASON_TOO_SMALL,
    RETURN_REASON_TOO_LARGE,
    RETURN_REASON_DAMAGED,
    RETURN_REASON_DEFECTIVE,
    RETURN_REASON_WRONG_ITEM,
    RETURN_REASON_LATE,
    RETURN_REASON_CHANGED_MIND,
    RETURN_REASON_OTHER,
    RETURN_REASON_COUNT
};

enum return_condition {
    RETURN_CONDITION_SELLABLE,
    RETURN_CONDITION_DAMAGED,
    RETURN_CONDITION_COUNT
};

enum return_disposition {
    RETURN_DISPOSITION_RESTOCK,
    RETURN_DISPOSITION_TRANSFER, /* sent on to another location (a warehouse) */
    RETURN_DISPOSITION_REFURBISH,
    RETURN_DISPOSITION_RETURN_TO_VENDOR,
    RETURN_DISPOSITION_SCRAP,
    RETURN_DISPOSITION_COUNT
};

enum return_resolution {
    RETURN_RESOLUTION_REFUND,
    RETURN_RESOLUTION_EXCHANGE,
    RETURN_RESOLUTION_COUNT
};

enum return_status {
    RETURN_STATUS_REQUESTED,          /* created, nothing received yet */
    RETURN_STATUS_PARTIALLY_RECEIVED, /* some units received */
    RETURN_STATUS_RECEIVED,           /* every requested unit received */
    RETURN_STATUS_COUNT
};

#define RETURN_WINDOW_DAYS_DEFAULT 30
#define RETURN_WINDOW_DAYS_MAX     3650

const char *return_reason_name(enum return_reason reason);
MUST_CHECK bool return_reason_parse(const char *name, enum return_reason *out);
const char *return_condition_name(enum return_condition condition);
MUST_CHECK bool return_condition_parse(const char *name, enum return_condition *out);
const char *return_disposition_name(enum return_disposition disposition);
MUST_CHECK bool return_disposition_parse(const char *name, enum return_disposition *out);
const char *return_resolution_name(enum return_resolution resolution);
MUST_CHECK bool return_resolution_parse(const char *name, enum return_resolution *out);
const char *return_status_name(enum return_status status);
MUST_CHECK bool return_status_parse(const char *name, enum return_status *out);

/* A set of reasons (bit i = reason i). The default shipping-refund set: damaged, defective,
 * wrong_item, late. */
#define RETURN_REASON_BIT(r) (1u << (unsigned)(r))
unsigned returns_shipping_reasons_default(void);
/* Parses "damaged,late" (comma-separated names, possibly empty) into a set; false on an
 * unknown name. */
MUST_CHECK bool returns_reason_set_parse(const char *text, unsigned *out);

/*
 * ERR_INVALID ("return_window_closed", field "order_id") when now_ms is more than
 * window_days after delivered_at_ms. delivered_at_ms is when the customer got the goods (see
 * returns_delivered_at); 0 means not yet known, and the window is then open.
 */
MUST_CHECK enum err_code returns_window_check(int64_t delivered_at_ms, int64_t now_ms,
                                              int window_days, struct err *err);

/* Delivery of one shipment that carried a line: delivered_at, else picked_up_at (a pickup is
 * its own delivery), else shipped_at (a carrier that never confirmed delivery). */
struct returns_shipment_times {
    int64_t shipped_at_ms;
    int64_t delivered_at_ms;
    int64_t picked_up_at_ms;
};

/* The delivery time of a line carried by several shipments: the latest of theirs (the window
 * starts when the customer has every unit of it). 0 when none left. */
int64_t returns_delivered_at(const struct returns_shipment_times *times, size_t count);

/* Units of a line that may still be returned: shipped less those already on returns. */
int64_t returns_returnable(int64_t qty_shipped, int64_t qty_on_returns);

/* What a line is worth in the order's totals: its price less its share of the discount plus
 * its share of the tax. Shares are split by line subtotal, floors first, the last line of the
 * order taking the remainder, so the lines add up to subtotal - discount + tax exactly. */
MUST_CHECK enum err_code returns_line_value(const struct order *order, size_t line_index,
                                            int64_t *out, struct err *err);

/*
 * The refund of `units` more units of a line worth line_value for line_qty units, when
 * `before` units of it were refunded already: value * (before + units) / qty − value * before
 * / qty, each floored, so that any sequence of partial returns adds up to line_value exactly
 * when every unit came back, and never more. ERR_INVALID when before + units > line_qty.
 */
MUST_CHECK enum err_code returns_refund_units(int64_t line_value, int64_t line_qty, int64_t before,
                                              int64_t units, int64_t *out, struct err *err);

/* A disposition rule: NULL / negative members match anything. More specific rules (more
 * members given) win; among equal ones, the lower priority number, then the earlier rule. */
struct return_rule {
    int64_t row_id;
    int priority;
    int reason;    /* enum return_reason, or -1 for any */
    int condition; /* enum return_condition, or -1 for any */
    const char *sku;
    const char *location; /* the receiving location's code */
    enum return_disposition disposition;
    const char *target_location; /* TRANSFER: where the units go */
};

/* What a received unit group is. */
struct return_unit_facts {
    enum return_reason reason;
    enum return_condition condition;
    const char *sku;
    const char *location;
};

/* The disposition the rules give: the best matching rule, else the default (sellable →
 * restock, damaged → scrap). *rule_out is the matching rule or NULL for the default. */
enum return_disposition returns_dispose(const struct return_rule *rules, size_t count,
                                        const struct return_unit_facts *facts,
                                        const struct return_rule **rule_out);

/* A line of a return: units of one order line. */
struct rma_line {
    int line_no; /* 1-based position in the return */
    const char *order_line_id;
    int order_line_no;
    const char *sku;
    int64_t qty; /* units the customer sends back */
    enum return_reason reason;
    int64_t qty_received; /* qty_sellable + qty_damaged */
    int64_t qty_sellable;
    int64_t qty_damaged;
    int64_t refunded;       /* minor units refunded for its units */
    int64_t shipping_units; /* received units whose shipping share was refunded */
};

/* One decision made at a receipt. */
struct rma_disposition {
    int seq; /* 1-based, in the order made */
    int line_no;
    int64_t qty;
    enum return_condition condition;
    enum return_disposition disposition;
    const char *target_location; /* transfer */
    int64_t rule_id;             /* 0: the default */
    int64_t created_at_ms;
};

struct rma_exchange_line {
    const char *sku;
    int64_t qty;
};

/* A return (RMA). */
struct rma {
    const char *id;
    const char *number; /* "RMA-1001" */
    const char *order_id;
    int64_t location_row_id;
    const char *location_code;
    enum return_status status;
    enum return_resolution resolution;
    const char *exchange_order_id; /* NULL until created */
    int64_t refunded;              /* minor units so far, shipping included */
    int64_t shipping_refunded;     /* part of refunded */
    int64_t amount_due;            /* exchange dearer than the return: owed by the customer */
    struct rma_line *lines;
    size_t lines_count;
    struct rma_disposition *dispositions;
    size_t dispositions_count;
    struct rma_exchange_line *exchange_lines;
    size_t exchange_lines_count;
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    int64_t received_at_ms;
};

/* RECEIVED when every unit of every line is received, PARTIALLY_RECEIVED when some are. */
enum return_status returns_status_of(const struct rma *rma);

#endif
