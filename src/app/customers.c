/*
 * customers.c — reading and editing customers. Customers are created at capture (matched
 * by e-mail); a customer key sees only itself.
 */
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"

/* ERR_NOT_FOUND when a customer key asks for somebody else. */
static enum err_code customers_visible(const struct app_ctx *ctx, const struct customer *customer,
                                       struct err *err)
{
    const struct principal *who = ctx->principal;
    if (who->role == ROLE_CUSTOMER &&
        (who->scope_customer == NULL || strcmp(who->scope_customer, customer->email) != 0)) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no such customer");
    }
    return ERR_OK;
}

/* Reads a customer by id or by e-mail with the visibility check. */
static enum err_code customers_read(struct app_ctx *ctx, const char *id, const char *email,
                                    struct customer *out, struct err *err)
{
    const struct principal *who = ctx->principal;
    enum err_code code = ERR_OK;
    if (who->role != ROLE_CUSTOMER) {
        code = app_require(ctx, PERM_CUSTOMERS_READ, err);
    }
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (id != NULL) {
        code = store_customer_get(conn, ctx->arena, id, out, err);
    } else {
        code = store_customer_get_by_email(conn, ctx->arena, app_email_normalize(ctx->arena, email),
                                           out, err);
    }
    app_read_end(ctx, conn);
    if (code == ERR_NOT_FOUND) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no such customer");
    }
    if (code != ERR_OK) {
        return code;
    }
    return customers_visible(ctx, out, err);
}

enum err_code app_customer_get(struct app_ctx *ctx, const char *id, struct customer *out,
                               struct err *err)
{
    ASSERT(ctx != NULL && id != NULL);
    ASSERT(out != NULL);
    return customers_read(ctx, id, NULL, out, err);
}

enum err_code app_customer_find(struct app_ctx *ctx, const char *email, struct customer *out,
                                struct err *err)
{
    ASSERT(ctx != NULL && email != NULL);
    ASSERT(out != NULL);
    return customers_read(ctx, NULL, email, out, err);
}

struct customer_update_arg {
    struct customer *customer;
    int64_t expected_version;
};

static enum err_code customer_update_run(struct app_write *write, struct store_conn *conn,
                                         struct err *err)
{
    struct customer_update_arg *arg = write->arg;
    enum err_code code = store_customer_update(conn, arg->customer, arg->expected_version, err);
    if (code == ERR_PRECONDITION) {
        return err_set(err, ERR_PRECONDITION, "If-Match", "customer changed since version %" PRId64,
                       arg->expected_version);
    }
    if (code == ERR_CONFLICT) {
        return err_set(err, ERR_CONFLICT, "email", "another customer has e-mail '%s'",
                       arg->customer->email);
    }
    if (code != ERR_OK) {
        return code;
    }
    write->result = arg->customer;
    return app_event_add(conn, write->ctx, arg->customer->id, "customer.updated", NULL, err);
}

enum err_code app_customer_update(struct app_ctx *ctx, const struct customer *customer,
                                  int64_t expected_version, struct customer *out, struct err *err)
{
    ASSERT(ctx != NULL && customer != NULL);
    ASSERT(out != NULL);
    enum err_code code = app_require(ctx, PERM_CUSTOMERS_WRITE, err);
    if (code == ERR_OK) {
        code = customer_validate(customer, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    *out = *customer;
    out->email = app_email_normalize(ctx->arena, customer->email);
    out->version = expected_version + 1;
    out->updated_at_ms = ctx->now_ms;
    struct customer_update_arg arg = {.customer = out, .expected_version = expected_version};
    struct app_write write = {.ctx = ctx, .run = customer_update_run, .arg = &arg};
    return app_write_run(&write, err);
}
