/*
 * test_location.c — goal: location names parse both ways and location_validate names the field
 * at fault for each rule. Method: one valid warehouse broken one field at a time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/limits.h"
#include "core/location.h"

static struct location dc_east(void)
{
    return (struct location){
        .code = "DC-EAST",
        .name = "Newark DC",
        .kind = LOCATION_KIND_WAREHOUSE,
        .address = {.line1 = "1 Port St",
                    .city = "Newark",
                    .region = "NJ",
                    .postal_code = "07114",
                    .country = "US",
                    .lat = 40.70,
                    .lon = -74.17,
                    .has_coords = true,
                    .present = true},
        .capabilities = LOCATION_CAP_SHIP | LOCATION_CAP_RETURN,
        .capacity_per_day = 5000,
        .handling_cost = 150,
        .priority = 10,
        .active = true,
        .cutoff_minute = LOCATION_CUTOFF_MINUTE_DEFAULT,
        .handling_days = 0,
    };
}

static void expect_field(const struct location *l, const char *field)
{
    struct err err = {0};
    cr_expect_eq(location_validate(l, &err), ERR_INVALID, "on %s", field);
    cr_expect_str_eq(err.field, field);
}

Test(location, names_round_trip)
{
    static const char *const kinds[] = {"warehouse", "store", "supplier", "customer_site",
                                        "crossdock"};
    for (int i = 0; i < LOCATION_KIND_COUNT; i++) {
        cr_expect_str_eq(location_kind_name((enum location_kind)i), kinds[i]);
        enum location_kind kind = LOCATION_KIND_COUNT;
        cr_expect(location_kind_parse(kinds[i], &kind));
        cr_expect_eq(kind, (enum location_kind)i);
    }
    enum location_kind kind;
    cr_expect(!location_kind_parse("depot", &kind));
    static const char *const caps[] = {"ship", "pickup", "return", "dropship", "assemble"};
    unsigned all = 0;
    for (size_t i = 0; i < ARRAY_LEN(caps); i++) {
        unsigned bit = 0;
        cr_expect(location_capability_parse(caps[i], &bit));
        cr_expect_str_eq(location_capability_name(bit), caps[i]);
        all |= bit;
    }
    cr_expect_eq(all, LOCATION_CAP_ALL);
    unsigned bit;
    cr_expect(!location_capability_parse("fly", &bit));
    cr_expect(!location_capability_parse(NULL, &bit));
}

Test(location, code_form)
{
    cr_expect(location_code_is_valid("DC-EAST"));
    cr_expect(location_code_is_valid("store_12.b"));
    cr_expect(location_code_is_valid("x"));
    cr_expect(!location_code_is_valid(""));
    cr_expect(!location_code_is_valid(NULL));
    cr_expect(!location_code_is_valid("DC EAST"));
    cr_expect(!location_code_is_valid("DC/EAST"));
    cr_expect(!location_code_is_valid("Zürich"));
    char code[CODE_LEN_MAX + 2];
    memset(code, 'a', sizeof(code) - 1);
    code[sizeof(code) - 1] = '\0';
    cr_expect(!location_code_is_valid(code));
    code[CODE_LEN_MAX] = '\0';
    cr_expect(location_code_is_valid(code));
}

Test(location, validate_each_field)
{
    struct err err = {0};
    struct location l = dc_east();
    cr_expect_eq(location_validate(&l, &err), ERR_OK, "%s %s", err.field, err.message);
    l.code = "bad code";
    expect_field(&l, "code");
    l = dc_east();
    l.name = "";
    expect_field(&l, "name");
    l.name = NULL;
    expect_field(&l, "name");
    l = dc_east();
    l.kind = LOCATION_KIND_COUNT;
    expect_field(&l, "kind");
    l = dc_east();
    l.capabilities = 0x20;
    expect_field(&l, "capabilities");
    l = dc_east();
    l.capacity_per_day = -1;
    expect_field(&l, "capacity_per_day");
    l.capacity_per_day = CAPACITY_PER_DAY_MAX + 1;
    expect_field(&l, "capacity_per_day");
    l = dc_east();
    l.handling_cost = -1;
    expect_field(&l, "handling_cost");
    l = dc_east();
    l.priority = 1000000001;
    expect_field(&l, "priority");
    l = dc_east();
    l.cutoff_minute = 1440;
    expect_field(&l, "cutoff_minute");
    l = dc_east();
    l.handling_days = HANDLING_DAYS_MAX + 1;
    expect_field(&l, "handling_days");
    l = dc_east();
    l.address.city = NULL;
    expect_field(&l, "address.city");
    l = dc_east();
    l.address.present = false;
    expect_field(&l, "address");
}
