/*
 * address.h — a postal address as given by a channel or an operator, with optional
 * coordinates. Strings are borrowed (arena-owned); NULL means absent.
 */
#ifndef ORDO_CORE_ADDRESS_H
#define ORDO_CORE_ADDRESS_H

#include "lib/base.h"
#include "lib/err.h"

struct address {
    const char *name;
    const char *company;
    const char *line1;
    const char *line2;
    const char *city;
    const char *region; /* state or province code */
    const char *postal_code;
    const char *country; /* ISO 3166-1 alpha-2, upper case */
    const char *phone;
    double lat; /* degrees, valid when has_coords */
    double lon; /* degrees, valid when has_coords */
    bool has_coords;
    bool present; /* false: no address was given at all */
};

/*
 * Checks lengths, required parts (line1, city, country; postal_code when country is "US"),
 * the country code's form and coordinate ranges. field_prefix ("shipping_address") names
 * the error's field ("shipping_address.city").
 */
MUST_CHECK enum err_code address_validate(const struct address *address, const char *field_prefix,
                                          struct err *err);

#endif
