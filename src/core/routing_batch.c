/*
 * routing_batch.c — the batch re-optimisation's programme (routing_batch.h): candidates per
 * order, the columns and rows of the mixed-integer programme, reading a solution back, and
 * pricing any plan with the engine's cost of a parcel.
 */
#include "core/routing_batch.h"

#include <stdlib.h>
#include <string.h>

#include "core/location.h"

#define BATCH_NO_MEMORY(err) err_set((err), ERR_TOO_LARGE, NULL, "request memory limit reached")

/* The engine's request for pricing parcels of order o (no lines: only its destination). */
static void batch_request(const struct routing_batch *batch, size_t o,
                          struct routing_request *request)
{
    const struct routing_batch_order *order = &batch->orders[o];
    *request = (struct routing_request){
        .candidates = batch->candidates,
        .candidates_count = batch->candidates_count,
        .has_destination = order->has_destination,
        .destination_lat = order->destination_lat,
        .destination_lon = order->destination_lon,
        .method = FULFILLMENT_SHIP,
        .settings = batch->settings,
        .services = batch->services,
        .services_count = batch->services_count,
    };
}

static int64_t batch_split_penalty(const struct routing_batch *batch)
{
    struct routing_settings defaults;
    routing_settings_default(&defaults);
    return batch->settings != NULL ? batch->settings->split_penalty : defaults.split_penalty;
}

/* Handling + shipping + lateness of one parcel of weight_grams from candidate c to order o. */
static int64_t batch_parcel(const struct routing_batch *batch, size_t o, size_t c,
                            int64_t weight_grams)
{
    struct routing_request request;
    batch_request(batch, o, &request);
    struct routing_terms terms;
    size_t service = 0;
    int64_t days = 0;
    routing_shipping_cost(&request, c, weight_grams, &terms, &service, &days);
    return batch->candidates[c].handling_cost + terms.total;
}

/* True when candidate c holds line l whole (after the order's hold-back). */
static bool batch_fits(const struct routing_batch *batch, size_t l, size_t c, int64_t hold)
{
    const struct routing_batch_line *line = &batch->lines[l];
    for (size_t i = 0; i < line->parts_count; i++) {
        const struct routing_batch_part *part = &batch->parts[line->parts_start + i];
        int64_t stock = batch->stock[part->product * batch->candidates_count + c];
        if (stock - hold < line->qty * part->per_unit) {
            return false;
        }
    }
    return true;
}

static bool batch_eligible(const struct routing_batch *batch, size_t c)
{
    const struct routing_candidate *candidate = &batch->candidates[c];
    return candidate->active &&
           (candidate->capabilities & (LOCATION_CAP_SHIP | LOCATION_CAP_DROPSHIP)) != 0 &&
           batch->capacity[c] > 0;
}

struct batch_rank {
    size_t candidate;
    int64_t cost;
    bool current;
};

static int batch_rank_compare(const void *a_ptr, const void *b_ptr)
{
    const struct batch_rank *a = a_ptr;
    const struct batch_rank *b = b_ptr;
    if (a->current != b->current) {
        return a->current ? -1 : 1;
    }
    if (a->cost != b->cost) {
        return a->cost < b->cost ? -1 : 1;
    }
    return a->candidate < b->candidate ? -1 : (a->candidate > b->candidate ? 1 : 0);
}

static bool batch_is_current(const struct routing_batch *batch, size_t o, size_t c)
{
    const struct routing_batch_order *order = &batch->orders[o];
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        if (batch->lines[l].current == c) {
            return true;
        }
    }
    return false;
}

/* The order's candidates: those of its current plan, then the cheapest for its whole weight
 * that hold one of its lines whole, up to ROUTING_BATCH_CANDS more. */
static size_t batch_order_cands(const struct routing_batch *batch, size_t o,
                                struct batch_rank *ranks, size_t *out, int64_t *cost)
{
    const struct routing_batch_order *order = &batch->orders[o];
    int64_t weight = 0;
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        weight += batch->lines[l].qty * batch->lines[l].weight_grams;
    }
    size_t n = 0;
    for (size_t c = 0; c < batch->candidates_count; c++) {
        bool current = batch_is_current(batch, o, c);
        bool holds = false;
        for (size_t l = order->lines_start; !holds && l < order->lines_start + order->lines_count;
             l++) {
            holds = batch_fits(batch, l, c, order->hold_back);
        }
        if (current || (holds && batch_eligible(batch, c))) {
            ranks[n++] = (struct batch_rank){c, batch_parcel(batch, o, c, weight), current};
        }
    }
    qsort(ranks, n, sizeof(*ranks), batch_rank_compare);
    size_t kept = 0;
    size_t extra = 0;
    for (size_t i = 0; i < n; i++) {
        if (ranks[i].current || extra++ < ROUTING_BATCH_CANDS) {
            out[kept] = ranks[i].candidate;
            cost[kept++] = ranks[i].cost;
        }
    }
    return kept;
}

/* One coefficient of a row that gathers columns by key (stock: product * C + candidate;
 * capacity: candidate). */
struct batch_entry {
    size_t key;
    size_t col;
    double coef;
};

static int batch_entry_compare(const void *a_ptr, const void *b_ptr)
{
    const struct batch_entry *a = a_ptr;
    const struct batch_entry *b = b_ptr;
    if (a->key != b->key) {
        return a->key < b->key ? -1 : 1;
    }
    return a->col < b->col ? -1 : (a->col > b->col ? 1 : 0);
}

struct batch_build {
    const struct routing_batch *batch;
    struct routing_mip *mip;
    size_t *cands;  /* [orders * kmax] each order's candidates */
    int64_t *costs; /* [orders * kmax] their whole-order shipment cost */
    int64_t *base;  /* [orders * kmax] the same for an empty parcel (handling, lateness) */
    size_t *counts; /* [orders] */
    size_t kmax;
    struct batch_entry *stock; /* keyed entries */
    size_t stock_count;
    struct batch_entry *cap;
    size_t cap_count;
};

static size_t batch_col(struct routing_mip *mip, double obj, double upper)
{
    size_t c = mip->cols++;
    mip->obj[c] = obj;
    mip->col_lower[c] = 0;
    mip->col_upper[c] = upper;
    mip->z_line[c] = SIZE_MAX;
    mip->z_candidate[c] = SIZE_MAX;
    mip->y_order[c] = SIZE_MAX;
    mip->y_candidate[c] = SIZE_MAX;
    mip->u_line[c] = SIZE_MAX;
    return c;
}

static void batch_row(struct routing_mip *mip, double lower, double upper)
{
    mip->row_lower[mip->rows] = lower;
    mip->row_upper[mip->rows] = upper;
    mip->rows++;
    mip->row_start[mip->rows] = mip->row_start[mip->rows - 1];
}

static void batch_nz(struct routing_mip *mip, size_t col, double value)
{
    size_t at = mip->row_start[mip->rows]++;
    mip->index[at] = (int)col;
    mip->value[at] = value;
}

/* The z columns of line l over the order's candidates (yb: its first y column), then u, then
 * the row that places the line once and the rows that tie each z to its y. */
static void batch_line(struct batch_build *b, size_t o, size_t l, size_t yb, int64_t weight)
{
    const struct routing_batch *batch = b->batch;
    struct routing_mip *mip = b->mip;
    const struct routing_batch_line *line = &batch->lines[l];
    const size_t *cands = &b->cands[o * b->kmax];
    size_t zb = mip->cols;
    for (size_t k = 0; k < b->counts[o]; k++) {
        if (line->current != cands[k] &&
            !batch_fits(batch, l, cands[k], batch->orders[o].hold_back)) {
            continue;
        }
        /* The parcel's price above an empty one, shared by weight: exact for one shipment. */
        double share = weight > 0 ? (double)(line->qty * line->weight_grams) / (double)weight : 0;
        size_t z = batch_col(
            mip, (double)(b->costs[o * b->kmax + k] - b->base[o * b->kmax + k]) * share, 1);
        mip->z_line[z] = l;
        mip->z_candidate[z] = k; /* the order's k-th candidate, mapped back by decode */
        for (size_t i = 0; i < line->parts_count; i++) {
            const struct routing_batch_part *part = &batch->parts[line->parts_start + i];
            b->stock[b->stock_count++] =
                (struct batch_entry){part->product * batch->candidates_count + cands[k], z,
                                     (double)(line->qty * part->per_unit)};
        }
    }
    size_t ze = mip->cols;
    size_t u = batch_col(mip, (double)ROUTING_BATCH_UNPLACED * (double)line->qty, 1);
    mip->u_line[u] = l;
    batch_row(mip, 1, 1);
    for (size_t z = zb; z < ze; z++) {
        batch_nz(mip, z, 1);
    }
    batch_nz(mip, u, 1);
    for (size_t z = zb; z < ze; z++) {
        batch_row(mip, -1e30, 0);
        size_t k = mip->z_candidate[z];
        batch_nz(mip, z, 1);
        batch_nz(mip, yb + k, -1);
        mip->z_candidate[z] = cands[k]; /* from here on the batch's candidate */
    }
}

/* The order's y columns, its lines, and its limit on shipments. */
static void batch_order(struct batch_build *b, size_t o, int64_t split)
{
    const struct routing_batch *batch = b->batch;
    struct routing_mip *mip = b->mip;
    const struct routing_batch_order *order = &batch->orders[o];
    size_t yb = mip->cols;
    int64_t weight = 0;
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        weight += batch->lines[l].qty * batch->lines[l].weight_grams;
    }
    for (size_t k = 0; k < b->counts[o]; k++) {
        b->base[o * b->kmax + k] = batch_parcel(batch, o, b->cands[o * b->kmax + k], 0);
        size_t y = batch_col(mip, (double)(b->base[o * b->kmax + k] + split), 1);
        mip->y_order[y] = o;
        mip->y_candidate[y] = b->cands[o * b->kmax + k];
        b->cap[b->cap_count++] = (struct batch_entry){b->cands[o * b->kmax + k], y, 1};
    }
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        batch_line(b, o, l, yb, weight);
    }
    int64_t most = order->ship_complete ? 1 : 0;
    if (batch->settings != NULL && batch->settings->max_shipments > 0 &&
        (most == 0 || batch->settings->max_shipments < most)) {
        most = batch->settings->max_shipments;
    }
    if (most > 0) {
        batch_row(mip, -1e30, (double)most);
        for (size_t k = 0; k < b->counts[o]; k++) {
            batch_nz(mip, yb + k, 1);
        }
    }
}

/* Rows of the keyed entries: one per key, sum <= bound(key); keys without a bound skipped. */
static void batch_keyed_rows(struct batch_build *b, struct batch_entry *entries, size_t count,
                             bool capacity)
{
    const struct routing_batch *batch = b->batch;
    struct routing_mip *mip = b->mip;
    if (count > 1) {
        qsort(entries, count, sizeof(*entries), batch_entry_compare);
    }
    size_t i = 0;
    while (i < count) {
        size_t end = i;
        while (end < count && entries[end].key == entries[i].key) {
            end++;
        }
        int64_t bound = capacity ? batch->capacity[entries[i].key] : batch->stock[entries[i].key];
        if (bound < INT64_MAX) {
            batch_row(mip, -1e30, (double)(bound > 0 ? bound : 0));
            for (size_t e = i; e < end; e++) {
                batch_nz(mip, entries[e].col, entries[e].coef);
            }
        }
        i = end;
    }
}

/* Sizes the arrays of the programme from each order's candidates. */
struct batch_sizes {
    size_t cols;
    size_t rows;
    size_t nz;
    size_t stock;
};

static void batch_size(const struct batch_build *b, struct batch_sizes *s)
{
    const struct routing_batch *batch = b->batch;
    memset(s, 0, sizeof(*s));
    for (size_t o = 0; o < batch->orders_count; o++) {
        const struct routing_batch_order *order = &batch->orders[o];
        size_t k = b->counts[o];
        size_t lines = order->lines_count;
        s->cols += k + lines * k + lines;
        s->rows += lines + lines * k + 1;
        s->nz += lines * (k + 1) + 2 * lines * k + k;
        for (size_t l = order->lines_start; l < order->lines_start + lines; l++) {
            s->stock += k * batch->lines[l].parts_count;
        }
    }
    s->rows += s->stock + batch->candidates_count;
    s->nz += s->stock + s->cols;
}

static enum err_code batch_alloc(struct batch_build *b, struct arena *arena, struct err *err)
{
    struct batch_sizes s;
    batch_size(b, &s);
    struct routing_mip *mip = b->mip;
    memset(mip, 0, sizeof(*mip));
    mip->obj = ARENA_NEW_ARRAY(arena, double, s.cols + 1);
    mip->col_lower = ARENA_NEW_ARRAY(arena, double, s.cols + 1);
    mip->col_upper = ARENA_NEW_ARRAY(arena, double, s.cols + 1);
    mip->z_line = ARENA_NEW_ARRAY(arena, size_t, s.cols + 1);
    mip->z_candidate = ARENA_NEW_ARRAY(arena, size_t, s.cols + 1);
    mip->y_order = ARENA_NEW_ARRAY(arena, size_t, s.cols + 1);
    mip->y_candidate = ARENA_NEW_ARRAY(arena, size_t, s.cols + 1);
    mip->u_line = ARENA_NEW_ARRAY(arena, size_t, s.cols + 1);
    mip->row_lower = ARENA_NEW_ARRAY(arena, double, s.rows + 1);
    mip->row_upper = ARENA_NEW_ARRAY(arena, double, s.rows + 1);
    mip->row_start = ARENA_NEW_ARRAY(arena, size_t, s.rows + 2);
    mip->index = ARENA_NEW_ARRAY(arena, int, s.nz + 1);
    mip->value = ARENA_NEW_ARRAY(arena, double, s.nz + 1);
    b->stock = ARENA_NEW_ARRAY(arena, struct batch_entry, s.stock + 1);
    b->cap = ARENA_NEW_ARRAY(arena, struct batch_entry, s.cols + 1);
    if (mip->obj == NULL || mip->col_lower == NULL || mip->col_upper == NULL ||
        mip->z_line == NULL || mip->z_candidate == NULL || mip->y_order == NULL ||
        mip->y_candidate == NULL || mip->u_line == NULL || mip->row_lower == NULL ||
        mip->row_upper == NULL || mip->row_start == NULL || mip->index == NULL ||
        mip->value == NULL || b->stock == NULL || b->cap == NULL) {
        return BATCH_NO_MEMORY(err);
    }
    if (s.nz > (size_t)INT32_MAX || s.cols > (size_t)INT32_MAX) {
        return err_set(err, ERR_TOO_LARGE, NULL, "the batch is too large for one programme");
    }
    mip->row_start[0] = 0;
    return ERR_OK;
}

static enum err_code batch_check(const struct routing_batch *batch, struct err *err)
{
    if (batch->orders_count > ROUTING_BATCH_ORDERS_MAX) {
        return err_set(err, ERR_INVALID, NULL, "at most %d orders in one batch, got %zu",
                       ROUTING_BATCH_ORDERS_MAX, batch->orders_count);
    }
    for (size_t l = 0; l < batch->lines_count; l++) {
        const struct routing_batch_line *line = &batch->lines[l];
        if ((line->current != SIZE_MAX && line->current >= batch->candidates_count) ||
            line->parts_start + line->parts_count > batch->parts_count || line->qty <= 0) {
            return err_set(err, ERR_INVALID, NULL, "batch line %zu is not consistent", l);
        }
    }
    return ERR_OK;
}

enum err_code routing_batch_build(const struct routing_batch *batch, struct arena *arena,
                                  struct routing_mip *mip, struct err *err)
{
    ASSERT(batch != NULL && arena != NULL && mip != NULL);
    enum err_code code = batch_check(batch, err);
    if (code != ERR_OK) {
        return code;
    }
    size_t n = batch->candidates_count;
    struct batch_build b = {.batch = batch, .mip = mip};
    b.kmax = n > 0 ? n : 1;
    b.cands = ARENA_NEW_ARRAY(arena, size_t, batch->orders_count * b.kmax + 1);
    b.costs = ARENA_NEW_ARRAY(arena, int64_t, batch->orders_count * b.kmax + 1);
    b.base = ARENA_NEW_ARRAY(arena, int64_t, batch->orders_count * b.kmax + 1);
    b.counts = ARENA_NEW_ARRAY(arena, size_t, batch->orders_count + 1);
    struct batch_rank *ranks = ARENA_NEW_ARRAY(arena, struct batch_rank, n + 1);
    if (b.cands == NULL || b.costs == NULL || b.base == NULL || b.counts == NULL || ranks == NULL) {
        return BATCH_NO_MEMORY(err);
    }
    for (size_t o = 0; o < batch->orders_count; o++) {
        b.counts[o] =
            batch_order_cands(batch, o, ranks, &b.cands[o * b.kmax], &b.costs[o * b.kmax]);
    }
    code = batch_alloc(&b, arena, err);
    if (code != ERR_OK) {
        return code;
    }
    int64_t split = batch_split_penalty(batch);
    for (size_t o = 0; o < batch->orders_count; o++) {
        batch_order(&b, o, split);
    }
    batch_keyed_rows(&b, b.stock, b.stock_count, false);
    batch_keyed_rows(&b, b.cap, b.cap_count, true);
    mip->obj_offset = -(double)split * (double)batch->orders_count;
    return ERR_OK;
}

void routing_batch_decode(const struct routing_batch *batch, const struct routing_mip *mip,
                          const double *solution, size_t *choice)
{
    ASSERT(batch != NULL && mip != NULL && solution != NULL && choice != NULL);
    for (size_t l = 0; l < batch->lines_count; l++) {
        choice[l] = SIZE_MAX;
    }
    for (size_t c = 0; c < mip->cols; c++) {
        if (mip->z_line[c] != SIZE_MAX && solution[c] > 0.5) {
            choice[mip->z_line[c]] = mip->z_candidate[c];
        }
    }
}

/* One order's shipments under choice: cost terms, shipments, and the use of each candidate. */
static void batch_eval_order(const struct routing_batch *batch, size_t o, const size_t *choice,
                             int64_t *weight, int64_t *used, struct routing_batch_eval *out)
{
    const struct routing_batch_order *order = &batch->orders[o];
    size_t first = order->lines_start;
    size_t end = first + order->lines_count;
    int64_t shipments = 0;
    for (size_t l = first; l < end; l++) {
        const struct routing_batch_line *line = &batch->lines[l];
        if (choice[l] == SIZE_MAX) {
            out->unplaced_units += line->qty;
        } else {
            weight[choice[l]] += line->qty * line->weight_grams;
        }
    }
    for (size_t l = first; l < end; l++) {
        size_t c = choice[l];
        if (c == SIZE_MAX || weight[c] < 0) {
            continue;
        }
        struct routing_request request;
        batch_request(batch, o, &request);
        struct routing_terms terms;
        size_t service = 0;
        int64_t days = 0;
        routing_shipping_cost(&request, c, weight[c], &terms, &service, &days);
        out->cost.shipping += terms.shipping;
        out->cost.lateness += terms.lateness;
        out->cost.handling += batch->candidates[c].handling_cost;
        used[c]++;
        shipments++;
        weight[c] = -1; /* priced: skip the order's other lines there */
    }
    for (size_t l = first; l < end; l++) {
        if (choice[l] != SIZE_MAX) {
            weight[choice[l]] = 0;
        }
    }
    out->shipments += shipments;
    out->cost.split += shipments > 1 ? (shipments - 1) * batch_split_penalty(batch) : 0;
}

/* Units beyond the stock, summed over (product, candidate). */
static int64_t batch_over_stock(const struct routing_batch *batch, const size_t *choice,
                                int64_t *use)
{
    size_t n = batch->candidates_count;
    memset(use, 0, batch->products_count * n * sizeof(*use));
    for (size_t l = 0; l < batch->lines_count; l++) {
        const struct routing_batch_line *line = &batch->lines[l];
        for (size_t i = 0; choice[l] != SIZE_MAX && i < line->parts_count; i++) {
            const struct routing_batch_part *part = &batch->parts[line->parts_start + i];
            use[part->product * n + choice[l]] += line->qty * part->per_unit;
        }
    }
    int64_t over = 0;
    for (size_t k = 0; k < batch->products_count * n; k++) {
        over += use[k] > batch->stock[k] ? use[k] - batch->stock[k] : 0;
    }
    return over;
}

enum err_code routing_batch_evaluate(const struct routing_batch *batch, const size_t *choice,
                                     struct arena *arena, struct routing_batch_eval *out,
                                     struct err *err)
{
    ASSERT(batch != NULL && choice != NULL && arena != NULL && out != NULL);
    memset(out, 0, sizeof(*out));
    size_t n = batch->candidates_count;
    int64_t *weight = ARENA_NEW_ARRAY(arena, int64_t, n + 1);
    int64_t *used = ARENA_NEW_ARRAY(arena, int64_t, n + 1);
    int64_t *use = ARENA_NEW_ARRAY(arena, int64_t, batch->products_count * n + 1);
    if (weight == NULL || used == NULL || use == NULL) {
        return BATCH_NO_MEMORY(err);
    }
    memset(weight, 0, (n + 1) * sizeof(*weight));
    memset(used, 0, (n + 1) * sizeof(*used));
    memset(out, 0, sizeof(*out));
    for (size_t o = 0; o < batch->orders_count; o++) {
        batch_eval_order(batch, o, choice, weight, used, out);
    }
    for (size_t c = 0; c < n; c++) {
        int64_t cap = batch->capacity[c];
        out->over_capacity += cap < INT64_MAX && used[c] > cap ? used[c] - (cap > 0 ? cap : 0) : 0;
    }
    out->over_stock = batch_over_stock(batch, choice, use);
    out->cost.total =
        out->cost.shipping + out->cost.handling + out->cost.lateness + out->cost.split;
    return ERR_OK;
}

bool routing_batch_better(const struct routing_batch_eval *a, const struct routing_batch_eval *b)
{
    ASSERT(a != NULL && b != NULL);
    int64_t a_over = a->over_capacity + a->over_stock;
    int64_t b_over = b->over_capacity + b->over_stock;
    if (a_over != b_over) {
        return a_over < b_over;
    }
    if (a->unplaced_units != b->unplaced_units) {
        return a->unplaced_units < b->unplaced_units;
    }
    return a->cost.total < b->cost.total;
}

bool routing_batch_columns(const struct routing_batch *batch, const struct routing_mip *mip,
                           const size_t *choice, double *x)
{
    ASSERT(batch != NULL && mip != NULL && choice != NULL && x != NULL);
    size_t covered = 0;
    for (size_t c = 0; c < mip->cols; c++) {
        x[c] = 0;
        bool z = mip->z_line[c] != SIZE_MAX && choice[mip->z_line[c]] == mip->z_candidate[c];
        bool u = mip->u_line[c] != SIZE_MAX && choice[mip->u_line[c]] == SIZE_MAX;
        if (z || u) {
            x[c] = 1;
            covered++;
        } else if (mip->y_order[c] != SIZE_MAX) {
            const struct routing_batch_order *order = &batch->orders[mip->y_order[c]];
            for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
                x[c] = choice[l] == mip->y_candidate[c] ? 1 : x[c];
            }
        }
    }
    return covered == batch->lines_count;
}

/* ---- merging a proposed plan order by order ------------------------------------------------ */

struct batch_merge {
    const struct routing_batch *batch;
    size_t *choice;     /* the plan being built */
    int64_t *use;       /* [products * candidates] units the plan places */
    int64_t *shipments; /* [candidates] the plan's shipments per candidate */
    int64_t *weight;    /* scratch for batch_eval_order */
    int64_t *used;      /* scratch */
};

/* The exact cost of order o under plan (shipping, handling, lateness, split; unplaced apart). */
static int64_t batch_order_cost(const struct batch_merge *m, size_t o, const size_t *plan,
                                int64_t *unplaced)
{
    struct routing_batch_eval e;
    memset(&e, 0, sizeof(e));
    batch_eval_order(m->batch, o, plan, m->weight, m->used, &e);
    const struct routing_batch_order *order = &m->batch->orders[o];
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        if (plan[l] != SIZE_MAX) {
            m->used[plan[l]] = 0; /* scratch only */
        }
    }
    *unplaced = e.unplaced_units;
    return e.cost.shipping + e.cost.handling + e.cost.lateness + e.cost.split;
}

/* Adds (sign 1) or takes back (-1) order o's stock and shipments under plan. */
static void batch_order_use(struct batch_merge *m, size_t o, const size_t *plan, int sign)
{
    const struct routing_batch *batch = m->batch;
    const struct routing_batch_order *order = &batch->orders[o];
    size_t n = batch->candidates_count;
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        const struct routing_batch_line *line = &batch->lines[l];
        if (plan[l] == SIZE_MAX) {
            continue;
        }
        for (size_t i = 0; i < line->parts_count; i++) {
            const struct routing_batch_part *part = &batch->parts[line->parts_start + i];
            m->use[part->product * n + plan[l]] += sign * line->qty * part->per_unit;
        }
        bool first = true;
        for (size_t k = order->lines_start; k < l; k++) {
            first = first && plan[k] != plan[l];
        }
        m->shipments[plan[l]] += first ? sign : 0;
    }
}

/* True when the plan's use stays within stock and capacity wherever order o touches. */
static bool batch_order_fits(const struct batch_merge *m, size_t o, const size_t *plan)
{
    const struct routing_batch *batch = m->batch;
    const struct routing_batch_order *order = &batch->orders[o];
    size_t n = batch->candidates_count;
    for (size_t l = order->lines_start; l < order->lines_start + order->lines_count; l++) {
        const struct routing_batch_line *line = &batch->lines[l];
        if (plan[l] == SIZE_MAX) {
            continue;
        }
        if (m->shipments[plan[l]] > batch->capacity[plan[l]]) {
            return false;
        }
        for (size_t i = 0; i < line->parts_count; i++) {
            size_t key = batch->parts[line->parts_start + i].product * n + plan[l];
            if (m->use[key] > batch->stock[key]) {
                return false;
            }
        }
    }
    return true;
}

/* Switches order o to the proposed plan when that is cheaper, places no fewer units and keeps
 * stock and capacity; returns what it saved. */
static int64_t batch_merge_order(struct batch_merge *m, size_t o, const size_t *proposed)
{
    const struct routing_batch_order *order = &m->batch->orders[o];
    int64_t unplaced_now = 0;
    int64_t unplaced_new = 0;
    int64_t now = batch_order_cost(m, o, m->choice, &unplaced_now);
    int64_t next = batch_order_cost(m, o, proposed, &unplaced_new);
    if (unplaced_new > unplaced_now || next >= now) {
        return 0;
    }
    size_t saved_plan[ROUTING_BATCH_MERGE_LINES];
    size_t lines = order->lines_count;
    memcpy(saved_plan, &m->choice[order->lines_start], lines * sizeof(size_t));
    batch_order_use(m, o, m->choice, -1);
    memcpy(&m->choice[order->lines_start], &proposed[order->lines_start], lines * sizeof(size_t));
    batch_order_use(m, o, m->choice, 1);
    if (batch_order_fits(m, o, m->choice)) {
        return now - next;
    }
    batch_order_use(m, o, m->choice, -1);
    memcpy(&m->choice[order->lines_start], saved_plan, lines * sizeof(size_t));
    batch_order_use(m, o, m->choice, 1);
    return 0;
}

enum err_code routing_batch_merge(const struct routing_batch *batch, const size_t *from,
                                  const size_t *toward, struct arena *arena, size_t *choice,
                                  struct err *err)
{
    ASSERT(batch != NULL && from != NULL && toward != NULL && choice != NULL);
    size_t n = batch->candidates_count;
    struct batch_merge m = {
        .batch = batch,
        .choice = choice,
        .use = ARENA_NEW_ARRAY(arena, int64_t, batch->products_count * n + 1),
        .shipments = ARENA_NEW_ARRAY(arena, int64_t, n + 1),
        .weight = ARENA_NEW_ARRAY(arena, int64_t, n + 1),
        .used = ARENA_NEW_ARRAY(arena, int64_t, n + 1),
    };
    if (m.use == NULL || m.shipments == NULL || m.weight == NULL || m.used == NULL) {
        return BATCH_NO_MEMORY(err);
    }
    memset(m.use, 0, (batch->products_count * n + 1) * sizeof(int64_t));
    memset(m.shipments, 0, (n + 1) * sizeof(int64_t));
    memset(m.weight, 0, (n + 1) * sizeof(int64_t));
    memset(m.used, 0, (n + 1) * sizeof(int64_t));
    memcpy(choice, from, batch->lines_count * sizeof(*choice));
    for (size_t o = 0; o < batch->orders_count; o++) {
        batch_order_use(&m, o, choice, 1);
    }
    for (size_t o = 0; o < batch->orders_count; o++) {
        if (batch->orders[o].lines_count <= ROUTING_BATCH_MERGE_LINES) {
            (void)batch_merge_order(&m, o, toward);
        }
    }
    return ERR_OK;
}

/* Keeps candidate in best when it is better (both priced). */
static enum err_code batch_consider(const struct routing_batch *batch, const size_t *plan,
                                    struct arena *arena, size_t *best,
                                    struct routing_batch_eval *best_eval, struct err *err)
{
    struct routing_batch_eval e;
    enum err_code code = routing_batch_evaluate(batch, plan, arena, &e, err);
    if (code == ERR_OK && routing_batch_better(&e, best_eval)) {
        memcpy(best, plan, batch->lines_count * sizeof(*best));
        *best_eval = e;
    }
    return code;
}

enum err_code routing_batch_best(const struct routing_batch *batch, const size_t *current,
                                 const size_t *proposed, struct arena *arena,
                                 struct routing_batch_result *out, struct err *err)
{
    ASSERT(batch != NULL && current != NULL && proposed != NULL);
    ASSERT(out != NULL && out->choice != NULL);
    size_t *merged = ARENA_NEW_ARRAY(arena, size_t, batch->lines_count + 1);
    if (merged == NULL) {
        return BATCH_NO_MEMORY(err);
    }
    size_t *choice = out->choice;
    struct routing_batch_eval *eval = &out->eval;
    memcpy(choice, current, batch->lines_count * sizeof(*choice));
    enum err_code code = routing_batch_evaluate(batch, current, arena, eval, err);
    if (code == ERR_OK) {
        code = batch_consider(batch, proposed, arena, choice, eval, err);
    }
    if (code == ERR_OK) {
        code = routing_batch_merge(batch, current, proposed, arena, merged, err);
    }
    if (code == ERR_OK) {
        code = batch_consider(batch, merged, arena, choice, eval, err);
    }
    if (code == ERR_OK) {
        code = routing_batch_merge(batch, proposed, current, arena, merged, err);
    }
    if (code == ERR_OK) {
        code = batch_consider(batch, merged, arena, choice, eval, err);
    }
    return code;
}
