/*
 * payment.c — totals of an order's payment transactions, the refund rule and the split of a
 * total into shares that add up exactly (largest remainder).
 */
#include "core/payment.h"

#include <string.h>

/* 128-bit products: total * weight cannot overflow (both below 2^63). */
__extension__ typedef __int128 payment_wide;

static const char *const payment_kind_names[PAYMENT_KIND_COUNT] = {
    [PAYMENT_KIND_AUTHORIZE] = "authorize",
    [PAYMENT_KIND_CAPTURE] = "capture",
    [PAYMENT_KIND_VOID] = "void",
    [PAYMENT_KIND_REFUND] = "refund",
};

static const char *const payment_status_names[PAYMENT_STATUS_COUNT] = {
    [PAYMENT_STATUS_PENDING] = "pending",
    [PAYMENT_STATUS_SUCCEEDED] = "succeeded",
    [PAYMENT_STATUS_FAILED] = "failed",
};

const char *payment_kind_name(enum payment_kind kind)
{
    ASSERT(kind >= 0 && kind < PAYMENT_KIND_COUNT);
    return payment_kind_names[kind];
}

bool payment_kind_parse(const char *name, enum payment_kind *out)
{
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < PAYMENT_KIND_COUNT; i++) {
        if (strcmp(name, payment_kind_names[i]) == 0) {
            *out = (enum payment_kind)i;
            return true;
        }
    }
    return false;
}

const char *payment_status_name(enum payment_status status)
{
    ASSERT(status >= 0 && status < PAYMENT_STATUS_COUNT);
    return payment_status_names[status];
}

bool payment_status_parse(const char *name, enum payment_status *out)
{
    if (name == NULL) {
        return false;
    }
    for (int i = 0; i < PAYMENT_STATUS_COUNT; i++) {
        if (strcmp(name, payment_status_names[i]) == 0) {
            *out = (enum payment_status)i;
            return true;
        }
    }
    return false;
}

static void totals_add(struct payment_totals *out, const struct payment_txn *txn)
{
    bool ok = txn->status == PAYMENT_STATUS_SUCCEEDED;
    switch (txn->kind) {
    case PAYMENT_KIND_AUTHORIZE:
        out->authorized += ok ? txn->amount : 0;
        break;
    case PAYMENT_KIND_VOID:
        out->authorized -= ok ? txn->amount : 0;
        break;
    case PAYMENT_KIND_CAPTURE:
        out->captured += ok ? txn->amount : 0;
        out->capture_failed += txn->status == PAYMENT_STATUS_FAILED ? txn->amount : 0;
        break;
    case PAYMENT_KIND_REFUND:
        out->refunded += ok ? txn->amount : 0;
        out->refund_pending += txn->status == PAYMENT_STATUS_PENDING ? txn->amount : 0;
        break;
    case PAYMENT_KIND_COUNT:
    default:
        ASSERT(false);
    }
}

void payment_totals_compute(const struct payment_txn *txns, size_t count,
                            struct payment_totals *out)
{
    ASSERT(out != NULL);
    ASSERT(count == 0 || txns != NULL);
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < count; i++) {
        totals_add(out, &txns[i]);
    }
}

int64_t payment_refundable(const struct payment_totals *totals)
{
    ASSERT(totals != NULL);
    int64_t left = totals->captured - totals->refunded - totals->refund_pending;
    return left > 0 ? left : 0;
}

enum err_code payment_refund_check(const struct payment_totals *totals, int64_t amount,
                                   struct err *err)
{
    ASSERT(totals != NULL);
    if (amount < 0) {
        return err_set(err, ERR_INVALID, "amount", "a refund amount must not be negative");
    }
    int64_t left = payment_refundable(totals);
    if (amount > left) {
        return err_set_reason(err, ERR_CONFLICT, "refund_exceeds_captures", "amount",
                              "a refund of %lld exceeds what is left of the captures (%lld)",
                              (long long)amount, (long long)left);
    }
    return ERR_OK;
}

/* total * weight / sum as quotient and remainder, in 128 bits (both below 2^63). */
static void split_part(int64_t total, int64_t weight, int64_t sum, int64_t *quotient,
                       int64_t *remainder)
{
    payment_wide product = (payment_wide)total * weight;
    *quotient = (int64_t)(product / sum);
    *remainder = (int64_t)(product % sum);
}

/* The index of the largest remainder whose part was not yet raised; ties to the lower. */
static size_t split_next(int64_t total, const int64_t *weights, size_t count, int64_t sum,
                         const int64_t *out)
{
    size_t best = count;
    int64_t best_remainder = -1;
    for (size_t i = 0; i < count; i++) {
        int64_t quotient = 0;
        int64_t remainder = 0;
        split_part(total, weights[i], sum, &quotient, &remainder);
        if (out[i] == quotient && remainder > best_remainder) {
            best = i;
            best_remainder = remainder;
        }
    }
    ASSERT(best < count);
    return best;
}

enum err_code payment_split(int64_t total, const int64_t *weights, size_t count, int64_t *out,
                            struct err *err)
{
    ASSERT(weights != NULL || count == 0);
    if (total < 0 || count == 0) {
        return err_set(err, ERR_INVALID, "total", "nothing to split or a negative total");
    }
    int64_t sum = 0;
    for (size_t i = 0; i < count; i++) {
        out[i] = 0;
        if (weights[i] < 0 || weights[i] > INT64_MAX - sum) {
            return err_set(err, ERR_INVALID, "weights", "a weight is negative or too large");
        }
        sum += weights[i];
    }
    bool even = sum == 0;
    int64_t given = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t remainder = 0;
        split_part(total, even ? 1 : weights[i], even ? (int64_t)count : sum, &out[i], &remainder);
        given += out[i];
    }
    /* Fewer than count units are left over: one more each, largest remainder first. */
    size_t left = (size_t)(total - given);
    ASSERT(left < count);
    for (size_t k = 0; k < left; k++) {
        size_t i = even ? k : split_next(total, weights, count, sum, out);
        ASSERT(i < count);
        /* out[0..count) were all set by the loop above; the analyzer loses count there. */
        out[i] += 1; // NOLINT(clang-analyzer-core.uninitialized.Assign)
    }
    return ERR_OK;
}

int64_t payment_order_capturable(const struct order *order)
{
    ASSERT(order != NULL);
    payment_wide all = 0;
    payment_wide kept = 0;
    for (size_t i = 0; i < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        all += (payment_wide)line->qty * line->unit_price;
        kept += (payment_wide)(line->qty - line->qty_cancelled) * line->unit_price;
    }
    if (kept == all) {
        return order->totals.total;
    }
    if (kept <= 0 || all <= 0) {
        return 0;
    }
    payment_wide scaled = (payment_wide)order->totals.total * kept;
    payment_wide share = scaled / all;
    if ((scaled % all) * 2 >= all) {
        share += 1;
    }
    return (int64_t)share;
}

enum err_code payment_capture_amount(const struct payment_capture_input *in, int64_t *out,
                                     struct err *err)
{
    ASSERT(in != NULL && out != NULL);
    ASSERT(in->target < in->count);
    int64_t left = in->capturable - in->already;
    if (left < 0) {
        left = 0;
    }
    if (in->last) {
        *out = left;
        return ERR_OK;
    }
    int64_t parts[PAYMENT_SPLIT_PARTS_MAX];
    if (in->count > PAYMENT_SPLIT_PARTS_MAX) {
        return err_set(err, ERR_INVALID, "weights", "at most %d parts", PAYMENT_SPLIT_PARTS_MAX);
    }
    enum err_code code = payment_split(in->capturable, in->weights, in->count, parts, err);
    if (code != ERR_OK) {
        return code;
    }
    *out = parts[in->target] < left ? parts[in->target] : left;
    return ERR_OK;
}
