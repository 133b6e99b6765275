/*
 * payment_auth.c — authorizations (README "Payments"): at order capture the request thread
 * authorizes the order's total before the writer command (the total is known after pricing),
 * the command puts the order on_hold when the payment was declined or a business customer on
 * manual payment is over the credit limit, and records the authorization; an authorization
 * no committed command recorded is voided. Also the list of an order's transactions and a new
 * payment for an order held for a payment reason.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/payment_provider.h"
#include "core/limits.h"
#include "core/payment.h"
#include "lib/log.h"

#define PAYMENTS_DAY_MS ((int64_t)86400000)

/* The provider named in an order's payment object, with its card checked. */
static enum err_code auth_provider(struct app_ctx *ctx, const char *name, const char *card,
                                   const struct payment_provider **out, struct err *err)
{
    *out = app_payment_provider(ctx->app, name != NULL ? name : "manual");
    if (*out == NULL) {
        return err_set(err, ERR_INVALID, "payment.provider",
                       "payment provider must be manual, sandbox or stripe (when configured), "
                       "got '%s'",
                       name);
    }
    if (card != NULL && strlen(card) > PAYMENT_CARD_LEN_MAX) {
        return err_set(err, ERR_INVALID, "payment.card", "card longer than %d characters",
                       PAYMENT_CARD_LEN_MAX);
    }
    return (*out)->validate_card(card, err);
}

/* Asks the provider to authorize amount; fills auth. */
static enum err_code auth_call(struct app_ctx *ctx, const char *order_id, const char *card,
                               struct app_payment_auth *auth, struct err *err)
{
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    auth->txn_id = arena_strdup(ctx->arena, id);
    if (auth->txn_id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct payment_request request = {
        .txn_id = auth->txn_id,
        .order_id = order_id,
        .currency = auth->currency,
        .amount = auth->amount,
        .card = card,
    };
    struct payment_result result;
    const struct payment_provider *provider = auth->provider;
    enum err_code code = provider->authorize(provider, ctx->arena, &request, &result, err);
    if (code != ERR_OK) {
        return code;
    }
    auth->approved = result.approved;
    auth->provider_ref = result.provider_ref;
    auth->error = result.approved ? NULL : arena_strdup(ctx->arena, result.error);
    return ERR_OK;
}

enum err_code app_payment_authorize(struct app_ctx *ctx, const struct order *order,
                                    const char *card, struct app_payment_auth *auth,
                                    struct err *err)
{
    ASSERT(ctx != NULL && order != NULL && auth != NULL);
    memset(auth, 0, sizeof(*auth));
    const struct payment_provider *provider = NULL;
    enum err_code code = auth_provider(ctx, order->payment_provider, card, &provider, err);
    if (code != ERR_OK || order->totals.total == 0) {
        return code; /* nothing to authorize for a total of 0 */
    }
    auth->provider = provider;
    auth->amount = order->totals.total;
    auth->currency = order->currency;
    /* A remote provider's payment method id is kept (an exchange charges it again); a card
     * number never is. */
    auth->payment_method = provider->in_process ? NULL : card;
    return auth_call(ctx, NULL, card, auth, err);
}

enum err_code app_payment_over_limit(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct order *order, int64_t amount, bool *over,
                                     struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && over != NULL);
    *over = false;
    if (order->customer_id == NULL || strcmp(order->payment_provider, "manual") != 0) {
        return ERR_OK;
    }
    struct customer customer;
    enum err_code code =
        store_customer_get_brief(conn, ctx->arena, order->customer_id, &customer, err);
    if (code != ERR_OK) {
        return code;
    }
    if (customer.type != CUSTOMER_TYPE_BUSINESS || !customer.has_credit_limit) {
        return ERR_OK;
    }
    int64_t since = ctx->now_ms - (int64_t)customer.payment_terms_days * PAYMENTS_DAY_MS;
    int64_t open = 0;
    code = store_payment_open_balance(conn, customer.id, order->id != NULL ? order->id : "", since,
                                      &open, err);
    if (code == ERR_OK) {
        *over = open + amount > customer.credit_limit;
    }
    return code;
}

enum err_code app_payment_capture_hold(struct app_ctx *ctx, struct store_conn *conn,
                                       struct order *order, const struct app_payment_auth *auth,
                                       struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && auth != NULL);
    const char *reason = NULL;
    if (auth->provider != NULL && !auth->approved) {
        reason = "payment_declined";
    } else if (!auth->exchange && !auth->customer_new) {
        bool over = false;
        enum err_code code =
            app_payment_over_limit(ctx, conn, order, order->totals.total, &over, err);
        if (code != ERR_OK) {
            return code;
        }
        reason = over ? "credit_limit" : NULL;
    }
    if (reason == NULL) {
        return ERR_OK;
    }
    enum err_code code = order_transition(order, ORDER_STATUS_ON_HOLD, err);
    if (code == ERR_OK) {
        order->hold_reason = reason;
    }
    return code;
}

enum err_code app_payment_auth_record(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct order *order, struct app_payment_auth *auth,
                                      struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && auth != NULL);
    if (auth->provider == NULL) {
        return ERR_OK;
    }
    struct payment_txn txn = {
        .id = auth->txn_id,
        .order_id = order->id,
        .kind = PAYMENT_KIND_AUTHORIZE,
        .amount = auth->amount,
        .currency = auth->currency,
        .status = auth->approved ? PAYMENT_STATUS_SUCCEEDED : PAYMENT_STATUS_FAILED,
        .provider = auth->provider->name,
        .provider_ref = auth->provider_ref,
        .error = auth->error,
        .payment_method = auth->payment_method,
    };
    enum err_code code = app_payment_record(ctx, conn, &txn, err);
    if (code == ERR_OK) {
        auth->recorded = true;
    }
    return code;
}

enum err_code app_payment_capture_record(struct app_ctx *ctx, struct store_conn *conn,
                                         const struct order *order, struct app_payment_auth *auth,
                                         struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && auth != NULL);
    enum err_code code = app_payment_auth_record(ctx, conn, order, auth, err);
    if (code == ERR_OK && order->status == ORDER_STATUS_ON_HOLD && order->hold_reason != NULL) {
        const char *data = arena_sprintf(ctx->arena, "{\"reason\":\"%s\"}", order->hold_reason);
        code = app_event_add(conn, ctx, order->id, "order.held", data, err);
    }
    return code;
}

void app_payment_abandon(struct app_ctx *ctx, struct app_payment_auth *auth, bool committed)
{
    ASSERT(ctx != NULL && auth != NULL);
    if (auth->provider == NULL || !auth->approved || (committed && auth->recorded)) {
        return;
    }
    struct payment_request request = {
        .txn_id = auth->txn_id,
        .currency = auth->currency,
        .amount = auth->amount,
        .provider_ref = auth->provider_ref,
    };
    struct payment_result result;
    struct err err = {0};
    const struct payment_provider *provider = auth->provider;
    if (provider->void_auth(provider, ctx->arena, &request, &result, &err) != ERR_OK) {
        log_error("payments: cannot void abandoned authorization %s: %s",
                  auth->provider_ref != NULL ? auth->provider_ref : auth->txn_id, err.message);
    }
    auth->approved = false;
}
