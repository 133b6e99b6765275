/*
 * batch.h — what both backends share to answer a read of many keys in one statement: put the
 * rows read back in the order of the keys asked (duplicates and misses included) and hand each
 * kit its components. Pure: no SQL, no I/O.
 */
#ifndef ORDO_STORE_BATCH_H
#define ORDO_STORE_BATCH_H

#include "core/product.h"
#include "lib/arena.h"
#include "lib/base.h"

/* One row of a components read of many kits. */
struct batch_component {
    int64_t kit_row_id;
    struct kit_component component;
};

/* The row ids of the kits among products[0..count) into ids (room for count); how many. */
size_t batch_kit_ids(const struct product *products, size_t count, int64_t *ids);

/*
 * Points each kit of products[0..count) at its components: the rows of its row id among
 * rows[0..rows_count), which are ordered by kit_row_id then position. components has room for
 * rows_count and receives the components (they live as long as it does).
 */
void batch_attach_components(struct product *products, size_t count,
                             const struct batch_component *rows, size_t rows_count,
                             struct kit_component *components);

/* out[i] = the product among rows[0..rows_count) whose sku is skus[i], or all zeros (row_id
 * 0) when none is; strings and components are shared with rows. */
void batch_place_products(const struct product *rows, size_t rows_count, const char *const *skus,
                          size_t count, struct product *out);

/*
 * A JSON array of texts[0..count) (every '"', '\\' and control character escaped) leaving out
 * those keep (when not NULL) refuses, or of values[0..count); in arena, NULL when it is full.
 * One statement then reads any number of keys: json_each(?1) on SQLite,
 * json_array_elements_text($1::json) on PostgreSQL.
 */
const char *batch_json_texts(struct arena *arena, const char *const *texts, size_t count,
                             bool (*keep)(const char *text));
const char *batch_json_i64s(struct arena *arena, const int64_t *values, size_t count);

#endif
