/*
 * channel.h — a sales channel orders come from (web, marketplace, pos, mobile, b2b, edi, or
 * one the merchant adds).
 */
#ifndef ORDO_CORE_CHANNEL_H
#define ORDO_CORE_CHANNEL_H

#include "lib/base.h"
#include "lib/err.h"

struct channel {
    const char *code; /* unique, as a location code */
    const char *kind; /* one of channel_kinds */
    const char *name;
    int64_t created_at_ms;
};

/* The kinds a channel may have; also the codes of the channels a new database starts with. */
extern const char *const channel_kinds[];
extern const size_t channel_kinds_count;

bool channel_kind_is_valid(const char *kind);

/* Validates a channel as created (code form, kind, name length). */
MUST_CHECK enum err_code channel_validate(const struct channel *channel, struct err *err);

#endif
