/*
 * backend.h — what a store backend shares with the dispatch. Every backend's struct store and
 * struct store_conn begin with a struct store_base that names the backend's table of
 * functions; store_x(conn, ...) of store.h calls conn's table (build/gen/store_dispatch.c).
 * The table type and each backend's prototypes (sqlite_x for store_x) are generated from
 * store.h by scripts/gen-store-dispatch.sh, so a function declared in store.h that a backend
 * lacks is a link error, never a crash.
 */
#ifndef ORDO_STORE_BACKEND_H
#define ORDO_STORE_BACKEND_H

#include "gen/store_ops.h"
#include "store/store.h"

struct store_base {
    const struct store_ops *ops;
};

/* store_open for an SQLite file path (store_sqlite.c). */
MUST_CHECK enum err_code sqlite_open(const struct store_options *options, struct store **out,
                                     struct err *err);

/* store_open for a postgresql:// or postgres:// URL (store_pg.c). */
MUST_CHECK enum err_code pg_open(const struct store_options *options, struct store **out,
                                 struct err *err);

#endif
