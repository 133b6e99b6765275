/*
 * routing_simulate.c — POST /v1/routing/simulate (issue 3, round 2): replays the orders of a
 * past period under other routing settings, in memory, and compares with what happened. On
 * one read snapshot it takes the period's orders shipped to an address (oldest first), the
 * locations as they are now, and a stock picture for the period: each product's ATP now plus
 * the units the period's orders hold or took (their allocations), which is what those orders
 * could draw on. Each order is routed again by the engine with the given settings (the stored
 * ones where a setting is not given) over that picture, stock depleting and each location's
 * daily capacity counted per UTC day of the order; drop-ship lines route as at capture. Both
 * the simulated plans and the real allocations are priced with the simulated settings (so the
 * comparison is of decisions, not of prices). Nothing is written.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "core/routing.h"

#define SIM_PAGE 500
#define DAY_MS   86400000LL

/* The picture the replay runs on. */
struct sim {
    struct app_ctx *ctx;
    const struct app_routing_simulate_input *input;
    struct routing_settings settings;
    struct app_routing_config config;
    struct location *locations;
    size_t n;
    int64_t *by_row; /* location row id -> index, or -1 */
    int64_t row_max;
    struct order *orders; /* oldest first */
    size_t orders_count;
    struct product *products; /* the lines' products, by row id (sorted) */
    size_t products_count;
    int64_t *stock;         /* [products * n] units the replay can still place */
    int64_t day;            /* the UTC day the capacity counters are for */
    int64_t *shipped_today; /* [n] */
};

static enum err_code sim_no_memory(struct err *err)
{
    return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* The index of a product row id among the loaded products, or -1. */
static int64_t sim_product(const struct sim *s, int64_t row_id)
{
    size_t lo = 0;
    size_t hi = s->products_count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (s->products[mid].row_id < row_id) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < s->products_count && s->products[lo].row_id == row_id ? (int64_t)lo : -1;
}

static int64_t sim_location(const struct sim *s, int64_t row_id)
{
    return row_id >= 0 && row_id <= s->row_max ? s->by_row[row_id] : -1;
}

/* ---- reading the period ------------------------------------------------------------------ */

static enum err_code sim_locations(struct app_ctx *ctx, struct store_conn *conn, struct sim *s,
                                   struct err *err)
{
    enum err_code code = store_location_list(conn, ctx->arena, &s->locations, &s->n, err);
    for (size_t i = 0; code == ERR_OK && i < s->n; i++) {
        s->row_max = s->locations[i].row_id > s->row_max ? s->locations[i].row_id : s->row_max;
    }
    s->by_row = ARENA_NEW_ARRAY(ctx->arena, int64_t, (size_t)s->row_max + 1);
    s->shipped_today = ARENA_NEW_ARRAY(ctx->arena, int64_t, s->n + 1);
    if (code == ERR_OK && (s->by_row == NULL || s->shipped_today == NULL)) {
        return sim_no_memory(err);
    }
    for (int64_t r = 0; code == ERR_OK && r <= s->row_max; r++) {
        s->by_row[r] = -1;
    }
    for (size_t i = 0; code == ERR_OK && i < s->n; i++) {
        s->by_row[s->locations[i].row_id] = (int64_t)i;
    }
    return code;
}

/* The period's orders shipped to an address and not cancelled, oldest first. */
static enum err_code sim_orders(struct app_ctx *ctx, struct store_conn *conn, struct sim *s,
                                struct app_routing_simulate_result *out, struct err *err)
{
    struct order_filter filter = {
        .created_from_ms = s->input->from_ms, .created_to_ms = s->input->to_ms, .limit = SIM_PAGE};
    s->orders = ARENA_NEW_ARRAY(ctx->arena, struct order, APP_SIMULATE_ORDERS_MAX);
    if (s->orders == NULL) {
        return sim_no_memory(err);
    }
    enum err_code code = ERR_OK;
    for (;;) {
        struct order *page = NULL;
        size_t count = 0;
        code = store_order_list(conn, ctx->arena, &filter, &page, &count, err);
        for (size_t i = 0; code == ERR_OK && i < count; i++) {
            bool kept =
                page[i].method == FULFILLMENT_SHIP && page[i].status != ORDER_STATUS_CANCELLED;
            out->skipped += kept ? 0 : 1;
            if (kept && s->orders_count == APP_SIMULATE_ORDERS_MAX) {
                return err_set(err, ERR_INVALID, "to",
                               "the period holds more than %d orders: shorten it",
                               APP_SIMULATE_ORDERS_MAX);
            }
            if (kept) {
                s->orders[s->orders_count++] = page[i];
            }
        }
        if (code != ERR_OK || count < SIM_PAGE) {
            break;
        }
        filter.before_id = page[count - 1].id;
    }
    for (size_t i = 0; i < s->orders_count / 2; i++) { /* newest first -> oldest first */
        struct order t = s->orders[i];
        s->orders[i] = s->orders[s->orders_count - 1 - i];
        s->orders[s->orders_count - 1 - i] = t;
    }
    return code;
}

static int sim_row_compare(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return x < y ? -1 : (x > y ? 1 : 0);
}

/* Loads the products of the given row ids (sorted, distinct) into s->products. */
static enum err_code sim_load_products(struct app_ctx *ctx, struct store_conn *conn, struct sim *s,
                                       int64_t *ids, size_t count, struct err *err)
{
    if (count > 1) {
        qsort(ids, count, sizeof(*ids), sim_row_compare);
    }
    size_t kept = 0;
    for (size_t i = 0; i < count; i++) {
        if (kept == 0 || ids[kept - 1] != ids[i]) {
            ids[kept++] = ids[i];
        }
    }
    s->products = ARENA_NEW_ARRAY(ctx->arena, struct product, kept + 1);
    if (s->products == NULL) {
        return sim_no_memory(err);
    }
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < kept; i++) {
        code = store_product_get_by_row(conn, ctx->arena, ids[i], &s->products[i], err);
    }
    s->products_count = code == ERR_OK ? kept : 0;
    return code;
}

/* The lines' products and, for kits, their components. */
static enum err_code sim_products(struct app_ctx *ctx, struct store_conn *conn, struct sim *s,
                                  struct err *err)
{
    size_t lines = 0;
    for (size_t o = 0; o < s->orders_count; o++) {
        lines += s->orders[o].lines_count;
    }
    int64_t *ids = ARENA_NEW_ARRAY(ctx->arena, int64_t, lines + 1);
    if (ids == NULL) {
        return sim_no_memory(err);
    }
    size_t count = 0;
    for (size_t o = 0; o < s->orders_count; o++) {
        for (size_t l = 0; l < s->orders[o].lines_count; l++) {
            ids[count++] = s->orders[o].lines[l].product_row_id;
        }
    }
    enum err_code code = sim_load_products(ctx, conn, s, ids, count, err);
    size_t more = s->products_count;
    for (size_t p = 0; code == ERR_OK && p < s->products_count; p++) {
        more += s->products[p].components_count;
    }
    int64_t *all = ARENA_NEW_ARRAY(ctx->arena, int64_t, more + 1);
    if (code == ERR_OK && all == NULL) {
        return sim_no_memory(err);
    }
    size_t n = 0;
    for (size_t p = 0; code == ERR_OK && p < s->products_count; p++) {
        all[n++] = s->products[p].row_id;
        for (size_t c = 0; c < s->products[p].components_count; c++) {
            all[n++] = s->products[p].components[c].product_row_id;
        }
    }
    return code == ERR_OK ? sim_load_products(ctx, conn, s, all, n, err) : code;
}

/* Adds units of a line's product (a kit: its components) at location c into stock. */
static void sim_add(struct sim *s, int64_t product_row_id, size_t c, int64_t units)
{
    int64_t p = sim_product(s, product_row_id);
    if (p < 0 || app_location_is_dropship(&s->locations[c])) {
        return;
    }
    const struct product *product = &s->products[p];
    if (product->kind != PRODUCT_KIND_KIT) {
        s->stock[(size_t)p * s->n + c] += units;
        return;
    }
    for (size_t k = 0; k < product->components_count; k++) {
        int64_t q = sim_product(s, product->components[k].product_row_id);
        if (q >= 0) {
            s->stock[(size_t)q * s->n + c] += units * product->components[k].qty;
        }
    }
}

/* The picture: ATP now, plus what the period's orders hold or took. */
static enum err_code sim_stock(struct app_ctx *ctx, struct store_conn *conn, struct sim *s,
                               struct err *err)
{
    s->stock = ARENA_NEW_ARRAY(ctx->arena, int64_t, s->products_count * s->n + 1);
    if (s->stock == NULL) {
        return sim_no_memory(err);
    }
    memset(s->stock, 0, (s->products_count * s->n + 1) * sizeof(int64_t));
    enum err_code code = ERR_OK;
    for (size_t p = 0; code == ERR_OK && p < s->products_count; p++) {
        struct stock_row *rows = NULL;
        size_t count = 0;
        code = store_stock_list_by_product(conn, ctx->arena, s->products[p].row_id, &rows, &count,
                                           err);
        for (size_t i = 0; code == ERR_OK && i < count; i++) {
            int64_t c = sim_location(s, rows[i].location_row_id);
            if (c >= 0 && !app_location_is_dropship(&s->locations[c])) {
                s->stock[p * s->n + (size_t)c] = inventory_atp(&rows[i].stock);
            }
        }
    }
    for (size_t o = 0; code == ERR_OK && o < s->orders_count; o++) {
        const struct order *order = &s->orders[o];
        for (size_t a = 0; a < order->allocations_count; a++) {
            const struct allocation *al = &order->allocations[a];
            const struct order_line *line = NULL;
            for (size_t l = 0; l < order->lines_count; l++) {
                line = strcmp(order->lines[l].id, al->line_id) == 0 ? &order->lines[l] : line;
            }
            int64_t c = sim_location(s, al->location_row_id);
            if (line != NULL && c >= 0 && al->qty > 0) {
                sim_add(s, line->product_row_id, (size_t)c, al->qty);
            }
        }
    }
    return code;
}

static enum err_code sim_read(struct app_ctx *ctx, struct sim *s,
                              struct app_routing_simulate_result *out, struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = app_routing_config_load(ctx, conn, &s->config, err);
    if (code == ERR_OK) {
        code = sim_locations(ctx, conn, s, err);
    }
    if (code == ERR_OK) {
        code = sim_orders(ctx, conn, s, out, err);
    }
    if (code == ERR_OK) {
        code = sim_products(ctx, conn, s, err);
    }
    if (code == ERR_OK) {
        code = sim_stock(ctx, conn, s, err);
    }
    app_read_end(ctx, conn);
    return code;
}

/* ---- the replay -------------------------------------------------------------------------- */

/* What each location can serve of a line now (kits whole; drop-ship as at capture). */
static void sim_available(const struct sim *s, const struct order *order,
                          const struct order_line *line, int64_t qty, int64_t *available)
{
    int64_t p = sim_product(s, line->product_row_id);
    memset(available, 0, s->n * sizeof(*available));
    if (p < 0) {
        return;
    }
    const struct product *product = &s->products[p];
    for (size_t c = 0; c < s->n; c++) {
        if (product->kind != PRODUCT_KIND_KIT) {
            available[c] = s->stock[(size_t)p * s->n + c];
            continue;
        }
        int64_t kits = INT64_MAX;
        for (size_t k = 0; k < product->components_count; k++) {
            int64_t q = sim_product(s, product->components[k].product_row_id);
            int64_t have = q >= 0 ? s->stock[(size_t)q * s->n + c] : 0;
            int64_t can = have / product->components[k].qty;
            kits = can < kits ? can : kits;
        }
        available[c] = product->components_count > 0 ? kits : 0;
    }
    app_dropship_available(s->locations, s->n, product, order->method, qty, available);
}

/* The candidates with the capacity the replay has left of the order's day. */
static enum err_code sim_candidates(struct app_ctx *ctx, struct sim *s, const struct order *order,
                                    struct routing_request *request, struct err *err)
{
    int64_t day = order->created_at_ms / DAY_MS;
    if (day != s->day) {
        memset(s->shipped_today, 0, s->n * sizeof(int64_t));
        s->day = day;
    }
    struct routing_candidate *candidates =
        ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, s->n + 1);
    if (candidates == NULL) {
        return sim_no_memory(err);
    }
    for (size_t i = 0; i < s->n; i++) {
        const struct location *l = &s->locations[i];
        candidates[i] = (struct routing_candidate){
            .location_row_id = l->row_id,
            .code = l->code,
            .lat = l->address.lat,
            .lon = l->address.lon,
            .has_coords = l->address.has_coords,
            .capabilities = l->capabilities,
            .active = l->active,
            .handling_cost = l->handling_cost,
            .priority = l->priority,
            .capacity_left =
                l->capacity_per_day > 0 ? l->capacity_per_day - s->shipped_today[i] : INT64_MAX,
            .handling_days = l->handling_days,
            .dropship = app_location_is_dropship(l)};
    }
    *request = (struct routing_request){.candidates = candidates,
                                        .candidates_count = s->n,
                                        .has_destination = order->shipping_address.has_coords,
                                        .destination_lat = order->shipping_address.lat,
                                        .destination_lon = order->shipping_address.lon,
                                        .method = order->method,
                                        .policy = order->ship_policy,
                                        .settings = &s->settings,
                                        .services = s->config.services,
                                        .services_count = s->config.services_count,
                                        .channel_hold_back =
                                            app_routing_hold_back(&s->config, order->channel)};
    return ERR_OK;
}

/* The lines to route again (units not cancelled), their availability and the line map. */
static enum err_code sim_lines(struct app_ctx *ctx, struct sim *s, const struct order *order,
                               struct routing_request *request, size_t *map, struct err *err)
{
    struct routing_line *lines =
        ARENA_NEW_ARRAY(ctx->arena, struct routing_line, order->lines_count + 1);
    if (lines == NULL) {
        return sim_no_memory(err);
    }
    size_t k = 0;
    for (size_t l = 0; l < order->lines_count; l++) {
        const struct order_line *line = &order->lines[l];
        int64_t qty = line->qty - line->qty_cancelled;
        int64_t *available = ARENA_NEW_ARRAY(ctx->arena, int64_t, s->n + 1);
        if (available == NULL) {
            return sim_no_memory(err);
        }
        if (qty <= 0) {
            continue;
        }
        sim_available(s, order, line, qty, available);
        map[k] = l;
        lines[k++] = (struct routing_line){
            .qty = qty, .available = available, .weight_grams = line->weight_grams};
    }
    request->lines = lines;
    request->lines_count = k;
    return ERR_OK;
}

/* Adds one order's shipments to the totals. */
static void sim_count(struct app_routing_sim_totals *t, const struct routing_terms *terms,
                      int64_t shipments, int64_t unplaced)
{
    t->cost.shipping += terms->shipping;
    t->cost.handling += terms->handling;
    t->cost.lateness += terms->lateness;
    t->cost.split += terms->split;
    t->cost.total += terms->shipping + terms->handling + terms->lateness + terms->split;
    t->shipments += shipments;
    t->split_orders += shipments > 1 ? 1 : 0;
    t->unplaced_units += unplaced;
}

/* Routes the order again, takes its units from the picture and counts its plan. */
static enum err_code sim_replay(struct app_ctx *ctx, struct sim *s, const struct order *order,
                                struct app_routing_simulate_result *out, struct err *err)
{
    struct routing_request request = {0};
    struct routing_plan plan;
    size_t *map = ARENA_NEW_ARRAY(ctx->arena, size_t, order->lines_count + 1);
    enum err_code code =
        map != NULL ? sim_candidates(ctx, s, order, &request, err) : sim_no_memory(err);
    if (code == ERR_OK) {
        code = sim_lines(ctx, s, order, &request, map, err);
    }
    if (code == ERR_OK && request.lines_count == 0) {
        return ERR_OK;
    }
    if (code == ERR_OK) {
        code = routing_plan_order(&request, ctx->arena, &plan, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < plan.assignments_count; i++) {
        const struct routing_assignment *a = &plan.assignments[i];
        sim_add(s, order->lines[map[a->line_index]].product_row_id, a->candidate_index, -a->qty);
    }
    for (size_t i = 0; i < plan.explanations_count; i++) {
        const struct routing_explanation *e = &plan.explanations[i];
        if (e->verdict == ROUTING_CHOSEN) {
            s->shipped_today[e->candidate_index]++;
            int64_t late = e->days - s->settings.promise_days;
            out->simulated.late_shipments += late > 0 ? 1 : 0;
            out->simulated.lateness_days += late > 0 ? late : 0;
        }
    }
    sim_count(&out->simulated, &plan.cost, (int64_t)plan.shipments,
              plan.cost.unplaced / ROUTING_UNPLACED_COST);
    return ERR_OK;
}

/* Prices what happened to the order (its allocations) the way the replay prices its plans. */
static enum err_code sim_actual(struct app_ctx *ctx, const struct sim *s, const struct order *order,
                                const struct routing_request *request,
                                struct app_routing_simulate_result *out, struct err *err)
{
    int64_t *weight = ARENA_NEW_ARRAY(ctx->arena, int64_t, s->n + 1);
    bool *used = ARENA_NEW_ARRAY(ctx->arena, bool, s->n + 1);
    if (weight == NULL || used == NULL) {
        return sim_no_memory(err);
    }
    memset(weight, 0, (s->n + 1) * sizeof(*weight));
    memset(used, 0, (s->n + 1) * sizeof(*used));
    for (size_t a = 0; a < order->allocations_count; a++) {
        const struct allocation *al = &order->allocations[a];
        int64_t c = sim_location(s, al->location_row_id);
        for (size_t l = 0; c >= 0 && al->qty > 0 && l < order->lines_count; l++) {
            if (strcmp(order->lines[l].id, al->line_id) == 0) {
                weight[c] += al->qty * order->lines[l].weight_grams;
                used[c] = true;
            }
        }
    }
    struct routing_terms terms = {0};
    int64_t shipments = 0;
    for (size_t c = 0; c < s->n; c++) {
        if (!used[c]) {
            continue;
        }
        struct routing_terms parcel;
        size_t service = 0;
        int64_t days = 0;
        routing_shipping_cost(request, c, weight[c], &parcel, &service, &days);
        terms.shipping += parcel.shipping;
        terms.lateness += parcel.lateness;
        terms.handling += s->locations[c].handling_cost;
        int64_t late = days - s->settings.promise_days;
        out->actual.late_shipments += late > 0 ? 1 : 0;
        out->actual.lateness_days += late > 0 ? late : 0;
        shipments++;
    }
    terms.split = shipments > 1 ? (shipments - 1) * s->settings.split_penalty : 0;
    int64_t unplaced = 0;
    for (size_t l = 0; l < order->lines_count; l++) {
        unplaced += order->lines[l].qty_backordered;
    }
    sim_count(&out->actual, &terms, shipments, unplaced);
    return ERR_OK;
}

/* The settings of the replay: the stored ones, with the given fields and hold-backs over them. */
static enum err_code sim_settings(struct sim *s, struct err *err)
{
    const struct app_routing_settings *given = &s->input->settings;
    struct routing_settings from = given->settings;
    s->settings = s->config.settings;
    for (size_t i = 0; i < routing_settings_names_count; i++) {
        if ((given->present & (1u << i)) != 0) {
            *routing_settings_at(&s->settings, i) = *routing_settings_at(&from, i);
        }
    }
    if (given->hold_backs_present) {
        s->config.hold_backs = given->hold_backs;
        s->config.hold_backs_count = given->hold_backs_count;
    }
    return routing_settings_validate(&s->settings, err);
}

enum err_code app_routing_simulate(struct app_ctx *ctx,
                                   const struct app_routing_simulate_input *input,
                                   struct app_routing_simulate_result *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ROUTING_READ, err);
    if (code == ERR_OK && (input->from_ms <= 0 || input->to_ms < input->from_ms)) {
        code = err_set(err, ERR_INVALID, "to", "to must not be before from");
    }
    if (code == ERR_OK && input->to_ms - input->from_ms >= APP_SIMULATE_DAYS_MAX * DAY_MS) {
        code =
            err_set(err, ERR_INVALID, "to", "a period of at most %d days", APP_SIMULATE_DAYS_MAX);
    }
    struct sim *s = ARENA_NEW(ctx->arena, struct sim);
    if (code == ERR_OK && s == NULL) {
        code = sim_no_memory(err);
    }
    if (code != ERR_OK) {
        return code;
    }
    memset(s, 0, sizeof(*s));
    s->ctx = ctx;
    s->input = input;
    s->day = -1;
    code = sim_read(ctx, s, out, err);
    if (code == ERR_OK) {
        code = sim_settings(s, err);
    }
    for (size_t o = 0; code == ERR_OK && o < s->orders_count; o++) {
        code = sim_replay(ctx, s, &s->orders[o], out, err);
        struct routing_request request = {0};
        if (code == ERR_OK) {
            code = sim_candidates(ctx, s, &s->orders[o], &request, err);
        }
        if (code == ERR_OK) {
            code = sim_actual(ctx, s, &s->orders[o], &request, out, err);
        }
    }
    out->orders = s->orders_count;
    out->settings = s->settings;
    out->from_ms = input->from_ms;
    out->to_ms = input->to_ms;
    return code;
}
