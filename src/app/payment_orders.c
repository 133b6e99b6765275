/*
 * payment_orders.c — the payments of one order as the API shows them (GET
 * /v1/orders/{id}/payments) and a new payment for an order held for a payment reason
 * (POST /v1/orders/{id}/payments): authorized in the request thread, recorded in a command
 * that also voids what is left of the old authorization, captures again the shipments whose
 * capture failed, and releases the hold.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/payment_provider.h"
#include "core/payment.h"

/* Loads the order (visible to the principal) and its transactions on conn. */
static enum err_code pay_load(struct app_ctx *ctx, struct store_conn *conn, const char *id,
                              struct app_payments_view *out, struct err *err)
{
    enum err_code code = store_order_get(conn, ctx->arena, id, &out->order, err);
    if (code == ERR_NOT_FOUND ||
        (code == ERR_OK &&
         !auth_can_see_order(ctx->principal, out->order.channel, out->order.customer_email))) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order '%s'", id);
    }
    if (code == ERR_OK) {
        code = store_payment_list_by_order(conn, ctx->arena, id, &out->txns, &out->count, err);
    }
    if (code == ERR_OK) {
        payment_totals_compute(out->txns, out->count, &out->totals);
    }
    return code;
}

enum err_code app_order_payments(struct app_ctx *ctx, const char *id, struct app_payments_view *out,
                                 struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = pay_load(ctx, conn, id, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

/* True when the order is held (or flagged) for a payment reason. */
static bool pay_held_for_payment(const struct order *order)
{
    return order->hold_reason != NULL &&
           (strcmp(order->hold_reason, "payment_declined") == 0 ||
            strcmp(order->hold_reason, "payment_capture_failed") == 0);
}

/* True when a failed capture of this shipment was not followed by one that went through. */
static bool pay_capture_owed(const struct payment_txn *txns, size_t count, size_t failed)
{
    for (size_t i = failed + 1; i < count; i++) {
        if (txns[i].kind == PAYMENT_KIND_CAPTURE && txns[i].status != PAYMENT_STATUS_FAILED &&
            txns[i].shipment_id != NULL && txns[failed].shipment_id != NULL &&
            strcmp(txns[i].shipment_id, txns[failed].shipment_id) == 0) {
            return false;
        }
    }
    return true;
}

struct pay_arg {
    const char *id;
    int64_t version; /* of the order read before authorizing */
    struct app_payment_auth auth;
    struct app_payments_view *out;
};

/* Voids what is left of the old provider's authorization. */
static enum err_code pay_void_old(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct app_payments_view *view, struct err *err)
{
    const struct order *order = &view->order;
    const char *old = order->payment_provider;
    int64_t left = 0;
    for (size_t i = 0; i < view->count; i++) {
        const struct payment_txn *txn = &view->txns[i];
        if (strcmp(txn->provider, old) != 0 || txn->status != PAYMENT_STATUS_SUCCEEDED) {
            continue;
        }
        left += txn->kind == PAYMENT_KIND_AUTHORIZE ? txn->amount : 0;
        left -=
            txn->kind == PAYMENT_KIND_VOID || txn->kind == PAYMENT_KIND_CAPTURE ? txn->amount : 0;
    }
    const struct payment_provider *provider = app_payment_provider(ctx->app, old);
    if (left <= 0 || provider == NULL) {
        return ERR_OK;
    }
    struct payment_txn txn = {.order_id = order->id,
                              .kind = PAYMENT_KIND_VOID,
                              .amount = left,
                              .currency = order->currency};
    return app_payment_call(ctx, conn, provider, app_payment_auth_ref(view->txns, view->count, old),
                            &txn, err);
}

/* Captures again, with the new authorization, each shipment whose capture failed. */
static enum err_code pay_recapture(struct app_ctx *ctx, struct store_conn *conn,
                                   const struct app_payments_view *view,
                                   const struct app_payment_auth *auth, struct err *err)
{
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < view->count; i++) {
        const struct payment_txn *failed = &view->txns[i];
        if (failed->kind != PAYMENT_KIND_CAPTURE || failed->status != PAYMENT_STATUS_FAILED ||
            !pay_capture_owed(view->txns, view->count, i)) {
            continue;
        }
        struct payment_txn txn = {.order_id = failed->order_id,
                                  .kind = PAYMENT_KIND_CAPTURE,
                                  .amount = failed->amount,
                                  .currency = failed->currency,
                                  .shipment_id = failed->shipment_id};
        code = app_payment_call(ctx, conn, auth->provider, auth->provider_ref, &txn, err);
        if (code == ERR_OK && txn.status == PAYMENT_STATUS_FAILED) {
            code = err_set_reason(err, ERR_INVALID, "payment_declined", "payment.card",
                                  "the new payment could not capture shipment %s: %s",
                                  txn.shipment_id, txn.error != NULL ? txn.error : "");
        }
    }
    return code;
}

/* Releases the payment hold: back to the status the order's lines call for. */
static enum err_code pay_release(struct order *order, struct err *err)
{
    order->hold_reason = NULL;
    if (order->status != ORDER_STATUS_ON_HOLD) {
        return ERR_OK;
    }
    bool backordered = false;
    for (size_t i = 0; i < order->lines_count; i++) {
        backordered = backordered || order->lines[i].qty_backordered > 0;
    }
    enum order_status to = backordered                    ? ORDER_STATUS_BACKORDERED
                           : order->allocations_count > 0 ? ORDER_STATUS_ALLOCATED
                                                          : ORDER_STATUS_CONFIRMED;
    return order_transition(order, to, err);
}

static enum err_code pay_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct pay_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct app_payments_view *view = arg->out;
    enum err_code code = pay_load(ctx, conn, arg->id, view, err);
    if (code == ERR_OK && view->order.version != arg->version) {
        code = err_set(err, ERR_CONFLICT, NULL, "order %s changed meanwhile; try again",
                       view->order.number);
    }
    struct order *order = &view->order;
    arg->auth.recorded = false;
    if (code == ERR_OK) {
        code = app_payment_auth_record(ctx, conn, order, &arg->auth, err);
    }
    write->result = view;
    if (code != ERR_OK || !arg->auth.approved) {
        return code; /* a decline is recorded; the hold stays */
    }
    code = pay_void_old(ctx, conn, view, err);
    if (code == ERR_OK) {
        code = pay_recapture(ctx, conn, view, &arg->auth, err);
    }
    if (code == ERR_OK) {
        order->payment_provider = arg->auth.provider->name;
        code = pay_release(order, err);
    }
    int64_t expected = order->version;
    order->version = expected + 1;
    order->updated_at_ms = ctx->now_ms;
    if (code == ERR_OK) {
        code = store_order_update(conn, order, expected, err);
    }
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order->id, "order.released",
                             "{\"reason\":\"payment_succeeded\"}", err);
    }
    if (code == ERR_OK) {
        code = app_metrics_order(ctx, conn, order->id, order->customer_id, err);
    }
    if (code == ERR_OK) {
        code = pay_load(ctx, conn, arg->id, view, err); /* the answer: what is now recorded */
    }
    return code;
}

/* A key this principal already used for a new payment: the first answer, read before
 * anything is authorized again (*replayed). 422 idempotency_key_reused for another body. */
static enum err_code pay_replay(struct app_ctx *ctx, struct app_idempotency *idem, struct err *err)
{
    if (idem == NULL || idem->key == NULL) {
        return ERR_OK;
    }
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *scope = ctx->principal->key_id != NULL ? ctx->principal->key_id : "";
    struct idempotency_record found;
    code = store_idempotency_get(conn, ctx->arena, scope, idem->key, &found, err);
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        return ERR_OK;
    }
    if (code == ERR_OK && !id_equal_secret(found.request_hash, idem->request_hash, ID_HASH_BYTES)) {
        return err_set_reason(err, ERR_INVALID, "idempotency_key_reused", "Idempotency-Key",
                              "idempotency key was already used with another request");
    }
    if (code == ERR_OK) {
        idem->replayed = true;
        idem->status = found.status;
        idem->body = found.body;
    }
    return code;
}

/* What the order may be charged: its capturable total, or for an exchange order only the
 * difference its return charges (the amount of its authorization that names the return). */
static int64_t pay_chargeable(const struct app_payments_view *view)
{
    int64_t capturable = payment_order_capturable(&view->order);
    for (size_t i = 0; i < view->count; i++) {
        const struct payment_txn *txn = &view->txns[i];
        if (txn->kind == PAYMENT_KIND_AUTHORIZE && txn->return_id != NULL) {
            return txn->amount < capturable ? txn->amount : capturable;
        }
    }
    return capturable;
}

/* Reads the order and authorizes what it still owes with the new payment. */
static enum err_code pay_authorize(struct app_ctx *ctx, const struct app_payment_input *input,
                                   struct pay_arg *arg, struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = pay_load(ctx, conn, arg->id, arg->out, err);
    app_read_end(ctx, conn);
    struct order *order = &arg->out->order;
    if (code == ERR_OK && !pay_held_for_payment(order)) {
        code = err_set(err, ERR_STATE, NULL, "order %s is not held for a payment", order->number);
    }
    if (code != ERR_OK) {
        return code;
    }
    arg->version = order->version;
    struct order owed = *order;
    owed.payment_provider = input->provider;
    owed.totals.total = pay_chargeable(arg->out) - arg->out->totals.captured;
    if (owed.totals.total < 0) {
        owed.totals.total = 0;
    }
    return app_payment_authorize(ctx, &owed, input->card, &arg->auth, err);
}

enum err_code app_order_payment_add(struct app_ctx *ctx, const char *id,
                                    const struct app_payment_input *input,
                                    struct app_idempotency *idem, struct app_payments_view *out,
                                    struct err *err)
{
    ASSERT(ctx != NULL && id != NULL && input != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    enum err_code code = app_require(ctx, PERM_ORDERS_MANAGE, err);
    if (code == ERR_OK && input->provider == NULL) {
        code = err_set(err, ERR_INVALID, "provider", "provider is required");
    }
    if (code == ERR_OK) {
        code = pay_replay(ctx, idem, err);
    }
    if (code != ERR_OK || (idem != NULL && idem->replayed)) {
        return code;
    }
    struct pay_arg arg = {.id = id, .out = out};
    code = pay_authorize(ctx, input, &arg, err);
    if (code != ERR_OK) {
        return code;
    }
    bool declined = arg.auth.provider != NULL && !arg.auth.approved;
    /* A decline commits (it is recorded) but answers 422: no key is kept for it. */
    struct app_write write = {
        .ctx = ctx, .idem = declined ? NULL : idem, .run = pay_run, .arg = &arg};
    code = app_write_run(&write, err);
    app_payment_abandon(ctx, &arg.auth, code == ERR_OK && !(write.idem != NULL && idem->replayed));
    if (code == ERR_OK && declined) {
        code = err_set_reason(err, ERR_INVALID, "payment_declined", "card",
                              "the payment was declined: %s",
                              arg.auth.error != NULL ? arg.auth.error : "");
    }
    return code;
}
