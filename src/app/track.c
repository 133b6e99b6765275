/*
 * track.c — customer self-service (issue 8): an order found by its number and the customer's
 * e-mail, for GET /v1/track with no key. The look-up acts as a customer principal scoped to
 * that e-mail, so it can only ever reach that customer's orders; a wrong number or a wrong
 * e-mail is the same "not found". Misses are counted per number, per e-mail and per client
 * address in the table the sign-in lock-out uses (keys "track:n:<number>", "track:e:<email>"
 * and "track:ip:<address>"); past APP_TRACK_MISSES_MAX (APP_TRACK_IP_MISSES_MAX for an
 * address) in the window they answer ERR_BUSY, so neither can be guessed.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"
#include "lib/str.h"

#define TRACK_PAGES_MAX 50 /* pages of the customer's orders searched for the number */

struct track_keys {
    const char *number_key;
    const char *email_key;
    const char *ip_key; /* "track:ip:<address>", or NULL when the address is unknown */
};

/* Misses of a key in the window: how many and the oldest. */
static enum err_code track_misses(struct app_ctx *ctx, const struct track_keys *keys,
                                  int64_t *retry_after_s, struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *all[3] = {keys->number_key, keys->email_key, keys->ip_key};
    const int64_t max[3] = {APP_TRACK_MISSES_MAX, APP_TRACK_MISSES_MAX, APP_TRACK_IP_MISSES_MAX};
    int64_t since_ms = ctx->now_ms - APP_LOGIN_WINDOW_MS;
    for (size_t i = 0; i < 3 && all[i] != NULL && code == ERR_OK && *retry_after_s == 0; i++) {
        int64_t count = 0;
        int64_t oldest_ms = 0;
        code = store_login_failures_count(conn, all[i], since_ms, &count, &oldest_ms, err);
        if (code == ERR_OK && count >= max[i]) {
            int64_t wait_ms = oldest_ms + APP_LOGIN_WINDOW_MS - ctx->now_ms;
            *retry_after_s = wait_ms <= 0 ? 1 : (wait_ms + 999) / 1000;
        }
    }
    app_read_end(ctx, conn);
    return code;
}

static enum err_code track_miss_run(struct app_write *write, struct store_conn *conn,
                                    struct err *err)
{
    const struct track_keys *keys = write->arg;
    int64_t now_ms = write->ctx->now_ms;
    int64_t forget_ms = now_ms - APP_LOGIN_WINDOW_MS;
    enum err_code code = store_login_failure_add(conn, keys->number_key, now_ms, forget_ms, err);
    if (code == ERR_OK) {
        code = store_login_failure_add(conn, keys->email_key, now_ms, forget_ms, err);
    }
    if (code == ERR_OK && keys->ip_key != NULL) {
        code = store_login_failure_add(conn, keys->ip_key, now_ms, forget_ms, err);
    }
    return code;
}

/* Searches the customer's orders (as that customer) for the number; ERR_NOT_FOUND if none. */
static enum err_code track_find(struct app_ctx *ctx, const char *number, struct order *out,
                                struct err *err)
{
    struct order_filter filter;
    memset(&filter, 0, sizeof(filter));
    filter.customer_email = ctx->principal->scope_customer;
    filter.limit = PAGE_LIMIT_MAX;
    for (int page = 0; page < TRACK_PAGES_MAX; page++) {
        struct order *orders = NULL;
        size_t count = 0;
        const char *next = NULL;
        enum err_code code = app_order_list(ctx, &filter, &orders, &count, &next, err);
        if (code != ERR_OK) {
            return code;
        }
        for (size_t i = 0; i < count; i++) {
            if (strcmp(orders[i].number, number) == 0) {
                *out = orders[i];
                return ERR_OK;
            }
        }
        if (next == NULL) {
            break;
        }
        filter.before_id = next;
    }
    return err_set(err, ERR_NOT_FOUND, NULL, "no order with that number and e-mail");
}

/* The order's shipments and the locations a return may be brought to. */
static enum err_code track_shipments(struct app_ctx *ctx, struct app_track *out, struct err *err)
{
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    code = store_shipment_list_by_order(conn, ctx->arena, out->order.id, &out->shipments,
                                        &out->shipments_count, err);
    app_read_end(ctx, conn);
    static const struct principal reader = {.role = ROLE_SUPPORT};
    struct app_ctx as_reader = *ctx;
    as_reader.principal = &reader;
    struct location *all = NULL;
    size_t count = 0;
    if (code == ERR_OK) {
        code = app_location_list(&as_reader, &all, &count, err);
    }
    out->return_locations = all;
    out->return_locations_count = 0;
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        if (all[i].active && (all[i].capabilities & LOCATION_CAP_RETURN) != 0) {
            all[out->return_locations_count++] = all[i];
        }
    }
    return code;
}

/* Checks the inputs and makes the limiter's keys; the number is compared as given. */
static enum err_code track_check(struct app_ctx *ctx, const struct app_track_ask *ask,
                                 struct track_keys *keys, struct err *err)
{
    const char *number = ask->number;
    const char *email = ask->email;
    if (number == NULL || number[0] == '\0' || strlen(number) > APP_TRACK_NUMBER_LEN_MAX) {
        return err_set(err, ERR_INVALID, "number", "number must be 1 to %d characters",
                       APP_TRACK_NUMBER_LEN_MAX);
    }
    if (email == NULL || !order_email_is_valid(email)) {
        return err_set(err, ERR_INVALID, "email", "invalid e-mail address");
    }
    const char *lower = app_email_normalize(ctx->arena, email);
    keys->number_key = arena_sprintf(ctx->arena, "track:n:%s", number);
    keys->email_key = lower == NULL ? NULL : arena_sprintf(ctx->arena, "track:e:%s", lower);
    keys->ip_key =
        ask->client_ip == NULL ? NULL : arena_sprintf(ctx->arena, "track:ip:%s", ask->client_ip);
    if (keys->number_key == NULL || keys->email_key == NULL ||
        (ask->client_ip != NULL && keys->ip_key == NULL)) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

enum err_code app_track(struct app_ctx *ctx, struct app_track_ask *ask, struct app_track *out,
                        struct err *err)
{
    ASSERT(ctx != NULL && ask != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    ask->retry_after_s = 0;
    struct track_keys keys = {NULL, NULL, NULL};
    enum err_code code = track_check(ctx, ask, &keys, err);
    if (code == ERR_OK) {
        code = track_misses(ctx, &keys, &ask->retry_after_s, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (ask->retry_after_s > 0) {
        return err_set_reason(err, ERR_BUSY, "rate_limited", NULL,
                              "too many look-ups that found nothing: try again in %lld seconds",
                              (long long)ask->retry_after_s);
    }
    struct principal customer = {.role = ROLE_CUSTOMER,
                                 .scope_customer = app_email_normalize(ctx->arena, ask->email)};
    struct app_ctx as_customer = *ctx;
    as_customer.principal = &customer;
    code = track_find(&as_customer, ask->number, &out->order, err);
    if (code == ERR_NOT_FOUND) {
        struct err saved = *err;
        static const struct principal nobody = {.role = ROLE_ANALYST};
        struct app_ctx write_ctx = *ctx;
        write_ctx.principal = &nobody;
        struct app_write write = {.ctx = &write_ctx, .run = track_miss_run, .arg = &keys};
        code = app_write_run(&write, err);
        if (code == ERR_OK) {
            *err = saved;
            code = ERR_NOT_FOUND;
        }
        return code;
    }
    if (code != ERR_OK) {
        return code;
    }
    return track_shipments(ctx, out, err);
}

enum err_code app_track_return(struct app_ctx *ctx, struct app_track_ask *ask,
                               struct app_return_input *in, struct app_return_view *out,
                               struct err *err)
{
    ASSERT(ctx != NULL && ask != NULL && in != NULL && out != NULL);
    struct app_track track;
    enum err_code code = app_track(ctx, ask, &track, err);
    if (code != ERR_OK) {
        return code;
    }
    if (track.order.id == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "the tracked order has no id");
    }
    if (in->order_id != NULL && strcmp(in->order_id, track.order.id) != 0) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no order with that number and e-mail");
    }
    if (in->resolution != NULL && strcmp(in->resolution, "refund") != 0) {
        return err_set(err, ERR_INVALID, "resolution",
                       "a return started here is refunded; ask the store for an exchange");
    }
    in->order_id = track.order.id;
    in->resolution = "refund";
    in->exchange_lines_count = 0;
    /* The customer proved who they are with number and e-mail: the return is made by the
     * least-privileged principal there is (core/auth.h ROLE_SELF_SERVICE): it may manage that
     * customer's orders only, read nothing, touch no location, and lives for this one call. */
    struct principal self_service = {.role = ROLE_SELF_SERVICE,
                                     .key_id = "self-service",
                                     .scope_customer = track.order.customer_email};
    struct app_ctx as_customer = *ctx;
    as_customer.principal = &self_service;
    return app_return_create(&as_customer, in, NULL, out, err);
}
