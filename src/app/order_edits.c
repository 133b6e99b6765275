/*
 * order_edits.c — customer-service notes on an order, and edits of an order before its
 * fulfillment starts (README "Order edits and notes"). An edit is one writer command: the
 * order's version must still be the one the client read (If-Match), no shipment may be
 * picked, packed or shipped; every reservation of the order is released, the lines and
 * address changed, and each line routed again from the new address on current stock (so
 * the allocation follows the address); totals are recomputed and, when the total grows, the
 * payment authorized again (payments.c). One event "order.edited" holds before and after.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "app/payment_provider.h"
#include "core/limits.h"
#include "lib/json.h"

/* ---- notes -------------------------------------------------------------------------------- */

struct note_arg {
    const char *id;
    const char *text;
    struct event *out;
};

static enum err_code note_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct note_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, arg->id, &order, err);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK &&
         !auth_can_see_order(ctx->principal, order.channel, order.customer_email))) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", arg->id);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct buf buf;
    buf_init(&buf, (size_t)2 * NOTES_LEN_MAX + 256);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "text", arg->text);
    jw_kv_string(&jw, "author", ctx->principal->key_id);
    jw_kv_string(&jw, "role", role_name(ctx->principal->role));
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    if (data == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    code = app_event_add(conn, ctx, order.id, "order.note_added", data, err);
    if (code != ERR_OK) {
        return code;
    }
    struct event *out = arg->out;
    memset(out, 0, sizeof(*out));
    out->entity_type = "order";
    out->entity_id = order.id;
    out->kind = "order.note_added";
    out->data_json = data;
    out->created_at_ms = ctx->now_ms;
    write->result = out;
    return ERR_OK;
}

enum err_code app_order_note_add(struct app_ctx *ctx, const char *id, const char *text,
                                 struct app_idempotency *idem, struct event *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_MANAGE, err);
    enum role role = ctx->principal->role;
    if (code == ERR_OK && role != ROLE_ADMIN && role != ROLE_OPERATOR && role != ROLE_SUPPORT) {
        code = err_set(err, ERR_FORBIDDEN, NULL,
                       "notes are written by support, operators and "
                       "admins");
    }
    if (code != ERR_OK) {
        return code;
    }
    size_t len = text != NULL ? strlen(text) : 0;
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        blank = blank && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' || text[i] == '\r');
    }
    if (blank) {
        return err_set(err, ERR_INVALID, "text", "a note needs text");
    }
    if (len > NOTES_LEN_MAX) {
        return err_set(err, ERR_INVALID, "text", "a note has at most %d bytes", NOTES_LEN_MAX);
    }
    struct note_arg arg = {.id = id, .text = text, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = note_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* ---- edits -------------------------------------------------------------------------------- */

struct edit_arg {
    const char *id;
    const struct app_order_edit *edit;
    int64_t expected_version;
    struct order *out;
    bool dry_run;                 /* apply, find what must be authorized, roll back */
    bool dry_done;                /* out: the dry run got that far */
    int64_t need;                 /* out of a dry run: the new total to authorize, or 0 */
    bool remote;                  /* out of a dry run: the provider is remote (stripe) */
    struct app_payment_auth auth; /* authorized before the real run (remote), else empty */
};

/* The edit as given: quantities, SKUs and the address well-formed. */
static enum err_code edit_validate(const struct app_order_edit *edit, struct err *err)
{
    if (!edit->has_shipping_address && edit->lines_count == 0) {
        return err_set(err, ERR_INVALID, NULL, "nothing to change: give shipping_address or lines");
    }
    if (edit->lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "at most %d lines", ORDER_LINES_MAX);
    }
    char field[48];
    for (size_t i = 0; i < edit->lines_count; i++) {
        const struct app_edit_line *line = &edit->lines[i];
        bool adds = line->line_id == NULL;
        (void)snprintf(field, sizeof(field), "lines[%zu].qty", i);
        if (line->qty < (adds ? 1 : 0) || line->qty > QTY_MAX) {
            return err_set(err, ERR_INVALID, field,
                           "quantity must be between %d and %d, got %" PRId64, adds ? 1 : 0,
                           QTY_MAX, line->qty);
        }
        (void)snprintf(field, sizeof(field), "lines[%zu].sku", i);
        if (adds && !product_sku_is_valid(line->sku)) {
            return err_set(err, ERR_INVALID, field, "not a valid SKU");
        }
    }
    if (edit->has_shipping_address) {
        return address_validate(&edit->shipping_address, "shipping_address", err);
    }
    return ERR_OK;
}

/* Loads the order to edit: visible, at the expected version, fulfillment not started. */
static enum err_code edit_load(struct app_ctx *ctx, struct store_conn *conn, struct edit_arg *arg,
                               struct err *err)
{
    struct order *order = arg->out;
    enum err_code code = store_order_get(conn, ctx->arena, arg->id, order, err);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK &&
         !auth_can_see_order(ctx->principal, order->channel, order->customer_email))) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", arg->id);
    }
    if (code == ERR_OK && order->version != arg->expected_version) {
        return err_set(err, ERR_PRECONDITION, "If-Match",
                       "order %s is at version %" PRId64 ", not %" PRId64, order->number,
                       order->version, arg->expected_version);
    }
    enum order_status s = order->status;
    bool editable = s == ORDER_STATUS_CONFIRMED || s == ORDER_STATUS_ALLOCATED ||
                    s == ORDER_STATUS_BACKORDERED || s == ORDER_STATUS_ON_HOLD;
    if (code == ERR_OK && (!editable || order->method != FULFILLMENT_SHIP)) {
        return err_set(err, ERR_STATE, NULL, "order %s (%s, %s) can no longer be edited",
                       order->number, order_status_name(s), fulfillment_method_name(order->method));
    }
    struct shipment *shipments = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        enum shipment_status ss = shipments[i].status;
        if (ss != SHIPMENT_STATUS_PENDING && ss != SHIPMENT_STATUS_CANCELLED) {
            return err_set(err, ERR_STATE, NULL,
                           "fulfillment of order %s started: shipment %s is %s", order->number,
                           shipments[i].id, shipment_status_name(ss));
        }
    }
    return code;
}

/* Releases every reservation of the order; every unit open becomes unplaced. */
static enum err_code edit_release_all(struct app_ctx *ctx, struct store_conn *conn,
                                      struct order *order, struct err *err)
{
    for (size_t i = 0; i < order->allocations_count; i++) {
        struct allocation *allocation = &order->allocations[i];
        struct order_line *line = ful_order_line(order, allocation->line_id);
        if (allocation->qty == 0 || line == NULL) {
            continue;
        }
        struct product kit;
        const struct product *product = NULL;
        enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
        struct app_release release = {.line = line,
                                      .product = product,
                                      .location_row_id = allocation->location_row_id,
                                      .qty = allocation->qty};
        if (code == ERR_OK) {
            code = app_stock_release(ctx, conn, &release, err);
        }
        if (code != ERR_OK) {
            return code;
        }
        line->qty_allocated -= allocation->qty;
        allocation->qty = 0;
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        order->lines[i].qty_backordered = 0;
    }
    return ERR_OK;
}

/* A new line from the catalog, numbered after the others. */
static enum err_code edit_new_line(struct app_ctx *ctx, struct store_conn *conn,
                                   struct order *order, const struct app_edit_line *want,
                                   size_t index, struct err *err)
{
    struct order_line *line = &order->lines[order->lines_count];
    char field[48];
    (void)snprintf(field, sizeof(field), "lines[%zu].sku", index);
    struct product product;
    enum err_code code = store_product_get(conn, ctx->arena, want->sku, &product, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, field, "unknown sku '%s'", want->sku);
    }
    if (code == ERR_OK && !product.active) {
        return err_set(err, ERR_INVALID, field, "product '%s' is not for sale", want->sku);
    }
    if (code == ERR_OK && strcmp(product.currency, order->currency) != 0) {
        return err_set(err, ERR_INVALID, field, "'%s' is priced in %s, the order is in %s",
                       want->sku, product.currency, order->currency);
    }
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    id_new(id, "lin", ctx->now_ms);
    memset(line, 0, sizeof(*line));
    line->id = arena_strdup(ctx->arena, id);
    line->line_no = (int)order->lines_count + 1;
    line->product_row_id = product.row_id;
    line->sku = product.sku;
    line->name = product.name;
    line->qty = want->qty;
    line->unit_price = product.price;
    line->weight_grams = product.weight_grams;
    line->is_kit = product.kind == PRODUCT_KIND_KIT;
    return line->id != NULL ? ERR_OK : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* A changed quantity (0 removes what is not cancelled). */
static enum err_code edit_change_line(struct order *order, const struct app_edit_line *want,
                                      size_t index, struct err *err)
{
    char field[48];
    (void)snprintf(field, sizeof(field), "lines[%zu].line_id", index);
    struct order_line *line = ful_order_line(order, want->line_id);
    if (line == NULL) {
        return err_set(err, ERR_INVALID, field, "no line '%s' in order %s", want->line_id,
                       order->number);
    }
    (void)snprintf(field, sizeof(field), "lines[%zu].qty", index);
    int64_t qty = want->qty + line->qty_cancelled;
    if (qty > QTY_MAX) {
        return err_set(err, ERR_INVALID, field, "quantity too large");
    }
    line->qty = qty;
    return ERR_OK;
}

/* Applies the line changes; the lines array is copied with room for the added lines. */
static enum err_code edit_apply_lines(struct app_ctx *ctx, struct store_conn *conn,
                                      struct order *order, const struct app_order_edit *edit,
                                      struct err *err)
{
    size_t room = order->lines_count + edit->lines_count;
    if (room > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "an order has at most %d lines", ORDER_LINES_MAX);
    }
    struct order_line *lines = ARENA_NEW_ARRAY(ctx->arena, struct order_line, room);
    if (lines == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memcpy(lines, order->lines, order->lines_count * sizeof(*lines));
    order->lines = lines;
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < edit->lines_count; i++) {
        const struct app_edit_line *want = &edit->lines[i];
        if (want->line_id != NULL) {
            code = edit_change_line(order, want, i, err);
        } else {
            code = edit_new_line(ctx, conn, order, want, i, err);
            order->lines_count += code == ERR_OK ? 1 : 0;
        }
    }
    bool any = false;
    for (size_t i = 0; i < order->lines_count; i++) {
        any = any || lines[i].qty > lines[i].qty_cancelled;
    }
    if (code == ERR_OK && !any) {
        code = err_set(err, ERR_INVALID, "lines",
                       "an edit cannot remove every line: cancel the order instead");
    }
    return code;
}

/* Routes every open unit again from the (new) address; short units are backordered when the
 * order allows it, else the edit fails with 409 insufficient_stock. */
static enum err_code edit_route(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                struct err *err)
{
    enum err_code code = ERR_OK;
    bool short_any = false;
    for (size_t i = 0; code == ERR_OK && i < order->lines_count; i++) {
        struct order_line *line = &order->lines[i];
        int64_t open = line->qty - line->qty_shipped - line->qty_cancelled - line->qty_allocated;
        if (open <= 0) {
            continue;
        }
        struct ful_short units = {.line_index = i, .qty = open};
        code = ful_reroute(ctx, conn, order, &units, err);
        short_any = short_any || units.routed < open;
    }
    if (code == ERR_OK && short_any && !order->backorder) {
        err_set(err, ERR_STOCK, NULL, "not enough stock for the edited order");
        for (size_t i = 0; i < order->lines_count; i++) {
            if (order->lines[i].qty_backordered > 0) {
                err_add_item(err, order->lines[i].sku);
            }
        }
        return ERR_STOCK;
    }
    if (code == ERR_OK) {
        code = ful_compact(ctx, conn, order, err);
    }
    return code;
}

/* {"version", "total", "shipping_address": {postal_code, city}, "lines": [{line_id, sku, qty}]} */
static const char *edit_state_json(struct app_ctx *ctx, const struct order *order)
{
    struct buf buf;
    buf_init(&buf, (size_t)64 * 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_int(&jw, "version", order->version);
    jw_kv_int(&jw, "total", order->totals.total);
    jw_key(&jw, "shipping_address");
    jw_object_begin(&jw);
    jw_kv_string(&jw, "line1", order->shipping_address.line1);
    jw_kv_string(&jw, "city", order->shipping_address.city);
    jw_kv_string(&jw, "postal_code", order->shipping_address.postal_code);
    jw_object_end(&jw);
    jw_key(&jw, "lines");
    jw_array_begin(&jw);
    for (size_t i = 0; i < order->lines_count; i++) {
        jw_object_begin(&jw);
        jw_kv_string(&jw, "line_id", order->lines[i].id);
        jw_kv_string(&jw, "sku", order->lines[i].sku);
        jw_kv_int(&jw, "qty", order->lines[i].qty - order->lines[i].qty_cancelled);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    const char *json = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return json != NULL ? json : "{}";
}

/* Applies the address and lines, routes again, recomputes the totals and the status. */
static enum err_code edit_apply(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                                const struct app_order_edit *edit, struct err *err)
{
    if (edit->has_shipping_address) {
        order->shipping_address = edit->shipping_address;
        order->shipping_address.present = true;
        if (!app_geocode(&order->shipping_address)) {
            return err_set(
                err, ERR_INVALID, "shipping_address.postal_code", "unknown postal code '%s'",
                order->shipping_address.postal_code != NULL ? order->shipping_address.postal_code
                                                            : "");
        }
    }
    enum err_code code = edit_release_all(ctx, conn, order, err);
    if (code == ERR_OK) {
        code = edit_apply_lines(ctx, conn, order, edit, err);
    }
    if (code == ERR_OK) {
        code = edit_route(ctx, conn, order, err);
    }
    if (code == ERR_OK) {
        code = order_compute_totals(order, err);
    }
    if (code == ERR_OK && order->status != ORDER_STATUS_ON_HOLD) {
        code = ful_order_settle(ctx, conn, order, err);
    }
    return code;
}

/*
 * An edit that raises the total of a business customer's order paid by invoice (manual) past
 * the credit limit puts the order on_hold credit_limit, as its capture would have (README
 * "Order edits and notes"); *held says so. An order already on hold keeps its reason.
 */
static enum err_code edit_credit_limit(struct app_ctx *ctx, struct store_conn *conn,
                                       struct order *order, int64_t old_total, bool *held,
                                       struct err *err)
{
    *held = false;
    if (order->totals.total <= old_total || order->status == ORDER_STATUS_ON_HOLD) {
        return ERR_OK;
    }
    bool over = false;
    enum err_code code = app_payment_over_limit(ctx, conn, order, order->totals.total, &over, err);
    if (code != ERR_OK || !over) {
        return code;
    }
    code = order_transition(order, ORDER_STATUS_ON_HOLD, err);
    if (code == ERR_OK) {
        order->hold_reason = "credit_limit";
        *held = true;
    }
    return code;
}

static enum err_code edit_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct edit_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct order *order = arg->out;
    enum err_code code = edit_load(ctx, conn, arg, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *before = edit_state_json(ctx, order);
    int64_t old_total = order->totals.total;
    code = edit_apply(ctx, conn, order, arg->edit, err);
    if (code == ERR_OK && arg->dry_run) {
        code = app_payment_reauth_need(ctx, conn, order, &arg->need, &arg->remote, err);
        arg->dry_done = code == ERR_OK;
        return code == ERR_OK ? err_set(err, ERR_CONFLICT, NULL, "dry run") : code;
    }
    arg->auth.recorded = false;
    if (code == ERR_OK) {
        code = app_payment_reauthorize(ctx, conn, order, &arg->auth, err);
    }
    bool held = false;
    if (code == ERR_OK) {
        code = edit_credit_limit(ctx, conn, order, old_total, &held, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    order->version += 1; /* the event's "after" shows the version the edit makes */
    const char *after = edit_state_json(ctx, order);
    order->version -= 1;
    const char *data = arena_sprintf(ctx->arena, "{\"before\":%s,\"after\":%s}", before, after);
    write->result = order;
    code = ful_order_save(ctx, conn, order, "order.edited", data, err);
    if (code == ERR_OK && held) {
        code =
            app_event_add(conn, ctx, order->id, "order.held", "{\"reason\":\"credit_limit\"}", err);
    }
    return code;
}

/* True when the order is paid through a remote provider (its calls wait for the network). */
static enum err_code edit_remote(struct app_ctx *ctx, const char *id, bool *remote, struct err *err)
{
    *remote = false;
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct order order;
    code = store_order_get(conn, ctx->arena, id, &order, err);
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        return ERR_OK; /* the command answers 404 */
    }
    const struct payment_provider *provider =
        code == ERR_OK ? app_payment_provider(ctx->app, order.payment_provider) : NULL;
    *remote = provider != NULL && !provider->in_process;
    return code;
}

/*
 * A remote provider is never called inside the command: a dry run of the edit (rolled back)
 * says what the new total needs, this thread authorizes it with the new payment method, and
 * the real run records it (or fails when the order changed meanwhile).
 */
static enum err_code edit_preauthorize(struct app_ctx *ctx, struct app_write *write,
                                       struct err *err)
{
    struct edit_arg *arg = write->arg;
    bool remote = false;
    enum err_code code = edit_remote(ctx, arg->id, &remote, err);
    if (code != ERR_OK || !remote) {
        return code;
    }
    arg->dry_run = true;
    code = app_write_run(write, err);
    arg->dry_run = false;
    if (!arg->dry_done) {
        return code; /* the edit's own error: the real run would answer the same */
    }
    err_clear(err);
    if (!arg->remote || arg->need == 0) {
        return ERR_OK;
    }
    if (arg->edit->payment_card == NULL) {
        return err_set_reason(err, ERR_INVALID, "reauthorization_required", "payment.card",
                              "the edit raises the total to %" PRId64
                              ": give a new payment method in payment.card",
                              arg->need);
    }
    struct order owed = *arg->out;
    owed.totals.total = arg->need;
    code = app_payment_authorize(ctx, &owed, arg->edit->payment_card, &arg->auth, err);
    if (code == ERR_OK && !arg->auth.approved) {
        return err_set_reason(err, ERR_INVALID, "payment_declined", "payment.card",
                              "the larger total %" PRId64 " was declined: %s", arg->need,
                              arg->auth.error != NULL ? arg->auth.error : "");
    }
    return code;
}

enum err_code app_order_edit(struct app_ctx *ctx, const char *id, const struct app_order_edit *edit,
                             int64_t expected_version, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && edit != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_MANAGE, err);
    if (code == ERR_OK) {
        code = edit_validate(edit, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct edit_arg arg = {
        .id = id, .edit = edit, .expected_version = expected_version, .out = out};
    struct app_write write = {.ctx = ctx, .run = edit_run, .arg = &arg};
    code = edit_preauthorize(ctx, &write, err);
    if (code == ERR_OK) {
        code = app_write_run(&write, err);
    }
    app_payment_abandon(ctx, &arg.auth, code == ERR_OK);
    return code;
}
