/*
 * batch.c — rows of a read of many keys put back in the order of the keys (batch.h). Pure:
 * no SQL, no I/O; the backends call it after their one statement.
 */
#include "store/batch.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

size_t batch_kit_ids(const struct product *products, size_t count, int64_t *ids)
{
    ASSERT(products != NULL || count == 0);
    ASSERT(ids != NULL || count == 0);
    size_t kits = 0;
    for (size_t i = 0; i < count; i++) {
        if (products[i].kind == PRODUCT_KIND_KIT) {
            ids[kits++] = products[i].row_id;
        }
    }
    ASSERT(kits <= count);
    return kits;
}

/* The first index of rows whose kit_row_id is at least kit_row_id (rows are sorted by it). */
static size_t batch_components_first(const struct batch_component *rows, size_t rows_count,
                                     int64_t kit_row_id)
{
    size_t low = 0;
    size_t high = rows_count;
    while (low < high) {
        size_t mid = low + (high - low) / 2;
        if (rows[mid].kit_row_id < kit_row_id) {
            low = mid + 1;
        } else {
            high = mid;
        }
    }
    return low;
}

void batch_attach_components(struct product *products, size_t count,
                             const struct batch_component *rows, size_t rows_count,
                             struct kit_component *components)
{
    ASSERT(products != NULL || count == 0);
    ASSERT(components != NULL || rows_count == 0);
    for (size_t r = 0; r < rows_count; r++) {
        DEBUG_ASSERT(r == 0 || rows[r - 1].kit_row_id <= rows[r].kit_row_id);
        components[r] = rows[r].component;
    }
    for (size_t i = 0; i < count; i++) {
        struct product *product = &products[i];
        product->components = NULL;
        product->components_count = 0;
        if (product->kind != PRODUCT_KIND_KIT) {
            continue;
        }
        size_t first = batch_components_first(rows, rows_count, product->row_id);
        size_t end = first;
        while (end < rows_count && rows[end].kit_row_id == product->row_id) {
            end++;
        }
        product->components = end > first ? &components[first] : NULL;
        product->components_count = end - first;
    }
}

void batch_place_products(const struct product *rows, size_t rows_count, const char *const *skus,
                          size_t count, struct product *out)
{
    ASSERT(rows != NULL || rows_count == 0);
    ASSERT(skus != NULL || count == 0);
    ASSERT(out != NULL || count == 0);
    for (size_t i = 0; i < count; i++) {
        memset(&out[i], 0, sizeof(out[i]));
        for (size_t r = 0; r < rows_count; r++) {
            if (strcmp(rows[r].sku, skus[i]) == 0) {
                out[i] = rows[r];
                break;
            }
        }
    }
}

/* Room for the JSON form of count texts: each byte at most 6 ("\u001f"), quotes and comma. */
static size_t json_texts_room(const char *const *texts, size_t count)
{
    size_t room = 3; /* "[", "]" and the NUL */
    for (size_t i = 0; i < count; i++) {
        room += strlen(texts[i]) * 6 + 3;
    }
    return room;
}

const char *batch_json_texts(struct arena *arena, const char *const *texts, size_t count,
                             bool (*keep)(const char *text))
{
    ASSERT(arena != NULL);
    ASSERT(texts != NULL || count == 0);
    static const char hex[] = "0123456789abcdef";
    size_t room = json_texts_room(texts, count);
    char *out = arena_alloc(arena, room);
    if (out == NULL) {
        return NULL;
    }
    size_t n = 0;
    out[n++] = '[';
    for (size_t i = 0; i < count; i++) {
        ASSERT(texts[i] != NULL);
        if (keep != NULL && !keep(texts[i])) {
            continue;
        }
        if (n > 1) {
            out[n++] = ',';
        }
        out[n++] = '"';
        for (const unsigned char *c = (const unsigned char *)texts[i]; *c != '\0'; c++) {
            if (*c == '"' || *c == '\\') {
                out[n++] = '\\';
                out[n++] = (char)*c;
            } else if (*c < 0x20) {
                memcpy(&out[n], "\\u00", 4);
                out[n + 4] = hex[*c >> 4];
                out[n + 5] = hex[*c & 0xF];
                n += 6;
            } else {
                out[n++] = (char)*c;
            }
        }
        out[n++] = '"';
    }
    out[n++] = ']';
    out[n] = '\0';
    ASSERT(n < room);
    return out;
}

const char *batch_json_i64s(struct arena *arena, const int64_t *values, size_t count)
{
    ASSERT(arena != NULL);
    ASSERT(values != NULL || count == 0);
    size_t room = 3 + count * 21; /* "-9223372036854775808" and a comma each */
    char *out = arena_alloc(arena, room);
    if (out == NULL) {
        return NULL;
    }
    size_t n = 0;
    out[n++] = '[';
    for (size_t i = 0; i < count; i++) {
        int written = snprintf(&out[n], room - n, "%s%" PRId64, i > 0 ? "," : "", values[i]);
        ASSERT(written > 0 && (size_t)written < room - n);
        n += (size_t)written;
    }
    out[n++] = ']';
    out[n] = '\0';
    ASSERT(n < room);
    return out;
}
