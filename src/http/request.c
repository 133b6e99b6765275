/*
 * request.c — helpers every handler uses: headers, percent-decoded query values, page
 * limits, the Idempotency-Key and If-Match headers, and writing a success answer. Outside
 * input is checked here and answered with 422 naming the parameter or header; nothing here
 * asserts on what a client sent.
 */
#include "http/handler.h"

#include <string.h>

#include "core/limits.h"
#include "lib/id.h"
#include "lib/json.h"
#include "lib/str.h"

const char *http_header(const struct http_request *req, const char *name)
{
    ASSERT(req != NULL);
    ASSERT(name != NULL);
    if (req->lookup == NULL) {
        return NULL;
    }
    return req->lookup(req->lookup_ctx, HTTP_VALUE_HEADER, name);
}

static int http_hex_value(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

const char *http_client_ip(struct http_request *req)
{
    ASSERT(req != NULL);
    if (!req->client_ip_read) {
        req->client_ip_read = true;
        req->client_ip = req->peer != NULL ? req->peer(req->lookup_ctx, req->ctx.arena) : NULL;
    }
    return req->client_ip;
}

enum err_code http_percent_decode(struct arena *arena, const char *src, size_t len,
                                  const char **out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(src != NULL || len == 0);
    char *dst = arena_alloc(arena, len + 1);
    if (dst == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "the request needs more memory than allowed");
    }
    size_t n = 0;
    for (size_t i = 0; i < len; i++) {
        if (src[i] != '%') {
            dst[n++] = src[i];
            continue;
        }
        if (i + 2 >= len) {
            return err_set(err, ERR_INVALID, NULL, "bad percent-encoding");
        }
        int hi = http_hex_value(src[i + 1]);
        int lo = http_hex_value(src[i + 2]);
        if (hi < 0 || lo < 0) {
            return err_set(err, ERR_INVALID, NULL, "bad percent-encoding");
        }
        char c = (char)(hi * 16 + lo);
        if (c == '\0') {
            return err_set(err, ERR_INVALID, NULL, "percent-encoded NUL");
        }
        dst[n++] = c;
        i += 2;
    }
    dst[n] = '\0';
    *out = dst;
    return ERR_OK;
}

enum err_code http_query(const struct http_request *req, const char *name, size_t len_max,
                         const char **out, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    const char *raw =
        req->lookup == NULL ? NULL : req->lookup(req->lookup_ctx, HTTP_VALUE_QUERY, name);
    if (raw == NULL) {
        return ERR_OK;
    }
    const char *value = NULL;
    enum err_code code = http_percent_decode(req->ctx.arena, raw, strlen(raw), &value, err);
    if (code == ERR_TOO_LARGE) {
        return code;
    }
    if (code != ERR_OK || value == NULL) {
        return err_set(err, ERR_INVALID, name, "%s has a bad percent-encoding", name);
    }
    if (strlen(value) > len_max) {
        return err_set(err, ERR_INVALID, name, "%s must be at most %zu bytes long", name, len_max);
    }
    *out = value;
    return ERR_OK;
}

enum err_code http_query_cursor(const struct http_request *req, size_t len_max, const char **out,
                                struct err *err)
{
    enum err_code code = http_query(req, "cursor", len_max, out, err);
    if (code == ERR_OK && *out != NULL && (*out)[0] == '\0') {
        *out = NULL;
    }
    return code;
}

bool http_is_token(const char *s, size_t len_max)
{
    ASSERT(s != NULL);
    size_t len = strlen(s);
    if (len == 0 || len > len_max) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

enum err_code http_query_limit(const struct http_request *req, size_t *out, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(out != NULL);
    const char *text = NULL;
    enum err_code code = http_query(req, "limit", 20, &text, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = PAGE_LIMIT_DEFAULT;
    if (text == NULL) {
        return ERR_OK;
    }
    int64_t limit = 0;
    if (str_to_i64(str_from_cstr(text), &limit) != ERR_OK || limit < 1 || limit > PAGE_LIMIT_MAX) {
        return err_set(err, ERR_INVALID, "limit",
                       "limit must be an integer from 1 to %d, got \"%s\"", PAGE_LIMIT_MAX, text);
    }
    *out = (size_t)limit;
    return ERR_OK;
}

/* True for 1..IDEMPOTENCY_KEY_LEN_MAX printable ASCII characters. */
static bool http_idempotency_key_is_valid(const char *key)
{
    size_t len = strlen(key);
    if (len == 0 || len > IDEMPOTENCY_KEY_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)key[i];
        if (c < 0x20 || c > 0x7E) {
            return false;
        }
    }
    return true;
}

enum err_code http_idempotency(const struct http_request *req, HTTP_RENDER_FN(render),
                               struct app_idempotency *idem, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(idem != NULL);
    memset(idem, 0, sizeof(*idem));
    idem->render = render;
    const char *key = http_header(req, "Idempotency-Key");
    if (key == NULL) {
        return ERR_OK;
    }
    if (!http_idempotency_key_is_valid(key)) {
        return err_set(err, ERR_INVALID, "Idempotency-Key",
                       "Idempotency-Key must be 1 to %d printable ASCII characters",
                       IDEMPOTENCY_KEY_LEN_MAX);
    }
    /* The hash covers what makes two requests "the same": method, path and body. */
    size_t method_len = strlen(req->method);
    size_t path_len = strlen(req->path);
    size_t total = method_len + 1 + path_len + 1 + req->body_len;
    char *text = arena_alloc(req->ctx.arena, total);
    if (text == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "the request needs more memory than allowed");
    }
    memcpy(text, req->method, method_len);
    text[method_len] = '\n';
    memcpy(text + method_len + 1, req->path, path_len);
    text[method_len + 1 + path_len] = '\n';
    if (req->body_len > 0) {
        memcpy(text + method_len + path_len + 2, req->body, req->body_len);
    }
    id_hash(idem->request_hash, text, total);
    idem->key = key;
    return ERR_OK;
}

enum err_code http_if_match(const struct http_request *req, int64_t current_version,
                            int64_t *expected, struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(expected != NULL);
    const char *text = http_header(req, "If-Match");
    if (text == NULL) {
        *expected = current_version;
        return ERR_OK;
    }
    struct str value = str_from_cstr(text);
    if (value.len >= 2 && value.ptr[0] == '"' && value.ptr[value.len - 1] == '"') {
        value.ptr++;
        value.len -= 2;
    }
    int64_t version = 0;
    if (value.len > 20 || str_to_i64(value, &version) != ERR_OK || version < 0) {
        return err_set(err, ERR_INVALID, "If-Match", "If-Match must be a version number");
    }
    *expected = version;
    return ERR_OK;
}

enum err_code http_finish(struct jw *jw, struct err *err)
{
    ASSERT(jw != NULL);
    enum err_code code = jw_finish(jw);
    if (code != ERR_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "the answer is larger than %zu bytes",
                       RESPONSE_BYTES_MAX);
    }
    return ERR_OK;
}

enum err_code http_answer(struct http_response *resp, const struct app_idempotency *idem,
                          const void *result, HTTP_RENDER_FN(render), struct err *err)
{
    ASSERT(resp != NULL);
    ASSERT(render != NULL);
    enum err_code code = ERR_OK;
    if (idem != NULL && idem->key != NULL && idem->body != NULL) {
        resp->status = idem->status;
        code = buf_appends(resp->body, idem->body);
    } else {
        code = render(result, resp->body, &resp->status);
    }
    if (code != ERR_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "the answer is larger than %zu bytes",
                       RESPONSE_BYTES_MAX);
    }
    return ERR_OK;
}
