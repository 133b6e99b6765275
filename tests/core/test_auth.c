/*
 * test_auth.c — goal: the role matrix and the scope rules are exactly the issue's. Method: the
 * matrix written out again as a table and compared cell by cell; scopes by example.
 */
#include <criterion/criterion.h>

#include "core/auth.h"

#define P(x) (1u << (x))

static unsigned expected_permissions(enum role role)
{
    unsigned all = (1u << PERM_COUNT) - 1u;
    switch (role) {
    case ROLE_ADMIN:
        return all;
    case ROLE_OPERATOR:
        return all & ~P(PERM_ADMIN);
    case ROLE_WAREHOUSE:
        return P(PERM_CATALOG_READ) | P(PERM_INVENTORY_READ) | P(PERM_INVENTORY_WRITE) |
               P(PERM_FULFILLMENT);
    case ROLE_SUPPORT:
        return P(PERM_ORDERS_CREATE) | P(PERM_ORDERS_READ) | P(PERM_ORDERS_MANAGE) |
               P(PERM_CATALOG_READ) | P(PERM_INVENTORY_READ) | P(PERM_CUSTOMERS_READ) |
               P(PERM_CUSTOMERS_WRITE) | P(PERM_ROUTING_READ); /* routing (issue 3) */
    case ROLE_CHANNEL:
        return P(PERM_ORDERS_CREATE) | P(PERM_ORDERS_READ) | P(PERM_ORDERS_MANAGE) |
               P(PERM_CATALOG_READ) | P(PERM_INVENTORY_READ);
    case ROLE_ANALYST:
        return P(PERM_METRICS_READ) | P(PERM_ROUTING_READ); /* routing (issue 3) */
    case ROLE_CUSTOMER:
        return P(PERM_ORDERS_READ) | P(PERM_CATALOG_READ);
    case ROLE_SELF_SERVICE: /* a refund return of the tracked order (issue 8, round 2) */
        return P(PERM_ORDERS_MANAGE);
    default:
        return 0;
    }
}

Test(auth, role_matrix)
{
    for (int r = 0; r < ROLE_COUNT; r++) {
        for (int p = 0; p < PERM_COUNT; p++) {
            bool expected = (expected_permissions((enum role)r) & P(p)) != 0;
            cr_expect_eq(auth_role_allows((enum role)r, (enum permission)p), expected,
                         "role %s permission %d", role_name((enum role)r), p);
        }
    }
}

Test(auth, role_names)
{
    static const char *const names[] = {"admin",   "operator", "warehouse", "support",
                                        "channel", "analyst",  "customer"};
    cr_assert_eq(ROLE_COUNT, 8, "a new role needs its row here and in the matrix");
    cr_expect_str_eq(role_name(ROLE_SELF_SERVICE), "self_service");
    enum role internal = ROLE_COUNT;
    cr_expect(!role_parse("self_service", &internal), "no key or user may have self_service");
    for (int r = 0; r < ROLE_SELF_SERVICE; r++) {
        cr_expect_str_eq(role_name((enum role)r), names[r]);
        enum role parsed = ROLE_COUNT;
        cr_expect(role_parse(names[r], &parsed));
        cr_expect_eq(parsed, (enum role)r);
    }
    enum role role;
    cr_expect(!role_parse("root", &role));
    cr_expect(!role_parse("Admin", &role));
    cr_expect(!role_parse(NULL, &role));
}

Test(auth, order_visibility)
{
    struct principal admin = {.role = ROLE_ADMIN};
    struct principal support = {.role = ROLE_SUPPORT};
    struct principal web = {.role = ROLE_CHANNEL, .scope_channel = "web"};
    struct principal unscoped_channel = {.role = ROLE_CHANNEL};
    struct principal ana = {.role = ROLE_CUSTOMER, .scope_customer = "ana@example.com"};
    struct principal wh = {.role = ROLE_WAREHOUSE, .scope_location = "DC-EAST"};
    struct principal analyst = {.role = ROLE_ANALYST};
    cr_expect(auth_can_see_order(&admin, "pos", "bob@example.com"));
    cr_expect(auth_can_see_order(&support, "pos", "bob@example.com"));
    cr_expect(auth_can_see_order(&web, "web", "bob@example.com"));
    cr_expect(!auth_can_see_order(&web, "pos", "bob@example.com"));
    cr_expect(!auth_can_see_order(&web, "WEB", "bob@example.com"));
    cr_expect(!auth_can_see_order(&unscoped_channel, "web", "bob@example.com"));
    cr_expect(auth_can_see_order(&ana, "web", "ana@example.com"));
    cr_expect(auth_can_see_order(&ana, "pos", "Ana@Example.COM"));
    cr_expect(!auth_can_see_order(&ana, "web", "bob@example.com"));
    cr_expect(!auth_can_see_order(&ana, "web", "ana@example.co"));
    cr_expect(!auth_can_see_order(&ana, "web", NULL));
    cr_expect(!auth_can_see_order(&wh, "web", "ana@example.com"));
    cr_expect(!auth_can_see_order(&analyst, "web", "ana@example.com"));
    /* self-service: that customer's orders only, and no location */
    struct principal self = {.role = ROLE_SELF_SERVICE, .scope_customer = "ana@example.com"};
    struct principal unscoped_self = {.role = ROLE_SELF_SERVICE};
    cr_expect(auth_can_see_order(&self, "web", "Ana@Example.com"));
    cr_expect(!auth_can_see_order(&self, "web", "bob@example.com"));
    cr_expect(!auth_can_see_order(&self, "web", NULL));
    cr_expect(!auth_can_see_order(&unscoped_self, "web", "ana@example.com"));
    cr_expect(!auth_can_use_location(&self, "DC-EAST"));
    cr_expect(!auth_can_use_location(&self, NULL));
}

Test(auth, location_scope)
{
    struct principal wh = {.role = ROLE_WAREHOUSE, .scope_location = "DC-EAST"};
    struct principal unscoped = {.role = ROLE_WAREHOUSE};
    struct principal op = {.role = ROLE_OPERATOR};
    cr_expect(auth_can_use_location(&wh, "DC-EAST"));
    cr_expect(!auth_can_use_location(&wh, "DC-WEST"));
    cr_expect(!auth_can_use_location(&wh, NULL));
    cr_expect(!auth_can_use_location(&unscoped, "DC-EAST"));
    cr_expect(auth_can_use_location(&op, "DC-WEST"));
}
