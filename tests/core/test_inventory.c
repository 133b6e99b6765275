/*
 * test_inventory.c — goal: ATP arithmetic, every ledger kind's effect on a balance, and that a
 * refused movement leaves the balance exactly as it was. Method: table of movements per kind
 * with expected results and error codes, plus kit availability cases.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/inventory.h"
#include "core/limits.h"

Test(inventory, kind_names_round_trip)
{
    static const char *const names[] = {"receipt", "adjustment",   "reserve",
                                        "release", "ship",         "return_restock",
                                        "scrap",   "transfer_out", "transfer_in"};
    cr_assert_eq(ARRAY_LEN(names), (size_t)LEDGER_COUNT);
    for (int i = 0; i < LEDGER_COUNT; i++) {
        cr_expect_str_eq(ledger_kind_name((enum ledger_kind)i), names[i]);
        enum ledger_kind kind = LEDGER_COUNT;
        cr_expect(ledger_kind_parse(names[i], &kind));
        cr_expect_eq(kind, (enum ledger_kind)i);
    }
    enum ledger_kind kind;
    cr_expect(!ledger_kind_parse("theft", &kind));
    cr_expect(!ledger_kind_parse(NULL, &kind));
}

Test(inventory, atp)
{
    struct stock s = {.on_hand = 40, .reserved = 5, .safety_stock = 2};
    cr_expect_eq(inventory_atp(&s), 33);
    s.safety_stock = 40;
    cr_expect_eq(inventory_atp(&s), 0, "never below zero");
    s = (struct stock){.on_hand = 10, .reserved = 10};
    cr_expect_eq(inventory_atp(&s), 0);
    s = (struct stock){.on_hand = 10, .inbound = 100};
    cr_expect_eq(inventory_atp(&s), 10, "inbound is not promised");
}

Test(inventory, consistency)
{
    cr_expect(inventory_is_consistent(&(struct stock){.on_hand = 3, .reserved = 3}));
    cr_expect(!inventory_is_consistent(&(struct stock){.on_hand = 3, .reserved = 4}));
    cr_expect(!inventory_is_consistent(&(struct stock){.on_hand = -1}));
    cr_expect(!inventory_is_consistent(&(struct stock){.on_hand = 3, .reserved = -1}));
}

struct movement {
    enum ledger_kind kind;
    int64_t on_hand_delta;
    int64_t reserved_delta;
    enum err_code expected;
    int64_t on_hand_after;  /* when ERR_OK */
    int64_t reserved_after; /* when ERR_OK */
};

/* Each from {on_hand 10, reserved 4, safety 2}: ATP is 4. */
static const struct movement movements[] = {
    {LEDGER_RECEIPT, 5, 0, ERR_OK, 15, 4},
    {LEDGER_RECEIPT, -5, 0, ERR_INVALID, 0, 0},
    {LEDGER_RECEIPT, STOCK_QTY_MAX, 0, ERR_INVALID, 0, 0},
    {LEDGER_ADJUSTMENT, -3, 0, ERR_OK, 7, 4},
    {LEDGER_ADJUSTMENT, 3, 0, ERR_OK, 13, 4},
    {LEDGER_ADJUSTMENT, -6, 0, ERR_OK, 4, 4},
    {LEDGER_ADJUSTMENT, -7, 0, ERR_STOCK, 0, 0}, /* would leave reserved > on hand */
    {LEDGER_ADJUSTMENT, -11, 0, ERR_INVALID, 0, 0},
    {LEDGER_ADJUSTMENT, 0, 1, ERR_INVALID, 0, 0},
    {LEDGER_RESERVE, 0, 4, ERR_OK, 10, 8},
    {LEDGER_RESERVE, 0, 5, ERR_STOCK, 0, 0}, /* ATP 4 */
    {LEDGER_RESERVE, 1, 1, ERR_INVALID, 0, 0},
    {LEDGER_RESERVE, 0, -1, ERR_INVALID, 0, 0},
    {LEDGER_RELEASE, 0, -4, ERR_OK, 10, 0},
    {LEDGER_RELEASE, 0, -5, ERR_STOCK, 0, 0},
    {LEDGER_RELEASE, 0, 1, ERR_INVALID, 0, 0},
    {LEDGER_SHIP, -4, -4, ERR_OK, 6, 0},
    {LEDGER_SHIP, -2, 0, ERR_OK, 8, 4},
    {LEDGER_SHIP, -5, -5, ERR_STOCK, 0, 0},
    {LEDGER_SHIP, -7, 0, ERR_STOCK, 0, 0},
    {LEDGER_SHIP, 1, 0, ERR_INVALID, 0, 0},
    {LEDGER_RETURN_RESTOCK, 2, 0, ERR_OK, 12, 4},
    {LEDGER_RETURN_RESTOCK, -2, 0, ERR_INVALID, 0, 0},
    {LEDGER_SCRAP, -6, 0, ERR_OK, 4, 4},
    {LEDGER_SCRAP, -7, 0, ERR_STOCK, 0, 0},
    {LEDGER_SCRAP, -11, 0, ERR_STOCK, 0, 0},
    {LEDGER_TRANSFER_OUT, -6, 0, ERR_OK, 4, 4},
    {LEDGER_TRANSFER_OUT, -7, 0, ERR_STOCK, 0, 0},
    {LEDGER_TRANSFER_OUT, 7, 0, ERR_INVALID, 0, 0},
    {LEDGER_TRANSFER_IN, 7, 0, ERR_OK, 17, 4},
    {LEDGER_TRANSFER_IN, INT64_MAX, 0, ERR_INVALID, 0, 0},
};

Test(inventory, apply_each_kind)
{
    for (size_t i = 0; i < ARRAY_LEN(movements); i++) {
        const struct movement *m = &movements[i];
        struct stock s = {.on_hand = 10, .reserved = 4, .safety_stock = 2, .inbound = 9};
        struct stock before = s;
        struct err err = {0};
        enum err_code code =
            inventory_apply(&s, m->kind, m->on_hand_delta, m->reserved_delta, &err);
        cr_expect_eq(code, m->expected, "movement %zu (%s %" PRId64 " %" PRId64 "): %s", i,
                     ledger_kind_name(m->kind), m->on_hand_delta, m->reserved_delta, err.message);
        if (m->expected == ERR_OK) {
            cr_expect_eq(s.on_hand, m->on_hand_after, "movement %zu", i);
            cr_expect_eq(s.reserved, m->reserved_after, "movement %zu", i);
            cr_expect_eq(s.safety_stock, 2);
            cr_expect_eq(s.inbound, 9);
        } else {
            cr_expect_eq(memcmp(&s, &before, sizeof(s)), 0, "movement %zu changed the stock", i);
            cr_expect_neq(err.message[0], '\0');
        }
        cr_expect(inventory_is_consistent(&s));
    }
}

Test(inventory, stock_error_reason)
{
    struct stock s = {.on_hand = 1};
    struct err err = {0};
    cr_assert_eq(inventory_apply(&s, LEDGER_RESERVE, 0, 2, &err), ERR_STOCK);
    cr_expect_str_eq(err_reason(&err), "insufficient_stock");
    cr_expect_eq(s.reserved, 0);
}

Test(inventory, ledger_replay_equals_balance)
{
    /* A run of movements: the balance is the sum of the accepted ones. */
    struct stock s = {0};
    int64_t on_hand = 0;
    int64_t reserved = 0;
    uint32_t seed = 12345;
    for (int i = 0; i < 5000; i++) {
        seed = seed * 1103515245u + 12345u;
        enum ledger_kind kind = (enum ledger_kind)((seed >> 16) % LEDGER_COUNT);
        int64_t q = (int64_t)((seed >> 8) % 7);
        int64_t dh = 0;
        int64_t dr = 0;
        switch (kind) {
        case LEDGER_RESERVE:
            dr = q;
            break;
        case LEDGER_RELEASE:
            dr = -q;
            break;
        case LEDGER_SHIP:
            dh = -q;
            dr = -q;
            break;
        case LEDGER_ADJUSTMENT:
            dh = q - 3;
            break;
        case LEDGER_SCRAP:
        case LEDGER_TRANSFER_OUT:
            dh = -q;
            break;
        default:
            dh = q;
            break;
        }
        struct err err = {0};
        if (inventory_apply(&s, kind, dh, dr, &err) == ERR_OK) {
            on_hand += dh;
            reserved += dr;
        }
        cr_assert(inventory_is_consistent(&s));
    }
    cr_expect_eq(s.on_hand, on_hand);
    cr_expect_eq(s.reserved, reserved);
}

Test(inventory, kit_available)
{
    int64_t atp[] = {10, 7, 100};
    int64_t qty[] = {2, 1, 30};
    cr_expect_eq(inventory_kit_available(atp, qty, 3), 3); /* 5, 7, 3 */
    atp[2] = 29;
    cr_expect_eq(inventory_kit_available(atp, qty, 3), 0);
    atp[2] = -4;
    cr_expect_eq(inventory_kit_available(atp, qty, 3), 0, "negative ATP counts as none");
    cr_expect_eq(inventory_kit_available(atp, qty, 2), 5);
    cr_expect_eq(inventory_kit_available(NULL, NULL, 0), 0, "a kit of nothing cannot be sold");
    int64_t one_atp[] = {STOCK_QTY_MAX};
    int64_t one_qty[] = {1};
    cr_expect_eq(inventory_kit_available(one_atp, one_qty, 1), STOCK_QTY_MAX);
}
