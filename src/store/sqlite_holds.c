/*
 * sqlite_holds.c — soft holds for carts (issue 3) in SQLite: the hold, the lines it shows and
 * the stock rows it reserves while active. The reservation itself moves through
 * store_stock_apply and the ledger (the caller's job, in the same transaction); a hold ends
 * once only (finish applies to an active hold, and deletes its stock rows).
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/availability.h"
#include "store/store.h"

static const struct sq_sql SQL_HOLD_INSERT = {
    SQ_HOLD_INSERT, "INSERT INTO holds (id, channel, status, ttl_seconds, expires_at, order_id,"
                    " created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"};
static const struct sq_sql SQL_HOLD_LINE_INSERT = {
    SQ_HOLD_LINE_INSERT, "INSERT INTO hold_lines (hold_id, line_no, product_id, location_id, qty)"
                         " VALUES (?1, ?2, ?3, ?4, ?5)"};
static const struct sq_sql SQL_HOLD_STOCK_INSERT = {
    SQ_HOLD_STOCK_INSERT, "INSERT INTO hold_stock (hold_id, product_id, location_id, qty,"
                          " expires_at) VALUES (?1, ?2, ?3, ?4, ?5)"};
static const struct sq_sql SQL_HOLD_GET = {
    SQ_HOLD_GET, "SELECT id, channel, status, ttl_seconds, expires_at, order_id, created_at,"
                 " updated_at FROM holds WHERE id = ?1"};
static const struct sq_sql SQL_HOLD_LINE_LIST = {
    SQ_HOLD_LINE_LIST,
    "SELECT h.line_no, h.product_id, p.sku, h.location_id, l.code, h.qty FROM hold_lines h"
    " JOIN products p ON p.id = h.product_id JOIN locations l ON l.id = h.location_id"
    " WHERE h.hold_id = ?1 ORDER BY h.line_no, l.code"};
static const struct sq_sql SQL_HOLD_STOCK_LIST = {
    SQ_HOLD_STOCK_LIST, "SELECT product_id, location_id, qty FROM hold_stock WHERE hold_id = ?1"
                        " ORDER BY product_id, location_id"};
static const struct sq_sql SQL_HOLD_FINISH = {
    SQ_HOLD_FINISH, "UPDATE holds SET status = ?2, order_id = ?3, updated_at = ?4"
                    " WHERE id = ?1 AND status = 'active'"};
static const struct sq_sql SQL_HOLD_STOCK_DELETE = {SQ_HOLD_STOCK_DELETE,
                                                    "DELETE FROM hold_stock WHERE hold_id = ?1"};
static const struct sq_sql SQL_HOLD_SET_ORDER = {SQ_HOLD_SET_ORDER,
                                                 "UPDATE holds SET order_id = ?2 WHERE id = ?1"};
static const struct sq_sql SQL_HOLD_EXPIRED = {
    SQ_HOLD_EXPIRED, "SELECT id FROM holds WHERE status = 'active' AND expires_at <= ?1"
                     " ORDER BY expires_at LIMIT ?2"};
static const struct sq_sql SQL_HOLD_TOTALS = {
    SQ_HOLD_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, 0, t.qty, 0, 0, 0"
    " FROM (SELECT product_id, location_id, sum(qty) AS qty FROM hold_stock"
    " GROUP BY product_id, location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

static enum err_code hold_insert_line(struct store_conn *conn, const char *hold_id,
                                      const struct hold_line *line, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_LINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, hold_id);
    sq_bind_i64(&bind, line->line_no);
    sq_bind_i64(&bind, line->product_row_id);
    sq_bind_i64(&bind, line->location_row_id);
    sq_bind_i64(&bind, line->qty);
    code = sq_bind_check(conn, &bind, "hold line", err);
    return code == ERR_OK ? sq_run(conn, stmt, "hold line insert", err) : code;
}

static enum err_code hold_insert_stock(struct store_conn *conn, const struct hold *hold,
                                       const struct hold_stock *stock, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_STOCK_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, hold->id);
    sq_bind_i64(&bind, stock->product_row_id);
    sq_bind_i64(&bind, stock->location_row_id);
    sq_bind_i64(&bind, stock->qty);
    sq_bind_i64(&bind, hold->expires_at_ms);
    code = sq_bind_check(conn, &bind, "hold stock", err);
    return code == ERR_OK ? sq_run(conn, stmt, "hold stock insert", err) : code;
}

enum err_code sqlite_hold_insert(struct store_conn *conn, const struct hold *hold, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(hold != NULL && hold->id != NULL && hold->status == HOLD_STATUS_ACTIVE);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, hold->id);
    sq_bind_text(&bind, hold->channel);
    sq_bind_text(&bind, hold_status_name(hold->status));
    sq_bind_i64(&bind, hold->ttl_seconds);
    sq_bind_i64(&bind, hold->expires_at_ms);
    sq_bind_text(&bind, hold->order_id);
    sq_bind_i64(&bind, hold->created_at_ms);
    sq_bind_i64(&bind, hold->updated_at_ms);
    code = sq_bind_check(conn, &bind, "hold", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "hold insert", err);
    }
    for (size_t i = 0; code == ERR_OK && i < hold->lines_count; i++) {
        code = hold_insert_line(conn, hold->id, &hold->lines[i], err);
    }
    for (size_t i = 0; code == ERR_OK && i < hold->stock_count; i++) {
        code = hold_insert_stock(conn, hold, &hold->stock[i], err);
    }
    return code;
}

static enum err_code hold_read(struct sq_row *row, void *item, struct err *err)
{
    struct hold *hold = item;
    hold->id = sq_col_text(row);
    hold->channel = sq_col_text(row);
    const char *status = sq_col_text(row);
    if (!hold_status_parse(status, &hold->status)) {
        return sq_corrupt(err, "hold status", status != NULL ? status : "NULL");
    }
    hold->ttl_seconds = sq_col_i64(row);
    hold->expires_at_ms = sq_col_i64(row);
    hold->order_id = sq_col_text(row);
    hold->created_at_ms = sq_col_i64(row);
    hold->updated_at_ms = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code hold_line_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct hold_line *line = item;
    line->line_no = sq_col_i64(row);
    line->product_row_id = sq_col_i64(row);
    line->sku = sq_col_text(row);
    line->location_row_id = sq_col_i64(row);
    line->location_code = sq_col_text(row);
    line->qty = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code hold_stock_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct hold_stock *stock = item;
    stock->product_row_id = sq_col_i64(row);
    stock->location_row_id = sq_col_i64(row);
    stock->qty = sq_col_i64(row);
    return ERR_OK;
}

/* Reads every row of a statement keyed by the hold id into an arena array. */
static enum err_code hold_list(struct store_conn *conn, struct arena *arena,
                               const struct sq_sql *sql, const char *id, struct sq_reader *reader,
                               struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, id);
    code = sq_bind_check(conn, &bind, reader->what, err);
    if (code != ERR_OK) {
        return code;
    }
    reader->arena = arena;
    return sq_read_all(conn, stmt, reader, err);
}

enum err_code sqlite_hold_get(struct store_conn *conn, struct arena *arena, const char *id,
                              struct hold *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena, .read = hold_read, .what = "hold"};
    sqlite3_stmt *stmt = NULL;
    code = sq_stmt(conn, &SQL_HOLD_GET, &stmt, err);
    if (code == ERR_OK) {
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        sq_bind_text(&bind, id);
        code = sq_bind_check(conn, &bind, "hold", err);
    }
    if (code == ERR_OK) {
        code = sq_read_one(conn, stmt, &reader, out, err);
    }
    struct sq_reader lines = {
        .read = hold_line_read, .what = "hold line", .elem_size = sizeof(struct hold_line)};
    if (code == ERR_OK) {
        code = hold_list(conn, arena, &SQL_HOLD_LINE_LIST, id, &lines, err);
    }
    struct sq_reader stock = {
        .read = hold_stock_read, .what = "hold stock", .elem_size = sizeof(struct hold_stock)};
    if (code == ERR_OK) {
        code = hold_list(conn, arena, &SQL_HOLD_STOCK_LIST, id, &stock, err);
    }
    sq_snapshot_end(conn, owned);
    out->lines = lines.items;
    out->lines_count = lines.count;
    out->stock = stock.items;
    out->stock_count = stock.count;
    return code;
}

enum err_code sqlite_hold_finish(struct store_conn *conn, const struct hold *hold, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(hold != NULL && hold->status != HOLD_STATUS_ACTIVE);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_FINISH, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, hold->id);
    sq_bind_text(&bind, hold_status_name(hold->status));
    sq_bind_text(&bind, hold->order_id);
    sq_bind_i64(&bind, hold->updated_at_ms);
    code = sq_bind_check(conn, &bind, "hold", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "hold finish", err);
    }
    if (code == ERR_OK && sqlite3_changes(conn->db) == 0) {
        return err_set(err, ERR_STATE, "hold_id", "hold %s is no longer active", hold->id);
    }
    if (code == ERR_OK) {
        code = sq_stmt(conn, &SQL_HOLD_STOCK_DELETE, &stmt, err);
    }
    if (code == ERR_OK) {
        sq_bind_init(&bind, stmt);
        sq_bind_text(&bind, hold->id);
        code = sq_bind_check(conn, &bind, "hold stock", err);
    }
    return code == ERR_OK ? sq_run(conn, stmt, "hold stock delete", err) : code;
}

enum err_code sqlite_hold_set_order(struct store_conn *conn, const char *id, const char *order_id,
                                    struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(id != NULL && order_id != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_SET_ORDER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, id);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "hold", err);
    return code == ERR_OK ? sq_run(conn, stmt, "hold order", err) : code;
}

static enum err_code hold_id_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    *(const char **)item = sq_col_text(row);
    return ERR_OK;
}

enum err_code sqlite_hold_expired(struct store_conn *conn, struct arena *arena, int64_t now_ms,
                                  struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(ids != NULL && ids->limit > 0);
    ids->ids = NULL;
    ids->count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_EXPIRED, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, now_ms);
    sq_bind_i64(&bind, (int64_t)ids->limit);
    code = sq_bind_check(conn, &bind, "expired holds", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = hold_id_read,
                               .what = "expired holds",
                               .elem_size = sizeof(const char *)};
    code = sq_read_all(conn, stmt, &reader, err);
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

enum err_code sqlite_hold_totals(struct store_conn *conn, struct arena *arena,
                                 struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_HOLD_TOTALS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = sq_read_stock_row,
                               .what = "hold totals",
                               .elem_size = sizeof(struct stock_row)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
