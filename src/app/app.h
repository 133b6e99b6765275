/*
 * app.h — Ordo's use cases. Each write use case runs as one command of the writer thread
 * (its own savepoint inside a group commit); reads use a reader connection and never wait
 * for the writer. http/ and cli/ call only these functions: they parse and render, app
 * decides. Results are copied into the caller's arena.
 */
#ifndef ORDO_APP_APP_H
#define ORDO_APP_APP_H

#include "core/auth.h"
#include "core/channel.h"
#include "core/customer.h"
#include "core/inventory.h"
#include "core/location.h"
#include "core/order.h"
#include "core/product.h"
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
MUST_CHECK enum err_code app_order_release(struct app_ctx *ctx, const char *id,
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

struct app_jobs_result {
    size_t pickups_expired;         /* ready pickups cancelled after their hold days */
    size_t idempotency_keys_purged; /* answers kept longer than IDEMPOTENCY_RETENTION_MS */
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

#endif
