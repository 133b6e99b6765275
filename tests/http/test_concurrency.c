/*
 * test_concurrency.c — races against a real `ordo serve`: 300 buyers of the last 50 units of a
 * SKU (30 + 20 at two locations) sent at once on 300 connections must create exactly 50 orders
 * and leave reserved = 50, available = 0 (no oversell); 20 copies of one request with the same
 * Idempotency-Key, or the same (channel, external_id), sent at once must create one order.
 * Method: curl multi puts every request on the wire before reading any answer.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "support/client.h"
#include "support/server.h"

#define BUYERS      300
#define STOCK_EAST  30
#define STOCK_WEST  20
#define SAME_COPIES 20

static struct test_server g_server;
static struct client *g_client;
static char g_key[TEST_SERVER_KEY_MAX];

static void race_fini(void)
{
    client_free(g_client);
    g_client = NULL;
    test_server_cleanup(&g_server);
}

/* Starts a server with an admin key, two warehouses and one product. */
static void race_init(void)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    g_client = client_new(g_server.base_url);
    const char *setup[][2] = {
        {"/v1/locations",
         "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
         "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
         "\"postal_code\":\"07114\",\"country\":\"US\",\"lat\":40.70,\"lon\":-74.17},"
         "\"capabilities\":[\"ship\"]}"},
        {"/v1/locations",
         "{\"code\":\"DC-WEST\",\"name\":\"LA DC\",\"kind\":\"warehouse\","
         "\"address\":{\"line1\":\"1 Main St\",\"city\":\"Los Angeles\",\"region\":"
         "\"CA\",\"postal_code\":\"90021\",\"country\":\"US\",\"lat\":34.03,"
         "\"lon\":-118.24},\"capabilities\":[\"ship\"]}"},
        {"/v1/products",
         "{\"sku\":\"HOT\",\"name\":\"Hot item\",\"price\":2500,\"currency\":\"USD\"}"},
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
        struct http_response res;
        long status = client_call(g_client, "POST", setup[i][0], g_key, setup[i][1], &res);
        cr_assert_eq(status, 201, "setup %s: %ld %s", setup[i][0], status, res.body);
        http_response_release(&res);
    }
    const char *counts[][2] = {{"/v1/inventory/HOT/DC-EAST", "{\"on_hand\":30}"},
                               {"/v1/inventory/HOT/DC-WEST", "{\"on_hand\":20}"}};
    for (size_t i = 0; i < 2; i++) {
        struct http_response res;
        long status = client_call(g_client, "PUT", counts[i][0], g_key, counts[i][1], &res);
        cr_assert(status == 200 || status == 201, "count %s: %ld %s", counts[i][0], status,
                  res.body);
        http_response_release(&res);
    }
}

static void order_body(char *body, size_t size, const char *external_id, int qty)
{
    snprintf(body, size,
             "{\"channel\":\"web\",\"external_id\":\"%s\",\"customer\":{\"email\":"
             "\"%s@example.com\",\"name\":\"Buyer\"},\"currency\":\"USD\",\"lines\":[{\"sku\":"
             "\"HOT\",\"qty\":%d}],\"shipping_address\":{\"name\":\"Buyer\",\"line1\":\"5 Elm St\","
             "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"},"
             "\"fulfillment\":{\"method\":\"ship\"},\"ship_policy\":\"allow_split\"}",
             external_id, external_id, qty);
}

/* Reserved and available of HOT summed over locations, read through the API. */
static void hot_stock(long long *reserved, long long *available, long long *on_hand)
{
    struct http_response res;
    long status = client_call(g_client, "GET", "/v1/inventory/HOT", g_key, NULL, &res);
    cr_assert_eq(status, 200, "GET /v1/inventory/HOT: %ld %s", status, res.body);
    json_t *locations = json_at(res.json, "locations");
    *reserved = 0;
    *on_hand = 0;
    for (size_t i = 0; i < json_array_size(locations); i++) {
        *reserved += json_int_at(json_array_get(locations, i), "reserved", -1000000);
        *on_hand += json_int_at(json_array_get(locations, i), "on_hand", -1000000);
    }
    *available = json_int_at(res.json, "available", -1);
    http_response_release(&res);
}

static size_t orders_count(void)
{
    struct http_response res;
    long status = client_call(g_client, "GET", "/v1/orders?limit=500", g_key, NULL, &res);
    cr_assert_eq(status, 200, "GET /v1/orders: %ld %s", status, res.body);
    size_t count = json_array_size(json_at(res.json, "data"));
    cr_assert(json_is_null(json_at(res.json, "next_cursor")), "more than one page of orders");
    http_response_release(&res);
    return count;
}

static void stop_and_check(void)
{
    char output[4096];
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    int rc = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(rc, 0, "ordo check exited %d:\n%s", rc, output);
}

Test(concurrency, buyers_300_for_50_units, .init = race_init, .fini = race_fini, .timeout = 240)
{
    static struct http_request reqs[BUYERS];
    static struct http_response res[BUYERS];
    static char bodies[BUYERS][1024];
    for (int i = 0; i < BUYERS; i++) {
        char external_id[32];
        snprintf(external_id, sizeof(external_id), "buyer-%03d", i);
        order_body(bodies[i], sizeof(bodies[i]), external_id, 1);
        reqs[i] = (struct http_request){.method = "POST",
                                        .path = "/v1/orders",
                                        .key = g_key,
                                        .body = bodies[i],
                                        .body_len = strlen(bodies[i])};
    }
    client_send_all(g_server.base_url, reqs, res, BUYERS);
    int created = 0;
    int refused = 0;
    for (int i = 0; i < BUYERS; i++) {
        const char *code = json_string_value(json_at(res[i].json, "error.code"));
        if (res[i].status == 201) {
            created++;
        } else if (res[i].status == 409 && code != NULL &&
                   strcmp(code, "insufficient_stock") == 0) {
            refused++;
        } else {
            cr_log_error("buyer %d: status %ld %s %s", i, res[i].status, res[i].error, res[i].body);
        }
    }
    for (int i = 0; i < BUYERS; i++) {
        http_response_release(&res[i]);
    }
    cr_expect_eq(created, STOCK_EAST + STOCK_WEST, "orders created: %d", created);
    cr_expect_eq(refused, BUYERS - STOCK_EAST - STOCK_WEST, "409 insufficient_stock: %d", refused);
    long long reserved;
    long long available;
    long long on_hand;
    hot_stock(&reserved, &available, &on_hand);
    cr_expect_eq(reserved, 50, "reserved %lld", reserved);
    cr_expect_eq(available, 0, "available %lld", available);
    cr_expect_eq(on_hand, 50, "on_hand %lld", on_hand);
    cr_expect_eq(orders_count(), (size_t)created, "orders listed vs 201 answers");
    stop_and_check();
}

/* Sends SAME_COPIES copies of one request at once; all must get one status and one order id. */
static void send_copies(const char *idempotency_header, const char *body, long *status_out,
                        char *id_out, size_t id_size)
{
    static struct http_request reqs[SAME_COPIES];
    static struct http_response res[SAME_COPIES];
    for (int i = 0; i < SAME_COPIES; i++) {
        reqs[i] = (struct http_request){.method = "POST",
                                        .path = "/v1/orders",
                                        .key = g_key,
                                        .body = body,
                                        .body_len = strlen(body)};
        reqs[i].headers[0] = idempotency_header;
    }
    client_send_all(g_server.base_url, reqs, res, SAME_COPIES);
    id_out[0] = '\0';
    for (int i = 0; i < SAME_COPIES; i++) {
        const char *id = json_string_value(json_at(res[i].json, "id"));
        cr_log_info("copy %d: %ld %s", i, res[i].status, id != NULL ? id : res[i].body);
        if (i == 0) {
            status_out[0] = res[i].status;
            snprintf(id_out, id_size, "%s", id != NULL ? id : "");
        }
        status_out[i] = res[i].status;
        cr_expect(id != NULL && strcmp(id, id_out) == 0, "copy %d: status %ld, body %s", i,
                  res[i].status, res[i].body);
    }
    for (int i = 0; i < SAME_COPIES; i++) {
        http_response_release(&res[i]);
    }
}

Test(concurrency, same_idempotency_key_20_at_once, .init = race_init, .fini = race_fini,
     .timeout = 120)
{
    char body[1024];
    char id[128];
    long status[SAME_COPIES];
    order_body(body, sizeof(body), "same-key", 2);
    send_copies("Idempotency-Key: race-key-1", body, status, id, sizeof(id));
    for (int i = 0; i < SAME_COPIES; i++) {
        cr_expect_eq(status[i], 201, "copy %d answered %ld (every copy must get the first answer)",
                     i, status[i]);
    }
    cr_expect_eq(orders_count(), 1, "orders after 20 copies with one Idempotency-Key");
    long long reserved;
    long long available;
    long long on_hand;
    hot_stock(&reserved, &available, &on_hand);
    cr_expect_eq(reserved, 2, "reserved %lld (one order of 2)", reserved);
    stop_and_check();
}

Test(concurrency, same_external_id_20_at_once, .init = race_init, .fini = race_fini, .timeout = 120)
{
    char body[1024];
    char id[128];
    long status[SAME_COPIES];
    order_body(body, sizeof(body), "same-external-id", 1);
    send_copies("X-Test: no-idempotency-key", body, status, id, sizeof(id));
    int created = 0;
    for (int i = 0; i < SAME_COPIES; i++) {
        created += status[i] == 201;
        cr_expect(status[i] == 201 || status[i] == 200, "copy %d answered %ld", i, status[i]);
    }
    cr_expect_eq(created, 1, "201 answers: %d (the others must be 200 with the same order)",
                 created);
    cr_expect_eq(orders_count(), 1, "orders after 20 copies with one external_id");
    long long reserved;
    long long available;
    long long on_hand;
    hot_stock(&reserved, &available, &on_hand);
    cr_expect_eq(reserved, 1, "reserved %lld (one order of 1)", reserved);
    stop_and_check();
}

/*
 * One new customer's orders all at once (distinct external ids, one e-mail no order has used):
 * each capture's snapshot finds no customer, the writer inserts it without looking again, and
 * every order after the first meets the e-mail's unique key — matched at once on SQLite, run
 * again on PostgreSQL. Every order is created, all for one customer.
 */
Test(concurrency, one_new_customer_20_orders_at_once, .init = race_init, .fini = race_fini,
     .timeout = 120)
{
    static struct http_request reqs[SAME_COPIES];
    static struct http_response res[SAME_COPIES];
    static char bodies[SAME_COPIES][1024];
    for (int i = 0; i < SAME_COPIES; i++) {
        snprintf(bodies[i], sizeof(bodies[i]),
                 "{\"channel\":\"web\",\"external_id\":\"new-%02d\",\"customer\":{\"email\":"
                 "\"first-timer@example.com\"},\"currency\":\"USD\",\"lines\":[{\"sku\":\"HOT\","
                 "\"qty\":1}],\"shipping_address\":{\"line1\":\"5 Elm St\",\"city\":\"Boston\","
                 "\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"},"
                 "\"ship_policy\":\"allow_split\"}",
                 i);
        reqs[i] = (struct http_request){.method = "POST",
                                        .path = "/v1/orders",
                                        .key = g_key,
                                        .body = bodies[i],
                                        .body_len = strlen(bodies[i])};
    }
    client_send_all(g_server.base_url, reqs, res, SAME_COPIES);
    char customer_id[64] = "";
    for (int i = 0; i < SAME_COPIES; i++) {
        cr_expect_eq(res[i].status, 201, "order %d: %ld %s", i, res[i].status, res[i].body);
        const char *id = json_string_value(json_at(res[i].json, "customer.id"));
        if (id != NULL && customer_id[0] == '\0') {
            snprintf(customer_id, sizeof(customer_id), "%s", id);
        }
        cr_expect(id != NULL && strcmp(id, customer_id) == 0, "order %d: customer %s, not %s", i,
                  id != NULL ? id : "(none)", customer_id);
    }
    for (int i = 0; i < SAME_COPIES; i++) {
        http_response_release(&res[i]);
    }
    struct http_response found;
    long status = client_call(g_client, "GET", "/v1/customers?email=first-timer@example.com", g_key,
                              NULL, &found);
    cr_assert_eq(status, 200, "%ld %s", status, found.body);
    cr_expect_eq(json_array_size(json_at(found.json, "data")), 1, "%s", found.body);
    http_response_release(&found);
    char path[128];
    snprintf(path, sizeof(path), "/v1/customers/%s", customer_id);
    struct http_response customer;
    status = client_call(g_client, "GET", path, g_key, NULL, &customer);
    cr_assert_eq(status, 200, "%ld %s", status, customer.body);
    cr_expect_eq(json_array_size(json_at(customer.json, "orders")), SAME_COPIES, "%s",
                 customer.body);
    http_response_release(&customer);
    stop_and_check();
}
