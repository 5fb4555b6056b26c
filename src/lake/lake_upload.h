/* lake_upload — lake objects stored by background threads, so the consumer keeps
 * reading while objects upload (and gzip).
 *
 *   pp_lake_uploads *u;
 *   pp_lake_uploads_create(&u, 2, put, uds, gzip);   // uds[i]: put's ud in thread i
 *   pp_lake_uploads_submit(u, id, key, data, len);    // PP_EBUSY: every thread busy
 *   pp_lake_upload_done d;
 *   while (pp_lake_uploads_reap(u, 0, &d)) ...;       // finished uploads, any order
 *   pp_lake_uploads_destroy(u);                        // waits for running uploads
 *
 * A submitted job reads data[0..len) until it is reaped: the caller keeps the bytes
 * unchanged and alive until then. Each thread gzips (when asked) into its own
 * buffer and calls put with its own ud, so put need only be safe for different uds
 * at once (one S3 client each). The outcome is only ever seen by the caller
 * through reap; what to do with a failure (keep the object, try again) is the
 * caller's.
 *
 * Threads: create, submit, reap and destroy from one thread (the consumer's).
 */
#ifndef PINPIPE_LAKE_UPLOAD_H
#define PINPIPE_LAKE_UPLOAD_H

#include <stddef.h>
#include <stdint.h>

#include "lake/lake_writer.h"

#define PP_LAKE_UPLOADS_MAX 16

typedef struct pp_lake_uploads pp_lake_uploads;

typedef struct {
    uint64_t id;   /* the caller's, from submit */
    int rc;        /* 0 stored, else the PP_E* of the put (or the gzip) */
    size_t stored; /* bytes stored (after gzip) */
    char err[512];
} pp_lake_upload_done;

/* n threads (1..PP_LAKE_UPLOADS_MAX); uds[0..n). */
int pp_lake_uploads_create(pp_lake_uploads **out, int n, pp_lake_put_fn put, void *const *uds, int gzip, char *err,
                           size_t errlen);
void pp_lake_uploads_destroy(pp_lake_uploads *u);

/* Hands key's bytes to an idle thread (key is copied); PP_EBUSY when none is idle. */
int pp_lake_uploads_submit(pp_lake_uploads *u, uint64_t id, const char *key, const void *data, size_t len);
/* One finished upload into *out (1), else 0: at once, or with wait after one
 * finishes (0 too when nothing is running). */
int pp_lake_uploads_reap(pp_lake_uploads *u, int wait, pp_lake_upload_done *out);
/* Uploads submitted and not yet reaped. */
int pp_lake_uploads_busy(const pp_lake_uploads *u);

#endif
