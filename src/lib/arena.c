/*
 * arena.c — chunked bump allocation with a hard cap. Chunks grow geometrically up to a
 * limit; a large request gets a chunk of its own. Memory is zeroed so structs start clean.
 */
#include "lib/arena.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ARENA_CHUNK_BYTES_MIN ((size_t)16 * 1024)
#define ARENA_CHUNK_BYTES_MAX ((size_t)1024 * 1024)
#define ARENA_ALIGN           16u

struct arena_chunk {
    struct arena_chunk *next;
    size_t size; /* usable bytes after the header */
    size_t used; /* bytes handed out */
    _Alignas(16) unsigned char data[];
};

void arena_init(struct arena *arena, size_t cap_bytes)
{
    ASSERT(arena != NULL);
    ASSERT(cap_bytes > 0);
    memset(arena, 0, sizeof(*arena));
    arena->cap_bytes = cap_bytes;
}

static void arena_free_chain(struct arena_chunk *chunk)
{
    while (chunk != NULL) {
        struct arena_chunk *next = chunk->next;
        free(chunk);
        chunk = next;
    }
}

void arena_reset(struct arena *arena)
{
    ASSERT(arena != NULL);
    struct arena_chunk *keep = arena->head;
    if (keep != NULL) {
        /* The oldest chunk is the smallest; keep the newest one, which is the largest. */
        arena_free_chain(keep->next);
        keep->next = NULL;
        keep->used = 0;
        arena->used_bytes = sizeof(*keep) + keep->size;
    } else {
        arena->used_bytes = 0;
    }
    arena->allocations_count = 0;
}

void arena_release(struct arena *arena)
{
    ASSERT(arena != NULL);
    arena_free_chain(arena->head);
    arena->head = NULL;
    arena->used_bytes = 0;
    arena->allocations_count = 0;
}

static struct arena_chunk *arena_grow(struct arena *arena, size_t size)
{
    size_t chunk_size = ARENA_CHUNK_BYTES_MIN;
    if (arena->head != NULL && arena->head->size * 2 <= ARENA_CHUNK_BYTES_MAX) {
        chunk_size = arena->head->size * 2;
    } else if (arena->head != NULL) {
        chunk_size = ARENA_CHUNK_BYTES_MAX;
    }
    if (chunk_size < size) {
        chunk_size = size;
    }
    size_t total = sizeof(struct arena_chunk) + chunk_size;
    if (arena->used_bytes + total > arena->cap_bytes) {
        /* Try the smallest chunk that fits before giving up. */
        chunk_size = size;
        total = sizeof(struct arena_chunk) + chunk_size;
        if (arena->used_bytes + total > arena->cap_bytes) {
            return NULL;
        }
    }
    struct arena_chunk *chunk = malloc(total);
    if (chunk == NULL) {
        return NULL;
    }
    chunk->next = arena->head;
    chunk->size = chunk_size;
    chunk->used = 0;
    arena->head = chunk;
    arena->used_bytes += total;
    return chunk;
}

void *arena_alloc(struct arena *arena, size_t size)
{
    ASSERT(arena != NULL);
    ASSERT(arena->cap_bytes > 0);
    arena->allocations_count++;
    if (arena->fail_at != 0 && arena->allocations_count == arena->fail_at) {
        return NULL;
    }
    if (size == 0) {
        size = 1;
    }
    if (size > arena->cap_bytes) {
        return NULL;
    }
    size_t rounded = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
    struct arena_chunk *chunk = arena->head;
    if (chunk == NULL || chunk->size - chunk->used < rounded) {
        chunk = arena_grow(arena, rounded);
        if (chunk == NULL) {
            return NULL;
        }
    }
    void *result = chunk->data + chunk->used;
    chunk->used += rounded;
    memset(result, 0, size);
    return result;
}

void *arena_alloc_array(struct arena *arena, size_t count, size_t size)
{
    ASSERT(arena != NULL);
    if (size != 0 && count > SIZE_MAX / size) {
        return NULL;
    }
    return arena_alloc(arena, count * size);
}

char *arena_strndup(struct arena *arena, const char *src, size_t len)
{
    ASSERT(arena != NULL);
    ASSERT(src != NULL || len == 0);
    if (len == SIZE_MAX) {
        return NULL;
    }
    char *copy = arena_alloc(arena, len + 1);
    if (copy == NULL) {
        return NULL;
    }
    if (len > 0) {
        memcpy(copy, src, len);
    }
    copy[len] = '\0';
    return copy;
}

char *arena_strdup(struct arena *arena, const char *src)
{
    if (src == NULL) {
        return NULL;
    }
    return arena_strndup(arena, src, strlen(src));
}

char *arena_sprintf(struct arena *arena, const char *fmt, ...)
{
    ASSERT(arena != NULL);
    ASSERT(fmt != NULL);
    va_list ap;
    va_start(ap, fmt);
    int needed = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (needed < 0) {
        return NULL;
    }
    char *out = arena_alloc(arena, (size_t)needed + 1);
    if (out == NULL) {
        return NULL;
    }
    va_start(ap, fmt);
    int written = vsnprintf(out, (size_t)needed + 1, fmt, ap);
    va_end(ap);
    ASSERT(written == needed);
    return out;
}
