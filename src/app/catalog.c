/*
 * catalog.c — channels, locations and products: the reference data orders are checked
 * against. Each create or update is one writer command with an event; reads use a reader.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/json.h"

/* ---- channels ---------------------------------------------------------------------------- */

static enum err_code channel_create_run(struct app_write *write, struct store_conn *conn,
                                        struct err *err)
{
    struct channel *channel = write->arg;
    enum err_code code = store_channel_insert(conn, channel, err);
    if (code == ERR_CONFLICT) {
        return err_set(err, ERR_CONFLICT, "code", "channel '%s' exists", channel->code);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = channel;
    return app_event_add(conn, write->ctx, channel->code, "channel.created", NULL, err);
}

enum err_code app_channel_create(struct app_ctx *ctx, const struct channel *input,
                                 struct app_idempotency *idem, struct channel *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_WRITE, err);
    if (code == ERR_OK) {
        code = channel_validate(input, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = *input;
    out->created_at_ms = ctx->now_ms;
    if (out->name == NULL) {
        out->name = out->code;
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = channel_create_run, .arg = out};
    return app_write_run(&write, err);
}

enum err_code app_channel_list(struct app_ctx *ctx, struct channel **out, size_t *count,
                               struct err *err)
{
    ASSERT(ctx != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_channel_list(conn, ctx->arena, out, count, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* ---- locations --------------------------------------------------------------------------- */

struct location_write_arg {
    struct location *location;
    int64_t expected_version;
};

static enum err_code location_create_run(struct app_write *write, struct store_conn *conn,
                                         struct err *err)
{
    struct location_write_arg *arg = write->arg;
    enum err_code code = store_location_insert(conn, arg->location, err);
    if (code == ERR_CONFLICT) {
        return err_set(err, ERR_CONFLICT, "code", "location '%s' exists", arg->location->code);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->location;
    return app_event_add(conn, write->ctx, arg->location->code, "location.created", NULL, err);
}

/* Validates and fills coordinates from the postal code when they are missing. */
static enum err_code location_prepare(struct location *location, struct err *err)
{
    enum err_code code = location_validate(location, err);
    if (code != ERR_OK) {
        return code;
    }
    if (!app_geocode(&location->address)) {
        return err_set(err, ERR_INVALID, "address.postal_code",
                       "unknown postal code '%s'; give address.lat and address.lon",
                       location->address.postal_code != NULL ? location->address.postal_code : "");
    }
    return ERR_OK;
}

enum err_code app_location_create(struct app_ctx *ctx, const struct location *input,
                                  struct app_idempotency *idem, struct location *out,
                                  struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_WRITE, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = *input;
    code = location_prepare(out, err);
    if (code != ERR_OK) {
        return code;
    }
    out->version = 1;
    out->created_at_ms = ctx->now_ms;
    out->updated_at_ms = ctx->now_ms;
    struct location_write_arg arg = {.location = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = location_create_run, .arg = &arg};
    return app_write_run(&write, err);
}

static enum err_code location_update_run(struct app_write *write, struct store_conn *conn,
                                         struct err *err)
{
    struct location_write_arg *arg = write->arg;
    enum err_code code = store_location_update(conn, arg->location, arg->expected_version, err);
    if (code == ERR_PRECONDITION) {
        return err_set(err, ERR_PRECONDITION, "If-Match",
                       "location '%s' changed since version %" PRId64, arg->location->code,
                       arg->expected_version);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->location;
    code = app_event_add(conn, write->ctx, arg->location->code, "location.updated", NULL, err);
    if (code == ERR_OK) { /* routing: an inactive location's pending shipments route again */
        code = app_routing_location_changed(write->ctx, conn, arg->location, err);
    }
    return code;
}

enum err_code app_location_update(struct app_ctx *ctx, const struct location *location,
                                  int64_t expected_version, struct location *out, struct err *err)
{
    ASSERT(ctx != NULL && location != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_WRITE, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = *location;
    code = location_prepare(out, err);
    if (code != ERR_OK) {
        return code;
    }
    out->version = expected_version + 1;
    out->updated_at_ms = ctx->now_ms;
    struct location_write_arg arg = {.location = out, .expected_version = expected_version};
    struct app_write write = {.ctx = ctx, .run = location_update_run, .arg = &arg};
    return app_write_run(&write, err);
}

enum err_code app_location_get(struct app_ctx *ctx, const char *code_text, struct location *out,
                               struct err *err)
{
    ASSERT(ctx != NULL && code_text != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_location_get(conn, ctx->arena, code_text, out, err);
        app_read_end(ctx, conn);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no location '%s'", code_text);
    }
    return code;
}

enum err_code app_location_list(struct app_ctx *ctx, struct location **out, size_t *count,
                                struct err *err)
{
    ASSERT(ctx != NULL);
    ASSERT(out != NULL && count != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_location_list(conn, ctx->arena, out, count, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* ---- products ---------------------------------------------------------------------------- */

struct product_write_arg {
    struct product *product;
    int64_t expected_version;
};

/* Resolves kit components (existing simple products) and the drop-ship supplier. */
static enum err_code product_resolve(struct app_ctx *ctx, struct store_conn *conn,
                                     struct product *product, struct err *err)
{
    char field[64];
    for (size_t i = 0; i < product->components_count; i++) {
        struct kit_component *component = &product->components[i];
        struct product found;
        enum err_code code = store_product_get(conn, ctx->arena, component->sku, &found, err);
        (void)snprintf(field, sizeof(field), "components[%zu].sku", i);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, field, "unknown sku '%s'", component->sku);
        }
        if (code != ERR_OK) {
            return code;
        }
        if (found.kind != PRODUCT_KIND_SIMPLE) {
            return err_set(err, ERR_INVALID, field, "component '%s' is a kit", component->sku);
        }
        component->product_row_id = found.row_id;
    }
    if (product->dropship_supplier != NULL) {
        struct location supplier;
        enum err_code code =
            store_location_get(conn, ctx->arena, product->dropship_supplier, &supplier, err);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, "dropship_supplier", "unknown location '%s'",
                           product->dropship_supplier);
        }
        return code;
    }
    return ERR_OK;
}

static enum err_code product_create_run(struct app_write *write, struct store_conn *conn,
                                        struct err *err)
{
    struct product_write_arg *arg = write->arg;
    enum err_code code = product_resolve(write->ctx, conn, arg->product, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_product_insert(conn, arg->product, err);
    if (code == ERR_CONFLICT) {
        return err_set(err, ERR_CONFLICT, "sku", "product '%s' exists", arg->product->sku);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->product;
    return app_event_add(conn, write->ctx, arg->product->sku, "product.created", NULL, err);
}

enum err_code app_product_create(struct app_ctx *ctx, const struct product *input,
                                 struct app_idempotency *idem, struct product *out, struct err *err)
{
    ASSERT(ctx != NULL && input != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_WRITE, err);
    if (code == ERR_OK) {
        code = product_validate(input, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = *input;
    out->version = 1;
    out->created_at_ms = ctx->now_ms;
    out->updated_at_ms = ctx->now_ms;
    struct product_write_arg arg = {.product = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = product_create_run, .arg = &arg};
    return app_write_run(&write, err);
}

static enum err_code product_update_run(struct app_write *write, struct store_conn *conn,
                                        struct err *err)
{
    struct product_write_arg *arg = write->arg;
    enum err_code code = product_resolve(write->ctx, conn, arg->product, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_product_update(conn, arg->product, arg->expected_version, err);
    if (code == ERR_PRECONDITION) {
        return err_set(err, ERR_PRECONDITION, "If-Match",
                       "product '%s' changed since version %" PRId64, arg->product->sku,
                       arg->expected_version);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->product;
    return app_event_add(conn, write->ctx, arg->product->sku, "product.updated", NULL, err);
}

enum err_code app_product_update(struct app_ctx *ctx, const struct product *product,
                                 int64_t expected_version, struct product *out, struct err *err)
{
    ASSERT(ctx != NULL && product != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_WRITE, err);
    if (code == ERR_OK) {
        code = product_validate(product, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = *product;
    out->version = expected_version + 1;
    out->updated_at_ms = ctx->now_ms;
    struct product_write_arg arg = {.product = out, .expected_version = expected_version};
    struct app_write write = {.ctx = ctx, .run = product_update_run, .arg = &arg};
    return app_write_run(&write, err);
}

enum err_code app_product_get(struct app_ctx *ctx, const char *sku, struct product *out,
                              struct err *err)
{
    ASSERT(ctx != NULL && sku != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CATALOG_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_product_get(conn, ctx->arena, sku, out, err);
        app_read_end(ctx, conn);
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no product '%s'", sku);
    }
    return code;
}

enum err_code app_product_list(struct app_ctx *ctx, struct app_page *page, struct product **out,
                               size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && page != NULL && out != NULL && count != NULL);
    ASSERT(page->limit > 0 && page->limit <= PAGE_LIMIT_MAX);
    page->next_cursor = NULL;
    enum err_code code = app_require(ctx, PERM_CATALOG_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_product_list(conn, ctx->arena, page->cursor, page->limit, out, count, err);
        app_read_end(ctx, conn);
    }
    if (code == ERR_OK && *count == page->limit) {
        page->next_cursor = (*out)[*count - 1].sku;
    }
    return code;
}
