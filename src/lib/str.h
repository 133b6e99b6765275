/*
 * str.h — non-owning string slices and strict conversions. A slice never owns its bytes and
 * is not NUL-terminated; the pointer always comes before the length.
 */
#ifndef ORDO_LIB_STR_H
#define ORDO_LIB_STR_H

#include "lib/base.h"
#include "lib/err.h"

struct str {
    const char *ptr;
    size_t len;
};

#define STR_LIT(s) ((struct str){(s), sizeof(s) - 1})

/* A slice over a NUL-terminated string (NULL gives the empty slice). */
struct str str_from_cstr(const char *s);

bool str_eq(struct str a, struct str b);
bool str_eq_cstr(struct str a, const char *b);
bool str_starts_with(struct str s, const char *prefix);

/*
 * Strict base-10 integer: the whole slice, an optional leading '-', digits only, no spaces,
 * overflow checked. ERR_INVALID otherwise; *out untouched on failure.
 */
MUST_CHECK enum err_code str_to_i64(struct str s, int64_t *out);

/* Strict decimal number (as strtod, but the whole slice and finite). */
MUST_CHECK enum err_code str_to_double(struct str s, double *out);

/*
 * Copies src into dst (size dst_size > 0), truncating, always NUL-terminated. Returns
 * strlen(src) so that a caller can detect truncation (result >= dst_size).
 */
size_t str_copy(char *dst, size_t dst_size, const char *src);

/* Room for an int64 in decimal: "-9223372036854775808" and the NUL. */
#define STR_I64_LEN 21

/* Writes value in decimal into out, NUL-terminated, and returns its length: snprintf's "%" PRId64
 * without parsing a format, for the JSON of every response (glibc's snprintf was a tenth of a
 * GET /v1/orders/{id}). */
size_t str_from_i64(char out[STR_I64_LEN], int64_t value);

/* Length (1..4) of the valid UTF-8 character that s begins with, 0 when it is not one
 * (a stray or truncated byte, an overlong form, a surrogate) or len is 0. */
size_t str_utf8_char_len(const char *s, size_t len);

/* True when s is valid UTF-8 without NUL or other C0 control characters except tab. */
bool str_is_clean_utf8(const char *s, size_t len);

/* Splits "a,b,c" at sep: returns the next piece and advances *rest (empty when done). */
struct str str_next_token(struct str *rest, char sep);

#endif
