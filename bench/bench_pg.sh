#!/usr/bin/env bash
# `make bench-pg` (issue 7): the `make bench` workload (bench/bench.sh) against PostgreSQL, with one
# and then two `ordo serve` processes on one database, synchronous_commit on. Starts a throwaway
# cluster (scripts/pg-cluster.sh; fsync on, as in production) unless BENCH_PG_URL names one, and
# stops it at the end. BENCH_RUNS (3 here) runs each configuration on a fresh database and prints
# the medians; the machine may be shared, so single runs are noisy. BENCH_PG_PROCESSES ("1 2")
# picks the configurations. Other knobs as bench/bench.sh.
set -euo pipefail

cd "$(dirname "$0")/.."

export BENCH_RUNS="${BENCH_RUNS:-3}"
pg_dir=""
cleanup() {
    if [ -n "$pg_dir" ]; then
        bash scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

url="${BENCH_PG_URL:-}"
if [ -z "$url" ]; then
    pg_dir="$(mktemp -d /tmp/ordo-bench-pg.XXXXXX)"
    url="$(bash scripts/pg-cluster.sh start "$pg_dir")" || {
        echo "bench-pg: the cluster did not start (scripts/setup.sh installs PostgreSQL)" >&2
        exit 2
    }
fi
echo "bench-pg: PostgreSQL at $url"

summary=()
for processes in ${BENCH_PG_PROCESSES:-1 2}; do
    echo
    echo "==== $processes ordo serve process(es) on one PostgreSQL database"
    out="$(mktemp)"
    BENCH_PG_URL="$url" BENCH_PROCESSES="$processes" bash bench/bench.sh | tee "$out"
    summary+=("$(grep '^BENCH ' "$out" | tail -n 1)")
    rm -f "$out"
done
echo
echo "== bench-pg summary (medians of $BENCH_RUNS runs each; $(nproc) cores, shared machine)"
printf '%s\n' "${summary[@]}"
