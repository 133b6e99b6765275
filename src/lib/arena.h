/*
 * arena.h — a capped bump allocator. Each HTTP request or CLI command owns one arena: its
 * parsed input, domain structs, rows read from the store and response text all come from it
 * and are released together by arena_reset() or arena_release().
 */
#ifndef ORDO_LIB_ARENA_H
#define ORDO_LIB_ARENA_H

#include "lib/base.h"

struct arena_chunk;

struct arena {
    struct arena_chunk *head; /* newest chunk first */
    size_t used_bytes;        /* bytes handed out, chunk headers included */
    size_t cap_bytes;         /* hard cap; an allocation past it returns NULL */
    size_t allocations_count; /* allocations since the last reset */
    size_t fail_at;           /* fault injection: the Nth allocation fails (0: never) */
};

/* An arena with no memory yet; nothing is allocated until the first arena_alloc(). */
void arena_init(struct arena *arena, size_t cap_bytes);

/* Frees every chunk but the first, keeps the arena usable. */
void arena_reset(struct arena *arena);

/* Frees everything; the arena must be initialised again before reuse. */
void arena_release(struct arena *arena);

/*
 * Zeroed memory aligned to 16 bytes, owned by the arena until reset or release, or NULL
 * when the cap would be passed (callers return ERR_TOO_LARGE) or malloc fails.
 */
void *arena_alloc(struct arena *arena, size_t size);

/* arena_alloc(count * size) with an overflow check. */
void *arena_alloc_array(struct arena *arena, size_t count, size_t size);

/* NUL-terminated copy of the first len bytes of src in the arena, or NULL as arena_alloc. */
char *arena_strndup(struct arena *arena, const char *src, size_t len);

/* Copy of a NUL-terminated string (NULL in, NULL out). */
char *arena_strdup(struct arena *arena, const char *src);

/* printf into the arena; NULL as arena_alloc. */
char *arena_sprintf(struct arena *arena, const char *fmt, ...) PRINTF_LIKE(2, 3);

#define ARENA_NEW(arena, type) ((type *)arena_alloc((arena), sizeof(type)))
#define ARENA_NEW_ARRAY(arena, type, count)                                                        \
    ((type *)arena_alloc_array((arena), (count), sizeof(type)))

#endif
