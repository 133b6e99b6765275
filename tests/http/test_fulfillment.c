/*
 * test_fulfillment.c — a BOPIS order not collected within its store's hold days is cancelled
 * and its stock released by `ordo jobs run`. Method: a real server takes a pickup order at a
 * store holding pickups 2 days and marks it ready; `ordo jobs run --now` one day later leaves
 * it alone, three days later cancels it (shipment and order cancelled, reservation released
 * with a ledger row), a second run finds nothing; the server, still running beside the CLI,
 * answers the new state, and `ordo check` passes after it stops.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/server.h"

#define FUL_OUTPUT_MAX  4096
#define FUL_DAY_SECONDS (24 * 60 * 60)

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];

/* Sends a request that must answer 200 or 201; returns the answer (release it). */
static struct http_response call_ok(struct client *client, const char *method, const char *path,
                                    const char *body)
{
    struct http_response res;
    long status = client_call(client, method, path, g_key, body, &res);
    cr_assert(status == 200 || status == 201, "%s %s: %ld %s", method, path, status, res.body);
    return res;
}

static void post(struct client *client, const char *method, const char *path, const char *body)
{
    struct http_response res = call_ok(client, method, path, body);
    http_response_release(&res);
}

/* Runs `ordo jobs run --now (now + days)` and returns its output's expired count. */
static long jobs_run(double days)
{
    char now[32];
    time_t when = time(NULL) + (time_t)(days * FUL_DAY_SECONDS);
    struct tm tm;
    gmtime_r(&when, &tm);
    size_t n = strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cr_assert(n > 0);
    const char *argv[] = {test_server_binary(), "jobs",  "run", "--db",
                          g_server.db_path,     "--now", now,   NULL};
    char output[FUL_OUTPUT_MAX];
    int status = test_run_capture(argv, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo jobs run: %d %s", status, output);
    long expired = -1;
    const char *text = strstr(output, "ordo jobs: ");
    cr_assert(text != NULL && sscanf(text, "ordo jobs: %ld", &expired) == 1, "%s", output);
    return expired;
}

static void expect_json(struct client *client, const char *path, const char *expected)
{
    struct http_response res = call_ok(client, "GET", path, NULL);
    json_t *want = json_loads(expected, 0, NULL);
    cr_assert(want != NULL, "bad expectation %s", expected);
    char why[512] = "";
    cr_assert(json_subset(want, res.json, why, sizeof(why)), "GET %s: %s\n%s", path, why, res.body);
    json_decref(want);
    http_response_release(&res);
}

TestSuite(fulfillment, .timeout = 120);

Test(fulfillment, pickup_expires_after_hold_days)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    struct client *client = client_new(g_server.base_url);
    post(client, "POST", "/v1/locations",
         "{\"code\":\"STORE-CHI\",\"name\":\"Chicago store\",\"kind\":\"store\",\"address\":{"
         "\"line1\":\"1 Main St\",\"city\":\"Chicago\",\"region\":\"IL\",\"postal_code\":"
         "\"60601\",\"country\":\"US\"},\"capabilities\":[\"pickup\"],\"hold_days\":2}");
    post(client, "POST", "/v1/products",
         "{\"sku\":\"CAP\",\"name\":\"Cap\",\"price\":999,\"currency\":\"USD\"}");
    post(client, "PUT", "/v1/inventory/CAP/STORE-CHI", "{\"on_hand\":5}");
    struct http_response order = call_ok(
        client, "POST", "/v1/orders",
        "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":\"USD\","
        "\"lines\":[{\"sku\":\"CAP\",\"qty\":2}],\"fulfillment\":{\"method\":\"pickup\","
        "\"location\":\"STORE-CHI\"}}");
    char scratch[64];
    char order_id[64];
    char shipment_id[64];
    snprintf(order_id, sizeof(order_id), "%s", json_text_at(order.json, "id", scratch, 64));
    snprintf(shipment_id, sizeof(shipment_id), "%s",
             json_text_at(order.json, "allocations.0.shipment_id", scratch, 64));
    http_response_release(&order);
    char path[160];
    snprintf(path, sizeof(path), "/v1/shipments/%s/ready", shipment_id);
    post(client, "POST", path, NULL);

    cr_assert_eq(jobs_run(1.0), 0, "one day in, the pickup is still held");
    cr_assert_eq(jobs_run(3.0), 1, "three days in, the pickup has expired");
    cr_assert_eq(jobs_run(4.0), 0, "a second run finds nothing more to do");

    snprintf(path, sizeof(path), "/v1/shipments/%s", shipment_id);
    expect_json(client, path, "{\"status\":\"cancelled\",\"order_status\":\"cancelled\"}");
    snprintf(path, sizeof(path), "/v1/orders/%s", order_id);
    expect_json(client, path,
                "{\"status\":\"cancelled\",\"lines\":[{\"qty\":2,\"qty_allocated\":0,"
                "\"qty_cancelled\":2}]}");
    expect_json(client, "/v1/inventory/CAP",
                "{\"locations\":[{\"location\":\"STORE-CHI\",\"on_hand\":5,\"reserved\":0,"
                "\"available\":5}]}");
    expect_json(client, "/v1/inventory/CAP/ledger?location=STORE-CHI",
                "{\"data\":[{\"kind\":\"release\",\"reserved_delta\":-2},{\"kind\":\"reserve\"},"
                "{\"kind\":\"adjustment\"}]}");
    snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
    struct http_response events = call_ok(client, "GET", path, NULL);
    cr_assert(strstr(events.body, "order.pickup_expired") != NULL, "%s", events.body);
    http_response_release(&events);
    client_free(client);

    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[FUL_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
    test_server_cleanup(&g_server);
}
