/*
 * fake_stripe.c — see fake_stripe.h. One libmicrohttpd daemon with its own thread; the
 * state is guarded by one mutex.
 */
#include "support/fake_stripe.h"

#include <arpa/inet.h>
#include <inttypes.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FS_INTENTS_MAX 256
#define FS_KEYS_MAX    1024
#define FS_BODY_MAX    8192
#define FS_ANSWER_MAX  2048
#define FS_PARAMS_MAX  32
#define FS_TEXT_MAX    128

struct fs_intent {
    char id[40];
    int64_t amount;
    int64_t received;
    int64_t refunded;
    char currency[8];
    char status[32]; /* requires_capture, succeeded, canceled, requires_payment_method */
};

struct fs_key {
    char key[FS_TEXT_MAX];
    int status;
    char *answer;
};

struct fake_stripe {
    struct MHD_Daemon *daemon;
    char url[64];
    char auth[256];
    pthread_mutex_t mutex;
    struct fs_intent intents[FS_INTENTS_MAX];
    int intents_count;
    struct fs_key keys[FS_KEYS_MAX];
    int keys_count;
    int next_id;
    bool fail_captures;
    bool decline_intents;
    int fail_next;
    struct fake_stripe_stats stats;
};

struct fs_param {
    char name[FS_TEXT_MAX];
    char value[FS_TEXT_MAX];
};

struct fs_request {
    char body[FS_BODY_MAX];
    size_t len;
    bool too_large;
};

/* ---- form decoding ---------------------------------------------------------------------- */

static int fs_hex(char c)
{
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}

static void fs_decode(const char *src, size_t len, char *out, size_t out_size)
{
    size_t n = 0;
    for (size_t i = 0; i < len && n + 1 < out_size; i++) {
        if (src[i] == '%' && i + 2 < len && fs_hex(src[i + 1]) >= 0 && fs_hex(src[i + 2]) >= 0) {
            out[n++] = (char)(fs_hex(src[i + 1]) * 16 + fs_hex(src[i + 2]));
            i += 2;
        } else {
            out[n++] = src[i] == '+' ? ' ' : src[i];
        }
    }
    out[n] = '\0';
}

static int fs_parse(const char *body, struct fs_param *params)
{
    int count = 0;
    const char *p = body;
    while (*p != '\0' && count < FS_PARAMS_MAX) {
        const char *amp = strchr(p, '&');
        size_t len = amp != NULL ? (size_t)(amp - p) : strlen(p);
        const char *eq = memchr(p, '=', len);
        if (eq != NULL) {
            fs_decode(p, (size_t)(eq - p), params[count].name, FS_TEXT_MAX);
            fs_decode(eq + 1, len - (size_t)(eq - p) - 1, params[count].value, FS_TEXT_MAX);
            count++;
        }
        p += len + (amp != NULL ? 1 : 0);
    }
    return count;
}

static const char *fs_get(const struct fs_param *params, int count, const char *name)
{
    for (int i = 0; i < count; i++) {
        if (strcmp(params[i].name, name) == 0) {
            return params[i].value;
        }
    }
    return NULL;
}

static bool fs_amount(const char *text, int64_t *out)
{
    if (text == NULL || text[0] == '\0') {
        return false;
    }
    char *end = NULL;
    long long v = strtoll(text, &end, 10);
    if (*end != '\0' || v < 1) {
        return false;
    }
    *out = v;
    return true;
}

/* ---- answers ----------------------------------------------------------------------------- */

static void fs_error(int *status, char *answer, int http, const char *type, const char *code,
                     const char *decline, const char *param)
{
    *status = http;
    snprintf(answer, FS_ANSWER_MAX,
             "{\"error\":{\"type\":\"%s\",\"code\":\"%s\"%s%s%s%s%s%s,\"message\":\"%s\"}}", type,
             code, decline != NULL ? ",\"decline_code\":\"" : "", decline != NULL ? decline : "",
             decline != NULL ? "\"" : "", param != NULL ? ",\"param\":\"" : "",
             param != NULL ? param : "", param != NULL ? "\"" : "", code);
}

static void fs_intent_json(const struct fs_intent *pi, int *status, char *answer)
{
    *status = 200;
    snprintf(answer, FS_ANSWER_MAX,
             "{\"id\":\"%s\",\"object\":\"payment_intent\",\"amount\":%" PRId64
             ",\"amount_capturable\":%" PRId64 ",\"amount_received\":%" PRId64
             ",\"currency\":\"%s\",\"capture_method\":\"manual\",\"status\":\"%s\"}",
             pi->id, pi->amount,
             strcmp(pi->status, "requires_capture") == 0 ? pi->amount - pi->received : 0,
             pi->received, pi->currency, pi->status);
}

static struct fs_intent *fs_find(struct fake_stripe *fs, const char *id)
{
    for (int i = 0; i < fs->intents_count; i++) {
        if (strcmp(fs->intents[i].id, id) == 0) {
            return &fs->intents[i];
        }
    }
    return NULL;
}

static void fs_create(struct fake_stripe *fs, const struct fs_param *p, int n, int *status,
                      char *answer)
{
    int64_t amount = 0;
    const char *currency = fs_get(p, n, "currency");
    const char *method = fs_get(p, n, "payment_method");
    const char *confirm = fs_get(p, n, "confirm");
    const char *capture = fs_get(p, n, "capture_method");
    const char *missing = !fs_amount(fs_get(p, n, "amount"), &amount)         ? "amount"
                          : currency == NULL || strlen(currency) != 3         ? "currency"
                          : method == NULL                                    ? "payment_method"
                          : confirm == NULL || strcmp(confirm, "true") != 0   ? "confirm"
                          : capture == NULL || strcmp(capture, "manual") != 0 ? "capture_method"
                                                                              : NULL;
    if (missing != NULL || fs->intents_count == FS_INTENTS_MAX) {
        fs->stats.bad_requests++;
        fs_error(status, answer, 400, "invalid_request_error", "parameter_invalid", NULL, missing);
        return;
    }
    fs->stats.intents++;
    struct fs_intent *pi = &fs->intents[fs->intents_count++];
    memset(pi, 0, sizeof(*pi));
    snprintf(pi->id, sizeof(pi->id), "pi_fake%06d", ++fs->next_id);
    pi->amount = amount;
    snprintf(pi->currency, sizeof(pi->currency), "%s", currency);
    snprintf(fs->stats.last_payment_method, sizeof(fs->stats.last_payment_method), "%s", method);
    if (strcmp(method, "pm_card_chargeDeclined") == 0 || fs->decline_intents) {
        snprintf(pi->status, sizeof(pi->status), "requires_payment_method");
        fs_error(status, answer, 402, "card_error", "card_declined", "generic_decline", NULL);
        return;
    }
    if (strcmp(method, "pm_card_chargeDeclinedInsufficientFunds") == 0) {
        snprintf(pi->status, sizeof(pi->status), "requires_payment_method");
        fs_error(status, answer, 402, "card_error", "card_declined", "insufficient_funds", NULL);
        return;
    }
    snprintf(pi->status, sizeof(pi->status), "requires_capture");
    fs->stats.authorized += amount;
    fs_intent_json(pi, status, answer);
}

static void fs_capture(struct fake_stripe *fs, struct fs_intent *pi, const struct fs_param *p,
                       int n, int *status, char *answer)
{
    int64_t amount = pi->amount - pi->received;
    const char *text = fs_get(p, n, "amount_to_capture");
    if ((text != NULL && !fs_amount(text, &amount)) || amount > pi->amount - pi->received) {
        fs->stats.bad_requests++;
        fs_error(status, answer, 400, "invalid_request_error", "amount_too_large", NULL,
                 "amount_to_capture");
        return;
    }
    if (strcmp(pi->status, "requires_capture") != 0) {
        fs_error(status, answer, 400, "invalid_request_error", "payment_intent_unexpected_state",
                 NULL, NULL);
        return;
    }
    if (fs->fail_captures) {
        fs_error(status, answer, 402, "card_error", "card_declined", "expired_card", NULL);
        return;
    }
    pi->received += amount;
    fs->stats.captured += amount;
    const char *final = fs_get(p, n, "final_capture");
    bool more = final != NULL && strcmp(final, "false") == 0 && pi->received < pi->amount;
    snprintf(pi->status, sizeof(pi->status), "%s", more ? "requires_capture" : "succeeded");
    fs_intent_json(pi, status, answer);
}

static void fs_cancel(struct fake_stripe *fs, struct fs_intent *pi, int *status, char *answer)
{
    if (strcmp(pi->status, "succeeded") == 0 || strcmp(pi->status, "canceled") == 0) {
        fs_error(status, answer, 400, "invalid_request_error", "payment_intent_unexpected_state",
                 NULL, NULL);
        return;
    }
    snprintf(pi->status, sizeof(pi->status), "canceled");
    fs->stats.canceled++;
    fs_intent_json(pi, status, answer);
}

static void fs_refund(struct fake_stripe *fs, const struct fs_param *p, int n, int *status,
                      char *answer)
{
    const char *id = fs_get(p, n, "payment_intent");
    struct fs_intent *pi = id != NULL ? fs_find(fs, id) : NULL;
    int64_t amount = 0;
    if (pi == NULL || !fs_amount(fs_get(p, n, "amount"), &amount)) {
        fs->stats.bad_requests++;
        fs_error(status, answer, 400, "invalid_request_error", "parameter_invalid", NULL,
                 pi == NULL ? "payment_intent" : "amount");
        return;
    }
    if (amount > pi->received - pi->refunded) {
        fs_error(status, answer, 400, "invalid_request_error", "amount_too_large", NULL, "amount");
        return;
    }
    pi->refunded += amount;
    fs->stats.refunded += amount;
    *status = 200;
    snprintf(answer, FS_ANSWER_MAX,
             "{\"id\":\"re_fake%06d\",\"object\":\"refund\",\"amount\":%" PRId64
             ",\"payment_intent\":\"%s\",\"status\":\"succeeded\"}",
             ++fs->next_id, amount, pi->id);
}

/* Routes one authorized POST. */
static void fs_route(struct fake_stripe *fs, const char *url, const char *body, int *status,
                     char *answer)
{
    struct fs_param params[FS_PARAMS_MAX];
    int n = fs_parse(body, params);
    char id[64] = "";
    char verb[16] = "";
    if (strcmp(url, "/v1/payment_intents") == 0) {
        fs_create(fs, params, n, status, answer);
    } else if (strcmp(url, "/v1/refunds") == 0) {
        fs_refund(fs, params, n, status, answer);
    } else if (sscanf(url, "/v1/payment_intents/%63[^/]/%15s", id, verb) == 2) {
        struct fs_intent *pi = fs_find(fs, id);
        if (pi == NULL) {
            fs_error(status, answer, 404, "invalid_request_error", "resource_missing", NULL, "id");
        } else if (strcmp(verb, "capture") == 0) {
            fs_capture(fs, pi, params, n, status, answer);
        } else if (strcmp(verb, "cancel") == 0) {
            fs_cancel(fs, pi, status, answer);
        } else {
            fs_error(status, answer, 404, "invalid_request_error", "resource_missing", NULL, NULL);
        }
    } else {
        fs_error(status, answer, 404, "invalid_request_error", "resource_missing", NULL, NULL);
    }
}

/* The answer of a request (under the mutex). */
static void fs_answer(struct fake_stripe *fs, struct MHD_Connection *connection, const char *url,
                      const struct fs_request *request, int *status, char *answer)
{
    fs->stats.requests++;
    const char *auth = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Authorization");
    const char *type = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Content-Type");
    const char *key = MHD_lookup_connection_value(connection, MHD_HEADER_KIND, "Idempotency-Key");
    if (fs->fail_next > 0) {
        fs->fail_next--;
        fs_error(status, answer, 500, "api_error", "internal", NULL, NULL);
        return;
    }
    if (auth == NULL || strcmp(auth, fs->auth) != 0) {
        fs->stats.unauthorized++;
        fs_error(status, answer, 401, "invalid_request_error", "invalid_api_key", NULL, NULL);
        return;
    }
    if (request->too_large || type == NULL ||
        strncmp(type, "application/x-www-form-urlencoded", 33) != 0) {
        fs->stats.bad_requests++;
        fs_error(status, answer, 400, "invalid_request_error", "invalid_content_type", NULL, NULL);
        return;
    }
    for (int i = 0; key != NULL && i < fs->keys_count; i++) {
        if (strcmp(fs->keys[i].key, key) == 0) {
            fs->stats.idempotent_replays++;
            *status = fs->keys[i].status;
            snprintf(answer, FS_ANSWER_MAX, "%s", fs->keys[i].answer);
            return;
        }
    }
    fs_route(fs, url, request->body, status, answer);
    if (key != NULL && fs->keys_count < FS_KEYS_MAX && strlen(key) < FS_TEXT_MAX) {
        struct fs_key *k = &fs->keys[fs->keys_count++];
        snprintf(k->key, sizeof(k->key), "%s", key);
        k->status = *status;
        k->answer = strdup(answer);
    }
}

static enum MHD_Result fs_handle(void *cls, struct MHD_Connection *connection, const char *url,
                                 const char *method, const char *version, const char *upload,
                                 size_t *upload_size, void **con_cls)
{
    (void)version;
    struct fake_stripe *fs = cls;
    struct fs_request *request = *con_cls;
    if (request == NULL) {
        request = calloc(1, sizeof(*request));
        *con_cls = request;
        return request != NULL ? MHD_YES : MHD_NO;
    }
    if (*upload_size > 0) {
        if (request->len + *upload_size < sizeof(request->body)) {
            memcpy(request->body + request->len, upload, *upload_size);
            request->len += *upload_size;
        } else {
            request->too_large = true;
        }
        *upload_size = 0;
        return MHD_YES;
    }
    int status = 405;
    char answer[FS_ANSWER_MAX] = "{\"error\":{\"type\":\"invalid_request_error\"}}";
    if (strcmp(method, "POST") == 0) {
        pthread_mutex_lock(&fs->mutex);
        fs_answer(fs, connection, url, request, &status, answer);
        pthread_mutex_unlock(&fs->mutex);
    }
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(answer), answer, MHD_RESPMEM_MUST_COPY);
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(connection, (unsigned)status, response);
    MHD_destroy_response(response);
    return rc;
}

static void fs_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    free(*con_cls);
    *con_cls = NULL;
}

struct fake_stripe *fake_stripe_start(const char *secret_key)
{
    struct fake_stripe *fs = calloc(1, sizeof(*fs));
    if (fs == NULL) {
        return NULL;
    }
    pthread_mutex_init(&fs->mutex, NULL);
    snprintf(fs->auth, sizeof(fs->auth), "Bearer %s", secret_key);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = 0};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    fs->daemon = MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG, 0, NULL,
                                  NULL, fs_handle, fs, MHD_OPTION_SOCK_ADDR, &addr,
                                  MHD_OPTION_NOTIFY_COMPLETED, fs_completed, fs, MHD_OPTION_END);
    if (fs->daemon == NULL) {
        free(fs);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(fs->daemon, MHD_DAEMON_INFO_BIND_PORT);
    snprintf(fs->url, sizeof(fs->url), "http://127.0.0.1:%u", (unsigned)info->port);
    return fs;
}

void fake_stripe_stop(struct fake_stripe *fs)
{
    if (fs == NULL) {
        return;
    }
    MHD_stop_daemon(fs->daemon);
    for (int i = 0; i < fs->keys_count; i++) {
        free(fs->keys[i].answer);
    }
    pthread_mutex_destroy(&fs->mutex);
    free(fs);
}

const char *fake_stripe_url(const struct fake_stripe *fs)
{
    return fs->url;
}

void fake_stripe_fail_captures(struct fake_stripe *fs, bool fail)
{
    pthread_mutex_lock(&fs->mutex);
    fs->fail_captures = fail;
    pthread_mutex_unlock(&fs->mutex);
}

void fake_stripe_decline_intents(struct fake_stripe *fs, bool decline)
{
    pthread_mutex_lock(&fs->mutex);
    fs->decline_intents = decline;
    pthread_mutex_unlock(&fs->mutex);
}

void fake_stripe_fail_next(struct fake_stripe *fs, int count)
{
    pthread_mutex_lock(&fs->mutex);
    fs->fail_next = count;
    pthread_mutex_unlock(&fs->mutex);
}

void fake_stripe_stats(struct fake_stripe *fs, struct fake_stripe_stats *out)
{
    pthread_mutex_lock(&fs->mutex);
    *out = fs->stats;
    pthread_mutex_unlock(&fs->mutex);
}
