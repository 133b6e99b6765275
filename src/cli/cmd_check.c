/*
 * cmd_check.c — `ordo check`: recomputes every balance from the ledger and checks the
 * invariants (app_check), prints the report, and exits 0 when all hold, 1 when one is
 * broken and 2 when the check could not run.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "lib/buf.h"
#include "lib/log.h"

#define CHECK_REPORT_BYTES_MAX ((size_t)16 * 1024 * 1024)

static const char check_usage[] =
    "usage: ordo check [--db PATH]\n"
    "\n"
    "Recomputes every stock balance from the inventory ledger and checks the invariants\n"
    "(no oversell, ledger = balance, reserved = open allocations, order totals add up).\n"
    "Prints each problem; exits 0 when there is none, 1 when there is, 2 on errors.\n"
    "\n"
    "  --db PATH     SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  -h, --help    show this help\n";

static int check_parse(int argc, char **argv, const char **db_path)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            *db_path = optarg;
        } else if (opt == 'h') {
            (void)fputs(check_usage, stdout);
            return CLI_PARSE_HELP;
        } else {
            return cli_option_error("check", check_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("check", check_usage, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_EXIT_OK;
}

static int check_run(const char *db_path)
{
    struct app *app = NULL;
    struct err err = {0};
    if (cli_open_app(db_path, false, true, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_USAGE);
    }
    struct arena arena;
    arena_init(&arena, CLI_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    struct buf report;
    buf_init(&report, CHECK_REPORT_BYTES_MAX);
    bool ok = false;
    int code = CLI_EXIT_OK;
    if (app_check(&ctx, &report, &ok, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_USAGE);
        goto out_release;
    }
    (void)fputs(report.ptr, stdout);
    if (report.len > 0 && report.ptr[report.len - 1] != '\n') {
        (void)fputc('\n', stdout);
    }
    char shown[CLI_DB_SHOWN_MAX];
    (void)printf("%s: %s\n", cli_db_display(db_path, shown, sizeof(shown)),
                 ok ? "ok, every invariant holds" : "invariants broken");
    (void)fflush(stdout);
    code = ok ? CLI_EXIT_OK : CLI_EXIT_FAIL;
out_release:
    buf_release(&report);
    arena_release(&arena);
    app_close(app);
    return code;
}

int cmd_check(int argc, char **argv)
{
    const char *db_path = CLI_DB_DEFAULT;
    int parsed = check_parse(argc, argv, &db_path);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    log_set_quiet(true);
    return check_run(db_path);
}
