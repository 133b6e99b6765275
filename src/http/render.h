/*
 * render.h — core structs and app results as the JSON of API.md, through the lib/json.h
 * writer (never jansson). Times are RFC 3339 (null when 0), money is integer minor units,
 * absent strings are null. The jw's first error is sticky: check jw_finish() once.
 */
#ifndef ORDO_HTTP_RENDER_H
#define ORDO_HTTP_RENDER_H

#include "app/app.h"
#include "core/address.h"
#include "core/channel.h"
#include "core/customer.h"
#include "core/inventory.h"
#include "core/location.h"
#include "core/order.h"
#include "core/product.h"
#include "lib/base.h"
#include "lib/buf.h"
#include "lib/json.h"
#include "store/store.h"

/* {name, company, line1, line2, city, region, postal_code, country, phone, lat, lon}, or
 * null when the address is not present. */
void render_address(struct jw *jw, const struct address *address);

/* {id, line_id, sku, location, qty, shipment_id, distance_km (null when unknown)}. */
void render_allocation(struct jw *jw, const struct allocation *allocation);

/* The whole order: lines, allocations, addresses, fulfillment, totals, times. */
void render_order(struct jw *jw, const struct order *order);

/* The location of API.md plus cutoff_time "HH:MM", handling_days, version and times. */
void render_location(struct jw *jw, const struct location *location);

/* {sku, name, price, currency, weight_grams, kind, components (kits), dropship_supplier,
 * bin_location, customizable, active, version, created_at, updated_at}. */
void render_product(struct jw *jw, const struct product *product);

/* {code, kind, name, created_at}. */
void render_channel(struct jw *jw, const struct channel *channel);

/* The customer's members without the enclosing braces (so a caller may add "orders"). */
void render_customer_fields(struct jw *jw, const struct customer *customer);

/* {id, email, name, phone, type, payment_terms_days, credit_limit, orders_count, version,
 * created_at, updated_at}. */
void render_customer(struct jw *jw, const struct customer *customer);

/* GET /v1/inventory/{sku}: {sku, kind ("kit" only for kits), locations: [...], available}. */
void render_stock_view(struct jw *jw, const struct app_stock_view *view);

/* {id, sku, location, kind, on_hand_delta, reserved_delta, reason, ref_type, ref_id,
 * created_at}; id is the row id as a string. */
void render_ledger_entry(struct jw *jw, const struct ledger_entry *entry);

/* {id, type, entity_type, entity_id, data (the stored JSON), created_at}. */
void render_event(struct jw *jw, const struct event *event);

/* A list: render_list_begin opens {"data": [, render_list_end closes it and writes
 * "next_cursor" (null when next_cursor is NULL). */
void render_list_begin(struct jw *jw);
void render_list_end(struct jw *jw, const char *next_cursor);

/*
 * Renderers for struct app_idempotency.render: each writes the whole answer body of one
 * result type into body and sets the success status. ERR_TOO_LARGE when body is full.
 */
/* struct app_capture_result: 201 when created, 200 when the order existed. */
MUST_CHECK enum err_code render_capture_answer(const void *result, struct buf *body, int *status);
/* struct order after an action (cancel, hold, release): 200. */
MUST_CHECK enum err_code render_order_answer(const void *result, struct buf *body, int *status);
/* struct channel, struct location, struct product just created: 201. */
MUST_CHECK enum err_code render_channel_created(const void *result, struct buf *body, int *status);
MUST_CHECK enum err_code render_location_created(const void *result, struct buf *body, int *status);
MUST_CHECK enum err_code render_product_created(const void *result, struct buf *body, int *status);
/* struct app_stock_view after a count or an adjustment: 200. */
MUST_CHECK enum err_code render_stock_answer(const void *result, struct buf *body, int *status);

/* A shipment with its lines (the order's allocations on it), location, carrier, tracking,
 * packages, times, and pickup_code (pickups; null unless view->show_pickup_code). */
void render_shipment_view(struct jw *jw, const struct app_shipment_view *view);

/* {id, location, status (open|completed), picker, shipments: [ids], lines: [{line_no,
 * shipment_id, order_id, order_line_id, sku, bin_location, qty, qty_shorted}], started_at,
 * completed_at, version}. */
void render_pick_list(struct jw *jw, const struct pick_list *pick_list);

/* struct app_shipment_view after an action: 200. */
MUST_CHECK enum err_code render_shipment_answer(const void *result, struct buf *body, int *status);
/* struct pick_list just created (201) or completed (200). */
MUST_CHECK enum err_code render_pick_list_created(const void *result, struct buf *body,
                                                  int *status);
MUST_CHECK enum err_code render_pick_list_answer(const void *result, struct buf *body, int *status);

/* ---- payments (README "Payments") ---- */

/* {"order_id", "currency", "authorized", "captured", "refunded", "refund_pending",
 *  "data": [transactions]} */
void render_payments(struct jw *jw, const struct app_payments_view *view);

#endif
