/*
 * payment_stripe.h — the Stripe provider (README "Payments"): PaymentIntents over libcurl.
 * It lives in http/ because it reads Stripe's JSON answers with jansson, which only http/
 * includes (STYLE.md); app/ sees it only through struct payment_provider, handed to
 * app_payments_start by `ordo serve`.
 */
#ifndef ORDO_HTTP_PAYMENT_STRIPE_H
#define ORDO_HTTP_PAYMENT_STRIPE_H

#include "app/payment_provider.h"
#include "lib/base.h"
#include "lib/err.h"

#define STRIPE_BASE_URL_DEFAULT "https://api.stripe.com"

/*
 * A Stripe provider calling base_url (NULL: STRIPE_BASE_URL_DEFAULT) with secret_key as
 * Bearer token. ERR_INVALID when the key or URL is unusable. Free with stripe_provider_free.
 */
MUST_CHECK enum err_code stripe_provider_create(const char *secret_key, const char *base_url,
                                                const struct payment_provider **out,
                                                struct err *err);
void stripe_provider_free(const struct payment_provider *provider); /* NULL does nothing */

#endif
