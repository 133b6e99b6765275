/*
 * test_writer.c — goal: the group-commit writer answers every command exactly once, after its
 * commit is on disk, when commits are flushed apart from COMMIT (SQLite, synchronous=FULL);
 * and a flush that fails fails its commands and every later one instead of acknowledging
 * writes whose durability is unknown. Method: a real SQLite file and the threaded writer,
 * commands submitted from several threads, results read back through a reader connection.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "app/writer.h"
#include "lib/arena.h"
#include "store/store.h"

#define NOW_MS            1795910400000LL
#define THREADS           8
#define COMMANDS_PER_TASK 60

static char g_dir[64];
static char g_path[128];
static struct store *g_store;
static struct writer *g_writer;

static void setup(void)
{
    snprintf(g_dir, sizeof(g_dir), "/tmp/ordo-writer-XXXXXX");
    cr_assert_not_null(mkdtemp(g_dir));
    snprintf(g_path, sizeof(g_path), "%s/writer.db", g_dir);
    struct store_options options = {.path = g_path, .synchronous_full = true, .readers_max = 2};
    struct err err = {0};
    cr_assert_eq(store_open(&options, &g_store, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(store_migrate(g_store, NOW_MS, &err), ERR_OK, "%s", err.message);
    cr_assert_eq(writer_start(g_store, true, &g_writer, &err), ERR_OK, "%s", err.message);
}

static void teardown(void)
{
    writer_stop(g_writer);
    store_close(g_store);
    char path[160];
    const char *suffixes[] = {"", "-wal", "-shm"};
    for (size_t i = 0; i < ARRAY_LEN(suffixes); i++) {
        snprintf(path, sizeof(path), "%s%s", g_path, suffixes[i]);
        unlink(path);
    }
    rmdir(g_dir);
}

TestSuite(writer, .init = setup, .fini = teardown);

/* A command: one event row for the entity named by arg. */
static enum err_code insert_event(struct store_conn *conn, void *arg, struct err *err)
{
    struct event event = {.entity_type = "order",
                          .entity_id = arg,
                          .kind = "order.noted",
                          .data_json = "{}",
                          .created_at_ms = NOW_MS};
    return store_event_insert(conn, &event, err);
}

/* The same, and records that it ran. */
struct counted {
    char entity[32];
    int runs;
};

static enum err_code insert_event_counted(struct store_conn *conn, void *arg, struct err *err)
{
    struct counted *counted = arg;
    counted->runs++;
    struct event event = {.entity_type = "order",
                          .entity_id = counted->entity,
                          .kind = "order.noted",
                          .data_json = "{}",
                          .created_at_ms = NOW_MS};
    return store_event_insert(conn, &event, err);
}

struct task {
    char entity[32];
    int ok;
};

static void *submit_commands(void *arg)
{
    struct task *task = arg;
    for (int i = 0; i < COMMANDS_PER_TASK; i++) {
        struct err err = {0};
        if (writer_run(g_writer, insert_event, task->entity, &err) == ERR_OK) {
            task->ok++;
        }
    }
    return NULL;
}

static size_t events_of(const char *entity)
{
    struct store_conn *reader = NULL;
    struct err err = {0};
    cr_assert_eq(store_reader_acquire(g_store, &reader, &err), ERR_OK, "%s", err.message);
    struct arena arena;
    arena_init(&arena, 4 * 1024 * 1024);
    struct event *events = NULL;
    size_t count = 0;
    cr_assert_eq(store_event_list(reader, &arena, "order", entity, 1000, &events, &count, &err),
                 ERR_OK, "%s", err.message);
    arena_release(&arena);
    store_reader_release(g_store, reader);
    return count;
}

Test(writer, commands_from_many_threads_are_answered_once_flushed)
{
    /* The threaded writer took the flush apart from COMMIT (asking again says so). */
    cr_assert(store_defer_sync(g_store));
    struct task tasks[THREADS];
    pthread_t threads[THREADS];
    for (int t = 0; t < THREADS; t++) {
        tasks[t] = (struct task){.ok = 0};
        snprintf(tasks[t].entity, sizeof(tasks[t].entity), "ord_%d", t);
        cr_assert_eq(pthread_create(&threads[t], NULL, submit_commands, &tasks[t]), 0);
    }
    for (int t = 0; t < THREADS; t++) {
        cr_assert_eq(pthread_join(threads[t], NULL), 0);
    }
    writer_wait_durable(g_writer); /* returns: every commit so far was flushed */
    for (int t = 0; t < THREADS; t++) {
        cr_assert_eq(tasks[t].ok, COMMANDS_PER_TASK, "thread %d: %d answered ok", t, tasks[t].ok);
        cr_assert_eq(events_of(tasks[t].entity), COMMANDS_PER_TASK);
    }
}

Test(writer, a_failed_flush_fails_its_commands_and_every_later_one)
{
    char before[] = "ord_before";
    char lost[] = "ord_lost";
    struct counted after = {.entity = "ord_after", .runs = 0};
    struct err err = {0};
    cr_assert_eq(writer_run(g_writer, insert_event, before, &err), ERR_OK, "%s", err.message);
    /* The WAL disappears under the running server: its flush cannot be done. */
    char wal[160];
    snprintf(wal, sizeof(wal), "%s-wal", g_path);
    cr_assert_eq(unlink(wal), 0);
    err = (struct err){0};
    cr_assert_eq(writer_run(g_writer, insert_event, lost, &err), ERR_STORE);
    cr_assert(strstr(err.message, "flush") != NULL, "%s", err.message);
    writer_wait_durable(g_writer); /* does not wait for a flush that will never come */
    err = (struct err){0};
    cr_assert_eq(writer_run(g_writer, insert_event_counted, &after, &err), ERR_STORE);
    cr_assert(strstr(err.message, "flush") != NULL, "%s", err.message);
    cr_assert_eq(after.runs, 0); /* refused before it ran */
}
