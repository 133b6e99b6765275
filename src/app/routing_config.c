/*
 * routing_config.c — carriers with their rate cards, routing settings and channel hold-backs
 * (issue 3), and the copy of them that capture and reroutes plan with. That copy is cached per
 * process and checked against the config version on the caller's own snapshot (one small
 * read), so a change made by any process is seen by the next order, and an unchanged config
 * costs no parsing.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/date.h"

/* ---- copies ------------------------------------------------------------------------------ */

static bool config_copy_service(struct arena *arena, const struct routing_service *from,
                                struct routing_service *to)
{
    *to = *from;
    to->carrier = arena_strdup(arena, from->carrier);
    to->code = arena_strdup(arena, from->code);
    struct routing_transit *transit =
        ARENA_NEW_ARRAY(arena, struct routing_transit, from->transit_count + 1);
    struct routing_rate *rates = ARENA_NEW_ARRAY(arena, struct routing_rate, from->rates_count + 1);
    if (to->carrier == NULL || to->code == NULL || transit == NULL || rates == NULL) {
        return false;
    }
    memcpy(transit, from->transit, from->transit_count * sizeof(*transit));
    memcpy(rates, from->rates, from->rates_count * sizeof(*rates));
    to->transit = transit;
    to->rates = rates;
    return true;
}

/* Deep copy of a config into arena; false when it is full. */
static bool config_copy(struct arena *arena, const struct app_routing_config *from,
                        struct app_routing_config *to)
{
    *to = *from;
    to->services = ARENA_NEW_ARRAY(arena, struct routing_service, from->services_count + 1);
    to->hold_backs = ARENA_NEW_ARRAY(arena, struct routing_hold_back, from->hold_backs_count + 1);
    if (to->services == NULL || to->hold_backs == NULL) {
        return false;
    }
    for (size_t i = 0; i < from->services_count; i++) {
        if (!config_copy_service(arena, &from->services[i], &to->services[i])) {
            return false;
        }
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

/* ---- loading, with the per-process cache ------------------------------------------------- */

static pthread_mutex_t config_cache_lock = PTHREAD_MUTEX_INITIALIZER;

static struct {
    const struct store *store; /* whose config it is */
    int64_t version;
    bool loaded;
    struct arena arena;
    struct app_routing_config config;
} config_cache;

/* Reads settings (over the defaults), every carrier's services and the hold-backs. */
static enum err_code config_read(struct app_ctx *ctx, struct store_conn *conn,
                                 struct app_routing_config *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    routing_settings_default(&out->settings);
    enum err_code code = store_routing_settings_get(conn, &out->settings, err);
    struct routing_carrier *carriers = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = store_carrier_list(conn, ctx->arena, &carriers, &count, err);
    }
    if (code == ERR_OK) {
        code = store_routing_hold_back_list(conn, ctx->arena, &out->hold_backs,
                                            &out->hold_backs_count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    size_t total = 0;
    for (size_t c = 0; c < count; c++) {
        total += carriers[c].services_count;
    }
    out->services = ARENA_NEW_ARRAY(ctx->arena, struct routing_service, total + 1);
    if (out->services == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t c = 0; c < count; c++) {
        for (size_t s = 0; s < carriers[c].services_count; s++) {
            out->services[out->services_count++] = carriers[c].services[s];
        }
    }
    return ERR_OK;
}

/* Copies the cached config into ctx->arena when it is of this store and version. */
static bool config_cache_get(struct app_ctx *ctx, int64_t version, struct app_routing_config *out)
{
    pthread_mutex_lock(&config_cache_lock);
    bool hit = config_cache.loaded && config_cache.store == ctx->app->store &&
               config_cache.version == version &&
               config_copy(ctx->arena, &config_cache.config, out);
    pthread_mutex_unlock(&config_cache_lock);
    return hit;
}

static void config_cache_put(struct app_ctx *ctx, int64_t version,
                             const struct app_routing_config *config)
{
    pthread_mutex_lock(&config_cache_lock);
    if (config_cache.arena.cap_bytes == 0) {
        arena_init(&config_cache.arena, (size_t)4 << 20);
    }
    arena_reset(&config_cache.arena);
    config_cache.loaded = config_copy(&config_cache.arena, config, &config_cache.config);
    config_cache.store = ctx->app->store;
    config_cache.version = version;
    pthread_mutex_unlock(&config_cache_lock);
}

enum err_code app_routing_config_load(struct app_ctx *ctx, struct store_conn *conn,
                                      struct app_routing_config *out, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(out != NULL);
    int64_t version = 0;
    enum err_code code = store_routing_version(conn, &version, err);
    if (code != ERR_OK) {
        return code;
    }
    return app_routing_config_load_at(ctx, conn, version, out, err);
}

enum err_code app_routing_config_load_at(struct app_ctx *ctx, struct store_conn *conn,
                                         int64_t version, struct app_routing_config *out,
                                         struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(out != NULL);
    if (config_cache_get(ctx, version, out)) {
        return ERR_OK;
    }
    enum err_code code = config_read(ctx, conn, out, err);
    if (code == ERR_OK) {
        config_cache_put(ctx, version, out);
    }
    return code;
}

int64_t app_routing_hold_back(const struct app_routing_config *config, const char *channel)
{
    ASSERT(config != NULL);
    ASSERT(config->hold_backs != NULL || config->hold_backs_count == 0);
    for (size_t i = 0; channel != NULL && i < config->hold_backs_count; i++) {
        if (strcmp(config->hold_backs[i].channel, channel) == 0) {
            return config->hold_backs[i].units;
        }
    }
    return 0;
}

static int capacity_used_compare(const void *key, const void *element)
{
    int64_t row_id = *(const int64_t *)key;
    int64_t other = ((const struct routing_location_used *)element)->location_row_id;
    return (row_id > other) - (row_id < other);
}

/* The shipments of location_row_id among used[0..count) (ordered by location row id), or 0. */
static int64_t capacity_used_of(const struct routing_location_used *used, size_t count,
                                int64_t location_row_id)
{
    const struct routing_location_used *found =
        count > 0 ? bsearch(&location_row_id, used, count, sizeof(*used), capacity_used_compare)
                  : NULL;
    return found != NULL ? found->shipments : 0;
}

bool app_routing_capacity_read(const struct app_ctx *ctx, const struct location *locations,
                               size_t count, int64_t *since_ms)
{
    ASSERT(ctx != NULL && since_ms != NULL);
    ASSERT(locations != NULL || count == 0);
    *since_ms = date_day_start_ms(ctx->now_ms);
    for (size_t i = 0; i < count; i++) {
        if (locations[i].capacity_per_day > 0) {
            return true;
        }
    }
    return false;
}

/* left[i] from the counts: a location's capacity less what it took. */
static void capacity_left_from(const struct location *locations, size_t count,
                               const struct routing_location_used *used, size_t used_count,
                               int64_t *left)
{
    for (size_t i = 0; i < count; i++) {
        const struct location *location = &locations[i];
        if (location->capacity_per_day > 0) {
            left[i] =
                location->capacity_per_day - capacity_used_of(used, used_count, location->row_id);
        }
    }
}

/* What app_routing_capacity_left_all and _recent ask: recent, the process's copy may do. */
struct capacity_ask {
    const struct location *locations;
    size_t count;
    bool recent;
};

static enum err_code capacity_left(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct capacity_ask *ask, int64_t *left, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT((ask->locations != NULL && left != NULL) || ask->count == 0);
    for (size_t i = 0; i < ask->count; i++) {
        left[i] = INT64_MAX;
    }
    int64_t since_ms = 0;
    if (!app_routing_capacity_read(ctx, ask->locations, ask->count, &since_ms)) {
        return ERR_OK;
    }
    struct routing_location_used *used = NULL;
    size_t used_count = 0;
    if (!ask->recent || !app_ref_used_get(ctx, since_ms, &used, &used_count)) {
        enum err_code code =
            store_routing_shipments_since_all(conn, ctx->arena, since_ms, &used, &used_count, err);
        if (code != ERR_OK) {
            return code;
        }
        if (ask->recent) {
            app_ref_used_put(ctx, since_ms, used, used_count);
        }
    }
    capacity_left_from(ask->locations, ask->count, used, used_count, left);
    return ERR_OK;
}

enum err_code app_routing_capacity_left_all(struct app_ctx *ctx, struct store_conn *conn,
                                            const struct location *locations, size_t count,
                                            int64_t *left, struct err *err)
{
    const struct capacity_ask ask = {.locations = locations, .count = count};
    return capacity_left(ctx, conn, &ask, left, err);
}

enum err_code app_routing_capacity_left_recent(struct app_ctx *ctx, struct store_conn *conn,
                                               const struct location *locations, size_t count,
                                               int64_t *left, struct err *err)
{
    const struct capacity_ask ask = {.locations = locations, .count = count, .recent = true};
    return capacity_left(ctx, conn, &ask, left, err);
}

/* ---- carriers ---------------------------------------------------------------------------- */

static enum err_code carrier_put_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct app_carrier_result *out = write->arg;
    enum err_code code = store_carrier_put(conn, &out->carrier, &out->created, err);
    write->result = out;
    return code;
}

enum err_code app_carrier_put(struct app_ctx *ctx, const struct routing_carrier *input,
                              struct app_idempotency *idem, struct app_carrier_result *out,
                              struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_ROUTING_WRITE, err);
    if (code == ERR_OK) {
        code = routing_carrier_validate(input, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    memset(out, 0, sizeof(*out));
    out->carrier = *input;
    out->carrier.created_at_ms = ctx->now_ms;
    out->carrier.updated_at_ms = ctx->now_ms;
    for (size_t i = 0; i < out->carrier.services_count; i++) {
        out->carrier.services[i].carrier = out->carrier.code;
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = carrier_put_run, .arg = out};
    return app_write_run(&write, err);
}

enum err_code app_carrier_list(struct app_ctx *ctx, struct routing_carrier **out, size_t *count,
                               struct err *err)
{
    ASSERT(ctx != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = app_require(ctx, PERM_ROUTING_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_carrier_list(conn, ctx->arena, out, count, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* ---- settings ---------------------------------------------------------------------------- */

static enum err_code settings_read(struct app_ctx *ctx, struct store_conn *conn,
                                   struct app_routing_settings *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    routing_settings_default(&out->settings);
    enum err_code code = store_routing_settings_get(conn, &out->settings, err);
    if (code == ERR_OK) {
        code = store_routing_hold_back_list(conn, ctx->arena, &out->hold_backs,
                                            &out->hold_backs_count, err);
    }
    return code;
}

enum err_code app_routing_settings_get(struct app_ctx *ctx, struct app_routing_settings *out,
                                       struct err *err)
{
    ASSERT(ctx != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_ROUTING_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = settings_read(ctx, conn, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

struct settings_put_arg {
    const struct app_routing_settings *input;
    struct app_routing_settings *out;
};

/* Every hold-back names a known channel, once. */
static enum err_code settings_check_channels(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct app_routing_settings *input,
                                             struct err *err)
{
    for (size_t i = 0; i < input->hold_backs_count; i++) {
        const struct routing_hold_back *hold = &input->hold_backs[i];
        struct channel channel;
        enum err_code code = store_channel_get(conn, ctx->arena, hold->channel, &channel, err);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, "channel_hold_back", "unknown channel '%s'",
                           hold->channel);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* Applies the fields given over what is stored, validates, stores. */
static enum err_code settings_put_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    struct settings_put_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    const struct app_routing_settings *input = arg->input;
    enum err_code code = settings_read(ctx, conn, arg->out, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < routing_settings_names_count; i++) {
        if ((input->present & (1u << i)) != 0) {
            struct routing_settings copy = input->settings;
            *routing_settings_at(&arg->out->settings, i) = *routing_settings_at(&copy, i);
        }
    }
    code = routing_settings_validate(&arg->out->settings, err);
    if (code == ERR_OK) {
        code = store_routing_settings_put(conn, &arg->out->settings, err);
    }
    if (code == ERR_OK && input->hold_backs_present) {
        code = settings_check_channels(ctx, conn, input, err);
        if (code == ERR_OK) {
            code = store_routing_hold_back_replace(conn, input->hold_backs, input->hold_backs_count,
                                                   err);
        }
        arg->out->hold_backs = input->hold_backs;
        arg->out->hold_backs_count = input->hold_backs_count;
    }
    write->result = arg->out;
    return code;
}

enum err_code app_routing_settings_put(struct app_ctx *ctx,
                                       const struct app_routing_settings *input,
                                       struct app_routing_settings *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_ROUTING_WRITE, err);
    for (size_t i = 0; code == ERR_OK && i < input->hold_backs_count; i++) {
        const struct routing_hold_back *hold = &input->hold_backs[i];
        if (hold->units < 0 || hold->units > STOCK_QTY_MAX) {
            code = err_set(err, ERR_INVALID, "channel_hold_back",
                           "units held back from '%s' must be between 0 and %lld, got %" PRId64,
                           hold->channel, STOCK_QTY_MAX, hold->units);
        }
        for (size_t j = 0; code == ERR_OK && j < i; j++) {
            if (strcmp(input->hold_backs[j].channel, hold->channel) == 0) {
                code = err_set(err, ERR_INVALID, "channel_hold_back", "channel '%s' appears twice",
                               hold->channel);
            }
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    struct settings_put_arg arg = {.input = input, .out = out};
    struct app_write write = {.ctx = ctx, .idem = NULL, .run = settings_put_run, .arg = &arg};
    return app_write_run(&write, err);
}
