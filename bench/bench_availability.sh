#!/usr/bin/env bash
# `make bench-availability` (issue 3): GET /v1/availability for 3 SKUs over HTTP, the call a web
# shop makes on every product page. Starts `build/ordo serve` on a fresh temporary database, sets up
# the network of `make bench` (2 warehouses, 3 stores at real US places; BENCH_PRODUCTS products,
# 1,000,000 units of each everywhere) plus 100 soft holds, then runs build/loadgen in availability
# mode (3 random SKUs from a random ZIP code per request, a channel key) over many keep-alive
# connections, BENCH_RUNS times (default 3) on the same server, and prints each run and the medians
# of requests/s, p50, p99 and the server's CPU time per request. The machine is shared: the loadgen runs beside the server on its 2
# cores, so figures move from run to run. Knobs: BENCH_RUNS (3), BENCH_DURATION (10),
# BENCH_CONNECTIONS (64), BENCH_THREADS (2), BENCH_PRODUCTS (1000). Exit 2 when it could not run.
set -euo pipefail

cd "$(dirname "$0")/.."

ORDO="${ORDO:-build/ordo}"
LOADGEN="${LOADGEN:-build/loadgen}"
RUNS="${BENCH_RUNS:-3}"
DURATION="${BENCH_DURATION:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
THREADS="${BENCH_THREADS:-2}"
PRODUCTS="${BENCH_PRODUCTS:-1000}"
STOCK=1000000
GOAL_RATE=50000

for tool in "$ORDO" "$LOADGEN"; do
    if [ ! -x "$tool" ]; then
        echo "bench-availability: $tool is not built (make build/ordo build/loadgen)" >&2
        exit 2
    fi
done

workdir="$(mktemp -d /tmp/ordo-bench-availability.XXXXXX)"
server_pid=""

cleanup() {
    if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
        kill -TERM "$server_pid" 2>/dev/null || true
        wait "$server_pid" 2>/dev/null || true
    fi
    if [ -n "${BENCH_KEEP:-}" ]; then
        echo "bench-availability: kept $workdir"
    else
        rm -rf "$workdir"
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

fail() {
    echo "bench-availability: $*" >&2
    tail -n 20 "$workdir/server.err" >&2 2>/dev/null || true
    exit 2
}

"$ORDO" serve --db "$workdir/bench.db" --listen 127.0.0.1:0 >"$workdir/server.out" \
    2>"$workdir/server.err" &
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

new_key() { # ROLE [SCOPE-FLAG VALUE]
    "$ORDO" key create --db "$workdir/bench.db" --name bench "$@" 2>&1 |
        awk 'NF { last = $NF } END { print last }'
}
admin="$(new_key --role admin)"
[ -n "$admin" ] || fail "ordo key create failed"

# Appends one request to a curl config: METHOD PATH JSON.
entry() {
    local body="${3//\\/\\\\}"
    body="${body//\"/\\\"}"
    printf 'url = "%s%s"\nrequest = "%s"\nheader = "Authorization: Bearer %s"\n' \
        "$base_url" "$2" "$1" "$admin"
    printf 'header = "Content-Type: application/json"\ndata = "%s"\noutput = "/dev/null"\n' "$body"
    printf 'write-out = "%%{http_code}\\n"\nnext\n'
}

run_config() {
    sed -i '$ d' "$1"
    local bad
    bad="$(curl --no-progress-meter --parallel --parallel-max 16 --config "$1" 2>&1 |
        grep -v -E '^2[0-9][0-9]$' || true)"
    [ -z "$bad" ] || fail "setting up $2: $(printf '%s\n' "$bad" | head -n 3)"
}

LOCATIONS=(
    'DC-EAST|warehouse|Newark|NJ|07114|40.7082|-74.1891|"ship","return"'
    'DC-WEST|warehouse|Reno|NV|89502|39.4972|-119.7764|"ship","return"'
    'STORE-BOS|store|Boston|MA|02116|42.3492|-71.0768|"ship","pickup","return"'
    'STORE-CHI|store|Chicago|IL|60611|41.8971|-87.6223|"ship","pickup","return"'
    'STORE-ATX|store|Austin|TX|78701|30.2713|-97.7426|"ship","pickup","return"'
)
t0=$SECONDS
config="$workdir/setup.curl"
: >"$config"
for l in "${LOCATIONS[@]}"; do
    IFS='|' read -r code kind city region zip lat lon caps <<<"$l"
    entry POST /v1/locations "{\"code\":\"$code\",\"name\":\"$code\",\"kind\":\"$kind\",\
\"address\":{\"line1\":\"1 Main St\",\"city\":\"$city\",\"region\":\"$region\",\"postal_code\":\"$zip\",\
\"country\":\"US\",\"lat\":$lat,\"lon\":$lon},\"capabilities\":[$caps]}" >>"$config"
done
run_config "$config" locations
: >"$config"
: >"$workdir/skus.txt"
for i in $(seq 1 "$PRODUCTS"); do
    sku="$(printf 'BENCH-%04d' "$i")"
    echo "$sku" >>"$workdir/skus.txt"
    entry POST /v1/products "{\"sku\":\"$sku\",\"name\":\"P$i\",\"price\":999,\"currency\":\"USD\"}" \
        >>"$config"
done
run_config "$config" products
: >"$config"
while read -r sku; do
    for l in "${LOCATIONS[@]}"; do
        entry PUT "/v1/inventory/$sku/${l%%|*}" "{\"on_hand\":$STOCK}" >>"$config"
    done
done <"$workdir/skus.txt"
run_config "$config" stock
: >"$config"
for i in $(seq 1 $((PRODUCTS < 100 ? PRODUCTS : 100))); do
    entry POST /v1/holds "{\"lines\":[{\"sku\":\"$(printf 'BENCH-%04d' "$i")\",\"qty\":2}],\
\"ttl_seconds\":3600}" >>"$config"
done
run_config "$config" holds
web="$(new_key --role channel --channel web)"
echo "setup: 5 locations, $PRODUCTS products, $STOCK units each everywhere, 100 holds" \
    "($((SECONDS - t0)) s) on $base_url"

# CPU ticks (user + system) the server has used so far.
server_ticks() {
    awk '{ print $14 + $15 }' "/proc/$server_pid/stat"
}
hz="$(getconf CLK_TCK)"

rates=()
p50s=()
p99s=()
cpus=()
for n in $(seq 1 "$RUNS"); do
    echo "-- run $n of $RUNS: $CONNECTIONS connections, $THREADS threads, $DURATION s"
    before="$(server_ticks)"
    "$LOADGEN" --port "$port" --key "$web" --mode availability --connections "$CONNECTIONS" \
        --threads "$THREADS" --duration "$DURATION" --skus "$workdir/skus.txt" \
        | tee "$workdir/run$n.txt" || true
    after="$(server_ticks)"
    ok="$(sed -n 's/^RESULT .*\<ok=\([^ ]*\).*/\1/p' "$workdir/run$n.txt")"
    cpus+=("$(awk -v t="$((after - before))" -v hz="$hz" -v ok="${ok:-0}" \
        'BEGIN { printf "%.1f", (ok > 0 ? t / hz * 1e6 / ok : 0) }')")
    echo "server CPU per request: ${cpus[-1]} us"
    rates+=("$(sed -n 's/^RESULT .*\<rate=\([^ ]*\).*/\1/p' "$workdir/run$n.txt")")
    p50s+=("$(sed -n 's/^RESULT .*\<p50_ms=\([^ ]*\).*/\1/p' "$workdir/run$n.txt")")
    p99s+=("$(sed -n 's/^RESULT .*\<p99_ms=\([^ ]*\).*/\1/p' "$workdir/run$n.txt")")
done

median() {
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print (NR ? v[int((NR + 1) / 2)] : 0) }'
}
rate="$(median "${rates[@]}")"
p50="$(median "${p50s[@]}")"
p99="$(median "${p99s[@]}")"
cpu="$(median "${cpus[@]}")"
verdict=MISS
if awk -v r="$rate" -v g="$GOAL_RATE" 'BEGIN { exit !(r >= g) }'; then
    verdict=PASS
fi
echo
echo "== bench-availability, median of $RUNS runs ($(nproc) cores, loadgen on the same machine)"
echo "   runs: requests/s ${rates[*]}; p50 ms ${p50s[*]}; p99 ms ${p99s[*]};" \
    "server CPU us/request ${cpus[*]}"
printf '  %-16s %12s   goal >= %-7s %s\n' "requests/s" "$rate" "$GOAL_RATE" "$verdict"
printf '  %-16s %12s\n' "p50 ms" "$p50" "p99 ms" "$p99" "server CPU us/req" "$cpu"
echo "   (load average while measuring: $(cut -d' ' -f1-3 /proc/loadavg); the machine is shared)"
echo "BENCH availability_per_s=$rate p50_ms=$p50 p99_ms=$p99 server_cpu_us=$cpu runs=$RUNS"
