/*
 * cli.h — the sub-commands of the `ordo` program (git style: `ordo <command> [options]`) and
 * the little they share: exit codes, usage errors, opening the app for a one-shot command.
 * A command parses its options, calls app functions and prints; it decides nothing itself.
 */
#ifndef ORDO_CLI_CLI_H
#define ORDO_CLI_CLI_H

#include "app/app.h"
#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

#define CLI_EXIT_OK    0    /* done */
#define CLI_EXIT_FAIL  1    /* the command failed (ordo check: an invariant is broken) */
#define CLI_EXIT_USAGE 2    /* bad command line (ordo check: the check itself failed) */
#define CLI_PARSE_HELP (-1) /* an option parser printed --help: exit CLI_EXIT_OK */

#define CLI_DB_DEFAULT      "ordo.db"
#define CLI_ARENA_BYTES_MAX ((size_t)64 * 1024 * 1024) /* one arena per command */
#define CLI_DEMO_ORDERS_MAX 100000

/* The sub-commands. argv[0] is the command's name; each returns the process exit code. */
int cmd_serve(int argc, char **argv);
int cmd_key(int argc, char **argv);
int cmd_demo(int argc, char **argv);
int cmd_migrate(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_jobs(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_user(int argc, char **argv); /* web console users (issue 8; cmd_user.c) */

/* The periodic jobs inside `ordo serve` (cmd_jobs.c): a thread that runs app_jobs_run every
 * minute until jobs_timer_stop, which wakes and joins it. false when the thread did not start. */
MUST_CHECK bool jobs_timer_start(struct app *app);
void jobs_timer_stop(void);

/*
 * Prints "ordo <command>: <message>" then usage to stderr and returns CLI_EXIT_USAGE, so a
 * command can `return cli_usage_error(...)`.
 */
int cli_usage_error(const char *command, const char *usage, const char *fmt, ...) PRINTF_LIKE(3, 4);

/*
 * Reports what getopt_long returned for a bad option (opt is '?' or ':'; getopt's own
 * messages are off) as a usage error. argv and optind as getopt left them.
 */
int cli_option_error(const char *command, const char *usage, int opt, char **argv);

/* Prints "ordo: <message>" (with the field and items when set) to stderr; returns exit_code. */
int cli_fail(const struct err *err, int exit_code);

/* Strict integer option value within [min, max]; false when it is not one. */
MUST_CHECK bool cli_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out);

/*
 * Opens the app for a one-shot command: no writer thread (commands run inline in this
 * process, so it works beside a running `ordo serve` on the same WAL database).
 */
MUST_CHECK enum err_code cli_open_app(const char *db_path, bool no_migrate, bool synchronous_full,
                                      struct app **out, struct err *err);

/* A context acting as the CLI's admin principal, at the current time, with arena. */
void cli_ctx_init(struct app_ctx *ctx, struct app *app, struct arena *arena);

#define CLI_DB_SHOWN_MAX 512

/* The database to name in output and logs: an SQLite path as given; a PostgreSQL URL without
 * its password (user:***@, and no query string, which may hold one), written into out. */
const char *cli_db_display(const char *db_path, char *out, size_t out_size);

#endif
