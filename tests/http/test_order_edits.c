/*
 * test_order_edits.c — edits that race each other (README "Order edits and notes"): eight
 * PATCH /v1/orders/{id} with the same `If-Match: 1` and different quantities sent at once on
 * eight connections (curl multi: every request is on the wire before any answer is read)
 * must apply exactly one: one 200 with version 2, seven 412 version_mismatch. The order then
 * has the winner's quantity, its stock reserves exactly that, its history one order.edited,
 * and `ordo check` passes after the server stops.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "support/client.h"
#include "support/server.h"

#define EDITORS 8

static struct test_server g_server;
static struct client *g_client;
static char g_key[TEST_SERVER_KEY_MAX];

static void edits_fini(void)
{
    client_free(g_client);
    g_client = NULL;
    test_server_cleanup(&g_server);
}

TestSuite(order_edits, .timeout = 120, .fini = edits_fini);

static struct http_response call(const char *method, const char *path, const char *body, long want)
{
    struct http_response res;
    long status = client_call(g_client, method, path, g_key, body, &res);
    cr_assert_eq(status, want, "%s %s: %ld %s", method, path, status, res.body);
    return res;
}

/* A server with one warehouse stocking 40 MUGs and an order of 1 MUG; its id and line id. */
static void edits_start(char *order_id, char *line_id, size_t size)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    g_client = client_new(g_server.base_url);
    struct http_response res = call(
        "POST", "/v1/locations",
        "{\"code\":\"DC-EAST\",\"name\":\"East\",\"kind\":\"warehouse\",\"address\":{\"line1\":"
        "\"1 Main St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":\"07114\","
        "\"country\":\"US\"},\"capabilities\":[\"ship\"]}",
        201);
    http_response_release(&res);
    res = call("POST", "/v1/products",
               "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1299,\"currency\":\"USD\"}", 201);
    http_response_release(&res);
    res = call("PUT", "/v1/inventory/MUG/DC-EAST", "{\"on_hand\":40}", 200);
    http_response_release(&res);
    res = call("POST", "/v1/orders",
               "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":"
               "\"USD\",\"lines\":[{\"sku\":\"MUG\",\"qty\":1}],\"shipping_address\":{\"line1\":"
               "\"5 Elm St\",\"city\":\"Boston\",\"postal_code\":\"02118\",\"country\":\"US\"},"
               "\"payment\":{\"provider\":\"sandbox\",\"card\":\"4242424242424242\"}}",
               201);
    char scratch[64];
    snprintf(order_id, size, "%s", json_text_at(res.json, "id", scratch, sizeof(scratch)));
    snprintf(line_id, size, "%s", json_text_at(res.json, "lines.0.id", scratch, sizeof(scratch)));
    cr_assert_eq(json_int_at(res.json, "version", -1), 1, "%s", res.body);
    http_response_release(&res);
}

Test(order_edits, concurrent_edits_one_wins_the_others_412)
{
    char order_id[64];
    char line_id[64];
    edits_start(order_id, line_id, sizeof(order_id));
    char path[128];
    snprintf(path, sizeof(path), "/v1/orders/%s", order_id);
    char bodies[EDITORS][256];
    struct http_request reqs[EDITORS];
    struct http_response res[EDITORS];
    for (int i = 0; i < EDITORS; i++) {
        snprintf(bodies[i], sizeof(bodies[i]), "{\"lines\":[{\"line_id\":\"%s\",\"qty\":%d}]}",
                 line_id, i + 2);
        reqs[i] = (struct http_request){.method = "PATCH",
                                        .path = path,
                                        .key = g_key,
                                        .body = bodies[i],
                                        .body_len = strlen(bodies[i])};
        reqs[i].headers[0] = "If-Match: 1";
    }
    client_send_all(g_server.base_url, reqs, res, EDITORS);
    int applied = 0;
    int stale = 0;
    long long winner_qty = 0;
    for (int i = 0; i < EDITORS; i++) {
        const char *code = json_string_value(json_at(res[i].json, "error.code"));
        if (res[i].status == 200) {
            applied++;
            winner_qty = i + 2;
            cr_expect_eq(json_int_at(res[i].json, "version", -1), 2, "%s", res[i].body);
            cr_expect_eq(json_int_at(res[i].json, "lines.0.qty", -1), winner_qty, "%s",
                         res[i].body);
        } else if (res[i].status == 412 && code != NULL && strcmp(code, "version_mismatch") == 0) {
            stale++;
        } else {
            cr_log_error("editor %d: %ld %s %s", i, res[i].status, res[i].error, res[i].body);
        }
        http_response_release(&res[i]);
    }
    cr_assert_eq(applied, 1, "edits applied: %d", applied);
    cr_expect_eq(stale, EDITORS - 1, "412 version_mismatch: %d", stale);

    struct http_response order = call("GET", path, NULL, 200);
    cr_expect_eq(json_int_at(order.json, "version", -1), 2, "%s", order.body);
    cr_expect_eq(json_int_at(order.json, "lines.0.qty", -1), winner_qty, "%s", order.body);
    cr_expect_eq(json_int_at(order.json, "totals.total", -1), winner_qty * 1299, "%s", order.body);
    http_response_release(&order);
    struct http_response stock = call("GET", "/v1/inventory/MUG", NULL, 200);
    cr_expect_eq(json_int_at(stock.json, "locations.0.reserved", -1), winner_qty, "%s", stock.body);
    http_response_release(&stock);
    snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
    struct http_response events = call("GET", path, NULL, 200);
    const char *first = strstr(events.body, "\"order.edited\"");
    cr_expect(first != NULL && strstr(first + 1, "\"order.edited\"") == NULL,
              "exactly one order.edited: %s", events.body);
    http_response_release(&events);

    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[4096];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
}
