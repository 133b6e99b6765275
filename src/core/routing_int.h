/*
 * routing_int.h — shared between the files of the routing engine (routing.c, the search in
 * routing_search.c, prices in routing_cost.c); not for callers.
 */
#ifndef ORDO_CORE_ROUTING_INT_H
#define ORDO_CORE_ROUTING_INT_H

#include "core/routing.h"

/* One parcel to price: where from (distance, handling days) and how heavy. */
struct routing_parcel {
    const struct routing_settings *settings;
    double km; /* the unknown distance from the settings when there are no coordinates */
    int64_t handling_days;
    int64_t weight_grams;
};

struct routing_quote {
    int64_t shipping;
    int64_t lateness;
    int64_t days;
    size_t service_index; /* SIZE_MAX: the estimate */
};

/* An eligible candidate as the search sees it. */
struct routing_cand {
    size_t index; /* into request->candidates */
    double km;
    int64_t handling;
    int64_t handling_days;
    uint64_t mask;  /* decision lines (first 64) it can serve whole */
    int64_t weight; /* grams the plan being searched ships from here */
    int uses;       /* decision lines and pieces the plan places here */
    bool pieces;    /* carries pieces of split lines (never pruned) */
    bool pruned;    /* dominated for every line */
};

struct routing_work {
    const struct routing_request *request;
    const struct routing_settings *settings;
    struct routing_rank *ranks;     /* [candidates_count] sorted */
    enum routing_verdict *verdicts; /* [candidates_count] */
    int64_t *units;                 /* [candidates_count] sum of min(net available, qty) */
    int64_t *net;                   /* [lines_count * candidates_count] after hold-back */
    struct routing_cand *cands;     /* eligible, in rank order */
    size_t cands_count;
    size_t *dlines; /* decision lines: served whole by one location */
    size_t dlines_count;
    size_t **options;      /* [dlines_count] cands able to serve the line whole, cheapest first */
    int64_t **option_cost; /* handling + parcel of the line alone */
    size_t *options_count;
    struct routing_assignment *pieces; /* split lines' fixed pieces (cand index in candidate) */
    size_t pieces_count;
    int64_t pieces_cost_unplaced; /* units of split lines nobody holds */
    size_t *choice;               /* [dlines_count] cand, or SIZE_MAX for unplaced */
    size_t *best_choice;          /* the incumbent */
    int64_t best;
    int64_t open_min; /* least bound of the subtrees the node budget left unexplored */
    int64_t nodes;
    int64_t nodes_max;
    size_t *used_list; /* [cands_count] the cands with uses > 0 */
    size_t used_count;
    int64_t shipments_max;
};

double routing_distance_km(const struct routing_request *request, size_t c, bool *known);
void routing_quote_parcel(const struct routing_request *request,
                          const struct routing_parcel *parcel, struct routing_quote *quote);

/* Handling + parcel cost of shipping weight_grams from cand (0 for an empty shipment). */
int64_t routing_cand_cost(const struct routing_work *work, const struct routing_cand *cand,
                          int64_t weight_grams);

/* Net units of line l at request candidate c. */
static inline int64_t routing_net(const struct routing_work *work, size_t l, size_t c)
{
    return work->net[l * work->request->candidates_count + c];
}

/* Adds units of weight at cand k to the state (sign -1 takes them back). */
void routing_cand_use(struct routing_work *work, size_t k, int64_t weight_grams, int sign);

/* Runs the search over the decision lines: best_choice and best filled. */
MUST_CHECK enum err_code routing_search(struct routing_work *work, struct arena *arena,
                                        struct err *err);

#endif
