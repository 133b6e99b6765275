/*
 * returns.c — returns (RMA): create against a shipped order (any location with the `return`
 * capability may receive it: buy online, return in store), receive units by condition with
 * the disposition rules deciding where each goes, refund the returned units exactly through
 * the order's payment provider with a credit note, and move the order to partially_returned
 * or returned through core's table. Each command changes nothing unless all of it succeeds.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "app/returns_int.h"
#include "core/limits.h"
#include "lib/json.h"
#include "lib/str.h"

/* ---- settings and visibility --------------------------------------------------------------- */

/* True when the comma-separated list holds item exactly. */
static bool returns_list_has(const char *list, const char *item)
{
    size_t len = item != NULL ? strlen(item) : 0;
    for (const char *p = list; p != NULL && len > 0 && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == len && strncmp(p, item, len) == 0) {
            return true;
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    return false;
}

enum err_code returns_settings_load(struct app_ctx *ctx, struct store_conn *conn,
                                    struct returns_settings *out, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && out != NULL);
    static const char *const names[] = {"window_days", "shipping_refund_reasons",
                                        "cross_ship_channels", "cross_ship_customers"};
    const char *values[ARRAY_LEN(names)] = {0};
    for (size_t i = 0; i < ARRAY_LEN(names); i++) {
        enum err_code code = store_rma_setting_get(conn, ctx->arena, names[i], &values[i], err);
        if (code == ERR_NOT_FOUND) {
            err_clear(err);
        } else if (code != ERR_OK) {
            return code;
        }
    }
    int64_t days = RETURN_WINDOW_DAYS_DEFAULT;
    if (values[0] != NULL && (str_to_i64(str_from_cstr(values[0]), &days) != ERR_OK || days < 0 ||
                              days > RETURN_WINDOW_DAYS_MAX)) {
        days = RETURN_WINDOW_DAYS_DEFAULT;
    }
    out->window_days = (int)days;
    out->shipping_reasons = returns_shipping_reasons_default();
    if (values[1] != NULL && !returns_reason_set_parse(values[1], &out->shipping_reasons)) {
        out->shipping_reasons = returns_shipping_reasons_default();
    }
    out->cross_ship_channels = values[2] != NULL ? values[2] : "";
    out->cross_ship_customers = values[3] != NULL ? values[3] : "";
    return ERR_OK;
}

bool returns_cross_ships(const struct returns_settings *settings, const struct order *order)
{
    ASSERT(settings != NULL && order != NULL);
    return returns_list_has(settings->cross_ship_channels, order->channel) ||
           returns_list_has(settings->cross_ship_customers, order->customer_email);
}

/* The order when the principal may see it (404 otherwise). */
static enum err_code returns_order(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                                   struct order *out, struct err *err)
{
    enum err_code code = store_order_get(conn, ctx->arena, id, out, err);
    if (code == ERR_OK && !auth_can_see_order(ctx->principal, out->channel, out->customer_email)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, "order_id", "no order '%s'", id);
    }
    return code;
}

/* A return the principal may see: its order's channel or customer, a warehouse its location. */
static enum err_code returns_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                                  struct app_return_view *view, struct err *err)
{
    memset(view, 0, sizeof(*view));
    enum err_code code = store_rma_get(conn, ctx->arena, id, &view->rma, err);
    if (code == ERR_OK) {
        code = store_order_get(conn, ctx->arena, view->rma.order_id, &view->order, err);
    }
    /* A warehouse key sees the returns received at its location (as it sees shipments). */
    const struct principal *who = ctx->principal;
    bool visible = who->role == ROLE_WAREHOUSE
                       ? auth_can_use_location(who, view->rma.location_code)
                       : auth_can_see_order(who, view->order.channel, view->order.customer_email);
    if (code == ERR_OK && !visible) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no return '%s'", id);
    }
    struct invoice *docs = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = store_invoice_list_by_order(conn, ctx->arena, view->order.id, &docs, &count, err);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (docs[i].credit_note && docs[i].return_id != NULL &&
            strcmp(docs[i].return_id, id) == 0) {
            docs[view->credit_notes_count++] = docs[i];
        }
    }
    view->credit_notes = docs;
    return code;
}

/* ERR_FORBIDDEN unless the role may read returns (orders or fulfillment readers). */
static enum err_code returns_require_read(const struct app_ctx *ctx, struct err *err)
{
    enum role role = ctx->principal->role;
    if (auth_role_allows(role, PERM_ORDERS_READ) || auth_role_allows(role, PERM_FULFILLMENT)) {
        return ERR_OK;
    }
    return err_set(err, ERR_FORBIDDEN, NULL, "the %s role may not read returns", role_name(role));
}

/* ---- create -------------------------------------------------------------------------------- */

/* The order may return units: something left the building and nothing forbids it. */
static enum err_code returns_order_state(const struct order *order, struct err *err)
{
    switch (order->status) {
    case ORDER_STATUS_PARTIALLY_SHIPPED:
    case ORDER_STATUS_SHIPPED:
    case ORDER_STATUS_DELIVERED:
    case ORDER_STATUS_PICKED_UP:
    case ORDER_STATUS_PARTIALLY_RETURNED:
        return ERR_OK;
    default:
        return err_set_reason(err, ERR_STATE, "invalid_state", "order_id",
                              "order %s is %s: only shipped units may be returned", order->number,
                              order_status_name(order->status));
    }
}

/* The receiving location: it exists, is active and has the `return` capability. */
static enum err_code returns_location(struct app_ctx *ctx, struct store_conn *conn,
                                      const char *code_text, struct location *out, struct err *err)
{
    enum err_code code = store_location_get(conn, ctx->arena, code_text, out, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "location", "no location '%s'", code_text);
    }
    if (code != ERR_OK) {
        return code;
    }
    if ((out->capabilities & LOCATION_CAP_RETURN) == 0 || !out->active) {
        return err_set(err, ERR_INVALID, "location",
                       "location '%s' does not receive returns (no active `return` capability)",
                       code_text);
    }
    return ERR_OK;
}

/* When the customer got a line's units: the latest delivery of the shipments that carried it. */
static int64_t returns_line_delivered_at(const struct order *order, const char *line_id,
                                         const struct shipment *shipments, size_t count)
{
    int64_t latest = 0;
    for (size_t s = 0; s < count; s++) {
        bool carried = false;
        for (size_t a = 0; a < order->allocations_count && !carried; a++) {
            const struct allocation *al = &order->allocations[a];
            carried = al->shipment_id != NULL && strcmp(al->shipment_id, shipments[s].id) == 0 &&
                      strcmp(al->line_id, line_id) == 0;
        }
        struct returns_shipment_times times = {
            .shipped_at_ms = shipments[s].shipped_at_ms,
            .delivered_at_ms = shipments[s].delivered_at_ms,
        };
        int64_t at = carried ? returns_delivered_at(&times, 1) : 0;
        latest = at > latest ? at : latest;
    }
    return latest;
}

/* What one line of a new return needs from the order. */
struct returns_new_line {
    const struct app_return_line_input *in;
    size_t index;
    const struct shipment *shipments;
    size_t shipments_count;
    int window_days;
};

static enum err_code returns_line_build(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct order *order,
                                        const struct returns_new_line *nl, struct rma_line *out,
                                        struct err *err)
{
    char field[48];
    const struct app_return_line_input *in = nl->in;
    const struct order_line *line = NULL;
    for (size_t i = 0; i < order->lines_count && line == NULL; i++) {
        line = strcmp(order->lines[i].id, in->line_id) == 0 ? &order->lines[i] : NULL;
    }
    if (line == NULL) {
        (void)snprintf(field, sizeof(field), "lines[%zu].line_id", nl->index);
        return err_set(err, ERR_INVALID, field, "order %s has no line '%s'", order->number,
                       in->line_id);
    }
    int64_t requested = 0;
    enum err_code code = store_rma_line_requested(conn, line->id, &requested, err);
    if (code != ERR_OK) {
        return code;
    }
    int64_t left = returns_returnable(line->qty_shipped, requested);
    if (in->qty > left) {
        (void)snprintf(field, sizeof(field), "lines[%zu].qty", nl->index);
        return err_set(err, ERR_INVALID, field,
                       "only %" PRId64 " units of line %d may still be returned, got %" PRId64,
                       left, line->line_no, in->qty);
    }
    int64_t delivered_at =
        returns_line_delivered_at(order, line->id, nl->shipments, nl->shipments_count);
    code = returns_window_check(delivered_at, ctx->now_ms, nl->window_days, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = (struct rma_line){.line_no = (int)nl->index + 1,
                             .order_line_id = line->id,
                             .order_line_no = line->line_no,
                             .sku = line->sku,
                             .qty = in->qty};
    bool known = return_reason_parse(in->reason, &out->reason);
    ASSERT(known); /* validated before the writer */
    return ERR_OK;
}

struct returns_create_arg {
    const struct app_return_input *in;
    struct app_return_view *out;
};

static enum err_code returns_lines_build(struct app_ctx *ctx, struct store_conn *conn,
                                         const struct returns_create_arg *arg, int window_days,
                                         struct err *err)
{
    const struct app_return_input *in = arg->in;
    const struct order *order = &arg->out->order;
    struct rma *rma = &arg->out->rma;
    struct shipment *shipments = NULL;
    size_t shipments_count = 0;
    enum err_code code = store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments,
                                                      &shipments_count, err);
    rma->lines = ARENA_NEW_ARRAY(ctx->arena, struct rma_line, in->lines_count);
    if (code == ERR_OK && rma->lines == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < in->lines_count; i++) {
        struct returns_new_line nl = {.in = &in->lines[i],
                                      .index = i,
                                      .shipments = shipments,
                                      .shipments_count = shipments_count,
                                      .window_days = window_days};
        code = returns_line_build(ctx, conn, order, &nl, &rma->lines[i], err);
    }
    rma->lines_count = code == ERR_OK ? in->lines_count : 0;
    return code;
}

/* Exchange lines name products that exist (simple or kit). */
static enum err_code returns_exchange_check(struct app_ctx *ctx, struct store_conn *conn,
                                            const struct app_return_input *in, struct err *err)
{
    for (size_t i = 0; i < in->exchange_lines_count; i++) {
        struct product product;
        enum err_code code =
            store_product_get(conn, ctx->arena, in->exchange_lines[i].sku, &product, err);
        if (code == ERR_NOT_FOUND) {
            char field[48];
            (void)snprintf(field, sizeof(field), "exchange_lines[%zu].sku", i);
            return err_set(err, ERR_INVALID, field, "no product '%s'", in->exchange_lines[i].sku);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* {"return_id", "number", "location", "resolution", "status", "refunded", "exchange_order_id"} */
static const char *returns_event_data(struct app_ctx *ctx, const struct rma *rma)
{
    return arena_sprintf(ctx->arena,
                         "{\"return_id\":\"%s\",\"number\":\"%s\",\"location\":\"%s\","
                         "\"resolution\":\"%s\",\"status\":\"%s\",\"refunded\":%" PRId64
                         ",\"exchange_order_id\":%s%s%s}",
                         rma->id, rma->number, rma->location_code,
                         return_resolution_name(rma->resolution), return_status_name(rma->status),
                         rma->refunded, rma->exchange_order_id != NULL ? "\"" : "",
                         rma->exchange_order_id != NULL ? rma->exchange_order_id : "null",
                         rma->exchange_order_id != NULL ? "\"" : "");
}

static enum err_code returns_create_rma(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct app_return_input *in, struct rma *rma,
                                        struct err *err)
{
    int64_t number = 0;
    enum err_code code = store_rma_next_number(conn, &number, err);
    char id[ID_LEN_MAX];
    id_new(id, "rma", ctx->now_ms);
    if (rma->id == NULL) { /* a cross-ship exchange named it already */
        rma->id = arena_strdup(ctx->arena, id);
    }
    rma->number = arena_sprintf(ctx->arena, "RMA-%" PRId64, number);
    if (code == ERR_OK && (rma->id == NULL || rma->number == NULL)) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum return_resolution resolution = RETURN_RESOLUTION_REFUND;
    if (in->resolution != NULL && !return_resolution_parse(in->resolution, &resolution)) {
        ASSERT(false); /* validated before the writer */
    }
    rma->resolution = resolution;
    rma->status = RETURN_STATUS_REQUESTED;
    rma->version = 1;
    rma->created_at_ms = ctx->now_ms;
    rma->updated_at_ms = ctx->now_ms;
    if (code == ERR_OK) {
        code = store_rma_insert(conn, rma, err);
    }
    return code;
}

static enum err_code returns_create_run(struct app_write *write, struct store_conn *conn,
                                        struct err *err)
{
    struct returns_create_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    const struct app_return_input *in = arg->in;
    struct app_return_view *view = arg->out;
    struct rma *rma = &view->rma;
    struct order *order = &view->order;
    write->result = view;
    struct returns_settings settings = {0};
    struct location location = {0};
    enum err_code code = returns_order(ctx, conn, in->order_id, order, err);
    if (code == ERR_OK) {
        code = returns_order_state(order, err);
    }
    if (code == ERR_OK) {
        code = returns_location(ctx, conn, in->location, &location, err);
    }
    if (code == ERR_OK) {
        code = returns_settings_load(ctx, conn, &settings, err);
    }
    if (code == ERR_OK) {
        code = returns_lines_build(ctx, conn, arg, settings.window_days, err);
    }
    if (code == ERR_OK) {
        code = returns_exchange_check(ctx, conn, in, err);
    }
    rma->order_id = order->id;
    rma->location_row_id = location.row_id;
    rma->location_code = location.code;
    rma->exchange_lines = in->exchange_lines;
    rma->exchange_lines_count = in->exchange_lines_count;
    bool cross_ship = in->exchange_lines_count > 0 && returns_cross_ships(&settings, order);
    if (code == ERR_OK && cross_ship) {
        /* Cross-ship: the replacement leaves before the return arrives. */
        struct returns_basis basis = {.shipping_reasons = settings.shipping_reasons};
        char id[ID_LEN_MAX];
        id_new(id, "rma", ctx->now_ms);
        rma->id = arena_strdup(ctx->arena, id); /* the exchange's charge names its return */
        code = store_rma_shipping_units(conn, order->id, &basis.shipping_units, err);
        if (code == ERR_OK) {
            code = returns_exchange_order(ctx, conn, order, rma, &basis, err);
        }
    }
    if (code == ERR_OK) {
        code = returns_create_rma(ctx, conn, in, rma, err);
    }
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order->id, "order.return_requested",
                             returns_event_data(ctx, rma), err);
    }
    return code;
}

/* The input's shape, before the writer: every error names its field. */
static enum err_code returns_input_check(const struct app_return_input *in, struct err *err)
{
    if (in->order_id == NULL || in->order_id[0] == '\0') {
        return err_set(err, ERR_INVALID, "order_id", "order_id is required");
    }
    if (in->location == NULL || in->location[0] == '\0') {
        return err_set(err, ERR_INVALID, "location", "location is required");
    }
    if (in->lines_count == 0 || in->lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "between 1 and %d lines, got %zu",
                       ORDER_LINES_MAX, in->lines_count);
    }
    char field[48];
    for (size_t i = 0; i < in->lines_count; i++) {
        const struct app_return_line_input *line = &in->lines[i];
        enum return_reason reason;
        if (line->line_id == NULL || line->line_id[0] == '\0') {
            (void)snprintf(field, sizeof(field), "lines[%zu].line_id", i);
            return err_set(err, ERR_INVALID, field, "line_id is required");
        }
        if (line->qty <= 0 || line->qty > QTY_MAX) {
            (void)snprintf(field, sizeof(field), "lines[%zu].qty", i);
            return err_set(err, ERR_INVALID, field, "qty must be between 1 and %d, got %" PRId64,
                           QTY_MAX, line->qty);
        }
        if (!return_reason_parse(line->reason, &reason)) {
            (void)snprintf(field, sizeof(field), "lines[%zu].reason", i);
            return err_set(err, ERR_INVALID, field,
                           "reason must be one of too_small, too_large, damaged, defective, "
                           "wrong_item, late, changed_mind, other");
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(in->lines[j].line_id, line->line_id) == 0) {
                (void)snprintf(field, sizeof(field), "lines[%zu].line_id", i);
                return err_set(err, ERR_INVALID, field, "line '%s' is listed twice", line->line_id);
            }
        }
    }
    return ERR_OK;
}

static enum err_code returns_resolution_check(const struct app_return_input *in, struct err *err)
{
    enum return_resolution resolution = RETURN_RESOLUTION_REFUND;
    if (in->resolution != NULL && !return_resolution_parse(in->resolution, &resolution)) {
        return err_set(err, ERR_INVALID, "resolution", "resolution must be refund or exchange");
    }
    bool exchange = resolution == RETURN_RESOLUTION_EXCHANGE;
    if (exchange && in->exchange_lines_count == 0) {
        return err_set(err, ERR_INVALID, "exchange_lines", "an exchange needs exchange_lines");
    }
    if (!exchange && in->exchange_lines_count > 0) {
        return err_set(err, ERR_INVALID, "exchange_lines",
                       "exchange_lines need resolution "
                       "exchange");
    }
    if (in->exchange_lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "exchange_lines", "at most %d exchange lines",
                       ORDER_LINES_MAX);
    }
    for (size_t i = 0; i < in->exchange_lines_count; i++) {
        const struct rma_exchange_line *x = &in->exchange_lines[i];
        char field[48];
        if (x->sku == NULL || x->sku[0] == '\0' || strlen(x->sku) > SKU_LEN_MAX) {
            (void)snprintf(field, sizeof(field), "exchange_lines[%zu].sku", i);
            return err_set(err, ERR_INVALID, field, "sku is required (at most %d bytes)",
                           SKU_LEN_MAX);
        }
        if (x->qty <= 0 || x->qty > QTY_MAX) {
            (void)snprintf(field, sizeof(field), "exchange_lines[%zu].qty", i);
            return err_set(err, ERR_INVALID, field, "qty must be between 1 and %d, got %" PRId64,
                           QTY_MAX, x->qty);
        }
    }
    return ERR_OK;
}

enum err_code app_return_create(struct app_ctx *ctx, const struct app_return_input *in,
                                struct app_idempotency *idem, struct app_return_view *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && in != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ORDERS_MANAGE, err);
    if (code == ERR_OK) {
        code = returns_input_check(in, err);
    }
    if (code == ERR_OK) {
        code = returns_resolution_check(in, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct returns_create_arg arg = {.in = in, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = returns_create_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* ---- reads --------------------------------------------------------------------------------- */

enum err_code app_return_get(struct app_ctx *ctx, const char *id, struct app_return_view *out,
                             struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    enum err_code code = returns_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = returns_load(ctx, conn, id, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

enum err_code app_return_list(struct app_ctx *ctx, const char *order_id,
                              struct app_return_view **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    if (order_id == NULL || order_id[0] == '\0') {
        return err_set(err, ERR_INVALID, "order_id", "order_id is required");
    }
    enum err_code code = returns_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct order order;
    const char **ids = NULL;
    size_t n = 0;
    /* A warehouse lists the returns of its location only (returns_load filters them). */
    code = ctx->principal->role == ROLE_WAREHOUSE ? ERR_OK
                                                  : returns_order(ctx, conn, order_id, &order, err);
    if (code == ERR_OK) {
        code = store_rma_ids_by_order(conn, ctx->arena, order_id, &ids, &n, err);
    }
    struct app_return_view *views = ARENA_NEW_ARRAY(ctx->arena, struct app_return_view, n + 1);
    if (code == ERR_OK && views == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t kept = 0;
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        code = returns_load(ctx, conn, ids[i], &views[kept], err);
        if (code == ERR_NOT_FOUND) { /* a warehouse sees its own location's returns only */
            err_clear(err);
            code = ERR_OK;
            continue;
        }
        kept++;
    }
    app_read_end(ctx, conn);
    *out = views;
    *count = code == ERR_OK ? kept : 0;
    return code;
}

/* ---- receive ------------------------------------------------------------------------------- */

struct returns_receive_arg {
    const char *id;
    const struct app_receive_line *lines;
    size_t count;
    struct app_return_view *out;
};

/* The return line of an order line id, or NULL. */
static struct rma_line *returns_rma_line(struct rma *rma, const char *order_line_id)
{
    for (size_t i = 0; i < rma->lines_count; i++) {
        if (strcmp(rma->lines[i].order_line_id, order_line_id) == 0) {
            return &rma->lines[i];
        }
    }
    return NULL;
}

/* Every receive line names a line of the return, a condition, and fits what is left. */
static enum err_code returns_receive_check(const struct returns_receive_arg *arg, struct rma *rma,
                                           struct err *err)
{
    char field[48];
    for (size_t i = 0; i < arg->count; i++) {
        const struct app_receive_line *in = &arg->lines[i];
        struct rma_line *line = in->line_id != NULL ? returns_rma_line(rma, in->line_id) : NULL;
        enum return_condition condition;
        if (line == NULL) {
            (void)snprintf(field, sizeof(field), "lines[%zu].line_id", i);
            return err_set(err, ERR_INVALID, field, "return %s has no line for order line '%s'",
                           rma->number, in->line_id != NULL ? in->line_id : "");
        }
        if (!return_condition_parse(in->condition, &condition)) {
            (void)snprintf(field, sizeof(field), "lines[%zu].condition", i);
            return err_set(err, ERR_INVALID, field, "condition must be sellable or damaged");
        }
        int64_t before = 0;
        for (size_t j = 0; j < i; j++) {
            before += strcmp(arg->lines[j].line_id, in->line_id) == 0 ? arg->lines[j].qty : 0;
        }
        int64_t left = line->qty - line->qty_received - before;
        if (in->qty <= 0 || in->qty > left) {
            (void)snprintf(field, sizeof(field), "lines[%zu].qty", i);
            return err_set(err, ERR_INVALID, field,
                           "qty must be between 1 and the %" PRId64 " units still expected, "
                           "got %" PRId64,
                           left, in->qty);
        }
    }
    return ERR_OK;
}

static enum err_code returns_receive_run(struct app_write *write, struct store_conn *conn,
                                         struct err *err)
{
    struct returns_receive_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct app_return_view *view = arg->out;
    write->result = view;
    enum err_code code = returns_load(ctx, conn, arg->id, view, err);
    if (code == ERR_OK && !auth_role_allows(ctx->principal->role, PERM_FULFILLMENT)) {
        code = err_set(err, ERR_FORBIDDEN, NULL, "the %s role may not receive returns",
                       role_name(ctx->principal->role));
    }
    if (code == ERR_OK) {
        code = returns_receive_check(arg, &view->rma, err);
    }
    if (code == ERR_OK) {
        struct returns_receipt receipt = {.lines = arg->lines, .count = arg->count};
        code = returns_receive_apply(ctx, conn, view, &receipt, err);
    }
    if (code == ERR_OK) {
        code = returns_load(ctx, conn, arg->id, view, err);
    }
    return code;
}

enum err_code app_return_receive(struct app_ctx *ctx, const char *id,
                                 const struct app_receive *receive, struct app_idempotency *idem,
                                 struct app_return_view *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && out != NULL && receive != NULL);
    const struct app_receive_line *lines = receive->lines;
    size_t count = receive->count;
    ASSERT(lines != NULL || count == 0);
    memset(out, 0, sizeof(*out));
    enum err_code code = returns_require_read(ctx, err);
    if (code != ERR_OK) {
        return code;
    }
    if (count == 0 || count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "between 1 and %d lines, got %zu",
                       ORDER_LINES_MAX, count);
    }
    struct returns_receive_arg arg = {.id = id, .lines = lines, .count = count, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = returns_receive_run, .arg = &arg};
    return app_write_run(&write, err);
}
