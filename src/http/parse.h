/*
 * parse.h — request bodies (JSON, through jansson) into core structs, strictly: every field
 * is type-checked and length-checked, errors name the field ("lines[1].qty"), unknown fields
 * are ignored. Every string the results point to is a copy in the caller's arena.
 *
 * Errors: ERR_MALFORMED (400) for JSON syntax, with jansson's text and position;
 * ERR_INVALID (422) for a top level that is not an object or a value of the wrong type or
 * size; ERR_TOO_LARGE when the arena is full.
 */
#ifndef ORDO_HTTP_PARSE_H
#define ORDO_HTTP_PARSE_H

#include "app/app.h"
#include "core/channel.h"
#include "core/customer.h"
#include "core/location.h"
#include "core/order.h"
#include "core/product.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

/*
 * An order as POST /v1/orders sends it (API.md), into *out (zeroed first; payment provider
 * "manual" unless given), then checked with order_validate. This is the fuzz target.
 */
MUST_CHECK enum err_code http_parse_order(const char *body, size_t len, struct arena *arena,
                                          struct order *out, struct err *err);

/*
 * A location (API.md shape plus cutoff_time "HH:MM" and handling_days). The fields present
 * are written onto *inout and the others keep their value, so that the same function reads
 * a create (onto defaults) and a PATCH (onto the stored location). Not validated: app does.
 */
MUST_CHECK enum err_code http_parse_location(const char *body, size_t len, struct arena *arena,
                                             struct location *inout, struct err *err);

/* A product (simple, kit with components, drop-ship supplier), onto *inout as above. */
MUST_CHECK enum err_code http_parse_product(const char *body, size_t len, struct arena *arena,
                                            struct product *inout, struct err *err);

/* A channel {code, kind, name}, onto *inout. */
MUST_CHECK enum err_code http_parse_channel(const char *body, size_t len, struct arena *arena,
                                            struct channel *inout, struct err *err);

/* A customer patch {email, name, phone, type, payment_terms_days, credit_limit}, onto *inout. */
MUST_CHECK enum err_code http_parse_customer(const char *body, size_t len, struct arena *arena,
                                             struct customer *inout, struct err *err);

/* PUT /v1/inventory/{sku}/{location}: {"on_hand": 40, "safety_stock": 2}. */
struct http_inventory_count {
    int64_t on_hand;      /* units; required */
    bool has_safety;      /* safety_stock was given */
    int64_t safety_stock; /* units */
};

MUST_CHECK enum err_code http_parse_inventory_count(const char *body, size_t len,
                                                    struct arena *arena,
                                                    struct http_inventory_count *out,
                                                    struct err *err);

/* POST /v1/inventory/adjustments: {"sku", "location", "delta", "reason"}. */
struct http_adjustment {
    const char *sku;      /* required */
    const char *location; /* required */
    int64_t delta;        /* units, required */
    const char *reason;   /* or NULL */
};

MUST_CHECK enum err_code http_parse_adjustment(const char *body, size_t len, struct arena *arena,
                                               struct http_adjustment *out, struct err *err);

/* POST /v1/orders/{id}/cancel: {"reason", "lines": [{"line_id", "qty"}]}; an empty body is {}. */
struct http_cancel {
    const char *reason;            /* or NULL */
    struct app_cancel_line *lines; /* arena-owned; NULL with lines_count 0: the whole order */
    size_t lines_count;
};

MUST_CHECK enum err_code http_parse_cancel(const char *body, size_t len, struct arena *arena,
                                           struct http_cancel *out, struct err *err);

/* POST /v1/orders/{id}/hold: {"reason": "..."}; an empty body is {}. *reason_out NULL if absent. */
MUST_CHECK enum err_code http_parse_hold(const char *body, size_t len, struct arena *arena,
                                         const char **reason_out, struct err *err);

/* POST /v1/shipments/{id}/pack: {"packages": [{"weight_grams": 900}]}. */
struct http_pack {
    int64_t *weights_grams; /* [packages_count], arena-owned */
    size_t packages_count;
};

MUST_CHECK enum err_code http_parse_pack(const char *body, size_t len, struct arena *arena,
                                         struct http_pack *out, struct err *err);

/* POST /v1/shipments/{id}/ship: {"carrier", "service", "tracking_number", "cost"}. */
MUST_CHECK enum err_code http_parse_ship(const char *body, size_t len, struct arena *arena,
                                         struct app_ship *out, struct err *err);

/* POST /v1/shipments/{id}/pickup: {"pickup_code": "..."}; *code_out NULL when absent. */
MUST_CHECK enum err_code http_parse_pickup(const char *body, size_t len, struct arena *arena,
                                           const char **code_out, struct err *err);

/* POST /v1/pick-lists: {"location", "max_shipments" (default 50), "picker"}. */
MUST_CHECK enum err_code http_parse_pick_list(const char *body, size_t len, struct arena *arena,
                                              struct app_pick_list_input *out, struct err *err);

/* POST /v1/pick-lists/{id}/complete: {"picker", "short": [{"sku", "qty"}]}; empty is {}. */
struct http_pick_complete {
    const char *picker;            /* or NULL */
    struct app_pick_short *shorts; /* arena-owned, or NULL */
    size_t shorts_count;
};

MUST_CHECK enum err_code http_parse_pick_complete(const char *body, size_t len, struct arena *arena,
                                                  struct http_pick_complete *out, struct err *err);

/*
 * A time bound of a query parameter named field: RFC 3339, or "YYYY-MM-DD" meaning the start
 * of that day, or with end_of_day its last millisecond. ERR_INVALID naming field otherwise.
 */
MUST_CHECK enum err_code http_parse_time_bound(const char *text, bool end_of_day, const char *field,
                                               int64_t *ms_out, struct err *err);

/* POST /v1/channels/{code}/traffic and POST /v1/costs bodies (the app validates values). */
MUST_CHECK enum err_code http_parse_traffic(const char *body, size_t len, struct arena *arena,
                                            struct app_traffic_input *inout, struct err *err);
MUST_CHECK enum err_code http_parse_cost(const char *body, size_t len, struct arena *arena,
                                         struct app_cost_input *inout, struct err *err);

/* ---- payments, order edits and notes (README "Payments", "Order edits and notes") ---- */

/* POST /v1/orders/{id}/payments: {"provider" (required), "card"}. */
MUST_CHECK enum err_code http_parse_payment_input(const char *body, size_t len, struct arena *arena,
                                                  struct app_payment_input *out, struct err *err);
/* POST /v1/orders/{id}/release: {"override"} (optional boolean; an empty body is {}). */
MUST_CHECK enum err_code http_parse_release(const char *body, size_t len, struct arena *arena,
                                            bool *override, struct err *err);
/* POST /v1/orders/{id}/notes: {"text"} (required, at most NOTES_LEN_MAX bytes). */
MUST_CHECK enum err_code http_parse_note(const char *body, size_t len, struct arena *arena,
                                         const char **text_out, struct err *err);
/* PATCH /v1/orders/{id}: {"shipping_address": {...}, "lines": [{"line_id", "qty"} (qty 0
 * removes) or {"sku", "qty"} (adds)], "payment": {"card"}}; address or lines at least. */
MUST_CHECK enum err_code http_parse_order_edit(const char *body, size_t len, struct arena *arena,
                                               struct app_order_edit *out, struct err *err);

/* ---- returns (implemented in h_returns.c; README "Returns and exchanges") ------------------ */

/* POST /v1/returns: {"order_id", "location", "lines": [{"line_id", "qty", "reason"}],
 * "resolution", "exchange_lines": [{"sku", "qty"}]}; app checks the values. */
MUST_CHECK enum err_code http_parse_return(const char *body, size_t len, struct arena *arena,
                                           struct app_return_input *out, struct err *err);
/* POST /v1/returns/{id}/receive: {"lines": [{"line_id", "qty", "condition"}]}. */
MUST_CHECK enum err_code http_parse_receive(const char *body, size_t len, struct arena *arena,
                                            struct app_receive *out, struct err *err);
/* PUT /v1/returns/settings: window_days and the three lists (arrays of strings). */
MUST_CHECK enum err_code http_parse_return_settings(const char *body, size_t len,
                                                    struct arena *arena,
                                                    struct app_return_settings *out,
                                                    struct err *err);
/* POST /v1/returns/rules: priority, reason, condition, sku, location, disposition,
 * target_location. */
MUST_CHECK enum err_code http_parse_return_rule(const char *body, size_t len, struct arena *arena,
                                                struct return_rule *out, struct err *err);

#endif
