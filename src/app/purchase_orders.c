/*
 * purchase_orders.c — drop-ship (issue 3, round 2). A line whose product names a drop-ship
 * supplier, and which Ordo's own locations cannot fill, routes whole to that supplier: the
 * order gets a shipment at the supplier and a purchase order for it instead of a pick. The
 * supplier ships (POST /v1/purchase-orders/{id}/ship) and the order's lines count as shipped.
 * No stock of Ordo moves: allocations at a location of kind supplier reserve nothing, are
 * released as nothing, and `ordo check` leaves them out of the reserved balance.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"

bool app_location_is_dropship(const struct location *location)
{
    ASSERT(location != NULL);
    return location->kind == LOCATION_KIND_SUPPLIER;
}

void app_dropship_available(const struct location *locations, size_t count,
                            const struct product *product, enum fulfillment_method method,
                            int64_t qty, int64_t *available)
{
    ASSERT(locations != NULL || count == 0);
    ASSERT(product != NULL && (available != NULL || count == 0));
    int64_t own = 0;
    for (size_t i = 0; i < count; i++) {
        const struct location *location = &locations[i];
        if (!app_location_is_dropship(location) && location->active && available[i] > 0 &&
            (location->capabilities & LOCATION_CAP_SHIP) != 0) {
            own += available[i];
        }
    }
    bool dropship = product->dropship_supplier != NULL && own < qty && method != FULFILLMENT_PICKUP;
    for (size_t i = 0; i < count; i++) {
        const struct location *location = &locations[i];
        if (!app_location_is_dropship(location)) {
            continue;
        }
        /* What a supplier location holds in Ordo is not Ordo's to promise. */
        available[i] = 0;
        if (dropship && strcmp(location->code, product->dropship_supplier) == 0 &&
            (location->capabilities & LOCATION_CAP_DROPSHIP) != 0) {
            available[i] = qty;
        }
    }
}

enum err_code app_purchase_order_raise(struct app_ctx *ctx, struct store_conn *conn,
                                       const struct order *order, const struct shipment *shipment,
                                       struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL && shipment != NULL);
    char id[ID_LEN_MAX];
    id_new(id, "po", ctx->now_ms);
    struct purchase_order po = {
        .id = arena_strdup(ctx->arena, id),
        .order_id = order->id,
        .shipment_id = shipment->id,
        .supplier_row_id = shipment->location_row_id,
        .created_at_ms = ctx->now_ms,
    };
    if (po.id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = store_purchase_order_insert(conn, ctx->arena, &po, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *data = arena_sprintf(ctx->arena,
                                     "{\"purchase_order_id\":\"%s\",\"number\":\"%s\",\"supplier\":"
                                     "\"%s\",\"shipment_id\":\"%s\"}",
                                     po.id, po.number, shipment->location_code, shipment->id);
    return app_event_add(conn, ctx, order->id, "order.purchase_order_created", data, err);
}

enum err_code app_dropship_release_skip(struct app_ctx *ctx, struct store_conn *conn,
                                        int64_t location_row_id, bool *skip, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && skip != NULL);
    return store_location_is_supplier(conn, location_row_id, skip, err);
}

enum err_code app_dropship_check(struct app_ctx *ctx, struct store_conn *conn,
                                 struct stock_row *open, size_t *open_count, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && open_count != NULL);
    size_t kept = 0;
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < *open_count; i++) {
        bool supplier = false;
        code = store_location_is_supplier(conn, open[i].location_row_id, &supplier, err);
        if (code == ERR_OK && !supplier) {
            open[kept++] = open[i];
        }
    }
    if (code == ERR_OK) {
        *open_count = kept;
    }
    return code;
}

/* ---- reads ------------------------------------------------------------------------------- */

enum err_code app_purchase_order_get(struct app_ctx *ctx, const char *id,
                                     struct purchase_order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && out != NULL);
    enum err_code code = ful_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = store_purchase_order_get(conn, ctx->arena, id, out, err);
    app_read_end(ctx, conn);
    if (code == ERR_OK && !ful_location_visible(ctx, out->supplier_code)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no purchase order '%s'", id);
    }
    return code;
}

/* The filter of a list query: the supplier (a warehouse key: its own location only). */
static enum err_code po_filter(struct app_ctx *ctx, struct store_conn *conn,
                               const struct app_purchase_order_query *query,
                               struct purchase_order_filter *filter, struct err *err)
{
    const char *supplier = query->supplier;
    const struct principal *who = ctx->principal;
    bool scoped = supplier == NULL && who->role == ROLE_WAREHOUSE;
    if (scoped) {
        supplier = who->scope_location;
    }
    memset(filter, 0, sizeof(*filter));
    filter->has_status = query->has_status;
    filter->status = query->status;
    filter->before_id = query->page.cursor;
    filter->limit = query->page.limit;
    if (supplier == NULL) {
        return ERR_OK;
    }
    if (!ful_location_visible(ctx, supplier)) {
        return err_set(err, ERR_FORBIDDEN, "supplier", "this key may not see '%s'", supplier);
    }
    struct location location;
    enum err_code code = store_location_get(conn, ctx->arena, supplier, &location, err);
    if (scoped &&
        (code == ERR_NOT_FOUND || (code == ERR_OK && !app_location_is_dropship(&location)))) {
        err_clear(err);
        filter->supplier_row_id = -1; /* a warehouse that is no supplier has none */
        return ERR_OK;
    }
    if (code == ERR_NOT_FOUND || (code == ERR_OK && !app_location_is_dropship(&location))) {
        return err_set(err, ERR_INVALID, "supplier", "no supplier location '%s'", supplier);
    }
    filter->supplier_row_id = location.row_id;
    return code;
}

enum err_code app_purchase_order_list(struct app_ctx *ctx, struct app_purchase_order_query *query,
                                      struct purchase_order **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && query != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = ful_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct purchase_order_filter filter;
    code = po_filter(ctx, conn, query, &filter, err);
    if (code == ERR_OK) {
        code = store_purchase_order_list(conn, ctx->arena, &filter, out, count, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_OK) {
        query->page.next_cursor =
            *count == query->page.limit && *count > 0 ? (*out)[*count - 1].id : NULL;
    }
    return code;
}

/* ---- the supplier's shipment --------------------------------------------------------------- */

struct po_ship_arg {
    const char *id;
    const struct app_ship *ship;
    struct purchase_order *out;
};

/* The supplier picked, packed and shipped: the shipment goes through the same table. */
static enum err_code po_ship_shipment(struct app_ctx *ctx, const struct app_ship *ship,
                                      struct shipment *shipment, struct err *err)
{
    static const enum shipment_status steps[] = {SHIPMENT_STATUS_PICKING, SHIPMENT_STATUS_PACKED,
                                                 SHIPMENT_STATUS_SHIPPED};

    for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
        enum err_code code = shipment_transition(shipment, steps[i], err);
        if (code != ERR_OK) {
            return code;
        }
    }
    shipment->carrier = ship->carrier;
    shipment->service = ship->service;
    shipment->tracking_number = ship->tracking_number;
    shipment->cost = ship->cost;
    shipment->shipped_at_ms = ctx->now_ms;
    shipment->updated_at_ms = ctx->now_ms;
    return ERR_OK;
}

/* The shipment's units count as shipped on their lines (no stock of Ordo moves). */
static void po_ship_lines(struct order *order, const struct shipment *shipment)
{
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *a = &order->allocations[i];
        if (a->qty > 0 && a->shipment_id != NULL && strcmp(a->shipment_id, shipment->id) == 0) {
            struct order_line *line = ful_order_line(order, a->line_id);
            if (line != NULL) {
                line->qty_shipped += a->qty;
            }
        }
    }
}

/* ERR_STATE unless the purchase order is open and its order may go into fulfillment. */
static enum err_code po_ship_allowed(const struct purchase_order *po, const struct order *order,
                                     const struct shipment *shipment, struct err *err)
{
    if (shipment->status != SHIPMENT_STATUS_PENDING) {
        return err_set_reason(
            err, ERR_STATE, "invalid_state", NULL, "purchase order %s is %s", po->number,
            shipment->status == SHIPMENT_STATUS_CANCELLED ? "cancelled" : "already shipped");
    }
    if (order->status != ORDER_STATUS_ALLOCATED && order->status != ORDER_STATUS_IN_FULFILLMENT &&
        order->status != ORDER_STATUS_PARTIALLY_SHIPPED) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "order %s is %s: its purchase order may not ship now", order->number,
                              order_status_name(order->status));
    }
    return ERR_OK;
}

static enum err_code po_ship_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct po_ship_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct purchase_order po;
    struct shipment shipment;
    struct order order;
    memset(&shipment, 0, sizeof(shipment));
    enum err_code code = store_purchase_order_get(conn, ctx->arena, arg->id, &po, err);
    if (code == ERR_OK && !ful_location_visible(ctx, po.supplier_code)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no purchase order '%s'", arg->id);
    }
    if (code == ERR_OK) {
        code = ful_load(ctx, conn, po.shipment_id, &shipment, &order, err);
    }
    if (code == ERR_OK) {
        code = po_ship_allowed(&po, &order, &shipment, err);
    }
    int64_t expected = shipment.version;
    if (code == ERR_OK) {
        code = po_ship_shipment(ctx, arg->ship, &shipment, err);
    }
    if (code == ERR_OK) {
        code = store_shipment_save(conn, &shipment, expected, err);
    }
    if (code == ERR_OK && order.status == ORDER_STATUS_ALLOCATED) {
        code = order_transition(&order, ORDER_STATUS_IN_FULFILLMENT, err);
    }
    if (code == ERR_OK) {
        po_ship_lines(&order, &shipment);
        code = ful_order_settle(ctx, conn, &order, err);
    }
    if (code == ERR_OK) {
        code = app_payment_capture_shipment(ctx, conn, &order, &shipment, err); /* payments */
    }
    if (code == ERR_OK) {
        code = app_invoice_on_ship(ctx, conn, &order, err);
    }
    if (code == ERR_OK) {
        const char *extra =
            arena_sprintf(ctx->arena, "\"purchase_order_id\":\"%s\",\"tracking_number\":\"%s\"",
                          po.id, shipment.tracking_number);
        code = ful_order_save(ctx, conn, &order, "order.shipment_shipped",
                              ful_event_data(ctx, &shipment, extra), err);
    }
    if (code == ERR_OK) {
        code = store_purchase_order_get(conn, ctx->arena, po.id, arg->out, err);
    }
    write->result = arg->out;
    return code;
}

enum err_code app_purchase_order_ship(struct app_ctx *ctx, const char *id,
                                      const struct app_ship *ship, struct app_idempotency *idem,
                                      struct purchase_order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && ship != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_FULFILLMENT, err);
    if (code != ERR_OK) {
        return code;
    }
    if (ship->carrier == NULL || ship->carrier[0] == '\0') {
        return err_set(err, ERR_INVALID, "carrier", "carrier is required");
    }
    if (ship->tracking_number == NULL || ship->tracking_number[0] == '\0') {
        return err_set(err, ERR_INVALID, "tracking_number", "tracking_number is required");
    }
    if (ship->cost < 0 || ship->cost > MONEY_AMOUNT_MAX) {
        return err_set(err, ERR_INVALID, "cost", "cost must be between 0 and %lld, got %" PRId64,
                       MONEY_AMOUNT_MAX, ship->cost);
    }
    struct po_ship_arg arg = {.id = id, .ship = ship, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = po_ship_run, .arg = &arg};
    return app_write_run(&write, err);
}
