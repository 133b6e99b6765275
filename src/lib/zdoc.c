/*
 * zdoc.c — see zdoc.h. zlib, one call each way: a document is small and whole in memory.
 * Level 1: a routing explanation packs to about 30% of its text; higher levels gain ~6% more
 * for several times the time.
 */
#include "lib/zdoc.h"

#include <string.h>
#define ZLIB_CONST /* next_in is const: zlib only reads the input */
#include <zlib.h>

#define ZDOC_MARK   'z'
#define ZDOC_HEADER 5u /* the mark and the text's length */
#define ZDOC_LEVEL  1
/* A 4 KiB window and small hash tables: about 30 KB of zlib state instead of the defaults'
 * ~270 KB, which cost more to allocate and clear than packing a 2 KB document takes (over the
 * bench's explanations, in Python's zlib: 55 us each with the defaults, 13 with these, the
 * same size; this code: 6 us). Inflating takes any window. */
#define ZDOC_WINDOW_BITS 12
#define ZDOC_MEM_LEVEL   4

const unsigned char *zdoc_pack(struct arena *arena, const char *text, size_t len, size_t *out_len)
{
    ASSERT(arena != NULL && out_len != NULL);
    ASSERT(text != NULL || len == 0);
    *out_len = 0;
    if (len > ZDOC_TEXT_MAX) {
        return NULL;
    }
    z_stream stream;
    memset(&stream, 0, sizeof(stream));
    if (deflateInit2(&stream, ZDOC_LEVEL, Z_DEFLATED, ZDOC_WINDOW_BITS, ZDOC_MEM_LEVEL,
                     Z_DEFAULT_STRATEGY) != Z_OK) {
        return NULL;
    }
    uLong bound = deflateBound(&stream, (uLong)len);
    unsigned char *doc = arena_alloc(arena, ZDOC_HEADER + bound);
    int rc = Z_MEM_ERROR;
    if (doc != NULL) {
        stream.next_in = (const Bytef *)text;
        stream.avail_in = (uInt)len;
        stream.next_out = doc + ZDOC_HEADER;
        stream.avail_out = (uInt)bound;
        rc = deflate(&stream, Z_FINISH);
    }
    size_t packed = stream.total_out;
    (void)deflateEnd(&stream);
    if (rc != Z_STREAM_END) {
        return NULL;
    }
    doc[0] = ZDOC_MARK;
    for (unsigned i = 0; i < 4; i++) {
        doc[1 + i] = (unsigned char)((len >> (8 * i)) & 0xFFu);
    }
    *out_len = ZDOC_HEADER + packed;
    return doc;
}

const char *zdoc_unpack(struct arena *arena, const unsigned char *doc, size_t len)
{
    ASSERT(arena != NULL);
    ASSERT(doc != NULL || len == 0);
    if (len == 0) {
        return arena_strndup(arena, "", 0);
    }
    if (doc[0] != ZDOC_MARK) {
        return arena_strndup(arena, (const char *)doc, len);
    }
    if (len < ZDOC_HEADER) {
        return NULL;
    }
    size_t text_len = 0;
    for (unsigned i = 0; i < 4; i++) {
        text_len |= (size_t)doc[1 + i] << (8 * i);
    }
    if (text_len > ZDOC_TEXT_MAX) {
        return NULL;
    }
    char *text = arena_alloc(arena, text_len + 1);
    if (text == NULL) {
        return NULL;
    }
    uLongf inflated = (uLongf)text_len;
    int rc = uncompress((Bytef *)text, &inflated, doc + ZDOC_HEADER, (uLong)(len - ZDOC_HEADER));
    if (rc != Z_OK || inflated != text_len || memchr(text, '\0', text_len) != NULL) {
        return NULL;
    }
    text[text_len] = '\0';
    return text;
}
