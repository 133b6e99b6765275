/*
 * metrics.c — the metric formulas of METRICS.md over counters, and one order's share of
 * the counters. docs/METRICS.md explains the choices made where the definitions leave room.
 */
#include "core/metrics.h"

#define MS_PER_HOUR 3600000.0

static int64_t metrics_max(int64_t a, int64_t b)
{
    return a > b ? a : b;
}

static const char *const metric_names[METRIC_COUNT] = {
    [METRIC_AVERAGE_ORDER_VALUE] = "average_order_value",
    [METRIC_COST_PER_ORDER] = "cost_per_order",
    [METRIC_INTERNAL_CYCLE_HOURS] = "internal_order_cycle_time_hours",
    [METRIC_ON_TIME_SHIPPING_RATE] = "on_time_shipping_rate",
    [METRIC_ORDER_FILL_RATE] = "order_fill_rate",
    [METRIC_FULFILLMENT_CYCLE_HOURS] = "order_fulfillment_cycle_time_hours",
    [METRIC_ORDERS_PICKED_PER_HOUR] = "orders_picked_per_hour",
    [METRIC_ORDER_PLACEMENT_RATE] = "order_placement_rate",
    [METRIC_PERFECT_ORDER_RATE] = "perfect_order_rate",
    [METRIC_PURCHASE_FREQUENCY] = "purchase_frequency",
    [METRIC_RETURN_RATE] = "return_rate",
    [METRIC_SCRAP_RATE] = "scrap_rate",
    [METRIC_SHIPPING_COST_PER_ORDER] = "shipping_cost_per_order",
    [METRIC_CART_ABANDONMENT_RATE] = "cart_abandonment_rate",
};

const char *metric_name(enum metric metric)
{
    ASSERT((int)metric >= 0 && metric < METRIC_COUNT);
    return metric_names[metric];
}

bool metric_is_money(enum metric metric)
{
    return metric == METRIC_AVERAGE_ORDER_VALUE || metric == METRIC_COST_PER_ORDER ||
           metric == METRIC_SHIPPING_COST_PER_ORDER;
}

static uint64_t metrics_magnitude(int64_t value)
{
    return value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
}

int64_t metrics_div_round(int64_t num, int64_t den)
{
    ASSERT(den != 0);
    bool negative = (num < 0) != (den < 0);
    uint64_t n = metrics_magnitude(num);
    uint64_t d = metrics_magnitude(den);
    if (d == 0) {
        return 0; /* not reached: den != 0 */
    }
    uint64_t q = n / d;
    if (n % d >= d - n % d) { /* remainder at least half of d: away from zero */
        q++;
    }
    return negative ? -(int64_t)q : (int64_t)q;
}

static void metrics_money(struct metrics_values *out, enum metric metric, int64_t num, int64_t den)
{
    out->present[metric] = den != 0;
    out->value[metric] = den != 0 ? (double)metrics_div_round(num, den) : 0.0;
}

static void metrics_ratio(struct metrics_values *out, enum metric metric, double num, double den)
{
    out->present[metric] = den != 0.0;
    out->value[metric] = den != 0.0 ? num / den : 0.0;
}

void metrics_compute(const struct metrics_counters *c, struct metrics_values *out)
{
    ASSERT(c != NULL && out != NULL);
    double orders = (double)c->orders;
    metrics_money(out, METRIC_AVERAGE_ORDER_VALUE, c->total_sum, c->orders);
    metrics_money(out, METRIC_COST_PER_ORDER, c->costs, c->orders);
    metrics_ratio(out, METRIC_INTERNAL_CYCLE_HOURS, (double)c->ship_cycle_ms / MS_PER_HOUR,
                  (double)c->shipped_full);
    metrics_ratio(out, METRIC_ON_TIME_SHIPPING_RATE, (double)c->on_time, (double)c->shipped_full);
    metrics_ratio(out, METRIC_ORDER_FILL_RATE, (double)c->filled, orders);
    metrics_ratio(out, METRIC_FULFILLMENT_CYCLE_HOURS, (double)c->delivery_cycle_ms / MS_PER_HOUR,
                  (double)c->delivered_full);
    metrics_ratio(out, METRIC_ORDERS_PICKED_PER_HOUR, (double)c->picked_orders,
                  (double)c->pick_ms / MS_PER_HOUR);
    metrics_ratio(out, METRIC_ORDER_PLACEMENT_RATE, orders, (double)c->visitors);
    metrics_ratio(out, METRIC_PERFECT_ORDER_RATE, (double)c->perfect, (double)c->delivered_full);
    metrics_ratio(out, METRIC_PURCHASE_FREQUENCY, orders, (double)c->customers);
    metrics_ratio(out, METRIC_RETURN_RATE, (double)c->returned_any, (double)c->shipped_any);
    metrics_ratio(out, METRIC_SCRAP_RATE, (double)c->scrapped, (double)c->came_in);
    metrics_money(out, METRIC_SHIPPING_COST_PER_ORDER, c->shipping_cost, c->shipped_any);
    metrics_ratio(out, METRIC_CART_ABANDONMENT_RATE, (double)c->carts_abandoned,
                  (double)c->carts_created);
}

static bool metrics_units_shipped(const struct order *order)
{
    for (size_t i = 0; i < order->lines_count; i++) {
        if (order->lines[i].qty_shipped > 0) {
            return true;
        }
    }
    return false;
}

bool metrics_order_counted(const struct order *order)
{
    ASSERT(order != NULL);
    return order->status != ORDER_STATUS_CANCELLED || metrics_units_shipped(order);
}

static bool metrics_shipment_left(enum shipment_status status)
{
    return status == SHIPMENT_STATUS_SHIPPED || status == SHIPMENT_STATUS_DELIVERED ||
           status == SHIPMENT_STATUS_PICKED_UP;
}

/* What the order's shipments tell: last ship and delivery times, cost, all delivered. */
struct metrics_ship_tally {
    int64_t last_ship_ms;
    int64_t last_delivery_ms;
    int64_t cost;
    bool any_left;
    bool all_delivered; /* every shipment that left was delivered or picked up */
};

static void metrics_ship_tally(const struct shipment *shipments, size_t count,
                               struct metrics_ship_tally *t)
{
    *t = (struct metrics_ship_tally){.all_delivered = true};
    for (size_t i = 0; i < count; i++) {
        const struct shipment *s = &shipments[i];
        if (!metrics_shipment_left(s->status)) {
            continue;
        }
        t->any_left = true;
        t->cost += s->cost;
        t->last_ship_ms = metrics_max(t->last_ship_ms, s->shipped_at_ms);
        if (s->status == SHIPMENT_STATUS_SHIPPED) {
            t->all_delivered = false;
        }
        /* A pickup is its own delivery: picked up and shipped at the same instant. */
        int64_t delivered =
            s->status == SHIPMENT_STATUS_PICKED_UP ? s->shipped_at_ms : s->delivered_at_ms;
        t->last_delivery_ms = metrics_max(t->last_delivery_ms, delivered);
    }
}

static bool metrics_fully_shipped(const struct order *order)
{
    int64_t shipped = 0;
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        if (line->qty_shipped < line->qty - line->qty_cancelled) {
            return false;
        }
        shipped += line->qty_shipped;
    }
    return shipped > 0;
}

void metrics_order_counters(const struct order *order, const struct shipment *shipments,
                            size_t shipments_count, const struct metrics_order_flags *flags,
                            struct metrics_counters *out)
{
    ASSERT(order != NULL && flags != NULL && out != NULL);
    ASSERT(shipments != NULL || shipments_count == 0);
    *out = (struct metrics_counters){0};
    if (!metrics_order_counted(order)) {
        return;
    }
    struct metrics_ship_tally t;
    metrics_ship_tally(shipments, shipments_count, &t);
    out->orders = 1;
    out->total_sum = order->totals.total;
    out->filled = flags->unfilled ? 0 : 1;
    out->shipped_any = t.any_left ? 1 : 0;
    out->shipping_cost = t.cost;
    out->returned_any = flags->returned && t.any_left ? 1 : 0;
    if (!metrics_fully_shipped(order) || !t.any_left) {
        return;
    }
    bool on_time = order->promised_ship_by_ms == 0 || t.last_ship_ms <= order->promised_ship_by_ms;
    out->shipped_full = 1;
    out->ship_cycle_ms = t.last_ship_ms - order->created_at_ms;
    out->on_time = on_time ? 1 : 0;
    if (!t.all_delivered) {
        return;
    }
    out->delivered_full = 1;
    out->delivery_cycle_ms = t.last_delivery_ms - order->created_at_ms;
    out->perfect = on_time && !flags->merchant_fault && !flags->bad_return ? 1 : 0;
}

void metrics_counters_add(struct metrics_counters *a, const struct metrics_counters *b, int sign)
{
    ASSERT(a != NULL && b != NULL && (sign == 1 || sign == -1));
#define METRICS_ADD(field) a->field += sign * b->field;
    METRICS_ALL_FIELDS(METRICS_ADD)
#undef METRICS_ADD
}
