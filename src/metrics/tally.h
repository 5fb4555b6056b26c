/* tally — clean, de-duplicate and aggregate: the offline and batch pipeline step.
 *
 * One tally owns a dedup set and an aggregate table. Feeding it raw events (in
 * Kafka offset order within a partition) cleans each with the shared engine,
 * counts each new (event day, unique_id) pin's metrics once, and counts each
 * reject. The stream does the same with PostgreSQL holding the dedup set.
 *
 * A counts-only tally (pp_tally_init_counts, for `pinpipe clean`, which prints
 * every cleaned pin and no metric) keeps neither: it counts records, cleaned,
 * rejected and rule firings in memory that does not grow with the input, and
 * leaves duplicates at 0 (repeats are not looked for).
 */
#ifndef PINPIPE_TALLY_H
#define PINPIPE_TALLY_H

#include <stdint.h>

#include "clean/clean.h"
#include "clean/rules.h"
#include "metrics/aggregate.h"
#include "metrics/dedup.h"

typedef struct pp_join_set pp_join_set;

typedef struct {
    pp_clean_opts opts;
    pp_dedup *dedup;     /* NULL in a counts-only tally */
    pp_agg *agg;         /* NULL in a counts-only tally */
    pp_dedup *sides;     /* (kind, event day, ind) of geo and user events counted */
    pp_join_set *join;   /* the posts, when the join is on (pp_tally_enable_join) */
    uint64_t records;    /* events seen */
    uint64_t cleaned;    /* events cleaned (repeats included) */
    uint64_t duplicates; /* cleaned events whose (day, unique_id) was already counted */
    uint64_t rejected;
    uint64_t fired[64]; /* per rule: pins it changed */
} pp_tally;

void pp_tally_init(pp_tally *t, const pp_clean_opts *opts);
/* A tally without dedup set and metrics (see above): every pin counts as NEW. */
void pp_tally_init_counts(pp_tally *t, const pp_clean_opts *opts);
void pp_tally_free(pp_tally *t);

typedef enum { PP_TALLY_NEW = 0, PP_TALLY_DUPLICATE = 1, PP_TALLY_REJECTED = 2 } pp_tally_result;

/* Cleans buf and counts it. pin/rej are filled as pp_clean fills them (the
 * caller clears pin when the result is not REJECTED). */
pp_tally_result pp_tally_raw(pp_tally *t, const char *buf, size_t len, int64_t ingest_time_ms, pp_pin *pin,
                             pp_reject *rej);
/* Counts an already-cleaned pin (new or duplicate). */
pp_tally_result pp_tally_pin(pp_tally *t, const pp_pin *pin);
/* Cleans buf as an event of kind and counts it (geo and user: first occurrence per
 * (kind, event day, ind)). rec/rej as pp_clean_record fills them (the caller clears
 * rec when the result is not REJECTED). */
pp_tally_result pp_tally_record(pp_tally *t, pp_kind kind, const char *buf, size_t len, int64_t ingest_time_ms,
                                pp_record *rec, pp_reject *rej);
/* Counts an already-cleaned record of any kind (new or duplicate). */
pp_tally_result pp_tally_cleaned(pp_tally *t, const pp_record *rec);

/* The join (docs/joins.md): every counted side also joins its post from now on;
 * pp_tally_finish_join adds the join's metrics to the table, once, after the last
 * record. A tally with the join off never emits join metrics. */
void pp_tally_enable_join(pp_tally *t);
void pp_tally_finish_join(pp_tally *t);

/* Counts a reject that never reached the cleaner (e.g. a line over the limit). */
void pp_tally_reject(pp_tally *t, const pp_reject *rej);

#endif
