/*
 * h_customers.c — customers: find by e-mail (a list of zero or one), get with the
 * customer's latest orders, PATCH (read, apply the fields present, store at the expected
 * version).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

enum err_code h_customers_find(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    const char *email = NULL;
    enum err_code code = http_query(req, "email", EMAIL_LEN_MAX, &email, err);
    if (code != ERR_OK) {
        return code;
    }
    if (email == NULL || email[0] == '\0') {
        return err_set(err, ERR_INVALID, "email", "email is required");
    }
    struct customer customer;
    code = app_customer_find(&req->ctx, email, &customer, err);
    if (code != ERR_OK && code != ERR_NOT_FOUND) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    if (code == ERR_OK) {
        render_customer(&jw, &customer);
    }
    render_list_end(&jw, NULL);
    err_clear(err);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_customers_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct customer customer;
    enum err_code code = app_customer_get(&req->ctx, req->params[0], &customer, err);
    if (code != ERR_OK) {
        return code;
    }
    struct order_filter filter = {0};
    filter.customer_id = customer.id;
    filter.limit = PAGE_LIMIT_DEFAULT;
    struct order *orders = NULL;
    size_t count = 0;
    const char *next_cursor = NULL;
    code = app_order_list(&req->ctx, &filter, &orders, &count, &next_cursor, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    render_customer_fields(&jw, &customer);
    jw_key(&jw, "orders");
    jw_array_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_order(&jw, &orders[i]);
    }
    jw_array_end(&jw);
    jw_kv_string(&jw, "orders_next_cursor", next_cursor);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_customers_patch(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct customer current;
    enum err_code code = app_customer_get(&req->ctx, req->params[0], &current, err);
    if (code != ERR_OK) {
        return code;
    }
    struct customer patched = current;
    int64_t expected = 0;
    code = http_parse_customer(req->body, req->body_len, req->ctx.arena, &patched, err);
    if (code == ERR_OK) {
        code = http_if_match(req, current.version, &expected, err);
    }
    struct customer out;
    if (code == ERR_OK) {
        code = app_customer_update(&req->ctx, &patched, expected, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_customer(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}
