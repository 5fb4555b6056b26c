/* batch_object — the bytes of one lake object, as they arrive, cut into lines.
 *
 * Feed it the object in pieces (an S3 GET's sink): it gunzips when the object is
 * .gz (zlib inflate, gzip framing, concatenated members too), splits on '\n' (a
 * '\r' before it is dropped), and calls fn once per non-empty line with its 1-based
 * number (empty lines count in the numbering, so numbers match the object's lines).
 * A last line without '\n' is a line. A line longer than max_line is not kept:
 * fn gets line == NULL and its length, so it costs no more memory than the limit.
 *
 * Errors: a corrupt gzip stream, or one that ends early (a truncated object), is
 * PP_EPROTO with err naming the problem; a non-zero return of fn stops the feed and
 * is returned as it is.
 *
 * Ownership: the line passed to fn is valid during the call only. The object owns
 * its buffers; nothing else.
 */
#ifndef PINPIPE_BATCH_OBJECT_H
#define PINPIPE_BATCH_OBJECT_H

#include <stddef.h>
#include <stdint.h>

typedef int (*pp_batch_line_fn)(void *ud, const char *line, size_t len, size_t lineno);

typedef struct pp_batch_object pp_batch_object;

int pp_batch_object_create(pp_batch_object **out, int gzip, size_t max_line, pp_batch_line_fn fn, void *ud);
void pp_batch_object_destroy(pp_batch_object *o);

int pp_batch_object_feed(pp_batch_object *o, const void *data, size_t n, char *err, size_t errlen);
/* The end of the object: delivers a last unterminated line, checks the gzip stream
 * ended. */
int pp_batch_object_finish(pp_batch_object *o, char *err, size_t errlen);

/* Bytes after gunzip so far. */
uint64_t pp_batch_object_bytes(const pp_batch_object *o);

#endif
