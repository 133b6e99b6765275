/*
 * json.c — the JSON writer. Commas are placed by tracking, per depth, whether a value was
 * already written; control characters are escaped as \u00XX; the output is always valid
 * JSON when jw_finish() returns ERR_OK.
 */
#include "lib/json.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "lib/date.h"
#include "lib/str.h"

void jw_init(struct jw *jw, struct buf *buf)
{
    ASSERT(jw != NULL);
    ASSERT(buf != NULL);
    memset(jw, 0, sizeof(*jw));
    jw->buf = buf;
}

enum err_code jw_finish(struct jw *jw)
{
    ASSERT(jw != NULL);
    if (jw->code == ERR_OK) {
        ASSERT(jw->depth == 0);
        ASSERT(!jw->after_key);
    }
    return jw->code;
}

static void jw_put(struct jw *jw, const char *s, size_t len)
{
    if (jw->code != ERR_OK) {
        return;
    }
    jw->code = buf_append(jw->buf, s, len);
}

/* Writes the comma a new value needs, unless it follows a key. */
static void jw_value_prefix(struct jw *jw)
{
    if (jw->after_key) {
        jw->after_key = false;
        return;
    }
    if (jw->depth > 0 && jw->need_comma[jw->depth]) {
        jw_put(jw, ",", 1);
    }
    jw->need_comma[jw->depth] = true;
}

/* Room for a short string written in one append: the quotes, the text, a comma and a colon. */
#define JSON_SHORT_MAX 240

/* Whether the len bytes of s go into a JSON string as they are (printable ASCII, no quote, no
 * backslash): the common case of keys, codes and ids. */
static bool json_is_plain(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c >= 0x80 || c == '"' || c == '\\') {
            return false;
        }
    }
    return true;
}

enum err_code json_append_string(struct buf *buf, const char *s, size_t len)
{
    ASSERT(buf != NULL);
    ASSERT(s != NULL || len == 0);
    if (len <= JSON_SHORT_MAX && json_is_plain(s, len)) {
        char text[JSON_SHORT_MAX + 2];
        text[0] = '"';
        if (len > 0) {
            memcpy(text + 1, s, len);
        }
        text[len + 1] = '"';
        return buf_append(buf, text, len + 2);
    }
    static const char hex[] = "0123456789abcdef";
    enum err_code code = buf_appendc(buf, '"');
    size_t start = 0;
    for (size_t i = 0; i < len && code == ERR_OK; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c >= 0x80) {
            size_t n = str_utf8_char_len(s + i, len - i);
            if (n > 0) {
                i += n - 1;
                continue;
            }
            /* Not UTF-8 (an id echoed from a URL, say): U+FFFD keeps the answer valid JSON. */
            code = buf_append(buf, s + start, i - start);
            if (code == ERR_OK) {
                code = buf_append(buf, "\xEF\xBF\xBD", 3);
            }
            start = i + 1;
            continue;
        }
        if (c >= 0x20 && c != '"' && c != '\\') {
            continue;
        }
        code = buf_append(buf, s + start, i - start);
        char esc[7] = {'\\', 'u', '0', '0', hex[c >> 4], hex[c & 15], 0};
        if (code == ERR_OK && c == '"') {
            code = buf_append(buf, "\\\"", 2);
        } else if (code == ERR_OK && c == '\\') {
            code = buf_append(buf, "\\\\", 2);
        } else if (code == ERR_OK && c == '\n') {
            code = buf_append(buf, "\\n", 2);
        } else if (code == ERR_OK) {
            code = buf_append(buf, esc, 6);
        }
        start = i + 1;
    }
    if (code == ERR_OK) {
        code = buf_append(buf, s + start, len - start);
    }
    if (code == ERR_OK) {
        code = buf_appendc(buf, '"');
    }
    return code;
}

static void jw_open(struct jw *jw, char c)
{
    jw_value_prefix(jw);
    jw_put(jw, &c, 1);
    ASSERT(jw->depth + 1 < JW_DEPTH_MAX);
    jw->depth++;
    jw->need_comma[jw->depth] = false;
}

static void jw_close(struct jw *jw, char c)
{
    ASSERT(jw->depth > 0);
    ASSERT(!jw->after_key);
    jw->depth--;
    jw_put(jw, &c, 1);
}

void jw_object_begin(struct jw *jw)
{
    jw_open(jw, '{');
}

void jw_object_end(struct jw *jw)
{
    jw_close(jw, '}');
}

void jw_array_begin(struct jw *jw)
{
    jw_open(jw, '[');
}

void jw_array_end(struct jw *jw)
{
    jw_close(jw, ']');
}

void jw_key(struct jw *jw, const char *key)
{
    ASSERT(key != NULL);
    ASSERT(!jw->after_key);
    size_t len = strlen(key);
    if (len <= JSON_SHORT_MAX && json_is_plain(key, len)) {
        /* The comma, the quoted key and the colon in one append (every key of every answer). */
        char text[JSON_SHORT_MAX + 4];
        size_t n = 0;
        if (jw->depth > 0 && jw->need_comma[jw->depth]) {
            text[n++] = ',';
        }
        jw->need_comma[jw->depth] = true;
        text[n++] = '"';
        memcpy(text + n, key, len + 1); /* with its NUL, overwritten by the quote */
        n += len;
        text[n++] = '"';
        text[n++] = ':';
        jw_put(jw, text, n);
        jw->after_key = true;
        return;
    }
    jw_value_prefix(jw);
    if (jw->code == ERR_OK) {
        jw->code = json_append_string(jw->buf, key, strlen(key));
    }
    jw_put(jw, ":", 1);
    jw->after_key = true;
}

void jw_stringn(struct jw *jw, const char *s, size_t len)
{
    jw_value_prefix(jw);
    if (jw->code == ERR_OK) {
        jw->code = json_append_string(jw->buf, s, len);
    }
}

void jw_string(struct jw *jw, const char *s)
{
    if (s == NULL) {
        jw_null(jw);
        return;
    }
    jw_stringn(jw, s, strlen(s));
}

void jw_int(struct jw *jw, int64_t value)
{
    char tmp[STR_I64_LEN];
    size_t n = str_from_i64(tmp, value);
    jw_value_prefix(jw);
    jw_put(jw, tmp, n);
}

/*
 * The text "%.15g" gives for a value that is the double nearest to a decimal of at most 6
 * places and 14 significant digits (coordinates, rounded distances and rates): the decimal
 * itself, shortest first. (double)m / 10^k is the double nearest m / 10^k (one correctly
 * rounded division of exact operands), so where it equals value the decimal reads back as
 * value, and rounding value to 15 digits gives the decimal padded with zeros, which %g drops.
 * Returns its length, or 0 when value has no such decimal (then snprintf decides).
 */
static size_t jw_double_short(double value, char out[40])
{
    static const double scale[] = {1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6};
    static const int64_t scale_int[] = {1, 10, 100, 1000, 10000, 100000, 1000000};
    double magnitude = fabs(value);
    if (!(magnitude >= 1e-4 && magnitude < 1e9)) {
        return 0; /* %g's exponent form, zero and its sign: snprintf */
    }
    for (size_t k = 0; k < ARRAY_LEN(scale); k++) {
        double scaled = nearbyint(magnitude * scale[k]);
        if (scaled >= 1e14) {
            return 0;
        }
        if (scaled / scale[k] != magnitude) {
            continue;
        }
        int64_t digits = (int64_t)scaled;
        size_t n = 0;
        if (value < 0) {
            out[n++] = '-';
        }
        n += str_from_i64(out + n, digits / scale_int[k]);
        if (k > 0) {
            out[n++] = '.';
            int64_t fraction = digits % scale_int[k];
            for (size_t place = k; place > 0; place--) {
                out[n + place - 1] = (char)('0' + fraction % 10);
                fraction /= 10;
            }
            n += k;
        }
        out[n] = '\0';
        return n;
    }
    return 0;
}

void jw_double(struct jw *jw, double value)
{
    if (!isfinite(value)) {
        jw_null(jw);
        return;
    }
    char tmp[40];
    size_t short_len = jw_double_short(value, tmp);
    if (short_len > 0) {
        jw_value_prefix(jw);
        jw_put(jw, tmp, short_len);
        return;
    }
    /* 15 significant digits read back exactly for every value that came from a decimal of
     * that length; fall back to 17 otherwise. */
    int n = snprintf(tmp, sizeof(tmp), "%.15g", value);
    ASSERT(n > 0 && (size_t)n < sizeof(tmp));
    if (strtod(tmp, NULL) != value) {
        n = snprintf(tmp, sizeof(tmp), "%.17g", value);
        ASSERT(n > 0 && (size_t)n < sizeof(tmp));
    }
    jw_value_prefix(jw);
    jw_put(jw, tmp, (size_t)n);
}

void jw_bool(struct jw *jw, bool value)
{
    jw_value_prefix(jw);
    jw_put(jw, value ? "true" : "false", value ? 4 : 5);
}

void jw_null(struct jw *jw)
{
    jw_value_prefix(jw);
    jw_put(jw, "null", 4);
}

void jw_time(struct jw *jw, int64_t ms)
{
    if (ms == 0) {
        jw_null(jw);
        return;
    }
    char tmp[DATE_RFC3339_LEN];
    date_format_rfc3339(ms, tmp);
    jw_string(jw, tmp);
}

void jw_day(struct jw *jw, int64_t days)
{
    char tmp[DATE_DAY_LEN];
    date_format_day(days, tmp);
    jw_string(jw, tmp);
}

void jw_raw(struct jw *jw, const char *json)
{
    if (json == NULL) {
        jw_null(jw);
        return;
    }
    jw_value_prefix(jw);
    jw_put(jw, json, strlen(json));
}

void jw_kv_string(struct jw *jw, const char *key, const char *s)
{
    jw_key(jw, key);
    jw_string(jw, s);
}

void jw_kv_int(struct jw *jw, const char *key, int64_t value)
{
    jw_key(jw, key);
    jw_int(jw, value);
}

void jw_kv_double(struct jw *jw, const char *key, double value)
{
    jw_key(jw, key);
    jw_double(jw, value);
}

void jw_kv_bool(struct jw *jw, const char *key, bool value)
{
    jw_key(jw, key);
    jw_bool(jw, value);
}

void jw_kv_null(struct jw *jw, const char *key)
{
    jw_key(jw, key);
    jw_null(jw);
}

void jw_kv_time(struct jw *jw, const char *key, int64_t ms)
{
    jw_key(jw, key);
    jw_time(jw, ms);
}

void jw_kv_raw(struct jw *jw, const char *key, const char *json)
{
    jw_key(jw, key);
    jw_raw(jw, json);
}
