/*
 * payment_sandbox.c — a card simulator for demos and tests. Test cards (README "Payments"):
 * SANDBOX_CARD_DECLINE is declined (card_declined), SANDBOX_CARD_INSUFFICIENT is declined
 * (insufficient_funds), SANDBOX_CARD_CAPTURE_FAILS authorizes but every capture fails
 * (capture_failed); any other 12-19 digit number is approved. The authorization's reference
 * says which behaviour it carries, so that no card number is ever stored.
 */
#include "app/payment_provider.h"

#include <stdio.h>
#include <string.h>

#define SANDBOX_REF_OK           "sbx_auth_"
#define SANDBOX_REF_CAPTURE_FAIL "sbx_authcf_"

static enum err_code sandbox_validate_card(const char *card, struct err *err)
{
    if (card == NULL) {
        return err_set(err, ERR_INVALID, "payment.card", "provider sandbox needs a card number");
    }
    size_t len = strlen(card);
    bool digits = len >= 12 && len <= 19;
    for (size_t i = 0; digits && i < len; i++) {
        digits = card[i] >= '0' && card[i] <= '9';
    }
    if (!digits) {
        return err_set(err, ERR_INVALID, "payment.card", "a card number is 12 to 19 digits");
    }
    return ERR_OK;
}

static void sandbox_decline(struct payment_result *result, const char *why)
{
    result->approved = false;
    (void)snprintf(result->error, sizeof(result->error), "%s", why);
}

static bool sandbox_known_ref(const char *ref)
{
    return ref != NULL &&
           (strncmp(ref, SANDBOX_REF_OK, strlen(SANDBOX_REF_OK)) == 0 ||
            strncmp(ref, SANDBOX_REF_CAPTURE_FAIL, strlen(SANDBOX_REF_CAPTURE_FAIL)) == 0);
}

static enum err_code sandbox_authorize(const struct payment_provider *provider, struct arena *arena,
                                       const struct payment_request *request,
                                       struct payment_result *result, struct err *err)
{
    UNUSED(provider);
    memset(result, 0, sizeof(*result));
    if (request->card == NULL && sandbox_known_ref(request->provider_ref)) {
        /* Again on the card of an earlier authorization (an order edit): same behaviour. */
        bool fails = strncmp(request->provider_ref, SANDBOX_REF_CAPTURE_FAIL,
                             strlen(SANDBOX_REF_CAPTURE_FAIL)) == 0;
        result->approved = true;
        result->provider_ref = arena_sprintf(
            arena, "%s%s", fails ? SANDBOX_REF_CAPTURE_FAIL : SANDBOX_REF_OK, request->txn_id);
        return result->provider_ref != NULL
                   ? ERR_OK
                   : err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    enum err_code code = sandbox_validate_card(request->card, err);
    if (code != ERR_OK || request->card == NULL) {
        return code != ERR_OK ? code : err->code;
    }
    if (strcmp(request->card, SANDBOX_CARD_DECLINE) == 0) {
        sandbox_decline(result, "card_declined");
        return ERR_OK;
    }
    if (strcmp(request->card, SANDBOX_CARD_INSUFFICIENT) == 0) {
        sandbox_decline(result, "insufficient_funds");
        return ERR_OK;
    }
    bool capture_fails = strcmp(request->card, SANDBOX_CARD_CAPTURE_FAILS) == 0;
    result->approved = true;
    result->provider_ref = arena_sprintf(
        arena, "%s%s", capture_fails ? SANDBOX_REF_CAPTURE_FAIL : SANDBOX_REF_OK, request->txn_id);
    if (result->provider_ref == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

static enum err_code sandbox_capture(const struct payment_provider *provider, struct arena *arena,
                                     const struct payment_request *request,
                                     struct payment_result *result, struct err *err)
{
    UNUSED(provider);
    UNUSED(arena);
    UNUSED(err);
    memset(result, 0, sizeof(*result));
    if (!sandbox_known_ref(request->provider_ref)) {
        sandbox_decline(result, "no_authorization");
    } else if (strncmp(request->provider_ref, SANDBOX_REF_CAPTURE_FAIL,
                       strlen(SANDBOX_REF_CAPTURE_FAIL)) == 0) {
        sandbox_decline(result, "capture_failed");
    } else {
        result->approved = true;
    }
    return ERR_OK;
}

/* Voids and refunds of a known authorization always succeed. */
static enum err_code sandbox_settle(const struct payment_provider *provider, struct arena *arena,
                                    const struct payment_request *request,
                                    struct payment_result *result, struct err *err)
{
    UNUSED(provider);
    UNUSED(arena);
    UNUSED(err);
    memset(result, 0, sizeof(*result));
    if (!sandbox_known_ref(request->provider_ref)) {
        sandbox_decline(result, "no_authorization");
    } else {
        result->approved = true;
    }
    return ERR_OK;
}

const struct payment_provider payment_provider_sandbox = {
    .name = "sandbox",
    .in_process = true,
    .validate_card = sandbox_validate_card,
    .authorize = sandbox_authorize,
    .capture = sandbox_capture,
    .void_auth = sandbox_settle,
    .refund = sandbox_settle,
};
