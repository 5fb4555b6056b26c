/* clean_run — the offline loop over a JSONL file shared by `pinpipe clean`,
 * `pinpipe metrics` and `rules check`. */
#ifndef PINPIPE_METRICS_CLEAN_RUN_H
#define PINPIPE_METRICS_CLEAN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics/tally.h"

typedef enum {
    PP_INPUT_AUTO = 0, /* decided by the first non-blank line: an object with "ind" is a cleaned pin */
    PP_INPUT_RAW,      /* raw events: cleaned, deduplicated and tallied */
    PP_INPUT_CLEANED,  /* cleaned pins (what `pinpipe clean` writes): deduplicated and tallied */
    PP_INPUT_EVENTS,   /* raw events or mixed input, by the first line (never cleaned pins) */
    PP_INPUT_MIXED     /* events of every kind, one per line: {"kind":"geo","event":{..}} or
                          {"kind":..,"raw":"<bytes as a JSON string>"}, optional "ingest_time"
                          (ms); auto picks it for a first line starting {"kind": (docs/joins.md) */
} pp_input_kind;

typedef struct {
    const char *name; /* the input's name in messages */
    pp_input_kind input;
    size_t max_line;        /* a longer raw line is rejected as too_large; a longer
                               cleaned line is an error */
    int64_t ingest_time_ms; /* event time of raw events without a timestamp; -1: none */
    /* raw input only: */
    FILE *cleaned_out; /* cleaned records as JSON lines (pin.h, side.h); NULL: not written */
    FILE *rejects_out; /* rejects as JSON lines ("line" and the raw bytes);
                               NULL: a too-long line is named on stderr instead */
} pp_clean_run_opts;

/* Runs every line of `in` through the tally. Blank lines are skipped. *lines gets
 * the number of lines read. Returns 0; 1 when a cleaned-input or mixed-input line
 * could not be read (named on stderr, the rest still counted); 3 on a read error
 * (message printed). */
int pp_clean_run(FILE *in, const pp_clean_run_opts *o, pp_tally *t, size_t *lines);

#endif
