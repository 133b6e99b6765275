/*
 * test_routing_batch.c — goal: the batch re-optimisation's programme (core/routing_batch.c)
 * says what the batch means, and CBC solves it. Method: hand-built instances where per-order
 * plans exceed a location's capacity; then, on random small batches with fixed seeds, every
 * plan (each line at each candidate or unplaced) is turned into the programme's columns and
 * checked: the rows accept it exactly when it keeps stock, capacity and ship_complete, and for
 * plans of one shipment per order the objective is the engine's price. Finally CBC's answer is
 * compared with the brute-force optimum of the same programme.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "app/routing_cbc.h"
#include "core/location.h"
#include "core/routing_batch.h"

static struct arena arena;
static struct err err;

static void setup(void)
{
    arena_init(&arena, 1 << 26);
    memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
    arena_release(&arena);
}

TestSuite(routing_batch, .init = setup, .fini = teardown);

static struct routing_candidate cand(const char *code, double lat, double lon, int64_t handling)
{
    return (struct routing_candidate){.code = code,
                                      .lat = lat,
                                      .lon = lon,
                                      .has_coords = true,
                                      .capabilities = LOCATION_CAP_SHIP,
                                      .active = true,
                                      .handling_cost = handling,
                                      .capacity_left = INT64_MAX};
}

/* The columns of a plan: z and u per line as chosen, y where an order ships from. false when
 * the programme has no column for a choice. */
static bool columns_of(const struct routing_batch *b, const struct routing_mip *mip,
                       const size_t *choice, double *x)
{
    memset(x, 0, mip->cols * sizeof(*x));
    for (size_t l = 0; l < b->lines_count; l++) {
        bool found = false;
        for (size_t c = 0; c < mip->cols; c++) {
            if ((choice[l] == SIZE_MAX && mip->u_line[c] == l) ||
                (choice[l] != SIZE_MAX && mip->z_line[c] == l &&
                 mip->z_candidate[c] == choice[l])) {
                x[c] = 1;
                found = true;
            }
        }
        if (!found) {
            return false;
        }
    }
    for (size_t c = 0; c < mip->cols; c++) {
        if (mip->y_order[c] == SIZE_MAX) {
            continue;
        }
        const struct routing_batch_order *o = &b->orders[mip->y_order[c]];
        for (size_t l = o->lines_start; l < o->lines_start + o->lines_count; l++) {
            if (choice[l] == mip->y_candidate[c]) {
                x[c] = 1;
            }
        }
    }
    return true;
}

static bool rows_hold(const struct routing_mip *mip, const double *x)
{
    for (size_t r = 0; r < mip->rows; r++) {
        double sum = 0;
        for (size_t e = mip->row_start[r]; e < mip->row_start[r + 1]; e++) {
            sum += mip->value[e] * x[mip->index[e]];
        }
        if (sum < mip->row_lower[r] - 1e-6 || sum > mip->row_upper[r] + 1e-6) {
            return false;
        }
    }
    return true;
}

static double objective(const struct routing_mip *mip, const double *x)
{
    double sum = mip->obj_offset;
    for (size_t c = 0; c < mip->cols; c++) {
        sum += mip->obj[c] * x[c];
    }
    return sum;
}

/* Two orders of one line each to Boston; A (Boston) and B (Newark) hold both; A takes one
 * shipment a day. */
struct small {
    struct routing_candidate cands[2];
    struct routing_batch_order orders[2];
    struct routing_batch_line lines[2];
    struct routing_batch_part parts[2];
    int64_t stock[2];
    int64_t capacity[2];
    struct routing_batch batch;
};

static void small_init(struct small *s)
{
    memset(s, 0, sizeof(*s));
    s->cands[0] = cand("A", 42.35, -71.06, 100);
    s->cands[1] = cand("B", 40.70, -74.17, 150);
    for (size_t o = 0; o < 2; o++) {
        s->orders[o] = (struct routing_batch_order){.lines_start = o,
                                                    .lines_count = 1,
                                                    .has_destination = true,
                                                    .destination_lat = 42.34,
                                                    .destination_lon = -71.07};
        s->lines[o] = (struct routing_batch_line){
            .qty = 2, .weight_grams = 350, .parts_start = o, .parts_count = 1, .current = 0};
        s->parts[o] = (struct routing_batch_part){.product = 0, .per_unit = 1};
    }
    s->stock[0] = 10;
    s->stock[1] = 10;
    s->capacity[0] = 1;
    s->capacity[1] = INT64_MAX;
    s->batch = (struct routing_batch){.candidates = s->cands,
                                      .candidates_count = 2,
                                      .orders = s->orders,
                                      .orders_count = 2,
                                      .lines = s->lines,
                                      .lines_count = 2,
                                      .parts = s->parts,
                                      .parts_count = 2,
                                      .products_count = 1,
                                      .stock = s->stock,
                                      .capacity = s->capacity};
}

Test(routing_batch, capacity_row_refuses_the_greedy_plan)
{
    struct small s;
    small_init(&s);
    struct routing_mip mip;
    cr_assert_eq(routing_batch_build(&s.batch, &arena, &mip, &err), ERR_OK);
    double x[64];
    cr_assert_leq(mip.cols, 64);
    size_t greedy[2] = {0, 0};
    size_t fixed[2] = {0, 1};
    cr_assert(columns_of(&s.batch, &mip, greedy, x));
    cr_assert_not(rows_hold(&mip, x), "both at A exceeds its capacity of 1");
    cr_assert(columns_of(&s.batch, &mip, fixed, x));
    cr_assert(rows_hold(&mip, x));
    struct routing_batch_eval before;
    struct routing_batch_eval after;
    cr_assert_eq(routing_batch_evaluate(&s.batch, greedy, &arena, &before, &err), ERR_OK);
    cr_assert_eq(routing_batch_evaluate(&s.batch, fixed, &arena, &after, &err), ERR_OK);
    cr_assert_eq(before.over_capacity, 1);
    cr_assert_eq(after.over_capacity, 0);
    cr_assert_gt(after.cost.total, before.cost.total, "Newark is dearer than Boston");
    cr_assert(routing_batch_better(&after, &before), "within capacity beats cheaper");
    cr_assert_not(routing_batch_better(&before, &after));
    cr_assert_eq((int64_t)objective(&mip, x), after.cost.total);
}

Test(routing_batch, cbc_moves_one_order)
{
    struct small s;
    small_init(&s);
    struct routing_mip mip;
    struct routing_cbc_result result;
    cr_assert_eq(routing_batch_build(&s.batch, &arena, &mip, &err), ERR_OK);
    cr_assert_eq(routing_cbc_solve(&mip, NULL, 5.0, &arena, &result, &err), ERR_OK);
    cr_assert_eq(result.status, ROUTING_CBC_OPTIMAL);
    size_t choice[2];
    routing_batch_decode(&s.batch, &mip, result.solution, choice);
    cr_assert((choice[0] == 0) != (choice[1] == 0), "exactly one order stays at A");
    cr_assert(choice[0] != SIZE_MAX && choice[1] != SIZE_MAX);
}

Test(routing_batch, ship_complete_and_stock_rows)
{
    struct small s;
    small_init(&s);
    s.capacity[0] = INT64_MAX;
    s.stock[0] = 3; /* A holds one order's 2 units, not both orders' 4 */
    s.orders[0].ship_complete = true;
    struct routing_mip mip;
    cr_assert_eq(routing_batch_build(&s.batch, &arena, &mip, &err), ERR_OK);
    double x[64];
    size_t both_a[2] = {0, 0};
    size_t split[2] = {0, 1};
    cr_assert(columns_of(&s.batch, &mip, both_a, x));
    cr_assert_not(rows_hold(&mip, x), "4 units at A, 3 in stock");
    cr_assert(columns_of(&s.batch, &mip, split, x));
    cr_assert(rows_hold(&mip, x));
}

Test(routing_batch, bad_batch_is_refused)
{
    struct small s;
    small_init(&s);
    s.lines[1].current = 7;
    struct routing_mip mip;
    cr_assert_eq(routing_batch_build(&s.batch, &arena, &mip, &err), ERR_INVALID);
}

/* ---- random batches against brute force --------------------------------------------------- */

#define R_CANDS  3
#define R_ORDERS 3
#define R_LINES  5 /* at most, over the orders */
#define R_PRODS  2

struct random_batch {
    struct routing_candidate cands[R_CANDS];
    struct routing_batch_order orders[R_ORDERS];
    struct routing_batch_line lines[R_LINES];
    struct routing_batch_part parts[R_LINES];
    int64_t stock[R_PRODS * R_CANDS];
    int64_t capacity[R_CANDS];
    struct routing_batch batch;
};

static unsigned next_rand(unsigned *seed)
{
    *seed = *seed * 1103515245u + 12345u;
    return (*seed >> 16) & 0x7fffu;
}

static void random_init(struct random_batch *r, unsigned seed)
{
    memset(r, 0, sizeof(*r));
    static const double coords[R_CANDS][2] = {{42.35, -71.06}, {40.70, -74.17}, {41.88, -87.62}};
    static const char *const codes[R_CANDS] = {"A", "B", "C"};
    for (size_t c = 0; c < R_CANDS; c++) {
        r->cands[c] = cand(codes[c], coords[c][0], coords[c][1], 50 + next_rand(&seed) % 200);
        r->capacity[c] = next_rand(&seed) % 3 == 0 ? 1 : INT64_MAX;
    }
    size_t l = 0;
    for (size_t o = 0; o < R_ORDERS; o++) {
        size_t count = o == 0 ? 2 : 1 + next_rand(&seed) % 2;
        count = l + count > R_LINES ? R_LINES - l : count;
        r->orders[o] =
            (struct routing_batch_order){.lines_start = l,
                                         .lines_count = count,
                                         .has_destination = true,
                                         .destination_lat = 39.0 + (double)(next_rand(&seed) % 5),
                                         .destination_lon = -75.0 - (double)(next_rand(&seed) % 10),
                                         .ship_complete = next_rand(&seed) % 4 == 0};
        for (size_t i = 0; i < count; i++, l++) {
            r->parts[l] = (struct routing_batch_part){.product = l % R_PRODS, .per_unit = 1};
            r->lines[l] = (struct routing_batch_line){.qty = 1 + next_rand(&seed) % 3,
                                                      .weight_grams = 200 + next_rand(&seed) % 3000,
                                                      .parts_start = l,
                                                      .parts_count = 1,
                                                      .current = next_rand(&seed) % R_CANDS};
        }
    }
    for (size_t k = 0; k < R_PRODS * R_CANDS; k++) {
        r->stock[k] = next_rand(&seed) % 7;
    }
    r->batch = (struct routing_batch){.candidates = r->cands,
                                      .candidates_count = R_CANDS,
                                      .orders = r->orders,
                                      .orders_count = R_ORDERS,
                                      .lines = r->lines,
                                      .lines_count = l,
                                      .parts = r->parts,
                                      .parts_count = l,
                                      .products_count = R_PRODS,
                                      .stock = r->stock,
                                      .capacity = r->capacity};
}

/* Whether a plan keeps every limit, counted the way the batch means them. */
static bool plan_allowed(const struct routing_batch *b, const size_t *choice,
                         const struct routing_batch_eval *e)
{
    if (e->over_capacity > 0 || e->over_stock > 0) {
        return false;
    }
    for (size_t o = 0; o < b->orders_count; o++) {
        const struct routing_batch_order *order = &b->orders[o];
        size_t first = SIZE_MAX;
        for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
            if (choice[l] == SIZE_MAX) {
                continue;
            }
            if (order->ship_complete && first != SIZE_MAX && choice[l] != first) {
                return false;
            }
            first = choice[l];
        }
    }
    return true;
}

/* Shipments per order: 1 each (where the objective is exact). */
static bool one_shipment_each(const struct routing_batch *b, const size_t *choice)
{
    for (size_t o = 0; o < b->orders_count; o++) {
        const struct routing_batch_order *order = &b->orders[o];
        for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
            if (choice[l] == SIZE_MAX || choice[l] != choice[order->lines_start]) {
                return false;
            }
        }
    }
    return true;
}

/* Every plan of the random batch: the rows' verdict, the objective, and the best objective. */
static void check_random(unsigned seed, bool solve)
{
    struct random_batch r;
    random_init(&r, seed);
    const struct routing_batch *b = &r.batch;
    struct routing_mip mip;
    cr_assert_eq(routing_batch_build(b, &arena, &mip, &err), ERR_OK);
    double *x = calloc(mip.cols + 1, sizeof(double));
    size_t choice[R_LINES];
    size_t total = 1;
    for (size_t l = 0; l < b->lines_count; l++) {
        total *= R_CANDS + 1;
    }
    double best = 1e300;
    for (size_t code = 0; code < total; code++) {
        size_t rest = code;
        for (size_t l = 0; l < b->lines_count; l++, rest /= R_CANDS + 1) {
            choice[l] = rest % (R_CANDS + 1) == R_CANDS ? SIZE_MAX : rest % (R_CANDS + 1);
        }
        struct routing_batch_eval e;
        cr_assert_eq(routing_batch_evaluate(b, choice, &arena, &e, &err), ERR_OK);
        bool has_columns = columns_of(b, &mip, choice, x);
        double *again = calloc(mip.cols + 1, sizeof(double));
        cr_assert_eq(routing_batch_columns(b, &mip, choice, again), has_columns);
        cr_assert(!has_columns || memcmp(again, x, mip.cols * sizeof(double)) == 0);
        free(again);
        bool accepted = has_columns && rows_hold(&mip, x);
        if (has_columns) {
            cr_assert_eq(accepted, plan_allowed(b, choice, &e), "seed %u plan %zu", seed, code);
        } else {
            /* A column is left out only where the candidate cannot hold the line whole. */
            cr_assert_gt(e.over_stock, 0, "seed %u plan %zu", seed, code);
        }
        if (accepted && one_shipment_each(b, choice)) {
            cr_assert_eq((int64_t)(objective(&mip, x) + 0.5), e.cost.total, "seed %u", seed);
        }
        if (accepted && objective(&mip, x) < best) {
            best = objective(&mip, x);
        }
    }
    if (solve) {
        struct routing_cbc_result result;
        size_t current[R_LINES];
        for (size_t l = 0; l < b->lines_count; l++) {
            current[l] = b->lines[l].current;
        }
        cr_assert(routing_batch_columns(b, &mip, current, x), "the current plan has columns");
        cr_assert_eq(routing_cbc_solve(&mip, seed % 2 == 0 ? x : NULL, 10.0, &arena, &result, &err),
                     ERR_OK);
        cr_assert_eq(result.status, ROUTING_CBC_OPTIMAL, "seed %u", seed);
        cr_assert_float_eq(result.objective, best, 1e-3, "seed %u: CBC %f, brute force %f", seed,
                           result.objective, best);
    }
    free(x);
}

Test(routing_batch, rows_and_objective_against_every_plan)
{
    for (unsigned seed = 1; seed <= 60; seed++) {
        check_random(seed, false);
        arena_reset(&arena);
    }
}

Test(routing_batch, cbc_finds_the_brute_force_optimum)
{
    for (unsigned seed = 100; seed <= 130; seed++) {
        check_random(seed, true);
        arena_reset(&arena);
    }
}
