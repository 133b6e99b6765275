/*
 * test_label.c — goal: a 4 x 6 inch label a carrier can scan: addresses and carrier readable,
 * the Code 128 bar code decoding to the tracking number, and for a pickup a QR code decoding
 * to the pickup code; no label before there is something to scan. Method: labels built as
 * plain structs, read back with pdftotext and pdfinfo and, rendered at 300 dpi, with zbarimg.
 */
#include <criterion/criterion.h>

#include "docs/docs.h"
#include "docs_check.h"

static struct docs_label label_example(void)
{
    return (struct docs_label){
        .order_number = "SO-1042",
        .shipment_id = "shp_01",
        .from_name = "Newark DC",
        .ship_from = {.line1 = "1 Port St",
                      .city = "Newark",
                      .region = "NJ",
                      .postal_code = "07114",
                      .country = "US",
                      .present = true},
        .to_name = "Jos\xC3\xA9 M\xC3\xBCller",
        .ship_to = {.line1 = "5 Elm St",
                    .line2 = "Apt 3",
                    .city = "Boston",
                    .region = "MA",
                    .postal_code = "02118",
                    .country = "US",
                    .present = true},
        .carrier = "UPS",
        .service = "Ground",
        .tracking_number = "1Z999AA10123456784",
    };
}

static void render(const struct docs_label *label, struct docs_check *check, struct buf *pdf)
{
    struct err err;
    buf_init(pdf, (size_t)8 << 20);
    cr_assert_eq(docs_label_render(label, pdf, &err), ERR_OK, "%s", err.message);
    docs_check_init(check, pdf->ptr, pdf->len);
}

Test(label, parcel_has_addresses_carrier_and_a_scannable_tracking_number, .timeout = 60)
{
    struct docs_label label = label_example();
    struct docs_check check;
    struct buf pdf;
    render(&label, &check, &pdf);
    docs_check_has(docs_check_info(&check), "Page size:       288 x 432 pts");
    const char *text = docs_check_text(&check);
    docs_check_has(text, "Newark DC");
    docs_check_has(text, "Newark NJ 07114");
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "Apt 3");
    docs_check_has(text, "Boston MA 02118");
    docs_check_has(text, "UPS Ground");
    docs_check_has(text, "1Z999AA10123456784");
    docs_check_has(text, "SO-1042");
    const char *codes = docs_check_codes(&check);
    cr_expect_str_eq(codes, "CODE-128:1Z999AA10123456784\n");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(label, digits_only_tracking_number, .timeout = 60)
{
    struct docs_label label = label_example();
    label.carrier = "USPS";
    label.service = NULL;
    label.tracking_number = "9400111899223856912345";
    struct docs_check check;
    struct buf pdf;
    render(&label, &check, &pdf);
    docs_check_has(docs_check_text(&check), "USPS");
    cr_expect_str_eq(docs_check_codes(&check), "CODE-128:9400111899223856912345\n");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(label, pickup_has_a_qr_code_of_the_pickup_code, .timeout = 60)
{
    struct docs_label label = label_example();
    label.is_pickup = true;
    label.tracking_number = NULL;
    label.carrier = NULL;
    label.from_name = "Store 12 Boston";
    label.ship_to = (struct address){0};
    label.pickup_code = "K7P4Q2";
    struct docs_check check;
    struct buf pdf;
    render(&label, &check, &pdf);
    const char *text = docs_check_text(&check);
    docs_check_has(text, "STORE PICKUP");
    docs_check_has(text, "Store 12 Boston");
    docs_check_has(text, "Jos\xC3\xA9 M\xC3\xBCller");
    docs_check_has(text, "K7P4Q2");
    cr_expect_str_eq(docs_check_codes(&check), "QR-Code:K7P4Q2\n");
    docs_check_release(&check);
    buf_release(&pdf);
}

Test(label, nothing_to_scan_yet_is_invalid_state)
{
    struct docs_label label = label_example();
    struct buf pdf;
    struct err err;
    buf_init(&pdf, 1 << 20);
    label.tracking_number = "";
    cr_expect_eq(docs_label_render(&label, &pdf, &err), ERR_STATE);
    cr_expect(strstr(err.message, "ship it first") != NULL, "%s", err.message);
    label.tracking_number = NULL;
    cr_expect_eq(docs_label_render(&label, &pdf, &err), ERR_STATE);
    label.is_pickup = true;
    label.pickup_code = NULL;
    cr_expect_eq(docs_label_render(&label, &pdf, &err), ERR_STATE);
    cr_expect_eq(pdf.len, 0, "nothing written on failure");
    buf_release(&pdf);
}

Test(label, a_code_too_long_to_print_is_invalid)
{
    struct docs_label label = label_example();
    char long_number[DOCS_BARCODE_LEN_MAX + 2];
    memset(long_number, '7', sizeof(long_number) - 1);
    long_number[sizeof(long_number) - 1] = '\0';
    label.tracking_number = long_number;
    struct buf pdf;
    struct err err;
    buf_init(&pdf, 1 << 20);
    cr_expect_eq(docs_label_render(&label, &pdf, &err), ERR_INVALID);
    cr_expect_eq(pdf.len, 0, "nothing written on failure");
    buf_release(&pdf);
}

Test(label, an_answer_buffer_too_small_is_too_large)
{
    struct docs_label label = label_example();
    struct buf pdf;
    struct err err;
    buf_init(&pdf, 100);
    cr_expect_eq(docs_label_render(&label, &pdf, &err), ERR_TOO_LARGE);
    buf_release(&pdf);
}
