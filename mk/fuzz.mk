# fuzz — libFuzzer targets (tests/fuzz/fuzz_*.c), built with clang under ASan + UBSan.
#
#   make fuzz          build, then run every target FUZZ_SECONDS (default 300) each
#   make fuzz-smoke    build, then a bounded run: FUZZ_SMOKE_SECONDS (default 60) in all
#   make fuzz-build    build only: $(FUZZ_BUILD)/fuzz_<target>
#
# The library is compiled again from LIB_SRCS with clang and the sanitizers into its
# own tree ($(FUZZ_BUILD)/obj, -fsanitize=fuzzer-no-link so libFuzzer sees its
# coverage). Seeds: tests/fuzz/corpus/<target>/ (tests/fuzz/make_corpus.py). What a
# run finds goes to $(FUZZ_BUILD)/corpus/<target>/, crashes to
# $(FUZZ_BUILD)/artifacts/<target>/ (both ignored by git); see tests/fuzz/run.sh.

FUZZ_BUILD   ?= build-fuzz
FUZZ_CC      ?= clang
FUZZ_SECONDS ?= 300
FUZZ_SMOKE_SECONDS ?= 60
FUZZ_TARGETS := event clean cql_frame s3_xml api

FUZZ_SAN     := -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_CFLAGS  := $(CSTD) $(WARN) -O1 -g -Isrc -Itests/fuzz $(shell pkg-config --cflags $(PKGS)) $(FUZZ_SAN)
FUZZ_LIB     := $(FUZZ_BUILD)/libpinpipe.a
FUZZ_BINS    := $(FUZZ_TARGETS:%=$(FUZZ_BUILD)/fuzz_%)
fuzz_obj      = $(patsubst %.c,$(FUZZ_BUILD)/obj/%.o,$(1))

.PHONY: fuzz fuzz-smoke fuzz-build fuzz-corpus

$(FUZZ_BUILD)/obj/src/%.o: src/%.c
	@mkdir -p $(dir $@)
	$(quiet) CLANG $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_BUILD)/obj/tests/fuzz/%.o: tests/fuzz/%.c
	@mkdir -p $(dir $@)
	$(quiet) CLANG $<
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) -fsanitize=fuzzer-no-link -MMD -MP -c $< -o $@

$(FUZZ_LIB): $(call fuzz_obj,$(LIB_SRCS))
	$(quiet) AR $@
	$(Q)rm -f $@ && ar rcs $@ $^

$(FUZZ_BUILD)/fuzz_%: $(FUZZ_BUILD)/obj/tests/fuzz/fuzz_%.o $(FUZZ_LIB)
	$(quiet) LINK $@
	$(Q)$(FUZZ_CC) $(FUZZ_SAN) -fsanitize=fuzzer -o $@ $(filter %.o,$^) $(FUZZ_LIB) $(LDLIBS)

# Support code a target links besides its own file: the API runs against a fake
# Kafka producer and health probe (they come before the library, so the real ones
# are not linked).
$(FUZZ_BUILD)/fuzz_api: $(call fuzz_obj,tests/fuzz/fake_kafka.c)

-include $(shell find $(FUZZ_BUILD)/obj -name '*.d' 2>/dev/null)

## fuzz-build: the libFuzzer targets (clang, ASan + UBSan) in build-fuzz/
fuzz-build: $(FUZZ_BINS)

## fuzz: every fuzz target for FUZZ_SECONDS (default 300) each; crashes in build-fuzz/artifacts/
fuzz: fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_BUILD) $(FUZZ_SECONDS) $(FUZZ_TARGETS)

## fuzz-smoke: every fuzz target, FUZZ_SMOKE_SECONDS (default 60) in all; fails on a crash
fuzz-smoke: fuzz-build
	@bash tests/fuzz/run.sh $(FUZZ_BUILD) $$(( ($(FUZZ_SMOKE_SECONDS) + $(words $(FUZZ_TARGETS)) - 1) / $(words $(FUZZ_TARGETS)) )) $(FUZZ_TARGETS)

## fuzz-corpus: regenerate the seed corpus tests/fuzz/corpus/ from fixtures/ and the tests
fuzz-corpus:
	@python3 tests/fuzz/make_corpus.py
