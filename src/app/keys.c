/*
 * keys.c — API keys. A key is "ordo_<prefix>_<secret>": the prefix finds the row, only a
 * BLAKE2b hash of the secret is stored, and the check is constant-time. Keys are random
 * 190-bit strings, so a fast hash is the right tool (a password hash would cost ~70 ms per
 * request). Verified keys are cached in memory; a revoked key is never cached past restart.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/str.h"

#define KEY_PREFIX_LEN   12
#define KEY_SECRET_LEN   32
#define KEY_CACHE_SLOTS  1024
#define KEY_TEXT_LEN_MAX (5 + KEY_PREFIX_LEN + 1 + KEY_SECRET_LEN)

struct app_key_entry {
    bool used;
    char prefix[KEY_PREFIX_LEN + 1];
    unsigned char secret_hash[ID_HASH_BYTES];
    enum role role;
    char key_id[ID_LEN_MAX];
    char *scope_channel; /* malloc'ed or NULL */
    char *scope_location;
    char *scope_customer;
};

struct app_key_cache {
    pthread_mutex_t mutex;
    struct app_key_entry slots[KEY_CACHE_SLOTS];
};

enum err_code app_keys_init(struct app *app, struct err *err)
{
    ASSERT(app != NULL);
    ASSERT(app->keys == NULL);
    app->keys = calloc(1, sizeof(*app->keys));
    if (app->keys == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    pthread_mutex_init(&app->keys->mutex, NULL);
    return ERR_OK;
}

void app_keys_free(struct app *app)
{
    ASSERT(app != NULL);
    if (app->keys == NULL) {
        return;
    }
    for (size_t i = 0; i < KEY_CACHE_SLOTS; i++) {
        free(app->keys->slots[i].scope_channel);
        free(app->keys->slots[i].scope_location);
        free(app->keys->slots[i].scope_customer);
    }
    pthread_mutex_destroy(&app->keys->mutex);
    free(app->keys);
    app->keys = NULL;
}

static size_t keys_slot(const char *prefix)
{
    uint64_t h = 1469598103934665603ull;
    for (const char *p = prefix; *p != '\0'; p++) {
        h = (h ^ (unsigned char)*p) * 1099511628211ull;
    }
    return (size_t)(h % KEY_CACHE_SLOTS);
}

static bool keys_is_alnum(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))) {
            return false;
        }
    }
    return true;
}

/* Splits "ordo_<prefix>_<secret>"; false when the form is wrong. */
static bool keys_split(const char *token, char prefix[KEY_PREFIX_LEN + 1], const char **secret)
{
    if (token == NULL || strlen(token) != KEY_TEXT_LEN_MAX || strncmp(token, "ordo_", 5) != 0 ||
        token[5 + KEY_PREFIX_LEN] != '_') {
        return false;
    }
    if (!keys_is_alnum(token + 5, KEY_PREFIX_LEN) ||
        !keys_is_alnum(token + 6 + KEY_PREFIX_LEN, KEY_SECRET_LEN)) {
        return false;
    }
    memcpy(prefix, token + 5, KEY_PREFIX_LEN);
    prefix[KEY_PREFIX_LEN] = '\0';
    *secret = token + 6 + KEY_PREFIX_LEN;
    return true;
}

/* Copies a cached entry's principal into the arena; false when out of arena memory. */
static bool keys_fill_principal(struct arena *arena, const struct app_key_entry *entry,
                                struct principal *out)
{
    memset(out, 0, sizeof(*out));
    out->role = entry->role;
    out->key_id = arena_strdup(arena, entry->key_id);
    out->scope_channel = arena_strdup(arena, entry->scope_channel);
    out->scope_location = arena_strdup(arena, entry->scope_location);
    out->scope_customer = arena_strdup(arena, entry->scope_customer);
    return out->key_id != NULL;
}

/* Looks the prefix up in the cache; true and *out filled when present and the hash matches. */
static bool keys_cache_find(struct app *app, struct arena *arena, const char *prefix,
                            const unsigned char hash[ID_HASH_BYTES], struct principal *out,
                            bool *mismatch)
{
    struct app_key_cache *cache = app->keys;
    bool found = false;
    pthread_mutex_lock(&cache->mutex);
    struct app_key_entry *entry = &cache->slots[keys_slot(prefix)];
    if (entry->used && strcmp(entry->prefix, prefix) == 0) {
        if (id_equal_secret(entry->secret_hash, hash, ID_HASH_BYTES)) {
            found = keys_fill_principal(arena, entry, out);
        } else {
            *mismatch = true;
        }
    }
    pthread_mutex_unlock(&cache->mutex);
    return found;
}

static char *keys_strdup_or_null(const char *s)
{
    return s == NULL ? NULL : strdup(s);
}

static void keys_cache_put(struct app *app, const struct api_key *key)
{
    struct app_key_cache *cache = app->keys;
    pthread_mutex_lock(&cache->mutex);
    struct app_key_entry *entry = &cache->slots[keys_slot(key->prefix)];
    free(entry->scope_channel);
    free(entry->scope_location);
    free(entry->scope_customer);
    memset(entry, 0, sizeof(*entry));
    entry->used = true;
    str_copy(entry->prefix, sizeof(entry->prefix), key->prefix);
    memcpy(entry->secret_hash, key->secret_hash, ID_HASH_BYTES);
    entry->role = key->role;
    str_copy(entry->key_id, sizeof(entry->key_id), key->id);
    entry->scope_channel = keys_strdup_or_null(key->scope_channel);
    entry->scope_location = keys_strdup_or_null(key->scope_location);
    entry->scope_customer = keys_strdup_or_null(key->scope_customer);
    pthread_mutex_unlock(&cache->mutex);
}

enum err_code app_authenticate(struct app *app, struct arena *arena, const char *token,
                               struct principal *out, struct err *err)
{
    ASSERT(app != NULL && arena != NULL);
    ASSERT(out != NULL);
    char prefix[KEY_PREFIX_LEN + 1];
    const char *secret = NULL;
    if (!keys_split(token, prefix, &secret)) {
        return err_set(err, ERR_AUTH, "Authorization", "invalid API key");
    }
    unsigned char hash[ID_HASH_BYTES];
    id_hash(hash, secret, KEY_SECRET_LEN);
    bool mismatch = false;
    if (keys_cache_find(app, arena, prefix, hash, out, &mismatch)) {
        return ERR_OK;
    }
    if (mismatch) {
        return err_set(err, ERR_AUTH, "Authorization", "invalid API key");
    }
    struct app_ctx ctx = {.app = app, .arena = arena};
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(&ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct api_key key;
    code = store_api_key_get_by_prefix(conn, arena, prefix, &key, err);
    app_read_end(&ctx, conn);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK &&
         (key.revoked_at_ms != 0 || !id_equal_secret(key.secret_hash, hash, ID_HASH_BYTES)))) {
        return err_set(err, ERR_AUTH, "Authorization", "invalid API key");
    }
    if (code != ERR_OK) {
        return code;
    }
    keys_cache_put(app, &key);
    memset(out, 0, sizeof(*out));
    out->role = key.role;
    out->key_id = key.id;
    out->scope_channel = key.scope_channel;
    out->scope_location = key.scope_location;
    out->scope_customer = key.scope_customer;
    return ERR_OK;
}

struct keys_create_arg {
    struct api_key key;
};

/* Checks that the scope names something that exists and fits the role, then inserts. */
static enum err_code keys_create_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct keys_create_arg *arg = write->arg;
    struct api_key *key = &arg->key;
    struct arena *arena = write->ctx->arena;
    enum err_code code = ERR_OK;
    if (key->scope_channel != NULL) {
        struct channel channel;
        code = store_channel_get(conn, arena, key->scope_channel, &channel, err);
    } else if (key->scope_location != NULL) {
        struct location location;
        code = store_location_get(conn, arena, key->scope_location, &location, err);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_INVALID, "scope", "no channel or location with that code");
    }
    if (code != ERR_OK) {
        return code;
    }
    return store_api_key_insert(conn, key, err);
}

/* The scope a role needs: which of channel, location, customer; ERR_INVALID when it misfits. */
static enum err_code keys_scope(enum role role, const char *scope, struct api_key *key,
                                struct arena *arena, struct err *err)
{
    bool needs = role == ROLE_CHANNEL || role == ROLE_WAREHOUSE || role == ROLE_CUSTOMER;
    if (needs && (scope == NULL || scope[0] == '\0')) {
        return err_set(err, ERR_INVALID, "scope", "role %s needs a scope", role_name(role));
    }
    if (!needs && scope != NULL) {
        return err_set(err, ERR_INVALID, "scope", "role %s takes no scope", role_name(role));
    }
    if (role == ROLE_CUSTOMER) {
        if (!order_email_is_valid(scope)) {
            return err_set(err, ERR_INVALID, "scope", "invalid customer e-mail '%s'", scope);
        }
        key->scope_customer = app_email_normalize(arena, scope);
    } else if (role == ROLE_CHANNEL) {
        key->scope_channel = scope;
    } else if (role == ROLE_WAREHOUSE) {
        key->scope_location = scope;
    }
    return ERR_OK;
}

enum err_code app_key_create(struct app_ctx *ctx, enum role role, const char *scope,
                             const char *name, const char **key_out, struct err *err)
{
    ASSERT(ctx != NULL && key_out != NULL);
    ASSERT(role < ROLE_COUNT);
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    if (name != NULL && strlen(name) > NAME_LEN_MAX) {
        return err_set(err, ERR_INVALID, "name", "name longer than %d characters", NAME_LEN_MAX);
    }
    struct keys_create_arg arg;
    memset(&arg, 0, sizeof(arg));
    code = keys_scope(role, scope, &arg.key, ctx->arena, err);
    if (code != ERR_OK) {
        return code;
    }
    char id[ID_LEN_MAX];
    id_new(id, "key", ctx->now_ms);
    char prefix[KEY_PREFIX_LEN + 1];
    char secret[KEY_SECRET_LEN + 1];
    id_random_alnum(prefix, KEY_PREFIX_LEN);
    id_random_alnum(secret, KEY_SECRET_LEN);
    arg.key.id = arena_strdup(ctx->arena, id);
    arg.key.prefix = arena_strdup(ctx->arena, prefix);
    id_hash(arg.key.secret_hash, secret, KEY_SECRET_LEN);
    arg.key.role = role;
    arg.key.name = name;
    arg.key.created_at_ms = ctx->now_ms;
    char *text = arena_sprintf(ctx->arena, "ordo_%s_%s", prefix, secret);
    if (arg.key.id == NULL || arg.key.prefix == NULL || text == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct app_write write = {.ctx = ctx, .run = keys_create_run, .arg = &arg};
    code = app_write_run(&write, err);
    if (code == ERR_OK) {
        *key_out = text;
    }
    return code;
}
