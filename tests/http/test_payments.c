/*
 * test_payments.c — the Stripe provider end to end, against tests/support/fake_stripe (a
 * stand-in answering as Stripe's PaymentIntents API does on 127.0.0.1; nothing calls the real
 * service). Method: a real `ordo serve` configured through ORDO_STRIPE_SECRET_KEY and
 * ORDO_STRIPE_BASE_URL takes orders paid with Stripe payment methods; the tests check what
 * Ordo answers and records (GET /v1/orders/{id}/payments) and what the fake saw (amounts
 * authorized, captured, canceled; the Authorization header). Captures and voids are made
 * by the payments worker after their command, so the tests wait for them to complete. Also:
 * a decline and a new payment, a capture that fails, an outage during which captures stay
 * pending and are resumed after a restart, a wrong secret key and Stripe unreachable (502
 * payment_provider_unavailable), an order edit that raises the total (authorized again
 * outside the writer), the refund of a return made through Stripe, an exchange's difference
 * charged on the original payment method (and declined), and `ordo check` catching refunds
 * above captures. `ordo check` passes after each scenario.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "support/client.h"
#include "support/fake_stripe.h"
#include "support/server.h"

#define PAY_KEY       "sk_test_ordo_fake_51"
#define PAY_WAIT_MS   15000
#define PAY_CHECK_MAX 8192
#define PAY_ID_MAX    64

static struct test_server g_server;
static struct fake_stripe *g_stripe;
static struct client *g_client;
static char g_key[TEST_SERVER_KEY_MAX];

static void pay_fini(void)
{
    client_free(g_client);
    g_client = NULL;
    test_server_cleanup(&g_server);
    fake_stripe_stop(g_stripe);
    g_stripe = NULL;
}

TestSuite(payments, .timeout = 120, .fini = pay_fini);

static struct http_response call(const char *method, const char *path, const char *body, long want)
{
    struct http_response res;
    long status = client_call(g_client, method, path, g_key, body, &res);
    cr_assert_eq(status, want, "%s %s: %ld %s", method, path, status, res.body);
    return res;
}

static void call_ok(const char *method, const char *path, const char *body)
{
    struct http_response res = call(method, path, body, strcmp(method, "PUT") == 0 ? 200 : 201);
    http_response_release(&res);
}

/* Starts the fake and a server pointed at it (secret_key: what the server sends). */
static void pay_start(const char *secret_key)
{
    g_stripe = fake_stripe_start(PAY_KEY);
    cr_assert(g_stripe != NULL, "fake stripe did not start");
    setenv("ORDO_STRIPE_SECRET_KEY", secret_key, 1);
    setenv("ORDO_STRIPE_BASE_URL", fake_stripe_url(g_stripe), 1);
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    unsetenv("ORDO_STRIPE_SECRET_KEY");
    unsetenv("ORDO_STRIPE_BASE_URL");
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_key, sizeof(g_key)), "%s",
              g_server.error);
    g_client = client_new(g_server.base_url);
    call_ok("POST", "/v1/locations",
            "{\"code\":\"DC-EAST\",\"name\":\"East\",\"kind\":\"warehouse\",\"address\":{"
            "\"line1\":\"1 Main St\",\"city\":\"Newark\",\"region\":\"NJ\",\"postal_code\":"
            "\"07114\",\"country\":\"US\"},\"capabilities\":[\"ship\",\"return\"]}");
    call_ok("POST", "/v1/locations",
            "{\"code\":\"DC-WEST\",\"name\":\"West\",\"kind\":\"warehouse\",\"address\":{"
            "\"line1\":\"1 Main St\",\"city\":\"Los Angeles\",\"region\":\"CA\","
            "\"postal_code\":\"90021\",\"country\":\"US\"},\"capabilities\":[\"ship\"]}");
    call_ok("POST", "/v1/products",
            "{\"sku\":\"TSHIRT\",\"name\":\"T-shirt\",\"price\":1999,\"currency\":\"USD\"}");
    call_ok("PUT", "/v1/inventory/TSHIRT/DC-EAST", "{\"on_hand\":40}");
    call_ok("PUT", "/v1/inventory/TSHIRT/DC-WEST", "{\"on_hand\":40}");
}

/* Takes an order of qty T-shirts paid with a Stripe payment method; saves id and shipments. */
static struct http_response pay_order(const char *external_id, int qty, const char *method,
                                      long want)
{
    char body[1024];
    snprintf(
        body, sizeof(body),
        "{\"channel\":\"web\",\"external_id\":\"%s\",\"customer\":{\"email\":"
        "\"ana@example.com\"},\"currency\":\"USD\",\"lines\":[{\"sku\":\"TSHIRT\",\"qty\":%d}],"
        "\"shipping_address\":{\"name\":\"Ana\",\"line1\":\"5 Elm St\",\"city\":\"Boston\","
        "\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"},\"shipping_price\":"
        "500,\"tax\":320,\"payment\":{\"provider\":\"stripe\",\"card\":\"%s\"}}",
        external_id, qty, method);
    return call("POST", "/v1/orders", body, want);
}

static void text_at(const struct http_response *res, const char *path, char out[PAY_ID_MAX])
{
    char scratch[PAY_ID_MAX];
    const char *text = json_text_at(res->json, path, scratch, sizeof(scratch));
    cr_assert(text != NULL, "no %s in %s", path, res->body);
    snprintf(out, PAY_ID_MAX, "%s", text);
}

/* Picks, packs and ships one shipment at its location. */
static void pay_ship(const char *location, const char *shipment_id)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"location\":\"%s\",\"max_shipments\":1}", location);
    struct http_response pick = call("POST", "/v1/pick-lists", body, 201);
    char pick_id[PAY_ID_MAX];
    text_at(&pick, "id", pick_id);
    http_response_release(&pick);
    char path[160];
    snprintf(path, sizeof(path), "/v1/pick-lists/%s/complete", pick_id);
    struct http_response res = call("POST", path, NULL, 200);
    http_response_release(&res);
    snprintf(path, sizeof(path), "/v1/shipments/%s/pack", shipment_id);
    res = call("POST", path, "{\"packages\":[{\"weight_grams\":900}]}", 200);
    http_response_release(&res);
    snprintf(path, sizeof(path), "/v1/shipments/%s/ship", shipment_id);
    res = call("POST", path, "{\"carrier\":\"UPS\",\"tracking_number\":\"1Z1\",\"cost\":500}", 200);
    http_response_release(&res);
}

/* Waits until GET /v1/orders/{id}/payments is a superset of expected; fails after a while. */
static void pay_wait(const char *order_id, const char *expected)
{
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s/payments", order_id);
    json_t *want = json_loads(expected, 0, NULL);
    cr_assert(want != NULL, "bad expectation %s", expected);
    char why[512] = "";
    char last[PAY_CHECK_MAX] = "";
    for (int waited = 0; waited < PAY_WAIT_MS; waited += 50) {
        struct http_response res = call("GET", path, NULL, 200);
        bool ok = json_subset(want, res.json, why, sizeof(why));
        snprintf(last, sizeof(last), "%s", res.body);
        http_response_release(&res);
        if (ok) {
            json_decref(want);
            return;
        }
        struct timespec pause = {.tv_nsec = 50 * 1000000L};
        nanosleep(&pause, NULL);
    }
    json_decref(want);
    cr_assert_fail("payments of %s never became %s: %s\n%s", order_id, expected, why, last);
}

static void pay_check(void)
{
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[PAY_CHECK_MAX];
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_assert_eq(status, 0, "ordo check: %s", output);
}

Test(payments, stripe_split_capture_and_cancel)
{
    pay_start(PAY_KEY);
    /* 60 T-shirts: 40 ship from the east, 20 from the west; total 120760. */
    struct http_response order = pay_order("S-1", 60, "pm_card_visa", 201);
    char order_id[PAY_ID_MAX];
    char east[PAY_ID_MAX];
    char west[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "allocations.0.shipment_id", east);
    text_at(&order, "allocations.1.shipment_id", west);
    cr_assert_str_eq(json_text_at(order.json, "status", (char[32]){0}, 32), "allocated");
    http_response_release(&order);
    pay_wait(order_id,
             "{\"provider\":\"stripe\",\"authorized\":120760,\"data\":[{\"kind\":"
             "\"authorize\",\"status\":\"succeeded\",\"provider_ref\":\"pi_fake000001\"}]}");

    pay_ship("DC-EAST", east);
    pay_wait(order_id, "{\"captured\":80507,\"data\":[{\"kind\":\"authorize\"},{\"kind\":"
                       "\"capture\",\"status\":\"succeeded\",\"amount\":80507}]}");
    pay_ship("DC-WEST", west);
    pay_wait(order_id, "{\"captured\":120760,\"data\":[{},{\"amount\":80507},{\"kind\":"
                       "\"capture\",\"status\":\"succeeded\",\"amount\":40253}]}");

    /* A second order, cancelled: its PaymentIntent is canceled. */
    order = pay_order("S-2", 1, "pm_card_visa", 201);
    char second[PAY_ID_MAX];
    text_at(&order, "id", second);
    http_response_release(&order);
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s/cancel", second);
    struct http_response res = call("POST", path, "{\"reason\":\"customer\"}", 200);
    http_response_release(&res);
    pay_wait(second, "{\"authorized\":0,\"data\":[{\"kind\":\"authorize\"},{\"kind\":\"void\","
                     "\"status\":\"succeeded\",\"amount\":2819}]}");

    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.intents, 2);
    cr_expect_eq(stats.captured, 120760, "the captures add up to the order total");
    cr_expect_eq(stats.canceled, 1);
    cr_expect_eq(stats.unauthorized, 0);
    cr_expect_eq(stats.bad_requests, 0);
    pay_check();
}

Test(payments, stripe_decline_then_new_payment)
{
    pay_start(PAY_KEY);
    struct http_response order = pay_order("S-1", 2, "pm_card_chargeDeclined", 201);
    char order_id[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    cr_assert_str_eq(json_text_at(order.json, "hold_reason", (char[32]){0}, 32),
                     "payment_declined");
    http_response_release(&order);
    pay_wait(order_id, "{\"order_status\":\"on_hold\",\"authorized\":0,\"data\":[{\"kind\":"
                       "\"authorize\",\"status\":\"failed\",\"error\":\"generic_decline\"}]}");
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s/payments", order_id);
    struct http_response res =
        call("POST", path,
             "{\"provider\":\"stripe\",\"card\":\"pm_card_chargeDeclinedInsufficientFunds\"}", 422);
    cr_assert(strstr(res.body, "payment_declined") != NULL, "%s", res.body);
    http_response_release(&res);
    res = call("POST", path, "{\"provider\":\"stripe\",\"card\":\"pm_card_visa\"}", 201);
    http_response_release(&res);
    pay_wait(order_id, "{\"order_status\":\"allocated\",\"hold_reason\":null,\"authorized\":4818,"
                       "\"data\":[{\"status\":\"failed\"},{\"status\":\"failed\",\"error\":"
                       "\"insufficient_funds\"},{\"status\":\"succeeded\"}]}");
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.intents, 3);
    cr_expect_eq(stats.authorized, 4818);
    pay_check();
}

Test(payments, stripe_capture_fails)
{
    pay_start(PAY_KEY);
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 201);
    char order_id[PAY_ID_MAX];
    char shipment[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "allocations.0.shipment_id", shipment);
    http_response_release(&order);
    fake_stripe_fail_captures(g_stripe, true);
    pay_ship("DC-EAST", shipment);
    pay_wait(order_id, "{\"captured\":0,\"hold_reason\":\"payment_capture_failed\",\"data\":[{},"
                       "{\"kind\":\"capture\",\"status\":\"failed\",\"error\":\"expired_card\"}]}");
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s/events", order_id);
    struct http_response events = call("GET", path, NULL, 200);
    cr_expect(strstr(events.body, "order.payment_capture_failed") != NULL, "%s", events.body);
    http_response_release(&events);
    pay_check();
}

Test(payments, stripe_outage_pending_resumed_after_restart)
{
    pay_start(PAY_KEY);
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 201);
    char order_id[PAY_ID_MAX];
    char shipment[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "allocations.0.shipment_id", shipment);
    http_response_release(&order);
    fake_stripe_fail_next(g_stripe, 1000000);
    pay_ship("DC-EAST", shipment); /* the ship itself never waits for Stripe */
    pay_wait(order_id, "{\"captured\":0,\"data\":[{},{\"kind\":\"capture\",\"status\":"
                       "\"pending\",\"amount\":4818}]}");
    test_server_kill(&g_server);
    fake_stripe_fail_next(g_stripe, 0);
    setenv("ORDO_STRIPE_SECRET_KEY", PAY_KEY, 1);
    setenv("ORDO_STRIPE_BASE_URL", fake_stripe_url(g_stripe), 1);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    unsetenv("ORDO_STRIPE_SECRET_KEY");
    unsetenv("ORDO_STRIPE_BASE_URL");
    client_free(g_client);
    g_client = client_new(g_server.base_url);
    pay_wait(order_id, "{\"captured\":4818,\"data\":[{},{\"kind\":\"capture\",\"status\":"
                       "\"succeeded\",\"amount\":4818}]}");
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.captured, 4818, "captured once, however many tries");
    pay_check();
}

/* The answer of a provider that cannot be used: 502 payment_provider_unavailable. */
static void expect_unavailable(const struct http_response *res)
{
    char scratch[PAY_ID_MAX];
    const char *code = json_text_at(res->json, "error.code", scratch, sizeof(scratch));
    cr_expect(code != NULL && strcmp(code, "payment_provider_unavailable") == 0, "%s", res->body);
}

Test(payments, stripe_wrong_secret_key_takes_no_order)
{
    pay_start("sk_test_wrong");
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 502);
    expect_unavailable(&order);
    http_response_release(&order);
    struct http_response list = call("GET", "/v1/orders", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(list.json, "data")), 0, "%s", list.body);
    http_response_release(&list);
    struct http_response stock = call("GET", "/v1/inventory/TSHIRT", NULL, 200);
    cr_expect_eq(json_int_at(stock.json, "available", -1), 80, "%s", stock.body);
    http_response_release(&stock);
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.unauthorized, 1);
    /* A payment method that is not one: 422 before Stripe is asked. */
    order = pay_order("S-2", 2, "4242424242424242", 422);
    cr_expect(strstr(order.body, "payment.card") != NULL, "%s", order.body);
    http_response_release(&order);
    pay_check();
}

/* Stripe unreachable (the fake stopped): an order paid with it is 502
 * payment_provider_unavailable and nothing is taken; so is a new payment for a held order. */
Test(payments, stripe_unreachable_is_502)
{
    pay_start(PAY_KEY);
    struct http_response held = pay_order("S-0", 1, "pm_card_chargeDeclined", 201);
    char order_id[PAY_ID_MAX];
    text_at(&held, "id", order_id);
    http_response_release(&held);
    fake_stripe_stop(g_stripe);
    g_stripe = NULL;
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 502);
    expect_unavailable(&order);
    http_response_release(&order);
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s/payments", order_id);
    struct http_response pay =
        call("POST", path, "{\"provider\":\"stripe\",\"card\":\"pm_card_visa\"}", 502);
    expect_unavailable(&pay);
    http_response_release(&pay);
    struct http_response list = call("GET", "/v1/orders", NULL, 200);
    cr_expect_eq(json_array_size(json_object_get(list.json, "data")), 1, "%s", list.body);
    http_response_release(&list);
    struct http_response stock = call("GET", "/v1/inventory/TSHIRT", NULL, 200);
    cr_expect_eq(json_int_at(stock.json, "available", -1), 79, "%s", stock.body);
    http_response_release(&stock);
    pay_wait(order_id, "{\"order_status\":\"on_hold\",\"hold_reason\":\"payment_declined\","
                       "\"authorized\":0}");
    pay_check();
}

/* `ordo check` reports an order whose refunds exceed its captures (the database tampered with
 * behind Ordo's back with the sqlite3 shell or psql), and passes again once the row is gone. */
Test(payments, check_reports_refunds_over_captures)
{
    pay_start(PAY_KEY);
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"channel\":\"web\",\"customer\":{\"email\":\"ana@example.com\"},\"currency\":"
             "\"USD\",\"lines\":[{\"sku\":\"TSHIRT\",\"qty\":1}],\"shipping_address\":{\"line1\":"
             "\"5 Elm St\",\"city\":\"Boston\",\"postal_code\":\"02118\",\"country\":\"US\"},"
             "\"payment\":{\"provider\":\"sandbox\",\"card\":\"4242424242424242\"}}");
    struct http_response order = call("POST", "/v1/orders", body, 201);
    char order_id[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    http_response_release(&order);
    pay_check();
    char sql[512];
    snprintf(sql, sizeof(sql),
             "INSERT INTO payment_transactions (id, order_id, kind, amount, currency, status, "
             "provider, created_at, updated_at) VALUES ('pay_tampered', '%s', 'refund', 100, "
             "'USD', 'succeeded', 'sandbox', 0, 0)",
             order_id);
    char output[PAY_CHECK_MAX];
    cr_assert_eq(test_server_sql(&g_server, sql, output, sizeof(output)), 0, "%s", output);
    int status = test_server_check(&g_server, output, sizeof(output));
    cr_expect_neq(status, 0, "ordo check passed: %s", output);
    cr_expect(strstr(output, "refunds exceed captures") != NULL, "%s", output);
    cr_expect(strstr(output, order_id) != NULL, "%s", output);
    cr_assert_eq(test_server_sql(&g_server,
                                 "DELETE FROM payment_transactions WHERE id = 'pay_tampered'",
                                 output, sizeof(output)),
                 0, "%s", output);
    cr_expect_eq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
}

/* An edit that raises the total of a Stripe order: refused without a new payment method,
 * declined with a declining one (nothing changed), then a new PaymentIntent for the whole new
 * total is authorized (outside the writer) and the old one canceled by the worker. */
Test(payments, stripe_edit_increase_authorizes_again)
{
    pay_start(PAY_KEY);
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 201);
    char order_id[PAY_ID_MAX];
    char line_id[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "lines.0.id", line_id);
    http_response_release(&order);
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s", order_id);
    char body[512];
    snprintf(body, sizeof(body), "{\"lines\":[{\"line_id\":\"%s\",\"qty\":3}]}", line_id);
    const char *if_match[] = {"If-Match: 1", NULL};
    struct http_request req = {
        .method = "PATCH", .path = path, .key = g_key, .body = body, .body_len = strlen(body)};
    memcpy(req.headers, if_match, sizeof(if_match));
    struct http_response res;
    client_send(g_client, &req, &res);
    cr_assert_eq(res.status, 422, "%s", res.body);
    cr_expect(strstr(res.body, "reauthorization_required") != NULL, "%s", res.body);
    http_response_release(&res);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":3}],\"payment\":{\"card\":"
             "\"pm_card_chargeDeclined\"}}",
             line_id);
    req.body_len = strlen(body);
    client_send(g_client, &req, &res);
    cr_assert_eq(res.status, 422, "%s", res.body);
    cr_expect(strstr(res.body, "payment_declined") != NULL, "%s", res.body);
    http_response_release(&res);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":3}],\"payment\":{\"card\":\"pm_card_visa\"}}",
             line_id);
    req.body_len = strlen(body);
    client_send(g_client, &req, &res);
    cr_assert_eq(res.status, 200, "%s", res.body);
    cr_expect_eq(json_int_at(res.json, "totals.total", -1), 6817, "%s", res.body);
    http_response_release(&res);
    pay_wait(order_id, "{\"authorized\":6817,\"data\":[{\"kind\":\"authorize\",\"amount\":4818},"
                       "{\"kind\":\"void\",\"status\":\"succeeded\",\"amount\":4818},"
                       "{\"kind\":\"authorize\",\"status\":\"succeeded\",\"amount\":6817}]}");
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.intents, 3, "the first, the declined one, the new one");
    cr_expect_eq(stats.canceled, 1);
    struct http_response stock = call("GET", "/v1/inventory/TSHIRT", NULL, 200);
    cr_expect_eq(json_int_at(stock.json, "available", -1), 77, "%s", stock.body);
    http_response_release(&stock);
    pay_check();
}

/* A return refunds through Stripe: the refund is recorded pending in the return's command,
 * the worker makes it (POST /v1/refunds on the order's PaymentIntent) and records it
 * succeeded; refunds never exceed captures. */
Test(payments, stripe_refund_of_a_return)
{
    pay_start(PAY_KEY);
    struct http_response order = pay_order("S-1", 2, "pm_card_visa", 201);
    char order_id[PAY_ID_MAX];
    char line_id[PAY_ID_MAX];
    char shipment[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "lines.0.id", line_id);
    text_at(&order, "allocations.0.shipment_id", shipment);
    http_response_release(&order);
    pay_ship("DC-EAST", shipment);
    char path[160];
    snprintf(path, sizeof(path), "/v1/shipments/%s/deliver", shipment);
    struct http_response res = call("POST", path, NULL, 200);
    http_response_release(&res);
    pay_wait(order_id, "{\"captured\":4818}");
    char body[512];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"damaged\"}],\"resolution\":\"refund\"}",
             order_id, line_id);
    struct http_response rma = call("POST", "/v1/returns", body, 201);
    char rma_id[PAY_ID_MAX];
    text_at(&rma, "id", rma_id);
    http_response_release(&rma);
    snprintf(path, sizeof(path), "/v1/returns/%s/receive", rma_id);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":1,\"condition\":\"damaged\"}]}", line_id);
    res = call("POST", path, body, 200);
    long long refunded = json_int_at(res.json, "refunded", -1);
    cr_assert(refunded > 0 && refunded <= 4818, "%s", res.body);
    http_response_release(&res);
    char expected[512];
    snprintf(expected, sizeof(expected),
             "{\"captured\":4818,\"refunded\":%lld,\"refund_pending\":0,\"data\":[{},{},{\"kind\":"
             "\"refund\",\"status\":\"succeeded\",\"amount\":%lld,\"return_id\":\"%s\"}]}",
             refunded, refunded, rma_id);
    pay_wait(order_id, expected);
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.refunded, refunded, "Stripe refunded what Ordo recorded");
    pay_check();
}

/* An order of 1 T-shirt (2819) paid with pm_card_visa, shipped and delivered, and a return of
 * it received for an exchange with a HOODIE (4999): the exchange order's id. decline: Stripe
 * declines every new PaymentIntent once the order's capture went through. */
static void pay_exchange(char xorder[PAY_ID_MAX], char order_id[PAY_ID_MAX], bool decline)
{
    call_ok("POST", "/v1/products",
            "{\"sku\":\"HOODIE\",\"name\":\"Hoodie\",\"price\":4999,\"currency\":\"USD\"}");
    call_ok("PUT", "/v1/inventory/HOODIE/DC-EAST", "{\"on_hand\":3}");
    struct http_response order = pay_order("S-1", 1, "pm_card_visa", 201);
    char line_id[PAY_ID_MAX];
    char shipment[PAY_ID_MAX];
    text_at(&order, "id", order_id);
    text_at(&order, "lines.0.id", line_id);
    text_at(&order, "allocations.0.shipment_id", shipment);
    http_response_release(&order);
    pay_ship("DC-EAST", shipment);
    char path[160];
    snprintf(path, sizeof(path), "/v1/shipments/%s/deliver", shipment);
    struct http_response res = call("POST", path, NULL, 200);
    http_response_release(&res);
    pay_wait(order_id, "{\"captured\":2819}");
    fake_stripe_decline_intents(g_stripe, decline);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"changed_mind\"}],\"resolution\":\"exchange\","
             "\"exchange_lines\":[{\"sku\":\"HOODIE\",\"qty\":1}]}",
             order_id, line_id);
    struct http_response rma = call("POST", "/v1/returns", body, 201);
    char rma_id[PAY_ID_MAX];
    text_at(&rma, "id", rma_id);
    http_response_release(&rma);
    snprintf(path, sizeof(path), "/v1/returns/%s/receive", rma_id);
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":1,\"condition\":\"sellable\"}]}", line_id);
    res = call("POST", path, body, 200);
    text_at(&res, "exchange_order_id", xorder);
    cr_expect_eq(json_int_at(res.json, "amount_due", -1), 2680, "%s", res.body);
    cr_expect_eq(json_int_at(res.json, "refunded", -1), 0, "%s", res.body);
    http_response_release(&res);
}

/* An exchange dearer than the return: the difference (4999 - 2319 = 2680) is authorized on
 * the exchange order with the original PaymentIntent's payment method by the payments worker
 * (a new PaymentIntent), and captured when the exchange order ships. */
Test(payments, stripe_exchange_charges_the_difference)
{
    pay_start(PAY_KEY);
    char xorder[PAY_ID_MAX];
    char order_id[PAY_ID_MAX];
    pay_exchange(xorder, order_id, false);
    pay_wait(xorder, "{\"provider\":\"stripe\",\"authorized\":2680,\"data\":[{\"kind\":"
                     "\"authorize\",\"status\":\"succeeded\",\"amount\":2680}]}");
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_str_eq(stats.last_payment_method, "pm_card_visa");
    char path[160];
    snprintf(path, sizeof(path), "/v1/orders/%s", xorder);
    struct http_response xo = call("GET", path, NULL, 200);
    char xshipment[PAY_ID_MAX];
    text_at(&xo, "allocations.0.shipment_id", xshipment);
    http_response_release(&xo);
    pay_ship("DC-EAST", xshipment);
    pay_wait(xorder, "{\"authorized\":2680,\"captured\":2680,\"data\":[{},{\"kind\":\"capture\","
                     "\"status\":\"succeeded\",\"amount\":2680}]}");
    pay_wait(order_id, "{\"captured\":2819,\"refunded\":0}");
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.intents, 2, "one PaymentIntent for the order, one for the difference");
    cr_expect_eq(stats.authorized, 2819 + 2680);
    cr_expect_eq(stats.captured, 2819 + 2680);
    pay_check();
}

/* Stripe declines the difference (the worker's call): the exchange order goes on_hold
 * payment_declined, as a declined order does. */
Test(payments, stripe_exchange_declined_holds_the_exchange_order)
{
    pay_start(PAY_KEY);
    char xorder[PAY_ID_MAX];
    char order_id[PAY_ID_MAX];
    pay_exchange(xorder, order_id, true);
    pay_wait(xorder, "{\"order_status\":\"on_hold\",\"hold_reason\":\"payment_declined\","
                     "\"authorized\":0,\"data\":[{\"kind\":\"authorize\",\"status\":\"failed\","
                     "\"amount\":2680,\"error\":\"generic_decline\"}]}");
    struct fake_stripe_stats stats;
    fake_stripe_stats(g_stripe, &stats);
    cr_expect_eq(stats.intents, 2);
    cr_expect_eq(stats.authorized, 2819);
    pay_check();
}
