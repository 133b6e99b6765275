/*
 * test_availability.c — goal: what GET /v1/availability promises depends on the clock (cut-off
 * times, handling days, carrier transit days), and soft holds expire by themselves. Method: a
 * real server; the expected dates are computed here from the same clock (today's UTC date; a
 * test that straddles midnight UTC starts over once). Expiry: a hold of 30 s (the shortest) is
 * waited out for real: it stops counting at once (availability, and an order that needs its
 * units is taken), GET shows it expired, then `ordo jobs run` releases it with a ledger row, a
 * second run finds nothing, and `ordo check` passes.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "support/client.h"
#include "support/server.h"

#define AV_OUTPUT_MAX  4096
#define AV_DAY_SECONDS (24 * 60 * 60)

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

/* "YYYY-MM-DD" of the UTC day `days` after the day of t. */
static void day_after(time_t t, int days, char out[16])
{
    time_t when = t + (time_t)days * AV_DAY_SECONDS;
    struct tm tm;
    gmtime_r(&when, &tm);
    size_t n = strftime(out, 16, "%Y-%m-%d", &tm);
    cr_assert(n > 0);
}

static void start(struct client **client)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    *client = client_new(g_server.base_url);
}

static void finish(struct client *client)
{
    client_free(client);
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[AV_OUTPUT_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %d\n%s", status, output);
    test_server_cleanup(&g_server);
}

/* A warehouse at Newark that ships, with its cut-off and handling days. */
static void warehouse(struct client *client, const char *code, const char *cutoff, int handling)
{
    char body[512];
    snprintf(body, sizeof(body),
             "{\"code\":\"%s\",\"name\":\"%s\",\"kind\":\"warehouse\",\"address\":{\"line1\":"
             "\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":\"07114\","
             "\"country\":\"US\",\"lat\":40.70,\"lon\":-74.17},\"capabilities\":[\"ship\"],"
             "\"cutoff_time\":\"%s\",\"handling_days\":%d}",
             code, code, cutoff, handling);
    post(client, "POST", "/v1/locations", body);
}

/* The delivery dates of P (EARLY) and Q (LATE) as answered, and the time asked. */
static time_t promise(struct client *client, char p_date[16], char q_date[16])
{
    time_t asked = time(NULL);
    struct http_response res =
        call_ok(client, "GET", "/v1/availability?skus=P,Q&lat=40.70&lon=-74.17", NULL);
    char scratch[32];
    snprintf(p_date, 16, "%s", json_text_at(res.json, "items.0.ship.delivery_date", scratch, 32));
    snprintf(q_date, 16, "%s", json_text_at(res.json, "items.1.ship.delivery_date", scratch, 32));
    http_response_release(&res);
    return asked;
}

TestSuite(availability, .timeout = 180);

Test(availability, promise_follows_cut_off_handling_and_carriers)
{
    struct client *client = NULL;
    start(&client);
    /* EARLY's cut-off is the last minute of the day (always before it); LATE's is midnight
     * (always after it, but in the first minute) and it adds a handling day. */
    warehouse(client, "EARLY", "23:59", 0);
    warehouse(client, "LATE", "00:00", 1);
    post(client, "POST", "/v1/products",
         "{\"sku\":\"P\",\"name\":\"P\",\"price\":100,"
         "\"currency\":\"USD\"}");
    post(client, "POST", "/v1/products",
         "{\"sku\":\"Q\",\"name\":\"Q\",\"price\":100,"
         "\"currency\":\"USD\"}");
    post(client, "PUT", "/v1/inventory/P/EARLY", "{\"on_hand\":5}");
    post(client, "PUT", "/v1/inventory/Q/LATE", "{\"on_hand\":5}");
    char p_date[16];
    char q_date[16];
    char want_p[16];
    char want_q[16];
    time_t asked = promise(client, p_date, q_date);
    if (asked % AV_DAY_SECONDS < 60 || asked % AV_DAY_SECONDS > AV_DAY_SECONDS - 5) {
        sleep(61); /* midnight UTC: ask again once the first minute of the day is over */
        asked = promise(client, p_date, q_date);
    }
    /* No carrier: the estimate of 1 day for a customer next door. EARLY ships today, LATE
     * tomorrow (after the cut-off) plus its handling day. */
    day_after(asked, 1, want_p);
    day_after(asked, 3, want_q);
    cr_expect_str_eq(p_date, want_p);
    cr_expect_str_eq(q_date, want_q);
    /* A carrier that takes 2 days up to 500 km: its transit days replace the estimate. */
    post(client, "POST", "/v1/carriers",
         "{\"code\":\"UPS\",\"services\":[{\"code\":\"ground\",\"transit_days_by_distance\":"
         "[[500,2],[99999,4]],\"rates\":[{\"max_km\":99999,\"max_grams\":100000,"
         "\"price\":700}]}]}");
    asked = promise(client, p_date, q_date);
    day_after(asked, 2, want_p);
    day_after(asked, 4, want_q);
    cr_expect_str_eq(p_date, want_p);
    cr_expect_str_eq(q_date, want_q);
    finish(client);
}

/* Runs `ordo jobs run --now (now + seconds)` and returns the holds it expired. */
static long jobs_holds(long seconds)
{
    char now[32];
    time_t when = time(NULL) + seconds;
    struct tm tm;
    gmtime_r(&when, &tm);
    size_t n = strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
    cr_assert(n > 0);
    const char *argv[] = {test_server_binary(), "jobs",  "run", "--db",
                          g_server.db_path,     "--now", now,   NULL};
    char output[AV_OUTPUT_MAX];
    int status = test_run_capture(argv, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo jobs run: %d %s", status, output);
    long expired = -1;
    const char *text = strstr(output, "keys forgotten, ");
    cr_assert(text != NULL && sscanf(text, "keys forgotten, %ld holds expired", &expired) == 1,
              "%s", output);
    return expired;
}

Test(availability, expired_hold_stops_counting_and_is_released_by_the_jobs)
{
    struct client *client = NULL;
    start(&client);
    warehouse(client, "DC", "14:00", 0);
    post(client, "POST", "/v1/products",
         "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":100,"
         "\"currency\":\"USD\"}");
    post(client, "PUT", "/v1/inventory/MUG/DC", "{\"on_hand\":10}");
    struct http_response hold = call_ok(client, "POST", "/v1/holds",
                                        "{\"lines\":[{\"sku\":\"MUG\",\"qty\":3}],"
                                        "\"ttl_seconds\":30}");
    char scratch[64];
    char hold_id[64];
    snprintf(hold_id, sizeof(hold_id), "%s", json_text_at(hold.json, "id", scratch, 64));
    http_response_release(&hold);
    expect_json(client, "/v1/availability?skus=MUG", "{\"items\":[{\"available\":7}]}");
    cr_assert_eq(jobs_holds(0), 0, "a live hold is not released");

    sleep(31);
    char path[128];
    snprintf(path, sizeof(path), "/v1/holds/%s", hold_id);
    expect_json(client, path, "{\"status\":\"expired\"}");
    expect_json(client, "/v1/availability?skus=MUG", "{\"items\":[{\"available\":10}]}");
    expect_json(client, "/v1/inventory/MUG", "{\"locations\":[{\"reserved\":3}]}");
    /* An order for all 10 finds the expired hold's units: capture releases it first. */
    post(client, "POST", "/v1/orders",
         "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":\"USD\","
         "\"lines\":[{\"sku\":\"MUG\",\"qty\":10}],\"shipping_address\":{\"line1\":\"1 Main St\","
         "\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":\"07114\",\"country\":\"US\"}}");
    expect_json(client, "/v1/inventory/MUG", "{\"locations\":[{\"on_hand\":10,\"reserved\":10}]}");
    expect_json(client, path, "{\"status\":\"expired\"}");
    expect_json(client, "/v1/inventory/MUG/ledger?location=DC",
                "{\"data\":[{\"kind\":\"reserve\",\"ref_type\":\"order_line\"},{\"kind\":"
                "\"release\",\"ref_type\":\"hold\",\"reserved_delta\":-3},{\"kind\":\"reserve\","
                "\"ref_type\":\"hold\"},{\"kind\":\"adjustment\"}]}");
    cr_assert_eq(jobs_holds(60), 0, "capture already released it");

    /* A second hold that the jobs release. */
    post(client, "PUT", "/v1/inventory/MUG/DC", "{\"on_hand\":15}");
    post(client, "POST", "/v1/holds",
         "{\"lines\":[{\"sku\":\"MUG\",\"qty\":4}],"
         "\"ttl_seconds\":30}");
    expect_json(client, "/v1/availability?skus=MUG", "{\"items\":[{\"available\":1}]}");
    cr_assert_eq(jobs_holds(120), 1, "two minutes on, the jobs release it");
    cr_assert_eq(jobs_holds(180), 0, "a second run finds nothing");
    expect_json(client, "/v1/inventory/MUG", "{\"locations\":[{\"on_hand\":15,\"reserved\":10}]}");
    expect_json(client, "/v1/availability?skus=MUG", "{\"items\":[{\"available\":5}]}");
    finish(client);
}
