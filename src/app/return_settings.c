/*
 * return_settings.c — the return settings (window, reasons whose shipping is refunded,
 * cross-ship channels and customers) and the disposition rule table. Reading is for every
 * role that reads returns; changing them needs PERM_ADMIN. Every value is checked before it
 * is stored: an unknown reason, channel or location is a 422 naming the field.
 */
#include <stdio.h>
#include <string.h>

#include "app/returns_int.h"
#include "core/limits.h"

enum err_code app_return_settings_get(struct app_ctx *ctx, struct app_return_settings *out,
                                      struct err *err)
{
    ASSERT(ctx != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct store_conn *conn = NULL;
    enum err_code code = app_read_begin(ctx, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct returns_settings settings;
    code = returns_settings_load(ctx, conn, &settings, err);
    if (code == ERR_OK) {
        code = store_rma_setting_get(conn, ctx->arena, "shipping_refund_reasons",
                                     &out->shipping_refund_reasons, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND) {
        err_clear(err);
        code = ERR_OK;
    }
    out->window_days = settings.window_days;
    out->has_window_days = true;
    out->cross_ship_channels = settings.cross_ship_channels;
    out->cross_ship_customers = settings.cross_ship_customers;
    return code;
}

/* Every item of a comma-separated list passes check (a channel that exists, an e-mail). */
static enum err_code settings_list_check(struct app_ctx *ctx, struct store_conn *conn,
                                         const char *list, bool channels, struct err *err)
{
    const char *field = channels ? "cross_ship_channels" : "cross_ship_customers";
    char item[EMAIL_LEN_MAX + 1];
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        if (n == 0 || n >= sizeof(item)) {
            return err_set(err, ERR_INVALID, field, "%s has an empty or too long item", field);
        }
        memcpy(item, p, n);
        item[n] = '\0';
        if (channels) {
            struct channel channel;
            enum err_code code = store_channel_get(conn, ctx->arena, item, &channel, err);
            if (code == ERR_NOT_FOUND) {
                return err_set(err, ERR_INVALID, field, "no channel '%s'", item);
            }
            if (code != ERR_OK) {
                return code;
            }
        } else if (!order_email_is_valid(item)) {
            return err_set(err, ERR_INVALID, field, "'%s' is not an e-mail address", item);
        }
        p = comma != NULL ? comma + 1 : NULL;
    }
    return ERR_OK;
}

struct settings_put_arg {
    const struct app_return_settings *in;
};

static enum err_code settings_put_run(struct app_write *write, struct store_conn *conn,
                                      struct err *err)
{
    const struct app_return_settings *in = ((struct settings_put_arg *)write->arg)->in;
    struct app_ctx *ctx = write->ctx;
    enum err_code code = ERR_OK;
    if (in->cross_ship_channels != NULL) {
        code = settings_list_check(ctx, conn, in->cross_ship_channels, true, err);
    }
    if (code == ERR_OK && in->cross_ship_customers != NULL) {
        code = settings_list_check(ctx, conn, in->cross_ship_customers, false, err);
    }
    if (code == ERR_OK && in->has_window_days) {
        char days[24];
        (void)snprintf(days, sizeof(days), "%" PRId64, in->window_days);
        code = store_rma_setting_put(conn, "window_days", days, err);
    }
    const char *names[] = {"shipping_refund_reasons", "cross_ship_channels",
                           "cross_ship_customers"};
    const char *customers = in->cross_ship_customers != NULL
                                ? app_email_normalize(ctx->arena, in->cross_ship_customers)
                                : NULL;
    const char *values[] = {in->shipping_refund_reasons, in->cross_ship_channels, customers};
    for (size_t i = 0; code == ERR_OK && i < ARRAY_LEN(names); i++) {
        if (values[i] != NULL) {
            code = store_rma_setting_put(conn, names[i], values[i], err);
        }
    }
    return code;
}

enum err_code app_return_settings_put(struct app_ctx *ctx, const struct app_return_settings *in,
                                      struct app_return_settings *out, struct err *err)
{
    ASSERT(ctx != NULL && in != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    if (in->has_window_days && (in->window_days < 0 || in->window_days > RETURN_WINDOW_DAYS_MAX)) {
        return err_set(err, ERR_INVALID, "window_days", "window_days must be between 0 and %d",
                       RETURN_WINDOW_DAYS_MAX);
    }
    unsigned reasons = 0;
    if (in->shipping_refund_reasons != NULL &&
        !returns_reason_set_parse(in->shipping_refund_reasons, &reasons)) {
        return err_set(err, ERR_INVALID, "shipping_refund_reasons",
                       "shipping_refund_reasons holds an unknown reason");
    }
    struct settings_put_arg arg = {.in = in};
    struct app_write write = {.ctx = ctx, .run = settings_put_run, .arg = &arg};
    code = app_write_run(&write, err);
    return code == ERR_OK ? app_return_settings_get(ctx, out, err) : code;
}

/* A rule's locations exist; a transfer names its target, and only a transfer does. */
static enum err_code rule_check(struct app_ctx *ctx, struct store_conn *conn,
                                const struct return_rule *rule, struct err *err)
{
    bool transfer = rule->disposition == RETURN_DISPOSITION_TRANSFER;
    if (transfer != (rule->target_location != NULL)) {
        return err_set(err, ERR_INVALID, "target_location",
                       transfer ? "a transfer needs target_location"
                                : "target_location is for a transfer only");
    }
    const char *codes[] = {rule->location, rule->target_location};
    const char *fields[] = {"location", "target_location"};
    for (size_t i = 0; i < ARRAY_LEN(codes); i++) {
        struct location location;
        enum err_code code = codes[i] != NULL
                                 ? store_location_get(conn, ctx->arena, codes[i], &location, err)
                                 : ERR_OK;
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, fields[i], "no location '%s'", codes[i]);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code rule_create_run(struct app_write *write, struct store_conn *conn,
                                     struct err *err)
{
    struct return_rule *rule = write->arg;
    write->result = rule;
    enum err_code code = rule_check(write->ctx, conn, rule, err);
    if (code == ERR_OK) {
        code = store_rma_rule_insert(conn, rule, write->ctx->now_ms, err);
    }
    return code;
}

enum err_code app_return_rule_create(struct app_ctx *ctx, struct return_rule *rule,
                                     struct app_idempotency *idem, struct err *err)
{
    ASSERT(ctx != NULL && rule != NULL);
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    if (code != ERR_OK) {
        return code;
    }
    if (rule->priority < 0 || rule->priority > 1000000) {
        return err_set(err, ERR_INVALID, "priority", "priority must be between 0 and 1000000");
    }
    struct app_write write = {.ctx = ctx, .idem = idem, .run = rule_create_run, .arg = rule};
    return app_write_run(&write, err);
}

enum err_code app_return_rule_list(struct app_ctx *ctx, struct return_rule **out, size_t *count,
                                   struct err *err)
{
    ASSERT(ctx != NULL && out != NULL && count != NULL);
    *out = NULL;
    *count = 0;
    enum err_code code = app_require(ctx, PERM_ORDERS_READ, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code == ERR_OK) {
        code = store_rma_rules_list(conn, ctx->arena, out, count, err);
        app_read_end(ctx, conn);
    }
    return code;
}
