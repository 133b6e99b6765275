#!/usr/bin/env bash
# `make bench`: Ordo's performance benchmark (issue 2). Starts `build/ordo serve` on a fresh temporary
# database, sets up 2 warehouses, 3 stores, 1,000 products and 1,000,000 units of each at each
# location through the API, then runs build/loadgen: 3-line orders for 20 s, then reads of the
# created orders by id for 10 s, both over 64 keep-alive connections; reads the server's peak RSS.
# Prints orders/s, p50/p99, reads/s and peak RSS against the goals. BENCH_RUNS=3 repeats it on a
# fresh database each time and prints the medians. Other knobs: BENCH_DURATION (20),
# BENCH_READ_DURATION (10), BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_PRODUCTS (1000),
# BENCH_CUSTOMERS (100000: the e-mails orders are drawn from; fewer make more orders come from
# returning customers), BENCH_STRICT=1 (exit 1 when a goal is missed). Exit 2 when the benchmark
# itself could not run.
#
# PostgreSQL (`make bench-pg`, bench/bench_pg.sh): BENCH_PG_URL=postgresql://.../db names a cluster;
# each run then creates a fresh database on it (dropped after) instead of an SQLite file, and
# BENCH_PROCESSES=N (1) starts N `ordo serve` on it, each driven by its own loadgen with
# CONNECTIONS/N connections at the same time: orders/s and reads/s are the sums, p50/p99 the
# worst of the processes. The goals printed are then PostgreSQL's (issue 7).
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
CUSTOMERS="${BENCH_CUSTOMERS:-100000}"
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

PG_URL="${BENCH_PG_URL:-}"
PROCESSES="${BENCH_PROCESSES:-1}"
if [ -n "$PG_URL" ]; then
    GOAL_ORDERS_RATE=3000 # issue 7: one process on PostgreSQL
    command -v psql >/dev/null || { echo "bench: psql is needed" >&2; exit 2; }
elif [ "$PROCESSES" != 1 ]; then
    echo "bench: BENCH_PROCESSES > 1 needs BENCH_PG_URL (one SQLite file has one writer)" >&2
    exit 2
fi

workdir="$(mktemp -d /tmp/ordo-bench.XXXXXX)"
run_dir="$workdir"
server_pid=""
server_pids=()
ports=()
db=""
pg_database=""

# The database of a run: an SQLite file in run_dir, or a fresh database on BENCH_PG_URL.
db_create() {
    if [ -z "$PG_URL" ]; then
        db="$run_dir/bench.db"
        return
    fi
    pg_database="ordo_bench_$$_$1"
    psql -X -q -v ON_ERROR_STOP=1 -d "$PG_URL" -c "CREATE DATABASE $pg_database" >/dev/null ||
        fail "cannot create database $pg_database on $PG_URL"
    db="${PG_URL%/*}/$pg_database"
}

db_drop() {
    if [ -n "$pg_database" ] && [ -z "${BENCH_KEEP:-}" ]; then
        psql -X -q -d "$PG_URL" -c "DROP DATABASE IF EXISTS $pg_database WITH (FORCE)" \
            >/dev/null 2>&1 || true
    fi
    pg_database=""
}

stop_servers() {
    local pid
    for pid in "${server_pids[@]}"; do
        server_pid="$pid"
        stop_server
    done
    server_pids=()
    ports=()
}

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
    stop_servers
    db_drop
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

# Starts a server on a free port; sets server_pid and base_url, adds it to server_pids and
# ports. $1 numbers its output files (server.out, server1.out ...).
start_server() {
    local out="$run_dir/server${1:-}.out" err="$run_dir/server${1:-}.err"
    : >"$out"
    : >"$err"
    "$ORDO" serve --db "$db" --listen 127.0.0.1:0 >"$out" 2>"$err" &
    server_pid=$!
    server_pids+=("$server_pid")
    local port=""
    for _ in $(seq 1 300); do
        port="$(sed -n 's|^ordo: listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*|\1|p' \
            "$out" | head -n 1)" || true
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
    ports+=("$port")
}

create_key() {
    local out
    if ! out="$("$ORDO" key create --db "$db" --role admin --name bench 2>&1)"; then
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

declare -a r_orders r_p50 r_p99 r_reads r_rss r_cpu

# Runs loadgen against every server at once (CONNECTIONS/PROCESSES connections each) with the
# arguments given; writes $run_dir/$1.txt with one RESULT line: rates summed, latencies the
# worst of the processes.
loadgen_all() {
    local name="$1" i
    shift
    local per=$(((CONNECTIONS + PROCESSES - 1) / PROCESSES))
    local pids=()
    for i in "${!ports[@]}"; do
        "$LOADGEN" --port "${ports[$i]}" --key "$key" --connections "$per" --threads "$THREADS" \
            "$@" ${ids_out:+--ids-out "$run_dir/ids$i.txt"} >"$run_dir/$name$i.txt" 2>&1 &
        pids+=($!)
    done
    for i in "${!pids[@]}"; do
        wait "${pids[$i]}" || true
    done
    cat "$run_dir/$name"[0-9]*.txt | grep -v '^RESULT ' || true
    awk '/^RESULT / {
            for (f = 2; f <= NF; f++) { split($f, kv, "="); v[kv[1]] = kv[2] }
            rate += v["rate"]; if (v["p50_ms"] > p50) p50 = v["p50_ms"];
            if (v["p99_ms"] > p99) p99 = v["p99_ms"]; n++ }
         END { printf "RESULT rate=%.0f p50_ms=%s p99_ms=%s processes=%d\n", rate, p50, p99, n }' \
        "$run_dir/$name"[0-9]*.txt | tee "$run_dir/$name.txt"
}

run_once() {
    local n="$1" i
    run_dir="$workdir/run$n"
    mkdir -p "$run_dir"
    echo "== bench run $n of $RUNS ($run_dir)"
    db_create "$n"
    start_server
    create_key
    local t0=$SECONDS
    set_up_store
    for i in $(seq 1 $((PROCESSES - 1))); do
        start_server "$i"
    done
    echo "setup: 5 locations, $PRODUCTS products, $STOCK units each at each location" \
        "($((SECONDS - t0)) s) on $base_url; $PROCESSES ordo serve on ${db%%\?*}"

    echo "-- orders: $CONNECTIONS connections, $DURATION s, customers drawn from $CUSTOMERS e-mails"
    local cpu_before
    cpu_before="$(server_cpu_ticks)"
    if [ "$PROCESSES" = 1 ]; then
        "$LOADGEN" --port "${base_url##*:}" --key "$key" --mode orders --connections "$CONNECTIONS" \
            --threads "$THREADS" --duration "$DURATION" --skus "$run_dir/skus.txt" \
            --customers "$CUSTOMERS" --ids-out "$run_dir/ids.txt" | tee "$run_dir/orders.txt" || true
    else
        ids_out=1 loadgen_all orders --mode orders --duration "$DURATION" --skus "$run_dir/skus.txt" \
            --customers "$CUSTOMERS"
        cat "$run_dir"/ids[0-9]*.txt >"$run_dir/ids.txt"
    fi
    local cpu_ticks=$(($(server_cpu_ticks) - cpu_before))
    if [ ! -s "$run_dir/ids.txt" ]; then
        fail "no order was created (201), so there is nothing to read"
    fi
    echo "-- reads: $CONNECTIONS connections, $READ_DURATION s over $(wc -l <"$run_dir/ids.txt") orders"
    if [ "$PROCESSES" = 1 ]; then
        "$LOADGEN" --port "${base_url##*:}" --key "$key" --mode reads --connections "$CONNECTIONS" \
            --threads "$THREADS" --duration "$READ_DURATION" --ids-in "$run_dir/ids.txt" \
            | tee "$run_dir/reads.txt" || true
    else
        ids_out="" loadgen_all reads --mode reads --duration "$READ_DURATION" \
            --ids-in "$run_dir/ids.txt"
    fi

    local rss_kb=0 pid kb
    for pid in "${server_pids[@]}"; do
        kb="$(awk '/^VmHWM:/ { print $2 }' "/proc/$pid/status" 2>/dev/null || echo 0)"
        if [ "${kb:-0}" -gt "$rss_kb" ]; then
            rss_kb="$kb"
        fi
    done
    stop_servers
    if [ -n "${BENCH_CHECK:-1}" ] && [ "${BENCH_CHECK:-1}" != 0 ]; then
        if "$ORDO" check --db "$db" >"$run_dir/check.txt" 2>&1; then
            echo "ordo check: ok"
        else
            echo "ordo check: FAILED (see below)"
            tail -n 20 "$run_dir/check.txt"
        fi
    fi
    db_drop

    r_orders+=("$(result_field "$run_dir/orders.txt" rate)")
    r_p50+=("$(result_field "$run_dir/orders.txt" p50_ms)")
    r_p99+=("$(result_field "$run_dir/orders.txt" p99_ms)")
    r_reads+=("$(result_field "$run_dir/reads.txt" rate)")
    r_rss+=("$(awk -v kb="${rss_kb:-0}" 'BEGIN { printf "%.1f", kb / 1024 }')")
    r_cpu+=("$(awk -v t="$cpu_ticks" -v hz="$(getconf CLK_TCK)" -v n="$(wc -l <"$run_dir/ids.txt")" \
        'BEGIN { printf "%.0f", (n > 0 ? t * 1e6 / hz / n : 0) }')")
}

# The CPU time (user + system, clock ticks) the servers have used so far: over the orders
# phase, per order created, it is a steadier figure than orders/s on a shared machine.
server_cpu_ticks() {
    local total=0 pid ticks
    for pid in "${server_pids[@]}"; do
        ticks="$(awk '{ print $14 + $15 }' "/proc/$pid/stat" 2>/dev/null || echo 0)"
        total=$((total + ${ticks:-0}))
    done
    echo "$total"
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
cpu="$(median "${r_cpu[@]}")"
label="result"
if [ "$RUNS" -gt 1 ]; then
    label="median of $RUNS runs"
fi

echo
backend="SQLite, synchronous=FULL"
if [ -n "$PG_URL" ]; then
    backend="PostgreSQL, synchronous_commit=on, $PROCESSES process(es)"
fi
echo "== bench $label ($(nproc) cores, $backend, loadgen on the same machine)"
if [ "$RUNS" -gt 1 ]; then
    echo "   runs: orders/s ${r_orders[*]}; p99 ms ${r_p99[*]}; reads/s ${r_reads[*]}; RSS MB ${r_rss[*]};" \
        "server CPU us/order ${r_cpu[*]}"
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
printf '  %-16s %12s   (ordo serve, user + system, over the orders phase)\n' "CPU us/order" "$cpu"
echo "BENCH orders_per_s=$orders p50_ms=$p50 p99_ms=$p99 reads_per_s=$reads peak_rss_mb=$rss cpu_us_per_order=$cpu runs=$RUNS processes=$PROCESSES${PG_URL:+ backend=pg}"

if [ -n "${BENCH_STRICT:-}" ]; then
    for v in "$v_orders" "$v_p99" "$v_reads" "$v_rss"; do
        if [ "$v" = MISS ]; then
            exit 1
        fi
    done
fi
exit 0
