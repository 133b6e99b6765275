/*
 * test_channel.c — goal: the six channel kinds and channel validation. Method: the list by
 * value, then one valid channel broken one field at a time.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "core/channel.h"
#include "core/limits.h"

Test(channel, kinds)
{
    static const char *const kinds[] = {"web", "marketplace", "pos", "mobile", "b2b", "edi"};
    cr_assert_eq(channel_kinds_count, ARRAY_LEN(kinds));
    for (size_t i = 0; i < ARRAY_LEN(kinds); i++) {
        cr_expect_str_eq(channel_kinds[i], kinds[i]);
        cr_expect(channel_kind_is_valid(kinds[i]));
    }
    cr_expect(!channel_kind_is_valid("Web"));
    cr_expect(!channel_kind_is_valid("fax"));
    cr_expect(!channel_kind_is_valid(NULL));
}

Test(channel, validate)
{
    struct err err = {0};
    struct channel c = {.code = "amazon-us", .kind = "marketplace", .name = "Amazon US"};
    cr_expect_eq(channel_validate(&c, &err), ERR_OK);
    c.name = NULL;
    cr_expect_eq(channel_validate(&c, &err), ERR_OK, "the name is optional");
    c.code = "amazon us";
    cr_expect_eq(channel_validate(&c, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "code");
    c.code = "amazon-us";
    c.kind = "shop";
    cr_expect_eq(channel_validate(&c, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "kind");
    c.kind = "web";
    c.name = "";
    cr_expect_eq(channel_validate(&c, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "name");
    char name[NAME_LEN_MAX + 2];
    memset(name, 'n', sizeof(name) - 1);
    name[sizeof(name) - 1] = '\0';
    c.name = name;
    cr_expect_eq(channel_validate(&c, &err), ERR_INVALID);
    cr_expect_str_eq(err.field, "name");
}
