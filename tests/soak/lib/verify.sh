# The soak's checks, once the load is over and both paths have drained. Source it after
# common.sh. Needs: B, OUT, RUN, DAYS (array of YYYY-MM-DD), PG_DSN (psql's DSN of the run's schema),
# the run's PINPIPE_* settings, and the files $OUT/events.jsonl and $OUT/manifest.json.
#
#   emulator_figures FILE   sets EMU_SENT EMU_ACKED EMU_REJECTED EMU_FAILED EMU_RETRIES
#   check_acknowledged      what the emulator says was acknowledged is what it generated
#   expected_pins           $OUT/expected.pins: "day unique_id" of every acknowledged pin
#   check_pins_pg           PostgreSQL's pins table holds exactly those, once each
#   check_pins_cql          Cassandra's pins table holds exactly those
#   check_metrics           metrics of both stores == `pinpipe metrics` over the events
#   check_parity            `pinpipe parity --require-all` passes for every day
# Each check that fails calls `problem` and goes on (the verdict lists every failure).
# shellcheck shell=bash

emulator_figures() {
  local line
  line=$(tail -n 1 "$1" 2>/dev/null)
  EMU_SENT=$(sed -nE 's/.* ([0-9]+) sent,.*/\1/p' <<<"$line")
  EMU_ACKED=$(sed -nE 's/.* ([0-9]+) acknowledged,.*/\1/p' <<<"$line")
  EMU_REJECTED=$(sed -nE 's/.* ([0-9]+) rejected,.*/\1/p' <<<"$line")
  EMU_FAILED=$(sed -nE 's/.* ([0-9]+) failed,.*/\1/p' <<<"$line")
  # shellcheck disable=SC2034 # read by soak.sh's report
  EMU_RETRIES=$(sed -nE 's/.* ([0-9]+) retries,.*/\1/p' <<<"$line")
  [ -n "$EMU_SENT" ] && [ -n "$EMU_ACKED" ] && [ -n "$EMU_FAILED" ]
}

# The emulator counts answers, not events by name. With failed = 0 every event got a
# final answer: 200 (acknowledged) or 4xx (rejected, the API found it invalid). When those
# counts equal the manifest's valid and invalid events, the acknowledged events are
# exactly the valid ones, so the ground truth is the generated file's valid events.
check_acknowledged() {
  local valid invalid
  valid=$(jq '.totals.valid_events' "$OUT/manifest.json")
  invalid=$(jq '.totals.invalid_events' "$OUT/manifest.json")
  if ! emulator_figures "$OUT/emulator.txt"; then
    problem "the emulator printed no summary ($OUT/emulator.txt, $OUT/emulator.log)"
    return 1
  fi
  ((EMU_FAILED == 0)) ||
    problem "$EMU_FAILED event(s) never got an answer (retries exhausted): the API was unavailable too long"
  ((EMU_ACKED == valid)) ||
    problem "acknowledged $EMU_ACKED events, but $valid were valid: some valid event was refused or lost an answer"
  ((EMU_REJECTED == invalid)) ||
    problem "rejected $EMU_REJECTED events (4xx), but $invalid were invalid"
  ((EMU_FAILED == 0 && EMU_ACKED == valid))
}

expected_pins() {
  "$B/pinpipe" clean --no-summary --rejects /dev/null "$OUT/events.jsonl" |
    jq -r '"\(.event_day) \(.unique_id)"' | LC_ALL=C sort -u >"$OUT/expected.pins"
  local want
  want=$(jq '.totals.distinct_pins' "$OUT/manifest.json")
  [ "$(wc -l <"$OUT/expected.pins")" = "$want" ] ||
    problem "the cleaned events hold $(wc -l <"$OUT/expected.pins") distinct pins, the manifest $want"
}

# compare_pins STORE FILE: FILE ("day unique_id" lines, sorted, possibly repeated) against
# the expected pins: none missing, none extra, none twice.
compare_pins() {
  local store=$1 file=$2 rows distinct missing extra
  rows=$(wc -l <"$file")
  distinct=$(LC_ALL=C sort -u "$file" | tee "$file.distinct" | wc -l)
  missing=$(LC_ALL=C comm -23 "$OUT/expected.pins" "$file.distinct" | tee "$file.missing" | wc -l)
  extra=$(LC_ALL=C comm -13 "$OUT/expected.pins" "$file.distinct" | tee "$file.extra" | wc -l)
  ((rows == distinct)) || problem "$store: $((rows - distinct)) pin(s) stored more than once"
  ((missing == 0)) ||
    problem "$store: $missing acknowledged pin(s) missing, e.g. $(head -n 3 "$file.missing" | tr '\n' ' ')($file.missing)"
  ((extra == 0)) ||
    problem "$store: $extra pin(s) that were never acknowledged, e.g. $(head -n 3 "$file.extra" | tr '\n' ' ')"
  note "$store: $rows pins stored, $missing missing, $extra unexpected, $((rows - distinct)) twice"
  ((rows == distinct && missing == 0 && extra == 0))
}

check_pins_pg() {
  psql "$PG_DSN" -X -qAt -F' ' -c "SELECT event_day, unique_id FROM pins" | LC_ALL=C sort >"$OUT/pg.pins" ||
    { problem "PostgreSQL: could not read the pins table"; return 1; }
  compare_pins "stream (PostgreSQL pins)" "$OUT/pg.pins"
  local rejects
  rejects=$(psql "$PG_DSN" -X -qAt -c "SELECT count(*) FROM rejects")
  [ "$rejects" = 0 ] || problem "PostgreSQL: $rejects reject(s), but the API lets only valid events into Kafka"
}

check_pins_cql() {
  local day
  : >"$OUT/cql.pins.raw"
  for day in "${DAYS[@]}"; do
    "$B/pinpipe" cql --format json -e "SELECT event_day, unique_id FROM $RUN.pins WHERE $(pins_day_where "$day")" \
      >>"$OUT/cql.pins.raw" 2>>"$OUT/cql.log" || { problem "Cassandra: could not read the pins of $day"; return 1; }
  done
  jq -r '"\(.event_day) \(.unique_id)"' "$OUT/cql.pins.raw" | LC_ALL=C sort >"$OUT/cql.pins"
  compare_pins "batch (Cassandra pins)" "$OUT/cql.pins"
}

# metric|day|key|kind|value lines, sorted; rejected_events left out (the API keeps
# invalid events out of Kafka, so only the offline run over the generated file has them).
metrics_offline() {
  "$B/pinpipe" metrics "$OUT/events.jsonl" | jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' |
    grep -v '^rejected_events|' | LC_ALL=C sort
}
metrics_pg() {
  psql "$PG_DSN" -X -qAt -F'|' -c "SELECT metric, day, key, kind, value FROM metrics" |
    grep -v '^rejected_events|' | LC_ALL=C sort
}
metrics_cql() {
  "$B/pinpipe" cql --format json -e "SELECT metric, day, key, kind, value FROM $RUN.metrics" |
    jq -r '[.metric, .day, .key, .kind, (.value | tostring)] | join("|")' | grep -v '^rejected_events|' | LC_ALL=C sort
}

check_metrics() {
  metrics_offline >"$OUT/metrics.offline" || problem "pinpipe metrics failed"
  metrics_pg >"$OUT/metrics.pg" || problem "PostgreSQL: could not read the metrics table"
  metrics_cql >"$OUT/metrics.cql" 2>>"$OUT/cql.log" || problem "Cassandra: could not read the metrics table"
  local store file n
  for store in pg cql; do
    file="$OUT/metrics.$store"
    n=$(LC_ALL=C comm -3 "$OUT/metrics.offline" "$file" | wc -l)
    if ((n == 0)); then
      note "metrics ($store): $(wc -l <"$file") rows, equal to pinpipe metrics offline"
    else
      diff "$OUT/metrics.offline" "$file" >"$file.diff" || true
      problem "metrics ($store): $n row(s) differ from pinpipe metrics offline, e.g. $(grep -m 2 '^[<>]' "$file.diff" | tr '\n' ' ')($file.diff)"
    fi
  done
}

check_parity() {
  local rc=0
  "$B/pinpipe" parity --from "${DAYS[0]}" --to "${DAYS[-1]}" --require-all \
    >"$OUT/parity.txt" 2>&1 || rc=$?
  PARITY_LINE=$(tail -n 1 "$OUT/parity.txt")
  if ((rc == 0)); then
    note "parity: $PARITY_LINE"
  else
    grep -v '^OK' "$OUT/parity.txt" | head -n 10 | sed 's/^/             /'
    problem "parity exited $rc: $PARITY_LINE"
  fi
}
