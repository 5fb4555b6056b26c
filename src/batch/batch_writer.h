/* batch_writer — writes rows to Cassandra through one session with bounded
 * concurrency, retrying what is safe to retry.
 *
 *   pp_batch_writer_opts o = {.max_inflight = 64, .group_rows = 16};
 *   pp_batch_writer_create(&w, session, &o);
 *   pp_batch_writer_add(w, 0, insert_stmt, vals, n, err, sizeof err); // ... per row
 *   pp_batch_writer_drain(w, err, sizeof err);                       // all answered
 *
 * Rows are collected per lane into groups of up to group_rows, each sent as one
 * UNLOGGED batch (group_rows 1: plain EXECUTEs). The caller promises that the rows
 * of one lane between two flushes of it belong to ONE partition (e.g. lane 0 the
 * day's pins, lane 1 its rejects): a single-partition batch is one mutation on the
 * server, so grouping saves work without the coordinator cost (and size warnings)
 * of multi-partition batches.
 * At most max_inflight requests are in flight (pp_cql_submit_* / pp_cql_poll);
 * add() waits for an answer when that many are out.
 *
 * Retries: every statement pinpipe sends through a writer carries an explicit
 * write timestamp (USING TIMESTAMP), so sending it twice gives the same table.
 * A request that timed out, lost its connection, or got Unavailable, Overloaded,
 * Is_bootstrapping or Write_timeout is sent again, up to max_attempts tries with a
 * backoff of 100 ms doubling to 2 s. Any other failure, or the last try failing, is
 * sticky: that call and every later one return it (err says which statement and
 * how many tries).
 *
 * Ownership: the writer deep-copies each row's values (it may have to send them
 * again) and frees them once answered. The session and prepared statements stay
 * the caller's and must outlive the writer. destroy abandons requests still out
 * (their futures stay with the session, which frees them).
 */
#ifndef PINPIPE_BATCH_WRITER_H
#define PINPIPE_BATCH_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"

typedef struct {
    int max_inflight; /* 1..1024; 0: 64 */
    int group_rows;   /* 1..1000; 0: 1 */
    int max_attempts; /* 0: 5 */
} pp_batch_writer_opts;

typedef struct {
    uint64_t rows;     /* rows answered */
    uint64_t requests; /* requests answered */
    uint64_t retries;  /* requests sent again */
} pp_batch_writer_stats;

typedef struct pp_batch_writer pp_batch_writer;

int pp_batch_writer_create(pp_batch_writer **out, pp_cql_session *s, const pp_batch_writer_opts *o);
void pp_batch_writer_destroy(pp_batch_writer *w);

#define PP_BATCH_WRITER_LANES 4

/* One row on lane 0..PP_BATCH_WRITER_LANES-1: stmt with n values (copied). */
int pp_batch_writer_add(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals,
                        size_t n, char *err, size_t errlen);
/* Sends the group a lane is filling (lane < 0: every lane's). */
int pp_batch_writer_flush(pp_batch_writer *w, int lane, char *err, size_t errlen);
/* Flushes every lane, then waits until every request is answered. */
int pp_batch_writer_drain(pp_batch_writer *w, char *err, size_t errlen);

void pp_batch_writer_get_stats(const pp_batch_writer *w, pp_batch_writer_stats *st);

/* Is this failure worth sending again? rc: a PP_E* code, server_code: the
 * Cassandra error code (pp_cql_session_server_code) when rc is PP_ESERVER. */
int pp_batch_writer_retryable(int rc, int32_t server_code);

#endif
