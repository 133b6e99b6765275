/*
 * product.h — a catalog item: a simple SKU, or a kit whose availability derives from its
 * components; optionally drop-shipped by a supplier location.
 */
#ifndef ORDO_CORE_PRODUCT_H
#define ORDO_CORE_PRODUCT_H

#include "lib/base.h"
#include "lib/err.h"

enum product_kind { PRODUCT_KIND_SIMPLE, PRODUCT_KIND_KIT };

struct kit_component {
    int64_t product_row_id; /* store key of the component */
    const char *sku;
    int64_t qty; /* units of the component per kit, > 0 */
};

struct product {
    int64_t row_id;  /* store key, 0 before insert */
    const char *sku; /* unique, printable, no spaces, at most SKU_LEN_MAX */
    const char *name;
    int64_t price;        /* minor units of currency */
    const char *currency; /* ISO 4217 */
    int64_t weight_grams;
    enum product_kind kind;
    struct kit_component *components; /* kind == KIT only */
    size_t components_count;
    const char *dropship_supplier; /* location code, or NULL */
    const char *bin_location;      /* where it lives in a warehouse, or NULL */
    bool customizable;
    bool active;
    int64_t version;
    int64_t created_at_ms;
    int64_t updated_at_ms;
};

const char *product_kind_name(enum product_kind kind);
MUST_CHECK bool product_kind_parse(const char *name, enum product_kind *out);

/* True for 1..SKU_LEN_MAX printable ASCII characters without spaces or slashes. */
bool product_sku_is_valid(const char *sku);

/*
 * Validates a product as created: sku, name, price >= 0 and <= MONEY_AMOUNT_MAX, currency,
 * weight >= 0, kit has 1..KIT_COMPONENTS_MAX distinct components with qty > 0 and does not
 * contain itself; a simple product has no components.
 */
MUST_CHECK enum err_code product_validate(const struct product *product, struct err *err);

#endif
