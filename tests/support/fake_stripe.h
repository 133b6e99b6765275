/*
 * fake_stripe.h — a small stand-in for Stripe's PaymentIntents API on 127.0.0.1 for the
 * payment tests: it answers as Stripe's documented API does (form-encoded requests, JSON
 * objects and error objects), checks the Authorization header, the Idempotency-Key and the
 * parameters, keeps the intents and refunds it made, and declines or fails on demand:
 *   payment method pm_card_chargeDeclined                  -> 402 card_error card_declined
 *   payment method pm_card_chargeDeclinedInsufficientFunds -> 402 decline_code
 *                                                             insufficient_funds
 *   fake_stripe_fail_captures(true)                        -> captures answer 402
 *   fake_stripe_decline_intents(true)                      -> new intents answer 402
 *                                                             card_declined
 *   fake_stripe_fail_next(n)                               -> the next n requests answer 500
 * Nothing here calls the real service.
 */
#ifndef ORDO_TESTS_SUPPORT_FAKE_STRIPE_H
#define ORDO_TESTS_SUPPORT_FAKE_STRIPE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct fake_stripe;

/* Starts on 127.0.0.1 (a free port) expecting "Authorization: Bearer <secret_key>". */
struct fake_stripe *fake_stripe_start(const char *secret_key);
void fake_stripe_stop(struct fake_stripe *stripe);

/* "http://127.0.0.1:PORT" */
const char *fake_stripe_url(const struct fake_stripe *stripe);

void fake_stripe_fail_captures(struct fake_stripe *stripe, bool fail);
void fake_stripe_decline_intents(struct fake_stripe *stripe, bool decline);
void fake_stripe_fail_next(struct fake_stripe *stripe, int count);

/* What it saw and holds (for assertions). */
struct fake_stripe_stats {
    int requests;                 /* every request */
    int unauthorized;             /* answered 401 */
    int bad_requests;             /* answered 400 (a parameter missing or wrong) */
    int intents;                  /* PaymentIntents created (declines included) */
    int64_t authorized;           /* sum of amounts of intents in requires_capture or later */
    int64_t captured;             /* sum of amount_received */
    int64_t refunded;             /* sum of refunds */
    int canceled;                 /* intents canceled */
    int idempotent_replays;       /* requests answered from an earlier Idempotency-Key */
    char last_payment_method[64]; /* of the newest intent asked for */
};

void fake_stripe_stats(struct fake_stripe *stripe, struct fake_stripe_stats *out);

#endif
