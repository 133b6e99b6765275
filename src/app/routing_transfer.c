/*
 * routing_transfer.c — BOPIS ship-to-store (issue 3, round 2). A pickup order whose store
 * cannot fill it, and which allows a transfer ("fulfillment": {"method": "pickup", "location":
 * "STORE-12", "allow_transfer": true}), is reserved at the warehouse the routing engine finds
 * cheapest for the store's address. Its warehouse shipment is a transfer (routing_transfers):
 *   1. the warehouse picks, packs and ships it like any shipment; shipping releases the
 *      reservation there and moves the units out (ledger release + transfer_out) — the
 *      customer's lines are not shipped and no payment is captured;
 *   2. POST /v1/shipments/{id}/deliver means it arrived at the store: the units are received
 *      there (transfer_in + reserve) onto a new pending pickup shipment at the store, which
 *      takes the order's allocations;
 *   3. the store makes that shipment ready (pickup code) and hands it over as any pickup.
 * The promise (order promised_ship_by, transfer ready_by) is the warehouse's ship-by plus the
 * transit days of the cheapest service to the store.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"

enum err_code app_transfer_is(struct app_ctx *ctx, struct store_conn *conn,
                              const struct shipment *shipment, bool *transfer, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && shipment != NULL && transfer != NULL);
    struct routing_transfer t;
    return store_transfer_get(conn, ctx->arena, shipment->id, &t, transfer, err);
}

/* One balance movement of a line's units (kits through components) with its ledger rows. */
struct transfer_move {
    const struct order_line *line;
    int64_t location_row_id;
    int64_t qty;
    enum ledger_kind kind;
    int64_t on_hand_per_unit;
    int64_t reserved_per_unit;
    const char *ref_id; /* the transfer's shipment */
};

static enum err_code transfer_move(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct transfer_move *move, struct err *err)
{
    struct product kit;
    const struct product *product = NULL;
    enum err_code code = ful_line_product(ctx, conn, move->line, &kit, &product, err);
    size_t parts = product != NULL ? product->components_count : 1;
    for (size_t c = 0; code == ERR_OK && c < parts; c++) {
        int64_t units = move->qty * (product != NULL ? product->components[c].qty : 1);
        struct ledger_entry entry = {
            .product_row_id = product != NULL ? product->components[c].product_row_id
                                              : move->line->product_row_id,
            .location_row_id = move->location_row_id,
            .kind = move->kind,
            .on_hand_delta = units * move->on_hand_per_unit,
            .reserved_delta = units * move->reserved_per_unit,
            .ref_type = "transfer",
            .ref_id = move->ref_id,
            .created_at_ms = ctx->now_ms,
        };
        code =
            store_stock_apply(conn, entry.product_row_id, entry.location_row_id,
                              entry.on_hand_delta, entry.reserved_delta, false, ctx->now_ms, err);
        if (code == ERR_OK) {
            code = store_ledger_insert(conn, &entry, err);
        }
    }
    return code;
}

/* Applies two movements (kind_a then kind_b) to every allocation of the shipment. */
static enum err_code transfer_each(struct app_ctx *ctx, struct store_conn *conn,
                                   struct order *order, const struct shipment *shipment,
                                   const struct transfer_move *pair, struct err *err)
{
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *a = &order->allocations[i];
        struct order_line *line = ful_order_line(order, a->line_id);
        if (a->qty == 0 || line == NULL || a->shipment_id == NULL ||
            strcmp(a->shipment_id, shipment->id) != 0) {
            continue;
        }
        for (size_t k = 0; k < 2; k++) {
            struct transfer_move move = pair[k];
            move.line = line;
            move.qty = a->qty;
            move.ref_id = shipment->id;
            enum err_code code = transfer_move(ctx, conn, &move, err);
            if (code != ERR_OK) {
                return code;
            }
        }
    }
    return ERR_OK;
}

enum err_code app_transfer_ship(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                const struct shipment *shipment, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && shipment != NULL);
    const struct transfer_move pair[2] = {
        {.kind = LEDGER_RELEASE,
         .reserved_per_unit = -1,
         .location_row_id = shipment->location_row_id},
        {.kind = LEDGER_TRANSFER_OUT,
         .on_hand_per_unit = -1,
         .location_row_id = shipment->location_row_id},
    };
    return transfer_each(ctx, conn, order, shipment, pair, err);
}

/* The store's pickup shipment for the received units (inserted). */
static enum err_code transfer_pickup_shipment(struct app_ctx *ctx, struct store_conn *conn,
                                              const struct order *order,
                                              const struct location *store, struct shipment *out,
                                              struct err *err)
{
    char id[ID_LEN_MAX];
    id_new(id, "shp", ctx->now_ms);
    *out = (struct shipment){
        .id = arena_strdup(ctx->arena, id),
        .order_id = order->id,
        .location_row_id = store->row_id,
        .location_code = store->code,
        .status = SHIPMENT_STATUS_PENDING,
        .is_pickup = true,
        .promised_ship_by_ms = order_promise_ship_by(ctx->now_ms, store->cutoff_minute, 0),
        .version = 1,
        .created_at_ms = ctx->now_ms,
        .updated_at_ms = ctx->now_ms,
    };
    if (out->id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return store_shipment_insert(conn, out, err);
}

enum err_code app_transfer_receive(struct app_ctx *ctx, struct store_conn *conn,
                                   struct order *order, const struct shipment *shipment,
                                   struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && shipment != NULL);
    struct routing_transfer t;
    bool found = false;
    struct location store;
    struct shipment pickup;
    enum err_code code = store_transfer_get(conn, ctx->arena, shipment->id, &t, &found, err);
    if (code == ERR_OK && !found) {
        return err_set(err, ERR_INTERNAL, NULL, "shipment %s is no transfer", shipment->id);
    }
    if (code == ERR_OK) {
        code = store_location_get(conn, ctx->arena, t.to_code, &store, err);
    }
    if (code == ERR_OK) {
        const struct transfer_move pair[2] = {
            {.kind = LEDGER_TRANSFER_IN, .on_hand_per_unit = 1, .location_row_id = store.row_id},
            {.kind = LEDGER_RESERVE, .reserved_per_unit = 1, .location_row_id = store.row_id},
        };
        code = transfer_each(ctx, conn, order, shipment, pair, err);
    }
    if (code == ERR_OK) {
        code = transfer_pickup_shipment(ctx, conn, order, &store, &pickup, err);
    }
    for (size_t i = 0; code == ERR_OK && i < order->allocations_count; i++) {
        struct allocation *a = &order->allocations[i];
        if (a->shipment_id != NULL && strcmp(a->shipment_id, shipment->id) == 0) {
            a->location_row_id = store.row_id;
            a->location_code = store.code;
            a->shipment_id = pickup.id;
        }
    }
    if (code == ERR_OK) {
        code = store_transfer_received(conn, shipment->id, pickup.id, ctx->now_ms, err);
    }
    if (code == ERR_OK) {
        const char *data = arena_sprintf(ctx->arena,
                                         "{\"shipment_id\":\"%s\",\"from\":\"%s\",\"store\":\"%s\","
                                         "\"pickup_shipment_id\":\"%s\"}",
                                         shipment->id, t.from_code, store.code, pickup.id);
        code = app_event_add(conn, ctx, order->id, "order.transfer_received", data, err);
    }
    return code;
}

enum err_code app_transfer_record(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct order *order,
                                  const struct routing_transfer *transfer, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && transfer != NULL);
    enum err_code code = store_transfer_insert(conn, transfer, err);
    if (code == ERR_OK) {
        const char *data = arena_sprintf(ctx->arena,
                                         "{\"shipment_id\":\"%s\",\"from\":\"%s\",\"store\":\"%s\","
                                         "\"ready_by\":%" PRId64 "}",
                                         transfer->shipment_id, transfer->from_code,
                                         transfer->to_code, transfer->ready_by_ms);
        code = app_event_add(conn, ctx, order->id, "order.transfer_planned", data, err);
    }
    return code;
}
