/*
 * routing_cost.c — the settings of the routing engine and the price of one parcel: the
 * cheapest fitting carrier service with its lateness, or the distance-and-weight estimate.
 * The price never falls when distance, weight or handling days grow (the estimate is at
 * least the dearest fitting price and lateness), which the search's bound and its pruning of
 * dominated candidates rely on.
 */
#include "core/routing_int.h"

#include <string.h>

#include "core/geo.h"
#include "core/limits.h"
#include "core/location.h"
#include "lib/str.h"

/* field + "." + member into out (core formats without stdio). */
static void routing_field(char *out, size_t out_size, const char *field, const char *member)
{
    ASSERT(out != NULL && out_size > 0);
    ASSERT(field != NULL && member != NULL);
    size_t used = str_copy(out, out_size, field);
    if (used + 1 < out_size) {
        out[used++] = '.';
        out[used] = '\0';
        (void)str_copy(out + used, out_size - used, member);
    }
}

const char *const routing_settings_names[] = {
    "split_penalty",  "lateness_penalty_per_day", "default_base",        "default_per_100km",
    "default_per_kg", "default_km_per_day",       "unknown_distance_km", "promise_days",
    "max_shipments",
};
const size_t routing_settings_names_count =
    sizeof(routing_settings_names) / sizeof(routing_settings_names[0]);

int64_t *routing_settings_at(struct routing_settings *settings, size_t index)
{
    ASSERT(settings != NULL);
    ASSERT(index < routing_settings_names_count);
    int64_t *fields[] = {
        &settings->split_penalty,       &settings->lateness_penalty_per_day,
        &settings->default_base,        &settings->default_per_100km,
        &settings->default_per_kg,      &settings->default_km_per_day,
        &settings->unknown_distance_km, &settings->promise_days,
        &settings->max_shipments,
    };
    static_assert(sizeof(fields) / sizeof(fields[0]) == 9, "one field per name");
    return fields[index];
}

void routing_settings_default(struct routing_settings *settings)
{
    ASSERT(settings != NULL);
    *settings = (struct routing_settings){
        .split_penalty = 300,
        .lateness_penalty_per_day = 500,
        .default_base = 600,
        .default_per_100km = 50,
        .default_per_kg = 80,
        .default_km_per_day = 800,
        .unknown_distance_km = 4000,
        .promise_days = 5,
        .max_shipments = 0,
    };
    ASSERT(settings->default_km_per_day > 0);
}

static enum err_code routing_check_range(const char *field, int64_t value, int64_t low,
                                         int64_t high, struct err *err)
{
    if (value < low || value > high) {
        return err_set(err, ERR_INVALID, field,
                       "%s must be between %" PRId64 " and %" PRId64 ", got %" PRId64, field, low,
                       high, value);
    }
    return ERR_OK;
}

enum err_code routing_settings_validate(const struct routing_settings *settings, struct err *err)
{
    ASSERT(settings != NULL);
    ASSERT(err != NULL);

    const struct {
        const char *field;
        int64_t value;
        int64_t low;
        int64_t high;
    } checks[] = {
        {"split_penalty", settings->split_penalty, 0, ROUTING_PENALTY_MAX},
        {"lateness_penalty_per_day", settings->lateness_penalty_per_day, 0, ROUTING_PENALTY_MAX},
        {"default_base", settings->default_base, 0, ROUTING_PENALTY_MAX},
        {"default_per_100km", settings->default_per_100km, 0, ROUTING_PENALTY_MAX},
        {"default_per_kg", settings->default_per_kg, 0, ROUTING_PENALTY_MAX},
        {"default_km_per_day", settings->default_km_per_day, 1, ROUTING_DISTANCE_KM_MAX},
        {"unknown_distance_km", settings->unknown_distance_km, 0, ROUTING_DISTANCE_KM_MAX},
        {"promise_days", settings->promise_days, 0, 365},
        {"max_shipments", settings->max_shipments, 0, ORDER_LINES_MAX},
    };

    for (size_t i = 0; i < sizeof(checks) / sizeof(checks[0]); i++) {
        enum err_code code = routing_check_range(checks[i].field, checks[i].value, checks[i].low,
                                                 checks[i].high, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

static enum err_code routing_bands_validate(const struct routing_service *service,
                                            const char *field, struct err *err)
{
    char name[ERR_FIELD_LEN_MAX];
    routing_field(name, sizeof(name), field, "transit_days_by_distance");
    if (service->transit_count < 1 || service->transit_count > ROUTING_BANDS_MAX) {
        return err_set(err, ERR_INVALID, name,
                       "transit_days_by_distance needs 1 to %d bands, got %zu", ROUTING_BANDS_MAX,
                       service->transit_count);
    }
    for (size_t i = 0; i < service->transit_count; i++) {
        const struct routing_transit *band = &service->transit[i];
        if (band->max_km < 1 || band->max_km > ROUTING_BAND_KM_MAX) {
            return err_set(err, ERR_INVALID, name,
                           "band %zu: max_km must be between 1 and %d, got %" PRId64, i,
                           ROUTING_BAND_KM_MAX, band->max_km);
        }
        if (band->days < 0 || band->days > 365) {
            return err_set(err, ERR_INVALID, name,
                           "band %zu: days must be between 0 and 365, got %" PRId64, i, band->days);
        }
        if (i > 0 && (band->max_km <= service->transit[i - 1].max_km ||
                      band->days < service->transit[i - 1].days)) {
            return err_set(err, ERR_INVALID, name,
                           "band %zu: bands must grow, max_km strictly and days never fewer", i);
        }
    }
    return ERR_OK;
}

enum err_code routing_service_validate(const struct routing_service *service, const char *field,
                                       struct err *err)
{
    ASSERT(service != NULL && field != NULL);
    ASSERT(err != NULL);
    enum err_code code = routing_bands_validate(service, field, err);
    if (code != ERR_OK) {
        return code;
    }
    char name[ERR_FIELD_LEN_MAX];
    routing_field(name, sizeof(name), field, "rates");
    if (service->rates_count < 1 || service->rates_count > ROUTING_BANDS_MAX) {
        return err_set(err, ERR_INVALID, name, "rates needs 1 to %d entries, got %zu",
                       ROUTING_BANDS_MAX, service->rates_count);
    }
    for (size_t i = 0; i < service->rates_count; i++) {
        const struct routing_rate *rate = &service->rates[i];
        if (rate->max_km < 1 || rate->max_km > ROUTING_BAND_KM_MAX) {
            return err_set(err, ERR_INVALID, name,
                           "rate %zu: max_km must be between 1 and %d, got %" PRId64, i,
                           ROUTING_BAND_KM_MAX, rate->max_km);
        }
        if (rate->max_grams < 1 || rate->max_grams > 10000000) {
            return err_set(err, ERR_INVALID, name,
                           "rate %zu: max_grams must be between 1 and 10000000, got %" PRId64, i,
                           rate->max_grams);
        }
        if (rate->price < 0 || rate->price > ROUTING_PENALTY_MAX) {
            return err_set(err, ERR_INVALID, name,
                           "rate %zu: price must be between 0 and %lld, got %" PRId64, i,
                           ROUTING_PENALTY_MAX, rate->price);
        }
    }
    return ERR_OK;
}

/* "services[i]" into out. */
static void routing_service_field(char *out, size_t out_size, size_t index)
{
    ASSERT(out != NULL && out_size >= 32);
    char digits[24];
    size_t n = 0;
    do {
        digits[n++] = (char)('0' + index % 10);
        index /= 10;
    } while (index > 0 && n < sizeof(digits));
    size_t used = str_copy(out, out_size, "services[");
    for (size_t i = 0; i < n && used + 2 < out_size; i++) {
        out[used++] = digits[n - 1 - i];
    }
    out[used++] = ']';
    out[used] = '\0';
}

enum err_code routing_carrier_validate(const struct routing_carrier *carrier, struct err *err)
{
    ASSERT(carrier != NULL);
    ASSERT(err != NULL);
    if (carrier->code == NULL || !location_code_is_valid(carrier->code)) {
        return err_set(err, ERR_INVALID, "code",
                       "code must be 1 to %d characters of A-Z a-z 0-9 . _ -", CODE_LEN_MAX);
    }
    if (carrier->name != NULL &&
        (carrier->name[0] == '\0' || strlen(carrier->name) > NAME_LEN_MAX)) {
        return err_set(err, ERR_INVALID, "name", "name must be 1 to %d characters", NAME_LEN_MAX);
    }
    if (carrier->services_count < 1 || carrier->services_count > ROUTING_SERVICES_MAX) {
        return err_set(err, ERR_INVALID, "services", "a carrier needs 1 to %d services, got %zu",
                       ROUTING_SERVICES_MAX, carrier->services_count);
    }
    char field[ERR_FIELD_LEN_MAX];
    for (size_t i = 0; i < carrier->services_count; i++) {
        const struct routing_service *service = &carrier->services[i];
        routing_service_field(field, sizeof(field), i);
        char code_field[ERR_FIELD_LEN_MAX];
        routing_field(code_field, sizeof(code_field), field, "code");
        if (service->code == NULL || !location_code_is_valid(service->code)) {
            return err_set(err, ERR_INVALID, code_field,
                           "service code must be 1 to %d characters of A-Z a-z 0-9 . _ -",
                           CODE_LEN_MAX);
        }
        for (size_t j = 0; j < i; j++) {
            if (strcmp(carrier->services[j].code, service->code) == 0) {
                return err_set(err, ERR_INVALID, code_field, "service '%s' appears twice",
                               service->code);
            }
        }
        enum err_code code = routing_service_validate(service, field, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

double routing_distance_km(const struct routing_request *request, size_t c, bool *known)
{
    ASSERT(request != NULL && known != NULL);
    ASSERT(c < request->candidates_count);
    const struct routing_candidate *candidate = &request->candidates[c];
    *known = request->has_destination && candidate->has_coords &&
             geo_coords_are_valid(candidate->lat, candidate->lon) &&
             geo_coords_are_valid(request->destination_lat, request->destination_lon);
    return *known ? geo_distance_km(candidate->lat, candidate->lon, request->destination_lat,
                                    request->destination_lon)
                  : -1.0;
}

static int64_t routing_late(const struct routing_settings *settings, int64_t days)
{
    int64_t late = days - settings->promise_days;
    return late > 0 ? late * settings->lateness_penalty_per_day : 0;
}

/* The estimate when no service fits, floored by the dearest fitting price and lateness. */
static void routing_estimate(const struct routing_request *request,
                             const struct routing_parcel *parcel, struct routing_quote *quote)
{
    const struct routing_settings *s = parcel->settings;
    int64_t kg = (parcel->weight_grams + 999) / 1000;
    int64_t price = s->default_base + (int64_t)((double)s->default_per_100km * parcel->km / 100.0) +
                    s->default_per_kg * kg;
    int64_t days =
        parcel->handling_days + 1 + (int64_t)(parcel->km / (double)s->default_km_per_day);
    int64_t late = routing_late(s, days);
    int64_t price_floor = 0;
    int64_t late_floor = 0;
    for (size_t i = 0; i < request->services_count; i++) {
        const struct routing_service *service = &request->services[i];
        for (size_t r = 0; r < service->rates_count; r++) {
            price_floor =
                service->rates[r].price > price_floor ? service->rates[r].price : price_floor;
        }
        int64_t slowest = service->transit[service->transit_count - 1].days;
        int64_t l = routing_late(s, parcel->handling_days + slowest);
        late_floor = l > late_floor ? l : late_floor;
    }
    quote->shipping = price > price_floor ? price : price_floor;
    quote->lateness = late > late_floor ? late : late_floor;
    quote->days = days;
    quote->service_index = SIZE_MAX;
}

void routing_quote_parcel(const struct routing_request *request,
                          const struct routing_parcel *parcel, struct routing_quote *quote)
{
    ASSERT(request != NULL && parcel != NULL);
    ASSERT(quote != NULL && parcel->weight_grams >= 0);
    if (request->method == FULFILLMENT_PICKUP) {
        *quote = (struct routing_quote){.service_index = SIZE_MAX};
        return;
    }
    int64_t best = INT64_MAX;
    for (size_t i = 0; i < request->services_count; i++) {
        const struct routing_service *service = &request->services[i];
        size_t b = 0;
        while (b < service->transit_count && (double)service->transit[b].max_km < parcel->km) {
            b++;
        }
        if (b == service->transit_count) {
            continue;
        }
        int64_t days = parcel->handling_days + service->transit[b].days;
        int64_t late = routing_late(parcel->settings, days);
        for (size_t r = 0; r < service->rates_count; r++) {
            const struct routing_rate *rate = &service->rates[r];
            if ((double)rate->max_km >= parcel->km && rate->max_grams >= parcel->weight_grams &&
                rate->price + late < best) {
                best = rate->price + late;
                *quote = (struct routing_quote){rate->price, late, days, i};
            }
        }
    }
    if (best == INT64_MAX) {
        routing_estimate(request, parcel, quote);
    }
}

void routing_shipping_cost(const struct routing_request *request, size_t c, int64_t weight_grams,
                           struct routing_terms *terms, size_t *service_index, int64_t *days)
{
    ASSERT(request != NULL && terms != NULL);
    ASSERT(service_index != NULL && days != NULL);
    struct routing_settings defaults;
    routing_settings_default(&defaults);
    const struct routing_settings *settings =
        request->settings != NULL ? request->settings : &defaults;
    bool known = false;
    double km = routing_distance_km(request, c, &known);
    struct routing_parcel parcel = {
        .settings = settings,
        .km = known ? km : (double)settings->unknown_distance_km,
        .handling_days = request->candidates[c].handling_days,
        .weight_grams = weight_grams,
    };
    struct routing_quote quote;
    routing_quote_parcel(request, &parcel, &quote);
    *terms = (struct routing_terms){.shipping = quote.shipping, .lateness = quote.lateness};
    terms->total = quote.shipping + quote.lateness;
    *service_index = quote.service_index;
    *days = quote.days;
}
