#!/usr/bin/env bash
# Installs the Debian packages Ordo needs to build, test and benchmark. Idempotent: it asks apt
# only for what is missing, so a second run costs one dpkg query. Run as root (or with sudo).
set -euo pipefail

packages=(
    build-essential pkg-config
    libmicrohttpd-dev libjansson-dev libsqlite3-dev sqlite3 libsodium-dev
    libcurl4-openssl-dev libcriterion-dev
    clang clang-format clang-tidy cppcheck
    libclang-rt-14-dev  # libFuzzer and the sanitizer runtimes for clang (only a Recommends of clang)
    curl                # bench/bench.sh sets up the benchmark store through the API
    libhpdf-dev libzint-dev  # documents: PDFs (libHaru) and bar/QR codes (zint); no pkg-config
    poppler-utils       # tests: pdftotext and pdftoppm read the documents back
    zbar-tools          # tests: zbarimg decodes the label's Code 128 and QR codes
    libpq-dev           # the PostgreSQL backend (src/store/store_pg.c) links libpq
    postgresql          # make test runs the suites on a throwaway cluster (scripts/pg-cluster.sh)
    nginx-light         # deploy/nginx-ordo.conf in front of several `ordo serve` (README; nginx -t checks it)
    chromium            # web console (issue 8): the browser tests drive it with playwright-core
    coinor-libcbc-dev   # routing (issue 3): POST /v1/routing/optimize solves its MIP with CBC (EPL)
    liblz4-dev          # lib/zdoc: an order's routing explanation is stored packed (BSD-2-Clause)
    zlib1g-dev          # lib/zdoc: its CRC-32, and explanations packed before LZ4 (zlib licence)
)
# Web console (issue 8): node and npm build web/ (npm ci needs the npm registry). Any node >= 18
# will do; Debian's come as nodejs and npm, NodeSource's nodejs carries npm itself.
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
    packages+=(nodejs npm)
fi

missing=()
for p in "${packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    exit 0
fi

echo "setup: installing ${missing[*]}" >&2
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
