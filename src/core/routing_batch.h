/*
 * routing_batch.h — batch re-optimisation of the routing engine (POST /v1/routing/optimize,
 * issue 3 round 2): the orders whose allocations are not yet released (pending shipments) are
 * planned again together, so that their shared limits hold — each location's stock and its
 * daily capacity in shipments, which per-order decisions can exceed in total. Pure: the batch
 * is plain structs; routing_batch_build writes a mixed-integer programme as plain arrays (any
 * solver can take it; app/routing_cbc.c hands it to COIN-OR CBC), routing_batch_decode reads a
 * solution back, and routing_batch_evaluate prices any plan with the engine's own cost terms.
 *
 * The programme, for each order o and each of its candidates k (at most ROUTING_BATCH_CANDS
 * per order: the cheapest whole-order shipments, plus every location of its current plan):
 *   y[o,k] in {0,1}  o ships from k;   cost handling + an empty parcel from k (its lateness
 *                                       and base price) + split_penalty (one split_penalty per
 *                                       order is given back: the first shipment is free)
 *   z[o,l,k] in {0,1} line l of o comes whole from k (only where k holds the line whole); cost
 *                    its weight's share of (parcel of o's whole weight - empty parcel) from k
 *   u[o,l] in {0,1}  line l stays unplaced; cost ROUTING_BATCH_UNPLACED per unit
 *   sum_k z[o,l,k] + u[o,l] = 1;  z[o,l,k] <= y[o,k];
 *   per location j and product p: sum of units of p placed at j <= stock[p,j] (ATP + what the
 *   batch holds there now);  per location j: sum_o y[o,j] <= capacity[j];
 *   ship_complete: sum_k y[o,k] <= 1;  max_shipments m > 0: sum_k y[o,k] <= m.
 * The programme's price is exact for an order shipped whole from one location; a split order's
 * parcels are priced by weight share, an approximation (rate cards are steps). The plans are
 * compared by routing_batch_evaluate, which prices each shipment exactly.
 */
#ifndef ORDO_CORE_ROUTING_BATCH_H
#define ORDO_CORE_ROUTING_BATCH_H

#include "core/routing.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

#define ROUTING_BATCH_CANDS      12      /* candidates per order in the programme */
#define ROUTING_BATCH_UNPLACED   1000000 /* objective per unit left unplaced */
#define ROUTING_BATCH_ORDERS_MAX 5000    /* orders re-planned at once */

/* What one unit of a line consumes: units of a product (a kit: each of its components). */
struct routing_batch_part {
    size_t product; /* index into the batch's products */
    int64_t per_unit;
};

struct routing_batch_line {
    int64_t qty;
    int64_t weight_grams; /* per unit */
    size_t parts_start;   /* into batch->parts */
    size_t parts_count;
    size_t current; /* candidate of the current plan (SIZE_MAX: unplaced) */
};

struct routing_batch_order {
    size_t lines_start; /* into batch->lines */
    size_t lines_count;
    bool has_destination;
    double destination_lat;
    double destination_lon;
    bool ship_complete;
    int64_t hold_back; /* the channel's hold-back: a line needs this much more stock */
};

struct routing_batch {
    const struct routing_candidate *candidates;
    size_t candidates_count;
    const struct routing_settings *settings; /* NULL: the defaults */
    const struct routing_service *services;
    size_t services_count;
    const struct routing_batch_order *orders;
    size_t orders_count;
    const struct routing_batch_line *lines;
    size_t lines_count;
    const struct routing_batch_part *parts;
    size_t parts_count;
    size_t products_count;
    const int64_t *stock;    /* [products_count * candidates_count]: ATP + held by the batch */
    const int64_t *capacity; /* [candidates_count] shipments the batch may use; INT64_MAX none */
};

/* A mixed-integer programme: minimise obj . x, row_lower <= A x <= row_upper, integer x. */
struct routing_mip {
    size_t cols;
    double *obj;
    double *col_lower;
    double *col_upper;
    size_t rows;
    double *row_lower;
    double *row_upper;
    size_t *row_start; /* [rows + 1] into index/value (compressed rows) */
    int *index;
    double *value;
    double obj_offset; /* add to the objective for the plan's cost */
    /* How the columns map back (SIZE_MAX where it does not apply): z columns have a line and
     * a candidate, y columns an order and a candidate, u columns a line. */
    size_t *z_line;      /* [cols] */
    size_t *z_candidate; /* [cols] */
    size_t *y_order;     /* [cols] */
    size_t *y_candidate; /* [cols] */
    size_t *u_line;      /* [cols] */
};

/* The cost of a plan (choice[line] = candidate or SIZE_MAX) priced like the engine. */
struct routing_batch_eval {
    struct routing_terms cost; /* without the unplaced term */
    int64_t unplaced_units;
    int64_t shipments;
    int64_t over_capacity; /* shipments beyond the locations' capacity, summed */
    int64_t over_stock;    /* units beyond the stock, summed over products and locations */
};

/* Builds the programme; ERR_TOO_LARGE when the arena is full, ERR_INVALID for a batch beyond
 * ROUTING_BATCH_ORDERS_MAX orders or with a line's current candidate out of range. */
MUST_CHECK enum err_code routing_batch_build(const struct routing_batch *batch, struct arena *arena,
                                             struct routing_mip *mip, struct err *err);

/* Reads a solution (values of the columns) into choice[lines_count]. */
void routing_batch_decode(const struct routing_batch *batch, const struct routing_mip *mip,
                          const double *solution, size_t *choice);

/* The columns of a plan (x[mip->cols]): for a solver's start. false when the programme has no
 * column for one of its choices (a candidate that cannot hold the line). */
bool routing_batch_columns(const struct routing_batch *batch, const struct routing_mip *mip,
                           const size_t *choice, double *x);

/* Prices a plan; needs scratch arrays from the arena (ERR_TOO_LARGE when full). */
MUST_CHECK enum err_code routing_batch_evaluate(const struct routing_batch *batch,
                                                const size_t *choice, struct arena *arena,
                                                struct routing_batch_eval *out, struct err *err);

#define ROUTING_BATCH_MERGE_LINES 256 /* orders of more lines are not merged */

/*
 * Repairs a plan the programme got wrong (its split parcels are priced by weight share): from
 * the plan `from`, takes `toward`'s plan of each order (in batch order) that is cheaper for that
 * order, places no fewer of its units, and keeps every location's stock and capacity. From the
 * current plan toward the solver's it keeps the solver's good moves; from the solver's toward
 * the current one it undoes its bad ones (swaps between orders survive). choice[lines_count].
 */
MUST_CHECK enum err_code routing_batch_merge(const struct routing_batch *batch, const size_t *from,
                                             const size_t *toward, struct arena *arena,
                                             size_t *choice, struct err *err);

/* A chosen plan (choice[lines_count], the caller's array) and its price. */
struct routing_batch_result {
    size_t *choice;
    struct routing_batch_eval eval;
};

/* The best of the current plan, the solver's, and the two merges between them (as
 * routing_batch_better ranks them) into out: never worse than current. */
MUST_CHECK enum err_code routing_batch_best(const struct routing_batch *batch,
                                            const size_t *current, const size_t *proposed,
                                            struct arena *arena, struct routing_batch_result *out,
                                            struct err *err);

/* True when a is a better plan than b: fewer shipments over capacity or units over stock, then
 * fewer units unplaced, then a lower total cost. */
bool routing_batch_better(const struct routing_batch_eval *a, const struct routing_batch_eval *b);

#endif
