/*
 * pg_pipeline.c — libpq's pipeline mode for the writer's group commits (issue 7).
 *
 * Without it each statement of a command is a round trip: the writer sends it and sleeps until
 * PostgreSQL answers, some 30 times for a 3-line order. Inside a write transaction the writer's
 * connection is in pipeline mode instead: a statement whose answer nobody reads (pg_run_later:
 * the order's lines, its ledger rows, its events, a SAVEPOINT) is only sent, and its name waits
 * in conn->pending_what; a statement whose rows or count the caller needs is sent with a Sync and
 * its answer read after those of the pending ones. PostgreSQL runs the statements in the order
 * they were sent, so a read sees every write sent before it.
 *
 * Failures: after a failed statement PostgreSQL skips everything up to the next Sync, and the
 * transaction stays failed until the command's savepoint is rolled back. The first failure since
 * the savepoint is kept in conn->pipeline_err and is the answer of every later wait — a later
 * statement of the same command, at the latest its savepoint release — so a command cannot
 * succeed when one of its statements failed, and learns why (a unique key taken by another
 * process is retried by the writer as before).
 */
#include "store/pg_int.h"

#include <string.h>

#include <libpq-fe.h>

#include "lib/str.h"

void pg_pipeline_enter(struct store_conn *conn)
{
    ASSERT(conn != NULL && !conn->pipeline);
    ASSERT(conn->pending_count == 0);
    conn->pipeline = PQenterPipelineMode(conn->pg) == 1;
    conn->pipeline_failed = false;
}

void pg_pipeline_forget(struct store_conn *conn)
{
    ASSERT(conn != NULL);
    conn->pipeline_failed = false;
    err_clear(&conn->pipeline_err);
}

/* The connection failed under the pipeline: nothing more can be read from it. */
static enum err_code pipeline_broken(struct store_conn *conn, const char *what, struct err *err)
{
    conn->pending_count = 0;
    if (!conn->pipeline_failed) {
        conn->pipeline_failed = true;
        pg_fail(conn, NULL, what, &conn->pipeline_err);
    }
    *err = conn->pipeline_err;
    return err->code;
}

enum err_code pg_pipeline_send(struct store_conn *conn, const struct pg_query *stmt,
                               const char *sql, const char *what, struct err *err)
{
    ASSERT(conn != NULL && conn->pipeline);
    ASSERT((stmt == NULL) != (sql == NULL) && what != NULL);
    if (conn->pending_count == PG_PENDING_MAX) {
        /* Answers pile up on the server's side of the socket: read them before sending more. */
        enum err_code code = pg_pipeline_wait(conn, NULL, 0, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    int sent = 0;
    if (stmt != NULL) {
        sent = pg_query_send(conn, stmt);
    } else {
        sent = PQsendQueryParams(conn->pg, sql, 0, NULL, NULL, NULL, NULL, 0);
    }
    if (sent != 1) {
        return pipeline_broken(conn, what, err);
    }
    (void)str_copy(conn->pending_what[conn->pending_count], PG_WHAT_BYTES, what);
    conn->pending_count++;
    conn->pipeline_sent++;
    return ERR_OK;
}

/* The answer of the next statement sent, and the end of it (libpq's NULL); NULL when the
 * connection failed. */
static PGresult *pipeline_next(struct store_conn *conn)
{
    PGresult *result = PQgetResult(conn->pg);
    if (result == NULL) {
        return NULL;
    }
    PGresult *extra = NULL;
    while ((extra = PQgetResult(conn->pg)) != NULL) {
        PQclear(extra); /* only one result a statement is expected */
    }
    return result;
}

enum err_code pg_pipeline_wait(struct store_conn *conn, PGresult **out, int keep, struct err *err)
{
    ASSERT(conn != NULL && conn->pipeline);
    ASSERT(keep >= 0 && (size_t)keep <= conn->pending_count && (keep == 0 || out != NULL));
    for (int k = 0; k < keep; k++) {
        out[k] = NULL;
    }
    size_t count = conn->pending_count;
    conn->pipeline_waits++;
    if (PQpipelineSync(conn->pg) != 1) {
        return pipeline_broken(conn, "the pipeline's sync", err);
    }
    for (size_t i = 0; i < count; i++) {
        PGresult *result = pipeline_next(conn);
        if (result == NULL) {
            return pipeline_broken(conn, conn->pending_what[i], err);
        }
        ExecStatusType status = PQresultStatus(result);
        bool ok = status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
        if (!ok && status != PGRES_PIPELINE_ABORTED && !conn->pipeline_failed) {
            conn->pipeline_failed = true;
            pg_fail(conn, result, conn->pending_what[i], &conn->pipeline_err);
        }
        size_t first_kept = count - (size_t)keep;
        if (ok && i >= first_kept) {
            out[i - first_kept] = result;
        } else {
            PQclear(result);
        }
    }
    conn->pending_count = 0;
    PGresult *sync = PQgetResult(conn->pg);
    bool synced = sync != NULL && PQresultStatus(sync) == PGRES_PIPELINE_SYNC;
    PQclear(sync);
    if (!synced) {
        return pipeline_broken(conn, "the pipeline's sync", err);
    }
    if (conn->pipeline_failed) {
        *err = conn->pipeline_err;
        return err->code;
    }
    return ERR_OK;
}

enum err_code pg_pipeline_leave(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL);
    if (!conn->pipeline) {
        return ERR_OK;
    }
    enum err_code code = ERR_OK;
    if (conn->pending_count > 0) {
        code = pg_pipeline_wait(conn, NULL, 0, err);
    }
    conn->pipeline = false;
    conn->pending_count = 0;
    if (PQstatus(conn->pg) == CONNECTION_OK && PQexitPipelineMode(conn->pg) != 1 &&
        code == ERR_OK) {
        code = pg_fail(conn, NULL, "the end of the pipeline", err);
    }
    return code;
}
