#include "batch/batch_object.h"

#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "common/error.h"
#include "common/mem.h"
#include "common/strbuf.h"

#define INFLATE_CHUNK (256 * 1024)

struct pp_batch_object {
    int gzip;
    z_stream z;
    int z_ready;     /* inflateInit2 done */
    int z_in_member; /* inside a gzip member (bytes seen since the last end) */
    unsigned char *zout;
    size_t max_line;
    pp_batch_line_fn fn;
    void *ud;
    pp_strbuf line;
    size_t skipping; /* > 0: bytes of a line over max_line, skipped so far */
    size_t lineno;
    uint64_t bytes;
    uint64_t zin; /* compressed bytes fed */
};

int pp_batch_object_create(pp_batch_object **out, int gzip, size_t max_line, pp_batch_line_fn fn, void *ud) {
    pp_batch_object *o = pp_xcalloc(1, sizeof *o);
    *out = NULL;
    o->gzip = gzip;
    o->max_line = max_line ? max_line : 1;
    o->fn = fn;
    o->ud = ud;
    pp_sb_init(&o->line);
    if (gzip) {
        o->zout = pp_xmalloc(INFLATE_CHUNK);
        if (inflateInit2(&o->z, 16 + MAX_WBITS) != Z_OK) { /* zlib's own allocation */
            free(o->zout);
            free(o);
            return PP_ENOMEM;
        }
        o->z_ready = 1;
    }
    *out = o;
    return PP_OK;
}

void pp_batch_object_destroy(pp_batch_object *o) {
    if (!o) return;
    if (o->z_ready) inflateEnd(&o->z);
    free(o->zout);
    pp_sb_free(&o->line);
    free(o);
}

uint64_t pp_batch_object_bytes(const pp_batch_object *o) { return o->bytes; }

/* The line in o->line (or the skipped one) is complete. */
static int end_line(pp_batch_object *o) {
    int rc = 0;
    o->lineno++;
    if (o->skipping) {
        rc = o->fn(o->ud, NULL, o->skipping, o->lineno);
    } else {
        size_t n = o->line.len;
        if (n && o->line.data[n - 1] == '\r') n--;
        if (n) rc = o->fn(o->ud, o->line.data, n, o->lineno);
    }
    o->skipping = 0;
    pp_sb_reset(&o->line);
    return rc;
}

static void take(pp_batch_object *o, const char *p, size_t n) {
    if (o->skipping) {
        o->skipping += n;
    } else if (o->line.len + n > o->max_line) {
        o->skipping = o->line.len + n;
        pp_sb_reset(&o->line);
    } else {
        pp_sb_append(&o->line, p, n);
    }
}

/* Plain bytes into lines. */
static int split(pp_batch_object *o, const char *p, size_t n) {
    o->bytes += n;
    while (n) {
        const char *nl = memchr(p, '\n', n);
        size_t k = nl ? (size_t)(nl - p) : n;
        take(o, p, k);
        if (!nl) break;
        int rc = end_line(o);
        if (rc) return rc;
        p += k + 1;
        n -= k + 1;
    }
    return 0;
}

int pp_batch_object_feed(pp_batch_object *o, const void *data, size_t n, char *err, size_t errlen) {
    if (!o->gzip) return split(o, data, n);
    o->zin += n;
    o->z.next_in = (unsigned char *)(uintptr_t)data;
    o->z.avail_in = (uInt)n;
    while (o->z.avail_in > 0) {
        if (!o->z_in_member) {
            /* bytes after the end of a member: the next member of a concatenation */
            inflateReset(&o->z);
            o->z_in_member = 1;
        }
        o->z.next_out = o->zout;
        o->z.avail_out = INFLATE_CHUNK;
        int zr = inflate(&o->z, Z_NO_FLUSH);
        if (zr != Z_OK && zr != Z_STREAM_END && zr != Z_BUF_ERROR) {
            pp_errf(err, errlen, "gzip: %s", o->z.msg ? o->z.msg : "corrupt stream");
            return PP_EPROTO;
        }
        size_t got = INFLATE_CHUNK - o->z.avail_out;
        int rc = split(o, (const char *)o->zout, got);
        if (rc) return rc;
        if (zr == Z_STREAM_END)
            o->z_in_member = 0;
        else if (zr == Z_BUF_ERROR && got == 0 && o->z.avail_in > 0) {
            pp_errf(err, errlen, "gzip: no progress");
            return PP_EPROTO;
        }
    }
    return 0;
}

int pp_batch_object_finish(pp_batch_object *o, char *err, size_t errlen) {
    if (o->gzip) {
        /* drain what inflate still holds */
        for (;;) {
            if (!o->z_in_member) break;
            o->z.next_in = NULL;
            o->z.avail_in = 0;
            o->z.next_out = o->zout;
            o->z.avail_out = INFLATE_CHUNK;
            int zr = inflate(&o->z, Z_FINISH);
            size_t got = INFLATE_CHUNK - o->z.avail_out;
            int rc = split(o, (const char *)o->zout, got);
            if (rc) return rc;
            if (zr == Z_STREAM_END) {
                o->z_in_member = 0;
                break;
            }
            if (got == 0) {
                pp_errf(err, errlen, "gzip: the object ends before its gzip stream does (truncated)");
                return PP_EPROTO;
            }
        }
        if (o->zin == 0) {
            /* never saw a byte: an empty .gz is not a gzip stream */
            pp_errf(err, errlen, "gzip: empty object");
            return PP_EPROTO;
        }
    }
    if (o->line.len || o->skipping) return end_line(o);
    return 0;
}
