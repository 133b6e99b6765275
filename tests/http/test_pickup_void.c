/*
 * test_pickup_void.c — a BOPIS order paid by card that is not collected in time is cancelled
 * by `ordo jobs run` and its authorization voided (README "Payments", "Fulfillment"). Method:
 * a real server takes a pickup order of 2 caps (1998) at a store holding pickups 2 days, paid
 * with the sandbox's approving card, and marks it ready; `ordo jobs run --now` three days
 * later cancels it; GET /v1/orders/{id}/payments then lists the authorization of 1998 and a
 * succeeded void of 1998, with nothing left authorized, and an order event says so; `ordo
 * check` passes after the server stops.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/server.h"

#define PV_OUTPUT_MAX  4096
#define PV_DAY_SECONDS (24 * 60 * 60)

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];

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
    time_t when = time(NULL) + (time_t)(days * PV_DAY_SECONDS);
    struct tm tm;
    gmtime_r(&when, &tm);
    size_t n = strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cr_assert(n > 0);
    const char *argv[] = {test_server_binary(), "jobs",  "run", "--db",
                          g_server.db_path,     "--now", now,   NULL};
    char output[PV_OUTPUT_MAX];
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

/* A pickup order of 2 caps at STORE-CHI paid with the sandbox; its id and shipment id. */
static void pickup_order(struct client *client, char *order_id, char *shipment_id, size_t size)
{
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
        "\"location\":\"STORE-CHI\"},\"payment\":{\"provider\":\"sandbox\","
        "\"card\":\"4242424242424242\"}}");
    char scratch[64];
    snprintf(order_id, size, "%s", json_text_at(order.json, "id", scratch, 64));
    snprintf(shipment_id, size, "%s",
             json_text_at(order.json, "allocations.0.shipment_id", scratch, 64));
    http_response_release(&order);
}

TestSuite(pickup_void, .timeout = 120);

Test(pickup_void, expired_pickup_voids_its_authorization)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    struct client *client = client_new(g_server.base_url);
    char order_id[64];
    char shipment_id[64];
    pickup_order(client, order_id, shipment_id, sizeof(order_id));
    char path[160];
    snprintf(path, sizeof(path), "/v1/shipments/%s/ready", shipment_id);
    post(client, "POST", path, NULL);
    snprintf(path, sizeof(path), "/v1/orders/%s/payments", order_id);
    expect_json(client, path,
                "{\"authorized\":1998,\"data\":[{\"kind\":\"authorize\",\"amount\":1998,"
                "\"status\":\"succeeded\",\"provider\":\"sandbox\"}]}");

    cr_assert_eq(jobs_run(3.0), 1, "three days in, the pickup has expired");

    expect_json(client, path,
                "{\"order_status\":\"cancelled\",\"authorized\":0,\"captured\":0,"
                "\"data\":[{\"kind\":\"authorize\",\"amount\":1998,\"status\":\"succeeded\"},"
                "{\"kind\":\"void\",\"amount\":1998,\"status\":\"succeeded\","
                "\"provider\":\"sandbox\"}]}");
    snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
    struct http_response events = call_ok(client, "GET", path, NULL);
    cr_assert(strstr(events.body, "order.payment_void_succeeded") != NULL, "%s", events.body);
    cr_assert(strstr(events.body, "order.pickup_expired") != NULL, "%s", events.body);
    http_response_release(&events);
    client_free(client);

    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[PV_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
    test_server_cleanup(&g_server);
}
