/*
 * client.h — an HTTP client for black-box tests (libcurl), talking only to 127.0.0.1, and the
 * JSON helpers the tests match answers with (jansson): subset matching that names the path of
 * the first difference, and lookup by dotted path ("lines.0.id").
 */
#ifndef ORDO_TESTS_SUPPORT_CLIENT_H
#define ORDO_TESTS_SUPPORT_CLIENT_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define CLIENT_HEADERS_MAX 16

/* One request. Unset fields mean "none". */
struct http_request {
    const char *method; /* "GET", "POST", "PUT", "PATCH", "DELETE" */
    const char *path;   /* "/v1/orders?limit=2", appended to the base URL */
    const char *key;    /* sent as "Authorization: Bearer KEY", or NULL for no header */
    const char *headers[CLIENT_HEADERS_MAX]; /* extra "Name: value" lines, NULL-terminated */
    const char *body;                        /* raw body bytes (may hold NULs), or NULL */
    size_t body_len;                         /* bytes of body */
    const char *content_type; /* Content-Type when a body is sent; NULL: application/json */
};

/* One answer. Release with http_response_release. */
struct http_response {
    long status;            /* HTTP status, or 0 when the transfer failed */
    char *body;             /* malloc'ed, NUL-terminated */
    size_t body_len;        /* bytes of body */
    json_t *json;           /* the parsed body (owned), or NULL when it is not JSON */
    char content_type[128]; /* the Content-Type header, or "" */
    char error[256];        /* curl's error when status is 0 */
};

/* A connection to one server (kept alive between requests). Not shared between threads. */
struct client;

/* Once per process, before any thread makes a client (curl_global_init). */
void client_global_init(void);

/* A client for base_url ("http://127.0.0.1:PORT"). Free with client_free. */
struct client *client_new(const char *base_url);

void client_free(struct client *client);

/* Sends the request and fills res (always; status 0 on a transport failure). */
void client_send(struct client *client, const struct http_request *req, struct http_response *res);

/*
 * Sends count requests at once, each on its own connection (curl multi), and fills res[i]
 * for req[i]. For races: every request is on the wire before any answer is read.
 */
void client_send_all(const char *base_url, const struct http_request *req,
                     struct http_response *res, size_t count);

/* Shorthand: method and path with a Bearer key and a JSON text body (or NULL); returns status. */
long client_call(struct client *client, const char *method, const char *path, const char *key,
                 const char *json_text, struct http_response *res);

void http_response_release(struct http_response *res);

/* Sets req to the body text of json (dumped compactly, NULs kept); free *owned after use. */
void http_request_set_json(struct http_request *req, const json_t *json, char **owned);

/* ---- JSON helpers ------------------------------------------------------------------------ */

/*
 * True when expected is a subset of actual: objects need every expected member (recursively),
 * arrays need the same length and each element a subset, strings/booleans/null equal, numbers
 * equal (an expected real matches within 1e-3). On a mismatch, writes the path of the first
 * difference and what differed into why.
 */
bool json_subset(const json_t *expected, const json_t *actual, char *why, size_t why_size);

/*
 * The value at a dotted path ("lines.0.id": member, then array index); "" is root itself.
 * Borrowed from root; NULL when absent.
 */
json_t *json_at(const json_t *root, const char *path);

/* Text of the value at path: a string itself, a number printed, else NULL. Borrowed/static. */
const char *json_text_at(const json_t *root, const char *path, char *scratch, size_t scratch_size);

/* Integer at path, or fallback when absent or not an integer. */
long long json_int_at(const json_t *root, const char *path, long long fallback);

#endif
