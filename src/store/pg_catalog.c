/*
 * pg_catalog.c — locations, products (with kit components) and customers in PostgreSQL.
 * Updates are optimistic: they apply only while the stored version is the expected one and
 * store expected + 1; a miss tells a moved-on version (ERR_PRECONDITION) from a missing row.
 *
 * The twin of sqlite_catalog.c: the same functions, statements and results (see pg_int.h).
 */
#include "store/pg_int.h"

#include <string.h>

#include "core/customer.h"
#include "core/limits.h"
#include "core/location.h"
#include "core/product.h"
#include "store/batch.h"
#include "store/store.h"

/* ---- locations --------------------------------------------------------------------------- */

#define LOCATION_COLUMNS                                                                           \
    "id, code, name, kind, addr_name, addr_company, addr_line1, addr_line2, addr_city,"            \
    " addr_region, addr_postal_code, addr_country, addr_phone, addr_lat, addr_lon,"                \
    " capabilities, capacity_per_day, handling_cost, priority, active, cutoff_minute,"             \
    " handling_days, version, created_at, updated_at, hold_days"

static const struct pg_sql SQL_LOCATION_INSERT = {
    PGS_LOCATION_INSERT,
    "INSERT INTO locations (code, name, kind, addr_name, addr_company, addr_line1, addr_line2,"
    " addr_city, addr_region, addr_postal_code, addr_country, addr_phone, addr_lat, addr_lon,"
    " capabilities, capacity_per_day, handling_cost, priority, active, cutoff_minute,"
    " handling_days, version, created_at, updated_at, hold_days) VALUES ($1, $2, $3, $4, $5,"
    " $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,"
    " $24, $25) RETURNING id"};
static const struct pg_sql SQL_LOCATION_UPDATE = {
    PGS_LOCATION_UPDATE,
    "UPDATE locations SET code = $1, name = $2, kind = $3, addr_name = $4, addr_company = $5,"
    " addr_line1 = $6, addr_line2 = $7, addr_city = $8, addr_region = $9,"
    " addr_postal_code = $10, addr_country = $11, addr_phone = $12, addr_lat = $13,"
    " addr_lon = $14, capabilities = $15, capacity_per_day = $16, handling_cost = $17,"
    " priority = $18, active = $19, cutoff_minute = $20, handling_days = $21,"
    " version = $22::bigint + 1, updated_at = $23, hold_days = $25 WHERE id = $24 AND version = "
    "$22"};
static const struct pg_sql SQL_LOCATION_EXISTS = {PGS_LOCATION_EXISTS,
                                                  "SELECT 1 FROM locations WHERE id = $1"};
static const struct pg_sql SQL_LOCATION_GET = {PGS_LOCATION_GET, "SELECT " LOCATION_COLUMNS
                                                                 " FROM locations WHERE code = $1"};
static const struct pg_sql SQL_LOCATION_LIST = {PGS_LOCATION_LIST, "SELECT " LOCATION_COLUMNS
                                                                   " FROM locations ORDER BY code"};

static enum err_code location_read(struct pg_row *row, void *item, struct err *err)
{
    struct location *location = item;
    location->row_id = pg_col_i64(row);
    location->code = pg_col_text(row);
    location->name = pg_col_text(row);
    const char *kind = pg_col_text(row);
    if (kind != NULL && !location_kind_parse(kind, &location->kind)) {
        return pg_corrupt(err, "location kind", kind);
    }
    pg_col_address(row, &location->address);
    int64_t capabilities = pg_col_i64(row);
    location->capabilities = (unsigned)(capabilities & LOCATION_CAP_ALL);
    location->capacity_per_day = pg_col_i64(row);
    location->handling_cost = pg_col_i64(row);
    location->priority = pg_col_i64(row);
    location->active = pg_col_bool(row);
    location->cutoff_minute = pg_col_int(row);
    location->handling_days = pg_col_int(row);
    location->version = pg_col_i64(row);
    location->created_at_ms = pg_col_i64(row);
    location->updated_at_ms = pg_col_i64(row);
    location->hold_days = pg_col_int(row);
    return ERR_OK;
}

/* The fields common to insert and update, in the order of both statements ($1 .. $21). */
static void location_bind_fields(struct pg_bind *bind, const struct location *location)
{
    pg_bind_text(bind, location->code);
    pg_bind_text(bind, location->name);
    pg_bind_text(bind, location_kind_name(location->kind));
    pg_bind_address(bind, &location->address);
    pg_bind_i64(bind, location->capabilities);
    pg_bind_i64(bind, location->capacity_per_day);
    pg_bind_i64(bind, location->handling_cost);
    pg_bind_i64(bind, location->priority);
    pg_bind_bool(bind, location->active);
    pg_bind_i64(bind, location->cutoff_minute);
    pg_bind_i64(bind, location->handling_days);
}

enum err_code pg_location_insert(struct store_conn *conn, struct location *location,
                                 struct err *err)
{
    ASSERT(conn != NULL && location != NULL);
    ASSERT(location->code != NULL && location->name != NULL);
    ASSERT(location->row_id == 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LOCATION_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    int64_t version = location->version > 0 ? location->version : 1;
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    location_bind_fields(&bind, location);
    pg_bind_i64(&bind, version);
    pg_bind_i64(&bind, location->created_at_ms);
    pg_bind_i64(&bind, location->updated_at_ms);
    pg_bind_i64(&bind, location_hold_days(location));
    code = pg_bind_check(conn, &bind, "location", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "location", err);
    if (code == ERR_OK) {
        location->row_id = pg_last_id(conn);
        location->version = version;
        ASSERT(location->row_id > 0);
    }
    return code;
}

enum err_code pg_location_update(struct store_conn *conn, const struct location *location,
                                 int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && location != NULL);
    ASSERT(location->row_id > 0 && location->code != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LOCATION_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    location_bind_fields(&bind, location);
    pg_bind_i64(&bind, expected_version);
    pg_bind_i64(&bind, location->updated_at_ms);
    pg_bind_i64(&bind, location->row_id);
    pg_bind_i64(&bind, location_hold_days(location));
    code = pg_bind_check(conn, &bind, "location", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "location", err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        code = pg_version_miss(conn, &SQL_LOCATION_EXISTS,
                               &(struct pg_key){.row_id = location->row_id}, "location", err);
    }
    return code;
}

enum err_code pg_location_get(struct store_conn *conn, struct arena *arena, const char *code,
                              struct location *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(code != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code result = pg_stmt(conn, &SQL_LOCATION_GET, &stmt, err);
    if (result != ERR_OK) {
        return result;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, code);
    result = pg_bind_check(conn, &bind, "location", err);
    if (result != ERR_OK) {
        return result;
    }
    return pg_read_one(
        conn, stmt, &(struct pg_reader){.arena = arena, .read = location_read, .what = "location"},
        out, err);
}

enum err_code pg_location_list(struct store_conn *conn, struct arena *arena, struct location **out,
                               size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_LOCATION_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = location_read,
                               .what = "location",
                               .elem_size = sizeof(struct location)};
    code = pg_read_all(conn, stmt, &reader, err);
    *out = reader.items;
    *count = reader.count;
    return code;
}

/* ---- products ---------------------------------------------------------------------------- */

#define PRODUCT_COLUMNS                                                                            \
    "id, sku, name, price, currency, weight_grams, kind, dropship_supplier, bin_location,"         \
    " customizable, active, version, created_at, updated_at"

static const struct pg_sql SQL_PRODUCT_INSERT = {
    PGS_PRODUCT_INSERT,
    "INSERT INTO products (sku, name, price, currency, weight_grams, kind, dropship_supplier,"
    " bin_location, customizable, active, version, created_at, updated_at)"
    " VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id"};
static const struct pg_sql SQL_PRODUCT_UPDATE = {
    PGS_PRODUCT_UPDATE,
    "UPDATE products SET sku = $1, name = $2, price = $3, currency = $4, weight_grams = $5,"
    " kind = $6, dropship_supplier = $7, bin_location = $8, customizable = $9, active = $10,"
    " version = $11::bigint + 1, updated_at = $12 WHERE id = $13 AND version = $11"};
static const struct pg_sql SQL_PRODUCT_EXISTS = {PGS_PRODUCT_EXISTS,
                                                 "SELECT 1 FROM products WHERE id = $1"};
static const struct pg_sql SQL_PRODUCT_GET = {PGS_PRODUCT_GET, "SELECT " PRODUCT_COLUMNS
                                                               " FROM products WHERE sku = $1"};
static const struct pg_sql SQL_PRODUCT_GET_BY_ROW = {
    PGS_PRODUCT_GET_BY_ROW, "SELECT " PRODUCT_COLUMNS " FROM products WHERE id = $1"};
static const struct pg_sql SQL_PRODUCT_LIST = {
    PGS_PRODUCT_LIST,
    "SELECT " PRODUCT_COLUMNS " FROM products WHERE sku > $1 ORDER BY sku LIMIT $2"};
static const struct pg_sql SQL_COMPONENT_INSERT = {
    PGS_COMPONENT_INSERT,
    "INSERT INTO kit_components (kit_id, component_id, position, qty) VALUES ($1, $2, $3, $4)"};
static const struct pg_sql SQL_COMPONENT_DELETE = {PGS_COMPONENT_DELETE,
                                                   "DELETE FROM kit_components WHERE kit_id = $1"};
static const struct pg_sql SQL_COMPONENT_LIST = {
    PGS_COMPONENT_LIST,
    "SELECT k.component_id, p.sku, k.qty FROM kit_components k"
    " JOIN products p ON p.id = k.component_id WHERE k.kit_id = $1 ORDER BY k.position"};
/*
 * Many keys in one statement: $1 is a JSON array (pg_json_texts, batch_json_i64s). Each key is
 * looked up on its own (a LATERAL subquery that OFFSET 0 keeps from being flattened): with
 * "= ANY($1)" the planner would rather scan a catalog of a few thousand products than probe its
 * index once per key. json_array_elements_text, unlike unnest of an array, is estimated at the
 * same row count whatever the keys, so the generic plan costs what a custom one does and is
 * kept after five runs (with unnest each run was planned again: ~0.1 ms).
 */
static const struct pg_sql SQL_PRODUCT_GET_MANY = {
    PGS_PRODUCT_GET_MANY,
    "SELECT p.* FROM (SELECT DISTINCT json_array_elements_text($1::json) AS sku) k"
    " CROSS JOIN LATERAL (SELECT " PRODUCT_COLUMNS " FROM products WHERE sku = k.sku OFFSET 0) p"};
static const struct pg_sql SQL_COMPONENT_LIST_MANY = {
    PGS_COMPONENT_LIST_MANY,
    "SELECT c.kit_id, c.component_id, c.sku, c.qty"
    " FROM (SELECT DISTINCT json_array_elements_text($1::json)::bigint AS id) q"
    " CROSS JOIN LATERAL (SELECT k.kit_id, k.component_id, p.sku, k.qty, k.position"
    " FROM kit_components k JOIN products p ON p.id = k.component_id WHERE k.kit_id = q.id"
    " OFFSET 0) c ORDER BY c.kit_id, c.position"};
static const struct pg_sql SQL_KITS_USING = {
    PGS_KITS_USING, "SELECT kit_id FROM kit_components WHERE component_id = $1 ORDER BY kit_id"};

static enum err_code product_read(struct pg_row *row, void *item, struct err *err)
{
    struct product *product = item;
    product->row_id = pg_col_i64(row);
    product->sku = pg_col_text(row);
    product->name = pg_col_text(row);
    product->price = pg_col_i64(row);
    product->currency = pg_col_text(row);
    product->weight_grams = pg_col_i64(row);
    const char *kind = pg_col_text(row);
    if (kind != NULL && !product_kind_parse(kind, &product->kind)) {
        return pg_corrupt(err, "product kind", kind);
    }
    product->dropship_supplier = pg_col_text(row);
    product->bin_location = pg_col_text(row);
    product->customizable = pg_col_bool(row);
    product->active = pg_col_bool(row);
    product->version = pg_col_i64(row);
    product->created_at_ms = pg_col_i64(row);
    product->updated_at_ms = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code component_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    struct kit_component *component = item;
    component->product_row_id = pg_col_i64(row);
    component->sku = pg_col_text(row);
    component->qty = pg_col_i64(row);
    return ERR_OK;
}

static enum err_code row_id_read(struct pg_row *row, void *item, struct err *err)
{
    UNUSED(err);
    int64_t *row_id = item;
    *row_id = pg_col_i64(row);
    return ERR_OK;
}

/* The fields common to insert and update ($1 .. $10). */
static void product_bind_fields(struct pg_bind *bind, const struct product *product)
{
    pg_bind_text(bind, product->sku);
    pg_bind_text(bind, product->name);
    pg_bind_i64(bind, product->price);
    pg_bind_text(bind, product->currency);
    pg_bind_i64(bind, product->weight_grams);
    pg_bind_text(bind, product_kind_name(product->kind));
    pg_bind_text(bind, product->dropship_supplier);
    pg_bind_text(bind, product->bin_location);
    pg_bind_bool(bind, product->customizable);
    pg_bind_bool(bind, product->active);
}

/* Writes the components of a kit (after deleting the old ones, on update). */
static enum err_code product_components_write(struct store_conn *conn,
                                              const struct product *product, struct err *err)
{
    ASSERT(product->row_id > 0);
    ASSERT(product->components_count <= KIT_COMPONENTS_MAX);
    for (size_t i = 0; i < product->components_count; i++) {
        const struct kit_component *component = &product->components[i];
        ASSERT(component->product_row_id > 0); /* the caller resolved the component's SKU */
        struct pg_query *stmt = NULL;
        enum err_code code = pg_stmt(conn, &SQL_COMPONENT_INSERT, &stmt, err);
        if (code != ERR_OK) {
            return code;
        }
        struct pg_bind bind;
        pg_bind_init(&bind, stmt);
        pg_bind_i64(&bind, product->row_id);
        pg_bind_i64(&bind, component->product_row_id);
        pg_bind_i64(&bind, (int64_t)i);
        pg_bind_i64(&bind, component->qty);
        code = pg_bind_check(conn, &bind, "kit component", err);
        if (code == ERR_OK) {
            code = pg_run(conn, stmt, "kit component", err);
        }
        if (code != ERR_OK) {
            return code;
        }
    }
    return ERR_OK;
}

enum err_code pg_product_insert(struct store_conn *conn, struct product *product, struct err *err)
{
    ASSERT(conn != NULL && product != NULL);
    ASSERT(product->sku != NULL && product->row_id == 0);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PRODUCT_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    int64_t version = product->version > 0 ? product->version : 1;
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    product_bind_fields(&bind, product);
    pg_bind_i64(&bind, version);
    pg_bind_i64(&bind, product->created_at_ms);
    pg_bind_i64(&bind, product->updated_at_ms);
    code = pg_bind_check(conn, &bind, "product", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "product", err);
    if (code != ERR_OK) {
        return code;
    }
    product->row_id = pg_last_id(conn);
    product->version = version;
    ASSERT(product->row_id > 0);
    return product_components_write(conn, product, err);
}

static enum err_code product_components_delete(struct store_conn *conn, int64_t row_id,
                                               struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_COMPONENT_DELETE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, row_id);
    code = pg_bind_check(conn, &bind, "kit component", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run(conn, stmt, "kit component", err);
}

enum err_code pg_product_update(struct store_conn *conn, const struct product *product,
                                int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && product != NULL);
    ASSERT(product->row_id > 0 && product->sku != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PRODUCT_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    product_bind_fields(&bind, product);
    pg_bind_i64(&bind, expected_version);
    pg_bind_i64(&bind, product->updated_at_ms);
    pg_bind_i64(&bind, product->row_id);
    code = pg_bind_check(conn, &bind, "product", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "product", err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        return pg_version_miss(conn, &SQL_PRODUCT_EXISTS,
                               &(struct pg_key){.row_id = product->row_id}, "product", err);
    }
    if (code == ERR_OK) {
        code = product_components_delete(conn, product->row_id, err);
    }
    if (code == ERR_OK) {
        code = product_components_write(conn, product, err);
    }
    return code;
}

/* Loads the components of a kit into product->components. */
static enum err_code product_components_load(struct store_conn *conn, struct arena *arena,
                                             struct product *product, struct err *err)
{
    ASSERT(product->row_id > 0);
    product->components = NULL;
    product->components_count = 0;
    if (product->kind != PRODUCT_KIND_KIT) {
        return ERR_OK;
    }
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_COMPONENT_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, product->row_id);
    code = pg_bind_check(conn, &bind, "kit component", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {.arena = arena,
                               .read = component_read,
                               .what = "kit component",
                               .elem_size = sizeof(struct kit_component)};
    code = pg_read_all(conn, stmt, &reader, err);
    product->components = reader.items;
    product->components_count = reader.count;
    return code;
}

/* Reads one product by a statement with one parameter (sku or row id), with components. */
static enum err_code product_get(struct store_conn *conn, struct arena *arena,
                                 const struct pg_sql *sql, const struct pg_key *key,
                                 struct product *out, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(key != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_key(&bind, key);
    code = pg_bind_check(conn, &bind, "product", err);
    if (code == ERR_OK) {
        const struct pg_reader reader = {.arena = arena, .read = product_read, .what = "product"};
        code = pg_read_one(conn, stmt, &reader, out, err);
    }
    if (code == ERR_OK) {
        code = product_components_load(conn, arena, out, err);
    }
    return code;
}

/* product_get inside one snapshot (the row and its components agree). */
static enum err_code product_get_snapshot(struct store_conn *conn, struct arena *arena,
                                          const struct pg_sql *sql, const struct pg_key *key,
                                          struct product *out, struct err *err)
{
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = product_get(conn, arena, sql, key, out, err);
    }
    pg_snapshot_end(conn, owned);
    return code;
}

enum err_code pg_product_get(struct store_conn *conn, struct arena *arena, const char *sku,
                             struct product *out, struct err *err)
{
    ASSERT(sku != NULL);
    const struct pg_key key = {.text = sku};
    return product_get_snapshot(conn, arena, &SQL_PRODUCT_GET, &key, out, err);
}

enum err_code pg_product_get_by_row(struct store_conn *conn, struct arena *arena, int64_t row_id,
                                    struct product *out, struct err *err)
{
    ASSERT(row_id >= 0);
    const struct pg_key key = {.row_id = row_id};
    return product_get_snapshot(conn, arena, &SQL_PRODUCT_GET_BY_ROW, &key, out, err);
}

static enum err_code component_many_read(struct pg_row *row, void *item, struct err *err)
{
    struct batch_component *out = item;
    out->kit_row_id = pg_col_i64(row);
    return component_read(row, &out->component, err);
}

/* Reads the rows of a statement whose one parameter is a JSON array of keys. */
static enum err_code product_read_many(struct store_conn *conn, const struct pg_sql *sql,
                                       const char *json, struct pg_reader *reader, struct err *err)
{
    if (json == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, sql, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, json);
    code = pg_bind_check(conn, &bind, reader->what, err);
    if (code == ERR_OK) {
        code = pg_read_all(conn, stmt, reader, err);
    }
    return code;
}

/* The components of the kits among products[0..count), attached to them (one statement). */
static enum err_code product_components_load_many(struct store_conn *conn, struct arena *arena,
                                                  struct product *products, size_t count,
                                                  struct err *err)
{
    int64_t *kit_ids = ARENA_NEW_ARRAY(arena, int64_t, count + 1);
    if (kit_ids == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    size_t kits = batch_kit_ids(products, count, kit_ids);
    struct pg_reader reader = {.arena = arena,
                               .read = component_many_read,
                               .what = "kit component",
                               .elem_size = sizeof(struct batch_component)};
    enum err_code code = ERR_OK;
    if (kits > 0) {
        code = product_read_many(conn, &SQL_COMPONENT_LIST_MANY,
                                 batch_json_i64s(arena, kit_ids, kits), &reader, err);
    }
    struct kit_component *components =
        ARENA_NEW_ARRAY(arena, struct kit_component, reader.count + 1);
    if (code == ERR_OK && components == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    if (code == ERR_OK) {
        batch_attach_components(products, count, reader.items, reader.count, components);
    }
    return code;
}

enum err_code pg_product_get_many(struct store_conn *conn, struct arena *arena,
                                  const char *const *skus, size_t count, struct product *out,
                                  struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT((skus != NULL && out != NULL) || count == 0);
    ASSERT(count <= ORDER_LINES_MAX);
    memset(out, 0, count * sizeof(*out));
    if (count == 0) {
        return ERR_OK;
    }
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    struct pg_reader reader = {.arena = arena,
                               .read = product_read,
                               .what = "product",
                               .elem_size = sizeof(struct product)};
    if (code == ERR_OK) {
        code = product_read_many(conn, &SQL_PRODUCT_GET_MANY, pg_json_texts(arena, skus, count),
                                 &reader, err);
    }
    if (code == ERR_OK) {
        code = product_components_load_many(conn, arena, reader.items, reader.count, err);
    }
    pg_snapshot_end(conn, owned);
    if (code == ERR_OK) {
        batch_place_products(reader.items, reader.count, skus, count, out);
    }
    return code;
}

/* The products after after_sku (reader->items), each with its components. */
static enum err_code product_list(struct store_conn *conn, const char *after_sku, size_t limit,
                                  struct pg_reader *reader, struct err *err)
{
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_PRODUCT_LIST, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_text(&bind, after_sku != NULL ? after_sku : ""); /* every SKU sorts after "" */
    pg_bind_i64(&bind, limit > INT64_MAX ? INT64_MAX : (int64_t)limit);
    code = pg_bind_check(conn, &bind, "product", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_read_all(conn, stmt, reader, err);
    struct product *products = reader->items;
    for (size_t i = 0; i < reader->count && code == ERR_OK; i++) {
        code = product_components_load(conn, reader->arena, &products[i], err);
    }
    return code;
}

/* store.h fixes this parameter list (the interface every backend implements). */
// NOLINTNEXTLINE(readability-function-size)
enum err_code pg_product_list(struct store_conn *conn, struct arena *arena, const char *after_sku,
                              size_t limit, struct product **out, size_t *count, struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(out != NULL && count != NULL);
    struct pg_reader reader = {.arena = arena,
                               .read = product_read,
                               .what = "product",
                               .elem_size = sizeof(struct product)};
    bool owned = false;
    enum err_code code = pg_snapshot_begin(conn, &owned, err);
    if (code == ERR_OK) {
        code = product_list(conn, after_sku, limit, &reader, err);
    }
    pg_snapshot_end(conn, owned);
    *out = code == ERR_OK ? reader.items : NULL;
    *count = code == ERR_OK ? reader.count : 0;
    return code;
}

enum err_code pg_product_kits_using(struct store_conn *conn, struct arena *arena,
                                    int64_t component_row_id, int64_t **kit_row_ids, size_t *count,
                                    struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(kit_row_ids != NULL && count != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_KITS_USING, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    pg_bind_i64(&bind, component_row_id);
    code = pg_bind_check(conn, &bind, "kit component", err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_reader reader = {
        .arena = arena, .read = row_id_read, .what = "kit", .elem_size = sizeof(int64_t)};
    code = pg_read_all(conn, stmt, &reader, err);
    *kit_row_ids = reader.items;
    *count = reader.count;
    return code;
}

/* ---- customers --------------------------------------------------------------------------- */

#define CUSTOMER_COLUMNS                                                                           \
    "id, email, name, phone, type, payment_terms_days, credit_limit,"                              \
    " (SELECT count(*) FROM orders o WHERE o.customer_id = customers.id), version,"                \
    " created_at, updated_at"
/* The same columns with 0 for the count of orders (store_customer_get_brief). */
#define CUSTOMER_BRIEF_COLUMNS                                                                     \
    "id, email, name, phone, type, payment_terms_days, credit_limit, 0, version, created_at,"      \
    " updated_at"

static const struct pg_sql SQL_CUSTOMER_INSERT = {
    PGS_CUSTOMER_INSERT,
    "INSERT INTO customers (id, email, name, phone, type, payment_terms_days, credit_limit,"
    " version, created_at, updated_at)"
    " VALUES ($1, lower($2), $3, $4, $5, $6, $7, $8, $9, $10)"};
static const struct pg_sql SQL_CUSTOMER_UPDATE = {
    PGS_CUSTOMER_UPDATE,
    "UPDATE customers SET email = lower($2), name = $3, phone = $4, type = $5,"
    " payment_terms_days = $6, credit_limit = $7, version = $8::bigint + 1, updated_at = $9"
    " WHERE id = $1 AND version = $8"};
static const struct pg_sql SQL_CUSTOMER_EXISTS = {PGS_CUSTOMER_EXISTS,
                                                  "SELECT 1 FROM customers WHERE id = $1"};
static const struct pg_sql SQL_CUSTOMER_GET = {PGS_CUSTOMER_GET, "SELECT " CUSTOMER_COLUMNS
                                                                 " FROM customers WHERE id = $1"};
static const struct pg_sql SQL_CUSTOMER_GET_BY_EMAIL = {PGS_CUSTOMER_GET_BY_EMAIL,
                                                        "SELECT " CUSTOMER_COLUMNS
                                                        " FROM customers WHERE email = lower($1)"};

static const struct pg_sql SQL_CUSTOMER_GET_BRIEF = {
    PGS_CUSTOMER_GET_BRIEF, "SELECT " CUSTOMER_BRIEF_COLUMNS " FROM customers WHERE id = $1"};
static const struct pg_sql SQL_CUSTOMER_GET_BRIEF_BY_EMAIL = {
    PGS_CUSTOMER_GET_BRIEF_BY_EMAIL,
    "SELECT " CUSTOMER_BRIEF_COLUMNS " FROM customers WHERE email = lower($1)"};

static enum err_code customer_read(struct pg_row *row, void *item, struct err *err)
{
    struct customer *customer = item;
    customer->id = pg_col_text(row);
    customer->email = pg_col_text(row);
    customer->name = pg_col_text(row);
    customer->phone = pg_col_text(row);
    const char *type = pg_col_text(row);
    if (type != NULL && !customer_type_parse(type, &customer->type)) {
        return pg_corrupt(err, "customer type", type);
    }
    customer->payment_terms_days = pg_col_int(row);
    customer->has_credit_limit = !pg_col_is_null(row);
    customer->credit_limit = pg_col_i64(row);
    customer->orders_count = pg_col_i64(row);
    customer->version = pg_col_i64(row);
    customer->created_at_ms = pg_col_i64(row);
    customer->updated_at_ms = pg_col_i64(row);
    return ERR_OK;
}

/* The fields common to insert and update ($1 .. $7). */
static void customer_bind_fields(struct pg_bind *bind, const struct customer *customer)
{
    pg_bind_text(bind, customer->id);
    pg_bind_text(bind, customer->email);
    pg_bind_text(bind, customer->name);
    pg_bind_text(bind, customer->phone);
    pg_bind_text(bind, customer_type_name(customer->type));
    pg_bind_i64(bind, customer->payment_terms_days);
    if (customer->has_credit_limit) {
        pg_bind_i64(bind, customer->credit_limit);
    } else {
        pg_bind_null(bind);
    }
}

enum err_code pg_customer_insert(struct store_conn *conn, const struct customer *customer,
                                 struct err *err)
{
    ASSERT(conn != NULL && customer != NULL);
    ASSERT(customer->id != NULL && customer->email != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_CUSTOMER_INSERT, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    customer_bind_fields(&bind, customer);
    pg_bind_i64(&bind, customer->version > 0 ? customer->version : 1);
    pg_bind_i64(&bind, customer->created_at_ms);
    pg_bind_i64(&bind, customer->updated_at_ms);
    code = pg_bind_check(conn, &bind, "customer", err);
    if (code != ERR_OK) {
        return code;
    }
    return pg_run_later(conn, stmt, "customer", err);
}

enum err_code pg_customer_update(struct store_conn *conn, const struct customer *customer,
                                 int64_t expected_version, struct err *err)
{
    ASSERT(conn != NULL && customer != NULL);
    ASSERT(customer->id != NULL && customer->email != NULL);
    struct pg_query *stmt = NULL;
    enum err_code code = pg_stmt(conn, &SQL_CUSTOMER_UPDATE, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, stmt);
    customer_bind_fields(&bind, customer);
    pg_bind_i64(&bind, expected_version);
    pg_bind_i64(&bind, customer->updated_at_ms);
    code = pg_bind_check(conn, &bind, "customer", err);
    if (code != ERR_OK) {
        return code;
    }
    code = pg_run(conn, stmt, "customer", err);
    if (code == ERR_OK && pg_changes(conn) == 0) {
        code = pg_version_miss(conn, &SQL_CUSTOMER_EXISTS, &(struct pg_key){.text = customer->id},
                               "customer", err);
    }
    return code;
}

static enum err_code customer_bind(struct store_conn *conn, const struct pg_sql *sql,
                                   const char *key, struct pg_query **out, struct err *err)
{
    enum err_code code = pg_stmt(conn, sql, out, err);
    if (code != ERR_OK) {
        return code;
    }
    struct pg_bind bind;
    pg_bind_init(&bind, *out);
    pg_bind_text(&bind, key);
    return pg_bind_check(conn, &bind, "customer", err);
}

enum err_code pg_customer_brief_by_email_bind(struct store_conn *conn, const char *email,
                                              struct pg_query **out, struct err *err)
{
    return customer_bind(conn, &SQL_CUSTOMER_GET_BRIEF_BY_EMAIL, email, out, err);
}

static enum err_code customer_get(struct store_conn *conn, struct arena *arena,
                                  const struct pg_sql *sql, const char *key, struct customer *out,
                                  struct err *err)
{
    ASSERT(conn != NULL && arena != NULL);
    ASSERT(key != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    struct pg_query *stmt = NULL;
    enum err_code code = customer_bind(conn, sql, key, &stmt, err);
    if (code != ERR_OK) {
        return code;
    }
    const struct pg_reader reader = {.arena = arena, .read = customer_read, .what = "customer"};
    return pg_read_one(conn, stmt, &reader, out, err);
}

enum err_code pg_customer_get(struct store_conn *conn, struct arena *arena, const char *id,
                              struct customer *out, struct err *err)
{
    return customer_get(conn, arena, &SQL_CUSTOMER_GET, id, out, err);
}

enum err_code pg_customer_get_by_email(struct store_conn *conn, struct arena *arena,
                                       const char *email, struct customer *out, struct err *err)
{
    return customer_get(conn, arena, &SQL_CUSTOMER_GET_BY_EMAIL, email, out, err);
}

enum err_code pg_customer_get_brief(struct store_conn *conn, struct arena *arena, const char *id,
                                    struct customer *out, struct err *err)
{
    return customer_get(conn, arena, &SQL_CUSTOMER_GET_BRIEF, id, out, err);
}

enum err_code pg_customer_get_brief_by_email(struct store_conn *conn, struct arena *arena,
                                             const char *email, struct customer *out,
                                             struct err *err)
{
    return customer_get(conn, arena, &SQL_CUSTOMER_GET_BRIEF_BY_EMAIL, email, out, err);
}
