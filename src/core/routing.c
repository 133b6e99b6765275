/*
 * routing.c — the routing engine's entry: who may serve (verdicts, stock after the channel
 * hold-back), lines no single location holds split cheapest first, the search over the rest
 * (routing_search.c), then the plan with its cost terms and every candidate's explanation.
 */
#include "core/routing.h"

#include <stdlib.h>
#include <string.h>

#include "core/limits.h"
#include "core/location.h"
#include "core/routing_int.h"

static const char *const routing_verdict_names[ROUTING_VERDICT_COUNT] = {
    [ROUTING_CHOSEN] = "chosen",       [ROUTING_NOT_CHOSEN] = "not_chosen",
    [ROUTING_INACTIVE] = "inactive",   [ROUTING_NO_CAPABILITY] = "no_capability",
    [ROUTING_NO_STOCK] = "no_stock",   [ROUTING_NO_CAPACITY] = "no_capacity",
    [ROUTING_HELD_BACK] = "held_back",
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

const char *routing_verdict_name(enum routing_verdict verdict)
{
    ASSERT((int)verdict >= 0);
    ASSERT(verdict < ROUTING_VERDICT_COUNT);
    return routing_verdict_names[verdict];
}

/* Eligible candidates first, sorted; the rejected after them in input order (sorting them
 * too would cost more than the whole search on a network of a hundred locations). */
static void routing_rank_sort(struct routing_work *work)
{
    size_t n = work->request->candidates_count;
    size_t front = 0;
    for (size_t i = 0; i < n; i++) {
        if (work->ranks[i].eligible) {
            struct routing_rank moved = work->ranks[i];
            memmove(&work->ranks[front + 1], &work->ranks[front],
                    (i - front) * sizeof(work->ranks[0]));
            work->ranks[front++] = moved;
        }
    }
    ASSERT(front == work->cands_count);
    qsort(work->ranks, front, sizeof(work->ranks[0]), routing_rank_compare);
}

static int64_t routing_min(int64_t a, int64_t b)
{
    return a < b ? a : b;
}

static enum routing_verdict routing_eligibility(const struct routing_request *request, size_t c,
                                                int64_t units, int64_t raw_units)
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
        return raw_units > 0 ? ROUTING_HELD_BACK : ROUTING_NO_STOCK;
    }
    return ROUTING_NOT_CHOSEN;
}

/* Net stock, each candidate's verdict and units, and its sort key. */
static void routing_assess(struct routing_work *work)
{
    const struct routing_request *request = work->request;
    size_t n = request->candidates_count;
    int64_t hold = request->channel_hold_back > 0 ? request->channel_hold_back : 0;
    for (size_t c = 0; c < n; c++) {
        int64_t units = 0;
        int64_t raw_units = 0;
        int64_t held = request->candidates[c].dropship ? 0 : hold;
        for (size_t l = 0; l < request->lines_count; l++) {
            int64_t raw = request->lines[l].available[c] > 0 ? request->lines[l].available[c] : 0;
            int64_t net = raw > held ? raw - held : 0;
            work->net[l * n + c] = net;
            units += routing_min(net, request->lines[l].qty);
            raw_units += routing_min(raw, request->lines[l].qty);
        }
        work->units[c] = units;
        work->verdicts[c] = routing_eligibility(request, c, units, raw_units);
        struct routing_rank *rank = &work->ranks[c];
        rank->index = c;
        rank->eligible = work->verdicts[c] == ROUTING_NOT_CHOSEN;
        /* Measured only where there is stock: a network of hundreds of locations mostly lacks
         * the SKUs of one order, and the trigonometry would cost more than the search. */
        rank->has_distance = false;
        rank->distance_km =
            raw_units > 0 ? routing_distance_km(request, c, &rank->has_distance) : -1.0;
        rank->priority = request->candidates[c].priority;
        rank->code = request->candidates[c].code;
        work->cands_count += rank->eligible ? 1 : 0;
    }
}

/* The eligible candidates in rank order, as the search sees them. */
static void routing_build_cands(struct routing_work *work)
{
    const struct routing_request *request = work->request;
    for (size_t k = 0; k < work->cands_count; k++) {
        const struct routing_rank *rank = &work->ranks[k];
        ASSERT(rank->eligible);
        const struct routing_candidate *candidate = &request->candidates[rank->index];
        work->cands[k] = (struct routing_cand){
            .index = rank->index,
            .km = rank->has_distance ? rank->distance_km
                                     : (double)work->settings->unknown_distance_km,
            .handling = candidate->handling_cost,
            .handling_days = candidate->handling_days > 0 ? candidate->handling_days : 0,
        };
    }
}

static bool routing_line_fits_somewhere(const struct routing_work *work, size_t l)
{
    for (size_t k = 0; k < work->cands_count; k++) {
        if (routing_net(work, l, work->cands[k].index) >= work->request->lines[l].qty) {
            return true;
        }
    }
    return false;
}

/* Splits line l over the candidates that hold some of it, cheapest per unit first. */
static void routing_split_line(struct routing_work *work, size_t l, bool *taken)
{
    const struct routing_line *line = &work->request->lines[l];
    int64_t left = line->qty;
    int64_t limit = work->settings->max_shipments > 0 ? work->settings->max_shipments : INT64_MAX;
    memset(taken, 0, work->cands_count * sizeof(*taken));
    while (left > 0) {
        size_t best_k = SIZE_MAX;
        int64_t best = INT64_MAX;
        for (size_t k = 0; k < work->cands_count; k++) {
            /* max_shipments holds for pieces too: a new location only while under it */
            bool room = work->cands[k].uses > 0 || (int64_t)work->used_count < limit;
            if (!taken[k] && room && routing_net(work, l, work->cands[k].index) > 0) {
                int64_t cost = routing_cand_cost(work, &work->cands[k], line->weight_grams);
                best_k = cost < best ? k : best_k;
                best = cost < best ? cost : best;
            }
        }
        if (best_k == SIZE_MAX) {
            break;
        }
        taken[best_k] = true;
        int64_t take = routing_min(left, routing_net(work, l, work->cands[best_k].index));
        work->pieces[work->pieces_count++] = (struct routing_assignment){l, best_k, take};
        routing_cand_use(work, best_k, take * line->weight_grams, 1);
        work->cands[best_k].pieces = true;
        left -= take;
    }
    work->pieces_cost_unplaced += left * ROUTING_UNPLACED_COST;
}

#define ROUTING_NO_MEMORY(err)                                                                     \
    err_set((err), ERR_TOO_LARGE, NULL, "request memory limit reached while routing")

/* Decision lines (some location holds all of it) and the fixed pieces of the others. */
static enum err_code routing_presplit(struct routing_work *work, struct arena *arena,
                                      struct err *err)
{
    const struct routing_request *request = work->request;
    size_t pieces_max = 0;
    work->dlines_count = 0;
    for (size_t l = 0; l < request->lines_count; l++) {
        if (routing_line_fits_somewhere(work, l)) {
            work->dlines[work->dlines_count++] = l;
            continue;
        }
        for (size_t k = 0; k < work->cands_count; k++) {
            pieces_max += routing_net(work, l, work->cands[k].index) > 0 ? 1 : 0;
        }
    }
    if (work->dlines_count == request->lines_count) {
        return ERR_OK;
    }
    work->pieces = ARENA_NEW_ARRAY(arena, struct routing_assignment, pieces_max + 1);
    bool *taken = ARENA_NEW_ARRAY(arena, bool, work->cands_count + 1);
    if (work->pieces == NULL || taken == NULL) {
        return ROUTING_NO_MEMORY(err);
    }
    size_t d = 0;
    for (size_t l = 0; l < request->lines_count; l++) {
        if (d < work->dlines_count && work->dlines[d] == l) {
            d++;
        } else {
            routing_split_line(work, l, taken);
        }
    }
    ASSERT(work->pieces_count <= pieces_max);
    return ERR_OK;
}

/* ship_complete: the cheapest single location that holds every line, or nothing. */
static void routing_complete_plan(struct routing_work *work)
{
    const struct routing_request *request = work->request;
    size_t best_k = SIZE_MAX;
    int64_t best = INT64_MAX;
    int64_t weight = 0;
    for (size_t l = 0; l < request->lines_count; l++) {
        work->dlines[l] = l;
        weight += request->lines[l].qty * request->lines[l].weight_grams;
    }
    work->dlines_count = request->lines_count;
    for (size_t k = 0; k < work->cands_count; k++) {
        bool all = true;
        for (size_t l = 0; l < request->lines_count && all; l++) {
            all = routing_net(work, l, work->cands[k].index) >= request->lines[l].qty;
        }
        int64_t cost = all ? routing_cand_cost(work, &work->cands[k], weight) : INT64_MAX;
        best_k = cost < best ? k : best_k;
        best = cost < best ? cost : best;
    }
    for (size_t l = 0; l < request->lines_count; l++) {
        work->best_choice[l] = best_k;
    }
    work->nodes = (int64_t)work->cands_count;
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

/* Fills an explanation's terms for shipping units/weight from cand k. */
static void routing_explain_terms(const struct routing_work *work, size_t k, int64_t units,
                                  int64_t weight, struct routing_explanation *e)
{
    const struct routing_cand *cand = &work->cands[k];
    struct routing_parcel parcel = {work->settings, cand->km, cand->handling_days, weight};
    struct routing_quote quote;
    routing_quote_parcel(work->request, &parcel, &quote);
    e->terms = (struct routing_terms){
        .shipping = quote.shipping,
        .handling = cand->handling,
        .lateness = quote.lateness,
        .total = quote.shipping + cand->handling + quote.lateness,
    };
    e->units = units;
    e->weight_grams = weight;
    e->days = quote.days;
    if (quote.service_index != SIZE_MAX) {
        e->carrier = work->request->services[quote.service_index].carrier;
        e->service = work->request->services[quote.service_index].code;
    }
}

/* Units the plan places at cand k. */
static int64_t routing_units_at(const struct routing_plan *plan, size_t candidate)
{
    int64_t units = 0;
    for (size_t a = 0; a < plan->assignments_count; a++) {
        units += plan->assignments[a].candidate_index == candidate ? plan->assignments[a].qty : 0;
    }
    return units;
}

static void routing_explain(const struct routing_work *work, struct routing_plan *plan)
{
    const struct routing_request *request = work->request;
    for (size_t r = 0; r < request->candidates_count; r++) {
        size_t c = work->ranks[r].index;
        struct routing_explanation *e = &plan->explanations[r];
        *e = (struct routing_explanation){
            .candidate_index = c,
            .distance_km = work->ranks[r].has_distance ? work->ranks[r].distance_km : -1.0,
            .units_available = work->units[c],
            .verdict = work->verdicts[c],
        };
        if (r >= work->cands_count) {
            continue;
        }
        const struct routing_cand *cand = &work->cands[r];
        if (cand->uses > 0) {
            e->verdict = ROUTING_CHOSEN;
            routing_explain_terms(work, r, routing_units_at(plan, c), cand->weight, e);
            continue;
        }
        int64_t weight = 0;
        for (size_t l = 0; l < request->lines_count; l++) {
            weight += routing_min(routing_net(work, l, c), request->lines[l].qty) *
                      request->lines[l].weight_grams;
        }
        routing_explain_terms(work, r, work->units[c], weight, e);
    }
    plan->explanations_count = request->candidates_count;
}

/* Appends the assignments at cand k: pieces, then whole lines, by line. */
static void routing_emit(struct routing_work *work, size_t k, struct routing_plan *plan)
{
    size_t c = work->cands[k].index;
    for (size_t l = 0; l < work->request->lines_count; l++) {
        for (size_t p = 0; p < work->pieces_count; p++) {
            const struct routing_assignment *piece = &work->pieces[p];
            if (piece->line_index == l && piece->candidate_index == k) {
                plan->assignments[plan->assignments_count++] =
                    (struct routing_assignment){l, c, piece->qty};
            }
        }
        for (size_t d = 0; d < work->dlines_count; d++) {
            if (work->dlines[d] == l && work->best_choice[d] == k) {
                plan->assignments[plan->assignments_count++] =
                    (struct routing_assignment){l, c, work->request->lines[l].qty};
            }
        }
    }
}

/* The plan's terms from the state (pieces and best choice placed). */
static void routing_cost_terms(const struct routing_work *work, struct routing_plan *plan)
{
    struct routing_terms *t = &plan->cost;
    memset(t, 0, sizeof(*t));
    for (size_t u = 0; u < work->used_count; u++) {
        struct routing_explanation e = {0};
        const struct routing_cand *cand = &work->cands[work->used_list[u]];
        routing_explain_terms(work, work->used_list[u], 0, cand->weight, &e);
        t->shipping += e.terms.shipping;
        t->handling += e.terms.handling;
        t->lateness += e.terms.lateness;
    }
    plan->shipments = work->used_count;
    t->split =
        work->used_count > 1 ? (int64_t)(work->used_count - 1) * work->settings->split_penalty : 0;
    for (size_t l = 0; l < work->request->lines_count; l++) {
        t->unplaced += plan->unallocated[l] * ROUTING_UNPLACED_COST;
    }
    t->total = t->shipping + t->handling + t->lateness + t->split + t->unplaced;
}

static enum err_code routing_output(struct routing_work *work, struct arena *arena,
                                    struct routing_plan *plan, struct err *err)
{
    const struct routing_request *request = work->request;
    for (size_t d = 0; d < work->dlines_count; d++) {
        if (work->best_choice[d] != SIZE_MAX) {
            const struct routing_line *line = &request->lines[work->dlines[d]];
            routing_cand_use(work, work->best_choice[d], line->qty * line->weight_grams, 1);
        }
    }
    plan->assignments = ARENA_NEW_ARRAY(arena, struct routing_assignment,
                                        work->pieces_count + work->dlines_count + 1);
    if (plan->assignments == NULL) {
        return ROUTING_NO_MEMORY(err);
    }
    for (size_t k = 0; k < work->cands_count; k++) {
        if (work->cands[k].uses > 0) {
            routing_emit(work, k, plan);
        }
    }
    plan->complete = true;
    for (size_t l = 0; l < request->lines_count; l++) {
        plan->unallocated[l] = request->lines[l].qty;
    }
    for (size_t a = 0; a < plan->assignments_count; a++) {
        plan->unallocated[plan->assignments[a].line_index] -= plan->assignments[a].qty;
    }
    for (size_t l = 0; l < request->lines_count; l++) {
        ASSERT(plan->unallocated[l] >= 0);
        plan->complete = plan->complete && plan->unallocated[l] == 0;
    }
    routing_cost_terms(work, plan);
    routing_explain(work, plan);
    if (request->method == FULFILLMENT_PICKUP) {
        plan->strategy = "pickup";
    } else {
        plan->strategy = work->used_count == 0   ? "none"
                         : work->used_count == 1 ? "single_location"
                                                 : "split";
    }
    return ERR_OK;
}

static enum err_code routing_alloc_work(struct routing_work *work, struct arena *arena,
                                        struct routing_plan *plan, struct err *err)
{
    size_t n = work->request->candidates_count;
    size_t lines = work->request->lines_count;
    work->ranks = ARENA_NEW_ARRAY(arena, struct routing_rank, n + 1);
    work->verdicts = ARENA_NEW_ARRAY(arena, enum routing_verdict, n + 1);
    work->units = ARENA_NEW_ARRAY(arena, int64_t, n + 1);
    work->net = ARENA_NEW_ARRAY(arena, int64_t, n * lines + 1);
    work->dlines = ARENA_NEW_ARRAY(arena, size_t, lines + 1);
    plan->unallocated = ARENA_NEW_ARRAY(arena, int64_t, lines + 1);
    plan->explanations = ARENA_NEW_ARRAY(arena, struct routing_explanation, n + 1);
    if (work->ranks == NULL || work->verdicts == NULL || work->units == NULL || work->net == NULL ||
        work->dlines == NULL || plan->unallocated == NULL || plan->explanations == NULL) {
        return ROUTING_NO_MEMORY(err);
    }
    return ERR_OK;
}

static enum err_code routing_alloc_cands(struct routing_work *work, struct arena *arena,
                                         struct err *err)
{
    size_t lines = work->request->lines_count;
    work->cands = ARENA_NEW_ARRAY(arena, struct routing_cand, work->cands_count + 1);
    work->used_list = ARENA_NEW_ARRAY(arena, size_t, work->cands_count + 1);
    work->best_choice = ARENA_NEW_ARRAY(arena, size_t, lines + 1);
    if (work->cands == NULL || work->used_list == NULL || work->best_choice == NULL) {
        return ROUTING_NO_MEMORY(err);
    }
    return ERR_OK;
}

/* allow_split (and pickup): split what no single location holds, search the rest. */
static enum err_code routing_split_plan(struct routing_work *work, struct arena *arena,
                                        struct err *err)
{
    enum err_code code = routing_presplit(work, arena, err);
    if (code != ERR_OK) {
        return code;
    }
    int64_t limit = work->settings->max_shipments > 0 ? work->settings->max_shipments : INT64_MAX;
    work->shipments_max = limit > (int64_t)work->used_count ? limit : (int64_t)work->used_count;
    size_t *keep = work->best_choice;
    code = routing_search(work, arena, err);
    if (code == ERR_OK) {
        memcpy(keep, work->best_choice, work->dlines_count * sizeof(*keep));
        work->best_choice = keep;
    }
    return code;
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
    struct routing_settings defaults;
    routing_settings_default(&defaults);
    struct routing_work work = {
        .request = request, .settings = request->settings != NULL ? request->settings : &defaults};
    code = routing_alloc_work(&work, arena, plan, err);
    if (code != ERR_OK) {
        return code;
    }
    routing_assess(&work);
    routing_rank_sort(&work);
    code = routing_alloc_cands(&work, arena, err);
    if (code != ERR_OK) {
        return code;
    }
    routing_build_cands(&work);
    bool complete_policy = request->policy == SHIP_POLICY_SHIP_COMPLETE;
    if (complete_policy && request->lines_count > 0) {
        routing_complete_plan(&work);
    } else {
        code = routing_split_plan(&work, arena, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    bool searched = !complete_policy && work.dlines_count > 0;
    plan->nodes = work.nodes;
    code = routing_output(&work, arena, plan, err);
    plan->lower_bound = plan->cost.total;
    if (searched && work.nodes >= work.nodes_max && work.open_min < plan->cost.total) {
        plan->lower_bound = work.open_min;
    }
    plan->exact = plan->lower_bound == plan->cost.total;
    ASSERT(!searched || code != ERR_OK || plan->cost.total == work.best);
    return code;
}
