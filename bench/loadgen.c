/*
 * loadgen.c — Ordo's HTTP/1.1 keep-alive load generator for `make bench`: posts 3-line orders or
 * reads orders by id over many connections to 127.0.0.1 and reports the rate and the latency
 * percentiles. Plain C, pthreads and edge-triggered epoll; each thread owns its connections and
 * its counters, so nothing is shared while the load runs. Bounded in time and in request count.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define CONNECTIONS_MAX    4096
#define THREADS_MAX        64
#define REQUEST_BYTES_MAX  4096
#define HEADER_BYTES_MAX   (64 * 1024)
#define RESPONSE_BYTES_MAX (1024 * 1024)
#define READ_CHUNK_BYTES   (64 * 1024)
#define HIST_SUB_BITS      5
#define HIST_SUB           (1 << HIST_SUB_BITS) /* linear sub-buckets per power of two */
#define HIST_BUCKETS       (60 * HIST_SUB)
#define STATUS_MAX         600
#define SKUS_MAX           1000000
#define LINE_BYTES_MAX     256
#define IDS_MAX            20000000
#define RETRY_DELAY_US     100000
#define EVENTS_MAX         256
#define CUSTOMERS_DEFAULT  100000
#define REQUESTS_DEFAULT   100000000ULL

enum mode { MODE_ORDERS, MODE_READS, MODE_AVAILABILITY };

struct options {
    int port;
    const char *key;
    int connections;
    int threads;
    double duration_s;
    enum mode mode;
    const char *skus_path;
    const char *sku_prefix;
    long sku_count;
    const char *ids_out;
    const char *ids_in;
    uint64_t requests_max;
    double timeout_s; /* one response, and the drain after the duration */
    long customers;   /* orders come from customers drawn from this many e-mails */
};

/* Real ZIP codes in different states, with their city and state, for the shipping address. */
struct zip {
    const char *postal_code;
    const char *city;
    const char *region;
};

static const struct zip zips[] = {
    {"02118", "Boston", "MA"},  {"10001", "New York", "NY"},    {"60614", "Chicago", "IL"},
    {"78704", "Austin", "TX"},  {"90012", "Los Angeles", "CA"}, {"98101", "Seattle", "WA"},
    {"33130", "Miami", "FL"},   {"80202", "Denver", "CO"},      {"30303", "Atlanta", "GA"},
    {"85004", "Phoenix", "AZ"}, {"43215", "Columbus", "OH"},    {"97209", "Portland", "OR"},
};

/* A list of strings read once before the load (SKUs or order ids); never freed before exit. */
struct list {
    char **items;
    size_t count;
};

enum conn_state { CONN_IDLE, CONN_CONNECTING, CONN_WRITING, CONN_READING, CONN_RETRY };

struct conn {
    int fd;
    enum conn_state state;
    char request[REQUEST_BYTES_MAX];
    size_t request_len;    /* bytes */
    size_t request_sent;   /* bytes */
    char *response;        /* malloc'd, RESPONSE_BYTES_MAX */
    size_t response_len;   /* bytes */
    uint64_t sent_at_us;   /* monotonic, when the request's first byte was written */
    uint64_t retry_at_us;  /* monotonic, when a failed connection is opened again */
    struct worker *worker; /* owner */
};

struct worker {
    int index;
    pthread_t thread;
    int epoll_fd;
    struct conn *conns;
    int conns_count;
    uint64_t rng;
    uint64_t seq;         /* requests started by this worker */
    bool stopping;        /* no new requests */
    uint64_t finished_us; /* monotonic, when the last response arrived */
    uint64_t status_counts[STATUS_MAX];
    uint64_t hist[HIST_BUCKETS];
    uint64_t latency_max_us;
    uint64_t sent;
    uint64_t responses;
    uint64_t ok;
    uint64_t errors_io;
    uint64_t errors_parse;
    uint64_t errors_timeout;
    uint64_t errors_connect;
    uint64_t reconnects;
    char *ids;      /* ids of created orders, '\n'-separated, malloc'd */
    size_t ids_len; /* bytes */
    size_t ids_cap; /* bytes */
    uint64_t ids_count;
    char *body_scratch; /* a chunked body decoded, malloc'd, RESPONSE_BYTES_MAX */
};

/* A parsed response; body points into the connection buffer or the worker's scratch. */
struct response {
    int status;
    bool keep_alive;
    const char *body;
    size_t body_len;
};

static struct options opts = {
    .port = 8080,
    .connections = 64,
    .threads = 2,
    .duration_s = 20.0,
    .mode = MODE_ORDERS,
    .sku_count = 0,
    .requests_max = REQUESTS_DEFAULT,
    .timeout_s = 10.0,
    .customers = CUSTOMERS_DEFAULT,
};
static struct list skus;
static struct list ids_in;
static atomic_uint_fast64_t requests_issued;
static uint64_t start_us;
static uint64_t deadline_us;
static uint64_t run_tag;

static const char usage[] =
    "usage: loadgen --port PORT --key KEY [options]\n"
    "HTTP/1.1 keep-alive load on 127.0.0.1; counts only 201 (orders) or 200 (reads) as ok.\n"
    "  --mode orders|reads|availability   POST /v1/orders, GET /v1/orders/{id} over --ids-in,\n"
    "                         or GET /v1/availability of 3 random --skus from a random ZIP\n"
    "  --connections N        keep-alive connections (64)\n"
    "  --threads N            threads, each with its own epoll (2)\n"
    "  --duration SECONDS     how long new requests start (20)\n"
    "  --requests N           stop after N requests in all (100000000)\n"
    "  --timeout SECONDS      longest wait for one response and for the drain (10)\n"
    "  --skus FILE            SKUs, one a line (orders mode)\n"
    "  --sku-prefix P --sku-count N   SKUs P1 .. PN instead of --skus\n"
    "  --ids-out FILE         write the ids of created orders (201), one a line\n"
    "  --ids-in FILE          order ids to read, one a line (reads mode)\n"
    "  --customers N          customers' e-mails drawn from N (100000; fewer: more returning)\n"
    "Prints a table and one line: RESULT mode=... ok=N errors=M rate=R p50_ms=... p99_ms=...\n";

static uint64_t now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t rng_next(uint64_t *state)
{
    /* splitmix64: enough spread for picking SKUs and ZIP codes. */
    uint64_t z = (*state += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

static _Noreturn void die(const char *message, const char *detail)
{
    fprintf(stderr, "loadgen: %s%s%s\n", message, detail[0] != '\0' ? ": " : "", detail);
    exit(2);
}

/* ---- latency histogram: log-linear, microsecond resolution below 64 us, ~3% above ---- */

static size_t hist_index(uint64_t value_us)
{
    if (value_us < 2 * HIST_SUB) {
        return (size_t)value_us;
    }
    int msb = 63 - __builtin_clzll(value_us);
    int shift = msb - HIST_SUB_BITS;
    size_t index = (size_t)(shift + 1) * HIST_SUB + (size_t)((value_us >> shift) - HIST_SUB);
    return index < HIST_BUCKETS ? index : HIST_BUCKETS - 1;
}

/* The middle of a bucket's range of microseconds. */
static double hist_value(size_t index)
{
    if (index < 2 * HIST_SUB) {
        return (double)index;
    }
    int shift = (int)(index / HIST_SUB) - 1;
    uint64_t sub = index % HIST_SUB + HIST_SUB;
    uint64_t low = sub << shift;
    uint64_t high = ((sub + 1) << shift) - 1;
    return ((double)low + (double)high) / 2.0;
}

/* The value at quantile q (0..1) in ms; max_us caps it so p100 is exact. */
static double hist_quantile_ms(const uint64_t *hist, uint64_t total, double q, uint64_t max_us)
{
    if (total == 0) {
        return 0.0;
    }
    uint64_t rank = (uint64_t)(q * (double)total);
    if (rank >= total) {
        rank = total - 1;
    }
    uint64_t seen = 0;
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        seen += hist[i];
        if (seen > rank) {
            double v = hist_value(i);
            return (v > (double)max_us ? (double)max_us : v) / 1000.0;
        }
    }
    return (double)max_us / 1000.0;
}

/* ---- input lists ---- */

static void list_push(struct list *list, const char *text, size_t len, size_t max)
{
    if (list->count >= max) {
        die("too many lines in an input file", "");
    }
    if (list->count % 1024 == 0) {
        list->items = realloc(list->items, (list->count + 1024) * sizeof(*list->items));
        if (list->items == NULL) {
            die("out of memory", "");
        }
    }
    char *copy = malloc(len + 1);
    if (copy == NULL) {
        die("out of memory", "");
    }
    memcpy(copy, text, len);
    copy[len] = '\0';
    list->items[list->count++] = copy;
}

/* Reads non-empty lines, trimmed of spaces and CR; a line must be plain (no quote or backslash). */
static void list_read(struct list *list, const char *path, size_t max)
{
    FILE *file = fopen(path, "r");
    if (file == NULL) {
        die("cannot open", path);
    }
    char line[LINE_BYTES_MAX];
    while (fgets(line, sizeof(line), file) != NULL) {
        size_t len = strcspn(line, "\r\n");
        while (len > 0 && line[len - 1] == ' ') {
            len--;
        }
        if (len == 0) {
            continue;
        }
        if (memchr(line, '"', len) != NULL || memchr(line, '\\', len) != NULL) {
            die("a line may not hold a quote or backslash in", path);
        }
        list_push(list, line, len, max);
    }
    fclose(file);
}

/* ---- requests ---- */

static size_t build_order(struct worker *worker, char *out, size_t cap)
{
    char body[2048];
    size_t a = (size_t)(rng_next(&worker->rng) % skus.count);
    size_t b = (size_t)(rng_next(&worker->rng) % skus.count);
    size_t c = (size_t)(rng_next(&worker->rng) % skus.count);
    while (b == a) {
        b = (size_t)(rng_next(&worker->rng) % skus.count);
    }
    while (c == a || c == b) {
        c = (size_t)(rng_next(&worker->rng) % skus.count);
    }
    const struct zip *zip = &zips[rng_next(&worker->rng) % (sizeof(zips) / sizeof(zips[0]))];
    uint64_t email = rng_next(&worker->rng) % (uint64_t)opts.customers;
    int body_len =
        snprintf(body, sizeof(body),
                 "{\"channel\":\"web\",\"external_id\":\"bench-%" PRIx64 "-%d-%" PRIu64 "\","
                 "\"customer\":{\"email\":\"bench%" PRIu64 "@example.com\"},\"currency\":\"USD\","
                 "\"lines\":[{\"sku\":\"%s\",\"qty\":1},{\"sku\":\"%s\",\"qty\":1},{\"sku\":\"%s\","
                 "\"qty\":1}],"
                 "\"shipping_address\":{\"line1\":\"1 Main St\",\"city\":\"%s\",\"region\":\"%s\","
                 "\"postal_code\":\"%s\",\"country\":\"US\"}}",
                 run_tag, worker->index, worker->seq, email, skus.items[a], skus.items[b],
                 skus.items[c], zip->city, zip->region, zip->postal_code);
    if (body_len < 0 || (size_t)body_len >= sizeof(body)) {
        die("order body too long", "");
    }
    int len = snprintf(out, cap,
                       "POST /v1/orders HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                       "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                       "Content-Length: %d\r\n\r\n%s",
                       opts.port, opts.key, body_len, body);
    if (len < 0 || (size_t)len >= cap) {
        die("request too long", "");
    }
    return (size_t)len;
}

static size_t build_read(struct worker *worker, char *out, size_t cap)
{
    uint64_t n = (uint64_t)worker->index + (uint64_t)opts.threads * worker->seq;
    const char *id = ids_in.items[n % ids_in.count];
    int len = snprintf(out, cap,
                       "GET /v1/orders/%s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
                       "Authorization: Bearer %s\r\n\r\n",
                       id, opts.port, opts.key);
    if (len < 0 || (size_t)len >= cap) {
        die("request too long", "");
    }
    return (size_t)len;
}

/* GET /v1/availability of 3 distinct random SKUs for a customer at a random ZIP code (the call a
 * product page makes). */
static size_t build_availability(struct worker *worker, char *out, size_t cap)
{
    size_t a = (size_t)(rng_next(&worker->rng) % skus.count);
    size_t b = (size_t)(rng_next(&worker->rng) % skus.count);
    size_t c = (size_t)(rng_next(&worker->rng) % skus.count);
    while (b == a) {
        b = (size_t)(rng_next(&worker->rng) % skus.count);
    }
    while (c == a || c == b) {
        c = (size_t)(rng_next(&worker->rng) % skus.count);
    }
    const struct zip *zip = &zips[rng_next(&worker->rng) % (sizeof(zips) / sizeof(zips[0]))];
    int len = snprintf(out, cap,
                       "GET /v1/availability?skus=%s,%s,%s&postal_code=%s HTTP/1.1\r\n"
                       "Host: 127.0.0.1:%d\r\nAuthorization: Bearer %s\r\n\r\n",
                       skus.items[a], skus.items[b], skus.items[c], zip->postal_code, opts.port,
                       opts.key);
    if (len < 0 || (size_t)len >= cap) {
        die("request too long", "");
    }
    return (size_t)len;
}

/* ---- response parsing ---- */

/* The value of a decimal or hex number in [p, end), or -1 when it is not one. */
static long long parse_number(const char *p, const char *end, int base)
{
    long long value = 0;
    if (p >= end) {
        return -1;
    }
    for (; p < end; p++) {
        int digit = -1;
        if (*p >= '0' && *p <= '9') {
            digit = *p - '0';
        } else if (base == 16 && *p >= 'a' && *p <= 'f') {
            digit = *p - 'a' + 10;
        } else if (base == 16 && *p >= 'A' && *p <= 'F') {
            digit = *p - 'A' + 10;
        }
        if (digit < 0 || value > (RESPONSE_BYTES_MAX * 16LL)) {
            return -1;
        }
        value = value * base + digit;
    }
    return value;
}

/* Decodes a chunked body at [p, end) into out; returns bytes consumed, 0 if incomplete, -1 if bad.
 */
static long long parse_chunked(const char *p, const char *end, char *out, size_t *out_len)
{
    const char *start = p;
    *out_len = 0;
    for (;;) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (eol == NULL) {
            return 0;
        }
        const char *size_end = memchr(p, ';', (size_t)(eol - p));
        long long size = parse_number(p, size_end != NULL ? size_end : eol, 16);
        if (size < 0 || *out_len + (size_t)size > RESPONSE_BYTES_MAX) {
            return -1;
        }
        p = eol + 2;
        if (size == 0) {
            /* Trailers, then an empty line. */
            const char *stop = memmem(p - 2, (size_t)(end - p + 2), "\r\n\r\n", 4);
            return stop == NULL ? 0 : (long long)(stop + 4 - start);
        }
        if (end - p < size + 2) {
            return 0;
        }
        memcpy(out + *out_len, p, (size_t)size);
        *out_len += (size_t)size;
        p += size + 2;
    }
}

struct headers {
    long long content_length; /* -1 when absent */
    bool chunked;
    bool keep_alive;
};

static bool parse_headers(const char *p, const char *end, struct headers *h)
{
    while (p < end) {
        const char *eol = memmem(p, (size_t)(end - p), "\r\n", 2);
        if (eol == NULL) {
            eol = end;
        }
        const char *colon = memchr(p, ':', (size_t)(eol - p));
        if (colon == NULL) {
            return false;
        }
        size_t name_len = (size_t)(colon - p);
        const char *value = colon + 1;
        while (value < eol && (*value == ' ' || *value == '\t')) {
            value++;
        }
        const char *value_end = eol;
        while (value_end > value && (value_end[-1] == ' ' || value_end[-1] == '\t')) {
            value_end--;
        }
        size_t value_len = (size_t)(value_end - value);
        if (name_len == 14 && strncasecmp(p, "content-length", 14) == 0) {
            h->content_length = parse_number(value, value_end, 10);
            if (h->content_length < 0) {
                return false;
            }
        } else if (name_len == 17 && strncasecmp(p, "transfer-encoding", 17) == 0) {
            h->chunked = value_len >= 7 && strncasecmp(value_end - 7, "chunked", 7) == 0;
        } else if (name_len == 10 && strncasecmp(p, "connection", 10) == 0) {
            if (value_len >= 5 && strncasecmp(value, "close", 5) == 0) {
                h->keep_alive = false;
            } else if (value_len >= 10 && strncasecmp(value, "keep-alive", 10) == 0) {
                h->keep_alive = true;
            }
        }
        p = eol + 2;
    }
    return true;
}

/* 1 when conn holds one whole response (filled into r), 0 when more bytes are needed, -1 if bad. */
static int parse_response(struct conn *conn, struct response *r)
{
    const char *buf = conn->response;
    const char *end = buf + conn->response_len;
    const char *head_end = memmem(buf, conn->response_len, "\r\n\r\n", 4);
    if (head_end == NULL) {
        return conn->response_len > HEADER_BYTES_MAX ? -1 : 0;
    }
    if (head_end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ') {
        return -1;
    }
    long long status = parse_number(buf + 9, buf + 12, 10);
    if (status < 100 || status >= STATUS_MAX) {
        return -1;
    }
    const char *line_end = memmem(buf, (size_t)(head_end - buf) + 2, "\r\n", 2);
    struct headers h = {.content_length = -1, .keep_alive = buf[7] == '1'};
    if (!parse_headers(line_end + 2, head_end, &h)) {
        return -1;
    }
    const char *body = head_end + 4;
    r->status = (int)status;
    r->keep_alive = h.keep_alive;
    if (h.chunked) {
        long long used = parse_chunked(body, end, conn->worker->body_scratch, &r->body_len);
        if (used <= 0) {
            return (int)used;
        }
        r->body = conn->worker->body_scratch;
        return body + used == end ? 1 : -1;
    }
    if (h.content_length < 0) {
        bool empty = status < 200 || status == 204 || status == 304;
        if (!empty) {
            return -1; /* a keep-alive response needs a length */
        }
        h.content_length = 0;
    }
    if (end - body < h.content_length) {
        return 0;
    }
    r->body = body;
    r->body_len = (size_t)h.content_length;
    return body + h.content_length == end ? 1 : -1;
}

/* Copies the value of the top-level "id" string of a JSON object into out; false if none. */
static bool json_top_id(const char *p, size_t len, char *out, size_t cap)
{
    const char *end = p + len;
    int depth = 0;
    bool expect_key = false;
    while (p < end) {
        char ch = *p;
        if (ch == '{' || ch == '[') {
            depth++;
            expect_key = ch == '{';
        } else if (ch == '}' || ch == ']') {
            depth--;
        } else if (ch == ',') {
            expect_key = true; /* inside an array this is harmless: a string is then no key */
        } else if (ch == '"') {
            const char *s = ++p;
            while (p < end && *p != '"') {
                p += *p == '\\' ? 2 : 1;
            }
            if (p >= end) {
                return false;
            }
            bool is_id_key = expect_key && depth == 1 && p - s == 2 && memcmp(s, "id", 2) == 0;
            expect_key = false;
            if (is_id_key) {
                const char *v = p + 1;
                while (v < end && (*v == ' ' || *v == ':')) {
                    v++;
                }
                if (v >= end || *v != '"') {
                    return false;
                }
                const char *v_end = memchr(v + 1, '"', (size_t)(end - v - 1));
                if (v_end == NULL || (size_t)(v_end - v - 1) >= cap) {
                    return false;
                }
                memcpy(out, v + 1, (size_t)(v_end - v - 1));
                out[v_end - v - 1] = '\0';
                return true;
            }
        }
        p++;
    }
    return false;
}

static void worker_keep_id(struct worker *worker, const struct response *r)
{
    char id[LINE_BYTES_MAX];
    if (!json_top_id(r->body, r->body_len, id, sizeof(id)) || worker->ids_count >= IDS_MAX) {
        return;
    }
    size_t len = strlen(id);
    if (worker->ids_len + len + 1 > worker->ids_cap) {
        size_t cap = worker->ids_cap == 0 ? 1 << 20 : worker->ids_cap * 2;
        worker->ids = realloc(worker->ids, cap);
        if (worker->ids == NULL) {
            die("out of memory", "");
        }
        worker->ids_cap = cap;
    }
    memcpy(worker->ids + worker->ids_len, id, len);
    worker->ids[worker->ids_len + len] = '\n';
    worker->ids_len += len + 1;
    worker->ids_count++;
}

/* ---- connections ---- */

static void conn_close(struct conn *conn)
{
    if (conn->fd >= 0) {
        close(conn->fd);
        conn->fd = -1;
    }
    conn->response_len = 0;
}

static void conn_start(struct conn *conn);

static void conn_fail(struct conn *conn, uint64_t *counter)
{
    (*counter)++;
    conn_close(conn);
    conn->state = CONN_RETRY;
    conn->retry_at_us = now_us() + RETRY_DELAY_US;
}

static void conn_open(struct conn *conn)
{
    struct worker *worker = conn->worker;
    conn->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (conn->fd < 0) {
        die("socket", strerror(errno));
    }
    int one = 1;
    (void)setsockopt(conn->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_port = htons((uint16_t)opts.port)};
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLOUT | EPOLLET | EPOLLRDHUP, .data.ptr = conn};
    if (epoll_ctl(worker->epoll_fd, EPOLL_CTL_ADD, conn->fd, &ev) != 0) {
        die("epoll_ctl", strerror(errno));
    }
    if (connect(conn->fd, (struct sockaddr *)&addr, sizeof(addr)) == 0) {
        conn_start(conn);
    } else if (errno == EINPROGRESS) {
        conn->state = CONN_CONNECTING;
    } else {
        conn_fail(conn, &worker->errors_connect);
    }
}

static void conn_write(struct conn *conn)
{
    while (conn->request_sent < conn->request_len) {
        ssize_t n = send(conn->fd, conn->request + conn->request_sent,
                         conn->request_len - conn->request_sent, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return; /* EPOLLOUT will say when to go on */
        }
        if (n <= 0) {
            conn_fail(conn, &conn->worker->errors_io);
            return;
        }
        conn->request_sent += (size_t)n;
    }
    conn->state = CONN_READING;
}

/* Starts the next request on an open connection, or leaves it idle once the run is over. */
static void conn_start(struct conn *conn)
{
    struct worker *worker = conn->worker;
    if (!worker->stopping &&
        (now_us() >= deadline_us || atomic_fetch_add(&requests_issued, 1) >= opts.requests_max)) {
        worker->stopping = true;
    }
    if (worker->stopping) {
        conn->state = CONN_IDLE;
        return;
    }
    if (opts.mode == MODE_ORDERS) {
        conn->request_len = build_order(worker, conn->request, sizeof(conn->request));
    } else if (opts.mode == MODE_AVAILABILITY) {
        conn->request_len = build_availability(worker, conn->request, sizeof(conn->request));
    } else {
        conn->request_len = build_read(worker, conn->request, sizeof(conn->request));
    }
    worker->seq++;
    worker->sent++;
    conn->request_sent = 0;
    conn->response_len = 0;
    conn->sent_at_us = now_us();
    conn->state = CONN_WRITING;
    conn_write(conn);
}

static void conn_record(struct conn *conn, const struct response *r)
{
    struct worker *worker = conn->worker;
    uint64_t now = now_us();
    uint64_t latency = now - conn->sent_at_us;
    worker->hist[hist_index(latency)]++;
    if (latency > worker->latency_max_us) {
        worker->latency_max_us = latency;
    }
    worker->responses++;
    worker->finished_us = now;
    worker->status_counts[r->status]++;
    int ok_status = opts.mode == MODE_ORDERS ? 201 : 200;
    if (r->status == ok_status) {
        worker->ok++;
        if (opts.mode == MODE_ORDERS && opts.ids_out != NULL) {
            worker_keep_id(worker, r);
        }
    }
}

/* Reads what has arrived; on a whole response records it and starts the next request. */
static void conn_read(struct conn *conn)
{
    struct worker *worker = conn->worker;
    for (;;) {
        if (conn->response_len + READ_CHUNK_BYTES > RESPONSE_BYTES_MAX) {
            conn_fail(conn, &worker->errors_parse);
            return;
        }
        ssize_t n = recv(conn->fd, conn->response + conn->response_len, READ_CHUNK_BYTES, 0);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        }
        if (n <= 0) {
            /* The server closed: an error in the middle of a request, else a keep-alive end. */
            if (conn->state == CONN_IDLE) {
                conn_close(conn);
                return;
            }
            conn_fail(conn, conn->state == CONN_READING || conn->state == CONN_WRITING
                                ? &worker->errors_io
                                : &worker->reconnects);
            return;
        }
        if (conn->state != CONN_READING) {
            conn_fail(conn, &worker->errors_parse); /* bytes nobody asked for */
            return;
        }
        conn->response_len += (size_t)n;
        struct response r = {0};
        int parsed = parse_response(conn, &r);
        if (parsed < 0) {
            conn_fail(conn, &worker->errors_parse);
            return;
        }
        if (parsed == 0) {
            continue;
        }
        conn_record(conn, &r);
        if (!r.keep_alive) {
            worker->reconnects++;
            conn_close(conn);
            conn_open(conn);
            return;
        }
        conn_start(conn);
        if (conn->state != CONN_READING && conn->state != CONN_WRITING) {
            return;
        }
    }
}

static void conn_on_event(struct conn *conn, uint32_t events)
{
    if (conn->fd < 0) {
        return;
    }
    if (conn->state == CONN_CONNECTING) {
        int error = 0;
        socklen_t len = sizeof(error);
        if ((events & (EPOLLERR | EPOLLHUP)) != 0 ||
            getsockopt(conn->fd, SOL_SOCKET, SO_ERROR, &error, &len) != 0 || error != 0) {
            conn_fail(conn, &conn->worker->errors_connect);
            return;
        }
        if ((events & EPOLLOUT) == 0) {
            return;
        }
        conn_start(conn);
        return;
    }
    if ((events & EPOLLOUT) != 0 && conn->state == CONN_WRITING) {
        conn_write(conn);
    }
    if ((events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0 && conn->fd >= 0) {
        conn_read(conn);
    }
}

/* Times out slow responses and reopens failed connections; true while a request is in flight. */
static bool worker_sweep(struct worker *worker, uint64_t now)
{
    uint64_t timeout_us = (uint64_t)(opts.timeout_s * 1e6);
    bool busy = false;
    for (int i = 0; i < worker->conns_count; i++) {
        struct conn *conn = &worker->conns[i];
        bool in_flight = conn->state == CONN_WRITING || conn->state == CONN_READING;
        if (in_flight && now - conn->sent_at_us > timeout_us) {
            conn_fail(conn, &worker->errors_timeout);
            in_flight = false;
        }
        if (conn->state == CONN_RETRY && !worker->stopping && now >= conn->retry_at_us) {
            worker->reconnects++;
            conn_open(conn);
        }
        if (conn->state == CONN_RETRY && worker->stopping) {
            conn->state = CONN_IDLE;
        }
        busy = busy || in_flight || conn->state == CONN_CONNECTING;
    }
    return busy;
}

static void *worker_run(void *arg)
{
    struct worker *worker = arg;
    struct epoll_event events[EVENTS_MAX];
    for (int i = 0; i < worker->conns_count; i++) {
        conn_open(&worker->conns[i]);
    }
    uint64_t hard_stop_us = deadline_us + (uint64_t)(opts.timeout_s * 1e6);
    uint64_t last_sweep_us = 0;
    for (;;) {
        int n = epoll_wait(worker->epoll_fd, events, EVENTS_MAX, 5);
        if (n < 0 && errno != EINTR) {
            die("epoll_wait", strerror(errno));
        }
        for (int i = 0; i < n; i++) {
            conn_on_event(events[i].data.ptr, events[i].events);
        }
        uint64_t now = now_us();
        if (now >= deadline_us) {
            worker->stopping = true;
        }
        if (now - last_sweep_us < 5000 && !worker->stopping) {
            continue;
        }
        last_sweep_us = now;
        bool busy = worker_sweep(worker, now);
        if (worker->stopping && (!busy || now >= hard_stop_us)) {
            break;
        }
    }
    for (int i = 0; i < worker->conns_count; i++) {
        struct conn *conn = &worker->conns[i];
        if (conn->state == CONN_WRITING || conn->state == CONN_READING) {
            worker->errors_timeout++;
        }
        conn_close(conn);
    }
    return NULL;
}

/* ---- options and report ---- */

static long parse_long_option(const char *text, const char *name, long min, long max)
{
    char *end = NULL;
    errno = 0;
    long value = strtol(text, &end, 10);
    if (errno != 0 || end == text || *end != '\0' || value < min || value > max) {
        die("bad value for", name);
    }
    return value;
}

static double parse_seconds_option(const char *text, const char *name)
{
    char *end = NULL;
    errno = 0;
    double value = strtod(text, &end);
    if (errno != 0 || end == text || *end != '\0' || !(value > 0.0) || value > 86400.0) {
        die("bad value for", name);
    }
    return value;
}

static void parse_options(int argc, char **argv)
{
    static const struct option longs[] = {
        {"port", required_argument, NULL, 'p'},
        {"key", required_argument, NULL, 'k'},
        {"connections", required_argument, NULL, 'c'},
        {"threads", required_argument, NULL, 't'},
        {"duration", required_argument, NULL, 'd'},
        {"mode", required_argument, NULL, 'm'},
        {"skus", required_argument, NULL, 's'},
        {"sku-prefix", required_argument, NULL, 'P'},
        {"sku-count", required_argument, NULL, 'N'},
        {"ids-out", required_argument, NULL, 'o'},
        {"ids-in", required_argument, NULL, 'i'},
        {"requests", required_argument, NULL, 'r'},
        {"timeout", required_argument, NULL, 'T'},
        {"customers", required_argument, NULL, 'C'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int opt = 0;
    while ((opt = getopt_long(argc, argv, "h", longs, NULL)) != -1) {
        switch (opt) {
        case 'p':
            opts.port = (int)parse_long_option(optarg, "--port", 1, 65535);
            break;
        case 'k':
            opts.key = optarg;
            break;
        case 'c':
            opts.connections = (int)parse_long_option(optarg, "--connections", 1, CONNECTIONS_MAX);
            break;
        case 't':
            opts.threads = (int)parse_long_option(optarg, "--threads", 1, THREADS_MAX);
            break;
        case 'd':
            opts.duration_s = parse_seconds_option(optarg, "--duration");
            break;
        case 'm':
            if (strcmp(optarg, "orders") != 0 && strcmp(optarg, "reads") != 0 &&
                strcmp(optarg, "availability") != 0) {
                die("--mode is orders, reads or availability, got", optarg);
            }
            opts.mode = strcmp(optarg, "orders") == 0  ? MODE_ORDERS
                        : strcmp(optarg, "reads") == 0 ? MODE_READS
                                                       : MODE_AVAILABILITY;
            break;
        case 's':
            opts.skus_path = optarg;
            break;
        case 'P':
            opts.sku_prefix = optarg;
            break;
        case 'N':
            opts.sku_count = parse_long_option(optarg, "--sku-count", 1, SKUS_MAX);
            break;
        case 'o':
            opts.ids_out = optarg;
            break;
        case 'i':
            opts.ids_in = optarg;
            break;
        case 'r':
            opts.requests_max = (uint64_t)parse_long_option(optarg, "--requests", 1, LONG_MAX);
            break;
        case 'T':
            opts.timeout_s = parse_seconds_option(optarg, "--timeout");
            break;
        case 'C':
            opts.customers = parse_long_option(optarg, "--customers", 1, LONG_MAX);
            break;
        case 'h':
            fputs(usage, stdout);
            exit(0);
        default:
            fputs(usage, stderr);
            exit(2);
        }
    }
    if (optind < argc) {
        die("unexpected argument", argv[optind]);
    }
    if (opts.key == NULL || strchr(opts.key, '\r') != NULL || strchr(opts.key, '\n') != NULL) {
        die("--key KEY is required", "");
    }
    if (opts.threads > opts.connections) {
        opts.threads = opts.connections;
    }
}

static void load_inputs(void)
{
    if (opts.mode == MODE_READS) {
        if (opts.ids_in == NULL) {
            die("--mode reads needs --ids-in FILE", "");
        }
        list_read(&ids_in, opts.ids_in, IDS_MAX);
        if (ids_in.count == 0) {
            die("no order ids in", opts.ids_in);
        }
        return;
    }
    if (opts.skus_path != NULL) {
        list_read(&skus, opts.skus_path, SKUS_MAX);
    } else if (opts.sku_prefix != NULL && opts.sku_count > 0) {
        for (long i = 1; i <= opts.sku_count; i++) {
            char sku[LINE_BYTES_MAX];
            int len = snprintf(sku, sizeof(sku), "%s%ld", opts.sku_prefix, i);
            if (len < 0 || (size_t)len >= sizeof(sku)) {
                die("--sku-prefix too long", "");
            }
            list_push(&skus, sku, (size_t)len, SKUS_MAX);
        }
    }
    if (skus.count < 3) {
        die("orders and availability modes need at least 3 SKUs (--skus FILE or "
            "--sku-prefix/--sku-count)",
            "");
    }
}

struct totals {
    uint64_t status_counts[STATUS_MAX];
    uint64_t hist[HIST_BUCKETS];
    uint64_t latency_max_us;
    uint64_t sent, responses, ok, errors_io, errors_parse, errors_timeout, errors_connect;
    uint64_t reconnects, finished_us;
};

static void totals_add(struct totals *t, const struct worker *w)
{
    for (size_t i = 0; i < STATUS_MAX; i++) {
        t->status_counts[i] += w->status_counts[i];
    }
    for (size_t i = 0; i < HIST_BUCKETS; i++) {
        t->hist[i] += w->hist[i];
    }
    t->latency_max_us =
        w->latency_max_us > t->latency_max_us ? w->latency_max_us : t->latency_max_us;
    t->finished_us = w->finished_us > t->finished_us ? w->finished_us : t->finished_us;
    t->sent += w->sent;
    t->responses += w->responses;
    t->ok += w->ok;
    t->errors_io += w->errors_io;
    t->errors_parse += w->errors_parse;
    t->errors_timeout += w->errors_timeout;
    t->errors_connect += w->errors_connect;
    t->reconnects += w->reconnects;
}

static void write_ids(const struct worker *workers, int count)
{
    FILE *file = fopen(opts.ids_out, "w");
    if (file == NULL) {
        die("cannot write", opts.ids_out);
    }
    for (int i = 0; i < count; i++) {
        if (workers[i].ids_len > 0 &&
            fwrite(workers[i].ids, 1, workers[i].ids_len, file) != workers[i].ids_len) {
            die("cannot write", opts.ids_out);
        }
    }
    if (fclose(file) != 0) {
        die("cannot write", opts.ids_out);
    }
}

static void report(const struct totals *t)
{
    const char *mode = opts.mode == MODE_ORDERS  ? "orders"
                       : opts.mode == MODE_READS ? "reads"
                                                 : "availability";
    /* From the start to the last response (the drain after the duration included). */
    uint64_t end = t->responses > 0 ? t->finished_us : now_us();
    double seconds = (double)(end - start_us) / 1e6;
    double rate = seconds > 0 ? (double)t->ok / seconds : 0.0;
    uint64_t errors = t->responses - t->ok + t->errors_io + t->errors_parse + t->errors_timeout +
                      t->errors_connect;
    double p50 = hist_quantile_ms(t->hist, t->responses, 0.50, t->latency_max_us);
    double p90 = hist_quantile_ms(t->hist, t->responses, 0.90, t->latency_max_us);
    double p99 = hist_quantile_ms(t->hist, t->responses, 0.99, t->latency_max_us);
    double max = (double)t->latency_max_us / 1000.0;
    printf("loadgen %s: %d connections, %d threads, %.2f s\n", mode, opts.connections, opts.threads,
           seconds);
    printf("  %-22s %12" PRIu64 "\n", "requests sent", t->sent);
    printf("  %-22s %12" PRIu64 "\n", "responses", t->responses);
    for (int s = 0; s < STATUS_MAX; s++) {
        if (t->status_counts[s] > 0) {
            printf("  status %-15d %12" PRIu64 "\n", s, t->status_counts[s]);
        }
    }
    printf("  %-22s %12" PRIu64 " io, %" PRIu64 " parse, %" PRIu64 " timeout, %" PRIu64
           " connect\n",
           "transport errors", t->errors_io, t->errors_parse, t->errors_timeout, t->errors_connect);
    printf("  %-22s %12" PRIu64 "\n", "reconnects", t->reconnects);
    printf("  %-22s %12.1f\n",
           opts.mode == MODE_ORDERS  ? "orders/s (201 only)"
           : opts.mode == MODE_READS ? "reads/s (200)"
                                     : "requests/s (200)",
           rate);
    printf("  %-22s p50 %.2f  p90 %.2f  p99 %.2f  max %.2f\n", "latency ms", p50, p90, p99, max);
    printf("RESULT mode=%s ok=%" PRIu64 " errors=%" PRIu64 " rate=%.1f p50_ms=%.3f p90_ms=%.3f "
           "p99_ms=%.3f max_ms=%.3f seconds=%.2f\n",
           mode, t->ok, errors, rate, p50, p90, p99, max, seconds);
}

int main(int argc, char **argv)
{
    parse_options(argc, argv);
    load_inputs();
    signal(SIGPIPE, SIG_IGN);
    struct worker *workers = calloc((size_t)opts.threads, sizeof(*workers));
    struct conn *conns = calloc((size_t)opts.connections, sizeof(*conns));
    if (workers == NULL || conns == NULL) {
        die("out of memory", "");
    }
    start_us = now_us();
    deadline_us = start_us + (uint64_t)(opts.duration_s * 1e6);
    run_tag = ((uint64_t)time(NULL) << 20) ^ (uint64_t)getpid();
    int per = opts.connections / opts.threads;
    for (int i = 0; i < opts.threads; i++) {
        struct worker *w = &workers[i];
        w->index = i;
        w->rng = run_tag * 31u + (uint64_t)i;
        w->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
        w->body_scratch = malloc(RESPONSE_BYTES_MAX);
        w->conns = &conns[i * per];
        w->conns_count = i == opts.threads - 1 ? opts.connections - i * per : per;
        if (w->epoll_fd < 0 || w->body_scratch == NULL) {
            die("cannot set up a worker", strerror(errno));
        }
        for (int j = 0; j < w->conns_count; j++) {
            w->conns[j].fd = -1;
            w->conns[j].worker = w;
            w->conns[j].response = malloc(RESPONSE_BYTES_MAX);
            if (w->conns[j].response == NULL) {
                die("out of memory", "");
            }
        }
    }
    for (int i = 0; i < opts.threads; i++) {
        if (pthread_create(&workers[i].thread, NULL, worker_run, &workers[i]) != 0) {
            die("pthread_create failed", "");
        }
    }
    static struct totals totals;
    for (int i = 0; i < opts.threads; i++) {
        pthread_join(workers[i].thread, NULL);
        totals_add(&totals, &workers[i]);
    }
    if (opts.ids_out != NULL) {
        write_ids(workers, opts.threads);
    }
    report(&totals);
    return totals.ok > 0 ? 0 : 1;
}
