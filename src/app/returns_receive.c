/*
 * returns_receive.c — receiving returned units: each group of units (line, condition) goes
 * where the disposition rules say (restock at the receiving location, transfer on to a
 * warehouse, refurbish, return to vendor, scrap), each decision recorded on the return; the
 * refund of the received units is exact (core/returns.c) and issued through the order's
 * provider with a credit note; the order's status follows through core's table.
 */
#include <string.h>

#include "app/fulfillment.h"
#include "app/returns_int.h"
#include "core/limits.h"

/* Units of one order line moving at one location, kits through their components. */
struct returns_move {
    const struct order_line *line;
    const struct location *location;
    enum ledger_kind kind;
    int64_t units; /* > 0; the sign comes from the kind */
    const char *rma_id;
};

static enum err_code returns_move_stock(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct returns_move *move, struct err *err)
{
    struct product kit;
    const struct product *product = NULL;
    enum err_code code = ful_line_product(ctx, conn, move->line, &kit, &product, err);
    size_t parts = product != NULL ? product->components_count : 1;
    int64_t sign = move->kind == LEDGER_SCRAP || move->kind == LEDGER_TRANSFER_OUT ? -1 : 1;
    for (size_t c = 0; code == ERR_OK && c < parts; c++) {
        struct ledger_entry entry = {
            .product_row_id = move->line->product_row_id,
            .location_row_id = move->location->row_id,
            .kind = move->kind,
            .on_hand_delta = sign * move->units,
            .reason = "return",
            .ref_type = "return",
            .ref_id = move->rma_id,
            .created_at_ms = ctx->now_ms,
        };
        if (product != NULL) {
            entry.product_row_id = product->components[c].product_row_id;
            entry.on_hand_delta *= product->components[c].qty;
        }
        code = store_stock_apply(conn, entry.product_row_id, entry.location_row_id,
                                 entry.on_hand_delta, 0, false, ctx->now_ms, err);
        if (code == ERR_OK) {
            code = store_ledger_insert(conn, &entry, err);
        }
        if (code == ERR_OK) {
            code = app_metrics_ledger(ctx, conn, &entry, move->location->code, err);
        }
        if (code == ERR_OK && sign > 0 && move->kind != LEDGER_ADJUSTMENT) {
            /* Stock arrived: backorders waiting for it there take it now. */
            code = app_backorders_fill(ctx, conn, entry.product_row_id, move->location, err);
        }
    }
    return code;
}

/* What one receive line does to stock, by its disposition. */
struct returns_dispose {
    const struct order_line *line;
    const struct location *location; /* the receiving one */
    int64_t units;
    enum return_disposition disposition;
    const char *target_code; /* transfer */
    const char *rma_id;
};

static enum err_code returns_dispose_stock(struct app_ctx *ctx, struct store_conn *conn,
                                           const struct returns_dispose *d, struct err *err)
{
    struct returns_move move = {.line = d->line,
                                .location = d->location,
                                .kind = LEDGER_RETURN_RESTOCK,
                                .units = d->units,
                                .rma_id = d->rma_id};
    enum err_code code = ERR_OK;
    if (d->disposition == RETURN_DISPOSITION_RESTOCK) {
        return returns_move_stock(ctx, conn, &move, err);
    }
    if (d->disposition == RETURN_DISPOSITION_SCRAP) {
        /* The units arrive (an adjustment, not counted as stock in) and are scrapped: the
         * scrap row of a return counts as both in and scrapped (docs/METRICS.md 11). */
        move.kind = LEDGER_ADJUSTMENT;
        code = returns_move_stock(ctx, conn, &move, err);
        move.kind = LEDGER_SCRAP;
        return code == ERR_OK ? returns_move_stock(ctx, conn, &move, err) : code;
    }
    if (d->disposition != RETURN_DISPOSITION_TRANSFER) {
        /* Refurbish and return to vendor: the units are not sellable stock anywhere. */
        return ERR_OK;
    }
    /* Transfer: in at the receiving location, straight on to the target (no transit). */
    struct location target;
    code = store_location_get(conn, ctx->arena, d->target_code, &target, err);
    if (code == ERR_OK) {
        move.kind = LEDGER_ADJUSTMENT;
        code = returns_move_stock(ctx, conn, &move, err);
    }
    if (code == ERR_OK) {
        move.kind = LEDGER_TRANSFER_OUT;
        code = returns_move_stock(ctx, conn, &move, err);
    }
    if (code == ERR_OK) {
        move.kind = LEDGER_TRANSFER_IN;
        move.location = &target;
        code = returns_move_stock(ctx, conn, &move, err);
    }
    return code;
}

/* The running state of one receipt. */
struct returns_tally {
    struct rma_disposition *dispositions; /* the return's, then this receipt's */
    size_t dispositions_count;
    size_t first_new;
    int64_t credit;            /* value of the units received now, shipping share included */
    int64_t shipping_credit;   /* part of credit */
    int64_t shipping_units;    /* units of the order whose shipping share is refunded so far */
    int64_t order_units;       /* units of the order (less cancelled): the shipping split */
    unsigned shipping_reasons; /* reasons whose units get their shipping share back */
};

/* The refund of the units of one receive line: their value and, for some reasons, their
 * share of the order's shipping. */
static enum err_code returns_credit(const struct order *order, size_t line_index,
                                    struct rma_line *rl, int64_t units, struct returns_tally *tally,
                                    struct err *err)
{
    const struct order_line *line = &order->lines[line_index];
    int64_t value = 0;
    int64_t refund = 0;
    enum err_code code = returns_line_value(order, line_index, &value, err);
    if (code == ERR_OK) {
        code = returns_refund_units(value, line->qty, line->qty_returned, units, &refund, err);
    }
    int64_t shipping = 0;
    if (code == ERR_OK && (tally->shipping_reasons & RETURN_REASON_BIT(rl->reason)) != 0 &&
        tally->order_units > 0) {
        code = returns_refund_units(order->totals.shipping, tally->order_units,
                                    tally->shipping_units, units, &shipping, err);
        tally->shipping_units += units;
        rl->shipping_units += units;
    }
    rl->refunded += refund + shipping;
    tally->credit += refund + shipping;
    tally->shipping_credit += shipping;
    return code;
}

enum err_code returns_expected_credit(struct app_ctx *ctx, const struct order *order,
                                      const struct rma *rma, const struct returns_basis *basis,
                                      int64_t *out, struct err *err)
{
    ASSERT(ctx != NULL && order != NULL && rma != NULL && basis != NULL && out != NULL);
    *out = 0;
    struct order copy = *order;
    struct order_line *lines = ARENA_NEW_ARRAY(ctx->arena, struct order_line, order->lines_count);
    if (lines == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memcpy(lines, order->lines, order->lines_count * sizeof(*lines));
    copy.lines = lines;
    struct returns_tally tally = {.shipping_units = basis->shipping_units,
                                  .shipping_reasons = basis->shipping_reasons};
    for (size_t i = 0; i < order->lines_count; i++) {
        tally.order_units += order->lines[i].qty - order->lines[i].qty_cancelled;
    }
    enum err_code code = ERR_OK;
    for (size_t r = 0; code == ERR_OK && r < rma->lines_count; r++) {
        struct rma_line rl = rma->lines[r];
        *out += rl.refunded;
        int64_t units = rl.qty - rl.qty_received;
        for (size_t i = 0; units > 0 && i < copy.lines_count; i++) {
            if (strcmp(lines[i].id, rl.order_line_id) == 0) {
                code = returns_credit(&copy, i, &rl, units, &tally, err);
                lines[i].qty_returned += units;
                break;
            }
        }
    }
    *out += tally.credit;
    return code;
}

/* The index of the order line with that id (it exists: the return was built from it). */
static size_t returns_line_index(const struct order *order, const char *line_id)
{
    for (size_t i = 0; i < order->lines_count; i++) {
        if (strcmp(order->lines[i].id, line_id) == 0) {
            return i;
        }
    }
    ASSERT(false);
    return 0;
}

/* One receive line: the disposition, the stock, the decision recorded and the credit. */
struct returns_step {
    const struct app_receive_line *in;
    const struct location *location;
    const struct return_rule *rules;
    size_t rules_count;
};

static enum err_code returns_receive_line(struct app_ctx *ctx, struct store_conn *conn,
                                          struct app_return_view *view,
                                          const struct returns_step *step,
                                          struct returns_tally *tally, struct err *err)
{
    struct order *order = &view->order;
    size_t index = returns_line_index(order, step->in->line_id);
    struct order_line *line = &order->lines[index];
    struct rma_line *rl = NULL;
    for (size_t i = 0; i < view->rma.lines_count && rl == NULL; i++) {
        bool same = strcmp(view->rma.lines[i].order_line_id, line->id) == 0;
        rl = same ? &view->rma.lines[i] : NULL;
    }
    ASSERT(rl != NULL);
    enum return_condition condition;
    bool known = return_condition_parse(step->in->condition, &condition);
    ASSERT(known);
    struct return_unit_facts facts = {.reason = rl->reason,
                                      .condition = condition,
                                      .sku = line->sku,
                                      .location = step->location->code};
    const struct return_rule *rule = NULL;
    enum return_disposition disposition =
        returns_dispose(step->rules, step->rules_count, &facts, &rule);
    struct returns_dispose d = {.line = line,
                                .location = step->location,
                                .units = step->in->qty,
                                .disposition = disposition,
                                .target_code = rule != NULL ? rule->target_location : NULL,
                                .rma_id = view->rma.id};
    enum err_code code = returns_dispose_stock(ctx, conn, &d, err);
    struct rma_disposition *rec = &tally->dispositions[tally->dispositions_count];
    *rec = (struct rma_disposition){.seq = (int)tally->dispositions_count + 1,
                                    .line_no = rl->line_no,
                                    .qty = step->in->qty,
                                    .condition = condition,
                                    .disposition = disposition,
                                    .target_location = d.target_code,
                                    .rule_id = rule != NULL ? rule->row_id : 0,
                                    .created_at_ms = ctx->now_ms};
    tally->dispositions_count++;
    if (code == ERR_OK) {
        code = returns_credit(order, index, rl, step->in->qty, tally, err);
    }
    rl->qty_received += step->in->qty;
    rl->qty_sellable += condition == RETURN_CONDITION_SELLABLE ? step->in->qty : 0;
    rl->qty_damaged += condition == RETURN_CONDITION_DAMAGED ? step->in->qty : 0;
    line->qty_returned += step->in->qty;
    ASSERT(line->qty_returned <= line->qty_shipped);
    return code;
}

/* returned when every unit that left came back and nothing is left to ship, else partially;
 * a shipment still on its way (shipped, partially shipped) keeps its status until then. */
static enum err_code returns_order_status(struct order *order, struct err *err)
{
    int64_t wanted = 0;
    int64_t shipped = 0;
    int64_t returned = 0;
    for (size_t i = 0; i < order->lines_count; i++) {
        wanted += order->lines[i].qty - order->lines[i].qty_cancelled;
        shipped += order->lines[i].qty_shipped;
        returned += order->lines[i].qty_returned;
    }
    bool settled = order->status == ORDER_STATUS_DELIVERED ||
                   order->status == ORDER_STATUS_PICKED_UP ||
                   order->status == ORDER_STATUS_PARTIALLY_RETURNED;
    if (!settled || returned == 0) {
        return ERR_OK;
    }
    enum order_status target = returned == shipped && shipped == wanted
                                   ? ORDER_STATUS_RETURNED
                                   : ORDER_STATUS_PARTIALLY_RETURNED;
    return target == order->status ? ERR_OK : order_transition(order, target, err);
}

/* The tally's arrays and the order-level figures it starts from. */
static enum err_code returns_tally_init(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct app_return_view *view, size_t count,
                                        struct returns_tally *tally, struct err *err)
{
    memset(tally, 0, sizeof(*tally));
    size_t old = view->rma.dispositions_count;
    tally->dispositions = ARENA_NEW_ARRAY(ctx->arena, struct rma_disposition, old + count);
    if (tally->dispositions == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (old > 0) {
        memcpy(tally->dispositions, view->rma.dispositions, old * sizeof(*tally->dispositions));
    }
    tally->dispositions_count = old;
    tally->first_new = old;
    for (size_t i = 0; i < view->order.lines_count; i++) {
        tally->order_units += view->order.lines[i].qty - view->order.lines[i].qty_cancelled;
    }
    return store_rma_shipping_units(conn, view->order.id, &tally->shipping_units, err);
}

/* The money of this receipt: a refund of the credit, or for an exchange the difference. */
static enum err_code returns_settle(struct app_ctx *ctx, struct store_conn *conn,
                                    struct app_return_view *view, const struct returns_tally *tally,
                                    struct err *err)
{
    struct rma *rma = &view->rma;
    int64_t refund = tally->credit;
    enum err_code code = ERR_OK;
    if (rma->resolution == RETURN_RESOLUTION_EXCHANGE) {
        if (rma->exchange_order_id == NULL) {
            struct returns_basis basis = {.shipping_reasons = tally->shipping_reasons,
                                          .shipping_units = tally->shipping_units};
            code = returns_exchange_order(ctx, conn, &view->order, rma, &basis, err);
        }
        struct order exchange;
        if (code == ERR_OK) {
            code = store_order_get(conn, ctx->arena, rma->exchange_order_id, &exchange, err);
        }
        int64_t credited = 0;
        for (size_t i = 0; i < rma->lines_count; i++) {
            credited += rma->lines[i].refunded;
        }
        int64_t owed = code == ERR_OK ? exchange.totals.total : 0;
        int64_t target = credited > owed ? credited - owed : 0;
        refund = target - rma->refunded;
        rma->amount_due = owed > credited ? owed - credited : 0;
    }
    if (code == ERR_OK && refund > 0) {
        code = app_payment_refund(ctx, conn, view->order.id, refund, rma->id, err);
    }
    if (code == ERR_OK && refund > 0) {
        int64_t shipping = rma->resolution == RETURN_RESOLUTION_REFUND ? tally->shipping_credit : 0;
        struct invoices_issue issue = {.order = &view->order,
                                       .credit_note = true,
                                       .return_id = rma->id,
                                       .amount = refund,
                                       .shipping = shipping};
        code = invoices_issue(ctx, conn, &issue, err);
        rma->refunded += refund;
        rma->shipping_refunded += shipping;
    }
    return code;
}

enum err_code returns_receive_apply(struct app_ctx *ctx, struct store_conn *conn,
                                    struct app_return_view *view,
                                    const struct returns_receipt *receipt, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && view != NULL);
    ASSERT(receipt != NULL && receipt->count > 0);
    struct returns_settings settings;
    struct location location;
    struct return_rule *rules = NULL;
    size_t rules_count = 0;
    struct returns_tally tally = {0};
    enum err_code code = returns_settings_load(ctx, conn, &settings, err);
    if (code == ERR_OK) {
        code = store_location_get(conn, ctx->arena, view->rma.location_code, &location, err);
    }
    if (code == ERR_OK) {
        code = store_rma_rules_list(conn, ctx->arena, &rules, &rules_count, err);
    }
    if (code == ERR_OK) {
        code = returns_tally_init(ctx, conn, view, receipt->count, &tally, err);
        tally.shipping_reasons = settings.shipping_reasons;
    }
    for (size_t i = 0; code == ERR_OK && i < receipt->count; i++) {
        struct returns_step step = {.in = &receipt->lines[i],
                                    .location = &location,
                                    .rules = rules,
                                    .rules_count = rules_count};
        code = returns_receive_line(ctx, conn, view, &step, &tally, err);
    }
    if (code == ERR_OK) {
        code = returns_settle(ctx, conn, view, &tally, err);
    }
    struct rma *rma = &view->rma;
    int64_t expected = rma->version;
    rma->dispositions = tally.dispositions;
    rma->dispositions_count = code == ERR_OK ? tally.dispositions_count : 0;
    rma->status = returns_status_of(rma);
    rma->received_at_ms = ctx->now_ms;
    rma->updated_at_ms = ctx->now_ms;
    if (code == ERR_OK) {
        code = store_rma_save(conn, rma, expected, tally.first_new, err);
    }
    if (code == ERR_OK) {
        code = returns_order_status(&view->order, err);
    }
    if (code == ERR_OK) {
        const char *data = arena_sprintf(
            ctx->arena, "{\"return_id\":\"%s\",\"status\":\"%s\",\"refunded\":%" PRId64 "}",
            rma->id, return_status_name(rma->status), rma->refunded);
        code = ful_order_save(ctx, conn, &view->order, "order.return_received", data, err);
    }
    return code;
}
