/*
 * test_check.c — `ordo check` must fail when an invariant is broken, not only pass when all is
 * well. Method: a real server takes stock and an order over HTTP and stops; `ordo check` passes;
 * then the database is tampered with behind Ordo's back (the sqlite3 shell, or psql on
 * PostgreSQL with ORDO_TEST_PG_URL) in one way per test — a balance that no longer matches its
 * ledger, a lost ledger row, a reservation without an order, totals that no longer add up — and
 * `ordo check` must exit 1 and name the problem.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "support/client.h"
#include "support/server.h"

#define CHECK_OUTPUT_MAX 8192

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];

static void post(struct client *client, const char *method, const char *path, const char *body)
{
    struct http_response res;
    long status = client_call(client, method, path, g_key, body, &res);
    cr_assert(status == 200 || status == 201, "%s %s: %ld %s", method, path, status, res.body);
    http_response_release(&res);
}

/* A store with 10 units of one SKU and one order of 2, then the server stopped. */
static void check_init(void)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    struct client *client = client_new(g_server.base_url);
    post(client, "POST", "/v1/locations",
         "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\",\"address\":{"
         "\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":"
         "\"07114\",\"country\":\"US\"},\"capabilities\":[\"ship\"]}");
    post(client, "POST", "/v1/products",
         "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1299,\"currency\":\"USD\"}");
    post(client, "PUT", "/v1/inventory/MUG/DC-EAST", "{\"on_hand\":10}");
    post(client, "POST", "/v1/orders",
         "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":\"USD\","
         "\"lines\":[{\"sku\":\"MUG\",\"qty\":2}],\"shipping_address\":{\"line1\":\"5 Elm St\","
         "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"}}");
    client_free(client);
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[CHECK_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check before tampering: %d\n%s", status, output);
}

static void check_fini(void)
{
    test_server_cleanup(&g_server);
}

/* Runs one SQL statement on the database behind Ordo's back: with the sqlite3 shell, or with
 * psql when the tests run on PostgreSQL (ORDO_TEST_PG_URL; db_path is then the URL). */
static void tamper(const char *sql)
{
    const char *sqlite_argv[] = {"/usr/bin/sqlite3", g_server.db_path, sql, NULL};
    const char *psql_argv[] = {"/usr/bin/psql",  "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d",
                               g_server.db_path, "-c", sql,  NULL};
    const char *const *argv = test_server_is_pg() ? psql_argv : sqlite_argv;
    char output[1024];
    int status = test_run_capture(argv, output, sizeof(output));
    cr_assert_eq(status, 0, "%s %s: %d %s", argv[0], sql, status, output);
}

/* ordo check must exit 1 and its report must contain want. */
static void expect_problem(const char *want)
{
    char output[CHECK_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 1, "ordo check should fail (exit 1), got %d\n%s", status, output);
    cr_assert(strstr(output, want) != NULL, "report should mention '%s':\n%s", want, output);
}

TestSuite(check, .init = check_init, .fini = check_fini, .timeout = 60);

Test(check, balance_changed_behind_the_ledger)
{
    tamper("UPDATE inventory SET on_hand = on_hand + 5");
    expect_problem("ledger:");
}

Test(check, ledger_row_lost)
{
    tamper("DELETE FROM inventory_ledger WHERE kind = 'reserve'");
    expect_problem("ledger:");
}

Test(check, reservation_without_an_order)
{
    tamper("UPDATE inventory SET reserved = reserved + 1");
    tamper("INSERT INTO inventory_ledger (product_id, location_id, kind, on_hand_delta,"
           " reserved_delta, created_at) SELECT product_id, location_id, 'reserve', 0, 1, 0"
           " FROM inventory");
    expect_problem("reservation:");
}

Test(check, totals_that_do_not_add_up)
{
    tamper("UPDATE orders SET total = total + 1");
    expect_problem("totals:");
}
