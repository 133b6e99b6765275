/*
 * test_store_sqlite.c — goal: the SQLite backend keeps every promise of store.h (errors by
 * kind, optimistic versions, the conditional stock update, cursors, savepoints, WAL readers).
 * Method: each test opens a fresh database file in its own mkdtemp directory under /tmp,
 * migrates it, drives the store functions directly and reads the results back. With
 * ORDO_TEST_PG_URL set (scripts/run-tests.sh does, on a throwaway cluster) the same tests run
 * on the PostgreSQL backend, each on a fresh database (tests/support/server.c makes it).
 */
#include <criterion/criterion.h>

#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sqlite3.h>

#include "lib/arena.h"
#include "lib/err.h"
#include "store/migration.h"
#include "store/store.h"
#include "support/server.h"

#define NOW_MS 1700000000000LL

static char dir_path[64];
static char db_path[256];
static struct store *store;
static struct store_conn *writer;
static struct arena arena;
static struct err err;
static struct test_server pg_db;    /* with ORDO_TEST_PG_URL: the test's database */
static struct test_server pg_fresh; /* and a second, never migrated one */

static void store_open_at(int readers_max)
{
    struct store_options options = {
        .path = db_path, .synchronous_full = true, .readers_max = readers_max};
    cr_assert_eq(store_open(&options, &store, &err), ERR_OK, "%s", err.message);
    writer = store_writer_conn(store);
}

static void setup(void)
{
    snprintf(dir_path, sizeof(dir_path), "/tmp/ordo-store-XXXXXX");
    cr_assert_not_null(mkdtemp(dir_path));
    snprintf(db_path, sizeof(db_path), "%s/test.db", dir_path);
    if (test_server_is_pg()) {
        cr_assert(test_server_init(&pg_db), "%s", pg_db.error);
        snprintf(db_path, sizeof(db_path), "%s", pg_db.db_path);
    }
    arena_init(&arena, 64 * 1024 * 1024);
    err_clear(&err);
    store_open_at(2);
    cr_assert_eq(store_migrate(store, NOW_MS, &err), ERR_OK, "%s", err.message);
}

static void teardown(void)
{
    store_close(store);
    store = NULL;
    arena_release(&arena);
    if (pg_db.dir[0] != '\0') {
        test_server_cleanup(&pg_db); /* drops the database */
    }
    if (pg_fresh.dir[0] != '\0') {
        test_server_cleanup(&pg_fresh);
    }
    char path[160];
    const char *names[] = {"test.db", "fresh.db"};
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t n = 0; n < ARRAY_LEN(names); n++) {
        for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
            snprintf(path, sizeof(path), "%s/%s%s", dir_path, names[n], suffixes[i]);
            unlink(path);
        }
    }
    cr_assert_eq(rmdir(dir_path), 0, "the test left files in %s", dir_path);
}

TestSuite(store, .init = setup, .fini = teardown);

/* ---- builders ------------------------------------------------------------------------------ */

static struct location make_location(const char *code)
{
    struct location location = {
        .code = code,
        .name = "Newark DC",
        .kind = LOCATION_KIND_WAREHOUSE,
        .address = {.line1 = "1 Port St",
                    .city = "Newark",
                    .region = "NJ",
                    .postal_code = "07114",
                    .country = "US",
                    .lat = 40.7,
                    .lon = -74.17,
                    .has_coords = true,
                    .present = true},
        .capabilities = LOCATION_CAP_SHIP | LOCATION_CAP_RETURN,
        .capacity_per_day = 5000,
        .handling_cost = 150,
        .priority = 10,
        .active = true,
        .cutoff_minute = 840,
        .handling_days = 1,
        .created_at_ms = NOW_MS,
        .updated_at_ms = NOW_MS,
    };
    return location;
}

static int64_t add_location(const char *code)
{
    struct location location = make_location(code);
    cr_assert_eq(store_location_insert(writer, &location, &err), ERR_OK, "%s", err.message);
    return location.row_id;
}

static struct product make_product(const char *sku)
{
    struct product product = {.sku = sku,
                              .name = "T-shirt",
                              .price = 1999,
                              .currency = "USD",
                              .weight_grams = 180,
                              .kind = PRODUCT_KIND_SIMPLE,
                              .active = true,
                              .created_at_ms = NOW_MS,
                              .updated_at_ms = NOW_MS};
    return product;
}

static int64_t add_product(const char *sku)
{
    struct product product = make_product(sku);
    cr_assert_eq(store_product_insert(writer, &product, &err), ERR_OK, "%s", err.message);
    return product.row_id;
}

static struct customer make_customer(const char *id, const char *email)
{
    struct customer customer = {.id = id,
                                .email = email,
                                .name = "Ana Diaz",
                                .type = CUSTOMER_TYPE_CONSUMER,
                                .created_at_ms = NOW_MS,
                                .updated_at_ms = NOW_MS};
    return customer;
}

/* An order of two lines (qty 2 and 1) with one allocation per line at location_row_id. */
static struct order make_order(const char *id, const char *number, int64_t product_row_id,
                               int64_t location_row_id)
{
    struct order_line *lines = ARENA_NEW_ARRAY(&arena, struct order_line, 2);
    struct allocation *allocations = ARENA_NEW_ARRAY(&arena, struct allocation, 2);
    cr_assert(lines != NULL && allocations != NULL);
    for (int i = 0; i < 2; i++) {
        lines[i] = (struct order_line){.id = arena_sprintf(&arena, "lin_%s_%d", id, i + 1),
                                       .line_no = i + 1,
                                       .product_row_id = product_row_id,
                                       .sku = "SKU-1",
                                       .name = "T-shirt",
                                       .qty = 2 - i,
                                       .unit_price = 1000,
                                       .weight_grams = 100,
                                       .qty_allocated = 2 - i};
        allocations[i] = (struct allocation){.id = arena_sprintf(&arena, "alc_%s_%d", id, i + 1),
                                             .line_id = lines[i].id,
                                             .line_no = i + 1,
                                             .sku = "SKU-1",
                                             .location_row_id = location_row_id,
                                             .qty = 2 - i,
                                             .distance_km = i == 0 ? 12.5 : -1.0,
                                             .created_at_ms = NOW_MS};
    }
    lines[1].customization_json = "{\"engraving\":\"ANA\"}";
    struct order order = {.id = id,
                          .number = number,
                          .status = ORDER_STATUS_ALLOCATED,
                          .channel = "web",
                          .customer_email = "ana@example.com",
                          .customer_name = "Ana Diaz",
                          .customer_type = CUSTOMER_TYPE_CONSUMER,
                          .currency = "USD",
                          .lines = lines,
                          .lines_count = 2,
                          .allocations = allocations,
                          .allocations_count = 2,
                          .shipping_address = {.name = "Ana",
                                               .line1 = "5 Elm St",
                                               .city = "Boston",
                                               .region = "MA",
                                               .postal_code = "02118",
                                               .country = "US",
                                               .present = true},
                          .method = FULFILLMENT_SHIP,
                          .ship_policy = SHIP_POLICY_ALLOW_SPLIT,
                          .payment_provider = "manual",
                          .totals = {.subtotal = 3000, .shipping = 500, .tax = 320, .total = 3820},
                          .promised_ship_by_ms = NOW_MS + 86400000,
                          .version = 1,
                          .created_at_ms = NOW_MS,
                          .updated_at_ms = NOW_MS,
                          .allocated_at_ms = NOW_MS};
    return order;
}

/* ---- migrations -------------------------------------------------------------------------- */

Test(store, migrate_is_idempotent_and_listed)
{
    cr_assert_eq(store_migrate(store, NOW_MS + 5, &err), ERR_OK, "%s", err.message);
    struct store_migration *migrations = NULL;
    size_t count = 0;
    cr_assert_eq(store_migrations(store, &arena, &migrations, &count, &err), ERR_OK);
    cr_assert_geq(count, 1);
    cr_assert_eq(migrations[0].version, 1);
    cr_assert_str_eq(migrations[0].name, "init");
    cr_assert(migrations[0].applied);
    cr_assert_eq(migrations[0].applied_at_ms, NOW_MS); /* the first run applied it */

    /* Reopening and migrating again changes nothing. */
    store_close(store);
    store_open_at(2);
    cr_assert_eq(store_migrate(store, NOW_MS + 10, &err), ERR_OK, "%s", err.message);
    struct channel *channels = NULL;
    cr_assert_eq(store_channel_list(writer, &arena, &channels, &count, &err), ERR_OK);
    cr_assert_eq(count, 6);
}

Test(store, migrations_listed_unapplied_on_a_new_file)
{
    store_close(store);
    snprintf(db_path, sizeof(db_path), "%s/fresh.db", dir_path);
    if (test_server_is_pg()) {
        cr_assert(test_server_init(&pg_fresh), "%s", pg_fresh.error);
        snprintf(db_path, sizeof(db_path), "%s", pg_fresh.db_path);
    }
    store_open_at(1);
    struct store_migration *migrations = NULL;
    size_t count = 0;
    cr_assert_eq(store_migrations(store, &arena, &migrations, &count, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_geq(count, 1);
    cr_assert_not(migrations[0].applied);
    cr_assert_eq(store_migrate(store, NOW_MS, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_migrations(store, &arena, &migrations, &count, &err), ERR_OK);
    cr_assert(migrations[0].applied);
}

/* migration_now_ms() as the store defines it for its migrations, at a fixed time. */
static void fixed_now_ms(sqlite3_context *context, int argc, sqlite3_value **argv)
{
    (void)argc;
    (void)argv;
    sqlite3_result_int64(context, NOW_MS);
}

static void exec_ok(sqlite3 *db, const char *sql)
{
    char *message = NULL;
    int rc = sqlite3_exec(db, sql, NULL, NULL, &message);
    cr_assert_eq(rc, SQLITE_OK, "%s: %s", sql, message != NULL ? message : "");
}

static int exec_rc(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Migration 017 rebuilds payment_transactions: its rows keep their rowids (the order of
 * recording), every column and both indexes; kind and status are still checked; and a row
 * written no longer builds a temporary index per IN list. */
Test(store, migration_017_keeps_payments_and_their_order)
{
    if (test_server_is_pg()) {
        return;
    }
    char path[128];
    snprintf(path, sizeof(path), "%s/m017.db", dir_path);
    sqlite3 *db = NULL;
    cr_assert_eq(sqlite3_open(path, &db), SQLITE_OK);
    cr_assert_eq(sqlite3_create_function(db, "migration_now_ms", 0, SQLITE_UTF8, NULL, fixed_now_ms,
                                         NULL, NULL),
                 SQLITE_OK);
    const struct store_migration_source *m017 = NULL;
    for (size_t i = 0; i < sqlite_migration_sources_count; i++) {
        const struct store_migration_source *m = &sqlite_migration_sources[i];
        if (m->version == 17) {
            m017 = m;
            break;
        }
        exec_ok(db, m->sql);
    }
    cr_assert_not_null(m017);
    exec_ok(db, "INSERT INTO payment_transactions (id, order_id, kind, amount, currency, status,"
                " provider, provider_ref, shipment_id, return_id, error, created_at, updated_at,"
                " payment_method) VALUES"
                " ('pay_b', 'ord_1', 'authorize', 500, 'USD', 'succeeded', 'stripe', 'pi_1',"
                "  NULL, NULL, NULL, 1, 2, 'pm_1'),"
                " ('pay_a', 'ord_1', 'capture', 300, 'USD', 'pending', 'stripe', NULL, 'shp_1',"
                "  NULL, NULL, 3, 4, NULL),"
                " ('pay_c', 'ord_2', 'refund', 100, 'EUR', 'failed', 'sandbox', 'r_1', NULL,"
                "  'ret_1', 'card_declined', 5, 6, NULL)");
    exec_ok(db, m017->sql);

    sqlite3_stmt *stmt = NULL;
    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT rowid || ':' || id || ':' || order_id || ':' || kind"
                                    " || ':' || amount || ':' || currency || ':' || status || ':'"
                                    " || provider || ':' || coalesce(provider_ref, '-') || ':' ||"
                                    " coalesce(shipment_id, '-') || ':' || coalesce(return_id,"
                                    " '-') || ':' || coalesce(error, '-') || ':' || created_at"
                                    " || ':' || updated_at || ':' || coalesce(payment_method, '-')"
                                    " FROM payment_transactions ORDER BY rowid",
                                    -1, &stmt, NULL),
                 SQLITE_OK);
    static const char *const expected[] = {
        "1:pay_b:ord_1:authorize:500:USD:succeeded:stripe:pi_1:-:-:-:1:2:pm_1",
        "2:pay_a:ord_1:capture:300:USD:pending:stripe:-:shp_1:-:-:3:4:-",
        "3:pay_c:ord_2:refund:100:EUR:failed:sandbox:r_1:-:ret_1:card_declined:5:6:-",
    };
    for (size_t i = 0; i < ARRAY_LEN(expected); i++) {
        cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
        cr_expect_str_eq((const char *)sqlite3_column_text(stmt, 0), expected[i]);
    }
    cr_expect_eq(sqlite3_step(stmt), SQLITE_DONE);
    sqlite3_finalize(stmt);

    cr_assert_eq(sqlite3_prepare_v2(db,
                                    "SELECT group_concat(name, ',') FROM (SELECT name FROM"
                                    " sqlite_master WHERE tbl_name = 'payment_transactions' AND"
                                    " type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name)",
                                    -1, &stmt, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
    cr_expect_str_eq((const char *)sqlite3_column_text(stmt, 0),
                     "payment_transactions_by_order,payment_transactions_pending");
    sqlite3_finalize(stmt);

#define PAYMENT_INSERT                                                                             \
    "INSERT INTO payment_transactions (id, order_id, kind, amount, currency, status,"              \
    " provider, created_at, updated_at) VALUES ('pay_%s', 'ord_3', '%s', 1, 'USD', '%s',"          \
    " 'manual', 7, 7)"
    char sql[512];
    snprintf(sql, sizeof(sql), PAYMENT_INSERT, "x", "charge", "succeeded");
    cr_expect_eq(exec_rc(db, sql), SQLITE_CONSTRAINT, "kind 'charge' is refused");
    snprintf(sql, sizeof(sql), PAYMENT_INSERT, "y", "void", "done");
    cr_expect_eq(exec_rc(db, sql), SQLITE_CONSTRAINT, "status 'done' is refused");
    snprintf(sql, sizeof(sql), PAYMENT_INSERT, "z", "void", "succeeded");
    exec_ok(db, sql);

    snprintf(sql, sizeof(sql), "EXPLAIN " PAYMENT_INSERT, "w", "capture", "pending");
    cr_assert_eq(sqlite3_prepare_v2(db, sql, -1, &stmt, NULL), SQLITE_OK);
    int ephemeral = 0;
    while (sqlite3_step(stmt) == SQLITE_ROW) {
        ephemeral += strcmp((const char *)sqlite3_column_text(stmt, 1), "OpenEphemeral") == 0;
    }
    sqlite3_finalize(stmt);
    cr_expect_eq(ephemeral, 0, "a payment written builds no temporary index");
    sqlite3_close(db);
    cr_assert_eq(unlink(path), 0);
#undef PAYMENT_INSERT
}

/* ---- channels ---------------------------------------------------------------------------- */

Test(store, channels_default_insert_get_conflict)
{
    struct channel *channels = NULL;
    size_t count = 0;
    cr_assert_eq(store_channel_list(writer, &arena, &channels, &count, &err), ERR_OK);
    cr_assert_eq(count, 6);
    cr_assert_str_eq(channels[0].code, "b2b"); /* ordered by code */
    cr_assert_str_eq(channels[5].code, "web");
    cr_assert_str_eq(channels[5].name, "Web");
    cr_assert_eq(channels[5].created_at_ms, NOW_MS);

    struct channel amazon = {
        .code = "amazon-us", .kind = "marketplace", .name = "Amazon US", .created_at_ms = NOW_MS};
    cr_assert_eq(store_channel_insert(writer, &amazon, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_channel_insert(writer, &amazon, &err), ERR_CONFLICT);
    struct channel got;
    cr_assert_eq(store_channel_get(writer, &arena, "amazon-us", &got, &err), ERR_OK);
    cr_assert_str_eq(got.name, "Amazon US");
    cr_assert_str_eq(got.kind, "marketplace");
    cr_assert_eq(store_channel_get(writer, &arena, "nope", &got, &err), ERR_NOT_FOUND);
}

/* ---- locations --------------------------------------------------------------------------- */

Test(store, location_insert_get_update_list)
{
    struct location location = make_location("DC-EAST");
    cr_assert_eq(store_location_insert(writer, &location, &err), ERR_OK, "%s", err.message);
    cr_assert_gt(location.row_id, 0);
    cr_assert_eq(location.version, 1);
    struct location dup = make_location("DC-EAST");
    cr_assert_eq(store_location_insert(writer, &dup, &err), ERR_CONFLICT);

    struct location got;
    cr_assert_eq(store_location_get(writer, &arena, "DC-EAST", &got, &err), ERR_OK);
    cr_assert_eq(got.row_id, location.row_id);
    cr_assert_eq(got.kind, LOCATION_KIND_WAREHOUSE);
    cr_assert_str_eq(got.address.city, "Newark");
    cr_assert_null(got.address.line2);
    cr_assert(got.address.present && got.address.has_coords);
    cr_assert_float_eq(got.address.lon, -74.17, 1e-9);
    cr_assert_eq(got.capabilities, LOCATION_CAP_SHIP | LOCATION_CAP_RETURN);
    cr_assert_eq(got.capacity_per_day, 5000);
    cr_assert_eq(got.cutoff_minute, 840);
    cr_assert(got.active);

    got.active = false;
    got.address.has_coords = false;
    got.updated_at_ms = NOW_MS + 1;
    cr_assert_eq(store_location_update(writer, &got, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_location_update(writer, &got, 1, &err), ERR_PRECONDITION);
    got.row_id = 999;
    cr_assert_eq(store_location_update(writer, &got, 2, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_location_get(writer, &arena, "DC-EAST", &got, &err), ERR_OK);
    cr_assert_eq(got.version, 2);
    cr_assert_not(got.active);
    cr_assert_not(got.address.has_coords);
    cr_assert_eq(got.updated_at_ms, NOW_MS + 1);

    add_location("AAA");
    struct location *list = NULL;
    size_t count = 0;
    cr_assert_eq(store_location_list(writer, &arena, &list, &count, &err), ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(list[0].code, "AAA");
    cr_assert_eq(store_location_get(writer, &arena, "nope", &got, &err), ERR_NOT_FOUND);
}

/* ---- products ---------------------------------------------------------------------------- */

Test(store, product_simple_and_kit)
{
    int64_t shirt = add_product("SHIRT");
    int64_t mug = add_product("MUG");
    struct product dup = make_product("SHIRT");
    cr_assert_eq(store_product_insert(writer, &dup, &err), ERR_CONFLICT);

    struct kit_component components[] = {{.product_row_id = shirt, .qty = 2},
                                         {.product_row_id = mug, .qty = 1}};
    struct product kit = make_product("GIFT-BOX");
    kit.kind = PRODUCT_KIND_KIT;
    kit.components = components;
    kit.components_count = 2;
    kit.dropship_supplier = "SUP-ACME";
    cr_assert_eq(store_product_insert(writer, &kit, &err), ERR_OK, "%s", err.message);

    struct product got;
    cr_assert_eq(store_product_get(writer, &arena, "GIFT-BOX", &got, &err), ERR_OK);
    cr_assert_eq(got.kind, PRODUCT_KIND_KIT);
    cr_assert_eq(got.components_count, 2);
    cr_assert_str_eq(got.components[0].sku, "SHIRT"); /* in the order given */
    cr_assert_eq(got.components[0].qty, 2);
    cr_assert_str_eq(got.components[1].sku, "MUG");
    cr_assert_str_eq(got.dropship_supplier, "SUP-ACME");
    cr_assert_null(got.bin_location);
    cr_assert_eq(store_product_get_by_row(writer, &arena, shirt, &got, &err), ERR_OK);
    cr_assert_str_eq(got.sku, "SHIRT");
    cr_assert_eq(got.components_count, 0);
    cr_assert_eq(store_product_get(writer, &arena, "NOPE", &got, &err), ERR_NOT_FOUND);

    int64_t *kits = NULL;
    size_t count = 0;
    cr_assert_eq(store_product_kits_using(writer, &arena, mug, &kits, &count, &err), ERR_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(kits[0], kit.row_id);

    /* Update replaces the components; a stale version is refused. */
    kit.components_count = 1;
    kit.components = &components[1];
    kit.price = 5999;
    cr_assert_eq(store_product_update(writer, &kit, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_product_update(writer, &kit, 1, &err), ERR_PRECONDITION);
    cr_assert_eq(store_product_get(writer, &arena, "GIFT-BOX", &got, &err), ERR_OK);
    cr_assert_eq(got.version, 2);
    cr_assert_eq(got.price, 5999);
    cr_assert_eq(got.components_count, 1);
    cr_assert_eq(store_product_kits_using(writer, &arena, shirt, &kits, &count, &err), ERR_OK);
    cr_assert_eq(count, 0);
}

Test(store, product_list_pages_by_sku)
{
    const char *skus[] = {"D", "B", "E", "A", "C"};
    for (size_t i = 0; i < 5; i++) {
        add_product(skus[i]);
    }
    struct product *page = NULL;
    size_t count = 0;
    cr_assert_eq(store_product_list(writer, &arena, NULL, 2, &page, &count, &err), ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(page[0].sku, "A");
    cr_assert_str_eq(page[1].sku, "B");
    cr_assert_eq(store_product_list(writer, &arena, "B", 10, &page, &count, &err), ERR_OK);
    cr_assert_eq(count, 3);
    cr_assert_str_eq(page[0].sku, "C");
    cr_assert_str_eq(page[2].sku, "E");
    cr_assert_eq(store_product_list(writer, &arena, "E", 10, &page, &count, &err), ERR_OK);
    cr_assert_eq(count, 0);
}

/* ---- customers --------------------------------------------------------------------------- */

Test(store, customer_insert_get_update)
{
    struct customer customer = make_customer("cus_1", "Ana@Example.COM");
    customer.type = CUSTOMER_TYPE_BUSINESS;
    customer.payment_terms_days = 30;
    customer.has_credit_limit = true;
    customer.credit_limit = 100000;
    cr_assert_eq(store_customer_insert(writer, &customer, &err), ERR_OK, "%s", err.message);
    struct customer other = make_customer("cus_2", "ana@example.com");
    cr_assert_eq(store_customer_insert(writer, &other, &err), ERR_CONFLICT); /* same e-mail */
    other = make_customer("cus_1", "bob@example.com");
    cr_assert_eq(store_customer_insert(writer, &other, &err), ERR_CONFLICT); /* same id */

    struct customer got;
    cr_assert_eq(store_customer_get_by_email(writer, &arena, "ANA@example.com", &got, &err),
                 ERR_OK);
    cr_assert_str_eq(got.id, "cus_1");
    cr_assert_str_eq(got.email, "ana@example.com");
    cr_assert_eq(got.type, CUSTOMER_TYPE_BUSINESS);
    cr_assert(got.has_credit_limit);
    cr_assert_eq(got.credit_limit, 100000);
    cr_assert_eq(got.payment_terms_days, 30);
    cr_assert_eq(got.version, 1);

    got.has_credit_limit = false;
    got.name = "Ana D.";
    cr_assert_eq(store_customer_update(writer, &got, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_customer_update(writer, &got, 1, &err), ERR_PRECONDITION);
    got.id = "cus_nope";
    cr_assert_eq(store_customer_update(writer, &got, 2, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_customer_get(writer, &arena, "cus_1", &got, &err), ERR_OK);
    cr_assert_eq(got.version, 2);
    cr_assert_not(got.has_credit_limit);
    cr_assert_str_eq(got.name, "Ana D.");
    cr_assert_eq(store_customer_get(writer, &arena, "cus_x", &got, &err), ERR_NOT_FOUND);

    /* The brief reads have every field but the count of orders. */
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC-EAST");
    struct order order = make_order("ord_c1", "SO-3001", p, l);
    order.customer_id = "cus_1";
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_customer_get(writer, &arena, "cus_1", &got, &err), ERR_OK);
    cr_assert_eq(got.orders_count, 1);
    struct customer brief;
    cr_assert_eq(store_customer_get_brief(writer, &arena, "cus_1", &brief, &err), ERR_OK);
    cr_assert_eq(store_customer_get_brief_by_email(writer, &arena, "ANA@EXAMPLE.com", &other, &err),
                 ERR_OK);
    struct customer *briefs[] = {&brief, &other};
    for (size_t i = 0; i < ARRAY_LEN(briefs); i++) {
        cr_expect_str_eq(briefs[i]->id, "cus_1");
        cr_expect_str_eq(briefs[i]->email, "ana@example.com");
        cr_expect_str_eq(briefs[i]->name, "Ana D.");
        cr_expect_eq(briefs[i]->type, CUSTOMER_TYPE_BUSINESS);
        cr_expect_eq(briefs[i]->payment_terms_days, 30);
        cr_expect_not(briefs[i]->has_credit_limit);
        cr_expect_eq(briefs[i]->version, 2);
        cr_expect_eq(briefs[i]->orders_count, 0);
    }
    cr_assert_eq(store_customer_get_brief(writer, &arena, "cus_x", &got, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_customer_get_brief_by_email(writer, &arena, "x@example.com", &got, &err),
                 ERR_NOT_FOUND);
}

/* ---- stock ------------------------------------------------------------------------------- */

static struct stock stock_of(int64_t product, int64_t location, bool *exists)
{
    struct stock stock;
    cr_assert_eq(store_stock_get(writer, product, location, &stock, exists, &err), ERR_OK);
    return stock;
}

Test(store, stock_apply_reserve_within_and_beyond_atp)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    bool exists = true;
    struct stock stock = stock_of(p, l, &exists);
    cr_assert_not(exists);
    cr_assert_eq(stock.on_hand, 0);

    /* A receipt creates the row. */
    cr_assert_eq(store_stock_apply(writer, p, l, 10, 0, false, NOW_MS, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_stock_set_safety(writer, p, l, 2, NOW_MS, &err), ERR_OK);
    stock = stock_of(p, l, &exists);
    cr_assert(exists);
    cr_assert_eq(stock.on_hand, 10);
    cr_assert_eq(stock.safety_stock, 2);

    /* ATP is 10 - 0 - 2 = 8. */
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 5, true, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 4, true, NOW_MS, &err), ERR_STOCK);
    stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.reserved, 5); /* unchanged by the refused reserve */
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 3, true, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 1, true, NOW_MS, &err), ERR_STOCK);
    /* Without the ATP check the safety stock may be reserved, never more than on hand. */
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 2, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 1, false, NOW_MS, &err), ERR_STOCK);
    stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.reserved, 10);
    cr_assert_eq(stock.on_hand, 10);
}

/* One buyer: its own store on the same database (as another process would have), reserving
 * one unit per transaction and holding it a moment before the commit. */
struct buyer {
    int64_t product;
    int64_t location;
    int reserved;       /* transactions that reserved and committed */
    int refused;        /* ERR_STOCK answers */
    enum err_code code; /* anything else that failed */
    char message[256];
};

#define BUYER_ATTEMPTS 20

static void *buyer_main(void *arg)
{
    struct buyer *buyer = arg;
    struct store_options options = {.path = db_path, .synchronous_full = true, .readers_max = 1};
    struct store *own = NULL;
    struct err own_err;
    err_clear(&own_err);
    buyer->code = store_open(&options, &own, &own_err);
    for (int i = 0; i < BUYER_ATTEMPTS && buyer->code == ERR_OK; i++) {
        struct store_conn *conn = store_writer_conn(own);
        enum err_code code = store_begin_write(conn, &own_err);
        if (code == ERR_OK) {
            code = store_stock_apply(conn, buyer->product, buyer->location, 0, 1, true, NOW_MS,
                                     &own_err);
        }
        if (code == ERR_OK) {
            usleep(300); /* the other buyer's reservation waits on this row meanwhile */
            code = store_commit(conn, &own_err);
            buyer->reserved += code == ERR_OK ? 1 : 0;
        } else {
            store_rollback(conn);
            buyer->refused += code == ERR_STOCK ? 1 : 0;
        }
        if (code != ERR_OK && code != ERR_STOCK) {
            buyer->code = code;
        }
    }
    if (buyer->code != ERR_OK) {
        snprintf(buyer->message, sizeof(buyer->message), "%s", own_err.message);
    }
    store_close(own);
    return NULL;
}

/* Two stores on one database, as two `ordo serve` processes: the conditional reservation
 * never sells a unit twice (SQLite serialises the writers; PostgreSQL re-checks the row). */
Test(store, two_stores_never_reserve_more_than_on_hand)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    cr_assert_eq(store_stock_apply(writer, p, l, 15, 0, false, NOW_MS, &err), ERR_OK);
    struct buyer buyers[2] = {{.product = p, .location = l}, {.product = p, .location = l}};
    pthread_t threads[2];
    for (size_t i = 0; i < ARRAY_LEN(threads); i++) {
        cr_assert_eq(pthread_create(&threads[i], NULL, buyer_main, &buyers[i]), 0);
    }
    for (size_t i = 0; i < ARRAY_LEN(threads); i++) {
        cr_assert_eq(pthread_join(threads[i], NULL), 0);
        cr_assert_eq(buyers[i].code, ERR_OK, "buyer %zu: %s", i, buyers[i].message);
    }
    cr_assert_eq(buyers[0].reserved + buyers[1].reserved, 15);
    cr_assert_eq(buyers[0].refused + buyers[1].refused, 2 * BUYER_ATTEMPTS - 15);
    bool exists = false;
    struct stock stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.reserved, 15);
    cr_assert_eq(stock.on_hand, 15);
}

Test(store, stock_apply_ship_release_and_refusals)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    bool exists = false;
    cr_assert_eq(store_stock_apply(writer, p, l, 5, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 3, true, NOW_MS, &err), ERR_OK);
    /* Ship 2 of the 3 reserved: on hand and reserved both go down. */
    cr_assert_eq(store_stock_apply(writer, p, l, -2, -2, false, NOW_MS + 1, &err), ERR_OK);
    struct stock stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.on_hand, 3);
    cr_assert_eq(stock.reserved, 1);
    /* An adjustment below what is reserved, or below zero, is refused. */
    cr_assert_eq(store_stock_apply(writer, p, l, -3, 0, false, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l, -4, -1, false, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, -2, false, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, -1, false, NOW_MS, &err), ERR_OK);
    stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.on_hand, 3);
    cr_assert_eq(stock.reserved, 0);

    /* A missing row: negative deltas and reserves with the ATP check do not create it. */
    int64_t l2 = add_location("DC2");
    cr_assert_eq(store_stock_apply(writer, p, l2, -1, 0, false, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l2, 0, 1, true, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l2, 0, 1, false, NOW_MS, &err), ERR_STOCK);
    cr_assert_eq(store_stock_apply(writer, p, l2, 2, 1, true, NOW_MS, &err), ERR_STOCK);
    stock = stock_of(p, l2, &exists);
    cr_assert_not(exists);
    /* An unknown product is not found (foreign key), not a stock failure. */
    cr_assert_eq(store_stock_apply(writer, 999, l2, 1, 0, false, NOW_MS, &err), ERR_NOT_FOUND);
}

Test(store, stock_lists)
{
    int64_t p = add_product("SKU-1");
    int64_t q = add_product("SKU-2");
    int64_t b = add_location("B-DC");
    int64_t a = add_location("A-DC");
    cr_assert_eq(store_stock_apply(writer, p, b, 5, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, a, 7, 1, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, q, a, 1, 0, false, NOW_MS, &err), ERR_OK);
    struct stock_row *rows = NULL;
    size_t count = 0;
    cr_assert_eq(store_stock_list_by_product(writer, &arena, p, &rows, &count, &err), ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(rows[0].location_code, "A-DC"); /* by location code */
    cr_assert_eq(rows[0].stock.on_hand, 7);
    cr_assert_eq(rows[0].stock.reserved, 1);
    cr_assert_str_eq(rows[1].sku, "SKU-1");
    cr_assert_eq(store_stock_list_all(writer, &arena, &rows, &count, &err), ERR_OK);
    cr_assert_eq(count, 3);
}

/* ---- ledger ------------------------------------------------------------------------------ */

static void move(int64_t p, int64_t l, enum ledger_kind kind, int64_t on_hand, int64_t reserved)
{
    cr_assert_eq(store_stock_apply(writer, p, l, on_hand, reserved, false, NOW_MS, &err), ERR_OK,
                 "%s", err.message);
    struct ledger_entry entry = {.product_row_id = p,
                                 .location_row_id = l,
                                 .kind = kind,
                                 .on_hand_delta = on_hand,
                                 .reserved_delta = reserved,
                                 .reason = "test",
                                 .ref_type = "order",
                                 .ref_id = "ord_1",
                                 .created_at_ms = NOW_MS};
    cr_assert_eq(store_ledger_insert(writer, &entry, &err), ERR_OK, "%s", err.message);
}

Test(store, ledger_list_cursor_filter_and_totals)
{
    int64_t p = add_product("SKU-1");
    int64_t q = add_product("SKU-2");
    int64_t a = add_location("A");
    int64_t b = add_location("B");
    move(p, a, LEDGER_RECEIPT, 10, 0);
    move(p, b, LEDGER_RECEIPT, 4, 0);
    move(p, a, LEDGER_RESERVE, 0, 3);
    move(p, a, LEDGER_SHIP, -2, -2);
    move(q, a, LEDGER_RECEIPT, 1, 0);
    move(p, b, LEDGER_ADJUSTMENT, -1, 0);

    struct ledger_entry *entries = NULL;
    size_t count = 0;
    cr_assert_eq(store_ledger_list(writer, &arena, p, 0, 0, 3, &entries, &count, &err), ERR_OK);
    cr_assert_eq(count, 3);
    cr_assert_eq(entries[0].kind, LEDGER_ADJUSTMENT); /* newest first */
    cr_assert_str_eq(entries[0].location_code, "B");
    cr_assert_str_eq(entries[0].sku, "SKU-1");
    cr_assert_eq(entries[1].kind, LEDGER_SHIP);
    cr_assert_str_eq(entries[1].ref_id, "ord_1");
    int64_t cursor = entries[2].row_id;
    cr_assert_eq(store_ledger_list(writer, &arena, p, 0, cursor, 10, &entries, &count, &err),
                 ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(entries[0].kind, LEDGER_RECEIPT);
    cr_assert_str_eq(entries[0].location_code, "B");
    cr_assert_lt(entries[0].row_id, cursor);
    cr_assert_eq(entries[1].kind, LEDGER_RECEIPT);
    cr_assert_str_eq(entries[1].location_code, "A");
    cr_assert_lt(entries[1].row_id, entries[0].row_id);
    /* The last page of a product is its first rows: a cursor below them is an empty page. */
    cr_assert_eq(
        store_ledger_list(writer, &arena, p, 0, entries[1].row_id, 10, &entries, &count, &err),
        ERR_OK);
    cr_assert_eq(count, 0);
    cr_assert_eq(store_ledger_list(writer, &arena, q, 0, 0, 10, &entries, &count, &err), ERR_OK);
    cr_assert_eq(count, 1);
    cr_assert_str_eq(entries[0].sku, "SKU-2");
    cr_assert_eq(store_ledger_list(writer, &arena, p, a, 0, 10, &entries, &count, &err), ERR_OK);
    cr_assert_eq(count, 3);
    for (size_t i = 0; i < count; i++) {
        cr_assert_eq(entries[i].location_row_id, a);
    }

    /* The ledger's sums are the balances. */
    struct stock_row *totals = NULL;
    struct stock_row *balances = NULL;
    size_t totals_count = 0;
    size_t balances_count = 0;
    cr_assert_eq(store_ledger_totals(writer, &arena, &totals, &totals_count, &err), ERR_OK);
    cr_assert_eq(store_stock_list_all(writer, &arena, &balances, &balances_count, &err), ERR_OK);
    cr_assert_eq(totals_count, 3);
    cr_assert_eq(totals_count, balances_count);
    for (size_t i = 0; i < totals_count; i++) {
        cr_assert_eq(totals[i].product_row_id, balances[i].product_row_id);
        cr_assert_eq(totals[i].location_row_id, balances[i].location_row_id);
        cr_assert_eq(totals[i].stock.on_hand, balances[i].stock.on_hand);
        cr_assert_eq(totals[i].stock.reserved, balances[i].stock.reserved);
    }
}

/* A day's metrics row moves by what the committed commands added, not by a rolled-back one's
 * (PostgreSQL keeps a batch's deltas for its commit), and at once outside a batch. */
static struct metrics_fact daily_fact(const char *order_id, const char *channel, int64_t total)
{
    struct metrics_fact fact = {
        .order_id = order_id, .location = "", .day = 20000, .channel = channel};
    fact.counters.orders = 1;
    fact.counters.total_sum = total;
    return fact;
}

Test(store, metrics_daily_moves_with_the_commands_that_commit)
{
    struct metrics_fact a = daily_fact("ord_a", "web", 100);
    struct metrics_fact b = daily_fact("ord_b", "web", 50);
    struct metrics_fact c = daily_fact("ord_c", "web", 25);
    struct metrics_fact d = daily_fact("ord_d", "pos", 7);
    struct metrics_fact c_cancelled = c;
    c_cancelled.counters.orders = 0;
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &a, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &b, 1, &err), ERR_OK, "%s",
                 err.message);
    store_savepoint_rollback(writer); /* the command failed: its delta goes too */
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &c, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_facts_replace(writer, &c, 1, &c_cancelled, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &d, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    struct metrics_query all = {.from_day = 20000, .to_day = 20000};
    struct metrics_query web = {.from_day = 20000, .to_day = 20000, .channel = "web"};
    struct metrics_counters sum = {0};
    cr_assert_eq(store_metrics_sum(writer, &all, &sum, &err), ERR_OK, "%s", err.message);
    cr_expect_eq(sum.orders, 2); /* a and d; c's order was taken back in its own command */
    cr_expect_eq(sum.total_sum, 132);
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(writer, &web, &sum, &err), ERR_OK, "%s", err.message);
    cr_expect_eq(sum.orders, 1);
    cr_expect_eq(sum.total_sum, 125);

    /* Outside a batch (no store_begin_write), at once. */
    struct metrics_fact e = daily_fact("ord_e", "web", 1000);
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &e, 1, &err), ERR_OK, "%s",
                 err.message);
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(writer, &web, &sum, &err), ERR_OK, "%s", err.message);
    cr_expect_eq(sum.orders, 2);
    cr_expect_eq(sum.total_sum, 1125);
}

/* Replacing an order's facts by none removes its rows; a new order's are only inserted. */
Test(store, metrics_facts_replace_adds_and_removes_the_rows)
{
    struct metrics_fact a = daily_fact("ord_a", "web", 100);
    struct metrics_fact a_two[2] = {daily_fact("ord_a", "web", 60), daily_fact("ord_a", "web", 40)};
    a_two[1].location = "DC";
    struct metrics_fact *got = NULL;
    size_t count = 9;
    cr_assert_eq(store_metrics_facts_replace(writer, NULL, 0, &a, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_facts_get(writer, &arena, "ord_a", &got, &count, &err), ERR_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(store_metrics_facts_replace(writer, got, count, a_two, 2, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_facts_get(writer, &arena, "ord_a", &got, &count, &err), ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_eq(store_metrics_facts_replace(writer, got, count, NULL, 0, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_facts_get(writer, &arena, "ord_a", &got, &count, &err), ERR_OK);
    cr_assert_eq(count, 0);
    struct metrics_query all = {.from_day = 20000, .to_day = 20000};
    struct metrics_counters sum = {0};
    cr_assert_eq(store_metrics_sum(writer, &all, &sum, &err), ERR_OK, "%s", err.message);
    cr_expect_eq(sum.orders, 0); /* 1, then 2, then none */
    cr_expect_eq(sum.total_sum, 0);
}

/* ---- orders ------------------------------------------------------------------------------ */

Test(store, order_insert_get_find_update)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC-EAST");
    struct customer customer = make_customer("cus_1", "ana@example.com");
    cr_assert_eq(store_customer_insert(writer, &customer, &err), ERR_OK);
    int64_t number = 0;
    cr_assert_eq(store_order_next_number(writer, &number, &err), ERR_OK);
    cr_assert_eq(number, 1001);
    cr_assert_eq(store_order_next_number(writer, &number, &err), ERR_OK);
    cr_assert_eq(number, 1002);

    struct order order = make_order("ord_01", "SO-1001", p, l);
    order.customer_id = "cus_1";
    order.external_id = "WEB-1";
    order.customer_email = "Ana@Example.com";
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    struct order dup = make_order("ord_02", "SO-1002", p, l);
    dup.external_id = "WEB-1";
    cr_assert_eq(store_order_insert(writer, &dup, &err), ERR_CONFLICT);
    dup = make_order("ord_01", "SO-1003", p, l);
    cr_assert_eq(store_order_insert(writer, &dup, &err), ERR_CONFLICT);

    char id[ID_LEN_MAX];
    cr_assert_eq(store_order_find_external(writer, "web", "WEB-1", id, &err), ERR_OK);
    cr_assert_str_eq(id, "ord_01");
    cr_assert_eq(store_order_find_external(writer, "pos", "WEB-1", id, &err), ERR_NOT_FOUND);
    /* The key is (channel, external_id): another channel may use the same external id. */
    struct order other = make_order("ord_03", "SO-1004", p, l);
    other.channel = "pos";
    other.external_id = "WEB-1";
    cr_assert_eq(store_order_insert(writer, &other, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_order_find_external(writer, "pos", "WEB-1", id, &err), ERR_OK);
    cr_assert_str_eq(id, "ord_03");
    cr_assert_eq(store_order_find_external(writer, "web", "WEB-1", id, &err), ERR_OK);
    cr_assert_str_eq(id, "ord_01");

    struct order got;
    cr_assert_eq(store_order_get(writer, &arena, "ord_01", &got, &err), ERR_OK, "%s", err.message);
    cr_assert_str_eq(got.number, "SO-1001");
    cr_assert_eq(got.status, ORDER_STATUS_ALLOCATED);
    cr_assert_str_eq(got.customer_email, "ana@example.com");
    cr_assert_str_eq(got.customer_id, "cus_1");
    cr_assert_eq(got.totals.total, 3820);
    cr_assert_eq(got.promised_ship_by_ms, NOW_MS + 86400000);
    cr_assert_eq(got.shipped_at_ms, 0);
    cr_assert(got.shipping_address.present);
    cr_assert_not(got.shipping_address.has_coords);
    cr_assert_str_eq(got.shipping_address.city, "Boston");
    cr_assert_not(got.billing_address.present);
    cr_assert_eq(got.lines_count, 2);
    cr_assert_eq(got.lines[0].line_no, 1);
    cr_assert_eq(got.lines[0].qty, 2);
    cr_assert_eq(got.lines[0].product_row_id, p);
    cr_assert_null(got.lines[0].customization_json);
    cr_assert_str_eq(got.lines[1].customization_json, "{\"engraving\":\"ANA\"}");
    cr_assert_eq(got.allocations_count, 2);
    cr_assert_str_eq(got.allocations[0].location_code, "DC-EAST");
    cr_assert_float_eq(got.allocations[0].distance_km, 12.5, 1e-9);
    cr_assert_float_eq(got.allocations[1].distance_km, -1.0, 1e-9);
    cr_assert_str_eq(got.allocations[1].line_id, got.lines[1].id);

    struct customer after;
    cr_assert_eq(store_customer_get(writer, &arena, "cus_1", &after, &err), ERR_OK);
    cr_assert_eq(after.orders_count, 1);

    /* Update: cancel line 2, drop its allocation. */
    got.lines[1].qty_cancelled = 1;
    got.lines[1].qty_allocated = 0;
    got.allocations_count = 1;
    got.hold_reason = "fraud_review";
    got.version = 2;
    cr_assert_eq(store_order_update(writer, &got, 1, &err), ERR_OK, "%s", err.message);
    got.version = 3;
    cr_assert_eq(store_order_update(writer, &got, 1, &err), ERR_PRECONDITION);
    got.id = "ord_nope";
    cr_assert_eq(store_order_update(writer, &got, 2, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_order_get(writer, &arena, "ord_01", &got, &err), ERR_OK);
    cr_assert_eq(got.version, 2);
    cr_assert_str_eq(got.hold_reason, "fraud_review");
    cr_assert_eq(got.lines[1].qty_cancelled, 1);
    cr_assert_eq(got.allocations_count, 1);
    cr_assert_eq(store_order_get(writer, &arena, "ord_x", &got, &err), ERR_NOT_FOUND);
}

/* Inserts 7 orders ord_01..ord_07: odd ones on web for cus_1, even ones pos without customer;
 * ord_03 on hold; created one second apart. */
static void add_orders(int64_t p, int64_t l)
{
    struct customer customer = make_customer("cus_1", "ana@example.com");
    cr_assert_eq(store_customer_insert(writer, &customer, &err), ERR_OK);
    for (int i = 1; i <= 7; i++) {
        char *id = arena_sprintf(&arena, "ord_%02d", i);
        char *number = arena_sprintf(&arena, "SO-%d", 1000 + i);
        struct order order = make_order(id, number, p, l);
        order.created_at_ms = NOW_MS + i * 1000;
        if (i % 2 == 1) {
            order.customer_id = "cus_1";
        } else {
            order.channel = "pos";
            order.customer_email = "bob@example.com";
        }
        if (i == 3) {
            order.status = ORDER_STATUS_ON_HOLD;
        }
        cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    }
}

static size_t list_ids(const struct order_filter *filter, const char **ids)
{
    struct order *orders = NULL;
    size_t count = 0;
    cr_assert_eq(store_order_list(writer, &arena, filter, &orders, &count, &err), ERR_OK, "%s",
                 err.message);
    for (size_t i = 0; i < count; i++) {
        ids[i] = orders[i].id;
        cr_assert_eq(orders[i].lines_count, 2);
        cr_assert_eq(orders[i].allocations_count, 2);
    }
    return count;
}

/* Lines and allocations of every count come back complete and in order: SQLite writes them
 * by statements of up to four rows (9 lines: 4 + 4 + 1; 6 allocations: 4 + 2). */
Test(store, order_of_many_lines_round_trips)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC-EAST");

    enum { LINES = 9, ALLOCATIONS = 6 };
    struct order order = make_order("ord_many", "SO-2001", p, l);
    struct order_line *lines = ARENA_NEW_ARRAY(&arena, struct order_line, LINES);
    struct allocation *allocations = ARENA_NEW_ARRAY(&arena, struct allocation, ALLOCATIONS);
    cr_assert(lines != NULL && allocations != NULL);
    for (int i = 0; i < LINES; i++) {
        lines[i] = order.lines[0];
        lines[i].id = arena_sprintf(&arena, "lin_many_%d", i + 1);
        lines[i].line_no = i + 1;
        lines[i].qty = i + 1;
        lines[i].qty_allocated = i < ALLOCATIONS ? i + 1 : 0;
        lines[i].qty_backordered = i < ALLOCATIONS ? 0 : i + 1;
        lines[i].unit_price = 100 * (i + 1);
    }
    for (int i = 0; i < ALLOCATIONS; i++) {
        allocations[i] = order.allocations[0];
        allocations[i].id = arena_sprintf(&arena, "alc_many_%d", i + 1);
        allocations[i].line_id = lines[i].id;
        allocations[i].line_no = i + 1;
        allocations[i].qty = i + 1;
        allocations[i].distance_km = i % 2 == 0 ? 10.0 + i : -1.0;
    }
    order.lines = lines;
    order.lines_count = LINES;
    order.allocations = allocations;
    order.allocations_count = ALLOCATIONS;
    int64_t subtotal = 0;
    for (int i = 0; i < LINES; i++) {
        subtotal += lines[i].qty * lines[i].unit_price;
    }
    order.totals =
        (struct order_totals){.subtotal = subtotal, .shipping = 500, .total = subtotal + 500};
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);

    struct order got;
    cr_assert_eq(store_order_get(writer, &arena, "ord_many", &got, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(got.lines_count, LINES);
    for (int i = 0; i < LINES; i++) {
        cr_expect_str_eq(got.lines[i].id, lines[i].id);
        cr_expect_eq(got.lines[i].line_no, i + 1);
        cr_expect_eq(got.lines[i].qty, i + 1);
        cr_expect_eq(got.lines[i].unit_price, 100 * (i + 1));
        cr_expect_eq(got.lines[i].qty_backordered, lines[i].qty_backordered);
    }
    cr_assert_eq(got.allocations_count, ALLOCATIONS);
    for (int i = 0; i < ALLOCATIONS; i++) {
        cr_expect_str_eq(got.allocations[i].id, allocations[i].id);
        cr_expect_str_eq(got.allocations[i].line_id, lines[i].id);
        cr_expect_eq(got.allocations[i].qty, i + 1);
        cr_expect_eq(got.allocations[i].distance_km >= 0.0, i % 2 == 0);
    }

    /* A duplicate line id in the last statement of several fails the whole order. */
    struct order clash = make_order("ord_clash", "SO-2002", p, l);
    struct order_line *clash_lines = ARENA_NEW_ARRAY(&arena, struct order_line, 5);
    cr_assert(clash_lines != NULL);
    for (int i = 0; i < 5; i++) {
        clash_lines[i] = order.lines[i];
    }
    clash_lines[4].line_no = 4; /* (order_id, line_no) again */
    clash.lines = clash_lines;
    clash.lines_count = 5;
    clash.allocations_count = 0;
    subtotal = 0;
    for (int i = 0; i < 5; i++) {
        subtotal += clash_lines[i].qty * clash_lines[i].unit_price;
    }
    clash.totals = (struct order_totals){.subtotal = subtotal, .total = subtotal};
    cr_assert_eq(store_order_insert(writer, &clash, &err), ERR_CONFLICT, "%s", err.message);
}

Test(store, order_list_filters_and_cursor)
{
    add_orders(add_product("SKU-1"), add_location("DC"));
    const char *ids[16];
    struct order_filter filter = {.limit = 3};
    cr_assert_eq(list_ids(&filter, ids), 3);
    cr_assert_str_eq(ids[0], "ord_07"); /* newest first */
    cr_assert_str_eq(ids[2], "ord_05");
    filter.before_id = "ord_05";
    cr_assert_eq(list_ids(&filter, ids), 3);
    cr_assert_str_eq(ids[0], "ord_04");
    filter.before_id = "ord_02";
    cr_assert_eq(list_ids(&filter, ids), 1);
    cr_assert_str_eq(ids[0], "ord_01");

    filter = (struct order_filter){.limit = 10, .channel = "pos"};
    cr_assert_eq(list_ids(&filter, ids), 3);
    filter = (struct order_filter){.limit = 10, .has_status = true, .status = ORDER_STATUS_ON_HOLD};
    cr_assert_eq(list_ids(&filter, ids), 1);
    cr_assert_str_eq(ids[0], "ord_03");
    filter = (struct order_filter){.limit = 10, .customer_id = "cus_1"};
    cr_assert_eq(list_ids(&filter, ids), 4);
    filter.before_id = "ord_05";
    cr_assert_eq(list_ids(&filter, ids), 2);
    cr_assert_str_eq(ids[0], "ord_03");
    filter = (struct order_filter){.limit = 10, .customer_email = "BOB@example.com"};
    cr_assert_eq(list_ids(&filter, ids), 3);
    cr_assert_str_eq(ids[0], "ord_06");
    filter = (struct order_filter){
        .limit = 10, .created_from_ms = NOW_MS + 2000, .created_to_ms = NOW_MS + 4000};
    cr_assert_eq(list_ids(&filter, ids), 3);
    cr_assert_str_eq(ids[0], "ord_04");
    cr_assert_str_eq(ids[2], "ord_02");
    filter = (struct order_filter){
        .limit = 10, .channel = "web", .has_status = true, .status = ORDER_STATUS_ALLOCATED};
    cr_assert_eq(list_ids(&filter, ids), 3);
    filter = (struct order_filter){.limit = 10, .channel = "edi"};
    cr_assert_eq(list_ids(&filter, ids), 0);
}

Test(store, allocation_totals_skip_gone_shipments)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    struct order first = make_order("ord_01", "SO-1001", p, l);
    first.allocations[0].shipment_id = "shp_1";
    cr_assert_eq(store_order_insert(writer, &first, &err), ERR_OK, "%s", err.message);
    struct order second = make_order("ord_02", "SO-1002", p, l);
    second.allocations[0].shipment_id = "shp_2";
    cr_assert_eq(store_order_insert(writer, &second, &err), ERR_OK, "%s", err.message);
    struct shipment shipment = {.id = "shp_1",
                                .order_id = "ord_01",
                                .location_row_id = l,
                                .status = SHIPMENT_STATUS_PENDING,
                                .created_at_ms = NOW_MS,
                                .updated_at_ms = NOW_MS};
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_OK, "%s", err.message);
    shipment.id = "shp_2";
    shipment.order_id = "ord_02";
    shipment.status = SHIPMENT_STATUS_SHIPPED;
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_OK, "%s", err.message);

    /* ord_01: 2 (pending shipment) + 1 (none); ord_02: 1 (none); its shipped 2 do not count. */
    struct stock_row *rows = NULL;
    size_t count = 0;
    cr_assert_eq(store_allocation_totals(writer, &arena, &rows, &count, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(count, 1);
    cr_assert_eq(rows[0].product_row_id, p);
    cr_assert_str_eq(rows[0].location_code, "DC");
    cr_assert_eq(rows[0].stock.reserved, 4);
}

/* The explanation is a document of bytes the store keeps as they are: NULs, high bytes, a
 * second set replaces the first. */
Test(store, routing_set_get)
{
    struct order order = make_order("ord_01", "SO-1001", add_product("SKU-1"), add_location("D"));
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    struct store_doc routing = {.bytes = (const unsigned char *)"x", .len = 1};
    cr_assert_eq(store_order_routing_get(writer, &arena, "ord_01", &routing, &err), ERR_OK);
    cr_assert_null(routing.bytes);
    cr_assert_eq(routing.len, 0);
    static const unsigned char first[] = {'z', 0x00, 0xFF, 0x80, 0x00, '\\', 'x', '\''};
    static const unsigned char second[] = {'{', '"', 'a', '"', ':', '2', '}'};
    struct store_doc doc = {.bytes = first, .len = sizeof(first)};
    cr_assert_eq(store_order_routing_set(writer, "ord_01", &doc, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_order_routing_get(writer, &arena, "ord_01", &routing, &err), ERR_OK);
    cr_assert_eq(routing.len, sizeof(first));
    cr_assert_eq(memcmp(routing.bytes, first, sizeof(first)), 0);
    doc = (struct store_doc){.bytes = second, .len = sizeof(second)};
    cr_assert_eq(store_order_routing_set(writer, "ord_01", &doc, &err), ERR_OK);
    cr_assert_eq(store_order_routing_get(writer, &arena, "ord_01", &routing, &err), ERR_OK);
    cr_assert_eq(routing.len, sizeof(second));
    cr_assert_eq(memcmp(routing.bytes, second, sizeof(second)), 0);
    cr_assert_eq(store_order_routing_set(writer, "ord_x", &doc, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_order_routing_get(writer, &arena, "ord_x", &routing, &err), ERR_NOT_FOUND);
}

/* ---- shipments --------------------------------------------------------------------------- */

Test(store, shipment_insert_get_update_list)
{
    int64_t l = add_location("DC");
    struct order order = make_order("ord_01", "SO-1001", add_product("SKU-1"), l);
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    struct shipment shipment = {.id = "shp_2",
                                .order_id = "ord_01",
                                .location_row_id = l,
                                .status = SHIPMENT_STATUS_PENDING,
                                .promised_ship_by_ms = 5,
                                .created_at_ms = NOW_MS + 1,
                                .updated_at_ms = NOW_MS};
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_CONFLICT);
    shipment.id = "shp_1";
    shipment.created_at_ms = NOW_MS;
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_OK, "%s", err.message);
    shipment.order_id = "ord_nope";
    shipment.id = "shp_3";
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_NOT_FOUND);

    struct shipment got;
    cr_assert_eq(store_shipment_get(writer, &arena, "shp_2", &got, &err), ERR_OK);
    cr_assert_str_eq(got.location_code, "DC");
    cr_assert_eq(got.status, SHIPMENT_STATUS_PENDING);
    cr_assert_eq(got.promised_ship_by_ms, 5);
    cr_assert_null(got.carrier);
    got.status = SHIPMENT_STATUS_SHIPPED;
    got.carrier = "UPS";
    got.tracking_number = "1Z";
    got.cost = 845;
    got.shipped_at_ms = NOW_MS + 9;
    cr_assert_eq(store_shipment_update(writer, &got, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_shipment_update(writer, &got, 1, &err), ERR_PRECONDITION);
    cr_assert_eq(store_shipment_get(writer, &arena, "shp_2", &got, &err), ERR_OK);
    cr_assert_eq(got.version, 2);
    cr_assert_eq(got.status, SHIPMENT_STATUS_SHIPPED);
    cr_assert_str_eq(got.carrier, "UPS");
    cr_assert_eq(got.shipped_at_ms, NOW_MS + 9);
    cr_assert_eq(store_shipment_get(writer, &arena, "shp_x", &got, &err), ERR_NOT_FOUND);

    struct shipment *list = NULL;
    size_t count = 0;
    cr_assert_eq(store_shipment_list_by_order(writer, &arena, "ord_01", &list, &count, &err),
                 ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(list[0].id, "shp_1"); /* oldest first */
}

/* ---- events, idempotency, keys ----------------------------------------------------------- */

Test(store, events_insert_list)
{
    for (int i = 0; i < 3; i++) {
        struct event event = {.entity_type = "order",
                              .entity_id = i == 1 ? "ord_2" : "ord_1",
                              .kind = i == 0 ? "order.created" : "order.cancelled",
                              .data_json = "{\"n\":1}",
                              .created_at_ms = NOW_MS + i};
        cr_assert_eq(store_event_insert(writer, &event, &err), ERR_OK, "%s", err.message);
    }
    struct event *events = NULL;
    size_t count = 0;
    cr_assert_eq(store_event_list(writer, &arena, "order", "ord_1", 10, &events, &count, &err),
                 ERR_OK);
    cr_assert_eq(count, 2);
    cr_assert_str_eq(events[0].kind, "order.created"); /* oldest first */
    cr_assert_str_eq(events[1].kind, "order.cancelled");
    cr_assert_str_eq(events[1].data_json, "{\"n\":1}");
    cr_assert_eq(store_event_list(writer, &arena, "order", "ord_1", 1, &events, &count, &err),
                 ERR_OK);
    cr_assert_eq(count, 1);
}

Test(store, idempotency_and_api_keys)
{
    struct idempotency_record record = {.scope = "key_1",
                                        .key = "k-1",
                                        .status = 201,
                                        .body = "{\"id\":\"ord_1\"}",
                                        .created_at_ms = NOW_MS};
    memset(record.request_hash, 0xab, sizeof(record.request_hash));
    struct idempotency_record got;
    cr_assert_eq(store_idempotency_get(writer, &arena, "key_1", "k-1", &got, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_idempotency_insert(writer, &record, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_idempotency_insert(writer, &record, &err), ERR_CONFLICT);
    cr_assert_eq(store_idempotency_get(writer, &arena, "key_1", "k-1", &got, &err), ERR_OK);
    cr_assert_eq(got.status, 201);
    cr_assert_str_eq(got.body, "{\"id\":\"ord_1\"}");
    cr_assert_eq(memcmp(got.request_hash, record.request_hash, sizeof(got.request_hash)), 0);
    cr_assert_eq(store_idempotency_get(writer, &arena, "key_2", "k-1", &got, &err), ERR_NOT_FOUND);

    struct api_key key = {.id = "key_1",
                          .prefix = "ordo_abc",
                          .role = ROLE_WAREHOUSE,
                          .scope_location = "DC-EAST",
                          .name = "dock",
                          .created_at_ms = NOW_MS};
    memset(key.secret_hash, 0x11, sizeof(key.secret_hash));
    cr_assert_eq(store_api_key_insert(writer, &key, &err), ERR_OK, "%s", err.message);
    key.id = "key_2";
    cr_assert_eq(store_api_key_insert(writer, &key, &err), ERR_CONFLICT); /* same prefix */
    struct api_key got_key;
    cr_assert_eq(store_api_key_get_by_prefix(writer, &arena, "ordo_abc", &got_key, &err), ERR_OK);
    cr_assert_str_eq(got_key.id, "key_1");
    cr_assert_eq(got_key.role, ROLE_WAREHOUSE);
    cr_assert_str_eq(got_key.scope_location, "DC-EAST");
    cr_assert_null(got_key.scope_channel);
    cr_assert_eq(got_key.revoked_at_ms, 0);
    cr_assert_eq(got_key.secret_hash[31], 0x11);
    cr_assert_eq(store_api_key_get_by_prefix(writer, &arena, "x", &got_key, &err), ERR_NOT_FOUND);
}

/* ---- transactions ------------------------------------------------------------------------ */

Test(store, savepoint_rollback_undoes_only_its_command)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_stock_apply(writer, p, l, 5, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 2, true, NOW_MS, &err), ERR_OK);
    add_location("DC2");
    cr_assert_eq(store_stock_apply(writer, p, l, 0, 9, true, NOW_MS, &err), ERR_STOCK);
    store_savepoint_rollback(writer); /* the command failed: undo all of it */

    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, l, 1, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    bool exists = false;
    struct stock stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.on_hand, 6);
    cr_assert_eq(stock.reserved, 0);
    struct location location;
    cr_assert_eq(store_location_get(writer, &arena, "DC2", &location, &err), ERR_NOT_FOUND);
}

/* A command that changes more pages than SQLite keeps of its savepoint in memory (SQLite's
 * writer keeps 4 MiB, then writes the rest to a temporary file) is undone whole; the commands
 * around it keep theirs. 12,000 customers with 300-byte names fill ~1,000 pages of 4 KiB
 * (table and e-mail index); the failed command renames every one of them. */
Test(store, savepoint_rollback_undoes_a_command_of_many_pages, .timeout = 120)
{
    enum { CUSTOMERS = 12000 };

    char name[301];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    for (int i = 0; i < CUSTOMERS; i++) {
        struct customer customer = make_customer(arena_sprintf(&arena, "cus_%05d", i),
                                                 arena_sprintf(&arena, "c%05d@example.com", i));
        customer.name = name;
        cr_assert_eq(store_customer_insert(writer, &customer, &err), ERR_OK, "%s", err.message);
    }
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    arena_reset(&arena);

    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    struct customer first = make_customer("cus_first", "first@example.com");
    cr_assert_eq(store_customer_insert(writer, &first, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    char renamed[301];
    memset(renamed, 'r', sizeof(renamed) - 1);
    renamed[sizeof(renamed) - 1] = '\0';
    for (int i = 0; i < CUSTOMERS; i++) {
        struct customer got;
        cr_assert_eq(
            store_customer_get(writer, &arena, arena_sprintf(&arena, "cus_%05d", i), &got, &err),
            ERR_OK);
        got.name = renamed;
        cr_assert_eq(store_customer_update(writer, &got, got.version, &err), ERR_OK, "%s",
                     err.message);
        if (i % 1000 == 999) {
            arena_reset(&arena);
        }
    }
    store_savepoint_rollback(writer); /* the command failed: undo all of it */
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    struct customer last = make_customer("cus_last", "last@example.com");
    cr_assert_eq(store_customer_insert(writer, &last, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    for (int i = 0; i < CUSTOMERS; i++) {
        struct customer got;
        cr_assert_eq(
            store_customer_get(writer, &arena, arena_sprintf(&arena, "cus_%05d", i), &got, &err),
            ERR_OK);
        cr_assert_str_eq(got.name, name, "customer %d", i);
        cr_assert_eq(got.version, 1, "customer %d", i);
        if (i % 1000 == 999) {
            arena_reset(&arena);
        }
    }
    struct customer got;
    cr_assert_eq(store_customer_get(writer, &arena, "cus_first", &got, &err), ERR_OK);
    cr_assert_eq(store_customer_get(writer, &arena, "cus_last", &got, &err), ERR_OK);
}

/* A command's failure that a backend reports late (PostgreSQL's pipelined writer: from a later
 * call, at the latest from the savepoint's release) still fails the command and only it. */
static enum err_code command_end(void)
{
    enum err_code code = store_savepoint_release(writer, &err);
    if (code != ERR_OK) {
        store_savepoint_rollback(writer);
    }
    return code;
}

Test(store, planned_reservation_fails_its_command_now_or_at_release)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    cr_assert_eq(store_stock_apply(writer, p, l, 10, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_set_safety(writer, p, l, 2, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_stock_reserve_planned(writer, p, l, 5, NOW_MS, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(command_end(), ERR_OK, "%s", err.message);

    /* ATP is 10 - 5 - 2 = 3: reserving 4 fails the command, with what it did before. */
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_stock_reserve_planned(writer, p, l, 1, NOW_MS, &err), ERR_OK);
    enum err_code code = store_stock_reserve_planned(writer, p, l, 4, NOW_MS, &err);
    if (code == ERR_OK) {
        struct location dc2 = make_location("DC2");
        code = store_location_insert(writer, &dc2, &err); /* a later call may learn of it */
    }
    if (code == ERR_OK) {
        code = store_savepoint_release(writer, &err); /* at the latest */
    }
    cr_assert_eq(code, ERR_STOCK, "%s", err.message);
    store_savepoint_rollback(writer);

    /* The next command runs as if nothing happened; a row that does not exist is short. */
    int64_t dc3 = add_location("DC3");
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_stock_reserve_planned(writer, p, l, 3, NOW_MS, &err), ERR_OK);
    cr_assert_eq(command_end(), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    code = store_stock_reserve_planned(writer, p, dc3, 1, NOW_MS, &err);
    if (code == ERR_OK) {
        code = store_savepoint_release(writer, &err);
    }
    cr_assert_eq(code, ERR_STOCK, "%s", err.message);
    store_savepoint_rollback(writer);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    bool exists = false;
    struct stock stock = stock_of(p, l, &exists);
    cr_assert_eq(stock.reserved, 8);
    cr_assert_eq(stock.on_hand, 10);
    struct location location;
    cr_assert_eq(store_location_get(writer, &arena, "DC2", &location, &err), ERR_NOT_FOUND);
}

Test(store, capacity_requirement_and_a_late_unique_key)
{
    int64_t l = add_location("DC");
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_routing_capacity_require(writer, l, NOW_MS, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(command_end(), ERR_OK, "%s", err.message);

    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    enum err_code code = store_routing_capacity_require(writer, l, NOW_MS, 0, &err);
    if (code == ERR_OK) {
        code = store_savepoint_release(writer, &err);
    }
    cr_assert_eq(code, ERR_STOCK, "%s", err.message);
    store_savepoint_rollback(writer);

    /* A customer's e-mail taken: ERR_CONFLICT, at once or at the release, and the writer
     * learns that running the command again may help (the key was maybe another process's). */
    struct customer first = make_customer("cus_1", "ana@example.com");
    struct customer second = make_customer("cus_2", "ANA@example.com");
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    cr_assert_eq(store_customer_insert(writer, &first, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(command_end(), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK);
    code = store_customer_insert(writer, &second, &err);
    if (code == ERR_OK) {
        code = store_savepoint_release(writer, &err);
    }
    cr_assert_eq(code, ERR_CONFLICT, "%s", err.message);
    store_savepoint_rollback(writer);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    struct customer got;
    cr_assert_eq(store_customer_get_by_email(writer, &arena, "ana@example.com", &got, &err),
                 ERR_OK);
    cr_assert_str_eq(got.id, "cus_1");
}

Test(store, rollback_discards_the_transaction)
{
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK);
    add_location("DC");
    store_rollback(writer);
    struct location location;
    cr_assert_eq(store_location_get(writer, &arena, "DC", &location, &err), ERR_NOT_FOUND);
    store_rollback(writer); /* harmless without a transaction */
}

Test(store, reader_sees_committed_data_while_writer_is_open)
{
    add_location("OLD");
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK);
    add_location("NEW");

    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    cr_assert_neq(reader, writer);
    struct location location;
    cr_assert_eq(store_location_get(reader, &arena, "OLD", &location, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_location_get(reader, &arena, "NEW", &location, &err), ERR_NOT_FOUND);

    /* A read transaction keeps its snapshot across the writer's commit. */
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    cr_assert_eq(store_location_get(reader, &arena, "OLD", &location, &err), ERR_OK);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_location_get(reader, &arena, "NEW", &location, &err), ERR_NOT_FOUND);
    cr_assert_eq(store_commit(reader, &err), ERR_OK);
    cr_assert_eq(store_location_get(reader, &arena, "NEW", &location, &err), ERR_OK);
    store_reader_release(store, reader);
}

/* store_read_ahead: an answer read ahead serves only its own arguments, on its own snapshot. */
Test(store, read_ahead_answers_only_its_arguments_on_its_snapshot)
{
    int64_t p = add_product("SKU-1");
    int64_t l = add_location("DC");
    cr_assert_eq(store_stock_apply(writer, p, l, 5, 0, false, NOW_MS, &err), ERR_OK);
    struct customer ana = make_customer("cus_ana", "ana@example.com");
    cr_assert_eq(store_customer_insert(writer, &ana, &err), ERR_OK, "%s", err.message);
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    struct location location;
    cr_assert_eq(store_location_get(reader, &arena, "DC", &location, &err), ERR_OK); /* begun */
    const int64_t ids[] = {p};
    struct store_read_ahead ahead = {.customer_email = "ana@example.com",
                                     .product_row_ids = ids,
                                     .product_count = 1,
                                     .shipments_since_asked = true,
                                     .shipments_since_ms = NOW_MS};
    cr_assert_eq(store_read_ahead(reader, &arena, &ahead, &err), ERR_OK, "%s", err.message);
    /* Written after: the snapshot does not see it, whether read ahead or not. */
    struct customer bob = make_customer("cus_bob", "bob@example.com");
    cr_assert_eq(store_customer_insert(writer, &bob, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_stock_apply(writer, p, l, 2, 0, false, NOW_MS, &err), ERR_OK);
    struct customer got = {0};
    cr_assert_eq(store_customer_get_brief_by_email(reader, &arena, "bob@example.com", &got, &err),
                 ERR_NOT_FOUND); /* another e-mail: asked, not ana's answer */
    cr_assert_eq(store_customer_get_brief_by_email(reader, &arena, "ana@example.com", &got, &err),
                 ERR_OK, "%s", err.message);
    cr_assert_str_eq(got.id, "cus_ana");
    struct stock_list list = {0};
    cr_assert_eq(store_stock_list_by_products(reader, &arena, ids, 1, &list, &err), ERR_OK);
    cr_assert_eq(list.count, 1);
    cr_assert_eq(list.rows[0].stock.on_hand, 5);
    cr_assert_eq(store_stock_list_by_products(reader, &arena, ids, 1, &list, &err), ERR_OK);
    cr_assert_eq(list.rows[0].stock.on_hand, 5); /* asked again: the same snapshot */
    struct routing_location_used *used = NULL;
    size_t used_count = 0;
    cr_assert_eq(
        store_routing_shipments_since_all(reader, &arena, NOW_MS, &used, &used_count, &err), ERR_OK,
        "%s", err.message);
    cr_assert_eq(used_count, 0);
    cr_assert_eq(store_commit(reader, &err), ERR_OK);

    /* An answer read ahead and not asked for ends with its snapshot. */
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    struct store_read_ahead carl_ahead = {
        .customer_email = "carl@example.com", .product_row_ids = ids, .product_count = 1};
    cr_assert_eq(store_read_ahead(reader, &arena, &carl_ahead, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_commit(reader, &err), ERR_OK);
    struct customer carl = make_customer("cus_carl", "carl@example.com");
    cr_assert_eq(store_customer_insert(writer, &carl, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_stock_apply(writer, p, l, 1, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    cr_assert_eq(store_customer_get_brief_by_email(reader, &arena, "carl@example.com", &got, &err),
                 ERR_OK, "%s", err.message);
    cr_assert_str_eq(got.id, "cus_carl");
    cr_assert_eq(store_stock_list_by_products(reader, &arena, ids, 1, &list, &err), ERR_OK);
    cr_assert_eq(list.rows[0].stock.on_hand, 8);
    cr_assert_eq(store_commit(reader, &err), ERR_OK);

    /* Outside a transaction, and on the writer, a hint that changes nothing. */
    cr_assert_eq(store_read_ahead(reader, &arena, &carl_ahead, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_read_ahead(writer, &arena, &carl_ahead, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_customer_get_brief_by_email(writer, &arena, "carl@example.com", &got, &err),
                 ERR_OK, "%s", err.message);
    store_reader_release(store, reader);
}

struct waiter {
    struct store_conn *got;
    enum err_code code;
};

static void *acquire_in_thread(void *arg)
{
    struct waiter *waiter = arg;
    struct err thread_err;
    waiter->code = store_reader_acquire(store, &waiter->got, &thread_err);
    return NULL;
}

Test(store, reader_pool_waits_when_all_are_busy)
{
    store_close(store);
    store_open_at(1);
    struct store_conn *first = NULL;
    cr_assert_eq(store_reader_acquire(store, &first, &err), ERR_OK);
    struct waiter waiter = {.got = NULL, .code = ERR_INTERNAL};
    pthread_t thread;
    cr_assert_eq(pthread_create(&thread, NULL, acquire_in_thread, &waiter), 0);
    usleep(50 * 1000);
    cr_assert_null(waiter.got); /* still waiting: the only reader is taken */
    store_reader_release(store, first);
    cr_assert_eq(pthread_join(thread, NULL), 0);
    cr_assert_eq(waiter.code, ERR_OK);
    cr_assert_eq(waiter.got, first); /* the same connection, handed over */
    store_reader_release(store, waiter.got);
}

/* PostgreSQL only: a server that drops Ordo's connections (a restart, a failover) costs the
 * transaction that was open, not the store: the next one connects again and prepares again. */
Test(store, pg_reconnects_after_its_connections_are_dropped)
{
    if (!test_server_is_pg()) {
        cr_skip_test("PostgreSQL only (ORDO_TEST_PG_URL)");
    }
    add_location("A"); /* prepares the insert on the writer's session */
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    struct location location;
    cr_assert_eq(store_location_get(reader, &arena, "A", &location, &err), ERR_OK);
    store_reader_release(store, reader);

    char sql[256];
    snprintf(sql, sizeof(sql),
             "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '%s'"
             " AND pid <> pg_backend_pid()",
             pg_db.pg_database);
    cr_assert(test_server_pg_admin(&pg_db, sql), "%s", pg_db.error);

    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    add_location("B");
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_location_get(reader, &arena, "A", &location, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_location_get(reader, &arena, "B", &location, &err), ERR_OK, "%s",
                 err.message);
    store_rollback(reader);
    store_reader_release(store, reader);

    /* Dropped in the middle of a group commit: the command fails, its savepoint cannot be
     * rolled back (the transaction is gone), the commit fails; nothing of it is kept. */
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert(test_server_pg_admin(&pg_db, sql), "%s", pg_db.error);
    struct location lost = make_location("LOST");
    cr_assert_eq(store_location_insert(writer, &lost, &err), ERR_STORE);
    store_savepoint_rollback(writer);
    cr_assert_eq(store_commit(writer, &err), ERR_STORE);
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    add_location("C");
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_location_get(writer, &arena, "C", &location, &err), ERR_OK);
    cr_assert_eq(store_location_get(writer, &arena, "LOST", &location, &err), ERR_NOT_FOUND);
}

Test(store, readers_refuse_writes)
{
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK);
    struct channel channel = {.code = "x", .kind = "web", .name = "X", .created_at_ms = 1};
    cr_assert_eq(store_channel_insert(reader, &channel, &err), ERR_STORE);
    store_reader_release(store, reader);
}

/* ---- exact distinct counts (purchase frequency) ------------------------------------------ */

/*
 * The distinct counts behind purchase frequency stay exact whatever order the days of a key
 * come and go in: random moves up and down of a few keys over a few days, then every range
 * against a count by hand. On PostgreSQL a move up is one statement (ordo_distinct_up,
 * migration 015); a key with no row left starts again with store_metrics_distinct_first.
 */
Test(store, distinct_moves_in_any_day_order_count_exactly)
{
    enum { KEYS = 6, DAYS = 8, MOVES = 400, DAY0 = 20000 };

    int counts[KEYS][DAYS];
    memset(counts, 0, sizeof(counts));
    char names[KEYS][16];
    for (int k = 0; k < KEYS; k++) {
        snprintf(names[k], sizeof(names[k]), "cus_%d", k);
    }
    uint64_t rng = 12345;
    int firsts = 0;
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    for (int m = 0; m < MOVES; m++) {
        rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
        int k = (int)((rng >> 33) % KEYS);
        int d = (int)((rng >> 45) % DAYS);
        int total = 0;
        for (int i = 0; i < DAYS; i++) {
            total += counts[k][i];
        }
        int delta = counts[k][d] > 0 && ((rng >> 20) & 1) == 0 ? -1 : 1;
        struct metrics_distinct_key key = {
            .kind = METRICS_DISTINCT_CUSTOMER, .scope = "", .key = names[k], .day = DAY0 + d};
        if (total == 0) {
            firsts++;
            cr_assert_eq(store_metrics_distinct_first(writer, &key, &err), ERR_OK, "%s",
                         err.message);
        } else {
            cr_assert_eq(store_metrics_distinct_move(writer, &key, delta, &err), ERR_OK, "%s",
                         err.message);
        }
        counts[k][d] += delta;
    }
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_gt(firsts, KEYS); /* keys did come back after their last row went */
    for (int from = 0; from < DAYS; from++) {
        for (int to = from; to < DAYS; to++) {
            int64_t expected = 0;
            for (int k = 0; k < KEYS; k++) {
                bool seen = false;
                for (int d = from; d <= to; d++) {
                    seen = seen || counts[k][d] > 0;
                }
                expected += seen ? 1 : 0;
            }
            struct metrics_query query = {.from_day = DAY0 + from, .to_day = DAY0 + to};
            struct metrics_counters sum;
            memset(&sum, 0, sizeof(sum));
            cr_assert_eq(store_metrics_sum(writer, &query, &sum, &err), ERR_OK, "%s", err.message);
            cr_assert_eq(sum.customers, expected, "days %d..%d: %lld customers, expected %lld",
                         from, to, (long long)sum.customers, (long long)expected);
        }
    }
}

/* ---- flushing apart from COMMIT, and the WAL's size under steady writes ------------------- */

static void insert_events(int count, const char *data_json)
{
    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    for (int i = 0; i < count; i++) {
        struct event event = {.entity_type = "order",
                              .entity_id = "ord_wal",
                              .kind = "order.noted",
                              .data_json = data_json,
                              .created_at_ms = NOW_MS + i};
        cr_assert_eq(store_event_insert(writer, &event, &err), ERR_OK, "%s", err.message);
    }
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);
}

/* Only SQLite with synchronous=FULL flushes at COMMIT a flush that can be taken apart. */
Test(store, defer_sync_only_where_commit_flushes)
{
    if (test_server_is_pg()) {
        cr_assert_not(store_defer_sync(store)); /* the server flushes before COMMIT answers */
        cr_assert_eq(store_sync(store, &err), ERR_OK);
        return;
    }
    cr_assert(store_defer_sync(store));
    cr_assert(store_defer_sync(store)); /* asking again changes nothing */
    insert_events(3, "{\"n\":1}");
    cr_assert_eq(store_sync(store, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_sync(store, &err), ERR_OK, "%s", err.message);
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK);
    struct event *events = NULL;
    size_t count = 0;
    cr_assert_eq(store_event_list(reader, &arena, "order", "ord_wal", 10, &events, &count, &err),
                 ERR_OK);
    cr_assert_eq(count, 3);
    store_reader_release(store, reader);

    /* With synchronous=NORMAL nothing is flushed at commit, so there is nothing to defer. */
    store_close(store);
    struct store_options options = {.path = db_path, .synchronous_full = false, .readers_max = 1};
    cr_assert_eq(store_open(&options, &store, &err), ERR_OK, "%s", err.message);
    writer = store_writer_conn(store);
    cr_assert_not(store_defer_sync(store));
    cr_assert_eq(store_sync(store, &err), ERR_OK);
}

static atomic_bool g_readers_stop;

/* Reads in short snapshots until told to stop, as request threads do. */
static void *read_steadily(void *arg)
{
    UNUSED(arg);
    struct arena thread_arena;
    arena_init(&thread_arena, 1024 * 1024);
    struct err thread_err;
    while (!atomic_load(&g_readers_stop)) {
        struct store_conn *reader = NULL;
        if (store_reader_acquire(store, &reader, &thread_err) != ERR_OK) {
            break;
        }
        if (store_begin_read(reader, &thread_err) == ERR_OK) {
            struct event *events = NULL;
            size_t count = 0;
            if (store_event_list(reader, &thread_arena, "order", "ord_none", 1, &events, &count,
                                 &thread_err) != ERR_OK) {
                atomic_store(&g_readers_stop, true);
            }
            store_rollback(reader);
        }
        store_reader_release(store, reader);
        arena_reset(&thread_arena);
    }
    arena_release(&thread_arena);
    return NULL;
}

static off_t wal_size(void)
{
    char path[300];
    snprintf(path, sizeof(path), "%s-wal", db_path);
    struct stat st;
    return stat(path, &st) == 0 ? st.st_size : 0;
}

/*
 * SQLite only: commits without a pause while readers keep taking snapshots never give the
 * checkpointer a moment with every frame copied and no reader in the WAL, so SQLite alone
 * would let the WAL grow with everything written (here ~240 MB). The writer finishes the copy
 * itself once the WAL is large, and the WAL starts over: it stays near the restart size
 * (8,192 pages of 4 KiB).
 */
Test(store, wal_starts_over_under_steady_commits_and_readers, .timeout = 120)
{
    if (test_server_is_pg()) {
        return;
    }
    store_close(store);
    store_open_at(4);
    char data[3200];
    memset(data, 'x', sizeof(data));
    memcpy(data, "{\"pad\":\"", 8);
    memcpy(data + sizeof(data) - 3, "\"}", 3); /* ends with the NUL */
    atomic_store(&g_readers_stop, false);
    pthread_t readers[2];
    for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
        cr_assert_eq(pthread_create(&readers[i], NULL, read_steadily, NULL), 0);
    }
    off_t largest = 0;
    for (int commit = 0; commit < 6000; commit++) {
        insert_events(10, data);
        off_t size = wal_size();
        largest = size > largest ? size : largest;
    }
    atomic_store(&g_readers_stop, true);
    for (size_t i = 0; i < ARRAY_LEN(readers); i++) {
        cr_assert_eq(pthread_join(readers[i], NULL), 0);
    }
    cr_assert_lt(largest, (off_t)3 * 8192 * 4120, "the WAL grew to %lld bytes", (long long)largest);
}

/* The events of ord_wal a fresh reader snapshot sees. */
static size_t events_seen(void)
{
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK, "%s", err.message);
    struct event *events = NULL;
    size_t count = 0;
    cr_assert_eq(
        store_event_list(reader, &arena, "order", "ord_wal", 100000, &events, &count, &err), ERR_OK,
        "%s", err.message);
    store_rollback(reader);
    store_reader_release(store, reader);
    return count;
}

/*
 * SQLite only: the writer's WAL appends are gathered and written once per commit
 * (sqlite_walbuf.c). A reader reads the WAL through its own file, so each commit must be in
 * the file before SQLite publishes it: a reader's snapshot right after every commit sees it
 * whole — small commits, and commits of more than the 4 MiB gathered at most (written out in
 * parts, the last at the commit) — and so does a connection that is not Ordo's.
 */
Test(store, wal_appends_are_written_before_a_commit_is_seen, .timeout = 120)
{
    if (test_server_is_pg()) {
        return;
    }
    cr_assert(store_defer_sync(store)); /* as `ordo serve`: no flush at COMMIT to write it out */
    char data[3200];
    memset(data, 'y', sizeof(data));
    memcpy(data, "{\"pad\":\"", 8);
    memcpy(data + sizeof(data) - 3, "\"}", 3);
    size_t expected = 0;
    for (int commit = 0; commit < 200; commit++) {
        int count = commit % 100 == 99 ? 1400 : 1 + commit % 7; /* 1,400 x 3.2 KB: ~4.6 MB */
        insert_events(count, data);
        expected += (size_t)count;
        cr_assert_eq(events_seen(), expected, "after commit %d", commit);
        arena_reset(&arena);
    }
    sqlite3 *other = NULL;
    cr_assert_eq(sqlite3_open_v2(db_path, &other, SQLITE_OPEN_READONLY, NULL), SQLITE_OK);
    sqlite3_stmt *stmt = NULL;
    cr_assert_eq(sqlite3_prepare_v2(other,
                                    "SELECT count(*), sum(length(data)) FROM events"
                                    " WHERE entity_id = 'ord_wal'",
                                    -1, &stmt, NULL),
                 SQLITE_OK);
    cr_assert_eq(sqlite3_step(stmt), SQLITE_ROW);
    cr_expect_eq((size_t)sqlite3_column_int64(stmt, 0), expected);
    cr_expect_eq((size_t)sqlite3_column_int64(stmt, 1), expected * (sizeof(data) - 1));
    sqlite3_finalize(stmt);
    sqlite3_close(other);
}

/* mxFrame (the WAL's last committed frame) and nBackfill (frames copied back) from the
 * wal-index in the -shm file (SQLite's WAL-index format: the header's mxFrame at byte 16, the
 * checkpoint info's nBackfill at byte 96, native byte order); read without checkpointing. */
static void wal_index_read(uint32_t *max_frame, uint32_t *backfilled)
{
    char path[sizeof(db_path) + 8];
    snprintf(path, sizeof(path), "%s-shm", db_path);
    int fd = open(path, O_RDONLY);
    cr_assert(fd >= 0, "%s", path);
    unsigned char head[100];
    cr_assert_eq(pread(fd, head, sizeof(head), 0), (ssize_t)sizeof(head));
    close(fd);
    memcpy(max_frame, head + 16, sizeof(*max_frame));
    memcpy(backfilled, head + 96, sizeof(*backfilled));
}

/* When the writes stop while a reader keeps the checkpointer from copying the last frames, the
 * checkpointer copies them once the reader is gone, without another commit to wake it (reads
 * then no longer look pages up in the WAL). */
Test(store, checkpoint_catches_up_after_the_writes_stop, .timeout = 120)
{
    if (test_server_is_pg()) {
        return;
    }
    char data[3200];
    memset(data, 'c', sizeof(data));
    memcpy(data, "{\"pad\":\"", 8);
    memcpy(data + sizeof(data) - 3, "\"}", 3);
    insert_events(10, data);
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    struct location location;
    cr_assert_eq(store_location_get(reader, &arena, "NONE", &location, &err),
                 ERR_NOT_FOUND); /* the snapshot starts */
    for (int i = 0; i < 4; i++) {
        insert_events(600, data); /* ~2 MB each: the checkpointer is woken and runs */
    }
    usleep(300 * 1000);
    uint32_t max_frame = 0;
    uint32_t backfilled = 0;
    wal_index_read(&max_frame, &backfilled);
    cr_assert_lt(backfilled, max_frame, "the reader keeps the last frames in the WAL");
    cr_assert_eq(store_commit(reader, &err), ERR_OK);
    store_reader_release(store, reader);
    for (int waited_ms = 0; waited_ms < 5000 && backfilled < max_frame; waited_ms += 10) {
        usleep(10 * 1000);
        wal_index_read(&max_frame, &backfilled);
    }
    cr_expect_eq(backfilled, max_frame, "copied %u of %u frames with no commit since", backfilled,
                 max_frame);
}

/* ---- reads of many keys in one statement (order capture's snapshot) ---------------------- */

/* A product of store_product_get_many equals the one store_product_get reads. */
static void assert_same_product(const struct product *got, const char *sku)
{
    struct product one;
    cr_assert_eq(store_product_get(writer, &arena, sku, &one, &err), ERR_OK, "%s", sku);
    cr_assert_eq(got->row_id, one.row_id);
    cr_assert_str_eq(got->sku, one.sku);
    cr_assert_str_eq(got->name, one.name);
    cr_assert_eq(got->price, one.price);
    cr_assert_str_eq(got->currency, one.currency);
    cr_assert_eq(got->kind, one.kind);
    cr_assert_eq(got->active, one.active);
    cr_assert_eq(got->version, one.version);
    cr_assert_eq(got->components_count, one.components_count);
    for (size_t c = 0; c < one.components_count; c++) {
        cr_assert_eq(got->components[c].product_row_id, one.components[c].product_row_id);
        cr_assert_str_eq(got->components[c].sku, one.components[c].sku);
        cr_assert_eq(got->components[c].qty, one.components[c].qty);
    }
}

Test(store, product_get_many_kits_duplicates_misses_and_quotes)
{
    int64_t shirt = add_product("SHIRT");
    int64_t mug = add_product("MUG");
    add_product("Q\"U\\O,T{E}");
    add_product("NULL");
    struct kit_component gift_parts[] = {{.product_row_id = shirt, .qty = 2},
                                         {.product_row_id = mug, .qty = 1}};
    struct product gift = make_product("GIFT-BOX");
    gift.kind = PRODUCT_KIND_KIT;
    gift.components = gift_parts;
    gift.components_count = 2;
    cr_assert_eq(store_product_insert(writer, &gift, &err), ERR_OK, "%s", err.message);
    struct kit_component mugs_parts[] = {{.product_row_id = mug, .qty = 3}};
    struct product mugs = make_product("MUGS-3");
    mugs.kind = PRODUCT_KIND_KIT;
    mugs.components = mugs_parts;
    mugs.components_count = 1;
    mugs.active = false;
    cr_assert_eq(store_product_insert(writer, &mugs, &err), ERR_OK, "%s", err.message);

    const char *skus[] = {"NOPE",        "GIFT-BOX", "SHIRT",  "Q\"U\\O,T{E}",
                          "SHIRT",       "\xff",     "MUGS-3", "NULL",
                          "Q\"U\\O,T{E", "shirt",    "MUG",    "SHIRT\",\"MUG"};
    struct product out[ARRAY_LEN(skus)];
    memset(out, 0xab, sizeof(out));
    cr_assert_eq(store_product_get_many(writer, &arena, skus, ARRAY_LEN(skus), out, &err), ERR_OK,
                 "%s", err.message);
    const bool found[] = {false, true, true,  true,  true, false,
                          true,  true, false, false, true, false};
    static_assert(ARRAY_LEN(found) == ARRAY_LEN(skus), "one answer per SKU");
    for (size_t i = 0; i < ARRAY_LEN(skus); i++) {
        if (found[i]) {
            assert_same_product(&out[i], skus[i]);
        } else {
            cr_assert_eq(out[i].row_id, 0, "%s", skus[i]);
            cr_assert_null(out[i].sku);
            cr_assert_eq(out[i].components_count, 0);
        }
    }
    cr_assert_eq(out[1].components_count, 2);
    cr_assert_str_eq(out[1].components[0].sku, "SHIRT"); /* in the kit's order */
    cr_assert_str_eq(out[1].components[1].sku, "MUG");
    cr_assert_eq(out[6].components[0].qty, 3);
    cr_assert_not(out[6].active);
    cr_assert_eq(out[2].row_id, out[4].row_id); /* a duplicate gets the same product */

    /* Nothing asked, nothing read; the same on a reader's snapshot. */
    cr_assert_eq(store_product_get_many(writer, &arena, skus, 0, out, &err), ERR_OK);
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_begin_read(reader, &err), ERR_OK);
    cr_assert_eq(store_product_get_many(reader, &arena, &skus[1], 2, out, &err), ERR_OK);
    store_rollback(reader);
    store_reader_release(store, reader);
    cr_assert_eq(out[0].components_count, 2);
    cr_assert_eq(out[1].row_id, shirt);
}

Test(store, stock_list_by_products_one_read)
{
    int64_t p = add_product("SKU-1");
    int64_t q = add_product("SKU-2");
    int64_t r = add_product("SKU-3");
    int64_t b = add_location("B-DC");
    int64_t a = add_location("A-DC");
    cr_assert_eq(store_stock_apply(writer, q, a, 4, 1, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, b, 5, 0, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, p, a, 7, 2, false, NOW_MS, &err), ERR_OK);
    cr_assert_eq(store_stock_apply(writer, r, a, 9, 0, false, NOW_MS, &err), ERR_OK);
    const int64_t ids[] = {q, p, q, 999999};
    struct stock_list list = {0};
    cr_assert_eq(store_stock_list_by_products(writer, &arena, ids, ARRAY_LEN(ids), &list, &err),
                 ERR_OK, "%s", err.message);
    cr_assert_eq(list.count, 3); /* each balance once; SKU-3 not asked */
    cr_assert_eq(list.rows[0].product_row_id, p);
    cr_assert_eq(list.rows[0].location_row_id, b); /* by product, then location row id */
    cr_assert_eq(list.rows[0].stock.on_hand, 5);
    cr_assert_eq(list.rows[1].product_row_id, p);
    cr_assert_eq(list.rows[1].location_row_id, a);
    cr_assert_eq(list.rows[1].stock.reserved, 2);
    cr_assert_null(list.rows[1].location_code); /* the caller knows the names */
    cr_assert_null(list.rows[1].sku);
    cr_assert_eq(list.rows[2].product_row_id, q);
    cr_assert_eq(list.rows[2].stock.on_hand, 4);
    cr_assert_eq(store_stock_list_by_products(writer, &arena, ids, 0, &list, &err), ERR_OK);
    cr_assert_eq(list.count, 0);
    cr_assert_null(list.rows);
}

/* A shipment of order_id at location l created at created_at_ms. */
static void add_shipment(const char *id, const char *order_id, int64_t l, int64_t created_at_ms)
{
    struct shipment shipment = {.id = id,
                                .order_id = order_id,
                                .location_row_id = l,
                                .status = SHIPMENT_STATUS_PENDING,
                                .created_at_ms = created_at_ms,
                                .updated_at_ms = created_at_ms};
    cr_assert_eq(store_shipment_insert(writer, &shipment, &err), ERR_OK, "%s", err.message);
}

Test(store, routing_shipments_since_all_locations)
{
    int64_t a = add_location("A-DC");
    int64_t b = add_location("B-DC");
    struct location unlimited = make_location("C-DC");
    unlimited.capacity_per_day = 0;
    cr_assert_eq(store_location_insert(writer, &unlimited, &err), ERR_OK, "%s", err.message);
    int64_t idle = add_location("D-DC");
    struct order order = make_order("ord_01", "SO-1001", add_product("SKU-1"), a);
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    int64_t day_ms = 86400000;
    int64_t today = NOW_MS - NOW_MS % day_ms;
    add_shipment("shp_1", "ord_01", a, today);
    add_shipment("shp_2", "ord_01", a, NOW_MS);
    add_shipment("shp_3", "ord_01", a, today - 1); /* yesterday */
    add_shipment("shp_4", "ord_01", b, NOW_MS);
    add_shipment("shp_5", "ord_01", unlimited.row_id, NOW_MS);

    struct routing_location_used *used = NULL;
    size_t count = 0;
    cr_assert_eq(store_routing_shipments_since_all(writer, &arena, today, &used, &count, &err),
                 ERR_OK, "%s", err.message);
    cr_assert_eq(count, 2); /* C has no daily capacity, D took nothing */
    cr_assert_eq(used[0].location_row_id, a);
    cr_assert_eq(used[0].shipments, 2);
    cr_assert_eq(used[1].location_row_id, b);
    cr_assert_eq(used[1].shipments, 1);
    const int64_t rows[] = {a, b, idle};
    for (size_t i = 0; i < ARRAY_LEN(rows); i++) {
        int64_t one = -1;
        cr_assert_eq(store_routing_shipments_since(writer, rows[i], today, &one, &err), ERR_OK);
        cr_assert_eq(one, i < count ? used[i].shipments : 0);
    }
    cr_assert_eq(
        store_routing_shipments_since_all(writer, &arena, today - day_ms, &used, &count, &err),
        ERR_OK);
    cr_assert_eq(count, 1);
    cr_assert_eq(used[0].shipments, 1);
}

/* The day's shipment and distinct-customer counters move with the commands a batch commits (a
 * rolled-back savepoint takes its counts with it), readers see them at the commit, and the
 * writer's own capacity reads and checks count what its batch did so far. */
/* The keys the tests move have no orders, so ordo check may list them; never their counts. */
static void expect_distinct_counts_agree(struct store_conn *reader)
{
    const char **problems = NULL;
    size_t problems_count = 0;
    cr_assert_eq(store_metrics_check(reader, &arena, &problems, &problems_count, &err), ERR_OK,
                 "%s", err.message);
    for (size_t i = 0; i < problems_count; i++) {
        cr_assert_null(strstr(problems[i], "metrics_distinct_counts"), "%s", problems[i]);
        cr_assert_null(strstr(problems[i], "metrics_distinct_days"), "%s", problems[i]);
    }
}

Test(store, counters_move_with_the_commands_that_commit)
{
    int64_t a = add_location("A-DC"); /* capacity_per_day > 0 (make_location) */
    struct order order = make_order("ord_01", "SO-1001", add_product("SKU-1"), a);
    cr_assert_eq(store_order_insert(writer, &order, &err), ERR_OK, "%s", err.message);
    int64_t today = NOW_MS - NOW_MS % 86400000;
    int64_t day = today / 86400000;
    struct metrics_distinct_key ana = {METRICS_DISTINCT_CUSTOMER, "", "cus_ana", day};
    struct metrics_distinct_key bob = {METRICS_DISTINCT_CUSTOMER, "", "cus_bob", day};
    struct metrics_distinct_key eve = {METRICS_DISTINCT_CUSTOMER, "", "cus_eve", day};
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    add_shipment("shp_1", "ord_01", a, NOW_MS);
    cr_assert_eq(store_metrics_distinct_move(writer, &ana, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    add_shipment("shp_2", "ord_01", a, NOW_MS);
    cr_assert_eq(store_metrics_distinct_move(writer, &bob, 1, &err), ERR_OK, "%s", err.message);
    store_savepoint_rollback(writer); /* the command failed: its counts go with it */
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    add_shipment("shp_3", "ord_01", a, NOW_MS);
    cr_assert_eq(store_metrics_distinct_move(writer, &eve, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_move(writer, &eve, -1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_move(writer, &ana, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    /* The writer counts its batch; a reader sees nothing before the commit. */
    int64_t n = -1;
    cr_assert_eq(store_routing_shipments_since(writer, a, today, &n, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(n, 2);
    struct routing_location_used *used = NULL;
    size_t count = 0;
    cr_assert_eq(store_routing_shipments_since_all(writer, &arena, today, &used, &count, &err),
                 ERR_OK, "%s", err.message);
    cr_assert_eq(count, 1);
    cr_assert_eq(used[0].shipments, 2);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_routing_capacity_require(writer, a, today, 3, &err), ERR_OK);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    enum err_code code = store_routing_capacity_require(writer, a, today, 2, &err);
    if (code == ERR_OK) { /* PostgreSQL's pipeline reports it at the release */
        code = store_savepoint_release(writer, &err);
    }
    cr_assert_eq(code, ERR_STOCK, "2 shipments taken of 2: %s", err.message);
    store_savepoint_rollback(writer);
    cr_assert_eq(store_routing_shipments_since(reader, a, today, &n, &err), ERR_OK);
    cr_assert_eq(n, 0);
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_routing_shipments_since(reader, a, today, &n, &err), ERR_OK);
    cr_assert_eq(n, 2);
    cr_assert_eq(store_routing_shipments_since(writer, a, today, &n, &err), ERR_OK);
    cr_assert_eq(n, 2); /* added once */
    struct metrics_query all = {.from_day = day, .to_day = day};
    struct metrics_counters sum = {0};
    cr_assert_eq(store_metrics_sum(reader, &all, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 1); /* ana (twice); bob rolled back; eve taken back */
    expect_distinct_counts_agree(reader);

    /* Outside a batch, at once. */
    add_shipment("shp_4", "ord_01", a, NOW_MS);
    cr_assert_eq(store_metrics_distinct_move(writer, &bob, 1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_routing_shipments_since(reader, a, today, &n, &err), ERR_OK);
    cr_assert_eq(n, 3);
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(reader, &all, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 2);
    store_reader_release(store, reader);
}

/* Keys seen first inside a batch are counted at its commit on PostgreSQL (migration 021). */
Test(store, distinct_firsts_count_with_the_commands_that_commit)
{
    int64_t day = NOW_MS / 86400000;
    struct metrics_distinct_key ana = {METRICS_DISTINCT_CUSTOMER, "", "cus_ana", day};
    struct metrics_distinct_key ana_web = {METRICS_DISTINCT_CUSTOMER, "web", "cus_ana", day};
    struct metrics_distinct_key bob = {METRICS_DISTINCT_CUSTOMER, "", "cus_bob", day};
    struct metrics_distinct_key eve = {METRICS_DISTINCT_CUSTOMER, "", "cus_eve", day};
    struct metrics_distinct_key eve_later = {METRICS_DISTINCT_CUSTOMER, "", "cus_eve", day + 1};
    struct metrics_distinct_key zed = {METRICS_DISTINCT_CUSTOMER, "", "cus_zed", day};
    struct store_conn *reader = NULL;
    cr_assert_eq(store_reader_acquire(store, &reader, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_begin_write(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_first(writer, &ana, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_first(writer, &ana_web, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_first(writer, &bob, &err), ERR_OK, "%s", err.message);
    store_savepoint_rollback(writer); /* the command failed: its first day goes with it */
    cr_assert_eq(store_savepoint(writer, &err), ERR_OK, "%s", err.message);
    /* eve's first day, a later day linked to it, then the first day taken back: the later day
     * is eve's first, the first day's count (not written yet) ends at 0 */
    cr_assert_eq(store_metrics_distinct_first(writer, &eve, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_metrics_distinct_move(writer, &eve_later, 1, &err), ERR_OK, "%s",
                 err.message);
    cr_assert_eq(store_metrics_distinct_move(writer, &eve, -1, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_savepoint_release(writer, &err), ERR_OK, "%s", err.message);
    struct metrics_query today = {.from_day = day, .to_day = day};
    struct metrics_counters sum = {0};
    cr_assert_eq(store_metrics_sum(reader, &today, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 0); /* nothing before the commit */
    cr_assert_eq(store_commit(writer, &err), ERR_OK, "%s", err.message);

    cr_assert_eq(store_metrics_sum(reader, &today, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 1); /* ana; bob rolled back; eve taken back */
    struct metrics_query web = {.from_day = day, .to_day = day, .channel = "web"};
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(reader, &web, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 1);
    struct metrics_query two_days = {.from_day = day, .to_day = day + 1};
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(reader, &two_days, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 2); /* ana, and eve on the later day */

    /* Outside a batch, at once. */
    cr_assert_eq(store_metrics_distinct_first(writer, &zed, &err), ERR_OK, "%s", err.message);
    sum = (struct metrics_counters){0};
    cr_assert_eq(store_metrics_sum(reader, &today, &sum, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(sum.customers, 2);
    expect_distinct_counts_agree(reader);
    store_reader_release(store, reader);
}
