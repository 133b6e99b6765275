/*
 * parse.c — JSON request bodies into core structs with jansson. Strict on types and sizes,
 * lenient on unknown fields. Every jansson reference is created and released in the public
 * function that loads the document; helpers only borrow. Nothing here checks business rules
 * beyond form (core's *_validate and app do), except that the order is validated as a whole.
 */
#include "http/parse.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "app/payment_provider.h"
#include "core/limits.h"
#include "lib/date.h"

/* Capability names in one location (five exist; repeats are harmless but bounded). */
#define PARSE_CAPABILITIES_MAX 16
/* Currency codes are 3 letters; a little slack keeps the error "invalid currency" from core. */
#define PARSE_CURRENCY_LEN_MAX 8

/* Where a helper reads: the arena for copies, the error to fill, the JSON path so far. */
struct jp {
    struct arena *arena;
    struct err *err;
    char prefix[ERR_FIELD_LEN_MAX]; /* "" at the top level, else "lines[1]" or "customer" */
};

static void jp_init(struct jp *jp, struct arena *arena, struct err *err)
{
    jp->arena = arena;
    jp->err = err;
    jp->prefix[0] = '\0';
}

/* The path of member name (NULL: the object itself) in out. Long paths are truncated. */
static void jp_path(const struct jp *jp, const char *name, char out[ERR_FIELD_LEN_MAX])
{
    int n = 0;
    if (name == NULL) {
        n = snprintf(out, ERR_FIELD_LEN_MAX, "%s", jp->prefix);
    } else if (jp->prefix[0] == '\0') {
        n = snprintf(out, ERR_FIELD_LEN_MAX, "%s", name);
    } else {
        n = snprintf(out, ERR_FIELD_LEN_MAX, "%s.%s", jp->prefix, name);
    }
    if (n < 0) {
        out[0] = '\0';
    }
}

/* A reader for the object in member name of parent's object. */
static void jp_child(struct jp *child, const struct jp *parent, const char *name)
{
    child->arena = parent->arena;
    child->err = parent->err;
    jp_path(parent, name, child->prefix);
}

/* A reader for item index of the array in member name of parent's object. */
static void jp_item(struct jp *child, const struct jp *parent, const char *name, size_t index)
{
    char base[ERR_FIELD_LEN_MAX];
    jp_path(parent, name, base);
    child->arena = parent->arena;
    child->err = parent->err;
    int n = snprintf(child->prefix, sizeof(child->prefix), "%.80s[%zu]", base, index);
    if (n < 0) {
        child->prefix[0] = '\0';
    }
}

/* Fails with code, the field's path, and a message that starts with that path. */
PRINTF_LIKE(4, 5)

static enum err_code jp_fail(const struct jp *jp, enum err_code code, const char *name,
                             const char *fmt, ...)
{
    char path[ERR_FIELD_LEN_MAX];
    char message[ERR_MESSAGE_LEN_MAX];
    jp_path(jp, name, path);
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n < 0) {
        message[0] = '\0';
    }
    return err_set(jp->err, code, path, "%s %s", path, message);
}

static enum err_code jp_nomem(const struct jp *jp)
{
    return err_set(jp->err, ERR_TOO_LARGE, NULL, "the request needs more memory than allowed");
}

/* Copies the string value (named name for errors) after the NUL and length checks. */
static enum err_code jp_string_value(const struct jp *jp, json_t *value, const char *name,
                                     size_t len_max, const char **out)
{
    const char *text = json_string_value(value);
    size_t len = json_string_length(value);
    if (strlen(text) != len) {
        return jp_fail(jp, ERR_INVALID, name, "must not contain NUL characters");
    }
    if (len > len_max) {
        return jp_fail(jp, ERR_INVALID, name, "must be at most %zu bytes long, got %zu", len_max,
                       len);
    }
    char *copy = arena_strndup(jp->arena, text, len);
    if (copy == NULL) {
        return jp_nomem(jp);
    }
    *out = copy;
    return ERR_OK;
}

/* A string member: absent leaves *out, null sets NULL, anything but a string fails. */
static enum err_code jp_string(const struct jp *jp, json_t *obj, const char *name, size_t len_max,
                               const char **out)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL) {
        return ERR_OK;
    }
    if (json_is_null(value)) {
        *out = NULL;
        return ERR_OK;
    }
    if (!json_is_string(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be a string");
    }
    return jp_string_value(jp, value, name, len_max, out);
}

/* An integer member (a JSON integer, not a real or a string); absent or null leaves *out. */
static enum err_code jp_int(const struct jp *jp, json_t *obj, const char *name, int64_t *out,
                            bool *present)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_integer(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be an integer");
    }
    *out = (int64_t)json_integer_value(value);
    if (present != NULL) {
        *present = true;
    }
    return ERR_OK;
}

/* An integer member that must lie in [min, max] and fits an int. */
static enum err_code jp_int_range(const struct jp *jp, json_t *obj, const char *name, int min,
                                  int max, int *out)
{
    int64_t value = *out;
    enum err_code code = jp_int(jp, obj, name, &value, NULL);
    if (code != ERR_OK) {
        return code;
    }
    if (value < min || value > max) {
        return jp_fail(jp, ERR_INVALID, name, "must be between %d and %d, got %" PRId64, min, max,
                       value);
    }
    *out = (int)value;
    return ERR_OK;
}

static enum err_code jp_bool(const struct jp *jp, json_t *obj, const char *name, bool *out)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_boolean(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be true or false");
    }
    *out = json_is_true(value);
    return ERR_OK;
}

/* A number member (integer or real). */
static enum err_code jp_number(const struct jp *jp, json_t *obj, const char *name, double *out,
                               bool *present)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_number(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be a number");
    }
    *out = json_number_value(value);
    *present = true;
    return ERR_OK;
}

/* An object member; *out NULL when absent or null. */
static enum err_code jp_object(const struct jp *jp, json_t *obj, const char *name, json_t **out)
{
    json_t *value = json_object_get(obj, name);
    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_object(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be an object");
    }
    *out = value;
    return ERR_OK;
}

/* An array member of at most count_max items; *out NULL when absent or null. */
static enum err_code jp_array(const struct jp *jp, json_t *obj, const char *name, size_t count_max,
                              json_t **out)
{
    json_t *value = json_object_get(obj, name);
    *out = NULL;
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_array(value)) {
        return jp_fail(jp, ERR_INVALID, name, "must be an array");
    }
    if (json_array_size(value) > count_max) {
        return jp_fail(jp, ERR_INVALID, name, "must have at most %zu items, got %zu", count_max,
                       json_array_size(value));
    }
    *out = value;
    return ERR_OK;
}

/* A required member: fails when absent or null. */
static enum err_code jp_require(const struct jp *jp, json_t *obj, const char *name)
{
    json_t *value = json_object_get(obj, name);
    if (value == NULL || json_is_null(value)) {
        return jp_fail(jp, ERR_INVALID, name, "is required");
    }
    return ERR_OK;
}

/*
 * Parses the whole body. Empty bodies read as {} when empty_is_object (actions without
 * arguments). The caller owns the returned reference.
 */
static enum err_code jp_load(const char *body, size_t len, bool empty_is_object, json_t **out,
                             struct err *err)
{
    json_error_t jerr;
    *out = NULL;
    if (len == 0 && empty_is_object) {
        body = "{}";
        len = 2;
    }
    if (body == NULL) {
        body = "";
    }
    size_t flags = JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_REJECT_DUPLICATES;
    json_t *root = json_loadb(body, len, flags, &jerr);
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

/* ---- addresses ----------------------------------------------------------------------------- */

/* lat and lon come together (or patch coordinates that already exist). */
static enum err_code address_coords(const struct jp *jp, json_t *obj, struct address *address)
{
    bool has_lat = false;
    bool has_lon = false;
    double lat = address->lat;
    double lon = address->lon;
    enum err_code code = jp_number(jp, obj, "lat", &lat, &has_lat);
    if (code == ERR_OK) {
        code = jp_number(jp, obj, "lon", &lon, &has_lon);
    }
    if (code != ERR_OK || (!has_lat && !has_lon)) {
        return code;
    }
    if ((!has_lat || !has_lon) && !address->has_coords) {
        return jp_fail(jp, ERR_INVALID, has_lat ? "lon" : "lat", "is required with %s",
                       has_lat ? "lat" : "lon");
    }
    address->lat = lat;
    address->lon = lon;
    address->has_coords = true;
    return ERR_OK;
}

/* The address in member name: fields present overwrite, null removes the whole address. */
static enum err_code parse_address(const struct jp *parent, json_t *root, const char *name,
                                   struct address *address)
{
    json_t *obj = json_object_get(root, name);
    if (obj == NULL) {
        return ERR_OK;
    }
    if (json_is_null(obj)) {
        memset(address, 0, sizeof(*address));
        return ERR_OK;
    }
    if (!json_is_object(obj)) {
        return jp_fail(parent, ERR_INVALID, name, "must be an object");
    }
    struct jp jp;
    jp_child(&jp, parent, name);
    address->present = true;
    enum err_code code = jp_string(&jp, obj, "name", ADDRESS_FIELD_LEN_MAX, &address->name);
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "company", ADDRESS_FIELD_LEN_MAX, &address->company);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "line1", ADDRESS_FIELD_LEN_MAX, &address->line1);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "line2", ADDRESS_FIELD_LEN_MAX, &address->line2);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "city", ADDRESS_FIELD_LEN_MAX, &address->city);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "region", ADDRESS_FIELD_LEN_MAX, &address->region);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "postal_code", POSTAL_CODE_LEN_MAX, &address->postal_code);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "country", ADDRESS_FIELD_LEN_MAX, &address->country);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "phone", ADDRESS_FIELD_LEN_MAX, &address->phone);
    }
    if (code == ERR_OK) {
        code = address_coords(&jp, obj, address);
    }
    return code;
}

/* ---- orders -------------------------------------------------------------------------------- */

/*
 * True when compact JSON text holds an escaped NUL ("\u0000" after an odd run of
 * backslashes; an even run is an escaped backslash followed by plain text).
 */
static bool json_text_has_nul(const char *text, size_t len)
{
    const char *p = text;
    const char *end = text + len;
    for (size_t guard = 0; guard < len; guard++) {
        const char *hit = memmem(p, (size_t)(end - p), "u0000", 5);
        if (hit == NULL) {
            return false;
        }
        size_t pos = (size_t)(hit - text);
        size_t backslashes = 0;
        while (backslashes < pos && text[pos - backslashes - 1] == '\\') {
            backslashes++;
        }
        if (backslashes % 2 == 1) {
            return true;
        }
        p = hit + 5;
    }
    return false;
}

/* Any JSON object, kept as its compact text; no string in it may hold a NUL. */
static enum err_code line_customization(const struct jp *jp, json_t *obj, struct order_line *line)
{
    json_t *value = json_object_get(obj, "customization");
    if (value == NULL || json_is_null(value)) {
        return ERR_OK;
    }
    if (!json_is_object(value)) {
        return jp_fail(jp, ERR_INVALID, "customization", "must be an object");
    }
    char *text = json_dumps(value, JSON_COMPACT);
    if (text == NULL) {
        return jp_nomem(jp);
    }
    size_t len = strlen(text);
    enum err_code code = ERR_OK;
    if (len > CUSTOMIZATION_BYTES_MAX) {
        code = jp_fail(jp, ERR_INVALID, "customization", "must be at most %d bytes, got %zu",
                       CUSTOMIZATION_BYTES_MAX, len);
    } else if (json_text_has_nul(text, len)) {
        code = jp_fail(jp, ERR_INVALID, "customization", "must not contain NUL characters");
    } else {
        line->customization_json = arena_strndup(jp->arena, text, len);
        code = line->customization_json == NULL ? jp_nomem(jp) : ERR_OK;
    }
    free(text);
    return code;
}

static enum err_code order_line(const struct jp *jp, json_t *obj, size_t index,
                                struct order_line *line)
{
    if (!json_is_object(obj)) {
        return jp_fail(jp, ERR_INVALID, NULL, "must be an object");
    }
    line->line_no = (int)(index + 1);
    enum err_code code = jp_string(jp, obj, "sku", SKU_LEN_MAX, &line->sku);
    if (code == ERR_OK) {
        code = jp_int(jp, obj, "qty", &line->qty, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, obj, "unit_price", &line->unit_price, &line->unit_price_given);
    }
    if (code == ERR_OK) {
        code = line_customization(jp, obj, line);
    }
    return code;
}

static enum err_code order_lines(const struct jp *jp, json_t *root, struct order *out)
{
    json_t *array = NULL;
    enum err_code code = jp_array(jp, root, "lines", ORDER_LINES_MAX, &array);
    if (code != ERR_OK || array == NULL || json_array_size(array) == 0) {
        return code; /* no lines: order_validate names the field */
    }
    size_t count = json_array_size(array);
    out->lines = ARENA_NEW_ARRAY(jp->arena, struct order_line, count);
    if (out->lines == NULL) {
        return jp_nomem(jp);
    }
    out->lines_count = count;
    for (size_t i = 0; i < count; i++) {
        struct jp item;
        jp_item(&item, jp, "lines", i);
        code = order_line(&item, json_array_get(array, i), i, &out->lines[i]);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code order_customer(const struct jp *parent, json_t *root, struct order *out)
{
    json_t *obj = NULL;
    enum err_code code = jp_object(parent, root, "customer", &obj);
    if (code != ERR_OK || obj == NULL) {
        return code;
    }
    struct jp jp;
    jp_child(&jp, parent, "customer");
    const char *type = NULL;
    const char *phone = NULL; /* checked, not kept: struct order has no customer phone yet */
    code = jp_string(&jp, obj, "email", EMAIL_LEN_MAX, &out->customer_email);
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "name", NAME_LEN_MAX, &out->customer_name);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "phone", ADDRESS_FIELD_LEN_MAX, &phone);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "type", CODE_LEN_MAX, &type);
    }
    if (code == ERR_OK && type != NULL && !customer_type_parse(type, &out->customer_type)) {
        code = jp_fail(&jp, ERR_INVALID, "type", "must be consumer or business, got \"%s\"", type);
    }
    return code;
}

static enum err_code order_fulfillment(const struct jp *parent, json_t *root, struct order *out)
{
    json_t *obj = NULL;
    enum err_code code = jp_object(parent, root, "fulfillment", &obj);
    if (code != ERR_OK || obj == NULL) {
        return code;
    }
    struct jp jp;
    jp_child(&jp, parent, "fulfillment");
    const char *method = NULL;
    const char *date = NULL;
    code = jp_string(&jp, obj, "method", CODE_LEN_MAX, &method);
    if (code == ERR_OK && method != NULL && !fulfillment_method_parse(method, &out->method)) {
        code = jp_fail(&jp, ERR_INVALID, "method", "must be ship, pickup or delivery, got \"%s\"",
                       method);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "location", CODE_LEN_MAX, &out->pickup_location);
    }
    if (code == ERR_OK) { /* routing: BOPIS ship-to-store */
        code = jp_bool(&jp, obj, "allow_transfer", &out->allow_transfer);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "date", DATE_DAY_LEN, &date);
    }
    if (code == ERR_OK && date != NULL && date_parse_day(date, &out->delivery_day) != ERR_OK) {
        code = jp_fail(&jp, ERR_INVALID, "date", "must be a date YYYY-MM-DD, got \"%s\"", date);
    }
    return code;
}

static enum err_code order_payment(const struct jp *parent, json_t *root, struct order *out)
{
    json_t *obj = NULL;
    enum err_code code = jp_object(parent, root, "payment", &obj);
    if (code != ERR_OK || obj == NULL) {
        return code;
    }
    struct jp jp;
    jp_child(&jp, parent, "payment");
    code = jp_string(&jp, obj, "provider", CODE_LEN_MAX, &out->payment_provider);
    if (code == ERR_OK && out->payment_provider == NULL) {
        out->payment_provider = "manual";
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, obj, "card", PAYMENT_CARD_LEN_MAX, &out->payment_card); /* payments */
    }
    return code;
}

/* The enumerations and times given as strings at the top level. */
static enum err_code order_named_values(const struct jp *jp, json_t *root, struct order *out)
{
    const char *policy = NULL;
    const char *promised = NULL;
    enum err_code code = jp_string(jp, root, "ship_policy", CODE_LEN_MAX, &policy);
    if (code == ERR_OK && policy != NULL && !ship_policy_parse(policy, &out->ship_policy)) {
        code = jp_fail(jp, ERR_INVALID, "ship_policy",
                       "must be allow_split or ship_complete, got \"%s\"", policy);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "promised_ship_by", DATE_RFC3339_LEN, &promised);
    }
    if (code == ERR_OK && promised != NULL) {
        if (date_parse_rfc3339(promised, &out->promised_ship_by_ms) != ERR_OK) {
            return jp_fail(jp, ERR_INVALID, "promised_ship_by",
                           "must be an RFC 3339 time, got \"%s\"", promised);
        }
        out->promised_ship_by_given = true;
    }
    if (code == ERR_OK) { /* routing: the order's own limit on shipments */
        code = jp_int(jp, root, "max_shipments", &out->max_shipments, &out->max_shipments_given);
    }
    return code;
}

static enum err_code order_scalars(const struct jp *jp, json_t *root, struct order *out)
{
    enum err_code code = jp_string(jp, root, "channel", CODE_LEN_MAX, &out->channel);
    if (code == ERR_OK) {
        code = jp_string(jp, root, "external_id", EXTERNAL_ID_LEN_MAX, &out->external_id);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "currency", PARSE_CURRENCY_LEN_MAX, &out->currency);
    }
    if (code == ERR_OK) {
        code = jp_bool(jp, root, "backorder", &out->backorder);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "shipping_price", &out->totals.shipping, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "tax", &out->totals.tax, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "discount", &out->totals.discount, NULL);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "notes", NOTES_LEN_MAX, &out->notes);
    }
    if (code == ERR_OK) {
        code = order_named_values(jp, root, out);
    }
    return code;
}

enum err_code http_parse_order(const char *body, size_t len, struct arena *arena, struct order *out,
                               struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    ASSERT(err != NULL);
    memset(out, 0, sizeof(*out));
    out->payment_provider = "manual";
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = order_scalars(&jp, root, out);
    if (code == ERR_OK) {
        code = order_customer(&jp, root, out);
    }
    if (code == ERR_OK) {
        code = order_lines(&jp, root, out);
    }
    if (code == ERR_OK) {
        code = parse_address(&jp, root, "shipping_address", &out->shipping_address);
    }
    if (code == ERR_OK) {
        code = parse_address(&jp, root, "billing_address", &out->billing_address);
    }
    if (code == ERR_OK) {
        code = order_fulfillment(&jp, root, out);
    }
    if (code == ERR_OK) {
        code = order_payment(&jp, root, out);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "hold_id", ID_LEN_MAX, &out->hold_id); /* holds (issue 3) */
    }
    json_decref(root);
    if (code == ERR_OK) {
        code = order_validate(out, err);
    }
    return code;
}

/* ---- locations ----------------------------------------------------------------------------- */

/* "capabilities": ["ship", "pickup"] replaces the set. */
static enum err_code location_capabilities(const struct jp *jp, json_t *root,
                                           struct location *location)
{
    json_t *array = NULL;
    enum err_code code = jp_array(jp, root, "capabilities", PARSE_CAPABILITIES_MAX, &array);
    if (code != ERR_OK || array == NULL) {
        return code;
    }
    unsigned bits = 0;
    for (size_t i = 0; i < json_array_size(array); i++) {
        struct jp item;
        jp_item(&item, jp, "capabilities", i);
        json_t *value = json_array_get(array, i);
        const char *name = NULL;
        unsigned bit = 0;
        if (!json_is_string(value)) {
            return jp_fail(&item, ERR_INVALID, NULL, "must be a string");
        }
        code = jp_string_value(&item, value, NULL, CODE_LEN_MAX, &name);
        if (code != ERR_OK) {
            return code;
        }
        if (!location_capability_parse(name, &bit)) {
            return jp_fail(&item, ERR_INVALID, NULL,
                           "must be ship, pickup, return, dropship or assemble, got \"%s\"", name);
        }
        bits |= bit;
    }
    location->capabilities = bits;
    return ERR_OK;
}

/* "cutoff_time": "HH:MM" (UTC) into a minute of the day. */
static enum err_code location_cutoff(const struct jp *jp, json_t *root, struct location *location)
{
    const char *text = NULL;
    enum err_code code = jp_string(jp, root, "cutoff_time", CODE_LEN_MAX, &text);
    if (code != ERR_OK || text == NULL) {
        return code;
    }
    bool ok = strlen(text) == 5 && text[2] == ':';
    for (size_t i = 0; ok && i < 5; i++) {
        ok = i == 2 || (text[i] >= '0' && text[i] <= '9');
    }
    int hours = ok ? (text[0] - '0') * 10 + (text[1] - '0') : 0;
    int minutes = ok ? (text[3] - '0') * 10 + (text[4] - '0') : 0;
    if (!ok || hours > 23 || minutes > 59) {
        return jp_fail(jp, ERR_INVALID, "cutoff_time", "must be a time HH:MM, got \"%s\"", text);
    }
    location->cutoff_minute = hours * 60 + minutes;
    return ERR_OK;
}

static enum err_code location_kind_field(const struct jp *jp, json_t *root,
                                         struct location *location)
{
    const char *kind = NULL;
    enum err_code code = jp_string(jp, root, "kind", CODE_LEN_MAX, &kind);
    if (code == ERR_OK && kind != NULL && !location_kind_parse(kind, &location->kind)) {
        code = jp_fail(jp, ERR_INVALID, "kind",
                       "must be warehouse, store, supplier, customer_site or crossdock, "
                       "got \"%s\"",
                       kind);
    }
    return code;
}

/* hold_days: 1..PICKUP_HOLD_DAYS_MAX; absent keeps what is there (0 means the default). */
static enum err_code location_hold_days_field(const struct jp *jp, json_t *root,
                                              struct location *location)
{
    int days = location_hold_days(location);
    enum err_code code = jp_int_range(jp, root, "hold_days", 1, PICKUP_HOLD_DAYS_MAX, &days);
    if (code == ERR_OK && json_object_get(root, "hold_days") != NULL &&
        !json_is_null(json_object_get(root, "hold_days"))) {
        location->hold_days = days;
    }
    return code;
}

static enum err_code location_fields(const struct jp *jp, json_t *root, struct location *location)
{
    enum err_code code = jp_string(jp, root, "code", CODE_LEN_MAX, &location->code);
    if (code == ERR_OK) {
        code = jp_string(jp, root, "name", NAME_LEN_MAX, &location->name);
    }
    if (code == ERR_OK) {
        code = location_kind_field(jp, root, location);
    }
    if (code == ERR_OK) {
        code = parse_address(jp, root, "address", &location->address);
    }
    if (code == ERR_OK) {
        code = location_capabilities(jp, root, location);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "capacity_per_day", &location->capacity_per_day, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "handling_cost", &location->handling_cost, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "priority", &location->priority, NULL);
    }
    if (code == ERR_OK) {
        code = jp_bool(jp, root, "active", &location->active);
    }
    if (code == ERR_OK) {
        code = location_cutoff(jp, root, location);
    }
    if (code == ERR_OK) {
        code =
            jp_int_range(jp, root, "handling_days", 0, HANDLING_DAYS_MAX, &location->handling_days);
    }
    if (code == ERR_OK) {
        code = location_hold_days_field(jp, root, location);
    }
    return code;
}

enum err_code http_parse_location(const char *body, size_t len, struct arena *arena,
                                  struct location *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = location_fields(&jp, root, inout);
    json_decref(root);
    return code;
}

/* ---- products ------------------------------------------------------------------------------ */

static enum err_code product_components(const struct jp *jp, json_t *root, struct product *product)
{
    json_t *array = NULL;
    enum err_code code = jp_array(jp, root, "components", KIT_COMPONENTS_MAX, &array);
    if (code != ERR_OK || array == NULL) {
        return code;
    }
    size_t count = json_array_size(array);
    struct kit_component *components = ARENA_NEW_ARRAY(jp->arena, struct kit_component, count);
    if (components == NULL) {
        return jp_nomem(jp);
    }
    for (size_t i = 0; i < count; i++) {
        struct jp item;
        jp_item(&item, jp, "components", i);
        json_t *obj = json_array_get(array, i);
        if (!json_is_object(obj)) {
            return jp_fail(&item, ERR_INVALID, NULL, "must be an object");
        }
        code = jp_string(&item, obj, "sku", SKU_LEN_MAX, &components[i].sku);
        if (code == ERR_OK) {
            code = jp_int(&item, obj, "qty", &components[i].qty, NULL);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    product->components = components;
    product->components_count = count;
    return ERR_OK;
}

static enum err_code product_kind_field(const struct jp *jp, json_t *root, struct product *product)
{
    const char *kind = NULL;
    enum err_code code = jp_string(jp, root, "kind", CODE_LEN_MAX, &kind);
    if (code != ERR_OK) {
        return code;
    }
    if (kind == NULL) {
        /* Components without a kind can only mean a kit. */
        if (json_array_size(json_object_get(root, "components")) > 0) {
            product->kind = PRODUCT_KIND_KIT;
        }
        return ERR_OK;
    }
    if (!product_kind_parse(kind, &product->kind)) {
        return jp_fail(jp, ERR_INVALID, "kind", "must be simple or kit, got \"%s\"", kind);
    }
    return ERR_OK;
}

static enum err_code product_fields(const struct jp *jp, json_t *root, struct product *product)
{
    enum err_code code = jp_string(jp, root, "sku", SKU_LEN_MAX, &product->sku);
    if (code == ERR_OK) {
        code = jp_string(jp, root, "name", NAME_LEN_MAX, &product->name);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "price", &product->price, NULL);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "currency", PARSE_CURRENCY_LEN_MAX, &product->currency);
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "weight_grams", &product->weight_grams, NULL);
    }
    if (code == ERR_OK) {
        code = product_components(jp, root, product);
    }
    if (code == ERR_OK) {
        code = product_kind_field(jp, root, product);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "dropship_supplier", CODE_LEN_MAX, &product->dropship_supplier);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "bin_location", SKU_LEN_MAX, &product->bin_location);
    }
    if (code == ERR_OK) {
        code = jp_bool(jp, root, "customizable", &product->customizable);
    }
    if (code == ERR_OK) {
        code = jp_bool(jp, root, "active", &product->active);
    }
    return code;
}

enum err_code http_parse_product(const char *body, size_t len, struct arena *arena,
                                 struct product *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = product_fields(&jp, root, inout);
    json_decref(root);
    return code;
}

/* ---- channels and customers ---------------------------------------------------------------- */

enum err_code http_parse_channel(const char *body, size_t len, struct arena *arena,
                                 struct channel *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "code", CODE_LEN_MAX, &inout->code);
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "kind", CODE_LEN_MAX, &inout->kind);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "name", NAME_LEN_MAX, &inout->name);
    }
    json_decref(root);
    return code;
}

/* credit_limit: an integer sets it, null removes it. */
static enum err_code customer_credit(const struct jp *jp, json_t *root, struct customer *customer)
{
    json_t *value = json_object_get(root, "credit_limit");
    if (value != NULL && json_is_null(value)) {
        customer->has_credit_limit = false;
        customer->credit_limit = 0;
        return ERR_OK;
    }
    return jp_int(jp, root, "credit_limit", &customer->credit_limit, &customer->has_credit_limit);
}

static enum err_code customer_fields(const struct jp *jp, json_t *root, struct customer *customer)
{
    const char *type = NULL;
    enum err_code code = jp_string(jp, root, "email", EMAIL_LEN_MAX, &customer->email);
    if (code == ERR_OK) {
        code = jp_string(jp, root, "name", NAME_LEN_MAX, &customer->name);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "phone", ADDRESS_FIELD_LEN_MAX, &customer->phone);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "type", CODE_LEN_MAX, &type);
    }
    if (code == ERR_OK && type != NULL && !customer_type_parse(type, &customer->type)) {
        code = jp_fail(jp, ERR_INVALID, "type", "must be consumer or business, got \"%s\"", type);
    }
    if (code == ERR_OK) {
        code = jp_int_range(jp, root, "payment_terms_days", 0, PAYMENT_TERMS_DAYS_MAX,
                            &customer->payment_terms_days);
    }
    if (code == ERR_OK) {
        code = customer_credit(jp, root, customer);
    }
    return code;
}

enum err_code http_parse_customer(const char *body, size_t len, struct arena *arena,
                                  struct customer *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = customer_fields(&jp, root, inout);
    json_decref(root);
    return code;
}

/* ---- inventory ----------------------------------------------------------------------------- */

enum err_code http_parse_inventory_count(const char *body, size_t len, struct arena *arena,
                                         struct http_inventory_count *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_require(&jp, root, "on_hand");
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "on_hand", &out->on_hand, NULL);
    }
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "safety_stock", &out->safety_stock, &out->has_safety);
    }
    json_decref(root);
    return code;
}

static enum err_code adjustment_fields(const struct jp *jp, json_t *root,
                                       struct http_adjustment *out)
{
    enum err_code code = jp_require(jp, root, "sku");
    if (code == ERR_OK) {
        code = jp_string(jp, root, "sku", SKU_LEN_MAX, &out->sku);
    }
    if (code == ERR_OK) {
        code = jp_require(jp, root, "location");
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "location", CODE_LEN_MAX, &out->location);
    }
    if (code == ERR_OK) {
        code = jp_require(jp, root, "delta");
    }
    if (code == ERR_OK) {
        code = jp_int(jp, root, "delta", &out->delta, NULL);
    }
    if (code == ERR_OK) {
        code = jp_string(jp, root, "reason", REASON_LEN_MAX, &out->reason);
    }
    return code;
}

enum err_code http_parse_adjustment(const char *body, size_t len, struct arena *arena,
                                    struct http_adjustment *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = adjustment_fields(&jp, root, out);
    json_decref(root);
    return code;
}

/* ---- order actions ------------------------------------------------------------------------- */

/* An array of {"<id>": string, "qty": integer} objects, as cancels and short picks send. */
struct jp_pairs_spec {
    const char *array; /* the array's key */
    const char *id;    /* the string member's key */
    size_t id_len_max;
};

struct jp_pair {
    const char *id;
    int64_t qty;
};

/* Reads the pairs into an arena array; *count 0 when the array is absent or empty. */
static enum err_code jp_pairs(const struct jp *jp, json_t *root, const struct jp_pairs_spec *spec,
                              struct jp_pair **out, size_t *count)
{
    *out = NULL;
    *count = 0;
    json_t *array = NULL;
    enum err_code code = jp_array(jp, root, spec->array, ORDER_LINES_MAX, &array);
    if (code != ERR_OK || array == NULL || json_array_size(array) == 0) {
        return code;
    }
    size_t n = json_array_size(array);
    struct jp_pair *pairs = ARENA_NEW_ARRAY(jp->arena, struct jp_pair, n);
    if (pairs == NULL) {
        return jp_nomem(jp);
    }
    for (size_t i = 0; i < n; i++) {
        struct jp item;
        jp_item(&item, jp, spec->array, i);
        json_t *obj = json_array_get(array, i);
        if (!json_is_object(obj)) {
            return jp_fail(&item, ERR_INVALID, NULL, "must be an object");
        }
        code = jp_require(&item, obj, spec->id);
        if (code == ERR_OK) {
            code = jp_string(&item, obj, spec->id, spec->id_len_max, &pairs[i].id);
        }
        if (code == ERR_OK) {
            code = jp_require(&item, obj, "qty");
        }
        if (code == ERR_OK) {
            code = jp_int(&item, obj, "qty", &pairs[i].qty, NULL);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    *out = pairs;
    *count = n;
    return ERR_OK;
}

static enum err_code cancel_lines(const struct jp *jp, json_t *root, struct http_cancel *out)
{
    static const struct jp_pairs_spec spec = {"lines", "line_id", ID_LEN_MAX - 1};
    struct jp_pair *pairs = NULL;
    size_t count = 0;
    enum err_code code = jp_pairs(jp, root, &spec, &pairs, &count);
    if (code != ERR_OK || count == 0) {
        return code;
    }
    out->lines = ARENA_NEW_ARRAY(jp->arena, struct app_cancel_line, count);
    if (out->lines == NULL) {
        return jp_nomem(jp);
    }
    for (size_t i = 0; i < count; i++) {
        out->lines[i] = (struct app_cancel_line){.line_id = pairs[i].id, .qty = pairs[i].qty};
    }
    out->lines_count = count;
    return ERR_OK;
}

enum err_code http_parse_cancel(const char *body, size_t len, struct arena *arena,
                                struct http_cancel *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "reason", REASON_LEN_MAX, &out->reason);
    if (code == ERR_OK) {
        code = cancel_lines(&jp, root, out);
    }
    json_decref(root);
    return code;
}

enum err_code http_parse_hold(const char *body, size_t len, struct arena *arena,
                              const char **reason_out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(reason_out != NULL);
    *reason_out = NULL;
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "reason", REASON_LEN_MAX, reason_out);
    json_decref(root);
    return code;
}

/* ---- fulfillment --------------------------------------------------------------------------- */

enum err_code http_parse_pack(const char *body, size_t len, struct arena *arena,
                              struct http_pack *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    json_t *array = NULL;
    code = jp_require(&jp, root, "packages");
    if (code == ERR_OK) {
        code = jp_array(&jp, root, "packages", PACKAGES_MAX, &array);
    }
    size_t count = array != NULL ? json_array_size(array) : 0;
    out->weights_grams = ARENA_NEW_ARRAY(arena, int64_t, count > 0 ? count : 1);
    if (code == ERR_OK && out->weights_grams == NULL) {
        code = jp_nomem(&jp);
    }
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        struct jp item;
        jp_item(&item, &jp, "packages", i);
        json_t *obj = json_array_get(array, i);
        if (!json_is_object(obj)) {
            code = jp_fail(&item, ERR_INVALID, NULL, "must be an object");
            break;
        }
        code = jp_require(&item, obj, "weight_grams");
        if (code == ERR_OK) {
            code = jp_int(&item, obj, "weight_grams", &out->weights_grams[i], NULL);
        }
    }
    out->packages_count = count;
    json_decref(root);
    return code;
}

enum err_code http_parse_ship(const char *body, size_t len, struct arena *arena,
                              struct app_ship *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "carrier", CODE_LEN_MAX, &out->carrier);
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "service", CODE_LEN_MAX, &out->service);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "tracking_number", EXTERNAL_ID_LEN_MAX, &out->tracking_number);
    }
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "cost", &out->cost, NULL);
    }
    json_decref(root);
    return code;
}

enum err_code http_parse_pickup(const char *body, size_t len, struct arena *arena,
                                const char **code_out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(code_out != NULL);
    *code_out = NULL;
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "pickup_code", CODE_LEN_MAX, code_out);
    json_decref(root);
    return code;
}

enum err_code http_parse_pick_list(const char *body, size_t len, struct arena *arena,
                                   struct app_pick_list_input *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    int max_shipments = PAGE_LIMIT_DEFAULT;
    code = jp_require(&jp, root, "location");
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "location", CODE_LEN_MAX, &out->location);
    }
    if (code == ERR_OK) {
        code = jp_int_range(&jp, root, "max_shipments", 1, PICK_LIST_SHIPMENTS_MAX, &max_shipments);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "picker", NAME_LEN_MAX, &out->picker);
    }
    out->max_shipments = (size_t)max_shipments;
    json_decref(root);
    return code;
}

/* "short": [{"sku", "qty"}] of a pick list completion. */
static enum err_code pick_shorts(const struct jp *jp, json_t *root, struct http_pick_complete *out)
{
    static const struct jp_pairs_spec spec = {"short", "sku", SKU_LEN_MAX};
    struct jp_pair *pairs = NULL;
    size_t count = 0;
    enum err_code code = jp_pairs(jp, root, &spec, &pairs, &count);
    if (code != ERR_OK || count == 0) {
        return code;
    }
    out->shorts = ARENA_NEW_ARRAY(jp->arena, struct app_pick_short, count);
    if (out->shorts == NULL) {
        return jp_nomem(jp);
    }
    for (size_t i = 0; i < count; i++) {
        out->shorts[i] = (struct app_pick_short){.sku = pairs[i].id, .qty = pairs[i].qty};
    }
    out->shorts_count = count;
    return ERR_OK;
}

enum err_code http_parse_pick_complete(const char *body, size_t len, struct arena *arena,
                                       struct http_pick_complete *out, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "picker", NAME_LEN_MAX, &out->picker);
    if (code == ERR_OK) {
        code = pick_shorts(&jp, root, out);
    }
    json_decref(root);
    return code;
}

/* ---- query values -------------------------------------------------------------------------- */

enum err_code http_parse_time_bound(const char *text, bool end_of_day, const char *field,
                                    int64_t *ms_out, struct err *err)
{
    ASSERT(text != NULL);
    ASSERT(ms_out != NULL);
    int64_t day = 0;
    if (strlen(text) == 10 && date_parse_day(text, &day) == ERR_OK) {
        *ms_out = day * DATE_MS_PER_DAY + (end_of_day ? DATE_MS_PER_DAY - 1 : 0);
        return ERR_OK;
    }
    if (date_parse_rfc3339(text, ms_out) == ERR_OK) {
        return ERR_OK;
    }
    return err_set(err, ERR_INVALID, field, "%s must be an RFC 3339 time or a date YYYY-MM-DD",
                   field);
}

/* ---- metrics inputs -------------------------------------------------------------------------- */

enum err_code http_parse_traffic(const char *body, size_t len, struct arena *arena,
                                 struct app_traffic_input *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "date", CODE_LEN_MAX, &inout->date);
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "visitors", &inout->visitors, &inout->has_visitors);
    }
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "carts_created", &inout->carts_created, &inout->has_carts_created);
    }
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "carts_abandoned", &inout->carts_abandoned,
                      &inout->has_carts_abandoned);
    }
    json_decref(root);
    return code;
}

enum err_code http_parse_cost(const char *body, size_t len, struct arena *arena,
                              struct app_cost_input *inout, struct err *err)
{
    ASSERT(arena != NULL);
    ASSERT(inout != NULL);
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_string(&jp, root, "date", CODE_LEN_MAX, &inout->date);
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "location", CODE_LEN_MAX, &inout->location);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "category", CODE_LEN_MAX, &inout->category);
    }
    if (code == ERR_OK) {
        code = jp_int(&jp, root, "amount", &inout->amount, &inout->has_amount);
    }
    json_decref(root);
    return code;
}

/* ---- payments, order edits and notes (README "Payments", "Order edits and notes") ---------- */

enum err_code http_parse_payment_input(const char *body, size_t len, struct arena *arena,
                                       struct app_payment_input *out, struct err *err)
{
    ASSERT(arena != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_require(&jp, root, "provider");
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "provider", CODE_LEN_MAX, &out->provider);
    }
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "card", PAYMENT_CARD_LEN_MAX, &out->card);
    }
    json_decref(root);
    return code;
}

enum err_code http_parse_release(const char *body, size_t len, struct arena *arena, bool *override,
                                 struct err *err)
{
    ASSERT(arena != NULL && override != NULL);
    *override = false;
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, true, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_bool(&jp, root, "override", override);
    json_decref(root);
    return code;
}

enum err_code http_parse_note(const char *body, size_t len, struct arena *arena,
                              const char **text_out, struct err *err)
{
    ASSERT(arena != NULL && text_out != NULL);
    *text_out = NULL;
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    code = jp_require(&jp, root, "text");
    if (code == ERR_OK) {
        code = jp_string(&jp, root, "text", NOTES_LEN_MAX, text_out);
    }
    json_decref(root);
    return code;
}

/* One item of "lines": {"line_id", "qty"} changes (qty 0 removes), {"sku", "qty"} adds. */
static enum err_code edit_line(const struct jp *jp, json_t *obj, struct app_edit_line *line)
{
    if (!json_is_object(obj)) {
        return jp_fail(jp, ERR_INVALID, NULL, "must be an object");
    }
    enum err_code code = jp_string(jp, obj, "line_id", ID_LEN_MAX, &line->line_id);
    if (code == ERR_OK) {
        code = jp_string(jp, obj, "sku", SKU_LEN_MAX, &line->sku);
    }
    if (code == ERR_OK && (line->line_id == NULL) == (line->sku == NULL)) {
        code = jp_fail(jp, ERR_INVALID, NULL, "must name either line_id or sku");
    }
    if (code == ERR_OK) {
        code = jp_require(jp, obj, "qty");
    }
    if (code == ERR_OK) {
        code = jp_int(jp, obj, "qty", &line->qty, NULL);
    }
    return code;
}

static enum err_code edit_lines(const struct jp *jp, json_t *root, struct app_order_edit *out)
{
    json_t *array = NULL;
    enum err_code code = jp_array(jp, root, "lines", ORDER_LINES_MAX, &array);
    if (code != ERR_OK || array == NULL) {
        return code;
    }
    size_t n = json_array_size(array);
    struct app_edit_line *lines = ARENA_NEW_ARRAY(jp->arena, struct app_edit_line, n);
    if (n > 0 && lines == NULL) {
        return jp_nomem(jp);
    }
    for (size_t i = 0; code == ERR_OK && i < n; i++) {
        struct jp item;
        jp_item(&item, jp, "lines", i);
        memset(&lines[i], 0, sizeof(lines[i]));
        code = edit_line(&item, json_array_get(array, i), &lines[i]);
    }
    out->lines = lines;
    out->lines_count = n;
    return code;
}

enum err_code http_parse_order_edit(const char *body, size_t len, struct arena *arena,
                                    struct app_order_edit *out, struct err *err)
{
    ASSERT(arena != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    json_t *root = NULL;
    enum err_code code = jp_load(body, len, false, &root, err);
    if (code != ERR_OK) {
        return code;
    }
    struct jp jp;
    jp_init(&jp, arena, err);
    json_t *address = json_object_get(root, "shipping_address");
    if (address != NULL && !json_is_object(address)) {
        code = jp_fail(&jp, ERR_INVALID, "shipping_address", "must be an object");
    }
    if (code == ERR_OK && address != NULL) {
        out->has_shipping_address = true;
        code = parse_address(&jp, root, "shipping_address", &out->shipping_address);
    }
    if (code == ERR_OK) {
        code = edit_lines(&jp, root, out);
    }
    json_t *payment = NULL;
    if (code == ERR_OK) {
        code = jp_object(&jp, root, "payment", &payment);
    }
    if (code == ERR_OK && payment != NULL) {
        struct jp child;
        jp_child(&child, &jp, "payment");
        code = jp_string(&child, payment, "card", PAYMENT_CARD_LEN_MAX, &out->payment_card);
    }
    if (code == ERR_OK && !out->has_shipping_address && out->lines_count == 0) {
        code = jp_fail(&jp, ERR_INVALID, NULL, "nothing to change: give shipping_address or lines");
    }
    json_decref(root);
    return code;
}
