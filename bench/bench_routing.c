/*
 * bench_routing.c — `make bench-routing`: the routing engine alone (no database, no HTTP) on a
 * generated network at real US places from the embedded postal table: 10 warehouses in
 * distribution hubs, 100 ship-from stores drawn by population, 5,000 SKUs with Zipf demand and
 * stock spread mostly over warehouses, 100,000 orders of 1-5 lines whose destinations are drawn
 * by population. The orders are routed in sequence (stock depleting) under three policies:
 *   1. fixed priority: locations in a fixed order, each line from the first with stock
 *      (Magento MSI's default source selection), splitting when needed;
 *   2. nearest with stock: the same walk in order of distance (MSI's distance-based selection);
 *   3. Ordo: routing_plan_order per order, with a UPS-like rate card and default settings.
 * Every policy is priced with the same rate card and handling costs. Prints a table: total
 * shipping + handling cost, shipments per order, split share, mean km per unit, share of
 * orders served complete, decisions per second (engine only for Ordo). Deterministic (fixed
 * seed). BENCH_ORDERS overrides the order count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/geo.h"
#include "core/location.h"
#include "core/routing.h"

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
        }
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
    for (size_t o = 0; o < count; o++) {
        const struct order_gen *g = &orders[o];
        struct routing_line lines[LINES_MAX];
        for (size_t l = 0; l < g->lines; l++) {
            lines[l] =
                (struct routing_line){g->qty[l], &b->stock[g->sku[l] * LOCS], b->weight[g->sku[l]]};
        }
        struct routing_request req = {
            .candidates = b->cands,
            .candidates_count = LOCS,
            .lines = lines,
            .lines_count = g->lines,
            .has_destination = true,
            .destination_lat = geo_postal_rows[g->zip].lat,
            .destination_lon = geo_postal_rows[g->zip].lon,
            .method = FULFILLMENT_SHIP,
            .policy = SHIP_POLICY_ALLOW_SPLIT,
            .settings = &settings,
            .services = services,
            .services_count = 2,
        };
        const struct routing_assignment *as = walk;
        size_t n = 0;
        double t0 = bench_now();
        if (policy == 3) {
            struct routing_plan plan;
            struct err err = {0};
            arena_reset(&arena);
            if (routing_plan_order(&req, &arena, &plan, &err) != ERR_OK) {
                fprintf(stderr, "routing failed: %s\n", err.message);
                exit(2);
            }
            as = plan.assignments;
            n = plan.assignments_count;
        } else {
            n = bench_walk(b, &req, policy == 2, walk);
        }
        r->seconds += bench_now() - t0;
        bench_account(b, &req, as, n, r);
        for (size_t i = 0; i < n; i++) {
            b->stock[g->sku[as[i].line_index] * LOCS + as[i].candidate_index] -= as[i].qty;
        }
    }
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
    struct policy_result results[3] = {{.name = "1 fixed priority"},
                                       {.name = "2 nearest with stock"},
                                       {.name = "3 Ordo per order"}};
    for (int p = 0; p < 3; p++) {
        bench_run(&b, orders, count, p + 1, &results[p]);
    }
    printf("routing benchmark: %zu orders, %d warehouses + %d ship-from stores, %d SKUs\n\n", count,
           WAREHOUSES, STORES, SKUS);
    printf("| policy | shipping+handling ($) | vs (2) | shipments/order | split orders | km/unit "
           "| served complete | decisions/CPU-s |\n|---|---|---|---|---|---|---|---|\n");
    for (int p = 0; p < 3; p++) {
        const struct policy_result *r = &results[p];
        printf("| %s | %.0f | %+.1f%% | %.3f | %.1f%% | %.0f | %.2f%% | %.0f |\n", r->name,
               (double)r->cost / 100.0,
               100.0 * ((double)r->cost - (double)results[1].cost) / (double)results[1].cost,
               (double)r->shipments / (double)count,
               100.0 * (double)r->split_orders / (double)count, r->km_units / (double)r->units,
               100.0 * (double)r->served / (double)count,
               r->seconds > 0 ? (double)count / r->seconds : 0.0);
    }
    free(orders);
    free(b.stock);
    free(b.initial);
    free(b.population_cdf);
    return 0;
}
