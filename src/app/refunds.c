/*
 * refunds.c — goodwill (appeasement) refunds without a return (README "Payments"): one writer
 * command refunds an amount against the order's captures through its provider, issues a credit
 * note (no return) and adds the event "order.refunded". It never refunds more than succeeded
 * captures less refunds (payments.c decides), and a refused refund changes nothing.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/returns_int.h"
#include "core/limits.h"
#include "lib/json.h"

struct refund_arg {
    const char *order_id;
    const struct app_refund_input *input;
    struct app_refund_view *out;
};

/* ERR_INVALID naming the field unless the input can be refunded as given. */
static enum err_code refund_validate(const struct app_refund_input *input, struct err *err)
{
    if (input->amount <= 0) {
        return err_set(err, ERR_INVALID, "amount",
                       "a refund amount must be a positive integer of minor units, got %" PRId64,
                       input->amount);
    }
    const char *reason = input->reason != NULL ? input->reason : "";
    size_t len = strlen(reason);
    bool blank = true;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)reason[i];
        if (c < 0x20 || c == 0x7f) {
            return err_set(err, ERR_INVALID, "reason",
                           "a refund reason must not contain control characters");
        }
        blank = blank && c == ' ';
    }
    if (blank) {
        return err_set(err, ERR_INVALID, "reason", "a refund needs a reason");
    }
    if (len > REFUND_REASON_LEN_MAX) {
        return err_set(err, ERR_INVALID, "reason", "a refund reason has at most %d bytes",
                       REFUND_REASON_LEN_MAX);
    }
    if (input->note != NULL && strlen(input->note) > NOTES_LEN_MAX) {
        return err_set(err, ERR_INVALID, "note", "a note has at most %d bytes", NOTES_LEN_MAX);
    }
    return ERR_OK;
}

/* The refund just recorded (the order's newest refund) and what is left to refund. */
static enum err_code refund_read_back(struct app_ctx *ctx, struct store_conn *conn,
                                      const char *order_id, struct app_refund_view *out,
                                      struct err *err)
{
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code =
        store_payment_list_by_order(conn, ctx->arena, order_id, &txns, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    bool found = false;
    for (size_t i = count; i > 0 && !found; i--) {
        if (txns[i - 1].kind == PAYMENT_KIND_REFUND) {
            out->refund = txns[i - 1];
            found = true;
        }
    }
    ASSERT(found);
    ASSERT(out->refund.return_id == NULL);
    struct payment_totals totals;
    payment_totals_compute(txns, count, &totals);
    out->refundable = payment_refundable(&totals);
    return ERR_OK;
}

/* The credit note just issued: the order's newest of this command's time, highest number. */
static enum err_code refund_credit_note(struct app_ctx *ctx, struct store_conn *conn,
                                        const char *order_id, struct invoice *out, struct err *err)
{
    struct invoice *docs = NULL;
    size_t count = 0;
    enum err_code code =
        store_invoice_list_by_order(conn, ctx->arena, order_id, &docs, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    const struct invoice *best = NULL;
    for (size_t i = 0; i < count; i++) {
        const struct invoice *doc = &docs[i];
        if (doc->credit_note && doc->return_id == NULL && doc->issued_at_ms == ctx->now_ms &&
            (best == NULL || doc->year > best->year ||
             (doc->year == best->year && doc->seq > best->seq))) {
            best = doc;
        }
    }
    if (best == NULL) { /* invoices_issue wrote it in this command: a bug if missing */
        return err_set(err, ERR_INTERNAL, NULL, "the credit note of order %s was not found",
                       order_id);
    }
    *out = *best;
    return ERR_OK;
}

/* The data of the order.refunded event (arena), or NULL when it does not fit. */
static const char *refund_event_data(struct app_ctx *ctx, const struct app_refund_input *input,
                                     const struct app_refund_view *view)
{
    struct buf buf;
    buf_init(&buf, (size_t)2 * (NOTES_LEN_MAX + REFUND_REASON_LEN_MAX) + 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_int(&jw, "amount", view->refund.amount);
    jw_kv_string(&jw, "currency", view->refund.currency);
    jw_kv_string(&jw, "reason", input->reason);
    if (input->note != NULL) {
        jw_kv_string(&jw, "note", input->note);
    }
    jw_kv_string(&jw, "payment_id", view->refund.id);
    jw_kv_string(&jw, "credit_note_id", view->credit_note.id);
    jw_kv_string(&jw, "credit_note_number", view->credit_note.number);
    jw_kv_string(&jw, "author", ctx->principal->key_id);
    jw_kv_string(&jw, "role", role_name(ctx->principal->role));
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

static enum err_code refund_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct refund_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, arg->order_id, &order, err);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK &&
         !auth_can_see_order(ctx->principal, order.channel, order.customer_email))) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", arg->order_id);
    }
    if (code == ERR_OK) {
        code = app_payment_refund(ctx, conn, order.id, arg->input->amount, NULL, err);
    }
    struct app_refund_view *out = arg->out;
    if (code == ERR_OK) {
        code = refund_read_back(ctx, conn, order.id, out, err);
    }
    if (code == ERR_OK) {
        struct invoices_issue issue = {
            .order = &order, .credit_note = true, .amount = arg->input->amount};
        code = invoices_issue(ctx, conn, &issue, err);
    }
    if (code == ERR_OK) {
        code = refund_credit_note(ctx, conn, order.id, &out->credit_note, err);
    }
    const char *data = code == ERR_OK ? refund_event_data(ctx, arg->input, out) : NULL;
    if (code == ERR_OK && data == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order.id, "order.refunded", data, err);
    }
    if (code == ERR_OK) {
        write->result = out;
    }
    return code;
}

enum err_code app_order_refund(struct app_ctx *ctx, const char *order_id,
                               const struct app_refund_input *input, struct app_idempotency *idem,
                               struct app_refund_view *out, struct err *err)
{
    ASSERT(ctx != NULL && ctx->principal != NULL);
    ASSERT(order_id != NULL && input != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_PAYMENTS_REFUND, err);
    if (code != ERR_OK) {
        return code;
    }
    code = refund_validate(input, err);
    if (code != ERR_OK) {
        return code;
    }
    struct refund_arg arg = {.order_id = order_id, .input = input, .out = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = refund_run, .arg = &arg};
    return app_write_run(&write, err);
}
