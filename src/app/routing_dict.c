/*
 * routing_dict.c — the dictionary routing explanations are packed against (lib/zdoc): three
 * explanations of the shape capture.c writes (a split with every rejection verdict, a pickup,
 * a single location among three), their own values neutral (no SKU or location code), so that
 * LZ4 finds the keys and usual values of a 1.6 KB explanation in it and packs it to ~290
 * bytes instead of ~600 without it.
 * NEVER CHANGE THIS TEXT: every explanation stored with id 1 needs it, byte for byte, to be
 * read. A better dictionary is a new one with a new id (zdoc refuses a document packed with
 * another id than the one it is given, so the reader must then try both).
 */
#include "app/app_internal.h"
#include "lib/zdoc.h"

static const char routing_dict_text[] =
    "{\"engine\":\"cost\",\"strategy\":\"split\",\"complete\":false,\"exact\":false,"
    "\"shipments\":2,\"cost\":{\"shipping\":0,\"handling\":0,\"lateness\":0,\"split\":0,"
    "\"total\":0,\"unplaced_units\":1,\"gap\":0},\"lines\":[{\"line_no\":1,\"sku\":\"\","
    "\"qty\":1,\"unallocated\":1,\"placed\":[]}],\"candidates\":[{\"location\":\"\","
    "\"verdict\":\"no_stock\",\"distance_km\":null,\"units_available\":0},"
    "{\"location\":\"\",\"verdict\":\"no_capability\",\"distance_km\":null,"
    "\"units_available\":0},{\"location\":\"\",\"verdict\":\"inactive\","
    "\"distance_km\":null,\"units_available\":0},{\"location\":\"\","
    "\"verdict\":\"no_capacity\",\"distance_km\":null,\"units_available\":0},"
    "{\"location\":\"\",\"verdict\":\"held_back\",\"distance_km\":null,"
    "\"units_available\":0},{\"location\":\"\",\"verdict\":\"not_chosen\","
    "\"distance_km\":1.5,\"units_available\":1,\"units\":1,\"weight_grams\":500,\"days\":2,"
    "\"carrier\":\"ups\",\"service\":\"ground\",\"shipping\":1000,\"handling\":100,"
    "\"lateness\":0,\"total\":1100}]}"
    "\n"
    "{\"engine\":\"cost\",\"strategy\":\"pickup\",\"complete\":true,\"exact\":true,"
    "\"shipments\":1,\"cost\":{\"shipping\":0,\"handling\":0,\"lateness\":0,\"split\":0,"
    "\"total\":0,\"unplaced_units\":0,\"gap\":0},\"lines\":[{\"line_no\":1,\"sku\":\"\","
    "\"qty\":1,\"unallocated\":0,\"placed\":[{\"location\":\"\",\"qty\":1}]}],"
    "\"candidates\":[{\"location\":\"\",\"verdict\":\"chosen\",\"distance_km\":0,"
    "\"units_available\":1,\"units\":1,\"weight_grams\":500,\"days\":1,\"carrier\":null,"
    "\"service\":\"estimate\",\"shipping\":0,\"handling\":0,\"lateness\":0,\"total\":0}]}"
    "\n"
    "{\"engine\":\"cost\",\"strategy\":\"single_location\",\"complete\":true,"
    "\"exact\":true,\"shipments\":1,\"cost\":{\"shipping\":750,\"handling\":150,"
    "\"lateness\":0,\"split\":0,\"total\":900,\"unplaced_units\":0,\"gap\":0},"
    "\"lines\":[{\"line_no\":1,\"sku\":\"\",\"qty\":1,\"unallocated\":0,"
    "\"placed\":[{\"location\":\"\",\"qty\":1}]},{\"line_no\":2,\"sku\":\"\",\"qty\":1,"
    "\"unallocated\":0,\"placed\":[{\"location\":\"\",\"qty\":1}]},{\"line_no\":3,"
    "\"sku\":\"\",\"qty\":1,\"unallocated\":0,\"placed\":[{\"location\":\"\",\"qty\":1}]}],"
    "\"candidates\":[{\"location\":\"\",\"verdict\":\"chosen\",\"distance_km\":1.5,"
    "\"units_available\":3,\"units\":3,\"weight_grams\":1500,\"days\":1,\"carrier\":null,"
    "\"service\":\"estimate\",\"shipping\":750,\"handling\":150,\"lateness\":0,"
    "\"total\":900},{\"location\":\"\",\"verdict\":\"not_chosen\",\"distance_km\":350.5,"
    "\"units_available\":3,\"units\":3,\"weight_grams\":1500,\"days\":2,\"carrier\":null,"
    "\"service\":\"estimate\",\"shipping\":950,\"handling\":150,\"lateness\":0,"
    "\"total\":1100},{\"location\":\"\",\"verdict\":\"not_chosen\",\"distance_km\":1350.5,"
    "\"units_available\":3,\"units\":3,\"weight_grams\":1500,\"days\":3,\"carrier\":null,"
    "\"service\":\"estimate\",\"shipping\":1450,\"handling\":150,\"lateness\":500,"
    "\"total\":2100}]}";

const struct zdoc_dict app_routing_dict = {
    .id = 1,
    .text = routing_dict_text,
    .len = sizeof(routing_dict_text) - 1,
};
