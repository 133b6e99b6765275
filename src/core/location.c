/*
 * location.c — names of location kinds and capabilities, the code form shared with channels,
 * and validation of a location as created. Nothing here knows about stock or routing.
 */
#include "core/location.h"

#include <string.h>

#include "core/limits.h"
#include "lib/str.h"

static const char *const location_kind_names[LOCATION_KIND_COUNT] = {
    [LOCATION_KIND_WAREHOUSE] = "warehouse", [LOCATION_KIND_STORE] = "store",
    [LOCATION_KIND_SUPPLIER] = "supplier",   [LOCATION_KIND_CUSTOMER_SITE] = "customer_site",
    [LOCATION_KIND_CROSSDOCK] = "crossdock",
};

static const struct {
    const char *name;
    unsigned bit;
} location_capabilities[] = {
    {"ship", LOCATION_CAP_SHIP},         {"pickup", LOCATION_CAP_PICKUP},
    {"return", LOCATION_CAP_RETURN},     {"dropship", LOCATION_CAP_DROPSHIP},
    {"assemble", LOCATION_CAP_ASSEMBLE},
};

#define LOCATION_PRIORITY_MAX 1000000000LL

const char *location_kind_name(enum location_kind kind)
{
    ASSERT((int)kind >= 0);
    ASSERT(kind < LOCATION_KIND_COUNT);
    return location_kind_names[kind];
}

bool location_kind_parse(const char *name, enum location_kind *out)
{
    ASSERT(out != NULL);
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < LOCATION_KIND_COUNT; i++) {
        if (strcmp(name, location_kind_names[i]) == 0) {
            *out = (enum location_kind)i;
            return true;
        }
    }
    return false;
}

bool location_capability_parse(const char *name, unsigned *bit_out)
{
    ASSERT(bit_out != NULL);
    if (name == NULL) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_LEN(location_capabilities); i++) {
        if (strcmp(name, location_capabilities[i].name) == 0) {
            *bit_out = location_capabilities[i].bit;
            return true;
        }
    }
    return false;
}

const char *location_capability_name(unsigned bit)
{
    ASSERT(bit != 0);
    ASSERT((bit & (bit - 1)) == 0 && (bit & ~LOCATION_CAP_ALL) == 0);
    for (size_t i = 0; i < ARRAY_LEN(location_capabilities); i++) {
        if (location_capabilities[i].bit == bit) {
            return location_capabilities[i].name;
        }
    }
    base_assert_fail("known capability bit", __FILE__, __LINE__, __func__);
}

bool location_code_is_valid(const char *code)
{
    if (code == NULL) {
        return false;
    }
    size_t len = strlen(code);
    if (len == 0 || len > CODE_LEN_MAX) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = code[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '.' || c == '_' || c == '-';
        if (!ok) {
            return false;
        }
    }
    return true;
}

/* An integer field within [low, high]. */
static enum err_code location_check_range(int64_t value, int64_t low, int64_t high,
                                          const char *field, struct err *err)
{
    if (value < low || value > high) {
        return err_set(err, ERR_INVALID, field,
                       "%s must be between %" PRId64 " and %" PRId64 ", got %" PRId64, field, low,
                       high, value);
    }
    return ERR_OK;
}

static enum err_code location_check_names(const struct location *location, struct err *err)
{
    ASSERT(location != NULL);
    ASSERT(err != NULL);
    if (!location_code_is_valid(location->code)) {
        return err_set(err, ERR_INVALID, "code",
                       "code must be 1 to %d characters of A-Z a-z 0-9 . _ -", CODE_LEN_MAX);
    }
    size_t name_len = location->name == NULL ? 0 : strlen(location->name);
    if (name_len == 0 || name_len > NAME_LEN_MAX) {
        return err_set(err, ERR_INVALID, "name", "name must be 1 to %d bytes, got %zu",
                       NAME_LEN_MAX, name_len);
    }
    if (!str_is_clean_utf8(location->name, name_len)) {
        return err_set(err, ERR_INVALID, "name", "name must be UTF-8 without control characters");
    }
    if ((int)location->kind < 0 || location->kind >= LOCATION_KIND_COUNT) {
        return err_set(err, ERR_INVALID, "kind", "unknown location kind %d", (int)location->kind);
    }
    if ((location->capabilities & ~LOCATION_CAP_ALL) != 0) {
        return err_set(err, ERR_INVALID, "capabilities", "unknown capability bits 0x%x",
                       location->capabilities & ~LOCATION_CAP_ALL);
    }
    return ERR_OK;
}

enum err_code location_validate(const struct location *location, struct err *err)
{
    ASSERT(location != NULL);
    ASSERT(err != NULL);
    enum err_code code = location_check_names(location, err);
    if (code == ERR_OK) {
        code = location_check_range(location->capacity_per_day, 0, CAPACITY_PER_DAY_MAX,
                                    "capacity_per_day", err);
    }
    if (code == ERR_OK) {
        code = location_check_range(location->handling_cost, 0, MONEY_AMOUNT_MAX, "handling_cost",
                                    err);
    }
    if (code == ERR_OK) {
        code = location_check_range(location->priority, 0, LOCATION_PRIORITY_MAX, "priority", err);
    }
    if (code == ERR_OK) {
        code = location_check_range(location->cutoff_minute, 0, 1439, "cutoff_minute", err);
    }
    if (code == ERR_OK) {
        code = location_check_range(location->handling_days, 0, HANDLING_DAYS_MAX, "handling_days",
                                    err);
    }
    if (code == ERR_OK) {
        code = address_validate(&location->address, "address", err);
    }
    return code;
}

int location_hold_days(const struct location *location)
{
    ASSERT(location != NULL);
    ASSERT(location->hold_days >= 0);
    return location->hold_days > 0 ? location->hold_days : LOCATION_HOLD_DAYS_DEFAULT;
}
