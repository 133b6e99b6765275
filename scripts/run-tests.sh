#!/usr/bin/env bash
# Runs Ordo's test programs and replays the fuzz corpora; `make test` calls it as
#   scripts/run-tests.sh TEST_BIN... -- FUZZ_REPLAY_BIN...
# Counts tests from Criterion's "Synthesis" line, treats a leak or crash found after a test body
# as a failure, and ends with one line "N passed, M failed". Exits 1 if anything failed or nothing ran.
#
# Environment: TEST_JOBS (Criterion --jobs, default 2), TEST_TIMEOUT (seconds per test, default
# 120), PROGRAM_TIMEOUT (seconds per program, default 900), TEST_FILTER (Criterion --filter),
# WEB_TESTS (0 skips the browser tests of tests/web; they run when TEST_FILTER is unset).
#
# PostgreSQL: after the SQLite runs, the programs that take their database from tests/support
# (tests/http and tests/store, but for the few that open the SQLite file themselves) run again
# against a throwaway cluster (scripts/pg-cluster.sh, stopped on exit) with ORDO_TEST_PG_URL
# set; each of their cases gets a fresh database. ORDO_TEST_PG=0 skips that second pass (and
# says so); a cluster that cannot start counts as a failure.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

# LeakSanitizer works in this container (checked: a leaking test aborts with a leak report);
# abort_on_error makes a sanitizer report a crash that Criterion and the exit status both see.
export ASAN_OPTIONS="detect_leaks=1:abort_on_error=1"
export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"

# The first pass is SQLite's whatever the caller's environment says.
unset ORDO_TEST_PG_URL
jobs="${TEST_JOBS:-2}"
test_timeout="${TEST_TIMEOUT:-120}"
program_timeout="${PROGRAM_TIMEOUT:-900}"

test_bins=()
fuzz_bins=()
seen_separator=0
for arg in "$@"; do
    if [ "$arg" = "--" ]; then
        seen_separator=1
    elif [ "$seen_separator" -eq 0 ]; then
        test_bins+=("$arg")
    else
        fuzz_bins+=("$arg")
    fi
done

passed=0
failed=0
failed_names=()
log="$(mktemp)"
pg_dir=""
cleanup() {
    rm -f "$log"
    if [ -n "$pg_dir" ]; then
        bash scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

strip_ansi() {
    sed -e 's/\x1b\[[0-9;]*m//g'
}

# Runs one Criterion program and adds its tests to the totals; a second argument prefixes its
# name in the report ("pg: http/test_api").
run_test_program() {
    local bin="$1"
    local name="${2:-}${bin#build/san/tests/}"
    local start end rc synthesis tested passing failing crashing teardown
    echo "== $name"
    if [ ! -x "$bin" ]; then
        echo "-- $name: not built"
        failed=$((failed + 1))
        failed_names+=("$name (not built)")
        return
    fi
    local args=(--jobs "$jobs" --timeout "$test_timeout")
    if [ -n "${TEST_FILTER:-}" ]; then
        args+=(--filter "$TEST_FILTER")
    fi
    start=$(date +%s%N)
    timeout -k 10 "$program_timeout" "$bin" "${args[@]}" >"$log" 2>&1
    rc=$?
    end=$(date +%s%N)
    cat "$log"

    synthesis="$(strip_ansi <"$log" | grep -E 'Synthesis: Tested: [0-9]+' | tail -n 1)"
    if [ -z "$synthesis" ]; then
        echo "-- $name: FAILED (no Criterion synthesis line, exit status $rc)"
        failed=$((failed + 1))
        failed_names+=("$name (exit $rc, no synthesis)")
        return
    fi
    tested=$(sed -E 's/.*Tested: ([0-9]+).*/\1/' <<<"$synthesis")
    passing=$(sed -E 's/.*Passing: ([0-9]+).*/\1/' <<<"$synthesis")
    failing=$(sed -E 's/.*Failing: ([0-9]+).*/\1/' <<<"$synthesis")
    crashing=$(sed -E 's/.*Crashing: ([0-9]+).*/\1/' <<<"$synthesis")
    # Criterion counts a test whose process dies after the body (a LeakSanitizer report at exit,
    # a crash in a fini) as passing, and only warns; such a test failed.
    teardown=$(strip_ansi <"$log" | grep -c 'crashed during its setup or teardown')
    if [ "$teardown" -gt "$passing" ]; then
        teardown="$passing"
    fi
    passing=$((passing - teardown))
    failing=$((failing + teardown))
    # A non-zero exit with every test passing means a failure outside the tests (a leak in the
    # runner, a timeout of the whole program): count it once.
    if [ "$rc" -ne 0 ] && [ "$failing" -eq 0 ]; then
        failing=1
    fi
    passed=$((passed + passing))
    failed=$((failed + failing))
    if [ "$failing" -gt 0 ]; then
        failed_names+=("$name ($failing of $tested failed, $crashing crashed, exit $rc)")
    fi
    local ms=$(((end - start) / 1000000))
    printf -- '-- %s: %d passed, %d failed (%d.%03d s)\n' "$name" "$passing" "$failing" \
        $((ms / 1000)) $((ms % 1000))
}

# Replays tests/fuzz/corpus/<name>/* through one fuzz harness; one harness counts as one test.
run_fuzz_replay() {
    local bin="$1"
    local base
    base="$(basename "$bin")"
    local corpus="tests/fuzz/corpus/${base#fuzz_}"
    local files=() rc
    echo "== fuzz replay $base ($corpus)"
    if [ ! -x "$bin" ]; then
        echo "-- $base: not built"
        failed=$((failed + 1))
        failed_names+=("$base (not built)")
        return
    fi
    if [ -d "$corpus" ]; then
        mapfile -t files < <(find "$corpus" -type f ! -name '.*' | sort)
    fi
    if [ ${#files[@]} -eq 0 ]; then
        echo "-- $base: FAILED (empty or missing corpus $corpus)"
        failed=$((failed + 1))
        failed_names+=("$base (no corpus)")
        return
    fi
    timeout -k 10 "$program_timeout" "$bin" "${files[@]}" >"$log" 2>&1
    rc=$?
    cat "$log"
    if [ "$rc" -eq 0 ]; then
        echo "-- $base: passed (${#files[@]} inputs)"
        passed=$((passed + 1))
    else
        echo "-- $base: FAILED (exit status $rc over ${#files[@]} inputs)"
        failed=$((failed + 1))
        failed_names+=("$base (exit $rc)")
    fi
}

# Web console (issue 8): the browser tests (tests/web/run.mjs, node + playwright-core driving
# Debian's chromium against a real `ordo serve`). They print "web: N passed, M failed", which
# is added to the totals; WEB_TESTS=0 skips them. `--web-only` runs nothing else.
run_web_tests() {
    local start end rc line web_passed web_failed
    echo "== web (tests/web/run.mjs)"
    start=$(date +%s%N)
    timeout -k 10 "$program_timeout" node tests/web/run.mjs >"$log" 2>&1
    rc=$?
    end=$(date +%s%N)
    cat "$log"
    line="$(grep -E '^web: [0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1)"
    if [ -z "$line" ]; then
        echo "-- web: FAILED (no summary line, exit status $rc)"
        failed=$((failed + 1))
        failed_names+=("web (exit $rc, no summary)")
        return
    fi
    web_passed=$(sed -E 's/^web: ([0-9]+) passed.*/\1/' <<<"$line")
    web_failed=$(sed -E 's/.*passed, ([0-9]+) failed$/\1/' <<<"$line")
    if [ "$rc" -ne 0 ] && [ "$web_failed" -eq 0 ]; then
        web_failed=1
    fi
    passed=$((passed + web_passed))
    failed=$((failed + web_failed))
    if [ "$web_failed" -gt 0 ]; then
        failed_names+=("web ($web_failed failed, exit $rc)")
    fi
    local ms=$(((end - start) / 1000000))
    printf -- '-- web: %d passed, %d failed (%d.%03d s)\n' "$web_passed" "$web_failed" \
        $((ms / 1000)) $((ms % 1000))
}

web_only=0
if [ ${#test_bins[@]} -gt 0 ] && [ "${test_bins[0]}" = "--web-only" ]; then
    web_only=1
    test_bins=()
fi

for bin in "${test_bins[@]}"; do
    run_test_program "$bin"
done
for bin in "${fuzz_bins[@]}"; do
    run_fuzz_replay "$bin"
done
if [ "${WEB_TESTS:-1}" != "0" ] && { [ "$web_only" -eq 1 ] || [ -z "${TEST_FILTER:-}" ]; }; then
    run_web_tests
fi

# This one recounts every metric from the SQLite file itself (the sqlite3 library): it has no
# PostgreSQL twin yet.
pg_sqlite_only="http/test_metrics_random"

run_pg_pass() {
    local bin name url
    pg_dir="$(mktemp -d /tmp/ordo-pg-XXXXXX)"
    echo "== PostgreSQL: starting a throwaway cluster in $pg_dir"
    if ! url="$(bash scripts/pg-cluster.sh start "$pg_dir")"; then
        echo "-- PostgreSQL: FAILED (the cluster did not start; scripts/setup.sh installs it)"
        failed=$((failed + 1))
        failed_names+=("pg: cluster did not start")
        return
    fi
    echo "-- PostgreSQL: $url"
    export ORDO_TEST_PG_URL="$url"
    for bin in "${test_bins[@]}"; do
        name="${bin#build/san/tests/}"
        case "$name" in
        http/* | store/*) ;;
        *) continue ;;
        esac
        if [[ " $pg_sqlite_only " == *" $name "* ]]; then
            echo "== pg: $name: skipped (reads the SQLite file itself)"
            continue
        fi
        run_test_program "$bin" "pg: "
    done
    unset ORDO_TEST_PG_URL
    bash scripts/pg-cluster.sh stop "$pg_dir" >/dev/null 2>&1 || true
    pg_dir=""
}

if [ "${ORDO_TEST_PG:-1}" = "0" ]; then
    echo "== PostgreSQL pass skipped (ORDO_TEST_PG=0)"
else
    run_pg_pass
fi

echo
if [ ${#failed_names[@]} -gt 0 ]; then
    echo "failed:"
    for n in "${failed_names[@]}"; do
        echo "  $n"
    done
fi
echo "$passed passed, $failed failed"
if [ "$failed" -gt 0 ] || [ "$passed" -eq 0 ]; then
    exit 1
fi
exit 0
