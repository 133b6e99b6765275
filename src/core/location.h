/*
 * location.h — a node of the network: warehouse, store, drop-ship supplier, customer site or
 * cross-dock, with its capabilities, capacity and costs.
 */
#ifndef ORDO_CORE_LOCATION_H
#define ORDO_CORE_LOCATION_H

#include "core/address.h"
#include "lib/base.h"
#include "lib/err.h"

enum location_kind {
    LOCATION_KIND_WAREHOUSE,
    LOCATION_KIND_STORE,
    LOCATION_KIND_SUPPLIER,
    LOCATION_KIND_CUSTOMER_SITE,
    LOCATION_KIND_CROSSDOCK,
    LOCATION_KIND_COUNT
};

/* Capability bits. */
#define LOCATION_CAP_SHIP     (1u << 0)
#define LOCATION_CAP_PICKUP   (1u << 1)
#define LOCATION_CAP_RETURN   (1u << 2)
#define LOCATION_CAP_DROPSHIP (1u << 3)
#define LOCATION_CAP_ASSEMBLE (1u << 4)
#define LOCATION_CAP_ALL      0x1Fu

#define LOCATION_CUTOFF_MINUTE_DEFAULT 840 /* 14:00 UTC */
#define LOCATION_HANDLING_DAYS_DEFAULT 0   /* ships the same day when ordered before cut-off */
#define LOCATION_HOLD_DAYS_DEFAULT     7   /* days a BOPIS order waits at the counter */

struct location {
    int64_t row_id;   /* store key, 0 before insert */
    const char *code; /* unique, [A-Za-z0-9._-], at most CODE_LEN_MAX */
    const char *name;
    enum location_kind kind;
    struct address address;
    unsigned capabilities;    /* LOCATION_CAP_* bits */
    int64_t capacity_per_day; /* shipments per day; 0 means no limit */
    int64_t handling_cost;    /* minor units per shipment */
    int64_t priority;         /* lower first in fixed-priority selection */
    bool active;
    int cutoff_minute; /* minute of the UTC day after which orders ship a day later */
    int handling_days; /* days added to the ship-by date */
    int hold_days;     /* days a ready pickup waits before it is cancelled; 0: the default */
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

const char *location_kind_name(enum location_kind kind);
MUST_CHECK bool location_kind_parse(const char *name, enum location_kind *out);

/* "ship" -> LOCATION_CAP_SHIP; false when unknown. */
MUST_CHECK bool location_capability_parse(const char *name, unsigned *bit_out);
const char *location_capability_name(unsigned bit);

/* True when code is 1..CODE_LEN_MAX characters of [A-Za-z0-9._-]. Used for channels too. */
bool location_code_is_valid(const char *code);

/* Days a ready pickup is held there: hold_days, or LOCATION_HOLD_DAYS_DEFAULT when 0. */
int location_hold_days(const struct location *location);

/* Validates a location as created (all fields) for POST /v1/locations. */
MUST_CHECK enum err_code location_validate(const struct location *location, struct err *err);

#endif
