/*
 * pg_inventory.c — stock balances and the inventory ledger in PostgreSQL. A balance moves only
 * through one conditional statement (never read, compute, write), so a reservation is safe
 * whatever else runs; the caller writes the matching ledger row in the same transaction.
 *
 * The twin of sqlite_inventory.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/inventory.h"
#include "core/limits.h"
#include "store/batch.h"
#include "store/store.h"

static const struct pg_sql SQL_STOCK_GET = {
    PGS_STOCK_GET, "SELECT on_hand, reserved, safety_stock, inbound FROM inventory"
                   " WHERE product_id = $1 AND location_id = $2"};

/*
 * A balance moves by a conditional UPDATE (SQLite reads and rewrites the row in one INSERT ...
 * ON CONFLICT statement, which is safe there with one writer but would lose a concurrent
 * process's move here). Under READ COMMITTED an UPDATE that waited for another transaction's
 * row lock checks its WHERE again on the row that transaction left, so two processes can never
 * reserve the same units. When no row exists yet, PGS_STOCK_CREATE inserts it from zeros under
 * the same conditions (ON CONFLICT DO NOTHING: a row another process created meanwhile is then
 * moved by a second UPDATE).
 */
static const struct pg_sql SQL_STOCK_APPLY = {
    PGS_STOCK_APPLY,
    "UPDATE inventory SET on_hand = on_hand + $3, reserved = reserved + $4, updated_at = $6"
    " WHERE product_id = $1 AND location_id = $2 AND on_hand + $3 >= 0 AND reserved + $4 >= 0"
    " AND reserved + $4 <= on_hand + $3 AND ($5::bigint = 0 OR on_hand - reserved - safety_stock "
    ">= $4)"};
/* SQL_STOCK_APPLY's reservation (no on_hand change, ATP checked) as a statement that fails
 * (ordo_require, migration 014) when the row does not move: the pipeline need not wait for it. */
static const struct pg_sql SQL_STOCK_RESERVE_PLANNED = {
    PGS_STOCK_RESERVE_PLANNED,
    "WITH moved AS (UPDATE inventory SET reserved = reserved + $3, updated_at = $4"
    " WHERE product_id = $1 AND location_id = $2 AND on_hand >= 0 AND reserved + $3 >= 0"
    " AND reserved + $3 <= on_hand AND on_hand - reserved - safety_stock >= $3 RETURNING 1)"
    " SELECT ordo_require(EXISTS (SELECT 1 FROM moved), 'not enough stock for the plan')"};
static const struct pg_sql SQL_STOCK_CREATE = {
    PGS_STOCK_CREATE,
    "INSERT INTO inventory (product_id, location_id, on_hand, reserved, safety_stock, inbound,"
    " updated_at) SELECT $1::bigint, $2::bigint, $3::bigint, $4::bigint, 0, 0, $6::bigint"
    " WHERE $3::bigint >= 0 AND $4::bigint >= 0 AND $4::bigint <= $3::bigint"
    " AND ($5::bigint = 0 OR $4::bigint <= 0)"
    " ON CONFLICT (product_id, location_id) DO NOTHING"};

static const struct pg_sql SQL_STOCK_SET_SAFETY = {
    PGS_STOCK_SET_SAFETY,
    "INSERT INTO inventory (product_id, location_id, on_hand, reserved, safety_stock, inbound,"
    " updated_at) VALUES ($1, $2, 0, 0, $3, 0, $4)"
    " ON CONFLICT (product_id, location_id) DO UPDATE SET safety_stock = excluded.safety_stock,"
    " updated_at = excluded.updated_at"};

#define STOCK_ROW_COLUMNS                                                                          \
    "i.product_id, i.location_id, p.sku, l.code, i.on_hand, i.reserved, i.safety_stock,"           \
    " i.inbound, i.updated_at"

static const struct pg_sql SQL_STOCK_LIST_BY_PRODUCT = {
    PGS_STOCK_LIST_BY_PRODUCT,
    "SELECT " STOCK_ROW_COLUMNS " FROM inventory i JOIN products p ON p.id = i.product_id"
    " JOIN locations l ON l.id = i.location_id WHERE i.product_id = $1 ORDER BY l.code"};
/* Each product's balances by its own index probe: see SQL_PRODUCT_GET_MANY (pg_catalog.c).
 * Without names (as SQLite's): the capture that asks knows them. */
static const struct pg_sql SQL_STOCK_LIST_BY_PRODUCTS = {
    PGS_STOCK_LIST_BY_PRODUCTS,
    "SELECT s.* FROM (SELECT DISTINCT json_array_elements_text($1::json)::bigint AS id) k"
    " CROSS JOIN LATERAL (SELECT i.product_id, i.location_id, NULL::text AS sku,"
    " NULL::text AS code, i.on_hand, i.reserved, i.safety_stock, i.inbound, i.updated_at"
    " FROM inventory i WHERE i.product_id = k.id OFFSET 0) s ORDER BY s.product_id,"
    " s.location_id"};
static const struct pg_sql SQL_STOCK_LIST_ALL = {
    PGS_STOCK_LIST_ALL,
    "SELECT " STOCK_ROW_COLUMNS " FROM inventory i JOIN products p ON p.id = i.product_id"
    " JOIN locations l ON l.id = i.location_id ORDER BY i.product_id, i.location_id"};

static const struct pg_sql SQL_LEDGER_INSERT = {
    PGS_LEDGER_INSERT,
    "INSERT INTO inventory_ledger (product_id, location_id, kind, on_hand_delta, reserved_delta,"
    " reason, ref_type, ref_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"
    " RETURNING id"};
/* As on SQLite; PostgreSQL walks inventory_ledger_by_product (product_id, id) backwards. */
static const struct pg_sql SQL_LEDGER_LIST = {
    PGS_LEDGER_LIST,
    "SELECT g.id, g.product_id, g.location_id, p.sku, l.code, g.kind, g.on_hand_delta,"
    " g.reserved_delta, g.reason, g.ref_type, g.ref_id, g.created_at"
    " FROM inventory_ledger g CROSS JOIN products p CROSS JOIN locations l"
    " WHERE p.id = g.product_id AND l.id = g.location_id AND g.product_id = $1"
    " AND ($2::bigint = 0 OR g.location_id = $2) AND g.id < $3 ORDER BY g.id DESC LIMIT $4"};
static const struct pg_sql SQL_LEDGER_TOTALS = {
    PGS_LEDGER_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, t.on_hand, t.reserved, 0, 0, t.last"
    " FROM (SELECT product_id, location_id, sum(on_hand_delta) AS on_hand,"
    " sum(reserved_delta) AS reserved, max(created_at) AS last FROM inventory_ledger"
    " GROUP BY product_id, location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

enum err_code pg_read_stock_row(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct stock_row *stock_row = item;
    stock_row->product_row_id = pg_col_i64(row);
    stock_row->location_row_id = pg_col_i64(row);
    stock_row->sku = pg_col_text(row);
    stock_row->location_code = pg_col_text(row);
    stock_row->stock.on_hand = pg_col_i64(row);
    stock_row->stock.reserved = pg_col_i64(row);
    stock_row->stock.safety_stock = pg_col_i64(row);
    stock_row->stock.inbound = pg_col_i64(row);
    stock_row->updated_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code ledger_read(struct pg_row *row, void *item, struct err *err)
{
    struct ledger_entry *entry = item;
    entry->row_id = pg_col_i64(row);
    entry->product_row_id = pg_col_i64(row);
    entry->location_row_id = pg_col_i64(row);
    entry->sku = pg_col_text(row);
    entry->location_code = pg_col_text(row);
    const char *kind = pg_col_text(row);
    if (kind != NULL && !ledger_kind_parse(kind, &entry->kind)) {
        return pg_corrupt(err, "ledger kind", kind);
    }
    entry->on_hand_delta = pg_col_i64(row);
    entry->reserved_delta = pg_col_i64(row);
    entry->reason = pg_col_text(row);
    entry->ref_type = pg_col_text(row);
    entry->ref_id = pg_col_text(row);
    entry->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_stock_get(struct store_conn *conn, int64_t product_row_id, int64_t location_row_id,
                           struct stock *out, bool *exists, struct err *err)
{
    ASSERT(conn != NULL && out != NULL && exists != NULL);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    memset(out, 0, sizeof(*out));
    *exists = false;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_STOCK_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, product_row_id);
    pg_bind_i64(&bind, location_row_id);
    code = pg_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_step_row(conn, stmt, exists, "stock", err);
    if (code == ERR_OK && *exists) {
        out->on_hand = pg_value_i64(stmt, 0);
        out->reserved = pg_value_i64(stmt, 1);
        out->safety_stock = pg_value_i64(stmt, 2);
        out->inbound = pg_value_i64(stmt, 3);
        ASSERT(inventory_is_consistent(out)); /* the table's CHECK holds on every row */
    }
    pg_done(stmt);
    return code;
}

/* The parameters of SQL_STOCK_APPLY and SQL_STOCK_CREATE. */
struct stock_move {
    int64_t product_row_id;
    int64_t location_row_id;
    int64_t on_hand_delta;
    int64_t reserved_delta;
    bool check_atp;
    int64_t now_ms;
};

static enum err_code stock_move_run(struct store_conn *conn, const struct pg_sql *sql,
                                    const struct stock_move *move, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, move->product_row_id);
    pg_bind_i64(&bind, move->location_row_id);
    pg_bind_i64(&bind, move->on_hand_delta);
    pg_bind_i64(&bind, move->reserved_delta);
    pg_bind_bool(&bind, move->check_atp);
    pg_bind_i64(&bind, move->now_ms);
    code = pg_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "stock", err);
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code pg_stock_apply(struct store_conn *conn, int64_t product_row_id,
                             int64_t location_row_id, int64_t on_hand_delta, int64_t reserved_delta,
                             bool check_atp, int64_t now_ms, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    struct stock_move move = {product_row_id, location_row_id, on_hand_delta,
                              reserved_delta, check_atp,       now_ms};
    enum err_code code = stock_move_run(conn, &SQL_STOCK_APPLY, &move, err);
    if (code != ERR_OK || pg_changes(conn) > 0) {
        return code;
    }
    code = stock_move_run(conn, &SQL_STOCK_CREATE, &move, err);
    if (code != ERR_OK || pg_changes(conn) > 0) {
        return code;
    }
    /* No row was created: the conditions fail on zeros, or another process created the row
     * meanwhile; in that case it is moved now. */
    code = stock_move_run(conn, &SQL_STOCK_APPLY, &move, err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        return err_set(err, ERR_STOCK, NULL,
                       "stock cannot move by on_hand %+" PRId64 " and reserved %+" PRId64,
                       on_hand_delta, reserved_delta);
    }
    return code;
}

enum err_code pg_stock_reserve_planned(struct store_conn *conn, int64_t product_row_id,
                                       int64_t location_row_id, int64_t qty, int64_t now_ms,
                                       struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(product_row_id > 0 && location_row_id > 0 && qty > 0);
    const int64_t params[] = {product_row_id, location_row_id, qty, now_ms};
    struct pg_query *stmt = NULL;
    enum err_code code =
        pg_stmt_i64(conn, &SQL_STOCK_RESERVE_PLANNED, params, ARRAY_LEN(params), &stmt, err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "stock", err) : code;
}

enum err_code pg_stock_set_safety(struct store_conn *conn, int64_t product_row_id,
                                  int64_t location_row_id, int64_t safety_stock, int64_t now_ms,
                                  struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    ASSERT(safety_stock >= 0);
    const int64_t params[] = {product_row_id, location_row_id, safety_stock, now_ms};
    struct pg_query *stmt = NULL;
    enum err_code code =
        pg_stmt_i64(conn, &SQL_STOCK_SET_SAFETY, params, ARRAY_LEN(params), &stmt, err);
    return code == ERR_OK ? pg_run(conn, stmt, "stock", err) : code;
}

enum err_code pg_stock_list_by_product(struct store_conn *conn, struct arena *arena,
                                       int64_t product_row_id, struct stock_row **out,
                                       size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_STOCK_LIST_BY_PRODUCT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, product_row_id);
    code = pg_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = pg_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_stock_by_products_bind(struct store_conn *conn, struct arena *arena,
                                        const int64_t *product_row_ids, size_t count,
                                        struct pg_query **out, struct err *err)
{
    const char *ids = batch_json_i64s(arena, product_row_ids, count);
    if (ids == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = pg_stmt(conn, &SQL_STOCK_LIST_BY_PRODUCTS, out, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, *out);
    pg_bind_text(&bind, ids);
    return pg_bind_check(conn, &bind, "stock", err);
}

enum err_code pg_stock_list_by_products(struct store_conn *conn, struct arena *arena,
                                        const int64_t *product_row_ids, size_t count,
                                        struct stock_list *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && (product_row_ids != NULL || count == 0));
    ASSERT(count <= (size_t)ORDER_LINES_MAX * KIT_COMPONENTS_MAX);
    out->rows = NULL;
    out->count = 0;
    if (count == 0) {
        return ERR_OK;
    }
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stock_by_products_bind(conn, arena, product_row_ids, count, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = pg_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = pg_read_all(conn, stmt, &reader, err);
    out->rows = reader.items;
    out->count = reader.count;
    return code;
}

enum err_code pg_stock_list_all(struct store_conn *conn, struct arena *arena,
                                struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_STOCK_LIST_ALL, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = pg_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_ledger_insert(struct store_conn *conn, struct ledger_entry *entry, struct err *err)
{
    ASSERT(conn != NULL && entry != NULL);
    ASSERT(entry->product_row_id > 0 && entry->location_row_id > 0);
    ASSERT((int)entry->kind >= 0 && entry->kind < LEDGER_COUNT);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LEDGER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, entry->product_row_id);
    pg_bind_i64(&bind, entry->location_row_id);
    pg_bind_text(&bind, ledger_kind_name(entry->kind));
    pg_bind_i64(&bind, entry->on_hand_delta);
    pg_bind_i64(&bind, entry->reserved_delta);
    pg_bind_text(&bind, entry->reason);
    pg_bind_text(&bind, entry->ref_type);
    pg_bind_text(&bind, entry->ref_id);
    pg_bind_i64(&bind, entry->created_at_ms);
    code = pg_bind_check(conn, &bind, "ledger entry", err);
    if (code != ERR_OK) {
        return code;
    }
    entry->row_id = 0; /* not read back (store.h) */
    return pg_run_later(conn, stmt, "ledger entry", err);
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code pg_ledger_list(struct store_conn *conn, struct arena *arena, int64_t product_row_id,
                             int64_t location_row_id, int64_t before_row_id, size_t limit,
                             struct ledger_entry **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    ASSERT(location_row_id >= 0 && before_row_id >= 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LEDGER_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, product_row_id);
    pg_bind_i64(&bind, location_row_id);
    pg_bind_i64(&bind, before_row_id > 0 ? before_row_id : INT64_MAX);
    pg_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = pg_bind_check(conn, &bind, "ledger entry", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = ledger_read,
                               .what = "ledger entry",
                               .elem_size = sizeof(struct ledger_entry)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_ledger_totals(struct store_conn *conn, struct arena *arena, struct stock_row **out,
                               size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LEDGER_TOTALS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = pg_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
