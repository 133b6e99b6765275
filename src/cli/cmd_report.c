/*
 * cmd_report.c — `ordo report`: the metrics of a period (app_metrics_get, the function
 * behind GET /v1/metrics) as a table, CSV or the API's JSON.
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli/cli.h"
#include "core/metrics.h"
#include "lib/buf.h"
#include "lib/date.h"
#include "lib/json.h"
#include "lib/log.h"

#define REPORT_JSON_BYTES_MAX ((size_t)64 * 1024)

static const char report_usage[] =
    "usage: ordo report --from DATE --to DATE [--db PATH] [--channel C] [--location L]\n"
    "                   [--format table|csv|json]\n"
    "\n"
    "Prints the fourteen metrics of docs/METRICS.md over [from, to] (dates YYYY-MM-DD, UTC),\n"
    "the same numbers as GET /v1/metrics. A metric whose denominator is 0 prints as null.\n"
    "\n"
    "  --db PATH        SQLite file or postgresql:// URL (" CLI_DB_DEFAULT ")\n"
    "  --from DATE      first day (required)\n"
    "  --to DATE        last day (required)\n"
    "  --channel C      only orders (and traffic) of that channel\n"
    "  --location L     only shipments, pick lists, costs and stock movements of that location\n"
    "  --format F       table (default), csv or json\n"
    "  -h, --help       show this help\n";

struct report_args {
    const char *db_path;
    const char *from;
    const char *to;
    const char *channel;
    const char *location;
    const char *format;
};

static int report_parse(int argc, char **argv, struct report_args *args)
{
    static const struct option longs[] = {
        {"db", required_argument, NULL, 'd'},       {"from", required_argument, NULL, 'f'},
        {"to", required_argument, NULL, 't'},       {"channel", required_argument, NULL, 'c'},
        {"location", required_argument, NULL, 'l'}, {"format", required_argument, NULL, 'o'},
        {"help", no_argument, NULL, 'h'},           {NULL, 0, NULL, 0},
    };
    optind = 1;
    opterr = 0;
    int opt = 0;
    while ((opt = getopt_long(argc, argv, ":h", longs, NULL)) != -1) {
        const char **slot = opt == 'd'   ? &args->db_path
                            : opt == 'f' ? &args->from
                            : opt == 't' ? &args->to
                            : opt == 'c' ? &args->channel
                            : opt == 'l' ? &args->location
                            : opt == 'o' ? &args->format
                                         : NULL;
        if (slot != NULL) {
            *slot = optarg;
        } else if (opt == 'h') {
            (void)fputs(report_usage, stdout);
            return CLI_PARSE_HELP;
        } else {
            return cli_option_error("report", report_usage, opt, argv);
        }
    }
    if (optind < argc) {
        return cli_usage_error("report", report_usage, "unexpected argument '%s'", argv[optind]);
    }
    if (strcmp(args->format, "table") != 0 && strcmp(args->format, "csv") != 0 &&
        strcmp(args->format, "json") != 0) {
        return cli_usage_error("report", report_usage, "--format must be table, csv or json");
    }
    return CLI_EXIT_OK;
}

/* One metric's value as text ("null" when its denominator is 0). */
static void report_value(const struct app_metrics_report *report, enum metric metric, char *out,
                         size_t size)
{
    if (!report->values.present[metric]) {
        (void)snprintf(out, size, "null");
    } else if (metric_is_money(metric)) {
        (void)snprintf(out, size, "%.0f", report->values.value[metric]);
    } else {
        (void)snprintf(out, size, "%.15g", report->values.value[metric]);
    }
}

static int report_json(const struct app_metrics_report *report)
{
    struct buf buf;
    buf_init(&buf, REPORT_JSON_BYTES_MAX);
    struct jw jw;
    jw_init(&jw, &buf);
    jw_object_begin(&jw);
    jw_key(&jw, "from");
    jw_day(&jw, report->from_day);
    jw_key(&jw, "to");
    jw_day(&jw, report->to_day);
    jw_kv_int(&jw, "orders", report->counters.orders);
    for (int i = 0; i < METRIC_COUNT; i++) {
        enum metric metric = (enum metric)i;
        if (!report->values.present[i]) {
            jw_kv_null(&jw, metric_name(metric));
        } else if (metric_is_money(metric)) {
            jw_kv_int(&jw, metric_name(metric), (int64_t)report->values.value[i]);
        } else {
            jw_kv_double(&jw, metric_name(metric), report->values.value[i]);
        }
    }
    jw_object_end(&jw);
    int code = jw_finish(&jw) == ERR_OK ? CLI_EXIT_OK : CLI_EXIT_FAIL;
    if (code == CLI_EXIT_OK) {
        (void)printf("%s\n", buf.ptr);
    }
    buf_release(&buf);
    return code;
}

static int report_print(const struct app_metrics_report *report, const char *format)
{
    if (strcmp(format, "json") == 0) {
        return report_json(report);
    }
    bool csv = strcmp(format, "csv") == 0;
    char from[DATE_DAY_LEN];
    char to[DATE_DAY_LEN];
    date_format_day(report->from_day, from);
    date_format_day(report->to_day, to);
    if (csv) {
        (void)printf("metric,value\nfrom,%s\nto,%s\norders,%" PRId64 "\n", from, to,
                     report->counters.orders);
    } else {
        (void)printf("%-36s %s\n%-36s %s\n%-36s %" PRId64 "\n", "from", from, "to", to, "orders",
                     report->counters.orders);
    }
    for (int i = 0; i < METRIC_COUNT; i++) {
        char value[64];
        report_value(report, (enum metric)i, value, sizeof(value));
        (void)printf(csv ? "%s,%s\n" : "%-36s %s\n", metric_name((enum metric)i), value);
    }
    return CLI_EXIT_OK;
}

static int report_run(const struct report_args *args)
{
    struct err err = {0};
    struct app_metrics_range range;
    if (app_metrics_range(args->from, args->to, args->channel, args->location, &range, &err) !=
        ERR_OK) {
        return cli_fail(&err, CLI_EXIT_USAGE);
    }
    struct app *app = NULL;
    if (cli_open_app(args->db_path, false, true, &app, &err) != ERR_OK) {
        return cli_fail(&err, CLI_EXIT_USAGE);
    }
    struct arena arena;
    arena_init(&arena, CLI_ARENA_BYTES_MAX);
    struct app_ctx ctx;
    cli_ctx_init(&ctx, app, &arena);
    struct app_metrics_report report;
    int code = app_metrics_get(&ctx, &range, &report, &err) == ERR_OK
                   ? report_print(&report, args->format)
                   : cli_fail(&err, CLI_EXIT_FAIL);
    (void)fflush(stdout);
    arena_release(&arena);
    app_close(app);
    return code;
}

int cmd_report(int argc, char **argv)
{
    struct report_args args = {.db_path = CLI_DB_DEFAULT, .format = "table"};
    int parsed = report_parse(argc, argv, &args);
    if (parsed != CLI_EXIT_OK) {
        return parsed == CLI_PARSE_HELP ? CLI_EXIT_OK : parsed;
    }
    log_set_quiet(true);
    return report_run(&args);
}
