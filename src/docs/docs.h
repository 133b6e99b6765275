/*
 * docs.h — printable documents as PDF bytes: the invoice of an order, the packing slip and the
 * shipping label of a shipment. The renderers take plain structs filled by the caller (http
 * reads the order, shipment, products and location through app) and never touch the store:
 * the same input always gives the same document. Text is drawn in the PDF base-14 fonts with
 * WinAnsi (Windows-1252) encoding, so any UTF-8 outside that set is transliterated
 * (docs_text_winansi) rather than crashing or producing an unreadable glyph. A drawn string is
 * cut at DOCS_TEXT_LEN_MAX bytes and clipped to its column, so the renderers' snprintf calls
 * may truncate on purpose (their results are cast to void).
 */
#ifndef ORDO_DOCS_DOCS_H
#define ORDO_DOCS_DOCS_H

#include "core/address.h"
#include "core/order.h"
#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"

#define DOCS_TEXT_LEN_MAX    512 /* bytes of one drawn string after transliteration */
#define DOCS_AMOUNT_LEN_MAX  40  /* "-92,233,720,368,547,758.07 USD" and NUL */
#define DOCS_BARCODE_LEN_MAX 80  /* bytes of a tracking number or pickup code we encode */

/* Who sells: printed at the top of every invoice. */
struct docs_seller {
    const char *name;
    struct address address;
    const char *email;  /* or NULL */
    const char *tax_id; /* VAT or EIN, or NULL */
};

/* The seller Ordo prints when nothing else is configured ("Ordo Demo Store"). Static strings. */
void docs_seller_default(struct docs_seller *out);

/*
 * The invoice of an order: seller, customer, billing and shipping addresses (billing falls
 * back to shipping when absent), one row per line (SKU, name, qty, unit price, line total),
 * subtotal, discount, shipping, tax and total in the order's currency, order number and date.
 * Appends the PDF to out. ERR_TOO_LARGE when out is full, ERR_INTERNAL when libHaru fails.
 */
MUST_CHECK enum err_code docs_invoice_render(const struct docs_seller *seller,
                                             const struct order *order, struct buf *out,
                                             struct err *err);

struct docs_slip_line {
    const char *sku;
    const char *name;         /* or NULL */
    int64_t qty;              /* units in this shipment */
    const char *bin_location; /* or NULL when the product has none */
};

struct docs_packing_slip {
    const char *order_number;
    const char *shipment_id;
    const char *location_code; /* where it is packed */
    const char *customer_name; /* or NULL */
    struct address ship_to;    /* the order's shipping address (may be absent for pickup) */
    bool is_pickup;
    int64_t order_created_at_ms;
    const struct docs_slip_line *lines;
    size_t lines_count;
};

/* The packing slip: order number, ship-to, lines with quantities and bins; no prices. */
MUST_CHECK enum err_code docs_packing_slip_render(const struct docs_packing_slip *slip,
                                                  struct buf *out, struct err *err);

struct docs_label {
    const char *order_number;
    const char *shipment_id;
    const char *from_name;       /* the location's name */
    struct address ship_from;    /* the location's address */
    const char *to_name;         /* the customer's name when the address has none */
    struct address ship_to;      /* ignored for pickup */
    const char *carrier;         /* or NULL */
    const char *service;         /* or NULL */
    const char *tracking_number; /* Code 128; required unless is_pickup */
    bool is_pickup;
    const char *pickup_code; /* QR code; required when is_pickup */
};

/*
 * A 4 x 6 inch shipping label: ship-from, ship-to, carrier and service and a Code 128 bar code
 * of the tracking number; for a pickup, who collects it, the store and a QR code of the pickup
 * code instead. ERR_STATE when the code to print is missing (not shipped, not ready), and
 * ERR_INVALID when zint cannot encode it.
 */
MUST_CHECK enum err_code docs_label_render(const struct docs_label *label, struct buf *out,
                                           struct err *err);

/*
 * Transliterates UTF-8 into Windows-1252 (what the base-14 fonts draw): Latin-1 and the
 * cp1252 extras (€, Œ, Š, curly quotes...) map one to one, Latin Extended-A (ł, ő, č...)
 * loses its accent, anything else, control characters and broken UTF-8 become '?'. Always
 * NUL-terminates out (truncating at out_size - 1 bytes); NULL text gives "".
 */
void docs_text_winansi(const char *text, char *out, size_t out_size);

/*
 * An amount of minor units as text with the currency's exponent and thousands separators:
 * 123456 "USD" -> "1,234.56 USD", 1200 "JPY" -> "1,200 JPY", 1234 "KWD" -> "1.234 KWD".
 * An unknown currency is printed with two decimals.
 */
void docs_format_amount(int64_t amount, const char *currency, char out[DOCS_AMOUNT_LEN_MAX]);

/* ---- invoices with their number and credit notes (invoice.c, credit_note.c; returns) ------- */

/* docs_invoice_render with the invoice's number printed (NULL: none issued yet). */
MUST_CHECK enum err_code docs_invoice_render_numbered(const struct docs_seller *seller,
                                                      const struct order *order, const char *number,
                                                      struct buf *out, struct err *err);

/* A credit note: the amount refunded for a return of an order (shipping part of it). */
struct docs_credit_note {
    const char *number;        /* "CN-2026-000001" */
    const struct order *order; /* the order credited */
    const char *return_number; /* "RMA-1001", or NULL */
    int64_t amount;            /* minor units credited, shipping included */
    int64_t shipping;          /* part of amount */
    int64_t issued_at_ms;
};

/* The credit note on one page: seller, number, date, order, bill-to, amounts. */
MUST_CHECK enum err_code docs_credit_note_render(const struct docs_seller *seller,
                                                 const struct docs_credit_note *note,
                                                 struct buf *out, struct err *err);

#endif
