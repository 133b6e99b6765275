/*
 * pg_fulfillment.c — shipments with their fulfillment columns, the lists that drive the
 * warehouse (waves, late shipments, expired pickups, backorders to fill) and pick lists in
 * PostgreSQL. Updates are optimistic on the row's version; nothing here decides a status.
 *
 * The twin of sqlite_fulfillment.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/shipment.h"
#include "store/store.h"

/* The 22 columns of a shipment in the order of fulfillment_shipment_read(). */
#define FULL_SHIPMENT_COLUMNS                                                                      \
    "s.id, s.order_id, s.location_id, l.code, s.status, s.is_pickup, s.carrier, s.service,"        \
    " s.tracking_number, s.cost, s.pickup_code, s.promised_ship_by, s.version, s.created_at,"      \
    " s.updated_at, s.shipped_at, s.delivered_at, s.cancelled_at, s.pick_list_id, s.packages,"     \
    " s.ready_at, s.picked_up_at"

static const struct pg_sql SQL_SHIPMENT_LOAD = {
    PGS_SHIPMENT_LOAD, "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                       " WHERE s.id = $1 AND l.id = s.location_id"};
static const struct pg_sql SQL_SHIPMENT_SAVE = {
    PGS_SHIPMENT_SAVE,
    "UPDATE shipments SET location_id = $2, status = $3, is_pickup = $4, carrier = $5,"
    " service = $6, tracking_number = $7, cost = $8, pickup_code = $9, promised_ship_by = $10,"
    " version = $11::bigint + 1, updated_at = $12, shipped_at = $13, delivered_at = $14,"
    " cancelled_at = $15, pick_list_id = $16, packages = $17, ready_at = $18,"
    " picked_up_at = $19 WHERE id = $1 AND version = $11"};
static const struct pg_sql SQL_SHIPMENT_EXISTS_FULL = {PGS_SHIPMENT_EXISTS,
                                                       "SELECT 1 FROM shipments WHERE id = $1"};
static const struct pg_sql SQL_SHIPMENT_LIST = {
    PGS_SHIPMENT_LIST,
    "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE l.id = s.location_id AND ($1::bigint = 0 OR s.location_id = $1)"
    " AND ($2::text IS NULL OR s.status = $2) AND ($3::bigint = 0 OR (s.promised_ship_by < $3"
    " AND s.status IN ('pending', 'picking', 'packed'))) AND ($4::text IS NULL OR s.id < $4)"
    " ORDER BY s.id DESC LIMIT $5"};
/* The same filters led by one order's shipments (shipments_by_order; web console, issue 8). */
static const struct pg_sql SQL_SHIPMENT_LIST_BY_ORDER_ID = {
    PGS_SHIPMENT_LIST_BY_ORDER_ID,
    "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE s.order_id = $6 AND l.id = s.location_id AND ($1::bigint = 0 OR s.location_id = $1)"
    " AND ($2::text IS NULL OR s.status = $2) AND ($3::bigint = 0 OR (s.promised_ship_by < $3"
    " AND s.status IN ('pending', 'picking', 'packed'))) AND ($4::text IS NULL OR s.id < $4)"
    " ORDER BY s.id DESC LIMIT $5"};
static const struct pg_sql SQL_SHIPMENT_WAVE = {
    PGS_SHIPMENT_WAVE, "SELECT " FULL_SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                       " JOIN orders o ON o.id = s.order_id"
                       " WHERE s.location_id = $1 AND s.status = 'pending' AND l.id = s.location_id"
                       " AND o.status IN ('allocated', 'in_fulfillment', 'partially_shipped')"
                       /* NULLS FIRST: where SQLite sorts NULL */
                       " ORDER BY s.promised_ship_by NULLS FIRST, s.created_at, s.id LIMIT $2"};
static const struct pg_sql SQL_SHIPMENT_EXPIRED_PICKUPS = {
    PGS_SHIPMENT_EXPIRED_PICKUPS,
    "SELECT s.id FROM shipments s JOIN locations l ON l.id = s.location_id"
    " WHERE s.status = 'ready_for_pickup' AND s.ready_at IS NOT NULL"
    " AND s.ready_at + l.hold_days * 86400000 <= $1 ORDER BY s.ready_at, s.id LIMIT $2"};
static const struct pg_sql SQL_BACKORDER_ORDERS = {
    PGS_BACKORDER_ORDERS,
    "SELECT DISTINCT ol.order_id FROM order_lines ol JOIN orders o ON o.id = ol.order_id"
    " WHERE ol.product_id = $1 AND ol.qty_backordered > 0"
    " AND o.status NOT IN ('cancelled', 'on_hold') ORDER BY ol.order_id LIMIT $2"};

static const struct pg_sql SQL_PICK_LIST_INSERT = {
    PGS_PICK_LIST_INSERT,
    "INSERT INTO pick_lists (id, location_id, status, picker, started_at, completed_at, version)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7)"};
static const struct pg_sql SQL_PICK_LIST_GET = {
    PGS_PICK_LIST_GET,
    "SELECT p.id, p.location_id, l.code, p.status, p.picker, p.started_at, p.completed_at,"
    " p.version FROM pick_lists p JOIN locations l ON l.id = p.location_id WHERE p.id = $1"};
static const struct pg_sql SQL_PICK_LIST_UPDATE = {
    PGS_PICK_LIST_UPDATE,
    "UPDATE pick_lists SET status = $2, picker = $3, completed_at = $4, version = $5::bigint + 1"
    " WHERE id = $1 AND version = $5"};
static const struct pg_sql SQL_PICK_LIST_EXISTS = {PGS_PICK_LIST_EXISTS,
                                                   "SELECT 1 FROM pick_lists WHERE id = $1"};
static const struct pg_sql SQL_PICK_LINE_INSERT = {
    PGS_PICK_LINE_INSERT,
    "INSERT INTO pick_list_lines (pick_list_id, line_no, shipment_id, order_id, order_line_id,"
    " allocation_id, sku, bin_location, qty, qty_shorted) VALUES ($1, $2, $3, $4, $5, $6, $7,"
    " $8, $9, $10)"};
static const struct pg_sql SQL_PICK_LINE_LIST = {
    PGS_PICK_LINE_LIST,
    "SELECT line_no, shipment_id, order_id, order_line_id, allocation_id, sku, bin_location, qty,"
    " qty_shorted FROM pick_list_lines WHERE pick_list_id = $1 ORDER BY line_no"};
static const struct pg_sql SQL_PICK_LINE_UPDATE = {
    PGS_PICK_LINE_UPDATE,
    "UPDATE pick_list_lines SET qty_shorted = $3 WHERE pick_list_id = $1 AND line_no = $2"};

/* ---- shipments ----------------------------------------------------------------------------- */

static enum err_code fulfillment_shipment_read(struct pg_row *row, void *item, struct err *err)
{
    struct shipment *shipment = item;
    shipment->id = pg_col_text(row);
    shipment->order_id = pg_col_text(row);
    shipment->location_row_id = pg_col_i64(row);
    shipment->location_code = pg_col_text(row);
    const char *status = pg_col_text(row);
    if (status == NULL || !shipment_status_parse(status, &shipment->status)) {
        return pg_corrupt(err, "shipment status", status != NULL ? status : "NULL");
    }
    shipment->is_pickup = pg_col_bool(row);
    shipment->carrier = pg_col_text(row);
    shipment->service = pg_col_text(row);
    shipment->tracking_number = pg_col_text(row);
    shipment->cost = pg_col_i64(row);
    shipment->pickup_code = pg_col_text(row);
    shipment->promised_ship_by_ms = pg_col_i64(row);
    shipment->version = pg_col_i64(row);
    shipment->created_at_ms = pg_col_i64(row);
    shipment->updated_at_ms = pg_col_i64(row);
    shipment->shipped_at_ms = pg_col_i64(row);
    shipment->delivered_at_ms = pg_col_i64(row);
    shipment->cancelled_at_ms = pg_col_i64(row);
    shipment->pick_list_id = pg_col_text(row);
    shipment->packages_json = pg_col_text(row);
    shipment->ready_at_ms = pg_col_i64(row);
    shipment->picked_up_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code fulfillment_read_id(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    const char **id = item;
    *id = pg_col_text(row);
    return ERR_OK;
}

enum err_code pg_shipment_load(struct store_conn *conn, struct arena *arena, const char *id,
                               struct shipment *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_LOAD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, id);
    code = pg_bind_check(conn, &bind, "shipment", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {
        .arena = arena, .read = fulfillment_shipment_read, .what = "shipment"};
    code = pg_read_one(conn, stmt, &reader, out, err);
    ASSERT(code != ERR_OK || out->id != NULL);
    return code;
}

enum err_code pg_shipment_save(struct store_conn *conn, const struct shipment *shipment,
                               int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->location_row_id > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_SAVE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, shipment->id);
    pg_bind_i64(&bind, shipment->location_row_id);
    pg_bind_text(&bind, shipment_status_name(shipment->status));
    pg_bind_bool(&bind, shipment->is_pickup);
    pg_bind_text(&bind, shipment->carrier);
    pg_bind_text(&bind, shipment->service);
    pg_bind_text(&bind, shipment->tracking_number);
    pg_bind_i64(&bind, shipment->cost);
    pg_bind_text(&bind, shipment->pickup_code);
    pg_bind_i64_or_null(&bind, shipment->promised_ship_by_ms);
    pg_bind_i64(&bind, expected_version);
    pg_bind_i64(&bind, shipment->updated_at_ms);
    pg_bind_i64_or_null(&bind, shipment->shipped_at_ms);
    pg_bind_i64_or_null(&bind, shipment->delivered_at_ms);
    pg_bind_i64_or_null(&bind, shipment->cancelled_at_ms);
    pg_bind_text(&bind, shipment->pick_list_id);
    pg_bind_text(&bind, shipment->packages_json);
    pg_bind_i64_or_null(&bind, shipment->ready_at_ms);
    pg_bind_i64_or_null(&bind, shipment->picked_up_at_ms);
    code = pg_bind_check(conn, &bind, "shipment", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "shipment", err);
    }
    if (code == ERR_OK && pg_changes(conn) == 0) {
        code = pg_version_miss(conn, &SQL_SHIPMENT_EXISTS_FULL,
                               &(struct pg_key){.text = shipment->id}, "shipment", err);
    }
    return code;
}

/* Reads every shipment a bound statement returns. */
static enum err_code fulfillment_shipments(struct store_conn *conn, struct arena *arena,
                                           struct pg_query *stmt, struct shipment **out,
                                           size_t *count, struct err *err)
{
    struct pg_reader reader = {.arena = arena,
                               .read = fulfillment_shipment_read,
                               .what = "shipment",
                               .elem_size = sizeof(struct shipment)};
    enum err_code code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_shipment_list(struct store_conn *conn, struct arena *arena,
                               const struct shipment_filter *filter, struct shipment **out,
                               size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL && filter->limit > 0);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    const struct pg_sql *sql =
        filter->order_id != NULL ? &SQL_SHIPMENT_LIST_BY_ORDER_ID : &SQL_SHIPMENT_LIST;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, filter->location_row_id);
    pg_bind_text(&bind, filter->has_status ? shipment_status_name(filter->status) : NULL);
    pg_bind_i64(&bind, filter->late_at_ms);
    pg_bind_text(&bind, filter->before_id);
    pg_bind_i64(&bind, (int64_t)filter->limit);
    if (filter->order_id != NULL) {
        pg_bind_text(&bind, filter->order_id);
    }
    code = pg_bind_check(conn, &bind, "shipment list", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_shipments(conn, arena, stmt, out, count, err);
}

enum err_code pg_shipment_wave(struct store_conn *conn, struct arena *arena,
                               const struct shipment_filter *filter, struct shipment **out,
                               size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL && filter->location_row_id > 0);
    ASSERT(out != NULL && count != NULL && filter->limit > 0);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_WAVE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, filter->location_row_id);
    pg_bind_i64(&bind, (int64_t)filter->limit);
    code = pg_bind_check(conn, &bind, "shipment wave", err);
    if (code != ERR_OK) {
        return code;
    }
    return fulfillment_shipments(conn, arena, stmt, out, count, err);
}

/* Reads the ids (first column) a statement bound with (value, limit) returns. */
static enum err_code fulfillment_ids(struct store_conn *conn, struct arena *arena,
                                     const struct pg_sql *sql, int64_t value, struct store_ids *ids,
                                     struct err *err)
{
    ids->ids = NULL;
    ids->count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, value);
    pg_bind_i64(&bind, (int64_t)ids->limit);
    code = pg_bind_check(conn, &bind, "ids", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = fulfillment_read_id,
                               .what = "id",
                               .elem_size = sizeof(const char *)};
    code = pg_read_all(conn, stmt, &reader, err);
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

enum err_code pg_shipment_expired_pickups(struct store_conn *conn, struct arena *arena,
                                          int64_t now_ms, struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(ids != NULL && ids->limit > 0);
    return fulfillment_ids(conn, arena, &SQL_SHIPMENT_EXPIRED_PICKUPS, now_ms, ids, err);
}

enum err_code pg_backorder_orders(struct store_conn *conn, struct arena *arena,
                                  int64_t product_row_id, struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && product_row_id > 0);
    ASSERT(ids != NULL && ids->limit > 0);
    return fulfillment_ids(conn, arena, &SQL_BACKORDER_ORDERS, product_row_id, ids, err);
}

/* ---- pick lists ---------------------------------------------------------------------------- */

static enum err_code pick_list_read(struct pg_row *row, void *item, struct err *err)
{
    struct pick_list *pick_list = item;
    pick_list->id = pg_col_text(row);
    pick_list->location_row_id = pg_col_i64(row);
    pick_list->location_code = pg_col_text(row);
    const char *status = pg_col_text(row);
    if (status == NULL || (strcmp(status, "open") != 0 && strcmp(status, "completed") != 0)) {
        return pg_corrupt(err, "pick list status", status != NULL ? status : "NULL");
    }
    pick_list->completed = strcmp(status, "completed") == 0;
    pick_list->picker = pg_col_text(row);
    pick_list->started_at_ms = pg_col_i64(row);
    pick_list->completed_at_ms = pg_col_i64(row);
    pick_list->version = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code pick_line_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct pick_list_line *line = item;
    line->line_no = pg_col_int(row);
    line->shipment_id = pg_col_text(row);
    line->order_id = pg_col_text(row);
    line->order_line_id = pg_col_text(row);
    line->allocation_id = pg_col_text(row);
    line->sku = pg_col_text(row);
    line->bin_location = pg_col_text(row);
    line->qty = pg_col_i64(row);
    line->qty_shorted = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code pick_line_insert(struct store_conn *conn, const char *pick_list_id,
                                      const struct pick_list_line *line, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PICK_LINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, pick_list_id);
    pg_bind_i64(&bind, line->line_no);
    pg_bind_text(&bind, line->shipment_id);
    pg_bind_text(&bind, line->order_id);
    pg_bind_text(&bind, line->order_line_id);
    pg_bind_text(&bind, line->allocation_id);
    pg_bind_text(&bind, line->sku);
    pg_bind_text(&bind, line->bin_location);
    pg_bind_i64(&bind, line->qty);
    pg_bind_i64(&bind, line->qty_shorted);
    code = pg_bind_check(conn, &bind, "pick list line", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "pick list line", err);
}

enum err_code pg_pick_list_insert(struct store_conn *conn, const struct pick_list *pick_list,
                                  struct err *err)
{
    ASSERT(conn != NULL && pick_list != NULL);
    ASSERT(pick_list->id != NULL && pick_list->location_row_id > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PICK_LIST_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, pick_list->id);
    pg_bind_i64(&bind, pick_list->location_row_id);
    pg_bind_text(&bind, pick_list->completed ? "completed" : "open");
    pg_bind_text(&bind, pick_list->picker);
    pg_bind_i64(&bind, pick_list->started_at_ms);
    pg_bind_i64_or_null(&bind, pick_list->completed_at_ms);
    pg_bind_i64(&bind, pick_list->version > 0 ? pick_list->version : 1);
    code = pg_bind_check(conn, &bind, "pick list", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "pick list", err);
    }
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        code = pick_line_insert(conn, pick_list->id, &pick_list->lines[i], err);
    }
    return code;
}

enum err_code pg_pick_list_get(struct store_conn *conn, struct arena *arena, const char *id,
                               struct pick_list *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_query *stmt = NULL;
    code = pg_stmt(conn, &SQL_PICK_LIST_GET, &stmt, err);
    struct pg_bind bind;
    if (code == ERR_OK) {
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, id);
        code = pg_bind_check(conn, &bind, "pick list", err);
    }
    if (code == ERR_OK) {
        struct pg_reader reader = {.arena = arena, .read = pick_list_read, .what = "pick list"};
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_PICK_LINE_LIST, &stmt, err);
    }
    if (code == ERR_OK) {
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, id);
        code = pg_bind_check(conn, &bind, "pick list line", err);
    }
    if (code == ERR_OK) {
        struct pg_reader reader = {.arena = arena,
                                   .read = pick_line_read,
                                   .what = "pick list line",
                                   .elem_size = sizeof(struct pick_list_line)};
        code = pg_read_all(conn, stmt, &reader, err);
        out->lines = reader.items;
        out->lines_count = reader.count;
    }
    pg_snapshot_end(conn, owned);
    return code;
}

static enum err_code pick_line_update(struct store_conn *conn, const char *pick_list_id,
                                      const struct pick_list_line *line, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PICK_LINE_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, pick_list_id);
    pg_bind_i64(&bind, line->line_no);
    pg_bind_i64(&bind, line->qty_shorted);
    code = pg_bind_check(conn, &bind, "pick list line", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "pick list line", err);
}

enum err_code pg_pick_list_update(struct store_conn *conn, const struct pick_list *pick_list,
                                  int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && pick_list != NULL);
    ASSERT(pick_list->id != NULL && expected_version > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PICK_LIST_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, pick_list->id);
    pg_bind_text(&bind, pick_list->completed ? "completed" : "open");
    pg_bind_text(&bind, pick_list->picker);
    pg_bind_i64_or_null(&bind, pick_list->completed_at_ms);
    pg_bind_i64(&bind, expected_version);
    code = pg_bind_check(conn, &bind, "pick list", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "pick list", err);
    }
    if (code == ERR_OK && pg_changes(conn) == 0) {
        code = pg_version_miss(conn, &SQL_PICK_LIST_EXISTS, &(struct pg_key){.text = pick_list->id},
                               "pick list", err);
    }
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        code = pick_line_update(conn, pick_list->id, &pick_list->lines[i], err);
    }
    return code;
}

/* ---- pick list ids --------------------------------------------------------------------------- */

static const struct pg_sql SQL_PICK_LIST_IDS = {
    PGS_PICK_LIST_IDS, "SELECT id FROM pick_lists WHERE ($1::bigint = 0 OR location_id = $1)"
                       " AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR id < $3)"
                       " ORDER BY id DESC LIMIT $4"};

enum err_code pg_pick_list_ids(struct store_conn *conn, struct arena *arena,
                               const struct pick_list_filter *filter, struct store_ids *ids,
                               struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(ids != NULL && filter->limit > 0);
    ids->ids = NULL;
    ids->count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PICK_LIST_IDS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, filter->location_row_id);
    pg_bind_text(&bind, !filter->has_status ? NULL : filter->completed ? "completed" : "open");
    pg_bind_text(&bind, filter->before_id);
    pg_bind_i64(&bind, (int64_t)filter->limit);
    code = pg_bind_check(conn, &bind, "pick list ids", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = fulfillment_read_id,
                               .what = "id",
                               .elem_size = sizeof(const char *)};
    code = pg_read_all(conn, stmt, &reader, err);
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}
