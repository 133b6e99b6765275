/*
 * routing.h — sourcing: which location serves which units of which line. A pure function
 * over plain structs (candidates and stock in, a plan out), so it is tested and benchmarked
 * without a database and can be replaced by the full cost-based engine.
 *
 * First version: the nearest eligible location that can serve the whole order; with
 * allow_split, the nearest locations that together can; pickup orders only at the pickup
 * location. Locations without coordinates rank after those with, by priority.
 */
#ifndef ORDO_CORE_ROUTING_H
#define ORDO_CORE_ROUTING_H

#include "core/order.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

struct routing_candidate {
    int64_t location_row_id;
    const char *code;
    double lat; /* degrees, valid when has_coords */
    double lon;
    bool has_coords;
    unsigned capabilities; /* LOCATION_CAP_* */
    bool active;
    int64_t handling_cost; /* minor units per shipment */
    int64_t priority;      /* lower first */
    int64_t capacity_left; /* shipments it may still take today; INT64_MAX for no limit */
};

struct routing_line {
    int64_t qty;              /* units to place (kits: whole kits) */
    const int64_t *available; /* [candidates_count] units each candidate can serve now */
};

struct routing_request {
    const struct routing_candidate *candidates;
    size_t candidates_count;
    const struct routing_line *lines;
    size_t lines_count;
    bool has_destination;
    double destination_lat;
    double destination_lon;
    enum fulfillment_method method;
    enum ship_policy policy;
    size_t pickup_candidate; /* index into candidates when method == PICKUP */
};

struct routing_assignment {
    size_t line_index;
    size_t candidate_index;
    int64_t qty;
};

enum routing_verdict {
    ROUTING_CHOSEN,
    ROUTING_NOT_CHOSEN, /* eligible, a better candidate won */
    ROUTING_INACTIVE,
    ROUTING_NO_CAPABILITY,
    ROUTING_NO_STOCK,
    ROUTING_NO_CAPACITY,
    ROUTING_VERDICT_COUNT
};

struct routing_explanation {
    size_t candidate_index;
    double distance_km;      /* -1 when either side has no coordinates */
    int64_t units_available; /* sum over lines of min(available, qty) */
    enum routing_verdict verdict;
};

struct routing_plan {
    struct routing_assignment *assignments; /* arena-owned */
    size_t assignments_count;
    int64_t *unallocated;                     /* [lines_count] units not placed */
    bool complete;                            /* every unit placed */
    struct routing_explanation *explanations; /* [candidates_count], ranked best first */
    size_t explanations_count;
    const char *strategy; /* "single_location", "split", "pickup", "none" */
};

const char *routing_verdict_name(enum routing_verdict verdict);

/*
 * Plans an order. Never fails for lack of stock: an incomplete plan says what is missing
 * (the caller answers 409 or backorders). ship_complete plans all lines at one location or
 * nothing. ERR_TOO_LARGE when the arena is full; ERR_INVALID for more than LOCATIONS_MAX
 * candidates or ORDER_LINES_MAX lines.
 */
MUST_CHECK enum err_code routing_plan_order(const struct routing_request *request,
                                            struct arena *arena, struct routing_plan *plan,
                                            struct err *err);

#endif
