/*
 * credit_note.c — the credit note of a refund on a return, one US Letter page: seller and
 * "CREDIT NOTE" on top with its number, date, the order it credits and the return, the
 * customer billed, then the amount credited for the returned goods, the shipping credited and
 * the total. Amounts print with the currency's own exponent.
 */
#include "docs/docs.h"

#include <stdio.h>

#include "docs/pdf.h"
#include "lib/date.h"

#define CREDIT_NOTE_MARGIN 48.0f
#define CREDIT_NOTE_ROW    14.0f

static const struct pdf_style credit_note_body = {.size = 10};
static const struct pdf_style credit_note_head = {.bold = true, .size = 10};

static void credit_note_header(struct pdf *pdf, const struct docs_seller *seller,
                               const struct docs_credit_note *note)
{
    float right = pdf->width - pdf->margin;
    float top = pdf->y;
    pdf_text(pdf, pdf->margin, top - 16,
             &(struct pdf_style){.bold = true, .size = 16, .width_max = 300}, seller->name);
    pdf_text(pdf, right, top - 18, &(struct pdf_style){.bold = true, .size = 20, .right = true},
             "CREDIT NOTE");
    pdf->y = top - 34;
    pdf_address(pdf, pdf->margin, &(struct pdf_style){.size = 9, .width_max = 300}, NULL,
                &seller->address);
    char day[DATE_DAY_LEN];
    date_format_day(date_day_of_ms(note->issued_at_ms), day);
    const char *labels[] = {"Credit note", "Date", "Order", "Return", "Currency"};
    const char *values[] = {note->number, day, note->order->number,
                            note->return_number != NULL ? note->return_number : "-",
                            note->order->currency};
    struct pdf_style value_style = {.bold = true, .size = 10, .right = true, .width_max = 140};
    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        float y = top - 40 - (float)i * 13;
        pdf_text(pdf, right - 190, y, &credit_note_body, labels[i]);
        pdf_text(pdf, right, y, &value_style, values[i]);
    }
    if (pdf->y > top - 110) {
        pdf->y = top - 110;
    }
}

static void credit_note_body_rows(struct pdf *pdf, const struct docs_credit_note *note)
{
    const struct order *order = note->order;
    const struct address *bill =
        order->billing_address.present ? &order->billing_address : &order->shipping_address;
    struct pdf_style style = {.size = 10, .width_max = 300};
    pdf_text(pdf, pdf->margin, pdf->y, &credit_note_head, "Credited to");
    pdf->y -= CREDIT_NOTE_ROW;
    pdf_address(pdf, pdf->margin, &style, order->customer_name, bill);
    pdf_text(pdf, pdf->margin, pdf->y, &style, order->customer_email);
    pdf->y -= CREDIT_NOTE_ROW * 2;
    const char *labels[] = {"Returned goods", "Shipping", "Total credited"};
    const int64_t amounts[] = {note->amount - note->shipping, note->shipping, note->amount};
    float right = pdf->width - pdf->margin;
    pdf_rule(pdf, pdf->margin, right, pdf->y + CREDIT_NOTE_ROW - 4, 0.75f);
    for (size_t i = 0; i < ARRAY_LEN(labels); i++) {
        bool is_total = i + 1 == ARRAY_LEN(labels);
        char amount[DOCS_AMOUNT_LEN_MAX];
        docs_format_amount(amounts[i], order->currency, amount);
        struct pdf_style left = {.bold = is_total, .size = is_total ? 11 : 10};
        struct pdf_style value = {.bold = is_total, .size = is_total ? 11 : 10, .right = true};
        pdf_text(pdf, pdf->margin, pdf->y, &left, labels[i]);
        pdf_text(pdf, right, pdf->y, &value, amount);
        pdf->y -= CREDIT_NOTE_ROW;
    }
}

enum err_code docs_credit_note_render(const struct docs_seller *seller,
                                      const struct docs_credit_note *note, struct buf *out,
                                      struct err *err)
{
    ASSERT(seller != NULL && note != NULL && note->order != NULL);
    ASSERT(out != NULL && note->number != NULL);
    struct pdf pdf;
    enum err_code code =
        pdf_open(&pdf, PDF_LETTER_WIDTH, PDF_LETTER_HEIGHT, CREDIT_NOTE_MARGIN, err);
    if (code == ERR_OK && !pdf_add_page(&pdf)) {
        code = err_set(err, ERR_INTERNAL, NULL, "cannot add a PDF page");
    }
    if (code == ERR_OK) {
        credit_note_header(&pdf, seller, note);
        credit_note_body_rows(&pdf, note);
        code = pdf_finish(&pdf, out, err);
    }
    pdf_close(&pdf);
    return code;
}
