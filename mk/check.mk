# check — habits the build keeps (issue 11 item 6). `make test` runs `make check` first.
#
#   make format-check   the files in .clang-format-ready equal clang-format's output
#                       (ci/format-all.sh reformats the whole tree once; see that file)
#   make shellcheck     every shell script passes shellcheck (.shellcheckrc)
#   make help-check     make help lists every target
#   make analyze        gcc -fanalyzer over the library and the CLI, -Werror
#   make tsan           the unit tests under ThreadSanitizer

.PHONY: check format-check

## format-check: C files listed in .clang-format-ready must equal clang-format-14's output (about 3 s)
format-check:
	@bash ci/format-check.sh

## check: the checks `make test` runs first: format-check shellcheck help-check analyze tsan check-alloc monitoring-check
check: format-check shellcheck help-check analyze tsan monitoring-check

.PHONY: help-check
## help-check: every .PHONY target of the Makefile and mk/*.mk has a `## target:` line for make help
help-check:
	@bash ci/help.sh --check

# ---- analyze: gcc -fanalyzer over the library and the CLI, warnings as errors.
# One stamp per source in $(ANALYZE_BUILD) (no object is kept), so a second run only
# re-analyzes what changed. No suppression today; one, if ever needed, is a
# `#pragma GCC diagnostic` around the smallest scope with a comment saying why.
ANALYZE_BUILD ?= build-analyze
# Files left out of the analysis (none: every finding is fixed; a suppression would need its
# reason here).
ANALYZE_TODO :=
ANALYZE_SRCS := $(filter-out $(ANALYZE_TODO),$(LIB_SRCS) $(CLI_SRCS))
ANALYZE_OKS  := $(ANALYZE_SRCS:%.c=$(ANALYZE_BUILD)/%.ok)

$(ANALYZE_BUILD)/%.ok: %.c
	@mkdir -p $(dir $@)
	$(quiet) ANALYZE $<
	$(Q)$(CC) $(CFLAGS) -fanalyzer -MMD -MP -MT $@ -MF $(@:.ok=.d) -c $< -o /dev/null
	@touch $@

-include $(shell find $(ANALYZE_BUILD) -name '*.d' 2>/dev/null)

.PHONY: analyze
## analyze: gcc -fanalyzer over the library and the CLI, warnings as errors (about 30 s at -j2 from scratch, only changed files after)
analyze: $(ANALYZE_OKS)
	@echo "analyze: $(words $(ANALYZE_OKS)) files clean$(if $(ANALYZE_TODO), (left out: $(ANALYZE_TODO)))"

# ---- tsan: the unit tests under ThreadSanitizer (the API hands requests across
# threads; the tests run fake servers on threads). Own tree: build-tsan/.
# Not run: the tests that start a real librdkafka client. librdkafka starts its threads
# with C11 thrd_create, which gcc 12's TSan runtime does not intercept, so the runtime
# crashes (SIGSEGV in its allocator) on their first malloc: nothing to find there.
TSAN_SKIP := test_api_limits test_kafka_client
.PHONY: tsan
## tsan: the unit tests under ThreadSanitizer, built in build-tsan/ (about 35 s at -j2 from scratch, 27 s after: the tests run slower under TSan)
tsan:
	$(Q)PINPIPE_UNIT_SKIP="$(TSAN_SKIP)" $(MAKE) --no-print-directory BUILD=build-tsan \
	        OPT="-O1 -g -fsanitize=thread -fno-omit-frame-pointer" LDFLAGS="-fsanitize=thread" unit

# ---- shellcheck: every shell script of the project (settings and the project-wide
# exceptions, each with its reason: .shellcheckrc).
SHELLCHECK ?= shellcheck
.PHONY: shellcheck
## shellcheck: shellcheck over every *.sh and .ci/run (.shellcheckrc says what is allowed and why; about 7 s)
shellcheck:
	@files=$$(git ls-files '*.sh' | tr '\n' ' '); \
	$(SHELLCHECK) -f gcc .ci/run $$files && echo "shellcheck: $$(( $$(echo $$files | wc -w) + 1 )) scripts clean"
