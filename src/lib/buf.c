/*
 * buf.c — growth doubles the capacity; a failed append changes nothing, so a caller can
 * report ERR_TOO_LARGE and still use what is there.
 */
#include "lib/buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_CAP_MIN 256u

static char buf_empty[1];

void buf_init(struct buf *buf, size_t len_max)
{
    ASSERT(buf != NULL);
    ASSERT(len_max > 0);
    buf->ptr = buf_empty;
    buf->len = 0;
    buf->cap = 0;
    buf->len_max = len_max;
}

void buf_release(struct buf *buf)
{
    ASSERT(buf != NULL);
    if (buf->cap > 0) {
        free(buf->ptr);
    }
    buf->ptr = buf_empty;
    buf->len = 0;
    buf->cap = 0;
}

void buf_clear(struct buf *buf)
{
    ASSERT(buf != NULL);
    buf->len = 0;
    if (buf->cap > 0) {
        buf->ptr[0] = '\0';
    }
}

static enum err_code buf_reserve(struct buf *buf, size_t extra)
{
    if (extra > buf->len_max || buf->len > buf->len_max - extra) {
        return ERR_TOO_LARGE;
    }
    size_t need = buf->len + extra + 1;
    if (need <= buf->cap) {
        return ERR_OK;
    }
    size_t cap = buf->cap < BUF_CAP_MIN ? BUF_CAP_MIN : buf->cap;
    while (cap < need) {
        cap *= 2;
    }
    char *ptr = buf->cap > 0 ? realloc(buf->ptr, cap) : malloc(cap);
    if (ptr == NULL) {
        return ERR_INTERNAL;
    }
    if (buf->cap == 0) {
        ptr[0] = '\0';
    }
    buf->ptr = ptr;
    buf->cap = cap;
    return ERR_OK;
}

enum err_code buf_append(struct buf *buf, const void *data, size_t len)
{
    ASSERT(buf != NULL);
    ASSERT(data != NULL || len == 0);
    enum err_code code = buf_reserve(buf, len);
    if (code != ERR_OK) {
        return code;
    }
    if (len > 0) {
        memcpy(buf->ptr + buf->len, data, len);
    }
    buf->len += len;
    buf->ptr[buf->len] = '\0';
    return ERR_OK;
}

enum err_code buf_appends(struct buf *buf, const char *s)
{
    ASSERT(s != NULL);
    return buf_append(buf, s, strlen(s));
}

enum err_code buf_appendc(struct buf *buf, char c)
{
    return buf_append(buf, &c, 1);
}

enum err_code buf_appendf(struct buf *buf, const char *fmt, ...)
{
    ASSERT(buf != NULL);
    ASSERT(fmt != NULL);
    char small[256];
    va_list ap;
    va_start(ap, fmt);
    int needed = vsnprintf(small, sizeof(small), fmt, ap);
    va_end(ap);
    if (needed < 0) {
        return ERR_INTERNAL;
    }
    if ((size_t)needed < sizeof(small)) {
        return buf_append(buf, small, (size_t)needed);
    }
    enum err_code code = buf_reserve(buf, (size_t)needed);
    if (code != ERR_OK) {
        return code;
    }
    va_start(ap, fmt);
    int written = vsnprintf(buf->ptr + buf->len, (size_t)needed + 1, fmt, ap);
    va_end(ap);
    ASSERT(written == needed);
    buf->len += (size_t)needed;
    return ERR_OK;
}

char *buf_detach(struct buf *buf, size_t *len_out)
{
    ASSERT(buf != NULL);
    char *out = NULL;
    if (buf->cap == 0) {
        out = malloc(1);
        if (out != NULL) {
            out[0] = '\0';
        }
    } else {
        out = buf->ptr;
    }
    if (len_out != NULL) {
        *len_out = buf->len;
    }
    buf->ptr = buf_empty;
    buf->len = 0;
    buf->cap = 0;
    return out;
}
