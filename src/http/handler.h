/*
 * handler.h — what the router and the route handlers (h_*.c) share: the request as a
 * handler sees it, the response it fills, and helpers for headers, query values,
 * idempotency, If-Match and answers. Nothing here includes <microhttpd.h>: server.c adapts
 * libmicrohttpd to these structs, so the router can be driven without a socket.
 */
#ifndef ORDO_HTTP_HANDLER_H
#define ORDO_HTTP_HANDLER_H

#include "app/app.h"
#include "core/auth.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"

#define HTTP_PATH_SEGMENTS_MAX 8   /* segments in a path we route */
#define HTTP_SEGMENT_LEN_MAX   256 /* bytes of one decoded path segment */
#define HTTP_PARAMS_MAX        2   /* "{...}" segments in one route */

#define HTTP_RESPONSE_HEADERS_MAX 8 /* extra response headers (web console, issue 8) */

enum http_value_kind { HTTP_VALUE_HEADER, HTTP_VALUE_QUERY };

struct http_request {
    const char *method; /* "GET", "POST", ... */
    const char *path;   /* as received (percent-encoded), without the query */
    const char *body;   /* NUL-terminated, body_len bytes; "" when none */
    size_t body_len;
    bool body_too_large; /* the body passed REQUEST_BODY_BYTES_MAX and was dropped */
    /* Header or raw (still percent-encoded) query value by name, or NULL: server.c's. */
    const char *(*lookup)(void *lookup_ctx, enum http_value_kind kind, const char *name);
    void *lookup_ctx;
    struct app_ctx ctx; /* app, principal (set by the router), arena, now_ms */
    struct principal principal;
    const char *params[HTTP_PARAMS_MAX]; /* the route's decoded "{...}" segments, in order */
    /* Web console (issue 8): the session when signed in by cookie rather than by API key. */
    const struct app_session *session;
    /* Web console round 2: the peer's address ("127.0.0.1", "::1") as text in the arena, or
     * NULL when unknown (server.c's; NULL function: unknown); sign-in and /v1/track limit
     * failures per address too. Read through http_client_ip, which formats it once and only
     * for the requests that ask. */
    const char *(*peer)(void *lookup_ctx, struct arena *arena);
    const char *client_ip;
    bool client_ip_read;
};

struct http_response {
    int status;               /* set by the handler on success; the router sets it on failure */
    struct buf *body;         /* JSON text (or the bytes of content_type) */
    const char *allow;        /* the Allow header of a 405, or NULL */
    const char *content_type; /* a static string such as "application/pdf"; NULL: JSON */
    /* Web console (issue 8): more headers (Set-Cookie, Retry-After, ETag ...), name then
     * value, each static or arena-owned; added with http_response_header. */
    const char *headers[2 * HTTP_RESPONSE_HEADERS_MAX];
    size_t headers_count;
};

/* The signature of struct app_idempotency.render. */
#define HTTP_RENDER_FN(name) enum err_code (*(name))(const void *, struct buf *, int *)

/*
 * Routes one request: 404/405, authentication (401), 413 and 415 checks, then the handler.
 * Always leaves a complete JSON answer in resp (status and body), errors included.
 */
void router_handle(struct http_request *req, struct http_response *resp);

/* ---- helpers (request.c) ------------------------------------------------------------------ */

/* A request header, or NULL. Borrowed until the request completes. */
const char *http_header(const struct http_request *req, const char *name);

/* The peer's address (struct http_request's peer), or NULL when unknown. */
const char *http_client_ip(struct http_request *req);

/*
 * The query parameter name, percent-decoded into the arena, in *out (NULL when absent).
 * ERR_INVALID naming the parameter when badly encoded, with a NUL, or longer than len_max.
 */
MUST_CHECK enum err_code http_query(const struct http_request *req, const char *name,
                                    size_t len_max, const char **out, struct err *err);

/* ?cursor=: as http_query, but an empty value reads as absent (the first page). */
MUST_CHECK enum err_code http_query_cursor(const struct http_request *req, size_t len_max,
                                           const char **out, struct err *err);

/* True for 1..len_max characters of [A-Za-z0-9._-] (ids, codes, cursors made of them). */
bool http_is_token(const char *s, size_t len_max);

/* ?limit= (default PAGE_LIMIT_DEFAULT, 1..PAGE_LIMIT_MAX; otherwise 422 field "limit"). */
MUST_CHECK enum err_code http_query_limit(const struct http_request *req, size_t *out,
                                          struct err *err);

/*
 * Percent-decodes len bytes of src into the arena ("%2F" -> "/"; '+' is left alone).
 * ERR_INVALID on a broken escape or a decoded NUL; ERR_TOO_LARGE when the arena is full.
 */
MUST_CHECK enum err_code http_percent_decode(struct arena *arena, const char *src, size_t len,
                                             const char **out, struct err *err);

/*
 * Fills idem for a POST or PUT: with an Idempotency-Key header (1..IDEMPOTENCY_KEY_LEN_MAX
 * printable ASCII characters, else 422 field "Idempotency-Key"), the key, the hash of
 * method, path and body, and render; without one, key NULL.
 */
MUST_CHECK enum err_code http_idempotency(const struct http_request *req, HTTP_RENDER_FN(render),
                                          struct app_idempotency *idem, struct err *err);

/*
 * The version a PATCH expects: the If-Match header as an integer (a quoted "3" is accepted),
 * or current_version without one. 422 field "If-Match" when it is not an integer.
 */
MUST_CHECK enum err_code http_if_match(const struct http_request *req, int64_t current_version,
                                       int64_t *expected, struct err *err);

/*
 * The success answer of a write: the stored answer when the app handed one back (a fresh
 * idempotent command or a replay), else render(result). ERR_INTERNAL when it does not fit.
 */
MUST_CHECK enum err_code http_answer(struct http_response *resp, const struct app_idempotency *idem,
                                     const void *result, HTTP_RENDER_FN(render), struct err *err);

/* Checks a finished writer (jw_finish); ERR_INTERNAL when the answer did not fit. */
struct jw;
MUST_CHECK enum err_code http_finish(struct jw *jw, struct err *err);

/* ---- handlers (h_*.c): parse, call one app function, render -------------------------------- */

#define HTTP_HANDLER(name)                                                                         \
    MUST_CHECK enum err_code name(struct http_request *req, struct http_response *resp,            \
                                  struct err *err)

HTTP_HANDLER(h_channels_list);
HTTP_HANDLER(h_channels_create);

HTTP_HANDLER(h_locations_list);
HTTP_HANDLER(h_locations_create);
HTTP_HANDLER(h_locations_get);
HTTP_HANDLER(h_locations_patch);

HTTP_HANDLER(h_products_list);
HTTP_HANDLER(h_products_create);
HTTP_HANDLER(h_products_get);
HTTP_HANDLER(h_products_patch);

HTTP_HANDLER(h_inventory_count);
HTTP_HANDLER(h_inventory_adjust);
HTTP_HANDLER(h_inventory_get);
HTTP_HANDLER(h_inventory_ledger);

HTTP_HANDLER(h_orders_list);
HTTP_HANDLER(h_orders_create);
HTTP_HANDLER(h_orders_get);
HTTP_HANDLER(h_orders_events);
HTTP_HANDLER(h_orders_allocations);
HTTP_HANDLER(h_orders_cancel);
HTTP_HANDLER(h_orders_hold);
HTTP_HANDLER(h_orders_release);
/* payments, order edits and notes (h_payments.c, h_order_edits.c) */
HTTP_HANDLER(h_orders_payments_list);
HTTP_HANDLER(h_orders_payments_create);
HTTP_HANDLER(h_orders_patch);
HTTP_HANDLER(h_orders_notes_create);

HTTP_HANDLER(h_customers_find);
HTTP_HANDLER(h_customers_get);
HTTP_HANDLER(h_customers_patch);

HTTP_HANDLER(h_shipments_list);
HTTP_HANDLER(h_shipments_get);
HTTP_HANDLER(h_shipments_pack);
HTTP_HANDLER(h_shipments_ship);
HTTP_HANDLER(h_shipments_deliver);
HTTP_HANDLER(h_shipments_ready);
HTTP_HANDLER(h_shipments_pickup);

HTTP_HANDLER(h_pick_lists_create);
HTTP_HANDLER(h_pick_lists_list);
HTTP_HANDLER(h_pick_lists_get);
HTTP_HANDLER(h_pick_lists_complete);

/* Metrics (h_metrics.c). */
HTTP_HANDLER(h_metrics_get);
HTTP_HANDLER(h_metrics_daily);
HTTP_HANDLER(h_metrics_top_products);
HTTP_HANDLER(h_metrics_by_channel);
HTTP_HANDLER(h_metrics_by_location);
HTTP_HANDLER(h_metrics_traffic);
HTTP_HANDLER(h_metrics_cost);

/* Documents (h_documents.c): 200 with application/pdf bytes. */
HTTP_HANDLER(h_documents_invoice);
HTTP_HANDLER(h_documents_packing_slip);
HTTP_HANDLER(h_documents_label);

/* ---- web console (issue 8): sessions (h_session.c) and the embedded files (static.c) ------- */

/* Adds a response header (name and value must live until the answer is sent); a header past
 * HTTP_RESPONSE_HEADERS_MAX is dropped and logged. */
void http_response_header(struct http_response *resp, const char *name, const char *value);

/*
 * Signs the request in by its session cookie: ERR_AUTH when there is none or it is not live;
 * for a method other than GET and HEAD, ERR_FORBIDDEN unless X-CSRF-Token matches the
 * session's token. Sets req->principal, req->ctx.principal and req->session.
 */
MUST_CHECK enum err_code http_session_authenticate(struct http_request *req, struct err *err);

HTTP_HANDLER(h_session_create);
HTTP_HANDLER(h_session_get);
HTTP_HANDLER(h_session_delete);

/* Customer self-service, no key (h_track.c). */
HTTP_HANDLER(h_track);
HTTP_HANDLER(h_track_return);

/* People management for admins (web console round 2; h_users.c). */
HTTP_HANDLER(h_users_list);
HTTP_HANDLER(h_users_create);
HTTP_HANDLER(h_users_get);
HTTP_HANDLER(h_users_patch);

/* True when the path is the console's (not /v1/... nor /healthz): h_static answers it. */
bool http_static_wants(const struct http_request *req);
HTTP_HANDLER(h_static);

/* Returns, invoices and credit notes (h_returns.c; README "Returns and exchanges"). */
HTTP_HANDLER(h_returns_create);
HTTP_HANDLER(h_returns_list);
HTTP_HANDLER(h_returns_get);
HTTP_HANDLER(h_returns_receive);
HTTP_HANDLER(h_orders_invoices);
HTTP_HANDLER(h_credit_notes_get);
HTTP_HANDLER(h_returns_settings_get);
HTTP_HANDLER(h_returns_settings_put);
HTTP_HANDLER(h_returns_rules_create);
HTTP_HANDLER(h_returns_rules_list);

/* Routing: carriers and settings (h_routing.c; issue 3, routing engineer). */
HTTP_HANDLER(h_carriers_create);
HTTP_HANDLER(h_carriers_list);
HTTP_HANDLER(h_routing_settings_get);
HTTP_HANDLER(h_routing_settings_put);
/* Routing round 2: drop-ship purchase orders (h_purchase_orders.c; issue 3). */
HTTP_HANDLER(h_purchase_orders_list);
HTTP_HANDLER(h_purchase_orders_get);
HTTP_HANDLER(h_purchase_orders_ship);
HTTP_HANDLER(h_routing_optimize); /* batch re-optimisation (h_routing.c) */
HTTP_HANDLER(h_routing_simulate); /* replay of a past period (h_routing.c) */

/* Availability and soft holds (h_availability.c, h_holds.c; issue 3). */
HTTP_HANDLER(h_availability_get);
HTTP_HANDLER(h_holds_create);
HTTP_HANDLER(h_holds_get);
HTTP_HANDLER(h_holds_delete);

/* Goodwill refunds without a return (h_refunds.c; README "Payments"). */
HTTP_HANDLER(h_orders_refunds_create);

#endif
