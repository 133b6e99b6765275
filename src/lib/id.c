/*
 * id.c — identifiers and hashes over libsodium. The random part of an id carries 80 bits, so
 * ids are unguessable as well as ordered.
 */
#include "lib/id.h"

#include <sodium.h>
#include <string.h>

static const char id_base32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

enum err_code id_init(void)
{
    if (sodium_init() < 0) {
        return ERR_INTERNAL;
    }
    return ERR_OK;
}

void id_new(char out[ID_LEN_MAX], const char *prefix, int64_t now_ms)
{
    ASSERT(out != NULL);
    ASSERT(prefix != NULL && strlen(prefix) <= 8);
    size_t p = strlen(prefix);
    memcpy(out, prefix, p);
    out[p++] = '_';
    uint64_t time_part = (uint64_t)now_ms & 0xFFFFFFFFFFFFull;
    for (int i = 9; i >= 0; i--) {
        out[p + (size_t)i] = id_base32[time_part & 31u];
        time_part >>= 5;
    }
    p += 10;
    unsigned char random[16];
    id_random_bytes(random, sizeof(random));
    for (size_t i = 0; i < 16; i++) {
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
