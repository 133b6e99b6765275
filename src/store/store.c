/*
 * store.c — opens the backend that options->path names: a postgresql:// or postgres:// URL is
 * PostgreSQL, anything else an SQLite file. Every other store function dispatches through the
 * backend's table (build/gen/store_dispatch.c).
 */
#include <string.h>

#include "store/backend.h"

bool store_is_postgres_url(const char *path)
{
    return path != NULL &&
           (strncmp(path, "postgresql://", 13) == 0 || strncmp(path, "postgres://", 11) == 0);
}

enum err_code store_open(const struct store_options *options, struct store **out, struct err *err)
{
    ASSERT(options != NULL && options->path != NULL);
    ASSERT(out != NULL);
    *out = NULL;
    if (store_is_postgres_url(options->path)) {
        return pg_open(options, out, err);
    }
    return sqlite_open(options, out, err);
}
