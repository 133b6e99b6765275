#!/usr/bin/env bash
# `make fuzz`: builds every tests/fuzz/fuzz_<name>.c with clang -fsanitize=fuzzer,address,undefined
# against the library (src/ without src/cli, plus build/gen/*.c) and runs each for N seconds over a
# copy of its seed corpus tests/fuzz/corpus/<name>/ (the seeds stay untouched; new inputs go to
# build/fuzz/corpus/<name>/). Reports each crash with its reproducer; exits 1 if any harness crashed.
# Usage: fuzz.sh SECONDS [NAME...]   Environment: FUZZ_ARGS (extra libFuzzer flags), FUZZ_JOBS.
set -euo pipefail

cd "$(dirname "$0")/.."

seconds="${1:-60}"
shift || true
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
    echo "usage: fuzz.sh SECONDS [NAME...]" >&2
    exit 2
fi

CC=clang
PKGS=(libmicrohttpd jansson sqlite3 libsodium)
PKGS+=(cbc) # fuzz_requests drives the router, which reaches routing's CBC (src/app/routing_cbc.c)
JOBS="${FUZZ_JOBS:-$(nproc 2>/dev/null || echo 2)}"
OUT=build/fuzz
# The Makefile's -std/-D/-I flags; warnings are gcc's job (make test), not repeated here.
CFLAGS="-std=c17 -D_GNU_SOURCE -Isrc -O1 -g -fno-omit-frame-pointer -pthread \
 -fno-sanitize-recover=all $(pkg-config --cflags "${PKGS[@]}")"
# libHaru and zint have no pkg-config file (as in the Makefile): the router reaches src/docs.
LIBS="$(pkg-config --libs "${PKGS[@]}") -lhpdf -lzint -lm -pthread"

if ! command -v "$CC" >/dev/null; then
    echo "fuzz: clang is needed (scripts/setup.sh installs it)" >&2
    exit 2
fi

harnesses=()
if [ $# -gt 0 ]; then
    for name in "$@"; do
        harnesses+=("tests/fuzz/fuzz_${name#fuzz_}.c")
    done
else
    mapfile -t harnesses < <(find tests/fuzz -maxdepth 1 -name 'fuzz_*.c' | sort)
fi
if [ ${#harnesses[@]} -eq 0 ]; then
    echo "fuzz: no harness in tests/fuzz/fuzz_*.c" >&2
    exit 1
fi

echo "== fuzz: generating build/gen sources"
make --no-print-directory build/gen/geo_data.c build/gen/migrations_sqlite.c

# Library objects, instrumented for coverage but without libFuzzer's main.
echo "== fuzz: compiling the library with clang (fuzzer-no-link,address,undefined)"
mkdir -p "$OUT/obj" "$OUT/artifacts" "$OUT/corpus"
newest_header="$(find src -name '*.h' -printf '%T@\n' | sort -n | tail -n 1)"
sources=()
while IFS= read -r src; do
    sources+=("$src")
done < <(find src -name '*.c' ! -path 'src/cli/*' | sort; ls build/gen/*.c)

compile_one() { # SOURCE OBJECT FLAGS...
    local src="$1" obj="$2"
    shift 2
    mkdir -p "$(dirname "$obj")"
    if [ -f "$obj" ] && [ "$obj" -nt "$src" ] &&
        [ "$(stat -c %Y "$obj")" -ge "${newest_header%.*}" ]; then
        return 0
    fi
    if ! "$CC" "$@" -c "$src" -o "$obj" 2>"$obj.log"; then
        rm -f "$obj"
        echo "fuzz: cannot compile $src:" >&2
        head -n 20 "$obj.log" >&2
        return 1
    fi
}
export -f compile_one
export CC newest_header

objects=()
compile_failed=0
pids=()
for src in "${sources[@]}"; do
    obj="$OUT/obj/${src%.c}.o"
    objects+=("$obj")
    if [[ "$src" == build/gen/geo_data.c ]]; then
        # A large plain table: compiled without instrumentation, as the Makefile does.
        compile_one "$src" "$obj" -Isrc -O1 &
    else
        # shellcheck disable=SC2086 # CFLAGS is a list of words
        compile_one "$src" "$obj" $CFLAGS -fsanitize=fuzzer-no-link,address,undefined &
    fi
    pids+=($!)
    if [ ${#pids[@]} -ge "$JOBS" ]; then
        wait "${pids[0]}" || compile_failed=1
        pids=("${pids[@]:1}")
    fi
done
for pid in "${pids[@]}"; do
    wait "$pid" || compile_failed=1
done
if [ "$compile_failed" -ne 0 ]; then
    echo "fuzz: some library files do not compile; linking with the rest (a harness that needs" \
        "them will not link)" >&2
fi
present=()
for obj in "${objects[@]}"; do
    if [ -f "$obj" ]; then
        present+=("$obj")
    fi
done
rm -f "$OUT/libordo-fuzz.a"
ar rcs "$OUT/libordo-fuzz.a" "${present[@]}"

results=()
status=0
for harness in "${harnesses[@]}"; do
    base="$(basename "$harness" .c)"
    name="${base#fuzz_}"
    bin="$OUT/$base"
    seeds="tests/fuzz/corpus/$name"
    work="$OUT/corpus/$name"
    artifacts="$OUT/artifacts/$name/"
    echo "== fuzz: $base"
    # shellcheck disable=SC2086
    if ! "$CC" $CFLAGS -Itests -fsanitize=fuzzer,address,undefined -o "$bin" "$harness" \
        "$OUT/libordo-fuzz.a" $LIBS; then
        results+=("$base: BUILD FAILED")
        status=1
        continue
    fi
    mkdir -p "$work" "$artifacts"
    if [ -d "$seeds" ]; then
        cp -n "$seeds"/* "$work"/ 2>/dev/null || true
    else
        echo "fuzz: no seed corpus $seeds; starting from nothing" >&2
    fi
    before="$(find "$work" -type f | wc -l)"
    args=(-max_total_time="$seconds" -timeout=10 -print_final_stats=1
        -artifact_prefix="$artifacts")
    if [ -f "tests/fuzz/$name.dict" ]; then
        args+=(-dict="tests/fuzz/$name.dict")
    fi
    # shellcheck disable=SC2206 # FUZZ_ARGS is a list of flags
    args+=(${FUZZ_ARGS:-})
    log="$OUT/$base.log"
    rc=0
    "./$bin" "${args[@]}" "$work" >"$log" 2>&1 || rc=$?
    grep -E '^stat::|^#[0-9]+.*DONE|SUMMARY|ERROR' "$log" | tail -n 12 || true
    after="$(find "$work" -type f | wc -l)"
    crashes="$(find "$artifacts" -type f -newer "$bin" | sort)"
    if [ "$rc" -ne 0 ] || [ -n "$crashes" ]; then
        status=1
        results+=("$base: CRASH (exit $rc; log $log)")
        for c in $crashes; do
            results+=("    reproduce: build/san/fuzz/$base $c   (or ./$bin $c)")
        done
    else
        results+=("$base: ok, ${seconds} s, corpus $before -> $after inputs")
    fi
done

echo
echo "== fuzz summary"
for r in "${results[@]}"; do
    echo "  $r"
done
exit "$status"
