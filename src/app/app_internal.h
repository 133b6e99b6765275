/*
 * app_internal.h — what the use-case files of app/ share: the app struct, permission checks,
 * the write path (writer command with idempotency) and the read path (a pooled reader
 * connection in a snapshot). Not for http/ or cli/.
 */
#ifndef ORDO_APP_APP_INTERNAL_H
#define ORDO_APP_APP_INTERNAL_H

#include <pthread.h>

#include "app/app.h"
#include "app/writer.h"
#include "core/payment.h"
#include "lib/base.h"

struct app_key_cache;
struct app_ref_cache;
struct app_payments;
struct payment_provider;

struct app {
    struct store *store;
    struct writer *writer;
    struct app_key_cache *keys;
    struct app_payments *payments; /* payments worker and stripe (payment_worker.c), or NULL */
    struct app_ref_cache *refs;    /* locations and channels kept per process (ref_cache.c) */
};

/* ERR_FORBIDDEN unless the principal's role allows perm. */
MUST_CHECK enum err_code app_require(const struct app_ctx *ctx, enum permission perm,
                                     struct err *err);

/* A write use case: run() executes on the writer connection inside the command's savepoint. */
struct app_write {
    struct app_ctx *ctx;
    struct app_idempotency *idem; /* may be NULL */
    enum err_code (*run)(struct app_write *write, struct store_conn *conn, struct err *err);
    void *arg;          /* the use case's own arguments and outputs */
    const void *result; /* what idem->render renders, set by run() */
};

/* Runs write through the writer, with the idempotency check and record around run(). */
MUST_CHECK enum err_code app_write_run(struct app_write *write, struct err *err);

/* A reader connection inside a read snapshot; end it with app_read_end. */
MUST_CHECK enum err_code app_read_begin(struct app_ctx *ctx, struct store_conn **conn,
                                        struct err *err);
/* Ends it once everything it may have seen is on disk (writer_wait_durable): for reads whose
 * answer is shown. */
void app_read_end(struct app_ctx *ctx, struct store_conn *conn);
/* Ends it at once: for the snapshot a write command is planned on, whose answer waits for its
 * own commit's flush anyway (which covers every earlier commit). */
void app_read_end_for_write(struct app_ctx *ctx, struct store_conn *conn);

/*
 * Appends an event to the outbox. kind is "<entity type>.<what happened>" ("order.created"):
 * the entity type is the part before the dot. data_json may be NULL for "{}".
 */
MUST_CHECK enum err_code app_event_add(struct store_conn *conn, struct app_ctx *ctx,
                                       const char *entity_id, const char *kind,
                                       const char *data_json, struct err *err);

/* Lower-case copy of an e-mail in the arena. */
char *app_email_normalize(struct arena *arena, const char *email);

/* Fills address coordinates from the postal-code table when missing; false if unknown. */
bool app_geocode(struct address *address);

/* Key cache (keys.c). */
MUST_CHECK enum err_code app_keys_init(struct app *app, struct err *err);
void app_keys_free(struct app *app);

/* Stock view of one product (stock.c), read on conn. */
MUST_CHECK enum err_code app_stock_view_load(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct product *product,
                                             struct app_stock_view *out, struct err *err);

struct app_release {
    const struct order_line *line;
    const struct product *product; /* the line's product when it is a kit, else NULL */
    int64_t location_row_id;
    int64_t qty; /* units (kits) of the line, > 0 */
};

/* Releases a line's reservation at a location, kits through their components. */
MUST_CHECK enum err_code app_stock_release(struct app_ctx *ctx, struct store_conn *conn,
                                           const struct app_release *release, struct err *err);

/* Metrics rollup hooks (metrics.c), each called inside the writer command that made the
 * change. The order's facts are recomputed from what is stored after the change. */
MUST_CHECK enum err_code app_metrics_order(struct app_ctx *ctx, struct store_conn *conn,
                                           const char *order_id, const char *customer_id,
                                           struct err *err);

/* An order captured in this command, as app_metrics_order_created counts it. */
struct metrics_new_order {
    const struct order *order;
    const struct shipment *shipments;
    size_t shipments_count;
    bool customer_new; /* the command created the customer too: its first order ever */
};
/* app_metrics_order for an order captured in this command (no stored rows to read back). */
MUST_CHECK enum err_code app_metrics_order_created(struct app_ctx *ctx, struct store_conn *conn,
                                                   const struct metrics_new_order *created,
                                                   struct err *err);
MUST_CHECK enum err_code app_metrics_pick_list(struct app_ctx *ctx, struct store_conn *conn,
                                               const struct pick_list *pick_list, struct err *err);
MUST_CHECK enum err_code app_metrics_ledger(struct app_ctx *ctx, struct store_conn *conn,
                                            const struct ledger_entry *entry,
                                            const char *location_code, struct err *err);
/* The rollup part of ordo check: appends one line per difference; *ok false when any. */
MUST_CHECK enum err_code app_metrics_check(struct app_ctx *ctx, struct store_conn *conn,
                                           struct buf *report, bool *ok, struct err *err);

/* ---- payments (payments.c, payment_auth.c, payment_worker.c; README "Payments") ---------- */

/*
 * Records a refund of `amount` minor units against the order's captures, inside the caller's
 * writer command (its savepoint). amount 0 does nothing. ERR_CONFLICT reason
 * "refund_exceeds_captures" (409) when succeeded captures - (succeeded + pending refunds) <
 * amount; ERR_INVALID when amount < 0; ERR_NOT_FOUND when there is no such order. An
 * in-process provider (manual, sandbox) refunds at once (`succeeded`; ERR_STATE reason
 * "refund_failed" when it refuses, nothing recorded); stripe's refund is recorded `pending`
 * and made by the payments worker after the commit. return_id may be NULL. Adds the order
 * event "order.payment_refund_<status>".
 */
MUST_CHECK enum err_code app_payment_refund(struct app_ctx *ctx, struct store_conn *conn,
                                            const char *order_id, int64_t amount,
                                            const char *return_id, struct err *err);

/* The provider of that name (manual, sandbox, or stripe when configured), or NULL. */
const struct payment_provider *app_payment_provider(struct app *app, const char *name);
/* Stripe when configured (app_payments_start), else NULL. */
const struct payment_provider *app_payments_stripe(struct app *app);
/* Tells the payments worker that pending transactions may be waiting. */
void app_payments_wake(struct app *app);

/* Inserts txn (id given or made here, times set) with the event "order.payment_<kind>_<status>"
 * (none for a succeeded manual authorize, capture or void: they move no money). */
MUST_CHECK enum err_code app_payment_record(struct app_ctx *ctx, struct store_conn *conn,
                                            struct payment_txn *txn, struct err *err);
/*
 * Makes txn (kind capture, void or refund; order_id, amount, currency set) through provider
 * against the authorization auth_ref and records it: an in-process provider is called now
 * (succeeded or failed), a remote one is left pending for the worker.
 */
MUST_CHECK enum err_code app_payment_call(struct app_ctx *ctx, struct store_conn *conn,
                                          const struct payment_provider *provider,
                                          const char *auth_ref, struct payment_txn *txn,
                                          struct err *err);
/* The event data of a transaction (arena), or NULL when full. */
const char *app_payment_event_data(struct app_ctx *ctx, const struct payment_txn *txn);
/* The reference of the newest succeeded authorization of provider among txns, or NULL. */
const char *app_payment_auth_ref(const struct payment_txn *txns, size_t count,
                                 const char *provider);

/* An authorization made in the request thread before the command that takes the order. */
struct app_payment_auth {
    const struct payment_provider *provider; /* NULL: nothing to authorize (total 0) */
    const char *txn_id;
    int64_t amount;
    const char *currency;
    bool approved;
    const char *provider_ref;
    const char *error;          /* the decline code */
    bool recorded;              /* set by the command that recorded it */
    const char *payment_method; /* stripe: the pm_ id authorized (kept for exchanges), or NULL */
    bool exchange;              /* an exchange order: its charge (the difference) is checked by
                                   app_payment_exchange_charge, not the order's total at capture */
    bool customer_new;          /* the capture command created the customer: no credit limit */
};

/*
 * Request thread, before the capture command: checks provider and card (ERR_INVALID,
 * field "payment.provider" / "payment.card") and authorizes the order's total. A decline is
 * not an error (auth->approved false).
 */
MUST_CHECK enum err_code app_payment_authorize(struct app_ctx *ctx, const struct order *order,
                                               const char *card, struct app_payment_auth *auth,
                                               struct err *err);
/* In the capture command before the order is stored: on_hold for payment_declined or, for a
 * business customer on manual payment, credit_limit. */
MUST_CHECK enum err_code app_payment_capture_hold(struct app_ctx *ctx, struct store_conn *conn,
                                                  struct order *order,
                                                  const struct app_payment_auth *auth,
                                                  struct err *err);
/* True in *over when a business customer paying by invoice (manual) would exceed the credit
 * limit with amount more on account than the open balance of its other orders. */
MUST_CHECK enum err_code app_payment_over_limit(struct app_ctx *ctx, struct store_conn *conn,
                                                const struct order *order, int64_t amount,
                                                bool *over, struct err *err);
/* In the capture command after the order is stored: records the authorization. */
MUST_CHECK enum err_code app_payment_capture_record(struct app_ctx *ctx, struct store_conn *conn,
                                                    const struct order *order,
                                                    struct app_payment_auth *auth, struct err *err);
/* Records an authorization made before the command (no event but the payment's own). */
MUST_CHECK enum err_code app_payment_auth_record(struct app_ctx *ctx, struct store_conn *conn,
                                                 const struct order *order,
                                                 struct app_payment_auth *auth, struct err *err);
/* After the command: voids an approved authorization that no committed command recorded. */
void app_payment_abandon(struct app_ctx *ctx, struct app_payment_auth *auth, bool committed);

/* In the ship command: captures the shipment's share of the order's total. */
MUST_CHECK enum err_code app_payment_capture_shipment(struct app_ctx *ctx, struct store_conn *conn,
                                                      struct order *order,
                                                      const struct shipment *shipment,
                                                      struct err *err);
/* In the cancel command of a whole order: voids what is authorized and not captured. */
MUST_CHECK enum err_code app_payment_void(struct app_ctx *ctx, struct store_conn *conn,
                                          const struct order *order, struct err *err);
/*
 * A capture failed: the order's hold_reason becomes "payment_capture_failed" and, when its
 * status still allows it, the order goes on_hold; saved with the event "order.held".
 */
MUST_CHECK enum err_code app_payment_flag_capture_failed(struct app_ctx *ctx,
                                                         struct store_conn *conn,
                                                         const char *order_id, struct err *err);
/*
 * In an order edit's command: when the order's capturable total grew past what is
 * authorized, authorizes the whole new total again and voids the old authorization. pre is
 * an authorization of that new total made before the command (a remote provider: the request
 * thread, with a new payment method), or NULL; without one an in-process provider authorizes
 * here on the same payment (sandbox keeps the card's behaviour). ERR_INVALID reason
 * "payment_declined" when refused; ERR_INVALID reason "reauthorization_required" (field
 * payment.card) for a remote provider without pre; ERR_CONFLICT when pre no longer matches.
 */
MUST_CHECK enum err_code app_payment_reauthorize(struct app_ctx *ctx, struct store_conn *conn,
                                                 const struct order *order,
                                                 struct app_payment_auth *pre, struct err *err);
/* What app_payment_reauthorize would need: *need > 0 the new total to authorize, *remote
 * when the provider cannot be called inside a command. */
MUST_CHECK enum err_code app_payment_reauth_need(struct app_ctx *ctx, struct store_conn *conn,
                                                 const struct order *order, int64_t *need,
                                                 bool *remote, struct err *err);

/*
 * In the command that created exchange (an exchange order of original): authorizes amount
 * (> 0: what the customer owes for the difference) on the exchange order through original's
 * provider and original payment: manual on account (a business customer over the credit
 * limit: on_hold credit_limit), sandbox on the original authorization's card, stripe on the
 * original PaymentMethod (recorded pending, made by the payments worker). A decline, or no
 * original payment to charge, puts the exchange order on_hold payment_declined (saved here).
 */
struct app_exchange_charge {
    const struct order *original;
    struct order *exchange; /* saved again when it goes on hold */
    int64_t amount;
    const char *return_id; /* kept on the authorization: it marks the exchange's charge */
};

MUST_CHECK enum err_code app_payment_exchange_charge(struct app_ctx *ctx, struct store_conn *conn,
                                                     const struct app_exchange_charge *charge,
                                                     struct err *err);
/* A pending authorization (an exchange's difference) was declined by the provider: the
 * order goes on_hold payment_declined (its hold_reason only, once something shipped). */
MUST_CHECK enum err_code app_payment_flag_declined(struct app_ctx *ctx, struct store_conn *conn,
                                                   const char *order_id, struct err *err);
/* The payments part of ordo check: refunds <= captures per order. */
MUST_CHECK enum err_code app_payment_check(struct app_ctx *ctx, struct store_conn *conn,
                                           struct buf *report, bool *ok, struct err *err);

/* ---- returns, exchanges, invoices (returns*.c, invoices.c, capture.c; returns engineer) ---- */

/*
 * Captures an order inside the caller's writer command (an exchange order): validated,
 * priced from the catalog, routed and reserved as app_order_capture does, with its event and
 * metrics; its payment is the difference, authorized by the caller with
 * app_payment_exchange_charge (no credit-limit check of its catalog total here).
 */
MUST_CHECK enum err_code app_capture_in_command(struct app_ctx *ctx, struct store_conn *conn,
                                                const struct order *input, struct order *out,
                                                struct err *err);
/* In the ship and pickup commands: issues the order's invoice when none was issued yet. */
MUST_CHECK enum err_code app_invoice_on_ship(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct order *order, struct err *err);
/* The returns part of ordo check: invoice and credit-note numbers have no gaps, each order
 * line's qty_returned is what its returns received, each return's refunded its credit notes. */
MUST_CHECK enum err_code app_invoice_check(struct app_ctx *ctx, struct store_conn *conn,
                                           struct buf *report, bool *ok, struct err *err);

/* ---- routing (routing_config.c; issue 3, routing engineer) ------------------------------- */

/* The dictionary routing explanations are packed against (routing_dict.c, lib/zdoc). */
struct zdoc_dict;
extern const struct zdoc_dict app_routing_dict;

/* What capture and reroutes plan with: settings, every carrier service, hold-backs. */
struct app_routing_config {
    struct routing_settings settings;
    struct routing_service *services;
    size_t services_count;
    struct routing_hold_back *hold_backs;
    size_t hold_backs_count;
};

/* The config on conn's snapshot, copied into ctx->arena (from the process's cache when the
 * stored version has not moved). */
MUST_CHECK enum err_code app_routing_config_load(struct app_ctx *ctx, struct store_conn *conn,
                                                 struct app_routing_config *out, struct err *err);
/* app_routing_config_load when the caller read the stored version on conn's snapshot
 * already (store_versions_read). */
MUST_CHECK enum err_code app_routing_config_load_at(struct app_ctx *ctx, struct store_conn *conn,
                                                    int64_t version, struct app_routing_config *out,
                                                    struct err *err);
/* Units held back from the channel's orders (0 when none). */
int64_t app_routing_hold_back(const struct app_routing_config *config, const char *channel);
/* Whether app_routing_capacity_left_all reads (some location has a daily capacity), and the
 * start of the day it counts shipments from (store_routing_shipments_since_all). */
bool app_routing_capacity_read(const struct app_ctx *ctx, const struct location *locations,
                               size_t count, int64_t *since_ms);
/* The shipments each of locations[0..count) may still take today into left[0..count)
 * (INT64_MAX without a daily capacity), in one read (none when no location has one). */
MUST_CHECK enum err_code app_routing_capacity_left_all(struct app_ctx *ctx, struct store_conn *conn,
                                                       const struct location *locations,
                                                       size_t count, int64_t *left,
                                                       struct err *err);
/* The same for a plan on a read snapshot (the writer checks it again): from the process's copy
 * of the counts while it is recent (app_ref_used_get), else read on conn and kept. */
MUST_CHECK enum err_code app_routing_capacity_left_recent(struct app_ctx *ctx,
                                                          struct store_conn *conn,
                                                          const struct location *locations,
                                                          size_t count, int64_t *left,
                                                          struct err *err);

/* ---- reference data kept per process (ref_cache.c) ---------------------------------------- */

MUST_CHECK enum err_code app_ref_cache_init(struct app *app, struct err *err);
void app_ref_cache_free(struct app *app);
/* Every location ordered by code, as store_location_list, copied into ctx->arena: the process's
 * copy when version (the locations version read on conn's snapshot, store_versions_read) is the
 * one it was read at, else read on conn (and kept). */
MUST_CHECK enum err_code app_ref_locations(struct app_ctx *ctx, struct store_conn *conn,
                                           int64_t version, struct location **out, size_t *count,
                                           struct err *err);

/* SKUs asked of app_ref_products and where their products go: out[i] for skus[i]. */
struct app_ref_skus {
    const char *const *skus;
    size_t count;
    struct product *out;
};
/* The products of ask's SKUs, as store_product_get_many (out[i] zeroed when skus[i] does not
 * exist), copied into ctx->arena: from the process's copies while version (the products version
 * read on conn's snapshot) is the one they were read at, the others read on conn (and kept). */
MUST_CHECK enum err_code app_ref_products(struct app_ctx *ctx, struct store_conn *conn,
                                          int64_t version, const struct app_ref_skus *ask,
                                          struct err *err);
/*
 * The shipments each location took since since_ms (store_routing_shipments_since_all) as a read
 * snapshot of this process found them within the last APP_REF_USED_TTL_MS, copied into
 * ctx->arena: false when there is no such copy. For plans made on a read snapshot only, which
 * the writer checks again against current counts (store_routing_capacity_require): a copy a few
 * milliseconds old costs at most a plan made again inside the writer, where a read of the
 * hottest rows every order updates costs every capture.
 */
#define APP_REF_USED_TTL_MS 100
bool app_ref_used_get(struct app_ctx *ctx, int64_t since_ms, struct routing_location_used **out,
                      size_t *count);
/* Keeps what a read snapshot just read for app_ref_used_get. */
void app_ref_used_put(struct app_ctx *ctx, int64_t since_ms,
                      const struct routing_location_used *used, size_t count);
/* ERR_OK when the channel exists, ERR_NOT_FOUND when it does not (asked of the store until it is
 * found once: channels are never deleted). */
MUST_CHECK enum err_code app_ref_channel_check(struct app_ctx *ctx, struct store_conn *conn,
                                               const char *code, struct err *err);

/* ---- routing round 2: drop-ship, reroutes (purchase_orders.c, routing_reroute.c; issue 3) -- */

/* True for a location of kind supplier: its allocations are drop-ships and reserve nothing. */
bool app_location_is_dropship(const struct location *location);
/* Adjusts what each location can serve of one line for drop-ship: a supplier location serves
 * nothing, except the product's own drop-ship supplier, which serves the whole qty when Ordo's
 * active shipping locations together hold less than qty (not for pickup orders). */
void app_dropship_available(const struct location *locations, size_t count,
                            const struct product *product, enum fulfillment_method method,
                            int64_t qty, int64_t *available);
/* Raises the purchase order of a new drop-ship shipment (with its order event). */
MUST_CHECK enum err_code app_purchase_order_raise(struct app_ctx *ctx, struct store_conn *conn,
                                                  const struct order *order,
                                                  const struct shipment *shipment, struct err *err);
/* *skip: the location is a supplier, so releasing an allocation there moves no stock. */
MUST_CHECK enum err_code app_dropship_release_skip(struct app_ctx *ctx, struct store_conn *conn,
                                                   int64_t location_row_id, bool *skip,
                                                   struct err *err);
/* ordo check: drops the open allocations at suppliers (drop-ships reserve nothing). */
MUST_CHECK enum err_code app_dropship_check(struct app_ctx *ctx, struct store_conn *conn,
                                            struct stock_row *open, size_t *open_count,
                                            struct err *err);
/* Ship-to-store transfers (routing_transfer.c): whether a shipment is one; shipping it moves
 * the units out of the warehouse (release + transfer_out, lines not shipped); delivering it
 * receives them at the store onto a new pickup shipment; recording one at capture. */
MUST_CHECK enum err_code app_transfer_is(struct app_ctx *ctx, struct store_conn *conn,
                                         const struct shipment *shipment, bool *transfer,
                                         struct err *err);
MUST_CHECK enum err_code app_transfer_ship(struct app_ctx *ctx, struct store_conn *conn,
                                           struct order *order, const struct shipment *shipment,
                                           struct err *err);
MUST_CHECK enum err_code app_transfer_receive(struct app_ctx *ctx, struct store_conn *conn,
                                              struct order *order, const struct shipment *shipment,
                                              struct err *err);
MUST_CHECK enum err_code app_transfer_record(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct order *order,
                                             const struct routing_transfer *transfer,
                                             struct err *err);
/* In the location update command: when the location is inactive, routes its pending
 * shipments' units again (each order gets an order.rerouted event). */
MUST_CHECK enum err_code app_routing_location_changed(struct app_ctx *ctx, struct store_conn *conn,
                                                      const struct location *location,
                                                      struct err *err);

/* ---- soft holds in capture (holds.c; issue 3, availability and holds) -------------------- */

/*
 * In the capture command, before routing in the writer. When route_in_writer, releases the
 * holds that expired (their units count again). When order->hold_id names a hold: unknown,
 * expired, released or of another channel is ERR_INVALID field "hold_id"; consumed is
 * ERR_CONFLICT reason "hold_consumed"; else its reservations are released (ledger release,
 * ref_type "hold") and it is marked consumed, so that routing on current stock in the same
 * command finds its units free. The command's savepoint undoes all of it when capture fails.
 */
MUST_CHECK enum err_code app_holds_before_capture(struct app_ctx *ctx, struct store_conn *conn,
                                                  const struct order *order, bool route_in_writer,
                                                  struct err *err);
/* After the order is stored: records it as its hold's consumer (nothing without hold_id). */
MUST_CHECK enum err_code app_holds_after_capture(struct app_ctx *ctx, struct store_conn *conn,
                                                 const struct order *order, struct err *err);
/* Releases the holds that expired by ctx->now_ms, at most JOBS_BATCH_MAX per call, in the
 * caller's command; *released counts them. */
MUST_CHECK enum err_code app_holds_expire(struct app_ctx *ctx, struct store_conn *conn,
                                          size_t *released, struct err *err);

#endif
