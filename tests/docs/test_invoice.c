/*
 * test_invoice.c — goal: the invoice shows who sells to whom, every line and the totals in the
 * order's currency, for any customer name and any number of lines. Method: orders built as
 * plain structs are rendered and read back with pdftotext and pdfinfo (docs_check.h).
 */
#include <criterion/criterion.h>

#include "core/limits.h"
#include "docs/docs.h"
#include "docs_check.h"

static struct order_line g_lines[ORDER_LINES_MAX];

/* A two-line USD order for José Müller, shipped to Boston, billed to Cambridge. */
static struct order invoice_order(void)
{
    g_lines[0] = (struct order_line){
        .id = "l1", .sku = "TSHIRT-M-BLK", .name = "T-shirt M black", .qty = 2, .unit_price = 1999};
    g_lines[1] = (struct order_line){.id = "l2",
                                     .sku = "MUG",
                                     .name = "Mug \xE2\x80\x9C"
                                             "Caf\xC3\xA9\xE2\x80\x9D",
                                     .qty = 1,
                                     .unit_price = 1299};
    return (struct order){
        .id = "ord1",
        .number = "SO-1042",
        .customer_name = "Jos\xC3\xA9 M\xC3\xBCller",
        .customer_email = "jose@example.com",
        .currency = "USD",
        .lines = g_lines,
        .lines_count = 2,
        .shipping_address = {.name = "Jos\xC3\xA9 M\xC3\xBCller",
                             .line1 = "5 Elm St",
                             .city = "Boston",
                             .region = "MA",
                             .postal_code = "02118",
                             .country = "US",
                             .present = true},
        .billing_address = {.name = "M\xC3\xBCller GmbH",
                            .line1 = "1 Kendall Sq",
                            .city = "Cambridge",
                            .region = "MA",
                            .postal_code = "02139",
                            .country = "US",
                            .present = true},
        .totals = {.subtotal = 5297, .discount = 200, .shipping = 500, .tax = 320, .total = 5917},
        .created_at_ms = 1795947300000, /* 2026-11-29T10:15:00Z */
    };
}

static void render(const struct order *order, struct buf *out)
{
    struct docs_seller seller;
    docs_seller_default(&seller);
    struct err err;
    buf_init(out, (size_t)8 << 20);
    enum err_code code = docs_invoice_render(&seller, order, out, &err);
    cr_assert_eq(code, ERR_OK, "%s", err.message);
}

Test(invoice, shows_seller_parties_lines_and_totals)
{
    struct order order = invoice_order();
    struct buf pdf;
    render(&order, &pdf);
    struct docs_check check;
    docs_check_init(&check, pdf.ptr, pdf.len);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "INVOICE");
    docs_check_has(text, "Ordo Demo Store");
    docs_check_has(text, "SO-1042");
    docs_check_has(text, "2026-11-29");
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "jose@example.com");
    docs_check_has(text, "M\xC3\xBCller GmbH");
    docs_check_has(text, "Cambridge MA 02139");
    docs_check_has(text, "Boston MA 02118");
    docs_check_has(text, "TSHIRT-M-BLK");
    docs_check_has(text, "Mug \xE2\x80\x9C"
                         "Caf\xC3\xA9\xE2\x80\x9D");
    docs_check_has(text, "19.99 USD");
    docs_check_has(text, "39.98 USD");
    docs_check_has(text, "52.97 USD");
    docs_check_has(text, "-2.00 USD");
    docs_check_has(text, "5.00 USD");
    docs_check_has(text, "3.20 USD");
    docs_check_has(text, "59.17 USD");
    docs_check_has(docs_check_info(&check), "Pages:           1");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(invoice, uses_the_currency_exponent)
{
    struct order order = invoice_order();
    order.currency = "JPY";
    order.lines_count = 1;
    g_lines[0].unit_price = 1200;
    order.totals = (struct order_totals){.subtotal = 2400, .shipping = 500, .total = 2900};
    struct buf pdf;
    render(&order, &pdf);
    struct docs_check check;
    docs_check_init(&check, pdf.ptr, pdf.len);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "1,200 JPY");
    docs_check_has(text, "2,900 JPY");
    cr_expect(strstr(text, "Discount") == NULL, "no discount row when there is none");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(invoice, no_billing_address_and_other_scripts)
{
    struct order order = invoice_order();
    order.billing_address = (struct address){0};
    order.customer_name = "\xE5\xB1\xB1\xE7\x94\xB0 \xE5\xA4\xAA\xE9\x83\x8E"; /* 山田 太郎 */
    order.shipping_address.name = NULL;
    order.shipping_address.line2 = "\xF0\x9F\x93\xA6 \xC3"; /* emoji and a cut sequence */
    struct buf pdf;
    render(&order, &pdf);
    struct docs_check check;
    docs_check_init(&check, pdf.ptr, pdf.len);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "?? ??");
    docs_check_has(text, "5 Elm St");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(invoice, long_orders_continue_on_more_pages)
{
    struct order order = invoice_order();
    static char skus[ORDER_LINES_MAX][16];
    for (size_t i = 0; i < ORDER_LINES_MAX; i++) {
        snprintf(skus[i], sizeof(skus[i]), "SKU-%03zu", i);
        g_lines[i] = (struct order_line){.sku = skus[i],
                                         .name = "A product with a long name "
                                                 "that will not fit its column",
                                         .qty = 1,
                                         .unit_price = 100};
    }
    order.lines_count = ORDER_LINES_MAX;
    order.totals = (struct order_totals){.subtotal = 20000, .total = 20000};
    struct buf pdf;
    render(&order, &pdf);
    struct docs_check check;
    docs_check_init(&check, pdf.ptr, pdf.len);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "SKU-000");
    docs_check_has(text, "SKU-199");
    docs_check_has(text, "(continued)");
    docs_check_has(text, "...");
    docs_check_has(text, "200.00 USD");
    cr_expect(strstr(docs_check_info(&check), "Pages:           1\n") == NULL);
    docs_check_release(&check);
    buf_release(&pdf);
}
