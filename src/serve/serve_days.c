#include "serve/serve_days.h"

#include <stdlib.h>
#include <string.h>

const char *pp_serve_source_name(pp_serve_source s) {
    return s == PP_SERVE_BATCH ? "batch" : s == PP_SERVE_STREAM ? "stream" : "none";
}

static int by_day(const void *a, const void *b) {
    const pp_parity_run_row *x = a, *y = b;
    return strcmp(x->day ? x->day : "", y->day ? y->day : "");
}

void pp_serve_sort_runs(pp_parity_run_row *runs, size_t n) {
    if (n) qsort(runs, n, sizeof *runs, by_day);
}

/* The runs of day: [*first, *first + *n) of s->runs. */
static void runs_of(const pp_serve_snapshot *s, const char *day, size_t *first, size_t *n) {
    size_t lo = 0, hi = s->nruns;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (strcmp(s->runs[mid].day ? s->runs[mid].day : "", day) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    size_t end = lo;
    while (end < s->nruns && s->runs[end].day && strcmp(s->runs[end].day, day) == 0) end++;
    *first = lo;
    *n = end - lo;
}

static int stream_has(const pp_serve_snapshot *s, const char *day) {
    size_t lo = 0, hi = s->nstream_days;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        int c = strcmp(s->stream_days[mid], day);
        if (c == 0) return 1;
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return 0;
}

void pp_serve_decide_day(const pp_serve_snapshot *s, const char *day, pp_serve_day *out) {
    memset(out, 0, sizeof *out);
    memcpy(out->day, day, 10);
    out->note = out->unavailable = "";
    out->run = -1;
    out->stream_has_day = s->stream_ok && stream_has(s, day);
    size_t first = 0, n = 0;
    if (s->batch_ok) runs_of(s, day, &first, &n);
    long chosen = -1;
    /* a store that could not be read counts as having read nothing: the rule then
     * names the other one, which must be complete on its own */
    pp_parity_topic topics[PP_SERVE_MAX_TOPICS];
    size_t nt = s->ntopics < PP_SERVE_MAX_TOPICS ? s->ntopics : PP_SERVE_MAX_TOPICS;
    for (size_t i = 0; i < nt; i++) {
        topics[i] = s->topics[i];
        if (!s->kafka_ok) topics[i].wm = NULL, topics[i].nwm = 0;
        if (!s->stream_ok) topics[i].stream = NULL, topics[i].nstream = 0;
    }
    if (nt) pp_parity_decide_topics(s->runs + first, n, topics, nt, s->run_timeout_ms, &out->decision, &chosen);
    out->run = chosen >= 0 ? (long)first + chosen : -1;
    out->batch_finished_ms = out->run >= 0 ? s->runs[out->run].written_ms : -1;
    out->batch_version = -1;
    for (size_t i = first; i < first + n; i++)
        if (s->runs[i].write_ts > out->batch_version) out->batch_version = s->runs[i].write_ts;
    const pp_day_decision *d = &out->decision;
    if (!s->kafka_ok) out->decision.complete = 0;
    if (s->batch_ok && s->stream_ok) {
        out->source = d->authority == PP_DAY_FROM_BATCH ? PP_SERVE_BATCH : PP_SERVE_STREAM;
        if (out->source == PP_SERVE_STREAM && !out->stream_has_day && out->run >= 0) {
            out->source = PP_SERVE_BATCH;
            out->note = "the stream holds no rows for this day (trimmed or rebuilt): the batch answers";
        }
    } else if (s->batch_ok) {
        out->source = s->kafka_ok && d->batch_complete ? PP_SERVE_BATCH : PP_SERVE_NONE;
        out->unavailable = "postgresql";
        out->note = out->source == PP_SERVE_BATCH
            ? "PostgreSQL is unreachable; the batch is complete for the day"
            : "PostgreSQL is unreachable and the batch is not complete for the day";
    } else if (s->stream_ok) {
        out->source = s->kafka_ok && d->stream_complete && out->stream_has_day ? PP_SERVE_STREAM : PP_SERVE_NONE;
        out->unavailable = "cassandra";
        out->note = out->source == PP_SERVE_STREAM
            ? "Cassandra is unreachable; the stream is complete for the day"
            : "Cassandra is unreachable and the stream is not complete for the day";
    } else {
        out->source = PP_SERVE_NONE;
        out->unavailable = "cassandra, postgresql";
        out->note = "Cassandra and PostgreSQL are unreachable";
    }
}
