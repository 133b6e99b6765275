/*
 * zdoc.c — see zdoc.h. LZ4, one block each way: a document is small and whole in memory.
 * Over the bench's routing explanations (1.6 KB of JSON each): LZ4 against the routing
 * dictionary packs to ~290 bytes in ~1 us; zlib level 1 (the format before) to ~470 bytes in
 * ~12 us, the largest cost of an order's request thread after its reads. LZ4 has no check of
 * its own, so the text's CRC-32 (zlib's, ~0.3 us) is kept: a damaged document is refused,
 * never read as other text.
 */
#include "lib/zdoc.h"

#include <lz4.h>
#include <string.h>
#define ZLIB_CONST /* next_in is const: zlib only reads the input */
#include <zlib.h>

#define ZDOC_MARK         'l'
#define ZDOC_HEADER       10u /* the mark, the dictionary's id, the text's length and CRC */
#define ZDOC_ZLIB_MARK    'z'
#define ZDOC_ZLIB_HEADER  5u /* the mark and the text's length */
#define ZDOC_LZ4_DICT_MAX ((size_t)64 * 1024)

static void zdoc_put_u32(unsigned char *at, uint32_t value)
{
    for (unsigned i = 0; i < 4; i++) {
        at[i] = (unsigned char)((value >> (8 * i)) & 0xFFu);
    }
}

static uint32_t zdoc_get_u32(const unsigned char *at)
{
    uint32_t value = 0;
    for (unsigned i = 0; i < 4; i++) {
        value |= (uint32_t)at[i] << (8 * i);
    }
    return value;
}

static uint32_t zdoc_crc(const char *text, size_t len)
{
    return (uint32_t)crc32(0L, (const Bytef *)text, (uInt)len);
}

/* The part of a dictionary LZ4 uses: its last 64 KB. */
static const char *zdoc_dict_tail(const struct zdoc_dict *dict, int *len)
{
    if (dict == NULL) {
        *len = 0;
        return NULL;
    }
    size_t n = dict->len < ZDOC_LZ4_DICT_MAX ? dict->len : ZDOC_LZ4_DICT_MAX;
    *len = (int)n;
    return dict->text + (dict->len - n);
}

const unsigned char *zdoc_pack(struct arena *arena, const struct zdoc_dict *dict, const char *text,
                               size_t len, size_t *out_len)
{
    ASSERT(arena != NULL && out_len != NULL);
    ASSERT(text != NULL || len == 0);
    ASSERT(dict == NULL || (dict->id != 0 && dict->text != NULL));
    *out_len = 0;
    if (len > ZDOC_TEXT_MAX) {
        return NULL;
    }
    int bound = LZ4_compressBound((int)len);
    unsigned char *doc = arena_alloc(arena, ZDOC_HEADER + (size_t)bound);
    if (doc == NULL) {
        return NULL;
    }
    LZ4_stream_t stream; /* ~16 KB on the stack: cheaper than a heap block per document */
    if (LZ4_initStream(&stream, sizeof(stream)) == NULL) {
        return NULL;
    }
    int dict_len = 0;
    const char *dict_text = zdoc_dict_tail(dict, &dict_len);
    if (dict_len > 0) {
        (void)LZ4_loadDict(&stream, dict_text, dict_len);
    }
    int packed = LZ4_compress_fast_continue(&stream, text != NULL ? text : "",
                                            (char *)doc + ZDOC_HEADER, (int)len, bound, 1);
    if (packed <= 0 && len > 0) {
        return NULL;
    }
    doc[0] = ZDOC_MARK;
    doc[1] = dict != NULL ? dict->id : 0;
    zdoc_put_u32(doc + 2, (uint32_t)len);
    zdoc_put_u32(doc + 6, zdoc_crc(text, len));
    *out_len = ZDOC_HEADER + (size_t)packed;
    return doc;
}

/* Room for a text of the length a document names (and its NUL); NULL past the cap. */
static char *zdoc_text_room(struct arena *arena, size_t text_len)
{
    return text_len <= ZDOC_TEXT_MAX ? arena_alloc(arena, text_len + 1) : NULL;
}

/* A document of the format before LZ4: 'z', the length, a zlib stream. */
static const char *zdoc_unpack_zlib(struct arena *arena, const unsigned char *doc, size_t len)
{
    if (len < ZDOC_ZLIB_HEADER) {
        return NULL;
    }
    size_t text_len = zdoc_get_u32(doc + 1);
    char *text = zdoc_text_room(arena, text_len);
    if (text == NULL) {
        return NULL;
    }
    uLongf inflated = (uLongf)text_len;
    int rc = uncompress((Bytef *)text, &inflated, doc + ZDOC_ZLIB_HEADER,
                        (uLong)(len - ZDOC_ZLIB_HEADER));
    if (rc != Z_OK || inflated != text_len || memchr(text, '\0', text_len) != NULL) {
        return NULL;
    }
    text[text_len] = '\0';
    return text;
}

const char *zdoc_unpack(struct arena *arena, const struct zdoc_dict *dict, const unsigned char *doc,
                        size_t len)
{
    ASSERT(arena != NULL);
    ASSERT(doc != NULL || len == 0);
    if (len == 0) {
        return arena_strndup(arena, "", 0);
    }
    if (doc[0] == ZDOC_ZLIB_MARK) {
        return zdoc_unpack_zlib(arena, doc, len);
    }
    if (doc[0] != ZDOC_MARK) {
        return arena_strndup(arena, (const char *)doc, len);
    }
    if (len < ZDOC_HEADER || len - ZDOC_HEADER > (size_t)LZ4_MAX_INPUT_SIZE ||
        doc[1] != (dict != NULL ? dict->id : 0)) {
        return NULL;
    }
    size_t text_len = zdoc_get_u32(doc + 2);
    char *text = zdoc_text_room(arena, text_len);
    if (text == NULL) {
        return NULL;
    }
    int dict_len = 0;
    const char *dict_text = zdoc_dict_tail(dict, &dict_len);
    int got =
        LZ4_decompress_safe_usingDict((const char *)doc + ZDOC_HEADER, text,
                                      (int)(len - ZDOC_HEADER), (int)text_len, dict_text, dict_len);
    if (got < 0 || (size_t)got != text_len || zdoc_crc(text, text_len) != zdoc_get_u32(doc + 6) ||
        memchr(text, '\0', text_len) != NULL) {
        return NULL;
    }
    text[text_len] = '\0';
    return text;
}
