/*
 * pg_orders.c — orders with their lines and allocations, the order number sequence, the
 * routing explanation and shipments in PostgreSQL. An order is read whole (row, lines ordered by
 * line_no, allocations in the order they were given) and written whole; updates are
 * optimistic on the order's version.
 *
 * The twin of sqlite_orders.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/limits.h"
#include "core/order.h"
#include "core/shipment.h"
#include "store/store.h"

/* ---- statements ------------------------------------------------------------------------ */

/* The 55 columns of an order in the order of order_bind() and order_read(). */
#define ORDER_COLUMNS                                                                              \
    "id, number, status, channel, external_id, customer_id, customer_email, customer_name,"        \
    " customer_type, currency, method, pickup_location, delivery_day, ship_policy, backorder,"     \
    " payment_provider, hold_reason, cancel_reason, notes, subtotal, discount, shipping, tax,"     \
    " total, promised_ship_by, promised_ship_by_given, version, created_at, updated_at,"           \
    " allocated_at, shipped_at, delivered_at, cancelled_at, ship_name, ship_company, ship_line1,"  \
    " ship_line2, ship_city, ship_region, ship_postal_code, ship_country, ship_phone, ship_lat,"   \
    " ship_lon, bill_name, bill_company, bill_line1, bill_line2, bill_city, bill_region,"          \
    " bill_postal_code, bill_country, bill_phone, bill_lat, bill_lon"

static const struct pg_sql SQL_ORDER_INSERT = {
    PGS_ORDER_INSERT,
    "INSERT INTO orders (" ORDER_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, lower($7), $8, $9,"
    " $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27,"
    " $28, $29, $30, $31, $32, $33, $34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45,"
    " $46, $47, $48, $49, $50, $51, $52, $53, $54, $55)"};
static const struct pg_sql SQL_ORDER_UPDATE = {
    PGS_ORDER_UPDATE,
    "UPDATE orders SET number = $2, status = $3, channel = $4, external_id = $5,"
    " customer_id = $6, customer_email = lower($7), customer_name = $8, customer_type = $9,"
    " currency = $10, method = $11, pickup_location = $12, delivery_day = $13,"
    " ship_policy = $14, backorder = $15, payment_provider = $16, hold_reason = $17,"
    " cancel_reason = $18, notes = $19, subtotal = $20, discount = $21, shipping = $22,"
    " tax = $23, total = $24, promised_ship_by = $25, promised_ship_by_given = $26,"
    " version = $27, created_at = $28, updated_at = $29, allocated_at = $30, shipped_at = $31,"
    " delivered_at = $32, cancelled_at = $33, ship_name = $34, ship_company = $35,"
    " ship_line1 = $36, ship_line2 = $37, ship_city = $38, ship_region = $39,"
    " ship_postal_code = $40, ship_country = $41, ship_phone = $42, ship_lat = $43,"
    " ship_lon = $44, bill_name = $45, bill_company = $46, bill_line1 = $47, bill_line2 = $48,"
    " bill_city = $49, bill_region = $50, bill_postal_code = $51, bill_country = $52,"
    " bill_phone = $53, bill_lat = $54, bill_lon = $55 WHERE id = $1 AND version = $56"};
static const struct pg_sql SQL_ORDER_EXISTS = {PGS_ORDER_EXISTS,
                                               "SELECT 1 FROM orders WHERE id = $1"};
static const struct pg_sql SQL_ORDER_GET = {PGS_ORDER_GET,
                                            "SELECT " ORDER_COLUMNS " FROM orders WHERE id = $1"};
/*
 * Only the unique key (external_id, channel) can take this as an index condition: the channel
 * is compared as an expression, which no index on channel can use (migration 020 says why). A
 * generic plan made while orders was nearly empty and had no statistics could otherwise walk
 * orders_by_channel_status or orders_by_channel, filtering every order of the channel.
 */
static const struct pg_sql SQL_ORDER_FIND_EXTERNAL = {
    PGS_ORDER_FIND_EXTERNAL, "SELECT id FROM orders WHERE external_id = $2 AND channel || '' = $1"};

/*
 * One list statement per leading filter, as on SQLite (where the lead condition picks the
 * index to walk newest first; PostgreSQL's planner chooses for itself). $1 is the id cursor (a
 * value above every id when absent, so that it is always a range on the key).
 */
#define ORDER_LIST_SQL(lead)                                                                       \
    "SELECT " ORDER_COLUMNS " FROM orders WHERE " lead " AND id < $1"                              \
    " AND ($2::text IS NULL OR status = $2) AND ($3::text IS NULL OR channel = $3)"                \
    " AND ($4::text IS NULL OR customer_email = lower($4)) AND ($5::text IS NULL OR customer_id "  \
    "= $5)"                                                                                        \
    " AND created_at >= $6 AND created_at <= $7 AND ($9::text IS NULL OR number = $9)"             \
    " AND id >= $10 ORDER BY id DESC LIMIT $8"

static const struct pg_sql SQL_ORDER_LIST = {PGS_ORDER_LIST, ORDER_LIST_SQL("TRUE")};
static const struct pg_sql SQL_ORDER_LIST_BY_STATUS = {PGS_ORDER_LIST_BY_STATUS,
                                                       ORDER_LIST_SQL("status = $2")};
static const struct pg_sql SQL_ORDER_LIST_BY_CUSTOMER = {PGS_ORDER_LIST_BY_CUSTOMER,
                                                         ORDER_LIST_SQL("customer_id = $5")};
static const struct pg_sql SQL_ORDER_LIST_BY_EMAIL = {PGS_ORDER_LIST_BY_EMAIL,
                                                      ORDER_LIST_SQL("customer_email = lower($4)")};
/* Web console round 2 (issue 8): an order number, a channel, a channel and a status lead the
 * walk (012_indexes.sql), as on SQLite. */
static const struct pg_sql SQL_ORDER_LIST_BY_NUMBER = {PGS_ORDER_LIST_BY_NUMBER,
                                                       ORDER_LIST_SQL("number = $9")};
static const struct pg_sql SQL_ORDER_LIST_BY_CHANNEL = {PGS_ORDER_LIST_BY_CHANNEL,
                                                        ORDER_LIST_SQL("channel = $3")};
static const struct pg_sql SQL_ORDER_LIST_BY_CHANNEL_STATUS = {
    PGS_ORDER_LIST_BY_CHANNEL_STATUS, ORDER_LIST_SQL("channel = $3 AND status = $2")};

#define ORDER_ID_AFTER_ALL "\x7f" /* sorts after every id ([A-Za-z0-9_]) */

/* A sequence (SQLite: a row of the sequences table): several processes never share a number,
 * and taking one does not lock a row until commit. A rolled back number is not handed out
 * again, so a rollback leaves a gap (as store.h allows). */
static const struct pg_sql SQL_ORDER_NUMBERS = {
    PGS_ORDER_NEXT_NUMBER,
    "SELECT nextval('order_number') FROM generate_series(1, $1::bigint) ORDER BY 1"};

#define LINE_COLUMNS                                                                               \
    "line_no, id, product_id, sku, name, qty, unit_price, unit_price_given, weight_grams,"         \
    " is_kit, customization, qty_allocated, qty_shipped, qty_cancelled, qty_returned,"             \
    " qty_backordered"

/* A new order's lines and allocations go in by up to ORDER_ROWS_PER_INSERT rows per statement
 * (one execution: one executor start-up and one round of its triggers' set-up instead of one per
 * row), as on SQLite: rows_insert picks the statement of as many rows as are left. PostgreSQL
 * numbers its parameters, so each row's placeholders are spelled out. */
#define ORDER_ROWS_PER_INSERT  4
#define LINE_INSERT_ROWS(rows) "INSERT INTO order_lines (order_id, " LINE_COLUMNS ") VALUES " rows
static const struct pg_sql SQL_LINE_INSERTS[ORDER_ROWS_PER_INSERT] = {
    {PGS_LINE_INSERT,
     LINE_INSERT_ROWS(
         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)")},
    {PGS_LINE_INSERT_2,
     LINE_INSERT_ROWS("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
                      ", ($18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, "
                      "$32, $33, $34)")},
    {PGS_LINE_INSERT_3,
     LINE_INSERT_ROWS(
         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
         ", ($18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)"
         ", ($35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50, "
         "$51)")},
    {PGS_LINE_INSERT_4,
     LINE_INSERT_ROWS(
         "($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)"
         ", ($18, $19, $20, $21, $22, $23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33, $34)"
         ", ($35, $36, $37, $38, $39, $40, $41, $42, $43, $44, $45, $46, $47, $48, $49, $50, $51)"
         ", ($52, $53, $54, $55, $56, $57, $58, $59, $60, $61, $62, $63, $64, $65, $66, $67, "
         "$68)")},
};
static const struct pg_sql SQL_LINE_UPSERT = {
    PGS_LINE_UPSERT,
    "INSERT INTO order_lines (order_id, " LINE_COLUMNS ") VALUES ($1, $2, $3, $4, $5, $6, $7,"
    " $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT (order_id, line_no) DO UPDATE"
    " SET id = excluded.id, product_id = excluded.product_id, sku = excluded.sku,"
    " name = excluded.name, qty = excluded.qty, unit_price = excluded.unit_price,"
    " unit_price_given = excluded.unit_price_given, weight_grams = excluded.weight_grams,"
    " is_kit = excluded.is_kit, customization = excluded.customization,"
    " qty_allocated = excluded.qty_allocated, qty_shipped = excluded.qty_shipped,"
    " qty_cancelled = excluded.qty_cancelled, qty_returned = excluded.qty_returned,"
    " qty_backordered = excluded.qty_backordered"};
static const struct pg_sql SQL_LINE_LIST = {
    PGS_LINE_LIST, "SELECT " LINE_COLUMNS " FROM order_lines WHERE order_id = $1 ORDER BY line_no"};

#define ALLOCATION_INSERT_ROWS(rows)                                                               \
    "INSERT INTO allocations (order_id, alloc_no, id, line_id, line_no, sku, location_id, qty,"    \
    " shipment_id, distance_km, created_at) VALUES " rows
static const struct pg_sql SQL_ALLOCATION_INSERTS[ORDER_ROWS_PER_INSERT] = {
    {PGS_ALLOCATION_INSERT,
     ALLOCATION_INSERT_ROWS("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")},
    {PGS_ALLOCATION_INSERT_2,
     ALLOCATION_INSERT_ROWS("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                            ", ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)")},
    {PGS_ALLOCATION_INSERT_3,
     ALLOCATION_INSERT_ROWS("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                            ", ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
                            ", ($23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)")},
    {PGS_ALLOCATION_INSERT_4,
     ALLOCATION_INSERT_ROWS("($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"
                            ", ($12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22)"
                            ", ($23, $24, $25, $26, $27, $28, $29, $30, $31, $32, $33)"
                            ", ($34, $35, $36, $37, $38, $39, $40, $41, $42, $43, $44)")},
};
static const struct pg_sql SQL_ALLOCATION_DELETE = {PGS_ALLOCATION_DELETE,
                                                    "DELETE FROM allocations WHERE order_id = $1"};
static const struct pg_sql SQL_ALLOCATION_LIST = {
    PGS_ALLOCATION_LIST,
    "SELECT a.id, a.line_id, a.line_no, a.sku, a.location_id, l.code, a.qty, a.shipment_id,"
    " a.distance_km, a.created_at FROM allocations a CROSS JOIN locations l"
    " WHERE a.order_id = $1 AND l.id = a.location_id ORDER BY a.alloc_no"};

/* Units still held for allocations: those of shipments not yet gone (or without one). */
static const struct pg_sql SQL_ALLOCATION_TOTALS = {
    PGS_ALLOCATION_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, 0, t.qty, 0, 0, 0"
    " FROM (SELECT ol.product_id AS product_id, a.location_id AS location_id, sum(a.qty) AS qty"
    " FROM allocations a JOIN order_lines ol ON ol.order_id = a.order_id"
    " AND ol.line_no = a.line_no LEFT JOIN shipments s ON s.id = a.shipment_id"
    " WHERE s.id IS NULL OR s.status NOT IN ('shipped', 'delivered', 'picked_up', 'cancelled')"
    " GROUP BY ol.product_id, a.location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

static const struct pg_sql SQL_ROUTING_SET = {
    PGS_ROUTING_SET, "INSERT INTO order_routing (order_id, routing) VALUES ($1, $2)"
                     " ON CONFLICT (order_id) DO UPDATE SET routing = excluded.routing"};
static const struct pg_sql SQL_ROUTING_GET = {
    PGS_ROUTING_GET, "SELECT r.routing FROM orders o LEFT JOIN order_routing r ON r.order_id = o.id"
                     " WHERE o.id = $1"};

#define SHIPMENT_COLUMNS                                                                           \
    "s.id, s.order_id, s.location_id, l.code, s.status, s.is_pickup, s.carrier, s.service,"        \
    " s.tracking_number, s.cost, s.pickup_code, s.promised_ship_by, s.version, s.created_at,"      \
    " s.updated_at, s.shipped_at, s.delivered_at, s.cancelled_at"

static const struct pg_sql SQL_SHIPMENT_INSERT = {
    PGS_SHIPMENT_INSERT,
    "INSERT INTO shipments (id, order_id, location_id, status, is_pickup, carrier, service,"
    " tracking_number, cost, pickup_code, promised_ship_by, version, created_at, updated_at,"
    " shipped_at, delivered_at, cancelled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10,"
    " $11, $12, $13, $14, $15, $16, $17)"};
static const struct pg_sql SQL_SHIPMENT_UPDATE = {
    PGS_SHIPMENT_UPDATE,
    "UPDATE shipments SET location_id = $2, status = $3, is_pickup = $4, carrier = $5,"
    " service = $6, tracking_number = $7, cost = $8, pickup_code = $9, promised_ship_by = $10,"
    " version = $11::bigint + 1, updated_at = $12, shipped_at = $13, delivered_at = $14,"
    " cancelled_at = $15 WHERE id = $1 AND version = $11"};
static const struct pg_sql SQL_SHIPMENT_EXISTS = {PGS_SHIPMENT_EXISTS,
                                                  "SELECT 1 FROM shipments WHERE id = $1"};
static const struct pg_sql SQL_SHIPMENT_GET = {
    PGS_SHIPMENT_GET, "SELECT " SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                      " WHERE s.id = $1 AND l.id = s.location_id"};
static const struct pg_sql SQL_SHIPMENT_LIST_BY_ORDER = {
    PGS_SHIPMENT_LIST_BY_ORDER,
    "SELECT " SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE s.order_id = $1 AND l.id = s.location_id ORDER BY s.created_at, s.id"};

/* ---- orders: binding and reading --------------------------------------------------------- */

/* Money adds up (invariant 5): what every stored order satisfies, checked on write and load. */
static bool order_totals_add_up(const struct order_totals *totals)
{
    return totals->total == totals->subtotal - totals->discount + totals->shipping + totals->tax;
}

static void order_bind(struct pg_bind *bind, const struct order *order)
{
    pg_bind_text(bind, order->id);
    pg_bind_text(bind, order->number);
    pg_bind_text(bind, order_status_name(order->status));
    pg_bind_text(bind, order->channel);
    pg_bind_text(bind, order->external_id);
    pg_bind_text(bind, order->customer_id);
    pg_bind_text(bind, order->customer_email);
    pg_bind_text(bind, order->customer_name);
    pg_bind_text(bind, customer_type_name(order->customer_type));
    pg_bind_text(bind, order->currency);
    pg_bind_text(bind, fulfillment_method_name(order->method));
    pg_bind_text(bind, order->pickup_location);
    pg_bind_i64(bind, order->delivery_day);
    pg_bind_text(bind, ship_policy_name(order->ship_policy));
    pg_bind_bool(bind, order->backorder);
    pg_bind_text(bind, order->payment_provider);
    pg_bind_text(bind, order->hold_reason);
    pg_bind_text(bind, order->cancel_reason);
    pg_bind_text(bind, order->notes);
    pg_bind_i64(bind, order->totals.subtotal);
    pg_bind_i64(bind, order->totals.discount);
    pg_bind_i64(bind, order->totals.shipping);
    pg_bind_i64(bind, order->totals.tax);
    pg_bind_i64(bind, order->totals.total);
    pg_bind_i64_or_null(bind, order->promised_ship_by_ms);
    pg_bind_bool(bind, order->promised_ship_by_given);
    pg_bind_i64(bind, order->version);
    pg_bind_i64(bind, order->created_at_ms);
    pg_bind_i64(bind, order->updated_at_ms);
    pg_bind_i64_or_null(bind, order->allocated_at_ms);
    pg_bind_i64_or_null(bind, order->shipped_at_ms);
    pg_bind_i64_or_null(bind, order->delivered_at_ms);
    pg_bind_i64_or_null(bind, order->cancelled_at_ms);
    pg_bind_address(bind, &order->shipping_address);
    pg_bind_address(bind, &order->billing_address);
}

/* The enum columns of an order, read as names and parsed once the row is read. */
struct order_names {
    const char *status;
    const char *customer_type;
    const char *method;
    const char *ship_policy;
};

static enum err_code order_parse_names(const struct order_names *names, struct order *order,
                                       struct err *err)
{
    ASSERT(names != NULL && order != NULL);
    if (names->status == NULL || !order_status_parse(names->status, &order->status)) {
        return pg_corrupt(err, "order status", names->status);
    }
    if (names->customer_type == NULL ||
        !customer_type_parse(names->customer_type, &order->customer_type)) {
        return pg_corrupt(err, "customer type", names->customer_type);
    }
    if (names->method == NULL || !fulfillment_method_parse(names->method, &order->method)) {
        return pg_corrupt(err, "fulfillment method", names->method);
    }
    if (names->ship_policy == NULL || !ship_policy_parse(names->ship_policy, &order->ship_policy)) {
        return pg_corrupt(err, "ship policy", names->ship_policy);
    }
    return ERR_OK;
}

static enum err_code order_read(struct pg_row *row, void *item, struct err *err)
{
    struct order *order = item;
    struct order_names names;
    order->id = pg_col_text(row);
    order->number = pg_col_text(row);
    names.status = pg_col_text(row);
    order->channel = pg_col_text(row);
    order->external_id = pg_col_text(row);
    order->customer_id = pg_col_text(row);
    order->customer_email = pg_col_text(row);
    order->customer_name = pg_col_text(row);
    names.customer_type = pg_col_text(row);
    order->currency = pg_col_text(row);
    names.method = pg_col_text(row);
    order->pickup_location = pg_col_text(row);
    order->delivery_day = pg_col_i64(row);
    names.ship_policy = pg_col_text(row);
    order->backorder = pg_col_bool(row);
    order->payment_provider = pg_col_text(row);
    order->hold_reason = pg_col_text(row);
    order->cancel_reason = pg_col_text(row);
    order->notes = pg_col_text(row);
    order->totals.subtotal = pg_col_i64(row);
    order->totals.discount = pg_col_i64(row);
    order->totals.shipping = pg_col_i64(row);
    order->totals.tax = pg_col_i64(row);
    order->totals.total = pg_col_i64(row);
    order->promised_ship_by_ms = pg_col_i64(row);
    order->promised_ship_by_given = pg_col_bool(row);
    order->version = pg_col_i64(row);
    order->created_at_ms = pg_col_i64(row);
    order->updated_at_ms = pg_col_i64(row);
    order->allocated_at_ms = pg_col_i64(row);
    order->shipped_at_ms = pg_col_i64(row);
    order->delivered_at_ms = pg_col_i64(row);
    order->cancelled_at_ms = pg_col_i64(row);
    pg_col_address(row, &order->shipping_address);
    pg_col_address(row, &order->billing_address);
    if (row->arena_full) {
        return ERR_OK; /* pg_row_check reports it */
    }
    return order_parse_names(&names, order, err);
}

static void line_bind(struct pg_bind *bind, const char *order_id, const struct order_line *line)
{
    pg_bind_text(bind, order_id);
    pg_bind_i64(bind, line->line_no);
    pg_bind_text(bind, line->id);
    pg_bind_i64(bind, line->product_row_id);
    pg_bind_text(bind, line->sku);
    pg_bind_text(bind, line->name);
    pg_bind_i64(bind, line->qty);
    pg_bind_i64(bind, line->unit_price);
    pg_bind_bool(bind, line->unit_price_given);
    pg_bind_i64(bind, line->weight_grams);
    pg_bind_bool(bind, line->is_kit);
    pg_bind_text(bind, line->customization_json);
    pg_bind_i64(bind, line->qty_allocated);
    pg_bind_i64(bind, line->qty_shipped);
    pg_bind_i64(bind, line->qty_cancelled);
    pg_bind_i64(bind, line->qty_returned);
    pg_bind_i64(bind, line->qty_backordered);
}

static enum err_code line_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct order_line *line = item;
    line->line_no = pg_col_int(row);
    line->id = pg_col_text(row);
    line->product_row_id = pg_col_i64(row);
    line->sku = pg_col_text(row);
    line->name = pg_col_text(row);
    line->qty = pg_col_i64(row);
    line->unit_price = pg_col_i64(row);
    line->unit_price_given = pg_col_bool(row);
    line->weight_grams = pg_col_i64(row);
    line->is_kit = pg_col_bool(row);
    line->customization_json = pg_col_text(row);
    line->qty_allocated = pg_col_i64(row);
    line->qty_shipped = pg_col_i64(row);
    line->qty_cancelled = pg_col_i64(row);
    line->qty_returned = pg_col_i64(row);
    line->qty_backordered = pg_col_i64(row);
    return ERR_OK;
}

static void allocation_bind(struct pg_bind *bind, const char *order_id, size_t alloc_no,
                            const struct allocation *allocation)
{
    pg_bind_text(bind, order_id);
    pg_bind_i64(bind, (int64_t)alloc_no);
    pg_bind_text(bind, allocation->id);
    pg_bind_text(bind, allocation->line_id);
    pg_bind_i64(bind, allocation->line_no);
    pg_bind_text(bind, allocation->sku);
    pg_bind_i64(bind, allocation->location_row_id);
    pg_bind_i64(bind, allocation->qty);
    pg_bind_text(bind, allocation->shipment_id);
    if (allocation->distance_km >= 0.0) {
        pg_bind_double(bind, allocation->distance_km);
    } else {
        pg_bind_null(bind);
    }
    pg_bind_i64(bind, allocation->created_at_ms);
}

static enum err_code allocation_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct allocation *allocation = item;
    allocation->id = pg_col_text(row);
    allocation->line_id = pg_col_text(row);
    allocation->line_no = pg_col_int(row);
    allocation->sku = pg_col_text(row);
    allocation->location_row_id = pg_col_i64(row);
    allocation->location_code = pg_col_text(row);
    allocation->qty = pg_col_i64(row);
    allocation->shipment_id = pg_col_text(row);
    allocation->distance_km = pg_col_double(row, -1.0);
    allocation->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

/* ---- orders: writing --------------------------------------------------------------------- */

/* An order's lines written again (an edit): one upsert per line. */
static enum err_code lines_upsert(struct store_conn *conn, const struct order *order,
                                  struct err *err)
{
    ASSERT(order->lines_count <= ORDER_LINES_MAX);
    ASSERT(order->lines_count == 0 || order->lines != NULL);
    for (size_t i = 0; i < order->lines_count; i++) {
        struct pg_query *stmt = NULL;
        enum err_code code = pg_stmt(conn, &SQL_LINE_UPSERT, &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        line_bind(&bind, order->id, &order->lines[i]);
        code = pg_bind_check(conn, &bind, "order line", err);
        if (code == ERR_OK) {
            code = pg_run_later(conn, stmt, "order line", err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

typedef void rows_bind_fn(struct pg_bind *bind, const struct order *order, size_t i);

static void line_bind_at(struct pg_bind *bind, const struct order *order, size_t i)
{
    line_bind(bind, order->id, &order->lines[i]);
}

static void allocation_bind_at(struct pg_bind *bind, const struct order *order, size_t i)
{
    ASSERT(order->allocations[i].location_row_id > 0);
    allocation_bind(bind, order->id, i, &order->allocations[i]);
}

/* A kind of a new order's rows: its statements (sqls[n - 1]: n rows) and how a row binds. */
struct order_rows {
    const struct pg_sql *sqls;
    rows_bind_fn *bind_at;
    const char *what;
};

static const struct order_rows ORDER_LINE_ROWS = {SQL_LINE_INSERTS, line_bind_at, "order line"};
static const struct order_rows ORDER_ALLOCATION_ROWS = {SQL_ALLOCATION_INSERTS, allocation_bind_at,
                                                        "allocation"};

/* Inserts count rows by statements of up to ORDER_ROWS_PER_INSERT rows, in the pipeline. */
static enum err_code rows_insert(struct store_conn *conn, const struct order *order,
                                 const struct order_rows *rows_of, size_t count, struct err *err)
{
    for (size_t i = 0; i < count;) {
        size_t rows = count - i < ORDER_ROWS_PER_INSERT ? count - i : ORDER_ROWS_PER_INSERT;
        struct pg_query *stmt = NULL;
        enum err_code code = pg_stmt(conn, &rows_of->sqls[rows - 1], &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        for (size_t end = i + rows; i < end; i++) {
            rows_of->bind_at(&bind, order, i);
        }
        code = pg_bind_check(conn, &bind, rows_of->what, err);
        if (code == ERR_OK) {
            code = pg_run_later(conn, stmt, rows_of->what, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code allocations_write(struct store_conn *conn, const struct order *order,
                                       struct err *err)
{
    ASSERT(order->allocations_count == 0 || order->allocations != NULL);
    return rows_insert(conn, order, &ORDER_ALLOCATION_ROWS, order->allocations_count, err);
}

static enum err_code allocations_delete(struct store_conn *conn, const char *order_id,
                                        struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ALLOCATION_DELETE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "allocation", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run_later(conn, stmt, "allocation", err);
}

enum err_code pg_order_insert(struct store_conn *conn, const struct order *order, struct err *err)
{
    ASSERT(conn != NULL && order != NULL);
    ASSERT(order->id != NULL && order->number != NULL && order->channel != NULL);
    ASSERT(order_totals_are_consistent(order)); /* pair: asserted again after a load */
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ORDER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    order_bind(&bind, order);
    code = pg_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run_later(conn, stmt, "order", err);
    if (code == ERR_OK) {
        ASSERT(order->lines_count <= ORDER_LINES_MAX);
        code = rows_insert(conn, order, &ORDER_LINE_ROWS, order->lines_count, err);
    }
    if (code == ERR_OK) {
        code = allocations_write(conn, order, err);
    }
    return code;
}

enum err_code pg_order_update(struct store_conn *conn, const struct order *order,
                              int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && order != NULL && order->id != NULL);
    ASSERT(order->version > expected_version); /* the caller stores expected + 1 */
    ASSERT(order_totals_add_up(&order->totals));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ORDER_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    order_bind(&bind, order);
    pg_bind_i64(&bind, expected_version);
    code = pg_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "order", err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        return pg_version_miss(conn, &SQL_ORDER_EXISTS, &(struct pg_key){.text = order->id},
                               "order", err);
    }
    if (code == ERR_OK) {
        code = lines_upsert(conn, order, err);
    }
    if (code == ERR_OK) {
        code = allocations_delete(conn, order->id, err);
    }
    if (code == ERR_OK) {
        code = allocations_write(conn, order, err);
    }
    return code;
}

/* ---- orders: reading --------------------------------------------------------------------- */

/* Reads the rows of a statement keyed by one order id (lines, allocations, shipments). */
static enum err_code order_children(struct store_conn *conn, const struct pg_sql *sql,
                                    const char *order_id, struct pg_reader *reader, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, reader->what, err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_all(conn, stmt, reader, err);
}

static enum err_code order_load_children(struct store_conn *conn, struct arena *arena,
                                         struct order *order, struct err *err)
{
    ASSERT(order != NULL && order->id != NULL);
    struct pg_reader lines = {.arena = arena,
                              .read = line_read,
                              .what = "order line",
                              .elem_size = sizeof(struct order_line)};
    enum err_code code = order_children(conn, &SQL_LINE_LIST, order->id, &lines, err);
    order->lines = lines.items;
    order->lines_count = lines.count;
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader allocations = {.arena = arena,
                                    .read = allocation_read,
                                    .what = "allocation",
                                    .elem_size = sizeof(struct allocation)};
    code = order_children(conn, &SQL_ALLOCATION_LIST, order->id, &allocations, err);
    order->allocations = allocations.items;
    order->allocations_count = allocations.count;
    /* No assert on the totals read back: every write asserts them, so a row that does not add
     * up was changed outside Ordo, and `ordo check` must be able to read it to report it. */
    return code;
}

/* The order, its lines and its allocations: three statements by the order's id, run in one
 * round trip (pg_prefetch), then read in turn. */
static enum err_code order_get(struct store_conn *conn, struct arena *arena, const char *id,
                               struct order *out, struct err *err)
{
    const struct pg_sql *sqls[] = {&SQL_ORDER_GET, &SQL_LINE_LIST, &SQL_ALLOCATION_LIST};
    struct pg_query *stmts[ARRAY_LEN(sqls)] = {0};
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < ARRAY_LEN(sqls); i++) {
        code = pg_stmt(conn, sqls[i], &stmts[i], err);
        if (code == ERR_OK) {
            struct pg_bind bind;
            pg_bind_init(&bind, stmts[i]);
            pg_bind_text(&bind, id);
            code = pg_bind_check(conn, &bind, "order", err);
        }
    }
    if (code == ERR_OK) {
        code = pg_prefetch(conn, stmts, ARRAY_LEN(stmts), "order", err);
    }
    if (code == ERR_OK) {
        code = pg_read_one(conn, stmts[0],
                           &(struct pg_reader){.arena = arena, .read = order_read, .what = "order"},
                           out, err);
    }
    struct pg_reader lines = {.arena = arena,
                              .read = line_read,
                              .what = "order line",
                              .elem_size = sizeof(struct order_line)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmts[1], &lines, err);
        out->lines = lines.items;
        out->lines_count = lines.count;
    }
    struct pg_reader allocations = {.arena = arena,
                                    .read = allocation_read,
                                    .what = "allocation",
                                    .elem_size = sizeof(struct allocation)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmts[2], &allocations, err);
        out->allocations = allocations.items;
        out->allocations_count = allocations.count;
    }
    for (size_t i = 0; i < ARRAY_LEN(stmts); i++) {
        if (stmts[i] != NULL) {
            pg_done(stmts[i]); /* what was not read (the order was not found) */
        }
    }
    return code;
}

enum err_code pg_order_get(struct store_conn *conn, struct arena *arena, const char *id,
                           struct order *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = order_get(conn, arena, id, out, err);
    }
    pg_snapshot_end(conn, owned);
    return code;
}

enum err_code pg_order_find_external_bind(struct store_conn *conn, const char *channel,
                                          const char *external_id, struct pg_query **out,
                                          struct err *err)
{
    enum err_code code = pg_stmt(conn, &SQL_ORDER_FIND_EXTERNAL, out, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, *out);
    pg_bind_text(&bind, channel);
    pg_bind_text(&bind, external_id);
    return pg_bind_check(conn, &bind, "order", err);
}

enum err_code pg_order_find_external(struct store_conn *conn, const char *channel,
                                     const char *external_id, char id_out[ID_LEN_MAX],
                                     struct err *err)
{
    ASSERT(conn != NULL && id_out != NULL);
    ASSERT(channel != NULL && external_id != NULL);
    id_out[0] = '\0';
    struct pg_query *stmt = NULL;
    enum err_code code = pg_order_find_external_bind(conn, channel, external_id, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = pg_step_row(conn, stmt, &has_row, "order", err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "order not found");
    }
    if (code == ERR_OK) {
        const char *text = pg_value_text(stmt, 0);
        size_t bytes = text != NULL ? strlen(text) : 0;
        if (text == NULL || bytes == 0 || bytes >= ID_LEN_MAX) {
            code = pg_corrupt(err, "order id", text);
        } else {
            memcpy(id_out, text, bytes);
            id_out[bytes] = '\0';
        }
    }
    pg_done(stmt);
    return code;
}

/* The list statement whose lead condition narrows the walk most for this filter. */
static const struct pg_sql *order_list_sql(const struct order_filter *filter)
{
    if (filter->customer_id != NULL) {
        return &SQL_ORDER_LIST_BY_CUSTOMER;
    }
    if (filter->number != NULL) {
        return &SQL_ORDER_LIST_BY_NUMBER;
    }
    if (filter->customer_email != NULL) {
        return &SQL_ORDER_LIST_BY_EMAIL;
    }
    if (filter->has_status) {
        return filter->channel != NULL ? &SQL_ORDER_LIST_BY_CHANNEL_STATUS
                                       : &SQL_ORDER_LIST_BY_STATUS;
    }
    return filter->channel != NULL ? &SQL_ORDER_LIST_BY_CHANNEL : &SQL_ORDER_LIST;
}

static enum err_code order_list(struct store_conn *conn, struct arena *arena,
                                const struct order_filter *filter, struct order **out,
                                size_t *count, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, order_list_sql(filter), &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, filter->before_id != NULL ? filter->before_id : ORDER_ID_AFTER_ALL);
    pg_bind_text(&bind, filter->has_status ? order_status_name(filter->status) : NULL);
    pg_bind_text(&bind, filter->channel);
    pg_bind_text(&bind, filter->customer_email);
    pg_bind_text(&bind, filter->customer_id);
    pg_bind_i64(&bind, filter->created_from_ms);
    pg_bind_i64(&bind, filter->created_to_ms > 0 ? filter->created_to_ms : INT64_MAX);
    pg_bind_i64(&bind, filter->limit > INT64_MAX ? INT64_MAX : (int64_t)filter->limit);
    pg_bind_text(&bind, filter->number);
    pg_bind_text(&bind, filter->min_id != NULL ? filter->min_id : "");
    code = pg_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {
        .arena = arena, .read = order_read, .what = "order", .elem_size = sizeof(struct order)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    for (size_t i = 0; i < *count && code == ERR_OK; i++) {
        code = order_load_children(conn, arena, &(*out)[i], err);
    }
    return code;
}

enum err_code pg_order_list(struct store_conn *conn, struct arena *arena,
                            const struct order_filter *filter, struct order **out, size_t *count,
                            struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = order_list(conn, arena, filter, out, count, err);
    }
    pg_snapshot_end(conn, owned);
    return code;
}

/* Takes the next PG_NUMBERS_AHEAD numbers of the sequence into conn->numbers. */
static enum err_code order_numbers_take(struct store_conn *conn, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ORDER_NUMBERS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, PG_NUMBERS_AHEAD);
    code = pg_bind_check(conn, &bind, "order number", err);
    conn->numbers_next = 0;
    conn->numbers_count = 0;
    bool has_row = code == ERR_OK;
    while (code == ERR_OK && has_row && conn->numbers_count < PG_NUMBERS_AHEAD) {
        code = pg_step_row(conn, stmt, &has_row, "order number", err);
        if (code == ERR_OK && has_row) {
            conn->numbers[conn->numbers_count++] = pg_value_i64(stmt, 0);
        }
    }
    pg_done(stmt);
    if (code == ERR_OK && conn->numbers_count == 0) {
        code = err_set(err, ERR_STORE, NULL, "store has no order number sequence");
    }
    return code;
}

enum err_code pg_order_next_number(struct store_conn *conn, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(out != NULL);
    if (conn->numbers_next == conn->numbers_count) {
        /* One round trip for the next PG_NUMBERS_AHEAD orders; nextval is not transactional,
         * so numbers taken stay taken whatever becomes of this transaction. */
        enum err_code code = order_numbers_take(conn, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    *out = conn->numbers[conn->numbers_next++];
    ASSERT(*out > 1000);
    return ERR_OK;
}

enum err_code pg_allocation_totals(struct store_conn *conn, struct arena *arena,
                                   struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ALLOCATION_TOTALS, &stmt, err);
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

/* ---- routing explanation ----------------------------------------------------------------- */

enum err_code pg_order_routing_set(struct store_conn *conn, const char *order_id,
                                   const struct store_doc *routing, struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(order_id != NULL && routing != NULL && routing->bytes != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ROUTING_SET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    pg_bind_blob(&bind, routing->bytes, routing->len);
    code = pg_bind_check(conn, &bind, "order routing", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run_later(conn, stmt, "order routing", err);
}

static enum err_code routing_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct store_doc *routing = item;
    routing->bytes = pg_col_bytes(row, &routing->len);
    return ERR_OK;
}

enum err_code pg_order_routing_get(struct store_conn *conn, struct arena *arena,
                                   const char *order_id, struct store_doc *routing, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(order_id != NULL && routing != NULL);
    *routing = (struct store_doc){0};
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ROUTING_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = routing_read, .what = "order"},
                       routing, err);
}

/* ---- shipments --------------------------------------------------------------------------- */

/* The fields common to insert and update (after the id and, on insert, the order id). */
static void shipment_bind_fields(struct pg_bind *bind, const struct shipment *shipment)
{
    pg_bind_i64(bind, shipment->location_row_id);
    pg_bind_text(bind, shipment_status_name(shipment->status));
    pg_bind_bool(bind, shipment->is_pickup);
    pg_bind_text(bind, shipment->carrier);
    pg_bind_text(bind, shipment->service);
    pg_bind_text(bind, shipment->tracking_number);
    pg_bind_i64(bind, shipment->cost);
    pg_bind_text(bind, shipment->pickup_code);
    pg_bind_i64_or_null(bind, shipment->promised_ship_by_ms);
}

static void shipment_bind_times(struct pg_bind *bind, const struct shipment *shipment)
{
    pg_bind_i64(bind, shipment->updated_at_ms);
    pg_bind_i64_or_null(bind, shipment->shipped_at_ms);
    pg_bind_i64_or_null(bind, shipment->delivered_at_ms);
    pg_bind_i64_or_null(bind, shipment->cancelled_at_ms);
}

static enum err_code shipment_read(struct pg_row *row, void *item, struct err *err)
{
    struct shipment *shipment = item;
    shipment->id = pg_col_text(row);
    shipment->order_id = pg_col_text(row);
    shipment->location_row_id = pg_col_i64(row);
    shipment->location_code = pg_col_text(row);
    const char *status = pg_col_text(row);
    if (status != NULL && !shipment_status_parse(status, &shipment->status)) {
        return pg_corrupt(err, "shipment status", status);
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
    return ERR_OK;
}

enum err_code pg_shipment_insert(struct store_conn *conn, const struct shipment *shipment,
                                 struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->order_id != NULL);
    ASSERT(shipment->location_row_id > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, shipment->id);
    pg_bind_text(&bind, shipment->order_id);
    shipment_bind_fields(&bind, shipment);
    pg_bind_i64(&bind, shipment->version > 0 ? shipment->version : 1);
    pg_bind_i64(&bind, shipment->created_at_ms);
    shipment_bind_times(&bind, shipment);
    code = pg_bind_check(conn, &bind, "shipment", err);
    if (code == ERR_OK) {
        code = pg_run_later(conn, stmt, "shipment", err);
    }
    return code == ERR_OK ? pg_routing_shipment_counted(conn, shipment->location_row_id,
                                                        shipment->created_at_ms, err)
                          : code;
}

enum err_code pg_shipment_update(struct store_conn *conn, const struct shipment *shipment,
                                 int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->location_row_id > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, shipment->id);
    shipment_bind_fields(&bind, shipment);
    pg_bind_i64(&bind, expected_version);
    shipment_bind_times(&bind, shipment);
    code = pg_bind_check(conn, &bind, "shipment", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "shipment", err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        code = pg_version_miss(conn, &SQL_SHIPMENT_EXISTS, &(struct pg_key){.text = shipment->id},
                               "shipment", err);
    }
    return code;
}

enum err_code pg_shipment_get(struct store_conn *conn, struct arena *arena, const char *id,
                              struct shipment *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENT_GET, &stmt, err);
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
    return pg_read_one(
        conn, stmt, &(struct pg_reader){.arena = arena, .read = shipment_read, .what = "shipment"},
        out, err);
}

enum err_code pg_shipment_list_by_order(struct store_conn *conn, struct arena *arena,
                                        const char *order_id, struct shipment **out, size_t *count,
                                        struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(order_id != NULL && out != NULL && count != NULL);
    struct pg_reader reader = {.arena = arena,
                               .read = shipment_read,
                               .what = "shipment",
                               .elem_size = sizeof(struct shipment)};
    enum err_code code = order_children(conn, &SQL_SHIPMENT_LIST_BY_ORDER, order_id, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
