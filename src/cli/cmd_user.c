/*
 * cmd_user.c — `ordo user create`: a person who signs in to the web console (issue 8), with a
 * role and the scope that role needs, as `ordo key create` makes keys. The password is read
 * from standard input with --password-stdin (one line), or asked for twice on the terminal
 * with echo turned off (termios). Only its argon2id hash is stored. `ordo user list`,
 * `disable`, `enable` and `password` manage them (round 2): disabling or a new password ends
 * the user's sessions.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include "cli/cli.h"
#include "lib/log.h"

#define USER_PASSWORD_BUF (APP_PASSWORD_LEN_MAX + 2)

static const char user_usage[] =
    "usage: ordo user create [--db PATH] --email EMAIL --role ROLE\n"
    "                        [--channel CODE | --location CODE | --customer EMAIL]\n"
    "                        [--password-stdin]\n"
    "       ordo user list [--db PATH]\n"
    "       ordo user disable|enable [--db PATH] --email EMAIL\n"
    "       ordo user password [--db PATH] --email EMAIL [--password-stdin]\n"
    "\n"
    "create makes a user of the web console; list shows every user; disable stops a user from\n"
    "signing in and ends their sessions (enable undoes it); password sets a new password and\n"
    "ends their sessions. Without --password-stdin the password is asked for twice on the\n"
    "terminal (not echoed). It must be 10 to 256 characters long.\n"
    "\n"
    "  --db PATH          SQLite database (" CLI_DB_DEFAULT ")\n"
    "  --email EMAIL      what the user signs in with\n"
    "  --role ROLE        admin, operator, warehouse, support, channel, analyst or customer\n"
    "  --channel CODE     the channel a channel user acts for (role channel only)\n"
    "  --location CODE    the location a warehouse user works at (role warehouse only)\n"
    "  --customer EMAIL   the customer whose orders a customer user sees (role customer only)\n"
    "  --password-stdin   read the password from the first line of standard input\n"
    "  -h, --help         show this help\n";

struct user_options {
    const char *command; /* "user create", "user list", ... for messages */
    const char *db_path;
    const char *email;
    const char *role_name;
    const char *scope; /* of --channel, --location or --customer */
    int scopes_count;
    int scope_flag; /* 'c', 'l' or 'u' */
    bool password_stdin;
};

/* What each sub-command needs and refuses. */
static int user_parse_check(const struct user_options *options)
{
    const char *cmd = options->command;
    bool create = strcmp(cmd, "user create") == 0;
    bool list = strcmp(cmd, "user list") == 0;
    bool password = create || strcmp(cmd, "user password") == 0;
    if (!list && options->email == NULL) {
        return cli_usage_error(cmd, user_usage, "--email is required");
    }
    if (list && options->email != NULL) {
        return cli_usage_error(cmd, user_usage, "--email is not an option of list");
    }
    if (create && options->role_name == NULL) {
        return cli_usage_error(cmd, user_usage, "--email and --role are required");
    }
    if (!create && (options->role_name != NULL || options->scopes_count > 0)) {
        return cli_usage_error(cmd, user_usage, "--role and scopes are options of create only");
    }
    if (!password && options->password_stdin) {
        return cli_usage_error(cmd, user_usage, "--password-stdin is for create and password");
    }
    if (options->scopes_count > 1) {
        return cli_usage_error(cmd, user_usage,
                               "give at most one of --channel, --location and --customer");
    }
    return CLI_EXIT_OK;
}

static int user_parse(int argc, char **argv, struct user_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"email", required_argument, NULL, 'e'},
        {"role", required_argument, NULL, 'r'},
        {"channel", required_argument, NULL, 'c'},
        {"location", required_argument, NULL, 'l'},
        {"customer", required_argument, NULL, 'u'},
        {"password-stdin", no_argument, NULL, 'p'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            options->db_path = optarg;
        } else if (opt == 'e') {
            options->email = optarg;
        } else if (opt == 'r') {
            options->role_name = optarg;
        } else if (opt == 'c' || opt == 'l' || opt == 'u') {
            options->scope = optarg;
            options->scope_flag = opt;
            options->scopes_count++;
        } else if (opt == 'p') {
            options->password_stdin = true;
        } else if (opt == 'h') {
            (void)fputs(user_usage, stdout);
            return CLI_PARSE_HELP;
        } else {
            return cli_option_error(options->command, user_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error(options->command, user_usage, "unexpected argument '%s'",
                               argv[optind]);
    }
    return user_parse_check(options);
}

/* Reads one line without its newline; false at end of input or when it is too long. */
static bool user_read_line(FILE *in, char *out, size_t size)
{
    if (fgets(out, (int)size, in) == NULL) {
        return false;
    }
    size_t len = strlen(out);
    if (len > 0 && out[len - 1] == '\n') {
        out[--len] = '\0';
    } else if (!feof(in)) {
        return false; /* longer than the buffer */
    }
    if (len > 0 && out[len - 1] == '\r') {
        out[len - 1] = '\0';
    }
    return true;
}

/* Asks on the terminal with echo off; false when it cannot read. */
static bool user_prompt(const char *prompt, char *out, size_t size)
{
    struct termios saved;
    struct termios quiet;
    if (tcgetattr(STDIN_FILENO, &saved) != 0) {
        return false;
    }
    quiet = saved;
    quiet.c_lflag &= ~(tcflag_t)ECHO;
    quiet.c_lflag |= (tcflag_t)ECHONL;
    (void)fputs(prompt, stderr);
    (void)fflush(stderr);
    if (tcsetattr(STDIN_FILENO, TCSAFLUSH, &quiet) != 0) {
        return false;
    }
    bool ok = user_read_line(stdin, out, size);
    (void)tcsetattr(STDIN_FILENO, TCSAFLUSH, &saved);
    return ok;
}

/* The password from stdin or the terminal; CLI_EXIT_OK or an exit code after a message. */
static int user_password(const struct user_options *options, char *out, size_t size)
{
    if (options->password_stdin) {
        if (!user_read_line(stdin, out, size)) {
            (void)fprintf(stderr, "ordo %s: cannot read a password line from standard input\n",
                          options->command);
            return CLI_EXIT_FAIL;
        }
        return CLI_EXIT_OK;
    }
    if (!isatty(STDIN_FILENO)) {
        return cli_usage_error(options->command, user_usage,
                               "standard input is not a terminal: use --password-stdin");
    }
    char again[USER_PASSWORD_BUF];
    bool ok = user_prompt("password: ", out, size) &&
              user_prompt("password again: ", again, sizeof(again));
    bool same = ok && strcmp(out, again) == 0;
    memset(again, 0, sizeof(again));
    if (!same) {
        (void)fprintf(stderr, "ordo %s: %s\n", options->command,
                      ok ? "the passwords differ" : "cannot read the password");
        return CLI_EXIT_FAIL;
    }
    return CLI_EXIT_OK;
}

static int user_create(const struct user_options *options, enum role role, const char *password)
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
    const char *id = NULL;
    int code = CLI_EXIT_OK;
    struct app_user_input input = {
        .email = options->email, .password = password, .role = role, .scope = options->scope};
    if (app_user_create(&ctx, &input, &id, &err) != ERR_OK) {
        code = cli_fail(&err, CLI_EXIT_FAIL);
    } else {
        (void)printf("created %s user %s (%s)%s%s\n", role_name(role), options->email, id,
                     options->scope != NULL ? " for " : "",
                     options->scope != NULL ? options->scope : "");
    }
    arena_release(&arena);
    app_close(app);
    return code;
}

static int user_create_command(const struct user_options *options);

/* Prints every user, a page at a time: e-mail, role, scope, state, id. */
static enum err_code user_list(struct app_ctx *ctx, struct err *err)
{
    const char *after = NULL;
    (void)printf("%-36s %-10s %-20s %-9s %s\n", "EMAIL", "ROLE", "SCOPE", "STATE", "ID");
    for (;;) {
        struct user *users = NULL;
        size_t count = 0;
        enum err_code code = app_user_list(ctx, after, APP_USERS_PAGE_MAX, &users, &count, err);
        if (code != ERR_OK) {
            return code;
        }
        for (size_t i = 0; i < count; i++) {
            const struct user *u = &users[i];
            const char *scope = u->scope_channel != NULL    ? u->scope_channel
                                : u->scope_location != NULL ? u->scope_location
                                : u->scope_customer != NULL ? u->scope_customer
                                                            : "-";
            (void)printf("%-36s %-10s %-20s %-9s %s\n", u->email, role_name(u->role), scope,
                         u->disabled_at_ms != 0 ? "disabled" : "active", u->id);
        }
        if (count < APP_USERS_PAGE_MAX) {
            return ERR_OK;
        }
        after = users[count - 1].email;
    }
}

/* Opens the database and runs one of the management sub-commands as the CLI's admin. */
static int user_manage(const struct user_options *options, const char *password)
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
    enum err_code code = ERR_OK;
    if (strcmp(options->command, "user list") == 0) {
        code = user_list(&ctx, &err);
    } else {
        struct app_user_patch patch = {.id_or_email = options->email, .password = password};
        patch.has_disabled = password == NULL;
        patch.disabled = strcmp(options->command, "user disable") == 0;
        struct user user;
        code = app_user_update(&ctx, &patch, &user, &err);
        if (code == ERR_OK) {
            (void)printf("%s %s (%s)\n",
                         password != NULL ? "new password for"
                         : patch.disabled ? "disabled"
                                          : "enabled",
                         user.email, user.id);
        }
    }
    int exit_code = code == ERR_OK ? CLI_EXIT_OK : cli_fail(&err, CLI_EXIT_FAIL);
    arena_release(&arena);
    app_close(app);
    return exit_code;
}

int cmd_user(int argc, char **argv)
{
    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0) {
        if (argc < 2) {
            (void)fputs("ordo user: a sub-command is needed (create, list, disable, enable, "
                        "password)\n\n",
                        stderr);
        }
        (void)fputs(user_usage, argc < 2 ? stderr : stdout);
        return argc < 2 ? CLI_EXIT_USAGE : CLI_EXIT_OK;
    }
    static const char *const commands[] = {"user create", "user list", "user disable",
                                           "user enable", "user password"};
    struct user_options options = {.db_path = CLI_DB_DEFAULT};
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i] + 5) == 0) {
            options.command = commands[i];
        }
    }
    if (options.command == NULL) {
        return cli_usage_error("user", user_usage, "unknown sub-command '%s'", argv[1]);
    }
    int parsed = user_parse(argc - 1, argv + 1, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    if (strcmp(options.command, "user create") == 0) {
        return user_create_command(&options);
    }
    char password[USER_PASSWORD_BUF];
    int code = CLI_EXIT_OK;
    bool wants_password = strcmp(options.command, "user password") == 0;
    if (wants_password) {
        code = user_password(&options, password, sizeof(password));
    }
    if (code == CLI_EXIT_OK) {
        log_set_quiet(true);
        code = user_manage(&options, wants_password ? password : NULL);
    }
    memset(password, 0, sizeof(password));
    return code;
}

/* `ordo user create` after its options are parsed. */
static int user_create_command(const struct user_options *options)
{
    enum role role = ROLE_ADMIN;
    if (!role_parse(options->role_name, &role)) {
        return cli_usage_error("user create", user_usage, "unknown role '%s'", options->role_name);
    }
    int wanted = role == ROLE_CHANNEL ? 'c' : role == ROLE_WAREHOUSE ? 'l' : 'u';
    bool scoped = role == ROLE_CHANNEL || role == ROLE_WAREHOUSE || role == ROLE_CUSTOMER;
    if (scoped != (options->scope != NULL) || (scoped && options->scope_flag != wanted)) {
        return cli_usage_error("user create", user_usage,
                               scoped ? "role %s needs --%s" : "role %s takes no scope option%s",
                               role_name(role),
                               !scoped         ? ""
                               : wanted == 'c' ? "channel"
                               : wanted == 'l' ? "location"
                                               : "customer");
    }
    char password[USER_PASSWORD_BUF];
    int code = user_password(options, password, sizeof(password));
    if (code == CLI_EXIT_OK) {
        log_set_quiet(true);
        code = user_create(options, role, password);
    }
    memset(password, 0, sizeof(password));
    return code;
}
