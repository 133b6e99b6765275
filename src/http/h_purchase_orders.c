/*
 * h_purchase_orders.c — drop-ship purchase orders (issue 3, round 2): GET /v1/purchase-orders
 * (supplier, status, cursor), GET /v1/purchase-orders/{id}, and the supplier's shipment
 * POST /v1/purchase-orders/{id}/ship {"carrier", "tracking_number", "service", "cost"}.
 * A purchase order's status is its shipment's: open (pending), shipped, delivered, cancelled.
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

/* "open" is a pending shipment; the other names are the shipment's. */
static const char *po_status_name(enum shipment_status status)
{
    return status == SHIPMENT_STATUS_PENDING ? "open" : shipment_status_name(status);
}

static bool po_status_parse(const char *name, enum shipment_status *out)
{
    if (strcmp(name, "open") == 0) {
        *out = SHIPMENT_STATUS_PENDING;
        return true;
    }
    if (strcmp(name, "shipped") == 0 || strcmp(name, "delivered") == 0 ||
        strcmp(name, "cancelled") == 0) {
        return shipment_status_parse(name, out);
    }
    return false;
}

static void po_render(struct jw *jw, const struct purchase_order *po)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", po->id);
    jw_kv_string(jw, "number", po->number);
    jw_kv_string(jw, "status", po_status_name(po->status));
    jw_kv_string(jw, "supplier", po->supplier_code);
    jw_kv_string(jw, "order_id", po->order_id);
    jw_kv_string(jw, "order_number", po->order_number);
    jw_kv_string(jw, "shipment_id", po->shipment_id);
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < po->lines_count; i++) {
        jw_object_begin(jw);
        jw_kv_int(jw, "line_no", po->lines[i].line_no);
        jw_kv_string(jw, "sku", po->lines[i].sku);
        jw_kv_string(jw, "name", po->lines[i].name);
        jw_kv_int(jw, "qty", po->lines[i].qty);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_kv_string(jw, "carrier", po->carrier);
    jw_kv_string(jw, "service", po->service);
    jw_kv_string(jw, "tracking_number", po->tracking_number);
    jw_kv_time(jw, "created_at", po->created_at_ms);
    jw_kv_time(jw, "shipped_at", po->shipped_at_ms);
    jw_kv_time(jw, "delivered_at", po->delivered_at_ms);
    jw_kv_time(jw, "cancelled_at", po->cancelled_at_ms);
    jw_object_end(jw);
}

static enum err_code po_answer(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    struct jw jw;
    jw_init(&jw, body);
    po_render(&jw, result);
    *status = 200;
    return jw_finish(&jw);
}

static enum err_code po_query(const struct http_request *req,
                              struct app_purchase_order_query *query, struct err *err)
{
    const char *status = NULL;
    memset(query, 0, sizeof(*query));
    enum err_code code = http_query(req, "supplier", CODE_LEN_MAX, &query->supplier, err);
    if (code == ERR_OK) {
        code = http_query(req, "status", CODE_LEN_MAX, &status, err);
    }
    if (code == ERR_OK && status != NULL) {
        query->has_status = po_status_parse(status, &query->status);
        if (!query->has_status) {
            code =
                err_set(err, ERR_INVALID, "status",
                        "status must be open, shipped, delivered or cancelled, got \"%s\"", status);
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
    return code;
}

enum err_code h_purchase_orders_list(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_purchase_order_query query;
    struct purchase_order *items = NULL;
    size_t count = 0;
    enum err_code code = po_query(req, &query, err);
    if (code == ERR_OK) {
        code = app_purchase_order_list(&req->ctx, &query, &items, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        po_render(&jw, &items[i]);
    }
    render_list_end(&jw, query.page.next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_purchase_orders_get(struct http_request *req, struct http_response *resp,
                                    struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct purchase_order po;
    enum err_code code = app_purchase_order_get(&req->ctx, req->params[0], &po, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    po_render(&jw, &po);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_purchase_orders_ship(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_ship ship;
    struct app_idempotency idem;
    struct purchase_order out;
    enum err_code code = http_parse_ship(req->body, req->body_len, req->ctx.arena, &ship, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, po_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_purchase_order_ship(&req->ctx, req->params[0], &ship, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, po_answer, err);
    }
    return code;
}
