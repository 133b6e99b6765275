/*
 * test_refunds.c — goal: what the API case (tests/api/231) cannot show about goodwill refunds
 * (POST /v1/orders/{id}/refunds): the credit note as a PDF read back with pdftotext, numbered
 * after a return's credit note without a gap, and `ordo check` still passing with a return's
 * and a goodwill refund's credit notes on the same order. Method: over HTTP on a fresh server,
 * a sandbox order of 2 TEE (5000 + 500 shipping) shipped; a wrong_item return of one unit
 * refunds 2750 (CN-YYYY-000001); a goodwill refund of 700 gets CN-YYYY-000002, its PDF says
 * CREDIT NOTE, its number, the order's number, the customer and 7.00 USD; what is left (2050)
 * is the most a next refund may be (2051: 409, 2050: 201); `ordo check` exits 0.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "docs/docs_check.h"
#include "lib/clock.h"
#include "lib/date.h"
#include "support/client.h"
#include "support/server.h"

static struct test_server g_server;
static char g_admin[TEST_SERVER_KEY_MAX];
static struct client *g_client;

static json_t *call(const char *method, const char *path, const char *body, long want)
{
    struct http_response res;
    long status = client_call(g_client, method, path, g_admin, body, &res);
    cr_assert_eq(status, want, "%s %s: %ld %s", method, path, status, res.body);
    json_t *json = res.json != NULL ? json_incref(res.json) : NULL;
    http_response_release(&res);
    return json;
}

TestSuite(refunds, .timeout = 120);

static void store_over_http(void)
{
    json_decref(call("POST", "/v1/locations",
                     "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
                     "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
                     "\"postal_code\":\"07114\",\"country\":\"US\"},"
                     "\"capabilities\":[\"ship\",\"return\"]}",
                     201));
    json_decref(call("POST", "/v1/products",
                     "{\"sku\":\"TEE\",\"name\":\"Tee\",\"price\":2500,\"currency\":\"USD\"}",
                     201));
    json_decref(call("PUT", "/v1/inventory/TEE/DC-EAST", "{\"on_hand\":20}", 200));
}

/* Ships the order's one shipment at DC-EAST. */
static void ship_over_http(const char *shipment_id)
{
    char path[160];
    json_t *list = call("POST", "/v1/pick-lists", "{\"location\":\"DC-EAST\"}", 201);
    snprintf(path, sizeof(path), "/v1/pick-lists/%s/complete",
             json_string_value(json_at(list, "id")));
    json_decref(list);
    json_decref(call("POST", path, "{}", 200));
    snprintf(path, sizeof(path), "/v1/shipments/%s/pack", shipment_id);
    json_decref(call("POST", path, "{\"packages\":[{\"weight_grams\":500}]}", 200));
    snprintf(path, sizeof(path), "/v1/shipments/%s/ship", shipment_id);
    json_decref(
        call("POST", path, "{\"carrier\":\"UPS\",\"tracking_number\":\"1Z\",\"cost\":9}", 200));
}

/* A wrong_item return of one unit, received: refunds 2500 + 250 of shipping. */
static void return_one(const char *order_id, const char *line_id)
{
    char body[512];
    char path[192];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"wrong_item\"}]}",
             order_id, line_id);
    json_t *rma = call("POST", "/v1/returns", body, 201);
    snprintf(path, sizeof(path), "/v1/returns/%s/receive", json_string_value(json_at(rma, "id")));
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":1,\"condition\":\"sellable\"}]}", line_id);
    json_t *received = call("POST", path, body, 200);
    cr_expect_eq(json_int_at(received, "refunded", -1), 2750);
    json_decref(received);
    json_decref(rma);
}

/* GETs the credit note's PDF and checks what it says. */
static void credit_note_pdf(const char *cn_id, const char *number, const char *order_number)
{
    char path[192];
    snprintf(path, sizeof(path), "/v1/credit-notes/%s.pdf", cn_id);
    struct http_response res;
    long status = client_call(g_client, "GET", path, g_admin, NULL, &res);
    cr_assert_eq(status, 200, "GET %s: %ld %s", path, status, res.body);
    cr_assert_str_eq(res.content_type, "application/pdf");
    struct docs_check check;
    docs_check_init(&check, res.body, res.body_len);
    http_response_release(&res);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "CREDIT NOTE");
    docs_check_has(text, number);
    docs_check_has(text, order_number);
    docs_check_has(text, "Jo Smith");
    docs_check_has(text, "7.00 USD");
    docs_check_release(&check);
}

Test(refunds, goodwill_credit_note_pdf_and_numbering)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_admin, sizeof(g_admin)),
              "%s", g_server.error);
    client_global_init();
    g_client = client_new(g_server.base_url);
    store_over_http();
    json_t *order = call("POST", "/v1/orders",
                         "{\"channel\":\"web\",\"currency\":\"USD\","
                         "\"customer\":{\"email\":\"jo@example.com\",\"name\":\"Jo Smith\"},"
                         "\"lines\":[{\"sku\":\"TEE\",\"qty\":2}],\"shipping_price\":500,"
                         "\"payment\":{\"provider\":\"sandbox\",\"card\":\"4242424242424242\"},"
                         "\"shipping_address\":{\"name\":\"Jo Smith\",\"line1\":\"5 Elm St\","
                         "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\","
                         "\"country\":\"US\"}}",
                         201);
    const char *order_id = json_string_value(json_at(order, "id"));
    ship_over_http(json_string_value(json_at(order, "allocations.0.shipment_id")));
    return_one(order_id, json_string_value(json_at(order, "lines.0.id")));

    char path[192];
    snprintf(path, sizeof(path), "/v1/orders/%s/refunds", order_id);
    json_t *refund = call("POST", path, "{\"amount\":700,\"reason\":\"late_delivery\"}", 201);
    cr_expect_eq(json_int_at(refund, "refundable", -1), 2050);
    cr_expect_eq(json_int_at(refund, "credit_note.amount", -1), 700);
    int64_t year = 0;
    int month = 0;
    int day = 0;
    date_civil_from_days(date_day_of_ms(clock_now_ms()), &year, &month, &day);
    char want[64];
    snprintf(want, sizeof(want), "CN-%04d-000002", (int)year);
    cr_expect_str_eq(json_string_value(json_at(refund, "credit_note.number")), want);
    credit_note_pdf(json_string_value(json_at(refund, "credit_note.id")), want,
                    json_string_value(json_at(order, "number")));

    json_t *refused = call("POST", path, "{\"amount\":2051,\"reason\":\"late_delivery\"}", 409);
    cr_expect_str_eq(json_string_value(json_at(refused, "error.code")), "refund_exceeds_captures");
    json_t *rest = call("POST", path, "{\"amount\":2050,\"reason\":\"late_delivery\"}", 201);
    cr_expect_eq(json_int_at(rest, "refundable", -1), 0);
    snprintf(path, sizeof(path), "/v1/orders/%s/payments", order_id);
    json_t *payments = call("GET", path, NULL, 200);
    cr_expect_eq(json_int_at(payments, "captured", -1), 5500);
    cr_expect_eq(json_int_at(payments, "refunded", -1), 5500);
    json_decref(payments);
    json_decref(rest);
    json_decref(refused);
    json_decref(refund);
    json_decref(order);

    client_free(g_client);
    cr_expect(test_server_stop(&g_server), "%s", g_server.error);
    char output[4096];
    cr_expect_eq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    test_server_cleanup(&g_server);
}
