/*
 * err.h — the one error type of Ordo. A fallible function returns enum err_code and fills
 * the struct err passed as its last argument only on failure. Only http/http_error.c maps
 * codes to HTTP statuses.
 */
#ifndef ORDO_LIB_ERR_H
#define ORDO_LIB_ERR_H

#include "lib/base.h"

enum err_code {
    ERR_OK = 0,
    ERR_MALFORMED,    /* the input is not well-formed (JSON syntax): HTTP 400 */
    ERR_INVALID,      /* well-formed, but a value is wrong: HTTP 422 */
    ERR_NOT_FOUND,    /* HTTP 404 */
    ERR_CONFLICT,     /* duplicate or clashing state: HTTP 409 */
    ERR_STATE,        /* action not allowed in the current state: HTTP 409 invalid_state */
    ERR_STOCK,        /* not enough stock: HTTP 409 insufficient_stock */
    ERR_PRECONDITION, /* If-Match version moved on: HTTP 412 */
    ERR_AUTH,         /* no or bad credentials: HTTP 401 */
    ERR_FORBIDDEN,    /* valid credentials, no right: HTTP 403 */
    ERR_METHOD,       /* HTTP 405 */
    ERR_TOO_LARGE,    /* a size limit was hit: HTTP 413 */
    ERR_MEDIA,        /* wrong Content-Type: HTTP 415 */
    ERR_BUSY,         /* queue full or rate limited: HTTP 429 */
    ERR_STORE,        /* the database failed: HTTP 500 */
    ERR_INTERNAL,     /* a bug or resource exhaustion: HTTP 500 */
    ERR_UPSTREAM,     /* a service Ordo calls (a payment provider) failed: HTTP 502 */
    ERR_CODE_COUNT
};

#define ERR_FIELD_LEN_MAX   96
#define ERR_REASON_LEN_MAX  48
#define ERR_MESSAGE_LEN_MAX 240
#define ERR_ITEMS_LEN_MAX   512

struct err {
    enum err_code code;
    char reason[ERR_REASON_LEN_MAX];   /* snake_case API code; "" means the code's default */
    char field[ERR_FIELD_LEN_MAX];     /* JSON path of the input at fault, or "" */
    char message[ERR_MESSAGE_LEN_MAX]; /* lower-case sentence without final period */
    char items[ERR_ITEMS_LEN_MAX];     /* comma-separated list (e.g. the SKUs short), or "" */
};

/* Sets every field of err (field may be NULL) and returns code, so callers can `return
 * err_set(...)`. */
enum err_code err_set(struct err *err, enum err_code code, const char *field, const char *fmt, ...)
    PRINTF_LIKE(4, 5);

/* Same, with an API reason code other than the code's default (e.g. "idempotency_key_reused"). */
enum err_code err_set_reason(struct err *err, enum err_code code, const char *reason,
                             const char *field, const char *fmt, ...) PRINTF_LIKE(5, 6);

/* Appends one item to err->items (comma separated); silently stops when full. */
void err_add_item(struct err *err, const char *item);

/* Resets err to ERR_OK with empty strings. */
void err_clear(struct err *err);

/* The API reason: err->reason when set, else the code's default ("invalid_value", ...). */
const char *err_reason(const struct err *err);

/* Default API reason of a code ("not_found" for ERR_NOT_FOUND). Static string. */
const char *err_code_name(enum err_code code);

#endif
