/*
 * h_documents.c — the printable documents: GET /v1/orders/{id}/invoice.pdf and
 * /v1/shipments/{id}/packing-slip.pdf and /label.pdf. Each reads what it prints through app
 * (so the caller sees exactly what it may read: 404 for an order or shipment it may not see),
 * fills the plain structs of docs/docs.h and answers 200 with application/pdf. Errors stay
 * JSON like every other answer.
 */
#include "http/handler.h"

#include <string.h>

#include "docs/docs.h"

static const char documents_pdf_type[] = "application/pdf";

/* Marks a rendered document as the answer. */
static enum err_code documents_answer(struct http_response *resp, enum err_code code)
{
    if (code == ERR_OK) {
        resp->status = 200;
        resp->content_type = documents_pdf_type;
    }
    return code;
}

enum err_code h_documents_invoice(struct http_request *req, struct http_response *resp,
                                  struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct order order;
    enum err_code code = app_order_get(&req->ctx, req->params[0], &order, err);
    if (code != ERR_OK) {
        return code;
    }
    struct docs_seller seller;
    docs_seller_default(&seller);
    /* returns engineer: the invoice's number once issued (at the first shipment) */
    struct invoice *docs = NULL;
    size_t count = 0;
    const char *number = NULL;
    code = app_invoice_list(&req->ctx, order.id, &docs, &count, err);
    for (size_t i = 0; code == ERR_OK && i < count && number == NULL; i++) {
        number = docs[i].credit_note ? NULL : docs[i].number;
    }
    if (code != ERR_OK) {
        return code;
    }
    return documents_answer(resp,
                            docs_invoice_render_numbered(&seller, &order, number, resp->body, err));
}

/* The bin of a SKU from the catalog, or NULL when it has none or is no longer there. */
static enum err_code documents_bin(struct http_request *req, const char *sku, const char **out,
                                   struct err *err)
{
    struct product product;
    struct err ignored;
    *out = NULL;
    enum err_code code = app_product_get(&req->ctx, sku, &product, &ignored);
    if (code == ERR_NOT_FOUND) {
        return ERR_OK; /* a slip without a bin is still a slip */
    }
    if (code != ERR_OK) {
        *err = ignored;
        return code;
    }
    *out = product.bin_location;
    return ERR_OK;
}

/* Adds an allocation's units to the slip row of its line (one row per line). */
static void documents_slip_add(struct docs_slip_line *lines, size_t *count,
                               const struct order *order, const struct allocation *allocation)
{
    for (size_t i = 0; i < *count; i++) {
        if (strcmp(lines[i].sku, allocation->sku) == 0) {
            lines[i].qty += allocation->qty;
            return;
        }
    }
    const char *name = NULL;
    for (size_t i = 0; i < order->lines_count; i++) {
        if (order->lines[i].id != NULL && allocation->line_id != NULL &&
            strcmp(order->lines[i].id, allocation->line_id) == 0) {
            name = order->lines[i].name;
        }
    }
    lines[*count] =
        (struct docs_slip_line){.sku = allocation->sku, .name = name, .qty = allocation->qty};
    (*count)++;
}

/* The slip's rows: this shipment's allocations, one row per SKU, with bins. */
static enum err_code documents_slip_lines(struct http_request *req, const struct shipment *shipment,
                                          const struct order *order, struct docs_packing_slip *slip,
                                          struct err *err)
{
    struct docs_slip_line *lines = NULL;
    size_t count = 0;
    if (order->allocations_count > 0) {
        lines = arena_alloc_array(req->ctx.arena, order->allocations_count, sizeof(*lines));
        if (lines == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "the request's memory is exhausted");
        }
    }
    for (size_t i = 0; i < order->allocations_count; i++) {
        const struct allocation *allocation = &order->allocations[i];
        if (allocation->shipment_id != NULL && strcmp(allocation->shipment_id, shipment->id) == 0) {
            documents_slip_add(lines, &count, order, allocation);
        }
    }
    for (size_t i = 0; i < count; i++) {
        enum err_code code = documents_bin(req, lines[i].sku, &lines[i].bin_location, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    slip->lines = lines;
    slip->lines_count = count;
    return ERR_OK;
}

enum err_code h_documents_packing_slip(struct http_request *req, struct http_response *resp,
                                       struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct shipment shipment;
    struct order order;
    enum err_code code = app_shipment_get(&req->ctx, req->params[0], &shipment, &order, err);
    if (code != ERR_OK) {
        return code;
    }
    struct docs_packing_slip slip = {
        .order_number = order.number,
        .shipment_id = shipment.id,
        .location_code = shipment.location_code,
        .customer_name = order.customer_name,
        .ship_to = order.shipping_address,
        .is_pickup = shipment.is_pickup,
        .order_created_at_ms = order.created_at_ms,
    };
    code = documents_slip_lines(req, &shipment, &order, &slip, err);
    if (code != ERR_OK) {
        return code;
    }
    return documents_answer(resp, docs_packing_slip_render(&slip, resp->body, err));
}

enum err_code h_documents_label(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL);
    ASSERT(resp != NULL);
    struct shipment shipment;
    struct order order;
    struct location location;
    enum err_code code = app_shipment_get(&req->ctx, req->params[0], &shipment, &order, err);
    if (code == ERR_OK) {
        code = app_location_get(&req->ctx, shipment.location_code, &location, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (shipment.is_pickup && !app_may_see_pickup_code(&req->ctx)) {
        return err_set(err, ERR_FORBIDDEN, NULL,
                       "this key may not read pickup codes, which a pickup label prints");
    }
    struct docs_label label = {
        .order_number = order.number,
        .shipment_id = shipment.id,
        .from_name = location.name,
        .ship_from = location.address,
        .to_name = order.customer_name,
        .ship_to = order.shipping_address,
        .carrier = shipment.carrier,
        .service = shipment.service,
        .tracking_number = shipment.tracking_number,
        .is_pickup = shipment.is_pickup,
        .pickup_code = shipment.pickup_code,
    };
    return documents_answer(resp, docs_label_render(&label, resp->body, err));
}
