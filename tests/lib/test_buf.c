/*
 * test_buf.c — goal: the buffer stays NUL-terminated, grows, and refuses appends past len_max
 * without changing what it holds. Method: direct calls at and around the limit.
 */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "lib/buf.h"

Test(buf, appends)
{
    struct buf b;
    buf_init(&b, 1 << 20);
    cr_expect_str_eq(b.ptr, "");
    cr_expect_eq(buf_appends(&b, "SO-"), ERR_OK);
    cr_expect_eq(buf_appendf(&b, "%d", 1001), ERR_OK);
    cr_expect_eq(buf_appendc(&b, '!'), ERR_OK);
    cr_expect_str_eq(b.ptr, "SO-1001!");
    cr_expect_eq(b.len, 8);
    char big[1000];
    memset(big, 'x', sizeof(big));
    for (int i = 0; i < 100; i++) {
        cr_assert_eq(buf_append(&b, big, sizeof(big)), ERR_OK);
    }
    cr_expect_eq(b.len, 100008);
    cr_expect_eq(b.ptr[b.len], '\0');
    cr_expect_eq(buf_appendf(&b, "%0500d", 7), ERR_OK, "long formatted output");
    cr_expect_eq(b.len, 100508);
    buf_clear(&b);
    cr_expect_str_eq(b.ptr, "");
    buf_release(&b);
}

Test(buf, len_max)
{
    struct buf b;
    buf_init(&b, 10);
    cr_expect_eq(buf_appends(&b, "0123456789"), ERR_OK, "exactly len_max");
    cr_expect_eq(buf_appendc(&b, 'x'), ERR_TOO_LARGE);
    cr_expect_str_eq(b.ptr, "0123456789", "unchanged after a refused append");
    buf_clear(&b);
    cr_expect_eq(buf_appends(&b, "01234"), ERR_OK);
    cr_expect_eq(buf_appends(&b, "567890"), ERR_TOO_LARGE);
    cr_expect_str_eq(b.ptr, "01234");
    cr_expect_eq(buf_appendf(&b, "%s", "abcdef"), ERR_TOO_LARGE);
    cr_expect_eq(buf_appendf(&b, "%0300d", 1), ERR_TOO_LARGE, "long format past the limit");
    cr_expect_str_eq(b.ptr, "01234");
    cr_expect_eq(buf_append(&b, "x", SIZE_MAX), ERR_TOO_LARGE, "no overflow on huge lengths");
    buf_release(&b);
}

Test(buf, detach)
{
    struct buf b;
    buf_init(&b, 100);
    size_t len = 99;
    char *empty = buf_detach(&b, &len);
    cr_expect_str_eq(empty, "");
    cr_expect_eq(len, 0);
    free(empty);
    cr_expect_eq(buf_appends(&b, "abc"), ERR_OK);
    char *out = buf_detach(&b, &len);
    cr_expect_str_eq(out, "abc");
    cr_expect_eq(len, 3);
    cr_expect_str_eq(b.ptr, "", "usable and empty after detach");
    cr_expect_eq(buf_appends(&b, "d"), ERR_OK);
    cr_expect_str_eq(b.ptr, "d");
    free(out);
    buf_release(&b);
}
