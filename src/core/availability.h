/*
 * availability.h — what a channel may promise a customer (issue 3): units available to ship
 * after the channel's hold-back, the earliest delivery date, the nearest pickup stores with
 * stock, and the order in which a soft hold takes stock from locations. Soft holds (a cart's
 * reservation that expires) are described here too. Pure: the clock, the stock and the
 * network are passed in.
 */
#ifndef ORDO_CORE_AVAILABILITY_H
#define ORDO_CORE_AVAILABILITY_H

#include "core/limits.h"
#include "core/routing.h"
#include "lib/base.h"
#include "lib/err.h"

/* A location as availability sees it. */
struct availability_site {
    int64_t row_id;
    const char *code;
    const char *name;
    double lat; /* degrees, valid when has_coords */
    double lon;
    bool has_coords;
    unsigned capabilities; /* LOCATION_CAP_* */
    bool active;
    int cutoff_minute; /* minute of the UTC day after which it ships a day later */
    int handling_days; /* days added to its ship-by date */
    int64_t priority;  /* lower first when nothing else tells sites apart */
    bool supplier;     /* a drop-ship supplier: what it promises is the caller's choice */
};

/* The customer, the carriers and the time of the question. */
struct availability_where {
    bool has_destination;
    double lat; /* degrees */
    double lon;
    const struct routing_service *services; /* transit bands by distance; may be none */
    size_t services_count;
    const struct routing_settings *settings; /* the estimate without a service; NULL: defaults */
    int64_t now_ms;
};

/* One site seen from the customer at now_ms. */
struct availability_route {
    double distance_km;   /* -1 without coordinates on either side */
    int64_t ship_by_ms;   /* the end of the day it ships (cut-off and handling days) */
    int64_t transit_days; /* carrier days by distance */
    int64_t delivery_day; /* day number of delivery: ship day + transit days */
};

/* The sites and their routes, indexed alike. */
struct availability_network {
    const struct availability_site *sites;
    const struct availability_route *routes;
    size_t count;
};

/* What one SKU may be promised. */
struct availability_answer {
    int64_t available;          /* units at active sites that ship or drop-ship, after hold-back */
    int64_t dropship_available; /* of which at drop-ship suppliers (sites without ship) */
    bool can_ship;              /* qty units can be delivered */
    int64_t delivery_day;       /* when can_ship: the earliest day all qty units arrive */
    size_t ship_site;           /* when can_ship: the site that alone serves qty by then, or
                                   SIZE_MAX when several are needed */
    size_t pickup[AVAILABILITY_PICKUP_MAX]; /* nearest pickup sites holding qty */
    int64_t pickup_units[AVAILABILITY_PICKUP_MAX];
    size_t pickup_count;
};

/*
 * Carrier days from a site km away: the fastest service whose distance bands cover km (the
 * first band with max_km >= km); without one, the routing estimate 1 + km / km_per_day.
 */
int64_t availability_transit_days(const struct availability_where *where, double km);

/* Fills routes[count] for sites[count] as seen from where. */
void availability_routes(const struct availability_site *sites, size_t count,
                         const struct availability_where *where, struct availability_route *routes);

/*
 * The promise for one SKU. units[i] is what site i holds of it (units, or whole kits), before
 * the hold-back of hold_back units per site; qty (>= 1) the units the customer wants. net[]
 * (network->count entries, the caller's scratch) receives each site's units after hold-back.
 */
void availability_answer(const struct availability_network *network, const int64_t *units,
                         int64_t hold_back, int64_t qty, int64_t *net,
                         struct availability_answer *out);

/* True when site may ship to a customer (active, with ship or drop-ship). */
bool availability_site_ships(const struct availability_site *site);

/*
 * The order in which a hold takes stock: sites that ship, earliest delivery first, then
 * nearest, then priority, then code. Writes their indexes into order[] (network->count
 * entries at most) and returns how many.
 */
size_t availability_rank(const struct availability_network *network, size_t *order);

/* ---- soft holds -------------------------------------------------------------------------- */

enum hold_status {
    HOLD_STATUS_ACTIVE,   /* holds stock until expires_at */
    HOLD_STATUS_RELEASED, /* DELETE gave its stock back */
    HOLD_STATUS_CONSUMED, /* an order took its units */
    HOLD_STATUS_EXPIRED,  /* its time ran out; stock given back */
    HOLD_STATUS_COUNT
};

const char *hold_status_name(enum hold_status status);
MUST_CHECK bool hold_status_parse(const char *name, enum hold_status *out);

/* True when an active hold's time has run out at now_ms (it no longer counts). */
bool hold_is_expired(enum hold_status status, int64_t expires_at_ms, int64_t now_ms);

/* A line as asked: a SKU and units (kits: whole kits). */
struct hold_request_line {
    const char *sku;
    int64_t qty;
};

/*
 * Checks a hold request: 1..HOLD_LINES_MAX lines, each a valid SKU given once with qty in
 * 1..QTY_MAX, and ttl_seconds in HOLD_TTL_SECONDS_MIN..HOLD_TTL_SECONDS_MAX. ERR_INVALID
 * naming the field ("lines[1].qty", "ttl_seconds").
 */
MUST_CHECK enum err_code hold_validate(const struct hold_request_line *lines, size_t lines_count,
                                       int64_t ttl_seconds, struct err *err);

/*
 * Takes qty units of one line from sites in rank order (order[count] as availability_rank
 * wrote it), at most net[i] from site i: writes the units taken per site into taken[] (all
 * sites, zero where none) and returns what could not be placed (0: all of it).
 */
int64_t availability_take(const size_t *order, size_t count, const int64_t *net, int64_t qty,
                          int64_t *taken);

#endif
