/*
 * migration.h — numbered schema migrations embedded in the binary from
 * src/store/migrations/<backend>/NNN_name.sql by scripts/gen-migrations.sh.
 */
#ifndef ORDO_STORE_MIGRATION_H
#define ORDO_STORE_MIGRATION_H

#include "lib/base.h"

struct store_migration_source {
    int version; /* NNN, strictly increasing from 1 */
    const char *name;
    const char *sql; /* one or more statements */
};

extern const struct store_migration_source sqlite_migration_sources[];
extern const size_t sqlite_migration_sources_count;
extern const struct store_migration_source pg_migration_sources[];
extern const size_t pg_migration_sources_count;

#endif
