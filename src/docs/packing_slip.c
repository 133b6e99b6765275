/*
 * packing_slip.c — what goes in the box with a shipment: order number, ship-to, and one row
 * per line with its bin location and the units in this shipment, on US Letter pages. It
 * never prints a price (the slip may travel with a gift).
 */
#include "docs/docs.h"

#include <stdio.h>

#include "docs/pdf.h"
#include "lib/date.h"

#define SLIP_MARGIN 48.0f
#define SLIP_ROW    16.0f /* points per line row */

#define SLIP_COL_BIN  48.0f
#define SLIP_COL_SKU  140.0f
#define SLIP_COL_NAME 270.0f
#define SLIP_COL_QTY  500.0f /* right edge */
#define SLIP_COL_BOX  520.0f /* the packer's tick box */

static const struct pdf_style slip_body = {.size = 10};
static const struct pdf_style slip_head = {.bold = true, .size = 10};

static void slip_header(struct pdf *pdf, const struct docs_packing_slip *slip)
{
    float right = pdf->width - pdf->margin;
    float top = pdf->y;
    pdf_text(pdf, pdf->margin, top - 18, &(struct pdf_style){.bold = true, .size = 20},
             "PACKING SLIP");
    char day[DATE_DAY_LEN];
    date_format_day(date_day_of_ms(slip->order_created_at_ms), day);
    const char *labels[] = {"Order", "Order date", "Shipment", "Packed at"};
    const char *values[] = {slip->order_number, day, slip->shipment_id, slip->location_code};
    struct pdf_style value_style = {.bold = true, .size = 10, .right = true, .width_max = 170};
    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        float y = top - 14 - (float)i * 13;
        pdf_text(pdf, right - 240, y, &slip_body, labels[i]);
        pdf_text(pdf, right, y, &value_style, values[i]);
    }
    pdf->y = top - 80;
    pdf_text(pdf, pdf->margin, pdf->y, &slip_head, slip->is_pickup ? "Pickup by" : "Ship to");
    pdf->y -= 14;
    struct pdf_style address_style = {.size = 11, .width_max = 300};
    if (slip->ship_to.present) {
        pdf_address(pdf, pdf->margin, &address_style, slip->customer_name, &slip->ship_to);
    } else {
        pdf_text(pdf, pdf->margin, pdf->y, &address_style, slip->customer_name);
        pdf->y -= 14;
    }
    pdf->y -= 12;
}

static void slip_table_head(struct pdf *pdf)
{
    float y = pdf->y;
    pdf_text(pdf, SLIP_COL_BIN, y, &slip_head, "Bin");
    pdf_text(pdf, SLIP_COL_SKU, y, &slip_head, "SKU");
    pdf_text(pdf, SLIP_COL_NAME, y, &slip_head, "Item");
    pdf_text(pdf, SLIP_COL_QTY, y, &(struct pdf_style){.bold = true, .size = 10, .right = true},
             "Qty");
    pdf_text(pdf, SLIP_COL_BOX, y, &slip_head, "Packed");
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, y - 4, 0.75f);
    pdf->y = y - SLIP_ROW - 2;
}

static void slip_line(struct pdf *pdf, const struct docs_packing_slip *slip,
                      const struct docs_slip_line *line)
{
    if (pdf_need(pdf, SLIP_ROW + 2)) {
        char continued[DOCS_TEXT_LEN_MAX];
        (void)snprintf(continued, sizeof(continued), "Packing slip for order %s (continued)",
                       slip->order_number);
        pdf_text(pdf, pdf->margin, pdf->y, &slip_head, continued);
        pdf->y -= SLIP_ROW * 2;
        slip_table_head(pdf);
    }
    char qty[24];
    (void)snprintf(qty, sizeof(qty), "%" PRId64, line->qty);
    float y = pdf->y;
    pdf_text(pdf, SLIP_COL_BIN, y, &(struct pdf_style){.size = 10, .width_max = 88},
             line->bin_location != NULL ? line->bin_location : "-");
    pdf_text(pdf, SLIP_COL_SKU, y, &(struct pdf_style){.size = 10, .width_max = 126}, line->sku);
    pdf_text(pdf, SLIP_COL_NAME, y, &(struct pdf_style){.size = 10, .width_max = 190},
             line->name != NULL ? line->name : "");
    pdf_text(pdf, SLIP_COL_QTY, y, &(struct pdf_style){.bold = true, .size = 11, .right = true},
             qty);
    /* A short rule for the packer's tick. */
    pdf_rule(pdf, SLIP_COL_BOX + 8, SLIP_COL_BOX + 36, y - 2, 0.5f);
    pdf->y -= SLIP_ROW;
}

enum err_code docs_packing_slip_render(const struct docs_packing_slip *slip, struct buf *out,
                                       struct err *err)
{
    ASSERT(slip != NULL && out != NULL);
    ASSERT(slip->lines_count == 0 || slip->lines != NULL);
    struct pdf pdf;
    enum err_code code = pdf_open(&pdf, PDF_LETTER_WIDTH, PDF_LETTER_HEIGHT, SLIP_MARGIN, err);
    if (code == ERR_OK && !pdf_add_page(&pdf)) {
        code = err_set(err, ERR_INTERNAL, NULL, "cannot add a PDF page");
    }
    if (code != ERR_OK) {
        pdf_close(&pdf);
        return code;
    }
    slip_header(&pdf, slip);
    slip_table_head(&pdf);
    int64_t units = 0;
    for (size_t i = 0; i < slip->lines_count; i++) {
        slip_line(&pdf, slip, &slip->lines[i]);
        units += slip->lines[i].qty;
    }
    pdf_need(&pdf, SLIP_ROW * 2);
    pdf_rule(&pdf, pdf.margin, pdf.width - pdf.margin, pdf.y + SLIP_ROW - 4, 0.75f);
    char total[64];
    (void)snprintf(total, sizeof(total), "Total units: %" PRId64, units);
    pdf_text(&pdf, SLIP_COL_QTY, pdf.y - 2,
             &(struct pdf_style){.bold = true, .size = 10, .right = true}, total);
    code = pdf_finish(&pdf, out, err);
    pdf_close(&pdf);
    return code;
}
