/*
 * cli.c — what the sub-commands share: usage and error reporting, strict option values and
 * opening the app for a one-shot command. Messages follow the house rule: lower case, what
 * is wrong first, no final period.
 */
#include "cli/cli.h"

#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "lib/clock.h"
#include "lib/str.h"
#include "store/store.h"

/* Every CLI command acts as an administrator: whoever runs it can read the database file. */
static const struct principal cli_admin = {.role = ROLE_ADMIN, .key_id = "cli"};

int cli_usage_error(const char *command, const char *usage, const char *fmt, ...)
{
    ASSERT(command != NULL);
    ASSERT(usage != NULL);
    char message[256];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(message, sizeof(message), fmt, ap);
    va_end(ap);
    if (n < 0) {
        message[0] = '\0';
    }
    (void)fprintf(stderr, "ordo %s: %s\n\n%s", command, message, usage);
    return CLI_EXIT_USAGE;
}

int cli_option_error(const char *command, const char *usage, int opt, char **argv)
{
    const char *text = "?";
    if (optind > 0 && argv[optind - 1] != NULL) {
        text = argv[optind - 1];
    }
    if (opt == ':') {
        return cli_usage_error(command, usage, "option '%s' needs a value", text);
    }
    if (optopt != 0) {
        return cli_usage_error(command, usage, "unknown option '-%c'", optopt);
    }
    return cli_usage_error(command, usage, "unknown option '%s'", text);
}

int cli_fail(const struct err *err, int exit_code)
{
    ASSERT(err != NULL);
    ASSERT(exit_code != CLI_EXIT_OK);
    const char *message = err->message[0] != '\0' ? err->message : err_code_name(err->code);
    (void)fprintf(stderr, "ordo: %s", message);
    if (err->field[0] != '\0') {
        (void)fprintf(stderr, " (field %s)", err->field);
    }
    if (err->items[0] != '\0') {
        (void)fprintf(stderr, ": %s", err->items);
    }
    (void)fputc('\n', stderr);
    return exit_code;
}

bool cli_parse_i64(const char *text, int64_t min, int64_t max, int64_t *out)
{
    ASSERT(out != NULL);
    ASSERT(min <= max);
    int64_t value = 0;
    if (text == NULL || str_to_i64(str_from_cstr(text), &value) != ERR_OK) {
        return false;
    }
    if (value < min || value > max) {
        return false;
    }
    *out = value;
    return true;
}

enum err_code cli_open_app(const char *db_path, bool no_migrate, bool synchronous_full,
                           struct app **out, struct err *err)
{
    ASSERT(db_path != NULL);
    ASSERT(out != NULL);
    struct app_options options = {
        .db_path = db_path,
        .synchronous_full = synchronous_full,
        .readers_max = 1,
        .no_migrate = no_migrate,
        .no_writer = true,
    };
    return app_open(&options, out, err);
}

void cli_ctx_init(struct app_ctx *ctx, struct app *app, struct arena *arena)
{
    ASSERT(ctx != NULL);
    ASSERT(arena != NULL);
    memset(ctx, 0, sizeof(*ctx));
    ctx->app = app;
    ctx->principal = &cli_admin;
    ctx->arena = arena;
    ctx->now_ms = clock_now_ms();
}

const char *cli_db_display(const char *db_path, char *out, size_t out_size)
{
    ASSERT(db_path != NULL);
    ASSERT(out != NULL && out_size > 0);
    if (!store_is_postgres_url(db_path)) {
        return db_path;
    }
    const char *authority = strstr(db_path, "://") + 3;
    size_t authority_len = strcspn(authority, "/?");
    const char *at = memchr(authority, '@', authority_len);
    const char *colon = at != NULL ? memchr(authority, ':', (size_t)(at - authority)) : NULL;
    size_t path_len = strcspn(authority + authority_len, "?");
    const char *query = authority[authority_len + path_len] == '?' ? "?..." : "";
    int n = 0;
    if (colon != NULL) {
        n = snprintf(out, out_size, "%.*s:***%.*s%s", (int)(colon - db_path), db_path,
                     (int)(authority + authority_len + path_len - at), at, query);
    } else {
        n = snprintf(out, out_size, "%.*s%s", (int)(authority + authority_len + path_len - db_path),
                     db_path, query);
    }
    return n < 0 ? "(database)" : out;
}
