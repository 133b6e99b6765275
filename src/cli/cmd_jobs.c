/*
 * cmd_jobs.c — `ordo jobs run`: the periodic jobs once (pickups not collected within their
 * store's hold days are cancelled and their stock released), and the timer that runs the
 * same app function every JOBS_INTERVAL_SECONDS inside `ordo serve`. --now lets a test or an
 * operator run the jobs as of another time.
 */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "cli/cli.h"
#include "lib/clock.h"
#include "lib/date.h"
#include "lib/log.h"

#define JOBS_INTERVAL_SECONDS 60
#define JOBS_ARENA_BYTES_MAX  ((size_t)16 * 1024 * 1024)

static const char jobs_usage[] =
    "usage: ordo jobs run [--db PATH] [--now RFC3339]\n"
    "\n"
    "Runs the periodic jobs once: BOPIS orders not collected within their store's hold days\n"
    "are cancelled and their stock released. `ordo serve` runs them every minute itself.\n"
    "\n"
    "  --db PATH        SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  --now RFC3339    run as of this time instead of the clock (2026-12-01T10:00:00Z)\n"
    "  -h, --help       show this help\n";

struct jobs_options {
    const char *db_path;
    int64_t now_ms; /* 0: the clock */
};

static int jobs_parse(int argc, char **argv, struct jobs_options *options)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},
        {"now", required_argument, NULL, 'n'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    if (argc < 2 || strcmp(argv[1], "run") != 0) {
        if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
            (void)fputs(jobs_usage, stdout);
            return CLI_PARSE_HELP;
        }
        return cli_usage_error("jobs", jobs_usage, "the only sub-command is 'run'");
    }
    optind = 2;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        if (opt == 'd') {
            options->db_path = optarg;
        } else if (opt == 'n' && (date_parse_rfc3339(optarg, &options->now_ms) != ERR_OK ||
                                  options->now_ms <= 0)) {
            return cli_usage_error("jobs", jobs_usage, "--now wants an RFC 3339 time, got '%s'",
                                   optarg);
        } else if (opt == 'h') {
            (void)fputs(jobs_usage, stdout);
            return CLI_PARSE_HELP;
        } else if (opt != 'n') {
            return cli_option_error("jobs", jobs_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("jobs", jobs_usage, "unexpected argument '%s'", argv[optind]);
    }
    return CLI_EXIT_OK;
}

/* One run of the jobs as the CLI's admin at now_ms (0: the clock). */
static enum err_code jobs_once(struct app *app, int64_t now_ms, struct app_jobs_result *result,
                               struct err *err)
{
    struct arena arena;
    arena_init(&arena, JOBS_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    if (now_ms > 0) {
        ctx.now_ms = now_ms;
    }
    enum err_code code = app_jobs_run(&ctx, result, err);
    arena_release(&arena);
    return code;
}

int cmd_jobs(int argc, char **argv)
{
    struct jobs_options options = {.db_path = CLI_DB_DEFAULT};
    int parsed = jobs_parse(argc, argv, &options);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    log_set_quiet(true);
    struct app *app = NULL;
    struct err err = {0};
    if (cli_open_app(options.db_path, false, true, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    struct app_jobs_result result;
    enum err_code code = jobs_once(app, options.now_ms, &result, &err);
    app_close(app);
    if (code != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_FAIL);
    }
    (void)printf("ordo jobs: %zu pickups expired, %zu idempotency keys forgotten, %zu holds "
                 "expired\n",
                 result.pickups_expired, result.idempotency_keys_purged, result.holds_expired);
    return CLI_EXIT_OK;
}

/* ---- the timer of `ordo serve` ----------------------------------------------------------- */

struct jobs_timer {
    struct app *app;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake;
    bool stop; /* guarded by mutex */
};

static struct jobs_timer jobs_timer;

static void *jobs_timer_main(void *unused)
{
    UNUSED(unused);
    pthread_mutex_lock(&jobs_timer.mutex);
    while (!jobs_timer.stop) {
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += JOBS_INTERVAL_SECONDS;
        int rc = 0;
        while (!jobs_timer.stop && rc != ETIMEDOUT) {
            rc = pthread_cond_timedwait(&jobs_timer.wake, &jobs_timer.mutex, &until);
        }
        if (jobs_timer.stop) {
            break;
        }
        pthread_mutex_unlock(&jobs_timer.mutex);
        struct app_jobs_result result;
        struct err err = {0};
        if (jobs_once(jobs_timer.app, 0, &result, &err) != ERR_OK) {
            log_warn("jobs: %s", err.message);
        } else if (result.pickups_expired > 0) {
            log_info("jobs: %zu pickups expired", result.pickups_expired);
        }
        pthread_mutex_lock(&jobs_timer.mutex);
    }
    pthread_mutex_unlock(&jobs_timer.mutex);
    return NULL;
}

bool jobs_timer_start(struct app *app)
{
    ASSERT(app != NULL);
    jobs_timer.app = app;
    jobs_timer.stop = false;
    pthread_mutex_init(&jobs_timer.mutex, NULL);
    pthread_cond_init(&jobs_timer.wake, NULL);
    return pthread_create(&jobs_timer.thread, NULL, jobs_timer_main, NULL) == 0;
}

void jobs_timer_stop(void)
{
    pthread_mutex_lock(&jobs_timer.mutex);
    jobs_timer.stop = true;
    pthread_cond_signal(&jobs_timer.wake);
    pthread_mutex_unlock(&jobs_timer.mutex);
    int rc = pthread_join(jobs_timer.thread, NULL);
    ASSERT(rc == 0);
    pthread_cond_destroy(&jobs_timer.wake);
    pthread_mutex_destroy(&jobs_timer.mutex);
}
