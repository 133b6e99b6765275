/*
 * capture.c — taking an order: validate, price, route, reserve, number, record. The catalog
 * look-ups happen before the writer (on a reader); the writer command does only what
 * depends on current stock, so one writer thread can take thousands of orders a second.
 * A capture changes nothing unless all of it succeeds (the command's savepoint).
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "core/routing.h"
#include "lib/date.h"
#include "lib/json.h"
#include "lib/zdoc.h"

struct capture_arg {
    struct order *order;        /* the order being built (arena) */
    struct product *products;   /* [lines_count] catalog rows of the lines */
    struct location *locations; /* every location */
    size_t locations_count;
    int64_t *candidate_by_row; /* location row id -> index in locations, or -1 */
    int64_t row_id_max;
    struct app_capture_result *out;
    struct routing_plan plan;   /* planned on a reader snapshot, or in the writer */
    bool customer_known;        /* the reader found the customer by e-mail */
    int runs;                   /* of capture_run: the writer runs a command again after a race */
    bool existing;              /* the reader found the (channel, external_id) order */
    bool route_in_writer;       /* read stock and plan inside the writer command */
    bool on_snapshot;           /* planning on capture_prepare's read snapshot */
    struct store_doc routing;   /* plan's explanation packed off the writer; NULL: build it there */
    bool duplicate;             /* the insert found (channel, external_id) taken */
    bool keyed;                 /* an Idempotency-Key came: the writer answers repeats */
    struct shipment *shipments; /* one per location the plan uses */
    size_t shipments_count;
    struct app_payment_auth payment; /* payments: authorized before the command */
    bool transfer;                   /* routing: a pickup served by ship-to-store */
    size_t pickup_index;             /* routing: the pickup store in locations */
    int64_t snapshot_config_version; /* routing config version read on the snapshot; 0: none */
};

/* Prices and describes each line from the catalog (the products of all lines in one read). */
static enum err_code capture_lines(struct app_ctx *ctx, struct store_conn *conn,
                                   struct capture_arg *arg, int64_t products_version,
                                   struct err *err)
{
    struct order *order = arg->order;
    const char **skus = ARENA_NEW_ARRAY(ctx->arena, const char *, order->lines_count + 1);
    if (skus == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        skus[i] = order->lines[i].sku;
    }
    struct app_ref_skus ask = {.skus = skus, .count = order->lines_count, .out = arg->products};
    enum err_code code = app_ref_products(ctx, conn, products_version, &ask, err);
    if (code != ERR_OK) {
        return code;
    }
    char field[48];
    for (size_t i = 0; i < order->lines_count; i++) {
        struct order_line *line = &order->lines[i];
        struct product *product = &arg->products[i];
        (void)snprintf(field, sizeof(field), "lines[%zu].sku", i);
        if (product->row_id == 0) {
            return err_set(err, ERR_INVALID, field, "unknown sku '%s'", line->sku);
        }
        if (!product->active) {
            return err_set(err, ERR_INVALID, field, "product '%s' is not for sale", line->sku);
        }
        if (!line->unit_price_given && strcmp(product->currency, order->currency) != 0) {
            return err_set(err, ERR_INVALID, field, "'%s' is priced in %s, the order is in %s",
                           line->sku, product->currency, order->currency);
        }
        line->line_no = (int)i + 1;
        line->product_row_id = product->row_id;
        line->name = product->name;
        line->weight_grams = product->weight_grams;
        line->is_kit = product->kind == PRODUCT_KIND_KIT;
        if (!line->unit_price_given) {
            line->unit_price = product->price;
        }
    }
    return ERR_OK;
}

/* Checks channel and pickup location, loads locations and prices the lines. */
static enum err_code capture_prepare_read(struct app_ctx *ctx, struct store_conn *conn,
                                          struct capture_arg *arg, struct err *err)
{
    struct order *order = arg->order;
    struct store_versions versions; /* the per-process copies' keys, on this snapshot */
    enum err_code code = store_versions_read(conn, &versions, err);
    if (code == ERR_OK) {
        code = app_ref_channel_check(ctx, conn, order->channel, err);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "channel", "unknown channel '%s'", order->channel);
    }
    if (code == ERR_OK) {
        code = capture_lines(ctx, conn, arg, versions.products, err);
    }
    if (code == ERR_OK) {
        code = app_ref_locations(ctx, conn, versions.locations, &arg->locations,
                                 &arg->locations_count, err);
    }
    arg->snapshot_config_version = versions.routing_config;
    if (code == ERR_OK && order->max_shipments_given &&
        (order->max_shipments < 1 || order->max_shipments > ORDER_LINES_MAX)) {
        return err_set(err, ERR_INVALID, "max_shipments", "max_shipments must be between 1 and %d",
                       ORDER_LINES_MAX); /* routing */
    }
    if (code == ERR_OK && order->allow_transfer && order->method != FULFILLMENT_PICKUP) {
        return err_set(err, ERR_INVALID, "fulfillment.allow_transfer",
                       "allow_transfer is for pickup orders only"); /* routing */
    }
    if (code != ERR_OK || order->method != FULFILLMENT_PICKUP) {
        return code;
    }
    for (size_t i = 0; i < arg->locations_count; i++) {
        const struct location *location = &arg->locations[i];
        if (strcmp(location->code, order->pickup_location) == 0) {
            arg->pickup_index = i;
            if ((location->capabilities & LOCATION_CAP_PICKUP) == 0 || !location->active) {
                return err_set(err, ERR_INVALID, "fulfillment.location",
                               "location '%s' does not offer pickup", location->code);
            }
            return ERR_OK;
        }
    }
    return err_set(err, ERR_INVALID, "fulfillment.location", "unknown location '%s'",
                   order->pickup_location);
}

/* Builds the row id -> location index map used when reading stock rows. */
static enum err_code capture_index_locations(struct app_ctx *ctx, struct capture_arg *arg,
                                             struct err *err)
{
    int64_t row_max = 0;
    for (size_t i = 0; i < arg->locations_count; i++) {
        if (arg->locations[i].row_id > row_max) {
            row_max = arg->locations[i].row_id;
        }
    }
    arg->row_id_max = row_max;
    arg->candidate_by_row = ARENA_NEW_ARRAY(ctx->arena, int64_t, (size_t)row_max + 1);
    if (arg->candidate_by_row == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (int64_t r = 0; r <= row_max; r++) {
        arg->candidate_by_row[r] = -1;
    }
    for (size_t i = 0; i < arg->locations_count; i++) {
        arg->candidate_by_row[arg->locations[i].row_id] = (int64_t)i;
    }
    return ERR_OK;
}

/* The customer with the order's e-mail, if there is one: the order takes its id and type. */
static enum err_code capture_customer_match(struct app_ctx *ctx, struct store_conn *conn,
                                            struct order *order, struct err *err)
{
    struct customer customer;
    memset(&customer, 0, sizeof(customer));
    enum err_code code =
        store_customer_get_brief_by_email(conn, ctx->arena, order->customer_email, &customer, err);
    if (code == ERR_OK) {
        order->customer_id = customer.id;
        if (order->customer_name == NULL) {
            order->customer_name = customer.name;
        }
        order->customer_type = customer.type;
    }
    return code;
}

/* A new customer from the order's e-mail and name; the order takes its id. */
static enum err_code capture_customer_insert(struct app_ctx *ctx, struct store_conn *conn,
                                             struct order *order, struct err *err)
{
    char id[ID_LEN_MAX];
    id_new(id, "cus", ctx->now_ms);
    struct customer customer;
    memset(&customer, 0, sizeof(customer));
    customer.id = arena_strdup(ctx->arena, id);
    customer.email = order->customer_email;
    customer.name = order->customer_name;
    customer.type = order->customer_type;
    customer.version = 1;
    customer.created_at_ms = ctx->now_ms;
    customer.updated_at_ms = ctx->now_ms;
    if (customer.id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    order->customer_id = customer.id;
    return store_customer_insert(conn, &customer, err);
}

/*
 * Matches the customer by e-mail or creates one (payments: a new one has no credit limit).
 * On SQLite the snapshot left the customer to the writer, which looks the e-mail up first
 * (look_up). On PostgreSQL the snapshot did not find the e-mail, so the command's first run
 * inserts the customer without looking again: if an order of the same new customer committed
 * meanwhile, the insert fails on the e-mail's unique key at the command's next wait, the writer
 * runs the command again (STORE_RETRY_UNIQUE) and that run looks the e-mail up first. That
 * saves PostgreSQL's writer a round trip per new customer.
 */
static enum err_code capture_customer(struct app_ctx *ctx, struct store_conn *conn,
                                      struct capture_arg *arg, bool look_up, struct err *err)
{
    struct order *order = arg->order;
    enum err_code code = look_up ? capture_customer_match(ctx, conn, order, err) : ERR_NOT_FOUND;
    arg->payment.customer_new = false;
    if (code != ERR_NOT_FOUND) {
        return code;
    }
    err_clear(err);
    code = capture_customer_insert(ctx, conn, order, err);
    arg->payment.customer_new = code == ERR_OK;
    if (code == ERR_CONFLICT && !look_up) {
        err_clear(err); /* taken since the snapshot (SQLite says so at once) */
        code = capture_customer_match(ctx, conn, order, err);
    }
    return code;
}

/* ATP per location (indexed like arg->locations) of one product, into atp[], from the stock
 * rows of the order's products (ordered by product row id). */
static void capture_product_atp(const struct capture_arg *arg, const struct stock_list *stock,
                                int64_t product_row_id, int64_t *atp)
{
    memset(atp, 0, arg->locations_count * sizeof(*atp));
    size_t low = 0;
    size_t high = stock->count;
    while (low < high) { /* the product's first row */
        size_t mid = low + (high - low) / 2;
        if (stock->rows[mid].product_row_id < product_row_id) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    for (size_t i = low; i < stock->count && stock->rows[i].product_row_id == product_row_id; i++) {
        int64_t row = stock->rows[i].location_row_id;
        if (row >= 0 && row <= arg->row_id_max && arg->candidate_by_row[row] >= 0) {
            atp[arg->candidate_by_row[row]] = inventory_atp(&stock->rows[i].stock);
        }
    }
}

/* What each location can serve of one line: units, or whole kits. */
static enum err_code capture_line_available(struct app_ctx *ctx, const struct capture_arg *arg,
                                            const struct stock_list *stock,
                                            const struct product *product, int64_t *available,
                                            struct err *err)
{
    size_t n = arg->locations_count;
    if (product->kind != PRODUCT_KIND_KIT) {
        capture_product_atp(arg, stock, product->row_id, available);
        return ERR_OK;
    }
    int64_t *atp = ARENA_NEW_ARRAY(ctx->arena, int64_t, n * product->components_count);
    if (atp == NULL && n > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t c = 0; c < product->components_count; c++) {
        capture_product_atp(arg, stock, product->components[c].product_row_id, atp + c * n);
    }
    int64_t component_atp[KIT_COMPONENTS_MAX];
    int64_t component_qty[KIT_COMPONENTS_MAX];
    for (size_t l = 0; l < n; l++) {
        for (size_t c = 0; c < product->components_count; c++) {
            component_atp[c] = atp[c * n + l];
            component_qty[c] = product->components[c].qty;
        }
        available[l] =
            inventory_kit_available(component_atp, component_qty, product->components_count);
    }
    return ERR_OK;
}

/* The stock of every product the lines need (a kit's components) in one read. */
/* The products whose stock the plan reads: each line's, a kit's components instead. */
static int64_t *capture_stock_ids(struct app_ctx *ctx, const struct capture_arg *arg, size_t *count)
{
    size_t ids_max = arg->order->lines_count * KIT_COMPONENTS_MAX + 1;
    int64_t *ids = ARENA_NEW_ARRAY(ctx->arena, int64_t, ids_max);
    *count = 0;
    for (size_t l = 0; ids != NULL && l < arg->order->lines_count; l++) {
        const struct product *product = &arg->products[l];
        if (product->kind != PRODUCT_KIND_KIT) {
            ids[(*count)++] = product->row_id;
        }
        for (size_t c = 0; product->kind == PRODUCT_KIND_KIT && c < product->components_count;
             c++) {
            ASSERT(*count < ids_max);
            ids[(*count)++] = product->components[c].product_row_id;
        }
    }
    return ids;
}

static enum err_code capture_stock(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct capture_arg *arg, struct stock_list *stock,
                                   struct err *err)
{
    size_t count = 0;
    int64_t *ids = capture_stock_ids(ctx, arg, &count);
    if (ids == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return store_stock_list_by_products(conn, ctx->arena, ids, count, stock, err);
}

/* routing: the candidates, with handling days and what is left of their daily capacity. */
static enum err_code capture_routing_candidates(struct app_ctx *ctx, struct store_conn *conn,
                                                const struct capture_arg *arg,
                                                struct routing_request *request, struct err *err)
{
    const struct order *order = arg->order;
    size_t n = arg->locations_count;
    struct routing_candidate *candidates = ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, n);
    if (candidates == NULL && n > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    int64_t *left = ARENA_NEW_ARRAY(ctx->arena, int64_t, n + 1);
    if (left == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    /* On the snapshot, a recent copy of the counts does: the writer checks them again. */
    enum err_code code =
        arg->on_snapshot ? app_routing_capacity_left_recent(ctx, conn, arg->locations, n, left, err)
                         : app_routing_capacity_left_all(ctx, conn, arg->locations, n, left, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < n; i++) {
        const struct location *location = &arg->locations[i];
        candidates[i] = (struct routing_candidate){
            .location_row_id = location->row_id,
            .code = location->code,
            .lat = location->address.lat,
            .lon = location->address.lon,
            .has_coords = location->address.has_coords,
            .capabilities = location->capabilities,
            .active = location->active,
            .handling_cost = location->handling_cost,
            .priority = location->priority,
            .handling_days = location->handling_days,
            .dropship = app_location_is_dropship(location), /* routing: drop-ship */
            .capacity_left = left[i],
        };
        if (order->method == FULFILLMENT_PICKUP &&
            strcmp(location->code, order->pickup_location) == 0) {
            request->pickup_candidate = i;
        }
    }
    request->candidates = candidates;
    request->candidates_count = n;
    return ERR_OK;
}

/* Fills the routing request from the locations, current stock and the routing config
 * (settings, carriers, the channel's hold-back). */
static enum err_code capture_routing_request(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct capture_arg *arg,
                                             struct routing_request *request, struct err *err)
{
    const struct order *order = arg->order;
    size_t n = arg->locations_count;
    struct routing_line *lines =
        ARENA_NEW_ARRAY(ctx->arena, struct routing_line, order->lines_count);
    struct app_routing_config *config = ARENA_NEW(ctx->arena, struct app_routing_config);
    if (lines == NULL || config == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(request, 0, sizeof(*request));
    struct stock_list stock = {0};
    /* The writer planning again reads the version of its own transaction. */
    enum err_code code =
        arg->snapshot_config_version != 0
            ? app_routing_config_load_at(ctx, conn, arg->snapshot_config_version, config, err)
            : app_routing_config_load(ctx, conn, config, err);
    if (code == ERR_OK) {
        code = capture_routing_candidates(ctx, conn, arg, request, err);
    }
    if (code == ERR_OK) {
        code = capture_stock(ctx, conn, arg, &stock, err);
    }
    for (size_t l = 0; code == ERR_OK && l < order->lines_count; l++) {
        int64_t *available = ARENA_NEW_ARRAY(ctx->arena, int64_t, n);
        if (available == NULL && n > 0) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
        code = capture_line_available(ctx, arg, &stock, &arg->products[l], available, err);
        if (code == ERR_OK) { /* routing: a drop-ship supplier serves what Ordo cannot */
            app_dropship_available(arg->locations, n, &arg->products[l], order->method,
                                   order->lines[l].qty, available);
        }
        lines[l] = (struct routing_line){.qty = order->lines[l].qty,
                                         .available = available,
                                         .weight_grams = arg->products[l].weight_grams};
    }
    if (code != ERR_OK) {
        return code;
    }
    request->lines = lines;
    request->lines_count = order->lines_count;
    request->has_destination = order->shipping_address.has_coords;
    request->destination_lat = order->shipping_address.lat;
    request->destination_lon = order->shipping_address.lon;
    request->method = order->method;
    request->policy = order->ship_policy;
    request->settings = &config->settings;
    request->services = config->services;
    request->services_count = config->services_count;
    request->channel_hold_back = app_routing_hold_back(config, order->channel);
    if (order->max_shipments_given) { /* routing: the order's limit over the setting */
        config->settings.max_shipments = order->max_shipments;
    }
    return ERR_OK;
}

/* routing: plans the order; a pickup the store cannot fill that allows a transfer is planned
 * again as a shipment to the store's address from the other locations (ship-to-store). */
static enum err_code capture_plan(struct app_ctx *ctx, struct capture_arg *arg,
                                  const struct routing_request *request, struct err *err)
{
    enum err_code code = routing_plan_order(request, ctx->arena, &arg->plan, err);
    arg->transfer = false;
    if (code != ERR_OK || arg->plan.complete || arg->order->method != FULFILLMENT_PICKUP ||
        !arg->order->allow_transfer) {
        return code;
    }
    size_t n = request->candidates_count;
    size_t store = request->pickup_candidate;
    struct routing_candidate *candidates = ARENA_NEW_ARRAY(ctx->arena, struct routing_candidate, n);
    if (candidates == NULL || store >= n) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memcpy(candidates, request->candidates, n * sizeof(*candidates));
    candidates[store].capabilities = 0; /* the store cannot send to itself */
    struct routing_request to_store = *request;
    to_store.candidates = candidates;
    to_store.method = FULFILLMENT_SHIP;
    to_store.has_destination = candidates[store].has_coords;
    to_store.destination_lat = candidates[store].lat;
    to_store.destination_lon = candidates[store].lon;
    struct routing_plan plan;
    code = routing_plan_order(&to_store, ctx->arena, &plan, err);
    if (code == ERR_OK && plan.complete) {
        arg->plan = plan;
        arg->plan.strategy = "ship_to_store";
        arg->transfer = true;
    }
    return code;
}

/* A fresh working copy of the input order (lines copied, e-mail normalised). */
static enum err_code capture_copy_input(struct app_ctx *ctx, const struct order *input,
                                        struct capture_arg *arg, struct err *err)
{
    struct order *order = ARENA_NEW(ctx->arena, struct order);
    struct order_line *lines = ARENA_NEW_ARRAY(ctx->arena, struct order_line, input->lines_count);
    if (order == NULL || lines == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    *order = *input;
    memcpy(lines, input->lines, input->lines_count * sizeof(*lines));
    order->lines = lines;
    order->customer_email = app_email_normalize(ctx->arena, input->customer_email);
    if (order->payment_provider == NULL) {
        order->payment_provider = "manual";
    }
    if (arg->order != NULL) {
        /* A retry: keep what the first reads found. */
        order->customer_id = arg->order->customer_id;
        order->customer_name = arg->order->customer_name;
        order->customer_type = arg->order->customer_type;
        order->shipping_address = arg->order->shipping_address;
        for (size_t i = 0; i < order->lines_count; i++) {
            lines[i] = arg->order->lines[i];
            lines[i].qty_allocated = 0;
            lines[i].qty_backordered = 0;
        }
        order->totals = arg->order->totals;
    }
    arg->order = order;
    return ERR_OK;
}

/* Reads on the snapshot that speed up the writer: an existing order with this external id,
 * the customer, and a first plan from current stock (checked again by the writer). */
static enum err_code capture_prepare_snapshot(struct app_ctx *ctx, struct store_conn *conn,
                                              struct capture_arg *arg, struct err *err)
{
    struct order *order = arg->order;
    /* What follows reads (when the caches are current): where a read is a round trip, all at
     * once. */
    bool customer_here = store_writer_reads_wait(ctx->app->store);
    struct store_read_ahead ahead = {
        .channel = order->channel,
        .external_id = arg->keyed ? NULL : order->external_id,
        .customer_email = customer_here ? order->customer_email : NULL,
    };
    ahead.product_row_ids = capture_stock_ids(ctx, arg, &ahead.product_count);
    struct routing_location_used *recent = NULL;
    size_t recent_count = 0;
    ahead.shipments_since_asked =
        app_routing_capacity_read(ctx, arg->locations, arg->locations_count,
                                  &ahead.shipments_since_ms) &&
        !(arg->on_snapshot &&
          app_ref_used_get(ctx, ahead.shipments_since_ms, &recent, &recent_count));
    enum err_code code = store_read_ahead(conn, ctx->arena, &ahead, err);
    if (code != ERR_OK) {
        return code;
    }
    if (order->external_id != NULL && !arg->keyed) {
        char id[ID_LEN_MAX];
        code = store_order_find_external(conn, order->channel, order->external_id, id, err);
        if (code == ERR_OK) {
            arg->existing = true;
            arg->out->created = false;
            return store_order_get(conn, ctx->arena, id, &arg->out->order, err);
        }
        if (code != ERR_NOT_FOUND) {
            return code;
        }
        err_clear(err);
    }
    /* The customer: here when the writer's reads wait for the database, else by the writer
     * (capture_customer), whose pages are warm where a reader's start empty. */
    struct customer customer = {0};
    code = ERR_NOT_FOUND;
    if (customer_here) {
        code = store_customer_get_brief_by_email(conn, ctx->arena, order->customer_email, &customer,
                                                 err);
    }
    if (code == ERR_OK) {
        arg->customer_known = true;
        order->customer_id = customer.id;
        order->customer_type = customer.type;
        if (order->customer_name == NULL) {
            order->customer_name = customer.name;
        }
    } else if (code != ERR_NOT_FOUND) {
        return code;
    }
    err_clear(err);
    struct routing_request request = {0};
    code = capture_routing_request(ctx, conn, arg, &request, err);
    arg->snapshot_config_version = 0; /* the snapshot ends here */
    if (code == ERR_OK) {
        code = capture_plan(ctx, arg, &request, err);
    }
    /* A short plan on a snapshot is confirmed (or not) against current stock. */
    arg->route_in_writer = code == ERR_OK && !arg->plan.complete;
    return code;
}

/* Copies the input into an arena order and does the reads that do not need the writer. */
static enum err_code capture_prepare(struct app_ctx *ctx, const struct order *input,
                                     struct capture_arg *arg, struct err *err)
{
    arg->products = ARENA_NEW_ARRAY(ctx->arena, struct product, input->lines_count);
    if (arg->products == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = capture_copy_input(ctx, input, arg, err);
    if (code != ERR_OK) {
        return code;
    }
    struct order *order = arg->order;
    ASSERT(order != NULL);
    if (order->shipping_address.present) {
        app_geocode(&order->shipping_address);
    }
    struct store_conn *conn = NULL;
    code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = capture_prepare_read(ctx, conn, arg, err);
    if (code == ERR_OK) {
        code = capture_index_locations(ctx, arg, err);
    }
    if (code == ERR_OK) {
        code = order_compute_totals(order, err);
    }
    if (code == ERR_OK) {
        arg->on_snapshot = true;
        code = capture_prepare_snapshot(ctx, conn, arg, err);
        arg->on_snapshot = false;
    }
    app_read_end_for_write(ctx, conn);
    return code;
}

/* Reserves an assignment's units, kits through their components, with ledger rows. */
static enum err_code capture_reserve(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct capture_arg *arg,
                                     const struct routing_assignment *a, struct err *err)
{
    const struct order_line *line = &arg->order->lines[a->line_index];
    const struct product *product = &arg->products[a->line_index];
    int64_t location_row_id = arg->locations[a->candidate_index].row_id;
    int64_t qty = a->qty;
    if (app_location_is_dropship(&arg->locations[a->candidate_index])) {
        return ERR_OK; /* routing: a drop-ship reserves nothing of Ordo's stock */
    }
    struct ledger_entry entry = {
        .product_row_id = product->row_id,
        .location_row_id = location_row_id,
        .kind = LEDGER_RESERVE,
        .reserved_delta = qty,
        .ref_type = "order_line",
        .ref_id = line->id,
        .created_at_ms = ctx->now_ms,
    };
    size_t parts = product->kind == PRODUCT_KIND_KIT ? product->components_count : 1;
    for (size_t c = 0; c < parts; c++) {
        if (product->kind == PRODUCT_KIND_KIT) {
            entry.product_row_id = product->components[c].product_row_id;
            entry.reserved_delta = qty * product->components[c].qty;
        }
        /* A snapshot's plan may learn of a shortfall late (the whole order is planned again);
         * a plan made here must know at once, to say which SKU is short. */
        enum err_code code =
            arg->route_in_writer
                ? store_stock_apply(conn, entry.product_row_id, location_row_id, 0,
                                    entry.reserved_delta, true, ctx->now_ms, err)
                : store_stock_reserve_planned(conn, entry.product_row_id, location_row_id,
                                              entry.reserved_delta, ctx->now_ms, err);
        if (code == ERR_STOCK) {
            err_set(err, ERR_STOCK, NULL, "not enough stock for %s", line->sku);
            err_add_item(err, line->sku);
            return ERR_STOCK;
        }
        /* ERR_STOCK above also covers two lines of one order competing for a SKU. */
        if (code == ERR_OK) {
            code = store_ledger_insert(conn, &entry, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* The shipment of the plan's candidate, created on first use. */
static struct shipment *capture_shipment_for(struct app_ctx *ctx, struct capture_arg *arg,
                                             struct shipment *shipments, size_t *count,
                                             size_t candidate)
{
    const struct location *location = &arg->locations[candidate];
    for (size_t i = 0; i < *count; i++) {
        if (shipments[i].location_row_id == location->row_id) {
            return &shipments[i];
        }
    }
    char id[ID_LEN_MAX];
    id_new(id, "shp", ctx->now_ms);
    struct shipment *shipment = &shipments[(*count)++];
    memset(shipment, 0, sizeof(*shipment));
    shipment->id = arena_strdup(ctx->arena, id);
    shipment->order_id = arg->order->id;
    shipment->location_row_id = location->row_id;
    shipment->location_code = location->code;
    shipment->status = SHIPMENT_STATUS_PENDING;
    shipment->is_pickup = arg->order->method == FULFILLMENT_PICKUP && !arg->transfer;
    shipment->promised_ship_by_ms =
        order_promise_ship_by(ctx->now_ms, location->cutoff_minute, location->handling_days);
    shipment->version = 1;
    shipment->created_at_ms = ctx->now_ms;
    shipment->updated_at_ms = ctx->now_ms;
    return shipment->id != NULL ? shipment : NULL;
}

/* The distance the plan measured for a candidate, or -1. */
static double capture_distance(const struct routing_plan *plan, size_t candidate)
{
    for (size_t i = 0; i < plan->explanations_count; i++) {
        if (plan->explanations[i].candidate_index == candidate) {
            return plan->explanations[i].distance_km;
        }
    }
    return -1;
}

/* Turns the plan into allocations and shipments, and reserves the stock. */
static enum err_code capture_allocate(struct app_ctx *ctx, struct store_conn *conn,
                                      struct capture_arg *arg, struct err *err)
{
    struct order *order = arg->order;
    const struct routing_plan *plan = &arg->plan;
    size_t n = plan->assignments_count;
    order->allocations = ARENA_NEW_ARRAY(ctx->arena, struct allocation, n);
    struct shipment *shipments = ARENA_NEW_ARRAY(ctx->arena, struct shipment, n);
    if (n > 0 && (order->allocations == NULL || shipments == NULL)) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    arg->shipments = shipments;
    arg->shipments_count = 0;
    size_t *shipments_count = &arg->shipments_count;
    for (size_t i = 0; i < n; i++) {
        const struct routing_assignment *a = &plan->assignments[i];
        struct order_line *line = &order->lines[a->line_index];
        struct shipment *shipment =
            capture_shipment_for(ctx, arg, shipments, shipments_count, a->candidate_index);
        char id[ID_LEN_MAX];
        id_new(id, "alc", ctx->now_ms);
        const struct location *location = &arg->locations[a->candidate_index];
        order->allocations[i] = (struct allocation){
            .id = arena_strdup(ctx->arena, id),
            .line_id = line->id,
            .line_no = line->line_no,
            .sku = line->sku,
            .location_row_id = location->row_id,
            .location_code = location->code,
            .qty = a->qty,
            .shipment_id = shipment != NULL ? shipment->id : NULL,
            .distance_km = capture_distance(plan, a->candidate_index),
            .created_at_ms = ctx->now_ms,
        };
        if (shipment == NULL || order->allocations[i].id == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
        if (shipment->promised_ship_by_ms > order->promised_ship_by_ms &&
            !order->promised_ship_by_given) {
            order->promised_ship_by_ms = shipment->promised_ship_by_ms;
        }
        line->qty_allocated += a->qty;
        enum err_code code = capture_reserve(ctx, conn, arg, a, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    order->allocations_count = n;
    return ERR_OK;
}

/* routing: the plan's cost terms (money; units left unplaced are counted, not priced). */
static void capture_routing_json_cost(struct jw *jw, const struct routing_plan *plan)
{
    const struct routing_terms *t = &plan->cost;
    jw_key(jw, "cost");
    jw_object_begin(jw);
    jw_kv_int(jw, "shipping", t->shipping);
    jw_kv_int(jw, "handling", t->handling);
    jw_kv_int(jw, "lateness", t->lateness);
    jw_kv_int(jw, "split", t->split);
    jw_kv_int(jw, "total", t->total - t->unplaced);
    jw_kv_int(jw, "unplaced_units", t->unplaced / ROUTING_UNPLACED_COST);
    jw_kv_int(jw, "gap", t->total - plan->lower_bound);
    jw_object_end(jw);
}

/* routing: each line and where its units go. */
static void capture_routing_json_lines(struct jw *jw, const struct capture_arg *arg,
                                       const struct routing_plan *plan)
{
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t l = 0; l < arg->order->lines_count; l++) {
        jw_object_begin(jw);
        jw_kv_int(jw, "line_no", (int64_t)l + 1);
        jw_kv_string(jw, "sku", arg->order->lines[l].sku);
        jw_kv_int(jw, "qty", arg->order->lines[l].qty);
        jw_kv_int(jw, "unallocated", plan->unallocated[l]);
        jw_key(jw, "placed");
        jw_array_begin(jw);
        for (size_t a = 0; a < plan->assignments_count; a++) {
            if (plan->assignments[a].line_index == l) {
                jw_object_begin(jw);
                jw_kv_string(jw, "location",
                             arg->locations[plan->assignments[a].candidate_index].code);
                jw_kv_int(jw, "qty", plan->assignments[a].qty);
                jw_object_end(jw);
            }
        }
        jw_array_end(jw);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

/* routing: one candidate: verdict, and for an eligible one its cost terms (chosen: its
 * shipment in the plan; not chosen: shipping alone what it holds of the order). */
static void capture_routing_json_candidate(struct jw *jw, const struct capture_arg *arg,
                                           const struct routing_explanation *e)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "location", arg->locations[e->candidate_index].code);
    jw_kv_string(jw, "verdict", routing_verdict_name(e->verdict));
    if (e->distance_km >= 0) {
        jw_kv_double(jw, "distance_km", (double)(int64_t)(e->distance_km * 10 + 0.5) / 10);
    } else {
        jw_kv_null(jw, "distance_km");
    }
    jw_kv_int(jw, "units_available", e->units_available);
    if (e->verdict == ROUTING_CHOSEN || e->verdict == ROUTING_NOT_CHOSEN) {
        jw_kv_int(jw, "units", e->units);
        jw_kv_int(jw, "weight_grams", e->weight_grams);
        jw_kv_int(jw, "days", e->days);
        jw_kv_string(jw, "carrier", e->carrier);
        jw_kv_string(jw, "service", e->service != NULL ? e->service : "estimate");
        jw_kv_int(jw, "shipping", e->terms.shipping);
        jw_kv_int(jw, "handling", e->terms.handling);
        jw_kv_int(jw, "lateness", e->terms.lateness);
        jw_kv_int(jw, "total", e->terms.total);
    }
    jw_object_end(jw);
}

/* The routing explanation kept with the order: strategy, the plan's cost terms, each line's
 * placement and every candidate with its terms or why it was rejected; packed as the store
 * keeps it (lib/zdoc). bytes NULL when out of memory. */
static struct store_doc capture_routing_doc(struct app_ctx *ctx, const struct capture_arg *arg,
                                            const struct routing_plan *plan)
{
    struct buf buf;
    buf_init(&buf, (size_t)1024 * 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "engine", "cost");
    jw_kv_string(&jw, "strategy", plan->strategy);
    jw_kv_bool(&jw, "complete", plan->complete);
    jw_kv_bool(&jw, "exact", plan->exact);
    jw_kv_int(&jw, "shipments", (int64_t)plan->shipments);
    capture_routing_json_cost(&jw, plan);
    capture_routing_json_lines(&jw, arg, plan);
    jw_key(&jw, "candidates");
    jw_array_begin(&jw);
    for (size_t i = 0; i < plan->explanations_count; i++) {
        capture_routing_json_candidate(&jw, arg, &plan->explanations[i]);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    struct store_doc doc = {0};
    if (jw_finish(&jw) == ERR_OK) {
        doc.bytes = zdoc_pack(ctx->arena, &app_routing_dict, buf.ptr, buf.len, &doc.len);
    }
    buf_release(&buf);
    return doc;
}

/* The event data of a new order. */
static const char *capture_event_data(struct app_ctx *ctx, const struct order *order)
{
    return arena_sprintf(ctx->arena,
                         "{\"number\":\"%s\",\"status\":\"%s\",\"total\":%" PRId64
                         ",\"currency\":\"%s\",\"lines\":%zu,\"allocations\":%zu}",
                         order->number, order_status_name(order->status), order->totals.total,
                         order->currency, order->lines_count, order->allocations_count);
}

/* Moves pending -> confirmed -> allocated or backordered, as the plan allows. */
static enum err_code capture_status(struct app_ctx *ctx, struct order *order, bool complete,
                                    struct err *err)
{
    enum err_code code = order_transition(order, ORDER_STATUS_CONFIRMED, err);
    if (code != ERR_OK) {
        return code;
    }
    if (complete) {
        order->allocated_at_ms = ctx->now_ms;
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        struct order_line *line = &order->lines[i];
        line->qty_backordered = line->qty - line->qty_allocated;
    }
    return order_transition(order, complete ? ORDER_STATUS_ALLOCATED : ORDER_STATUS_BACKORDERED,
                            err);
}

/* Numbers the order and gives it and its lines their ids. */
static enum err_code capture_identify(struct app_ctx *ctx, struct store_conn *conn,
                                      struct order *order, struct err *err)
{
    int64_t number = 0;
    enum err_code code = store_order_next_number(conn, &number, err);
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    id_new(id, "ord", ctx->now_ms);
    order->id = arena_strdup(ctx->arena, id);
    order->number = arena_sprintf(ctx->arena, "SO-%" PRId64, number);
    for (size_t i = 0; i < order->lines_count; i++) {
        id_new(id, "lin", ctx->now_ms);
        order->lines[i].id = arena_strdup(ctx->arena, id);
        if (order->lines[i].id == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
    }
    order->status = ORDER_STATUS_PENDING;
    order->version = 1;
    order->created_at_ms = ctx->now_ms;
    order->updated_at_ms = ctx->now_ms;
    if (order->id == NULL || order->number == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

/* ERR_STOCK naming every SKU the plan could not place. */
static enum err_code capture_short(const struct order *order, const struct routing_plan *plan,
                                   struct err *err)
{
    if (order->method == FULFILLMENT_PICKUP) { /* routing: BOPIS, say why */
        err_set(err, ERR_STOCK, NULL,
                order->allow_transfer
                    ? "%s cannot fill the pickup and no location can transfer it there"
                    : "%s cannot fill the pickup (allow_transfer would bring it from a warehouse)",
                order->pickup_location);
    } else {
        err_set(err, ERR_STOCK, NULL, "not enough stock to %s the order",
                order->ship_policy == SHIP_POLICY_SHIP_COMPLETE ? "ship complete" : "fill");
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        if (plan->unallocated[i] > 0) {
            err_add_item(err, order->lines[i].sku);
        }
    }
    return ERR_STOCK;
}

/* Persists the order, its shipments, its event and routing explanation. */
static enum err_code capture_persist(struct app_ctx *ctx, struct store_conn *conn,
                                     struct capture_arg *arg, struct err *err)
{
    const struct shipment *shipments = arg->shipments;
    size_t shipments_count = arg->shipments_count;
    struct order *order = arg->order;
    enum err_code code = store_order_insert(conn, order, err);
    if (code == ERR_CONFLICT) {
        /* Another request took (channel, external_id) since the snapshot. */
        arg->duplicate = true;
        return code;
    }
    for (size_t i = 0; code == ERR_OK && i < shipments_count; i++) {
        code = store_shipment_insert(conn, &shipments[i], err);
    }
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order->id, "order.created", capture_event_data(ctx, order),
                             err);
    }
    if (code == ERR_OK) {
        if (arg->routing.bytes == NULL) {
            arg->routing = capture_routing_doc(ctx, arg, &arg->plan);
        }
        code = arg->routing.bytes != NULL
                   ? store_order_routing_set(conn, order->id, &arg->routing, err)
                   : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        struct metrics_new_order created = {.order = order,
                                            .shipments = shipments,
                                            .shipments_count = shipments_count,
                                            .customer_new = arg->payment.customer_new};
        code = app_metrics_order_created(ctx, conn, &created, err);
    }
    return code;
}

/* routing: when a transfer's units should be ready at the store: the warehouse's ship-by
 * plus the transit days of the service the plan priced to the store. */
static int64_t capture_ready_by(const struct capture_arg *arg, const struct shipment *shipment)
{
    int64_t transit_days = 0;
    for (size_t i = 0; i < arg->plan.explanations_count; i++) {
        const struct routing_explanation *e = &arg->plan.explanations[i];
        const struct location *location = &arg->locations[e->candidate_index];
        if (location->row_id == shipment->location_row_id && e->days > location->handling_days) {
            transit_days = e->days - location->handling_days;
        }
    }
    return shipment->promised_ship_by_ms + transit_days * 86400000LL;
}

/* routing: a ship-to-store order is promised when its units should be at the store. */
static void capture_transfer_promise(struct capture_arg *arg)
{
    for (size_t i = 0; arg->transfer && i < arg->shipments_count; i++) {
        int64_t ready_by = capture_ready_by(arg, &arg->shipments[i]);
        if (!arg->order->promised_ship_by_given && ready_by > arg->order->promised_ship_by_ms) {
            arg->order->promised_ship_by_ms = ready_by;
        }
    }
}

/* routing: each shipment at a supplier is a drop-ship, raised as a purchase order; each of a
 * ship-to-store order is a transfer to the store. */
static enum err_code capture_purchase_orders(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct capture_arg *arg, struct err *err)
{
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < arg->shipments_count; i++) {
        int64_t row = arg->shipments[i].location_row_id;
        int64_t index = row >= 0 && row <= arg->row_id_max ? arg->candidate_by_row[row] : -1;
        if (index >= 0 && app_location_is_dropship(&arg->locations[index])) {
            code = app_purchase_order_raise(ctx, conn, arg->order, &arg->shipments[i], err);
        } else if (arg->transfer) {
            const struct location *store = &arg->locations[arg->pickup_index];
            struct routing_transfer transfer = {
                .shipment_id = arg->shipments[i].id,
                .order_id = arg->order->id,
                .from_row_id = row,
                .from_code = arg->shipments[i].location_code,
                .to_row_id = store->row_id,
                .to_code = store->code,
                .ready_by_ms = capture_ready_by(arg, &arg->shipments[i]),
                .created_at_ms = ctx->now_ms,
            };
            code = app_transfer_record(ctx, conn, arg->order, &transfer, err);
        }
    }
    return code;
}

/* routing: a plan made on a snapshot may count on daily capacity that orders committed since
 * have used; each location with a capacity it uses is checked again on the writer (ERR_STOCK:
 * the order is planned again inside the writer). */
static enum err_code capture_capacity_recheck(struct app_ctx *ctx, struct store_conn *conn,
                                              const struct capture_arg *arg, struct err *err)
{
    const struct routing_plan *plan = &arg->plan;
    for (size_t i = 0; !arg->route_in_writer && i < plan->assignments_count; i++) {
        size_t c = plan->assignments[i].candidate_index;
        bool seen = false;
        for (size_t k = 0; k < i; k++) {
            seen = seen || plan->assignments[k].candidate_index == c;
        }
        const struct location *location = &arg->locations[c];
        if (seen || location->capacity_per_day <= 0) {
            continue;
        }
        enum err_code code =
            store_routing_capacity_require(conn, location->row_id, date_day_start_ms(ctx->now_ms),
                                           location->capacity_per_day, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* Reads current stock and plans inside the writer (the slow path). */
static enum err_code capture_route_now(struct app_ctx *ctx, struct store_conn *conn,
                                       struct capture_arg *arg, struct err *err)
{
    struct routing_request request = {0};
    arg->routing = (struct store_doc){0}; /* a new plan: explained in the command */
    enum err_code code = capture_routing_request(ctx, conn, arg, &request, err);
    if (code == ERR_OK) {
        code = capture_plan(ctx, arg, &request, err);
    }
    return code;
}

static enum err_code capture_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct capture_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct order *order = arg->order;
    write->result = arg->out;
    arg->runs++;
    arg->duplicate = false;
    /* holds: a named hold's units are freed for this order before it is routed (holds.c) */
    enum err_code code = app_holds_before_capture(ctx, conn, order, arg->route_in_writer, err);
    if (code == ERR_OK && arg->route_in_writer) {
        code = capture_route_now(ctx, conn, arg, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (!arg->plan.complete && !order->backorder) {
        return capture_short(order, &arg->plan, err);
    }
    code = capture_identify(ctx, conn, order, err);
    arg->payment.customer_new = false;
    if (code == ERR_OK && !arg->customer_known) {
        bool look_up = arg->runs > 1 || !store_writer_reads_wait(ctx->app->store);
        code = capture_customer(ctx, conn, arg, look_up, err);
    }
    if (code == ERR_OK) {
        code = capture_capacity_recheck(ctx, conn, arg, err); /* routing: the capacity race */
    }
    if (code == ERR_OK) {
        code = capture_allocate(ctx, conn, arg, err);
    }
    if (code == ERR_OK) {
        capture_transfer_promise(arg); /* routing: ship-to-store */
        code = capture_status(ctx, order, arg->plan.complete, err);
    }
    arg->payment.recorded = false; /* payments: declined or over the credit limit -> on_hold */
    if (code == ERR_OK) {
        code = app_payment_capture_hold(ctx, conn, order, &arg->payment, err);
    }
    if (code == ERR_OK) {
        code = capture_persist(ctx, conn, arg, err);
    }
    if (code == ERR_OK) {
        code = app_holds_after_capture(ctx, conn, order, err); /* holds */
    }
    if (code == ERR_OK) {
        code = capture_purchase_orders(ctx, conn, arg, err); /* routing: drop-ship */
    }
    if (code == ERR_OK) {
        code = app_payment_capture_record(ctx, conn, order, &arg->payment, err); /* payments */
    }
    if (code == ERR_OK) {
        arg->out->order = *order;
        arg->out->created = true;
    }
    return code;
}

/* The order another request created with this (channel, external_id): answered with 200. */
static enum err_code capture_load_existing(struct app_ctx *ctx, struct capture_arg *arg,
                                           struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    const struct order *order = arg->order;
    code = store_order_find_external(conn, order->channel, order->external_id, id, err);
    if (code == ERR_OK) {
        code = store_order_get(conn, ctx->arena, id, &arg->out->order, err);
    }
    app_read_end(ctx, conn);
    arg->out->created = false;
    return code;
}

enum err_code app_order_capture(struct app_ctx *ctx, const struct order *input,
                                struct app_idempotency *idem, struct app_capture_result *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_CREATE, err);
    if (code != ERR_OK) {
        return code;
    }
    const struct principal *who = ctx->principal;
    if (who->role == ROLE_CHANNEL && (input->channel == NULL || who->scope_channel == NULL ||
                                      strcmp(input->channel, who->scope_channel) != 0)) {
        return err_set(err, ERR_FORBIDDEN, "channel", "this key may only create orders for '%s'",
                       who->scope_channel != NULL ? who->scope_channel : "");
    }
    code = order_validate(input, err);
    if (code != ERR_OK) {
        return code;
    }
    memset(out, 0, sizeof(*out));
    struct capture_arg arg = {.out = out, .keyed = idem != NULL && idem->key != NULL};
    code = capture_prepare(ctx, input, &arg, err);
    arg.route_in_writer = arg.route_in_writer || input->hold_id != NULL; /* holds: see above */
    if (code == ERR_OK && !arg.existing) {
        /* payments: authorized in this thread, never on the writer's */
        code = app_payment_authorize(ctx, arg.order, input->payment_card, &arg.payment, err);
    }
    if (code != ERR_OK || arg.existing) {
        return code;
    }
    if (!arg.route_in_writer) {
        /* The snapshot's plan stands unless the writer plans again: explain it off the writer. */
        arg.routing = capture_routing_doc(ctx, &arg, &arg.plan);
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = capture_run, .arg = &arg};
    code = app_write_run(&write, err);
    if (code == ERR_STOCK && !arg.route_in_writer) {
        /* Stock or capacity moved since the snapshot (a reservation or the capacity re-check
         * failed, maybe only at the savepoint's release: store_stock_reserve_planned): plan
         * again on current stock inside the writer. */
        code = capture_copy_input(ctx, input, &arg, err);
        arg.route_in_writer = true;
        err_clear(err);
        if (code == ERR_OK) {
            code = app_write_run(&write, err);
        }
    }
    /* payments: void an authorization that no committed command recorded */
    app_payment_abandon(ctx, &arg.payment, code == ERR_OK && !(idem != NULL && idem->replayed));
    /* The store names the key: a backend may report the insert's failure after it returned. */
    if (code == ERR_CONFLICT && (arg.duplicate || strcmp(err->field, "external_id") == 0)) {
        err_clear(err);
        return capture_load_existing(ctx, &arg, err);
    }
    return code;
}

/* ---- returns: an exchange order taken inside the return's command (returns engineer) ------- */

enum err_code app_capture_in_command(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct order *input, struct order *out, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && input != NULL);
    ASSERT(out != NULL);
    struct app_capture_result result;
    memset(&result, 0, sizeof(result));
    /* keyed: no (channel, external_id) look-up; the plan is made on the writer's own data. */
    struct capture_arg arg = {.out = &result, .keyed = true};
    arg.payment.exchange = true; /* its charge is the difference: app_payment_exchange_charge */
    arg.products = ARENA_NEW_ARRAY(ctx->arena, struct product, input->lines_count);
    enum err_code code = order_validate(input, err);
    if (code == ERR_OK && arg.products == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        code = capture_copy_input(ctx, input, &arg, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    ASSERT(arg.order != NULL);
    code = capture_prepare_read(ctx, conn, &arg, err);
    if (code == ERR_OK) {
        code = capture_index_locations(ctx, &arg, err);
    }
    if (code == ERR_OK) {
        code = order_compute_totals(arg.order, err);
    }
    if (code == ERR_OK) {
        code = capture_prepare_snapshot(ctx, conn, &arg, err);
    }
    struct app_write write = {.ctx = ctx, .arg = &arg};
    if (code == ERR_OK) {
        code = capture_run(&write, conn, err);
    }
    if (code == ERR_OK) {
        *out = result.order;
    }
    return code;
}
