/*
 * h_order_edits.c — PATCH /v1/orders/{id} (an edit before fulfillment starts, with
 * If-Match) and POST /v1/orders/{id}/notes (a customer-service note in the order's history).
 * README "Order edits and notes".
 */
#include "http/handler.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

static enum err_code render_note_answer(const void *result, struct buf *body, int *status)
{
    struct jw jw;
    jw_init(&jw, body);
    render_event(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code h_orders_notes_create(struct http_request *req, struct http_response *resp,
                                    struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    const char *text = NULL;
    struct app_idempotency idem;
    struct event out;
    enum err_code code = http_parse_note(req->body, req->body_len, req->ctx.arena, &text, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_note_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_order_note_add(&req->ctx, req->params[0], text, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_note_answer, err);
    }
    return code;
}

/*
 * PATCH /v1/orders/{id}: an edit needs If-Match (the version the client read); without it
 * 400 if_match_required, because an edit made on a stale view would undo someone else's.
 */
enum err_code h_orders_patch(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    if (http_header(req, "If-Match") == NULL) {
        return err_set_reason(err, ERR_MALFORMED, "if_match_required", "If-Match",
                              "an order edit needs If-Match with the order's version");
    }
    int64_t expected = 0;
    enum err_code code = http_if_match(req, 0, &expected, err);
    struct app_order_edit edit;
    if (code == ERR_OK) {
        code = http_parse_order_edit(req->body, req->body_len, req->ctx.arena, &edit, err);
    }
    struct order out;
    if (code == ERR_OK) {
        code = app_order_edit(&req->ctx, req->params[0], &edit, expected, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_order(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}
