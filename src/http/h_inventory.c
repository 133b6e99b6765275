/*
 * h_inventory.c — stock counts (PUT), adjustments, the per-location view of a SKU and its
 * ledger. Writes answer the SKU's stock view as it is after the change.
 */
#include "http/handler.h"

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"
#include "lib/str.h"

/* Ledger cursors are row ids: at most 19 digits. */
#define LEDGER_CURSOR_LEN_MAX 20

enum err_code h_inventory_count(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct http_inventory_count count;
    struct app_idempotency idem;
    struct app_stock_view view = {0};
    enum err_code code =
        http_parse_inventory_count(req->body, req->body_len, req->ctx.arena, &count, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_stock_answer, &idem, err);
    }
    if (code == ERR_OK) {
        struct app_stock_count input = {
            .sku = req->params[0],
            .location = req->params[1],
            .on_hand = count.on_hand,
            .has_safety = count.has_safety,
            .safety_stock = count.safety_stock,
        };
        code = app_inventory_count(&req->ctx, &input, &idem, &view, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &view, render_stock_answer, err);
    }
    return code;
}

enum err_code h_inventory_adjust(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct http_adjustment adjustment;
    struct app_idempotency idem;
    struct app_stock_view view = {0};
    enum err_code code =
        http_parse_adjustment(req->body, req->body_len, req->ctx.arena, &adjustment, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_stock_answer, &idem, err);
    }
    if (code == ERR_OK) {
        struct app_stock_adjustment input = {
            .sku = adjustment.sku,
            .location = adjustment.location,
            .delta = adjustment.delta,
            .reason = adjustment.reason,
        };
        code = app_inventory_adjust(&req->ctx, &input, &idem, &view, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &view, render_stock_answer, err);
    }
    return code;
}

enum err_code h_inventory_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_stock_view view = {0};
    enum err_code code = app_inventory_get(&req->ctx, req->params[0], &view, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_stock_view(&jw, &view);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_inventory_ledger(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    const char *location = NULL;
    const char *cursor = NULL;
    size_t limit = 0;
    enum err_code code = http_query(req, "location", CODE_LEN_MAX, &location, err);
    if (code == ERR_OK) {
        code = http_query_cursor(req, LEDGER_CURSOR_LEN_MAX, &cursor, err);
    }
    int64_t row_id = 0;
    if (code == ERR_OK && cursor != NULL &&
        (str_to_i64(str_from_cstr(cursor), &row_id) != ERR_OK || row_id <= 0)) {
        code = err_set(err, ERR_INVALID, "cursor", "cursor is not one this server handed out");
    }
    if (code == ERR_OK) {
        code = http_query_limit(req, &limit, err);
    }
    struct ledger_entry *entries = NULL;
    size_t count = 0;
    struct app_ledger_query query = {
        .sku = req->params[0],
        .location = location,
        .page = {.cursor = cursor, .limit = limit},
    };
    if (code == ERR_OK) {
        code = app_inventory_ledger(&req->ctx, &query, &entries, &count, err);
    }
    const char *next_cursor = query.page.next_cursor;
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_ledger_entry(&jw, &entries[i]);
    }
    render_list_end(&jw, next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}
