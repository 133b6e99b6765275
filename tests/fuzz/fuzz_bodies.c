/*
 * fuzz_bodies.c — libFuzzer harness for every request-body parser but the order's (which has
 * fuzz_order.c): locations, products, channels, customers, counts, adjustments, cancels,
 * holds, packing, shipping, pickups, pick lists, traffic and costs. Goal: no crash, no leak, no
 * undefined behaviour on any input, and err set exactly when a parser fails. Method: the same
 * input goes through each parser in turn, each on a fresh arena; `make fuzz` runs it under
 * libFuzzer and `make test` replays tests/fuzz/corpus/bodies/. The parsers of parse.h not here
 * are in fuzz_order.c and fuzz_returns.c (and the refund's, through its route, in
 * fuzz_requests.c); those static in their handlers (holds, carriers, routing, session, users,
 * query strings) are driven through the router by fuzz_requests.c.
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "lib/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Every parser's output, zeroed before each call (the PATCH parsers merge onto it). */
union fuzz_out {
    struct location location;
    struct product product;
    struct channel channel;
    struct customer customer;
    struct http_inventory_count count;
    struct http_adjustment adjustment;
    struct http_cancel cancel;
    struct http_pack pack;
    struct app_ship ship;
    struct app_pick_list_input pick_list;
    struct http_pick_complete pick_complete;
    struct app_traffic_input traffic;
    struct app_cost_input cost;
    const char *text;
};

/* One parser call: the input and where its result goes. */
struct fuzz_call {
    const char *body;
    size_t len;
    struct arena *arena;
    union fuzz_out *out;
    struct err *err;
};

/* Runs parser number which on the input; false once every parser was run. */
static bool fuzz_parse_one(int which, const struct fuzz_call *call, enum err_code *code)
{
    const char *body = call->body;
    size_t len = call->len;
    struct arena *arena = call->arena;
    union fuzz_out *out = call->out;
    struct err *err = call->err;
    switch (which) {
    case 0:
        *code = http_parse_location(body, len, arena, &out->location, err);
        break;
    case 1:
        *code = http_parse_product(body, len, arena, &out->product, err);
        break;
    case 2:
        *code = http_parse_channel(body, len, arena, &out->channel, err);
        break;
    case 3:
        *code = http_parse_customer(body, len, arena, &out->customer, err);
        break;
    case 4:
        *code = http_parse_inventory_count(body, len, arena, &out->count, err);
        break;
    case 5:
        *code = http_parse_adjustment(body, len, arena, &out->adjustment, err);
        break;
    case 6:
        *code = http_parse_cancel(body, len, arena, &out->cancel, err);
        break;
    case 7:
        *code = http_parse_hold(body, len, arena, &out->text, err);
        break;
    case 8:
        *code = http_parse_pack(body, len, arena, &out->pack, err);
        break;
    case 9:
        *code = http_parse_ship(body, len, arena, &out->ship, err);
        break;
    case 10:
        *code = http_parse_pickup(body, len, arena, &out->text, err);
        break;
    case 11:
        *code = http_parse_pick_list(body, len, arena, &out->pick_list, err);
        break;
    case 12:
        *code = http_parse_pick_complete(body, len, arena, &out->pick_complete, err);
        break;
    case 13:
        *code = http_parse_traffic(body, len, arena, &out->traffic, err);
        break;
    case 14:
        *code = http_parse_cost(body, len, arena, &out->cost, err);
        break;
    default:
        return false;
    }
    return true;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size > (size_t)REQUEST_BODY_BYTES_MAX) {
        return 0; /* the server answers 413 before parsing */
    }
    const char *body = (const char *)data;
    enum err_code code = ERR_OK;
    for (int which = 0;; which++) {
        struct arena arena;
        arena_init(&arena, (size_t)REQUEST_ARENA_BYTES_MAX);
        union fuzz_out out;
        memset(&out, 0, sizeof(out));
        struct err err;
        err_clear(&err);
        struct fuzz_call call = {body, size, &arena, &out, &err};
        bool ran = fuzz_parse_one(which, &call, &code);
        if (ran) {
            ASSERT((code == ERR_OK) == (err.code == ERR_OK));
            ASSERT(code == ERR_OK || err.message[0] != '\0');
        }
        arena_release(&arena);
        if (!ran) {
            break;
        }
    }
    return 0;
}
