#!/usr/bin/env bash
# `make bench`: Ordo's performance benchmark (issue 2). Starts `build/ordo serve` on a fresh temporary
# database, sets up 2 warehouses, 3 stores, 1,000 products and 1,000,000 units of each at each
# location through the API, then runs build/loadgen: 3-line orders for 20 s, then reads of the
# created orders by id for 10 s, both over 64 keep-alive connections; reads the server's peak RSS.
# Prints orders/s, p50/p99, reads/s and peak RSS against the goals. BENCH_RUNS=3 repeats it on a
# fresh database each time and prints the medians. Other knobs: BENCH_DURATION (20),
# BENCH_READ_DURATION (10), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_PRODUCTS (1000),
# BENCH_STRICT=1 (exit 1 when a goal is missed). Exit 2 when the benchmark itself could not run.
set -euo pipefail

cd "$(dirname "$0")/.."

ORDO="${ORDO:-build/ordo}"
LOADGEN="${LOADGEN:-build/loadgen}"
RUNS="${BENCH_RUNS:-1}"
DURATION="${BENCH_DURATION:-20}"
READ_DURATION="${BENCH_READ_DURATION:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
PRODUCTS="${BENCH_PRODUCTS:-1000}"
STOCK=1000000

# Goals from issue 2.
GOAL_ORDERS_RATE=10000
GOAL_P99_MS=20
GOAL_READS_RATE=50000
GOAL_RSS_MB=100

for tool in "$ORDO" "$LOADGEN"; do
    if [ ! -x "$tool" ]; then
        echo "bench: $tool is not built (make build/ordo build/loadgen)" >&2
        exit 2
    fi
done
for tool in curl awk; do
    if ! command -v "$tool" >/dev/null; then
        echo "bench: $tool is needed (scripts/setup.sh installs it)" >&2
        exit 2
    fi
done

workdir="$(mktemp -d /tmp/ordo-bench.XXXXXX)"
run_dir="$workdir"
server_pid=""

stop_server() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        for _ in $(seq 1 100); do
            kill -0 "$server_pid" 2>/dev/null || break
            sleep 0.1
        done
        if kill -0 "$server_pid" 2>/dev/null; then
            echo "bench: the server did not stop on SIGTERM within 10 s; killing it" >&2
            kill -KILL "$server_pid" 2>/dev/null || true
        fi
        wait "$server_pid" 2>/dev/null || true
    fi
    server_pid=""
}

cleanup() {
    stop_server
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "bench: kept $workdir"
    else
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "bench: $*" >&2
    for f in "$run_dir"/server.err "$run_dir"/server.out; do
        if [ -s "$f" ]; then
            echo "--- last lines of $f" >&2
            tail -n 20 "$f" >&2
        fi
    done
    exit 2
}

# Starts the server on a free port; sets server_pid and base_url.
start_server() {
    : >"$run_dir/server.out"
    : >"$run_dir/server.err"
    "$ORDO" serve --db "$run_dir/bench.db" --listen 127.0.0.1:0 \
        >"$run_dir/server.out" 2>"$run_dir/server.err" &
    server_pid=$!
    local port=""
    for _ in $(seq 1 300); do
        port="$(sed -n 's|^ordo: listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' \
            "$run_dir/server.out" | head -n 1)" || true
        if [ -n "$port" ]; then
            break
        fi
        if ! kill -0 "$server_pid" 2>/dev/null; then
            fail "ordo serve exited before listening"
        fi
        sleep 0.1
    done
    if [ -z "$port" ]; then
        fail "ordo serve printed no 'ordo: listening on http://127.0.0.1:PORT' line within 30 s"
    fi
    base_url="http://127.0.0.1:$port"
}

create_key() {
    local out
    if ! out="$("$ORDO" key create --db "$run_dir/bench.db" --role admin --name bench 2>&1)"; then
        echo "$out" >&2
        fail "ordo key create failed"
    fi
    key="$(printf '%s\n' "$out" | awk 'NF { last = $NF } END { print last }')"
    if [ -z "$key" ]; then
        fail "no key in the output of ordo key create"
    fi
}

# Appends one request to a curl config file: METHOD PATH JSON.
curl_entry() {
    local body="${3//\\/\\\\}"
    body="${body//\"/\\\"}"
    printf 'url = "%s%s"\nrequest = "%s"\nheader = "Authorization: Bearer %s"\n' \
        "$base_url" "$2" "$1" "$key"
    printf 'header = "Content-Type: application/json"\ndata = "%s"\noutput = "/dev/null"\n' "$body"
    printf 'write-out = "%%{http_code} %%{method} %%{url_effective}\\n"\nnext\n'
}

# Runs a curl config (requests in parallel) and fails unless every answer is 2xx.
curl_run() {
    local config="$1" what="$2" out bad
    # Each entry ends with "next"; the last one would start an empty request.
    sed -i '$ d' "$config"
    out="$(curl --no-progress-meter --parallel --parallel-max 16 --config "$config" \
        2>"$config.err")" || true
    bad="$( (printf '%s\n' "$out" | grep -v -E '^2[0-9][0-9] '; cat "$config.err") || true)"
    if [ -n "$bad" ]; then
        printf '%s\n' "$bad" | head -n 10 >&2
        fail "setting up $what: $(printf '%s\n' "$bad" | wc -l) requests failed"
    fi
}

# Locations at real US places: 2 warehouses, 3 stores.
LOCATIONS=(
    'DC-EAST|Newark DC|warehouse|1 Port St|Newark|NJ|07114|40.7082|-74.1891|"ship","return"'
    'DC-WEST|Reno DC|warehouse|4800 Longley Ln|Reno|NV|89502|39.4972|-119.7764|"ship","return"'
    'STORE-BOS|Boston Back Bay|store|500 Boylston St|Boston|MA|02116|42.3492|-71.0768|"ship","pickup","return"'
    'STORE-CHI|Chicago Magnificent Mile|store|600 N Michigan Ave|Chicago|IL|60611|41.8971|-87.6223|"ship","pickup","return"'
    'STORE-ATX|Austin Downtown|store|300 Congress Ave|Austin|TX|78701|30.2713|-97.7426|"ship","pickup","return"'
)

set_up_store() {
    local config="$run_dir/locations.curl" code name kind line1 city region zip lat lon caps
    : >"$config"
    for entry in "${LOCATIONS[@]}"; do
        IFS='|' read -r code name kind line1 city region zip lat lon caps <<<"$entry"
        curl_entry POST /v1/locations "{\"code\":\"$code\",\"name\":\"$name\",\"kind\":\"$kind\",\
\"address\":{\"line1\":\"$line1\",\"city\":\"$city\",\"region\":\"$region\",\"postal_code\":\"$zip\",\
\"country\":\"US\",\"lat\":$lat,\"lon\":$lon},\"capabilities\":[$caps],\
\"capacity_per_day\":10000000,\"handling_cost\":150,\"priority\":10,\"active\":true}" >>"$config"
    done
    curl_run "$config" "locations"

    config="$run_dir/products.curl"
    : >"$config"
    : >"$run_dir/skus.txt"
    local i sku
    for i in $(seq 1 "$PRODUCTS"); do
        sku="$(printf 'BENCH-%04d' "$i")"
        echo "$sku" >>"$run_dir/skus.txt"
        curl_entry POST /v1/products "{\"sku\":\"$sku\",\"name\":\"Bench product $i\",\
\"price\":$((500 + i % 5000)),\"currency\":\"USD\",\"weight_grams\":$((100 + i % 900)),\
\"kind\":\"simple\"}" >>"$config"
    done
    curl_run "$config" "products"

    config="$run_dir/stock.curl"
    : >"$config"
    while read -r sku; do
        for entry in "${LOCATIONS[@]}"; do
            curl_entry PUT "/v1/inventory/$sku/${entry%%|*}" "{\"on_hand\":$STOCK}" >>"$config"
        done
    done <"$run_dir/skus.txt"
    curl_run "$config" "stock"
}

# The value of NAME=VALUE in loadgen's RESULT line.
result_field() {
    sed -n "s/^RESULT .*\\<$2=\\([^ ]*\\).*/\\1/p" "$1" | tail -n 1
}

declare -a r_orders r_p50 r_p99 r_reads r_rss
run_once() {
    local n="$1"
    run_dir="$workdir/run$n"
    mkdir -p "$run_dir"
    echo "== bench run $n of $RUNS ($run_dir)"
    start_server
    create_key
    local t0=$SECONDS
    set_up_store
    echo "setup: 5 locations, $PRODUCTS products, $STOCK units each at each location" \
        "($((SECONDS - t0)) s) on $base_url"

    echo "-- orders: $CONNECTIONS connections, $DURATION s"
    "$LOADGEN" --port "${base_url##*:}" --key "$key" --mode orders --connections "$CONNECTIONS" \
        --threads "$THREADS" --duration "$DURATION" --skus "$run_dir/skus.txt" \
        --ids-out "$run_dir/ids.txt" | tee "$run_dir/orders.txt" || true
    if [ ! -s "$run_dir/ids.txt" ]; then
        fail "no order was created (201), so there is nothing to read"
    fi
    echo "-- reads: $CONNECTIONS connections, $READ_DURATION s over $(wc -l <"$run_dir/ids.txt") orders"
    "$LOADGEN" --port "${base_url##*:}" --key "$key" --mode reads --connections "$CONNECTIONS" \
        --threads "$THREADS" --duration "$READ_DURATION" --ids-in "$run_dir/ids.txt" \
        | tee "$run_dir/reads.txt" || true

    local rss_kb
    rss_kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$server_pid/status" 2>/dev/null || echo 0)"
    stop_server
    if [ -n "${BENCH_CHECK:-1}" ] && [ "${BENCH_CHECK:-1}" != 0 ]; then
        if "$ORDO" check --db "$run_dir/bench.db" >"$run_dir/check.txt" 2>&1; then
            echo "ordo check: ok"
        else
            echo "ordo check: FAILED (see below)"
            tail -n 20 "$run_dir/check.txt"
        fi
    fi

    r_orders+=("$(result_field "$run_dir/orders.txt" rate)")
    r_p50+=("$(result_field "$run_dir/orders.txt" p50_ms)")
    r_p99+=("$(result_field "$run_dir/orders.txt" p99_ms)")
    r_reads+=("$(result_field "$run_dir/reads.txt" rate)")
    r_rss+=("$(awk -v kb="${rss_kb:-0}" 'BEGIN { printf "%.1f", kb / 1024 }')")
}

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'
}

verdict() { # VALUE OP GOAL
    if awk -v v="$1" -v g="$3" -v op="$2" 'BEGIN { exit !((op == ">=") ? v >= g : v <= g) }'; then
        echo PASS
    else
        echo MISS
    fi
}

for n in $(seq 1 "$RUNS"); do
    run_once "$n"
done

orders="$(median "${r_orders[@]}")"
p50="$(median "${r_p50[@]}")"
p99="$(median "${r_p99[@]}")"
reads="$(median "${r_reads[@]}")"
rss="$(median "${r_rss[@]}")"
label="result"
if [ "$RUNS" -gt 1 ]; then
    label="median of $RUNS runs"
fi

echo
echo "== bench $label ($(nproc) cores, synchronous=FULL, loadgen on the same machine)"
if [ "$RUNS" -gt 1 ]; then
    echo "   runs: orders/s ${r_orders[*]}; p99 ms ${r_p99[*]}; reads/s ${r_reads[*]}; RSS MB ${r_rss[*]}"
fi
v_orders="$(verdict "$orders" '>=' "$GOAL_ORDERS_RATE")"
v_p99="$(verdict "$p99" '<=' "$GOAL_P99_MS")"
v_reads="$(verdict "$reads" '>=' "$GOAL_READS_RATE")"
v_rss="$(verdict "$rss" '<=' "$GOAL_RSS_MB")"
printf '  %-16s %12s   goal >= %-7s %s\n' "orders/s" "$orders" "$GOAL_ORDERS_RATE" "$v_orders"
printf '  %-16s %12s\n' "order p50 ms" "$p50"
printf '  %-16s %12s   goal <= %-7s %s\n' "order p99 ms" "$p99" "$GOAL_P99_MS" "$v_p99"
printf '  %-16s %12s   goal >= %-7s %s\n' "reads/s" "$reads" "$GOAL_READS_RATE" "$v_reads"
printf '  %-16s %12s   goal <= %-7s %s\n' "peak RSS MB" "$rss" "$GOAL_RSS_MB" "$v_rss"
echo "BENCH orders_per_s=$orders p50_ms=$p50 p99_ms=$p99 reads_per_s=$reads peak_rss_mb=$rss runs=$RUNS"

if [ -n "${BENCH_STRICT:-}" ]; then
    for v in "$v_orders" "$v_p99" "$v_reads" "$v_rss"; do
        if [ "$v" = MISS ]; then
            exit 1
        fi
    done
fi
exit 0
