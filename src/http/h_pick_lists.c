/*
 * h_pick_lists.c — /v1/pick-lists: create a wave at a location (201), list (location, status,
 * cursor), get one, complete it with the short picks (200 with the pick list after it).
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/id.h"
#include "lib/json.h"

enum err_code h_pick_lists_create(struct http_request *req, struct http_response *resp,
                                  struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_pick_list_input input;
    struct app_idempotency idem;
    struct pick_list out;
    enum err_code code =
        http_parse_pick_list(req->body, req->body_len, req->ctx.arena, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_pick_list_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_pick_list_create(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_pick_list_created, err);
    }
    return code;
}

static enum err_code pick_lists_query(const struct http_request *req,
                                      struct app_pick_list_query *query, struct err *err)
{
    const char *status = NULL;
    memset(query, 0, sizeof(*query));
    enum err_code code = http_query(req, "location", CODE_LEN_MAX, &query->location, err);
    if (code == ERR_OK) {
        code = http_query(req, "status", CODE_LEN_MAX, &status, err);
    }
    if (code == ERR_OK && status != NULL) {
        query->has_status = true;
        query->completed = strcmp(status, "completed") == 0;
        if (!query->completed && strcmp(status, "open") != 0) {
            code = err_set(err, ERR_INVALID, "status", "status must be open or completed");
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

enum err_code h_pick_lists_list(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct app_pick_list_query query;
    struct pick_list *lists = NULL;
    size_t count = 0;
    enum err_code code = pick_lists_query(req, &query, err);
    if (code == ERR_OK) {
        code = app_pick_list_list(&req->ctx, &query, &lists, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_pick_list(&jw, &lists[i]);
    }
    render_list_end(&jw, query.page.next_cursor);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_pick_lists_get(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct pick_list pick_list;
    enum err_code code = app_pick_list_get(&req->ctx, req->params[0], &pick_list, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_pick_list(&jw, &pick_list);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_pick_lists_complete(struct http_request *req, struct http_response *resp,
                                    struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct http_pick_complete parsed;
    struct app_idempotency idem;
    struct pick_list out;
    enum err_code code =
        http_parse_pick_complete(req->body, req->body_len, req->ctx.arena, &parsed, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_pick_list_answer, &idem, err);
    }
    if (code == ERR_OK) {
        struct app_pick_complete complete = {
            .picker = parsed.picker,
            .shorts = parsed.shorts,
            .shorts_count = parsed.shorts_count,
        };
        code = app_pick_list_complete(&req->ctx, req->params[0], &complete, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_pick_list_answer, err);
    }
    return code;
}
