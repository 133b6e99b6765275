/*
 * pg_holds.c — soft holds for carts (issue 3) in SQLite: the hold, the lines it shows and
 * the stock rows it reserves while active. The reservation itself moves through
 * store_stock_apply and the ledger (the caller's job, in the same transaction); a hold ends
 * once only (finish applies to an active hold, and deletes its stock rows).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/availability.h"
#include "store/store.h"

static const struct pg_sql SQL_HOLD_INSERT = {
    PGS_HOLD_INSERT, "INSERT INTO holds (id, channel, status, ttl_seconds, expires_at, order_id,"
                     " created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"};
static const struct pg_sql SQL_HOLD_LINE_INSERT = {
    PGS_HOLD_LINE_INSERT, "INSERT INTO hold_lines (hold_id, line_no, product_id, location_id, qty)"
                          " VALUES ($1, $2, $3, $4, $5)"};
static const struct pg_sql SQL_HOLD_STOCK_INSERT = {
    PGS_HOLD_STOCK_INSERT, "INSERT INTO hold_stock (hold_id, product_id, location_id, qty,"
                           " expires_at) VALUES ($1, $2, $3, $4, $5)"};
static const struct pg_sql SQL_HOLD_GET = {
    PGS_HOLD_GET, "SELECT id, channel, status, ttl_seconds, expires_at, order_id, created_at,"
                  " updated_at FROM holds WHERE id = $1"};
static const struct pg_sql SQL_HOLD_LINE_LIST = {
    PGS_HOLD_LINE_LIST,
    "SELECT h.line_no, h.product_id, p.sku, h.location_id, l.code, h.qty FROM hold_lines h"
    " JOIN products p ON p.id = h.product_id JOIN locations l ON l.id = h.location_id"
    " WHERE h.hold_id = $1 ORDER BY h.line_no, l.code"};
static const struct pg_sql SQL_HOLD_STOCK_LIST = {
    PGS_HOLD_STOCK_LIST, "SELECT product_id, location_id, qty FROM hold_stock WHERE hold_id = $1"
                         " ORDER BY product_id, location_id"};
static const struct pg_sql SQL_HOLD_FINISH = {
    PGS_HOLD_FINISH, "UPDATE holds SET status = $2, order_id = $3, updated_at = $4"
                     " WHERE id = $1 AND status = 'active'"};
static const struct pg_sql SQL_HOLD_STOCK_DELETE = {PGS_HOLD_STOCK_DELETE,
                                                    "DELETE FROM hold_stock WHERE hold_id = $1"};
static const struct pg_sql SQL_HOLD_SET_ORDER = {PGS_HOLD_SET_ORDER,
                                                 "UPDATE holds SET order_id = $2 WHERE id = $1"};
static const struct pg_sql SQL_HOLD_EXPIRED = {
    PGS_HOLD_EXPIRED, "SELECT id FROM holds WHERE status = 'active' AND expires_at <= $1"
                      " ORDER BY expires_at, id LIMIT $2"};
static const struct pg_sql SQL_HOLD_TOTALS = {
    PGS_HOLD_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, 0, t.qty, 0, 0, 0"
    " FROM (SELECT product_id, location_id, sum(qty) AS qty FROM hold_stock"
    " GROUP BY product_id, location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

static enum err_code hold_insert_line(struct store_conn *conn, const char *hold_id,
                                      const struct hold_line *line, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_LINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, hold_id);
    pg_bind_i64(&bind, line->line_no);
    pg_bind_i64(&bind, line->product_row_id);
    pg_bind_i64(&bind, line->location_row_id);
    pg_bind_i64(&bind, line->qty);
    code = pg_bind_check(conn, &bind, "hold line", err);
    return code == ERR_OK ? pg_run(conn, stmt, "hold line insert", err) : code;
}

static enum err_code hold_insert_stock(struct store_conn *conn, const struct hold *hold,
                                       const struct hold_stock *stock, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_STOCK_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, hold->id);
    pg_bind_i64(&bind, stock->product_row_id);
    pg_bind_i64(&bind, stock->location_row_id);
    pg_bind_i64(&bind, stock->qty);
    pg_bind_i64(&bind, hold->expires_at_ms);
    code = pg_bind_check(conn, &bind, "hold stock", err);
    return code == ERR_OK ? pg_run(conn, stmt, "hold stock insert", err) : code;
}

enum err_code pg_hold_insert(struct store_conn *conn, const struct hold *hold, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(hold != NULL && hold->id != NULL && hold->status == HOLD_STATUS_ACTIVE);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, hold->id);
    pg_bind_text(&bind, hold->channel);
    pg_bind_text(&bind, hold_status_name(hold->status));
    pg_bind_i64(&bind, hold->ttl_seconds);
    pg_bind_i64(&bind, hold->expires_at_ms);
    pg_bind_text(&bind, hold->order_id);
    pg_bind_i64(&bind, hold->created_at_ms);
    pg_bind_i64(&bind, hold->updated_at_ms);
    code = pg_bind_check(conn, &bind, "hold", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "hold insert", err);
    }
    for (size_t i = 0; code == ERR_OK && i < hold->lines_count; i++) {
        code = hold_insert_line(conn, hold->id, &hold->lines[i], err);
    }
    for (size_t i = 0; code == ERR_OK && i < hold->stock_count; i++) {
        code = hold_insert_stock(conn, hold, &hold->stock[i], err);
    }
    return code;
}

static enum err_code hold_read(struct pg_row *row, void *item, struct err *err)
{
    struct hold *hold = item;
    hold->id = pg_col_text(row);
    hold->channel = pg_col_text(row);
    const char *status = pg_col_text(row);
    if (!hold_status_parse(status, &hold->status)) {
        return pg_corrupt(err, "hold status", status != NULL ? status : "NULL");
    }
    hold->ttl_seconds = pg_col_i64(row);
    hold->expires_at_ms = pg_col_i64(row);
    hold->order_id = pg_col_text(row);
    hold->created_at_ms = pg_col_i64(row);
    hold->updated_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code hold_line_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct hold_line *line = item;
    line->line_no = pg_col_i64(row);
    line->product_row_id = pg_col_i64(row);
    line->sku = pg_col_text(row);
    line->location_row_id = pg_col_i64(row);
    line->location_code = pg_col_text(row);
    line->qty = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code hold_stock_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct hold_stock *stock = item;
    stock->product_row_id = pg_col_i64(row);
    stock->location_row_id = pg_col_i64(row);
    stock->qty = pg_col_i64(row);
    return ERR_OK;
}

/* Reads every row of a statement keyed by the hold id into an arena array. */
static enum err_code hold_list(struct store_conn *conn, struct arena *arena,
                               const struct pg_sql *sql, const char *id, struct pg_reader *reader,
                               struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, id);
    code = pg_bind_check(conn, &bind, reader->what, err);
    if (code != ERR_OK) {
        return code;
    }
    reader->arena = arena;
    return pg_read_all(conn, stmt, reader, err);
}

enum err_code pg_hold_get(struct store_conn *conn, struct arena *arena, const char *id,
                          struct hold *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena, .read = hold_read, .what = "hold"};
    struct pg_query *stmt = NULL;
    code = pg_stmt(conn, &SQL_HOLD_GET, &stmt, err);
    if (code == ERR_OK) {
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, id);
        code = pg_bind_check(conn, &bind, "hold", err);
    }
    if (code == ERR_OK) {
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    struct pg_reader lines = {
        .read = hold_line_read, .what = "hold line", .elem_size = sizeof(struct hold_line)};
    if (code == ERR_OK) {
        code = hold_list(conn, arena, &SQL_HOLD_LINE_LIST, id, &lines, err);
    }
    struct pg_reader stock = {
        .read = hold_stock_read, .what = "hold stock", .elem_size = sizeof(struct hold_stock)};
    if (code == ERR_OK) {
        code = hold_list(conn, arena, &SQL_HOLD_STOCK_LIST, id, &stock, err);
    }
    pg_snapshot_end(conn, owned);
    out->lines = lines.items;
    out->lines_count = lines.count;
    out->stock = stock.items;
    out->stock_count = stock.count;
    return code;
}

enum err_code pg_hold_finish(struct store_conn *conn, const struct hold *hold, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(hold != NULL && hold->status != HOLD_STATUS_ACTIVE);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_FINISH, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, hold->id);
    pg_bind_text(&bind, hold_status_name(hold->status));
    pg_bind_text(&bind, hold->order_id);
    pg_bind_i64(&bind, hold->updated_at_ms);
    code = pg_bind_check(conn, &bind, "hold", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "hold finish", err);
    }
    if (code == ERR_OK && pg_changes(conn) == 0) {
        return err_set(err, ERR_STATE, "hold_id", "hold %s is no longer active", hold->id);
    }
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_HOLD_STOCK_DELETE, &stmt, err);
    }
    if (code == ERR_OK) {
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, hold->id);
        code = pg_bind_check(conn, &bind, "hold stock", err);
    }
    return code == ERR_OK ? pg_run(conn, stmt, "hold stock delete", err) : code;
}

enum err_code pg_hold_set_order(struct store_conn *conn, const char *id, const char *order_id,
                                struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(id != NULL && order_id != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_SET_ORDER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, id);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "hold", err);
    return code == ERR_OK ? pg_run(conn, stmt, "hold order", err) : code;
}

static enum err_code hold_id_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    *(const char **)item = pg_col_text(row);
    return ERR_OK;
}

enum err_code pg_hold_expired(struct store_conn *conn, struct arena *arena, int64_t now_ms,
                              struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(ids != NULL && ids->limit > 0);
    ids->ids = NULL;
    ids->count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_EXPIRED, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, now_ms);
    pg_bind_i64(&bind, (int64_t)ids->limit);
    code = pg_bind_check(conn, &bind, "expired holds", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = hold_id_read,
                               .what = "expired holds",
                               .elem_size = sizeof(const char *)};
    code = pg_read_all(conn, stmt, &reader, err);
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

enum err_code pg_hold_totals(struct store_conn *conn, struct arena *arena, struct stock_row **out,
                             size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_TOTALS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = pg_read_stock_row,
                               .what = "hold totals",
                               .elem_size = sizeof(struct stock_row)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
