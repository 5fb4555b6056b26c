/* batch_load — one day of the lake, read into a spool.
 *
 * Lists every object under PREFIX "dt=" DAY "/" (following continuation tokens),
 * keeps the names that are lake objects of that day (contract/lake_name.h; anything else
 * is logged and skipped), orders them by (topic, partition, first offset) and reads
 * each with a streamed GET (gunzipped when .gz), one line at a time, into the spool.
 *
 * A line that cannot be read — not JSON, missing or bad coordinates, no raw bytes,
 * over max_line, or with a topic/partition other than its object's name says, or an
 * offset below the object's first — is a corrupt line: it is kept in the load's
 * list (object, line number, why, its first bytes) and does not stop the day.
 * An object that cannot be read (S3 error, corrupt or truncated gzip) is tried
 * again from its start (up to 3 times), then fails the load with a message naming
 * it.
 *
 * Ownership: the load owns its object names and corrupt-line list; the spool is the
 * caller's (pp_batch_load_day adds to it).
 */
#ifndef PINPIPE_BATCH_LOAD_H
#define PINPIPE_BATCH_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "batch/batch_shard.h"
#include "batch/batch_spool.h"
#include "contract/lake_name.h"
#include "s3/s3_client.h"

#define PP_BATCH_CORRUPT_KEEP 4096 /* bytes of a corrupt line kept for the rejects table */

typedef struct {
    char *key;
    pp_lake_key name;
    long long size;
} pp_batch_object_ref;

typedef struct {
    uint32_t object;
    uint32_t line;
    char why[256];
    char *bytes; /* its first PP_BATCH_CORRUPT_KEEP bytes (NULL when over max_line) */
    size_t len;
} pp_batch_corrupt;

typedef struct {
    pp_batch_object_ref *objects;
    size_t nobjects;
    pp_batch_corrupt *corrupt;
    size_t ncorrupt;
    uint64_t bytes;     /* object bytes as stored */
    uint64_t raw_bytes; /* after gunzip */
    uint64_t lines;     /* non-empty lines read */
    uint64_t skipped;   /* keys under the day's prefix that are not lake objects of it */
} pp_batch_load;

/* The listing prefix of a day: prefix (with a '/' added when missing) "dt=" day "/". */
int pp_batch_day_prefix(char *out, size_t outlen, const char *prefix, const char *day);

/* shard: NULL or not sharded reads every object of the day; else only those of the
 * partitions it owns (batch_shard.h; the others are not counted anywhere). */
int pp_batch_load_day(s3_client *s3, const char *prefix, const char *day, const pp_batch_shard *shard, size_t max_line,
                      pp_batch_spool *spool, pp_batch_load *out, char *err, size_t errlen);

/* Lists the day's lake objects only: *objects and *bytes as pp_batch_load_day would
 * count them for the whole day (the sizes as stored). */
int pp_batch_lake_size(s3_client *s3, const char *prefix, const char *day, uint64_t *objects, uint64_t *bytes,
                       char *err, size_t errlen);
void pp_batch_load_free(pp_batch_load *l);

#endif
