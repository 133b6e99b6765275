/*
 * test_session.c — goal: the web console's sign-in over real HTTP (issue 8). Method: a real
 * `ordo serve` on a temporary database; users made with `ordo user create --password-stdin`;
 * requests through libcurl with the response headers kept, so the cookie's attributes,
 * Retry-After, ETag and the CSP are read as a browser would. Covered: sign-in and who is
 * signed in, a wrong password and an unknown e-mail (the same 401), bad bodies, the lock-out
 * (429 with Retry-After, even for the right password), CSRF missing or wrong (403, nothing
 * changed) and API keys unaffected, sign-out, an expired session, the role's permissions, the
 * embedded console (ETag/304, CSP), and the CLI's refusals.
 */
#include <criterion/criterion.h>
#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

#include "support/client.h"
#include "support/server.h"

#define PASSWORD "correct horse battery"

static struct test_server g_server;
static char g_admin[TEST_SERVER_KEY_MAX];

struct reply {
    long status;
    char body[16384];
    size_t body_len;
    char headers[8192];
    size_t headers_len;
};

static size_t collect(char *dst, size_t cap, size_t *len, const char *src, size_t n)
{
    size_t room = cap - 1 - *len;
    size_t take = n < room ? n : room;
    memcpy(dst + *len, src, take);
    *len += take;
    dst[*len] = '\0';
    return n;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct reply *r = userdata;
    return collect(r->body, sizeof(r->body), &r->body_len, ptr, size * nmemb);
}

static size_t on_header(char *ptr, size_t size, size_t nmemb, void *userdata)
{
    struct reply *r = userdata;
    return collect(r->headers, sizeof(r->headers), &r->headers_len, ptr, size * nmemb);
}

/* One request; cookie is "ordo_session=..." or NULL, csrf the X-CSRF-Token or NULL. */
static long send_req(const char *method, const char *path, const char *cookie, const char *csrf,
                     const char *body, struct reply *r)
{
    memset(r, 0, sizeof(*r));
    CURL *curl = curl_easy_init();
    cr_assert_not_null(curl);
    char url[512];
    snprintf(url, sizeof(url), "%s%s", g_server.base_url, path);
    struct curl_slist *headers = NULL;
    char line[512];
    if (cookie != NULL) {
        snprintf(line, sizeof(line), "Cookie: %s", cookie);
        headers = curl_slist_append(headers, line);
    }
    if (csrf != NULL) {
        snprintf(line, sizeof(line), "X-CSRF-Token: %s", csrf);
        headers = curl_slist_append(headers, line);
    }
    if (body != NULL) {
        headers = curl_slist_append(headers, "Content-Type: application/json");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    }
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
    CURLcode rc = curl_easy_perform(curl);
    cr_assert_eq(rc, CURLE_OK, "%s %s: %s", method, path, curl_easy_strerror(rc));
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return r->status;
}

/* The value of a response header (case-insensitive name), copied into out; false if absent. */
static bool header_value(const struct reply *r, const char *name, char *out, size_t size)
{
    size_t name_len = strlen(name);
    const char *p = r->headers;
    while (p != NULL && *p != '\0') {
        if (strncasecmp(p, name, name_len) == 0 && p[name_len] == ':') {
            const char *v = p + name_len + 1;
            while (*v == ' ') {
                v++;
            }
            size_t len = strcspn(v, "\r\n");
            if (len >= size) {
                len = size - 1;
            }
            memcpy(out, v, len);
            out[len] = '\0';
            return true;
        }
        p = strchr(p, '\n');
        p = p == NULL ? NULL : p + 1;
    }
    return false;
}

/* `ordo user create ... --password-stdin`; returns the exit status. */
static int user_create(const char *email, const char *role, const char *scope_flag,
                       const char *scope, const char *password)
{
    char cmd[1024];
    snprintf(cmd, sizeof(cmd),
             "%s user create --db %s --email %s --role %s %s%s %s --password-stdin >/dev/null 2>&1",
             test_server_binary(), g_server.db_path, email, role, scope_flag ? "--" : "",
             scope_flag ? scope_flag : "", scope ? scope : "");
    FILE *p = popen(cmd, "w");
    cr_assert_not_null(p);
    fprintf(p, "%s\n", password);
    int status = pclose(p);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Signs in; fills cookie ("ordo_session=...") and csrf. */
static void sign_in(const char *email, const char *password, char *cookie, size_t cookie_size,
                    char *csrf, size_t csrf_size)
{
    char body[512];
    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, body, &r), 201, "%s", r.body);
    char set_cookie[512];
    cr_assert(header_value(&r, "Set-Cookie", set_cookie, sizeof(set_cookie)), "%s", r.headers);
    size_t len = strcspn(set_cookie, ";");
    cr_assert_lt(len, cookie_size);
    memcpy(cookie, set_cookie, len);
    cookie[len] = '\0';
    json_t *json = json_loads(r.body, 0, NULL);
    cr_assert_not_null(json, "%s", r.body);
    snprintf(csrf, csrf_size, "%s", json_string_value(json_object_get(json, "csrf_token")));
    json_decref(json);
}

static void session_init(void)
{
    cr_assert(test_server_init(&g_server), "%s", g_server.error);
    cr_assert(test_server_start(&g_server), "%s", g_server.error);
    cr_assert(test_server_key_create(&g_server, "admin", NULL, NULL, g_admin, sizeof(g_admin)),
              "%s", g_server.error);
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void session_fini(void)
{
    cr_expect(test_server_stop(&g_server), "%s", g_server.error);
    test_server_cleanup(&g_server);
    curl_global_cleanup();
}

TestSuite(session, .init = session_init, .fini = session_fini, .timeout = 120);

Test(session, sign_in_sets_a_strict_http_only_cookie_and_says_who)
{
    cr_assert_eq(user_create("ops@example.com", "operator", NULL, NULL, PASSWORD), 0);
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"OPS@example.com\",\"password\":\"" PASSWORD "\"}", &r),
                 201, "%s", r.body);
    char set_cookie[512];
    cr_assert(header_value(&r, "Set-Cookie", set_cookie, sizeof(set_cookie)));
    cr_assert(strncmp(set_cookie, "ordo_session=", 13) == 0, "%s", set_cookie);
    cr_assert_not_null(strstr(set_cookie, "; HttpOnly"), "%s", set_cookie);
    cr_assert_not_null(strstr(set_cookie, "; SameSite=Strict"), "%s", set_cookie);
    cr_assert_not_null(strstr(set_cookie, "; Path=/"), "%s", set_cookie);
    cr_assert_not_null(strstr(r.body, "\"role\":\"operator\""), "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"orders.manage\""), "%s", r.body);
    cr_assert_null(strstr(r.body, "\"admin\""), "%s", r.body);

    char cookie[256];
    char csrf[128];
    sign_in("ops@example.com", PASSWORD, cookie, sizeof(cookie), csrf, sizeof(csrf));
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"email\":\"ops@example.com\""), "%s", r.body);
    cr_assert_eq(send_req("GET", "/v1/orders", cookie, NULL, NULL, &r), 200, "%s", r.body);
    /* Without the cookie nothing is readable. */
    cr_assert_eq(send_req("GET", "/v1/orders", NULL, NULL, NULL, &r), 401, "%s", r.body);
    cr_assert_eq(send_req("GET", "/v1/session", "ordo_session=nonsense", NULL, NULL, &r), 200);
    cr_assert_str_eq(r.body, "{\"signed_in\":false}");
    cr_assert_eq(send_req("GET", "/v1/orders", "ordo_session=nonsense", NULL, NULL, &r), 401);
}

Test(session, wrong_password_and_unknown_email_answer_the_same_401)
{
    cr_assert_eq(user_create("sup@example.com", "support", NULL, NULL, PASSWORD), 0);
    struct reply wrong;
    struct reply unknown;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"sup@example.com\",\"password\":\"not it at all\"}", &wrong),
                 401, "%s", wrong.body);
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"nobody@example.com\",\"password\":\"not it at all\"}",
                          &unknown),
                 401, "%s", unknown.body);
    cr_assert_str_eq(wrong.body, unknown.body);
    char value[64];
    cr_assert_not(header_value(&wrong, "Set-Cookie", value, sizeof(value)));
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, "{\"email\":", &r), 400, "%s", r.body);
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, "{\"email\":\"sup@example.com\"}", &r),
                 422, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"field\":\"password\""), "%s", r.body);
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"not an email\",\"password\":\"x\"}", &r),
                 422, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"field\":\"email\""), "%s", r.body);
}

Test(session, five_failures_lock_the_email_out_with_retry_after)
{
    cr_assert_eq(user_create("lock@example.com", "operator", NULL, NULL, PASSWORD), 0);
    struct reply r;
    const char *bad = "{\"email\":\"lock@example.com\",\"password\":\"wrong password\"}";
    for (int i = 0; i < 5; i++) {
        cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, bad, &r), 401, "try %d: %s", i,
                     r.body);
    }
    const char *good = "{\"email\":\"lock@example.com\",\"password\":\"" PASSWORD "\"}";
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, good, &r), 429, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"code\":\"locked_out\""), "%s", r.body);
    char retry[32];
    cr_assert(header_value(&r, "Retry-After", retry, sizeof(retry)), "%s", r.headers);
    long seconds = strtol(retry, NULL, 10);
    cr_assert(seconds > 0 && seconds <= 15 * 60, "Retry-After %s", retry);
    /* Another e-mail is not locked out. */
    cr_assert_eq(user_create("other@example.com", "operator", NULL, NULL, PASSWORD), 0);
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"other@example.com\",\"password\":\"" PASSWORD "\"}", &r),
                 201, "%s", r.body);
}

Test(session, state_changes_by_cookie_need_the_csrf_token)
{
    cr_assert_eq(user_create("csrf@example.com", "admin", NULL, NULL, PASSWORD), 0);
    char cookie[256];
    char csrf[128];
    sign_in("csrf@example.com", PASSWORD, cookie, sizeof(cookie), csrf, sizeof(csrf));
    const char *channel = "{\"code\":\"kiosk\",\"kind\":\"pos\",\"name\":\"Kiosk\"}";
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/channels", cookie, NULL, channel, &r), 403, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "X-CSRF-Token"), "%s", r.body);
    cr_assert_eq(
        send_req("POST", "/v1/channels", cookie, "0123456789abcdef0123456789abcdef", channel, &r),
        403, "%s", r.body);
    /* Nothing was made by the refused requests. */
    cr_assert_eq(send_req("GET", "/v1/channels", cookie, NULL, NULL, &r), 200);
    cr_assert_null(strstr(r.body, "\"kiosk\""), "%s", r.body);
    cr_assert_eq(send_req("POST", "/v1/channels", cookie, csrf, channel, &r), 201, "%s", r.body);
    /* An API key needs no CSRF token. */
    struct http_response res;
    struct client *client = client_new(g_server.base_url);
    cr_assert_eq(client_call(client, "POST", "/v1/channels", g_admin,
                             "{\"code\":\"kiosk2\",\"kind\":\"pos\",\"name\":\"Kiosk 2\"}", &res),
                 201, "%s", res.body);
    http_response_release(&res);
    client_free(client);
}

Test(session, sign_out_ends_the_session)
{
    cr_assert_eq(user_create("out@example.com", "analyst", NULL, NULL, PASSWORD), 0);
    char cookie[256];
    char csrf[128];
    sign_in("out@example.com", PASSWORD, cookie, sizeof(cookie), csrf, sizeof(csrf));
    struct reply r;
    cr_assert_eq(send_req("DELETE", "/v1/session", cookie, NULL, NULL, &r), 403, "%s", r.body);
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_eq(send_req("DELETE", "/v1/session", cookie, csrf, NULL, &r), 204, "%s", r.body);
    char set_cookie[256];
    cr_assert(header_value(&r, "Set-Cookie", set_cookie, sizeof(set_cookie)));
    cr_assert_not_null(strstr(set_cookie, "Max-Age=0"), "%s", set_cookie);
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"signed_in\":false}");
    cr_assert_eq(
        send_req("GET", "/v1/metrics?from=2026-01-01&to=2026-01-02", cookie, NULL, NULL, &r), 401,
        "%s", r.body);
}

Test(session, an_expired_session_is_refused)
{
    cr_assert_eq(user_create("old@example.com", "analyst", NULL, NULL, PASSWORD), 0);
    char cookie[256];
    char csrf[128];
    sign_in("old@example.com", PASSWORD, cookie, sizeof(cookie), csrf, sizeof(csrf));
    struct reply r;
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    /* The clock cannot be moved 12 hours: the session's expiry is moved into the past. */
    /* SELECT changes() on SQLite; psql prints the command tag "UPDATE 1". */
    const char *sql = test_server_is_pg()
                          ? "UPDATE sessions SET expires_at = 1 WHERE user_id ="
                            " (SELECT id FROM users WHERE email = 'old@example.com')"
                          : "UPDATE sessions SET expires_at = 1 WHERE user_id ="
                            " (SELECT id FROM users WHERE email = 'old@example.com');"
                            " SELECT 'UPDATE ' || changes();";
    char output[256];
    cr_assert_eq(test_server_sql(&g_server, sql, output, sizeof(output)), 0, "%s", output);
    cr_assert(strstr(output, "UPDATE 1") != NULL, "%s", output);
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"signed_in\":false}");
    cr_assert_eq(
        send_req("GET", "/v1/metrics?from=2026-01-01&to=2026-01-02", cookie, NULL, NULL, &r), 401,
        "%s", r.body);
}

Test(session, roles_and_scopes_apply_to_people)
{
    cr_assert_eq(user_create("an@example.com", "analyst", NULL, NULL, PASSWORD), 0);
    char cookie[256];
    char csrf[128];
    sign_in("an@example.com", PASSWORD, cookie, sizeof(cookie), csrf, sizeof(csrf));
    struct reply r;
    cr_assert_eq(send_req("GET", "/v1/orders", cookie, NULL, NULL, &r), 403, "%s", r.body);
    cr_assert_eq(
        send_req("GET", "/v1/metrics?from=2026-01-01&to=2026-01-02", cookie, NULL, NULL, &r), 200,
        "%s", r.body);
    /* A warehouse user needs an existing location; the CLI refuses what does not fit. */
    cr_assert_eq(user_create("wh@example.com", "warehouse", "location", "NOWHERE", PASSWORD), 1);
    cr_assert_eq(user_create("wh@example.com", "warehouse", NULL, NULL, PASSWORD), 2);
    cr_assert_eq(user_create("wh@example.com", "warehouse", "channel", "web", PASSWORD), 2);
    cr_assert_eq(user_create("wh@example.com", "boss", NULL, NULL, PASSWORD), 2);
    cr_assert_eq(user_create("short@example.com", "analyst", NULL, NULL, "short"), 1);
    cr_assert_eq(user_create("an@example.com", "analyst", NULL, NULL, PASSWORD), 1);
    cr_assert_eq(user_create("not-an-email", "analyst", NULL, NULL, PASSWORD), 1);
}

Test(session, the_console_is_embedded_with_etag_and_csp)
{
    struct reply r;
    cr_assert_eq(send_req("GET", "/", NULL, NULL, NULL, &r), 200);
    cr_assert_not_null(strstr(r.body, "<div id=\"app\">"), "%s", r.body);
    char value[1024];
    cr_assert(header_value(&r, "Content-Type", value, sizeof(value)));
    cr_assert_str_eq(value, "text/html; charset=utf-8");
    cr_assert(header_value(&r, "Content-Security-Policy", value, sizeof(value)));
    cr_assert_not_null(strstr(value, "default-src 'self'"), "%s", value);
    char etag[128];
    cr_assert(header_value(&r, "ETag", etag, sizeof(etag)));
    char line[256];
    snprintf(line, sizeof(line), "If-None-Match: %s", etag);
    CURL *curl = curl_easy_init();
    struct curl_slist *headers = curl_slist_append(NULL, line);
    char url[256];
    snprintf(url, sizeof(url), "%s/", g_server.base_url);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_NOBODY, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    struct reply again;
    memset(&again, 0, sizeof(again));
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &again);
    cr_assert_eq(curl_easy_perform(curl), CURLE_OK);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    cr_assert_eq(status, 304);
    cr_assert_eq(again.body_len, 0);
    /* The script the page names is served, cached for good; /track is the same page. */
    const char *src = strstr(r.body, "src=\"/assets/");
    cr_assert_not_null(src, "%s", r.body);
    char path[128];
    size_t len = strcspn(src + 5, "\"");
    cr_assert_lt(len, sizeof(path));
    memcpy(path, src + 5, len);
    path[len] = '\0';
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &r), 200, "%s", path);
    cr_assert(header_value(&r, "Cache-Control", value, sizeof(value)));
    cr_assert_not_null(strstr(value, "immutable"), "%s", value);
    cr_assert_eq(send_req("GET", "/track", NULL, NULL, NULL, &r), 200);
    cr_assert_eq(send_req("GET", "/assets/nothing-here.js", NULL, NULL, NULL, &r), 404);
    cr_assert_eq(send_req("POST", "/", NULL, NULL, "{}", &r), 405);
}

/* Makes the store an order needs (once) and an order for email; its number into out. */
static void track_order(const char *external_id, const char *email, char *out, size_t size)
{
    struct client *client = client_new(g_server.base_url);
    struct http_response res;
    static bool stocked = false;
    if (!stocked) {
        client_call(client, "POST", "/v1/locations", g_admin,
                    "{\"code\":\"DC-EAST\",\"name\":\"Newark DC\",\"kind\":\"warehouse\","
                    "\"address\":{\"line1\":\"1 Port St\",\"city\":\"Newark\",\"region\":\"NJ\","
                    "\"postal_code\":\"07114\",\"country\":\"US\"},\"capabilities\":[\"ship\"]}",
                    &res);
        http_response_release(&res);
        client_call(client, "POST", "/v1/products", g_admin,
                    "{\"sku\":\"MUG\",\"name\":\"Mug\",\"price\":1299,\"currency\":\"USD\"}", &res);
        http_response_release(&res);
        cr_assert_eq(client_call(client, "PUT", "/v1/inventory/MUG/DC-EAST", g_admin,
                                 "{\"on_hand\":50}", &res),
                     200, "%s", res.body);
        http_response_release(&res);
        stocked = true;
    }
    char body[1024];
    snprintf(body, sizeof(body),
             "{\"channel\":\"web\",\"external_id\":\"%s\",\"currency\":\"USD\","
             "\"customer\":{\"email\":\"%s\",\"name\":\"Ana\"},\"lines\":[{\"sku\":\"MUG\","
             "\"qty\":1}],\"shipping_address\":{\"name\":\"Ana\",\"line1\":\"5 Elm St\","
             "\"city\":\"Boston\",\"region\":\"MA\",\"postal_code\":\"02118\",\"country\":\"US\"},"
             "\"fulfillment\":{\"method\":\"ship\"}}",
             external_id, email);
    cr_assert_eq(client_call(client, "POST", "/v1/orders", g_admin, body, &res), 201, "%s",
                 res.body);
    snprintf(out, size, "%s", json_string_value(json_object_get(res.json, "number")));
    http_response_release(&res);
    client_free(client);
}

Test(session, track_shows_one_order_for_its_number_and_email_only)
{
    char mine[32];
    char other[32];
    track_order("T-1", "Ana.Track@example.com", mine, sizeof(mine));
    track_order("T-2", "ben.track@example.com", other, sizeof(other));
    char path[256];
    struct reply r;
    snprintf(path, sizeof(path), "/v1/track?number=%s&email=ana.track%%40example.com", mine);
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, mine), "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"sku\":\"MUG\""), "%s", r.body);
    cr_assert_null(strstr(r.body, "line1"), "no address: %s", r.body);
    cr_assert_null(strstr(r.body, "ana.track"), "no e-mail: %s", r.body);
    /* Another customer's number with this e-mail, and this number with another e-mail: 404. */
    struct reply wrong_number;
    struct reply wrong_email;
    snprintf(path, sizeof(path), "/v1/track?number=%s&email=ana.track%%40example.com", other);
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &wrong_number), 404, "%s",
                 wrong_number.body);
    snprintf(path, sizeof(path), "/v1/track?number=%s&email=ben.other%%40example.com", mine);
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &wrong_email), 404, "%s",
                 wrong_email.body);
    cr_assert_str_eq(wrong_number.body, wrong_email.body);
    cr_assert_null(strstr(wrong_number.body, other), "%s", wrong_number.body);
    cr_assert_eq(send_req("GET", "/v1/track?number=SO-1", NULL, NULL, NULL, &r), 422, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"field\":\"email\""), "%s", r.body);
}

Test(session, track_misses_are_rate_limited_per_number)
{
    char mine[32];
    track_order("T-3", "cara.track@example.com", mine, sizeof(mine));
    char path[256];
    struct reply r;
    for (int i = 0; i < 10; i++) {
        snprintf(path, sizeof(path), "/v1/track?number=%s&email=guess%d%%40example.com", mine, i);
        cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &r), 404, "guess %d: %s", i, r.body);
    }
    /* Now even the right e-mail is refused for a while: the number is being guessed at. */
    snprintf(path, sizeof(path), "/v1/track?number=%s&email=cara.track%%40example.com", mine);
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &r), 429, "%s", r.body);
    char retry[32];
    cr_assert(header_value(&r, "Retry-After", retry, sizeof(retry)), "%s", r.headers);
    cr_assert_gt(strtol(retry, NULL, 10), 0);
}

Test(session, track_returns_only_for_the_order_of_that_number_and_email)
{
    char mine[32];
    char other[32];
    track_order("T-4", "dan.track@example.com", mine, sizeof(mine));
    track_order("T-5", "eve.track@example.com", other, sizeof(other));
    const char *body = "{\"location\":\"DC-EAST\",\"lines\":[{\"line_id\":\"lin_x\",\"qty\":1,"
                       "\"reason\":\"too_small\"}]}";
    char path[256];
    struct reply r;
    snprintf(path, sizeof(path), "/v1/track/returns?number=%s&email=eve.track%%40example.com",
             mine);
    cr_assert_eq(send_req("POST", path, NULL, NULL, body, &r), 404, "%s", r.body);
    snprintf(path, sizeof(path), "/v1/track/returns?number=%s&email=dan.track%%40example.com",
             mine);
    cr_assert_eq(send_req("POST", path, NULL, NULL,
                          "{\"location\":\"DC-EAST\",\"resolution\":\"exchange\",\"lines\":[]}",
                          &r),
                 422, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"field\":\"resolution\""), "%s", r.body);
    cr_assert_eq(send_req("POST", path, NULL, NULL, "{\"order_id\":\"ord_someone_else\"}", &r), 404,
                 "%s", r.body);
    /* Nothing shipped yet: the returns engine refuses, and nothing is created. */
    long status = send_req("POST", path, NULL, NULL, body, &r);
    cr_assert(status >= 400 && status < 500, "%ld %s", status, r.body);
}

/* ---- people management (round 2) -------------------------------------------------------- */

/* Runs `ordo user ARGS --db DB`, feeding stdin_line when not NULL; output into out. */
static int user_cli(const char *args, const char *stdin_line, char *out, size_t out_size)
{
    char cmd[2048];
    char path[1024];
    snprintf(path, sizeof(path), "%s/cli-out", g_server.dir); /* db_path may be a URL */
    snprintf(cmd, sizeof(cmd), "%s user %s --db %s >%s 2>&1", test_server_binary(), args,
             g_server.db_path, path);
    FILE *p = popen(cmd, "w");
    cr_assert_not_null(p);
    if (stdin_line != NULL) {
        fprintf(p, "%s\n", stdin_line);
    }
    int status = pclose(p);
    FILE *f = fopen(path, "r");
    cr_assert_not_null(f);
    size_t n = fread(out, 1, out_size - 1, f);
    out[n] = '\0';
    fclose(f);
    remove(path);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void expect_signed_out(const char *cookie)
{
    struct reply r;
    cr_assert_eq(send_req("GET", "/v1/session", cookie, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_str_eq(r.body, "{\"signed_in\":false}");
}

static void expect_sign_in_fails(const char *email, const char *password)
{
    char body[256];
    snprintf(body, sizeof(body), "{\"email\":\"%s\",\"password\":\"%s\"}", email, password);
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL, body, &r), 401, "%s", r.body);
}

Test(session, an_admin_manages_people_and_their_sessions_end)
{
    cr_assert_eq(user_create("root@example.com", "admin", NULL, NULL, PASSWORD), 0);
    cr_assert_eq(user_create("op@example.com", "operator", NULL, NULL, PASSWORD), 0);
    char root[256], root_csrf[128], op[256], op_csrf[128];
    sign_in("root@example.com", PASSWORD, root, sizeof(root), root_csrf, sizeof(root_csrf));
    sign_in("op@example.com", PASSWORD, op, sizeof(op), op_csrf, sizeof(op_csrf));
    struct reply r;
    cr_assert_eq(send_req("GET", "/v1/users", root, NULL, NULL, &r), 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"email\":\"op@example.com\",\"role\":\"operator\""), "%s",
                       r.body);
    cr_assert_null(strstr(r.body, "argon2"), "%s", r.body);
    /* Not an admin: 403, and nothing changes. */
    cr_assert_eq(send_req("GET", "/v1/users", op, NULL, NULL, &r), 403, "%s", r.body);
    cr_assert_eq(
        send_req("PATCH", "/v1/users/root@example.com", op, op_csrf, "{\"disabled\":true}", &r),
        403, "%s", r.body);
    /* A new role ends the sessions; the next sign-in has it. */
    cr_assert_eq(send_req("PATCH", "/v1/users/op@example.com", root, root_csrf,
                          "{\"role\":\"analyst\"}", &r),
                 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"role\":\"analyst\""), "%s", r.body);
    expect_signed_out(op);
    sign_in("op@example.com", PASSWORD, op, sizeof(op), op_csrf, sizeof(op_csrf));
    cr_assert_eq(send_req("GET", "/v1/orders", op, NULL, NULL, &r), 403, "%s", r.body);
    /* Disabled: the session ends and signing in fails as a wrong password does. */
    cr_assert_eq(
        send_req("PATCH", "/v1/users/op@example.com", root, root_csrf, "{\"disabled\":true}", &r),
        200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"disabled\":true"), "%s", r.body);
    expect_signed_out(op);
    expect_sign_in_fails("op@example.com", PASSWORD);
    cr_assert_eq(
        send_req("PATCH", "/v1/users/op@example.com", root, root_csrf, "{\"disabled\":false}", &r),
        200, "%s", r.body);
    sign_in("op@example.com", PASSWORD, op, sizeof(op), op_csrf, sizeof(op_csrf));
    /* A new password: the old one fails, the new one works, the session ended. */
    cr_assert_eq(send_req("PATCH", "/v1/users/op@example.com", root, root_csrf,
                          "{\"password\":\"a brand new passphrase\"}", &r),
                 200, "%s", r.body);
    expect_signed_out(op);
    expect_sign_in_fails("op@example.com", PASSWORD);
    sign_in("op@example.com", "a brand new passphrase", op, sizeof(op), op_csrf, sizeof(op_csrf));
    /* Same role, another scope: what the session may do changes, so it ends too. */
    cr_assert_eq(send_req("PATCH", "/v1/users/op@example.com", root, root_csrf,
                          "{\"role\":\"customer\",\"scope\":\"ana@example.com\"}", &r),
                 200, "%s", r.body);
    sign_in("op@example.com", "a brand new passphrase", op, sizeof(op), op_csrf, sizeof(op_csrf));
    cr_assert_eq(send_req("PATCH", "/v1/users/op@example.com", root, root_csrf,
                          "{\"role\":\"customer\",\"scope\":\"bob@example.com\"}", &r),
                 200, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"scope\":\"bob@example.com\""), "%s", r.body);
    expect_signed_out(op);
    /* The admin's own session lived through all of it. */
    cr_assert_eq(send_req("GET", "/v1/users", root, NULL, NULL, &r), 200, "%s", r.body);
}

Test(session, people_management_refuses_bad_changes)
{
    cr_assert_eq(user_create("root@example.com", "admin", NULL, NULL, PASSWORD), 0);
    cr_assert_eq(user_create("op@example.com", "operator", NULL, NULL, PASSWORD), 0);
    char root[256], csrf[128];
    sign_in("root@example.com", PASSWORD, root, sizeof(root), csrf, sizeof(csrf));

    struct {
        const char *method, *path, *body;
        long status;
        const char *needle;
    } cases[] = {
        {"PATCH", "/v1/users/root@example.com", "{\"disabled\":true}", 409, "yourself"},
        {"PATCH", "/v1/users/root@example.com", "{\"role\":\"operator\"}", 409, "yourself"},
        {"PATCH", "/v1/users/op@example.com", "{\"role\":\"boss\"}", 422, "\"field\":\"role\""},
        {"PATCH", "/v1/users/op@example.com", "{\"role\":\"warehouse\"}", 422,
         "\"field\":\"scope\""},
        {"PATCH", "/v1/users/op@example.com", "{\"role\":\"warehouse\",\"scope\":\"NOWHERE\"}", 422,
         "\"field\":\"scope\""},
        {"PATCH", "/v1/users/op@example.com", "{\"scope\":\"web\"}", 422, "\"field\":\"scope\""},
        {"PATCH", "/v1/users/op@example.com", "{\"disabled\":\"yes\"}", 422,
         "\"field\":\"disabled\""},
        {"PATCH", "/v1/users/op@example.com", "{\"password\":\"short\"}", 422,
         "\"field\":\"password\""},
        {"PATCH", "/v1/users/op@example.com", "{\"admin\":true}", 422, "\"field\":\"admin\""},
        {"PATCH", "/v1/users/op@example.com", "{}", 422, "nothing to change"},
        {"PATCH", "/v1/users/op@example.com", "[1]", 422, "object"},
        {"PATCH", "/v1/users/op@example.com", "{\"role\":", 400, "not JSON"},
        {"PATCH", "/v1/users/nobody@example.com", "{\"disabled\":true}", 404, "no user"},
        {"POST", "/v1/users",
         "{\"email\":\"op@example.com\",\"password\":\"" PASSWORD "\",\"role\":\"analyst\"}", 409,
         "exists"},
        {"POST", "/v1/users", "{\"email\":\"x@example.com\",\"password\":\"" PASSWORD "\"}", 422,
         "\"field\":\"role\""},
        {"POST", "/v1/users", "{\"email\":\"x@example.com\",\"role\":\"analyst\"}", 422,
         "\"field\":\"password\""},
    };
    struct reply r;
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        cr_expect_eq(send_req(cases[i].method, cases[i].path, root, csrf, cases[i].body, &r),
                     cases[i].status, "%s %s: %s", cases[i].path, cases[i].body, r.body);
        cr_expect_not_null(strstr(r.body, cases[i].needle), "%s: %s", cases[i].body, r.body);
    }
    /* Without the CSRF token nothing changes. */
    cr_assert_eq(
        send_req("PATCH", "/v1/users/op@example.com", root, NULL, "{\"disabled\":true}", &r), 403,
        "%s", r.body);
    cr_assert_eq(send_req("GET", "/v1/users/op@example.com", root, NULL, NULL, &r), 200);
    cr_assert_not_null(strstr(r.body, "\"role\":\"operator\",\"scope\":null,\"disabled\":false"),
                       "%s", r.body);
    /* A new user from the API signs in. */
    cr_assert_eq(send_req("POST", "/v1/users", root, csrf,
                          "{\"email\":\"Wh@Example.com\",\"password\":\"" PASSWORD
                          "\",\"role\":\"warehouse\",\"scope\":\"DC-NONE\"}",
                          &r),
                 422, "%s", r.body);
    cr_assert_eq(send_req("POST", "/v1/users", root, csrf,
                          "{\"email\":\"Cu@Example.com\",\"password\":\"" PASSWORD
                          "\",\"role\":\"customer\",\"scope\":\"Ana@Example.com\"}",
                          &r),
                 201, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"email\":\"cu@example.com\",\"role\":\"customer\","
                                      "\"scope\":\"ana@example.com\""),
                       "%s", r.body);
    char cu[256], cu_csrf[128];
    sign_in("cu@example.com", PASSWORD, cu, sizeof(cu), cu_csrf, sizeof(cu_csrf));
}

Test(session, the_cli_lists_disables_enables_and_sets_passwords)
{
    cr_assert_eq(user_create("root@example.com", "admin", NULL, NULL, PASSWORD), 0);
    cr_assert_eq(user_create("an@example.com", "analyst", NULL, NULL, PASSWORD), 0);
    char out[4096];
    cr_assert_eq(user_cli("list", NULL, out, sizeof(out)), 0, "%s", out);
    cr_assert_not_null(strstr(out, "an@example.com"), "%s", out);
    cr_assert_not_null(strstr(out, "analyst"), "%s", out);
    char an[256], csrf[128];
    sign_in("an@example.com", PASSWORD, an, sizeof(an), csrf, sizeof(csrf));
    cr_assert_eq(user_cli("disable --email AN@example.com", NULL, out, sizeof(out)), 0, "%s", out);
    expect_signed_out(an);
    expect_sign_in_fails("an@example.com", PASSWORD);
    cr_assert_eq(user_cli("list", NULL, out, sizeof(out)), 0, "%s", out);
    cr_assert_not_null(strstr(out, "disabled"), "%s", out);
    cr_assert_eq(user_cli("enable --email an@example.com", NULL, out, sizeof(out)), 0, "%s", out);
    cr_assert_eq(user_cli("password --email an@example.com --password-stdin", "another passphrase",
                          out, sizeof(out)),
                 0, "%s", out);
    expect_sign_in_fails("an@example.com", PASSWORD);
    sign_in("an@example.com", "another passphrase", an, sizeof(an), csrf, sizeof(csrf));
    /* Refusals: a short password, an unknown user, the last admin, bad command lines. */
    cr_assert_eq(
        user_cli("password --email an@example.com --password-stdin", "short", out, sizeof(out)), 1,
        "%s", out);
    cr_assert_eq(user_cli("disable --email nobody@example.com", NULL, out, sizeof(out)), 1, "%s",
                 out);
    cr_assert_eq(user_cli("disable --email root@example.com", NULL, out, sizeof(out)), 1, "%s",
                 out);
    cr_assert_not_null(strstr(out, "last enabled admin"), "%s", out);
    cr_assert_eq(user_cli("disable", NULL, out, sizeof(out)), 2, "%s", out);
    cr_assert_eq(user_cli("list --email an@example.com", NULL, out, sizeof(out)), 2, "%s", out);
    cr_assert_eq(user_cli("enable --email an@example.com --role admin", NULL, out, sizeof(out)), 2,
                 "%s", out);
    cr_assert_eq(user_cli("remove --email an@example.com", NULL, out, sizeof(out)), 2, "%s", out);
}

/* ---- limits per client address (round 2) ------------------------------------------------ */

/* Records n failures under key (as the server does) a second ago: the 15-minute window is
 * not waited for, and n - 1 requests are not made (each sign-in costs an argon2id check). */
static void seed_failures(const char *key, int n)
{
    char sql[8192] = "";
    size_t len = 0;
    for (int i = 0; i < n; i++) {
        int w = snprintf(sql + len, sizeof(sql) - len,
                         "INSERT INTO login_failures (email, at) VALUES ('%s', %lld);", key,
                         (long long)time(NULL) * 1000 - 1000);
        cr_assert(w > 0 && (size_t)w < sizeof(sql) - len, "seed statements too long");
        len += (size_t)w;
    }
    char out[1024];
    cr_assert_eq(test_server_sql(&g_server, sql, out, sizeof(out)), 0, "%s", out);
}

/* The sqlite3 shell prints the count alone; psql in a table: the first line of digits. */
static int count_failures(const char *key)
{
    char sql[256];
    snprintf(sql, sizeof(sql), "SELECT count(*) FROM login_failures WHERE email = '%s'", key);
    char out[1024];
    cr_assert_eq(test_server_sql(&g_server, sql, out, sizeof(out)), 0, "%s", out);
    for (char *line = out; *line != '\0';) {
        char *end = strchr(line, '\n');
        if (end != NULL) {
            *end = '\0';
        }
        while (*line == ' ') {
            line++;
        }
        if (*line >= '0' && *line <= '9' && strspn(line, "0123456789 ") == strlen(line)) {
            return (int)strtol(line, NULL, 10);
        }
        if (end == NULL) {
            break;
        }
        line = end + 1;
    }
    cr_assert_fail("no count in the output: %s", out);
    return -1;
}

Test(session, sign_in_failures_from_one_address_are_limited_for_every_email)
{
    cr_assert_eq(user_create("ip@example.com", "analyst", NULL, NULL, PASSWORD), 0);
    /* Failures of different e-mails count for the address (127.0.0.1: the test's). */
    expect_sign_in_fails("nobody1@example.com", "wrong password");
    expect_sign_in_fails("nobody2@example.com", "wrong password");
    cr_assert_eq(count_failures("ip:127.0.0.1"), 2);
    seed_failures("ip:127.0.0.1", 27);
    /* 29 so far: one more failure is still an ordinary 401 ... */
    expect_sign_in_fails("nobody3@example.com", "wrong password");
    /* ... and then even the right password of another e-mail waits. */
    struct reply r;
    cr_assert_eq(send_req("POST", "/v1/session", NULL, NULL,
                          "{\"email\":\"ip@example.com\",\"password\":\"" PASSWORD "\"}", &r),
                 429, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"code\":\"rate_limited\""), "%s", r.body);
    char retry[32];
    cr_assert(header_value(&r, "Retry-After", retry, sizeof(retry)), "%s", r.headers);
    long seconds = strtol(retry, NULL, 10);
    cr_assert_gt(seconds, 0);
    cr_assert_leq(seconds, 15 * 60);
    cr_assert_eq(count_failures("ip:127.0.0.1"), 30, "a refused attempt is not counted again");
    /* The e-mail itself is not locked out: another address would still sign it in. */
    cr_assert_eq(count_failures("ip@example.com"), 0);
}

Test(session, track_misses_from_one_address_are_limited_for_every_number)
{
    char mine[32];
    track_order("T-9", "ip.track@example.com", mine, sizeof(mine));
    char path[256];
    struct reply r;
    seed_failures("track:ip:127.0.0.1", 29);
    /* The 30th miss is still a 404 (another number and e-mail each time) ... */
    cr_assert_eq(
        send_req("GET", "/v1/track?number=SO-77&email=x1%40example.com", NULL, NULL, NULL, &r), 404,
        "%s", r.body);
    cr_assert_eq(count_failures("track:ip:127.0.0.1"), 30);
    /* ... then the right number and e-mail from that address wait too. */
    snprintf(path, sizeof(path), "/v1/track?number=%s&email=ip.track%%40example.com", mine);
    cr_assert_eq(send_req("GET", path, NULL, NULL, NULL, &r), 429, "%s", r.body);
    cr_assert_not_null(strstr(r.body, "\"code\":\"rate_limited\""), "%s", r.body);
    char retry[32];
    cr_assert(header_value(&r, "Retry-After", retry, sizeof(retry)), "%s", r.headers);
    cr_assert_gt(strtol(retry, NULL, 10), 0);
}
