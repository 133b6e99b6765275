/*
 * pg_returns.c — returns (RMA) with their lines, dispositions and exchange lines, the
 * return settings and disposition rules, and invoices and credit notes numbered per kind and
 * year without gaps (migration 006). Reads of several statements see one snapshot.
 */
#include <stdio.h>
#include <string.h>

#include "store/pg_int.h"

static const struct pg_sql SQL_RMA_INSERT = {
    PGS_RMA_INSERT,
    "INSERT INTO returns (id, number, order_id, location_id, status, resolution,"
    " exchange_order_id, refunded, shipping_refunded, amount_due, version, created_at,"
    " updated_at, received_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13,"
    " $14)"};
static const struct pg_sql SQL_RMA_LINE_INSERT = {
    PGS_RMA_LINE_INSERT,
    "INSERT INTO return_lines (return_id, line_no, order_line_id, order_line_no, sku, qty,"
    " reason) VALUES ($1, $2, $3, $4, $5, $6, $7)"};
static const struct pg_sql SQL_RMA_XLINE_INSERT = {
    PGS_RMA_XLINE_INSERT,
    "INSERT INTO return_exchange_lines (return_id, line_no, sku, qty) VALUES ($1, $2, $3, $4)"};
static const struct pg_sql SQL_RMA_UPDATE = {
    PGS_RMA_UPDATE, "UPDATE returns SET status = $2, exchange_order_id = $3, refunded = $4,"
                    " shipping_refunded = $5, amount_due = $6, updated_at = $7, received_at = $8,"
                    " version = $9 + 1 WHERE id = $1 AND version = $9"};
static const struct pg_sql SQL_RMA_EXISTS = {PGS_RMA_EXISTS, "SELECT 1 FROM returns WHERE id = $1"};
static const struct pg_sql SQL_RMA_LINE_UPDATE = {
    PGS_RMA_LINE_UPDATE,
    "UPDATE return_lines SET qty_received = $3, qty_sellable = $4, qty_damaged = $5,"
    " refunded = $6, shipping_units = $7 WHERE return_id = $1 AND line_no = $2"};
static const struct pg_sql SQL_RMA_DISP_INSERT = {
    PGS_RMA_DISP_INSERT,
    "INSERT INTO return_dispositions (return_id, seq, line_no, qty, condition, disposition,"
    " target_location, rule_id, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"};
static const struct pg_sql SQL_RMA_GET = {
    PGS_RMA_GET, "SELECT r.id, r.number, r.order_id, r.location_id, l.code, r.status, r.resolution,"
                 " r.exchange_order_id, r.refunded, r.shipping_refunded, r.amount_due, r.version,"
                 " r.created_at, r.updated_at, r.received_at FROM returns r JOIN locations l ON"
                 " l.id = r.location_id WHERE r.id = $1"};
static const struct pg_sql SQL_RMA_LINE_LIST = {
    PGS_RMA_LINE_LIST,
    "SELECT line_no, order_line_id, order_line_no, sku, qty, reason, qty_received,"
    " qty_sellable, qty_damaged, refunded, shipping_units FROM return_lines WHERE"
    " return_id = $1 ORDER BY line_no"};
static const struct pg_sql SQL_RMA_DISP_LIST = {
    PGS_RMA_DISP_LIST,
    "SELECT seq, line_no, qty, condition, disposition, target_location, rule_id, created_at"
    " FROM return_dispositions WHERE return_id = $1 ORDER BY seq"};
static const struct pg_sql SQL_RMA_XLINE_LIST = {
    PGS_RMA_XLINE_LIST,
    "SELECT sku, qty FROM return_exchange_lines WHERE return_id = $1 ORDER BY line_no"};
static const struct pg_sql SQL_RMA_IDS_BY_ORDER = {
    PGS_RMA_IDS_BY_ORDER, "SELECT id FROM returns WHERE order_id = $1 ORDER BY id"};
static const struct pg_sql SQL_RMA_LINE_REQUESTED = {
    PGS_RMA_LINE_REQUESTED,
    "SELECT coalesce(sum(qty), 0) FROM return_lines WHERE order_line_id = $1"};
static const struct pg_sql SQL_RMA_SHIPPING_UNITS = {
    PGS_RMA_SHIPPING_UNITS,
    "SELECT coalesce(sum(rl.shipping_units), 0) FROM returns r JOIN return_lines rl ON"
    " rl.return_id = r.id WHERE r.order_id = $1"};
static const struct pg_sql SQL_RMA_NEXT_NUMBER = {PGS_RMA_NEXT_NUMBER,
                                                  "SELECT nextval('return_number')"};
static const struct pg_sql SQL_RMA_SETTING_GET = {
    PGS_RMA_SETTING_GET, "SELECT value FROM return_settings WHERE name = $1"};
static const struct pg_sql SQL_RMA_SETTING_PUT = {
    PGS_RMA_SETTING_PUT,
    "INSERT INTO return_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE"
    " SET value = excluded.value"};
static const struct pg_sql SQL_RMA_RULES_LIST = {
    PGS_RMA_RULES_LIST,
    "SELECT id, priority, reason, condition, sku, location, disposition, target_location"
    " FROM return_rules ORDER BY id"};
static const struct pg_sql SQL_RMA_RULE_INSERT = {
    PGS_RMA_RULE_INSERT,
    "INSERT INTO return_rules (priority, reason, condition, sku, location, disposition,"
    " target_location, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id"};
static const struct pg_sql SQL_INVOICE_INSERT = {
    PGS_INVOICE_INSERT,
    "INSERT INTO invoices (id, kind, number, year, seq, order_id, return_id, amount, shipping,"
    " currency, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"};
static const struct pg_sql SQL_INVOICE_NEXT_SEQ = {
    PGS_INVOICE_NEXT_SEQ,
    "INSERT INTO invoice_counters AS c (kind, year, last_seq) VALUES ($1, $2, 1)"
    " ON CONFLICT (kind, year) DO UPDATE SET last_seq = c.last_seq + 1 RETURNING last_seq"};
#define INVOICE_COLUMNS                                                                            \
    "id, kind, number, year, seq, order_id, return_id, amount, shipping, currency, issued_at"
static const struct pg_sql SQL_INVOICE_GET = {PGS_INVOICE_GET, "SELECT " INVOICE_COLUMNS
                                                               " FROM invoices WHERE id = $1"};
static const struct pg_sql SQL_INVOICE_LIST_BY_ORDER = {
    PGS_INVOICE_LIST_BY_ORDER,
    "SELECT " INVOICE_COLUMNS " FROM invoices WHERE order_id = $1 ORDER BY issued_at, id"};
static const struct pg_sql SQL_INVOICE_GAPS = {
    PGS_INVOICE_GAPS,
    "SELECT coalesce(sum(m - n), 0) FROM (SELECT max(seq) AS m, count(*) AS n FROM invoices"
    " GROUP BY kind, year) AS g"};

static const struct pg_sql SQL_RMA_CHECK = {
    PGS_RMA_CHECK,
    "SELECT (SELECT count(*) FROM order_lines ol WHERE ol.qty_returned <> (SELECT"
    " coalesce(sum(rl.qty_received), 0) FROM return_lines rl WHERE rl.order_line_id = ol.id)),"
    " (SELECT count(*) FROM returns r WHERE r.refunded <> (SELECT coalesce(sum(i.amount), 0)"
    " FROM invoices i WHERE i.return_id = r.id AND i.kind = 'credit_note'))"};

/* ---- returns ------------------------------------------------------------------------------ */

/* Binds the one text parameter and runs the statement to its end. */
static enum err_code returns_run_text(struct store_conn *conn, struct pg_query *stmt,
                                      const char *text, const char *what, struct err *err)
{
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, text);
    enum err_code code = pg_bind_check(conn, &bind, what, err);
    return code;
}

static enum err_code returns_line_insert(struct store_conn *conn, const char *return_id,
                                         const struct rma_line *line, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_LINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, return_id);
    pg_bind_i64(&bind, line->line_no);
    pg_bind_text(&bind, line->order_line_id);
    pg_bind_i64(&bind, line->order_line_no);
    pg_bind_text(&bind, line->sku);
    pg_bind_i64(&bind, line->qty);
    pg_bind_text(&bind, return_reason_name(line->reason));
    code = pg_bind_check(conn, &bind, "return line", err);
    return code == ERR_OK ? pg_run(conn, stmt, "return line", err) : code;
}

static enum err_code returns_xline_insert(struct store_conn *conn, const char *return_id,
                                          size_t index, const struct rma_exchange_line *line,
                                          struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_XLINE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, return_id);
    pg_bind_i64(&bind, (int64_t)index + 1);
    pg_bind_text(&bind, line->sku);
    pg_bind_i64(&bind, line->qty);
    code = pg_bind_check(conn, &bind, "return exchange line", err);
    return code == ERR_OK ? pg_run(conn, stmt, "return exchange line", err) : code;
}

enum err_code pg_rma_insert(struct store_conn *conn, const struct rma *rma, struct err *err)
{
    ASSERT(conn != NULL && rma != NULL);
    ASSERT(rma->id != NULL && rma->lines_count > 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, rma->id);
    pg_bind_text(&bind, rma->number);
    pg_bind_text(&bind, rma->order_id);
    pg_bind_i64(&bind, rma->location_row_id);
    pg_bind_text(&bind, return_status_name(rma->status));
    pg_bind_text(&bind, return_resolution_name(rma->resolution));
    pg_bind_text(&bind, rma->exchange_order_id);
    pg_bind_i64(&bind, rma->refunded);
    pg_bind_i64(&bind, rma->shipping_refunded);
    pg_bind_i64(&bind, rma->amount_due);
    pg_bind_i64(&bind, rma->version);
    pg_bind_i64(&bind, rma->created_at_ms);
    pg_bind_i64(&bind, rma->updated_at_ms);
    pg_bind_i64_or_null(&bind, rma->received_at_ms);
    code = pg_bind_check(conn, &bind, "return", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "return", err);
    }
    for (size_t i = 0; code == ERR_OK && i < rma->lines_count; i++) {
        code = returns_line_insert(conn, rma->id, &rma->lines[i], err);
    }
    for (size_t i = 0; code == ERR_OK && i < rma->exchange_lines_count; i++) {
        code = returns_xline_insert(conn, rma->id, i, &rma->exchange_lines[i], err);
    }
    return code;
}

static enum err_code returns_line_update(struct store_conn *conn, const char *return_id,
                                         const struct rma_line *line, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_LINE_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, return_id);
    pg_bind_i64(&bind, line->line_no);
    pg_bind_i64(&bind, line->qty_received);
    pg_bind_i64(&bind, line->qty_sellable);
    pg_bind_i64(&bind, line->qty_damaged);
    pg_bind_i64(&bind, line->refunded);
    pg_bind_i64(&bind, line->shipping_units);
    code = pg_bind_check(conn, &bind, "return line", err);
    return code == ERR_OK ? pg_run(conn, stmt, "return line", err) : code;
}

static enum err_code returns_disp_insert(struct store_conn *conn, const char *return_id,
                                         const struct rma_disposition *d, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_DISP_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, return_id);
    pg_bind_i64(&bind, d->seq);
    pg_bind_i64(&bind, d->line_no);
    pg_bind_i64(&bind, d->qty);
    pg_bind_text(&bind, return_condition_name(d->condition));
    pg_bind_text(&bind, return_disposition_name(d->disposition));
    pg_bind_text(&bind, d->target_location);
    pg_bind_i64_or_null(&bind, d->rule_id);
    pg_bind_i64(&bind, d->created_at_ms);
    code = pg_bind_check(conn, &bind, "return disposition", err);
    return code == ERR_OK ? pg_run(conn, stmt, "return disposition", err) : code;
}

static enum err_code returns_update_row(struct store_conn *conn, const struct rma *rma,
                                        int64_t expected_version, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, rma->id);
    pg_bind_text(&bind, return_status_name(rma->status));
    pg_bind_text(&bind, rma->exchange_order_id);
    pg_bind_i64(&bind, rma->refunded);
    pg_bind_i64(&bind, rma->shipping_refunded);
    pg_bind_i64(&bind, rma->amount_due);
    pg_bind_i64(&bind, rma->updated_at_ms);
    pg_bind_i64_or_null(&bind, rma->received_at_ms);
    pg_bind_i64(&bind, expected_version);
    code = pg_bind_check(conn, &bind, "return", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "return", err);
    }
    if (code == ERR_OK && pg_changes(conn) == 0) {
        struct pg_key key = {.text = rma->id};
        code = pg_version_miss(conn, &SQL_RMA_EXISTS, &key, "return", err);
    }
    return code;
}

enum err_code pg_rma_save(struct store_conn *conn, const struct rma *rma, int64_t expected_version,
                          size_t first_new_disposition, struct err *err)
{
    ASSERT(conn != NULL && rma != NULL);
    ASSERT(first_new_disposition <= rma->dispositions_count);
    enum err_code code = returns_update_row(conn, rma, expected_version, err);
    for (size_t i = 0; code == ERR_OK && i < rma->lines_count; i++) {
        code = returns_line_update(conn, rma->id, &rma->lines[i], err);
    }
    for (size_t i = first_new_disposition; code == ERR_OK && i < rma->dispositions_count; i++) {
        code = returns_disp_insert(conn, rma->id, &rma->dispositions[i], err);
    }
    return code;
}

static enum err_code returns_read(struct pg_row *row, void *item, struct err *err)
{
    struct rma *rma = item;
    rma->id = pg_col_text(row);
    rma->number = pg_col_text(row);
    rma->order_id = pg_col_text(row);
    rma->location_row_id = pg_col_i64(row);
    rma->location_code = pg_col_text(row);
    const char *status = pg_col_text(row);
    const char *resolution = pg_col_text(row);
    if (!return_status_parse(status, &rma->status)) {
        return pg_corrupt(err, "return status", status != NULL ? status : "NULL");
    }
    if (!return_resolution_parse(resolution, &rma->resolution)) {
        return pg_corrupt(err, "return resolution", resolution != NULL ? resolution : "NULL");
    }
    rma->exchange_order_id = pg_col_text(row);
    rma->refunded = pg_col_i64(row);
    rma->shipping_refunded = pg_col_i64(row);
    rma->amount_due = pg_col_i64(row);
    rma->version = pg_col_i64(row);
    rma->created_at_ms = pg_col_i64(row);
    rma->updated_at_ms = pg_col_i64(row);
    rma->received_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code returns_line_read(struct pg_row *row, void *item, struct err *err)
{
    struct rma_line *line = item;
    line->line_no = pg_col_int(row);
    line->order_line_id = pg_col_text(row);
    line->order_line_no = pg_col_int(row);
    line->sku = pg_col_text(row);
    line->qty = pg_col_i64(row);
    const char *reason = pg_col_text(row);
    if (!return_reason_parse(reason, &line->reason)) {
        return pg_corrupt(err, "return reason", reason != NULL ? reason : "NULL");
    }
    line->qty_received = pg_col_i64(row);
    line->qty_sellable = pg_col_i64(row);
    line->qty_damaged = pg_col_i64(row);
    line->refunded = pg_col_i64(row);
    line->shipping_units = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code returns_disp_read(struct pg_row *row, void *item, struct err *err)
{
    struct rma_disposition *d = item;
    d->seq = pg_col_int(row);
    d->line_no = pg_col_int(row);
    d->qty = pg_col_i64(row);
    const char *condition = pg_col_text(row);
    const char *disposition = pg_col_text(row);
    if (!return_condition_parse(condition, &d->condition)) {
        return pg_corrupt(err, "return condition", condition != NULL ? condition : "NULL");
    }
    if (!return_disposition_parse(disposition, &d->disposition)) {
        return pg_corrupt(err, "return disposition", disposition != NULL ? disposition : "NULL");
    }
    d->target_location = pg_col_text(row);
    d->rule_id = pg_col_i64(row);
    d->created_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code returns_xline_read(struct pg_row *row, void *item, struct err *err)
{
    (void)err;
    struct rma_exchange_line *line = item;
    line->sku = pg_col_text(row);
    line->qty = pg_col_i64(row);
    return ERR_OK;
}

/* Reads every row of a statement keyed by the return id into an arena array. */
static enum err_code returns_read_children(struct store_conn *conn, const struct pg_sql *sql,
                                           const char *id, struct pg_reader *reader,
                                           struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code == ERR_OK) {
        code = returns_run_text(conn, stmt, id, reader->what, err);
    }
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, reader, err);
    }
    return code;
}

static enum err_code returns_get_children(struct store_conn *conn, struct arena *arena,
                                          struct rma *out, struct err *err)
{
    struct pg_reader lines = {.arena = arena,
                              .read = returns_line_read,
                              .what = "return line",
                              .elem_size = sizeof(struct rma_line)};
    struct pg_reader disps = {.arena = arena,
                              .read = returns_disp_read,
                              .what = "return disposition",
                              .elem_size = sizeof(struct rma_disposition)};
    struct pg_reader xlines = {.arena = arena,
                               .read = returns_xline_read,
                               .what = "return exchange line",
                               .elem_size = sizeof(struct rma_exchange_line)};
    enum err_code code = returns_read_children(conn, &SQL_RMA_LINE_LIST, out->id, &lines, err);
    if (code == ERR_OK) {
        code = returns_read_children(conn, &SQL_RMA_DISP_LIST, out->id, &disps, err);
    }
    if (code == ERR_OK) {
        code = returns_read_children(conn, &SQL_RMA_XLINE_LIST, out->id, &xlines, err);
    }
    out->lines = lines.items;
    out->lines_count = lines.count;
    out->dispositions = disps.items;
    out->dispositions_count = disps.count;
    out->exchange_lines = xlines.items;
    out->exchange_lines_count = xlines.count;
    return code;
}

enum err_code pg_rma_get(struct store_conn *conn, struct arena *arena, const char *id,
                         struct rma *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_query *stmt = NULL;
    code = pg_stmt(conn, &SQL_RMA_GET, &stmt, err);
    if (code == ERR_OK) {
        code = returns_run_text(conn, stmt, id, "return", err);
    }
    if (code == ERR_OK) {
        struct pg_reader reader = {.arena = arena, .read = returns_read, .what = "return"};
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_OK) {
        code = returns_get_children(conn, arena, out, err);
    }
    pg_snapshot_end(conn, owned);
    return code;
}

static enum err_code returns_read_text(struct pg_row *row, void *item, struct err *err)
{
    (void)err;
    *(const char **)item = pg_col_text(row);
    return ERR_OK;
}

enum err_code pg_rma_ids_by_order(struct store_conn *conn, struct arena *arena,
                                  const char *order_id, const char ***out, size_t *count,
                                  struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_reader reader = {.arena = arena,
                               .read = returns_read_text,
                               .what = "return",
                               .elem_size = sizeof(const char *)};
    enum err_code code = returns_read_children(conn, &SQL_RMA_IDS_BY_ORDER, order_id, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* One integer from a statement with one text parameter. */
static enum err_code returns_int_by_text(struct store_conn *conn, const struct pg_sql *sql,
                                         const char *text, int64_t *out, struct err *err)
{
    *out = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code == ERR_OK && text != NULL) {
        code = returns_run_text(conn, stmt, text, "return sum", err);
    }
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "return sum", err);
    }
    if (code == ERR_OK && has_row) {
        struct pg_row row;
        pg_row_init(&row, stmt, NULL);
        *out = pg_col_i64(&row);
        code = pg_row_check(&row, err);
    }
    if (stmt != NULL) {
        pg_done(stmt);
    }
    return code;
}

enum err_code pg_rma_line_requested(struct store_conn *conn, const char *order_line_id,
                                    int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && order_line_id != NULL && out != NULL);
    return returns_int_by_text(conn, &SQL_RMA_LINE_REQUESTED, order_line_id, out, err);
}

enum err_code pg_rma_shipping_units(struct store_conn *conn, const char *order_id, int64_t *out,
                                    struct err *err)
{
    ASSERT(conn != NULL && order_id != NULL && out != NULL);
    return returns_int_by_text(conn, &SQL_RMA_SHIPPING_UNITS, order_id, out, err);
}

enum err_code pg_rma_next_number(struct store_conn *conn, int64_t *out, struct err *err)
{
    ASSERT(conn != NULL && out != NULL);
    enum err_code code = returns_int_by_text(conn, &SQL_RMA_NEXT_NUMBER, NULL, out, err);
    ASSERT(code != ERR_OK || *out > 0);
    return code;
}

enum err_code pg_rma_setting_get(struct store_conn *conn, struct arena *arena, const char *name,
                                 const char **out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && name != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_SETTING_GET, &stmt, err);
    if (code == ERR_OK) {
        code = returns_run_text(conn, stmt, name, "return setting", err);
    }
    if (code == ERR_OK) {
        struct pg_reader reader = {
            .arena = arena, .read = returns_read_text, .what = "return setting"};
        code = pg_read_one(conn, stmt, &reader, (void *)out, err);
    }
    return code;
}

enum err_code pg_rma_setting_put(struct store_conn *conn, const char *name, const char *value,
                                 struct err *err)
{
    ASSERT(conn != NULL && name != NULL && value != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_SETTING_PUT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, name);
    pg_bind_text(&bind, value);
    code = pg_bind_check(conn, &bind, "return setting", err);
    return code == ERR_OK ? pg_run(conn, stmt, "return setting", err) : code;
}

static enum err_code returns_rule_read(struct pg_row *row, void *item, struct err *err)
{
    struct return_rule *rule = item;
    rule->row_id = pg_col_i64(row);
    rule->priority = pg_col_int(row);
    const char *reason = pg_col_text(row);
    const char *condition = pg_col_text(row);
    rule->sku = pg_col_text(row);
    rule->location = pg_col_text(row);
    const char *disposition = pg_col_text(row);
    rule->target_location = pg_col_text(row);
    enum return_reason r = RETURN_REASON_OTHER;
    enum return_condition c = RETURN_CONDITION_SELLABLE;
    bool ok = (reason == NULL || return_reason_parse(reason, &r)) &&
              (condition == NULL || return_condition_parse(condition, &c)) &&
              return_disposition_parse(disposition, &rule->disposition);
    if (!ok) {
        return pg_corrupt(err, "return rule", "reason, condition or disposition");
    }
    rule->reason = reason != NULL ? (int)r : -1;
    rule->condition = condition != NULL ? (int)c : -1;
    return ERR_OK;
}

enum err_code pg_rma_rules_list(struct store_conn *conn, struct arena *arena,
                                struct return_rule **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    struct pg_reader reader = {.arena = arena,
                               .read = returns_rule_read,
                               .what = "return rule",
                               .elem_size = sizeof(struct return_rule)};
    enum err_code code = pg_stmt(conn, &SQL_RMA_RULES_LIST, &stmt, err);
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, &reader, err);
    }
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_rma_rule_insert(struct store_conn *conn, struct return_rule *rule, int64_t now_ms,
                                 struct err *err)
{
    ASSERT(conn != NULL && rule != NULL);
    ASSERT(now_ms >= 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_RULE_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, rule->priority);
    pg_bind_text(&bind,
                 rule->reason >= 0 ? return_reason_name((enum return_reason)rule->reason) : NULL);
    pg_bind_text(&bind, rule->condition >= 0
                            ? return_condition_name((enum return_condition)rule->condition)
                            : NULL);
    pg_bind_text(&bind, rule->sku);
    pg_bind_text(&bind, rule->location);
    pg_bind_text(&bind, return_disposition_name(rule->disposition));
    pg_bind_text(&bind, rule->target_location);
    pg_bind_i64(&bind, now_ms);
    code = pg_bind_check(conn, &bind, "return rule", err);
    if (code == ERR_OK) {
        code = pg_run(conn, stmt, "return rule", err);
    }
    rule->row_id = code == ERR_OK ? pg_last_id(conn) : 0;
    return code;
}

/* ---- invoices and credit notes ------------------------------------------------------------ */

static enum err_code invoice_next_seq(struct store_conn *conn, const struct invoice *invoice,
                                      int64_t *out, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_INVOICE_NEXT_SEQ, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, invoice->credit_note ? "credit_note" : "invoice");
    pg_bind_i64(&bind, invoice->year);
    code = pg_bind_check(conn, &bind, "invoice number", err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "invoice number", err);
    }
    if (code == ERR_OK && has_row) {
        struct pg_row row;
        pg_row_init(&row, stmt, NULL);
        *out = pg_col_i64(&row);
        code = pg_row_check(&row, err);
    }
    pg_done(stmt);
    return code;
}

enum err_code pg_invoice_issue(struct store_conn *conn, struct arena *arena,
                               struct invoice *invoice, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && invoice != NULL);
    ASSERT(invoice->id != NULL && invoice->order_id != NULL && invoice->year > 0);
    int64_t seq = 0;
    enum err_code code = invoice_next_seq(conn, invoice, &seq, err);
    char number[48];
    (void)snprintf(number, sizeof(number), "%s-%04d-%06" PRId64,
                   invoice->credit_note ? "CN" : "INV", invoice->year, seq);
    invoice->seq = seq;
    invoice->number = arena_strdup(arena, number);
    if (code == ERR_OK && invoice->number == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct pg_query *stmt = NULL;
    if (code == ERR_OK) {
        code = pg_stmt(conn, &SQL_INVOICE_INSERT, &stmt, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, invoice->id);
    pg_bind_text(&bind, invoice->credit_note ? "credit_note" : "invoice");
    pg_bind_text(&bind, invoice->number);
    pg_bind_i64(&bind, invoice->year);
    pg_bind_i64(&bind, seq);
    pg_bind_text(&bind, invoice->order_id);
    pg_bind_text(&bind, invoice->return_id);
    pg_bind_i64(&bind, invoice->amount);
    pg_bind_i64(&bind, invoice->shipping);
    pg_bind_text(&bind, invoice->currency);
    pg_bind_i64(&bind, invoice->issued_at_ms);
    code = pg_bind_check(conn, &bind, "invoice", err);
    return code == ERR_OK ? pg_run(conn, stmt, "invoice", err) : code;
}

static enum err_code invoice_read(struct pg_row *row, void *item, struct err *err)
{
    struct invoice *invoice = item;
    invoice->id = pg_col_text(row);
    const char *kind = pg_col_text(row);
    if (kind == NULL || (strcmp(kind, "invoice") != 0 && strcmp(kind, "credit_note") != 0)) {
        return pg_corrupt(err, "invoice kind", kind != NULL ? kind : "NULL");
    }
    invoice->credit_note = strcmp(kind, "credit_note") == 0;
    invoice->number = pg_col_text(row);
    invoice->year = pg_col_int(row);
    invoice->seq = pg_col_i64(row);
    invoice->order_id = pg_col_text(row);
    invoice->return_id = pg_col_text(row);
    invoice->amount = pg_col_i64(row);
    invoice->shipping = pg_col_i64(row);
    invoice->currency = pg_col_text(row);
    invoice->issued_at_ms = pg_col_i64(row);
    return ERR_OK;
}

enum err_code pg_invoice_get(struct store_conn *conn, struct arena *arena, const char *id,
                             struct invoice *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_INVOICE_GET, &stmt, err);
    if (code == ERR_OK) {
        code = returns_run_text(conn, stmt, id, "invoice", err);
    }
    if (code == ERR_OK) {
        struct pg_reader reader = {.arena = arena, .read = invoice_read, .what = "invoice"};
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    return code;
}

enum err_code pg_invoice_list_by_order(struct store_conn *conn, struct arena *arena,
                                       const char *order_id, struct invoice **out, size_t *count,
                                       struct err *err)
{
    ASSERT(conn != NULL && arena != NULL && order_id != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_reader reader = {.arena = arena,
                               .read = invoice_read,
                               .what = "invoice",
                               .elem_size = sizeof(struct invoice)};
    enum err_code code =
        returns_read_children(conn, &SQL_INVOICE_LIST_BY_ORDER, order_id, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

enum err_code pg_invoice_gaps(struct store_conn *conn, int64_t *missing, struct err *err)
{
    ASSERT(conn != NULL && missing != NULL);
    enum err_code code = returns_int_by_text(conn, &SQL_INVOICE_GAPS, NULL, missing, err);
    ASSERT(code != ERR_OK || *missing >= 0);
    return code;
}

enum err_code pg_rma_check(struct store_conn *conn, int64_t *bad_lines, int64_t *bad_returns,
                           struct err *err)
{
    ASSERT(conn != NULL);
    ASSERT(bad_lines != NULL && bad_returns != NULL);
    *bad_lines = 0;
    *bad_returns = 0;
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_RMA_CHECK, &stmt, err);
    bool has_row = false;
    if (code == ERR_OK) {
        code = pg_step_row(conn, stmt, &has_row, "returns check", err);
    }
    if (code == ERR_OK && has_row) {
        struct pg_row row;
        pg_row_init(&row, stmt, NULL);
        *bad_lines = pg_col_i64(&row);
        *bad_returns = pg_col_i64(&row);
        code = pg_row_check(&row, err);
    }
    if (stmt != NULL) {
        pg_done(stmt);
    }
    return code;
}
