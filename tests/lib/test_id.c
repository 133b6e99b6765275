/*
 * test_id.c — goal: ids have their format (prefix, '_', 26 Crockford base32 characters whose
 * first 10 are the milliseconds), the ids of one process strictly increase in the order they
 * are made — within a millisecond, with a clock reading older than the last id's, from several
 * threads at once — and they keep 65 random bits.
 * Method: ids made in loops and from 4 threads, compared as strings.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "lib/id.h"

#define NOW_MS 1795910400000LL

static void setup(void)
{
    cr_assert_eq(id_init(), ERR_OK);
}

TestSuite(id, .init = setup);

static const char base32[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/* The milliseconds of an id's first 10 characters. */
static int64_t id_ms(const char *id)
{
    const char *ulid = strchr(id, '_') + 1;
    int64_t ms = 0;
    for (int i = 0; i < 10; i++) {
        ms = ms * 32 + (int64_t)(strchr(base32, ulid[i]) - base32);
    }
    return ms;
}

Test(id, format_and_time)
{
    char id[ID_LEN_MAX];
    id_new(id, "ord", NOW_MS + 1000000); /* later than any id made before in this test */
    cr_assert_eq(strncmp(id, "ord_", 4), 0, "%s", id);
    cr_assert_eq(strlen(id), 4 + 26, "%s", id);
    for (size_t i = 4; i < strlen(id); i++) {
        cr_assert_not_null(strchr(base32, id[i]), "%s", id);
    }
    cr_expect_eq(id_ms(id), NOW_MS + 1000000, "%s", id);
}

Test(id, one_after_another_increase)
{
    char last[ID_LEN_MAX] = "";
    char id[ID_LEN_MAX];
    for (int i = 0; i < 100000; i++) {
        /* Many ids per millisecond, and clock readings that go back. */
        int64_t now = NOW_MS + i / 1000 - (i % 7 == 0 ? 5 : 0);
        id_new(id, "lin", now);
        cr_assert_gt(strcmp(id, last), 0, "%s after %s", id, last);
        cr_assert_geq(id_ms(id), now, "%s at %lld", id, (long long)now);
        memcpy(last, id, sizeof(id));
    }
}

Test(id, random_part_differs)
{
    char a[ID_LEN_MAX];
    char b[ID_LEN_MAX];
    int same = 0;
    for (int i = 0; i < 1000; i++) {
        id_new(a, "alc", NOW_MS);
        id_new(b, "alc", NOW_MS);
        same += memcmp(a + 4 + 13, b + 4 + 13, 13) == 0; /* the 13 random characters */
    }
    cr_expect_eq(same, 0, "65 random bits repeat only by chance");
}

#define THREAD_IDS 20000

static void *make_ids(void *arg)
{
    char(*ids)[ID_LEN_MAX] = arg;
    for (int i = 0; i < THREAD_IDS; i++) {
        id_new(ids[i], "shp", NOW_MS + i / 500);
    }
    return NULL;
}

static int compare_ids(const void *a, const void *b)
{
    return strcmp(a, b);
}

Test(id, threads_increase_each_and_never_collide)
{
    enum { THREADS = 4 };

    char(*ids)[ID_LEN_MAX] = calloc((size_t)THREADS * THREAD_IDS, ID_LEN_MAX);
    cr_assert_not_null(ids);
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        cr_assert_eq(pthread_create(&threads[t], NULL, make_ids, ids + (size_t)t * THREAD_IDS), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        cr_assert_eq(pthread_join(threads[t], NULL), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        for (int i = 1; i < THREAD_IDS; i++) {
            const char *prev = ids[(size_t)t * THREAD_IDS + (size_t)i - 1];
            const char *cur = ids[(size_t)t * THREAD_IDS + (size_t)i];
            cr_assert_gt(strcmp(cur, prev), 0, "thread %d: %s after %s", t, cur, prev);
        }
    }
    /* Sorted, no two of the 80,000 are equal even in their first 13 characters. */
    qsort(ids, (size_t)THREADS * THREAD_IDS, ID_LEN_MAX, compare_ids);
    for (size_t i = 1; i < (size_t)THREADS * THREAD_IDS; i++) {
        cr_assert_neq(strncmp(ids[i], ids[i - 1], 4 + 13), 0, "%s and %s", ids[i - 1], ids[i]);
    }
    free(ids);
}
