/*
 * metrics.h — the fourteen order-management metrics of METRICS.md as pure formulas over
 * counters (sums kept per day by the rollups, or recounted from raw records), and the
 * contribution of one order to those counters. No I/O.
 */
#ifndef ORDO_CORE_METRICS_H
#define ORDO_CORE_METRICS_H

#include "core/order.h"
#include "core/shipment.h"
#include "lib/base.h"

/* The additive counters behind every metric (sums over a set of days). */
struct metrics_counters {
    /* about orders in the period (counted at the order's created day) */
    int64_t orders;            /* orders not cancelled in full before any shipment */
    int64_t total_sum;         /* Σ totals.total */
    int64_t shipped_full;      /* orders fully shipped */
    int64_t ship_cycle_ms;     /* Σ (last shipment shipped - created_at) of those */
    int64_t on_time;           /* fully shipped at or before promised_ship_by */
    int64_t filled;            /* filled completely from stock without delay */
    int64_t delivered_full;    /* delivered or picked up in full */
    int64_t delivery_cycle_ms; /* Σ (last delivery or pickup - created_at) of those */
    int64_t perfect;           /* perfect orders */
    int64_t shipped_any;       /* with at least one shipment shipped */
    int64_t shipping_cost;     /* Σ cost of their shipped shipments */
    int64_t returned_any;      /* with a returned unit received (returns: a later issue) */
    int64_t customers;         /* distinct customers who placed them (not additive per day) */
    /* about the period's events (counted at the event's day) */
    int64_t costs;           /* Σ operational costs */
    int64_t picked_orders;   /* distinct orders on pick lists completed (not additive) */
    int64_t pick_ms;         /* Σ (completed_at - started_at) of those pick lists */
    int64_t scrapped;        /* units scrapped (ledger scrap) */
    int64_t came_in;         /* units in (receipt, assemble, return_restock, scrap of returns) */
    int64_t visitors;        /* traffic reported */
    int64_t carts_created;   /* carts reported */
    int64_t carts_abandoned; /* abandoned carts reported */
};

/* The order counters kept per (day, channel, location) by the rollups, in column order. */
/* clang-format off */
#define METRICS_ORDER_FIELDS(X)                                                                    \
    X(orders) X(total_sum) X(shipped_full) X(ship_cycle_ms) X(on_time) X(filled)                   \
    X(delivered_full) X(delivery_cycle_ms) X(perfect) X(shipped_any) X(shipping_cost)              \
    X(returned_any)

/* Every field. */
#define METRICS_ALL_FIELDS(X)                                                                      \
    METRICS_ORDER_FIELDS(X) X(customers) X(costs) X(picked_orders) X(pick_ms) X(scrapped)          \
    X(came_in) X(visitors) X(carts_created) X(carts_abandoned)

/* clang-format on */

enum metric {
    METRIC_AVERAGE_ORDER_VALUE,
    METRIC_COST_PER_ORDER,
    METRIC_INTERNAL_CYCLE_HOURS,
    METRIC_ON_TIME_SHIPPING_RATE,
    METRIC_ORDER_FILL_RATE,
    METRIC_FULFILLMENT_CYCLE_HOURS,
    METRIC_ORDERS_PICKED_PER_HOUR,
    METRIC_ORDER_PLACEMENT_RATE,
    METRIC_PERFECT_ORDER_RATE,
    METRIC_PURCHASE_FREQUENCY,
    METRIC_RETURN_RATE,
    METRIC_SCRAP_RATE,
    METRIC_SHIPPING_COST_PER_ORDER,
    METRIC_CART_ABANDONMENT_RATE,
    METRIC_COUNT
};

/* Money metrics are integers (minor units); the others are decimals. */
bool metric_is_money(enum metric metric);
/* The API field name ("average_order_value"). */
const char *metric_name(enum metric metric);

struct metrics_values {
    bool present[METRIC_COUNT]; /* false: the denominator is 0 (rendered as null) */
    double value[METRIC_COUNT]; /* money metrics hold an integral value */
};

/* Every metric from the counters. */
void metrics_compute(const struct metrics_counters *counters, struct metrics_values *out);

/* num / den rounded half away from zero; den != 0. */
int64_t metrics_div_round(int64_t num, int64_t den);

/* What one order adds to the counters: its flags as recorded over its life. */
struct metrics_order_flags {
    bool unfilled;       /* backordered (at capture or later), short picked, or a line cancelled */
    bool merchant_fault; /* short picked or a line cancelled (not a perfect order) */
    bool bad_return;     /* a return damaged, defective, wrong_item or late (later issue) */
    bool returned;       /* a returned unit received (later issue) */
};

/* True unless the order is cancelled in full before any shipment. */
bool metrics_order_counted(const struct order *order);

/*
 * The order-level counters of one order (orders is 0 or 1; customers, costs and the event
 * counters are left 0). shipments: the order's shipments, any status.
 */
void metrics_order_counters(const struct order *order, const struct shipment *shipments,
                            size_t shipments_count, const struct metrics_order_flags *flags,
                            struct metrics_counters *out);

/* a += b, field by field (sign -1 subtracts). */
void metrics_counters_add(struct metrics_counters *a, const struct metrics_counters *b, int sign);

#endif
