/*
 * payments.c — money through the order's payment provider (README "Payments"): recording
 * transactions, the capture of a shipment's share at ship time, the void of what is left
 * when an order is cancelled, refunds (called by returns), the list of an order's
 * transactions and the refunds <= captures part of `ordo check`.
 *
 * Rule: no network call on the writer thread. An in-process provider (manual, sandbox) is
 * called inside the command and its outcome recorded at once; for a remote one (stripe) the
 * command records the transaction `pending` and the payments worker (payment_worker.c) makes
 * the call after the commit and records the outcome in a command of its own.
 */
#include <stdio.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/payment_provider.h"
#include "core/limits.h"
#include "core/payment.h"
#include "lib/json.h"

const struct payment_provider *app_payment_provider(struct app *app, const char *name)
{
    ASSERT(app != NULL);
    if (name == NULL) {
        return NULL;
    }
    if (strcmp(name, payment_provider_manual.name) == 0) {
        return &payment_provider_manual;
    }
    if (strcmp(name, payment_provider_sandbox.name) == 0) {
        return &payment_provider_sandbox;
    }
    const struct payment_provider *stripe = app_payments_stripe(app);
    if (stripe != NULL && strcmp(name, stripe->name) == 0) {
        return stripe;
    }
    return NULL;
}

/* The provider of an order's transactions; ERR_STATE when this server does not have it. */
static enum err_code payments_provider_of(struct app_ctx *ctx, const char *name,
                                          const struct payment_provider **out, struct err *err)
{
    *out = app_payment_provider(ctx->app, name);
    if (*out == NULL) {
        return err_set_reason(err, ERR_STATE, "payment_provider_unavailable", NULL,
                              "payment provider '%s' is not configured on this server",
                              name != NULL ? name : "");
    }
    return ERR_OK;
}

enum err_code app_payment_record(struct app_ctx *ctx, struct store_conn *conn,
                                 struct payment_txn *txn, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && txn != NULL);
    char id[ID_LEN_MAX];
    if (txn->id == NULL) {
        id_new(id, "pay", ctx->now_ms);
        txn->id = arena_strdup(ctx->arena, id);
        if (txn->id == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
    }
    txn->created_at_ms = ctx->now_ms;
    txn->updated_at_ms = ctx->now_ms;
    enum err_code code = store_payment_insert(conn, txn, err);
    bool quiet = strcmp(txn->provider, "manual") == 0 && txn->kind != PAYMENT_KIND_REFUND &&
                 txn->status == PAYMENT_STATUS_SUCCEEDED;
    if (code != ERR_OK || quiet) {
        return code; /* manual moves no money: listed in its payments, not in the history */
    }
    const char *kind =
        arena_sprintf(ctx->arena, "order.payment_%s_%s", payment_kind_name(txn->kind),
                      payment_status_name(txn->status));
    const char *data = app_payment_event_data(ctx, txn);
    if (kind == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    code = app_event_add(conn, ctx, txn->order_id, kind, data, err);
    if (code == ERR_OK && txn->status == PAYMENT_STATUS_PENDING) {
        app_payments_wake(ctx->app);
    }
    return code;
}

const char *app_payment_event_data(struct app_ctx *ctx, const struct payment_txn *txn)
{
    struct buf buf;
    buf_init(&buf, 1024);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_kv_string(&jw, "payment_id", txn->id);
    jw_kv_string(&jw, "provider", txn->provider);
    jw_kv_int(&jw, "amount", txn->amount);
    jw_kv_string(&jw, "currency", txn->currency);
    if (txn->shipment_id != NULL) {
        jw_kv_string(&jw, "shipment_id", txn->shipment_id);
    }
    if (txn->return_id != NULL) {
        jw_kv_string(&jw, "return_id", txn->return_id);
    }
    if (txn->error != NULL) {
        jw_kv_string(&jw, "error", txn->error);
    }
    jw_object_end(&jw);
    const char *data = jw_finish(&jw) == ERR_OK ? arena_strdup(ctx->arena, buf.ptr) : NULL;
    buf_release(&buf);
    return data;
}

/* The reference of the order's authorization to act on: the newest one that succeeded. */
const char *app_payment_auth_ref(const struct payment_txn *txns, size_t count, const char *provider)
{
    for (size_t i = count; i > 0; i--) {
        const struct payment_txn *txn = &txns[i - 1];
        if (txn->kind == PAYMENT_KIND_AUTHORIZE && txn->status == PAYMENT_STATUS_SUCCEEDED &&
            strcmp(txn->provider, provider) == 0) {
            return txn->provider_ref;
        }
    }
    return NULL;
}

/*
 * Calls an in-process provider for txn (capture, void or refund) and sets its outcome, or
 * leaves it pending for the worker when the provider is remote.
 */
static enum err_code payments_call(struct app_ctx *ctx, const struct payment_provider *provider,
                                   const char *auth_ref, struct payment_txn *txn, struct err *err)
{
    if (!provider->in_process) {
        txn->status = PAYMENT_STATUS_PENDING;
        return ERR_OK;
    }
    struct payment_request request = {
        .txn_id = txn->id,
        .order_id = txn->order_id,
        .currency = txn->currency,
        .amount = txn->amount,
        .provider_ref = auth_ref,
    };
    payment_call_fn call = txn->kind == PAYMENT_KIND_CAPTURE ? provider->capture
                           : txn->kind == PAYMENT_KIND_VOID  ? provider->void_auth
                                                             : provider->refund;
    struct payment_result result;
    enum err_code code = call(provider, ctx->arena, &request, &result, err);
    if (code != ERR_OK) {
        return code;
    }
    txn->status = result.approved ? PAYMENT_STATUS_SUCCEEDED : PAYMENT_STATUS_FAILED;
    txn->provider_ref = result.provider_ref != NULL ? result.provider_ref : auth_ref;
    txn->error = result.approved ? NULL : arena_strdup(ctx->arena, result.error);
    return ERR_OK;
}

enum err_code app_payment_call(struct app_ctx *ctx, struct store_conn *conn,
                               const struct payment_provider *provider, const char *auth_ref,
                               struct payment_txn *txn, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && provider != NULL && txn != NULL);
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    txn->id = arena_strdup(ctx->arena, id);
    txn->provider = provider->name;
    if (txn->id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = payments_call(ctx, provider, auth_ref, txn, err);
    if (code == ERR_OK) {
        code = app_payment_record(ctx, conn, txn, err);
    }
    return code;
}

/* ---- refunds ------------------------------------------------------------------------------ */

enum err_code app_payment_refund(struct app_ctx *ctx, struct store_conn *conn, const char *order_id,
                                 int64_t amount, const char *return_id, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order_id != NULL);
    if (amount == 0) {
        return ERR_OK;
    }
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, order_id, &order, err);
    struct payment_txn *txns = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = store_payment_list_by_order(conn, ctx->arena, order_id, &txns, &count, err);
    }
    struct payment_totals totals;
    if (code == ERR_OK) {
        payment_totals_compute(txns, count, &totals);
        code = payment_refund_check(&totals, amount, err);
    }
    const struct payment_provider *provider = NULL;
    if (code == ERR_OK) {
        code = payments_provider_of(ctx, order.payment_provider, &provider, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct payment_txn txn = {
        .order_id = order_id,
        .kind = PAYMENT_KIND_REFUND,
        .amount = amount,
        .currency = order.currency,
        .provider = provider->name,
        .return_id = return_id,
    };
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    txn.id = arena_strdup(ctx->arena, id);
    if (txn.id == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    code =
        payments_call(ctx, provider, app_payment_auth_ref(txns, count, provider->name), &txn, err);
    if (code == ERR_OK && txn.status == PAYMENT_STATUS_FAILED) {
        return err_set_reason(err, ERR_STATE, "refund_failed", "amount",
                              "provider %s refused the refund: %s", provider->name,
                              txn.error != NULL ? txn.error : "");
    }
    if (code == ERR_OK) {
        code = app_payment_record(ctx, conn, &txn, err);
    }
    return code;
}

/* ---- capture at ship, void at cancel -------------------------------------------------------- */

/* Marks a capture failure on the order in hand (the caller saves it). */
static void payments_mark_capture_failed(struct order *order)
{
    struct err ignored;
    if (order_status_can_transition(order->status, ORDER_STATUS_ON_HOLD) &&
        order_transition(order, ORDER_STATUS_ON_HOLD, &ignored) != ERR_OK) {
        ASSERT(false); /* allowed by the table just asked */
    }
    order->hold_reason = "payment_capture_failed";
}

enum err_code app_payment_flag_capture_failed(struct app_ctx *ctx, struct store_conn *conn,
                                              const char *order_id, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order_id != NULL);
    struct order order;
    enum err_code code = store_order_get(conn, ctx->arena, order_id, &order, err);
    if (code != ERR_OK) {
        return code;
    }
    payments_mark_capture_failed(&order);
    int64_t expected = order.version;
    order.version = expected + 1;
    order.updated_at_ms = ctx->now_ms;
    code = store_order_update(conn, &order, expected, err);
    if (code == ERR_OK) {
        code = app_event_add(conn, ctx, order.id, "order.held",
                             "{\"reason\":\"payment_capture_failed\"}", err);
    }
    if (code == ERR_OK) {
        code = app_metrics_order(ctx, conn, order.id, order.customer_id, err);
    }
    return code;
}

/* Value (qty * unit price) of the allocations of one shipment. */
static int64_t payments_shipment_value(const struct order *order, const char *shipment_id)
{
    int64_t value = 0;
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *allocation = &order->allocations[i];
        if (allocation->shipment_id == NULL || strcmp(allocation->shipment_id, shipment_id) != 0) {
            continue;
        }
        for (size_t l = 0; l < order->lines_count; l++) {
            if (strcmp(order->lines[l].id, allocation->line_id) == 0) {
                value += allocation->qty * order->lines[l].unit_price;
            }
        }
    }
    return value;
}

/* Value of the units in no shipment yet (backordered). */
static int64_t payments_backordered_value(const struct order *order)
{
    int64_t value = 0;
    for (size_t l = 0; l < order->lines_count; l++) {
        value += order->lines[l].qty_backordered * order->lines[l].unit_price;
    }
    return value;
}

/*
 * The split of a capture: one part per shipment not cancelled (the one shipping is target),
 * plus the backordered units; last when no other part is left to ship.
 */
static enum err_code payments_capture_parts(struct app_ctx *ctx, struct store_conn *conn,
                                            const struct order *order,
                                            const struct shipment *shipment,
                                            struct payment_capture_input *in, struct err *err)
{
    struct shipment *shipments = NULL;
    size_t count = 0;
    enum err_code code =
        store_shipment_list_by_order(conn, ctx->arena, order->id, &shipments, &count, err);
    int64_t *weights = ARENA_NEW_ARRAY(ctx->arena, int64_t, count + 1);
    if (code != ERR_OK || weights == NULL) {
        return code != ERR_OK ? code : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t n = 0;
    bool others_open = false;
    in->target = count + 1;
    for (size_t i = 0; i < count; i++) {
        if (shipments[i].status == SHIPMENT_STATUS_CANCELLED) {
            continue;
        }
        bool is_target = strcmp(shipments[i].id, shipment->id) == 0;
        others_open = others_open || (!is_target && shipment_is_open(shipments[i].status));
        in->target = is_target ? n : in->target;
        weights[n++] = payments_shipment_value(order, shipments[i].id);
    }
    ASSERT(in->target < n);
    int64_t backordered = payments_backordered_value(order);
    if (backordered > 0) {
        weights[n++] = backordered;
    }
    in->weights = weights;
    in->count = n;
    in->last = !others_open && backordered == 0;
    in->capturable = payment_order_capturable(order);
    return ERR_OK;
}

/* Succeeded authorizations less voids, plus those still pending (an exchange's difference on
 * stripe, made by the worker before any later capture of the order). */
static int64_t payments_authorized(const struct payment_totals *totals,
                                   const struct payment_txn *txns, size_t count)
{
    int64_t pending = 0;
    for (size_t i = 0; i < count; i++) {
        if (txns[i].kind == PAYMENT_KIND_AUTHORIZE && txns[i].status == PAYMENT_STATUS_PENDING) {
            pending += txns[i].amount;
        }
    }
    return totals->authorized + pending;
}

/* Captures (and pending captures, and failed ones still owed) so far. */
static int64_t payments_captures_so_far(const struct payment_totals *totals,
                                        const struct payment_txn *txns, size_t count)
{
    int64_t pending = 0;
    for (size_t i = 0; i < count; i++) {
        if (txns[i].kind == PAYMENT_KIND_CAPTURE && txns[i].status == PAYMENT_STATUS_PENDING) {
            pending += txns[i].amount;
        }
    }
    return totals->captured + totals->capture_failed + pending;
}

enum err_code app_payment_capture_shipment(struct app_ctx *ctx, struct store_conn *conn,
                                           struct order *order, const struct shipment *shipment,
                                           struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && shipment != NULL);
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code =
        store_payment_list_by_order(conn, ctx->arena, order->id, &txns, &count, err);
    struct payment_totals totals;
    payment_totals_compute(txns, count, &totals);
    int64_t authorized = payments_authorized(&totals, txns, count);
    if (code != ERR_OK || authorized <= 0) {
        return code; /* nothing authorized (a total of 0, or still declined) */
    }
    struct payment_capture_input in = {.already = payments_captures_so_far(&totals, txns, count)};
    code = payments_capture_parts(ctx, conn, order, shipment, &in, err);
    /* Never more than is authorized: an exchange order authorizes only the difference. */
    in.capturable = in.capturable < authorized ? in.capturable : authorized;
    int64_t amount = 0;
    if (code == ERR_OK) {
        code = payment_capture_amount(&in, &amount, err);
    }
    const struct payment_provider *provider = NULL;
    if (code == ERR_OK) {
        code = payments_provider_of(ctx, order->payment_provider, &provider, err);
    }
    if (code != ERR_OK || provider == NULL) {
        return code;
    }
    const char *auth_ref = app_payment_auth_ref(txns, count, provider->name);
    struct payment_txn txn = {.order_id = order->id,
                              .kind = PAYMENT_KIND_CAPTURE,
                              .amount = amount,
                              .currency = order->currency,
                              .shipment_id = shipment->id};
    if (amount > 0) {
        code = app_payment_call(ctx, conn, provider, auth_ref, &txn, err);
    }
    if (code == ERR_OK && txn.status == PAYMENT_STATUS_FAILED) {
        payments_mark_capture_failed(order);
    } else if (code == ERR_OK && in.last) {
        /* The last capture: what is still authorized will never be captured (units cancelled
         * or edited away) and is voided, which releases the card's hold. */
        int64_t pending = in.already - totals.captured - totals.capture_failed;
        struct payment_txn rest = {
            .order_id = order->id,
            .kind = PAYMENT_KIND_VOID,
            .amount = authorized - totals.captured - pending - amount,
            .currency = order->currency,
        };
        if (rest.amount > 0) {
            code = app_payment_call(ctx, conn, provider, auth_ref, &rest, err);
        }
    }
    return code;
}

enum err_code app_payment_void(struct app_ctx *ctx, struct store_conn *conn,
                               const struct order *order, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL);
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code =
        store_payment_list_by_order(conn, ctx->arena, order->id, &txns, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct payment_totals totals;
    payment_totals_compute(txns, count, &totals);
    int64_t left = payments_authorized(&totals, txns, count) - totals.captured;
    if (left <= 0) {
        return ERR_OK;
    }
    const struct payment_provider *provider = NULL;
    code = payments_provider_of(ctx, order->payment_provider, &provider, err);
    if (code != ERR_OK) {
        return code;
    }
    struct payment_txn txn = {
        .order_id = order->id,
        .kind = PAYMENT_KIND_VOID,
        .amount = left,
        .currency = order->currency,
        .provider = provider->name,
    };
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    txn.id = arena_strdup(ctx->arena, id);
    code =
        payments_call(ctx, provider, app_payment_auth_ref(txns, count, provider->name), &txn, err);
    if (code == ERR_OK) {
        code = app_payment_record(ctx, conn, &txn, err);
    }
    return code;
}

/* ---- ordo check ----------------------------------------------------------------------------- */

enum err_code app_payment_check(struct app_ctx *ctx, struct store_conn *conn, struct buf *report,
                                bool *ok, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && report != NULL && ok != NULL);
    const char **ids = NULL;
    size_t count = 0;
    enum err_code code = store_payment_check(conn, ctx->arena, &ids, &count, err);
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        *ok = false;
        if (buf_appendf(report, "order %s: refunds exceed captures\n", ids[i]) != ERR_OK) {
            break; /* the report is full; *ok already says what matters */
        }
    }
    return code;
}

/* ---- order edits ---------------------------------------------------------------------------- */

/* What an edited order holds: its totals, the authorization to replace, what it now needs. */
struct reauth_state {
    struct payment_totals totals;
    const char *old_ref;
    int64_t need; /* > 0: the whole new total must be authorized again */
    const struct payment_provider *provider;
};

static enum err_code reauth_state(struct app_ctx *ctx, struct store_conn *conn,
                                  const struct order *order, struct reauth_state *out,
                                  struct err *err)
{
    memset(out, 0, sizeof(*out));
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code =
        store_payment_list_by_order(conn, ctx->arena, order->id, &txns, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    payment_totals_compute(txns, count, &out->totals);
    out->old_ref = app_payment_auth_ref(txns, count, order->payment_provider);
    int64_t need = payment_order_capturable(order);
    if (need <= out->totals.authorized || (out->totals.authorized == 0 && out->old_ref == NULL)) {
        return ERR_OK; /* covered, or never authorized (declined: a new payment settles it) */
    }
    out->need = need;
    return payments_provider_of(ctx, order->payment_provider, &out->provider, err);
}

enum err_code app_payment_reauth_need(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct order *order, int64_t *need, bool *remote,
                                      struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && need != NULL && remote != NULL);
    struct reauth_state state;
    enum err_code code = reauth_state(ctx, conn, order, &state, err);
    *need = state.need;
    *remote = state.provider != NULL && !state.provider->in_process;
    return code;
}

/* Authorizes the new total in this command (in-process providers only). */
static enum err_code reauth_in_process(struct app_ctx *ctx, const struct order *order,
                                       const struct reauth_state *state,
                                       struct app_payment_auth *auth, struct err *err)
{
    char id[ID_LEN_MAX];
    id_new(id, "pay", ctx->now_ms);
    *auth = (struct app_payment_auth){.provider = state->provider,
                                      .amount = state->need,
                                      .currency = order->currency,
                                      .txn_id = arena_strdup(ctx->arena, id)};
    struct payment_request request = {.txn_id = auth->txn_id,
                                      .order_id = order->id,
                                      .currency = order->currency,
                                      .amount = state->need,
                                      .provider_ref = state->old_ref};
    struct payment_result result;
    const struct payment_provider *provider = state->provider;
    enum err_code code = provider->authorize(provider, ctx->arena, &request, &result, err);
    if (code == ERR_OK && !result.approved) {
        return err_set_reason(err, ERR_INVALID, "payment_declined", "lines",
                              "the larger total %" PRId64 " was declined: %s", state->need,
                              result.error);
    }
    auth->approved = true;
    auth->provider_ref = result.provider_ref;
    return code;
}

enum err_code app_payment_reauthorize(struct app_ctx *ctx, struct store_conn *conn,
                                      const struct order *order, struct app_payment_auth *pre,
                                      struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL);
    struct reauth_state state;
    enum err_code code = reauth_state(ctx, conn, order, &state, err);
    if (code != ERR_OK || state.need == 0) {
        return code;
    }
    struct app_payment_auth local;
    struct app_payment_auth *auth = pre;
    if (pre != NULL && pre->provider != NULL) {
        if (pre->amount != state.need || pre->provider != state.provider) {
            return err_set(err, ERR_CONFLICT, NULL,
                           "order %s changed while the new total was authorized; try again",
                           order->number);
        }
    } else if (state.provider->in_process) {
        auth = &local;
        code = reauth_in_process(ctx, order, &state, auth, err);
    } else {
        return err_set_reason(err, ERR_INVALID, "reauthorization_required", "payment.card",
                              "the edit raises the total of an order paid with %s to %" PRId64
                              ": give a new payment method in payment.card",
                              state.provider->name, state.need);
    }
    /* The whole new total authorized again, then the old authorization voided. */
    struct payment_txn old_void = {.order_id = order->id,
                                   .kind = PAYMENT_KIND_VOID,
                                   .amount = state.totals.authorized,
                                   .currency = order->currency};
    if (code == ERR_OK && state.totals.authorized > 0) {
        code = app_payment_call(ctx, conn, state.provider, state.old_ref, &old_void, err);
    }
    if (code == ERR_OK) {
        code = app_payment_auth_record(ctx, conn, order, auth, err);
    }
    return code;
}
