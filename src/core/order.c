/*
 * order.c — the order's one transition table, its validation as received from a channel,
 * totals in integer minor units and the promised ship-by time. Pure: the caller reads the
 * clock and the catalog; nothing else may change an order's status.
 */
#include "core/order.h"

#include <string.h>

#include "core/limits.h"
#include "core/location.h"
#include "core/money.h"
#include "core/product.h"
#include "lib/date.h"
#include "lib/str.h"

#define EMAIL_LOCAL_LEN_MAX 64

static const char *const order_status_names[ORDER_STATUS_COUNT] = {
    [ORDER_STATUS_PENDING] = "pending",
    [ORDER_STATUS_CONFIRMED] = "confirmed",
    [ORDER_STATUS_ON_HOLD] = "on_hold",
    [ORDER_STATUS_ALLOCATED] = "allocated",
    [ORDER_STATUS_BACKORDERED] = "backordered",
    [ORDER_STATUS_IN_FULFILLMENT] = "in_fulfillment",
    [ORDER_STATUS_PARTIALLY_SHIPPED] = "partially_shipped",
    [ORDER_STATUS_SHIPPED] = "shipped",
    [ORDER_STATUS_DELIVERED] = "delivered",
    [ORDER_STATUS_READY_FOR_PICKUP] = "ready_for_pickup",
    [ORDER_STATUS_PICKED_UP] = "picked_up",
    [ORDER_STATUS_PARTIALLY_RETURNED] = "partially_returned",
    [ORDER_STATUS_RETURNED] = "returned",
    [ORDER_STATUS_CANCELLED] = "cancelled",
};

static const char *const fulfillment_method_names[FULFILLMENT_COUNT] = {
    [FULFILLMENT_SHIP] = "ship",
    [FULFILLMENT_PICKUP] = "pickup",
    [FULFILLMENT_DELIVERY] = "delivery",
};

#define BIT(status) (1u << (status))

static_assert(ORDER_STATUS_COUNT <= 32, "a status set fits in an unsigned");

/*
 * The transition table (DESIGN.md, order lifecycle): the set of states each state may move
 * to. Capture walks pending -> confirmed -> allocated or backordered; a hold is released to
 * the state it came from, which the caller remembers.
 */
static const unsigned order_transitions[ORDER_STATUS_COUNT] = {
    [ORDER_STATUS_PENDING] =
        BIT(ORDER_STATUS_CONFIRMED) | BIT(ORDER_STATUS_ON_HOLD) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_CONFIRMED] = BIT(ORDER_STATUS_ALLOCATED) | BIT(ORDER_STATUS_BACKORDERED) |
                               BIT(ORDER_STATUS_ON_HOLD) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_ALLOCATED] = BIT(ORDER_STATUS_IN_FULFILLMENT) |
                               BIT(ORDER_STATUS_READY_FOR_PICKUP) | BIT(ORDER_STATUS_BACKORDERED) |
                               BIT(ORDER_STATUS_ON_HOLD) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_BACKORDERED] =
        BIT(ORDER_STATUS_ALLOCATED) | BIT(ORDER_STATUS_ON_HOLD) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_ON_HOLD] = BIT(ORDER_STATUS_CONFIRMED) | BIT(ORDER_STATUS_ALLOCATED) |
                             BIT(ORDER_STATUS_BACKORDERED) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_IN_FULFILLMENT] = BIT(ORDER_STATUS_PARTIALLY_SHIPPED) |
                                    BIT(ORDER_STATUS_SHIPPED) | BIT(ORDER_STATUS_READY_FOR_PICKUP) |
                                    BIT(ORDER_STATUS_BACKORDERED) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_PARTIALLY_SHIPPED] = BIT(ORDER_STATUS_SHIPPED),
    [ORDER_STATUS_SHIPPED] = BIT(ORDER_STATUS_DELIVERED) | BIT(ORDER_STATUS_PARTIALLY_RETURNED) |
                             BIT(ORDER_STATUS_RETURNED),
    [ORDER_STATUS_DELIVERED] = BIT(ORDER_STATUS_PARTIALLY_RETURNED) | BIT(ORDER_STATUS_RETURNED),
    [ORDER_STATUS_READY_FOR_PICKUP] = BIT(ORDER_STATUS_PICKED_UP) | BIT(ORDER_STATUS_CANCELLED),
    [ORDER_STATUS_PICKED_UP] = BIT(ORDER_STATUS_PARTIALLY_RETURNED) | BIT(ORDER_STATUS_RETURNED),
    [ORDER_STATUS_PARTIALLY_RETURNED] = BIT(ORDER_STATUS_RETURNED),
    [ORDER_STATUS_RETURNED] = 0,
    [ORDER_STATUS_CANCELLED] = 0,
};

static const unsigned order_cancellable =
    BIT(ORDER_STATUS_PENDING) | BIT(ORDER_STATUS_CONFIRMED) | BIT(ORDER_STATUS_ON_HOLD) |
    BIT(ORDER_STATUS_ALLOCATED) | BIT(ORDER_STATUS_BACKORDERED) | BIT(ORDER_STATUS_IN_FULFILLMENT) |
    BIT(ORDER_STATUS_READY_FOR_PICKUP);

/* Index of name in names[count], or -1. */
static int order_name_find(const char *const *names, int count, const char *name)
{
    if (name == NULL) {
        return -1;
    }
    for (int i = 0; i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *order_status_name(enum order_status status)
{
    ASSERT((int)status >= 0);
    ASSERT(status < ORDER_STATUS_COUNT);
    return order_status_names[status];
}

bool order_status_parse(const char *name, enum order_status *out)
{
    ASSERT(out != NULL);
    int index = order_name_find(order_status_names, ORDER_STATUS_COUNT, name);
    if (index < 0) {
        return false;
    }
    *out = (enum order_status)index;
    return true;
}

const char *fulfillment_method_name(enum fulfillment_method method)
{
    ASSERT((int)method >= 0);
    ASSERT(method < FULFILLMENT_COUNT);
    return fulfillment_method_names[method];
}

bool fulfillment_method_parse(const char *name, enum fulfillment_method *out)
{
    ASSERT(out != NULL);
    int index = order_name_find(fulfillment_method_names, FULFILLMENT_COUNT, name);
    if (index < 0) {
        return false;
    }
    *out = (enum fulfillment_method)index;
    return true;
}

const char *ship_policy_name(enum ship_policy policy)
{
    ASSERT(policy == SHIP_POLICY_ALLOW_SPLIT || policy == SHIP_POLICY_SHIP_COMPLETE);
    return policy == SHIP_POLICY_SHIP_COMPLETE ? "ship_complete" : "allow_split";
}

bool ship_policy_parse(const char *name, enum ship_policy *out)
{
    static const char *const names[] = {"allow_split", "ship_complete"};
    ASSERT(out != NULL);
    int index = order_name_find(names, 2, name);
    if (index < 0) {
        return false;
    }
    *out = index == 1 ? SHIP_POLICY_SHIP_COMPLETE : SHIP_POLICY_ALLOW_SPLIT;
    return true;
}

const char *customer_type_name(enum customer_type type)
{
    ASSERT(type == CUSTOMER_TYPE_CONSUMER || type == CUSTOMER_TYPE_BUSINESS);
    return type == CUSTOMER_TYPE_BUSINESS ? "business" : "consumer";
}

bool customer_type_parse(const char *name, enum customer_type *out)
{
    static const char *const names[] = {"consumer", "business"};
    ASSERT(out != NULL);
    int index = order_name_find(names, 2, name);
    if (index < 0) {
        return false;
    }
    *out = index == 1 ? CUSTOMER_TYPE_BUSINESS : CUSTOMER_TYPE_CONSUMER;
    return true;
}

bool order_status_can_transition(enum order_status from, enum order_status to)
{
    ASSERT((int)from >= 0 && from < ORDER_STATUS_COUNT);
    ASSERT((int)to >= 0 && to < ORDER_STATUS_COUNT);
    return (order_transitions[from] & BIT(to)) != 0;
}

enum err_code order_transition(struct order *order, enum order_status to, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    enum order_status from = order->status;
    if (!order_status_can_transition(from, to)) {
        return err_set_reason(err, ERR_STATE, "invalid_state", NULL,
                              "cannot move order from %s to %s", order_status_names[from],
                              order_status_names[to]);
    }
    order->status = to;
    ASSERT(order->status == to);
    return ERR_OK;
}

bool order_is_cancellable(const struct order *order)
{
    ASSERT(order != NULL);
    ASSERT((int)order->status >= 0 && order->status < ORDER_STATUS_COUNT);
    return (order_cancellable & BIT(order->status)) != 0;
}

/* ---- e-mail ------------------------------------------------------------------------------ */

/* A domain: labels of [A-Za-z0-9-] (or UTF-8 bytes) separated by single dots, at least two. */
static bool order_email_domain_is_valid(const char *domain, size_t len)
{
    if (len < 3 || domain[0] == '.' || domain[len - 1] == '.' || domain[0] == '-') {
        return false;
    }
    bool has_dot = false;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)domain[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '.' || c >= 0x80;
        if (!ok || (c == '.' && domain[i + 1] == '.')) {
            return false;
        }
        has_dot = has_dot || c == '.';
    }
    return has_dot;
}

bool order_email_is_valid(const char *email)
{
    if (email == NULL) {
        return false;
    }
    size_t len = strlen(email);
    if (len == 0 || len > EMAIL_LEN_MAX || !str_is_clean_utf8(email, len)) {
        return false;
    }
    const char *at = strchr(email, '@');
    if (at == NULL || strchr(at + 1, '@') != NULL) {
        return false;
    }
    size_t local_len = (size_t)(at - email);
    if (local_len == 0 || local_len > EMAIL_LOCAL_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < local_len; i++) {
        unsigned char c = (unsigned char)email[i];
        if (c <= 0x20 || c == 0x7F || c == '"' || c == '(' || c == ')' || c == ',' || c == ':' ||
            c == ';' || c == '<' || c == '>' || c == '[' || c == ']' || c == '\\') {
            return false;
        }
    }
    return order_email_domain_is_valid(at + 1, len - local_len - 1);
}

/* ---- validation -------------------------------------------------------------------------- */

/* Writes "lines[<index>].<member>" into out. */
static void order_line_field(char *out, size_t out_size, size_t index, const char *member)
{
    ASSERT(out != NULL);
    ASSERT(out_size >= 48);
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0 && n < sizeof(digits));
    size_t used = str_copy(out, out_size, "lines[");
    for (size_t i = 0; i < n; i++) {
        out[used++] = digits[n - 1 - i];
    }
    out[used] = '\0';
    used += str_copy(out + used, out_size - used, "].");
    str_copy(out + used, out_size - used, member);
}

/* An optional text: at most len_max bytes of clean UTF-8 (required: at least one byte). */
static enum err_code order_check_text(const char *value, size_t len_max, bool required,
                                      const char *field, struct err *err)
{
    size_t len = value == NULL ? 0 : strlen(value);
    if (len == 0 && required) {
        return err_set(err, ERR_INVALID, field, "%s is required", field);
    }
    if (len > len_max) {
        return err_set(err, ERR_INVALID, field, "%s must be at most %zu bytes, got %zu", field,
                       len_max, len);
    }
    if (len > 0 && !str_is_clean_utf8(value, len)) {
        return err_set(err, ERR_INVALID, field, "%s must be UTF-8 without control characters",
                       field);
    }
    return ERR_OK;
}

static enum err_code order_check_amount(int64_t value, const char *field, struct err *err)
{
    if (value < 0 || value > MONEY_AMOUNT_MAX) {
        return err_set(err, ERR_INVALID, field, "%s must be between 0 and %lld, got %" PRId64,
                       field, MONEY_AMOUNT_MAX, value);
    }
    return ERR_OK;
}

static enum err_code order_check_header(const struct order *order, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    if (order->channel == NULL || order->channel[0] == '\0') {
        return err_set(err, ERR_INVALID, "channel", "channel is required");
    }
    if (!location_code_is_valid(order->channel)) {
        return err_set(err, ERR_INVALID, "channel",
                       "channel must be 1 to %d characters of A-Z a-z 0-9 . _ -", CODE_LEN_MAX);
    }
    if (order->external_id != NULL) {
        enum err_code code =
            order_check_text(order->external_id, EXTERNAL_ID_LEN_MAX, true, "external_id", err);
        if (code != ERR_OK) {
            return code;
        }
    }
    if (order->currency == NULL || order->currency[0] == '\0') {
        return err_set(err, ERR_INVALID, "currency", "currency is required");
    }
    if (!money_currency_is_valid(order->currency)) {
        return err_set(err, ERR_INVALID, "currency", "unknown currency %s", order->currency);
    }
    if (order->customer_email == NULL || order->customer_email[0] == '\0') {
        return err_set(err, ERR_INVALID, "customer.email", "customer e-mail is required");
    }
    if (!order_email_is_valid(order->customer_email)) {
        return err_set(err, ERR_INVALID, "customer.email", "invalid e-mail address %s",
                       order->customer_email);
    }
    return order_check_text(order->customer_name, NAME_LEN_MAX, false, "customer.name", err);
}

static enum err_code order_check_line(const struct order_line *line, size_t index, struct err *err)
{
    ASSERT(line != NULL);
    ASSERT(index < ORDER_LINES_MAX);
    char field[ERR_FIELD_LEN_MAX];
    if (!product_sku_is_valid(line->sku)) {
        order_line_field(field, sizeof(field), index, "sku");
        return err_set(err, ERR_INVALID, field,
                       "sku must be 1 to %d printable characters without spaces or slashes",
                       SKU_LEN_MAX);
    }
    if (line->qty < 1 || line->qty > QTY_MAX) {
        order_line_field(field, sizeof(field), index, "qty");
        return err_set(err, ERR_INVALID, field, "quantity must be between 1 and %d, got %" PRId64,
                       QTY_MAX, line->qty);
    }
    if (line->unit_price_given && (line->unit_price < 0 || line->unit_price > MONEY_AMOUNT_MAX)) {
        order_line_field(field, sizeof(field), index, "unit_price");
        return err_set(err, ERR_INVALID, field,
                       "unit price must be between 0 and %lld, got %" PRId64, MONEY_AMOUNT_MAX,
                       line->unit_price);
    }
    if (line->customization_json != NULL &&
        strlen(line->customization_json) > CUSTOMIZATION_BYTES_MAX) {
        order_line_field(field, sizeof(field), index, "customization");
        return err_set(err, ERR_INVALID, field, "customization must be at most %d bytes, got %zu",
                       CUSTOMIZATION_BYTES_MAX, strlen(line->customization_json));
    }
    return ERR_OK;
}

static enum err_code order_check_lines(const struct order *order, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    if (order->lines_count == 0 || order->lines == NULL) {
        return err_set(err, ERR_INVALID, "lines", "an order needs at least one line");
    }
    if (order->lines_count > ORDER_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "an order has at most %d lines, got %zu",
                       ORDER_LINES_MAX, order->lines_count);
    }
    for (size_t i = 0; i < order->lines_count; i++) {
        enum err_code code = order_check_line(&order->lines[i], i, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code order_check_fulfillment(const struct order *order, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    if ((int)order->method < 0 || order->method >= FULFILLMENT_COUNT) {
        return err_set(err, ERR_INVALID, "fulfillment.method",
                       "fulfillment method must be ship, pickup or delivery");
    }
    bool needs_address = order->method != FULFILLMENT_PICKUP;
    if (needs_address || order->shipping_address.present) {
        enum err_code code = address_validate(&order->shipping_address, "shipping_address", err);
        if (code != ERR_OK) {
            return code;
        }
    }
    if (order->billing_address.present) {
        enum err_code code = address_validate(&order->billing_address, "billing_address", err);
        if (code != ERR_OK) {
            return code;
        }
    }
    if (order->method == FULFILLMENT_PICKUP && !location_code_is_valid(order->pickup_location)) {
        return err_set(err, ERR_INVALID, "fulfillment.location",
                       "pickup needs a location code of 1 to %d characters", CODE_LEN_MAX);
    }
    if (order->method == FULFILLMENT_DELIVERY && order->delivery_day <= 0) {
        return err_set(err, ERR_INVALID, "fulfillment.date",
                       "delivery needs a date (YYYY-MM-DD), got %" PRId64, order->delivery_day);
    }
    return ERR_OK;
}

enum err_code order_validate(const struct order *order, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    enum err_code code = order_check_header(order, err);
    if (code == ERR_OK) {
        code = order_check_lines(order, err);
    }
    if (code == ERR_OK) {
        code = order_check_fulfillment(order, err);
    }
    if (code == ERR_OK) {
        code = order_check_amount(order->totals.shipping, "shipping_price", err);
    }
    if (code == ERR_OK) {
        code = order_check_amount(order->totals.tax, "tax", err);
    }
    if (code == ERR_OK) {
        code = order_check_amount(order->totals.discount, "discount", err);
    }
    return code;
}

/* ---- totals ------------------------------------------------------------------------------ */

static enum err_code order_subtotal(const struct order *order, int64_t *out, struct err *err)
{
    ASSERT(order != NULL && out != NULL);
    ASSERT(order->lines != NULL || order->lines_count == 0);
    char field[ERR_FIELD_LEN_MAX];
    int64_t subtotal = 0;
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        int64_t amount = 0;
        order_line_field(field, sizeof(field), i, "unit_price");
        enum err_code code = money_mul(line->qty, line->unit_price, &amount, field, err);
        if (code == ERR_OK) {
            code = money_add(subtotal, amount, &subtotal, "lines", err);
        }
        if (code != ERR_OK) {
            return code;
        }
        /* Checked after every line, so the running sum stays far from int64 overflow. */
        if (amount < 0 || subtotal > MONEY_AMOUNT_MAX) {
            return err_set(err, ERR_INVALID, amount < 0 ? field : "lines",
                           "order subtotal must be between 0 and %lld, got %" PRId64,
                           MONEY_AMOUNT_MAX, subtotal);
        }
    }
    *out = subtotal;
    return ERR_OK;
}

enum err_code order_compute_totals(struct order *order, struct err *err)
{
    ASSERT(order != NULL);
    ASSERT(err != NULL);
    ASSERT(order->lines != NULL || order->lines_count == 0);
    struct order_totals totals = order->totals;
    enum err_code code = order_check_amount(totals.discount, "discount", err);
    if (code == ERR_OK) {
        code = order_check_amount(totals.shipping, "shipping_price", err);
    }
    if (code == ERR_OK) {
        code = order_check_amount(totals.tax, "tax", err);
    }
    if (code == ERR_OK) {
        code = order_subtotal(order, &totals.subtotal, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    if (totals.discount > totals.subtotal) {
        return err_set(err, ERR_INVALID, "discount",
                       "discount must not exceed the subtotal %" PRId64 ", got %" PRId64,
                       totals.subtotal, totals.discount);
    }
    /* Each term is at most MONEY_AMOUNT_MAX, so these sums cannot overflow int64. */
    totals.total = totals.subtotal - totals.discount + totals.shipping + totals.tax;
    if (totals.total > MONEY_AMOUNT_MAX) {
        return err_set(err, ERR_INVALID, "total", "order total must be at most %lld, got %" PRId64,
                       MONEY_AMOUNT_MAX, totals.total);
    }
    order->totals = totals;
    ASSERT(order_totals_are_consistent(order));
    return ERR_OK;
}

bool order_totals_are_consistent(const struct order *order)
{
    ASSERT(order != NULL);
    ASSERT(order->lines != NULL || order->lines_count == 0);
    int64_t subtotal = 0;
    for (size_t i = 0; i < order->lines_count; i++) {
        int64_t amount = 0;
        if (__builtin_mul_overflow(order->lines[i].qty, order->lines[i].unit_price, &amount) ||
            __builtin_add_overflow(subtotal, amount, &subtotal)) {
            return false;
        }
    }
    const struct order_totals *t = &order->totals;
    int64_t total = 0;
    if (__builtin_sub_overflow(t->subtotal, t->discount, &total) ||
        __builtin_add_overflow(total, t->shipping, &total) ||
        __builtin_add_overflow(total, t->tax, &total)) {
        return false;
    }
    return subtotal == t->subtotal && total == t->total;
}

int64_t order_promise_ship_by(int64_t created_at_ms, int cutoff_minute, int handling_days)
{
    ASSERT(cutoff_minute >= 0 && cutoff_minute < 1440);
    ASSERT(handling_days >= 0 && handling_days <= HANDLING_DAYS_MAX);
    int64_t day = date_day_of_ms(created_at_ms);
    int64_t minute_of_day = (created_at_ms - day * DATE_MS_PER_DAY) / 60000;
    int64_t ship_day = day + handling_days + (minute_of_day > cutoff_minute ? 1 : 0);
    int64_t ship_by = (ship_day + 1) * DATE_MS_PER_DAY - 1;
    ASSERT(ship_by > created_at_ms);
    return ship_by;
}
