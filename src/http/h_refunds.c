/*
 * h_refunds.c — POST /v1/orders/{id}/refunds: a goodwill refund without a return (README
 * "Payments"). 201 with the refund transaction, its credit note and what is left to refund;
 * with an Idempotency-Key a repeat answers the first answer and refunds nothing again.
 */
#include "http/handler.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

/* The transaction as GET /v1/orders/{id}/payments lists it. */
static void refunds_render_txn(struct jw *jw, const struct payment_txn *txn)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", txn->id);
    jw_kv_string(jw, "kind", payment_kind_name(txn->kind));
    jw_kv_int(jw, "amount", txn->amount);
    jw_kv_string(jw, "currency", txn->currency);
    jw_kv_string(jw, "status", payment_status_name(txn->status));
    jw_kv_string(jw, "provider", txn->provider);
    jw_kv_string(jw, "provider_ref", txn->provider_ref);
    jw_kv_string(jw, "shipment_id", txn->shipment_id);
    jw_kv_string(jw, "return_id", txn->return_id);
    jw_kv_string(jw, "error", txn->error);
    jw_kv_time(jw, "created_at", txn->created_at_ms);
    jw_kv_time(jw, "updated_at", txn->updated_at_ms);
    jw_object_end(jw);
}

/* The credit note as GET /v1/credit-notes/{id} shows it. */
static void refunds_render_credit_note(struct jw *jw, const struct invoice *doc)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", doc->id);
    jw_kv_string(jw, "kind", "credit_note");
    jw_kv_string(jw, "number", doc->number);
    jw_kv_string(jw, "order_id", doc->order_id);
    jw_kv_string(jw, "return_id", doc->return_id);
    jw_kv_int(jw, "amount", doc->amount);
    jw_kv_int(jw, "shipping", doc->shipping);
    jw_kv_string(jw, "currency", doc->currency);
    jw_kv_time(jw, "issued_at", doc->issued_at_ms);
    jw_object_end(jw);
}

/* {"order_id", "refund": {...}, "credit_note": {...}, "refundable"} (stored with the key). */
static enum err_code refunds_created_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    const struct app_refund_view *view = result;
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "order_id", view->refund.order_id);
    jw_key(&jw, "refund");
    refunds_render_txn(&jw, &view->refund);
    jw_key(&jw, "credit_note");
    refunds_render_credit_note(&jw, &view->credit_note);
    jw_kv_int(&jw, "refundable", view->refundable);
    jw_object_end(&jw);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code h_orders_refunds_create(struct http_request *req, struct http_response *resp,
                                      struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_refund_input input;
    enum err_code code = http_parse_refund(req->body, req->body_len, req->ctx.arena, &input, err);
    struct app_idempotency idem;
    if (code == ERR_OK) {
        code = http_idempotency(req, refunds_created_answer, &idem, err);
    }
    struct app_refund_view view;
    if (code == ERR_OK) {
        code = app_order_refund(&req->ctx, req->params[0], &input, &idem, &view, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &view, refunds_created_answer, err);
    }
    return code;
}
