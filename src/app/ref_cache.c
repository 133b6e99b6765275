/*
 * ref_cache.c — the per-process copies of reference data that order capture needs on every
 * request and that rarely changes. The locations are kept with the locations version they were
 * read at (a trigger moves it on with any change, by any process); a caller passes the version
 * it read in its own snapshot, so a copy is used only while it is the stored one. Channels are
 * never deleted: one found stays known for the life of the process. Callers get copies in their
 * arena; the cache's own data change only under its locks.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "core/limits.h"

/* Channels remembered as known; more are asked of the store each time. */
#define REF_CHANNELS_MAX 64

struct app_ref_cache {
    pthread_rwlock_t lock;      /* guards the locations */
    struct arena arena;         /* holds the locations' copy */
    int64_t locations_version;  /* 0: no copy */
    struct location *locations; /* ordered by code, as store_location_list */
    size_t locations_count;
    pthread_mutex_t channels_lock; /* guards the channels */
    char channels[REF_CHANNELS_MAX][CODE_LEN_MAX + 1];
    size_t channels_count;
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
    return ERR_OK;
}

void app_ref_cache_free(struct app *app)
{
    ASSERT(app != NULL);
    if (app->refs == NULL) {
        return;
    }
    arena_release(&app->refs->arena);
    pthread_rwlock_destroy(&app->refs->lock);
    pthread_mutex_destroy(&app->refs->channels_lock);
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
