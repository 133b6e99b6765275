/*
 * h_track.c — GET /v1/track?number=&email= (issue 8): customer self-service with no key. The
 * answer shows what a customer may know of their own order — status, lines, totals, the
 * shipments with tracking and where a return can be brought — and nothing else (no address,
 * no allocations, no routing). POST /v1/track/returns starts a refund return of that order. Any
 * mismatch is 404; too many misses for a number or an e-mail are 429 with Retry-After (app_track).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "core/returns.h"
#include "http/parse.h"
#include "lib/json.h"

static void track_render_lines(struct jw *jw, const struct order *order)
{
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        jw_object_begin(jw);
        jw_kv_string(jw, "line_id", line->id);
        jw_kv_string(jw, "sku", line->sku);
        jw_kv_string(jw, "name", line->name);
        jw_kv_int(jw, "qty", line->qty);
        jw_kv_int(jw, "qty_shipped", line->qty_shipped);
        jw_kv_int(jw, "qty_cancelled", line->qty_cancelled);
        jw_kv_int(jw, "qty_returned", line->qty_returned);
        jw_kv_int(jw, "unit_price", line->unit_price);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

static void track_render_shipments(struct jw *jw, const struct app_track *track)
{
    jw_key(jw, "shipments");
    jw_array_begin(jw);
    for (size_t i = 0; i < track->shipments_count; i++) {
        const struct shipment *s = &track->shipments[i];
        jw_object_begin(jw);
        jw_kv_string(jw, "status", shipment_status_name(s->status));
        jw_kv_string(jw, "method", s->is_pickup ? "pickup" : "ship");
        jw_kv_string(jw, "carrier", s->carrier);
        jw_kv_string(jw, "service", s->service);
        jw_kv_string(jw, "tracking_number", s->tracking_number);
        jw_key(jw, "shipped_at");
        jw_time(jw, s->shipped_at_ms);
        jw_key(jw, "delivered_at");
        jw_time(jw, s->delivered_at_ms);
        jw_key(jw, "ready_at");
        jw_time(jw, s->ready_at_ms);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

static enum err_code track_render(const struct app_track *track, struct buf *body, struct err *err)
{
    const struct order *order = &track->order;
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "number", order->number);
    jw_kv_string(&jw, "status", order_status_name(order->status));
    jw_kv_string(&jw, "currency", order->currency);
    jw_kv_int(&jw, "total", order->totals.total);
    jw_key(&jw, "created_at");
    jw_time(&jw, order->created_at_ms);
    jw_key(&jw, "shipped_at");
    jw_time(&jw, order->shipped_at_ms);
    jw_key(&jw, "delivered_at");
    jw_time(&jw, order->delivered_at_ms);
    jw_key(&jw, "cancelled_at");
    jw_time(&jw, order->cancelled_at_ms);
    track_render_lines(&jw, order);
    track_render_shipments(&jw, track);
    jw_key(&jw, "return_locations");
    jw_array_begin(&jw);
    for (size_t i = 0; i < track->return_locations_count; i++) {
        const struct location *l = &track->return_locations[i];
        jw_object_begin(&jw);
        jw_kv_string(&jw, "code", l->code);
        jw_kv_string(&jw, "name", l->name);
        jw_kv_string(&jw, "city", l->address.city);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    return http_finish(&jw, err);
}

static void track_retry_after(struct http_request *req, struct http_response *resp,
                              enum err_code code, int64_t retry_after_s)
{
    if (code == ERR_BUSY && retry_after_s > 0) {
        http_response_header(resp, "Retry-After",
                             arena_sprintf(req->ctx.arena, "%lld", (long long)retry_after_s));
    }
}

/* ?number= and ?email= of both routes. */
static enum err_code track_query(struct http_request *req, const char **number, const char **email,
                                 struct err *err)
{
    enum err_code code = http_query(req, "number", APP_TRACK_NUMBER_LEN_MAX, number, err);
    if (code == ERR_OK) {
        code = http_query(req, "email", EMAIL_LEN_MAX, email, err);
    }
    return code;
}

HTTP_HANDLER(h_track)
{
    const char *number = NULL;
    const char *email = NULL;
    enum err_code code = track_query(req, &number, &email, err);
    if (code != ERR_OK) {
        return code;
    }
    struct app_track track;
    struct app_track_ask ask = {
        .number = number, .email = email, .retry_after_s = 0, .client_ip = http_client_ip(req)};
    code = app_track(&req->ctx, &ask, &track, err);
    track_retry_after(req, resp, code, ask.retry_after_s);
    if (code != ERR_OK) {
        return code;
    }
    http_response_header(resp, "Cache-Control", "no-store");
    resp->status = 200;
    return track_render(&track, resp->body, err);
}

/*
 * POST /v1/track/returns?number=&email= with the body of POST /v1/returns (no order_id needed):
 * the customer starts a refund return of their own order; 201 with the return's number and
 * status. The return window and the lines are checked as for customer service.
 */
HTTP_HANDLER(h_track_return)
{
    const char *number = NULL;
    const char *email = NULL;
    enum err_code code = track_query(req, &number, &email, err);
    struct app_return_input in;
    memset(&in, 0, sizeof(in));
    if (code == ERR_OK) {
        code = http_parse_return(req->body, req->body_len, req->ctx.arena, &in, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct app_return_view view;
    struct app_track_ask ask = {
        .number = number, .email = email, .retry_after_s = 0, .client_ip = http_client_ip(req)};
    code = app_track_return(&req->ctx, &ask, &in, &view, err);
    track_retry_after(req, resp, code, ask.retry_after_s);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "number", view.rma.number);
    jw_kv_string(&jw, "status", return_status_name(view.rma.status));
    jw_kv_string(&jw, "location", view.rma.location_code);
    jw_object_end(&jw);
    resp->status = 201;
    return http_finish(&jw, err);
}
