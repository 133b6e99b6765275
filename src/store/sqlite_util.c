/*
 * sqlite_util.c — the SQLite backend's plumbing: the per-connection statement cache, the
 * mapping of SQLite failures to enum err_code, and helpers that bind parameters and read
 * columns in order so that each entity's code is a list of fields. No SQL of its own.
 */
#include "store/sqlite_int.h"

#include <limits.h>
#include <string.h>

#include <sqlite3.h>

enum err_code sq_stmt(struct store_conn *conn, const struct sq_sql *sql, sqlite3_stmt **out,
                      struct err *err)
{
    ASSERT(conn != NULL && conn->db != NULL);
    ASSERT(sql != NULL && (int)sql->id >= 0 && sql->id < SQ_STMT_COUNT);
    enum sq_stmt id = sql->id;
    if (conn->stmts[id] != NULL) {
        ASSERT(conn->texts[id] == sql->text); /* one id, one statement text */
        *out = conn->stmts[id];
        return ERR_OK;
    }
    sqlite3_stmt *stmt = NULL;
    int rc = sqlite3_prepare_v3(conn->db, sql->text, -1, SQLITE_PREPARE_PERSISTENT, &stmt, NULL);
    if (rc != SQLITE_OK) {
        return err_set(err, ERR_STORE, NULL, "store could not prepare a statement: %s",
                       sqlite3_errmsg(conn->db));
    }
    ASSERT(stmt != NULL);
    conn->stmts[id] = stmt;
    conn->texts[id] = sql->text;
    *out = stmt;
    return ERR_OK;
}

void sq_done(sqlite3_stmt *stmt)
{
    ASSERT(stmt != NULL);
    /* reset repeats the last step's error, which was already reported. */
    (void)sqlite3_reset(stmt);
    (void)sqlite3_clear_bindings(stmt);
}

enum err_code sq_fail(struct store_conn *conn, int rc, const char *what, struct err *err)
{
    ASSERT(conn != NULL && what != NULL);
    ASSERT(rc != SQLITE_OK && rc != SQLITE_ROW && rc != SQLITE_DONE);
    int extended = sqlite3_extended_errcode(conn->db);
    if (extended == SQLITE_CONSTRAINT_UNIQUE || extended == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return err_set(err, ERR_CONFLICT, NULL, "%s already exists", what);
    }
    if (extended == SQLITE_CONSTRAINT_FOREIGNKEY) {
        return err_set(err, ERR_NOT_FOUND, NULL, "%s refers to a row that does not exist", what);
    }
    return err_set(err, ERR_STORE, NULL, "store failed on %s: %s", what, sqlite3_errmsg(conn->db));
}

enum err_code sq_corrupt(struct err *err, const char *what, const char *value)
{
    ASSERT(what != NULL);
    return err_set(err, ERR_STORE, NULL, "store holds an unknown %s: %s", what,
                   value == NULL ? "(null)" : value);
}

enum err_code sq_step_done(struct store_conn *conn, sqlite3_stmt *stmt, const char *what,
                           struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(stmt != NULL);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_DONE) {
        return ERR_OK;
    }
    ASSERT(rc != SQLITE_ROW); /* a statement run for its effect returns no row */
    return sq_fail(conn, rc, what, err);
}

enum err_code sq_step_row(struct store_conn *conn, sqlite3_stmt *stmt, bool *has_row,
                          const char *what, struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(stmt != NULL && has_row != NULL);
    int rc = sqlite3_step(stmt);
    if (rc == SQLITE_ROW || rc == SQLITE_DONE) {
        *has_row = rc == SQLITE_ROW;
        return ERR_OK;
    }
    *has_row = false;
    return sq_fail(conn, rc, what, err);
}

void sq_bind_init(struct sq_bind *bind, sqlite3_stmt *stmt)
{
    ASSERT(bind != NULL);
    ASSERT(stmt != NULL);
    bind->stmt = stmt;
    bind->index = 0;
    bind->rc = SQLITE_OK;
}

static void bind_note(struct sq_bind *bind, int rc)
{
    if (bind->rc == SQLITE_OK) {
        bind->rc = rc;
    }
}

void sq_bind_text(struct sq_bind *bind, const char *text)
{
    ASSERT(bind != NULL);
    bind->index++;
    if (text == NULL) {
        bind_note(bind, sqlite3_bind_null(bind->stmt, bind->index));
        return;
    }
    bind_note(bind, sqlite3_bind_text(bind->stmt, bind->index, text, -1, SQLITE_STATIC));
}

void sq_bind_i64(struct sq_bind *bind, int64_t value)
{
    ASSERT(bind != NULL);
    bind->index++;
    bind_note(bind, sqlite3_bind_int64(bind->stmt, bind->index, value));
}

void sq_bind_i64_or_null(struct sq_bind *bind, int64_t value)
{
    if (value == 0) {
        sq_bind_null(bind);
        return;
    }
    sq_bind_i64(bind, value);
}

void sq_bind_bool(struct sq_bind *bind, bool value)
{
    sq_bind_i64(bind, value ? 1 : 0);
}

void sq_bind_double(struct sq_bind *bind, double value)
{
    ASSERT(bind != NULL);
    bind->index++;
    bind_note(bind, sqlite3_bind_double(bind->stmt, bind->index, value));
}

void sq_bind_null(struct sq_bind *bind)
{
    ASSERT(bind != NULL);
    bind->index++;
    bind_note(bind, sqlite3_bind_null(bind->stmt, bind->index));
}

void sq_bind_blob(struct sq_bind *bind, const void *data, size_t len)
{
    ASSERT(bind != NULL);
    ASSERT(data != NULL && len <= (size_t)INT_MAX);
    bind->index++;
    bind_note(bind, sqlite3_bind_blob(bind->stmt, bind->index, data, (int)len, SQLITE_STATIC));
}

void sq_bind_address(struct sq_bind *bind, const struct address *address)
{
    ASSERT(bind != NULL);
    ASSERT(address != NULL);
    if (!address->present) {
        for (int i = 0; i < 11; i++) {
            sq_bind_null(bind);
        }
        return;
    }
    sq_bind_text(bind, address->name);
    sq_bind_text(bind, address->company);
    sq_bind_text(bind, address->line1);
    sq_bind_text(bind, address->line2);
    sq_bind_text(bind, address->city);
    sq_bind_text(bind, address->region);
    sq_bind_text(bind, address->postal_code);
    sq_bind_text(bind, address->country);
    sq_bind_text(bind, address->phone);
    if (address->has_coords) {
        sq_bind_double(bind, address->lat);
        sq_bind_double(bind, address->lon);
    } else {
        sq_bind_null(bind);
        sq_bind_null(bind);
    }
}

enum err_code sq_bind_check(struct store_conn *conn, const struct sq_bind *bind, const char *what,
                            struct err *err)
{
    ASSERT(conn != NULL && bind != NULL);
    /* Every parameter of the statement was bound, in order: a mismatch is a bug here. */
    ASSERT(bind->index == sqlite3_bind_parameter_count(bind->stmt));
    if (bind->rc != SQLITE_OK) {
        sq_done(bind->stmt);
        return err_set(err, ERR_STORE, NULL, "store could not bind %s: %s", what,
                       sqlite3_errstr(bind->rc));
    }
    return ERR_OK;
}

void sq_row_init(struct sq_row *row, sqlite3_stmt *stmt, struct arena *arena)
{
    ASSERT(row != NULL);
    ASSERT(stmt != NULL);
    row->stmt = stmt;
    row->arena = arena;
    row->index = 0;
    row->arena_full = false;
}

const char *sq_col_text(struct sq_row *row)
{
    ASSERT(row != NULL && row->arena != NULL);
    int i = row->index++;
    if (sqlite3_column_type(row->stmt, i) == SQLITE_NULL) {
        return NULL;
    }
    const unsigned char *text = sqlite3_column_text(row->stmt, i);
    int bytes = sqlite3_column_bytes(row->stmt, i);
    char *copy = NULL;
    if (text != NULL && bytes >= 0) {
        copy = arena_strndup(row->arena, (const char *)text, (size_t)bytes);
    }
    if (copy == NULL) {
        row->arena_full = true;
    }
    return copy;
}

int64_t sq_col_i64(struct sq_row *row)
{
    ASSERT(row != NULL);
    return sqlite3_column_int64(row->stmt, row->index++);
}

int sq_col_int(struct sq_row *row)
{
    int64_t value = sq_col_i64(row);
    if (value > INT_MAX) {
        return INT_MAX;
    }
    if (value < INT_MIN) {
        return INT_MIN;
    }
    return (int)value;
}

bool sq_col_bool(struct sq_row *row)
{
    return sq_col_i64(row) != 0;
}

double sq_col_double(struct sq_row *row, double if_null)
{
    ASSERT(row != NULL);
    int i = row->index++;
    if (sqlite3_column_type(row->stmt, i) == SQLITE_NULL) {
        return if_null;
    }
    return sqlite3_column_double(row->stmt, i);
}

bool sq_col_is_null(const struct sq_row *row)
{
    ASSERT(row != NULL);
    return sqlite3_column_type(row->stmt, row->index) == SQLITE_NULL;
}

void sq_col_skip(struct sq_row *row)
{
    ASSERT(row != NULL);
    row->index++;
}

const unsigned char *sq_col_bytes(struct sq_row *row, size_t *len)
{
    ASSERT(row != NULL && row->arena != NULL);
    ASSERT(len != NULL);
    int i = row->index++;
    *len = 0;
    if (sqlite3_column_type(row->stmt, i) == SQLITE_NULL) {
        return NULL;
    }
    const void *bytes = sqlite3_column_blob(row->stmt, i); /* text too, as it is stored */
    int count = sqlite3_column_bytes(row->stmt, i);
    unsigned char *copy = count >= 0 ? arena_alloc(row->arena, (size_t)count + 1) : NULL;
    if (copy == NULL) {
        row->arena_full = true;
        return NULL;
    }
    if (count > 0) {
        memcpy(copy, bytes, (size_t)count);
    }
    *len = (size_t)count;
    return copy;
}

bool sq_col_blob(struct sq_row *row, void *out, size_t len)
{
    ASSERT(row != NULL);
    ASSERT(out != NULL);
    int i = row->index++;
    const void *blob = sqlite3_column_blob(row->stmt, i);
    int bytes = sqlite3_column_bytes(row->stmt, i);
    if (blob == NULL || bytes < 0 || (size_t)bytes != len) {
        return false;
    }
    memcpy(out, blob, len);
    return true;
}

void sq_col_address(struct sq_row *row, struct address *out)
{
    ASSERT(row != NULL);
    ASSERT(out != NULL);
    int first = row->index;
    out->present = false;
    for (int i = first; i < first + 11; i++) {
        if (sqlite3_column_type(row->stmt, i) != SQLITE_NULL) {
            out->present = true;
        }
    }
    out->name = sq_col_text(row);
    out->company = sq_col_text(row);
    out->line1 = sq_col_text(row);
    out->line2 = sq_col_text(row);
    out->city = sq_col_text(row);
    out->region = sq_col_text(row);
    out->postal_code = sq_col_text(row);
    out->country = sq_col_text(row);
    out->phone = sq_col_text(row);
    out->has_coords = !sq_col_is_null(row);
    out->lat = sq_col_double(row, 0.0);
    out->lon = sq_col_double(row, 0.0);
}

enum err_code sq_row_check(const struct sq_row *row, struct err *err)
{
    ASSERT(row != NULL);
    ASSERT(row->index == sqlite3_column_count(row->stmt)); /* every column was read */
    if (row->arena_full) {
        return err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
    }
    return ERR_OK;
}

bool sq_grow(struct arena *arena, void **items, size_t count, size_t *cap, size_t elem_size)
{
    ASSERT(arena != NULL && items != NULL && cap != NULL);
    ASSERT(count <= *cap && elem_size > 0);
    if (count < *cap) {
        return true;
    }
    size_t cap_new = *cap == 0 ? SQ_ROWS_FIRST : *cap * 2;
    void *grown = arena_alloc_array(arena, cap_new, elem_size);
    if (grown == NULL) {
        return false;
    }
    if (count > 0) {
        memcpy(grown, *items, count * elem_size);
    }
    *items = grown;
    *cap = cap_new;
    return true;
}

static enum err_code read_row(sqlite3_stmt *stmt, const struct sq_reader *reader, void *item,
                              struct err *err)
{
    struct sq_row row;
    sq_row_init(&row, stmt, reader->arena);
    enum err_code code = reader->read(&row, item, err);
    if (code != ERR_OK) {
        return code;
    }
    return sq_row_check(&row, err);
}

enum err_code sq_read_all(struct store_conn *conn, sqlite3_stmt *stmt, struct sq_reader *reader,
                          struct err *err)
{
    ASSERT(conn != NULL && stmt != NULL && reader != NULL);
    ASSERT(reader->arena != NULL && reader->read != NULL && reader->elem_size > 0);
    void *items = NULL;
    size_t count = 0;
    size_t cap = 0;
    bool has_row = true;
    enum err_code code = ERR_OK;
    while (code == ERR_OK && has_row) {
        code = sq_step_row(conn, stmt, &has_row, reader->what, err);
        if (code != ERR_OK || !has_row) {
            break;
        }
        if (!sq_grow(reader->arena, &items, count, &cap, reader->elem_size)) {
            code = err_set(err, ERR_TOO_LARGE, NULL, "result does not fit in the request's memory");
            break;
        }
        code = read_row(stmt, reader, (char *)items + count * reader->elem_size, err);
        count++;
    }
    sq_done(stmt);
    reader->items = code == ERR_OK ? items : NULL;
    reader->count = code == ERR_OK ? count : 0;
    return code;
}

enum err_code sq_read_one(struct store_conn *conn, sqlite3_stmt *stmt,
                          const struct sq_reader *reader, void *item, struct err *err)
{
    ASSERT(conn != NULL && stmt != NULL && reader != NULL);
    ASSERT(reader->read != NULL && reader->what != NULL && item != NULL);
    bool has_row = false;
    enum err_code code = sq_step_row(conn, stmt, &has_row, reader->what, err);
    if (code == ERR_OK && !has_row) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "%s not found", reader->what);
    }
    if (code == ERR_OK) {
        code = read_row(stmt, reader, item, err);
    }
    sq_done(stmt);
    return code;
}

void sq_bind_key(struct sq_bind *bind, const struct sq_key *key)
{
    ASSERT(bind != NULL && key != NULL);
    if (key->text != NULL) {
        sq_bind_text(bind, key->text);
    } else {
        sq_bind_i64(bind, key->row_id);
    }
}

enum err_code sq_run(struct store_conn *conn, sqlite3_stmt *stmt, const char *what, struct err *err)
{
    enum err_code code = sq_step_done(conn, stmt, what, err);
    sq_done(stmt);
    return code;
}

enum err_code sq_version_miss(struct store_conn *conn, const struct sq_sql *exists,
                              const struct sq_key *key, const char *what, struct err *err)
{
    ASSERT(conn != NULL && exists != NULL && key != NULL && what != NULL);
    ASSERT(sqlite3_changes(conn->db) == 0); /* the update missed */
    sqlite3_stmt *stmt = NULL;
    enum err_code code = sq_stmt(conn, exists, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct sq_bind bind;
    sq_bind_init(&bind, stmt);
    sq_bind_key(&bind, key);
    code = sq_bind_check(conn, &bind, what, err);
    if (code != ERR_OK) {
        return code;
    }
    bool has_row = false;
    code = sq_step_row(conn, stmt, &has_row, what, err);
    sq_done(stmt);
    if (code != ERR_OK) {
        return code;
    }
    if (!has_row) {
        return err_set(err, ERR_NOT_FOUND, NULL, "%s not found", what);
    }
    return err_set(err, ERR_PRECONDITION, NULL, "%s was changed by someone else (version moved on)",
                   what);
}
