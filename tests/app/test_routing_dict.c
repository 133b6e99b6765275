/*
 * test_routing_dict.c — goal: the dictionary routing explanations are packed against never
 * changes (every explanation stored with its id needs it byte for byte to be read), and it
 * does its job: an explanation packs to well under what it does without it.
 * Method: the dictionary's length and CRC-32 against the values it was first used with; an
 * explanation as capture.c writes it for 3 lines and 5 candidates, packed both ways and read.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <zlib.h>

#include "app/app_internal.h"
#include "lib/zdoc.h"

Test(routing_dict, never_changes)
{
    cr_assert_eq(app_routing_dict.id, 1);
    cr_expect_eq(app_routing_dict.len, 2422u,
                 "app_routing_dict id 1 changed: stored explanations can no longer be read;"
                 " keep it and add a new dictionary with a new id");
    uLong crc = crc32(0L, (const Bytef *)app_routing_dict.text, (uInt)app_routing_dict.len);
    cr_expect_eq(crc, 0xfab224c8UL,
                 "app_routing_dict id 1 changed (CRC-32 %#lx): stored explanations can no"
                 " longer be read; keep it and add a new dictionary with a new id",
                 crc);
}

Test(routing_dict, packs_an_explanation_small)
{
    static const char explanation[] =
        "{\"engine\":\"cost\",\"strategy\":\"single_location\",\"complete\":true,\"exact\":true,"
        "\"shipments\":1,\"cost\":{\"shipping\":760,\"handling\":150,\"lateness\":0,\"split\":0,"
        "\"total\":910,\"unplaced_units\":0,\"gap\":0},\"lines\":[{\"line_no\":1,"
        "\"sku\":\"TEE-BLK-M\",\"qty\":1,\"unallocated\":0,\"placed\":[{\"location\":\"NYC-1\","
        "\"qty\":1}]},{\"line_no\":2,\"sku\":\"MUG-12\",\"qty\":2,\"unallocated\":0,"
        "\"placed\":[{\"location\":\"NYC-1\",\"qty\":2}]},{\"line_no\":3,\"sku\":\"CAP-RED\","
        "\"qty\":1,\"unallocated\":0,\"placed\":[{\"location\":\"NYC-1\",\"qty\":1}]}],"
        "\"candidates\":[{\"location\":\"NYC-1\",\"verdict\":\"chosen\",\"distance_km\":4.2,"
        "\"units_available\":4,\"units\":4,\"weight_grams\":1820,\"days\":1,\"carrier\":\"ups\","
        "\"service\":\"ground\",\"shipping\":760,\"handling\":150,\"lateness\":0,\"total\":910},"
        "{\"location\":\"DC-EAST\",\"verdict\":\"not_chosen\",\"distance_km\":316.3,"
        "\"units_available\":4,\"units\":4,\"weight_grams\":1820,\"days\":2,\"carrier\":\"ups\","
        "\"service\":\"ground\",\"shipping\":918,\"handling\":150,\"lateness\":0,\"total\":1068},"
        "{\"location\":\"BOS-2\",\"verdict\":\"no_stock\",\"distance_km\":290.1,"
        "\"units_available\":1},{\"location\":\"DC-WEST\",\"verdict\":\"not_chosen\","
        "\"distance_km\":4048.4,\"units_available\":4,\"units\":4,\"weight_grams\":1820,"
        "\"days\":6,\"carrier\":null,\"service\":\"estimate\",\"shipping\":2784,\"handling\":150,"
        "\"lateness\":500,\"total\":3434},{\"location\":\"SUP-1\",\"verdict\":\"no_capability\","
        "\"distance_km\":null,\"units_available\":0}]}";
    struct arena arena;
    arena_init(&arena, 1024 * 1024);
    size_t len = sizeof(explanation) - 1;
    size_t with = 0;
    size_t without = 0;
    const unsigned char *packed = zdoc_pack(&arena, &app_routing_dict, explanation, len, &with);
    cr_assert_not_null(packed);
    cr_assert_not_null(zdoc_pack(&arena, NULL, explanation, len, &without));
    cr_log_info("explanation of %zu bytes: %zu packed with the dictionary, %zu without", len, with,
                without);
    cr_expect_lt(with * 3, len, "%zu of %zu bytes", with, len);
    cr_expect_lt(with * 3, without * 2, "with %zu, without %zu", with, without);
    const char *back = zdoc_unpack(&arena, &app_routing_dict, packed, with);
    cr_assert_not_null(back);
    cr_expect_str_eq(back, explanation);
    arena_release(&arena);
}
