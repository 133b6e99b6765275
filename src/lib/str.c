/*
 * str.c — slices and strict number parsing. Nothing here allocates; conversions reject
 * anything but the exact form, so outside input never gets a lenient reading.
 */
#include "lib/str.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

struct str str_from_cstr(const char *s)
{
    struct str out = {s == NULL ? "" : s, s == NULL ? 0 : strlen(s)};
    return out;
}

bool str_eq(struct str a, struct str b)
{
    return a.len == b.len && (a.len == 0 || memcmp(a.ptr, b.ptr, a.len) == 0);
}

bool str_eq_cstr(struct str a, const char *b)
{
    ASSERT(b != NULL);
    return str_eq(a, str_from_cstr(b));
}

bool str_starts_with(struct str s, const char *prefix)
{
    ASSERT(prefix != NULL);
    size_t n = strlen(prefix);
    return s.len >= n && memcmp(s.ptr, prefix, n) == 0;
}

enum err_code str_to_i64(struct str s, int64_t *out)
{
    ASSERT(out != NULL);
    ASSERT(s.ptr != NULL || s.len == 0);
    size_t i = 0;
    bool negative = false;
    if (s.len > 0 && s.ptr[0] == '-') {
        negative = true;
        i = 1;
    }
    if (i == s.len) {
        return ERR_INVALID;
    }
    uint64_t value = 0;
    uint64_t limit = negative ? (uint64_t)INT64_MAX + 1u : (uint64_t)INT64_MAX;
    for (; i < s.len; i++) {
        char c = s.ptr[i];
        if (c < '0' || c > '9') {
            return ERR_INVALID;
        }
        uint64_t digit = (uint64_t)(c - '0');
        if (value > (limit - digit) / 10u) {
            return ERR_INVALID;
        }
        value = value * 10u + digit;
    }
    if (negative) {
        *out = value == (uint64_t)INT64_MAX + 1u ? INT64_MIN : -(int64_t)value;
    } else {
        *out = (int64_t)value;
    }
    return ERR_OK;
}

enum err_code str_to_double(struct str s, double *out)
{
    ASSERT(out != NULL);
    char tmp[64];
    if (s.len == 0 || s.len >= sizeof(tmp)) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i < s.len; i++) {
        char c = s.ptr[i];
        bool ok =
            (c >= '0' && c <= '9') || c == '-' || c == '+' || c == '.' || c == 'e' || c == 'E';
        if (!ok) {
            return ERR_INVALID;
        }
    }
    memcpy(tmp, s.ptr, s.len);
    tmp[s.len] = '\0';
    char *end = NULL;
    double value = strtod(tmp, &end);
    if (end != tmp + s.len || !isfinite(value)) {
        return ERR_INVALID;
    }
    *out = value;
    return ERR_OK;
}

size_t str_copy(char *dst, size_t dst_size, const char *src)
{
    ASSERT(dst != NULL);
    ASSERT(dst_size > 0);
    size_t len = src == NULL ? 0 : strlen(src);
    size_t n = len < dst_size ? len : dst_size - 1;
    if (n > 0) {
        memcpy(dst, src, n);
    }
    dst[n] = '\0';
    return len;
}

size_t str_from_i64(char out[STR_I64_LEN], int64_t value)
{
    ASSERT(out != NULL);
    char digits[STR_I64_LEN];
    size_t count = 0;
    /* The magnitude as unsigned: -INT64_MIN does not fit an int64_t. */
    uint64_t rest = value < 0 ? (uint64_t)0 - (uint64_t)value : (uint64_t)value;
    do {
        digits[count++] = (char)('0' + (int)(rest % 10));
        rest /= 10;
    } while (rest != 0);
    size_t len = 0;
    if (value < 0) {
        out[len++] = '-';
    }
    while (count > 0) {
        out[len++] = digits[--count];
    }
    out[len] = '\0';
    return len;
}

static size_t utf8_sequence_len(unsigned char c)
{
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        return 3;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        return 4;
    }
    return 0;
}

size_t str_utf8_char_len(const char *s, size_t len)
{
    ASSERT(s != NULL || len == 0);
    if (len == 0) {
        return 0;
    }
    unsigned char c = (unsigned char)s[0];
    size_t n = utf8_sequence_len(c);
    if (n == 0 || n > len) {
        return 0;
    }
    for (size_t k = 1; k < n; k++) {
        if (((unsigned char)s[k] & 0xC0) != 0x80) {
            return 0;
        }
    }
    /* Reject overlong 3- and 4-byte forms and surrogates. */
    unsigned char c1 = n > 1 ? (unsigned char)s[1] : 0;
    if ((c == 0xE0 && c1 < 0xA0) || (c == 0xED && c1 > 0x9F) || (c == 0xF0 && c1 < 0x90) ||
        (c == 0xF4 && c1 > 0x8F)) {
        return 0;
    }
    return n;
}

bool str_is_clean_utf8(const char *s, size_t len)
{
    ASSERT(s != NULL || len == 0);
    size_t i = 0;
    while (i < len) {
        unsigned char c = (unsigned char)s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7F) {
            return false;
        }
        size_t n = str_utf8_char_len(s + i, len - i);
        if (n == 0) {
            return false;
        }
        i += n;
    }
    return true;
}

struct str str_next_token(struct str *rest, char sep)
{
    ASSERT(rest != NULL);
    const char *p = rest->len > 0 ? memchr(rest->ptr, sep, rest->len) : NULL;
    struct str token = *rest;
    if (p == NULL) {
        rest->ptr += rest->len;
        rest->len = 0;
        return token;
    }
    token.len = (size_t)(p - rest->ptr);
    rest->len -= token.len + 1;
    rest->ptr = p + 1;
    return token;
}
