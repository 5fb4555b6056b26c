/* batch_spool — the records of one day's lake objects, in bounded memory, put in
 * Kafka order with repeats of the same coordinates removed.
 *
 * The raw event bytes go to an unlinked temporary file (in $TMPDIR, else /tmp); a
 * small index entry per record (56 bytes) stays in memory. pp_batch_spool_seal then
 * sorts the index by (topic, partition, offset) — the order of each partition in
 * Kafka — and keeps the FIRST record read of each coordinate: the lake may hold a
 * record twice after a lake-writer crash (an object re-written with other bounds),
 * and both copies are the same Kafka record. Copies whose bytes differ (the lake is
 * damaged) are counted apart. After sealing, the file is mapped read-only and each
 * record's bytes are read in place.
 *
 * Ownership: the spool owns its file, its map, its index and its topic names.
 */
#ifndef PINPIPE_BATCH_SPOOL_H
#define PINPIPE_BATCH_SPOOL_H

#include <stddef.h>
#include <stdint.h>

#include "event/kind.h"

typedef struct {
    int64_t offset;
    int64_t ingest_time_ms; /* -1: unknown */
    uint64_t at;            /* where its bytes start in the spool file */
    uint32_t len;           /* how many */
    int32_t partition;
    uint32_t topic;  /* pp_batch_spool_topic(); after sealing topics are in name order */
    uint32_t object; /* the caller's number for the object it came from */
    uint32_t line;   /* its line in that object (1-based) */
    uint32_t seq;    /* arrival order */
    uint8_t kind;    /* pp_kind: the lake line's "kind" */
} pp_batch_rec;

typedef struct pp_batch_spool pp_batch_spool;

int pp_batch_spool_create(pp_batch_spool **out, char *err, size_t errlen);
void pp_batch_spool_destroy(pp_batch_spool *s);

/* Adds one record (before sealing). PP_EIO when the temporary file cannot be
 * written (disk full), PP_EINVAL for a record over 4 GiB or over 2^32 records. */
int pp_batch_spool_add(pp_batch_spool *s, const char *topic, pp_kind kind, int32_t partition, int64_t offset,
                       int64_t ingest_time_ms, uint32_t object, uint32_t line, const void *raw, size_t len, char *err,
                       size_t errlen);

/* Undoing the records added since a mark (an object read again after a failure). */
typedef struct {
    size_t n;
    uint64_t size;
} pp_batch_spool_mark;
pp_batch_spool_mark pp_batch_spool_get_mark(const pp_batch_spool *s);
int pp_batch_spool_rewind(pp_batch_spool *s, pp_batch_spool_mark m);

typedef struct {
    uint64_t added;      /* records added */
    uint64_t duplicates; /* dropped: a record with the same coordinates came first */
    uint64_t conflicts;  /* of those, copies whose bytes differ from the kept one */
} pp_batch_spool_stats;

/* Sorts, removes repeated coordinates, maps the file. Once. */
int pp_batch_spool_seal(pp_batch_spool *s, pp_batch_spool_stats *stats, char *err, size_t errlen);

/* After sealing: the records in Kafka order. */
size_t pp_batch_spool_count(const pp_batch_spool *s);
const pp_batch_rec *pp_batch_spool_rec(const pp_batch_spool *s, size_t i);
const char *pp_batch_spool_bytes(const pp_batch_spool *s, const pp_batch_rec *r);
const char *pp_batch_spool_topic(const pp_batch_spool *s, uint32_t topic);
size_t pp_batch_spool_topics(const pp_batch_spool *s);

#endif
