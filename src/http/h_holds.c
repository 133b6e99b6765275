/*
 * h_holds.c — soft holds for carts (issue 3): POST /v1/holds, GET and DELETE /v1/holds/{id}.
 * Parses the body with jansson (every reference released in the function that loaded it),
 * calls one app function, renders the hold. Strict on types and sizes; a bad value is a 422
 * naming the field and changes nothing.
 */
#include "http/handler.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core/availability.h"
#include "core/limits.h"
#include "lib/json.h"

/* Where a parse copies strings and which error it fills. */
struct holds_json {
    struct arena *arena;
    struct err *err;
};

/* A string member into the arena: absent leaves *out; anything but a string (or a string with
 * NUL or longer than len_max) fails naming field. */
static enum err_code holds_string(const struct holds_json *hj, json_t *obj, const char *name,
                                  const char *field, size_t len_max, const char **out)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_string(value) || strlen(json_string_value(value)) != json_string_length(value) ||
        json_string_length(value) > len_max) {
        return err_set(hj->err, ERR_INVALID, field, "%s must be a string of at most %zu bytes",
                       field, len_max);
    }
    *out = arena_strndup(hj->arena, json_string_value(value), json_string_length(value));
    return *out != NULL ? ERR_OK : err_set(hj->err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* An integer member; absent leaves *out. */
static enum err_code holds_int(json_t *obj, const char *name, const char *field, int64_t *out,
                               struct err *err)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL) {
        return ERR_OK;
    }
    if (!json_is_integer(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be an integer", field);
    }
    *out = (int64_t)json_integer_value(value);
    return ERR_OK;
}

static enum err_code holds_lines(struct arena *arena, json_t *root, struct app_hold_input *in,
                                 struct err *err)
{
    json_t *lines = json_object_get(root, "lines");
    if (lines == NULL || !json_is_array(lines) || json_array_size(lines) == 0 ||
        json_array_size(lines) > HOLD_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "lines must be an array of 1 to %d lines",
                       HOLD_LINES_MAX);
    }
    size_t count = json_array_size(lines);
    struct hold_request_line *out = ARENA_NEW_ARRAY(arena, struct hold_request_line, count);
    struct holds_json hj = {arena, err};
    if (out == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < count; i++) {
        char sku_field[48];
        char qty_field[48];
        (void)snprintf(sku_field, sizeof(sku_field), "lines[%zu].sku", i);
        (void)snprintf(qty_field, sizeof(qty_field), "lines[%zu].qty", i);
        json_t *line = json_array_get(lines, i);
        if (!json_is_object(line)) {
            return err_set(err, ERR_INVALID, sku_field, "lines[%zu] must be an object", i);
        }
        out[i] = (struct hold_request_line){NULL, 0};
        enum err_code code = holds_string(&hj, line, "sku", sku_field, SKU_LEN_MAX, &out[i].sku);
        if (code == ERR_OK && out[i].sku == NULL) {
            code = err_set(err, ERR_INVALID, sku_field, "%s is required", sku_field);
        }
        if (code == ERR_OK) {
            code = holds_int(line, "qty", qty_field, &out[i].qty, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    in->lines = out;
    in->lines_count = count;
    return ERR_OK;
}

/* lat/lon as numbers, together. */
static enum err_code holds_coords(json_t *root, struct app_hold_input *in, struct err *err)
{
    json_t *lat = json_object_get(root, "lat");
    json_t *lon = json_object_get(root, "lon");
    if (lat == NULL && lon == NULL) {
        return ERR_OK;
    }
    if (lat == NULL || !json_is_number(lat)) {
        return err_set(err, ERR_INVALID, "lat", "lat must be a number, with lon");
    }
    if (lon == NULL || !json_is_number(lon)) {
        return err_set(err, ERR_INVALID, "lon", "lon must be a number, with lat");
    }
    in->lat = json_number_value(lat);
    in->lon = json_number_value(lon);
    in->has_coords = true;
    return ERR_OK;
}

static enum err_code holds_parse(const struct http_request *req, struct app_hold_input *in,
                                 struct err *err)
{
    memset(in, 0, sizeof(*in));
    in->ttl_seconds = HOLD_TTL_SECONDS_DEFAULT;
    json_error_t jerr;
    json_t *root = json_loadb(req->body != NULL ? req->body : "", req->body_len,
                              JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return err_set(err, ERR_MALFORMED, NULL, "malformed JSON at line %d, column %d: %s",
                       jerr.line, jerr.column, jerr.text);
    }
    struct arena *arena = req->ctx.arena;
    struct holds_json hj = {arena, err};
    enum err_code code = ERR_OK;
    if (!json_is_object(root)) {
        code = err_set(err, ERR_INVALID, NULL, "the body must be a JSON object");
    }
    if (code == ERR_OK) {
        code = holds_string(&hj, root, "channel", "channel", CODE_LEN_MAX, &in->channel);
    }
    if (code == ERR_OK) {
        code = holds_string(&hj, root, "postal_code", "postal_code", POSTAL_CODE_LEN_MAX,
                            &in->postal_code);
    }
    if (code == ERR_OK) {
        code = holds_int(root, "ttl_seconds", "ttl_seconds", &in->ttl_seconds, err);
    }
    if (code == ERR_OK) {
        code = holds_coords(root, in, err);
    }
    if (code == ERR_OK) {
        code = holds_lines(arena, root, in, err);
    }
    json_decref(root);
    return code;
}

static void holds_render(struct jw *jw, const struct hold *hold)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", hold->id);
    jw_kv_string(jw, "channel", hold->channel);
    jw_kv_string(jw, "status", hold_status_name(hold->status));
    jw_kv_int(jw, "ttl_seconds", hold->ttl_seconds);
    jw_kv_time(jw, "expires_at", hold->expires_at_ms);
    jw_kv_string(jw, "order_id", hold->order_id);
    jw_kv_time(jw, "created_at", hold->created_at_ms);
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < hold->lines_count; i++) {
        const struct hold_line *line = &hold->lines[i];
        jw_object_begin(jw);
        jw_kv_int(jw, "line_no", line->line_no);
        jw_kv_string(jw, "sku", line->sku);
        jw_kv_string(jw, "location", line->location_code);
        jw_kv_int(jw, "qty", line->qty);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_object_end(jw);
}

/* The stored answer of a POST /v1/holds (idempotency). */
static enum err_code holds_render_answer(const void *result, struct buf *body, int *status)
{
    struct jw jw;
    jw_init(&jw, body);
    holds_render(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

enum err_code h_holds_create(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_hold_input input;
    struct app_idempotency idem;
    struct hold hold;
    enum err_code code = holds_parse(req, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, holds_render_answer, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_hold_create(&req->ctx, &input, &idem, &hold, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &hold, holds_render_answer, err);
    }
    return code;
}

static enum err_code holds_answer(struct http_response *resp, const struct hold *hold,
                                  struct err *err)
{
    struct jw jw;
    jw_init(&jw, resp->body);
    holds_render(&jw, hold);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_holds_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct hold hold;
    enum err_code code = app_hold_get(&req->ctx, req->params[0], &hold, err);
    return code == ERR_OK ? holds_answer(resp, &hold, err) : code;
}

enum err_code h_holds_delete(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct hold hold;
    enum err_code code = app_hold_release(&req->ctx, req->params[0], &hold, err);
    return code == ERR_OK ? holds_answer(resp, &hold, err) : code;
}
