#!/usr/bin/env bash
# bench_orders_list.sh — the console's order list on a large database (issue 8; README "Web
# console", "Paging on a million orders"). Not part of `make test` (performance lives in
# benchmarks). Against a running `ordo serve` (ORDO_URL, default http://127.0.0.1:8080) and an
# admin key (ORDO_KEY), it asks GET /v1/orders?limit=50 with each filter, on the first page and
# on a deep cursor, REQUESTS times each (default 50, after 3 warm-ups) over one keep-alive
# connection, and prints p50 and p99 (nearest rank) in ms. The database is e.g. a copy of the
# 1,000,000 orders `make bench-metrics` writes (BENCH_METRICS_DB):
#   cp /tmp/mt/metrics1m.db /tmp/big.db && build/ordo migrate --db /tmp/big.db
#   build/ordo serve --db /tmp/big.db --listen 127.0.0.1:18931 &
#   ORDO_URL=http://127.0.0.1:18931 ORDO_KEY=$(build/ordo key create --db /tmp/big.db --role admin | tail -1 | awk '{print $NF}') \
#     DEEP_CURSOR=ord_... NUMBER=SO-59874 EMAIL=c121212@bench.example bash tests/web/bench_orders_list.sh
set -euo pipefail

URL="${ORDO_URL:-http://127.0.0.1:8080}"
KEY="${ORDO_KEY:?ORDO_KEY: an admin key}"
REQUESTS="${REQUESTS:-50}"
DEEP="${DEEP_CURSOR:-}"
NUMBER="${NUMBER:-SO-1001}"
EMAIL="${EMAIL:-ana@example.com}"
CHANNEL="${CHANNEL:-web}"
RARE_CHANNEL="${RARE_CHANNEL:-edi}"

measure() {
    local label="$1" query="$2" args=() i
    for ((i = 0; i < REQUESTS + 3; i++)); do
        args+=(-o /dev/null -w '%{http_code} %{time_total}\n' "$URL/v1/orders?limit=50&$query")
    done
    curl -s -H "Authorization: Bearer $KEY" "${args[@]}" | tail -n "$REQUESTS" | sort -k2,2n |
        awk -v label="$label" '
            $1 != 200 { bad++ }
            { t[NR] = $2 * 1000 }
            END {
                p50 = t[int((NR * 50 + 99) / 100)]; p99 = t[int((NR * 99 + 99) / 100)]
                printf "| %-58s | %7.1f | %7.1f |%s\n", label, p50, p99, bad ? " NOT 200: " bad : ""
            }'
}

echo "| GET /v1/orders?limit=50& ... | p50 ms | p99 ms |"
echo "| --- | --- | --- |"
measure "(no filter), first page" ""
[ -n "$DEEP" ] && measure "(no filter), cursor near the oldest order" "cursor=$DEEP"
measure "number=$NUMBER" "number=$NUMBER"
measure "status=delivered" "status=delivered"
[ -n "$DEEP" ] && measure "status=delivered, deep cursor" "status=delivered&cursor=$DEEP"
measure "status=picked_up (0.4 % of orders)" "status=picked_up"
measure "channel=$CHANNEL" "channel=$CHANNEL"
[ -n "$DEEP" ] && measure "channel=$CHANNEL, deep cursor" "channel=$CHANNEL&cursor=$DEEP"
measure "channel=$RARE_CHANNEL (no orders)" "channel=$RARE_CHANNEL"
measure "channel=$RARE_CHANNEL&status=in_fulfillment" "channel=$RARE_CHANNEL&status=in_fulfillment"
measure "channel=$CHANNEL&status=cancelled" "channel=$CHANNEL&status=cancelled"
measure "customer_email=$EMAIL" "customer_email=$EMAIL"
measure "created_from=2025-01-01&created_to=2025-01-10" "created_from=2025-01-01&created_to=2025-01-10"
measure "created_to=2024-12-01 (the first days)" "created_to=2024-12-01"
measure "status=delivered&channel=$CHANNEL&created_to=2025-06-30" "status=delivered&channel=$CHANNEL&created_to=2025-06-30"
