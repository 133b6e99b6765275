/*
 * auth.h — roles and what each may do. The principal is who a request acts for: an API key
 * (or later a signed-in person) with a role and, for some roles, a scope.
 */
#ifndef ORDO_CORE_AUTH_H
#define ORDO_CORE_AUTH_H

#include "lib/base.h"

enum role {
    ROLE_ADMIN,
    ROLE_OPERATOR,
    ROLE_WAREHOUSE, /* scope: a location code */
    ROLE_SUPPORT,
    ROLE_CHANNEL, /* scope: a channel code */
    ROLE_ANALYST,
    ROLE_CUSTOMER, /* scope: a customer e-mail */
    /* Web console round 2 (issue 8): the customer at /v1/track/returns, who proved who they
     * are with an order's number and e-mail. Scope: that customer e-mail. Its one permission
     * is PERM_ORDERS_MANAGE on that customer's orders, and it exists only for the length of
     * one app_return_create of the tracked order (track.c); no key or user can have it
     * (role_parse refuses the name). */
    ROLE_SELF_SERVICE,
    ROLE_COUNT
};

enum permission {
    PERM_ORDERS_CREATE,
    PERM_ORDERS_READ,
    PERM_ORDERS_MANAGE, /* cancel, hold, release, edit */
    PERM_CATALOG_READ,  /* products, locations, channels */
    PERM_CATALOG_WRITE,
    PERM_INVENTORY_READ,
    PERM_INVENTORY_WRITE,
    PERM_CUSTOMERS_READ,
    PERM_CUSTOMERS_WRITE,
    PERM_FULFILLMENT, /* pick, pack, ship, pickup */
    PERM_METRICS_READ,
    PERM_METRICS_WRITE, /* traffic and costs */
    PERM_ADMIN,         /* keys, settings */
    /* routing (issue 3): carriers, rate cards, routing settings */
    PERM_ROUTING_READ,
    PERM_ROUTING_WRITE,
    PERM_COUNT
};

struct principal {
    enum role role;
    const char *key_id;         /* the API key's id, for idempotency scoping and audit */
    const char *scope_channel;  /* ROLE_CHANNEL */
    const char *scope_location; /* ROLE_WAREHOUSE */
    const char *scope_customer; /* ROLE_CUSTOMER: e-mail, lower case */
};

const char *role_name(enum role role);
MUST_CHECK bool role_parse(const char *name, enum role *out);

/* The role matrix: true when role may do perm at all (scopes are checked by the caller). */
bool auth_role_allows(enum role role, enum permission perm);

/* True when the principal may see an order of that channel and customer e-mail. */
bool auth_can_see_order(const struct principal *principal, const char *channel,
                        const char *customer_email);

/* True when the principal may act on stock or shipments at that location. */
bool auth_can_use_location(const struct principal *principal, const char *location_code);

#endif
