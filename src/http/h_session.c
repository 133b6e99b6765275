/*
 * h_session.c — signing in to the web console (issue 8; README "Web console"):
 * POST /v1/session {"email","password"} sets the session cookie, GET /v1/session says who is
 * signed in ({"signed_in": false} for nobody), DELETE /v1/session signs out. A request without an
 * Authorization header is signed in by its cookie here; a state-changing one must then echo the
 * session's CSRF token in X-CSRF-Token. The cookie is HttpOnly, SameSite=Strict and Path=/; Ordo
 * serves plain HTTP today, so it is not marked Secure (put a TLS proxy in front and it should be).
 */
#include "http/handler.h"

#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "lib/json.h"
#include "lib/log.h"
#include "lib/str.h"

#define SESSION_COOKIE         "ordo_session"
#define SESSION_COOKIE_LEN_MAX 4096

void http_response_header(struct http_response *resp, const char *name, const char *value)
{
    ASSERT(resp != NULL && name != NULL);
    if (value == NULL) {
        return;
    }
    if (resp->headers_count >= HTTP_RESPONSE_HEADERS_MAX) {
        log_warn("http: response header %s dropped (more than %d)", name,
                 HTTP_RESPONSE_HEADERS_MAX);
        return;
    }
    resp->headers[2 * resp->headers_count] = name;
    resp->headers[2 * resp->headers_count + 1] = value;
    resp->headers_count++;
}

/* The value of cookie name in the Cookie header (arena copy), or NULL. */
static const char *session_cookie(const struct http_request *req, const char *name)
{
    const char *header = http_header(req, "Cookie");
    if (header == NULL || strlen(header) > SESSION_COOKIE_LEN_MAX) {
        return NULL;
    }
    size_t name_len = strlen(name);
    const char *p = header;
    while (*p != '\0') {
        while (*p == ' ' || *p == ';') {
            p++;
        }
        const char *end = strchr(p, ';');
        size_t len = end == NULL ? strlen(p) : (size_t)(end - p);
        if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            return arena_strndup(req->ctx.arena, p + name_len + 1, len - name_len - 1);
        }
        p += len;
    }
    return NULL;
}

static bool session_is_safe_method(const char *method)
{
    return strcmp(method, "GET") == 0 || strcmp(method, "HEAD") == 0;
}

enum err_code http_session_authenticate(struct http_request *req, struct err *err)
{
    ASSERT(req != NULL);
    const char *token = session_cookie(req, SESSION_COOKIE);
    if (token == NULL) {
        return err_set(err, ERR_AUTH, NULL,
                       "an API key is required: Authorization: Bearer <key> (or sign in)");
    }
    struct app_session *session = arena_alloc(req->ctx.arena, sizeof(*session));
    if (session == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "the request needs more memory than allowed");
    }
    enum err_code code = app_session_resolve(&req->ctx, token, session, &req->principal, err);
    if (code != ERR_OK) {
        return code;
    }
    if (!session_is_safe_method(req->method)) {
        const char *csrf = http_header(req, "X-CSRF-Token");
        size_t len = strlen(session->csrf_token);
        if (csrf == NULL || strlen(csrf) != len ||
            !id_equal_secret(csrf, session->csrf_token, len)) {
            return err_set_reason(err, ERR_FORBIDDEN, "csrf", "X-CSRF-Token",
                                  "X-CSRF-Token is missing or does not match the session");
        }
    }
    session->token = token;
    req->session = session;
    req->ctx.principal = &req->principal;
    return ERR_OK;
}

/* The body of POST /v1/session: two strings. 400 when not JSON, 422 naming a bad field. */
static enum err_code session_parse(const struct http_request *req, const char **email,
                                   const char **password, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return err_set(err, ERR_MALFORMED, NULL, "the body is not JSON: %s", jerr.text);
    }
    enum err_code code = ERR_OK;
    const char *names[2] = {"email", "password"};
    const char **outs[2] = {email, password};
    for (size_t i = 0; i < 2 && code == ERR_OK; i++) {
        json_t *value = json_is_object(root) ? json_object_get(root, names[i]) : NULL;
        if (!json_is_string(value) ||
            strlen(json_string_value(value)) != json_string_length(value)) {
            code = err_set(err, ERR_INVALID, names[i], "%s must be a string", names[i]);
        } else {
            *outs[i] = arena_strdup(req->ctx.arena, json_string_value(value));
            if (*outs[i] == NULL) {
                code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
            }
        }
    }
    json_decref(root);
    return code;
}

/* What the role may do, for the console to offer only the actions that will be allowed. */
static const char *const session_permissions[PERM_COUNT] = {
    [PERM_ORDERS_CREATE] = "orders.create",
    [PERM_ORDERS_READ] = "orders.read",
    [PERM_ORDERS_MANAGE] = "orders.manage",
    [PERM_CATALOG_READ] = "catalog.read",
    [PERM_CATALOG_WRITE] = "catalog.write",
    [PERM_INVENTORY_READ] = "inventory.read",
    [PERM_INVENTORY_WRITE] = "inventory.write",
    [PERM_CUSTOMERS_READ] = "customers.read",
    [PERM_CUSTOMERS_WRITE] = "customers.write",
    [PERM_FULFILLMENT] = "fulfillment",
    [PERM_METRICS_READ] = "metrics.read",
    [PERM_METRICS_WRITE] = "metrics.write",
    [PERM_ADMIN] = "admin",
    [PERM_ROUTING_READ] = "routing.read",
    [PERM_ROUTING_WRITE] = "routing.write",
    [PERM_PAYMENTS_REFUND] = "payments.refund",
};

static enum err_code session_render(const struct app_session *session, struct buf *body,
                                    struct err *err)
{
    struct jw jw;
    jw_init(&jw, body);
    jw_object_begin(&jw);
    jw_kv_bool(&jw, "signed_in", true);
    jw_kv_string(&jw, "user_id", session->user_id);
    jw_kv_string(&jw, "email", session->email);
    jw_kv_string(&jw, "role", role_name(session->role));
    jw_kv_string(&jw, "scope", session->scope);
    jw_kv_string(&jw, "csrf_token", session->csrf_token);
    jw_key(&jw, "expires_at");
    jw_time(&jw, session->expires_at_ms);
    jw_key(&jw, "permissions");
    jw_array_begin(&jw);
    for (int perm = 0; perm < PERM_COUNT; perm++) {
        if (auth_role_allows(session->role, (enum permission)perm) &&
            session_permissions[perm] != NULL) {
            jw_string(&jw, session_permissions[perm]);
        }
    }
    jw_array_end(&jw);
    jw_object_end(&jw);
    return http_finish(&jw, err);
}

HTTP_HANDLER(h_session_create)
{
    const char *email = NULL;
    const char *password = NULL;
    enum err_code code = session_parse(req, &email, &password, err);
    if (code != ERR_OK) {
        return code;
    }
    struct app_session session;
    struct app_signin in = {
        .email = email, .password = password, .client_ip = http_client_ip(req), .retry_after_s = 0};
    code = app_session_create(&req->ctx, &in, &session, err);
    if (code == ERR_BUSY && in.retry_after_s > 0) {
        http_response_header(resp, "Retry-After",
                             arena_sprintf(req->ctx.arena, "%lld", (long long)in.retry_after_s));
    }
    if (code != ERR_OK) {
        return code;
    }
    const char *cookie = arena_sprintf(
        req->ctx.arena, SESSION_COOKIE "=%s; Path=/; HttpOnly; SameSite=Strict; Max-Age=%lld",
        session.token, (long long)(APP_SESSION_TTL_MS / 1000));
    if (cookie == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    http_response_header(resp, "Set-Cookie", cookie);
    http_response_header(resp, "Cache-Control", "no-store");
    resp->status = 201;
    return session_render(&session, resp->body, err);
}

HTTP_HANDLER(h_session_get)
{
    /* Public, so that a visitor's first question is not an error: {"signed_in": false}. */
    http_response_header(resp, "Cache-Control", "no-store");
    resp->status = 200;
    if (http_header(req, "Cookie") != NULL) {
        enum err_code code = http_session_authenticate(req, err);
        if (code != ERR_OK && code != ERR_AUTH) {
            return code;
        }
        err_clear(err);
    }
    if (req->session == NULL) {
        if (buf_appends(resp->body, "{\"signed_in\":false}") != ERR_OK) {
            return err_set(err, ERR_INTERNAL, NULL, "the answer does not fit");
        }
        return ERR_OK;
    }
    return session_render(req->session, resp->body, err);
}

HTTP_HANDLER(h_session_delete)
{
    if (req->session == NULL) {
        return err_set(err, ERR_AUTH, NULL, "signed in with an API key, not a session");
    }
    enum err_code code = app_session_delete(&req->ctx, req->session->token, err);
    if (code != ERR_OK) {
        return code;
    }
    http_response_header(resp, "Set-Cookie",
                         SESSION_COOKIE "=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0");
    resp->status = 204;
    return ERR_OK;
}
