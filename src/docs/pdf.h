/*
 * pdf.h — the small drawing layer the documents share, over libHaru: a document with pages of
 * one size, Helvetica text (WinAnsi, transliterated from UTF-8) clipped to a width, rules,
 * filled rectangles and a top-down cursor that starts a new page when a row no longer fits.
 * Only src/docs uses it. Coordinates are PDF points (1/72 inch) from the bottom-left corner.
 */
#ifndef ORDO_DOCS_PDF_H
#define ORDO_DOCS_PDF_H

#include <hpdf.h>

#include "core/address.h"
#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"

#define PDF_LETTER_WIDTH  612.0f /* US Letter, points */
#define PDF_LETTER_HEIGHT 792.0f
#define PDF_LABEL_WIDTH   288.0f /* 4 x 6 inch label */
#define PDF_LABEL_HEIGHT  432.0f
#define PDF_PAGES_MAX     200 /* a document longer than this is cut short (ERR_TOO_LARGE) */

struct pdf {
    HPDF_Doc doc;
    HPDF_Page page; /* the current page, NULL before the first */
    HPDF_Font regular;
    HPDF_Font bold;
    float width;  /* page size, points */
    float height; /* points */
    float margin; /* points on every side */
    float y;      /* baseline of the next row, points from the bottom */
    int pages_count;
    HPDF_STATUS error_no; /* libHaru's first error, 0 when none */
    HPDF_STATUS detail_no;
};

/* How a string is drawn. */
struct pdf_style {
    bool bold;
    float size;      /* points */
    float width_max; /* clipped (with "...") to this many points; 0: no limit */
    bool right;      /* x is the right edge instead of the left */
};

/* A document whose pages are width x height points with that margin; no page yet. */
MUST_CHECK enum err_code pdf_open(struct pdf *pdf, float width, float height, float margin,
                                  struct err *err);

/* Frees the document (safe after a failed pdf_open). */
void pdf_close(struct pdf *pdf);

/* Starts a page and puts the cursor under the top margin; false past PDF_PAGES_MAX. */
MUST_CHECK bool pdf_add_page(struct pdf *pdf);

/* True when a new page was needed for a row of height points below the cursor (and started). */
bool pdf_need(struct pdf *pdf, float height);

/* Draws UTF-8 text at (x, y) in a style. */
void pdf_text(struct pdf *pdf, float x, float y, const struct pdf_style *style, const char *text);

/* A horizontal rule from x1 to x2 at y, line_width points thick. */
void pdf_rule(struct pdf *pdf, float x1, float x2, float y, float line_width);

/* A filled black rectangle, (x, y) its bottom-left corner. */
void pdf_fill_rect(struct pdf *pdf, float x, float y, float width, float height);

/*
 * Draws an address block from the cursor down at x, one line per part present (name or
 * fallback_name, company, line1, line2, "city region postal_code", country, phone), and
 * moves the cursor below it. Returns the number of lines drawn.
 */
int pdf_address(struct pdf *pdf, float x, const struct pdf_style *style, const char *fallback_name,
                const struct address *address);

/* Writes the document and appends its bytes to out; ERR_INTERNAL on any libHaru error. */
MUST_CHECK enum err_code pdf_finish(struct pdf *pdf, struct buf *out, struct err *err);

/*
 * Draws a bar code (zint symbology, BARCODE_CODE128 or BARCODE_QRCODE) of text in the box
 * (x, y, width, height) as filled rectangles: a 1-D code is stretched to the box, a 2-D code
 * keeps its square modules and is centred. ERR_INVALID when zint cannot encode text
 * (barcode.c).
 */
struct pdf_box {
    float x, y, width, height; /* points, (x, y) the bottom-left corner */
};
MUST_CHECK enum err_code pdf_barcode(struct pdf *pdf, int symbology, const char *text,
                                     const struct pdf_box *box, struct err *err);

#endif
