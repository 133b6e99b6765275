/*
 * id.c — identifiers and hashes over libsodium. The random part of an id carries 65 bits, so
 * ids are unguessable as well as ordered.
 */
#include "lib/id.h"

#include <sodium.h>
#include <stdatomic.h>
#include <string.h>

static const char id_base32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

enum err_code id_init(void)
{
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

/*
 * The last (milliseconds << ID_SEQ_BITS | sequence) given out in this process. Each id takes
 * the next one after it, or its own time with sequence 0 when that is later: ids made one
 * after another sort in that order even within a millisecond or when a caller's clock reading
 * is older than the last id's: a list by id is the order of creation, and a new row keyed by
 * id goes to its B-tree's right edge instead of between rows of its millisecond (measured on
 * `make bench`'s WAL: few pages fewer per commit, since SQLite rebalances three pages whenever
 * an index B-tree's right edge splits anyway).
 */
#define ID_SEQ_BITS 15
static _Atomic uint64_t id_last;

static uint64_t id_next_stamp(int64_t now_ms)
{
    uint64_t want = ((uint64_t)now_ms & 0xFFFFFFFFFFFFull) << ID_SEQ_BITS;
    uint64_t last = atomic_load_explicit(&id_last, memory_order_relaxed);
    uint64_t next = 0;
    do {
        next = want > last ? want : last + 1;
    } while (!atomic_compare_exchange_weak_explicit(&id_last, &last, next, memory_order_relaxed,
                                                    memory_order_relaxed));
    return next;
}

void id_new(char out[ID_LEN_MAX], const char *prefix, int64_t now_ms)
{
    ASSERT(out != NULL);
    ASSERT(prefix != NULL && strlen(prefix) <= 8);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    out[p++] = '_';
    /* 48 bits of milliseconds and 15 of sequence: 13 characters of 5 bits (63 bits). */
    uint64_t stamp = id_next_stamp(now_ms);
    for (int i = 12; i >= 0; i--) {
        out[p + (size_t)i] = id_base32[stamp & 31u];
        stamp >>= 5;
    }
    p += 13;
    unsigned char random[13]; /* 65 random bits: ids stay unguessable */
    id_random_bytes(random, sizeof(random));
    for (size_t i = 0; i < sizeof(random); i++) {
        out[p++] = id_base32[random[i] & 31u];
    }
    out[p] = '\0';
}

/* Random bytes are drawn from the kernel 4 KiB at a time per thread: an order takes
 * several ids, and a getrandom() call for each would cost a system call every time. */
#define ID_POOL_BYTES 4096

static _Thread_local unsigned char id_pool[ID_POOL_BYTES];
static _Thread_local size_t id_pool_left;

void id_random_bytes(void *out, size_t len)
{
    ASSERT(out != NULL || len == 0);
    unsigned char *dst = out;
    while (len > 0) {
        if (id_pool_left == 0) {
            randombytes_buf(id_pool, sizeof(id_pool));
            id_pool_left = sizeof(id_pool);
        }
        size_t take = len < id_pool_left ? len : id_pool_left;
        memcpy(dst, id_pool + (sizeof(id_pool) - id_pool_left), take);
        sodium_memzero(id_pool + (sizeof(id_pool) - id_pool_left), take);
        id_pool_left -= take;
        dst += take;
        len -= take;
    }
}

void id_random_alnum(char *out, size_t len)
{
    static const char alphabet[] = "abcdefghijklmnopqrstuvwxyz0123456789";
    ASSERT(out != NULL);
    for (size_t i = 0; i < len; i++) {
        out[i] = alphabet[randombytes_uniform((uint32_t)(sizeof(alphabet) - 1))];
    }
    out[len] = '\0';
}

void id_hash(unsigned char out[ID_HASH_BYTES], const void *data, size_t len)
{
    ASSERT(out != NULL);
    ASSERT(data != NULL || len == 0);
    int rc = crypto_generichash(out, ID_HASH_BYTES, data, len, NULL, 0);
    ASSERT(rc == 0);
}

void id_hex(char *out, const unsigned char *data, size_t len)
{
    ASSERT(out != NULL);
    ASSERT(data != NULL || len == 0);
    sodium_bin2hex(out, len * 2 + 1, data, len);
}

bool id_equal_secret(const void *a, const void *b, size_t len)
{
    ASSERT(a != NULL && b != NULL);
    return sodium_memcmp(a, b, len) == 0;
}
