/*
 * pg_purchase_orders.c — drop-ship purchase orders (migration 010; issue 3, round 2): the
 * order row, its lines read from its shipment's allocations, its status from that shipment,
 * and which locations are suppliers (whose allocations reserve nothing).
 */
#include <string.h>

#include "store/pg_int.h"

static const struct pg_sql SQL_PO_NEXT_NUMBER = {PGS_PO_NEXT_NUMBER,
                                                 "SELECT nextval('purchase_order_number')"};
static const struct pg_sql SQL_PO_INSERT = {
    PGS_PO_INSERT, "INSERT INTO purchase_orders (id, number, supplier_id, order_id, shipment_id,"
                   " created_at) VALUES ($1, $2, $3, $4, $5, $6)"};

#define PO_COLUMNS                                                                                 \
    "p.id, p.number, p.order_id, o.number, p.shipment_id, p.supplier_id, l.code, s.status,"        \
    " s.carrier, s.service, s.tracking_number, p.created_at, s.shipped_at, s.delivered_at,"        \
    " s.cancelled_at"
#define PO_FROM                                                                                    \
    " FROM purchase_orders p JOIN shipments s ON s.id = p.shipment_id"                             \
    " JOIN locations l ON l.id = p.supplier_id JOIN orders o ON o.id = p.order_id"

static const struct pg_sql SQL_PO_GET = {PGS_PO_GET,
                                         "SELECT " PO_COLUMNS PO_FROM " WHERE p.id = $1"};
static const struct pg_sql SQL_PO_LIST = {
    PGS_PO_LIST, "SELECT " PO_COLUMNS PO_FROM " WHERE ($1::bigint = 0 OR p.supplier_id = $1)"
                 " AND ($2::text IS NULL OR s.status = $2) AND ($3::text IS NULL OR p.id < $3)"
                 " AND ($4::text IS NULL OR p.order_id = $4) ORDER BY p.id DESC LIMIT $5"};
static const struct pg_sql SQL_PO_LINES = {
    PGS_PO_LINES,
    "SELECT a.line_no, a.sku, ol.name, a.qty FROM allocations a"
    " JOIN order_lines ol ON ol.order_id = a.order_id AND ol.line_no = a.line_no"
    " WHERE a.order_id = $1 AND a.shipment_id = $2 AND a.qty > 0 ORDER BY a.alloc_no"};
static const struct pg_sql SQL_LOCATION_IS_SUPPLIER = {
    PGS_LOCATION_IS_SUPPLIER, "SELECT kind = 'supplier' FROM locations WHERE id = $1"};

enum err_code pg_purchase_order_insert(struct store_conn *conn, struct arena *arena,
                                       struct purchase_order *po, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer && arena != NULL);
    ASSERT(po != NULL && po->id != NULL && po->order_id != NULL && po->shipment_id != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PO_NEXT_NUMBER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = pg_step_row(conn, stmt, &has_row, "purchase order number", err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_STORE, NULL, "store has no purchase order number sequence");
    }
    int64_t number = code == ERR_OK ? pg_value_i64(stmt, 0) : 0;
    pg_done(stmt);
    po->number = code == ERR_OK ? arena_sprintf(arena, "PO-%" PRId64, number) : NULL;
    if (code == ERR_OK && po->number == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_PO_INSERT, &stmt, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, po->id);
    pg_bind_text(&bind, po->number);
    pg_bind_i64(&bind, po->supplier_row_id);
    pg_bind_text(&bind, po->order_id);
    pg_bind_text(&bind, po->shipment_id);
    pg_bind_i64(&bind, po->created_at_ms);
    code = pg_bind_check(conn, &bind, "purchase order", err);
    return code == ERR_OK ? pg_run(conn, stmt, "purchase order", err) : code;
}

static enum err_code po_read(struct pg_row *row, void *item, struct err *err)
{
    struct purchase_order *po = item;
    memset(po, 0, sizeof(*po));
    po->id = pg_col_text(row);
    po->number = pg_col_text(row);
    po->order_id = pg_col_text(row);
    po->order_number = pg_col_text(row);
    po->shipment_id = pg_col_text(row);
    po->supplier_row_id = pg_col_i64(row);
    po->supplier_code = pg_col_text(row);
    const char *status = pg_col_text(row);
    po->carrier = pg_col_text(row);
    po->service = pg_col_text(row);
    po->tracking_number = pg_col_text(row);
    po->created_at_ms = pg_col_i64(row);
    po->shipped_at_ms = pg_col_i64(row);
    po->delivered_at_ms = pg_col_i64(row);
    po->cancelled_at_ms = pg_col_i64(row);
    enum err_code code = pg_row_check(row, err);
    if (code == ERR_OK && (status == NULL || !shipment_status_parse(status, &po->status))) {
        return pg_corrupt(err, "purchase order shipment status", status);
    }
    return code;
}

static enum err_code po_line_read(struct pg_row *row, void *item, struct err *err)
{
    struct purchase_order_line *line = item;
    line->line_no = pg_col_int(row);
    line->sku = pg_col_text(row);
    line->name = pg_col_text(row);
    line->qty = pg_col_i64(row);
    return pg_row_check(row, err);
}

/* Fills po->lines from the allocations of its shipment. */
static enum err_code po_lines(struct store_conn *conn, struct arena *arena,
                              struct purchase_order *po, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PO_LINES, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, po->order_id);
    pg_bind_text(&bind, po->shipment_id);
    code = pg_bind_check(conn, &bind, "purchase order lines", err);
    struct pg_reader reader = {.arena = arena,
                               .read = po_line_read,
                               .what = "purchase order line",
                               .elem_size = sizeof(struct purchase_order_line)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
    }
    po->lines = code == ERR_OK ? reader.items : NULL;
    po->lines_count = code == ERR_OK ? reader.count : 0;
    return code;
}

enum err_code pg_purchase_order_get(struct store_conn *conn, struct arena *arena, const char *id,
                                    struct purchase_order *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && id != NULL);
    ASSERT(out != NULL);
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_query *stmt = NULL;
    code = pg_stmt(conn, &SQL_PO_GET, &stmt, err);
    if (code == ERR_OK) {
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, id);
        code = pg_bind_check(conn, &bind, "purchase order", err);
    }
    struct pg_reader reader = {.arena = arena, .read = po_read, .what = "purchase order"};
    if (code == ERR_OK) {
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_OK) {
        code = po_lines(conn, arena, out, err);
    }
    pg_snapshot_end(conn, owned);
    return code;
}

enum err_code pg_purchase_order_list(struct store_conn *conn, struct arena *arena,
                                     const struct purchase_order_filter *filter,
                                     struct purchase_order **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL);
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    struct pg_query *stmt = NULL;
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_PO_LIST, &stmt, err);
    }
    if (code == ERR_OK) {
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_i64(&bind, filter->supplier_row_id);
        pg_bind_text(&bind, filter->has_status ? shipment_status_name(filter->status) : NULL);
        pg_bind_text(&bind, filter->before_id);
        pg_bind_text(&bind, filter->order_id);
        pg_bind_i64(&bind, (int64_t)filter->limit);
        code = pg_bind_check(conn, &bind, "purchase order list", err);
    }
    struct pg_reader reader = {.arena = arena,
                               .read = po_read,
                               .what = "purchase order",
                               .elem_size = sizeof(struct purchase_order)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
    }
    struct purchase_order *items = reader.items;
    for (size_t i = 0; code == ERR_OK && i < reader.count; i++) {
        code = po_lines(conn, arena, &items[i], err);
    }
    pg_snapshot_end(conn, owned);
    *out = code == ERR_OK ? items : NULL;
    *count = code == ERR_OK ? reader.count : 0;
    return code;
}

enum err_code pg_location_is_supplier(struct store_conn *conn, int64_t location_row_id, bool *out,
                                      struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    *out = false;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LOCATION_IS_SUPPLIER, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, location_row_id);
    code = pg_bind_check(conn, &bind, "location kind", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "location kind", err);
        *out = code == ERR_OK && has_row && pg_value_i64(stmt, 0) != 0;
        pg_done(stmt);
    }
    return code;
}
