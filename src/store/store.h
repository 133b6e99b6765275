/*
 * store.h — the one interface to the database. app calls these; only a backend file
 * (store_sqlite.c, store_pg.c) talks to a database library. Every function that reads
 * copies what it returns into the caller's arena. Every function that can fail returns
 * enum err_code and fills err: ERR_NOT_FOUND for a missing row, ERR_CONFLICT for a unique
 * key taken, ERR_STOCK for a conditional stock update that did not apply, ERR_PRECONDITION
 * for a version that moved on, ERR_STORE for anything the database itself reports.
 *
 * Connections: one writer connection, used only by the writer thread inside
 * store_begin_write()/store_commit(); a pool of reader connections for everything else.
 */
#ifndef ORDO_STORE_STORE_H
#define ORDO_STORE_STORE_H

#include "core/auth.h"
#include "core/availability.h"
#include "core/channel.h"
#include "core/customer.h"
#include "core/inventory.h"
#include "core/location.h"
#include "core/metrics.h"
#include "core/order.h"
#include "core/payment.h"
#include "core/product.h"
#include "core/returns.h"
#include "core/routing.h"
#include "core/shipment.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"
#include "lib/id.h"

struct store;
struct store_conn;

struct store_options {
    const char *path;      /* SQLite file path, or a postgresql:// URL */
    bool synchronous_full; /* true: PRAGMA synchronous=FULL, or synchronous_commit=on */
    int readers_max;       /* reader connections in the pool */
};

/* True when path is a PostgreSQL URL (postgresql://... or postgres://...). */
bool store_is_postgres_url(const char *path);

/* Opens (creating if needed) the database: options->path is an SQLite file path or a
 * PostgreSQL URL. Does not migrate. */
MUST_CHECK enum err_code store_open(const struct store_options *options, struct store **out,
                                    struct err *err);
void store_close(struct store *store);

struct store_migration {
    int version;
    const char *name;
    bool applied;
    int64_t applied_at_ms;
};

/* Applies every migration not yet applied, each in its own transaction. */
MUST_CHECK enum err_code store_migrate(struct store *store, int64_t now_ms, struct err *err);

/* Every known migration and whether it is applied (arena-owned array). */
MUST_CHECK enum err_code store_migrations(struct store *store, struct arena *arena,
                                          struct store_migration **out, size_t *count,
                                          struct err *err);

/* The writer connection; only the writer thread (or a single-threaded CLI) uses it. */
struct store_conn *store_writer_conn(struct store *store);

/* A reader connection from the pool (waits when all are busy); give it back when done. */
MUST_CHECK enum err_code store_reader_acquire(struct store *store, struct store_conn **out,
                                              struct err *err);
void store_reader_release(struct store *store, struct store_conn *conn);

/* ---- transactions ---------------------------------------------------------------------- */

MUST_CHECK enum err_code store_begin_write(struct store_conn *conn, struct err *err);
MUST_CHECK enum err_code store_begin_read(struct store_conn *conn, struct err *err);
MUST_CHECK enum err_code store_commit(struct store_conn *conn, struct err *err);
void store_rollback(struct store_conn *conn);
/* One savepoint level per command inside a group commit. */
MUST_CHECK enum err_code store_savepoint(struct store_conn *conn, struct err *err);
MUST_CHECK enum err_code store_savepoint_release(struct store_conn *conn, struct err *err);
void store_savepoint_rollback(struct store_conn *conn); /* rolls back to and releases it */

/*
 * Why the last store_savepoint's command may be run again after its savepoint was rolled back:
 * STORE_RETRY_NONE, or a race with another process on the same database that a second run may
 * settle — STORE_RETRY_UNIQUE (a unique key another transaction took while this one ran; the
 * second run sees its row) or STORE_RETRY_CONFLICT (a serialization failure or deadlock, 40001
 * or 40P01: run again in a new transaction). Set by the statements that failed since the last
 * store_savepoint; SQLite's one writer never races and answers STORE_RETRY_NONE.
 */
enum store_retry { STORE_RETRY_NONE, STORE_RETRY_UNIQUE, STORE_RETRY_CONFLICT };
enum store_retry store_retry_kind(struct store_conn *conn);

/*
 * Durability as a step of its own, so that the writer runs the next batch while the last one
 * is flushed: after store_defer_sync() answered true, the writer connection's commits are
 * written but not flushed, and store_sync() flushes every commit that returned before it was
 * called (it may run on another thread than the writer's). Answers false and changes nothing
 * when commits are not flushed at all (synchronous not full) or the database flushes them
 * itself before COMMIT returns (PostgreSQL); store_sync() then has nothing to do.
 */
bool store_defer_sync(struct store *store);
MUST_CHECK enum err_code store_sync(struct store *store, struct err *err);

/* Whether a read on the writer connection waits for the database (PostgreSQL: a round trip the
 * writer's pipeline must drain for) or reads the process's own pages (SQLite: the writer's page
 * cache, warm, while a reader's starts empty after every commit). Tells a use case on which
 * side of the hand-off a read it could do either way costs less. */
bool store_writer_reads_wait(struct store *store);

/*
 * The reads an order's capture is about to make on its read snapshot, each optional: a backend
 * whose every read is a round trip (PostgreSQL) runs them now, together, and keeps the answers
 * for the rest of the snapshot; the calls named below then find theirs ready when asked with
 * the same arguments (with others they read as usual). A hint only: SQLite, whose reads cost
 * no round trip, does nothing, and neither does a writer connection (its own writes would make
 * a kept answer stale). For a snapshot begun by store_begin_read or app_read_begin.
 */
struct store_read_ahead {
    const char *channel;            /* store_order_find_external(channel, external_id) */
    const char *external_id;        /* NULL: not asked */
    const char *customer_email;     /* store_customer_get_brief_by_email; NULL: not asked */
    const int64_t *product_row_ids; /* store_stock_list_by_products; none: not asked */
    size_t product_count;
    bool shipments_since_asked; /* store_routing_shipments_since_all(shipments_since_ms) */
    int64_t shipments_since_ms;
};
MUST_CHECK enum err_code store_read_ahead(struct store_conn *conn, struct arena *arena,
                                          const struct store_read_ahead *ahead, struct err *err);

/* ---- channels ---------------------------------------------------------------------------- */

MUST_CHECK enum err_code store_channel_insert(struct store_conn *conn,
                                              const struct channel *channel, struct err *err);
MUST_CHECK enum err_code store_channel_get(struct store_conn *conn, struct arena *arena,
                                           const char *code, struct channel *out, struct err *err);
MUST_CHECK enum err_code store_channel_list(struct store_conn *conn, struct arena *arena,
                                            struct channel **out, size_t *count, struct err *err);

/* ---- locations --------------------------------------------------------------------------- */

/* Inserts and sets location->row_id; ERR_CONFLICT when the code exists. */
MUST_CHECK enum err_code store_location_insert(struct store_conn *conn, struct location *location,
                                               struct err *err);
/* Updates every field by row_id when its version is expected_version; stores version + 1. */
MUST_CHECK enum err_code store_location_update(struct store_conn *conn,
                                               const struct location *location,
                                               int64_t expected_version, struct err *err);
MUST_CHECK enum err_code store_location_get(struct store_conn *conn, struct arena *arena,
                                            const char *code, struct location *out,
                                            struct err *err);
/* All locations ordered by code. */
MUST_CHECK enum err_code store_location_list(struct store_conn *conn, struct arena *arena,
                                             struct location **out, size_t *count, struct err *err);

/* ---- products ---------------------------------------------------------------------------- */

/* Inserts product and its components (component product_row_id must be set); sets row_id. */
MUST_CHECK enum err_code store_product_insert(struct store_conn *conn, struct product *product,
                                              struct err *err);
/* Updates fields and replaces components by row_id when version matches; stores version + 1. */
MUST_CHECK enum err_code store_product_update(struct store_conn *conn,
                                              const struct product *product,
                                              int64_t expected_version, struct err *err);
/* With components (their sku and product_row_id filled). */
MUST_CHECK enum err_code store_product_get(struct store_conn *conn, struct arena *arena,
                                           const char *sku, struct product *out, struct err *err);
MUST_CHECK enum err_code store_product_get_by_row(struct store_conn *conn, struct arena *arena,
                                                  int64_t row_id, struct product *out,
                                                  struct err *err);
/*
 * The products of skus[0..count) in one read (count at most ORDER_LINES_MAX; duplicates and
 * unknown SKUs allowed): out[i] is the product of skus[i] with its components, as
 * store_product_get gives it, or all zeros (row_id 0) when no product has that SKU. A second
 * statement reads the components only when a kit is among them; both see one snapshot.
 * Strings are in arena.
 */
MUST_CHECK enum err_code store_product_get_many(struct store_conn *conn, struct arena *arena,
                                                const char *const *skus, size_t count,
                                                struct product *out, struct err *err);
/* Products with sku > after_sku (NULL: from the start), ordered by sku, at most limit. */
MUST_CHECK enum err_code store_product_list(struct store_conn *conn, struct arena *arena,
                                            const char *after_sku, size_t limit,
                                            struct product **out, size_t *count, struct err *err);
/* The kits that contain a component (for kit availability questions). */
MUST_CHECK enum err_code store_product_kits_using(struct store_conn *conn, struct arena *arena,
                                                  int64_t component_row_id, int64_t **kit_row_ids,
                                                  size_t *count, struct err *err);

/* ---- inventory --------------------------------------------------------------------------- */

struct stock_row {
    int64_t product_row_id;
    int64_t location_row_id;
    const char *sku;
    const char *location_code;
    struct stock stock;
    int64_t updated_at_ms;
};

/* The balance; a missing row reads as all zeros with *exists false. */
MUST_CHECK enum err_code store_stock_get(struct store_conn *conn, int64_t product_row_id,
                                         int64_t location_row_id, struct stock *out, bool *exists,
                                         struct err *err);

/*
 * Moves a balance by the deltas, creating the row at zero first when absent. With check_atp
 * the update applies only while on_hand - reserved - safety_stock >= reserved_delta (the
 * conditional update that makes reservations safe with several processes); otherwise, or
 * when on_hand or reserved would go negative or reserved exceed on_hand: ERR_STOCK and
 * nothing changes.
 */
MUST_CHECK enum err_code store_stock_apply(struct store_conn *conn, int64_t product_row_id,
                                           int64_t location_row_id, int64_t on_hand_delta,
                                           int64_t reserved_delta, bool check_atp, int64_t now_ms,
                                           struct err *err);

/*
 * Reserves qty as store_stock_apply(conn, product, location, 0, qty, true, ...) does, for a
 * command that fails as a whole when the stock is short (order capture on a plan made from a
 * read snapshot: it is planned again inside the writer). A backend may learn of the shortfall
 * later (PostgreSQL's pipelined writer does not wait for the answer): ERR_STOCK then comes from
 * a later call of the same command, at the latest from store_savepoint_release.
 */
MUST_CHECK enum err_code store_stock_reserve_planned(struct store_conn *conn,
                                                     int64_t product_row_id,
                                                     int64_t location_row_id, int64_t qty,
                                                     int64_t now_ms, struct err *err);

/* Sets safety stock (a setting, not a movement); creates the row at zero when absent. */
MUST_CHECK enum err_code store_stock_set_safety(struct store_conn *conn, int64_t product_row_id,
                                                int64_t location_row_id, int64_t safety_stock,
                                                int64_t now_ms, struct err *err);

/* Balances of one product at every location that has a row, ordered by location code. */
MUST_CHECK enum err_code store_stock_list_by_product(struct store_conn *conn, struct arena *arena,
                                                     int64_t product_row_id, struct stock_row **out,
                                                     size_t *count, struct err *err);

/* Balance rows read by store_stock_list_by_products (rows in the arena given). */
struct stock_list {
    struct stock_row *rows;
    size_t count;
};

/*
 * Balances of several products (duplicates allowed, count at most
 * ORDER_LINES_MAX * KIT_COMPONENTS_MAX) at every location that has a row, on one snapshot,
 * ordered by product_row_id then location_row_id. sku and location_code are NULL: the caller
 * (order capture) knows them.
 */
MUST_CHECK enum err_code store_stock_list_by_products(struct store_conn *conn, struct arena *arena,
                                                      const int64_t *product_row_ids, size_t count,
                                                      struct stock_list *out, struct err *err);

/* Every balance (for ordo check), ordered by product_row_id then location_row_id. */
MUST_CHECK enum err_code store_stock_list_all(struct store_conn *conn, struct arena *arena,
                                              struct stock_row **out, size_t *count,
                                              struct err *err);

/* Appends a ledger row. entry->row_id stays 0 (a pipelined writer does not wait for the new
 * row's id): rows are read back with store_ledger_list. */
MUST_CHECK enum err_code store_ledger_insert(struct store_conn *conn, struct ledger_entry *entry,
                                             struct err *err);

/*
 * Ledger rows of a product, newest first, at one location (location_row_id 0: all), with
 * row_id < before_row_id (0: from the newest), at most limit; sku and location_code filled.
 */
MUST_CHECK enum err_code store_ledger_list(struct store_conn *conn, struct arena *arena,
                                           int64_t product_row_id, int64_t location_row_id,
                                           int64_t before_row_id, size_t limit,
                                           struct ledger_entry **out, size_t *count,
                                           struct err *err);

/* Per product and location, the sums of the ledger's deltas (in stock.on_hand/reserved),
 * ordered by product_row_id then location_row_id as store_stock_list_all. */
MUST_CHECK enum err_code store_ledger_totals(struct store_conn *conn, struct arena *arena,
                                             struct stock_row **out, size_t *count,
                                             struct err *err);

/* ---- customers --------------------------------------------------------------------------- */

MUST_CHECK enum err_code store_customer_insert(struct store_conn *conn,
                                               const struct customer *customer, struct err *err);
MUST_CHECK enum err_code store_customer_update(struct store_conn *conn,
                                               const struct customer *customer,
                                               int64_t expected_version, struct err *err);
MUST_CHECK enum err_code store_customer_get(struct store_conn *conn, struct arena *arena,
                                            const char *id, struct customer *out, struct err *err);
/* email is compared lower-case. */
MUST_CHECK enum err_code store_customer_get_by_email(struct store_conn *conn, struct arena *arena,
                                                     const char *email, struct customer *out,
                                                     struct err *err);
/* As store_customer_get and store_customer_get_by_email without counting the customer's orders
 * (out->orders_count is 0): for an order capture, which needs who the customer is and their
 * terms, not their history (the count walked orders_by_customer on every capture). */
MUST_CHECK enum err_code store_customer_get_brief(struct store_conn *conn, struct arena *arena,
                                                  const char *id, struct customer *out,
                                                  struct err *err);
MUST_CHECK enum err_code store_customer_get_brief_by_email(struct store_conn *conn,
                                                           struct arena *arena, const char *email,
                                                           struct customer *out, struct err *err);

/* ---- orders ------------------------------------------------------------------------------ */

/* Inserts the order, its lines and its allocations; ERR_CONFLICT on (channel, external_id). */
MUST_CHECK enum err_code store_order_insert(struct store_conn *conn, const struct order *order,
                                            struct err *err);

/*
 * Updates the order row, each line's quantities, and replaces its allocations, when the stored
 * version is expected_version; stores order->version (the caller sets expected + 1).
 */
MUST_CHECK enum err_code store_order_update(struct store_conn *conn, const struct order *order,
                                            int64_t expected_version, struct err *err);

/* The order with lines and allocations. */
MUST_CHECK enum err_code store_order_get(struct store_conn *conn, struct arena *arena,
                                         const char *id, struct order *out, struct err *err);

/* The id of the order with that (channel, external_id), copied into id_out. */
MUST_CHECK enum err_code store_order_find_external(struct store_conn *conn, const char *channel,
                                                   const char *external_id, char id_out[ID_LEN_MAX],
                                                   struct err *err);

struct order_filter {
    bool has_status;
    enum order_status status;
    const char *channel;        /* NULL: any */
    const char *customer_email; /* NULL: any; compared lower-case */
    const char *customer_id;    /* NULL: any */
    int64_t created_from_ms;    /* 0: no lower bound (inclusive) */
    int64_t created_to_ms;      /* 0: no upper bound (inclusive) */
    const char *before_id;      /* cursor: orders with id < before_id; NULL: from the newest */
    size_t limit;               /* at most this many, newest first */
    const char *number;         /* NULL: any; else the one order numbered so ("SO-1001") */
    const char *min_id;         /* NULL: none; else only ids >= min_id (a key range) */
};

/* Orders matching filter, newest first (by id), each with lines and allocations. */
MUST_CHECK enum err_code store_order_list(struct store_conn *conn, struct arena *arena,
                                          const struct order_filter *filter, struct order **out,
                                          size_t *count, struct err *err);

/* The next order number (1001, 1002, ...); gap-free unless a transaction rolls back. */
MUST_CHECK enum err_code store_order_next_number(struct store_conn *conn, int64_t *out,
                                                 struct err *err);

/* Per product (the line's product: kits are not expanded) and location, the sum of the
 * allocated quantities of allocations whose shipment is not shipped or cancelled, in
 * stock.reserved (the other stock fields are 0), ordered as store_stock_list_all. */
MUST_CHECK enum err_code store_allocation_totals(struct store_conn *conn, struct arena *arena,
                                                 struct stock_row **out, size_t *count,
                                                 struct err *err);

/* The routing explanation kept with an order: a document as lib/zdoc packs it (older rows
 * hold the JSON text itself), bytes the store keeps as they are. Set at capture. */
struct store_doc {
    const unsigned char *bytes;
    size_t len;
};

MUST_CHECK enum err_code store_order_routing_set(struct store_conn *conn, const char *order_id,
                                                 const struct store_doc *routing, struct err *err);
/* routing->bytes is NULL when the order has none; ERR_NOT_FOUND when there is no such order. */
MUST_CHECK enum err_code store_order_routing_get(struct store_conn *conn, struct arena *arena,
                                                 const char *order_id, struct store_doc *routing,
                                                 struct err *err);

/* ---- shipments --------------------------------------------------------------------------- */

MUST_CHECK enum err_code store_shipment_insert(struct store_conn *conn,
                                               const struct shipment *shipment, struct err *err);
MUST_CHECK enum err_code store_shipment_update(struct store_conn *conn,
                                               const struct shipment *shipment,
                                               int64_t expected_version, struct err *err);
MUST_CHECK enum err_code store_shipment_get(struct store_conn *conn, struct arena *arena,
                                            const char *id, struct shipment *out, struct err *err);
/* The shipments of one order, oldest first. */
MUST_CHECK enum err_code store_shipment_list_by_order(struct store_conn *conn, struct arena *arena,
                                                      const char *order_id, struct shipment **out,
                                                      size_t *count, struct err *err);

/* ---- fulfillment (sqlite_fulfillment.c) ---------------------------------------------------- */

/*
 * The shipment functions below read and write every column, the fulfillment ones included
 * (pick_list_id, packages_json, ready_at_ms, picked_up_at_ms); store_shipment_get and
 * store_shipment_update above leave those out.
 */
MUST_CHECK enum err_code store_shipment_load(struct store_conn *conn, struct arena *arena,
                                             const char *id, struct shipment *out, struct err *err);
/* Writes every field when the stored version is expected_version; stores expected + 1. */
MUST_CHECK enum err_code store_shipment_save(struct store_conn *conn,
                                             const struct shipment *shipment,
                                             int64_t expected_version, struct err *err);

struct shipment_filter {
    int64_t location_row_id; /* 0: any location */
    bool has_status;         /* only this status */
    enum shipment_status status;
    int64_t late_at_ms;    /* > 0: pending, picking or packed with promised_ship_by before */
    const char *before_id; /* cursor: shipments with id < before_id; NULL: the newest */
    size_t limit;
    const char *order_id; /* NULL: any order; else only that order's shipments */
};

/* Shipments matching filter, newest first (by id). */
MUST_CHECK enum err_code store_shipment_list(struct store_conn *conn, struct arena *arena,
                                             const struct shipment_filter *filter,
                                             struct shipment **out, size_t *count, struct err *err);

/*
 * A wave: pending shipments at filter->location_row_id whose order may go into fulfillment
 * (allocated, in_fulfillment or partially_shipped), earliest promised_ship_by first, at most
 * filter->limit (the other fields of the filter are not used).
 */
MUST_CHECK enum err_code store_shipment_wave(struct store_conn *conn, struct arena *arena,
                                             const struct shipment_filter *filter,
                                             struct shipment **out, size_t *count, struct err *err);

/* A list of ids: in, how many at most; out, the ids (arena-owned) and their count. */
struct store_ids {
    size_t limit;
    const char **ids;
    size_t count;
};

/* Ids of pickups ready since longer than their location's hold days at now_ms, oldest first. */
MUST_CHECK enum err_code store_shipment_expired_pickups(struct store_conn *conn,
                                                        struct arena *arena, int64_t now_ms,
                                                        struct store_ids *ids, struct err *err);

/*
 * Ids of orders with a backordered line of product_row_id (the line's own product; kits are
 * not expanded), oldest first, leaving out cancelled orders and orders on hold.
 */
MUST_CHECK enum err_code store_backorder_orders(struct store_conn *conn, struct arena *arena,
                                                int64_t product_row_id, struct store_ids *ids,
                                                struct err *err);

/* One allocation to pick: what, where in the location, how much; and what was not found. */
struct pick_list_line {
    int line_no; /* 1-based pick order */
    const char *shipment_id;
    const char *order_id;
    const char *order_line_id;
    const char *allocation_id;
    const char *sku;
    const char *bin_location; /* the product's bin, or NULL */
    int64_t qty;              /* units to pick */
    int64_t qty_shorted;      /* units reported missing at completion */
};

struct pick_list {
    const char *id;
    int64_t location_row_id;
    const char *location_code; /* filled on read */
    bool completed;
    const char *picker; /* or NULL */
    int64_t started_at_ms;
    int64_t completed_at_ms; /* 0 while open */
    int64_t version;
    struct pick_list_line *lines; /* arena-owned */
    size_t lines_count;
};

/* Inserts the pick list and its lines. */
MUST_CHECK enum err_code store_pick_list_insert(struct store_conn *conn,
                                                const struct pick_list *pick_list, struct err *err);
/* With its lines in pick order. */
MUST_CHECK enum err_code store_pick_list_get(struct store_conn *conn, struct arena *arena,
                                             const char *id, struct pick_list *out,
                                             struct err *err);

struct pick_list_filter {
    int64_t location_row_id; /* 0: any location */
    bool has_status;         /* only open (completed false) or completed ones */
    bool completed;
    const char *before_id; /* cursor: pick lists with id < before_id; NULL: the newest */
    size_t limit;
};

/* Ids of the pick lists matching filter, newest first (ids->limit is not used: filter's is). */
MUST_CHECK enum err_code store_pick_list_ids(struct store_conn *conn, struct arena *arena,
                                             const struct pick_list_filter *filter,
                                             struct store_ids *ids, struct err *err);
/* Writes status, picker, completion time and each line's qty_shorted, version checked. */
MUST_CHECK enum err_code store_pick_list_update(struct store_conn *conn,
                                                const struct pick_list *pick_list,
                                                int64_t expected_version, struct err *err);

/* ---- events (the outbox) ----------------------------------------------------------------- */

struct event {
    int64_t row_id;
    const char *entity_type; /* "order", "shipment", "inventory", "location", ... */
    const char *entity_id;
    const char *kind;      /* "order.created", "order.cancelled", ... */
    const char *data_json; /* a JSON object as text */
    int64_t created_at_ms;
};

/* Appends an event; event->row_id stays 0, as store_ledger_insert's. */
MUST_CHECK enum err_code store_event_insert(struct store_conn *conn, struct event *event,
                                            struct err *err);
/* Events of one entity, oldest first, at most limit. */
MUST_CHECK enum err_code store_event_list(struct store_conn *conn, struct arena *arena,
                                          const char *entity_type, const char *entity_id,
                                          size_t limit, struct event **out, size_t *count,
                                          struct err *err);

/* ---- idempotency ------------------------------------------------------------------------- */

struct idempotency_record {
    const char *scope; /* the API key id */
    const char *key;
    unsigned char request_hash[ID_HASH_BYTES];
    int status;       /* HTTP status of the first answer */
    const char *body; /* its body */
    int64_t created_at_ms;
};

MUST_CHECK enum err_code store_idempotency_get(struct store_conn *conn, struct arena *arena,
                                               const char *scope, const char *key,
                                               struct idempotency_record *out, struct err *err);
/* ERR_CONFLICT when (scope, key) exists. */
MUST_CHECK enum err_code store_idempotency_insert(struct store_conn *conn,
                                                  const struct idempotency_record *record,
                                                  struct err *err);
/* Deletes up to limit records created before before_ms, oldest first; *deleted says how many. */
MUST_CHECK enum err_code store_idempotency_purge(struct store_conn *conn, int64_t before_ms,
                                                 size_t limit, size_t *deleted, struct err *err);

/* ---- API keys ---------------------------------------------------------------------------- */

struct api_key {
    const char *id;
    const char *prefix;                       /* public part of the key, unique, used to find it */
    unsigned char secret_hash[ID_HASH_BYTES]; /* BLAKE2b of the secret part */
    enum role role;
    const char *scope_channel;
    const char *scope_location;
    const char *scope_customer;
    const char *name;
    int64_t created_at_ms;
    int64_t revoked_at_ms; /* 0: active */
};

MUST_CHECK enum err_code store_api_key_insert(struct store_conn *conn, const struct api_key *key,
                                              struct err *err);
MUST_CHECK enum err_code store_api_key_get_by_prefix(struct store_conn *conn, struct arena *arena,
                                                     const char *prefix, struct api_key *out,
                                                     struct err *err);

/* ---- metrics (sqlite_metrics.c; docs/METRICS.md) ------------------------------------------ */

/* One order's share of the order counters: location "" the order-level row, a location's
 * code the shipping counters of its shipments there. */
struct metrics_fact {
    const char *order_id;
    const char *location;
    int64_t day; /* the order's created day */
    const char *channel;
    bool unfilled;                    /* order-level row: the order's history flags */
    bool merchant_fault;              /* (struct metrics_order_flags) */
    struct metrics_counters counters; /* only the METRICS_ORDER_FIELDS */
};

/* Every fact row of an order (none for an order captured before the metrics existed). */
MUST_CHECK enum err_code store_metrics_facts_get(struct store_conn *conn, struct arena *arena,
                                                 const char *order_id, struct metrics_fact **out,
                                                 size_t *count, struct err *err);
/* Replaces the order's fact rows, old_facts[old_count] as store_metrics_facts_get read them in
 * this transaction (none: a new order), with facts[count] and moves metrics_daily by the
 * difference. */
MUST_CHECK enum err_code store_metrics_facts_replace(struct store_conn *conn,
                                                     const struct metrics_fact *old_facts,
                                                     size_t old_count,
                                                     const struct metrics_fact *facts, size_t count,
                                                     struct err *err);

/* Adds to the event counters of (day, location): pick_ms, scrapped, came_in and costs. */
MUST_CHECK enum err_code store_metrics_events_add(struct store_conn *conn, int64_t day,
                                                  const char *location,
                                                  const struct metrics_counters *delta,
                                                  struct err *err);

enum metrics_distinct_kind { METRICS_DISTINCT_CUSTOMER = 1, METRICS_DISTINCT_PICKED = 2 };

struct metrics_distinct_key {
    enum metrics_distinct_kind kind;
    const char *scope; /* "" for all, or the channel (customers) or location (picked orders) */
    const char *key;   /* customer id or order id */
    int64_t day;
};

/* One more (delta 1) or one less (delta -1) occurrence of the key on its day. */
MUST_CHECK enum err_code store_metrics_distinct_move(struct store_conn *conn,
                                                     const struct metrics_distinct_key *key,
                                                     int delta, struct err *err);
/*
 * store_metrics_distinct_move(+1) for a key no row has yet and no one else can know (a
 * customer created in this transaction): its first day, with no previous or next day to link.
 */
MUST_CHECK enum err_code store_metrics_distinct_first(struct store_conn *conn,
                                                      const struct metrics_distinct_key *key,
                                                      struct err *err);

struct metrics_traffic {
    const char *channel;
    int64_t day;
    int64_t visitors;
    int64_t carts_created;
    int64_t carts_abandoned;
};

/* Replaces the channel's figures of that day. */
MUST_CHECK enum err_code store_metrics_traffic_put(struct store_conn *conn,
                                                   const struct metrics_traffic *traffic,
                                                   int64_t now_ms, struct err *err);

struct metrics_cost {
    int64_t row_id; /* set on insert */
    int64_t day;
    const char *location; /* "" for none */
    const char *category;
    int64_t amount;
};

/* Inserts a cost row and adds it to the event counters. */
MUST_CHECK enum err_code store_metrics_cost_insert(struct store_conn *conn,
                                                   struct metrics_cost *cost, int64_t now_ms,
                                                   struct err *err);

struct metrics_query {
    size_t limit;         /* store_metrics_top_products: at most this many */
    int64_t from_day;     /* inclusive */
    int64_t to_day;       /* inclusive */
    const char *channel;  /* NULL: every channel */
    const char *location; /* NULL: every location */
};

/* The counters over the range. */
MUST_CHECK enum err_code store_metrics_sum(struct store_conn *conn,
                                           const struct metrics_query *query,
                                           struct metrics_counters *out, struct err *err);
/* The counters of each day: out[to_day - from_day + 1], zeroed by the caller. */
MUST_CHECK enum err_code store_metrics_by_day(struct store_conn *conn,
                                              const struct metrics_query *query,
                                              struct metrics_counters *out, struct err *err);

struct metrics_product {
    const char *sku;
    int64_t units;   /* ordered, less cancelled */
    int64_t revenue; /* units * unit_price */
};

/* Top SKUs by revenue of the orders in the range (location is not used), at most
 * query->limit. */
MUST_CHECK enum err_code store_metrics_top_products(struct store_conn *conn, struct arena *arena,
                                                    const struct metrics_query *query,
                                                    struct metrics_product **out, size_t *count,
                                                    struct err *err);

/* Differences between the rollups and a recount (of the facts and the raw records), one
 * text per difference in *problems. */
MUST_CHECK enum err_code store_metrics_check(struct store_conn *conn, struct arena *arena,
                                             const char ***problems, size_t *count,
                                             struct err *err);

/* Ids of orders with at least one row, after after_id (NULL: first), at most ids->limit. */
MUST_CHECK enum err_code store_metrics_order_ids(struct store_conn *conn, struct arena *arena,
                                                 const char *after_id, struct store_ids *ids,
                                                 struct err *err);

/* The history flags of an order recounted from its events (docs/METRICS.md). */
MUST_CHECK enum err_code store_metrics_order_flags(struct store_conn *conn, const char *order_id,
                                                   struct metrics_order_flags *out,
                                                   struct err *err);

/* ---- payments (sqlite_payments.c; README "Payments") ---------------------------------- */

MUST_CHECK enum err_code store_payment_insert(struct store_conn *conn,
                                              const struct payment_txn *txn, struct err *err);
/* Records the outcome (status, provider_ref when not NULL, error, updated_at) of a pending
 * transaction; *updated false when it was no longer pending (nothing changed). */
MUST_CHECK enum err_code store_payment_complete(struct store_conn *conn,
                                                const struct payment_txn *txn, bool *updated,
                                                struct err *err);
/* An order's transactions, oldest first. */
MUST_CHECK enum err_code store_payment_list_by_order(struct store_conn *conn, struct arena *arena,
                                                     const char *order_id, struct payment_txn **out,
                                                     size_t *count, struct err *err);
/* Pending transactions, oldest first, at most limit. */
MUST_CHECK enum err_code store_payment_list_pending(struct store_conn *conn, struct arena *arena,
                                                    size_t limit, struct payment_txn **out,
                                                    size_t *count, struct err *err);
/* Ids of orders whose succeeded and pending refunds exceed their succeeded captures. */
MUST_CHECK enum err_code store_payment_check(struct store_conn *conn, struct arena *arena,
                                             const char ***order_ids, size_t *count,
                                             struct err *err);
/* A customer's open balance on manual (invoice) payment, except one order: succeeded
 * authorizations less voids and refunds, over transactions made since since_ms. */
MUST_CHECK enum err_code store_payment_open_balance(struct store_conn *conn,
                                                    const char *customer_id,
                                                    const char *except_order_id, int64_t since_ms,
                                                    int64_t *out, struct err *err);

/* ---- users, sessions and sign-in failures (issue 8: web console; sqlite_users.c) --------- */

struct user {
    const char *id;            /* usr_<ULID> */
    const char *email;         /* lower case, unique */
    const char *password_hash; /* crypto_pwhash_str text (argon2id) */
    enum role role;
    const char *scope_channel;
    const char *scope_location;
    const char *scope_customer;
    int64_t created_at_ms;
    int64_t disabled_at_ms; /* 0: may sign in */
};

struct session {
    unsigned char id_hash[ID_HASH_BYTES]; /* BLAKE2b of the cookie's session id */
    const char *user_id;
    const char *csrf_token;
    int64_t created_at_ms;
    int64_t expires_at_ms;
};

/* ERR_CONFLICT when the e-mail is taken. */
MUST_CHECK enum err_code store_user_insert(struct store_conn *conn, const struct user *user,
                                           struct err *err);
MUST_CHECK enum err_code store_user_get_by_email(struct store_conn *conn, struct arena *arena,
                                                 const char *email, struct user *out,
                                                 struct err *err);
MUST_CHECK enum err_code store_session_insert(struct store_conn *conn,
                                              const struct session *session, struct err *err);
/* The session with that hash and its user; ERR_NOT_FOUND when there is none. */
MUST_CHECK enum err_code store_session_get(struct store_conn *conn, struct arena *arena,
                                           const unsigned char id_hash[ID_HASH_BYTES],
                                           struct session *out, struct user *user, struct err *err);
MUST_CHECK enum err_code store_session_delete(struct store_conn *conn,
                                              const unsigned char id_hash[ID_HASH_BYTES],
                                              struct err *err);
/* Deletes the sessions that expired before before_ms. */
MUST_CHECK enum err_code store_session_purge(struct store_conn *conn, int64_t before_ms,
                                             struct err *err);
/* Records a failed sign-in and forgets failures (of any e-mail) older than forget_before_ms. */
MUST_CHECK enum err_code store_login_failure_add(struct store_conn *conn, const char *email,
                                                 int64_t at_ms, int64_t forget_before_ms,
                                                 struct err *err);
/* Failures of email since since_ms: how many, and the time of the oldest (0 when none). */
MUST_CHECK enum err_code store_login_failures_count(struct store_conn *conn, const char *email,
                                                    int64_t since_ms, int64_t *count,
                                                    int64_t *oldest_ms, struct err *err);
MUST_CHECK enum err_code store_login_failures_clear(struct store_conn *conn, const char *email,
                                                    struct err *err);
/* People management (web console round 2, issue 8; sqlite_users.c). */
/* The user with that id; ERR_NOT_FOUND when there is none. */
MUST_CHECK enum err_code store_user_get(struct store_conn *conn, struct arena *arena,
                                        const char *id, struct user *out, struct err *err);

/* A page of users by e-mail: at most limit, from the first e-mail after after_email. */
struct user_page {
    const char *after_email; /* NULL: from the first */
    size_t limit;
};
MUST_CHECK enum err_code store_user_list(struct store_conn *conn, struct arena *arena,
                                         const struct user_page *page, struct user **out,
                                         size_t *count, struct err *err);
/* Writes role, scope, password hash and disabled_at of the user with user->id. */
MUST_CHECK enum err_code store_user_update(struct store_conn *conn, const struct user *user,
                                           struct err *err);
/* Ends every session of the user. */
MUST_CHECK enum err_code store_session_delete_user(struct store_conn *conn, const char *user_id,
                                                   struct err *err);

/* ---- returns and invoices (sqlite_returns.c; issue 5, returns engineer) ------------------ */

/* Inserts a return with its lines and exchange lines (no dispositions yet). */
MUST_CHECK enum err_code store_rma_insert(struct store_conn *conn, const struct rma *rma,
                                          struct err *err);
/* Writes status, amounts, exchange order, received time and every line's received figures
 * when the version is still expected (version + 1), and inserts the dispositions from
 * first_new_disposition on. ERR_PRECONDITION when it moved on. */
MUST_CHECK enum err_code store_rma_save(struct store_conn *conn, const struct rma *rma,
                                        int64_t expected_version, size_t first_new_disposition,
                                        struct err *err);
/* A return with its lines, dispositions and exchange lines; ERR_NOT_FOUND. */
MUST_CHECK enum err_code store_rma_get(struct store_conn *conn, struct arena *arena, const char *id,
                                       struct rma *out, struct err *err);
/* The ids of an order's returns, oldest first (arena array of strings). */
MUST_CHECK enum err_code store_rma_ids_by_order(struct store_conn *conn, struct arena *arena,
                                                const char *order_id, const char ***out,
                                                size_t *count, struct err *err);
/* Units of an order line on returns (requested, received or not). */
MUST_CHECK enum err_code store_rma_line_requested(struct store_conn *conn,
                                                  const char *order_line_id, int64_t *out,
                                                  struct err *err);
/* Received units of an order whose shipping share was refunded. */
MUST_CHECK enum err_code store_rma_shipping_units(struct store_conn *conn, const char *order_id,
                                                  int64_t *out, struct err *err);
/* The next return number (1001, 1002, ...). */
MUST_CHECK enum err_code store_rma_next_number(struct store_conn *conn, int64_t *out,
                                               struct err *err);
/* A return setting's value (arena copy); ERR_NOT_FOUND when unset. */
MUST_CHECK enum err_code store_rma_setting_get(struct store_conn *conn, struct arena *arena,
                                               const char *name, const char **out, struct err *err);
MUST_CHECK enum err_code store_rma_setting_put(struct store_conn *conn, const char *name,
                                               const char *value, struct err *err);
/* Every disposition rule (reason/condition -1 and sku/location NULL when any). */
MUST_CHECK enum err_code store_rma_rules_list(struct store_conn *conn, struct arena *arena,
                                              struct return_rule **out, size_t *count,
                                              struct err *err);
/* Adds a rule; sets rule->row_id. */
MUST_CHECK enum err_code store_rma_rule_insert(struct store_conn *conn, struct return_rule *rule,
                                               int64_t now_ms, struct err *err);

/* An invoice or a credit note. */
struct invoice {
    const char *id;
    bool credit_note;   /* false: invoice (INV-), true: credit note (CN-) */
    const char *number; /* "INV-2026-000001" */
    int year;
    int64_t seq;
    const char *order_id;
    const char *return_id; /* credit notes */
    int64_t amount;        /* minor units */
    int64_t shipping;      /* part of amount */
    const char *currency;
    int64_t issued_at_ms;
};

/* Issues one: seq = the last of its kind and year + 1, number from it; fills seq and number
 * (arena copies). */
MUST_CHECK enum err_code store_invoice_issue(struct store_conn *conn, struct arena *arena,
                                             struct invoice *invoice, struct err *err);
MUST_CHECK enum err_code store_invoice_get(struct store_conn *conn, struct arena *arena,
                                           const char *id, struct invoice *out, struct err *err);
/* An order's invoices and credit notes, oldest first. */
MUST_CHECK enum err_code store_invoice_list_by_order(struct store_conn *conn, struct arena *arena,
                                                     const char *order_id, struct invoice **out,
                                                     size_t *count, struct err *err);
/* Per kind and year, how many numbers are missing between 1 and the last (0: no gap). */
MUST_CHECK enum err_code store_invoice_gaps(struct store_conn *conn, int64_t *missing,
                                            struct err *err);
/* For ordo check: order lines whose qty_returned is not the units received on their returns,
 * and returns whose refunded is not the sum of their credit notes. */
MUST_CHECK enum err_code store_rma_check(struct store_conn *conn, int64_t *bad_lines,
                                         int64_t *bad_returns, struct err *err);

/* ---- routing: carriers, settings, hold-backs (sqlite_routing.c; issue 3, routing engineer) */

/* Creates or replaces a carrier with its services; *created tells which. Moves the routing
 * config version on. */
MUST_CHECK enum err_code store_carrier_put(struct store_conn *conn,
                                           const struct routing_carrier *carrier, bool *created,
                                           struct err *err);
/* Every carrier by code, each with its services in their given order. */
MUST_CHECK enum err_code store_carrier_list(struct store_conn *conn, struct arena *arena,
                                            struct routing_carrier **out, size_t *count,
                                            struct err *err);
/* The settings stored; names never stored keep what *out holds (the caller's defaults). */
MUST_CHECK enum err_code store_routing_settings_get(struct store_conn *conn,
                                                    struct routing_settings *out, struct err *err);
/* Stores every setting and moves the routing config version on. */
MUST_CHECK enum err_code store_routing_settings_put(struct store_conn *conn,
                                                    const struct routing_settings *settings,
                                                    struct err *err);
/* The version of carriers, settings and hold-backs together (moves on with each change). */
MUST_CHECK enum err_code store_routing_version(struct store_conn *conn, int64_t *out,
                                               struct err *err);
/* Every channel hold-back, by channel. */
MUST_CHECK enum err_code store_routing_hold_back_list(struct store_conn *conn, struct arena *arena,
                                                      struct routing_hold_back **out, size_t *count,
                                                      struct err *err);
/* Replaces every hold-back with these (ERR_NOT_FOUND for an unknown channel). */
MUST_CHECK enum err_code store_routing_hold_back_replace(struct store_conn *conn,
                                                         const struct routing_hold_back *items,
                                                         size_t count, struct err *err);
/* Shipments the location has taken on the UTC day of since_ms, which starts that day (its daily
 * capacity used). */
MUST_CHECK enum err_code store_routing_shipments_since(struct store_conn *conn,
                                                       int64_t location_row_id, int64_t since_ms,
                                                       int64_t *out, struct err *err);
/* ERR_STOCK unless the location has taken fewer than capacity shipments on the UTC day of
 * since_ms; reported as late as store_stock_reserve_planned's shortfall. */
MUST_CHECK enum err_code store_routing_capacity_require(struct store_conn *conn,
                                                        int64_t location_row_id, int64_t since_ms,
                                                        int64_t capacity, struct err *err);

/* Shipments one location has taken on a day (store_routing_shipments_since_all). */
struct routing_location_used {
    int64_t location_row_id;
    int64_t shipments;
};

/* store_routing_shipments_since for every location with a daily capacity, in one read: the
 * locations that have taken shipments that day (the others have taken none), in arena, ordered
 * by location_row_id. The writer inside a batch may also list locations without a capacity that
 * took shipments in the batch (PostgreSQL counts them at its commit). */
MUST_CHECK enum err_code store_routing_shipments_since_all(struct store_conn *conn,
                                                           struct arena *arena, int64_t since_ms,
                                                           struct routing_location_used **out,
                                                           size_t *count, struct err *err);

/* ---- routing round 2: drop-ship purchase orders (sqlite_purchase_orders.c; issue 3) ------- */

/* One line of a purchase order: an allocation of its shipment. */
struct purchase_order_line {
    int line_no; /* the order line's */
    const char *sku;
    const char *name;
    int64_t qty;
};

/* A drop-ship purchase order; status and shipping fields are its shipment's. */
struct purchase_order {
    const char *id;
    const char *number; /* "PO-1001", set by insert */
    const char *order_id;
    const char *order_number; /* read */
    const char *shipment_id;
    int64_t supplier_row_id;
    const char *supplier_code; /* read */
    enum shipment_status status;
    const char *carrier;
    const char *service;
    const char *tracking_number;
    int64_t created_at_ms;
    int64_t shipped_at_ms;
    int64_t delivered_at_ms;
    int64_t cancelled_at_ms;
    struct purchase_order_line *lines; /* read */
    size_t lines_count;
};

struct purchase_order_filter {
    int64_t supplier_row_id; /* 0: any */
    bool has_status;
    enum shipment_status status; /* of the shipment */
    const char *order_id;        /* or NULL */
    const char *before_id;       /* cursor: ids below it; NULL: the newest */
    size_t limit;
};

/* Numbers (po->number, arena) and inserts a purchase order. */
MUST_CHECK enum err_code store_purchase_order_insert(struct store_conn *conn, struct arena *arena,
                                                     struct purchase_order *po, struct err *err);
/* A purchase order with its lines; ERR_NOT_FOUND when there is none. */
MUST_CHECK enum err_code store_purchase_order_get(struct store_conn *conn, struct arena *arena,
                                                  const char *id, struct purchase_order *out,
                                                  struct err *err);
/* Purchase orders matching filter, newest first, each with its lines. */
MUST_CHECK enum err_code store_purchase_order_list(struct store_conn *conn, struct arena *arena,
                                                   const struct purchase_order_filter *filter,
                                                   struct purchase_order **out, size_t *count,
                                                   struct err *err);
/* Whether the location is of kind supplier (false when there is no such location). */
MUST_CHECK enum err_code store_location_is_supplier(struct store_conn *conn,
                                                    int64_t location_row_id, bool *out,
                                                    struct err *err);

/* ---- availability and soft holds (sqlite_availability.c, sqlite_holds.c; issue 3) -------- */

/* One row of the availability read: a SKU asked, one of its components (itself when it is
 * not a kit) and that component's stock at one location. */
struct availability_row {
    int64_t product_row_id; /* the SKU asked */
    const char *sku;
    bool is_kit;
    bool active;
    const char *dropship_supplier; /* the product's supplier location code, or NULL */
    int64_t component_row_id;      /* the product itself when it is not a kit */
    int64_t component_qty;         /* units per kit; 1 when not a kit */
    int64_t location_row_id;       /* 0: the component has no balance anywhere */
    int64_t atp; /* on_hand - reserved - safety_stock, plus the units of expired holds there */
};

/* In: the SKUs (at most AVAILABILITY_SKUS_MAX) and the time; out: the rows (arena), the
 * locations version and the routing config version (both 0 when there is no row). */
struct availability_read {
    const char *const *skus;
    size_t skus_count;
    int64_t now_ms; /* holds that expired by then do not count */
    struct availability_row *rows;
    size_t count;
    int64_t locations_version;
    int64_t routing_version; /* as store_routing_version */
};

/* Stock of every SKU asked (kits through their components) at every location with a balance,
 * with the two versions, in one statement (a snapshot of its own outside a transaction). A SKU
 * not in the catalog has no row. */
MUST_CHECK enum err_code store_availability_read(struct store_conn *conn, struct arena *arena,
                                                 struct availability_read *read, struct err *err);
/* The version of the locations table (moves on with every change to a location). */
MUST_CHECK enum err_code store_locations_version(struct store_conn *conn, int64_t *out,
                                                 struct err *err);

/* The versions the per-process caches are kept by (0 when there is no row). */
struct store_versions {
    int64_t locations;      /* as store_locations_version */
    int64_t routing_config; /* as store_routing_version */
    int64_t products;       /* moves on with every change to a product or a kit's components */
};

/* The versions in one statement (0: not kept by this database). */
MUST_CHECK enum err_code store_versions_read(struct store_conn *conn, struct store_versions *out,
                                             struct err *err);

struct hold_line {
    int64_t line_no; /* 1, 2, ... as asked */
    int64_t product_row_id;
    const char *sku;
    int64_t location_row_id;
    const char *location_code;
    int64_t qty; /* units (kits: whole kits) held there */
};

/* What an active hold reserves at one location (kits: each component). */
struct hold_stock {
    int64_t product_row_id;
    int64_t location_row_id;
    int64_t qty;
};

struct hold {
    const char *id; /* hld_<ULID> */
    const char *channel;
    enum hold_status status;
    int64_t ttl_seconds;
    int64_t expires_at_ms;
    const char *order_id; /* the order that consumed it, or NULL */
    int64_t created_at_ms;
    int64_t updated_at_ms;
    struct hold_line *lines; /* by line_no, then location code */
    size_t lines_count;
    struct hold_stock *stock; /* empty once the hold ended */
    size_t stock_count;
};

/* Inserts an active hold with its lines and stock rows. */
MUST_CHECK enum err_code store_hold_insert(struct store_conn *conn, const struct hold *hold,
                                           struct err *err);
/* The hold with its lines and stock rows; ERR_NOT_FOUND. */
MUST_CHECK enum err_code store_hold_get(struct store_conn *conn, struct arena *arena,
                                        const char *id, struct hold *out, struct err *err);
/* Ends an active hold: status, order_id and updated_at from hold, and its stock rows deleted.
 * ERR_STATE when it is no longer active (nothing changed). */
MUST_CHECK enum err_code store_hold_finish(struct store_conn *conn, const struct hold *hold,
                                           struct err *err);
/* Records the order that consumed the hold. */
MUST_CHECK enum err_code store_hold_set_order(struct store_conn *conn, const char *id,
                                              const char *order_id, struct err *err);
/* Ids of active holds that expired by now_ms, soonest first, at most ids->limit. */
MUST_CHECK enum err_code store_hold_expired(struct store_conn *conn, struct arena *arena,
                                            int64_t now_ms, struct store_ids *ids, struct err *err);
/* Per product and location, the units active holds reserve (in stock.reserved), ordered as
 * store_stock_list_all (for ordo check). */
MUST_CHECK enum err_code store_hold_totals(struct store_conn *conn, struct arena *arena,
                                           struct stock_row **out, size_t *count, struct err *err);

/* Shipments at the location created since since_ms that are neither pending nor cancelled:
 * the part of its day's capacity a batch re-optimisation cannot move. */
MUST_CHECK enum err_code store_routing_shipments_busy(struct store_conn *conn,
                                                      int64_t location_row_id, int64_t since_ms,
                                                      int64_t *out, struct err *err);

/* A ship-to-store transfer: the warehouse shipment carrying a pickup order's units to the
 * store (sqlite_routing.c, migration 011). */
struct routing_transfer {
    const char *shipment_id;
    const char *order_id;
    int64_t from_row_id;
    const char *from_code; /* read */
    int64_t to_row_id;
    const char *to_code; /* read */
    int64_t ready_by_ms;
    const char *pickup_shipment_id; /* NULL until received */
    int64_t created_at_ms;
    int64_t received_at_ms;
};

MUST_CHECK enum err_code store_transfer_insert(struct store_conn *conn,
                                               const struct routing_transfer *transfer,
                                               struct err *err);
/* The transfer of a shipment; *found false when the shipment is none. */
MUST_CHECK enum err_code store_transfer_get(struct store_conn *conn, struct arena *arena,
                                            const char *shipment_id, struct routing_transfer *out,
                                            bool *found, struct err *err);
/* Records the receipt at the store and the pickup shipment the units went onto. */
MUST_CHECK enum err_code store_transfer_received(struct store_conn *conn, const char *shipment_id,
                                                 const char *pickup_shipment_id, int64_t now_ms,
                                                 struct err *err);

#endif
