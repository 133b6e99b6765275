/*
 * product.c — the SKU form, product kinds and validation of a catalog item as created. A kit
 * is validated as a bill of materials (distinct components, positive quantities, not itself);
 * whether its components exist is the store's question, not this file's.
 */
#include "core/product.h"

#include <string.h>

#include "core/limits.h"
#include "core/location.h"
#include "core/money.h"
#include "lib/str.h"

#define PRODUCT_WEIGHT_GRAMS_MAX 100000000LL /* 100 t: anything heavier is a typo */

const char *product_kind_name(enum product_kind kind)
{
    ASSERT(kind == PRODUCT_KIND_SIMPLE || kind == PRODUCT_KIND_KIT);
    return kind == PRODUCT_KIND_KIT ? "kit" : "simple";
}

bool product_kind_parse(const char *name, enum product_kind *out)
{
    ASSERT(out != NULL);
    if (name != NULL && strcmp(name, "simple") == 0) {
        *out = PRODUCT_KIND_SIMPLE;
        return true;
    }
    if (name != NULL && strcmp(name, "kit") == 0) {
        *out = PRODUCT_KIND_KIT;
        return true;
    }
    return false;
}

bool product_sku_is_valid(const char *sku)
{
    if (sku == NULL) {
        return false;
    }
    size_t len = strlen(sku);
    if (len == 0 || len > SKU_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)sku[i];
        if (c <= 0x20 || c >= 0x7F || c == '/') {
            return false;
        }
    }
    return true;
}

/* Writes "components[<index>].<member>" into out. */
static void product_component_field(char *out, size_t out_size, size_t index, const char *member)
{
    ASSERT(out != NULL);
    ASSERT(out_size >= 48);
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0 && n < sizeof(digits));
    size_t used = str_copy(out, out_size, "components[");
    for (size_t i = 0; i < n && used + 1 < out_size; i++) {
        out[used++] = digits[n - 1 - i];
    }
    out[used] = '\0';
    used += str_copy(out + used, out_size - used, "].");
    if (used < out_size) {
        str_copy(out + used, out_size - used, member);
    }
}

static enum err_code product_check_component(const struct product *product, size_t index,
                                             struct err *err)
{
    ASSERT(product->components != NULL);
    ASSERT(index < product->components_count);
    const struct kit_component *component = &product->components[index];
    char field[ERR_FIELD_LEN_MAX];
    if (!product_sku_is_valid(component->sku)) {
        product_component_field(field, sizeof(field), index, "sku");
        return err_set(err, ERR_INVALID, field,
                       "component sku must be 1 to %d printable "
                       "characters without spaces or slashes",
                       SKU_LEN_MAX);
    }
    if (strcmp(component->sku, product->sku) == 0) {
        product_component_field(field, sizeof(field), index, "sku");
        return err_set(err, ERR_INVALID, field, "a kit cannot contain itself, got %s",
                       component->sku);
    }
    if (component->qty < 1 || component->qty > QTY_MAX) {
        product_component_field(field, sizeof(field), index, "qty");
        return err_set(err, ERR_INVALID, field, "quantity must be between 1 and %d, got %" PRId64,
                       QTY_MAX, component->qty);
    }
    for (size_t j = 0; j < index; j++) {
        if (strcmp(product->components[j].sku, component->sku) == 0) {
            product_component_field(field, sizeof(field), index, "sku");
            return err_set(err, ERR_INVALID, field, "component %s is listed twice", component->sku);
        }
    }
    return ERR_OK;
}

static enum err_code product_check_components(const struct product *product, struct err *err)
{
    ASSERT(product != NULL);
    ASSERT(product_sku_is_valid(product->sku));
    if (product->kind == PRODUCT_KIND_SIMPLE) {
        if (product->components_count != 0) {
            return err_set(err, ERR_INVALID, "components",
                           "a simple product has no components, got %zu",
                           product->components_count);
        }
        return ERR_OK;
    }
    if (product->components_count < 1 || product->components_count > KIT_COMPONENTS_MAX ||
        product->components == NULL) {
        return err_set(err, ERR_INVALID, "components",
                       "a kit needs between 1 and %d components, got %zu", KIT_COMPONENTS_MAX,
                       product->components_count);
    }
    for (size_t i = 0; i < product->components_count; i++) {
        enum err_code code = product_check_component(product, i, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code product_check_name(const struct product *product, struct err *err)
{
    ASSERT(product != NULL);
    ASSERT(err != NULL);
    size_t len = product->name == NULL ? 0 : strlen(product->name);
    if (len == 0 || len > NAME_LEN_MAX) {
        return err_set(err, ERR_INVALID, "name", "name must be 1 to %d bytes, got %zu",
                       NAME_LEN_MAX, len);
    }
    if (!str_is_clean_utf8(product->name, len)) {
        return err_set(err, ERR_INVALID, "name", "name must be UTF-8 without control characters");
    }
    if (product->bin_location != NULL &&
        (strlen(product->bin_location) > NAME_LEN_MAX ||
         !str_is_clean_utf8(product->bin_location, strlen(product->bin_location)))) {
        return err_set(err, ERR_INVALID, "bin_location",
                       "bin location must be at most %d bytes of UTF-8 text", NAME_LEN_MAX);
    }
    return ERR_OK;
}

enum err_code product_validate(const struct product *product, struct err *err)
{
    ASSERT(product != NULL);
    ASSERT(err != NULL);
    if (!product_sku_is_valid(product->sku)) {
        return err_set(err, ERR_INVALID, "sku",
                       "sku must be 1 to %d printable characters without spaces or slashes",
                       SKU_LEN_MAX);
    }
    enum err_code code = product_check_name(product, err);
    if (code != ERR_OK) {
        return code;
    }
    if (product->price < 0 || product->price > MONEY_AMOUNT_MAX) {
        return err_set(err, ERR_INVALID, "price", "price must be between 0 and %lld, got %" PRId64,
                       MONEY_AMOUNT_MAX, product->price);
    }
    if (!money_currency_is_valid(product->currency)) {
        return err_set(err, ERR_INVALID, "currency", "unknown currency %s",
                       product->currency == NULL ? "(none)" : product->currency);
    }
    if (product->weight_grams < 0 || product->weight_grams > PRODUCT_WEIGHT_GRAMS_MAX) {
        return err_set(err, ERR_INVALID, "weight_grams",
                       "weight must be between 0 and %lld grams, got %" PRId64,
                       PRODUCT_WEIGHT_GRAMS_MAX, product->weight_grams);
    }
    if (product->kind != PRODUCT_KIND_SIMPLE && product->kind != PRODUCT_KIND_KIT) {
        return err_set(err, ERR_INVALID, "kind", "unknown product kind %d", (int)product->kind);
    }
    if (product->dropship_supplier != NULL && !location_code_is_valid(product->dropship_supplier)) {
        return err_set(err, ERR_INVALID, "dropship_supplier",
                       "supplier must be a location code of 1 to %d characters", CODE_LEN_MAX);
    }
    return product_check_components(product, err);
}
