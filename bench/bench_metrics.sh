#!/usr/bin/env bash
# `make bench-metrics`: the metrics benchmark (issue 6). build/metrics_gen writes 1,000,000 orders
# over two years (730 days ending 2026-11-28) through the app with the group-commit writer, so the
# rollups are kept as in production; then `build/ordo serve` answers, over loopback with keep-alive,
# 100 requests each of
#   GET /v1/metrics over the full range, GET /v1/metrics over one month (2026-10),
#   GET /v1/metrics/daily over one year (2025-11-29 .. 2026-11-28),
# after 5 warm-up requests each, and the script prints p50 and p99 (nearest rank) of each against
# the goal (p99 <= 20 ms). curl measures each request (time_total: the request is sent on an open
# connection and the whole answer read).
#
# Knobs: BENCH_METRICS_ORDERS (1000000), BENCH_METRICS_DAYS (730), BENCH_METRICS_FULFILL (percent of
# shipments and pickups taken to the end, 5; see bench/metrics_gen.c), BENCH_METRICS_REQUESTS
# (100), BENCH_METRICS_DB (a database to reuse: generated there when missing, kept afterwards),
# BENCH_STRICT=1 (exit 1 when a goal is missed). Exit 2 when the benchmark itself could not run.
set -euo pipefail

cd "$(dirname "$0")/.."

ORDO="${ORDO:-build/ordo}"
GEN="${GEN:-build/metrics_gen}"
ORDERS="${BENCH_METRICS_ORDERS:-1000000}"
DAYS="${BENCH_METRICS_DAYS:-730}"
FULFILL="${BENCH_METRICS_FULFILL:-5}"
REQUESTS="${BENCH_METRICS_REQUESTS:-100}"
END_DAY="2026-11-28"
GOAL_P99_MS=20

for tool in "$ORDO" "$GEN"; do
    if [ ! -x "$tool" ]; then
        echo "bench-metrics: $tool is not built (make build/ordo build/metrics_gen)" >&2
        exit 2
    fi
done
for tool in curl awk sort; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench-metrics: $tool is needed" >&2
        exit 2
    fi
done

workdir="$(mktemp -d /tmp/ordo-bench-metrics.XXXXXX)"
db="${BENCH_METRICS_DB:-$workdir/metrics.db}"
server_pid=""

cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    rm -rf "$workdir"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "bench-metrics: $*" >&2
    if [ -s "$workdir/server.err" ]; then
        tail -n 20 "$workdir/server.err" >&2
    fi
    exit 2
}

if [ ! -s "$db" ]; then
    echo "== generating $ORDERS orders over $DAYS days into $db"
    gen_start=$(date +%s)
    "$GEN" --db "$db" --orders "$ORDERS" --days "$DAYS" --end "$END_DAY" \
        --fulfill-percent "$FULFILL" || fail "metrics_gen failed"
    echo "generation: $(($(date +%s) - gen_start)) s"
else
    echo "== reusing $db"
fi

"$ORDO" serve --db "$db" --listen 127.0.0.1:0 >"$workdir/server.out" 2>"$workdir/server.err" &
server_pid=$!
port=""
for _ in $(seq 1 300); do
    port="$(sed -n 's|^ordo: listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' \
        "$workdir/server.out" | head -n 1)" || true
    [ -n "$port" ] && break
    kill -0 "$server_pid" 2>/dev/null || fail "ordo serve exited before listening"
    sleep 0.1
done
[ -n "$port" ] || fail "ordo serve did not listen within 30 s"
base_url="http://127.0.0.1:$port"

key_out="$("$ORDO" key create --db "$db" --role analyst --name bench-metrics 2>&1)" ||
    fail "ordo key create failed: $key_out"
key="$(printf '%s\n' "$key_out" | awk 'NF { last = $NF } END { print last }')"
key_out="$("$ORDO" key create --db "$db" --role admin --name bench-metrics-inputs 2>&1)" ||
    fail "ordo key create failed: $key_out"
admin_key="$(printf '%s\n' "$key_out" | awk 'NF { last = $NF } END { print last }')"

# Traffic for every channel and costs at each warehouse, every day (once per database: a marker
# file next to it says they were posted), through the API, 16 requests at a time.
post_inputs() {
    local config="$workdir/inputs.curl" d day bad
    [ -e "$db.inputs-posted" ] && return 0
    : >"$config"
    for d in $(seq 0 $((DAYS - 1))); do
        day="$(date -u -d "$END_DAY - $d days" +%Y-%m-%d)"
        for channel in web marketplace pos mobile b2b; do
            printf 'url = "%s/v1/channels/%s/traffic"\nheader = "Authorization: Bearer %s"\n' \
                "$base_url" "$channel" "$admin_key" >>"$config"
            printf 'json = "{\\"date\\":\\"%s\\",\\"visitors\\":%d,\\"carts_created\\":%d,\\"carts_abandoned\\":%d}"\n' \
                "$day" $((20000 + d % 97)) $((1500 + d % 13)) $((1000 + d % 11)) >>"$config"
            printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' >>"$config"
        done
        for location in DC-EAST DC-WEST; do
            printf 'url = "%s/v1/costs"\nheader = "Authorization: Bearer %s"\n' "$base_url" \
                "$admin_key" >>"$config"
            printf 'json = "{\\"date\\":\\"%s\\",\\"location\\":\\"%s\\",\\"category\\":\\"labor\\",\\"amount\\":%d}"\n' \
                "$day" "$location" $((900000 + d * 7)) >>"$config"
            printf 'output = "/dev/null"\nwrite-out = "%%{http_code}\\n"\nnext\n' >>"$config"
        done
    done
    sed -i '$ d' "$config"
    bad="$(curl --no-progress-meter --parallel --parallel-max 16 --config "$config" |
        grep -v -c -E '^20[01]$' || true)"
    [ "$bad" = "0" ] || fail "posting traffic and costs: $bad requests failed"
    touch "$db.inputs-posted"
}

# Runs COUNT sequential GETs of PATH on one keep-alive connection; prints "status seconds" lines.
timed_gets() {
    local path="$1" count="$2" config="$workdir/gets.curl" i
    : >"$config"
    for i in $(seq 1 "$count"); do
        printf 'url = "%s%s"\nheader = "Authorization: Bearer %s"\noutput = "/dev/null"\n' \
            "$base_url" "$path" "$key" >>"$config"
        printf 'write-out = "%%{http_code} %%{time_total}\\n"\n' >>"$config"
        [ "$i" -lt "$count" ] && printf 'next\n' >>"$config"
    done
    curl --no-progress-meter --config "$config"
}

failed_goal=0
# Prints "NAME p50 p99 goal" for PATH.
measure() {
    local name="$1" path="$2" out bad
    timed_gets "$path" 5 >/dev/null
    out="$(timed_gets "$path" "$REQUESTS")"
    bad="$(printf '%s\n' "$out" | awk '$1 != 200' | head -n 3)"
    if [ -n "$bad" ]; then
        curl --no-progress-meter -H "Authorization: Bearer $key" "$base_url$path" | head -c 400 >&2
        echo >&2
        fail "GET $path answered: $bad"
    fi
    printf '%s\n' "$out" | awk '{ printf "%.3f\n", $2 * 1000 }' | sort -n >"$workdir/ms.txt"
    local n p50 p99
    n=$(wc -l <"$workdir/ms.txt")
    p50=$(sed -n "$(((n * 50 + 99) / 100))p" "$workdir/ms.txt")
    p99=$(sed -n "$(((n * 99 + 99) / 100))p" "$workdir/ms.txt")
    local verdict="met"
    if awk -v p="$p99" -v g="$GOAL_P99_MS" 'BEGIN { exit !(p > g) }'; then
        verdict="NOT MET"
        failed_goal=1
    fi
    printf '%-34s p50 %8.2f ms   p99 %8.2f ms   goal p99 <= %d ms: %s\n' "$name" "$p50" "$p99" \
        "$GOAL_P99_MS" "$verdict"
}

post_inputs
first_day="$(date -u -d "$END_DAY - $((DAYS - 1)) days" +%Y-%m-%d)"
year_from="$(date -u -d "$END_DAY - 364 days" +%Y-%m-%d)"
echo "== $REQUESTS requests each (after 5 warm-up), loopback, one keep-alive connection"
measure "GET /v1/metrics (full range)" "/v1/metrics?from=$first_day&to=$END_DAY"
measure "GET /v1/metrics (one month)" "/v1/metrics?from=2026-10-01&to=2026-10-31"
measure "GET /v1/metrics/daily (one year)" "/v1/metrics/daily?from=$year_from&to=$END_DAY"
measure "GET /v1/metrics?channel=web (full)" "/v1/metrics?from=$first_day&to=$END_DAY&channel=web"

orders_line="$(curl --no-progress-meter -H "Authorization: Bearer $key" \
    "$base_url/v1/metrics?from=$first_day&to=$END_DAY" | head -c 300)"
echo "full range answer: $orders_line..."
if [ "$failed_goal" -ne 0 ] && [ -n "${BENCH_STRICT:-}" ]; then
    exit 1
fi
