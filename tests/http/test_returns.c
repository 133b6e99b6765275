/*
 * test_returns.c — goal: what the API cases (tests/api/300-306) cannot show: the credit note
 * and the numbered invoice as PDFs read back with pdftotext, and the return window measured
 * in real days. Method: (1) over HTTP on a fresh server: an order shipped and delivered,
 * invoice.pdf carries INV-YYYY-000001, a wrong_item return refunds 1250 + 250 of shipping
 * and its credit note PDF says so; (2) orders delivered 31 and 29 days ago are written through
 * the app's use cases with a chosen clock before the server starts: the first is outside the
 * 30-day window (422 return_window_closed), the second inside (201); (3) after a return,
 * the database refuses to change an issued invoice, and `ordo check` reports an order line whose
 * qty_returned its returns do not explain, a refund without its credit note and a gap in the
 * invoice numbers, tampered in with the sqlite3 shell. `ordo check` passes after each untampered
 * run.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "app/app.h"
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

static void start(void)
{
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_admin, sizeof(g_admin)),
              "%s", g_server.error);
    client_global_init();
    g_client = client_new(g_server.base_url);
}

static void finish(void)
{
    client_free(g_client);
    cr_expect(test_server_stop(&g_server), "%s", g_server.error);
    char output[4096];
    cr_expect_eq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    test_server_cleanup(&g_server);
}

TestSuite(returns, .timeout = 120);

/* GETs a PDF; asserts 200 application/pdf and returns its text (check released by caller). */
static const char *get_pdf(const char *path, struct docs_check *check)
{
    struct http_response res;
    long status = client_call(g_client, "GET", path, g_admin, NULL, &res);
    cr_assert_eq(status, 200, "GET %s: %ld %s", path, status, res.body);
    cr_assert_str_eq(res.content_type, "application/pdf");
    docs_check_init(check, res.body, res.body_len);
    http_response_release(&res);
    return docs_check_text(check);
}

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

/* Ships and delivers the order's one shipment at DC-EAST. */
static void ship_over_http(const char *shipment_id)
{
    char path[160];
    json_decref(call("POST", "/v1/pick-lists", "{\"location\":\"DC-EAST\"}", 201));
    json_t *lists = call("GET", "/v1/pick-lists", NULL, 200);
    snprintf(path, sizeof(path), "/v1/pick-lists/%s/complete",
             json_string_value(json_at(lists, "data.0.id")));
    json_decref(lists);
    json_decref(call("POST", path, "{}", 200));
    snprintf(path, sizeof(path), "/v1/shipments/%s/pack", shipment_id);
    json_decref(call("POST", path, "{\"packages\":[{\"weight_grams\":500}]}", 200));
    snprintf(path, sizeof(path), "/v1/shipments/%s/ship", shipment_id);
    json_decref(
        call("POST", path, "{\"carrier\":\"UPS\",\"tracking_number\":\"1Z\",\"cost\":9}", 200));
    snprintf(path, sizeof(path), "/v1/shipments/%s/deliver", shipment_id);
    json_decref(call("POST", path, NULL, 200));
}

Test(returns, credit_note_and_invoice_pdfs)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    start();
    store_over_http();
    json_t *order = call("POST", "/v1/orders",
                         "{\"channel\":\"web\",\"currency\":\"USD\","
                         "\"customer\":{\"email\":\"jo@example.com\",\"name\":\"Jo Smith\"},"
                         "\"lines\":[{\"sku\":\"TEE\",\"qty\":2}],\"shipping_price\":500,"
                         "\"shipping_address\":{\"name\":\"Jo Smith\",\"line1\":\"5 Elm St\","
                         "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\","
                         "\"country\":\"US\"}}",
                         201);
    const char *order_id = json_string_value(json_at(order, "id"));
    const char *line_id = json_string_value(json_at(order, "lines.0.id"));
    ship_over_http(json_string_value(json_at(order, "allocations.0.shipment_id")));
    int64_t year = 0;
    int month = 0;
    int day = 0;
    date_civil_from_days(date_day_of_ms(clock_now_ms()), &year, &month, &day);
    char want[64];
    char path[192];
    snprintf(path, sizeof(path), "/v1/orders/%s/invoice.pdf", order_id);
    struct docs_check check;
    const char *text = get_pdf(path, &check);
    snprintf(want, sizeof(want), "INV-%04d-000001", (int)year);
    docs_check_has(text, want);
    docs_check_release(&check);
    char body[512];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"wrong_item\"}]}",
             order_id, line_id);
    json_t *rma = call("POST", "/v1/returns", body, 201);
    snprintf(path, sizeof(path), "/v1/returns/%s/receive", json_string_value(json_at(rma, "id")));
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":1,\"condition\":\"sellable\"}]}", line_id);
    json_t *received = call("POST", path, body, 200);
    /* 1 of 2 TEE: 2500; wrong_item refunds the unit's shipping share floor(500 / 2) = 250 */
    cr_expect_eq(json_int_at(received, "refunded", -1), 2750);
    cr_expect_eq(json_int_at(received, "credit_notes.0.shipping", -1), 250);
    snprintf(path, sizeof(path), "/v1/credit-notes/%s.pdf",
             json_string_value(json_at(received, "credit_notes.0.id")));
    text = get_pdf(path, &check);
    snprintf(want, sizeof(want), "CN-%04d-000001", (int)year);
    docs_check_has(text, "CREDIT NOTE");
    docs_check_has(text, want);
    docs_check_has(text, json_string_value(json_at(order, "number")));
    docs_check_has(text, "Jo Smith");
    docs_check_has(text, "25.00 USD");
    docs_check_has(text, "2.50 USD");
    docs_check_has(text, "27.50 USD");
    docs_check_release(&check);
    json_decref(call("GET", "/v1/credit-notes/cn_nope.pdf", NULL, 404));
    json_decref(received);
    json_decref(rma);
    json_decref(order);
    finish();
}

/* ---- the window, with a chosen clock ---------------------------------------------------- */

static const struct principal rt_admin = {.role = ROLE_ADMIN, .key_id = "test"};

static void rt_ok(enum err_code code, const struct err *err, const char *what)
{
    cr_assert_eq(code, ERR_OK, "%s: %s %s", what, err_code_name(code), err->message);
}

static void rt_store(struct app_ctx *ctx)
{
    struct location location = {
        .code = "DC-EAST",
        .name = "DC-EAST",
        .kind = LOCATION_KIND_WAREHOUSE,
        .address = {.line1 = "1 Main St",
                    .city = "Newark",
                    .region = "NJ",
                    .postal_code = "07114",
                    .country = "US",
                    .lat = 40.7,
                    .lon = -74.17,
                    .has_coords = true,
                    .present = true},
        .capabilities = LOCATION_CAP_SHIP | LOCATION_CAP_RETURN,
        .capacity_per_day = 5000,
        .active = true,
        .cutoff_minute = 14 * 60,
        .handling_days = 1,
    };
    struct location out;
    struct err err = {0};
    rt_ok(app_location_create(ctx, &location, NULL, &out, &err), &err, "location");
    struct product product = {.sku = "TEE",
                              .name = "Tee",
                              .price = 2500,
                              .currency = "USD",
                              .kind = PRODUCT_KIND_SIMPLE,
                              .active = true};
    struct product product_out;
    rt_ok(app_product_create(ctx, &product, NULL, &product_out, &err), &err, "product");
    struct app_stock_count count = {.sku = "TEE", .location = "DC-EAST", .on_hand = 20};
    struct app_stock_view view;
    rt_ok(app_inventory_count(ctx, &count, NULL, &view, &err), &err, "count");
}

/* An order of 1 TEE captured, shipped and delivered `days_ago` days before now; its id and
 * line id are copied into id and line. */
static void rt_delivered(struct app_ctx *ctx, int64_t at_ms, char id[64], char line[64])
{
    struct order_line lines[1] = {{.line_no = 1, .sku = "TEE", .qty = 1}};
    struct order input = {.channel = "web",
                          .customer_email = "kim@example.com",
                          .currency = "USD",
                          .lines = lines,
                          .lines_count = 1,
                          .method = FULFILLMENT_SHIP,
                          .payment_provider = "manual",
                          .shipping_address = {.line1 = "5 Broad St",
                                               .city = "Newark",
                                               .region = "NJ",
                                               .postal_code = "07102",
                                               .country = "US",
                                               .present = true}};
    struct app_capture_result result;
    struct err err = {0};
    ctx->now_ms = at_ms;
    rt_ok(app_order_capture(ctx, &input, NULL, &result, &err), &err, "capture");
    const char *shipment_id = result.order.allocations[0].shipment_id;
    struct app_pick_list_input pick = {.location = "DC-EAST", .max_shipments = 10};
    struct pick_list list;
    rt_ok(app_pick_list_create(ctx, &pick, NULL, &list, &err), &err, "pick");
    struct app_pick_complete complete = {0};
    rt_ok(app_pick_list_complete(ctx, list.id, &complete, NULL, &list, &err), &err, "complete");
    int64_t weights[1] = {300};
    struct app_packages packages = {.weights_grams = weights, .count = 1};
    struct app_shipment_view view;
    rt_ok(app_shipment_pack(ctx, shipment_id, &packages, NULL, &view, &err), &err, "pack");
    struct app_ship ship = {.carrier = "UPS", .tracking_number = "1Z", .cost = 5};
    rt_ok(app_shipment_ship(ctx, shipment_id, &ship, NULL, &view, &err), &err, "ship");
    rt_ok(app_shipment_deliver(ctx, shipment_id, NULL, &view, &err), &err, "deliver");
    snprintf(id, 64, "%s", result.order.id);
    snprintf(line, 64, "%s", result.order.lines[0].id);
}

Test(returns, window_of_30_days_after_delivery)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    struct app *app = NULL;
    struct app_options options = {.db_path = g_server.db_path, .no_writer = true};
    struct err err = {0};
    rt_ok(app_open(&options, &app, &err), &err, "app_open");
    struct arena arena;
    arena_init(&arena, (size_t)16 * 1024 * 1024);
    struct app_ctx ctx = {.app = app, .principal = &rt_admin, .arena = &arena};
    int64_t now = clock_now_ms();
    ctx.now_ms = now - 40 * DATE_MS_PER_DAY;
    rt_store(&ctx);
    char old_id[64];
    char old_line[64];
    char recent_id[64];
    char recent_line[64];
    rt_delivered(&ctx, now - 31 * DATE_MS_PER_DAY, old_id, old_line);
    rt_delivered(&ctx, now - 29 * DATE_MS_PER_DAY, recent_id, recent_line);
    app_close(app);
    arena_release(&arena);
    start();
    char body[512];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"changed_mind\"}]}",
             old_id, old_line);
    json_t *closed = call("POST", "/v1/returns", body, 422);
    cr_expect_str_eq(json_string_value(json_at(closed, "error.code")), "return_window_closed");
    json_decref(closed);
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"changed_mind\"}]}",
             recent_id, recent_line);
    json_decref(call("POST", "/v1/returns", body, 201));
    char path[128];
    snprintf(path, sizeof(path), "/v1/returns?order_id=%s", old_id);
    json_t *none = call("GET", path, NULL, 200);
    cr_expect_eq(json_array_size(json_at(none, "data")), 0);
    json_decref(none);
    finish();
}

/* Runs one SQL statement with the sqlite3 shell or psql; its exit status (output in out). */
static int rt_sql(const char *sql, char *out, size_t out_size)
{
    return test_server_sql(&g_server, sql, out, out_size);
}

Test(returns, check_catches_tampering_and_documents_are_immutable)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    start();
    store_over_http();
    json_t *order = call("POST", "/v1/orders",
                         "{\"channel\":\"web\",\"currency\":\"USD\","
                         "\"customer\":{\"email\":\"lu@example.com\"},"
                         "\"lines\":[{\"sku\":\"TEE\",\"qty\":1}],"
                         "\"shipping_address\":{\"line1\":\"5 Elm St\",\"city\":\"Boston\","
                         "\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"}}",
                         201);
    const char *line_id = json_string_value(json_at(order, "lines.0.id"));
    ship_over_http(json_string_value(json_at(order, "allocations.0.shipment_id")));
    char body[512];
    snprintf(body, sizeof(body),
             "{\"order_id\":\"%s\",\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"%s\","
             "\"qty\":1,\"reason\":\"changed_mind\"}]}",
             json_string_value(json_at(order, "id")), line_id);
    json_t *rma = call("POST", "/v1/returns", body, 201);
    char path[160];
    snprintf(path, sizeof(path), "/v1/returns/%s/receive", json_string_value(json_at(rma, "id")));
    snprintf(body, sizeof(body),
             "{\"lines\":[{\"line_id\":\"%s\",\"qty\":1,\"condition\":\"sellable\"}]}", line_id);
    json_decref(call("POST", path, body, 200));
    json_decref(rma);
    json_decref(order);
    client_free(g_client);
    cr_assert(test_server_stop(&g_server), "%s", g_server.error);
    char output[4096];
    cr_assert_eq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    /* issued documents cannot change */
    cr_expect_neq(rt_sql("UPDATE invoices SET amount = 1", output, sizeof(output)), 0);
    cr_expect(strstr(output, "immutable") != NULL, "%s", output);
    cr_expect_neq(rt_sql("DELETE FROM invoices", output, sizeof(output)), 0);
    /* a line's qty_returned that its returns do not explain, and a refund without its note */
    cr_assert_eq(rt_sql("UPDATE order_lines SET qty_returned = 0", output, sizeof(output)), 0, "%s",
                 output);
    cr_assert_eq(rt_sql("UPDATE returns SET refunded = refunded + 1", output, sizeof(output)), 0,
                 "%s", output);
    cr_expect_neq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    cr_expect(strstr(output, "returns: 1 order lines whose qty_returned") != NULL, "%s", output);
    cr_expect(strstr(output, "returns: 1 returns whose refunded") != NULL, "%s", output);
    /* a number skipped: INV-YYYY-000003 issued after 000001 (inserts pass the triggers) */
    cr_assert_eq(rt_sql("INSERT INTO invoices SELECT 'inv_gap', 'invoice', 'INV-' || year || "
                        "'-000003', year, 3, order_id, NULL, amount, 0, currency, issued_at "
                        "FROM invoices WHERE kind = 'invoice'",
                        output, sizeof(output)),
                 0, "%s", output);
    cr_expect_neq(test_server_check(&g_server, output, sizeof(output)), 0, "%s", output);
    cr_expect(strstr(output, "invoices: 1 numbers missing (gaps)") != NULL, "%s", output);
    test_server_cleanup(&g_server);
}
