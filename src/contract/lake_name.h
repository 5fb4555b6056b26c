/* lake_name — the names of lake objects, made from Kafka coordinates.
 *
 *   PREFIX "dt=" DAY "/" TOPIC "-" PARTITION "-" FIRST_OFFSET ".jsonl" [".gz"]
 *   raw/dt=2026-01-02/pins-0003-00000000000000012345.jsonl
 *
 * PARTITION is zero-padded to 4 digits and FIRST_OFFSET to 20, so a plain listing
 * (S3 lists keys in byte order) shows a day's objects by partition, then by offset.
 * The name is a function of (topic, partition, first offset, event day) only: a
 * re-upload of the same object after a crash overwrites it instead of adding a copy.
 * The topic is part of the name so two topics sharing a prefix never collide (for
 * the default topic `pins` the names are exactly the contract's pins-P-O).
 *
 * A PREFIX that is not empty and does not end in '/' gets one ("raw" -> "raw/").
 * Nothing here allocates; the caller owns every buffer.
 */
#ifndef PINPIPE_CONTRACT_LAKE_NAME_H
#define PINPIPE_CONTRACT_LAKE_NAME_H

#include <stddef.h>
#include <stdint.h>

#define PP_LAKE_KEY_MAX 1024

typedef struct {
    char day[11]; /* YYYY-MM-DD */
    char topic[256];
    int32_t partition;    /* >= 0 */
    int64_t first_offset; /* >= 0 */
    int gzip;             /* 1: ".jsonl.gz" */
} pp_lake_key;

/* Writes the object key of k under prefix into out (NUL-terminated). PP_EINVAL when
 * k is not a valid coordinate (bad day, empty topic or one with '/', negative
 * numbers) or the key does not fit in outlen. */
int pp_lake_key_format(char *out, size_t outlen, const char *prefix, const pp_lake_key *k, char *err, size_t errlen);

/* Reads a key back: anything before the last "dt=DAY/" is the prefix (ignored). PP_OK
 * and *k filled, or PP_EINVAL when key is not the name of a lake object. Accepts
 * unpadded numbers too. */
int pp_lake_key_parse(const char *key, pp_lake_key *k);

#endif
