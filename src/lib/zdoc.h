/*
 * zdoc.h — a text document kept compressed. Large JSON kept with every row (an order's
 * routing explanation: about 1.6 KB, a third of an order's bytes) is stored packed:
 *   'l', the dictionary's id (1 byte), the text's length and its CRC-32 (4 bytes each,
 *   little-endian), then one LZ4 block compressed against the dictionary.
 * A dictionary is text like the documents of one kind (their keys and usual values), so that
 * even a short document packs well; a document can only be read with the dictionary it was
 * packed with, so a dictionary, once used, never changes: a better one takes a new id.
 * Documents packed before LZ4 ('z', the length, then a zlib stream) and documents stored
 * before packing existed (the text itself) are still read.
 */
#ifndef ORDO_LIB_ZDOC_H
#define ORDO_LIB_ZDOC_H

#include "lib/arena.h"
#include "lib/base.h"

/* The largest text zdoc_pack() takes (and zdoc_unpack() gives back). */
#define ZDOC_TEXT_MAX ((size_t)16 * 1024 * 1024)

/* A dictionary: id 1..255 (0 is "none"), and its text (LZ4 uses its last 64 KB). */
struct zdoc_dict {
    unsigned char id;
    const char *text;
    size_t len;
};

/* The packed form of text[0..len) in the arena, against dict (NULL: no dictionary); NULL when
 * the arena is full or len is past ZDOC_TEXT_MAX. *out_len is its length. */
const unsigned char *zdoc_pack(struct arena *arena, const struct zdoc_dict *dict, const char *text,
                               size_t len, size_t *out_len);

/* The NUL-terminated text of a document, packed or not, in the arena; NULL when the arena is
 * full, or a packed document is damaged (it does not unpack to the length and CRC it names)
 * or was packed with another dictionary than dict. A document that starts with neither 'l'
 * nor 'z' is text (JSON starts with '{') and is copied as it is. */
const char *zdoc_unpack(struct arena *arena, const struct zdoc_dict *dict, const unsigned char *doc,
                        size_t len);

#endif
