#!/usr/bin/env bash
# `make help`: one line per target, from the `## target: what it does` comments of the
# Makefile and mk/*.mk, in file order.
# `bash ci/help.sh --check` (part of `make check`): fails when a .PHONY target of those
# files has no such line, so `make help` keeps listing every target.
set -euo pipefail
cd "$(dirname "$0")/.."
files=(Makefile mk/*.mk)

documented() { sed -n 's/^## \([A-Za-z0-9_.-]*\): .*/\1/p' "${files[@]}"; }

if [ "${1:-}" = --check ]; then
  # every name after .PHONY:, continuation lines included
  phony=$(awk '/^\.PHONY:/ { on = 1; sub(/^\.PHONY:/, "") }
               on { line = $0; more = sub(/\\$/, "", line); print line; if (!more) on = 0 }' "${files[@]}" |
          tr -s ' \t' '\n' | sed '/^$/d' | sort -u)
  missing=$(comm -23 <(echo "$phony") <(documented | sort -u))
  if [ -n "$missing" ]; then
    echo "help-check: no '## target: ...' line for: $(echo "$missing" | tr '\n' ' ')" >&2
    exit 1
  fi
  echo "help-check: $(echo "$phony" | wc -l) targets documented"
  exit 0
fi

echo "make targets (Makefile and mk/*.mk):"
sed -n 's/^## \([A-Za-z0-9_.-]*\): \(.*\)/\1\t\2/p' "${files[@]}" | awk -F'\t' '{ printf "  %-16s %s\n", $1, $2 }'
