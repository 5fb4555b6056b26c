#!/usr/bin/env bash
# The main job (make demo). For now the offline chain: emulator -> clean -> metrics,
# with a short report; the full pipeline over the local services replaces it.
# Env: DEMO_EVENTS (default 20000), DEMO_DAYS (3), DEMO_SEED (7).
set -euo pipefail
BUILD="${1:-build}"
N="${DEMO_EVENTS:-20000}" DAYS="${DEMO_DAYS:-3}" SEED="${DEMO_SEED:-7}"
OUT="$BUILD/demo"
mkdir -p "$OUT"

echo "demo: generating $N events over $DAYS days (seed $SEED)"
"$BUILD/pinpipe-emulate" --seed "$SEED" --count "$N" --days "$DAYS" --invalid-rate 0.01 \
  --out "$OUT/raw.jsonl" --manifest "$OUT/manifest.json"
echo "demo: cleaning"
"$BUILD/pinpipe" clean --rejects "$OUT/rejects.jsonl" --summary "$OUT/clean-summary.txt" \
  "$OUT/raw.jsonl" > "$OUT/cleaned.jsonl"
echo "demo: computing metrics"
"$BUILD/pinpipe" metrics "$OUT/raw.jsonl" > "$OUT/metrics.jsonl"

echo
head -1 "$OUT/clean-summary.txt"
echo "distinct pins per day (metrics) vs the emulator's own count (manifest):"
jq -r 'select(.metric=="pins_total") | "\(.day) \(.value)"' "$OUT/metrics.jsonl" | sort > "$OUT/pins_per_day.metrics"
jq -r '.days[] | "\(.day) \(.distinct_pins)"' "$OUT/manifest.json" | sort > "$OUT/pins_per_day.manifest"
join -a1 "$OUT/pins_per_day.metrics" "$OUT/pins_per_day.manifest" | \
  awk '{printf "  %s  pipeline %6s  emulator %6s  %s\n", $1, $2, $3, ($2==$3 ? "ok" : "DIFFERENT")}'
echo "top categories per day:"
jq -r 'select(.metric=="pins_by_category") | "\(.day)\t\(.value)\t\(.key)"' "$OUT/metrics.jsonl" | \
  sort -k1,1 -k2,2nr | awk -F'\t' '$1!=d {d=$1; n=0} n++<3 {printf "  %s  %-16s %d\n", $1, $3, $2}'
echo
echo "outputs in $OUT/: raw.jsonl cleaned.jsonl rejects.jsonl metrics.jsonl manifest.json clean-summary.txt"
