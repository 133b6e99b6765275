/*
 * router.c — from method and path to a handler. The order of checks is fixed: an unknown
 * path is 404 and a known path with another method 405 (for anyone), then authentication
 * (401), then the body's size (413) and type (415), then the handler. Every failure becomes
 * the JSON error body of http_error.c; a response always leaves here complete.
 */
#include "http/handler.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "core/limits.h"
#include "http/http_error.h"
#include "lib/json.h"

struct route {
    const char *method;
    const char *segments[HTTP_PATH_SEGMENTS_MAX]; /* "*" is a parameter; NULL ends */
    bool is_public;                               /* no API key needed */
    enum err_code (*handler)(struct http_request *req, struct http_response *resp, struct err *err);
};

static enum err_code h_healthz(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    UNUSED(req);
    UNUSED(err);
    resp->status = 200;
    if (buf_appends(resp->body, "{\"status\":\"ok\"}") != ERR_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "the answer does not fit");
    }
    return ERR_OK;
}

static const struct route routes[] = {
    {"GET", {"healthz"}, true, h_healthz},
    {"GET", {"v1", "channels"}, false, h_channels_list},
    {"POST", {"v1", "channels"}, false, h_channels_create},
    {"GET", {"v1", "locations"}, false, h_locations_list},
    {"POST", {"v1", "locations"}, false, h_locations_create},
    {"GET", {"v1", "locations", "*"}, false, h_locations_get},
    {"PATCH", {"v1", "locations", "*"}, false, h_locations_patch},
    {"GET", {"v1", "products"}, false, h_products_list},
    {"POST", {"v1", "products"}, false, h_products_create},
    {"GET", {"v1", "products", "*"}, false, h_products_get},
    {"PATCH", {"v1", "products", "*"}, false, h_products_patch},
    {"POST", {"v1", "inventory", "adjustments"}, false, h_inventory_adjust},
    {"PUT", {"v1", "inventory", "*", "*"}, false, h_inventory_count},
    {"GET", {"v1", "inventory", "*"}, false, h_inventory_get},
    {"GET", {"v1", "inventory", "*", "ledger"}, false, h_inventory_ledger},
    {"GET", {"v1", "orders"}, false, h_orders_list},
    {"POST", {"v1", "orders"}, false, h_orders_create},
    {"GET", {"v1", "orders", "*"}, false, h_orders_get},
    {"GET", {"v1", "orders", "*", "events"}, false, h_orders_events},
    {"GET", {"v1", "orders", "*", "allocations"}, false, h_orders_allocations},
    {"POST", {"v1", "orders", "*", "cancel"}, false, h_orders_cancel},
    {"POST", {"v1", "orders", "*", "hold"}, false, h_orders_hold},
    {"POST", {"v1", "orders", "*", "release"}, false, h_orders_release},
    {"GET", {"v1", "orders", "*", "invoice.pdf"}, false, h_documents_invoice},
    /* Payments, order edits and notes (h_payments.c, h_order_edits.c) */
    {"GET", {"v1", "orders", "*", "payments"}, false, h_orders_payments_list},
    {"POST", {"v1", "orders", "*", "payments"}, false, h_orders_payments_create},
    {"PATCH", {"v1", "orders", "*"}, false, h_orders_patch},
    {"POST", {"v1", "orders", "*", "notes"}, false, h_orders_notes_create},
    {"GET", {"v1", "shipments", "*", "packing-slip.pdf"}, false, h_documents_packing_slip},
    {"GET", {"v1", "shipments", "*", "label.pdf"}, false, h_documents_label},
    {"GET", {"v1", "customers"}, false, h_customers_find},
    {"GET", {"v1", "customers", "*"}, false, h_customers_get},
    {"PATCH", {"v1", "customers", "*"}, false, h_customers_patch},
    {"GET", {"v1", "shipments"}, false, h_shipments_list},
    {"GET", {"v1", "shipments", "*"}, false, h_shipments_get},
    {"POST", {"v1", "shipments", "*", "pack"}, false, h_shipments_pack},
    {"POST", {"v1", "shipments", "*", "ship"}, false, h_shipments_ship},
    {"POST", {"v1", "shipments", "*", "deliver"}, false, h_shipments_deliver},
    {"POST", {"v1", "shipments", "*", "ready"}, false, h_shipments_ready},
    {"POST", {"v1", "shipments", "*", "pickup"}, false, h_shipments_pickup},
    {"POST", {"v1", "pick-lists"}, false, h_pick_lists_create},
    {"GET", {"v1", "pick-lists"}, false, h_pick_lists_list},
    {"GET", {"v1", "pick-lists", "*"}, false, h_pick_lists_get},
    {"POST", {"v1", "pick-lists", "*", "complete"}, false, h_pick_lists_complete},
    {"GET", {"v1", "metrics"}, false, h_metrics_get},
    {"GET", {"v1", "metrics", "daily"}, false, h_metrics_daily},
    {"GET", {"v1", "metrics", "top-products"}, false, h_metrics_top_products},
    {"GET", {"v1", "metrics", "by-channel"}, false, h_metrics_by_channel},
    {"GET", {"v1", "metrics", "by-location"}, false, h_metrics_by_location},
    {"POST", {"v1", "channels", "*", "traffic"}, false, h_metrics_traffic},
    {"POST", {"v1", "costs"}, false, h_metrics_cost},
    /* Returns, invoices and credit notes (h_returns.c) */
    {"POST", {"v1", "returns"}, false, h_returns_create},
    {"GET", {"v1", "returns", "settings"}, false, h_returns_settings_get},
    {"PUT", {"v1", "returns", "settings"}, false, h_returns_settings_put},
    {"GET", {"v1", "returns", "rules"}, false, h_returns_rules_list},
    {"POST", {"v1", "returns", "rules"}, false, h_returns_rules_create},
    {"GET", {"v1", "returns"}, false, h_returns_list},
    {"GET", {"v1", "returns", "*"}, false, h_returns_get},
    {"POST", {"v1", "returns", "*", "receive"}, false, h_returns_receive},
    {"GET", {"v1", "orders", "*", "invoices"}, false, h_orders_invoices},
    {"GET", {"v1", "credit-notes", "*"}, false, h_credit_notes_get},
    /* Web console sessions (issue 8, h_session.c): signing in and asking who is signed in
     * need no key. */
    {"POST", {"v1", "session"}, true, h_session_create},
    {"GET", {"v1", "session"}, true, h_session_get},
    {"DELETE", {"v1", "session"}, false, h_session_delete},
    {"GET", {"v1", "track"}, true, h_track}, /* customer self-service (issue 8, h_track.c) */
    {"POST", {"v1", "track", "returns"}, true, h_track_return},
    /* People management for admins (issue 8, round 2; h_users.c). */
    {"GET", {"v1", "users"}, false, h_users_list},
    {"POST", {"v1", "users"}, false, h_users_create},
    {"GET", {"v1", "users", "*"}, false, h_users_get},
    {"PATCH", {"v1", "users", "*"}, false, h_users_patch},
    /* Routing: carriers and settings (issue 3, h_routing.c). */
    {"GET", {"v1", "carriers"}, false, h_carriers_list},
    {"POST", {"v1", "carriers"}, false, h_carriers_create},
    {"GET", {"v1", "routing", "settings"}, false, h_routing_settings_get},
    {"PUT", {"v1", "routing", "settings"}, false, h_routing_settings_put},
    /* Routing round 2: drop-ship purchase orders (issue 3, h_purchase_orders.c). */
    {"GET", {"v1", "purchase-orders"}, false, h_purchase_orders_list},
    {"GET", {"v1", "purchase-orders", "*"}, false, h_purchase_orders_get},
    {"POST", {"v1", "purchase-orders", "*", "ship"}, false, h_purchase_orders_ship},
    {"POST", {"v1", "routing", "optimize"}, false, h_routing_optimize},
    {"POST", {"v1", "routing", "simulate"}, false, h_routing_simulate},
    /* Availability and soft holds (issue 3, h_availability.c, h_holds.c). */
    {"GET", {"v1", "availability"}, false, h_availability_get},
    {"POST", {"v1", "holds"}, false, h_holds_create},
    {"GET", {"v1", "holds", "*"}, false, h_holds_get},
    {"DELETE", {"v1", "holds", "*"}, false, h_holds_delete},
};

struct router_path {
    const char *segments[HTTP_PATH_SEGMENTS_MAX]; /* percent-decoded */
    size_t count;
};

static enum err_code router_not_found(struct err *err)
{
    return err_set(err, ERR_NOT_FOUND, NULL, "no such path");
}

/* Splits and decodes the path; anything that cannot name a resource is 404. */
static enum err_code router_split(const struct http_request *req, struct router_path *path,
                                  struct err *err)
{
    const char *p = req->path;
    path->count = 0;
    if (p == NULL || p[0] != '/') {
        return router_not_found(err);
    }
    p++;
    for (size_t i = 0; i <= HTTP_PATH_SEGMENTS_MAX; i++) {
        const char *slash = strchr(p, '/');
        size_t len = slash == NULL ? strlen(p) : (size_t)(slash - p);
        if (i == HTTP_PATH_SEGMENTS_MAX || len == 0 || len > (size_t)3 * HTTP_SEGMENT_LEN_MAX) {
            return router_not_found(err);
        }
        const char *segment = NULL;
        enum err_code code = http_percent_decode(req->ctx.arena, p, len, &segment, err);
        if (code == ERR_TOO_LARGE) {
            return code;
        }
        if (code != ERR_OK || strlen(segment) > HTTP_SEGMENT_LEN_MAX) {
            return router_not_found(err);
        }
        path->segments[path->count++] = segment;
        if (slash == NULL) {
            return ERR_OK;
        }
        p = slash + 1;
    }
    return router_not_found(err);
}

/* True when route's pattern matches the path; its parameters go to params. */
static bool router_match(const struct route *route, const struct router_path *path,
                         const char *params[HTTP_PARAMS_MAX])
{
    size_t params_count = 0;
    size_t i = 0;
    for (; i < path->count; i++) {
        const char *pattern = route->segments[i];
        if (pattern == NULL) {
            return false;
        }
        if (strcmp(pattern, "*") != 0) {
            if (strcmp(pattern, path->segments[i]) != 0) {
                return false;
            }
            continue;
        }
        ASSERT(params_count < HTTP_PARAMS_MAX);
        params[params_count++] = path->segments[i];
    }
    return i == HTTP_PATH_SEGMENTS_MAX || route->segments[i] == NULL;
}

/* 405 with the methods the path does allow, for the Allow header. */
static enum err_code router_method_not_allowed(struct http_request *req, struct http_response *resp,
                                               const struct router_path *path, struct err *err)
{
    const char *params[HTTP_PARAMS_MAX];
    char allow[64] = "";
    size_t used = 0;
    for (size_t i = 0; i < ARRAY_LEN(routes); i++) {
        if (!router_match(&routes[i], path, params)) {
            continue;
        }
        int n = snprintf(allow + used, sizeof(allow) - used, "%s%s", used > 0 ? ", " : "",
                         routes[i].method);
        if (n < 0 || (size_t)n >= sizeof(allow) - used) {
            break; /* five methods fit; a longer list is cut, never overflowed */
        }
        used += (size_t)n;
    }
    resp->allow = arena_strdup(req->ctx.arena, allow);
    return err_set(err, ERR_METHOD, NULL, "%s is not allowed here; allowed: %s", req->method,
                   allow);
}

/* "Authorization: Bearer <key>" through app_authenticate; 401 "unauthorized" otherwise. */
static enum err_code router_authenticate(struct http_request *req, struct err *err)
{
    const char *header = http_header(req, "Authorization");
    if (header == NULL) {
        return http_session_authenticate(req, err); /* the console's cookie (issue 8) */
    }
    if (strncasecmp(header, "Bearer ", 7) != 0) {
        return err_set(err, ERR_AUTH, NULL, "the Authorization header must be Bearer <key>");
    }
    const char *token = header + 7;
    while (*token == ' ') {
        token++;
    }
    if (*token == '\0') {
        return err_set(err, ERR_AUTH, NULL, "the Authorization header has no key");
    }
    enum err_code code =
        app_authenticate(req->ctx.app, req->ctx.arena, token, &req->principal, err);
    if (code == ERR_AUTH) {
        err->reason[0] = '\0'; /* always "unauthorized", whatever the detail */
    }
    if (code != ERR_OK) {
        return code;
    }
    req->ctx.principal = &req->principal;
    return ERR_OK;
}

/* A body on POST, PUT or PATCH must be JSON ("application/json", parameters allowed). */
static enum err_code router_check_media(const struct http_request *req, struct err *err)
{
    bool has_body_method = strcmp(req->method, "POST") == 0 || strcmp(req->method, "PUT") == 0 ||
                           strcmp(req->method, "PATCH") == 0;
    if (!has_body_method || req->body_len == 0) {
        return ERR_OK;
    }
    const char *type = http_header(req, "Content-Type");
    static const char json_type[] = "application/json";
    size_t len = sizeof(json_type) - 1;
    if (type != NULL) {
        while (*type == ' ') {
            type++;
        }
    }
    if (type != NULL && strncasecmp(type, json_type, len) == 0 &&
        (type[len] == '\0' || type[len] == ';' || type[len] == ' ')) {
        return ERR_OK;
    }
    return err_set(err, ERR_MEDIA, "Content-Type", "the body must be application/json, got %s",
                   type == NULL ? "no Content-Type" : type);
}

static enum err_code router_dispatch(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    if (http_static_wants(req)) {
        return h_static(req, resp, err); /* the web console's files (issue 8) */
    }
    struct router_path path;
    enum err_code code = router_split(req, &path, err);
    if (code != ERR_OK) {
        return code;
    }
    const struct route *route = NULL;
    bool path_known = false;
    for (size_t i = 0; i < ARRAY_LEN(routes) && route == NULL; i++) {
        const char *params[HTTP_PARAMS_MAX] = {NULL, NULL};
        if (!router_match(&routes[i], &path, params)) {
            continue;
        }
        path_known = true;
        if (strcmp(routes[i].method, req->method) == 0) {
            route = &routes[i];
            memcpy(req->params, params, sizeof(params));
        }
    }
    if (route == NULL) {
        return path_known ? router_method_not_allowed(req, resp, &path, err)
                          : router_not_found(err);
    }
    if (!route->is_public) {
        code = router_authenticate(req, err);
    }
    if (code == ERR_OK && req->body_too_large) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "the body must be at most %zu bytes",
                       REQUEST_BODY_BYTES_MAX);
    }
    if (code == ERR_OK) {
        code = router_check_media(req, err);
    }
    if (code == ERR_OK) {
        code = route->handler(req, resp, err);
    }
    return code;
}

void router_handle(struct http_request *req, struct http_response *resp)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct err err;
    err_clear(&err);
    resp->status = 200;
    enum err_code code = router_dispatch(req, resp, &err);
    if (code == ERR_OK) {
        return;
    }
    if (err.code == ERR_OK) {
        /* A handler returned a failure without describing it: still answer sensibly. */
        err_set(&err, code, NULL, "%s", err_code_name(code));
    }
    buf_clear(resp->body);
    resp->content_type = NULL; /* errors are JSON, whatever the handler meant to send */
    resp->status = http_error_status(err.code);
    if (http_error_render(&err, resp->body) != ERR_OK) {
        buf_clear(resp->body);
        resp->status = 500;
        if (buf_appends(resp->body, "{\"error\":{\"code\":\"internal_error\"}}") != ERR_OK) {
            buf_clear(resp->body);
        }
    }
}
