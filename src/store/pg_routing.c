/*
 * pg_routing.c — the routing engine's data (migration 008): carriers and their services'
 * rate cards, the settings by name, per-channel hold-backs, the config version that moves on
 * with each change, and a location's shipments of a day (counted by triggers). A rate card is kept
 * as compact text
 * ("500:1,1500:3" and "500:1000:799,..."), written and read here only.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "store/pg_int.h"

static const struct pg_sql SQL_CARRIER_UPSERT = {
    PGS_ROUTING_CARRIER_UPSERT,
    "INSERT INTO carriers (code, name, created_at, updated_at) VALUES ($1, $2, $3, $3)"
    " ON CONFLICT (code) DO UPDATE SET name = excluded.name, updated_at = excluded.updated_at"};
static const struct pg_sql SQL_CARRIER_EXISTS = {PGS_ROUTING_CARRIER_EXISTS,
                                                 "SELECT 1 FROM carriers WHERE code = $1"};
static const struct pg_sql SQL_SERVICES_DELETE = {
    PGS_ROUTING_SERVICES_DELETE, "DELETE FROM carrier_services WHERE carrier = $1"};
static const struct pg_sql SQL_SERVICE_INSERT = {
    PGS_ROUTING_SERVICE_INSERT,
    "INSERT INTO carrier_services (carrier, code, position, transit, rates)"
    " VALUES ($1, $2, $3, $4, $5)"};
static const struct pg_sql SQL_CARRIER_LIST = {
    PGS_ROUTING_CARRIER_LIST,
    "SELECT code, name, created_at, updated_at FROM carriers ORDER BY code"};
static const struct pg_sql SQL_SERVICE_LIST = {
    PGS_ROUTING_SERVICE_LIST,
    "SELECT carrier, code, transit, rates FROM carrier_services ORDER BY carrier, position"};
static const struct pg_sql SQL_SETTING_LIST = {PGS_ROUTING_SETTING_LIST,
                                               "SELECT name, value FROM routing_settings"};
static const struct pg_sql SQL_SETTING_PUT = {
    PGS_ROUTING_SETTING_PUT, "INSERT INTO routing_settings (name, value) VALUES ($1, $2)"
                             " ON CONFLICT (name) DO UPDATE SET value = excluded.value"};
static const struct pg_sql SQL_VERSION_GET = {
    PGS_ROUTING_VERSION_GET,
    "SELECT coalesce((SELECT value FROM routing_settings WHERE name = 'config_version'), 0)"};
static const struct pg_sql SQL_VERSION_BUMP = {
    PGS_ROUTING_VERSION_BUMP,
    "INSERT INTO routing_settings (name, value) VALUES ('config_version', 2)"
    " ON CONFLICT (name) DO UPDATE SET value = routing_settings.value + 1"};
static const struct pg_sql SQL_HOLD_LIST = {
    PGS_ROUTING_HOLD_LIST, "SELECT channel, units FROM routing_channel_hold_back ORDER BY channel"};
static const struct pg_sql SQL_HOLD_DELETE_ALL = {PGS_ROUTING_HOLD_DELETE_ALL,
                                                  "DELETE FROM routing_channel_hold_back"};
static const struct pg_sql SQL_HOLD_INSERT = {
    PGS_ROUTING_HOLD_INSERT,
    "INSERT INTO routing_channel_hold_back (channel, units) VALUES ($1, $2)"};
static const struct pg_sql SQL_SHIPMENTS_SINCE = {
    PGS_ROUTING_SHIPMENTS_SINCE,
    "SELECT coalesce((SELECT shipments FROM routing_location_days WHERE location_id = $1"
    " AND day = $2::bigint / 86400000), 0)"};
/* One point read of (location_id, day) per location with a daily capacity. */
static const struct pg_sql SQL_SHIPMENTS_SINCE_ALL = {
    PGS_ROUTING_SHIPMENTS_SINCE_ALL,
    "SELECT l.id, d.shipments FROM locations l CROSS JOIN LATERAL (SELECT shipments"
    " FROM routing_location_days WHERE location_id = l.id AND day = $1::bigint / 86400000"
    " OFFSET 0) d WHERE l.capacity_per_day > 0 ORDER BY l.id"};

/* SQL_SHIPMENTS_SINCE and the batch's shipments not counted yet ($4) compared with the capacity,
 * failing (ordo_require, migration 014) when none is left: the writer's pipeline need not wait
 * for it. */
static const struct pg_sql SQL_CAPACITY_REQUIRE = {
    PGS_ROUTING_CAPACITY_REQUIRE,
    "SELECT ordo_require(coalesce((SELECT shipments FROM routing_location_days"
    " WHERE location_id = $1 AND day = $2::bigint / 86400000), 0) + $4 < $3,"
    " 'the location has no capacity left today')"};
/* A batch's shipments of a location and day, counted at its commit (migration 022). */
static const struct pg_sql SQL_LOCATION_DAYS_ADD = {
    PGS_ROUTING_LOCATION_DAYS_ADD,
    "INSERT INTO routing_location_days AS d (location_id, day, shipments) VALUES ($1, $2, $3)"
    " ON CONFLICT (location_id, day) DO UPDATE SET shipments = d.shipments + excluded.shipments"};

/* The settings by their stored names; the order is the API's. */
struct routing_setting_field {
    const char *name;
    size_t offset;
};

#define ROUTING_FIELD(member)                                                                      \
    {                                                                                              \
#member, offsetof(struct routing_settings, member)                                         \
    }
static const struct routing_setting_field routing_setting_fields[] = {
    ROUTING_FIELD(split_penalty),       ROUTING_FIELD(lateness_penalty_per_day),
    ROUTING_FIELD(default_base),        ROUTING_FIELD(default_per_100km),
    ROUTING_FIELD(default_per_kg),      ROUTING_FIELD(default_km_per_day),
    ROUTING_FIELD(unknown_distance_km), ROUTING_FIELD(promise_days),
    ROUTING_FIELD(max_shipments),
};

static enum err_code routing_bump(struct store_conn *conn, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_VERSION_BUMP, &stmt, err);
    return code == ERR_OK ? pg_run(conn, stmt, "routing version", err) : code;
}

/* "500:1,1500:3" or "500:1000:799,..." into a malloc-free arena string. */
static char *routing_encode(struct arena *arena, const int64_t *values, size_t rows, size_t width)
{
    size_t cap = rows * width * 21 + 1;
    char *out = ARENA_NEW_ARRAY(arena, char, cap);
    if (out == NULL) {
        return NULL;
    }
    size_t used = 0;
    out[0] = '\0';
    for (size_t r = 0; r < rows; r++) {
        for (size_t w = 0; w < width; w++) {
            int n = snprintf(out + used, cap - used, "%s%" PRId64, w > 0 ? ":" : (r > 0 ? "," : ""),
                             values[r * width + w]);
            used += n > 0 ? (size_t)n : 0;
        }
    }
    return out;
}

static enum err_code routing_service_insert(struct store_conn *conn, struct arena *arena,
                                            const struct routing_carrier *carrier, size_t i,
                                            struct err *err)
{
    const struct routing_service *service = &carrier->services[i];
    static_assert(sizeof(struct routing_transit) == 2 * sizeof(int64_t), "transit is 2 int64");
    static_assert(sizeof(struct routing_rate) == 3 * sizeof(int64_t), "rate is 3 int64");
    char *transit =
        routing_encode(arena, (const int64_t *)service->transit, service->transit_count, 2);
    char *rates = routing_encode(arena, (const int64_t *)service->rates, service->rates_count, 3);
    if (transit == NULL || rates == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SERVICE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, carrier->code);
    pg_bind_text(&bind, service->code);
    pg_bind_i64(&bind, (int64_t)i);
    pg_bind_text(&bind, transit);
    pg_bind_text(&bind, rates);
    code = pg_bind_check(conn, &bind, "carrier service", err);
    return code == ERR_OK ? pg_run(conn, stmt, "carrier service", err) : code;
}

static enum err_code routing_run_code(struct store_conn *conn, const struct pg_sql *sql,
                                      const char *text, const char *what, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, text);
    code = pg_bind_check(conn, &bind, what, err);
    return code == ERR_OK ? pg_run(conn, stmt, what, err) : code;
}

static enum err_code routing_carrier_exists(struct store_conn *conn, const char *code_text,
                                            bool *exists, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_CARRIER_EXISTS, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, code_text);
    code = pg_bind_check(conn, &bind, "carrier", err);
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, exists, "carrier", err);
        pg_done(stmt);
    }
    return code;
}

enum err_code pg_carrier_put(struct store_conn *conn, const struct routing_carrier *carrier,
                             bool *created, struct err *err)
{
    ASSERT(conn != NULL && carrier != NULL);
    ASSERT(created != NULL && carrier->code != NULL);
    bool exists = false;
    enum err_code code = routing_carrier_exists(conn, carrier->code, &exists, err);
    struct pg_query *stmt = NULL;
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_CARRIER_UPSERT, &stmt, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *created = !exists;
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, carrier->code);
    pg_bind_text(&bind, carrier->name);
    pg_bind_i64(&bind, carrier->updated_at_ms);
    code = pg_bind_check(conn, &bind, "carrier", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "carrier", err);
    }
    if (code == ERR_OK) {
        code = routing_run_code(conn, &SQL_SERVICES_DELETE, carrier->code, "carrier services", err);
    }
    struct arena arena;
    arena_init(&arena, (size_t)256 * 1024);
    for (size_t i = 0; code == ERR_OK && i < carrier->services_count; i++) {
        code = routing_service_insert(conn, &arena, carrier, i, err);
    }
    arena_release(&arena);
    return code == ERR_OK ? routing_bump(conn, err) : code;
}

static enum err_code routing_carrier_read(struct pg_row *row, void *item, struct err *err)
{
    struct routing_carrier *carrier = item;
    memset(carrier, 0, sizeof(*carrier));
    carrier->code = pg_col_text(row);
    carrier->name = pg_col_text(row);
    carrier->created_at_ms = pg_col_i64(row);
    carrier->updated_at_ms = pg_col_i64(row);
    return pg_row_check(row, err);
}

/* A service row before it joins its carrier. */
struct routing_service_row {
    const char *carrier;
    struct routing_service service;
};

/* Parses "a:b,c:d" of width numbers per row into an arena int64 array. */
static int64_t *routing_decode(struct arena *arena, const char *text, size_t width, size_t *rows)
{
    size_t count = 1;
    for (const char *p = text; *p != '\0'; p++) {
        count += *p == ',' ? 1 : 0;
    }
    int64_t *values = ARENA_NEW_ARRAY(arena, int64_t, count * width);
    if (values == NULL) {
        return NULL;
    }
    const char *p = text;
    size_t n = 0;
    while (*p != '\0' && n < count * width) {
        char *end = NULL;
        values[n++] = strtoll(p, &end, 10);
        p = *end != '\0' ? end + 1 : end;
    }
    *rows = n / width;
    return values;
}

static enum err_code routing_service_read(struct pg_row *row, void *item, struct err *err)
{
    struct routing_service_row *out = item;
    memset(out, 0, sizeof(*out));
    out->carrier = pg_col_text(row);
    out->service.carrier = out->carrier;
    out->service.code = pg_col_text(row);
    const char *transit = pg_col_text(row);
    const char *rates = pg_col_text(row);
    enum err_code code = pg_row_check(row, err);
    if (code != ERR_OK) {
        return code;
    }
    if (transit == NULL || rates == NULL) {
        return pg_corrupt(err, "carrier service rate card", "NULL");
    }
    out->service.transit = (const struct routing_transit *)(void *)routing_decode(
        row->arena, transit, 2, &out->service.transit_count);
    out->service.rates = (const struct routing_rate *)(void *)routing_decode(
        row->arena, rates, 3, &out->service.rates_count);
    if (out->service.transit == NULL || out->service.rates == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

static enum err_code routing_list(struct store_conn *conn, const struct pg_sql *sql,
                                  struct pg_reader *reader, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    return code == ERR_OK ? pg_read_all(conn, stmt, reader, err) : code;
}

/* Hands each carrier its services (rows sorted by carrier, then position). */
static enum err_code routing_join(struct arena *arena, struct routing_carrier *carriers,
                                  size_t count, const struct routing_service_row *rows,
                                  size_t rows_count, struct err *err)
{
    size_t r = 0;
    for (size_t c = 0; c < count; c++) {
        size_t first = r;
        while (r < rows_count && strcmp(rows[r].carrier, carriers[c].code) == 0) {
            r++;
        }
        carriers[c].services = ARENA_NEW_ARRAY(arena, struct routing_service, r - first + 1);
        if (carriers[c].services == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
        for (size_t i = first; i < r; i++) {
            carriers[c].services[i - first] = rows[i].service;
            carriers[c].services[i - first].carrier = carriers[c].code;
        }
        carriers[c].services_count = r - first;
    }
    return ERR_OK;
}

enum err_code pg_carrier_list(struct store_conn *conn, struct arena *arena,
                              struct routing_carrier **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader carriers = {.arena = arena,
                                 .read = routing_carrier_read,
                                 .what = "carrier",
                                 .elem_size = sizeof(struct routing_carrier)};
    struct pg_reader services = {.arena = arena,
                                 .read = routing_service_read,
                                 .what = "carrier service",
                                 .elem_size = sizeof(struct routing_service_row)};
    code = routing_list(conn, &SQL_CARRIER_LIST, &carriers, err);
    if (code == ERR_OK) {
        code = routing_list(conn, &SQL_SERVICE_LIST, &services, err);
    }
    pg_snapshot_end(conn, owned);
    if (code == ERR_OK) {
        code = routing_join(arena, carriers.items, carriers.count, services.items, services.count,
                            err);
    }
    *out = code == ERR_OK ? carriers.items : NULL;
    *count = code == ERR_OK ? carriers.count : 0;
    return code;
}

enum err_code pg_routing_settings_get(struct store_conn *conn, struct routing_settings *out,
                                      struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SETTING_LIST, &stmt, err);
    bool has_row = code == ERR_OK;
    while (code == ERR_OK && has_row) {
        code = pg_step_row(conn, stmt, &has_row, "routing setting", err);
        if (code != ERR_OK || !has_row) {
            break;
        }
        const char *name = (const char *)pg_value_text(stmt, 0);
        int64_t value = pg_value_i64(stmt, 1);
        for (size_t i = 0;
             name != NULL && i < sizeof(routing_setting_fields) / sizeof(routing_setting_fields[0]);
             i++) {
            if (strcmp(name, routing_setting_fields[i].name) == 0) {
                memcpy((char *)out + routing_setting_fields[i].offset, &value, sizeof(value));
            }
        }
    }
    if (stmt != NULL) {
        pg_done(stmt);
    }
    return code;
}

enum err_code pg_routing_settings_put(struct store_conn *conn,
                                      const struct routing_settings *settings, struct err *err)
{
    ASSERT(conn != NULL && settings != NULL);
    enum err_code code = ERR_OK;
    size_t n = sizeof(routing_setting_fields) / sizeof(routing_setting_fields[0]);
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        int64_t value = 0;
        memcpy(&value, (const char *)settings + routing_setting_fields[i].offset, sizeof(value));
        struct pg_query *stmt = NULL;
        code = pg_stmt(conn, &SQL_SETTING_PUT, &stmt, err);
        if (code != ERR_OK) {
            break;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, routing_setting_fields[i].name);
        pg_bind_i64(&bind, value);
        code = pg_bind_check(conn, &bind, "routing setting", err);
        if (code == ERR_OK) {
            code = pg_run(conn, stmt, "routing setting", err);
        }
    }
    return code == ERR_OK ? routing_bump(conn, err) : code;
}

/* Runs a statement of one integer answer with up to two integer parameters. */
static enum err_code routing_scalar(struct store_conn *conn, const struct pg_sql *sql,
                                    const int64_t *params, size_t params_count, int64_t *out,
                                    struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    for (size_t i = 0; i < params_count; i++) {
        pg_bind_i64(&bind, params[i]);
    }
    code = pg_bind_check(conn, &bind, "routing", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "routing", err);
        *out = has_row ? pg_value_i64(stmt, 0) : 0;
        pg_done(stmt);
    }
    return code;
}

enum err_code pg_routing_version(struct store_conn *conn, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    return routing_scalar(conn, &SQL_VERSION_GET, NULL, 0, out, err);
}

/* ---- shipments per location and day (routing_location_days) ------------------------------ */

/*
 * Every order adds a shipment to a few rows of the day, and a row one savepoint (a
 * subtransaction) wrote and the next updates costs PostgreSQL a multixact and a longer chain of
 * versions, as metrics_daily did (pg_metrics.c): inside a write batch the counts are kept on the
 * writer's connection and written once, before its COMMIT; the writer's own reads of them add
 * what is kept. A savepoint's rollback drops its command's counts.
 */
static int64_t routing_day(int64_t ms)
{
    return ms / 86400000; /* as the statements' $2::bigint / 86400000 */
}

/* Upserts n shipments of (location, day). */
static enum err_code routing_location_days_add(struct store_conn *conn, int64_t location_row_id,
                                               int64_t day, int64_t n, struct err *err)
{
    const int64_t params[] = {location_row_id, day, n};
    struct pg_query *stmt = NULL;
    enum err_code code =
        pg_stmt_i64(conn, &SQL_LOCATION_DAYS_ADD, params, ARRAY_LEN(params), &stmt, err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "routing location day", err) : code;
}

static bool routing_location_day_keep(struct store_conn *conn, int64_t location_row_id, int64_t day)
{
    struct pg_location_day_delta *delta = pg_batch_rows_add(&conn->location_days, sizeof(*delta));
    if (delta == NULL) {
        return false;
    }
    *delta = (struct pg_location_day_delta){.location_row_id = location_row_id, .day = day, .n = 1};
    return true;
}

/* The shipments of (location, day) kept for the commit. */
static int64_t routing_location_day_pending(const struct store_conn *conn, int64_t location_row_id,
                                            int64_t day)
{
    const struct pg_location_day_delta *rows = conn->location_days.rows;
    int64_t n = 0;
    for (size_t i = 0; i < conn->location_days.count; i++) {
        const struct pg_location_day_delta *d = &rows[i];
        if (d->location_row_id == location_row_id && d->day == day) {
            n += d->n;
        }
    }
    return n;
}

enum err_code pg_routing_shipment_counted(struct store_conn *conn, int64_t location_row_id,
                                          int64_t created_at_ms, struct err *err)
{
    ASSERT(conn != NULL && location_row_id > 0);
    int64_t day = routing_day(created_at_ms);
    if (conn->batch_open && routing_location_day_keep(conn, location_row_id, day)) {
        return ERR_OK;
    }
    return routing_location_days_add(conn, location_row_id, day, 1, err);
}

static int routing_location_day_cmp(const void *a, const void *b)
{
    const struct pg_location_day_delta *x = a;
    const struct pg_location_day_delta *y = b;
    if (x->location_row_id != y->location_row_id) {
        return x->location_row_id < y->location_row_id ? -1 : 1;
    }
    return x->day == y->day ? 0 : (x->day < y->day ? -1 : 1);
}

enum err_code pg_routing_batch_flush(struct store_conn *conn, struct err *err)
{
    ASSERT(conn != NULL);
    size_t count = 0;
    const struct pg_location_day_delta *rows =
        pg_batch_rows_take(&conn->location_days, sizeof(*rows), routing_location_day_cmp, &count);
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < count;) {
        const struct pg_location_day_delta *row = &rows[i];
        int64_t n = 0;
        size_t j = i;
        for (; j < count && routing_location_day_cmp(row, &rows[j]) == 0; j++) {
            n += rows[j].n;
        }
        code = routing_location_days_add(conn, row->location_row_id, row->day, n, err);
        i = j;
    }
    return code;
}

enum err_code pg_routing_shipments_since(struct store_conn *conn, int64_t location_row_id,
                                         int64_t since_ms, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    const int64_t params[2] = {location_row_id, since_ms};
    enum err_code code = routing_scalar(conn, &SQL_SHIPMENTS_SINCE, params, 2, out, err);
    if (code == ERR_OK) {
        *out += routing_location_day_pending(conn, location_row_id, routing_day(since_ms));
    }
    return code;
}

enum err_code pg_routing_capacity_require(struct store_conn *conn, int64_t location_row_id,
                                          int64_t since_ms, int64_t capacity, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer);
    const int64_t params[] = {
        location_row_id, since_ms, capacity,
        routing_location_day_pending(conn, location_row_id, routing_day(since_ms))};
    struct pg_query *stmt = NULL;
    enum err_code code =
        pg_stmt_i64(conn, &SQL_CAPACITY_REQUIRE, params, ARRAY_LEN(params), &stmt, err);
    return code == ERR_OK ? pg_run_later(conn, stmt, "capacity", err) : code;
}

static enum err_code routing_used_read(struct pg_row *row, void *item, struct err *err)
{
    struct routing_location_used *used = item;
    used->location_row_id = pg_col_i64(row);
    used->shipments = pg_col_i64(row);
    return pg_row_check(row, err);
}

static int routing_used_cmp(const void *a, const void *b)
{
    const struct routing_location_used *x = a;
    const struct routing_location_used *y = b;
    return x->location_row_id == y->location_row_id
               ? 0
               : (x->location_row_id < y->location_row_id ? -1 : 1);
}

/* Adds the batch's shipments kept for the commit to what routing_location_days said (a
 * location it had no row for is added); by location, as the statement orders them. */
static enum err_code routing_used_add_pending(const struct store_conn *conn, struct arena *arena,
                                              int64_t day, struct routing_location_used **used,
                                              size_t *count, struct err *err)
{
    const struct pg_location_day_delta *rows = conn->location_days.rows;
    size_t cap = *count + conn->location_days.count;
    struct routing_location_used *all = ARENA_NEW_ARRAY(arena, struct routing_location_used, cap);
    if (all == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (*count > 0) {
        memcpy(all, *used, *count * sizeof(*all));
    }
    size_t n = *count;
    for (size_t i = 0; i < conn->location_days.count; i++) {
        const struct pg_location_day_delta *d = &rows[i];
        if (d->day != day) {
            continue;
        }
        size_t k = 0;
        while (k < n && all[k].location_row_id != d->location_row_id) {
            k++;
        }
        if (k == n) {
            all[n++] = (struct routing_location_used){.location_row_id = d->location_row_id};
        }
        all[k].shipments += d->n;
    }
    qsort(all, n, sizeof(*all), routing_used_cmp);
    *used = all;
    *count = n;
    return ERR_OK;
}

enum err_code pg_shipments_since_all_bind(struct store_conn *conn, int64_t since_ms,
                                          struct pg_query **out, struct err *err)
{
    enum err_code code = pg_stmt(conn, &SQL_SHIPMENTS_SINCE_ALL, out, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, *out);
    pg_bind_i64(&bind, since_ms);
    return pg_bind_check(conn, &bind, "routing", err);
}

enum err_code pg_routing_shipments_since_all(struct store_conn *conn, struct arena *arena,
                                             int64_t since_ms, struct routing_location_used **out,
                                             size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_shipments_since_all_bind(conn, since_ms, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = routing_used_read,
                               .what = "routing",
                               .elem_size = sizeof(struct routing_location_used)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    if (code == ERR_OK && conn->location_days.count > 0) {
        code = routing_used_add_pending(conn, arena, routing_day(since_ms), out, count, err);
    }
    return code;
}

static enum err_code routing_hold_read(struct pg_row *row, void *item, struct err *err)
{
    struct routing_hold_back *hold = item;
    hold->channel = pg_col_text(row);
    hold->units = pg_col_i64(row);
    return pg_row_check(row, err);
}

enum err_code pg_routing_hold_back_list(struct store_conn *conn, struct arena *arena,
                                        struct routing_hold_back **out, size_t *count,
                                        struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_reader reader = {.arena = arena,
                               .read = routing_hold_read,
                               .what = "hold-back",
                               .elem_size = sizeof(struct routing_hold_back)};
    enum err_code code = routing_list(conn, &SQL_HOLD_LIST, &reader, err);
    *out = code == ERR_OK ? reader.items : NULL;
    *count = code == ERR_OK ? reader.count : 0;
    return code;
}

enum err_code pg_routing_hold_back_replace(struct store_conn *conn,
                                           const struct routing_hold_back *items, size_t count,
                                           struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(items != NULL || count == 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_HOLD_DELETE_ALL, &stmt, err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "hold-backs", err);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (items[i].units == 0) {
            continue; /* nothing held back */
        }
        code = pg_stmt(conn, &SQL_HOLD_INSERT, &stmt, err);
        if (code != ERR_OK) {
            break;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_text(&bind, items[i].channel);
        pg_bind_i64(&bind, items[i].units);
        code = pg_bind_check(conn, &bind, "hold-back", err);
        if (code == ERR_OK) {
            code = pg_run(conn, stmt, "hold-back", err);
        }
    }
    return code == ERR_OK ? routing_bump(conn, err) : code;
}

/* ---- ship-to-store transfers (migration 011; issue 3, round 2) ---------------------------- */

static const struct pg_sql SQL_TRANSFER_INSERT = {
    PGS_TRANSFER_INSERT,
    "INSERT INTO routing_transfers (shipment_id, order_id, from_id, to_id, ready_by, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"};
static const struct pg_sql SQL_TRANSFER_GET = {
    PGS_TRANSFER_GET,
    "SELECT t.shipment_id, t.order_id, t.from_id, f.code, t.to_id, d.code, t.ready_by,"
    " t.pickup_shipment_id, t.created_at, t.received_at FROM routing_transfers t"
    " JOIN locations f ON f.id = t.from_id JOIN locations d ON d.id = t.to_id"
    " WHERE t.shipment_id = $1"};
static const struct pg_sql SQL_TRANSFER_RECEIVED = {
    PGS_TRANSFER_RECEIVED, "UPDATE routing_transfers SET pickup_shipment_id = $2, received_at = $3"
                           " WHERE shipment_id = $1 AND received_at IS NULL"};

enum err_code pg_transfer_insert(struct store_conn *conn, const struct routing_transfer *transfer,
                                 struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer && transfer != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_TRANSFER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, transfer->shipment_id);
    pg_bind_text(&bind, transfer->order_id);
    pg_bind_i64(&bind, transfer->from_row_id);
    pg_bind_i64(&bind, transfer->to_row_id);
    pg_bind_i64(&bind, transfer->ready_by_ms);
    pg_bind_i64(&bind, transfer->created_at_ms);
    code = pg_bind_check(conn, &bind, "transfer", err);
    return code == ERR_OK ? pg_run(conn, stmt, "transfer", err) : code;
}

static enum err_code routing_transfer_read(struct pg_row *row, void *item, struct err *err)
{
    struct routing_transfer *t = item;
    t->shipment_id = pg_col_text(row);
    t->order_id = pg_col_text(row);
    t->from_row_id = pg_col_i64(row);
    t->from_code = pg_col_text(row);
    t->to_row_id = pg_col_i64(row);
    t->to_code = pg_col_text(row);
    t->ready_by_ms = pg_col_i64(row);
    t->pickup_shipment_id = pg_col_text(row);
    t->created_at_ms = pg_col_i64(row);
    t->received_at_ms = pg_col_i64(row);
    return pg_row_check(row, err);
}

enum err_code pg_transfer_get(struct store_conn *conn, struct arena *arena, const char *shipment_id,
                              struct routing_transfer *out, bool *found, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && shipment_id != NULL);
    ASSERT(out != NULL && found != NULL);
    memset(out, 0, sizeof(*out));
    *found = false;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_TRANSFER_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, shipment_id);
    code = pg_bind_check(conn, &bind, "transfer", err);
    struct pg_reader reader = {.arena = arena, .read = routing_transfer_read, .what = "transfer"};
    if (code == ERR_OK) {
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        return ERR_OK;
    }
    *found = code == ERR_OK;
    return code;
}

enum err_code pg_transfer_received(struct store_conn *conn, const char *shipment_id,
                                   const char *pickup_shipment_id, int64_t now_ms, struct err *err)
{
    ASSERT(conn != NULL && conn->is_writer && shipment_id != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_TRANSFER_RECEIVED, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, shipment_id);
    pg_bind_text(&bind, pickup_shipment_id);
    pg_bind_i64(&bind, now_ms);
    code = pg_bind_check(conn, &bind, "transfer receipt", err);
    return code == ERR_OK ? pg_run(conn, stmt, "transfer receipt", err) : code;
}

static const struct pg_sql SQL_SHIPMENTS_BUSY = {
    PGS_ROUTING_SHIPMENTS_BUSY,
    "SELECT count(*) FROM shipments WHERE location_id = $1 AND created_at >= $2"
    " AND status NOT IN ('pending', 'cancelled')"};

enum err_code pg_routing_shipments_busy(struct store_conn *conn, int64_t location_row_id,
                                        int64_t since_ms, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    const int64_t params[2] = {location_row_id, since_ms};
    return routing_scalar(conn, &SQL_SHIPMENTS_BUSY, params, 2, out, err);
}
