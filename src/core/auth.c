/*
 * auth.c — the role matrix and the scope rules. It answers "may this principal do that";
 * finding the principal (hashing and looking up API keys) is the caller's job.
 */
#include "core/auth.h"

#include <string.h>

static const char *const role_names[ROLE_COUNT] = {
    [ROLE_ADMIN] = "admin",         [ROLE_OPERATOR] = "operator",
    [ROLE_WAREHOUSE] = "warehouse", [ROLE_SUPPORT] = "support",
    [ROLE_CHANNEL] = "channel",     [ROLE_ANALYST] = "analyst",
    [ROLE_CUSTOMER] = "customer",   [ROLE_SELF_SERVICE] = "self_service",
};

#define PERM(p) (1u << (p))

static_assert(PERM_COUNT <= 32, "a permission set fits in an unsigned");

#define PERM_ALL ((1u << PERM_COUNT) - 1u)

static const unsigned role_permissions[ROLE_COUNT] = {
    [ROLE_ADMIN] = PERM_ALL,
    [ROLE_OPERATOR] = PERM_ALL & ~PERM(PERM_ADMIN),
    [ROLE_WAREHOUSE] = PERM(PERM_CATALOG_READ) | PERM(PERM_INVENTORY_READ) |
                       PERM(PERM_INVENTORY_WRITE) | PERM(PERM_FULFILLMENT),
    [ROLE_SUPPORT] = PERM(PERM_ORDERS_CREATE) | PERM(PERM_ORDERS_READ) | PERM(PERM_ORDERS_MANAGE) |
                     PERM(PERM_CATALOG_READ) | PERM(PERM_INVENTORY_READ) |
                     PERM(PERM_CUSTOMERS_READ) | PERM(PERM_CUSTOMERS_WRITE) |
                     PERM(PERM_ROUTING_READ), /* routing: reads */
    [ROLE_CHANNEL] = PERM(PERM_ORDERS_CREATE) | PERM(PERM_ORDERS_READ) | PERM(PERM_ORDERS_MANAGE) |
                     PERM(PERM_CATALOG_READ) | PERM(PERM_INVENTORY_READ),
    [ROLE_ANALYST] = PERM(PERM_METRICS_READ) | PERM(PERM_ROUTING_READ), /* routing: reads */
    [ROLE_CUSTOMER] = PERM(PERM_ORDERS_READ) | PERM(PERM_CATALOG_READ),
    /* a refund return of the tracked order (app_return_create needs orders.manage) */
    [ROLE_SELF_SERVICE] = PERM(PERM_ORDERS_MANAGE),
};

const char *role_name(enum role role)
{
    ASSERT((int)role >= 0);
    ASSERT(role < ROLE_COUNT);
    return role_names[role];
}

bool role_parse(const char *name, enum role *out)
{
    ASSERT(out != NULL);
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < ROLE_COUNT; i++) {
        if (i == ROLE_SELF_SERVICE) {
            continue; /* made only by track.c, never given to a key or a user */
        }
        if (strcmp(name, role_names[i]) == 0) {
            *out = (enum role)i;
            return true;
        }
    }
    return false;
}

bool auth_role_allows(enum role role, enum permission perm)
{
    ASSERT((int)role >= 0 && role < ROLE_COUNT);
    ASSERT((int)perm >= 0 && perm < PERM_COUNT);
    return (role_permissions[role] & PERM(perm)) != 0;
}

/* ASCII case-insensitive equality; e-mail addresses are compared this way. */
static bool auth_equal_ignoring_case(const char *a, const char *b)
{
    for (size_t i = 0;; i++) {
        unsigned char ca = (unsigned char)a[i];
        unsigned char cb = (unsigned char)b[i];
        if (ca >= 'A' && ca <= 'Z') {
            ca = (unsigned char)(ca - 'A' + 'a');
        }
        if (cb >= 'A' && cb <= 'Z') {
            cb = (unsigned char)(cb - 'A' + 'a');
        }
        if (ca != cb) {
            return false;
        }
        if (ca == '\0') {
            return true;
        }
    }
}

bool auth_can_see_order(const struct principal *principal, const char *channel,
                        const char *customer_email)
{
    ASSERT(principal != NULL);
    ASSERT((int)principal->role >= 0 && principal->role < ROLE_COUNT);
    switch (principal->role) {
    case ROLE_CHANNEL:
        return principal->scope_channel != NULL && channel != NULL &&
               strcmp(principal->scope_channel, channel) == 0;
    case ROLE_CUSTOMER:
    case ROLE_SELF_SERVICE:
        return principal->scope_customer != NULL && customer_email != NULL &&
               auth_equal_ignoring_case(principal->scope_customer, customer_email);
    case ROLE_WAREHOUSE:
    case ROLE_ANALYST:
        return false;
    default:
        return true;
    }
}

bool auth_can_use_location(const struct principal *principal, const char *location_code)
{
    ASSERT(principal != NULL);
    ASSERT((int)principal->role >= 0 && principal->role < ROLE_COUNT);
    if (principal->role == ROLE_SELF_SERVICE) {
        return false; /* acts on no location's stock or shipments */
    }
    if (principal->role != ROLE_WAREHOUSE) {
        return true;
    }
    return principal->scope_location != NULL && location_code != NULL &&
           strcmp(principal->scope_location, location_code) == 0;
}
