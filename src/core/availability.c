/*
 * availability.c — promising: per-site routes (distance, ship-by, delivery day), the answer for
 * one SKU (available after hold-back, earliest delivery, nearest pickup stores), the ranking a
 * soft hold takes stock in, and the soft hold's states and checks. No I/O and no clock: now_ms,
 * stock and sites come in as arguments. Every loop is bounded by the sites or lines given.
 */
#include "core/availability.h"

#include <string.h>

#include "core/geo.h"
#include "core/location.h"
#include "core/order.h"
#include "core/product.h"
#include "lib/date.h"
#include "lib/str.h"

/* Delivery days after the earliest one that the promise distinguishes; later ones share the
 * last bucket (a site 255 days slower than the fastest is as good as none). */
#define AVAILABILITY_DAY_BUCKETS 256

bool availability_site_ships(const struct availability_site *site)
{
    ASSERT(site != NULL);
    return site->active && (site->capabilities & (LOCATION_CAP_SHIP | LOCATION_CAP_DROPSHIP)) != 0;
}

int64_t availability_transit_days(const struct availability_where *where, double km)
{
    ASSERT(where != NULL);
    ASSERT(km >= 0);
    int64_t best = INT64_MAX;
    for (size_t s = 0; s < where->services_count; s++) {
        const struct routing_service *service = &where->services[s];
        for (size_t b = 0; b < service->transit_count; b++) {
            if ((double)service->transit[b].max_km >= km) {
                best = service->transit[b].days < best ? service->transit[b].days : best;
                break;
            }
        }
    }
    if (best != INT64_MAX) {
        return best;
    }
    struct routing_settings defaults;
    const struct routing_settings *settings = where->settings;
    if (settings == NULL) {
        routing_settings_default(&defaults);
        settings = &defaults;
    }
    int64_t km_per_day = settings->default_km_per_day > 0 ? settings->default_km_per_day : 800;
    return 1 + (int64_t)(km / (double)km_per_day);
}

void availability_routes(const struct availability_site *sites, size_t count,
                         const struct availability_where *where, struct availability_route *routes)
{
    ASSERT(sites != NULL || count == 0);
    ASSERT(where != NULL && (routes != NULL || count == 0));
    struct routing_settings defaults;
    routing_settings_default(&defaults);
    const struct routing_settings *settings = where->settings != NULL ? where->settings : &defaults;
    for (size_t i = 0; i < count; i++) {
        const struct availability_site *site = &sites[i];
        struct availability_route *route = &routes[i];
        route->distance_km = -1;
        double km = (double)settings->unknown_distance_km;
        if (where->has_destination && site->has_coords) {
            route->distance_km = geo_distance_km(site->lat, site->lon, where->lat, where->lon);
            km = route->distance_km;
        }
        int cutoff = site->cutoff_minute >= 0 && site->cutoff_minute < 1440
                         ? site->cutoff_minute
                         : LOCATION_CUTOFF_MINUTE_DEFAULT;
        int handling = site->handling_days >= 0 && site->handling_days <= HANDLING_DAYS_MAX
                           ? site->handling_days
                           : 0;
        route->ship_by_ms = order_promise_ship_by(where->now_ms, cutoff, handling);
        route->transit_days = availability_transit_days(where, km);
        route->delivery_day = date_day_of_ms(route->ship_by_ms) + route->transit_days;
    }
}

/* a before b among pickup stores: nearer (unknown distance last), then priority, then code. */
static bool availability_nearer(const struct availability_network *network, size_t a, size_t b)
{
    double da = network->routes[a].distance_km;
    double db = network->routes[b].distance_km;
    if ((da < 0) != (db < 0)) {
        return db < 0;
    }
    if (da != db) {
        return da < db;
    }
    if (network->sites[a].priority != network->sites[b].priority) {
        return network->sites[a].priority < network->sites[b].priority;
    }
    return strcmp(network->sites[a].code, network->sites[b].code) < 0;
}

/* Keeps the AVAILABILITY_PICKUP_MAX nearest pickup sites holding qty, nearest first. */
static void availability_pickups(const struct availability_network *network, const int64_t *net,
                                 int64_t qty, struct availability_answer *out)
{
    out->pickup_count = 0;
    for (size_t i = 0; i < network->count; i++) {
        const struct availability_site *site = &network->sites[i];
        if (!site->active || (site->capabilities & LOCATION_CAP_PICKUP) == 0 || net[i] < qty) {
            continue;
        }
        size_t at = out->pickup_count;
        while (at > 0 && availability_nearer(network, i, out->pickup[at - 1])) {
            at--;
        }
        if (at >= AVAILABILITY_PICKUP_MAX) {
            continue;
        }
        size_t last = out->pickup_count < AVAILABILITY_PICKUP_MAX ? out->pickup_count
                                                                  : AVAILABILITY_PICKUP_MAX - 1;
        for (size_t k = last; k > at; k--) {
            out->pickup[k] = out->pickup[k - 1];
            out->pickup_units[k] = out->pickup_units[k - 1];
        }
        out->pickup[at] = i;
        out->pickup_units[at] = net[i];
        out->pickup_count = last + 1;
    }
    ASSERT(out->pickup_count <= AVAILABILITY_PICKUP_MAX);
}

/* The earliest day by which sites that ship hold qty units together, and the one site that
 * alone holds them by then (or SIZE_MAX). */
static void availability_ship_promise(const struct availability_network *network,
                                      const int64_t *net, int64_t qty,
                                      struct availability_answer *out)
{
    int64_t first = INT64_MAX;
    for (size_t i = 0; i < network->count; i++) {
        if (net[i] > 0 && availability_site_ships(&network->sites[i])) {
            int64_t day = network->routes[i].delivery_day;
            first = day < first ? day : first;
        }
    }
    out->can_ship = false;
    out->ship_site = SIZE_MAX;
    if (first == INT64_MAX || out->available < qty) {
        return;
    }
    int64_t buckets[AVAILABILITY_DAY_BUCKETS];
    memset(buckets, 0, sizeof(buckets));
    for (size_t i = 0; i < network->count; i++) {
        if (net[i] > 0 && availability_site_ships(&network->sites[i])) {
            int64_t offset = network->routes[i].delivery_day - first;
            offset = offset < AVAILABILITY_DAY_BUCKETS ? offset : AVAILABILITY_DAY_BUCKETS - 1;
            buckets[offset] += net[i];
        }
    }
    int64_t sum = 0;
    int64_t b = 0;
    while (b < AVAILABILITY_DAY_BUCKETS - 1 && sum + buckets[b] < qty) {
        sum += buckets[b];
        b++;
    }
    out->can_ship = true;
    out->delivery_day = first + b;
    for (size_t i = 0; i < network->count; i++) {
        if (net[i] >= qty && availability_site_ships(&network->sites[i]) &&
            network->routes[i].delivery_day <= out->delivery_day &&
            (out->ship_site == SIZE_MAX || availability_nearer(network, i, out->ship_site))) {
            out->ship_site = i;
        }
    }
}

void availability_answer(const struct availability_network *network, const int64_t *units,
                         int64_t hold_back, int64_t qty, int64_t *net,
                         struct availability_answer *out)
{
    ASSERT(network != NULL && out != NULL);
    ASSERT(units != NULL || network->count == 0);
    ASSERT(net != NULL || network->count == 0);
    ASSERT(qty >= 1);
    memset(out, 0, sizeof(*out));
    int64_t held = hold_back > 0 ? hold_back : 0;
    for (size_t i = 0; i < network->count; i++) {
        net[i] = units[i] - held > 0 ? units[i] - held : 0;
        if (availability_site_ships(&network->sites[i])) {
            out->available += net[i];
            out->dropship_available += network->sites[i].supplier ? net[i] : 0;
        }
    }
    availability_ship_promise(network, net, qty, out);
    availability_pickups(network, net, qty, out);
}

/* a before b when a hold takes stock: earlier delivery, then nearer, priority, code. */
static bool availability_first(const struct availability_network *network, size_t a, size_t b)
{
    if (network->routes[a].delivery_day != network->routes[b].delivery_day) {
        return network->routes[a].delivery_day < network->routes[b].delivery_day;
    }
    return availability_nearer(network, a, b);
}

size_t availability_rank(const struct availability_network *network, size_t *order)
{
    ASSERT(network != NULL);
    ASSERT(order != NULL || network->count == 0);
    size_t n = 0;
    /* Insertion sort: a hold ranks once, over a network of at most LOCATIONS_MAX sites. */
    for (size_t i = 0; i < network->count; i++) {
        if (!availability_site_ships(&network->sites[i])) {
            continue;
        }
        size_t at = n;
        while (at > 0 && availability_first(network, i, order[at - 1])) {
            order[at] = order[at - 1];
            at--;
        }
        order[at] = i;
        n++;
    }
    ASSERT(n <= network->count);
    return n;
}

int64_t availability_take(const size_t *order, size_t count, const int64_t *net, int64_t qty,
                          int64_t *taken)
{
    ASSERT(order != NULL || count == 0);
    ASSERT(net != NULL && taken != NULL);
    ASSERT(qty >= 0);
    int64_t left = qty;
    for (size_t k = 0; k < count && left > 0; k++) {
        size_t i = order[k];
        int64_t take = net[i] < left ? net[i] : left;
        if (take > 0) {
            taken[i] += take;
            left -= take;
        }
    }
    ASSERT(left >= 0 && left <= qty);
    return left;
}

/* ---- soft holds -------------------------------------------------------------------------- */

static const char *const hold_status_names[HOLD_STATUS_COUNT] = {
    [HOLD_STATUS_ACTIVE] = "active",
    [HOLD_STATUS_RELEASED] = "released",
    [HOLD_STATUS_CONSUMED] = "consumed",
    [HOLD_STATUS_EXPIRED] = "expired",
};

const char *hold_status_name(enum hold_status status)
{
    ASSERT((int)status >= 0);
    ASSERT(status < HOLD_STATUS_COUNT);
    return hold_status_names[status];
}

bool hold_status_parse(const char *name, enum hold_status *out)
{
    ASSERT(out != NULL);
    for (int i = 0; name != NULL && i < HOLD_STATUS_COUNT; i++) {
        if (strcmp(name, hold_status_names[i]) == 0) {
            *out = (enum hold_status)i;
            return true;
        }
    }
    return false;
}

bool hold_is_expired(enum hold_status status, int64_t expires_at_ms, int64_t now_ms)
{
    ASSERT((int)status >= 0 && status < HOLD_STATUS_COUNT);
    return status == HOLD_STATUS_EXPIRED ||
           (status == HOLD_STATUS_ACTIVE && expires_at_ms <= now_ms);
}

/* "lines[<index>].<member>" into out (at least 48 bytes), without stdio. */
static void hold_line_field(char *out, size_t out_size, size_t index, const char *member)
{
    ASSERT(out != NULL && out_size >= 48);
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0 && n < sizeof(digits));
    size_t used = str_copy(out, out_size, "lines[");
    for (size_t i = 0; i < n && used + 1 < out_size; i++) {
        out[used++] = digits[n - 1 - i];
    }
    out[used] = '\0';
    used += str_copy(out + used, out_size - used, "].");
    (void)str_copy(out + used, out_size - used, member);
}

enum err_code hold_validate(const struct hold_request_line *lines, size_t lines_count,
                            int64_t ttl_seconds, struct err *err)
{
    ASSERT(lines != NULL || lines_count == 0);
    ASSERT(err != NULL);
    if (lines_count == 0 || lines_count > HOLD_LINES_MAX) {
        return err_set(err, ERR_INVALID, "lines", "a hold needs 1 to %d lines, got %zu",
                       HOLD_LINES_MAX, lines_count);
    }
    if (ttl_seconds < HOLD_TTL_SECONDS_MIN || ttl_seconds > HOLD_TTL_SECONDS_MAX) {
        return err_set(err, ERR_INVALID, "ttl_seconds",
                       "ttl_seconds must be %d to %d, got %" PRId64, HOLD_TTL_SECONDS_MIN,
                       HOLD_TTL_SECONDS_MAX, ttl_seconds);
    }
    for (size_t i = 0; i < lines_count; i++) {
        char field[48];
        if (!product_sku_is_valid(lines[i].sku)) {
            hold_line_field(field, sizeof(field), i, "sku");
            return err_set(err, ERR_INVALID, field, "sku must be 1 to %d printable characters",
                           SKU_LEN_MAX);
        }
        if (lines[i].qty < 1 || lines[i].qty > QTY_MAX) {
            hold_line_field(field, sizeof(field), i, "qty");
            return err_set(err, ERR_INVALID, field, "qty must be 1 to %d, got %" PRId64, QTY_MAX,
                           lines[i].qty);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(lines[j].sku, lines[i].sku) == 0) {
                hold_line_field(field, sizeof(field), i, "sku");
                return err_set(err, ERR_INVALID, field, "sku '%s' is already on line %zu",
                               lines[i].sku, j);
            }
        }
    }
    return ERR_OK;
}
