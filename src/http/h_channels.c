/*
 * h_channels.c — GET and POST /v1/channels. Parse, call one app function, render; the app
 * checks the role and validates.
 */
#include "http/handler.h"

#include "http/parse.h"
#include "http/render.h"
#include "lib/json.h"

enum err_code h_channels_list(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct channel *channels = NULL;
    size_t count = 0;
    enum err_code code = app_channel_list(&req->ctx, &channels, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        render_channel(&jw, &channels[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_channels_create(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct channel input = {0};
    struct channel out = {0};
    struct app_idempotency idem;
    enum err_code code = http_parse_channel(req->body, req->body_len, req->ctx.arena, &input, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, render_channel_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_channel_create(&req->ctx, &input, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, render_channel_created, err);
    }
    return code;
}
