/*
 * pg_util.c — the PostgreSQL backend's plumbing, as sqlite_util.c: the per-connection statement
 * cache (PQprepare on first use), the mapping of SQLSTATEs to enum err_code, and helpers that
 * bind parameters as text and read text columns in order. No SQL of its own.
 */
#include "store/pg_int.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "store/batch.h"

/* The SQLSTATEs Ordo tells apart (PostgreSQL's Appendix A). */
#define PG_UNIQUE_VIOLATION      "23505"
#define PG_FOREIGN_KEY_VIOLATION "23503"
#define PG_SERIALIZATION_FAILURE "40001"
#define PG_DEADLOCK_DETECTED     "40P01"
/* The unique key of an order's (channel, external_id) (migrations/pg/001_init.sql). */
#define PG_ORDER_EXTERNAL_ID_KEY "orders_channel_external_id_key"
/* ordo_require()'s failure (migrations/pg/014_pipeline_checks.sql): a condition did not hold. */
#define PG_ORDO_REQUIRE "OR001"

/* As stmt_prepare, in the writer's pipeline: both requests are sent, then both answers read. */
static enum err_code stmt_prepare_pipelined(struct store_conn *conn, struct pg_query *stmt,
                                            const char *name, struct err *err)
{
    if (PQsendPrepare(conn->pg, name, stmt->text, 0, NULL) != 1) {
        return pg_fail(conn, NULL, "a statement's preparation", err);
    }
    int n =
        snprintf(conn->pending_what[conn->pending_count++], PG_WHAT_BYTES, "statement %s", name);
    ASSERT(n > 0);
    if (PQsendDescribePrepared(conn->pg, name) != 1) {
        return pg_fail(conn, NULL, "a statement's description", err);
    }
    n = snprintf(conn->pending_what[conn->pending_count++], PG_WHAT_BYTES, "statement %s", name);
    ASSERT(n > 0);
    PGresult *answers[2];
    enum err_code code = pg_pipeline_wait(conn, answers, 2, err);
    if (code == ERR_OK) {
        stmt->params_expected = PQnparams(answers[1]);
        ASSERT(stmt->params_expected <= PG_PARAMS_MAX);
        stmt->prepared = true;
    }
    PQclear(answers[0]);
    PQclear(answers[1]);
    return code;
}

/* Prepares the statement on the server and learns how many parameters it takes. */
static enum err_code stmt_prepare(struct store_conn *conn, struct pg_query *stmt, struct err *err)
{
    const char *name = stmt->name;
    if (conn->pipeline) {
        if (conn->pending_count + 2 > PG_PENDING_MAX) {
            enum err_code code = pg_pipeline_wait(conn, NULL, 0, err);
            if (code != ERR_OK) {
                return code;
            }
        }
        return stmt_prepare_pipelined(conn, stmt, name, err);
    }
    PGresult *result = PQprepare(conn->pg, name, stmt->text, 0, NULL);
    if (result == NULL || PQresultStatus(result) != PGRES_COMMAND_OK) {
        char what[64];
        int n = snprintf(what, sizeof(what), "the preparation of statement %s", name);
        ASSERT(n > 0 && (size_t)n < sizeof(what));
        enum err_code code = pg_fail(conn, result, what, err);
        PQclear(result);
        return code;
    }
    PQclear(result);
    result = PQdescribePrepared(conn->pg, name);
    if (result == NULL || PQresultStatus(result) != PGRES_COMMAND_OK) {
        enum err_code code = pg_fail(conn, result, "a statement's description", err);
        PQclear(result);
        return code;
    }
    stmt->params_expected = PQnparams(result);
    PQclear(result);
    ASSERT(stmt->params_expected <= PG_PARAMS_MAX);
    stmt->prepared = true;
    return ERR_OK;
}

int pg_query_send(struct store_conn *conn, const struct pg_query *stmt)
{
    ASSERT(conn != NULL && stmt != NULL && stmt->prepared);
    return PQsendQueryPrepared(conn->pg, stmt->name, stmt->params_expected, stmt->values,
                               stmt->lengths, stmt->formats, 0);
}

enum err_code pg_stmt(struct store_conn *conn, const struct pg_sql *sql, struct pg_query **out,
                      struct err *err)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    ASSERT(sql != NULL && (int)sql->id >= 0 && sql->id < PGS_STMT_COUNT);
    struct pg_query *stmt = conn->stmts[sql->id];
    if (stmt == NULL) {
        stmt = calloc(1, sizeof(*stmt));
        if (stmt == NULL) {
            return err_set(err, ERR_INTERNAL, NULL, "out of memory preparing a statement");
        }
        stmt->conn = conn;
        stmt->id = sql->id;
        int n = snprintf(stmt->name, sizeof(stmt->name), "ordo_%d", (int)sql->id);
        ASSERT(n > 0 && (size_t)n < sizeof(stmt->name));
        stmt->text = sql->text;
        conn->stmts[sql->id] = stmt;
    }
    ASSERT(stmt->text == sql->text); /* one id, one statement text */
    ASSERT(stmt->result == NULL);    /* the previous use was finished */
    if (!stmt->prepared) {
        enum err_code code = stmt_prepare(conn, stmt, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    stmt->row = -1;
    *out = stmt;
    return ERR_OK;
}

void pg_done(struct pg_query *stmt)
{
    ASSERT(stmt != NULL);
    PQclear(stmt->result);
    stmt->result = NULL;
    stmt->row = -1;
}

/* PostgreSQL's primary message (or libpq's) on one line, for err. */
static const char *fail_message(struct store_conn *conn, const PGresult *result, char *out,
                                size_t out_size)
{
    const char *message =
        result != NULL ? PQresultErrorField(result, PG_DIAG_MESSAGE_PRIMARY) : NULL;
    if (message == NULL) {
        message = PQerrorMessage(conn->pg);
    }
    int n = snprintf(out, out_size, "%s", message != NULL ? message : "unknown error");
    size_t len = n < 0 ? 0 : strlen(out);
    for (size_t i = 0; i < len; i++) {
        if (out[i] == '\n' || out[i] == '\t') {
            out[i] = ' '; /* one line in the log */
        }
    }
    while (len > 0 && out[len - 1] == ' ') {
        out[--len] = '\0';
    }
    return out;
}

enum err_code pg_fail(struct store_conn *conn, const PGresult *result, const char *what,
                      struct err *err)
{
    ASSERT(conn != NULL && what != NULL);
    char message[160];
    const char *state = result != NULL ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : NULL;
    const char *constraint =
        result != NULL ? PQresultErrorField(result, PG_DIAG_CONSTRAINT_NAME) : NULL;
    if (state != NULL && strcmp(state, PG_UNIQUE_VIOLATION) == 0 && constraint != NULL &&
        strcmp(constraint, PG_ORDER_EXTERNAL_ID_KEY) == 0) {
        /* Another order has this (channel, external_id): a duplicate, which running the command
         * again cannot change (the capture answers with that order). */
        return err_set(err, ERR_CONFLICT, "external_id", "%s already exists", what);
    }
    if (state != NULL && strcmp(state, PG_UNIQUE_VIOLATION) == 0) {
        if (conn->retry == STORE_RETRY_NONE) {
            conn->retry = STORE_RETRY_UNIQUE;
        }
        return err_set(err, ERR_CONFLICT, NULL, "%s already exists", what);
    }
    if (state != NULL && strcmp(state, PG_ORDO_REQUIRE) == 0) {
        return err_set(err, ERR_STOCK, NULL, "%s",
                       fail_message(conn, result, message, sizeof(message)));
    }
    if (state != NULL && strcmp(state, PG_FOREIGN_KEY_VIOLATION) == 0) {
        return err_set(err, ERR_NOT_FOUND, NULL, "%s refers to a row that does not exist", what);
    }
    if (state != NULL && (strcmp(state, PG_SERIALIZATION_FAILURE) == 0 ||
                          strcmp(state, PG_DEADLOCK_DETECTED) == 0)) {
        conn->retry = STORE_RETRY_CONFLICT;
        return err_set(err, ERR_CONFLICT, NULL,
                       "%s collided with a concurrent change; retry the request", what);
    }
    return err_set(err, ERR_STORE, NULL, "store failed on %s: %s", what,
                   fail_message(conn, result, message, sizeof(message)));
}

enum err_code pg_corrupt(struct err *err, const char *what, const char *value)
{
    ASSERT(what != NULL);
    return err_set(err, ERR_STORE, NULL, "store holds an unknown %s: %s", what,
                   value == NULL ? "(null)" : value);
}

/* The length of the UTF-8 sequence that starts with c, or 0 when c cannot start one. */
static size_t utf8_length(unsigned char c)
{
    if (c < 0x80) {
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        return 2;
    }
    if (c >= 0xE0 && c <= 0xEF) {
        return 3;
    }
    return c >= 0xF0 && c <= 0xF4 ? 4 : 0;
}

/* Whether text is UTF-8 as PostgreSQL accepts it (no overlong forms, no surrogates). */
static bool utf8_is_valid(const char *text)
{
    const unsigned char *s = (const unsigned char *)text;
    while (*s != '\0') {
        size_t n = utf8_length(s[0]);
        if (n == 0) {
            return false;
        }
        for (size_t k = 1; k < n; k++) {
            if ((s[k] & 0xC0) != 0x80) {
                return false; /* also stops at the NUL */
            }
        }
        if ((s[0] == 0xE0 && s[1] < 0xA0) || (s[0] == 0xED && s[1] > 0x9F) ||
            (s[0] == 0xF0 && s[1] < 0x90) || (s[0] == 0xF4 && s[1] > 0x8F)) {
            return false;
        }
        s += n;
    }
    return true;
}

/*
 * SQLite stores and compares any bytes; PostgreSQL refuses text that is not UTF-8 (22021), so a
 * path or query parameter such as %FF would fail the request. Every text Ordo stored is UTF-8,
 * so such a value matches no row: a read or an update answers "nothing", as on SQLite, without
 * asking the server; an insert is refused with ERR_INVALID. True when stmt may run.
 */
static bool stmt_params_utf8(const struct pg_query *stmt)
{
    for (int i = 0; i < stmt->params_expected; i++) {
        if (stmt->formats[i] == 0 && stmt->values[i] != NULL && !utf8_is_valid(stmt->values[i])) {
            return false;
        }
    }
    return true;
}

/* Sends the statements (and a deferred BEGIN first) in one pipeline and keeps each result in its
 * statement; a statement whose text PostgreSQL would refuse is answered empty, unsent (as
 * stmt_execute does). */
static enum err_code prefetch_once(struct store_conn *conn, struct pg_query **stmts, size_t count,
                                   const char *what, struct err *err)
{
    bool own_pipeline = !conn->pipeline;
    if (own_pipeline) {
        pg_pipeline_enter(conn);
        if (!conn->pipeline) {
            return pg_fail(conn, NULL, what, err);
        }
    }
    enum err_code code = ERR_OK;
    if (conn->begin_deferred) {
        conn->begin_deferred = false;
        code = pg_pipeline_send(conn, NULL, PG_BEGIN_READ, "begin", err);
    }
    size_t sent[PG_PREFETCH_MAX];
    size_t sent_count = 0;
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (!stmt_params_utf8(stmts[i])) {
            stmts[i]->result = PQmakeEmptyPGresult(conn->pg, PGRES_TUPLES_OK);
            code = stmts[i]->result != NULL
                       ? ERR_OK
                       : err_set(err, ERR_INTERNAL, NULL, "out of memory for %s", what);
            continue;
        }
        code = pg_pipeline_send(conn, stmts[i], NULL, what, err);
        sent[sent_count++] = i;
    }
    PGresult *results[PG_PREFETCH_MAX] = {0};
    if (code == ERR_OK) {
        code = pg_pipeline_wait(conn, results, (int)sent_count, err);
    }
    for (size_t k = 0; k < sent_count; k++) {
        struct pg_query *stmt = stmts[sent[k]];
        stmt->result = code == ERR_OK ? results[k] : NULL;
        stmt->row = -1;
        if (code != ERR_OK) {
            PQclear(results[k]);
        }
    }
    if (own_pipeline) {
        struct err ignored;
        err_clear(&ignored);
        if (pg_pipeline_leave(conn, &ignored) != ERR_OK && code == ERR_OK) {
            *err = ignored;
            code = ignored.code;
        }
        pg_pipeline_forget(conn);
    }
    return code;
}

enum err_code pg_prefetch(struct store_conn *conn, struct pg_query **stmts, size_t count,
                          const char *what, struct err *err)
{
    ASSERT(conn != NULL && stmts != NULL && count > 0 && count <= PG_PREFETCH_MAX);
    for (size_t i = 0; i < count; i++) {
        ASSERT(stmts[i] != NULL && stmts[i]->conn == conn && stmts[i]->result == NULL);
    }
    bool began = conn->begin_deferred;
    enum err_code code = prefetch_once(conn, stmts, count, what, err);
    if (code == ERR_OK || !began || PQstatus(conn->pg) == CONNECTION_OK) {
        return code;
    }
    /* The server dropped the connection before the snapshot began: nothing of the transaction
     * happened, so it is begun again on a new connection. */
    for (size_t i = 0; i < count; i++) {
        pg_done(stmts[i]);
    }
    err_clear(err);
    code = pg_conn_ensure(conn, err);
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (!stmts[i]->prepared) {
            code = stmt_prepare(conn, stmts[i], err);
        }
    }
    if (code == ERR_OK) {
        conn->begin_deferred = true;
        code = prefetch_once(conn, stmts, count, what, err);
    }
    return code;
}

/* ---- answers read ahead (pg_ahead_keep) ---------------------------------------------------- */

/* The bytes of parameter i as sent (NULL: none). */
static size_t param_bytes(const struct pg_query *stmt, int i)
{
    if (stmt->values[i] == NULL) {
        return 0;
    }
    return stmt->formats[i] != 0 ? (size_t)stmt->lengths[i] : strlen(stmt->values[i]);
}

/* The bound parameters spelled as one string of bytes (each: NULL or not, format, length,
 * bytes), malloc'ed; NULL when out of memory. */
static char *params_key(const struct pg_query *stmt, size_t *len_out)
{
    size_t len = 0;
    for (int i = 0; i < stmt->params_expected; i++) {
        len += 2 + sizeof(size_t) + param_bytes(stmt, i);
    }
    char *key = malloc(len + 1);
    if (key == NULL) {
        return NULL;
    }
    char *at = key;
    for (int i = 0; i < stmt->params_expected; i++) {
        size_t n = param_bytes(stmt, i);
        *at++ = stmt->values[i] == NULL ? 'n' : 'v';
        *at++ = stmt->formats[i] != 0 ? 'b' : 't';
        memcpy(at, &n, sizeof(n));
        at += sizeof(n);
        if (n > 0) {
            memcpy(at, stmt->values[i], n);
            at += n;
        }
    }
    *len_out = len;
    return key;
}

static void ahead_drop(struct store_conn *conn, struct pg_query *stmt)
{
    if (stmt->ahead == NULL) {
        return;
    }
    PQclear(stmt->ahead);
    free(stmt->ahead_key);
    stmt->ahead = NULL;
    stmt->ahead_key = NULL;
    stmt->ahead_key_len = 0;
    ASSERT(conn->ahead_count > 0);
    conn->ahead_count--;
}

/* The answer read ahead for the statement as bound now, taken; NULL when there is none (one
 * read ahead for other parameters is dropped). */
static PGresult *ahead_take(struct store_conn *conn, struct pg_query *stmt)
{
    size_t len = 0;
    char *key = params_key(stmt, &len);
    bool same = key != NULL && len == stmt->ahead_key_len && memcmp(key, stmt->ahead_key, len) == 0;
    free(key);
    if (!same) {
        ahead_drop(conn, stmt);
        return NULL;
    }
    PGresult *result = stmt->ahead;
    stmt->ahead = NULL; /* taken: the caller clears it */
    free(stmt->ahead_key);
    stmt->ahead_key = NULL;
    stmt->ahead_key_len = 0;
    ASSERT(conn->ahead_count > 0);
    conn->ahead_count--;
    return result;
}

enum err_code pg_ahead_keep(struct store_conn *conn, struct pg_query **stmts, size_t count,
                            const char *what, struct err *err)
{
    ASSERT(conn != NULL && !conn->is_writer && pg_in_transaction(conn));
    ASSERT(stmts != NULL && count > 0 && count <= PG_PREFETCH_MAX);
    for (size_t i = 0; i < count; i++) {
        ahead_drop(conn, stmts[i]); /* asked again: the newer parameters win */
    }
    enum err_code code = pg_prefetch(conn, stmts, count, what, err);
    for (size_t i = 0; i < count; i++) {
        struct pg_query *stmt = stmts[i];
        if (code == ERR_OK && stmt->result != NULL) {
            stmt->ahead_key = params_key(stmt, &stmt->ahead_key_len);
            if (stmt->ahead_key != NULL) {
                stmt->ahead = stmt->result; /* kept; without its key, simply asked again */
                stmt->result = NULL;
                conn->ahead_count++;
            }
        }
        pg_done(stmt);
    }
    return code;
}

void pg_ahead_forget(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    for (size_t i = 0; conn->ahead_count > 0 && i < ARRAY_LEN(conn->stmts); i++) {
        if (conn->stmts[i] != NULL) {
            ahead_drop(conn, conn->stmts[i]);
        }
    }
    ASSERT(conn->ahead_count == 0);
}

/* Asks the server for the bound statement's answer (*out); an answer PostgreSQL would refuse to
 * compute (text that is not UTF-8) is made here: an insert fails, anything else finds nothing. */
static enum err_code stmt_ask(struct store_conn *conn, struct pg_query *stmt, PGresult **out,
                              const char *what, struct err *err)
{
    PGresult *result = NULL;
    if (!stmt_params_utf8(stmt)) {
        if (strncmp(stmt->text, "INSERT", 6) == 0) {
            return err_set(err, ERR_INVALID, NULL, "%s: text is not valid UTF-8", what);
        }
        result = PQmakeEmptyPGresult(conn->pg, PGRES_TUPLES_OK);
        *out = result;
        return result != NULL ? ERR_OK
                              : err_set(err, ERR_INTERNAL, NULL, "out of memory for %s", what);
    }
    if (conn->begin_deferred) {
        /* The snapshot's BEGIN goes with its first statement (store_pg.c). */
        enum err_code code = pg_prefetch(conn, &stmt, 1, what, err);
        if (code != ERR_OK) {
            return code;
        }
        result = stmt->result;
        stmt->result = NULL;
    } else if (conn->pipeline) {
        /* Sent after what is pending, and read after their answers. */
        enum err_code code = pg_pipeline_send(conn, stmt, NULL, what, err);
        if (code == ERR_OK) {
            code = pg_pipeline_wait(conn, &result, 1, err);
        }
        if (code != ERR_OK) {
            PQclear(result);
            return code;
        }
    } else {
        result = PQexecPrepared(conn->pg, stmt->name, stmt->params_expected, stmt->values,
                                stmt->lengths, stmt->formats, 0);
    }
    *out = result;
    return ERR_OK;
}

/* Runs the bound statement (or takes its answer read ahead) and keeps its result in
 * stmt->result. */
static enum err_code stmt_execute(struct store_conn *conn, struct pg_query *stmt, const char *what,
                                  struct err *err)
{
    ASSERT(stmt->result == NULL && stmt->prepared);
    PGresult *result = stmt->ahead != NULL ? ahead_take(conn, stmt) : NULL;
    if (result == NULL) {
        enum err_code code = stmt_ask(conn, stmt, &result, what, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    ExecStatusType status = result != NULL ? PQresultStatus(result) : PGRES_FATAL_ERROR;
    if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
        enum err_code code = pg_fail(conn, result, what, err);
        PQclear(result);
        if (PQstatus(conn->pg) != CONNECTION_OK) {
            /* The session is gone, and its prepared statements with it. */
            stmt->prepared = false;
        }
        return code;
    }
    const char *tuples = PQcmdTuples(result);
    conn->changes = tuples != NULL && tuples[0] != '\0' ? strtoll(tuples, NULL, 10) : 0;
    conn->last_id = 0;
    if (status == PGRES_TUPLES_OK && PQntuples(result) > 0 && PQnfields(result) > 0 &&
        !PQgetisnull(result, 0, 0)) {
        conn->last_id = strtoll(PQgetvalue(result, 0, 0), NULL, 10);
    }
    stmt->result = result;
    stmt->row = -1;
    return ERR_OK;
}

enum err_code pg_step_done(struct store_conn *conn, struct pg_query *stmt, const char *what,
                           struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(stmt != NULL && stmt->conn == conn);
    return stmt_execute(conn, stmt, what, err);
}

enum err_code pg_step_row(struct store_conn *conn, struct pg_query *stmt, bool *has_row,
                          const char *what, struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(stmt != NULL && stmt->conn == conn && has_row != NULL);
    *has_row = false;
    if (stmt->result == NULL) {
        enum err_code code = stmt_execute(conn, stmt, what, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    int rows = PQntuples(stmt->result);
    if (stmt->row < rows) {
        stmt->row++;
    }
    *has_row = stmt->row < rows;
    return ERR_OK;
}

int64_t pg_changes(const struct store_conn *conn)
{
    ASSERT(conn != NULL);
    return conn->changes;
}

int64_t pg_last_id(const struct store_conn *conn)
{
    ASSERT(conn != NULL);
    return conn->last_id;
}

bool pg_in_transaction(const struct store_conn *conn)
{
    ASSERT(conn != NULL && conn->pg != NULL);
    if (conn->begin_deferred) {
        return true; /* begun, for its users; the server hears of it with the first statement */
    }
    if (conn->pipeline) {
        /* the writer inside a write transaction, a reader inside pg_prefetch (libpq's status
         * lags in the pipeline) */
        return true;
    }
    PGTransactionStatusType status = PQtransactionStatus(conn->pg);
    return status == PQTRANS_INTRANS || status == PQTRANS_INERROR || status == PQTRANS_ACTIVE;
}

void pg_bind_init(struct pg_bind *bind, struct pg_query *stmt)
{
    ASSERT(bind != NULL);
    ASSERT(stmt != NULL && stmt->result == NULL);
    bind->stmt = stmt;
    bind->index = 0;
    bind->too_many = false;
}

/* The slot of the next parameter, or -1 past PG_PARAMS_MAX. */
static int bind_next(struct pg_bind *bind)
{
    bind->index++;
    if (bind->index > PG_PARAMS_MAX) {
        bind->too_many = true;
        return -1;
    }
    int i = bind->index - 1;
    bind->stmt->formats[i] = 0;
    bind->stmt->lengths[i] = 0;
    return i;
}

void pg_bind_text(struct pg_bind *bind, const char *text)
{
    ASSERT(bind != NULL);
    int i = bind_next(bind);
    if (i >= 0) {
        bind->stmt->values[i] = text;
    }
}

void pg_bind_i64(struct pg_bind *bind, int64_t value)
{
    ASSERT(bind != NULL);
    int i = bind_next(bind);
    if (i >= 0) {
        int n = snprintf(bind->stmt->numbers[i], PG_NUMBER_BYTES, "%" PRId64, value);
        ASSERT(n > 0 && n < PG_NUMBER_BYTES);
        bind->stmt->values[i] = bind->stmt->numbers[i];
    }
}

void pg_bind_i64_or_null(struct pg_bind *bind, int64_t value)
{
    if (value == 0) {
        pg_bind_null(bind);
        return;
    }
    pg_bind_i64(bind, value);
}

void pg_bind_bool(struct pg_bind *bind, bool value)
{
    pg_bind_i64(bind, value ? 1 : 0);
}

void pg_bind_double(struct pg_bind *bind, double value)
{
    ASSERT(bind != NULL);
    int i = bind_next(bind);
    if (i >= 0) {
        /* %.17g reads back as the same double. */
        int n = snprintf(bind->stmt->numbers[i], PG_NUMBER_BYTES, "%.17g", value);
        ASSERT(n > 0 && n < PG_NUMBER_BYTES);
        bind->stmt->values[i] = bind->stmt->numbers[i];
    }
}

void pg_bind_null(struct pg_bind *bind)
{
    pg_bind_text(bind, NULL);
}

void pg_bind_blob(struct pg_bind *bind, const void *data, size_t len)
{
    ASSERT(bind != NULL);
    ASSERT(data != NULL && len <= (size_t)INT_MAX);
    int i = bind_next(bind);
    if (i >= 0) {
        bind->stmt->values[i] = data;
        bind->stmt->lengths[i] = (int)len;
        bind->stmt->formats[i] = 1; /* binary: bytea takes the bytes as they are */
    }
}

void pg_bind_address(struct pg_bind *bind, const struct address *address)
{
    ASSERT(bind != NULL);
    ASSERT(address != NULL);
    if (!address->present) {
        for (int i = 0; i < 11; i++) {
            pg_bind_null(bind);
        }
        return;
    }
    pg_bind_text(bind, address->name);
    pg_bind_text(bind, address->company);
    pg_bind_text(bind, address->line1);
    pg_bind_text(bind, address->line2);
    pg_bind_text(bind, address->city);
    pg_bind_text(bind, address->region);
    pg_bind_text(bind, address->postal_code);
    pg_bind_text(bind, address->country);
    pg_bind_text(bind, address->phone);
    if (address->has_coords) {
        pg_bind_double(bind, address->lat);
        pg_bind_double(bind, address->lon);
    } else {
        pg_bind_null(bind);
        pg_bind_null(bind);
    }
}

enum err_code pg_bind_check(struct store_conn *conn, const struct pg_bind *bind, const char *what,
                            struct err *err)
{
    ASSERT(conn != NULL && bind != NULL);
    ASSERT(!bind->too_many); /* PG_PARAMS_MAX is too small: a bug here */
    /* Every parameter of the statement was bound, in order: a mismatch is a bug here. */
    ASSERT(bind->index == bind->stmt->params_expected);
    UNUSED(what);
    UNUSED(err);
    return ERR_OK;
}

void pg_row_init(struct pg_row *row, struct pg_query *stmt, struct arena *arena)
{
    ASSERT(row != NULL);
    ASSERT(stmt != NULL && stmt->result != NULL && stmt->row >= 0);
    row->stmt = stmt;
    row->arena = arena;
    row->index = 0;
    row->arena_full = false;
}

static bool col_null(const struct pg_row *row, int i)
{
    return PQgetisnull(row->stmt->result, row->stmt->row, i) != 0;
}

static const char *col_value(const struct pg_row *row, int i)
{
    return PQgetvalue(row->stmt->result, row->stmt->row, i);
}

const char *pg_col_text(struct pg_row *row)
{
    ASSERT(row != NULL && row->arena != NULL);
    int i = row->index++;
    ASSERT(i < PQnfields(row->stmt->result));
    if (col_null(row, i)) {
        return NULL;
    }
    int bytes = PQgetlength(row->stmt->result, row->stmt->row, i);
    char *copy = bytes >= 0 ? arena_strndup(row->arena, col_value(row, i), (size_t)bytes) : NULL;
    if (copy == NULL) {
        row->arena_full = true;
    }
    return copy;
}

int64_t pg_col_i64(struct pg_row *row)
{
    ASSERT(row != NULL);
    int i = row->index++;
    ASSERT(i < PQnfields(row->stmt->result));
    if (col_null(row, i)) {
        return 0;
    }
    const char *value = col_value(row, i);
    if (value[0] == 't' || value[0] == 'f') {
        return value[0] == 't' ? 1 : 0; /* a boolean expression, as SQLite's 1 and 0 */
    }
    /* A sum of BIGINTs is a numeric; it prints as an integer. */
    return strtoll(value, NULL, 10);
}

int pg_col_int(struct pg_row *row)
{
    int64_t value = pg_col_i64(row);
    if (value > INT_MAX) {
        return INT_MAX;
    }
    if (value < INT_MIN) {
        return INT_MIN;
    }
    return (int)value;
}

bool pg_col_bool(struct pg_row *row)
{
    return pg_col_i64(row) != 0;
}

double pg_col_double(struct pg_row *row, double if_null)
{
    ASSERT(row != NULL);
    int i = row->index++;
    ASSERT(i < PQnfields(row->stmt->result));
    if (col_null(row, i)) {
        return if_null;
    }
    return strtod(col_value(row, i), NULL);
}

bool pg_col_is_null(const struct pg_row *row)
{
    ASSERT(row != NULL);
    return col_null(row, row->index);
}

void pg_col_skip(struct pg_row *row)
{
    ASSERT(row != NULL);
    row->index++;
}

static int hex_digit(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

/* The byte count of a bytea in text results, "\x" and two hex digits per byte (bytea_output =
 * hex); false when text is not one. */
static bool bytea_len(const char *text, size_t *len)
{
    size_t text_len = strlen(text);
    if (text_len < 2 || text_len % 2 != 0 || text[0] != '\\' || text[1] != 'x') {
        return false;
    }
    *len = (text_len - 2) / 2;
    return true;
}

/* Decodes the len bytes of a bytea's text (bytea_len) into out; false on a bad digit. */
static bool bytea_decode(const char *text, unsigned char *out, size_t len)
{
    for (size_t k = 0; k < len; k++) {
        int high = hex_digit(text[2 + 2 * k]);
        int low = hex_digit(text[3 + 2 * k]);
        if (high < 0 || low < 0) {
            return false;
        }
        out[k] = (unsigned char)(high * 16 + low);
    }
    return true;
}

bool pg_col_blob(struct pg_row *row, void *out, size_t len)
{
    ASSERT(row != NULL);
    ASSERT(out != NULL);
    int i = row->index++;
    if (col_null(row, i)) {
        return false;
    }
    const char *text = col_value(row, i);
    size_t count = 0;
    return bytea_len(text, &count) && count == len && bytea_decode(text, out, len);
}

const unsigned char *pg_col_bytes(struct pg_row *row, size_t *len)
{
    ASSERT(row != NULL && row->arena != NULL);
    ASSERT(len != NULL);
    int i = row->index++;
    *len = 0;
    size_t count = 0;
    if (col_null(row, i) || !bytea_len(col_value(row, i), &count)) {
        return NULL; /* NULL, or not a bytea: read as no value */
    }
    unsigned char *bytes = arena_alloc(row->arena, count + 1);
    if (bytes == NULL) {
        row->arena_full = true;
        return NULL;
    }
    if (!bytea_decode(col_value(row, i), bytes, count)) {
        return NULL;
    }
    *len = count;
    return bytes;
}

void pg_col_address(struct pg_row *row, struct address *out)
{
    ASSERT(row != NULL);
    ASSERT(out != NULL);
    int first = row->index;
    out->present = false;
    for (int i = first; i < first + 11; i++) {
        if (!col_null(row, i)) {
            out->present = true;
        }
    }
    out->name = pg_col_text(row);
    out->company = pg_col_text(row);
    out->line1 = pg_col_text(row);
    out->line2 = pg_col_text(row);
    out->city = pg_col_text(row);
    out->region = pg_col_text(row);
    out->postal_code = pg_col_text(row);
    out->country = pg_col_text(row);
    out->phone = pg_col_text(row);
    out->has_coords = !pg_col_is_null(row);
    out->lat = pg_col_double(row, 0.0);
    out->lon = pg_col_double(row, 0.0);
}

const char *pg_value_text(const struct pg_query *stmt, int col)
{
    ASSERT(stmt != NULL && stmt->result != NULL && stmt->row >= 0);
    ASSERT(col >= 0 && col < PQnfields(stmt->result));
    if (PQgetisnull(stmt->result, stmt->row, col)) {
        return NULL;
    }
    return PQgetvalue(stmt->result, stmt->row, col);
}

int64_t pg_value_i64(const struct pg_query *stmt, int col)
{
    const char *value = pg_value_text(stmt, col);
    if (value == NULL) {
        return 0;
    }
    if (value[0] == 't' || value[0] == 'f') {
        return value[0] == 't' ? 1 : 0; /* a boolean expression, as pg_col_i64 */
    }
    return strtoll(value, NULL, 10);
}

bool pg_value_is_null(const struct pg_query *stmt, int col)
{
    return pg_value_text(stmt, col) == NULL;
}

enum err_code pg_row_check(const struct pg_row *row, struct err *err)
{
    ASSERT(row != NULL);
    ASSERT(row->index == PQnfields(row->stmt->result)); /* every column was read */
    if (row->arena_full) {
        return err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
    }
    return ERR_OK;
}

bool pg_grow(struct arena *arena, void **items, size_t count, size_t *cap, size_t elem_size)
{
    ASSERT(arena != NULL && items != NULL && cap != NULL);
    ASSERT(count <= *cap && elem_size > 0);
    if (count < *cap) {
        return true;
    }
    size_t cap_new = *cap == 0 ? PGS_ROWS_FIRST : *cap * 2;
    void *grown = arena_alloc_array(arena, cap_new, elem_size);
    if (grown == NULL) {
        return false;
    }
    if (count > 0) {
        memcpy(grown, *items, count * elem_size);
    }
    *items = grown;
    *cap = cap_new;
    return true;
}

static enum err_code read_row(struct pg_query *stmt, const struct pg_reader *reader, void *item,
                              struct err *err)
{
    struct pg_row row;
    pg_row_init(&row, stmt, reader->arena);
    enum err_code code = reader->read(&row, item, err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_row_check(&row, err);
}

enum err_code pg_read_all(struct store_conn *conn, struct pg_query *stmt, struct pg_reader *reader,
                          struct err *err)
{
    ASSERT(conn != NULL && stmt != NULL && reader != NULL);
    ASSERT(reader->arena != NULL && reader->read != NULL && reader->elem_size > 0);
    void *items = NULL;
    size_t count = 0;
    size_t cap = 0;
    bool has_row = true;
    enum err_code code = ERR_OK;
    while (code == ERR_OK && has_row) {
        code = pg_step_row(conn, stmt, &has_row, reader->what, err);
        if (code != ERR_OK || !has_row) {
            break;
        }
        if (!pg_grow(reader->arena, &items, count, &cap, reader->elem_size)) {
            code = err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
            break;
        }
        code = read_row(stmt, reader, (char *)items + count * reader->elem_size, err);
        count++;
    }
    pg_done(stmt);
    reader->items = code == ERR_OK ? items : NULL;
    reader->count = code == ERR_OK ? count : 0;
    return code;
}

enum err_code pg_read_one(struct store_conn *conn, struct pg_query *stmt,
                          const struct pg_reader *reader, void *item, struct err *err)
{
    ASSERT(conn != NULL && stmt != NULL && reader != NULL);
    ASSERT(reader->read != NULL && reader->what != NULL && item != NULL);
    bool has_row = false;
    enum err_code code = pg_step_row(conn, stmt, &has_row, reader->what, err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "%s not found", reader->what);
    }
    if (code == ERR_OK) {
        code = read_row(stmt, reader, item, err);
    }
    pg_done(stmt);
    return code;
}

void pg_bind_key(struct pg_bind *bind, const struct pg_key *key)
{
    ASSERT(bind != NULL && key != NULL);
    if (key->text != NULL) {
        pg_bind_text(bind, key->text);
    } else {
        pg_bind_i64(bind, key->row_id);
    }
}

enum err_code pg_run(struct store_conn *conn, struct pg_query *stmt, const char *what,
                     struct err *err)
{
    enum err_code code = pg_step_done(conn, stmt, what, err);
    pg_done(stmt);
    return code;
}

enum err_code pg_run_later(struct store_conn *conn, struct pg_query *stmt, const char *what,
                           struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(stmt != NULL && stmt->conn == conn && stmt->result == NULL && stmt->prepared);
    if (!conn->pipeline) {
        return pg_run(conn, stmt, what, err);
    }
    enum err_code code = ERR_OK;
    if (!stmt_params_utf8(stmt)) {
        /* as stmt_execute: an insert is refused, an update or delete matches nothing */
        if (strncmp(stmt->text, "INSERT", 6) == 0) {
            code = err_set(err, ERR_INVALID, NULL, "%s: text is not valid UTF-8", what);
        }
    } else {
        code = pg_pipeline_send(conn, stmt, NULL, what, err);
    }
    conn->changes = 0; /* not known: nobody may ask */
    conn->last_id = 0;
    pg_done(stmt);
    return code;
}

enum err_code pg_stmt_i64(struct store_conn *conn, const struct pg_sql *sql, const int64_t *params,
                          size_t count, struct pg_query **out, struct err *err)
{
    ASSERT(conn != NULL && sql != NULL && (params != NULL || count == 0) && out != NULL);
    enum err_code code = pg_stmt(conn, sql, out, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, *out);
    for (size_t i = 0; i < count; i++) {
        pg_bind_i64(&bind, params[i]);
    }
    return pg_bind_check(conn, &bind, "a statement", err);
}

enum err_code pg_version_miss(struct store_conn *conn, const struct pg_sql *exists,
                              const struct pg_key *key, const char *what, struct err *err)
{
    ASSERT(conn != NULL && exists != NULL && key != NULL && what != NULL);
    ASSERT(pg_changes(conn) == 0); /* the update missed */
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, exists, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_key(&bind, key);
    code = pg_bind_check(conn, &bind, what, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = pg_step_row(conn, stmt, &has_row, what, err);
    pg_done(stmt);
    if (code != ERR_OK) {
        return code;
    }
    if (!has_row) {
        return err_set(err, ERR_NOT_FOUND, NULL, "%s not found", what);
    }
    return err_set(err, ERR_PRECONDITION, NULL, "%s was changed by someone else (version moved on)",
                   what);
}

const char *pg_json_texts(struct arena *arena, const char *const *texts, size_t count)
{
    ASSERT(arena != NULL);
    ASSERT(texts != NULL || count == 0);
    return batch_json_texts(arena, texts, count, utf8_is_valid);
}
