/*
 * payment_exchange.c — the charge of an exchange whose replacement is dearer than what comes
 * back (README "Returns and exchanges"): the difference is authorized on the exchange order
 * through the original order's provider and payment, in the command that creates the
 * exchange order, and captured like any order's total when the exchange order ships.
 *
 *   manual:  on account; a business customer over its credit limit → on_hold credit_limit.
 *   sandbox: on the card of the original authorization, whose reference carries the test
 *            card's behaviour (no card number is stored).
 *   stripe:  a new PaymentIntent on the original PaymentMethod (kept with the original
 *            authorization, migration 013), recorded pending and made by the payments
 *            worker after the commit (no network call on the writer thread).
 * A decline, or an original order with no authorization to charge again, puts the exchange
 * order on_hold payment_declined, as a declined order is; a new payment releases it.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/payment_provider.h"
#include "core/payment.h"

/* The original order's newest succeeded authorization with provider, or NULL. */
static const struct payment_txn *exch_source(const struct payment_txn *txns, size_t count,
                                             const char *provider)
{
    for (size_t i = count; i > 0; i--) {
        const struct payment_txn *txn = &txns[i - 1];
        if (txn->kind == PAYMENT_KIND_AUTHORIZE && txn->status == PAYMENT_STATUS_SUCCEEDED &&
            strcmp(txn->provider, provider) == 0) {
            return txn;
        }
    }
    return NULL;
}

/* Puts order on_hold for reason (when its status still allows) and saves it, event
 * "order.held". */
static enum err_code exch_hold(struct app_ctx *ctx, struct store_conn *conn, struct order *order,
                               const char *reason, struct err *err)
{
    enum err_code code = ERR_OK;
    if (order->status != ORDER_STATUS_ON_HOLD &&
        order_status_can_transition(order->status, ORDER_STATUS_ON_HOLD)) {
        code = order_transition(order, ORDER_STATUS_ON_HOLD, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    order->hold_reason = reason;
    int64_t expected = order->version;
    order->version = expected + 1;
    order->updated_at_ms = ctx->now_ms;
    code = store_order_update(conn, order, expected, err);
    if (code == ERR_OK) {
        const char *data = arena_sprintf(ctx->arena, "{\"reason\":\"%s\"}", reason);
        code = app_event_add(conn, ctx, order->id, "order.held", data, err);
    }
    if (code == ERR_OK) {
        code = app_metrics_order(ctx, conn, order->id, order->customer_id, err);
    }
    return code;
}

/* Asks an in-process provider to authorize txn on the original authorization source. */
static enum err_code exch_call(struct app_ctx *ctx, const struct payment_provider *provider,
                               const struct payment_txn *source, struct payment_txn *txn,
                               struct err *err)
{
    struct payment_request request = {.txn_id = txn->id,
                                      .order_id = txn->order_id,
                                      .currency = txn->currency,
                                      .amount = txn->amount,
                                      .provider_ref = source->provider_ref};
    struct payment_result result;
    enum err_code code = provider->authorize(provider, ctx->arena, &request, &result, err);
    if (code != ERR_OK) {
        return code;
    }
    txn->status = result.approved ? PAYMENT_STATUS_SUCCEEDED : PAYMENT_STATUS_FAILED;
    txn->provider_ref = result.provider_ref;
    txn->error = result.approved ? NULL : arena_strdup(ctx->arena, result.error);
    return ERR_OK;
}

/* Makes (in process) or leaves pending (remote) the authorization txn of the difference. */
static enum err_code exch_authorize(struct app_ctx *ctx, const struct payment_provider *provider,
                                    const struct payment_txn *source, struct payment_txn *txn,
                                    struct err *err)
{
    bool usable = source != NULL && (provider->in_process || source->payment_method != NULL);
    if (strcmp(provider->name, payment_provider_manual.name) == 0) {
        txn->status = PAYMENT_STATUS_SUCCEEDED; /* on account: nothing is charged */
        return ERR_OK;
    }
    if (!usable) {
        txn->status = PAYMENT_STATUS_FAILED;
        txn->error = "no_payment_method"; /* the original order has no payment to charge */
        return ERR_OK;
    }
    if (!provider->in_process) {
        txn->status = PAYMENT_STATUS_PENDING; /* the payments worker makes it */
        txn->payment_method = source->payment_method;
        return ERR_OK;
    }
    return exch_call(ctx, provider, source, txn, err);
}

enum err_code app_payment_exchange_charge(struct app_ctx *ctx, struct store_conn *conn,
                                          const struct app_exchange_charge *charge, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && charge != NULL);
    const struct order *original = charge->original;
    struct order *exchange = charge->exchange;
    int64_t amount = charge->amount;
    ASSERT(original != NULL && exchange != NULL);
    if (amount <= 0) {
        return ERR_OK;
    }
    const struct payment_provider *provider =
        app_payment_provider(ctx->app, original->payment_provider);
    if (provider == NULL) {
        return err_set_reason(err, ERR_STATE, "payment_provider_unavailable", NULL,
                              "payment provider '%s' is not configured on this server",
                              original->payment_provider);
    }
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code =
        store_payment_list_by_order(conn, ctx->arena, original->id, &txns, &count, err);
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    struct payment_txn txn = {.id = arena_strdup(ctx->arena, id),
                              .order_id = exchange->id,
                              .kind = PAYMENT_KIND_AUTHORIZE,
                              .amount = amount,
                              .currency = exchange->currency,
                              .provider = provider->name,
                              .return_id = charge->return_id};
    if (code == ERR_OK && txn.id == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        code = exch_authorize(ctx, provider, exch_source(txns, count, provider->name), &txn, err);
    }
    if (code == ERR_OK) {
        code = app_payment_record(ctx, conn, &txn, err);
    }
    bool over = false;
    if (code == ERR_OK && txn.status == PAYMENT_STATUS_SUCCEEDED) {
        code = app_payment_over_limit(ctx, conn, exchange, amount, &over, err);
    }
    if (code == ERR_OK && (over || txn.status == PAYMENT_STATUS_FAILED)) {
        code = exch_hold(ctx, conn, exchange, over ? "credit_limit" : "payment_declined", err);
    }
    return code;
}

enum err_code app_payment_flag_declined(struct app_ctx *ctx, struct store_conn *conn,
                                        const char *order_id, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order_id != NULL);
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, order_id, &order, err);
    if (code == ERR_OK) {
        code = exch_hold(ctx, conn, &order, "payment_declined", err);
    }
    return code;
}
