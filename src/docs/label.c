/*
 * label.c — the 4 x 6 inch label of a shipment. A parcel label has the ship-from and ship-to
 * addresses, carrier and service, and a Code 128 bar code of the tracking number with the
 * number printed under it; a pickup label says who collects it where, with a QR code of the
 * pickup code. Fixed layout: every block is clipped to its width and has its own band.
 */
#include "docs/docs.h"

#include <stdio.h>
#include <zint.h>

#include "docs/pdf.h"

#define LABEL_MARGIN 14.0f

static const struct pdf_style label_caption = {.bold = true, .size = 7};
static const struct pdf_style label_small = {.size = 8, .width_max = 260};

static bool label_is_blank(const char *s)
{
    return s == NULL || s[0] == '\0';
}

/* "Order SO-1001 · Shipment 0A1B..." at the bottom of both kinds. */
static void label_footer(struct pdf *pdf, const struct docs_label *label)
{
    char footer[DOCS_TEXT_LEN_MAX];
    (void)snprintf(footer, sizeof(footer), "Order %s   Shipment %s",
                   label->order_number != NULL ? label->order_number : "-",
                   label->shipment_id != NULL ? label->shipment_id : "-");
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, pdf->margin + 14, 0.75f);
    pdf_text(pdf, pdf->margin, pdf->margin + 2, &label_small, footer);
}

/* The FROM block at the top; leaves the cursor under it. */
static void label_from(struct pdf *pdf, const struct docs_label *label, const char *caption)
{
    pdf_text(pdf, pdf->margin, pdf->y - 7, &label_caption, caption);
    pdf->y -= 18;
    pdf_address(pdf, pdf->margin, &label_small, label->from_name, &label->ship_from);
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, pdf->y + 2, 1.5f);
    pdf->y -= 10;
}

static enum err_code label_parcel(struct pdf *pdf, const struct docs_label *label, struct err *err)
{
    float width = pdf->width - 2 * pdf->margin;
    label_from(pdf, label, "FROM");
    pdf_text(pdf, pdf->margin, pdf->y - 7, &label_caption, "SHIP TO");
    pdf->y -= 22;
    pdf_address(pdf, pdf->margin + 8,
                &(struct pdf_style){.bold = true, .size = 11, .width_max = width - 8},
                label->to_name, &label->ship_to);
    /* Carrier, bar code and number keep their band at the bottom whatever the address took. */
    float band = 200;
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, band, 1.5f);
    char carrier[DOCS_TEXT_LEN_MAX];
    (void)snprintf(carrier, sizeof(carrier), "%s %s",
                   label_is_blank(label->carrier) ? "CARRIER" : label->carrier,
                   label_is_blank(label->service) ? "" : label->service);
    pdf_text(pdf, pdf->margin, band - 22,
             &(struct pdf_style){.bold = true, .size = 18, .width_max = width}, carrier);
    struct pdf_box box = {.x = pdf->margin, .y = 70, .width = width, .height = 96};
    enum err_code code = pdf_barcode(pdf, BARCODE_CODE128, label->tracking_number, &box, err);
    if (code != ERR_OK) {
        return code;
    }
    char tracking[DOCS_TEXT_LEN_MAX];
    (void)snprintf(tracking, sizeof(tracking), "TRACKING # %s", label->tracking_number);
    pdf_text(pdf, pdf->margin, 48,
             &(struct pdf_style){.bold = true, .size = 11, .width_max = width}, tracking);
    return ERR_OK;
}

static enum err_code label_pickup(struct pdf *pdf, const struct docs_label *label, struct err *err)
{
    float width = pdf->width - 2 * pdf->margin;
    pdf_text(pdf, pdf->margin, pdf->y - 18, &(struct pdf_style){.bold = true, .size = 20},
             "STORE PICKUP");
    pdf->y -= 30;
    label_from(pdf, label, "PICK UP AT");
    pdf_text(pdf, pdf->margin, pdf->y - 7, &label_caption, "FOR");
    pdf->y -= 24;
    pdf_text(pdf, pdf->margin + 8, pdf->y,
             &(struct pdf_style){.bold = true, .size = 14, .width_max = width - 8},
             label_is_blank(label->ship_to.name) ? label->to_name : label->ship_to.name);
    struct pdf_box box = {.x = pdf->margin, .y = 78, .width = width, .height = 170};
    enum err_code code = pdf_barcode(pdf, BARCODE_QRCODE, label->pickup_code, &box, err);
    if (code != ERR_OK) {
        return code;
    }
    char pickup[DOCS_TEXT_LEN_MAX];
    (void)snprintf(pickup, sizeof(pickup), "PICKUP CODE %s", label->pickup_code);
    pdf_text(pdf, pdf->margin, 50,
             &(struct pdf_style){.bold = true, .size = 16, .width_max = width}, pickup);
    return ERR_OK;
}

enum err_code docs_label_render(const struct docs_label *label, struct buf *out, struct err *err)
{
    ASSERT(label != NULL);
    ASSERT(out != NULL);
    if (!label->is_pickup && label_is_blank(label->tracking_number)) {
        return err_set(err, ERR_STATE, NULL,
                       "the shipment has no tracking number yet: ship it first");
    }
    if (label->is_pickup && label_is_blank(label->pickup_code)) {
        return err_set(err, ERR_STATE, NULL,
                       "the pickup has no pickup code yet: mark it ready first");
    }
    struct pdf pdf;
    enum err_code code = pdf_open(&pdf, PDF_LABEL_WIDTH, PDF_LABEL_HEIGHT, LABEL_MARGIN, err);
    if (code == ERR_OK && !pdf_add_page(&pdf)) {
        code = err_set(err, ERR_INTERNAL, NULL, "cannot add a PDF page");
    }
    if (code == ERR_OK) {
        code = label->is_pickup ? label_pickup(&pdf, label, err) : label_parcel(&pdf, label, err);
    }
    if (code == ERR_OK) {
        label_footer(&pdf, label);
        code = pdf_finish(&pdf, out, err);
    }
    pdf_close(&pdf);
    return code;
}
