/*
 * pg_records.c — the small records of the PostgreSQL backend: channels, the event outbox,
 * idempotency records and API keys. Each is written once and read by key; none is updated
 * here (events are marked delivered by the relay, keys revoked by a later issue).
 *
 * The twin of sqlite_records.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/auth.h"
#include "store/store.h"

/* ---- channels ---------------------------------------------------------------------------- */

static const struct pg_sql SQL_CHANNEL_INSERT = {
    PGS_CHANNEL_INSERT,
    "INSERT INTO channels (code, kind, name, created_at) VALUES ($1, $2, $3, $4)"};
static const struct pg_sql SQL_CHANNEL_GET = {
    PGS_CHANNEL_GET, "SELECT code, kind, name, created_at FROM channels WHERE code = $1"};
static const struct pg_sql SQL_CHANNEL_LIST = {
    PGS_CHANNEL_LIST, "SELECT code, kind, name, created_at FROM channels ORDER BY code"};

static enum err_code channel_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct channel *channel = item;
    channel->code = pg_col_text(row);
    channel->kind = pg_col_text(row);
    channel->name = pg_col_text(row);
    channel->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_channel_insert(struct store_conn *conn, const struct channel *channel,
                                struct err *err)
{
    ASSERT(conn != NULL && channel != NULL);
    ASSERT(channel->code != NULL && channel->kind != NULL && channel->name != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_CHANNEL_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, channel->code);
    pg_bind_text(&bind, channel->kind);
    pg_bind_text(&bind, channel->name);
    pg_bind_i64(&bind, channel->created_at_ms);
    code = pg_bind_check(conn, &bind, "channel", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "channel", err);
}

enum err_code pg_channel_get(struct store_conn *conn, struct arena *arena, const char *code,
                             struct channel *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(code != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code result = pg_stmt(conn, &SQL_CHANNEL_GET, &stmt, err);
    if (result != ERR_OK) {
        return result;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, code);
    result = pg_bind_check(conn, &bind, "channel", err);
    if (result != ERR_OK) {
        return result;
    }
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = channel_read, .what = "channel"},
                       out, err);
}

enum err_code pg_channel_list(struct store_conn *conn, struct arena *arena, struct channel **out,
                              size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_CHANNEL_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = channel_read,
                               .what = "channel",
                               .elem_size = sizeof(struct channel)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* ---- events ------------------------------------------------------------------------------ */

static const struct pg_sql SQL_EVENT_INSERT = {
    PGS_EVENT_INSERT, "INSERT INTO events (entity_type, entity_id, kind, data, created_at)"
                      " VALUES ($1, $2, $3, $4, $5) RETURNING id"};
static const struct pg_sql SQL_EVENT_LIST = {
    PGS_EVENT_LIST, "SELECT id, entity_type, entity_id, kind, data, created_at FROM events"
                    " WHERE entity_type = $1 AND entity_id = $2 ORDER BY id LIMIT $3"};

static enum err_code event_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct event *event = item;
    event->row_id = pg_col_i64(row);
    event->entity_type = pg_col_text(row);
    event->entity_id = pg_col_text(row);
    event->kind = pg_col_text(row);
    event->data_json = pg_col_text(row);
    event->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_event_insert(struct store_conn *conn, struct event *event, struct err *err)
{
    ASSERT(conn != NULL && event != NULL);
    ASSERT(event->entity_type != NULL && event->entity_id != NULL && event->kind != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_EVENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, event->entity_type);
    pg_bind_text(&bind, event->entity_id);
    pg_bind_text(&bind, event->kind);
    pg_bind_text(&bind, event->data_json != NULL ? event->data_json : "{}");
    pg_bind_i64(&bind, event->created_at_ms);
    code = pg_bind_check(conn, &bind, "event", err);
    if (code != ERR_OK) {
        return code;
    }
    event->row_id = 0; /* not read back (store.h) */
    return pg_run_later(conn, stmt, "event", err);
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code pg_event_list(struct store_conn *conn, struct arena *arena, const char *entity_type,
                            const char *entity_id, size_t limit, struct event **out, size_t *count,
                            struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(entity_type != NULL && entity_id != NULL && out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_EVENT_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, entity_type);
    pg_bind_text(&bind, entity_id);
    pg_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = pg_bind_check(conn, &bind, "event", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {
        .arena = arena, .read = event_read, .what = "event", .elem_size = sizeof(struct event)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* ---- idempotency ------------------------------------------------------------------------- */

static const struct pg_sql SQL_IDEMPOTENCY_GET = {
    PGS_IDEMPOTENCY_GET,
    "SELECT scope, key, request_hash, status, body, created_at FROM idempotency"
    " WHERE scope = $1 AND key = $2"};
static const struct pg_sql SQL_IDEMPOTENCY_INSERT = {
    PGS_IDEMPOTENCY_INSERT,
    "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at)"
    " VALUES ($1, $2, $3, $4, $5, $6)"};

/* Records are inserted in time order, so the oldest ids are the oldest records. */
static const struct pg_sql SQL_IDEMPOTENCY_PURGE = {
    PGS_IDEMPOTENCY_PURGE,
    "DELETE FROM idempotency WHERE id IN (SELECT id FROM idempotency WHERE created_at < $1"
    " ORDER BY id LIMIT $2)"};

static enum err_code idempotency_read(struct pg_row *row, void *item, struct err *err)
{
    struct idempotency_record *record = item;
    record->scope = pg_col_text(row);
    record->key = pg_col_text(row);
    if (!pg_col_blob(row, record->request_hash, sizeof(record->request_hash))) {
        return pg_corrupt(err, "idempotency request hash", record->key);
    }
    record->status = pg_col_int(row);
    record->body = pg_col_text(row);
    record->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_idempotency_get(struct store_conn *conn, struct arena *arena, const char *scope,
                                 const char *key, struct idempotency_record *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(scope != NULL && key != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_IDEMPOTENCY_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, scope);
    pg_bind_text(&bind, key);
    code = pg_bind_check(conn, &bind, "idempotency key", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(
        conn, stmt,
        &(struct pg_reader){.arena = arena, .read = idempotency_read, .what = "idempotency key"},
        out, err);
}

enum err_code pg_idempotency_insert(struct store_conn *conn,
                                    const struct idempotency_record *record, struct err *err)
{
    ASSERT(conn != NULL && record != NULL);
    ASSERT(record->scope != NULL && record->key != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_IDEMPOTENCY_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, record->scope);
    pg_bind_text(&bind, record->key);
    pg_bind_blob(&bind, record->request_hash, sizeof(record->request_hash));
    pg_bind_i64(&bind, record->status);
    pg_bind_text(&bind, record->body != NULL ? record->body : "");
    pg_bind_i64(&bind, record->created_at_ms);
    code = pg_bind_check(conn, &bind, "idempotency key", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "idempotency key", err);
}

enum err_code pg_idempotency_purge(struct store_conn *conn, int64_t before_ms, size_t limit,
                                   size_t *deleted, struct err *err)
{
    ASSERT(conn != NULL && deleted != NULL);
    ASSERT(limit > 0);
    *deleted = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_IDEMPOTENCY_PURGE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, before_ms);
    pg_bind_i64(&bind, (int64_t)limit);
    code = pg_bind_check(conn, &bind, "idempotency purge", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "idempotency purge", err);
    }
    if (code == ERR_OK) {
        *deleted = (size_t)pg_changes(conn);
    }
    return code;
}

/* ---- API keys ---------------------------------------------------------------------------- */

static const struct pg_sql SQL_API_KEY_INSERT = {
    PGS_API_KEY_INSERT,
    "INSERT INTO api_keys (id, prefix, secret_hash, role, scope_channel, scope_location,"
    " scope_customer, name, created_at, revoked_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"};
static const struct pg_sql SQL_API_KEY_GET_BY_PREFIX = {
    PGS_API_KEY_GET_BY_PREFIX,
    "SELECT id, prefix, secret_hash, role, scope_channel, scope_location, scope_customer, name,"
    " created_at, revoked_at FROM api_keys WHERE prefix = $1"};

static enum err_code api_key_read(struct pg_row *row, void *item, struct err *err)
{
    struct api_key *key = item;
    key->id = pg_col_text(row);
    key->prefix = pg_col_text(row);
    if (!pg_col_blob(row, key->secret_hash, sizeof(key->secret_hash))) {
        return pg_corrupt(err, "API key hash", key->id);
    }
    const char *role = pg_col_text(row);
    if (role != NULL && !role_parse(role, &key->role)) {
        return pg_corrupt(err, "API key role", role);
    }
    key->scope_channel = pg_col_text(row);
    key->scope_location = pg_col_text(row);
    key->scope_customer = pg_col_text(row);
    key->name = pg_col_text(row);
    key->created_at_ms = pg_col_i64(row);
    key->revoked_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_api_key_insert(struct store_conn *conn, const struct api_key *key, struct err *err)
{
    ASSERT(conn != NULL && key != NULL);
    ASSERT(key->id != NULL && key->prefix != NULL);
    ASSERT((int)key->role >= 0 && key->role < ROLE_COUNT);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_API_KEY_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, key->id);
    pg_bind_text(&bind, key->prefix);
    pg_bind_blob(&bind, key->secret_hash, sizeof(key->secret_hash));
    pg_bind_text(&bind, role_name(key->role));
    pg_bind_text(&bind, key->scope_channel);
    pg_bind_text(&bind, key->scope_location);
    pg_bind_text(&bind, key->scope_customer);
    pg_bind_text(&bind, key->name);
    pg_bind_i64(&bind, key->created_at_ms);
    pg_bind_i64_or_null(&bind, key->revoked_at_ms);
    code = pg_bind_check(conn, &bind, "API key", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "API key", err);
}

enum err_code pg_api_key_get_by_prefix(struct store_conn *conn, struct arena *arena,
                                       const char *prefix, struct api_key *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(prefix != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_API_KEY_GET_BY_PREFIX, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, prefix);
    code = pg_bind_check(conn, &bind, "API key", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = api_key_read, .what = "API key"},
                       out, err);
}
