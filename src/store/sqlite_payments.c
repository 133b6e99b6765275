/*
 * sqlite_payments.c — payment transactions of orders (migration 005): written when a call to
 * a provider is made or recorded, updated once when a pending call completes, listed per
 * order, the pending ones for the payments worker, and the sums the credit-limit rule and
 * `ordo check` need.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/payment.h"
#include "store/store.h"

#define PAYMENT_COLUMNS                                                                            \
    "id, order_id, kind, amount, currency, status, provider, provider_ref, shipment_id, "          \
    "return_id, error, created_at, updated_at, payment_method"

static const struct sq_sql SQL_PAYMENT_INSERT = {
    SQ_PAYMENT_INSERT, "INSERT INTO payment_transactions (" PAYMENT_COLUMNS
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)"};
static const struct sq_sql SQL_PAYMENT_UPDATE = {
    SQ_PAYMENT_UPDATE, "UPDATE payment_transactions SET status = ?2, provider_ref = "
                       "coalesce(?3, provider_ref), error = ?4, updated_at = ?5 "
                       "WHERE id = ?1 AND status = 'pending'"};
static const struct sq_sql SQL_PAYMENT_LIST_BY_ORDER = {
    SQ_PAYMENT_LIST_BY_ORDER,
    "SELECT " PAYMENT_COLUMNS " FROM payment_transactions WHERE order_id = ?1 ORDER BY rowid"};
static const struct sq_sql SQL_PAYMENT_LIST_PENDING = {
    SQ_PAYMENT_LIST_PENDING, "SELECT " PAYMENT_COLUMNS " FROM payment_transactions "
                             "WHERE status = 'pending' ORDER BY rowid LIMIT ?1"};
/* Orders whose refunds (succeeded and pending) exceed their succeeded captures. */
static const struct sq_sql SQL_PAYMENT_CHECK = {
    SQ_PAYMENT_CHECK,
    "SELECT order_id FROM payment_transactions GROUP BY order_id HAVING "
    "sum(CASE WHEN kind = 'refund' AND status IN ('succeeded', 'pending') THEN amount ELSE 0 "
    "END) > sum(CASE WHEN kind = 'capture' AND status = 'succeeded' THEN amount ELSE 0 END) "
    "ORDER BY order_id"};
/* The open balance of a customer's manual (invoice) orders other than ?2: authorized, less
 * voided and refunded, over the transactions of the terms window (since ?3). */
static const struct sq_sql SQL_PAYMENT_OPEN_BALANCE = {
    SQ_PAYMENT_OPEN_BALANCE,
    "SELECT coalesce(sum(CASE WHEN t.kind = 'authorize' THEN t.amount ELSE -t.amount END), 0) "
    "FROM orders o JOIN payment_transactions t ON t.order_id = o.id "
    "WHERE o.customer_id = ?1 AND o.id <> ?2 AND o.status <> 'cancelled' "
    "AND t.provider = 'manual' AND t.status = 'succeeded' "
    "AND t.kind IN ('authorize', 'void', 'refund') AND t.created_at >= ?3"};

static enum err_code payment_read(struct sq_row *row, void *item, struct err *err)
{
    struct payment_txn *txn = item;
    txn->id = sq_col_text(row);
    txn->order_id = sq_col_text(row);
    const char *kind = sq_col_text(row);
    txn->amount = sq_col_i64(row);
    txn->currency = sq_col_text(row);
    const char *status = sq_col_text(row);
    txn->provider = sq_col_text(row);
    txn->provider_ref = sq_col_text(row);
    txn->shipment_id = sq_col_text(row);
    txn->return_id = sq_col_text(row);
    txn->error = sq_col_text(row);
    txn->created_at_ms = sq_col_i64(row);
    txn->updated_at_ms = sq_col_i64(row);
    txn->payment_method = sq_col_text(row);
    if (row->arena_full) {
        return ERR_OK; /* sq_row_check answers */
    }
    if (!payment_kind_parse(kind, &txn->kind)) {
        return sq_corrupt(err, "payment kind", kind);
    }
    if (!payment_status_parse(status, &txn->status)) {
        return sq_corrupt(err, "payment status", status);
    }
    return ERR_OK;
}

enum err_code sqlite_payment_insert(struct store_conn *conn, const struct payment_txn *txn,
                                    struct err *err)
{
    ASSERT(conn != NULL && txn != NULL);
    ASSERT(txn->id != NULL && txn->order_id != NULL && txn->currency != NULL);
    ASSERT(txn->provider != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, txn->id);
    sq_bind_text(&bind, txn->order_id);
    sq_bind_text(&bind, payment_kind_name(txn->kind));
    sq_bind_i64(&bind, txn->amount);
    sq_bind_text(&bind, txn->currency);
    sq_bind_text(&bind, payment_status_name(txn->status));
    sq_bind_text(&bind, txn->provider);
    sq_bind_text(&bind, txn->provider_ref);
    sq_bind_text(&bind, txn->shipment_id);
    sq_bind_text(&bind, txn->return_id);
    sq_bind_text(&bind, txn->error);
    sq_bind_i64(&bind, txn->created_at_ms);
    sq_bind_i64(&bind, txn->updated_at_ms);
    sq_bind_text(&bind, txn->payment_method);
    code = sq_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "payment", err);
}

enum err_code sqlite_payment_complete(struct store_conn *conn, const struct payment_txn *txn,
                                      bool *updated, struct err *err)
{
    ASSERT(conn != NULL && txn != NULL && txn->id != NULL && updated != NULL);
    ASSERT(txn->status != PAYMENT_STATUS_PENDING);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, txn->id);
    sq_bind_text(&bind, payment_status_name(txn->status));
    sq_bind_text(&bind, txn->provider_ref);
    sq_bind_text(&bind, txn->error);
    sq_bind_i64(&bind, txn->updated_at_ms);
    code = sq_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_run(conn, stmt, "payment", err);
    if (code == ERR_OK) {
        *updated = sqlite3_changes(conn->db) == 1;
    }
    return code;
}

static enum err_code payment_list(struct store_conn *conn, sqlite3_stmt *stmt, struct arena *arena,
                                  struct payment_txn **out, size_t *count, struct err *err)
{
    struct sq_reader reader = {.arena = arena,
                               .read = payment_read,
                               .what = "payment",
                               .elem_size = sizeof(struct payment_txn)};
    enum err_code code = sq_read_all(conn, stmt, &reader, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = reader.items;
    *count = reader.count;
    return ERR_OK;
}

enum err_code sqlite_payment_list_by_order(struct store_conn *conn, struct arena *arena,
                                           const char *order_id, struct payment_txn **out,
                                           size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_LIST_BY_ORDER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return payment_list(conn, stmt, arena, out, count, err);
}

enum err_code sqlite_payment_list_pending(struct store_conn *conn, struct arena *arena,
                                          size_t limit, struct payment_txn **out, size_t *count,
                                          struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_LIST_PENDING, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = sq_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return payment_list(conn, stmt, arena, out, count, err);
}

static enum err_code order_id_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    const char **id = item;
    *id = sq_col_text(row);
    return ERR_OK;
}

enum err_code sqlite_payment_check(struct store_conn *conn, struct arena *arena,
                                   const char ***order_ids, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_ids != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_CHECK, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = order_id_read,
                               .what = "payment",
                               .elem_size = sizeof(const char *)};
    code = sq_read_all(conn, stmt, &reader, err);
    if (code != ERR_OK) {
        return code;
    }
    *order_ids = reader.items;
    *count = reader.count;
    return ERR_OK;
}

static enum err_code balance_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    int64_t *balance = item;
    *balance = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_payment_open_balance(struct store_conn *conn, const char *customer_id,
                                          const char *except_order_id, int64_t since_ms,
                                          int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && customer_id != NULL && except_order_id != NULL && out != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PAYMENT_OPEN_BALANCE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, customer_id);
    sq_bind_text(&bind, except_order_id);
    sq_bind_i64(&bind, since_ms);
    code = sq_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_read_one(conn, stmt, &(struct sq_reader){.read = balance_read, .what = "balance"},
                       out, err);
}
