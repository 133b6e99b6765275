/*
 * shipments.c — reading shipments and acting on one: pack, ship, deliver, and the BOPIS
 * hand-over (ready with a pickup code, pickup with the code). Each action is one writer
 * command that re-reads the shipment and its order, moves both through core's tables,
 * moves stock with its ledger rows and records an order event; a refused action changes
 * nothing. A warehouse key sees and acts on its own location's shipments only.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"
#include "lib/json.h"

enum err_code app_shipment_get(struct app_ctx *ctx, const char *id, struct shipment *out,
                               struct order *order_out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL && order_out != NULL);
    enum err_code code = ful_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = ful_load(ctx, conn, id, out, order_out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* The store filter of a query: the location's row id, the principal's scope, the cursor. */
static enum err_code shipments_filter(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct app_shipment_query *query,
                                      struct shipment_filter *filter, struct err *err)
{
    const struct principal *who = ctx->principal;
    const char *location = query->location;
    if (who->role == ROLE_WAREHOUSE) {
        if (location != NULL && !ful_location_visible(ctx, location)) {
            return err_set(err, ERR_FORBIDDEN, "location", "this key sees only location '%s'",
                           who->scope_location != NULL ? who->scope_location : "");
        }
        location = who->scope_location;
    }
    memset(filter, 0, sizeof(*filter));
    filter->has_status = query->has_status;
    filter->status = query->status;
    filter->late_at_ms = query->late ? ctx->now_ms : 0;
    filter->before_id = query->page.cursor;
    filter->limit = query->page.limit;
    filter->order_id = query->order_id;
    if (location == NULL) {
        return ERR_OK;
    }
    struct location found;
    enum err_code code = store_location_get(conn, ctx->arena, location, &found, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "location", "no location '%s'", location);
    }
    filter->location_row_id = found.row_id;
    return code;
}

enum err_code app_shipment_list(struct app_ctx *ctx, struct app_shipment_query *query,
                                struct app_shipment_view **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && query != NULL && out != NULL && count != NULL);
    ASSERT(query->page.limit > 0 && query->page.limit <= PAGE_LIMIT_MAX);
    *out = NULL;
    *count = 0;
    query->page.next_cursor = NULL;
    enum err_code code = ful_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct shipment_filter filter;
    struct shipment *shipments = NULL;
    size_t n = 0;
    code = shipments_filter(ctx, conn, query, &filter, err);
    if (code == ERR_OK) {
        code = store_shipment_list(conn, ctx->arena, &filter, &shipments, &n, err);
    }
    struct app_shipment_view *views = ARENA_NEW_ARRAY(ctx->arena, struct app_shipment_view, n);
    if (code == ERR_OK && n > 0 && views == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        views[i].shipment = shipments[i];
        views[i].show_pickup_code = app_may_see_pickup_code(ctx);
        code = store_order_get(conn, ctx->arena, shipments[i].order_id, &views[i].order, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_OK) {
        *out = views;
        *count = n;
        query->page.next_cursor = n == query->page.limit ? shipments[n - 1].id : NULL;
    }
    return code;
}

/* ---- actions ------------------------------------------------------------------------------ */

enum shipments_action {
    SHIPMENTS_PACK,
    SHIPMENTS_SHIP,
    SHIPMENTS_DELIVER,
    SHIPMENTS_READY,
    SHIPMENTS_PICKUP
};

struct shipments_arg {
    const char *id;
    enum shipments_action action;
    const char *packages_json;     /* pack */
    const struct app_ship *ship;   /* ship */
    const char *pickup_code;       /* pickup: what the customer gave */
    struct app_shipment_view *out; /* the shipment and order after the action */
};

/* The shipment's own move: its new status and the fields that go with it. */
static enum err_code shipments_move(struct app_ctx *ctx, const struct shipments_arg *arg,
                                    struct shipment *shipment, struct err *err)
{
    static const enum shipment_status to[] = {
        [SHIPMENTS_PACK] = SHIPMENT_STATUS_PACKED,
        [SHIPMENTS_SHIP] = SHIPMENT_STATUS_SHIPPED,
        [SHIPMENTS_DELIVER] = SHIPMENT_STATUS_DELIVERED,
        [SHIPMENTS_READY] = SHIPMENT_STATUS_READY_FOR_PICKUP,
        [SHIPMENTS_PICKUP] = SHIPMENT_STATUS_PICKED_UP,
    };

    bool pickup_action = arg->action == SHIPMENTS_READY || arg->action == SHIPMENTS_PICKUP;
    if (shipment->is_pickup != pickup_action) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              shipment->is_pickup ? "shipment %s is collected at the store"
                                                  : "shipment %s is not a pickup",
                              shipment->id);
    }
    enum err_code code = shipment_transition(shipment, to[arg->action], err);
    if (code != ERR_OK) {
        return code;
    }
    if (arg->action == SHIPMENTS_PICKUP &&
        (shipment->pickup_code == NULL ||
         !shipment_pickup_code_matches(shipment->pickup_code, arg->pickup_code))) {
        return err_set(err, ERR_INVALID, "pickup_code", "the pickup code does not match");
    }
    if (arg->action == SHIPMENTS_PACK) {
        shipment->packages_json = arg->packages_json;
    } else if (arg->action == SHIPMENTS_SHIP) {
        shipment->carrier = arg->ship->carrier;
        shipment->service = arg->ship->service;
        shipment->tracking_number = arg->ship->tracking_number;
        shipment->cost = arg->ship->cost;
        shipment->shipped_at_ms = ctx->now_ms;
    } else if (arg->action == SHIPMENTS_DELIVER) {
        shipment->delivered_at_ms = ctx->now_ms;
    } else if (arg->action == SHIPMENTS_READY) {
        char pickup_code[PICKUP_CODE_LEN + 1];
        id_random_alnum(pickup_code, PICKUP_CODE_LEN);
        shipment->pickup_code = arena_strdup(ctx->arena, pickup_code);
        shipment->ready_at_ms = ctx->now_ms;
    } else {
        shipment->picked_up_at_ms = ctx->now_ms;
        shipment->shipped_at_ms = ctx->now_ms;
    }
    return ERR_OK;
}

/* The order event of an action and its extra data. */
static const char *shipments_event(struct app_ctx *ctx, const struct shipments_arg *arg,
                                   const struct shipment *shipment, const char **data)
{
    static const char *const kinds[] = {
        [SHIPMENTS_PACK] = "order.shipment_packed",
        [SHIPMENTS_SHIP] = "order.shipment_shipped",
        [SHIPMENTS_DELIVER] = "order.shipment_delivered",
        [SHIPMENTS_READY] = "order.ready_for_pickup",
        [SHIPMENTS_PICKUP] = "order.picked_up",
    };
    const char *extra = NULL;
    if (arg->action == SHIPMENTS_PACK) {
        extra = arena_sprintf(ctx->arena, "\"packages\":%s", shipment->packages_json);
    } else if (arg->action == SHIPMENTS_READY) {
        /* The code goes to whoever tells the customer (e-mail, the channel). */
        extra = arena_sprintf(ctx->arena, "\"pickup_code\":\"%s\"", shipment->pickup_code);
    }
    *data = ful_event_data(ctx, shipment, extra);
    return kinds[arg->action];
}

static enum err_code shipments_run(struct app_write *write, struct store_conn *conn,
                                   struct err *err)
{
    struct shipments_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct app_shipment_view *view = arg->out;
    struct shipment *shipment = &view->shipment;
    struct order *order = &view->order;
    enum err_code code = ful_load(ctx, conn, arg->id, shipment, order, err);
    int64_t expected = shipment->version;
    if (code == ERR_OK) {
        code = shipments_move(ctx, arg, shipment, err);
    }
    if (code == ERR_OK) {
        shipment->updated_at_ms = ctx->now_ms;
        code = store_shipment_save(conn, shipment, expected, err);
        shipment->version = expected + 1;
    }
    bool leaves = arg->action == SHIPMENTS_SHIP || arg->action == SHIPMENTS_PICKUP;
    bool transfer = false; /* routing: a ship-to-store transfer carries units, not the order */
    if (code == ERR_OK) {
        code = app_transfer_is(ctx, conn, shipment, &transfer, err);
    }
    if (code == ERR_OK && leaves) {
        code = transfer ? app_transfer_ship(ctx, conn, order, shipment, err)
                        : ful_ship_units(ctx, conn, order, shipment, err);
    }
    if (code == ERR_OK && transfer && arg->action == SHIPMENTS_DELIVER) {
        code = app_transfer_receive(ctx, conn, order, shipment, err);
    }
    leaves = leaves && !transfer;
    if (code == ERR_OK) {
        code = ful_order_settle(ctx, conn, order, err);
    }
    if (code == ERR_OK && leaves) {
        code = app_payment_capture_shipment(ctx, conn, order, shipment, err); /* payments */
    }
    if (code == ERR_OK && leaves) {
        code = app_invoice_on_ship(ctx, conn, order, err); /* returns: the first ship invoices */
    }
    if (code == ERR_OK) {
        const char *data = NULL;
        const char *kind = shipments_event(ctx, arg, shipment, &data);
        code = ful_order_save(ctx, conn, order, kind, data, err);
    }
    view->show_pickup_code = app_may_see_pickup_code(ctx) || arg->action == SHIPMENTS_READY;
    write->result = view;
    return code;
}

static enum err_code shipments_act(struct app_ctx *ctx, struct shipments_arg *arg,
                                   struct app_idempotency *idem, struct err *err)
{
    ASSERT(ctx != NULL && arg != NULL && arg->id != NULL);
    ASSERT(arg->out != NULL);
    memset(arg->out, 0, sizeof(*arg->out));
    enum err_code code = app_require(ctx, PERM_FULFILLMENT, err);
    if (code != ERR_OK) {
        return code;
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = shipments_run, .arg = arg};
    return app_write_run(&write, err);
}

/* [{"weight_grams": w}, ...] of the packages, or NULL with err set. */
static const char *shipments_packages_json(struct app_ctx *ctx, const int64_t *weights_grams,
                                           size_t count, struct err *err)
{
    struct buf buf;
    buf_init(&buf, (size_t)64 * PACKAGES_MAX);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_array_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        jw_object_begin(&jw);
        jw_kv_int(&jw, "weight_grams", weights_grams[i]);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    const char *json = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    if (json == NULL) {
        err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return json;
}

enum err_code app_shipment_pack(struct app_ctx *ctx, const char *id,
                                const struct app_packages *packages, struct app_idempotency *idem,
                                struct app_shipment_view *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && out != NULL && packages != NULL);
    ASSERT(packages->weights_grams != NULL || packages->count == 0);
    const int64_t *weights_grams = packages->weights_grams;
    size_t packages_count = packages->count;
    if (packages_count == 0 || packages_count > PACKAGES_MAX) {
        return err_set(err, ERR_INVALID, "packages", "between 1 and %d packages, got %zu",
                       PACKAGES_MAX, packages_count);
    }
    for (size_t i = 0; i < packages_count; i++) {
        if (weights_grams[i] <= 0 || weights_grams[i] > (int64_t)QTY_MAX * 1000) {
            char field[48];
            (void)snprintf(field, sizeof(field), "packages[%zu].weight_grams", i);
            return err_set(err, ERR_INVALID, field, "weight must be between 1 and %d grams",
                           QTY_MAX * 1000);
        }
    }
    const char *json = shipments_packages_json(ctx, weights_grams, packages_count, err);
    if (json == NULL) {
        return err->code;
    }
    struct shipments_arg arg = {
        .id = id, .action = SHIPMENTS_PACK, .packages_json = json, .out = out};
    return shipments_act(ctx, &arg, idem, err);
}

enum err_code app_shipment_ship(struct app_ctx *ctx, const char *id, const struct app_ship *ship,
                                struct app_idempotency *idem, struct app_shipment_view *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && ship != NULL);
    ASSERT(out != NULL);
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
    struct shipments_arg arg = {.id = id, .action = SHIPMENTS_SHIP, .ship = ship, .out = out};
    return shipments_act(ctx, &arg, idem, err);
}

enum err_code app_shipment_deliver(struct app_ctx *ctx, const char *id,
                                   struct app_idempotency *idem, struct app_shipment_view *out,
                                   struct err *err)
{
    struct shipments_arg arg = {.id = id, .action = SHIPMENTS_DELIVER, .out = out};
    return shipments_act(ctx, &arg, idem, err);
}

enum err_code app_shipment_ready(struct app_ctx *ctx, const char *id, struct app_idempotency *idem,
                                 struct app_shipment_view *out, struct err *err)
{
    struct shipments_arg arg = {.id = id, .action = SHIPMENTS_READY, .out = out};
    return shipments_act(ctx, &arg, idem, err);
}

enum err_code app_shipment_pickup(struct app_ctx *ctx, const char *id, const char *code,
                                  struct app_idempotency *idem, struct app_shipment_view *out,
                                  struct err *err)
{
    if (code == NULL || code[0] == '\0') {
        return err_set(err, ERR_INVALID, "pickup_code", "pickup_code is required");
    }
    struct shipments_arg arg = {
        .id = id, .action = SHIPMENTS_PICKUP, .pickup_code = code, .out = out};
    return shipments_act(ctx, &arg, idem, err);
}
