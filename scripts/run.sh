#!/usr/bin/env bash
# `make run`: serves Ordo on http://127.0.0.1:8080 from ordo.db in the repo root. The first time it
# seeds the demo store (`ordo demo`, which prints an admin key); afterwards it creates a fresh admin
# key. Prints the key with a curl example, then replaces itself with `ordo serve` (Ctrl-C stops it).
# Environment: ORDO_DB (ordo.db), ORDO_LISTEN (127.0.0.1:8080).
set -euo pipefail

cd "$(dirname "$0")/.."

ORDO="${ORDO:-build/ordo}"
DB="${ORDO_DB:-ordo.db}"
LISTEN="${ORDO_LISTEN:-127.0.0.1:8080}"

if [ ! -x "$ORDO" ]; then
    echo "run: $ORDO is not built (make)" >&2
    exit 1
fi

# The key is the last word of the last non-empty line (the contract of both commands).
last_word() {
    awk 'NF { last = $NF } END { print last }'
}

if [ ! -e "$DB" ]; then
    echo "run: $DB does not exist; seeding the demo store (ordo demo --db $DB)"
    if ! out="$("$ORDO" demo --db "$DB")"; then
        printf '%s\n' "$out"
        echo "run: ordo demo failed; removing the partial $DB so the next run starts over" >&2
        rm -f "$DB" "$DB-wal" "$DB-shm"
        exit 1
    fi
else
    echo "run: using the existing $DB; creating a new admin key"
    out="$("$ORDO" key create --db "$DB" --role admin --name "make run")"
fi
printf '%s\n' "$out"
key="$(printf '%s\n' "$out" | last_word)"
if [ -z "$key" ]; then
    echo "run: found no key in the output above" >&2
    exit 1
fi

host_port="$LISTEN"
case "$host_port" in
0.0.0.0:*) host_port="127.0.0.1:${host_port#0.0.0.0:}" ;;
esac

cat <<EOF

================================================================================
 Ordo admin API key (shown only this once; the database keeps its hash):

   $key

 Try it:
   export ORDO_KEY='$key'
   curl -s http://$host_port/healthz
   curl -s -H "Authorization: Bearer \$ORDO_KEY" 'http://$host_port/v1/orders?limit=5'
   curl -s -H "Authorization: Bearer \$ORDO_KEY" http://$host_port/v1/locations
================================================================================

EOF

exec "$ORDO" serve --db "$DB" --listen "$LISTEN"
