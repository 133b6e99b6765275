/*
 * payment_manual.c — pay by invoice or on terms: Ordo charges nothing, every call is
 * approved and recorded. A business customer's credit limit is checked at order capture by
 * payments.c (README "Payments"), not here.
 */
#include "app/payment_provider.h"

#include <string.h>

static enum err_code manual_validate_card(const char *card, struct err *err)
{
    if (card != NULL) {
        return err_set(err, ERR_INVALID, "payment.card", "provider manual takes no card");
    }
    return ERR_OK;
}

static enum err_code manual_call(const struct payment_provider *provider, struct arena *arena,
                                 const struct payment_request *request,
                                 struct payment_result *result, struct err *err)
{
    UNUSED(provider);
    UNUSED(arena);
    UNUSED(request);
    UNUSED(err);
    memset(result, 0, sizeof(*result));
    result->approved = true;
    return ERR_OK;
}

const struct payment_provider payment_provider_manual = {
    .name = "manual",
    .in_process = true,
    .validate_card = manual_validate_card,
    .authorize = manual_call,
    .capture = manual_call,
    .void_auth = manual_call,
    .refund = manual_call,
};
