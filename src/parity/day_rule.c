#include "parity/day_rule.h"

#include <stdio.h>
#include <string.h>

static int64_t eff(int64_t next) { return next < 0 ? 0 : next; }

/* Does a store whose next offset is `next` hold every record of partition p? */
static int holds_all(const pp_day_partition *p, int64_t next) {
    if (p->high < 0) return next <= 0; /* Kafka does not have it: nor should the store */
    return eff(next) == p->high;
}

static void run_reason(pp_day_run run, const char *note, char *out, size_t n) {
    const char *sep = note && *note ? ", " : "", *nt = note ? note : "";
    switch (run) {
    case PP_DAY_RUN_NONE: snprintf(out, n, "no finished batch run for this day"); break;
    case PP_DAY_RUN_NO_COVERAGE:
        snprintf(out, n, "the batch run recorded no lake coverage (re-run it with coverage on)");
        break;
    case PP_DAY_RUN_RUNNING:
        snprintf(out, n, "the newest batch run of the day is 'running'%s%s (wait for it, or re-run the batch)", sep,
                 nt);
        break;
    case PP_DAY_RUN_ABANDONED:
        snprintf(out, n,
                 "the newest batch run of the day is 'running' past the run timeout%s%s: presumed dead, the tables are "
                 "partial (re-run the batch)",
                 sep, nt);
        break;
    case PP_DAY_RUN_FAILED:
        snprintf(out, n, "the newest batch run of the day is 'failed'%s%s (re-run the batch)", sep, nt);
        break;
    case PP_DAY_RUN_FINALIZE_PENDING:
        snprintf(out, n,
                 "finalize pending: a shard run of the day%s%s is newer than its last finalize, the tables are partial "
                 "(run `pinpipe batch --date DAY --finalize N`)",
                 sep, nt);
        break;
    case PP_DAY_RUN_DONE: out[0] = '\0'; break;
    }
}

/* Why a store with next offset `next` does not hold every record of p. */
static void gap_reason(const pp_day_partition *p, int64_t next, const char *who, char *out, size_t n) {
    long long at = (long long)eff(next), hi = (long long)p->high, lo = (long long)p->low;
    if (p->high < 0)
        snprintf(out, n,
                 "partition %d: the %s read up to offset %lld of it, but Kafka has no such partition "
                 "(was the topic re-created?)",
                 (int)p->partition, who, at);
    else if (at > hi)
        snprintf(out, n,
                 "partition %d: the %s read up to offset %lld, beyond Kafka's end %lld (was the topic re-created?)",
                 (int)p->partition, who, at, hi);
    else if (at < lo)
        snprintf(out, n, "partition %d: offsets %lld..%lld were deleted by retention before the %s read them",
                 (int)p->partition, at, lo - 1, who);
    else
        snprintf(out, n,
                 "partition %d: Kafka holds offsets up to %lld, the %s read up to %lld: %lld record(s) %s "
                 "(of any event day)%s",
                 (int)p->partition, hi, who, at, hi - at, strchr(who, ' ') ? "in neither store" : "it has not read",
                 next < 0 ? "; it has never read this partition" : "");
}

void pp_day_decide(pp_day_run run, const char *run_note, const pp_day_partition *parts, size_t n,
                   pp_day_decision *out) {
    memset(out, 0, sizeof *out);
    int done = run == PP_DAY_RUN_DONE;
    out->batch_complete = done;
    out->stream_complete = 1;
    out->comparable = done;
    if (!done) run_reason(run, run_note, out->why_not_comparable, sizeof out->why_not_comparable);
    for (size_t i = 0; i < n; i++) {
        const pp_day_partition *p = &parts[i];
        int64_t covered = eff(p->batch_next), stream = eff(p->stream_next);
        if (!holds_all(p, p->batch_next) || p->batch_read > covered) out->batch_complete = 0;
        if (!holds_all(p, p->stream_next)) out->stream_complete = 0;
        if (!out->comparable) continue;
        if (stream != covered) {
            out->comparable = 0;
            snprintf(out->why_not_comparable, sizeof out->why_not_comparable,
                     "partition %d: the stream is at offset %lld, the batch covered %lld (%s)", (int)p->partition,
                     (long long)stream, (long long)covered,
                     stream > covered ? "re-run the batch after the lake writer caught up" : "the stream is behind");
        } else if (p->batch_read > covered) {
            out->comparable = 0;
            snprintf(out->why_not_comparable, sizeof out->why_not_comparable,
                     "partition %d: the batch read up to %lld, past its coverage %lld (re-run it)", (int)p->partition,
                     (long long)p->batch_read, (long long)covered);
        }
    }
    /* the serving rule: the batch answers when it has read at least what the stream has */
    int covers = done;
    for (size_t i = 0; i < n && covers; i++)
        if (eff(parts[i].stream_next) > eff(parts[i].batch_next) || parts[i].batch_read > eff(parts[i].batch_next))
            covers = 0;
    covers = covers || out->batch_complete;
    out->authority = covers ? PP_DAY_FROM_BATCH : PP_DAY_FROM_STREAM;
    out->complete = covers ? out->batch_complete : out->stream_complete;
    if (out->complete) return;
    /* the authority lacks records: name the first gap */
    for (size_t i = 0; i < n; i++) {
        const pp_day_partition *p = &parts[i];
        int64_t next = covers ? p->batch_next : p->stream_next;
        if (holds_all(p, next)) continue;
        int same = out->comparable || (done && eff(p->batch_next) == eff(p->stream_next));
        gap_reason(p, next,
                   same         ? "batch and the stream"
                       : covers ? "batch"
                                : "stream",
                   out->why_incomplete, sizeof out->why_incomplete);
        break;
    }
}

/* Keeps the first reason: "topic geo: <reason>". */
static void keep_reason(char *acc, size_t n, const char *reason, const char *topic) {
    if (acc[0] || !reason[0]) return;
    char tmp[256];
    snprintf(tmp, sizeof tmp, "topic %.40s: %.200s", topic, reason);
    snprintf(acc, n, "%s", tmp);
}

void pp_day_decision_merge(pp_day_decision *acc, const pp_day_decision *d, const char *topic) {
    acc->batch_complete = acc->batch_complete && d->batch_complete;
    acc->stream_complete = acc->stream_complete && d->stream_complete;
    acc->comparable = acc->comparable && d->comparable;
    if (d->authority == PP_DAY_FROM_STREAM) acc->authority = PP_DAY_FROM_STREAM;
    acc->complete = acc->authority == PP_DAY_FROM_BATCH ? acc->batch_complete : acc->stream_complete;
    keep_reason(acc->why_not_comparable, sizeof acc->why_not_comparable, d->why_not_comparable, topic);
    if (!acc->complete) keep_reason(acc->why_incomplete, sizeof acc->why_incomplete, d->why_incomplete, topic);
    if (acc->complete) acc->why_incomplete[0] = '\0';
}
