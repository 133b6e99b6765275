/*
 * cmd_serve.c — `ordo serve`: opens the app, starts the HTTP server and waits for SIGTERM or
 * SIGINT, then drains (server first, then the writer) and exits 0. The signals are blocked in
 * every thread before any is started, so only sigwait() here ever sees them.
 */
#include <arpa/inet.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli/cli.h"
#include "gateway/stripe.h"
#include "http/server.h"
#include "lib/log.h"
#include "store/store.h"

#define SERVE_LISTEN_DEFAULT "127.0.0.1:8080"
#define SERVE_HOST_LEN_MAX   INET6_ADDRSTRLEN

static const char serve_usage[] =
    "usage: ordo serve [--db PATH] [--listen HOST:PORT] [--synchronous normal|full]\n"
    "                  [--stripe-base-url URL]\n"
    "\n"
    "Serves the HTTP API. Prints 'ordo: listening on http://HOST:PORT' once it accepts\n"
    "requests; SIGTERM or SIGINT lets requests in flight finish, then exits 0.\n"
    "\n"
    "  --db PATH             SQLite file (created if needed) or postgresql:// URL of an existing\n"
    "                        database; migrated if needed (" CLI_DB_DEFAULT ")\n"
    "  --listen HOST:PORT    numeric address to bind (" SERVE_LISTEN_DEFAULT "); IPv6 as\n"
    "                        [::1]:8080; port 0 picks a free port\n"
    "  --synchronous MODE    full (default): an answered order survives a power cut;\n"
    "                        normal: faster, the last commits may be lost on power loss\n"
    "                        (PostgreSQL: synchronous_commit on or off for Ordo's sessions)\n"
    "  --stripe-base-url URL where Stripe's API answers (default $ORDO_STRIPE_BASE_URL, else\n"
    "                        https://api.stripe.com); Stripe is enabled when\n"
    "                        $ORDO_STRIPE_SECRET_KEY is set\n"
    "  -h, --help            show this help\n";

struct serve_options {
    const char *db_path;
    char host[SERVE_HOST_LEN_MAX]; /* numeric, without brackets */
    bool host_is_ipv6;
    uint16_t port; /* 0: any free port */
    bool synchronous_full;
    const char *stripe_base_url; /* --stripe-base-url, or NULL */
};

/* Splits "HOST:PORT" or "[V6]:PORT" and checks that the host is a numeric address. */
static bool serve_parse_listen(const char *text, struct serve_options *options)
{
    const char *host = text;
    size_t host_len = 0;
    const char *colon = NULL;
    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (close == NULL || close[1] != ':') {
            return false;
        }
        host = text + 1;
        host_len = (size_t)(close - host);
        colon = close + 1;
    } else {
        colon = strrchr(text, ':');
        if (colon == NULL) {
            return false;
        }
        host_len = (size_t)(colon - text);
    }
    if (host_len == 0 || host_len >= sizeof(options->host)) {
        return false;
    }
    memcpy(options->host, host, host_len);
    options->host[host_len] = '\0';
    unsigned char addr[sizeof(struct in6_addr)];
    options->host_is_ipv6 = inet_pton(AF_INET6, options->host, addr) == 1;
    if (!options->host_is_ipv6 && inet_pton(AF_INET, options->host, addr) != 1) {
        return false;
    }
    int64_t port = 0;
    if (!cli_parse_i64(colon + 1, 0, 65535, &port)) {
        return false;
    }
    options->port = (uint16_t)port;
    return true;
}

static int serve_parse(int argc, char **argv, struct serve_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"listen", required_argument, NULL, 'l'},
        {"synchronous", required_argument, NULL, 's'},
        {"stripe-base-url", required_argument, NULL, 'u'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    const char *listen = SERVE_LISTEN_DEFAULT;
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            options->db_path = optarg;
        } else if (opt == 'l') {
            listen = optarg;
        } else if (opt == 's' && strcmp(optarg, "full") == 0) {
            options->synchronous_full = true;
        } else if (opt == 's' && strcmp(optarg, "normal") == 0) {
            options->synchronous_full = false;
        } else if (opt == 's') {
            return cli_usage_error("serve", serve_usage, "--synchronous must be normal or full");
        } else if (opt == 'u') {
            options->stripe_base_url = optarg;
        } else if (opt == 'h') {
            (void)fputs(serve_usage, stdout);
            return CLI_PARSE_HELP;
        } else {
            return cli_option_error("serve", serve_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("serve", serve_usage, "unexpected argument '%s'", argv[optind]);
    }
    if (!serve_parse_listen(listen, options)) {
        return cli_usage_error("serve", serve_usage,
                               "--listen wants a numeric HOST:PORT or [IPV6]:PORT, got '%s'",
                               listen);
    }
    return CLI_EXIT_OK;
}

/* Serves until a signal of `signals` arrives; the app is open, the server not yet started. */
static int serve_until_signal(struct app *app, const struct serve_options *options,
                              const sigset_t *signals)
{
    struct http_server_options http = {.host = options->host, .port = options->port};
    struct http_server *server = NULL;
    struct err err = {0};
    if (http_server_start(app, &http, &server, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    uint16_t port = http_server_port(server);
    const char *open = options->host_is_ipv6 ? "[" : "";
    const char *close = options->host_is_ipv6 ? "]" : "";
    (void)printf("ordo: listening on http://%s%s%s:%u\n", open, options->host, close,
                 (unsigned)port);
    (void)fflush(stdout);
    char shown[CLI_DB_SHOWN_MAX];
    bool postgres = store_is_postgres_url(options->db_path);
    log_info(
        "serving %s on %s%s%s:%u (%s=%s)", cli_db_display(options->db_path, shown, sizeof(shown)),
        open, options->host, close, (unsigned)port, postgres ? "synchronous_commit" : "synchronous",
        options->synchronous_full ? (postgres ? "on" : "full") : (postgres ? "off" : "normal"));

    int signal_number = 0;
    int rc = sigwait(signals, &signal_number);
    ASSERT(rc == 0);
    log_info("received %s, draining requests in flight",
             signal_number == SIGTERM ? "SIGTERM" : "SIGINT");
    http_server_stop(server);
    return CLI_EXIT_OK;
}

/*
 * Payments (README "Payments"): starts the worker, with Stripe when ORDO_STRIPE_SECRET_KEY
 * is set (its base URL from --stripe-base-url, else ORDO_STRIPE_BASE_URL, else Stripe's).
 */
static enum err_code serve_payments_start(struct app *app, const struct serve_options *options,
                                          const struct payment_provider **stripe, struct err *err)
{
    *stripe = NULL;
    const char *key = getenv("ORDO_STRIPE_SECRET_KEY");
    const char *url = options->stripe_base_url;
    if (url == NULL) {
        url = getenv("ORDO_STRIPE_BASE_URL");
    }
    if (key != NULL && key[0] != '\0') {
        enum err_code code = stripe_provider_create(key, url, stripe, err);
        if (code != ERR_OK) {
            return code;
        }
    }
    enum err_code code = app_payments_start(app, *stripe, err);
    if (code != ERR_OK) {
        stripe_provider_free(*stripe);
        *stripe = NULL;
    }
    return code;
}

int cmd_serve(int argc, char **argv)
{
    struct serve_options options = {.db_path = CLI_DB_DEFAULT, .synchronous_full = true};
    int parsed = serve_parse(argc, argv, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }

    /* Before any thread exists: every thread inherits the mask, so the signals queue for
     * sigwait. A client closing its socket must not kill the server either. */
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    int rc = pthread_sigmask(SIG_BLOCK, &signals, NULL);
    ASSERT(rc == 0);
    struct sigaction ignore = {.sa_handler = SIG_IGN};
    sigemptyset(&ignore.sa_mask);
    rc = sigaction(SIGPIPE, &ignore, NULL);
    ASSERT(rc == 0);

    struct app_options app_options = {
        .db_path = options.db_path,
        .synchronous_full = options.synchronous_full,
    };
    struct app *app = NULL;
    struct err err = {0};
    if (app_open(&app_options, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    if (!jobs_timer_start(app)) {
        app_close(app);
        err_set(&err, ERR_INTERNAL, NULL, "cannot start the jobs timer");
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    const struct payment_provider *stripe = NULL;
    if (serve_payments_start(app, &options, &stripe, &err) != ERR_OK) {
        jobs_timer_stop();
        app_close(app);
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    int code = serve_until_signal(app, &options, &signals);
    jobs_timer_stop();
    app_payments_stop(app);
    stripe_provider_free(stripe);
    app_close(app);
    if (code == CLI_EXIT_OK) {
        log_info("stopped");
    }
    return code;
}
