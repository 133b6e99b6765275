/*
 * sqlite_metrics.c — the metrics rollups in SQLite: per-order facts and their sums per
 * (day, channel, location), event counters per (day, location), distinct keys per day with
 * their previous day, reported traffic and costs; the range queries over them and the
 * recount that `ordo check` compares with. docs/METRICS.md describes the scheme.
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/metrics.h"
#include "lib/arena.h"
#include "lib/date.h"
#include "store/store.h"

#define M_COLS                                                                                     \
    "orders, total_sum, shipped_full, ship_cycle_ms, on_time, filled, delivered_full,"             \
    " delivery_cycle_ms, perfect, shipped_any, shipping_cost, returned_any"
#define M_SUMS                                                                                     \
    "sum(orders), sum(total_sum), sum(shipped_full), sum(ship_cycle_ms), sum(on_time),"            \
    " sum(filled), sum(delivered_full), sum(delivery_cycle_ms), sum(perfect), sum(shipped_any),"   \
    " sum(shipping_cost), sum(returned_any)"
#define M_SUMS_AS                                                                                  \
    "sum(orders) AS orders, sum(total_sum) AS total_sum, sum(shipped_full) AS shipped_full,"       \
    " sum(ship_cycle_ms) AS ship_cycle_ms, sum(on_time) AS on_time, sum(filled) AS filled,"        \
    " sum(delivered_full) AS delivered_full, sum(delivery_cycle_ms) AS delivery_cycle_ms,"         \
    " sum(perfect) AS perfect, sum(shipped_any) AS shipped_any,"                                   \
    " sum(shipping_cost) AS shipping_cost, sum(returned_any) AS returned_any"
#define M_NONZERO                                                                                  \
    "(orders <> 0 OR total_sum <> 0 OR shipped_full <> 0 OR ship_cycle_ms <> 0 OR on_time <> 0"    \
    " OR filled <> 0 OR delivered_full <> 0 OR delivery_cycle_ms <> 0 OR perfect <> 0"             \
    " OR shipped_any <> 0 OR shipping_cost <> 0 OR returned_any <> 0)"

static const struct sq_sql SQL_FACTS_GET = {
    SQ_M_FACTS_GET, "SELECT order_id, location, day, channel, unfilled, merchant_fault, " M_COLS
                    " FROM metrics_order_facts WHERE order_id = ?1 ORDER BY location"};
static const struct sq_sql SQL_FACTS_DELETE = {
    SQ_M_FACTS_DELETE, "DELETE FROM metrics_order_facts WHERE order_id = ?1"};
static const struct sq_sql SQL_FACT_INSERT = {
    SQ_M_FACT_INSERT,
    "INSERT INTO metrics_order_facts (order_id, location, day, channel, unfilled, merchant_fault,"
    " " M_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16,"
    " ?17, ?18)"};
static const struct sq_sql SQL_DAILY_ADD = {
    SQ_M_DAILY_ADD,
    "INSERT INTO metrics_daily (day, channel, location, " M_COLS
    ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"
    " ON CONFLICT (day, location, channel) DO UPDATE SET orders = orders + excluded.orders,"
    " total_sum = total_sum + excluded.total_sum,"
    " shipped_full = shipped_full + excluded.shipped_full,"
    " ship_cycle_ms = ship_cycle_ms + excluded.ship_cycle_ms,"
    " on_time = on_time + excluded.on_time, filled = filled + excluded.filled,"
    " delivered_full = delivered_full + excluded.delivered_full,"
    " delivery_cycle_ms = delivery_cycle_ms + excluded.delivery_cycle_ms,"
    " perfect = perfect + excluded.perfect, shipped_any = shipped_any + excluded.shipped_any,"
    " shipping_cost = shipping_cost + excluded.shipping_cost,"
    " returned_any = returned_any + excluded.returned_any"};
static const struct sq_sql SQL_EVENTS_ADD = {
    SQ_M_EVENTS_ADD,
    "INSERT INTO metrics_events_daily (day, location, pick_ms, scrapped, came_in, costs)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, location) DO UPDATE SET"
    " pick_ms = pick_ms + excluded.pick_ms, scrapped = scrapped + excluded.scrapped,"
    " came_in = came_in + excluded.came_in, costs = costs + excluded.costs"};
/* A key seen again on a day it was seen: one more; else its first row of the day, linked to
 * its previous day (no upsert with RETURNING: SQLite runs RETURNING through a temporary
 * table made for each run). */
static const struct sq_sql SQL_DISTINCT_BUMP = {
    SQ_M_DISTINCT_BUMP, "UPDATE metrics_distinct SET n = n + 1 WHERE kind = ?1 AND scope = ?2"
                        " AND key = ?3 AND day = ?4"};
static const struct sq_sql SQL_DISTINCT_UP = {
    SQ_M_DISTINCT_UP,
    "INSERT INTO metrics_distinct (kind, scope, key, day, n, prev_day) VALUES (?1, ?2, ?3, ?4,"
    " 1, (SELECT max(day) FROM metrics_distinct WHERE kind = ?1 AND scope = ?2 AND key = ?3"
    " AND day < ?4))"};
static const struct sq_sql SQL_DISTINCT_FIRST = {
    SQ_M_DISTINCT_FIRST, "INSERT INTO metrics_distinct (kind, scope, key, day, n, prev_day)"
                         " VALUES (?1, ?2, ?3, ?4, 1, NULL)"};
static const struct sq_sql SQL_DISTINCT_DOWN = {
    SQ_M_DISTINCT_DOWN, "UPDATE metrics_distinct SET n = n - 1 WHERE kind = ?1 AND scope = ?2"
                        " AND key = ?3 AND day = ?4 RETURNING n, prev_day"};
static const struct sq_sql SQL_DISTINCT_DELETE = {
    SQ_M_DISTINCT_DELETE, "DELETE FROM metrics_distinct WHERE kind = ?1 AND scope = ?2"
                          " AND key = ?3 AND day = ?4 AND n <= 0"};
static const struct sq_sql SQL_DISTINCT_RELINK = {
    SQ_M_DISTINCT_RELINK,
    "UPDATE metrics_distinct SET prev_day = ?5 WHERE kind = ?1 AND scope = ?2 AND key = ?3"
    " AND day = (SELECT min(day) FROM metrics_distinct WHERE kind = ?1 AND scope = ?2"
    " AND key = ?3 AND day > ?4)"};
static const struct sq_sql SQL_TRAFFIC_PUT = {
    SQ_M_TRAFFIC_PUT,
    "INSERT INTO channel_traffic (channel, day, visitors, carts_created, carts_abandoned,"
    " updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6) ON CONFLICT (day, channel) DO UPDATE SET"
    " visitors = excluded.visitors, carts_created = excluded.carts_created,"
    " carts_abandoned = excluded.carts_abandoned, updated_at = excluded.updated_at"};
static const struct sq_sql SQL_COST_INSERT = {
    SQ_M_COST_INSERT, "INSERT INTO costs (day, location, category, amount, created_at)"
                      " VALUES (?1, ?2, ?3, ?4, ?5)"};

/* The range queries: the same body summed over the range or grouped by day. */
#define Q_ORDERS                                                                                   \
    " FROM metrics_daily WHERE day BETWEEN ?1 AND ?2 AND location = '' AND (?3 IS NULL OR"         \
    " channel = ?3)"
#define Q_SHIP_LOC                                                                                 \
    " sum(shipped_any), sum(shipping_cost) FROM metrics_daily WHERE day BETWEEN ?1 AND ?2"         \
    " AND location = ?4 AND (?3 IS NULL OR channel = ?3)"
#define Q_EVENTS                                                                                   \
    " sum(pick_ms), sum(scrapped), sum(came_in), sum(costs) FROM metrics_events_daily"             \
    " WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR location = ?3)"
#define Q_TRAFFIC                                                                                  \
    " sum(visitors), sum(carts_created), sum(carts_abandoned) FROM channel_traffic"                \
    " WHERE day BETWEEN ?1 AND ?2 AND (?3 IS NULL OR channel = ?3)"

static const struct sq_sql SQL_SUM_ORDERS = {SQ_M_SUM_ORDERS, "SELECT " M_SUMS Q_ORDERS};
static const struct sq_sql SQL_SUM_SHIP_LOC = {SQ_M_SUM_SHIP_LOC, "SELECT" Q_SHIP_LOC};
static const struct sq_sql SQL_SUM_EVENTS = {SQ_M_SUM_EVENTS, "SELECT" Q_EVENTS};
static const struct sq_sql SQL_SUM_TRAFFIC = {SQ_M_SUM_TRAFFIC, "SELECT" Q_TRAFFIC};
static const struct sq_sql SQL_SUM_DISTINCT = {
    SQ_M_SUM_DISTINCT,
    /* Distinct keys of [?1, ?2]: rows in range whose previous day is before ?1. Read by
     * previous day when ?1 is near the first day, by day when the range is short (CASE runs
     * only the branch it picks). */
    "SELECT CASE WHEN ?1 - coalesce((SELECT min(day) FROM metrics_distinct_days WHERE kind = ?3"
    " AND scope = ?4), ?1) < ?2 - ?1 + 1"
    " THEN (SELECT coalesce(sum(n), 0) FROM metrics_distinct_counts NOT INDEXED WHERE kind = ?3"
    " AND scope = ?4 AND prev_day < ?1 AND day BETWEEN ?1 AND ?2)"
    " ELSE (SELECT coalesce(sum(n), 0) FROM metrics_distinct_counts INDEXED BY"
    " metrics_distinct_counts_by_day WHERE kind = ?3 AND scope = ?4 AND day BETWEEN ?1 AND ?2"
    " AND prev_day < ?1) END"};
static const struct sq_sql SQL_DAY_ORDERS = {SQ_M_DAY_ORDERS,
                                             "SELECT day, " M_SUMS Q_ORDERS " GROUP BY day"};
static const struct sq_sql SQL_DAY_SHIP_LOC = {SQ_M_DAY_SHIP_LOC,
                                               "SELECT day," Q_SHIP_LOC " GROUP BY day"};
static const struct sq_sql SQL_DAY_EVENTS = {SQ_M_DAY_EVENTS,
                                             "SELECT day," Q_EVENTS " GROUP BY day"};
static const struct sq_sql SQL_DAY_TRAFFIC = {SQ_M_DAY_TRAFFIC,
                                              "SELECT day," Q_TRAFFIC " GROUP BY day"};
static const struct sq_sql SQL_DAY_DISTINCT = {
    SQ_M_DAY_DISTINCT, "SELECT day, n FROM metrics_distinct_days WHERE kind = ?3 AND scope = ?4"
                       " AND day BETWEEN ?1 AND ?2 AND n > 0"};

/* ---- facts and daily sums ------------------------------------------------------------------ */

static void m_read_order_cols(struct sq_row *row, struct metrics_counters *c)
{
#define M_READ(field) c->field = sq_col_i64(row);
    METRICS_ORDER_FIELDS(M_READ)
#undef M_READ
}

static void m_bind_order_cols(struct sq_bind *bind, const struct metrics_counters *c, int sign)
{
#define M_BIND(field) sq_bind_i64(bind, sign * c->field);
    METRICS_ORDER_FIELDS(M_BIND)
#undef M_BIND
}

static enum err_code m_read_fact(struct sq_row *row, void *item, struct err *err)
{
    struct metrics_fact *fact = item;
    fact->order_id = sq_col_text(row);
    fact->location = sq_col_text(row);
    fact->day = sq_col_i64(row);
    fact->channel = sq_col_text(row);
    fact->unfilled = sq_col_bool(row);
    fact->merchant_fault = sq_col_bool(row);
    fact->counters = (struct metrics_counters){0};
    m_read_order_cols(row, &fact->counters);
    return sq_row_check(row, err);
}

enum err_code sqlite_metrics_facts_get(struct store_conn *conn, struct arena *arena,
                                       const char *order_id, struct metrics_fact **out,
                                       size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL && out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_FACTS_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "metrics facts", err);
    struct sq_reader reader = {.arena = arena,
                               .read = m_read_fact,
                               .what = "metrics fact",
                               .elem_size = sizeof(struct metrics_fact)};
    if (code == ERR_OK) {
        code = sq_read_all(conn, stmt, &reader, err);
    }
    *out = reader.items;
    *count = reader.count;
    return code;
}

static enum err_code m_daily_add(struct store_conn *conn, const struct metrics_fact *fact, int sign,
                                 struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_DAILY_ADD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, fact->day);
    sq_bind_text(&bind, fact->channel);
    sq_bind_text(&bind, fact->location);
    m_bind_order_cols(&bind, &fact->counters, sign);
    code = sq_bind_check(conn, &bind, "metrics daily", err);
    return code == ERR_OK ? sq_run(conn, stmt, "metrics daily", err) : code;
}

static enum err_code m_fact_insert(struct store_conn *conn, const struct metrics_fact *fact,
                                   struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_FACT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, fact->order_id);
    sq_bind_text(&bind, fact->location);
    sq_bind_i64(&bind, fact->day);
    sq_bind_text(&bind, fact->channel);
    sq_bind_bool(&bind, fact->unfilled);
    sq_bind_bool(&bind, fact->merchant_fault);
    m_bind_order_cols(&bind, &fact->counters, 1);
    code = sq_bind_check(conn, &bind, "metrics fact", err);
    return code == ERR_OK ? sq_run(conn, stmt, "metrics fact", err) : code;
}

enum err_code sqlite_metrics_facts_replace(struct store_conn *conn,
                                           const struct metrics_fact *old_facts, size_t old_count,
                                           const struct metrics_fact *facts, size_t count,
                                           struct err *err)
{
    ASSERT(conn != NULL && (facts != NULL || count == 0));
    ASSERT(old_facts != NULL || old_count == 0);
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < old_count; i++) {
        code = m_daily_add(conn, &old_facts[i], -1, err);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        code = m_daily_add(conn, &facts[i], 1, err);
    }
    sqlite3_stmt *stmt = NULL;
    /* A new order's rows are only inserted: there is nothing stored to delete. */
    if (code == ERR_OK && old_count > 0) {
        code = sq_stmt(conn, &SQL_FACTS_DELETE, &stmt, err);
    }
    if (code == ERR_OK && old_count > 0) {
        struct sq_bind bind;
        sq_bind_init(&bind, stmt);
        sq_bind_text(&bind, old_facts[0].order_id);
        code = sq_bind_check(conn, &bind, "metrics facts delete", err);
        code = code == ERR_OK ? sq_run(conn, stmt, "metrics facts delete", err) : code;
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        code = m_fact_insert(conn, &facts[i], err);
    }
    return code;
}

/* ---- events, distinct keys, inputs ---------------------------------------------------------- */

enum err_code sqlite_metrics_events_add(struct store_conn *conn, int64_t day, const char *location,
                                        const struct metrics_counters *delta, struct err *err)
{
    ASSERT(conn != NULL && location != NULL && delta != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_EVENTS_ADD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, day);
    sq_bind_text(&bind, location);
    sq_bind_i64(&bind, delta->pick_ms);
    sq_bind_i64(&bind, delta->scrapped);
    sq_bind_i64(&bind, delta->came_in);
    sq_bind_i64(&bind, delta->costs);
    code = sq_bind_check(conn, &bind, "metrics events", err);
    return code == ERR_OK ? sq_run(conn, stmt, "metrics events", err) : code;
}

static void m_bind_distinct(struct sq_bind *bind, sqlite3_stmt *stmt,
                            const struct metrics_distinct_key *key)
{
    sq_bind_init(bind, stmt);
    sq_bind_i64(bind, (int64_t)key->kind);
    sq_bind_text(bind, key->scope);
    sq_bind_text(bind, key->key);
    sq_bind_i64(bind, key->day);
}

/* What up or down returned: the count after it and the row's previous day (-1: none). */
struct m_distinct_row {
    int64_t n;
    int64_t prev_day;
};

static enum err_code m_distinct_step(struct store_conn *conn, const struct sq_sql *sql,
                                     const struct metrics_distinct_key *key,
                                     struct m_distinct_row *out, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    m_bind_distinct(&bind, stmt, key);
    code = sq_bind_check(conn, &bind, "metrics distinct", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = sq_step_row(conn, stmt, &has_row, "metrics distinct", err);
    }
    *out = (struct m_distinct_row){.n = -1, .prev_day = -1};
    if (code == ERR_OK && has_row) {
        out->n = sqlite3_column_int64(stmt, 0);
        if (sqlite3_column_count(stmt) > 1 && sqlite3_column_type(stmt, 1) != SQLITE_NULL) {
            out->prev_day = sqlite3_column_int64(stmt, 1);
        }
        code = sq_step_done(conn, stmt, "metrics distinct", err);
    }
    sq_done(stmt);
    return code;
}

/* Deletes (link < -1) or relinks the next row to link (-1: NULL). */
static enum err_code m_distinct_run(struct store_conn *conn, const struct sq_sql *sql,
                                    const struct metrics_distinct_key *key, int64_t link,
                                    struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    m_bind_distinct(&bind, stmt, key);
    if (sql->id == SQ_M_DISTINCT_RELINK) {
        if (link < 0) {
            sq_bind_null(&bind);
        } else {
            sq_bind_i64(&bind, link);
        }
    }
    code = sq_bind_check(conn, &bind, "metrics distinct", err);
    return code == ERR_OK ? sq_run(conn, stmt, "metrics distinct", err) : code;
}

enum err_code sqlite_metrics_distinct_move(struct store_conn *conn,
                                           const struct metrics_distinct_key *key, int delta,
                                           struct err *err)
{
    ASSERT(conn != NULL && key != NULL && key->scope != NULL && key->key != NULL);
    ASSERT(delta == 1 || delta == -1);
    struct m_distinct_row row = {.n = -1, .prev_day = -1};
    enum err_code code = ERR_OK;
    if (delta > 0) {
        code = m_distinct_run(conn, &SQL_DISTINCT_BUMP, key, -1, err);
        if (code != ERR_OK || sqlite3_changes(conn->db) > 0) {
            return code; /* not the first occurrence of the day: links unchanged */
        }
        code = m_distinct_run(conn, &SQL_DISTINCT_UP, key, -1, err);
    } else {
        code = m_distinct_step(conn, &SQL_DISTINCT_DOWN, key, &row, err);
        if (code != ERR_OK || row.n != 0) {
            return code; /* not the last occurrence of the day: links unchanged */
        }
    }
    if (code != ERR_OK) {
        return code;
    }
    if (delta < 0) {
        code = m_distinct_run(conn, &SQL_DISTINCT_DELETE, key, -1, err);
    }
    /* The next day of the key now follows this day (inserted) or this day's previous one. */
    int64_t link = delta > 0 ? key->day : row.prev_day;
    return code == ERR_OK ? m_distinct_run(conn, &SQL_DISTINCT_RELINK, key, link, err) : code;
}

enum err_code sqlite_metrics_distinct_first(struct store_conn *conn,
                                            const struct metrics_distinct_key *key, struct err *err)
{
    ASSERT(conn != NULL && key != NULL && key->scope != NULL && key->key != NULL);
    return m_distinct_run(conn, &SQL_DISTINCT_FIRST, key, -1, err);
}

enum err_code sqlite_metrics_traffic_put(struct store_conn *conn,
                                         const struct metrics_traffic *traffic, int64_t now_ms,
                                         struct err *err)
{
    ASSERT(conn != NULL && traffic != NULL && traffic->channel != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_TRAFFIC_PUT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, traffic->channel);
    sq_bind_i64(&bind, traffic->day);
    sq_bind_i64(&bind, traffic->visitors);
    sq_bind_i64(&bind, traffic->carts_created);
    sq_bind_i64(&bind, traffic->carts_abandoned);
    sq_bind_i64(&bind, now_ms);
    code = sq_bind_check(conn, &bind, "traffic", err);
    return code == ERR_OK ? sq_run(conn, stmt, "traffic", err) : code;
}

enum err_code sqlite_metrics_cost_insert(struct store_conn *conn, struct metrics_cost *cost,
                                         int64_t now_ms, struct err *err)
{
    ASSERT(conn != NULL && cost != NULL && cost->location != NULL && cost->category != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_COST_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, cost->day);
    sq_bind_text(&bind, cost->location);
    sq_bind_text(&bind, cost->category);
    sq_bind_i64(&bind, cost->amount);
    sq_bind_i64(&bind, now_ms);
    code = sq_bind_check(conn, &bind, "cost", err);
    code = code == ERR_OK ? sq_run(conn, stmt, "cost", err) : code;
    if (code != ERR_OK) {
        return code;
    }
    cost->row_id = sqlite3_last_insert_rowid(conn->db);
    struct metrics_counters delta = {.costs = cost->amount};
    return store_metrics_events_add(conn, cost->day, cost->location, &delta, err);
}

/* ---- range queries ----------------------------------------------------------------------- */

typedef void (*m_fill_fn)(struct sq_row *row, struct metrics_counters *c);

static void m_fill_orders(struct sq_row *row, struct metrics_counters *c)
{
    m_read_order_cols(row, c);
}

static void m_fill_ship_loc(struct sq_row *row, struct metrics_counters *c)
{
    c->shipped_any = sq_col_i64(row);
    c->shipping_cost = sq_col_i64(row);
}

static void m_fill_events(struct sq_row *row, struct metrics_counters *c)
{
    c->pick_ms = sq_col_i64(row);
    c->scrapped = sq_col_i64(row);
    c->came_in = sq_col_i64(row);
    c->costs = sq_col_i64(row);
}

static void m_fill_traffic(struct sq_row *row, struct metrics_counters *c)
{
    c->visitors = sq_col_i64(row);
    c->carts_created = sq_col_i64(row);
    c->carts_abandoned = sq_col_i64(row);
}

static void m_fill_customers(struct sq_row *row, struct metrics_counters *c)
{
    c->customers = sq_col_i64(row);
}

static void m_fill_picked(struct sq_row *row, struct metrics_counters *c)
{
    c->picked_orders = sq_col_i64(row);
}

/* One range query: its two forms, its fill, and its parameters after from and to. */
struct m_range {
    const struct sq_sql *sum;
    const struct sq_sql *by_day;
    m_fill_fn fill;
    int extra;         /* parameters after ?1 ?2: 1 or 2 */
    bool int3;         /* ?3 is the distinct kind */
    int64_t kind;      /* when int3 */
    const char *text3; /* ?3 (NULL binds NULL) unless int3 */
    const char *text4; /* ?4 when extra == 2 */
};

static enum err_code m_range_run(struct store_conn *conn, const struct metrics_query *query,
                                 const struct m_range *range, bool by_day,
                                 struct metrics_counters *out, struct err *err)
{
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, by_day ? range->by_day : range->sum, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, query->from_day);
    sq_bind_i64(&bind, query->to_day);
    if (range->int3) {
        sq_bind_i64(&bind, range->kind);
    } else {
        sq_bind_text(&bind, range->text3);
    }
    if (range->extra == 2) {
        sq_bind_text(&bind, range->text4);
    }
    code = sq_bind_check(conn, &bind, "metrics range", err);
    bool has_row = code == ERR_OK;
    while (code == ERR_OK && has_row) {
        code = sq_step_row(conn, stmt, &has_row, "metrics range", err);
        if (code != ERR_OK || !has_row) {
            break;
        }
        struct sq_row row;
        sq_row_init(&row, stmt, NULL);
        int64_t index = by_day ? sq_col_i64(&row) - query->from_day : 0;
        ASSERT(index >= 0 && index <= query->to_day - query->from_day);
        range->fill(&row, &out[index]);
        code = sq_row_check(&row, err);
    }
    sq_done(stmt);
    return code;
}

static enum err_code m_query(struct store_conn *conn, const struct metrics_query *query,
                             bool by_day, struct metrics_counters *out, struct err *err)
{
    const char *scope_c = query->channel != NULL ? query->channel : "";
    const char *scope_l = query->location != NULL ? query->location : "";
    const struct m_range ranges[] = {
        {&SQL_SUM_ORDERS, &SQL_DAY_ORDERS, m_fill_orders, 1, false, 0, query->channel, NULL},
        {&SQL_SUM_SHIP_LOC, &SQL_DAY_SHIP_LOC, m_fill_ship_loc, 2, false, 0, query->channel,
         query->location},
        {&SQL_SUM_EVENTS, &SQL_DAY_EVENTS, m_fill_events, 1, false, 0, query->location, NULL},
        {&SQL_SUM_TRAFFIC, &SQL_DAY_TRAFFIC, m_fill_traffic, 1, false, 0, query->channel, NULL},
        {&SQL_SUM_DISTINCT, &SQL_DAY_DISTINCT, m_fill_customers, 2, true, METRICS_DISTINCT_CUSTOMER,
         NULL, scope_c},
        {&SQL_SUM_DISTINCT, &SQL_DAY_DISTINCT, m_fill_picked, 2, true, METRICS_DISTINCT_PICKED,
         NULL, scope_l},
    };
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < sizeof(ranges) / sizeof(ranges[0]); i++) {
        if (ranges[i].sum == &SQL_SUM_SHIP_LOC) {
            if (query->location == NULL) {
                continue; /* no location: the order-level shipping counters stand */
            }
            int64_t days = by_day ? query->to_day - query->from_day + 1 : 1;
            for (int64_t d = 0; d < days; d++) {
                out[d].shipped_any = 0;
                out[d].shipping_cost = 0;
            }
        }
        code = m_range_run(conn, query, &ranges[i], by_day, out, err);
    }
    return code;
}

enum err_code sqlite_metrics_sum(struct store_conn *conn, const struct metrics_query *query,
                                 struct metrics_counters *out, struct err *err)
{
    ASSERT(conn != NULL && query != NULL && out != NULL);
    ASSERT(query->from_day <= query->to_day);
    *out = (struct metrics_counters){0};
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = m_query(conn, query, false, out, err);
        sq_snapshot_end(conn, owned);
    }
    return code;
}

enum err_code sqlite_metrics_by_day(struct store_conn *conn, const struct metrics_query *query,
                                    struct metrics_counters *out, struct err *err)
{
    ASSERT(conn != NULL && query != NULL && out != NULL);
    ASSERT(query->from_day <= query->to_day);
    bool owned = false;
    enum err_code code = sq_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = m_query(conn, query, true, out, err);
        sq_snapshot_end(conn, owned);
    }
    return code;
}

/* ---- top products, recount, flags ---------------------------------------------------------- */

/* Orders cancelled in full before any shipment count nowhere (docs/METRICS.md). */
#define M_COUNTED                                                                                  \
    "(o.status <> 'cancelled' OR EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = o.id"      \
    " AND x.qty_shipped > 0))"

static const struct sq_sql SQL_TOP_PRODUCTS = {
    SQ_M_TOP_PRODUCTS,
    "SELECT l.sku, sum(l.qty - l.qty_cancelled), sum((l.qty - l.qty_cancelled) * l.unit_price)"
    " FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.created_at BETWEEN ?1 AND ?2"
    " AND (?3 IS NULL OR o.channel = ?3) AND " M_COUNTED
    " GROUP BY l.sku ORDER BY 3 DESC, 2 DESC, l.sku LIMIT ?4"};

static enum err_code m_read_product(struct sq_row *row, void *item, struct err *err)
{
    struct metrics_product *product = item;
    product->sku = sq_col_text(row);
    product->units = sq_col_i64(row);
    product->revenue = sq_col_i64(row);
    return sq_row_check(row, err);
}

enum err_code sqlite_metrics_top_products(struct store_conn *conn, struct arena *arena,
                                          const struct metrics_query *query,
                                          struct metrics_product **out, size_t *count,
                                          struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && query != NULL && out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_TOP_PRODUCTS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, query->from_day * DATE_MS_PER_DAY);
    sq_bind_i64(&bind, (query->to_day + 1) * DATE_MS_PER_DAY - 1);
    sq_bind_text(&bind, query->channel);
    sq_bind_i64(&bind, (int64_t)query->limit);
    code = sq_bind_check(conn, &bind, "top products", err);
    struct sq_reader reader = {.arena = arena,
                               .read = m_read_product,
                               .what = "product",
                               .elem_size = sizeof(struct metrics_product)};
    if (code == ERR_OK) {
        code = sq_read_all(conn, stmt, &reader, err);
    }
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* The raw event counters per (day, location), recounted from costs, pick lists and ledger. */
#define M_RAW_EVENTS                                                                               \
    "SELECT day, location, sum(pick_ms) AS pick_ms, sum(scrapped) AS scrapped,"                    \
    " sum(came_in) AS came_in, sum(costs) AS costs FROM ("                                         \
    " SELECT day, location, 0 AS pick_ms, 0 AS scrapped, 0 AS came_in, amount AS costs"            \
    " FROM costs UNION ALL"                                                                        \
    " SELECT p.completed_at / 86400000, l.code, p.completed_at - p.started_at, 0, 0, 0"            \
    " FROM pick_lists p JOIN locations l ON l.id = p.location_id WHERE p.status = 'completed'"     \
    " UNION ALL SELECT g.created_at / 86400000, l.code, 0,"                                        \
    " CASE WHEN g.kind = 'scrap' THEN -g.on_hand_delta ELSE 0 END,"                                \
    " CASE WHEN g.kind <> 'scrap' OR g.ref_type = 'return' THEN abs(g.on_hand_delta) ELSE 0 END,"  \
    " 0 FROM inventory_ledger g JOIN locations l ON l.id = g.location_id"                          \
    " WHERE g.kind IN ('receipt', 'assemble', 'return_restock', 'scrap'))"                         \
    " GROUP BY day, location"
#define M_EV_NONZERO "(pick_ms <> 0 OR scrapped <> 0 OR came_in <> 0 OR costs <> 0)"
#define M_FACT_SUMS                                                                                \
    "SELECT * FROM (SELECT day, channel, location, " M_SUMS_AS                                     \
    " FROM metrics_order_facts GROUP BY day, channel, location) WHERE " M_NONZERO
#define M_DAILY_ROWS "SELECT day, channel, location, " M_COLS " FROM metrics_daily WHERE " M_NONZERO

#define M_RAW_DISTINCT                                                                             \
    "SELECT 1 AS kind, '' AS scope, o.customer_id AS key, f.day AS day, count(*) AS n"             \
    " FROM metrics_order_facts f JOIN orders o ON o.id = f.order_id WHERE f.location = ''"         \
    " AND f.orders = 1 AND o.customer_id IS NOT NULL GROUP BY 3, 4 UNION ALL SELECT 1, f.channel," \
    " o.customer_id, f.day, count(*) FROM metrics_order_facts f JOIN orders o"                     \
    " ON o.id = f.order_id WHERE f.location = '' AND f.orders = 1 AND o.customer_id IS NOT NULL"   \
    " GROUP BY 2, 3, 4 UNION ALL SELECT 2, '', l.order_id, p.completed_at / 86400000,"             \
    " count(DISTINCT p.id) FROM pick_list_lines l JOIN pick_lists p ON p.id = l.pick_list_id"      \
    " WHERE p.status = 'completed' GROUP BY 3, 4 UNION ALL SELECT 2, c.code, l.order_id,"          \
    " p.completed_at / 86400000, count(DISTINCT p.id) FROM pick_list_lines l JOIN pick_lists p"    \
    " ON p.id = l.pick_list_id JOIN locations c ON c.id = p.location_id"                           \
    " WHERE p.status = 'completed' GROUP BY 2, 3, 4"
#define M_DISTINCT_ROWS "SELECT kind, scope, key, day, n FROM metrics_distinct"

static const struct sq_sql SQL_CHECK = {
    SQ_M_CHECK,
    "SELECT 'metrics_daily ' || day || ' ' || channel || ' ' || location || ': the rollup"
    " differs from the sum of the order facts' FROM (" M_FACT_SUMS " EXCEPT " M_DAILY_ROWS
    " UNION SELECT * FROM (" M_DAILY_ROWS " EXCEPT " M_FACT_SUMS "))"};
static const struct sq_sql SQL_CHECK_EVENTS = {
    SQ_M_CHECK_EVENTS,
    "SELECT 'metrics_events_daily ' || day || ' ' || location || ': the rollup"
    " differs from the costs, pick lists and ledger' FROM (SELECT * FROM (" M_RAW_EVENTS
    ") WHERE " M_EV_NONZERO " EXCEPT SELECT day, location, pick_ms, scrapped, came_in, costs"
    " FROM metrics_events_daily WHERE " M_EV_NONZERO " UNION SELECT * FROM (SELECT day, location,"
    " pick_ms, scrapped, came_in, costs FROM metrics_events_daily WHERE " M_EV_NONZERO
    " EXCEPT SELECT * FROM (" M_RAW_EVENTS ") WHERE " M_EV_NONZERO "))"};
/* routing_location_days against the shipments it counts (routing, checked with the metrics'
 * counters). */
static const struct sq_sql SQL_CHECK_LOCATION_DAYS = {
    SQ_M_CHECK_LOCATION_DAYS,
    "SELECT 'routing_location_days ' || location_id || ' ' || day || ': the count differs from"
    " the shipments' FROM (SELECT * FROM (SELECT location_id, created_at / 86400000 AS day,"
    " count(*) AS n FROM shipments GROUP BY 1, 2) EXCEPT SELECT location_id, day, shipments"
    " FROM routing_location_days WHERE shipments <> 0 UNION SELECT * FROM (SELECT location_id,"
    " day, shipments FROM routing_location_days WHERE shipments <> 0 EXCEPT SELECT location_id,"
    " created_at / 86400000, count(*) FROM shipments GROUP BY 1, 2))"};
static const struct sq_sql SQL_CHECK_DISTINCT = {
    SQ_M_CHECK_DISTINCT,
    "SELECT 'metrics_distinct ' || kind || ' \"' || scope || '\" ' || key || ' ' || day"
    " || ': differs from the orders and pick lists' FROM (SELECT * FROM (" M_RAW_DISTINCT
    ") EXCEPT " M_DISTINCT_ROWS " UNION SELECT * FROM (" M_DISTINCT_ROWS
    " EXCEPT SELECT * FROM (" M_RAW_DISTINCT ")))"
    " UNION ALL SELECT 'metrics_distinct ' || kind || ' \"' || scope || '\" ' || key || ' '"
    " || day || ': the previous day does not follow' FROM metrics_distinct d"
    " WHERE prev_day IS NOT (SELECT max(day) FROM metrics_distinct e WHERE e.kind = d.kind"
    " AND e.scope = d.scope AND e.key = d.key AND e.day < d.day)"
    " UNION ALL SELECT 'metrics_distinct_counts ' || kind || ' \"' || scope || '\" ' || prev_day"
    " || ' ' || day || ': differs from metrics_distinct' FROM (SELECT * FROM (SELECT kind, scope,"
    " coalesce(prev_day, -1) AS prev_day, day, count(*) AS n FROM metrics_distinct"
    " GROUP BY 1, 2, 3, 4) EXCEPT"
    " SELECT kind, scope, prev_day, day, n FROM metrics_distinct_counts WHERE n <> 0 UNION"
    " SELECT * FROM (SELECT kind, scope, prev_day, day, n FROM metrics_distinct_counts"
    " WHERE n <> 0 EXCEPT SELECT kind, scope, coalesce(prev_day, -1), day, count(*)"
    " FROM metrics_distinct GROUP BY 1, 2, 3, 4))"
    " UNION ALL SELECT 'metrics_distinct_days ' || kind || ' \"' || scope || '\" ' || day"
    " || ': differs from metrics_distinct' FROM (SELECT * FROM (SELECT kind, scope, day,"
    " count(*) FROM metrics_distinct GROUP BY 1, 2, 3) EXCEPT SELECT kind, scope, day, n"
    " FROM metrics_distinct_days WHERE n <> 0 UNION SELECT * FROM (SELECT kind, scope, day, n"
    " FROM metrics_distinct_days WHERE n <> 0 EXCEPT SELECT kind, scope, day, count(*)"
    " FROM metrics_distinct GROUP BY 1, 2, 3))"};

static enum err_code m_read_text(struct sq_row *row, void *item, struct err *err)
{
    const char **text = item;
    *text = sq_col_text(row);
    return sq_row_check(row, err);
}

enum err_code sqlite_metrics_check(struct store_conn *conn, struct arena *arena,
                                   const char ***problems, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && problems != NULL && count != NULL);
    static const struct sq_sql *const checks[] = {&SQL_CHECK, &SQL_CHECK_EVENTS,
                                                  &SQL_CHECK_DISTINCT, &SQL_CHECK_LOCATION_DAYS};
    const char **all = NULL;
    size_t all_count = 0;
    size_t cap = 0;
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < sizeof(checks) / sizeof(checks[0]); i++) {
        sqlite3_stmt *stmt = NULL;
        code = sq_stmt(conn, checks[i], &stmt, err);
        struct sq_reader reader = {
            .arena = arena, .read = m_read_text, .what = "problem", .elem_size = sizeof(char *)};
        if (code == ERR_OK) {
            code = sq_read_all(conn, stmt, &reader, err);
        }
        const char **texts = reader.items;
        for (size_t j = 0; code == ERR_OK && j < reader.count; j++) {
            if (!sq_grow(arena, (void **)&all, all_count, &cap, sizeof(char *))) {
                return err_set(err, ERR_TOO_LARGE, NULL, "too many metrics problems");
            }
            all[all_count++] = texts[j];
        }
    }
    *problems = all;
    *count = all_count;
    return code;
}

static const struct sq_sql SQL_ORDER_IDS = {
    SQ_M_ORDER_IDS, "SELECT id FROM orders WHERE ?1 IS NULL OR id > ?1 ORDER BY id LIMIT ?2"};

enum err_code sqlite_metrics_order_ids(struct store_conn *conn, struct arena *arena,
                                       const char *after_id, struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && ids != NULL && ids->limit > 0);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_IDS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, after_id);
    sq_bind_i64(&bind, (int64_t)ids->limit);
    code = sq_bind_check(conn, &bind, "order ids", err);
    struct sq_reader reader = {
        .arena = arena, .read = m_read_text, .what = "order", .elem_size = sizeof(char *)};
    if (code == ERR_OK) {
        code = sq_read_all(conn, stmt, &reader, err);
    }
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

/* A line cancelled for lack of stock: a partial cancel whose reason is "out_of_stock". */
#define M_OUT_OF_STOCK                                                                             \
    "(kind = 'order.lines_cancelled' AND json_extract(data, '$.reason') = 'out_of_stock')"

static const struct sq_sql SQL_ORDER_FLAGS = {
    SQ_M_ORDER_FLAGS,
    "SELECT EXISTS (SELECT 1 FROM events WHERE entity_type = 'order' AND entity_id = ?1 AND"
    " (kind IN ('order.short_picked', 'order.backorder_allocated') OR " M_OUT_OF_STOCK
    " OR (kind = 'order.created' AND json_extract(data, '$.status') = 'backordered')))"
    " OR EXISTS (SELECT 1 FROM order_lines WHERE order_id = ?1 AND qty_backordered > 0),"
    " EXISTS (SELECT 1 FROM events WHERE entity_type = 'order' AND entity_id = ?1 AND"
    " (kind = 'order.short_picked' OR " M_OUT_OF_STOCK ")),"
    /* returns (migration 006): a received return with a merchant-fault reason; any received */
    " EXISTS (SELECT 1 FROM returns r JOIN return_lines l ON l.return_id = r.id WHERE"
    " r.order_id = ?1 AND l.qty_received > 0 AND l.reason IN ('damaged', 'defective',"
    " 'wrong_item', 'late')),"
    " EXISTS (SELECT 1 FROM returns r JOIN return_lines l ON l.return_id = r.id WHERE"
    " r.order_id = ?1 AND l.qty_received > 0)"};

enum err_code sqlite_metrics_order_flags(struct store_conn *conn, const char *order_id,
                                         struct metrics_order_flags *out, struct err *err)
{
    ASSERT(conn != NULL && order_id != NULL && out != NULL);
    *out = (struct metrics_order_flags){0};
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_ORDER_FLAGS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, order_id);
    code = sq_bind_check(conn, &bind, "order flags", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = sq_step_row(conn, stmt, &has_row, "order flags", err);
    }
    if (code == ERR_OK && has_row) {
        struct sq_row row;
        sq_row_init(&row, stmt, NULL);
        out->unfilled = sq_col_bool(&row);
        out->merchant_fault = sq_col_bool(&row);
        out->bad_return = sq_col_bool(&row); /* returns */
        out->returned = sq_col_bool(&row);   /* returns */
        code = sq_row_check(&row, err);
    }
    sq_done(stmt);
    return code;
}
