/*
 * routing_optimize.c — POST /v1/routing/optimize (issue 3, round 2): batch re-optimisation.
 * On a read snapshot it gathers every order whose allocations are all on pending shipments (not
 * picked), ships to an address (pickups, drop-ships and transfers keep their plan) and is
 * allocated, with one allocation per line; the locations with what their daily capacity still
 * allows (capacity_per_day minus today's shipments that are neither pending nor cancelled) and
 * each product's stock (ATP plus what the batch holds). core/routing_batch.c writes the
 * mixed-integer programme, CBC solves it within the time limit, and both plans are priced the
 * engine's way. The new plan is kept only when it is better (fewer shipments over capacity or
 * units over stock, then fewer unplaced, then cheaper); otherwise nothing changes. Unless
 * dry_run, the moves are applied in one writer command: every moved line is released first,
 * then reserved at its new location (ledger rows), emptied shipments are cancelled, and each
 * order gets an order.reoptimized event; an order changed since the snapshot (its version)
 * fails the whole command with 412 and nothing moves.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "app/routing_cbc.h"
#include "core/limits.h"
#include "core/routing_batch.h"
#include "lib/date.h"
#include "lib/json.h"

#define OPT_PAGE 500

/* Where a batch line comes from. */
struct opt_ref {
    size_t order;      /* into st->orders */
    size_t line;       /* into the order's lines */
    size_t allocation; /* into the order's allocations */
};

struct opt_state {
    struct app_ctx *ctx;
    struct location *locations;
    size_t locations_count;
    int64_t *by_row; /* location row id -> candidate index or -1 */
    int64_t row_max;
    struct routing_candidate *candidates;
    int64_t *capacity;
    struct app_routing_config config;
    struct order *orders;
    struct routing_batch_order *border;
    size_t orders_count;
    size_t orders_cap;
    struct routing_batch_line *lines;
    struct opt_ref *refs;
    size_t lines_count;
    size_t lines_cap;
    struct routing_batch_part *parts;
    int64_t *parts_row; /* product row id of each part until products are numbered */
    size_t parts_count;
    size_t parts_cap;
    int64_t *products;
    size_t products_count;
    int64_t *stock;
    struct routing_batch batch;
};

#define OPT_NO_MEMORY(err) err_set((err), ERR_TOO_LARGE, NULL, "out of request memory")

/* Doubles an arena array when full; false when the arena is full. */
static bool opt_grow(struct arena *arena, void **items, size_t count, size_t *cap, size_t elem)
{
    if (count < *cap) {
        return true;
    }
    size_t next = *cap == 0 ? 64 : *cap * 2;
    void *grown = arena_alloc(arena, next * elem);
    if (grown == NULL) {
        return false;
    }
    if (count > 0) {
        memcpy(grown, *items, count * elem);
    }
    *items = grown;
    *cap = next;
    return true;
}

/* The candidates with what is left of each one's day for the batch. */
static enum err_code opt_locations(struct app_ctx *ctx, struct store_conn *conn,
                                   struct opt_state *st, struct err *err)
{
    enum err_code code =
        store_location_list(conn, ctx->arena, &st->locations, &st->locations_count, err);
    size_t n = st->locations_count;
    st->candidates = ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, n + 1);
    st->capacity = ARENA_NEW_ARRAY(ctx->arena, int64_t, n + 1);
    if (code == ERR_OK && (st->candidates == NULL || st->capacity == NULL)) {
        code = OPT_NO_MEMORY(err);
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        const struct location *l = &st->locations[i];
        st->candidates[i] = (struct routing_candidate){.location_row_id = l->row_id,
                                                       .code = l->code,
                                                       .lat = l->address.lat,
                                                       .lon = l->address.lon,
                                                       .has_coords = l->address.has_coords,
                                                       .capabilities = l->capabilities,
                                                       .active = l->active,
                                                       .handling_cost = l->handling_cost,
                                                       .priority = l->priority,
                                                       .capacity_left = INT64_MAX,
                                                       .handling_days = l->handling_days,
                                                       .dropship = app_location_is_dropship(l)};
        st->row_max = l->row_id > st->row_max ? l->row_id : st->row_max;
        int64_t busy = 0;
        st->capacity[i] = INT64_MAX;
        if (l->capacity_per_day > 0) {
            code = store_routing_shipments_busy(conn, l->row_id, date_day_start_ms(ctx->now_ms),
                                                &busy, err);
            st->capacity[i] = l->capacity_per_day - busy;
        }
    }
    st->by_row = ARENA_NEW_ARRAY(ctx->arena, int64_t, (size_t)st->row_max + 1);
    if (code == ERR_OK && st->by_row == NULL) {
        code = OPT_NO_MEMORY(err);
    }
    for (int64_t r = 0; code == ERR_OK && r <= st->row_max; r++) {
        st->by_row[r] = -1;
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        st->by_row[st->locations[i].row_id] = (int64_t)i;
    }
    return code;
}

static int64_t opt_candidate(const struct opt_state *st, int64_t location_row_id)
{
    return location_row_id >= 0 && location_row_id <= st->row_max ? st->by_row[location_row_id]
                                                                  : -1;
}

/* An order the batch may re-plan: allocated, shipped to an address, every open shipment
 * pending, no drop-ship, one allocation per line. */
static bool opt_eligible(const struct opt_state *st, const struct order *order,
                         const struct shipment *shipments, size_t count)
{
    if (order->status != ORDER_STATUS_ALLOCATED || order->method != FULFILLMENT_SHIP) {
        return false;
    }
    for (size_t s = 0; s < count; s++) {
        if (shipments[s].status != SHIPMENT_STATUS_PENDING &&
            shipments[s].status != SHIPMENT_STATUS_CANCELLED) {
            return false;
        }
    }
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *a = &order->allocations[i];
        int64_t c = opt_candidate(st, a->location_row_id);
        if (a->qty > 0 && (c < 0 || st->candidates[c].dropship)) {
            return false;
        }
        for (size_t j = i + 1; a->qty > 0 && j < order->allocations_count; j++) {
            if (order->allocations[j].qty > 0 &&
                strcmp(order->allocations[j].line_id, a->line_id) == 0) {
                return false; /* a line in pieces stays as it is */
            }
        }
    }
    return true;
}

/* What one unit of the line consumes: its product, or each component of its kit. */
static enum err_code opt_parts(struct app_ctx *ctx, struct store_conn *conn, struct opt_state *st,
                               const struct order_line *line, struct routing_batch_line *out,
                               struct err *err)
{
    struct product kit;
    const struct product *product = NULL;
    enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
    size_t count = product != NULL ? product->components_count : 1;
    out->parts_start = st->parts_count;
    out->parts_count = count;
    for (size_t c = 0; code == ERR_OK && c < count; c++) {
        size_t cap_parts = st->parts_cap;
        size_t cap_rows = st->parts_cap;
        if (!opt_grow(ctx->arena, (void **)&st->parts, st->parts_count, &cap_parts,
                      sizeof(*st->parts)) ||
            !opt_grow(ctx->arena, (void **)&st->parts_row, st->parts_count, &cap_rows,
                      sizeof(*st->parts_row))) {
            return OPT_NO_MEMORY(err);
        }
        st->parts_cap = cap_parts;
        st->parts_row[st->parts_count] =
            product != NULL ? product->components[c].product_row_id : line->product_row_id;
        st->parts[st->parts_count++] = (struct routing_batch_part){
            .per_unit = product != NULL ? product->components[c].qty : 1};
    }
    return code;
}

/* Adds one batch line per allocation of the order. */
static enum err_code opt_order_lines(struct app_ctx *ctx, struct store_conn *conn,
                                     struct opt_state *st, size_t o, struct err *err)
{
    struct order *order = &st->orders[o];
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < order->allocations_count; i++) {
        const struct allocation *a = &order->allocations[i];
        struct order_line *line = ful_order_line(order, a->line_id);
        if (a->qty == 0 || line == NULL) {
            continue;
        }
        size_t cap_lines = st->lines_cap;
        size_t cap_refs = st->lines_cap;
        if (!opt_grow(ctx->arena, (void **)&st->lines, st->lines_count, &cap_lines,
                      sizeof(*st->lines)) ||
            !opt_grow(ctx->arena, (void **)&st->refs, st->lines_count, &cap_refs,
                      sizeof(*st->refs))) {
            return OPT_NO_MEMORY(err);
        }
        st->lines_cap = cap_lines;
        struct routing_batch_line *bl = &st->lines[st->lines_count];
        *bl = (struct routing_batch_line){.qty = a->qty,
                                          .weight_grams = line->weight_grams,
                                          .current = (size_t)opt_candidate(st, a->location_row_id)};
        st->refs[st->lines_count] = (struct opt_ref){o, (size_t)(line - order->lines), i};
        code = opt_parts(ctx, conn, st, line, bl, err);
        st->lines_count++;
    }
    return code;
}

static enum err_code opt_add_order(struct app_ctx *ctx, struct store_conn *conn,
                                   struct opt_state *st, const char *id, struct err *err)
{
    size_t cap_orders = st->orders_cap;
    size_t cap_border = st->orders_cap;
    if (!opt_grow(ctx->arena, (void **)&st->orders, st->orders_count, &cap_orders,
                  sizeof(*st->orders)) ||
        !opt_grow(ctx->arena, (void **)&st->border, st->orders_count, &cap_border,
                  sizeof(*st->border))) {
        return OPT_NO_MEMORY(err);
    }
    st->orders_cap = cap_orders;
    size_t o = st->orders_count;
    struct order *order = &st->orders[o];
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code = store_order_get(conn, ctx->arena, id, order, err);
    if (code == ERR_OK) {
        code = store_shipment_list_by_order(conn, ctx->arena, id, &shipments, &count, err);
    }
    if (code != ERR_OK || !opt_eligible(st, order, shipments, count)) {
        return code;
    }
    st->border[o] = (struct routing_batch_order){
        .lines_start = st->lines_count,
        .has_destination = order->shipping_address.has_coords,
        .destination_lat = order->shipping_address.lat,
        .destination_lon = order->shipping_address.lon,
        .ship_complete = order->ship_policy == SHIP_POLICY_SHIP_COMPLETE,
        .hold_back = app_routing_hold_back(&st->config, order->channel)};
    code = opt_order_lines(ctx, conn, st, o, err);
    st->border[o].lines_count = st->lines_count - st->border[o].lines_start;
    if (code == ERR_OK && st->border[o].lines_count > 0) {
        st->orders_count++;
    }
    return code;
}

static int opt_id_compare(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The ids of the orders with a pending shipment, sorted and distinct (at most the batch's). */
static enum err_code opt_order_ids(struct app_ctx *ctx, struct store_conn *conn, const char ***ids,
                                   size_t *count, struct err *err)
{
    struct shipment_filter filter = {
        .has_status = true, .status = SHIPMENT_STATUS_PENDING, .limit = OPT_PAGE};
    size_t cap = 0;
    *ids = NULL;
    *count = 0;
    enum err_code code = ERR_OK;
    while (code == ERR_OK && *count < (size_t)ROUTING_BATCH_ORDERS_MAX * 2) {
        struct shipment *page = NULL;
        size_t n = 0;
        code = store_shipment_list(conn, ctx->arena, &filter, &page, &n, err);
        for (size_t i = 0; code == ERR_OK && i < n; i++) {
            if (!opt_grow(ctx->arena, (void **)ids, *count, &cap, sizeof(**ids))) {
                return OPT_NO_MEMORY(err);
            }
            (*ids)[(*count)++] = page[i].order_id;
        }
        if (code != ERR_OK || n < OPT_PAGE) {
            break;
        }
        filter.before_id = page[n - 1].id;
    }
    if (*count > 1) {
        qsort((void *)*ids, *count, sizeof(**ids), opt_id_compare);
    }
    size_t kept = 0;
    for (size_t i = 0; i < *count; i++) {
        if (kept == 0 || strcmp((*ids)[kept - 1], (*ids)[i]) != 0) {
            (*ids)[kept++] = (*ids)[i];
        }
    }
    *count = kept;
    return code;
}

static int opt_row_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* Numbers the products the parts name (sorted row ids). */
static enum err_code opt_products(struct app_ctx *ctx, struct opt_state *st, struct err *err)
{
    st->products = ARENA_NEW_ARRAY(ctx->arena, int64_t, st->parts_count + 1);
    if (st->products == NULL) {
        return OPT_NO_MEMORY(err);
    }
    if (st->parts_count > 0) {
        memcpy(st->products, st->parts_row, st->parts_count * sizeof(int64_t));
        qsort(st->products, st->parts_count, sizeof(int64_t), opt_row_compare);
    }
    size_t kept = 0;
    for (size_t i = 0; i < st->parts_count; i++) {
        if (kept == 0 || st->products[kept - 1] != st->products[i]) {
            st->products[kept++] = st->products[i];
        }
    }
    st->products_count = kept;
    for (size_t i = 0; i < st->parts_count; i++) {
        const int64_t *at =
            bsearch(&st->parts_row[i], st->products, kept, sizeof(int64_t), opt_row_compare);
        ASSERT(at != NULL);
        st->parts[i].product = (size_t)(at - st->products);
    }
    return ERR_OK;
}

/* Stock per (product, candidate): ATP, plus what the batch holds now; none at suppliers. */
static enum err_code opt_stock(struct app_ctx *ctx, struct store_conn *conn, struct opt_state *st,
                               struct err *err)
{
    size_t n = st->locations_count;
    st->stock = ARENA_NEW_ARRAY(ctx->arena, int64_t, st->products_count * n + 1);
    if (st->stock == NULL) {
        return OPT_NO_MEMORY(err);
    }
    memset(st->stock, 0, (st->products_count * n + 1) * sizeof(int64_t));
    enum err_code code = ERR_OK;
    for (size_t p = 0; code == ERR_OK && p < st->products_count; p++) {
        struct stock_row *rows = NULL;
        size_t count = 0;
        code = store_stock_list_by_product(conn, ctx->arena, st->products[p], &rows, &count, err);
        for (size_t i = 0; code == ERR_OK && i < count; i++) {
            int64_t c = opt_candidate(st, rows[i].location_row_id);
            if (c >= 0 && !st->candidates[c].dropship) {
                st->stock[p * n + (size_t)c] = inventory_atp(&rows[i].stock);
            }
        }
    }
    for (size_t l = 0; l < st->lines_count; l++) {
        const struct routing_batch_line *line = &st->lines[l];
        for (size_t i = 0; line->current != SIZE_MAX && i < line->parts_count; i++) {
            const struct routing_batch_part *part = &st->parts[line->parts_start + i];
            st->stock[part->product * n + line->current] += line->qty * part->per_unit;
        }
    }
    return code;
}

/* Everything the batch needs, on one read snapshot. */
static enum err_code opt_read(struct app_ctx *ctx, struct opt_state *st, struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = app_routing_config_load(ctx, conn, &st->config, err);
    if (code == ERR_OK) {
        code = opt_locations(ctx, conn, st, err);
    }
    const char **ids = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = opt_order_ids(ctx, conn, &ids, &count, err);
    }
    for (size_t i = 0; code == ERR_OK && i < count && st->orders_count < ROUTING_BATCH_ORDERS_MAX;
         i++) {
        code = opt_add_order(ctx, conn, st, ids[i], err);
    }
    if (code == ERR_OK) {
        code = opt_products(ctx, st, err);
    }
    if (code == ERR_OK) {
        code = opt_stock(ctx, conn, st, err);
    }
    app_read_end(ctx, conn);
    st->batch = (struct routing_batch){.candidates = st->candidates,
                                       .candidates_count = st->locations_count,
                                       .settings = &st->config.settings,
                                       .services = st->config.services,
                                       .services_count = st->config.services_count,
                                       .orders = st->border,
                                       .orders_count = st->orders_count,
                                       .lines = st->lines,
                                       .lines_count = st->lines_count,
                                       .parts = st->parts,
                                       .parts_count = st->parts_count,
                                       .products_count = st->products_count,
                                       .stock = st->stock,
                                       .capacity = st->capacity};
    return code;
}

/* ---- solving ------------------------------------------------------------------------------ */

/* The moves from the current plan to choice. */
static enum err_code opt_moves(struct app_ctx *ctx, const struct opt_state *st,
                               const size_t *choice, struct app_routing_optimize_result *out,
                               struct err *err)
{
    out->moves = ARENA_NEW_ARRAY(ctx->arena, struct app_routing_move, st->lines_count + 1);
    if (out->moves == NULL) {
        return OPT_NO_MEMORY(err);
    }
    out->moves_count = 0;
    for (size_t l = 0; l < st->lines_count; l++) {
        const struct opt_ref *ref = &st->refs[l];
        const struct order *order = &st->orders[ref->order];
        if (choice[l] == st->lines[l].current || choice[l] == SIZE_MAX) {
            continue;
        }
        out->moves[out->moves_count++] = (struct app_routing_move){
            .order_id = order->id,
            .order_number = order->number,
            .line_no = order->lines[ref->line].line_no,
            .sku = order->lines[ref->line].sku,
            .qty = st->lines[l].qty,
            .from = st->locations[st->lines[l].current].code,
            .to = st->locations[choice[l]].code,
        };
    }
    return ERR_OK;
}

/* Prices the current plan, solves the programme and keeps its plan only when it is better. */
static enum err_code opt_solve(struct app_ctx *ctx, const struct opt_state *st, double seconds_max,
                               size_t *choice, struct app_routing_optimize_result *out,
                               struct err *err)
{
    const struct routing_batch *batch = &st->batch;
    for (size_t l = 0; l < st->lines_count; l++) {
        choice[l] = st->lines[l].current;
    }
    enum err_code code = routing_batch_evaluate(batch, choice, ctx->arena, &out->before, err);
    out->after = out->before;
    out->solver = "empty";
    if (code != ERR_OK || st->lines_count == 0) {
        return code;
    }
    struct routing_mip mip;
    struct routing_cbc_result result;
    code = routing_batch_build(batch, ctx->arena, &mip, err);
    if (code == ERR_OK) {
        out->variables = mip.cols;
        out->constraints = mip.rows;
        double *start = ARENA_NEW_ARRAY(ctx->arena, double, mip.cols + 1);
        bool has_start = start != NULL && routing_batch_columns(batch, &mip, choice, start);
        code = routing_cbc_solve(&mip, has_start ? start : NULL, seconds_max, ctx->arena, &result,
                                 err);
    }
    if (code != ERR_OK) {
        return code;
    }
    out->solver = routing_cbc_status_name(result.status);
    out->seconds = result.seconds;
    if (result.solution == NULL) {
        return ERR_OK;
    }
    size_t *candidate = ARENA_NEW_ARRAY(ctx->arena, size_t, st->lines_count + 1);
    if (candidate == NULL) {
        return OPT_NO_MEMORY(err);
    }
    routing_batch_decode(batch, &mip, result.solution, candidate);
    size_t *best = ARENA_NEW_ARRAY(ctx->arena, size_t, st->lines_count + 1);
    if (best == NULL) {
        return OPT_NO_MEMORY(err);
    }
    struct routing_batch_result picked = {.choice = best};
    code = routing_batch_best(batch, choice, candidate, ctx->arena, &picked, err);
    if (code == ERR_OK && routing_batch_better(&picked.eval, &out->before)) {
        out->after = picked.eval;
        out->improved = true;
        memcpy(choice, best, st->lines_count * sizeof(*choice));
    }
    return code;
}

/* ---- applying ----------------------------------------------------------------------------- */

struct opt_apply {
    struct opt_state *st;
    const size_t *choice;
    struct order *fresh; /* [orders_count] the orders as the writer reads them */
    bool *moved;         /* [orders_count] */
    struct app_routing_optimize_result *out;
};

static bool opt_line_moves(const struct opt_apply *ap, size_t l)
{
    return ap->choice[l] != SIZE_MAX && ap->choice[l] != ap->st->lines[l].current;
}

/* Reads the moved orders again (unchanged since the snapshot) and releases the moved lines. */
static enum err_code opt_apply_release(struct app_ctx *ctx, struct store_conn *conn,
                                       struct opt_apply *ap, struct err *err)
{
    struct opt_state *st = ap->st;
    enum err_code code = ERR_OK;
    for (size_t l = 0; l < st->lines_count; l++) {
        ap->moved[st->refs[l].order] = ap->moved[st->refs[l].order] || opt_line_moves(ap, l);
    }
    for (size_t o = 0; code == ERR_OK && o < st->orders_count; o++) {
        if (!ap->moved[o]) {
            continue;
        }
        code = store_order_get(conn, ctx->arena, st->orders[o].id, &ap->fresh[o], err);
        if (code == ERR_OK && ap->fresh[o].version != st->orders[o].version) {
            code = err_set(err, ERR_PRECONDITION, NULL,
                           "order %s changed while the plan was made; optimise again",
                           st->orders[o].number);
        }
    }
    for (size_t l = 0; code == ERR_OK && l < st->lines_count; l++) {
        if (!opt_line_moves(ap, l)) {
            continue;
        }
        struct order *order = &ap->fresh[st->refs[l].order];
        struct allocation *a = &order->allocations[st->refs[l].allocation];
        struct order_line *line = &order->lines[st->refs[l].line];
        struct product kit;
        const struct product *product = NULL;
        code = ful_line_product(ctx, conn, line, &kit, &product, err);
        struct app_release release = {
            .line = line, .product = product, .location_row_id = a->location_row_id, .qty = a->qty};
        if (code == ERR_OK) {
            code = app_stock_release(ctx, conn, &release, err);
        }
        line->qty_allocated -= a->qty;
        a->qty = 0;
    }
    return code;
}

/* The order's moves as event data. */
static const char *opt_event_data(struct app_ctx *ctx, const struct opt_apply *ap, size_t o)
{
    const struct opt_state *st = ap->st;
    struct buf buf;
    buf_init(&buf, (size_t)64 * 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_key(&jw, "moves");
    jw_array_begin(&jw);
    for (size_t l = 0; l < st->lines_count; l++) {
        if (st->refs[l].order != o || !opt_line_moves(ap, l)) {
            continue;
        }
        const struct order_line *line = &st->orders[o].lines[st->refs[l].line];
        jw_object_begin(&jw);
        jw_kv_int(&jw, "line_no", line->line_no);
        jw_kv_string(&jw, "sku", line->sku);
        jw_kv_int(&jw, "qty", st->lines[l].qty);
        jw_kv_string(&jw, "from", st->locations[st->lines[l].current].code);
        jw_kv_string(&jw, "to", st->locations[ap->choice[l]].code);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_kv_int(&jw, "batch_cost_before", ap->out->before.cost.total);
    jw_kv_int(&jw, "batch_cost_after", ap->out->after.cost.total);
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

static enum err_code opt_apply_run(struct app_write *write, struct store_conn *conn,
                                   struct err *err)
{
    struct opt_apply *ap = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct opt_state *st = ap->st;
    write->result = ap->out;
    memset(ap->moved, 0, st->orders_count * sizeof(*ap->moved));
    enum err_code code = opt_apply_release(ctx, conn, ap, err);
    for (size_t l = 0; code == ERR_OK && l < st->lines_count; l++) {
        if (opt_line_moves(ap, l)) {
            struct ful_units units = {.line_index = st->refs[l].line,
                                      .location = &st->locations[ap->choice[l]],
                                      .qty = st->lines[l].qty};
            code = ful_allocate(ctx, conn, &ap->fresh[st->refs[l].order], &units, err);
        }
    }
    for (size_t o = 0; code == ERR_OK && o < st->orders_count; o++) {
        if (!ap->moved[o]) {
            continue;
        }
        code = ful_compact(ctx, conn, &ap->fresh[o], err);
        if (code == ERR_OK) {
            code = ful_order_settle(ctx, conn, &ap->fresh[o], err);
        }
        if (code == ERR_OK) {
            code = ful_order_save(ctx, conn, &ap->fresh[o], "order.reoptimized",
                                  opt_event_data(ctx, ap, o), err);
        }
    }
    return code;
}

enum err_code app_routing_optimize(struct app_ctx *ctx,
                                   const struct app_routing_optimize_input *input,
                                   struct app_idempotency *idem,
                                   struct app_routing_optimize_result *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ROUTING_WRITE, err);
    if (code == ERR_OK && (input->time_limit_ms < 1 || input->time_limit_ms > 60000)) {
        code = err_set(err, ERR_INVALID, "time_limit_ms",
                       "time_limit_ms must be between 1 and 60000, got %" PRId64,
                       input->time_limit_ms);
    }
    struct opt_state *st = ARENA_NEW(ctx->arena, struct opt_state);
    if (code == ERR_OK && st == NULL) {
        code = OPT_NO_MEMORY(err);
    }
    if (code != ERR_OK) {
        return code;
    }
    memset(st, 0, sizeof(*st));
    out->dry_run = input->dry_run;
    code = opt_read(ctx, st, err);
    size_t *choice = ARENA_NEW_ARRAY(ctx->arena, size_t, st->lines_count + 1);
    if (code == ERR_OK && choice == NULL) {
        code = OPT_NO_MEMORY(err);
    }
    if (code == ERR_OK) {
        code = opt_solve(ctx, st, (double)input->time_limit_ms / 1000.0, choice, out, err);
    }
    out->orders = st->orders_count;
    out->lines = st->lines_count;
    if (code == ERR_OK && out->improved) {
        code = opt_moves(ctx, st, choice, out, err);
    }
    if (code != ERR_OK || input->dry_run || out->moves_count == 0) {
        return code;
    }
    struct opt_apply ap = {.st = st, .choice = choice, .out = out};
    ap.fresh = ARENA_NEW_ARRAY(ctx->arena, struct order, st->orders_count);
    ap.moved = ARENA_NEW_ARRAY(ctx->arena, bool, st->orders_count);
    if (ap.fresh == NULL || ap.moved == NULL) {
        return OPT_NO_MEMORY(err);
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = opt_apply_run, .arg = &ap};
    code = app_write_run(&write, err);
    out->applied = code == ERR_OK;
    return code;
}
