/*
 * test_payment.c — goal: the money arithmetic of payments is exact. Method: shares of a split
 * add up to the total for awkward totals and weights (checked exhaustively on small cases and
 * at the int64 edges), the largest remainder gets the leftover units, the capture of the last
 * shipment takes what is left, and the refund rule refuses exactly what exceeds the captures.
 */
#include <criterion/criterion.h>

#include "core/payment.h"

Test(payment_split, shares_add_up_and_follow_the_weights)
{
    int64_t weights[] = {79960, 39980};
    int64_t out[2];
    struct err err = {0};
    cr_assert_eq(payment_split(120760, weights, 2, out, &err), ERR_OK);
    cr_expect_eq(out[0], 80507); /* 80506.67: the larger remainder gets the unit */
    cr_expect_eq(out[1], 40253);
}

Test(payment_split, exhaustive_small_cases_add_up)
{
    struct err err = {0};
    for (int64_t total = 0; total <= 50; total++) {
        for (int64_t a = 0; a <= 7; a++) {
            for (int64_t b = 0; b <= 7; b++) {
                int64_t weights[] = {a, b, 3};
                int64_t out[3];
                cr_assert_eq(payment_split(total, weights, 3, out, &err), ERR_OK);
                cr_assert_eq(out[0] + out[1] + out[2], total, "total %lld a %lld b %lld",
                             (long long)total, (long long)a, (long long)b);
                for (int i = 0; i < 3; i++) {
                    cr_assert_geq(out[i], 0);
                    /* Each share is within one unit of its exact proportion. */
                    int64_t sum = a + b + 3;
                    int64_t exact = total * weights[i];
                    cr_assert(out[i] * sum >= exact - sum);
                    cr_assert(out[i] * sum <= exact + sum);
                }
            }
        }
    }
}

Test(payment_split, zero_weights_split_evenly_and_large_values_do_not_overflow)
{
    struct err err = {0};
    int64_t zero[] = {0, 0, 0};
    int64_t out[3];
    cr_assert_eq(payment_split(10, zero, 3, out, &err), ERR_OK);
    cr_expect(out[0] == 4 && out[1] == 3 && out[2] == 3);
    int64_t big[] = {1000000000000LL * 1000000, 1, 1000000000000LL};
    cr_assert_eq(payment_split(1000000000000LL, big, 3, out, &err), ERR_OK);
    cr_expect_eq(out[0] + out[1] + out[2], 1000000000000LL);
    int64_t negative[] = {1, -1};
    cr_expect_eq(payment_split(10, negative, 2, out, &err), ERR_INVALID);
    cr_expect_eq(payment_split(-1, zero, 3, out, &err), ERR_INVALID);
    cr_expect_eq(payment_split(1, zero, 0, out, &err), ERR_INVALID);
}

Test(payment_capture, last_takes_the_rest_and_never_more_than_left)
{
    struct err err = {0};
    int64_t weights[] = {79960, 39980};
    struct payment_capture_input in = {
        .capturable = 120760, .weights = weights, .count = 2, .target = 0, .already = 0};
    int64_t amount = 0;
    cr_assert_eq(payment_capture_amount(&in, &amount, &err), ERR_OK);
    cr_expect_eq(amount, 80507);
    in.target = 1;
    in.last = true;
    in.already = 80507;
    cr_assert_eq(payment_capture_amount(&in, &amount, &err), ERR_OK);
    cr_expect_eq(amount, 40253);
    /* Captured too much already (the order shrank): nothing more, never negative. */
    in.capturable = 50000;
    cr_assert_eq(payment_capture_amount(&in, &amount, &err), ERR_OK);
    cr_expect_eq(amount, 0);
    in.last = false;
    in.already = 49990;
    cr_assert_eq(payment_capture_amount(&in, &amount, &err), ERR_OK);
    cr_expect_eq(amount, 10);
}

Test(payment_refund, refunds_never_exceed_captures)
{
    struct payment_txn txns[] = {
        {.kind = PAYMENT_KIND_AUTHORIZE, .amount = 1000, .status = PAYMENT_STATUS_SUCCEEDED},
        {.kind = PAYMENT_KIND_CAPTURE, .amount = 600, .status = PAYMENT_STATUS_SUCCEEDED},
        {.kind = PAYMENT_KIND_CAPTURE, .amount = 400, .status = PAYMENT_STATUS_FAILED},
        {.kind = PAYMENT_KIND_REFUND, .amount = 100, .status = PAYMENT_STATUS_SUCCEEDED},
        {.kind = PAYMENT_KIND_REFUND, .amount = 200, .status = PAYMENT_STATUS_PENDING},
        {.kind = PAYMENT_KIND_REFUND, .amount = 999, .status = PAYMENT_STATUS_FAILED},
    };
    struct payment_totals totals;
    payment_totals_compute(txns, 6, &totals);
    cr_expect_eq(totals.authorized, 1000);
    cr_expect_eq(totals.captured, 600);
    cr_expect_eq(totals.capture_failed, 400);
    cr_expect_eq(totals.refunded, 100);
    cr_expect_eq(totals.refund_pending, 200);
    cr_expect_eq(payment_refundable(&totals), 300);
    struct err err = {0};
    cr_expect_eq(payment_refund_check(&totals, 300, &err), ERR_OK);
    cr_expect_eq(payment_refund_check(&totals, 0, &err), ERR_OK);
    cr_expect_eq(payment_refund_check(&totals, 301, &err), ERR_CONFLICT);
    cr_expect_str_eq(err_reason(&err), "refund_exceeds_captures");
    cr_expect_str_eq(err.field, "amount");
    cr_expect_eq(payment_refund_check(&totals, -1, &err), ERR_INVALID);
}

Test(payment_capturable, shrinks_with_cancelled_units)
{
    struct order_line lines[] = {{.qty = 2, .unit_price = 1999}, {.qty = 1, .unit_price = 1299}};
    struct order order = {.lines = lines, .lines_count = 2, .totals = {.total = 6117}};
    cr_expect_eq(payment_order_capturable(&order), 6117);
    lines[1].qty_cancelled = 1;
    /* 6117 * 3998 / 5297 = 4616.9 -> 4617 */
    cr_expect_eq(payment_order_capturable(&order), 4617);
    lines[0].qty_cancelled = 2;
    cr_expect_eq(payment_order_capturable(&order), 0);
}

Test(payment_names, round_trip)
{
    for (int i = 0; i < PAYMENT_KIND_COUNT; i++) {
        enum payment_kind kind;
        cr_assert(payment_kind_parse(payment_kind_name((enum payment_kind)i), &kind));
        cr_expect_eq(kind, (enum payment_kind)i);
    }
    for (int i = 0; i < PAYMENT_STATUS_COUNT; i++) {
        enum payment_status status;
        cr_assert(payment_status_parse(payment_status_name((enum payment_status)i), &status));
        cr_expect_eq(status, (enum payment_status)i);
    }
    enum payment_kind kind;
    cr_expect(!payment_kind_parse("charge", &kind));
    cr_expect(!payment_kind_parse(NULL, &kind));
}
