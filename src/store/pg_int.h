/*
 * pg_int.h — private to the PostgreSQL backend (store_pg.c and pg_*.c, the only files that
 * include <libpq-fe.h>): connections, the per-connection statement cache, and helpers that bind
 * parameters as text and read columns in order. It mirrors sqlite_int.h name for name (pg_ for
 * sq_), so that each pg_*.c reads like its sqlite_*.c: a statement is prepared (PQprepare, under
 * a stable name) on its first use by a connection, bound, then run by the first step, which
 * keeps the whole result; the following steps walk its rows.
 */
#ifndef ORDO_STORE_PG_INT_H
#define ORDO_STORE_PG_INT_H

#include <pthread.h>

#include <libpq-fe.h>

#include "core/address.h"
#include "core/limits.h"
#include "gen/store_pg.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"
#include "store/backend.h"
#include "store/store.h"

/* Every statement the backend runs; each connection prepares one on its first use as
 * "ordo_<id>". The same statements as enum sq_stmt. */
enum pg_stmt {
    PGS_MIGRATION_LIST,
    PGS_MIGRATION_INSERT,
    PGS_CHANNEL_INSERT,
    PGS_CHANNEL_GET,
    PGS_CHANNEL_LIST,
    PGS_LOCATION_INSERT,
    PGS_LOCATION_UPDATE,
    PGS_LOCATION_EXISTS,
    PGS_LOCATION_GET,
    PGS_LOCATION_LIST,
    PGS_PRODUCT_INSERT,
    PGS_PRODUCT_UPDATE,
    PGS_PRODUCT_EXISTS,
    PGS_PRODUCT_GET,
    PGS_PRODUCT_GET_BY_ROW,
    PGS_PRODUCT_LIST,
    PGS_COMPONENT_INSERT,
    PGS_COMPONENT_DELETE,
    PGS_COMPONENT_LIST,
    PGS_KITS_USING,
    PGS_STOCK_GET,
    PGS_STOCK_APPLY,
    PGS_STOCK_SET_SAFETY,
    PGS_STOCK_LIST_BY_PRODUCT,
    PGS_STOCK_LIST_ALL,
    PGS_LEDGER_INSERT,
    PGS_LEDGER_LIST,
    PGS_LEDGER_TOTALS,
    PGS_CUSTOMER_INSERT,
    PGS_CUSTOMER_UPDATE,
    PGS_CUSTOMER_EXISTS,
    PGS_CUSTOMER_GET,
    PGS_CUSTOMER_GET_BY_EMAIL,
    PGS_CUSTOMER_GET_BRIEF,
    PGS_CUSTOMER_GET_BRIEF_BY_EMAIL,
    PGS_ORDER_INSERT,
    PGS_ORDER_UPDATE,
    PGS_ORDER_EXISTS,
    PGS_ORDER_GET,
    PGS_ORDER_FIND_EXTERNAL,
    PGS_ORDER_LIST,
    PGS_ORDER_LIST_BY_STATUS,
    PGS_ORDER_LIST_BY_CUSTOMER,
    PGS_ORDER_LIST_BY_EMAIL,
    PGS_ORDER_NEXT_NUMBER,
    PGS_LINE_INSERT,
    PGS_LINE_INSERT_2,
    PGS_LINE_INSERT_3,
    PGS_LINE_INSERT_4,
    PGS_LINE_UPSERT,
    PGS_LINE_LIST,
    PGS_ALLOCATION_INSERT,
    PGS_ALLOCATION_INSERT_2,
    PGS_ALLOCATION_INSERT_3,
    PGS_ALLOCATION_INSERT_4,
    PGS_ALLOCATION_DELETE,
    PGS_ALLOCATION_LIST,
    PGS_ALLOCATION_TOTALS,
    PGS_ROUTING_SET,
    PGS_ROUTING_GET,
    PGS_SHIPMENT_INSERT,
    PGS_SHIPMENT_UPDATE,
    PGS_SHIPMENT_EXISTS,
    PGS_SHIPMENT_GET,
    PGS_SHIPMENT_LIST_BY_ORDER,
    PGS_EVENT_INSERT,
    PGS_EVENT_LIST,
    PGS_IDEMPOTENCY_GET,
    PGS_IDEMPOTENCY_INSERT,
    PGS_IDEMPOTENCY_PURGE,
    PGS_API_KEY_INSERT,
    PGS_API_KEY_GET_BY_PREFIX,
    PGS_SHIPMENT_LOAD,
    PGS_SHIPMENT_SAVE,
    PGS_SHIPMENT_LIST,
    PGS_SHIPMENT_WAVE,
    PGS_SHIPMENT_EXPIRED_PICKUPS,
    PGS_BACKORDER_ORDERS,
    PGS_PICK_LIST_INSERT,
    PGS_PICK_LIST_GET,
    PGS_PICK_LIST_UPDATE,
    PGS_PICK_LIST_EXISTS,
    PGS_PICK_LINE_INSERT,
    PGS_PICK_LINE_LIST,
    PGS_PICK_LINE_UPDATE,
    PGS_M_FACTS_GET,
    PGS_M_FACTS_DELETE,
    PGS_M_FACT_INSERT,
    PGS_M_DAILY_ADD,
    PGS_M_EVENTS_ADD,
    PGS_M_DISTINCT_FIRST,
    PGS_M_DISTINCT_UP_ONE,
    PGS_M_DISTINCT_DOWN,
    PGS_M_DISTINCT_DELETE,
    PGS_M_DISTINCT_RELINK,
    PGS_M_TRAFFIC_PUT,
    PGS_M_COST_INSERT,
    PGS_M_SUM_ORDERS,
    PGS_M_SUM_SHIP_LOC,
    PGS_M_SUM_EVENTS,
    PGS_M_SUM_TRAFFIC,
    PGS_M_SUM_DISTINCT,
    PGS_M_DAY_ORDERS,
    PGS_M_DAY_SHIP_LOC,
    PGS_M_DAY_EVENTS,
    PGS_M_DAY_TRAFFIC,
    PGS_M_DAY_DISTINCT,
    PGS_M_TOP_PRODUCTS,
    PGS_M_CHECK,
    PGS_M_CHECK_EVENTS,
    PGS_M_CHECK_DISTINCT,
    PGS_M_CHECK_LOCATION_DAYS,
    PGS_M_ORDER_IDS,
    PGS_M_ORDER_FLAGS,
    PGS_STOCK_CREATE,          /* no SQLite twin: see pg_inventory.c */
    PGS_M_DISTINCT_LOCK,       /* no SQLite twin: see pg_metrics.c */
    PGS_M_DISTINCT_COUNTS_ADD, /* no SQLite twin: counted by triggers there */
    PGS_M_DISTINCT_DAYS_ADD,
    /* pick list ids (pg_fulfillment.c) */
    PGS_PICK_LIST_IDS,
    /* payments (pg_payments.c) */
    PGS_PAYMENT_INSERT,
    PGS_PAYMENT_UPDATE,
    PGS_PAYMENT_LIST_BY_ORDER,
    PGS_PAYMENT_LIST_PENDING,
    PGS_PAYMENT_CHECK,
    PGS_PAYMENT_OPEN_BALANCE,
    /* users and sessions (issue 8: web console; pg_users.c) */
    PGS_USER_INSERT,
    PGS_USER_GET_BY_EMAIL,
    PGS_SESSION_INSERT,
    PGS_SESSION_GET,
    PGS_SESSION_DELETE,
    PGS_SESSION_PURGE,
    PGS_LOGIN_FAILURE_ADD,
    PGS_LOGIN_FAILURE_FORGET,
    PGS_LOGIN_FAILURE_COUNT,
    PGS_LOGIN_FAILURE_CLEAR,
    /* returns and invoices (pg_returns.c) */
    PGS_RMA_INSERT,
    PGS_RMA_LINE_INSERT,
    PGS_RMA_XLINE_INSERT,
    PGS_RMA_UPDATE,
    PGS_RMA_EXISTS,
    PGS_RMA_LINE_UPDATE,
    PGS_RMA_DISP_INSERT,
    PGS_RMA_GET,
    PGS_RMA_LINE_LIST,
    PGS_RMA_DISP_LIST,
    PGS_RMA_XLINE_LIST,
    PGS_RMA_IDS_BY_ORDER,
    PGS_RMA_LINE_REQUESTED,
    PGS_RMA_SHIPPING_UNITS,
    PGS_RMA_NEXT_NUMBER,
    PGS_RMA_SETTING_GET,
    PGS_RMA_SETTING_PUT,
    PGS_RMA_RULES_LIST,
    PGS_RMA_RULE_INSERT,
    PGS_INVOICE_INSERT,
    PGS_INVOICE_NEXT_SEQ,
    PGS_INVOICE_GET,
    PGS_INVOICE_LIST_BY_ORDER,
    PGS_INVOICE_GAPS,
    PGS_RMA_CHECK,
    /* routing: carriers, settings, hold-backs (pg_routing.c; issue 3) */
    PGS_ROUTING_CARRIER_UPSERT,
    PGS_ROUTING_CARRIER_EXISTS,
    PGS_ROUTING_SERVICES_DELETE,
    PGS_ROUTING_SERVICE_INSERT,
    PGS_ROUTING_CARRIER_LIST,
    PGS_ROUTING_SERVICE_LIST,
    PGS_ROUTING_SETTING_LIST,
    PGS_ROUTING_SETTING_PUT,
    PGS_ROUTING_VERSION_GET,
    PGS_ROUTING_VERSION_BUMP,
    PGS_ROUTING_HOLD_LIST,
    PGS_ROUTING_HOLD_DELETE_ALL,
    PGS_ROUTING_HOLD_INSERT,
    PGS_ROUTING_SHIPMENTS_SINCE,
    /* routing round 2: drop-ship purchase orders (pg_purchase_orders.c; issue 3) */
    PGS_PO_NEXT_NUMBER,
    PGS_PO_INSERT,
    PGS_PO_GET,
    PGS_PO_LIST,
    PGS_PO_LINES,
    PGS_LOCATION_IS_SUPPLIER,
    /* added after a merge of main (the sqlite_*.c twins) */
    PGS_TRANSFER_INSERT,
    PGS_TRANSFER_GET,
    PGS_TRANSFER_RECEIVED,
    PGS_ROUTING_SHIPMENTS_BUSY,
    PGS_AVAILABILITY_READ,
    PGS_AVAILABILITY_LOCATIONS_VERSION,
    PGS_HOLD_INSERT,
    PGS_HOLD_LINE_INSERT,
    PGS_HOLD_STOCK_INSERT,
    PGS_HOLD_GET,
    PGS_HOLD_LINE_LIST,
    PGS_HOLD_STOCK_LIST,
    PGS_HOLD_FINISH,
    PGS_HOLD_STOCK_DELETE,
    PGS_HOLD_SET_ORDER,
    PGS_HOLD_EXPIRED,
    PGS_HOLD_TOTALS,
    PGS_ORDER_LIST_BY_NUMBER,
    PGS_ORDER_LIST_BY_CHANNEL,
    PGS_ORDER_LIST_BY_CHANNEL_STATUS,
    PGS_SHIPMENT_LIST_BY_ORDER_ID,
    PGS_USER_GET,
    PGS_USER_LIST,
    PGS_USER_UPDATE,
    PGS_SESSION_DELETE_USER,
    /* the writer's pipeline: statements whose answers it need not wait for */
    PGS_STOCK_RESERVE_PLANNED,
    PGS_ROUTING_CAPACITY_REQUIRE,
    /* order capture's snapshot in few statements: many keys per read (a JSON array) */
    PGS_PRODUCT_GET_MANY,
    PGS_COMPONENT_LIST_MANY,
    PGS_STOCK_LIST_BY_PRODUCTS,
    PGS_ROUTING_SHIPMENTS_SINCE_ALL,
    PGS_ROUTING_LOCATION_DAYS_ADD, /* no SQLite twin: counted by a trigger there */
    PGS_VERSIONS_READ,
    PGS_STMT_COUNT
};

/* The most parameters of one statement (the order insert has 57). */
#define PG_PARAMS_MAX 96
/* Room for the text of one number parameter (an int64 or a %.17g double). */
#define PG_NUMBER_BYTES 32
/* Statements the writer's pipeline sends before it waits for their answers (pg_pipeline.c). */
#define PG_PENDING_MAX 128
/* Order numbers the writer takes from the sequence in one statement (as a sequence's CACHE:
 * numbers a process took and did not use before it stopped are skipped). */
#define PG_NUMBERS_AHEAD 64
/* Room for the name of the operation of one pending statement ("order line"), for its error. */
#define PG_WHAT_BYTES 48

/*
 * A statement of one connection: its parameters until it runs, then its result until
 * pg_done(). The first pg_step_*() runs it (PQexecPrepared, text results); libpq hands back
 * every row at once, so the later steps only move the row index.
 */
struct pg_query {
    struct store_conn *conn;
    enum pg_stmt id;
    char name[16];       /* on the server: "ordo_<id>" */
    const char *text;    /* the SQL it was prepared from (a use check) */
    bool prepared;       /* on the server, in this session */
    int params_expected; /* from PQdescribePrepared */
    const char *values[PG_PARAMS_MAX];
    int lengths[PG_PARAMS_MAX];
    int formats[PG_PARAMS_MAX]; /* 0 text, 1 binary (bytea) */
    char numbers[PG_PARAMS_MAX][PG_NUMBER_BYTES];
    PGresult *result; /* after the first step, until pg_done */
    int row;          /* the current row: -1 before the first */
    /* An answer read ahead on the open read snapshot (pg_ahead_keep), for the parameters
     * ahead_key spells (malloc'ed); taken by the next run with the same parameters. */
    PGresult *ahead;
    char *ahead_key;
    size_t ahead_key_len;
};

/* What one command moved a day's metrics row by (pg_metrics.c): inside a write batch, kept
 * until the commit and written then, one upsert per row for the whole batch. */
struct pg_daily_delta {
    int64_t day;
    char channel[CODE_LEN_MAX + 1];
    char location[CODE_LEN_MAX + 1];
    struct metrics_counters counters;
};

/* Rows a write batch keeps for its commit (the hot counters, pg_metrics.c and pg_routing.c):
 * appended by commands, cut back to mark when a command's savepoint is rolled back. */
struct pg_batch_rows {
    void *rows; /* malloc'ed, cap rows of its owner's type; freed at close */
    size_t count;
    size_t cap;
    size_t mark; /* count when the open savepoint began */
};

/* Shipments created at a location on a day, for routing_location_days (migration 022). */
struct pg_location_day_delta {
    int64_t location_row_id;
    int64_t day;
    int64_t n;
};

/* A key seen first on its day (metrics_distinct), for metrics_distinct_counts with no previous
 * day and metrics_distinct_days (migration 021). */
struct pg_distinct_delta {
    int64_t kind;
    int64_t day;
    char scope[CODE_LEN_MAX + 1];
    int64_t n;
};

struct store_conn {
    struct store_base base; /* first: the dispatch reads it */
    PGconn *pg;
    struct store *store;
    struct pg_query *stmts[PGS_STMT_COUNT]; /* malloc'ed on first use, freed at close */
    bool is_writer;
    bool in_use;            /* readers: handed out by store_reader_acquire */
    bool savepoint_open;    /* between store_savepoint and its release or rollback */
    int64_t changes;        /* rows the last statement run changed (PQcmdTuples) */
    int64_t last_id;        /* the first column of its first row (INSERT ... RETURNING id) */
    enum store_retry retry; /* the strongest race pg_fail saw since the last savepoint */
    bool begin_deferred;    /* a read snapshot's BEGIN waits for its first statement */
    size_t ahead_count;     /* statements holding an answer read ahead (pg_ahead_keep) */
    /* libpq's pipeline mode (pg_pipeline.c): the writer inside a write transaction */
    bool pipeline;
    bool pipeline_failed;    /* a statement failed since the savepoint: pipeline_err says which */
    struct err pipeline_err; /* the first failure, answered until the savepoint is rolled back */
    size_t pending_count;    /* statements sent whose answers were not read yet */
    uint64_t pipeline_sent;  /* statements sent in the pipeline, for the log at close */
    uint64_t pipeline_waits; /* ... and the round trips they took */
    char pending_what[PG_PENDING_MAX][PG_WHAT_BYTES];
    /* metrics_daily inside a write batch (pg_metrics.c): every order adds to a few hot rows,
     * and a row one savepoint (a subtransaction) wrote and the next updates costs PostgreSQL a
     * multixact and a longer chain of versions for every later update and read; so the
     * batch's deltas are kept here and written once, before its COMMIT. */
    bool batch_open;            /* between pg_begin_write and the commit or rollback */
    struct pg_batch_rows daily; /* struct pg_daily_delta */
    /* ... and so are the counts of the keys new on their day, for the same reason */
    struct pg_batch_rows distinct; /* struct pg_distinct_delta */
    /* ... and the shipments per location and day (pg_routing.c) */
    struct pg_batch_rows location_days; /* struct pg_location_day_delta */
    /* order numbers taken from the sequence ahead, a batch at a time (pg_orders.c) */
    int64_t numbers[PG_NUMBERS_AHEAD];
    size_t numbers_next;
    size_t numbers_count;
};

struct store {
    struct store_base base; /* first: the dispatch reads it */
    char *url;              /* malloc'ed copy of options->path */
    bool synchronous_full;
    bool writer_turns; /* group commits take the writer lock (store_pg.c); ORDO_PG_WRITER_TURNS=0 */
    bool pipeline;     /* the writer's group commits use libpq's pipeline; ORDO_PG_PIPELINE=0 */
    struct store_conn writer;
    struct store_conn *readers; /* [readers_max], opened lazily */
    int readers_max;
    int readers_open;
    pthread_mutex_t mutex;   /* guards readers[].in_use and readers_open */
    pthread_cond_t released; /* signalled when a reader is given back */
};

/* A statement's id and text; each is defined once, next to the code that runs it. */
struct pg_sql {
    enum pg_stmt id;
    const char *text;
};

/* The key of a row: text when not NULL, else row_id. */
struct pg_key {
    const char *text;
    int64_t row_id;
};

/*
 * The statement prepared from sql on this connection (prepared on first use, for the
 * session). It is unbound and has no result: bind, step, then hand it to pg_done().
 */
MUST_CHECK enum err_code pg_stmt(struct store_conn *conn, const struct pg_sql *sql,
                                 struct pg_query **out, struct err *err);

/* Frees the result and forgets the bindings, ready for the next use. */
void pg_done(struct pg_query *stmt);

/*
 * Fills err from a failed statement (result NULL: the connection failed): ERR_CONFLICT for a
 * unique key taken (23505) or a serialization failure or deadlock (40001, 40P01: the caller
 * may retry), ERR_NOT_FOUND for a foreign key that points nowhere (23503), ERR_STORE otherwise
 * with PostgreSQL's message. what names the operation ("order insert").
 */
enum err_code pg_fail(struct store_conn *conn, const PGresult *result, const char *what,
                      struct err *err);

/* ERR_STORE for a value in the database that this build cannot read (a corrupt enum name). */
enum err_code pg_corrupt(struct err *err, const char *what, const char *value);

/* Runs a bound statement for its effect (a row it returns is kept for pg_last_id). Does not
 * call pg_done. */
MUST_CHECK enum err_code pg_step_done(struct store_conn *conn, struct pg_query *stmt,
                                      const char *what, struct err *err);

/* Runs the statement on the first call, then moves to the next row: *has_row false past the
 * last. Does not call pg_done. */
MUST_CHECK enum err_code pg_step_row(struct store_conn *conn, struct pg_query *stmt, bool *has_row,
                                     const char *what, struct err *err);

/*
 * Runs a bound statement whose answer nobody reads (an insert whose id is not asked for) and
 * finishes it. Inside the writer's pipeline it is only sent: a failure is the answer of the next
 * statement that waits, at the latest of the command's savepoint release, so the command still
 * fails as a whole. Elsewhere it is pg_run.
 */
MUST_CHECK enum err_code pg_run_later(struct store_conn *conn, struct pg_query *stmt,
                                      const char *what, struct err *err);

/* pg_stmt, then binds params to $1 ... $count (all int64): ready for pg_run or pg_run_later. */
MUST_CHECK enum err_code pg_stmt_i64(struct store_conn *conn, const struct pg_sql *sql,
                                     const int64_t *params, size_t count, struct pg_query **out,
                                     struct err *err);

/* The most statements pg_prefetch sends at once. */
#define PG_PREFETCH_MAX 8

/*
 * Runs bound statements whose parameters do not depend on each other's rows in one round trip
 * (libpq's pipeline; with a read snapshot's deferred BEGIN first) and keeps each result in its
 * statement: the pg_step_row calls that follow walk it. Each statement is then read and
 * finished (pg_done) as usual, also when this fails.
 */
MUST_CHECK enum err_code pg_prefetch(struct store_conn *conn, struct pg_query **stmts, size_t count,
                                     const char *what, struct err *err);

/*
 * pg_prefetch on a reader's open snapshot, whose answers are kept in their statements for
 * later: the next run of each statement (pg_step_row, pg_step_done) with the same parameters
 * takes its answer instead of asking the server; a run with others asks. Every kept answer is
 * dropped when the transaction ends (pg_ahead_forget). The statements are finished here.
 */
MUST_CHECK enum err_code pg_ahead_keep(struct store_conn *conn, struct pg_query **stmts,
                                       size_t count, const char *what, struct err *err);
void pg_ahead_forget(struct store_conn *conn);

/* Bound, not run: the statements of the reads store_read_ahead knows (each file's own). */
MUST_CHECK enum err_code pg_order_find_external_bind(struct store_conn *conn, const char *channel,
                                                     const char *external_id, struct pg_query **out,
                                                     struct err *err);
MUST_CHECK enum err_code pg_customer_brief_by_email_bind(struct store_conn *conn, const char *email,
                                                         struct pg_query **out, struct err *err);
MUST_CHECK enum err_code pg_stock_by_products_bind(struct store_conn *conn, struct arena *arena,
                                                   const int64_t *product_row_ids, size_t count,
                                                   struct pg_query **out, struct err *err);
MUST_CHECK enum err_code pg_shipments_since_all_bind(struct store_conn *conn, int64_t since_ms,
                                                     struct pg_query **out, struct err *err);

/* The BEGIN of a read snapshot (sent with the snapshot's first statement, pg_util.c). */
#define PG_BEGIN_READ "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY"

/* Connects again when the server dropped the connection (store_pg.c). */
MUST_CHECK enum err_code pg_conn_ensure(struct store_conn *conn, struct err *err);

/* ---- metrics counters kept for the commit (pg_metrics.c) --------------------------------- */

/* A new last row of size bytes (uninitialised), or NULL when out of memory (store_pg.c). */
void *pg_batch_rows_add(struct pg_batch_rows *rows, size_t size);
/* Empties rows for the commit's flush: the rows kept (valid until the next add), in key order
 * by cmp so that two processes' batches take their database rows in the same order. */
void *pg_batch_rows_take(struct pg_batch_rows *rows, size_t size,
                         int (*cmp)(const void *, const void *), size_t *count);

/* Writes the batch's metrics_daily deltas and distinct-key counts (struct store_conn's daily and
 * distinct), one upsert per row, and empties them; called just before COMMIT. */
MUST_CHECK enum err_code pg_metrics_batch_flush(struct store_conn *conn, struct err *err);

/* ---- shipments per location and day kept for the commit (pg_routing.c) ------------------ */

/* A shipment was created: routing_location_days counts it, at the batch's commit inside one. */
MUST_CHECK enum err_code pg_routing_shipment_counted(struct store_conn *conn,
                                                     int64_t location_row_id, int64_t created_at_ms,
                                                     struct err *err);
/* As pg_metrics_batch_flush, for these counts. */
MUST_CHECK enum err_code pg_routing_batch_flush(struct store_conn *conn, struct err *err);

/* ---- the writer's pipeline (pg_pipeline.c) ----------------------------------------------- */

/* Puts the writer's connection, just inside its write transaction, into pipeline mode. */
void pg_pipeline_enter(struct store_conn *conn);
/* Reads every answer still due and leaves pipeline mode: the first failure is the answer. */
MUST_CHECK enum err_code pg_pipeline_leave(struct store_conn *conn, struct err *err);
/* Sends the bound statement (PQsendQueryPrepared, or PQsendQueryParams when planned at each
 * run); libpq's 1 when sent. */
int pg_query_send(struct store_conn *conn, const struct pg_query *stmt);
/* Sends a bound statement (stmt) or a command without parameters (sql, stmt NULL) and does not
 * wait for its answer. */
MUST_CHECK enum err_code pg_pipeline_send(struct store_conn *conn, const struct pg_query *stmt,
                                          const char *sql, const char *what, struct err *err);
/* Sends PostgreSQL's Sync and reads the answers of everything sent: the last `keep` answers go
 * to out[] (the caller PQclears them; NULL where the statement failed). The first failure since
 * the savepoint (pg_pipeline_forget) is the answer. */
MUST_CHECK enum err_code pg_pipeline_wait(struct store_conn *conn, PGresult **out, int keep,
                                          struct err *err);
/* Forgets the failure of a command whose savepoint was rolled back (or a new savepoint). */
void pg_pipeline_forget(struct store_conn *conn);

/* Rows changed by the statement conn ran last (sqlite3_changes). */
int64_t pg_changes(const struct store_conn *conn);

/* The first column of the first row of the statement conn ran last: the id an INSERT ...
 * RETURNING id gave (sqlite3_last_insert_rowid). */
int64_t pg_last_id(const struct store_conn *conn);

/* Whether conn is inside a transaction (sqlite3_get_autocommit's opposite). */
bool pg_in_transaction(const struct store_conn *conn);

/* ---- binding parameters $1, $2, $3 ... in order ------------------------------------------ */

struct pg_bind {
    struct pg_query *stmt;
    int index;     /* the last parameter bound */
    bool too_many; /* more than PG_PARAMS_MAX */
};

void pg_bind_init(struct pg_bind *bind, struct pg_query *stmt);
void pg_bind_text(struct pg_bind *bind, const char *text); /* NULL binds NULL; text must live
                                                              until the statement has run */
void pg_bind_i64(struct pg_bind *bind, int64_t value);
void pg_bind_i64_or_null(struct pg_bind *bind, int64_t value); /* 0 binds NULL */
void pg_bind_bool(struct pg_bind *bind, bool value);           /* 1 or 0 (BIGINT flags) */
void pg_bind_double(struct pg_bind *bind, double value);
void pg_bind_null(struct pg_bind *bind);
void pg_bind_blob(struct pg_bind *bind, const void *data, size_t len); /* bytea, binary */
/* The 11 address columns, as sq_bind_address. */
void pg_bind_address(struct pg_bind *bind, const struct address *address);

/* ERR_OK when every parameter was bound (asserts that the count matches the statement). */
MUST_CHECK enum err_code pg_bind_check(struct store_conn *conn, const struct pg_bind *bind,
                                       const char *what, struct err *err);

/* ---- reading columns 0, 1, 2 ... of the current row in order ---------------------------- */

struct pg_row {
    struct pg_query *stmt;
    struct arena *arena; /* strings are copied here; may be NULL when none are read */
    int index;           /* the next column */
    bool arena_full;     /* a copy failed: the caller answers ERR_TOO_LARGE */
};

void pg_row_init(struct pg_row *row, struct pg_query *stmt, struct arena *arena);
const char *pg_col_text(struct pg_row *row); /* arena copy; NULL for NULL */
int64_t pg_col_i64(struct pg_row *row);      /* 0 for NULL; a boolean reads 1 or 0 */
int pg_col_int(struct pg_row *row);          /* clamped to the int range */
bool pg_col_bool(struct pg_row *row);
double pg_col_double(struct pg_row *row, double if_null);
bool pg_col_is_null(const struct pg_row *row); /* of the next column, without moving on */
void pg_col_skip(struct pg_row *row);
/* Copies a bytea of exactly len bytes; false when NULL or of another length. */
bool pg_col_blob(struct pg_row *row, void *out, size_t len);
/* Arena copy of a bytea of any length; NULL (and *len 0) for NULL. */
const unsigned char *pg_col_bytes(struct pg_row *row, size_t *len);
/* The 11 address columns as bound by pg_bind_address. */
void pg_col_address(struct pg_row *row, struct address *out);

/* Column col of the current row without copying (sqlite3_column_*): NULL reads as NULL
 * text, 0 and true; a boolean reads 1 or 0. The text is the result's, valid until pg_done. */
const char *pg_value_text(const struct pg_query *stmt, int col);
int64_t pg_value_i64(const struct pg_query *stmt, int col);
bool pg_value_is_null(const struct pg_query *stmt, int col);

/* ERR_TOO_LARGE when a copy failed; asserts that every column was read. */
MUST_CHECK enum err_code pg_row_check(const struct pg_row *row, struct err *err);

/* The first capacity of an arena array that pg_grow doubles. */
#define PGS_ROWS_FIRST 16

MUST_CHECK bool pg_grow(struct arena *arena, void **items, size_t count, size_t *cap,
                        size_t elem_size);

typedef enum err_code (*pg_read_fn)(struct pg_row *row, void *item, struct err *err);

/* How to read rows, and (pg_read_all) where they went; as struct sq_reader. */
struct pg_reader {
    struct arena *arena;
    pg_read_fn read;
    const char *what;
    size_t elem_size;
    void *items;
    size_t count;
};

/* As sq_read_all and sq_read_one: both finish the statement (pg_done) whatever happens. */
MUST_CHECK enum err_code pg_read_all(struct store_conn *conn, struct pg_query *stmt,
                                     struct pg_reader *reader, struct err *err);
MUST_CHECK enum err_code pg_read_one(struct store_conn *conn, struct pg_query *stmt,
                                     const struct pg_reader *reader, void *item, struct err *err);

void pg_bind_key(struct pg_bind *bind, const struct pg_key *key);

/* As sq_version_miss: ERR_PRECONDITION when the row exists, else ERR_NOT_FOUND. */
MUST_CHECK enum err_code pg_version_miss(struct store_conn *conn, const struct pg_sql *exists,
                                         const struct pg_key *key, const char *what,
                                         struct err *err);

/* Reads a struct stock_row (pg_inventory.c), as sq_read_stock_row. */
enum err_code pg_read_stock_row(struct pg_row *row, void *item, struct err *err);

/*
 * Reads that take several statements see one snapshot: outside a transaction,
 * pg_snapshot_begin opens a REPEATABLE READ READ ONLY one and sets *owned; pg_snapshot_end
 * ends it. Inside the caller's transaction both do nothing.
 */
MUST_CHECK enum err_code pg_snapshot_begin(struct store_conn *conn, bool *owned, struct err *err);
void pg_snapshot_end(struct store_conn *conn, bool owned);

/*
 * batch_json_texts leaving out the texts that are not UTF-8 (no stored text equals one, and
 * PostgreSQL would refuse the whole parameter), for json_array_elements_text($1::json).
 */
const char *pg_json_texts(struct arena *arena, const char *const *texts, size_t count);

/* Runs a bound statement for its effect and finishes it. */
MUST_CHECK enum err_code pg_run(struct store_conn *conn, struct pg_query *stmt, const char *what,
                                struct err *err);

#endif
