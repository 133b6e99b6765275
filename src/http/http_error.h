/*
 * http_error.h — the one mapping from enum err_code to an HTTP status and the error body
 * {"error": {"code", "message", "field", "skus"|"items"}}. Nothing else in Ordo knows
 * which status an error code answers.
 */
#ifndef ORDO_HTTP_HTTP_ERROR_H
#define ORDO_HTTP_HTTP_ERROR_H

#include "lib/base.h"
#include "lib/buf.h"
#include "lib/err.h"

/* The HTTP status of an error code (500 for ERR_STORE, ERR_INTERNAL and anything unknown). */
int http_error_status(enum err_code code);

/*
 * Appends the error body of err to body. "field" is written only when err->field is set;
 * err->items (comma separated) becomes "skus" for ERR_STOCK and "items" otherwise. The
 * message of a 500 is replaced by a generic one (the detail is logged, not sent).
 * ERR_TOO_LARGE when body cannot hold it.
 */
MUST_CHECK enum err_code http_error_render(const struct err *err, struct buf *body);

#endif
