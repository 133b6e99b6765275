/*
 * sqlite_orders.c — orders with their lines and allocations, the order number sequence, the
 * routing explanation and shipments in SQLite. An order is read whole (row, lines ordered by
 * line_no, allocations in the order they were given) and written whole; updates are
 * optimistic on the order's version.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

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

static const struct sq_sql SQL_ORDER_INSERT = {
    SQ_ORDER_INSERT,
    "INSERT INTO orders (" ORDER_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, lower(?7), ?8, ?9,"
    " ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21, ?22, ?23, ?24, ?25, ?26, ?27,"
    " ?28, ?29, ?30, ?31, ?32, ?33, ?34, ?35, ?36, ?37, ?38, ?39, ?40, ?41, ?42, ?43, ?44, ?45,"
    " ?46, ?47, ?48, ?49, ?50, ?51, ?52, ?53, ?54, ?55)"};
static const struct sq_sql SQL_ORDER_UPDATE = {
    SQ_ORDER_UPDATE,
    "UPDATE orders SET number = ?2, status = ?3, channel = ?4, external_id = ?5,"
    " customer_id = ?6, customer_email = lower(?7), customer_name = ?8, customer_type = ?9,"
    " currency = ?10, method = ?11, pickup_location = ?12, delivery_day = ?13,"
    " ship_policy = ?14, backorder = ?15, payment_provider = ?16, hold_reason = ?17,"
    " cancel_reason = ?18, notes = ?19, subtotal = ?20, discount = ?21, shipping = ?22,"
    " tax = ?23, total = ?24, promised_ship_by = ?25, promised_ship_by_given = ?26,"
    " version = ?27, created_at = ?28, updated_at = ?29, allocated_at = ?30, shipped_at = ?31,"
    " delivered_at = ?32, cancelled_at = ?33, ship_name = ?34, ship_company = ?35,"
    " ship_line1 = ?36, ship_line2 = ?37, ship_city = ?38, ship_region = ?39,"
    " ship_postal_code = ?40, ship_country = ?41, ship_phone = ?42, ship_lat = ?43,"
    " ship_lon = ?44, bill_name = ?45, bill_company = ?46, bill_line1 = ?47, bill_line2 = ?48,"
    " bill_city = ?49, bill_region = ?50, bill_postal_code = ?51, bill_country = ?52,"
    " bill_phone = ?53, bill_lat = ?54, bill_lon = ?55 WHERE id = ?1 AND version = ?56"};
static const struct sq_sql SQL_ORDER_EXISTS = {SQ_ORDER_EXISTS,
                                               "SELECT 1 FROM orders WHERE id = ?1"};
static const struct sq_sql SQL_ORDER_GET = {SQ_ORDER_GET,
                                            "SELECT " ORDER_COLUMNS " FROM orders WHERE id = ?1"};
static const struct sq_sql SQL_ORDER_FIND_EXTERNAL = {
    SQ_ORDER_FIND_EXTERNAL, "SELECT id FROM orders WHERE channel = ?1 AND external_id = ?2"};

/*
 * One list statement per leading filter, so each can walk its index newest first: the lead
 * condition picks the index, the others filter. ?1 is the id cursor (a value above every id
 * when absent, so that it is always a range on the key); the unary + keeps created_at's index
 * out of the plan, which would otherwise sort the whole range.
 */
#define ORDER_LIST_SQL(lead)                                                                       \
    "SELECT " ORDER_COLUMNS " FROM orders WHERE " lead " AND id < ?1"                              \
    " AND (?2 IS NULL OR status = ?2) AND (?3 IS NULL OR channel = ?3)"                            \
    " AND (?4 IS NULL OR customer_email = lower(?4)) AND (?5 IS NULL OR customer_id = ?5)"         \
    " AND +created_at >= ?6 AND +created_at <= ?7 AND (?9 IS NULL OR number = ?9)"                 \
    " AND id >= ?10 ORDER BY id DESC LIMIT ?8"

static const struct sq_sql SQL_ORDER_LIST = {SQ_ORDER_LIST, ORDER_LIST_SQL("1")};
static const struct sq_sql SQL_ORDER_LIST_BY_STATUS = {SQ_ORDER_LIST_BY_STATUS,
                                                       ORDER_LIST_SQL("status = ?2")};
static const struct sq_sql SQL_ORDER_LIST_BY_CUSTOMER = {SQ_ORDER_LIST_BY_CUSTOMER,
                                                         ORDER_LIST_SQL("customer_id = ?5")};
static const struct sq_sql SQL_ORDER_LIST_BY_EMAIL = {SQ_ORDER_LIST_BY_EMAIL,
                                                      ORDER_LIST_SQL("customer_email = lower(?4)")};
/* Web console round 2 (issue 8): an order number is one row of its unique index; a channel
 * walks orders_by_channel, a channel and a status orders_by_channel_status (012_indexes.sql),
 * so a channel with few orders (of that status) is not a walk over every order. */
static const struct sq_sql SQL_ORDER_LIST_BY_NUMBER = {SQ_ORDER_LIST_BY_NUMBER,
                                                       ORDER_LIST_SQL("number = ?9")};
static const struct sq_sql SQL_ORDER_LIST_BY_CHANNEL = {SQ_ORDER_LIST_BY_CHANNEL,
                                                        ORDER_LIST_SQL("channel = ?3")};
static const struct sq_sql SQL_ORDER_LIST_BY_CHANNEL_STATUS = {
    SQ_ORDER_LIST_BY_CHANNEL_STATUS, ORDER_LIST_SQL("channel = ?3 AND status = ?2")};

#define ORDER_ID_AFTER_ALL "\x7f" /* sorts after every id ([A-Za-z0-9_]) */

/* Two statements, not UPDATE ... RETURNING: SQLite runs RETURNING through a temporary table
 * it creates and drops at every execution, a few microseconds of the writer's per order. */
static const struct sq_sql SQL_ORDER_NEXT_NUMBER = {
    SQ_ORDER_NEXT_NUMBER, "UPDATE sequences SET value = value + 1 WHERE name = 'order_number'"};
static const struct sq_sql SQL_ORDER_LAST_NUMBER = {
    SQ_ORDER_LAST_NUMBER, "SELECT value FROM sequences WHERE name = 'order_number'"};

#define LINE_COLUMNS                                                                               \
    "line_no, id, product_id, sku, name, qty, unit_price, unit_price_given, weight_grams,"         \
    " is_kit, customization, qty_allocated, qty_shipped, qty_cancelled, qty_returned,"             \
    " qty_backordered"

/* A new order's lines and allocations go in by up to ORDER_ROWS_PER_INSERT rows per statement
 * (one execution, its cursors opened once, instead of one per row): rows_insert picks the
 * statement of as many rows as are left. */
#define ORDER_ROWS_PER_INSERT  4
#define LINE_ROW               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define LINE_INSERT_ROWS(rows) "INSERT INTO order_lines (order_id, " LINE_COLUMNS ") VALUES " rows
static const struct sq_sql SQL_LINE_INSERTS[ORDER_ROWS_PER_INSERT] = {
    {SQ_LINE_INSERT, LINE_INSERT_ROWS(LINE_ROW)},
    {SQ_LINE_INSERT_2, LINE_INSERT_ROWS(LINE_ROW ", " LINE_ROW)},
    {SQ_LINE_INSERT_3, LINE_INSERT_ROWS(LINE_ROW ", " LINE_ROW ", " LINE_ROW)},
    {SQ_LINE_INSERT_4, LINE_INSERT_ROWS(LINE_ROW ", " LINE_ROW ", " LINE_ROW ", " LINE_ROW)},
};
static const struct sq_sql SQL_LINE_UPSERT = {
    SQ_LINE_UPSERT,
    "INSERT INTO order_lines (order_id, " LINE_COLUMNS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7,"
    " ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17) ON CONFLICT (order_id, line_no) DO UPDATE"
    " SET id = excluded.id, product_id = excluded.product_id, sku = excluded.sku,"
    " name = excluded.name, qty = excluded.qty, unit_price = excluded.unit_price,"
    " unit_price_given = excluded.unit_price_given, weight_grams = excluded.weight_grams,"
    " is_kit = excluded.is_kit, customization = excluded.customization,"
    " qty_allocated = excluded.qty_allocated, qty_shipped = excluded.qty_shipped,"
    " qty_cancelled = excluded.qty_cancelled, qty_returned = excluded.qty_returned,"
    " qty_backordered = excluded.qty_backordered"};
static const struct sq_sql SQL_LINE_LIST = {
    SQ_LINE_LIST, "SELECT " LINE_COLUMNS " FROM order_lines WHERE order_id = ?1 ORDER BY line_no"};

#define ALLOCATION_ROW "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#define ALLOCATION_INSERT_ROWS(rows)                                                               \
    "INSERT INTO allocations (order_id, alloc_no, id, line_id, line_no, sku, location_id, qty,"    \
    " shipment_id, distance_km, created_at) VALUES " rows
static const struct sq_sql SQL_ALLOCATION_INSERTS[ORDER_ROWS_PER_INSERT] = {
    {SQ_ALLOCATION_INSERT, ALLOCATION_INSERT_ROWS(ALLOCATION_ROW)},
    {SQ_ALLOCATION_INSERT_2, ALLOCATION_INSERT_ROWS(ALLOCATION_ROW ", " ALLOCATION_ROW)},
    {SQ_ALLOCATION_INSERT_3,
     ALLOCATION_INSERT_ROWS(ALLOCATION_ROW ", " ALLOCATION_ROW ", " ALLOCATION_ROW)},
    {SQ_ALLOCATION_INSERT_4,
     ALLOCATION_INSERT_ROWS(ALLOCATION_ROW ", " ALLOCATION_ROW ", " ALLOCATION_ROW
                                           ", " ALLOCATION_ROW)},
};
static const struct sq_sql SQL_ALLOCATION_DELETE = {SQ_ALLOCATION_DELETE,
                                                    "DELETE FROM allocations WHERE order_id = ?1"};
static const struct sq_sql SQL_ALLOCATION_LIST = {
    SQ_ALLOCATION_LIST,
    "SELECT a.id, a.line_id, a.line_no, a.sku, a.location_id, l.code, a.qty, a.shipment_id,"
    " a.distance_km, a.created_at FROM allocations a CROSS JOIN locations l"
    " WHERE a.order_id = ?1 AND l.id = a.location_id ORDER BY a.alloc_no"};

/* Units still held for allocations: those of shipments not yet gone (or without one). */
static const struct sq_sql SQL_ALLOCATION_TOTALS = {
    SQ_ALLOCATION_TOTALS,
    "SELECT t.product_id, t.location_id, p.sku, l.code, 0, t.qty, 0, 0, 0"
    " FROM (SELECT ol.product_id AS product_id, a.location_id AS location_id, sum(a.qty) AS qty"
    " FROM allocations a JOIN order_lines ol ON ol.order_id = a.order_id"
    " AND ol.line_no = a.line_no LEFT JOIN shipments s ON s.id = a.shipment_id"
    " WHERE s.id IS NULL OR s.status NOT IN ('shipped', 'delivered', 'picked_up', 'cancelled')"
    " GROUP BY ol.product_id, a.location_id) AS t"
    " JOIN products p ON p.id = t.product_id JOIN locations l ON l.id = t.location_id"
    " ORDER BY t.product_id, t.location_id"};

static const struct sq_sql SQL_ROUTING_SET = {
    SQ_ROUTING_SET, "INSERT INTO order_routing (order_id, routing) VALUES (?1, ?2)"
                    " ON CONFLICT (order_id) DO UPDATE SET routing = excluded.routing"};
static const struct sq_sql SQL_ROUTING_GET = {
    SQ_ROUTING_GET, "SELECT r.routing FROM orders o LEFT JOIN order_routing r ON r.order_id = o.id"
                    " WHERE o.id = ?1"};

#define SHIPMENT_COLUMNS                                                                           \
    "s.id, s.order_id, s.location_id, l.code, s.status, s.is_pickup, s.carrier, s.service,"        \
    " s.tracking_number, s.cost, s.pickup_code, s.promised_ship_by, s.version, s.created_at,"      \
    " s.updated_at, s.shipped_at, s.delivered_at, s.cancelled_at"

static const struct sq_sql SQL_SHIPMENT_INSERT = {
    SQ_SHIPMENT_INSERT,
    "INSERT INTO shipments (id, order_id, location_id, status, is_pickup, carrier, service,"
    " tracking_number, cost, pickup_code, promised_ship_by, version, created_at, updated_at,"
    " shipped_at, delivered_at, cancelled_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10,"
    " ?11, ?12, ?13, ?14, ?15, ?16, ?17)"};
static const struct sq_sql SQL_SHIPMENT_UPDATE = {
    SQ_SHIPMENT_UPDATE,
    "UPDATE shipments SET location_id = ?2, status = ?3, is_pickup = ?4, carrier = ?5,"
    " service = ?6, tracking_number = ?7, cost = ?8, pickup_code = ?9, promised_ship_by = ?10,"
    " version = ?11 + 1, updated_at = ?12, shipped_at = ?13, delivered_at = ?14,"
    " cancelled_at = ?15 WHERE id = ?1 AND version = ?11"};
static const struct sq_sql SQL_SHIPMENT_EXISTS = {SQ_SHIPMENT_EXISTS,
                                                  "SELECT 1 FROM shipments WHERE id = ?1"};
static const struct sq_sql SQL_SHIPMENT_GET = {
    SQ_SHIPMENT_GET, "SELECT " SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
                     " WHERE s.id = ?1 AND l.id = s.location_id"};
static const struct sq_sql SQL_SHIPMENT_LIST_BY_ORDER = {
    SQ_SHIPMENT_LIST_BY_ORDER,
    "SELECT " SHIPMENT_COLUMNS " FROM shipments s CROSS JOIN locations l"
    " WHERE s.order_id = ?1 AND l.id = s.location_id ORDER BY s.created_at, s.id"};

/* ---- orders: binding and reading --------------------------------------------------------- */

/* Money adds up (invariant 5): what every stored order satisfies, checked on write and load. */
static bool order_totals_add_up(const struct order_totals *totals)
{
    return totals->total == totals->subtotal - totals->discount + totals->shipping + totals->tax;
}

static void order_bind(struct sq_bind *bind, const struct order *order)
{
    sq_bind_text(bind, order->id);
    sq_bind_text(bind, order->number);
    sq_bind_text(bind, order_status_name(order->status));
    sq_bind_text(bind, order->channel);
    sq_bind_text(bind, order->external_id);
    sq_bind_text(bind, order->customer_id);
    sq_bind_text(bind, order->customer_email);
    sq_bind_text(bind, order->customer_name);
    sq_bind_text(bind, customer_type_name(order->customer_type));
    sq_bind_text(bind, order->currency);
    sq_bind_text(bind, fulfillment_method_name(order->method));
    sq_bind_text(bind, order->pickup_location);
    sq_bind_i64(bind, order->delivery_day);
    sq_bind_text(bind, ship_policy_name(order->ship_policy));
    sq_bind_bool(bind, order->backorder);
    sq_bind_text(bind, order->payment_provider);
    sq_bind_text(bind, order->hold_reason);
    sq_bind_text(bind, order->cancel_reason);
    sq_bind_text(bind, order->notes);
    sq_bind_i64(bind, order->totals.subtotal);
    sq_bind_i64(bind, order->totals.discount);
    sq_bind_i64(bind, order->totals.shipping);
    sq_bind_i64(bind, order->totals.tax);
    sq_bind_i64(bind, order->totals.total);
    sq_bind_i64_or_null(bind, order->promised_ship_by_ms);
    sq_bind_bool(bind, order->promised_ship_by_given);
    sq_bind_i64(bind, order->version);
    sq_bind_i64(bind, order->created_at_ms);
    sq_bind_i64(bind, order->updated_at_ms);
    sq_bind_i64_or_null(bind, order->allocated_at_ms);
    sq_bind_i64_or_null(bind, order->shipped_at_ms);
    sq_bind_i64_or_null(bind, order->delivered_at_ms);
    sq_bind_i64_or_null(bind, order->cancelled_at_ms);
    sq_bind_address(bind, &order->shipping_address);
    sq_bind_address(bind, &order->billing_address);
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
        return sq_corrupt(err, "order status", names->status);
    }
    if (names->customer_type == NULL ||
        !customer_type_parse(names->customer_type, &order->customer_type)) {
        return sq_corrupt(err, "customer type", names->customer_type);
    }
    if (names->method == NULL || !fulfillment_method_parse(names->method, &order->method)) {
        return sq_corrupt(err, "fulfillment method", names->method);
    }
    if (names->ship_policy == NULL || !ship_policy_parse(names->ship_policy, &order->ship_policy)) {
        return sq_corrupt(err, "ship policy", names->ship_policy);
    }
    return ERR_OK;
}

static enum err_code order_read(struct sq_row *row, void *item, struct err *err)
{
    struct order *order = item;
    struct order_names names;
    order->id = sq_col_text(row);
    order->number = sq_col_text(row);
    names.status = sq_col_text(row);
    order->channel = sq_col_text(row);
    order->external_id = sq_col_text(row);
    order->customer_id = sq_col_text(row);
    order->customer_email = sq_col_text(row);
    order->customer_name = sq_col_text(row);
    names.customer_type = sq_col_text(row);
    order->currency = sq_col_text(row);
    names.method = sq_col_text(row);
    order->pickup_location = sq_col_text(row);
    order->delivery_day = sq_col_i64(row);
    names.ship_policy = sq_col_text(row);
    order->backorder = sq_col_bool(row);
    order->payment_provider = sq_col_text(row);
    order->hold_reason = sq_col_text(row);
    order->cancel_reason = sq_col_text(row);
    order->notes = sq_col_text(row);
    order->totals.subtotal = sq_col_i64(row);
    order->totals.discount = sq_col_i64(row);
    order->totals.shipping = sq_col_i64(row);
    order->totals.tax = sq_col_i64(row);
    order->totals.total = sq_col_i64(row);
    order->promised_ship_by_ms = sq_col_i64(row);
    order->promised_ship_by_given = sq_col_bool(row);
    order->version = sq_col_i64(row);
    order->created_at_ms = sq_col_i64(row);
    order->updated_at_ms = sq_col_i64(row);
    order->allocated_at_ms = sq_col_i64(row);
    order->shipped_at_ms = sq_col_i64(row);
    order->delivered_at_ms = sq_col_i64(row);
    order->cancelled_at_ms = sq_col_i64(row);
    sq_col_address(row, &order->shipping_address);
    sq_col_address(row, &order->billing_address);
    if (row->arena_full) {
        return ERR_OK; /* sq_row_check reports it */
    }
    return order_parse_names(&names, order, err);
}

static void line_bind(struct sq_bind *bind, const char *order_id, const struct order_line *line)
{
    sq_bind_text(bind, order_id);
    sq_bind_i64(bind, line->line_no);
    sq_bind_text(bind, line->id);
    sq_bind_i64(bind, line->product_row_id);
    sq_bind_text(bind, line->sku);
    sq_bind_text(bind, line->name);
    sq_bind_i64(bind, line->qty);
    sq_bind_i64(bind, line->unit_price);
    sq_bind_bool(bind, line->unit_price_given);
    sq_bind_i64(bind, line->weight_grams);
    sq_bind_bool(bind, line->is_kit);
    sq_bind_text(bind, line->customization_json);
    sq_bind_i64(bind, line->qty_allocated);
    sq_bind_i64(bind, line->qty_shipped);
    sq_bind_i64(bind, line->qty_cancelled);
    sq_bind_i64(bind, line->qty_returned);
    sq_bind_i64(bind, line->qty_backordered);
}

static enum err_code line_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct order_line *line = item;
    line->line_no = sq_col_int(row);
    line->id = sq_col_text(row);
    line->product_row_id = sq_col_i64(row);
    line->sku = sq_col_text(row);
    line->name = sq_col_text(row);
    line->qty = sq_col_i64(row);
    line->unit_price = sq_col_i64(row);
    line->unit_price_given = sq_col_bool(row);
    line->weight_grams = sq_col_i64(row);
    line->is_kit = sq_col_bool(row);
    line->customization_json = sq_col_text(row);
    line->qty_allocated = sq_col_i64(row);
    line->qty_shipped = sq_col_i64(row);
    line->qty_cancelled = sq_col_i64(row);
    line->qty_returned = sq_col_i64(row);
    line->qty_backordered = sq_col_i64(row);
    return ERR_OK;
}

static void allocation_bind(struct sq_bind *bind, const char *order_id, size_t alloc_no,
                            const struct allocation *allocation)
{
    sq_bind_text(bind, order_id);
    sq_bind_i64(bind, (int64_t)alloc_no);
    sq_bind_text(bind, allocation->id);
    sq_bind_text(bind, allocation->line_id);
    sq_bind_i64(bind, allocation->line_no);
    sq_bind_text(bind, allocation->sku);
    sq_bind_i64(bind, allocation->location_row_id);
    sq_bind_i64(bind, allocation->qty);
    sq_bind_text(bind, allocation->shipment_id);
    if (allocation->distance_km >= 0.0) {
        sq_bind_double(bind, allocation->distance_km);
    } else {
        sq_bind_null(bind);
    }
    sq_bind_i64(bind, allocation->created_at_ms);
}

static enum err_code allocation_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct allocation *allocation = item;
    allocation->id = sq_col_text(row);
    allocation->line_id = sq_col_text(row);
    allocation->line_no = sq_col_int(row);
    allocation->sku = sq_col_text(row);
    allocation->location_row_id = sq_col_i64(row);
    allocation->location_code = sq_col_text(row);
    allocation->qty = sq_col_i64(row);
    allocation->shipment_id = sq_col_text(row);
    allocation->distance_km = sq_col_double(row, -1.0);
    allocation->created_at_ms = sq_col_i64(row);
    return ERR_OK;
}

/* ---- orders: writing --------------------------------------------------------------------- */

/* Binds row i of a new order's lines or allocations. */
typedef void rows_bind_fn(struct sq_bind *bind, const struct order *order, size_t i);

static void line_bind_at(struct sq_bind *bind, const struct order *order, size_t i)
{
    line_bind(bind, order->id, &order->lines[i]);
}

static void allocation_bind_at(struct sq_bind *bind, const struct order *order, size_t i)
{
    ASSERT(order->allocations[i].location_row_id > 0);
    allocation_bind(bind, order->id, i, &order->allocations[i]);
}

/* A kind of a new order's rows: its statements (sqls[n - 1]: n rows) and how a row binds. */
struct order_rows {
    const struct sq_sql *sqls;
    rows_bind_fn *bind_at;
    const char *what;
};

static const struct order_rows ORDER_LINE_ROWS = {SQL_LINE_INSERTS, line_bind_at, "order line"};
static const struct order_rows ORDER_ALLOCATION_ROWS = {SQL_ALLOCATION_INSERTS, allocation_bind_at,
                                                        "allocation"};

/* Inserts count rows by statements of up to ORDER_ROWS_PER_INSERT rows. */
static enum err_code rows_insert(struct store_conn *conn, const struct order *order,
                                 const struct order_rows *rows_of, size_t count, struct err *err)
{
    for (size_t i = 0; i < count;) {
        size_t rows = count - i < ORDER_ROWS_PER_INSERT ? count - i : ORDER_ROWS_PER_INSERT;
        sqlite3_stmt *stmt = NULL;
        enum err_code code = sq_stmt(conn, &rows_of->sqls[rows - 1], &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        for (size_t end = i + rows; i < end; i++) {
            rows_of->bind_at(&bind, order, i);
        }
        code = sq_bind_check(conn, &bind, rows_of->what, err);
        if (code == ERR_OK) {
            code = sq_run(conn, stmt, rows_of->what, err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

/* An order's lines written again (an edit): one upsert per line. */
static enum err_code lines_upsert(struct store_conn *conn, const struct order *order,
                                  struct err *err)
{
    ASSERT(order->lines_count <= ORDER_LINES_MAX);
    ASSERT(order->lines_count == 0 || order->lines != NULL);
    for (size_t i = 0; i < order->lines_count; i++) {
        sqlite3_stmt *stmt = NULL;
        enum err_code code = sq_stmt(conn, &SQL_LINE_UPSERT, &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        line_bind(&bind, order->id, &order->lines[i]);
        code = sq_bind_check(conn, &bind, "order line", err);
        if (code == ERR_OK) {
            code = sq_run(conn, stmt, "order line", err);
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
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ALLOCATION_DELETE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "allocation", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "allocation", err);
}

enum err_code sqlite_order_insert(struct store_conn *conn, const struct order *order,
                                  struct err *err)
{
    ASSERT(conn != NULL && order != NULL);
    ASSERT(order->id != NULL && order->number != NULL && order->channel != NULL);
    ASSERT(order_totals_are_consistent(order)); /* pair: asserted again after a load */
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    order_bind(&bind, order);
    code = sq_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_run(conn, stmt, "order", err);
    if (code == ERR_OK) {
        ASSERT(order->lines_count <= ORDER_LINES_MAX);
        code = rows_insert(conn, order, &ORDER_LINE_ROWS, order->lines_count, err);
    }
    if (code == ERR_OK) {
        code = allocations_write(conn, order, err);
    }
    return code;
}

enum err_code sqlite_order_update(struct store_conn *conn, const struct order *order,
                                  int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && order != NULL && order->id != NULL);
    ASSERT(order->version > expected_version); /* the caller stores expected + 1 */
    ASSERT(order_totals_add_up(&order->totals));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    order_bind(&bind, order);
    sq_bind_i64(&bind, expected_version);
    code = sq_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_run(conn, stmt, "order", err);
    if (code == ERR_OK && sqlite3_changes(conn->db) == 0) {
        return sq_version_miss(conn, &SQL_ORDER_EXISTS, &(struct sq_key){.text = order->id},
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
static enum err_code order_children(struct store_conn *conn, const struct sq_sql *sql,
                                    const char *order_id, struct sq_reader *reader, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, reader->what, err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_read_all(conn, stmt, reader, err);
}

static enum err_code order_load_children(struct store_conn *conn, struct arena *arena,
                                         struct order *order, struct err *err)
{
    ASSERT(order != NULL && order->id != NULL);
    struct sq_reader lines = {.arena = arena,
                              .read = line_read,
                              .what = "order line",
                              .elem_size = sizeof(struct order_line)};
    enum err_code code = order_children(conn, &SQL_LINE_LIST, order->id, &lines, err);
    order->lines = lines.items;
    order->lines_count = lines.count;
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader allocations = {.arena = arena,
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

static enum err_code order_get(struct store_conn *conn, struct arena *arena, const char *id,
                               struct order *out, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, id);
    code = sq_bind_check(conn, &bind, "order", err);
    if (code == ERR_OK) {
        code = sq_read_one(conn, stmt,
                           &(struct sq_reader){.arena = arena, .read = order_read, .what = "order"},
                           out, err);
    }
    if (code == ERR_OK) {
        code = order_load_children(conn, arena, out, err);
    }
    return code;
}

enum err_code sqlite_order_get(struct store_conn *conn, struct arena *arena, const char *id,
                               struct order *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = order_get(conn, arena, id, out, err);
    }
    sq_snapshot_end(conn, owned);
    return code;
}

enum err_code sqlite_order_find_external(struct store_conn *conn, const char *channel,
                                         const char *external_id, char id_out[ID_LEN_MAX],
                                         struct err *err)
{
    ASSERT(conn != NULL && id_out != NULL);
    ASSERT(channel != NULL && external_id != NULL);
    id_out[0] = '\0';
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_FIND_EXTERNAL, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, channel);
    sq_bind_text(&bind, external_id);
    code = sq_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, "order", err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "order not found");
    }
    if (code == ERR_OK) {
        const unsigned char *text = sqlite3_column_text(stmt, 0);
        int bytes = sqlite3_column_bytes(stmt, 0);
        if (text == NULL || bytes <= 0 || bytes >= ID_LEN_MAX) {
            code = sq_corrupt(err, "order id", (const char *)text);
        } else {
            memcpy(id_out, text, (size_t)bytes);
            id_out[bytes] = '\0';
        }
    }
    sq_done(stmt);
    return code;
}

/* The list statement whose lead condition narrows the walk most for this filter. */
static const struct sq_sql *order_list_sql(const struct order_filter *filter)
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
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, order_list_sql(filter), &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, filter->before_id != NULL ? filter->before_id : ORDER_ID_AFTER_ALL);
    sq_bind_text(&bind, filter->has_status ? order_status_name(filter->status) : NULL);
    sq_bind_text(&bind, filter->channel);
    sq_bind_text(&bind, filter->customer_email);
    sq_bind_text(&bind, filter->customer_id);
    sq_bind_i64(&bind, filter->created_from_ms);
    sq_bind_i64(&bind, filter->created_to_ms > 0 ? filter->created_to_ms : INT64_MAX);
    sq_bind_i64(&bind, filter->limit > INT64_MAX ? INT64_MAX : (int64_t)filter->limit);
    sq_bind_text(&bind, filter->number);
    sq_bind_text(&bind, filter->min_id != NULL ? filter->min_id : "");
    code = sq_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {
        .arena = arena, .read = order_read, .what = "order", .elem_size = sizeof(struct order)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    for (size_t i = 0; i < *count && code == ERR_OK; i++) {
        code = order_load_children(conn, arena, &(*out)[i], err);
    }
    return code;
}

enum err_code sqlite_order_list(struct store_conn *conn, struct arena *arena,
                                const struct order_filter *filter, struct order **out,
                                size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && filter != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = order_list(conn, arena, filter, out, count, err);
    }
    sq_snapshot_end(conn, owned);
    return code;
}

enum err_code sqlite_order_next_number(struct store_conn *conn, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    ASSERT(out != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_NEXT_NUMBER, &stmt, err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "order number", err);
    }
    if (code == ERR_OK) {
        code = sq_stmt(conn, &SQL_ORDER_LAST_NUMBER, &stmt, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, "order number", err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_STORE, NULL, "store has no order number sequence");
    }
    if (code == ERR_OK) {
        *out = sqlite3_column_int64(stmt, 0);
        ASSERT(*out > 1000);
    }
    sq_done(stmt);
    return code;
}

enum err_code sqlite_allocation_totals(struct store_conn *conn, struct arena *arena,
                                       struct stock_row **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ALLOCATION_TOTALS, &stmt, err);
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

/* ---- routing explanation ----------------------------------------------------------------- */

enum err_code sqlite_order_routing_set(struct store_conn *conn, const char *order_id,
                                       const struct store_doc *routing, struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(order_id != NULL && routing != NULL && routing->bytes != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ROUTING_SET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    sq_bind_blob(&bind, routing->bytes, routing->len);
    code = sq_bind_check(conn, &bind, "order routing", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "order routing", err);
}

static enum err_code routing_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct store_doc *routing = item;
    routing->bytes = sq_col_bytes(row, &routing->len);
    return ERR_OK;
}

enum err_code sqlite_order_routing_get(struct store_conn *conn, struct arena *arena,
                                       const char *order_id, struct store_doc *routing,
                                       struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(order_id != NULL && routing != NULL);
    *routing = (struct store_doc){0};
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ROUTING_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "order", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_read_one(conn, stmt,
                       &(struct sq_reader){.arena = arena, .read = routing_read, .what = "order"},
                       routing, err);
}

/* ---- shipments --------------------------------------------------------------------------- */

/* The fields common to insert and update (after the id and, on insert, the order id). */
static void shipment_bind_fields(struct sq_bind *bind, const struct shipment *shipment)
{
    sq_bind_i64(bind, shipment->location_row_id);
    sq_bind_text(bind, shipment_status_name(shipment->status));
    sq_bind_bool(bind, shipment->is_pickup);
    sq_bind_text(bind, shipment->carrier);
    sq_bind_text(bind, shipment->service);
    sq_bind_text(bind, shipment->tracking_number);
    sq_bind_i64(bind, shipment->cost);
    sq_bind_text(bind, shipment->pickup_code);
    sq_bind_i64_or_null(bind, shipment->promised_ship_by_ms);
}

static void shipment_bind_times(struct sq_bind *bind, const struct shipment *shipment)
{
    sq_bind_i64(bind, shipment->updated_at_ms);
    sq_bind_i64_or_null(bind, shipment->shipped_at_ms);
    sq_bind_i64_or_null(bind, shipment->delivered_at_ms);
    sq_bind_i64_or_null(bind, shipment->cancelled_at_ms);
}

static enum err_code shipment_read(struct sq_row *row, void *item, struct err *err)
{
    struct shipment *shipment = item;
    shipment->id = sq_col_text(row);
    shipment->order_id = sq_col_text(row);
    shipment->location_row_id = sq_col_i64(row);
    shipment->location_code = sq_col_text(row);
    const char *status = sq_col_text(row);
    if (status != NULL && !shipment_status_parse(status, &shipment->status)) {
        return sq_corrupt(err, "shipment status", status);
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
    return ERR_OK;
}

enum err_code sqlite_shipment_insert(struct store_conn *conn, const struct shipment *shipment,
                                     struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->order_id != NULL);
    ASSERT(shipment->location_row_id > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, shipment->id);
    sq_bind_text(&bind, shipment->order_id);
    shipment_bind_fields(&bind, shipment);
    sq_bind_i64(&bind, shipment->version > 0 ? shipment->version : 1);
    sq_bind_i64(&bind, shipment->created_at_ms);
    shipment_bind_times(&bind, shipment);
    code = sq_bind_check(conn, &bind, "shipment", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "shipment", err);
}

enum err_code sqlite_shipment_update(struct store_conn *conn, const struct shipment *shipment,
                                     int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && shipment != NULL);
    ASSERT(shipment->id != NULL && shipment->location_row_id > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, shipment->id);
    shipment_bind_fields(&bind, shipment);
    sq_bind_i64(&bind, expected_version);
    shipment_bind_times(&bind, shipment);
    code = sq_bind_check(conn, &bind, "shipment", err);
    if (code != ERR_OK) {
        return code;
    }
    code = sq_run(conn, stmt, "shipment", err);
    if (code == ERR_OK && sqlite3_changes(conn->db) == 0) {
        code = sq_version_miss(conn, &SQL_SHIPMENT_EXISTS, &(struct sq_key){.text = shipment->id},
                               "shipment", err);
    }
    return code;
}

enum err_code sqlite_shipment_get(struct store_conn *conn, struct arena *arena, const char *id,
                                  struct shipment *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_SHIPMENT_GET, &stmt, err);
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
    return sq_read_one(
        conn, stmt, &(struct sq_reader){.arena = arena, .read = shipment_read, .what = "shipment"},
        out, err);
}

enum err_code sqlite_shipment_list_by_order(struct store_conn *conn, struct arena *arena,
                                            const char *order_id, struct shipment **out,
                                            size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(order_id != NULL && out != NULL && count != NULL);
    struct sq_reader reader = {.arena = arena,
                               .read = shipment_read,
                               .what = "shipment",
                               .elem_size = sizeof(struct shipment)};
    enum err_code code = order_children(conn, &SQL_SHIPMENT_LIST_BY_ORDER, order_id, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}
