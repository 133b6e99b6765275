/*
 * web_assets.h — the web console's files (web/dist), embedded in the binary by
 * scripts/gen-web.sh at build time (build/gen/web_assets.c) and served by static.c.
 */
#ifndef ORDO_HTTP_WEB_ASSETS_H
#define ORDO_HTTP_WEB_ASSETS_H

#include <stddef.h>

struct web_asset {
    const char *path;         /* "/index.html", "/assets/app-HASH.js" */
    const char *content_type; /* "text/html; charset=utf-8" ... */
    const char *etag;         /* "\"<16 hex digits of SHA-256>\"" */
    int immutable;            /* 1: the name carries a content hash (cache for a year) */
    const unsigned char *data;
    size_t len;
};

extern const struct web_asset web_assets[];
extern const size_t web_assets_count;

#endif
