/*
 * test_durability.c — an order answered 201 survives kill -9 of the server. Method: several
 * client threads stream orders at a real `ordo serve` and record the id of every 201; the
 * server is killed with SIGKILL mid-stream and started again on the same database. Every
 * recorded order must answer 200 by id, reserved stock must equal the units of the orders that
 * exist, and `ordo check` must pass.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/server.h"

#define WRITERS          4
#define IDS_MAX          100000
#define KILL_AFTER       400 /* orders answered 201 before the kill */
#define STREAM_TIMEOUT_S 60

static struct test_server g_server;
static char g_key[TEST_SERVER_KEY_MAX];
static char g_base_url[64];

/* The ids of the orders answered 201, shared by the writer threads. */
static pthread_mutex_t g_ids_lock = PTHREAD_MUTEX_INITIALIZER;
static char (*g_ids)[64];
static size_t g_ids_count;
static atomic_bool g_stop;
static atomic_int g_failed_transfers;

static void durability_fini(void)
{
    test_server_cleanup(&g_server);
    free(g_ids);
    g_ids = NULL;
}

static void setup_store(struct client *client)
{
    const char *posts[][2] = {
        {"/v1/locations",
         "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
         "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
         "\"postal_code\":\"07114\",\"country\":\"US\",\"lat\":40.70,\"lon\":-74.17},"
         "\"capabilities\":[\"ship\"]}"},
        {"/v1/products",
         "{\"sku\":\"DUR\",\"name\":\"Durable\",\"price\":1000,\"currency\":\"USD\"}"},
    };
    for (size_t i = 0; i < 2; i++) {
        struct http_response res;
        long status = client_call(client, "POST", posts[i][0], g_key, posts[i][1], &res);
        cr_assert_eq(status, 201, "setup %s: %ld %s", posts[i][0], status, res.body);
        http_response_release(&res);
    }
    struct http_response res;
    long status = client_call(client, "PUT", "/v1/inventory/DUR/DC-EAST", g_key,
                              "{\"on_hand\":1000000}", &res);
    cr_assert(status == 200 || status == 201, "count: %ld %s", status, res.body);
    http_response_release(&res);
}

static void record_id(const char *id)
{
    pthread_mutex_lock(&g_ids_lock);
    if (g_ids_count < IDS_MAX) {
        snprintf(g_ids[g_ids_count], sizeof(g_ids[0]), "%s", id);
        g_ids_count++;
    }
    pthread_mutex_unlock(&g_ids_lock);
}

static size_t ids_count(void)
{
    pthread_mutex_lock(&g_ids_lock);
    size_t count = g_ids_count;
    pthread_mutex_unlock(&g_ids_lock);
    return count;
}

/* One writer: orders until told to stop or until the server is gone. */
static void *writer_main(void *arg)
{
    int writer = (int)(intptr_t)arg;
    struct client *client = client_new(g_base_url);
    char body[1024];
    for (int n = 0; !atomic_load(&g_stop); n++) {
        snprintf(
            body, sizeof(body),
            "{\"channel\":\"web\",\"external_id\":\"dur-%d-%d\",\"customer\":{\"email\":"
            "\"w%d@example.com\"},\"currency\":\"USD\",\"lines\":[{\"sku\":\"DUR\",\"qty\":1}],"
            "\"shipping_address\":{\"line1\":\"5 Elm St\",\"city\":\"Boston\",\"region\":\"MA\","
            "\"postal_code\":\"02118\",\"country\":\"US\"},\"fulfillment\":{\"method\":\"ship\"}}",
            writer, n, writer);
        struct http_response res;
        long status = client_call(client, "POST", "/v1/orders", g_key, body, &res);
        const char *id = json_string_value(json_at(res.json, "id"));
        if (status == 201 && id != NULL) {
            record_id(id);
        } else if (status == 0) {
            atomic_fetch_add(&g_failed_transfers, 1);
            http_response_release(&res);
            break;
        }
        http_response_release(&res);
    }
    client_free(client);
    return NULL;
}

/* Counts every order through the list, page by page; returns -1 on an error. */
static long long all_orders(struct client *client)
{
    char path[512];
    char cursor[256] = "";
    long long count = 0;
    for (int page = 0; page < 1000; page++) {
        snprintf(path, sizeof(path), "/v1/orders?limit=500%s%s", cursor[0] ? "&cursor=" : "",
                 cursor);
        struct http_response res;
        if (client_call(client, "GET", path, g_key, NULL, &res) != 200) {
            http_response_release(&res);
            return -1;
        }
        count += (long long)json_array_size(json_at(res.json, "data"));
        const char *next = json_string_value(json_at(res.json, "next_cursor"));
        snprintf(cursor, sizeof(cursor), "%s", next != NULL ? next : "");
        http_response_release(&res);
        if (next == NULL) {
            return count;
        }
    }
    return -1;
}

static void stream_and_kill(void)
{
    pthread_t writers[WRITERS];
    atomic_store(&g_stop, false);
    for (int i = 0; i < WRITERS; i++) {
        cr_assert_eq(pthread_create(&writers[i], NULL, writer_main, (void *)(intptr_t)i), 0);
    }
    time_t deadline = time(NULL) + STREAM_TIMEOUT_S;
    while (ids_count() < KILL_AFTER && time(NULL) < deadline) {
        usleep(2000);
    }
    test_server_kill(&g_server);
    size_t at_kill = ids_count();
    atomic_store(&g_stop, true);
    for (int i = 0; i < WRITERS; i++) {
        pthread_join(writers[i], NULL);
    }
    cr_log_info("%zu orders answered 201 when killed, %zu in all, %d writers cut off", at_kill,
                ids_count(), atomic_load(&g_failed_transfers));
    cr_assert_geq(at_kill, KILL_AFTER, "only %zu orders were answered 201 in %d s", at_kill,
                  STREAM_TIMEOUT_S);
}

Test(durability, kill_9_mid_stream, .fini = durability_fini, .timeout = 240)
{
    g_ids = calloc(IDS_MAX, sizeof(*g_ids));
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    snprintf(g_base_url, sizeof(g_base_url), "%s", g_server.base_url);
    struct client *client = client_new(g_base_url);
    setup_store(client);
    client_free(client);

    stream_and_kill();

    cr_assert(test_server_start(&g_server), "restart after kill -9: %s", g_server.error);
    client = client_new(g_server.base_url);
    size_t missing = 0;
    for (size_t i = 0; i < g_ids_count; i++) {
        char path[128];
        struct http_response res;
        snprintf(path, sizeof(path), "/v1/orders/%s", g_ids[i]);
        long status = client_call(client, "GET", path, g_key, NULL, &res);
        if (status != 200) {
            missing++;
            cr_log_error("order %s answered 201 before the kill, now %ld %s", g_ids[i], status,
                         res.body);
        }
        http_response_release(&res);
    }
    cr_expect_eq(missing, 0, "%zu of %zu acknowledged orders lost", missing, g_ids_count);
    long long orders = all_orders(client);
    struct http_response res;
    cr_assert_eq(client_call(client, "GET", "/v1/inventory/DUR", g_key, NULL, &res), 200);
    long long reserved = json_int_at(json_at(res.json, "locations"), "0.reserved", -1);
    http_response_release(&res);
    client_free(client);
    cr_expect_geq(orders, (long long)g_ids_count, "orders listed %lld < acknowledged %zu", orders,
                  g_ids_count);
    cr_expect_eq(reserved, orders, "reserved %lld but %lld orders of 1 unit exist", reserved,
                 orders);
    char output[4096];
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    int rc = test_server_check(&g_server, output, sizeof(output));
    cr_expect_eq(rc, 0, "ordo check after kill -9 and restart exited %d:\n%s", rc, output);
}
