/*
 * routing.h — the routing engine of distributed order management: which location serves
 * which units of which line, at the least total cost. A pure function over plain structs
 * (candidates, stock, carriers and settings in, a plan with its explanation out), so it is
 * tested and benchmarked without a database.
 *
 * Cost of a plan (all in minor units of money):
 *   shipping  for each shipment (one per location used): the cheapest carrier service whose
 *             rate card covers the great-circle distance and the shipment's weight, plus
 *             lateness_penalty_per_day for each day its delivery (location handling days +
 *             service transit days) falls after the promise; when no service fits, a
 *             distance-and-weight estimate from the settings (never below the dearest fitting
 *             price, so that cost grows with distance and weight);
 *   handling  the handling cost of each location used;
 *   split     split_penalty for each shipment beyond the first;
 *   unplaced  ROUTING_UNPLACED_COST per unit left unplaced (backorder): placing units always
 *             wins over cost.
 * Constraints: a candidate must be active, have the capability (ship, or be the pickup
 * store of a pickup order), capacity left today (one shipment), and stock after the channel
 * hold-back. ship_complete: one location serves every line or nothing is placed.
 * allow_split: a line goes whole to one location; a line that no single location holds in
 * full is split over locations, cheapest first, before the search; at most max_shipments
 * locations (0: no limit). Kits arrive as whole-kit availability and are placed whole.
 *
 * Search: orders of up to ROUTING_EXACT_LINES_MAX lines are solved exactly by branch and
 * bound (greedy incumbent, lower bound = the dearest single remaining line's cheapest
 * placement, candidates dominated for every line pruned); larger ones by the same search
 * with a node budget, and the plan reports its proven gap to the lower bound.
 */
#ifndef ORDO_CORE_ROUTING_H
#define ORDO_CORE_ROUTING_H

#include "core/order.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

#define ROUTING_EXACT_LINES_MAX 8
#define ROUTING_UNPLACED_COST   1000000000LL /* per unit: placing stock first, then cost */
#define ROUTING_BOUNDED_NODES   20000        /* node budget of the bounded search */
#define ROUTING_EXACT_NODES     4000000      /* safety budget of the exact search */
#define ROUTING_SERVICES_MAX    64           /* carrier services on the rate card */
#define ROUTING_BANDS_MAX       32           /* transit bands or rates of one service */
#define ROUTING_PENALTY_MAX     100000000LL  /* 10^8 minor units per setting */
#define ROUTING_DISTANCE_KM_MAX 50000
#define ROUTING_BAND_KM_MAX     100000 /* max_km of a band or a rate (99999: anywhere) */

struct routing_candidate {
    int64_t location_row_id;
    const char *code;
    double lat; /* degrees, valid when has_coords */
    double lon;
    bool has_coords;
    unsigned capabilities; /* LOCATION_CAP_* */
    bool active;
    int64_t handling_cost; /* minor units per shipment */
    int64_t priority;      /* lower first: breaks ties */
    int64_t capacity_left; /* shipments it may still take today; INT64_MAX for no limit */
    int64_t handling_days; /* days before it hands a parcel to the carrier */
    bool dropship;         /* a drop-ship supplier: available is what it will supply, not
                              stock, so no channel hold-back applies */
};

struct routing_line {
    int64_t qty;              /* units to place (kits: whole kits) */
    const int64_t *available; /* [candidates_count] units each candidate can serve now */
    int64_t weight_grams;     /* per unit (per kit) */
};

/* A distance band of a service: up to max_km, delivery takes days. */
struct routing_transit {
    int64_t max_km;
    int64_t days;
};

/* A rate: a parcel up to max_km and max_grams costs price (minor units). */
struct routing_rate {
    int64_t max_km;
    int64_t max_grams;
    int64_t price;
};

struct routing_service {
    const char *carrier;                   /* "UPS" */
    const char *code;                      /* "ground" */
    const struct routing_transit *transit; /* ascending max_km and days */
    size_t transit_count;
    const struct routing_rate *rates;
    size_t rates_count;
};

/* A carrier and its services (POST /v1/carriers). */
struct routing_carrier {
    const char *code; /* "UPS": as a location code */
    const char *name; /* or NULL */
    struct routing_service *services;
    size_t services_count;
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

/* Units of every SKU at every location that orders of the channel may not take. */
struct routing_hold_back {
    const char *channel;
    int64_t units;
};

/* The weights of the cost terms (GET/PUT /v1/routing/settings). */
struct routing_settings {
    int64_t split_penalty;            /* per shipment beyond the first */
    int64_t lateness_penalty_per_day; /* per shipment and day late */
    int64_t default_base;             /* estimate when no service fits: base ... */
    int64_t default_per_100km;        /* ... + per 100 km ... */
    int64_t default_per_kg;           /* ... + per started kg */
    int64_t default_km_per_day;       /* estimated transit: 1 day + km / this */
    int64_t unknown_distance_km;      /* distance assumed without coordinates */
    int64_t promise_days;             /* delivery promised within, from today */
    int64_t max_shipments;            /* 0: no limit */
};

/* The settings' names as the API and the store spell them, in order, and the field of each. */
extern const char *const routing_settings_names[];
extern const size_t routing_settings_names_count;
int64_t *routing_settings_at(struct routing_settings *settings, size_t index);

/* Defaults: split 300, lateness 500/day, estimate 600 + 50/100 km + 80/kg, 800 km/day,
 * 4000 km when unknown, promise 5 days, no shipment limit. */
void routing_settings_default(struct routing_settings *settings);

/* Checks every field's range; names the field. */
MUST_CHECK enum err_code routing_settings_validate(const struct routing_settings *settings,
                                                   struct err *err);

/* Checks a service's bands and rates (ascending, positive, bounded); field prefix given. */
MUST_CHECK enum err_code routing_service_validate(const struct routing_service *service,
                                                  const char *field, struct err *err);

/* Checks code, name, 1..ROUTING_SERVICES_MAX services with distinct valid codes, and each
 * service's bands and rates; the field names the element ("services[1].rates"). */
MUST_CHECK enum err_code routing_carrier_validate(const struct routing_carrier *carrier,
                                                  struct err *err);

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
    size_t pickup_candidate;                 /* index into candidates when method == PICKUP */
    const struct routing_settings *settings; /* NULL: the defaults */
    const struct routing_service *services;  /* the rate card; none: the estimate */
    size_t services_count;
    int64_t channel_hold_back; /* units of each SKU at each location held back from the channel */
};

struct routing_assignment {
    size_t line_index;
    size_t candidate_index;
    int64_t qty;
};

enum routing_verdict {
    ROUTING_CHOSEN,
    ROUTING_NOT_CHOSEN, /* eligible, a cheaper plan won */
    ROUTING_INACTIVE,
    ROUTING_NO_CAPABILITY,
    ROUTING_NO_STOCK,
    ROUTING_NO_CAPACITY,
    ROUTING_HELD_BACK, /* stock there, all of it held back from this channel */
    ROUTING_VERDICT_COUNT
};

/* The cost terms of one shipment, or of the plan. */
struct routing_terms {
    int64_t shipping; /* carrier price or estimate, without lateness */
    int64_t handling;
    int64_t lateness;
    int64_t split;
    int64_t unplaced;
    int64_t total;
};

struct routing_explanation {
    size_t candidate_index;
    double distance_km;      /* -1 when either side has no coordinates */
    int64_t units_available; /* sum over lines of min(available, qty) */
    enum routing_verdict verdict;
    /* Chosen: its shipment in the plan. Not chosen: shipping alone what it can serve.
     * Rejected: zero. */
    struct routing_terms terms;
    int64_t units;        /* units those terms ship */
    int64_t weight_grams; /* their weight */
    int64_t days;         /* handling + transit days */
    const char *carrier;  /* the service chosen, or NULL for the estimate */
    const char *service;
};

struct routing_plan {
    struct routing_assignment *assignments; /* arena-owned, grouped by candidate */
    size_t assignments_count;
    int64_t *unallocated;                     /* [lines_count] units not placed */
    bool complete;                            /* every unit placed */
    struct routing_explanation *explanations; /* [candidates_count], ranked */
    size_t explanations_count;
    const char *strategy;      /* "single_location", "split", "pickup", "none" */
    struct routing_terms cost; /* the plan's terms and total */
    int64_t lower_bound;       /* proven: no plan costs less */
    bool exact;                /* lower_bound == cost.total was proven by the search */
    int64_t nodes;             /* search nodes visited */
    size_t shipments;          /* locations used */
};

const char *routing_verdict_name(enum routing_verdict verdict);

/*
 * The shipping terms (shipping, lateness) of one parcel of weight_grams from candidate c to
 * the request's destination, the service used into *service_index (SIZE_MAX: the estimate)
 * and the delivery days into *days. Exposed for tests and explanations.
 */
void routing_shipping_cost(const struct routing_request *request, size_t c, int64_t weight_grams,
                           struct routing_terms *terms, size_t *service_index, int64_t *days);

/*
 * Plans an order. Never fails for lack of stock: an incomplete plan says what is missing
 * (the caller answers 409 or backorders). ERR_TOO_LARGE when the arena is full; ERR_INVALID
 * for more than LOCATIONS_MAX candidates or ORDER_LINES_MAX lines.
 */
MUST_CHECK enum err_code routing_plan_order(const struct routing_request *request,
                                            struct arena *arena, struct routing_plan *plan,
                                            struct err *err);

#endif
