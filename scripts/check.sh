#!/usr/bin/env bash
# `make check`: the static checks of STYLE.md, in stages: format (clang-format --dry-run --Werror),
# cppcheck, banned functions, layering, clang-tidy. Every stage runs even if an earlier one failed;
# each prints its name and result, and the script exits 1 if any stage failed.
# Usage: check.sh [STAGE...]  with STAGE one of format cppcheck banned layers tidy (default: all).
set -uo pipefail

cd "$(dirname "$0")/.." || exit 1

PKGS=(libmicrohttpd jansson sqlite3 libpq libsodium)
PKGS+=(cbc) # routing (issue 3): src/app/routing_cbc.c includes CBC's C interface
JOBS="$(nproc 2>/dev/null || echo 2)"

# Tracked files plus untracked files that .gitignore does not exclude, that still exist.
list_files() {
    git ls-files -co --exclude-standard -- "$@" | sort -u | while read -r f; do
        if [ -f "$f" ]; then
            echo "$f"
        fi
    done
}

stage_format() {
    local files
    mapfile -t files < <(list_files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c' \
        'bench/*.h' '*.c' '*.h')
    if [ ${#files[@]} -eq 0 ]; then
        return 0
    fi
    # One line per unformatted file (the full diagnostics are long); FORMAT_VERBOSE=1 shows them.
    # `make format` fixes them all.
    local out status=0
    # shellcheck disable=SC2016 # the script is expanded by sh -c, not here
    out="$(printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$JOBS" sh -c \
        'if ! clang-format --dry-run --Werror "$1" >/dev/null 2>&1; then
             n=$(clang-format --dry-run "$1" 2>&1 | grep -c "warning:")
             echo "$1: not clang-formatted ($n places)"
             if [ -n "${FORMAT_VERBOSE:-}" ]; then clang-format --dry-run "$1" 2>&1; fi
         fi' clang-format)"
    if [ -n "$out" ]; then
        echo "$out" | sort
        echo "($(echo "$out" | grep -c 'not clang-formatted') files; 'make format' rewrites them)"
        status=1
    fi
    return "$status"
}

stage_cppcheck() {
    # --inline-suppr: a `// cppcheck-suppress id` above a line must say why on the same comment.
    # missingIncludeSystem: cppcheck is not given the system include path on purpose (it would
    #   parse all of glibc); -D_GNU_SOURCE, -Isrc and -Ibuild match the Makefile.
    # unmatchedSuppression: an inline suppression in a file cppcheck skipped is not an error.
    cppcheck --enable=warning,performance,portability --error-exitcode=1 --inline-suppr \
        --std=c11 --quiet -j "$JOBS" -D_GNU_SOURCE -Isrc -Ibuild \
        --suppress=missingIncludeSystem --suppress=unmatchedSuppression \
        --template='{file}:{line}: {severity}: {message} [{id}]' \
        src/
}

stage_banned() {
    bash scripts/check-banned.sh
}

stage_layers() {
    bash scripts/check-layers.sh
}

stage_tidy() {
    local files cflags
    mapfile -t files < <(list_files 'src/*.c')
    if [ ${#files[@]} -eq 0 ]; then
        return 0
    fi
    cflags="$(pkg-config --cflags "${PKGS[@]}" 2>/dev/null)"
    # The store's dispatch headers are generated from store.h (build/gen, see the Makefile).
    make -s gen >/dev/null || return 1
    # Warnings in the project's own headers count too (--header-filter); the config is .clang-tidy.
    # One file per clang-tidy process: clang-tidy 14 given several files reports false
    # clang-analyzer-valist.Uninitialized warnings in the later ones (checked on src/lib/log.c).
    # shellcheck disable=SC2016 # the script is expanded by sh -c, not here
    printf '%s\0' "${files[@]}" | xargs -0 -n 1 -P "$JOBS" sh -c \
        'cflags="$1"; shift; clang-tidy --quiet --header-filter="^src/" "$@" -- \
            -std=c17 -D_GNU_SOURCE -Isrc -Ibuild $cflags' clang-tidy "$cflags" 2>&1 \
        | grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated\.$|^Suppressed [0-9]+ warnings|^Use -header-filter|^[0-9]+ warnings? treated as errors?$'
    return "${PIPESTATUS[1]}"
}

stages=("$@")
if [ ${#stages[@]} -eq 0 ]; then
    stages=(format cppcheck banned layers tidy)
fi

failed=()
for stage in "${stages[@]}"; do
    case "$stage" in
    format | cppcheck | banned | layers | tidy) ;;
    *)
        echo "check: unknown stage $stage" >&2
        exit 2
        ;;
    esac
    echo "== check: $stage"
    if "stage_$stage" 2>&1; then
        echo "-- $stage: ok"
    else
        echo "-- $stage: FAILED"
        failed+=("$stage")
    fi
done

if [ ${#failed[@]} -gt 0 ]; then
    echo "check: FAILED: ${failed[*]}"
    exit 1
fi
echo "check: all stages passed"

