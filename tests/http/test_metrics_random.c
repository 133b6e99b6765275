/*
 * test_metrics_random.c — goal: the rollups behind GET /v1/metrics agree exactly with a full
 * recount from the raw records on a random dataset of 10,000 orders. Method: a seeded random
 * history over 40 days is written through the app's use cases with a chosen clock into a test
 * server's database (captures on four channels, 1 to 3 lines, pickups, a backordered SKU,
 * whole and partial cancellations, pick lists with short picks, pack, ship, deliver, pickups
 * collected, stock receipts, one order at 23:59:59.999 each day); the server then takes
 * traffic and costs over HTTP and answers the metrics for several ranges and filters. The
 * test recounts every metric from the SQLite file itself (sqlite3, read-only: orders, lines,
 * shipments, pick lists, the ledger, the events) and from the traffic and costs it sent, with
 * the formulas of METRICS.md, and requires the same numbers (money exactly, rates and hours
 * within 1e-9).
 *
 * Recount rules where METRICS.md leaves room (as in test_metrics.c): a pickup ships and is
 * delivered when picked up; "for lack of stock" is a line cancellation whose reason is
 * "out_of_stock" (a "customer_request" one keeps the order filled and perfect); an order is
 * unfilled when a line is backordered, one of its units was shorted on a pick list, or a line
 * was cancelled for lack of stock; a merchant fault is a short pick or an out_of_stock
 * cancellation.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "core/limits.h"
#include "lib/date.h"
#include "support/client.h"
#include "support/server.h"

#define RD_DAYS       40
#define RD_PER_DAY    249 /* + 1 at 23:59:59.999: 250 a day, 10,000 in all */
#define RD_SKUS       20
#define RD_MINUTE_MS  60000LL
#define RD_HOUR_MS    (60 * RD_MINUTE_MS)
#define RD_OUTPUT_MAX 4096
#define RD_CUSTOMERS  3000

static const struct principal rd_admin = {.role = ROLE_ADMIN, .key_id = "test"};
static const char *const rd_channels[] = {"web", "marketplace", "pos", "mobile"};
static const char *const rd_dcs[] = {"DC-EAST", "DC-WEST"};

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];

/* The day the dataset starts: 2026-09-01. */
static int64_t rd_day0(void)
{
    return date_days_from_civil(2026, 9, 1);
}

static int64_t rd_ms(int64_t day, int64_t ms_of_day)
{
    return (rd_day0() + day) * DATE_MS_PER_DAY + ms_of_day;
}

struct rd {
    struct app *app;
    struct arena arena;   /* for the whole build */
    struct arena scratch; /* reset after each command */
    struct app_ctx ctx;
    uint64_t rng;
    const char **pickups; /* shipment ids of the day's pickup orders */
    size_t pickups_count;
};

static uint32_t rd_rand(struct rd *r)
{
    r->rng ^= r->rng << 13;
    r->rng ^= r->rng >> 7;
    r->rng ^= r->rng << 17;
    return (uint32_t)(r->rng >> 11);
}

static int64_t rd_between(struct rd *r, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(rd_rand(r) % (uint32_t)(hi - lo + 1));
}

static void rd_ok(enum err_code code, const struct err *err, const char *what)
{
    cr_assert_eq(code, ERR_OK, "%s: %s %s (%s)", what, err_code_name(code), err->message,
                 err->items);
}

static void rd_location(struct rd *r, const char *code, const char *postal, double lat, double lon,
                        unsigned caps)
{
    struct location input = {
        .code = code,
        .name = code,
        .kind = caps == LOCATION_CAP_PICKUP ? LOCATION_KIND_STORE : LOCATION_KIND_WAREHOUSE,
        .address = {.line1 = "1 Main St",
                    .city = "City",
                    .region = "NJ",
                    .postal_code = postal,
                    .country = "US",
                    .lat = lat,
                    .lon = lon,
                    .has_coords = true,
                    .present = true},
        .capabilities = caps,
        .capacity_per_day = 100000,
        .handling_cost = 150,
        .priority = 10,
        .active = true,
        .cutoff_minute = 14 * 60,
        .handling_days = 1,
    };
    struct location out;
    struct err err = {0};
    rd_ok(app_location_create(&r->ctx, &input, NULL, &out, &err), &err, code);
}

static void rd_product(struct rd *r, const char *sku, int64_t price, bool stocked)
{
    struct product input = {.sku = sku,
                            .name = sku,
                            .price = price,
                            .currency = "USD",
                            .weight_grams = 300,
                            .kind = PRODUCT_KIND_SIMPLE,
                            .active = true};
    struct product out;
    struct err err = {0};
    rd_ok(app_product_create(&r->ctx, &input, NULL, &out, &err), &err, sku);
    static const char *const where[] = {"DC-EAST", "DC-WEST", "STORE-CHI"};
    for (size_t i = 0; stocked && i < 3; i++) {
        struct app_stock_count count = {.sku = sku, .location = where[i], .on_hand = 1000000};
        struct app_stock_view view;
        rd_ok(app_inventory_count(&r->ctx, &count, NULL, &view, &err), &err, "count");
    }
}

static const char *rd_sku(size_t i)
{
    static char names[RD_SKUS][8];
    snprintf(names[i], sizeof(names[i]), "S%02zu", i);
    return names[i];
}

static void rd_store(struct rd *r)
{
    r->ctx.now_ms = rd_ms(-1, 0);
    rd_location(r, "DC-EAST", "07114", 40.7, -74.17, LOCATION_CAP_SHIP);
    rd_location(r, "DC-WEST", "90021", 34.03, -118.24, LOCATION_CAP_SHIP);
    rd_location(r, "STORE-CHI", "60601", 41.88, -87.62, LOCATION_CAP_PICKUP);
    for (size_t i = 0; i < RD_SKUS; i++) {
        rd_product(r, rd_sku(i), 500 + 137 * (int64_t)i, true);
    }
    rd_product(r, "RARE", 3000, false);
}

/* The order's lines: 1 to 3 distinct SKUs, 1 to 3 units each, RARE in about 1 in 100. */
static size_t rd_lines(struct rd *r, struct order_line *lines)
{
    size_t count = (size_t)rd_between(r, 1, 3);
    size_t first = rd_rand(r) % RD_SKUS;
    for (size_t i = 0; i < count; i++) {
        lines[i] = (struct order_line){.line_no = (int)i + 1,
                                       .sku = rd_sku((first + i * 7) % RD_SKUS),
                                       .qty = rd_between(r, 1, 3)};
    }
    if (rd_rand(r) % 100 == 0) {
        lines[0].sku = "RARE";
    }
    return count;
}

static void rd_address(struct rd *r, struct address *to)
{
    bool west = rd_rand(r) % 2 == 0;
    *to = (struct address){.name = "Pat",
                           .line1 = "5 Broad St",
                           .city = west ? "Los Angeles" : "Newark",
                           .region = west ? "CA" : "NJ",
                           .postal_code = west ? "90012" : "07102",
                           .country = "US",
                           .present = true};
}

/* Cancels the order in full, or one unit of its first line for one of two reasons. */
static void rd_cancel(struct rd *r, const struct order *order, bool whole, int64_t at_ms)
{
    struct app_cancel_line line = {.line_id = order->lines[0].id, .qty = 1};
    bool stock = rd_rand(r) % 2 == 0;
    struct app_cancel cancel = {.reason = whole ? "customer_request"
                                                : (stock ? "out_of_stock" : "customer_request"),
                                .lines = whole ? NULL : &line,
                                .lines_count = whole ? 0 : 1};
    struct order after;
    struct err err = {0};
    r->ctx.now_ms = at_ms;
    rd_ok(app_order_cancel(&r->ctx, order->id, &cancel, NULL, &after, &err), &err, "cancel");
}

static void rd_order(struct rd *r, int64_t at_ms)
{
    struct order_line lines[3];
    struct order input = {
        .channel = rd_channels[rd_rand(r) % 4],
        .customer_email =
            arena_sprintf(&r->scratch, "c%u@example.com", (unsigned)(rd_rand(r) % RD_CUSTOMERS)),
        .currency = "USD",
        .lines = lines,
        .lines_count = rd_lines(r, lines),
        .ship_policy = SHIP_POLICY_ALLOW_SPLIT,
        .backorder = true,
        .payment_provider = "manual",
        .totals = {.shipping = rd_rand(r) % 2 == 0 ? 599 : 0, .tax = rd_between(r, 0, 300)},
    };
    bool pickup = rd_rand(r) % 10 == 0;
    if (pickup) {
        input.method = FULFILLMENT_PICKUP;
        input.pickup_location = "STORE-CHI";
        input.totals.shipping = 0;
    } else {
        rd_address(r, &input.shipping_address);
    }
    r->ctx.now_ms = at_ms;
    r->ctx.arena = &r->scratch;
    struct app_capture_result captured;
    struct err err = {0};
    rd_ok(app_order_capture(&r->ctx, &input, NULL, &captured, &err), &err, "capture");
    uint32_t fate = rd_rand(r) % 100;
    if (fate < 4 || (fate < 8 && captured.order.lines[0].qty >= 2)) {
        rd_cancel(r, &captured.order, fate < 4, at_ms + 5 * RD_MINUTE_MS);
    } else if (pickup && fate < 88 && captured.order.allocations_count > 0) {
        const char *id = captured.order.allocations[0].shipment_id;
        r->pickups[r->pickups_count++] = arena_strdup(&r->arena, id);
    }
    r->ctx.arena = &r->arena;
    arena_reset(&r->scratch);
}

/* An action of the fulfillment flow that may meet a shipment a short pick emptied or moved
 * (ERR_STATE): anything else is a failure. Returns whether it happened. */
static bool rd_step(enum err_code code, const struct err *err, const char *what)
{
    cr_assert(code == ERR_OK || code == ERR_STATE, "%s: %s %s", what, err_code_name(code),
              err->message);
    return code == ERR_OK;
}

/* The day's pickups: ready at 18:00, collected at 19:00. */
static void rd_pickups(struct rd *r, int64_t day)
{
    for (size_t i = 0; i < r->pickups_count; i++) {
        struct app_shipment_view view;
        struct err err = {0};
        r->ctx.arena = &r->scratch;
        r->ctx.now_ms = rd_ms(day, 18 * RD_HOUR_MS + (int64_t)i);
        if (rd_step(app_shipment_ready(&r->ctx, r->pickups[i], NULL, &view, &err), &err, "ready")) {
            r->ctx.now_ms = rd_ms(day, 19 * RD_HOUR_MS + (int64_t)i);
            const char *code = view.shipment.pickup_code;
            (void)rd_step(app_shipment_pickup(&r->ctx, r->pickups[i], code, NULL, &view, &err),
                          &err, "pickup");
        }
        arena_reset(&r->scratch);
    }
    r->ctx.arena = &r->arena;
    r->pickups_count = 0;
}

/* Packs and ships 85 in 100 shipments at 21:00 (cost 300..1500); delivers 3 in 4 of those
 * one to three days later. */
static void rd_ship(struct rd *r, const char *shipment_id, int64_t day, int64_t n)
{
    if (rd_rand(r) % 100 >= 85) {
        return;
    }
    int64_t weights[1] = {900};
    struct app_packages packages = {.weights_grams = weights, .count = 1};
    struct app_shipment_view view;
    struct err err = {0};
    r->ctx.now_ms = rd_ms(day, 21 * RD_HOUR_MS + n * 1000);
    if (!rd_step(app_shipment_pack(&r->ctx, shipment_id, &packages, NULL, &view, &err), &err,
                 "pack")) {
        return;
    }
    struct app_ship ship = {
        .carrier = "UPS", .tracking_number = "1Z999", .cost = rd_between(r, 300, 1500)};
    if (!rd_step(app_shipment_ship(&r->ctx, shipment_id, &ship, NULL, &view, &err), &err, "ship")) {
        return;
    }
    if (rd_rand(r) % 4 != 0) {
        r->ctx.now_ms = rd_ms(day + rd_between(r, 1, 3), 10 * RD_HOUR_MS + n * 1000);
        (void)rd_step(app_shipment_deliver(&r->ctx, shipment_id, NULL, &view, &err), &err,
                      "deliver");
    }
}

/* True when lines[i]'s shipment is on an earlier line (a wave's lines are in bin order). */
static bool rd_seen(const struct pick_list *list, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (strcmp(list->lines[k].shipment_id, list->lines[i].shipment_id) == 0) {
            return true;
        }
    }
    return false;
}

/* One pick list at a DC: started at 20:00 + k minutes, completed 10..40 minutes later, with a
 * unit short on 1 in 7 lists. Returns false when nothing was pending. */
static bool rd_pick_list(struct rd *r, const char *location, int64_t day, int64_t k)
{
    struct app_pick_list_input input = {.location = location, .max_shipments = 60};
    struct pick_list list;
    struct err err = {0};
    r->ctx.arena = &r->scratch;
    r->ctx.now_ms = rd_ms(day, 20 * RD_HOUR_MS + k * RD_MINUTE_MS);
    enum err_code code = app_pick_list_create(&r->ctx, &input, NULL, &list, &err);
    if (code == ERR_STATE) {
        return false;
    }
    rd_ok(code, &err, "pick list");
    struct app_pick_short short_unit = {.sku = list.lines[0].sku, .qty = 1};
    struct app_pick_complete complete = {0};
    if (rd_rand(r) % 7 == 0) {
        complete.shorts = &short_unit;
        complete.shorts_count = 1;
    }
    struct pick_list done;
    r->ctx.now_ms += rd_between(r, 10, 40) * RD_MINUTE_MS;
    rd_ok(app_pick_list_complete(&r->ctx, list.id, &complete, NULL, &done, &err), &err,
          "pick list complete");
    for (size_t i = 0; i < done.lines_count; i++) {
        if (!rd_seen(&done, i)) {
            rd_ship(r, done.lines[i].shipment_id, day, (int64_t)i);
        }
    }
    return true;
}

static void rd_evening(struct rd *r, int64_t day)
{
    rd_pickups(r, day);
    for (size_t dc = 0; dc < 2; dc++) {
        for (int64_t k = 0; k < 100 && rd_pick_list(r, rd_dcs[dc], day, k); k++) {
            arena_reset(&r->scratch);
        }
    }
    arena_reset(&r->scratch);
    r->ctx.arena = &r->arena;
}

static void rd_receipt(struct rd *r, int64_t day)
{
    struct app_stock_adjustment adjustment = {.sku = rd_sku(rd_rand(r) % RD_SKUS),
                                              .location = rd_dcs[rd_rand(r) % 2],
                                              .delta = rd_between(r, 5, 50),
                                              .reason = "receipt"};
    struct app_stock_view view;
    struct err err = {0};
    r->ctx.now_ms = rd_ms(day, 7 * RD_HOUR_MS);
    rd_ok(app_inventory_adjust(&r->ctx, &adjustment, NULL, &view, &err), &err, "receipt");
}

/* Writes the whole random history into the (stopped) server's database. */
static void rd_build(uint64_t seed)
{
    struct rd r = {.rng = seed};
    struct app_options options = {.db_path = g_server.db_path, .no_writer = true};
    struct err err = {0};
    rd_ok(app_open(&options, &r.app, &err), &err, "app_open");
    arena_init(&r.arena, (size_t)64 * 1024 * 1024);
    arena_init(&r.scratch, (size_t)16 * 1024 * 1024);
    r.ctx = (struct app_ctx){.app = r.app, .principal = &rd_admin, .arena = &r.arena};
    r.pickups = ARENA_NEW_ARRAY(&r.arena, const char *, RD_PER_DAY + 1);
    rd_store(&r);
    for (int64_t day = 0; day < RD_DAYS; day++) {
        rd_receipt(&r, day);
        for (int64_t i = 0; i < RD_PER_DAY; i++) {
            /* spread over 08:00 .. 17:59, past the 14:00 cut-off for some */
            rd_order(&r, rd_ms(day, 8 * RD_HOUR_MS + i * (10 * RD_HOUR_MS / RD_PER_DAY)));
        }
        rd_evening(&r, day);
        rd_order(&r, rd_ms(day, DATE_MS_PER_DAY - 1));
        arena_reset(&r.scratch);
    }
    app_close(r.app);
    arena_release(&r.scratch);
    arena_release(&r.arena);
}

/* ---- the recount ------------------------------------------------------------------------- */

#define RC_LOCATIONS 3
static const char *const rc_locations[RC_LOCATIONS] = {"DC-EAST", "DC-WEST", "STORE-CHI"};

/* One order as its raw records tell it. */
struct rc_order {
    char id[40];
    char channel[24];
    char customer[40];
    int64_t created_ms;
    int64_t total;
    int64_t promised_ms; /* 0: none */
    bool counted;        /* not cancelled in full before any shipment */
    bool lines_complete; /* every line shipped but what was cancelled, and something shipped */
    bool unfilled;
    bool merchant_fault;
    /* from its shipments that left (shipped, delivered or picked up) */
    bool any_left;
    bool all_delivered;
    int64_t last_ship_ms;
    int64_t last_delivery_ms;
    int64_t cost;
    bool left_at[RC_LOCATIONS];
    int64_t cost_at[RC_LOCATIONS];
};

struct rc_pick {
    int location; /* index in rc_locations */
    int64_t started_ms;
    int64_t completed_ms;
    char **orders; /* distinct order ids */
    size_t orders_count;
};

struct rc_stock {
    int location;
    int64_t at_ms;
    int64_t came_in;
    int64_t scrapped;
};

struct rc_input {
    int64_t day;
    const char *channel;  /* traffic */
    const char *location; /* cost; "" none */
    int64_t visitors, carts_created, carts_abandoned, cost;
};

struct rc_db {
    struct rc_order *orders;
    size_t orders_count;
    struct rc_pick *picks;
    size_t picks_count;
    struct rc_stock *stock;
    size_t stock_count;
    struct rc_input *inputs;
    size_t inputs_count;
};

static int rc_location(const char *code)
{
    for (int i = 0; i < RC_LOCATIONS; i++) {
        if (strcmp(rc_locations[i], code) == 0) {
            return i;
        }
    }
    cr_assert_fail("unknown location %s", code);
    return -1;
}

static int rc_compare_order(const void *a, const void *b)
{
    return strcmp(((const struct rc_order *)a)->id, ((const struct rc_order *)b)->id);
}

static struct rc_order *rc_find(struct rc_db *db, const char *id)
{
    struct rc_order key;
    snprintf(key.id, sizeof(key.id), "%s", id);
    struct rc_order *found =
        bsearch(&key, db->orders, db->orders_count, sizeof(key), rc_compare_order);
    cr_assert_not_null(found, "order %s not found", id);
    return found;
}

static sqlite3_stmt *rc_prepare(sqlite3 *sql, const char *text)
{
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq(sqlite3_prepare_v2(sql, text, -1, &stmt, NULL), SQLITE_OK, "%s: %s", text,
                 sqlite3_errmsg(sql));
    return stmt;
}

static const char *rc_text(sqlite3_stmt *stmt, int col)
{
    const unsigned char *text = sqlite3_column_text(stmt, col);
    return text != NULL ? (const char *)text : "";
}

/* Orders with what their lines say. */
static void rc_load_orders(sqlite3 *sql, struct rc_db *db)
{
    sqlite3_stmt *stmt = rc_prepare(
        sql, "SELECT o.id, o.channel, coalesce(o.customer_id, ''), o.created_at, o.total, "
             "coalesce(o.promised_ship_by, 0), o.status = 'cancelled', "
             "(SELECT sum(qty_shipped) FROM order_lines l WHERE l.order_id = o.id), "
             "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id "
             "   AND l.qty_shipped < l.qty - l.qty_cancelled), "
             "(SELECT count(*) FROM order_lines l WHERE l.order_id = o.id "
             "   AND l.qty_backordered > 0) "
             "FROM orders o ORDER BY o.id");
    size_t cap = 16384;
    db->orders = calloc(cap, sizeof(*db->orders));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        cr_assert_lt(db->orders_count, cap);
        struct rc_order *o = &db->orders[db->orders_count++];
        snprintf(o->id, sizeof(o->id), "%s", rc_text(stmt, 0));
        snprintf(o->channel, sizeof(o->channel), "%s", rc_text(stmt, 1));
        snprintf(o->customer, sizeof(o->customer), "%s", rc_text(stmt, 2));
        o->created_ms = sqlite3_column_int64(stmt, 3);
        o->total = sqlite3_column_int64(stmt, 4);
        o->promised_ms = sqlite3_column_int64(stmt, 5);
        int64_t shipped = sqlite3_column_int64(stmt, 7);
        o->counted = !(sqlite3_column_int(stmt, 6) != 0 && shipped == 0);
        o->lines_complete = shipped > 0 && sqlite3_column_int64(stmt, 8) == 0;
        o->unfilled = sqlite3_column_int64(stmt, 9) > 0;
        o->all_delivered = true;
    }
    sqlite3_finalize(stmt);
}

/* Shipments that left: shipped, delivered or picked up (a pickup leaves when collected). */
static void rc_load_shipments(sqlite3 *sql, struct rc_db *db)
{
    sqlite3_stmt *stmt =
        rc_prepare(sql, "SELECT s.order_id, l.code, s.status, s.cost, "
                        "CASE WHEN s.is_pickup THEN s.picked_up_at ELSE s.shipped_at END, "
                        "CASE WHEN s.is_pickup THEN s.picked_up_at ELSE s.delivered_at END "
                        "FROM shipments s JOIN locations l ON l.id = s.location_id "
                        "WHERE s.status IN ('shipped', 'delivered', 'picked_up')");
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct rc_order *o = rc_find(db, rc_text(stmt, 0));
        int at = rc_location(rc_text(stmt, 1));
        int64_t cost = sqlite3_column_int64(stmt, 3);
        int64_t shipped_ms = sqlite3_column_int64(stmt, 4);
        o->any_left = true;
        o->left_at[at] = true;
        o->cost += cost;
        o->cost_at[at] += cost;
        o->last_ship_ms = shipped_ms > o->last_ship_ms ? shipped_ms : o->last_ship_ms;
        if (strcmp(rc_text(stmt, 2), "shipped") == 0) {
            o->all_delivered = false;
        } else {
            int64_t delivered_ms = sqlite3_column_int64(stmt, 5);
            o->last_delivery_ms =
                delivered_ms > o->last_delivery_ms ? delivered_ms : o->last_delivery_ms;
        }
    }
    sqlite3_finalize(stmt);
}

/* Short picks and out_of_stock cancellations: unfilled and the merchant's fault. */
static void rc_load_faults(sqlite3 *sql, struct rc_db *db)
{
    sqlite3_stmt *stmt =
        rc_prepare(sql, "SELECT DISTINCT order_id FROM pick_list_lines WHERE qty_shorted > 0 "
                        "UNION SELECT entity_id FROM events WHERE kind = 'order.lines_cancelled' "
                        "AND json_extract(data, '$.reason') = 'out_of_stock'");
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        struct rc_order *o = rc_find(db, rc_text(stmt, 0));
        o->unfilled = true;
        o->merchant_fault = true;
    }
    sqlite3_finalize(stmt);
}

/* Completed pick lists with their distinct orders. */
static void rc_load_picks(sqlite3 *sql, struct rc_db *db)
{
    sqlite3_stmt *lists = rc_prepare(
        sql, "SELECT p.id, l.code, p.started_at, p.completed_at FROM pick_lists p "
             "JOIN locations l ON l.id = p.location_id WHERE p.completed_at IS NOT NULL");
    sqlite3_stmt *lines =
        rc_prepare(sql, "SELECT DISTINCT order_id FROM pick_list_lines WHERE pick_list_id = ?");
    size_t cap = 8192;
    db->picks = calloc(cap, sizeof(*db->picks));
    while (sqlite3_step(lists) == SQLITE_ROW) {
        cr_assert_lt(db->picks_count, cap);
        struct rc_pick *p = &db->picks[db->picks_count++];
        p->location = rc_location(rc_text(lists, 1));
        p->started_ms = sqlite3_column_int64(lists, 2);
        p->completed_ms = sqlite3_column_int64(lists, 3);
        sqlite3_bind_text(lines, 1, rc_text(lists, 0), -1, SQLITE_TRANSIENT);
        p->orders = calloc(PICK_LIST_SHIPMENTS_MAX * 4, sizeof(char *));
        while (sqlite3_step(lines) == SQLITE_ROW) {
            p->orders[p->orders_count++] = strdup(rc_text(lines, 0));
        }
        sqlite3_reset(lines);
    }
    sqlite3_finalize(lines);
    sqlite3_finalize(lists);
}

/* Units that came into stock and units scrapped, from the ledger. */
static void rc_load_stock(sqlite3 *sql, struct rc_db *db)
{
    sqlite3_stmt *stmt = rc_prepare(
        sql, "SELECT l.code, g.created_at, g.kind, g.on_hand_delta FROM inventory_ledger g "
             "JOIN locations l ON l.id = g.location_id "
             "WHERE g.kind IN ('receipt', 'assemble', 'return_restock', 'scrap')");
    size_t cap = 4096;
    db->stock = calloc(cap, sizeof(*db->stock));
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        cr_assert_lt(db->stock_count, cap);
        struct rc_stock *s = &db->stock[db->stock_count++];
        s->location = rc_location(rc_text(stmt, 0));
        s->at_ms = sqlite3_column_int64(stmt, 1);
        int64_t delta = sqlite3_column_int64(stmt, 3);
        if (strcmp(rc_text(stmt, 2), "scrap") == 0) {
            s->scrapped = -delta;
        } else {
            s->came_in = delta;
        }
    }
    sqlite3_finalize(stmt);
}

static void rc_load(const char *path, struct rc_db *db)
{
    sqlite3 *sql = NULL;
    cr_assert_eq(sqlite3_open_v2(path, &sql, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    rc_load_orders(sql, db);
    rc_load_shipments(sql, db);
    rc_load_faults(sql, db);
    rc_load_picks(sql, db);
    rc_load_stock(sql, db);
    sqlite3_close(sql);
}

static void rc_free(struct rc_db *db)
{
    for (size_t i = 0; i < db->picks_count; i++) {
        for (size_t k = 0; k < db->picks[i].orders_count; k++) {
            free(db->picks[i].orders[k]);
        }
        free(db->picks[i].orders);
    }
    free(db->picks);
    free(db->orders);
    free(db->stock);
}

/* ---- the metrics of a range, recounted ------------------------------------------------------ */

struct rc_query {
    int64_t from_day, to_day; /* days since the epoch, inclusive */
    const char *channel;      /* NULL: all */
    int location;             /* index in rc_locations, or -1: all */
};

struct rc_counts {
    int64_t orders, total, filled, shipped_full, ship_cycle_ms, on_time, delivered_full;
    int64_t delivery_cycle_ms, perfect, shipped_any, shipping_cost, customers;
    int64_t costs, picked_orders, pick_ms, scrapped, came_in;
    int64_t visitors, carts_created, carts_abandoned;
};

static bool rc_in(const struct rc_query *q, int64_t ms)
{
    int64_t day = date_day_of_ms(ms);
    return day >= q->from_day && day <= q->to_day;
}

static int rc_compare_text(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Distinct strings among texts[count] (sorted in place). */
static int64_t rc_distinct(const char **texts, size_t count)
{
    qsort(texts, count, sizeof(*texts), rc_compare_text);
    int64_t distinct = 0;
    for (size_t i = 0; i < count; i++) {
        distinct += i == 0 || strcmp(texts[i - 1], texts[i]) != 0;
    }
    return distinct;
}

static void rc_count_order(const struct rc_query *q, const struct rc_order *o, struct rc_counts *c)
{
    c->orders++;
    c->total += o->total;
    c->filled += !o->unfilled;
    bool left = q->location < 0 ? o->any_left : o->left_at[q->location];
    c->shipped_any += left;
    c->shipping_cost += q->location < 0 ? o->cost : o->cost_at[q->location];
    if (!o->lines_complete || !o->any_left) {
        return;
    }
    bool on_time = o->promised_ms == 0 || o->last_ship_ms <= o->promised_ms;
    c->shipped_full++;
    c->ship_cycle_ms += o->last_ship_ms - o->created_ms;
    c->on_time += on_time;
    if (o->all_delivered) {
        c->delivered_full++;
        c->delivery_cycle_ms += o->last_delivery_ms - o->created_ms;
        c->perfect += on_time && !o->merchant_fault;
    }
}

static void rc_count_orders(const struct rc_db *db, const struct rc_query *q, struct rc_counts *c)
{
    const char **customers = calloc(db->orders_count + 1, sizeof(char *));
    size_t customers_count = 0;
    for (size_t i = 0; i < db->orders_count; i++) {
        const struct rc_order *o = &db->orders[i];
        if (!o->counted || !rc_in(q, o->created_ms) ||
            (q->channel != NULL && strcmp(q->channel, o->channel) != 0)) {
            continue;
        }
        rc_count_order(q, o, c);
        customers[customers_count++] = o->customer;
    }
    c->customers = rc_distinct(customers, customers_count);
    free(customers);
}

static void rc_count_events(const struct rc_db *db, const struct rc_query *q, struct rc_counts *c)
{
    size_t cap = 0;
    for (size_t i = 0; i < db->picks_count; i++) {
        cap += db->picks[i].orders_count;
    }
    const char **picked = calloc(cap + 1, sizeof(char *));
    size_t picked_count = 0;
    for (size_t i = 0; i < db->picks_count; i++) {
        const struct rc_pick *p = &db->picks[i];
        if (rc_in(q, p->completed_ms) && (q->location < 0 || q->location == p->location)) {
            c->pick_ms += p->completed_ms - p->started_ms;
            for (size_t k = 0; k < p->orders_count; k++) {
                picked[picked_count++] = p->orders[k];
            }
        }
    }
    c->picked_orders = rc_distinct(picked, picked_count);
    free(picked);
    for (size_t i = 0; i < db->stock_count; i++) {
        const struct rc_stock *s = &db->stock[i];
        if (rc_in(q, s->at_ms) && (q->location < 0 || q->location == s->location)) {
            c->came_in += s->came_in;
            c->scrapped += s->scrapped;
        }
    }
    for (size_t i = 0; i < db->inputs_count; i++) {
        const struct rc_input *in = &db->inputs[i];
        if (in->day < q->from_day || in->day > q->to_day) {
            continue;
        }
        if (in->channel != NULL && (q->channel == NULL || strcmp(q->channel, in->channel) == 0)) {
            c->visitors += in->visitors;
            c->carts_created += in->carts_created;
            c->carts_abandoned += in->carts_abandoned;
        }
        if (in->location != NULL &&
            (q->location < 0 || strcmp(rc_locations[q->location], in->location) == 0)) {
            c->costs += in->cost;
        }
    }
}

/* ---- comparing --------------------------------------------------------------------------- */

struct rc_check {
    const json_t *got;
    const char *what; /* the request, for messages */
};

/* Money: num / den rounded half away from zero (num >= 0), or null when den is 0. Expectations,
 * not assertions, from here on: one run reports every metric and range that differs. */
static void rc_money(const struct rc_check *k, const char *field, int64_t num, int64_t den)
{
    const json_t *value = json_object_get(k->got, field);
    if (den == 0) {
        cr_expect(value != NULL && json_is_null(value), "%s: %s should be null (0 / 0)", k->what,
                  field);
        return;
    }
    int64_t want = (2 * num + den) / (2 * den);
    long long got = value != NULL && json_is_integer(value) ? json_integer_value(value) : -1;
    cr_expect_eq(got, want, "%s: %s = %" PRId64 " / %" PRId64 " = %" PRId64 ", got %lld", k->what,
                 field, num, den, want, got);
}

static void rc_ratio(const struct rc_check *k, const char *field, double num, double den)
{
    const json_t *value = json_object_get(k->got, field);
    if (den == 0) {
        cr_expect(value != NULL && json_is_null(value), "%s: %s should be null (%.0f / 0)", k->what,
                  field, num);
        return;
    }
    double want = num / den;
    if (value == NULL || !json_is_number(value)) {
        cr_expect_fail("%s: %s = %.9f, got null or nothing", k->what, field, want);
        return;
    }
    double got = json_number_value(value);
    cr_expect(fabs(got - want) <= 1e-9 * fmax(1.0, fabs(want)),
              "%s: %s = %.0f / %.0f = %.12f, got %.12f", k->what, field, num, den, want, got);
}

#define RC_HOUR 3600000.0

/* The metrics that depend on orders (all of them but the location-only ones). */
static void rc_compare_orders(const struct rc_check *k, const struct rc_counts *c)
{
    cr_expect_eq(json_integer_value(json_object_get(k->got, "orders")), c->orders,
                 "%s: orders %" PRId64, k->what, c->orders);
    rc_money(k, "average_order_value", c->total, c->orders);
    rc_ratio(k, "internal_order_cycle_time_hours", (double)c->ship_cycle_ms / RC_HOUR,
             (double)c->shipped_full);
    rc_ratio(k, "on_time_shipping_rate", (double)c->on_time, (double)c->shipped_full);
    rc_ratio(k, "order_fill_rate", (double)c->filled, (double)c->orders);
    rc_ratio(k, "order_fulfillment_cycle_time_hours", (double)c->delivery_cycle_ms / RC_HOUR,
             (double)c->delivered_full);
    rc_ratio(k, "order_placement_rate", (double)c->orders, (double)c->visitors);
    rc_ratio(k, "perfect_order_rate", (double)c->perfect, (double)c->delivered_full);
    rc_ratio(k, "purchase_frequency", (double)c->orders, (double)c->customers);
    rc_ratio(k, "return_rate", 0.0, (double)c->shipped_any);
    rc_ratio(k, "cart_abandonment_rate", (double)c->carts_abandoned, (double)c->carts_created);
}

/* The metrics a location restricts: pick lists, stock movements, shipments. */
static void rc_compare_location(const struct rc_check *k, const struct rc_counts *c)
{
    rc_ratio(k, "orders_picked_per_hour", (double)c->picked_orders, (double)c->pick_ms / RC_HOUR);
    rc_ratio(k, "scrap_rate", (double)c->scrapped, (double)c->came_in);
    rc_money(k, "shipping_cost_per_order", c->shipping_cost, c->shipped_any);
}

static void rc_day_text(int64_t day, char out[DATE_DAY_LEN])
{
    date_format_day(day, out);
}

/* GET /v1/metrics for the query and compares it with the recount. */
static void rc_compare(struct client *client, const struct rc_db *db, const struct rc_query *q)
{
    char from[DATE_DAY_LEN], to[DATE_DAY_LEN], path[256];
    rc_day_text(q->from_day, from);
    rc_day_text(q->to_day, to);
    int n = snprintf(path, sizeof(path), "/v1/metrics?from=%s&to=%s", from, to);
    if (q->channel != NULL) {
        n += snprintf(path + n, sizeof(path) - (size_t)n, "&channel=%s", q->channel);
    }
    if (q->location >= 0) {
        snprintf(path + n, sizeof(path) - (size_t)n, "&location=%s", rc_locations[q->location]);
    }
    struct rc_counts c = {0};
    rc_count_orders(db, q, &c);
    rc_count_events(db, q, &c);
    struct http_response res;
    long status = client_call(client, "GET", path, g_key, NULL, &res);
    cr_assert_eq(status, 200, "GET %s: %ld %s", path, status, res.body);
    struct rc_check k = {.got = res.json, .what = path};
    if (q->location < 0) {
        rc_compare_orders(&k, &c);
    }
    if (q->location < 0 && q->channel == NULL) {
        rc_money(&k, "cost_per_order", c.costs, c.orders);
    }
    rc_compare_location(&k, &c);
    http_response_release(&res);
}

/* Traffic for web and mobile and costs at each DC and of no location, most days. */
static void rc_inputs(struct client *client, struct rc_db *db, uint64_t seed)
{
    struct rd r = {.rng = seed ^ 0x9e3779b97f4a7c15ull};
    db->inputs = calloc(RD_DAYS * 5, sizeof(*db->inputs));
    static const char *const channels[] = {"web", "mobile"};
    static const char *const places[] = {"DC-EAST", "DC-WEST", ""};
    char body[256], path[96], day_text[DATE_DAY_LEN];
    for (int64_t day = 0; day < RD_DAYS; day++) {
        rc_day_text(rd_day0() + day, day_text);
        for (size_t i = 0; i < 2 && rd_rand(&r) % 10 != 0; i++) {
            struct rc_input *in = &db->inputs[db->inputs_count++];
            *in = (struct rc_input){.day = rd_day0() + day,
                                    .channel = channels[i],
                                    .visitors = rd_between(&r, 0, 9000),
                                    .carts_created = rd_between(&r, 0, 700)};
            in->carts_abandoned = rd_between(&r, 0, in->carts_created);
            snprintf(path, sizeof(path), "/v1/channels/%s/traffic", in->channel);
            snprintf(body, sizeof(body),
                     "{\"date\":\"%s\",\"visitors\":%" PRId64 ",\"carts_created\":%" PRId64
                     ",\"carts_abandoned\":%" PRId64 "}",
                     day_text, in->visitors, in->carts_created, in->carts_abandoned);
            struct http_response res;
            long status = client_call(client, "POST", path, g_key, body, &res);
            cr_assert(status == 200 || status == 201, "%s: %ld %s", path, status, res.body);
            http_response_release(&res);
        }
        for (size_t i = 0; i < 3; i++) {
            struct rc_input *in = &db->inputs[db->inputs_count++];
            *in = (struct rc_input){
                .day = rd_day0() + day, .location = places[i], .cost = rd_between(&r, 0, 250000)};
            int n = snprintf(body, sizeof(body), "{\"date\":\"%s\",", day_text);
            if (places[i][0] != '\0') {
                n +=
                    snprintf(body + n, sizeof(body) - (size_t)n, "\"location\":\"%s\",", places[i]);
            }
            snprintf(body + n, sizeof(body) - (size_t)n,
                     "\"category\":\"labor\",\"amount\":%" PRId64 "}", in->cost);
            struct http_response res;
            long status = client_call(client, "POST", "/v1/costs", g_key, body, &res);
            cr_assert(status == 200 || status == 201, "costs: %ld %s", status, res.body);
            http_response_release(&res);
        }
    }
}

TestSuite(metrics_random, .timeout = 600);

Test(metrics_random, rollups_agree_with_recount_on_10000_orders)
{
    const uint64_t seed = 20261129;
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    rd_build(seed);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    struct client *client = client_new(g_server.base_url);
    struct rc_db db = {0};
    rc_inputs(client, &db, seed);
    rc_load(g_server.db_path, &db);
    cr_assert_eq(db.orders_count, RD_DAYS * (RD_PER_DAY + 1));
    int64_t d0 = rd_day0();
    const struct rc_query queries[] = {
        {d0 - 5, d0 + RD_DAYS + 5, NULL, -1}, /* everything */
        {d0, d0 + RD_DAYS - 1, NULL, -1},     /* exactly the dataset */
        {d0 + 7, d0 + 13, NULL, -1},          /* a week */
        {d0 + 20, d0 + 20, NULL, -1},         /* a day */
        {d0 - 30, d0 - 1, NULL, -1},          /* before anything: nulls */
        {d0, d0 + RD_DAYS - 1, "web", -1},    {d0 + 3, d0 + 17, "marketplace", -1},
        {d0 + 10, d0 + 10, "pos", -1},        {d0, d0 + RD_DAYS - 1, NULL, 0},
        {d0 + 5, d0 + 25, NULL, 1},           {d0, d0 + RD_DAYS - 1, NULL, 2},
        {d0 + 30, d0 + 30, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(queries) / sizeof(queries[0]); i++) {
        rc_compare(client, &db, &queries[i]);
    }
    rc_free(&db);
    free(db.inputs);
    client_free(client);
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[RD_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
    test_server_cleanup(&g_server);
}
