/*
 * test_demo.c — goal: `ordo demo`'s seed (app_demo_seed) builds the store it promises, every
 * order succeeds, the ledger invariants hold afterwards, and the same seed gives the same
 * store. Method: seed temporary SQLite databases through the app (no writer thread, fixed
 * clock), read everything back through the app's read functions and compare fingerprints.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/app.h"
#include "core/geo.h"
#include "lib/buf.h"

#define NOW_MS 1795910400000LL /* 2026-11-28T00:00:00Z */

static const struct principal admin = {.role = ROLE_ADMIN, .key_id = "test"};

struct seeded {
    char dir[64];
    char path[128];
    struct app *app;
    struct arena arena;
    struct app_ctx ctx;
};

static void seed(struct seeded *s, uint64_t seed_value, size_t orders_count)
{
    snprintf(s->dir, sizeof(s->dir), "/tmp/ordo-demo-XXXXXX");
    cr_assert_not_null(mkdtemp(s->dir));
    snprintf(s->path, sizeof(s->path), "%s/demo.db", s->dir);
    struct app_options options = {.db_path = s->path, .no_writer = true};
    struct err err = {0};
    cr_assert_eq(app_open(&options, &s->app, &err), ERR_OK, "app_open: %s", err.message);
    arena_init(&s->arena, (size_t)64 * 1024 * 1024);
    s->ctx =
        (struct app_ctx){.app = s->app, .principal = &admin, .arena = &s->arena, .now_ms = NOW_MS};
    cr_assert_eq(app_demo_seed(&s->ctx, seed_value, orders_count, &err), ERR_OK,
                 "app_demo_seed: %s (%s)", err.message, err.items);
}

static void unseed(struct seeded *s)
{
    app_close(s->app);
    arena_release(&s->arena);
    char path[160];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < 3; i++) {
        snprintf(path, sizeof(path), "%s%s", s->path, suffixes[i]);
        unlink(path);
    }
    rmdir(s->dir);
}

/* Every order, newest first: everything a seed decides (not ids, which are random). */
static void fingerprint(struct seeded *s, struct buf *out, size_t *orders_total)
{
    struct order_filter filter = {.limit = 500};
    *orders_total = 0;
    for (int page = 0; page < 100; page++) {
        struct order *orders = NULL;
        size_t count = 0;
        const char *next = NULL;
        struct err err = {0};
        cr_assert_eq(app_order_list(&s->ctx, &filter, &orders, &count, &next, &err), ERR_OK,
                     "app_order_list: %s", err.message);
        for (size_t i = 0; i < count; i++) {
            const struct order *o = &orders[i];
            cr_assert_eq(buf_appendf(out, "%s %s %s %s %" PRId64 " %" PRId64 " %s|", o->external_id,
                                     o->customer_email, order_status_name(o->status),
                                     fulfillment_method_name(o->method), o->totals.total,
                                     o->created_at_ms,
                                     o->shipping_address.postal_code != NULL
                                         ? o->shipping_address.postal_code
                                         : "-"),
                         ERR_OK);
            for (size_t l = 0; l < o->lines_count; l++) {
                cr_assert_eq(buf_appendf(out, " %s*%" PRId64, o->lines[l].sku, o->lines[l].qty),
                             ERR_OK);
            }
            cr_assert_eq(buf_appends(out, "\n"), ERR_OK);
        }
        *orders_total += count;
        if (next == NULL) {
            return;
        }
        filter.before_id = next;
    }
    cr_assert_fail("too many pages");
}

Test(demo, same_seed_same_store_other_seed_other_store)
{
    struct seeded a, b, c;
    seed(&a, 7, 120);
    seed(&b, 7, 120);
    seed(&c, 8, 120);
    struct buf fa, fb, fc;
    buf_init(&fa, 1 << 22);
    buf_init(&fb, 1 << 22);
    buf_init(&fc, 1 << 22);
    size_t na = 0, nb = 0, nc = 0;
    fingerprint(&a, &fa, &na);
    fingerprint(&b, &fb, &nb);
    fingerprint(&c, &fc, &nc);
    cr_assert_eq(na, 120);
    cr_assert_eq(nb, 120);
    cr_assert_eq(nc, 120);
    cr_assert_str_eq(fa.ptr, fb.ptr);
    cr_assert_str_neq(fa.ptr, fc.ptr);
    buf_release(&fa);
    buf_release(&fb);
    buf_release(&fc);
    unseed(&a);
    unseed(&b);
    unseed(&c);
}

Test(demo, store_is_complete_and_consistent)
{
    struct seeded s;
    seed(&s, 42, 400);
    struct err err = {0};

    struct location *locations = NULL;
    size_t locations_count = 0;
    cr_assert_eq(app_location_list(&s.ctx, &locations, &locations_count, &err), ERR_OK);
    cr_assert_eq(locations_count, 5);

    struct product *products = NULL;
    size_t products_count = 0;
    struct app_page page = {.limit = 500};
    cr_assert_eq(app_product_list(&s.ctx, &page, &products, &products_count, &err), ERR_OK);
    cr_assert_eq(products_count, 50);
    size_t kits = 0, dropship = 0;
    for (size_t i = 0; i < products_count; i++) {
        kits += products[i].kind == PRODUCT_KIND_KIT;
        dropship += products[i].dropship_supplier != NULL;
    }
    cr_assert_geq(kits, 4);
    cr_assert_eq(dropship, 3);

    struct buf report;
    buf_init(&report, 1 << 20);
    bool ok = false;
    cr_assert_eq(app_check(&s.ctx, &report, &ok, &err), ERR_OK, "app_check: %s", err.message);
    cr_assert(ok, "app_check found problems:\n%s", report.ptr);
    buf_release(&report);

    struct order_filter filter = {.limit = 500};
    struct order *orders = NULL;
    size_t count = 0;
    const char *next = NULL;
    cr_assert_eq(app_order_list(&s.ctx, &filter, &orders, &count, &next, &err), ERR_OK);
    cr_assert_eq(count, 400);
    size_t by_status[ORDER_STATUS_COUNT] = {0};
    size_t pickups = 0;
    for (size_t i = 0; i < count; i++) {
        const struct order *o = &orders[i];
        by_status[o->status]++;
        cr_assert(o->created_at_ms < NOW_MS && o->created_at_ms >= NOW_MS - 60 * 86400000LL);
        cr_assert(order_totals_are_consistent(o));
        if (o->method == FULFILLMENT_PICKUP) {
            pickups++;
            continue;
        }
        const struct address *to = &o->shipping_address;
        cr_assert_eq(strlen(to->postal_code), 5);
        const struct geo_postal *row =
            geo_postal_find(geo_postal_rows, geo_postal_rows_count, to->postal_code);
        cr_assert_not_null(row, "postal code %s is not in the table", to->postal_code);
        cr_assert_gt(row->population, 0);
        cr_assert_str_eq(to->city, row->city);
        cr_assert(o->totals.tax * 100 >= o->totals.subtotal * 6 - 100 &&
                  o->totals.tax * 100 <= o->totals.subtotal * 8 + 100);
    }
    cr_assert_gt(pickups, 0);
    cr_assert_gt(by_status[ORDER_STATUS_CANCELLED], 0);
    cr_assert_gt(by_status[ORDER_STATUS_ON_HOLD], 0);
    cr_assert_eq(by_status[ORDER_STATUS_ALLOCATED] + by_status[ORDER_STATUS_CANCELLED] +
                     by_status[ORDER_STATUS_ON_HOLD],
                 400);
    unseed(&s);
}
