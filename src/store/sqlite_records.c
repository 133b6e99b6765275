/*
 * sqlite_records.c — the small records of the SQLite backend: channels, the event outbox,
 * idempotency records and API keys. Each is written once and read by key; none is updated
 * here (events are marked delivered by the relay, keys revoked by a later issue).
 */
#include "store/sqlite_int.h"

#include <string.h>

#include <sqlite3.h>

#include "core/auth.h"
#include "store/store.h"

/* ---- channels ---------------------------------------------------------------------------- */

static const struct sq_sql SQL_CHANNEL_INSERT = {
    SQ_CHANNEL_INSERT,
    "INSERT INTO channels (code, kind, name, created_at) VALUES (?1, ?2, ?3, ?4)"};
static const struct sq_sql SQL_CHANNEL_GET = {
    SQ_CHANNEL_GET, "SELECT code, kind, name, created_at FROM channels WHERE code = ?1"};
static const struct sq_sql SQL_CHANNEL_LIST = {
    SQ_CHANNEL_LIST, "SELECT code, kind, name, created_at FROM channels ORDER BY code"};

static enum err_code channel_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct channel *channel = item;
    channel->code = sq_col_text(row);
    channel->kind = sq_col_text(row);
    channel->name = sq_col_text(row);
    channel->created_at_ms = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_channel_insert(struct store_conn *conn, const struct channel *channel,
                                    struct err *err)
{
    ASSERT(conn != NULL && channel != NULL);
    ASSERT(channel->code != NULL && channel->kind != NULL && channel->name != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_CHANNEL_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, channel->code);
    sq_bind_text(&bind, channel->kind);
    sq_bind_text(&bind, channel->name);
    sq_bind_i64(&bind, channel->created_at_ms);
    code = sq_bind_check(conn, &bind, "channel", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "channel", err);
}

enum err_code sqlite_channel_get(struct store_conn *conn, struct arena *arena, const char *code,
                                 struct channel *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(code != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code result = sq_stmt(conn, &SQL_CHANNEL_GET, &stmt, err);
    if (result != ERR_OK) {
        return result;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, code);
    result = sq_bind_check(conn, &bind, "channel", err);
    if (result != ERR_OK) {
        return result;
    }
    return sq_read_one(conn, stmt,
                       &(struct sq_reader){.arena = arena, .read = channel_read, .what = "channel"},
                       out, err);
}

enum err_code sqlite_channel_list(struct store_conn *conn, struct arena *arena,
                                  struct channel **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_CHANNEL_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {.arena = arena,
                               .read = channel_read,
                               .what = "channel",
                               .elem_size = sizeof(struct channel)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* ---- events ------------------------------------------------------------------------------ */

static const struct sq_sql SQL_EVENT_INSERT = {
    SQ_EVENT_INSERT, "INSERT INTO events (entity_type, entity_id, kind, data, created_at)"
                     " VALUES (?1, ?2, ?3, ?4, ?5)"};
static const struct sq_sql SQL_EVENT_LIST = {
    SQ_EVENT_LIST, "SELECT id, entity_type, entity_id, kind, data, created_at FROM events"
                   " WHERE entity_type = ?1 AND entity_id = ?2 ORDER BY id LIMIT ?3"};

static enum err_code event_read(struct sq_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct event *event = item;
    event->row_id = sq_col_i64(row);
    event->entity_type = sq_col_text(row);
    event->entity_id = sq_col_text(row);
    event->kind = sq_col_text(row);
    event->data_json = sq_col_text(row);
    event->created_at_ms = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_event_insert(struct store_conn *conn, struct event *event, struct err *err)
{
    ASSERT(conn != NULL && event != NULL);
    ASSERT(event->entity_type != NULL && event->entity_id != NULL && event->kind != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_EVENT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, event->entity_type);
    sq_bind_text(&bind, event->entity_id);
    sq_bind_text(&bind, event->kind);
    sq_bind_text(&bind, event->data_json != NULL ? event->data_json : "{}");
    sq_bind_i64(&bind, event->created_at_ms);
    code = sq_bind_check(conn, &bind, "event", err);
    if (code != ERR_OK) {
        return code;
    }
    event->row_id = 0; /* not read back (store.h) */
    return sq_run(conn, stmt, "event", err);
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code sqlite_event_list(struct store_conn *conn, struct arena *arena,
                                const char *entity_type, const char *entity_id, size_t limit,
                                struct event **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(entity_type != NULL && entity_id != NULL && out != NULL && count != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_EVENT_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, entity_type);
    sq_bind_text(&bind, entity_id);
    sq_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = sq_bind_check(conn, &bind, "event", err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_reader reader = {
        .arena = arena, .read = event_read, .what = "event", .elem_size = sizeof(struct event)};
    code = sq_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* ---- idempotency ------------------------------------------------------------------------- */

static const struct sq_sql SQL_IDEMPOTENCY_GET = {
    SQ_IDEMPOTENCY_GET, "SELECT scope, key, request_hash, status, body, created_at FROM idempotency"
                        " WHERE scope = ?1 AND key = ?2"};
static const struct sq_sql SQL_IDEMPOTENCY_INSERT = {
    SQ_IDEMPOTENCY_INSERT,
    "INSERT INTO idempotency (scope, key, request_hash, status, body, created_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6)"};

/* Records are inserted in time order, so the oldest rowids are the oldest records. */
static const struct sq_sql SQL_IDEMPOTENCY_PURGE = {
    SQ_IDEMPOTENCY_PURGE,
    "DELETE FROM idempotency WHERE rowid IN (SELECT rowid FROM idempotency WHERE created_at < ?1"
    " ORDER BY rowid LIMIT ?2)"};

static enum err_code idempotency_read(struct sq_row *row, void *item, struct err *err)
{
    struct idempotency_record *record = item;
    record->scope = sq_col_text(row);
    record->key = sq_col_text(row);
    if (!sq_col_blob(row, record->request_hash, sizeof(record->request_hash))) {
        return sq_corrupt(err, "idempotency request hash", record->key);
    }
    record->status = sq_col_int(row);
    record->body = sq_col_text(row);
    record->created_at_ms = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_idempotency_get(struct store_conn *conn, struct arena *arena,
                                     const char *scope, const char *key,
                                     struct idempotency_record *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(scope != NULL && key != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_IDEMPOTENCY_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, scope);
    sq_bind_text(&bind, key);
    code = sq_bind_check(conn, &bind, "idempotency key", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_read_one(
        conn, stmt,
        &(struct sq_reader){.arena = arena, .read = idempotency_read, .what = "idempotency key"},
        out, err);
}

enum err_code sqlite_idempotency_insert(struct store_conn *conn,
                                        const struct idempotency_record *record, struct err *err)
{
    ASSERT(conn != NULL && record != NULL);
    ASSERT(record->scope != NULL && record->key != NULL);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_IDEMPOTENCY_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, record->scope);
    sq_bind_text(&bind, record->key);
    sq_bind_blob(&bind, record->request_hash, sizeof(record->request_hash));
    sq_bind_i64(&bind, record->status);
    sq_bind_text(&bind, record->body != NULL ? record->body : "");
    sq_bind_i64(&bind, record->created_at_ms);
    code = sq_bind_check(conn, &bind, "idempotency key", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "idempotency key", err);
}

enum err_code sqlite_idempotency_purge(struct store_conn *conn, int64_t before_ms, size_t limit,
                                       size_t *deleted, struct err *err)
{
    ASSERT(conn != NULL && deleted != NULL);
    ASSERT(limit > 0);
    *deleted = 0;
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_IDEMPOTENCY_PURGE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_i64(&bind, before_ms);
    sq_bind_i64(&bind, (int64_t)limit);
    code = sq_bind_check(conn, &bind, "idempotency purge", err);
    if (code == ERR_OK) {
        code = sq_run(conn, stmt, "idempotency purge", err);
    }
    if (code == ERR_OK) {
        *deleted = (size_t)sqlite3_changes(conn->db);
    }
    return code;
}

/* ---- API keys ---------------------------------------------------------------------------- */

static const struct sq_sql SQL_API_KEY_INSERT = {
    SQ_API_KEY_INSERT,
    "INSERT INTO api_keys (id, prefix, secret_hash, role, scope_channel, scope_location,"
    " scope_customer, name, created_at, revoked_at)"
    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"};
static const struct sq_sql SQL_API_KEY_GET_BY_PREFIX = {
    SQ_API_KEY_GET_BY_PREFIX,
    "SELECT id, prefix, secret_hash, role, scope_channel, scope_location, scope_customer, name,"
    " created_at, revoked_at FROM api_keys WHERE prefix = ?1"};

static enum err_code api_key_read(struct sq_row *row, void *item, struct err *err)
{
    struct api_key *key = item;
    key->id = sq_col_text(row);
    key->prefix = sq_col_text(row);
    if (!sq_col_blob(row, key->secret_hash, sizeof(key->secret_hash))) {
        return sq_corrupt(err, "API key hash", key->id);
    }
    const char *role = sq_col_text(row);
    if (role != NULL && !role_parse(role, &key->role)) {
        return sq_corrupt(err, "API key role", role);
    }
    key->scope_channel = sq_col_text(row);
    key->scope_location = sq_col_text(row);
    key->scope_customer = sq_col_text(row);
    key->name = sq_col_text(row);
    key->created_at_ms = sq_col_i64(row);
    key->revoked_at_ms = sq_col_i64(row);
    return ERR_OK;
}

enum err_code sqlite_api_key_insert(struct store_conn *conn, const struct api_key *key,
                                    struct err *err)
{
    ASSERT(conn != NULL && key != NULL);
    ASSERT(key->id != NULL && key->prefix != NULL);
    ASSERT((int)key->role >= 0 && key->role < ROLE_COUNT);
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_API_KEY_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, key->id);
    sq_bind_text(&bind, key->prefix);
    sq_bind_blob(&bind, key->secret_hash, sizeof(key->secret_hash));
    sq_bind_text(&bind, role_name(key->role));
    sq_bind_text(&bind, key->scope_channel);
    sq_bind_text(&bind, key->scope_location);
    sq_bind_text(&bind, key->scope_customer);
    sq_bind_text(&bind, key->name);
    sq_bind_i64(&bind, key->created_at_ms);
    sq_bind_i64_or_null(&bind, key->revoked_at_ms);
    code = sq_bind_check(conn, &bind, "API key", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_run(conn, stmt, "API key", err);
}

enum err_code sqlite_api_key_get_by_prefix(struct store_conn *conn, struct arena *arena,
                                           const char *prefix, struct api_key *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(prefix != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, &SQL_API_KEY_GET_BY_PREFIX, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_text(&bind, prefix);
    code = sq_bind_check(conn, &bind, "API key", err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_read_one(conn, stmt,
                       &(struct sq_reader){.arena = arena, .read = api_key_read, .what = "API key"},
                       out, err);
}
