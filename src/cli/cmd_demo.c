/*
 * cmd_demo.c — `ordo demo`: seeds a demo store (app_demo_seed) and prints an admin key for
 * it as the last line. The seed makes the store reproducible; the orders end at the time the
 * command runs.
 */
#include <getopt.h>
#include <stdio.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/log.h"

#define DEMO_ORDERS_DEFAULT 1000
#define DEMO_SEED_DEFAULT   42

static const char demo_usage[] =
    "usage: ordo demo [--db PATH] [--orders N] [--seed S]\n"
    "\n"
    "Seeds a demo store into a new database: 5 locations at real US places (2 warehouses,\n"
    "2 stores, 1 drop-ship supplier), 50 products (a few kits), stock, and orders over the\n"
    "last 60 days shipped to where people live. Prints an admin key as the last line.\n"
    "\n"
    "  --db PATH     SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  --orders N    number of orders, 0 to 100000 (1000)\n"
    "  --seed S      random seed; the same seed gives the same store (42)\n"
    "  -h, --help    show this help\n";

struct demo_options {
    const char *db_path;
    int64_t orders_count;
    int64_t seed;
};

static int demo_parse(int argc, char **argv, struct demo_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"orders", required_argument, NULL, 'o'},
        {"seed", required_argument, NULL, 's'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            options->db_path = optarg;
        } else if (opt == 'o' &&
                   !cli_parse_i64(optarg, 0, CLI_DEMO_ORDERS_MAX, &options->orders_count)) {
            return cli_usage_error("demo", demo_usage, "--orders wants 0 to %d, got '%s'",
                                   CLI_DEMO_ORDERS_MAX, optarg);
        } else if (opt == 's' && !cli_parse_i64(optarg, 0, INT64_MAX, &options->seed)) {
            return cli_usage_error("demo", demo_usage,
                                   "--seed wants a non-negative integer, "
                                   "got '%s'",
                                   optarg);
        } else if (opt == 'h') {
            (void)fputs(demo_usage, stdout);
            return CLI_PARSE_HELP;
        } else if (opt != 'o' && opt != 's') {
            return cli_option_error("demo", demo_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("demo", demo_usage, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_EXIT_OK;
}

static int demo_run(const struct demo_options *options)
{
    /* A seed is rebuilt at will, so it need not pay for an fsync per order. */
    struct app *app = NULL;
    struct err err = {0};
    if (cli_open_app(options->db_path, false, false, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    struct arena arena;
    arena_init(&arena, CLI_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    int code = CLI_EXIT_OK;
    int64_t started_ns = clock_monotonic_ns();
    if (app_demo_seed(&ctx, (uint64_t)options->seed, (size_t)options->orders_count, &err) !=
        ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
        goto out_release;
    }
    const char *key = NULL;
    if (app_key_create(&ctx, ROLE_ADMIN, NULL, "demo admin", &key, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
        goto out_release;
    }
    ASSERT(key != NULL);
    double seconds = (double)(clock_monotonic_ns() - started_ns) / 1e9;
    char shown[CLI_DB_SHOWN_MAX];
    (void)printf("seeded the demo store in %s: 5 locations, 50 products, %" PRId64
                 " orders (seed %" PRId64 ", %.1f s)\nadmin API key (shown only this once):\n%s\n",
                 cli_db_display(options->db_path, shown, sizeof(shown)), options->orders_count,
                 options->seed, seconds, key);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        (void)fputs("ordo: cannot write the key to standard output\n", stderr);
        code = CLI_EXIT_FAIL;
    }
out_release:
    arena_release(&arena);
    app_close(app);
    return code;
}

int cmd_demo(int argc, char **argv)
{
    struct demo_options options = {
        .db_path = CLI_DB_DEFAULT,
        .orders_count = DEMO_ORDERS_DEFAULT,
        .seed = DEMO_SEED_DEFAULT,
    };
    int parsed = demo_parse(argc, argv, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    log_set_quiet(true);
    return demo_run(&options);
}
