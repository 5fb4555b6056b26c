/* day_rule — THE rule that decides, for one event day, whether each store holds
 * every record Kafka has, whether parity may compare the two, and which store
 * answers for the day (pp_day_decide). Parity uses it; a serving layer must use it
 * too, so the two never disagree about a day.
 *
 * Inputs are facts read elsewhere (parity_load.h): Kafka's partitions of the topic
 * and their watermarks NOW, the state of the day's newest batch run and its lake
 * coverage, and the stream's stored offsets. Every partition Kafka has is in the
 * list, also one that neither store has heard of (a partition added to the topic):
 * a store that has no offset for a partition has read nothing of it.
 *
 * A record carries its own event time, so a record a store has not read may belong
 * to ANY day: a store is complete for a day only when it has read every partition up
 * to Kafka's high watermark (records deleted by retention before being read count as
 * unread: the low watermark is above what the store read).
 *
 *   batch complete   the newest run is 'done' (with lake coverage) and, for every
 *                    partition, its coverage equals the high watermark and it read
 *                    nothing beyond its coverage
 *   stream complete  for every partition, the stream's next offset equals the high
 *                    watermark
 *   comparable       the newest run is 'done' with coverage, and for every partition
 *                    the stream's next offset equals the batch's coverage (none: 0)
 *                    and the batch read nothing beyond it: both hold the same prefix
 *   authority        the batch when it covers the stream: the newest run is 'done'
 *                    with coverage, and for every partition its coverage is at least
 *                    the stream's next offset and it read nothing beyond its coverage
 *                    (a complete batch always covers); else the stream. DESIGN's
 *                    "batch where it is complete, stream otherwise": the batch is at
 *                    least as complete as the stream. The serving layer (serve/) and
 *                    parity both use it, so they never disagree about a day.
 *   complete         the authority is complete: the day's answer is final (for the
 *                    records Kafka has now)
 *
 * A pure function: no I/O, no clock.
 */
#ifndef PINPIPE_PARITY_DAY_RULE_H
#define PINPIPE_PARITY_DAY_RULE_H

#include <stddef.h>
#include <stdint.h>

/* One partition as Kafka and the two stores see it. Offsets are "next offset to
 * read"; -1 means the source has none. */
typedef struct {
    int32_t partition;
    int64_t low, high;   /* Kafka's watermarks now; -1: Kafka does not have the partition */
    int64_t batch_next;  /* the newest run's lake coverage */
    int64_t batch_read;  /* the offset after the highest one the batch read */
    int64_t stream_next; /* the stream's stored offset */
} pp_day_partition;

/* The newest batch run of the day (parity_runs.h chooses it). */
typedef enum {
    PP_DAY_RUN_NONE,             /* no finished run */
    PP_DAY_RUN_DONE,             /* done, with lake coverage */
    PP_DAY_RUN_NO_COVERAGE,      /* done, but recorded without coverage (--no-coverage) */
    PP_DAY_RUN_RUNNING,          /* started, not ended yet: the tables are partial */
    PP_DAY_RUN_ABANDONED,        /* 'running' for longer than the run timeout: presumed dead */
    PP_DAY_RUN_FAILED,           /* ended with an error: the tables are partial */
    PP_DAY_RUN_FINALIZE_PENDING, /* a shard run is newer than the day's finalize: metrics are stale */
} pp_day_run;

typedef enum { PP_DAY_FROM_BATCH, PP_DAY_FROM_STREAM } pp_day_source;

typedef struct {
    int batch_complete, stream_complete, comparable, complete;
    pp_day_source authority;
    char why_not_comparable[256]; /* empty when comparable */
    char why_incomplete[256];     /* empty when complete: what the authority lacks */
} pp_day_decision;

/* Decides for one day. run_note (may be NULL) is appended to the reason a run state
 * gives (e.g. "started on host h"). */
void pp_day_decide(pp_day_run run, const char *run_note, const pp_day_partition *parts, size_t n, pp_day_decision *out);

/* A day over several topics (pins, geo, users: docs/joins.md) is decided per topic,
 * then merged into *acc (which holds the first topic's decision): each store is
 * complete only when complete on every topic, the day is comparable only when it is
 * on every topic, the batch answers only when it does for every topic, and the first
 * reason found is kept, prefixed with its topic. */
void pp_day_decision_merge(pp_day_decision *acc, const pp_day_decision *d, const char *topic);

#endif
