/*
 * test_availability.c — goal: the promise logic of core/availability.c on hand-checked numbers:
 * carrier transit days by distance (and the estimate without a carrier), the ship-by date with
 * the cut-off before and after, the earliest delivery day over several sites, the hold-back,
 * drop-ship suppliers counted apart, pickup stores nearest first and capped, the order a hold
 * takes stock in, and the hold request checks. Method: small fixed networks at a fixed clock.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/availability.h"
#include "core/limits.h"
#include "core/location.h"
#include "lib/date.h"

/* 2026-11-29 (a Sunday) at 10:00 and 16:00 UTC. */
#define DAY0     20786
#define AT_10H00 (DAY0 * DATE_MS_PER_DAY + 10 * 3600 * 1000LL)
#define AT_16H00 (DAY0 * DATE_MS_PER_DAY + 16 * 3600 * 1000LL)

static const struct routing_transit ground_bands[] = {{500, 1}, {1500, 3}, {99999, 5}};
static const struct routing_transit express_bands[] = {{1000, 1}, {3000, 2}};
static const struct routing_service two_services[] = {
    {"UPS", "ground", ground_bands, 3, NULL, 0},
    {"UPS", "express", express_bands, 2, NULL, 0},
};

static struct availability_site site(const char *code, double lat, double lon, unsigned caps)
{
    return (struct availability_site){.code = code,
                                      .name = code,
                                      .lat = lat,
                                      .lon = lon,
                                      .has_coords = true,
                                      .capabilities = caps,
                                      .active = true,
                                      .cutoff_minute = 14 * 60,
                                      .priority = 10};
}

Test(availability, date_of_day0)
{
    cr_assert_eq(date_days_from_civil(2026, 11, 29), DAY0);
}

Test(availability, transit_days_by_band_or_estimate)
{
    struct availability_where where = {.services = two_services, .services_count = 2};
    cr_expect_eq(availability_transit_days(&where, 10), 1);
    cr_expect_eq(availability_transit_days(&where, 1200), 2); /* express 3000 km band */
    cr_expect_eq(availability_transit_days(&where, 4000), 5); /* only ground covers it */
    where.services_count = 0;                                 /* estimate: 1 + km / 800 */
    cr_expect_eq(availability_transit_days(&where, 10), 1);
    cr_expect_eq(availability_transit_days(&where, 1700), 3);
    struct routing_settings settings;
    routing_settings_default(&settings);
    settings.default_km_per_day = 100;
    where.settings = &settings;
    cr_expect_eq(availability_transit_days(&where, 250), 3);
}

Test(availability, ship_by_before_and_after_cut_off)
{
    struct availability_site sites[2] = {site("A", 40.7, -74.0, LOCATION_CAP_SHIP),
                                         site("B", 40.7, -74.0, LOCATION_CAP_SHIP)};
    sites[1].handling_days = 2;
    struct availability_route routes[2];
    struct availability_where where = {
        .has_destination = true, .lat = 40.7, .lon = -74.0, .now_ms = AT_10H00};
    availability_routes(sites, 2, &where, routes);
    cr_expect_eq(routes[0].ship_by_ms, (DAY0 + 1) * DATE_MS_PER_DAY - 1);
    cr_expect_eq(routes[0].delivery_day, DAY0 + 1); /* same-day ship, one day in transit */
    cr_expect_eq(routes[1].delivery_day, DAY0 + 3);
    cr_expect(routes[0].distance_km >= 0 && routes[0].distance_km < 1);
    where.now_ms = AT_16H00; /* after the 14:00 cut-off: ships tomorrow */
    availability_routes(sites, 2, &where, routes);
    cr_expect_eq(routes[0].ship_by_ms, (DAY0 + 2) * DATE_MS_PER_DAY - 1);
    cr_expect_eq(routes[0].delivery_day, DAY0 + 2);
    cr_expect_eq(routes[1].delivery_day, DAY0 + 4);
    where.has_destination = false; /* unknown distance: the settings' 4000 km */
    availability_routes(sites, 1, &where, routes);
    cr_expect_eq(routes[0].distance_km, -1);
    cr_expect_eq(routes[0].transit_days, 6);
}

Test(availability, earliest_delivery_over_sites_with_hold_back)
{
    /* Newark (near), Los Angeles (far), a Dallas supplier, a Chicago pickup-only store. */
    struct availability_site sites[4] = {
        site("EAST", 40.70, -74.17, LOCATION_CAP_SHIP),
        site("WEST", 34.03, -118.24, LOCATION_CAP_SHIP),
        site("SUP", 32.78, -96.80, LOCATION_CAP_DROPSHIP),
        site("CHI", 41.88, -87.62, LOCATION_CAP_PICKUP),
    };
    sites[2].supplier = true;
    struct availability_route routes[4];
    struct availability_where where = {
        .has_destination = true, .lat = 42.34, .lon = -71.07, .now_ms = AT_10H00}; /* Boston */
    availability_routes(sites, 4, &where, routes);
    struct availability_network network = {sites, routes, 4};
    int64_t units[4] = {5, 20, 0, 7};
    int64_t net[4];
    struct availability_answer answer;
    availability_answer(&network, units, 0, 3, net, &answer);
    cr_expect_eq(answer.available, 25); /* the pickup-only store does not ship */
    cr_expect(answer.can_ship);
    cr_expect_eq(answer.delivery_day, DAY0 + 1);
    cr_expect_eq(answer.ship_site, 0);
    cr_expect_eq(answer.pickup_count, 1);
    cr_expect_eq(answer.pickup[0], 3);
    cr_expect_eq(answer.pickup_units[0], 7);
    availability_answer(&network, units, 2, 4, net, &answer); /* 2 held back per site */
    cr_expect_eq(answer.available, 3 + 18);
    cr_expect_eq(answer.ship_site, 1); /* EAST keeps 3 < 4: WEST ships it, later */
    cr_expect_eq(answer.delivery_day, routes[1].delivery_day);
    cr_expect_eq(answer.pickup_count, 1);
    cr_expect_eq(answer.pickup_units[0], 5);
    availability_answer(&network, units, 0, 22, net, &answer); /* both DCs together */
    cr_expect(answer.can_ship);
    cr_expect_eq(answer.ship_site, SIZE_MAX);
    cr_expect_eq(answer.delivery_day, routes[1].delivery_day);
    availability_answer(&network, units, 0, 26, net, &answer);
    cr_expect(!answer.can_ship);
    units[2] = QTY_MAX; /* the supplier promises */
    availability_answer(&network, units, 0, 26, net, &answer);
    cr_expect(answer.can_ship);
    cr_expect_eq(answer.dropship_available, QTY_MAX);
    cr_expect_eq(answer.ship_site, 2);
}

Test(availability, pickups_nearest_first_capped)
{
    struct availability_site sites[7];
    const double lats[7] = {42.0, 41.0, 40.0, 39.0, 38.0, 37.0, 43.5};
    const char *codes[7] = {"S0", "S1", "S2", "S3", "S4", "S5", "S6"};
    for (size_t i = 0; i < 7; i++) {
        sites[i] = site(codes[i], lats[i], -71.0, LOCATION_CAP_PICKUP);
    }
    sites[4].active = false;
    struct availability_route routes[7];
    struct availability_where where = {
        .has_destination = true, .lat = 43.0, .lon = -71.0, .now_ms = AT_10H00};
    availability_routes(sites, 7, &where, routes);
    struct availability_network network = {sites, routes, 7};
    int64_t units[7] = {1, 1, 1, 1, 1, 1, 0};
    int64_t net[7];
    struct availability_answer answer;
    availability_answer(&network, units, 0, 1, net, &answer);
    cr_assert_eq(answer.pickup_count, AVAILABILITY_PICKUP_MAX);
    const size_t want[5] = {0, 1, 2, 3, 5}; /* S6 has none, S4 is inactive */
    for (size_t i = 0; i < AVAILABILITY_PICKUP_MAX; i++) {
        cr_expect_eq(answer.pickup[i], want[i], "pickup %zu is %zu", i, answer.pickup[i]);
    }
    cr_expect_eq(answer.available, 0);
    cr_expect(!answer.can_ship);
}

Test(availability, rank_and_take)
{
    struct availability_site sites[4] = {
        site("FAR", 34.03, -118.24, LOCATION_CAP_SHIP),
        site("NEAR", 40.70, -74.17, LOCATION_CAP_SHIP),
        site("PICK", 40.71, -74.10, LOCATION_CAP_PICKUP),
        site("SLOW", 40.70, -74.17, LOCATION_CAP_SHIP),
    };
    sites[3].handling_days = 3;
    struct availability_route routes[4];
    struct availability_where where = {
        .has_destination = true, .lat = 40.7, .lon = -74.0, .now_ms = AT_10H00};
    availability_routes(sites, 4, &where, routes);
    struct availability_network network = {sites, routes, 4};
    size_t order[4];
    size_t n = availability_rank(&network, order);
    cr_assert_eq(n, 3);
    cr_expect_eq(order[0], 1);
    cr_expect_eq(order[1], 3); /* NEAR + 3 handling days still beats 5 days from FAR */
    cr_expect_eq(order[2], 0);
    int64_t net[4] = {10, 2, 50, 1};
    int64_t taken[4] = {0};
    cr_expect_eq(availability_take(order, n, net, 5, taken), 0);
    cr_expect_eq(taken[1], 2);
    cr_expect_eq(taken[3], 1);
    cr_expect_eq(taken[0], 2);
    cr_expect_eq(taken[2], 0);
    int64_t again[4] = {0};
    cr_expect_eq(availability_take(order, n, net, 20, again), 7);
}

Test(availability, hold_status_and_expiry)
{
    static const char *const names[] = {"active", "released", "consumed", "expired"};
    for (int i = 0; i < HOLD_STATUS_COUNT; i++) {
        enum hold_status status = HOLD_STATUS_COUNT;
        cr_expect(hold_status_parse(names[i], &status));
        cr_expect_eq(status, (enum hold_status)i);
        cr_expect_str_eq(hold_status_name(status), names[i]);
    }
    enum hold_status status;
    cr_expect(!hold_status_parse("gone", &status));
    cr_expect(!hold_is_expired(HOLD_STATUS_ACTIVE, 1000, 999));
    cr_expect(hold_is_expired(HOLD_STATUS_ACTIVE, 1000, 1000));
    cr_expect(hold_is_expired(HOLD_STATUS_EXPIRED, 1000, 0));
    cr_expect(!hold_is_expired(HOLD_STATUS_CONSUMED, 1000, 5000));
}

Test(availability, hold_validate_names_the_field)
{
    struct hold_request_line lines[2] = {{"MUG", 1}, {"CAP", 2}};
    struct err err = {0};
    cr_expect_eq(hold_validate(lines, 2, 600, &err), ERR_OK);
    cr_expect_eq(hold_validate(lines, 0, 600, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines");
    cr_expect_eq(hold_validate(lines, 2, HOLD_TTL_SECONDS_MIN - 1, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "ttl_seconds");
    cr_expect_eq(hold_validate(lines, 2, HOLD_TTL_SECONDS_MAX + 1, &err), ERR_INVALID);
    lines[1].qty = 0;
    cr_expect_eq(hold_validate(lines, 2, 600, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines[1].qty");
    lines[1] = (struct hold_request_line){"MUG", 1};
    cr_expect_eq(hold_validate(lines, 2, 600, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines[1].sku");
    lines[0].sku = "has space";
    cr_expect_eq(hold_validate(lines, 2, 600, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "lines[0].sku");
}
