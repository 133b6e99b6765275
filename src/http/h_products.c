/*
 * h_products.c — /v1/products: list (cursor = last SKU), create, get, PATCH (read, apply
 * the fields present onto a copy, store at the expected version).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

enum err_code h_products_list(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    const char *cursor = NULL;
    size_t limit = 0;
    enum err_code code = http_query_cursor(req, SKU_LEN_MAX, &cursor, err);
    if (code == ERR_OK && cursor != NULL && !product_sku_is_valid(cursor)) {
        code = err_set(err, ERR_INVALID, "cursor", "cursor is not one this server handed out");
    }
    if (code == ERR_OK) {
        code = http_query_limit(req, &limit, err);
    }
    struct product *products = NULL;
    size_t count = 0;
    struct app_page page = {.cursor = cursor, .limit = limit};
    if (code == ERR_OK) {
        code = app_product_list(&req->ctx, &page, &products, &count, err);
    }
    const char *next_cursor = page.next_cursor;
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_product(&jw, &products[i]);
    }
    render_list_end(&jw, next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_products_create(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct product input = {0};
    struct product out = {0};
    struct app_idempotency idem;
    input.active = true;
    enum err_code code = http_parse_product(req->body, req->body_len, req->ctx.arena, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_product_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_product_create(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_product_created, err);
    }
    return code;
}

enum err_code h_products_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct product product;
    enum err_code code = app_product_get(&req->ctx, req->params[0], &product, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_product(&jw, &product);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_products_patch(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct product current;
    enum err_code code = app_product_get(&req->ctx, req->params[0], &current, err);
    if (code != ERR_OK) {
        return code;
    }
    struct product patched = current;
    int64_t expected = 0;
    code = http_parse_product(req->body, req->body_len, req->ctx.arena, &patched, err);
    if (code == ERR_OK && (patched.sku == NULL || strcmp(patched.sku, current.sku) != 0)) {
        code = err_set(err, ERR_INVALID, "sku", "sku cannot be changed");
    }
    if (code == ERR_OK) {
        code = http_if_match(req, current.version, &expected, err);
    }
    struct product out;
    if (code == ERR_OK) {
        code = app_product_update(&req->ctx, &patched, expected, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_product(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}
