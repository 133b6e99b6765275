/*
 * fulfillment.c — what the fulfillment use cases share: visibility of shipments, stock that
 * leaves, allocating and re-routing units of a line after capture, and the order's status as
 * its shipments and lines make it. Every status change goes through core's transition
 * tables; every stock change is a conditional balance update plus its ledger row.
 */
#include "app/fulfillment.h"

#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "core/routing.h"
#include "lib/json.h"

enum err_code ful_require_read(const struct app_ctx *ctx, struct err *err)
{
    ASSERT(ctx != NULL && ctx->principal != NULL);
    enum role role = ctx->principal->role;
    if (role == ROLE_SUPPORT || auth_role_allows(role, PERM_FULFILLMENT)) {
        return ERR_OK;
    }
    return err_set(err, ERR_FORBIDDEN, NULL, "the %s role may not read shipments", role_name(role));
}

bool ful_location_visible(const struct app_ctx *ctx, const char *location_code)
{
    ASSERT(ctx != NULL && ctx->principal != NULL);
    return auth_can_use_location(ctx->principal, location_code);
}

bool app_may_see_pickup_code(const struct app_ctx *ctx)
{
    ASSERT(ctx != NULL && ctx->principal != NULL);
    enum role role = ctx->principal->role;
    return role == ROLE_ADMIN || role == ROLE_OPERATOR || role == ROLE_SUPPORT;
}

enum err_code ful_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                       struct shipment *shipment, struct order *order, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && id != NULL);
    ASSERT(shipment != NULL && order != NULL);
    enum err_code code = store_shipment_load(conn, ctx->arena, id, shipment, err);
    if (code == ERR_OK && !ful_location_visible(ctx, shipment->location_code)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_OK) {
        code = store_order_get(conn, ctx->arena, shipment->order_id, order, err);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no shipment '%s'", id);
    }
    return code;
}

struct order_line *ful_order_line(struct order *order, const char *line_id)
{
    ASSERT(order != NULL);
    for (size_t i = 0; line_id != NULL && i < order->lines_count; i++) {
        if (strcmp(order->lines[i].id, line_id) == 0) {
            return &order->lines[i];
        }
    }
    return NULL;
}

enum err_code ful_line_product(struct app_ctx *ctx, struct store_conn *conn,
                               const struct order_line *line, struct product *kit,
                               const struct product **out, struct err *err)
{
    ASSERT(line != NULL && kit != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    if (!line->is_kit) {
        return ERR_OK;
    }
    enum err_code code = store_product_get_by_row(conn, ctx->arena, line->product_row_id, kit, err);
    if (code == ERR_OK) {
        *out = kit;
    }
    return code;
}

/* Moves one balance by (on_hand, reserved) per unit times qty, kits through components. */
struct ful_move {
    const struct order_line *line;
    const struct product *kit; /* NULL for a simple line */
    int64_t location_row_id;
    int64_t qty;
    enum ledger_kind kind;
    int64_t on_hand_per_unit;  /* -1 for ship, 0 for reserve */
    int64_t reserved_per_unit; /* -1 for ship, +1 for reserve */
    const char *ref_type;
    const char *ref_id;
};

static enum err_code ful_move_stock(struct app_ctx *ctx, struct store_conn *conn,
                                    const struct ful_move *move, struct err *err)
{
    size_t parts = move->kit != NULL ? move->kit->components_count : 1;
    for (size_t c = 0; c < parts; c++) {
        int64_t units = move->qty;
        struct ledger_entry entry = {
            .product_row_id = move->line->product_row_id,
            .location_row_id = move->location_row_id,
            .kind = move->kind,
            .ref_type = move->ref_type,
            .ref_id = move->ref_id,
            .created_at_ms = ctx->now_ms,
        };
        if (move->kit != NULL) {
            entry.product_row_id = move->kit->components[c].product_row_id;
            units *= move->kit->components[c].qty;
        }
        entry.on_hand_delta = units * move->on_hand_per_unit;
        entry.reserved_delta = units * move->reserved_per_unit;
        bool check_atp = move->kind == LEDGER_RESERVE;
        enum err_code code = store_stock_apply(conn, entry.product_row_id, entry.location_row_id,
                                               entry.on_hand_delta, entry.reserved_delta, check_atp,
                                               ctx->now_ms, err);
        if (code == ERR_OK) {
            code = store_ledger_insert(conn, &entry, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

enum err_code ful_ship_units(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                             const struct shipment *shipment, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL && shipment != NULL);
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *allocation = &order->allocations[i];
        if (allocation->qty == 0 || allocation->shipment_id == NULL ||
            strcmp(allocation->shipment_id, shipment->id) != 0) {
            continue;
        }
        struct order_line *line = ful_order_line(order, allocation->line_id);
        if (line == NULL) {
            return err_set(err, ERR_INTERNAL, NULL, "allocation %s names no line", allocation->id);
        }
        struct product kit;
        const struct product *product = NULL;
        enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
        struct ful_move move = {
            .line = line,
            .kit = product,
            .location_row_id = allocation->location_row_id,
            .qty = allocation->qty,
            .kind = LEDGER_SHIP,
            .on_hand_per_unit = -1,
            .reserved_per_unit = -1,
            .ref_type = "shipment",
            .ref_id = shipment->id,
        };
        if (code == ERR_OK) {
            code = ful_move_stock(ctx, conn, &move, err);
        }
        if (code != ERR_OK) {
            return code;
        }
        line->qty_shipped += allocation->qty;
        ASSERT(line->qty_shipped + line->qty_cancelled <= line->qty);
    }
    return ERR_OK;
}

/* The order's pending shipment at the location, or a new one (inserted). */
static enum err_code ful_pending_shipment(struct app_ctx *ctx, struct store_conn *conn,
                                          struct order *order, const struct location *location,
                                          const char **id_out, struct err *err)
{
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code =
        store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (shipments[i].location_row_id == location->row_id &&
            shipments[i].status == SHIPMENT_STATUS_PENDING) {
            *id_out = shipments[i].id;
            return ERR_OK;
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    id_new(id, "shp", ctx->now_ms);
    struct shipment shipment = {
        .id = arena_strdup(ctx->arena, id),
        .order_id = order->id,
        .location_row_id = location->row_id,
        .location_code = location->code,
        .status = SHIPMENT_STATUS_PENDING,
        .is_pickup = order->method == FULFILLMENT_PICKUP,
        .promised_ship_by_ms =
            order_promise_ship_by(ctx->now_ms, location->cutoff_minute, location->handling_days),
        .version = 1,
        .created_at_ms = ctx->now_ms,
        .updated_at_ms = ctx->now_ms,
    };
    if (shipment.id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (order->promised_ship_by_ms == 0 && !order->promised_ship_by_given) {
        order->promised_ship_by_ms = shipment.promised_ship_by_ms;
    }
    *id_out = shipment.id;
    return store_shipment_insert(conn, &shipment, err);
}

enum err_code ful_allocate(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                           const struct ful_units *units, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && units != NULL);
    ASSERT(units->line_index < order->lines_count && units->qty > 0);
    const struct location *location = units->location;
    int64_t qty = units->qty;
    struct order_line *line = &order->lines[units->line_index];
    struct product kit;
    const struct product *product = NULL;
    enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
    struct ful_move move = {
        .line = line,
        .kit = product,
        .location_row_id = location->row_id,
        .qty = qty,
        .kind = LEDGER_RESERVE,
        .reserved_per_unit = 1,
        .ref_type = "order_line",
        .ref_id = line->id,
    };
    if (code == ERR_OK) {
        code = ful_move_stock(ctx, conn, &move, err);
    }
    const char *shipment_id = NULL;
    if (code == ERR_OK) {
        code = ful_pending_shipment(ctx, conn, order, location, &shipment_id, err);
    }
    size_t n = order->allocations_count;
    struct allocation *allocations = ARENA_NEW_ARRAY(ctx->arena, struct allocation, n + 1);
    char id[ID_LEN_MAX];
    id_new(id, "alc", ctx->now_ms);
    if (code == ERR_OK && allocations == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code != ERR_OK) {
        return code;
    }
    if (n > 0) {
        memcpy(allocations, order->allocations, n * sizeof(*allocations));
    }
    allocations[n] = (struct allocation){
        .id = arena_strdup(ctx->arena, id),
        .line_id = line->id,
        .line_no = line->line_no,
        .sku = line->sku,
        .location_row_id = location->row_id,
        .location_code = location->code,
        .qty = qty,
        .shipment_id = shipment_id,
        .distance_km = -1,
        .created_at_ms = ctx->now_ms,
    };
    order->allocations = allocations;
    order->allocations_count = n + 1;
    line->qty_allocated += qty;
    return allocations[n].id != NULL ? ERR_OK
                                     : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* ATP of one product at a location (0 without a balance). */
static enum err_code ful_atp(struct store_conn *conn, int64_t product_row_id,
                             int64_t location_row_id, int64_t *out, struct err *err)
{
    struct stock stock;
    bool exists = false;
    enum err_code code =
        store_stock_get(conn, product_row_id, location_row_id, &stock, &exists, err);
    *out = code == ERR_OK && exists ? inventory_atp(&stock) : 0;
    return code;
}

enum err_code ful_available(struct app_ctx *ctx, struct store_conn *conn,
                            const struct order_line *line, int64_t location_row_id, int64_t *out,
                            struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && line != NULL);
    ASSERT(out != NULL);
    struct product kit;
    const struct product *product = NULL;
    enum err_code code = ful_line_product(ctx, conn, line, &kit, &product, err);
    if (code != ERR_OK || product == NULL) {
        return code != ERR_OK ? code
                              : ful_atp(conn, line->product_row_id, location_row_id, out, err);
    }
    int64_t atp[KIT_COMPONENTS_MAX];
    int64_t qty[KIT_COMPONENTS_MAX];
    ASSERT(product->components_count <= KIT_COMPONENTS_MAX);
    for (size_t c = 0; c < product->components_count; c++) {
        qty[c] = product->components[c].qty;
        code = ful_atp(conn, product->components[c].product_row_id, location_row_id, &atp[c], err);
        if (code != ERR_OK) {
            return code;
        }
    }
    *out = inventory_kit_available(atp, qty, product->components_count);
    return ERR_OK;
}

/* What a re-route of one line plans over. */
struct ful_reroute {
    const struct order *order;
    size_t line_index;
    int64_t qty;
    const struct location *locations;
    size_t locations_count;
    int64_t excluded_row_id;
};

/* routing: the reroute plans with the same settings, carriers and hold-back as capture. */
static enum err_code ful_reroute_config(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct order *order, struct routing_request *request,
                                        struct err *err)
{
    struct app_routing_config *config = ARENA_NEW(ctx->arena, struct app_routing_config);
    if (config == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = app_routing_config_load(ctx, conn, config, err);
    request->settings = &config->settings;
    request->services = config->services;
    request->services_count = config->services_count;
    request->channel_hold_back = app_routing_hold_back(config, order->channel);
    return code;
}

/* The routing request for the units of one line over every location but the excluded one. */
static enum err_code ful_reroute_request(struct app_ctx *ctx, struct store_conn *conn,
                                         const struct ful_reroute *plan,
                                         struct routing_request *request, struct err *err)
{
    size_t n = plan->locations_count;
    const struct order *order = plan->order;
    struct routing_candidate *candidates = ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, n);
    int64_t *available = ARENA_NEW_ARRAY(ctx->arena, int64_t, n);
    int64_t *capacity_left = ARENA_NEW_ARRAY(ctx->arena, int64_t, n);
    struct routing_line *line = ARENA_NEW(ctx->arena, struct routing_line);
    if (candidates == NULL || available == NULL || capacity_left == NULL || line == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(request, 0, sizeof(*request));
    /* routing: what is left of each location's daily capacity, in one read */
    enum err_code code =
        app_routing_capacity_left_all(ctx, conn, plan->locations, n, capacity_left, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < n; i++) {
        const struct location *location = &plan->locations[i];
        bool excluded = location->row_id == plan->excluded_row_id;
        candidates[i] = (struct routing_candidate){
            .location_row_id = location->row_id,
            .code = location->code,
            .lat = location->address.lat,
            .lon = location->address.lon,
            .has_coords = location->address.has_coords,
            .capabilities = location->capabilities,
            .active = location->active && !excluded,
            .handling_cost = location->handling_cost,
            .priority = location->priority,
            .capacity_left = excluded ? INT64_MAX : capacity_left[i],
            .handling_days = location->handling_days,
        };
        if (order->method == FULFILLMENT_PICKUP &&
            strcmp(location->code, order->pickup_location) == 0) {
            request->pickup_candidate = i;
        }
        available[i] = 0;
        code = excluded ? ERR_OK
                        : ful_available(ctx, conn, &order->lines[plan->line_index],
                                        location->row_id, &available[i], err);
        if (code != ERR_OK) {
            return code;
        }
    }
    *line = (struct routing_line){.qty = plan->qty,
                                  .available = available,
                                  .weight_grams = order->lines[plan->line_index].weight_grams};
    request->candidates = candidates;
    request->candidates_count = n;
    request->lines = line;
    request->lines_count = 1;
    request->has_destination = order->shipping_address.has_coords;
    request->destination_lat = order->shipping_address.lat;
    request->destination_lon = order->shipping_address.lon;
    request->method = order->method;
    request->policy = order->ship_policy;
    return ful_reroute_config(ctx, conn, order, request, err);
}

enum err_code ful_reroute(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                          struct ful_short *units, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && units != NULL);
    ASSERT(units->line_index < order->lines_count && units->qty > 0);
    units->routed = 0;
    struct ful_reroute plan = {.order = order,
                               .line_index = units->line_index,
                               .qty = units->qty,
                               .excluded_row_id = units->excluded_row_id};
    struct location *locations = NULL;
    enum err_code code =
        store_location_list(conn, ctx->arena, &locations, &plan.locations_count, err);
    plan.locations = locations;
    struct routing_request request;
    struct routing_plan routing;
    if (code == ERR_OK) {
        code = ful_reroute_request(ctx, conn, &plan, &request, err);
    }
    if (code == ERR_OK) {
        code = routing_plan_order(&request, ctx->arena, &routing, err);
    }
    for (size_t i = 0; code == ERR_OK && i < routing.assignments_count; i++) {
        const struct routing_assignment *a = &routing.assignments[i];
        struct ful_units placed = {
            .line_index = units->line_index,
            .location = &locations[a->candidate_index],
            .qty = a->qty,
        };
        code = ful_allocate(ctx, conn, order, &placed, err);
        units->routed += a->qty;
    }
    if (code == ERR_OK) {
        order->lines[units->line_index].qty_backordered += units->qty - units->routed;
    }
    return code;
}

/* True when an allocation of the order names the shipment. */
static bool ful_shipment_used(const struct order *order, const char *shipment_id)
{
    for (size_t i = 0; i < order->allocations_count; i++) {
        const char *id = order->allocations[i].shipment_id;
        if (id != NULL && strcmp(id, shipment_id) == 0) {
            return true;
        }
    }
    return false;
}

enum err_code ful_compact(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                          struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL);
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
        if (!shipment_is_open(shipments[s].status) || ful_shipment_used(order, shipments[s].id)) {
            continue;
        }
        struct shipment full;
        code = store_shipment_load(conn, ctx->arena, shipments[s].id, &full, err);
        int64_t expected = full.version;
        if (code == ERR_OK) {
            code = shipment_transition(&full, SHIPMENT_STATUS_CANCELLED, err);
        }
        if (code == ERR_OK) {
            full.cancelled_at_ms = ctx->now_ms;
            full.updated_at_ms = ctx->now_ms;
            code = store_shipment_save(conn, &full, expected, err);
        }
    }
    return code;
}

/* What the order's shipments are doing. */
struct ful_tally {
    bool active;      /* one is picked, packed or ready for pickup */
    bool ready;       /* one is ready for pickup */
    bool delivered;   /* every shipment that left was delivered or picked up */
    int64_t wanted;   /* units not cancelled */
    int64_t shipped;  /* units that left */
    bool backordered; /* some units wait for stock */
};

static enum err_code ful_tally(struct app_ctx *ctx, struct store_conn *conn,
                               const struct order *order, struct ful_tally *tally, struct err *err)
{
    memset(tally, 0, sizeof(*tally));
    tally->delivered = true;
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code =
        store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    for (size_t s = 0; code == ERR_OK && s < count; s++) {
        enum shipment_status status = shipments[s].status;
        tally->active = tally->active || status == SHIPMENT_STATUS_PICKING ||
                        status == SHIPMENT_STATUS_PACKED ||
                        status == SHIPMENT_STATUS_READY_FOR_PICKUP;
        tally->ready = tally->ready || status == SHIPMENT_STATUS_READY_FOR_PICKUP;
        if (status == SHIPMENT_STATUS_SHIPPED) {
            tally->delivered = false;
        }
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        tally->wanted += line->qty - line->qty_cancelled;
        tally->shipped += line->qty_shipped;
        tally->backordered = tally->backordered || line->qty_backordered > 0;
    }
    return code;
}

/* The status the tally makes the order. */
static enum order_status ful_target_status(const struct order *order, const struct ful_tally *t)
{
    if (t->wanted > 0 && t->shipped == t->wanted) {
        if (order->method == FULFILLMENT_PICKUP) {
            return ORDER_STATUS_PICKED_UP;
        }
        return t->delivered ? ORDER_STATUS_DELIVERED : ORDER_STATUS_SHIPPED;
    }
    if (t->shipped > 0) {
        return ORDER_STATUS_PARTIALLY_SHIPPED;
    }
    if (t->ready && order->method == FULFILLMENT_PICKUP) {
        return ORDER_STATUS_READY_FOR_PICKUP;
    }
    if (t->active) {
        return ORDER_STATUS_IN_FULFILLMENT;
    }
    return t->backordered ? ORDER_STATUS_BACKORDERED : ORDER_STATUS_ALLOCATED;
}

enum err_code ful_order_settle(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                               struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL);
    struct ful_tally tally;
    enum err_code code = ful_tally(ctx, conn, order, &tally, err);
    if (code != ERR_OK) {
        return code;
    }
    enum order_status target = ful_target_status(order, &tally);
    enum order_status from = order->status;
    bool stays_in_fulfillment =
        from == ORDER_STATUS_IN_FULFILLMENT && target == ORDER_STATUS_ALLOCATED;
    if (target == from || stays_in_fulfillment) {
        return ERR_OK;
    }
    code = order_transition(order, target, err);
    if (code != ERR_OK) {
        return code;
    }
    if (target == ORDER_STATUS_SHIPPED || target == ORDER_STATUS_PICKED_UP) {
        order->shipped_at_ms = ctx->now_ms;
    }
    if (target == ORDER_STATUS_DELIVERED || target == ORDER_STATUS_PICKED_UP) {
        order->delivered_at_ms = ctx->now_ms;
    }
    if (target == ORDER_STATUS_ALLOCATED && order->allocated_at_ms == 0) {
        order->allocated_at_ms = ctx->now_ms;
    }
    return ERR_OK;
}

enum err_code ful_order_save(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                             const char *kind, const char *data, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL);
    ASSERT(kind != NULL);
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

const char *ful_event_data(struct app_ctx *ctx, const struct shipment *shipment, const char *extra)
{
    ASSERT(ctx != NULL);
    ASSERT(shipment != NULL);
    struct buf buf;
    buf_init(&buf, 4096);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "shipment_id", shipment->id);
    jw_kv_string(&jw, "location", shipment->location_code);
    jw_kv_string(&jw, "status", shipment_status_name(shipment->status));
    jw_object_end(&jw);
    const char *data = NULL;
    if (jw_finish(&jw) == ERR_OK && extra != NULL && buf.len > 1) {
        buf.ptr[buf.len - 1] = '\0'; /* drop the closing brace, then append ",extra}" */
        data = arena_sprintf(ctx->arena, "%s,%s}", buf.ptr, extra);
    } else if (jw.code == ERR_OK) {
        data = arena_strdup(ctx->arena, buf.ptr);
    }
    buf_release(&buf);
    return data;
}
