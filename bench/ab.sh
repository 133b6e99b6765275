#!/usr/bin/env bash
# bench/ab.sh OLD NEW [PAIRS] — judges a change by interleaved pairs of benchmark runs: OLD and
# NEW (two `ordo` binaries) one after the other, PAIRS times (3), each one run of bench/bench.sh
# on a fresh database. On this shared 2-core machine the same binary's medians move by 10% with
# the host's load, so one median before and one after cannot show a change of a few percent; a
# pair run back to back can. For each run: orders/s, p99, and the CPU per order over 10 s of the
# orders phase of `ordo serve`, of PostgreSQL's processes (with BENCH_PG_URL), of the load
# generator, and the machine's idle CPU (seconds of the 2 cores' 20). The other knobs are
# bench/bench.sh's (BENCH_PG_URL, BENCH_DURATION, ...); `ordo check` is left out (BENCH_CHECK=0).
set -euo pipefail

cd "$(dirname "$0")/.."

if [ $# -lt 2 ] || [ ! -x "$1" ] || [ ! -x "$2" ]; then
    echo "usage: bench/ab.sh OLD_ORDO NEW_ORDO [PAIRS]  (two executable ordo binaries)" >&2
    exit 2
fi
old="$1"
new="$2"
pairs="${3:-3}"
make -s build/loadgen

# CPU clock ticks so far of each process (pid, role, ticks): the server (its process name is
# its binary's, $1, cut to 15 characters as the kernel keeps it), postgres, loadgen.
cpu_snapshot() {
    local server="${1:0:15}" p name role
    for p in /proc/[0-9]*; do
        name="$(cat "$p/comm" 2>/dev/null)" || continue
        case "$name" in
        "$server") role=ordo ;;
        postgres | loadgen) role="$name" ;;
        *) continue ;;
        esac
        awk -v pid="${p#/proc/}" -v role="$role" '{print pid, role, $14 + $15}' "$p/stat" \
            2>/dev/null || true
    done
}

idle_ticks() {
    awk '/^cpu / {print $5 + $6}' /proc/stat
}

# One run of bench/bench.sh with binary $1; prints one line of figures.
run_one() {
    local binary="$1" out before after idle_before idle_after
    out="$(mktemp)"
    ORDO="$binary" BENCH_RUNS=1 BENCH_READ_DURATION="${BENCH_READ_DURATION:-1}" BENCH_CHECK=0 \
        bash bench/bench.sh >"$out" 2>&1 &
    local bench_pid=$!
    for _ in $(seq 1 120); do
        pgrep -x loadgen >/dev/null && break
        sleep 0.5
    done
    sleep 3
    before="$(cpu_snapshot "$(basename "$binary")")"
    idle_before="$(idle_ticks)"
    sleep 10
    after="$(cpu_snapshot "$(basename "$binary")")"
    idle_after="$(idle_ticks)"
    wait "$bench_pid" || true
    local rate p99
    rate="$(sed -n 's/^BENCH orders_per_s=\([0-9.]*\).*/\1/p' "$out")"
    p99="$(sed -n 's/^BENCH .*p99_ms=\([0-9.]*\).*/\1/p' "$out")"
    rm -f "$out"
    if [ -z "$rate" ]; then
        echo "no result (see bench/bench.sh's output)"
        return
    fi
    awk -v rate="$rate" -v p99="$p99" -v hz="$(getconf CLK_TCK)" \
        -v idle="$((idle_after - idle_before))" '
        NR == FNR { seen[$1] = $3; next }
        { used[$2] += $3 - (($1 in seen) ? seen[$1] : 0) }
        END {
            printf "orders/s %8.1f  p99 %6.1f ms  CPU us/order:", rate, p99
            n = split("ordo postgres loadgen", names, " ")
            for (i = 1; i <= n; i++) {
                us = used[names[i]] / hz * 1e6 / (rate * 10)
                if (us >= 1) # an idle cluster of another test is not part of it
                    printf " %s %.0f", names[i], us
            }
            printf "  idle %.1f s\n", idle / hz
        }' <(echo "$before") <(echo "$after")
}

for i in $(seq 1 "$pairs"); do
    echo "pair $i old: $(run_one "$old")"
    echo "pair $i new: $(run_one "$new")"
done
