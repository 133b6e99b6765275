/*
 * returns_int.h — what the return files of app/ share (returns.c, returns_receive.c,
 * exchanges.c, invoices.c). Not for http/ or cli/. Every function runs on the writer
 * connection inside the caller's command.
 */
#ifndef ORDO_APP_RETURNS_INT_H
#define ORDO_APP_RETURNS_INT_H

#include "app/app.h"
#include "app/app_internal.h"
#include "core/returns.h"
#include "lib/base.h"

/* The return settings (table return_settings), defaults where unset or unreadable. */
struct returns_settings {
    int window_days;                  /* days after delivery */
    unsigned shipping_reasons;        /* RETURN_REASON_BIT set: shipping refunded */
    const char *cross_ship_channels;  /* comma-separated channel codes */
    const char *cross_ship_customers; /* comma-separated customer e-mails */
};

MUST_CHECK enum err_code returns_settings_load(struct app_ctx *ctx, struct store_conn *conn,
                                               struct returns_settings *out, struct err *err);

/* True when an exchange of this order ships before the return arrives (cross-ship). */
bool returns_cross_ships(const struct returns_settings *settings, const struct order *order);

/* The units received in one call. */
struct returns_receipt {
    const struct app_receive_line *lines; /* validated against the return */
    size_t count;
};

/*
 * Applies a validated receipt to the return in view (with its order): stock by disposition,
 * the lines' received figures and the order's qty_returned and status, the refund (or an
 * exchange's difference) with its credit note, events and metrics.
 */
MUST_CHECK enum err_code returns_receive_apply(struct app_ctx *ctx, struct store_conn *conn,
                                               struct app_return_view *view,
                                               const struct returns_receipt *receipt,
                                               struct err *err);

/* What the credit of the units still to come is computed from. */
struct returns_basis {
    unsigned shipping_reasons; /* RETURN_REASON_BIT set: shipping refunded */
    int64_t shipping_units;    /* units of the order whose shipping share is refunded so far */
};

/* The credit rma gives once every unit it asks for has arrived: what its lines were credited
 * so far plus the units still to come, valued as their receipt would value them. */
MUST_CHECK enum err_code returns_expected_credit(struct app_ctx *ctx, const struct order *order,
                                                 const struct rma *rma,
                                                 const struct returns_basis *basis, int64_t *out,
                                                 struct err *err);

/* Creates the exchange order of rma (same customer, address, channel; catalog prices; routed
 * and reserved as any order) and records it on rma->exchange_order_id (saved by the caller
 * or, at creation, written here). When the replacement is dearer than the whole return's
 * credit, the difference is authorized on it (app_payment_exchange_charge). */
MUST_CHECK enum err_code returns_exchange_order(struct app_ctx *ctx, struct store_conn *conn,
                                                const struct order *order, struct rma *rma,
                                                const struct returns_basis *basis, struct err *err);

/* Issues an invoice (credit_note false) or credit note of amount for the order; *number_out
 * gets its number when not NULL. */
struct invoices_issue {
    const struct order *order;
    bool credit_note;
    const char *return_id; /* credit notes */
    int64_t amount;
    int64_t shipping;
};

MUST_CHECK enum err_code invoices_issue(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct invoices_issue *issue, struct err *err);

#endif
