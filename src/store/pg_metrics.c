/*
 * pg_metrics.c — the metrics rollups in PostgreSQL: per-order facts and their sums per
 * (day, channel, location), event counters per (day, location), distinct keys per day with
 * their previous day, reported traffic and costs; the range queries over them and the
 * recount that `ordo check` compares with. docs/METRICS.md describes the scheme.
 *
 * The twin of sqlite_metrics.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <stdlib.h>
#include <string.h>

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

static const struct pg_sql SQL_FACTS_GET = {
    PGS_M_FACTS_GET, "SELECT order_id, location, day, channel, unfilled, merchant_fault, " M_COLS
                     " FROM metrics_order_facts WHERE order_id = $1 ORDER BY location"};
static const struct pg_sql SQL_FACTS_DELETE = {
    PGS_M_FACTS_DELETE, "DELETE FROM metrics_order_facts WHERE order_id = $1"};
static const struct pg_sql SQL_FACT_INSERT = {
    PGS_M_FACT_INSERT,
    "INSERT INTO metrics_order_facts (order_id, location, day, channel, unfilled, merchant_fault,"
    " " M_COLS ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16,"
    " $17, $18)"};
static const struct pg_sql SQL_DAILY_ADD = {
    PGS_M_DAILY_ADD,
    "INSERT INTO metrics_daily AS t (day, channel, location, " M_COLS
    ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)"
    " ON CONFLICT (day, location, channel) DO UPDATE SET orders = t.orders + excluded.orders,"
    " total_sum = t.total_sum + excluded.total_sum,"
    " shipped_full = t.shipped_full + excluded.shipped_full,"
    " ship_cycle_ms = t.ship_cycle_ms + excluded.ship_cycle_ms,"
    " on_time = t.on_time + excluded.on_time, filled = t.filled + excluded.filled,"
    " delivered_full = t.delivered_full + excluded.delivered_full,"
    " delivery_cycle_ms = t.delivery_cycle_ms + excluded.delivery_cycle_ms,"
    " perfect = t.perfect + excluded.perfect, shipped_any = t.shipped_any + excluded.shipped_any,"
    " shipping_cost = t.shipping_cost + excluded.shipping_cost,"
    " returned_any = t.returned_any + excluded.returned_any"};
static const struct pg_sql SQL_EVENTS_ADD = {
    PGS_M_EVENTS_ADD,
    "INSERT INTO metrics_events_daily AS t (day, location, pick_ms, scrapped, came_in, costs)"
    " VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, location) DO UPDATE SET"
    " pick_ms = t.pick_ms + excluded.pick_ms, scrapped = t.scrapped + excluded.scrapped,"
    " came_in = t.came_in + excluded.came_in, costs = t.costs + excluded.costs"};
static const struct pg_sql SQL_DISTINCT_FIRST = {
    PGS_M_DISTINCT_FIRST, "INSERT INTO metrics_distinct (kind, scope, key, day, n, prev_day)"
                          " VALUES ($1, $2, $3, $4, 1, NULL)"};
/* One more occurrence: the lock below, the upsert with the previous day and the relink of the
 * next day, in one statement (migration 015); nothing to read back. */
static const struct pg_sql SQL_DISTINCT_UP_ONE = {PGS_M_DISTINCT_UP_ONE,
                                                  "SELECT ordo_distinct_up($1, $2, $3, $4)"};
static const struct pg_sql SQL_DISTINCT_DOWN = {
    PGS_M_DISTINCT_DOWN, "UPDATE metrics_distinct SET n = n - 1 WHERE kind = $1 AND scope = $2"
                         " AND key = $3 AND day = $4 RETURNING n, prev_day"};
static const struct pg_sql SQL_DISTINCT_DELETE = {
    PGS_M_DISTINCT_DELETE, "DELETE FROM metrics_distinct WHERE kind = $1 AND scope = $2"
                           " AND key = $3 AND day = $4 AND n <= 0"};
static const struct pg_sql SQL_DISTINCT_RELINK = {
    PGS_M_DISTINCT_RELINK,
    "UPDATE metrics_distinct SET prev_day = $5 WHERE kind = $1 AND scope = $2 AND key = $3"
    " AND day = (SELECT min(day) FROM metrics_distinct WHERE kind = $1 AND scope = $2"
    " AND key = $3 AND day > $4)"};
/*
 * No SQLite twin (one writer there): the links of a key's days (prev_day) are read and written
 * by several statements, so two processes moving the same key would each miss the other's
 * day. This lock, held until commit, makes them take turns; under READ COMMITTED the statements
 * after it see what the other committed.
 */
static const struct pg_sql SQL_DISTINCT_LOCK = {
    PGS_M_DISTINCT_LOCK, "SELECT pg_advisory_xact_lock(hashtextextended($1::bigint || ' ' ||"
                         " $2::text || ' ' || $3::text, 0))"};
/* A batch's keys new on their day, counted at its commit (migration 021): n keys of (kind, scope)
 * with no previous day. */
static const struct pg_sql SQL_DISTINCT_COUNTS_ADD = {
    PGS_M_DISTINCT_COUNTS_ADD,
    "INSERT INTO metrics_distinct_counts AS c (kind, scope, prev_day, day, n)"
    " VALUES ($1, $2, -1, $3, $4) ON CONFLICT (kind, scope, prev_day, day)"
    " DO UPDATE SET n = c.n + excluded.n"};
static const struct pg_sql SQL_DISTINCT_DAYS_ADD = {
    PGS_M_DISTINCT_DAYS_ADD,
    "INSERT INTO metrics_distinct_days AS d (kind, scope, day, n) VALUES ($1, $2, $3, $4)"
    " ON CONFLICT (kind, scope, day) DO UPDATE SET n = d.n + excluded.n"};
static const struct pg_sql SQL_TRAFFIC_PUT = {
    PGS_M_TRAFFIC_PUT,
    "INSERT INTO channel_traffic (channel, day, visitors, carts_created, carts_abandoned,"
    " updated_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (day, channel) DO UPDATE SET"
    " visitors = excluded.visitors, carts_created = excluded.carts_created,"
    " carts_abandoned = excluded.carts_abandoned, updated_at = excluded.updated_at"};
static const struct pg_sql SQL_COST_INSERT = {
    PGS_M_COST_INSERT, "INSERT INTO costs (day, location, category, amount, created_at)"
                       " VALUES ($1, $2, $3, $4, $5) RETURNING id"};

/* The range queries: the same body summed over the range or grouped by day. */
#define Q_ORDERS                                                                                   \
    " FROM metrics_daily WHERE day BETWEEN $1 AND $2 AND location = '' AND ($3::text IS NULL OR"   \
    " channel = $3)"
#define Q_SHIP_LOC                                                                                 \
    " sum(shipped_any), sum(shipping_cost) FROM metrics_daily WHERE day BETWEEN $1 AND $2"         \
    " AND location = $4 AND ($3::text IS NULL OR channel = $3)"
#define Q_EVENTS                                                                                   \
    " sum(pick_ms), sum(scrapped), sum(came_in), sum(costs) FROM metrics_events_daily"             \
    " WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR location = $3)"
#define Q_TRAFFIC                                                                                  \
    " sum(visitors), sum(carts_created), sum(carts_abandoned) FROM channel_traffic"                \
    " WHERE day BETWEEN $1 AND $2 AND ($3::text IS NULL OR channel = $3)"

static const struct pg_sql SQL_SUM_ORDERS = {PGS_M_SUM_ORDERS, "SELECT " M_SUMS Q_ORDERS};
static const struct pg_sql SQL_SUM_SHIP_LOC = {PGS_M_SUM_SHIP_LOC, "SELECT" Q_SHIP_LOC};
static const struct pg_sql SQL_SUM_EVENTS = {PGS_M_SUM_EVENTS, "SELECT" Q_EVENTS};
static const struct pg_sql SQL_SUM_TRAFFIC = {PGS_M_SUM_TRAFFIC, "SELECT" Q_TRAFFIC};
static const struct pg_sql SQL_SUM_DISTINCT = {
    PGS_M_SUM_DISTINCT,
    /* Distinct keys of [$1, $2]: rows in range whose previous day is before $1. The branches
     * are SQLite's, which names the index each reads (by previous day when $1 is near the
     * first day, by day when the range is short); PostgreSQL's planner picks for itself. */
    "SELECT CASE WHEN $1 - coalesce((SELECT min(day) FROM metrics_distinct_days WHERE kind = $3"
    " AND scope = $4), $1) < $2 - $1 + 1"
    " THEN (SELECT coalesce(sum(n), 0) FROM metrics_distinct_counts WHERE kind = $3"
    " AND scope = $4 AND prev_day < $1 AND day BETWEEN $1 AND $2)"
    " ELSE (SELECT coalesce(sum(n), 0) FROM metrics_distinct_counts"
    " WHERE kind = $3 AND scope = $4 AND day BETWEEN $1 AND $2"
    " AND prev_day < $1) END"};
static const struct pg_sql SQL_DAY_ORDERS = {PGS_M_DAY_ORDERS,
                                             "SELECT day, " M_SUMS Q_ORDERS " GROUP BY day"};
static const struct pg_sql SQL_DAY_SHIP_LOC = {PGS_M_DAY_SHIP_LOC,
                                               "SELECT day," Q_SHIP_LOC " GROUP BY day"};
static const struct pg_sql SQL_DAY_EVENTS = {PGS_M_DAY_EVENTS,
                                             "SELECT day," Q_EVENTS " GROUP BY day"};
static const struct pg_sql SQL_DAY_TRAFFIC = {PGS_M_DAY_TRAFFIC,
                                              "SELECT day," Q_TRAFFIC " GROUP BY day"};
static const struct pg_sql SQL_DAY_DISTINCT = {
    PGS_M_DAY_DISTINCT, "SELECT day, n FROM metrics_distinct_days WHERE kind = $3 AND scope = $4"
                        " AND day BETWEEN $1 AND $2 AND n > 0"};

/* ---- facts and daily sums ------------------------------------------------------------------ */

static void m_read_order_cols(struct pg_row *row, struct metrics_counters *c)
{
#define M_READ(field) c->field = pg_col_i64(row);
    METRICS_ORDER_FIELDS(M_READ)
#undef M_READ
}

static void m_bind_order_cols(struct pg_bind *bind, const struct metrics_counters *c, int sign)
{
#define M_BIND(field) pg_bind_i64(bind, sign * c->field);
    METRICS_ORDER_FIELDS(M_BIND)
#undef M_BIND
}

static enum err_code m_read_fact(struct pg_row *row, void *item, struct err *err)
{
    struct metrics_fact *fact = item;
    fact->order_id = pg_col_text(row);
    fact->location = pg_col_text(row);
    fact->day = pg_col_i64(row);
    fact->channel = pg_col_text(row);
    fact->unfilled = pg_col_bool(row);
    fact->merchant_fault = pg_col_bool(row);
    fact->counters = (struct metrics_counters){0};
    m_read_order_cols(row, &fact->counters);
    return pg_row_check(row, err);
}

enum err_code pg_metrics_facts_get(struct store_conn *conn, struct arena *arena,
                                   const char *order_id, struct metrics_fact **out, size_t *count,
                                   struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL && out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_FACTS_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "metrics facts", err);
    struct pg_reader reader = {.arena = arena,
                               .read = m_read_fact,
                               .what = "metrics fact",
                               .elem_size = sizeof(struct metrics_fact)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
    }
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* Runs the upsert of a fact's day row by its counters (times sign). */
static enum err_code m_daily_run(struct store_conn *conn, const struct metrics_fact *fact, int sign,
                                 struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_DAILY_ADD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, fact->day);
    pg_bind_text(&bind, fact->channel);
    pg_bind_text(&bind, fact->location);
    m_bind_order_cols(&bind, &fact->counters, sign);
    code = pg_bind_check(conn, &bind, "metrics daily", err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "metrics daily", err) : code;
}

/* Keeps a fact's delta for the batch's commit; false when it cannot (no room, a code too long:
 * the caller runs it at once). */
static bool m_daily_keep(struct store_conn *conn, const struct metrics_fact *fact, int sign)
{
    if (fact->channel == NULL || fact->location == NULL) {
        return false; /* the upsert refuses it (NOT NULL) as before */
    }
    size_t channel_len = strlen(fact->channel);
    size_t location_len = strlen(fact->location);
    if (channel_len > CODE_LEN_MAX || location_len > CODE_LEN_MAX) {
        return false;
    }
    struct pg_daily_delta *delta = pg_batch_rows_add(&conn->daily, sizeof(*delta));
    if (delta == NULL) {
        return false;
    }
    delta->day = fact->day;
    memcpy(delta->channel, fact->channel, channel_len + 1);
    memcpy(delta->location, fact->location, location_len + 1);
    delta->counters = (struct metrics_counters){0};
    metrics_counters_add(&delta->counters, &fact->counters, sign);
    return true;
}

/* Moves a fact's day row by its counters (times sign): inside a write batch at its commit
 * (struct store_conn's daily), else at once. */
static enum err_code m_daily_add(struct store_conn *conn, const struct metrics_fact *fact, int sign,
                                 struct err *err)
{
    if (conn->batch_open && m_daily_keep(conn, fact, sign)) {
        return ERR_OK;
    }
    return m_daily_run(conn, fact, sign, err);
}

static int m_daily_cmp(const void *a, const void *b)
{
    const struct pg_daily_delta *x = a;
    const struct pg_daily_delta *y = b;
    if (x->day != y->day) {
        return x->day < y->day ? -1 : 1;
    }
    int c = strcmp(x->location, y->location);
    return c != 0 ? c : strcmp(x->channel, y->channel);
}

static bool m_counters_zero(const struct metrics_counters *c)
{
#define M_ZERO(field)                                                                              \
    if (c->field != 0)                                                                             \
        return false;
    METRICS_ORDER_FIELDS(M_ZERO)
#undef M_ZERO
    return true;
}

static enum err_code m_daily_flush(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL);
    size_t count = 0;
    struct pg_daily_delta *rows =
        pg_batch_rows_take(&conn->daily, sizeof(*rows), m_daily_cmp, &count);
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < count;) {
        struct pg_daily_delta *row = &rows[i];
        size_t j = i + 1;
        for (; j < count && m_daily_cmp(row, &rows[j]) == 0; j++) {
            metrics_counters_add(&row->counters, &rows[j].counters, 1);
        }
        if (!m_counters_zero(&row->counters)) {
            struct metrics_fact fact = {.location = row->location,
                                        .day = row->day,
                                        .channel = row->channel,
                                        .counters = row->counters};
            code = m_daily_run(conn, &fact, 1, err);
        }
        i = j;
    }
    return code;
}

static enum err_code m_fact_insert(struct store_conn *conn, const struct metrics_fact *fact,
                                   struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_FACT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, fact->order_id);
    pg_bind_text(&bind, fact->location);
    pg_bind_i64(&bind, fact->day);
    pg_bind_text(&bind, fact->channel);
    pg_bind_bool(&bind, fact->unfilled);
    pg_bind_bool(&bind, fact->merchant_fault);
    m_bind_order_cols(&bind, &fact->counters, 1);
    code = pg_bind_check(conn, &bind, "metrics fact", err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "metrics fact", err) : code;
}

enum err_code pg_metrics_facts_replace(struct store_conn *conn,
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
    struct pg_query *stmt = NULL;
    /* A new order's rows are only inserted: there is nothing stored to delete. */
    if (code == ERR_OK && old_count > 0) {
        code = pg_stmt(conn, &SQL_FACTS_DELETE, &stmt, err);
    }
    if (code == ERR_OK && old_count > 0) {
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, old_facts[0].order_id);
        code = pg_bind_check(conn, &bind, "metrics facts delete", err);
        code = code == ERR_OK ? pg_run_later(conn, stmt, "metrics facts delete", err) : code;
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        code = m_fact_insert(conn, &facts[i], err);
    }
    return code;
}

/* ---- events, distinct keys, inputs ---------------------------------------------------------- */

enum err_code pg_metrics_events_add(struct store_conn *conn, int64_t day, const char *location,
                                    const struct metrics_counters *delta, struct err *err)
{
    ASSERT(conn != NULL && location != NULL && delta != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_EVENTS_ADD, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, day);
    pg_bind_text(&bind, location);
    pg_bind_i64(&bind, delta->pick_ms);
    pg_bind_i64(&bind, delta->scrapped);
    pg_bind_i64(&bind, delta->came_in);
    pg_bind_i64(&bind, delta->costs);
    code = pg_bind_check(conn, &bind, "metrics events", err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "metrics events", err) : code;
}

static void m_bind_distinct(struct pg_bind *bind, struct pg_query *stmt,
                            const struct metrics_distinct_key *key)
{
    pg_bind_init(bind, stmt);
    pg_bind_i64(bind, (int64_t)key->kind);
    pg_bind_text(bind, key->scope);
    pg_bind_text(bind, key->key);
    pg_bind_i64(bind, key->day);
}

static enum err_code m_distinct_lock(struct store_conn *conn,
                                     const struct metrics_distinct_key *key, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_DISTINCT_LOCK, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, (int64_t)key->kind);
    pg_bind_text(&bind, key->scope);
    pg_bind_text(&bind, key->key);
    code = pg_bind_check(conn, &bind, "metrics distinct lock", err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "metrics distinct lock", err) : code;
}

/* What up or down returned: the count after it and the row's previous day (-1: none). */
struct m_distinct_row {
    int64_t n;
    int64_t prev_day;
};

static enum err_code m_distinct_step(struct store_conn *conn, const struct pg_sql *sql,
                                     const struct metrics_distinct_key *key,
                                     struct m_distinct_row *out, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    m_bind_distinct(&bind, stmt, key);
    code = pg_bind_check(conn, &bind, "metrics distinct", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "metrics distinct", err);
    }
    *out = (struct m_distinct_row){.n = -1, .prev_day = -1};
    if (code == ERR_OK && has_row) {
        out->n = pg_value_i64(stmt, 0);
        if (PQnfields(stmt->result) > 1 && !pg_value_is_null(stmt, 1)) {
            out->prev_day = pg_value_i64(stmt, 1);
        }
    }
    pg_done(stmt);
    return code;
}

/* Deletes (link < -1) or relinks the next row to link (-1: NULL). */
static enum err_code m_distinct_run(struct store_conn *conn, const struct pg_sql *sql,
                                    const struct metrics_distinct_key *key, int64_t link,
                                    struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    m_bind_distinct(&bind, stmt, key);
    if (sql->id == PGS_M_DISTINCT_RELINK) {
        if (link < 0) {
            pg_bind_null(&bind);
        } else {
            pg_bind_i64(&bind, link);
        }
    }
    code = pg_bind_check(conn, &bind, "metrics distinct", err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "metrics distinct", err) : code;
}

enum err_code pg_metrics_distinct_move(struct store_conn *conn,
                                       const struct metrics_distinct_key *key, int delta,
                                       struct err *err)
{
    ASSERT(conn != NULL && key != NULL && key->scope != NULL && key->key != NULL);
    ASSERT(delta == 1 || delta == -1);
    if (delta > 0) {
        return m_distinct_run(conn, &SQL_DISTINCT_UP_ONE, key, -1, err);
    }
    struct m_distinct_row row = {.n = -1, .prev_day = -1};
    enum err_code code = m_distinct_lock(conn, key, err);
    if (code == ERR_OK) {
        code = m_distinct_step(conn, &SQL_DISTINCT_DOWN, key, &row, err);
    }
    if (code != ERR_OK || row.n != 0) {
        return code; /* not the last occurrence of the day: links unchanged */
    }
    code = m_distinct_run(conn, &SQL_DISTINCT_DELETE, key, -1, err);
    /* The next day of the key now follows this day's previous one. */
    return code == ERR_OK ? m_distinct_run(conn, &SQL_DISTINCT_RELINK, key, row.prev_day, err)
                          : code;
}

/* Adds n keys of (kind, scope) new on day to metrics_distinct_counts and metrics_distinct_days. */
static enum err_code m_distinct_count(struct store_conn *conn, int64_t kind, const char *scope,
                                      int64_t day, int64_t n, struct err *err)
{
    static const struct pg_sql *const sqls[] = {&SQL_DISTINCT_COUNTS_ADD, &SQL_DISTINCT_DAYS_ADD};
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < ARRAY_LEN(sqls); i++) {
        struct pg_query *stmt = NULL;
        code = pg_stmt(conn, sqls[i], &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_i64(&bind, kind);
        pg_bind_text(&bind, scope);
        pg_bind_i64(&bind, day);
        pg_bind_i64(&bind, n);
        code = pg_bind_check(conn, &bind, "metrics distinct count", err);
        if (code == ERR_OK) {
            code = pg_run_later(conn, stmt, "metrics distinct count", err);
        }
    }
    return code;
}

/* Keeps a new key's count for the batch's commit; false when it cannot (no room, a scope too
 * long: the caller counts it at once). */
static bool m_distinct_keep(struct store_conn *conn, const struct metrics_distinct_key *key)
{
    size_t scope_len = strlen(key->scope);
    if (scope_len > CODE_LEN_MAX) {
        return false;
    }
    struct pg_distinct_delta *delta = pg_batch_rows_add(&conn->distinct, sizeof(*delta));
    if (delta == NULL) {
        return false;
    }
    delta->kind = (int64_t)key->kind;
    delta->day = key->day;
    memcpy(delta->scope, key->scope, scope_len + 1);
    delta->n = 1;
    return true;
}

static int m_distinct_cmp(const void *a, const void *b)
{
    const struct pg_distinct_delta *x = a;
    const struct pg_distinct_delta *y = b;
    if (x->kind != y->kind) {
        return x->kind < y->kind ? -1 : 1;
    }
    int c = strcmp(x->scope, y->scope);
    if (c != 0) {
        return c;
    }
    return x->day == y->day ? 0 : (x->day < y->day ? -1 : 1);
}

static enum err_code m_distinct_flush(struct store_conn *conn, struct err *err)
{
    size_t count = 0;
    const struct pg_distinct_delta *rows =
        pg_batch_rows_take(&conn->distinct, sizeof(*rows), m_distinct_cmp, &count);
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < count;) {
        const struct pg_distinct_delta *row = &rows[i];
        int64_t n = 0;
        size_t j = i;
        for (; j < count && m_distinct_cmp(row, &rows[j]) == 0; j++) {
            n += rows[j].n;
        }
        code = m_distinct_count(conn, row->kind, row->scope, row->day, n, err);
        i = j;
    }
    return code;
}

enum err_code pg_metrics_batch_flush(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL);
    enum err_code code = m_daily_flush(conn, err);
    /* On a failure the commit fails and store_rollback empties the rest. */
    return code == ERR_OK ? m_distinct_flush(conn, err) : code;
}

/*
 * No lock (see m_distinct_lock): no other transaction can know the key yet. Its counts (no
 * previous day) inside a write batch at its commit, else at once (migration 021).
 */
enum err_code pg_metrics_distinct_first(struct store_conn *conn,
                                        const struct metrics_distinct_key *key, struct err *err)
{
    ASSERT(conn != NULL && key != NULL && key->scope != NULL && key->key != NULL);
    enum err_code code = m_distinct_run(conn, &SQL_DISTINCT_FIRST, key, -1, err);
    if (code != ERR_OK || (conn->batch_open && m_distinct_keep(conn, key))) {
        return code;
    }
    return m_distinct_count(conn, (int64_t)key->kind, key->scope, key->day, 1, err);
}

enum err_code pg_metrics_traffic_put(struct store_conn *conn, const struct metrics_traffic *traffic,
                                     int64_t now_ms, struct err *err)
{
    ASSERT(conn != NULL && traffic != NULL && traffic->channel != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_TRAFFIC_PUT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, traffic->channel);
    pg_bind_i64(&bind, traffic->day);
    pg_bind_i64(&bind, traffic->visitors);
    pg_bind_i64(&bind, traffic->carts_created);
    pg_bind_i64(&bind, traffic->carts_abandoned);
    pg_bind_i64(&bind, now_ms);
    code = pg_bind_check(conn, &bind, "traffic", err);
    return code == ERR_OK ? pg_run(conn, stmt, "traffic", err) : code;
}

enum err_code pg_metrics_cost_insert(struct store_conn *conn, struct metrics_cost *cost,
                                     int64_t now_ms, struct err *err)
{
    ASSERT(conn != NULL && cost != NULL && cost->location != NULL && cost->category != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_COST_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, cost->day);
    pg_bind_text(&bind, cost->location);
    pg_bind_text(&bind, cost->category);
    pg_bind_i64(&bind, cost->amount);
    pg_bind_i64(&bind, now_ms);
    code = pg_bind_check(conn, &bind, "cost", err);
    code = code == ERR_OK ? pg_run(conn, stmt, "cost", err) : code;
    if (code != ERR_OK) {
        return code;
    }
    cost->row_id = pg_last_id(conn);
    struct metrics_counters delta = {.costs = cost->amount};
    return store_metrics_events_add(conn, cost->day, cost->location, &delta, err);
}

/* ---- range queries ----------------------------------------------------------------------- */

typedef void (*m_fill_fn)(struct pg_row *row, struct metrics_counters *c);

static void m_fill_orders(struct pg_row *row, struct metrics_counters *c)
{
    m_read_order_cols(row, c);
}

static void m_fill_ship_loc(struct pg_row *row, struct metrics_counters *c)
{
    c->shipped_any = pg_col_i64(row);
    c->shipping_cost = pg_col_i64(row);
}

static void m_fill_events(struct pg_row *row, struct metrics_counters *c)
{
    c->pick_ms = pg_col_i64(row);
    c->scrapped = pg_col_i64(row);
    c->came_in = pg_col_i64(row);
    c->costs = pg_col_i64(row);
}

static void m_fill_traffic(struct pg_row *row, struct metrics_counters *c)
{
    c->visitors = pg_col_i64(row);
    c->carts_created = pg_col_i64(row);
    c->carts_abandoned = pg_col_i64(row);
}

static void m_fill_customers(struct pg_row *row, struct metrics_counters *c)
{
    c->customers = pg_col_i64(row);
}

static void m_fill_picked(struct pg_row *row, struct metrics_counters *c)
{
    c->picked_orders = pg_col_i64(row);
}

/* One range query: its two forms, its fill, and its parameters after from and to. */
struct m_range {
    const struct pg_sql *sum;
    const struct pg_sql *by_day;
    m_fill_fn fill;
    int extra;         /* parameters after $1 $2: 1 or 2 */
    bool int3;         /* $3 is the distinct kind */
    int64_t kind;      /* when int3 */
    const char *text3; /* $3 (NULL binds NULL) unless int3 */
    const char *text4; /* $4 when extra == 2 */
};

static enum err_code m_range_run(struct store_conn *conn, const struct metrics_query *query,
                                 const struct m_range *range, bool by_day,
                                 struct metrics_counters *out, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, by_day ? range->by_day : range->sum, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, query->from_day);
    pg_bind_i64(&bind, query->to_day);
    if (range->int3) {
        pg_bind_i64(&bind, range->kind);
    } else {
        pg_bind_text(&bind, range->text3);
    }
    if (range->extra == 2) {
        pg_bind_text(&bind, range->text4);
    }
    code = pg_bind_check(conn, &bind, "metrics range", err);
    bool has_row = code == ERR_OK;
    while (code == ERR_OK && has_row) {
        code = pg_step_row(conn, stmt, &has_row, "metrics range", err);
        if (code != ERR_OK || !has_row) {
            break;
        }
        struct pg_row row;
        pg_row_init(&row, stmt, NULL);
        int64_t index = by_day ? pg_col_i64(&row) - query->from_day : 0;
        ASSERT(index >= 0 && index <= query->to_day - query->from_day);
        range->fill(&row, &out[index]);
        code = pg_row_check(&row, err);
    }
    pg_done(stmt);
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

enum err_code pg_metrics_sum(struct store_conn *conn, const struct metrics_query *query,
                             struct metrics_counters *out, struct err *err)
{
    ASSERT(conn != NULL && query != NULL && out != NULL);
    ASSERT(query->from_day <= query->to_day);
    *out = (struct metrics_counters){0};
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = m_query(conn, query, false, out, err);
        pg_snapshot_end(conn, owned);
    }
    return code;
}

enum err_code pg_metrics_by_day(struct store_conn *conn, const struct metrics_query *query,
                                struct metrics_counters *out, struct err *err)
{
    ASSERT(conn != NULL && query != NULL && out != NULL);
    ASSERT(query->from_day <= query->to_day);
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = m_query(conn, query, true, out, err);
        pg_snapshot_end(conn, owned);
    }
    return code;
}

/* ---- top products, recount, flags ---------------------------------------------------------- */

/* Orders cancelled in full before any shipment count nowhere (docs/METRICS.md). */
#define M_COUNTED                                                                                  \
    "(o.status <> 'cancelled' OR EXISTS (SELECT 1 FROM order_lines x WHERE x.order_id = o.id"      \
    " AND x.qty_shipped > 0))"

static const struct pg_sql SQL_TOP_PRODUCTS = {
    PGS_M_TOP_PRODUCTS,
    "SELECT l.sku, sum(l.qty - l.qty_cancelled), sum((l.qty - l.qty_cancelled) * l.unit_price)"
    " FROM orders o JOIN order_lines l ON l.order_id = o.id WHERE o.created_at BETWEEN $1 AND $2"
    " AND ($3::text IS NULL OR o.channel = $3) AND " M_COUNTED
    " GROUP BY l.sku ORDER BY 3 DESC, 2 DESC, l.sku LIMIT $4"};

static enum err_code m_read_product(struct pg_row *row, void *item, struct err *err)
{
    struct metrics_product *product = item;
    product->sku = pg_col_text(row);
    product->units = pg_col_i64(row);
    product->revenue = pg_col_i64(row);
    return pg_row_check(row, err);
}

enum err_code pg_metrics_top_products(struct store_conn *conn, struct arena *arena,
                                      const struct metrics_query *query,
                                      struct metrics_product **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && query != NULL && out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_TOP_PRODUCTS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, query->from_day * DATE_MS_PER_DAY);
    pg_bind_i64(&bind, (query->to_day + 1) * DATE_MS_PER_DAY - 1);
    pg_bind_text(&bind, query->channel);
    pg_bind_i64(&bind, (int64_t)query->limit);
    code = pg_bind_check(conn, &bind, "top products", err);
    struct pg_reader reader = {.arena = arena,
                               .read = m_read_product,
                               .what = "product",
                               .elem_size = sizeof(struct metrics_product)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
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
    " WHERE g.kind IN ('receipt', 'assemble', 'return_restock', 'scrap')) AS r"                    \
    " GROUP BY day, location"
#define M_EV_NONZERO "(pick_ms <> 0 OR scrapped <> 0 OR came_in <> 0 OR costs <> 0)"
#define M_FACT_SUMS                                                                                \
    "SELECT * FROM (SELECT day, channel, location, " M_SUMS_AS                                     \
    " FROM metrics_order_facts GROUP BY day, channel, location) AS s WHERE " M_NONZERO
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

static const struct pg_sql SQL_CHECK = {
    PGS_M_CHECK,
    "SELECT 'metrics_daily ' || day || ' ' || channel || ' ' || location || ': the rollup"
    " differs from the sum of the order facts' FROM (" M_FACT_SUMS " EXCEPT " M_DAILY_ROWS
    " UNION SELECT * FROM (" M_DAILY_ROWS " EXCEPT " M_FACT_SUMS ") AS b) AS d"};
static const struct pg_sql SQL_CHECK_EVENTS = {
    PGS_M_CHECK_EVENTS,
    "SELECT 'metrics_events_daily ' || day || ' ' || location || ': the rollup"
    " differs from the costs, pick lists and ledger' FROM (SELECT * FROM (" M_RAW_EVENTS
    ") AS a WHERE " M_EV_NONZERO " EXCEPT SELECT day, location, pick_ms, scrapped, came_in, costs"
    " FROM metrics_events_daily WHERE " M_EV_NONZERO " UNION SELECT * FROM (SELECT day, location,"
    " pick_ms, scrapped, came_in, costs FROM metrics_events_daily WHERE " M_EV_NONZERO
    " EXCEPT SELECT * FROM (" M_RAW_EVENTS ") AS c WHERE " M_EV_NONZERO ") AS b) AS d"};
/* routing_location_days against the shipments it counts (routing, but counted as the metrics
 * are: pg_routing.c). */
static const struct pg_sql SQL_CHECK_LOCATION_DAYS = {
    PGS_M_CHECK_LOCATION_DAYS,
    "SELECT 'routing_location_days ' || location_id || ' ' || day || ': the count differs from"
    " the shipments' FROM (SELECT * FROM (SELECT location_id, created_at / 86400000 AS day,"
    " count(*) AS n FROM shipments GROUP BY 1, 2) AS a EXCEPT SELECT location_id, day, shipments"
    " FROM routing_location_days WHERE shipments <> 0 UNION SELECT * FROM (SELECT location_id,"
    " day, shipments FROM routing_location_days WHERE shipments <> 0 EXCEPT SELECT location_id,"
    " created_at / 86400000, count(*) FROM shipments GROUP BY 1, 2) AS b) AS d"};
static const struct pg_sql SQL_CHECK_DISTINCT = {
    PGS_M_CHECK_DISTINCT,
    "SELECT 'metrics_distinct ' || kind || ' \"' || scope || '\" ' || key || ' ' || day"
    " || ': differs from the orders and pick lists' FROM (SELECT * FROM (" M_RAW_DISTINCT
    ") AS a EXCEPT " M_DISTINCT_ROWS " UNION SELECT * FROM (" M_DISTINCT_ROWS
    " EXCEPT SELECT * FROM (" M_RAW_DISTINCT ") AS c) AS b) AS d"
    " UNION ALL SELECT 'metrics_distinct ' || kind || ' \"' || scope || '\" ' || key || ' '"
    " || day || ': the previous day does not follow' FROM metrics_distinct d"
    " WHERE prev_day IS DISTINCT FROM (SELECT max(day) FROM metrics_distinct e WHERE e.kind = "
    "d.kind"
    " AND e.scope = d.scope AND e.key = d.key AND e.day < d.day)"
    " UNION ALL SELECT 'metrics_distinct_counts ' || kind || ' \"' || scope || '\" ' || prev_day"
    " || ' ' || day || ': differs from metrics_distinct' FROM (SELECT * FROM (SELECT kind, scope,"
    " coalesce(prev_day, -1) AS prev_day, day, count(*) AS n FROM metrics_distinct"
    " GROUP BY 1, 2, 3, 4) AS a EXCEPT"
    " SELECT kind, scope, prev_day, day, n FROM metrics_distinct_counts WHERE n <> 0 UNION"
    " SELECT * FROM (SELECT kind, scope, prev_day, day, n FROM metrics_distinct_counts"
    " WHERE n <> 0 EXCEPT SELECT kind, scope, coalesce(prev_day, -1), day, count(*)"
    " FROM metrics_distinct GROUP BY 1, 2, 3, 4) AS b) AS d"
    " UNION ALL SELECT 'metrics_distinct_days ' || kind || ' \"' || scope || '\" ' || day"
    " || ': differs from metrics_distinct' FROM (SELECT * FROM (SELECT kind, scope, day,"
    " count(*) FROM metrics_distinct GROUP BY 1, 2, 3) AS a EXCEPT SELECT kind, scope, day, n"
    " FROM metrics_distinct_days WHERE n <> 0 UNION SELECT * FROM (SELECT kind, scope, day, n"
    " FROM metrics_distinct_days WHERE n <> 0 EXCEPT SELECT kind, scope, day, count(*)"
    " FROM metrics_distinct GROUP BY 1, 2, 3) AS b) AS d"};

static enum err_code m_read_text(struct pg_row *row, void *item, struct err *err)
{
    const char **text = item;
    *text = pg_col_text(row);
    return pg_row_check(row, err);
}

enum err_code pg_metrics_check(struct store_conn *conn, struct arena *arena, const char ***problems,
                               size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && problems != NULL && count != NULL);
    static const struct pg_sql *const checks[] = {&SQL_CHECK, &SQL_CHECK_EVENTS,
                                                  &SQL_CHECK_DISTINCT, &SQL_CHECK_LOCATION_DAYS};
    const char **all = NULL;
    size_t all_count = 0;
    size_t cap = 0;
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < sizeof(checks) / sizeof(checks[0]); i++) {
        struct pg_query *stmt = NULL;
        code = pg_stmt(conn, checks[i], &stmt, err);
        struct pg_reader reader = {
            .arena = arena, .read = m_read_text, .what = "problem", .elem_size = sizeof(char *)};
        if (code == ERR_OK) {
            code = pg_read_all(conn, stmt, &reader, err);
        }
        const char **texts = reader.items;
        for (size_t j = 0; code == ERR_OK && j < reader.count; j++) {
            if (!pg_grow(arena, (void **)&all, all_count, &cap, sizeof(char *))) {
                return err_set(err, ERR_TOO_LARGE, NULL, "too many metrics problems");
            }
            all[all_count++] = texts[j];
        }
    }
    *problems = all;
    *count = all_count;
    return code;
}

static const struct pg_sql SQL_ORDER_IDS = {
    PGS_M_ORDER_IDS,
    "SELECT id FROM orders WHERE $1::text IS NULL OR id > $1 ORDER BY id LIMIT $2"};

enum err_code pg_metrics_order_ids(struct store_conn *conn, struct arena *arena,
                                   const char *after_id, struct store_ids *ids, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && ids != NULL && ids->limit > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ORDER_IDS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, after_id);
    pg_bind_i64(&bind, (int64_t)ids->limit);
    code = pg_bind_check(conn, &bind, "order ids", err);
    struct pg_reader reader = {
        .arena = arena, .read = m_read_text, .what = "order", .elem_size = sizeof(char *)};
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
    }
    ids->ids = reader.items;
    ids->count = reader.count;
    return code;
}

/* A line cancelled for lack of stock: a partial cancel whose reason is "out_of_stock". */
#define M_OUT_OF_STOCK                                                                             \
    "(kind = 'order.lines_cancelled' AND (data::jsonb ->> 'reason') = 'out_of_stock')"

static const struct pg_sql SQL_ORDER_FLAGS = {
    PGS_M_ORDER_FLAGS,
    "SELECT EXISTS (SELECT 1 FROM events WHERE entity_type = 'order' AND entity_id = $1 AND"
    " (kind IN ('order.short_picked', 'order.backorder_allocated') OR " M_OUT_OF_STOCK
    " OR (kind = 'order.created' AND (data::jsonb ->> 'status') = 'backordered')))"
    " OR EXISTS (SELECT 1 FROM order_lines WHERE order_id = $1 AND qty_backordered > 0),"
    " EXISTS (SELECT 1 FROM events WHERE entity_type = 'order' AND entity_id = $1 AND"
    " (kind = 'order.short_picked' OR " M_OUT_OF_STOCK ")),"
    /* returns (migration 006): a received return with a merchant-fault reason; any received */
    " EXISTS (SELECT 1 FROM returns r JOIN return_lines l ON l.return_id = r.id WHERE"
    " r.order_id = $1 AND l.qty_received > 0 AND l.reason IN ('damaged', 'defective',"
    " 'wrong_item', 'late')),"
    " EXISTS (SELECT 1 FROM returns r JOIN return_lines l ON l.return_id = r.id WHERE"
    " r.order_id = $1 AND l.qty_received > 0)"};

enum err_code pg_metrics_order_flags(struct store_conn *conn, const char *order_id,
                                     struct metrics_order_flags *out, struct err *err)
{
    ASSERT(conn != NULL && order_id != NULL && out != NULL);
    *out = (struct metrics_order_flags){0};
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_ORDER_FLAGS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, order_id);
    code = pg_bind_check(conn, &bind, "order flags", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "order flags", err);
    }
    if (code == ERR_OK && has_row) {
        struct pg_row row;
        pg_row_init(&row, stmt, NULL);
        out->unfilled = pg_col_bool(&row);
        out->merchant_fault = pg_col_bool(&row);
        out->bad_return = pg_col_bool(&row); /* returns */
        out->returned = pg_col_bool(&row);   /* returns */
        code = pg_row_check(&row, err);
    }
    pg_done(stmt);
    return code;
}
