#include "cql/cql_stream.h"

#include <stdlib.h>
#include <string.h>

#include "common/error.h"
#include "common/mem.h"

int pp_cql_streams_init(pp_cql_streams *s, int max) {
    memset(s, 0, sizeof *s);
    if (max < 1 || max > PP_CQL_MAX_STREAMS) return PP_EINVAL;
    s->bits = pp_xcalloc(((size_t)max + 63) / 64, sizeof *s->bits);
    s->max = max;
    return 0;
}

void pp_cql_streams_free(pp_cql_streams *s) {
    free(s->bits);
    memset(s, 0, sizeof *s);
}

int pp_cql_streams_alloc(pp_cql_streams *s) {
    if (s->used >= s->max) return -1;
    size_t words = ((size_t)s->max + 63) / 64;
    for (size_t w = 0; w < words; w++) {
        if (s->bits[w] == UINT64_MAX) continue;
        for (int b = 0; b < 64; b++) {
            int id = (int)(w * 64) + b;
            if (id >= s->max) return -1;
            if (!(s->bits[w] & ((uint64_t)1 << b))) {
                s->bits[w] |= (uint64_t)1 << b;
                s->used++;
                return id;
            }
        }
    }
    return -1;
}

int pp_cql_streams_held(const pp_cql_streams *s, int id) {
    if (id < 0 || id >= s->max) return 0;
    return (s->bits[id / 64] >> (id % 64)) & 1;
}

int pp_cql_streams_release(pp_cql_streams *s, int id) {
    if (!pp_cql_streams_held(s, id)) return PP_EINVAL;
    s->bits[id / 64] &= ~((uint64_t)1 << (id % 64));
    s->used--;
    return 0;
}
