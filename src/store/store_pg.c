/*
 * store_pg.c — the PostgreSQL backend of store.h (libpq): connections (one writer, a lazy pool
 * of readers, as store_sqlite.c), transactions and savepoints, migrations. Plumbing is in
 * pg_util.c; entities in pg_records.c, pg_catalog.c, pg_inventory.c, pg_orders.c,
 * pg_fulfillment.c and pg_metrics.c, each the twin of its sqlite_*.c.
 *
 * Several `ordo serve` processes may share one database: nothing here caches rows. Writes run
 * in READ COMMITTED transactions whose stock moves are conditional updates; reads that take
 * several statements run in REPEATABLE READ READ ONLY snapshots (SQLite's read transactions).
 */
#include "store/store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "lib/log.h"
#include "store/migration.h"
#include "store/pg_int.h"

#define STORE_PG_READERS_MAX 64
/* The key of the advisory lock that serialises migrations across processes ("ordo" in ASCII). */
#define STORE_PG_MIGRATION_LOCK "1869769839"
#define STORE_PG_SQL_BYTES_MAX  256

/* Runs a statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT ...) in the simple
 * protocol. COMMIT of a failed transaction answers "ROLLBACK": that is a failure here. */
static enum err_code run_simple(struct store_conn *conn, const char *sql, const char *what,
                                struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(sql != NULL);
    if (conn->pipeline) {
        PGresult *answer = NULL;
        enum err_code code = pg_pipeline_send(conn, NULL, sql, what, err);
        if (code == ERR_OK) {
            code = pg_pipeline_wait(conn, &answer, 1, err);
        }
        PQclear(answer);
        return code;
    }
    PGresult *result = PQexec(conn->pg, sql);
    ExecStatusType status = result != NULL ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    enum err_code code = ERR_OK;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        code = pg_fail(conn, result, what, err);
    } else if (strcmp(sql, "COMMIT") == 0 && strcmp(PQcmdStatus(result), "ROLLBACK") == 0) {
        code =
            err_set(err, ERR_STORE, NULL, "store failed on %s: the transaction was aborted", what);
    }
    PQclear(result);
    return code;
}

/* ---- connections --------------------------------------------------------------------------- */

static void conn_forget_statements(struct store_conn *conn)
{
    pg_ahead_forget(conn);
    for (size_t i = 0; i < ARRAY_LEN(conn->stmts); i++) {
        if (conn->stmts[i] != NULL) {
            PQclear(conn->stmts[i]->result);
            conn->stmts[i]->result = NULL;
            conn->stmts[i]->prepared = false;
        }
    }
}

/* ---- the rows a write batch keeps for its commit (struct pg_batch_rows) ------------------ */

void *pg_batch_rows_add(struct pg_batch_rows *rows, size_t size)
{
    ASSERT(rows != NULL && size > 0);
    if (rows->count == rows->cap) {
        size_t cap = rows->cap == 0 ? 64 : rows->cap * 2;
        void *grown = realloc(rows->rows, cap * size);
        if (grown == NULL) {
            return NULL;
        }
        rows->rows = grown;
        rows->cap = cap;
    }
    return (char *)rows->rows + size * rows->count++;
}

void *pg_batch_rows_take(struct pg_batch_rows *rows, size_t size,
                         int (*cmp)(const void *, const void *), size_t *count)
{
    ASSERT(rows != NULL && size > 0 && cmp != NULL && count != NULL);
    *count = rows->count;
    rows->count = 0;
    rows->mark = 0;
    if (*count > 1) {
        qsort(rows->rows, *count, size, cmp);
    }
    return rows->rows;
}

enum batch_rows_step { BATCH_ROWS_MARK, BATCH_ROWS_UNDO, BATCH_ROWS_EMPTY, BATCH_ROWS_FREE };

/* A savepoint begins (mark), is rolled back (undo: its command's rows go), the batch ends
 * without its flush (empty), or the connection closes (free). */
static void batch_rows_step(struct store_conn *conn, enum batch_rows_step step)
{
    struct pg_batch_rows *all[] = {&conn->daily, &conn->distinct, &conn->location_days};
    for (size_t i = 0; i < ARRAY_LEN(all); i++) {
        struct pg_batch_rows *rows = all[i];
        if (step == BATCH_ROWS_MARK) {
            rows->mark = rows->count;
        } else if (step == BATCH_ROWS_UNDO) {
            rows->count = rows->mark;
        } else {
            rows->count = 0;
            rows->mark = 0;
        }
        if (step == BATCH_ROWS_FREE) {
            free(rows->rows);
            *rows = (struct pg_batch_rows){0};
        }
    }
}

static void conn_close(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    if (conn->pg == NULL) {
        return;
    }
    conn_forget_statements(conn);
    for (size_t i = 0; i < ARRAY_LEN(conn->stmts); i++) {
        free(conn->stmts[i]);
        conn->stmts[i] = NULL;
    }
    PQfinish(conn->pg);
    conn->pg = NULL;
    batch_rows_step(conn, BATCH_ROWS_FREE);
    conn->batch_open = false;
}

/* Session settings: durability of commits, and readers that cannot write (query_only). */
static enum err_code conn_settings(struct store_conn *conn, bool synchronous_full, struct err *err)
{
    char sql[STORE_PG_SQL_BYTES_MAX];
    int n = snprintf(sql, sizeof(sql),
                     "SET synchronous_commit = %s; SET default_transaction_read_only = %s;"
                     " SET application_name = 'ordo'; SET client_min_messages = warning",
                     synchronous_full ? "on" : "off", conn->is_writer ? "off" : "on");
    ASSERT(n > 0 && (size_t)n < sizeof(sql));
    return run_simple(conn, sql, "connection settings", err);
}

/* libpq's message on one line, without the URL it may quote (and its password). */
static void message_tidy(const char *text, char *out, size_t out_size)
{
    int n = snprintf(out, out_size, "%s", text != NULL ? text : "unknown error");
    size_t len = n < 0 ? 0 : strlen(out);
    char *uri = strstr(out, " in URI");
    if (uri != NULL) {
        *uri = '\0';
        len = (size_t)(uri - out);
    }
    for (size_t i = 0; i < len; i++) {
        if (out[i] == '\n' || out[i] == '\t') {
            out[i] = ' ';
        }
    }
    while (len > 0 && out[len - 1] == ' ') {
        out[--len] = '\0';
    }
}

static enum err_code conn_open(struct store *store, struct store_conn *conn, bool is_writer,
                               struct err *err)
{
    ASSERT(store != NULL && conn != NULL);
    ASSERT(conn->pg == NULL);
    memset(conn, 0, sizeof(*conn));
    conn->base.ops = &pg_ops;
    conn->store = store;
    conn->is_writer = is_writer;
    conn->pg = PQconnectdb(store->url);
    if (conn->pg == NULL || PQstatus(conn->pg) != CONNECTION_OK) {
        char message[200];
        message_tidy(conn->pg != NULL ? PQerrorMessage(conn->pg) : "out of memory", message,
                     sizeof(message));
        err_set(err, ERR_STORE, "db", "store could not connect to PostgreSQL: %s", message);
        PQfinish(conn->pg);
        conn->pg = NULL;
        return ERR_STORE;
    }
    enum err_code code = conn_settings(conn, store->synchronous_full, err);
    if (code != ERR_OK) {
        conn_close(conn);
    }
    return code;
}

/* A connection the server dropped (restart, network) is opened again before a transaction:
 * its prepared statements went with the session. */
enum err_code pg_conn_ensure(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    if (PQstatus(conn->pg) == CONNECTION_OK) {
        return ERR_OK;
    }
    conn_forget_statements(conn);
    conn->pipeline = false; /* PQreset leaves pipeline mode with the old session */
    conn->begin_deferred = false;
    conn->pending_count = 0;
    PQreset(conn->pg);
    if (PQstatus(conn->pg) != CONNECTION_OK) {
        char message[200];
        message_tidy(PQerrorMessage(conn->pg), message, sizeof(message));
        return err_set(err, ERR_STORE, NULL, "store lost its PostgreSQL connection: %s", message);
    }
    return conn_settings(conn, conn->store->synchronous_full, err);
}

/* Checks the URL before connecting: libpq's parser, and a database name. */
static enum err_code store_url_check(const char *url, struct err *err)
{
    char *message = NULL;
    PQconninfoOption *options = PQconninfoParse(url, &message);
    if (options == NULL) {
        char tidy[200];
        message_tidy(message != NULL ? message : "out of memory", tidy, sizeof(tidy));
        PQfreemem(message);
        return err_set(err, ERR_INVALID, "db", "not a valid PostgreSQL URL: %s", tidy);
    }
    bool has_dbname = false;
    for (PQconninfoOption *option = options; option->keyword != NULL; option++) {
        if (strcmp(option->keyword, "dbname") == 0 && option->val != NULL &&
            option->val[0] != '\0') {
            has_dbname = true;
        }
    }
    PQconninfoFree(options);
    if (!has_dbname) {
        return err_set(err, ERR_INVALID, "db",
                       "the PostgreSQL URL names no database (postgresql://user@host:port/dbname)");
    }
    return ERR_OK;
}

static void store_free(struct store *store)
{
    ASSERT(store != NULL);
    pthread_cond_destroy(&store->released);
    pthread_mutex_destroy(&store->mutex);
    free(store->readers);
    free(store->url);
    free(store);
}

enum err_code pg_open(const struct store_options *options, struct store **out, struct err *err)
{
    ASSERT(options != NULL && options->path != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    enum err_code code = store_url_check(options->path, err);
    if (code != ERR_OK) {
        return code;
    }
    struct store *store = calloc(1, sizeof(*store));
    if (store == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory opening the store");
    }
    store->base.ops = &pg_ops;
    int readers_max = options->readers_max < 1 ? 1 : options->readers_max;
    store->readers_max = readers_max > STORE_PG_READERS_MAX ? STORE_PG_READERS_MAX : readers_max;
    store->synchronous_full = options->synchronous_full;
    const char *turns = getenv("ORDO_PG_WRITER_TURNS"); /* "0": for tests of the races */
    store->writer_turns = turns == NULL || strcmp(turns, "0") != 0;
    const char *pipeline = getenv("ORDO_PG_PIPELINE"); /* "0": one round trip a statement */
    store->pipeline = pipeline == NULL || strcmp(pipeline, "0") != 0;
    store->url = strdup(options->path);
    store->readers = calloc((size_t)store->readers_max, sizeof(*store->readers));
    pthread_mutex_init(&store->mutex, NULL);
    pthread_cond_init(&store->released, NULL);
    if (store->url == NULL || store->readers == NULL) {
        store_free(store);
        return err_set(err, ERR_INTERNAL, NULL, "out of memory opening the store");
    }
    code = conn_open(store, &store->writer, true, err);
    if (code != ERR_OK) {
        store_free(store);
        return code;
    }
    *out = store;
    return ERR_OK;
}

void pg_close(struct store *store)
{
    if (store == NULL) {
        return;
    }
    ASSERT(store->readers_open <= store->readers_max);
    for (int i = 0; i < store->readers_open; i++) {
        ASSERT(!store->readers[i].in_use); /* every reader was given back */
        conn_close(&store->readers[i]);
    }
    if (store->writer.pipeline_waits > 0) {
        log_info("store: the writer sent %" PRIu64 " statements in %" PRIu64 " round trips",
                 store->writer.pipeline_sent, store->writer.pipeline_waits);
    }
    conn_close(&store->writer);
    store_free(store);
}

struct store_conn *pg_writer_conn(struct store *store)
{
    ASSERT(store != NULL);
    ASSERT(store->writer.pg != NULL);
    return &store->writer;
}

enum err_code pg_reader_acquire(struct store *store, struct store_conn **out, struct err *err)
{
    ASSERT(store != NULL && out != NULL);
    enum err_code code = ERR_OK;
    *out = NULL;
    pthread_mutex_lock(&store->mutex);
    while (*out == NULL && code == ERR_OK) {
        for (int i = 0; i < store->readers_open && *out == NULL; i++) {
            if (!store->readers[i].in_use) {
                *out = &store->readers[i];
            }
        }
        if (*out == NULL && store->readers_open < store->readers_max) {
            /* Connecting under the lock is rare (once per slot) and keeps the pool simple. */
            struct store_conn *conn = &store->readers[store->readers_open];
            code = conn_open(store, conn, false, err);
            if (code == ERR_OK) {
                store->readers_open++;
                *out = conn;
            }
        } else if (*out == NULL) {
            pthread_cond_wait(&store->released, &store->mutex);
        }
    }
    if (*out != NULL) {
        (*out)->in_use = true;
    }
    pthread_mutex_unlock(&store->mutex);
    return code;
}

void pg_reader_release(struct store *store, struct store_conn *conn)
{
    ASSERT(store != NULL && conn != NULL);
    ASSERT(conn->store == store && !conn->is_writer);
    ASSERT(conn->in_use);
    if (PQstatus(conn->pg) == CONNECTION_OK && pg_in_transaction(conn)) {
        /* A snapshot left open would hold back vacuum; end it. */
        store_rollback(conn);
    }
    pthread_mutex_lock(&store->mutex);
    conn->in_use = false;
    pthread_cond_signal(&store->released);
    pthread_mutex_unlock(&store->mutex);
}

/* ---- transactions ---------------------------------------------------------------------- */

/* Reads see one snapshot, like SQLite's read transactions; READ ONLY lets PostgreSQL skip
 * the bookkeeping of writes. */

/*
 * Opens a transaction. libpq learns that the server dropped a connection (a restart, a
 * terminated backend) only when it next uses it; BEGIN changes nothing, so when it fails on a
 * connection that turned out dead it is sent once more on a new one.
 */
static enum err_code begin_run(struct store_conn *conn, const char *sql, struct err *err)
{
    enum err_code code = pg_conn_ensure(conn, err);
    if (code == ERR_OK) {
        ASSERT(!pg_in_transaction(conn)); /* no transaction open yet */
        code = run_simple(conn, sql, "begin", err);
    }
    if (code != ERR_OK && PQstatus(conn->pg) != CONNECTION_OK) {
        err_clear(err);
        code = pg_conn_ensure(conn, err);
        if (code == ERR_OK) {
            code = run_simple(conn, sql, "begin", err);
        }
    }
    return code;
}

/*
 * The key of the advisory lock that the group commits of all processes take in turns ("ordw").
 * A batch holds the rows its commands changed until it commits — the day's metrics counters that
 * every order adds to, the stock rows of its SKUs — and two batches of two processes take them
 * in different orders: without turns they deadlock, which PostgreSQL detects only after
 * deadlock_timeout (1 s) and then fails one of them. With turns, batches of several processes
 * follow one another as the batches of one process do (correctness never rests on it:
 * reservations stay conditional updates, keys stay unique constraints, and a race that still
 * happens is retried by the writer, src/app/writer.c). ORDO_PG_WRITER_TURNS=0 turns them off, so
 * that tests can make the races happen.
 */
#define STORE_PG_WRITER_LOCK "1869771383"

/* A write transaction without the pipeline (migrations run many statements at once). */
static enum err_code begin_write_plain(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    if (!conn->store->writer_turns) {
        return begin_run(conn, "BEGIN", err);
    }
    return begin_run(conn, "BEGIN; SELECT pg_advisory_xact_lock(" STORE_PG_WRITER_LOCK ")", err);
}

enum err_code pg_begin_write(struct store_conn *conn, struct err *err)
{
    enum err_code code = begin_write_plain(conn, err);
    if (code == ERR_OK && conn->store->pipeline) {
        pg_pipeline_enter(conn); /* pg_pipeline.c: the group commit's round trips */
    }
    /* A batch: the metrics counters' deltas wait for the commit (pg_metrics.c). */
    conn->batch_open = code == ERR_OK;
    batch_rows_step(conn, BATCH_ROWS_EMPTY);
    return code;
}

/*
 * A read snapshot's BEGIN is not sent alone: it goes with the transaction's first statement in
 * one round trip (pg_util.c, stmt_execute), and a transaction that ran nothing ends without a
 * word to the server. A dead connection is then found by that first statement, which connects
 * again and runs once more (nothing of the transaction happened yet).
 */
static enum err_code begin_read_deferred(struct store_conn *conn, struct err *err)
{
    enum err_code code = pg_conn_ensure(conn, err);
    if (code == ERR_OK) {
        ASSERT(!pg_in_transaction(conn)); /* no transaction open yet */
        conn->begin_deferred = true;
    }
    return code;
}

enum err_code pg_begin_read(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    return begin_read_deferred(conn, err);
}

enum err_code pg_commit(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(!conn->savepoint_open);
    pg_ahead_forget(conn); /* answers of this transaction's snapshot */
    if (conn->begin_deferred) {
        conn->begin_deferred = false; /* nothing ran: nothing to end */
        return ERR_OK;
    }
    enum err_code code = pg_routing_batch_flush(conn, err);
    if (code == ERR_OK) {
        code = pg_metrics_batch_flush(conn, err);
    }
    conn->batch_open = false;
    if (code == ERR_OK) {
        code = pg_pipeline_leave(conn, err);
    }
    if (code == ERR_OK) {
        code = run_simple(conn, "COMMIT", "commit", err);
    }
    if (code != ERR_OK) {
        /* Nothing of the batch is kept: the caller answers every command with the error. */
        store_rollback(conn);
    }
    return code;
}

void pg_rollback(struct store_conn *conn)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    conn->savepoint_open = false;
    conn->batch_open = false;
    batch_rows_step(conn, BATCH_ROWS_EMPTY);
    pg_ahead_forget(conn); /* answers of this transaction's snapshot */
    if (conn->begin_deferred) {
        conn->begin_deferred = false; /* nothing ran: nothing to end */
        return;
    }
    struct err ignored;
    err_clear(&ignored);
    if (pg_pipeline_leave(conn, &ignored) != ERR_OK) {
        err_clear(&ignored); /* what failed is rolled back with the rest */
    }
    pg_pipeline_forget(conn);
    if (PQstatus(conn->pg) != CONNECTION_OK || !pg_in_transaction(conn)) {
        return; /* nothing open (or the connection is gone, and the transaction with it) */
    }
    struct err err;
    err_clear(&err);
    if (run_simple(conn, "ROLLBACK", "rollback", &err) != ERR_OK) {
        /* Only possible when the connection is unusable; the next begin reports it. */
        return;
    }
    ASSERT(!pg_in_transaction(conn));
}

enum err_code pg_savepoint(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(!conn->savepoint_open); /* one level only */
    conn->retry = STORE_RETRY_NONE;
    enum err_code code = ERR_OK;
    if (conn->pipeline) {
        /* Nothing to wait for: a failure is the answer of the command's first wait. */
        pg_pipeline_forget(conn);
        code = pg_pipeline_send(conn, NULL, "SAVEPOINT command", "savepoint", err);
    } else {
        code = run_simple(conn, "SAVEPOINT command", "savepoint", err);
    }
    conn->savepoint_open = code == ERR_OK;
    batch_rows_step(conn, BATCH_ROWS_MARK); /* what a rollback of the command keeps */
    return code;
}

enum store_retry pg_retry_kind(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    return conn->retry;
}

/* With synchronous_commit=on the server flushes before COMMIT answers; off, never. */
bool pg_defer_sync(struct store *store)
{
    ASSERT(store != NULL);
    return false;
}

/* Every read of the writer connection is a round trip (and drains its pipeline). */
bool pg_writer_reads_wait(struct store *store)
{
    ASSERT(store != NULL);
    return true;
}

enum err_code pg_sync(struct store *store, struct err *err)
{
    ASSERT(store != NULL);
    UNUSED(err);
    return ERR_OK;
}

enum err_code pg_savepoint_release(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(conn->savepoint_open);
    enum err_code code = run_simple(conn, "RELEASE SAVEPOINT command", "savepoint release", err);
    if (code == ERR_OK) {
        conn->savepoint_open = false;
    }
    return code;
}

void pg_savepoint_rollback(struct store_conn *conn)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(conn->savepoint_open);
    if (PQstatus(conn->pg) != CONNECTION_OK) {
        /* The server ended the transaction with the connection: nothing of it can be
         * committed (the commit fails and every command of the batch is answered so). */
        conn->savepoint_open = false;
        return;
    }
    struct err err;
    err_clear(&err);
    /* Also what makes a transaction usable again after a failed statement. */
    if (conn->pipeline && conn->pending_count > 0) {
        /* The answers still due (a failure among them is moot: it is being rolled back). */
        if (pg_pipeline_wait(conn, NULL, 0, &err) != ERR_OK) {
            err_clear(&err);
        }
    }
    pg_pipeline_forget(conn);
    batch_rows_step(conn, BATCH_ROWS_UNDO); /* the command's counters' deltas go with it */
    enum err_code code =
        run_simple(conn, "ROLLBACK TO SAVEPOINT command", "savepoint rollback", &err);
    /*
     * If the failed command's writes cannot be undone, committing the batch would keep them:
     * crashing is the only safe answer (the batch is not committed, nothing was answered).
     */
    ASSERT(code == ERR_OK);
    code = run_simple(conn, "RELEASE SAVEPOINT command", "savepoint release", &err);
    ASSERT(code == ERR_OK);
    conn->savepoint_open = false;
}

enum err_code pg_snapshot_begin(struct store_conn *conn, bool *owned, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(owned != NULL);
    *owned = false;
    if (pg_in_transaction(conn)) {
        return ERR_OK;
    }
    enum err_code code = begin_read_deferred(conn, err);
    *owned = code == ERR_OK;
    return code;
}

/* The reads an order's capture is about to make, in one round trip (store.h). */
enum err_code pg_read_ahead(struct store_conn *conn, struct arena *arena,
                            const struct store_read_ahead *ahead, struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL && arena != NULL && ahead != NULL);
    if (conn->is_writer || !pg_in_transaction(conn)) {
        /* The writer's own writes would make a kept answer stale; outside a transaction each
         * read has a snapshot of its own. */
        return ERR_OK;
    }
    struct pg_query *stmts[4] = {0};
    size_t count = 0;
    enum err_code code = ERR_OK;
    if (ahead->channel != NULL && ahead->external_id != NULL) {
        code = pg_order_find_external_bind(conn, ahead->channel, ahead->external_id,
                                           &stmts[count++], err);
    }
    if (code == ERR_OK && ahead->customer_email != NULL) {
        code = pg_customer_brief_by_email_bind(conn, ahead->customer_email, &stmts[count++], err);
    }
    if (code == ERR_OK && ahead->product_count > 0) {
        code = pg_stock_by_products_bind(conn, arena, ahead->product_row_ids, ahead->product_count,
                                         &stmts[count++], err);
    }
    if (code == ERR_OK && ahead->shipments_since_asked) {
        code = pg_shipments_since_all_bind(conn, ahead->shipments_since_ms, &stmts[count++], err);
    }
    ASSERT(count <= ARRAY_LEN(stmts));
    if (code == ERR_OK && count > 0) {
        return pg_ahead_keep(conn, stmts, count, "read ahead", err);
    }
    for (size_t i = 0; i < count; i++) {
        if (stmts[i] != NULL) {
            pg_done(stmts[i]);
        }
    }
    return code;
}

void pg_snapshot_end(struct store_conn *conn, bool owned)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    if (!owned) {
        return;
    }
    /* A read-only transaction: ending it cannot lose anything, so a failure is moot. */
    store_rollback(conn);
}

/* ---- migrations -------------------------------------------------------------------------- */

static const struct pg_sql SQL_MIGRATION_LIST = {
    PGS_MIGRATION_LIST, "SELECT applied_at FROM schema_migrations WHERE version = $1"};
static const struct pg_sql SQL_MIGRATION_INSERT = {
    PGS_MIGRATION_INSERT,
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)"};

/*
 * Run before the migrations, in the transaction that holds the migration lock: the table of
 * applied versions, and migration_now_ms(), which reads the now_ms that the migrating
 * transaction sets (SQLite's runner registers a C function of that name instead).
 */
static const char STORE_PG_MIGRATION_SETUP[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY,"
    " name TEXT NOT NULL, applied_at BIGINT NOT NULL);"
    " CREATE OR REPLACE FUNCTION migration_now_ms() RETURNS bigint LANGUAGE sql STABLE AS"
    " $$SELECT current_setting('ordo.migration_now_ms')::bigint$$";

/* Whether one version is applied, and when. */
static enum err_code migration_applied(struct store_conn *conn, int version, bool *applied,
                                       int64_t *applied_at_ms, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_MIGRATION_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, version);
    bool has_row = false;
    code = pg_bind_check(conn, &bind, "migration", err);
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "migration", err);
    }
    *applied = has_row;
    *applied_at_ms = has_row ? pg_value_i64(stmt, 0) : 0;
    pg_done(stmt);
    return code;
}

static enum err_code migration_record(struct store_conn *conn,
                                      const struct store_migration_source *source, int64_t now_ms,
                                      struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_MIGRATION_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, source->version);
    pg_bind_text(&bind, source->name);
    pg_bind_i64(&bind, now_ms);
    code = pg_bind_check(conn, &bind, "migration", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "migration", err);
    }
    return code;
}

/* Opens a write transaction that holds the migration lock until it ends: a second process
 * starting at the same time waits here, then finds the migrations applied. */
static enum err_code migration_begin(struct store_conn *conn, int64_t now_ms, struct err *err)
{
    enum err_code code = begin_write_plain(conn, err);
    if (code == ERR_OK) {
        code = run_simple(conn, "SELECT pg_advisory_xact_lock(" STORE_PG_MIGRATION_LOCK ")",
                          "migration lock", err);
    }
    if (code == ERR_OK) {
        char sql[STORE_PG_SQL_BYTES_MAX];
        int n = snprintf(sql, sizeof(sql),
                         "SELECT set_config('ordo.migration_now_ms', '%" PRId64 "', true)", now_ms);
        ASSERT(n > 0 && (size_t)n < sizeof(sql));
        code = run_simple(conn, sql, "migration setup", err);
    }
    return code;
}

/* Applies one migration in its own transaction, unless another process already did. */
static enum err_code migration_apply(struct store_conn *conn,
                                     const struct store_migration_source *source, int64_t now_ms,
                                     struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(source != NULL && source->sql != NULL);
    enum err_code code = migration_begin(conn, now_ms, err);
    bool applied = false;
    int64_t applied_at_ms = 0;
    if (code == ERR_OK) {
        code = migration_applied(conn, source->version, &applied, &applied_at_ms, err);
    }
    if (code == ERR_OK && !applied) {
        PGresult *result = PQexec(conn->pg, source->sql);
        if (result == NULL || PQresultStatus(result) != PGRES_COMMAND_OK) {
            const char *message = result != NULL
                                      ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY)
                                      : PQerrorMessage(conn->pg);
            code = err_set(err, ERR_STORE, NULL, "migration %03d_%s failed: %s", source->version,
                           source->name, message != NULL ? message : "unknown error");
        }
        PQclear(result);
    }
    if (code == ERR_OK && !applied) {
        code = migration_record(conn, source, now_ms, err);
    }
    if (code == ERR_OK) {
        code = store_commit(conn, err);
    }
    if (code != ERR_OK) {
        store_rollback(conn);
    }
    return code;
}

enum err_code pg_migrate(struct store *store, int64_t now_ms, struct err *err)
{
    ASSERT(store != NULL);
    ASSERT(pg_migration_sources_count > 0);
    struct store_conn *conn = &store->writer;
    enum err_code code = migration_begin(conn, now_ms, err);
    if (code == ERR_OK) {
        code = run_simple(conn, STORE_PG_MIGRATION_SETUP, "migration table", err);
    }
    if (code == ERR_OK) {
        code = store_commit(conn, err);
    }
    if (code != ERR_OK) {
        store_rollback(conn);
        return code;
    }
    for (size_t i = 0; i < pg_migration_sources_count; i++) {
        const struct store_migration_source *source = &pg_migration_sources[i];
        /* numbered upwards (a number may be missing while a branch waits for its file) */
        ASSERT(source->version > (i == 0 ? 0 : pg_migration_sources[i - 1].version));
        code = migration_apply(conn, source, now_ms, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code migration_table_exists(struct store_conn *conn, bool *exists, struct err *err)
{
    PGresult *result = PQexec(conn->pg, "SELECT to_regclass('schema_migrations') IS NOT NULL");
    enum err_code code = ERR_OK;
    if (result == NULL || PQresultStatus(result) != PGRES_TUPLES_OK || PQntuples(result) != 1) {
        code = pg_fail(conn, result, "migration table", err);
        *exists = false;
    } else {
        *exists = strcmp(PQgetvalue(result, 0, 0), "t") == 0;
    }
    PQclear(result);
    return code;
}

enum err_code pg_migrations(struct store *store, struct arena *arena, struct store_migration **out,
                            size_t *count, struct err *err)
{
    ASSERT(store != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct store_conn *conn = &store->writer;
    *out = NULL;
    *count = 0;
    struct store_migration *items =
        ARENA_NEW_ARRAY(arena, struct store_migration, pg_migration_sources_count);
    if (items == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
    }
    bool exists = false;
    enum err_code code = pg_conn_ensure(conn, err);
    if (code == ERR_OK) {
        code = migration_table_exists(conn, &exists, err);
    }
    for (size_t i = 0; i < pg_migration_sources_count && code == ERR_OK; i++) {
        items[i].version = pg_migration_sources[i].version;
        items[i].name = pg_migration_sources[i].name;
        if (exists) {
            code = migration_applied(conn, items[i].version, &items[i].applied,
                                     &items[i].applied_at_ms, err);
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = items;
    *count = pg_migration_sources_count;
    return ERR_OK;
}
