/*
 * cmd_migrate.c — `ordo migrate`: applies the schema migrations not yet applied, or with
 * --status only lists each migration as applied or pending without changing the database.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "lib/date.h"

static const char migrate_usage[] =
    "usage: ordo migrate [--db PATH] [--status]\n"
    "\n"
    "Applies the numbered schema migrations a database lacks (ordo serve does this too).\n"
    "\n"
    "  --db PATH     SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  --status      list each migration as applied or pending; change nothing\n"
    "  -h, --help    show this help\n";

struct migrate_options {
    const char *db_path;
    bool status_only;
};

static int migrate_parse(int argc, char **argv, struct migrate_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"status", no_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            options->db_path = optarg;
        } else if (opt == 's') {
            options->status_only = true;
        } else if (opt == 'h') {
            (void)fputs(migrate_usage, stdout);
            return CLI_PARSE_HELP;
        } else {
            return cli_option_error("migrate", migrate_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("migrate", migrate_usage, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_EXIT_OK;
}

/* Prints one line per migration; counts the pending ones. */
static enum err_code migrate_print_status(struct app_ctx *ctx, size_t *pending, struct err *err)
{
    struct store_migration *migrations = NULL;
    size_t count = 0;
    if (app_migrations(ctx, &migrations, &count, err) != ERR_OK) {
        return err->code;
    }
    *pending = 0;
    for (size_t i = 0; i < count; i++) {
        const struct store_migration *m = &migrations[i];
        if (m->applied) {
            char when[DATE_RFC3339_LEN];
            date_format_rfc3339(m->applied_at_ms, when);
            (void)printf("%03d  %-32s  applied %s\n", m->version, m->name, when);
        } else {
            (void)printf("%03d  %-32s  pending\n", m->version, m->name);
            *pending += 1;
        }
    }
    return ERR_OK;
}

static int migrate_run(const struct migrate_options *options)
{
    struct app *app = NULL;
    struct err err = {0};
    if (cli_open_app(options->db_path, true, true, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    struct arena arena;
    arena_init(&arena, CLI_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    int code = CLI_EXIT_OK;
    size_t pending = 0;
    if (!options->status_only && app_migrate(app, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
        goto out_release;
    }
    if (migrate_print_status(&ctx, &pending, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
        goto out_release;
    }
    if (options->status_only) {
        (void)printf("%zu pending\n", pending);
    } else {
        char shown[CLI_DB_SHOWN_MAX];
        (void)printf("%s is up to date\n", cli_db_display(options->db_path, shown, sizeof(shown)));
    }
    (void)fflush(stdout);
out_release:
    arena_release(&arena);
    app_close(app);
    return code;
}

int cmd_migrate(int argc, char **argv)
{
    struct migrate_options options = {.db_path = CLI_DB_DEFAULT};
    int parsed = migrate_parse(argc, argv, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    return migrate_run(&options);
}
