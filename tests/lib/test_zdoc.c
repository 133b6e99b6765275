/*
 * test_zdoc.c — goal: a packed document gives back exactly its text, text stored before
 * packing passes through, and damaged documents are refused rather than read as garbage.
 * Method: round trips of empty, short, repetitive and random texts (every byte 1..255), then
 * every truncation and single-byte change of a packed document.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/zdoc.h"

static struct arena arena;

static void setup(void)
{
    arena_init(&arena, 64 * 1024 * 1024);
}

static void teardown(void)
{
    arena_release(&arena);
}

TestSuite(zdoc, .init = setup, .fini = teardown);

static void round_trip(const char *text, size_t len)
{
    size_t packed_len = 0;
    const unsigned char *packed = zdoc_pack(&arena, text, len, &packed_len);
    cr_assert_not_null(packed);
    cr_assert_eq(packed[0], 'z');
    const char *back = zdoc_unpack(&arena, packed, packed_len);
    cr_assert_not_null(back);
    cr_assert_eq(strlen(back), len);
    cr_assert_eq(memcmp(back, text, len), 0);
}

Test(zdoc, round_trips)
{
    round_trip("", 0);
    round_trip("{}", 2);
    char *text = arena_alloc(&arena, 200001);
    cr_assert_not_null(text);
    for (size_t i = 0; i < 200000; i++) {
        static const char unit[] = "{\"location\":\"DC-WEST\",\"qty\":1}";
        text[i] = unit[i % (sizeof(unit) - 1)];
    }
    size_t packed_len = 0;
    cr_assert_not_null(zdoc_pack(&arena, text, 200000, &packed_len));
    cr_expect_lt(packed_len, 200000 / 20, "repetitive JSON packs small: %zu", packed_len);
    round_trip(text, 200000);
    srand(7);
    for (int n = 0; n < 200; n++) {
        size_t len = (size_t)(rand() % 5000);
        for (size_t i = 0; i < len; i++) {
            text[i] = (char)(1 + rand() % 255); /* text: no NUL inside */
        }
        text[len] = '\0';
        round_trip(text, len);
    }
}

Test(zdoc, text_passes_through)
{
    const char *json = "{\"engine\":\"cost\"}";
    const char *back = zdoc_unpack(&arena, (const unsigned char *)json, strlen(json));
    cr_assert_not_null(back);
    cr_assert_str_eq(back, json);
    back = zdoc_unpack(&arena, (const unsigned char *)"", 0);
    cr_assert_not_null(back);
    cr_assert_str_eq(back, "");
}

Test(zdoc, damaged_documents_are_refused)
{
    const char *json = "{\"engine\":\"cost\",\"candidates\":[{\"location\":\"DC-WEST\"},"
                       "{\"location\":\"DC-EAST\"}]}";
    size_t len = strlen(json);
    size_t packed_len = 0;
    const unsigned char *packed = zdoc_pack(&arena, json, len, &packed_len);
    cr_assert_not_null(packed);
    for (size_t cut = 1; cut < packed_len; cut++) {
        cr_expect_null(zdoc_unpack(&arena, packed, cut), "cut at %zu of %zu", cut, packed_len);
    }
    unsigned char *copy = arena_alloc(&arena, packed_len);
    cr_assert_not_null(copy);
    for (size_t at = 1; at < packed_len; at++) {
        memcpy(copy, packed, packed_len);
        copy[at] ^= 0x5A;
        const char *back = zdoc_unpack(&arena, copy, packed_len);
        /* zlib's Adler-32 catches a changed stream and the length must be the one named; only
         * a change to the padding bits after the stream's last code may still read, and then
         * as the same text. */
        if (back != NULL) {
            cr_expect_str_eq(back, json, "byte %zu changed and read as other text", at);
        }
    }
    /* A length past the cap is refused before anything is allocated. */
    static const unsigned char huge[] = {'z', 0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x01};
    cr_expect_null(zdoc_unpack(&arena, huge, sizeof(huge)));
}
