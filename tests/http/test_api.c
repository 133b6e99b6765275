/*
 * test_api.c — Ordo's HTTP API, black box: each case file tests/api/NNN_name.json runs as its
 * own Criterion test against a fresh `ordo serve` on a fresh temporary database. A case lists
 * API keys (created on first use with `ordo key create`) and steps: a request, the expected
 * status and JSON (a subset), paths that must exist, and values to save for later steps
 * (${name}). After the last step `ordo check` must pass and the server must stop cleanly on
 * SIGTERM. ORDO_CASE=substring runs only the matching case files. The format is described in
 * tests/api/README.md.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <glob.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/server.h"

#define CASES_GLOB    "tests/api/*.json"
#define FIXTURES_DIR  "tests/api/fixtures"
#define BAD_KEY       "ordo_invalid_key_0000000000000000"
#define SHOW_BODY_MAX 1500
#define TEXT_MAX      (1024 * 1024)

struct case_param {
    char *path; /* cr_malloc'ed: criterion hands parameters to the worker process */
};

/* Everything one case holds; a global so that the fini can release it after a failed assert. */
struct runner {
    struct test_server server;
    bool server_ready;
    struct client *client;
    json_t *doc;     /* the case file */
    json_t *keys;    /* key name -> created key string */
    json_t *saved;   /* ${name} -> value */
    json_t *step;    /* the step being run, substituted (owned) */
    json_t *fixture; /* the fixture file being included, or NULL */
    struct http_response res;
    char where[512];  /* "case step N METHOD PATH", for messages */
    const char *name; /* case name (borrowed from doc) */
};

static struct runner g_run;

static void runner_fini(void)
{
    http_response_release(&g_run.res);
    client_free(g_run.client);
    g_run.client = NULL;
    if (g_run.server_ready) {
        test_server_cleanup(&g_run.server);
        g_run.server_ready = false;
    }
    json_decref(g_run.step);
    json_decref(g_run.fixture);
    json_decref(g_run.saved);
    json_decref(g_run.keys);
    json_decref(g_run.doc);
    g_run.step = NULL;
    g_run.fixture = NULL;
    g_run.saved = NULL;
    g_run.keys = NULL;
    g_run.doc = NULL;
}

/* Fails the case with a message that names the case, the step and the last answer. */
static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void fail(const char *fmt, ...)
{
    char message[2048];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    const char *body = g_run.res.body != NULL ? g_run.res.body : "";
    cr_assert_fail("[%s] %s\n    answer %ld: %.*s", g_run.where, message, g_run.res.status,
                   SHOW_BODY_MAX, body);
    abort();
}

/* ---- substitution of ${name} ------------------------------------------------------------- */

static const char *saved_text(const char *name, size_t name_len, char *scratch, size_t size)
{
    char key[128];
    if (name_len >= sizeof(key)) {
        fail("variable name too long");
    }
    memcpy(key, name, name_len);
    key[name_len] = '\0';
    json_t *value = json_object_get(g_run.saved, key);
    if (value == NULL) {
        fail("unknown variable ${%s} (not saved by an earlier step)", key);
    }
    const char *text = json_text_at(value, "", scratch, size);
    if (text == NULL) {
        fail("variable ${%s} is not a string or number", key);
    }
    return text;
}

/* A new string value: text with every ${name} replaced by the saved value's text. */
static json_t *substitute_string(const char *text, size_t len)
{
    if (len > 3 && text[0] == '$' && text[1] == '{' && text[len - 1] == '}' &&
        memchr(text + 2, '}', len - 3) == NULL) {
        char key[128];
        snprintf(key, sizeof(key), "%.*s", (int)(len - 3), text + 2);
        json_t *value = json_object_get(g_run.saved, key);
        if (value != NULL && !json_is_string(value)) {
            return json_deep_copy(value);
        }
    }
    char *out = malloc(TEXT_MAX);
    size_t out_len = 0;
    for (size_t i = 0; i < len; i++) {
        const char *close = text[i] == '$' && i + 1 < len && text[i + 1] == '{'
                                ? memchr(text + i + 2, '}', len - i - 2)
                                : NULL;
        char scratch[64];
        const char *piece = close != NULL ? saved_text(text + i + 2, (size_t)(close - text) - i - 2,
                                                       scratch, sizeof(scratch))
                                          : text + i;
        size_t piece_len = close != NULL ? strlen(piece) : 1;
        if (out_len + piece_len >= TEXT_MAX) {
            free(out);
            fail("substituted string too long");
        }
        memcpy(out + out_len, piece, piece_len);
        out_len += piece_len;
        i = close != NULL ? (size_t)(close - text) : i;
    }
    json_t *result = json_stringn(out, out_len);
    free(out);
    return result;
}

/* A deep copy of value with every string substituted (a worklist, not recursion). */
static json_t *substitute(const json_t *value)
{
    json_t *root = json_deep_copy(value);
    json_t *holder = json_pack("[o]", root);
    json_t *stack[4096];
    size_t depth = 0;
    stack[depth++] = holder;
    while (depth > 0) {
        json_t *node = stack[--depth];
        size_t n = json_is_array(node) ? json_array_size(node) : 0;
        for (size_t i = 0; i < n; i++) {
            json_t *child = json_array_get(node, i);
            if (json_is_string(child)) {
                json_array_set_new(
                    node, i,
                    substitute_string(json_string_value(child), json_string_length(child)));
            } else if ((json_is_array(child) || json_is_object(child)) && depth < 4096) {
                stack[depth++] = child;
            }
        }
        const char *name;
        json_t *child;
        json_object_foreach(json_is_object(node) ? node : NULL, name, child)
        {
            if (json_is_string(child)) {
                json_object_set_new(
                    node, name,
                    substitute_string(json_string_value(child), json_string_length(child)));
            } else if ((json_is_array(child) || json_is_object(child)) && depth < 4096) {
                stack[depth++] = child;
            }
        }
    }
    json_t *result = json_incref(json_array_get(holder, 0));
    json_decref(holder);
    return result;
}

/* ---- keys -------------------------------------------------------------------------------- */

/* The key to send for a name: created with `ordo key create` on first use (while serving). */
static const char *key_for(const char *name)
{
    if (strcmp(name, "none") == 0) {
        return NULL;
    }
    if (strcmp(name, "bad") == 0) {
        return BAD_KEY;
    }
    json_t *have = json_object_get(g_run.keys, name);
    if (have != NULL) {
        return json_string_value(have);
    }
    json_t *def = json_object_get(json_object_get(g_run.doc, "keys"), name);
    if (!json_is_object(def)) {
        fail("key \"%s\" is not declared in \"keys\"", name);
    }
    const char *role = json_string_value(json_object_get(def, "role"));
    const char *flags[] = {"channel", "location", "customer"};
    const char *flag = NULL;
    const char *value = NULL;
    for (size_t i = 0; i < 3; i++) {
        if (json_is_string(json_object_get(def, flags[i]))) {
            flag = flags[i];
            value = json_string_value(json_object_get(def, flags[i]));
        }
    }
    char key[TEST_SERVER_KEY_MAX];
    if (role == NULL ||
        !test_server_key_create(&g_run.server, role, flag, value, key, sizeof(key))) {
        fail("creating key \"%s\": %s", name, g_run.server.error);
    }
    json_object_set_new(g_run.keys, name, json_string(key));
    return json_string_value(json_object_get(g_run.keys, name));
}

/* ---- requests ---------------------------------------------------------------------------- */

/* The body of a request step: "json", "raw" or "raw_repeat"; malloc'ed into *owned. */
static void request_body(const json_t *request, struct http_request *req, char **owned)
{
    const json_t *json = json_object_get(request, "json");
    const json_t *raw = json_object_get(request, "raw");
    const json_t *rep = json_object_get(request, "raw_repeat");
    *owned = NULL;
    if (json != NULL) {
        http_request_set_json(req, json, owned);
    } else if (json_is_string(raw)) {
        size_t len = json_string_length(raw);
        *owned = malloc(len + 1);
        memcpy(*owned, json_string_value(raw), len + 1);
        req->body = *owned;
        req->body_len = len;
    } else if (json_is_object(rep)) {
        const char *prefix = json_string_value(json_object_get(rep, "prefix"));
        const char *text = json_string_value(json_object_get(rep, "text"));
        const char *suffix = json_string_value(json_object_get(rep, "suffix"));
        size_t times = (size_t)json_integer_value(json_object_get(rep, "times"));
        prefix = prefix != NULL ? prefix : "";
        suffix = suffix != NULL ? suffix : "";
        size_t text_len = text != NULL ? strlen(text) : 0;
        size_t len = strlen(prefix) + text_len * times + strlen(suffix);
        char *body = malloc(len + 1);
        size_t at = strlen(prefix);
        memcpy(body, prefix, at);
        for (size_t i = 0; i < times; i++, at += text_len) {
            memcpy(body + at, text, text_len);
        }
        memcpy(body + at, suffix, strlen(suffix) + 1);
        *owned = body;
        req->body = body;
        req->body_len = len;
    }
}

static void send_request(const json_t *request)
{
    struct http_request req = {0};
    char header_lines[CLIENT_HEADERS_MAX][512];
    req.method = json_string_value(json_object_get(request, "method"));
    req.path = json_string_value(json_object_get(request, "path"));
    if (req.method == NULL || req.path == NULL) {
        fail("request needs \"method\" and \"path\"");
    }
    const char *key_name = json_string_value(json_object_get(request, "key"));
    if (key_name == NULL) {
        key_name = json_object_get(json_object_get(g_run.doc, "keys"), "admin") ? "admin" : "none";
    }
    req.key = key_for(key_name);
    size_t n = 0;
    const char *name;
    json_t *value;
    json_object_foreach(json_object_get(request, "headers"), name, value)
    {
        if (n + 1 < CLIENT_HEADERS_MAX) {
            snprintf(header_lines[n], sizeof(header_lines[n]), "%s: %s", name,
                     json_is_string(value) ? json_string_value(value) : "");
            req.headers[n] = header_lines[n];
            n++;
        }
    }
    char *owned = NULL;
    request_body(request, &req, &owned);
    snprintf(g_run.where, sizeof(g_run.where), "%s step %s %s", g_run.name, req.method, req.path);
    http_response_release(&g_run.res);
    client_send(g_run.client, &req, &g_run.res);
    free(owned);
}

/* ---- expectations ------------------------------------------------------------------------ */

/* What every answer must look like, whatever the case says. */
static void expect_generic(void)
{
    const struct http_response *res = &g_run.res;
    if (res->status == 0) {
        fail("no answer: %s", res->error);
    }
    if (res->body_len > 0 && res->json == NULL) {
        fail("the body is not JSON");
    }
    if (res->body_len > 0 && strncmp(res->content_type, "application/json", 16) != 0) {
        fail("Content-Type is \"%s\", not application/json", res->content_type);
    }
    if (res->status >= 400) {
        const char *code = json_string_value(json_at(res->json, "error.code"));
        const char *message = json_string_value(json_at(res->json, "error.message"));
        if (code == NULL || code[0] == '\0' || message == NULL || message[0] == '\0') {
            fail("an error answer needs error.code and error.message");
        }
    }
}

static void expect_paths(const json_t *expect)
{
    size_t i;
    json_t *path;
    json_array_foreach(json_object_get(expect, "has"), i, path)
    {
        if (json_at(g_run.res.json, json_string_value(path)) == NULL) {
            fail("expected %s in the answer", json_string_value(path));
        }
    }
    json_array_foreach(json_object_get(expect, "absent"), i, path)
    {
        if (json_at(g_run.res.json, json_string_value(path)) != NULL) {
            fail("expected no %s in the answer", json_string_value(path));
        }
    }
    const char *name;
    json_t *value;
    json_object_foreach(json_object_get(expect, "len"), name, value)
    {
        json_t *array = json_at(g_run.res.json, name);
        if (!json_is_array(array) || json_array_size(array) != (size_t)json_integer_value(value)) {
            fail("expected %s to be an array of %lld, got %zu", name,
                 (long long)json_integer_value(value), json_array_size(array));
        }
    }
    json_object_foreach(json_object_get(expect, "differ"), name, value)
    {
        json_t *actual = json_at(g_run.res.json, name);
        size_t j;
        json_t *other;
        json_array_foreach(value, j, other)
        {
            if (actual == NULL || json_equal(actual, other)) {
                fail("expected %s to exist and differ from value %zu of the list", name, j);
            }
        }
    }
    json_object_foreach(json_object_get(expect, "one_of"), name, value)
    {
        json_t *actual = json_at(g_run.res.json, name);
        bool found = false;
        size_t j;
        json_t *allowed;
        json_array_foreach(value, j, allowed)
        {
            found = found || (actual != NULL && json_equal(actual, allowed));
        }
        if (!found) {
            char shown[256];
            const char *text = json_text_at(g_run.res.json, name, shown, sizeof(shown));
            fail("%s is %s, not one of the allowed values", name, text != NULL ? text : "absent");
        }
    }
}

/* "contains": {path: [items]}: each item is a subset of some element of the array at path. */
static void expect_contains(const json_t *expect)
{
    const char *name;
    json_t *items;
    json_object_foreach(json_object_get(expect, "contains"), name, items)
    {
        json_t *array = json_at(g_run.res.json, name);
        size_t i;
        json_t *item;
        json_array_foreach(items, i, item)
        {
            bool found = false;
            char why[512];
            for (size_t j = 0; j < json_array_size(array) && !found; j++) {
                found = json_subset(item, json_array_get(array, j), why, sizeof(why));
            }
            if (!found) {
                char *text = json_dumps(item, JSON_COMPACT);
                char shown[512];
                snprintf(shown, sizeof(shown), "%s", text != NULL ? text : "?");
                free(text);
                fail("no element of %s matches %s", name, shown);
            }
        }
    }
}

static void expect_answer(const json_t *expect)
{
    expect_generic();
    json_t *status = json_object_get(expect, "status");
    bool status_ok = json_is_integer(status) && g_run.res.status == json_integer_value(status);
    size_t i;
    json_t *allowed;
    json_array_foreach(status, i, allowed)
    {
        status_ok = status_ok || g_run.res.status == json_integer_value(allowed);
    }
    if (!status_ok) {
        char *text = json_dumps(status, JSON_ENCODE_ANY);
        char shown[64];
        snprintf(shown, sizeof(shown), "%s",
                 text != NULL ? text : "(none: expect.status is required)");
        free(text);
        fail("expected status %s, got %ld", shown, g_run.res.status);
    }
    char why[1024];
    json_t *json = json_object_get(expect, "json");
    if (json != NULL && !json_subset(json, g_run.res.json, why, sizeof(why))) {
        fail("body differs %s", why);
    }
    const char *same = json_string_value(json_object_get(expect, "same_as"));
    if (same != NULL) {
        json_t *first = json_object_get(g_run.saved, same);
        if (first == NULL || !json_equal(first, g_run.res.json)) {
            fail("expected exactly the body saved as \"%s\"", same);
        }
    }
    expect_paths(expect);
    expect_contains(expect);
}

static void save_values(const json_t *save)
{
    const char *name;
    json_t *path;
    json_object_foreach((json_t *)(uintptr_t)save, name, path)
    {
        json_t *value = json_at(g_run.res.json, json_string_value(path));
        if (value == NULL) {
            fail("cannot save %s: no %s in the answer", name, json_string_value(path));
        }
        json_object_set_new(g_run.saved, name, json_deep_copy(value));
    }
}

/* ---- steps ------------------------------------------------------------------------------- */

static void run_check(void)
{
    char output[4096];
    int rc = test_server_check(&g_run.server, output, sizeof(output));
    if (rc != 0) {
        fail("`ordo check` exited %d: %s", rc, output);
    }
}

static void run_control(const json_t *step)
{
    if (json_is_true(json_object_get(step, "restart"))) {
        snprintf(g_run.where, sizeof(g_run.where), "%s restart", g_run.name);
        if (!test_server_stop(&g_run.server) || !test_server_start(&g_run.server)) {
            fail("restart: %s", g_run.server.error);
        }
    } else if (json_is_true(json_object_get(step, "kill"))) {
        snprintf(g_run.where, sizeof(g_run.where), "%s kill -9 and start", g_run.name);
        test_server_kill(&g_run.server);
        if (!test_server_start(&g_run.server)) {
            fail("start after kill: %s", g_run.server.error);
        }
    } else if (json_is_true(json_object_get(step, "check"))) {
        snprintf(g_run.where, sizeof(g_run.where), "%s ordo check", g_run.name);
        run_check();
    } else {
        fail("a step needs request, restart, kill, check or include");
    }
    client_free(g_run.client);
    g_run.client = client_new(g_run.server.base_url);
}

static void run_step(const json_t *raw_step, size_t index)
{
    json_int_t times = json_is_integer(json_object_get(raw_step, "repeat"))
                           ? json_integer_value(json_object_get(raw_step, "repeat"))
                           : 1;
    for (json_int_t k = 0; k < times; k++) {
        json_object_set_new(g_run.saved, "i", json_integer(k));
        json_decref(g_run.step);
        g_run.step = substitute(raw_step);
        json_t *request = json_object_get(g_run.step, "request");
        if (request == NULL) {
            run_control(g_run.step);
            continue;
        }
        send_request(request);
        char tag[32];
        snprintf(tag, sizeof(tag), " (step %zu)", index);
        size_t used = strlen(g_run.where);
        snprintf(g_run.where + used, sizeof(g_run.where) - used, "%s", tag);
        expect_answer(json_object_get(g_run.step, "expect"));
        save_values(json_object_get(g_run.step, "save"));
    }
}

/* Runs the steps of a fixture file (tests/api/fixtures/NAME.json: {"steps": [...]}). */
static void run_include(const char *fixture, size_t index)
{
    char path[512];
    snprintf(path, sizeof(path), "%s/%s.json", FIXTURES_DIR, fixture);
    json_error_t error;
    json_decref(g_run.fixture);
    g_run.fixture = json_load_file(path, JSON_ALLOW_NUL, &error);
    if (g_run.fixture == NULL) {
        fail("fixture %s: %s at line %d", path, error.text, error.line);
    }
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(g_run.fixture, "steps"), i, step)
    {
        if (json_object_get(step, "include") != NULL) {
            fail("fixtures may not include fixtures");
        }
        run_step(step, index * 1000 + i);
    }
    json_decref(g_run.fixture);
    g_run.fixture = NULL;
}

static void run_case(const char *path)
{
    json_error_t error;
    g_run.doc = json_load_file(path, JSON_ALLOW_NUL, &error);
    snprintf(g_run.where, sizeof(g_run.where), "%s", path);
    if (g_run.doc == NULL) {
        fail("case file: %s at line %d", error.text, error.line);
    }
    g_run.name = json_string_value(json_object_get(g_run.doc, "name"));
    g_run.name = g_run.name != NULL ? g_run.name : path;
    g_run.keys = json_object();
    g_run.saved = json_object();
    g_run.server_ready = test_server_init(&g_run.server);
    if (!g_run.server_ready || !test_server_start(&g_run.server)) {
        fail("starting the server: %s", g_run.server.error);
    }
    g_run.client = client_new(g_run.server.base_url);
    size_t i;
    json_t *step;
    json_array_foreach(json_object_get(g_run.doc, "steps"), i, step)
    {
        const char *fixture = json_string_value(json_object_get(step, "include"));
        if (fixture != NULL) {
            run_include(fixture, i + 1);
        } else {
            run_step(step, i + 1);
        }
    }
    snprintf(g_run.where, sizeof(g_run.where), "%s: after the last step", g_run.name);
    http_response_release(&g_run.res);
    run_check();
    if (!test_server_stop(&g_run.server)) {
        fail("stopping the server: %s", g_run.server.error);
    }
}

/* ---- Criterion ----------------------------------------------------------------------------- */

static char *param_strdup(const char *s)
{
    size_t len = strlen(s);
    char *copy = cr_malloc(len + 1);
    memcpy(copy, s, len + 1);
    return copy;
}

static void params_free(struct criterion_test_params *params)
{
    struct case_param *cases = params->params;
    for (size_t i = 0; i < params->length; i++) {
        cr_free(cases[i].path);
    }
    cr_free(cases);
}

ParameterizedTestParameters(api, cases)
{
    glob_t found = {0};
    const char *only = getenv("ORDO_CASE");
    size_t count = 0;
    if (glob(CASES_GLOB, 0, NULL, &found) != 0) {
        globfree(&found);
        return cr_make_param_array(struct case_param, NULL, 0, NULL);
    }
    struct case_param *cases = cr_malloc(sizeof(*cases) * (found.gl_pathc + 1));
    for (size_t i = 0; i < found.gl_pathc; i++) {
        if (only == NULL || strstr(found.gl_pathv[i], only) != NULL) {
            cases[count++].path = param_strdup(found.gl_pathv[i]);
        }
    }
    globfree(&found);
    return cr_make_param_array(struct case_param, cases, count, params_free);
}

ParameterizedTest(struct case_param *param, api, cases, .fini = runner_fini, .timeout = 120)
{
    cr_log_info("case %s", param->path);
    run_case(param->path);
}

/* Keys made before the server starts work, and survive a restart; so do keys made while serving. */
Test(api, keys_before_and_while_serving, .fini = runner_fini, .timeout = 60)
{
    char before[TEST_SERVER_KEY_MAX];
    char during[TEST_SERVER_KEY_MAX];
    snprintf(g_run.where, sizeof(g_run.where), "keys_before_and_while_serving");
    g_run.server_ready = test_server_init(&g_run.server);
    cr_assert(g_run.server_ready, "%s", g_run.server.error);
    cr_assert(test_server_key_create(&g_run.server, "admin", NULL, NULL, before, sizeof(before)),
              "%s", g_run.server.error);
    cr_assert(test_server_start(&g_run.server), "%s", g_run.server.error);
    cr_assert(test_server_key_create(&g_run.server, "operator", NULL, NULL, during, sizeof(during)),
              "%s", g_run.server.error);
    const char *keys[] = {before, during};
    for (int round = 0; round < 2; round++) {
        g_run.client = client_new(g_run.server.base_url);
        for (size_t i = 0; i < 2; i++) {
            struct http_request req = {.method = "GET", .path = "/v1/channels", .key = keys[i]};
            http_response_release(&g_run.res);
            client_send(g_run.client, &req, &g_run.res);
            cr_assert_eq(g_run.res.status, 200, "round %d key %zu: status %ld: %s", round, i,
                         g_run.res.status, g_run.res.body);
        }
        client_free(g_run.client);
        g_run.client = NULL;
        cr_assert(test_server_restart(&g_run.server), "%s", g_run.server.error);
    }
    cr_assert(test_server_stop(&g_run.server), "%s", g_run.server.error);
}
