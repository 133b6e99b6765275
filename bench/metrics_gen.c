/*
 * metrics_gen.c — writes the dataset of `make bench-metrics`: N orders (default 1,000,000)
 * spread evenly over D days (default 730) ending on END (default 2026-11-28), through the
 * app's use cases with a chosen clock and the group-commit writer, so that the rollups are
 * maintained exactly as they are in production (synchronous=NORMAL). GEN_THREADS threads
 * submit commands at once, as request threads do. Each day runs in phases: the day's
 * captures in parallel; the pickups in parallel; then per warehouse its waves one after the
 * other, each wave's shipments packed, shipped and delivered in parallel.
 *
 * Per day: orders on five channels from 200,000 customers, 1 to 3 lines of 200 SKUs, 8 in 100
 * for pickup in a store, 3 in 100 cancelled; in the evening each warehouse picks its pending
 * shipments in waves of up to 500. P in 100 shipments (--fulfill-percent, default 10) are
 * packed and shipped, 8 in 10 of those delivered one to three days later, and about P in 100
 * pickups collected: the writer runs about 5,000 commands a second on this machine, so taking
 * every order to the end would make the dataset take 10 minutes instead of 3 to 4; what a
 * metric costs to read depends on the rollup rows (days x channels x locations, and the
 * distinct customers per day), not on how many orders shipped.
 *
 * Usage: metrics_gen --db PATH [--orders N] [--days D] [--end YYYY-MM-DD] [--seed S]
 *                    [--fulfill-percent P]
 * Prints progress to stderr and "metrics_gen: N orders in S s (R orders/s)" at the end.
 */
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "app/app.h"
#include "lib/date.h"

#define GEN_SKUS      200
#define GEN_CUSTOMERS 200000u
#define GEN_MINUTE_MS 60000LL
#define GEN_HOUR_MS   (60 * GEN_MINUTE_MS)
#define GEN_WAVE_MAX  500
#define GEN_THREADS   64
#define GEN_DAY_MAX   20000 /* orders in one day */

static const struct principal gen_admin = {.role = ROLE_ADMIN, .key_id = "bench"};
static const char *const gen_channels[] = {"web", "marketplace", "pos", "mobile", "b2b"};
static const char *const gen_dcs[] = {"DC-EAST", "DC-WEST"};
static const char *const gen_stores[] = {"STORE-CHI", "STORE-BOS"};

/* What every thread shares. Shipment ids of pickups are filled by the capture phase. */
struct gen {
    struct app *app;
    uint64_t seed;
    int64_t first_day;
    int64_t day;              /* the day being generated */
    uint32_t fulfill_percent; /* of shipments and pickups taken through to the end */
    size_t today;             /* orders that day */
    char (*pickups)[32];
    _Atomic size_t pickups_count;
    const struct pick_list *wave; /* the wave being shipped */
    struct arena wave_arena;      /* holds it */
    _Atomic size_t failures;      /* fulfillment steps refused */
};

/* One thread's state in a phase. */
struct gen_worker {
    struct gen *g;
    size_t index; /* this thread handles items index, index + GEN_THREADS, ... */
    struct arena scratch;
    struct app_ctx ctx;
    uint64_t rng;
    void (*item)(struct gen_worker *w, size_t i);
    size_t count;
};

/* A generator of its own per item (splitmix64 of the seed, day, phase and item). */
static void gen_seed(struct gen_worker *w, uint64_t phase, size_t i)
{
    uint64_t z = w->g->seed ^ ((uint64_t)w->g->day << 32) ^ (phase << 28) ^ (uint64_t)i;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    w->rng = (z ^ (z >> 31)) | 1;
}

static uint32_t gen_rand(struct gen_worker *w)
{
    w->rng ^= w->rng << 13;
    w->rng ^= w->rng >> 7;
    w->rng ^= w->rng << 17;
    return (uint32_t)(w->rng >> 11);
}

static int64_t gen_between(struct gen_worker *w, int64_t lo, int64_t hi)
{
    return lo + (int64_t)(gen_rand(w) % (uint32_t)(hi - lo + 1));
}

static int64_t gen_ms(const struct gen *g, int64_t day, int64_t ms_of_day)
{
    return (g->first_day + day) * DATE_MS_PER_DAY + ms_of_day;
}

static void gen_ok(enum err_code code, const struct err *err, const char *what)
{
    if (code != ERR_OK) {
        fprintf(stderr, "metrics_gen: %s: %s (%s)\n", what, err->message, err->items);
        exit(1);
    }
}

/* A refused fulfillment step is counted (the first few printed), not fatal. */
static bool gen_step(struct gen_worker *w, enum err_code code, const struct err *err)
{
    if (code != ERR_OK && atomic_fetch_add(&w->g->failures, 1) < 3) {
        fprintf(stderr, "metrics_gen: refused: %s\n", err->message);
    }
    return code == ERR_OK;
}

static void *gen_thread(void *arg)
{
    struct gen_worker *w = arg;
    for (size_t i = w->index; i < w->count; i += GEN_THREADS) {
        w->item(w, i);
        arena_reset(&w->scratch);
    }
    return NULL;
}

/* Runs item(w, i) for i in [0, count) on GEN_THREADS threads. */
static void gen_parallel(struct gen_worker *workers, size_t count,
                         void (*item)(struct gen_worker *w, size_t i))
{
    pthread_t threads[GEN_THREADS];
    for (size_t t = 0; t < GEN_THREADS; t++) {
        workers[t].item = item;
        workers[t].count = count;
        if (pthread_create(&threads[t], NULL, gen_thread, &workers[t]) != 0) {
            fprintf(stderr, "metrics_gen: pthread_create failed\n");
            exit(1);
        }
    }
    for (size_t t = 0; t < GEN_THREADS; t++) {
        pthread_join(threads[t], NULL);
    }
}

/* ---- the store --------------------------------------------------------------------------- */

static void gen_location(struct app_ctx *ctx, const char *code, const char *postal, double lat,
                         double lon, unsigned caps)
{
    struct location input = {
        .code = code,
        .name = code,
        .kind = (caps & LOCATION_CAP_PICKUP) != 0 ? LOCATION_KIND_STORE : LOCATION_KIND_WAREHOUSE,
        .address = {.line1 = "1 Main St",
                    .city = "City",
                    .region = "NJ",
                    .postal_code = postal,
                    .country = "US",
                    .lat = lat,
                    .lon = lon,
                    .has_coords = true,
                    .present = true},
        .capabilities = caps,
        .capacity_per_day = 10000000,
        .handling_cost = 150,
        .priority = 10,
        .active = true,
        .cutoff_minute = 14 * 60,
        .handling_days = 1,
    };
    struct location out;
    struct err err = {0};
    gen_ok(app_location_create(ctx, &input, NULL, &out, &err), &err, code);
}

static const char *gen_sku(size_t i)
{
    static char names[GEN_SKUS][12];
    if (names[i][0] == '\0') {
        snprintf(names[i], sizeof(names[i]), "SKU-%03zu", i);
    }
    return names[i];
}

static void gen_store(struct gen_worker *w)
{
    struct app_ctx *ctx = &w->ctx;
    ctx->now_ms = gen_ms(w->g, -1, 0);
    gen_location(ctx, "DC-EAST", "07114", 40.7, -74.17, LOCATION_CAP_SHIP);
    gen_location(ctx, "DC-WEST", "90021", 34.03, -118.24, LOCATION_CAP_SHIP);
    gen_location(ctx, "STORE-CHI", "60601", 41.88, -87.62, LOCATION_CAP_PICKUP);
    gen_location(ctx, "STORE-BOS", "02116", 42.35, -71.08, LOCATION_CAP_PICKUP);
    static const char *const everywhere[] = {"DC-EAST", "DC-WEST", "STORE-CHI", "STORE-BOS"};
    for (size_t i = 0; i < GEN_SKUS; i++) {
        struct product input = {.sku = gen_sku(i),
                                .name = gen_sku(i),
                                .price = 500 + (int64_t)(i * 97 % 9000),
                                .currency = "USD",
                                .weight_grams = 300,
                                .kind = PRODUCT_KIND_SIMPLE,
                                .active = true};
        struct product out;
        struct err err = {0};
        gen_ok(app_product_create(ctx, &input, NULL, &out, &err), &err, "product");
        for (size_t l = 0; l < 4; l++) {
            struct app_stock_count count = {
                .sku = gen_sku(i), .location = everywhere[l], .on_hand = 1000000000};
            struct app_stock_view view;
            gen_ok(app_inventory_count(ctx, &count, NULL, &view, &err), &err, "stock");
        }
        arena_reset(&w->scratch);
    }
}

/* ---- a day ------------------------------------------------------------------------------- */

static void gen_fill_order(struct gen_worker *w, struct order *input, struct order_line *lines)
{
    size_t count = (size_t)gen_between(w, 1, 3);
    size_t first = gen_rand(w) % GEN_SKUS;
    for (size_t i = 0; i < count; i++) {
        lines[i] = (struct order_line){.line_no = (int)i + 1,
                                       .sku = gen_sku((first + i * 13) % GEN_SKUS),
                                       .qty = gen_between(w, 1, 3)};
    }
    bool west = gen_rand(w) % 2 == 0;
    *input = (struct order){
        .channel = gen_channels[gen_rand(w) % 5],
        .customer_email = arena_sprintf(&w->scratch, "c%u@bench.example",
                                        (unsigned)(gen_rand(w) % GEN_CUSTOMERS)),
        .currency = "USD",
        .lines = lines,
        .lines_count = count,
        .ship_policy = SHIP_POLICY_ALLOW_SPLIT,
        .payment_provider = "manual",
        .totals = {.shipping = gen_rand(w) % 2 == 0 ? 599 : 0, .tax = gen_between(w, 0, 900)},
        .method = FULFILLMENT_SHIP,
        .shipping_address = {.name = "Pat",
                             .line1 = "5 Broad St",
                             .city = west ? "Los Angeles" : "Newark",
                             .region = west ? "CA" : "NJ",
                             .postal_code = west ? "90012" : "07102",
                             .country = "US",
                             .present = true},
    };
}

static void gen_order(struct gen_worker *w, size_t i)
{
    struct gen *g = w->g;
    gen_seed(w, 1, i);
    struct order_line lines[3];
    struct order input;
    gen_fill_order(w, &input, lines);
    uint32_t fate = gen_rand(w) % 100;
    if (fate < 8) {
        input.method = FULFILLMENT_PICKUP;
        input.pickup_location = gen_stores[fate % 2];
        input.shipping_address = (struct address){0};
        input.totals.shipping = 0;
    }
    int64_t at_ms = gen_ms(
        g, g->day, 7 * GEN_HOUR_MS + (int64_t)i * (12 * GEN_HOUR_MS / (int64_t)(g->today + 1)));
    w->ctx.now_ms = at_ms;
    struct app_capture_result captured;
    struct err err = {0};
    gen_ok(app_order_capture(&w->ctx, &input, NULL, &captured, &err), &err, "capture");
    if (fate >= 8 && fate < 11) {
        struct app_cancel cancel = {.reason = "customer_request"};
        struct order after;
        w->ctx.now_ms = at_ms + 10 * GEN_MINUTE_MS;
        gen_ok(app_order_cancel(&w->ctx, captured.order.id, &cancel, NULL, &after, &err), &err,
               "cancel");
    } else if (fate < 7 && gen_rand(w) % 100 < g->fulfill_percent) {
        size_t slot = atomic_fetch_add(&g->pickups_count, 1);
        snprintf(g->pickups[slot], sizeof(g->pickups[slot]), "%s",
                 captured.order.allocations[0].shipment_id);
    }
}

static void gen_pickup(struct gen_worker *w, size_t i)
{
    const char *id = w->g->pickups[i];
    struct app_shipment_view view;
    struct err err = {0};
    w->ctx.now_ms = gen_ms(w->g, w->g->day, 18 * GEN_HOUR_MS + (int64_t)i * 1000);
    if (gen_step(w, app_shipment_ready(&w->ctx, id, NULL, &view, &err), &err)) {
        w->ctx.now_ms += GEN_HOUR_MS;
        const char *code = view.shipment.pickup_code;
        (void)gen_step(w, app_shipment_pickup(&w->ctx, id, code, NULL, &view, &err), &err);
    }
}

/* True when lines[i]'s shipment is on an earlier line (a wave's lines are in bin order). */
static bool gen_seen(const struct pick_list *list, size_t i)
{
    for (size_t k = 0; k < i; k++) {
        if (strcmp(list->lines[k].shipment_id, list->lines[i].shipment_id) == 0) {
            return true;
        }
    }
    return false;
}

/* Packs and ships 9 in 10 shipments of the wave; delivers 8 in 10 of those later. */
static void gen_ship(struct gen_worker *w, size_t i)
{
    const struct pick_list *wave = w->g->wave;
    gen_seed(w, 2, i);
    if (gen_seen(wave, i) || gen_rand(w) % 100 >= w->g->fulfill_percent) {
        return;
    }
    const char *id = wave->lines[i].shipment_id;
    int64_t weights[1] = {900};
    struct app_packages packages = {.weights_grams = weights, .count = 1};
    struct app_shipment_view view;
    struct err err = {0};
    w->ctx.now_ms = wave->completed_at_ms + 30 * GEN_MINUTE_MS + (int64_t)i * 100;
    if (!gen_step(w, app_shipment_pack(&w->ctx, id, &packages, NULL, &view, &err), &err)) {
        return;
    }
    struct app_ship ship = {
        .carrier = "UPS", .tracking_number = "1Z999", .cost = gen_between(w, 300, 1500)};
    if (!gen_step(w, app_shipment_ship(&w->ctx, id, &ship, NULL, &view, &err), &err)) {
        return;
    }
    if (gen_rand(w) % 10 < 8) {
        w->ctx.now_ms = gen_ms(w->g, w->g->day + gen_between(w, 1, 3), 10 * GEN_HOUR_MS);
        (void)gen_step(w, app_shipment_deliver(&w->ctx, id, NULL, &view, &err), &err);
    }
}

/* One wave at a DC; false when nothing was pending. */
static bool gen_wave(struct gen_worker *workers, const char *location, int64_t k)
{
    struct gen *g = workers[0].g;
    struct app_ctx ctx = workers[0].ctx;
    ctx.arena = &g->wave_arena;
    struct app_pick_list_input input = {.location = location, .max_shipments = GEN_WAVE_MAX};
    struct pick_list list;
    struct err err = {0};
    ctx.now_ms = gen_ms(g, g->day, 20 * GEN_HOUR_MS + k * 5 * GEN_MINUTE_MS);
    enum err_code code = app_pick_list_create(&ctx, &input, NULL, &list, &err);
    if (code == ERR_STATE) {
        arena_reset(&g->wave_arena);
        return false;
    }
    gen_ok(code, &err, "pick list");
    struct app_pick_complete complete = {0};
    struct pick_list done;
    ctx.now_ms += (20 + k % 30) * GEN_MINUTE_MS;
    gen_ok(app_pick_list_complete(&ctx, list.id, &complete, NULL, &done, &err), &err,
           "pick list complete");
    g->wave = &done;
    gen_parallel(workers, done.lines_count, gen_ship);
    arena_reset(&g->wave_arena);
    return true;
}

static void gen_day(struct gen_worker *workers)
{
    struct gen *g = workers[0].g;
    atomic_store(&g->pickups_count, 0);
    gen_parallel(workers, g->today, gen_order);
    gen_parallel(workers, atomic_load(&g->pickups_count), gen_pickup);
    for (size_t dc = 0; dc < 2; dc++) {
        for (int64_t k = 0; k < 200 && gen_wave(workers, gen_dcs[dc], k); k++) {
        }
    }
}

static double gen_seconds(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) + (double)(now.tv_nsec - start->tv_nsec) / 1e9;
}

static void gen_days(struct gen_worker *workers, size_t orders, int64_t days)
{
    struct gen *g = workers[0].g;
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    size_t done = 0, next_report = 100000;
    for (int64_t day = 0; day < days; day++) {
        g->day = day;
        g->today = orders / (size_t)days + ((size_t)day < orders % (size_t)days ? 1 : 0);
        gen_day(workers);
        done += g->today;
        if (done >= next_report) {
            fprintf(stderr, "metrics_gen: %zu orders, day %" PRId64 " of %" PRId64 ", %.0f s\n",
                    done, day + 1, days, gen_seconds(&start));
            next_report += 100000;
        }
    }
    double s = gen_seconds(&start);
    printf("metrics_gen: %zu orders in %.1f s (%.0f orders/s), %zu fulfillment steps refused\n",
           done, s, (double)done / s, atomic_load(&g->failures));
}

struct gen_args {
    const char *db;
    const char *end;
    size_t orders;
    int64_t days;
    uint64_t seed;
    uint32_t fulfill_percent;
};

static bool gen_parse(int argc, char **argv, struct gen_args *a)
{
    *a = (struct gen_args){
        .end = "2026-11-28", .orders = 1000000, .days = 730, .seed = 42, .fulfill_percent = 10};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--db") == 0) {
            a->db = argv[i + 1];
        } else if (strcmp(argv[i], "--orders") == 0) {
            a->orders = strtoul(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--days") == 0) {
            a->days = strtoll(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--end") == 0) {
            a->end = argv[i + 1];
        } else if (strcmp(argv[i], "--seed") == 0) {
            a->seed = strtoull(argv[i + 1], NULL, 10);
        } else if (strcmp(argv[i], "--fulfill-percent") == 0) {
            a->fulfill_percent = (uint32_t)strtoul(argv[i + 1], NULL, 10);
        } else {
            return false;
        }
    }
    return a->db != NULL && a->days >= 1 && a->orders / (size_t)a->days < GEN_DAY_MAX;
}

int main(int argc, char **argv)
{
    struct gen_args a;
    int64_t end_day = 0;
    if (!gen_parse(argc, argv, &a) || date_parse_day(a.end, &end_day) != ERR_OK) {
        fprintf(stderr, "usage: metrics_gen --db PATH [--orders N] [--days D] "
                        "[--end YYYY-MM-DD] [--seed S] [--fulfill-percent P]\n");
        return 2;
    }
    static struct gen g;
    static struct gen_worker workers[GEN_THREADS];
    g.seed = a.seed;
    g.fulfill_percent = a.fulfill_percent;
    g.first_day = end_day - a.days + 1;
    g.pickups = calloc(GEN_DAY_MAX, sizeof(*g.pickups));
    struct app_options options = {.db_path = a.db};
    struct err err = {0};
    gen_ok(app_open(&options, &g.app, &err), &err, "open");
    arena_init(&g.wave_arena, (size_t)32 * 1024 * 1024);
    for (size_t t = 0; t < GEN_THREADS; t++) {
        workers[t] = (struct gen_worker){.g = &g, .index = t};
        arena_init(&workers[t].scratch, (size_t)4 * 1024 * 1024);
        workers[t].ctx =
            (struct app_ctx){.app = g.app, .principal = &gen_admin, .arena = &workers[t].scratch};
    }
    gen_store(&workers[0]);
    gen_days(workers, a.orders, a.days);
    app_close(g.app);
    for (size_t t = 0; t < GEN_THREADS; t++) {
        arena_release(&workers[t].scratch);
    }
    arena_release(&g.wave_arena);
    free(g.pickups);
    return 0;
}
