/*
 * backorders.c — stock that arrives goes to the orders waiting for it, oldest first, in the
 * transaction of the stock change; and the periodic jobs (`ordo jobs run` and the server's
 * timer): BOPIS orders not collected within their store's hold days are cancelled and their
 * stock released. Each expiry is its own writer command, so one bad order stops no other.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"

/* Orders filled by one stock change at most (the rest wait for the next change). */
#define BACKORDERS_FILL_MAX 100

/* True when the location may serve the order (its pickup store, or a location that ships). */
static bool backorders_location_serves(const struct order *order, const struct location *location)
{
    if (!location->active) {
        return false;
    }
    if (order->method == FULFILLMENT_PICKUP) {
        return order->pickup_location != NULL &&
               strcmp(order->pickup_location, location->code) == 0;
    }
    return (location->capabilities & LOCATION_CAP_SHIP) != 0;
}

/* Allocates what the location has of the order's backordered lines of one product. */
static enum err_code backorders_fill_order(struct app_ctx *ctx, struct store_conn *conn,
                                           const char *order_id, int64_t product_row_id,
                                           const struct location *location, struct err *err)
{
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, order_id, &order, err);
    if (code != ERR_OK || !backorders_location_serves(&order, location)) {
        return code;
    }
    int64_t filled = 0;
    const char *sku = NULL;
    for (size_t i = 0; code == ERR_OK && i < order.lines_count; i++) {
        struct order_line *line = &order.lines[i];
        if (line->product_row_id != product_row_id || line->qty_backordered == 0) {
            continue;
        }
        int64_t available = 0;
        code = ful_available(ctx, conn, line, location->row_id, &available, err);
        int64_t take = available < line->qty_backordered ? available : line->qty_backordered;
        /* ship_complete orders take a line's units from one place or wait. */
        if (order.ship_policy == SHIP_POLICY_SHIP_COMPLETE && take < line->qty_backordered) {
            take = 0;
        }
        if (code == ERR_OK && take > 0) {
            struct ful_units units = {.line_index = i, .location = location, .qty = take};
            code = ful_allocate(ctx, conn, &order, &units, err);
            line->qty_backordered -= take;
            filled += take;
            sku = line->sku;
        }
    }
    if (code != ERR_OK || filled == 0) {
        return code;
    }
    code = ful_order_settle(ctx, conn, &order, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *data =
        arena_sprintf(ctx->arena, "{\"sku\":\"%s\",\"location\":\"%s\",\"qty\":%" PRId64 "}", sku,
                      location->code, filled);
    return ful_order_save(ctx, conn, &order, "order.backorder_allocated", data, err);
}

/* The backordered orders of one product (simple, or a kit) at the location. */
static enum err_code backorders_fill_product(struct app_ctx *ctx, struct store_conn *conn,
                                             int64_t product_row_id,
                                             const struct location *location, struct err *err)
{
    struct store_ids ids = {.limit = BACKORDERS_FILL_MAX};
    enum err_code code = store_backorder_orders(conn, ctx->arena, product_row_id, &ids, err);
    for (size_t i = 0; code == ERR_OK && i < ids.count; i++) {
        code = backorders_fill_order(ctx, conn, ids.ids[i], product_row_id, location, err);
    }
    return code;
}

enum err_code app_backorders_fill(struct app_ctx *ctx, struct store_conn *conn,
                                  int64_t product_row_id, const struct location *location,
                                  struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(location != NULL && product_row_id > 0);
    enum err_code code = backorders_fill_product(ctx, conn, product_row_id, location, err);
    int64_t *kits = NULL;
    size_t kits_count = 0;
    if (code == ERR_OK) {
        code = store_product_kits_using(conn, ctx->arena, product_row_id, &kits, &kits_count, err);
    }
    for (size_t i = 0; code == ERR_OK && i < kits_count; i++) {
        code = backorders_fill_product(ctx, conn, kits[i], location, err);
    }
    return code;
}

/* ---- jobs --------------------------------------------------------------------------------- */

struct jobs_expire_arg {
    const char *shipment_id;
    bool expired; /* out: the pickup was cancelled */
};

/* Cancels the units of the expired pickup: released at the store, counted cancelled. */
static enum err_code jobs_release(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                  const struct shipment *shipment, struct err *err)
{
    for (size_t i = 0; i < order->allocations_count; i++) {
        struct allocation *allocation = &order->allocations[i];
        if (allocation->qty == 0 || allocation->shipment_id == NULL ||
            strcmp(allocation->shipment_id, shipment->id) != 0) {
            continue;
        }
        struct order_line *line = ful_order_line(order, allocation->line_id);
        struct product kit;
        const struct product *product = NULL;
        enum err_code code =
            line != NULL ? ful_line_product(ctx, conn, line, &kit, &product, err) : ERR_INTERNAL;
        if (code == ERR_OK) {
            struct app_release release = {.line = line,
                                          .product = product,
                                          .location_row_id = allocation->location_row_id,
                                          .qty = allocation->qty};
            code = app_stock_release(ctx, conn, &release, err);
        }
        if (code != ERR_OK) {
            return code == ERR_INTERNAL ? err_set(err, code, NULL, "allocation without line")
                                        : code;
        }
        line->qty_allocated -= allocation->qty;
        line->qty_cancelled += allocation->qty;
        allocation->qty = 0;
    }
    return ERR_OK;
}

static enum err_code jobs_expire_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct jobs_expire_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct shipment shipment;
    struct order order;
    enum err_code code = ful_load(ctx, conn, arg->shipment_id, &shipment, &order, err);
    if (code != ERR_OK || shipment.status != SHIPMENT_STATUS_READY_FOR_PICKUP) {
        return code; /* collected or cancelled since the list was read */
    }
    int64_t expected = shipment.version;
    code = shipment_transition(&shipment, SHIPMENT_STATUS_CANCELLED, err);
    if (code == ERR_OK) {
        shipment.cancelled_at_ms = ctx->now_ms;
        shipment.updated_at_ms = ctx->now_ms;
        code = store_shipment_save(conn, &shipment, expected, err);
    }
    if (code == ERR_OK) {
        code = jobs_release(ctx, conn, &order, &shipment, err);
    }
    if (code == ERR_OK) {
        code = ful_compact(ctx, conn, &order, err);
    }
    bool all = true;
    for (size_t i = 0; i < order.lines_count; i++) {
        all = all && order.lines[i].qty_cancelled == order.lines[i].qty;
    }
    if (code == ERR_OK && all) {
        code = order_transition(&order, ORDER_STATUS_CANCELLED, err);
        order.cancelled_at_ms = ctx->now_ms;
        order.cancel_reason = "pickup_expired";
        if (code == ERR_OK) {
            code = app_payment_void(ctx, conn, &order, err); /* payments: void what is left */
        }
    } else if (code == ERR_OK) {
        code = ful_order_settle(ctx, conn, &order, err);
    }
    if (code == ERR_OK) {
        arg->expired = true;
        code = ful_order_save(ctx, conn, &order, "order.pickup_expired",
                              ful_event_data(ctx, &shipment, NULL), err);
    }
    return code;
}

struct jobs_purge_arg {
    int64_t before_ms;
    size_t deleted;
};

static enum err_code jobs_purge_run(struct app_write *write, struct store_conn *conn,
                                    struct err *err)
{
    struct jobs_purge_arg *arg = write->arg;
    return store_idempotency_purge(conn, arg->before_ms, JOBS_BATCH_MAX, &arg->deleted, err);
}

/* Forgets old idempotency answers, one batch per writer command, until none is left. */
static enum err_code jobs_purge_idempotency(struct app_ctx *ctx, struct app_jobs_result *out,
                                            struct err *err)
{
    struct jobs_purge_arg arg = {.before_ms = ctx->now_ms - IDEMPOTENCY_RETENTION_MS};
    struct app_write write = {.ctx = ctx, .run = jobs_purge_run, .arg = &arg};
    enum err_code code = ERR_OK;
    do {
        arg.deleted = 0;
        code = app_write_run(&write, err);
        out->idempotency_keys_purged += arg.deleted;
    } while (code == ERR_OK && arg.deleted == JOBS_BATCH_MAX);
    return code;
}

/* holds (issue 3, holds.c): releases the soft holds whose time ran out, a batch per command. */
static enum err_code jobs_holds_run(struct app_write *write, struct store_conn *conn,
                                    struct err *err)
{
    return app_holds_expire(write->ctx, conn, write->arg, err);
}

static enum err_code jobs_expire_holds(struct app_ctx *ctx, struct app_jobs_result *out,
                                       struct err *err)
{
    size_t released = 0;
    struct app_write write = {.ctx = ctx, .run = jobs_holds_run, .arg = &released};
    enum err_code code = ERR_OK;
    do {
        released = 0;
        code = app_write_run(&write, err);
        out->holds_expired += released;
    } while (code == ERR_OK && released == JOBS_BATCH_MAX);
    return code;
}

enum err_code app_jobs_run(struct app_ctx *ctx, struct app_jobs_result *out, struct err *err)
{
    ASSERT(ctx != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_FULFILLMENT, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct store_ids ids = {.limit = JOBS_BATCH_MAX};
    code = store_shipment_expired_pickups(conn, ctx->arena, ctx->now_ms, &ids, err);
    app_read_end(ctx, conn);
    for (size_t i = 0; code == ERR_OK && i < ids.count; i++) {
        struct jobs_expire_arg arg = {.shipment_id = ids.ids[i]};
        struct app_write write = {.ctx = ctx, .run = jobs_expire_run, .arg = &arg};
        code = app_write_run(&write, err);
        out->pickups_expired += arg.expired ? 1 : 0;
    }
    if (code == ERR_OK) {
        code = jobs_expire_holds(ctx, out, err); /* holds */
    }
    return code == ERR_OK ? jobs_purge_idempotency(ctx, out, err) : code;
}
