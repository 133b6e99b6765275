/*
 * cmd_key.c — `ordo key create`: makes an API key with a role and the scope that role needs,
 * and prints it once (only its hash is stored). Runs inline without a writer thread, so it
 * works while `ordo serve` runs on the same database.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/log.h"

static const char key_usage[] =
    "usage: ordo key create [--db PATH] --role ROLE\n"
    "                       [--channel CODE | --location CODE | --customer EMAIL] [--name TEXT]\n"
    "\n"
    "Creates an API key and prints it; the last line of the output is the key. It is shown\n"
    "only this once: the database keeps its hash.\n"
    "\n"
    "  --db PATH          SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  --role ROLE        admin, operator, warehouse, support, channel, analyst or customer\n"
    "  --channel CODE     the channel a channel key acts for (role channel only)\n"
    "  --location CODE    the location a warehouse key acts for (role warehouse only)\n"
    "  --customer EMAIL   the customer whose orders a customer key sees (role customer only)\n"
    "  --name TEXT        a label to recognise the key by\n"
    "  -h, --help         show this help\n";

struct key_options {
    const char *db_path;
    const char *role_name;
    const char *channel;
    const char *location;
    const char *customer;
    const char *name;
};

static int key_parse(int argc, char **argv, struct key_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},       {"role", required_argument, NULL, 'r'},
        {"channel", required_argument, NULL, 'c'},  {"location", required_argument, NULL, 'l'},
        {"customer", required_argument, NULL, 'u'}, {"name", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        switch (opt) {
        case 'd':
            options->db_path = optarg;
            break;
        case 'r':
            options->role_name = optarg;
            break;
        case 'c':
            options->channel = optarg;
            break;
        case 'l':
            options->location = optarg;
            break;
        case 'u':
            options->customer = optarg;
            break;
        case 'n':
            options->name = optarg;
            break;
        case 'h':
            (void)fputs(key_usage, stdout);
            return CLI_PARSE_HELP;
        default:
            return cli_option_error("key create", key_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("key create", key_usage, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_EXIT_OK;
}

/* The role named by --role and its scope; a usage error when the scope does not fit it. */
static int key_check_scope(const struct key_options *options, enum role *role, const char **scope)
{
    if (options->role_name == NULL) {
        return cli_usage_error("key create", key_usage, "--role is required");
    }
    if (!role_parse(options->role_name, role)) {
        return cli_usage_error("key create", key_usage, "unknown role '%s'", options->role_name);
    }
    int scopes_count =
        (options->channel != NULL) + (options->location != NULL) + (options->customer != NULL);
    if (scopes_count > 1) {
        return cli_usage_error("key create", key_usage,
                               "give at most one of --channel, --location and --customer");
    }
    const char *wanted = NULL;
    const char *given = NULL;
    if (*role == ROLE_CHANNEL) {
        wanted = "--channel";
        given = options->channel;
    } else if (*role == ROLE_WAREHOUSE) {
        wanted = "--location";
        given = options->location;
    } else if (*role == ROLE_CUSTOMER) {
        wanted = "--customer";
        given = options->customer;
    }
    if (wanted != NULL && given == NULL) {
        return cli_usage_error("key create", key_usage, "role %s needs %s", role_name(*role),
                               wanted);
    }
    if (wanted == NULL && scopes_count > 0) {
        return cli_usage_error("key create", key_usage, "role %s takes no scope option",
                               role_name(*role));
    }
    *scope = given;
    return CLI_EXIT_OK;
}

static int key_create(const struct key_options *options, enum role role, const char *scope)
{
    struct app *app = NULL;
    struct err err = {0};
    if (cli_open_app(options->db_path, false, true, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    struct arena arena;
    arena_init(&arena, CLI_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    const char *key = NULL;
    int code = CLI_EXIT_OK;
    if (app_key_create(&ctx, role, scope, options->name, &key, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
        goto out_release;
    }
    ASSERT(key != NULL);
    (void)printf("created a %s key", role_name(role));
    if (scope != NULL) {
        (void)printf(" for %s", scope);
    }
    if (options->name != NULL) {
        (void)printf(" named \"%s\"", options->name);
    }
    (void)printf(" in %s\nit is shown only this once (the database keeps its hash):\n%s\n",
                 options->db_path, key);
    if (fflush(stdout) != 0 || ferror(stdout)) {
        (void)fputs("ordo: cannot write the key to standard output\n", stderr);
        code = CLI_EXIT_FAIL;
    }
out_release:
    arena_release(&arena);
    app_close(app);
    return code;
}

int cmd_key(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        FILE *out = argc < 2 ? stderr : stdout;
        if (argc < 2) {
            (void)fputs("ordo key: a sub-command is needed (create)\n\n", out);
        }
        (void)fputs(key_usage, out);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    if (strcmp(argv[1], "create") != 0) {
        return cli_usage_error("key", key_usage, "unknown sub-command '%s'", argv[1]);
    }
    struct key_options options = {.db_path = CLI_DB_DEFAULT};
    int parsed = key_parse(argc - 1, argv + 1, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    enum role role = ROLE_ADMIN;
    const char *scope = NULL;
    int checked = key_check_scope(&options, &role, &scope);
    if (checked != CLI_EXIT_OK) {
        return checked;
    }
    log_set_quiet(true);
    return key_create(&options, role, scope);
}
