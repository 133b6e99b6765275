/*
 * h_locations.c — /v1/locations: list, create, get, PATCH. A PATCH reads the location,
 * applies the fields present onto a copy and asks app to store it at the expected version
 * (If-Match, or the version just read).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

enum err_code h_locations_list(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct location *locations = NULL;
    size_t count = 0;
    enum err_code code = app_location_list(&req->ctx, &locations, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_location(&jw, &locations[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_locations_create(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct location input = {0};
    struct location out = {0};
    struct app_idempotency idem;
    input.active = true;
    input.capabilities = LOCATION_CAP_SHIP;
    input.cutoff_minute = LOCATION_CUTOFF_MINUTE_DEFAULT;
    input.handling_days = LOCATION_HANDLING_DAYS_DEFAULT;
    enum err_code code = http_parse_location(req->body, req->body_len, req->ctx.arena, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_location_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_location_create(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_location_created, err);
    }
    return code;
}

enum err_code h_locations_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct location location;
    enum err_code code = app_location_get(&req->ctx, req->params[0], &location, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_location(&jw, &location);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_locations_patch(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct location current;
    enum err_code code = app_location_get(&req->ctx, req->params[0], &current, err);
    if (code != ERR_OK) {
        return code;
    }
    struct location patched = current;
    int64_t expected = 0;
    code = http_parse_location(req->body, req->body_len, req->ctx.arena, &patched, err);
    if (code == ERR_OK && (patched.code == NULL || strcmp(patched.code, current.code) != 0)) {
        code = err_set(err, ERR_INVALID, "code", "code cannot be changed");
    }
    if (code == ERR_OK) {
        code = http_if_match(req, current.version, &expected, err);
    }
    struct location out;
    if (code == ERR_OK) {
        code = app_location_update(&req->ctx, &patched, expected, &out, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_location(&jw, &out);
    resp->status = 200;
    return http_finish(&jw, err);
}
