/*
 * test_shipment.c — goal: the shipment transition table. Method: every (from, to) pair against
 * an independent list of legal moves; refused moves leave the shipment unchanged.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/shipment.h"

static const struct {
    enum shipment_status from;
    enum shipment_status to;
} legal[] = {
    {SHIPMENT_STATUS_PENDING, SHIPMENT_STATUS_PICKING},
    {SHIPMENT_STATUS_PENDING, SHIPMENT_STATUS_READY_FOR_PICKUP},
    {SHIPMENT_STATUS_PENDING, SHIPMENT_STATUS_CANCELLED},
    {SHIPMENT_STATUS_PICKING, SHIPMENT_STATUS_PACKED},
    {SHIPMENT_STATUS_PICKING, SHIPMENT_STATUS_READY_FOR_PICKUP},
    {SHIPMENT_STATUS_PICKING, SHIPMENT_STATUS_CANCELLED},
    {SHIPMENT_STATUS_PACKED, SHIPMENT_STATUS_SHIPPED},
    {SHIPMENT_STATUS_PACKED, SHIPMENT_STATUS_CANCELLED},
    {SHIPMENT_STATUS_SHIPPED, SHIPMENT_STATUS_DELIVERED},
    {SHIPMENT_STATUS_READY_FOR_PICKUP, SHIPMENT_STATUS_PICKED_UP},
    {SHIPMENT_STATUS_READY_FOR_PICKUP, SHIPMENT_STATUS_CANCELLED},
};

Test(shipment, every_pair)
{
    for (int f = 0; f < SHIPMENT_STATUS_COUNT; f++) {
        for (int t = 0; t < SHIPMENT_STATUS_COUNT; t++) {
            bool expected = false;
            for (size_t i = 0; i < ARRAY_LEN(legal); i++) {
                expected = expected || (legal[i].from == (enum shipment_status)f &&
                                        legal[i].to == (enum shipment_status)t);
            }
            struct shipment s = {.status = (enum shipment_status)f};
            struct err err = {0};
            enum err_code code = shipment_transition(&s, (enum shipment_status)t, &err);
            cr_expect_eq(code, expected ? ERR_OK : ERR_STATE, "%s -> %s",
                         shipment_status_name((enum shipment_status)f),
                         shipment_status_name((enum shipment_status)t));
            cr_expect_eq(s.status, expected ? (enum shipment_status)t : (enum shipment_status)f);
            cr_expect_eq(
                shipment_status_can_transition((enum shipment_status)f, (enum shipment_status)t),
                expected);
        }
    }
}

Test(shipment, message_and_names)
{
    struct shipment s = {.status = SHIPMENT_STATUS_DELIVERED};
    struct err err = {0};
    cr_assert_eq(shipment_transition(&s, SHIPMENT_STATUS_CANCELLED, &err), ERR_STATE);
    cr_expect_str_eq(err.message, "cannot move shipment from delivered to cancelled");
    cr_expect_str_eq(err_reason(&err), "invalid_state");
    for (int i = 0; i < SHIPMENT_STATUS_COUNT; i++) {
        enum shipment_status parsed = SHIPMENT_STATUS_COUNT;
        cr_expect(shipment_status_parse(shipment_status_name((enum shipment_status)i), &parsed));
        cr_expect_eq(parsed, (enum shipment_status)i);
    }
    enum shipment_status st;
    cr_expect(!shipment_status_parse("lost", &st));
    cr_expect_str_eq(shipment_status_name(SHIPMENT_STATUS_READY_FOR_PICKUP), "ready_for_pickup");
}
