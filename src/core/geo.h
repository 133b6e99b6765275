/*
 * geo.h — distances on the Earth and the postal-code table. The table's rows are passed in
 * (the build embeds them from data/geo); core only searches them.
 */
#ifndef ORDO_CORE_GEO_H
#define ORDO_CORE_GEO_H

#include "lib/base.h"

struct geo_postal {
    uint32_t zip;        /* US ZIP5 as a number (02118 -> 2118) */
    float lat;           /* degrees */
    float lon;           /* degrees */
    uint32_t population; /* 2010 census population of the ZCTA, 0 when unknown */
    const char *city;    /* town name */
    const char *region;  /* two-letter state code */
};

/* Great-circle (haversine) distance in kilometres on a sphere of radius 6371.0088 km. */
double geo_distance_km(double lat1, double lon1, double lat2, double lon2);

/* True for latitude in [-90, 90] and longitude in [-180, 180]. */
bool geo_coords_are_valid(double lat, double lon);

/*
 * Finds a 5-digit US postal code ("02118", or "02118-1234": the ZIP+4 suffix is ignored) in
 * rows sorted by zip. Returns the row or NULL.
 */
const struct geo_postal *geo_postal_find(const struct geo_postal *rows, size_t rows_count,
                                         const char *postal_code);

/* The embedded table (built from data/geo at compile time); sorted by zip. */
extern const struct geo_postal geo_postal_rows[];
extern const size_t geo_postal_rows_count;

#endif
