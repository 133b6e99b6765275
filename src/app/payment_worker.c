/*
 * payment_worker.c — the payments worker: one thread that performs the calls a remote
 * provider (stripe) needs after their command committed — captures at ship, voids at
 * cancel, refunds, an exchange's authorization — and records each outcome in a writer
 * command of its own. It wakes when a command records a pending transaction and every
 * PAYMENTS_POLL_MS anyway, so pending transactions left by a stop or a crash are resumed
 * after the next start. A call that could not reach the provider stays pending and is tried
 * again after PAYMENTS_RETRY_MS.
 * The worker never runs on the writer thread and holds no writer command open while it
 * waits for the network.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "app/payment_provider.h"
#include "lib/clock.h"
#include "lib/log.h"

#define PAYMENTS_POLL_MS     250
#define PAYMENTS_RETRY_MS    2000
#define PAYMENTS_BATCH_MAX   32
#define PAYMENTS_ARENA_BYTES ((size_t)4 * 1024 * 1024)

struct app_payments {
    const struct payment_provider *stripe; /* NULL when not configured */
    pthread_t thread;
    bool running;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    bool woken; /* guarded by mutex */
    bool stop;  /* guarded by mutex */
};

/* The worker acts for the system, as an admin would. */
static const struct principal payments_principal = {.role = ROLE_ADMIN, .key_id = "payments"};

const struct payment_provider *app_payments_stripe(struct app *app)
{
    ASSERT(app != NULL);
    return app->payments != NULL ? app->payments->stripe : NULL;
}

void app_payments_wake(struct app *app)
{
    ASSERT(app != NULL);
    struct app_payments *payments = app->payments;
    if (payments == NULL) {
        return;
    }
    pthread_mutex_lock(&payments->mutex);
    payments->woken = true;
    pthread_cond_signal(&payments->wake);
    pthread_mutex_unlock(&payments->mutex);
}

struct complete_arg {
    struct payment_txn *txn; /* with its outcome */
};

static enum err_code complete_run(struct app_write *write, struct store_conn *conn, struct err *err)
{
    struct complete_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    struct payment_txn *txn = arg->txn;
    txn->updated_at_ms = ctx->now_ms;
    bool updated = false;
    enum err_code code = store_payment_complete(conn, txn, &updated, err);
    if (code != ERR_OK || !updated) {
        return code; /* completed by someone else: nothing more to do */
    }
    const char *kind =
        arena_sprintf(ctx->arena, "order.payment_%s_%s", payment_kind_name(txn->kind),
                      payment_status_name(txn->status));
    if (kind == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    code = app_event_add(conn, ctx, txn->order_id, kind, app_payment_event_data(ctx, txn), err);
    if (code == ERR_OK && txn->kind == PAYMENT_KIND_CAPTURE &&
        txn->status == PAYMENT_STATUS_FAILED) {
        code = app_payment_flag_capture_failed(ctx, conn, txn->order_id, err);
    }
    if (code == ERR_OK && txn->kind == PAYMENT_KIND_AUTHORIZE &&
        txn->status == PAYMENT_STATUS_FAILED) {
        code = app_payment_flag_declined(ctx, conn, txn->order_id, err); /* an exchange's */
    }
    return code;
}

/* Performs one pending call; false when the provider could not be reached (try later). */
static bool payments_perform(struct app_ctx *ctx, struct payment_txn *txn)
{
    const struct payment_provider *provider = app_payment_provider(ctx->app, txn->provider);
    if (provider == NULL || provider->in_process) {
        return true; /* not configured here: left pending for a server that has it */
    }
    struct err err = {0};
    struct store_conn *conn = NULL;
    struct payment_txn *txns = NULL;
    size_t count = 0;
    enum err_code code = app_read_begin(ctx, &conn, &err);
    if (code == ERR_OK) {
        code = store_payment_list_by_order(conn, ctx->arena, txn->order_id, &txns, &count, &err);
        app_read_end(ctx, conn);
    }
    if (code != ERR_OK) {
        log_error("payments: cannot read order %s: %s", txn->order_id, err.message);
        return false;
    }
    struct payment_request request = {
        .txn_id = txn->id,
        .order_id = txn->order_id,
        .currency = txn->currency,
        .amount = txn->amount,
        .provider_ref = app_payment_auth_ref(txns, count, provider->name),
    };
    payment_call_fn call = txn->kind == PAYMENT_KIND_CAPTURE ? provider->capture
                           : txn->kind == PAYMENT_KIND_VOID  ? provider->void_auth
                                                             : provider->refund;
    if (txn->kind == PAYMENT_KIND_AUTHORIZE) {
        /* An exchange's difference, on the original order's payment method. */
        call = provider->authorize;
        request.card = txn->payment_method;
        request.provider_ref = NULL;
    }
    struct payment_result result;
    code = call(provider, ctx->arena, &request, &result, &err);
    if (code != ERR_OK) {
        log_error("payments: %s %s of order %s: %s", provider->name, payment_kind_name(txn->kind),
                  txn->order_id, err.message);
        return false;
    }
    txn->status = result.approved ? PAYMENT_STATUS_SUCCEEDED : PAYMENT_STATUS_FAILED;
    txn->provider_ref = result.provider_ref;
    txn->error = result.approved ? NULL : arena_strdup(ctx->arena, result.error);
    struct complete_arg arg = {.txn = txn};
    struct app_write write = {.ctx = ctx, .run = complete_run, .arg = &arg};
    code = app_write_run(&write, &err);
    if (code != ERR_OK) {
        log_error("payments: cannot record %s of order %s: %s", payment_kind_name(txn->kind),
                  txn->order_id, err.message);
        return false;
    }
    return true;
}

/* One round over the pending transactions; false when one must be retried later. */
static bool payments_round(struct app *app, struct arena *arena)
{
    arena_reset(arena);
    struct app_ctx ctx = {
        .app = app, .principal = &payments_principal, .arena = arena, .now_ms = clock_now_ms()};
    struct err err = {0};
    struct store_conn *conn = NULL;
    struct payment_txn *pending = NULL;
    size_t count = 0;
    enum err_code code = app_read_begin(&ctx, &conn, &err);
    if (code == ERR_OK) {
        code = store_payment_list_pending(conn, arena, PAYMENTS_BATCH_MAX, &pending, &count, &err);
        app_read_end(&ctx, conn);
    }
    if (code != ERR_OK) {
        log_error("payments: cannot list pending transactions: %s", err.message);
        return false;
    }
    bool all = true;
    for (size_t i = 0; i < count && all; i++) {
        /* In order, stopping at the first that must wait: a void never overtakes a capture. */
        ctx.now_ms = clock_now_ms();
        all = payments_perform(&ctx, &pending[i]);
    }
    return all;
}

/* Waits up to ms or until woken; true when asked to stop. */
static bool payments_wait(struct app_payments *payments, int64_t ms)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += (time_t)(ms / 1000);
    until.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
        until.tv_sec += 1;
        until.tv_nsec -= 1000000000L;
    }
    pthread_mutex_lock(&payments->mutex);
    int rc = 0;
    while (!payments->stop && !payments->woken && rc != ETIMEDOUT) {
        rc = pthread_cond_timedwait(&payments->wake, &payments->mutex, &until);
    }
    payments->woken = false;
    bool stop = payments->stop;
    pthread_mutex_unlock(&payments->mutex);
    return stop;
}

static void *payments_main(void *arg)
{
    struct app *app = arg;
    struct arena arena;
    arena_init(&arena, PAYMENTS_ARENA_BYTES);
    bool stop = false;
    while (!stop) {
        bool done = payments_round(app, &arena);
        stop = payments_wait(app->payments, done ? PAYMENTS_POLL_MS : PAYMENTS_RETRY_MS);
    }
    arena_release(&arena);
    return NULL;
}

enum err_code app_payments_start(struct app *app, const struct payment_provider *stripe,
                                 struct err *err)
{
    ASSERT(app != NULL && app->payments == NULL);
    struct app_payments *payments = calloc(1, sizeof(*payments));
    if (payments == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    payments->stripe = stripe;
    pthread_mutex_init(&payments->mutex, NULL);
    pthread_cond_init(&payments->wake, NULL);
    app->payments = payments;
    if (pthread_create(&payments->thread, NULL, payments_main, app) != 0) {
        app_payments_stop(app);
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the payments worker");
    }
    payments->running = true;
    return ERR_OK;
}

void app_payments_stop(struct app *app)
{
    ASSERT(app != NULL);
    struct app_payments *payments = app->payments;
    if (payments == NULL) {
        return;
    }
    if (payments->running) {
        pthread_mutex_lock(&payments->mutex);
        payments->stop = true;
        pthread_cond_signal(&payments->wake);
        pthread_mutex_unlock(&payments->mutex);
        pthread_join(payments->thread, NULL);
    }
    pthread_cond_destroy(&payments->wake);
    pthread_mutex_destroy(&payments->mutex);
    app->payments = NULL;
    free(payments);
}
