/*
 * pg_users.c — users of the web console, their sessions and the failed sign-ins the
 * lock-out counts (issue 8; 007_users.sql). Sessions are found by the hash of their id only.
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/auth.h"
#include "store/store.h"

/* ---- users ------------------------------------------------------------------------------- */

#define USER_COLUMNS                                                                               \
    "u.id, u.email, u.password_hash, u.role, u.scope_channel, u.scope_location,"                   \
    " u.scope_customer, u.created_at, u.disabled_at"

static const struct pg_sql SQL_USER_INSERT = {
    PGS_USER_INSERT,
    "INSERT INTO users (id, email, password_hash, role, scope_channel, scope_location,"
    " scope_customer, created_at, disabled_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
static const struct pg_sql SQL_USER_GET_BY_EMAIL = {
    PGS_USER_GET_BY_EMAIL, "SELECT " USER_COLUMNS " FROM users u WHERE u.email = $1"};

static enum err_code login_run(struct store_conn *conn, const struct pg_sql *sql, const char *text,
                               int64_t at_ms, struct err *err);

static enum err_code user_read(struct pg_row *row, void *item, struct err *err)
{
    struct user *user = item;
    user->id = pg_col_text(row);
    user->email = pg_col_text(row);
    user->password_hash = pg_col_text(row);
    const char *role = pg_col_text(row);
    if (role != NULL && !role_parse(role, &user->role)) {
        return pg_corrupt(err, "user role", role);
    }
    user->scope_channel = pg_col_text(row);
    user->scope_location = pg_col_text(row);
    user->scope_customer = pg_col_text(row);
    user->created_at_ms = pg_col_i64(row);
    user->disabled_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_user_insert(struct store_conn *conn, const struct user *user, struct err *err)
{
    ASSERT(conn != NULL && user != NULL);
    ASSERT(user->id != NULL && user->email != NULL && user->password_hash != NULL);
    ASSERT((int)user->role >= 0 && user->role < ROLE_COUNT);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_USER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, user->id);
    pg_bind_text(&bind, user->email);
    pg_bind_text(&bind, user->password_hash);
    pg_bind_text(&bind, role_name(user->role));
    pg_bind_text(&bind, user->scope_channel);
    pg_bind_text(&bind, user->scope_location);
    pg_bind_text(&bind, user->scope_customer);
    pg_bind_i64(&bind, user->created_at_ms);
    pg_bind_i64_or_null(&bind, user->disabled_at_ms);
    code = pg_bind_check(conn, &bind, "user", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "user", err);
}

enum err_code pg_user_get_by_email(struct store_conn *conn, struct arena *arena, const char *email,
                                   struct user *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(email != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_USER_GET_BY_EMAIL, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, email);
    code = pg_bind_check(conn, &bind, "user", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = user_read, .what = "user"}, out,
                       err);
}

/* ---- people management (web console round 2) -------------------------------------------- */

static const struct pg_sql SQL_USER_GET = {PGS_USER_GET,
                                           "SELECT " USER_COLUMNS " FROM users u WHERE u.id = $1"};
static const struct pg_sql SQL_USER_LIST = {
    PGS_USER_LIST,
    "SELECT " USER_COLUMNS " FROM users u WHERE u.email > $1 ORDER BY u.email LIMIT $2"};
static const struct pg_sql SQL_USER_UPDATE = {
    PGS_USER_UPDATE, "UPDATE users SET role = $2, scope_channel = $3, scope_location = $4,"
                     " scope_customer = $5, password_hash = $6, disabled_at = $7 WHERE id = $1"};
static const struct pg_sql SQL_SESSION_DELETE_USER = {PGS_SESSION_DELETE_USER,
                                                      "DELETE FROM sessions WHERE user_id = $1"};

enum err_code pg_user_get(struct store_conn *conn, struct arena *arena, const char *id,
                          struct user *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_USER_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, id);
    code = pg_bind_check(conn, &bind, "user", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = user_read, .what = "user"}, out,
                       err);
}

enum err_code pg_user_list(struct store_conn *conn, struct arena *arena,
                           const struct user_page *page, struct user **out, size_t *count,
                           struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(page != NULL && page->limit > 0);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_USER_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, page->after_email != NULL ? page->after_email : "");
    pg_bind_i64(&bind, page->limit > INT64_MAX ? INT64_MAX : (int64_t)page->limit);
    code = pg_bind_check(conn, &bind, "user list", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {
        .arena = arena, .read = user_read, .what = "user", .elem_size = sizeof(struct user)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_user_update(struct store_conn *conn, const struct user *user, struct err *err)
{
    ASSERT(conn != NULL && user != NULL);
    ASSERT(user->id != NULL && user->password_hash != NULL);
    ASSERT((int)user->role >= 0 && user->role < ROLE_COUNT);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_USER_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, user->id);
    pg_bind_text(&bind, role_name(user->role));
    pg_bind_text(&bind, user->scope_channel);
    pg_bind_text(&bind, user->scope_location);
    pg_bind_text(&bind, user->scope_customer);
    pg_bind_text(&bind, user->password_hash);
    pg_bind_i64_or_null(&bind, user->disabled_at_ms);
    code = pg_bind_check(conn, &bind, "user", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "user", err);
}

enum err_code pg_session_delete_user(struct store_conn *conn, const char *user_id, struct err *err)
{
    ASSERT(conn != NULL && user_id != NULL);
    return login_run(conn, &SQL_SESSION_DELETE_USER, user_id, 0, err);
}

/* ---- sessions ---------------------------------------------------------------------------- */

static const struct pg_sql SQL_SESSION_INSERT = {
    PGS_SESSION_INSERT,
    "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, expires_at)"
    " VALUES ($1, $2, $3, $4, $5)"};
static const struct pg_sql SQL_SESSION_GET = {
    PGS_SESSION_GET, "SELECT s.user_id, s.csrf_token, s.created_at, s.expires_at, " USER_COLUMNS
                     " FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"};
static const struct pg_sql SQL_SESSION_DELETE = {PGS_SESSION_DELETE,
                                                 "DELETE FROM sessions WHERE id_hash = $1"};
static const struct pg_sql SQL_SESSION_PURGE = {PGS_SESSION_PURGE,
                                                "DELETE FROM sessions WHERE expires_at < $1"};

struct session_row {
    struct session *session;
    struct user *user;
};

static enum err_code session_read(struct pg_row *row, void *item, struct err *err)
{
    struct session_row *out = item;
    out->session->user_id = pg_col_text(row);
    out->session->csrf_token = pg_col_text(row);
    out->session->created_at_ms = pg_col_i64(row);
    out->session->expires_at_ms = pg_col_i64(row);
    return user_read(row, out->user, err);
}

enum err_code pg_session_insert(struct store_conn *conn, const struct session *session,
                                struct err *err)
{
    ASSERT(conn != NULL && session != NULL);
    ASSERT(session->user_id != NULL && session->csrf_token != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SESSION_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_blob(&bind, session->id_hash, sizeof(session->id_hash));
    pg_bind_text(&bind, session->user_id);
    pg_bind_text(&bind, session->csrf_token);
    pg_bind_i64(&bind, session->created_at_ms);
    pg_bind_i64(&bind, session->expires_at_ms);
    code = pg_bind_check(conn, &bind, "session", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "session", err);
}

enum err_code pg_session_get(struct store_conn *conn, struct arena *arena,
                             const unsigned char id_hash[ID_HASH_BYTES], struct session *out,
                             struct user *user, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id_hash != NULL && out != NULL && user != NULL);
    memset(out, 0, sizeof(*out));
    memset(user, 0, sizeof(*user));
    memcpy(out->id_hash, id_hash, ID_HASH_BYTES);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_SESSION_GET, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_blob(&bind, id_hash, ID_HASH_BYTES);
    code = pg_bind_check(conn, &bind, "session", err);
    if (code != ERR_OK) {
        return code;
    }
    struct session_row row = {.session = out, .user = user};
    return pg_read_one(conn, stmt,
                       &(struct pg_reader){.arena = arena, .read = session_read, .what = "session"},
                       &row, err);
}

/* Runs a statement whose one parameter is a session hash or a time. */
static enum err_code session_delete_by(struct store_conn *conn, const struct pg_sql *sql,
                                       const unsigned char *id_hash, int64_t before_ms,
                                       struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    if (id_hash != NULL) {
        pg_bind_blob(&bind, id_hash, ID_HASH_BYTES);
    } else {
        pg_bind_i64(&bind, before_ms);
    }
    code = pg_bind_check(conn, &bind, "session delete", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "session delete", err);
}

enum err_code pg_session_delete(struct store_conn *conn, const unsigned char id_hash[ID_HASH_BYTES],
                                struct err *err)
{
    ASSERT(conn != NULL && id_hash != NULL);
    return session_delete_by(conn, &SQL_SESSION_DELETE, id_hash, 0, err);
}

enum err_code pg_session_purge(struct store_conn *conn, int64_t before_ms, struct err *err)
{
    ASSERT(conn != NULL);
    return session_delete_by(conn, &SQL_SESSION_PURGE, NULL, before_ms, err);
}

/* ---- failed sign-ins --------------------------------------------------------------------- */

static const struct pg_sql SQL_LOGIN_FAILURE_ADD = {
    PGS_LOGIN_FAILURE_ADD, "INSERT INTO login_failures (email, at) VALUES ($1, $2)"};
static const struct pg_sql SQL_LOGIN_FAILURE_FORGET = {PGS_LOGIN_FAILURE_FORGET,
                                                       "DELETE FROM login_failures WHERE at < $1"};
static const struct pg_sql SQL_LOGIN_FAILURE_COUNT = {
    PGS_LOGIN_FAILURE_COUNT,
    "SELECT count(*), coalesce(min(at), 0) FROM login_failures WHERE email = $1 AND at >= $2"};
static const struct pg_sql SQL_LOGIN_FAILURE_CLEAR = {
    PGS_LOGIN_FAILURE_CLEAR, "DELETE FROM login_failures WHERE email = $1"};

/* Binds text (or, when NULL, the time) and runs a statement that returns no row. */
static enum err_code login_run(struct store_conn *conn, const struct pg_sql *sql, const char *text,
                               int64_t at_ms, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    if (text != NULL) {
        pg_bind_text(&bind, text);
    }
    if (sql->id == PGS_LOGIN_FAILURE_ADD || text == NULL) {
        pg_bind_i64(&bind, at_ms);
    }
    code = pg_bind_check(conn, &bind, "sign-in failures", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "sign-in failures", err);
}

enum err_code pg_login_failure_add(struct store_conn *conn, const char *email, int64_t at_ms,
                                   int64_t forget_before_ms, struct err *err)
{
    ASSERT(conn != NULL && email != NULL);
    enum err_code code = login_run(conn, &SQL_LOGIN_FAILURE_FORGET, NULL, forget_before_ms, err);
    if (code != ERR_OK) {
        return code;
    }
    return login_run(conn, &SQL_LOGIN_FAILURE_ADD, email, at_ms, err);
}

enum err_code pg_login_failures_clear(struct store_conn *conn, const char *email, struct err *err)
{
    ASSERT(conn != NULL && email != NULL);
    return login_run(conn, &SQL_LOGIN_FAILURE_CLEAR, email, 0, err);
}

struct login_count {
    int64_t count;
    int64_t oldest_ms;
};

static enum err_code login_count_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct login_count *out = item;
    out->count = pg_col_i64(row);
    out->oldest_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_login_failures_count(struct store_conn *conn, const char *email, int64_t since_ms,
                                      int64_t *count, int64_t *oldest_ms, struct err *err)
{
    ASSERT(conn != NULL && email != NULL);
    ASSERT(count != NULL && oldest_ms != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LOGIN_FAILURE_COUNT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, email);
    pg_bind_i64(&bind, since_ms);
    code = pg_bind_check(conn, &bind, "sign-in failures", err);
    if (code != ERR_OK) {
        return code;
    }
    struct login_count out = {0, 0};
    code = pg_read_one(
        conn, stmt,
        &(struct pg_reader){.arena = NULL, .read = login_count_read, .what = "sign-in failures"},
        &out, err);
    *count = out.count;
    *oldest_ms = out.oldest_ms;
    return code;
}
