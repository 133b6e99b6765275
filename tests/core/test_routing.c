/*
 * test_routing.c — goal: the first-version sourcing choice (nearest single location, split,
 * ship_complete, pickup), the verdict of every candidate, and that no plan ever places more
 * than is available or loses a unit. Method: a small US network with hand-checked answers,
 * then a property test over random small instances.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/limits.h"
#include "core/location.h"
#include "core/routing.h"

enum { C_BOS, C_EAST, C_WEST, C_SUP, C_OFF, C_COUNT };

/* Boston store, Newark DC, Reno DC, a drop-ship supplier without coordinates, a closed DC. */
static struct routing_candidate network[C_COUNT];
static struct arena arena;
static struct err err;

static void setup(void)
{
    network[C_BOS] =
        (struct routing_candidate){.location_row_id = 1,
                                   .code = "STORE-BOS",
                                   .lat = 42.35,
                                   .lon = -71.06,
                                   .has_coords = true,
                                   .capabilities = LOCATION_CAP_SHIP | LOCATION_CAP_PICKUP,
                                   .active = true,
                                   .priority = 50,
                                   .capacity_left = INT64_MAX};
    network[C_EAST] =
        (struct routing_candidate){.location_row_id = 2,
                                   .code = "DC-EAST",
                                   .lat = 40.70,
                                   .lon = -74.17,
                                   .has_coords = true,
                                   .capabilities = LOCATION_CAP_SHIP | LOCATION_CAP_RETURN,
                                   .active = true,
                                   .priority = 10,
                                   .capacity_left = 5000};
    network[C_WEST] = (struct routing_candidate){.location_row_id = 3,
                                                 .code = "DC-WEST",
                                                 .lat = 39.53,
                                                 .lon = -119.81,
                                                 .has_coords = true,
                                                 .capabilities = LOCATION_CAP_SHIP,
                                                 .active = true,
                                                 .priority = 10,
                                                 .capacity_left = 5000};
    network[C_SUP] = (struct routing_candidate){.location_row_id = 4,
                                                .code = "SUP-ACME",
                                                .capabilities = LOCATION_CAP_DROPSHIP,
                                                .active = true,
                                                .priority = 5,
                                                .capacity_left = INT64_MAX};
    network[C_OFF] = (struct routing_candidate){.location_row_id = 5,
                                                .code = "DC-OLD",
                                                .lat = 42.0,
                                                .lon = -71.0,
                                                .has_coords = true,
                                                .capabilities = LOCATION_CAP_SHIP,
                                                .active = false,
                                                .priority = 1,
                                                .capacity_left = INT64_MAX};
    arena_init(&arena, 1 << 20);
    memset(&err, 0, sizeof(err));
}

static void teardown(void)
{
    arena_release(&arena);
}

static struct routing_request boston_request(const struct routing_line *lines, size_t count)
{
    return (struct routing_request){.candidates = network,
                                    .candidates_count = C_COUNT,
                                    .lines = lines,
                                    .lines_count = count,
                                    .has_destination = true,
                                    .destination_lat = 42.3362,
                                    .destination_lon = -71.0729,
                                    .method = FULFILLMENT_SHIP,
                                    .policy = SHIP_POLICY_ALLOW_SPLIT};
}

static const struct routing_explanation *explanation_of(const struct routing_plan *plan,
                                                        size_t candidate)
{
    for (size_t i = 0; i < plan->explanations_count; i++) {
        if (plan->explanations[i].candidate_index == candidate) {
            return &plan->explanations[i];
        }
    }
    cr_assert_fail("no explanation for candidate %zu", candidate);
    return NULL;
}

static int64_t assigned(const struct routing_plan *plan, size_t line, size_t candidate)
{
    int64_t sum = 0;
    for (size_t i = 0; i < plan->assignments_count; i++) {
        if (plan->assignments[i].line_index == line &&
            plan->assignments[i].candidate_index == candidate) {
            sum += plan->assignments[i].qty;
        }
    }
    return sum;
}

Test(routing, single_nearest, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {5, 5, 5, 5, 5};
    static const int64_t a1[C_COUNT] = {1, 9, 9, 9, 9};
    struct routing_line lines[] = {{2, a0, 0}, {1, a1, 0}};
    struct routing_request req = boston_request(lines, 2);
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK, "%s", err.message);
    cr_expect_str_eq(plan.strategy, "single_location");
    cr_expect(plan.complete);
    cr_assert_eq(plan.assignments_count, 2);
    cr_expect_eq(assigned(&plan, 0, C_BOS), 2);
    cr_expect_eq(assigned(&plan, 1, C_BOS), 1);
    cr_expect_eq(plan.unallocated[0], 0);
    cr_expect_eq(plan.unallocated[1], 0);
    /* Ranked: eligible by distance (Boston, Newark, Reno), the supplier without coordinates,
     * then the inactive one. */
    cr_assert_eq(plan.explanations_count, C_COUNT);
    cr_expect_eq(plan.explanations[0].candidate_index, C_BOS);
    cr_expect_eq(plan.explanations[1].candidate_index, C_EAST);
    cr_expect_eq(plan.explanations[2].candidate_index, C_WEST);
    cr_expect_eq(plan.explanations[3].candidate_index, C_SUP);
    cr_expect_eq(plan.explanations[4].candidate_index, C_OFF);
    cr_expect_eq(plan.explanations[0].verdict, ROUTING_CHOSEN);
    cr_expect_eq(plan.explanations[1].verdict, ROUTING_NOT_CHOSEN);
    cr_expect_eq(plan.explanations[3].verdict, ROUTING_NOT_CHOSEN, "drop-ship can ship");
    cr_expect_eq(plan.explanations[4].verdict, ROUTING_INACTIVE);
    cr_expect(plan.explanations[0].distance_km < 5.0);
    cr_expect(plan.explanations[1].distance_km > 300.0 && plan.explanations[1].distance_km < 320);
    cr_expect_eq(plan.explanations[3].distance_km, -1.0);
    cr_expect_eq(plan.explanations[0].units_available, 3);
    cr_expect_eq(plan.explanations[1].units_available, 3);
    cr_expect_str_eq(routing_verdict_name(plan.explanations[4].verdict), "inactive");
}

Test(routing, nearest_that_serves_everything, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {5, 5, 5, 0, 50};
    static const int64_t a1[C_COUNT] = {0, 0, 9, 0, 50};
    struct routing_line lines[] = {{2, a0, 0}, {1, a1, 0}};
    struct routing_request req = boston_request(lines, 2);
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "single_location");
    cr_expect_eq(assigned(&plan, 0, C_WEST), 2);
    cr_expect_eq(assigned(&plan, 1, C_WEST), 1);
    cr_expect_eq(explanation_of(&plan, C_WEST)->verdict, ROUTING_CHOSEN);
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_NOT_CHOSEN);
    cr_expect_eq(explanation_of(&plan, C_SUP)->verdict, ROUTING_NO_STOCK);
    cr_expect_eq(explanation_of(&plan, C_OFF)->verdict, ROUTING_INACTIVE);
}

Test(routing, split_along_the_ranking, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {3, 4, 10, 0, 0};
    static const int64_t a1[C_COUNT] = {0, 1, 10, 0, 0};
    struct routing_line lines[] = {{5, a0, 0}, {2, a1, 0}};
    struct routing_request req = boston_request(lines, 2);
    struct routing_plan plan;
    /* Reno could serve it all, so make it unable to: no capacity today. */
    network[C_WEST].capacity_left = 0;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "split");
    cr_expect(!plan.complete);
    cr_expect_eq(assigned(&plan, 0, C_BOS), 3);
    cr_expect_eq(assigned(&plan, 0, C_EAST), 2);
    cr_expect_eq(assigned(&plan, 1, C_EAST), 1);
    cr_expect_eq(plan.unallocated[0], 0);
    cr_expect_eq(plan.unallocated[1], 1);
    cr_expect_eq(explanation_of(&plan, C_WEST)->verdict, ROUTING_NO_CAPACITY);
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_CHOSEN);
    cr_expect_eq(explanation_of(&plan, C_EAST)->verdict, ROUTING_CHOSEN);
    /* Grouped by candidate in ranking order: Boston's lines, then Newark's. */
    cr_assert_eq(plan.assignments_count, 3);
    cr_expect_eq(plan.assignments[0].candidate_index, C_BOS);
    cr_expect_eq(plan.assignments[1].candidate_index, C_EAST);
    cr_expect_eq(plan.assignments[1].line_index, 0);
    cr_expect_eq(plan.assignments[2].candidate_index, C_EAST);
    cr_expect_eq(plan.assignments[2].line_index, 1);

    /* With Reno back, one location serves everything and wins over a split. */
    network[C_WEST].capacity_left = 1;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "single_location");
    cr_expect(plan.complete);
    cr_expect_eq(assigned(&plan, 0, C_WEST), 5);
}

Test(routing, split_complete, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {3, 4, 0, 0, 0};
    struct routing_line lines[] = {{6, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "split");
    cr_expect(plan.complete);
    cr_expect_eq(assigned(&plan, 0, C_BOS), 3);
    cr_expect_eq(assigned(&plan, 0, C_EAST), 3);
}

Test(routing, ship_complete_plans_nothing, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {3, 4, 0, 0, 0};
    struct routing_line lines[] = {{6, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    req.policy = SHIP_POLICY_SHIP_COMPLETE;
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "none");
    cr_expect(!plan.complete);
    cr_expect_eq(plan.assignments_count, 0);
    cr_expect_eq(plan.unallocated[0], 6);
    for (size_t i = 0; i < plan.explanations_count; i++) {
        cr_expect_neq(plan.explanations[i].verdict, ROUTING_CHOSEN);
    }
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_NOT_CHOSEN);
    cr_expect_eq(explanation_of(&plan, C_WEST)->verdict, ROUTING_NO_STOCK);
}

Test(routing, pickup, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {1, 50, 50, 50, 50};
    static const int64_t a1[C_COUNT] = {4, 50, 50, 50, 50};
    struct routing_line lines[] = {{2, a0, 0}, {3, a1, 0}};
    struct routing_request req = boston_request(lines, 2);
    req.method = FULFILLMENT_PICKUP;
    req.pickup_candidate = C_BOS;
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_str_eq(plan.strategy, "pickup");
    cr_expect(!plan.complete);
    cr_expect_eq(assigned(&plan, 0, C_BOS), 1);
    cr_expect_eq(assigned(&plan, 1, C_BOS), 3);
    cr_expect_eq(plan.unallocated[0], 1);
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_CHOSEN);
    cr_expect_eq(explanation_of(&plan, C_EAST)->verdict, ROUTING_NO_CAPABILITY);
    cr_expect_eq(explanation_of(&plan, C_SUP)->verdict, ROUTING_NO_CAPABILITY);
    cr_expect_eq(explanation_of(&plan, C_OFF)->verdict, ROUTING_INACTIVE);
    cr_expect_eq(plan.explanations[0].candidate_index, C_BOS, "the eligible one ranks first");

    req.policy = SHIP_POLICY_SHIP_COMPLETE;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_eq(plan.assignments_count, 0);
    cr_expect_eq(plan.unallocated[0], 2);
    cr_expect_eq(plan.unallocated[1], 3);
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_NOT_CHOSEN);

    /* A pickup location without the pickup capability serves nothing. */
    req.policy = SHIP_POLICY_ALLOW_SPLIT;
    req.pickup_candidate = C_EAST;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_eq(plan.assignments_count, 0);
    cr_expect_eq(explanation_of(&plan, C_EAST)->verdict, ROUTING_NO_CAPABILITY);

    req.pickup_candidate = C_COUNT;
    cr_expect_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "fulfillment.location");
}

Test(routing, pickup_complete, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {2, 0, 0, 0, 0};
    struct routing_line lines[] = {{2, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    req.method = FULFILLMENT_PICKUP;
    req.policy = SHIP_POLICY_SHIP_COMPLETE;
    req.pickup_candidate = C_BOS;
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect(plan.complete);
    cr_expect_eq(assigned(&plan, 0, C_BOS), 2);
}

Test(routing, verdicts, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {5, 5, 5, 5, 5};
    struct routing_line lines[] = {{1, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    network[C_EAST].capabilities = LOCATION_CAP_RETURN | LOCATION_CAP_PICKUP;
    network[C_WEST].capacity_left = -3;
    network[C_BOS].active = false;
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect_eq(explanation_of(&plan, C_BOS)->verdict, ROUTING_INACTIVE);
    cr_expect_eq(explanation_of(&plan, C_EAST)->verdict, ROUTING_NO_CAPABILITY);
    cr_expect_eq(explanation_of(&plan, C_WEST)->verdict, ROUTING_NO_CAPACITY);
    cr_expect_eq(explanation_of(&plan, C_SUP)->verdict, ROUTING_CHOSEN);
    cr_expect_eq(plan.explanations[0].candidate_index, C_SUP);
    cr_expect_str_eq(plan.strategy, "single_location");
    cr_expect_str_eq(routing_verdict_name(ROUTING_NO_CAPACITY), "no_capacity");
    cr_expect_str_eq(routing_verdict_name(ROUTING_NO_CAPABILITY), "no_capability");
    cr_expect_str_eq(routing_verdict_name(ROUTING_NO_STOCK), "no_stock");
    cr_expect_str_eq(routing_verdict_name(ROUTING_NOT_CHOSEN), "not_chosen");
    cr_expect_str_eq(routing_verdict_name(ROUTING_CHOSEN), "chosen");
}

Test(routing, no_destination_orders_by_priority_then_code, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {5, 5, 5, 5, 5};
    struct routing_line lines[] = {{1, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    req.has_destination = false;
    struct routing_plan plan;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    /* SUP-ACME 5, then DC-EAST and DC-WEST at 10 by code, then STORE-BOS 50; DC-OLD is out. */
    cr_expect_eq(plan.explanations[0].candidate_index, C_SUP);
    cr_expect_eq(plan.explanations[1].candidate_index, C_EAST);
    cr_expect_eq(plan.explanations[2].candidate_index, C_WEST);
    cr_expect_eq(plan.explanations[3].candidate_index, C_BOS);
    cr_expect_eq(plan.explanations[4].candidate_index, C_OFF);
    for (size_t i = 0; i < plan.explanations_count; i++) {
        cr_expect_eq(plan.explanations[i].distance_km, -1.0);
    }
    cr_expect_eq(assigned(&plan, 0, C_SUP), 1);
}

Test(routing, limits_and_memory, .init = setup, .fini = teardown)
{
    static const int64_t a0[C_COUNT] = {5, 5, 5, 5, 5};
    struct routing_line lines[] = {{1, a0, 0}};
    struct routing_request req = boston_request(lines, 1);
    struct routing_plan plan;
    req.candidates_count = LOCATIONS_MAX + 1;
    cr_expect_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_INVALID);
    req.candidates_count = C_COUNT;
    req.lines_count = ORDER_LINES_MAX + 1;
    cr_expect_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines");
    req.lines_count = 1;
    /* Every allocation the planner makes may fail; each failure is ERR_TOO_LARGE, no crash. */
    size_t ok_at = 0;
    for (size_t n = 1; n < 20 && ok_at == 0; n++) {
        arena_reset(&arena);
        arena.fail_at = n;
        enum err_code code = routing_plan_order(&req, &arena, &plan, &err);
        if (code == ERR_OK) {
            ok_at = n;
        } else {
            cr_expect_eq(code, ERR_TOO_LARGE, "failure at allocation %zu", n);
        }
    }
    cr_expect(ok_at > 1, "the planner allocates and survives each failure");
    /* An empty order is trivially complete. */
    arena.fail_at = 0;
    req.lines_count = 0;
    cr_assert_eq(routing_plan_order(&req, &arena, &plan, &err), ERR_OK);
    cr_expect(plan.complete);
    cr_expect_eq(plan.assignments_count, 0);
}

/* ---- property ---------------------------------------------------------------------------- */

static uint64_t rng_state = 0x9E3779B97F4A7C15ull;

static uint32_t rng(uint32_t bound)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return (uint32_t)(rng_state % bound);
}

static void check_plan(const struct routing_request *req, const struct routing_plan *plan)
{
    for (size_t l = 0; l < req->lines_count; l++) {
        int64_t line_total = 0;
        for (size_t c = 0; c < req->candidates_count; c++) {
            int64_t got = assigned(plan, l, c);
            int64_t have = req->lines[l].available[c] > 0 ? req->lines[l].available[c] : 0;
            cr_assert(got <= have, "line %zu candidate %zu: %ld > %ld", l, c, (long)got,
                      (long)have);
            line_total += got;
        }
        cr_assert_eq(plan->unallocated[l] + line_total, req->lines[l].qty, "line %zu", l);
        cr_assert(plan->unallocated[l] >= 0);
    }
    bool complete = true;
    for (size_t l = 0; l < req->lines_count; l++) {
        complete = complete && plan->unallocated[l] == 0;
    }
    cr_assert_eq(plan->complete, complete);
    bool seen[8] = {false};
    for (size_t i = 0; i < plan->explanations_count; i++) {
        const struct routing_explanation *e = &plan->explanations[i];
        cr_assert(!seen[e->candidate_index], "each candidate explained once");
        seen[e->candidate_index] = true;
        bool used = false;
        for (size_t a = 0; a < plan->assignments_count; a++) {
            used = used || plan->assignments[a].candidate_index == e->candidate_index;
        }
        cr_assert_eq(used, e->verdict == ROUTING_CHOSEN);
    }
    for (size_t a = 0; a < plan->assignments_count; a++) {
        const struct routing_assignment *as = &plan->assignments[a];
        cr_assert(as->qty > 0);
        const struct routing_candidate *c = &req->candidates[as->candidate_index];
        cr_assert(c->active && c->capacity_left > 0);
        if (req->method == FULFILLMENT_PICKUP) {
            cr_assert_eq(as->candidate_index, req->pickup_candidate);
            cr_assert(c->capabilities & LOCATION_CAP_PICKUP);
        } else {
            cr_assert(c->capabilities & (LOCATION_CAP_SHIP | LOCATION_CAP_DROPSHIP));
        }
        if (req->policy == SHIP_POLICY_SHIP_COMPLETE || req->method == FULFILLMENT_PICKUP) {
            cr_assert_eq(as->candidate_index, plan->assignments[0].candidate_index);
        }
    }
    if (req->policy == SHIP_POLICY_SHIP_COMPLETE && plan->assignments_count > 0) {
        cr_assert(plan->complete, "ship_complete is all or nothing");
    }
}

Test(routing, property_random_small_instances)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    int strategies[4] = {0}; /* single_location, split, pickup, none */
    for (int run = 0; run < 3000; run++) {
        arena_reset(&a);
        struct routing_candidate cands[8];
        int64_t available[6][8];
        struct routing_line lines[6];
        size_t n = 1 + rng(8);
        size_t m = rng(6);
        for (size_t c = 0; c < n; c++) {
            cands[c] = (struct routing_candidate){
                .code = (const char *[]){"A", "B", "C", "D", "E", "F", "G", "H"}[c],
                .lat = (double)rng(180) - 90.0,
                .lon = (double)rng(360) - 180.0,
                .has_coords = rng(4) != 0,
                .capabilities = rng(LOCATION_CAP_ALL + 1),
                .active = rng(5) != 0,
                .priority = rng(3),
                .capacity_left = (int64_t)rng(4) - 1,
            };
        }
        for (size_t l = 0; l < m; l++) {
            for (size_t c = 0; c < n; c++) {
                available[l][c] = (int64_t)rng(8) - 2;
            }
            lines[l] = (struct routing_line){.qty = 1 + rng(6), .available = available[l]};
        }
        struct routing_request req = {
            .candidates = cands,
            .candidates_count = n,
            .lines = lines,
            .lines_count = m,
            .has_destination = rng(3) != 0,
            .destination_lat = 40,
            .destination_lon = -75,
            .method = (enum fulfillment_method)rng(FULFILLMENT_COUNT),
            .policy = rng(2) ? SHIP_POLICY_SHIP_COMPLETE : SHIP_POLICY_ALLOW_SPLIT,
            .pickup_candidate = rng((uint32_t)n),
        };
        struct routing_plan plan;
        struct err e = {0};
        cr_assert_eq(routing_plan_order(&req, &a, &plan, &e), ERR_OK, "%s", e.message);
        check_plan(&req, &plan);
        static const char *const names[] = {"single_location", "split", "pickup", "none"};
        for (int k = 0; k < 4; k++) {
            strategies[k] += strcmp(plan.strategy, names[k]) == 0 && plan.assignments_count > 0;
        }
    }
    arena_release(&a);
    /* The generator reaches every strategy that places units, often. */
    cr_expect(strategies[0] > 100 && strategies[1] > 50 && strategies[2] > 50, "%d %d %d",
              strategies[0], strategies[1], strategies[2]);
    cr_expect_eq(strategies[3], 0, "none never places units");
}
