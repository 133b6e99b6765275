/*
 * sqlite_inventory.c — stock balances and the inventory ledger in SQLite. A balance moves only
 * through one conditional statement (never read, compute, write), so a reservation is safe
 * whatever else runs; the caller writes the matching ledger row in the same transaction.
 */
#include "store/sqlite_int.h"

#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/inventory.h"
#include "core/limits.h"
#include "store/batch.h"
#include "store/store.h"

static const struct sq_sql SQL_STOCK_GET = {
    SQ_STOCK_GET, "SELECT on_hand, reserved, safety_stock, inbound FROM inventory"
                  " WHERE product_id = ?1 AND location_id = ?2"};

/*
 * A balance moves by one conditional statement: SQL_STOCK_MOVE when its row exists (every
 * reservation), else SQL_STOCK_APPLY, which reads the current balance (zeros when there is no
 * row), checks the conditions on it, and inserts the moved balance or, when the row exists,
 * writes it over. When a condition fails nothing is written and changes() is 0. SQL_STOCK_MOVE
 * alone is the common case because SQLite runs an INSERT that reads its own table through a
 * temporary table made for each run (~10 malloc() and a page cache).
 */
static const struct sq_sql SQL_STOCK_MOVE = {
    SQ_STOCK_MOVE,
    "UPDATE inventory SET on_hand = on_hand + ?3, reserved = reserved + ?4, updated_at = ?6"
    " WHERE product_id = ?1 AND location_id = ?2 AND on_hand + ?3 >= 0 AND reserved + ?4 >= 0"
    " AND reserved + ?4 <= on_hand + ?3 AND (?5 = 0 OR on_hand - reserved - safety_stock >= ?4)"};
static const struct sq_sql SQL_STOCK_APPLY = {
    SQ_STOCK_APPLY,
    "INSERT INTO inventory (product_id, location_id, on_hand, reserved, safety_stock, inbound,"
    " updated_at)"
    " SELECT ?1, ?2, c.on_hand + ?3, c.reserved + ?4, c.safety_stock, c.inbound, ?6"
    " FROM (SELECT coalesce(i.on_hand, 0) AS on_hand, coalesce(i.reserved, 0) AS reserved,"
    " coalesce(i.safety_stock, 0) AS safety_stock, coalesce(i.inbound, 0) AS inbound"
    " FROM (SELECT 1) LEFT JOIN inventory i ON i.product_id = ?1 AND i.location_id = ?2) AS c"
    " WHERE c.on_hand + ?3 >= 0 AND c.reserved + ?4 >= 0 AND c.reserved + ?4 <= c.on_hand + ?3"
    " AND (?5 = 0 OR c.on_hand - c.reserved - c.safety_stock >= ?4)"
    " ON CONFLICT (product_id, location_id) DO UPDATE SET on_hand = excluded.on_hand,"
    " reserved = excluded.reserved, updated_at = excluded.updated_at"};

static const struct sq_sql SQL_STOCK_SET_SAFETY = {
    SQ_STOCK_SET_SAFETY,
    "INSERT INTO inventory (product_id, location_id, on_hand, reserved, safety_stock, inbound,"
    " updated_at) VALUES (?1, ?2, 0, 0, ?3, 0, ?4)"
    " ON CONFLICT (product_id, location_id) DO UPDATE SET safety_stock = excluded.safety_stock,"
    " updated_at = excluded.updated_at"};

#define STOCK_ROW_COLUMNS                                                                          \
    "i.product_id, i.location_id, p.sku, l.code, i.on_hand, i.reserved, i.safety_stock,"           \
    " i.inbound, i.updated_at"

static const struct sq_sql SQL_STOCK_LIST_BY_PRODUCT = {
    SQ_STOCK_LIST_BY_PRODUCT,
    "SELECT " STOCK_ROW_COLUMNS " FROM inventory i JOIN products p ON p.id = i.product_id"
    " JOIN locations l ON l.id = i.location_id WHERE i.product_id = ?1 ORDER BY l.code"};
/* One product's balances for store_stock_list_by_products, without names: the capture that
 * asks knows them, and a join to products and locations per row cost more than the read. */
static const struct sq_sql SQL_STOCK_LIST_BY_PRODUCTS = {
    SQ_STOCK_LIST_BY_PRODUCTS,
    "SELECT product_id, location_id, NULL, NULL, on_hand, reserved, safety_stock, inbound,"
    " updated_at FROM inventory WHERE product_id = ?1 ORDER BY location_id"};
static const struct sq_sql SQL_STOCK_LIST_ALL = {
    SQ_STOCK_LIST_ALL,
    "SELECT " STOCK_ROW_COLUMNS " FROM inventory i JOIN products p ON p.id = i.product_id"
    " JOIN locations l ON l.id = i.location_id ORDER BY i.product_id, i.location_id"};

static const struct sq_sql SQL_LEDGER_INSERT = {
    SQ_LEDGER_INSERT,
    "INSERT INTO inventory_ledger (product_id, location_id, kind, on_hand_delta, reserved_delta,"
    " reason, ref_type, ref_id, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"};
/* CROSS JOIN keeps the ledger as the outer loop, so its index yields rows newest first. */
static const struct sq_sql SQL_LEDGER_LIST = {
    SQ_LEDGER_LIST,
    "SELECT g.id, g.product_id, g.location_id, p.sku, l.code, g.kind, g.on_hand_delta,"
    " g.reserved_delta, g.reason, g.ref_type, g.ref_id, g.created_at"
    " FROM inventory_ledger g CROSS JOIN products p CROSS JOIN locations l"
    " WHERE p.id = g.product_id AND l.id = g.location_id AND g.product_id = ?1"
    " AND (?2 = 0 OR g.location_id = ?2) AND g.id < ?3 ORDER BY g.id DESC LIMIT ?4"};
static const struct sq_sql SQL_LEDGER_TOTALS = {
    SQ_LEDGER_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, t.on_hand, t.reserved, 0, 0, t.last"
    " FROM (SELECT product_id, location_id, sum(on_hand_delta) AS on_hand,"
    " sum(reserved_delta) AS reserved, max(created_at) AS last FROM inventory_ledger"
    " GROUP BY product_id, location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

enum err_code sq_read_stock_row(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct stock_row *stock_row = item;
    stock_row->product_row_id = sq_col_i64(row);
    stock_row->location_row_id = sq_col_i64(row);
    stock_row->sku = sq_col_text(row);
    stock_row->location_code = sq_col_text(row);
    stock_row->stock.on_hand = sq_col_i64(row);
    stock_row->stock.reserved = sq_col_i64(row);
    stock_row->stock.safety_stock = sq_col_i64(row);
    stock_row->stock.inbound = sq_col_i64(row);
    stock_row->updated_at_ms = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code ledger_read(struct sq_row *row, void *item, struct err *err)
{
    struct ledger_entry *entry = item;
    entry->row_id = sq_col_i64(row);
    entry->product_row_id = sq_col_i64(row);
    entry->location_row_id = sq_col_i64(row);
    entry->sku = sq_col_text(row);
    entry->location_code = sq_col_text(row);
    const char *kind = sq_col_text(row);
    if (kind != NULL && !ledger_kind_parse(kind, &entry->kind)) {
        return sq_corrupt(err, "ledger kind", kind);
    }
    entry->on_hand_delta = sq_col_i64(row);
    entry->reserved_delta = sq_col_i64(row);
    entry->reason = sq_col_text(row);
    entry->ref_type = sq_col_text(row);
    entry->ref_id = sq_col_text(row);
    entry->created_at_ms = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_stock_get(struct store_conn *conn, int64_t product_row_id,
                               int64_t location_row_id, struct stock *out, bool *exists,
                               struct err *err)
{
    ASSERT(conn != NULL && out != NULL && exists != NULL);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    memset(out, 0, sizeof(*out));
    *exists = false;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_STOCK_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, product_row_id);
    sq_bind_i64(&bind, location_row_id);
    code = sq_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_step_row(conn, stmt, exists, "stock", err);
    if (code == ERR_OK && *exists) {
        out->on_hand = sqlite3_column_int64(stmt, 0);
        out->reserved = sqlite3_column_int64(stmt, 1);
        out->safety_stock = sqlite3_column_int64(stmt, 2);
        out->inbound = sqlite3_column_int64(stmt, 3);
        ASSERT(inventory_is_consistent(out)); /* the table's CHECK holds on every row */
    }
    sq_done(stmt);
    return code;
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code sqlite_stock_apply(struct store_conn *conn, int64_t product_row_id,
                                 int64_t location_row_id, int64_t on_hand_delta,
                                 int64_t reserved_delta, bool check_atp, int64_t now_ms,
                                 struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    enum err_code code = ERR_OK;
    int changes = 0;
    for (int pass = 0; code == ERR_OK && changes == 0 && pass < 2; pass++) {
        sqlite3_stmt *stmt = NULL;
        code = sq_stmt(conn, pass == 0 ? &SQL_STOCK_MOVE : &SQL_STOCK_APPLY, &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        sq_bind_i64(&bind, product_row_id);
        sq_bind_i64(&bind, location_row_id);
        sq_bind_i64(&bind, on_hand_delta);
        sq_bind_i64(&bind, reserved_delta);
        sq_bind_bool(&bind, check_atp);
        sq_bind_i64(&bind, now_ms);
        code = sq_bind_check(conn, &bind, "stock", err);
        code = code == ERR_OK ? sq_run(conn, stmt, "stock", err) : code;
        changes = sqlite3_changes(conn->db);
    }
    if (code == ERR_OK && changes == 0) {
        return err_set(err, ERR_STOCK, NULL,
                       "stock cannot move by on_hand %+" PRId64 " and reserved %+" PRId64,
                       on_hand_delta, reserved_delta);
    }
    return code;
}

enum err_code sqlite_stock_reserve_planned(struct store_conn *conn, int64_t product_row_id,
                                           int64_t location_row_id, int64_t qty, int64_t now_ms,
                                           struct err *err)
{
    /* One writer, in process: the answer costs nothing to wait for. */
    return sqlite_stock_apply(conn, product_row_id, location_row_id, 0, qty, true, now_ms, err);
}

enum err_code sqlite_stock_set_safety(struct store_conn *conn, int64_t product_row_id,
                                      int64_t location_row_id, int64_t safety_stock, int64_t now_ms,
                                      struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(product_row_id > 0 && location_row_id > 0);
    ASSERT(safety_stock >= 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_STOCK_SET_SAFETY, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, product_row_id);
    sq_bind_i64(&bind, location_row_id);
    sq_bind_i64(&bind, safety_stock);
    sq_bind_i64(&bind, now_ms);
    code = sq_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "stock", err);
}

enum err_code sqlite_stock_list_by_product(struct store_conn *conn, struct arena *arena,
                                           int64_t product_row_id, struct stock_row **out,
                                           size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_STOCK_LIST_BY_PRODUCT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, product_row_id);
    code = sq_bind_check(conn, &bind, "stock", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = sq_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

static int stock_id_cmp(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a;
    int64_t y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Each distinct product by its own run of one cached statement: an IN list (json_each) made
 * SQLite build a temporary table for every capture. */
enum err_code sqlite_stock_list_by_products(struct store_conn *conn, struct arena *arena,
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
    int64_t *ids = ARENA_NEW_ARRAY(arena, int64_t, count);
    struct sq_reader *parts = ARENA_NEW_ARRAY(arena, struct sq_reader, count);
    if (ids == NULL || parts == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memcpy(ids, product_row_ids, count * sizeof(*ids));
    qsort(ids, count, sizeof(*ids), stock_id_cmp);
    size_t distinct = 0;
    size_t total = 0;
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (i > 0 && ids[i] == ids[i - 1]) {
            continue;
        }
        sqlite3_stmt *stmt = NULL;
        code = sq_stmt(conn, &SQL_STOCK_LIST_BY_PRODUCTS, &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        sq_bind_i64(&bind, ids[i]);
        code = sq_bind_check(conn, &bind, "stock", err);
        if (code != ERR_OK) {
            return code;
        }
        struct sq_reader *part = &parts[distinct++];
        *part = (struct sq_reader){.arena = arena,
                                   .read = sq_read_stock_row,
                                   .what = "stock",
                                   .elem_size = sizeof(struct stock_row)};
        code = sq_read_all(conn, stmt, part, err);
        total += part->count;
    }
    if (code != ERR_OK || total == 0) {
        return code;
    }
    struct stock_row *rows = ARENA_NEW_ARRAY(arena, struct stock_row, total);
    if (rows == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; i < distinct; i++) {
        if (parts[i].count > 0) {
            memcpy(rows + out->count, parts[i].items, parts[i].count * sizeof(*rows));
            out->count += parts[i].count;
        }
    }
    out->rows = rows;
    return ERR_OK;
}

enum err_code sqlite_stock_list_all(struct store_conn *conn, struct arena *arena,
                                    struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_STOCK_LIST_ALL, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = sq_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code sqlite_ledger_insert(struct store_conn *conn, struct ledger_entry *entry,
                                   struct err *err)
{
    ASSERT(conn != NULL && entry != NULL);
    ASSERT(entry->product_row_id > 0 && entry->location_row_id > 0);
    ASSERT((int)entry->kind >= 0 && entry->kind < LEDGER_COUNT);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_LEDGER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, entry->product_row_id);
    sq_bind_i64(&bind, entry->location_row_id);
    sq_bind_text(&bind, ledger_kind_name(entry->kind));
    sq_bind_i64(&bind, entry->on_hand_delta);
    sq_bind_i64(&bind, entry->reserved_delta);
    sq_bind_text(&bind, entry->reason);
    sq_bind_text(&bind, entry->ref_type);
    sq_bind_text(&bind, entry->ref_id);
    sq_bind_i64(&bind, entry->created_at_ms);
    code = sq_bind_check(conn, &bind, "ledger entry", err);
    if (code != ERR_OK) {
        return code;
    }
    entry->row_id = 0; /* not read back (store.h) */
    return sq_run(conn, stmt, "ledger entry", err);
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code sqlite_ledger_list(struct store_conn *conn, struct arena *arena,
                                 int64_t product_row_id, int64_t location_row_id,
                                 int64_t before_row_id, size_t limit, struct ledger_entry **out,
                                 size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    ASSERT(location_row_id >= 0 && before_row_id >= 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_LEDGER_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, product_row_id);
    sq_bind_i64(&bind, location_row_id);
    sq_bind_i64(&bind, before_row_id > 0 ? before_row_id : INT64_MAX);
    sq_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = sq_bind_check(conn, &bind, "ledger entry", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = ledger_read,
                               .what = "ledger entry",
                               .elem_size = sizeof(struct ledger_entry)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code sqlite_ledger_totals(struct store_conn *conn, struct arena *arena,
                                   struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_LEDGER_TOTALS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = sq_read_stock_row,
                               .what = "stock",
                               .elem_size = sizeof(struct stock_row)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
