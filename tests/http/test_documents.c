/*
 * test_documents.c — goal: the three documents over HTTP, with the same visibility as reading
 * the order or shipment. Method: a real server gets a warehouse, a store, products with bins,
 * stock and orders; invoice.pdf, packing-slip.pdf and label.pdf come back as application/pdf
 * and are read with pdftotext, pdftoppm and zbarimg (tests/docs/docs_check.h); another
 * customer gets 404 (JSON), and a label before shipping is 409 invalid_state.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "docs/docs_check.h"
#include "support/client.h"
#include "support/server.h"

static struct test_server g_server;
static char g_admin[TEST_SERVER_KEY_MAX];
static struct client *g_client;

static json_t *call(const char *method, const char *path, const char *key, const char *body,
                    long want)
{
    struct http_response res;
    long status = client_call(g_client, method, path, key, body, &res);
    cr_assert_eq(status, want, "%s %s: %ld %s", method, path, status, res.body);
    json_t *json = res.json != NULL ? json_incref(res.json) : NULL;
    http_response_release(&res);
    return json;
}

static void documents_init(void)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_admin, sizeof(g_admin)),
              "%s", g_server.error);
    client_global_init();
    g_client = client_new(g_server.base_url);
    json_decref(call("POST", "/v1/locations", g_admin,
                     "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
                     "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
                     "\"postal_code\":\"07114\",\"country\":\"US\"},\"capabilities\":[\"ship\"]}",
                     201));
    json_decref(call("POST", "/v1/locations", g_admin,
                     "{\"code\":\"STORE-12\",\"name\":\"Boston Store\",\"kind\":\"store\","
                     "\"address\":{\"line1\":\"9 Main St\",\"city\":\"Boston\",\"region\":\"MA\","
                     "\"postal_code\":\"02118\",\"country\":\"US\"},"
                     "\"capabilities\":[\"pickup\"]}",
                     201));
    json_decref(call("POST", "/v1/products", g_admin,
                     "{\"sku\":\"TSHIRT-M-BLK\",\"name\":\"T-shirt M black\",\"price\":1999,"
                     "\"currency\":\"USD\",\"bin_location\":\"A-01-03\"}",
                     201));
    json_decref(call("POST", "/v1/products", g_admin,
                     "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1299,\"currency\":\"USD\"}",
                     201));
    json_decref(
        call("PUT", "/v1/inventory/TSHIRT-M-BLK/DC-EAST", g_admin, "{\"on_hand\":20}", 200));
    json_decref(call("PUT", "/v1/inventory/MUG/DC-EAST", g_admin, "{\"on_hand\":20}", 200));
    json_decref(call("PUT", "/v1/inventory/MUG/STORE-12", g_admin, "{\"on_hand\":5}", 200));
}

static void documents_fini(void)
{
    client_free(g_client);
    cr_expect(test_server_stop(&g_server), "%s", g_server.error);
    char output[4096];
    cr_expect_eq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    test_server_cleanup(&g_server);
}

TestSuite(documents, .init = documents_init, .fini = documents_fini, .timeout = 120);

/* An order of 2 T-shirts and a mug for José Müller, shipped from DC-EAST. */
static json_t *ship_order(void)
{
    return call(
        "POST", "/v1/orders", g_admin,
        "{\"channel\":\"web\",\"external_id\":\"W-1\",\"currency\":\"USD\","
        "\"customer\":{\"email\":\"jose@example.com\",\"name\":\"Jos\\u00e9 M\\u00fcller\"},"
        "\"lines\":[{\"sku\":\"TSHIRT-M-BLK\",\"qty\":2},{\"sku\":\"MUG\",\"qty\":1}],"
        "\"shipping_address\":{\"name\":\"Jos\\u00e9 M\\u00fcller\",\"line1\":\"5 Elm St\","
        "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"},"
        "\"shipping_price\":500,\"tax\":320}",
        201);
}

/* GETs a document; asserts 200 application/pdf and returns its text (check released by caller). */
static const char *get_pdf(const char *path, const char *key, struct docs_check *check)
{
    struct http_response res;
    long status = client_call(g_client, "GET", path, key, NULL, &res);
    cr_assert_eq(status, 200, "GET %s: %ld %s", path, status, res.body);
    cr_assert_str_eq(res.content_type, "application/pdf");
    docs_check_init(check, res.body, res.body_len);
    http_response_release(&res);
    return docs_check_text(check);
}

/* Asserts a JSON error answer with that status and code. */
static void expect_error(const char *path, const char *key, long want, const char *code)
{
    struct http_response res;
    long status = client_call(g_client, "GET", path, key, NULL, &res);
    cr_expect_eq(status, want, "GET %s: %ld %s", path, status, res.body);
    cr_expect_str_eq(res.content_type, "application/json");
    char scratch[64];
    const char *got = res.json != NULL ? json_text_at(res.json, "error.code", scratch, 64) : NULL;
    cr_expect(got != NULL && strcmp(got, code) == 0, "want %s: %s", code, res.body);
    http_response_release(&res);
}

Test(documents, invoice_and_its_visibility)
{
    json_t *order = ship_order();
    char path[256];
    snprintf(path, sizeof(path), "/v1/orders/%s/invoice.pdf",
             json_string_value(json_at(order, "id")));
    struct docs_check check;
    const char *text = get_pdf(path, g_admin, &check);
    docs_check_has(text, json_string_value(json_at(order, "number")));
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "52.97 USD");
    docs_check_has(text, "61.17 USD");
    docs_check_release(&check);
    char own[TEST_SERVER_KEY_MAX];
    char other[TEST_SERVER_KEY_MAX];
    cr_assert(test_server_key_create(&g_server, "customer", "customer", "jose@example.com", own,
                                     sizeof(own)));
    cr_assert(test_server_key_create(&g_server, "customer", "customer", "ana@example.com", other,
                                     sizeof(other)));
    get_pdf(path, own, &check);
    docs_check_release(&check);
    expect_error(path, other, 404, "not_found");
    expect_error("/v1/orders/nope/invoice.pdf", g_admin, 404, "not_found");
    expect_error(path, NULL, 401, "unauthorized");
    json_decref(order);
}

Test(documents, packing_slip_and_label_of_a_shipment)
{
    json_t *order = ship_order();
    const char *shipment = json_string_value(json_at(order, "allocations.0.shipment_id"));
    cr_assert(shipment != NULL, "the order has a shipment");
    char path[256];
    snprintf(path, sizeof(path), "/v1/shipments/%s/packing-slip.pdf", shipment);
    struct docs_check check;
    const char *text = get_pdf(path, g_admin, &check);
    docs_check_has(text, json_string_value(json_at(order, "number")));
    docs_check_has(text, "TSHIRT-M-BLK");
    docs_check_has(text, "A-01-03");
    docs_check_has(text, "MUG");
    docs_check_has(text, "Total units: 3");
    cr_expect(strstr(text, "USD") == NULL, "no prices on a slip");
    docs_check_release(&check);
    snprintf(path, sizeof(path), "/v1/shipments/%s/label.pdf", shipment);
    expect_error(path, g_admin, 409, "invalid_state");
    expect_error("/v1/shipments/nope/label.pdf", g_admin, 404, "not_found");
    json_decref(order);
}

/* POSTs body to path; false (and the test skipped) while the route does not exist yet. */
static json_t *post_or_skip(const char *path, const char *body)
{
    struct http_response res;
    long status = client_call(g_client, "POST", path, g_admin, body, &res);
    if (status == 404 && strstr(res.body, "no such path") != NULL) {
        http_response_release(&res);
        cr_skip_test("%s is not routed yet (fulfillment work in progress)", path);
    }
    cr_assert(status == 200 || status == 201, "POST %s: %ld %s", path, status, res.body);
    json_t *json = json_incref(res.json);
    http_response_release(&res);
    return json;
}

Test(documents, label_of_a_shipped_parcel_scans_to_its_tracking_number)
{
    json_t *order = ship_order();
    const char *shipment = json_string_value(json_at(order, "allocations.0.shipment_id"));
    char path[256];
    json_t *list =
        post_or_skip("/v1/pick-lists", "{\"location\":\"DC-EAST\",\"max_shipments\":50}");
    snprintf(path, sizeof(path), "/v1/pick-lists/%s/complete",
             json_string_value(json_at(list, "id")));
    json_decref(post_or_skip(path, "{\"picker\":\"jo\"}"));
    snprintf(path, sizeof(path), "/v1/shipments/%s/pack", shipment);
    json_decref(post_or_skip(path, "{\"packages\":[{\"weight_grams\":900}]}"));
    snprintf(path, sizeof(path), "/v1/shipments/%s/ship", shipment);
    json_decref(post_or_skip(path, "{\"carrier\":\"UPS\",\"service\":\"ground\","
                                   "\"tracking_number\":\"1Z999AA10123456784\",\"cost\":845}"));
    snprintf(path, sizeof(path), "/v1/shipments/%s/label.pdf", shipment);
    struct docs_check check;
    const char *text = get_pdf(path, g_admin, &check);
    docs_check_has(text, "Newark DC");
    docs_check_has(text, "Boston MA 02118");
    docs_check_has(text, "UPS ground");
    cr_expect_str_eq(docs_check_codes(&check), "CODE-128:1Z999AA10123456784\n");
    docs_check_release(&check);
    json_decref(list);
    json_decref(order);
}

Test(documents, label_of_a_pickup_scans_to_its_pickup_code)
{
    json_t *order = call("POST", "/v1/orders", g_admin,
                         "{\"channel\":\"web\",\"external_id\":\"W-P\",\"currency\":\"USD\","
                         "\"customer\":{\"email\":\"jose@example.com\",\"name\":\"Jose\"},"
                         "\"lines\":[{\"sku\":\"MUG\",\"qty\":1}],"
                         "\"fulfillment\":{\"method\":\"pickup\",\"location\":\"STORE-12\"}}",
                         201);
    const char *shipment = json_string_value(json_at(order, "allocations.0.shipment_id"));
    char path[256];
    snprintf(path, sizeof(path), "/v1/shipments/%s/ready", shipment);
    json_t *ready = post_or_skip(path, "{}");
    const char *code = json_string_value(json_at(ready, "pickup_code"));
    cr_assert(code != NULL, "ready answers the pickup code");
    snprintf(path, sizeof(path), "/v1/shipments/%s/label.pdf", shipment);
    struct docs_check check;
    docs_check_has(get_pdf(path, g_admin, &check), code);
    char want[128];
    snprintf(want, sizeof(want), "QR-Code:%s\n", code);
    cr_expect_str_eq(docs_check_codes(&check), want);
    docs_check_release(&check);
    json_decref(ready);
    json_decref(order);
}
