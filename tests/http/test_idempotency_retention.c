/*
 * test_idempotency_retention.c — idempotency answers are kept for IDEMPOTENCY_RETENTION_MS
 * (7 days) and then forgotten by `ordo jobs run`, so the table does not grow for ever. Method:
 * a real server takes an order with an Idempotency-Key; `ordo jobs run --now` six days later
 * keeps the answer (a repeat returns the same order), eight days later forgets it (the same key
 * then creates a new order), and `ordo check` still passes.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/server.h"

#define RET_DAY_SECONDS 86400
#define RET_OUTPUT_MAX  4096

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];

static const char g_order[] =
    "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":\"USD\","
    "\"lines\":[{\"sku\":\"MUG\",\"qty\":1}],\"shipping_address\":{\"line1\":\"5 Elm St\","
    "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"}}";

static void setup_call(struct client *client, const char *method, const char *path,
                       const char *body)
{
    struct http_response res;
    long status = client_call(client, method, path, g_key, body, &res);
    cr_assert(status == 200 || status == 201, "%s %s: %ld %s", method, path, status, res.body);
    http_response_release(&res);
}

/* Posts the order with the fixed key; returns the status and copies the order id. */
static long post_keyed(struct client *client, char *id_out, size_t id_size)
{
    struct http_request req = {
        .method = "POST",
        .path = "/v1/orders",
        .key = g_key,
        .headers = {"Idempotency-Key: checkout-42", NULL},
        .body = g_order,
        .body_len = strlen(g_order),
    };
    struct http_response res;
    client_send(client, &req, &res);
    const char *id = res.json != NULL ? json_string_value(json_object_get(res.json, "id")) : NULL;
    cr_assert(id != NULL, "no order id: %ld %s", res.status, res.body);
    (void)snprintf(id_out, id_size, "%s", id);
    long status = res.status;
    http_response_release(&res);
    return status;
}

/* Runs `ordo jobs run --now (now + days)`; returns the number of keys it forgot. */
static long jobs_run(int days)
{
    char now[32];
    time_t when = time(NULL) + (time_t)days * RET_DAY_SECONDS;
    struct tm tm;
    gmtime_r(&when, &tm);
    cr_assert(strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm) > 0);
    const char *argv[] = {test_server_binary(), "jobs",  "run", "--db",
                          g_server.db_path,     "--now", now,   NULL};
    char output[RET_OUTPUT_MAX];
    int status = test_run_capture(argv, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo jobs run: %d %s", status, output);
    long expired = -1;
    long forgotten = -1;
    const char *text = strstr(output, "ordo jobs: ");
    cr_assert(text != NULL &&
                  sscanf(text, "ordo jobs: %ld pickups expired, %ld idempotency keys forgotten",
                         &expired, &forgotten) == 2,
              "%s", output);
    return forgotten;
}

Test(idempotency_retention, answers_are_forgotten_after_seven_days, .timeout = 60)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    struct client *client = client_new(g_server.base_url);
    setup_call(client, "POST", "/v1/locations",
               "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\",\"address\":{"
               "\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":"
               "\"07114\",\"country\":\"US\"},\"capabilities\":[\"ship\"]}");
    setup_call(client, "POST", "/v1/products",
               "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1299,\"currency\":\"USD\"}");
    setup_call(client, "PUT", "/v1/inventory/MUG/DC-EAST", "{\"on_hand\":10}");

    char first[64];
    char again[64];
    cr_assert_eq(post_keyed(client, first, sizeof(first)), 201);
    cr_assert_eq(jobs_run(6), 0, "six days in, the answer is kept");
    cr_assert_eq(post_keyed(client, again, sizeof(again)), 201, "the repeat answers as the first");
    cr_assert_str_eq(again, first, "the repeat is the same order");

    cr_assert_eq(jobs_run(8), 1, "eight days in, the answer is forgotten");
    cr_assert_eq(post_keyed(client, again, sizeof(again)), 201);
    cr_assert_str_neq(again, first, "a forgotten key takes a new order");
    client_free(client);

    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[RET_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
    test_server_cleanup(&g_server);
}
