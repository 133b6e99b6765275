/*
 * pg_payments.c — payment transactions of orders (migration 005): written when a call to
 * a provider is made or recorded, updated once when a pending call completes, listed per
 * order, the pending ones for the payments worker, and the sums the credit-limit rule and
 * `ordo check` need.
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/payment.h"
#include "store/store.h"

#define PAYMENT_COLUMNS                                                                            \
    "id, order_id, kind, amount, currency, status, provider, provider_ref, shipment_id, "          \
    "return_id, error, created_at, updated_at, payment_method"

static const struct pg_sql SQL_PAYMENT_INSERT = {
    PGS_PAYMENT_INSERT, "INSERT INTO payment_transactions (" PAYMENT_COLUMNS
                        ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)"};
static const struct pg_sql SQL_PAYMENT_UPDATE = {
    PGS_PAYMENT_UPDATE, "UPDATE payment_transactions SET status = $2, provider_ref = "
                        "coalesce($3, provider_ref), error = $4, updated_at = $5 "
                        "WHERE id = $1 AND status = 'pending'"};
static const struct pg_sql SQL_PAYMENT_LIST_BY_ORDER = {
    PGS_PAYMENT_LIST_BY_ORDER,
    "SELECT " PAYMENT_COLUMNS " FROM payment_transactions WHERE order_id = $1 ORDER BY seq"};
static const struct pg_sql SQL_PAYMENT_LIST_PENDING = {
    PGS_PAYMENT_LIST_PENDING, "SELECT " PAYMENT_COLUMNS " FROM payment_transactions "
                              "WHERE status = 'pending' ORDER BY seq LIMIT $1"};
/* Orders whose refunds (succeeded and pending) exceed their succeeded captures. */
static const struct pg_sql SQL_PAYMENT_CHECK = {
    PGS_PAYMENT_CHECK,
    "SELECT order_id FROM payment_transactions GROUP BY order_id HAVING "
    "sum(CASE WHEN kind = 'refund' AND status IN ('succeeded', 'pending') THEN amount ELSE 0 "
    "END) > sum(CASE WHEN kind = 'capture' AND status = 'succeeded' THEN amount ELSE 0 END) "
    "ORDER BY order_id"};
/* The open balance of a customer's manual (invoice) orders other than ?2: authorized, less
 * voided and refunded, over the transactions of the terms window (since ?3). */
static const struct pg_sql SQL_PAYMENT_OPEN_BALANCE = {
    PGS_PAYMENT_OPEN_BALANCE,
    "SELECT coalesce(sum(CASE WHEN t.kind = 'authorize' THEN t.amount ELSE -t.amount END), 0) "
    "FROM orders o JOIN payment_transactions t ON t.order_id = o.id "
    "WHERE o.customer_id = $1 AND o.id <> $2 AND o.status <> 'cancelled' "
    "AND t.provider = 'manual' AND t.status = 'succeeded' "
    "AND t.kind IN ('authorize', 'void', 'refund') AND t.created_at >= $3"};

static enum err_code payment_read(struct pg_row *row, void *item, struct err *err)
{
    struct payment_txn *txn = item;
    txn->id = pg_col_text(row);
    txn->order_id = pg_col_text(row);
    const char *kind = pg_col_text(row);
    txn->amount = pg_col_i64(row);
    txn->currency = pg_col_text(row);
    const char *status = pg_col_text(row);
    txn->provider = pg_col_text(row);
    txn->provider_ref = pg_col_text(row);
    txn->shipment_id = pg_col_text(row);
    txn->return_id = pg_col_text(row);
    txn->error = pg_col_text(row);
    txn->created_at_ms = pg_col_i64(row);
    txn->updated_at_ms = pg_col_i64(row);
    txn->payment_method = pg_col_text(row);
    if (row->arena_full) {
        return ERR_OK; /* pg_row_check answers */
    }
    if (!payment_kind_parse(kind, &txn->kind)) {
        return pg_corrupt(err, "payment kind", kind);
    }
    if (!payment_status_parse(status, &txn->status)) {
        return pg_corrupt(err, "payment status", status);
    }
    return ERR_OK;
}

enum err_code pg_payment_insert(struct store_conn *conn, const struct payment_txn *txn,
                                struct err *err)
{
    ASSERT(conn != NULL && txn != NULL);
    ASSERT(txn->id != NULL && txn->order_id != NULL && txn->currency != NULL);
    ASSERT(txn->provider != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, txn->id);
    pg_bind_text(&bind, txn->order_id);
    pg_bind_text(&bind, payment_kind_name(txn->kind));
    pg_bind_i64(&bind, txn->amount);
    pg_bind_text(&bind, txn->currency);
    pg_bind_text(&bind, payment_status_name(txn->status));
    pg_bind_text(&bind, txn->provider);
    pg_bind_text(&bind, txn->provider_ref);
    pg_bind_text(&bind, txn->shipment_id);
    pg_bind_text(&bind, txn->return_id);
    pg_bind_text(&bind, txn->error);
    pg_bind_i64(&bind, txn->created_at_ms);
    pg_bind_i64(&bind, txn->updated_at_ms);
    pg_bind_text(&bind, txn->payment_method);
    code = pg_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run_later(conn, stmt, "payment", err);
}

enum err_code pg_payment_complete(struct store_conn *conn, const struct payment_txn *txn,
                                  bool *updated, struct err *err)
{
    ASSERT(conn != NULL && txn != NULL && txn->id != NULL && updated != NULL);
    ASSERT(txn->status != PAYMENT_STATUS_PENDING);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, txn->id);
    pg_bind_text(&bind, payment_status_name(txn->status));
    pg_bind_text(&bind, txn->provider_ref);
    pg_bind_text(&bind, txn->error);
    pg_bind_i64(&bind, txn->updated_at_ms);
    code = pg_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "payment", err);
    if (code == ERR_OK) {
        *updated = pg_changes(conn) == 1;
    }
    return code;
}

static enum err_code payment_list(struct store_conn *conn, struct pg_query *stmt,
                                  struct arena *arena, struct payment_txn **out, size_t *count,
                                  struct err *err)
{
    struct pg_reader reader = {.arena = arena,
                               .read = payment_read,
                               .what = "payment",
                               .elem_size = sizeof(struct payment_txn)};
    enum err_code code = pg_read_all(conn, stmt, &reader, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = reader.items;
    *count = reader.count;
    return ERR_OK;
}

enum err_code pg_payment_list_by_order(struct store_conn *conn, struct arena *arena,
                                       const char *order_id, struct payment_txn **out,
                                       size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_LIST_BY_ORDER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return payment_list(conn, stmt, arena, out, count, err);
}

enum err_code pg_payment_list_pending(struct store_conn *conn, struct arena *arena, size_t limit,
                                      struct payment_txn **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_LIST_PENDING, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = pg_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return payment_list(conn, stmt, arena, out, count, err);
}

static enum err_code order_id_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    const char **id = item;
    *id = pg_col_text(row);
    return ERR_OK;
}

enum err_code pg_payment_check(struct store_conn *conn, struct arena *arena,
                               const char ***order_ids, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_ids != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_CHECK, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = order_id_read,
                               .what = "payment",
                               .elem_size = sizeof(const char *)};
    code = pg_read_all(conn, stmt, &reader, err);
    if (code != ERR_OK) {
        return code;
    }
    *order_ids = reader.items;
    *count = reader.count;
    return ERR_OK;
}

static enum err_code balance_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    int64_t *balance = item;
    *balance = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_payment_open_balance(struct store_conn *conn, const char *customer_id,
                                      const char *except_order_id, int64_t since_ms, int64_t *out,
                                      struct err *err)
{
    ASSERT(conn != NULL && customer_id != NULL && except_order_id != NULL && out != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PAYMENT_OPEN_BALANCE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, customer_id);
    pg_bind_text(&bind, except_order_id);
    pg_bind_i64(&bind, since_ms);
    code = pg_bind_check(conn, &bind, "payment", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(conn, stmt, &(struct pg_reader){.read = balance_read, .what = "balance"},
                       out, err);
}
