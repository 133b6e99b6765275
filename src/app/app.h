/*
 * app.h — Ordo's use cases. Each write use case runs as one command of the writer thread
 * (its own savepoint inside a group commit); reads use a reader connection and never wait
 * for the writer. http/ and cli/ call only these functions: they parse and render, app
 * decides. Results are copied into the caller's arena.
 */
#ifndef ORDO_APP_APP_H
#define ORDO_APP_APP_H

#include "core/auth.h"
#include "core/availability.h"
#include "core/channel.h"
#include "core/customer.h"
#include "core/inventory.h"
#include "core/location.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/product.h"
#include "core/routing.h"
#include "core/routing_batch.h" /* routing: batch re-optimisation */
#include "core/shipment.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"
#include "lib/id.h"
#include "store/store.h"

struct app;

struct app_options {
    const char *db_path;   /* SQLite file */
    bool synchronous_full; /* default true: an answered order survives a power cut */
    int readers_max;       /* reader connections; 0 picks a default */
    bool no_migrate;       /* open as is (for `ordo migrate --status`); default migrates */
    bool no_writer;        /* no writer thread: commands run inline (single-threaded CLI) */
};

/* Opens the store, applies migrations, seeds the default channels, starts the writer. */
MUST_CHECK enum err_code app_open(const struct app_options *options, struct app **out,
                                  struct err *err);

/* Stops the writer after the commands already queued, closes the store. */
void app_close(struct app *app);

/* What one request runs with. */
struct app_ctx {
    struct app *app;
    const struct principal *principal; /* who acts; never NULL for API calls */
    struct arena *arena;               /* results are copied here */
    int64_t now_ms;                    /* the request's time */
};

/*
 * Idempotency of a POST. With key set, the writer looks the key up in the same transaction
 * as the command: a repeat with the same request hash answers the stored status and body
 * (replayed = true) and does nothing; another hash fails with 422 idempotency_key_reused.
 * On success of a fresh command, render() turns the result into the answer, which is stored
 * with the key in the same transaction and handed back in status/body.
 */
struct app_idempotency {
    const char *key;                           /* NULL: no idempotency */
    unsigned char request_hash[ID_HASH_BYTES]; /* of method, path and body */
    MUST_CHECK enum err_code (*render)(const void *result, struct buf *body, int *status);
    /* out */
    bool replayed;
    int status;
    const char *body; /* arena-owned; set when key was given and the call succeeded */
};

/* A page of a list: in, the cursor from the previous page (NULL: the first) and the size;
 * out, the cursor of the next page (NULL on the last page). */
struct app_page {
    const char *cursor;
    size_t limit; /* 1..PAGE_LIMIT_MAX */
    const char *next_cursor;
};

/* ---- auth and keys ----------------------------------------------------------------------- */

/*
 * Resolves "Bearer <key>" (token is the part after "Bearer "). ERR_AUTH when unknown,
 * revoked or malformed. Keys are cached after the first look-up.
 */
MUST_CHECK enum err_code app_authenticate(struct app *app, struct arena *arena, const char *token,
                                          struct principal *out, struct err *err);

/*
 * Creates an API key with a role and scope (the scope's channel, location or customer must
 * fit the role) and returns the full key text once (arena-owned); only its hash is stored.
 */
MUST_CHECK enum err_code app_key_create(struct app_ctx *ctx, enum role role, const char *scope,
                                        const char *name, const char **key_out, struct err *err);

/* ---- channels ---------------------------------------------------------------------------- */

MUST_CHECK enum err_code app_channel_create(struct app_ctx *ctx, const struct channel *input,
                                            struct app_idempotency *idem, struct channel *out,
                                            struct err *err);
MUST_CHECK enum err_code app_channel_list(struct app_ctx *ctx, struct channel **out, size_t *count,
                                          struct err *err);

/* ---- locations --------------------------------------------------------------------------- */

/* Fills lat/lon from the postal code when missing; ERR_INVALID when neither is known. */
MUST_CHECK enum err_code app_location_create(struct app_ctx *ctx, const struct location *input,
                                             struct app_idempotency *idem, struct location *out,
                                             struct err *err);
/*
 * Replaces the location's fields with `location` (the caller merged a patch onto a copy it
 * read) when the stored version equals expected_version (ERR_PRECONDITION otherwise).
 */
MUST_CHECK enum err_code app_location_update(struct app_ctx *ctx, const struct location *location,
                                             int64_t expected_version, struct location *out,
                                             struct err *err);
MUST_CHECK enum err_code app_location_get(struct app_ctx *ctx, const char *code,
                                          struct location *out, struct err *err);
MUST_CHECK enum err_code app_location_list(struct app_ctx *ctx, struct location **out,
                                           size_t *count, struct err *err);

/* ---- products ---------------------------------------------------------------------------- */

/* Resolves kit components and the drop-ship supplier (must be an existing location). */
MUST_CHECK enum err_code app_product_create(struct app_ctx *ctx, const struct product *input,
                                            struct app_idempotency *idem, struct product *out,
                                            struct err *err);
MUST_CHECK enum err_code app_product_update(struct app_ctx *ctx, const struct product *product,
                                            int64_t expected_version, struct product *out,
                                            struct err *err);
MUST_CHECK enum err_code app_product_get(struct app_ctx *ctx, const char *sku, struct product *out,
                                         struct err *err);
/* Page of products by SKU (the cursor is the last SKU of the previous page). */
MUST_CHECK enum err_code app_product_list(struct app_ctx *ctx, struct app_page *page,
                                          struct product **out, size_t *count, struct err *err);

/* ---- inventory --------------------------------------------------------------------------- */

struct app_stock_location {
    const char *location;
    struct stock stock;
    int64_t available; /* ATP; for a kit, whole kits that can be made there */
};

struct app_stock_view {
    const char *sku;
    bool is_kit;
    struct app_stock_location *locations;
    size_t locations_count;
    int64_t available; /* sum over locations */
};

struct app_stock_count {
    const char *sku;
    const char *location;
    int64_t on_hand; /* the units counted */
    bool has_safety;
    int64_t safety_stock; /* when has_safety */
};

struct app_stock_adjustment {
    const char *sku;
    const char *location;
    int64_t delta;      /* units added (negative: removed) */
    const char *reason; /* "receipt" makes it a receipt; NULL allowed */
};

/*
 * Stock-take: sets on_hand (the difference is a ledger adjustment) and, when has_safety,
 * safety stock. Fails (ERR_STOCK) when on_hand would fall below what is reserved.
 */
MUST_CHECK enum err_code app_inventory_count(struct app_ctx *ctx,
                                             const struct app_stock_count *count,
                                             struct app_idempotency *idem,
                                             struct app_stock_view *out, struct err *err);
/* Adds delta (may be negative) to on_hand with a reason; a ledger adjustment (or receipt). */
MUST_CHECK enum err_code app_inventory_adjust(struct app_ctx *ctx,
                                              const struct app_stock_adjustment *adjustment,
                                              struct app_idempotency *idem,
                                              struct app_stock_view *out, struct err *err);
MUST_CHECK enum err_code app_inventory_get(struct app_ctx *ctx, const char *sku,
                                           struct app_stock_view *out, struct err *err);

struct app_ledger_query {
    const char *sku;
    const char *location; /* NULL: every location */
    struct app_page page; /* the cursor is a ledger row id as text */
};

/* Ledger of a SKU, newest first. */
MUST_CHECK enum err_code app_inventory_ledger(struct app_ctx *ctx, struct app_ledger_query *query,
                                              struct ledger_entry **out, size_t *count,
                                              struct err *err);

/* ---- customers --------------------------------------------------------------------------- */

MUST_CHECK enum err_code app_customer_get(struct app_ctx *ctx, const char *id, struct customer *out,
                                          struct err *err);
MUST_CHECK enum err_code app_customer_find(struct app_ctx *ctx, const char *email,
                                           struct customer *out, struct err *err);
MUST_CHECK enum err_code app_customer_update(struct app_ctx *ctx, const struct customer *customer,
                                             int64_t expected_version, struct customer *out,
                                             struct err *err);

/* ---- orders ------------------------------------------------------------------------------ */

struct app_capture_result {
    struct order order;
    bool created; /* false: an order with this (channel, external_id) existed (HTTP 200) */
};

/*
 * Captures an order: validates, prices from the catalog unless unit_price was given,
 * matches or creates the customer, routes, reserves stock, numbers it and records the
 * events, all in one transaction. ERR_STOCK (409 insufficient_stock, err->items listing the
 * SKUs short) when stock is short and backorder is false.
 */
MUST_CHECK enum err_code app_order_capture(struct app_ctx *ctx, const struct order *input,
                                           struct app_idempotency *idem,
                                           struct app_capture_result *out, struct err *err);

/* ERR_NOT_FOUND also when the principal may not see the order. */
MUST_CHECK enum err_code app_order_get(struct app_ctx *ctx, const char *id, struct order *out,
                                       struct err *err);

/* Filter as store's (the principal's scope is added); *next_cursor NULL on the last page. */
MUST_CHECK enum err_code app_order_list(struct app_ctx *ctx, const struct order_filter *filter,
                                        struct order **out, size_t *count, const char **next_cursor,
                                        struct err *err);

MUST_CHECK enum err_code app_order_events(struct app_ctx *ctx, const char *id, struct event **out,
                                          size_t *count, struct err *err);

/* The routing explanation stored at capture (JSON text) with the order. */
MUST_CHECK enum err_code app_order_routing(struct app_ctx *ctx, const char *id, struct order *out,
                                           const char **routing_json, struct err *err);

struct app_cancel_line {
    const char *line_id;
    int64_t qty;
};

struct app_cancel {
    const char *reason;
    const struct app_cancel_line *lines; /* NULL with lines_count 0: the whole order */
    size_t lines_count;
};

/*
 * Cancels the whole order (lines_count 0) or the given quantities of lines; reservations of
 * cancelled units are released in the same transaction. ERR_STATE after shipping started.
 */
MUST_CHECK enum err_code app_order_cancel(struct app_ctx *ctx, const char *id,
                                          const struct app_cancel *cancel,
                                          struct app_idempotency *idem, struct order *out,
                                          struct err *err);
MUST_CHECK enum err_code app_order_hold(struct app_ctx *ctx, const char *id, const char *reason,
                                        struct app_idempotency *idem, struct order *out,
                                        struct err *err);
/* payments: an order held for payment_declined or payment_capture_failed is released only
 * with override (admin, operator; else 403), recorded in the "order.released" event; without
 * it ERR_STATE reason "payment_required" (409). */
MUST_CHECK enum err_code app_order_release(struct app_ctx *ctx, const char *id, bool override,
                                           struct app_idempotency *idem, struct order *out,
                                           struct err *err);

/* ---- fulfillment ------------------------------------------------------------------------- */

/*
 * A shipment and its order (with lines and allocations; the shipment's units are the order's
 * allocations whose shipment_id is the shipment's id). ERR_NOT_FOUND also when the principal
 * may not see it (a warehouse key sees its own location's shipments only).
 */
MUST_CHECK enum err_code app_shipment_get(struct app_ctx *ctx, const char *id, struct shipment *out,
                                          struct order *order_out, struct err *err);

/* True when the principal may see pickup codes (admin, operator, support): counter staff
 * check the code the customer brings, so a warehouse key does not read it back. */
bool app_may_see_pickup_code(const struct app_ctx *ctx);

/* A shipment with its order, as actions answer and lists hold it. */
struct app_shipment_view {
    struct shipment shipment;
    struct order order;
    bool show_pickup_code; /* the principal may see shipment.pickup_code */
};

struct app_shipment_query {
    const char *location; /* code, or NULL (a warehouse key: its own location) */
    bool has_status;
    enum shipment_status status;
    bool late;            /* only shipments not shipped whose promised_ship_by passed */
    struct app_page page; /* the cursor is the last shipment id of the previous page */
    const char *order_id; /* or NULL; else only that order's shipments (web console, issue 8) */
};

/* Shipments newest first; each with its order. */
MUST_CHECK enum err_code app_shipment_list(struct app_ctx *ctx, struct app_shipment_query *query,
                                           struct app_shipment_view **out, size_t *count,
                                           struct err *err);

struct app_ship {
    const char *carrier;         /* required */
    const char *service;         /* or NULL */
    const char *tracking_number; /* required */
    int64_t cost;                /* minor units, what the carrier charged */
};

struct app_packages {
    const int64_t *weights_grams; /* [count] */
    size_t count;                 /* 1..PACKAGES_MAX */
};

/* The actions: 200 with the view after them; ERR_STATE (409 invalid_state) when the shipment's
 * status does not allow them. pack: picking -> packed with the packages' weights (grams). */
MUST_CHECK enum err_code app_shipment_pack(struct app_ctx *ctx, const char *id,
                                           const struct app_packages *packages,
                                           struct app_idempotency *idem,
                                           struct app_shipment_view *out, struct err *err);
/* packed -> shipped: stock leaves (on_hand and reserved down, ledger ship), lines shipped. */
MUST_CHECK enum err_code app_shipment_ship(struct app_ctx *ctx, const char *id,
                                           const struct app_ship *ship,
                                           struct app_idempotency *idem,
                                           struct app_shipment_view *out, struct err *err);
/* shipped -> delivered; the order is delivered when all its shipments are. */
MUST_CHECK enum err_code app_shipment_deliver(struct app_ctx *ctx, const char *id,
                                              struct app_idempotency *idem,
                                              struct app_shipment_view *out, struct err *err);
/* BOPIS: pending or picking -> ready_for_pickup with a new pickup code (in the view). */
MUST_CHECK enum err_code app_shipment_ready(struct app_ctx *ctx, const char *id,
                                            struct app_idempotency *idem,
                                            struct app_shipment_view *out, struct err *err);
/* BOPIS: ready_for_pickup -> picked_up when code matches (else 422 field pickup_code). */
MUST_CHECK enum err_code app_shipment_pickup(struct app_ctx *ctx, const char *id, const char *code,
                                             struct app_idempotency *idem,
                                             struct app_shipment_view *out, struct err *err);

struct app_pick_list_input {
    const char *location; /* code, required */
    size_t max_shipments; /* 1..PICK_LIST_SHIPMENTS_MAX */
    const char *picker;   /* or NULL */
};

struct app_pick_short {
    const char *sku;
    int64_t qty;
};

struct app_pick_complete {
    const char *picker; /* or NULL (keeps the one named at creation) */
    const struct app_pick_short *shorts;
    size_t shorts_count;
};

/* Builds a wave of pending shipments at a location (ERR_STATE when there is none). */
MUST_CHECK enum err_code app_pick_list_create(struct app_ctx *ctx,
                                              const struct app_pick_list_input *input,
                                              struct app_idempotency *idem, struct pick_list *out,
                                              struct err *err);
/*
 * Completes a pick list. Short units are released at the location, marked on the pick list
 * line (qty_shorted) and routed again to other locations; what nothing can serve is
 * backordered. ERR_STATE when already completed.
 */
MUST_CHECK enum err_code app_pick_list_complete(struct app_ctx *ctx, const char *id,
                                                const struct app_pick_complete *complete,
                                                struct app_idempotency *idem, struct pick_list *out,
                                                struct err *err);
MUST_CHECK enum err_code app_pick_list_get(struct app_ctx *ctx, const char *id,
                                           struct pick_list *out, struct err *err);

struct app_pick_list_query {
    const char *location; /* or NULL: every location the principal sees */
    bool has_status;      /* only open (completed false) or completed ones */
    bool completed;
    struct app_page page;
};

/* Pick lists with their lines, newest first; a warehouse key sees its own location's only. */
MUST_CHECK enum err_code app_pick_list_list(struct app_ctx *ctx, struct app_pick_list_query *query,
                                            struct pick_list **out, size_t *count, struct err *err);

struct app_jobs_result {
    size_t pickups_expired;         /* ready pickups cancelled after their hold days */
    size_t idempotency_keys_purged; /* answers kept longer than IDEMPOTENCY_RETENTION_MS */
    size_t holds_expired;           /* holds: soft holds past their time, stock given back */
};

/* The periodic jobs at ctx->now_ms: cancels pickups not collected within their location's
 * hold days and releases their stock (one writer command each), and forgets idempotency
 * answers older than IDEMPOTENCY_RETENTION_MS (in batches), after which a key may be reused. */
MUST_CHECK enum err_code app_jobs_run(struct app_ctx *ctx, struct app_jobs_result *out,
                                      struct err *err);

/* Every known migration and whether it is applied. */
MUST_CHECK enum err_code app_migrations(struct app_ctx *ctx, struct store_migration **out,
                                        size_t *count, struct err *err);

/* Applies the migrations not yet applied. */
MUST_CHECK enum err_code app_migrate(struct app *app, struct err *err);

/* ---- metrics (metrics.c; docs/METRICS.md) ---------------------------------------------------- */

#define METRICS_RANGE_DAYS_MAX 1096 /* three years */

/* A period and its filters, checked by app_metrics_range (422 naming the parameter). */
struct app_metrics_range {
    int64_t from_day;     /* days since 1970-01-01, inclusive */
    int64_t to_day;       /* inclusive */
    const char *channel;  /* NULL: every channel */
    const char *location; /* NULL: every location */
};

/* Parses "YYYY-MM-DD" from and to (both required), from <= to, at most
 * METRICS_RANGE_DAYS_MAX days; channel and location, when given, must exist (checked by
 * the reads). ERR_INVALID naming "from", "to", "channel" or "location". */
MUST_CHECK enum err_code app_metrics_range(const char *from, const char *to, const char *channel,
                                           const char *location, struct app_metrics_range *out,
                                           struct err *err);

struct app_metrics_report {
    int64_t from_day;
    int64_t to_day;
    struct metrics_counters counters;
    struct metrics_values values;
};

/* The fourteen metrics over the range (PERM_METRICS_READ). */
MUST_CHECK enum err_code app_metrics_get(struct app_ctx *ctx, const struct app_metrics_range *range,
                                         struct app_metrics_report *out, struct err *err);
/* The metrics of each day of the range, oldest first (*count = days in the range). */
MUST_CHECK enum err_code app_metrics_daily(struct app_ctx *ctx,
                                           const struct app_metrics_range *range,
                                           struct app_metrics_report **out, size_t *count,
                                           struct err *err);

struct app_metrics_group {
    const char *key; /* the channel or location code */
    struct app_metrics_report report;
};

/* The metrics per channel (every channel) or per location (every location). */
MUST_CHECK enum err_code app_metrics_by_channel(struct app_ctx *ctx,
                                                const struct app_metrics_range *range,
                                                struct app_metrics_group **out, size_t *count,
                                                struct err *err);
MUST_CHECK enum err_code app_metrics_by_location(struct app_ctx *ctx,
                                                 const struct app_metrics_range *range,
                                                 struct app_metrics_group **out, size_t *count,
                                                 struct err *err);
/* SKUs by revenue of the orders in the range, at most limit. */
MUST_CHECK enum err_code app_metrics_top_products(struct app_ctx *ctx,
                                                  const struct app_metrics_range *range,
                                                  size_t limit, struct metrics_product **out,
                                                  size_t *count, struct err *err);

/* Traffic input: date "YYYY-MM-DD"; the has_ flags tell what the body held. */
struct app_traffic_input {
    const char *channel; /* from the path */
    const char *date;
    int64_t visitors;
    int64_t carts_created;
    int64_t carts_abandoned;
    bool has_visitors;
    bool has_carts_created;
    bool has_carts_abandoned;
};

/* Replaces the channel's traffic of that day (PERM_METRICS_WRITE). */
MUST_CHECK enum err_code app_metrics_traffic(struct app_ctx *ctx,
                                             const struct app_traffic_input *input,
                                             struct app_idempotency *idem,
                                             struct metrics_traffic *out, struct err *err);

struct app_cost_input {
    const char *date;
    const char *location; /* or NULL */
    const char *category;
    int64_t amount;
    bool has_amount;
};

/* Adds an operational cost (PERM_METRICS_WRITE). */
MUST_CHECK enum err_code app_metrics_cost(struct app_ctx *ctx, const struct app_cost_input *input,
                                          struct app_idempotency *idem, struct metrics_cost *out,
                                          struct err *err);

/* ---- operations -------------------------------------------------------------------------- */

/*
 * Recomputes every balance from the ledger and checks the invariants of DESIGN.md (no
 * oversell, ledger = balance, reserved = open allocations, totals add up). Appends one line
 * per problem to report; *ok false when there is any.
 */
MUST_CHECK enum err_code app_check(struct app_ctx *ctx, struct buf *report, bool *ok,
                                   struct err *err);

/*
 * Seeds the demo store: locations at real US places, about 50 products (a few kits), stock,
 * and about orders_count orders over the 60 days before now_ms with destinations drawn by
 * population. Deterministic for a seed.
 */
MUST_CHECK enum err_code app_demo_seed(struct app_ctx *ctx, uint64_t seed, size_t orders_count,
                                       struct err *err);

/* ---- users and sessions (issue 8: web console; users.c, README "Web console") ------------ */

#define APP_SESSION_TTL_MS     ((int64_t)12 * 60 * 60 * 1000) /* a sign-in lasts 12 hours */
#define APP_LOGIN_FAILURES_MAX 5                              /* failed sign-ins per e-mail ... */
#define APP_LOGIN_WINDOW_MS    ((int64_t)15 * 60 * 1000)      /* ... in 15 minutes lock it out */
#define APP_PASSWORD_LEN_MIN   10
#define APP_PASSWORD_LEN_MAX   256
#define APP_SESSION_TOKEN_LEN  43 /* random [a-z0-9] characters, about 222 bits */

/* A signed-in person as the console sees it. */
struct app_session {
    const char *token; /* the cookie's session id: set only by app_session_create */
    const char *csrf_token;
    const char *user_id;
    const char *email;
    enum role role;
    const char *scope; /* the channel, location or customer of a scoped role, or NULL */
    int64_t expires_at_ms;
};

/*
 * Creates a user who signs in with email and password (hashed with argon2id) and acts with
 * role and scope exactly as an API key of that role would. ERR_INVALID naming "email",
 * "password", "role" or "scope"; ERR_CONFLICT when the e-mail is taken. Needs PERM_ADMIN.
 */
struct app_user_input {
    const char *email;
    const char *password;
    enum role role;
    const char *scope; /* channel, location or customer e-mail as the role needs, or NULL */
};

MUST_CHECK enum err_code app_user_create(struct app_ctx *ctx, const struct app_user_input *input,
                                         const char **id_out, struct err *err);

/* Failed sign-ins from one client address (any e-mail) in APP_LOGIN_WINDOW_MS that make it
 * wait too (round 2); counted under the key "ip:<address>". */
#define APP_LOGIN_IP_FAILURES_MAX 30

/* A sign-in: who and from where; retry_after_s is set with ERR_BUSY. */
struct app_signin {
    const char *email;
    const char *password;
    const char *client_ip; /* or NULL when unknown: then only the e-mail is limited */
    int64_t retry_after_s; /* out */
};

/*
 * Signs in (ctx->principal may be NULL): a new session on success. ERR_AUTH for a wrong
 * e-mail or password (the same answer for both); ERR_BUSY "locked_out" with retry_after_s
 * once the e-mail has APP_LOGIN_FAILURES_MAX failures in APP_LOGIN_WINDOW_MS, ERR_BUSY
 * "rate_limited" once the client address has APP_LOGIN_IP_FAILURES_MAX (no password is tried).
 */
MUST_CHECK enum err_code app_session_create(struct app_ctx *ctx, struct app_signin *in,
                                            struct app_session *out, struct err *err);

/* The live session of a cookie's token and the principal it acts as; ERR_AUTH otherwise. */
MUST_CHECK enum err_code app_session_resolve(struct app_ctx *ctx, const char *token,
                                             struct app_session *out, struct principal *principal,
                                             struct err *err);

/* Signs out: forgets the session of token (nothing happens when there is none). */
MUST_CHECK enum err_code app_session_delete(struct app_ctx *ctx, const char *token,
                                            struct err *err);

/* People management (web console round 2, issue 8; users.c). Every call needs PERM_ADMIN. */
#define APP_USERS_PAGE_MAX 500 /* users in one answer of app_user_list */

/* Users by e-mail from the first after after_email (NULL: the first), at most limit
 * (1..APP_USERS_PAGE_MAX). The password hashes are not handed out (NULL). */
MUST_CHECK enum err_code app_user_list(struct app_ctx *ctx, const char *after_email, size_t limit,
                                       struct user **out, size_t *count, struct err *err);
/* One user by id ("usr_...") or e-mail; ERR_NOT_FOUND when there is none. */
MUST_CHECK enum err_code app_user_get(struct app_ctx *ctx, const char *id_or_email,
                                      struct user *out, struct err *err);

/* What to change of a user: any of role (with the scope it needs), disabled, password. */
struct app_user_patch {
    const char *id_or_email;
    bool has_role;
    enum role role;
    const char *scope; /* with has_role: channel, location or customer e-mail, or NULL */
    bool has_disabled;
    bool disabled;
    const char *password; /* or NULL: unchanged */
};

/*
 * Changes a user; *out is the user after it. A disabled user cannot sign in, and a change of
 * role, of password or disabling ends every session of the user. ERR_INVALID naming "role",
 * "scope" or "password"; ERR_NOT_FOUND; ERR_STATE when it would leave no enabled admin or
 * when a person disables or demotes themselves.
 */
MUST_CHECK enum err_code app_user_update(struct app_ctx *ctx, const struct app_user_patch *patch,
                                         struct user *out, struct err *err);

/* Customer self-service (issue 8; track.c): GET /v1/track?number=&email=, no key. */
#define APP_TRACK_MISSES_MAX     10 /* misses per order number or e-mail in APP_LOGIN_WINDOW_MS */
#define APP_TRACK_IP_MISSES_MAX  30 /* misses per client address in APP_LOGIN_WINDOW_MS */
#define APP_TRACK_NUMBER_LEN_MAX 32

struct app_track {
    struct order order;
    struct shipment *shipments;
    size_t shipments_count;
    struct location *return_locations; /* active locations that take returns */
    size_t return_locations_count;
};

/* What a customer asks with: the order number, their e-mail, and where they ask from. */
struct app_track_ask {
    const char *number;
    const char *email;
    int64_t retry_after_s; /* out: set with ERR_BUSY */
    const char *client_ip; /* or NULL when unknown (round 2: misses are limited per address) */
};

/*
 * The order whose number is number and whose customer e-mail is email (any case), with its
 * shipments; nothing of any other order. ERR_NOT_FOUND for any mismatch (the same answer
 * whichever part is wrong); ERR_BUSY with ask->retry_after_s once the number or the e-mail
 * has APP_TRACK_MISSES_MAX misses in APP_LOGIN_WINDOW_MS, or the client address
 * APP_TRACK_IP_MISSES_MAX. ERR_INVALID naming a malformed field.
 */
MUST_CHECK enum err_code app_track(struct app_ctx *ctx, struct app_track_ask *ask,
                                   struct app_track *out, struct err *err);

struct app_return_input;
struct app_return_view;

/*
 * Starts a refund return of the tracked order (as app_track finds it, with its limits) for
 * its customer: in->order_id is set to that order's id (another given is ERR_NOT_FOUND) and
 * only "refund" is accepted; app_return_create checks the lines and the return window.
 */

MUST_CHECK enum err_code app_track_return(struct app_ctx *ctx, struct app_track_ask *ask,
                                          struct app_return_input *in, struct app_return_view *out,
                                          struct err *err);

/* ---- returns, exchanges, invoices and credit notes (returns.c, invoices.c; README "Returns
 * and exchanges", "Invoices and credit notes") ---------------------------------------------- */

struct app_return_line_input {
    const char *line_id; /* the order line */
    int64_t qty;
    const char *reason; /* a return_reason name */
};

struct app_return_input {
    const char *order_id;
    const char *location; /* receiving location (capability return) */
    struct app_return_line_input *lines;
    size_t lines_count;
    const char *resolution; /* "refund" (default) or "exchange" */
    struct rma_exchange_line *exchange_lines;
    size_t exchange_lines_count;
};

struct app_receive_line {
    const char *line_id; /* the order line, as on the return */
    int64_t qty;
    const char *condition; /* "sellable" | "damaged" */
};

/* A return with its order and credit notes, as the API answers it. */
struct app_return_view {
    struct rma rma;
    struct order order;
    struct invoice *credit_notes;
    size_t credit_notes_count;
};

/* Creates a return (support, operator, admin, and a channel for its own orders). ERR_INVALID
 * naming the field (lines[i].line_id, lines[i].qty, lines[i].reason, location, ...) or
 * return_window_closed; ERR_STATE when the order has not shipped. */
MUST_CHECK enum err_code app_return_create(struct app_ctx *ctx, const struct app_return_input *in,
                                           struct app_idempotency *idem,
                                           struct app_return_view *out, struct err *err);

struct app_receive {
    const struct app_receive_line *lines;
    size_t count;
};

/* Receives units (warehouse of the receiving location, operator, admin): stock by the
 * disposition rules, order qty_returned and status, the refund and its credit note. */
MUST_CHECK enum err_code app_return_receive(struct app_ctx *ctx, const char *id,
                                            const struct app_receive *receive,
                                            struct app_idempotency *idem,
                                            struct app_return_view *out, struct err *err);
/* ERR_NOT_FOUND also when the principal may not see it. */
MUST_CHECK enum err_code app_return_get(struct app_ctx *ctx, const char *id,
                                        struct app_return_view *out, struct err *err);
/* The returns of an order, oldest first. */
MUST_CHECK enum err_code app_return_list(struct app_ctx *ctx, const char *order_id,
                                         struct app_return_view **out, size_t *count,
                                         struct err *err);
/* The invoices and credit notes of an order (ERR_NOT_FOUND when it may not be seen). */
MUST_CHECK enum err_code app_invoice_list(struct app_ctx *ctx, const char *order_id,
                                          struct invoice **out, size_t *count, struct err *err);

/* The return settings; lists are comma-separated (reason names, channel codes, e-mails). */
struct app_return_settings {
    int64_t window_days;                 /* 0..RETURN_WINDOW_DAYS_MAX */
    bool has_window_days;                /* put: given */
    const char *shipping_refund_reasons; /* put: NULL leaves it */
    const char *cross_ship_channels;     /* put: NULL leaves it */
    const char *cross_ship_customers;    /* put: NULL leaves it */
};

MUST_CHECK enum err_code app_return_settings_get(struct app_ctx *ctx,
                                                 struct app_return_settings *out, struct err *err);
/* Changes the given settings (PERM_ADMIN); ERR_INVALID naming the field. */
MUST_CHECK enum err_code app_return_settings_put(struct app_ctx *ctx,
                                                 const struct app_return_settings *in,
                                                 struct app_return_settings *out, struct err *err);
/* Adds a disposition rule (PERM_ADMIN): locations must exist, a transfer needs a target. */
MUST_CHECK enum err_code app_return_rule_create(struct app_ctx *ctx, struct return_rule *rule,
                                                struct app_idempotency *idem, struct err *err);
MUST_CHECK enum err_code app_return_rule_list(struct app_ctx *ctx, struct return_rule **out,
                                              size_t *count, struct err *err);
/* One credit note (or invoice) by id with its order. */
MUST_CHECK enum err_code app_invoice_get(struct app_ctx *ctx, const char *id, struct invoice *out,
                                         struct order *order_out, struct err *err);

/* ---- payments (payments.c, payment_auth.c, payment_worker.c; README "Payments") ----------- */

struct payment_provider;

/*
 * Starts the payments worker that performs remote providers' calls after their command and
 * resumes pending ones left by an earlier run; stripe is the configured Stripe provider or
 * NULL (then provider "stripe" is refused with 422). Stop it before app_close.
 */
MUST_CHECK enum err_code app_payments_start(struct app *app, const struct payment_provider *stripe,
                                            struct err *err);
void app_payments_stop(struct app *app);

/* An order's payment transactions, oldest first, and what they add up to. */
struct app_payments_view {
    struct order order;
    struct payment_txn *txns;
    size_t count;
    struct payment_totals totals;
};

/* Read as the order is (ERR_NOT_FOUND when the principal may not see it). */
MUST_CHECK enum err_code app_order_payments(struct app_ctx *ctx, const char *id,
                                            struct app_payments_view *out, struct err *err);

struct app_payment_input {
    const char *provider; /* "manual", "sandbox", "stripe" */
    const char *card;     /* sandbox: a card number; stripe: a payment method id; manual: NULL */
};

/*
 * A new payment for an order held for payment_declined or payment_capture_failed: authorizes
 * what is still owed with the new provider and card (in the request thread), then records it;
 * on approval the order's provider becomes the new one, failed captures are captured again
 * and the hold is released. A decline is recorded and answered ERR_INVALID reason
 * "payment_declined" (422). ERR_STATE when the order is not held for a payment reason.
 * idem (may be NULL): a key already answered is replayed before anything is authorized; a
 * decline records no key (a repeat asks the provider again).
 */
MUST_CHECK enum err_code app_order_payment_add(struct app_ctx *ctx, const char *id,
                                               const struct app_payment_input *input,
                                               struct app_idempotency *idem,
                                               struct app_payments_view *out, struct err *err);

/* ---- order edits and notes (order_edits.c; README "Order edits and notes") ---------------- */

struct app_edit_line {
    const char *line_id; /* an existing line, or NULL to add one */
    const char *sku;     /* a new line's SKU */
    int64_t qty;         /* the new quantity; 0 removes the line */
};

struct app_order_edit {
    bool has_shipping_address;
    struct address shipping_address;
    const struct app_edit_line *lines;
    size_t lines_count;
    const char *payment_card; /* a new payment method, for a stripe order whose total grows */
};

/*
 * Edits an order before fulfillment starts (ERR_STATE otherwise), when its version is still
 * expected_version (ERR_PRECONDITION otherwise): a new shipping address (routing runs again:
 * reservations released and made anew), line quantities changed, lines added or removed;
 * totals recomputed; an increase is authorized again (stripe: with payment_card, in this
 * thread before the command). One event "order.edited" with before and after.
 */
MUST_CHECK enum err_code app_order_edit(struct app_ctx *ctx, const char *id,
                                        const struct app_order_edit *edit, int64_t expected_version,
                                        struct order *out, struct err *err);

/* A customer-service note on the order's history (admin, operator, support). */
MUST_CHECK enum err_code app_order_note_add(struct app_ctx *ctx, const char *id, const char *text,
                                            struct app_idempotency *idem, struct event *out,
                                            struct err *err);

/* ---- routing: carriers, rate cards, settings (routing_config.c; issue 3, routing engineer) */

/* The routing settings with the channel hold-backs. As input of a PUT, present has bit i set
 * for each routing_settings_names[i] given (the rest keep their value), and
 * hold_backs_present says whether channel_hold_back was given (it then replaces them all). */
struct app_routing_settings {
    struct routing_settings settings;
    unsigned present;
    struct routing_hold_back *hold_backs;
    size_t hold_backs_count;
    bool hold_backs_present;
};

/* A carrier as stored by POST /v1/carriers, and whether it was new. */
struct app_carrier_result {
    struct routing_carrier carrier;
    bool created;
};

/* Creates or replaces a carrier (its services all at once). */
MUST_CHECK enum err_code app_carrier_put(struct app_ctx *ctx, const struct routing_carrier *input,
                                         struct app_idempotency *idem,
                                         struct app_carrier_result *out, struct err *err);
MUST_CHECK enum err_code app_carrier_list(struct app_ctx *ctx, struct routing_carrier **out,
                                          size_t *count, struct err *err);
MUST_CHECK enum err_code
app_routing_settings_get(struct app_ctx *ctx, struct app_routing_settings *out, struct err *err);
MUST_CHECK enum err_code app_routing_settings_put(struct app_ctx *ctx,
                                                  const struct app_routing_settings *input,
                                                  struct app_routing_settings *out,
                                                  struct err *err);

/* ---- routing round 2: batch re-optimisation (routing_optimize.c; issue 3) ------------------ */

struct app_routing_optimize_input {
    bool dry_run;          /* plan and answer, change nothing */
    int64_t time_limit_ms; /* CBC's limit, 1..60000 */
};

/* One line that moves to another location. */
struct app_routing_move {
    const char *order_id;
    const char *order_number;
    int line_no;
    const char *sku;
    int64_t qty;
    const char *from;
    const char *to;
};

struct app_routing_optimize_result {
    bool dry_run;
    bool improved; /* the solver's plan is better than the current one */
    bool applied;  /* and its moves were made */
    size_t orders; /* in the batch */
    size_t lines;
    struct routing_batch_eval before;
    struct routing_batch_eval after; /* == before when the current plan is kept */
    const char *solver;              /* optimal, feasible, no_solution, empty */
    double seconds;
    size_t variables;
    size_t constraints;
    struct app_routing_move *moves;
    size_t moves_count;
};

/* Re-plans every unreleased allocation together (MIP with CBC); never a worse plan. */
MUST_CHECK enum err_code app_routing_optimize(struct app_ctx *ctx,
                                              const struct app_routing_optimize_input *input,
                                              struct app_idempotency *idem,
                                              struct app_routing_optimize_result *out,
                                              struct err *err);

/* ---- routing round 2: replay of a past period (routing_simulate.c; issue 3) ---------------- */

#define APP_SIMULATE_ORDERS_MAX 5000 /* orders of one replay */
#define APP_SIMULATE_DAYS_MAX   92   /* days of one replay */

struct app_routing_simulate_input {
    int64_t from_ms; /* the period, both ends included */
    int64_t to_ms;
    struct app_routing_settings settings; /* present bits: the fields given */
};

/* One plan's figures over the period. */
struct app_routing_sim_totals {
    struct routing_terms cost; /* shipping, handling, lateness, split, total (no unplaced) */
    int64_t shipments;
    int64_t split_orders;
    int64_t late_shipments;
    int64_t lateness_days;
    int64_t unplaced_units;
};

struct app_routing_simulate_result {
    int64_t from_ms;
    int64_t to_ms;
    size_t orders;                    /* replayed */
    size_t skipped;                   /* pickups, deliveries, cancelled */
    struct routing_settings settings; /* what the replay used */
    struct app_routing_sim_totals actual;
    struct app_routing_sim_totals simulated;
};

/* Replays the period's orders under the settings in memory; changes nothing. */
MUST_CHECK enum err_code app_routing_simulate(struct app_ctx *ctx,
                                              const struct app_routing_simulate_input *input,
                                              struct app_routing_simulate_result *out,
                                              struct err *err);

/* ---- routing round 2: drop-ship purchase orders (purchase_orders.c; issue 3) ---------------- */

struct app_purchase_order_query {
    const char *supplier; /* location code, or NULL (a warehouse key: its own location) */
    bool has_status;
    enum shipment_status status; /* open = pending */
    struct app_page page;        /* the cursor is the last id of the previous page */
};

/* Purchase orders newest first, each with its lines. */
MUST_CHECK enum err_code app_purchase_order_list(struct app_ctx *ctx,
                                                 struct app_purchase_order_query *query,
                                                 struct purchase_order **out, size_t *count,
                                                 struct err *err);
MUST_CHECK enum err_code app_purchase_order_get(struct app_ctx *ctx, const char *id,
                                                struct purchase_order *out, struct err *err);
/* The supplier shipped the purchase order with tracking: the order's lines are shipped. */
MUST_CHECK enum err_code app_purchase_order_ship(struct app_ctx *ctx, const char *id,
                                                 const struct app_ship *ship,
                                                 struct app_idempotency *idem,
                                                 struct purchase_order *out, struct err *err);

/* ---- availability and soft holds (availability.c, holds.c; issue 3; README "Availability and
 * holds") ----------------------------------------------------------------------------------- */

struct app_availability_query {
    const char *const *skus; /* 1..AVAILABILITY_SKUS_MAX */
    size_t skus_count;
    const char *postal_code; /* a US ZIP code, or NULL */
    bool has_coords;         /* lat/lon given instead */
    double lat;
    double lon;
    const char *channel; /* NULL: none (no hold-back); a channel key always asks as its own */
    int64_t qty;         /* units the customer wants, 1..QTY_MAX */
};

struct app_pickup_option {
    const char *location;
    const char *name;
    double distance_km; /* -1 when unknown */
    int64_t available;
    int64_t ready_by_ms; /* the end of the day the store can have it ready */
};

struct app_availability_item {
    const char *sku;
    bool is_kit;
    bool active;                /* false: not for sale, available 0 */
    int64_t available;          /* units that ship or drop-ship to this customer */
    int64_t dropship_available; /* of which from drop-ship suppliers */
    bool can_ship;              /* qty units can be delivered */
    int64_t delivery_day;       /* day number, when can_ship */
    int64_t ship_by_ms;         /* when one location serves it: its ship-by */
    const char *ship_from;      /* that location, or NULL when several are needed */
    struct app_pickup_option pickups[AVAILABILITY_PICKUP_MAX]; /* nearest first */
    size_t pickups_count;
};

struct app_availability {
    const char *channel; /* as applied, or NULL */
    int64_t qty;
    bool has_destination;
    struct app_availability_item *items; /* the SKUs found, in the order asked */
    size_t items_count;
    const char **unknown; /* SKUs asked that are not in the catalog */
    size_t unknown_count;
};

/* What a channel may promise (PERM_ORDERS_CREATE: admin, operator, support, channel keys).
 * ERR_INVALID naming skus, qty, postal_code, lat, lon or channel; ERR_FORBIDDEN when a channel
 * key names another channel. Reads one snapshot. */
MUST_CHECK enum err_code app_availability(struct app_ctx *ctx,
                                          const struct app_availability_query *query,
                                          struct app_availability *out, struct err *err);

struct app_hold_input {
    const char *channel; /* NULL: the key's channel, else "web" */
    const struct hold_request_line *lines;
    size_t lines_count;
    int64_t ttl_seconds;     /* HOLD_TTL_SECONDS_MIN..MAX */
    const char *postal_code; /* optional: hold at the locations nearest to it */
    bool has_coords;
    double lat;
    double lon;
};

/* Holds stock for a checkout: reserved (ledger reserve, ref_type "hold") at the locations that
 * deliver soonest, after the channel's hold-back. ERR_INVALID naming the field; ERR_STOCK
 * (409 insufficient_stock, the SKUs short) when it cannot be held in full. */
MUST_CHECK enum err_code app_hold_create(struct app_ctx *ctx, const struct app_hold_input *input,
                                         struct app_idempotency *idem, struct hold *out,
                                         struct err *err);
/* The hold (status "expired" once its time ran out, even before the jobs released it);
 * ERR_NOT_FOUND also when a channel key asks for another channel's hold. */
MUST_CHECK enum err_code app_hold_get(struct app_ctx *ctx, const char *id, struct hold *out,
                                      struct err *err);
/* Gives an active hold's stock back (status "released"); ERR_STATE when it already ended. */
MUST_CHECK enum err_code app_hold_release(struct app_ctx *ctx, const char *id, struct hold *out,
                                          struct err *err);

#endif
