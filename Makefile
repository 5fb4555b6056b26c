# pinpipe — build, test, bench and demo targets.
#
# Layout: every .c under src/ except src/cli/ goes into build/libpinpipe.a; the
# `pinpipe` command is src/cli/; the emulator is emulator/. Each tests/unit/test_*.c
# is its own cmocka binary; each tests/integration/*_it.c too (they need services).
# Integration tests are named <name>_it.c (a binary) or <name>_it.sh (a script).

CC       ?= gcc
PKGS     := rdkafka libmicrohttpd jansson libpq libcurl zlib expat libcrypto
WARN     := -Wall -Wextra -Werror -Wshadow -Wpointer-arith -Wstrict-prototypes \
            -Wmissing-prototypes -Wvla -Wformat=2 -Wno-format-nonliteral
CSTD     := -std=c11 -D_POSIX_C_SOURCE=200809L -D_DEFAULT_SOURCE
OPT      ?= -O2 -g
CFLAGS   += $(CSTD) $(WARN) $(OPT) -Isrc $(shell pkg-config --cflags $(PKGS))
LDLIBS   += $(shell pkg-config --libs $(PKGS)) -lpthread -lm
TEST_LIBS := $(shell pkg-config --libs cmocka)

BUILD    ?= build
LIB_SRCS := $(shell find src -name '*.c' -not -path 'src/cli/*' | sort)
CLI_SRCS := $(sort $(wildcard src/cli/*.c))
EMU_SRCS := $(sort $(wildcard emulator/*.c))
UNIT_SRCS := $(sort $(wildcard tests/unit/test_*.c))
IT_SRCS  := $(sort $(wildcard tests/integration/*_it.c))

# The dashboard's files, embedded into the library (src/serve/serve_assets.h).
SERVE_ASSETS := $(sort $(wildcard web/serve/*))
SERVE_ASSETS_C := $(BUILD)/gen/serve_assets.c

LIB      := $(BUILD)/libpinpipe.a
PINPIPE  := $(BUILD)/pinpipe
EMULATE  := $(BUILD)/pinpipe-emulate
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
IT_BINS  := $(IT_SRCS:tests/integration/%.c=$(BUILD)/tests/integration/%)

obj = $(patsubst %.c,$(BUILD)/obj/%.o,$(1))

# `make V=1` shows the full commands.
ifeq ($(V),1)
Q :=
quiet = @true
else
Q := @
quiet = @printf '  %-6s %s\n'
endif

.PHONY: all test unit integration asan bench clean fixtures \
        services-up services-down services-status demo help bench-stream bench-api bench-batch bench-serve
.DEFAULT_GOAL := all
.SECONDARY: # keep object files of the test binaries: no rebuild on every make

## all: build the pinpipe command, the emulator, the unit and integration test binaries (the default)
all: $(PINPIPE) $(EMULATE) $(UNIT_BINS) $(IT_BINS)

$(BUILD)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -MMD -MP -c $< -o $@

$(SERVE_ASSETS_C): $(SERVE_ASSETS) ci/embed-assets.sh
	@mkdir -p $(dir $@)
	$(quiet) GEN $@
	$(Q)bash ci/embed-assets.sh $(SERVE_ASSETS) > $@.tmp && mv $@.tmp $@

$(BUILD)/obj/$(SERVE_ASSETS_C:.c=.o): $(SERVE_ASSETS_C)
	@mkdir -p $(dir $@)
	$(quiet) CC $<
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(call obj,$(LIB_SRCS)) $(BUILD)/obj/$(SERVE_ASSETS_C:.c=.o)
	@mkdir -p $(dir $@)
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(PINPIPE): $(call obj,$(CLI_SRCS)) $(LIB)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(EMULATE): $(call obj,$(EMU_SRCS)) $(LIB)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(LDLIBS)

$(BUILD)/tests/unit/%: $(BUILD)/obj/tests/unit/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(TEST_LIBS) $(LDLIBS)

$(BUILD)/tests/integration/%: $(BUILD)/obj/tests/integration/%.o $(LIB)
	@mkdir -p $(dir $@)
	$(quiet) LINK $@
	$(Q)$(CC) $(CFLAGS) -o $@ $^ $(LDFLAGS) $(TEST_LIBS) $(LDLIBS)

-include $(shell find $(BUILD)/obj -name '*.d' 2>/dev/null)

# Further targets, one file per concern (fuzz, soak, ...).
-include $(sort $(wildcard mk/*.mk))

## unit: run the unit tests (no services needed)
unit: $(UNIT_BINS) $(PINPIPE) $(EMULATE)
	@bash tests/run-unit.sh $(BUILD)

## integration: start the services, run the integration tests, stop what was started
integration: all
	@bash tests/run-integration.sh $(BUILD)

## test: every test there is: the checks (make check), unit, the DAGs (airflow-test), unit under ASan/UBSan, a bounded fuzz run, integration against real services
test:
	@bash ci/install-deps.sh
	@bash ci/install-browser.sh
	@for goal in check unit airflow-test asan fuzz-smoke integration; do \
	  $(MAKE) --no-print-directory -j$(TEST_JOBS) $$goal || exit 1; \
	done

# One phase of `make test` after the other (a phase's output stays together), each
# compiling with every core: five trees are built (build, analyze, tsan, asan, fuzz).
TEST_JOBS ?= $(shell nproc)

## asan: the unit tests under AddressSanitizer and UndefinedBehaviorSanitizer
asan:
	$(MAKE) BUILD=build-asan OPT="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
	        LDFLAGS="-fsanitize=address,undefined" unit

## bench: cleaning and metrics records/s and RSS of pinpipe vs the same rules in DuckDB SQL and PySpark (checked equal first)
bench: all
	@bash bench/bench-clean.sh $(BUILD)

## bench-stream: stream events/s and end-to-end latency (starts Kafka and PostgreSQL)
bench-stream: all
	@bash bench/bench-stream.sh $(BUILD)

## bench-api: ingest API acked requests/s, p50/p99, RSS vs async FastAPI+aiokafka on as many uvicorn workers (starts Kafka)
bench-api: $(PINPIPE) $(EMULATE)
	@bash bench/bench-api.sh $(BUILD)

## bench-batch: lake writer and batch records/s vs S3 PUT and Cassandra INSERT baselines (starts Kafka, S3, Cassandra)
bench-batch: $(PINPIPE) $(EMULATE) $(LIB)
	@bash bench/bench-batch.sh $(BUILD)

## bench-serve: the serving layer's year-range queries (p50/p99, req/s at 8 and 64 connections) vs one SQL query on PostgreSQL
bench-serve: $(PINPIPE)
	@bash bench/bench-serve.sh $(BUILD)

## fixtures: regenerate fixture expectations and show the diff for review
fixtures: $(PINPIPE)
	@bash fixtures/regenerate.sh $(BUILD)

## services-up: start the services: the four stores and Trino (ci/services.sh up)
services-up:
	@bash ci/services.sh up
## services-down: stop the services (ci/services.sh down)
services-down:
	@bash ci/services.sh down
## services-status: say which services are up (ci/services.sh status)
services-status:
	@bash ci/services.sh status

## demo: the main job
demo:
	@bash ci/install-deps.sh
	@$(MAKE) --no-print-directory all
	@bash ci/demo.sh $(BUILD)

## clean: remove the build trees (build, build-asan, build-tsan, build-analyze)
clean:
	rm -rf build build-asan build-tsan build-analyze

## help: this list: every target of the Makefile and mk/*.mk, one line each
help:
	@bash ci/help.sh
