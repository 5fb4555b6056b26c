/* lake_partition — what the lake writer holds for one assigned Kafka partition:
 * its open objects (one per event day being filled, not yet stored) and where it
 * stands (next offset to consume, last offset committed).
 *
 * Ownership: a partition owns its open objects and their bytes;
 * pp_lake_partition_free drops them (nothing is stored).
 */
#ifndef PINPIPE_LAKE_PARTITION_H
#define PINPIPE_LAKE_PARTITION_H

#include <stddef.h>
#include <stdint.h>

#include "common/strbuf.h"

/* One open lake object: the JSON lines of consecutive records (in offset order) of
 * one partition and one event day. A sealed one takes no more records: it is due
 * and being stored (or waits to be tried again); until it is stored it stays here,
 * so the partition's committable offset stays below it. */
typedef struct {
    char day[11];
    int64_t first_offset; /* names the object */
    int64_t last_offset;
    size_t records;
    int64_t opened_ms; /* when its first record arrived (the caller's clock) */
    pp_strbuf data;
    int sealed;   /* no more records (lake_writer.c) */
    int why;      /* pp_lake_reason it was sealed for */
    uint64_t job; /* its upload in flight (lake_upload.h), 0: none */
    int stored;   /* stored, to be forgotten */
} pp_lake_object;

typedef struct {
    char topic[256];
    int32_t partition;
    int64_t next_offset;  /* last consumed offset + 1; -1 before the first message */
    int64_t committed;    /* offset last committed (at first: the first one consumed,
                             which the group already had); -1 before that */
    pp_lake_object *open; /* open[0..n_open) */
    size_t n_open, cap_open;
} pp_lake_partition;

void pp_lake_partition_init(pp_lake_partition *p, const char *topic, int32_t partition);
/* Drops every open object. */
void pp_lake_partition_free(pp_lake_partition *p);

/* The open, unsealed object of `day`, opened at now_mono_ms (empty, first_offset =
 * offset) when there is none. */
pp_lake_object *pp_lake_partition_object(pp_lake_partition *p, const char *day, int64_t offset, int64_t now_mono_ms);
/* Forgets open[i] (stored, or dropped); the order of the others may change. */
void pp_lake_partition_close(pp_lake_partition *p, size_t i);

/* pp_lake_committable of the partition (lake_commit.h). */
int64_t pp_lake_partition_committable(const pp_lake_partition *p);
/* Records and bytes in the open objects. */
size_t pp_lake_partition_open_records(const pp_lake_partition *p);
size_t pp_lake_partition_open_bytes(const pp_lake_partition *p);

#endif
