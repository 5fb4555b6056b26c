/* lake_writer — Kafka records into lake objects, and the offsets safe to commit.
 *
 * The writer holds no connection: the daemon (lake.h) feeds it the messages of the
 * partitions it was assigned, and it stores objects through a put function (S3 in
 * production, memory in the tests). Each record goes into the open object of its
 * (partition, event day) — lake_day.h decides the day with the shared cleaning
 * engine — as one line (contract/lake_record.h). An object is stored whole, with one put, when
 * it is due (lake_rotate.h) or when the caller drains; its name comes from its
 * first record's coordinates (contract/lake_name.h). A failed put leaves the object open and
 * intact, to be tried again.
 *
 * Upload threads (opts.uploads > 0): a due object is sealed (later records of its day
 * open a new object) and handed to a free thread; when every thread is busy it waits
 * sealed for a later flush, flush itself waiting for a thread only once the waiting
 * objects pass uploads x limits.max_bytes bytes (or for FLUSH_ALL); uploads run while
 * the caller consumes. Each flush first takes in
 * the uploads that finished: a stored object is forgotten, a failed one stays sealed
 * and is handed over again by a later flush (flush returns the failure, so the
 * caller waits before that). FLUSH_ALL returns once every upload of the partitions
 * asked for is answered; release waits for the partition's uploads. Memory: the open
 * objects plus at most `uploads` sealed ones in flight, uploads x max_bytes of sealed
 * ones waiting (and any that failed), plus the spare buffers (lake_spares.h).
 *
 * Commits: pp_lake_writer_commits lists, per partition, the offset below which
 * every consumed record is in a stored object (lake_commit.h), when it moved past
 * what was committed. Nothing is ever committable that is not stored.
 *
 * Threads: one (the consumer's). Ownership: the writer owns its partitions, their
 * open objects (copies of the records) and a copy of the prefix.
 */
#ifndef PINPIPE_LAKE_WRITER_H
#define PINPIPE_LAKE_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "clean/clean.h"
#include "kafka/kafka_types.h"
#include "lake/lake_rotate.h"
#include "lake/lake_stats.h"

typedef struct pp_lake_writer pp_lake_writer;

/* Stores data[0..len) as the object `key`, whole; 0 or a PP_E* code with err. */
typedef int (*pp_lake_put_fn)(void *ud, const char *key, const void *data, size_t len, char *err, size_t errlen);

typedef struct {
    const char *prefix; /* key prefix, e.g. "raw/" (contract/lake_name.h) */
    int gzip;           /* 1: objects are .jsonl.gz */
    pp_lake_limits limits;
    pp_clean_opts clean; /* how events are cleaned to find their day */
    pp_lake_put_fn put;
    void *put_ud;
    int uploads;          /* objects stored at once by upload threads (lake_upload.h), thread i
                              calling put with put_uds[i]; 0: flush stores them itself, with put_ud */
    void *const *put_uds; /* uploads of them */
    pp_lake_stats *stats; /* may be NULL */
} pp_lake_writer_opts;

int pp_lake_writer_create(pp_lake_writer **out, const pp_lake_writer_opts *o, char *err, size_t errlen);
/* Drops whatever is still open. NULL is fine. */
void pp_lake_writer_destroy(pp_lake_writer *w);

/* The partition is now ours, starting afresh (an old state of it is dropped). */
void pp_lake_writer_assign(pp_lake_writer *w, const char *topic, int32_t partition);
/* The partition is no longer ours: its open objects are dropped unstored. Returns
 * the number of records dropped. */
size_t pp_lake_writer_release(pp_lake_writer *w, const char *topic, int32_t partition);
int pp_lake_writer_owns(const pp_lake_writer *w, const char *topic, int32_t partition);

/* Buffers m (now_mono_ms: the caller's monotonic clock). Returns 1 when its object is
 * now due (call pp_lake_writer_flush before adding more), 0 otherwise. A message
 * of a partition not assigned, or at an offset below one already taken, is skipped
 * (counted in stats->skipped). */
int pp_lake_writer_add(pp_lake_writer *w, const pp_kafka_message *m, int64_t now_mono_ms);

typedef enum {
    PP_LAKE_FLUSH_DUE, /* the objects that are due at now_mono_ms */
    PP_LAKE_FLUSH_ALL  /* every open object (drain) */
} pp_lake_flush_mode;

/* Stores objects of every partition (topic == NULL) or of one. Stops at the first
 * failed put and returns its code: that object stays open, the ones stored before
 * it are closed. With upload threads: hands the due objects over (see above). */
int pp_lake_writer_flush(pp_lake_writer *w, pp_lake_flush_mode mode, const char *topic, int32_t partition,
                         int64_t now_mono_ms, char *err, size_t errlen);

/* The commits owed, of every partition (topic == NULL) or of one: (topic,
 * partition, offset) where the committable offset passed the committed one. *out
 * points into the writer, valid until its next call. Returns their number. */
size_t pp_lake_writer_commits(pp_lake_writer *w, const char *topic, int32_t partition, const pp_kafka_partition **out);
/* Call after those offsets were committed. */
void pp_lake_writer_committed(pp_lake_writer *w, const pp_kafka_partition *c, size_t n);

/* ms until the next object is due by age (0: now), or -1 when nothing is open. */
int64_t pp_lake_writer_next_due(const pp_lake_writer *w, int64_t now_mono_ms);
size_t pp_lake_writer_open_objects(const pp_lake_writer *w);
size_t pp_lake_writer_open_records(const pp_lake_writer *w);

#endif
