/* run_rows_support — batch_runs rows for the tests of which run counts, written as
 * one line: "done:0/2 running:1/2 done:- done:all/2" lists rows oldest first, each
 * STATUS:SHARD ("-": a single-process run), write_ts 100, 101, ... in that order. The
 * rows' strings point into buf (static storage). */
#ifndef PINPIPE_TEST_RUN_ROWS_SUPPORT_H
#define PINPIPE_TEST_RUN_ROWS_SUPPORT_H

#include <stdio.h>
#include <string.h>

#include "parity/parity_runs.h"

#define RUN_ROWS_MAX 8

static size_t run_rows(const char *spec, pp_parity_run_row *rows, const char *coverage) {
    static char buf[512];
    snprintf(buf, sizeof buf, "%s", spec);
    size_t n = 0;
    for (char *save = NULL, *tok = strtok_r(buf, " ", &save); tok && n < RUN_ROWS_MAX;
         tok = strtok_r(NULL, " ", &save)) {
        char *colon = strchr(tok, ':');
        pp_parity_run_row *r = &rows[n];
        memset(r, 0, sizeof *r);
        *colon = '\0';
        r->status = tok;
        r->shard = strcmp(colon + 1, "-") == 0 ? NULL : colon + 1;
        r->coverage = coverage;
        r->read = "{}";
        r->host = "h";
        r->write_ts = 100 + (int64_t)n;
        r->run_at_ms = 1767312000000LL;
        r->age_ms = 1000;
        r->day = "2026-01-02";
        r->written_ms = r->objects = r->bytes = r->records_read = -1;
        n++;
    }
    return n;
}

#endif
