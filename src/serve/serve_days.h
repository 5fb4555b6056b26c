/* serve_days — which store answers for each day: the serving rule.
 *
 * A snapshot holds what the rule needs, read together (serve_store.h): every
 * batch run (Cassandra batch_runs), the stream's stored offsets and the days it holds
 * rows for (PostgreSQL), and Kafka's watermarks, each with whether its store could be
 * read. Offsets and watermarks are per topic: the pins topic, and the geo and users
 * topics when the pipeline carries them (docs/joins.md), as parity reads them.
 * pp_serve_decide_day applies the day rule of parity (parity/day_rule.h, through
 * pp_parity_decide_topics: one function over the same topics, no copy) and then what
 * serving adds:
 *
 *   both stores read   the rule's authority: the batch when its newest full run is
 *                      done and covers at least what the stream consumed, else the
 *                      stream. A day the stream holds no rows for while the batch has
 *                      a done run is served by the batch (the stream's table was
 *                      trimmed or rebuilt).
 *   Cassandra down     the stream, only when it is complete (it read every record
 *                      Kafka has) and holds the day; else unavailable (503)
 *   PostgreSQL down    the batch, only when it is complete; else unavailable
 *   Kafka down         the rule still picks the store (it needs no watermarks);
 *                      completeness is unknown (complete = 0)
 *
 * A pure function of the snapshot: no I/O, no clock.
 */
#ifndef PINPIPE_SERVE_DAYS_H
#define PINPIPE_SERVE_DAYS_H

#include <stddef.h>
#include <stdint.h>

#include "kafka/kafka_admin.h"
#include "parity/day_rule.h"
#include "parity/parity_load.h"
#include "parity/parity_runs.h"

typedef enum { PP_SERVE_BATCH, PP_SERVE_STREAM, PP_SERVE_NONE } pp_serve_source;

#define PP_SERVE_MAX_TOPICS 3 /* pins, geo, users */

typedef struct {
    int64_t taken_ms; /* wall clock when it was read */
    int64_t run_timeout_ms;
    int batch_ok, stream_ok, kafka_ok; /* could the store be read */
    /* batch: every run, sorted by day */
    const pp_parity_run_row *runs;
    size_t nruns;
    /* per topic, pins first: the stream's offsets (stream, nstream) and Kafka's
     * watermarks (wm, nwm); ntopics >= 1 */
    pp_parity_topic topics[PP_SERVE_MAX_TOPICS];
    size_t ntopics;
    /* stream: the days it holds rows for, sorted */
    char (*stream_days)[11];
    size_t nstream_days;
} pp_serve_snapshot;

typedef struct {
    char day[11];
    pp_serve_source source;
    pp_day_decision decision;  /* the rule's, when both stores were read */
    const char *note;          /* why serving chose otherwise than the rule, or why none; "" */
    const char *unavailable;   /* PP_SERVE_NONE: the store that could not be read */
    long run;                  /* the batch run that counts (index into runs), -1: none */
    int64_t batch_finished_ms; /* when that run was recorded done (Cassandra's clock); -1: none */
    int64_t batch_version;     /* the largest write_ts of the day's runs: any new run changes it */
    int stream_has_day;
} pp_serve_day;

void pp_serve_decide_day(const pp_serve_snapshot *s, const char *day, pp_serve_day *out);

const char *pp_serve_source_name(pp_serve_source s);

/* Sorts runs by day (for pp_serve_decide_day's lookup). */
void pp_serve_sort_runs(pp_parity_run_row *runs, size_t n);

#endif
