/*
 * channel.c — the channel kinds (which are also the channels a new database starts with) and
 * validation of a channel as created. A channel code has the form of a location code.
 */
#include "core/channel.h"

#include <string.h>

#include "core/limits.h"
#include "core/location.h"
#include "lib/str.h"

const char *const channel_kinds[] = {"web", "marketplace", "pos", "mobile", "b2b", "edi"};
const size_t channel_kinds_count = ARRAY_LEN(channel_kinds);

bool channel_kind_is_valid(const char *kind)
{
    if (kind == NULL) {
        return false;
    }
    for (size_t i = 0; i < channel_kinds_count; i++) {
        if (strcmp(kind, channel_kinds[i]) == 0) {
            return true;
        }
    }
    return false;
}

enum err_code channel_validate(const struct channel *channel, struct err *err)
{
    ASSERT(channel != NULL);
    ASSERT(err != NULL);
    if (!location_code_is_valid(channel->code)) {
        return err_set(err, ERR_INVALID, "code",
                       "code must be 1 to %d characters of A-Z a-z 0-9 . _ -", CODE_LEN_MAX);
    }
    if (!channel_kind_is_valid(channel->kind)) {
        return err_set(err, ERR_INVALID, "kind",
                       "kind must be one of web, marketplace, pos, mobile, b2b, edi");
    }
    /* The name is optional (the code names the channel); when given it is a sane text. */
    size_t len = channel->name == NULL ? 0 : strlen(channel->name);
    if (channel->name != NULL && (len == 0 || len > NAME_LEN_MAX)) {
        return err_set(err, ERR_INVALID, "name", "name must be 1 to %d bytes, got %zu",
                       NAME_LEN_MAX, len);
    }
    if (len > 0 && !str_is_clean_utf8(channel->name, len)) {
        return err_set(err, ERR_INVALID, "name", "name must be UTF-8 without control characters");
    }
    return ERR_OK;
}
