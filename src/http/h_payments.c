/*
 * h_payments.c — GET /v1/orders/{id}/payments (every transaction of the order with the
 * totals authorized, captured and refunded) and POST /v1/orders/{id}/payments (a new
 * payment for an order held for payment_declined or payment_capture_failed; with an
 * Idempotency-Key a repeat answers the first answer). README "Payments".
 */
#include "http/handler.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

enum err_code h_orders_payments_list(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_payments_view view;
    enum err_code code = app_order_payments(&req->ctx, req->params[0], &view, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_payments(&jw, &view);
    resp->status = 200;
    return http_finish(&jw, err);
}

/* The answer of a new payment (stored with its Idempotency-Key). */
static enum err_code payments_created_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    struct jw jw;
    jw_init(&jw, body);
    render_payments(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code h_orders_payments_create(struct http_request *req, struct http_response *resp,
                                       struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_payment_input input;
    enum err_code code =
        http_parse_payment_input(req->body, req->body_len, req->ctx.arena, &input, err);
    struct app_idempotency idem;
    if (code == ERR_OK) {
        code = http_idempotency(req, payments_created_answer, &idem, err);
    }
    struct app_payments_view view;
    if (code == ERR_OK) {
        code = app_order_payment_add(&req->ctx, req->params[0], &input, &idem, &view, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &view, payments_created_answer, err);
    }
    return code;
}
