/*
 * test_zdoc.c — goal: a packed document gives back exactly its text, with or without a
 * dictionary; documents packed with zlib before, and text stored before packing, still read;
 * damaged documents, and documents unpacked with another dictionary, are refused rather than
 * read as garbage.
 * Method: round trips of empty, short, repetitive and random texts (every byte 1..255), then
 * every truncation and single-byte change of a packed document; a zlib document made here with
 * zlib itself; a document unpacked with a dictionary of the same id but other text.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "lib/zdoc.h"

static struct arena arena;

static const char dict_text[] = "{\"engine\":\"cost\",\"candidates\":[{\"location\":\"\","
                                "\"verdict\":\"not_chosen\",\"distance_km\":1.5}]}";
static const struct zdoc_dict dict = {.id = 7, .text = dict_text, .len = sizeof(dict_text) - 1};

static void setup(void)
{
    arena_init(&arena, 64 * 1024 * 1024);
}

static void teardown(void)
{
    arena_release(&arena);
}

TestSuite(zdoc, .init = setup, .fini = teardown);

static void round_trip(const struct zdoc_dict *with, const char *text, size_t len)
{
    size_t packed_len = 0;
    const unsigned char *packed = zdoc_pack(&arena, with, text, len, &packed_len);
    cr_assert_not_null(packed);
    cr_assert_eq(packed[0], 'l');
    cr_assert_eq(packed[1], with != NULL ? with->id : 0);
    const char *back = zdoc_unpack(&arena, with, packed, packed_len);
    cr_assert_not_null(back, "len %zu", len);
    cr_assert_eq(strlen(back), len);
    cr_assert_eq(memcmp(back, text, len), 0);
}

Test(zdoc, round_trips)
{
    for (int d = 0; d < 2; d++) {
        const struct zdoc_dict *with = d == 0 ? NULL : &dict;
        round_trip(with, "", 0);
        round_trip(with, "{}", 2);
        round_trip(with, dict_text, strlen(dict_text));
    }
    char *text = arena_alloc(&arena, 200001);
    cr_assert_not_null(text);
    for (size_t i = 0; i < 200000; i++) {
        static const char unit[] = "{\"location\":\"DC-WEST\",\"qty\":1}";
        text[i] = unit[i % (sizeof(unit) - 1)];
    }
    size_t packed_len = 0;
    cr_assert_not_null(zdoc_pack(&arena, NULL, text, 200000, &packed_len));
    cr_expect_lt(packed_len, 200000 / 20, "repetitive JSON packs small: %zu", packed_len);
    round_trip(NULL, text, 200000);
    round_trip(&dict, text, 200000);
    srand(7);
    for (int n = 0; n < 200; n++) {
        size_t len = (size_t)(rand() % 5000);
        for (size_t i = 0; i < len; i++) {
            text[i] = (char)(1 + rand() % 255); /* text: no NUL inside */
        }
        text[len] = '\0';
        round_trip(n % 2 == 0 ? NULL : &dict, text, len);
    }
}

/* A dictionary is what makes a short document small: its keys are found there. */
Test(zdoc, a_dictionary_packs_a_short_document_smaller)
{
    const char *json = "{\"engine\":\"cost\",\"candidates\":[{\"location\":\"DC-EAST\","
                       "\"verdict\":\"not_chosen\",\"distance_km\":316.3}]}";
    size_t plain = 0;
    size_t with = 0;
    cr_assert_not_null(zdoc_pack(&arena, NULL, json, strlen(json), &plain));
    cr_assert_not_null(zdoc_pack(&arena, &dict, json, strlen(json), &with));
    cr_expect_lt(with * 2, plain, "with the dictionary %zu bytes, without %zu", with, plain);
}

Test(zdoc, text_passes_through)
{
    const char *json = "{\"engine\":\"cost\"}";
    const char *back = zdoc_unpack(&arena, &dict, (const unsigned char *)json, strlen(json));
    cr_assert_not_null(back);
    cr_assert_str_eq(back, json);
    back = zdoc_unpack(&arena, NULL, (const unsigned char *)"", 0);
    cr_assert_not_null(back);
    cr_assert_str_eq(back, "");
}

/* The format before LZ4: 'z', the text's length (4 bytes, little-endian), a zlib stream. */
static unsigned char *zlib_doc(const char *text, size_t *doc_len)
{
    size_t len = strlen(text);
    uLongf bound = compressBound((uLong)len);
    unsigned char *doc = arena_alloc(&arena, 5 + bound);
    cr_assert_not_null(doc);
    doc[0] = 'z';
    for (unsigned i = 0; i < 4; i++) {
        doc[1 + i] = (unsigned char)((len >> (8 * i)) & 0xFFu);
    }
    cr_assert_eq(compress2(doc + 5, &bound, (const Bytef *)text, (uLong)len, 1), Z_OK);
    *doc_len = 5 + bound;
    return doc;
}

Test(zdoc, zlib_documents_from_before_read)
{
    const char *json = "{\"engine\":\"cost\",\"strategy\":\"split\"}";
    size_t doc_len = 0;
    unsigned char *doc = zlib_doc(json, &doc_len);
    for (int d = 0; d < 2; d++) { /* a zlib document names no dictionary: either reads it */
        const char *back = zdoc_unpack(&arena, d == 0 ? NULL : &dict, doc, doc_len);
        cr_assert_not_null(back);
        cr_expect_str_eq(back, json);
    }
    for (size_t cut = 1; cut < doc_len; cut++) {
        cr_expect_null(zdoc_unpack(&arena, &dict, doc, cut), "cut at %zu of %zu", cut, doc_len);
    }
    doc[doc_len - 1] ^= 0x5A; /* its Adler-32 */
    cr_expect_null(zdoc_unpack(&arena, &dict, doc, doc_len));
    static const unsigned char huge[] = {'z', 0xFF, 0xFF, 0xFF, 0x7F, 0x78, 0x01};
    cr_expect_null(zdoc_unpack(&arena, &dict, huge, sizeof(huge)));
}

Test(zdoc, damaged_documents_are_refused)
{
    const char *json = "{\"engine\":\"cost\",\"candidates\":[{\"location\":\"DC-WEST\"},"
                       "{\"location\":\"DC-EAST\"},{\"location\":\"STORE-BOS\"}]}";
    size_t len = strlen(json);
    for (int d = 0; d < 2; d++) {
        const struct zdoc_dict *with = d == 0 ? NULL : &dict;
        size_t packed_len = 0;
        const unsigned char *packed = zdoc_pack(&arena, with, json, len, &packed_len);
        cr_assert_not_null(packed);
        for (size_t cut = 1; cut < packed_len; cut++) {
            cr_expect_null(zdoc_unpack(&arena, with, packed, cut), "cut at %zu of %zu", cut,
                           packed_len);
        }
        unsigned char *copy = arena_alloc(&arena, packed_len);
        cr_assert_not_null(copy);
        for (size_t at = 1; at < packed_len; at++) {
            for (unsigned flip = 1; flip < 256; flip <<= 1) {
                memcpy(copy, packed, packed_len);
                copy[at] ^= (unsigned char)flip;
                const char *back = zdoc_unpack(&arena, with, copy, packed_len);
                /* The length and CRC-32 named must be the text's; a change that still unpacks
                 * to the same text (an offset to an equal earlier copy) may read. */
                if (back != NULL) {
                    cr_expect_str_eq(back, json, "byte %zu ^ %u read as other text", at, flip);
                }
            }
        }
    }
    /* A length past the cap is refused before anything is allocated. */
    static const unsigned char huge[] = {'l', 0, 0xFF, 0xFF, 0xFF, 0x7F, 0, 0, 0, 0, 0x10, 'x'};
    cr_expect_null(zdoc_unpack(&arena, NULL, huge, sizeof(huge)));
}

Test(zdoc, another_dictionary_is_refused)
{
    const char *json = "{\"engine\":\"cost\",\"candidates\":[{\"location\":\"DC-WEST\","
                       "\"verdict\":\"not_chosen\",\"distance_km\":1.5}]}";
    size_t packed_len = 0;
    const unsigned char *packed = zdoc_pack(&arena, &dict, json, strlen(json), &packed_len);
    cr_assert_not_null(packed);
    cr_expect_null(zdoc_unpack(&arena, NULL, packed, packed_len), "packed with id 7, read bare");
    struct zdoc_dict other_id = dict;
    other_id.id = 8;
    cr_expect_null(zdoc_unpack(&arena, &other_id, packed, packed_len), "id 8");
    /* The same id with other text (a dictionary changed after use) unpacks to other bytes:
     * the CRC-32 refuses them. */
    char changed[sizeof(dict_text)];
    memcpy(changed, dict_text, sizeof(dict_text));
    for (size_t i = 0; i < sizeof(dict_text) - 1; i++) {
        changed[i] = changed[i] == '"' ? '\'' : changed[i];
    }
    struct zdoc_dict other_text = {.id = 7, .text = changed, .len = sizeof(dict_text) - 1};
    cr_expect_null(zdoc_unpack(&arena, &other_text, packed, packed_len), "other text, id 7");
    packed = zdoc_pack(&arena, NULL, json, strlen(json), &packed_len);
    cr_assert_not_null(packed);
    cr_expect_null(zdoc_unpack(&arena, &dict, packed, packed_len), "packed bare, read with 7");
}
