/*
 * check.c — `ordo check`: recompute what must hold and report every difference. Balances
 * are rebuilt from the ledger (ledger = balance), checked for oversell (reserved within on
 * hand), reserved is compared with the open allocations (kits expanded into components),
 * and every order's totals are added up again. Read-only; runs in one read snapshot.
 */
#include <stdlib.h>
#include <string.h>

#include "app/app.h"
#include "app/app_internal.h"
#include "core/limits.h"

#define CHECK_PAGE 500

static int check_row_cmp(const void *a, const void *b)
{
    const struct stock_row *x = a;
    const struct stock_row *y = b;
    if (x->product_row_id != y->product_row_id) {
        return x->product_row_id < y->product_row_id ? -1 : 1;
    }
    if (x->location_row_id != y->location_row_id) {
        return x->location_row_id < y->location_row_id ? -1 : 1;
    }
    return 0;
}

/* The row of (product, location) in sorted rows, or NULL. */
static struct stock_row *check_find(struct stock_row *rows, size_t count, int64_t product,
                                    int64_t location)
{
    if (count == 0) {
        return NULL;
    }
    struct stock_row key = {.product_row_id = product, .location_row_id = location};
    return bsearch(&key, rows, count, sizeof(*rows), check_row_cmp);
}

/* What the checks share: the snapshot, the sorted balances and the report. */
struct check_run {
    struct app_ctx *ctx;
    struct store_conn *conn;
    struct stock_row *balances; /* sorted by (product, location) */
    size_t balances_count;
    struct buf *report;
    bool *ok;
};

static void check_problem(struct buf *report, bool *ok, const char *text)
{
    *ok = false;
    if (text == NULL) {
        text = "(a problem whose description did not fit in memory)";
    }
    if (buf_appends(report, text) != ERR_OK || buf_appendc(report, '\n') != ERR_OK) {
        return; /* the report is full; *ok already says what matters */
    }
}

/* Ledger = balance, and no balance oversold. */
static enum err_code check_ledger(const struct check_run *run, struct err *err)
{
    struct app_ctx *ctx = run->ctx;
    struct store_conn *conn = run->conn;
    struct stock_row *balances = run->balances;
    size_t balances_count = run->balances_count;
    struct buf *report = run->report;
    bool *ok = run->ok;
    struct stock_row *sums = NULL;
    size_t sums_count = 0;
    enum err_code code = store_ledger_totals(conn, ctx->arena, &sums, &sums_count, err);
    if (code != ERR_OK) {
        return code;
    }
    for (size_t i = 0; i < balances_count; i++) {
        const struct stock_row *b = &balances[i];
        if (!inventory_is_consistent(&b->stock)) {
            check_problem(
                report, ok,
                arena_sprintf(ctx->arena,
                              "oversell: %s at %s has on_hand %" PRId64 " and reserved %" PRId64,
                              b->sku, b->location_code, b->stock.on_hand, b->stock.reserved));
        }
    }
    for (size_t i = 0; i < sums_count; i++) {
        const struct stock_row *s = &sums[i];
        const struct stock_row *b =
            check_find(balances, balances_count, s->product_row_id, s->location_row_id);
        int64_t on_hand = b != NULL ? b->stock.on_hand : 0;
        int64_t reserved = b != NULL ? b->stock.reserved : 0;
        if (on_hand != s->stock.on_hand || reserved != s->stock.reserved) {
            check_problem(report, ok,
                          arena_sprintf(ctx->arena,
                                        "ledger: %s at %s: balance on_hand %" PRId64
                                        " reserved %" PRId64 ", ledger sums to on_hand %" PRId64
                                        " reserved %" PRId64,
                                        s->sku, s->location_code, on_hand, reserved,
                                        s->stock.on_hand, s->stock.reserved));
        }
    }
    for (size_t i = 0; i < balances_count; i++) {
        const struct stock_row *b = &balances[i];
        bool zero = b->stock.on_hand == 0 && b->stock.reserved == 0;
        if (!zero && check_find(sums, sums_count, b->product_row_id, b->location_row_id) == NULL) {
            check_problem(report, ok,
                          arena_sprintf(ctx->arena,
                                        "ledger: %s at %s has a balance but no ledger rows", b->sku,
                                        b->location_code));
        }
    }
    return ERR_OK;
}

/* Adds qty to the expected reservation of (product, location) in expected[]. */
static void check_expect(struct stock_row *expected, size_t count, int64_t product,
                         int64_t location, int64_t qty)
{
    struct stock_row *row = check_find(expected, count, product, location);
    if (row != NULL) {
        row->stock.inbound += qty; /* inbound holds the expected reservation here */
    }
}

/* holds (issue 3, holds.c): what active soft holds reserve is expected too. */
static enum err_code check_holds_expect(const struct check_run *run, struct err *err)
{
    struct stock_row *held = NULL;
    size_t held_count = 0;
    enum err_code code = store_hold_totals(run->conn, run->ctx->arena, &held, &held_count, err);
    for (size_t i = 0; code == ERR_OK && i < held_count; i++) {
        check_expect(run->balances, run->balances_count, held[i].product_row_id,
                     held[i].location_row_id, held[i].stock.reserved);
    }
    return code;
}

/* Reserved = open allocations, kits counted through their components. */
static enum err_code check_reserved(const struct check_run *run, struct err *err)
{
    struct app_ctx *ctx = run->ctx;
    struct store_conn *conn = run->conn;
    struct stock_row *balances = run->balances;
    size_t balances_count = run->balances_count;
    struct buf *report = run->report;
    bool *ok = run->ok;
    struct stock_row *open = NULL;
    size_t open_count = 0;
    enum err_code code = store_allocation_totals(conn, ctx->arena, &open, &open_count, err);
    if (code == ERR_OK) { /* routing: drop-ships at suppliers reserve nothing */
        code = app_dropship_check(ctx, conn, open, &open_count, err);
    }
    for (size_t i = 0; i < balances_count; i++) {
        balances[i].stock.inbound = 0;
    }
    for (size_t i = 0; code == ERR_OK && i < open_count; i++) {
        struct product product;
        code = store_product_get_by_row(conn, ctx->arena, open[i].product_row_id, &product, err);
        if (code == ERR_OK && product.kind == PRODUCT_KIND_KIT) {
            for (size_t c = 0; c < product.components_count; c++) {
                check_expect(balances, balances_count, product.components[c].product_row_id,
                             open[i].location_row_id,
                             open[i].stock.reserved * product.components[c].qty);
            }
        } else if (code == ERR_OK) {
            if (check_find(balances, balances_count, open[i].product_row_id,
                           open[i].location_row_id) == NULL) {
                check_problem(report, ok,
                              arena_sprintf(ctx->arena,
                                            "allocation: %s at %s is allocated but has no balance",
                                            open[i].sku, open[i].location_code));
            }
            check_expect(balances, balances_count, open[i].product_row_id, open[i].location_row_id,
                         open[i].stock.reserved);
        }
    }
    if (code == ERR_OK) { /* holds: soft holds reserve stock as orders do */
        code = check_holds_expect(run, err);
    }
    for (size_t i = 0; code == ERR_OK && i < balances_count; i++) {
        const struct stock_row *b = &balances[i];
        if (b->stock.reserved != b->stock.inbound) {
            check_problem(report, ok,
                          arena_sprintf(ctx->arena,
                                        "reservation: %s at %s has reserved %" PRId64
                                        " but open allocations of %" PRId64,
                                        b->sku, b->location_code, b->stock.reserved,
                                        b->stock.inbound));
        }
    }
    return code;
}

/* Every order's totals add up; pages through all orders with a page-local arena. */
static enum err_code check_orders(struct app_ctx *ctx, struct store_conn *conn, struct buf *report,
                                  bool *ok, size_t *orders_count, struct err *err)
{
    struct arena page_arena;
    arena_init(&page_arena, (size_t)256 * 1024 * 1024);
    struct order_filter filter = {.limit = CHECK_PAGE};
    char cursor[ID_LEN_MAX] = "";
    enum err_code code = ERR_OK;
    for (;;) {
        struct order *orders = NULL;
        size_t count = 0;
        filter.before_id = cursor[0] != '\0' ? cursor : NULL;
        code = store_order_list(conn, &page_arena, &filter, &orders, &count, err);
        if (code != ERR_OK || count == 0) {
            break;
        }
        for (size_t i = 0; i < count; i++) {
            if (!order_totals_are_consistent(&orders[i])) {
                check_problem(report, ok,
                              arena_sprintf(ctx->arena,
                                            "totals: order %s does not add up (total %" PRId64 ")",
                                            orders[i].number, orders[i].totals.total));
            }
        }
        *orders_count += count;
        memcpy(cursor, orders[count - 1].id, strlen(orders[count - 1].id) + 1);
        arena_reset(&page_arena);
        if (count < CHECK_PAGE) {
            break;
        }
    }
    arena_release(&page_arena);
    return code;
}

enum err_code app_check(struct app_ctx *ctx, struct buf *report, bool *ok, struct err *err)
{
    ASSERT(ctx != NULL && report != NULL);
    ASSERT(ok != NULL);
    *ok = true;
    enum err_code code = app_require(ctx, PERM_ADMIN, err);
    struct store_conn *conn = NULL;
    if (code == ERR_OK) {
        code = app_read_begin(ctx, &conn, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct stock_row *balances = NULL;
    size_t balances_count = 0;
    size_t orders_count = 0;
    code = store_stock_list_all(conn, ctx->arena, &balances, &balances_count, err);
    if (code == ERR_OK && balances_count > 1) {
        qsort(balances, balances_count, sizeof(*balances), check_row_cmp);
    }
    struct check_run run = {
        .ctx = ctx,
        .conn = conn,
        .balances = balances,
        .balances_count = balances_count,
        .report = report,
        .ok = ok,
    };
    if (code == ERR_OK) {
        code = check_ledger(&run, err);
    }
    if (code == ERR_OK) {
        code = check_reserved(&run, err);
    }
    if (code == ERR_OK) {
        code = check_orders(ctx, conn, report, ok, &orders_count, err);
    }
    if (code == ERR_OK) {
        code = app_metrics_check(ctx, conn, report, ok, err);
    }
    if (code == ERR_OK) {
        code = app_payment_check(ctx, conn, report, ok, err); /* payments: refunds <= captures */
    }
    if (code == ERR_OK) {
        code = app_invoice_check(ctx, conn, report, ok, err); /* returns, invoices, credit notes */
    }
    app_read_end(ctx, conn);
    if (code == ERR_OK) {
        code = buf_appendf(report, "checked %zu balances and %zu orders: %s\n", balances_count,
                           orders_count, *ok ? "ok" : "PROBLEMS FOUND");
        if (code != ERR_OK) {
            err_set(err, code, NULL, "report too large");
        }
    }
    return code;
}
