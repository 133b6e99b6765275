/*
 * static.c — serves the web console (issue 8) from the files embedded at build time
 * (web_assets.h): "/" and "/track" are the single page (index.html), other paths name a file
 * of web/dist. Every answer carries an ETag (If-None-Match answers 304), Cache-Control (a
 * year for names with a content hash, revalidate for the page) and a Content-Security-Policy
 * that allows only this origin: the console needs no other site, fonts or CDN.
 */
#include "http/handler.h"

#include <string.h>

#include "http/web_assets.h"

#define STATIC_CSP                                                                                 \
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:;"               \
    " connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none';"                    \
    " form-action 'self'; frame-ancestors 'none'"

bool http_static_wants(const struct http_request *req)
{
    ASSERT(req != NULL);
    const char *path = req->path;
    if (path == NULL) {
        return false;
    }
    if (strncmp(path, "/v1/", 4) == 0 || strcmp(path, "/v1") == 0 ||
        strcmp(path, "/healthz") == 0) {
        return false;
    }
    return true;
}

/* The page's routes ("/", "/track") are index.html; other paths are looked up as they are. */
static const struct web_asset *static_find(const char *path)
{
    if (strcmp(path, "/") == 0 || strcmp(path, "/track") == 0 || strcmp(path, "/track/") == 0) {
        path = "/index.html";
    }
    for (size_t i = 0; i < web_assets_count; i++) {
        if (strcmp(web_assets[i].path, path) == 0) {
            return &web_assets[i];
        }
    }
    return NULL;
}

static void static_headers(struct http_response *resp, const struct web_asset *asset)
{
    http_response_header(resp, "ETag", asset->etag);
    http_response_header(resp, "Cache-Control",
                         asset->immutable ? "public, max-age=31536000, immutable" : "no-cache");
    http_response_header(resp, "Content-Security-Policy", STATIC_CSP);
    http_response_header(resp, "X-Content-Type-Options", "nosniff");
    http_response_header(resp, "Referrer-Policy", "no-referrer");
    http_response_header(resp, "X-Frame-Options", "DENY");
}

HTTP_HANDLER(h_static)
{
    if (strcmp(req->method, "GET") != 0 && strcmp(req->method, "HEAD") != 0) {
        resp->allow = "GET, HEAD";
        return err_set(err, ERR_METHOD, NULL, "%s is not allowed here; allowed: GET, HEAD",
                       req->method);
    }
    const struct web_asset *asset = static_find(req->path);
    if (asset == NULL) {
        return err_set(err, ERR_NOT_FOUND, NULL, "no such path");
    }
    static_headers(resp, asset);
    resp->content_type = asset->content_type;
    const char *match = http_header(req, "If-None-Match");
    if (match != NULL && strcmp(match, asset->etag) == 0) {
        resp->status = 304;
        return ERR_OK;
    }
    if (buf_append(resp->body, asset->data, asset->len) != ERR_OK) {
        return err_set(err, ERR_INTERNAL, NULL, "the file is larger than an answer may be");
    }
    resp->status = 200;
    return ERR_OK;
}
