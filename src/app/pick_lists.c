/*
 * pick_lists.c — waves: a pick list takes a location's pending shipments, earliest promise
 * first, moves them to picking (and their orders into fulfillment) and lists their units in
 * bin order. Completing it reports short picks: those units are released at the location,
 * marked on the pick list line (qty_shorted) and routed again; what nothing can serve is
 * backordered. One writer command each; every order touched gets an event.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"
#include "lib/json.h"

/* Bin location first (lines without one last), then SKU, then shipment. */
static int pick_lists_line_cmp(const void *a, const void *b)
{
    const struct pick_list_line *x = a;
    const struct pick_list_line *y = b;
    if ((x->bin_location == NULL) != (y->bin_location == NULL)) {
        return x->bin_location == NULL ? 1 : -1;
    }
    int c = x->bin_location != NULL ? strcmp(x->bin_location, y->bin_location) : 0;
    if (c == 0) {
        c = strcmp(x->sku, y->sku);
    }
    return c != 0 ? c : strcmp(x->shipment_id, y->shipment_id);
}

struct pick_lists_arg {
    const struct app_pick_list_input *input;
    const char *id;
    const struct app_pick_complete *complete;
    struct pick_list *out;
    size_t lines_cap; /* room in out->lines while a wave is built */
};

/* Room for one more pick line, doubling the arena array. */
static enum err_code pick_lists_grow(struct app_ctx *ctx, struct pick_list *pick_list, size_t *cap,
                                     struct err *err)
{
    if (pick_list->lines_count < *cap) {
        return ERR_OK;
    }
    size_t new_cap = *cap > 0 ? *cap * 2 : 16;
    struct pick_list_line *lines = ARENA_NEW_ARRAY(ctx->arena, struct pick_list_line, new_cap);
    if (lines == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (pick_list->lines_count > 0) {
        memcpy(lines, pick_list->lines, pick_list->lines_count * sizeof(*lines));
    }
    pick_list->lines = lines;
    *cap = new_cap;
    return ERR_OK;
}

/* Appends the shipment's allocations to the pick list's lines. */
static enum err_code pick_lists_add_lines(struct app_ctx *ctx, struct store_conn *conn,
                                          const struct order *order,
                                          const struct shipment *shipment,
                                          struct pick_lists_arg *arg, struct err *err)
{
    struct pick_list *pick_list = arg->out;
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *allocation = &order->allocations[i];
        if (allocation->qty == 0 || allocation->shipment_id == NULL ||
            strcmp(allocation->shipment_id, shipment->id) != 0) {
            continue;
        }
        struct product product;
        enum err_code code = store_product_get(conn, ctx->arena, allocation->sku, &product, err);
        if (code == ERR_OK) {
            code = pick_lists_grow(ctx, pick_list, &arg->lines_cap, err);
        }
        if (code != ERR_OK) {
            return code;
        }
        pick_list->lines[pick_list->lines_count++] = (struct pick_list_line){
            .shipment_id = shipment->id,
            .order_id = order->id,
            .order_line_id = allocation->line_id,
            .allocation_id = allocation->id,
            .sku = allocation->sku,
            .bin_location = product.bin_location,
            .qty = allocation->qty,
        };
    }
    return ERR_OK;
}

/* Moves one shipment of the wave to picking, its order into fulfillment, and lists it. */
static enum err_code pick_lists_take(struct app_ctx *ctx, struct store_conn *conn,
                                     struct shipment *shipment, struct pick_lists_arg *arg,
                                     struct err *err)
{
    struct pick_list *pick_list = arg->out;
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, shipment->order_id, &order, err);
    int64_t expected = shipment->version;
    if (code == ERR_OK) {
        code = shipment_transition(shipment, SHIPMENT_STATUS_PICKING, err);
    }
    if (code == ERR_OK) {
        shipment->pick_list_id = pick_list->id;
        shipment->updated_at_ms = ctx->now_ms;
        code = store_shipment_save(conn, shipment, expected, err);
    }
    if (code == ERR_OK) {
        code = pick_lists_add_lines(ctx, conn, &order, shipment, arg, err);
    }
    if (code == ERR_OK) {
        code = ful_order_settle(ctx, conn, &order, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    const char *extra = arena_sprintf(ctx->arena, "\"pick_list_id\":\"%s\"", pick_list->id);
    shipment->status = SHIPMENT_STATUS_PICKING;
    return ful_order_save(ctx, conn, &order, "order.picking", ful_event_data(ctx, shipment, extra),
                          err);
}

/* The wave's shipments; ERR_STATE when there is none. */
static enum err_code pick_lists_wave(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct pick_lists_arg *arg, struct shipment **shipments,
                                     size_t *count, struct err *err)
{
    const struct pick_list *pick_list = arg->out;
    struct shipment_filter filter = {.location_row_id = pick_list->location_row_id,
                                     .limit = arg->input->max_shipments};
    enum err_code code = store_shipment_wave(conn, ctx->arena, &filter, shipments, count, err);
    if (code != ERR_OK) {
        return code;
    }
    if (*count == 0) {
        return err_set_reason(err, ERR_STATE, "invalid_state", "location",
                              "no pending shipment to pick at '%s'", pick_list->location_code);
    }
    return ERR_OK;
}

static enum err_code pick_lists_create_run(struct app_write *write, struct store_conn *conn,
                                           struct err *err)
{
    struct pick_lists_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct pick_list *pick_list = arg->out;
    struct location location;
    enum err_code code = store_location_get(conn, ctx->arena, arg->input->location, &location, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "location", "no location '%s'", arg->input->location);
    }
    if (code == ERR_OK && app_location_is_dropship(&location)) { /* routing: drop-ship */
        return err_set_reason(err, ERR_STATE, "invalid_state", "location",
                              "'%s' is a drop-ship supplier: its shipments are purchase orders",
                              location.code);
    }
    char id[ID_LEN_MAX];
    id_new(id, "pck", ctx->now_ms);
    *pick_list = (struct pick_list){
        .id = arena_strdup(ctx->arena, id),
        .location_row_id = location.row_id,
        .location_code = location.code,
        .picker = arg->input->picker,
        .started_at_ms = ctx->now_ms,
        .version = 1,
    };
    struct shipment *shipments = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = pick_lists_wave(ctx, conn, arg, &shipments, &count, err);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        code = pick_lists_take(ctx, conn, &shipments[i], arg, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    qsort(pick_list->lines, pick_list->lines_count, sizeof(*pick_list->lines), pick_lists_line_cmp);
    for (size_t i = 0; i < pick_list->lines_count; i++) {
        pick_list->lines[i].line_no = (int)i + 1;
    }
    write->result = pick_list;
    return store_pick_list_insert(conn, pick_list, err);
}

enum err_code app_pick_list_create(struct app_ctx *ctx, const struct app_pick_list_input *input,
                                   struct app_idempotency *idem, struct pick_list *out,
                                   struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_FULFILLMENT, err);
    if (code != ERR_OK) {
        return code;
    }
    if (input->location == NULL || input->location[0] == '\0') {
        return err_set(err, ERR_INVALID, "location", "location is required");
    }
    if (!ful_location_visible(ctx, input->location)) {
        return err_set(err, ERR_FORBIDDEN, "location", "this key may not pick at '%s'",
                       input->location);
    }
    if (input->max_shipments == 0 || input->max_shipments > PICK_LIST_SHIPMENTS_MAX) {
        return err_set(err, ERR_INVALID, "max_shipments", "max_shipments must be 1..%d, got %zu",
                       PICK_LIST_SHIPMENTS_MAX, input->max_shipments);
    }
    struct pick_lists_arg arg = {.input = input, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = pick_lists_create_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* Loads a pick list the principal may see (ERR_NOT_FOUND otherwise). */
static enum err_code pick_lists_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                                     struct pick_list *out, struct err *err)
{
    enum err_code code = store_pick_list_get(conn, ctx->arena, id, out, err);
    if (code == ERR_OK && !ful_location_visible(ctx, out->location_code)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no pick list '%s'", id);
    }
    return code;
}

enum err_code app_pick_list_get(struct app_ctx *ctx, const char *id, struct pick_list *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    enum err_code code = ful_require_read(ctx, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = pick_lists_load(ctx, conn, id, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* The store filter of a list query: the location's row id (a warehouse key's own), cursor. */
static enum err_code pick_lists_filter(struct app_ctx *ctx, struct store_conn *conn,
                                       const struct app_pick_list_query *query,
                                       struct pick_list_filter *filter, struct err *err)
{
    const struct principal *who = ctx->principal;
    const char *location = query->location;
    if (location != NULL && !ful_location_visible(ctx, location)) {
        return err_set(err, ERR_FORBIDDEN, "location", "this key sees only location '%s'",
                       who->scope_location != NULL ? who->scope_location : "");
    }
    if (location == NULL) {
        location = who->scope_location;
    }
    *filter = (struct pick_list_filter){.has_status = query->has_status,
                                        .completed = query->completed,
                                        .before_id = query->page.cursor,
                                        .limit = query->page.limit};
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

enum err_code app_pick_list_list(struct app_ctx *ctx, struct app_pick_list_query *query,
                                 struct pick_list **out, size_t *count, struct err *err)
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
    struct pick_list_filter filter;
    struct store_ids ids = {0};
    code = pick_lists_filter(ctx, conn, query, &filter, err);
    if (code == ERR_OK) {
        code = store_pick_list_ids(conn, ctx->arena, &filter, &ids, err);
    }
    struct pick_list *lists = ARENA_NEW_ARRAY(ctx->arena, struct pick_list, ids.count);
    if (code == ERR_OK && ids.count > 0 && lists == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < ids.count; i++) {
        code = store_pick_list_get(conn, ctx->arena, ids.ids[i], &lists[i], err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_OK) {
        *out = lists;
        *count = ids.count;
        query->page.next_cursor = ids.count == query->page.limit ? ids.ids[ids.count - 1] : NULL;
    }
    return code;
}

/* Spreads the reported shorts over the lines of their SKU (into qty_shorted). */
static enum err_code pick_lists_mark_shorts(const struct app_pick_complete *complete,
                                            struct pick_list *pick_list, struct err *err)
{
    char field[48];
    for (size_t k = 0; k < complete->shorts_count; k++) {
        const struct app_pick_short *s = &complete->shorts[k];
        int64_t rest = s->qty;
        bool known = false;
        for (size_t i = 0; i < pick_list->lines_count && rest > 0; i++) {
            struct pick_list_line *line = &pick_list->lines[i];
            if (s->sku == NULL || strcmp(line->sku, s->sku) != 0) {
                continue;
            }
            known = true;
            int64_t room = line->qty - line->qty_shorted;
            int64_t take = rest < room ? rest : room;
            line->qty_shorted += take;
            rest -= take;
        }
        (void)snprintf(field, sizeof(field), known ? "short[%zu].qty" : "short[%zu].sku", k);
        if (!known) {
            return err_set(err, ERR_INVALID, field, "'%s' is not on this pick list",
                           s->sku != NULL ? s->sku : "");
        }
        if (s->qty <= 0 || rest > 0) {
            return err_set(err, ERR_INVALID, field,
                           "short quantity of '%s' must be between 1 and what was to be picked",
                           s->sku);
        }
    }
    return ERR_OK;
}

/* One shorted pick line: release at the location, route again, tell the order. */
static enum err_code pick_lists_short_line(struct app_ctx *ctx, struct store_conn *conn,
                                           const struct pick_list *pick_list,
                                           const struct pick_list_line *pick, struct err *err)
{
    struct shipment shipment;
    struct order order;
    enum err_code code = ful_load(ctx, conn, pick->shipment_id, &shipment, &order, err);
    struct allocation *allocation = NULL;
    for (size_t i = 0; code == ERR_OK && i < order.allocations_count; i++) {
        if (strcmp(order.allocations[i].id, pick->allocation_id) == 0) {
            allocation = &order.allocations[i];
        }
    }
    struct order_line *line =
        allocation != NULL ? ful_order_line(&order, allocation->line_id) : NULL;
    if (code == ERR_OK && (line == NULL || shipment.status != SHIPMENT_STATUS_PICKING ||
                           allocation->qty < pick->qty_shorted)) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "shipment %s is no longer being picked", shipment.id);
    }
    struct product kit;
    const struct product *product = NULL;
    if (code == ERR_OK) {
        code = ful_line_product(ctx, conn, line, &kit, &product, err);
    }
    if (code == ERR_OK) {
        struct app_release release = {.line = line,
                                      .product = product,
                                      .location_row_id = pick_list->location_row_id,
                                      .qty = pick->qty_shorted};
        code = app_stock_release(ctx, conn, &release, err);
    }
    struct ful_short units = {.line_index = (size_t)(line - order.lines),
                              .qty = pick->qty_shorted,
                              .excluded_row_id = pick_list->location_row_id};
    if (code == ERR_OK) {
        allocation->qty -= pick->qty_shorted;
        line->qty_allocated -= pick->qty_shorted;
        code = ful_reroute(ctx, conn, &order, &units, err);
    }
    int64_t routed = units.routed;
    if (code == ERR_OK) {
        code = ful_compact(ctx, conn, &order, err);
    }
    if (code == ERR_OK) {
        code = ful_order_settle(ctx, conn, &order, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    const char *extra = arena_sprintf(
        ctx->arena,
        "\"pick_list_id\":\"%s\",\"sku\":\"%s\",\"qty_shorted\":%" PRId64 ",\"rerouted\":%" PRId64
        ",\"backordered\":%" PRId64,
        pick_list->id, pick->sku, pick->qty_shorted, routed, pick->qty_shorted - routed);
    return ful_order_save(ctx, conn, &order, "order.short_picked",
                          ful_event_data(ctx, &shipment, extra), err);
}

static enum err_code pick_lists_complete_run(struct app_write *write, struct store_conn *conn,
                                             struct err *err)
{
    struct pick_lists_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct pick_list *pick_list = arg->out;
    enum err_code code = pick_lists_load(ctx, conn, arg->id, pick_list, err);
    if (code == ERR_OK && pick_list->completed) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "pick list %s is already completed", pick_list->id);
    }
    if (code == ERR_OK) {
        code = pick_lists_mark_shorts(arg->complete, pick_list, err);
    }
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        if (pick_list->lines[i].qty_shorted > 0) {
            code = pick_lists_short_line(ctx, conn, pick_list, &pick_list->lines[i], err);
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    int64_t expected = pick_list->version;
    pick_list->completed = true;
    pick_list->completed_at_ms = ctx->now_ms;
    if (arg->complete->picker != NULL) {
        pick_list->picker = arg->complete->picker;
    }
    pick_list->version = expected + 1;
    write->result = pick_list;
    code = store_pick_list_update(conn, pick_list, expected, err);
    return code == ERR_OK ? app_metrics_pick_list(ctx, conn, pick_list, err) : code;
}

enum err_code app_pick_list_complete(struct app_ctx *ctx, const char *id,
                                     const struct app_pick_complete *complete,
                                     struct app_idempotency *idem, struct pick_list *out,
                                     struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && complete != NULL);
    ASSERT(out != NULL && (complete->shorts != NULL || complete->shorts_count == 0));
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_FULFILLMENT, err);
    if (code != ERR_OK) {
        return code;
    }
    if (complete->shorts_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "short", "at most %d short lines", ORDER_LINES_MAX);
    }
    struct pick_lists_arg arg = {.id = id, .complete = complete, .out = out};
    struct app_write write = {
        .ctx = ctx, .idem = idem, .run = pick_lists_complete_run, .arg = &arg};
    return app_write_run(&write, err);
}
