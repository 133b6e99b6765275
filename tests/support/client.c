/*
 * client.c — libcurl requests for the black-box tests, one easy handle per client (kept
 * alive) or one per request for races (curl multi), and the JSON matching helpers. Transport
 * failures are reported in the answer (status 0), never by aborting, so threads may use it.
 */
#include "support/client.h"

#include <curl/curl.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define REQUEST_TIMEOUT_MS 60000L

struct client {
    CURL *curl;
    char base_url[128];
};

/* What one transfer collects, and the header list it must free. */
struct transfer {
    struct http_response *res;
    struct curl_slist *headers;
    char url[2048];
};

static pthread_once_t global_once = PTHREAD_ONCE_INIT;

static void global_init_once(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

void client_global_init(void)
{
    pthread_once(&global_once, global_init_once);
}

struct client *client_new(const char *base_url)
{
    client_global_init();
    struct client *client = calloc(1, sizeof(*client));
    if (client == NULL) {
        return NULL;
    }
    client->curl = curl_easy_init();
    snprintf(client->base_url, sizeof(client->base_url), "%s", base_url);
    return client;
}

void client_free(struct client *client)
{
    if (client == NULL) {
        return;
    }
    curl_easy_cleanup(client->curl);
    free(client);
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *user)
{
    struct http_response *res = user;
    size_t n = size * nmemb;
    char *grown = realloc(res->body, res->body_len + n + 1);
    if (grown == NULL) {
        return 0;
    }
    res->body = grown;
    memcpy(res->body + res->body_len, data, n);
    res->body_len += n;
    res->body[res->body_len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nmemb, void *user)
{
    struct http_response *res = user;
    size_t n = size * nmemb;
    const char *name = "content-type:";
    size_t name_len = strlen(name);
    if (n > name_len && strncasecmp(data, name, name_len) == 0) {
        size_t start = name_len;
        while (start < n && data[start] == ' ') {
            start++;
        }
        size_t end = n;
        while (end > start && (data[end - 1] == '\r' || data[end - 1] == '\n')) {
            end--;
        }
        size_t len = end - start < sizeof(res->content_type) - 1 ? end - start
                                                                 : sizeof(res->content_type) - 1;
        memcpy(res->content_type, data + start, len);
        res->content_type[len] = '\0';
    }
    return n;
}

static bool has_header(const struct http_request *req, const char *name)
{
    size_t len = strlen(name);
    for (size_t i = 0; i < CLIENT_HEADERS_MAX && req->headers[i] != NULL; i++) {
        if (strncasecmp(req->headers[i], name, len) == 0 && req->headers[i][len] == ':') {
            return true;
        }
    }
    return false;
}

static struct curl_slist *build_headers(const struct http_request *req)
{
    char line[1024];
    struct curl_slist *list = curl_slist_append(NULL, "Expect:");
    if (req->key != NULL) {
        snprintf(line, sizeof(line), "Authorization: Bearer %s", req->key);
        list = curl_slist_append(list, line);
    }
    if (req->body != NULL && !has_header(req, "Content-Type")) {
        snprintf(line, sizeof(line), "Content-Type: %s",
                 req->content_type != NULL ? req->content_type : "application/json");
        list = curl_slist_append(list, line);
    }
    if (req->body == NULL) {
        list = curl_slist_append(list, "Content-Type:");
    }
    for (size_t i = 0; i < CLIENT_HEADERS_MAX && req->headers[i] != NULL; i++) {
        list = curl_slist_append(list, req->headers[i]);
    }
    return list;
}

/* Sets every option of one transfer on curl; t->res is cleared first. */
static void transfer_setup(CURL *curl, const char *base_url, const struct http_request *req,
                           struct transfer *t)
{
    memset(t->res, 0, sizeof(*t->res));
    snprintf(t->url, sizeof(t->url), "%s%s", base_url, req->path);
    t->headers = build_headers(req);
    curl_easy_setopt(curl, CURLOPT_URL, t->url);
    curl_easy_setopt(curl, CURLOPT_NOPROXY, "*");
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, REQUEST_TIMEOUT_MS);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, t->res);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, t->res);
    const char *method = req->method != NULL ? req->method : "GET";
    bool sends_body = req->body != NULL || strcmp(method, "GET") != 0;
    if (sends_body) {
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE,
                         (curl_off_t)(req->body != NULL ? req->body_len : 0));
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, req->body != NULL ? req->body : "");
    }
    if (strcmp(method, sends_body ? "POST" : "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
}

/* After the transfer: status, parsed body, header list freed. */
static void transfer_finish(CURL *curl, struct transfer *t, CURLcode code)
{
    struct http_response *res = t->res;
    curl_slist_free_all(t->headers);
    t->headers = NULL;
    if (res->body == NULL) {
        res->body = calloc(1, 1);
    }
    if (code != CURLE_OK) {
        res->status = 0;
        snprintf(res->error, sizeof(res->error), "%s", curl_easy_strerror(code));
        return;
    }
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &res->status);
    if (res->body_len > 0) {
        res->json = json_loadb(res->body, res->body_len, JSON_DECODE_ANY, NULL);
    }
}

void client_send(struct client *client, const struct http_request *req, struct http_response *res)
{
    struct transfer t = {.res = res};
    curl_easy_reset(client->curl);
    transfer_setup(client->curl, client->base_url, req, &t);
    CURLcode code = curl_easy_perform(client->curl);
    transfer_finish(client->curl, &t, code);
}

long client_call(struct client *client, const char *method, const char *path, const char *key,
                 const char *json_text, struct http_response *res)
{
    struct http_request req = {.method = method, .path = path, .key = key};
    if (json_text != NULL) {
        req.body = json_text;
        req.body_len = strlen(json_text);
    }
    client_send(client, &req, res);
    return res->status;
}

void client_send_all(const char *base_url, const struct http_request *req,
                     struct http_response *res, size_t count)
{
    client_global_init();
    CURLM *multi = curl_multi_init();
    CURL **easy = calloc(count, sizeof(*easy));
    struct transfer *t = calloc(count, sizeof(*t));
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    for (size_t i = 0; i < count; i++) {
        easy[i] = curl_easy_init();
        t[i].res = &res[i];
        transfer_setup(easy[i], base_url, &req[i], &t[i]);
        curl_easy_setopt(easy[i], CURLOPT_PRIVATE, &t[i]);
        curl_easy_setopt(easy[i], CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(easy[i], CURLOPT_FORBID_REUSE, 1L);
        curl_multi_add_handle(multi, easy[i]);
    }
    int running = 1;
    while (running > 0) {
        if (curl_multi_perform(multi, &running) != CURLM_OK) {
            break;
        }
        if (running > 0) {
            curl_multi_poll(multi, NULL, 0, 1000, NULL);
        }
    }
    int left = 0;
    for (CURLMsg *msg = curl_multi_info_read(multi, &left); msg != NULL;
         msg = curl_multi_info_read(multi, &left)) {
        if (msg->msg == CURLMSG_DONE) {
            struct transfer *done = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&done);
            transfer_finish(msg->easy_handle, done, msg->data.result);
        }
    }
    for (size_t i = 0; i < count; i++) {
        if (t[i].headers != NULL) {
            transfer_finish(easy[i], &t[i], CURLE_ABORTED_BY_CALLBACK);
        }
        curl_multi_remove_handle(multi, easy[i]);
        curl_easy_cleanup(easy[i]);
    }
    curl_multi_cleanup(multi);
    free(t);
    free(easy);
}

void http_response_release(struct http_response *res)
{
    free(res->body);
    res->body = NULL;
    res->body_len = 0;
    if (res->json != NULL) {
        json_decref(res->json);
        res->json = NULL;
    }
}

void http_request_set_json(struct http_request *req, const json_t *json, char **owned)
{
    size_t size = json_dumpb(json, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
    char *text = malloc(size + 1);
    if (text != NULL) {
        size = json_dumpb(json, text, size, JSON_COMPACT | JSON_ENCODE_ANY);
        text[size] = '\0';
    }
    req->body = text;
    req->body_len = text != NULL ? size : 0;
    *owned = text;
}

/* ---- JSON helpers ------------------------------------------------------------------------ */

static const char *json_type_name(const json_t *value)
{
    static const char *const names[] = {"object", "array", "string", "integer",
                                        "real",   "true",  "false",  "null"};
    return value == NULL ? "absent" : names[json_typeof(value)];
}

static bool numbers_match(const json_t *expected, const json_t *actual)
{
    if (json_is_integer(expected) && json_is_integer(actual)) {
        return json_integer_value(expected) == json_integer_value(actual);
    }
    return fabs(json_number_value(expected) - json_number_value(actual)) <= 1e-3;
}

static bool mismatch(char *why, size_t why_size, const char *path, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bool mismatch(char *why, size_t why_size, const char *path, const char *fmt, ...)
{
    char detail[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(detail, sizeof(detail), fmt, ap);
    va_end(ap);
    snprintf(why, why_size, "at %s: %s", path[0] != '\0' ? path : "(root)", detail);
    return false;
}

/*
 * A worklist instead of recursion (house rule): each item compares one expected value with one
 * actual value at a path; containers push their children.
 */
struct subset_item {
    const json_t *expected;
    const json_t *actual;
    char path[256];
};

#define SUBSET_ITEMS_MAX 4096

static bool subset_scalar(const struct subset_item *it, char *why, size_t why_size)
{
    char e[128];
    char a[128];
    if (json_is_number(it->expected) && json_is_number(it->actual)) {
        if (numbers_match(it->expected, it->actual)) {
            return true;
        }
        return mismatch(why, why_size, it->path, "expected %g, got %g",
                        json_number_value(it->expected), json_number_value(it->actual));
    }
    if (json_typeof(it->expected) != json_typeof(it->actual)) {
        return mismatch(why, why_size, it->path, "expected %s, got %s",
                        json_type_name(it->expected), json_type_name(it->actual));
    }
    if (json_is_string(it->expected) && !json_equal(it->expected, it->actual)) {
        snprintf(e, sizeof(e), "%s", json_string_value(it->expected));
        snprintf(a, sizeof(a), "%s", json_string_value(it->actual));
        return mismatch(why, why_size, it->path, "expected \"%s\", got \"%s\"", e, a);
    }
    return true;
}

static bool subset_push(struct subset_item *items, size_t *count, const json_t *expected,
                        const json_t *actual, const char *path)
{
    if (*count >= SUBSET_ITEMS_MAX) {
        return false;
    }
    items[*count].expected = expected;
    items[*count].actual = actual;
    snprintf(items[*count].path, sizeof(items[*count].path), "%s", path);
    (*count)++;
    return true;
}

static bool subset_children(const struct subset_item *it, struct subset_item *items, size_t *count,
                            char *why, size_t why_size)
{
    char path[512];
    if (json_is_object(it->expected)) {
        const char *name;
        json_t *value;
        json_object_foreach((json_t *)(uintptr_t)it->expected, name, value)
        {
            snprintf(path, sizeof(path), "%s%s%s", it->path, it->path[0] ? "." : "", name);
            json_t *found = json_object_get(it->actual, name);
            if (found == NULL) {
                return mismatch(why, why_size, path, "missing (expected %s)",
                                json_type_name(value));
            }
            if (!subset_push(items, count, value, found, path)) {
                return mismatch(why, why_size, path, "too deep");
            }
        }
        return true;
    }
    size_t n = json_array_size(it->expected);
    if (n != json_array_size(it->actual)) {
        return mismatch(why, why_size, it->path, "expected %zu elements, got %zu", n,
                        json_array_size(it->actual));
    }
    for (size_t i = n; i > 0; i--) {
        snprintf(path, sizeof(path), "%s%s%zu", it->path, it->path[0] ? "." : "", i - 1);
        if (!subset_push(items, count, json_array_get(it->expected, i - 1),
                         json_array_get(it->actual, i - 1), path)) {
            return mismatch(why, why_size, path, "too deep");
        }
    }
    return true;
}

bool json_subset(const json_t *expected, const json_t *actual, char *why, size_t why_size)
{
    struct subset_item *items = malloc(SUBSET_ITEMS_MAX * sizeof(*items));
    size_t count = 0;
    bool ok = items != NULL;
    if (ok) {
        ok = subset_push(items, &count, expected, actual, "");
    }
    while (ok && count > 0) {
        struct subset_item it = items[--count];
        bool container = json_is_object(it.expected) || json_is_array(it.expected);
        if (it.actual == NULL) {
            ok = mismatch(why, why_size, it.path, "missing");
        } else if (container && json_typeof(it.expected) != json_typeof(it.actual)) {
            ok = mismatch(why, why_size, it.path, "expected %s, got %s",
                          json_type_name(it.expected), json_type_name(it.actual));
        } else if (container) {
            ok = subset_children(&it, items, &count, why, why_size);
        } else {
            ok = subset_scalar(&it, why, why_size);
        }
    }
    free(items);
    return ok;
}

json_t *json_at(const json_t *root, const char *path)
{
    json_t *node = (json_t *)(uintptr_t)root;
    const char *p = path;
    while (node != NULL && *p != '\0') {
        const char *dot = strchr(p, '.');
        size_t len = dot != NULL ? (size_t)(dot - p) : strlen(p);
        char part[128];
        if (len >= sizeof(part)) {
            return NULL;
        }
        memcpy(part, p, len);
        part[len] = '\0';
        if (json_is_array(node)) {
            char *end = NULL;
            unsigned long index = strtoul(part, &end, 10);
            node = end != part && *end == '\0' ? json_array_get(node, index) : NULL;
        } else {
            node = json_object_get(node, part);
        }
        p += len;
        if (*p == '.') {
            p++;
        }
    }
    return node;
}

const char *json_text_at(const json_t *root, const char *path, char *scratch, size_t scratch_size)
{
    json_t *value = json_at(root, path);
    if (json_is_string(value)) {
        return json_string_value(value);
    }
    if (json_is_integer(value)) {
        snprintf(scratch, scratch_size, "%" JSON_INTEGER_FORMAT, json_integer_value(value));
        return scratch;
    }
    if (json_is_real(value)) {
        snprintf(scratch, scratch_size, "%.17g", json_real_value(value));
        return scratch;
    }
    return NULL;
}

long long json_int_at(const json_t *root, const char *path, long long fallback)
{
    json_t *value = json_at(root, path);
    return json_is_integer(value) ? (long long)json_integer_value(value) : fallback;
}
