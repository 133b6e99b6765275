/*
 * test_product.c — goal: SKU form and product validation, kits included, as the issue says.
 * Method: a valid simple product and kit, each broken one field at a time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/limits.h"
#include "core/product.h"

static struct kit_component components[KIT_COMPONENTS_MAX + 1];

static struct product tshirt(void)
{
    return (struct product){.sku = "TSHIRT-M-BLK",
                            .name = "T-shirt M black",
                            .price = 1999,
                            .currency = "USD",
                            .weight_grams = 180,
                            .kind = PRODUCT_KIND_SIMPLE,
                            .active = true};
}

static struct product gift_box(void)
{
    components[0] = (struct kit_component){.sku = "TSHIRT-M-BLK", .qty = 2};
    components[1] = (struct kit_component){.sku = "MUG", .qty = 1};
    struct product p = tshirt();
    p.sku = "GIFT-BOX";
    p.name = "Gift box";
    p.kind = PRODUCT_KIND_KIT;
    p.components = components;
    p.components_count = 2;
    return p;
}

static void expect_field(const struct product *p, const char *field)
{
    struct err err = {0};
    cr_expect_eq(product_validate(p, &err), ERR_INVALID, "on %s", field);
    cr_expect_str_eq(err.field, field);
}

Test(product, sku_form)
{
    cr_expect(product_sku_is_valid("TSHIRT-M-BLK"));
    cr_expect(product_sku_is_valid("a#1_2.3"));
    cr_expect(!product_sku_is_valid(""));
    cr_expect(!product_sku_is_valid(NULL));
    cr_expect(!product_sku_is_valid("T SHIRT"));
    cr_expect(!product_sku_is_valid("T/SHIRT"));
    cr_expect(!product_sku_is_valid("T\tSHIRT"));
    cr_expect(!product_sku_is_valid("caf\xc3\xa9"));
    char sku[SKU_LEN_MAX + 2];
    memset(sku, 'S', sizeof(sku) - 1);
    sku[sizeof(sku) - 1] = '\0';
    cr_expect(!product_sku_is_valid(sku));
    sku[SKU_LEN_MAX] = '\0';
    cr_expect(product_sku_is_valid(sku));
}

Test(product, kinds)
{
    enum product_kind kind;
    cr_expect(product_kind_parse("kit", &kind));
    cr_expect_eq(kind, PRODUCT_KIND_KIT);
    cr_expect(product_kind_parse("simple", &kind));
    cr_expect_eq(kind, PRODUCT_KIND_SIMPLE);
    cr_expect(!product_kind_parse("bundle", &kind));
    cr_expect_str_eq(product_kind_name(PRODUCT_KIND_KIT), "kit");
}

Test(product, simple_fields)
{
    struct err err = {0};
    struct product p = tshirt();
    cr_expect_eq(product_validate(&p, &err), ERR_OK, "%s", err.message);
    p.sku = "bad sku";
    expect_field(&p, "sku");
    p = tshirt();
    p.name = "";
    expect_field(&p, "name");
    p = tshirt();
    p.price = -1;
    expect_field(&p, "price");
    p.price = MONEY_AMOUNT_MAX + 1;
    expect_field(&p, "price");
    p = tshirt();
    p.currency = "XYZ";
    expect_field(&p, "currency");
    p.currency = NULL;
    expect_field(&p, "currency");
    p = tshirt();
    p.weight_grams = -1;
    expect_field(&p, "weight_grams");
    p = tshirt();
    p.kind = (enum product_kind)5;
    expect_field(&p, "kind");
    p = tshirt();
    p.components = components;
    p.components_count = 1;
    expect_field(&p, "components");
    p = tshirt();
    p.dropship_supplier = "SUP ACME";
    expect_field(&p, "dropship_supplier");
    p.dropship_supplier = "SUP-ACME";
    cr_expect_eq(product_validate(&p, &err), ERR_OK);
}

Test(product, kit_rules)
{
    struct err err = {0};
    struct product p = gift_box();
    cr_expect_eq(product_validate(&p, &err), ERR_OK, "%s", err.message);
    p.components_count = 0;
    expect_field(&p, "components");
    p = gift_box();
    p.components_count = KIT_COMPONENTS_MAX + 1;
    expect_field(&p, "components");
    p = gift_box();
    components[1].sku = "GIFT-BOX";
    expect_field(&p, "components[1].sku");
    p = gift_box();
    components[1].sku = "TSHIRT-M-BLK";
    expect_field(&p, "components[1].sku");
    cr_expect(strstr(err.message, "") != NULL);
    p = gift_box();
    components[0].qty = 0;
    expect_field(&p, "components[0].qty");
    p = gift_box();
    components[1].sku = "has space";
    expect_field(&p, "components[1].sku");
}

Test(product, kit_at_the_component_limit)
{
    static char skus[KIT_COMPONENTS_MAX][8];
    struct product p = gift_box();
    for (int i = 0; i < KIT_COMPONENTS_MAX; i++) {
        skus[i][0] = 'C';
        skus[i][1] = (char)('0' + i / 10);
        skus[i][2] = (char)('0' + i % 10);
        components[i] = (struct kit_component){.sku = skus[i], .qty = 1};
    }
    p.components_count = KIT_COMPONENTS_MAX;
    struct err err = {0};
    cr_expect_eq(product_validate(&p, &err), ERR_OK, "%s", err.message);
    components[KIT_COMPONENTS_MAX - 1].sku = skus[3];
    expect_field(&p, "components[31].sku");
}
