/* cql_stream — stream ids of one connection (spec 2.3): each request in flight
 * holds a distinct non-negative id until its response arrives (or it is abandoned
 * and its late response has been drained).
 *
 * Allocation is lowest-free-first, so ids are reused as soon as they are released
 * and stay small. The allocator owns its bitmap (init/free).
 */
#ifndef PINPIPE_CQL_STREAM_H
#define PINPIPE_CQL_STREAM_H

#include <stdint.h>

/* Protocol v4 allows ids 0..32767. */
#define PP_CQL_MAX_STREAMS 32768

typedef struct {
    uint64_t *bits;
    int max;  /* ids are 0..max-1 */
    int used; /* how many are held */
} pp_cql_streams;

/* max in 1..PP_CQL_MAX_STREAMS; 0, PP_EINVAL or PP_ENOMEM. */
int pp_cql_streams_init(pp_cql_streams *s, int max);
void pp_cql_streams_free(pp_cql_streams *s);
/* The lowest free id, now held; -1 when every id is held. */
int pp_cql_streams_alloc(pp_cql_streams *s);
/* Releases a held id; PP_EINVAL if it is out of range or not held. */
int pp_cql_streams_release(pp_cql_streams *s, int id);
int pp_cql_streams_held(const pp_cql_streams *s, int id);

#endif
