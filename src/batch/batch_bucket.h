/* batch_bucket — which partition of a day a pin goes to in Cassandra.
 *
 * The pins table is keyed ((event_day, bucket), unique_id): a day's pins spread over
 * PP_PINS_BUCKETS partitions, so the node's memtable updates for one day run on all
 * its cores instead of contending on one wide partition (docs/batch.md "Buckets").
 *
 *   bucket = FNV-1a 32 (offset basis 2166136261, prime 16777619) of the unique_id's
 *            bytes as stored, modulo PP_PINS_BUCKETS
 *
 * The function and N are part of the schema: a row's bucket is where it IS, so a
 * reader of one pin computes it, a reader of a day reads buckets 0..N-1. Changing
 * either needs a new pins table (re-run the days from the lake).
 */
#ifndef PINPIPE_BATCH_BUCKET_H
#define PINPIPE_BATCH_BUCKET_H

#include <stdint.h>

#define PP_PINS_BUCKETS 32

/* The bucket (0..PP_PINS_BUCKETS-1) of a unique_id (NULL: as ""). */
int32_t pp_pins_bucket(const char *unique_id);

#endif
