/*
 * test_metrics.c — goal: each of the fourteen formulas of METRICS.md computes what it says
 * from its counters, is null (not present) when its denominator is 0, rounds money half away
 * from zero, and one order adds what docs/METRICS.md says. Method: hand-made counters with the
 * arithmetic written out; orders in each state of their life.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "core/metrics.h"

#define HOUR_MS 3600000LL

static void expect_value(const struct metrics_values *v, enum metric m, double want)
{
    cr_expect(v->present[m], "%s should be present", metric_name(m));
    cr_expect(fabs(v->value[m] - want) <= 1e-12 * fmax(1.0, fabs(want)),
              "%s: got %.17g, want %.17g", metric_name(m), v->value[m], want);
}

Test(metrics_formulas, every_metric_null_on_zero_denominators)
{
    struct metrics_counters c = {0};
    c.total_sum = 100; /* numerators without denominators stay null */
    c.costs = 50;
    c.scrapped = 3;
    c.picked_orders = 2;
    struct metrics_values v;
    metrics_compute(&c, &v);
    for (int i = 0; i < METRIC_COUNT; i++) {
        cr_expect(!v.present[i], "%s should be null", metric_name((enum metric)i));
    }
}

Test(metrics_formulas, each_formula)
{
    struct metrics_counters c = {
        .orders = 4,
        .total_sum = 10001, /* 10001 / 4 = 2500.25 -> 2500 */
        .costs = 1002,      /* 1002 / 4 = 250.5 -> 251 */
        .shipped_full = 2,
        .ship_cycle_ms = 3 * HOUR_MS, /* 3 h / 2 = 1.5 h */
        .on_time = 1,                 /* 1 / 2 */
        .filled = 3,                  /* 3 / 4 */
        .delivered_full = 2,
        .delivery_cycle_ms = 50 * HOUR_MS, /* 25 h */
        .perfect = 1,                      /* 1 / 2 */
        .picked_orders = 6,
        .pick_ms = HOUR_MS / 2, /* 6 / 0.5 h = 12 */
        .visitors = 400,        /* 4 / 400 = 0.01 */
        .customers = 3,         /* 4 / 3 */
        .shipped_any = 3,
        .returned_any = 1, /* 1 / 3 */
        .scrapped = 2,
        .came_in = 8,          /* 0.25 */
        .shipping_cost = 2000, /* 2000 / 3 = 666.67 -> 667 */
        .carts_created = 10,
        .carts_abandoned = 7, /* 0.7 */
    };
    struct metrics_values v;
    metrics_compute(&c, &v);
    expect_value(&v, METRIC_AVERAGE_ORDER_VALUE, 2500);
    expect_value(&v, METRIC_COST_PER_ORDER, 251);
    expect_value(&v, METRIC_INTERNAL_CYCLE_HOURS, 1.5);
    expect_value(&v, METRIC_ON_TIME_SHIPPING_RATE, 0.5);
    expect_value(&v, METRIC_ORDER_FILL_RATE, 0.75);
    expect_value(&v, METRIC_FULFILLMENT_CYCLE_HOURS, 25.0);
    expect_value(&v, METRIC_ORDERS_PICKED_PER_HOUR, 12.0);
    expect_value(&v, METRIC_ORDER_PLACEMENT_RATE, 0.01);
    expect_value(&v, METRIC_PERFECT_ORDER_RATE, 0.5);
    expect_value(&v, METRIC_PURCHASE_FREQUENCY, 4.0 / 3.0);
    expect_value(&v, METRIC_RETURN_RATE, 1.0 / 3.0);
    expect_value(&v, METRIC_SCRAP_RATE, 0.25);
    expect_value(&v, METRIC_SHIPPING_COST_PER_ORDER, 667);
    expect_value(&v, METRIC_CART_ABANDONMENT_RATE, 0.7);
}

Test(metrics_formulas, names_are_the_api_fields)
{
    cr_expect_str_eq(metric_name(METRIC_AVERAGE_ORDER_VALUE), "average_order_value");
    cr_expect_str_eq(metric_name(METRIC_INTERNAL_CYCLE_HOURS), "internal_order_cycle_time_hours");
    cr_expect_str_eq(metric_name(METRIC_ORDER_PLACEMENT_RATE), "order_placement_rate");
    cr_expect_str_eq(metric_name(METRIC_CART_ABANDONMENT_RATE), "cart_abandonment_rate");
    cr_expect(metric_is_money(METRIC_SHIPPING_COST_PER_ORDER));
    cr_expect(!metric_is_money(METRIC_SCRAP_RATE));
}

Test(metrics_rounding, half_away_from_zero)
{
    cr_expect_eq(metrics_div_round(5, 2), 3);   /* 2.5 */
    cr_expect_eq(metrics_div_round(-5, 2), -3); /* -2.5 */
    cr_expect_eq(metrics_div_round(7, 2), 4);   /* 3.5 */
    cr_expect_eq(metrics_div_round(5797, 2), 2899);
    cr_expect_eq(metrics_div_round(10, 3), 3); /* 3.33 */
    cr_expect_eq(metrics_div_round(20, 3), 7); /* 6.67 */
    cr_expect_eq(metrics_div_round(-20, 3), -7);
    cr_expect_eq(metrics_div_round(20, -3), -7);
    cr_expect_eq(metrics_div_round(0, 9), 0);
    cr_expect_eq(metrics_div_round(1, 3), 0);
    cr_expect_eq(metrics_div_round(INT64_MAX, 1), INT64_MAX);
    cr_expect_eq(metrics_div_round(INT64_MAX, 2), INT64_MAX / 2 + 1); /* .5 rounds up */
}

/* ---- one order's counters -------------------------------------------------------------- */

static struct order_line g_lines[2];
static struct shipment g_shipments[2];
static struct order g_order;

static void order_init(void)
{
    memset(g_lines, 0, sizeof(g_lines));
    memset(g_shipments, 0, sizeof(g_shipments));
    g_lines[0] = (struct order_line){.qty = 2, .qty_allocated = 2};
    g_lines[1] = (struct order_line){.qty = 1, .qty_allocated = 1};
    g_order = (struct order){.status = ORDER_STATUS_ALLOCATED,
                             .lines = g_lines,
                             .lines_count = 2,
                             .created_at_ms = 1000 * HOUR_MS,
                             .promised_ship_by_ms = 1024 * HOUR_MS};
    g_order.totals.total = 4321;
    for (int i = 0; i < 2; i++) {
        g_shipments[i].status = SHIPMENT_STATUS_PENDING;
    }
}

static void ship(int i, int64_t at_hour, int64_t cost)
{
    g_shipments[i].status = SHIPMENT_STATUS_SHIPPED;
    g_shipments[i].shipped_at_ms = at_hour * HOUR_MS;
    g_shipments[i].cost = cost;
    g_lines[i].qty_shipped = g_lines[i].qty - g_lines[i].qty_cancelled;
}

static void deliver(int i, int64_t at_hour)
{
    g_shipments[i].status = SHIPMENT_STATUS_DELIVERED;
    g_shipments[i].delivered_at_ms = at_hour * HOUR_MS;
}

TestSuite(metrics_order, .init = order_init);

Test(metrics_order, captured_counts_once_with_its_total)
{
    struct metrics_order_flags flags = {0};
    struct metrics_counters c;
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.orders, 1);
    cr_expect_eq(c.total_sum, 4321);
    cr_expect_eq(c.filled, 1);
    cr_expect_eq(c.shipped_any, 0);
    cr_expect_eq(c.shipped_full, 0);
    flags.unfilled = true;
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.filled, 0);
}

Test(metrics_order, cancelled_before_shipping_counts_nowhere)
{
    g_order.status = ORDER_STATUS_CANCELLED;
    g_lines[0].qty_cancelled = 2;
    g_lines[1].qty_cancelled = 1;
    struct metrics_order_flags flags = {.unfilled = true, .merchant_fault = true};
    struct metrics_counters c;
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    struct metrics_counters zero = {0};
    cr_expect(memcmp(&c, &zero, sizeof(c)) == 0);
    cr_expect(!metrics_order_counted(&g_order));
}

Test(metrics_order, split_shipment_uses_the_last_ship_and_delivery)
{
    struct metrics_order_flags flags = {0};
    struct metrics_counters c;
    ship(0, 1010, 300);
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.shipped_any, 1);
    cr_expect_eq(c.shipping_cost, 300);
    cr_expect_eq(c.shipped_full, 0, "one of two shipments shipped is not fully shipped");
    ship(1, 1030, 450); /* after promised_ship_by (hour 1024) */
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.shipped_full, 1);
    cr_expect_eq(c.ship_cycle_ms, 30 * HOUR_MS);
    cr_expect_eq(c.on_time, 0);
    cr_expect_eq(c.shipping_cost, 750);
    cr_expect_eq(c.delivered_full, 0);
    deliver(0, 1040);
    deliver(1, 1050);
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.delivered_full, 1);
    cr_expect_eq(c.delivery_cycle_ms, 50 * HOUR_MS);
    cr_expect_eq(c.perfect, 0, "late: not perfect");
}

Test(metrics_order, on_time_delivered_is_perfect_unless_merchant_fault)
{
    struct metrics_order_flags flags = {0};
    struct metrics_counters c;
    ship(0, 1024, 0); /* at promised_ship_by exactly: on time */
    ship(1, 1020, 0);
    deliver(0, 1048);
    deliver(1, 1030);
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.on_time, 1);
    cr_expect_eq(c.perfect, 1);
    flags.merchant_fault = true;
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.perfect, 0);
    flags = (struct metrics_order_flags){.bad_return = true};
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.perfect, 0);
}

Test(metrics_order, pickup_is_its_own_delivery)
{
    struct metrics_order_flags flags = {0};
    struct metrics_counters c;
    g_order.lines_count = 1;
    g_shipments[0].status = SHIPMENT_STATUS_PICKED_UP;
    g_shipments[0].shipped_at_ms = 1005 * HOUR_MS;
    g_lines[0].qty_shipped = 2;
    metrics_order_counters(&g_order, g_shipments, 1, &flags, &c);
    cr_expect_eq(c.shipped_full, 1);
    cr_expect_eq(c.delivered_full, 1);
    cr_expect_eq(c.ship_cycle_ms, 5 * HOUR_MS);
    cr_expect_eq(c.delivery_cycle_ms, 5 * HOUR_MS);
    cr_expect_eq(c.perfect, 1);
}

Test(metrics_order, cancelled_rest_after_a_shipment_still_counts)
{
    struct metrics_order_flags flags = {.unfilled = true, .merchant_fault = true};
    struct metrics_counters c;
    ship(0, 1010, 100);
    g_lines[1].qty_cancelled = 1;
    g_order.status = ORDER_STATUS_SHIPPED;
    metrics_order_counters(&g_order, g_shipments, 2, &flags, &c);
    cr_expect_eq(c.orders, 1);
    cr_expect_eq(c.shipped_full, 1, "what was not cancelled has shipped");
    cr_expect_eq(c.filled, 0);
}

Test(metrics_order, counters_add_and_subtract)
{
    struct metrics_counters a = {
        .orders = 2, .total_sum = 10, .customers = 1, .carts_abandoned = 4};
    struct metrics_counters b = {.orders = 1, .total_sum = 3, .customers = 1, .carts_abandoned = 1};
    metrics_counters_add(&a, &b, -1);
    cr_expect_eq(a.orders, 1);
    cr_expect_eq(a.total_sum, 7);
    cr_expect_eq(a.customers, 0);
    cr_expect_eq(a.carts_abandoned, 3);
    metrics_counters_add(&a, &b, 1);
    cr_expect_eq(a.orders, 2);
}
