/*
 * test_check_metrics.c — `ordo check` recounts the metrics rollups and must fail when one is
 * changed behind Ordo's back. Method: a real server takes stock, an order, a cost and traffic
 * over HTTP and stops; `ordo check` passes; then one rollup table is tampered with (the sqlite3
 * shell, or psql on PostgreSQL with ORDO_TEST_PG_URL) per test and `ordo check` must exit 1 and
 * name the table.
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
    post(client, "POST", "/v1/costs",
         "{\"date\":\"2026-01-01\",\"location\":\"DC-EAST\",\"category\":\"labor\","
         "\"amount\":100}");
    post(client, "POST", "/v1/channels/web/traffic",
         "{\"date\":\"2026-01-01\",\"visitors\":10,\"carts_created\":2,"
         "\"carts_abandoned\":1}");
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

TestSuite(check_metrics, .init = check_init, .fini = check_fini, .timeout = 60);

Test(check_metrics, daily_order_counters_changed)
{
    tamper("UPDATE metrics_daily SET orders = orders + 1");
    expect_problem("metrics: metrics_daily");
}

Test(check_metrics, event_counters_changed)
{
    tamper("UPDATE metrics_events_daily SET costs = costs + 1");
    expect_problem("metrics: metrics_events_daily");
}

Test(check_metrics, distinct_customer_lost)
{
    tamper("DELETE FROM metrics_distinct");
    expect_problem("metrics: metrics_distinct");
}

Test(check_metrics, facts_and_rollup_changed_together)
{
    /* The rollup still sums the facts: only the recount from the order finds it. */
    tamper("UPDATE metrics_order_facts SET total_sum = total_sum + 7 WHERE location = ''");
    tamper("UPDATE metrics_daily SET total_sum = total_sum + 7 WHERE location = ''");
    expect_problem("stored facts differ from a recount");
}

Test(check_metrics, distinct_counts_changed)
{
    tamper("UPDATE metrics_distinct_counts SET n = n + 1");
    expect_problem("metrics_distinct_counts");
}

Test(check_metrics, distinct_days_changed)
{
    tamper("UPDATE metrics_distinct_days SET n = n + 2");
    expect_problem("metrics_distinct_days");
}

Test(check_metrics, location_day_shipments_changed)
{
    /* the count the routing capacity reads, kept by the store on PostgreSQL (migration 022) */
    tamper("UPDATE routing_location_days SET shipments = shipments + 1");
    expect_problem("routing_location_days");
}
