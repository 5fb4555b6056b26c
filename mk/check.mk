# check — habits the build keeps (issue 11 item 6). `make check` runs the fast ones and
# `make test` runs `make check` first.
#
#   make format-check   the files in .clang-format-ready equal clang-format's output
#   (ci/format-all.sh reformats the whole tree once; see .clang-format-ready)

.PHONY: check format-check

## format-check: C files listed in .clang-format-ready must equal clang-format-14's output (about 3 s)
format-check:
	@bash ci/format-check.sh

## check: the fast checks CI runs before the tests: format-check
check: format-check
