/* batch_writer — writes rows to Cassandra through one session with bounded
 * concurrency, bounded request sizes, retrying what is safe to retry and replacing
 * what the server refuses for good.
 *
 *   pp_batch_writer_opts o = {.max_inflight = 64, .group_rows = 16,
 *                             .group_bytes = lim.group_bytes, .row_bytes = lim.row_bytes};
 *   pp_batch_writer_create(&w, session, &o);
 *   pp_batch_writer_add(w, 0, insert_stmt, vals, n, err, sizeof err); // ... per row
 *   pp_batch_writer_drain(w, err, sizeof err);                       // all answered
 *
 * Groups: rows are collected per lane into groups of up to group_rows rows AND up
 * to group_bytes bytes (pp_batch_writer_row_bytes: the bound values as encoded, plus
 * a small per-row overhead), each group sent as one UNLOGGED batch (one row: a plain
 * EXECUTE). A row that would take its lane's group over group_bytes first sends the
 * group; a row over group_bytes by itself is sent alone. The byte bound is what keeps
 * a group under the node's max_mutation_size and batch_size_fail_threshold
 * (batch_limits.h derives both numbers from the node). The caller promises that the
 * rows of one lane between two flushes of it belong to ONE partition (e.g. one lane
 * per bucket of the day's pins, one for its rejects): a single-partition batch is one mutation on the
 * server, so grouping saves work without the coordinator cost (and size warnings)
 * of multi-partition batches.
 * At most max_inflight requests are in flight (pp_cql_submit_* / pp_cql_poll);
 * add() waits for an answer when that many are out.
 *
 * Retries: every statement pinpipe sends through a writer carries an explicit
 * write timestamp (USING TIMESTAMP), so sending it twice gives the same table.
 * A request that timed out, lost its connection, or got Unavailable, Overloaded,
 * Is_bootstrapping or Write_timeout is sent again, up to max_attempts tries with a
 * backoff of 100 ms doubling to 2 s.
 *
 * Refusals (pp_batch_writer_refused: the server answered Invalid, e.g. "Rejected an
 * oversized mutation"; or the row is over row_bytes, the largest request the node
 * takes, and is not sent) are permanent and never sent again as they were:
 *  - a refused group is split: its rows are sent again one by one, so only the row
 *    the server refuses stays refused;
 *  - a refused row added with pp_batch_writer_add_or is replaced by its `instead`
 *    row (e.g. a reject naming it), with the refusal's message appended to one of its
 *    text values; stats.refused counts them and the work moves on;
 *  - a refused row without a replacement, a refused replacement, or any other
 *    failure (or the last try failing) is sticky: that call and every later one
 *    return it (err says which statement and how many tries; PP_EREFUSED for a
 *    refusal).
 *
 * Ownership: the writer deep-copies each row's values and its replacement (it may
 * have to send them again) and frees them once answered. The session and prepared
 * statements stay the caller's and must outlive the writer. destroy abandons
 * requests still out (their futures stay with the session, which frees them).
 */
#ifndef PINPIPE_BATCH_WRITER_H
#define PINPIPE_BATCH_WRITER_H

#include <stddef.h>
#include <stdint.h>

#include "cql/cql_session.h"

typedef struct {
    int max_inflight;   /* 1..1024; 0: 64 */
    int group_rows;     /* 1..1000; 0: 1 */
    int max_attempts;   /* 0: 5 */
    size_t group_bytes; /* a group's bytes at most (a row alone may pass it); 0: the
                           fallback of batch_limits.h (44800) */
    size_t row_bytes;   /* a row's bytes at most, larger is refused unsent; 0: the
                           fallback of batch_limits.h (16 MiB - 64 KiB) */
} pp_batch_writer_opts;

typedef struct {
    uint64_t rows;     /* rows answered (stored as asked) */
    uint64_t requests; /* requests answered */
    uint64_t retries;  /* requests sent again after a transient failure */
    uint64_t refused;  /* rows refused for good and replaced by their `instead` */
    uint64_t splits;   /* refused groups sent again row by row */
} pp_batch_writer_stats;

/* The row to write instead of one the server refuses for good: vals[why] is a text
 * (or null) value the refusal's message is appended to. */
typedef struct {
    const pp_cql_prepared *stmt;
    const pp_cql_value *vals;
    size_t n;
    size_t why;
} pp_batch_writer_instead;

typedef struct pp_batch_writer pp_batch_writer;

int pp_batch_writer_create(pp_batch_writer **out, pp_cql_session *s, const pp_batch_writer_opts *o);
void pp_batch_writer_destroy(pp_batch_writer *w);

/* Lanes: each holds at most one group being filled (group_bytes), so memory stays
 * bounded by lanes x group_bytes plus what is in flight. */
#define PP_BATCH_WRITER_LANES 40

/* One row on lane 0..PP_BATCH_WRITER_LANES-1: stmt with n values (copied). */
int pp_batch_writer_add(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals, size_t n,
                        char *err, size_t errlen);
/* The same, with the row to write if this one is refused for good (NULL: none;
 * copied too; sent alone, as a plain EXECUTE). */
int pp_batch_writer_add_or(pp_batch_writer *w, int lane, const pp_cql_prepared *stmt, const pp_cql_value *vals,
                           size_t n, const pp_batch_writer_instead *instead, char *err, size_t errlen);
/* Sends the group a lane is filling (lane < 0: every lane's). */
int pp_batch_writer_flush(pp_batch_writer *w, int lane, char *err, size_t errlen);
/* Flushes every lane, then waits until every request is answered. */
int pp_batch_writer_drain(pp_batch_writer *w, char *err, size_t errlen);

void pp_batch_writer_get_stats(const pp_batch_writer *w, pp_batch_writer_stats *st);

/* The bytes a row counts for against group_bytes and row_bytes: each value as the
 * protocol encodes it ([bytes]: 4-byte length + payload) plus 32 per row (its
 * statement id and counts in a BATCH). */
size_t pp_batch_writer_row_bytes(const pp_cql_value *vals, size_t n);

/* Is this failure worth sending again? rc: a PP_E* code, server_code: the
 * Cassandra error code (pp_cql_session_server_code) when rc is PP_ESERVER. */
int pp_batch_writer_retryable(int rc, int32_t server_code);
/* Did the server refuse the data for good (Invalid, 0x2200: "Rejected an oversized
 * mutation", a value it cannot store)? rc PP_EREFUSED is always a refusal. */
int pp_batch_writer_refused(int rc, int32_t server_code);

#endif
