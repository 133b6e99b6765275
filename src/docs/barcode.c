/*
 * barcode.c — bar and QR codes drawn as PDF rectangles from zint's vector output, so they stay
 * sharp at any print resolution. zint's vector units are not modules: the symbol is laid out
 * by its vector width and height, with the standard quiet zones included, and scaled to the
 * box. Human-readable text is left to the caller (it must be searchable text in the PDF).
 */
#include "docs/pdf.h"

#include <string.h>
#include <zint.h>

#include "docs/docs.h"

#define BARCODE_CODE128_HEIGHT 50.0f /* bar height in modules before stretching */
#define BARCODE_QR_ECC_M       2     /* QR error correction level M (15%) */

/* Scales the symbol's rectangles into the box; 1-D codes stretch, 2-D codes stay square. */
static void barcode_draw(struct pdf *pdf, const struct zint_vector *vector, bool square,
                         const struct pdf_box *box)
{
    float scale_x = box->width / vector->width;
    float scale_y = box->height / vector->height;
    float left = box->x;
    float top = box->y + box->height;
    if (square) {
        float scale = scale_x < scale_y ? scale_x : scale_y;
        left += (box->width - vector->width * scale) / 2;
        top -= (box->height - vector->height * scale) / 2;
        scale_x = scale;
        scale_y = scale;
    }
    size_t count = 0;
    for (const struct zint_vector_rect *r = vector->rectangles; r != NULL; r = r->next) {
        ASSERT(count++ < 100000); /* a QR code of 80 bytes has a few thousand modules */
        /* zint measures y down from the top; PDF measures up from the bottom. */
        pdf_fill_rect(pdf, left + r->x * scale_x, top - (r->y + r->height) * scale_y,
                      r->width * scale_x, r->height * scale_y);
    }
}

enum err_code pdf_barcode(struct pdf *pdf, int symbology, const char *text,
                          const struct pdf_box *box, struct err *err)
{
    ASSERT(pdf != NULL && pdf->page != NULL);
    ASSERT(text != NULL && box != NULL);
    ASSERT(symbology == BARCODE_CODE128 || symbology == BARCODE_QRCODE);
    size_t len = strlen(text);
    if (len == 0 || len > DOCS_BARCODE_LEN_MAX) {
        return err_set(err, ERR_INVALID, NULL, "a bar code needs 1 to %d bytes, got %zu",
                       DOCS_BARCODE_LEN_MAX, len);
    }
    struct zint_symbol *symbol = ZBarcode_Create();
    if (symbol == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "zint: out of memory");
    }
    symbol->symbology = symbology;
    symbol->input_mode = DATA_MODE;
    symbol->show_hrt = 0;
    symbol->output_options |= BARCODE_QUIET_ZONES;
    if (symbology == BARCODE_CODE128) {
        symbol->height = BARCODE_CODE128_HEIGHT;
    } else {
        symbol->option_1 = BARCODE_QR_ECC_M;
    }
    int status =
        ZBarcode_Encode_and_Buffer_Vector(symbol, (const unsigned char *)text, (int)len, 0);
    enum err_code code = ERR_OK;
    if (status >= ZINT_ERROR || symbol->vector == NULL || symbol->vector->width <= 0 ||
        symbol->vector->height <= 0) {
        code = err_set(err, ERR_INVALID, NULL, "cannot encode \"%s\" as a %s: %s", text,
                       symbology == BARCODE_CODE128 ? "Code 128" : "QR code", symbol->errtxt);
    } else {
        barcode_draw(pdf, symbol->vector, symbology == BARCODE_QRCODE, box);
    }
    ZBarcode_Delete(symbol);
    return code;
}
