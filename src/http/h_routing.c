/*
 * h_routing.c — carriers and routing settings (issue 3): POST and GET /v1/carriers, GET and
 * PUT /v1/routing/settings. Parses the bodies (every field checked, the field named in the
 * error), calls one app function, renders. The app checks the role and the rate card's rules.
 */
#include "http/handler.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "http/render.h"
#include "lib/date.h"
#include "lib/json.h"

/* ---- parsing ----------------------------------------------------------------------------- */

static enum err_code rt_load(const struct http_request *req, json_t **out, struct err *err)
{
    json_error_t jerr;
    const char *body = req->body != NULL ? req->body : "";
    *out = json_loadb(body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (*out == NULL) {
        return err_set(err, ERR_MALFORMED, NULL,
                       "malformed JSON at line %d, column %d (byte %d): %s", jerr.line, jerr.column,
                       jerr.position, jerr.text);
    }
    if (!json_is_object(*out)) {
        json_decref(*out);
        *out = NULL;
        return err_set(err, ERR_INVALID, NULL, "the body must be a JSON object");
    }
    return ERR_OK;
}

/* An integer (not a real, not a string) of value, or a failure naming field. */
static enum err_code rt_int(json_t *value, const char *field, int64_t *out, struct err *err)
{
    if (value == NULL || json_is_null(value)) {
        return err_set(err, ERR_INVALID, field, "%s is required", field);
    }
    if (!json_is_integer(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be an integer", field);
    }
    *out = (int64_t)json_integer_value(value);
    return ERR_OK;
}

/* A string of 1..len_max bytes without NUL, copied into the arena. */
static enum err_code rt_string(struct arena *arena, json_t *value, const char *field,
                               size_t len_max, const char **out, struct err *err)
{
    if (!json_is_string(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be a string", field);
    }
    size_t len = json_string_length(value);
    const char *text = json_string_value(value);
    if (strlen(text) != len || len == 0 || len > len_max) {
        return err_set(err, ERR_INVALID, field, "%s must be 1 to %zu characters without NUL", field,
                       len_max);
    }
    *out = arena_strndup(arena, text, len);
    return *out != NULL ? ERR_OK : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* An array of 1..max items. */
static enum err_code rt_array(json_t *value, const char *field, size_t max, struct err *err)
{
    if (!json_is_array(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be an array", field);
    }
    size_t n = json_array_size(value);
    if (n < 1 || n > max) {
        return err_set(err, ERR_INVALID, field, "%s must have 1 to %zu items, got %zu", field, max,
                       n);
    }
    return ERR_OK;
}

/* [[max_km, days], ...] */
static enum err_code rt_transit(struct arena *arena, json_t *value, const char *prefix,
                                struct routing_service *service, struct err *err)
{
    char field[ERR_FIELD_LEN_MAX];
    (void)snprintf(field, sizeof(field), "%.24s.transit_days_by_distance", prefix);
    enum err_code code = rt_array(value, field, ROUTING_BANDS_MAX, err);
    size_t n = code == ERR_OK ? json_array_size(value) : 0;
    struct routing_transit *bands = ARENA_NEW_ARRAY(arena, struct routing_transit, n + 1);
    if (code == ERR_OK && bands == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        json_t *pair = json_array_get(value, i);
        (void)snprintf(field, sizeof(field), "%.24s.transit_days_by_distance[%zu]", prefix, i);
        if (!json_is_array(pair) || json_array_size(pair) != 2) {
            return err_set(err, ERR_INVALID, field, "%s must be [max_km, days]", field);
        }
        code = rt_int(json_array_get(pair, 0), field, &bands[i].max_km, err);
        if (code == ERR_OK) {
            code = rt_int(json_array_get(pair, 1), field, &bands[i].days, err);
        }
    }
    service->transit = bands;
    service->transit_count = n;
    return code;
}

/* [{"max_km": 500, "max_grams": 1000, "price": 799}, ...] */
static enum err_code rt_rates(struct arena *arena, json_t *value, const char *prefix,
                              struct routing_service *service, struct err *err)
{
    char field[ERR_FIELD_LEN_MAX];
    (void)snprintf(field, sizeof(field), "%.24s.rates", prefix);
    enum err_code code = rt_array(value, field, ROUTING_BANDS_MAX, err);
    size_t n = code == ERR_OK ? json_array_size(value) : 0;
    struct routing_rate *rates = ARENA_NEW_ARRAY(arena, struct routing_rate, n + 1);
    if (code == ERR_OK && rates == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    static const char *const names[] = {"max_km", "max_grams", "price"};
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        json_t *rate = json_array_get(value, i);
        if (!json_is_object(rate)) {
            (void)snprintf(field, sizeof(field), "%.24s.rates[%zu]", prefix, i);
            return err_set(err, ERR_INVALID, field, "%s must be an object", field);
        }
        int64_t *targets[] = {&rates[i].max_km, &rates[i].max_grams, &rates[i].price};
        for (size_t k = 0; code == ERR_OK && k < 3; k++) {
            (void)snprintf(field, sizeof(field), "%.24s.rates[%zu].%s", prefix, i, names[k]);
            code = rt_int(json_object_get(rate, names[k]), field, targets[k], err);
        }
    }
    service->rates = rates;
    service->rates_count = n;
    return code;
}

static enum err_code rt_service(struct arena *arena, json_t *value, size_t index,
                                struct routing_service *service, struct err *err)
{
    char prefix[ERR_FIELD_LEN_MAX];
    char field[ERR_FIELD_LEN_MAX];
    (void)snprintf(prefix, sizeof(prefix), "services[%zu]", index);
    if (!json_is_object(value)) {
        return err_set(err, ERR_INVALID, prefix, "%s must be an object", prefix);
    }
    (void)snprintf(field, sizeof(field), "%.24s.code", prefix);
    enum err_code code =
        rt_string(arena, json_object_get(value, "code"), field, CODE_LEN_MAX, &service->code, err);
    if (code == ERR_OK) {
        code = rt_transit(arena, json_object_get(value, "transit_days_by_distance"), prefix,
                          service, err);
    }
    if (code == ERR_OK) {
        code = rt_rates(arena, json_object_get(value, "rates"), prefix, service, err);
    }
    return code;
}

static enum err_code rt_parse_carrier(struct arena *arena, json_t *root,
                                      struct routing_carrier *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    enum err_code code =
        rt_string(arena, json_object_get(root, "code"), "code", CODE_LEN_MAX, &out->code, err);
    json_t *name = json_object_get(root, "name");
    if (code == ERR_OK && name != NULL && !json_is_null(name)) {
        code = rt_string(arena, name, "name", NAME_LEN_MAX, &out->name, err);
    }
    json_t *services = json_object_get(root, "services");
    if (code == ERR_OK) {
        code = rt_array(services, "services", ROUTING_SERVICES_MAX, err);
    }
    size_t n = code == ERR_OK ? json_array_size(services) : 0;
    out->services = ARENA_NEW_ARRAY(arena, struct routing_service, n + 1);
    if (code == ERR_OK && out->services == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        memset(&out->services[i], 0, sizeof(out->services[i]));
        code = rt_service(arena, json_array_get(services, i), i, &out->services[i], err);
    }
    out->services_count = n;
    return code;
}

/* {"marketplace": 2, ...} */
static enum err_code rt_parse_hold_backs(struct arena *arena, json_t *value,
                                         struct app_routing_settings *out, struct err *err)
{
    if (!json_is_object(value)) {
        return err_set(err, ERR_INVALID, "channel_hold_back",
                       "channel_hold_back must be an object of channel: units");
    }
    size_t n = json_object_size(value);
    out->hold_backs = ARENA_NEW_ARRAY(arena, struct routing_hold_back, n + 1);
    if (out->hold_backs == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    const char *key = NULL;
    json_t *units = NULL;
    json_object_foreach(value, key, units)
    {
        struct routing_hold_back *hold = &out->hold_backs[out->hold_backs_count++];
        hold->channel = arena_strdup(arena, key);
        enum err_code code = rt_int(units, "channel_hold_back", &hold->units, err);
        if (code != ERR_OK || hold->channel == NULL) {
            return code != ERR_OK ? code : err_set(err, ERR_TOO_LARGE, NULL, "out of memory");
        }
    }
    out->hold_backs_present = true;
    return ERR_OK;
}

static enum err_code rt_parse_settings(struct arena *arena, json_t *root,
                                       struct app_routing_settings *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "channel_hold_back") == 0) {
            enum err_code code = rt_parse_hold_backs(arena, value, out, err);
            if (code != ERR_OK) {
                return code;
            }
            continue;
        }
        size_t i = 0;
        while (i < routing_settings_names_count && strcmp(routing_settings_names[i], key) != 0) {
            i++;
        }
        if (i == routing_settings_names_count) {
            return err_set(err, ERR_INVALID, key, "unknown setting '%.60s'", key);
        }
        enum err_code code =
            rt_int(value, routing_settings_names[i], routing_settings_at(&out->settings, i), err);
        if (code != ERR_OK) {
            return code;
        }
        out->present |= 1u << i;
    }
    return ERR_OK;
}

/* ---- rendering --------------------------------------------------------------------------- */

static void rt_render_service(struct jw *jw, const struct routing_service *service)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "code", service->code);
    jw_key(jw, "transit_days_by_distance");
    jw_array_begin(jw);
    for (size_t i = 0; i < service->transit_count; i++) {
        jw_array_begin(jw);
        jw_int(jw, service->transit[i].max_km);
        jw_int(jw, service->transit[i].days);
        jw_array_end(jw);
    }
    jw_array_end(jw);
    jw_key(jw, "rates");
    jw_array_begin(jw);
    for (size_t i = 0; i < service->rates_count; i++) {
        jw_object_begin(jw);
        jw_kv_int(jw, "max_km", service->rates[i].max_km);
        jw_kv_int(jw, "max_grams", service->rates[i].max_grams);
        jw_kv_int(jw, "price", service->rates[i].price);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_object_end(jw);
}

static void rt_render_carrier(struct jw *jw, const struct routing_carrier *carrier)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "code", carrier->code);
    jw_kv_string(jw, "name", carrier->name);
    jw_key(jw, "services");
    jw_array_begin(jw);
    for (size_t i = 0; i < carrier->services_count; i++) {
        rt_render_service(jw, &carrier->services[i]);
    }
    jw_array_end(jw);
    jw_kv_time(jw, "updated_at", carrier->updated_at_ms);
    jw_object_end(jw);
}

static enum err_code rt_render_carrier_put(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL);
    const struct app_carrier_result *out = result;
    struct jw jw;
    jw_init(&jw, body);
    rt_render_carrier(&jw, &out->carrier);
    *status = out->created ? 201 : 200;
    return jw_finish(&jw);
}

static void rt_render_settings(struct jw *jw, const struct app_routing_settings *settings)
{
    struct routing_settings copy = settings->settings;
    jw_object_begin(jw);
    for (size_t i = 0; i < routing_settings_names_count; i++) {
        jw_kv_int(jw, routing_settings_names[i], *routing_settings_at(&copy, i));
    }
    jw_key(jw, "channel_hold_back");
    jw_object_begin(jw);
    for (size_t i = 0; i < settings->hold_backs_count; i++) {
        if (settings->hold_backs[i].units > 0) {
            jw_kv_int(jw, settings->hold_backs[i].channel, settings->hold_backs[i].units);
        }
    }
    jw_object_end(jw);
    jw_object_end(jw);
}

/* ---- handlers ---------------------------------------------------------------------------- */

enum err_code h_carriers_create(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    json_t *root = NULL;
    struct routing_carrier input;
    struct app_carrier_result out;
    struct app_idempotency idem;
    enum err_code code = rt_load(req, &root, err);
    if (code == ERR_OK) {
        code = rt_parse_carrier(req->ctx.arena, root, &input, err);
        json_decref(root);
    }
    if (code == ERR_OK) {
        code = http_idempotency(req, rt_render_carrier_put, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_carrier_put(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, rt_render_carrier_put, err);
    }
    return code;
}

enum err_code h_carriers_list(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct routing_carrier *carriers = NULL;
    size_t count = 0;
    enum err_code code = app_carrier_list(&req->ctx, &carriers, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        rt_render_carrier(&jw, &carriers[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_routing_settings_get(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_routing_settings settings;
    enum err_code code = app_routing_settings_get(&req->ctx, &settings, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    rt_render_settings(&jw, &settings);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_routing_settings_put(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    json_t *root = NULL;
    struct app_routing_settings input;
    struct app_routing_settings out;
    enum err_code code = rt_load(req, &root, err);
    if (code == ERR_OK) {
        code = rt_parse_settings(req->ctx.arena, root, &input, err);
        json_decref(root);
    }
    if (code == ERR_OK) {
        code = app_routing_settings_put(&req->ctx, &input, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    rt_render_settings(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}

/* ---- batch re-optimisation (round 2) -------------------------------------------------------- */

/* {"dry_run": bool (required), "time_limit_ms": 1..60000 (default 2000)}; nothing else. */
static enum err_code rt_parse_optimize(json_t *root, struct app_routing_optimize_input *out,
                                       struct err *err)
{
    *out = (struct app_routing_optimize_input){.time_limit_ms = 2000};
    const char *key = NULL;
    json_t *value = NULL;
    bool dry_run_given = false;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "dry_run") == 0) {
            if (!json_is_boolean(value)) {
                return err_set(err, ERR_INVALID, "dry_run", "dry_run must be true or false");
            }
            out->dry_run = json_is_true(value);
            dry_run_given = true;
        } else if (strcmp(key, "time_limit_ms") == 0) {
            enum err_code code = rt_int(value, "time_limit_ms", &out->time_limit_ms, err);
            if (code != ERR_OK) {
                return code;
            }
        } else {
            return err_set(err, ERR_INVALID, key, "unknown field '%.60s'", key);
        }
    }
    if (!dry_run_given) {
        return err_set(err, ERR_INVALID, "dry_run", "dry_run is required (true or false)");
    }
    return ERR_OK;
}

static void rt_render_eval(struct jw *jw, const char *key, const struct routing_batch_eval *e)
{
    jw_key(jw, key);
    jw_object_begin(jw);
    jw_kv_int(jw, "total", e->cost.total);
    jw_kv_int(jw, "shipping", e->cost.shipping);
    jw_kv_int(jw, "handling", e->cost.handling);
    jw_kv_int(jw, "lateness", e->cost.lateness);
    jw_kv_int(jw, "split", e->cost.split);
    jw_kv_int(jw, "shipments", e->shipments);
    jw_kv_int(jw, "over_capacity", e->over_capacity);
    jw_kv_int(jw, "over_stock", e->over_stock);
    jw_kv_int(jw, "unplaced_units", e->unplaced_units);
    jw_object_end(jw);
}

static enum err_code rt_render_optimize(const void *result, struct buf *body, int *status)
{
    const struct app_routing_optimize_result *r = result;
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_kv_bool(&jw, "dry_run", r->dry_run);
    jw_kv_bool(&jw, "improved", r->improved);
    jw_kv_bool(&jw, "applied", r->applied);
    jw_kv_int(&jw, "orders", (int64_t)r->orders);
    jw_kv_int(&jw, "lines", (int64_t)r->lines);
    rt_render_eval(&jw, "before", &r->before);
    rt_render_eval(&jw, "after", &r->after);
    jw_key(&jw, "solver");
    jw_object_begin(&jw);
    jw_kv_string(&jw, "name", "cbc");
    jw_kv_string(&jw, "status", r->solver);
    jw_kv_double(&jw, "seconds", (double)(int64_t)(r->seconds * 1000 + 0.5) / 1000);
    jw_kv_int(&jw, "variables", (int64_t)r->variables);
    jw_kv_int(&jw, "constraints", (int64_t)r->constraints);
    jw_object_end(&jw);
    jw_key(&jw, "moves");
    jw_array_begin(&jw);
    for (size_t i = 0; i < r->moves_count; i++) {
        const struct app_routing_move *m = &r->moves[i];
        jw_object_begin(&jw);
        jw_kv_string(&jw, "order_id", m->order_id);
        jw_kv_string(&jw, "order_number", m->order_number);
        jw_kv_int(&jw, "line_no", m->line_no);
        jw_kv_string(&jw, "sku", m->sku);
        jw_kv_int(&jw, "qty", m->qty);
        jw_kv_string(&jw, "from", m->from);
        jw_kv_string(&jw, "to", m->to);
        jw_object_end(&jw);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    *status = 200;
    return jw_finish(&jw);
}

enum err_code h_routing_optimize(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    json_t *root = NULL;
    struct app_routing_optimize_input input;
    struct app_routing_optimize_result out;
    struct app_idempotency idem;
    enum err_code code = rt_load(req, &root, err);
    if (code == ERR_OK) {
        code = rt_parse_optimize(root, &input, err);
        json_decref(root);
    }
    if (code == ERR_OK) {
        code = http_idempotency(req, rt_render_optimize, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_routing_optimize(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, rt_render_optimize, err);
    }
    return code;
}

/* ---- replay of a past period (round 2) ------------------------------------------------------ */

/* A date (its first or, for the end, last millisecond) or an RFC 3339 time. */
static enum err_code rt_instant(json_t *value, const char *field, bool end, int64_t *out,
                                struct err *err)
{
    int64_t day = 0;
    const char *text = json_is_string(value) ? json_string_value(value) : NULL;
    if (text != NULL && date_parse_day(text, &day) == ERR_OK) {
        *out = day * 86400000 + (end ? 86400000 - 1 : 0);
        return ERR_OK;
    }
    if (text != NULL && date_parse_rfc3339(text, out) == ERR_OK) {
        return ERR_OK;
    }
    return err_set(err, ERR_INVALID, field, "%s must be a date YYYY-MM-DD or an RFC 3339 time",
                   field);
}

/* {"from", "to", "settings": {...}} (settings optional, as PUT /v1/routing/settings). */
static enum err_code rt_parse_simulate(struct arena *arena, json_t *root,
                                       struct app_routing_simulate_input *out, struct err *err)
{
    memset(out, 0, sizeof(*out));
    json_t *from = json_object_get(root, "from");
    json_t *to = json_object_get(root, "to");
    json_t *settings = json_object_get(root, "settings");
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(root, key, value)
    {
        if (strcmp(key, "from") != 0 && strcmp(key, "to") != 0 && strcmp(key, "settings") != 0) {
            return err_set(err, ERR_INVALID, key, "unknown field '%.60s'", key);
        }
    }
    enum err_code code = rt_instant(from, "from", false, &out->from_ms, err);
    if (code == ERR_OK) {
        code = rt_instant(to, "to", true, &out->to_ms, err);
    }
    if (code == ERR_OK && settings != NULL && !json_is_object(settings)) {
        code = err_set(err, ERR_INVALID, "settings", "settings must be an object");
    }
    if (code == ERR_OK && settings != NULL) {
        code = rt_parse_settings(arena, settings, &out->settings, err);
    }
    return code;
}

static void rt_render_totals(struct jw *jw, const char *key, const struct app_routing_sim_totals *t)
{
    jw_key(jw, key);
    jw_object_begin(jw);
    jw_kv_int(jw, "total", t->cost.total);
    jw_kv_int(jw, "shipping", t->cost.shipping);
    jw_kv_int(jw, "handling", t->cost.handling);
    jw_kv_int(jw, "lateness", t->cost.lateness);
    jw_kv_int(jw, "split", t->cost.split);
    jw_kv_int(jw, "shipments", t->shipments);
    jw_kv_int(jw, "split_orders", t->split_orders);
    jw_kv_int(jw, "late_shipments", t->late_shipments);
    jw_kv_int(jw, "lateness_days", t->lateness_days);
    jw_kv_int(jw, "unplaced_units", t->unplaced_units);
    jw_object_end(jw);
}

static void rt_render_simulate(struct jw *jw, const struct app_routing_simulate_result *r)
{
    const struct app_routing_sim_totals *a = &r->actual;
    const struct app_routing_sim_totals *s = &r->simulated;
    jw_object_begin(jw);
    jw_kv_time(jw, "from", r->from_ms);
    jw_kv_time(jw, "to", r->to_ms);
    jw_kv_int(jw, "orders", (int64_t)r->orders);
    jw_kv_int(jw, "skipped", (int64_t)r->skipped);
    jw_key(jw, "settings");
    jw_object_begin(jw);
    struct routing_settings settings = r->settings;
    for (size_t i = 0; i < routing_settings_names_count; i++) {
        jw_kv_int(jw, routing_settings_names[i], *routing_settings_at(&settings, i));
    }
    jw_object_end(jw);
    rt_render_totals(jw, "actual", a);
    rt_render_totals(jw, "simulated", s);
    jw_key(jw, "difference");
    jw_object_begin(jw);
    jw_kv_int(jw, "total", s->cost.total - a->cost.total);
    jw_kv_int(jw, "shipments", s->shipments - a->shipments);
    jw_kv_int(jw, "split_orders", s->split_orders - a->split_orders);
    jw_kv_int(jw, "late_shipments", s->late_shipments - a->late_shipments);
    jw_kv_int(jw, "lateness_days", s->lateness_days - a->lateness_days);
    jw_kv_int(jw, "unplaced_units", s->unplaced_units - a->unplaced_units);
    jw_object_end(jw);
    jw_object_end(jw);
}

enum err_code h_routing_simulate(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    json_t *root = NULL;
    struct app_routing_simulate_input input;
    struct app_routing_simulate_result out;
    enum err_code code = rt_load(req, &root, err);
    if (code == ERR_OK) {
        code = rt_parse_simulate(req->ctx.arena, root, &input, err);
        json_decref(root);
    }
    if (code == ERR_OK) {
        code = app_routing_simulate(&req->ctx, &input, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    rt_render_simulate(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}
