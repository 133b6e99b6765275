/*
 * holds.c — soft holds for carts (issue 3): POST/GET/DELETE /v1/holds, their expiry in the
 * jobs, and their consumption by the order that names them. A hold reserves stock exactly as
 * an order does (inventory.reserved, ledger `reserve`/`release` with ref_type "hold"), so it
 * lowers availability at once, no order can take its units, and the ledger still equals the
 * balance. Its units are taken at the locations that deliver soonest (core/availability.c),
 * after the channel's hold-back; a drop-ship part reserves nothing (as routing's drop-ship).
 * Every change is one writer command; nothing is half done.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/availability.h"
#include "core/geo.h"
#include "core/limits.h"
#include "lib/str.h"

/* ---- moving a hold's stock --------------------------------------------------------------- */

/* One reservation (reserved_delta > 0) or release (< 0) of a hold, with its ledger row. */
static enum err_code hold_move(struct app_ctx *ctx, struct store_conn *conn, const char *hold_id,
                               const struct hold_stock *stock, int64_t reserved_delta,
                               struct err *err)
{
    enum err_code code = store_stock_apply(conn, stock->product_row_id, stock->location_row_id, 0,
                                           reserved_delta, reserved_delta > 0, ctx->now_ms, err);
    if (code != ERR_OK) {
        return code;
    }
    struct ledger_entry entry = {
        .product_row_id = stock->product_row_id,
        .location_row_id = stock->location_row_id,
        .kind = reserved_delta > 0 ? LEDGER_RESERVE : LEDGER_RELEASE,
        .reserved_delta = reserved_delta,
        .ref_type = "hold",
        .ref_id = hold_id,
        .created_at_ms = ctx->now_ms,
    };
    return store_ledger_insert(conn, &entry, err);
}

/* Gives an active hold's stock back and ends it with status (released, consumed, expired). */
static enum err_code hold_end(struct app_ctx *ctx, struct store_conn *conn, struct hold *hold,
                              enum hold_status status, struct err *err)
{
    ASSERT(hold->status == HOLD_STATUS_ACTIVE);
    ASSERT(status != HOLD_STATUS_ACTIVE);
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < hold->stock_count; i++) {
        code = hold_move(ctx, conn, hold->id, &hold->stock[i], -hold->stock[i].qty, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    hold->status = status;
    hold->updated_at_ms = ctx->now_ms;
    code = store_hold_finish(conn, hold, err);
    hold->stock_count = code == ERR_OK ? 0 : hold->stock_count;
    return code;
}

/* ---- creating a hold --------------------------------------------------------------------- */

struct hold_create_arg {
    const struct app_hold_input *input;
    const char *channel;
    struct product *products; /* [lines_count] */
    struct availability_where where;
    struct hold *out;
};

/* The network as the hold ranks it: sites from the locations, routes from where. */
struct hold_network {
    struct location *locations;
    struct availability_site *sites;
    struct availability_route *routes;
    size_t count;
    size_t *ranked; /* sites that ship, in the order stock is taken */
    size_t ranked_count;
    int64_t hold_back;
};

static enum err_code hold_network_load(struct app_ctx *ctx, struct store_conn *conn,
                                       struct hold_create_arg *arg, struct hold_network *net,
                                       struct err *err)
{
    struct app_routing_config config;
    enum err_code code = store_location_list(conn, ctx->arena, &net->locations, &net->count, err);
    if (code == ERR_OK) {
        code = app_routing_config_load(ctx, conn, &config, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    size_t n = net->count;
    net->sites = ARENA_NEW_ARRAY(ctx->arena, struct availability_site, n + 1);
    net->routes = ARENA_NEW_ARRAY(ctx->arena, struct availability_route, n + 1);
    net->ranked = ARENA_NEW_ARRAY(ctx->arena, size_t, n + 1);
    if (net->sites == NULL || net->routes == NULL || net->ranked == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < n; i++) {
        const struct location *l = &net->locations[i];
        net->sites[i] = (struct availability_site){
            .row_id = l->row_id,
            .code = l->code,
            .name = l->name,
            .lat = l->address.lat,
            .lon = l->address.lon,
            .has_coords = l->address.has_coords,
            .capabilities = l->capabilities,
            .active = l->active,
            .cutoff_minute = l->cutoff_minute,
            .handling_days = l->handling_days,
            .priority = l->priority,
            .supplier = l->kind == LOCATION_KIND_SUPPLIER,
        };
    }
    arg->where.services = config.services;
    arg->where.services_count = config.services_count;
    arg->where.settings = &config.settings;
    availability_routes(net->sites, n, &arg->where, net->routes);
    struct availability_network network = {net->sites, net->routes, n};
    net->ranked_count = availability_rank(&network, net->ranked);
    net->hold_back = app_routing_hold_back(&config, arg->channel);
    return ERR_OK;
}

/* ATP of one product per site (indexed like net->sites) into atp[]. */
static enum err_code hold_product_atp(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct hold_network *net, int64_t product_row_id,
                                      int64_t *atp, struct err *err)
{
    struct stock_row *rows = NULL;
    size_t count = 0;
    enum err_code code =
        store_stock_list_by_product(conn, ctx->arena, product_row_id, &rows, &count, err);
    memset(atp, 0, net->count * sizeof(*atp));
    for (size_t r = 0; code == ERR_OK && r < count; r++) {
        for (size_t i = 0; i < net->count; i++) {
            if (net->sites[i].row_id == rows[r].location_row_id) {
                atp[i] = inventory_atp(&rows[r].stock);
            }
        }
    }
    return code;
}

/* What each site can hold of a line's product after the hold-back: units or whole kits; a
 * supplier only the drop-ship product it supplies (QTY_MAX, nothing reserved). */
static enum err_code hold_line_net(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct hold_network *net, const struct product *product,
                                   int64_t *units, struct err *err)
{
    size_t n = net->count;
    size_t parts = product->kind == PRODUCT_KIND_KIT ? product->components_count : 1;
    int64_t *atp = ARENA_NEW_ARRAY(ctx->arena, int64_t, n * parts + 1);
    if (atp == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    int64_t per_kit[KIT_COMPONENTS_MAX];
    for (size_t c = 0; c < parts; c++) {
        int64_t row = parts == 1 && product->kind != PRODUCT_KIND_KIT
                          ? product->row_id
                          : product->components[c].product_row_id;
        per_kit[c] = product->kind == PRODUCT_KIND_KIT ? product->components[c].qty : 1;
        enum err_code code = hold_product_atp(ctx, conn, net, row, atp + c * n, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    int64_t site_atp[KIT_COMPONENTS_MAX];
    for (size_t i = 0; i < n; i++) {
        for (size_t c = 0; c < parts; c++) {
            site_atp[c] = atp[c * n + i];
        }
        units[i] = inventory_kit_available(site_atp, per_kit, parts) - net->hold_back;
        units[i] = units[i] > 0 ? units[i] : 0;
        if (net->sites[i].supplier) {
            bool supplies = product->dropship_supplier != NULL &&
                            strcmp(product->dropship_supplier, net->sites[i].code) == 0;
            units[i] = supplies ? QTY_MAX : 0;
        }
    }
    return ERR_OK;
}

/* Adds qty of product at location to the hold's stock rows (kits of two lines may share a
 * component), reserving it; false when the arena is full. */
static enum err_code hold_reserve(struct app_ctx *ctx, struct store_conn *conn, struct hold *hold,
                                  const struct hold_stock *add, struct err *err)
{
    struct hold_stock *row = NULL;
    for (size_t i = 0; i < hold->stock_count && row == NULL; i++) {
        if (hold->stock[i].product_row_id == add->product_row_id &&
            hold->stock[i].location_row_id == add->location_row_id) {
            row = &hold->stock[i];
        }
    }
    if (row == NULL) {
        row = &hold->stock[hold->stock_count++];
        *row = (struct hold_stock){add->product_row_id, add->location_row_id, 0};
    }
    row->qty += add->qty;
    enum err_code code = hold_move(ctx, conn, hold->id, add, add->qty, err);
    if (code == ERR_STOCK) {
        return err_set(err, ERR_STOCK, NULL, "not enough stock to hold");
    }
    return code;
}

/* Places one line: takes its units site by site in rank order, records the hold lines and
 * reserves them (kits through their components). *short_units: what could not be placed. */
static enum err_code hold_place_line(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct hold_network *net, size_t l,
                                     struct hold_create_arg *arg, struct err *err)
{
    const struct product *product = &arg->products[l];
    struct hold *hold = arg->out;
    int64_t qty = arg->input->lines[l].qty;
    int64_t *units = ARENA_NEW_ARRAY(ctx->arena, int64_t, net->count + 1);
    int64_t *taken = ARENA_NEW_ARRAY(ctx->arena, int64_t, net->count + 1);
    if (units == NULL || taken == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(taken, 0, (net->count + 1) * sizeof(*taken));
    enum err_code code = hold_line_net(ctx, conn, net, product, units, err);
    if (code != ERR_OK) {
        return code;
    }
    /* As routing: the supplier only when Ordo's own locations cannot hold the whole line. */
    int64_t own = 0;
    for (size_t i = 0; i < net->count; i++) {
        own += !net->sites[i].supplier && availability_site_ships(&net->sites[i]) ? units[i] : 0;
    }
    for (size_t i = 0; own >= qty && i < net->count; i++) {
        units[i] = net->sites[i].supplier ? 0 : units[i];
    }
    if (availability_take(net->ranked, net->ranked_count, units, qty, taken) > 0) {
        err_add_item(err, product->sku);
        return ERR_STOCK;
    }
    for (size_t i = 0; code == ERR_OK && i < net->count; i++) {
        if (taken[i] == 0) {
            continue;
        }
        hold->lines[hold->lines_count++] =
            (struct hold_line){(int64_t)l + 1,       product->row_id,    product->sku,
                               net->sites[i].row_id, net->sites[i].code, taken[i]};
        size_t parts = product->kind == PRODUCT_KIND_KIT ? product->components_count : 1;
        for (size_t c = 0; code == ERR_OK && !net->sites[i].supplier && c < parts; c++) {
            struct hold_stock add = {product->row_id, net->sites[i].row_id, taken[i]};
            if (product->kind == PRODUCT_KIND_KIT) {
                add.product_row_id = product->components[c].product_row_id;
                add.qty = taken[i] * product->components[c].qty;
            }
            code = hold_reserve(ctx, conn, hold, &add, err);
        }
    }
    return code;
}

static enum err_code hold_create_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct hold_create_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct hold *hold = arg->out;
    write->result = hold;
    struct hold_network net = {0};
    enum err_code code = hold_network_load(ctx, conn, arg, &net, err);
    size_t lines = arg->input->lines_count;
    size_t stock_max = 1;
    for (size_t l = 0; l < lines; l++) {
        const struct product *product = &arg->products[l];
        size_t parts = product->kind == PRODUCT_KIND_KIT ? product->components_count : 1;
        stock_max += parts * (net.count + 1);
    }
    hold->lines = ARENA_NEW_ARRAY(ctx->arena, struct hold_line, lines * (net.count + 1));
    hold->stock = ARENA_NEW_ARRAY(ctx->arena, struct hold_stock, stock_max);
    if (code == ERR_OK && (hold->lines == NULL || hold->stock == NULL)) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    hold->lines_count = 0;
    hold->stock_count = 0;
    bool short_stock = false;
    for (size_t l = 0; code == ERR_OK && l < lines; l++) {
        code = hold_place_line(ctx, conn, &net, l, arg, err);
        if (code == ERR_STOCK && err->message[0] == '\0') {
            short_stock = true; /* keep naming the other SKUs short */
            code = ERR_OK;
        }
    }
    if (code == ERR_OK && short_stock) {
        char items[ERR_ITEMS_LEN_MAX];
        (void)str_copy(items, sizeof(items), err->items);
        err_set(err, ERR_STOCK, NULL, "not enough stock to hold every line");
        (void)str_copy(err->items, sizeof(err->items), items);
        return ERR_STOCK;
    }
    return code == ERR_OK ? store_hold_insert(conn, hold, err) : code;
}

/* The channel a hold is for, and the destination it is held near. */
static enum err_code hold_check(struct app_ctx *ctx, const struct app_hold_input *input,
                                struct hold_create_arg *arg, struct err *err)
{
    const struct principal *who = ctx->principal;
    arg->channel = input->channel != NULL ? input->channel : "web";
    if (who->role == ROLE_CHANNEL) {
        if (input->channel != NULL &&
            (who->scope_channel == NULL || strcmp(input->channel, who->scope_channel) != 0)) {
            return err_set(err, ERR_FORBIDDEN, "channel", "this key may only hold for '%s'",
                           who->scope_channel != NULL ? who->scope_channel : "");
        }
        arg->channel = who->scope_channel;
    }
    enum err_code code = hold_validate(input->lines, input->lines_count, input->ttl_seconds, err);
    if (code != ERR_OK) {
        return code;
    }
    if (input->postal_code != NULL && input->has_coords) {
        return err_set(err, ERR_INVALID, "postal_code", "give postal_code or lat/lon, not both");
    }
    if (input->postal_code != NULL) {
        const struct geo_postal *row =
            geo_postal_find(geo_postal_rows, geo_postal_rows_count, input->postal_code);
        if (row == NULL) {
            return err_set(err, ERR_INVALID, "postal_code", "unknown postal code '%s'",
                           input->postal_code);
        }
        arg->where = (struct availability_where){
            .has_destination = true, .lat = (double)row->lat, .lon = (double)row->lon};
    } else if (input->has_coords) {
        if (!geo_coords_are_valid(input->lat, input->lon)) {
            return err_set(err, ERR_INVALID, input->lat < -90 || input->lat > 90 ? "lat" : "lon",
                           "lat must be -90..90 and lon -180..180");
        }
        arg->where = (struct availability_where){
            .has_destination = true, .lat = input->lat, .lon = input->lon};
    }
    arg->where.now_ms = ctx->now_ms;
    return ERR_OK;
}

/* On a reader: the channel exists and every SKU is a product for sale. */
static enum err_code hold_prepare(struct app_ctx *ctx, struct hold_create_arg *arg, struct err *err)
{
    const struct app_hold_input *input = arg->input;
    arg->products = ARENA_NEW_ARRAY(ctx->arena, struct product, input->lines_count);
    if (arg->products == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct channel channel;
    code = store_channel_get(conn, ctx->arena, arg->channel, &channel, err);
    if (code == ERR_NOT_FOUND) {
        code = err_set(err, ERR_INVALID, "channel", "unknown channel '%s'", arg->channel);
    }
    for (size_t i = 0; code == ERR_OK && i < input->lines_count; i++) {
        char field[48];
        (void)snprintf(field, sizeof(field), "lines[%zu].sku", i);
        code = store_product_get(conn, ctx->arena, input->lines[i].sku, &arg->products[i], err);
        if (code == ERR_NOT_FOUND) {
            code = err_set(err, ERR_INVALID, field, "unknown sku '%s'", input->lines[i].sku);
        } else if (code == ERR_OK && !arg->products[i].active) {
            code = err_set(err, ERR_INVALID, field, "product '%s' is not for sale",
                           input->lines[i].sku);
        }
    }
    app_read_end(ctx, conn);
    return code;
}

enum err_code app_hold_create(struct app_ctx *ctx, const struct app_hold_input *input,
                              struct app_idempotency *idem, struct hold *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct hold_create_arg arg = {.input = input, .out = out};
    enum err_code code = app_require(ctx, PERM_ORDERS_CREATE, err);
    if (code == ERR_OK) {
        code = hold_check(ctx, input, &arg, err);
    }
    if (code == ERR_OK) {
        code = hold_prepare(ctx, &arg, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    id_new(id, "hld", ctx->now_ms);
    out->id = arena_strdup(ctx->arena, id);
    out->channel = arg.channel;
    out->status = HOLD_STATUS_ACTIVE;
    out->ttl_seconds = input->ttl_seconds;
    out->expires_at_ms = ctx->now_ms + input->ttl_seconds * 1000;
    out->created_at_ms = ctx->now_ms;
    out->updated_at_ms = ctx->now_ms;
    if (out->id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = hold_create_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* ---- reading and releasing --------------------------------------------------------------- */

/* ERR_NOT_FOUND unless the principal may see the hold (a channel key: its own channel's). */
static enum err_code hold_visible(const struct app_ctx *ctx, const struct hold *hold,
                                  const char *id, struct err *err)
{
    const struct principal *who = ctx->principal;
    if (who->role == ROLE_CHANNEL &&
        (who->scope_channel == NULL || strcmp(who->scope_channel, hold->channel) != 0)) {
        return err_set(err, ERR_NOT_FOUND, NULL, "hold %s not found", id);
    }
    return ERR_OK;
}

/* How the API shows a hold: an active hold whose time ran out is "expired". */
static void hold_present(const struct app_ctx *ctx, struct hold *hold)
{
    if (hold_is_expired(hold->status, hold->expires_at_ms, ctx->now_ms)) {
        hold->status = HOLD_STATUS_EXPIRED;
    }
}

enum err_code app_hold_get(struct app_ctx *ctx, const char *id, struct hold *out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_CREATE, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = store_hold_get(conn, ctx->arena, id, out, err);
    app_read_end(ctx, conn);
    if (code == ERR_OK) {
        code = hold_visible(ctx, out, id, err);
    }
    if (code == ERR_OK) {
        hold_present(ctx, out);
    }
    return code;
}

static enum err_code hold_release_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    struct app_ctx *ctx = write->ctx;
    struct hold *hold = write->arg;
    const char *id = hold->id;
    write->result = hold;
    enum err_code code = store_hold_get(conn, ctx->arena, id, hold, err);
    if (code == ERR_OK) {
        code = hold_visible(ctx, hold, id, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (hold->status != HOLD_STATUS_ACTIVE) {
        return err_set(err, ERR_STATE, NULL, "hold %s is already %s", id,
                       hold_status_name(hold->status));
    }
    bool expired = hold_is_expired(hold->status, hold->expires_at_ms, ctx->now_ms);
    return hold_end(ctx, conn, hold, expired ? HOLD_STATUS_EXPIRED : HOLD_STATUS_RELEASED, err);
}

enum err_code app_hold_release(struct app_ctx *ctx, const char *id, struct hold *out,
                               struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    out->id = id;
    enum err_code code = app_require(ctx, PERM_ORDERS_CREATE, err);
    if (code != ERR_OK) {
        return code;
    }
    struct app_write write = {.ctx = ctx, .run = hold_release_run, .arg = out};
    return app_write_run(&write, err);
}

/* ---- expiry and consumption (inside other commands) -------------------------------------- */

enum err_code app_holds_expire(struct app_ctx *ctx, struct store_conn *conn, size_t *released,
                               struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(released != NULL);
    *released = 0;
    struct store_ids ids = {.limit = JOBS_BATCH_MAX};
    enum err_code code = store_hold_expired(conn, ctx->arena, ctx->now_ms, &ids, err);
    for (size_t i = 0; code == ERR_OK && i < ids.count; i++) {
        struct hold hold;
        code = store_hold_get(conn, ctx->arena, ids.ids[i], &hold, err);
        if (code == ERR_OK && hold.status == HOLD_STATUS_ACTIVE) {
            code = hold_end(ctx, conn, &hold, HOLD_STATUS_EXPIRED, err);
            *released += 1;
        }
    }
    return code;
}

enum err_code app_holds_before_capture(struct app_ctx *ctx, struct store_conn *conn,
                                       const struct order *order, bool route_in_writer,
                                       struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL);
    size_t released = 0;
    enum err_code code = route_in_writer ? app_holds_expire(ctx, conn, &released, err) : ERR_OK;
    if (code != ERR_OK || order->hold_id == NULL) {
        return code;
    }
    struct hold hold;
    code = store_hold_get(conn, ctx->arena, order->hold_id, &hold, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "hold_id", "unknown hold '%s'", order->hold_id);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (hold.status == HOLD_STATUS_CONSUMED) {
        return err_set_reason(err, ERR_CONFLICT, "hold_consumed", "hold_id",
                              "hold %s was already used by order %s", hold.id,
                              hold.order_id != NULL ? hold.order_id : "(another)");
    }
    if (hold_is_expired(hold.status, hold.expires_at_ms, ctx->now_ms) ||
        hold.status != HOLD_STATUS_ACTIVE) {
        hold_present(ctx, &hold);
        return err_set(err, ERR_INVALID, "hold_id", "hold %s is %s", hold.id,
                       hold_status_name(hold.status));
    }
    if (strcmp(hold.channel, order->channel) != 0) {
        return err_set(err, ERR_INVALID, "hold_id", "hold %s is for channel '%s'", hold.id,
                       hold.channel);
    }
    return hold_end(ctx, conn, &hold, HOLD_STATUS_CONSUMED, err);
}

enum err_code app_holds_after_capture(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct order *order, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL);
    if (order->hold_id == NULL) {
        return ERR_OK;
    }
    return store_hold_set_order(conn, order->hold_id, order->id, err);
}
