/*
 * address.c — validation of a postal address given by a channel or an operator. It checks
 * form only (lengths, required parts, country and US postal code shapes, coordinate ranges);
 * whether the place exists is not its business.
 */
#include "core/address.h"

#include <string.h>

#include "core/geo.h"
#include "core/limits.h"
#include "lib/str.h"

/* Writes "<prefix>.<part>" (or just part without a prefix) into out, truncating. */
static void address_field(char *out, size_t out_size, const char *prefix, const char *part)
{
    ASSERT(out != NULL);
    ASSERT(out_size > 1);
    size_t used = 0;
    if (prefix != NULL && prefix[0] != '\0') {
        used = str_copy(out, out_size, prefix);
        if (used + 1 >= out_size) {
            return;
        }
        out[used++] = '.';
    }
    str_copy(out + used, out_size - used, part);
}

/* One part: required or optional, at most len_max bytes, clean UTF-8. */
static enum err_code address_check_part(const char *value, const char *prefix, const char *part,
                                        size_t len_max, bool required, struct err *err)
{
    ASSERT(part != NULL && err != NULL);
    ASSERT(len_max > 0);
    char field[ERR_FIELD_LEN_MAX];
    if (value == NULL || value[0] == '\0') {
        if (!required) {
            return ERR_OK;
        }
        address_field(field, sizeof(field), prefix, part);
        return err_set(err, ERR_INVALID, field, "%s is required", part);
    }
    size_t len = strlen(value);
    if (len > len_max) {
        address_field(field, sizeof(field), prefix, part);
        return err_set(err, ERR_INVALID, field, "%s must be at most %zu bytes, got %zu", part,
                       len_max, len);
    }
    if (!str_is_clean_utf8(value, len)) {
        address_field(field, sizeof(field), prefix, part);
        return err_set(err, ERR_INVALID, field, "%s must be UTF-8 without control characters",
                       part);
    }
    return ERR_OK;
}

static bool address_is_digits(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
    }
    return true;
}

/* "02118" or "02118-1234". */
static bool address_us_postal_is_valid(const char *postal_code)
{
    size_t len = strlen(postal_code);
    if (len == 5) {
        return address_is_digits(postal_code, 5);
    }
    return len == 10 && address_is_digits(postal_code, 5) && postal_code[5] == '-' &&
           address_is_digits(postal_code + 6, 4);
}

static enum err_code address_check_parts(const struct address *address, const char *prefix,
                                         struct err *err)
{
    ASSERT(address != NULL);
    ASSERT(address->present);
    bool is_us = address->country != NULL && strcmp(address->country, "US") == 0;

    struct {
        const char *value;
        const char *part;
        size_t len_max;
        bool required;
    } parts[] = {
        {address->name, "name", NAME_LEN_MAX, false},
        {address->company, "company", ADDRESS_FIELD_LEN_MAX, false},
        {address->line1, "line1", ADDRESS_FIELD_LEN_MAX, true},
        {address->line2, "line2", ADDRESS_FIELD_LEN_MAX, false},
        {address->city, "city", ADDRESS_FIELD_LEN_MAX, true},
        {address->region, "region", ADDRESS_FIELD_LEN_MAX, false},
        {address->postal_code, "postal_code", POSTAL_CODE_LEN_MAX, is_us},
        {address->country, "country", ADDRESS_FIELD_LEN_MAX, true},
        {address->phone, "phone", ADDRESS_FIELD_LEN_MAX, false},
    };

    for (size_t i = 0; i < ARRAY_LEN(parts); i++) {
        enum err_code code = address_check_part(parts[i].value, prefix, parts[i].part,
                                                parts[i].len_max, parts[i].required, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

enum err_code address_validate(const struct address *address, const char *field_prefix,
                               struct err *err)
{
    ASSERT(address != NULL);
    ASSERT(err != NULL);
    char field[ERR_FIELD_LEN_MAX];
    if (!address->present) {
        return err_set(err, ERR_INVALID, field_prefix, "address is required");
    }
    enum err_code code = address_check_parts(address, field_prefix, err);
    if (code != ERR_OK) {
        return code;
    }
    const char *country = address->country;
    if (strlen(country) != 2 || country[0] < 'A' || country[0] > 'Z' || country[1] < 'A' ||
        country[1] > 'Z') {
        address_field(field, sizeof(field), field_prefix, "country");
        return err_set(err, ERR_INVALID, field, "country must be 2 upper-case letters, got %s",
                       country);
    }
    if (strcmp(country, "US") == 0 && !address_us_postal_is_valid(address->postal_code)) {
        address_field(field, sizeof(field), field_prefix, "postal_code");
        return err_set(err, ERR_INVALID, field,
                       "US postal code must be 5 digits or 5+4 (02118-1234), got %s",
                       address->postal_code);
    }
    if (address->has_coords && !geo_coords_are_valid(address->lat, address->lon)) {
        const char *part = address->lat >= -90.0 && address->lat <= 90.0 ? "lon" : "lat";
        address_field(field, sizeof(field), field_prefix, part);
        return err_set(err, ERR_INVALID, field,
                       "coordinates must be latitude -90..90 and longitude -180..180, got %g, %g",
                       address->lat, address->lon);
    }
    return ERR_OK;
}
