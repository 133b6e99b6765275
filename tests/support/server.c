/*
 * server.c — starting, stopping, killing and restarting `ordo serve` on a temporary database,
 * and running the `ordo key create` and `ordo check` commands on it. Every child process is
 * tied to the test process (PR_SET_PDEATHSIG) so that a failed test leaves no server behind.
 */
#include "support/server.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <libpq-fe.h>

#define LISTEN_PREFIX    "ordo: listening on http://127.0.0.1:"
#define START_TIMEOUT_MS 30000
#define STOP_TIMEOUT_MS  30000
#define RUN_TIMEOUT_MS   60000

static void server_fail(struct test_server *server, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void server_fail(struct test_server *server, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(server->error, sizeof(server->error), fmt, ap);
    va_end(ap);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

const char *test_server_binary(void)
{
    const char *bin = getenv("ORDO_BIN");
    if (bin != NULL && bin[0] != '\0') {
        return bin;
    }
    return "build/san/ordo";
}

bool test_server_is_pg(void)
{
    const char *url = getenv("ORDO_TEST_PG_URL");
    return url != NULL && url[0] != '\0';
}

/* Runs one statement on the cluster's maintenance database (the one ORDO_TEST_PG_URL names). */
bool test_server_pg_admin(struct test_server *server, const char *sql)
{
    PGconn *pg = PQconnectdb(getenv("ORDO_TEST_PG_URL"));
    if (PQstatus(pg) != CONNECTION_OK) {
        server_fail(server, "cannot connect to ORDO_TEST_PG_URL: %s", PQerrorMessage(pg));
        PQfinish(pg);
        return false;
    }
    PGresult *result = PQexec(pg, sql);
    bool ok =
        PQresultStatus(result) == PGRES_COMMAND_OK || PQresultStatus(result) == PGRES_TUPLES_OK;
    if (!ok) {
        server_fail(server, "%s: %s", sql, PQresultErrorMessage(result));
    }
    PQclear(result);
    PQfinish(pg);
    return ok;
}

/* A fresh database on the cluster, and its URL (the base URL with the database name replaced)
 * in db_path. */
static bool pg_database_create(struct test_server *server)
{
    static int created;
    const char *base = getenv("ORDO_TEST_PG_URL");
    const char *authority = strstr(base, "://");
    const char *slash = authority != NULL ? strchr(authority + 3, '/') : NULL;
    if (slash == NULL) {
        server_fail(server, "ORDO_TEST_PG_URL has no /database: %s", base);
        return false;
    }
    const char *query = strchr(slash, '?');
    snprintf(server->pg_database, sizeof(server->pg_database), "ordo_t_%d_%d_%lld", (int)getpid(),
             ++created, (long long)(now_ms() % 1000000));
    snprintf(server->db_path, sizeof(server->db_path), "%.*s/%s%s", (int)(slash - base), base,
             server->pg_database, query != NULL ? query : "");
    char sql[128];
    snprintf(sql, sizeof(sql), "CREATE DATABASE %s", server->pg_database);
    if (!test_server_pg_admin(server, sql)) {
        server->pg_database[0] = '\0';
        return false;
    }
    return true;
}

bool test_server_init(struct test_server *server)
{
    memset(server, 0, sizeof(*server));
    server->stdout_fd = -1;
    snprintf(server->dir, sizeof(server->dir), "/tmp/ordo-test-XXXXXX");
    if (mkdtemp(server->dir) == NULL) {
        server_fail(server, "mkdtemp failed: %s", strerror(errno));
        server->dir[0] = '\0';
        return false;
    }
    snprintf(server->db_path, sizeof(server->db_path), "%s/ordo.db", server->dir);
    if (test_server_is_pg()) {
        return pg_database_create(server);
    }
    return true;
}

/* In the child: dies with the test process, then becomes the program. Never returns. */
static void child_exec(pid_t parent, const char *const *argv, int out_fd, bool merge_stderr)
{
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
        _exit(127);
    }
    if (out_fd >= 0) {
        dup2(out_fd, STDOUT_FILENO);
        if (merge_stderr) {
            dup2(out_fd, STDERR_FILENO);
        }
    }
    /* Criterion's IPC sockets and our other pipes must not leak into the program under test. */
    close_range(3, ~0U, 0);
    execv(argv[0], (char *const *)(uintptr_t)argv);
    fprintf(stderr, "exec %s: %s\n", argv[0], strerror(errno));
    _exit(127);
}

/* Waits for pid up to timeout_ms; returns the waitpid status or -1 on timeout. */
static int wait_timeout(pid_t pid, int64_t timeout_ms)
{
    int64_t deadline = now_ms() + timeout_ms;
    for (;;) {
        int status = 0;
        pid_t r = waitpid(pid, &status, WNOHANG);
        if (r == pid) {
            return status;
        }
        if (r < 0 && errno != EINTR) {
            return -1;
        }
        if (now_ms() > deadline) {
            return -1;
        }
        usleep(5000);
    }
}

/* Reads from fd until a newline, EOF or the deadline; returns the bytes read (NUL-ended). */
static size_t read_line(int fd, char *line, size_t line_size, int64_t timeout_ms)
{
    size_t len = 0;
    int64_t deadline = now_ms() + timeout_ms;
    while (len + 1 < line_size && memchr(line, '\n', len) == NULL) {
        int64_t left = deadline - now_ms();
        if (left <= 0) {
            break;
        }
        struct pollfd pfd = {.fd = fd, .events = POLLIN};
        int r = poll(&pfd, 1, (int)left);
        if (r < 0 && errno == EINTR) {
            continue;
        }
        if (r <= 0) {
            break;
        }
        ssize_t n = read(fd, line + len, line_size - 1 - len);
        if (n <= 0) {
            break;
        }
        len += (size_t)n;
    }
    line[len] = '\0';
    return len;
}

static bool parse_listen_line(struct test_server *server, const char *line)
{
    size_t prefix_len = strlen(LISTEN_PREFIX);
    if (strncmp(line, LISTEN_PREFIX, prefix_len) != 0) {
        return false;
    }
    char *end = NULL;
    long port = strtol(line + prefix_len, &end, 10);
    if (end == line + prefix_len || port <= 0 || port > 65535 || *end != '\n') {
        return false;
    }
    server->port = (uint16_t)port;
    snprintf(server->base_url, sizeof(server->base_url), "http://127.0.0.1:%ld", port);
    return true;
}

bool test_server_start(struct test_server *server)
{
    int fds[2];
    if (server->pid != 0) {
        server_fail(server, "server already running");
        return false;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        server_fail(server, "pipe failed: %s", strerror(errno));
        return false;
    }
    const char *argv[] = {test_server_binary(), "serve",       "--db", server->db_path,
                          "--listen",           "127.0.0.1:0", NULL};
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_exec(parent, argv, fds[1], false);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        server_fail(server, "fork failed: %s", strerror(errno));
        return false;
    }
    server->pid = pid;
    server->stdout_fd = fds[0];
    char line[512];
    read_line(fds[0], line, sizeof(line), START_TIMEOUT_MS);
    if (!parse_listen_line(server, line)) {
        server_fail(server, "`%s serve` did not print its listening line; got \"%s\"", argv[0],
                    line);
        test_server_kill(server);
        return false;
    }
    return true;
}

/* Whatever the server printed to stdout after its listening line (it should be nothing). */
static void drain_stdout(struct test_server *server, char *extra, size_t extra_size)
{
    extra[0] = '\0';
    if (server->stdout_fd < 0) {
        return;
    }
    read_line(server->stdout_fd, extra, extra_size, 200);
    close(server->stdout_fd);
    server->stdout_fd = -1;
}

bool test_server_stop(struct test_server *server)
{
    if (server->pid == 0) {
        server_fail(server, "server not running");
        return false;
    }
    kill(server->pid, SIGTERM);
    int status = wait_timeout(server->pid, STOP_TIMEOUT_MS);
    if (status == -1) {
        kill(server->pid, SIGKILL);
        waitpid(server->pid, NULL, 0);
    }
    server->pid = 0;
    server->port = 0;
    char extra[512];
    drain_stdout(server, extra, sizeof(extra));
    if (status == -1) {
        server_fail(server, "server did not exit within %d ms of SIGTERM", STOP_TIMEOUT_MS);
        return false;
    }
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        server_fail(server, "server ended badly on SIGTERM: %s %d",
                    WIFEXITED(status) ? "exit status" : "signal",
                    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
        return false;
    }
    if (extra[0] != '\0') {
        server_fail(server, "server printed more than its listening line on stdout: \"%s\"", extra);
        return false;
    }
    return true;
}

void test_server_kill(struct test_server *server)
{
    if (server->pid != 0) {
        kill(server->pid, SIGKILL);
        waitpid(server->pid, NULL, 0);
        server->pid = 0;
        server->port = 0;
    }
    if (server->stdout_fd >= 0) {
        close(server->stdout_fd);
        server->stdout_fd = -1;
    }
}

bool test_server_restart(struct test_server *server)
{
    if (server->pid != 0) {
        char saved[TEST_SERVER_ERROR_MAX];
        memcpy(saved, server->error, sizeof(saved));
        (void)test_server_stop(server);
        memcpy(server->error, saved, sizeof(saved));
    }
    return test_server_start(server);
}

/* Runs argv with stdout (and stderr when merge_stderr) captured. Exit status or -1. */
static int run_capture(const char *const *argv, char *output, size_t output_size, bool merge_stderr)
{
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0) {
        return -1;
    }
    pid_t parent = getpid();
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        child_exec(parent, argv, fds[1], merge_stderr);
    }
    close(fds[1]);
    if (pid < 0) {
        close(fds[0]);
        return -1;
    }
    char sink[4096];
    char *dst = output != NULL && output_size > 0 ? output : sink;
    size_t dst_size = output != NULL && output_size > 0 ? output_size : sizeof(sink);
    size_t len = 0;
    for (;;) {
        ssize_t n = read(fds[0], len + 1 < dst_size ? dst + len : sink,
                         len + 1 < dst_size ? dst_size - 1 - len : sizeof(sink));
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            break;
        }
        if (len + 1 < dst_size) {
            len += (size_t)n;
        }
    }
    dst[len] = '\0';
    close(fds[0]);
    int status = wait_timeout(pid, RUN_TIMEOUT_MS);
    if (status == -1 || !WIFEXITED(status)) {
        return -1;
    }
    return WEXITSTATUS(status);
}

int test_run_capture(const char *const *argv, char *output, size_t output_size)
{
    return run_capture(argv, output, output_size, true);
}

/* Copies the last whitespace-separated word of the last non-empty line of text. */
static bool last_word(const char *text, char *out, size_t out_size)
{
    size_t end = strlen(text);
    while (end > 0 && (text[end - 1] == '\n' || text[end - 1] == '\r' || text[end - 1] == ' ' ||
                       text[end - 1] == '\t')) {
        end--;
    }
    size_t start = end;
    while (start > 0 && text[start - 1] != ' ' && text[start - 1] != '\t' &&
           text[start - 1] != '\n') {
        start--;
    }
    if (end == start || end - start >= out_size) {
        return false;
    }
    memcpy(out, text + start, end - start);
    out[end - start] = '\0';
    return true;
}

bool test_server_key_create(struct test_server *server, const char *role, const char *scope_flag,
                            const char *scope_value, char *key_out, size_t key_out_size)
{
    char flag[32];
    const char *argv[10] = {test_server_binary(),
                            "key",
                            "create",
                            "--db",
                            server->db_path,
                            "--role",
                            role,
                            NULL,
                            NULL,
                            NULL};
    if (scope_flag != NULL && scope_value != NULL) {
        snprintf(flag, sizeof(flag), "--%s", scope_flag);
        argv[7] = flag;
        argv[8] = scope_value;
    }
    char output[4096];
    int rc = run_capture(argv, output, sizeof(output), false);
    if (rc != 0) {
        server_fail(server, "`ordo key create --role %s%s%s` exited %d: %s", role,
                    scope_flag != NULL ? " --" : "", scope_flag != NULL ? scope_flag : "", rc,
                    output);
        return false;
    }
    if (!last_word(output, key_out, key_out_size)) {
        server_fail(server, "`ordo key create` printed no key: \"%s\"", output);
        return false;
    }
    return true;
}

int test_server_check(struct test_server *server, char *output, size_t output_size)
{
    const char *argv[] = {test_server_binary(), "check", "--db", server->db_path, NULL};
    return run_capture(argv, output, output_size, true);
}

static void remove_dir(const char *path)
{
    DIR *dir = opendir(path);
    if (dir == NULL) {
        return;
    }
    for (struct dirent *entry = readdir(dir); entry != NULL; entry = readdir(dir)) {
        if (strcmp(entry->d_name, ".") != 0 && strcmp(entry->d_name, "..") != 0) {
            unlinkat(dirfd(dir), entry->d_name, 0);
        }
    }
    closedir(dir);
    rmdir(path);
}

void test_server_cleanup(struct test_server *server)
{
    test_server_kill(server);
    if (server->dir[0] != '\0' && getenv("ORDO_KEEP_DB") == NULL) {
        remove_dir(server->dir);
    }
    server->dir[0] = '\0';
    if (server->pg_database[0] != '\0' && getenv("ORDO_KEEP_DB") == NULL) {
        char sql[128];
        snprintf(sql, sizeof(sql), "DROP DATABASE IF EXISTS %s WITH (FORCE)", server->pg_database);
        (void)test_server_pg_admin(server, sql);
    }
    server->pg_database[0] = '\0';
}

int test_server_sql(struct test_server *server, const char *sql, char *output, size_t output_size)
{
    const char *sqlite_argv[] = {"/usr/bin/sqlite3", server->db_path, sql, NULL};
    const char *psql_argv[] = {
        "/usr/bin/psql", "-X", "-v", "ON_ERROR_STOP=1", "-d", server->db_path, "-c", sql, NULL};
    return test_run_capture(test_server_is_pg() ? psql_argv : sqlite_argv, output, output_size);
}
