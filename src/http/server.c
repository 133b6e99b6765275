/*
 * server.c — libmicrohttpd, one thread per connection (a write blocks its connection's
 * thread while the writer group-commits; the other connections keep flowing). Each request
 * gets a context with a capped arena and body buffer on its first callback and answers on
 * its last, never on the first (queuing there turns keep-alive off: DEPENDENCIES.md). This
 * is the only file that includes <microhttpd.h>; the router sees plain structs.
 */
#include "http/server.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <microhttpd.h>

#include "core/limits.h"
#include "http/handler.h"
#include "lib/arena.h"
#include "lib/buf.h"
#include "lib/clock.h"
#include "lib/log.h"
#include "lib/str.h"

#define SERVER_CONNECTIONS_MAX    4000
#define SERVER_TIMEOUT_SECONDS    30u
#define SERVER_THREAD_STACK_BYTES ((size_t)2 * 1024 * 1024)
#define SERVER_DRAIN_MS           10000
#define SERVER_HOST_LEN_MAX       64

struct http_server {
    struct MHD_Daemon *daemon;
    struct app *app;
    uint16_t port;                  /* bound port */
    atomic_long requests_in_flight; /* contexts alive: from first callback to completion */
};

/* One request's state between libmicrohttpd callbacks; freed when the request completes. */
struct server_request {
    struct http_server *server;
    struct arena arena;  /* everything the request parses, reads and renders */
    struct buf body;     /* the upload, up to REQUEST_BODY_BYTES_MAX */
    bool body_too_large; /* the rest of the upload is being discarded; the answer is 413 */
};

static const char *server_lookup(void *lookup_ctx, enum http_value_kind kind, const char *name)
{
    struct MHD_Connection *connection = lookup_ctx;
    enum MHD_ValueKind mhd_kind =
        kind == HTTP_VALUE_HEADER ? MHD_HEADER_KIND : MHD_GET_ARGUMENT_KIND;
    return MHD_lookup_connection_value(connection, mhd_kind, name);
}

/*
 * Leaves the path and query values percent-encoded: the router decodes each path segment
 * on its own (so "%2F" inside an id cannot split it) and request.c decodes query values.
 */
static size_t server_unescape_none(void *cls, struct MHD_Connection *connection, char *s)
{
    UNUSED(cls);
    UNUSED(connection);
    return strlen(s);
}

PRINTF_LIKE(2, 0)

static void server_log(void *cls, const char *fmt, va_list ap)
{
    char line[512];
    UNUSED(cls);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    if (n <= 0) {
        return;
    }
    size_t len = strlen(line);
    if (len > 0 && line[len - 1] == '\n') {
        line[len - 1] = '\0';
    }
    log_warn("http: %s", line);
}

static struct server_request *server_request_new(struct http_server *server,
                                                 struct MHD_Connection *connection)
{
    struct server_request *request = calloc(1, sizeof(*request));
    if (request == NULL) {
        return NULL;
    }
    request->server = server;
    arena_init(&request->arena, (size_t)REQUEST_ARENA_BYTES_MAX);
    buf_init(&request->body, (size_t)REQUEST_BODY_BYTES_MAX);
    /* Refuse early by the announced size; the upload is still read and dropped. */
    const char *length =
        MHD_lookup_connection_value(connection, MHD_HEADER_KIND, MHD_HTTP_HEADER_CONTENT_LENGTH);
    int64_t announced = 0;
    if (length != NULL && str_to_i64(str_from_cstr(length), &announced) == ERR_OK &&
        announced > (int64_t)REQUEST_BODY_BYTES_MAX) {
        request->body_too_large = true;
    }
    atomic_fetch_add(&server->requests_in_flight, 1);
    return request;
}

static void server_request_free(struct server_request *request)
{
    atomic_fetch_sub(&request->server->requests_in_flight, 1);
    arena_release(&request->arena);
    buf_release(&request->body);
    free(request);
}

static void server_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                             enum MHD_RequestTerminationCode toe)
{
    UNUSED(cls);
    UNUSED(connection);
    UNUSED(toe);
    struct server_request *request = *con_cls;
    if (request != NULL) {
        server_request_free(request);
        *con_cls = NULL;
    }
}

static void server_upload(struct server_request *request, const char *data, size_t size)
{
    if (request->body_too_large) {
        return;
    }
    if (buf_append(&request->body, data, size) != ERR_OK) {
        request->body_too_large = true;
        buf_release(&request->body);
        buf_init(&request->body, (size_t)REQUEST_BODY_BYTES_MAX);
    }
}

/* The peer's address as text in the arena (web console round 2: per-address limits);
 * struct http_request's peer, called only by the requests that ask (http_client_ip). */
static const char *server_client_ip(void *lookup_ctx, struct arena *arena)
{
    struct MHD_Connection *connection = lookup_ctx;
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(connection, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (info == NULL || info->client_addr == NULL) {
        return NULL;
    }
    char text[INET6_ADDRSTRLEN];
    const struct sockaddr *addr = info->client_addr;
    const void *raw = NULL;
    if (addr->sa_family == AF_INET) {
        raw = &((const struct sockaddr_in *)(const void *)addr)->sin_addr;
    } else if (addr->sa_family == AF_INET6) {
        raw = &((const struct sockaddr_in6 *)(const void *)addr)->sin6_addr;
    }
    if (raw == NULL || inet_ntop(addr->sa_family, raw, text, sizeof(text)) == NULL) {
        return NULL;
    }
    return arena_strdup(arena, text);
}

/* Routes the complete request and queues its answer (JSON unless the handler set a type). */
static enum MHD_Result server_respond(struct server_request *request,
                                      struct MHD_Connection *connection, const char *url,
                                      const char *method)
{
    struct http_request req;
    memset(&req, 0, sizeof(req));
    req.method = method;
    req.path = url;
    req.body = request->body.ptr;
    req.body_len = request->body.len;
    req.body_too_large = request->body_too_large;
    req.lookup = server_lookup;
    req.lookup_ctx = connection;
    req.ctx.app = request->server->app;
    req.ctx.arena = &request->arena;
    req.ctx.now_ms = clock_now_ms();
    req.peer = server_client_ip;
    struct buf out;
    buf_init(&out, (size_t)RESPONSE_BYTES_MAX);
    struct http_response resp = {.status = 500, .body = &out, .allow = NULL};
    router_handle(&req, &resp);
    size_t len = 0;
    char *text = buf_detach(&out, &len);
    buf_release(&out);
    if (text == NULL) {
        return MHD_NO;
    }
    struct MHD_Response *response =
        MHD_create_response_from_buffer(len, text, MHD_RESPMEM_MUST_FREE);
    if (response == NULL) {
        free(text);
        return MHD_NO;
    }
    enum MHD_Result result =
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE,
                                resp.content_type != NULL ? resp.content_type : "application/json");
    if (result == MHD_YES && resp.allow != NULL) {
        result = MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, resp.allow);
    }
    /* Web console (issue 8): Set-Cookie, Retry-After, ETag, Cache-Control, CSP ... */
    for (size_t i = 0; result == MHD_YES && i < resp.headers_count; i++) {
        result = MHD_add_response_header(response, resp.headers[2 * i], resp.headers[2 * i + 1]);
    }
    if (result == MHD_YES) {
        result = MHD_queue_response(connection, (unsigned)resp.status, response);
    }
    MHD_destroy_response(response);
    return result;
}

/* libmicrohttpd fixes this callback's eight parameters (MHD_AccessHandlerCallback). */
// NOLINTNEXTLINE(readability-function-size)
static enum MHD_Result server_access(void *cls, struct MHD_Connection *connection, const char *url,
                                     const char *method, const char *version,
                                     const char *upload_data, size_t *upload_data_size,
                                     void **con_cls)
{
    struct http_server *server = cls;
    struct server_request *request = *con_cls;
    UNUSED(version);
    if (request == NULL) {
        /* First call, headers only: answering here would cost keep-alive. */
        request = server_request_new(server, connection);
        if (request == NULL) {
            return MHD_NO;
        }
        *con_cls = request;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        server_upload(request, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return server_respond(request, connection, url, method);
}

/* A numeric IPv4 or IPv6 address ("::1" or "[::1]") and port into addr. */
static enum err_code server_address(const struct http_server_options *options,
                                    struct sockaddr_storage *addr, unsigned *flags, struct err *err)
{
    char host[SERVER_HOST_LEN_MAX];
    const char *given = options->host == NULL ? "127.0.0.1" : options->host;
    size_t len = strlen(given);
    if (len >= 2 && given[0] == '[' && given[len - 1] == ']') {
        given++;
        len -= 2;
    }
    if (len >= sizeof(host)) {
        return err_set(err, ERR_INVALID, "listen", "the listen host is too long");
    }
    memcpy(host, given, len);
    host[len] = '\0';
    memset(addr, 0, sizeof(*addr));
    struct sockaddr_in *v4 = (struct sockaddr_in *)addr;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons(options->port);
        return ERR_OK;
    }
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)addr;
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons(options->port);
        *flags |= MHD_USE_IPv6;
        return ERR_OK;
    }
    return err_set(err, ERR_INVALID, "listen",
                   "the listen host must be a numeric IPv4 or IPv6 address, got \"%s\"", host);
}

/* A thread and a socket per connection: make room for the connection limit if allowed. */
static void server_raise_fd_limit(void)
{
    struct rlimit limit;
    rlim_t want = (rlim_t)SERVER_CONNECTIONS_MAX + 256;
    if (getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur >= want) {
        return;
    }
    limit.rlim_cur = limit.rlim_max < want ? limit.rlim_max : want;
    if (setrlimit(RLIMIT_NOFILE, &limit) != 0) {
        log_warn("http: cannot raise the open-file limit to %llu",
                 (unsigned long long)limit.rlim_cur);
    }
}

static struct MHD_Daemon *server_daemon_start(struct http_server *server,
                                              const struct sockaddr_storage *addr, unsigned flags,
                                              uint16_t port)
{
    /* The logger goes first, or MHD reports option errors through its own. */
    return MHD_start_daemon(
        flags, port, NULL, NULL, server_access, server, MHD_OPTION_EXTERNAL_LOGGER, server_log,
        NULL, MHD_OPTION_SOCK_ADDR, (const struct sockaddr *)addr, MHD_OPTION_CONNECTION_LIMIT,
        (unsigned)SERVER_CONNECTIONS_MAX, MHD_OPTION_CONNECTION_TIMEOUT, SERVER_TIMEOUT_SECONDS,
        MHD_OPTION_NOTIFY_COMPLETED, server_completed, server, MHD_OPTION_UNESCAPE_CALLBACK,
        server_unescape_none, NULL, MHD_OPTION_LISTENING_ADDRESS_REUSE, 1u,
        MHD_OPTION_THREAD_STACK_SIZE, SERVER_THREAD_STACK_BYTES, MHD_OPTION_END);
}

enum err_code http_server_start(struct app *app, const struct http_server_options *options,
                                struct http_server **out, struct err *err)
{
    ASSERT(app != NULL);
    ASSERT(options != NULL);
    ASSERT(out != NULL);
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                     MHD_USE_TURBO | MHD_USE_POLL | MHD_USE_ITC | MHD_USE_ERROR_LOG;
    struct sockaddr_storage addr;
    enum err_code code = server_address(options, &addr, &flags, err);
    if (code != ERR_OK) {
        return code;
    }
    struct http_server *server = calloc(1, sizeof(*server));
    if (server == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory");
    }
    server->app = app;
    atomic_init(&server->requests_in_flight, 0);
    server_raise_fd_limit();
    server->daemon = server_daemon_start(server, &addr, flags, options->port);
    if (server->daemon == NULL) {
        free(server);
        return err_set(err, ERR_INTERNAL, "listen", "cannot listen on %s port %u",
                       options->host == NULL ? "127.0.0.1" : options->host,
                       (unsigned)options->port);
    }
    const union MHD_DaemonInfo *info =
        MHD_get_daemon_info(server->daemon, MHD_DAEMON_INFO_BIND_PORT);
    server->port = info != NULL ? info->port : options->port;
    *out = server;
    return ERR_OK;
}

uint16_t http_server_port(const struct http_server *server)
{
    ASSERT(server != NULL);
    return server->port;
}

void http_server_stop(struct http_server *server)
{
    if (server == NULL) {
        return;
    }
    /* Stop accepting, give the requests in flight time to be answered, then close. */
    MHD_socket listen_fd = MHD_quiesce_daemon(server->daemon);
    if (listen_fd != MHD_INVALID_SOCKET) {
        close(listen_fd);
    }
    struct timespec pause = {.tv_sec = 0, .tv_nsec = 5L * 1000 * 1000};
    for (int waited_ms = 0; waited_ms < SERVER_DRAIN_MS; waited_ms += 5) {
        if (atomic_load(&server->requests_in_flight) <= 0) {
            break;
        }
        nanosleep(&pause, NULL);
    }
    MHD_stop_daemon(server->daemon);
    free(server);
}
