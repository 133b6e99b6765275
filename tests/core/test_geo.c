/*
 * test_geo.c — goal: distances are right to the kilometre and the postal table is found as
 * addresses write it. Method: a known city pair, symmetric and degenerate cases, and lookups
 * in the real embedded table (and in a small table at its edges).
 */
#include <criterion/criterion.h>
#include <math.h>

#include "core/geo.h"

Test(geo_distance, boston_to_new_york)
{
    double d = geo_distance_km(42.36, -71.06, 40.71, -74.01);
    cr_expect(fabs(d - 306.0) <= 2.0, "got %f", d);
    cr_expect_eq(geo_distance_km(40.71, -74.01, 42.36, -71.06), d, "symmetric");
    cr_expect_eq(geo_distance_km(10, 20, 10, 20), 0.0);
}

Test(geo_distance, long_and_antipodal)
{
    double half = M_PI * 6371.0088;
    double d = geo_distance_km(0, 0, 0, 180);
    cr_expect(fabs(d - half) < 0.001, "got %f", d);
    d = geo_distance_km(90, 0, -90, 0);
    cr_expect(fabs(d - half) < 0.001, "got %f", d);
    /* Across the date line is short, not around the world. */
    d = geo_distance_km(0, 179.5, 0, -179.5);
    cr_expect(d > 110 && d < 112, "got %f", d);
}

Test(geo_coords, ranges)
{
    cr_expect(geo_coords_are_valid(0, 0));
    cr_expect(geo_coords_are_valid(90, 180));
    cr_expect(geo_coords_are_valid(-90, -180));
    cr_expect(!geo_coords_are_valid(90.0001, 0));
    cr_expect(!geo_coords_are_valid(0, -180.5));
    cr_expect(!geo_coords_are_valid(NAN, 0));
    cr_expect(!geo_coords_are_valid(0, INFINITY));
}

Test(geo_postal, real_table)
{
    cr_assert(geo_postal_rows_count > 30000, "the table has %zu rows", geo_postal_rows_count);
    for (size_t i = 1; i < geo_postal_rows_count; i++) {
        cr_assert(geo_postal_rows[i - 1].zip < geo_postal_rows[i].zip, "sorted at %zu", i);
    }
    const struct geo_postal *row = geo_postal_find(geo_postal_rows, geo_postal_rows_count, "02118");
    cr_assert_not_null(row);
    cr_expect_eq(row->zip, 2118u);
    cr_expect(fabs((double)row->lat - 42.34) < 0.05 && fabs((double)row->lon - -71.07) < 0.05);
    cr_expect_eq(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "02118-1234"), row);
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "abcde"));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, ""));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, NULL));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "2118"));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "021181"));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "02118-12"));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "02118 1234"));
    cr_expect_null(geo_postal_find(geo_postal_rows, geo_postal_rows_count, "00000"));
    const struct geo_postal *first =
        geo_postal_find(geo_postal_rows, geo_postal_rows_count, "00501");
    cr_expect_eq(first, &geo_postal_rows[0]);
}

Test(geo_postal, small_table_edges)
{
    static const struct geo_postal rows[] = {
        {100u, 1, 1, 0, "a", "AA"},
        {2118u, 2, 2, 0, "b", "BB"},
        {99950u, 3, 3, 0, "c", "CC"},
    };
    cr_expect_eq(geo_postal_find(rows, 3, "00100"), &rows[0]);
    cr_expect_eq(geo_postal_find(rows, 3, "99950"), &rows[2]);
    cr_expect_null(geo_postal_find(rows, 3, "99999"));
    cr_expect_null(geo_postal_find(rows, 3, "00099"));
    cr_expect_null(geo_postal_find(rows, 0, "02118"));
}
