/*
 * server.h — runs the real `ordo` binary for black-box tests: `ordo serve` on a fresh
 * temporary database, `ordo key create` and `ordo check` on the same database. The binary is
 * $ORDO_BIN or build/san/ordo (tests run from the repository root). Only 127.0.0.1 is used.
 *
 * With ORDO_TEST_PG_URL set to a PostgreSQL URL (a cluster of scripts/pg-cluster.sh), the
 * fresh database is a new PostgreSQL database ordo_t_<pid>_<n> on that cluster instead of an
 * SQLite file, and db_path is its URL; cleanup drops it.
 */
#ifndef ORDO_TESTS_SUPPORT_SERVER_H
#define ORDO_TESTS_SUPPORT_SERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define TEST_SERVER_PATH_MAX  256
#define TEST_SERVER_KEY_MAX   256
#define TEST_SERVER_ERROR_MAX 512

struct test_server {
    char dir[128];                      /* mkdtemp directory holding the database */
    char db_path[TEST_SERVER_PATH_MAX]; /* dir/ordo.db, or the URL of a PostgreSQL database */
    char pg_database[64];               /* the PostgreSQL database to drop, or "" */
    char base_url[64];                  /* "http://127.0.0.1:PORT", valid while running */
    uint16_t port;                      /* 0 while stopped */
    pid_t pid;                          /* the `ordo serve` process, or 0 */
    int stdout_fd;                      /* read end of the server's stdout, or -1 */
    char error[TEST_SERVER_ERROR_MAX];  /* why the last call failed */
};

/* The path of the binary under test: $ORDO_BIN or "build/san/ordo". Static or env string. */
const char *test_server_binary(void);

/* Creates a fresh temporary directory for the database (and, with ORDO_TEST_PG_URL, a fresh
 * PostgreSQL database); the server is not started. */
bool test_server_init(struct test_server *server);

/*
 * Starts `ordo serve --db DB --listen 127.0.0.1:0` and waits (up to 30 s) for the line
 * "ordo: listening on http://127.0.0.1:PORT" on its stdout. The server is killed with
 * SIGKILL if the test process dies first (PR_SET_PDEATHSIG).
 */
bool test_server_start(struct test_server *server);

/*
 * Stops the server with SIGTERM and waits for it (up to 30 s). Fails (with server->error)
 * unless it exited with status 0 and printed nothing after its listening line.
 */
bool test_server_stop(struct test_server *server);

/* Kills the server with SIGKILL (a crash or power cut as far as the database is concerned). */
void test_server_kill(struct test_server *server);

/* Stops (SIGTERM, result ignored) if running, then starts again on the same database. */
bool test_server_restart(struct test_server *server);

/*
 * Runs `ordo key create --db DB --role ROLE [--SCOPE_FLAG SCOPE_VALUE]` (scope_flag is
 * "channel", "location", "customer" or NULL) and copies the key (the last word of the last
 * output line) into key_out. Works whether the server runs or not.
 */
bool test_server_key_create(struct test_server *server, const char *role, const char *scope_flag,
                            const char *scope_value, char *key_out, size_t key_out_size);

/*
 * Runs `ordo check --db DB`; returns its exit status (-1 if it could not run or died by a
 * signal) and copies its stdout and stderr into output (may be NULL).
 */
int test_server_check(struct test_server *server, char *output, size_t output_size);

/* Kills the server if it still runs and removes the temporary directory and its files (and
 * drops the PostgreSQL database). */
void test_server_cleanup(struct test_server *server);

/* True when the tests run against PostgreSQL (ORDO_TEST_PG_URL is set). */
bool test_server_is_pg(void);

/* Runs one SQL statement on the cluster's maintenance database (ORDO_TEST_PG_URL); false with
 * server->error when it fails. */
bool test_server_pg_admin(struct test_server *server, const char *sql);

/*
 * Runs one SQL statement on the server's database behind Ordo's back: with the sqlite3 shell, or
 * with psql on PostgreSQL (which prints the command tag, "UPDATE 1"). Returns the exit status and
 * copies the output into output (may be NULL).
 */
int test_server_sql(struct test_server *server, const char *sql, char *output, size_t output_size);

/*
 * Runs argv (argv[0] is the program path) with stdout and stderr captured into output
 * (truncated, NUL-terminated; may be NULL). Returns the exit status, or -1.
 */
int test_run_capture(const char *const *argv, char *output, size_t output_size);

#endif
