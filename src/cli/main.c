/*
 * main.c — the `ordo` program: finds the sub-command named by the first argument and hands
 * it the rest of the command line (git's builtin table). It holds no logic of its own; an
 * unknown command is a usage error (exit 2).
 */
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "lib/id.h"

struct cli_command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *summary;
};

static const struct cli_command cli_commands[] = {
    {"serve", cmd_serve, "serve the HTTP API on a database"},
    {"key", cmd_key, "create API keys (ordo key create)"},
    {"user", cmd_user, "create web console users (ordo user create)"},
    {"demo", cmd_demo, "seed a demo store and print an admin key"},
    {"migrate", cmd_migrate, "apply schema migrations or show their status"},
    {"check", cmd_check, "recompute balances from the ledger and check the invariants"},
    {"report", cmd_report, "print the metrics of a period (as GET /v1/metrics)"},
    {"jobs", cmd_jobs, "run the periodic jobs once (expired pickups)"},
};

static void main_usage(FILE *out)
{
    (void)fputs("usage: ordo <command> [options]\n\ncommands:\n", out);
    for (size_t i = 0; i < ARRAY_LEN(cli_commands); i++) {
        (void)fprintf(out, "  %-8s  %s\n", cli_commands[i].name, cli_commands[i].summary);
    }
    (void)fputs("\n'ordo <command> --help' describes a command's options.\n", out);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        (void)fputs("ordo: a command is needed\n\n", stderr);
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    const char *name = argv[1];
    if (strcmp(name, "--help") == 0 || strcmp(name, "-h") == 0 || strcmp(name, "help") == 0) {
        main_usage(stdout);
        return CLI_EXIT_OK;
    }
    const struct cli_command *command = NULL;
    for (size_t i = 0; i < ARRAY_LEN(cli_commands); i++) {
        if (strcmp(name, cli_commands[i].name) == 0) {
            command = &cli_commands[i];
        }
    }
    if (command == NULL) {
        (void)fprintf(stderr, "ordo: unknown command '%s'\n\n", name);
        main_usage(stderr);
        return CLI_EXIT_USAGE;
    }
    if (id_init() != ERR_OK) {
        (void)fputs("ordo: cannot initialise libsodium\n", stderr);
        return CLI_EXIT_FAIL;
    }
    return command->run(argc - 1, argv + 1);
}
