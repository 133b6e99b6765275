/*
 * metrics.c — the metrics use cases: the rollup hooks the write paths call inside their own
 * writer command, the inputs (traffic, costs), the reads (totals, per day, breakdowns) and
 * the rollup part of `ordo check`. docs/METRICS.md describes the rollups and the choices.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "app/app_internal.h"
#include "core/metrics.h"
#include "lib/date.h"

/* ---- hooks (inside the caller's writer command) -------------------------------------------- */

static int metrics_fact_cmp(const void *a, const void *b)
{
    const struct metrics_fact *x = a;
    const struct metrics_fact *y = b;
    return strcmp(x->location, y->location);
}

/* What an order's fact rows are computed from. */
struct metrics_source {
    const struct order *order;
    const struct shipment *shipments;
    size_t shipments_count;
    struct metrics_order_flags flags;
};

/* The order's fact rows: the order-level row first, then one per location shipped from. */
static enum err_code metrics_facts_from(struct app_ctx *ctx, const struct metrics_source *source,
                                        struct metrics_fact **out, size_t *count, struct err *err)
{
    const struct order *order = source->order;
    const struct shipment *shipments = source->shipments;
    size_t shipments_count = source->shipments_count;
    struct metrics_fact *facts =
        ARENA_NEW_ARRAY(ctx->arena, struct metrics_fact, shipments_count + 1);
    if (facts == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    struct metrics_fact base = {.order_id = order->id,
                                .location = "",
                                .day = date_day_of_ms(order->created_at_ms),
                                .channel = order->channel,
                                .unfilled = source->flags.unfilled,
                                .merchant_fault = source->flags.merchant_fault};
    facts[0] = base;
    metrics_order_counters(order, shipments, shipments_count, &source->flags, &facts[0].counters);
    size_t n = 1;
    for (size_t i = 0; facts[0].counters.orders == 1 && i < shipments_count; i++) {
        const struct shipment *s = &shipments[i];
        if (s->status != SHIPMENT_STATUS_SHIPPED && s->status != SHIPMENT_STATUS_DELIVERED &&
            s->status != SHIPMENT_STATUS_PICKED_UP) {
            continue;
        }
        size_t j = 1;
        while (j < n && strcmp(facts[j].location, s->location_code) != 0) {
            j++;
        }
        if (j == n) {
            facts[n] = base;
            facts[n].unfilled = false;
            facts[n].merchant_fault = false;
            facts[n].location = s->location_code;
            facts[n].counters = (struct metrics_counters){.shipped_any = 1};
            n++;
        }
        facts[j].counters.shipping_cost += s->cost;
    }
    qsort(facts, n, sizeof(*facts), metrics_fact_cmp); /* as stored: by location, "" first */
    *out = facts;
    *count = n;
    return ERR_OK;
}

/* The fact rows of a stored order: reads it, its shipments and its history flags. */
static enum err_code metrics_build_facts(struct app_ctx *ctx, struct store_conn *conn,
                                         const char *order_id, struct metrics_fact **out,
                                         size_t *count, struct err *err)
{
    struct order order;
    struct shipment *shipments = NULL;
    struct metrics_source source = {.order = &order};
    enum err_code code = store_order_get(conn, ctx->arena, order_id, &order, err);
    if (code == ERR_OK) {
        code = store_shipment_list_by_order(conn, ctx->arena, order_id, &shipments,
                                            &source.shipments_count, err);
    }
    if (code == ERR_OK) {
        code = store_metrics_order_flags(conn, order_id, &source.flags, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    source.shipments = shipments;
    return metrics_facts_from(ctx, &source, out, count, err);
}

static enum err_code metrics_customer_move(struct store_conn *conn, const struct metrics_fact *fact,
                                           const char *customer_id, int delta, struct err *err)
{
    if (customer_id == NULL) {
        return ERR_OK;
    }
    struct metrics_distinct_key key = {
        .kind = METRICS_DISTINCT_CUSTOMER, .scope = "", .key = customer_id, .day = fact->day};
    enum err_code code = store_metrics_distinct_move(conn, &key, delta, err);
    key.scope = fact->channel;
    return code == ERR_OK ? store_metrics_distinct_move(conn, &key, delta, err) : code;
}

enum err_code app_metrics_order(struct app_ctx *ctx, struct store_conn *conn, const char *order_id,
                                const char *customer_id, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && order_id != NULL);
    struct metrics_fact *old_facts = NULL;
    size_t old_count = 0;
    struct metrics_fact *facts = NULL;
    size_t count = 0;
    enum err_code code =
        store_metrics_facts_get(conn, ctx->arena, order_id, &old_facts, &old_count, err);
    if (code == ERR_OK) {
        code = metrics_build_facts(ctx, conn, order_id, &facts, &count, err);
    }
    if (code == ERR_OK) {
        code = store_metrics_facts_replace(conn, old_facts, old_count, facts, count, err);
    }
    /* The order-level row sorts first (location ""). */
    int64_t was = old_count > 0 ? old_facts[0].counters.orders : 0;
    int64_t is = facts != NULL ? facts[0].counters.orders : 0;
    if (code == ERR_OK && was != is) {
        code = metrics_customer_move(conn, is ? &facts[0] : &old_facts[0], customer_id, is ? 1 : -1,
                                     err);
    }
    return code;
}

enum err_code app_metrics_pick_list(struct app_ctx *ctx, struct store_conn *conn,
                                    const struct pick_list *pick_list, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && pick_list != NULL && pick_list->completed);
    int64_t day = date_day_of_ms(pick_list->completed_at_ms);
    struct metrics_counters delta = {.pick_ms =
                                         pick_list->completed_at_ms - pick_list->started_at_ms};
    enum err_code code = store_metrics_events_add(conn, day, pick_list->location_code, &delta, err);
    for (size_t i = 0; code == ERR_OK && i < pick_list->lines_count; i++) {
        const char *order_id = pick_list->lines[i].order_id;
        bool seen = false;
        for (size_t j = 0; j < i && !seen; j++) {
            seen = strcmp(pick_list->lines[j].order_id, order_id) == 0;
        }
        if (seen) {
            continue;
        }
        struct metrics_distinct_key key = {
            .kind = METRICS_DISTINCT_PICKED, .scope = "", .key = order_id, .day = day};
        code = store_metrics_distinct_move(conn, &key, 1, err);
        key.scope = pick_list->location_code;
        code = code == ERR_OK ? store_metrics_distinct_move(conn, &key, 1, err) : code;
    }
    return code;
}

enum err_code app_metrics_ledger(struct app_ctx *ctx, struct store_conn *conn,
                                 const struct ledger_entry *entry, const char *location_code,
                                 struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && entry != NULL && location_code != NULL);
    struct metrics_counters delta = {0};
    int64_t units = entry->on_hand_delta < 0 ? -entry->on_hand_delta : entry->on_hand_delta;
    if (entry->kind == LEDGER_SCRAP) {
        delta.scrapped = -entry->on_hand_delta;
        bool returned = entry->ref_type != NULL && strcmp(entry->ref_type, "return") == 0;
        delta.came_in = returned ? units : 0;
    } else if (entry->kind == LEDGER_RECEIPT || entry->kind == LEDGER_RETURN_RESTOCK) {
        delta.came_in = units;
    } else {
        return ERR_OK;
    }
    return store_metrics_events_add(conn, date_day_of_ms(entry->created_at_ms), location_code,
                                    &delta, err);
}

/* ---- inputs ----------------------------------------------------------------------------- */

static enum err_code metrics_day(const char *text, const char *field, int64_t *day, struct err *err)
{
    if (text == NULL) {
        return err_set(err, ERR_INVALID, field, "%s is required (YYYY-MM-DD)", field);
    }
    if (date_parse_day(text, day) != ERR_OK) {
        return err_set(err, ERR_INVALID, field, "%s must be a date YYYY-MM-DD", field);
    }
    return ERR_OK;
}

static enum err_code metrics_count(bool present, int64_t value, const char *field, struct err *err)
{
    if (!present) {
        return err_set(err, ERR_INVALID, field, "%s is required", field);
    }
    if (value < 0) {
        return err_set(err, ERR_INVALID, field, "%s must not be negative", field);
    }
    return ERR_OK;
}

static enum err_code metrics_exists(struct store_conn *conn, struct arena *arena,
                                    const char *channel, const char *location, struct err *err)
{
    enum err_code code = ERR_OK;
    if (channel != NULL) {
        struct channel found;
        code = store_channel_get(conn, arena, channel, &found, err);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, "channel", "unknown channel '%s'", channel);
        }
    }
    if (code == ERR_OK && location != NULL) {
        struct location found;
        code = store_location_get(conn, arena, location, &found, err);
        if (code == ERR_NOT_FOUND) {
            return err_set(err, ERR_INVALID, "location", "unknown location '%s'", location);
        }
    }
    return code;
}

struct metrics_input_arg {
    struct metrics_traffic *traffic;
    struct metrics_cost *cost;
};

static enum err_code metrics_input_run(struct app_write *write, struct store_conn *conn,
                                       struct err *err)
{
    struct metrics_input_arg *arg = write->arg;
    struct app_ctx *ctx = write->ctx;
    enum err_code code = ERR_OK;
    if (arg->traffic != NULL) {
        code = metrics_exists(conn, ctx->arena, arg->traffic->channel, NULL, err);
        if (code == ERR_INVALID) {
            code =
                err_set(err, ERR_NOT_FOUND, NULL, "channel '%s' not found", arg->traffic->channel);
        }
        code =
            code == ERR_OK ? store_metrics_traffic_put(conn, arg->traffic, ctx->now_ms, err) : code;
        write->result = arg->traffic;
    } else {
        const char *location = arg->cost->location[0] != '\0' ? arg->cost->location : NULL;
        code = metrics_exists(conn, ctx->arena, NULL, location, err);
        code = code == ERR_OK ? store_metrics_cost_insert(conn, arg->cost, ctx->now_ms, err) : code;
        write->result = arg->cost;
    }
    return code;
}

enum err_code app_metrics_traffic(struct app_ctx *ctx, const struct app_traffic_input *input,
                                  struct app_idempotency *idem, struct metrics_traffic *out,
                                  struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && input->channel != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_METRICS_WRITE, err);
    *out = (struct metrics_traffic){.channel = input->channel,
                                    .visitors = input->visitors,
                                    .carts_created = input->carts_created,
                                    .carts_abandoned = input->carts_abandoned};
    code = code == ERR_OK ? metrics_day(input->date, "date", &out->day, err) : code;
    code = code == ERR_OK ? metrics_count(input->has_visitors, input->visitors, "visitors", err)
                          : code;
    code = code == ERR_OK
               ? metrics_count(input->has_carts_created, input->carts_created, "carts_created", err)
               : code;
    code = code == ERR_OK ? metrics_count(input->has_carts_abandoned, input->carts_abandoned,
                                          "carts_abandoned", err)
                          : code;
    if (code == ERR_OK && input->carts_abandoned > input->carts_created) {
        code = err_set(err, ERR_INVALID, "carts_abandoned",
                       "carts_abandoned must not exceed carts_created");
    }
    if (code != ERR_OK) {
        return code;
    }
    struct metrics_input_arg arg = {.traffic = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = metrics_input_run, .arg = &arg};
    return app_write_run(&write, err);
}

enum err_code app_metrics_cost(struct app_ctx *ctx, const struct app_cost_input *input,
                               struct app_idempotency *idem, struct metrics_cost *out,
                               struct err *err)
{
    ASSERT(ctx != NULL && input != NULL && out != NULL);
    enum err_code code = app_require(ctx, PERM_METRICS_WRITE, err);
    *out = (struct metrics_cost){.location = input->location != NULL ? input->location : "",
                                 .category = input->category,
                                 .amount = input->amount};
    code = code == ERR_OK ? metrics_day(input->date, "date", &out->day, err) : code;
    if (code == ERR_OK && (input->category == NULL || input->category[0] == '\0')) {
        code = err_set(err, ERR_INVALID, "category", "category is required");
    }
    code = code == ERR_OK ? metrics_count(input->has_amount, input->amount, "amount", err) : code;
    if (code == ERR_OK && input->location != NULL && input->location[0] == '\0') {
        code = err_set(err, ERR_INVALID, "location", "location must not be empty");
    }
    if (code != ERR_OK) {
        return code;
    }
    struct metrics_input_arg arg = {.cost = out};
    struct app_write write = {.ctx = ctx, .idem = idem, .run = metrics_input_run, .arg = &arg};
    return app_write_run(&write, err);
}

/* ---- reads ------------------------------------------------------------------------------ */

enum err_code app_metrics_range(const char *from, const char *to, const char *channel,
                                const char *location, struct app_metrics_range *out,
                                struct err *err)
{
    ASSERT(out != NULL);
    *out = (struct app_metrics_range){.channel = channel, .location = location};
    enum err_code code = metrics_day(from, "from", &out->from_day, err);
    code = code == ERR_OK ? metrics_day(to, "to", &out->to_day, err) : code;
    if (code == ERR_OK && out->from_day > out->to_day) {
        code = err_set(err, ERR_INVALID, "to", "to must not be before from");
    }
    if (code == ERR_OK && out->to_day - out->from_day + 1 > METRICS_RANGE_DAYS_MAX) {
        code = err_set(err, ERR_INVALID, "to", "a range holds at most %d days",
                       METRICS_RANGE_DAYS_MAX);
    }
    return code;
}

static struct metrics_query metrics_query_of(const struct app_metrics_range *range)
{
    return (struct metrics_query){.from_day = range->from_day,
                                  .to_day = range->to_day,
                                  .channel = range->channel,
                                  .location = range->location};
}

static enum err_code metrics_read(struct app_ctx *ctx, const struct app_metrics_range *range,
                                  struct store_conn **conn, struct err *err)
{
    enum err_code code = app_require(ctx, PERM_METRICS_READ, err);
    code = code == ERR_OK ? app_read_begin(ctx, conn, err) : code;
    if (code != ERR_OK) {
        return code;
    }
    code = metrics_exists(*conn, ctx->arena, range->channel, range->location, err);
    if (code != ERR_OK) {
        app_read_end(ctx, *conn);
    }
    return code;
}

static enum err_code metrics_sum(struct store_conn *conn, const struct app_metrics_range *range,
                                 struct app_metrics_report *out, struct err *err)
{
    struct metrics_query query = metrics_query_of(range);
    *out = (struct app_metrics_report){.from_day = range->from_day, .to_day = range->to_day};
    enum err_code code = store_metrics_sum(conn, &query, &out->counters, err);
    metrics_compute(&out->counters, &out->values);
    return code;
}

enum err_code app_metrics_get(struct app_ctx *ctx, const struct app_metrics_range *range,
                              struct app_metrics_report *out, struct err *err)
{
    ASSERT(ctx != NULL && range != NULL && out != NULL);
    struct store_conn *conn = NULL;
    enum err_code code = metrics_read(ctx, range, &conn, err);
    if (code == ERR_OK) {
        code = metrics_sum(conn, range, out, err);
        app_read_end(ctx, conn);
    }
    return code;
}

enum err_code app_metrics_daily(struct app_ctx *ctx, const struct app_metrics_range *range,
                                struct app_metrics_report **out, size_t *count, struct err *err)
{
    ASSERT(ctx != NULL && range != NULL && out != NULL && count != NULL);
    size_t days = (size_t)(range->to_day - range->from_day + 1);
    struct metrics_counters *counters = ARENA_NEW_ARRAY(ctx->arena, struct metrics_counters, days);
    struct app_metrics_report *reports =
        ARENA_NEW_ARRAY(ctx->arena, struct app_metrics_report, days);
    if (counters == NULL || reports == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    memset(counters, 0, days * sizeof(*counters));
    struct store_conn *conn = NULL;
    enum err_code code = metrics_read(ctx, range, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct metrics_query query = metrics_query_of(range);
    code = store_metrics_by_day(conn, &query, counters, err);
    app_read_end(ctx, conn);
    for (size_t i = 0; code == ERR_OK && i < days; i++) {
        int64_t day = range->from_day + (int64_t)i;
        reports[i] =
            (struct app_metrics_report){.from_day = day, .to_day = day, .counters = counters[i]};
        metrics_compute(&reports[i].counters, &reports[i].values);
    }
    *out = reports;
    *count = code == ERR_OK ? days : 0;
    return code;
}

/* Breakdown keys: every channel or every location code. */
static enum err_code metrics_keys(struct app_ctx *ctx, struct store_conn *conn, bool channels,
                                  const char ***keys, size_t *count, struct err *err)
{
    struct channel *channel_rows = NULL;
    struct location *location_rows = NULL;
    enum err_code code = channels
                             ? store_channel_list(conn, ctx->arena, &channel_rows, count, err)
                             : store_location_list(conn, ctx->arena, &location_rows, count, err);
    *keys = code == ERR_OK ? ARENA_NEW_ARRAY(ctx->arena, const char *, *count + 1) : NULL;
    if (code == ERR_OK && *keys == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && i < *count; i++) {
        (*keys)[i] = channels ? channel_rows[i].code : location_rows[i].code;
    }
    return code;
}

static enum err_code metrics_breakdown(struct app_ctx *ctx, const struct app_metrics_range *range,
                                       bool channels, struct app_metrics_group **out, size_t *count,
                                       struct err *err)
{
    ASSERT(ctx != NULL && range != NULL && out != NULL && count != NULL);
    struct store_conn *conn = NULL;
    enum err_code code = metrics_read(ctx, range, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    const char **keys = NULL;
    size_t n = 0;
    code = metrics_keys(ctx, conn, channels, &keys, &n, err);
    struct app_metrics_group *groups =
        code == ERR_OK ? ARENA_NEW_ARRAY(ctx->arena, struct app_metrics_group, n + 1) : NULL;
    if (code == ERR_OK && groups == NULL) {
        code = err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    for (size_t i = 0; code == ERR_OK && keys != NULL && groups != NULL && i < n; i++) {
        struct app_metrics_range one = *range;
        if (channels) {
            one.channel = keys[i];
        } else {
            one.location = keys[i];
        }
        groups[i].key = keys[i];
        code = metrics_sum(conn, &one, &groups[i].report, err);
    }
    app_read_end(ctx, conn);
    *out = groups;
    *count = code == ERR_OK ? n : 0;
    return code;
}

enum err_code app_metrics_by_channel(struct app_ctx *ctx, const struct app_metrics_range *range,
                                     struct app_metrics_group **out, size_t *count, struct err *err)
{
    return metrics_breakdown(ctx, range, true, out, count, err);
}

enum err_code app_metrics_by_location(struct app_ctx *ctx, const struct app_metrics_range *range,
                                      struct app_metrics_group **out, size_t *count,
                                      struct err *err)
{
    return metrics_breakdown(ctx, range, false, out, count, err);
}

enum err_code app_metrics_top_products(struct app_ctx *ctx, const struct app_metrics_range *range,
                                       size_t limit, struct metrics_product **out, size_t *count,
                                       struct err *err)
{
    ASSERT(ctx != NULL && range != NULL && out != NULL && count != NULL && limit > 0);
    struct store_conn *conn = NULL;
    enum err_code code = metrics_read(ctx, range, &conn, err);
    if (code != ERR_OK) {
        return code;
    }
    struct metrics_query query = metrics_query_of(range);
    query.limit = limit;
    code = store_metrics_top_products(conn, ctx->arena, &query, out, count, err);
    app_read_end(ctx, conn);
    return code;
}

/* ---- ordo check -------------------------------------------------------------------------- */

#define METRICS_CHECK_PAGE 500

static bool metrics_fact_equal(const struct metrics_fact *a, const struct metrics_fact *b)
{
    bool same = strcmp(a->location, b->location) == 0 && a->day == b->day &&
                strcmp(a->channel, b->channel) == 0 && a->unfilled == b->unfilled &&
                a->merchant_fault == b->merchant_fault;
#define METRICS_SAME(field) same = same && a->counters.field == b->counters.field;
    METRICS_ORDER_FIELDS(METRICS_SAME)
#undef METRICS_SAME
    return same;
}

/* One order: its stored facts against a recount from its order, shipments and events. */
static enum err_code metrics_check_order(struct app_ctx *ctx, struct store_conn *conn,
                                         const char *order_id, struct buf *report, bool *ok,
                                         struct err *err)
{
    struct metrics_fact *stored = NULL;
    size_t stored_count = 0;
    struct metrics_fact *fresh = NULL;
    size_t fresh_count = 0;
    enum err_code code =
        store_metrics_facts_get(conn, ctx->arena, order_id, &stored, &stored_count, err);
    code =
        code == ERR_OK ? metrics_build_facts(ctx, conn, order_id, &fresh, &fresh_count, err) : code;
    if (code != ERR_OK) {
        return code;
    }
    bool same = stored_count == fresh_count;
    for (size_t i = 0; same && i < fresh_count; i++) {
        same = metrics_fact_equal(&stored[i], &fresh[i]);
    }
    if (!same) {
        *ok = false;
        code = buf_appendf(report, "metrics: order %s: stored facts differ from a recount\n",
                           order_id);
    }
    return code == ERR_OK ? ERR_OK : err_set(err, code, NULL, "report too large");
}

enum err_code app_metrics_check(struct app_ctx *ctx, struct store_conn *conn, struct buf *report,
                                bool *ok, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && report != NULL && ok != NULL);
    const char **problems = NULL;
    size_t count = 0;
    enum err_code code = store_metrics_check(conn, ctx->arena, &problems, &count, err);
    for (size_t i = 0; code == ERR_OK && i < count; i++) {
        *ok = false;
        if (buf_appendf(report, "metrics: %s\n", problems[i]) != ERR_OK) {
            return err_set(err, ERR_TOO_LARGE, NULL, "report too large");
        }
    }
    struct arena page;
    arena_init(&page, (size_t)64 * 1024 * 1024);
    struct app_ctx page_ctx = *ctx;
    page_ctx.arena = &page;
    char after[ID_LEN_MAX] = "";
    for (bool more = code == ERR_OK; more;) {
        struct store_ids ids = {.limit = METRICS_CHECK_PAGE};
        code = store_metrics_order_ids(conn, &page, after[0] != '\0' ? after : NULL, &ids, err);
        for (size_t i = 0; code == ERR_OK && i < ids.count; i++) {
            code = metrics_check_order(&page_ctx, conn, ids.ids[i], report, ok, err);
        }
        more = code == ERR_OK && ids.count == METRICS_CHECK_PAGE;
        if (more) {
            memcpy(after, ids.ids[ids.count - 1], strlen(ids.ids[ids.count - 1]) + 1);
        }
        arena_reset(&page);
    }
    arena_release(&page);
    return code;
}

enum err_code app_metrics_order_created(struct app_ctx *ctx, struct store_conn *conn,
                                        const struct metrics_new_order *created, struct err *err)
{
    ASSERT(ctx != NULL && conn != NULL && created != NULL && created->order != NULL);
    ASSERT(created->shipments != NULL || created->shipments_count == 0);
    const struct order *order = created->order;
    /* A new order has no rows yet, and what the stored flags would say is known here: it is
     * unfilled exactly when captured backordered, and nothing was shorted or cancelled. */
    struct metrics_source source = {.order = order,
                                    .shipments = created->shipments,
                                    .shipments_count = created->shipments_count};
    source.flags.unfilled = order->status == ORDER_STATUS_BACKORDERED;
    for (size_t i = 0; i < order->lines_count; i++) {
        source.flags.unfilled = source.flags.unfilled || order->lines[i].qty_backordered > 0;
    }
    struct metrics_fact *facts = NULL;
    size_t count = 0;
    enum err_code code = metrics_facts_from(ctx, &source, &facts, &count, err);
    if (code == ERR_OK) {
        code = store_metrics_facts_replace(conn, NULL, 0, facts, count, err);
    }
    if (code != ERR_OK) {
        return code;
    }
    ASSERT(facts != NULL && count > 0);
    if (facts[0].counters.orders != 1 || order->customer_id == NULL) {
        return ERR_OK;
    }
    if (!created->customer_new) {
        return metrics_customer_move(conn, &facts[0], order->customer_id, 1, err);
    }
    struct metrics_distinct_key key = {.kind = METRICS_DISTINCT_CUSTOMER,
                                       .scope = "",
                                       .key = order->customer_id,
                                       .day = facts[0].day};
    code = store_metrics_distinct_first(conn, &key, err);
    key.scope = facts[0].channel;
    return code == ERR_OK ? store_metrics_distinct_first(conn, &key, err) : code;
}
