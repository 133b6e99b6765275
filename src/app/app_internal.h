/*
 * app_internal.h — what the use-case files of app/ share: the app struct, permission checks,
 * the write path (writer command with idempotency) and the read path (a pooled reader
 * connection in a snapshot). Not for http/ or cli/.
 */
#ifndef ORDO_APP_APP_INTERNAL_H
#define ORDO_APP_APP_INTERNAL_H

#include <pthread.h>

#include "app/app.h"
#include "app/writer.h"
#include "lib/base.h"

struct app_key_cache;

struct app {
    struct store *store;
    struct writer *writer;
    struct app_key_cache *keys;
};

/* ERR_FORBIDDEN unless the principal's role allows perm. */
MUST_CHECK enum err_code app_require(const struct app_ctx *ctx, enum permission perm,
                                     struct err *err);

/* A write use case: run() executes on the writer connection inside the command's savepoint. */
struct app_write {
    struct app_ctx *ctx;
    struct app_idempotency *idem; /* may be NULL */
    enum err_code (*run)(struct app_write *write, struct store_conn *conn, struct err *err);
    void *arg;          /* the use case's own arguments and outputs */
    const void *result; /* what idem->render renders, set by run() */
};

/* Runs write through the writer, with the idempotency check and record around run(). */
MUST_CHECK enum err_code app_write_run(struct app_write *write, struct err *err);

/* A reader connection inside a read snapshot; end it with app_read_end. */
MUST_CHECK enum err_code app_read_begin(struct app_ctx *ctx, struct store_conn **conn,
                                        struct err *err);
void app_read_end(struct app_ctx *ctx, struct store_conn *conn);

/*
 * Appends an event to the outbox. kind is "<entity type>.<what happened>" ("order.created"):
 * the entity type is the part before the dot. data_json may be NULL for "{}".
 */
MUST_CHECK enum err_code app_event_add(struct store_conn *conn, struct app_ctx *ctx,
                                       const char *entity_id, const char *kind,
                                       const char *data_json, struct err *err);

/* Lower-case copy of an e-mail in the arena. */
char *app_email_normalize(struct arena *arena, const char *email);

/* Fills address coordinates from the postal-code table when missing; false if unknown. */
bool app_geocode(struct address *address);

/* Key cache (keys.c). */
MUST_CHECK enum err_code app_keys_init(struct app *app, struct err *err);
void app_keys_free(struct app *app);

/* Stock view of one product (stock.c), read on conn. */
MUST_CHECK enum err_code app_stock_view_load(struct app_ctx *ctx, struct store_conn *conn,
                                             const struct product *product,
                                             struct app_stock_view *out, struct err *err);

struct app_release {
    const struct order_line *line;
    const struct product *product; /* the line's product when it is a kit, else NULL */
    int64_t location_row_id;
    int64_t qty; /* units (kits) of the line, > 0 */
};

/* Releases a line's reservation at a location, kits through their components. */
MUST_CHECK enum err_code app_stock_release(struct app_ctx *ctx, struct store_conn *conn,
                                           const struct app_release *release, struct err *err);

/* Metrics rollup hooks (metrics.c), each called inside the writer command that made the
 * change. The order's facts are recomputed from what is stored after the change. */
MUST_CHECK enum err_code app_metrics_order(struct app_ctx *ctx, struct store_conn *conn,
                                           const char *order_id, const char *customer_id,
                                           struct err *err);
/* app_metrics_order for an order captured in this command (no stored rows to read back). */
MUST_CHECK enum err_code app_metrics_order_created(struct app_ctx *ctx, struct store_conn *conn,
                                                   const struct order *order,
                                                   const struct shipment *shipments,
                                                   size_t shipments_count, struct err *err);
MUST_CHECK enum err_code app_metrics_pick_list(struct app_ctx *ctx, struct store_conn *conn,
                                               const struct pick_list *pick_list, struct err *err);
MUST_CHECK enum err_code app_metrics_ledger(struct app_ctx *ctx, struct store_conn *conn,
                                            const struct ledger_entry *entry,
                                            const char *location_code, struct err *err);
/* The rollup part of ordo check: appends one line per difference; *ok false when any. */
MUST_CHECK enum err_code app_metrics_check(struct app_ctx *ctx, struct store_conn *conn,
                                           struct buf *report, bool *ok, struct err *err);

#endif
