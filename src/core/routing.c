/*
 * routing.c — sourcing, first version: rank the eligible locations by great-circle distance
 * (then priority, then code), serve the whole order from the best one that can, otherwise
 * split along the ranking when the policy allows it. Pure: candidates and stock in, a plan
 * out; a plan never places more units than a candidate has or a line asks for.
 */
#include "core/routing.h"

#include <stdlib.h>
#include <string.h>

#include "core/geo.h"
#include "core/limits.h"
#include "core/location.h"

static const char *const routing_verdict_names[ROUTING_VERDICT_COUNT] = {
    [ROUTING_CHOSEN] = "chosen",     [ROUTING_NOT_CHOSEN] = "not_chosen",
    [ROUTING_INACTIVE] = "inactive", [ROUTING_NO_CAPABILITY] = "no_capability",
    [ROUTING_NO_STOCK] = "no_stock", [ROUTING_NO_CAPACITY] = "no_capacity",
};

/* One candidate's sort key; self-contained so that qsort needs no context. */
struct routing_rank {
    size_t index;
    bool eligible;
    bool has_distance;
    double distance_km;
    int64_t priority;
    const char *code;
};

/* Working state of one plan, all arena-owned. */
struct routing_work {
    const struct routing_request *request;
    struct routing_rank *ranks;     /* [candidates_count], sorted best first */
    enum routing_verdict *verdicts; /* [candidates_count], by candidate index */
    int64_t *units;                 /* [candidates_count], sum of min(available, qty) */
    int64_t *remaining;             /* [lines_count], scratch for the split walk */
    size_t eligible_count;
};

const char *routing_verdict_name(enum routing_verdict verdict)
{
    ASSERT((int)verdict >= 0);
    ASSERT(verdict < ROUTING_VERDICT_COUNT);
    return routing_verdict_names[verdict];
}

/* Units of line l that candidate c can serve now (negative stock counts as none). */
static int64_t routing_available(const struct routing_request *request, size_t l, size_t c)
{
    int64_t available = request->lines[l].available[c];
    return available > 0 ? available : 0;
}

static int64_t routing_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static enum routing_verdict routing_eligibility(const struct routing_request *request, size_t c,
                                                int64_t units)
{
    const struct routing_candidate *candidate = &request->candidates[c];
    if (!candidate->active) {
        return ROUTING_INACTIVE;
    }
    if (request->method == FULFILLMENT_PICKUP) {
        if (c != request->pickup_candidate ||
            (candidate->capabilities & LOCATION_CAP_PICKUP) == 0) {
            return ROUTING_NO_CAPABILITY;
        }
    } else if ((candidate->capabilities & (LOCATION_CAP_SHIP | LOCATION_CAP_DROPSHIP)) == 0) {
        return ROUTING_NO_CAPABILITY;
    }
    if (candidate->capacity_left <= 0) {
        return ROUTING_NO_CAPACITY;
    }
    if (units <= 0) {
        return ROUTING_NO_STOCK;
    }
    return ROUTING_NOT_CHOSEN;
}

/* Fills each candidate's verdict, units and sort key. */
static void routing_assess(struct routing_work *work)
{
    ASSERT(work != NULL && work->request != NULL);
    ASSERT(work->eligible_count == 0);
    const struct routing_request *request = work->request;
    for (size_t c = 0; c < request->candidates_count; c++) {
        const struct routing_candidate *candidate = &request->candidates[c];
        int64_t units = 0;
        for (size_t l = 0; l < request->lines_count; l++) {
            units += routing_min(routing_available(request, l, c), request->lines[l].qty);
        }
        work->units[c] = units;
        work->verdicts[c] = routing_eligibility(request, c, units);
        struct routing_rank *rank = &work->ranks[c];
        rank->index = c;
        rank->eligible = work->verdicts[c] == ROUTING_NOT_CHOSEN;
        rank->has_distance =
            request->has_destination && candidate->has_coords &&
            geo_coords_are_valid(candidate->lat, candidate->lon) &&
            geo_coords_are_valid(request->destination_lat, request->destination_lon);
        rank->distance_km =
            rank->has_distance ? geo_distance_km(candidate->lat, candidate->lon,
                                                 request->destination_lat, request->destination_lon)
                               : -1.0;
        rank->priority = candidate->priority;
        rank->code = candidate->code;
        work->eligible_count += rank->eligible ? 1 : 0;
    }
}

/* Eligible first; then with a distance, nearest first; then priority, code and input order. */
static int routing_rank_compare(const void *a_ptr, const void *b_ptr)
{
    const struct routing_rank *a = a_ptr;
    const struct routing_rank *b = b_ptr;
    if (a->eligible != b->eligible) {
        return a->eligible ? -1 : 1;
    }
    if (a->has_distance != b->has_distance) {
        return a->has_distance ? -1 : 1;
    }
    if (a->has_distance && a->distance_km != b->distance_km) {
        return a->distance_km < b->distance_km ? -1 : 1;
    }
    if (a->priority != b->priority) {
        return a->priority < b->priority ? -1 : 1;
    }
    int cmp = strcmp(a->code != NULL ? a->code : "", b->code != NULL ? b->code : "");
    if (cmp != 0) {
        return cmp;
    }
    return a->index < b->index ? -1 : (a->index > b->index ? 1 : 0);
}

static bool routing_serves_all(const struct routing_request *request, size_t c)
{
    for (size_t l = 0; l < request->lines_count; l++) {
        if (routing_available(request, l, c) < request->lines[l].qty) {
            return false;
        }
    }
    return true;
}

/*
 * Walks candidates in ranked[0..ranked_count) and takes min(remaining, available) of every
 * line at each; writes the assignments to out when it is not NULL. Returns how many there are,
 * so a first pass with out == NULL sizes the array.
 */
static size_t routing_walk(struct routing_work *work, const size_t *ranked, size_t ranked_count,
                           struct routing_assignment *out)
{
    ASSERT(work != NULL);
    ASSERT(ranked != NULL || ranked_count == 0);
    const struct routing_request *request = work->request;
    int64_t left = 0;
    for (size_t l = 0; l < request->lines_count; l++) {
        work->remaining[l] = request->lines[l].qty;
        left += request->lines[l].qty;
    }
    size_t count = 0;
    for (size_t r = 0; r < ranked_count && left > 0; r++) {
        size_t c = ranked[r];
        for (size_t l = 0; l < request->lines_count; l++) {
            int64_t take = routing_min(work->remaining[l], routing_available(request, l, c));
            if (take <= 0) {
                continue;
            }
            if (out != NULL) {
                out[count] = (struct routing_assignment){l, c, take};
            }
            count++;
            work->remaining[l] -= take;
            left -= take;
        }
    }
    return count;
}

/*
 * Chooses the candidates to walk: for pickup the pickup location (unless ship_complete and it
 * cannot serve everything); else the best single location that serves everything, else the
 * whole ranking when splitting is allowed. Returns how many were put in ranked.
 */
static size_t routing_choose(struct routing_work *work, size_t *ranked, const char **strategy)
{
    ASSERT(work != NULL && ranked != NULL);
    ASSERT(strategy != NULL);
    const struct routing_request *request = work->request;
    bool ship_complete = request->policy == SHIP_POLICY_SHIP_COMPLETE;
    if (request->method == FULFILLMENT_PICKUP) {
        size_t p = request->pickup_candidate;
        *strategy = "pickup";
        if (work->verdicts[p] != ROUTING_NOT_CHOSEN ||
            (ship_complete && !routing_serves_all(request, p))) {
            return 0;
        }
        ranked[0] = p;
        return 1;
    }
    for (size_t r = 0; r < work->eligible_count; r++) {
        if (routing_serves_all(request, work->ranks[r].index)) {
            *strategy = "single_location";
            ranked[0] = work->ranks[r].index;
            return 1;
        }
    }
    if (ship_complete) {
        *strategy = "none";
        return 0;
    }
    *strategy = "split";
    for (size_t r = 0; r < work->eligible_count; r++) {
        ranked[r] = work->ranks[r].index;
    }
    return work->eligible_count;
}

/* unallocated, complete, CHOSEN verdicts and the ranked explanations from the assignments. */
static void routing_finish(struct routing_work *work, struct routing_plan *plan)
{
    ASSERT(work != NULL && plan != NULL);
    ASSERT(plan->assignments != NULL);
    const struct routing_request *request = work->request;
    for (size_t l = 0; l < request->lines_count; l++) {
        plan->unallocated[l] = request->lines[l].qty;
    }
    for (size_t a = 0; a < plan->assignments_count; a++) {
        const struct routing_assignment *assignment = &plan->assignments[a];
        plan->unallocated[assignment->line_index] -= assignment->qty;
        ASSERT(plan->unallocated[assignment->line_index] >= 0);
        work->verdicts[assignment->candidate_index] = ROUTING_CHOSEN;
    }
    plan->complete = true;
    for (size_t l = 0; l < request->lines_count; l++) {
        plan->complete = plan->complete && plan->unallocated[l] == 0;
    }
    for (size_t r = 0; r < request->candidates_count; r++) {
        size_t c = work->ranks[r].index;
        plan->explanations[r] = (struct routing_explanation){
            .candidate_index = c,
            .distance_km = work->ranks[r].distance_km,
            .units_available = work->units[c],
            .verdict = work->verdicts[c],
        };
    }
    plan->explanations_count = request->candidates_count;
    if (plan->assignments_count == 0 && request->method != FULFILLMENT_PICKUP) {
        plan->strategy = "none";
    }
}

static enum err_code routing_check_request(const struct routing_request *request, struct err *err)
{
    ASSERT(request != NULL);
    ASSERT(err != NULL);
    ASSERT(request->candidates != NULL || request->candidates_count == 0);
    ASSERT(request->lines != NULL || request->lines_count == 0);
    if (request->candidates_count > LOCATIONS_MAX) {
        return err_set(err, ERR_INVALID, NULL, "at most %d candidate locations, got %zu",
                       LOCATIONS_MAX, request->candidates_count);
    }
    if (request->lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "an order has at most %d lines, got %zu",
                       ORDER_LINES_MAX, request->lines_count);
    }
    if (request->method == FULFILLMENT_PICKUP &&
        request->pickup_candidate >= request->candidates_count) {
        return err_set(err, ERR_INVALID, "fulfillment.location",
                       "the pickup location is not among the candidates");
    }
    for (size_t l = 0; l < request->lines_count; l++) {
        ASSERT(request->lines[l].qty >= 0 && request->lines[l].qty <= QTY_MAX);
        ASSERT(request->lines[l].available != NULL || request->candidates_count == 0);
    }
    return ERR_OK;
}

static enum err_code routing_alloc_work(struct routing_work *work, struct arena *arena,
                                        struct routing_plan *plan, struct err *err)
{
    ASSERT(work != NULL && work->request != NULL);
    ASSERT(arena != NULL && plan != NULL);
    size_t n = work->request->candidates_count;
    size_t lines = work->request->lines_count;
    work->ranks = ARENA_NEW_ARRAY(arena, struct routing_rank, n);
    work->verdicts = ARENA_NEW_ARRAY(arena, enum routing_verdict, n);
    work->units = ARENA_NEW_ARRAY(arena, int64_t, n);
    work->remaining = ARENA_NEW_ARRAY(arena, int64_t, lines);
    plan->unallocated = ARENA_NEW_ARRAY(arena, int64_t, lines);
    plan->explanations = ARENA_NEW_ARRAY(arena, struct routing_explanation, n);
    if (work->ranks == NULL || work->verdicts == NULL || work->units == NULL ||
        work->remaining == NULL || plan->unallocated == NULL || plan->explanations == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
    }
    return ERR_OK;
}

enum err_code routing_plan_order(const struct routing_request *request, struct arena *arena,
                                 struct routing_plan *plan, struct err *err)
{
    ASSERT(request != NULL && arena != NULL);
    ASSERT(plan != NULL && err != NULL);
    memset(plan, 0, sizeof(*plan));
    enum err_code code = routing_check_request(request, err);
    if (code != ERR_OK) {
        return code;
    }
    struct routing_work work = {.request = request};
    code = routing_alloc_work(&work, arena, plan, err);
    if (code != ERR_OK) {
        return code;
    }
    routing_assess(&work);
    qsort(work.ranks, request->candidates_count, sizeof(work.ranks[0]), routing_rank_compare);
    size_t *ranked = ARENA_NEW_ARRAY(arena, size_t, work.eligible_count + 1);
    if (ranked == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
    }
    size_t ranked_count = routing_choose(&work, ranked, &plan->strategy);
    size_t count = routing_walk(&work, ranked, ranked_count, NULL);
    plan->assignments = ARENA_NEW_ARRAY(arena, struct routing_assignment, count);
    if (plan->assignments == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
    }
    plan->assignments_count = routing_walk(&work, ranked, ranked_count, plan->assignments);
    ASSERT(plan->assignments_count == count);
    routing_finish(&work, plan);
    ASSERT(plan->explanations_count == request->candidates_count);
    return ERR_OK;
}
