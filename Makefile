# Ordo — build, test, check, benchmark. `make` builds build/ordo; `make run` serves the demo;
# `make test` installs what is missing, builds under ASan/UBSan and runs every suite.

CC       ?= gcc
# libpq: the PostgreSQL backend; libcurl: the Stripe payment provider (src/gateway/stripe.c).
PKGS     := libmicrohttpd jansson sqlite3 libpq libsodium libcurl
TESTPKGS := criterion libcurl
# cbc: routing's batch re-optimisation solves its programme with COIN-OR CBC (issue 3).
PKGS     += cbc
# liblz4, zlib: large JSON kept with every order (the routing explanation) is stored packed
# (lib/zdoc: LZ4 with a dictionary, a CRC-32 from zlib; zlib also reads the packing before).
PKGS     += liblz4 zlib

WARN := -std=c17 -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wstrict-prototypes \
        -Wmissing-prototypes -Wold-style-definition -Wwrite-strings -Wvla -Wformat=2 -Wundef \
        -Wcast-qual -Wnull-dereference -Wimplicit-fallthrough -Wdouble-promotion -Werror
SAN  := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all

PKG_CFLAGS = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
# libHaru and zint ship no pkg-config file (DEPENDENCIES.md): linked by name.
PKG_LIBS   = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lhpdf -lzint -lm -pthread
TEST_CFLAGS = $(shell pkg-config --cflags $(TESTPKGS) 2>/dev/null)
TEST_LIBS   = $(shell pkg-config --libs $(TESTPKGS) 2>/dev/null)

CPPFLAGS := -D_GNU_SOURCE -Isrc -Ibuild -MMD -MP
CFLAGS_RELEASE := $(WARN) -O2 -g -pthread
CFLAGS_SAN     := $(WARN) $(SAN) -pthread

LIB_SRC := $(sort $(wildcard src/lib/*.c src/core/*.c src/docs/*.c src/store/*.c src/app/*.c \
                              src/http/*.c src/gateway/*.c))
CLI_SRC := $(sort $(wildcard src/cli/*.c))
GEO_C   := build/gen/geo_data.c
MIG_SQLITE := $(sort $(wildcard src/store/migrations/sqlite/*.sql))
MIG_C   := build/gen/migrations_sqlite.c
MIG_PG  := $(sort $(wildcard src/store/migrations/pg/*.sql))
MIG_PG_C := build/gen/migrations_pg.c

# The store's dispatch, generated from src/store/store.h (scripts/gen-store-dispatch.sh).
GEN_STORE_H := build/gen/store_ops.h build/gen/store_sqlite.h build/gen/store_pg.h
GEN_STORE_C := build/gen/store_dispatch.c build/gen/store_sqlite_ops.c build/gen/store_pg_ops.c
GEN_OBJ  = gen/geo_data.o gen/migrations_sqlite.o gen/migrations_pg.o gen/store_dispatch.o \
           gen/store_sqlite_ops.o gen/store_pg_ops.o

REL_OBJ := $(patsubst src/%.c,build/rel/%.o,$(LIB_SRC)) $(addprefix build/rel/,$(GEN_OBJ))
SAN_OBJ := $(patsubst src/%.c,build/san/%.o,$(LIB_SRC)) $(addprefix build/san/,$(GEN_OBJ))
REL_CLI := $(patsubst src/%.c,build/rel/%.o,$(CLI_SRC))
SAN_CLI := $(patsubst src/%.c,build/san/%.o,$(CLI_SRC))

# Web console (issue 8): web/ is built by npm (esbuild) into web/dist, embedded by
# scripts/gen-web.sh as build/gen/web_assets.c and served by src/http/static.c. Rules below.
WEB_SRC   := $(sort $(wildcard web/src/*.js web/src/*.css web/src/*.html web/src/*.svg \
                            web/src/pages/*.js)) web/build.mjs web/package.json \
             data/geo/us-postal-codes.csv
WEB_STAMP := web/dist/.built
WEB_C     := build/gen/web_assets.c
REL_OBJ   += build/rel/gen/web_assets.o
SAN_OBJ   += build/san/gen/web_assets.o

# Unit and integration test programs (Criterion), one per tests/**/test_*.c.
TEST_SRC  := $(sort $(wildcard tests/lib/test_*.c tests/core/test_*.c tests/store/test_*.c \
                               tests/app/test_*.c tests/http/test_*.c tests/docs/test_*.c))
SUPPORT_SRC := $(sort $(wildcard tests/support/*.c))
TEST_BIN  := $(patsubst tests/%.c,build/san/tests/%,$(TEST_SRC))
SUPPORT_OBJ := $(patsubst tests/%.c,build/san/tests/%.o,$(SUPPORT_SRC))
FUZZ_SRC  := $(sort $(wildcard tests/fuzz/fuzz_*.c))
FUZZ_REPLAY := $(patsubst tests/fuzz/%.c,build/san/fuzz/%,$(FUZZ_SRC))

.PHONY: all run test check setup clean bench fuzz format test-build gen

all: build/ordo

setup:
	@bash scripts/setup.sh

$(GEO_C): scripts/gen-geo.sh data/geo/us-postal-codes.csv data/geo/us-population-by-zcta-2010.csv
	@mkdir -p $(dir $@)
	bash scripts/gen-geo.sh data/geo/us-postal-codes.csv data/geo/us-population-by-zcta-2010.csv > $@.tmp
	mv $@.tmp $@

# The folders too: removing a migration changes the folder, not a file that is left.
$(MIG_C): scripts/gen-migrations.sh $(MIG_SQLITE) src/store/migrations/sqlite
	@mkdir -p $(dir $@)
	bash scripts/gen-migrations.sh sqlite $(MIG_SQLITE) > $@.tmp
	mv $@.tmp $@

$(MIG_PG_C): scripts/gen-migrations.sh $(MIG_PG) src/store/migrations/pg
	@mkdir -p $(dir $@)
	bash scripts/gen-migrations.sh pg $(MIG_PG) > $@.tmp
	mv $@.tmp $@

build/gen/store_ops.h: scripts/gen-store-dispatch.sh src/store/store.h
	@mkdir -p $(dir $@)
	bash scripts/gen-store-dispatch.sh ops src/store/store.h > $@.tmp
	mv $@.tmp $@

build/gen/store_dispatch.c: scripts/gen-store-dispatch.sh src/store/store.h
	@mkdir -p $(dir $@)
	bash scripts/gen-store-dispatch.sh dispatch src/store/store.h > $@.tmp
	mv $@.tmp $@

build/gen/store_%.h: scripts/gen-store-dispatch.sh src/store/store.h
	@mkdir -p $(dir $@)
	bash scripts/gen-store-dispatch.sh backend $* src/store/store.h > $@.tmp
	mv $@.tmp $@

build/gen/store_%_ops.c: scripts/gen-store-dispatch.sh src/store/store.h
	@mkdir -p $(dir $@)
	bash scripts/gen-store-dispatch.sh table $* src/store/store.h > $@.tmp
	mv $@.tmp $@

gen: $(GEN_STORE_H) $(GEN_STORE_C)

# Every object may include a generated store header: generate them first.
$(REL_OBJ) $(SAN_OBJ) $(REL_CLI) $(SAN_CLI): | $(GEN_STORE_H)

build/rel/gen/store_%.o: build/gen/store_%.c $(GEN_STORE_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RELEASE) -c $< -o $@

build/san/gen/store_%.o: build/gen/store_%.c $(GEN_STORE_H)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -c $< -o $@

# A migration is one long string literal: past C's 4095-character minimum, which gcc accepts.
build/rel/gen/migrations_sqlite.o: $(MIG_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RELEASE) -Wno-overlength-strings -c $< -o $@

build/san/gen/migrations_sqlite.o: $(MIG_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -Wno-overlength-strings -c $< -o $@

build/rel/gen/migrations_pg.o: $(MIG_PG_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RELEASE) -Wno-overlength-strings -c $< -o $@

build/san/gen/migrations_pg.o: $(MIG_PG_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) -Wno-overlength-strings -c $< -o $@

build/rel/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_RELEASE) $(PKG_CFLAGS) -c $< -o $@

build/san/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(CFLAGS_SAN) $(PKG_CFLAGS) -c $< -o $@

# The generated table is data: compile it without the pedantic set (it is large and plain).
build/rel/gen/geo_data.o: $(GEO_C)
	@mkdir -p $(dir $@)
	$(CC) -Isrc -O1 -c $< -o $@

build/san/gen/geo_data.o: $(GEO_C)
	@mkdir -p $(dir $@)
	$(CC) -Isrc -O1 -c $< -o $@

build/rel/libordo.a: $(REL_OBJ)
	ar rcs $@ $^

build/san/libordo.a: $(SAN_OBJ)
	ar rcs $@ $^

build/ordo: $(REL_CLI) build/rel/libordo.a
	$(CC) $(CFLAGS_RELEASE) -o $@ $(REL_CLI) build/rel/libordo.a $(PKG_LIBS)

build/san/ordo: $(SAN_CLI) build/san/libordo.a
	$(CC) $(CFLAGS_SAN) -o $@ $(SAN_CLI) build/san/libordo.a $(PKG_LIBS)

build/san/tests/%.o: tests/%.c
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS_SAN) $(PKG_CFLAGS) $(TEST_CFLAGS) -c $< -o $@

build/san/tests/%: build/san/tests/%.o $(SUPPORT_OBJ) build/san/libordo.a
	@mkdir -p $(dir $@)
	$(CC) $(CFLAGS_SAN) -o $@ $< $(SUPPORT_OBJ) build/san/libordo.a $(TEST_LIBS) $(PKG_LIBS)

# Fuzz harnesses built with a plain main() that replays the corpus (tests/fuzz/replay.c).
build/san/fuzz/%: tests/fuzz/%.c tests/fuzz/replay.c build/san/libordo.a
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) -Itests $(CFLAGS_SAN) $(PKG_CFLAGS) -o $@ $< tests/fuzz/replay.c \
		build/san/libordo.a $(PKG_LIBS)

test-build: build/ordo build/san/ordo $(TEST_BIN) $(FUZZ_REPLAY)

test: setup
	@$(MAKE) --no-print-directory test-build
	@bash scripts/run-tests.sh $(TEST_BIN) -- $(FUZZ_REPLAY)

check: setup
	bash scripts/check.sh

format:
	clang-format -i $$(git ls-files 'src/*.c' 'src/*.h' 'tests/*.c' 'tests/*.h' 'bench/*.c')

run: setup
	@$(MAKE) --no-print-directory build/ordo
	@bash scripts/run.sh

build/loadgen: bench/loadgen.c
	@mkdir -p build
	$(CC) -D_GNU_SOURCE $(WARN) -O2 -g -pthread -o $@ $< -lm

bench: setup
	@$(MAKE) --no-print-directory build/ordo build/loadgen
	@bash bench/bench.sh

# The same workload on PostgreSQL with one and two `ordo serve` processes (issue 7;
# bench/bench_pg.sh starts a throwaway cluster).
.PHONY: bench-pg
bench-pg: setup
	@$(MAKE) --no-print-directory build/ordo build/loadgen
	@bash bench/bench_pg.sh

# The metrics benchmark (issue 6): 1,000,000 orders over two years through the app, then p50/p99
# of GET /v1/metrics and /v1/metrics/daily (bench/bench_metrics.sh).
.PHONY: bench-metrics
build/metrics_gen: bench/metrics_gen.c build/rel/libordo.a
	@mkdir -p build
	$(CC) $(CPPFLAGS) $(CFLAGS_RELEASE) $(PKG_CFLAGS) -o $@ $< build/rel/libordo.a $(PKG_LIBS)

bench-metrics: setup
	@$(MAKE) --no-print-directory build/ordo build/metrics_gen
	@bash bench/bench_metrics.sh

FUZZ_SECONDS ?= 60
fuzz: setup
	bash scripts/fuzz.sh $(FUZZ_SECONDS)

# ---- web console (issue 8): `npm ci` when web/node_modules is missing or the lock file
# changed (needs the npm registry), the bundle when a source changed, then the C array.
.PHONY: web test-web
web: $(WEB_C)

web/node_modules/.package-lock.json: web/package-lock.json web/package.json
	cd web && npm ci --no-audit --no-fund
	@touch $@

$(WEB_STAMP): $(WEB_SRC) web/node_modules/.package-lock.json
	cd web && npm run --silent build
	@touch $@

$(WEB_C): scripts/gen-web.sh $(WEB_STAMP)
	@mkdir -p $(dir $@)
	bash scripts/gen-web.sh web/dist > $@.tmp
	mv $@.tmp $@

build/rel/gen/web_assets.o: $(WEB_C) src/http/web_assets.h
	@mkdir -p $(dir $@)
	$(CC) -Isrc -O1 -c $< -o $@

build/san/gen/web_assets.o: $(WEB_C) src/http/web_assets.h
	@mkdir -p $(dir $@)
	$(CC) -Isrc -O1 -c $< -o $@

# The browser tests alone (make test runs them too, through scripts/run-tests.sh).
test-web: setup
	@$(MAKE) --no-print-directory build/san/ordo
	@bash scripts/run-tests.sh --web-only

clean:
	rm -rf build

-include $(shell find build -name '*.d' 2>/dev/null)

# ---- routing (issue 3) ----------------------------------------------------------------------
# The routing engine alone: a generated US network, 100,000 orders under three policies
# (bench/bench_routing.c). Built from lib and the engine's core files only: no database.
# Policy 4 re-optimises each day's orders with CBC (src/app/routing_cbc.c).
ROUTING_BENCH_SRC := bench/bench_routing.c $(sort $(wildcard src/lib/*.c)) src/core/geo.c src/core/location.c src/core/address.c \
                     $(sort $(wildcard src/core/routing*.c)) src/app/routing_cbc.c
.PHONY: bench-routing
build/bench_routing: $(ROUTING_BENCH_SRC) src/core/routing.h src/core/routing_int.h src/core/routing_batch.h $(GEO_C)
	@mkdir -p $(dir $@)
	$(CC) $(CPPFLAGS) $(WARN) -O2 -g -pthread $(shell pkg-config --cflags cbc 2>/dev/null) -o $@ \
		$(ROUTING_BENCH_SRC) $(GEO_C) \
		$(shell pkg-config --libs libsodium cbc 2>/dev/null) -lm

bench-routing: build/bench_routing
	@build/bench_routing

# Availability benchmark (issue 3, availability and holds; bench/bench_availability.sh):
# GET /v1/availability for 3 SKUs over HTTP, requests/s and p50/p99, medians of BENCH_RUNS runs.
.PHONY: bench-availability
bench-availability: setup
	@$(MAKE) --no-print-directory build/ordo build/loadgen
	@bash bench/bench_availability.sh
