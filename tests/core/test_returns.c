/*
 * test_returns.c — goal: the pure return rules: names, the window's edge, returnable units,
 * refunds that add up exactly over any sequence of partial returns (never more than the line
 * is worth), shares of discount and tax, and the disposition rule table's precedence.
 * Method: hand-computed figures, plus an exhaustive sweep of partial-return sequences.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/returns.h"
#include "lib/date.h"

Test(returns, names_round_trip)
{
    static const char *const reasons[] = {"too_small",  "too_large", "damaged",      "defective",
                                          "wrong_item", "late",      "changed_mind", "other"};
    cr_assert_eq(ARRAY_LEN(reasons), (size_t)RETURN_REASON_COUNT);
    for (int i = 0; i < RETURN_REASON_COUNT; i++) {
        enum return_reason reason;
        cr_expect(return_reason_parse(reasons[i], &reason));
        cr_expect_eq(reason, (enum return_reason)i);
        cr_expect_str_eq(return_reason_name(reason), reasons[i]);
    }
    enum return_reason reason;
    cr_expect(!return_reason_parse("bored", &reason));
    cr_expect(!return_reason_parse(NULL, &reason));
    enum return_condition condition;
    cr_expect(return_condition_parse("damaged", &condition));
    cr_expect_eq(condition, RETURN_CONDITION_DAMAGED);
    cr_expect(!return_condition_parse("used", &condition));
    enum return_disposition disposition;
    cr_expect(return_disposition_parse("return_to_vendor", &disposition));
    cr_expect_eq(disposition, RETURN_DISPOSITION_RETURN_TO_VENDOR);
    enum return_resolution resolution;
    cr_expect(return_resolution_parse("exchange", &resolution));
    cr_expect(!return_resolution_parse("credit", &resolution));
}

Test(returns, reason_sets)
{
    unsigned set = 0;
    cr_expect(returns_reason_set_parse("damaged,defective,wrong_item,late", &set));
    cr_expect_eq(set, returns_shipping_reasons_default());
    cr_expect(returns_reason_set_parse("", &set));
    cr_expect_eq(set, 0u);
    cr_expect(!returns_reason_set_parse("damaged,bored", &set));
    cr_expect(!returns_reason_set_parse("averyveryverylongnamethatdoesnotfit", &set));
}

Test(returns, window_edges)
{
    int64_t delivered = 100 * DATE_MS_PER_DAY;
    struct err err;
    cr_expect_eq(returns_window_check(delivered, delivered + 30 * DATE_MS_PER_DAY, 30, &err),
                 ERR_OK);
    cr_expect_eq(returns_window_check(delivered, delivered + 30 * DATE_MS_PER_DAY + 1, 30, &err),
                 ERR_INVALID);
    cr_expect_str_eq(err.reason, "return_window_closed");
    cr_expect_str_eq(err.field, "order_id");
    cr_expect_eq(returns_window_check(0, delivered, 30, &err), ERR_OK);
    cr_expect_eq(returns_window_check(delivered, delivered + 1, 0, &err), ERR_INVALID);
}

Test(returns, delivered_at_is_the_latest_shipment)
{
    struct returns_shipment_times times[] = {
        {.shipped_at_ms = 10, .delivered_at_ms = 50},
        {.shipped_at_ms = 70},                        /* never confirmed: its ship time */
        {.shipped_at_ms = 20, .picked_up_at_ms = 40}, /* a pickup is its own delivery */
    };
    cr_expect_eq(returns_delivered_at(times, 3), 70);
    cr_expect_eq(returns_delivered_at(times, 1), 50);
    cr_expect_eq(returns_delivered_at(&times[2], 1), 40);
    cr_expect_eq(returns_delivered_at(NULL, 0), 0);
    cr_expect_eq(returns_returnable(3, 1), 2);
    cr_expect_eq(returns_returnable(3, 3), 0);
    cr_expect_eq(returns_returnable(0, 0), 0);
}

Test(returns, line_value_shares_discount_and_tax)
{
    /* Two lines: 3 x 1000 and 1 x 999; discount 500, tax 320 (subtotal 3999).
     * Line 1 discount share floor(500*3000/3999) = 375, tax floor(320*3000/3999) = 240,
     * value 3000 - 375 + 240 = 2865. Line 2 takes the rest: discount 125, tax 80,
     * value 999 - 125 + 80 = 954. 2865 + 954 = 3819 = 3999 - 500 + 320. */
    struct order_line lines[] = {{.line_no = 1, .qty = 3, .unit_price = 1000},
                                 {.line_no = 2, .qty = 1, .unit_price = 999}};
    struct order order = {.lines = lines, .lines_count = 2};
    order.totals = (struct order_totals){.subtotal = 3999, .discount = 500, .tax = 320};
    int64_t v1 = 0;
    int64_t v2 = 0;
    struct err err;
    cr_assert_eq(returns_line_value(&order, 0, &v1, &err), ERR_OK);
    cr_assert_eq(returns_line_value(&order, 1, &v2, &err), ERR_OK);
    cr_expect_eq(v1, 2865);
    cr_expect_eq(v2, 954);
    cr_expect_eq(v1 + v2, 3999 - 500 + 320);
}

Test(returns, partial_refunds_add_up_and_last_gets_remainder)
{
    /* 2865 over 3 units: 1 unit floor(2865/3) = 955, then 2 more 2865 - 955 = 1910. */
    struct err err;
    int64_t first = 0;
    int64_t second = 0;
    cr_assert_eq(returns_refund_units(2865, 3, 0, 1, &first, &err), ERR_OK);
    cr_assert_eq(returns_refund_units(2865, 3, 1, 2, &second, &err), ERR_OK);
    cr_expect_eq(first, 955);
    cr_expect_eq(second, 1910);
    /* 1000 over 3 units one at a time: 333, 333, 334. */
    int64_t a = 0;
    int64_t b = 0;
    int64_t c = 0;
    cr_assert_eq(returns_refund_units(1000, 3, 0, 1, &a, &err), ERR_OK);
    cr_assert_eq(returns_refund_units(1000, 3, 1, 1, &b, &err), ERR_OK);
    cr_assert_eq(returns_refund_units(1000, 3, 2, 1, &c, &err), ERR_OK);
    cr_expect_eq(a, 333);
    cr_expect_eq(b, 333);
    cr_expect_eq(c, 334);
    int64_t over = 0;
    cr_expect_eq(returns_refund_units(1000, 3, 2, 2, &over, &err), ERR_INVALID);
    cr_expect_eq(over, 0);
}

Test(returns, any_sequence_never_over_refunds)
{
    /* Every way to return 7 units in steps of 1..3 adds up to the value exactly. */
    for (int64_t value = 0; value < 200; value += 13) {
        for (int step = 1; step <= 3; step++) {
            int64_t sum = 0;
            int64_t done = 0;
            while (done < 7) {
                int64_t units = done + step <= 7 ? step : 7 - done;
                int64_t part = 0;
                struct err err;
                cr_assert_eq(returns_refund_units(value, 7, done, units, &part, &err), ERR_OK);
                sum += part;
                done += units;
                cr_assert_leq(sum, value);
            }
            cr_expect_eq(sum, value);
        }
    }
}

Test(returns, disposition_rules_precedence)
{
    struct return_rule rules[] = {
        {.priority = 10,
         .reason = -1,
         .condition = RETURN_CONDITION_SELLABLE,
         .disposition = RETURN_DISPOSITION_TRANSFER,
         .target_location = "DC-EAST"},
        {.priority = 10,
         .reason = RETURN_REASON_DEFECTIVE,
         .condition = -1,
         .disposition = RETURN_DISPOSITION_RETURN_TO_VENDOR},
        {.priority = 5,
         .reason = -1,
         .condition = RETURN_CONDITION_SELLABLE,
         .location = "STORE-1",
         .disposition = RETURN_DISPOSITION_RESTOCK},
        {.priority = 1,
         .reason = RETURN_REASON_DEFECTIVE,
         .condition = -1,
         .sku = "MUG",
         .disposition = RETURN_DISPOSITION_REFURBISH},
    };
    const struct return_rule *rule = NULL;
    struct return_unit_facts facts = {.reason = RETURN_REASON_TOO_SMALL,
                                      .condition = RETURN_CONDITION_SELLABLE,
                                      .sku = "TEE",
                                      .location = "STORE-2"};
    cr_expect_eq(returns_dispose(rules, 4, &facts, &rule), RETURN_DISPOSITION_TRANSFER);
    cr_expect_eq(rule, &rules[0]);
    facts.location = "STORE-1"; /* the store's own rule is more specific */
    cr_expect_eq(returns_dispose(rules, 4, &facts, &rule), RETURN_DISPOSITION_RESTOCK);
    facts.reason = RETURN_REASON_DEFECTIVE;
    facts.condition = RETURN_CONDITION_DAMAGED;
    cr_expect_eq(returns_dispose(rules, 4, &facts, &rule), RETURN_DISPOSITION_RETURN_TO_VENDOR);
    facts.sku = "MUG";
    cr_expect_eq(returns_dispose(rules, 4, &facts, &rule), RETURN_DISPOSITION_REFURBISH);
    /* No rule: the default by condition. */
    cr_expect_eq(returns_dispose(NULL, 0, &facts, &rule), RETURN_DISPOSITION_SCRAP);
    cr_expect_null(rule);
    facts.condition = RETURN_CONDITION_SELLABLE;
    cr_expect_eq(returns_dispose(NULL, 0, &facts, &rule), RETURN_DISPOSITION_RESTOCK);
}

Test(returns, status_of_follows_received_units)
{
    struct rma_line lines[2] = {{.qty = 2}, {.qty = 1}};
    struct rma rma = {.lines = lines, .lines_count = 2};
    cr_expect_eq(returns_status_of(&rma), RETURN_STATUS_REQUESTED);
    lines[0].qty_received = 2;
    cr_expect_eq(returns_status_of(&rma), RETURN_STATUS_PARTIALLY_RECEIVED);
    lines[1].qty_received = 1;
    cr_expect_eq(returns_status_of(&rma), RETURN_STATUS_RECEIVED);
    cr_expect_str_eq(return_status_name(RETURN_STATUS_PARTIALLY_RECEIVED), "partially_received");
}
