/*
 * writer.h — the single writer with group commit. Every write command of the process goes
 * through writer_run(): the writer thread takes all commands waiting, runs them in one
 * transaction, each in its own savepoint (a command that fails rolls back alone), commits
 * once and wakes them all. One fsync serves the whole batch; on SQLite it runs on a thread of
 * its own while the writer runs the next batch (writer.c), and still comes before the answer.
 */
#ifndef ORDO_APP_WRITER_H
#define ORDO_APP_WRITER_H

#include "lib/base.h"
#include "lib/err.h"
#include "store/store.h"

struct writer;

/* A command: runs on the writer connection inside a savepoint; fills err on failure. */
typedef enum err_code (*writer_fn)(struct store_conn *conn, void *arg, struct err *err);

/*
 * Starts the writer on the store's writer connection. threaded false runs each command in
 * the caller's thread (single-threaded CLI use).
 */
MUST_CHECK enum err_code writer_start(struct store *store, bool threaded, struct writer **out,
                                      struct err *err);

/* Runs the commands already queued, stops the thread, frees the writer. */
void writer_stop(struct writer *writer);

/*
 * Queues fn(arg) and blocks until its batch committed (ERR_OK) or it failed (its error, or
 * ERR_STORE when the batch's commit failed). ERR_BUSY when the queue is full.
 */
MUST_CHECK enum err_code writer_run(struct writer *writer, writer_fn fn, void *arg,
                                    struct err *err);

/*
 * Returns once every commit begun so far is on disk (at once unless commits are flushed apart
 * from COMMIT, see writer.c): a read calls it before answering, so that no one is shown a
 * write that a power cut could still take back.
 */
void writer_wait_durable(struct writer *writer);

#endif
