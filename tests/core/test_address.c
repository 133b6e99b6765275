/*
 * test_address.c — goal: address_validate accepts real addresses and names the part at fault
 * for every rule of the issue. Method: one valid address broken one part at a time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/address.h"
#include "core/limits.h"

static struct address boston(void)
{
    return (struct address){.name = "Ana Diaz",
                            .line1 = "5 Elm St",
                            .city = "Boston",
                            .region = "MA",
                            .postal_code = "02118",
                            .country = "US",
                            .present = true};
}

static void expect_field(const struct address *a, const char *field)
{
    struct err err = {0};
    cr_expect_eq(address_validate(a, "shipping_address", &err), ERR_INVALID, "on %s", field);
    cr_expect_str_eq(err.field, field);
}

Test(address, valid_ones)
{
    struct err err = {0};
    struct address a = boston();
    cr_expect_eq(address_validate(&a, "shipping_address", &err), ERR_OK);
    a.postal_code = "02118-1234";
    cr_expect_eq(address_validate(&a, "shipping_address", &err), ERR_OK);
    struct address fr = {
        .line1 = "1 rue de Rivoli", .city = "Paris", .country = "FR", .present = true};
    cr_expect_eq(address_validate(&fr, "address", &err), ERR_OK, "postal code optional outside US");
    fr.has_coords = true;
    fr.lat = 48.86;
    fr.lon = 2.35;
    cr_expect_eq(address_validate(&fr, "address", &err), ERR_OK);
    fr.city = "Zürich";
    cr_expect_eq(address_validate(&fr, "address", &err), ERR_OK, "UTF-8 is fine");
}

Test(address, absent)
{
    struct address a = {0};
    struct err err = {0};
    cr_expect_eq(address_validate(&a, "shipping_address", &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "shipping_address");
    cr_expect_str_eq(err.message, "address is required");
}

Test(address, each_part)
{
    struct address a = boston();
    a.line1 = NULL;
    expect_field(&a, "shipping_address.line1");
    a = boston();
    a.city = "";
    expect_field(&a, "shipping_address.city");
    a = boston();
    a.country = NULL;
    expect_field(&a, "shipping_address.country");
    a.country = "us";
    expect_field(&a, "shipping_address.country");
    a.country = "USA";
    expect_field(&a, "shipping_address.country");
    a = boston();
    a.postal_code = NULL;
    expect_field(&a, "shipping_address.postal_code");
    a.postal_code = "2118";
    expect_field(&a, "shipping_address.postal_code");
    a.postal_code = "0211A";
    expect_field(&a, "shipping_address.postal_code");
    a.postal_code = "02118-12";
    expect_field(&a, "shipping_address.postal_code");
    a.postal_code = "02118 1234";
    expect_field(&a, "shipping_address.postal_code");
    a.postal_code = "12345678901234567";
    expect_field(&a, "shipping_address.postal_code");
    a = boston();
    a.line2 = "Apt\n2";
    expect_field(&a, "shipping_address.line2");
}

Test(address, lengths)
{
    char name[NAME_LEN_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    struct address a = boston();
    a.name = name;
    expect_field(&a, "shipping_address.name");
    name[NAME_LEN_MAX] = '\0';
    struct err err = {0};
    cr_expect_eq(address_validate(&a, "shipping_address", &err), ERR_OK, "exactly the maximum");
    char line[ADDRESS_FIELD_LEN_MAX + 2];
    memset(line, 'l', sizeof(line) - 1);
    line[sizeof(line) - 1] = '\0';
    a = boston();
    a.company = line;
    expect_field(&a, "shipping_address.company");
    a = boston();
    a.phone = line;
    expect_field(&a, "shipping_address.phone");
}

Test(address, coordinates)
{
    struct address a = boston();
    a.has_coords = true;
    a.lat = 91;
    a.lon = 0;
    expect_field(&a, "shipping_address.lat");
    a.lat = 42;
    a.lon = -181;
    expect_field(&a, "shipping_address.lon");
    a.has_coords = false; /* ignored when absent */
    struct err err = {0};
    cr_expect_eq(address_validate(&a, "shipping_address", &err), ERR_OK);
}

Test(address, no_prefix)
{
    struct address a = boston();
    a.city = NULL;
    struct err err = {0};
    cr_expect_eq(address_validate(&a, "", &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "city");
}
