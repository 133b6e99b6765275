/*
 * inventory.c — stock arithmetic. A movement either leaves a sane balance (0 <= reserved <=
 * on_hand <= STOCK_QTY_MAX, and a reservation within ATP) or fails and changes nothing; the
 * store writes the same movement to the ledger, so the balance stays its projection.
 */
#include "core/inventory.h"

#include <string.h>

#include "core/limits.h"

static const char *const ledger_kind_names[LEDGER_COUNT] = {
    [LEDGER_RECEIPT] = "receipt",
    [LEDGER_ADJUSTMENT] = "adjustment",
    [LEDGER_RESERVE] = "reserve",
    [LEDGER_RELEASE] = "release",
    [LEDGER_SHIP] = "ship",
    [LEDGER_RETURN_RESTOCK] = "return_restock",
    [LEDGER_SCRAP] = "scrap",
    [LEDGER_TRANSFER_OUT] = "transfer_out",
    [LEDGER_TRANSFER_IN] = "transfer_in",
};

/*
 * The direction each kind may move each quantity: +1 up only, -1 down only, 0 not at all,
 * 2 either way. A movement of the wrong shape is refused rather than recorded under a
 * misleading kind.
 */
static const struct {
    int on_hand;
    int reserved;
} ledger_kind_shapes[LEDGER_COUNT] = {
    [LEDGER_RECEIPT] = {1, 0},  [LEDGER_ADJUSTMENT] = {2, 0},    [LEDGER_RESERVE] = {0, 1},
    [LEDGER_RELEASE] = {0, -1}, [LEDGER_SHIP] = {-1, -1},        [LEDGER_RETURN_RESTOCK] = {1, 0},
    [LEDGER_SCRAP] = {-1, 0},   [LEDGER_TRANSFER_OUT] = {-1, 0}, [LEDGER_TRANSFER_IN] = {1, 0},
};

const char *ledger_kind_name(enum ledger_kind kind)
{
    ASSERT((int)kind >= 0);
    ASSERT(kind < LEDGER_COUNT);
    return ledger_kind_names[kind];
}

bool ledger_kind_parse(const char *name, enum ledger_kind *out)
{
    ASSERT(out != NULL);
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < LEDGER_COUNT; i++) {
        if (strcmp(name, ledger_kind_names[i]) == 0) {
            *out = (enum ledger_kind)i;
            return true;
        }
    }
    return false;
}

bool inventory_is_consistent(const struct stock *stock)
{
    ASSERT(stock != NULL);
    return stock->on_hand >= 0 && stock->reserved >= 0 && stock->reserved <= stock->on_hand &&
           stock->on_hand <= STOCK_QTY_MAX;
}

int64_t inventory_atp(const struct stock *stock)
{
    ASSERT(stock != NULL);
    ASSERT(inventory_is_consistent(stock));
    int64_t safety = stock->safety_stock > 0 ? stock->safety_stock : 0;
    int64_t atp = stock->on_hand - stock->reserved - safety;
    return atp > 0 ? atp : 0;
}

static bool inventory_shape_allows(int shape, int64_t delta)
{
    switch (shape) {
    case 0:
        return delta == 0;
    case 1:
        return delta >= 0;
    case -1:
        return delta <= 0;
    default:
        return true;
    }
}

static enum err_code inventory_check_shape(enum ledger_kind kind, int64_t on_hand_delta,
                                           int64_t reserved_delta, struct err *err)
{
    ASSERT((int)kind >= 0 && kind < LEDGER_COUNT);
    ASSERT(err != NULL);
    if (!inventory_shape_allows(ledger_kind_shapes[kind].on_hand, on_hand_delta) ||
        !inventory_shape_allows(ledger_kind_shapes[kind].reserved, reserved_delta)) {
        return err_set(err, ERR_INVALID, "delta",
                       "a %s cannot move on_hand by %" PRId64 " and reserved by %" PRId64,
                       ledger_kind_names[kind], on_hand_delta, reserved_delta);
    }
    /* Deltas beyond the largest balance cannot be right and would overflow the sums below. */
    if (on_hand_delta < -STOCK_QTY_MAX || on_hand_delta > STOCK_QTY_MAX ||
        reserved_delta < -STOCK_QTY_MAX || reserved_delta > STOCK_QTY_MAX) {
        return err_set(err, ERR_INVALID, "delta",
                       "quantity change must be between -%lld and %lld, got %" PRId64
                       " on hand and %" PRId64 " reserved",
                       STOCK_QTY_MAX, STOCK_QTY_MAX, on_hand_delta, reserved_delta);
    }
    return ERR_OK;
}

/* The failures of a movement that is well-shaped but does not fit the balance. */
static enum err_code inventory_check_result(const struct stock *before, const struct stock *after,
                                            enum ledger_kind kind, int64_t reserved_delta,
                                            struct err *err)
{
    ASSERT(before != NULL && after != NULL);
    ASSERT(inventory_is_consistent(before));
    if (after->on_hand < 0 && kind == LEDGER_ADJUSTMENT) {
        return err_set(err, ERR_INVALID, "delta",
                       "on hand would become negative: %" PRId64 " on hand, change %" PRId64,
                       before->on_hand, after->on_hand - before->on_hand);
    }
    if (after->on_hand > STOCK_QTY_MAX) {
        return err_set(err, ERR_INVALID, "delta", "on hand would exceed %lld, got %" PRId64,
                       STOCK_QTY_MAX, after->on_hand);
    }
    if (kind == LEDGER_RESERVE && inventory_atp(before) < reserved_delta) {
        return err_set(err, ERR_STOCK, NULL,
                       "insufficient stock: %" PRId64 " available, %" PRId64 " requested",
                       inventory_atp(before), reserved_delta);
    }
    if (after->on_hand < 0 || after->reserved < 0 || after->reserved > after->on_hand) {
        return err_set(err, ERR_STOCK, NULL,
                       "insufficient stock: %s would leave %" PRId64 " on hand and %" PRId64
                       " reserved",
                       ledger_kind_names[kind], after->on_hand, after->reserved);
    }
    return ERR_OK;
}

enum err_code inventory_apply(struct stock *stock, enum ledger_kind kind, int64_t on_hand_delta,
                              int64_t reserved_delta, struct err *err)
{
    ASSERT(stock != NULL);
    ASSERT(err != NULL);
    ASSERT((int)kind >= 0 && kind < LEDGER_COUNT);
    ASSERT(inventory_is_consistent(stock));
    enum err_code code = inventory_check_shape(kind, on_hand_delta, reserved_delta, err);
    if (code != ERR_OK) {
        return code;
    }
    struct stock after = *stock;
    after.on_hand += on_hand_delta;
    after.reserved += reserved_delta;
    code = inventory_check_result(stock, &after, kind, reserved_delta, err);
    if (code != ERR_OK) {
        return code;
    }
    *stock = after;
    ASSERT(inventory_is_consistent(stock));
    return ERR_OK;
}

int64_t inventory_kit_available(const int64_t *component_atp, const int64_t *component_qty,
                                size_t components_count)
{
    ASSERT(component_atp != NULL || components_count == 0);
    ASSERT(component_qty != NULL || components_count == 0);
    if (components_count == 0) {
        return 0;
    }
    int64_t kits = INT64_MAX;
    for (size_t i = 0; i < components_count; i++) {
        ASSERT(component_qty[i] > 0);
        int64_t atp = component_atp[i] > 0 ? component_atp[i] : 0;
        int64_t can_make = atp / component_qty[i];
        if (can_make < kits) {
            kits = can_make;
        }
    }
    ASSERT(kits >= 0);
    return kits;
}
