/*
 * h_returns.c — /v1/returns (create, list by order, get, receive), an order's invoices
 * (/v1/orders/{id}/invoices) and credit notes (/v1/credit-notes/{id} and {id}.pdf). Bodies
 * are parsed here into app's structs; every bad member answers 422 naming its JSON path, and
 * app decides everything else.
 */
#include "http/handler.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "core/limits.h"
#include "docs/docs.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/id.h"
#include "lib/json.h"

/* ---- parsing ------------------------------------------------------------------------------- */

/* Bytes of any one string member (ids, codes, SKUs, reasons, e-mails); app checks the rest. */
#define RETURNS_TEXT_MAX 256

/* The body as a JSON object (the caller decrefs). */
static enum err_code returns_load(const char *body, size_t len, json_t **out, struct err *err)
{
    json_error_t jerr;
    size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES;
    json_t *root = json_loadb(body != NULL ? body : "", body != NULL ? len : 0, flags, &jerr);
    if (root == NULL) {
        return err_set(err, ERR_MALFORMED, NULL,
                       "malformed JSON at line %d, column %d (byte %d): %s", jerr.line, jerr.column,
                       jerr.position, jerr.text);
    }
    if (!json_is_object(root)) {
        json_decref(root);
        return err_set(err, ERR_INVALID, NULL, "the body must be a JSON object");
    }
    *out = root;
    return ERR_OK;
}

/* A string member (NULL when absent or null) copied to the arena; 422 for another type, NUL
 * characters or more than len_max bytes. */
static enum err_code returns_string(struct arena *arena, json_t *obj, const char *name,
                                    const char *field, const char **out, struct err *err)
{
    size_t len_max = RETURNS_TEXT_MAX;
    *out = NULL;
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_string(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be a string", field);
    }
    const char *text = json_string_value(value);
    size_t len = json_string_length(value);
    if (strlen(text) != len || len > len_max) {
        return err_set(err, ERR_INVALID, field,
                       "%s must be at most %zu bytes without NUL characters", field, len_max);
    }
    *out = arena_strndup(arena, text, len);
    return *out != NULL ? ERR_OK : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
}

/* An integer member (0 when absent or null); 422 for anything but a JSON integer. */
static enum err_code returns_int(json_t *obj, const char *name, const char *field, int64_t *out,
                                 struct err *err)
{
    *out = 0;
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_integer(value)) {
        return err_set(err, ERR_INVALID, field, "%s must be an integer", field);
    }
    *out = (int64_t)json_integer_value(value);
    return ERR_OK;
}

/* The array member name (NULL when absent): 422 when not an array of objects or too long. */
static enum err_code returns_array(json_t *root, const char *name, json_t **out, struct err *err)
{
    *out = NULL;
    json_t *array = json_object_get(root, name);
    if (array == NULL || json_is_null(array)) {
        return ERR_OK;
    }
    if (!json_is_array(array) || json_array_size(array) > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, name, "%s must be an array of at most %d objects", name,
                       ORDER_LINES_MAX);
    }
    for (size_t i = 0; i < json_array_size(array); i++) {
        if (!json_is_object(json_array_get(array, i))) {
            char field[48];
            (void)snprintf(field, sizeof(field), "%s[%zu]", name, i);
            return err_set(err, ERR_INVALID, field, "%s must be an object", field);
        }
    }
    *out = array;
    return ERR_OK;
}

/* Item index of array `array` of the body: where its members are read from. */
struct returns_item {
    struct arena *arena;
    json_t *item;
    const char *array;
    size_t index;
};

/* Reads a string member of the item, naming "array[index].name" in errors. */
static enum err_code returns_item_string(const struct returns_item *it, const char *name,
                                         const char **out, struct err *err)
{
    char field[64];
    (void)snprintf(field, sizeof(field), "%s[%zu].%s", it->array, it->index, name);
    return returns_string(it->arena, it->item, name, field, out, err);
}

static enum err_code returns_item_int(json_t *item, const char *array_name, size_t i,
                                      const char *name, int64_t *out, struct err *err)
{
    char field[64];
    (void)snprintf(field, sizeof(field), "%s[%zu].%s", array_name, i, name);
    return returns_int(item, name, field, out, err);
}

static enum err_code returns_parse_lines(struct arena *arena, json_t *root,
                                         struct app_return_input *in, struct err *err)
{
    json_t *array = NULL;
    enum err_code code = returns_array(root, "lines", &array, err);
    size_t n = array != NULL ? json_array_size(array) : 0;
    in->lines = ARENA_NEW_ARRAY(arena, struct app_return_line_input, n + 1);
    if (code == ERR_OK && in->lines == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        json_t *item = json_array_get(array, i);
        struct returns_item it = {.arena = arena, .item = item, .array = "lines", .index = i};
        struct app_return_line_input *line = &in->lines[i];
        code = returns_item_string(&it, "line_id", &line->line_id, err);
        if (code == ERR_OK) {
            code = returns_item_int(item, "lines", i, "qty", &line->qty, err);
        }
        if (code == ERR_OK) {
            code = returns_item_string(&it, "reason", &line->reason, err);
        }
    }
    in->lines_count = code == ERR_OK ? n : 0;
    return code;
}

static enum err_code returns_parse_exchange(struct arena *arena, json_t *root,
                                            struct app_return_input *in, struct err *err)
{
    json_t *array = NULL;
    enum err_code code = returns_array(root, "exchange_lines", &array, err);
    size_t n = array != NULL ? json_array_size(array) : 0;
    in->exchange_lines = ARENA_NEW_ARRAY(arena, struct rma_exchange_line, n + 1);
    if (code == ERR_OK && in->exchange_lines == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        json_t *item = json_array_get(array, i);
        struct returns_item it = {
            .arena = arena, .item = item, .array = "exchange_lines", .index = i};
        struct rma_exchange_line *line = &in->exchange_lines[i];
        code = returns_item_string(&it, "sku", &line->sku, err);
        if (code == ERR_OK) {
            code = returns_item_int(item, "exchange_lines", i, "qty", &line->qty, err);
        }
    }
    in->exchange_lines_count = code == ERR_OK ? n : 0;
    return code;
}

enum err_code http_parse_return(const char *body, size_t len, struct arena *arena,
                                struct app_return_input *in, struct err *err)
{
    ASSERT(arena != NULL && in != NULL);
    memset(in, 0, sizeof(*in));
    json_t *root = NULL;
    enum err_code code = returns_load(body, len, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    code = returns_string(arena, root, "order_id", "order_id", &in->order_id, err);
    if (code == ERR_OK) {
        code = returns_string(arena, root, "location", "location", &in->location, err);
    }
    if (code == ERR_OK) {
        code = returns_string(arena, root, "resolution", "resolution", &in->resolution, err);
    }
    if (code == ERR_OK) {
        code = returns_parse_lines(arena, root, in, err);
    }
    if (code == ERR_OK) {
        code = returns_parse_exchange(arena, root, in, err);
    }
    json_decref(root);
    return code;
}

enum err_code http_parse_receive(const char *body, size_t len, struct arena *arena,
                                 struct app_receive *out, struct err *err)
{
    ASSERT(arena != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    json_t *array = NULL;
    enum err_code code = returns_load(body, len, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    code = returns_array(root, "lines", &array, err);
    size_t n = array != NULL ? json_array_size(array) : 0;
    struct app_receive_line *lines = ARENA_NEW_ARRAY(arena, struct app_receive_line, n + 1);
    if (code == ERR_OK && lines == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        json_t *item = json_array_get(array, i);
        struct returns_item it = {.arena = arena, .item = item, .array = "lines", .index = i};
        code = returns_item_string(&it, "line_id", &lines[i].line_id, err);
        if (code == ERR_OK) {
            code = returns_item_int(item, "lines", i, "qty", &lines[i].qty, err);
        }
        if (code == ERR_OK) {
            code = returns_item_string(&it, "condition", &lines[i].condition, err);
        }
    }
    json_decref(root);
    out->lines = lines;
    out->count = code == ERR_OK ? n : 0;
    return code;
}

/* ---- rendering ----------------------------------------------------------------------------- */

static void returns_render_lines(struct jw *jw, const struct rma *rma)
{
    jw_key(jw, "lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < rma->lines_count; i++) {
        const struct rma_line *line = &rma->lines[i];
        jw_object_begin(jw);
        jw_kv_int(jw, "line_no", line->line_no);
        jw_kv_string(jw, "line_id", line->order_line_id);
        jw_kv_string(jw, "sku", line->sku);
        jw_kv_int(jw, "qty", line->qty);
        jw_kv_string(jw, "reason", return_reason_name(line->reason));
        jw_kv_int(jw, "qty_received", line->qty_received);
        jw_kv_int(jw, "qty_sellable", line->qty_sellable);
        jw_kv_int(jw, "qty_damaged", line->qty_damaged);
        jw_kv_int(jw, "refunded", line->refunded);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

static void returns_render_dispositions(struct jw *jw, const struct rma *rma)
{
    jw_key(jw, "dispositions");
    jw_array_begin(jw);
    for (size_t i = 0; i < rma->dispositions_count; i++) {
        const struct rma_disposition *d = &rma->dispositions[i];
        const char *line_id = d->line_no >= 1 && (size_t)d->line_no <= rma->lines_count
                                  ? rma->lines[d->line_no - 1].order_line_id
                                  : NULL;
        jw_object_begin(jw);
        jw_kv_string(jw, "line_id", line_id);
        jw_kv_int(jw, "qty", d->qty);
        jw_kv_string(jw, "condition", return_condition_name(d->condition));
        jw_kv_string(jw, "disposition", return_disposition_name(d->disposition));
        jw_kv_string(jw, "target_location", d->target_location);
        if (d->rule_id > 0) {
            jw_kv_int(jw, "rule_id", d->rule_id);
        } else {
            jw_kv_null(jw, "rule_id");
        }
        jw_kv_time(jw, "at", d->created_at_ms);
        jw_object_end(jw);
    }
    jw_array_end(jw);
}

static void returns_render_invoice(struct jw *jw, const struct invoice *doc)
{
    jw_object_begin(jw);
    jw_kv_string(jw, "id", doc->id);
    jw_kv_string(jw, "kind", doc->credit_note ? "credit_note" : "invoice");
    jw_kv_string(jw, "number", doc->number);
    jw_kv_string(jw, "order_id", doc->order_id);
    jw_kv_string(jw, "return_id", doc->return_id);
    jw_kv_int(jw, "amount", doc->amount);
    jw_kv_int(jw, "shipping", doc->shipping);
    jw_kv_string(jw, "currency", doc->currency);
    jw_kv_time(jw, "issued_at", doc->issued_at_ms);
    jw_object_end(jw);
}

static void returns_render_exchange(struct jw *jw, const struct rma *rma)
{
    jw_key(jw, "exchange_lines");
    jw_array_begin(jw);
    for (size_t i = 0; i < rma->exchange_lines_count; i++) {
        jw_object_begin(jw);
        jw_kv_string(jw, "sku", rma->exchange_lines[i].sku);
        jw_kv_int(jw, "qty", rma->exchange_lines[i].qty);
        jw_object_end(jw);
    }
    jw_array_end(jw);
    jw_kv_string(jw, "exchange_order_id", rma->exchange_order_id);
}

static void returns_render(struct jw *jw, const struct app_return_view *view)
{
    const struct rma *rma = &view->rma;
    jw_object_begin(jw);
    jw_kv_string(jw, "id", rma->id);
    jw_kv_string(jw, "number", rma->number);
    jw_kv_string(jw, "order_id", rma->order_id);
    jw_kv_string(jw, "order_number", view->order.number);
    jw_kv_string(jw, "order_status", order_status_name(view->order.status));
    jw_kv_string(jw, "location", rma->location_code);
    jw_kv_string(jw, "status", return_status_name(rma->status));
    jw_kv_string(jw, "resolution", return_resolution_name(rma->resolution));
    returns_render_lines(jw, rma);
    returns_render_dispositions(jw, rma);
    returns_render_exchange(jw, rma);
    jw_kv_string(jw, "currency", view->order.currency);
    jw_kv_int(jw, "refunded", rma->refunded);
    jw_kv_int(jw, "shipping_refunded", rma->shipping_refunded);
    jw_kv_int(jw, "amount_due", rma->amount_due);
    jw_key(jw, "credit_notes");
    jw_array_begin(jw);
    for (size_t i = 0; i < view->credit_notes_count; i++) {
        returns_render_invoice(jw, &view->credit_notes[i]);
    }
    jw_array_end(jw);
    jw_kv_int(jw, "version", rma->version);
    jw_kv_time(jw, "created_at", rma->created_at_ms);
    jw_kv_time(jw, "updated_at", rma->updated_at_ms);
    jw_kv_time(jw, "received_at", rma->received_at_ms);
    jw_object_end(jw);
}

static enum err_code returns_answer(const void *result, struct buf *body, int *status, int code)
{
    struct jw jw;
    jw_init(&jw, body);
    returns_render(&jw, result);
    *status = code;
    return jw_finish(&jw);
}

static enum err_code returns_render_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    return returns_answer(result, body, status, 201);
}

static enum err_code returns_render_ok(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    return returns_answer(result, body, status, 200);
}

/* ---- handlers ------------------------------------------------------------------------------ */

enum err_code h_returns_create(struct http_request *req, struct http_response *resp,
                               struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_return_input in;
    struct app_idempotency idem;
    struct app_return_view out;
    enum err_code code = http_parse_return(req->body, req->body_len, req->ctx.arena, &in, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, returns_render_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_return_create(&req->ctx, &in, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, returns_render_created, err);
    }
    return code;
}

enum err_code h_returns_receive(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_receive receive;
    struct app_idempotency idem;
    struct app_return_view out;
    enum err_code code =
        http_parse_receive(req->body, req->body_len, req->ctx.arena, &receive, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, returns_render_ok, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_return_receive(&req->ctx, req->params[0], &receive, &idem, &out, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &out, returns_render_ok, err);
    }
    return code;
}

enum err_code h_returns_get(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_return_view view;
    enum err_code code = app_return_get(&req->ctx, req->params[0], &view, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    returns_render(&jw, &view);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_returns_list(struct http_request *req, struct http_response *resp, struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    const char *order_id = NULL;
    struct app_return_view *views = NULL;
    size_t count = 0;
    enum err_code code = http_query(req, "order_id", ID_LEN_MAX, &order_id, err);
    if (code == ERR_OK) {
        code = app_return_list(&req->ctx, order_id, &views, &count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        returns_render(&jw, &views[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_orders_invoices(struct http_request *req, struct http_response *resp,
                                struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct invoice *docs = NULL;
    size_t count = 0;
    enum err_code code = app_invoice_list(&req->ctx, req->params[0], &docs, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        returns_render_invoice(&jw, &docs[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}

/* GET /v1/credit-notes/{id} (JSON) and /v1/credit-notes/{id}.pdf. */
enum err_code h_credit_notes_get(struct http_request *req, struct http_response *resp,
                                 struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    const char *id = req->params[0];
    size_t len = strlen(id);
    bool pdf = len > 4 && strcmp(id + len - 4, ".pdf") == 0;
    if (pdf) {
        id = arena_strndup(req->ctx.arena, id, len - 4);
        if (id == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
        }
    }
    struct invoice doc;
    struct order order;
    enum err_code code = app_invoice_get(&req->ctx, id, &doc, &order, err);
    if (code == ERR_OK && !doc.credit_note) {
        code = err_set(err, ERR_NOT_FOUND, NULL, "no credit note '%s'", id);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (pdf) {
        struct docs_seller seller;
        docs_seller_default(&seller);
        struct docs_credit_note note = {.number = doc.number,
                                        .order = &order,
                                        .return_number = doc.return_id,
                                        .amount = doc.amount,
                                        .shipping = doc.shipping,
                                        .issued_at_ms = doc.issued_at_ms};
        code = docs_credit_note_render(&seller, &note, resp->body, err);
        if (code == ERR_OK) {
            resp->status = 200;
            resp->content_type = "application/pdf";
        }
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    returns_render_invoice(&jw, &doc);
    resp->status = 200;
    return http_finish(&jw, err);
}

/* ---- settings and disposition rules -------------------------------------------------------- */

/* An array of strings as one comma-separated arena string (NULL when absent); 422 otherwise. */
static enum err_code returns_string_list(struct arena *arena, json_t *root, const char *name,
                                         const char **out, struct err *err)
{
    *out = NULL;
    json_t *array = json_object_get(root, name);
    if (array == NULL || json_is_null(array)) {
        return ERR_OK;
    }
    if (!json_is_array(array) || json_array_size(array) > 100) {
        return err_set(err, ERR_INVALID, name, "%s must be an array of at most 100 strings", name);
    }
    struct buf joined;
    buf_init(&joined, (size_t)100 * (EMAIL_LEN_MAX + 1));
    enum err_code code = ERR_OK;
    for (size_t i = 0; code == ERR_OK && i < json_array_size(array); i++) {
        json_t *item = json_array_get(array, i);
        const char *text = json_is_string(item) ? json_string_value(item) : NULL;
        if (text == NULL || text[0] == '\0' || strchr(text, ',') != NULL ||
            strlen(text) != json_string_length(item) || strlen(text) > EMAIL_LEN_MAX) {
            code = err_set(err, ERR_INVALID, name,
                           "%s[%zu] must be a non-empty string without commas", name, i);
            break;
        }
        code = buf_appendf(&joined, "%s%s", i > 0 ? "," : "", text);
    }
    if (code == ERR_OK) {
        *out = arena_strdup(arena, joined.ptr != NULL ? joined.ptr : "");
        code = *out != NULL ? ERR_OK : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    buf_release(&joined);
    return code;
}

/* Writes a comma-separated list as a JSON array of strings. */
static void returns_render_list(struct jw *jw, const char *key, const char *list)
{
    jw_key(jw, key);
    jw_array_begin(jw);
    for (const char *p = list; p != NULL && *p != '\0';) {
        const char *comma = strchr(p, ',');
        size_t n = comma != NULL ? (size_t)(comma - p) : strlen(p);
        jw_stringn(jw, p, n);
        p = comma != NULL ? comma + 1 : NULL;
    }
    jw_array_end(jw);
}

static enum err_code returns_settings_answer(struct http_response *resp,
                                             const struct app_return_settings *settings,
                                             struct err *err)
{
    struct jw jw;
    jw_init(&jw, resp->body);
    jw_object_begin(&jw);
    jw_kv_int(&jw, "window_days", settings->window_days);
    returns_render_list(&jw, "shipping_refund_reasons", settings->shipping_refund_reasons);
    returns_render_list(&jw, "cross_ship_channels", settings->cross_ship_channels);
    returns_render_list(&jw, "cross_ship_customers", settings->cross_ship_customers);
    jw_object_end(&jw);
    resp->status = 200;
    return http_finish(&jw, err);
}

enum err_code h_returns_settings_get(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_return_settings settings;
    enum err_code code = app_return_settings_get(&req->ctx, &settings, err);
    return code == ERR_OK ? returns_settings_answer(resp, &settings, err) : code;
}

enum err_code http_parse_return_settings(const char *body, size_t len, struct arena *arena,
                                         struct app_return_settings *in, struct err *err)
{
    ASSERT(arena != NULL && in != NULL);
    memset(in, 0, sizeof(*in));
    json_t *root = NULL;
    enum err_code code = returns_load(body, len, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    json_t *days = json_object_get(root, "window_days");
    in->has_window_days = days != NULL && !json_is_null(days);
    code = returns_int(root, "window_days", "window_days", &in->window_days, err);
    if (code == ERR_OK) {
        code = returns_string_list(arena, root, "shipping_refund_reasons",
                                   &in->shipping_refund_reasons, err);
    }
    if (code == ERR_OK) {
        code =
            returns_string_list(arena, root, "cross_ship_channels", &in->cross_ship_channels, err);
    }
    if (code == ERR_OK) {
        code = returns_string_list(arena, root, "cross_ship_customers", &in->cross_ship_customers,
                                   err);
    }
    json_decref(root);
    return code;
}

enum err_code h_returns_settings_put(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct app_return_settings in;
    struct app_return_settings out;
    enum err_code code =
        http_parse_return_settings(req->body, req->body_len, req->ctx.arena, &in, err);
    if (code == ERR_OK) {
        code = app_return_settings_put(&req->ctx, &in, &out, err);
    }
    return code == ERR_OK ? returns_settings_answer(resp, &out, err) : code;
}

static void returns_render_rule(struct jw *jw, const struct return_rule *rule)
{
    jw_object_begin(jw);
    jw_kv_int(jw, "id", rule->row_id);
    jw_kv_int(jw, "priority", rule->priority);
    jw_kv_string(jw, "reason",
                 rule->reason >= 0 ? return_reason_name((enum return_reason)rule->reason) : NULL);
    jw_kv_string(jw, "condition",
                 rule->condition >= 0
                     ? return_condition_name((enum return_condition)rule->condition)
                     : NULL);
    jw_kv_string(jw, "sku", rule->sku);
    jw_kv_string(jw, "location", rule->location);
    jw_kv_string(jw, "disposition", return_disposition_name(rule->disposition));
    jw_kv_string(jw, "target_location", rule->target_location);
    jw_object_end(jw);
}

static enum err_code returns_rule_created(const void *result, struct buf *body, int *status)
{
    ASSERT(result != NULL && body != NULL && status != NULL);
    struct jw jw;
    jw_init(&jw, body);
    returns_render_rule(&jw, result);
    *status = 201;
    return jw_finish(&jw);
}

/* The enum members of a rule: absent or null is "any" (-1). */
static enum err_code returns_rule_enums(const char *reason, const char *condition,
                                        const char *disposition, struct return_rule *rule,
                                        struct err *err)
{
    enum return_reason r;
    enum return_condition c;
    if (reason != NULL && !return_reason_parse(reason, &r)) {
        return err_set(err, ERR_INVALID, "reason", "reason is not a return reason: \"%s\"", reason);
    }
    if (condition != NULL && !return_condition_parse(condition, &c)) {
        return err_set(err, ERR_INVALID, "condition", "condition must be sellable or damaged");
    }
    if (disposition == NULL || !return_disposition_parse(disposition, &rule->disposition)) {
        return err_set(err, ERR_INVALID, "disposition",
                       "disposition must be restock, transfer, refurbish, return_to_vendor or "
                       "scrap");
    }
    rule->reason = reason != NULL ? (int)r : -1;
    rule->condition = condition != NULL ? (int)c : -1;
    return ERR_OK;
}

enum err_code http_parse_return_rule(const char *body, size_t len, struct arena *arena,
                                     struct return_rule *rule, struct err *err)
{
    ASSERT(arena != NULL && rule != NULL);
    memset(rule, 0, sizeof(*rule));
    json_t *root = NULL;
    enum err_code code = returns_load(body, len, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *names[] = {"reason", "condition", "disposition",
                           "sku",    "location",  "target_location"};
    const char *values[ARRAY_LEN(names)] = {0};
    for (size_t i = 0; code == ERR_OK && i < ARRAY_LEN(names); i++) {
        code = returns_string(arena, root, names[i], names[i], &values[i], err);
    }
    int64_t priority = 100;
    json_t *given = json_object_get(root, "priority");
    if (code == ERR_OK && given != NULL && !json_is_null(given)) {
        code = returns_int(root, "priority", "priority", &priority, err);
    }
    json_decref(root);
    if (code == ERR_OK) {
        code = returns_rule_enums(values[0], values[1], values[2], rule, err);
    }
    rule->sku = values[3];
    rule->location = values[4];
    rule->target_location = values[5];
    rule->priority = priority >= 0 && priority <= 1000000 ? (int)priority : -1;
    return code;
}

enum err_code h_returns_rules_create(struct http_request *req, struct http_response *resp,
                                     struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct return_rule rule;
    struct app_idempotency idem;
    enum err_code code =
        http_parse_return_rule(req->body, req->body_len, req->ctx.arena, &rule, err);
    if (code == ERR_OK) {
        code = http_idempotency(req, returns_rule_created, &idem, err);
    }
    if (code == ERR_OK) {
        code = app_return_rule_create(&req->ctx, &rule, &idem, err);
    }
    if (code == ERR_OK) {
        code = http_answer(resp, &idem, &rule, returns_rule_created, err);
    }
    return code;
}

enum err_code h_returns_rules_list(struct http_request *req, struct http_response *resp,
                                   struct err *err)
{
    ASSERT(req != NULL && resp != NULL);
    struct return_rule *rules = NULL;
    size_t count = 0;
    enum err_code code = app_return_rule_list(&req->ctx, &rules, &count, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jw jw;
    jw_init(&jw, resp->body);
    render_list_begin(&jw);
    for (size_t i = 0; i < count; i++) {
        returns_render_rule(&jw, &rules[i]);
    }
    render_list_end(&jw, NULL);
    resp->status = 200;
    return http_finish(&jw, err);
}
