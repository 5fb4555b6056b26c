#include "lake/lake_gzip.h"

#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <zlib.h>

#include "common/error.h"

int pp_lake_gzip(const void *in, size_t len, pp_strbuf *out, char *err, size_t errlen) {
    z_stream z;
    memset(&z, 0, sizeof z);
    pp_sb_reset(out);
    if (len > UINT_MAX / 2) {
        pp_errf(err, errlen, "gzip: object of %zu bytes is too large", len);
        return PP_EINVAL;
    }
    int zrc = deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
    if (zrc != Z_OK) {
        pp_errf(err, errlen, "gzip: deflateInit2: %s", zError(zrc));
        return PP_EIO;
    }
    size_t bound = deflateBound(&z, (uLong)len);
    pp_sb_reserve(out, bound);
    z.next_in = (Bytef *)(uintptr_t)in;
    z.avail_in = (uInt)len;
    z.next_out = (Bytef *)out->data;
    z.avail_out = (uInt)bound;
    zrc = deflate(&z, Z_FINISH);
    int rc = PP_OK;
    if (zrc != Z_STREAM_END) {
        pp_errf(err, errlen, "gzip: deflate: %s", z.msg ? z.msg : zError(zrc));
        rc = PP_EIO;
    } else {
        out->len = z.total_out;
        out->data[out->len] = '\0';
    }
    deflateEnd(&z);
    return rc;
}
