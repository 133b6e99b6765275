/*
 * invoices.c — invoices and credit notes as records: numbered per kind and calendar year
 * (UTC) without gaps, in the transaction of the change they document, never changed after
 * (the table's triggers refuse it). An invoice is issued when the order's first shipment
 * ships or is picked up; a credit note with each refund of a return.
 */
#include <string.h>

#include "app/returns_int.h"
#include "lib/date.h"

enum err_code invoices_issue(struct app_ctx *ctx, struct store_conn *conn,
                             const struct invoices_issue *issue, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && issue != NULL);
    ASSERT(issue->order != NULL && issue->amount >= 0);
    int64_t year = 0;
    int month = 0;
    int day = 0;
    date_civil_from_days(date_day_of_ms(ctx->now_ms), &year, &month, &day);
    char id[ID_LEN_MAX];
    id_new(id, issue->credit_note ? "cn" : "inv", ctx->now_ms);
    struct invoice invoice = {
        .id = arena_strdup(ctx->arena, id),
        .credit_note = issue->credit_note,
        .year = (int)year,
        .order_id = issue->order->id,
        .return_id = issue->return_id,
        .amount = issue->amount,
        .shipping = issue->shipping,
        .currency = issue->order->currency,
        .issued_at_ms = ctx->now_ms,
    };
    if (invoice.id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = store_invoice_issue(conn, ctx->arena, &invoice, err);
    if (code == ERR_OK) {
        const char *data =
            arena_sprintf(ctx->arena, "{\"id\":\"%s\",\"number\":\"%s\",\"amount\":%" PRId64 "}",
                          invoice.id, invoice.number, invoice.amount);
        code = app_event_add(
            conn, ctx, issue->order->id,
            issue->credit_note ? "order.credit_note_issued" : "order.invoice_issued", data, err);
    }
    return code;
}

enum err_code app_invoice_on_ship(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct order *order, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(order != NULL);
    struct invoice *docs = NULL;
    size_t count = 0;
    enum err_code code =
        store_invoice_list_by_order(conn, ctx->arena, order->id, &docs, &count, err);
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (!docs[i].credit_note) {
            return ERR_OK; /* issued at the first shipment already */
        }
    }
    struct invoices_issue issue = {
        .order = order, .amount = order->totals.total, .shipping = order->totals.shipping};
    return code == ERR_OK ? invoices_issue(ctx, conn, &issue, err) : code;
}

/* ERR_FORBIDDEN unless the principal may read orders. */
static enum err_code invoices_order(struct app_ctx *ctx, struct store_conn *conn,
                                    const char *order_id, struct order *out, struct err *err)
{
    enum err_code code = store_order_get(conn, ctx->arena, order_id, out, err);
    if (code == ERR_OK && !auth_can_see_order(ctx->principal, out->channel, out->customer_email)) {
        code = ERR_NOT_FOUND;
    }
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", order_id);
    }
    return code;
}

enum err_code app_invoice_list(struct app_ctx *ctx, const char *order_id, struct invoice **out,
                               size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && order_id != NULL);
    ASSERT(out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct order order;
    code = invoices_order(ctx, conn, order_id, &order, err);
    if (code == ERR_OK) {
        code = store_invoice_list_by_order(conn, ctx->arena, order_id, out, count, err);
    }
    app_read_end(ctx, conn);
    return code;
}

enum err_code app_invoice_get(struct app_ctx *ctx, const char *id, struct invoice *out,
                              struct order *order_out, struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL && order_out != NULL);
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    code = store_invoice_get(conn, ctx->arena, id, out, err);
    if (code == ERR_OK) {
        code = invoices_order(ctx, conn, out->order_id, order_out, err);
    }
    if (code == ERR_NOT_FOUND) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "no credit note or invoice '%s'", id);
    }
    app_read_end(ctx, conn);
    return code;
}

enum err_code app_invoice_check(struct app_ctx *ctx, struct store_conn *conn, struct buf *report,
                                bool *ok, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL);
    ASSERT(report != NULL && ok != NULL);
    int64_t missing = 0;
    int64_t bad_lines = 0;
    int64_t bad_returns = 0;
    enum err_code code = store_invoice_gaps(conn, &missing, err);
    if (code == ERR_OK) {
        code = store_rma_check(conn, &bad_lines, &bad_returns, err);
    }
    if (code == ERR_OK && missing != 0) {
        *ok = false;
        code = buf_appendf(report, "invoices: %" PRId64 " numbers missing (gaps)\n", missing);
    }
    if (code == ERR_OK && bad_lines != 0) {
        *ok = false;
        code = buf_appendf(report,
                           "returns: %" PRId64 " order lines whose qty_returned is not the units "
                           "received on their returns\n",
                           bad_lines);
    }
    if (code == ERR_OK && bad_returns != 0) {
        *ok = false;
        code = buf_appendf(report,
                           "returns: %" PRId64 " returns whose refunded is not the sum of their "
                           "credit notes\n",
                           bad_returns);
    }
    return code;
}
