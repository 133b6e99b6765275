/*
 * buf.h — a growable byte buffer with a maximum length, always NUL-terminated. Appends past
 * len_max fail with ERR_TOO_LARGE and leave the buffer as it was.
 */
#ifndef ORDO_LIB_BUF_H
#define ORDO_LIB_BUF_H

#include "lib/base.h"
#include "lib/err.h"

struct buf {
    char *ptr;      /* malloc'ed, NUL-terminated; never NULL after buf_init */
    size_t len;     /* bytes used, not counting the NUL */
    size_t cap;     /* bytes allocated */
    size_t len_max; /* appends past this length fail */
};

/* An empty buffer ("") that may grow to len_max bytes. Release with buf_release(). */
void buf_init(struct buf *buf, size_t len_max);

/* Frees the memory; the buffer must be initialised again before reuse. */
void buf_release(struct buf *buf);

/* Empties the buffer and keeps its memory. */
void buf_clear(struct buf *buf);

/* Appends len bytes; ERR_TOO_LARGE past len_max, ERR_INTERNAL when malloc fails. */
MUST_CHECK enum err_code buf_append(struct buf *buf, const void *data, size_t len);

/* Appends a NUL-terminated string. */
MUST_CHECK enum err_code buf_appends(struct buf *buf, const char *s);

/* Appends one byte. */
MUST_CHECK enum err_code buf_appendc(struct buf *buf, char c);

/* Appends printf output. */
MUST_CHECK enum err_code buf_appendf(struct buf *buf, const char *fmt, ...) PRINTF_LIKE(2, 3);

/* Hands the memory to the caller (free() it) and leaves the buffer empty and usable. */
char *buf_detach(struct buf *buf, size_t *len_out);

#endif
