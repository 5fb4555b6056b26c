/* s3_client — pinpipe's S3 client (libcurl + SigV4), path-style: ENDPOINT/BUCKET/KEY.
 *
 * Works against versitygw (the tests), MinIO and AWS S3 (endpoint
 * https://s3.<region>.amazonaws.com, region set to match); see docs/clients-s3.md.
 *
 *   s3_config cfg; s3_config_defaults(&cfg); s3_config_from_env(&cfg);
 *   s3_client *c; if (s3_client_create(&cfg, &c, err, sizeof err)) ...;
 *   s3_put_buffer(c, "raw/dt=2024-01-01/pins-0-0.jsonl", data, len, NULL, err, sizeof err);
 *   s3_client_destroy(c);
 *
 * Every call returns 0 or a negative PP_E* code and fills err (see s3_transport.h for
 * the codes and the retry policy). A missing object is PP_ENOTFOUND. A 4xx reads
 * "S3 PUT bucket/key: 403 SignatureDoesNotMatch: <the server's message>".
 *
 * Keys are UTF-8 strings used verbatim: every byte but A-Z a-z 0-9 - . _ ~ / is
 * percent-encoded on the wire, so keys with spaces, '=', '+', '%' or unicode are fine.
 *
 * Thread-safety: one client per thread (a client owns one curl handle and its
 * connections). Clients share nothing, so any number may run in parallel.
 *
 * Ownership: the client copies the config's strings. Pages and buffers returned to
 * the caller are the caller's (free as documented per call).
 */
#ifndef PINPIPE_S3_CLIENT_H
#define PINPIPE_S3_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include "s3/s3_config.h"
#include "s3/s3_transport.h"
#include "s3/s3_xml.h"

typedef struct s3_client s3_client;

int s3_client_create(const s3_config *cfg, s3_client **out, char *err, size_t errlen);
void s3_client_destroy(s3_client *c);
/* The bucket every call below uses ("" when none was configured). */
const char *s3_client_bucket(const s3_client *c);

/* Creates the bucket. Idempotent: a bucket we already own (BucketAlreadyOwnedByYou)
 * is success. Outside us-east-1 it sends the LocationConstraint AWS wants. */
int s3_create_bucket(s3_client *c, char *err, size_t errlen);

/* Stores len bytes from memory; the payload's SHA-256 is signed. content_type may be
 * NULL (no header; servers default to binary/octet-stream). */
int s3_put_buffer(s3_client *c, const char *key, const void *data, size_t len, const char *content_type, char *err,
                  size_t errlen);

/* Streams `size` bytes of f, from its current position, as one PUT (S3 needs the
 * size up front: spool a pipe into a temporary file first). The payload hash sent is
 * UNSIGNED-PAYLOAD unless PINPIPE_S3_SIGN_STREAMS=1 and f is seekable (then an extra
 * read pass hashes it). Retried only if f is seekable. f stays open (caller's). */
int s3_put_stream(s3_client *c, const char *key, FILE *f, long long size, const char *content_type, char *err,
                  size_t errlen);
/* s3_put_stream of a whole file by path. */
int s3_put_file(s3_client *c, const char *key, const char *path, const char *content_type, char *err, size_t errlen);

/* Streams the object to sink in pieces, never holding it whole; meta may be NULL.
 * A failure after the first byte reached the sink is not retried (the caller would
 * see bytes twice): the call fails and the caller starts over. */
int s3_get(s3_client *c, const char *key, s3_sink_fn sink, void *ud, s3_object_meta *meta, char *err, size_t errlen);
/* s3_get into an open FILE* (written at its position; not flushed or closed). */
int s3_get_to_file(s3_client *c, const char *key, FILE *out, s3_object_meta *meta, char *err, size_t errlen);
/* s3_get into memory, only when asked: fails with PP_EPROTO if the object is larger
 * than max_bytes. *data (NUL-terminated, caller frees) and *len on success. */
int s3_get_to_buffer(s3_client *c, const char *key, size_t max_bytes, char **data, size_t *len, char *err,
                     size_t errlen);

/* Size, ETag, Last-Modified and Content-Type; PP_ENOTFOUND when the key is absent. */
int s3_head(s3_client *c, const char *key, s3_object_meta *meta, char *err, size_t errlen);

/* Deletes the object; deleting an absent key is success (S3 semantics). */
int s3_delete(s3_client *c, const char *key, char *err, size_t errlen);

typedef struct {
    const char *prefix;      /* NULL or "": every key */
    const char *delimiter;   /* NULL: flat listing; "/": directories as common_prefixes */
    int max_keys;            /* page size; 0: the server's default (1000) */
    const char *start_after; /* NULL: from the first key */
} s3_list_opts;

/* One ListObjectsV2 page; token is NULL for the first page, else the previous page's
 * next_token. The caller frees *page with s3_list_page_free. */
int s3_list_page_get(s3_client *c, const s3_list_opts *opts, const char *token, s3_list_page *page, char *err,
                     size_t errlen);

/* Called per key (and per common prefix, with entry->size == -1 and only key set),
 * in server order. Return 0 to go on, anything else to stop the listing (returned). */
typedef int (*s3_list_fn)(void *ud, const s3_list_entry *entry);

/* Every page, following continuation tokens until IsTruncated is false. */
int s3_list_all(s3_client *c, const s3_list_opts *opts, s3_list_fn fn, void *ud, char *err, size_t errlen);

#endif
