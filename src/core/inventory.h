/*
 * inventory.h — stock arithmetic: balances per SKU and location, available to promise, the
 * ledger's movement kinds and how each moves the balance, kit availability. Pure: the store
 * persists what these functions compute.
 */
#ifndef ORDO_CORE_INVENTORY_H
#define ORDO_CORE_INVENTORY_H

#include "lib/base.h"
#include "lib/err.h"

struct stock {
    int64_t on_hand;      /* units physically there */
    int64_t reserved;     /* units promised to orders, not yet shipped */
    int64_t safety_stock; /* units held back from promising */
    int64_t inbound;      /* units expected (purchase orders, transfers) */
};

enum ledger_kind {
    LEDGER_RECEIPT,
    LEDGER_ADJUSTMENT,
    LEDGER_RESERVE,
    LEDGER_RELEASE,
    LEDGER_SHIP,
    LEDGER_RETURN_RESTOCK,
    LEDGER_SCRAP,
    LEDGER_TRANSFER_OUT,
    LEDGER_TRANSFER_IN,
    LEDGER_COUNT
};

/* One movement: how much on_hand and reserved change. */
struct ledger_entry {
    int64_t row_id;
    int64_t product_row_id;
    int64_t location_row_id;
    const char *sku;
    const char *location_code;
    enum ledger_kind kind;
    int64_t on_hand_delta;
    int64_t reserved_delta;
    const char *reason;   /* free text, or NULL */
    const char *ref_type; /* "order", "shipment", "count", ... or NULL */
    const char *ref_id;
    int64_t created_at_ms;
};

const char *ledger_kind_name(enum ledger_kind kind);
MUST_CHECK bool ledger_kind_parse(const char *name, enum ledger_kind *out);

/* Available to promise: on_hand - reserved - safety_stock, never below 0. */
int64_t inventory_atp(const struct stock *stock);

/* True when the balance is sane: on_hand >= 0, reserved >= 0, reserved <= on_hand. */
bool inventory_is_consistent(const struct stock *stock);

/*
 * Applies a movement to a balance. Fails with ERR_STOCK (reserve beyond ATP, ship beyond
 * reserved/on hand) or ERR_INVALID (on_hand would go negative) and leaves *stock unchanged.
 */
MUST_CHECK enum err_code inventory_apply(struct stock *stock, enum ledger_kind kind,
                                         int64_t on_hand_delta, int64_t reserved_delta,
                                         struct err *err);

/*
 * Kit availability at one location: min over components of floor(atp_i / qty_i).
 * component_atp[i] is the ATP of component i, component_qty[i] its units per kit (> 0).
 */
int64_t inventory_kit_available(const int64_t *component_atp, const int64_t *component_qty,
                                size_t components_count);

#endif
