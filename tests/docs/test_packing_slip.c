/*
 * test_packing_slip.c — goal: the slip in the box names the order and the ship-to and lists
 * every SKU with its quantity and bin, and never a price. Method: slips built as plain structs
 * are rendered and read back with pdftotext (docs_check.h).
 */
#include <criterion/criterion.h>

#include "docs/docs.h"
#include "docs_check.h"

static const struct docs_slip_line slip_lines[] = {
    {.sku = "TSHIRT-M-BLK", .name = "T-shirt M black", .qty = 2, .bin_location = "A-01-03"},
    {.sku = "MUG", .name = "Mug", .qty = 17, .bin_location = NULL},
    {.sku = "SOCKS-\xC3\x9F",
     .name = "Stra\xC3\x9F"
             "e socks",
     .qty = 3,
     .bin_location = "Z-99"},
};

static struct docs_packing_slip slip_example(void)
{
    return (struct docs_packing_slip){
        .order_number = "SO-1042",
        .shipment_id = "shp_01",
        .location_code = "DC-EAST",
        .customer_name = "Jos\xC3\xA9 M\xC3\xBCller",
        .ship_to = {.line1 = "5 Elm St",
                    .city = "Boston",
                    .region = "MA",
                    .postal_code = "02118",
                    .country = "US",
                    .present = true},
        .order_created_at_ms = 1795947300000, /* 2026-11-29T10:15:00Z */
        .lines = slip_lines,
        .lines_count = ARRAY_LEN(slip_lines),
    };
}

static const char *render_text(const struct docs_packing_slip *slip, struct docs_check *check,
                               struct buf *pdf)
{
    struct err err;
    buf_init(pdf, (size_t)8 << 20);
    cr_assert_eq(docs_packing_slip_render(slip, pdf, &err), ERR_OK, "%s", err.message);
    docs_check_init(check, pdf->ptr, pdf->len);
    return docs_check_text(check);
}

Test(packing_slip, lists_skus_quantities_and_bins)
{
    struct docs_packing_slip slip = slip_example();
    struct docs_check check;
    struct buf pdf;
    const char *text = render_text(&slip, &check, &pdf);
    docs_check_has(text, "PACKING SLIP");
    docs_check_has(text, "SO-1042");
    docs_check_has(text, "shp_01");
    docs_check_has(text, "DC-EAST");
    docs_check_has(text, "2026-11-29");
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "Boston MA 02118");
    docs_check_has(text, "A-01-03");
    docs_check_has(text, "TSHIRT-M-BLK");
    docs_check_has(text, "SOCKS-\xC3\x9F");
    docs_check_has(text, "Stra\xC3\x9F"
                         "e socks");
    docs_check_has(text, "Z-99");
    docs_check_has(text, "17");
    docs_check_has(text, "Total units: 22");
    cr_expect(strstr(text, "USD") == NULL && strstr(text, "$") == NULL, "no prices:\n%s", text);
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(packing_slip, pickup_without_address_and_no_lines)
{
    struct docs_packing_slip slip = slip_example();
    slip.is_pickup = true;
    slip.ship_to = (struct address){0};
    slip.lines_count = 0;
    struct docs_check check;
    struct buf pdf;
    const char *text = render_text(&slip, &check, &pdf);
    docs_check_has(text, "Pickup by");
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "Total units: 0");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(packing_slip, many_lines_continue_on_more_pages)
{
    static struct docs_slip_line lines[200];
    static char skus[200][16];
    for (size_t i = 0; i < ARRAY_LEN(lines); i++) {
        snprintf(skus[i], sizeof(skus[i]), "SKU-%03zu", i);
        lines[i] =
            (struct docs_slip_line){.sku = skus[i], .name = "x", .qty = 1, .bin_location = "B-1"};
    }
    struct docs_packing_slip slip = slip_example();
    slip.lines = lines;
    slip.lines_count = ARRAY_LEN(lines);
    struct docs_check check;
    struct buf pdf;
    const char *text = render_text(&slip, &check, &pdf);
    docs_check_has(text, "SKU-199");
    docs_check_has(text, "(continued)");
    docs_check_has(text, "Total units: 200");
    docs_check_release(&check);
    buf_release(&pdf);
}
