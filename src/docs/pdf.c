/*
 * pdf.c — libHaru behind the few calls the documents need. libHaru reports errors through a
 * callback and then keeps returning error codes; the callback records the first one and
 * pdf_finish turns it into ERR_INTERNAL, so a drawing call never needs its own check. All
 * text passes through docs_text_winansi first: the base-14 fonts only draw Windows-1252.
 */
#include "docs/pdf.h"

#include <stdio.h>
#include <string.h>

#include "docs/docs.h"

#define PDF_STREAM_CHUNK 4096 /* bytes copied from libHaru's stream at a time */

static void pdf_on_error(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
    struct pdf *pdf = user_data;
    /* The end of the output stream is how pdf_finish knows it read everything. */
    if (pdf->error_no == 0 && error_no != HPDF_STREAM_EOF) {
        pdf->error_no = error_no;
        pdf->detail_no = detail_no;
    }
}

enum err_code pdf_open(struct pdf *pdf, float width, float height, float margin, struct err *err)
{
    ASSERT(pdf != NULL);
    ASSERT(width > 2 * margin && height > 2 * margin);
    memset(pdf, 0, sizeof(*pdf));
    pdf->width = width;
    pdf->height = height;
    pdf->margin = margin;
    pdf->doc = HPDF_New(pdf_on_error, pdf);
    if (pdf->doc == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "cannot create a PDF document");
    }
    HPDF_SetCompressionMode(pdf->doc, HPDF_COMP_ALL);
    pdf->regular = HPDF_GetFont(pdf->doc, "Helvetica", "WinAnsiEncoding");
    pdf->bold = HPDF_GetFont(pdf->doc, "Helvetica-Bold", "WinAnsiEncoding");
    if (pdf->regular == NULL || pdf->bold == NULL || pdf->error_no != 0) {
        return err_set(err, ERR_INTERNAL, NULL, "cannot load the PDF fonts (libHaru error 0x%04X)",
                       (unsigned)pdf->error_no);
    }
    return ERR_OK;
}

void pdf_close(struct pdf *pdf)
{
    ASSERT(pdf != NULL);
    if (pdf->doc != NULL) {
        HPDF_Free(pdf->doc);
    }
    pdf->doc = NULL;
    pdf->page = NULL;
}

bool pdf_add_page(struct pdf *pdf)
{
    ASSERT(pdf != NULL);
    ASSERT(pdf->doc != NULL);
    if (pdf->pages_count >= PDF_PAGES_MAX) {
        return false;
    }
    HPDF_Page page = HPDF_AddPage(pdf->doc);
    if (page == NULL) {
        return false;
    }
    HPDF_Page_SetWidth(page, pdf->width);
    HPDF_Page_SetHeight(page, pdf->height);
    pdf->page = page;
    pdf->pages_count++;
    pdf->y = pdf->height - pdf->margin;
    return true;
}

bool pdf_need(struct pdf *pdf, float height)
{
    ASSERT(pdf != NULL);
    ASSERT(height >= 0);
    if (pdf->page != NULL && pdf->y - height >= pdf->margin) {
        return false;
    }
    if (!pdf_add_page(pdf)) {
        /* Past the page limit: keep drawing over the last page; pdf_finish reports it. */
        pdf->error_no = pdf->error_no != 0 ? pdf->error_no : HPDF_PAGE_CANNOT_SET_PARENT;
        pdf->y = pdf->height - pdf->margin;
    }
    return true;
}

/* How many bytes of text fit in width_max points, "..." included when cut. */
static size_t pdf_fit(HPDF_Font font, float size, float width_max, char *text)
{
    size_t len = strlen(text);
    if (width_max <= 0) {
        return len;
    }
    HPDF_REAL real_width = 0;
    HPDF_UINT fits = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)text, (HPDF_UINT)len, width_max,
                                           size, 0, 0, HPDF_FALSE, &real_width);
    if (fits >= len) {
        return len;
    }
    HPDF_REAL dots = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)"...", 3, 1000, size, 0, 0,
                                           HPDF_FALSE, &real_width) == 3
                         ? real_width
                         : 0;
    fits = HPDF_Font_MeasureText(font, (const HPDF_BYTE *)text, (HPDF_UINT)len, width_max - dots,
                                 size, 0, 0, HPDF_FALSE, &real_width);
    if (fits + 3 < len) {
        memcpy(text + fits, "...", 4);
        return fits + 3;
    }
    return len;
}

void pdf_text(struct pdf *pdf, float x, float y, const struct pdf_style *style, const char *text)
{
    ASSERT(pdf != NULL && pdf->page != NULL);
    ASSERT(style != NULL && style->size > 0);
    char encoded[DOCS_TEXT_LEN_MAX];
    docs_text_winansi(text, encoded, sizeof(encoded));
    HPDF_Font font = style->bold ? pdf->bold : pdf->regular;
    size_t len = pdf_fit(font, style->size, style->width_max, encoded);
    encoded[len] = '\0';
    if (len == 0) {
        return;
    }
    HPDF_Page_SetFontAndSize(pdf->page, font, style->size);
    float left = x;
    if (style->right) {
        left = x - HPDF_Page_TextWidth(pdf->page, encoded);
    }
    HPDF_Page_BeginText(pdf->page);
    HPDF_Page_TextOut(pdf->page, left, y, encoded);
    HPDF_Page_EndText(pdf->page);
}

void pdf_rule(struct pdf *pdf, float x1, float x2, float y, float line_width)
{
    ASSERT(pdf != NULL && pdf->page != NULL);
    ASSERT(line_width > 0);
    HPDF_Page_SetLineWidth(pdf->page, line_width);
    HPDF_Page_MoveTo(pdf->page, x1, y);
    HPDF_Page_LineTo(pdf->page, x2, y);
    HPDF_Page_Stroke(pdf->page);
}

void pdf_fill_rect(struct pdf *pdf, float x, float y, float width, float height)
{
    ASSERT(pdf != NULL && pdf->page != NULL);
    ASSERT(width >= 0 && height >= 0);
    HPDF_Page_Rectangle(pdf->page, x, y, width, height);
    HPDF_Page_Fill(pdf->page);
}

/* Draws one address line at the cursor and moves it down; nothing for NULL or "". */
static int pdf_address_line(struct pdf *pdf, float x, const struct pdf_style *style,
                            const char *text)
{
    if (text == NULL || text[0] == '\0') {
        return 0;
    }
    pdf_text(pdf, x, pdf->y, style, text);
    pdf->y -= style->size * 1.25f;
    return 1;
}

int pdf_address(struct pdf *pdf, float x, const struct pdf_style *style, const char *fallback_name,
                const struct address *address)
{
    ASSERT(pdf != NULL && style != NULL);
    ASSERT(address != NULL);
    const char *name =
        address->name != NULL && address->name[0] != '\0' ? address->name : fallback_name;
    int lines = pdf_address_line(pdf, x, style, name);
    lines += pdf_address_line(pdf, x, style, address->company);
    lines += pdf_address_line(pdf, x, style, address->line1);
    lines += pdf_address_line(pdf, x, style, address->line2);
    char city[DOCS_TEXT_LEN_MAX];
    (void)snprintf(city, sizeof(city), "%s%s%s%s%s", address->city != NULL ? address->city : "",
                   address->region != NULL ? " " : "",
                   address->region != NULL ? address->region : "",
                   address->postal_code != NULL ? " " : "",
                   address->postal_code != NULL ? address->postal_code : "");
    lines += pdf_address_line(pdf, x, style, city[0] == ' ' ? city + 1 : city);
    lines += pdf_address_line(pdf, x, style, address->country);
    lines += pdf_address_line(pdf, x, style, address->phone);
    return lines;
}

enum err_code pdf_finish(struct pdf *pdf, struct buf *out, struct err *err)
{
    ASSERT(pdf != NULL && pdf->doc != NULL);
    ASSERT(out != NULL);
    if (pdf->error_no == 0) {
        HPDF_SaveToStream(pdf->doc);
        HPDF_ResetStream(pdf->doc);
    }
    unsigned char chunk[PDF_STREAM_CHUNK];
    HPDF_STATUS status = HPDF_OK;
    while (pdf->error_no == 0 && status == HPDF_OK) {
        HPDF_UINT32 len = sizeof(chunk);
        status = HPDF_ReadFromStream(pdf->doc, chunk, &len);
        if (status != HPDF_OK && status != HPDF_STREAM_EOF) {
            break;
        }
        enum err_code code = buf_append(out, chunk, len);
        if (code != ERR_OK) {
            return err_set(err, code, NULL, "the document does not fit in the answer");
        }
    }
    if (pdf->error_no != 0 || status != HPDF_STREAM_EOF) {
        return err_set(err, ERR_INTERNAL, NULL, "libHaru failed: error 0x%04X detail %u",
                       (unsigned)(pdf->error_no != 0 ? pdf->error_no : status),
                       (unsigned)pdf->detail_no);
    }
    return ERR_OK;
}
