/*
 * payment_stripe.c — Stripe's PaymentIntents API over libcurl, form-encoded requests and
 * JSON answers (jansson):
 *   authorize: POST /v1/payment_intents amount, currency, payment_method, confirm=true,
 *              capture_method=manual, payment_method_options[card][request_multicapture]=
 *              if_available (one capture per shipment), metadata[order_id]
 *   capture:   POST /v1/payment_intents/{id}/capture amount_to_capture, final_capture=false
 *   void:      POST /v1/payment_intents/{id}/cancel
 *   refund:    POST /v1/refunds payment_intent, amount
 * Our transaction id goes as the Idempotency-Key, so a call repeated after a crash is not
 * made twice. A 402 or a card_error is a decline (its decline_code or code kept); another
 * 4xx answer is a refusal recorded as failed with Stripe's code; 5xx, 401, 403 and transport
 * failures are ERR_UPSTREAM "payment_provider_unavailable" (HTTP 502 to a request waiting on
 * the call; the worker tries again later). Called only outside the writer thread.
 */
#include "http/payment_stripe.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <jansson.h>

#include "lib/buf.h"

#define STRIPE_ANSWER_BYTES_MAX ((size_t)256 * 1024)
#define STRIPE_FORM_BYTES_MAX   4096
#define STRIPE_TIMEOUT_MS       15000L
#define STRIPE_CONNECT_MS       5000L
#define STRIPE_URL_LEN_MAX      512

struct stripe {
    struct payment_provider provider;
    char *secret_key;
    char *base_url; /* without a trailing slash */
};

/* An answer: HTTP status and parsed body. */
struct stripe_answer {
    long status;
    json_t *json; /* NULL when the body was not JSON */
};

static size_t stripe_write(char *data, size_t size, size_t count, void *user)
{
    struct buf *body = user;
    size_t len = size * count;
    return buf_append(body, data, len) == ERR_OK ? len : 0;
}

/* Appends "&name=value" (value form-encoded) to form. */
static enum err_code stripe_form(struct buf *form, const char *name, const char *value)
{
    char *escaped = curl_easy_escape(NULL, value, 0);
    if (escaped == NULL) {
        return ERR_INTERNAL;
    }
    enum err_code code = buf_appendf(form, "%s%s=%s", form->len > 0 ? "&" : "", name, escaped);
    curl_free(escaped);
    return code;
}

static enum err_code stripe_form_i64(struct buf *form, const char *name, int64_t value)
{
    char text[32];
    (void)snprintf(text, sizeof(text), "%" PRId64, value);
    return stripe_form(form, name, text);
}

/* Sets up a POST of form to path with the key and idempotency key. */
static struct curl_slist *stripe_setup(CURL *curl, const struct stripe *stripe, const char *path,
                                       const char *idempotency_key, const struct buf *form,
                                       struct buf *body)
{
    char url[STRIPE_URL_LEN_MAX];
    (void)snprintf(url, sizeof(url), "%s%s", stripe->base_url, path);
    char auth[256];
    (void)snprintf(auth, sizeof(auth), "Authorization: Bearer %s", stripe->secret_key);
    char idem[128];
    (void)snprintf(idem, sizeof(idem), "Idempotency-Key: %s", idempotency_key);
    struct curl_slist *headers = curl_slist_append(NULL, auth);
    struct curl_slist *more = headers != NULL ? curl_slist_append(headers, idem) : NULL;
    headers = more != NULL ? more : headers;
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, form->ptr);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)form->len);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, stripe_write);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, STRIPE_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, STRIPE_CONNECT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
    return headers;
}

/* POSTs form to path; ERR_UPSTREAM when Stripe could not be reached or answered 5xx/401/403. */
static enum err_code stripe_post(const struct stripe *stripe, const char *path,
                                 const char *idempotency_key, const struct buf *form,
                                 struct stripe_answer *answer, struct err *err)
{
    memset(answer, 0, sizeof(*answer));
    CURL *curl = curl_easy_init();
    if (curl == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "stripe: cannot start a request");
    }
    struct buf body;
    buf_init(&body, STRIPE_ANSWER_BYTES_MAX);
    struct curl_slist *headers = stripe_setup(curl, stripe, path, idempotency_key, form, &body);
    CURLcode rc = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &answer->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    enum err_code code = ERR_OK;
    if (rc != CURLE_OK) {
        code = err_set_reason(err, ERR_UPSTREAM, "payment_provider_unavailable", NULL,
                              "stripe unreachable: %s", curl_easy_strerror(rc));
    } else if (answer->status >= 500 || answer->status == 401 || answer->status == 403) {
        code = err_set_reason(err, ERR_UPSTREAM, "payment_provider_unavailable", NULL,
                              "stripe answered HTTP %ld%s", answer->status,
                              answer->status == 401 ? " (check the secret key)" : "");
    } else {
        answer->json = json_loadb(body.ptr, body.len, 0, NULL);
        if (answer->json == NULL || !json_is_object(answer->json)) {
            code = err_set_reason(err, ERR_UPSTREAM, "payment_provider_unavailable", NULL,
                                  "stripe answered something not JSON");
        }
    }
    buf_release(&body);
    return code;
}

static const char *stripe_string(json_t *obj, const char *name)
{
    return json_string_value(json_object_get(obj, name));
}

/*
 * Reads an answer into result: 2xx with an object id and an acceptable status is approved;
 * an error object is a decline with its decline_code or code.
 */
static enum err_code stripe_result(struct arena *arena, const struct stripe_answer *answer,
                                   const char *const *ok_statuses, struct payment_result *result,
                                   struct err *err)
{
    memset(result, 0, sizeof(*result));
    json_t *error = json_object_get(answer->json, "error");
    if (answer->status >= 400 || error != NULL) {
        const char *why = stripe_string(error, "decline_code");
        why = why != NULL ? why : stripe_string(error, "code");
        (void)snprintf(result->error, sizeof(result->error), "%s",
                       why != NULL ? why : "stripe_error");
        return ERR_OK;
    }
    const char *id = stripe_string(answer->json, "id");
    const char *status = stripe_string(answer->json, "status");
    if (id == NULL || status == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "stripe answered without id or status");
    }
    for (size_t i = 0; ok_statuses[i] != NULL; i++) {
        result->approved = result->approved || strcmp(status, ok_statuses[i]) == 0;
    }
    if (!result->approved) {
        (void)snprintf(result->error, sizeof(result->error), "%s", status);
    }
    result->provider_ref = arena_strdup(arena, id);
    if (result->provider_ref == NULL) {
        return err_set(err, ERR_TOO_LARGE, NULL, "out of request memory");
    }
    return ERR_OK;
}

/* One call: where, with what, and the object statuses that mean it went through. */
struct stripe_op {
    const char *path;
    const struct buf *form;
    const char *const *ok_statuses;
};

/* Posts the op's form to its path and reads the answer. */
static enum err_code stripe_call(const struct payment_provider *provider, struct arena *arena,
                                 const struct stripe_op *op, const struct payment_request *request,
                                 struct payment_result *result, struct err *err)
{
    const struct stripe *stripe = provider->state;
    struct stripe_answer answer;
    enum err_code code = stripe_post(stripe, op->path, request->txn_id, op->form, &answer, err);
    if (code == ERR_OK) {
        code = stripe_result(arena, &answer, op->ok_statuses, result, err);
    }
    json_decref(answer.json);
    return code;
}

static enum err_code stripe_lower_currency(const char *currency, char out[8])
{
    size_t len = currency != NULL ? strlen(currency) : 0;
    if (len == 0 || len > 7) {
        return ERR_INVALID;
    }
    for (size_t i = 0; i <= len; i++) {
        char c = currency[i];
        out[i] = (char)tolower((unsigned char)c);
    }
    return ERR_OK;
}

static enum err_code stripe_authorize(const struct payment_provider *provider, struct arena *arena,
                                      const struct payment_request *request,
                                      struct payment_result *result, struct err *err)
{
    static const char *const ok[] = {"requires_capture", NULL};
    char currency[8];
    if (stripe_lower_currency(request->currency, currency) != ERR_OK) {
        return err_set(err, ERR_INVALID, "currency", "not a currency");
    }
    struct buf form;
    buf_init(&form, STRIPE_FORM_BYTES_MAX);
    enum err_code code = stripe_form_i64(&form, "amount", request->amount);
    code = code == ERR_OK ? stripe_form(&form, "currency", currency) : code;
    code = code == ERR_OK ? stripe_form(&form, "payment_method", request->card) : code;
    code = code == ERR_OK ? stripe_form(&form, "confirm", "true") : code;
    code = code == ERR_OK ? stripe_form(&form, "capture_method", "manual") : code;
    code = code == ERR_OK ? stripe_form(&form, "payment_method_options[card][request_multicapture]",
                                        "if_available")
                          : code;
    if (code == ERR_OK && request->order_id != NULL) {
        code = stripe_form(&form, "metadata[order_id]", request->order_id);
    }
    if (code == ERR_OK) {
        struct stripe_op op = {.path = "/v1/payment_intents", .form = &form, .ok_statuses = ok};
        code = stripe_call(provider, arena, &op, request, result, err);
    } else {
        code = err_set(err, ERR_INTERNAL, NULL, "stripe: request too large");
    }
    buf_release(&form);
    return code;
}

/* A call on an existing PaymentIntent: op->path is the verb, the call goes to
 * /v1/payment_intents/{ref}/{verb}. */
static enum err_code stripe_intent_call(const struct payment_provider *provider,
                                        struct arena *arena, const struct stripe_op *op,
                                        const struct payment_request *request,
                                        struct payment_result *result, struct err *err)
{
    const char *verb = op->path;
    if (request->provider_ref == NULL || strncmp(request->provider_ref, "pi_", 3) != 0 ||
        strchr(request->provider_ref, '/') != NULL) {
        memset(result, 0, sizeof(*result));
        (void)snprintf(result->error, sizeof(result->error), "no_authorization");
        return ERR_OK;
    }
    char path[STRIPE_URL_LEN_MAX];
    (void)snprintf(path, sizeof(path), "/v1/payment_intents/%s/%s", request->provider_ref, verb);
    struct stripe_op call = {.path = path, .form = op->form, .ok_statuses = op->ok_statuses};
    enum err_code code = stripe_call(provider, arena, &call, request, result, err);
    if (code == ERR_OK && result->approved) {
        result->provider_ref = request->provider_ref;
    }
    return code;
}

static enum err_code stripe_capture(const struct payment_provider *provider, struct arena *arena,
                                    const struct payment_request *request,
                                    struct payment_result *result, struct err *err)
{
    static const char *const ok[] = {"requires_capture", "succeeded", NULL};
    struct buf form;
    buf_init(&form, STRIPE_FORM_BYTES_MAX);
    enum err_code code = stripe_form_i64(&form, "amount_to_capture", request->amount);
    code = code == ERR_OK ? stripe_form(&form, "final_capture", "false") : code;
    if (code == ERR_OK) {
        struct stripe_op op = {.path = "capture", .form = &form, .ok_statuses = ok};
        code = stripe_intent_call(provider, arena, &op, request, result, err);
    }
    buf_release(&form);
    return code;
}

static enum err_code stripe_void(const struct payment_provider *provider, struct arena *arena,
                                 const struct payment_request *request,
                                 struct payment_result *result, struct err *err)
{
    static const char *const ok[] = {"canceled", NULL};
    struct buf form;
    buf_init(&form, STRIPE_FORM_BYTES_MAX);
    struct stripe_op op = {.path = "cancel", .form = &form, .ok_statuses = ok};
    enum err_code code = stripe_intent_call(provider, arena, &op, request, result, err);
    buf_release(&form);
    return code;
}

static enum err_code stripe_refund(const struct payment_provider *provider, struct arena *arena,
                                   const struct payment_request *request,
                                   struct payment_result *result, struct err *err)
{
    static const char *const ok[] = {"succeeded", "pending", NULL};
    struct buf form;
    buf_init(&form, STRIPE_FORM_BYTES_MAX);
    enum err_code code = stripe_form(&form, "payment_intent",
                                     request->provider_ref != NULL ? request->provider_ref : "");
    code = code == ERR_OK ? stripe_form_i64(&form, "amount", request->amount) : code;
    if (code == ERR_OK) {
        struct stripe_op op = {.path = "/v1/refunds", .form = &form, .ok_statuses = ok};
        code = stripe_call(provider, arena, &op, request, result, err);
    }
    buf_release(&form);
    return code;
}

static enum err_code stripe_validate_card(const char *card, struct err *err)
{
    if (card == NULL || strncmp(card, "pm_", 3) != 0) {
        return err_set(err, ERR_INVALID, "payment.card",
                       "provider stripe needs a payment method id (pm_...)");
    }
    for (const char *p = card; *p != '\0'; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
                  (*p >= '0' && *p <= '9') || *p == '_';
        if (!ok) {
            return err_set(err, ERR_INVALID, "payment.card",
                           "a payment method id has letters, digits and '_' only");
        }
    }
    return ERR_OK;
}

enum err_code stripe_provider_create(const char *secret_key, const char *base_url,
                                     const struct payment_provider **out, struct err *err)
{
    ASSERT(secret_key != NULL && out != NULL);
    *out = NULL;
    const char *url = base_url != NULL && base_url[0] != '\0' ? base_url : STRIPE_BASE_URL_DEFAULT;
    size_t url_len = strlen(url);
    if ((strncmp(url, "http://", 7) != 0 && strncmp(url, "https://", 8) != 0) ||
        url_len > STRIPE_URL_LEN_MAX / 2 || strlen(secret_key) > 200 ||
        strpbrk(secret_key, "\r\n") != NULL) {
        return err_set(err, ERR_INVALID, "stripe", "unusable Stripe secret key or base URL");
    }
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "cannot initialise libcurl");
    }
    struct stripe *stripe = calloc(1, sizeof(*stripe));
    char *key = strdup(secret_key);
    char *base = strndup(url, url_len - (url[url_len - 1] == '/' ? 1 : 0));
    if (stripe == NULL || key == NULL || base == NULL) {
        free(stripe);
        free(key);
        free(base);
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    stripe->secret_key = key;
    stripe->base_url = base;
    stripe->provider = (struct payment_provider){
        .name = "stripe",
        .in_process = false,
        .validate_card = stripe_validate_card,
        .authorize = stripe_authorize,
        .capture = stripe_capture,
        .void_auth = stripe_void,
        .refund = stripe_refund,
        .state = stripe,
    };
    *out = &stripe->provider;
    return ERR_OK;
}

void stripe_provider_free(const struct payment_provider *provider)
{
    if (provider == NULL) {
        return;
    }
    struct stripe *stripe = provider->state;
    explicit_bzero(stripe->secret_key, strlen(stripe->secret_key));
    free(stripe->secret_key);
    free(stripe->base_url);
    free(stripe);
    curl_global_cleanup();
}
