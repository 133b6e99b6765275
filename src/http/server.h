/*
 * server.h — the HTTP server: libmicrohttpd on one listening address, routing each request
 * to a handler that parses, calls one app function and renders. Only http/ includes
 * <microhttpd.h> or <jansson.h>.
 */
#ifndef ORDO_HTTP_SERVER_H
#define ORDO_HTTP_SERVER_H

#include "app/app.h"
#include "lib/base.h"
#include "lib/err.h"

struct http_server;

struct http_server_options {
    const char *host; /* numeric IPv4 or IPv6 address to bind, e.g. "127.0.0.1" */
    uint16_t port;    /* 0 picks a free port (see http_server_port) */
};

/* Starts serving in background threads; the app must outlive the server. */
MUST_CHECK enum err_code http_server_start(struct app *app,
                                           const struct http_server_options *options,
                                           struct http_server **out, struct err *err);

/* The port actually bound. */
uint16_t http_server_port(const struct http_server *server);

/* Stops accepting, lets requests in flight finish, frees the server. */
void http_server_stop(struct http_server *server);

#endif
