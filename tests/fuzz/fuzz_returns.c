/*
 * fuzz_returns.c — libFuzzer harness for the request-body parsers of returns (h_returns.c):
 * a return, a receipt, the return settings and a disposition rule; and of the other
 * post-sale requests: a new payment, a release (override), a note, an order edit. Goal: no crash,
 * no leak, no undefined behaviour on any input, and err set exactly when a parser fails. Method:
 * the same input goes through each parser in turn, each on a fresh arena; `make fuzz` runs it under
 * libFuzzer and `make test` replays tests/fuzz/corpus/returns/ (seeded from the API cases
 * 300-308).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/limits.h"
#include "http/parse.h"
#include "lib/arena.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

union fuzz_returns_out {
    struct app_return_input input;
    struct app_receive receive;
    struct app_return_settings settings;
    struct return_rule rule;
    struct app_payment_input payment;
    struct app_order_edit edit;
    bool override;
    const char *text;
};

/* Runs parser number which; false once every parser was run. */
static bool fuzz_returns_one(int which, const char *body, size_t len, struct arena *arena,
                             union fuzz_returns_out *out, struct err *err, enum err_code *code)
{
    switch (which) {
    case 0:
        *code = http_parse_return(body, len, arena, &out->input, err);
        break;
    case 1:
        *code = http_parse_receive(body, len, arena, &out->receive, err);
        break;
    case 2:
        *code = http_parse_return_settings(body, len, arena, &out->settings, err);
        break;
    case 3:
        *code = http_parse_return_rule(body, len, arena, &out->rule, err);
        break;
    case 4:
        *code = http_parse_payment_input(body, len, arena, &out->payment, err);
        break;
    case 5:
        *code = http_parse_release(body, len, arena, &out->override, err);
        break;
    case 6:
        *code = http_parse_note(body, len, arena, &out->text, err);
        break;
    case 7:
        *code = http_parse_order_edit(body, len, arena, &out->edit, err);
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
    for (int which = 0;; which++) {
        struct arena arena;
        arena_init(&arena, (size_t)REQUEST_ARENA_BYTES_MAX);
        union fuzz_returns_out out;
        memset(&out, 0, sizeof(out));
        struct err err;
        err_clear(&err);
        enum err_code code = ERR_OK;
        bool ran = fuzz_returns_one(which, body, size, &arena, &out, &err, &code);
        if (ran) {
            ASSERT((code == ERR_OK) == (err.code == ERR_OK));
            ASSERT(code == ERR_OK || err.message[0] != '\0');
        }
        arena_release(&arena);
        if (!ran) {
            return 0;
        }
    }
}
