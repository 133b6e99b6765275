/*
 * shipment.c — the shipment's transition table. Like order.c for orders, this is the one
 * place that decides which status may follow which; a refused move changes nothing.
 */
#include "core/shipment.h"

#include <string.h>

static const char *const shipment_status_names[SHIPMENT_STATUS_COUNT] = {
    [SHIPMENT_STATUS_PENDING] = "pending",
    [SHIPMENT_STATUS_PICKING] = "picking",
    [SHIPMENT_STATUS_PACKED] = "packed",
    [SHIPMENT_STATUS_SHIPPED] = "shipped",
    [SHIPMENT_STATUS_DELIVERED] = "delivered",
    [SHIPMENT_STATUS_READY_FOR_PICKUP] = "ready_for_pickup",
    [SHIPMENT_STATUS_PICKED_UP] = "picked_up",
    [SHIPMENT_STATUS_CANCELLED] = "cancelled",
};

#define BIT(status) (1u << (status))

static const unsigned shipment_transitions[SHIPMENT_STATUS_COUNT] = {
    [SHIPMENT_STATUS_PENDING] = BIT(SHIPMENT_STATUS_PICKING) |
                                BIT(SHIPMENT_STATUS_READY_FOR_PICKUP) |
                                BIT(SHIPMENT_STATUS_CANCELLED),
    [SHIPMENT_STATUS_PICKING] = BIT(SHIPMENT_STATUS_PACKED) |
                                BIT(SHIPMENT_STATUS_READY_FOR_PICKUP) |
                                BIT(SHIPMENT_STATUS_CANCELLED),
    [SHIPMENT_STATUS_PACKED] = BIT(SHIPMENT_STATUS_SHIPPED) | BIT(SHIPMENT_STATUS_CANCELLED),
    [SHIPMENT_STATUS_SHIPPED] = BIT(SHIPMENT_STATUS_DELIVERED),
    [SHIPMENT_STATUS_DELIVERED] = 0,
    [SHIPMENT_STATUS_READY_FOR_PICKUP] =
        BIT(SHIPMENT_STATUS_PICKED_UP) | BIT(SHIPMENT_STATUS_CANCELLED),
    [SHIPMENT_STATUS_PICKED_UP] = 0,
    [SHIPMENT_STATUS_CANCELLED] = 0,
};

const char *shipment_status_name(enum shipment_status status)
{
    ASSERT((int)status >= 0);
    ASSERT(status < SHIPMENT_STATUS_COUNT);
    return shipment_status_names[status];
}

bool shipment_status_parse(const char *name, enum shipment_status *out)
{
    ASSERT(out != NULL);
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < SHIPMENT_STATUS_COUNT; i++) {
        if (strcmp(name, shipment_status_names[i]) == 0) {
            *out = (enum shipment_status)i;
            return true;
        }
    }
    return false;
}

bool shipment_status_can_transition(enum shipment_status from, enum shipment_status to)
{
    ASSERT((int)from >= 0 && from < SHIPMENT_STATUS_COUNT);
    ASSERT((int)to >= 0 && to < SHIPMENT_STATUS_COUNT);
    return (shipment_transitions[from] & BIT(to)) != 0;
}

enum err_code shipment_transition(struct shipment *shipment, enum shipment_status to,
                                  struct err *err)
{
    ASSERT(shipment != NULL);
    ASSERT(err != NULL);
    enum shipment_status from = shipment->status;
    if (!shipment_status_can_transition(from, to)) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "cannot move shipment from %s to %s", shipment_status_names[from],
                              shipment_status_names[to]);
    }
    shipment->status = to;
    ASSERT(shipment->status == to);
    return ERR_OK;
}

bool shipment_is_open(enum shipment_status status)
{
    ASSERT((int)status >= 0);
    ASSERT(status < SHIPMENT_STATUS_COUNT);
    return status != SHIPMENT_STATUS_SHIPPED && status != SHIPMENT_STATUS_DELIVERED &&
           status != SHIPMENT_STATUS_PICKED_UP && status != SHIPMENT_STATUS_CANCELLED;
}

bool shipment_pickup_code_matches(const char *issued, const char *given)
{
    ASSERT(issued != NULL);
    if (given == NULL || strlen(given) != strlen(issued)) {
        return false;
    }
    unsigned diff = 0;
    for (size_t i = 0; issued[i] != '\0'; i++) {
        unsigned char a = (unsigned char)issued[i];
        unsigned char b = (unsigned char)given[i];
        a = (unsigned char)(a >= 'A' && a <= 'Z' ? a - 'A' + 'a' : a);
        b = (unsigned char)(b >= 'A' && b <= 'Z' ? b - 'A' + 'a' : b);
        diff |= (unsigned)(a ^ b); /* no early exit: the time does not tell how much matched */
    }
    return diff == 0;
}
