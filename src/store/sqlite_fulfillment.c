/*
 * sqlite_fulfillment.c — shipments with their fulfillment columns, the lists that drive the
 * warehouse (waves, late shipments, expired pickups, backorders to fill) and pick lists in
 * SQLite. Updates are optimistic on the row's version; nothing here decides a status.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/shipment.h"
#include "store/store.h"

/* The 22 columns of a shipment in the order of fulfillment_shipment_read(). */
#define FULL_SHIPMENT_COLUMNS                                                                      \
    "s.id, s.order_id, s.location_id, l.code, s.status, s.is_pickup, s.carrier, s.service,"        \
    " s.tracking_number, s.cost, s.pickup_code, s.promised_ship_by, s.version, s.created_at,"      \
    " s.updated_at, s.shipped_at, s.delivered_at, s.cancelled_at, s.pick_list_id, s.packages,"     \
    " s.ready_at, s.picked_up_at"

static const struct sq_sql SQL_SHIPMENT_LOAD = {
    SQ_SHIPMENT_LOAD, "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                      " WHERE s.id = ?1 AND l.id = s.location_id"};
static const struct sq_sql SQL_SHIPMENT_SAVE = {
    SQ_SHIPMENT_SAVE,
    "UPDATE shipments SET location_id = ?2, status = ?3, is_pickup = ?4, carrier = ?5,"
    " service = ?6, tracking_number = ?7, cost = ?8, pickup_code = ?9, promised_ship_by = ?10,"
    " version = ?11 + 1, updated_at = ?12, shipped_at = ?13, delivered_at = ?14,"
    " cancelled_at = ?15, pick_list_id = ?16, packages = ?17, ready_at = ?18,"
    " picked_up_at = ?19 WHERE id = ?1 AND version = ?11"};
static const struct sq_sql SQL_SHIPMENT_EXISTS_FULL = {SQ_SHIPMENT_EXISTS,
                                                       "SELECT 1 FROM shipments WHERE id = ?1"};
static const struct sq_sql SQL_SHIPMENT_LIST = {
    SQ_SHIPMENT_LIST,
    "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE l.id = s.location_id AND (?1 = 0 OR s.location_id = ?1)"
    " AND (?2 IS NULL OR s.status = ?2) AND (?3 = 0 OR (s.promised_ship_by < ?3"
    " AND s.status IN ('pending', 'picking', 'packed'))) AND (?4 IS NULL OR s.id < ?4)"
    " ORDER BY s.id DESC LIMIT ?5"};
/* The same filters led by one order's shipments (shipments_by_order; web console, issue 8). */
static const struct sq_sql SQL_SHIPMENT_LIST_BY_ORDER_ID = {
    SQ_SHIPMENT_LIST_BY_ORDER_ID,
    "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE s.order_id = ?6 AND l.id = s.location_id AND (?1 = 0 OR s.location_id = ?1)"
    " AND (?2 IS NULL OR s.status = ?2) AND (?3 = 0 OR (s.promised_ship_by < ?3"
    " AND s.status IN ('pending', 'picking', 'packed'))) AND (?4 IS NULL OR s.id < ?4)"
    " ORDER BY s.id DESC LIMIT ?5"};
static const struct sq_sql SQL_SHIPMENT_WAVE = {
    SQ_SHIPMENT_WAVE, "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                      " JOIN orders o ON o.id = s.order_id"
                      " WHERE s.location_id = ?1 AND s.status = 'pending' AND l.id = s.location_id"
                      " AND o.status IN ('allocated', 'in_fulfillment', 'partially_shipped')"
                      " ORDER BY s.promised_ship_by, s.created_at, s.id LIMIT ?2"};
static const struct sq_sql SQL_SHIPMENT_EXPIRED_PICKUPS = {
    SQ_SHIPMENT_EXPIRED_PICKUPS,
    "SELECT s.id FROM shipments s JOIN locations l ON l.id = s.location_id"
    " WHERE s.status = 'ready_for_pickup' AND s.ready_at IS NOT NULL"
    " AND s.ready_at + l.hold_days * 86400000 <= ?1 ORDER BY s.ready_at, s.id LIMIT ?2"};
static const struct sq_sql SQL_BACKORDER_ORDERS = {
    SQ_BACKORDER_ORDERS,
    "SELECT DISTINCT ol.order_id FROM order_lines ol JOIN orders o ON o.id = ol.order_id"
    " WHERE ol.product_id = ?1 AND ol.qty_backordered > 0"
    " AND o.status NOT IN ('cancelled', 'on_hold') ORDER BY ol.order_id LIMIT ?2"};

static const struct sq_sql SQL_PICK_LIST_INSERT = {
    SQ_PICK_LIST_INSERT,
    "INSERT INTO pick_lists (id, location_id, status, picker, started_at, completed_at, version)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"};
static const struct sq_sql SQL_PICK_LIST_GET = {
    SQ_PICK_LIST_GET,
    "SELECT p.id, p.location_id, l.code, p.status, p.picker, p.started_at, p.completed_at,"
    " p.version FROM pick_lists p JOIN locations l ON l.id = p.location_id WHERE p.id = ?1"};
static const struct sq_sql SQL_PICK_LIST_UPDATE = {
    SQ_PICK_LIST_UPDATE,
    "UPDATE pick_lists SET status = ?2, picker = ?3, completed_at = ?4, version = ?5 + 1"
    " WHERE id = ?1 AND version = ?5"};
static const struct sq_sql SQL_PICK_LIST_EXISTS = {SQ_PICK_LIST_EXISTS,
                                                   "SELECT 1 FROM pick_lists WHERE id = ?1"};
static const struct sq_sql SQL_PICK_LINE_INSERT = {
    SQ_PICK_LINE_INSERT,
    "INSERT INTO pick_list_lines (pick_list_id, line_no, shipment_id, order_id, order_line_id,"
    " allocation_id, sku, bin_location, qty, qty_shorted) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8, ?9, ?10)"};
static const struct sq_sql SQL_PICK_LINE_LIST = {
    SQ_PICK_LINE_LIST,
    "SELECT line_no, shipment_id, order_id, order_line_id, allocation_id, sku, bin_location, qty,"
    " qty_shorted FROM pick_list_lines WHERE pick_list_id = ?1 ORDER BY line_no"};
static const struct sq_sql SQL_PICK_LIST_IDS = {
    SQ_PICK_LIST_IDS,
    "SELECT id FROM pick_lists WHERE (?1 = 0 OR location_id = ?1) AND (?2 IS NULL OR status = ?2)"
    " AND (?3 IS NULL OR id < ?3) ORDER BY id DESC LIMIT ?4"};
static const struct sq_sql SQL_PICK_LINE_UPDATE = {
    SQ_PICK_LINE_UPDATE,
    "UPDATE pick_list_lines SET qty_shorted = ?3 WHERE pick_list_id = ?1 AND line_no = ?2"};

/* ---- shipments ----------------------------------------------------------------------------- */

static enum err_code fulfillment_shipment_read(struct sq_row *row, void *item, struct err *err)
{
    struct shipment *shipment = item;
    shipment->id = sq_col_text(row);
    shipment->order_id = sq_col_text(row);
    shipment->location_row_id = sq_col_i64(row);
    shipment->location_code = sq_col_text(row);
    const char *status = sq_col_text(row);
    if (status == NULL || !shipment_status_parse(status, &shipment->status)) {
        return sq_corrupt(err, "shipment status", status != NULL ? status : "NULL");
    }
    shipment->is_pickup = sq_col_bool(row);
    shipment->carrier = sq_col_text(row);
    shipment->service = sq_col_text(row);
    shipment->tracking_number = sq_col_text(row);
    shipment->cost = sq_col_i64(row);
    shipment->pickup_code = sq_col_text(row);
    shipment->promised_ship_by_ms = sq_col_i64(row);
    shipment->version = sq_col_i64(row);
    shipment->created_at_ms = sq_col_i64(row);
    shipment->updated_at_ms = sq_col_i64(row);
    shipment->shipped_at_ms = sq_col_i64(row);
    shipment->delivered_at_ms = sq_col_i64(row);
    shipment->cancelled_at_ms = sq_col_i64(row);
    shipment->pick_list_id = sq_col_text(row);
    shipment->packages_json = sq_col_text(row);
    shipment->ready_at_ms = sq_col_i64(row);
    shipment->picked_up_at_ms = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code fulfillment_read_id(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    const char **id = item;
    *id = sq_col_text(row);
    return ERR_OK;
}

enum err_code sqlite_shipment_load(struct store_conn *conn, struct arena *arena, const char *id,
                                   struct shipment *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_LOAD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, id);
    code = sq_bind_check(conn, &bind, "shipment", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {
        .arena = arena, .read = fulfillment_shipment_read, .what = "shipment"};
    code = sq_read_one(conn, stmt, &reader, out, err);
    ASSERT(code != ERR_OK || out->id != NULL);
    return code;
}

enum err_code sqlite_shipment_save(struct store_conn *conn, const struct shipment *shipment,
                                   int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->location_row_id > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_SAVE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, shipment->id);
    sq_bind_i64(&bind, shipment->location_row_id);
    sq_bind_text(&bind, shipment_status_name(shipment->status));
    sq_bind_bool(&bind, shipment->is_pickup);
    sq_bind_text(&bind, shipment->carrier);
    sq_bind_text(&bind, shipment->service);
    sq_bind_text(&bind, shipment->tracking_number);
    sq_bind_i64(&bind, shipment->cost);
    sq_bind_text(&bind, shipment->pickup_code);
    sq_bind_i64_or_null(&bind, shipment->promised_ship_by_ms);
    sq_bind_i64(&bind, expected_version);
    sq_bind_i64(&bind, shipment->updated_at_ms);
    sq_bind_i64_or_null(&bind, shipment->shipped_at_ms);
    sq_bind_i64_or_null(&bind, shipment->delivered_at_ms);
    sq_bind_i64_or_null(&bind, shipment->cancelled_at_ms);
    sq_bind_text(&bind, shipment->pick_list_id);
    sq_bind_text(&bind, shipment->packages_json);
    sq_bind_i64_or_null(&bind, shipment->ready_at_ms);
    sq_bind_i64_or_null(&bind, shipment->picked_up_at_ms);
    code = sq_bind_check(conn, &bind, "shipment", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "shipment", err);
    }
    if (code == ERR_OK && sqlite3_changes(conn->db) == 0) {
        code = sq_version_miss(conn, &SQL_SHIPMENT_EXISTS_FULL,
                               &(struct sq_key){.text = shipment->id}, "shipment", err);
    }
    return code;
}

/* Reads every shipment a bound statement returns. */
static enum err_code fulfillment_shipments(struct store_conn *conn, struct arena *arena,
                                           sqlite3_stmt *stmt, struct shipment **out, size_t *count,
                                           struct err *err)
{
    struct sq_reader reader = {.arena = arena,
                               .read = fulfillment_shipment_read,
                               .what = "shipment",
                               .elem_size = sizeof(struct shipment)};
    enum err_code code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code sqlite_shipment_list(struct store_conn *conn, struct arena *arena,
                                   const struct shipment_filter *filter, struct shipment **out,
                                   size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL && filter->limit > 0);
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    const struct sq_sql *sql =
        filter->order_id != NULL ? &SQL_SHIPMENT_LIST_BY_ORDER_ID : &SQL_SHIPMENT_LIST;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, filter->location_row_id);
    sq_bind_text(&bind, filter->has_status ? shipment_status_name(filter->status) : NULL);
    sq_bind_i64(&bind, filter->late_at_ms);
    sq_bind_text(&bind, filter->before_id);
    sq_bind_i64(&bind, (int64_t)filter->limit);
    if (filter->order_id != NULL) {
        sq_bind_text(&bind, filter->order_id);
    }
    code = sq_bind_check(conn, &bind, "shipment list", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_shipments(conn, arena, stmt, out, count, err);
}

enum err_code sqlite_shipment_wave(struct store_conn *conn, struct arena *arena,
                                   const struct shipment_filter *filter, struct shipment **out,
                                   size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL && filter->location_row_id > 0);
    ASSERT(out != NULL && count != NULL && filter->limit > 0);
    *out = NULL;
    *count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_WAVE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, filter->location_row_id);
    sq_bind_i64(&bind, (int64_t)filter->limit);
    code = sq_bind_check(conn, &bind, "shipment wave", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_shipments(conn, arena, stmt, out, count, err);
}

/* Reads the ids (first column) a bound statement returns. */
static enum err_code fulfillment_read_ids(struct store_conn *conn, struct arena *arena,
                                          sqlite3_stmt *stmt, struct store_ids *ids,
                                          struct err *err)
{
    struct sq_reader reader = {.arena = arena,
                               .read = fulfillment_read_id,
                               .what = "id",
                               .elem_size = sizeof(const char *)};
    enum err_code code = sq_read_all(conn, stmt, &reader, err);
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

/* Reads the ids (first column) a statement bound with (value, limit) returns. */
static enum err_code fulfillment_ids(struct store_conn *conn, struct arena *arena,
                                     const struct sq_sql *sql, int64_t value, struct store_ids *ids,
                                     struct err *err)
{
    ids->ids = NULL;
    ids->count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, value);
    sq_bind_i64(&bind, (int64_t)ids->limit);
    code = sq_bind_check(conn, &bind, "ids", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_read_ids(conn, arena, stmt, ids, err);
}

enum err_code sqlite_shipment_expired_pickups(struct store_conn *conn, struct arena *arena,
                                              int64_t now_ms, struct store_ids *ids,
                                              struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(ids != NULL && ids->limit > 0);
    return fulfillment_ids(conn, arena, &SQL_SHIPMENT_EXPIRED_PICKUPS, now_ms, ids, err);
}

enum err_code sqlite_backorder_orders(struct store_conn *conn, struct arena *arena,
                                      int64_t product_row_id, struct store_ids *ids,
                                      struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && product_row_id > 0);
    ASSERT(ids != NULL && ids->limit > 0);
    return fulfillment_ids(conn, arena, &SQL_BACKORDER_ORDERS, product_row_id, ids, err);
}

/* ---- pick lists ---------------------------------------------------------------------------- */

static enum err_code pick_list_read(struct sq_row *row, void *item, struct err *err)
{
    struct pick_list *pick_list = item;
    pick_list->id = sq_col_text(row);
    pick_list->location_row_id = sq_col_i64(row);
    pick_list->location_code = sq_col_text(row);
    const char *status = sq_col_text(row);
    if (status == NULL || (strcmp(status, "open") != 0 && strcmp(status, "completed") != 0)) {
        return sq_corrupt(err, "pick list status", status != NULL ? status : "NULL");
    }
    pick_list->completed = strcmp(status, "completed") == 0;
    pick_list->picker = sq_col_text(row);
    pick_list->started_at_ms = sq_col_i64(row);
    pick_list->completed_at_ms = sq_col_i64(row);
    pick_list->version = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code pick_line_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct pick_list_line *line = item;
    line->line_no = sq_col_int(row);
    line->shipment_id = sq_col_text(row);
    line->order_id = sq_col_text(row);
    line->order_line_id = sq_col_text(row);
    line->allocation_id = sq_col_text(row);
    line->sku = sq_col_text(row);
    line->bin_location = sq_col_text(row);
    line->qty = sq_col_i64(row);
    line->qty_shorted = sq_col_i64(row);
    return ERR_OK;
}

static enum err_code pick_line_insert(struct store_conn *conn, const char *pick_list_id,
                                      const struct pick_list_line *line, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PICK_LINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, pick_list_id);
    sq_bind_i64(&bind, line->line_no);
    sq_bind_text(&bind, line->shipment_id);
    sq_bind_text(&bind, line->order_id);
    sq_bind_text(&bind, line->order_line_id);
    sq_bind_text(&bind, line->allocation_id);
    sq_bind_text(&bind, line->sku);
    sq_bind_text(&bind, line->bin_location);
    sq_bind_i64(&bind, line->qty);
    sq_bind_i64(&bind, line->qty_shorted);
    code = sq_bind_check(conn, &bind, "pick list line", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "pick list line", err);
}

enum err_code sqlite_pick_list_insert(struct store_conn *conn, const struct pick_list *pick_list,
                                      struct err *err)
{
    ASSERT(conn != NULL && pick_list != NULL);
    ASSERT(pick_list->id != NULL && pick_list->location_row_id > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PICK_LIST_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, pick_list->id);
    sq_bind_i64(&bind, pick_list->location_row_id);
    sq_bind_text(&bind, pick_list->completed ? "completed" : "open");
    sq_bind_text(&bind, pick_list->picker);
    sq_bind_i64(&bind, pick_list->started_at_ms);
    sq_bind_i64_or_null(&bind, pick_list->completed_at_ms);
    sq_bind_i64(&bind, pick_list->version > 0 ? pick_list->version : 1);
    code = sq_bind_check(conn, &bind, "pick list", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "pick list", err);
    }
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        code = pick_line_insert(conn, pick_list->id, &pick_list->lines[i], err);
    }
    return code;
}

enum err_code sqlite_pick_list_get(struct store_conn *conn, struct arena *arena, const char *id,
                                   struct pick_list *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    sqlite3_stmt *stmt = NULL;
    code = sq_stmt(conn, &SQL_PICK_LIST_GET, &stmt, err);
    struct sq_bind bind;
    if (code == ERR_OK) {
        sq_bind_init(&bind, stmt);
        sq_bind_text(&bind, id);
        code = sq_bind_check(conn, &bind, "pick list", err);
    }
    if (code == ERR_OK) {
        struct sq_reader reader = {.arena = arena, .read = pick_list_read, .what = "pick list"};
        code = sq_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_OK) {
        code = sq_stmt(conn, &SQL_PICK_LINE_LIST, &stmt, err);
    }
    if (code == ERR_OK) {
        sq_bind_init(&bind, stmt);
        sq_bind_text(&bind, id);
        code = sq_bind_check(conn, &bind, "pick list line", err);
    }
    if (code == ERR_OK) {
        struct sq_reader reader = {.arena = arena,
                                   .read = pick_line_read,
                                   .what = "pick list line",
                                   .elem_size = sizeof(struct pick_list_line)};
        code = sq_read_all(conn, stmt, &reader, err);
        out->lines = reader.items;
        out->lines_count = reader.count;
    }
    sq_snapshot_end(conn, owned);
    return code;
}

enum err_code sqlite_pick_list_ids(struct store_conn *conn, struct arena *arena,
                                   const struct pick_list_filter *filter, struct store_ids *ids,
                                   struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(ids != NULL && filter->limit > 0);
    ids->ids = NULL;
    ids->count = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PICK_LIST_IDS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, filter->location_row_id);
    sq_bind_text(&bind, !filter->has_status ? NULL : filter->completed ? "completed" : "open");
    sq_bind_text(&bind, filter->before_id);
    sq_bind_i64(&bind, (int64_t)filter->limit);
    code = sq_bind_check(conn, &bind, "pick list ids", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_read_ids(conn, arena, stmt, ids, err);
}

static enum err_code pick_line_update(struct store_conn *conn, const char *pick_list_id,
                                      const struct pick_list_line *line, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PICK_LINE_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, pick_list_id);
    sq_bind_i64(&bind, line->line_no);
    sq_bind_i64(&bind, line->qty_shorted);
    code = sq_bind_check(conn, &bind, "pick list line", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "pick list line", err);
}

enum err_code sqlite_pick_list_update(struct store_conn *conn, const struct pick_list *pick_list,
                                      int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && pick_list != NULL);
    ASSERT(pick_list->id != NULL && expected_version > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_PICK_LIST_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, pick_list->id);
    sq_bind_text(&bind, pick_list->completed ? "completed" : "open");
    sq_bind_text(&bind, pick_list->picker);
    sq_bind_i64_or_null(&bind, pick_list->completed_at_ms);
    sq_bind_i64(&bind, expected_version);
    code = sq_bind_check(conn, &bind, "pick list", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "pick list", err);
    }
    if (code == ERR_OK && sqlite3_changes(conn->db) == 0) {
        code = sq_version_miss(conn, &SQL_PICK_LIST_EXISTS, &(struct sq_key){.text = pick_list->id},
                               "pick list", err);
    }
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        code = pick_line_update(conn, pick_list->id, &pick_list->lines[i], err);
    }
    return code;
}
