#!/usr/bin/env bash
# Seeds tests/fuzz/corpus/requests/ for tests/fuzz/fuzz_requests.c from the API cases: each
# request of tests/api/*.json to a route the harness drives becomes one input, the route's index
# in fuzz_routes[] as first byte, then the JSON body (or raw body) or, for a GET, the query
# string; plus a few hand-written session and users bodies (no API case has them). Files are
# named by content hash, so running it again adds only what is new.
# Usage: fuzz-seed-requests.sh   (needs jq)
set -euo pipefail

cd "$(dirname "$0")/.."
out=tests/fuzz/corpus/requests
mkdir -p "$out"

# Same order as fuzz_routes[] in tests/fuzz/fuzz_requests.c: method, path pattern (jq regex).
routes=(
    'POST ^/v1/holds$'
    'POST ^/v1/carriers$'
    'PUT ^/v1/routing/settings$'
    'POST ^/v1/routing/optimize$'
    'POST ^/v1/routing/simulate$'
    'POST ^/v1/session$'
    'POST ^/v1/users$'
    'PATCH ^/v1/users/[^/]+$'
    'GET ^/v1/availability$'
    'GET ^/v1/pick-lists$'
    'GET ^/v1/orders$'
    'POST ^/v1/orders/[^/]+/refunds$'
)

seed() { # INDEX TEXT
    local file
    file="$out/api-$(printf '%b%s' "\\x$(printf '%02x' "$1")" "$2" | sha1sum | cut -c1-12)"
    printf '%b%s' "\\x$(printf '%02x' "$1")" "$2" >"$file"
}

for i in "${!routes[@]}"; do
    read -r method pattern <<<"${routes[$i]}"
    while IFS= read -r text; do
        seed "$i" "$text"
    done < <(jq -r --arg m "$method" --arg p "$pattern" '
        .steps[]? | .request? // empty | select(.method == $m)
        | (.path | split("?")) as $parts | select($parts[0] | test($p))
        | if $m == "GET" then ($parts[1] // "")
          elif has("raw") then .raw elif has("json") then (.json | tojson) else "" end
        | gsub("\n"; " ")' tests/api/*.json)
done

seed 5 '{"email": "ana@example.com", "password": "correct horse battery"}'
seed 5 '{"email": "ana@example.com"}'
seed 6 '{"email": "ana@example.com", "password": "correct horse battery", "role": "operator"}'
seed 6 '{"email": "wh@example.com", "password": "correct horse battery", "role": "warehouse", "scope": "DC-EAST"}'
seed 7 '{"role": "support", "disabled": true}'
seed 7 '{"password": "another long password", "scope": null}'
echo "fuzz-seed-requests: $(find "$out" -type f | wc -l) inputs in $out"
