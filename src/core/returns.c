/*
 * returns.c — the pure rules of returns: names, the window, returnable units, the exact
 * refund of returned units and the disposition rule table. All money is integer minor
 * units; every split floors and gives the remainder to the last share, so a sequence of
 * partial refunds never adds up to more than what was paid.
 */
#include "core/returns.h"

#include <string.h>

#include "core/limits.h"
#include "lib/date.h"

static const char *const reason_names[RETURN_REASON_COUNT] = {
    [RETURN_REASON_TOO_SMALL] = "too_small",       [RETURN_REASON_TOO_LARGE] = "too_large",
    [RETURN_REASON_DAMAGED] = "damaged",           [RETURN_REASON_DEFECTIVE] = "defective",
    [RETURN_REASON_WRONG_ITEM] = "wrong_item",     [RETURN_REASON_LATE] = "late",
    [RETURN_REASON_CHANGED_MIND] = "changed_mind", [RETURN_REASON_OTHER] = "other",
};

static const char *const condition_names[RETURN_CONDITION_COUNT] = {
    [RETURN_CONDITION_SELLABLE] = "sellable",
    [RETURN_CONDITION_DAMAGED] = "damaged",
};

static const char *const disposition_names[RETURN_DISPOSITION_COUNT] = {
    [RETURN_DISPOSITION_RESTOCK] = "restock",
    [RETURN_DISPOSITION_TRANSFER] = "transfer",
    [RETURN_DISPOSITION_REFURBISH] = "refurbish",
    [RETURN_DISPOSITION_RETURN_TO_VENDOR] = "return_to_vendor",
    [RETURN_DISPOSITION_SCRAP] = "scrap",
};

static const char *const resolution_names[RETURN_RESOLUTION_COUNT] = {
    [RETURN_RESOLUTION_REFUND] = "refund",
    [RETURN_RESOLUTION_EXCHANGE] = "exchange",
};

static const char *const status_names[RETURN_STATUS_COUNT] = {
    [RETURN_STATUS_REQUESTED] = "requested",
    [RETURN_STATUS_PARTIALLY_RECEIVED] = "partially_received",
    [RETURN_STATUS_RECEIVED] = "received",
};

static int returns_name_find(const char *const *names, int count, const char *name)
{
    ASSERT(names != NULL);
    ASSERT(count > 0);
    for (int i = 0; name != NULL && i < count; i++) {
        if (strcmp(names[i], name) == 0) {
            return i;
        }
    }
    return -1;
}

const char *return_reason_name(enum return_reason reason)
{
    ASSERT((int)reason >= 0 && reason < RETURN_REASON_COUNT);
    return reason_names[reason];
}

bool return_reason_parse(const char *name, enum return_reason *out)
{
    ASSERT(out != NULL);
    int i = returns_name_find(reason_names, RETURN_REASON_COUNT, name);
    *out = i >= 0 ? (enum return_reason)i : RETURN_REASON_OTHER;
    return i >= 0;
}

const char *return_condition_name(enum return_condition condition)
{
    ASSERT((int)condition >= 0 && condition < RETURN_CONDITION_COUNT);
    return condition_names[condition];
}

bool return_condition_parse(const char *name, enum return_condition *out)
{
    ASSERT(out != NULL);
    int i = returns_name_find(condition_names, RETURN_CONDITION_COUNT, name);
    *out = i >= 0 ? (enum return_condition)i : RETURN_CONDITION_SELLABLE;
    return i >= 0;
}

const char *return_disposition_name(enum return_disposition disposition)
{
    ASSERT((int)disposition >= 0 && disposition < RETURN_DISPOSITION_COUNT);
    return disposition_names[disposition];
}

bool return_disposition_parse(const char *name, enum return_disposition *out)
{
    ASSERT(out != NULL);
    int i = returns_name_find(disposition_names, RETURN_DISPOSITION_COUNT, name);
    *out = i >= 0 ? (enum return_disposition)i : RETURN_DISPOSITION_RESTOCK;
    return i >= 0;
}

const char *return_resolution_name(enum return_resolution resolution)
{
    ASSERT((int)resolution >= 0 && resolution < RETURN_RESOLUTION_COUNT);
    return resolution_names[resolution];
}

bool return_resolution_parse(const char *name, enum return_resolution *out)
{
    ASSERT(out != NULL);
    int i = returns_name_find(resolution_names, RETURN_RESOLUTION_COUNT, name);
    *out = i >= 0 ? (enum return_resolution)i : RETURN_RESOLUTION_REFUND;
    return i >= 0;
}

const char *return_status_name(enum return_status status)
{
    ASSERT((int)status >= 0 && status < RETURN_STATUS_COUNT);
    return status_names[status];
}

bool return_status_parse(const char *name, enum return_status *out)
{
    ASSERT(out != NULL);
    int i = returns_name_find(status_names, RETURN_STATUS_COUNT, name);
    *out = i >= 0 ? (enum return_status)i : RETURN_STATUS_REQUESTED;
    return i >= 0;
}

unsigned returns_shipping_reasons_default(void)
{
    return RETURN_REASON_BIT(RETURN_REASON_DAMAGED) | RETURN_REASON_BIT(RETURN_REASON_DEFECTIVE) |
           RETURN_REASON_BIT(RETURN_REASON_WRONG_ITEM) | RETURN_REASON_BIT(RETURN_REASON_LATE);
}

bool returns_reason_set_parse(const char *text, unsigned *out)
{
    ASSERT(out != NULL);
    *out = 0;
    if (text == NULL) {
        return true;
    }
    char name[32];
    size_t len = 0;
    for (size_t i = 0;; i++) {
        char c = text[i];
        if (c != ',' && c != '\0') {
            if (len + 1 >= sizeof(name)) {
                return false;
            }
            name[len++] = c;
            continue;
        }
        name[len] = '\0';
        enum return_reason reason;
        if (len > 0 && !return_reason_parse(name, &reason)) {
            return false;
        }
        if (len > 0) {
            *out |= RETURN_REASON_BIT(reason);
        }
        len = 0;
        if (c == '\0') {
            return true;
        }
    }
}

enum err_code returns_window_check(int64_t delivered_at_ms, int64_t now_ms, int window_days,
                                   struct err *err)
{
    ASSERT(window_days >= 0 && window_days <= RETURN_WINDOW_DAYS_MAX);
    ASSERT(now_ms >= 0);
    if (delivered_at_ms <= 0) {
        return ERR_OK;
    }
    int64_t closes_at_ms = delivered_at_ms + (int64_t)window_days * DATE_MS_PER_DAY;
    if (now_ms > closes_at_ms) {
        return err_set_reason(err, ERR_INVALID, "return_window_closed", "order_id",
                              "the return window of %d days after delivery has closed",
                              window_days);
    }
    return ERR_OK;
}

int64_t returns_delivered_at(const struct returns_shipment_times *times, size_t count)
{
    ASSERT(times != NULL || count == 0);
    int64_t latest = 0;
    for (size_t i = 0; i < count; i++) {
        int64_t at = times[i].delivered_at_ms;
        if (at == 0) {
            at = times[i].picked_up_at_ms;
        }
        if (at == 0) {
            at = times[i].shipped_at_ms;
        }
        latest = at > latest ? at : latest;
    }
    ASSERT(latest >= 0);
    return latest;
}

int64_t returns_returnable(int64_t qty_shipped, int64_t qty_on_returns)
{
    ASSERT(qty_shipped >= 0);
    ASSERT(qty_on_returns >= 0);
    return qty_shipped > qty_on_returns ? qty_shipped - qty_on_returns : 0;
}

/* floor(a * b / c) for non-negative a, b and positive c, exact in 128 bits. */
static int64_t returns_mul_div(int64_t a, int64_t b, int64_t c)
{
    ASSERT(a >= 0 && b >= 0);
    ASSERT(c > 0);
    __extension__ __int128 product = (__int128)a * (__int128)b;
    __extension__ __int128 quotient = product / c;
    ASSERT(quotient <= INT64_MAX);
    return (int64_t)quotient;
}

/* The line's share of amount, split by line subtotal; the last line takes the remainder. */
static int64_t returns_share(const struct order *order, size_t line_index, int64_t amount)
{
    int64_t subtotal = order->totals.subtotal;
    if (amount == 0 || subtotal <= 0) {
        return 0;
    }
    if (line_index + 1 < order->lines_count) {
        const struct order_line *line = &order->lines[line_index];
        return returns_mul_div(amount, line->qty * line->unit_price, subtotal);
    }
    int64_t others = 0;
    for (size_t i = 0; i + 1 < order->lines_count; i++) {
        const struct order_line *line = &order->lines[i];
        others += returns_mul_div(amount, line->qty * line->unit_price, subtotal);
    }
    return amount - others;
}

enum err_code returns_line_value(const struct order *order, size_t line_index, int64_t *out,
                                 struct err *err)
{
    ASSERT(order != NULL && out != NULL);
    ASSERT(line_index < order->lines_count);
    const struct order_line *line = &order->lines[line_index];
    if (line->qty <= 0 || line->unit_price < 0 || order->totals.discount < 0 ||
        order->totals.tax < 0) {
        return err_set(err, ERR_INVALID, NULL, "line %d has no value to refund", line->line_no);
    }
    int64_t gross = line->qty * line->unit_price;
    int64_t value = gross - returns_share(order, line_index, order->totals.discount) +
                    returns_share(order, line_index, order->totals.tax);
    *out = value > 0 ? value : 0;
    ASSERT(*out <= MONEY_AMOUNT_MAX * 2);
    return ERR_OK;
}

enum err_code returns_refund_units(int64_t line_value, int64_t line_qty, int64_t before,
                                   int64_t units, int64_t *out, struct err *err)
{
    ASSERT(out != NULL);
    ASSERT(line_value >= 0);
    *out = 0;
    if (line_qty <= 0 || before < 0 || units < 0 || before + units > line_qty) {
        return err_set(err, ERR_INVALID, "qty",
                       "%" PRId64 " more units after %" PRId64 " exceed the %" PRId64
                       " of the line",
                       units, before, line_qty);
    }
    int64_t upto = returns_mul_div(line_value, before + units, line_qty);
    int64_t done = returns_mul_div(line_value, before, line_qty);
    *out = upto - done;
    ASSERT(*out >= 0 && *out <= line_value);
    return ERR_OK;
}

/* How many members a rule gives, or -1 when it does not match the facts. */
static int returns_rule_score(const struct return_rule *rule, const struct return_unit_facts *f)
{
    int score = 0;
    if (rule->reason >= 0) {
        if (rule->reason != (int)f->reason) {
            return -1;
        }
        score++;
    }
    if (rule->condition >= 0) {
        if (rule->condition != (int)f->condition) {
            return -1;
        }
        score++;
    }
    if (rule->sku != NULL) {
        if (f->sku == NULL || strcmp(rule->sku, f->sku) != 0) {
            return -1;
        }
        score++;
    }
    if (rule->location != NULL) {
        if (f->location == NULL || strcmp(rule->location, f->location) != 0) {
            return -1;
        }
        score++;
    }
    return score;
}

enum return_disposition returns_dispose(const struct return_rule *rules, size_t count,
                                        const struct return_unit_facts *facts,
                                        const struct return_rule **rule_out)
{
    ASSERT(facts != NULL && rule_out != NULL);
    ASSERT(rules != NULL || count == 0);
    const struct return_rule *best = NULL;
    int best_score = -1;
    for (size_t i = 0; i < count; i++) {
        int score = returns_rule_score(&rules[i], facts);
        if (score < 0) {
            continue;
        }
        if (score > best_score || (score == best_score && rules[i].priority < best->priority)) {
            best = &rules[i];
            best_score = score;
        }
    }
    *rule_out = best;
    if (best != NULL) {
        return best->disposition;
    }
    return facts->condition == RETURN_CONDITION_DAMAGED ? RETURN_DISPOSITION_SCRAP
                                                        : RETURN_DISPOSITION_RESTOCK;
}

enum return_status returns_status_of(const struct rma *rma)
{
    ASSERT(rma != NULL);
    ASSERT(rma->lines != NULL || rma->lines_count == 0);
    int64_t wanted = 0;
    int64_t received = 0;
    for (size_t i = 0; i < rma->lines_count; i++) {
        wanted += rma->lines[i].qty;
        received += rma->lines[i].qty_received;
    }
    if (received == 0) {
        return RETURN_STATUS_REQUESTED;
    }
    return received >= wanted ? RETURN_STATUS_RECEIVED : RETURN_STATUS_PARTIALLY_RECEIVED;
}
