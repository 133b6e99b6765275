/*
 * orders.c — reading orders and acting on them after capture: get, list, history, routing
 * explanation, cancel (whole or by line), hold and release. Every action is one writer
 * command that re-reads the order, applies the transition in core, releases what it must
 * and writes the order back with its version checked.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/json.h"
#include "lib/zdoc.h"

/* ERR_NOT_FOUND unless the principal may see the order. */
static enum err_code orders_visible(const struct app_ctx *ctx, const struct order *order,
                                    const char *id, struct err *err)
{
    if (!auth_can_see_order(ctx->principal, order->channel, order->customer_email)) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", id);
    }
    return ERR_OK;
}

/* Loads an order on conn and checks that the principal may see it. */
static enum err_code orders_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                                 struct order *out, struct err *err)
{
    enum err_code code = store_order_get(conn, ctx->arena, id, out, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", id);
    }
    if (code != ERR_OK) {
        return code;
    }
    return orders_visible(ctx, out, id, err);
}

enum err_code app_order_get(struct app_ctx *ctx, const char *id, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = orders_load(ctx, conn, id, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/*
 * The smallest order id made at ms: "ord_" and the 48-bit time in Crockford base32 (as id_new
 * writes it), then zeros. An order's id and its created_at come from one clock reading
 * (capture.c), so a created_at range is also a range of ids: the list walks only that part of
 * its index (web console round 2: a date filter on a million orders).
 */
static const char *orders_id_at(struct arena *arena, int64_t ms)
{
    static const char base32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
    char id[ID_LEN_MAX] = "ord_";
    uint64_t time_part = ms <= 0 ? 0 : (uint64_t)ms & 0xFFFFFFFFFFFFull;
    for (int i = 9; i >= 0; i--) {
        id[4 + i] = base32[time_part & 31u];
        time_part >>= 5;
    }
    memset(id + 14, '0', 16);
    id[30] = '\0';
    return arena_strdup(arena, id);
}

/* created_from/created_to as a key range: min_id, and before_id lowered to the range's end. */
static void orders_id_range(struct arena *arena, struct order_filter *filter)
{
    if (filter->created_from_ms > 0) {
        filter->min_id = orders_id_at(arena, filter->created_from_ms);
    }
    if (filter->created_to_ms > 0 && filter->created_to_ms < (int64_t)0xFFFFFFFFFFFF) {
        const char *end = orders_id_at(arena, filter->created_to_ms + 1);
        if (end != NULL && (filter->before_id == NULL || strcmp(end, filter->before_id) < 0)) {
            filter->before_id = end;
        }
    }
}

enum err_code app_order_list(struct app_ctx *ctx, const struct order_filter *filter,
                             struct order **out, size_t *count, const char **next_cursor,
                             struct err *err)
{
    ASSERT(ctx != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL && next_cursor != NULL);
    ASSERT(filter->limit > 0 && filter->limit <= PAGE_LIMIT_MAX);
    *next_cursor = NULL;
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    if (code != ERR_OK) {
        return code;
    }
    struct order_filter scoped = *filter;
    if (scoped.customer_email != NULL) {
        scoped.customer_email = app_email_normalize(ctx->arena, scoped.customer_email);
    }
    const struct principal *who = ctx->principal;
    if (who->role == ROLE_CHANNEL) {
        if (scoped.channel != NULL && strcmp(scoped.channel, who->scope_channel) != 0) {
            return err_set(err, ERR_FORBIDDEN, "channel", "this key sees only channel '%s'",
                           who->scope_channel);
        }
        scoped.channel = who->scope_channel;
    }
    if (who->role == ROLE_CUSTOMER) {
        if (scoped.customer_email != NULL &&
            strcmp(scoped.customer_email, who->scope_customer) != 0) {
            return err_set(err, ERR_FORBIDDEN, "customer_email",
                           "this key sees only its own orders");
        }
        scoped.customer_email = who->scope_customer;
    }
    orders_id_range(ctx->arena, &scoped);
    struct store_conn *conn = NULL;
    code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    /* Orders are indexed by customer id: an e-mail filter becomes the customer's id. */
    struct customer customer;
    bool none = false;
    if (scoped.customer_email != NULL && scoped.customer_id == NULL) {
        code = store_customer_get_by_email(conn, ctx->arena, scoped.customer_email, &customer, err);
        none = code == ERR_NOT_FOUND;
        if (code == ERR_OK) {
            scoped.customer_id = customer.id;
            scoped.customer_email = NULL;
        }
    }
    if (none) {
        *count = 0;
        code = ERR_OK;
    } else if (code == ERR_OK) {
        code = store_order_list(conn, ctx->arena, &scoped, out, count, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_OK && *count == scoped.limit) {
        *next_cursor = (*out)[*count - 1].id;
    }
    return code;
}

enum err_code app_order_events(struct app_ctx *ctx, const char *id, struct event **out,
                               size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct order order;
    code = orders_load(ctx, conn, id, &order, err);
    if (code == ERR_OK) {
        code = store_event_list(conn, ctx->arena, "order", id, 1000, out, count, err);
    }
    app_read_end(ctx, conn);
    return code;
}

enum err_code app_order_routing(struct app_ctx *ctx, const char *id, struct order *out,
                                const char **routing_json, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL && routing_json != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = orders_load(ctx, conn, id, out, err);
    struct store_doc doc = {0};
    if (code == ERR_OK) {
        code = store_order_routing_get(conn, ctx->arena, id, &doc, err);
    }
    app_read_end(ctx, conn);
    *routing_json = NULL;
    if (code == ERR_OK && doc.bytes != NULL) {
        *routing_json = zdoc_unpack(ctx->arena, &app_routing_dict, doc.bytes, doc.len);
        if (*routing_json == NULL) {
            return err_set(err, ERR_STORE, NULL, "the routing explanation of %s cannot be read",
                           id);
        }
    }
    return code;
}

/* ---- actions ----------------------------------------------------------------------------- */

struct action_arg {
    const char *id;
    const char *reason;
    const struct app_cancel_line *lines; /* cancel: the lines named, or NULL for all */
    size_t lines_count;
    struct order *out;
    bool override; /* release: lift a payment hold without a payment (admin, operator) */
};

/* Writes the changed order back (version checked) with an event. */
static enum err_code orders_save(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                 const char *kind, const char *data, struct err *err)
{
    int64_t expected = order->version;
    order->version = expected + 1;
    order->updated_at_ms = ctx->now_ms;
    enum err_code code = store_order_update(conn, order, expected, err);
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order->id, kind, data, err);
    }
    if (code == ERR_OK) {
        code = app_metrics_order(ctx, conn, order->id, order->customer_id, err);
    }
    return code;
}

/* {"reason": ...} as event data (NULL when the arena is full: the event then has "{}"). */
static const char *orders_reason_json(struct app_ctx *ctx, const char *reason)
{
    struct buf buf;
    buf_init(&buf, 2 * REASON_LEN_MAX + 64);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "reason", reason);
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

/* The status an order not on hold should have, from its lines. */
static enum order_status orders_settled_status(const struct order *order)
{
    bool backordered = false;
    for (size_t i = 0; i < order->lines_count; i++) {
        if (order->lines[i].qty_backordered > 0) {
            backordered = true;
        }
    }
    if (backordered) {
        return ORDER_STATUS_BACKORDERED;
    }
    return order->allocations_count > 0 ? ORDER_STATUS_ALLOCATED : ORDER_STATUS_CONFIRMED;
}

static enum err_code hold_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct action_arg *arg = write->arg;
    struct order *order = arg->out;
    enum err_code code = orders_load(write->ctx, conn, arg->id, order, err);
    if (code == ERR_OK) {
        code = order_transition(order, ORDER_STATUS_ON_HOLD, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    order->hold_reason = arg->reason;
    write->result = order;
    return orders_save(write->ctx, conn, order, "order.held",
                       orders_reason_json(write->ctx, arg->reason), err);
}

static enum err_code release_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct action_arg *arg = write->arg;
    struct order *order = arg->out;
    enum err_code code = orders_load(write->ctx, conn, arg->id, order, err);
    if (code != ERR_OK) {
        return code;
    }
    if (order->status != ORDER_STATUS_ON_HOLD) {
        return err_set(err, ERR_STATE, NULL, "order %s is %s, not on_hold", order->number,
                       order_status_name(order->status));
    }
    /* payments: a payment hold is lifted by a new payment, or by an override (recorded). */
    const char *held_for = order->hold_reason;
    bool payment_hold = held_for != NULL && (strcmp(held_for, "payment_declined") == 0 ||
                                             strcmp(held_for, "payment_capture_failed") == 0);
    if (payment_hold && !arg->override) {
        return err_set_reason(err, ERR_STATE, "payment_required", NULL,
                              "order %s is held for %s: take a new payment (POST "
                              "/v1/orders/{id}/payments) or release with override (admin, "
                              "operator)",
                              order->number, held_for);
    }
    code = order_transition(order, orders_settled_status(order), err);
    if (code != ERR_OK) {
        return code;
    }
    order->hold_reason = NULL;
    write->result = order;
    const char *data =
        payment_hold
            ? arena_sprintf(write->ctx->arena, "{\"reason\":\"%s\",\"override\":true}", held_for)
            : NULL;
    return orders_save(write->ctx, conn, order, "order.released", data, err);
}

/* Checks the role and the reason, then runs an action command. */
static enum err_code
orders_act(struct app_ctx *ctx, struct action_arg *arg, struct app_idempotency *idem,
           enum err_code (*run)(struct app_write *, struct store_conn *, struct err *),
           struct err *err)
{
    enum err_code code = app_require(ctx, PERM_ORDERS_MANAGE, err);
    if (code != ERR_OK) {
        return code;
    }
    if (arg->reason != NULL && strlen(arg->reason) > REASON_LEN_MAX) {
        return err_set(err, ERR_INVALID, "reason", "reason longer than %d characters",
                       REASON_LEN_MAX);
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = run, .arg = arg};
    return app_write_run(&write, err);
}

enum err_code app_order_hold(struct app_ctx *ctx, const char *id, const char *reason,
                             struct app_idempotency *idem, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    if (reason == NULL || reason[0] == '\0') {
        return err_set(err, ERR_INVALID, "reason", "a hold needs a reason");
    }
    struct action_arg arg = {.id = id, .reason = reason, .out = out};
    return orders_act(ctx, &arg, idem, hold_run, err);
}

enum err_code app_order_release(struct app_ctx *ctx, const char *id, bool override,
                                struct app_idempotency *idem, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    enum role role = ctx->principal->role;
    if (override && role != ROLE_ADMIN && role != ROLE_OPERATOR) {
        return err_set(err, ERR_FORBIDDEN, "override",
                       "only an admin or operator may release a payment hold without a payment");
    }
    struct action_arg arg = {.id = id, .out = out, .override = override};
    return orders_act(ctx, &arg, idem, release_run, err);
}

/* Releases q units of a line: first what is backordered, then allocations, newest first. */
static enum err_code cancel_line(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                 struct order_line *line, int64_t q, struct err *err)
{
    struct product kit;
    const struct product *product = NULL;
    if (line->is_kit) {
        enum err_code code =
            store_product_get_by_row(conn, ctx->arena, line->product_row_id, &kit, err);
        if (code != ERR_OK) {
            return code;
        }
        product = &kit;
    }
    int64_t from_backorder = q < line->qty_backordered ? q : line->qty_backordered;
    line->qty_backordered -= from_backorder;
    int64_t rest = q - from_backorder;
    for (size_t i = order->allocations_count; i > 0 && rest > 0; i--) {
        struct allocation *allocation = &order->allocations[i - 1];
        if (allocation->line_id == NULL || strcmp(allocation->line_id, line->id) != 0 ||
            allocation->qty == 0) {
            continue;
        }
        int64_t take = rest < allocation->qty ? rest : allocation->qty;
        struct app_release release = {
            .line = line,
            .product = product,
            .location_row_id = allocation->location_row_id,
            .qty = take,
        };
        enum err_code code = app_stock_release(ctx, conn, &release, err);
        if (code != ERR_OK) {
            return code;
        }
        allocation->qty -= take;
        line->qty_allocated -= take;
        rest -= take;
    }
    if (rest > 0) {
        return err_set(err, ERR_STATE, NULL,
                       "%" PRId64 " units of line %d are already in fulfillment", rest,
                       line->line_no);
    }
    line->qty_cancelled += q;
    return ERR_OK;
}

/* Drops emptied allocations and cancels shipments left with nothing to ship. */
static enum err_code cancel_compact(struct app_ctx *ctx, struct store_conn *conn,
                                    struct order *order, struct err *err)
{
    size_t kept = 0;
    for (size_t i = 0; i < order->allocations_count; i++) {
        if (order->allocations[i].qty > 0) {
            order->allocations[kept++] = order->allocations[i];
        }
    }
    order->allocations_count = kept;
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code =
        store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    for (size_t s = 0; code == ERR_OK && s < count; s++) {
        bool used = false;
        for (size_t i = 0; i < order->allocations_count; i++) {
            if (strcmp(order->allocations[i].shipment_id, shipments[s].id) == 0) {
                used = true;
            }
        }
        if (used || shipments[s].status == SHIPMENT_STATUS_CANCELLED) {
            continue;
        }
        int64_t expected = shipments[s].version;
        code = shipment_transition(&shipments[s], SHIPMENT_STATUS_CANCELLED, err);
        if (code == ERR_OK) {
            shipments[s].version = expected + 1;
            shipments[s].cancelled_at_ms = ctx->now_ms;
            shipments[s].updated_at_ms = ctx->now_ms;
            code = store_shipment_update(conn, &shipments[s], expected, err);
        }
    }
    return code;
}

/* The quantity to cancel of each line: all that is left, or what the request names. */
static enum err_code cancel_plan(const struct action_arg *arg, const struct order *order,
                                 int64_t *qty, struct err *err)
{
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        qty[i] = arg->lines_count == 0 ? line->qty - line->qty_shipped - line->qty_cancelled : 0;
    }
    char field[48];
    for (size_t k = 0; k < arg->lines_count; k++) {
        const struct app_cancel_line *want = &arg->lines[k];
        size_t i = 0;
        while (i < order->lines_count && strcmp(order->lines[i].id, want->line_id) != 0) {
            i++;
        }
        (void)snprintf(field, sizeof(field), "lines[%zu].line_id", k);
        if (i == order->lines_count) {
            return err_set(err, ERR_INVALID, field, "no line '%s' in order %s", want->line_id,
                           order->number);
        }
        const struct order_line *line = &order->lines[i];
        int64_t left = line->qty - line->qty_shipped - line->qty_cancelled - qty[i];
        (void)snprintf(field, sizeof(field), "lines[%zu].qty", k);
        if (want->qty <= 0 || want->qty > left) {
            return err_set(err, ERR_INVALID, field,
                           "quantity must be between 1 and %" PRId64 ", got %" PRId64, left,
                           want->qty);
        }
        qty[i] += want->qty;
    }
    return ERR_OK;
}

/* The event data of a cancellation: the reason and the units cancelled per line. */
static const char *cancel_event_data(struct app_ctx *ctx, const struct action_arg *arg,
                                     const struct order *order, const int64_t *qty)
{
    struct buf buf;
    buf_init(&buf, (size_t)64 * 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "reason", arg->reason);
    jw_key(&jw, "lines");
    jw_array_begin(&jw);
    for (size_t i = 0; i < order->lines_count; i++) {
        if (qty[i] > 0) {
            jw_object_begin(&jw);
            jw_kv_string(&jw, "line_id", order->lines[i].id);
            jw_kv_string(&jw, "sku", order->lines[i].sku);
            jw_kv_int(&jw, "qty", qty[i]);
            jw_object_end(&jw);
        }
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

static enum err_code cancel_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct action_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct order *order = arg->out;
    enum err_code code = orders_load(ctx, conn, arg->id, order, err);
    if (code != ERR_OK) {
        return code;
    }
    if (!order_is_cancellable(order)) {
        return err_set(err, ERR_STATE, NULL, "cannot cancel order %s in status %s", order->number,
                       order_status_name(order->status));
    }
    int64_t *qty = ARENA_NEW_ARRAY(ctx->arena, int64_t, order->lines_count);
    if (qty == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    code = cancel_plan(arg, order, qty, err);
    for (size_t i = 0; code == ERR_OK && i < order->lines_count; i++) {
        if (qty[i] > 0) {
            code = cancel_line(ctx, conn, order, &order->lines[i], qty[i], err);
        }
    }
    if (code == ERR_OK) {
        code = cancel_compact(ctx, conn, order, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    bool all = true;
    for (size_t i = 0; i < order->lines_count; i++) {
        all = all && order->lines[i].qty_cancelled == order->lines[i].qty;
    }
    if (all) {
        code = order_transition(order, ORDER_STATUS_CANCELLED, err);
        order->cancelled_at_ms = ctx->now_ms;
        order->cancel_reason = arg->reason;
        if (code == ERR_OK) {
            code = app_payment_void(ctx, conn, order, err); /* payments: void what is left */
        }
    } else if (order->status != ORDER_STATUS_ON_HOLD &&
               order->status != orders_settled_status(order)) {
        code = order_transition(order, orders_settled_status(order), err);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = order;
    return orders_save(ctx, conn, order, all ? "order.cancelled" : "order.lines_cancelled",
                       cancel_event_data(ctx, arg, order, qty), err);
}

enum err_code app_order_cancel(struct app_ctx *ctx, const char *id, const struct app_cancel *cancel,
                               struct app_idempotency *idem, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && cancel != NULL);
    ASSERT(out != NULL && (cancel->lines != NULL || cancel->lines_count == 0));
    if (cancel->lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "at most %d lines", ORDER_LINES_MAX);
    }
    struct action_arg arg = {
        .id = id,
        .reason = cancel->reason,
        .lines = cancel->lines,
        .lines_count = cancel->lines_count,
        .out = out,
    };
    return orders_act(ctx, &arg, idem, cancel_run, err);
}
