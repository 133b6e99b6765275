/*
 * demo.c — the demo store of `ordo demo`, built only through the app's own use cases, as an
 * operator and the channels would: locations, catalog, stock, then orders in time order.
 * Deterministic for a seed (splitmix64; never libc rand). Every order must succeed, so the
 * orders are planned first and each location is stocked above the whole planned demand.
 */
#include "app/app.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#include "core/geo.h"
#include "core/money.h"
#include "lib/date.h"
#include "lib/log.h"

#define DEMO_DAYS           60
#define DEMO_CONSUMERS      300 /* e-mails in the pool, so customers repeat */
#define DEMO_LOYAL          40  /* the first ones order more often */
#define DEMO_LINES_MAX      4
#define DEMO_PICK_TRIES     16                        /* draws to find distinct SKUs for an order */
#define DEMO_SCRATCH_BYTES  ((size_t)4 * 1024 * 1024) /* one order's input and results */
#define DEMO_MINUTE_MS      60000LL
#define DEMO_FREE_SHIPPING  7500 /* minor units of subtotal from which shipping is free */
#define DEMO_SUPPLIER_STOCK 5000 /* on hand at the drop-ship supplier, above the demand */
#define DEMO_STORE_SAFETY   2

/* ---- the store's fixed data --------------------------------------------------------------- */

struct demo_location {
    const char *code;
    const char *name;
    const char *line1;
    const char *city;
    const char *region;
    const char *postal_code;
    double lat; /* degrees: the ZIP centroid of the embedded postal table */
    double lon;
    enum location_kind kind;
    unsigned capabilities;
    int64_t capacity_per_day; /* shipments */
    int64_t handling_cost;    /* minor units per shipment */
    int64_t priority;
    int cutoff_minute; /* of the UTC day */
    int handling_days;
};

enum { DEMO_DC_EAST, DEMO_DC_WEST, DEMO_STORE_NYC, DEMO_STORE_CHI, DEMO_SUPPLIER };

static const struct demo_location demo_locations[] = {
    [DEMO_DC_EAST] = {"DC-EAST", "Newark distribution center", "500 Port St", "Newark", "NJ",
                      "07114", 40.7082, -74.1891, LOCATION_KIND_WAREHOUSE,
                      LOCATION_CAP_SHIP | LOCATION_CAP_RETURN, 5000, 150, 10, 1200, 0},
    [DEMO_DC_WEST] = {"DC-WEST", "Reno distribution center", "4800 Longley Ln", "Reno", "NV",
                      "89502", 39.4972, -119.7764, LOCATION_KIND_WAREHOUSE,
                      LOCATION_CAP_SHIP | LOCATION_CAP_RETURN, 4000, 140, 20, 1380, 0},
    [DEMO_STORE_NYC] = {"STORE-NYC", "New York 34th Street store", "350 W 34th St", "New York",
                        "NY", "10001", 40.7484, -73.9967, LOCATION_KIND_STORE,
                        LOCATION_CAP_SHIP | LOCATION_CAP_PICKUP | LOCATION_CAP_RETURN, 300, 250, 30,
                        1260, 0},
    [DEMO_STORE_CHI] = {"STORE-CHI", "Chicago Michigan Avenue store", "151 N Michigan Ave",
                        "Chicago", "IL", "60601", 41.8858, -87.6181, LOCATION_KIND_STORE,
                        LOCATION_CAP_SHIP | LOCATION_CAP_PICKUP | LOCATION_CAP_RETURN, 300, 250, 30,
                        1320, 0},
    [DEMO_SUPPLIER] = {"SUP-ACME", "Acme Home Furnishings (drop-ship)", "2200 Ross Ave", "Dallas",
                       "TX", "75201", 32.7904, -96.8044, LOCATION_KIND_SUPPLIER,
                       LOCATION_CAP_DROPSHIP, 200, 500, 50, 960, 2},
};

struct demo_product {
    const char *sku;
    const char *name;
    int64_t price; /* USD cents */
    int64_t weight_grams;
    unsigned popularity; /* relative weight when drawing order lines */
    bool dropship;       /* stocked only at SUP-ACME */
};

static const struct demo_product demo_products[] = {
    {"TEE-CREW-BLK-S", "Crew T-shirt black S", 1999, 180, 12, false},
    {"TEE-CREW-BLK-M", "Crew T-shirt black M", 1999, 190, 30, false},
    {"TEE-CREW-BLK-L", "Crew T-shirt black L", 1999, 200, 28, false},
    {"TEE-CREW-BLK-XL", "Crew T-shirt black XL", 1999, 215, 12, false},
    {"TEE-CREW-WHT-S", "Crew T-shirt white S", 1999, 180, 10, false},
    {"TEE-CREW-WHT-M", "Crew T-shirt white M", 1999, 190, 24, false},
    {"TEE-CREW-WHT-L", "Crew T-shirt white L", 1999, 200, 22, false},
    {"TEE-CREW-WHT-XL", "Crew T-shirt white XL", 1999, 215, 9, false},
    {"HOODIE-GRY-S", "Pullover hoodie heather grey S", 4999, 600, 8, false},
    {"HOODIE-GRY-M", "Pullover hoodie heather grey M", 4999, 640, 18, false},
    {"HOODIE-GRY-L", "Pullover hoodie heather grey L", 4999, 680, 17, false},
    {"HOODIE-GRY-XL", "Pullover hoodie heather grey XL", 4999, 720, 8, false},
    {"JEANS-SLIM-30", "Slim-fit jeans indigo 30x32", 6900, 650, 8, false},
    {"JEANS-SLIM-32", "Slim-fit jeans indigo 32x32", 6900, 680, 11, false},
    {"JEANS-SLIM-34", "Slim-fit jeans indigo 34x32", 6900, 710, 9, false},
    {"SOCK-WOOL-3PK", "Merino wool socks, 3 pairs", 1800, 150, 20, false},
    {"MUG-CERAMIC-WHT", "Ceramic mug 12 oz white", 1200, 350, 40, false},
    {"MUG-CERAMIC-BLU", "Ceramic mug 12 oz blue", 1200, 350, 25, false},
    {"MUG-TRAVEL-STL", "Stainless travel mug 16 oz", 2499, 300, 18, false},
    {"BOTTLE-WATER-750", "Insulated water bottle 750 ml", 2999, 400, 22, false},
    {"TOWEL-BATH-WHT", "Cotton bath towel white", 1999, 600, 12, false},
    {"TOWEL-HAND-GRY", "Cotton hand towel grey", 999, 200, 10, false},
    {"PILLOW-THROW-18", "Linen throw pillow 18 in", 2999, 500, 8, false},
    {"BLANKET-FLEECE", "Fleece throw blanket 50x60 in", 3999, 900, 10, false},
    {"CANDLE-SOY-VAN", "Soy candle vanilla 8 oz", 1800, 400, 15, false},
    {"CANDLE-SOY-CED", "Soy candle cedarwood 8 oz", 1800, 400, 12, false},
    {"PLATE-DINNER-4PK", "Stoneware dinner plates, set of 4", 4499, 2800, 5, false},
    {"KNIFE-CHEF-8", "Chef's knife 8 in", 5999, 250, 6, false},
    {"BOARD-CUTTING-BAM", "Bamboo cutting board", 2499, 900, 8, false},
    {"SKILLET-CI-10", "Cast-iron skillet 10 in", 3499, 2400, 7, false},
    {"COFFEE-BEANS-1LB", "Whole-bean coffee, medium roast, 1 lb", 1599, 470, 35, false},
    {"TEA-GREEN-50", "Green tea, 50 bags", 899, 120, 14, false},
    {"LAMP-DESK-LED", "LED desk lamp", 3999, 1200, 6, false},
    {"PLANTER-CERAMIC-6", "Ceramic planter 6 in", 2299, 900, 9, false},
    {"CABLE-USBC-2M", "USB-C cable 2 m", 1299, 60, 30, false},
    {"CHARGER-USBC-30W", "USB-C wall charger 30 W", 2999, 120, 20, false},
    {"EARBUDS-WL", "Wireless earbuds", 7999, 60, 12, false},
    {"SPEAKER-BT-MINI", "Mini Bluetooth speaker", 4999, 350, 8, false},
    {"BACKPACK-DAY-20L", "Daypack 20 L", 5999, 700, 9, false},
    {"TOTE-CANVAS", "Canvas tote bag", 1599, 250, 16, false},
    {"NOTEBOOK-A5-DOT", "Dot-grid notebook A5", 1299, 300, 18, false},
    {"YOGA-MAT-6MM", "Yoga mat 6 mm", 3499, 1800, 10, false},
    {"SOFA-3SEAT-GRY", "Three-seat sofa grey", 89900, 45000, 1, true},
    {"DESK-STANDING-48", "Standing desk 48 in", 49900, 30000, 2, true},
    {"GRILL-GAS-3B", "Gas grill, 3 burners", 39900, 38000, 1, true},
};

#define DEMO_PRODUCTS_COUNT ARRAY_LEN(demo_products)
#define DEMO_FALLBACK_ITEM  16 /* MUG-CERAMIC-WHT: an order always gets at least one line */

struct demo_component {
    const char *sku;
    int64_t qty;
};

struct demo_kit {
    const char *sku;
    const char *name;
    int64_t price;
    unsigned popularity;
    struct demo_component components[3];
    size_t components_count;
};

static const struct demo_kit demo_kits[] = {
    {"KIT-MUG-GIFT",
     "Coffee lover's gift set",
     3999,
     12,
     {{"MUG-CERAMIC-WHT", 2}, {"COFFEE-BEANS-1LB", 1}},
     2},
    {"KIT-BATH-SET", "Bath towel set", 4999, 6, {{"TOWEL-BATH-WHT", 2}, {"TOWEL-HAND-GRY", 2}}, 2},
    {"KIT-COZY-NIGHT",
     "Cozy night bundle",
     7999,
     5,
     {{"BLANKET-FLEECE", 1}, {"CANDLE-SOY-VAN", 1}, {"PILLOW-THROW-18", 1}},
     3},
    {"KIT-TEE-3PK-M",
     "Crew T-shirt 3-pack M",
     4999,
     8,
     {{"TEE-CREW-BLK-M", 2}, {"TEE-CREW-WHT-M", 1}},
     2},
    {"KIT-KITCHEN",
     "Kitchen starter set",
     10999,
     4,
     {{"KNIFE-CHEF-8", 1}, {"BOARD-CUTTING-BAM", 1}, {"SKILLET-CI-10", 1}},
     3},
};

#define DEMO_ITEMS_COUNT (DEMO_PRODUCTS_COUNT + ARRAY_LEN(demo_kits))
static_assert(DEMO_ITEMS_COUNT == 50, "the demo catalog has 50 products");

struct demo_channel {
    const char *code;
    const char *id_prefix;     /* of the channel's own order ids */
    unsigned weight;           /* share of orders, percent */
    unsigned pickup_per_mille; /* orders picked up in a store */
    bool business;             /* b2b: business customers, larger quantities */
};

static const struct demo_channel demo_channels[] = {
    {"web", "WEB-", 52, 40, false},       {"amazon-us", "113-", 18, 0, false},
    {"mobile", "APP-", 14, 30, false},    {"pos", "POS-", 6, 1000, false},
    {"marketplace", "MKT-", 4, 0, false}, {"b2b", "B2B-", 6, 0, true},
};

static const char *const demo_first_names[] = {
    "Ana",   "James",  "Maria",  "Robert", "Li",     "Aisha", "David",  "Sofia",
    "Kevin", "Emma",   "Carlos", "Olivia", "Daniel", "Priya", "Thomas", "Chloe",
    "Omar",  "Grace",  "Lucas",  "Hannah", "Mateo",  "Zoe",   "Ethan",  "Isabel",
    "Noah",  "Fatima", "Liam",   "Mei",    "Jacob",  "Nadia", "Ryan",   "Elena",
};

static const char *const demo_last_names[] = {
    "Diaz",   "Smith",  "Nguyen", "Johnson", "Garcia", "Brown",    "Kim",    "Patel",
    "Miller", "Lopez",  "Wilson", "Chen",    "Davis",  "Martin",   "Okafor", "Clark",
    "Lewis",  "Walker", "Young",  "Allen",   "King",   "Wright",   "Scott",  "Green",
    "Baker",  "Adams",  "Nelson", "Hill",    "Ramos",  "Campbell", "Singh",  "Rossi",
};

struct demo_company {
    const char *name;
    const char *email;
};

static const struct demo_company demo_companies[] = {
    {"Brightside Cafe", "orders@brightsidecafe.example.com"},
    {"Harbor Yoga Studio", "purchasing@harboryoga.example.com"},
    {"Maple Street Inn", "frontdesk@maplestreetinn.example.com"},
    {"Northwind Offices", "facilities@northwind.example.com"},
    {"Cedar Ridge School", "supplies@cedarridge.example.org"},
    {"Lakeview Dental", "office@lakeviewdental.example.com"},
    {"Summit Coworking", "ops@summitcowork.example.com"},
    {"Blue Door Boutique", "buyer@bluedoor.example.com"},
};

#define DEMO_CUSTOMERS_COUNT (DEMO_CONSUMERS + ARRAY_LEN(demo_companies))

static const char *const demo_streets[] = {
    "Maple", "Oak",    "Pine",   "Cedar",    "Elm",     "Washington", "Lake",   "Hill",
    "Main",  "Park",   "Walnut", "Spruce",   "Church",  "Highland",   "Union",  "Jefferson",
    "Mill",  "Spring", "River",  "Chestnut", "Lincoln", "Franklin",   "Market", "Center",
};

/* ---- the plan --------------------------------------------------------------------------- */

enum demo_action { DEMO_ACTION_NONE, DEMO_ACTION_CANCEL, DEMO_ACTION_HOLD };

struct demo_line_plan {
    size_t item; /* index into demo_products, then demo_kits */
    int64_t qty;
};

struct demo_order_plan {
    int64_t at_ms;
    size_t channel;      /* index into demo_channels */
    size_t customer;     /* index into the customer pool */
    size_t destination;  /* index into geo_postal_rows when shipped */
    int pickup_location; /* index into demo_locations, or -1 when shipped */
    struct demo_line_plan lines[DEMO_LINES_MAX];
    size_t lines_count;
    enum demo_action action;
};

struct demo_customer {
    const char *email;
    const char *name;
    enum customer_type type;
};

struct demo_rng {
    uint64_t state;
};

struct demo {
    struct app_ctx *ctx;
    struct demo_rng rng;
    int64_t setup_ms; /* locations, catalog and stock */
    int64_t first_order_ms;
    struct demo_customer *customers; /* [DEMO_CUSTOMERS_COUNT] */
    uint64_t *population_cumulative; /* [geo_postal_rows_count] */
    uint64_t population_total;
    unsigned popularity_cumulative[DEMO_ITEMS_COUNT];
    int64_t demand[DEMO_PRODUCTS_COUNT]; /* planned units of each product, kits expanded */
    struct demo_order_plan *plan;        /* [plan_count], by time */
    size_t plan_count;
};

/* ---- randomness (splitmix64) ------------------------------------------------------------ */

static uint64_t demo_next(struct demo_rng *rng)
{
    rng->state += 0x9E3779B97F4A7C15ull;
    uint64_t z = rng->state;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

/* Uniform in [0, n); the modulo bias is below 2^-40 for the n used here. */
static uint64_t demo_below(struct demo_rng *rng, uint64_t n)
{
    ASSERT(n > 0);
    return demo_next(rng) % n;
}

static int64_t demo_between(struct demo_rng *rng, int64_t low, int64_t high)
{
    ASSERT(low <= high);
    return low + (int64_t)demo_below(rng, (uint64_t)(high - low) + 1u);
}

/* ---- catalog helpers -------------------------------------------------------------------- */

static const char *demo_item_sku(size_t item)
{
    ASSERT(item < DEMO_ITEMS_COUNT);
    if (item < DEMO_PRODUCTS_COUNT) {
        return demo_products[item].sku;
    }
    return demo_kits[item - DEMO_PRODUCTS_COUNT].sku;
}

static int64_t demo_item_price(size_t item)
{
    ASSERT(item < DEMO_ITEMS_COUNT);
    if (item < DEMO_PRODUCTS_COUNT) {
        return demo_products[item].price;
    }
    return demo_kits[item - DEMO_PRODUCTS_COUNT].price;
}

static bool demo_item_is_dropship(size_t item)
{
    return item < DEMO_PRODUCTS_COUNT && demo_products[item].dropship;
}

static size_t demo_product_index(const char *sku)
{
    for (size_t i = 0; i < DEMO_PRODUCTS_COUNT; i++) {
        if (strcmp(demo_products[i].sku, sku) == 0) {
            return i;
        }
    }
    ASSERT(!"kit component is a demo product");
    return 0;
}

/* Adds qty units of an item to the planned demand, a kit as its components. */
static void demo_add_demand(struct demo *demo, size_t item, int64_t qty)
{
    ASSERT(item < DEMO_ITEMS_COUNT);
    ASSERT(qty > 0);
    if (item < DEMO_PRODUCTS_COUNT) {
        demo->demand[item] += qty;
        return;
    }
    const struct demo_kit *kit = &demo_kits[item - DEMO_PRODUCTS_COUNT];
    for (size_t c = 0; c < kit->components_count; c++) {
        demo->demand[demo_product_index(kit->components[c].sku)] += qty * kit->components[c].qty;
    }
}

/* ---- set-up: pools and cumulative weights ----------------------------------------------- */

static char *demo_lower(char *text)
{
    for (char *c = text; c != NULL && *c != '\0'; c++) {
        *c = (char)tolower((unsigned char)*c);
    }
    return text;
}

static enum err_code demo_init_customers(struct demo *demo, struct err *err)
{
    struct arena *arena = demo->ctx->arena;
    demo->customers = ARENA_NEW_ARRAY(arena, struct demo_customer, DEMO_CUSTOMERS_COUNT);
    if (demo->customers == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
    }
    for (size_t i = 0; i < DEMO_CONSUMERS; i++) {
        const char *first = demo_first_names[demo_below(&demo->rng, ARRAY_LEN(demo_first_names))];
        const char *last = demo_last_names[demo_below(&demo->rng, ARRAY_LEN(demo_last_names))];
        struct demo_customer *customer = &demo->customers[i];
        customer->name = arena_sprintf(arena, "%s %s", first, last);
        customer->email =
            demo_lower(arena_sprintf(arena, "%s.%s%zu@example.com", first, last, i + 1));
        customer->type = CUSTOMER_TYPE_CONSUMER;
        if (customer->name == NULL || customer->email == NULL) {
            return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(demo_companies); i++) {
        struct demo_customer *customer = &demo->customers[DEMO_CONSUMERS + i];
        customer->name = demo_companies[i].name;
        customer->email = demo_companies[i].email;
        customer->type = CUSTOMER_TYPE_BUSINESS;
    }
    return ERR_OK;
}

/* Cumulative population over the postal table, so a uniform draw lands where people live. */
static enum err_code demo_init_population(struct demo *demo, struct err *err)
{
    ASSERT(geo_postal_rows_count > 0);
    demo->population_cumulative =
        ARENA_NEW_ARRAY(demo->ctx->arena, uint64_t, geo_postal_rows_count);
    if (demo->population_cumulative == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
    }
    uint64_t total = 0;
    for (size_t i = 0; i < geo_postal_rows_count; i++) {
        total += geo_postal_rows[i].population;
        demo->population_cumulative[i] = total;
    }
    if (total == 0) {
        return err_set(err, ERR_INTERNAL, NULL, "demo: the postal table has no population");
    }
    demo->population_total = total;

    unsigned popularity = 0;
    for (size_t item = 0; item < DEMO_ITEMS_COUNT; item++) {
        popularity += item < DEMO_PRODUCTS_COUNT ? demo_products[item].popularity
                                                 : demo_kits[item - DEMO_PRODUCTS_COUNT].popularity;
        demo->popularity_cumulative[item] = popularity;
    }
    return ERR_OK;
}

/* ---- drawing an order ------------------------------------------------------------------- */

/* The postal row holding the draw-th person: the first row whose cumulative count passes it. */
static size_t demo_pick_destination(struct demo *demo)
{
    uint64_t draw = demo_below(&demo->rng, demo->population_total);
    size_t low = 0;
    size_t high = geo_postal_rows_count - 1;
    while (low < high) {
        size_t middle = low + (high - low) / 2;
        if (demo->population_cumulative[middle] > draw) {
            high = middle;
        } else {
            low = middle + 1;
        }
    }
    ASSERT(demo->population_cumulative[low] > draw);
    ASSERT(geo_postal_rows[low].population > 0);
    return low;
}

static size_t demo_pick_item(struct demo *demo)
{
    unsigned total = demo->popularity_cumulative[DEMO_ITEMS_COUNT - 1];
    uint64_t draw = demo_below(&demo->rng, total);
    size_t item = 0;
    while (demo->popularity_cumulative[item] <= draw) {
        item++;
    }
    ASSERT(item < DEMO_ITEMS_COUNT);
    return item;
}

static size_t demo_pick_channel(struct demo *demo)
{
    uint64_t draw = demo_below(&demo->rng, 100);
    unsigned cumulative = 0;
    for (size_t i = 0; i < ARRAY_LEN(demo_channels); i++) {
        cumulative += demo_channels[i].weight;
        if (draw < cumulative) {
            return i;
        }
    }
    ASSERT(!"channel weights add up to 100");
    return 0;
}

/* A consumer, with a loyal few ordering more often; or a company for b2b. */
static size_t demo_pick_customer(struct demo *demo, bool business)
{
    if (business) {
        return DEMO_CONSUMERS + demo_below(&demo->rng, ARRAY_LEN(demo_companies));
    }
    if (demo_below(&demo->rng, 100) < 30) {
        return demo_below(&demo->rng, DEMO_LOYAL);
    }
    return demo_below(&demo->rng, DEMO_CONSUMERS);
}

static int64_t demo_pick_qty(struct demo *demo, size_t item, bool business)
{
    if (demo_item_is_dropship(item)) {
        return 1;
    }
    if (business) {
        return demo_between(&demo->rng, 2, 12);
    }
    uint64_t draw = demo_below(&demo->rng, 100);
    return draw < 80 ? 1 : (draw < 95 ? 2 : 3);
}

static bool demo_plan_has_item(const struct demo_order_plan *plan, size_t item)
{
    for (size_t i = 0; i < plan->lines_count; i++) {
        if (plan->lines[i].item == item) {
            return true;
        }
    }
    return false;
}

/* 1 to 4 distinct lines, popular SKUs more often; nothing drop-shipped in a pickup order. */
static void demo_plan_lines(struct demo *demo, struct demo_order_plan *plan, bool business)
{
    static const unsigned lines_cumulative[DEMO_LINES_MAX] = {50, 78, 92, 100};
    uint64_t draw = demo_below(&demo->rng, 100);
    size_t wanted = 1;
    while (wanted < DEMO_LINES_MAX && draw >= lines_cumulative[wanted - 1]) {
        wanted++;
    }
    for (int tries = 0; tries < DEMO_PICK_TRIES && plan->lines_count < wanted; tries++) {
        size_t item = demo_pick_item(demo);
        bool pickup = plan->pickup_location >= 0;
        if ((pickup && demo_item_is_dropship(item)) || demo_plan_has_item(plan, item)) {
            continue;
        }
        plan->lines[plan->lines_count].item = item;
        plan->lines[plan->lines_count].qty = demo_pick_qty(demo, item, business);
        plan->lines_count++;
    }
    if (plan->lines_count == 0) {
        plan->lines[0].item = DEMO_FALLBACK_ITEM;
        plan->lines[0].qty = 1;
        plan->lines_count = 1;
    }
    for (size_t i = 0; i < plan->lines_count; i++) {
        demo_add_demand(demo, plan->lines[i].item, plan->lines[i].qty);
    }
}

static void demo_plan_order(struct demo *demo, size_t index, int64_t span_ms)
{
    struct demo_order_plan *plan = &demo->plan[index];
    int64_t slot_ms = span_ms / (int64_t)demo->plan_count;
    ASSERT(slot_ms > 0);
    plan->at_ms =
        demo->first_order_ms + (int64_t)index * slot_ms + demo_between(&demo->rng, 0, slot_ms - 1);
    plan->channel = demo_pick_channel(demo);
    const struct demo_channel *channel = &demo_channels[plan->channel];
    plan->customer = demo_pick_customer(demo, channel->business);
    plan->pickup_location = -1;
    if (demo_below(&demo->rng, 1000) < channel->pickup_per_mille) {
        plan->pickup_location = demo_below(&demo->rng, 2) == 0 ? DEMO_STORE_NYC : DEMO_STORE_CHI;
    } else {
        plan->destination = demo_pick_destination(demo);
    }
    demo_plan_lines(demo, plan, channel->business);
    uint64_t draw = demo_below(&demo->rng, 100);
    plan->action = draw < 3 ? DEMO_ACTION_CANCEL : (draw < 5 ? DEMO_ACTION_HOLD : DEMO_ACTION_NONE);
}

static enum err_code demo_plan_orders(struct demo *demo, size_t orders_count, struct err *err)
{
    int64_t span_ms = DEMO_DAYS * DATE_MS_PER_DAY - DEMO_MINUTE_MS * 60;
    demo->plan_count = orders_count;
    if (orders_count == 0) {
        return ERR_OK;
    }
    demo->plan = ARENA_NEW_ARRAY(demo->ctx->arena, struct demo_order_plan, orders_count);
    if (demo->plan == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "demo: too many orders for the arena");
    }
    for (size_t i = 0; i < orders_count; i++) {
        demo_plan_order(demo, i, span_ms);
        ASSERT(i == 0 || demo->plan[i].at_ms > demo->plan[i - 1].at_ms);
    }
    return ERR_OK;
}

/* ---- locations, catalog and stock -------------------------------------------------------- */

static enum err_code demo_create_locations(struct app_ctx *ctx, struct err *err)
{
    for (size_t i = 0; i < ARRAY_LEN(demo_locations); i++) {
        const struct demo_location *spec = &demo_locations[i];
        struct location input = {
            .code = spec->code,
            .name = spec->name,
            .kind = spec->kind,
            .address = {.line1 = spec->line1,
                        .city = spec->city,
                        .region = spec->region,
                        .postal_code = spec->postal_code,
                        .country = "US",
                        .lat = spec->lat,
                        .lon = spec->lon,
                        .has_coords = true,
                        .present = true},
            .capabilities = spec->capabilities,
            .capacity_per_day = spec->capacity_per_day,
            .handling_cost = spec->handling_cost,
            .priority = spec->priority,
            .active = true,
            .cutoff_minute = spec->cutoff_minute,
            .handling_days = spec->handling_days,
        };
        struct location out;
        enum err_code code = app_location_create(ctx, &input, NULL, &out, err);
        if (code == ERR_CONFLICT) {
            return err_set(err, ERR_CONFLICT, NULL,
                           "the database already has location %s: seed a new database", spec->code);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    struct channel amazon = {.code = "amazon-us", .kind = "marketplace", .name = "Amazon US"};
    struct channel channel_out;
    return app_channel_create(ctx, &amazon, NULL, &channel_out, err);
}

static enum err_code demo_create_products(struct app_ctx *ctx, struct err *err)
{
    for (size_t i = 0; i < DEMO_PRODUCTS_COUNT; i++) {
        const struct demo_product *spec = &demo_products[i];
        struct product input = {
            .sku = spec->sku,
            .name = spec->name,
            .price = spec->price,
            .currency = "USD",
            .weight_grams = spec->weight_grams,
            .kind = PRODUCT_KIND_SIMPLE,
            .active = true,
            .dropship_supplier = spec->dropship ? demo_locations[DEMO_SUPPLIER].code : NULL,
        };
        struct product out;
        if (app_product_create(ctx, &input, NULL, &out, err) != ERR_OK) {
            return err->code;
        }
    }
    for (size_t i = 0; i < ARRAY_LEN(demo_kits); i++) {
        const struct demo_kit *spec = &demo_kits[i];
        struct kit_component components[ARRAY_LEN(spec->components)];
        int64_t weight_grams = 0;
        for (size_t c = 0; c < spec->components_count; c++) {
            const struct demo_product *part =
                &demo_products[demo_product_index(spec->components[c].sku)];
            components[c] =
                (struct kit_component){.sku = part->sku, .qty = spec->components[c].qty};
            weight_grams += part->weight_grams * spec->components[c].qty;
        }
        struct product input = {
            .sku = spec->sku,
            .name = spec->name,
            .price = spec->price,
            .currency = "USD",
            .weight_grams = weight_grams,
            .kind = PRODUCT_KIND_KIT,
            .components = components,
            .components_count = spec->components_count,
            .active = true,
        };
        struct product out;
        if (app_product_create(ctx, &input, NULL, &out, err) != ERR_OK) {
            return err->code;
        }
    }
    return ERR_OK;
}

/*
 * Every shipping location holds more of each SKU than all planned orders need, so no order
 * can be short whichever location routing picks; the supplier holds the drop-ship SKUs.
 */
static enum err_code demo_stock(struct demo *demo, struct app_ctx *ctx, struct err *err)
{
    for (size_t l = 0; l < ARRAY_LEN(demo_locations); l++) {
        bool supplier = l == DEMO_SUPPLIER;
        bool store = demo_locations[l].kind == LOCATION_KIND_STORE;
        for (size_t p = 0; p < DEMO_PRODUCTS_COUNT; p++) {
            if (demo_products[p].dropship != supplier) {
                continue;
            }
            int64_t extra = supplier ? DEMO_SUPPLIER_STOCK
                                     : (store ? demo_between(&demo->rng, 15, 60)
                                              : demo_between(&demo->rng, 120, 400));
            int64_t safety = store ? DEMO_STORE_SAFETY : 0;
            struct app_stock_view view;
            struct app_stock_count count = {
                .sku = demo_products[p].sku,
                .location = demo_locations[l].code,
                .on_hand = demo->demand[p] + safety + extra,
                .has_safety = true,
                .safety_stock = safety,
            };
            if (app_inventory_count(ctx, &count, NULL, &view, err) != ERR_OK) {
                return err->code;
            }
        }
    }
    return ERR_OK;
}

/* ---- orders ----------------------------------------------------------------------------- */

/* A sales-tax rate of 6 to 8 percent, fixed per state. */
static int64_t demo_tax(const char *region, int64_t subtotal)
{
    uint64_t hash = 1469598103934665603ull;
    for (const char *c = region; c != NULL && *c != '\0'; c++) {
        hash = (hash ^ (unsigned char)*c) * 1099511628211ull;
    }
    int64_t basis_points = 600 + (int64_t)(hash % 201u);
    return money_div_round(subtotal * basis_points, 10000);
}

/* The table's float degrees to 4 decimals (about 10 m), so 40.7082f prints as 40.7082. */
static double demo_round_degrees(float degrees)
{
    return round((double)degrees * 1e4) / 1e4;
}

static enum err_code demo_build_address(struct demo *demo, const struct demo_order_plan *plan,
                                        struct arena *arena, struct address *address)
{
    const struct geo_postal *row = &geo_postal_rows[plan->destination];
    const struct demo_customer *customer = &demo->customers[plan->customer];
    const char *street = demo_streets[demo_below(&demo->rng, ARRAY_LEN(demo_streets))];
    *address = (struct address){
        .name = customer->type == CUSTOMER_TYPE_BUSINESS ? "Receiving" : customer->name,
        .company = customer->type == CUSTOMER_TYPE_BUSINESS ? customer->name : NULL,
        .line1 =
            arena_sprintf(arena, "%" PRId64 " %s St", demo_between(&demo->rng, 1, 9899), street),
        .city = row->city,
        .region = row->region,
        .postal_code = arena_sprintf(arena, "%05" PRIu32, row->zip),
        .country = "US",
        .lat = demo_round_degrees(row->lat),
        .lon = demo_round_degrees(row->lon),
        .has_coords = true,
        .present = true,
    };
    return address->line1 != NULL && address->postal_code != NULL ? ERR_OK : ERR_TOO_LARGE;
}

static enum err_code demo_build_order(struct demo *demo, size_t index, struct arena *arena,
                                      struct order *input, struct err *err)
{
    const struct demo_order_plan *plan = &demo->plan[index];
    const struct demo_channel *channel = &demo_channels[plan->channel];
    const struct demo_customer *customer = &demo->customers[plan->customer];
    *input = (struct order){
        .channel = channel->code,
        .customer_email = customer->email,
        .customer_name = customer->name,
        .customer_type = customer->type,
        .currency = "USD",
        .ship_policy = SHIP_POLICY_ALLOW_SPLIT,
        .payment_provider = "manual",
        .external_id = arena_sprintf(arena, "%s%07zu", channel->id_prefix, 1000001 + index),
        .lines = ARENA_NEW_ARRAY(arena, struct order_line, plan->lines_count),
        .lines_count = plan->lines_count,
    };
    if (input->external_id == NULL || input->lines == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
    }
    int64_t subtotal = 0;
    for (size_t i = 0; i < plan->lines_count; i++) {
        input->lines[i].line_no = (int)i + 1;
        input->lines[i].sku = demo_item_sku(plan->lines[i].item);
        input->lines[i].qty = plan->lines[i].qty;
        subtotal += plan->lines[i].qty * demo_item_price(plan->lines[i].item);
    }
    const char *tax_region = NULL;
    if (plan->pickup_location >= 0) {
        input->method = FULFILLMENT_PICKUP;
        input->pickup_location = demo_locations[plan->pickup_location].code;
        tax_region = demo_locations[plan->pickup_location].region;
    } else {
        input->method = FULFILLMENT_SHIP;
        if (demo_build_address(demo, plan, arena, &input->shipping_address) != ERR_OK) {
            return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
        }
        tax_region = input->shipping_address.region;
        bool expedited = demo_below(&demo->rng, 100) < 8;
        input->totals.shipping = expedited ? 1499 : (subtotal >= DEMO_FREE_SHIPPING ? 0 : 599);
    }
    input->totals.tax = demo_tax(tax_region, subtotal);
    return ERR_OK;
}

/* Captures one planned order at its time, then cancels or holds it a few minutes later. */
static enum err_code demo_place_order(struct demo *demo, size_t index, struct arena *arena,
                                      struct err *err)
{
    const struct demo_order_plan *plan = &demo->plan[index];
    struct app_ctx ctx = *demo->ctx;
    ctx.arena = arena;
    ctx.now_ms = plan->at_ms;
    struct order input;
    if (demo_build_order(demo, index, arena, &input, err) != ERR_OK) {
        return err->code;
    }
    struct app_capture_result captured;
    if (app_order_capture(&ctx, &input, NULL, &captured, err) != ERR_OK) {
        log_error("demo: order %s was refused: %s", input.external_id, err->message);
        return err->code;
    }
    ASSERT(captured.order.id != NULL);
    int64_t later_ms = plan->at_ms + demo_between(&demo->rng, 2, 45) * DEMO_MINUTE_MS;
    ctx.now_ms = later_ms < demo->ctx->now_ms ? later_ms : demo->ctx->now_ms;
    struct order after;
    if (plan->action == DEMO_ACTION_CANCEL) {
        struct app_cancel cancel = {.reason = "customer_request"};
        return app_order_cancel(&ctx, captured.order.id, &cancel, NULL, &after, err);
    }
    if (plan->action == DEMO_ACTION_HOLD) {
        return app_order_hold(&ctx, captured.order.id, "fraud_review", NULL, &after, err);
    }
    return ERR_OK;
}

static enum err_code demo_place_orders(struct demo *demo, struct err *err)
{
    struct arena scratch;
    arena_init(&scratch, DEMO_SCRATCH_BYTES);
    enum err_code code = ERR_OK;
    for (size_t i = 0; i < demo->plan_count && code == ERR_OK; i++) {
        code = demo_place_order(demo, i, &scratch, err);
        arena_reset(&scratch);
    }
    arena_release(&scratch);
    return code;
}

enum err_code app_demo_seed(struct app_ctx *ctx, uint64_t seed, size_t orders_count,
                            struct err *err)
{
    ASSERT(ctx != NULL && ctx->app != NULL && ctx->arena != NULL);
    ASSERT(ctx->principal != NULL);
    struct demo *demo = ARENA_NEW(ctx->arena, struct demo);
    if (demo == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "demo: out of arena memory");
    }
    demo->ctx = ctx;
    demo->rng.state = seed;
    demo->first_order_ms = ctx->now_ms - DEMO_DAYS * DATE_MS_PER_DAY;
    demo->setup_ms = demo->first_order_ms - DEMO_MINUTE_MS * 60;
    enum err_code code = demo_init_customers(demo, err);
    if (code == ERR_OK) {
        code = demo_init_population(demo, err);
    }
    if (code == ERR_OK) {
        code = demo_plan_orders(demo, orders_count, err);
    }
    struct app_ctx setup = *ctx;
    setup.now_ms = demo->setup_ms;
    if (code == ERR_OK) {
        code = demo_create_locations(&setup, err);
    }
    if (code == ERR_OK) {
        code = demo_create_products(&setup, err);
    }
    if (code == ERR_OK) {
        code = demo_stock(demo, &setup, err);
    }
    if (code == ERR_OK) {
        code = demo_place_orders(demo, err);
    }
    return code;
}
