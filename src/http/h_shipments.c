/*
 * h_shipments.c — /v1/shipments: list (location, status, late, order_id, cursor), get, and
 * the actions pack, ship, deliver, ready (BOPIS: answers the pickup code) and pickup. Each
 * action answers 200 with the shipment after it; a status that does not allow it is 409
 * invalid_state.
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/id.h"
#include "lib/json.h"

static enum err_code shipments_query(const struct http_request *req,
                                     struct app_shipment_query *query, struct err *err)
{
    const char *status = NULL;
    const char *late = NULL;
    memset(query, 0, sizeof(*query));
    enum err_code code = http_query(req, "location", CODE_LEN_MAX, &query->location, err);
    if (code == ERR_OK) {
        code = http_query(req, "status", CODE_LEN_MAX, &status, err);
    }
    if (code == ERR_OK && status != NULL) {
        query->has_status = shipment_status_parse(status, &query->status);
        if (!query->has_status) {
            code = err_set(err, ERR_INVALID, "status", "status is not a shipment status: \"%s\"",
                           status);
        }
    }
    if (code == ERR_OK) {
        code = http_query(req, "late", 8, &late, err);
    }
    if (code == ERR_OK && late != NULL) {
        query->late = strcmp(late, "true") == 0;
        if (!query->late && strcmp(late, "false") != 0) {
            code = err_set(err, ERR_INVALID, "late", "late must be true or false");
        }
    }
    if (code == ERR_OK) {
        code = http_query_limit(req, &query->page.limit, err);
    }
    if (code == ERR_OK) {
        code = http_query_cursor(req, ID_LEN_MAX, &query->page.cursor, err);
    }
    if (code == ERR_OK && query->page.cursor != NULL &&
        !http_is_token(query->page.cursor, ID_LEN_MAX - 1)) {
        code = err_set(err, ERR_INVALID, "cursor", "cursor is not one this server handed out");
    }
    if (code == ERR_OK) {
        code = http_query(req, "order_id", ID_LEN_MAX, &query->order_id, err);
    }
    if (code == ERR_OK && query->order_id != NULL &&
        !http_is_token(query->order_id, ID_LEN_MAX - 1)) {
        code = err_set(err, ERR_INVALID, "order_id", "order_id is not an order id (ord_...)");
    }
    return code;
}

enum err_code h_shipments_list(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_shipment_query query;
    struct app_shipment_view *views = NULL;
    size_t count = 0;
    enum err_code code = shipments_query(req, &query, err);
    if (code == ERR_OK) {
        code = app_shipment_list(&req->ctx, &query, &views, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_shipment_view(&jw, &views[i]);
    }
    render_list_end(&jw, query.page.next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_shipments_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_shipment_view view = {0};
    enum err_code code =
        app_shipment_get(&req->ctx, req->params[0], &view.shipment, &view.order, err);
    if (code != ERR_OK) {
        return code;
    }
    view.show_pickup_code = app_may_see_pickup_code(&req->ctx);
    struct jw jw;
    jw_init(&jw, resp->body);
    render_shipment_view(&jw, &view);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_shipments_pack(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct http_pack pack;
    struct app_idempotency idem;
    struct app_shipment_view out;
    enum err_code code = http_parse_pack(req->body, req->body_len, req->ctx.arena, &pack, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_shipment_answer, &idem, err);
    }
    if (code == ERR_OK) {
        struct app_packages packages = {.weights_grams = pack.weights_grams,
                                        .count = pack.packages_count};
        code = app_shipment_pack(&req->ctx, req->params[0], &packages, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_shipment_answer, err);
    }
    return code;
}

enum err_code h_shipments_ship(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_ship ship;
    struct app_idempotency idem;
    struct app_shipment_view out;
    enum err_code code = http_parse_ship(req->body, req->body_len, req->ctx.arena, &ship, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_shipment_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_shipment_ship(&req->ctx, req->params[0], &ship, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_shipment_answer, err);
    }
    return code;
}

/* An action without a body: deliver or ready. */
static enum err_code shipments_plain(struct http_request *req, struct http_response *resp,
                                     enum err_code (*act)(struct app_ctx *, const char *,
                                                          struct app_idempotency *,
                                                          struct app_shipment_view *, struct err *),
                                     struct err *err)
{
    struct app_idempotency idem;
    struct app_shipment_view out;
    enum err_code code = http_idempotency(req, render_shipment_answer, &idem, err);
    if (code == ERR_OK) {
        code = act(&req->ctx, req->params[0], &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_shipment_answer, err);
    }
    return code;
}

enum err_code h_shipments_deliver(struct http_request *req, struct http_response *resp,
                                  struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    return shipments_plain(req, resp, app_shipment_deliver, err);
}

enum err_code h_shipments_ready(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    return shipments_plain(req, resp, app_shipment_ready, err);
}

enum err_code h_shipments_pickup(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    const char *pickup_code = NULL;
    struct app_idempotency idem;
    struct app_shipment_view out;
    enum err_code code =
        http_parse_pickup(req->body, req->body_len, req->ctx.arena, &pickup_code, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_shipment_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_shipment_pickup(&req->ctx, req->params[0], pickup_code, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_shipment_answer, err);
    }
    return code;
}
