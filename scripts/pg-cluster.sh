#!/usr/bin/env bash
# A throwaway PostgreSQL cluster for tests and benchmarks, on a free loopback port, in a folder
# of its own. PostgreSQL refuses to run as root: as root the cluster belongs to the `postgres`
# user (created by Debian's package). Nothing outside the folder is touched.
#
#   scripts/pg-cluster.sh start DIR    initdb + start; prints the URL: postgresql://ordo@127.0.0.1:PORT/ordo
#   scripts/pg-cluster.sh url DIR      prints the URL of a started cluster
#   scripts/pg-cluster.sh stop DIR     fast shutdown, then removes DIR
#
# The superuser is `ordo` (trust authentication on loopback only: a test cluster). Durable like
# production: fsync and synchronous_commit stay on.
set -euo pipefail

cmd="${1:-}"
dir="${2:-}"
if [ -z "$cmd" ] || [ -z "$dir" ]; then
    echo "usage: $0 start|url|stop DIR" >&2
    exit 2
fi

bindir=""
for v in 17 16 15; do
    if [ -x "/usr/lib/postgresql/$v/bin/initdb" ]; then
        bindir="/usr/lib/postgresql/$v/bin"
        break
    fi
done
if [ -z "$bindir" ]; then
    echo "pg-cluster: PostgreSQL 15+ is not installed (scripts/setup.sh installs it)" >&2
    exit 2
fi

# Runs a command as the cluster's owner: postgres when we are root, else ourselves.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- "$@"
    else
        "$@"
    fi
}

free_port() {
    local port
    for _ in $(seq 1 50); do
        port=$((20000 + RANDOM % 40000))
        if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then
            echo "$port"
            return 0
        fi
    done
    echo "pg-cluster: no free port found" >&2
    return 1
}

case "$cmd" in
start)
    mkdir -p "$dir"
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres: "$dir"
    fi
    as_owner "$bindir/initdb" -D "$dir/data" -U ordo -A trust -E UTF8 --no-locale >"$dir/initdb.log" 2>&1 || {
        cat "$dir/initdb.log" >&2
        exit 1
    }
    port="$(free_port)"
    echo "$port" >"$dir/port"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$dir -c max_connections=200" \
        start >/dev/null || {
        cat "$dir/server.log" >&2
        exit 1
    }
    as_owner "$bindir/createdb" -h 127.0.0.1 -p "$port" -U ordo ordo
    echo "postgresql://ordo@127.0.0.1:$port/ordo"
    ;;
url)
    echo "postgresql://ordo@127.0.0.1:$(cat "$dir/port")/ordo"
    ;;
stop)
    if [ -d "$dir/data" ]; then
        as_owner "$bindir/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 || true
    fi
    rm -rf "$dir"
    ;;
*)
    echo "usage: $0 start|url|stop DIR" >&2
    exit 2
    ;;
esac
