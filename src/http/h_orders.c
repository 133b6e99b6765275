/*
 * h_orders.c — /v1/orders: capture (201, or 200 when the channel's order existed), get,
 * list with filters, events, allocations with the routing explanation, and the actions
 * cancel, hold and release (200 with the order after the action).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/id.h"
#include "lib/json.h"

/* The longest created_from/created_to we read ("2026-11-29T10:15:00.123+05:30" and slack). */
#define ORDERS_TIME_LEN_MAX 40
/* The longest ?number= (order numbers are "SO-" and digits). */
#define ORDERS_NUMBER_LEN_MAX 32

static enum err_code orders_status(const struct http_request *req, struct order_filter *filter,
                                   struct err *err)
{
    const char *status = NULL;
    enum err_code code = http_query(req, "status", CODE_LEN_MAX, &status, err);
    if (code != ERR_OK || status == NULL) {
        return code;
    }
    if (!order_status_parse(status, &filter->status)) {
        return err_set(err, ERR_INVALID, "status", "status is not an order status: \"%s\"", status);
    }
    filter->has_status = true;
    return ERR_OK;
}

static enum err_code orders_time(const struct http_request *req, const char *name, bool end_of_day,
                                 int64_t *ms_out, struct err *err)
{
    const char *text = NULL;
    enum err_code code = http_query(req, name, ORDERS_TIME_LEN_MAX, &text, err);
    if (code != ERR_OK || text == NULL) {
        return code;
    }
    return http_parse_time_bound(text, end_of_day, name, ms_out, err);
}

/* ?number= (web console, issue 8): "SO-1001", or its digits alone ("1001"). */
static enum err_code orders_number(const struct http_request *req, struct order_filter *filter,
                                   struct err *err)
{
    const char *number = NULL;
    enum err_code code = http_query(req, "number", ORDERS_NUMBER_LEN_MAX, &number, err);
    if (code != ERR_OK || number == NULL) {
        return code;
    }
    if (!http_is_token(number, ORDERS_NUMBER_LEN_MAX)) {
        return err_set(err, ERR_INVALID, "number",
                       "number must be an order number such as SO-1001 (letters, digits, -)");
    }
    size_t digits = strspn(number, "0123456789");
    filter->number =
        number[digits] == '\0' ? arena_sprintf(req->ctx.arena, "SO-%s", number) : number;
    if (filter->number == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

static enum err_code orders_filter(const struct http_request *req, struct order_filter *filter,
                                   struct err *err)
{
    enum err_code code = orders_status(req, filter, err);
    if (code == ERR_OK) {
        code = http_query(req, "channel", CODE_LEN_MAX, &filter->channel, err);
    }
    if (code == ERR_OK) {
        code = http_query(req, "customer_email", EMAIL_LEN_MAX, &filter->customer_email, err);
    }
    if (code == ERR_OK) {
        code = orders_time(req, "created_from", false, &filter->created_from_ms, err);
    }
    if (code == ERR_OK) {
        code = orders_time(req, "created_to", true, &filter->created_to_ms, err);
    }
    if (code == ERR_OK) {
        code = http_query_limit(req, &filter->limit, err);
    }
    if (code == ERR_OK) {
        code = http_query_cursor(req, ID_LEN_MAX, &filter->before_id, err);
    }
    if (code == ERR_OK && filter->before_id != NULL &&
        !http_is_token(filter->before_id, ID_LEN_MAX - 1)) {
        code = err_set(err, ERR_INVALID, "cursor", "cursor is not one this server handed out");
    }
    if (code == ERR_OK) {
        code = orders_number(req, filter, err);
    }
    return code;
}

enum err_code h_orders_list(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct order_filter filter = {0};
    struct order *orders = NULL;
    size_t count = 0;
    const char *next_cursor = NULL;
    enum err_code code = orders_filter(req, &filter, err);
    if (code == ERR_OK) {
        code = app_order_list(&req->ctx, &filter, &orders, &count, &next_cursor, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_order(&jw, &orders[i]);
    }
    render_list_end(&jw, next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_orders_create(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct order input;
    struct app_idempotency idem;
    struct app_capture_result result = {0};
    enum err_code code = http_parse_order(req->body, req->body_len, req->ctx.arena, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_capture_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_order_capture(&req->ctx, &input, &idem, &result, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &result, render_capture_answer, err);
    }
    return code;
}

enum err_code h_orders_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct order order;
    enum err_code code = app_order_get(&req->ctx, req->params[0], &order, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_order(&jw, &order);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_orders_events(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct event *events = NULL;
    size_t count = 0;
    enum err_code code = app_order_events(&req->ctx, req->params[0], &events, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_event(&jw, &events[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_orders_allocations(struct http_request *req, struct http_response *resp,
                                   struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct order order;
    const char *routing_json = NULL;
    enum err_code code = app_order_routing(&req->ctx, req->params[0], &order, &routing_json, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "order_id", order.id);
    jw_key(&jw, "allocations");
    jw_array_begin(&jw);
    for (size_t i = 0; i < order.allocations_count; i++) {
        render_allocation(&jw, &order.allocations[i]);
    }
    jw_array_end(&jw);
    jw_kv_raw(&jw, "routing", routing_json);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_orders_cancel(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct http_cancel cancel;
    struct app_idempotency idem;
    struct order out;
    enum err_code code = http_parse_cancel(req->body, req->body_len, req->ctx.arena, &cancel, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_order_answer, &idem, err);
    }
    if (code == ERR_OK) {
        struct app_cancel input = {
            .reason = cancel.reason,
            .lines = cancel.lines,
            .lines_count = cancel.lines_count,
        };
        code = app_order_cancel(&req->ctx, req->params[0], &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_order_answer, err);
    }
    return code;
}

enum err_code h_orders_hold(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    const char *reason = NULL;
    struct app_idempotency idem;
    struct order out;
    enum err_code code = http_parse_hold(req->body, req->body_len, req->ctx.arena, &reason, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_order_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_order_hold(&req->ctx, req->params[0], reason, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_order_answer, err);
    }
    return code;
}

enum err_code h_orders_release(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_idempotency idem;
    struct order out;
    bool override = false; /* payments: lifts a payment hold without a payment */
    enum err_code code =
        http_parse_release(req->body, req->body_len, req->ctx.arena, &override, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_order_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_order_release(&req->ctx, req->params[0], override, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_order_answer, err);
    }
    return code;
}
