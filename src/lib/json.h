/*
 * json.h — a streaming JSON writer into a struct buf. It needs no DOM, escapes every string,
 * and keeps the first error (sticky), so a renderer checks once at the end with jw_finish().
 * Reading JSON is jansson's job and happens in http/ only.
 */
#ifndef ORDO_LIB_JSON_H
#define ORDO_LIB_JSON_H

#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"

#define JW_DEPTH_MAX 32

struct jw {
    struct buf *buf;
    enum err_code code;            /* first error, sticky */
    int depth;                     /* open containers */
    bool need_comma[JW_DEPTH_MAX]; /* per depth: a value was written */
    bool after_key;                /* a key was written, its value is next */
};

void jw_init(struct jw *jw, struct buf *buf);

/* ERR_OK, or the first error (ERR_TOO_LARGE past the buffer's limit). Asserts balance. */
MUST_CHECK enum err_code jw_finish(struct jw *jw);

void jw_object_begin(struct jw *jw);
void jw_object_end(struct jw *jw);
void jw_array_begin(struct jw *jw);
void jw_array_end(struct jw *jw);
void jw_key(struct jw *jw, const char *key);

void jw_string(struct jw *jw, const char *s); /* NULL writes null */
void jw_stringn(struct jw *jw, const char *s, size_t len);
void jw_int(struct jw *jw, int64_t value);
void jw_double(struct jw *jw, double value); /* non-finite writes null */
void jw_bool(struct jw *jw, bool value);
void jw_null(struct jw *jw);
void jw_time(struct jw *jw, int64_t ms);      /* RFC 3339, or null when ms == 0 */
void jw_day(struct jw *jw, int64_t days);     /* "YYYY-MM-DD" */
void jw_raw(struct jw *jw, const char *json); /* already valid JSON, e.g. stored; NULL: null */

/* key + value shorthands */
void jw_kv_string(struct jw *jw, const char *key, const char *s);
void jw_kv_int(struct jw *jw, const char *key, int64_t value);
void jw_kv_double(struct jw *jw, const char *key, double value);
void jw_kv_bool(struct jw *jw, const char *key, bool value);
void jw_kv_null(struct jw *jw, const char *key);
void jw_kv_time(struct jw *jw, const char *key, int64_t ms);
void jw_kv_raw(struct jw *jw, const char *key, const char *json);

/* Appends s as a quoted, escaped JSON string to buf. */
MUST_CHECK enum err_code json_append_string(struct buf *buf, const char *s, size_t len);

#endif
