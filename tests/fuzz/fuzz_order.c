/*
 * fuzz_order.c — libFuzzer harness for the path from a request body to a validated order:
 * http_parse_order (jansson, type and size checks, order_validate). Goal: no crash, no leak,
 * no undefined behaviour on any input; err is set exactly when the result is not ERR_OK; a
 * valid order renders back to JSON that parses; the arena is empty after reset.
 * Method: libFuzzer under `make fuzz`, and tests/fuzz/replay.c replaying the seed corpus
 * tests/fuzz/corpus/order/ (valid orders from the API cases and broken ones) in `make test`.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jansson.h>

#include "core/limits.h"
#include "http/parse.h"
#include "http/render.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/json.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The order as the API would answer it must be valid JSON. */
static void fuzz_order_render(const struct order *order)
{
    struct buf out;
    buf_init(&out, (size_t)RESPONSE_BYTES_MAX);
    struct jw jw;
    jw_init(&jw, &out);
    render_order(&jw, order);
    ASSERT(jw_finish(&jw) == ERR_OK);
    json_error_t jerr;
    json_t *back = json_loadb(out.ptr, out.len, 0, &jerr);
    ASSERT(back != NULL);
    ASSERT(json_is_object(back));
    json_decref(back);
    buf_release(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (size_t)REQUEST_BODY_BYTES_MAX) {
        return 0; /* the server answers 413 before parsing */
    }
    struct arena arena;
    arena_init(&arena, (size_t)REQUEST_ARENA_BYTES_MAX);
    struct order order;
    struct err err;
    err_clear(&err);
    enum err_code code = http_parse_order((const char *)data, size, &arena, &order, &err);
    ASSERT((code == ERR_OK) == (err.code == ERR_OK));
    ASSERT(code == err.code);
    if (code == ERR_OK) {
        ASSERT(order.lines_count >= 1);
        ASSERT(order.lines_count <= ORDER_LINES_MAX);
        fuzz_order_render(&order);
    } else {
        ASSERT(err.message[0] != '\0');
        ASSERT(memchr(err.field, '\0', sizeof(err.field)) != NULL);
    }
    arena_reset(&arena);
    ASSERT(arena.allocations_count == 0);
    arena_release(&arena);
    return 0;
}
