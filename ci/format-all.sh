#!/usr/bin/env bash
# Reformat every C file of the project with .clang-format, once: bash ci/format-all.sh
# Meant to be run by the lead after the branches of issue 11 are merged (a mass
# reformat on a branch would make every other merge conflict). It
#   1. runs clang-format -i over the tracked *.c and *.h under src/ tests/ emulator/
#      bench/ (fixtures and corpora are not C and are not touched);
#   2. replaces .clang-format-ready with globs that cover every C file, so
#      `make format-check` checks all of them from then on;
#   3. prints how many lines changed (git diff --shortstat). Commit the result alone
#      ("style: clang-format the tree"), after `make all unit` passes.
# CLANG_FORMAT: the binary (default clang-format-14, else clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."

cf="${CLANG_FORMAT:-}"
if [ -z "$cf" ]; then
  if command -v clang-format-14 >/dev/null; then cf=clang-format-14; else cf=clang-format; fi
fi
command -v "$cf" >/dev/null || { echo "format-all: $cf not found (bash ci/install-deps.sh)" >&2; exit 1; }

globs=('src/*.[ch]' 'tests/*.[ch]' 'emulator/*.[ch]' 'bench/*.[ch]')
mapfile -t files < <(git ls-files -- "${globs[@]}")
echo "format-all: $cf over ${#files[@]} files"
printf '%s\0' "${files[@]}" | xargs -0 -n 16 "$cf" -i --style=file

{
  sed -n '1,/^[^#]/{/^#/p}' .clang-format-ready | sed '/^# Today:/,$d' | sed '/^# Every C file of the project/d'
  echo "# Every C file of the project (set by ci/format-all.sh)."
  printf '%s\n' "${globs[@]}"
} >.clang-format-ready.new
mv .clang-format-ready.new .clang-format-ready

git diff --shortstat -- "${globs[@]}"
echo "format-all: done; check with: make format-check all unit"
