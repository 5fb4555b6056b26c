#!/usr/bin/env bash
# Check that C files are formatted as .clang-format says: bash ci/format-check.sh
# (make format-check). The files are those matched by the pathspecs in
# .clang-format-ready (see its header); a file that differs from clang-format's output
# is shown as a diff and makes the exit status 1. A pathspec matching nothing (a file
# moved away) is reported and skipped.
# CLANG_FORMAT: the binary (default clang-format-14, else clang-format).
set -euo pipefail
cd "$(dirname "$0")/.."

cf="${CLANG_FORMAT:-}"
if [ -z "$cf" ]; then
  if command -v clang-format-14 >/dev/null; then cf=clang-format-14; else cf=clang-format; fi
fi
command -v "$cf" >/dev/null || { echo "format-check: $cf not found (bash ci/install-deps.sh)" >&2; exit 1; }

specs=()
while IFS= read -r line || [ -n "$line" ]; do
  line="${line%%#*}"
  line="${line//[[:space:]]/}"
  [ -n "$line" ] && specs+=("$line")
done <.clang-format-ready

files=()
for s in "${specs[@]}"; do
  mapfile -t m < <(git ls-files -- "$s" | grep -E '\.[ch]$' || true)
  if ((${#m[@]} == 0)); then
    echo "format-check: nothing matches '$s' (moved?); skipped"
    continue
  fi
  files+=("${m[@]}")
done

bad=0
for f in "${files[@]}"; do
  if ! "$cf" --style=file "$f" | diff -u --label "$f" --label "$f (clang-format)" "$f" - ; then
    bad=$((bad + 1))
  fi
done
if ((bad)); then
  echo "format-check: $bad of ${#files[@]} files differ from $cf's output; fix with: $cf -i --style=file FILE" >&2
  exit 1
fi
echo "format-check: ${#files[@]} files formatted"
