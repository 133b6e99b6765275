/*
 * availability.c — GET /v1/availability (issue 3): what a channel may promise a customer, the
 * call a web shop makes on every product page. One read snapshot and two statements (the
 * routing config version, then the stock of every SKU at every location in one read); the
 * locations live in a per-process copy that is refreshed when the locations version moves
 * (a trigger bumps it on any change, by any process; the locations themselves come from the
 * process's copy in ref_cache.c, which order capture shares). Everything else is computed by
 * core/availability.c in the request's arena.
 */
#include <pthread.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/availability.h"
#include "core/geo.h"
#include "core/limits.h"
#include "lib/date.h"

/* What a drop-ship supplier promises of its product: Ordo does not track the supplier's stock
 * (routing sends a drop-ship line there whole, whatever its quantity), so the most one order
 * line may ask for. */
#define AVAILABILITY_DROPSHIP_UNITS QTY_MAX

/* The locations as availability uses them, indexed by row id. */
struct avail_sites {
    struct availability_site *sites;
    size_t count;
    int32_t *index_by_row; /* [row_max + 1]: row id -> index in sites, or -1 */
    int64_t row_max;
};

/* The per-process copy: the locations and what availability needs of the routing config
 * (settings, carrier transit bands, hold-backs), each with the version it was read at. Readers
 * compute under the read lock; a refresh replaces both under the write lock. */
static struct {
    pthread_rwlock_t lock;
    const struct store *store; /* whose data these are */
    int64_t version;           /* the locations version; 0: none */
    int64_t routing_version;   /* the routing config version; 0: none */
    struct arena arena;
    struct avail_sites table;
    struct app_routing_config routing;
} avail_cache = {.lock = PTHREAD_RWLOCK_INITIALIZER};

/* What availability reads of a routing config, copied into arena: the settings, each service's
 * transit bands (no rates) and the hold-backs; false when the arena is full. */
static bool avail_routing_copy(struct arena *arena, const struct app_routing_config *from,
                               struct app_routing_config *to)
{
    *to = *from;
    to->services = ARENA_NEW_ARRAY(arena, struct routing_service, from->services_count + 1);
    to->hold_backs = ARENA_NEW_ARRAY(arena, struct routing_hold_back, from->hold_backs_count + 1);
    if (to->services == NULL || to->hold_backs == NULL) {
        return false;
    }
    for (size_t i = 0; i < from->services_count; i++) {
        const struct routing_service *service = &from->services[i];
        struct routing_transit *transit =
            ARENA_NEW_ARRAY(arena, struct routing_transit, service->transit_count + 1);
        if (transit == NULL) {
            return false;
        }
        memcpy(transit, service->transit, service->transit_count * sizeof(*transit));
        to->services[i] =
            (struct routing_service){.transit = transit, .transit_count = service->transit_count};
    }
    for (size_t i = 0; i < from->hold_backs_count; i++) {
        to->hold_backs[i].units = from->hold_backs[i].units;
        to->hold_backs[i].channel = arena_strdup(arena, from->hold_backs[i].channel);
        if (to->hold_backs[i].channel == NULL) {
            return false;
        }
    }
    return true;
}

/* Builds a site table from locations in arena; false when it is full. */
static bool avail_sites_build(struct arena *arena, const struct location *locations, size_t count,
                              struct avail_sites *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < count; i++) {
        out->row_max = locations[i].row_id > out->row_max ? locations[i].row_id : out->row_max;
    }
    out->sites = ARENA_NEW_ARRAY(arena, struct availability_site, count + 1);
    out->index_by_row = ARENA_NEW_ARRAY(arena, int32_t, (size_t)out->row_max + 1);
    if (out->sites == NULL || out->index_by_row == NULL) {
        return false;
    }
    memset(out->index_by_row, 0xff, ((size_t)out->row_max + 1) * sizeof(int32_t));
    for (size_t i = 0; i < count && i < LOCATIONS_MAX; i++) {
        const struct location *l = &locations[i];
        out->sites[i] = (struct availability_site){
            .row_id = l->row_id,
            .code = arena_strdup(arena, l->code),
            .name = arena_strdup(arena, l->name),
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
        if (out->sites[i].code == NULL || out->sites[i].name == NULL) {
            return false;
        }
        out->index_by_row[l->row_id] = (int32_t)i;
        out->count = i + 1;
    }
    return true;
}

/* What one request computes with: from the cache (under its read lock) or read now. */
struct avail_data {
    const struct avail_sites *table;
    const struct app_routing_config *routing;
};

/* Reads the locations and the routing config on conn (in the caller's snapshot, at the versions
 * of read), keeps them in the cache, and points *data at the fresh copies in ctx->arena. */
static enum err_code avail_refresh(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct availability_read *read, struct avail_data *data,
                                   struct err *err)
{
    struct location *locations = NULL;
    size_t count = 0;
    struct avail_sites *table = ARENA_NEW(ctx->arena, struct avail_sites);
    struct app_routing_config *routing = ARENA_NEW(ctx->arena, struct app_routing_config);
    if (table == NULL || routing == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code =
        app_ref_locations(ctx, conn, read->locations_version, &locations, &count, err);
    if (code == ERR_OK) {
        code = app_routing_config_load(ctx, conn, routing, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (!avail_sites_build(ctx->arena, locations, count, table)) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    *data = (struct avail_data){table, routing};
    pthread_rwlock_wrlock(&avail_cache.lock);
    if (avail_cache.arena.cap_bytes == 0) {
        arena_init(&avail_cache.arena, (size_t)4 << 20);
    }
    arena_reset(&avail_cache.arena);
    bool built = avail_sites_build(&avail_cache.arena, locations, count, &avail_cache.table) &&
                 avail_routing_copy(&avail_cache.arena, routing, &avail_cache.routing);
    avail_cache.version = built ? read->locations_version : 0;
    avail_cache.routing_version = built ? read->routing_version : 0;
    avail_cache.store = ctx->app->store;
    pthread_rwlock_unlock(&avail_cache.lock);
    return ERR_OK;
}

/* Checks the query; fills out's channel and qty and *where's destination. */
static enum err_code avail_check(struct app_ctx *ctx, const struct app_availability_query *query,
                                 struct app_availability *out, struct availability_where *where,
                                 struct err *err)
{
    const struct principal *who = ctx->principal;
    out->channel = query->channel;
    if (who->role == ROLE_CHANNEL) {
        if (query->channel != NULL &&
            (who->scope_channel == NULL || strcmp(query->channel, who->scope_channel) != 0)) {
            return err_set(err, ERR_FORBIDDEN, "channel", "this key may only ask for '%s'",
                           who->scope_channel != NULL ? who->scope_channel : "");
        }
        out->channel = who->scope_channel;
    }
    if (query->skus_count == 0 || query->skus_count > AVAILABILITY_SKUS_MAX) {
        return err_set(err, ERR_INVALID, "skus", "skus must name 1 to %d SKUs, got %zu",
                       AVAILABILITY_SKUS_MAX, query->skus_count);
    }
    for (size_t i = 0; i < query->skus_count; i++) {
        if (!product_sku_is_valid(query->skus[i])) {
            return err_set(err, ERR_INVALID, "skus", "skus[%zu] is not a valid SKU", i);
        }
    }
    if (query->qty < 1 || query->qty > QTY_MAX) {
        return err_set(err, ERR_INVALID, "qty", "qty must be 1 to %d, got %" PRId64, QTY_MAX,
                       query->qty);
    }
    if (query->postal_code != NULL && query->has_coords) {
        return err_set(err, ERR_INVALID, "postal_code", "give postal_code or lat/lon, not both");
    }
    if (query->postal_code != NULL) {
        const struct geo_postal *row =
            geo_postal_find(geo_postal_rows, geo_postal_rows_count, query->postal_code);
        if (row == NULL) {
            return err_set(err, ERR_INVALID, "postal_code", "unknown postal code '%s'",
                           query->postal_code);
        }
        where->lat = (double)row->lat;
        where->lon = (double)row->lon;
        where->has_destination = true;
    } else if (query->has_coords) {
        if (!geo_coords_are_valid(query->lat, query->lon)) {
            return err_set(err, ERR_INVALID, query->lat < -90 || query->lat > 90 ? "lat" : "lon",
                           "lat must be -90..90 and lon -180..180");
        }
        where->lat = query->lat;
        where->lon = query->lon;
        where->has_destination = true;
    }
    out->qty = query->qty;
    out->has_destination = where->has_destination;
    return ERR_OK;
}

/* What the request computes with: the sites, the rows read and the config. */
struct avail_run {
    struct app_ctx *ctx;
    const struct avail_sites *table;
    const struct availability_read *read;
    const struct availability_where *where;
    int64_t hold_back;
    int64_t qty;
};

/* The sites the rows name (each once), their local index in local_of[] (by site index). */
struct avail_local {
    struct availability_site *sites;
    struct availability_route *routes;
    size_t count;
    int32_t *local_of; /* [table->count]: site index -> local index, or -1 */
};

static enum err_code avail_local_build(const struct avail_run *run, struct avail_local *local,
                                       struct err *err)
{
    size_t n = run->table->count;
    local->local_of = ARENA_NEW_ARRAY(run->ctx->arena, int32_t, n + 1);
    local->sites = ARENA_NEW_ARRAY(run->ctx->arena, struct availability_site, n + 1);
    local->routes = ARENA_NEW_ARRAY(run->ctx->arena, struct availability_route, n + 1);
    if (local->local_of == NULL || local->sites == NULL || local->routes == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(local->local_of, 0xff, (n + 1) * sizeof(int32_t));
    local->count = 0;
    for (size_t r = 0; r < run->read->count; r++) {
        int64_t row_id = run->read->rows[r].location_row_id;
        if (row_id <= 0 || row_id > run->table->row_max || run->table->index_by_row[row_id] < 0) {
            continue;
        }
        int32_t site = run->table->index_by_row[row_id];
        if (local->local_of[site] < 0) {
            local->local_of[site] = (int32_t)local->count;
            local->sites[local->count++] = run->table->sites[site];
        }
    }
    /* Drop-ship suppliers promise without a balance: they are sites of every request. */
    for (size_t i = 0; i < n; i++) {
        if (run->table->sites[i].supplier && local->local_of[i] < 0) {
            local->local_of[i] = (int32_t)local->count;
            local->sites[local->count++] = run->table->sites[i];
        }
    }
    availability_routes(local->sites, local->count, run->where, local->routes);
    return ERR_OK;
}

/* The components of the product of rows[first] (itself when simple), with units per kit. */
static size_t avail_components(const struct availability_row *rows, size_t first, size_t end,
                               int64_t *ids, int64_t *qty)
{
    size_t components = 0;
    for (size_t r = first; r < end; r++) {
        if (rows[r].product_row_id != rows[first].product_row_id) {
            continue;
        }
        bool seen = false;
        for (size_t c = 0; c < components; c++) {
            seen = seen || ids[c] == rows[r].component_row_id;
        }
        if (!seen && components < KIT_COMPONENTS_MAX) {
            ids[components] = rows[r].component_row_id;
            qty[components++] = rows[r].component_qty > 0 ? rows[r].component_qty : 1;
        }
    }
    return components;
}

/* Units (or whole kits) of the product of rows[first] (its rows among rows[first..end)) at
 * each local site into units[]. */
static enum err_code avail_units(const struct avail_run *run, const struct avail_local *local,
                                 size_t first, size_t end, int64_t *units, struct err *err)
{
    const struct availability_row *rows = run->read->rows;
    int64_t ids[KIT_COMPONENTS_MAX];
    int64_t per_kit[KIT_COMPONENTS_MAX];
    size_t components = avail_components(rows, first, end, ids, per_kit);
    size_t n = local->count;
    int64_t *atp = ARENA_NEW_ARRAY(run->ctx->arena, int64_t, components * n + 1);
    if (atp == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(atp, 0, (components * n + 1) * sizeof(*atp));
    for (size_t r = first; r < end; r++) {
        int64_t row_id = rows[r].location_row_id;
        if (rows[r].product_row_id != rows[first].product_row_id || row_id <= 0 ||
            row_id > run->table->row_max || run->table->index_by_row[row_id] < 0) {
            continue;
        }
        int32_t s = local->local_of[run->table->index_by_row[row_id]];
        for (size_t c = 0; s >= 0 && c < components; c++) {
            if (ids[c] == rows[r].component_row_id) {
                atp[c * n + (size_t)s] = rows[r].atp > 0 ? rows[r].atp : 0;
            }
        }
    }
    int64_t site_atp[KIT_COMPONENTS_MAX];
    for (size_t s = 0; s < n; s++) {
        for (size_t c = 0; c < components; c++) {
            site_atp[c] = atp[c * n + s];
        }
        units[s] = components == 0 ? 0 : inventory_kit_available(site_atp, per_kit, components);
    }
    return ERR_OK;
}

/* Drop-ship: supplier sites hold nothing of Ordo's; the product's own supplier promises
 * AVAILABILITY_DROPSHIP_UNITS when it is active and drop-ships. */
static void avail_dropship(const struct avail_local *local, const struct availability_row *row,
                           int64_t *units)
{
    for (size_t s = 0; s < local->count; s++) {
        const struct availability_site *site = &local->sites[s];
        if (!site->supplier) {
            continue;
        }
        units[s] = 0;
        if (row->dropship_supplier != NULL && !row->is_kit &&
            strcmp(site->code, row->dropship_supplier) == 0 &&
            (site->capabilities & LOCATION_CAP_DROPSHIP) != 0) {
            units[s] = AVAILABILITY_DROPSHIP_UNITS;
        }
    }
}

/* The answer for the product of rows[first] (rows up to end) into item (strings copied to the
 * arena). */
static enum err_code avail_item(const struct avail_run *run, const struct avail_local *local,
                                size_t first, size_t end, struct app_availability_item *item,
                                struct err *err)
{
    const struct availability_row *row = &run->read->rows[first];
    struct arena *arena = run->ctx->arena;
    memset(item, 0, sizeof(*item));
    item->sku = row->sku;
    item->is_kit = row->is_kit;
    item->active = row->active;
    int64_t *units = ARENA_NEW_ARRAY(arena, int64_t, local->count + 1);
    int64_t *net = ARENA_NEW_ARRAY(arena, int64_t, local->count + 1);
    if (units == NULL || net == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = avail_units(run, local, first, end, units, err);
    if (code != ERR_OK || !row->active) {
        return code;
    }
    avail_dropship(local, row, units);
    struct availability_network network = {local->sites, local->routes, local->count};
    struct availability_answer answer;
    availability_answer(&network, units, run->hold_back, run->qty, net, &answer);
    item->available = answer.available;
    item->dropship_available = answer.dropship_available;
    item->can_ship = answer.can_ship;
    item->delivery_day = answer.delivery_day;
    if (answer.can_ship && answer.ship_site != SIZE_MAX) {
        item->ship_from = arena_strdup(arena, local->sites[answer.ship_site].code);
        item->ship_by_ms = local->routes[answer.ship_site].ship_by_ms;
    }
    for (size_t p = 0; p < answer.pickup_count; p++) {
        size_t s = answer.pickup[p];
        item->pickups[p] = (struct app_pickup_option){
            .location = arena_strdup(arena, local->sites[s].code),
            .name = arena_strdup(arena, local->sites[s].name),
            .distance_km = local->routes[s].distance_km,
            .available = answer.pickup_units[p],
            .ready_by_ms = local->routes[s].ship_by_ms,
        };
        if (item->pickups[p].location == NULL || item->pickups[p].name == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
    }
    item->pickups_count = answer.pickup_count;
    return ERR_OK;
}

/* Every SKU asked, in order: found ones as items, the others as unknown. */
static enum err_code avail_answer_all(const struct avail_run *run,
                                      const struct app_availability_query *query,
                                      struct app_availability *out, struct err *err)
{
    struct avail_local local = {0};
    enum err_code code = avail_local_build(run, &local, err);
    out->items = ARENA_NEW_ARRAY(run->ctx->arena, struct app_availability_item, query->skus_count);
    out->unknown = ARENA_NEW_ARRAY(run->ctx->arena, const char *, query->skus_count);
    if (code == ERR_OK && (out->items == NULL || out->unknown == NULL)) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    const struct availability_row *rows = run->read->rows;
    for (size_t q = 0; code == ERR_OK && q < query->skus_count; q++) {
        size_t first = 0;
        while (first < run->read->count && strcmp(rows[first].sku, query->skus[q]) != 0) {
            first++;
        }
        if (first == run->read->count) {
            out->unknown[out->unknown_count++] = query->skus[q];
            continue;
        }
        /* The rows of one product need not be adjacent: the helpers filter by its id. */
        code =
            avail_item(run, &local, first, run->read->count, &out->items[out->items_count++], err);
    }
    return code;
}

/* The answer computed with data: the carriers and settings of its routing config, the
 * channel's hold-back, its sites. */
static enum err_code avail_with(struct avail_run *run, const struct avail_data *data,
                                const struct app_availability_query *query,
                                struct app_availability *out, struct err *err)
{
    struct availability_where where = *run->where;
    where.services = data->routing->services;
    where.services_count = data->routing->services_count;
    where.settings = &data->routing->settings;
    const struct availability_where *asked = run->where;
    run->where = &where;
    run->table = data->table;
    run->hold_back = app_routing_hold_back(data->routing, out->channel);
    enum err_code code = avail_answer_all(run, query, out, err);
    run->where = asked; /* where ends here */
    run->table = NULL;
    return code;
}

/*
 * The fast path: the one statement already ran outside a transaction (a snapshot of its own),
 * and the cached locations and routing config are of the versions it read. Otherwise the read
 * runs again in one snapshot with the locations and the routing config, which refresh the
 * cache.
 */
static enum err_code avail_compute(struct avail_run *run, struct store_conn *conn,
                                   struct availability_read *read,
                                   const struct app_availability_query *query,
                                   struct app_availability *out, struct err *err)
{
    pthread_rwlock_rdlock(&avail_cache.lock);
    if (avail_cache.store == run->ctx->app->store && avail_cache.version != 0 &&
        avail_cache.version == read->locations_version &&
        avail_cache.routing_version == read->routing_version) {
        struct avail_data data = {&avail_cache.table, &avail_cache.routing};
        enum err_code code = avail_with(run, &data, query, out, err);
        pthread_rwlock_unlock(&avail_cache.lock);
        return code;
    }
    pthread_rwlock_unlock(&avail_cache.lock);
    enum err_code code = store_begin_read(conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_availability_read(conn, run->ctx->arena, read, err);
    struct avail_data data = {NULL, NULL};
    if (code == ERR_OK) {
        code = avail_refresh(run->ctx, conn, read, &data, err);
    }
    store_rollback(conn);
    if (code != ERR_OK || data.table == NULL || data.routing == NULL) {
        return code != ERR_OK ? code : err_set(err, ERR_INTERNAL, NULL, "availability not loaded");
    }
    return avail_with(run, &data, query, out, err);
}

/* Every SKU asked is unknown (the read found no product): no location is needed. */
static enum err_code avail_all_unknown(struct app_ctx *ctx,
                                       const struct app_availability_query *query,
                                       struct app_availability *out, struct err *err)
{
    out->unknown = ARENA_NEW_ARRAY(ctx->arena, const char *, query->skus_count);
    if (out->unknown == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < query->skus_count; i++) {
        out->unknown[out->unknown_count++] = query->skus[i];
    }
    return ERR_OK;
}

/* A channel named by an admin, operator or support key must exist. */
static enum err_code avail_channel_exists(struct app_ctx *ctx, struct store_conn *conn,
                                          const char *code_name, struct err *err)
{
    struct channel channel;
    enum err_code code = store_channel_get(conn, ctx->arena, code_name, &channel, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "channel", "unknown channel '%s'", code_name);
    }
    return code;
}

enum err_code app_availability(struct app_ctx *ctx, const struct app_availability_query *query,
                               struct app_availability *out, struct err *err)
{
    ASSERT(ctx != NULL && query != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    struct availability_where where = {.now_ms = ctx->now_ms};
    enum err_code code = app_require(ctx, PERM_ORDERS_CREATE, err);
    if (code == ERR_OK) {
        code = avail_check(ctx, query, out, &where, err);
    }
    /* A reader without BEGIN: the hot path is one statement, its own snapshot. */
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = store_reader_acquire(ctx->app->store, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (out->channel != NULL && ctx->principal->role != ROLE_CHANNEL) {
        code = avail_channel_exists(ctx, conn, out->channel, err);
    }
    struct availability_read read = {
        .skus = query->skus, .skus_count = query->skus_count, .now_ms = ctx->now_ms};
    if (code == ERR_OK) {
        code = store_availability_read(conn, ctx->arena, &read, err);
    }
    if (code == ERR_OK && read.count == 0) {
        code = avail_all_unknown(ctx, query, out, err);
    } else if (code == ERR_OK) {
        struct avail_run run = {.ctx = ctx, .read = &read, .where = &where, .qty = query->qty};
        code = avail_compute(&run, conn, &read, query, out, err);
    }
    store_reader_release(ctx->app->store, conn);
    writer_wait_durable(ctx->app->writer);
    return code;
}
