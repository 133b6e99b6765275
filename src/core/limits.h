/*
 * limits.h — every limit of Ordo in one place. Every loop over outside data is bounded by one
 * of these, and every outside string is checked against its length limit before use.
 */
#ifndef ORDO_CORE_LIMITS_H
#define ORDO_CORE_LIMITS_H

#include "lib/base.h"

#define REQUEST_BODY_BYTES_MAX   ((size_t)256 * 1024) /* larger bodies answer 413 */
#define REQUEST_ARENA_BYTES_MAX  ((size_t)16 * 1024 * 1024)
#define RESPONSE_BYTES_MAX       ((size_t)8 * 1024 * 1024)
#define ORDER_LINES_MAX          200
#define KIT_COMPONENTS_MAX       32
#define LOCATIONS_MAX            4096 /* routing candidates per order */
#define CODE_LEN_MAX             32   /* location, channel and carrier codes */
#define SKU_LEN_MAX              64
#define NAME_LEN_MAX             200
#define EMAIL_LEN_MAX            254
#define EXTERNAL_ID_LEN_MAX      128
#define ADDRESS_FIELD_LEN_MAX    200
#define POSTAL_CODE_LEN_MAX      16
#define REASON_LEN_MAX           200
#define NOTES_LEN_MAX            2000 /* free-text notes on an order */
#define CUSTOMIZATION_BYTES_MAX  2048
#define IDEMPOTENCY_KEY_LEN_MAX  255
#define QTY_MAX                  1000000         /* units on one line */
#define MONEY_AMOUNT_MAX         1000000000000LL /* 10^12 minor units on one price or total */
#define STOCK_QTY_MAX            1000000000LL    /* on hand at one location */
#define PAGE_LIMIT_DEFAULT       50
#define PAGE_LIMIT_MAX           500
#define WRITER_BATCH_MAX         512  /* commands in one group commit */
#define WRITER_QUEUE_MAX         8192 /* commands waiting; more answer 429 */
#define CAPACITY_PER_DAY_MAX     100000000LL
#define HANDLING_DAYS_MAX        60
#define PAYMENT_TERMS_DAYS_MAX   365
#define PICKUP_HOLD_DAYS_MAX     365
#define PACKAGES_MAX             100 /* packages of one shipment */
#define PICK_LIST_SHIPMENTS_MAX  500 /* shipments in one wave */
#define PICKUP_CODE_LEN          6   /* characters of a BOPIS pickup code, [a-z0-9] */
#define IDEMPOTENCY_RETENTION_MS (7LL * 24 * 60 * 60 * 1000) /* then a key may be reused */
#define JOBS_BATCH_MAX           500 /* expired pickups handled by one jobs run command */

/* availability and soft holds (issue 3; core/availability.h, README "Availability and holds") */
#define AVAILABILITY_SKUS_MAX    20    /* SKUs in one GET /v1/availability */
#define AVAILABILITY_PICKUP_MAX  5     /* nearest pickup stores answered per SKU */
#define HOLD_LINES_MAX           50    /* lines of one soft hold */
#define HOLD_TTL_SECONDS_MIN     30    /* a hold lives at least ... */
#define HOLD_TTL_SECONDS_MAX     86400 /* ... and at most a day */
#define HOLD_TTL_SECONDS_DEFAULT 600

static_assert(WRITER_BATCH_MAX <= WRITER_QUEUE_MAX, "a batch fits in the queue");
static_assert(PAGE_LIMIT_DEFAULT <= PAGE_LIMIT_MAX, "default page within the maximum");
static_assert((int64_t)QTY_MAX * MONEY_AMOUNT_MAX / MONEY_AMOUNT_MAX == QTY_MAX,
              "qty * price fits in int64");

#endif
