/*
 * test_arena.c — goal: the arena hands out zeroed, aligned memory, never passes its cap, fails
 * exactly the Nth allocation when asked, and is reusable after reset. Method: direct calls.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lib/arena.h"

Test(arena, zeroed_and_aligned)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    for (size_t size = 1; size < 200; size += 7) {
        unsigned char *p = arena_alloc(&a, size);
        cr_assert_not_null(p);
        cr_expect_eq((uintptr_t)p % 16, 0);
        for (size_t i = 0; i < size; i++) {
            cr_assert_eq(p[i], 0);
        }
        memset(p, 0xAB, size);
    }
    char *s = arena_strdup(&a, "hello");
    cr_expect_str_eq(s, "hello");
    cr_expect_null(arena_strdup(&a, NULL));
    char *t = arena_strndup(&a, "hello", 3);
    cr_expect_str_eq(t, "hel");
    char *f = arena_sprintf(&a, "%s-%d", "SO", 1001);
    cr_expect_str_eq(f, "SO-1001");
    int64_t *arr = ARENA_NEW_ARRAY(&a, int64_t, 10);
    cr_assert_not_null(arr);
    cr_expect_null(arena_alloc_array(&a, SIZE_MAX / 2, 4), "count * size overflow");
    arena_release(&a);
}

Test(arena, cap)
{
    struct arena a;
    arena_init(&a, 64 * 1024);
    size_t got = 0;
    for (int i = 0; i < 1000; i++) {
        if (arena_alloc(&a, 1000) == NULL) {
            break;
        }
        got += 1000;
        cr_assert(a.used_bytes <= a.cap_bytes);
    }
    cr_expect(got > 32 * 1024, "most of the cap is usable (%zu)", got);
    cr_expect(got <= 64 * 1024);
    cr_expect_null(arena_alloc(&a, 1000));
    cr_expect_null(arena_alloc(&a, 128 * 1024), "larger than the cap");
    arena_reset(&a);
    cr_expect_not_null(arena_alloc(&a, 1000), "usable again after reset");
    cr_expect(a.used_bytes <= a.cap_bytes);
    arena_release(&a);
}

Test(arena, large_allocation_gets_its_own_chunk)
{
    struct arena a;
    arena_init(&a, 8 * 1024 * 1024);
    void *small = arena_alloc(&a, 10);
    void *big = arena_alloc(&a, 3 * 1024 * 1024);
    cr_assert_not_null(small);
    cr_assert_not_null(big);
    memset(big, 1, 3 * 1024 * 1024);
    arena_release(&a);
}

Test(arena, fault_injection)
{
    struct arena a;
    arena_init(&a, 1 << 20);
    a.fail_at = 3;
    cr_expect_not_null(arena_alloc(&a, 8));
    cr_expect_not_null(arena_alloc(&a, 8));
    cr_expect_null(arena_alloc(&a, 8), "the third fails");
    cr_expect_not_null(arena_alloc(&a, 8), "only the third");
    arena_reset(&a);
    cr_expect_eq(a.allocations_count, 0);
    cr_expect_not_null(arena_alloc(&a, 8));
    cr_expect_not_null(arena_alloc(&a, 8));
    cr_expect_null(arena_strdup(&a, "x"), "counting restarts after reset");
    arena_release(&a);
}
