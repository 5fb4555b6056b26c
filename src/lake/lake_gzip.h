/* lake_gzip — a whole lake object compressed as one gzip member (RFC 1952, zlib),
 * so `gzip -dc`, Python's gzip module and zlib's inflate (windowBits 15+16) read it.
 */
#ifndef PINPIPE_LAKE_GZIP_H
#define PINPIPE_LAKE_GZIP_H

#include <stddef.h>

#include "common/strbuf.h"

/* Replaces out's contents with the gzip of in[0..len). PP_OK, or PP_EIO with err. */
int pp_lake_gzip(const void *in, size_t len, pp_strbuf *out, char *err, size_t errlen);

#endif
