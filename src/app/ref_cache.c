/*
 * ref_cache.c — the per-process copies of reference data that order capture needs on every
 * request and that rarely changes. The locations are kept with the locations version they were
 * read at (a trigger moves it on with any change, by any process); a caller passes the version
 * it read in its own snapshot, so a copy is used only while it is the stored one. Products are
 * kept the same way, by SKU, under the products version (moved on by any change to a product or
 * a kit's components, migration 018): the products an order names are read cold otherwise, since
 * a reader's page cache is emptied by every commit. Channels are never deleted: one found stays
 * known for the life of the process. Callers get copies in their arena; the cache's own data
 * change only under its locks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/clock.h"

/* Channels remembered as known; more are asked of the store each time. */
#define REF_CHANNELS_MAX 64
/* Products kept (past it, the others are read each time) and their hash slots (a power of 2). */
#define REF_PRODUCTS_MAX   8192
#define REF_PRODUCTS_SLOTS 16384
#define REF_PRODUCTS_ARENA ((size_t)16 << 20)

struct app_ref_cache {
    pthread_rwlock_t lock;      /* guards the locations */
    struct arena arena;         /* holds the locations' copy */
    int64_t locations_version;  /* 0: no copy */
    struct location *locations; /* ordered by code, as store_location_list */
    size_t locations_count;
    pthread_mutex_t channels_lock; /* guards the channels */
    char channels[REF_CHANNELS_MAX][CODE_LEN_MAX + 1];
    size_t channels_count;
    pthread_rwlock_t products_lock; /* guards the products */
    struct arena products_arena;    /* holds the products' strings and components */
    int64_t products_version;       /* 0: none kept */
    struct product products[REF_PRODUCTS_MAX];
    size_t products_count;
    uint16_t product_slots[REF_PRODUCTS_SLOTS]; /* index in products + 1; 0: empty */
    pthread_mutex_t used_lock;                  /* guards the shipment counts below */
    int64_t used_since_ms;                      /* the day they count from; 0: none kept */
    int64_t used_read_ns;                       /* clock_monotonic_ns() when read */
    struct routing_location_used used[LOCATIONS_MAX];
    size_t used_count;
};

enum err_code app_ref_cache_init(struct app *app, struct err *err)
{
    ASSERT(app != NULL);
    ASSERT(app->refs == NULL);
    app->refs = calloc(1, sizeof(*app->refs));
    if (app->refs == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    pthread_rwlock_init(&app->refs->lock, NULL);
    pthread_mutex_init(&app->refs->channels_lock, NULL);
    arena_init(&app->refs->arena, (size_t)4 << 20);
    pthread_rwlock_init(&app->refs->products_lock, NULL);
    arena_init(&app->refs->products_arena, REF_PRODUCTS_ARENA);
    pthread_mutex_init(&app->refs->used_lock, NULL);
    return ERR_OK;
}

void app_ref_cache_free(struct app *app)
{
    ASSERT(app != NULL);
    if (app->refs == NULL) {
        return;
    }
    arena_release(&app->refs->arena);
    arena_release(&app->refs->products_arena);
    pthread_rwlock_destroy(&app->refs->products_lock);
    pthread_rwlock_destroy(&app->refs->lock);
    pthread_mutex_destroy(&app->refs->channels_lock);
    pthread_mutex_destroy(&app->refs->used_lock);
    free(app->refs);
    app->refs = NULL;
}

/* A copy of text in arena; false when the arena is full (NULL copies as NULL). */
static bool ref_text_copy(struct arena *arena, const char **text)
{
    if (*text == NULL) {
        return true;
    }
    *text = arena_strdup(arena, *text);
    return *text != NULL;
}

/* Copies locations[0..count) with their strings into arena; NULL when it is full. */
static struct location *ref_locations_copy(struct arena *arena, const struct location *locations,
                                           size_t count)
{
    struct location *copy = ARENA_NEW_ARRAY(arena, struct location, count + 1);
    if (copy == NULL) {
        return NULL;
    }
    for (size_t i = 0; i < count; i++) {
        copy[i] = locations[i];
        struct address *a = &copy[i].address;
        const char **texts[] = {&copy[i].code,   &copy[i].name, &a->name, &a->company,
                                &a->line1,       &a->line2,     &a->city, &a->region,
                                &a->postal_code, &a->country,   &a->phone};
        for (size_t t = 0; t < ARRAY_LEN(texts); t++) {
            if (!ref_text_copy(arena, texts[t])) {
                return NULL;
            }
        }
    }
    return copy;
}

/* The cached locations copied into arena when their version is version; false on a miss. */
static bool ref_locations_get(struct app_ref_cache *refs, struct arena *arena, int64_t version,
                              struct location **out, size_t *count)
{
    pthread_rwlock_rdlock(&refs->lock);
    bool hit = refs->locations_version != 0 && refs->locations_version == version;
    if (hit) {
        *out = ref_locations_copy(arena, refs->locations, refs->locations_count);
        *count = refs->locations_count;
        hit = *out != NULL;
    }
    pthread_rwlock_unlock(&refs->lock);
    return hit;
}

static void ref_locations_put(struct app_ref_cache *refs, int64_t version,
                              const struct location *locations, size_t count)
{
    pthread_rwlock_wrlock(&refs->lock);
    arena_reset(&refs->arena);
    refs->locations = ref_locations_copy(&refs->arena, locations, count);
    refs->locations_count = refs->locations != NULL ? count : 0;
    refs->locations_version = refs->locations != NULL ? version : 0;
    pthread_rwlock_unlock(&refs->lock);
}

enum err_code app_ref_locations(struct app_ctx *ctx, struct store_conn *conn, int64_t version,
                                struct location **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL && ctx->app->refs != NULL);
    ASSERT(conn != NULL && out != NULL && count != NULL);
    struct app_ref_cache *refs = ctx->app->refs;
    if (ref_locations_get(refs, ctx->arena, version, out, count)) {
        return ERR_OK;
    }
    *out = NULL;
    *count = 0;
    enum err_code code = store_location_list(conn, ctx->arena, out, count, err);
    if (code == ERR_OK && version != 0) {
        ref_locations_put(refs, version, *out, *count);
    }
    return code;
}

/* A copy of product with its strings and components in arena; false when it is full. */
static bool ref_product_copy(struct arena *arena, const struct product *product,
                             struct product *out)
{
    *out = *product;
    const char **texts[] = {&out->sku, &out->name, &out->currency, &out->dropship_supplier,
                            &out->bin_location};
    for (size_t t = 0; t < ARRAY_LEN(texts); t++) {
        if (!ref_text_copy(arena, texts[t])) {
            return false;
        }
    }
    if (product->components_count == 0) {
        out->components = NULL;
        return true;
    }
    out->components = ARENA_NEW_ARRAY(arena, struct kit_component, product->components_count);
    if (out->components == NULL) {
        return false;
    }
    for (size_t c = 0; c < product->components_count; c++) {
        out->components[c] = product->components[c];
        if (!ref_text_copy(arena, &out->components[c].sku)) {
            return false;
        }
    }
    return true;
}

/* The hash slot of sku: where it is kept, or the empty slot where it would go. */
static size_t ref_product_slot(const struct app_ref_cache *refs, const char *sku)
{
    uint32_t hash = 2166136261u; /* FNV-1a */
    for (const unsigned char *c = (const unsigned char *)sku; *c != '\0'; c++) {
        hash = (hash ^ *c) * 16777619u;
    }
    size_t slot = hash & (REF_PRODUCTS_SLOTS - 1);
    while (refs->product_slots[slot] != 0 &&
           strcmp(refs->products[refs->product_slots[slot] - 1].sku, sku) != 0) {
        slot = (slot + 1) & (REF_PRODUCTS_SLOTS - 1); /* never full: twice the products kept */
    }
    return slot;
}

/* Copies the kept products of ask's SKUs into ask->out while version is theirs; the misses'
 * indexes go to missing (their count is returned). */
static size_t ref_products_get(struct app_ref_cache *refs, struct arena *arena, int64_t version,
                               const struct app_ref_skus *ask, size_t *missing)
{
    size_t misses = 0;
    pthread_rwlock_rdlock(&refs->products_lock);
    bool valid = version != 0 && refs->products_version == version;
    for (size_t i = 0; i < ask->count; i++) {
        size_t slot = valid ? ref_product_slot(refs, ask->skus[i]) : 0;
        struct product *out = &ask->out[i];
        if (!valid || refs->product_slots[slot] == 0 ||
            !ref_product_copy(arena, &refs->products[refs->product_slots[slot] - 1], out)) {
            memset(out, 0, sizeof(*out));
            missing[misses++] = i;
        }
    }
    pthread_rwlock_unlock(&refs->products_lock);
    return misses;
}

/* Keeps the products read at version (found ones only); a newer version starts over, an older
 * one (a snapshot taken before the last change) keeps nothing. */
static void ref_products_put(struct app_ref_cache *refs, int64_t version,
                             const struct product *products, size_t count)
{
    pthread_rwlock_wrlock(&refs->products_lock);
    if (version > refs->products_version) {
        arena_reset(&refs->products_arena);
        memset(refs->product_slots, 0, sizeof(refs->product_slots));
        refs->products_count = 0;
        refs->products_version = version;
    }
    for (size_t i = 0; refs->products_version == version && i < count; i++) {
        if (products[i].row_id == 0 || refs->products_count >= REF_PRODUCTS_MAX) {
            continue;
        }
        size_t slot = ref_product_slot(refs, products[i].sku);
        struct product *kept = &refs->products[refs->products_count];
        if (refs->product_slots[slot] != 0 ||
            !ref_product_copy(&refs->products_arena, &products[i], kept)) {
            continue; /* kept already, or the arena is full: read each time */
        }
        refs->products_count++;
        refs->product_slots[slot] = (uint16_t)refs->products_count;
    }
    pthread_rwlock_unlock(&refs->products_lock);
}

enum err_code app_ref_products(struct app_ctx *ctx, struct store_conn *conn, int64_t version,
                               const struct app_ref_skus *ask, struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL && ctx->app->refs != NULL);
    ASSERT(conn != NULL && ask != NULL);
    ASSERT(ask->count == 0 || (ask->skus != NULL && ask->out != NULL));
    struct app_ref_cache *refs = ctx->app->refs;
    size_t *missing = ARENA_NEW_ARRAY(ctx->arena, size_t, ask->count + 1);
    const char **missing_skus = ARENA_NEW_ARRAY(ctx->arena, const char *, ask->count + 1);
    struct product *read = ARENA_NEW_ARRAY(ctx->arena, struct product, ask->count + 1);
    if (missing == NULL || missing_skus == NULL || read == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t misses = ref_products_get(refs, ctx->arena, version, ask, missing);
    if (misses == 0) {
        return ERR_OK;
    }
    for (size_t m = 0; m < misses; m++) {
        missing_skus[m] = ask->skus[missing[m]];
    }
    enum err_code code = store_product_get_many(conn, ctx->arena, missing_skus, misses, read, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t m = 0; m < misses; m++) {
        ask->out[missing[m]] = read[m];
    }
    if (version != 0) {
        ref_products_put(refs, version, read, misses);
    }
    return ERR_OK;
}

/* True when code is among the channels remembered. */
static bool ref_channel_is_known(struct app_ref_cache *refs, const char *code)
{
    pthread_mutex_lock(&refs->channels_lock);
    bool known = false;
    for (size_t i = 0; !known && i < refs->channels_count; i++) {
        known = strcmp(refs->channels[i], code) == 0;
    }
    pthread_mutex_unlock(&refs->channels_lock);
    return known;
}

static void ref_channel_remember(struct app_ref_cache *refs, const char *code)
{
    size_t len = strlen(code);
    pthread_mutex_lock(&refs->channels_lock);
    if (len <= CODE_LEN_MAX && refs->channels_count < REF_CHANNELS_MAX) {
        memcpy(refs->channels[refs->channels_count], code, len + 1);
        refs->channels_count++;
    }
    pthread_mutex_unlock(&refs->channels_lock);
}

enum err_code app_ref_channel_check(struct app_ctx *ctx, struct store_conn *conn, const char *code,
                                    struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL && ctx->app->refs != NULL);
    ASSERT(conn != NULL && code != NULL);
    struct app_ref_cache *refs = ctx->app->refs;
    if (ref_channel_is_known(refs, code)) {
        return ERR_OK;
    }
    struct channel channel;
    enum err_code result = store_channel_get(conn, ctx->arena, code, &channel, err);
    if (result == ERR_OK) {
        ref_channel_remember(refs, code);
    }
    return result;
}

/* ---- shipments per location today (routing capacity) ------------------------------------- */

bool app_ref_used_get(struct app_ctx *ctx, int64_t since_ms, struct routing_location_used **out,
                      size_t *count)
{
    ASSERT(ctx != NULL && out != NULL && count != NULL);
    struct app_ref_cache *refs = ctx->app->refs;
    int64_t now_ns = clock_monotonic_ns();
    bool fresh = false;
    pthread_mutex_lock(&refs->used_lock);
    if (refs->used_since_ms == since_ms && since_ms != 0 &&
        now_ns - refs->used_read_ns < (int64_t)APP_REF_USED_TTL_MS * 1000000) {
        *out = ARENA_NEW_ARRAY(ctx->arena, struct routing_location_used, refs->used_count + 1);
        if (*out != NULL) {
            memcpy(*out, refs->used, refs->used_count * sizeof(refs->used[0]));
            *count = refs->used_count;
            fresh = true;
        }
    }
    pthread_mutex_unlock(&refs->used_lock);
    return fresh;
}

void app_ref_used_put(struct app_ctx *ctx, int64_t since_ms,
                      const struct routing_location_used *used, size_t count)
{
    ASSERT(ctx != NULL && (used != NULL || count == 0));
    struct app_ref_cache *refs = ctx->app->refs;
    if (count > ARRAY_LEN(refs->used)) {
        return; /* more locations than kept: read each time */
    }
    pthread_mutex_lock(&refs->used_lock);
    if (count > 0) {
        memcpy(refs->used, used, count * sizeof(used[0]));
    }
    refs->used_count = count;
    refs->used_since_ms = since_ms;
    refs->used_read_ns = clock_monotonic_ns();
    pthread_mutex_unlock(&refs->used_lock);
}
