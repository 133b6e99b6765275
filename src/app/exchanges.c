/*
 * exchanges.c — the replacement order of an exchange: the same customer, addresses, channel
 * and fulfillment method as the returned order, the exchange lines priced from the catalog,
 * no shipping or tax of its own, routed and reserved like any order (backordered when stock
 * is short, so that a return is never refused for the replacement's stock). The money:
 * when the replacement costs more than the whole return will credit, that difference is
 * authorized on the exchange order through the original order's payment (payment_exchange.c)
 * and captured when it ships; when it costs less, the receipts refund the difference.
 */
#include <string.h>

#include "app/returns_int.h"

/* The input of the replacement order. */
static enum err_code exchanges_input(struct app_ctx *ctx, const struct order *order,
                                     const struct rma *rma, struct order *input, struct err *err)
{
    size_t n = rma->exchange_lines_count;
    struct order_line *lines = ARENA_NEW_ARRAY(ctx->arena, struct order_line, n);
    if (lines == NULL || n == 0) {
        return err_set(err, n == 0 ? ERR_INVALID : ERR_TOO_LARGE, "exchange_lines",
                       n == 0 ? "an exchange needs exchange_lines" : "out of request memory");
    }
    memset(lines, 0, n * sizeof(*lines));
    for (size_t i = 0; i < n; i++) {
        lines[i].sku = rma->exchange_lines[i].sku;
        lines[i].qty = rma->exchange_lines[i].qty;
        lines[i].line_no = (int)i + 1;
    }
    *input = (struct order){
        .channel = order->channel,
        .customer_email = order->customer_email,
        .customer_name = order->customer_name,
        .customer_type = order->customer_type,
        .currency = order->currency,
        .lines = lines,
        .lines_count = n,
        .shipping_address = order->shipping_address,
        .billing_address = order->billing_address,
        .method = order->method == FULFILLMENT_PICKUP ? FULFILLMENT_PICKUP : FULFILLMENT_SHIP,
        .pickup_location = order->method == FULFILLMENT_PICKUP ? order->pickup_location : NULL,
        .ship_policy = SHIP_POLICY_ALLOW_SPLIT,
        .backorder = true,
        .payment_provider = order->payment_provider,
        .notes = arena_sprintf(ctx->arena, "exchange for order %s", order->number),
    };
    return ERR_OK;
}

enum err_code returns_exchange_order(struct app_ctx *ctx, struct store_conn *conn,
                                     const struct order *order, struct rma *rma,
                                     const struct returns_basis *basis, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order != NULL && basis != NULL);
    ASSERT(rma != NULL && rma->exchange_order_id == NULL);
    struct order input;
    struct order created;
    enum err_code code = exchanges_input(ctx, order, rma, &input, err);
    if (code == ERR_OK) {
        code = app_capture_in_command(ctx, conn, &input, &created, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    rma->exchange_order_id = created.id;
    const char *data = arena_sprintf(ctx->arena, "{\"original_order_id\":\"%s\"}", order->id);
    code = app_event_add(conn, ctx, created.id, "order.exchange_created", data, err);
    int64_t credit = 0;
    if (code == ERR_OK) {
        code = returns_expected_credit(ctx, order, rma, basis, &credit, err);
    }
    struct app_exchange_charge charge = {.original = order,
                                         .exchange = &created,
                                         .amount = created.totals.total - credit,
                                         .return_id = rma->id};
    if (code == ERR_OK && charge.amount > 0) {
        code = app_payment_exchange_charge(ctx, conn, &charge, err);
    }
    return code;
}
