/*
 * h_availability.c — GET /v1/availability?skus=A,B&postal_code=02118 (or lat/lon; channel,
 * qty): what a channel may promise per SKU (issue 3). Parses the query strictly (every value
 * checked, a clear 422 naming the parameter), calls app_availability, renders. The hot path of
 * a web shop: no allocation beyond the request arena.
 */
#include "http/handler.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "lib/date.h"
#include "lib/json.h"
#include "lib/str.h"

#define AVAILABILITY_SKUS_LEN_MAX   ((size_t)AVAILABILITY_SKUS_MAX * (SKU_LEN_MAX + 1))
#define AVAILABILITY_NUMBER_LEN_MAX 32

/* ?skus=A,B,C into an arena array; 422 "skus" when missing, empty or too many. */
static enum err_code availability_skus(const struct http_request *req,
                                       struct app_availability_query *query, struct err *err)
{
    const char *text = NULL;
    enum err_code code = http_query(req, "skus", AVAILABILITY_SKUS_LEN_MAX, &text, err);
    if (code != ERR_OK) {
        return code;
    }
    if (text == NULL || text[0] == '\0') {
        return err_set(err, ERR_INVALID, "skus", "skus is required (comma-separated SKUs)");
    }
    const char **skus = ARENA_NEW_ARRAY(req->ctx.arena, const char *, AVAILABILITY_SKUS_MAX);
    if (skus == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t count = 0;
    const char *p = text;
    for (;;) {
        const char *comma = strchr(p, ',');
        size_t len = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (count == AVAILABILITY_SKUS_MAX) {
            return err_set(err, ERR_INVALID, "skus", "at most %d SKUs per request",
                           AVAILABILITY_SKUS_MAX);
        }
        if (len == 0) {
            return err_set(err, ERR_INVALID, "skus", "skus[%zu] is empty", count);
        }
        skus[count] = arena_strndup(req->ctx.arena, p, len);
        if (skus[count] == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
        count++;
        if (comma == NULL) {
            break;
        }
        p = comma + 1;
    }
    query->skus = skus;
    query->skus_count = count;
    return ERR_OK;
}

/* A finite number query parameter; *given false when absent. */
static enum err_code availability_number(const struct http_request *req, const char *name,
                                         double *out, bool *given, struct err *err)
{
    const char *text = NULL;
    *given = false;
    enum err_code code = http_query(req, name, AVAILABILITY_NUMBER_LEN_MAX, &text, err);
    if (code != ERR_OK || text == NULL) {
        return code;
    }
    char *end = NULL;
    double value = strtod(text, &end);
    if (text[0] == '\0' || end == NULL || *end != '\0' || value != value) {
        return err_set(err, ERR_INVALID, name, "%s must be a number, got '%s'", name, text);
    }
    *out = value;
    *given = true;
    return ERR_OK;
}

static enum err_code availability_where(const struct http_request *req,
                                        struct app_availability_query *query, struct err *err)
{
    bool has_lat = false;
    bool has_lon = false;
    enum err_code code =
        http_query(req, "postal_code", POSTAL_CODE_LEN_MAX, &query->postal_code, err);
    if (code == ERR_OK) {
        code = availability_number(req, "lat", &query->lat, &has_lat, err);
    }
    if (code == ERR_OK) {
        code = availability_number(req, "lon", &query->lon, &has_lon, err);
    }
    if (code == ERR_OK && has_lat != has_lon) {
        code = err_set(err, ERR_INVALID, has_lat ? "lon" : "lat", "lat and lon come together");
    }
    query->has_coords = has_lat && has_lon;
    return code;
}

static enum err_code availability_parse(const struct http_request *req,
                                        struct app_availability_query *query, struct err *err)
{
    memset(query, 0, sizeof(*query));
    query->qty = 1;
    const char *qty = NULL;
    enum err_code code = availability_skus(req, query, err);
    if (code == ERR_OK) {
        code = availability_where(req, query, err);
    }
    if (code == ERR_OK) {
        code = http_query(req, "channel", CODE_LEN_MAX, &query->channel, err);
    }
    if (code == ERR_OK) {
        code = http_query(req, "qty", AVAILABILITY_NUMBER_LEN_MAX, &qty, err);
    }
    if (code == ERR_OK && qty != NULL &&
        (str_to_i64(str_from_cstr(qty), &query->qty) != ERR_OK || query->qty < 1 ||
         query->qty > QTY_MAX)) {
        code = err_set(err, ERR_INVALID, "qty", "qty must be an integer 1 to %d, got '%s'", QTY_MAX,
                       qty);
    }
    return code;
}

/* The hot path writes numbers and times without printf (it dominated the profile). */

/* Decimal digits of value (>= 0) before end; returns where they start. */
static char *availability_digits(int64_t value, char *end)
{
    ASSERT(value >= 0);
    char *p = end;
    do {
        *--p = (char)('0' + value % 10);
        value /= 10;
    } while (value > 0);
    return p;
}

static void availability_kv_int(struct jw *jw, const char *key, int64_t value)
{
    char tmp[24];
    tmp[sizeof(tmp) - 1] = '\0';
    char *p = availability_digits(value < 0 ? -value : value, tmp + sizeof(tmp) - 1);
    if (value < 0) {
        *--p = '-';
    }
    jw_kv_raw(jw, key, p);
}

/* km rounded to 0.1, as "12.3". */
static void availability_kv_km(struct jw *jw, const char *key, double km)
{
    char tmp[32];
    tmp[sizeof(tmp) - 1] = '\0';
    int64_t tenths = (int64_t)(km * 10 + 0.5);
    char *p = tmp + sizeof(tmp) - 1;
    *--p = (char)('0' + tenths % 10);
    *--p = '.';
    p = availability_digits(tenths / 10, p);
    jw_kv_raw(jw, key, p);
}

/* The times of one answer repeat (the end of a few days): each is formatted once. */
struct availability_times {
    int64_t ms[8];
    char text[8][DATE_RFC3339_LEN];
    size_t count;
};

static void availability_kv_time(struct jw *jw, struct availability_times *times, const char *key,
                                 int64_t ms)
{
    for (size_t i = 0; i < times->count; i++) {
        if (times->ms[i] == ms) {
            jw_kv_string(jw, key, times->text[i]);
            return;
        }
    }
    size_t i = times->count < ARRAY_LEN(times->ms) ? times->count++ : ARRAY_LEN(times->ms) - 1;
    times->ms[i] = ms;
    date_format_rfc3339(ms, times->text[i]);
    jw_kv_string(jw, key, times->text[i]);
}

static void availability_render_pickups(struct jw *jw, struct availability_times *times,
                                        const struct app_availability_item *item)
{
    jw_key(jw, "pickup");
    jw_array_begin(jw);
    for (size_t p = 0; p < item->pickups_count; p++) {
        const struct app_pickup_option *o = &item->pickups[p];
        jw_object_begin(jw);
        jw_kv_string(jw, "location", o->location);
        jw_kv_string(jw, "name", o->name);
        if (o->distance_km >= 0) {
            availability_kv_km(jw, "distance_km", o->distance_km);
        } else {
            jw_kv_null(jw, "distance_km");
        }
        availability_kv_int(jw, "available", o->available);
        availability_kv_time(jw, times, "ready_by", o->ready_by_ms);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

static void availability_render_item(struct jw *jw, struct availability_times *times,
                                     const struct app_availability_item *item)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "sku", item->sku);
    jw_kv_string(jw, "kind", item->is_kit ? "kit" : "simple");
    jw_kv_bool(jw, "active", item->active);
    availability_kv_int(jw, "available", item->available);
    availability_kv_int(jw, "dropship_available", item->dropship_available);
    jw_key(jw, "ship");
    if (item->can_ship) {
        char day[DATE_DAY_LEN];
        date_format_day(item->delivery_day, day);
        jw_object_begin(jw);
        jw_kv_string(jw, "delivery_date", day);
        jw_kv_string(jw, "from", item->ship_from);
        if (item->ship_from != NULL) {
            availability_kv_time(jw, times, "ship_by", item->ship_by_ms);
        } else {
            jw_kv_null(jw, "ship_by");
        }
        jw_object_end(jw);
    } else {
        jw_null(jw);
    }
    availability_render_pickups(jw, times, item);
    jw_object_end(jw);
}

enum err_code h_availability_get(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_availability_query query;
    struct app_availability out;
    enum err_code code = availability_parse(req, &query, err);
    if (code == ERR_OK) {
        code = app_availability(&req->ctx, &query, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_kv_time(&jw, "as_of", req->ctx.now_ms);
    jw_kv_string(&jw, "channel", out.channel);
    availability_kv_int(&jw, "qty", out.qty);
    struct availability_times times = {.count = 0};
    jw_key(&jw, "items");
    jw_array_begin(&jw);
    for (size_t i = 0; i < out.items_count; i++) {
        availability_render_item(&jw, &times, &out.items[i]);
    }
    jw_array_end(&jw);
    jw_key(&jw, "unknown");
    jw_array_begin(&jw);
    for (size_t i = 0; i < out.unknown_count; i++) {
        jw_string(&jw, out.unknown[i]);
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}
