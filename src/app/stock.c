/*
 * stock.c — inventory use cases: counts, adjustments, the per-location view and the ledger.
 * Every balance change is a conditional store update plus a ledger row in the same
 * transaction, so the balance stays the sum of the ledger.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/fulfillment.h"
#include "core/limits.h"
#include "lib/json.h"
#include "lib/str.h"

/* Applies a movement to one balance and writes its ledger row. */
static enum err_code stock_move(struct app_ctx *ctx, struct store_conn *conn,
                                struct ledger_entry *entry, bool check_atp, struct err *err)
{
    enum err_code code =
        store_stock_apply(conn, entry->product_row_id, entry->location_row_id, entry->on_hand_delta,
                          entry->reserved_delta, check_atp, ctx->now_ms, err);
    if (code != ERR_OK) {
        return code;
    }
    entry->created_at_ms = ctx->now_ms;
    return store_ledger_insert(conn, entry, err);
}

enum err_code app_stock_release(struct app_ctx *ctx, struct store_conn *conn,
                                const struct app_release *release, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && release != NULL && release->line != NULL);
    ASSERT(release->qty > 0);
    bool dropship = false; /* routing: a drop-ship at a supplier reserved nothing */
    enum err_code skip =
        app_dropship_release_skip(ctx, conn, release->location_row_id, &dropship, err);
    if (skip != ERR_OK || dropship) {
        return skip;
    }
    const struct product *product = release->product;
    int64_t qty = release->qty;
    struct ledger_entry entry = {
        .product_row_id = release->line->product_row_id,
        .location_row_id = release->location_row_id,
        .kind = LEDGER_RELEASE,
        .reserved_delta = -qty,
        .ref_type = "order_line",
        .ref_id = release->line->id,
    };
    if (product == NULL || product->kind != PRODUCT_KIND_KIT) {
        return stock_move(ctx, conn, &entry, false, err);
    }
    for (size_t i = 0; i < product->components_count; i++) {
        entry.product_row_id = product->components[i].product_row_id;
        entry.reserved_delta = -qty * product->components[i].qty;
        enum err_code code = stock_move(ctx, conn, &entry, false, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* The view of a simple product: its rows as they are. */
static enum err_code stock_view_simple(struct app_ctx *ctx, struct store_conn *conn,
                                       const struct product *product, struct app_stock_view *out,
                                       struct err *err)
{
    struct stock_row *rows = NULL;
    size_t count = 0;
    enum err_code code =
        store_stock_list_by_product(conn, ctx->arena, product->row_id, &rows, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    out->locations = ARENA_NEW_ARRAY(ctx->arena, struct app_stock_location, count);
    if (out->locations == NULL && count > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < count; i++) {
        struct app_stock_location *view = &out->locations[i];
        view->location = rows[i].location_code;
        view->stock = rows[i].stock;
        view->available = inventory_atp(&rows[i].stock);
        out->available += view->available;
    }
    out->locations_count = count;
    return ERR_OK;
}

/* ATP of component c at location row id, or 0 when it has no balance there. */
static int64_t stock_find_atp(const struct stock_row *rows, size_t count, int64_t location_row_id)
{
    for (size_t i = 0; i < count; i++) {
        if (rows[i].location_row_id == location_row_id) {
            return inventory_atp(&rows[i].stock);
        }
    }
    return 0;
}

/* The view of a kit: at each location holding its first component, whole kits makeable. */
static enum err_code stock_view_kit(struct app_ctx *ctx, struct store_conn *conn,
                                    const struct product *product, struct app_stock_view *out,
                                    struct err *err)
{
    size_t n = product->components_count;
    ASSERT(n > 0 && n <= KIT_COMPONENTS_MAX);
    struct stock_row *rows[KIT_COMPONENTS_MAX];
    size_t counts[KIT_COMPONENTS_MAX];
    for (size_t c = 0; c < n; c++) {
        enum err_code code = store_stock_list_by_product(
            conn, ctx->arena, product->components[c].product_row_id, &rows[c], &counts[c], err);
        if (code != ERR_OK) {
            return code;
        }
    }
    out->locations = ARENA_NEW_ARRAY(ctx->arena, struct app_stock_location, counts[0]);
    if (out->locations == NULL && counts[0] > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < counts[0]; i++) {
        int64_t atp[KIT_COMPONENTS_MAX];
        int64_t qty[KIT_COMPONENTS_MAX];
        for (size_t c = 0; c < n; c++) {
            atp[c] = stock_find_atp(rows[c], counts[c], rows[0][i].location_row_id);
            qty[c] = product->components[c].qty;
        }
        struct app_stock_location *view = &out->locations[out->locations_count++];
        view->location = rows[0][i].location_code;
        view->available = inventory_kit_available(atp, qty, n);
        view->stock.on_hand = view->available;
        out->available += view->available;
    }
    return ERR_OK;
}

enum err_code app_stock_view_load(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct product *product, struct app_stock_view *out,
                                  struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(product != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    out->sku = product->sku;
    out->is_kit = product->kind == PRODUCT_KIND_KIT;
    if (out->is_kit) {
        return stock_view_kit(ctx, conn, product, out, err);
    }
    return stock_view_simple(ctx, conn, product, out, err);
}

struct stock_write_arg {
    const char *sku;
    const char *location;
    int64_t on_hand; /* count: the new on hand */
    bool has_safety;
    int64_t safety_stock;
    int64_t delta; /* adjust */
    const char *reason;
    bool is_count;
    struct app_stock_view *out;
};

/* Looks up the product and location a stock command names; kits hold no stock. */
static enum err_code stock_resolve(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct stock_write_arg *arg, struct product *product,
                                   struct location *location, struct err *err)
{
    const char *sku = arg->sku;
    const char *location_code = arg->location;
    memset(product, 0, sizeof(*product));
    memset(location, 0, sizeof(*location));
    enum err_code code = store_product_get(conn, ctx->arena, sku, product, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, "sku", "no product '%s'", sku);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (product->kind == PRODUCT_KIND_KIT) {
        return err_set(err, ERR_INVALID, "sku",
                       "'%s' is a kit; count or adjust its components instead", sku);
    }
    code = store_location_get(conn, ctx->arena, location_code, location, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, "location", "no location '%s'", location_code);
    }
    return code;
}

/* The event data of a stock change. */
static const char *stock_event_data(struct app_ctx *ctx, const struct stock_write_arg *arg,
                                    int64_t delta)
{
    struct buf buf;
    buf_init(&buf, 4096);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "sku", arg->sku);
    jw_kv_string(&jw, "location", arg->location);
    jw_kv_int(&jw, "delta", delta);
    jw_kv_string(&jw, "reason", arg->reason);
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

static enum err_code stock_write_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct stock_write_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct product product;
    struct location location;
    enum err_code code = stock_resolve(ctx, conn, arg, &product, &location, err);
    if (code == ERR_NOT_FOUND && !arg->is_count) {
        /* The adjustment names them in its body, not its path: a bad value, not a 404. */
        err->code = ERR_INVALID;
        return ERR_INVALID;
    }
    if (code != ERR_OK) {
        return code;
    }
    int64_t delta = arg->delta;
    if (arg->is_count) {
        struct stock current;
        bool exists = false;
        code = store_stock_get(conn, product.row_id, location.row_id, &current, &exists, err);
        if (code != ERR_OK) {
            return code;
        }
        delta = arg->on_hand - current.on_hand;
    }
    if (delta != 0) {
        bool receipt = !arg->is_count && arg->reason != NULL && strcmp(arg->reason, "receipt") == 0;
        struct ledger_entry entry = {
            .product_row_id = product.row_id,
            .location_row_id = location.row_id,
            .kind = receipt ? LEDGER_RECEIPT : LEDGER_ADJUSTMENT,
            .on_hand_delta = delta,
            .reason = arg->reason != NULL ? arg->reason : (arg->is_count ? "count" : NULL),
            .ref_type = arg->is_count ? "count" : "adjustment",
        };
        code = stock_move(ctx, conn, &entry, false, err);
        if (code == ERR_STOCK) {
            return err_set(err, ERR_STOCK, arg->is_count ? "on_hand" : "delta",
                           "on hand of '%s' at '%s' cannot fall below what is reserved or zero",
                           arg->sku, arg->location);
        }
        if (code == ERR_OK) {
            code = app_metrics_ledger(ctx, conn, &entry, location.code, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    if (arg->has_safety) {
        code = store_stock_set_safety(conn, product.row_id, location.row_id, arg->safety_stock,
                                      ctx->now_ms, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    code = app_event_add(conn, ctx, arg->sku,
                         arg->is_count ? "inventory.counted" : "inventory.adjusted",
                         stock_event_data(ctx, arg, delta), err);
    if (code == ERR_OK && delta > 0) {
        /* Stock arrived: the orders waiting for it take it in this transaction. */
        code = app_backorders_fill(ctx, conn, product.row_id, &location, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->out;
    return app_stock_view_load(ctx, conn, &product, arg->out, err);
}

/* Checks role and the warehouse scope for a stock write at a location. */
static enum err_code stock_authorize(struct app_ctx *ctx, const char *location, struct err *err)
{
    enum err_code code = app_require(ctx, PERM_INVENTORY_WRITE, err);
    if (code != ERR_OK) {
        return code;
    }
    if (!auth_can_use_location(ctx->principal, location)) {
        return err_set(err, ERR_FORBIDDEN, "location", "this key may not change stock at '%s'",
                       location);
    }
    return ERR_OK;
}

enum err_code app_inventory_count(struct app_ctx *ctx, const struct app_stock_count *count,
                                  struct app_idempotency *idem, struct app_stock_view *out,
                                  struct err *err)
{
    ASSERT(ctx != NULL && count != NULL && count->sku != NULL && count->location != NULL);
    ASSERT(out != NULL);
    enum err_code code = stock_authorize(ctx, count->location, err);
    if (code != ERR_OK) {
        return code;
    }
    if (count->on_hand < 0 || count->on_hand > STOCK_QTY_MAX) {
        return err_set(err, ERR_INVALID, "on_hand",
                       "on_hand must be between 0 and %lld, got %" PRId64, STOCK_QTY_MAX,
                       count->on_hand);
    }
    if (count->has_safety && (count->safety_stock < 0 || count->safety_stock > STOCK_QTY_MAX)) {
        return err_set(err, ERR_INVALID, "safety_stock",
                       "safety_stock must be between 0 and %lld, got %" PRId64, STOCK_QTY_MAX,
                       count->safety_stock);
    }
    struct stock_write_arg arg = {
        .sku = count->sku,
        .location = count->location,
        .on_hand = count->on_hand,
        .has_safety = count->has_safety,
        .safety_stock = count->safety_stock,
        .is_count = true,
        .out = out,
    };
    struct app_write write = {.ctx = ctx, .idem = idem, .run = stock_write_run, .arg = &arg};
    return app_write_run(&write, err);
}

enum err_code app_inventory_adjust(struct app_ctx *ctx,
                                   const struct app_stock_adjustment *adjustment,
                                   struct app_idempotency *idem, struct app_stock_view *out,
                                   struct err *err)
{
    ASSERT(ctx != NULL && adjustment != NULL);
    ASSERT(adjustment->sku != NULL && adjustment->location != NULL && out != NULL);
    const char *reason = adjustment->reason;
    int64_t delta = adjustment->delta;
    enum err_code code = stock_authorize(ctx, adjustment->location, err);
    if (code != ERR_OK) {
        return code;
    }
    if (delta == 0 || delta < -STOCK_QTY_MAX || delta > STOCK_QTY_MAX) {
        return err_set(err, ERR_INVALID, "delta",
                       "delta must be non-zero and within ±%lld, got %" PRId64, STOCK_QTY_MAX,
                       delta);
    }
    if (reason != NULL && strlen(reason) > REASON_LEN_MAX) {
        return err_set(err, ERR_INVALID, "reason", "reason longer than %d characters",
                       REASON_LEN_MAX);
    }
    if (reason != NULL && strcmp(reason, "receipt") == 0 && delta < 0) {
        return err_set(err, ERR_INVALID, "delta", "a receipt must add stock, got %" PRId64, delta);
    }
    struct stock_write_arg arg = {
        .sku = adjustment->sku,
        .location = adjustment->location,
        .delta = delta,
        .reason = reason,
        .out = out,
    };
    struct app_write write = {.ctx = ctx, .idem = idem, .run = stock_write_run, .arg = &arg};
    return app_write_run(&write, err);
}

enum err_code app_inventory_get(struct app_ctx *ctx, const char *sku, struct app_stock_view *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && sku != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_INVENTORY_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct product product;
    code = store_product_get(conn, ctx->arena, sku, &product, err);
    if (code == ERR_OK) {
        code = app_stock_view_load(ctx, conn, &product, out, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no product '%s'", sku);
    }
    return code;
}

/* Reads the ledger page once product and location are known; before is the row cursor. */
static enum err_code ledger_page(struct app_ctx *ctx, struct store_conn *conn,
                                 const struct app_ledger_query *query, struct ledger_entry **out,
                                 size_t *count, struct err *err)
{
    int64_t before = 0;
    const char *cursor = query->page.cursor;
    if (cursor != NULL && (str_to_i64(str_from_cstr(cursor), &before) != ERR_OK || before <= 0)) {
        return err_set(err, ERR_INVALID, "cursor", "invalid cursor '%s'", cursor);
    }
    struct product product;
    enum err_code code = store_product_get(conn, ctx->arena, query->sku, &product, err);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no product '%s'", query->sku);
    }
    if (code != ERR_OK) {
        return code;
    }
    int64_t location_row_id = 0;
    if (query->location != NULL) {
        struct location found;
        code = store_location_get(conn, ctx->arena, query->location, &found, err);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, "location", "no location '%s'", query->location);
        }
        if (code != ERR_OK) {
            return code;
        }
        location_row_id = found.row_id;
    }
    return store_ledger_list(conn, ctx->arena, product.row_id, location_row_id, before,
                             query->page.limit, out, count, err);
}

enum err_code app_inventory_ledger(struct app_ctx *ctx, struct app_ledger_query *query,
                                   struct ledger_entry **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && query != NULL && query->sku != NULL);
    ASSERT(out != NULL && count != NULL);
    ASSERT(query->page.limit > 0 && query->page.limit <= PAGE_LIMIT_MAX);
    query->page.next_cursor = NULL;
    enum err_code code = app_require(ctx, PERM_INVENTORY_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = ledger_page(ctx, conn, query, out, count, err);
    app_read_end(ctx, conn);
    if (code == ERR_OK && *count == query->page.limit) {
        query->page.next_cursor = arena_sprintf(ctx->arena, "%" PRId64, (*out)[*count - 1].row_id);
    }
    return code;
}
