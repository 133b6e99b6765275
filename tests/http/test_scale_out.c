/*
 * test_scale_out.c — two `ordo serve` processes on one PostgreSQL database (issue 7; skipped on
 * SQLite, whose file has one writing process): 400 buyers split over both processes for the
 * last 50 units create exactly 50 orders; copies of one request with one Idempotency-Key sent to
 * both at once create one order and every copy gets its answer (201, the same id: a unique key
 * taken by the other process is retried, never answered 409 — also with the writers' turns off,
 * ORDO_PG_WRITER_TURNS=0, where the two processes' batches really race); kill -9 of one process
 * during a stream of orders to both loses no order answered 201, and `ordo check` passes. Method:
 * curl multi puts every request of a half on the wire before reading any answer, one thread per
 * process.
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

#define BUYERS      400
#define STOCK_EAST  30
#define STOCK_WEST  20
#define SAME_COPIES 40
#define WRITERS     6 /* per process, for the kill -9 stream */
#define KILL_AFTER  300
#define IDS_MAX     100000

static struct test_server g_servers[2]; /* [0] owns the database; [1] serves the same one */
static struct client *g_client;
static char g_key[TEST_SERVER_KEY_MAX];

static void scale_fini(void)
{
    client_free(g_client);
    g_client = NULL;
    test_server_kill(&g_servers[1]);
    test_server_cleanup(&g_servers[0]);
}

/* Starts the second process on the first one's database. */
static void second_start(void)
{
    struct test_server *second = &g_servers[1];
    memset(second, 0, sizeof(*second));
    second->stdout_fd = -1;
    snprintf(second->db_path, sizeof(second->db_path), "%s", g_servers[0].db_path);
    cr_assert(test_server_start(second), "%s", second->error);
}

/* Both processes on a fresh database, with an admin key, two warehouses and one product. */
static void scale_init(void)
{
    if (!test_server_is_pg()) {
        return; /* the test skips itself */
    }
    cr_assert(test_server_init(&g_servers[0]), "%s", g_servers[0].error);
    cr_assert(test_server_start(&g_servers[0]), "%s", g_servers[0].error);
    second_start();
    cr_assert(test_server_key_create(&g_servers[0], "admin", NULL, NULL, g_key, sizeof(g_key)),
              "%s", g_servers[0].error);
    g_client = client_new(g_servers[0].base_url);
    const char *setup[][3] = {
        {"POST", "/v1/locations",
         "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
         "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
         "\"postal_code\":\"07114\",\"country\":\"US\",\"lat\":40.70,\"lon\":-74.17},"
         "\"capabilities\":[\"ship\"]}"},
        {"POST", "/v1/locations",
         "{\"code\":\"DC-WEST\",\"name\":\"LA DC\",\"kind\":\"warehouse\","
         "\"address\":{\"line1\":\"1 Main St\",\"city\":\"Los Angeles\",\"region\":"
         "\"CA\",\"postal_code\":\"90021\",\"country\":\"US\",\"lat\":34.03,"
         "\"lon\":-118.24},\"capabilities\":[\"ship\"]}"},
        {"POST", "/v1/products",
         "{\"sku\":\"HOT\",\"name\":\"Hot item\",\"price\":2500,\"currency\":\"USD\"}"},
        {"PUT", "/v1/inventory/HOT/DC-EAST", "{\"on_hand\":30}"},
        {"PUT", "/v1/inventory/HOT/DC-WEST", "{\"on_hand\":20}"},
    };
    for (size_t i = 0; i < sizeof(setup) / sizeof(setup[0]); i++) {
        struct http_response res;
        long status = client_call(g_client, setup[i][0], setup[i][1], g_key, setup[i][2], &res);
        cr_assert(status == 200 || status == 201, "setup %s: %ld %s", setup[i][1], status,
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

/* One half of a burst: its requests all go to one process. */
struct half {
    const char *base_url;
    const struct http_request *reqs;
    struct http_response *res;
    size_t count;
};

static void *half_main(void *arg)
{
    struct half *half = arg;
    client_send_all(half->base_url, half->reqs, half->res, half->count);
    return NULL;
}

/* Sends the first half of reqs to process 0 and the second to process 1, both at once. */
static void send_split(const struct http_request *reqs, struct http_response *res, size_t count)
{
    struct half halves[2] = {
        {g_servers[0].base_url, reqs, res, count / 2},
        {g_servers[1].base_url, reqs + count / 2, res + count / 2, count - count / 2},
    };
    pthread_t threads[2];
    for (int i = 0; i < 2; i++) {
        cr_assert_eq(pthread_create(&threads[i], NULL, half_main, &halves[i]), 0);
    }
    for (int i = 0; i < 2; i++) {
        pthread_join(threads[i], NULL);
    }
}

static long long hot_reserved(long long *available)
{
    struct http_response res;
    long status = client_call(g_client, "GET", "/v1/inventory/HOT", g_key, NULL, &res);
    cr_assert_eq(status, 200, "GET /v1/inventory/HOT: %ld %s", status, res.body);
    json_t *locations = json_at(res.json, "locations");
    long long reserved = 0;
    for (size_t i = 0; i < json_array_size(locations); i++) {
        reserved += json_int_at(json_array_get(locations, i), "reserved", -1000000);
    }
    *available = json_int_at(res.json, "available", -1);
    http_response_release(&res);
    return reserved;
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

static void stop_both_and_check(void)
{
    cr_assert(test_server_stop(&g_servers[1]), "%s", g_servers[1].error);
    cr_assert(test_server_stop(&g_servers[0]), "%s", g_servers[0].error);
    char output[4096];
    int rc = test_server_check(&g_servers[0], output, sizeof(output));
    cr_assert_eq(rc, 0, "ordo check exited %d:\n%s", rc, output);
}

Test(scale_out, buyers_400_over_two_processes_for_50_units, .init = scale_init, .fini = scale_fini,
     .timeout = 240)
{
    if (!test_server_is_pg()) {
        cr_skip_test("two processes on one database: PostgreSQL only (ORDO_TEST_PG_URL)");
    }
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
    send_split(reqs, res, BUYERS);
    int created[2] = {0, 0};
    int refused = 0;
    for (int i = 0; i < BUYERS; i++) {
        const char *code = json_string_value(json_at(res[i].json, "error.code"));
        if (res[i].status == 201) {
            created[i < BUYERS / 2 ? 0 : 1]++;
        } else if (res[i].status == 409 && code != NULL &&
                   strcmp(code, "insufficient_stock") == 0) {
            refused++;
        } else {
            cr_log_error("buyer %d: status %ld %s %s", i, res[i].status, res[i].error, res[i].body);
        }
        http_response_release(&res[i]);
    }
    cr_log_info("orders created: %d by process 0, %d by process 1", created[0], created[1]);
    cr_expect_eq(created[0] + created[1], STOCK_EAST + STOCK_WEST, "orders created: %d",
                 created[0] + created[1]);
    cr_expect_eq(refused, BUYERS - STOCK_EAST - STOCK_WEST, "409 insufficient_stock: %d", refused);
    long long available = -1;
    cr_expect_eq(hot_reserved(&available), 50);
    cr_expect_eq(available, 0, "available %lld", available);
    cr_expect_eq(orders_count(), (size_t)(created[0] + created[1]), "orders listed vs 201 answers");
    stop_both_and_check();
}

/* Copies of one request with one Idempotency-Key split over both processes; every copy must get
 * the first order (201, its id). */
static void same_key_on_both(void)
{
    static struct http_request reqs[SAME_COPIES];
    static struct http_response res[SAME_COPIES];
    char body[1024];
    order_body(body, sizeof(body), "same-key", 2);
    for (int i = 0; i < SAME_COPIES; i++) {
        reqs[i] = (struct http_request){.method = "POST",
                                        .path = "/v1/orders",
                                        .key = g_key,
                                        .body = body,
                                        .body_len = strlen(body)};
        reqs[i].headers[0] = "Idempotency-Key: race-key-1";
    }
    send_split(reqs, res, SAME_COPIES);
    char first[128] = "";
    for (int i = 0; i < SAME_COPIES; i++) {
        const char *id = json_string_value(json_at(res[i].json, "id"));
        if (first[0] == '\0' && id != NULL) {
            snprintf(first, sizeof(first), "%s", id);
        }
        cr_expect_eq(res[i].status, 201, "copy %d (process %d) answered %ld %s", i,
                     i < SAME_COPIES / 2 ? 0 : 1, res[i].status, res[i].body);
        cr_expect(id != NULL && strcmp(id, first) == 0, "copy %d: another order %s", i,
                  id != NULL ? id : res[i].body);
        http_response_release(&res[i]);
    }
    cr_expect_eq(orders_count(), 1, "orders after %d copies with one Idempotency-Key", SAME_COPIES);
    long long available = -1;
    cr_expect_eq(hot_reserved(&available), 2, "one order of 2 reserved");
    stop_both_and_check();
}

Test(scale_out, same_idempotency_key_on_both_processes, .init = scale_init, .fini = scale_fini,
     .timeout = 120)
{
    if (!test_server_is_pg()) {
        cr_skip_test("two processes on one database: PostgreSQL only (ORDO_TEST_PG_URL)");
    }
    same_key_on_both();
}

/* The same without the writers' turns (ORDO_PG_WRITER_TURNS=0): the two processes' batches
 * run at once, the second insert of the customer or of the key hits the first one's unique
 * index, and the writer must run that command again (it then answers the first order). */
static void scale_init_without_turns(void)
{
    setenv("ORDO_PG_WRITER_TURNS", "0", 1);
    scale_init();
    unsetenv("ORDO_PG_WRITER_TURNS");
}

Test(scale_out, same_idempotency_key_racing_without_turns, .init = scale_init_without_turns,
     .fini = scale_fini, .timeout = 120)
{
    if (!test_server_is_pg()) {
        cr_skip_test("two processes on one database: PostgreSQL only (ORDO_TEST_PG_URL)");
    }
    same_key_on_both();
}

/* ---- kill -9 of one process during a stream of orders to both ----------------------------- */

static pthread_mutex_t g_ids_lock = PTHREAD_MUTEX_INITIALIZER;
static char (*g_ids)[64];
static size_t g_ids_count;
static atomic_bool g_stop;

static size_t ids_count(void)
{
    pthread_mutex_lock(&g_ids_lock);
    size_t count = g_ids_count;
    pthread_mutex_unlock(&g_ids_lock);
    return count;
}

/* One writer: orders of 1 unit to one process until told to stop or until it is gone. */
static void *stream_main(void *arg)
{
    int writer = (int)(intptr_t)arg;
    struct client *client = client_new(g_servers[writer % 2].base_url);
    char body[1024];
    for (int n = 0; !atomic_load(&g_stop); n++) {
        char external_id[48];
        snprintf(external_id, sizeof(external_id), "s-%d-%d", writer, n);
        order_body(body, sizeof(body), external_id, 1);
        struct http_response res;
        long status = client_call(client, "POST", "/v1/orders", g_key, body, &res);
        const char *id = json_string_value(json_at(res.json, "id"));
        if (status == 201 && id != NULL) {
            pthread_mutex_lock(&g_ids_lock);
            if (g_ids_count < IDS_MAX) {
                snprintf(g_ids[g_ids_count++], sizeof(g_ids[0]), "%s", id);
            }
            pthread_mutex_unlock(&g_ids_lock);
        }
        http_response_release(&res);
        if (status == 0) {
            break; /* the killed process: nothing more to send there */
        }
    }
    client_free(client);
    return NULL;
}

Test(scale_out, kill_9_of_one_process_loses_no_acknowledged_order, .init = scale_init,
     .fini = scale_fini, .timeout = 240)
{
    if (!test_server_is_pg()) {
        cr_skip_test("two processes on one database: PostgreSQL only (ORDO_TEST_PG_URL)");
    }
    struct http_response res;
    cr_assert_eq(client_call(g_client, "PUT", "/v1/inventory/HOT/DC-EAST", g_key,
                             "{\"on_hand\":1000000}", &res) /
                     100,
                 2);
    http_response_release(&res);
    g_ids = calloc(IDS_MAX, sizeof(*g_ids));
    cr_assert_not_null(g_ids);
    pthread_t writers[2 * WRITERS];
    atomic_store(&g_stop, false);
    for (int i = 0; i < 2 * WRITERS; i++) {
        cr_assert_eq(pthread_create(&writers[i], NULL, stream_main, (void *)(intptr_t)i), 0);
    }
    time_t deadline = time(NULL) + 60;
    while (ids_count() < KILL_AFTER && time(NULL) < deadline) {
        usleep(2000);
    }
    test_server_kill(&g_servers[1]);
    size_t at_kill = ids_count();
    usleep(300000); /* process 0 goes on taking orders after the kill */
    atomic_store(&g_stop, true);
    for (int i = 0; i < 2 * WRITERS; i++) {
        pthread_join(writers[i], NULL);
    }
    cr_log_info("%zu orders answered 201 at the kill, %zu in all", at_kill, ids_count());
    cr_assert_geq(at_kill, KILL_AFTER, "only %zu orders answered 201 in 60 s", at_kill);
    size_t missing = 0;
    for (size_t i = 0; i < g_ids_count; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/v1/orders/%s", g_ids[i]);
        long status = client_call(g_client, "GET", path, g_key, NULL, &res);
        if (status != 200) {
            missing++;
            cr_log_error("order %s answered 201, now %ld %s", g_ids[i], status, res.body);
        }
        http_response_release(&res);
    }
    free(g_ids);
    g_ids = NULL;
    cr_expect_eq(missing, 0, "%zu of %zu acknowledged orders lost", missing, g_ids_count);
    cr_assert(test_server_stop(&g_servers[0]), "%s", g_servers[0].error);
    char output[4096];
    int rc = test_server_check(&g_servers[0], output, sizeof(output));
    cr_expect_eq(rc, 0, "ordo check exited %d:\n%s", rc, output);
}
