/*
 * test_routing_capacity_race.c — goal: a location's daily capacity holds when many orders race
 * for it (issue 3, round 2). Capture plans on a read snapshot, where capacity left may be stale;
 * the writer checks it again and plans inside the writer when it was used up. Method: 60 orders
 * of one unit to Boston sent at once (curl multi) against a Boston DC that takes 5 shipments a
 * day and a Newark DC without a limit, both well stocked: every order is created, exactly 5
 * ship from Boston, the rest from Newark, and ordo check passes.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "support/client.h"
#include "support/server.h"

#define ORDERS   60
#define CAPACITY 5

static struct test_server g_server;
static struct client *g_client;
static char g_key[TEST_SERVER_KEY_MAX];

static void race_fini(void)
{
    client_free(g_client);
    g_client = NULL;
    test_server_cleanup(&g_server);
}

static void call_ok(const char *method, const char *path, const char *body)
{
    struct http_response res;
    long status = client_call(g_client, method, path, g_key, body, &res);
    cr_assert(status == 200 || status == 201, "%s %s: %ld %s", method, path, status, res.body);
    http_response_release(&res);
}

static void race_init(void)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    g_client = client_new(g_server.base_url);
    call_ok("POST", "/v1/locations",
            "{\"code\":\"DC-BOS\",\"name\":\"Boston DC\",\"kind\":\"warehouse\",\"address\":"
            "{\"line1\":\"1 Main St\",\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":"
            "\"02118\",\"country\":\"US\",\"lat\":42.34,\"lon\":-71.07},\"capabilities\":"
            "[\"ship\"],\"capacity_per_day\":5,\"handling_cost\":100}");
    call_ok("POST", "/v1/locations",
            "{\"code\":\"DC-EWR\",\"name\":\"Newark DC\",\"kind\":\"warehouse\",\"address\":"
            "{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":"
            "\"07114\",\"country\":\"US\",\"lat\":40.70,\"lon\":-74.17},\"capabilities\":"
            "[\"ship\"],\"handling_cost\":100}");
    call_ok("POST", "/v1/products",
            "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1200,\"currency\":\"USD\","
            "\"weight_grams\":350}");
    call_ok("PUT", "/v1/inventory/MUG/DC-BOS", "{\"on_hand\":100}");
    call_ok("PUT", "/v1/inventory/MUG/DC-EWR", "{\"on_hand\":100}");
}

/* Shipments at a location, read through the API. */
static size_t shipments_at(const char *location)
{
    char path[128];
    snprintf(path, sizeof(path), "/v1/shipments?location=%s&limit=200", location);
    struct http_response res;
    long status = client_call(g_client, "GET", path, g_key, NULL, &res);
    cr_assert_eq(status, 200, "GET %s: %ld %s", path, status, res.body);
    size_t count = json_array_size(json_at(res.json, "data"));
    http_response_release(&res);
    return count;
}

Test(routing_capacity, racing_orders_keep_the_daily_capacity, .init = race_init, .fini = race_fini,
     .timeout = 240)
{
    static struct http_request reqs[ORDERS];
    static struct http_response res[ORDERS];
    static char bodies[ORDERS][1024];
    for (int i = 0; i < ORDERS; i++) {
        snprintf(bodies[i], sizeof(bodies[i]),
                 "{\"channel\":\"web\",\"external_id\":\"cap-%03d\",\"customer\":{\"email\":"
                 "\"c%03d@example.com\",\"name\":\"Buyer\"},\"currency\":\"USD\",\"lines\":"
                 "[{\"sku\":\"MUG\",\"qty\":1}],\"shipping_address\":{\"name\":\"Buyer\","
                 "\"line1\":\"5 Elm St\",\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":"
                 "\"02118\",\"country\":\"US\"},\"fulfillment\":{\"method\":\"ship\"}}",
                 i, i);
        reqs[i] = (struct http_request){.method = "POST",
                                        .path = "/v1/orders",
                                        .key = g_key,
                                        .body = bodies[i],
                                        .body_len = strlen(bodies[i])};
    }
    client_send_all(g_server.base_url, reqs, res, ORDERS);
    int created = 0;
    for (int i = 0; i < ORDERS; i++) {
        created += res[i].status == 201 ? 1 : 0;
        if (res[i].status != 201) {
            cr_log_error("order %d: %ld %s", i, res[i].status, res[i].body);
        }
        http_response_release(&res[i]);
    }
    cr_expect_eq(created, ORDERS);
    cr_expect_eq(shipments_at("DC-BOS"), (size_t)CAPACITY, "Boston took more than its capacity");
    cr_expect_eq(shipments_at("DC-EWR"), (size_t)(ORDERS - CAPACITY));
    char output[4096];
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    int rc = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(rc, 0, "ordo check exited %d:\n%s", rc, output);
}

/* Orders one after another, each planned on a snapshot whose copy of Boston's count may be a
 * few milliseconds old (APP_REF_USED_TTL_MS): the sixth and seventh still ship from Newark. */
Test(routing_capacity, orders_in_turn_keep_the_daily_capacity, .init = race_init, .fini = race_fini,
     .timeout = 120)
{
    for (int i = 0; i < CAPACITY + 2; i++) {
        char body[1024];
        snprintf(body, sizeof(body),
                 "{\"channel\":\"web\",\"external_id\":\"turn-%03d\",\"customer\":{\"email\":"
                 "\"t%03d@example.com\",\"name\":\"Buyer\"},\"currency\":\"USD\",\"lines\":"
                 "[{\"sku\":\"MUG\",\"qty\":1}],\"shipping_address\":{\"name\":\"Buyer\","
                 "\"line1\":\"5 Elm St\",\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":"
                 "\"02118\",\"country\":\"US\"},\"fulfillment\":{\"method\":\"ship\"}}",
                 i, i);
        struct http_response res;
        long status = client_call(g_client, "POST", "/v1/orders", g_key, body, &res);
        cr_assert_eq(status, 201, "order %d: %ld %s", i, status, res.body);
        const char *from = json_string_value(
            json_object_get(json_array_get(json_at(res.json, "allocations"), 0), "location"));
        cr_expect_str_eq(from != NULL ? from : "", i < CAPACITY ? "DC-BOS" : "DC-EWR", "order %d",
                         i);
        http_response_release(&res);
    }
    cr_expect_eq(shipments_at("DC-BOS"), (size_t)CAPACITY);
    cr_expect_eq(shipments_at("DC-EWR"), (size_t)2);
}
