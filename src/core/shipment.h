/*
 * shipment.h — a fulfillment order at one location: the units of one order that leave (or
 * are picked up) from there together, and its status.
 */
#ifndef ORDO_CORE_SHIPMENT_H
#define ORDO_CORE_SHIPMENT_H

#include "lib/base.h"
#include "lib/err.h"

enum shipment_status {
    SHIPMENT_STATUS_PENDING,
    SHIPMENT_STATUS_PICKING,
    SHIPMENT_STATUS_PACKED,
    SHIPMENT_STATUS_SHIPPED,
    SHIPMENT_STATUS_DELIVERED,
    SHIPMENT_STATUS_READY_FOR_PICKUP,
    SHIPMENT_STATUS_PICKED_UP,
    SHIPMENT_STATUS_CANCELLED,
    SHIPMENT_STATUS_COUNT
};

struct shipment {
    const char *id;
    const char *order_id;
    int64_t location_row_id;
    const char *location_code;
    enum shipment_status status;
    bool is_pickup;
    const char *carrier;
    const char *service;
    const char *tracking_number;
    int64_t cost; /* minor units, what the carrier charged */
    const char *pickup_code;
    int64_t promised_ship_by_ms;
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
    int64_t shipped_at_ms;
    int64_t delivered_at_ms;
    int64_t cancelled_at_ms;
    const char *pick_list_id;  /* the wave that picked it, or NULL */
    const char *packages_json; /* JSON array [{"weight_grams": 900}] once packed, or NULL */
    int64_t ready_at_ms;       /* BOPIS: when it became ready for pickup, or 0 */
    int64_t picked_up_at_ms;   /* BOPIS: when the customer collected it, or 0 */
};

const char *shipment_status_name(enum shipment_status status);
MUST_CHECK bool shipment_status_parse(const char *name, enum shipment_status *out);

/* The shipment transition table; ERR_STATE with both names when not allowed. */
bool shipment_status_can_transition(enum shipment_status from, enum shipment_status to);
MUST_CHECK enum err_code shipment_transition(struct shipment *shipment, enum shipment_status to,
                                             struct err *err);

/* True while the shipment still holds stock (not shipped, delivered, picked up or cancelled). */
bool shipment_is_open(enum shipment_status status);

/* True when a pickup code given at the counter matches the issued one: same length, compared
 * without regard to ASCII case. The caller compares in constant time what this normalises. */
bool shipment_pickup_code_matches(const char *issued, const char *given);

#endif
