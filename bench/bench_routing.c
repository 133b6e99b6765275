/*
 * bench_routing.c — `make bench-routing`: the routing engine alone (no database, no HTTP) on a
 * generated network at real US places from the embedded postal table: 10 warehouses in
 * distribution hubs, 100 ship-from stores drawn by population, 5,000 SKUs with Zipf demand and
 * stock spread mostly over warehouses, 100,000 orders of 1-5 lines whose destinations are drawn
 * by population. The orders are routed in sequence (stock depleting) under three policies:
 *   1. fixed priority: locations in a fixed order, each line from the first with stock
 *      (Magento MSI's default source selection), splitting when needed;
 *   2. nearest with stock: the same walk in order of distance (MSI's distance-based selection);
 *   3. Ordo: routing_plan_order per order, with a UPS-like rate card and default settings;
 *   4. Ordo per order, then at the end of each day (BENCH_DAY orders, default 500) the day's
 *      orders re-planned together as one mixed-integer programme (core/routing_batch.c solved
 *      by COIN-OR CBC, BENCH_CBC_SECONDS per day, default 2), kept only when cheaper; orders
 *      with a line in pieces keep their plan.
 * Every policy is priced with the same rate card and handling costs. Prints a table: total
 * shipping + handling cost, shipments per order, split share, mean km per unit, share of
 * orders served complete, decisions per second (engine only for Ordo). Deterministic (fixed
 * seed). BENCH_ORDERS overrides the order count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/routing_cbc.h"
#include "core/geo.h"
#include "core/location.h"
#include "core/routing.h"
#include "core/routing_batch.h"

enum { WAREHOUSES = 10, STORES = 100, LOCS = WAREHOUSES + STORES, SKUS = 5000, LINES_MAX = 5 };

static uint64_t rng_state = 0x2545F4914F6CDD1Dull;

static uint64_t rng_next(void)
{
    rng_state ^= rng_state << 13;
    rng_state ^= rng_state >> 7;
    rng_state ^= rng_state << 17;
    return rng_state;
}

static double rng_unit(void)
{
    return (double)(rng_next() >> 11) / 9007199254740992.0;
}

/* Index of the first value >= x in an ascending cumulative array. */
static size_t bench_pick(const double *cumulative, size_t count, double x)
{
    size_t lo = 0;
    size_t hi = count;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cumulative[mid] < x) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo < count ? lo : count - 1;
}

struct bench {
    struct routing_candidate cands[LOCS];
    char codes[LOCS][16];
    double *population_cdf; /* over geo_postal_rows */
    double sku_cdf[SKUS];
    int64_t weight[SKUS];
    int64_t *stock; /* [SKUS * LOCS] */
    int64_t *initial;
};

struct order_gen {
    size_t zip;
    size_t lines;
    size_t sku[LINES_MAX];
    int64_t qty[LINES_MAX];
};

struct policy_result {
    const char *name;
    int64_t objective;   /* the engine's: shipping + handling + lateness + split penalties */
    int64_t batch_saved; /* policy 4: what the days' re-optimisations saved (plan cost) */
    int64_t batch_moves; /* lines moved by them */
    int64_t cost;
    int64_t shipments;
    int64_t split_orders;
    double km_units;
    int64_t units;
    int64_t served;
    double seconds;
};

/* A UPS-like ground rate card by zone (distance) and weight, and a 2-day air service. */
static const struct routing_transit ground_transit[] = {
    {300, 1}, {800, 2}, {1600, 3}, {2800, 4}, {99999, 5}};
static const struct routing_rate ground_rates[] = {
    {300, 1000, 795},    {300, 5000, 1050},   {300, 30000, 1890},  {800, 1000, 865},
    {800, 5000, 1245},   {800, 30000, 2480},  {1600, 1000, 935},   {1600, 5000, 1460},
    {1600, 30000, 3290}, {2800, 1000, 1010},  {2800, 5000, 1690},  {2800, 30000, 4150},
    {99999, 1000, 1090}, {99999, 5000, 1930}, {99999, 30000, 5100}};
static const struct routing_transit air_transit[] = {{99999, 2}};
static const struct routing_rate air_rates[] = {{99999, 1000, 2450}, {99999, 5000, 3900}};
static const struct routing_service services[] = {
    {"UPS", "ground", ground_transit, 5, ground_rates, 15},
    {"UPS", "2day", air_transit, 1, air_rates, 2},
};

static const char *const hub_zips[WAREHOUSES] = {"08817", "30336", "60638", "75261", "90058",
                                                 "98032", "85043", "80239", "33166", "43125"};

static size_t bench_zip_index(const char *zip)
{
    const struct geo_postal *row = geo_postal_find(geo_postal_rows, geo_postal_rows_count, zip);
    return row != NULL ? (size_t)(row - geo_postal_rows) : 0;
}

static void bench_network(struct bench *b)
{
    double total = 0;
    b->population_cdf = calloc(geo_postal_rows_count, sizeof(double));
    for (size_t i = 0; i < geo_postal_rows_count; i++) {
        total += geo_postal_rows[i].population;
        b->population_cdf[i] = total;
    }
    for (size_t i = 0; i < geo_postal_rows_count; i++) {
        b->population_cdf[i] /= total;
    }
    for (size_t l = 0; l < LOCS; l++) {
        bool dc = l < WAREHOUSES;
        size_t z = dc ? bench_zip_index(hub_zips[l])
                      : bench_pick(b->population_cdf, geo_postal_rows_count, rng_unit());
        snprintf(b->codes[l], sizeof(b->codes[l]), "%s-%03zu", dc ? "DC" : "ST", l);
        b->cands[l] = (struct routing_candidate){
            .location_row_id = (int64_t)l + 1,
            .code = b->codes[l],
            .lat = geo_postal_rows[z].lat,
            .lon = geo_postal_rows[z].lon,
            .has_coords = true,
            .capabilities = LOCATION_CAP_SHIP,
            .active = true,
            .handling_cost = dc ? 150 : 450, /* store labour picks dearer */
            .priority = (int64_t)l,
            .capacity_left = INT64_MAX,
            .handling_days = dc ? 0 : 1,
        };
    }
}

/* Zipf(1.0) demand over SKUs; stock = 1.05 x expected demand, 75% in 3-6 warehouses, the rest
 * in a few stores. */
static void bench_catalog(struct bench *b, size_t orders)
{
    double total = 0;
    for (size_t s = 0; s < SKUS; s++) {
        total += 1.0 / (double)(s + 1);
        b->sku_cdf[s] = total;
        b->weight[s] = 100 + (int64_t)(rng_next() % 4900);
    }
    for (size_t s = 0; s < SKUS; s++) {
        b->sku_cdf[s] /= total;
    }
    b->stock = calloc((size_t)SKUS * LOCS, sizeof(int64_t));
    b->initial = calloc((size_t)SKUS * LOCS, sizeof(int64_t));
    double units_per_order = 3.0 * 1.3;
    for (size_t s = 0; s < SKUS; s++) {
        double p = (b->sku_cdf[s] - (s > 0 ? b->sku_cdf[s - 1] : 0));
        int64_t supply = (int64_t)(1.05 * p * (double)orders * units_per_order) + 1;
        int64_t dc_units = supply * 3 / 4;
        size_t dcs = 3 + rng_next() % 4;
        for (size_t k = 0; k < dcs; k++) {
            size_t l = rng_next() % WAREHOUSES;
            b->stock[s * LOCS + l] +=
                dc_units / (int64_t)dcs + (k == 0 ? dc_units % (int64_t)dcs : 0);
        }
        int64_t store_units = supply - dc_units;
        size_t stores = 2 + rng_next() % 12;
        for (size_t k = 0; k < stores; k++) {
            size_t l = WAREHOUSES + rng_next() % STORES;
            b->stock[s * LOCS + l] +=
                store_units / (int64_t)stores + (k == 0 ? store_units % (int64_t)stores : 0);
        }
    }
    memcpy(b->initial, b->stock, (size_t)SKUS * LOCS * sizeof(int64_t));
}

static void bench_orders(const struct bench *b, struct order_gen *orders, size_t count)
{
    for (size_t o = 0; o < count; o++) {
        struct order_gen *g = &orders[o];
        g->zip = bench_pick(b->population_cdf, geo_postal_rows_count, rng_unit());
        g->lines = 1 + rng_next() % LINES_MAX;
        for (size_t l = 0; l < g->lines; l++) {
            size_t s = 0;
            bool again = true;
            while (again) {
                s = bench_pick(b->sku_cdf, SKUS, rng_unit());
                again = false;
                for (size_t k = 0; k < l; k++) {
                    again = again || g->sku[k] == s;
                }
            }
            g->sku[l] = s;
            uint64_t r = rng_next() % 10;
            g->qty[l] = r < 8 ? 1 : (int64_t)r - 6;
        }
    }
}

/* Prices a plan's shipments with the rate card and handling, and counts the figures. */
static void bench_account(const struct bench *b, const struct routing_request *req,
                          const struct routing_assignment *as, size_t count,
                          struct policy_result *r)
{
    int64_t weight[LOCS] = {0};
    bool used[LOCS] = {false};
    size_t shipments = 0;
    int64_t placed = 0;
    int64_t wanted = 0;
    for (size_t i = 0; i < count; i++) {
        const struct routing_line *line = &req->lines[as[i].line_index];
        size_t c = as[i].candidate_index;
        weight[c] += as[i].qty * line->weight_grams;
        shipments += used[c] ? 0 : 1;
        used[c] = true;
        placed += as[i].qty;
        bool known = false;
        double km = geo_distance_km(b->cands[c].lat, b->cands[c].lon, req->destination_lat,
                                    req->destination_lon);
        (void)known;
        r->km_units += km * (double)as[i].qty;
        r->units += as[i].qty;
    }
    for (size_t l = 0; l < req->lines_count; l++) {
        wanted += req->lines[l].qty;
    }
    for (size_t c = 0; c < LOCS; c++) {
        if (used[c]) {
            struct routing_terms t;
            size_t svc = 0;
            int64_t days = 0;
            routing_shipping_cost(req, c, weight[c], &t, &svc, &days);
            r->cost += t.shipping + b->cands[c].handling_cost;
            r->objective += t.shipping + t.lateness + b->cands[c].handling_cost;
        }
    }
    if (shipments > 1) {
        r->objective += (int64_t)(shipments - 1) * req->settings->split_penalty;
    }
    r->shipments += (int64_t)shipments;
    r->split_orders += shipments > 1 ? 1 : 0;
    r->served += placed == wanted ? 1 : 0;
}

struct walk_key {
    double key;
    size_t c;
};

static int walk_compare(const void *a, const void *b)
{
    const struct walk_key *x = a;
    const struct walk_key *y = b;
    return x->key < y->key ? -1 : (x->key > y->key ? 1 : (x->c < y->c ? -1 : 1));
}

/* Policies 1 and 2: walk locations in order (priority or distance), take what each has. */
static size_t bench_walk(const struct bench *b, const struct routing_request *req, bool nearest,
                         struct routing_assignment *out)
{
    struct walk_key order[LOCS];
    for (size_t c = 0; c < LOCS; c++) {
        order[c].c = c;
        order[c].key = nearest ? geo_distance_km(b->cands[c].lat, b->cands[c].lon,
                                                 req->destination_lat, req->destination_lon)
                               : (double)b->cands[c].priority;
    }
    qsort(order, LOCS, sizeof(order[0]), walk_compare);
    size_t count = 0;
    for (size_t l = 0; l < req->lines_count; l++) {
        int64_t left = req->lines[l].qty;
        for (size_t k = 0; k < LOCS && left > 0; k++) {
            int64_t have = req->lines[l].available[order[k].c];
            int64_t take = have < left ? have : left;
            if (take > 0) {
                out[count++] = (struct routing_assignment){l, order[k].c, take};
                left -= take;
            }
        }
    }
    return count;
}

static double bench_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts); /* CPU time: a busy machine does not skew it */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The engine's request for one order over the current stock. */
static void bench_request(const struct bench *b, const struct order_gen *g,
                          const struct routing_settings *settings, struct routing_line *lines,
                          struct routing_request *req)
{
    for (size_t l = 0; l < g->lines; l++) {
        lines[l] =
            (struct routing_line){g->qty[l], &b->stock[g->sku[l] * LOCS], b->weight[g->sku[l]]};
    }
    *req = (struct routing_request){
        .candidates = b->cands,
        .candidates_count = LOCS,
        .lines = lines,
        .lines_count = g->lines,
        .has_destination = true,
        .destination_lat = geo_postal_rows[g->zip].lat,
        .destination_lon = geo_postal_rows[g->zip].lon,
        .method = FULFILLMENT_SHIP,
        .policy = SHIP_POLICY_ALLOW_SPLIT,
        .settings = settings,
        .services = services,
        .services_count = 2,
    };
}

/* Policy 4: the day's per-order plans, kept until the day's re-optimisation. */
struct bench_day {
    size_t first; /* the day's first order */
    size_t count;
    struct routing_assignment *as; /* every order's assignments, one after the other */
    size_t *as_start;              /* [count + 1] */
};

/* The day's batch: orders whose every line went whole to one location. */
struct bench_batch {
    struct routing_batch_order *orders;
    struct routing_batch_line *lines;
    struct routing_batch_part *parts;
    size_t *line_as; /* batch line -> index into day->as */
    size_t *product_sku;
    int64_t *stock;
    int64_t capacity[LOCS];
    int sku_product[SKUS];
    struct routing_batch batch;
};

static bool bench_batchable(const struct order_gen *g, const struct routing_assignment *as,
                            size_t n)
{
    if (n != g->lines) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if (as[i].qty != g->qty[as[i].line_index]) {
            return false;
        }
    }
    return true;
}

static void bench_batch_order(const struct bench *b, const struct order_gen *g,
                              const struct bench_day *day, size_t d, struct bench_batch *bb)
{
    struct routing_batch *batch = &bb->batch;
    size_t o = batch->orders_count++;
    bb->orders[o] = (struct routing_batch_order){.lines_start = batch->lines_count,
                                                 .lines_count = g->lines,
                                                 .has_destination = true,
                                                 .destination_lat = geo_postal_rows[g->zip].lat,
                                                 .destination_lon = geo_postal_rows[g->zip].lon};
    for (size_t i = day->as_start[d]; i < day->as_start[d + 1]; i++) {
        const struct routing_assignment *a = &day->as[i];
        size_t sku = g->sku[a->line_index];
        if (bb->sku_product[sku] < 0) {
            bb->sku_product[sku] = (int)batch->products_count;
            bb->product_sku[batch->products_count++] = sku;
        }
        size_t l = batch->lines_count++;
        bb->parts[l] = (struct routing_batch_part){(size_t)bb->sku_product[sku], 1};
        bb->lines[l] =
            (struct routing_batch_line){a->qty, b->weight[sku], l, 1, a->candidate_index};
        bb->line_as[l] = i;
    }
}

/* Builds the day's batch: stock is what is left plus what the batch holds. */
static void bench_batch_build(const struct bench *b, const struct order_gen *orders,
                              const struct bench_day *day, const struct routing_settings *settings,
                              struct bench_batch *bb)
{
    struct routing_batch *batch = &bb->batch;
    memset(batch, 0, sizeof(*batch));
    memset(bb->sku_product, -1, sizeof(bb->sku_product));
    for (size_t d = 0; d < day->count; d++) {
        const struct order_gen *g = &orders[day->first + d];
        const struct routing_assignment *as = &day->as[day->as_start[d]];
        if (bench_batchable(g, as, day->as_start[d + 1] - day->as_start[d])) {
            bench_batch_order(b, g, day, d, bb);
        }
    }
    for (size_t p = 0; p < batch->products_count; p++) {
        memcpy(&bb->stock[p * LOCS], &b->stock[bb->product_sku[p] * LOCS], LOCS * sizeof(int64_t));
    }
    for (size_t l = 0; l < batch->lines_count; l++) {
        bb->stock[bb->parts[l].product * LOCS + bb->lines[l].current] += bb->lines[l].qty;
    }
    for (size_t c = 0; c < LOCS; c++) {
        bb->capacity[c] = INT64_MAX;
    }
    batch->candidates = b->cands;
    batch->candidates_count = LOCS;
    batch->settings = settings;
    batch->services = services;
    batch->services_count = 2;
    batch->orders = bb->orders;
    batch->lines = bb->lines;
    batch->parts = bb->parts;
    batch->parts_count = batch->lines_count;
    batch->stock = bb->stock;
    batch->capacity = bb->capacity;
}

/* Re-plans the day's batch with CBC; applies the plan to stock and assignments when better. */
static void bench_batch_solve(struct bench *b, struct bench_batch *bb, struct bench_day *day,
                              struct arena *arena, struct policy_result *r)
{
    struct routing_batch *batch = &bb->batch;
    size_t *choice = arena_alloc_array(arena, batch->lines_count + 1, sizeof(size_t));
    size_t *current = arena_alloc_array(arena, batch->lines_count + 1, sizeof(size_t));
    struct routing_batch_eval before;
    struct routing_batch_eval after;
    struct routing_mip mip;
    struct routing_cbc_result result;
    struct err err = {0};
    const char *env = getenv("BENCH_CBC_SECONDS");
    double seconds = env != NULL ? strtod(env, NULL) : 2.0;
    seconds = seconds > 0 ? seconds : 2.0;
    for (size_t l = 0; l < batch->lines_count; l++) {
        current[l] = batch->lines[l].current;
    }
    if (choice == NULL || current == NULL ||
        routing_batch_evaluate(batch, current, arena, &before, &err) != ERR_OK ||
        routing_batch_build(batch, arena, &mip, &err) != ERR_OK) {
        fprintf(stderr, "batch re-optimisation failed: %s\n", err.message);
        exit(2);
    }
    double *start = arena_alloc_array(arena, mip.cols + 1, sizeof(double));
    bool has_start = start != NULL && routing_batch_columns(batch, &mip, current, start);
    if (routing_cbc_solve(&mip, has_start ? start : NULL, seconds, arena, &result, &err) !=
        ERR_OK) {
        fprintf(stderr, "batch re-optimisation failed: %s\n", err.message);
        exit(2);
    }
    if (getenv("BENCH_VERBOSE") != NULL) {
        fprintf(stderr,
                "day: %zu orders %zu lines, %zu cols %zu rows, cbc %s in %.2fs obj %.0f, before "
                "%" PRId64 "\n",
                batch->orders_count, batch->lines_count, mip.cols, mip.rows,
                routing_cbc_status_name(result.status), result.seconds, result.objective,
                before.cost.total);
    }
    if (result.solution == NULL) {
        return;
    }
    size_t *proposed = arena_alloc_array(arena, batch->lines_count + 1, sizeof(size_t));
    if (proposed == NULL) {
        exit(2);
    }
    routing_batch_decode(batch, &mip, result.solution, proposed);
    struct routing_batch_result picked = {.choice = choice};
    if (routing_batch_best(batch, current, proposed, arena, &picked, &err) != ERR_OK) {
        fprintf(stderr, "batch re-optimisation failed: %s\n", err.message);
        exit(2);
    }
    after = picked.eval;
    if (!routing_batch_better(&after, &before)) {
        return;
    }
    r->batch_saved += before.cost.total - after.cost.total;
    for (size_t l = 0; l < batch->lines_count; l++) {
        if (choice[l] == SIZE_MAX || choice[l] == current[l]) {
            continue;
        }
        size_t sku = bb->product_sku[bb->parts[l].product];
        b->stock[sku * LOCS + current[l]] += batch->lines[l].qty;
        b->stock[sku * LOCS + choice[l]] -= batch->lines[l].qty;
        day->as[bb->line_as[l]].candidate_index = choice[l];
        r->batch_moves++;
    }
}

/* End of a day for policy 4: re-optimise, then account every order of the day. */
static void bench_day_end(struct bench *b, const struct order_gen *orders, struct bench_day *day,
                          const struct routing_settings *settings, struct policy_result *r)
{
    static struct bench_batch bb;
    size_t lines_max = day->count * LINES_MAX + 1;
    bb.orders = calloc(day->count + 1, sizeof(*bb.orders));
    bb.lines = calloc(lines_max, sizeof(*bb.lines));
    bb.parts = calloc(lines_max, sizeof(*bb.parts));
    bb.line_as = calloc(lines_max, sizeof(*bb.line_as));
    bb.product_sku = calloc(lines_max, sizeof(*bb.product_sku));
    bb.stock = calloc(lines_max * LOCS, sizeof(*bb.stock));
    struct arena arena;
    arena_init(&arena, (size_t)512 << 20);
    double t0 = bench_now();
    bench_batch_build(b, orders, day, settings, &bb);
    bench_batch_solve(b, &bb, day, &arena, r);
    r->seconds += bench_now() - t0;
    for (size_t d = 0; d < day->count; d++) {
        struct routing_line lines[LINES_MAX];
        struct routing_request req;
        bench_request(b, &orders[day->first + d], settings, lines, &req);
        bench_account(b, &req, &day->as[day->as_start[d]], day->as_start[d + 1] - day->as_start[d],
                      r);
    }
    arena_release(&arena);
    free(bb.orders);
    free(bb.lines);
    free(bb.parts);
    free(bb.line_as);
    free(bb.product_sku);
    free(bb.stock);
    day->first += day->count;
    day->count = 0;
    day->as_start[0] = 0;
}

/* One order's decision under the policy: its assignments into *as (n of them). */
static void bench_decide(const struct bench *b, const struct routing_request *req, int policy,
                         struct arena *arena, struct routing_assignment *walk,
                         const struct routing_assignment **as, size_t *n)
{
    if (policy >= 3) {
        struct routing_plan plan;
        struct err err = {0};
        arena_reset(arena);
        if (routing_plan_order(req, arena, &plan, &err) != ERR_OK) {
            fprintf(stderr, "routing failed: %s\n", err.message);
            exit(2);
        }
        *as = plan.assignments;
        *n = plan.assignments_count;
    } else {
        *as = walk;
        *n = bench_walk(b, req, policy == 2, walk);
    }
}

static size_t bench_day_orders(void)
{
    const char *env = getenv("BENCH_DAY");
    size_t day = env != NULL ? (size_t)strtoull(env, NULL, 10) : 500;
    return day > 0 ? day : 500;
}

static void bench_run(struct bench *b, const struct order_gen *orders, size_t count, int policy,
                      struct policy_result *r)
{
    memcpy(b->stock, b->initial, (size_t)SKUS * LOCS * sizeof(int64_t));
    struct arena arena;
    arena_init(&arena, (size_t)4 << 20);
    struct routing_settings settings;
    routing_settings_default(&settings);
    settings.promise_days = 4;
    struct routing_assignment walk[LINES_MAX * LOCS];
    size_t day_orders = bench_day_orders();
    struct bench_day day = {.as = calloc(day_orders * LINES_MAX * LOCS, sizeof(*day.as)),
                            .as_start = calloc(day_orders + 1, sizeof(size_t))};
    for (size_t o = 0; o < count; o++) {
        const struct order_gen *g = &orders[o];
        struct routing_line lines[LINES_MAX];
        struct routing_request req;
        bench_request(b, g, &settings, lines, &req);
        const struct routing_assignment *as = walk;
        size_t n = 0;
        double t0 = bench_now();
        bench_decide(b, &req, policy, &arena, walk, &as, &n);
        r->seconds += bench_now() - t0;
        for (size_t i = 0; i < n; i++) {
            b->stock[g->sku[as[i].line_index] * LOCS + as[i].candidate_index] -= as[i].qty;
        }
        if (policy != 4) {
            bench_account(b, &req, as, n, r);
            continue;
        }
        memcpy(&day.as[day.as_start[day.count]], as, n * sizeof(*as));
        day.as_start[day.count + 1] = day.as_start[day.count] + n;
        day.count++;
        if (day.count == day_orders || o + 1 == count) {
            bench_day_end(b, orders, &day, &settings, r);
        }
    }
    free(day.as);
    free(day.as_start);
    arena_release(&arena);
}

int main(void)
{
    const char *env = getenv("BENCH_ORDERS");
    size_t count = env != NULL ? (size_t)strtoull(env, NULL, 10) : 100000;
    if (count == 0) {
        count = 100000;
    }
    static struct bench b;
    bench_network(&b);
    bench_catalog(&b, count);
    struct order_gen *orders = calloc(count, sizeof(*orders));
    bench_orders(&b, orders, count);
    struct policy_result results[4] = {{.name = "1 fixed priority"},
                                       {.name = "2 nearest with stock"},
                                       {.name = "3 Ordo per order"},
                                       {.name = "4 Ordo per order + daily batch (CBC)"}};
    for (int p = 0; p < 4; p++) {
        bench_run(&b, orders, count, p + 1, &results[p]);
    }
    printf("routing benchmark: %zu orders, %d warehouses + %d ship-from stores, %d SKUs\n\n", count,
           WAREHOUSES, STORES, SKUS);
    printf("| policy | shipping+handling ($) | vs (2) | engine objective ($) | shipments/order "
           "| split orders | km/unit | served complete | decisions/CPU-s |\n"
           "|---|---|---|---|---|---|---|---|---|\n");
    for (int p = 0; p < 4; p++) {
        const struct policy_result *r = &results[p];
        printf("| %s | %.0f | %+.1f%% | %.0f | %.3f | %.1f%% | %.0f | %.2f%% | %.0f |\n", r->name,
               (double)r->cost / 100.0,
               100.0 * ((double)r->cost - (double)results[1].cost) / (double)results[1].cost,
               (double)r->objective / 100.0, (double)r->shipments / (double)count,
               100.0 * (double)r->split_orders / (double)count, r->km_units / (double)r->units,
               100.0 * (double)r->served / (double)count,
               r->seconds > 0 ? (double)count / r->seconds : 0.0);
    }
    printf(
        "\npolicy 4: days of %zu orders; the batch re-optimisations saved $%.0f and moved %" PRId64
        " lines\n",
        bench_day_orders(), (double)results[3].batch_saved / 100.0, results[3].batch_moves);
    free(orders);
    free(b.stock);
    free(b.initial);
    free(b.population_cdf);
    return 0;
}
