/*
 * sqlite_int.h — private to the SQLite backend (store_sqlite.c and sqlite_*.c, the only files
 * that include <sqlite3.h>): connections, the per-connection statement cache, and helpers
 * that bind parameters and read columns in order. Internal names carry the prefix sq_.
 */
#ifndef ORDO_STORE_SQLITE_INT_H
#define ORDO_STORE_SQLITE_INT_H

#include <pthread.h>
#include <sqlite3.h>

#include "core/address.h"
#include "gen/store_sqlite.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"
#include "store/backend.h"
#include "store/store.h"

/* Every statement the backend runs; each connection prepares one on its first use. */
enum sq_stmt {
    SQ_BEGIN_IMMEDIATE,
    SQ_BEGIN_DEFERRED,
    SQ_COMMIT,
    SQ_ROLLBACK,
    SQ_SAVEPOINT,
    SQ_SAVEPOINT_RELEASE,
    SQ_SAVEPOINT_ROLLBACK,
    SQ_MIGRATION_TABLE_EXISTS,
    SQ_MIGRATION_LIST,
    SQ_MIGRATION_INSERT,
    SQ_CHANNEL_INSERT,
    SQ_CHANNEL_GET,
    SQ_CHANNEL_LIST,
    SQ_LOCATION_INSERT,
    SQ_LOCATION_UPDATE,
    SQ_LOCATION_EXISTS,
    SQ_LOCATION_GET,
    SQ_LOCATION_LIST,
    SQ_PRODUCT_INSERT,
    SQ_PRODUCT_UPDATE,
    SQ_PRODUCT_EXISTS,
    SQ_PRODUCT_GET,
    SQ_PRODUCT_GET_BY_ROW,
    SQ_PRODUCT_LIST,
    SQ_COMPONENT_INSERT,
    SQ_COMPONENT_DELETE,
    SQ_COMPONENT_LIST,
    SQ_KITS_USING,
    SQ_STOCK_GET,
    SQ_STOCK_APPLY,
    SQ_STOCK_MOVE,
    SQ_STOCK_SET_SAFETY,
    SQ_STOCK_LIST_BY_PRODUCT,
    SQ_STOCK_LIST_ALL,
    SQ_LEDGER_INSERT,
    SQ_LEDGER_LIST,
    SQ_LEDGER_TOTALS,
    SQ_CUSTOMER_INSERT,
    SQ_CUSTOMER_UPDATE,
    SQ_CUSTOMER_EXISTS,
    SQ_CUSTOMER_GET,
    SQ_CUSTOMER_GET_BY_EMAIL,
    SQ_CUSTOMER_GET_BRIEF,
    SQ_CUSTOMER_GET_BRIEF_BY_EMAIL,
    SQ_ORDER_INSERT,
    SQ_ORDER_UPDATE,
    SQ_ORDER_EXISTS,
    SQ_ORDER_GET,
    SQ_ORDER_FIND_EXTERNAL,
    SQ_ORDER_LIST,
    SQ_ORDER_LIST_BY_STATUS,
    SQ_ORDER_LIST_BY_CUSTOMER,
    SQ_ORDER_LIST_BY_EMAIL,
    SQ_ORDER_NEXT_NUMBER,
    SQ_ORDER_LAST_NUMBER,
    SQ_LINE_INSERT,
    SQ_LINE_INSERT_2,
    SQ_LINE_INSERT_3,
    SQ_LINE_INSERT_4,
    SQ_LINE_UPSERT,
    SQ_LINE_LIST,
    SQ_ALLOCATION_INSERT,
    SQ_ALLOCATION_INSERT_2,
    SQ_ALLOCATION_INSERT_3,
    SQ_ALLOCATION_INSERT_4,
    SQ_ALLOCATION_DELETE,
    SQ_ALLOCATION_LIST,
    SQ_ALLOCATION_TOTALS,
    SQ_ROUTING_SET,
    SQ_ROUTING_GET,
    SQ_SHIPMENT_INSERT,
    SQ_SHIPMENT_UPDATE,
    SQ_SHIPMENT_EXISTS,
    SQ_SHIPMENT_GET,
    SQ_SHIPMENT_LIST_BY_ORDER,
    SQ_EVENT_INSERT,
    SQ_EVENT_LIST,
    SQ_IDEMPOTENCY_GET,
    SQ_IDEMPOTENCY_INSERT,
    SQ_IDEMPOTENCY_PURGE,
    SQ_API_KEY_INSERT,
    SQ_API_KEY_GET_BY_PREFIX,
    SQ_SHIPMENT_LOAD,
    SQ_SHIPMENT_SAVE,
    SQ_SHIPMENT_LIST,
    SQ_SHIPMENT_WAVE,
    SQ_SHIPMENT_EXPIRED_PICKUPS,
    SQ_BACKORDER_ORDERS,
    SQ_PICK_LIST_INSERT,
    SQ_PICK_LIST_GET,
    SQ_PICK_LIST_UPDATE,
    SQ_PICK_LIST_EXISTS,
    SQ_PICK_LINE_INSERT,
    SQ_PICK_LINE_LIST,
    SQ_PICK_LINE_UPDATE,
    SQ_PICK_LIST_IDS,
    SQ_M_FACTS_GET,
    SQ_M_FACTS_DELETE,
    SQ_M_FACT_INSERT,
    SQ_M_DAILY_ADD,
    SQ_M_EVENTS_ADD,
    SQ_M_DISTINCT_UP,
    SQ_M_DISTINCT_BUMP,
    SQ_M_DISTINCT_FIRST,
    SQ_M_DISTINCT_DOWN,
    SQ_M_DISTINCT_DELETE,
    SQ_M_DISTINCT_RELINK,
    SQ_M_TRAFFIC_PUT,
    SQ_M_COST_INSERT,
    SQ_M_SUM_ORDERS,
    SQ_M_SUM_SHIP_LOC,
    SQ_M_SUM_EVENTS,
    SQ_M_SUM_TRAFFIC,
    SQ_M_SUM_DISTINCT,
    SQ_M_DAY_ORDERS,
    SQ_M_DAY_SHIP_LOC,
    SQ_M_DAY_EVENTS,
    SQ_M_DAY_TRAFFIC,
    SQ_M_DAY_DISTINCT,
    SQ_M_TOP_PRODUCTS,
    SQ_M_CHECK,
    SQ_M_CHECK_EVENTS,
    SQ_M_CHECK_DISTINCT,
    SQ_M_CHECK_LOCATION_DAYS,
    SQ_M_ORDER_IDS,
    SQ_M_ORDER_FLAGS,
    /* payments (sqlite_payments.c) */
    SQ_PAYMENT_INSERT,
    SQ_PAYMENT_UPDATE,
    SQ_PAYMENT_LIST_BY_ORDER,
    SQ_PAYMENT_LIST_PENDING,
    SQ_PAYMENT_CHECK,
    SQ_PAYMENT_OPEN_BALANCE,
    /* users and sessions (issue 8: web console; sqlite_users.c) */
    SQ_USER_INSERT,
    SQ_USER_GET_BY_EMAIL,
    SQ_SESSION_INSERT,
    SQ_SESSION_GET,
    SQ_SESSION_DELETE,
    SQ_SESSION_PURGE,
    SQ_LOGIN_FAILURE_ADD,
    SQ_LOGIN_FAILURE_FORGET,
    SQ_LOGIN_FAILURE_COUNT,
    SQ_LOGIN_FAILURE_CLEAR,
    /* returns and invoices (sqlite_returns.c) */
    SQ_RMA_INSERT,
    SQ_RMA_LINE_INSERT,
    SQ_RMA_XLINE_INSERT,
    SQ_RMA_UPDATE,
    SQ_RMA_EXISTS,
    SQ_RMA_LINE_UPDATE,
    SQ_RMA_DISP_INSERT,
    SQ_RMA_GET,
    SQ_RMA_LINE_LIST,
    SQ_RMA_DISP_LIST,
    SQ_RMA_XLINE_LIST,
    SQ_RMA_IDS_BY_ORDER,
    SQ_RMA_LINE_REQUESTED,
    SQ_RMA_SHIPPING_UNITS,
    SQ_RMA_NEXT_NUMBER,
    SQ_RMA_SETTING_GET,
    SQ_RMA_SETTING_PUT,
    SQ_RMA_RULES_LIST,
    SQ_RMA_RULE_INSERT,
    SQ_INVOICE_INSERT,
    SQ_INVOICE_NEXT_SEQ,
    SQ_INVOICE_GET,
    SQ_INVOICE_LIST_BY_ORDER,
    SQ_INVOICE_GAPS,
    SQ_RMA_CHECK,
    /* routing: carriers, settings, hold-backs (sqlite_routing.c; issue 3) */
    SQ_ROUTING_CARRIER_UPSERT,
    SQ_ROUTING_CARRIER_EXISTS,
    SQ_ROUTING_SERVICES_DELETE,
    SQ_ROUTING_SERVICE_INSERT,
    SQ_ROUTING_CARRIER_LIST,
    SQ_ROUTING_SERVICE_LIST,
    SQ_ROUTING_SETTING_LIST,
    SQ_ROUTING_SETTING_PUT,
    SQ_ROUTING_VERSION_GET,
    SQ_ROUTING_VERSION_BUMP,
    SQ_ROUTING_HOLD_LIST,
    SQ_ROUTING_HOLD_DELETE_ALL,
    SQ_ROUTING_HOLD_INSERT,
    SQ_ROUTING_SHIPMENTS_SINCE,
    /* routing round 2: drop-ship purchase orders (sqlite_purchase_orders.c; issue 3) */
    SQ_PO_NEXT_NUMBER,
    SQ_PO_INSERT,
    SQ_PO_GET,
    SQ_PO_LIST,
    SQ_PO_LINES,
    SQ_LOCATION_IS_SUPPLIER,
    SQ_TRANSFER_INSERT, /* ship-to-store transfers (sqlite_routing.c) */
    SQ_TRANSFER_GET,
    SQ_TRANSFER_RECEIVED,
    SQ_ROUTING_SHIPMENTS_BUSY, /* batch re-optimisation (sqlite_routing.c) */
    /* availability and soft holds (sqlite_availability.c, sqlite_holds.c; issue 3) */
    SQ_AVAILABILITY_READ,
    SQ_AVAILABILITY_LOCATIONS_VERSION,
    SQ_HOLD_INSERT,
    SQ_HOLD_LINE_INSERT,
    SQ_HOLD_STOCK_INSERT,
    SQ_HOLD_GET,
    SQ_HOLD_LINE_LIST,
    SQ_HOLD_STOCK_LIST,
    SQ_HOLD_FINISH,
    SQ_HOLD_STOCK_DELETE,
    SQ_HOLD_SET_ORDER,
    SQ_HOLD_EXPIRED,
    SQ_HOLD_TOTALS,
    /* web console round 2 (issue 8): order number and channel leads, an order's shipments,
     * people management (sqlite_users.c) */
    SQ_ORDER_LIST_BY_NUMBER,
    SQ_ORDER_LIST_BY_CHANNEL,
    SQ_ORDER_LIST_BY_CHANNEL_STATUS,
    SQ_SHIPMENT_LIST_BY_ORDER_ID,
    SQ_USER_GET,
    SQ_USER_LIST,
    SQ_USER_UPDATE,
    SQ_SESSION_DELETE_USER,
    /* order capture's snapshot: kit components by a JSON array of kits (json_each), stock
     * one product at a time, routing capacity and versions in one read each */
    SQ_COMPONENT_LIST_MANY,
    SQ_STOCK_LIST_BY_PRODUCTS,
    SQ_ROUTING_SHIPMENTS_SINCE_ALL,
    SQ_VERSIONS_READ,
    SQ_STMT_COUNT
};

struct store_conn {
    struct store_base base; /* first: the dispatch reads it */
    sqlite3 *db;
    struct store *store;
    sqlite3_stmt *stmts[SQ_STMT_COUNT]; /* prepared on first use, finalized at close */
    const char *texts[SQ_STMT_COUNT];   /* the text each was prepared from (a use check) */
    bool is_writer;
    bool in_use;         /* readers: handed out by store_reader_acquire */
    bool savepoint_open; /* between store_savepoint and its release or rollback */
};

struct store {
    struct store_base base; /* first: the dispatch reads it */
    char *path;             /* malloc'ed copy of options->path */
    bool synchronous_full;
    struct store_conn writer;
    struct store_conn *readers; /* [readers_max], opened lazily */
    int readers_max;
    int readers_open;
    int64_t migration_now_ms; /* what migration_now_ms() answers while migrating */
    pthread_mutex_t mutex;    /* guards readers[].in_use and readers_open */
    pthread_cond_t released;  /* signalled when a reader is given back */
    /* The checkpointer: copies the WAL into the database on its own thread and connection,
     * so that the writer's commits never pay for it. */
    sqlite3 *checkpoint_db;
    pthread_t checkpoint_thread;
    bool checkpoint_running;
    bool checkpoint_stop;     /* guarded by checkpoint_mutex */
    int checkpoint_wal_pages; /* WAL size at the last commit; guarded by checkpoint_mutex */
    pthread_mutex_t checkpoint_mutex;
    pthread_cond_t checkpoint_wake;
    bool wal_restart_due; /* the WAL is large (store_wal_hook); writer thread only */
    /* store_defer_sync(): the writer's commits are flushed by fdatasync() of the WAL through
     * a descriptor of our own (wal_fd, -1 until the first store_sync; only that caller uses
     * it), not at COMMIT. */
    bool sync_deferred;
    int wal_fd;
};

/* A statement's id and text; each is defined once, next to the code that runs it. */
struct sq_sql {
    enum sq_stmt id;
    const char *text;
};

/* The key of a row: text when not NULL, else row_id. */
struct sq_key {
    const char *text;
    int64_t row_id;
};

/*
 * The statement prepared from sql on this connection (prepared on first use, persistent).
 * It is reset and unbound: use it, then hand it to sq_done() (or a helper that finishes it).
 */
MUST_CHECK enum err_code sq_stmt(struct store_conn *conn, const struct sq_sql *sql,
                                 sqlite3_stmt **out, struct err *err);

/* Resets a statement and clears its bindings, ready for the next use. */
void sq_done(sqlite3_stmt *stmt);

/*
 * Fills err from a failed sqlite3 call on conn: ERR_CONFLICT for a unique or primary key
 * taken, ERR_NOT_FOUND for a foreign key that points nowhere, ERR_STORE otherwise with
 * SQLite's message. what names the operation ("order insert").
 */
enum err_code sq_fail(struct store_conn *conn, int rc, const char *what, struct err *err);

/* ERR_STORE for a value in the database that this build cannot read (a corrupt enum name). */
enum err_code sq_corrupt(struct err *err, const char *what, const char *value);

/* Steps a statement that returns no row; ERR_OK on SQLITE_DONE. Does not reset it. */
MUST_CHECK enum err_code sq_step_done(struct store_conn *conn, sqlite3_stmt *stmt, const char *what,
                                      struct err *err);

/* Steps once: *has_row true on SQLITE_ROW, false on SQLITE_DONE. Does not reset it. */
MUST_CHECK enum err_code sq_step_row(struct store_conn *conn, sqlite3_stmt *stmt, bool *has_row,
                                     const char *what, struct err *err);

/* ---- binding parameters 1, 2, 3 ... in order -------------------------------------------- */

struct sq_bind {
    sqlite3_stmt *stmt;
    int index; /* the last parameter bound */
    int rc;    /* the first failure, or SQLITE_OK */
};

void sq_bind_init(struct sq_bind *bind, sqlite3_stmt *stmt);
void sq_bind_text(struct sq_bind *bind, const char *text); /* NULL binds NULL; text must live
                                                              until the statement is done */
void sq_bind_i64(struct sq_bind *bind, int64_t value);
void sq_bind_i64_or_null(struct sq_bind *bind, int64_t value); /* 0 binds NULL */
void sq_bind_bool(struct sq_bind *bind, bool value);
void sq_bind_double(struct sq_bind *bind, double value);
void sq_bind_null(struct sq_bind *bind);
void sq_bind_blob(struct sq_bind *bind, const void *data, size_t len);
/* The 11 address columns: name, company, line1, line2, city, region, postal_code, country,
 * phone, lat, lon (all NULL when !present, lat/lon NULL when !has_coords). */
void sq_bind_address(struct sq_bind *bind, const struct address *address);

/* ERR_OK when every parameter was bound (asserts that the count matches the statement);
 * on failure the statement is finished (sq_done). */
MUST_CHECK enum err_code sq_bind_check(struct store_conn *conn, const struct sq_bind *bind,
                                       const char *what, struct err *err);

/* ---- reading columns 0, 1, 2 ... of the current row in order ---------------------------- */

struct sq_row {
    sqlite3_stmt *stmt;
    struct arena *arena; /* strings are copied here; may be NULL when none are read */
    int index;           /* the next column */
    bool arena_full;     /* a copy failed: the caller answers ERR_TOO_LARGE */
};

void sq_row_init(struct sq_row *row, sqlite3_stmt *stmt, struct arena *arena);
const char *sq_col_text(struct sq_row *row); /* arena copy; NULL for NULL */
int64_t sq_col_i64(struct sq_row *row);      /* 0 for NULL */
int sq_col_int(struct sq_row *row);          /* clamped to the int range */
bool sq_col_bool(struct sq_row *row);
double sq_col_double(struct sq_row *row, double if_null);
bool sq_col_is_null(const struct sq_row *row); /* of the next column, without moving on */
void sq_col_skip(struct sq_row *row);
/* Copies a blob of exactly len bytes; false when NULL or of another length. */
bool sq_col_blob(struct sq_row *row, void *out, size_t len);
/* The name of the VFS the writer connection opens the database with (sqlite_walbuf.c: its
 * WAL appends written once per commit), registered on first use; NULL when it cannot be. */
const char *sqlite_walbuf_vfs(void);

/* Arena copy of a BLOB (or TEXT) of any length; NULL (and *len 0) for NULL. */
const unsigned char *sq_col_bytes(struct sq_row *row, size_t *len);
/* The 11 address columns as bound by sq_bind_address. */
void sq_col_address(struct sq_row *row, struct address *out);

/* ERR_TOO_LARGE when a copy failed; asserts that every column was read. */
MUST_CHECK enum err_code sq_row_check(const struct sq_row *row, struct err *err);

/* The first capacity of an arena array that sq_grow doubles. */
#define SQ_ROWS_FIRST 16

/*
 * Makes room for one more element of elem_size in an arena array (*items, *count used,
 * *cap allocated), doubling it; false when the arena is full.
 */
MUST_CHECK bool sq_grow(struct arena *arena, void **items, size_t count, size_t *cap,
                        size_t elem_size);

/*
 * Reads one row into *item: every column in order (the function may fail on a value it
 * cannot accept, such as an unknown enum name).
 */
typedef enum err_code (*sq_read_fn)(struct sq_row *row, void *item, struct err *err);

/* How to read rows, and (sq_read_all) where they went. */
struct sq_reader {
    struct arena *arena; /* strings and arrays are copied here */
    sq_read_fn read;
    const char *what; /* names the row in errors ("order not found") */
    size_t elem_size; /* sq_read_all: size of one element */
    void *items;      /* sq_read_all out: arena array, NULL when there is no row */
    size_t count;     /* sq_read_all out: elements in items */
};

/*
 * Steps a bound statement to its end, reading each row into a growing arena array
 * (reader->items, reader->count). Finishes the statement (sq_done) whatever happens.
 */
MUST_CHECK enum err_code sq_read_all(struct store_conn *conn, sqlite3_stmt *stmt,
                                     struct sq_reader *reader, struct err *err);

/* Steps a bound statement once and reads its row into item; ERR_NOT_FOUND ("<what> not
 * found") when there is none. Finishes the statement. */
MUST_CHECK enum err_code sq_read_one(struct store_conn *conn, sqlite3_stmt *stmt,
                                     const struct sq_reader *reader, void *item, struct err *err);

/* Binds a key (text or row id) as the next parameter. */
void sq_bind_key(struct sq_bind *bind, const struct sq_key *key);

/*
 * After an update by key and version changed no row: ERR_PRECONDITION when the row exists
 * (its version moved on), ERR_NOT_FOUND ("<what> not found") when it does not. exists
 * selects the row by its one parameter, the key.
 */
MUST_CHECK enum err_code sq_version_miss(struct store_conn *conn, const struct sq_sql *exists,
                                         const struct sq_key *key, const char *what,
                                         struct err *err);

/* Reads a struct stock_row from the columns product_id, location_id, sku, location code,
 * on_hand, reserved, safety_stock, inbound, updated_at (sqlite_inventory.c). */
enum err_code sq_read_stock_row(struct sq_row *row, void *item, struct err *err);

/*
 * Reads that take several statements (an order with its lines) see one snapshot: when conn
 * is not in a transaction, sq_snapshot_begin opens a read transaction and sets *owned, and
 * sq_snapshot_end closes it. Inside the caller's transaction both do nothing.
 */
MUST_CHECK enum err_code sq_snapshot_begin(struct store_conn *conn, bool *owned, struct err *err);
void sq_snapshot_end(struct store_conn *conn, bool owned);

/* Runs a bound statement that returns no row and finishes it. */
MUST_CHECK enum err_code sq_run(struct store_conn *conn, sqlite3_stmt *stmt, const char *what,
                                struct err *err);

#endif
