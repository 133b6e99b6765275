/*
 * zdoc.h — a text document kept compressed (zlib). Large JSON kept with every row (an order's
 * routing explanation: about 1.6 KB, a third of an order's bytes) is stored packed: 'z', the
 * text's length as 4 bytes little-endian, then the zlib stream. Documents stored before
 * packing existed are the text itself; zdoc_unpack() takes both.
 */
#ifndef ORDO_LIB_ZDOC_H
#define ORDO_LIB_ZDOC_H

#include "lib/arena.h"
#include "lib/base.h"

/* The largest text zdoc_pack() takes (and zdoc_unpack() gives back). */
#define ZDOC_TEXT_MAX ((size_t)16 * 1024 * 1024)

/* The packed form of text[0..len) in the arena; NULL when the arena is full or len is past
 * ZDOC_TEXT_MAX. *out_len is its length. */
const unsigned char *zdoc_pack(struct arena *arena, const char *text, size_t len, size_t *out_len);

/* The NUL-terminated text of a document, packed or not, in the arena; NULL when the arena is
 * full or a packed document is damaged (its stream does not inflate to the length it names).
 * A document that does not start with 'z' is text and is copied as it is. */
const char *zdoc_unpack(struct arena *arena, const unsigned char *doc, size_t len);

#endif
