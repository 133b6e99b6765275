/*
 * fulfillment.h — what the fulfillment files of app/ share (shipments.c, pick_lists.c,
 * backorders.c, on fulfillment.c): who may see or act on a shipment, stock that leaves or is
 * reserved, allocating more units of a line, routing shorted units again, and the order's
 * status as its shipments and lines make it. Not for http/ or cli/. Every function runs on
 * the writer connection inside the caller's command unless it says otherwise.
 */
#ifndef ORDO_APP_FULFILLMENT_H
#define ORDO_APP_FULFILLMENT_H

#include "app/app.h"
#include "app/app_internal.h"
#include "lib/base.h"

/* ERR_FORBIDDEN unless the role may read shipments (admin, operator, support, warehouse). */
MUST_CHECK enum err_code ful_require_read(const struct app_ctx *ctx, struct err *err);

/* True when the principal may see shipments at that location (warehouse: its own only). */
bool ful_location_visible(const struct app_ctx *ctx, const char *location_code);

/*
 * Loads a shipment (every column) and its order; ERR_NOT_FOUND ("no shipment") when either
 * is missing or the principal may not see the shipment's location.
 */
MUST_CHECK enum err_code ful_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                                  struct shipment *shipment, struct order *order, struct err *err);

/* The line with that id, or NULL. */
struct order_line *ful_order_line(struct order *order, const char *line_id);

/* The kit product of a kit line (into *kit, returning kit) or NULL for a simple line. */
MUST_CHECK enum err_code ful_line_product(struct app_ctx *ctx, struct store_conn *conn,
                                          const struct order_line *line, struct product *kit,
                                          const struct product **out, struct err *err);

/* Units of the shipment's allocations leave the location: on_hand and reserved go down
 * together (ledger ship, kits through their components) and the lines count them shipped. */
MUST_CHECK enum err_code ful_ship_units(struct app_ctx *ctx, struct store_conn *conn,
                                        struct order *order, const struct shipment *shipment,
                                        struct err *err);

/* Units of one line of an order at one location. */
struct ful_units {
    size_t line_index;
    const struct location *location;
    int64_t qty;
};

/*
 * Reserves the units at their location (kits through components, ledger reserve) and records
 * them as an allocation on the order's pending shipment there (created when there is none).
 * ERR_STOCK when the location no longer has them.
 */
MUST_CHECK enum err_code ful_allocate(struct app_ctx *ctx, struct store_conn *conn,
                                      struct order *order, const struct ful_units *units,
                                      struct err *err);

/* Whole units (kits: whole kits) of a line's product available to promise at a location. */
MUST_CHECK enum err_code ful_available(struct app_ctx *ctx, struct store_conn *conn,
                                       const struct order_line *line, int64_t location_row_id,
                                       int64_t *out, struct err *err);

/* Units of a line to route again, and (out) how many found a place. */
struct ful_short {
    size_t line_index;
    int64_t qty;
    int64_t excluded_row_id; /* the location that reported them short */
    int64_t routed;          /* out: units placed elsewhere; the rest are backordered */
};

/*
 * Routes the short units of a line again with the routing engine, leaving out the location
 * that reported them; the units nothing can serve become backordered.
 */
MUST_CHECK enum err_code ful_reroute(struct app_ctx *ctx, struct store_conn *conn,
                                     struct order *order, struct ful_short *units, struct err *err);

/* Drops emptied allocations and cancels open shipments left with no units. */
MUST_CHECK enum err_code ful_compact(struct app_ctx *ctx, struct store_conn *conn,
                                     struct order *order, struct err *err);

/*
 * Moves the order to the status its shipments and lines make it (through the core table):
 * shipped when every unit left, partially_shipped when some did, ready_for_pickup,
 * in_fulfillment while a shipment is picked or packed, backordered, else allocated. An order
 * already in fulfillment stays there rather than going back to allocated. ERR_STATE when the
 * table refuses.
 */
MUST_CHECK enum err_code ful_order_settle(struct app_ctx *ctx, struct store_conn *conn,
                                          struct order *order, struct err *err);

/* Writes the order back (version checked, version + 1) and adds its event. */
MUST_CHECK enum err_code ful_order_save(struct app_ctx *ctx, struct store_conn *conn,
                                        struct order *order, const char *kind, const char *data,
                                        struct err *err);

/* {"shipment_id": ..., "location": ..., "status": ...} plus extra members (JSON text without
 * braces, or NULL) as event data; NULL when the arena is full (the event then has "{}"). */
const char *ful_event_data(struct app_ctx *ctx, const struct shipment *shipment, const char *extra);

/*
 * Stock arrived for product_row_id at location (a count, an adjustment, a receipt): allocates
 * backordered orders that want it (directly or in a kit), oldest first, each with an order
 * event, in the caller's transaction.
 */
MUST_CHECK enum err_code app_backorders_fill(struct app_ctx *ctx, struct store_conn *conn,
                                             int64_t product_row_id,
                                             const struct location *location, struct err *err);

#endif
