/*
 * id.h — random bytes, hashes and opaque identifiers, on libsodium. Ids are a prefix and 26
 * characters of Crockford base32: 48 bits of milliseconds and a 15-bit sequence (the ids of
 * one process strictly increase in the order they are made), then 65 random bits. They sort
 * by creation, which keeps B-tree inserts at the right edge and makes cursors simple.
 */
#ifndef ORDO_LIB_ID_H
#define ORDO_LIB_ID_H

#include "lib/base.h"
#include "lib/err.h"

#define ID_LEN_MAX    40 /* buffer size for "prefix_" + 26 characters + NUL */
#define ID_HASH_BYTES 32

/* Initialises libsodium; call once at start-up before any other id_ function. */
MUST_CHECK enum err_code id_init(void);

/* Fills out with a new id "<prefix>_<ulid>"; prefix is at most 8 characters. */
void id_new(char out[ID_LEN_MAX], const char *prefix, int64_t now_ms);

/* Cryptographically random bytes. */
void id_random_bytes(void *out, size_t len);

/* A random string of len characters from [a-z0-9] (e.g. pickup codes, key secrets). */
void id_random_alnum(char *out, size_t len);

/* BLAKE2b-256 of data. */
void id_hash(unsigned char out[ID_HASH_BYTES], const void *data, size_t len);

/* Lower-case hex of len bytes into out (2 * len + 1 bytes). */
void id_hex(char *out, const unsigned char *data, size_t len);

/* Constant-time comparison of two byte strings of len bytes. */
bool id_equal_secret(const void *a, const void *b, size_t len);

#endif
