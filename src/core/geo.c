/*
 * geo.c — great-circle distance and the postal-code lookup. Pure arithmetic over coordinates
 * and a sorted table passed in; the table itself is generated (build/gen/geo_data.c).
 */
#include "core/geo.h"

#include <math.h>
#include <string.h>

#define GEO_EARTH_RADIUS_KM 6371.0088
#define GEO_PI              3.14159265358979323846

static double geo_radians(double degrees)
{
    return degrees * (GEO_PI / 180.0);
}

double geo_distance_km(double lat1, double lon1, double lat2, double lon2)
{
    ASSERT(isfinite(lat1) && isfinite(lon1));
    ASSERT(isfinite(lat2) && isfinite(lon2));
    double dlat = geo_radians(lat2 - lat1);
    double dlon = geo_radians(lon2 - lon1);
    double s_lat = sin(dlat / 2.0);
    double s_lon = sin(dlon / 2.0);
    double h = s_lat * s_lat + cos(geo_radians(lat1)) * cos(geo_radians(lat2)) * s_lon * s_lon;
    /* Rounding can push h a hair above 1 for antipodal points; asin would return NaN. */
    if (h > 1.0) {
        h = 1.0;
    }
    double distance = 2.0 * GEO_EARTH_RADIUS_KM * asin(sqrt(h));
    ASSERT(distance >= 0.0);
    return distance;
}

bool geo_coords_are_valid(double lat, double lon)
{
    return isfinite(lat) && isfinite(lon) && lat >= -90.0 && lat <= 90.0 && lon >= -180.0 &&
           lon <= 180.0;
}

/* Parses "NNNNN" or "NNNNN-NNNN" into the ZIP5 number; false for anything else. */
static bool geo_postal_parse(const char *postal_code, uint32_t *zip_out)
{
    size_t len = strlen(postal_code);
    if (len != 5 && len != 10) {
        return false;
    }
    uint32_t zip = 0;
    for (size_t i = 0; i < len; i++) {
        char c = postal_code[i];
        if (i == 5) {
            if (c != '-') {
                return false;
            }
            continue;
        }
        if (c < '0' || c > '9') {
            return false;
        }
        if (i < 5) {
            zip = zip * 10u + (uint32_t)(c - '0');
        }
    }
    *zip_out = zip;
    return true;
}

const struct geo_postal *geo_postal_find(const struct geo_postal *rows, size_t rows_count,
                                         const char *postal_code)
{
    ASSERT(rows != NULL || rows_count == 0);
    uint32_t zip = 0;
    if (postal_code == NULL || !geo_postal_parse(postal_code, &zip)) {
        return NULL;
    }
    size_t low = 0;
    size_t high = rows_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (rows[mid].zip == zip) {
            return &rows[mid];
        }
        if (rows[mid].zip < zip) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    ASSERT(low <= rows_count);
    return NULL;
}
