/*
 * writer.c — group commit. Submitters link a command on their own stack into the queue and
 * wait on one condition variable; the writer thread drains up to WRITER_BATCH_MAX commands,
 * runs each inside a savepoint of one transaction, commits, and broadcasts. A command's
 * memory belongs to its submitter, which is blocked until done is set under the mutex.
 *
 * Several processes on one PostgreSQL database race: a command whose savepoint failed on a
 * unique key that another process's transaction took meanwhile runs again at once (it now sees
 * that row: an Idempotency-Key answers the first order); one that failed on a deadlock or a
 * serialization failure (40P01, 40001) ends the batch's transaction there — the commands before
 * it commit — and runs again first in a new one, after a short randomised pause. Each command
 * runs at most WRITER_ATTEMPTS_MAX times; then its race is its answer (409). A failed commit
 * answers every command of its transaction with the error: none of them was acknowledged.
 *
 * Flushing apart (store_defer_sync, SQLite with synchronous=FULL): the writer commits a batch
 * without waiting for the disk and hands it to the syncer thread, which flushes every batch
 * committed meanwhile with one fdatasync() and only then wakes their submitters; the writer
 * runs the next batch during the flush. A command is still answered only once its commit is
 * on disk. Reads may see a commit before it is flushed, so writer_wait_durable() holds a
 * read's answer until everything committed before it is on disk. A failed flush answers its
 * commands with the error and every later command too: what is on disk is then unknown.
 */
#include "app/writer.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/limits.h"
#include "lib/clock.h"
#include "lib/log.h"

struct writer_command {
    writer_fn fn;
    void *arg;
    struct err *err;
    enum err_code result;
    bool done;
    bool woken;              /* its predecessor in the batch (or the writer) woke it */
    int attempts;            /* runs so far (races with other processes run it again) */
    pthread_cond_t finished; /* signalled once, with woken; only its submitter waits on it */
    struct writer_command *next;
};

struct writer {
    struct store *store;
    struct store_conn *conn;
    bool threaded;
    pthread_t thread;
    pthread_mutex_t mutex;
    pthread_cond_t wake; /* the writer waits for commands */
    struct writer_command *head;
    struct writer_command *tail;
    size_t queued;
    bool stopping;
    uint64_t commands_run; /* statistics, logged at stop */
    uint64_t batches_run;
    uint64_t syncs_run;
    int64_t busy_ns; /* thread CPU time spent running batches */
    /* Flushing apart (see the top): batches committed and not yet flushed, oldest first,
     * chained through their commands' next; guarded by mutex like the rest. */
    bool sync_deferred;
    pthread_t sync_thread;
    pthread_cond_t sync_wake; /* the syncer waits for committed batches */
    pthread_cond_t synced;    /* readers wait for a flush (writer_wait_durable) */
    struct writer_command *sync_head;
    struct writer_command *sync_tail;
    bool sync_stopping;
    bool sync_failed; /* a flush failed: sync_err answers every command from then on */
    struct err sync_err;
    /* Commits counted by the writer thread alone: begun before COMMIT runs, done after it
     * returned; durable is what done was when the last successful flush started. */
    _Atomic uint64_t commits_begun;
    _Atomic uint64_t commits_done;
    _Atomic uint64_t commits_durable;
};

static int64_t writer_thread_cpu_ns(void)
{
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) != 0) {
        return 0;
    }
    return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Runs of one command when other processes race it (see the top of this file). */
#define WRITER_ATTEMPTS_MAX 6

/* Runs one command inside its savepoint; the savepoint is released or rolled back. */
static void writer_run_one(struct writer *writer, struct writer_command *command)
{
    command->attempts++;
    command->result = store_savepoint(writer->conn, command->err);
    if (command->result != ERR_OK) {
        return;
    }
    command->result = command->fn(writer->conn, command->arg, command->err);
    if (command->result == ERR_OK) {
        command->result = store_savepoint_release(writer->conn, command->err);
        if (command->result == ERR_OK) {
            return;
        }
    }
    ASSERT(command->err->code != ERR_OK);
    store_savepoint_rollback(writer->conn);
}

/*
 * Runs a command, again at once after a unique key taken by another process. True when it
 * failed on a deadlock or serialization failure and may run again in a new transaction.
 */
static bool writer_run_racing(struct writer *writer, struct writer_command *command)
{
    for (;;) {
        writer_run_one(writer, command);
        if (command->result == ERR_OK || command->attempts >= WRITER_ATTEMPTS_MAX) {
            return false;
        }
        enum store_retry kind = store_retry_kind(writer->conn);
        if (kind == STORE_RETRY_NONE) {
            return false;
        }
        log_info("writer: a command raced another process (%s); running it again",
                 command->err->message);
        err_clear(command->err);
        if (kind == STORE_RETRY_CONFLICT) {
            return true;
        }
    }
}

/*
 * Runs the commands from first on in one transaction and commits them; on a failed begin or
 * commit they all fail. Returns the command that must run again in a new transaction (its
 * predecessors committed), or NULL when every command has its answer.
 */
static struct writer_command *writer_run_part(struct writer *writer, struct writer_command *first)
{
    struct err begin_err;
    err_clear(&begin_err);
    enum err_code code = store_begin_write(writer->conn, &begin_err);
    if (code != ERR_OK) {
        for (struct writer_command *c = first; c != NULL; c = c->next) {
            c->result = code;
            *c->err = begin_err;
        }
        return NULL;
    }
    struct writer_command *again = NULL;
    for (struct writer_command *c = first; c != NULL && again == NULL; c = c->next) {
        if (writer_run_racing(writer, c)) {
            again = c;
        }
    }
    struct err commit_err;
    err_clear(&commit_err);
    uint64_t commit_no = 0;
    if (writer->sync_deferred) {
        commit_no = atomic_fetch_add(&writer->commits_begun, 1) + 1;
    }
    code = store_commit(writer->conn, &commit_err);
    if (writer->sync_deferred) {
        atomic_store(&writer->commits_done, commit_no);
    }
    if (code == ERR_OK) {
        return again;
    }
    log_error("writer: commit failed: %s", commit_err.message);
    store_rollback(writer->conn);
    for (struct writer_command *c = first; c != again; c = c->next) {
        if (c->result == ERR_OK) {
            c->result = code;
            *c->err = commit_err;
        }
    }
    return again;
}

/* Sleeps 1 to 2^attempts ms (at most 32), spread by the clock so that racers part. */
static void writer_pause(int attempts)
{
    int64_t span_ms = (int64_t)1 << (attempts < 5 ? attempts : 5);
    int64_t ms = 1 + (clock_monotonic_ns() / 1000) % span_ms;
    struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)(ms * 1000000)};
    (void)nanosleep(&ts, NULL);
}

/* Runs a batch of commands in one transaction (or more, when other processes race it). */
static void writer_run_batch(struct writer *writer, struct writer_command *batch)
{
    struct writer_command *next = writer_run_part(writer, batch);
    while (next != NULL) {
        writer_pause(next->attempts);
        next = writer_run_part(writer, next);
    }
}

/* Takes up to WRITER_BATCH_MAX queued commands; caller holds the mutex. */
static struct writer_command *writer_take_batch(struct writer *writer)
{
    struct writer_command *batch = writer->head;
    struct writer_command *last = batch;
    size_t taken = 1;
    while (last->next != NULL && taken < WRITER_BATCH_MAX) {
        last = last->next;
        taken++;
    }
    writer->head = last->next;
    if (writer->head == NULL) {
        writer->tail = NULL;
    }
    last->next = NULL;
    ASSERT(writer->queued >= taken);
    writer->queued -= taken;
    return batch;
}

/*
 * Answers a chain of commands: marks them done and wakes only the first; each submitter
 * wakes the next one (writer_run), so the wake-ups' system calls are spread over the request
 * threads instead of serialising here. A command lives until its submitter sees done, which
 * it can only do once it holds the mutex. Caller holds the mutex.
 */
static void writer_answer(struct writer_command *chain)
{
    ASSERT(chain != NULL);
    for (struct writer_command *c = chain; c != NULL; c = c->next) {
        c->done = true;
    }
    chain->woken = true;
    pthread_cond_signal(&chain->finished);
}

/* A flush failed: what is on disk is unknown, so its commands and every later one fail.
 * Caller holds the mutex. */
static void writer_sync_failed(struct writer *writer, struct writer_command *chain,
                               const struct err *err)
{
    if (!writer->sync_failed) {
        log_error("writer: %s; every write fails until the server restarts", err->message);
    }
    writer->sync_failed = true;
    writer->sync_err = *err;
    for (struct writer_command *c = chain; c != NULL; c = c->next) {
        if (c->result == ERR_OK) {
            c->result = err->code;
            *c->err = *err;
        }
    }
}

/* The syncer thread: flushes the batches committed since its last flush, then answers them. */
static void *writer_sync_main(void *arg)
{
    struct writer *writer = arg;
    pthread_mutex_lock(&writer->mutex);
    for (;;) {
        while (writer->sync_head == NULL && !writer->sync_stopping) {
            pthread_cond_wait(&writer->sync_wake, &writer->mutex);
        }
        struct writer_command *chain = writer->sync_head;
        if (chain == NULL) {
            break;
        }
        writer->sync_head = NULL;
        writer->sync_tail = NULL;
        /* Every batch of the chain committed before it was queued, so before this. */
        uint64_t done = atomic_load(&writer->commits_done);
        pthread_mutex_unlock(&writer->mutex);
        struct err err;
        err_clear(&err);
        enum err_code code = store_sync(writer->store, &err);
        pthread_mutex_lock(&writer->mutex);
        writer->syncs_run++;
        if (code == ERR_OK) {
            atomic_store(&writer->commits_durable, done);
        } else {
            writer_sync_failed(writer, chain, &err);
        }
        pthread_cond_broadcast(&writer->synced);
        writer_answer(chain);
    }
    pthread_mutex_unlock(&writer->mutex);
    return NULL;
}

static void *writer_main(void *arg)
{
    struct writer *writer = arg;
    pthread_mutex_lock(&writer->mutex);
    for (;;) {
        while (writer->head == NULL && !writer->stopping) {
            pthread_cond_wait(&writer->wake, &writer->mutex);
        }
        if (writer->head == NULL) {
            break;
        }
        size_t before = writer->queued;
        struct writer_command *batch = writer_take_batch(writer);
        writer->commands_run += before - writer->queued;
        writer->batches_run++;
        pthread_mutex_unlock(&writer->mutex);
        int64_t start_ns = writer_thread_cpu_ns();
        writer_run_batch(writer, batch);
        writer->busy_ns += writer_thread_cpu_ns() - start_ns;
        pthread_mutex_lock(&writer->mutex);
        ASSERT(batch != NULL);
        if (!writer->sync_deferred) {
            writer_answer(batch);
            continue;
        }
        /* Answered by the syncer once flushed; the batch's last command ends the chain. */
        if (writer->sync_tail != NULL) {
            writer->sync_tail->next = batch;
        } else {
            writer->sync_head = batch;
        }
        struct writer_command *last = batch;
        while (last->next != NULL) {
            last = last->next;
        }
        writer->sync_tail = last;
        pthread_cond_signal(&writer->sync_wake);
    }
    pthread_mutex_unlock(&writer->mutex);
    return NULL;
}

static void writer_free(struct writer *writer)
{
    ASSERT(writer->head == NULL && writer->sync_head == NULL);
    pthread_cond_destroy(&writer->synced);
    pthread_cond_destroy(&writer->sync_wake);
    pthread_mutex_destroy(&writer->mutex);
    pthread_cond_destroy(&writer->wake);
    free(writer);
}

/* Stops the syncer once it answered every batch queued (the writer thread has stopped). */
static void writer_sync_stop(struct writer *writer)
{
    if (!writer->sync_deferred) {
        return;
    }
    pthread_mutex_lock(&writer->mutex);
    writer->sync_stopping = true;
    pthread_cond_signal(&writer->sync_wake);
    pthread_mutex_unlock(&writer->mutex);
    pthread_join(writer->sync_thread, NULL);
}

enum err_code writer_start(struct store *store, bool threaded, struct writer **out, struct err *err)
{
    ASSERT(store != NULL);
    ASSERT(out != NULL);
    struct writer *writer = calloc(1, sizeof(*writer));
    if (writer == NULL) {
        return err_set(err, ERR_INTERNAL, NULL, "out of memory starting the writer");
    }
    writer->store = store;
    writer->conn = store_writer_conn(store);
    writer->threaded = threaded;
    pthread_mutex_init(&writer->mutex, NULL);
    pthread_cond_init(&writer->wake, NULL);
    pthread_cond_init(&writer->sync_wake, NULL);
    pthread_cond_init(&writer->synced, NULL);
    /* Flushing apart pays only with a thread of its own to run the next batch meanwhile. */
    writer->sync_deferred = threaded && store_defer_sync(store);
    if (writer->sync_deferred &&
        pthread_create(&writer->sync_thread, NULL, writer_sync_main, writer) != 0) {
        writer_free(writer);
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the writer's syncer thread");
    }
    if (threaded && pthread_create(&writer->thread, NULL, writer_main, writer) != 0) {
        writer_sync_stop(writer);
        writer_free(writer);
        return err_set(err, ERR_INTERNAL, NULL, "cannot start the writer thread");
    }
    if (writer->sync_deferred) {
        pthread_setname_np(writer->sync_thread, "ordo-sync");
    }
    if (threaded) {
        pthread_setname_np(writer->thread, "ordo-writer");
    }
    *out = writer;
    return ERR_OK;
}

void writer_stop(struct writer *writer)
{
    if (writer == NULL) {
        return;
    }
    if (writer->threaded) {
        pthread_mutex_lock(&writer->mutex);
        writer->stopping = true;
        pthread_cond_signal(&writer->wake);
        pthread_mutex_unlock(&writer->mutex);
        pthread_join(writer->thread, NULL);
        writer_sync_stop(writer);
        if (writer->commands_run > 0) {
            log_info("writer: %" PRIu64 " commands in %" PRIu64 " batches (%" PRIu64
                     " flushes apart), %.1f us CPU per command",
                     writer->commands_run, writer->batches_run, writer->syncs_run,
                     (double)writer->busy_ns / 1000.0 / (double)writer->commands_run);
        }
    }
    writer_free(writer);
}

void writer_wait_durable(struct writer *writer)
{
    if (writer == NULL || !writer->sync_deferred) {
        return;
    }
    /* Whatever a read saw was committed by a commit begun before now. */
    uint64_t begun = atomic_load(&writer->commits_begun);
    if (atomic_load(&writer->commits_durable) >= begun) {
        return;
    }
    pthread_mutex_lock(&writer->mutex);
    while (atomic_load(&writer->commits_durable) < begun && !writer->sync_failed) {
        pthread_cond_wait(&writer->synced, &writer->mutex);
    }
    pthread_mutex_unlock(&writer->mutex);
}

enum err_code writer_run(struct writer *writer, writer_fn fn, void *arg, struct err *err)
{
    ASSERT(writer != NULL);
    ASSERT(fn != NULL && err != NULL);
    struct writer_command command = {.fn = fn, .arg = arg, .err = err};
    if (!writer->threaded) {
        pthread_mutex_lock(&writer->mutex);
        writer_run_batch(writer, &command);
        pthread_mutex_unlock(&writer->mutex);
        return command.result;
    }
    pthread_mutex_lock(&writer->mutex);
    if (writer->stopping) {
        pthread_mutex_unlock(&writer->mutex);
        return err_set(err, ERR_BUSY, NULL, "the server is shutting down");
    }
    if (writer->sync_failed) {
        *err = writer->sync_err;
        pthread_mutex_unlock(&writer->mutex);
        return err->code;
    }
    if (writer->queued >= WRITER_QUEUE_MAX) {
        pthread_mutex_unlock(&writer->mutex);
        return err_set(err, ERR_BUSY, NULL, "too many writes waiting; retry shortly");
    }
    /* The command lives on this stack frame, which outlives its time in the queue: the
     * writer unlinks it and sets done before we return. */
    if (writer->tail != NULL) {
        writer->tail->next = &command; // cppcheck-suppress autoVariables
    } else {
        writer->head = &command; // cppcheck-suppress autoVariables
    }
    writer->tail = &command; // cppcheck-suppress autoVariables
    writer->queued++;
    pthread_cond_init(&command.finished, NULL);
    pthread_cond_signal(&writer->wake);
    /* Waiting for woken, not done, keeps the chain in order: a command leaves only after
     * its predecessor woke it, so the next one is still here when we wake it. */
    while (!command.woken) {
        pthread_cond_wait(&command.finished, &writer->mutex);
    }
    ASSERT(command.done);
    if (command.next != NULL) {
        command.next->woken = true;
        pthread_cond_signal(&command.next->finished);
    }
    pthread_mutex_unlock(&writer->mutex);
    pthread_cond_destroy(&command.finished);
    ASSERT(command.result == ERR_OK || err->code != ERR_OK);
    return command.result;
}
