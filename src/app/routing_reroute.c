/*
 * routing_reroute.c — rerouting on deactivation (issue 3, round 2). When a location goes
 * inactive (PATCH /v1/locations/{code} {"active": false}), every pending shipment there (not
 * yet picked) is routed again through the engine, oldest first, in the same command: its
 * reservations are released, the routing engine places the units over the active locations
 * (drop-ship suppliers included), the new allocations reserve, and the units nothing can serve
 * are backordered (filled by the next receipt, oldest first). A pickup order whose own store
 * went inactive cannot be served anywhere else: its units are backordered and the order goes
 * on_hold (hold_reason pickup_location_inactive) for customer service. Each order gets one
 * order.rerouted event with the old and the new plan.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"
#include "core/routing.h"
#include "lib/json.h"

#define REROUTE_PAGE   100
#define REROUTE_ROUNDS 100000 /* pages at most */

/* Units of the order to place again: displaced[line] (0 for lines not concerned). */
struct reroute {
    struct order *order;
    const struct location *gone;
    int64_t *displaced;
    struct location *locations;
    size_t locations_count;
    struct jw *jw; /* the event's data, being written */
    struct buf buf;
};

/* Releases the shipment's allocations: their units become displaced[line]. */
static enum err_code reroute_release(struct app_ctx *ctx, struct store_conn *conn,
                                     struct reroute *rr, const struct shipment *shipment,
                                     struct err *err)
{
    struct order *order = rr->order;
    jw_key(rr->jw, "from");
    jw_array_begin(rr->jw);
    for (size_t i = 0; i < order->allocations_count; i++) {
        struct allocation *a = &order->allocations[i];
        struct order_line *line = ful_order_line(order, a->line_id);
        if (a->qty == 0 || a->shipment_id == NULL || strcmp(a->shipment_id, shipment->id) != 0 ||
            line == NULL) {
            continue;
        }
        struct product kit;
        const struct product *product = NULL;
        enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
        struct app_release release = {
            .line = line, .product = product, .location_row_id = a->location_row_id, .qty = a->qty};
        if (code == ERR_OK) {
            code = app_stock_release(ctx, conn, &release, err);
        }
        if (code != ERR_OK) {
            return code;
        }
        jw_object_begin(rr->jw);
        jw_kv_int(rr->jw, "line_no", line->line_no);
        jw_kv_string(rr->jw, "sku", line->sku);
        jw_kv_string(rr->jw, "location", a->location_code);
        jw_kv_int(rr->jw, "qty", a->qty);
        jw_object_end(rr->jw);
        rr->displaced[line - order->lines] += a->qty;
        line->qty_allocated -= a->qty;
        a->qty = 0;
    }
    jw_array_end(rr->jw);
    return ERR_OK;
}

/* One candidate per location, with what is left of its daily capacity. */
static enum err_code reroute_candidates(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct reroute *rr, struct routing_request *request,
                                        struct err *err)
{
    size_t n = rr->locations_count;
    struct routing_candidate *candidates = ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, n);
    int64_t *capacity_left = ARENA_NEW_ARRAY(ctx->arena, int64_t, n);
    if ((candidates == NULL || capacity_left == NULL) && n > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code =
        app_routing_capacity_left_all(ctx, conn, rr->locations, n, capacity_left, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < n; i++) {
        const struct location *location = &rr->locations[i];
        candidates[i] = (struct routing_candidate){
            .location_row_id = location->row_id,
            .code = location->code,
            .lat = location->address.lat,
            .lon = location->address.lon,
            .has_coords = location->address.has_coords,
            .capabilities = location->capabilities,
            .active = location->active && location->row_id != rr->gone->row_id,
            .handling_cost = location->handling_cost,
            .priority = location->priority,
            .handling_days = location->handling_days,
            .dropship = app_location_is_dropship(location),
            .capacity_left = capacity_left[i],
        };
        if (rr->order->method == FULFILLMENT_PICKUP &&
            strcmp(location->code, rr->order->pickup_location) == 0) {
            request->pickup_candidate = i;
        }
    }
    request->candidates = candidates;
    request->candidates_count = n;
    return ERR_OK;
}

/* What each location can serve of one displaced line (kits whole, drop-ship included). */
static enum err_code reroute_line(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct reroute *rr, size_t l, struct routing_line *out,
                                  struct err *err)
{
    const struct order_line *line = &rr->order->lines[l];
    size_t n = rr->locations_count;
    int64_t *available = ARENA_NEW_ARRAY(ctx->arena, int64_t, n);
    struct product product;
    enum err_code code =
        available == NULL && n > 0
            ? err_set(err, ERR_TOO_LARGE, NULL, "out of request memory")
            : store_product_get_by_row(conn, ctx->arena, line->product_row_id, &product, err);
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        code = ful_available(ctx, conn, line, rr->locations[i].row_id, &available[i], err);
    }
    if (code == ERR_OK) {
        app_dropship_available(rr->locations, n, &product, rr->order->method, rr->displaced[l],
                               available);
    }
    *out = (struct routing_line){
        .qty = rr->displaced[l], .available = available, .weight_grams = line->weight_grams};
    return code;
}

/* The routing request for the displaced units; map[k] is the order line of request line k. */
static enum err_code reroute_request(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct reroute *rr, struct routing_request *request,
                                     size_t *map, struct err *err)
{
    const struct order *order = rr->order;
    struct routing_line *lines =
        ARENA_NEW_ARRAY(ctx->arena, struct routing_line, order->lines_count);
    struct app_routing_config *config = ARENA_NEW(ctx->arena, struct app_routing_config);
    if (lines == NULL || config == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(request, 0, sizeof(*request));
    enum err_code code = app_routing_config_load(ctx, conn, config, err);
    if (code == ERR_OK) {
        code = reroute_candidates(ctx, conn, rr, request, err);
    }
    size_t k = 0;
    for (size_t l = 0; code == ERR_OK && l < order->lines_count; l++) {
        if (rr->displaced[l] > 0) {
            map[k] = l;
            code = reroute_line(ctx, conn, rr, l, &lines[k++], err);
        }
    }
    request->lines = lines;
    request->lines_count = k;
    request->has_destination = order->shipping_address.has_coords;
    request->destination_lat = order->shipping_address.lat;
    request->destination_lon = order->shipping_address.lon;
    request->method = order->method;
    request->policy = order->ship_policy;
    request->settings = &config->settings;
    request->services = config->services;
    request->services_count = config->services_count;
    request->channel_hold_back = app_routing_hold_back(config, order->channel);
    return code;
}

/* A drop-ship allocation: the order's open purchase order at the supplier, or a new one. */
static enum err_code reroute_dropship(struct app_ctx *ctx, struct store_conn *conn,
                                      struct order *order, const struct ful_units *units,
                                      struct err *err)
{
    const struct location *supplier = units->location;
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code =
        store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    const char *shipment_id = NULL;
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (shipments[i].location_row_id == supplier->row_id &&
            shipments[i].status == SHIPMENT_STATUS_PENDING) {
            shipment_id = shipments[i].id;
        }
    }
    char id[ID_LEN_MAX];
    struct shipment fresh;
    if (code == ERR_OK && shipment_id == NULL) {
        id_new(id, "shp", ctx->now_ms);
        fresh = (struct shipment){
            .id = arena_strdup(ctx->arena, id),
            .order_id = order->id,
            .location_row_id = supplier->row_id,
            .location_code = supplier->code,
            .status = SHIPMENT_STATUS_PENDING,
            .promised_ship_by_ms = order_promise_ship_by(ctx->now_ms, supplier->cutoff_minute,
                                                         supplier->handling_days),
            .version = 1,
            .created_at_ms = ctx->now_ms,
            .updated_at_ms = ctx->now_ms,
        };
        shipment_id = fresh.id;
        code = fresh.id == NULL ? err_set(err, ERR_TOO_LARGE, NULL, "out of request memory")
                                : store_shipment_insert(conn, &fresh, err);
        if (code == ERR_OK) {
            code = app_purchase_order_raise(ctx, conn, order, &fresh, err);
        }
    }
    size_t n = order->allocations_count;
    struct allocation *allocations = ARENA_NEW_ARRAY(ctx->arena, struct allocation, n + 1);
    id_new(id, "alc", ctx->now_ms);
    if (code != ERR_OK || allocations == NULL) {
        return code != ERR_OK ? code : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memcpy(allocations, order->allocations, n * sizeof(*allocations));
    struct order_line *line = &order->lines[units->line_index];
    allocations[n] = (struct allocation){.id = arena_strdup(ctx->arena, id),
                                         .line_id = line->id,
                                         .line_no = line->line_no,
                                         .sku = line->sku,
                                         .location_row_id = supplier->row_id,
                                         .location_code = supplier->code,
                                         .qty = units->qty,
                                         .shipment_id = shipment_id,
                                         .distance_km = -1,
                                         .created_at_ms = ctx->now_ms};
    order->allocations = allocations;
    order->allocations_count = n + 1;
    line->qty_allocated += units->qty;
    return ERR_OK;
}

/* Allocates the plan's assignments, writes them as "to", and backorders the rest. */
static enum err_code reroute_apply(struct app_ctx *ctx, struct store_conn *conn, struct reroute *rr,
                                   const struct routing_plan *plan, const size_t *map,
                                   struct err *err)
{
    enum err_code code = ERR_OK;
    jw_key(rr->jw, "to");
    jw_array_begin(rr->jw);
    for (size_t i = 0; code == ERR_OK && i < plan->assignments_count; i++) {
        const struct routing_assignment *a = &plan->assignments[i];
        const struct location *location = &rr->locations[a->candidate_index];
        struct ful_units units = {
            .line_index = map[a->line_index], .location = location, .qty = a->qty};
        code = app_location_is_dropship(location)
                   ? reroute_dropship(ctx, conn, rr->order, &units, err)
                   : ful_allocate(ctx, conn, rr->order, &units, err);
        rr->displaced[units.line_index] -= a->qty;
        jw_object_begin(rr->jw);
        jw_kv_int(rr->jw, "line_no", rr->order->lines[units.line_index].line_no);
        jw_kv_string(rr->jw, "sku", rr->order->lines[units.line_index].sku);
        jw_kv_string(rr->jw, "location", location->code);
        jw_kv_int(rr->jw, "qty", a->qty);
        jw_object_end(rr->jw);
    }
    jw_array_end(rr->jw);
    jw_key(rr->jw, "backordered");
    jw_array_begin(rr->jw);
    for (size_t l = 0; l < rr->order->lines_count; l++) {
        if (rr->displaced[l] > 0) {
            rr->order->lines[l].qty_backordered += rr->displaced[l];
            jw_object_begin(rr->jw);
            jw_kv_int(rr->jw, "line_no", rr->order->lines[l].line_no);
            jw_kv_string(rr->jw, "sku", rr->order->lines[l].sku);
            jw_kv_int(rr->jw, "qty", rr->displaced[l]);
            jw_object_end(rr->jw);
        }
    }
    jw_array_end(rr->jw);
    jw_kv_int(rr->jw, "cost", plan->cost.total - plan->cost.unplaced);
    return code;
}

/* Releases, plans and allocates again the units of one pending shipment at the location. */
static enum err_code reroute_plan(struct app_ctx *ctx, struct store_conn *conn, struct reroute *rr,
                                  const struct shipment *shipment, struct err *err)
{
    enum err_code code = reroute_release(ctx, conn, rr, shipment, err);
    size_t *map = ARENA_NEW_ARRAY(ctx->arena, size_t, rr->order->lines_count);
    if (code == ERR_OK && map == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct routing_request request;
    struct routing_plan plan;
    if (code == ERR_OK) {
        code = reroute_request(ctx, conn, rr, &request, map, err);
    }
    if (code == ERR_OK) {
        code = routing_plan_order(&request, ctx->arena, &plan, err);
    }
    if (code == ERR_OK) {
        code = reroute_apply(ctx, conn, rr, &plan, map, err);
    }
    return code;
}

/* The order's status after the reroute; a pickup whose store went away goes on hold. */
static enum err_code reroute_settle(struct app_ctx *ctx, struct store_conn *conn,
                                    struct reroute *rr, struct err *err)
{
    struct order *order = rr->order;
    bool store_gone = order->method == FULFILLMENT_PICKUP && order->pickup_location != NULL &&
                      strcmp(order->pickup_location, rr->gone->code) == 0;
    if (order->status == ORDER_STATUS_ON_HOLD) {
        return ERR_OK; /* a hold stays until someone releases it */
    }
    enum err_code code = ful_order_settle(ctx, conn, order, err);
    if (code == ERR_OK && store_gone &&
        order_status_can_transition(order->status, ORDER_STATUS_ON_HOLD)) {
        code = order_transition(order, ORDER_STATUS_ON_HOLD, err);
        order->hold_reason = "pickup_location_inactive";
        jw_kv_string(rr->jw, "hold_reason", order->hold_reason);
    }
    return code;
}

/* Routes the units of one pending shipment at the inactive location again. */
static enum err_code reroute_shipment(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct reroute *base, const struct shipment *shipment,
                                      struct err *err)
{
    struct order order;
    struct jw jw;
    struct reroute rr = *base; /* this shipment's: the order and the event being written */
    enum err_code code = store_order_get(conn, ctx->arena, shipment->order_id, &order, err);
    rr.order = &order;
    rr.jw = &jw;
    rr.displaced = ARENA_NEW_ARRAY(ctx->arena, int64_t, order.lines_count);
    if (code == ERR_OK && rr.displaced == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code != ERR_OK) {
        return code;
    }
    memset(rr.displaced, 0, order.lines_count * sizeof(int64_t));
    buf_init(&rr.buf, (size_t)256 * 1024);
    jw_init(&jw, &rr.buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "reason", "location_inactive");
    jw_kv_string(&jw, "location", rr.gone->code);
    jw_kv_string(&jw, "shipment_id", shipment->id);
    code = reroute_plan(ctx, conn, &rr, shipment, err);
    if (code == ERR_OK) {
        code = ful_compact(ctx, conn, &order, err);
    }
    if (code == ERR_OK) {
        code = reroute_settle(ctx, conn, &rr, err);
    }
    jw_kv_string(&jw, "status", order_status_name(order.status));
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, rr.buf.ptr) : NULL;
    buf_release(&rr.buf);
    if (code == ERR_OK) {
        code = ful_order_save(ctx, conn, &order, "order.rerouted", data, err);
    }
    return code;
}

/* Every pending shipment at the location, newest first (the list's order). */
static enum err_code reroute_pending(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct location *location, struct shipment **out,
                                     size_t *count, struct err *err)
{
    struct shipment_filter filter = {.location_row_id = location->row_id,
                                     .has_status = true,
                                     .status = SHIPMENT_STATUS_PENDING,
                                     .limit = REROUTE_PAGE};
    size_t cap = 0;
    *out = NULL;
    *count = 0;
    enum err_code code = ERR_OK;
    for (size_t round = 0; code == ERR_OK && round < REROUTE_ROUNDS; round++) {
        struct shipment *page = NULL;
        size_t n = 0;
        code = store_shipment_list(conn, ctx->arena, &filter, &page, &n, err);
        if (code == ERR_OK && *count + n > cap) {
            cap = (*count + n) * 2;
            struct shipment *grown = ARENA_NEW_ARRAY(ctx->arena, struct shipment, cap);
            if (grown == NULL) {
                return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
            }
            if (*count > 0) {
                memcpy(grown, *out, *count * sizeof(*grown));
            }
            *out = grown;
        }
        for (size_t i = 0; code == ERR_OK && i < n; i++) {
            (*out)[(*count)++] = page[i];
        }
        if (code != ERR_OK || n < REROUTE_PAGE) {
            break;
        }
        filter.before_id = page[n - 1].id;
    }
    return code;
}

enum err_code app_routing_location_changed(struct app_ctx *ctx, struct store_conn *conn,
                                           const struct location *location, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && location != NULL);
    if (location->active) {
        return ERR_OK;
    }
    struct reroute rr = {.gone = location};
    struct shipment *pending = NULL;
    size_t count = 0;
    enum err_code code =
        store_location_list(conn, ctx->arena, &rr.locations, &rr.locations_count, err);
    if (code == ERR_OK) {
        code = reroute_pending(ctx, conn, location, &pending, &count, err);
    }
    /* Oldest first: the order that came first has the first claim on what is left. */
    for (size_t i = count; code == ERR_OK && i > 0; i--) {
        code = reroute_shipment(ctx, conn, &rr, &pending[i - 1], err);
    }
    return code;
}
