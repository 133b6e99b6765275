/*
 * h_metrics.c — GET /v1/metrics (and /daily, /top-products, /by-channel, /by-location),
 * POST /v1/channels/{code}/traffic and POST /v1/costs. Parse, call one app function, render;
 * the app checks the role and validates. Field names: core/metrics.c (API.md "Metrics").
 */
#include "http/handler.h"

#include <inttypes.h>
#include <stdio.h>

#include "core/limits.h"
#include "core/metrics.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

/* "orders" and the fourteen metrics (null when the denominator is 0). */
static void metrics_fields(struct jw *jw, const struct app_metrics_report *report)
{
    jw_kv_int(jw, "orders", report->counters.orders);
    for (int i = 0; i < METRIC_COUNT; i++) {
        enum metric metric = (enum metric)i;
        if (!report->values.present[i]) {
            jw_kv_null(jw, metric_name(metric));
        } else if (metric_is_money(metric)) {
            jw_kv_int(jw, metric_name(metric), (int64_t)report->values.value[i]);
        } else {
            jw_kv_double(jw, metric_name(metric), report->values.value[i]);
        }
    }
}

static void metrics_period(struct jw *jw, const struct app_metrics_report *report)
{
    jw_key(jw, "from");
    jw_day(jw, report->from_day);
    jw_key(jw, "to");
    jw_day(jw, report->to_day);
}

/* ?from=&to=&channel=&location= */
static enum err_code metrics_range_query(const struct http_request *req,
                                         struct app_metrics_range *out, struct err *err)
{
    const char *from = NULL;
    const char *to = NULL;
    const char *channel = NULL;
    const char *location = NULL;
    enum err_code code = http_query(req, "from", CODE_LEN_MAX, &from, err);
    code = code == ERR_OK ? http_query(req, "to", CODE_LEN_MAX, &to, err) : code;
    code = code == ERR_OK ? http_query(req, "channel", CODE_LEN_MAX, &channel, err) : code;
    code = code == ERR_OK ? http_query(req, "location", CODE_LEN_MAX, &location, err) : code;
    if (code != ERR_OK) {
        return code;
    }
    channel = channel != NULL && channel[0] != '\0' ? channel : NULL;
    location = location != NULL && location[0] != '\0' ? location : NULL;
    return app_metrics_range(from, to, channel, location, out, err);
}

enum err_code h_metrics_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_metrics_range range;
    struct app_metrics_report report;
    enum err_code code = metrics_range_query(req, &range, err);
    code = code == ERR_OK ? app_metrics_get(&req->ctx, &range, &report, err) : code;
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    metrics_period(&jw, &report);
    metrics_fields(&jw, &report);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_metrics_daily(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_metrics_range range;
    struct app_metrics_report *days = NULL;
    size_t count = 0;
    enum err_code code = metrics_range_query(req, &range, err);
    code = code == ERR_OK ? app_metrics_daily(&req->ctx, &range, &days, &count, err) : code;
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_key(&jw, "data");
    jw_array_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        jw_object_begin(&jw);
        jw_key(&jw, "date");
        jw_day(&jw, days[i].from_day);
        metrics_fields(&jw, &days[i]);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_metrics_top_products(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_metrics_range range;
    size_t limit = 0;
    struct metrics_product *products = NULL;
    size_t count = 0;
    enum err_code code = metrics_range_query(req, &range, err);
    code = code == ERR_OK ? http_query_limit(req, &limit, err) : code;
    code = code == ERR_OK
               ? app_metrics_top_products(&req->ctx, &range, limit, &products, &count, err)
               : code;
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_key(&jw, "data");
    jw_array_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        jw_object_begin(&jw);
        jw_kv_string(&jw, "sku", products[i].sku);
        jw_kv_int(&jw, "units", products[i].units);
        jw_kv_int(&jw, "revenue", products[i].revenue);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

static enum err_code metrics_groups(struct http_request *req, struct http_response *resp,
                                    bool channels, struct err *err)
{
    struct app_metrics_range range;
    struct app_metrics_group *groups = NULL;
    size_t count = 0;
    enum err_code code = metrics_range_query(req, &range, err);
    if (code == ERR_OK) {
        code = channels ? app_metrics_by_channel(&req->ctx, &range, &groups, &count, err)
                        : app_metrics_by_location(&req->ctx, &range, &groups, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    struct app_metrics_report period = {.from_day = range.from_day, .to_day = range.to_day};
    metrics_period(&jw, &period);
    jw_key(&jw, "data");
    jw_array_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        jw_object_begin(&jw);
        jw_kv_string(&jw, channels ? "channel" : "location", groups[i].key);
        metrics_fields(&jw, &groups[i].report);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_metrics_by_channel(struct http_request *req, struct http_response *resp,
                                   struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    return metrics_groups(req, resp, true, err);
}

enum err_code h_metrics_by_location(struct http_request *req, struct http_response *resp,
                                    struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    return metrics_groups(req, resp, false, err);
}

static enum err_code metrics_render_traffic(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL);
    const struct metrics_traffic *traffic = result;
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "channel", traffic->channel);
    jw_key(&jw, "date");
    jw_day(&jw, traffic->day);
    jw_kv_int(&jw, "visitors", traffic->visitors);
    jw_kv_int(&jw, "carts_created", traffic->carts_created);
    jw_kv_int(&jw, "carts_abandoned", traffic->carts_abandoned);
    jw_object_end(&jw);
    *status = 200;
    return jw_finish(&jw);
}

static enum err_code metrics_render_cost(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL);
    const struct metrics_cost *cost = result;
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    char id[24];
    (void)snprintf(id, sizeof(id), "%" PRId64, cost->row_id);
    jw_kv_string(&jw, "id", id);
    jw_key(&jw, "date");
    jw_day(&jw, cost->day);
    jw_kv_string(&jw, "location", cost->location[0] != '\0' ? cost->location : NULL);
    jw_kv_string(&jw, "category", cost->category);
    jw_kv_int(&jw, "amount", cost->amount);
    jw_object_end(&jw);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code h_metrics_traffic(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_traffic_input input = {.channel = req->params[0]};
    struct metrics_traffic out;
    struct app_idempotency idem;
    enum err_code code = http_parse_traffic(req->body, req->body_len, req->ctx.arena, &input, err);
    code = code == ERR_OK ? http_idempotency(req, metrics_render_traffic, &idem, err) : code;
    code = code == ERR_OK ? app_metrics_traffic(&req->ctx, &input, &idem, &out, err) : code;
    return code == ERR_OK ? http_answer(resp, &idem, &out, metrics_render_traffic, err) : code;
}

enum err_code h_metrics_cost(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_cost_input input = {0};
    struct metrics_cost out;
    struct app_idempotency idem;
    enum err_code code = http_parse_cost(req->body, req->body_len, req->ctx.arena, &input, err);
    code = code == ERR_OK ? http_idempotency(req, metrics_render_cost, &idem, err) : code;
    code = code == ERR_OK ? app_metrics_cost(&req->ctx, &input, &idem, &out, err) : code;
    return code == ERR_OK ? http_answer(resp, &idem, &out, metrics_render_cost, err) : code;
}
