/* lake_commit — which offset of a partition the lake writer may commit.
 *
 * The rule: commit X only when every message of the partition below X is in a
 * stored object. A partition has one open (unstored) object per event day it is
 * currently filling, each starting at its first offset; everything consumed below
 * the smallest of those is stored. With no open object, everything consumed is
 * stored, so the offset after the last consumed message is committable.
 */
#ifndef PINPIPE_LAKE_COMMIT_H
#define PINPIPE_LAKE_COMMIT_H

#include <stddef.h>
#include <stdint.h>

/* open_first[0..n): first offsets of the partition's open objects; next: the last
 * consumed offset + 1, or -1 when nothing was consumed. Returns the committable
 * offset, or -1 when there is none. */
int64_t pp_lake_committable(const int64_t *open_first, size_t n, int64_t next);

#endif
