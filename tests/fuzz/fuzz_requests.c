/*
 * fuzz_requests.c — libFuzzer harness for the request parsers that live inside their handlers
 * (static, so fuzz_bodies.c and fuzz_returns.c cannot call them): holds, carriers, routing
 * settings, optimize and simulate, session sign-in, users POST and PATCH, the query strings of
 * availability, pick lists and the orders list; and goodwill refunds (http_parse_refund).
 * Goal: no crash, no leak, no undefined behaviour on any input; bad input never answers 5xx;
 * every JSON answer parses. Method: the first byte picks a route, the rest is its body (or, for
 * a GET, its raw query string); the request goes through router_handle, as server.c sends it,
 * with an admin key, against an app on a temporary SQLite file (no writer thread: commands run
 * inline). `make fuzz` runs it under libFuzzer and `make test` replays
 * tests/fuzz/corpus/requests/ (seeded from the API cases by scripts/fuzz-seed-requests.sh).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "app/app.h"
#include "core/auth.h"
#include "core/limits.h"
#include "http/handler.h"
#include "lib/arena.h"
#include "lib/buf.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_NOW_MS      1795000000000LL /* 2026-11-18: fixed, so a crash replays the same */
#define FUZZ_KEY_LEN_MAX 128

/* A route and whether the input is its query string (GET) rather than its body. */
struct fuzz_route {
    const char *method;
    const char *path;
    bool query;
};

/* The first input byte modulo this table's length picks the route: keep the order (the
 * corpus's first bytes depend on it) and add new routes at the end. */
static const struct fuzz_route fuzz_routes[] = {
    {"POST", "/v1/holds", false},
    {"POST", "/v1/carriers", false},
    {"PUT", "/v1/routing/settings", false},
    {"POST", "/v1/routing/optimize", false},
    {"POST", "/v1/routing/simulate", false},
    {"POST", "/v1/session", false},
    {"POST", "/v1/users", false},
    {"PATCH", "/v1/users/fuzz@example.com", false},
    {"GET", "/v1/availability", true},
    {"GET", "/v1/pick-lists", true},
    {"GET", "/v1/orders", true},
    /* Goodwill refunds (h_refunds.c, in progress at the time of writing): through the route,
     * so this harness does not depend on http_parse_refund's declaration. */
    {"POST", "/v1/orders/ord_fuzz/refunds", false},
};

static struct app *fuzz_app;
static char fuzz_dir[64];
static char fuzz_db[96];
static char fuzz_auth[FUZZ_KEY_LEN_MAX + 16]; /* "Bearer <key>" */

/* The request's query string, NUL-terminated (NULL for a body route). */
struct fuzz_lookup {
    const char *query;
    struct arena *arena;
};

/* The raw value of name in query ("a=1&b=2"), copied into the arena, or NULL. */
static const char *fuzz_query_value(const struct fuzz_lookup *lookup, const char *name)
{
    size_t name_len = strlen(name);
    const char *p = lookup->query;
    while (p != NULL && *p != '\0') {
        const char *end = strchr(p, '&');
        size_t len = end != NULL ? (size_t)(end - p) : strlen(p);
        if (len > name_len && strncmp(p, name, name_len) == 0 && p[name_len] == '=') {
            return arena_strndup(lookup->arena, p + name_len + 1, len - name_len - 1);
        }
        p = end != NULL ? end + 1 : NULL;
    }
    return NULL;
}

static const char *fuzz_lookup(void *ctx, enum http_value_kind kind, const char *name)
{
    const struct fuzz_lookup *lookup = ctx;
    if (kind == HTTP_VALUE_QUERY) {
        return fuzz_query_value(lookup, name);
    }
    if (strcasecmp(name, "Authorization") == 0) {
        return fuzz_auth;
    }
    if (strcasecmp(name, "Content-Type") == 0) {
        return "application/json";
    }
    return NULL;
}

static void fuzz_cleanup(void)
{
    app_close(fuzz_app);
    fuzz_app = NULL;
    static const char *const suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        char path[128];
        (void)snprintf(path, sizeof(path), "%s%s", fuzz_db, suffixes[i]);
        (void)unlink(path);
    }
    (void)rmdir(fuzz_dir);
}

/* Opens the app on a fresh temporary database and creates the admin key, once. */
static void fuzz_init(void)
{
    (void)snprintf(fuzz_dir, sizeof(fuzz_dir), "/tmp/ordo-fuzz-XXXXXX");
    ASSERT(mkdtemp(fuzz_dir) != NULL);
    (void)snprintf(fuzz_db, sizeof(fuzz_db), "%s/ordo.db", fuzz_dir);
    struct app_options options = {.db_path = fuzz_db, .no_writer = true};
    struct err err;
    err_clear(&err);
    ASSERT(app_open(&options, &fuzz_app, &err) == ERR_OK);
    static const struct principal admin = {.role = ROLE_ADMIN, .key_id = "fuzz"};
    struct arena arena;
    arena_init(&arena, (size_t)REQUEST_ARENA_BYTES_MAX);
    struct app_ctx ctx = {.app = fuzz_app, .principal = &admin, .arena = &arena};
    ctx.now_ms = FUZZ_NOW_MS;
    const char *key = NULL;
    ASSERT(app_key_create(&ctx, ROLE_ADMIN, NULL, "fuzz", &key, &err) == ERR_OK);
    ASSERT(strlen(key) <= FUZZ_KEY_LEN_MAX);
    (void)snprintf(fuzz_auth, sizeof(fuzz_auth), "Bearer %s", key);
    arena_release(&arena);
    ASSERT(atexit(fuzz_cleanup) == 0);
}

/* Bad input is a 4xx; a JSON answer parses. Prints the request and answer otherwise (and
 * always with FUZZ_REQUESTS_VERBOSE set). */
static void fuzz_check(const struct fuzz_route *route, const struct http_response *resp)
{
    bool ok = resp->status >= 200 && resp->status < 500;
    if (ok && resp->content_type == NULL) {
        json_t *back = json_loadb(resp->body->ptr, resp->body->len, 0, NULL);
        ok = back != NULL;
        json_decref(back);
    }
    if (!ok || getenv("FUZZ_REQUESTS_VERBOSE") != NULL) {
        (void)fprintf(stderr, "fuzz_requests: %s %s answered %d: %.*s\n", route->method,
                      route->path, resp->status, (int)resp->body->len, resp->body->ptr);
    }
    if (!ok) {
        abort();
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0 || size - 1 > (size_t)REQUEST_BODY_BYTES_MAX) {
        return 0; /* the server answers 413 before parsing */
    }
    if (fuzz_app == NULL) {
        fuzz_init();
    }
    const struct fuzz_route *route = &fuzz_routes[data[0] % ARRAY_LEN(fuzz_routes)];
    char *text = malloc(size); /* the rest of the input, NUL-terminated */
    ASSERT(text != NULL);
    memcpy(text, data + 1, size - 1);
    text[size - 1] = '\0';
    struct arena arena;
    arena_init(&arena, (size_t)REQUEST_ARENA_BYTES_MAX);
    struct fuzz_lookup lookup = {.query = route->query ? text : NULL, .arena = &arena};
    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.method = route->method;
    req.path = route->path;
    req.body = route->query ? "" : text;
    req.body_len = route->query ? 0 : size - 1;
    req.lookup = fuzz_lookup;
    req.lookup_ctx = &lookup;
    req.ctx.app = fuzz_app;
    req.ctx.arena = &arena;
    req.ctx.now_ms = FUZZ_NOW_MS;
    struct buf out;
    buf_init(&out, (size_t)RESPONSE_BYTES_MAX);
    struct http_response resp = {.status = 500, .body = &out};
    router_handle(&req, &resp);
    fuzz_check(route, &resp);
    buf_release(&out);
    arena_release(&arena);
    free(text);
    return 0;
}
