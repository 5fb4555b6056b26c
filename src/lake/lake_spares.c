#include "lake/lake_spares.h"

#include <string.h>

void pp_lake_spares_init(pp_lake_spares *s, size_t max_bytes) {
    memset(s, 0, sizeof *s);
    s->max_bytes = max_bytes;
}

void pp_lake_spares_free(pp_lake_spares *s) {
    for (size_t i = 0; i < s->n; i++) pp_sb_free(&s->bufs[i]);
    s->n = 0;
    s->bytes = 0;
}

void pp_lake_spares_put(pp_lake_spares *s, pp_strbuf *b) {
    if (b->cap > 0 && s->n < PP_LAKE_SPARES_MAX && b->cap <= s->max_bytes - s->bytes) {
        pp_sb_reset(b);
        s->bytes += b->cap;
        s->bufs[s->n++] = *b;
        pp_sb_init(b);
        return;
    }
    pp_sb_free(b);
}

int pp_lake_spares_take(pp_lake_spares *s, pp_strbuf *b) {
    if (s->n == 0) return 0;
    *b = s->bufs[--s->n];
    s->bytes -= b->cap;
    return 1;
}
