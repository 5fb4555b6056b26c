/* clean_run — the offline cleaning loop shared by `pinpipe clean` and `rules check`. */
#ifndef PINPIPE_CLEAN_RUN_H
#define PINPIPE_CLEAN_RUN_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "metrics/tally.h"

/* Cleans every line of `in` through the tally: cleaned pins to cleaned_out,
 * rejects (JSON with "line" and the raw bytes) to rejects_out. Blank lines are
 * skipped; lines over max_line are rejected as too_large. *lines gets the
 * number of lines read. Returns 0, or 3 on a read error (message printed). */
int pp_clean_run(FILE *in, const char *name, pp_tally *t, FILE *cleaned_out, FILE *rejects_out, size_t max_line,
                 int64_t ingest_time_ms, size_t *lines);

#endif
