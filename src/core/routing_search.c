/*
 * routing_search.c — branch and bound over the decision lines (each served whole by one
 * location, or left unplaced). Cost only grows as lines are added (a parcel never gets
 * cheaper when heavier), so the dearest remaining line's cheapest placement from the current
 * state bounds what is left. Options of a line are tried cheapest first, which lets a whole
 * tail of new locations be cut at once. A greedy plan and every single-location plan seed the
 * incumbent. A candidate that as many others beat on every count (lines served, distance,
 * handling cost and days) as a plan can use locations is never needed, and is dropped.
 */
#include "core/routing_int.h"

#include <string.h>

int64_t routing_cand_cost(const struct routing_work *work, const struct routing_cand *cand,
                          int64_t weight_grams)
{
    ASSERT(work != NULL && cand != NULL);
    ASSERT(weight_grams >= 0);
    struct routing_parcel parcel = {
        .settings = work->settings,
        .km = cand->km,
        .handling_days = cand->handling_days,
        .weight_grams = weight_grams,
    };
    struct routing_quote quote;
    routing_quote_parcel(work->request, &parcel, &quote);
    return cand->handling + quote.shipping + quote.lateness;
}

static int64_t search_line_weight(const struct routing_work *work, size_t d)
{
    const struct routing_line *line = &work->request->lines[work->dlines[d]];
    return line->qty * line->weight_grams;
}

static bool search_fits(const struct routing_work *work, size_t d, const struct routing_cand *cand)
{
    const struct routing_line *line = &work->request->lines[work->dlines[d]];
    return routing_net(work, work->dlines[d], cand->index) >= line->qty;
}

/* Marginal cost of placing decision line d at cand k in the current state. */
static int64_t search_delta(const struct routing_work *work, size_t d, size_t k)
{
    const struct routing_cand *cand = &work->cands[k];
    int64_t w = search_line_weight(work, d);
    if (cand->uses > 0) {
        return routing_cand_cost(work, cand, cand->weight + w) -
               routing_cand_cost(work, cand, cand->weight);
    }
    return routing_cand_cost(work, cand, w) +
           (work->used_count > 0 ? work->settings->split_penalty : 0);
}

static int64_t search_unplaced(const struct routing_work *work, size_t d)
{
    return ROUTING_UNPLACED_COST * work->request->lines[work->dlines[d]].qty;
}

/* Cheapest placement of decision line d from the current state. */
static int64_t search_line_bound(const struct routing_work *work, size_t d)
{
    int64_t best = search_unplaced(work, d);
    for (size_t u = 0; u < work->used_count; u++) {
        size_t k = work->used_list[u];
        if (search_fits(work, d, &work->cands[k])) {
            int64_t delta = search_delta(work, d, k);
            best = delta < best ? delta : best;
        }
    }
    if ((int64_t)work->used_count >= work->shipments_max) {
        return best;
    }
    for (size_t i = 0; i < work->options_count[d]; i++) {
        if (work->cands[work->options[d][i]].uses == 0) {
            int64_t delta = work->option_cost[d][i] +
                            (work->used_count > 0 ? work->settings->split_penalty : 0);
            return delta < best ? delta : best;
        }
    }
    return best;
}

static int64_t search_bound(const struct routing_work *work, size_t depth)
{
    int64_t bound = 0;
    for (size_t d = depth; d < work->dlines_count; d++) {
        int64_t b = search_line_bound(work, d);
        bound = b > bound ? b : bound;
    }
    return bound;
}

void routing_cand_use(struct routing_work *work, size_t k, int64_t weight_grams, int sign)
{
    ASSERT(work != NULL && k < work->cands_count);
    ASSERT(sign == 1 || sign == -1);
    struct routing_cand *cand = &work->cands[k];
    if (sign > 0 && cand->uses == 0) {
        work->used_list[work->used_count++] = k;
    }
    cand->uses += sign;
    cand->weight += sign * weight_grams;
    ASSERT(cand->uses >= 0 && cand->weight >= 0);
    if (sign < 0 && cand->uses == 0) {
        for (size_t i = 0; i < work->used_count; i++) {
            if (work->used_list[i] == k) {
                work->used_list[i] = work->used_list[--work->used_count];
                break;
            }
        }
    }
}

static void search_place(struct routing_work *work, size_t d, size_t k, int sign)
{
    routing_cand_use(work, k, search_line_weight(work, d), sign);
    work->choice[d] = sign > 0 ? k : SIZE_MAX;
}

static void search_node(struct routing_work *work, size_t depth, int64_t cost);

/* Recursion: one frame per decision line, so at most ORDER_LINES_MAX deep with small frames. */
// NOLINTNEXTLINE(misc-no-recursion)
static void search_try(struct routing_work *work, size_t depth, size_t k, int64_t cost)
{
    search_place(work, depth, k, 1);
    search_node(work, depth + 1, cost);
    search_place(work, depth, k, -1);
}

/* The options of the line at depth: used locations, new ones cheapest first, unplaced. */
static bool search_out_of_budget(struct routing_work *work, int64_t bound)
{
    if (work->nodes < work->nodes_max) {
        return false;
    }
    /* What this node has not tried yet is worth at least its bound. */
    work->open_min = bound < work->open_min ? bound : work->open_min;
    return true;
}

/* Recursion: one frame per decision line, so at most ORDER_LINES_MAX deep with small frames. */
// NOLINTNEXTLINE(misc-no-recursion)
static void search_branch(struct routing_work *work, size_t depth, int64_t cost, int64_t bound)
{
    size_t d = depth;
    size_t used = work->used_count;
    for (size_t u = 0; u < used; u++) {
        size_t k = work->used_list[u];
        if (search_fits(work, d, &work->cands[k])) {
            int64_t delta = search_delta(work, d, k);
            if (search_out_of_budget(work, bound)) {
                return;
            }
            if (cost + delta < work->best) {
                search_try(work, depth, k, cost + delta);
            }
        }
    }
    for (size_t i = 0; i < work->options_count[d]; i++) {
        size_t k = work->options[d][i];
        if (work->cands[k].uses > 0 || work->cands[k].pruned) {
            continue;
        }
        if ((int64_t)work->used_count >= work->shipments_max) {
            break;
        }
        int64_t delta =
            work->option_cost[d][i] + (work->used_count > 0 ? work->settings->split_penalty : 0);
        if (cost + delta >= work->best) {
            break;
        }
        if (search_out_of_budget(work, bound)) {
            return;
        }
        search_try(work, depth, k, cost + delta);
    }
    int64_t unplaced = search_unplaced(work, d);
    if (cost + unplaced < work->best && !search_out_of_budget(work, bound)) {
        work->choice[d] = SIZE_MAX;
        search_node(work, depth + 1, cost + unplaced);
    }
}

/* Recursion: one frame per decision line, so at most ORDER_LINES_MAX deep with small frames. */
// NOLINTNEXTLINE(misc-no-recursion)
static void search_node(struct routing_work *work, size_t depth, int64_t cost)
{
    work->nodes++;
    if (depth == work->dlines_count) {
        if (cost < work->best) {
            work->best = cost;
            memcpy(work->best_choice, work->choice, work->dlines_count * sizeof(size_t));
        }
        return;
    }
    int64_t bound = cost + search_bound(work, depth);
    if (bound >= work->best) {
        return;
    }
    if (search_out_of_budget(work, bound)) {
        return;
    }
    search_branch(work, depth, cost, bound);
}

/* Cost of a full choice vector, pieces included; leaves the state as it found it. */
static int64_t search_evaluate(struct routing_work *work, const size_t *choice)
{
    int64_t cost = work->pieces_cost_unplaced;
    for (size_t d = 0; d < work->dlines_count; d++) {
        if (choice[d] == SIZE_MAX) {
            cost += search_unplaced(work, d);
        } else {
            routing_cand_use(work, choice[d], search_line_weight(work, d), 1);
        }
    }
    size_t used = work->used_count;
    for (size_t u = 0; u < used; u++) {
        const struct routing_cand *cand = &work->cands[work->used_list[u]];
        cost += routing_cand_cost(work, cand, cand->weight);
    }
    cost += used > 1 ? (int64_t)(used - 1) * work->settings->split_penalty : 0;
    for (size_t d = 0; d < work->dlines_count; d++) {
        if (choice[d] != SIZE_MAX) {
            routing_cand_use(work, choice[d], search_line_weight(work, d), -1);
        }
    }
    return (int64_t)used > work->shipments_max ? INT64_MAX : cost;
}

static void search_offer(struct routing_work *work, const size_t *choice)
{
    int64_t cost = search_evaluate(work, choice);
    if (cost < work->best) {
        work->best = cost;
        memcpy(work->best_choice, choice, work->dlines_count * sizeof(size_t));
    }
}

/* Incumbents: the greedy plan (each line where it adds least), then each single location. */
static void search_incumbent(struct routing_work *work)
{
    size_t n = work->dlines_count;
    for (size_t d = 0; d < n; d++) {
        size_t best_k = SIZE_MAX;
        int64_t best = search_unplaced(work, d);
        for (size_t i = 0; i < work->options_count[d]; i++) {
            size_t k = work->options[d][i];
            bool fresh = work->cands[k].uses == 0;
            if (fresh && (int64_t)work->used_count >= work->shipments_max) {
                continue;
            }
            int64_t delta = search_delta(work, d, k);
            if (delta < best) {
                best = delta;
                best_k = k;
            }
        }
        if (best_k != SIZE_MAX) {
            search_place(work, d, best_k, 1);
        }
        work->choice[d] = best_k;
    }
    memcpy(work->best_choice, work->choice, n * sizeof(size_t));
    for (size_t d = 0; d < n; d++) {
        if (work->best_choice[d] != SIZE_MAX) {
            search_place(work, d, work->best_choice[d], -1);
        }
    }
    work->best = search_evaluate(work, work->best_choice);
    for (size_t k = 0; k < work->cands_count; k++) {
        bool all = n > 0;
        for (size_t d = 0; d < n && all; d++) {
            all = search_fits(work, d, &work->cands[k]);
            work->choice[d] = k;
        }
        if (all) {
            search_offer(work, work->choice);
        }
    }
}

/* True when a beats b on every count (ties broken by rank, so the relation is strict). */
static bool search_dominates(const struct routing_cand *a, const struct routing_cand *b, size_t ai,
                             size_t bi)
{
    if ((a->mask & b->mask) != b->mask || a->km > b->km || a->handling > b->handling ||
        a->handling_days > b->handling_days) {
        return false;
    }
    bool equal = a->mask == b->mask && a->km == b->km && a->handling == b->handling &&
                 a->handling_days == b->handling_days;
    return !equal || ai < bi;
}

/*
 * Drops a candidate beaten by at least as many others as a plan can use locations: any plan
 * using it leaves one of those free, which serves the same lines for no more.
 */
static void search_prune(struct routing_work *work)
{
    if (work->dlines_count > 64 || work->cands_count <= 8) {
        return;
    }
    size_t limit = work->dlines_count + work->used_count;
    for (size_t b = 0; b < work->cands_count; b++) {
        struct routing_cand *cb = &work->cands[b];
        if (cb->pieces || cb->mask == 0) {
            continue;
        }
        size_t beaten = 0;
        for (size_t a = 0; a < work->cands_count && beaten < limit; a++) {
            const struct routing_cand *ca = &work->cands[a];
            beaten += a != b && !ca->pieces && search_dominates(ca, cb, a, b) ? 1 : 0;
        }
        cb->pruned = beaten >= limit;
    }
}

/* Sorts options[d] by cost, ties by rank (insertion sort: short lists, stable). */
static void search_sort_options(struct routing_work *work, size_t d)
{
    size_t *opt = work->options[d];
    int64_t *cost = work->option_cost[d];
    for (size_t i = 1; i < work->options_count[d]; i++) {
        size_t k = opt[i];
        int64_t c = cost[i];
        size_t j = i;
        while (j > 0 && (cost[j - 1] > c || (cost[j - 1] == c && opt[j - 1] > k))) {
            opt[j] = opt[j - 1];
            cost[j] = cost[j - 1];
            j--;
        }
        opt[j] = k;
        cost[j] = c;
    }
}

/* Each decision line's options: the candidates that hold all of it, with the cost alone. */
static enum err_code search_options(struct routing_work *work, struct arena *arena, struct err *err)
{
    size_t n = work->dlines_count;
    work->options = ARENA_NEW_ARRAY(arena, size_t *, n);
    work->option_cost = ARENA_NEW_ARRAY(arena, int64_t *, n);
    work->options_count = ARENA_NEW_ARRAY(arena, size_t, n);
    if (n > 0 &&
        (work->options == NULL || work->option_cost == NULL || work->options_count == NULL)) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
    }
    for (size_t d = 0; d < n; d++) {
        size_t count = 0;
        for (size_t k = 0; k < work->cands_count; k++) {
            bool fits = search_fits(work, d, &work->cands[k]);
            work->cands[k].mask |= fits && d < 64 ? (uint64_t)1 << d : 0;
            count += fits ? 1 : 0;
        }
        work->options[d] = ARENA_NEW_ARRAY(arena, size_t, count);
        work->option_cost[d] = ARENA_NEW_ARRAY(arena, int64_t, count);
        if (count > 0 && (work->options[d] == NULL || work->option_cost[d] == NULL)) {
            return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
        }
        work->options_count[d] = 0;
        for (size_t k = 0; k < work->cands_count; k++) {
            if (search_fits(work, d, &work->cands[k])) {
                size_t i = work->options_count[d]++;
                work->options[d][i] = k;
                work->option_cost[d][i] =
                    routing_cand_cost(work, &work->cands[k], search_line_weight(work, d));
            }
        }
        search_sort_options(work, d);
    }
    return ERR_OK;
}

/* Cost of the pieces alone: the search's starting point. */
static int64_t search_base_cost(const struct routing_work *work)
{
    int64_t cost = work->pieces_cost_unplaced;
    size_t used = 0;
    for (size_t k = 0; k < work->cands_count; k++) {
        if (work->cands[k].uses > 0) {
            cost += routing_cand_cost(work, &work->cands[k], work->cands[k].weight);
            used++;
        }
    }
    return cost + (used > 1 ? (int64_t)(used - 1) * work->settings->split_penalty : 0);
}

enum err_code routing_search(struct routing_work *work, struct arena *arena, struct err *err)
{
    ASSERT(work != NULL && arena != NULL);
    ASSERT(work->settings != NULL);
    size_t n = work->dlines_count;
    work->choice = ARENA_NEW_ARRAY(arena, size_t, n + 1);
    work->best_choice = ARENA_NEW_ARRAY(arena, size_t, n + 1);
    if (work->choice == NULL || work->best_choice == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "request memory limit reached while routing");
    }
    enum err_code code = search_options(work, arena, err);
    if (code != ERR_OK) {
        return code;
    }
    search_prune(work);
    work->nodes_max = n <= ROUTING_EXACT_LINES_MAX ? ROUTING_EXACT_NODES : ROUTING_BOUNDED_NODES;
    work->open_min = INT64_MAX;
    work->best = INT64_MAX;
    search_incumbent(work);
    ASSERT(work->best < INT64_MAX);
    int64_t base = search_base_cost(work);
    work->nodes = 0;
    search_node(work, 0, base);
    ASSERT(work->used_count == 0 || work->pieces_count > 0);
    return ERR_OK;
}
