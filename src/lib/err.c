/*
 * err.c — filling struct err and naming codes. Messages are truncated, never overflowed;
 * the code is what callers branch on, the text is for people.
 */
#include "lib/err.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const char *const err_names[ERR_CODE_COUNT] = {
    [ERR_OK] = "ok",
    [ERR_MALFORMED] = "malformed_json",
    [ERR_INVALID] = "invalid_value",
    [ERR_NOT_FOUND] = "not_found",
    [ERR_CONFLICT] = "conflict",
    [ERR_STATE] = "invalid_state",
    [ERR_STOCK] = "insufficient_stock",
    [ERR_PRECONDITION] = "version_mismatch",
    [ERR_AUTH] = "unauthorized",
    [ERR_FORBIDDEN] = "forbidden",
    [ERR_METHOD] = "method_not_allowed",
    [ERR_TOO_LARGE] = "too_large",
    [ERR_MEDIA] = "unsupported_media_type",
    [ERR_BUSY] = "too_many_requests",
    [ERR_STORE] = "store_error",
    [ERR_INTERNAL] = "internal_error",
    [ERR_UPSTREAM] = "upstream_unavailable",
};

const char *err_code_name(enum err_code code)
{
    ASSERT((int)code >= 0);
    ASSERT(code < ERR_CODE_COUNT);
    return err_names[code];
}

static void err_copy(char *dst, size_t dst_size, const char *src)
{
    size_t len = src == NULL ? 0 : strlen(src);
    if (len >= dst_size) {
        len = dst_size - 1;
    }
    if (len > 0) {
        memcpy(dst, src, len);
    }
    dst[len] = '\0';
}

static enum err_code err_vset(struct err *err, enum err_code code, const char *reason,
                              const char *field, const char *fmt, va_list ap)
{
    ASSERT(err != NULL);
    ASSERT(code != ERR_OK);
    err->code = code;
    err_copy(err->reason, sizeof(err->reason), reason);
    err_copy(err->field, sizeof(err->field), field);
    int n = vsnprintf(err->message, sizeof(err->message), fmt, ap);
    if (n < 0) {
        err->message[0] = '\0';
    }
    err->items[0] = '\0';
    return code;
}

enum err_code err_set(struct err *err, enum err_code code, const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum err_code result = err_vset(err, code, NULL, field, fmt, ap);
    va_end(ap);
    return result;
}

enum err_code err_set_reason(struct err *err, enum err_code code, const char *reason,
                             const char *field, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    enum err_code result = err_vset(err, code, reason, field, fmt, ap);
    va_end(ap);
    return result;
}

void err_add_item(struct err *err, const char *item)
{
    ASSERT(err != NULL);
    ASSERT(item != NULL);
    size_t used = strlen(err->items);
    size_t need = strlen(item) + (used > 0 ? 1 : 0);
    if (used + need >= sizeof(err->items)) {
        return;
    }
    if (used > 0) {
        err->items[used++] = ',';
    }
    memcpy(err->items + used, item, strlen(item) + 1);
}

void err_clear(struct err *err)
{
    ASSERT(err != NULL);
    memset(err, 0, sizeof(*err));
}

const char *err_reason(const struct err *err)
{
    ASSERT(err != NULL);
    if (err->reason[0] != '\0') {
        return err->reason;
    }
    return err_code_name(err->code);
}
