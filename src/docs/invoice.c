/*
 * invoice.c — the invoice of an order on US Letter pages: seller and order number on top, the
 * bill-to and ship-to addresses, one row per line with its total, then subtotal, discount,
 * shipping, tax and total. Amounts print with the currency's own exponent. Long orders go on
 * as many pages as they need, the column heads repeated on each.
 */
#include "docs/docs.h"

#include <stdio.h>

#include "core/money.h"
#include "docs/pdf.h"
#include "lib/date.h"

#define INVOICE_MARGIN 48.0f
#define INVOICE_ROW    14.0f /* points per line row */

/* Right edges (qty and amounts) and left edges (text) of the table's columns. */
#define INVOICE_COL_SKU   48.0f
#define INVOICE_COL_NAME  160.0f
#define INVOICE_COL_QTY   400.0f
#define INVOICE_COL_UNIT  482.0f
#define INVOICE_COL_TOTAL 564.0f

static const struct pdf_style invoice_body = {.size = 10};
static const struct pdf_style invoice_small = {.size = 9};
static const struct pdf_style invoice_head = {.bold = true, .size = 10};

void docs_seller_default(struct docs_seller *out)
{
    ASSERT(out != NULL);
    *out = (struct docs_seller){
        .name = "Ordo Demo Store",
        .address = {.line1 = "100 Market St",
                    .city = "San Francisco",
                    .region = "CA",
                    .postal_code = "94105",
                    .country = "US",
                    .present = true},
        .email = "billing@ordo.example",
        .tax_id = NULL,
    };
}

static void invoice_header(struct pdf *pdf, const struct docs_seller *seller,
                           const struct order *order, const char *number)
{
    float right = pdf->width - pdf->margin;
    float top = pdf->y;
    pdf_text(pdf, pdf->margin, top - 16,
             &(struct pdf_style){.bold = true, .size = 16, .width_max = 300}, seller->name);
    pdf_text(pdf, right, top - 18, &(struct pdf_style){.bold = true, .size = 20, .right = true},
             "INVOICE");
    pdf->y = top - 34;
    pdf_address(pdf, pdf->margin, &(struct pdf_style){.size = 9, .width_max = 300}, NULL,
                &seller->address);
    if (seller->email != NULL) {
        pdf_text(pdf, pdf->margin, pdf->y, &invoice_small, seller->email);
        pdf->y -= 11;
    }
    if (seller->tax_id != NULL) {
        char tax[DOCS_TEXT_LEN_MAX];
        (void)snprintf(tax, sizeof(tax), "Tax ID: %s", seller->tax_id);
        pdf_text(pdf, pdf->margin, pdf->y, &invoice_small, tax);
        pdf->y -= 11;
    }
    char day[DATE_DAY_LEN];
    date_format_day(date_day_of_ms(order->created_at_ms), day);
    const char *labels[] = {"Order", "Date", "Currency", "Invoice"};
    const char *values[] = {order->number, day, order->currency, number};
    struct pdf_style value_style = {.bold = true, .size = 10, .right = true, .width_max = 140};
    for (size_t i = 0; i < ARRAY_LEN(labels) && values[i] != NULL; i++) {
        float y = top - 40 - (float)i * 13;
        pdf_text(pdf, right - 190, y, &invoice_body, labels[i]);
        pdf_text(pdf, right, y, &value_style, values[i]);
    }
    if (pdf->y > top - 90) {
        pdf->y = top - 90;
    }
}

/* Bill to (with the customer's e-mail) and ship to, side by side. */
static void invoice_parties(struct pdf *pdf, const struct order *order)
{
    float top = pdf->y - 8;
    float column = pdf->width / 2;
    struct pdf_style style = {.size = 10, .width_max = column - pdf->margin - 12};
    const struct address *bill =
        order->billing_address.present ? &order->billing_address : &order->shipping_address;
    pdf_text(pdf, pdf->margin, top, &invoice_head, "Bill to");
    pdf->y = top - 14;
    pdf_address(pdf, pdf->margin, &style, order->customer_name, bill);
    pdf_text(pdf, pdf->margin, pdf->y, &style, order->customer_email);
    float bill_bottom = pdf->y - 12.5f;
    pdf_text(pdf, column, top, &invoice_head, "Ship to");
    pdf->y = top - 14;
    if (order->shipping_address.present) {
        pdf_address(pdf, column, &style, order->customer_name, &order->shipping_address);
    } else {
        pdf_text(pdf, column, pdf->y, &style,
                 order->method == FULFILLMENT_PICKUP ? "Store pickup" : "-");
        pdf->y -= 12.5f;
    }
    if (pdf->y > bill_bottom) {
        pdf->y = bill_bottom;
    }
    pdf->y -= 10;
}

static void invoice_table_head(struct pdf *pdf)
{
    float y = pdf->y;
    struct pdf_style right = {.bold = true, .size = 10, .right = true};
    pdf_text(pdf, INVOICE_COL_SKU, y, &invoice_head, "SKU");
    pdf_text(pdf, INVOICE_COL_NAME, y, &invoice_head, "Item");
    pdf_text(pdf, INVOICE_COL_QTY, y, &right, "Qty");
    pdf_text(pdf, INVOICE_COL_UNIT, y, &right, "Unit price");
    pdf_text(pdf, INVOICE_COL_TOTAL, y, &right, "Line total");
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, y - 4, 0.75f);
    pdf->y = y - INVOICE_ROW - 4;
}

static enum err_code invoice_line(struct pdf *pdf, const struct order *order,
                                  const struct order_line *line, struct err *err)
{
    int64_t line_total = 0;
    enum err_code code = money_mul(line->qty, line->unit_price, &line_total, "lines[].qty", err);
    if (code != ERR_OK) {
        return code;
    }
    if (pdf_need(pdf, INVOICE_ROW + 2)) {
        char continued[DOCS_TEXT_LEN_MAX];
        (void)snprintf(continued, sizeof(continued), "Invoice for order %s (continued)",
                       order->number);
        pdf_text(pdf, pdf->margin, pdf->y, &invoice_head, continued);
        pdf->y -= INVOICE_ROW * 2;
        invoice_table_head(pdf);
    }
    char qty[24];
    char unit[DOCS_AMOUNT_LEN_MAX];
    char total[DOCS_AMOUNT_LEN_MAX];
    (void)snprintf(qty, sizeof(qty), "%" PRId64, line->qty);
    docs_format_amount(line->unit_price, order->currency, unit);
    docs_format_amount(line_total, order->currency, total);
    float y = pdf->y;
    struct pdf_style right = {.size = 10, .right = true};
    pdf_text(pdf, INVOICE_COL_SKU, y, &(struct pdf_style){.size = 9, .width_max = 108}, line->sku);
    pdf_text(pdf, INVOICE_COL_NAME, y, &(struct pdf_style){.size = 10, .width_max = 200},
             line->name != NULL ? line->name : line->sku);
    pdf_text(pdf, INVOICE_COL_QTY, y, &right, qty);
    pdf_text(pdf, INVOICE_COL_UNIT, y, &right, unit);
    pdf_text(pdf, INVOICE_COL_TOTAL, y, &right, total);
    pdf->y -= INVOICE_ROW;
    return ERR_OK;
}

static void invoice_totals(struct pdf *pdf, const struct order *order)
{
    const struct order_totals *t = &order->totals;
    const char *labels[] = {"Subtotal", "Discount", "Shipping", "Tax", "Total"};
    const int64_t amounts[] = {t->subtotal, -t->discount, t->shipping, t->tax, t->total};
    pdf_need(pdf, INVOICE_ROW * 7);
    pdf_rule(pdf, pdf->margin, pdf->width - pdf->margin, pdf->y + INVOICE_ROW - 4, 0.75f);
    pdf->y -= 4;
    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        bool is_total = i + 1 == ARRAY_LEN(labels);
        if (i == 1 && t->discount == 0) {
            continue;
        }
        if (is_total) {
            pdf_rule(pdf, INVOICE_COL_UNIT - 90, INVOICE_COL_TOTAL, pdf->y + INVOICE_ROW - 4, 0.5f);
        }
        char amount[DOCS_AMOUNT_LEN_MAX];
        docs_format_amount(amounts[i], order->currency, amount);
        struct pdf_style style = {.bold = is_total, .size = is_total ? 11 : 10, .right = true};
        pdf_text(pdf, INVOICE_COL_UNIT, pdf->y, &style, labels[i]);
        pdf_text(pdf, INVOICE_COL_TOTAL, pdf->y, &style, amount);
        pdf->y -= INVOICE_ROW;
    }
    pdf->y -= INVOICE_ROW;
    pdf_text(pdf, pdf->margin, pdf->y, &invoice_small, "Thank you for your order.");
}

enum err_code docs_invoice_render(const struct docs_seller *seller, const struct order *order,
                                  struct buf *out, struct err *err)
{
    return docs_invoice_render_numbered(seller, order, NULL, out, err);
}

enum err_code docs_invoice_render_numbered(const struct docs_seller *seller,
                                           const struct order *order, const char *number,
                                           struct buf *out, struct err *err)
{
    ASSERT(seller != NULL && order != NULL);
    ASSERT(out != NULL);
    ASSERT(order->lines_count == 0 || order->lines != NULL);
    struct pdf pdf;
    enum err_code code = pdf_open(&pdf, PDF_LETTER_WIDTH, PDF_LETTER_HEIGHT, INVOICE_MARGIN, err);
    if (code == ERR_OK && !pdf_add_page(&pdf)) {
        code = err_set(err, ERR_INTERNAL, NULL, "cannot add a PDF page");
    }
    if (code == ERR_OK) {
        invoice_header(&pdf, seller, order, number);
        invoice_parties(&pdf, order);
        invoice_table_head(&pdf);
    }
    for (size_t i = 0; code == ERR_OK && i < order->lines_count; i++) {
        code = invoice_line(&pdf, order, &order->lines[i], err);
    }
    if (code == ERR_OK) {
        invoice_totals(&pdf, order);
        code = pdf_finish(&pdf, out, err);
    }
    pdf_close(&pdf);
    return code;
}
