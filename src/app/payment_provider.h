/*
 * payment_provider.h — the interface every payment provider implements (README "Payments"):
 * authorize an amount, capture part of an authorization, void what is left of it, refund part
 * of what was captured. A decline is an answer (result->approved false, result->error the
 * provider's code), not an error: a function fails (ERR_*) only when the provider could not
 * be asked or answered something unreadable.
 *
 * in_process providers (manual, sandbox) answer without I/O and may be called inside a writer
 * command. A remote provider (stripe) is never called on the writer thread: authorization
 * runs in the request thread before the command, captures, voids and refunds are recorded
 * pending and performed by the payments worker after the commit (payments.c).
 */
#ifndef ORDO_APP_PAYMENT_PROVIDER_H
#define ORDO_APP_PAYMENT_PROVIDER_H

#include "lib/arena.h"
#include "lib/base.h"
#include "lib/err.h"

#define PAYMENT_CARD_LEN_MAX  64 /* a card number (sandbox) or payment method id (stripe) */
#define PAYMENT_ERROR_LEN_MAX 64

struct payment_request {
    const char *txn_id; /* our transaction id: the provider's idempotency key */
    const char *order_id;
    const char *currency;     /* ISO 4217 */
    int64_t amount;           /* minor units */
    const char *card;         /* authorize: the card (sandbox) or payment method (stripe) */
    const char *provider_ref; /* capture, void, refund: the authorization's reference */
};

struct payment_result {
    bool approved;
    const char *provider_ref; /* arena: the reference to keep (authorization, refund), or NULL */
    char error[PAYMENT_ERROR_LEN_MAX]; /* when declined: "card_declined", "insufficient_funds" */
};

struct payment_provider;

typedef enum err_code (*payment_call_fn)(const struct payment_provider *provider,
                                         struct arena *arena, const struct payment_request *request,
                                         struct payment_result *result, struct err *err);

struct payment_provider {
    const char *name; /* "manual", "sandbox", "stripe" */
    bool in_process;  /* answers without I/O (may run inside a writer command) */
    /* ERR_INVALID (field "payment.card") when the card is not acceptable to this provider. */
    enum err_code (*validate_card)(const char *card, struct err *err);
    payment_call_fn authorize;
    payment_call_fn capture;
    payment_call_fn void_auth;
    payment_call_fn refund;
    void *state; /* the provider's own (stripe: its configuration) */
};

/* The built-in providers (payment_manual.c, payment_sandbox.c). */
extern const struct payment_provider payment_provider_manual;
extern const struct payment_provider payment_provider_sandbox;

/* Sandbox test cards (README "Payments"). */
#define SANDBOX_CARD_APPROVE       "4242424242424242"
#define SANDBOX_CARD_DECLINE       "4000000000000002"
#define SANDBOX_CARD_INSUFFICIENT  "4000000000009995"
#define SANDBOX_CARD_CAPTURE_FAILS "4000000000000341"

#endif
