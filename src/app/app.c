/*
 * app.c — opening and closing the application, and the shared write and read paths. A write
 * use case never touches the store outside app_write_run(); a read never waits for the
 * writer (SQLite WAL readers).
 */
#include "app/app.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "core/geo.h"
#include "core/limits.h"
#include "lib/clock.h"
#include "lib/json.h"
#include "lib/log.h"

#define APP_READERS_DEFAULT 16

enum err_code app_open(const struct app_options *options, struct app **out, struct err *err)
{
    ASSERT(options != NULL && options->db_path != NULL);
    ASSERT(out != NULL);
    if (id_init() != ERR_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "cannot initialise libsodium");
    }
    struct app *app = calloc(1, sizeof(*app));
    if (app == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    struct store_options store_options = {
        .path = options->db_path,
        .synchronous_full = options->synchronous_full,
        .readers_max = options->readers_max > 0 ? options->readers_max : APP_READERS_DEFAULT,
    };
    enum err_code code = store_open(&store_options, &app->store, err);
    if (code == ERR_OK && !options->no_migrate) {
        code = app_migrate(app, err);
    }
    if (code == ERR_OK) {
        code = app_keys_init(app, err);
    }
    if (code == ERR_OK) {
        code = app_ref_cache_init(app, err);
    }
    if (code == ERR_OK) {
        code = writer_start(app->store, !options->no_writer, &app->writer, err);
    }
    if (code != ERR_OK) {
        app_close(app);
        return code;
    }
    *out = app;
    return ERR_OK;
}

void app_close(struct app *app)
{
    if (app == NULL) {
        return;
    }
    writer_stop(app->writer);
    app_keys_free(app);
    app_ref_cache_free(app);
    if (app->store != NULL) {
        store_close(app->store);
    }
    free(app);
}

enum err_code app_migrate(struct app *app, struct err *err)
{
    ASSERT(app != NULL);
    ASSERT(app->store != NULL);
    return store_migrate(app->store, clock_now_ms(), err);
}

enum err_code app_migrations(struct app_ctx *ctx, struct store_migration **out, size_t *count,
                             struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    return store_migrations(ctx->app->store, ctx->arena, out, count, err);
}

static const char *const permission_names[PERM_COUNT] = {
    [PERM_ORDERS_CREATE] = "create orders",
    [PERM_ORDERS_READ] = "read orders",
    [PERM_ORDERS_MANAGE] = "manage orders",
    [PERM_CATALOG_READ] = "read the catalog",
    [PERM_CATALOG_WRITE] = "change the catalog",
    [PERM_INVENTORY_READ] = "read inventory",
    [PERM_INVENTORY_WRITE] = "change inventory",
    [PERM_CUSTOMERS_READ] = "read customers",
    [PERM_CUSTOMERS_WRITE] = "change customers",
    [PERM_FULFILLMENT] = "fulfil shipments",
    [PERM_METRICS_READ] = "read metrics",
    [PERM_METRICS_WRITE] = "record metrics inputs",
    [PERM_ADMIN] = "administer",
    [PERM_ROUTING_READ] = "read routing settings",
    [PERM_ROUTING_WRITE] = "change routing settings",
    [PERM_PAYMENTS_REFUND] = "refund payments",
};

enum err_code app_require(const struct app_ctx *ctx, enum permission perm, struct err *err)
{
    ASSERT(ctx != NULL && ctx->principal != NULL);
    ASSERT(perm < PERM_COUNT);
    if (auth_role_allows(ctx->principal->role, perm)) {
        return ERR_OK;
    }
    return err_set(err, ERR_FORBIDDEN, NULL, "role %s may not %s", role_name(ctx->principal->role),
                   permission_names[perm]);
}

/* The writer command behind app_write_run: idempotency look-up, the use case, the record. */
static enum err_code app_write_command(struct store_conn *conn, void *arg, struct err *err)
{
    struct app_write *write = arg;
    struct app_idempotency *idem = write->idem;
    struct app_ctx *ctx = write->ctx;
    bool keyed = idem != NULL && idem->key != NULL;
    const char *scope = ctx->principal->key_id != NULL ? ctx->principal->key_id : "";
    if (keyed) {
        struct idempotency_record found;
        enum err_code code = store_idempotency_get(conn, ctx->arena, scope, idem->key, &found, err);
        if (code == ERR_OK) {
            if (!id_equal_secret(found.request_hash, idem->request_hash, ID_HASH_BYTES)) {
                return err_set_reason(err, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
                                      "idempotency key was already used with another request");
            }
            idem->replayed = true;
            idem->status = found.status;
            idem->body = found.body;
            return ERR_OK;
        }
        if (code != ERR_NOT_FOUND) {
            return code;
        }
        err_clear(err);
    }
    enum err_code code = write->run(write, conn, err);
    if (code != ERR_OK || !keyed) {
        return code;
    }
    ASSERT(idem->render != NULL);
    struct buf body;
    buf_init(&body, RESPONSE_BYTES_MAX);
    int status = 200;
    code = idem->render(write->result, &body, &status);
    if (code != ERR_OK) {
        buf_release(&body);
        return err_set(err, code, NULL, "cannot render the answer to keep it");
    }
    struct idempotency_record record = {
        .scope = scope,
        .key = idem->key,
        .status = status,
        .body = body.ptr,
        .created_at_ms = ctx->now_ms,
    };
    memcpy(record.request_hash, idem->request_hash, ID_HASH_BYTES);
    code = store_idempotency_insert(conn, &record, err);
    idem->status = status;
    idem->body = arena_strndup(ctx->arena, body.ptr, body.len);
    buf_release(&body);
    if (code == ERR_OK && idem->body == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "answer too large for the request memory");
    }
    return code;
}

enum err_code app_write_run(struct app_write *write, struct err *err)
{
    ASSERT(write != NULL && write->ctx != NULL);
    ASSERT(write->run != NULL);
    if (write->idem != NULL) {
        write->idem->replayed = false;
        write->idem->body = NULL;
    }
    return writer_run(write->ctx->app->writer, app_write_command, write, err);
}

enum err_code app_read_begin(struct app_ctx *ctx, struct store_conn **conn, struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL);
    ASSERT(conn != NULL);
    enum err_code code = store_reader_acquire(ctx->app->store, conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_begin_read(*conn, err);
    if (code != ERR_OK) {
        store_reader_release(ctx->app->store, *conn);
        *conn = NULL;
    }
    return code;
}

void app_read_end_for_write(struct app_ctx *ctx, struct store_conn *conn)
{
    ASSERT(ctx != NULL);
    if (conn == NULL) {
        return;
    }
    store_rollback(conn);
    store_reader_release(ctx->app->store, conn);
}

void app_read_end(struct app_ctx *ctx, struct store_conn *conn)
{
    ASSERT(ctx != NULL);
    if (conn == NULL) {
        return;
    }
    app_read_end_for_write(ctx, conn);
    writer_wait_durable(ctx->app->writer);
}

enum err_code app_event_add(struct store_conn *conn, struct app_ctx *ctx, const char *entity_id,
                            const char *kind, const char *data_json, struct err *err)
{
    ASSERT(conn != NULL && ctx != NULL);
    ASSERT(entity_id != NULL && kind != NULL);
    const char *dot = strchr(kind, '.');
    ASSERT(dot != NULL && dot > kind);
    const char *entity_type = arena_strndup(ctx->arena, kind, (size_t)(dot - kind));
    if (entity_type == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct event event = {
        .entity_type = entity_type,
        .entity_id = entity_id,
        .kind = kind,
        .data_json = data_json != NULL ? data_json : "{}",
        .created_at_ms = ctx->now_ms,
    };
    return store_event_insert(conn, &event, err);
}

char *app_email_normalize(struct arena *arena, const char *email)
{
    ASSERT(arena != NULL);
    char *copy = arena_strdup(arena, email);
    for (char *p = copy; p != NULL && *p != '\0'; p++) {
        *p = (char)tolower((unsigned char)*p);
    }
    return copy;
}

bool app_geocode(struct address *address)
{
    ASSERT(address != NULL);
    if (address->has_coords) {
        return true;
    }
    if (address->postal_code == NULL ||
        (address->country != NULL && strcmp(address->country, "US") != 0)) {
        return false;
    }
    const struct geo_postal *row =
        geo_postal_find(geo_postal_rows, geo_postal_rows_count, address->postal_code);
    if (row == NULL) {
        return false;
    }
    address->lat = (double)row->lat;
    address->lon = (double)row->lon;
    address->has_coords = true;
    return true;
}
