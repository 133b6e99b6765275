/*
 * http_error.c — error codes to HTTP statuses and error bodies. This is the only file that
 * maps codes to statuses; handlers return an err and never pick a status for a failure.
 */
#include "http/http_error.h"

#include "lib/json.h"
#include "lib/log.h"
#include "lib/str.h"

int http_error_status(enum err_code code)
{
    switch (code) {
    case ERR_OK:
        return 200;
    case ERR_MALFORMED:
        return 400;
    case ERR_AUTH:
        return 401;
    case ERR_FORBIDDEN:
        return 403;
    case ERR_NOT_FOUND:
        return 404;
    case ERR_METHOD:
        return 405;
    case ERR_CONFLICT:
    case ERR_STATE:
    case ERR_STOCK:
        return 409;
    case ERR_PRECONDITION:
        return 412;
    case ERR_TOO_LARGE:
        return 413;
    case ERR_MEDIA:
        return 415;
    case ERR_INVALID:
        return 422;
    case ERR_BUSY:
        return 429;
    case ERR_UPSTREAM: /* payments: a provider unreachable or refusing our key */
        return 502;
    case ERR_STORE:
    case ERR_INTERNAL:
    case ERR_CODE_COUNT:
        return 500;
    }
    return 500;
}

/* Writes err->items as an array of strings, one per comma-separated piece. */
static void http_error_items(struct jw *jw, const struct err *err)
{
    struct str rest = str_from_cstr(err->items);
    jw_key(jw, err->code == ERR_STOCK ? "skus" : "items");
    jw_array_begin(jw);
    for (size_t i = 0; i < sizeof(err->items) && rest.len > 0; i++) {
        struct str item = str_next_token(&rest, ',');
        if (item.len > 0) {
            jw_stringn(jw, item.ptr, item.len);
        }
    }
    jw_array_end(jw);
}

enum err_code http_error_render(const struct err *err, struct buf *body)
{
    ASSERT(err != NULL);
    ASSERT(body != NULL);
    int status = http_error_status(err->code);
    const char *message = err->message;
    if (status == 500) {
        /* Database and internal details stay in the log: they help an attacker, not a client. */
        log_error("http: %s: %s", err_reason(err), err->message);
        message = "internal error, see the server log";
    } else if (message[0] == '\0') {
        message = err_reason(err);
    }
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_key(&jw, "error");
    jw_object_begin(&jw);
    jw_kv_string(&jw, "code", err->code == ERR_OK ? "internal_error" : err_reason(err));
    jw_kv_string(&jw, "message", message);
    if (err->field[0] != '\0') {
        jw_kv_string(&jw, "field", err->field);
    }
    if (err->items[0] != '\0') {
        http_error_items(&jw, err);
    }
    jw_object_end(&jw);
    jw_object_end(&jw);
    return jw_finish(&jw);
}
