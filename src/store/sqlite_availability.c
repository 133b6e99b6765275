/*
 * sqlite_availability.c — the read behind GET /v1/availability (issue 3): the stock of up to
 * AVAILABILITY_SKUS_MAX SKUs (kits through their components) at every location, with the units
 * of expired holds added back and the locations version, in one statement. Read-only.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/limits.h"
#include "store/store.h"

static_assert(AVAILABILITY_SKUS_MAX == 20, "SQL_AVAILABILITY_READ binds 20 SKUs");

/* ?1..?20 the SKUs (NULL when fewer), ?21 now. A simple product is its own component; a
 * component without any balance still yields one row (location NULL), so that a kit missing
 * a component reads as none. The rows after UNION ALL (product id 0) are the units of holds
 * that expired by now but are not released yet, per component and location: added back. The
 * versions are constant subqueries (evaluated once). */
static const struct sq_sql SQL_AVAILABILITY_READ = {
    SQ_AVAILABILITY_READ,
    "SELECT p.id, p.sku, p.kind = 'kit', p.active, p.dropship_supplier,"
    " coalesce(k.component_id, p.id), coalesce(k.qty, 1), i.location_id,"
    " i.on_hand - i.reserved - i.safety_stock,"
    " (SELECT value FROM availability_versions WHERE name = 'locations'),"
    " (SELECT value FROM routing_settings WHERE name = 'config_version')"
    " FROM products p LEFT JOIN kit_components k ON k.kit_id = p.id"
    " LEFT JOIN inventory i ON i.product_id = coalesce(k.component_id, p.id)"
    " WHERE p.sku IN (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18, ?19, ?20)"
    " UNION ALL SELECT 0, NULL, 0, 0, NULL, h.product_id, 0, h.location_id, sum(h.qty), 0, 0"
    " FROM hold_stock h WHERE h.expires_at <= ?21 GROUP BY h.product_id, h.location_id"};

static const struct sq_sql SQL_AVAILABILITY_LOCATIONS_VERSION = {
    SQ_AVAILABILITY_LOCATIONS_VERSION,
    "SELECT value FROM availability_versions WHERE name = 'locations'"};
static const struct sq_sql SQL_VERSIONS_READ = {
    SQ_VERSIONS_READ,
    "SELECT coalesce((SELECT value FROM availability_versions WHERE name = 'locations'), 0),"
    " coalesce((SELECT value FROM routing_settings WHERE name = 'config_version'), 0),"
    " coalesce((SELECT value FROM availability_versions WHERE name = 'products'), 0)"};

struct availability_read_row {
    struct availability_row row;
    int64_t locations_version;
    int64_t routing_version;
};

static enum err_code availability_row_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct availability_read_row *out = item;
    out->row.product_row_id = sq_col_i64(row);
    out->row.sku = sq_col_text(row);
    out->row.is_kit = sq_col_bool(row);
    out->row.active = sq_col_bool(row);
    out->row.dropship_supplier = sq_col_text(row);
    out->row.component_row_id = sq_col_i64(row);
    out->row.component_qty = sq_col_i64(row);
    out->row.location_row_id = sq_col_i64(row);
    out->row.atp = sq_col_i64(row);
    out->locations_version = sq_col_i64(row);
    out->routing_version = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_availability_read(struct store_conn *conn, struct arena *arena,
                                       struct availability_read *read, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(read != NULL && read->skus_count <= AVAILABILITY_SKUS_MAX);
    read->rows = NULL;
    read->count = 0;
    read->locations_version = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_AVAILABILITY_READ, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    for (size_t i = 0; i < AVAILABILITY_SKUS_MAX; i++) {
        sq_bind_text(&bind, i < read->skus_count ? read->skus[i] : NULL);
    }
    sq_bind_i64(&bind, read->now_ms);
    code = sq_bind_check(conn, &bind, "availability", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = availability_row_read,
                               .what = "availability",
                               .elem_size = sizeof(struct availability_read_row)};
    code = sq_read_all(conn, stmt, &reader, err);
    if (code != ERR_OK) {
        return code;
    }
    const struct availability_read_row *items = reader.items;
    struct availability_row *rows = ARENA_NEW_ARRAY(arena, struct availability_row, reader.count);
    if (rows == NULL && reader.count > 0) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t count = 0;
    for (size_t i = 0; i < reader.count; i++) {
        if (items[i].row.product_row_id != 0) {
            rows[count++] = items[i].row;
            read->locations_version = items[i].locations_version;
            read->routing_version = items[i].routing_version;
        }
    }
    /* Units of expired holds count again (bounded: the jobs release them every minute). */
    for (size_t i = 0; i < reader.count; i++) {
        const struct availability_row *back = &items[i].row;
        for (size_t r = 0; back->product_row_id == 0 && r < count; r++) {
            if (rows[r].component_row_id == back->component_row_id &&
                rows[r].location_row_id == back->location_row_id) {
                rows[r].atp += back->atp;
            }
        }
    }
    read->rows = rows;
    read->count = count;
    return ERR_OK;
}

enum err_code sqlite_locations_version(struct store_conn *conn, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(out != NULL);
    *out = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_AVAILABILITY_LOCATIONS_VERSION, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, "locations version", err);
    if (code == ERR_OK && has_row) {
        *out = sqlite3_column_int64(stmt, 0);
    }
    sq_done(stmt);
    return code;
}

enum err_code sqlite_versions_read(struct store_conn *conn, struct store_versions *out,
                                   struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_VERSIONS_READ, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, "versions", err);
    if (code == ERR_OK && has_row) {
        out->locations = sqlite3_column_int64(stmt, 0);
        out->routing_config = sqlite3_column_int64(stmt, 1);
        out->products = sqlite3_column_int64(stmt, 2);
    }
    sq_done(stmt);
    return code;
}
