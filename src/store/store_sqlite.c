/*
 * store_sqlite.c — the SQLite backend of store.h: connections (one writer, a lazy pool of
 * readers), transactions and savepoints, migrations. Plumbing is in sqlite_util.c; entities in
 * sqlite_records.c (channels, events, idempotency, keys), sqlite_catalog.c, sqlite_inventory.c
 * and sqlite_orders.c. Only these files include <sqlite3.h>; nothing here knows about HTTP.
 */
#include "store/store.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/log.h"
#include "store/migration.h"
#include "store/sqlite_int.h"

#define STORE_READERS_MAX      64
#define STORE_BUSY_TIMEOUT_MS  5000
#define STORE_WRITER_CACHE_KIB 16384 /* page cache of the writer connection */
#define STORE_READER_CACHE_KIB 2048  /* page cache of each reader connection */
/*
 * The writer runs every command in a savepoint; SQLite copies each page a command changes first
 * (4 KiB) into the statement journal, in case the savepoint is rolled back. With
 * temp_store=MEMORY that journal grows in chunks of ~1 KiB, 4-5 malloc() per page and ~40 per
 * order, all freed at each release. With temp_store=FILE it is kept in memory in chunks of its
 * spill size (this), one malloc() per command, and written to a temporary file only past it.
 */
#define STORE_STMT_JOURNAL_BYTES (4 << 20)
#define STORE_PRAGMAS_BYTES_MAX  512

/* Transaction control; the savepoint has one fixed name (one level per command). */
static const struct sq_sql SQL_BEGIN_IMMEDIATE = {SQ_BEGIN_IMMEDIATE, "BEGIN IMMEDIATE"};
static const struct sq_sql SQL_BEGIN_DEFERRED = {SQ_BEGIN_DEFERRED, "BEGIN"};
static const struct sq_sql SQL_COMMIT = {SQ_COMMIT, "COMMIT"};
static const struct sq_sql SQL_ROLLBACK = {SQ_ROLLBACK, "ROLLBACK"};
static const struct sq_sql SQL_SAVEPOINT = {SQ_SAVEPOINT, "SAVEPOINT command"};
static const struct sq_sql SQL_SAVEPOINT_RELEASE = {SQ_SAVEPOINT_RELEASE, "RELEASE command"};
static const struct sq_sql SQL_SAVEPOINT_ROLLBACK = {SQ_SAVEPOINT_ROLLBACK, "ROLLBACK TO command"};

/* Runs a cached statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT ...). */
static enum err_code run_simple(struct store_conn *conn, const struct sq_sql *sql, const char *what,
                                struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_step_done(conn, stmt, what, err);
    sq_done(stmt);
    return code;
}

/* ---- connections --------------------------------------------------------------------------- */

static enum err_code conn_pragmas(struct store_conn *conn, bool synchronous_full, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    char sql[STORE_PRAGMAS_BYTES_MAX];
    /* secure_delete: Debian builds SQLite with it on, so every deleted cell (an UPDATE of a
     * WITHOUT ROWID row deletes its old cell) is zeroed; Ordo deletes nothing secret (tokens
     * and keys are stored hashed), so SQLite's own default, off, saves the writer the work. */
    int n = snprintf(sql, sizeof(sql),
                     "PRAGMA synchronous=%s; PRAGMA foreign_keys=ON; PRAGMA cache_size=-%d;"
                     " PRAGMA temp_store=%s; PRAGMA query_only=%s; PRAGMA secure_delete=OFF;",
                     synchronous_full ? "FULL" : "NORMAL",
                     conn->is_writer ? STORE_WRITER_CACHE_KIB : STORE_READER_CACHE_KIB,
                     conn->is_writer ? "FILE" : "MEMORY", conn->is_writer ? "OFF" : "ON");
    ASSERT(n > 0 && (size_t)n < sizeof(sql));
    char *message = NULL;
    int rc = sqlite3_exec(conn->db, sql, NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        err_set(err, ERR_STORE, NULL, "store could not configure the connection: %s",
                message != NULL ? message : sqlite3_errstr(rc));
        sqlite3_free(message);
        return ERR_STORE;
    }
    return ERR_OK;
}

/* WAL is a property of the file; the writer sets it and checks that it took. */
static enum err_code conn_wal(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v2(conn->db, "PRAGMA journal_mode=WAL", -1, &stmt, NULL);
    if (rc != SQLITE_OK) {
        return sq_fail(conn, rc, "journal mode", err);
    }
    enum err_code code = ERR_OK;
    rc = sqlite3_step(stmt);
    const unsigned char *mode = rc == SQLITE_ROW ? sqlite3_column_text(stmt, 0) : NULL;
    if (rc != SQLITE_ROW) {
        code = sq_fail(conn, rc, "journal mode", err);
    } else if (mode == NULL || strcmp((const char *)mode, "wal") != 0) {
        code = err_set(err, ERR_STORE, NULL, "store could not switch the database to WAL mode");
    }
    sqlite3_finalize(stmt);
    return code;
}

static void conn_close(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    if (conn->db == NULL) {
        return;
    }
    for (size_t i = 0; i < ARRAY_LEN(conn->stmts); i++) {
        if (conn->stmts[i] != NULL) {
            sqlite3_finalize(conn->stmts[i]);
            conn->stmts[i] = NULL;
            conn->texts[i] = NULL;
        }
    }
    int rc = sqlite3_close(conn->db);
    ASSERT(rc == SQLITE_OK); /* every statement was finalized above */
    conn->db = NULL;
}

static enum err_code conn_open(struct store *store, struct store_conn *conn, bool is_writer,
                               struct err *err)
{
    ASSERT(store != NULL && conn != NULL);
    ASSERT(conn->db == NULL);
    memset(conn, 0, sizeof(*conn));
    conn->base.ops = &sqlite_ops;
    conn->store = store;
    conn->is_writer = is_writer;
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(store->path, &conn->db, flags, is_writer ? sqlite_walbuf_vfs() : NULL);
    if (rc != SQLITE_OK) {
        err_set(err, ERR_STORE, NULL, "store could not open %s: %s", store->path,
                conn->db != NULL ? sqlite3_errmsg(conn->db) : sqlite3_errstr(rc));
        sqlite3_close(conn->db);
        conn->db = NULL;
        return ERR_STORE;
    }
    sqlite3_extended_result_codes(conn->db, 1);
    sqlite3_busy_timeout(conn->db, STORE_BUSY_TIMEOUT_MS);
    enum err_code code = is_writer ? conn_wal(conn, err) : ERR_OK;
    if (code == ERR_OK) {
        code = conn_pragmas(conn, store->synchronous_full, err);
    }
    if (code != ERR_OK) {
        conn_close(conn);
    }
    return code;
}

/* Pages in the WAL after which the checkpointer copies it back into the database. */
#define STORE_CHECKPOINT_PAGES 1000

/*
 * Pages in the WAL after which the writer helps it restart from its start. SQLite restarts the
 * WAL when a write begins with every frame copied back and no reader left in it; under a
 * steady stream of commits the checkpointer never catches up with the writer, and the WAL
 * would grow without end (every frame a newly allocated block, the file's size changing at
 * every flush). So once it is this large, the writer copies the last frames itself before it
 * begins a batch, until a write finds the WAL caught up and starts it over.
 */
#define STORE_WAL_RESTART_PAGES 8192

/* Called by SQLite after each commit of the writer: wakes the checkpointer when due. */
static int store_wal_hook(void *arg, sqlite3 *db, const char *name, int pages)
{
    struct store *store = arg;
    UNUSED(db);
    UNUSED(name);
    store->wal_restart_due = pages >= STORE_WAL_RESTART_PAGES;
    if (pages >= STORE_CHECKPOINT_PAGES) {
        pthread_mutex_lock(&store->checkpoint_mutex);
        store->checkpoint_wal_pages = pages;
        pthread_cond_signal(&store->checkpoint_wake);
        pthread_mutex_unlock(&store->checkpoint_mutex);
    }
    return SQLITE_OK;
}

/* How long the checkpointer waits before it tries again a pass that could not copy every
 * frame (a reader was still on an older snapshot) when no commit wakes it meanwhile. */
#define STORE_CHECKPOINT_RETRY_MS 20

/* Waits for the writer's wake-up, or (behind) at most STORE_CHECKPOINT_RETRY_MS. */
static void store_checkpoint_wait(struct store *store, bool behind)
{
    struct timespec until;
    if (behind) {
        clock_gettime(CLOCK_REALTIME, &until); /* the condition variable's clock */
        until.tv_nsec += (long)STORE_CHECKPOINT_RETRY_MS * 1000000L;
        until.tv_sec += until.tv_nsec / 1000000000L;
        until.tv_nsec %= 1000000000L;
    }
    while (store->checkpoint_wal_pages < STORE_CHECKPOINT_PAGES && !store->checkpoint_stop) {
        if (!behind) {
            pthread_cond_wait(&store->checkpoint_wake, &store->checkpoint_mutex);
        } else if (pthread_cond_timedwait(&store->checkpoint_wake, &store->checkpoint_mutex,
                                          &until) == ETIMEDOUT) {
            return;
        }
    }
}

/*
 * The checkpointer: a PASSIVE checkpoint whenever the writer says the WAL holds
 * STORE_CHECKPOINT_PAGES. A pass that could not copy every frame is tried again shortly even
 * without another commit: when the writes stop (a burst ends, only reads follow) nothing else
 * would copy the rest, and every read would keep looking its pages up in a long WAL.
 */
static void *store_checkpoint_main(void *arg)
{
    struct store *store = arg;
    bool behind = false;
    pthread_mutex_lock(&store->checkpoint_mutex);
    for (;;) {
        store_checkpoint_wait(store, behind);
        if (store->checkpoint_stop) {
            break;
        }
        store->checkpoint_wal_pages = 0;
        pthread_mutex_unlock(&store->checkpoint_mutex);
        /* PASSIVE never blocks the writer or readers; frames it cannot copy yet are copied
         * next time, and the WAL restarts from its start once all were copied. */
        int wal_frames = 0;
        int copied_frames = 0;
        int rc = sqlite3_wal_checkpoint_v2(store->checkpoint_db, NULL, SQLITE_CHECKPOINT_PASSIVE,
                                           &wal_frames, &copied_frames);
        if (rc != SQLITE_OK && rc != SQLITE_BUSY) {
            log_warn("store: checkpoint failed: %s", sqlite3_errmsg(store->checkpoint_db));
        }
        behind = rc == SQLITE_BUSY || (rc == SQLITE_OK && copied_frames < wal_frames);
        pthread_mutex_lock(&store->checkpoint_mutex);
    }
    pthread_mutex_unlock(&store->checkpoint_mutex);
    return NULL;
}

/* Turns the writer's own checkpoints off and starts the checkpointer thread. */
static enum err_code store_checkpointer_start(struct store *store, struct err *err)
{
    ASSERT(store != NULL && store->writer.db != NULL);
    ASSERT(!store->checkpoint_running);
    int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
    int rc = sqlite3_open_v2(store->path, &store->checkpoint_db, flags, NULL);
    if (rc == SQLITE_OK) {
        rc = sqlite3_busy_timeout(store->checkpoint_db, STORE_BUSY_TIMEOUT_MS);
    }
    if (rc == SQLITE_OK) {
        /* A connection checkpoints only once it has read the database and so opened the WAL:
         * until then sqlite3_wal_checkpoint_v2() does nothing and says nothing. */
        rc = sqlite3_exec(store->checkpoint_db, "PRAGMA journal_mode=WAL", NULL, NULL, NULL);
    }
    if (rc != SQLITE_OK) {
        return err_set(err, ERR_STORE, NULL, "store cannot open the checkpoint connection: %s",
                       sqlite3_errstr(rc));
    }
    if (pthread_create(&store->checkpoint_thread, NULL, store_checkpoint_main, store) != 0) {
        return err_set(err, ERR_INTERNAL, NULL, "store cannot start the checkpoint thread");
    }
    pthread_setname_np(store->checkpoint_thread, "ordo-checkpoint");
    store->checkpoint_running = true;
    /* Setting a WAL hook replaces SQLite's automatic checkpoint on the writer. */
    (void)sqlite3_wal_hook(store->writer.db, store_wal_hook, store);
    return ERR_OK;
}

static void store_checkpointer_stop(struct store *store)
{
    ASSERT(store != NULL);
    if (store->checkpoint_running) {
        pthread_mutex_lock(&store->checkpoint_mutex);
        store->checkpoint_stop = true;
        pthread_cond_signal(&store->checkpoint_wake);
        pthread_mutex_unlock(&store->checkpoint_mutex);
        pthread_join(store->checkpoint_thread, NULL);
        store->checkpoint_running = false;
        if (store->writer.db != NULL) {
            (void)sqlite3_wal_hook(store->writer.db, NULL, NULL);
        }
    }
    if (store->checkpoint_db != NULL) {
        (void)sqlite3_close(store->checkpoint_db);
        store->checkpoint_db = NULL;
    }
}

static void store_free(struct store *store)
{
    ASSERT(store != NULL);
    if (store->wal_fd >= 0) {
        (void)close(store->wal_fd);
    }
    pthread_cond_destroy(&store->checkpoint_wake);
    pthread_mutex_destroy(&store->checkpoint_mutex);
    pthread_cond_destroy(&store->released);
    pthread_mutex_destroy(&store->mutex);
    free(store->readers);
    free(store->path);
    free(store);
}

enum err_code sqlite_open(const struct store_options *options, struct store **out, struct err *err)
{
    ASSERT(options != NULL && options->path != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    struct store *store = calloc(1, sizeof(*store));
    if (store == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory opening the store");
    }
    store->base.ops = &sqlite_ops;
    int readers_max = options->readers_max < 1 ? 1 : options->readers_max;
    store->readers_max = readers_max > STORE_READERS_MAX ? STORE_READERS_MAX : readers_max;
    store->synchronous_full = options->synchronous_full;
    store->wal_fd = -1;
    store->path = strdup(options->path);
    store->readers = calloc((size_t)store->readers_max, sizeof(*store->readers));
    pthread_mutex_init(&store->mutex, NULL);
    pthread_cond_init(&store->released, NULL);
    pthread_mutex_init(&store->checkpoint_mutex, NULL);
    pthread_cond_init(&store->checkpoint_wake, NULL);
    /* SQLite's memory statistics take a global mutex on every allocation, which the writer
     * and every reader would fight over; Ordo never reads them. Only possible before SQLite
     * initialises, so a second store in one process keeps whatever the first set. */
    (void)sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    (void)sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, STORE_STMT_JOURNAL_BYTES);
    if (store->path == NULL || store->readers == NULL) {
        store_free(store);
        return err_set(err, ERR_INTERNAL, NULL, "out of memory opening the store");
    }
    enum err_code code = conn_open(store, &store->writer, true, err);
    if (code == ERR_OK) {
        code = store_checkpointer_start(store, err);
        if (code != ERR_OK) {
            store_checkpointer_stop(store);
            conn_close(&store->writer);
        }
    }
    if (code != ERR_OK) {
        store_free(store);
        return code;
    }
    *out = store;
    return ERR_OK;
}

void sqlite_close(struct store *store)
{
    if (store == NULL) {
        return;
    }
    ASSERT(store->readers_open <= store->readers_max);
    store_checkpointer_stop(store);
    for (int i = 0; i < store->readers_open; i++) {
        ASSERT(!store->readers[i].in_use); /* every reader was given back */
        conn_close(&store->readers[i]);
    }
    /* The writer closes last, so it is the one that checkpoints and removes the WAL. */
    conn_close(&store->writer);
    store_free(store);
}

struct store_conn *sqlite_writer_conn(struct store *store)
{
    ASSERT(store != NULL);
    ASSERT(store->writer.db != NULL);
    return &store->writer;
}

enum err_code sqlite_reader_acquire(struct store *store, struct store_conn **out, struct err *err)
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
            /* Opening under the lock is rare (once per slot) and keeps the pool simple. */
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

void sqlite_reader_release(struct store *store, struct store_conn *conn)
{
    ASSERT(store != NULL && conn != NULL);
    ASSERT(conn->store == store && !conn->is_writer);
    ASSERT(conn->in_use);
    if (!sqlite3_get_autocommit(conn->db)) {
        /* A read transaction left open would pin the WAL; end it. */
        store_rollback(conn);
    }
    pthread_mutex_lock(&store->mutex);
    conn->in_use = false;
    pthread_cond_signal(&store->released);
    pthread_mutex_unlock(&store->mutex);
}

/* ---- transactions ---------------------------------------------------------------------- */

/* The writer reads its own page cache, which its commits do not empty. */
bool sqlite_writer_reads_wait(struct store *store)
{
    ASSERT(store != NULL);
    return false;
}

/* A read is a function call into SQLite's pages: nothing to save by reading ahead. */
enum err_code sqlite_read_ahead(struct store_conn *conn, struct arena *arena,
                                const struct store_read_ahead *ahead, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && ahead != NULL);
    UNUSED(err);
    return ERR_OK;
}

/*
 * With synchronous=NORMAL a WAL commit is written but not flushed, and SQLite stays consistent
 * after a power cut (the WAL's checksums end it at the last whole commit; checkpoints still
 * flush the WAL before copying it and the database after). fdatasync() of the WAL then makes
 * every commit written before it durable: the same guarantee as FULL, paid once for all the
 * batches committed meanwhile, and off the writer's thread.
 */
bool sqlite_defer_sync(struct store *store)
{
    ASSERT(store != NULL && store->writer.db != NULL);
    if (!store->synchronous_full || store->sync_deferred) {
        return store->sync_deferred;
    }
    char *message = NULL;
    int rc = sqlite3_exec(store->writer.db, "PRAGMA synchronous=NORMAL", NULL, NULL, &message);
    if (rc != SQLITE_OK) {
        log_warn("store: commits stay flushed at COMMIT: %s",
                 message != NULL ? message : sqlite3_errstr(rc));
        sqlite3_free(message);
        return false;
    }
    store->sync_deferred = true;
    return true;
}

/* The WAL file of the database, opened once; again when SQLite removed it meanwhile. */
static enum err_code store_wal_fd(struct store *store, struct err *err)
{
    struct stat st;
    if (store->wal_fd >= 0 && (fstat(store->wal_fd, &st) != 0 || st.st_nlink == 0)) {
        (void)close(store->wal_fd);
        store->wal_fd = -1;
    }
    if (store->wal_fd >= 0) {
        return ERR_OK;
    }
    char path[PATH_MAX];
    int n = snprintf(path, sizeof(path), "%s-wal", store->path);
    if (n < 0 || (size_t)n >= sizeof(path)) {
        return err_set(err, ERR_STORE, NULL, "store: the WAL path of %s is too long", store->path);
    }
    store->wal_fd = open(path, O_RDONLY | O_CLOEXEC);
    if (store->wal_fd < 0) {
        return err_set(err, ERR_STORE, NULL, "store cannot open %s to flush it: %s", path,
                       strerror(errno));
    }
    return ERR_OK;
}

enum err_code sqlite_sync(struct store *store, struct err *err)
{
    ASSERT(store != NULL);
    if (!store->sync_deferred) {
        return ERR_OK;
    }
    enum err_code code = store_wal_fd(store, err);
    if (code == ERR_OK && fdatasync(store->wal_fd) != 0) {
        code = err_set(err, ERR_STORE, NULL, "store could not flush the WAL to disk: %s",
                       strerror(errno));
    }
    return code;
}

enum err_code sqlite_begin_write(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(sqlite3_get_autocommit(conn->db)); /* no transaction open yet */
    if (conn->store->wal_restart_due) {
        /* Busy when the checkpointer is copying: the next batch tries again. */
        (void)sqlite3_wal_checkpoint_v2(conn->db, NULL, SQLITE_CHECKPOINT_PASSIVE, NULL, NULL);
    }
    return run_simple(conn, &SQL_BEGIN_IMMEDIATE, "begin", err);
}

enum err_code sqlite_begin_read(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(sqlite3_get_autocommit(conn->db));
    return run_simple(conn, &SQL_BEGIN_DEFERRED, "begin", err);
}

enum err_code sqlite_commit(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(!conn->savepoint_open);
    enum err_code code = run_simple(conn, &SQL_COMMIT, "commit", err);
    if (code != ERR_OK) {
        /* Nothing of the batch is kept: the caller answers every command with the error. */
        store_rollback(conn);
    }
    return code;
}

void sqlite_rollback(struct store_conn *conn)
{
    ASSERT(conn != NULL && conn->db != NULL);
    conn->savepoint_open = false;
    if (sqlite3_get_autocommit(conn->db)) {
        return; /* nothing open (SQLite may already have rolled back after an error) */
    }
    struct err err;
    err_clear(&err);
    if (run_simple(conn, &SQL_ROLLBACK, "rollback", &err) != ERR_OK) {
        /* Only possible when the connection is unusable; the next begin reports it. */
        return;
    }
    ASSERT(sqlite3_get_autocommit(conn->db));
}

enum store_retry sqlite_retry_kind(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    return STORE_RETRY_NONE; /* one writer: no other transaction takes a key or deadlocks */
}

enum err_code sqlite_savepoint(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(!conn->savepoint_open); /* one level only */
    enum err_code code = run_simple(conn, &SQL_SAVEPOINT, "savepoint", err);
    conn->savepoint_open = code == ERR_OK;
    return code;
}

enum err_code sqlite_savepoint_release(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(conn->savepoint_open);
    enum err_code code = run_simple(conn, &SQL_SAVEPOINT_RELEASE, "savepoint release", err);
    if (code == ERR_OK) {
        conn->savepoint_open = false;
    }
    return code;
}

void sqlite_savepoint_rollback(struct store_conn *conn)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(conn->savepoint_open);
    struct err err;
    err_clear(&err);
    enum err_code code = run_simple(conn, &SQL_SAVEPOINT_ROLLBACK, "savepoint rollback", &err);
    /*
     * If the failed command's writes cannot be undone, committing the batch would keep them:
     * crashing is the only safe answer (the batch is not committed, nothing was answered).
     */
    ASSERT(code == ERR_OK);
    code = run_simple(conn, &SQL_SAVEPOINT_RELEASE, "savepoint release", &err);
    ASSERT(code == ERR_OK);
    conn->savepoint_open = false;
}

enum err_code sq_snapshot_begin(struct store_conn *conn, bool *owned, struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(owned != NULL);
    *owned = false;
    if (!sqlite3_get_autocommit(conn->db)) {
        return ERR_OK;
    }
    enum err_code code = run_simple(conn, &SQL_BEGIN_DEFERRED, "begin", err);
    *owned = code == ERR_OK;
    return code;
}

void sq_snapshot_end(struct store_conn *conn, bool owned)
{
    ASSERT(conn != NULL && conn->db != NULL);
    if (!owned) {
        return;
    }
    /* A read-only transaction: ending it cannot lose anything, so a failure is moot. */
    store_rollback(conn);
}

/* ---- migrations -------------------------------------------------------------------------- */

static void migration_now_fn(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    UNUSED(argc);
    UNUSED(argv);
    const struct store *store = sqlite3_user_data(context);
    sqlite3_result_int64(context, store->migration_now_ms);
}

static const struct sq_sql SQL_MIGRATION_TABLE_EXISTS = {
    SQ_MIGRATION_TABLE_EXISTS,
    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'"};
static const struct sq_sql SQL_MIGRATION_LIST = {
    SQ_MIGRATION_LIST, "SELECT applied_at FROM schema_migrations WHERE version = ?1"};
static const struct sq_sql SQL_MIGRATION_INSERT = {
    SQ_MIGRATION_INSERT,
    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)"};

/* Whether one version is applied, and when. */
static enum err_code migration_applied(struct store_conn *conn, int version, bool *applied,
                                       int64_t *applied_at_ms, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_MIGRATION_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, version);
    bool has_row = false;
    code = sq_bind_check(conn, &bind, "migration", err);
    if (code == ERR_OK) {
        code = sq_step_row(conn, stmt, &has_row, "migration", err);
    }
    *applied = has_row;
    *applied_at_ms = has_row ? sqlite3_column_int64(stmt, 0) : 0;
    sq_done(stmt);
    return code;
}

static enum err_code migration_record(struct store_conn *conn,
                                      const struct store_migration_source *source, int64_t now_ms,
                                      struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_MIGRATION_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, source->version);
    sq_bind_text(&bind, source->name);
    sq_bind_i64(&bind, now_ms);
    code = sq_bind_check(conn, &bind, "migration", err);
    if (code == ERR_OK) {
        code = sq_step_done(conn, stmt, "migration", err);
    }
    sq_done(stmt);
    return code;
}

/* Applies one migration in its own transaction, unless another process already did. */
static enum err_code migration_apply(struct store_conn *conn,
                                     const struct store_migration_source *source, int64_t now_ms,
                                     struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(source != NULL && source->sql != NULL);
    enum err_code code = store_begin_write(conn, err);
    if (code != ERR_OK) {
        return code;
    }
    bool applied = false;
    int64_t applied_at_ms = 0;
    code = migration_applied(conn, source->version, &applied, &applied_at_ms, err);
    if (code == ERR_OK && !applied) {
        char *message = NULL;
        int rc = sqlite3_exec(conn->db, source->sql, NULL, NULL, &message);
        if (rc != SQLITE_OK) {
            code = err_set(err, ERR_STORE, NULL, "migration %03d_%s failed: %s", source->version,
                           source->name, message != NULL ? message : sqlite3_errstr(rc));
        }
        sqlite3_free(message);
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

enum err_code sqlite_migrate(struct store *store, int64_t now_ms, struct err *err)
{
    ASSERT(store != NULL);
    ASSERT(sqlite_migration_sources_count > 0);
    struct store_conn *conn = &store->writer;
    store->migration_now_ms = now_ms;
    int rc = sqlite3_create_function_v2(conn->db, "migration_now_ms", 0, SQLITE_UTF8, store,
                                        migration_now_fn, NULL, NULL, NULL);
    if (rc != SQLITE_OK) {
        return sq_fail(conn, rc, "migration setup", err);
    }
    char *message = NULL;
    rc = sqlite3_exec(conn->db,
                      "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                      " name TEXT NOT NULL, applied_at INTEGER NOT NULL)",
                      NULL, NULL, &message);
    sqlite3_free(message);
    if (rc != SQLITE_OK) {
        return sq_fail(conn, rc, "migration table", err);
    }
    for (size_t i = 0; i < sqlite_migration_sources_count; i++) {
        const struct store_migration_source *source = &sqlite_migration_sources[i];
        /* numbered upwards (a number may be missing while a branch waits for its file) */
        ASSERT(source->version > (i == 0 ? 0 : sqlite_migration_sources[i - 1].version));
        enum err_code code = migration_apply(conn, source, now_ms, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code migration_table_exists(struct store_conn *conn, bool *exists, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_MIGRATION_TABLE_EXISTS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, "migration table", err);
    *exists = has_row && sqlite3_column_int64(stmt, 0) > 0;
    sq_done(stmt);
    return code;
}

enum err_code sqlite_migrations(struct store *store, struct arena *arena,
                                struct store_migration **out, size_t *count, struct err *err)
{
    ASSERT(store != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct store_conn *conn = &store->writer;
    *out = NULL;
    *count = 0;
    struct store_migration *items =
        ARENA_NEW_ARRAY(arena, struct store_migration, sqlite_migration_sources_count);
    if (items == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
    }
    bool exists = false;
    enum err_code code = migration_table_exists(conn, &exists, err);
    for (size_t i = 0; i < sqlite_migration_sources_count && code == ERR_OK; i++) {
        items[i].version = sqlite_migration_sources[i].version;
        items[i].name = sqlite_migration_sources[i].name;
        if (exists) {
            code = migration_applied(conn, items[i].version, &items[i].applied,
                                     &items[i].applied_at_ms, err);
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = items;
    *count = sqlite_migration_sources_count;
    return ERR_OK;
}
