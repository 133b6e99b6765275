/*
 * h_users.c — people who sign in to the web console, for admins (issue 8, round 2; README
 * "Web console"): GET /v1/users (by e-mail, cursor paging), GET /v1/users/{id or e-mail},
 * POST /v1/users {"email","password","role","scope"} and PATCH /v1/users/{id}
 * {"role","scope","disabled","password"} (any of them). A disabled user cannot sign in, and a
 * change of role or password, or disabling, ends the user's sessions. Password hashes never
 * leave the server.
 */
#include "http/handler.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/limits.h"
#include "http/render.h"
#include "lib/json.h"

#define USERS_PAGE_DEFAULT 100

static void users_render_one(struct jw *jw, const struct user *user)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", user->id);
    jw_kv_string(jw, "email", user->email);
    jw_kv_string(jw, "role", role_name(user->role));
    const char *scope = user->scope_channel != NULL    ? user->scope_channel
                        : user->scope_location != NULL ? user->scope_location
                                                       : user->scope_customer;
    jw_kv_string(jw, "scope", scope);
    jw_kv_bool(jw, "disabled", user->disabled_at_ms != 0);
    jw_kv_time(jw, "disabled_at", user->disabled_at_ms);
    jw_kv_time(jw, "created_at", user->created_at_ms);
    jw_object_end(jw);
}

static enum err_code users_answer(struct http_response *resp, const struct user *user, int status,
                                  struct err *err)
{
    struct jw jw;
    jw_init(&jw, resp->body);
    users_render_one(&jw, user);
    resp->status = status;
    return http_finish(&jw, err);
}

HTTP_HANDLER(h_users_list)
{
    const char *after = NULL;
    size_t limit = USERS_PAGE_DEFAULT;
    const char *text = NULL;
    enum err_code code = http_query_cursor(req, EMAIL_LEN_MAX, &after, err);
    if (code == ERR_OK) {
        code = http_query(req, "limit", 8, &text, err);
    }
    if (code == ERR_OK && text != NULL) {
        char *end = NULL;
        long value = strtol(text, &end, 10);
        if (end == text || *end != '\0' || value < 1 || value > APP_USERS_PAGE_MAX) {
            return err_set(err, ERR_INVALID, "limit", "limit must be 1 to %d", APP_USERS_PAGE_MAX);
        }
        limit = (size_t)value;
    }
    struct user *users = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = app_user_list(&req->ctx, after, limit, &users, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        users_render_one(&jw, &users[i]);
    }
    render_list_end(&jw, count == limit ? users[count - 1].email : NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

HTTP_HANDLER(h_users_get)
{
    struct user user;
    enum err_code code = app_user_get(&req->ctx, req->params[0], &user, err);
    if (code != ERR_OK) {
        return code;
    }
    return users_answer(resp, &user, 200, err);
}

/* A string member (arena copy) or, when absent, NULL; 422 naming it when not a string. */
static enum err_code users_string(struct http_request *req, json_t *root, const char *name,
                                  const char **out, struct err *err)
{
    json_t *value = json_object_get(root, name);
    *out = NULL;
    if (value == NULL) {
        return ERR_OK;
    }
    if (!json_is_string(value) || strlen(json_string_value(value)) != json_string_length(value)) {
        return err_set(err, ERR_INVALID, name, "%s must be a string", name);
    }
    *out = arena_strdup(req->ctx.arena, json_string_value(value));
    return *out == NULL ? err_set(err, ERR_TOO_LARGE, NULL, "out of request memory") : ERR_OK;
}

/* The body's object; 400 when not JSON, 422 when not an object or with an unknown member. */
static enum err_code users_body(const struct http_request *req, const char *const *known,
                                json_t **out, struct err *err)
{
    json_error_t jerr;
    json_t *root = json_loadb(req->body, req->body_len, JSON_REJECT_DUPLICATES, &jerr);
    if (root == NULL) {
        return err_set(err, ERR_MALFORMED, NULL, "the body is not JSON: %s", jerr.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(err, ERR_INVALID, NULL, "the body must be a JSON object");
    }
    const char *key = NULL;
    json_t *value = NULL;
    json_object_foreach(root, key, value)
    {
        bool ok = false;
        for (size_t i = 0; known[i] != NULL && !ok; i++) {
            ok = strcmp(key, known[i]) == 0;
        }
        if (!ok) {
            enum err_code code = err_set(err, ERR_INVALID, key, "unknown field '%s'", key);
            json_decref(root);
            return code;
        }
    }
    *out = root;
    return ERR_OK;
}

/* "role" (with "scope") of a body into role and scope; has is false when absent. */
static enum err_code users_role(struct http_request *req, json_t *root, bool *has, enum role *role,
                                const char **scope, struct err *err)
{
    const char *name = NULL;
    enum err_code code = users_string(req, root, "role", &name, err);
    if (code == ERR_OK) {
        code = users_string(req, root, "scope", scope, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *has = name != NULL;
    if (name != NULL && !role_parse(name, role)) {
        return err_set(err, ERR_INVALID, "role", "unknown role '%s'", name);
    }
    if (name == NULL && *scope != NULL) {
        return err_set(err, ERR_INVALID, "scope", "a scope is given with a role");
    }
    return ERR_OK;
}

static enum err_code users_parse_patch(struct http_request *req, struct app_user_patch *patch,
                                       struct err *err)
{
    static const char *const known[] = {"role", "scope", "disabled", "password", NULL};
    json_t *root = NULL;
    enum err_code code = users_body(req, known, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    code = users_role(req, root, &patch->has_role, &patch->role, &patch->scope, err);
    if (code == ERR_OK) {
        code = users_string(req, root, "password", &patch->password, err);
    }
    json_t *disabled = json_object_get(root, "disabled");
    if (code == ERR_OK && disabled != NULL) {
        if (!json_is_boolean(disabled)) {
            code = err_set(err, ERR_INVALID, "disabled", "disabled must be true or false");
        }
        patch->has_disabled = true;
        patch->disabled = json_is_true(disabled);
    }
    json_decref(root);
    return code;
}

HTTP_HANDLER(h_users_patch)
{
    struct app_user_patch patch;
    memset(&patch, 0, sizeof(patch));
    patch.id_or_email = req->params[0];
    enum err_code code = users_parse_patch(req, &patch, err);
    struct user user;
    if (code == ERR_OK) {
        code = app_user_update(&req->ctx, &patch, &user, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    return users_answer(resp, &user, 200, err);
}

HTTP_HANDLER(h_users_create)
{
    static const char *const known[] = {"email", "password", "role", "scope", NULL};
    json_t *root = NULL;
    enum err_code code = users_body(req, known, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct app_user_input input;
    memset(&input, 0, sizeof(input));
    bool has_role = false;
    code = users_string(req, root, "email", &input.email, err);
    if (code == ERR_OK) {
        code = users_string(req, root, "password", &input.password, err);
    }
    if (code == ERR_OK) {
        code = users_role(req, root, &has_role, &input.role, &input.scope, err);
    }
    json_decref(root);
    if (code == ERR_OK && !has_role) {
        code = err_set(err, ERR_INVALID, "role", "role is required");
    }
    const char *id = NULL;
    if (code == ERR_OK) {
        code = app_user_create(&req->ctx, &input, &id, err);
    }
    struct user user;
    if (code == ERR_OK) {
        code = app_user_get(&req->ctx, id, &user, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    return users_answer(resp, &user, 201, err);
}
